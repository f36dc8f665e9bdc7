//! Login, refresh-token rotation with reuse detection, logout.

use chrono::{DateTime, TimeDelta, Utc};
use domain::account::{Email, User};
use domain::audit::AuditEntry;
use domain::ids::TokenFamilyId;
use openapi::accounts::TokenResponse;
use persistence::{DbConnection, accounts, audit, tokens as token_store};

use crate::auth::tokens::{digest, random_token};
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

    let now = state.clock.now();
    let state_for_tx = state.clone();
    state
        .transaction(move |conn| {
            let tokens = start_family(conn, &state_for_tx, &user, TokenFamilyId::new(), now)?;
            audit::record(
                conn,
                &AuditEntry::new(Some(user.id), "session.login", "user", user.id, now),
            )?;
            Ok(tokens)
        })
        .await
}

fn start_family(
    conn: &mut DbConnection,
    state: &AppState,
    user: &User,
    family: TokenFamilyId,
    now: DateTime<Utc>,
) -> ApiResult<TokenResponse> {
    let refresh_ttl = TimeDelta::days(state.settings.refresh_token_ttl_days);
    let refresh_token = random_token();
    token_store::insert_refresh(
        conn,
        family,
        user.id,
        &digest(&refresh_token),
        now + refresh_ttl,
        now,
    )?;
    let access_token = state
        .jwt
        .issue(user, family, now)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("signing access token: {e}")))?;
    Ok(TokenResponse {
        access_token,
        token_type: openapi::accounts::TokenType::Bearer,
        expires_in: state.jwt.ttl_seconds(),
        refresh_token,
        refresh_expires_in: refresh_ttl.num_seconds(),
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
/// family is revoked, ending the session everywhere.
pub async fn refresh(state: &AppState, token: String) -> ApiResult<TokenResponse> {
    let now = state.clock.now();
    let state_for_tx = state.clone();
    let outcome = state
        .transaction(move |conn| {
            let Some(stored) = token_store::find_refresh(conn, &digest(&token))? else {
                return Ok(Rotation::Refused(None));
            };
            if stored.revoked_at.is_some() || stored.expires_at <= now {
                return Ok(Rotation::Refused(None));
            }
            if stored.rotated_at.is_some() || !token_store::mark_rotated(conn, stored.id, now)? {
                token_store::revoke_family(conn, stored.family_id, now)?;
                audit::record(
                    conn,
                    &AuditEntry::new(
                        Some(stored.user_id),
                        "session.refresh_token_reused",
                        "user",
                        stored.user_id,
                        now,
                    )
                    .note(
                        Some("rotated refresh token presented again: session revoked".to_owned()),
                        true,
                    ),
                )?;
                return Ok(Rotation::Refused(Some(stored.user_id)));
            }
            match accounts::find_user(conn, stored.user_id)? {
                Some(user) if user.active => Ok(Rotation::Issued(start_family(
                    conn,
                    &state_for_tx,
                    &user,
                    stored.family_id,
                    now,
                )?)),
                _ => {
                    token_store::revoke_family(conn, stored.family_id, now)?;
                    Ok(Rotation::Refused(Some(stored.user_id)))
                }
            }
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
    let now = state.clock.now();
    let closed = state
        .transaction(move |conn| {
            let found = token_store::find_refresh(conn, &digest(&token))?;
            if let Some(stored) = &found {
                token_store::revoke_family(conn, stored.family_id, now)?;
                audit::record(
                    conn,
                    &AuditEntry::new(
                        Some(stored.user_id),
                        "session.logout",
                        "user",
                        stored.user_id,
                        now,
                    ),
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
