//! `Idempotency-Key` on creating requests (the POSTs documented with a 201):
//! a client that lost an answer retries with the same key and gets the
//! first result instead of a second object. The same key with another
//! request is refused (422), and so is a retry while the first request is
//! still running (409). Keys belong to their sender and are kept a day.

use std::collections::HashMap;

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, ETAG, HeaderName, HeaderValue, LOCATION};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};
use chrono::TimeDelta;
use persistence::idempotency::{self, Claim, KeyedRequest, StoredResponse};
use sha2::{Digest, Sha256};
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::{HeaderBuilder, ObjectBuilder, OpenApi, RefOr, Required, Type};

use crate::auth::extractor::authenticate;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

pub const HEADER: &str = "Idempotency-Key";
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
const MAX_KEY_LENGTH: usize = 255;
/// How long a first request holds its key; past it, its server is taken
/// for dead and a retry runs the request again.
const LEASE: TimeDelta = TimeDelta::seconds(60);
/// How long keys are remembered.
pub const RETENTION: TimeDelta = TimeDelta::hours(24);

/// Operations that create something: they answer 201. An upload (a body
/// that is not JSON) is not replayed: its body is streamed, never held to
/// be fingerprinted, and a repeated upload only leaves an unattached copy
/// that goes after 24 hours.
fn creates(operation: &Operation) -> bool {
    let json_or_none = operation
        .request_body
        .as_ref()
        .is_none_or(|body| match body {
            RefOr::T(body) => body.content.contains_key("application/json"),
            RefOr::Ref(_) => true,
        });
    operation.responses.responses.contains_key("201") && json_or_none
}

/// Path templates of the creating POSTs, as actix matches them, each with
/// whether it needs an access token.
pub struct CreatingRoutes(HashMap<String, bool>);

impl CreatingRoutes {
    pub fn from_spec(spec: &OpenApi) -> Self {
        Self(
            spec.paths
                .paths
                .iter()
                .filter_map(|(path, item)| {
                    let operation = item.post.as_ref().filter(|op| creates(op))?;
                    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
                    Some((path.clone(), secured))
                })
                .collect(),
        )
    }
}

/// Documents the header and its refusals on every creating POST.
pub fn document(openapi: &mut OpenApi) {
    for item in openapi.paths.paths.values_mut() {
        let Some(operation) = item.post.as_mut().filter(|op| creates(op)) else {
            continue;
        };
        operation.parameters.get_or_insert_with(Vec::new).push(
            ParameterBuilder::new()
                .name(HEADER)
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "A unique value (1-255 visible ASCII characters, e.g. a UUID) making a retry \
                     safe: the same key with the same body within 24 hours answers the first \
                     result (with `Idempotent-Replayed: true`) instead of creating again; with \
                     another body it answers 422 `idempotency_key_mismatch`, and while the \
                     first request runs, 409 `idempotency_key_in_use`.",
                ))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .min_length(Some(1))
                        .max_length(Some(MAX_KEY_LENGTH))
                        .pattern(Some("^[\\x21-\\x7E]+$")),
                ))
                .build()
                .into(),
        );
        // A replay answers the stored status, body and headers, marked.
        for (status, response) in operation.responses.responses.iter_mut() {
            if let (true, RefOr::T(response)) = (status.starts_with('2'), response) {
                response.headers.insert(
                    "Idempotent-Replayed".to_owned(),
                    HeaderBuilder::new()
                        .schema(Some(
                            ObjectBuilder::new()
                                .schema_type(Type::String)
                                .enum_values(Some(["true"])),
                        ))
                        .description(Some(
                            "`true` when this answer replays the first request with the same \
                             `Idempotency-Key` (nothing was created again); absent otherwise",
                        ))
                        .build()
                        .into(),
                );
            }
        }
        for (status, refusal) in [
            ("400", "an invalid `Idempotency-Key` (`invalid_header`)"),
            (
                "409",
                "the first request with this `Idempotency-Key` still running (`idempotency_key_in_use`)",
            ),
            (
                "422",
                "an `Idempotency-Key` already used with another body (`idempotency_key_mismatch`)",
            ),
        ] {
            crate::routes::add_problem(operation, status, &format!("Or {refusal}"));
        }
    }
}

/// A validated key with its sender and the request's fingerprint.
#[derive(Clone)]
struct Keyed {
    scope: String,
    key: String,
    request_hash: String,
}

impl Keyed {
    fn as_request(&self) -> KeyedRequest<'_> {
        KeyedRequest {
            scope: &self.scope,
            key: &self.key,
            request_hash: &self.request_hash,
        }
    }
}

pub async fn apply(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let (Some(raw), Some(state), Some(routes)) = (
        req.headers().get(HEADER).cloned(),
        req.app_data::<web::Data<AppState>>().cloned(),
        req.app_data::<web::Data<CreatingRoutes>>().cloned(),
    ) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let secured = match req.match_pattern() {
        Some(pattern) if req.method() == actix_web::http::Method::POST => {
            routes.0.get(&pattern).copied()
        }
        _ => None,
    };
    let Some(secured) = secured else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let Some(key) = raw.to_str().ok().filter(|k| {
        (1..=MAX_KEY_LENGTH).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic())
    }) else {
        let error = ApiError::coded(
            ErrorCode::InvalidHeader,
            format!("{HEADER} must be 1 to {MAX_KEY_LENGTH} visible ASCII characters"),
        );
        return Ok(req.error_response(error));
    };
    // A missing or invalid token gets its 401 from the handler, never an
    // answer about a key; anonymous keys exist only where no token is needed.
    let scope = match authenticate(req.request()).await {
        Ok(actor) => format!("user:{}", actor.0.user_id),
        Err(_)
            if secured
                || req
                    .headers()
                    .contains_key(actix_web::http::header::AUTHORIZATION) =>
        {
            return Ok(next.call(req).await?.map_into_boxed_body());
        }
        Err(_) => format!(
            "address:{}",
            req.peer_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_default()
        ),
    };
    let body = req.extract::<web::Bytes>().await?;
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str());
    hasher.update(b" ");
    hasher.update(req.uri().to_string());
    hasher.update(b"\n");
    hasher.update(&body);
    let keyed = Keyed {
        scope,
        key: key.to_owned(),
        request_hash: format!("{:x}", hasher.finalize()),
    };
    req.set_payload(actix_web::dev::Payload::from(body));

    let now = state.clock.now();
    let claim = {
        let keyed = keyed.clone();
        state
            .transaction(move |conn| {
                // Forgetting old keys here keeps the table to a day of them
                // without a job of its own; the index makes it cheap.
                idempotency::forget_before(conn, now - RETENTION)?;
                Ok(idempotency::claim(conn, keyed.as_request(), now, LEASE)?)
            })
            .await
    };
    match claim {
        Err(error) => Ok(req.error_response(error)),
        Ok(Claim::Mismatch) => Ok(req.error_response(ApiError::coded(
            ErrorCode::IdempotencyKeyMismatch,
            format!("this {HEADER} was used with another request; use a new key"),
        ))),
        Ok(Claim::InProgress) => Ok(req.error_response(ApiError::coded(
            ErrorCode::IdempotencyKeyInUse,
            format!("the first request with this {HEADER} is still running; retry later"),
        ))),
        Ok(Claim::Replay(stored)) => Ok(req.into_response(replay(&stored))),
        Ok(Claim::Fresh) => run_and_store(req, next, state, keyed).await,
    }
}

async fn run_and_store(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    state: web::Data<AppState>,
    keyed: Keyed,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let response = match next.call(req).await {
        Ok(response) => response.map_into_boxed_body(),
        Err(error) => {
            release(&state, keyed).await;
            return Err(error);
        }
    };
    let status = response.status();
    // Worth retrying for real: the key must not pin these.
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        release(&state, keyed).await;
        return Ok(response);
    }
    let (req, response) = response.into_parts();
    let (head, payload) = response.into_parts();
    let bytes = match body::to_bytes(payload).await {
        Ok(bytes) => bytes,
        Err(_) => {
            release(&state, keyed).await;
            return Ok(ServiceResponse::new(
                req,
                actix_web::ResponseError::error_response(&ApiError::Internal(anyhow::anyhow!(
                    "response body unreadable"
                ))),
            ));
        }
    };
    let stored = StoredResponse {
        status: status.as_u16(),
        headers: [CONTENT_TYPE, LOCATION, ETAG]
            .iter()
            .filter_map(|name| {
                let value = head.headers().get(name)?.to_str().ok()?;
                Some((name.as_str().to_owned(), value.to_owned()))
            })
            .collect(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    let saved = state
        .transaction(move |conn| Ok(idempotency::complete(conn, keyed.as_request(), &stored)?))
        .await;
    if let Err(error) = saved {
        // The change itself committed; the client still gets its answer,
        // and a retry after the lease runs the request again.
        tracing::warn!(%error, "idempotency outcome not stored");
    }
    Ok(ServiceResponse::new(
        req,
        head.set_body(BoxBody::new(bytes)),
    ))
}

async fn release(state: &AppState, keyed: Keyed) {
    let released = state
        .transaction(move |conn| Ok(idempotency::release(conn, keyed.as_request())?))
        .await;
    if let Err(error) = released {
        tracing::warn!(%error, "idempotency key not released; it frees itself after its lease");
    }
}

fn replay(stored: &StoredResponse) -> HttpResponse {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    for (name, value) in &stored.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            response.insert_header((name, value));
        }
    }
    response.insert_header((REPLAYED, HeaderValue::from_static("true")));
    response.body(stored.body.clone())
}
