//! Headers suited to a JSON API read by browsers of third-party frontends:
//! nothing it answers may be sniffed into HTML, framed, or kept in a shared
//! cache; only the documentation page runs scripts, its own.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, HeaderName, HeaderValue, REFERRER_POLICY,
    STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use actix_web::middleware::Next;
use actix_web::web;

use crate::state::AppState;

const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";
/// Swagger UI (vendored, served by us) loads its scripts and styles from
/// this origin, sets inline styles, and shows data: images.
const DOCS_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
     frame-ancestors 'none'";

pub async fn add(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let docs = req.path().starts_with("/docs");
    let https = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|state| state.settings.public_base_url.starts_with("https://"));
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    let cache_control_set = headers.contains_key(CACHE_CONTROL);
    // A download sets a stricter policy of its own (`sandbox`): kept.
    let policy_set = headers.contains_key(CONTENT_SECURITY_POLICY);
    let mut set = |name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(X_FRAME_OPTIONS, "DENY");
    set(REFERRER_POLICY, "no-referrer");
    if !policy_set {
        set(
            CONTENT_SECURITY_POLICY,
            if docs { DOCS_POLICY } else { API_POLICY },
        );
    }
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if https {
        // Only meaningful, and only honoured, over TLS.
        set(STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    }
    if !docs && !cache_control_set {
        // Answers carry private data or tokens; never let a proxy keep them.
        set(CACHE_CONTROL, "no-store");
    }
    Ok(response)
}
