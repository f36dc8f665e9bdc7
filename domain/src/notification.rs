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
}

impl NotificationKind {
    pub const ALL: [Self; 6] = [
        Self::VerifyEmail,
        Self::PasswordReset,
        Self::OrganisationInvitation,
        Self::ProfileSubmitted,
        Self::ProfileApproved,
        Self::ProfileChangesRequested,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::PasswordReset => "password_reset",
            Self::OrganisationInvitation => "organisation_invitation",
            Self::ProfileSubmitted => "profile_submitted",
            Self::ProfileApproved => "profile_approved",
            Self::ProfileChangesRequested => "profile_changes_requested",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }

    /// Security and account emails always go; users may opt out of the rest.
    pub const fn is_essential(self) -> bool {
        matches!(
            self,
            Self::VerifyEmail | Self::PasswordReset | Self::OrganisationInvitation
        )
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

/// After `MAX_ATTEMPTS` failed deliveries a message is failed for good and
/// shown to admins, who may retry it.
pub const MAX_ATTEMPTS: i32 = 8;

/// Retries back off exponentially: 30 s, 1 min, 2 min ... capped at one hour.
pub fn retry_delay(attempts: i32) -> chrono::TimeDelta {
    let exponent = attempts.clamp(1, 8) - 1;
    let seconds = (30_i64 << exponent).min(3600);
    chrono::TimeDelta::seconds(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        let delays: Vec<i64> = (1..=9).map(|n| retry_delay(n).num_seconds()).collect();
        assert_eq!(delays, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    }

    #[test]
    fn only_non_security_emails_can_be_declined() {
        assert!(NotificationKind::PasswordReset.is_essential());
        assert!(!NotificationKind::ProfileApproved.is_essential());
    }
}
