//! What happened to a user's sessions: a login, a logout, a rotated refresh
//! token presented again. Each event knows its entry in the user's history;
//! the application layer publishes it in the transaction that changed the
//! session (`app::publisher::Publisher::publish_session`).

use chrono::{DateTime, Utc};

use crate::audit::AuditEntry;
use crate::ids::UserId;

/// The audit subject of a session's entries (its id is the user's).
pub const SUBJECT: &str = "user";

/// Each entry's actor is the session's own user: even a reuse, which may be
/// a thief's, is recorded under the account whose token was presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "an event is the session's audit entry: publish it"]
pub enum SessionEvent {
    LoggedIn {
        user: UserId,
    },
    LoggedOut {
        user: UserId,
    },
    /// The token's family was revoked: the session ends everywhere.
    RefreshTokenReused {
        user: UserId,
    },
}

impl SessionEvent {
    pub fn user(&self) -> UserId {
        match *self {
            Self::LoggedIn { user }
            | Self::LoggedOut { user }
            | Self::RefreshTokenReused { user } => user,
        }
    }

    /// The entry of the user's history.
    pub fn audit_entry(&self, at: DateTime<Utc>) -> AuditEntry {
        let user = self.user();
        match self {
            Self::LoggedIn { .. } => {
                AuditEntry::new(Some(user), "session.login", SUBJECT, user, at)
            }
            Self::LoggedOut { .. } => {
                AuditEntry::new(Some(user), "session.logout", SUBJECT, user, at)
            }
            // Internal: it tells the platform's staff a token leaked, not
            // something to show beside the user's own activity.
            Self::RefreshTokenReused { .. } => AuditEntry::new(
                Some(user),
                "session.refresh_token_reused",
                SUBJECT,
                user,
                at,
            )
            .note(
                Some("rotated refresh token presented again: session revoked".to_owned()),
                true,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_and_a_logout_are_the_users_own_public_entries() {
        let user = UserId::new();
        for (event, action) in [
            (SessionEvent::LoggedIn { user }, "session.login"),
            (SessionEvent::LoggedOut { user }, "session.logout"),
        ] {
            let e = event.audit_entry(Utc::now());
            assert_eq!(e.action, action);
            assert_eq!(e.actor, Some(user));
            assert_eq!((e.subject_type, e.subject_id), (SUBJECT, user.to_string()));
            assert_eq!((e.note, e.internal), (None, false));
            assert_eq!((e.from_state, e.to_state), (None, None));
        }
    }

    #[test]
    fn a_reused_refresh_token_is_an_internal_entry_saying_the_session_was_revoked() {
        let user = UserId::new();
        let e = SessionEvent::RefreshTokenReused { user }.audit_entry(Utc::now());
        assert_eq!(e.action, "session.refresh_token_reused");
        assert_eq!(e.actor, Some(user));
        assert_eq!(e.subject_id, user.to_string());
        assert_eq!(
            e.note.as_deref(),
            Some("rotated refresh token presented again: session revoked")
        );
        assert!(e.internal);
    }
}
