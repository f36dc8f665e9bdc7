//! What the platform's staff changed outside any profile or request: a
//! user (de)activated, an organisation's cluster membership, a failed email
//! sent again, a capability added to the taxonomy. Each event knows its
//! audit entry; `app::publisher::Publisher::publish_admin` records it in
//! the transaction of the change.

use chrono::{DateTime, Utc};

use crate::audit::AuditEntry;
use crate::ids::{NotificationId, OrganisationId, UserId};
use crate::organisation::Membership;
use crate::taxonomy::CapabilityCode;

#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "an event is the change's audit entry: publish it"]
pub enum AdminEvent {
    UserDeactivated {
        user: UserId,
    },
    UserReactivated {
        user: UserId,
    },
    MembershipChanged {
        organisation: OrganisationId,
        from: Membership,
        to: Membership,
    },
    NotificationRetried {
        notification: NotificationId,
    },
    CapabilityAdded {
        code: CapabilityCode,
    },
}

impl AdminEvent {
    /// The event of setting `user` to `active`: only published when it
    /// changed (setting a user to what they are records nothing).
    pub fn user_activity(user: UserId, active: bool) -> Self {
        if active {
            Self::UserReactivated { user }
        } else {
            Self::UserDeactivated { user }
        }
    }

    /// The entry of the subject's history; `actor` is the staff member.
    pub fn audit_entry(&self, actor: Option<UserId>, at: DateTime<Utc>) -> AuditEntry {
        match self {
            Self::UserDeactivated { user } => {
                AuditEntry::new(actor, "user.deactivated", "user", user, at)
                    .transition(Some("active"), "inactive")
            }
            Self::UserReactivated { user } => {
                AuditEntry::new(actor, "user.reactivated", "user", user, at)
                    .transition(Some("inactive"), "active")
            }
            Self::MembershipChanged {
                organisation,
                from,
                to,
            } => AuditEntry::new(
                actor,
                "organisation.membership_changed",
                "organisation",
                organisation,
                at,
            )
            .transition(Some(from.as_str()), to.as_str()),
            Self::NotificationRetried { notification } => AuditEntry::new(
                actor,
                "notification.retried",
                "notification",
                notification,
                at,
            ),
            Self::CapabilityAdded { code } => {
                AuditEntry::new(actor, "taxonomy.capability_added", "capability", code, at)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deactivating_and_reactivating_record_the_users_states() {
        let (admin, user) = (Some(UserId::new()), UserId::new());
        let off = AdminEvent::user_activity(user, false).audit_entry(admin, Utc::now());
        assert_eq!(off.action, "user.deactivated");
        assert_eq!(
            (off.subject_type, off.subject_id),
            ("user", user.to_string())
        );
        assert_eq!(off.actor, admin);
        assert_eq!(off.from_state.as_deref(), Some("active"));
        assert_eq!(off.to_state.as_deref(), Some("inactive"));
        let on = AdminEvent::user_activity(user, true).audit_entry(admin, Utc::now());
        assert_eq!(on.action, "user.reactivated");
        assert_eq!(on.from_state.as_deref(), Some("inactive"));
        assert_eq!(on.to_state.as_deref(), Some("active"));
    }

    #[test]
    fn a_membership_change_records_both_memberships() {
        let organisation = OrganisationId::new();
        let e = AdminEvent::MembershipChanged {
            organisation,
            from: Membership::NotMember,
            to: Membership::Member,
        }
        .audit_entry(None, Utc::now());
        assert_eq!(e.action, "organisation.membership_changed");
        assert_eq!(
            (e.subject_type, e.subject_id),
            ("organisation", organisation.to_string())
        );
        assert_eq!(e.from_state.as_deref(), Some("not_member"));
        assert_eq!(e.to_state.as_deref(), Some("member"));
    }

    #[test]
    fn a_retry_and_a_new_capability_are_plain_public_entries() {
        let notification = NotificationId::new();
        let e = AdminEvent::NotificationRetried { notification }.audit_entry(None, Utc::now());
        assert_eq!(e.action, "notification.retried");
        assert_eq!(
            (e.subject_type, e.subject_id),
            ("notification", notification.to_string())
        );
        assert_eq!((e.from_state, e.note, e.internal), (None, None, false));

        let code = CapabilityCode::parse("usinage.fraisage").unwrap();
        let e = AdminEvent::CapabilityAdded { code }.audit_entry(None, Utc::now());
        assert_eq!(e.action, "taxonomy.capability_added");
        assert_eq!(
            (e.subject_type, e.subject_id.as_str()),
            ("capability", "usinage.fraisage")
        );
    }
}
