//! Supplier profiles; their content is stored as JSON documents. The
//! published content and the status decide what the capability index holds:
//! every write takes a [`Tx`] and writes the supplier's index event.

use diesel::prelude::*;
use domain::ids::OrganisationId;
use domain::profile::{ProfileContent, ProfileStatus, Review, SupplierProfile};

use crate::convert::{enum_value, from_micros, id, micros, opt_from_micros};
use crate::db::DbConnection;
use crate::error::{Result, corrupt};
use crate::schema::supplier_profiles;
use crate::tx::Tx;

const TABLE: &str = "supplier_profiles";

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = supplier_profiles, treat_none_as_null = true)]
struct Row {
    organisation_id: String,
    status: String,
    working: String,
    published: Option<String>,
    version: i64,
    submitted_at: Option<i64>,
    published_at: Option<i64>,
    reviewed_by: Option<String>,
    reviewed_at: Option<i64>,
    review_comment: Option<String>,
    created_at: i64,
    updated_at: i64,
}

fn json(content: &ProfileContent) -> Result<String> {
    serde_json::to_string(content).map_err(|e| corrupt(TABLE, e))
}

fn content(raw: &str) -> Result<ProfileContent> {
    serde_json::from_str(raw).map_err(|e| corrupt(TABLE, e))
}

impl Row {
    fn from_domain(profile: &SupplierProfile) -> Result<Self> {
        Ok(Self {
            organisation_id: profile.organisation_id.to_string(),
            status: profile.status.as_str().to_owned(),
            working: json(&profile.working)?,
            published: profile.published.as_ref().map(json).transpose()?,
            version: profile.version,
            submitted_at: profile.submitted_at.map(micros),
            published_at: profile.published_at.map(micros),
            reviewed_by: profile.last_review.as_ref().map(|r| r.by.to_string()),
            reviewed_at: profile.last_review.as_ref().map(|r| micros(r.at)),
            review_comment: profile.last_review.as_ref().and_then(|r| r.comment.clone()),
            created_at: micros(profile.created_at),
            updated_at: micros(profile.updated_at),
        })
    }

    fn into_domain(self) -> Result<SupplierProfile> {
        let last_review = match (self.reviewed_by, self.reviewed_at) {
            (Some(by), Some(at)) => Some(Review {
                by: id(TABLE, &by)?,
                at: from_micros(TABLE, at)?,
                comment: self.review_comment,
            }),
            _ => None,
        };
        Ok(SupplierProfile {
            organisation_id: id(TABLE, &self.organisation_id)?,
            status: enum_value(TABLE, &self.status, ProfileStatus::parse)?,
            working: content(&self.working)?,
            published: self.published.as_deref().map(content).transpose()?,
            version: self.version,
            submitted_at: opt_from_micros(TABLE, self.submitted_at)?,
            published_at: opt_from_micros(TABLE, self.published_at)?,
            last_review,
            created_at: from_micros(TABLE, self.created_at)?,
            updated_at: from_micros(TABLE, self.updated_at)?,
        })
    }
}

pub fn find(
    conn: &mut DbConnection,
    organisation: OrganisationId,
) -> Result<Option<SupplierProfile>> {
    supplier_profiles::table
        .find(organisation.to_string())
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(Row::into_domain)
        .transpose()
}

pub fn insert(tx: &mut Tx, profile: &SupplierProfile) -> Result<()> {
    tx.supplier_changed(profile.organisation_id)?;
    diesel::insert_into(supplier_profiles::table)
        .values(Row::from_domain(profile)?)
        .execute(&mut **tx)?;
    let membership = crate::accounts::membership(tx, profile.organisation_id)?;
    crate::accounts::copy_membership(tx, profile.organisation_id, membership)?;
    crate::publications::project(tx, profile.organisation_id, profile.public_content())
}

/// Saves `profile` if the stored version is still `read_version` (the one it
/// was loaded at). Returns false when someone else saved in between: the
/// caller reports a conflict instead of losing their update.
pub fn update(tx: &mut Tx, profile: &SupplierProfile, read_version: i64) -> Result<bool> {
    tx.supplier_changed(profile.organisation_id)?;
    let updated = diesel::update(
        supplier_profiles::table
            .find(profile.organisation_id.to_string())
            .filter(supplier_profiles::version.eq(read_version)),
    )
    .set(Row::from_domain(profile)?)
    .execute(&mut **tx)?;
    if updated == 1 {
        crate::publications::project(tx, profile.organisation_id, profile.public_content())?;
    }
    Ok(updated == 1)
}

/// Profiles in `status`, oldest submission first, after the keyset cursor
/// `(submitted_at, organisation_id)`.
pub fn queue(
    conn: &mut DbConnection,
    status: ProfileStatus,
    after: Option<crate::Cursor>,
    limit: i64,
) -> Result<Vec<SupplierProfile>> {
    let mut query = supplier_profiles::table
        .filter(supplier_profiles::status.eq(status.as_str()))
        .order((
            supplier_profiles::submitted_at.asc(),
            supplier_profiles::organisation_id.asc(),
        ))
        .limit(limit)
        .select(Row::as_select())
        .into_boxed();
    if let Some((at, org)) = after {
        let at = micros(at);
        query = query.filter(
            supplier_profiles::submitted_at
                .gt(at)
                .or(supplier_profiles::submitted_at
                    .eq(at)
                    .and(supplier_profiles::organisation_id.gt(org))),
        );
    }
    query
        .load(conn)?
        .into_iter()
        .map(Row::into_domain)
        .collect()
}

/// Every organisation with a profile (to rebuild the index).
pub fn all_organisation_ids(conn: &mut DbConnection) -> Result<Vec<OrganisationId>> {
    let ids: Vec<String> = supplier_profiles::table
        .select(supplier_profiles::organisation_id)
        .load(conn)?;
    ids.iter().map(|raw| id(TABLE, raw)).collect()
}

type PubliclyListed = diesel::dsl::And<
    diesel::dsl::IsNotNull<supplier_profiles::published>,
    diesel::dsl::NotEq<supplier_profiles::status, &'static str>,
>;

/// What the public may see, as SQL: a published snapshot, not suspended
/// (`SupplierProfile::public_content`, for many rows at once).
fn publicly_listed() -> PubliclyListed {
    supplier_profiles::published
        .is_not_null()
        .and(supplier_profiles::status.ne(ProfileStatus::Suspended.as_str()))
}

/// The organisations whose profile the public may see: a published
/// snapshot, not suspended (`SupplierProfile::public_content` decides again
/// on the loaded profile).
pub fn listed_organisation_ids(conn: &mut DbConnection) -> Result<Vec<OrganisationId>> {
    let ids: Vec<String> = supplier_profiles::table
        .filter(publicly_listed())
        .select(supplier_profiles::organisation_id)
        .load(conn)?;
    ids.iter().map(|raw| id(TABLE, raw)).collect()
}

/// A profile as the public sees it: its published content.
pub struct Listed {
    pub organisation_id: OrganisationId,
    pub content: ProfileContent,
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// The published, not suspended, profiles among `organisations`. Reads
/// neither the working copy nor the review: the directory, the candidates
/// and the index worker read many profiles at once and show only this.
pub fn listed_many(
    conn: &mut DbConnection,
    organisations: &[OrganisationId],
) -> Result<Vec<Listed>> {
    let ids: Vec<String> = organisations.iter().map(ToString::to_string).collect();
    let rows: Vec<(String, String, Option<i64>, i64)> = supplier_profiles::table
        .filter(supplier_profiles::organisation_id.eq_any(ids))
        .filter(publicly_listed())
        .select((
            supplier_profiles::organisation_id,
            supplier_profiles::published.assume_not_null(),
            supplier_profiles::published_at,
            supplier_profiles::updated_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(organisation_id, published, published_at, updated_at)| {
            Ok(Listed {
                organisation_id: id(TABLE, &organisation_id)?,
                content: content(&published)?,
                published_at: opt_from_micros(TABLE, published_at)?,
                updated_at: from_micros(TABLE, updated_at)?,
            })
        })
        .collect()
}
