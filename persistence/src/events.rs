//! The change feed's table. Events are appended by the publisher in the
//! transaction of their change and read by position (keyset).
//!
//! # Positions follow commit order
//!
//! A reader resumes "after position N", so an event must never become
//! visible with a position below one a reader already saw. On SQLite
//! writers are serialised, so positions are handed out in commit order. On
//! PostgreSQL a sequence value is taken at insert time, and two concurrent
//! transactions could commit in the other order; appending takes a
//! transaction-scoped advisory lock first, so event-writing transactions
//! take positions and commit one after the other (the lock is held from the
//! event's insert to the commit, a few milliseconds).

use diesel::prelude::*;
use diesel::sql_types::Text;
use domain::account::PlatformRole;
use domain::events::{
    Audience, Event, EventData, EventType, NewEvent, ObjectKind, Reader, RequestRef,
};
use domain::ids::{OrganisationId, SourcingRequestId};

use crate::convert::{enum_value, from_micros, id, micros};
use crate::db::DbConnection;
use crate::error::{Result, corrupt};
use crate::schema::{event_readers, events, request_invitations};

const TABLE: &str = "events";

/// The advisory lock key of event appends ("PMTEVNT" in ASCII).
const APPEND_LOCK: i64 = 0x0050_4D54_4556_4E54;

/// Appends `event` in the caller's transaction; returns its position.
pub fn append(conn: &mut DbConnection, event: &NewEvent) -> Result<i64> {
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(APPEND_LOCK)
            .execute(pg)?;
    }
    let data = serde_json::to_string(&event.data).map_err(|e| corrupt(TABLE, e))?;
    let position = diesel::insert_into(events::table)
        .values((
            events::id.eq(event.id.to_string()),
            events::event_type.eq(event.event_type.as_str()),
            events::object_kind.eq(event.object_kind.as_str()),
            events::object_id.eq(event.object_id.to_string()),
            events::request_id.eq(event.request.map(|r| r.id.to_string())),
            events::buyer_organisation_id.eq(event.request.map(|r| r.buyer.to_string())),
            events::audience.eq(event.audience.kind()),
            events::audience_organisation_id
                .eq(event.audience.organisation().map(|o| o.to_string())),
            events::actor_role.eq(event.actor_role.map(PlatformRole::as_str)),
            events::data.eq(data),
            events::created_at.eq(micros(event.occurred_at)),
        ))
        .returning(events::position)
        .get_result(conn)?;
    let invited = match (event.audience, event.request) {
        (Audience::RequestParties | Audience::RequestSupplier(_), Some(request)) => {
            request_invitations::table
                .filter(request_invitations::request_id.eq(request.id.to_string()))
                .select(request_invitations::supplier_organisation_id)
                .load::<String>(conn)?
                .iter()
                .map(|s| id(TABLE, s))
                .collect::<Result<Vec<OrganisationId>>>()?
        }
        _ => Vec::new(),
    };
    // One row per insert: the backends share no batch insert form here.
    for reader in event.audience.readers(event.request, &invited) {
        diesel::insert_into(event_readers::table)
            .values((
                event_readers::organisation_id.eq(reader.to_string()),
                event_readers::position.eq(position),
                event_readers::event_type.eq(event.event_type.as_str()),
            ))
            .execute(conn)?;
    }
    Ok(position)
}

/// Lets a newly invited supplier read the request's earlier events, as
/// [`Reader::sees`] does from the invitation on; in the invitation's
/// transaction.
pub fn add_invited_reader(
    conn: &mut DbConnection,
    request: SourcingRequestId,
    supplier: OrganisationId,
) -> Result<()> {
    let supplier = supplier.to_string();
    let seen = events::table
        .filter(events::request_id.eq(request.to_string()))
        .filter(
            events::audience.eq("request_parties").or(events::audience
                .eq("request_supplier")
                .and(events::audience_organisation_id.eq(supplier.clone()))),
        )
        .select((
            supplier.into_sql::<Text>(),
            events::position,
            events::event_type,
        ));
    diesel::insert_into(event_readers::table)
        .values(seen)
        .into_columns((
            event_readers::organisation_id,
            event_readers::position,
            event_readers::event_type,
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = events)]
struct Row {
    position: i64,
    id: String,
    event_type: String,
    object_kind: String,
    object_id: String,
    request_id: Option<String>,
    buyer_organisation_id: Option<String>,
    audience: String,
    audience_organisation_id: Option<String>,
    actor_role: Option<String>,
    data: String,
    created_at: i64,
}

impl Row {
    fn into_domain(self) -> Result<Event> {
        let request = match (self.request_id, self.buyer_organisation_id) {
            (Some(request), Some(buyer)) => Some(RequestRef {
                id: id(TABLE, &request)?,
                buyer: id(TABLE, &buyer)?,
            }),
            _ => None,
        };
        let audience_organisation: Option<OrganisationId> = self
            .audience_organisation_id
            .as_deref()
            .map(|o| id(TABLE, o))
            .transpose()?;
        let data: EventData = serde_json::from_str(&self.data).map_err(|e| corrupt(TABLE, e))?;
        Ok(Event {
            position: self.position,
            event: NewEvent {
                id: id(TABLE, &self.id)?,
                event_type: enum_value(TABLE, &self.event_type, EventType::parse)?,
                object_kind: enum_value(TABLE, &self.object_kind, ObjectKind::parse)?,
                object_id: id(TABLE, &self.object_id)?,
                request,
                audience: enum_value(TABLE, &self.audience, |a| {
                    Audience::parse(a, audience_organisation)
                })?,
                actor_role: self
                    .actor_role
                    .as_deref()
                    .map(|r| enum_value(TABLE, r, PlatformRole::parse))
                    .transpose()?,
                data,
                occurred_at: from_micros(TABLE, self.created_at)?,
            },
        })
    }
}

/// The events `reader` may see after `after`, oldest first: the SQL form of
/// [`Reader::sees`] (which the caller applies again to each row). An
/// organisation's page walks its own entries in `event_readers`, so it
/// reads about `limit` rows even when a few of a million events are its.
pub fn page(
    conn: &mut DbConnection,
    reader: Reader,
    after: i64,
    limit: i64,
    types: &[EventType],
) -> Result<Vec<Event>> {
    let types: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
    let rows: Vec<Row> = match reader {
        Reader::BackOffice => {
            let mut query = events::table
                .filter(events::position.gt(after))
                .order(events::position.asc())
                .limit(limit)
                .select(Row::as_select())
                .into_boxed();
            if !types.is_empty() {
                query = query.filter(events::event_type.eq_any(types));
            }
            query.load(conn)?
        }
        Reader::Buyer(org) | Reader::Supplier(org) => {
            // The page's positions first, from the reader's own rows: a
            // join ordered by position lets PostgreSQL walk every event
            // instead when it guesses the reader's rows are dense.
            let mut own = event_readers::table
                .filter(event_readers::organisation_id.eq(org.to_string()))
                .filter(event_readers::position.gt(after))
                .order(event_readers::position.asc())
                .limit(limit)
                .select(event_readers::position)
                .into_boxed();
            if !types.is_empty() {
                own = own.filter(event_readers::event_type.eq_any(types));
            }
            let positions: Vec<i64> = own.load(conn)?;
            if positions.is_empty() {
                return Ok(Vec::new());
            }
            events::table
                .filter(events::position.eq_any(positions))
                .order(events::position.asc())
                .select(Row::as_select())
                .load(conn)?
        }
    };
    rows.into_iter().map(Row::into_domain).collect()
}

/// The event at `position`.
pub fn at(conn: &mut DbConnection, position: i64) -> Result<Option<Event>> {
    events::table
        .find(position)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(Row::into_domain)
        .transpose()
}
