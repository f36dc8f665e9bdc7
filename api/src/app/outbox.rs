//! Writing emails to the outbox, inside the caller's transaction.

use chrono::{DateTime, Utc};
use domain::account::User;
use domain::notification::NotificationKind;
use persistence::DbConnection;
use persistence::notifications::{self, NewNotification};
use serde_json::Value;

use crate::error::ApiResult;

/// Queues `kind` for `user`, in their language, unless they declined
/// non-essential emails. `vars` become template variables.
pub fn notify_user(
    conn: &mut DbConnection,
    user: &User,
    kind: NotificationKind,
    vars: Value,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if user.notifications_opt_out && !kind.is_essential() {
        return Ok(());
    }
    let mut payload = vars;
    if let Value::Object(map) = &mut payload {
        map.entry("recipient_name")
            .or_insert_with(|| Value::String(user.full_name.clone()));
    }
    notifications::enqueue(
        conn,
        &NewNotification {
            kind,
            recipient: user.email.to_string(),
            language: user.language,
            payload,
        },
        now,
    )?;
    Ok(())
}
