//! Organisations and users.
//!
//! An organisation's name, address and membership are in the capability
//! index: the functions that change them take a [`Tx`] and write the
//! supplier's index event themselves.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::account::{Affiliation, Email, Language, OrgRole, PlatformRole, User};
use domain::ids::{OrganisationId, TokenFamilyId, UserId};
use domain::organisation::{
    Address, CountryCode, LegalIdentity, Membership, Organisation, OrganisationKind, Siret, Website,
};

use crate::convert::{enum_value, from_micros, id, micros, opt_from_micros};
use crate::db::DbConnection;
use crate::error::{Result, corrupt};
use crate::schema::{organisations, refresh_tokens, supplier_profiles, users};
use crate::tx::Tx;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = organisations)]
struct OrganisationRow {
    id: String,
    kind: String,
    legal_name: String,
    siret: Option<String>,
    country: String,
    registration_number: Option<String>,
    street: String,
    postal_code: String,
    city: String,
    region: String,
    website: Option<String>,
    membership: String,
    created_at: i64,
    updated_at: i64,
}

const ORGS: &str = "organisations";

impl OrganisationRow {
    fn from_domain(org: &Organisation) -> Self {
        Self {
            id: org.id.to_string(),
            kind: org.kind.as_str().to_owned(),
            legal_name: org.legal_name.clone(),
            siret: org.identity.siret().map(|s| s.as_str().to_owned()),
            country: org.identity.country().to_owned(),
            registration_number: org.identity.registration_number().map(str::to_owned),
            street: org.address.street.clone(),
            postal_code: org.address.postal_code.clone(),
            city: org.address.city.clone(),
            region: org.region.clone(),
            website: org.website.as_ref().map(|w| w.as_str().to_owned()),
            membership: org.membership.as_str().to_owned(),
            created_at: micros(org.created_at),
            updated_at: micros(org.updated_at),
        }
    }

    fn into_domain(self) -> Result<Organisation> {
        let identity = match self.siret {
            Some(siret) => LegalIdentity::French {
                siret: Siret::parse(&siret).map_err(|e| corrupt(ORGS, e))?,
            },
            None => LegalIdentity::Foreign {
                country: CountryCode::parse(&self.country).map_err(|e| corrupt(ORGS, e))?,
                registration_number: self.registration_number.unwrap_or_default(),
            },
        };
        Ok(Organisation {
            id: id(ORGS, &self.id)?,
            kind: enum_value(ORGS, &self.kind, OrganisationKind::parse)?,
            legal_name: self.legal_name,
            identity,
            address: Address {
                street: self.street,
                postal_code: self.postal_code,
                city: self.city,
            },
            region: self.region,
            website: self
                .website
                .map(|w| Website::parse(&w))
                .transpose()
                .map_err(|e| corrupt(ORGS, e))?,
            membership: enum_value(ORGS, &self.membership, Membership::parse)?,
            created_at: from_micros(ORGS, self.created_at)?,
            updated_at: from_micros(ORGS, self.updated_at)?,
        })
    }
}

/// A new organisation has no profile yet, so nothing of it is listed: no
/// index event until its profile is written.
pub fn insert_organisation(conn: &mut DbConnection, org: &Organisation) -> Result<()> {
    diesel::insert_into(organisations::table)
        .values(OrganisationRow::from_domain(org))
        .execute(conn)?;
    Ok(())
}

pub fn find_organisation(
    conn: &mut DbConnection,
    org_id: OrganisationId,
) -> Result<Option<Organisation>> {
    organisations::table
        .find(org_id.to_string())
        .select(OrganisationRow::as_select())
        .first(conn)
        .optional()?
        .map(OrganisationRow::into_domain)
        .transpose()
}

pub fn find_organisations(
    conn: &mut DbConnection,
    ids: &[OrganisationId],
) -> Result<Vec<Organisation>> {
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    organisations::table
        .filter(organisations::id.eq_any(ids))
        .select(OrganisationRow::as_select())
        .load(conn)?
        .into_iter()
        .map(OrganisationRow::into_domain)
        .collect()
}

pub fn find_organisation_by_siret(
    conn: &mut DbConnection,
    siret: &Siret,
) -> Result<Option<Organisation>> {
    organisations::table
        .filter(organisations::siret.eq(siret.as_str()))
        .select(OrganisationRow::as_select())
        .first(conn)
        .optional()?
        .map(OrganisationRow::into_domain)
        .transpose()
}

/// A foreign organisation by its country and registration number.
pub fn find_organisation_by_registration(
    conn: &mut DbConnection,
    country: &CountryCode,
    registration_number: &str,
) -> Result<Option<Organisation>> {
    organisations::table
        .filter(organisations::siret.is_null())
        .filter(organisations::country.eq(country.as_str()))
        .filter(organisations::registration_number.eq(registration_number))
        .order(organisations::created_at.asc())
        .select(OrganisationRow::as_select())
        .first(conn)
        .optional()?
        .map(OrganisationRow::into_domain)
        .transpose()
}

/// Saves the name, address, region, website and membership of `org`; its
/// kind and legal identity never change.
pub fn update_organisation(tx: &mut Tx, org: &Organisation) -> Result<bool> {
    tx.supplier_changed(org.id)?;
    let updated = diesel::update(organisations::table.find(org.id.to_string()))
        .set((
            organisations::legal_name.eq(&org.legal_name),
            organisations::street.eq(&org.address.street),
            organisations::postal_code.eq(&org.address.postal_code),
            organisations::city.eq(&org.address.city),
            organisations::region.eq(&org.region),
            organisations::website.eq(org.website.as_ref().map(Website::as_str)),
            organisations::membership.eq(org.membership.as_str()),
            organisations::updated_at.eq(micros(org.updated_at)),
        ))
        .execute(&mut **tx)?;
    copy_membership(tx, org.id, org.membership)?;
    Ok(updated == 1)
}

pub fn siret_taken(conn: &mut DbConnection, siret: &Siret) -> Result<bool> {
    let count: i64 = organisations::table
        .filter(organisations::siret.eq(siret.as_str()))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

pub fn set_membership(
    tx: &mut Tx,
    org_id: OrganisationId,
    membership: Membership,
    now: DateTime<Utc>,
) -> Result<bool> {
    tx.supplier_changed(org_id)?;
    let updated = diesel::update(organisations::table.find(org_id.to_string()))
        .set((
            organisations::membership.eq(membership.as_str()),
            organisations::updated_at.eq(micros(now)),
        ))
        .execute(&mut **tx)?;
    copy_membership(tx, org_id, membership)?;
    Ok(updated == 1)
}

/// A supplier profile keeps a copy of its organisation's membership (see
/// `publications::published_suppliers`); written with the organisation's.
pub(crate) fn copy_membership(
    conn: &mut DbConnection,
    org_id: OrganisationId,
    membership: Membership,
) -> Result<()> {
    diesel::update(supplier_profiles::table.find(org_id.to_string()))
        .set(supplier_profiles::member.eq(membership == Membership::Member))
        .execute(conn)?;
    Ok(())
}

/// The membership of `org_id`.
pub(crate) fn membership(conn: &mut DbConnection, org_id: OrganisationId) -> Result<Membership> {
    let raw: String = organisations::table
        .find(org_id.to_string())
        .select(organisations::membership)
        .first(conn)?;
    enum_value(ORGS, &raw, Membership::parse)
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
struct UserRow {
    id: String,
    organisation_id: Option<String>,
    email: String,
    password_hash: String,
    full_name: String,
    platform_role: String,
    org_role: Option<String>,
    language: String,
    email_verified_at: Option<i64>,
    active: bool,
    notifications_opt_out: bool,
    created_at: i64,
    updated_at: i64,
}

const USERS: &str = "users";

impl UserRow {
    fn from_domain(user: &User, password_hash: &str) -> Self {
        Self {
            id: user.id.to_string(),
            organisation_id: user.organisation_id().map(|o| o.to_string()),
            email: user.email.as_str().to_owned(),
            password_hash: password_hash.to_owned(),
            full_name: user.full_name.clone(),
            platform_role: user.platform_role.as_str().to_owned(),
            org_role: user.org_role().map(|r| r.as_str().to_owned()),
            language: user.language.as_str().to_owned(),
            email_verified_at: user.email_verified_at.map(micros),
            active: user.active,
            notifications_opt_out: user.notifications_opt_out,
            created_at: micros(user.created_at),
            updated_at: micros(user.updated_at),
        }
    }

    fn into_domain(self) -> Result<(User, String)> {
        let affiliation = match (self.organisation_id, self.org_role) {
            (Some(org), Some(role)) => Affiliation::Organisation {
                id: id(USERS, &org)?,
                role: enum_value(USERS, &role, OrgRole::parse)?,
            },
            (None, None) => Affiliation::BackOffice,
            _ => {
                return Err(corrupt(
                    USERS,
                    "organisation and role must be both set or both empty",
                ));
            }
        };
        let user = User {
            id: id(USERS, &self.id)?,
            email: Email::from_stored(self.email),
            full_name: self.full_name,
            platform_role: enum_value(USERS, &self.platform_role, PlatformRole::parse)?,
            affiliation,
            language: enum_value(USERS, &self.language, Language::parse)?,
            email_verified_at: opt_from_micros(USERS, self.email_verified_at)?,
            active: self.active,
            notifications_opt_out: self.notifications_opt_out,
            created_at: from_micros(USERS, self.created_at)?,
            updated_at: from_micros(USERS, self.updated_at)?,
        };
        Ok((user, self.password_hash))
    }
}

pub fn insert_user(conn: &mut DbConnection, user: &User, password_hash: &str) -> Result<()> {
    diesel::insert_into(users::table)
        .values(UserRow::from_domain(user, password_hash))
        .execute(conn)?;
    Ok(())
}

pub fn email_taken(conn: &mut DbConnection, email: &Email) -> Result<bool> {
    let count: i64 = users::table
        .filter(users::email.eq(email.as_str()))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

/// The user and their password hash, for login.
pub fn find_user_by_email(
    conn: &mut DbConnection,
    email: &Email,
) -> Result<Option<(User, String)>> {
    users::table
        .filter(users::email.eq(email.as_str()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(UserRow::into_domain)
        .transpose()
}

pub fn find_user(conn: &mut DbConnection, user_id: UserId) -> Result<Option<User>> {
    Ok(users::table
        .find(user_id.to_string())
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(UserRow::into_domain)
        .transpose()?
        .map(|(user, _)| user))
}

/// Users ordered by email, after `after_email` (keyset pagination).
pub fn list_users(
    conn: &mut DbConnection,
    after: Option<(String, String)>,
    limit: i64,
) -> Result<Vec<User>> {
    let mut query = users::table
        .select(UserRow::as_select())
        .order((users::email.asc(), users::id.asc()))
        .limit(limit)
        .into_boxed();
    // Emails are unique; the id keeps the order total all the same.
    if let Some((email, id)) = after {
        query = query.filter(
            users::email
                .gt(email.clone())
                .or(users::email.eq(email).and(users::id.gt(id))),
        );
    }
    query
        .load(conn)?
        .into_iter()
        .map(|row| row.into_domain().map(|(user, _)| user))
        .collect()
}

pub fn users_of_organisation(conn: &mut DbConnection, org_id: OrganisationId) -> Result<Vec<User>> {
    users_page_of_organisation(conn, org_id, None, i64::MAX)
}

/// An organisation's users, oldest account first, after the keyset
/// `after` (a page at a time).
pub fn users_page_of_organisation(
    conn: &mut DbConnection,
    org_id: OrganisationId,
    after: Option<crate::Cursor>,
    limit: i64,
) -> Result<Vec<User>> {
    let mut query = users::table
        .filter(users::organisation_id.eq(org_id.to_string()))
        .order((users::created_at.asc(), users::id.asc()))
        .select(UserRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = after {
        let at = micros(at);
        query = query.filter(
            users::created_at
                .gt(at)
                .or(users::created_at.eq(at).and(users::id.gt(id))),
        );
    }
    query
        .load(conn)?
        .into_iter()
        .map(|row| row.into_domain().map(|(user, _)| user))
        .collect()
}

/// Every active back-office user with the given role (to notify experts).
pub fn users_with_role(conn: &mut DbConnection, role: PlatformRole) -> Result<Vec<User>> {
    users::table
        .filter(users::platform_role.eq(role.as_str()))
        .filter(users::active.eq(true))
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|row| row.into_domain().map(|(user, _)| user))
        .collect()
}

pub fn set_user_active(
    conn: &mut DbConnection,
    user_id: UserId,
    active: bool,
    now: DateTime<Utc>,
) -> Result<bool> {
    let updated = diesel::update(users::table.find(user_id.to_string()))
        .set((users::active.eq(active), users::updated_at.eq(micros(now))))
        .execute(conn)?;
    Ok(updated == 1)
}

pub fn set_password_hash(
    conn: &mut DbConnection,
    user_id: UserId,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    diesel::update(users::table.find(user_id.to_string()))
        .set((
            users::password_hash.eq(hash),
            users::updated_at.eq(micros(now)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn mark_email_verified(
    conn: &mut DbConnection,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<()> {
    diesel::update(
        users::table
            .find(user_id.to_string())
            .filter(users::email_verified_at.is_null()),
    )
    .set((
        users::email_verified_at.eq(micros(now)),
        users::updated_at.eq(micros(now)),
    ))
    .execute(conn)?;
    Ok(())
}

pub fn set_preferences(
    conn: &mut DbConnection,
    user_id: UserId,
    language: Language,
    opt_out: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    diesel::update(users::table.find(user_id.to_string()))
        .set((
            users::language.eq(language.as_str()),
            users::notifications_opt_out.eq(opt_out),
            users::updated_at.eq(micros(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Where an account stands now, as an access token's bearer: read on
/// every authenticated request.
#[derive(Debug, Clone)]
pub struct Standing {
    pub user: User,
    /// Whether the token's session (refresh-token family) is still open:
    /// logout, password reset, deactivation and refresh-token reuse close it.
    pub session_open: bool,
    /// Whether the user's supplier organisation is suspended.
    pub organisation_suspended: bool,
}

/// The account and session an access token names, in one indexed read
/// (the user by primary key, its organisation's profile by primary key,
/// the session by `refresh_tokens_family`). `None` when the user is gone.
pub fn standing(
    conn: &mut DbConnection,
    user_id: UserId,
    session: TokenFamilyId,
) -> Result<Option<Standing>> {
    use diesel::dsl::exists;
    let open_session = exists(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(session.to_string()))
            .filter(refresh_tokens::user_id.eq(user_id.to_string()))
            .filter(refresh_tokens::revoked_at.is_null()),
    );
    let row: Option<(UserRow, Option<String>, bool)> = users::table
        .left_join(
            supplier_profiles::table.on(supplier_profiles::organisation_id
                .nullable()
                .eq(users::organisation_id)),
        )
        .filter(users::id.eq(user_id.to_string()))
        .select((
            UserRow::as_select(),
            supplier_profiles::status.nullable(),
            open_session,
        ))
        .first(conn)
        .optional()?;
    row.map(|(user, profile_status, session_open)| {
        Ok(Standing {
            user: user.into_domain()?.0,
            session_open,
            organisation_suspended: profile_status.as_deref()
                == Some(domain::profile::ProfileStatus::Suspended.as_str()),
        })
    })
    .transpose()
}
