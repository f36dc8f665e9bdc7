//! Login, refresh-token rotation with reuse detection, logout.

use chrono::{DateTime, TimeDelta, Utc};
use domain::account::{Email, User};
use domain::ids::TokenFamilyId;
use domain::session_events::SessionEvent;
use openapi::accounts::TokenResponse;
use persistence::{DbConnection, accounts, tokens as token_store};

use crate::app::publisher::Publisher;
use crate::auth::tokens::{digest, random_token, successor};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

fn invalid_credentials() -> ApiError {
    ApiError::coded(
        ErrorCode::InvalidCredentials,
        "check the email and password",
    )
}

fn invalid_refresh() -> ApiError {
    ApiError::coded(ErrorCode::InvalidRefreshToken, "log in again")
}

/// The same answer for an unknown email, a wrong password and a deactivated
/// account, in about the same time: no account enumeration.
pub async fn login(state: &AppState, email: String, password: String) -> ApiResult<TokenResponse> {
    // No stored password is longer: refuse without spending a hash on it.
    if password.chars().count() > domain::password::MAX_PASSWORD_CHARS {
        return Err(invalid_credentials());
    }
    let found = match Email::parse(&email) {
        Ok(email) => {
            state
                .read(move |conn| Ok(accounts::find_user_by_email(conn, &email)?))
                .await?
        }
        Err(_) => None,
    };
    let (user, stored) = found.unzip();
    let verified = state.hasher.verify(password, stored).await?;
    let user = user
        .filter(|user| verified && user.active)
        .ok_or_else(invalid_credentials)?;

    let publisher = Publisher::new(state, None);
    let now = publisher.now;
    let state_for_tx = state.clone();
    state
        .transaction(move |conn| {
            let tokens = issue(
                conn,
                &state_for_tx,
                &user,
                TokenFamilyId::new(),
                random_token(),
                now,
            )?;
            publisher.publish_session(conn, SessionEvent::LoggedIn { user: user.id })?;
            Ok(tokens)
        })
        .await
}

/// Stores `refresh_token` in `family` and signs an access token with it.
fn issue(
    conn: &mut DbConnection,
    state: &AppState,
    user: &User,
    family: TokenFamilyId,
    refresh_token: String,
    now: DateTime<Utc>,
) -> ApiResult<TokenResponse> {
    let refresh_ttl = TimeDelta::days(state.settings.refresh_token_ttl_days);
    token_store::insert_refresh(
        conn,
        family,
        user.id,
        &digest(&refresh_token),
        now + refresh_ttl,
        now,
    )?;
    pair(state, user, family, refresh_token, refresh_ttl, now)
}

/// The answer of a login or refresh: a new access token beside
/// `refresh_token`.
fn pair(
    state: &AppState,
    user: &User,
    family: TokenFamilyId,
    refresh_token: String,
    refresh_expires_in: TimeDelta,
    now: DateTime<Utc>,
) -> ApiResult<TokenResponse> {
    let access_token = state
        .jwt
        .issue(user, family, now)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("signing access token: {e}")))?;
    Ok(TokenResponse {
        access_token,
        token_type: openapi::accounts::TokenType::Bearer,
        expires_in: state.jwt.ttl_seconds(),
        refresh_token: Some(refresh_token),
        refresh_expires_in: refresh_expires_in.num_seconds(),
    })
}

enum Rotation {
    Issued(TokenResponse),
    /// The token was refused; any revocation decided must still commit,
    /// and the user whose session it closed is named.
    Refused(Option<domain::ids::UserId>),
}

/// Exchanges a live refresh token for a new pair. Presenting a token that
/// was already rotated means it leaked (or a client misbehaves): the whole
/// family is revoked, ending the session everywhere. Except within the reuse
/// grace: two tabs, or a retry after a lost answer, refresh with the same
/// token at once, and the later ones get the successor the first one got.
pub async fn refresh(state: &AppState, token: String) -> ApiResult<TokenResponse> {
    let publisher = Publisher::new(state, None);
    let now = publisher.now;
    let state_for_tx = state.clone();
    let outcome = state
        .transaction(move |conn| {
            let state = &state_for_tx;
            let presented = digest(&token);
            let Some(stored) = token_store::find_refresh(conn, &presented)? else {
                return Ok(Rotation::Refused(None));
            };
            if stored.revoked_at.is_some() || stored.expires_at <= now {
                return Ok(Rotation::Refused(None));
            }
            let next = successor(state.settings.jwt_secret.expose().as_bytes(), &token);
            if stored.rotated_at.is_none() && token_store::mark_rotated(conn, stored.id, now)? {
                return match accounts::find_user(conn, stored.user_id)? {
                    Some(user) if user.active => Ok(Rotation::Issued(issue(
                        conn,
                        state,
                        &user,
                        stored.family_id,
                        next,
                        now,
                    )?)),
                    _ => {
                        token_store::revoke_family(conn, stored.family_id, now)?;
                        Ok(Rotation::Refused(Some(stored.user_id)))
                    }
                };
            }
            // Rotated already, by an earlier call or a concurrent one that
            // has committed since (read again to know when).
            let rotated_at = match stored.rotated_at {
                Some(at) => Some(at),
                None => token_store::find_refresh(conn, &presented)?.and_then(|t| t.rotated_at),
            };
            let within_grace =
                rotated_at.is_some_and(|at| now - at <= state.settings.refresh_reuse_grace);
            if within_grace
                && let Some(live) = token_store::find_refresh(conn, &digest(&next))?
                && live.family_id == stored.family_id
                && live.revoked_at.is_none()
                && let Some(user) = accounts::find_user(conn, stored.user_id)?
                && user.active
            {
                return Ok(Rotation::Issued(pair(
                    state,
                    &user,
                    stored.family_id,
                    next,
                    live.expires_at - now,
                    now,
                )?));
            }
            token_store::revoke_family(conn, stored.family_id, now)?;
            publisher.publish_session(
                conn,
                SessionEvent::RefreshTokenReused {
                    user: stored.user_id,
                },
            )?;
            Ok(Rotation::Refused(Some(stored.user_id)))
        })
        .await?;
    match outcome {
        Rotation::Issued(tokens) => Ok(tokens),
        Rotation::Refused(closed) => {
            if let Some(user) = closed {
                state.standing.forget_user(user);
            }
            Err(invalid_refresh())
        }
    }
}

/// Ends the session the refresh token belongs to: its refresh tokens and
/// its access tokens (within seconds, see `auth::standing`). Unknown tokens
/// are ignored: logging out twice is not an error.
pub async fn logout(state: &AppState, token: String) -> ApiResult<()> {
    let publisher = Publisher::new(state, None);
    let now = publisher.now;
    let closed = state
        .transaction(move |conn| {
            let found = token_store::find_refresh(conn, &digest(&token))?;
            if let Some(stored) = &found {
                token_store::revoke_family(conn, stored.family_id, now)?;
                publisher.publish_session(
                    conn,
                    SessionEvent::LoggedOut {
                        user: stored.user_id,
                    },
                )?;
            }
            Ok(found.map(|stored| stored.user_id))
        })
        .await?;
    if let Some(user) = closed {
        state.standing.forget_user(user);
    }
    Ok(())
}
