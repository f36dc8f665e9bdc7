//! The competence booklet: the published suppliers a reader selects,
//! typeset as a PDF by a background job and cached per edition (see
//! [`editions`]).

mod contents;
pub mod editions;
pub mod typesetter;

use std::sync::Arc;

use domain::ValidationErrors;
use domain::booklet::{BookletFilter, BookletFilterInput};
use openapi::booklet::BookletQuery;
use persistence::profiles;

use crate::app::{directory, suppliers};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;
use editions::Edition;
pub use editions::{BookletEditions, EditionKey};

/// Listed suppliers loaded at once while selecting a booklet's.
const LOAD_CHUNK: usize = 1_000;

/// What a booklet request gets.
pub enum BookletAnswer {
    Ready {
        key: EditionKey,
        pdf: Vec<u8>,
    },
    /// Being typeset: poll the edition.
    Running {
        key: EditionKey,
    },
}

/// The booklet for `query` as of today: at once when this edition was
/// typeset already, else its job started (or found running).
pub async fn booklet(
    state: &AppState,
    query: BookletQuery,
    accept_language: Option<&str>,
) -> ApiResult<BookletAnswer> {
    let language = directory::language(query.lang.as_deref(), accept_language)?;
    let filter = BookletFilter::parse(&BookletFilterInput {
        sector: query.sector.as_deref(),
        family: query.family.as_deref(),
        members_only: query.members_only,
        region: query.region.as_deref(),
    })?;
    let catalogue = state.catalogue().await?;
    if let Some(family) = &filter.family
        && !catalogue.families().any(|f| f.code == *family)
    {
        return Err(ValidationErrors::single(
            "family",
            "unknown_capability",
            format!("{family} is not a family of the taxonomy"),
        )
        .into());
    }
    let edition_date = state.clock.now().date_naive();
    let admits = filter.clone();
    let listed = state
        .read(move |conn| {
            let ids = profiles::listed_organisation_ids(conn)?;
            // A thousand at a time, keeping only the admitted: a booklet of
            // 1 000 suppliers in a directory of 100 000 holds 1 000 in memory.
            let mut admitted = Vec::new();
            for chunk in ids.chunks(LOAD_CHUNK) {
                admitted.extend(
                    suppliers::load(conn, chunk)?
                        .into_values()
                        .filter(|l| admits.admits(&l.content, l.organisation.membership)),
                );
            }
            Ok(admitted)
        })
        .await?;
    let booklet = contents::booklet(listed, &filter, &catalogue, language, edition_date);
    let data = serde_json::to_vec(&booklet).map_err(|e| ApiError::Internal(e.into()))?;
    let key = EditionKey::of(publications::TEMPLATE, &data);
    match state.booklets.find(key).await.map_err(io_error)? {
        Edition::Ready(pdf) => return Ok(BookletAnswer::Ready { key, pdf }),
        Edition::Running => return Ok(BookletAnswer::Running { key }),
        Edition::Failed => state.booklets.forget_failure(key),
        Edition::Unknown => {}
    }
    let started = state.booklets.start(key, move || {
        typesetter::in_child(publications::Job::of(&booklet)?)
    });
    if !started {
        return Err(ApiError::coded(
            ErrorCode::ServiceUnavailable,
            "too many booklets are being typeset; retry in a minute",
        ));
    }
    Ok(BookletAnswer::Running { key })
}

/// An edition asked for by its key (the `Location` a 202 gave).
pub async fn edition(state: &AppState, key: &str) -> ApiResult<BookletAnswer> {
    let not_found = || ApiError::not_found("booklet edition");
    let key = EditionKey::parse(key).ok_or_else(not_found)?;
    match state.booklets.find(key).await.map_err(io_error)? {
        Edition::Ready(pdf) => Ok(BookletAnswer::Ready { key, pdf }),
        Edition::Running => Ok(BookletAnswer::Running { key }),
        Edition::Failed => {
            state.booklets.forget_failure(key);
            Err(ApiError::Internal(anyhow::anyhow!(
                "typesetting booklet edition {key} failed"
            )))
        }
        Edition::Unknown => Err(not_found()),
    }
}

fn io_error(error: std::io::Error) -> ApiError {
    ApiError::Internal(anyhow::Error::new(error).context("reading the booklet cache"))
}

/// The editions of this server, under the data directory.
pub fn editions(data_dir: &std::path::Path) -> Arc<BookletEditions> {
    Arc::new(BookletEditions::new(data_dir.join("publications")))
}
