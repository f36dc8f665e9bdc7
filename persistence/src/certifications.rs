//! Certificates declared by suppliers. They are in the capability index
//! (rejected ones excepted): every write takes a [`Tx`] and writes the
//! supplier's index event.

use diesel::prelude::*;
use domain::certification::{
    Certification, CertificationDetails, CertificationTypeCode, VerificationStatus, parse_date,
};
use domain::ids::{CertificationId, OrganisationId};

use crate::convert::{enum_value, from_micros, id, micros, opt_from_micros};
use crate::db::DbConnection;
use crate::error::{Result, corrupt};
use crate::schema::supplier_certifications;
use crate::tx::Tx;

const TABLE: &str = "supplier_certifications";

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = supplier_certifications, treat_none_as_null = true)]
struct Row {
    id: String,
    organisation_id: String,
    type_code: String,
    scope: String,
    certifying_body: String,
    valid_from: String,
    valid_until: String,
    document_ref: Option<String>,
    status: String,
    review_note: Option<String>,
    reviewed_by: Option<String>,
    reviewed_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    version: i64,
}

impl Row {
    fn from_domain(c: &Certification) -> Self {
        Self {
            id: c.id.to_string(),
            organisation_id: c.organisation_id.to_string(),
            type_code: c.details.type_code.as_str().to_owned(),
            scope: c.details.scope.clone(),
            certifying_body: c.details.certifying_body.clone(),
            valid_from: c.details.valid_from.format("%Y-%m-%d").to_string(),
            valid_until: c.details.valid_until.format("%Y-%m-%d").to_string(),
            document_ref: c.details.document_ref.clone(),
            status: c.status.as_str().to_owned(),
            review_note: c.review_note.clone(),
            reviewed_by: c.reviewed_by.map(|u| u.to_string()),
            reviewed_at: c.reviewed_at.map(micros),
            created_at: micros(c.created_at),
            updated_at: micros(c.updated_at),
            version: c.version,
        }
    }

    fn into_domain(self) -> Result<Certification> {
        Ok(Certification {
            id: id(TABLE, &self.id)?,
            organisation_id: id(TABLE, &self.organisation_id)?,
            details: CertificationDetails {
                type_code: CertificationTypeCode::parse(&self.type_code)
                    .map_err(|e| corrupt(TABLE, e))?,
                scope: self.scope,
                certifying_body: self.certifying_body,
                valid_from: parse_date(&self.valid_from).map_err(|e| corrupt(TABLE, e))?,
                valid_until: parse_date(&self.valid_until).map_err(|e| corrupt(TABLE, e))?,
                document_ref: self.document_ref,
            },
            status: enum_value(TABLE, &self.status, VerificationStatus::parse)?,
            review_note: self.review_note,
            reviewed_by: self.reviewed_by.map(|u| id(TABLE, &u)).transpose()?,
            reviewed_at: opt_from_micros(TABLE, self.reviewed_at)?,
            version: self.version,
            created_at: from_micros(TABLE, self.created_at)?,
            updated_at: from_micros(TABLE, self.updated_at)?,
        })
    }
}

pub fn insert(tx: &mut Tx, certification: &Certification) -> Result<()> {
    tx.supplier_changed(certification.organisation_id)?;
    diesel::insert_into(supplier_certifications::table)
        .values(Row::from_domain(certification))
        .execute(&mut **tx)?;
    Ok(())
}

/// Saves `certification`, whose organisation never changes, if it is still
/// at `read_version` (false when someone saved it in between).
pub fn update(tx: &mut Tx, certification: &Certification, read_version: i64) -> Result<bool> {
    tx.supplier_changed(certification.organisation_id)?;
    Ok(diesel::update(
        supplier_certifications::table
            .find(certification.id.to_string())
            .filter(supplier_certifications::version.eq(read_version)),
    )
    .set(Row::from_domain(certification))
    .execute(&mut **tx)?
        == 1)
}

pub fn delete(tx: &mut Tx, certification: &Certification) -> Result<bool> {
    tx.supplier_changed(certification.organisation_id)?;
    Ok(
        diesel::delete(supplier_certifications::table.find(certification.id.to_string()))
            .execute(&mut **tx)?
            == 1,
    )
}

pub fn find(
    conn: &mut DbConnection,
    certification: CertificationId,
) -> Result<Option<Certification>> {
    supplier_certifications::table
        .find(certification.to_string())
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(Row::into_domain)
        .transpose()
}

pub fn of_organisation(
    conn: &mut DbConnection,
    organisation: OrganisationId,
) -> Result<Vec<Certification>> {
    supplier_certifications::table
        .filter(supplier_certifications::organisation_id.eq(organisation.to_string()))
        .order((
            supplier_certifications::type_code.asc(),
            supplier_certifications::valid_from.asc(),
        ))
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Row::into_domain)
        .collect()
}

/// Declared certificates waiting for an expert, oldest first, after the
/// keyset cursor `(updated_at, id)`.
pub fn awaiting_verification(
    conn: &mut DbConnection,
    after: Option<crate::Cursor>,
    limit: i64,
) -> Result<Vec<Certification>> {
    let mut query = supplier_certifications::table
        .filter(supplier_certifications::status.eq(VerificationStatus::Declared.as_str()))
        .order((
            supplier_certifications::updated_at.asc(),
            supplier_certifications::id.asc(),
        ))
        .limit(limit)
        .select(Row::as_select())
        .into_boxed();
    if let Some((at, last)) = after {
        let at = micros(at);
        query = query.filter(
            supplier_certifications::updated_at
                .gt(at)
                .or(supplier_certifications::updated_at
                    .eq(at)
                    .and(supplier_certifications::id.gt(last))),
        );
    }
    query
        .load(conn)?
        .into_iter()
        .map(Row::into_domain)
        .collect()
}

pub fn of_organisations(
    conn: &mut DbConnection,
    organisations: &[OrganisationId],
) -> Result<Vec<Certification>> {
    let ids: Vec<String> = organisations.iter().map(ToString::to_string).collect();
    supplier_certifications::table
        .filter(supplier_certifications::organisation_id.eq_any(ids))
        .order((
            supplier_certifications::type_code.asc(),
            supplier_certifications::valid_from.asc(),
        ))
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Row::into_domain)
        .collect()
}
