//! The email outbox. Rows are written in the transaction of the change that
//! causes them; workers claim, send and mark them.
//!
//! Claiming is a compare-and-set `UPDATE ... WHERE status = <seen>`: on
//! PostgreSQL a concurrent claim of the same row waits for the first one to
//! commit, then matches nothing, so several server instances never send one
//! message twice. A claim is a lease: if the worker dies between sending
//! and marking, the lease ends and the message is sent again (at least
//! once, never lost).

use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use domain::account::Language;
use domain::ids::NotificationId;
use domain::notification::{DeliveryStatus, MAX_ATTEMPTS, NotificationKind, retry_delay};

use crate::convert::{enum_value, from_micros, id, micros, opt_from_micros};
use crate::db::DbConnection;
use crate::error::{Result, corrupt};
use crate::schema::notifications;

#[derive(Debug, Clone)]
pub struct NewNotification {
    pub kind: NotificationKind,
    pub recipient: String,
    pub language: Language,
    /// Template variables.
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone)]
pub struct Notification {
    pub id: NotificationId,
    pub kind: NotificationKind,
    pub recipient: String,
    pub language: Language,
    pub payload: serde_json::Value,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = notifications)]
struct Row {
    id: String,
    kind: String,
    recipient_email: String,
    language: String,
    payload: String,
    status: String,
    attempts: i32,
    last_error: Option<String>,
    created_at: i64,
    sent_at: Option<i64>,
}

const TABLE: &str = "notifications";

impl Row {
    fn into_domain(self) -> Result<Notification> {
        Ok(Notification {
            id: id(TABLE, &self.id)?,
            kind: enum_value(TABLE, &self.kind, NotificationKind::parse)?,
            recipient: self.recipient_email,
            language: enum_value(TABLE, &self.language, Language::parse)?,
            payload: serde_json::from_str(&self.payload).map_err(|e| corrupt(TABLE, e))?,
            status: enum_value(TABLE, &self.status, DeliveryStatus::parse)?,
            attempts: self.attempts,
            last_error: self.last_error,
            created_at: from_micros(TABLE, self.created_at)?,
            sent_at: opt_from_micros(TABLE, self.sent_at)?,
        })
    }
}

pub fn enqueue(
    conn: &mut DbConnection,
    new: &NewNotification,
    now: DateTime<Utc>,
) -> Result<NotificationId> {
    let notification_id = NotificationId::new();
    diesel::insert_into(notifications::table)
        .values((
            notifications::id.eq(notification_id.to_string()),
            notifications::kind.eq(new.kind.as_str()),
            notifications::recipient_email.eq(&new.recipient),
            notifications::language.eq(new.language.as_str()),
            notifications::payload.eq(new.payload.to_string()),
            notifications::status.eq(DeliveryStatus::Pending.as_str()),
            notifications::attempts.eq(0),
            notifications::next_attempt_at.eq(micros(now)),
            notifications::created_at.eq(micros(now)),
        ))
        .execute(conn)?;
    Ok(notification_id)
}

/// Claims up to `limit` due messages for `lease`. Each returned message is
/// owned by this caller until the lease ends.
pub fn claim_due(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    lease: TimeDelta,
    limit: i64,
) -> Result<Vec<Notification>> {
    let now_us = micros(now);
    let due = notifications::status
        .eq(DeliveryStatus::Pending.as_str())
        .and(notifications::next_attempt_at.le(now_us))
        .or(notifications::status
            .eq(DeliveryStatus::Sending.as_str())
            .and(notifications::locked_until.lt(now_us)));
    let candidates: Vec<String> = notifications::table
        .filter(due)
        .order(notifications::next_attempt_at.asc())
        .limit(limit)
        .select(notifications::id)
        .load(conn)?;
    let mut claimed = Vec::with_capacity(candidates.len());
    for candidate in candidates {
        let won = diesel::update(notifications::table.find(&candidate).filter(due))
            .set((
                notifications::status.eq(DeliveryStatus::Sending.as_str()),
                notifications::locked_until.eq(micros(now + lease)),
            ))
            .execute(conn)?;
        if won == 1 {
            let row: Row = notifications::table
                .find(&candidate)
                .select(Row::as_select())
                .first(conn)?;
            claimed.push(row.into_domain()?);
        }
    }
    Ok(claimed)
}

pub fn mark_sent(
    conn: &mut DbConnection,
    notification_id: NotificationId,
    now: DateTime<Utc>,
) -> Result<()> {
    diesel::update(notifications::table.find(notification_id.to_string()))
        .set((
            notifications::status.eq(DeliveryStatus::Sent.as_str()),
            notifications::sent_at.eq(micros(now)),
            notifications::locked_until.eq(None::<i64>),
            notifications::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a failed attempt: retried later with backoff, or failed for good
/// after `MAX_ATTEMPTS`. Returns the new status.
pub fn mark_attempt_failed(
    conn: &mut DbConnection,
    notification: &Notification,
    error: &str,
    now: DateTime<Utc>,
) -> Result<DeliveryStatus> {
    let attempts = notification.attempts + 1;
    let status = if attempts >= MAX_ATTEMPTS {
        DeliveryStatus::Failed
    } else {
        DeliveryStatus::Pending
    };
    diesel::update(notifications::table.find(notification.id.to_string()))
        .set((
            notifications::status.eq(status.as_str()),
            notifications::attempts.eq(attempts),
            notifications::next_attempt_at.eq(micros(now + retry_delay(attempts))),
            notifications::locked_until.eq(None::<i64>),
            notifications::last_error.eq(error),
        ))
        .execute(conn)?;
    Ok(status)
}

/// Marks a message that must not be sent (recipient opted out) as sent
/// without delivery; kept for the record.
pub fn mark_skipped(
    conn: &mut DbConnection,
    notification_id: NotificationId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    diesel::update(notifications::table.find(notification_id.to_string()))
        .set((
            notifications::status.eq(DeliveryStatus::Sent.as_str()),
            notifications::sent_at.eq(micros(now)),
            notifications::locked_until.eq(None::<i64>),
            notifications::last_error.eq(reason),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn list(
    conn: &mut DbConnection,
    status: Option<DeliveryStatus>,
    limit: i64,
) -> Result<Vec<Notification>> {
    let mut query = notifications::table
        .select(Row::as_select())
        .order((notifications::created_at.desc(), notifications::id.asc()))
        .limit(limit)
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(notifications::status.eq(status.as_str()));
    }
    query
        .load(conn)?
        .into_iter()
        .map(Row::into_domain)
        .collect()
}

/// Puts a failed message back in the queue with a fresh attempt budget.
pub fn retry_failed(
    conn: &mut DbConnection,
    notification_id: NotificationId,
    now: DateTime<Utc>,
) -> Result<bool> {
    let updated = diesel::update(
        notifications::table
            .find(notification_id.to_string())
            .filter(notifications::status.eq(DeliveryStatus::Failed.as_str())),
    )
    .set((
        notifications::status.eq(DeliveryStatus::Pending.as_str()),
        notifications::attempts.eq(0),
        notifications::next_attempt_at.eq(micros(now)),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Messages not yet delivered (pending or in flight), for readiness.
pub fn backlog(conn: &mut DbConnection) -> Result<i64> {
    Ok(notifications::table
        .filter(notifications::status.eq_any([
            DeliveryStatus::Pending.as_str(),
            DeliveryStatus::Sending.as_str(),
        ]))
        .count()
        .get_result(conn)?)
}
