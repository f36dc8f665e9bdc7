//! Emails about sourcing requests, queued in the caller's transaction.
// TEMPORARY: the notification kinds for requests land with the notify
// branch; until the merge these functions queue nothing.

use chrono::{DateTime, Utc};
use domain::sourcing::SourcingRequest;
use domain::sourcing::request::Action;
use persistence::DbConnection;

use crate::error::ApiResult;
use crate::state::AppState;

pub fn step(
    _conn: &mut DbConnection,
    _state: &AppState,
    _request: &SourcingRequest,
    _action: Action,
    _comment: Option<&str>,
    _now: DateTime<Utc>,
) -> ApiResult<()> {
    Ok(())
}

pub fn answer_received(
    _conn: &mut DbConnection,
    _state: &AppState,
    _request: &SourcingRequest,
    _supplier: domain::ids::OrganisationId,
    _revision: i32,
    _now: DateTime<Utc>,
) -> ApiResult<()> {
    Ok(())
}

pub fn question_answered(
    _conn: &mut DbConnection,
    _state: &AppState,
    _request: &SourcingRequest,
    _question: &domain::sourcing::answers::Question,
    _now: DateTime<Utc>,
) -> ApiResult<()> {
    Ok(())
}

pub fn outcome(
    _conn: &mut DbConnection,
    _state: &AppState,
    _request: &SourcingRequest,
    _supplier: domain::ids::OrganisationId,
    _outcome: domain::sourcing::answers::Outcome,
    _now: DateTime<Utc>,
) -> ApiResult<()> {
    Ok(())
}
