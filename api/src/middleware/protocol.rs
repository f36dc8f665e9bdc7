//! The outermost checks, before metrics record anything and before any
//! route is looked for: only the standard HTTP methods reach a route (an
//! extension method is counted as `OTHER`, which no route takes), the request line and headers are bounded
//! (400, 431), a query holding a NUL byte is a 400, `HEAD` is served as a `GET` without its body, and
//! `/metrics` asks for `METRICS_TOKEN` when one is set. Every refusal is a
//! problem document, so a metric label can only take values from closed
//! sets (nine methods, the route patterns or `UNKNOWN`, the statuses).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, web};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// Longest accepted path and query, in bytes. Longer URIs are a 400 here (a
/// client's generic bad request, rather than 414 which few handle); past
/// 64 KiB actix-http refuses them itself, before any middleware.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Largest accepted total of header names and values, in bytes. Past
/// 128 KiB (or 96 headers) actix-http refuses the request itself.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// The methods a request may use; anything else never reaches a route or a
/// metric.
pub const KNOWN_METHODS: [Method; 9] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
    Method::CONNECT,
    Method::TRACE,
];

pub const METRICS_PATH: &str = "/metrics";

/// What an extension method becomes before metrics see it: one label
/// value for all of them, whatever a client sends.
fn other() -> Method {
    Method::from_bytes(b"OTHER").unwrap_or(Method::TRACE)
}

/// Outside the metrics: refuses oversized heads and unauthorised metrics
/// readers, renames any extension method `OTHER` (no route takes it: the
/// router answers 405 with the path's `Allow`), serves HEAD as GET.
pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if let Some(error) = refusal(&req) {
        return Ok(answer(req, &error));
    }
    if !KNOWN_METHODS.contains(req.method()) {
        req.head_mut().method = other();
    } else if req.method() == Method::HEAD {
        // The connection already knows the request was HEAD and sends no
        // body; routes answer it as the GET it mirrors.
        req.head_mut().method = Method::GET;
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// The problem document of a deliberate refusal, without attaching the
/// error to the response: the request logger would log every one of a
/// flood of refusals.
fn answer(req: ServiceRequest, error: &ApiError) -> ServiceResponse<BoxBody> {
    use actix_web::ResponseError as _;
    let mut response = error.error_response();
    if response.status() == actix_web::http::StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"metrics\""),
        );
    }
    req.into_response(response)
}

fn refusal(req: &ServiceRequest) -> Option<ApiError> {
    let uri_len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return Some(ApiError::coded(
            ErrorCode::UriTooLong,
            format!("the path and query hold at most {MAX_URI_BYTES} bytes"),
        ));
    }
    // No parameter of this API may hold U+0000 (PostgreSQL text cannot);
    // refused here for every route, whatever its handler does.
    if req.query_string().contains("%00") {
        return Some(ApiError::coded(
            ErrorCode::InvalidQuery,
            "the query string may not contain a NUL byte (%00)",
        ));
    }
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return Some(ApiError::coded(
            ErrorCode::HeadersTooLarge,
            format!("the headers hold at most {MAX_HEADER_BYTES} bytes"),
        ));
    }
    if req.path() == METRICS_PATH {
        let token = req
            .app_data::<web::Data<AppState>>()
            .and_then(|state| state.settings.metrics_token.clone());
        if let Some(expected) = token
            && !bearer_matches(req.headers().get(header::AUTHORIZATION), expected.expose())
        {
            return Some(ApiError::coded(
                ErrorCode::Unauthenticated,
                "send Authorization: Bearer <METRICS_TOKEN>",
            ));
        }
    }
    None
}

/// Compares digests so the time taken tells nothing about the token.
fn bearer_matches(header: Option<&HeaderValue>, expected: &str) -> bool {
    let Some(given) = header
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    let given = Sha256::digest(given.trim().as_bytes());
    let expected = Sha256::digest(expected.as_bytes());
    given
        .iter()
        .zip(expected.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_compare_exactly() {
        let value = |s: &'static str| HeaderValue::from_static(s);
        assert!(bearer_matches(
            Some(&value("Bearer s3cret-token")),
            "s3cret-token"
        ));
        assert!(!bearer_matches(
            Some(&value("Bearer s3cret-tokem")),
            "s3cret-token"
        ));
        assert!(!bearer_matches(
            Some(&value("s3cret-token")),
            "s3cret-token"
        ));
        assert!(!bearer_matches(None, "s3cret-token"));
    }
}
