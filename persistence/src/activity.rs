//! What the activity report reads: the requests' steps from their audit
//! history, quotes and awards, profiles' reviews, verified certificates and
//! failed emails. Portable SQL (GROUP BY, MIN, COUNT, CASE) on both backends; the
//! rows read are bounded by the period (the requests with a step in it).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::dsl::{case_when, count, count_star, min};
use diesel::prelude::*;
use domain::activity::{ReportPeriod, RequestHistory};
use domain::ids::{OrganisationId, SourcingRequestId};
use domain::profile::Sector;
use domain::sourcing::RequestContent;
use domain::taxonomy::CapabilityCode;

use crate::convert::{from_micros, id, micros};
use crate::db::DbConnection;
use crate::error::{Result, corrupt};
use crate::schema::{
    audit_log, notifications, organisations, request_invitations, request_quotes, sourcing_requests,
};

const TABLE: &str = "audit_log";
const REQUEST: &str = domain::sourcing::events::SUBJECT;
const PROFILE: &str = domain::profile_events::SUBJECT;
const CERTIFICATE: &str = domain::certificate_events::SUBJECT;

diesel::alias!(audit_log as in_period: InPeriod);

/// What the report needs of a request's content, stored beside it
/// (`sourcing_requests.coding`) so that a report over a year does not read
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

/// The `coding` column of a request with this content.
pub(crate) fn coding(content: &RequestContent) -> Result<String> {
    serde_json::to_string(&CodingOf {
        sectors: &content.sectors,
        capabilities: &content.capabilities,
    })
    .map_err(|e| corrupt("sourcing_requests", e))
}

/// A request's first time in each state the report counts: submitted,
/// qualified, rejected, open, awarded, cancelled.
type FirstSteps = (
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// Every request with a step (a change of state) in the period, with the
/// first time it took each step, before the period too.
pub fn requests(conn: &mut DbConnection, period: &ReportPeriod) -> Result<Vec<RequestHistory>> {
    let (start, end) = (micros(period.start()), micros(period.end()));
    let stepped = || {
        in_period
            .filter(in_period.field(audit_log::subject_type).eq(REQUEST))
            .filter(in_period.field(audit_log::to_state).is_not_null())
            .filter(in_period.field(audit_log::created_at).ge(start))
            .filter(in_period.field(audit_log::created_at).lt(end))
            .select(in_period.field(audit_log::subject_id))
    };
    let rows: Vec<(String, String, String, String)> = sourcing_requests::table
        .inner_join(
            organisations::table.on(organisations::id.eq(sourcing_requests::buyer_organisation_id)),
        )
        .filter(sourcing_requests::id.eq_any(stepped()))
        .select((
            sourcing_requests::id,
            sourcing_requests::buyer_organisation_id,
            organisations::region,
            sourcing_requests::coding,
        ))
        .load(conn)?;
    // One row per request rather than one per step: a third of the rows.
    let first = |state: &'static str| {
        min(case_when(
            audit_log::to_state.eq(state),
            audit_log::created_at,
        ))
    };
    let steps: Vec<FirstSteps> = audit_log::table
        .filter(audit_log::subject_type.eq(REQUEST))
        .filter(audit_log::to_state.is_not_null())
        .filter(audit_log::subject_id.eq_any(stepped()))
        .group_by(audit_log::subject_id)
        .select((
            audit_log::subject_id,
            first("submitted"),
            first("qualified"),
            first("rejected"),
            first("open"),
            first("awarded"),
            first("cancelled"),
        ))
        .load(conn)?;
    let quotes: Vec<(String, Option<i64>, i64)> = request_quotes::table
        .filter(request_quotes::request_id.eq_any(stepped()))
        .group_by(request_quotes::request_id)
        .select((
            request_quotes::request_id,
            min(request_quotes::created_at),
            count(request_quotes::supplier_organisation_id).aggregate_distinct(),
        ))
        .load(conn)?;
    let awarded: Vec<(String, i64)> = request_invitations::table
        .filter(request_invitations::outcome.eq("awarded"))
        .filter(request_invitations::request_id.eq_any(stepped()))
        .group_by(request_invitations::request_id)
        .select((request_invitations::request_id, count_star()))
        .load(conn)?;

    let mut histories: HashMap<String, RequestHistory> = HashMap::with_capacity(rows.len());
    for (request, buyer, buyer_region, coding) in rows {
        let coded: Coding =
            serde_json::from_str(&coding).map_err(|e| corrupt("sourcing_requests", e))?;
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
        let history = RequestHistory {
            id: id::<SourcingRequestId>("sourcing_requests", &request)?,
            buyer: id::<OrganisationId>("sourcing_requests", &buyer)?,
            buyer_region,
            sectors,
            capability_families: families,
            submitted: None,
            qualified: None,
            rejected: None,
            opened: None,
            awarded: None,
            cancelled: None,
            first_quote: None,
            quoting_suppliers: 0,
            awarded_suppliers: 0,
        };
        histories.insert(request, history);
    }
    let at = |micros: Option<i64>| micros.map(|at| from_micros(TABLE, at)).transpose();
    for (request, submitted, qualified, rejected, opened, awarded, cancelled) in steps {
        let Some(history) = histories.get_mut(&request) else {
            continue;
        };
        history.submitted = at(submitted)?;
        history.qualified = at(qualified)?;
        history.rejected = at(rejected)?;
        history.opened = at(opened)?;
        history.awarded = at(awarded)?;
        history.cancelled = at(cancelled)?;
    }
    for (request, first, suppliers) in quotes {
        if let Some(history) = histories.get_mut(&request) {
            history.first_quote = first
                .map(|at| from_micros("request_quotes", at))
                .transpose()?;
            history.quoting_suppliers = suppliers.unsigned_abs();
        }
    }
    for (request, suppliers) in awarded {
        if let Some(history) = histories.get_mut(&request) {
            history.awarded_suppliers = suppliers.unsigned_abs();
        }
    }
    let mut histories: Vec<RequestHistory> = histories.into_values().collect();
    histories.sort_by_key(|h| (h.submitted, h.id.to_string()));
    Ok(histories)
}

/// When each buyer first submitted a request, ever.
pub fn first_submissions(
    conn: &mut DbConnection,
) -> Result<HashMap<OrganisationId, DateTime<Utc>>> {
    let rows: Vec<(String, Option<i64>)> = audit_log::table
        .inner_join(sourcing_requests::table.on(sourcing_requests::id.eq(audit_log::subject_id)))
        .filter(audit_log::subject_type.eq(REQUEST))
        .filter(audit_log::to_state.eq("submitted"))
        .group_by(sourcing_requests::buyer_organisation_id)
        .select((
            sourcing_requests::buyer_organisation_id,
            min(audit_log::created_at),
        ))
        .load(conn)?;
    rows.into_iter()
        .filter_map(|(buyer, at)| at.map(|at| (buyer, at)))
        .map(|(buyer, at)| Ok((id(TABLE, &buyer)?, from_micros(TABLE, at)?)))
        .collect()
}

/// Profiles published for the first time within the period (approved or
/// imported).
pub fn new_profiles(conn: &mut DbConnection, period: &ReportPeriod) -> Result<u64> {
    let firsts: Vec<(String, Option<i64>)> = audit_log::table
        .filter(audit_log::subject_type.eq(PROFILE))
        .filter(audit_log::to_state.eq("published"))
        .group_by(audit_log::subject_id)
        .select((audit_log::subject_id, min(audit_log::created_at)))
        .load(conn)?;
    let (start, end) = (micros(period.start()), micros(period.end()));
    Ok(firsts
        .into_iter()
        .filter(|(_, at)| at.is_some_and(|at| start <= at && at < end))
        .count() as u64)
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
    let decided = in_period
        .filter(in_period.field(audit_log::subject_type).eq(PROFILE))
        .filter(in_period.field(audit_log::from_state).eq("submitted"))
        .filter(in_period.field(audit_log::created_at).ge(start))
        .filter(in_period.field(audit_log::created_at).lt(end))
        .select(in_period.field(audit_log::subject_id));
    let rows: Vec<(String, Option<String>, Option<String>, i64)> = audit_log::table
        .filter(audit_log::subject_type.eq(PROFILE))
        .filter(audit_log::to_state.is_not_null())
        .filter(audit_log::subject_id.eq_any(decided))
        .filter(audit_log::created_at.lt(end))
        .order((audit_log::subject_id.asc(), audit_log::created_at.asc()))
        .select((
            audit_log::subject_id,
            audit_log::from_state,
            audit_log::to_state,
            audit_log::created_at,
        ))
        .load(conn)?;
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
