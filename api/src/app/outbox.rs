//! Queuing emails in the outbox, inside the caller's transaction: they are
//! sent only if the change that causes them commits, and delivered later by
//! `crate::workers::email`.
//!
//! Who is told of what is decided once, by the code that picks each mail's
//! recipients (`sourcing::emails`, `profiles::emails_of`, the reminders, the
//! webhook worker): a user emailed about something also finds it in their
//! in-app notifications (`app::inbox`), written here in the same
//! transaction, unless the mail is an account or security one
//! (`NotificationKind::is_in_app`).

use chrono::{DateTime, Utc};
use domain::account::{Language, User};
use persistence::DbConnection;
use persistence::inbox;
use persistence::notifications::{self, NewNotification};

use crate::email::mail::Mail;
use crate::error::ApiResult;

/// Queues `mail` for `user`, in their language and greeting them by name,
/// unless they declined non-essential emails, and adds it to their in-app
/// notifications (declining emails does not empty those).
pub fn queue_for_user(
    conn: &mut DbConnection,
    user: &User,
    mail: &Mail,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if mail.kind().is_in_app() {
        inbox::add(conn, user.id, mail.kind(), &mail.payload(None), now)?;
    }
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
