use super::Routes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use openapi::events::{EventListQuery, EventPage, StreamMessage};

use crate::app::events;
use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(feed).service(stream);
}

/// Read the change feed.
///
/// The events the caller may read, oldest first, after a cursor: a buyer
/// its own requests' events; a supplier the events of requests it is
/// invited to (anonymised: no buyer identity, only its own answer's
/// events); an organisation its own profile, certificates and membership;
/// experts and admins every event. Events carry ids, states and roles,
/// never names, notes or prices: fetch the object for its content. Poll
/// with `after` set to the last `next_cursor`; webhook deliveries carry
/// the same JSON.
#[utoipa::path(
    operation_id = "listEvents",
    tag = "events",
    security(("bearer" = [])),
    params(EventListQuery),
    responses((status = 200, body = EventPage))
)]
#[get("/events")]
async fn feed(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<EventListQuery>,
) -> ApiResult<web::Json<EventPage>> {
    let q = query.into_inner();
    Ok(web::Json(
        events::feed(&state, auth.0, q.after, q.limit, q.types).await?,
    ))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct StreamQuery {
    /// Start after this cursor when no `Last-Event-ID` header is sent;
    /// from the first event when neither is.
    after: Option<String>,
}

/// Follow the change feed live.
///
/// The caller's feed as Server-Sent Events (`text/event-stream`): each
/// event's `id` is its cursor, `event` its type, `data` the feed's JSON.
/// Reconnect with `Last-Event-ID` (or `after`) to resume exactly where the
/// stream stopped. A comment line (`: heartbeat`) is sent every 15 seconds
/// without events. The stream ends when the access token it was opened
/// with would expire: reconnect with a fresh one.
#[utoipa::path(
    operation_id = "streamEvents",
    tag = "events",
    security(("bearer" = [])),
    params(
        StreamQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "The `id` of the last event received: the stream resumes after it"),
    ),
    responses((status = 200, description = "Server-Sent Events, one per feed event", content_type = "text/event-stream", body = StreamMessage))
)]
#[get("/events/stream")]
async fn stream(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    query: web::Query<StreamQuery>,
) -> ApiResult<HttpResponse> {
    let last_event_id = req
        .headers()
        .get("last-event-id")
        .map(|v| v.to_str().unwrap_or("invalid"));
    let after = events::parse_cursor(last_event_id.or(query.after.as_deref()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("cache-control", "no-cache"))
        .insert_header(("x-accel-buffering", "no"))
        // Compression would hold small events back in its buffer.
        .insert_header(("content-encoding", "identity"))
        .streaming(events::stream(state.get_ref().clone(), auth.0, after)))
}
