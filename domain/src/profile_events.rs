//! What happened to a supplier profile, as the lifecycle methods of
//! [`SupplierProfile`](crate::profile::SupplierProfile) report it. Each
//! event knows its entry in the profile's history; the application layer
//! turns it into that entry and its consequences (emails, a suspension's
//! withdrawals) in one place.

use chrono::{DateTime, Utc};

use crate::audit::AuditEntry;
use crate::ids::{OrganisationId, UserId};
use crate::profile::{ProfileStatus, Transition};

/// The audit subject of a profile's history (its id is the organisation's).
pub const SUBJECT: &str = "supplier_profile";

#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "an event is the step's audit entry and emails: publish it"]
pub struct ProfileEvent {
    pub organisation: OrganisationId,
    /// `None` for the creation; a step that stays in its state (an edit of a
    /// draft) is recorded without one.
    pub transition: Option<Transition>,
    pub step: ProfileStep,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileStep {
    Created,
    Edited,
    Submitted,
    Approved {
        comment: Option<String>,
    },
    ChangesRequested {
        comment: String,
    },
    Suspended {
        reason: String,
    },
    Reinstated {
        comment: Option<String>,
    },
    /// Published by `admin import-suppliers` (new, or re-imported over the
    /// profile's earlier state).
    Imported,
}

impl ProfileEvent {
    pub(crate) fn new(
        organisation: OrganisationId,
        transition: Transition,
        step: ProfileStep,
    ) -> Self {
        Self {
            organisation,
            transition: Some(transition),
            step,
        }
    }

    /// Whether the profile just reached review: the experts are told.
    pub fn awaits_review(&self) -> bool {
        self.transition
            .is_some_and(|t| t.from != ProfileStatus::Submitted && t.to == ProfileStatus::Submitted)
            && matches!(self.step, ProfileStep::Submitted | ProfileStep::Edited)
    }

    /// The entry of the profile's history.
    pub fn audit_entry(&self, actor: Option<UserId>, at: DateTime<Utc>) -> AuditEntry {
        let (action, note) = match &self.step {
            ProfileStep::Created => ("profile.created", None),
            ProfileStep::Edited => ("profile.edited", None),
            ProfileStep::Submitted => ("profile.submitted", None),
            ProfileStep::Approved { comment } => ("profile.approved", comment.clone()),
            ProfileStep::ChangesRequested { comment } => {
                ("profile.changes_requested", Some(comment.clone()))
            }
            ProfileStep::Suspended { reason } => ("profile.suspended", Some(reason.clone())),
            ProfileStep::Reinstated { comment } => ("profile.reinstated", comment.clone()),
            // An import says where the profile was, even when it was
            // already published (a re-import replaces the content).
            ProfileStep::Imported => {
                return AuditEntry::new(actor, "profile.imported", SUBJECT, self.organisation, at)
                    .transition(
                        self.transition.map(|t| t.from.as_str()),
                        ProfileStatus::Published.as_str(),
                    );
            }
        };
        let mut entry =
            AuditEntry::new(actor, action, SUBJECT, self.organisation, at).note(note, false);
        if let Some(t) = self.transition.filter(|t| t.from != t.to) {
            entry = entry.transition(Some(t.from.as_str()), t.to.as_str());
        }
        entry
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(from: ProfileStatus, to: ProfileStatus, step: ProfileStep) -> ProfileEvent {
        ProfileEvent::new(OrganisationId::new(), Transition { from, to }, step)
    }

    #[test]
    fn a_review_decision_is_recorded_with_its_comment_and_states() {
        let e = event(
            ProfileStatus::Submitted,
            ProfileStatus::ChangesRequested,
            ProfileStep::ChangesRequested {
                comment: "ajoutez vos moyens de contrôle".to_owned(),
            },
        )
        .audit_entry(Some(UserId::new()), Utc::now());
        assert_eq!(e.action, "profile.changes_requested");
        assert_eq!(e.subject_type, SUBJECT);
        assert_eq!(e.from_state.as_deref(), Some("submitted"));
        assert_eq!(e.to_state.as_deref(), Some("changes_requested"));
        assert_eq!(e.note.as_deref(), Some("ajoutez vos moyens de contrôle"));
    }

    #[test]
    fn an_import_records_where_the_profile_was_even_when_already_published() {
        let again = event(
            ProfileStatus::Published,
            ProfileStatus::Published,
            ProfileStep::Imported,
        )
        .audit_entry(None, Utc::now());
        assert_eq!(again.action, "profile.imported");
        assert_eq!(
            (again.from_state.as_deref(), again.to_state.as_deref()),
            (Some("published"), Some("published"))
        );
    }

    #[test]
    fn an_edit_that_stays_a_draft_is_recorded_without_a_transition() {
        let e = event(
            ProfileStatus::Draft,
            ProfileStatus::Draft,
            ProfileStep::Edited,
        )
        .audit_entry(None, Utc::now());
        assert_eq!(e.action, "profile.edited");
        assert_eq!((e.from_state, e.to_state), (None, None));
    }

    #[test]
    fn the_experts_are_told_when_a_profile_reaches_review_by_submission_or_edit() {
        use ProfileStatus::{ChangesRequested, Draft, Published, Submitted, Suspended};
        assert!(event(Draft, Submitted, ProfileStep::Submitted).awaits_review());
        assert!(event(Published, Submitted, ProfileStep::Edited).awaits_review());
        assert!(!event(Draft, Draft, ProfileStep::Edited).awaits_review());
        assert!(!event(ChangesRequested, ChangesRequested, ProfileStep::Edited).awaits_review());
        // A reinstatement with unapproved edits goes back to review silently.
        let back = event(
            Suspended,
            Submitted,
            ProfileStep::Reinstated { comment: None },
        );
        assert!(!back.awaits_review());
    }
}
