//! Sourcing requests end to end: the buyer's request, its qualification,
//! explained candidates and vetted matches, invitations, quotes, questions
//! and the award. Each use case loads the request, derives the caller's
//! access from domain rules, asks the domain to take the step, saves it,
//! and publishes the `RequestEvent` the domain returned: [`Publisher`]
//! turns it into its history entry and its emails, in the same transaction.

pub mod answers;
pub(crate) mod emails;
pub mod export;
pub mod matching;
pub mod queues;
pub mod requests;
pub mod views;

use domain::auth::Actor;
use domain::ids::{OrganisationId, SourcingRequestId};
pub use domain::sourcing::events::SUBJECT;
use domain::sourcing::{RequestAccess, SourcingRequest};
use domain::{DomainError, ValidationErrors};
use persistence::{DbConnection, sourcing};

pub use crate::app::paging::{page, page_limit, parse_time_cursor, time_cursor};
pub use crate::app::publisher::Publisher;
use crate::error::{ApiError, ApiResult};

pub fn not_found() -> ApiError {
    ApiError::not_found("sourcing request")
}

/// The request and what the actor may do with it; 404 when out of reach.
pub fn load(
    conn: &mut DbConnection,
    actor: &Actor,
    id: SourcingRequestId,
) -> ApiResult<(SourcingRequest, RequestAccess)> {
    let request = sourcing::find_request(conn, id)?.ok_or_else(not_found)?;
    let invited = match actor.organisation_id() {
        Some(org) if !actor.belongs_to(request.buyer) => {
            sourcing::find_invitation(conn, id, org)?.is_some()
        }
        _ => false,
    };
    let access = RequestAccess::of(actor, &request, invited)?;
    Ok((request, access))
}

/// How many questions `supplier` asked on `request` (a supplier asks a
/// bounded number).
pub fn questions_asked(
    conn: &mut DbConnection,
    request: SourcingRequestId,
    supplier: OrganisationId,
) -> ApiResult<usize> {
    Ok(sourcing::questions_asked_by(conn, supplier, &[request])?.len())
}

/// Saves unless someone saved in between.
pub fn save(
    conn: &mut DbConnection,
    request: &SourcingRequest,
    read_version: i64,
) -> ApiResult<()> {
    if sourcing::update_request(conn, request, read_version)? {
        Ok(())
    } else {
        Err(DomainError::VersionMismatch {
            current: read_version + 1,
        }
        .into())
    }
}

/// A required free-text field (comment, reason...), named in errors.
pub fn required_text(field: &str, raw: &str, max: usize) -> ApiResult<String> {
    domain::validation::text(raw, 1, max).map_err(|e| {
        let mut errors = ValidationErrors::new();
        errors.check::<()>(field, Err(e));
        ApiError::from(errors)
    })
}

pub fn optional_text(field: &str, raw: Option<&str>, max: usize) -> ApiResult<Option<String>> {
    domain::validation::optional_text(raw, max).map_err(|e| {
        let mut errors = ValidationErrors::new();
        errors.check::<()>(field, Err(e));
        ApiError::from(errors)
    })
}
