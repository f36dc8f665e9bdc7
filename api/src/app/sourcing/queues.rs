//! The back office's work queues, each item with the time it has waited.

use domain::ValidationErrors;
use std::collections::HashMap;

use domain::auth::Actor;
use domain::ids::{OrganisationId, SourcingRequestId};
use domain::sourcing::RequestStatus;
use openapi::paging::{MatchQueue, RequestQueue};
use openapi::sourcing::{MatchQueueItem, RequestQueueItem};
use persistence::{accounts, sourcing};

use super::{page, page_limit, parse_time_cursor, time_cursor};
use crate::error::ApiResult;
use crate::state::AppState;

/// Requests in a status (default: submitted, waiting for qualification),
/// longest waiting first.
pub async fn requests(
    state: &AppState,
    actor: Actor,
    status: Option<String>,
    cursor_raw: Option<String>,
    limit: Option<i64>,
) -> ApiResult<RequestQueue> {
    actor.require_back_office()?;
    let status = match status.as_deref() {
        None => RequestStatus::Submitted,
        Some(raw) => RequestStatus::parse(raw).ok_or_else(|| {
            ValidationErrors::single("status", "invalid_status", "unknown request status")
        })?,
    };
    let limit = page_limit(limit)?;
    let list = format!("backoffice-requests:{}", status.as_str());
    let after = parse_time_cursor(cursor_raw, &list)?;
    let now = state.clock.now();
    state
        .read(move |conn| {
            let mut page = sourcing::requests_in_status(conn, status, after, limit + 1)?;
            let more = page.len() as i64 > limit;
            page.truncate(limit as usize);
            let next_cursor = if more {
                page.last()
                    .and_then(|r| r.submitted_at.map(|at| time_cursor(&list, at, r.id)))
            } else {
                None
            };
            let buyers: Vec<OrganisationId> = page.iter().map(|r| r.buyer).collect();
            let names = names_of(conn, &buyers)?;
            let mut items = Vec::with_capacity(page.len());
            for r in page {
                let buyer_name = names.get(&r.buyer).cloned().unwrap_or_default();
                items.push(RequestQueueItem {
                    request_id: *r.id.as_uuid(),
                    title: r.content.title.clone(),
                    buyer_name,
                    status: r.status.into(),
                    submitted_at: r.submitted_at,
                    waited_seconds: r
                        .submitted_at
                        .map_or(0, |at| (now - at).num_seconds().max(0)),
                });
            }
            Ok(RequestQueue { items, next_cursor })
        })
        .await
}

const MATCH_QUEUE: &str = "backoffice-matches";

/// Matches waiting for vetting, oldest first.
pub async fn matches(
    state: &AppState,
    actor: Actor,
    request: Option<domain::ids::SourcingRequestId>,
    cursor_raw: Option<String>,
    limit: Option<i64>,
) -> ApiResult<MatchQueue> {
    actor.require_back_office()?;
    let limit = page_limit(limit)?;
    let after = parse_time_cursor(cursor_raw, MATCH_QUEUE)?;
    let now = state.clock.now();
    state
        .read(move |conn| {
            let rows = sourcing::proposed_matches(conn, request, after, limit + 1)?;
            let (page, next_cursor) = page(rows, limit, |m| {
                time_cursor(MATCH_QUEUE, m.created_at, m.id)
            });
            let suppliers: Vec<OrganisationId> = page.iter().map(|m| m.supplier).collect();
            let names = names_of(conn, &suppliers)?;
            // A page often holds several matches of one request.
            let mut requests: Vec<SourcingRequestId> = page.iter().map(|m| m.request).collect();
            requests.sort_unstable();
            requests.dedup();
            let titles: HashMap<SourcingRequestId, String> =
                sourcing::find_requests(conn, &requests)?
                    .into_iter()
                    .map(|r| (r.id, r.content.title))
                    .collect();
            let mut items = Vec::with_capacity(page.len());
            for m in page {
                let request_title = titles.get(&m.request).cloned().unwrap_or_default();
                let supplier_name = names.get(&m.supplier).cloned().unwrap_or_default();
                items.push(MatchQueueItem {
                    match_id: *m.id.as_uuid(),
                    request_id: *m.request.as_uuid(),
                    request_title,
                    supplier_id: *m.supplier.as_uuid(),
                    supplier_name,
                    score: m.score,
                    waited_seconds: (now - m.created_at).num_seconds().max(0),
                });
            }
            Ok(MatchQueue { items, next_cursor })
        })
        .await
}

/// Legal names of organisations, in one query.
fn names_of(
    conn: &mut persistence::DbConnection,
    ids: &[OrganisationId],
) -> ApiResult<HashMap<OrganisationId, String>> {
    Ok(accounts::find_organisations(conn, ids)?
        .into_iter()
        .map(|o| (o.id, o.legal_name))
        .collect())
}
