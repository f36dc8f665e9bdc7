//! The supplier side of a request: invitations, quotes (every revision
//! kept), declines and clarification questions.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ValidationErrors;
use crate::ids::{OrganisationId, QuestionId, QuoteId, SourcingRequestId, UserId};
use crate::sourcing::money::Money;
use crate::sourcing::request::Attachment;
use crate::validation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Invited,
    Declined,
    Answered,
    /// The supplier was suspended by the cluster: it no longer takes part.
    Withdrawn,
}

impl InvitationStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Declined => "declined",
            Self::Answered => "answered",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Invited,
            Self::Declined,
            Self::Answered,
            Self::Withdrawn,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Awarded,
    NotSelected,
}

impl Outcome {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Awarded => "awarded",
            Self::NotSelected => "not_selected",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "awarded" => Some(Self::Awarded),
            "not_selected" => Some(Self::NotSelected),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub request: SourcingRequestId,
    pub supplier: OrganisationId,
    pub status: InvitationStatus,
    pub decline_reason: Option<String>,
    pub shortlisted: bool,
    pub outcome: Option<Outcome>,
    pub invited_at: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
}

impl Invitation {
    /// A withdrawn invitation takes no answer, question or decline, even
    /// after the supplier is reinstated.
    pub fn ensure_current(&self) -> Result<(), crate::DomainError> {
        if self.status == InvitationStatus::Withdrawn {
            Err(crate::DomainError::InvalidState {
                code: "invitation_withdrawn".to_owned(),
                message: "the cluster withdrew this invitation when it suspended your organisation"
                    .to_owned(),
            })
        } else {
            Ok(())
        }
    }

    /// Ends the supplier's part in a request still running (open, or closed
    /// and not awarded yet); `false` when there is nothing to end (it
    /// declined, has an outcome, or was already withdrawn).
    pub fn withdraw(&mut self, request_running: bool, now: DateTime<Utc>) -> bool {
        let pending = matches!(
            self.status,
            InvitationStatus::Invited | InvitationStatus::Answered
        );
        if !request_running || !pending || self.outcome.is_some() {
            return false;
        }
        self.status = InvitationStatus::Withdrawn;
        self.shortlisted = false;
        self.responded_at = Some(now);
        true
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub id: QuoteId,
    pub request: SourcingRequestId,
    pub supplier: OrganisationId,
    /// 1 for the first answer, +1 for each revision; all are kept.
    pub revision: i32,
    pub price: Money,
    pub lead_time_days: i32,
    pub valid_until: NaiveDate,
    pub message: String,
    pub attachments: Vec<Attachment>,
    pub submitted_by: UserId,
    pub created_at: DateTime<Utc>,
}

/// What a supplier states in a quote, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteTerms {
    pub price: Money,
    pub lead_time_days: i32,
    pub valid_until: NaiveDate,
    pub message: String,
    pub attachments: Vec<Attachment>,
}

impl QuoteTerms {
    pub fn parse(
        amount: &str,
        currency: &str,
        lead_time_days: i64,
        valid_until: &str,
        message: &str,
        attachments: Vec<Attachment>,
        today: NaiveDate,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let price = errors.check("price", Money::parse_positive(amount, currency));
        if !(1..=3650).contains(&lead_time_days) {
            errors.add(
                "lead_time_days",
                "out_of_range",
                "lead time is between 1 and 3650 days",
            );
        }
        let valid_until =
            errors.check("valid_until", crate::certification::parse_date(valid_until));
        if let Some(day) = valid_until
            && day < today
        {
            errors.add(
                "valid_until",
                "in_the_past",
                "a quote must still be valid today",
            );
        }
        let message = errors.check("message", validation::text(message, 0, 10_000));
        match (price, valid_until, message) {
            (Some(price), Some(valid_until), Some(message)) if errors.is_empty() => Ok(Self {
                price,
                lead_time_days: i32::try_from(lead_time_days).unwrap_or(i32::MAX),
                valid_until,
                message,
                attachments,
            }),
            _ => Err(errors),
        }
    }
}

/// Questions one supplier may ask on one request: enough to clarify any
/// need, not enough to flood the buyer.
pub const MAX_QUESTIONS_PER_SUPPLIER: usize = 20;

/// Whether a supplier that already asked `asked` questions on a request
/// may ask another (409 `question_limit_reached` otherwise).
pub fn may_ask_another(asked: usize) -> Result<(), crate::DomainError> {
    if asked >= MAX_QUESTIONS_PER_SUPPLIER {
        return Err(crate::DomainError::Conflict {
            code: "question_limit_reached",
            message: format!(
                "a supplier asks at most {MAX_QUESTIONS_PER_SUPPLIER} questions per request"
            ),
        });
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: QuestionId,
    pub request: SourcingRequestId,
    /// Never shown to other suppliers.
    pub asked_by_supplier: OrganisationId,
    pub asked_by: UserId,
    pub question: String,
    pub answer: Option<String>,
    pub answered_by: Option<UserId>,
    pub answered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_need_a_price_a_sane_lead_time_and_a_future_validity() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let ok = QuoteTerms::parse(
            "18400.00",
            "EUR",
            45,
            "2027-01-31",
            "Prix unitaire dégressif",
            vec![],
            today,
        )
        .unwrap();
        assert_eq!(ok.price.minor_units, 1_840_000);
        let errors =
            QuoteTerms::parse("-5", "EUR", 0, "2026-01-01", "", vec![], today).unwrap_err();
        let fields: Vec<_> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["price", "lead_time_days", "valid_until"]);
        for (amount, currency, code) in [
            ("0", "EUR", "not_positive"),
            ("0.00", "EUR", "not_positive"),
            ("100", "ZZZ", "invalid_currency"),
            ("9999999999999.99", "EUR", "out_of_range"),
        ] {
            let errors = QuoteTerms::parse(amount, currency, 45, "2027-01-31", "", vec![], today)
                .unwrap_err();
            assert_eq!(errors.errors()[0].field, "price", "{amount} {currency}");
            assert_eq!(errors.errors()[0].code, code, "{amount} {currency}");
        }
    }

    #[test]
    fn a_supplier_asks_at_most_twenty_questions_per_request() {
        assert!(may_ask_another(MAX_QUESTIONS_PER_SUPPLIER - 1).is_ok());
        assert!(matches!(
            may_ask_another(MAX_QUESTIONS_PER_SUPPLIER),
            Err(crate::DomainError::Conflict {
                code: "question_limit_reached",
                ..
            })
        ));
    }
}

#[cfg(test)]
mod withdrawal_tests {
    use super::*;

    fn invitation(status: InvitationStatus) -> Invitation {
        Invitation {
            request: SourcingRequestId::new(),
            supplier: OrganisationId::new(),
            status,
            decline_reason: None,
            shortlisted: true,
            outcome: None,
            invited_at: Utc::now(),
            responded_at: None,
        }
    }

    #[test]
    fn a_suspension_withdraws_pending_invitations_of_running_requests_only() {
        let now = Utc::now();
        for status in [InvitationStatus::Invited, InvitationStatus::Answered] {
            let mut pending = invitation(status);
            assert!(pending.withdraw(true, now));
            assert_eq!(pending.status, InvitationStatus::Withdrawn);
            assert!(!pending.shortlisted);
            assert!(pending.ensure_current().is_err());
            assert!(!pending.withdraw(true, now), "once");
        }
        assert!(!invitation(InvitationStatus::Invited).withdraw(false, now));
        assert!(!invitation(InvitationStatus::Declined).withdraw(true, now));
        let mut decided = invitation(InvitationStatus::Answered);
        decided.outcome = Some(Outcome::Awarded);
        assert!(!decided.withdraw(true, now));
        assert!(
            invitation(InvitationStatus::Invited)
                .ensure_current()
                .is_ok()
        );
    }
}
