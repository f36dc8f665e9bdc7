//! `Authenticated` in a handler's signature makes the route require a valid
//! bearer token of an account that may act now: a handler cannot forget
//! authentication, nor the checks every request needs.
//!
//! Each request reads where the account stands (see `auth::standing`): an
//! inactive user or a closed session (logout, password reset, deactivation)
//! answers 401 `invalid_token`; a user of a suspended supplier reads, but
//! every write acting for the organisation answers 403
//! `organisation_suspended`.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use domain::auth::Actor;

use crate::auth::jwt::TokenClaims;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

#[derive(Debug, Clone, Copy)]
pub struct Authenticated(pub Actor);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await })
    }
}

/// Writes that act for the user alone, not for their organisation: a
/// suspended supplier's users may still make them.
pub const SELF_SERVICE: &[&str] = &[
    "/api/v1/me/preferences",
    "/api/v1/auth/verify-email/resend",
    // Reading one's own notifications changes nothing the organisation does.
    "/api/v1/me/notifications/{id}/read",
    "/api/v1/me/notifications/read-all",
];

/// The caller of `req`: its token, checked against the account now.
pub async fn authenticate(req: &HttpRequest) -> Result<Authenticated, ApiError> {
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Err(ApiError::Internal(anyhow::anyhow!("AppState missing")));
    };
    let claims = token_claims(req)?;
    let actor = state.get_ref().standing(claims).await?.ok_or_else(|| {
        ApiError::coded(
            ErrorCode::InvalidToken,
            "this session has ended or the account is deactivated; log in again",
        )
    })?;
    let writes = !req.method().is_safe();
    let self_service = req
        .match_pattern()
        .is_some_and(|pattern| SELF_SERVICE.contains(&pattern.as_str()));
    if writes && !self_service {
        actor.may_act_for_organisation()?;
    }
    Ok(Authenticated(actor))
}

/// The user and session a valid bearer token names, without reading the
/// account (e.g. to scope idempotency keys before the handler runs).
pub fn token_claims(req: &HttpRequest) -> Result<TokenClaims, ApiError> {
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Err(ApiError::Internal(anyhow::anyhow!("AppState missing")));
    };
    let header = req.headers().get(AUTHORIZATION).ok_or_else(|| {
        ApiError::coded(
            ErrorCode::Unauthenticated,
            "send Authorization: Bearer <access token>",
        )
    })?;
    let token = header
        .to_str()
        .ok()
        .and_then(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        })
        .ok_or_else(|| {
            ApiError::coded(
                ErrorCode::Unauthenticated,
                "the Authorization header must use the Bearer scheme",
            )
        })?;
    state.jwt.verify(token.trim()).ok_or_else(|| {
        ApiError::coded(
            ErrorCode::InvalidToken,
            "the access token is invalid or expired; log in or refresh",
        )
    })
}
