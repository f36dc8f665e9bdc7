//! What the platform tells people by email, and which messages may be
//! declined.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    VerifyEmail,
    PasswordReset,
    OrganisationInvitation,
    ProfileSubmitted,
    ProfileApproved,
    ProfileChangesRequested,
    /// To experts: a buyer submitted a sourcing request to qualify.
    RequestSubmitted,
    /// To the buyer: an expert qualified the request (optional comment).
    RequestQualified,
    /// To the buyer: an expert asks for changes (comment).
    RequestChangesRequested,
    /// To the buyer: an expert rejected the request (comment).
    RequestRejected,
    /// To a supplier: invited to quote, with the answer deadline.
    InvitationToQuote,
    /// To invited suppliers: a question and its answer, shared with all.
    QuestionAnswered,
    /// To the buyer: a supplier answered (or revised its answer).
    AnswerReceived,
    /// To a supplier that has not answered yet: the deadline is near.
    DeadlineApproaching,
    /// To the supplier whose answer was selected.
    Awarded,
    /// To the suppliers whose answers were not selected.
    NotSelected,
    /// To the supplier's users and to experts: a certificate ends within
    /// 30 days.
    CertificationExpiring,
    /// To an existing account whose address an organisation invited: told
    /// instead of invited, so that inviting reveals no account.
    InvitationExistingAccount,
    /// To the buyer: a supplier invited to the request was suspended and
    /// no longer takes part.
    SupplierWithdrawn,
    /// To the creator of a webhook endpoint that failed for 3 days and
    /// was disabled.
    WebhookDisabled,
}

impl NotificationKind {
    pub const ALL: [Self; 20] = [
        Self::VerifyEmail,
        Self::PasswordReset,
        Self::OrganisationInvitation,
        Self::ProfileSubmitted,
        Self::ProfileApproved,
        Self::ProfileChangesRequested,
        Self::RequestSubmitted,
        Self::RequestQualified,
        Self::RequestChangesRequested,
        Self::RequestRejected,
        Self::InvitationToQuote,
        Self::QuestionAnswered,
        Self::AnswerReceived,
        Self::DeadlineApproaching,
        Self::Awarded,
        Self::NotSelected,
        Self::CertificationExpiring,
        Self::InvitationExistingAccount,
        Self::SupplierWithdrawn,
        Self::WebhookDisabled,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::PasswordReset => "password_reset",
            Self::OrganisationInvitation => "organisation_invitation",
            Self::ProfileSubmitted => "profile_submitted",
            Self::ProfileApproved => "profile_approved",
            Self::ProfileChangesRequested => "profile_changes_requested",
            Self::RequestSubmitted => "request_submitted",
            Self::RequestQualified => "request_qualified",
            Self::RequestChangesRequested => "request_changes_requested",
            Self::RequestRejected => "request_rejected",
            Self::InvitationToQuote => "invitation_to_quote",
            Self::QuestionAnswered => "question_answered",
            Self::AnswerReceived => "answer_received",
            Self::DeadlineApproaching => "deadline_approaching",
            Self::Awarded => "awarded",
            Self::NotSelected => "not_selected",
            Self::CertificationExpiring => "certification_expiring",
            Self::InvitationExistingAccount => "invitation_existing_account",
            Self::SupplierWithdrawn => "supplier_withdrawn",
            Self::WebhookDisabled => "webhook_disabled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }

    /// Security and account emails always go; users may opt out of the rest.
    pub const fn is_essential(self) -> bool {
        matches!(
            self,
            Self::VerifyEmail
                | Self::PasswordReset
                | Self::OrganisationInvitation
                | Self::InvitationExistingAccount
        )
    }

    /// Whether the users emailed about it also find it in their in-app
    /// notifications (`GET /me/notifications`): everything but the account
    /// and security emails, whose links are single-use secrets and which
    /// concern an address rather than the work done on the platform. An
    /// in-app notification is kept even for a user who declined emails.
    pub const fn is_in_app(self) -> bool {
        !self.is_essential()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    /// Claimed by a worker until its lease ends; a crashed worker's message
    /// becomes claimable again, so it is never lost.
    Sending,
    Sent,
    Failed,
}

impl DeliveryStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(Self::Pending),
            "sending" => Some(Self::Sending),
            "sent" => Some(Self::Sent),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// How failed deliveries are retried: exponential backoff from `base`
/// (`base`, 2×, 4×... capped at one hour), and after `max_attempts` failed
/// deliveries the message is failed for good and shown to admins, who may
/// retry it. Configured at start (`NOTIFY_RETRY_BASE_SECONDS`,
/// `NOTIFY_MAX_ATTEMPTS`) and passed to the worker, never a global.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base: chrono::TimeDelta,
    pub max_attempts: i32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: chrono::TimeDelta::seconds(30),
            max_attempts: 8,
        }
    }
}

impl RetryPolicy {
    const CAP: chrono::TimeDelta = chrono::TimeDelta::hours(1);

    /// The wait after the `attempts`-th failed delivery (1-based).
    pub fn delay(&self, attempts: i32) -> chrono::TimeDelta {
        let exponent = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
        self.base
            .checked_mul(1 << exponent)
            .map_or(Self::CAP, |delay| delay.min(Self::CAP))
    }

    /// When to try again after the `attempts`-th failure, or `None` when
    /// the message is failed for good.
    pub fn next_attempt(
        &self,
        attempts: i32,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        (attempts < self.max_attempts).then(|| now + self.delay(attempts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        let policy = RetryPolicy::default();
        let delays: Vec<i64> = (1..=9).map(|n| policy.delay(n).num_seconds()).collect();
        assert_eq!(delays, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        let fast = RetryPolicy {
            base: chrono::TimeDelta::seconds(1),
            max_attempts: 3,
        };
        let delays: Vec<i64> = (1..=4).map(|n| fast.delay(n).num_seconds()).collect();
        assert_eq!(delays, [1, 2, 4, 8]);
        assert_eq!(fast.delay(40).num_seconds(), 3600);
    }

    #[test]
    fn a_message_fails_for_good_after_its_last_allowed_attempt() {
        let policy = RetryPolicy {
            base: chrono::TimeDelta::seconds(1),
            max_attempts: 2,
        };
        let now = chrono::Utc::now();
        assert_eq!(
            policy.next_attempt(1, now),
            Some(now + chrono::TimeDelta::seconds(1))
        );
        assert_eq!(policy.next_attempt(2, now), None);
    }

    #[test]
    fn every_kind_round_trips_through_its_name() {
        for kind in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(kind.as_str()), Some(kind));
        }
        let essential: Vec<_> = NotificationKind::ALL
            .into_iter()
            .filter(|k| k.is_essential())
            .collect();
        assert_eq!(essential.len(), 4, "only account and security emails");
    }

    #[test]
    fn secret_bearing_emails_never_reach_the_in_app_list() {
        for kind in [
            NotificationKind::VerifyEmail,
            NotificationKind::PasswordReset,
            NotificationKind::OrganisationInvitation,
            NotificationKind::InvitationExistingAccount,
        ] {
            assert!(!kind.is_in_app(), "{kind:?}");
        }
        assert!(NotificationKind::RequestQualified.is_in_app());
        assert!(NotificationKind::CertificationExpiring.is_in_app());
    }

    #[test]
    fn only_non_security_emails_can_be_declined() {
        assert!(NotificationKind::PasswordReset.is_essential());
        assert!(!NotificationKind::ProfileApproved.is_essential());
    }
}
