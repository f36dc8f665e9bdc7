//! Queuing emails in the outbox, inside the caller's transaction: they are
//! sent only if the change that causes them commits, and delivered later by
//! `crate::workers::email`.

use chrono::{DateTime, Utc};
use domain::account::{Language, User};
use persistence::DbConnection;
use persistence::notifications::{self, NewNotification};

use crate::email::mail::Mail;
use crate::error::ApiResult;

/// Queues `mail` for `user`, in their language and greeting them by name,
/// unless they declined non-essential emails.
pub fn queue_for_user(
    conn: &mut DbConnection,
    user: &User,
    mail: &Mail,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if user.notifications_opt_out && !mail.kind().is_essential() {
        return Ok(());
    }
    notifications::enqueue(
        conn,
        &NewNotification {
            kind: mail.kind(),
            recipient: user.email.to_string(),
            language: user.language,
            payload: mail.payload(Some(&user.full_name)),
        },
        now,
    )?;
    Ok(())
}

/// Queues the same `mail` for each of `users` (see `queue_for_user`).
pub fn queue_for_users(
    conn: &mut DbConnection,
    users: &[User],
    mail: &Mail,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    for user in users {
        queue_for_user(conn, user, mail, now)?;
    }
    Ok(())
}

/// Queues `mail` for an address that has no account yet (an invitation):
/// there is no name to greet, nor a preference to honour.
pub fn queue_for_address(
    conn: &mut DbConnection,
    address: &domain::account::Email,
    language: Language,
    mail: &Mail,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if mail.greets_by_name() {
        return Err(anyhow::anyhow!(
            "{} greets by name: queue it for a user",
            mail.kind().as_str()
        )
        .into());
    }
    notifications::enqueue(
        conn,
        &NewNotification {
            kind: mail.kind(),
            recipient: address.to_string(),
            language,
            payload: mail.payload(None),
        },
        now,
    )?;
    Ok(())
}
