//! What the activity report reads, and the summaries it reads kept as
//! things happen: one row per request (`request_activity`: its first time
//! in each state, first quote, quoting and awarded suppliers, coding), a
//! buyer's first submission, a profile's first publication. They are
//! written in the transaction of each change, from the few persistence
//! functions every change goes through (`audit::record`,
//! `sourcing::{insert_request, update_request, insert_quote,
//! insert_invitation, update_invitation}`), so that a report over a year
//! reads index ranges of small rows instead of the requests' whole
//! histories. Profiles' reviews, verified certificates and failed emails
//! are read from their own tables, bounded by the period.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, Utc};
use diesel::connection::DefaultLoadingMode;
use diesel::pg::PgRowByRowLoadingMode;
use diesel::prelude::*;
use domain::activity::{ReportPeriod, RequestHistory, RequestTally};
use domain::audit::AuditEntry;
use domain::ids::{OrganisationId, SourcingRequestId};
use domain::profile::{ProfileStatus, Sector};
use domain::sourcing::answers::{Outcome, Quote};
use domain::sourcing::{RequestContent, RequestStatus, SourcingRequest};
use domain::taxonomy::CapabilityCode;

use crate::convert::{from_micros, id, micros};
use crate::db::DbConnection;
use crate::error::{Result, corrupt};
use crate::schema::{
    audit_log, notifications, organisations, request_activity, request_invitations,
    supplier_profiles,
};

const TABLE: &str = "audit_log";
const SUMMARY: &str = "request_activity";
const ORGANISATIONS: &str = "organisations";
const REQUEST: &str = domain::sourcing::events::SUBJECT;
const PROFILE: &str = domain::profile_events::SUBJECT;
const CERTIFICATE: &str = domain::certificate_events::SUBJECT;

/// What the report needs of a request's content, kept in its summary
/// (`request_activity.coding`) so that a report over a year does not read
/// every request's whole content.
#[derive(serde::Deserialize)]
struct Coding {
    #[serde(default)]
    sectors: Vec<Sector>,
    #[serde(default)]
    capabilities: Vec<CapabilityCode>,
}

#[derive(serde::Serialize)]
struct CodingOf<'a> {
    sectors: &'a [Sector],
    capabilities: &'a [CapabilityCode],
}

/// The `coding` of a request with this content.
fn coding(content: &RequestContent) -> Result<String> {
    serde_json::to_string(&CodingOf {
        sectors: &content.sectors,
        capabilities: &content.capabilities,
    })
    .map_err(|e| corrupt("sourcing_requests", e))
}

/// The summary row of a new request: its buyer and coding, no step yet.
pub(crate) fn request_created(conn: &mut DbConnection, request: &SourcingRequest) -> Result<()> {
    diesel::insert_into(request_activity::table)
        .values((
            request_activity::request_id.eq(request.id.to_string()),
            request_activity::buyer_organisation_id.eq(request.buyer.to_string()),
            request_activity::coding.eq(coding(&request.content)?),
        ))
        .execute(conn)?;
    Ok(())
}

/// A saved request's coding (its content may have changed).
pub(crate) fn request_saved(conn: &mut DbConnection, request: &SourcingRequest) -> Result<()> {
    diesel::update(request_activity::table.find(request.id.to_string()))
        .set(request_activity::coding.eq(coding(&request.content)?))
        .execute(conn)?;
    Ok(())
}

/// Sets `$column` of `$request`'s summary to `$at` unless it already holds
/// an earlier time. The condition is evaluated under the row's lock, so
/// concurrent writers keep the earliest.
macro_rules! keep_earliest {
    ($conn:expr, $request:expr, $column:expr, $at:expr) => {
        diesel::update(
            request_activity::table
                .find($request)
                .filter($column.is_null().or($column.gt($at))),
        )
        .set($column.eq($at))
        .execute($conn)
    };
}

/// What an audit entry changes in the report's summaries: a request's
/// first time in a state it counts (and its buyer's first submission), a
/// profile's first publication. Called by `audit::record`, which every
/// step of a request or profile goes through, in the step's transaction.
pub(crate) fn recorded(conn: &mut DbConnection, entry: &AuditEntry) -> Result<()> {
    let Some(state) = entry.to_state.as_deref() else {
        return Ok(());
    };
    let at = micros(entry.at);
    match entry.subject_type {
        REQUEST => match RequestStatus::parse(state) {
            Some(status) => request_stepped(conn, &entry.subject_id, status, at),
            None => Ok(()),
        },
        PROFILE if ProfileStatus::parse(state) == Some(ProfileStatus::Published) => {
            diesel::update(
                supplier_profiles::table.find(&entry.subject_id).filter(
                    supplier_profiles::first_published_at
                        .is_null()
                        .or(supplier_profiles::first_published_at.gt(at)),
                ),
            )
            .set(supplier_profiles::first_published_at.eq(at))
            .execute(conn)?;
            Ok(())
        }
        _ => Ok(()),
    }
}

fn request_stepped(
    conn: &mut DbConnection,
    request: &str,
    status: RequestStatus,
    at: i64,
) -> Result<()> {
    use request_activity as a;
    match status {
        RequestStatus::Submitted => {
            keep_earliest!(conn, request, a::submitted_at, at)?;
            let buyer = a::table.find(request).select(a::buyer_organisation_id);
            diesel::update(
                organisations::table
                    .filter(organisations::id.eq_any(buyer))
                    .filter(
                        organisations::first_submitted_at
                            .is_null()
                            .or(organisations::first_submitted_at.gt(at)),
                    ),
            )
            .set(organisations::first_submitted_at.eq(at))
            .execute(conn)?;
        }
        RequestStatus::Qualified => keep_earliest!(conn, request, a::qualified_at, at).map(drop)?,
        RequestStatus::Rejected => keep_earliest!(conn, request, a::rejected_at, at).map(drop)?,
        RequestStatus::Open => keep_earliest!(conn, request, a::opened_at, at).map(drop)?,
        RequestStatus::Awarded => keep_earliest!(conn, request, a::awarded_at, at).map(drop)?,
        RequestStatus::Cancelled => keep_earliest!(conn, request, a::cancelled_at, at).map(drop)?,
        RequestStatus::Draft | RequestStatus::ChangesRequested | RequestStatus::Closed => {
            return Ok(());
        }
    }
    spans(conn, request, at)
}

/// Widens the span of `request`'s counted times to `at`.
fn spans(conn: &mut DbConnection, request: &str, at: i64) -> Result<()> {
    use request_activity as a;
    keep_earliest!(conn, request, a::first_at, at)?;
    diesel::update(
        a::table
            .find(request)
            .filter(a::last_at.is_null().or(a::last_at.lt(at))),
    )
    .set(a::last_at.eq(at))
    .execute(conn)?;
    Ok(())
}

/// A quote stored: the request's first quote, and one more quoting
/// supplier when it is the supplier's first answer (revisions of one
/// supplier are numbered one after the other under a lock).
pub(crate) fn quoted(conn: &mut DbConnection, quote: &Quote) -> Result<()> {
    use request_activity as a;
    let (request, at) = (quote.request.to_string(), micros(quote.created_at));
    if quote.revision == 1 {
        diesel::update(a::table.find(&request))
            .set(a::quoting_suppliers.eq(a::quoting_suppliers + 1))
            .execute(conn)?;
    }
    keep_earliest!(conn, &request, a::first_quote_at, at)?;
    spans(conn, &request, at)
}

/// An invitation saved: the request's awarded suppliers, counted again
/// (an award decides every invitation of the request in the transaction
/// that awards it, which the request's version serialises).
pub(crate) fn invitation_saved(conn: &mut DbConnection, request: SourcingRequestId) -> Result<()> {
    let request = request.to_string();
    let awarded: i64 = request_invitations::table
        .filter(request_invitations::request_id.eq(&request))
        .filter(request_invitations::outcome.eq(Outcome::Awarded.as_str()))
        .count()
        .get_result(conn)?;
    diesel::update(request_activity::table.find(&request))
        .set(request_activity::awarded_suppliers.eq(awarded))
        .execute(conn)?;
    Ok(())
}

/// Adds to `tally` the summaries of the requests whose counted times
/// (steps and first quote) span a range that meets the period: every
/// request with one of them in the period, and a few whose times fall
/// around it, which count for nothing (the tally counts what is within
/// only). Row by row, nothing kept: a year holds most requests.
pub fn requests(
    conn: &mut DbConnection,
    period: &ReportPeriod,
    tally: &mut RequestTally,
) -> Result<()> {
    use request_activity as a;
    let (start, end) = (micros(period.start()), micros(period.end()));
    // Few buyers: each one's region is read once, not joined to (and sent
    // with) each of its requests. A request counts from its submission on,
    // which is when its buyer's first submission is written: every buyer
    // here has one.
    let mut buyers: HashMap<String, Buyer> = buyers(
        organisations::table
            .filter(organisations::first_submitted_at.is_not_null())
            .select((organisations::id, organisations::region))
            .load(conn)?,
    )?;
    // Requests coded alike are many: each coding is parsed once.
    let mut codings: HashMap<String, Coded> = HashMap::new();
    // Rows of a buyer with no first submission on record (a history older
    // than that record), added once their regions are read.
    let mut unplaced = Vec::new();
    let mut add = |row: SummaryRow| match buyers.get(&row.buyer_organisation_id) {
        Some(buyer) => row.add_to(tally, buyer, &mut codings),
        None => {
            unplaced.push(row);
            Ok(())
        }
    };
    // The same query for either backend (each gets its own type).
    macro_rules! summaries {
        () => {
            a::table
                .filter(a::last_at.ge(start))
                .filter(a::first_at.lt(end))
                .select(SummaryRow::as_select())
        };
    }
    match conn {
        // Row by row, so that PostgreSQL sends rows while they are counted.
        DbConnection::Postgresql(pg) => {
            for row in summaries!().load_iter::<SummaryRow, PgRowByRowLoadingMode>(pg)? {
                add(row?)?;
            }
        }
        DbConnection::Sqlite(sqlite) => {
            for row in summaries!().load_iter::<SummaryRow, DefaultLoadingMode>(sqlite)? {
                add(row?)?;
            }
        }
    }
    if !unplaced.is_empty() {
        let ids: Vec<&str> = unplaced
            .iter()
            .map(|row| row.buyer_organisation_id.as_str())
            .collect();
        let found = organisations::table
            .filter(organisations::id.eq_any(ids))
            .select((organisations::id, organisations::region))
            .load(conn)?;
        buyers.extend(self::buyers(found)?);
        for row in unplaced {
            let buyer = buyers.get(&row.buyer_organisation_id).ok_or_else(|| {
                corrupt(SUMMARY, format!("no buyer {}", row.buyer_organisation_id))
            })?;
            row.add_to(tally, buyer, &mut codings)?;
        }
    }
    Ok(())
}

/// A buyer's id and region, by its id as stored.
struct Buyer {
    id: OrganisationId,
    region: String,
}

fn buyers(rows: Vec<(String, String)>) -> Result<HashMap<String, Buyer>> {
    rows.into_iter()
        .map(|(raw, region)| {
            let id = id(ORGANISATIONS, &raw)?;
            Ok((raw, Buyer { id, region }))
        })
        .collect()
}

/// A coding's sectors and capability families.
type Coded = (Vec<Sector>, Vec<String>);

/// A coding's sectors and capability families, each once and sorted.
fn decode(coding: &str) -> Result<Coded> {
    let coded: Coding = serde_json::from_str(coding).map_err(|e| corrupt(SUMMARY, e))?;
    let mut families: Vec<String> = coded
        .capabilities
        .iter()
        .map(|c| c.as_str().split('.').next().unwrap_or_default().to_owned())
        .collect();
    families.sort();
    families.dedup();
    let mut sectors = coded.sectors;
    sectors.sort();
    sectors.dedup();
    Ok((sectors, families))
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = request_activity)]
struct SummaryRow {
    buyer_organisation_id: String,
    coding: String,
    submitted_at: Option<i64>,
    qualified_at: Option<i64>,
    rejected_at: Option<i64>,
    opened_at: Option<i64>,
    awarded_at: Option<i64>,
    cancelled_at: Option<i64>,
    first_quote_at: Option<i64>,
    quoting_suppliers: i64,
    awarded_suppliers: i64,
}

impl SummaryRow {
    fn add_to(
        self,
        tally: &mut RequestTally,
        buyer: &Buyer,
        codings: &mut HashMap<String, Coded>,
    ) -> Result<()> {
        let (sectors, families) = match codings.entry(self.coding) {
            Entry::Occupied(coded) => coded.into_mut(),
            Entry::Vacant(new) => {
                let coded = decode(new.key())?;
                new.insert(coded)
            }
        };
        let at = |micros: Option<i64>| micros.map(|at| from_micros(SUMMARY, at)).transpose();
        tally.add(&RequestHistory {
            buyer: buyer.id,
            buyer_region: &buyer.region,
            sectors,
            capability_families: families,
            submitted: at(self.submitted_at)?,
            qualified: at(self.qualified_at)?,
            rejected: at(self.rejected_at)?,
            opened: at(self.opened_at)?,
            awarded: at(self.awarded_at)?,
            cancelled: at(self.cancelled_at)?,
            first_quote: at(self.first_quote_at)?,
            quoting_suppliers: self.quoting_suppliers.unsigned_abs(),
            awarded_suppliers: self.awarded_suppliers.unsigned_abs(),
        });
        Ok(())
    }
}

/// When each buyer that had submitted a request before the period ends
/// first did.
pub fn first_submissions(
    conn: &mut DbConnection,
    period: &ReportPeriod,
) -> Result<HashMap<OrganisationId, DateTime<Utc>>> {
    let rows: Vec<(String, Option<i64>)> = organisations::table
        .filter(organisations::first_submitted_at.lt(micros(period.end())))
        .select((organisations::id, organisations::first_submitted_at))
        .load(conn)?;
    rows.into_iter()
        .filter_map(|(buyer, at)| at.map(|at| (buyer, at)))
        .map(|(buyer, at)| Ok((id(ORGANISATIONS, &buyer)?, from_micros(ORGANISATIONS, at)?)))
        .collect()
}

/// Profiles published for the first time within the period (approved or
/// imported).
pub fn new_profiles(conn: &mut DbConnection, period: &ReportPeriod) -> Result<u64> {
    let n: i64 = supplier_profiles::table
        .filter(supplier_profiles::first_published_at.ge(micros(period.start())))
        .filter(supplier_profiles::first_published_at.lt(micros(period.end())))
        .count()
        .get_result(conn)?;
    Ok(n.unsigned_abs())
}
/// A profile's review step: when, and whether it was the expert's decision
/// (`true`) or a submission (`false`).
pub type ReviewStep = (DateTime<Utc>, bool);

/// The review steps of each profile decided within the period, in time
/// order: a submission or the expert's approval or request for changes of
/// a submitted profile.
pub fn review_steps(
    conn: &mut DbConnection,
    period: &ReportPeriod,
) -> Result<Vec<Vec<ReviewStep>>> {
    let (start, end) = (micros(period.start()), micros(period.end()));
    // In two reads: the few profiles decided (from an index), then their
    // steps; as one query, the planner guessed many and read every
    // profile's history.
    let decided: Vec<String> = audit_log::table
        .filter(audit_log::subject_type.eq(PROFILE))
        .filter(audit_log::from_state.eq("submitted"))
        .filter(audit_log::created_at.ge(start))
        .filter(audit_log::created_at.lt(end))
        .select(audit_log::subject_id)
        .distinct()
        .load(conn)?;
    let mut rows: Vec<(String, Option<String>, Option<String>, i64)> = Vec::new();
    // Bounded batches: SQLite takes at most 32 766 parameters.
    for profiles in decided.chunks(1000) {
        rows.extend(
            audit_log::table
                .filter(audit_log::subject_type.eq(PROFILE))
                .filter(audit_log::subject_id.eq_any(profiles))
                .filter(audit_log::to_state.is_not_null())
                .filter(audit_log::created_at.lt(end))
                .order((audit_log::subject_id.asc(), audit_log::created_at.asc()))
                .select((
                    audit_log::subject_id,
                    audit_log::from_state,
                    audit_log::to_state,
                    audit_log::created_at,
                ))
                .load::<(String, Option<String>, Option<String>, i64)>(conn)?,
        );
    }
    let mut profiles: Vec<Vec<ReviewStep>> = Vec::new();
    let mut current: Option<String> = None;
    for (profile, from, to, at) in rows {
        let step = match (from.as_deref(), to.as_deref()) {
            (_, Some("submitted")) => false,
            (Some("submitted"), Some("published" | "changes_requested")) => true,
            _ => continue,
        };
        if current.as_deref() != Some(profile.as_str()) {
            profiles.push(Vec::new());
            current = Some(profile);
        }
        if let Some(steps) = profiles.last_mut() {
            steps.push((from_micros(TABLE, at)?, step));
        }
    }
    Ok(profiles)
}

/// Certificates an expert verified within the period.
pub fn certificates_verified(conn: &mut DbConnection, period: &ReportPeriod) -> Result<u64> {
    let n: i64 = audit_log::table
        .filter(audit_log::subject_type.eq(CERTIFICATE))
        .filter(audit_log::action.eq("certification.verified"))
        .filter(audit_log::created_at.ge(micros(period.start())))
        .filter(audit_log::created_at.lt(micros(period.end())))
        .count()
        .get_result(conn)?;
    Ok(n.unsigned_abs())
}

/// Emails written within the period that failed for good.
pub fn emails_failed(conn: &mut DbConnection, period: &ReportPeriod) -> Result<u64> {
    let n: i64 = notifications::table
        .filter(notifications::status.eq("failed"))
        .filter(notifications::created_at.ge(micros(period.start())))
        .filter(notifications::created_at.lt(micros(period.end())))
        .count()
        .get_result(conn)?;
    Ok(n.unsigned_abs())
}
