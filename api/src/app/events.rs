//! The change feed: the events the caller may read, oldest first, from a
//! cursor. The stream and webhook deliveries carry the same JSON
//! ([`view`]).

use std::collections::HashSet;

use domain::ValidationErrors;
use domain::auth::Actor;
use domain::events::{Event, EventType, Reader};
use domain::ids::SourcingRequestId;
use openapi::events::{EventData, EventObject, EventPage, EventView};
use persistence::{events, sourcing};

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

/// The wire form of an event: ids, states and roles, never a name, a
/// note or a price.
pub fn view(event: &Event) -> EventView {
    let e = &event.event;
    EventView {
        id: *e.id.as_uuid(),
        cursor: event.position.to_string(),
        event_type: e.event_type.into(),
        occurred_at: e.occurred_at,
        actor_role: e.actor_role.map(Into::into),
        object: EventObject {
            kind: e.object_kind.into(),
            id: e.object_id,
        },
        data: EventData {
            request_id: e.data.request_id.map(|r| *r.as_uuid()),
            supplier_id: e.data.supplier_id.map(|s| *s.as_uuid()),
            previous_status: e.data.previous_status.clone(),
            status: e.data.status.clone(),
            revision: e.data.revision,
            valid_until: e.data.valid_until,
        },
    }
}

/// A cursor is an event's position: digits only, as the feed hands them
/// out. Anything else is 400 `invalid_query`.
pub fn parse_cursor(raw: Option<&str>) -> ApiResult<i64> {
    let Some(raw) = raw else { return Ok(0) };
    raw.parse::<i64>()
        .ok()
        .filter(|p| *p >= 0 && raw.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            ApiError::coded(
                ErrorCode::InvalidQuery,
                "after is a cursor the feed returned (an event's `cursor` or a page's `next_cursor`)",
            )
        })
}

/// `types=a,b`: known type names, each an error of its own otherwise.
pub fn parse_types(raw: Option<&str>) -> ApiResult<Vec<EventType>> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    let names: Vec<String> = raw.split(',').map(|n| n.trim().to_owned()).collect();
    domain::webhooks::parse_event_types(&names).map_err(|errors| {
        // The query has one `types` parameter: name it, not a list index.
        let mut renamed = ValidationErrors::new();
        for e in errors.errors() {
            renamed.add("types", e.code, e.message.clone());
        }
        renamed.into()
    })
}

fn page_size(limit: Option<i64>) -> ApiResult<i64> {
    match limit {
        None => Ok(100),
        Some(n @ 1..=500) => Ok(n),
        Some(_) => {
            Err(
                ValidationErrors::single("limit", "out_of_range", "limit is between 1 and 500")
                    .into(),
            )
        }
    }
}

/// The events after `after` that `reader` may read, and where the next
/// page starts. The query filters by the reader in SQL; each row is checked
/// again against the domain's rule.
pub fn read_page(
    conn: &mut persistence::DbConnection,
    reader: Reader,
    after: i64,
    limit: i64,
    types: &[EventType],
) -> ApiResult<(Vec<Event>, i64)> {
    let page = events::page(conn, reader, after, limit, types)?;
    // Resume after the last row read, even one the recheck dropped.
    let next = page.last().map_or(after, |e| e.position);
    // The page's requests a supplier reader was invited to, in one query.
    let invited: HashSet<SourcingRequestId> = match reader {
        Reader::Supplier(org) => {
            let requests: Vec<SourcingRequestId> = page
                .iter()
                .filter_map(|e| e.event.request.map(|r| r.id))
                .collect();
            sourcing::invitations_of_supplier_to(conn, org, &requests)?
                .into_iter()
                .map(|i| i.request)
                .collect()
        }
        _ => HashSet::new(),
    };
    let visible = page
        .into_iter()
        .filter(|e| {
            reader.sees(e.event.audience, e.event.request, |id| {
                invited.contains(&id)
            })
        })
        .collect();
    Ok((visible, next))
}

pub async fn feed(
    state: &AppState,
    actor: Actor,
    after: Option<String>,
    limit: Option<i64>,
    types: Option<String>,
) -> ApiResult<EventPage> {
    let after = parse_cursor(after.as_deref())?;
    let types = parse_types(types.as_deref())?;
    let limit = page_size(limit)?;
    let reader = Reader::of(&actor);
    let (items, last) = state
        .read(move |conn| read_page(conn, reader, after, limit, &types))
        .await?;
    Ok(EventPage {
        items: items.iter().map(view).collect(),
        next_cursor: last.to_string(),
    })
}

/// How often an idle stream sends a comment line, so that proxies keep
/// the connection and the client knows it is alive.
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(15);
/// How often an open stream looks for new events.
const STREAM_POLL: std::time::Duration = std::time::Duration::from_millis(500);

/// One Server-Sent Event: its `id` is the cursor to resume from
/// (`Last-Event-ID`), its `event` the type, its `data` the feed's JSON.
fn frame(event: &Event) -> actix_web::web::Bytes {
    let data = serde_json::to_string(&view(event)).unwrap_or_default();
    actix_web::web::Bytes::from(format!(
        "id: {}\nevent: {}\ndata: {data}\n\n",
        event.position,
        event.event.event_type.as_str()
    ))
}

struct Streaming {
    state: AppState,
    reader: Reader,
    after: i64,
    pending: std::collections::VecDeque<Event>,
    last_sent: std::time::Instant,
    ends: std::time::Instant,
}

/// The caller's feed from `after` on, as Server-Sent Events, live: new
/// events as they commit, a heartbeat comment when idle. The stream ends
/// when the access token it was opened with would have expired (the client
/// reconnects with a fresh token and `Last-Event-ID`), or on a database
/// error.
pub fn stream(
    state: AppState,
    actor: Actor,
    after: i64,
) -> impl futures_util::Stream<Item = Result<actix_web::web::Bytes, ApiError>> {
    let lifetime = std::time::Duration::from_secs(
        u64::try_from(state.settings.access_token_ttl_seconds).unwrap_or(900),
    );
    let now = std::time::Instant::now();
    let start = Streaming {
        state,
        reader: Reader::of(&actor),
        after,
        pending: std::collections::VecDeque::new(),
        last_sent: now,
        ends: now + lifetime,
    };
    // The first frame tells the client how soon to reconnect.
    let hello =
        futures_util::stream::iter([Ok(actix_web::web::Bytes::from_static(b"retry: 2000\n\n"))]);
    let events = futures_util::stream::unfold(start, |mut s| async move {
        loop {
            if let Some(event) = s.pending.pop_front() {
                s.last_sent = std::time::Instant::now();
                return Some((Ok(frame(&event)), s));
            }
            if std::time::Instant::now() >= s.ends {
                return None;
            }
            let (reader, after) = (s.reader, s.after);
            match s
                .state
                .read(move |conn| read_page(conn, reader, after, 100, &[]))
                .await
            {
                Ok((events, next)) => {
                    s.after = next;
                    s.pending.extend(events);
                }
                Err(error) => {
                    tracing::warn!(%error, "event stream ended: database unavailable");
                    return None;
                }
            }
            if s.pending.is_empty() {
                if s.last_sent.elapsed() >= HEARTBEAT {
                    s.last_sent = std::time::Instant::now();
                    return Some((
                        Ok(actix_web::web::Bytes::from_static(b": heartbeat\n\n")),
                        s,
                    ));
                }
                tokio::time::sleep(STREAM_POLL).await;
            }
        }
    });
    futures_util::StreamExt::chain(hello, events)
}
