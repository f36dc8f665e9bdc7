//! Reminders sent by periodic jobs, so that each goes once per subject and
//! due date whichever server instance runs the job, and what they are about.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use domain::certification::parse_date;
use domain::ids::{CertificationId, OrganisationId};

use crate::convert::{id, micros};
use crate::db::DbConnection;
use crate::error::{Result, corrupt};
use crate::schema::{certification_types, organisations, reminders_sent, supplier_certifications};

/// The `kind` of the certificate expiry reminder.
pub const CERTIFICATION_EXPIRING: &str = "certification_expiring";

/// Records that the reminder `kind` about `subject_id`, due on `due_on`, is
/// being queued. `true` the first time, `false` when it already was (or a
/// concurrent job won the race): the caller queues its emails only on
/// `true`, in the same transaction, so the marker and the emails commit or
/// roll back together.
///
/// Portable insert-if-absent: a check, then an insert in a savepoint that
/// the primary key guards. A concurrent insert of the same key makes ours
/// fail with a unique violation, which only rolls back the savepoint (a
/// PostgreSQL transaction stays usable) and reads as "already sent".
pub fn record_once(
    conn: &mut DbConnection,
    kind: &str,
    subject_id: &str,
    due_on: NaiveDate,
    now: DateTime<Utc>,
) -> Result<bool> {
    let due_on = due_on.format("%Y-%m-%d").to_string();
    let key = (kind, subject_id, due_on.as_str());
    let seen: bool = diesel::select(exists(reminders_sent::table.find(key))).get_result(conn)?;
    if seen {
        return Ok(false);
    }
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(reminders_sent::table)
            .values((
                reminders_sent::kind.eq(kind),
                reminders_sent::subject_id.eq(subject_id),
                reminders_sent::due_on.eq(&due_on),
                reminders_sent::created_at.eq(micros(now)),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(true),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(other) => Err(other.into()),
    }
}

/// A certificate about to end, with what its reminder needs.
#[derive(Debug, Clone)]
pub struct ExpiringCertificate {
    pub id: CertificationId,
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub label_fr: String,
    pub label_en: String,
    /// The last valid day.
    pub valid_until: NaiveDate,
}

const TABLE: &str = "supplier_certifications";

/// Certificates not rejected whose last valid day is between `from` and
/// `to`, both included.
pub fn certificates_expiring_between(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ExpiringCertificate>> {
    // ISO dates compare as text.
    let (from, to) = (
        from.format("%Y-%m-%d").to_string(),
        to.format("%Y-%m-%d").to_string(),
    );
    let rows: Vec<(String, String, String, String, String, String)> =
        supplier_certifications::table
            .inner_join(organisations::table)
            .inner_join(
                certification_types::table
                    .on(certification_types::code.eq(supplier_certifications::type_code)),
            )
            .filter(supplier_certifications::status.ne("rejected"))
            .filter(supplier_certifications::valid_until.ge(from))
            .filter(supplier_certifications::valid_until.le(to))
            .order((
                supplier_certifications::valid_until.asc(),
                supplier_certifications::id.asc(),
            ))
            .select((
                supplier_certifications::id,
                supplier_certifications::organisation_id,
                organisations::legal_name,
                certification_types::fr,
                certification_types::en,
                supplier_certifications::valid_until,
            ))
            .load(conn)?;
    rows.into_iter()
        .map(
            |(cert, org, organisation_name, label_fr, label_en, valid_until)| {
                Ok(ExpiringCertificate {
                    id: id(TABLE, &cert)?,
                    organisation_id: id(TABLE, &org)?,
                    organisation_name,
                    label_fr,
                    label_en,
                    valid_until: parse_date(&valid_until).map_err(|e| corrupt(TABLE, e))?,
                })
            },
        )
        .collect()
}
