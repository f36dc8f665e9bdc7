//! The browser mode of sessions (`AUTH_COOKIE=true`). The refresh token
//! travels in an `HttpOnly` cookie scoped to the auth routes, so a script
//! (or an injected one) never reads it. A cookie is sent by the browser on
//! its own, so refresh and logout by cookie also need the CSRF token: the
//! `pmt_csrf` cookie, readable by the page of the same site only, repeated in
//! the `X-CSRF-Token` header (double submit), on top of `SameSite=Strict`.

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::{HttpRequest, HttpResponseBuilder};
use domain::ValidationErrors;

use crate::auth::tokens::random_token;
use crate::error::{ApiError, ApiResult, ErrorCode};

pub const REFRESH_COOKIE: &str = "pmt_refresh";
pub const CSRF_COOKIE: &str = "pmt_csrf";
pub const CSRF_HEADER: &str = "X-CSRF-Token";
/// The refresh cookie goes to refresh and logout only.
const REFRESH_PATH: &str = "/api/v1/auth";

/// Sets the session's cookies on a login or refresh answer.
pub fn set(response: &mut HttpResponseBuilder, refresh_token: String, max_age_seconds: i64) {
    let max_age = Duration::seconds(max_age_seconds);
    response.cookie(
        Cookie::build(REFRESH_COOKIE, refresh_token)
            .path(REFRESH_PATH)
            .http_only(true)
            .secure(true)
            .same_site(SameSite::Strict)
            .max_age(max_age)
            .finish(),
    );
    response.cookie(
        Cookie::build(CSRF_COOKIE, random_token())
            .path("/")
            .secure(true)
            .same_site(SameSite::Strict)
            .max_age(max_age)
            .finish(),
    );
}

/// Removes the session's cookies (logout).
pub fn clear(response: &mut HttpResponseBuilder) {
    for (name, path) in [(REFRESH_COOKIE, REFRESH_PATH), (CSRF_COOKIE, "/")] {
        let mut cookie = Cookie::build(name, "")
            .path(path)
            .secure(true)
            .same_site(SameSite::Strict)
            .finish();
        cookie.make_removal();
        response.cookie(cookie);
    }
}

/// The refresh token a call presents: the body's, or in the browser mode
/// the cookie's, once the CSRF header matches the CSRF cookie.
pub fn presented(
    req: &HttpRequest,
    in_body: Option<String>,
    cookie_mode: bool,
) -> ApiResult<String> {
    if let Some(token) = in_body {
        return Ok(token);
    }
    let from_cookie = cookie_mode.then(|| req.cookie(REFRESH_COOKIE)).flatten();
    let Some(refresh) = from_cookie else {
        return Err(
            ValidationErrors::single("refresh_token", "missing", "send the refresh token").into(),
        );
    };
    let csrf = req.cookie(CSRF_COOKIE);
    let header = req
        .headers()
        .get(CSRF_HEADER)
        .and_then(|value| value.to_str().ok());
    match (csrf, header) {
        (Some(cookie), Some(header)) if !header.is_empty() && cookie.value() == header => {
            Ok(refresh.value().to_owned())
        }
        _ => Err(ApiError::coded(
            ErrorCode::CsrfFailed,
            "send the X-CSRF-Token header with the value of the pmt_csrf cookie",
        )),
    }
}
