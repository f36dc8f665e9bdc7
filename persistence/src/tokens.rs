//! Secrets handed to users (refresh tokens, emailed links, invitations).
//! Only their SHA-256 digests are stored: a database leak yields no usable
//! token.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::account::{Email, OrgRole, TokenPurpose};
use domain::ids::{
    InvitationId, OneTimeTokenId, OrganisationId, RefreshTokenId, TokenFamilyId, UserId,
};

use crate::convert::{enum_value, from_micros, id, micros, opt_from_micros};
use crate::db::DbConnection;
use crate::error::Result;
use crate::schema::{invitations, one_time_tokens, refresh_tokens};

pub fn insert_one_time(
    conn: &mut DbConnection,
    user_id: UserId,
    purpose: TokenPurpose,
    token_hash: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    diesel::insert_into(one_time_tokens::table)
        .values((
            one_time_tokens::id.eq(OneTimeTokenId::new().to_string()),
            one_time_tokens::user_id.eq(user_id.to_string()),
            one_time_tokens::purpose.eq(purpose.as_str()),
            one_time_tokens::token_hash.eq(token_hash),
            one_time_tokens::expires_at.eq(micros(expires_at)),
            one_time_tokens::created_at.eq(micros(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Consumes a one-time token: returns its user if it was unused and not
/// expired, and marks it used in the same statement so that two concurrent
/// uses cannot both succeed.
pub fn consume_one_time(
    conn: &mut DbConnection,
    purpose: TokenPurpose,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<UserId>> {
    let user: Option<String> = one_time_tokens::table
        .filter(one_time_tokens::token_hash.eq(token_hash))
        .filter(one_time_tokens::purpose.eq(purpose.as_str()))
        .filter(one_time_tokens::used_at.is_null())
        .filter(one_time_tokens::expires_at.gt(micros(now)))
        .select(one_time_tokens::user_id)
        .first(conn)
        .optional()?;
    let Some(user) = user else { return Ok(None) };
    let claimed = diesel::update(
        one_time_tokens::table
            .filter(one_time_tokens::token_hash.eq(token_hash))
            .filter(one_time_tokens::used_at.is_null()),
    )
    .set(one_time_tokens::used_at.eq(micros(now)))
    .execute(conn)?;
    if claimed == 1 {
        Ok(Some(id("one_time_tokens", &user)?))
    } else {
        Ok(None)
    }
}

/// Older unused tokens of the same purpose stop working once a new one is
/// issued: only the latest emailed link is valid.
pub fn invalidate_one_time(
    conn: &mut DbConnection,
    user_id: UserId,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> Result<()> {
    diesel::update(
        one_time_tokens::table
            .filter(one_time_tokens::user_id.eq(user_id.to_string()))
            .filter(one_time_tokens::purpose.eq(purpose.as_str()))
            .filter(one_time_tokens::used_at.is_null()),
    )
    .set(one_time_tokens::used_at.eq(micros(now)))
    .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct RefreshToken {
    pub id: RefreshTokenId,
    pub family_id: TokenFamilyId,
    pub user_id: UserId,
    pub expires_at: DateTime<Utc>,
    pub rotated_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

const REFRESH: &str = "refresh_tokens";

pub fn insert_refresh(
    conn: &mut DbConnection,
    family_id: TokenFamilyId,
    user_id: UserId,
    token_hash: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<RefreshTokenId> {
    let token_id = RefreshTokenId::new();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(token_id.to_string()),
            refresh_tokens::family_id.eq(family_id.to_string()),
            refresh_tokens::user_id.eq(user_id.to_string()),
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::expires_at.eq(micros(expires_at)),
            refresh_tokens::created_at.eq(micros(now)),
        ))
        .execute(conn)?;
    Ok(token_id)
}

pub fn find_refresh(conn: &mut DbConnection, token_hash: &str) -> Result<Option<RefreshToken>> {
    type Row = (String, String, String, i64, Option<i64>, Option<i64>);
    let row: Option<Row> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select((
            refresh_tokens::id,
            refresh_tokens::family_id,
            refresh_tokens::user_id,
            refresh_tokens::expires_at,
            refresh_tokens::rotated_at,
            refresh_tokens::revoked_at,
        ))
        .first(conn)
        .optional()?;
    row.map(|(token_id, family, user, expires, rotated, revoked)| {
        Ok(RefreshToken {
            id: id(REFRESH, &token_id)?,
            family_id: id(REFRESH, &family)?,
            user_id: id(REFRESH, &user)?,
            expires_at: from_micros(REFRESH, expires)?,
            rotated_at: opt_from_micros(REFRESH, rotated)?,
            revoked_at: opt_from_micros(REFRESH, revoked)?,
        })
    })
    .transpose()
}

/// Marks a live token rotated. Returns false when another request rotated or
/// revoked it first: the caller must treat that as reuse.
pub fn mark_rotated(
    conn: &mut DbConnection,
    token_id: RefreshTokenId,
    now: DateTime<Utc>,
) -> Result<bool> {
    let updated = diesel::update(
        refresh_tokens::table
            .find(token_id.to_string())
            .filter(refresh_tokens::rotated_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::rotated_at.eq(micros(now)))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn revoke_family(
    conn: &mut DbConnection,
    family_id: TokenFamilyId,
    now: DateTime<Utc>,
) -> Result<usize> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id.to_string()))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(micros(now)))
    .execute(conn)?)
}

/// Ends every session of a user (deactivation, password reset).
pub fn revoke_all_of_user(
    conn: &mut DbConnection,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<usize> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id.to_string()))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(micros(now)))
    .execute(conn)?)
}

#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: InvitationId,
    pub organisation_id: OrganisationId,
    pub email: Email,
    pub org_role: OrgRole,
    pub invited_by: UserId,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

const INVITATIONS: &str = "invitations";

pub fn insert_invitation(
    conn: &mut DbConnection,
    invitation: &Invitation,
    token_hash: &str,
) -> Result<()> {
    diesel::insert_into(invitations::table)
        .values((
            invitations::id.eq(invitation.id.to_string()),
            invitations::organisation_id.eq(invitation.organisation_id.to_string()),
            invitations::email.eq(invitation.email.as_str()),
            invitations::org_role.eq(invitation.org_role.as_str()),
            invitations::token_hash.eq(token_hash),
            invitations::invited_by.eq(invitation.invited_by.to_string()),
            invitations::expires_at.eq(micros(invitation.expires_at)),
            invitations::created_at.eq(micros(invitation.created_at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Takes a pending, unexpired invitation and marks it accepted atomically.
/// The invitation of this token while it can still be accepted.
pub fn find_pending_invitation(
    conn: &mut DbConnection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<Invitation>> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        i64,
        Option<i64>,
        i64,
    );
    let row: Option<Row> = invitations::table
        .filter(invitations::token_hash.eq(token_hash))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::expires_at.gt(micros(now)))
        .select((
            invitations::id,
            invitations::organisation_id,
            invitations::email,
            invitations::org_role,
            invitations::invited_by,
            invitations::expires_at,
            invitations::accepted_at,
            invitations::created_at,
        ))
        .first(conn)
        .optional()?;
    let Some((inv_id, org, email, role, by, expires, accepted, created)) = row else {
        return Ok(None);
    };
    Ok(Some(Invitation {
        id: id(INVITATIONS, &inv_id)?,
        organisation_id: id(INVITATIONS, &org)?,
        email: Email::from_stored(email),
        org_role: enum_value(INVITATIONS, &role, OrgRole::parse)?,
        invited_by: id(INVITATIONS, &by)?,
        expires_at: from_micros(INVITATIONS, expires)?,
        accepted_at: opt_from_micros(INVITATIONS, accepted)?,
        created_at: from_micros(INVITATIONS, created)?,
    }))
}

/// Claims the invitation of this token: it can be accepted once.
pub fn accept_invitation(
    conn: &mut DbConnection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<Invitation>> {
    let Some(invitation) = find_pending_invitation(conn, token_hash, now)? else {
        return Ok(None);
    };
    let claimed = diesel::update(
        invitations::table
            .find(invitation.id.to_string())
            .filter(invitations::accepted_at.is_null()),
    )
    .set(invitations::accepted_at.eq(micros(now)))
    .execute(conn)?;
    Ok((claimed == 1).then_some(invitation))
}

/// When `organisation` sent invitations since `since` (email quotas).
pub fn invitations_sent_since(
    conn: &mut DbConnection,
    organisation: OrganisationId,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>> {
    invitations::table
        .filter(invitations::organisation_id.eq(organisation.to_string()))
        .filter(invitations::created_at.gt(micros(since)))
        .select(invitations::created_at)
        .load::<i64>(conn)?
        .into_iter()
        .map(|t| from_micros(INVITATIONS, t))
        .collect()
}

/// When `email` was invited, by any organisation, since `since`.
pub fn invitations_received_since(
    conn: &mut DbConnection,
    email: &Email,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>> {
    invitations::table
        .filter(invitations::email.eq(email.as_str()))
        .filter(invitations::created_at.gt(micros(since)))
        .select(invitations::created_at)
        .load::<i64>(conn)?
        .into_iter()
        .map(|t| from_micros(INVITATIONS, t))
        .collect()
}
