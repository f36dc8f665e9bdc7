//! Registered endpoints and their delivery outbox.
//!
//! Deliveries are written by the publisher in the transaction of their
//! event (one row per endpoint that may read it) and claimed by the
//! delivery workers exactly like emails (see `notifications`): a
//! compare-and-set to `sending` with a lease, so several server instances
//! on one database send each delivery once, and a worker that dies leaves
//! its delivery to be claimed again when the lease ends (at least once).
//!
//! Per-object order: a delivery is not claimed while an earlier event about
//! the same object waits for the same endpoint.

use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use domain::events::{Event, EventType};
use domain::ids::{DeliveryId, OrganisationId, WebhookId};
use domain::organisation::OrganisationKind;
use domain::webhooks::{
    Delivery, DeliveryStatus, Webhook, WebhookOwner, WebhookStatus, WebhookUrl,
};

use crate::convert::{enum_value, from_micros, id, micros, opt_from_micros};
use crate::db::DbConnection;
use crate::error::{Result, corrupt};
use crate::schema::{events, webhook_deliveries, webhooks};

const TABLE: &str = "webhooks";
const DELIVERIES: &str = "webhook_deliveries";

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhooks)]
struct Row {
    id: String,
    organisation_id: Option<String>,
    organisation_kind: Option<String>,
    url: String,
    event_types: String,
    status: String,
    failing_since: Option<i64>,
    created_by: String,
    created_at: i64,
    updated_at: i64,
}

impl Row {
    fn into_domain(self) -> Result<Webhook> {
        let owner = match (self.organisation_id, self.organisation_kind) {
            (Some(org), Some(kind)) => WebhookOwner::Organisation {
                id: id(TABLE, &org)?,
                kind: enum_value(TABLE, &kind, OrganisationKind::parse)?,
            },
            (None, None) => WebhookOwner::Cluster,
            _ => return Err(corrupt(TABLE, "organisation without its kind")),
        };
        let names: Vec<String> =
            serde_json::from_str(&self.event_types).map_err(|e| corrupt(TABLE, e))?;
        let event_types = names
            .iter()
            .map(|n| enum_value(TABLE, n, EventType::parse))
            .collect::<Result<_>>()?;
        Ok(Webhook {
            id: id(TABLE, &self.id)?,
            owner,
            url: enum_value(TABLE, &self.url, WebhookUrl::stored)?,
            event_types,
            status: enum_value(TABLE, &self.status, WebhookStatus::parse)?,
            failing_since: opt_from_micros(TABLE, self.failing_since)?,
            created_by: id(TABLE, &self.created_by)?,
            created_at: from_micros(TABLE, self.created_at)?,
            updated_at: from_micros(TABLE, self.updated_at)?,
        })
    }
}

fn type_names(types: &[EventType]) -> String {
    let names: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
    serde_json::Value::from(names).to_string()
}

pub fn insert(conn: &mut DbConnection, hook: &Webhook, secret: &str) -> Result<()> {
    let (organisation, kind) = match hook.owner {
        WebhookOwner::Organisation { id, kind } => (Some(id.to_string()), Some(kind.as_str())),
        WebhookOwner::Cluster => (None, None),
    };
    diesel::insert_into(webhooks::table)
        .values((
            webhooks::id.eq(hook.id.to_string()),
            webhooks::organisation_id.eq(organisation),
            webhooks::organisation_kind.eq(kind),
            webhooks::url.eq(hook.url.as_str()),
            webhooks::event_types.eq(type_names(&hook.event_types)),
            webhooks::secret.eq(secret),
            webhooks::status.eq(hook.status.as_str()),
            webhooks::failing_since.eq(hook.failing_since.map(micros)),
            webhooks::created_by.eq(hook.created_by.to_string()),
            webhooks::created_at.eq(micros(hook.created_at)),
            webhooks::updated_at.eq(micros(hook.updated_at)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, hook: WebhookId) -> Result<Option<Webhook>> {
    webhooks::table
        .find(hook.to_string())
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(Row::into_domain)
        .transpose()
}

/// An organisation's endpoints, or the cluster's (`None`), oldest first.
pub fn of_owner(
    conn: &mut DbConnection,
    organisation: Option<OrganisationId>,
) -> Result<Vec<Webhook>> {
    let query = webhooks::table
        .order((webhooks::created_at.asc(), webhooks::id.asc()))
        .select(Row::as_select());
    let rows: Vec<Row> = match organisation {
        Some(org) => query
            .filter(webhooks::organisation_id.eq(org.to_string()))
            .load(conn)?,
        None => query
            .filter(webhooks::organisation_id.is_null())
            .load(conn)?,
    };
    rows.into_iter().map(Row::into_domain).collect()
}

/// Every endpoint, oldest first (admins).
pub fn all(conn: &mut DbConnection) -> Result<Vec<Webhook>> {
    webhooks::table
        .order((webhooks::created_at.asc(), webhooks::id.asc()))
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Row::into_domain)
        .collect()
}

/// The endpoints new events are queued for (active or paused).
pub fn receivers(conn: &mut DbConnection) -> Result<Vec<Webhook>> {
    webhooks::table
        .filter(webhooks::status.ne(WebhookStatus::Disabled.as_str()))
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Row::into_domain)
        .collect()
}

/// The signing secret, read by the delivery worker only.
pub fn secret(conn: &mut DbConnection, hook: WebhookId) -> Result<Option<String>> {
    Ok(webhooks::table
        .find(hook.to_string())
        .select(webhooks::secret)
        .first(conn)
        .optional()?)
}

pub fn set_secret(
    conn: &mut DbConnection,
    hook: WebhookId,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    diesel::update(webhooks::table.find(hook.to_string()))
        .set((
            webhooks::secret.eq(secret),
            webhooks::updated_at.eq(micros(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sets the status; back to active forgets the failures (a fresh window).
pub fn set_status(
    conn: &mut DbConnection,
    hook: WebhookId,
    status: WebhookStatus,
    now: DateTime<Utc>,
) -> Result<()> {
    let target = webhooks::table.find(hook.to_string());
    if status == WebhookStatus::Active {
        diesel::update(target)
            .set((
                webhooks::status.eq(status.as_str()),
                webhooks::failing_since.eq(None::<i64>),
                webhooks::updated_at.eq(micros(now)),
            ))
            .execute(conn)?;
    } else {
        diesel::update(target)
            .set((
                webhooks::status.eq(status.as_str()),
                webhooks::updated_at.eq(micros(now)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Deletes an endpoint and its delivery log.
pub fn delete(conn: &mut DbConnection, hook: WebhookId) -> Result<()> {
    diesel::delete(
        webhook_deliveries::table.filter(webhook_deliveries::webhook_id.eq(hook.to_string())),
    )
    .execute(conn)?;
    diesel::delete(webhooks::table.find(hook.to_string())).execute(conn)?;
    Ok(())
}

/// Queues `event` for `hook`, due at once.
pub fn enqueue(
    conn: &mut DbConnection,
    hook: WebhookId,
    event: &Event,
    now: DateTime<Utc>,
) -> Result<DeliveryId> {
    let delivery = DeliveryId::new();
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::id.eq(delivery.to_string()),
            webhook_deliveries::webhook_id.eq(hook.to_string()),
            webhook_deliveries::event_position.eq(event.position),
            webhook_deliveries::object_id.eq(event.event.object_id.to_string()),
            webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::next_attempt_at.eq(micros(now)),
            webhook_deliveries::created_at.eq(micros(now)),
        ))
        .execute(conn)?;
    Ok(delivery)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
struct DeliveryRow {
    id: String,
    webhook_id: String,
    event_position: i64,
    status: String,
    attempts: i32,
    next_attempt_at: i64,
    last_status_code: Option<i32>,
    last_latency_ms: Option<i64>,
    last_response: Option<String>,
    last_error: Option<String>,
    created_at: i64,
    delivered_at: Option<i64>,
}

impl DeliveryRow {
    fn into_domain(self, event_id: &str, event_type: &str) -> Result<Delivery> {
        let status = enum_value(DELIVERIES, &self.status, DeliveryStatus::parse)?;
        Ok(Delivery {
            id: id(DELIVERIES, &self.id)?,
            webhook: id(DELIVERIES, &self.webhook_id)?,
            event: id(DELIVERIES, event_id)?,
            event_type: enum_value(DELIVERIES, event_type, EventType::parse)?,
            status,
            attempts: self.attempts,
            last_status_code: self.last_status_code,
            last_latency_ms: self.last_latency_ms,
            last_response: self.last_response,
            last_error: self.last_error,
            next_attempt_at: (status == DeliveryStatus::Pending)
                .then(|| from_micros(DELIVERIES, self.next_attempt_at))
                .transpose()?,
            created_at: from_micros(DELIVERIES, self.created_at)?,
            delivered_at: opt_from_micros(DELIVERIES, self.delivered_at)?,
        })
    }
}

/// An endpoint's latest deliveries, newest first.
pub fn log(
    conn: &mut DbConnection,
    hook: WebhookId,
    before: Option<crate::Cursor>,
    limit: i64,
) -> Result<Vec<Delivery>> {
    let mut query = webhook_deliveries::table
        .inner_join(events::table)
        .filter(webhook_deliveries::webhook_id.eq(hook.to_string()))
        .order((
            webhook_deliveries::created_at.desc(),
            webhook_deliveries::id.desc(),
        ))
        .limit(limit)
        .select((DeliveryRow::as_select(), events::id, events::event_type))
        .into_boxed();
    if let Some((at, id)) = before {
        let at = micros(at);
        query = query.filter(
            webhook_deliveries::created_at
                .lt(at)
                .or(webhook_deliveries::created_at
                    .eq(at)
                    .and(webhook_deliveries::id.lt(id))),
        );
    }
    let rows: Vec<(DeliveryRow, String, String)> = query.load(conn)?;
    rows.into_iter()
        .map(|(row, event_id, event_type)| row.into_domain(&event_id, &event_type))
        .collect()
}

/// One delivery of `hook`, `None` when it is another endpoint's.
pub fn find_delivery(
    conn: &mut DbConnection,
    hook: WebhookId,
    delivery: DeliveryId,
) -> Result<Option<(Delivery, i64)>> {
    let row: Option<(DeliveryRow, String, String)> = webhook_deliveries::table
        .inner_join(events::table)
        .filter(webhook_deliveries::id.eq(delivery.to_string()))
        .filter(webhook_deliveries::webhook_id.eq(hook.to_string()))
        .select((DeliveryRow::as_select(), events::id, events::event_type))
        .first(conn)
        .optional()?;
    row.map(|(row, event_id, event_type)| {
        let position = row.event_position;
        row.into_domain(&event_id, &event_type)
            .map(|d| (d, position))
    })
    .transpose()
}

/// A claimed delivery with what sending it needs.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery: DeliveryId,
    pub attempts: i32,
    pub webhook: Webhook,
    pub secret: String,
    pub event: Event,
}

const CLAIM_CANDIDATES: i64 = 16;

/// Claims the oldest due delivery of an active endpoint for `lease`:
/// pending and due, or in flight with an expired lease (its worker is
/// gone), and no earlier event about the same object still waiting for the
/// same endpoint. `None` when nothing is due.
pub fn claim_next(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    lease: TimeDelta,
) -> Result<Option<Claimed>> {
    let now_us = micros(now);
    let due = webhook_deliveries::status
        .eq(DeliveryStatus::Pending.as_str())
        .and(webhook_deliveries::next_attempt_at.le(now_us))
        .or(webhook_deliveries::status
            .eq(DeliveryStatus::Sending.as_str())
            .and(webhook_deliveries::locked_until.lt(now_us)));
    let candidates: Vec<(String, String, String, i64)> = webhook_deliveries::table
        .inner_join(webhooks::table)
        .filter(due)
        .filter(webhooks::status.eq(WebhookStatus::Active.as_str()))
        .order((
            webhook_deliveries::next_attempt_at.asc(),
            webhook_deliveries::event_position.asc(),
        ))
        .limit(CLAIM_CANDIDATES)
        .select((
            webhook_deliveries::id,
            webhook_deliveries::webhook_id,
            webhook_deliveries::object_id,
            webhook_deliveries::event_position,
        ))
        .load(conn)?;
    for (candidate, hook, object, position) in candidates {
        let earlier_waiting: i64 = webhook_deliveries::table
            .filter(webhook_deliveries::webhook_id.eq(&hook))
            .filter(webhook_deliveries::object_id.eq(&object))
            .filter(webhook_deliveries::event_position.lt(position))
            .filter(webhook_deliveries::status.eq_any([
                DeliveryStatus::Pending.as_str(),
                DeliveryStatus::Sending.as_str(),
            ]))
            .count()
            .get_result(conn)?;
        if earlier_waiting > 0 {
            continue;
        }
        // Compare-and-set: only one claimant sees `won == 1`.
        let won = diesel::update(webhook_deliveries::table.find(&candidate).filter(due))
            .set((
                webhook_deliveries::status.eq(DeliveryStatus::Sending.as_str()),
                webhook_deliveries::locked_until.eq(micros(now + lease)),
            ))
            .execute(conn)?;
        if won != 1 {
            continue;
        }
        let attempts: i32 = webhook_deliveries::table
            .find(&candidate)
            .select(webhook_deliveries::attempts)
            .first(conn)?;
        let hook_id: WebhookId = id(DELIVERIES, &hook)?;
        let (Some(webhook), Some(secret), Some(event)) = (
            find(conn, hook_id)?,
            secret(conn, hook_id)?,
            crate::events::at(conn, position)?,
        ) else {
            return Err(corrupt(
                DELIVERIES,
                "a delivery without its endpoint or event",
            ));
        };
        return Ok(Some(Claimed {
            delivery: id(DELIVERIES, &candidate)?,
            attempts,
            webhook,
            secret,
            event,
        }));
    }
    Ok(None)
}

/// What one attempt got back.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub status_code: Option<i32>,
    pub latency_ms: i64,
    pub response: Option<String>,
    pub error: Option<String>,
}

/// Records a successful attempt of a claimed delivery; the endpoint's
/// failure window ends.
pub fn mark_delivered(
    conn: &mut DbConnection,
    claimed: &Claimed,
    attempt: &Attempt,
    now: DateTime<Utc>,
) -> Result<()> {
    diesel::update(
        webhook_deliveries::table
            .find(claimed.delivery.to_string())
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Sending.as_str())),
    )
    .set((
        webhook_deliveries::status.eq(DeliveryStatus::Delivered.as_str()),
        webhook_deliveries::attempts.eq(claimed.attempts + 1),
        webhook_deliveries::locked_until.eq(None::<i64>),
        webhook_deliveries::last_status_code.eq(attempt.status_code),
        webhook_deliveries::last_latency_ms.eq(attempt.latency_ms),
        webhook_deliveries::last_response.eq(&attempt.response),
        webhook_deliveries::last_error.eq(None::<String>),
        webhook_deliveries::delivered_at.eq(micros(now)),
    ))
    .execute(conn)?;
    diesel::update(webhooks::table.find(claimed.webhook.id.to_string()))
        .set(webhooks::failing_since.eq(None::<i64>))
        .execute(conn)?;
    Ok(())
}

/// Records a failed attempt: pending again at `retry_at`. The endpoint's
/// failure window starts now unless it already runs.
pub fn mark_failed(
    conn: &mut DbConnection,
    claimed: &Claimed,
    attempt: &Attempt,
    retry_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    diesel::update(
        webhook_deliveries::table
            .find(claimed.delivery.to_string())
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Sending.as_str())),
    )
    .set((
        webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
        webhook_deliveries::attempts.eq(claimed.attempts + 1),
        webhook_deliveries::locked_until.eq(None::<i64>),
        webhook_deliveries::next_attempt_at.eq(micros(retry_at)),
        webhook_deliveries::last_status_code.eq(attempt.status_code),
        webhook_deliveries::last_latency_ms.eq(attempt.latency_ms),
        webhook_deliveries::last_response.eq(&attempt.response),
        webhook_deliveries::last_error.eq(&attempt.error),
    ))
    .execute(conn)?;
    diesel::update(
        webhooks::table
            .find(claimed.webhook.id.to_string())
            .filter(webhooks::failing_since.is_null()),
    )
    .set(webhooks::failing_since.eq(micros(now)))
    .execute(conn)?;
    Ok(())
}

/// Disables an endpoint whose failure window ended: every delivery still
/// waiting for it is given up (its owner may replay them after resuming).
pub fn disable(conn: &mut DbConnection, hook: WebhookId, now: DateTime<Utc>) -> Result<()> {
    set_status(conn, hook, WebhookStatus::Disabled, now)?;
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::webhook_id.eq(hook.to_string()))
            .filter(webhook_deliveries::status.eq_any([
                DeliveryStatus::Pending.as_str(),
                DeliveryStatus::Sending.as_str(),
            ])),
    )
    .set((
        webhook_deliveries::status.eq(DeliveryStatus::Failed.as_str()),
        webhook_deliveries::locked_until.eq(None::<i64>),
    ))
    .execute(conn)?;
    Ok(())
}

/// Deliveries not yet delivered nor given up, for readiness and tests.
pub fn backlog(conn: &mut DbConnection) -> Result<i64> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::status.eq_any([
            DeliveryStatus::Pending.as_str(),
            DeliveryStatus::Sending.as_str(),
        ]))
        .count()
        .get_result(conn)?)
}

/// Endpoints registered by an organisation, or by the cluster.
pub fn count_of_owner(
    conn: &mut DbConnection,
    organisation: Option<OrganisationId>,
) -> Result<usize> {
    let query = webhooks::table.count();
    let count: i64 = match organisation {
        Some(org) => query
            .filter(webhooks::organisation_id.eq(org.to_string()))
            .get_result(conn)?,
        None => query
            .filter(webhooks::organisation_id.is_null())
            .get_result(conn)?,
    };
    Ok(usize::try_from(count).unwrap_or(usize::MAX))
}
