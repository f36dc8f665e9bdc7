//! Sourcing requests and everything attached to them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::certification::parse_date;
use domain::ids::{MatchId, OrganisationId, QuestionId, QuoteId, SourcingRequestId};
use domain::sourcing::answers::{Invitation, InvitationStatus, Outcome, Question, Quote};
use domain::sourcing::listing::{RequestFilter, RequestSort, RequestSortKey, searchable_text};
use domain::sourcing::matching::{Match, MatchOrigin, MatchStatus};
use domain::sourcing::money::{Currency, Money};
use domain::sourcing::{RequestStatus, SourcingRequest};

use crate::Cursor;
use crate::convert::{enum_value, from_micros, id, micros, opt_from_micros};
use crate::db::DbConnection;
use crate::error::{Result, corrupt};
use crate::schema::{
    request_invitations, request_matches, request_questions, request_quotes, sourcing_requests,
};

const REQUESTS: &str = "sourcing_requests";

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = sourcing_requests, treat_none_as_null = true)]
struct RequestRow {
    id: String,
    buyer_organisation_id: String,
    created_by: String,
    status: String,
    title: String,
    content: String,
    response_deadline: i64,
    identity_revealed: bool,
    version: i64,
    submitted_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    search_text: String,
}

impl RequestRow {
    fn from_domain(r: &SourcingRequest) -> Result<Self> {
        Ok(Self {
            id: r.id.to_string(),
            buyer_organisation_id: r.buyer.to_string(),
            created_by: r.created_by.to_string(),
            status: r.status.as_str().to_owned(),
            title: r.content.title.clone(),
            content: serde_json::to_string(&r.content).map_err(|e| corrupt(REQUESTS, e))?,
            response_deadline: micros(r.content.response_deadline),
            identity_revealed: r.identity_revealed,
            version: r.version,
            submitted_at: r.submitted_at.map(micros),
            created_at: micros(r.created_at),
            updated_at: micros(r.updated_at),
            search_text: searchable_text(&r.content.title, &r.content.description),
        })
    }

    fn into_domain(self) -> Result<SourcingRequest> {
        Ok(SourcingRequest {
            id: id(REQUESTS, &self.id)?,
            buyer: id(REQUESTS, &self.buyer_organisation_id)?,
            created_by: id(REQUESTS, &self.created_by)?,
            status: enum_value(REQUESTS, &self.status, RequestStatus::parse)?,
            content: serde_json::from_str(&self.content).map_err(|e| corrupt(REQUESTS, e))?,
            identity_revealed: self.identity_revealed,
            version: self.version,
            submitted_at: opt_from_micros(REQUESTS, self.submitted_at)?,
            created_at: from_micros(REQUESTS, self.created_at)?,
            updated_at: from_micros(REQUESTS, self.updated_at)?,
        })
    }
}

/// Inserts `request` and its activity summary.
pub fn insert_request(conn: &mut DbConnection, request: &SourcingRequest) -> Result<()> {
    diesel::insert_into(sourcing_requests::table)
        .values(RequestRow::from_domain(request)?)
        .execute(conn)?;
    crate::activity::request_created(conn, request)
}

/// Saves `request` if the stored version is still `read_version`; false
/// when a concurrent change won (the caller reports a conflict).
pub fn update_request(
    conn: &mut DbConnection,
    request: &SourcingRequest,
    read_version: i64,
) -> Result<bool> {
    let updated = diesel::update(
        sourcing_requests::table
            .find(request.id.to_string())
            .filter(sourcing_requests::version.eq(read_version)),
    )
    .set(RequestRow::from_domain(request)?)
    .execute(conn)?;
    if updated == 1 {
        crate::activity::request_saved(conn, request)?;
    }
    Ok(updated == 1)
}

pub fn find_request(
    conn: &mut DbConnection,
    request: SourcingRequestId,
) -> Result<Option<SourcingRequest>> {
    sourcing_requests::table
        .find(request.to_string())
        .select(RequestRow::as_select())
        .first(conn)
        .optional()?
        .map(RequestRow::into_domain)
        .transpose()
}

/// The requests among `ids` that exist, in no particular order.
pub fn find_requests(
    conn: &mut DbConnection,
    ids: &[SourcingRequestId],
) -> Result<Vec<SourcingRequest>> {
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    sourcing_requests::table
        .filter(sourcing_requests::id.eq_any(ids))
        .select(RequestRow::as_select())
        .load(conn)?
        .into_iter()
        .map(RequestRow::into_domain)
        .collect()
}

/// Requests created in `[from, to)`, oldest first (the back office's
/// export).
pub fn requests_created_between(
    conn: &mut DbConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<SourcingRequest>> {
    sourcing_requests::table
        .filter(sourcing_requests::created_at.ge(micros(from)))
        .filter(sourcing_requests::created_at.lt(micros(to)))
        .order((
            sourcing_requests::created_at.asc(),
            sourcing_requests::id.asc(),
        ))
        .select(RequestRow::as_select())
        .load(conn)?
        .into_iter()
        .map(RequestRow::into_domain)
        .collect()
}

/// Whose requests a list holds.
#[derive(Debug, Clone, Copy)]
pub enum RequestScope {
    /// A buyer organisation's own requests.
    Buyer(OrganisationId),
    /// The requests a supplier organisation is invited to.
    InvitedSupplier(OrganisationId),
}

/// One page of the requests in `scope` that pass `filter`, in `sort`'s
/// order (ties by id, same direction), after the keyset `after` (the sort
/// key and id of the previous page's last request).
pub fn list_requests(
    conn: &mut DbConnection,
    scope: RequestScope,
    filter: &RequestFilter,
    sort: RequestSort,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<SourcingRequest>> {
    let mut query = sourcing_requests::table
        .select(RequestRow::as_select())
        .limit(limit)
        .into_boxed();
    query = match scope {
        RequestScope::Buyer(org) => {
            query.filter(sourcing_requests::buyer_organisation_id.eq(org.to_string()))
        }
        RequestScope::InvitedSupplier(org) => query.filter(
            sourcing_requests::id.eq_any(
                request_invitations::table
                    .filter(request_invitations::supplier_organisation_id.eq(org.to_string()))
                    .select(request_invitations::request_id),
            ),
        ),
    };
    if !filter.statuses.is_empty() {
        let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
        query = query.filter(sourcing_requests::status.eq_any(statuses));
    }
    if let Some(text) = &filter.text {
        query = query.filter(
            sourcing_requests::search_text
                .like(format!("%{}%", escape_like(text)))
                .escape('\\'),
        );
    }
    if let Some(from) = filter.created.from {
        query = query.filter(sourcing_requests::created_at.ge(micros(from)));
    }
    if let Some(to) = filter.created.to {
        query = query.filter(sourcing_requests::created_at.lt(micros(to)));
    }
    if let Some(from) = filter.deadline.from {
        query = query.filter(sourcing_requests::response_deadline.ge(micros(from)));
    }
    if let Some(to) = filter.deadline.to {
        query = query.filter(sourcing_requests::response_deadline.lt(micros(to)));
    }
    // One arm per column: each is its own type to diesel.
    macro_rules! keyset {
        ($column:expr) => {{
            let after = after.map(|(at, id)| (micros(at), id));
            if sort.descending {
                query = query.order(($column.desc(), sourcing_requests::id.desc()));
                if let Some((at, id)) = after {
                    query = query.filter(
                        $column
                            .lt(at)
                            .or($column.eq(at).and(sourcing_requests::id.lt(id))),
                    );
                }
            } else {
                query = query.order(($column.asc(), sourcing_requests::id.asc()));
                if let Some((at, id)) = after {
                    query = query.filter(
                        $column
                            .gt(at)
                            .or($column.eq(at).and(sourcing_requests::id.gt(id))),
                    );
                }
            }
        }};
    }
    match sort.key {
        RequestSortKey::Created => keyset!(sourcing_requests::created_at),
        RequestSortKey::Updated => keyset!(sourcing_requests::updated_at),
        RequestSortKey::Deadline => keyset!(sourcing_requests::response_deadline),
    }
    query
        .load(conn)?
        .into_iter()
        .map(RequestRow::into_domain)
        .collect()
}

/// `text` matched literally by LIKE: its wildcards and the escape
/// character itself are escaped.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Requests in `status`, longest waiting first (by submission time).
pub fn requests_in_status(
    conn: &mut DbConnection,
    status: RequestStatus,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<SourcingRequest>> {
    let mut query = sourcing_requests::table
        .filter(sourcing_requests::status.eq(status.as_str()))
        .order((
            sourcing_requests::submitted_at.asc(),
            sourcing_requests::id.asc(),
        ))
        .limit(limit)
        .select(RequestRow::as_select())
        .into_boxed();
    if let Some((at, last)) = after {
        let at = micros(at);
        query = query.filter(
            sourcing_requests::submitted_at
                .gt(at)
                .or(sourcing_requests::submitted_at
                    .eq(at)
                    .and(sourcing_requests::id.gt(last))),
        );
    }
    query
        .load(conn)?
        .into_iter()
        .map(RequestRow::into_domain)
        .collect()
}

/// Open requests whose deadline has passed.
pub fn open_past_deadline(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<SourcingRequestId>> {
    let ids: Vec<String> = sourcing_requests::table
        .filter(sourcing_requests::status.eq(RequestStatus::Open.as_str()))
        .filter(sourcing_requests::response_deadline.le(micros(now)))
        .order(sourcing_requests::response_deadline.asc())
        .limit(limit)
        .select(sourcing_requests::id)
        .load(conn)?;
    ids.iter().map(|raw| id(REQUESTS, raw)).collect()
}

/// Open requests whose deadline falls within (now, until].
pub fn open_with_deadline_before(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<SourcingRequest>> {
    sourcing_requests::table
        .filter(sourcing_requests::status.eq(RequestStatus::Open.as_str()))
        .filter(sourcing_requests::response_deadline.gt(micros(now)))
        .filter(sourcing_requests::response_deadline.le(micros(until)))
        .select(RequestRow::as_select())
        .load(conn)?
        .into_iter()
        .map(RequestRow::into_domain)
        .collect()
}

const MATCHES: &str = "request_matches";

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = request_matches, treat_none_as_null = true)]
struct MatchRow {
    id: String,
    request_id: String,
    supplier_organisation_id: String,
    origin: String,
    score: f64,
    explanation: String,
    override_reason: Option<String>,
    status: String,
    internal_note: Option<String>,
    note_for_buyer: Option<String>,
    proposed_by: String,
    decided_by: Option<String>,
    decided_at: Option<i64>,
    created_at: i64,
}

impl MatchRow {
    fn from_domain(m: &Match) -> Result<Self> {
        Ok(Self {
            id: m.id.to_string(),
            request_id: m.request.to_string(),
            supplier_organisation_id: m.supplier.to_string(),
            origin: m.origin.as_str().to_owned(),
            score: m.score,
            explanation: serde_json::to_string(&m.explanation).map_err(|e| corrupt(MATCHES, e))?,
            override_reason: m.override_reason.clone(),
            status: m.status.as_str().to_owned(),
            internal_note: m.internal_note.clone(),
            note_for_buyer: m.note_for_buyer.clone(),
            proposed_by: m.proposed_by.to_string(),
            decided_by: m.decided_by.map(|u| u.to_string()),
            decided_at: m.decided_at.map(micros),
            created_at: micros(m.created_at),
        })
    }

    fn into_domain(self) -> Result<Match> {
        Ok(Match {
            id: id(MATCHES, &self.id)?,
            request: id(MATCHES, &self.request_id)?,
            supplier: id(MATCHES, &self.supplier_organisation_id)?,
            origin: enum_value(MATCHES, &self.origin, MatchOrigin::parse)?,
            score: self.score,
            explanation: serde_json::from_str(&self.explanation)
                .map_err(|e| corrupt(MATCHES, e))?,
            override_reason: self.override_reason,
            status: enum_value(MATCHES, &self.status, MatchStatus::parse)?,
            internal_note: self.internal_note,
            note_for_buyer: self.note_for_buyer,
            proposed_by: id(MATCHES, &self.proposed_by)?,
            decided_by: self.decided_by.map(|u| id(MATCHES, &u)).transpose()?,
            decided_at: opt_from_micros(MATCHES, self.decided_at)?,
            created_at: from_micros(MATCHES, self.created_at)?,
        })
    }
}

pub fn insert_match(conn: &mut DbConnection, m: &Match) -> Result<()> {
    diesel::insert_into(request_matches::table)
        .values(MatchRow::from_domain(m)?)
        .execute(conn)?;
    Ok(())
}

pub fn update_match(conn: &mut DbConnection, m: &Match) -> Result<()> {
    diesel::update(request_matches::table.find(m.id.to_string()))
        .set(MatchRow::from_domain(m)?)
        .execute(conn)?;
    Ok(())
}

pub fn find_match(conn: &mut DbConnection, match_id: MatchId) -> Result<Option<Match>> {
    request_matches::table
        .find(match_id.to_string())
        .select(MatchRow::as_select())
        .first(conn)
        .optional()?
        .map(MatchRow::into_domain)
        .transpose()
}

pub fn matches_of(conn: &mut DbConnection, request: SourcingRequestId) -> Result<Vec<Match>> {
    matches_of_requests(conn, &[request])
}

/// The matches of every request among `requests`, each request's best
/// score first (one query for a page of requests).
pub fn matches_of_requests(
    conn: &mut DbConnection,
    requests: &[SourcingRequestId],
) -> Result<Vec<Match>> {
    let requests: Vec<String> = requests.iter().map(ToString::to_string).collect();
    request_matches::table
        .filter(request_matches::request_id.eq_any(requests))
        .order((request_matches::score.desc(), request_matches::id.asc()))
        .select(MatchRow::as_select())
        .load(conn)?
        .into_iter()
        .map(MatchRow::into_domain)
        .collect()
}

/// A page of a request's matches, best score first (ties by id), after the
/// keyset `after` (the previous page's last score and id).
pub fn matches_page_of(
    conn: &mut DbConnection,
    request: SourcingRequestId,
    after: Option<(f64, String)>,
    limit: i64,
) -> Result<Vec<Match>> {
    let mut query = request_matches::table
        .filter(request_matches::request_id.eq(request.to_string()))
        .order((request_matches::score.desc(), request_matches::id.asc()))
        .select(MatchRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some((score, id)) = after {
        query = query.filter(
            request_matches::score.lt(score).or(request_matches::score
                .eq(score)
                .and(request_matches::id.gt(id))),
        );
    }
    query
        .load(conn)?
        .into_iter()
        .map(MatchRow::into_domain)
        .collect()
}

/// Matches waiting for an expert's decision, oldest first, optionally of
/// one request.
pub fn proposed_matches(
    conn: &mut DbConnection,
    request: Option<SourcingRequestId>,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Match>> {
    let mut query = request_matches::table
        .filter(request_matches::status.eq(MatchStatus::Proposed.as_str()))
        .order((request_matches::created_at.asc(), request_matches::id.asc()))
        .limit(limit)
        .select(MatchRow::as_select())
        .into_boxed();
    if let Some(request) = request {
        query = query.filter(request_matches::request_id.eq(request.to_string()));
    }
    if let Some((at, last)) = after {
        let at = micros(at);
        query = query.filter(
            request_matches::created_at
                .gt(at)
                .or(request_matches::created_at
                    .eq(at)
                    .and(request_matches::id.gt(last))),
        );
    }
    query
        .load(conn)?
        .into_iter()
        .map(MatchRow::into_domain)
        .collect()
}

const INVITATIONS: &str = "request_invitations";

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = request_invitations, treat_none_as_null = true)]
struct InvitationRow {
    request_id: String,
    supplier_organisation_id: String,
    status: String,
    decline_reason: Option<String>,
    shortlisted: bool,
    outcome: Option<String>,
    invited_at: i64,
    responded_at: Option<i64>,
}

impl InvitationRow {
    fn from_domain(i: &Invitation) -> Self {
        Self {
            request_id: i.request.to_string(),
            supplier_organisation_id: i.supplier.to_string(),
            status: i.status.as_str().to_owned(),
            decline_reason: i.decline_reason.clone(),
            shortlisted: i.shortlisted,
            outcome: i.outcome.map(|o| o.as_str().to_owned()),
            invited_at: micros(i.invited_at),
            responded_at: i.responded_at.map(micros),
        }
    }

    fn into_domain(self) -> Result<Invitation> {
        Ok(Invitation {
            request: id(INVITATIONS, &self.request_id)?,
            supplier: id(INVITATIONS, &self.supplier_organisation_id)?,
            status: enum_value(INVITATIONS, &self.status, InvitationStatus::parse)?,
            decline_reason: self.decline_reason,
            shortlisted: self.shortlisted,
            outcome: self
                .outcome
                .map(|o| enum_value(INVITATIONS, &o, Outcome::parse))
                .transpose()?,
            invited_at: from_micros(INVITATIONS, self.invited_at)?,
            responded_at: opt_from_micros(INVITATIONS, self.responded_at)?,
        })
    }
}

/// Records `invitation`, and lets the supplier read the request's earlier
/// events in the change feed.
pub fn insert_invitation(conn: &mut DbConnection, invitation: &Invitation) -> Result<()> {
    diesel::insert_into(request_invitations::table)
        .values(InvitationRow::from_domain(invitation))
        .execute(conn)?;
    crate::activity::invitation_saved(conn, invitation.request)?;
    crate::events::add_invited_reader(conn, invitation.request, invitation.supplier)
}

pub fn update_invitation(conn: &mut DbConnection, invitation: &Invitation) -> Result<()> {
    diesel::update(request_invitations::table.find((
        invitation.request.to_string(),
        invitation.supplier.to_string(),
    )))
    .set(InvitationRow::from_domain(invitation))
    .execute(conn)?;
    crate::activity::invitation_saved(conn, invitation.request)
}

pub fn find_invitation(
    conn: &mut DbConnection,
    request: SourcingRequestId,
    supplier: OrganisationId,
) -> Result<Option<Invitation>> {
    request_invitations::table
        .find((request.to_string(), supplier.to_string()))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()?
        .map(InvitationRow::into_domain)
        .transpose()
}

pub fn invitations_of(
    conn: &mut DbConnection,
    request: SourcingRequestId,
) -> Result<Vec<Invitation>> {
    invitations_of_requests(conn, &[request])
}

/// The invitations of every request among `requests` (one query for a page
/// of requests).
pub fn invitations_of_requests(
    conn: &mut DbConnection,
    requests: &[SourcingRequestId],
) -> Result<Vec<Invitation>> {
    let requests: Vec<String> = requests.iter().map(ToString::to_string).collect();
    request_invitations::table
        .filter(request_invitations::request_id.eq_any(requests))
        .order(request_invitations::supplier_organisation_id.asc())
        .select(InvitationRow::as_select())
        .load(conn)?
        .into_iter()
        .map(InvitationRow::into_domain)
        .collect()
}

/// The request of each question `supplier` asked on the requests among
/// `requests`, once per question (their count is what the rules need; the
/// questions' text is not read).
pub fn questions_asked_by(
    conn: &mut DbConnection,
    supplier: OrganisationId,
    requests: &[SourcingRequestId],
) -> Result<Vec<SourcingRequestId>> {
    let requests: Vec<String> = requests.iter().map(ToString::to_string).collect();
    request_questions::table
        .filter(request_questions::supplier_organisation_id.eq(supplier.to_string()))
        .filter(request_questions::request_id.eq_any(requests))
        .select(request_questions::request_id)
        .load::<String>(conn)?
        .iter()
        .map(|raw| id(QUESTIONS, raw))
        .collect()
}

/// A supplier's invitations to the requests among `requests`.
pub fn invitations_of_supplier_to(
    conn: &mut DbConnection,
    supplier: OrganisationId,
    requests: &[SourcingRequestId],
) -> Result<Vec<Invitation>> {
    let requests: Vec<String> = requests.iter().map(ToString::to_string).collect();
    request_invitations::table
        .filter(request_invitations::supplier_organisation_id.eq(supplier.to_string()))
        .filter(request_invitations::request_id.eq_any(requests))
        .select(InvitationRow::as_select())
        .load(conn)?
        .into_iter()
        .map(InvitationRow::into_domain)
        .collect()
}

/// Every invitation of a supplier, oldest first (to withdraw them all).
pub fn all_invitations_of_supplier(
    conn: &mut DbConnection,
    supplier: OrganisationId,
) -> Result<Vec<Invitation>> {
    request_invitations::table
        .filter(request_invitations::supplier_organisation_id.eq(supplier.to_string()))
        .order((
            request_invitations::invited_at.asc(),
            request_invitations::request_id.asc(),
        ))
        .select(InvitationRow::as_select())
        .load(conn)?
        .into_iter()
        .map(InvitationRow::into_domain)
        .collect()
}

const QUOTES: &str = "request_quotes";

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = request_quotes)]
struct QuoteRow {
    id: String,
    request_id: String,
    supplier_organisation_id: String,
    revision: i32,
    amount_minor: i64,
    currency: String,
    lead_time_days: i32,
    valid_until: String,
    message: String,
    attachments: String,
    submitted_by: String,
    created_at: i64,
}

impl QuoteRow {
    fn into_domain(self) -> Result<Quote> {
        Ok(Quote {
            id: id(QUOTES, &self.id)?,
            request: id(QUOTES, &self.request_id)?,
            supplier: id(QUOTES, &self.supplier_organisation_id)?,
            revision: self.revision,
            price: Money {
                minor_units: self.amount_minor,
                currency: Currency::parse(&self.currency).map_err(|e| corrupt(QUOTES, e))?,
            },
            lead_time_days: self.lead_time_days,
            valid_until: parse_date(&self.valid_until).map_err(|e| corrupt(QUOTES, e))?,
            message: self.message,
            attachments: serde_json::from_str(&self.attachments).map_err(|e| corrupt(QUOTES, e))?,
            submitted_by: id(QUOTES, &self.submitted_by)?,
            created_at: from_micros(QUOTES, self.created_at)?,
        })
    }
}

/// Quote revisions are append-only: a revision is a new row.
pub fn insert_quote(conn: &mut DbConnection, quote: &Quote) -> Result<()> {
    diesel::insert_into(request_quotes::table)
        .values(QuoteRow {
            id: quote.id.to_string(),
            request_id: quote.request.to_string(),
            supplier_organisation_id: quote.supplier.to_string(),
            revision: quote.revision,
            amount_minor: quote.price.minor_units,
            currency: quote.price.currency.as_str().to_owned(),
            lead_time_days: quote.lead_time_days,
            valid_until: quote.valid_until.format("%Y-%m-%d").to_string(),
            message: quote.message.clone(),
            attachments: serde_json::to_string(&quote.attachments)
                .map_err(|e| corrupt(QUOTES, e))?,
            submitted_by: quote.submitted_by.to_string(),
            created_at: micros(quote.created_at),
        })
        .execute(conn)?;
    crate::activity::quoted(conn, quote)
}

pub fn find_quote(conn: &mut DbConnection, quote: QuoteId) -> Result<Option<Quote>> {
    request_quotes::table
        .find(quote.to_string())
        .select(QuoteRow::as_select())
        .first(conn)
        .optional()?
        .map(QuoteRow::into_domain)
        .transpose()
}

/// Every revision of every quote on a request (optionally one supplier's),
/// oldest first.
pub fn quotes_of(
    conn: &mut DbConnection,
    request: SourcingRequestId,
    supplier: Option<OrganisationId>,
) -> Result<Vec<Quote>> {
    let mut query = request_quotes::table
        .filter(request_quotes::request_id.eq(request.to_string()))
        .order((
            request_quotes::supplier_organisation_id.asc(),
            request_quotes::revision.asc(),
        ))
        .select(QuoteRow::as_select())
        .into_boxed();
    if let Some(supplier) = supplier {
        query = query.filter(request_quotes::supplier_organisation_id.eq(supplier.to_string()));
    }
    query
        .load(conn)?
        .into_iter()
        .map(QuoteRow::into_domain)
        .collect()
}

const QUESTIONS: &str = "request_questions";

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = request_questions, treat_none_as_null = true)]
struct QuestionRow {
    id: String,
    request_id: String,
    supplier_organisation_id: String,
    asked_by: String,
    question: String,
    answer: Option<String>,
    answered_by: Option<String>,
    answered_at: Option<i64>,
    created_at: i64,
}

impl QuestionRow {
    fn from_domain(q: &Question) -> Self {
        Self {
            id: q.id.to_string(),
            request_id: q.request.to_string(),
            supplier_organisation_id: q.asked_by_supplier.to_string(),
            asked_by: q.asked_by.to_string(),
            question: q.question.clone(),
            answer: q.answer.clone(),
            answered_by: q.answered_by.map(|u| u.to_string()),
            answered_at: q.answered_at.map(micros),
            created_at: micros(q.created_at),
        }
    }

    fn into_domain(self) -> Result<Question> {
        Ok(Question {
            id: id(QUESTIONS, &self.id)?,
            request: id(QUESTIONS, &self.request_id)?,
            asked_by_supplier: id(QUESTIONS, &self.supplier_organisation_id)?,
            asked_by: id(QUESTIONS, &self.asked_by)?,
            question: self.question,
            answer: self.answer,
            answered_by: self.answered_by.map(|u| id(QUESTIONS, &u)).transpose()?,
            answered_at: opt_from_micros(QUESTIONS, self.answered_at)?,
            created_at: from_micros(QUESTIONS, self.created_at)?,
        })
    }
}

pub fn insert_question(conn: &mut DbConnection, question: &Question) -> Result<()> {
    diesel::insert_into(request_questions::table)
        .values(QuestionRow::from_domain(question))
        .execute(conn)?;
    Ok(())
}

pub fn update_question(conn: &mut DbConnection, question: &Question) -> Result<()> {
    diesel::update(request_questions::table.find(question.id.to_string()))
        .set(QuestionRow::from_domain(question))
        .execute(conn)?;
    Ok(())
}

pub fn find_question(conn: &mut DbConnection, question: QuestionId) -> Result<Option<Question>> {
    request_questions::table
        .find(question.to_string())
        .select(QuestionRow::as_select())
        .first(conn)
        .optional()?
        .map(QuestionRow::into_domain)
        .transpose()
}

/// A page of a request's questions, oldest first, after the keyset
/// `after`; for a supplier (`visible_to`), only the answered ones and its
/// own.
pub fn questions_page_of(
    conn: &mut DbConnection,
    request: SourcingRequestId,
    visible_to: Option<OrganisationId>,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Question>> {
    let mut query = request_questions::table
        .filter(request_questions::request_id.eq(request.to_string()))
        .order((
            request_questions::created_at.asc(),
            request_questions::id.asc(),
        ))
        .select(QuestionRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some(supplier) = visible_to {
        query = query.filter(
            request_questions::answer
                .is_not_null()
                .or(request_questions::supplier_organisation_id.eq(supplier.to_string())),
        );
    }
    if let Some((at, id)) = after {
        let at = micros(at);
        query = query.filter(
            request_questions::created_at
                .gt(at)
                .or(request_questions::created_at
                    .eq(at)
                    .and(request_questions::id.gt(id))),
        );
    }
    query
        .load(conn)?
        .into_iter()
        .map(QuestionRow::into_domain)
        .collect()
}

/// A page of one supplier's quote revisions on a request, oldest first.
pub fn quotes_page_of(
    conn: &mut DbConnection,
    request: SourcingRequestId,
    supplier: OrganisationId,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Quote>> {
    let mut query = request_quotes::table
        .filter(request_quotes::request_id.eq(request.to_string()))
        .filter(request_quotes::supplier_organisation_id.eq(supplier.to_string()))
        .order((request_quotes::created_at.asc(), request_quotes::id.asc()))
        .select(QuoteRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = after {
        let at = micros(at);
        query = query.filter(
            request_quotes::created_at
                .gt(at)
                .or(request_quotes::created_at
                    .eq(at)
                    .and(request_quotes::id.gt(id))),
        );
    }
    query
        .load(conn)?
        .into_iter()
        .map(QuoteRow::into_domain)
        .collect()
}

/// A page of a request's invitations in the order they were sent (ties by
/// supplier id), optionally only those with `outcome`.
pub fn invitations_page_of(
    conn: &mut DbConnection,
    request: SourcingRequestId,
    outcome: Option<Outcome>,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Invitation>> {
    let mut query = request_invitations::table
        .filter(request_invitations::request_id.eq(request.to_string()))
        .order((
            request_invitations::invited_at.asc(),
            request_invitations::supplier_organisation_id.asc(),
        ))
        .select(InvitationRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some(outcome) = outcome {
        query = query.filter(request_invitations::outcome.eq(outcome.as_str()));
    }
    if let Some((at, supplier)) = after {
        let at = micros(at);
        query = query.filter(
            request_invitations::invited_at
                .gt(at)
                .or(request_invitations::invited_at
                    .eq(at)
                    .and(request_invitations::supplier_organisation_id.gt(supplier))),
        );
    }
    query
        .load(conn)?
        .into_iter()
        .map(InvitationRow::into_domain)
        .collect()
}
