//! In-app notifications (`GET /me/notifications`): one row per user told of
//! something, written beside the email about it. The row keeps the mail's
//! kind and fields, so the text is rendered when read, in the reader's
//! language, with the email's own wording. Read state is the row's
//! `read_at`: a user has a few notifications a day, and marking all read
//! touches only the unread ones (partial index `inbox_items_unread`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::ids::{InboxItemId, UserId};
use domain::notification::NotificationKind;

use crate::convert::{enum_value, from_micros, id, micros, opt_from_micros};
use crate::db::DbConnection;
use crate::error::{Result, corrupt};
use crate::schema::inbox_items;

const TABLE: &str = "inbox_items";

#[derive(Debug, Clone, PartialEq)]
pub struct InboxItem {
    pub id: InboxItemId,
    pub kind: NotificationKind,
    /// The mail's fields (template variables), without a name to greet.
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = inbox_items)]
struct Row {
    id: String,
    kind: String,
    payload: String,
    created_at: i64,
    read_at: Option<i64>,
}

impl Row {
    fn into_domain(self) -> Result<InboxItem> {
        Ok(InboxItem {
            id: id(TABLE, &self.id)?,
            kind: enum_value(TABLE, &self.kind, NotificationKind::parse)?,
            payload: serde_json::from_str(&self.payload).map_err(|e| corrupt(TABLE, e))?,
            created_at: from_micros(TABLE, self.created_at)?,
            read_at: opt_from_micros(TABLE, self.read_at)?,
        })
    }
}

/// Adds a notification for `user`, in the caller's transaction.
pub fn add(
    conn: &mut DbConnection,
    user: UserId,
    kind: NotificationKind,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<InboxItemId> {
    let item = InboxItemId::new();
    diesel::insert_into(inbox_items::table)
        .values((
            inbox_items::id.eq(item.to_string()),
            inbox_items::user_id.eq(user.to_string()),
            inbox_items::kind.eq(kind.as_str()),
            inbox_items::payload.eq(payload.to_string()),
            inbox_items::created_at.eq(micros(now)),
        ))
        .execute(conn)?;
    Ok(item)
}

/// `user`'s notifications, newest first, strictly before the keyset
/// `before` (creation time, then id).
pub fn page(
    conn: &mut DbConnection,
    user: UserId,
    before: Option<crate::Cursor>,
    limit: i64,
) -> Result<Vec<InboxItem>> {
    let mut query = inbox_items::table
        .filter(inbox_items::user_id.eq(user.to_string()))
        .select(Row::as_select())
        .order((inbox_items::created_at.desc(), inbox_items::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = before {
        let at = micros(at);
        query = query.filter(
            inbox_items::created_at
                .lt(at)
                .or(inbox_items::created_at.eq(at).and(inbox_items::id.lt(id))),
        );
    }
    query
        .load(conn)?
        .into_iter()
        .map(Row::into_domain)
        .collect()
}

pub fn unread_count(conn: &mut DbConnection, user: UserId) -> Result<i64> {
    Ok(inbox_items::table
        .filter(inbox_items::user_id.eq(user.to_string()))
        .filter(inbox_items::read_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Marks `item` read if it is `user`'s (keeping the first reading's time).
/// `false` when `user` has no such notification: another user's is never
/// touched, and is told apart from a missing one by nothing.
pub fn mark_read(
    conn: &mut DbConnection,
    user: UserId,
    item: InboxItemId,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mine = || {
        inbox_items::table
            .filter(inbox_items::id.eq(item.to_string()))
            .filter(inbox_items::user_id.eq(user.to_string()))
    };
    diesel::update(mine().filter(inbox_items::read_at.is_null()))
        .set(inbox_items::read_at.eq(micros(now)))
        .execute(conn)?;
    Ok(diesel::select(diesel::dsl::exists(mine())).get_result(conn)?)
}

/// Marks every unread notification of `user` read; returns how many.
pub fn mark_all_read(conn: &mut DbConnection, user: UserId, now: DateTime<Utc>) -> Result<usize> {
    Ok(diesel::update(
        inbox_items::table
            .filter(inbox_items::user_id.eq(user.to_string()))
            .filter(inbox_items::read_at.is_null()),
    )
    .set(inbox_items::read_at.eq(micros(now)))
    .execute(conn)?)
}
