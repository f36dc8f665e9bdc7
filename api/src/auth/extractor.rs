//! `Authenticated` in a handler's signature makes the route require a valid
//! bearer token: a handler cannot forget authentication.

use std::future::{Ready, ready};

use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use domain::auth::Actor;

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

#[derive(Debug, Clone, Copy)]
pub struct Authenticated(pub Actor);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

/// The caller of `req`, from its bearer token.
pub fn authenticate(req: &HttpRequest) -> Result<Authenticated, ApiError> {
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
    state
        .jwt
        .verify(token.trim())
        .map(Authenticated)
        .ok_or_else(|| {
            ApiError::coded(
                ErrorCode::InvalidToken,
                "the access token is invalid or expired; log in or refresh",
            )
        })
}
