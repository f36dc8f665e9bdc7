//! The email outbox. Rows are written in the transaction of the change that
//! causes them; workers claim, send and mark them.
//!
//! # Claiming: compare-and-set with a lease, on both backends
//!
//! A worker claims one due message with `UPDATE ... SET status = 'sending',
//! locked_until = now + lease WHERE id = ? AND <still due>`. On PostgreSQL
//! (READ COMMITTED) a concurrent claim of the same row waits for the first
//! one to commit, re-reads the row, no longer finds it due and updates
//! nothing; on SQLite writers are serialised. So with several server
//! instances on one database each message is claimed by exactly one of them.
//!
//! `SELECT ... FOR UPDATE SKIP LOCKED` was considered and not used: its
//! locks last only as long as the transaction, and holding a transaction
//! (and a pooled connection) open across an SMTP exchange is what we must
//! not do. A persistent claim is needed anyway to survive the end of the
//! claiming transaction, so the lease column *is* the lock; SKIP LOCKED
//! would only spare a loser the few milliseconds it waits for the winner's
//! one-row commit, at the price of a PostgreSQL-only code path.
//!
//! # At least once, never lost
//!
//! A claim is a lease: if the worker dies (or cannot reach the database)
//! between the SMTP server accepting a message and `mark_sent`, the lease
//! ends and the message is claimed and sent again: one duplicate, never a
//! loss. The worker bounds each send well below the lease, so a live
//! worker's message is never reclaimed.

use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use domain::account::Language;
use domain::ids::NotificationId;
use domain::notification::{DeliveryStatus, NotificationKind};

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

/// How many due messages a claim looks at; losing the race for one moves
/// on to the next instead of sleeping.
const CLAIM_CANDIDATES: i64 = 8;

/// Claims the oldest due message for `lease`: pending and due, or in flight
/// with an expired lease (its worker is gone). The message is owned by this
/// caller until the lease ends. `None` when nothing is due.
pub fn claim_next(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    lease: TimeDelta,
) -> Result<Option<Notification>> {
    let now_us = micros(now);
    let due = notifications::status
        .eq(DeliveryStatus::Pending.as_str())
        .and(notifications::next_attempt_at.le(now_us))
        .or(notifications::status
            .eq(DeliveryStatus::Sending.as_str())
            .and(notifications::locked_until.lt(now_us)));
    let candidates: Vec<String> = notifications::table
        .filter(due)
        .order((
            notifications::next_attempt_at.asc(),
            notifications::id.asc(),
        ))
        .limit(CLAIM_CANDIDATES)
        .select(notifications::id)
        .load(conn)?;
    for candidate in candidates {
        // Compare-and-set: only one claimant sees `won == 1`.
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
            return row.into_domain().map(Some);
        }
    }
    Ok(None)
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

/// Records a failed attempt of a message this caller claimed: pending
/// again at `retry_at`, or failed for good (shown to admins) when `retry_at`
/// is `None`. The caller's retry policy decides. Returns the new status.
pub fn mark_attempt_failed(
    conn: &mut DbConnection,
    notification: &Notification,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<DeliveryStatus> {
    let status = match retry_at {
        Some(_) => DeliveryStatus::Pending,
        None => DeliveryStatus::Failed,
    };
    // Never overwrite the outcome another worker recorded.
    let mine = notifications::table
        .find(notification.id.to_string())
        .filter(notifications::status.eq(DeliveryStatus::Sending.as_str()));
    let common = (
        notifications::status.eq(status.as_str()),
        notifications::attempts.eq(notification.attempts + 1),
        notifications::locked_until.eq(None::<i64>),
        notifications::last_error.eq(error),
    );
    match retry_at {
        Some(at) => diesel::update(mine)
            .set((common, notifications::next_attempt_at.eq(micros(at))))
            .execute(conn)?,
        None => diesel::update(mine).set(common).execute(conn)?,
    };
    Ok(status)
}

pub fn list(
    conn: &mut DbConnection,
    status: Option<DeliveryStatus>,
    before: Option<crate::Cursor>,
    limit: i64,
) -> Result<Vec<Notification>> {
    let mut query = notifications::table
        .select(Row::as_select())
        .order((notifications::created_at.desc(), notifications::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(notifications::status.eq(status.as_str()));
    }
    if let Some((at, id)) = before {
        let at = micros(at);
        query = query.filter(
            notifications::created_at
                .lt(at)
                .or(notifications::created_at
                    .eq(at)
                    .and(notifications::id.lt(id))),
        );
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

/// Whether the message exists, whatever its status.
pub fn exists(conn: &mut DbConnection, notification_id: NotificationId) -> Result<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        notifications::table.find(notification_id.to_string()),
    ))
    .get_result(conn)?)
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

/// When emails of `kind` were queued for `recipient` since `since` (to
/// apply the email quotas; index `notifications_recipient`).
pub fn queued_since(
    conn: &mut DbConnection,
    recipient: &str,
    kind: NotificationKind,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>> {
    notifications::table
        .filter(notifications::recipient_email.eq(recipient))
        .filter(notifications::kind.eq(kind.as_str()))
        .filter(notifications::created_at.gt(micros(since)))
        .select(notifications::created_at)
        .load::<i64>(conn)?
        .into_iter()
        .map(|t| from_micros(TABLE, t))
        .collect()
}
