//! Sourcing requests end to end: the buyer's request, its qualification,
//! explained candidates and vetted matches, invitations, quotes, questions
//! and the award. Each use case loads the request, derives the caller's
//! access from domain rules, and writes its change, audit entry and
//! notifications in one transaction.

pub mod answers;
mod emails;
pub mod matching;
pub mod queues;
pub mod requests;
pub mod views;

use chrono::{DateTime, Utc};
use domain::audit::AuditEntry;
use domain::auth::Actor;
use domain::ids::SourcingRequestId;
use domain::sourcing::request::Transition;
use domain::sourcing::{RequestAccess, SourcingRequest};
use domain::{DomainError, ValidationErrors};
use persistence::{DbConnection, audit, sourcing};

pub use crate::app::paging::{cursor, page_limit, parse_cursor};
use crate::error::{ApiError, ApiResult};

pub const SUBJECT: &str = "sourcing_request";

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

/// Writes one entry of the request's history.
#[expect(
    clippy::too_many_arguments,
    reason = "an audit entry is these facts; call sites read better flat"
)]
pub fn record(
    conn: &mut DbConnection,
    actor: Option<&Actor>,
    request: SourcingRequestId,
    action: &str,
    transition: Option<Transition>,
    note: Option<String>,
    internal: bool,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let mut entry = AuditEntry::new(actor.map(|a| a.user_id), action, SUBJECT, request, now)
        .note(note, internal);
    if let Some(t) = transition {
        entry = entry.transition(Some(t.from.as_str()), t.to.as_str());
    }
    audit::record(conn, &entry)?;
    Ok(())
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
