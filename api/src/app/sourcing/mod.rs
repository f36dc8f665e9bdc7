//! Sourcing requests end to end: the buyer's request, its qualification,
//! explained candidates and vetted matches, invitations, quotes, questions
//! and the award. Each use case loads the request, derives the caller's
//! access from domain rules, asks the domain to take the step, saves it,
//! and publishes the `RequestEvent` the domain returned: [`Publisher`]
//! turns it into its history entry and its emails, in the same transaction.

pub mod answers;
mod emails;
pub mod matching;
pub mod queues;
pub mod requests;
pub mod views;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::auth::Actor;
use domain::ids::SourcingRequestId;
pub use domain::sourcing::events::SUBJECT;
use domain::sourcing::{RequestAccess, RequestEvent, SourcingRequest};
use domain::{DomainError, ValidationErrors};
use persistence::{DbConnection, accounts, audit, sourcing};

pub use crate::app::paging::{cursor, page_limit, parse_cursor};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

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

/// Who acts and when, and where emails' links point: what publishing a
/// request's events needs besides the events. A use case makes one before
/// its transaction and takes its `now` for the domain's steps.
#[derive(Debug, Clone)]
pub struct Publisher {
    /// `None` for the platform itself (the deadline job).
    pub actor: Option<Actor>,
    pub now: DateTime<Utc>,
    /// The frontend's public address (`PUBLIC_BASE_URL`).
    base_url: String,
}

impl Publisher {
    pub fn new(state: &AppState, actor: Option<Actor>) -> Self {
        Self {
            actor,
            now: state.clock.now(),
            base_url: state.settings.public_base_url.clone(),
        }
    }

    /// The one place a request's event becomes what it leaves behind, in
    /// the caller's transaction: its entry in the request's history and
    /// the emails it causes (`emails::of`). A step the domain reports
    /// cannot be saved without both, nor either be written without a step.
    pub fn publish(
        &self,
        conn: &mut DbConnection,
        request: &SourcingRequest,
        event: RequestEvent,
    ) -> ApiResult<()> {
        let suppliers = event.named_suppliers();
        let names: HashMap<_, _> = if suppliers.is_empty() {
            HashMap::new()
        } else {
            accounts::find_organisations(conn, &suppliers)?
                .into_iter()
                .map(|o| (o.id, o.legal_name))
                .collect()
        };
        let entry = event.audit_entry(
            self.actor.map(|a| a.user_id),
            request.id,
            |supplier| names.get(&supplier).cloned(),
            self.now,
        );
        audit::record(conn, &entry)?;
        emails::of(conn, &self.base_url, request, &event, self.now)
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
