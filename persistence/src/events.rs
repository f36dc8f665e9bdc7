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
use domain::account::PlatformRole;
use domain::events::{
    Audience, Event, EventData, EventType, NewEvent, ObjectKind, Reader, RequestRef,
};
use domain::ids::OrganisationId;

use crate::convert::{enum_value, from_micros, id, micros};
use crate::db::DbConnection;
use crate::error::{Result, corrupt};
use crate::schema::{events, request_invitations};

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
    Ok(position)
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
/// [`Reader::sees`] (which the caller applies again to each row).
pub fn page(
    conn: &mut DbConnection,
    reader: Reader,
    after: i64,
    limit: i64,
    types: &[EventType],
) -> Result<Vec<Event>> {
    let mut query = events::table
        .filter(events::position.gt(after))
        .order(events::position.asc())
        .limit(limit)
        .select(Row::as_select())
        .into_boxed();
    if !types.is_empty() {
        query = query.filter(events::event_type.eq_any(types.iter().map(|t| t.as_str())));
    }
    // `Audience::kind` of each variant, as stored.
    let request_audiences = ["request_parties", "request_buyer", "request_supplier"];
    let organisation = "organisation";
    query = match reader {
        Reader::BackOffice => query,
        Reader::Buyer(org) => {
            let org = org.to_string();
            query.filter(
                events::audience
                    .eq_any(request_audiences)
                    .and(events::buyer_organisation_id.eq(org.clone()))
                    .or(events::audience
                        .eq(organisation)
                        .and(events::audience_organisation_id.eq(org))),
            )
        }
        Reader::Supplier(org) => {
            let org = org.to_string();
            let invited = request_invitations::table
                .filter(request_invitations::supplier_organisation_id.eq(org.clone()))
                .select(request_invitations::request_id.nullable());
            query.filter(
                events::audience
                    .eq("request_parties")
                    .and(events::request_id.eq_any(invited))
                    .or(events::audience
                        .eq_any(["request_supplier", organisation])
                        .and(events::audience_organisation_id.eq(org))),
            )
        }
    };
    query
        .load(conn)?
        .into_iter()
        .map(Row::into_domain)
        .collect()
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
