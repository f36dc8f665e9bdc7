//! What happened to an account or an organisation's people: a registration,
//! a proven address, a password reset, an invitation sent or accepted, a
//! back-office account created by the CLI, and the requests for an emailed
//! link. Each event knows its audit entry (if the step leaves one); the
//! application layer publishes it, with the emails it causes, in the
//! transaction of the change (`app::publisher::Publisher::publish_account`).
//!
//! Who acted is part of each event: most of these happen before anyone is
//! logged in (the new user acts on their own account).

use chrono::{DateTime, Utc};

use crate::account::{Email, OrgRole, PlatformRole};
use crate::audit::AuditEntry;
use crate::ids::{OrganisationId, UserId};
use crate::organisation::OrganisationKind;

#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "an event is the step's audit entry and emails: publish it"]
pub enum AccountEvent {
    /// An organisation and its owner registered; the owner is sent a link
    /// to verify their address.
    Registered {
        owner: UserId,
        organisation: OrganisationId,
        kind: OrganisationKind,
    },
    /// The user asked for a new verification link (within its quota).
    VerificationRequested {
        user: UserId,
    },
    EmailVerified {
        user: UserId,
    },
    /// Someone asked to reset the password of an active account (within
    /// its quota); the user is sent the link.
    PasswordResetRequested {
        user: UserId,
    },
    PasswordReset {
        user: UserId,
    },
    /// `by` invited `email` into `organisation`. An address that already
    /// has an account is told by email instead of sent `token`.
    UserInvited {
        by: UserId,
        organisation: OrganisationId,
        email: Email,
        role: OrgRole,
        /// The secret of the emailed link (only its digest is stored).
        token: String,
    },
    InvitationAccepted {
        user: UserId,
        organisation: OrganisationId,
        email: Email,
    },
    /// An expert or an admin, created by the bootstrap CLI (no actor).
    CreatedByCli {
        user: UserId,
        role: PlatformRole,
    },
    /// `admin import-suppliers` created the organisation (no actor).
    OrganisationImported {
        organisation: OrganisationId,
        kind: OrganisationKind,
    },
    /// A re-import changed the organisation's `fields` (no actor).
    OrganisationReimported {
        organisation: OrganisationId,
        fields: Vec<&'static str>,
    },
}

impl AccountEvent {
    /// The entry of the subject's history; asking for a link leaves none
    /// (the outbox row is its trace, and what the quotas count).
    pub fn audit_entry(&self, at: DateTime<Utc>) -> Option<AuditEntry> {
        let entry = match self {
            Self::Registered {
                owner,
                organisation,
                kind,
            } => AuditEntry::new(
                Some(*owner),
                "organisation.registered",
                "organisation",
                organisation,
                at,
            )
            .transition(None, kind.as_str()),
            Self::VerificationRequested { .. } | Self::PasswordResetRequested { .. } => {
                return None;
            }
            Self::EmailVerified { user } => {
                AuditEntry::new(Some(*user), "user.email_verified", "user", user, at)
            }
            Self::PasswordReset { user } => {
                AuditEntry::new(Some(*user), "user.password_reset", "user", user, at)
            }
            Self::UserInvited {
                by,
                organisation,
                email,
                role,
                ..
            } => AuditEntry::new(
                Some(*by),
                "organisation.user_invited",
                "organisation",
                organisation,
                at,
            )
            .note(Some(format!("{} as {}", email, role.as_str())), false),
            Self::InvitationAccepted {
                user,
                organisation,
                email,
            } => AuditEntry::new(
                Some(*user),
                "organisation.invitation_accepted",
                "organisation",
                organisation,
                at,
            )
            .note(Some(email.to_string()), false),
            Self::CreatedByCli { user, role } => {
                AuditEntry::new(None, "user.created_by_cli", "user", user, at)
                    .transition(None, role.as_str())
            }
            Self::OrganisationImported { organisation, kind } => AuditEntry::new(
                None,
                "organisation.imported",
                "organisation",
                organisation,
                at,
            )
            .transition(None, kind.as_str()),
            Self::OrganisationReimported {
                organisation,
                fields,
            } => AuditEntry::new(
                None,
                "organisation.imported",
                "organisation",
                organisation,
                at,
            )
            .note(Some(format!("updated {}", fields.join(", "))), false),
        };
        Some(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(event: AccountEvent) -> AuditEntry {
        event.audit_entry(Utc::now()).expect("an audit entry")
    }

    #[test]
    fn a_registration_is_the_owners_entry_on_the_organisation_with_its_kind() {
        let (owner, organisation) = (UserId::new(), OrganisationId::new());
        let e = entry(AccountEvent::Registered {
            owner,
            organisation,
            kind: OrganisationKind::Supplier,
        });
        assert_eq!(e.action, "organisation.registered");
        assert_eq!(e.actor, Some(owner));
        assert_eq!(
            (e.subject_type, e.subject_id),
            ("organisation", organisation.to_string())
        );
        assert_eq!(e.from_state, None);
        assert_eq!(
            e.to_state.as_deref(),
            Some(OrganisationKind::Supplier.as_str())
        );
        assert_eq!((e.note, e.internal), (None, false));
    }

    #[test]
    fn a_proven_address_and_a_reset_password_are_the_users_own_entries() {
        let user = UserId::new();
        for (event, action) in [
            (AccountEvent::EmailVerified { user }, "user.email_verified"),
            (AccountEvent::PasswordReset { user }, "user.password_reset"),
        ] {
            let e = entry(event);
            assert_eq!(e.action, action);
            assert_eq!(e.actor, Some(user));
            assert_eq!((e.subject_type, e.subject_id), ("user", user.to_string()));
            assert_eq!((e.to_state, e.note), (None, None));
        }
    }

    #[test]
    fn an_invitation_notes_the_address_and_role_but_not_the_token() {
        let (by, organisation) = (UserId::new(), OrganisationId::new());
        let email = Email::parse("collegue@exemple.fr").unwrap();
        let e = entry(AccountEvent::UserInvited {
            by,
            organisation,
            email: email.clone(),
            role: OrgRole::Member,
            token: "secret".to_owned(),
        });
        assert_eq!(e.action, "organisation.user_invited");
        assert_eq!(e.actor, Some(by));
        assert_eq!(e.subject_id, organisation.to_string());
        assert_eq!(e.note.as_deref(), Some("collegue@exemple.fr as member"));
        assert!(!e.internal);

        let user = UserId::new();
        let e = entry(AccountEvent::InvitationAccepted {
            user,
            organisation,
            email,
        });
        assert_eq!(e.action, "organisation.invitation_accepted");
        assert_eq!(e.actor, Some(user));
        assert_eq!(e.subject_type, "organisation");
        assert_eq!(e.note.as_deref(), Some("collegue@exemple.fr"));
    }

    #[test]
    fn a_cli_account_has_no_actor_and_records_its_role() {
        let user = UserId::new();
        let e = entry(AccountEvent::CreatedByCli {
            user,
            role: PlatformRole::Expert,
        });
        assert_eq!(e.action, "user.created_by_cli");
        assert_eq!(e.actor, None);
        assert_eq!(e.to_state.as_deref(), Some(PlatformRole::Expert.as_str()));
    }

    #[test]
    fn an_import_records_the_new_organisations_kind_or_the_fields_it_changed() {
        let organisation = OrganisationId::new();
        let e = entry(AccountEvent::OrganisationImported {
            organisation,
            kind: OrganisationKind::Supplier,
        });
        assert_eq!(e.action, "organisation.imported");
        assert_eq!(e.actor, None);
        assert_eq!(e.subject_id, organisation.to_string());
        assert_eq!(e.to_state.as_deref(), Some("supplier"));
        assert_eq!(e.note, None);

        let e = entry(AccountEvent::OrganisationReimported {
            organisation,
            fields: vec!["legal_name", "website"],
        });
        assert_eq!(e.action, "organisation.imported");
        assert_eq!((e.from_state, e.to_state), (None, None));
        assert_eq!(e.note.as_deref(), Some("updated legal_name, website"));
        assert!(!e.internal);
    }

    #[test]
    fn asking_for_a_link_leaves_no_audit_entry() {
        let user = UserId::new();
        assert_eq!(
            AccountEvent::VerificationRequested { user }.audit_entry(Utc::now()),
            None
        );
        assert_eq!(
            AccountEvent::PasswordResetRequested { user }.audit_entry(Utc::now()),
            None
        );
    }
}
