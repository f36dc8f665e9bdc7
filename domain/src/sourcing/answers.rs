//! The supplier side of a request: invitations, quotes (every revision
//! kept), declines and clarification questions.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::Actor;
use crate::ids::{OrganisationId, QuestionId, QuoteId, SourcingRequestId, UserId};
use crate::sourcing::SourcingRequest;
use crate::sourcing::events::RequestEvent;
use crate::sourcing::matching::{Match, MatchStatus};
use crate::sourcing::money::Money;
use crate::sourcing::request::Attachment;
use crate::{DomainError, ValidationErrors, validation};

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
    /// Opening a request invites every approved match, and needs at least
    /// one (409 `no_approved_matches`).
    pub fn of_approved(
        request: SourcingRequestId,
        matches: &[Match],
        now: DateTime<Utc>,
    ) -> Result<Vec<Self>, DomainError> {
        let invited: Vec<Self> = matches
            .iter()
            .filter(|m| m.status == MatchStatus::Approved)
            .map(|m| Self {
                request,
                supplier: m.supplier,
                status: InvitationStatus::Invited,
                decline_reason: None,
                shortlisted: false,
                outcome: None,
                invited_at: now,
                responded_at: None,
            })
            .collect();
        if invited.is_empty() {
            return Err(DomainError::InvalidState {
                code: "no_approved_matches".to_owned(),
                message: "approve at least one match before opening the request".to_owned(),
            });
        }
        Ok(invited)
    }

    /// A withdrawn invitation takes no answer, question or decline, even
    /// after the supplier is reinstated.
    pub fn ensure_current(&self) -> Result<(), DomainError> {
        if self.status == InvitationStatus::Withdrawn {
            Err(DomainError::InvalidState {
                code: "invitation_withdrawn".to_owned(),
                message: "the cluster withdrew this invitation when it suspended your organisation"
                    .to_owned(),
            })
        } else {
            Ok(())
        }
    }

    /// Whether [`Self::decline`] would be accepted now, whatever the reason.
    pub fn accepts_decline(
        &self,
        request: &SourcingRequest,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        self.ensure_current()?;
        request.accepts_answers(now)
    }

    /// Whether [`Self::quote`] would be accepted now from `by`, whatever the
    /// terms.
    pub fn accepts_quote(
        &self,
        by: &Actor,
        request: &SourcingRequest,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        self.ensure_current()?;
        by.require_verified_email("quoting")?;
        request.accepts_answers(now)
    }

    /// Whether [`Self::ask`] would be accepted now from `by`, whatever the
    /// question.
    pub fn accepts_question(
        &self,
        by: &Actor,
        request: &SourcingRequest,
        asked_so_far: usize,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        self.ensure_current()?;
        by.require_verified_email("asking the buyer a question")?;
        request.accepts_answers(now)?;
        may_ask_another(asked_so_far)
    }

    /// The supplier declines, saying why: only on its current invitation,
    /// while the request takes answers.
    pub fn decline(
        &mut self,
        request: &SourcingRequest,
        reason: String,
        now: DateTime<Utc>,
    ) -> Result<RequestEvent, DomainError> {
        self.accepts_decline(request, now)?;
        self.status = InvitationStatus::Declined;
        self.decline_reason = Some(reason.clone());
        self.responded_at = Some(now);
        Ok(RequestEvent::Declined {
            supplier: self.supplier,
            reason,
        })
    }

    /// The supplier quotes (or revises its quote, or quotes after having
    /// declined): only on its current invitation, with a verified email,
    /// while the request takes answers. The quote is numbered once the
    /// supplier's previous quotes are read ([`UnnumberedQuote::after`]).
    pub fn quote(
        &mut self,
        by: &Actor,
        request: &SourcingRequest,
        terms: QuoteTerms,
        now: DateTime<Utc>,
    ) -> Result<UnnumberedQuote, DomainError> {
        self.accepts_quote(by, request, now)?;
        self.status = InvitationStatus::Answered;
        self.decline_reason = None;
        self.responded_at = Some(now);
        Ok(UnnumberedQuote {
            request: self.request,
            supplier: self.supplier,
            terms,
            submitted_by: by.user_id,
            now,
        })
    }

    /// The supplier asks the buyer a clarification question: only on its
    /// current invitation, with a verified email, while the request takes
    /// answers, and at most [`MAX_QUESTIONS_PER_SUPPLIER`] times
    /// (`asked_so_far` is how many it asked already).
    pub fn ask(
        &self,
        by: &Actor,
        request: &SourcingRequest,
        asked_so_far: usize,
        question: String,
        now: DateTime<Utc>,
    ) -> Result<(Question, RequestEvent), DomainError> {
        self.accepts_question(by, request, asked_so_far, now)?;
        let event = RequestEvent::QuestionAsked {
            supplier: self.supplier,
            question: question.clone(),
        };
        let asked = Question {
            id: QuestionId::new(),
            request: self.request,
            asked_by_supplier: self.supplier,
            asked_by: by.user_id,
            question,
            answer: None,
            answered_by: None,
            answered_at: None,
            created_at: now,
        };
        Ok((asked, event))
    }

    /// The buyer puts the answer on its shortlist or takes it off (the
    /// request's state is checked by
    /// [`SourcingRequest::accepts_shortlisting`] before the answer is
    /// looked for).
    pub fn shortlist(&mut self, shortlisted: bool) -> RequestEvent {
        self.shortlisted = shortlisted;
        RequestEvent::Shortlisted {
            supplier: self.supplier,
            shortlisted,
        }
    }

    /// Ends the supplier's part in `request` when it still runs (open, or
    /// closed and not awarded yet); `None` when there is nothing to end (it
    /// declined, has an outcome, or was already withdrawn).
    pub fn withdraw(
        &mut self,
        request: &SourcingRequest,
        now: DateTime<Utc>,
    ) -> Option<RequestEvent> {
        let pending = matches!(
            self.status,
            InvitationStatus::Invited | InvitationStatus::Answered
        );
        if !request.running() || !pending || self.outcome.is_some() {
            return None;
        }
        self.status = InvitationStatus::Withdrawn;
        self.shortlisted = false;
        self.responded_at = Some(now);
        Some(RequestEvent::SupplierWithdrawn {
            supplier: self.supplier,
        })
    }
}

/// A quote accepted but not numbered yet: its revision follows the
/// supplier's latest quote, read after the invitation is written (which
/// locks it, so concurrent revisions number themselves one after the other).
#[derive(Debug)]
#[must_use = "number the quote with `after` and save it"]
pub struct UnnumberedQuote {
    request: SourcingRequestId,
    supplier: OrganisationId,
    terms: QuoteTerms,
    submitted_by: UserId,
    now: DateTime<Utc>,
}

impl UnnumberedQuote {
    /// The quote numbered after `latest` (the supplier's latest quote on
    /// this request, if any): revision 1 for a first answer.
    pub fn after(self, latest: Option<&Quote>) -> (Quote, RequestEvent) {
        let revision = latest.map_or(1, |q| q.revision + 1);
        let quote = Quote {
            id: QuoteId::new(),
            request: self.request,
            supplier: self.supplier,
            revision,
            price: self.terms.price,
            lead_time_days: self.terms.lead_time_days,
            valid_until: self.terms.valid_until,
            message: self.terms.message,
            attachments: self.terms.attachments,
            submitted_by: self.submitted_by,
            created_at: self.now,
        };
        let event = RequestEvent::Quoted {
            supplier: self.supplier,
            revision,
            price: quote.price,
        };
        (quote, event)
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
fn may_ask_another(asked: usize) -> Result<(), DomainError> {
    if asked >= MAX_QUESTIONS_PER_SUPPLIER {
        return Err(DomainError::Conflict {
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

impl Question {
    /// The buyer or an expert answers, once, while the request is open; the
    /// answer reaches every invited supplier.
    pub fn answer(
        &mut self,
        request: &SourcingRequest,
        by: UserId,
        answer: String,
        now: DateTime<Utc>,
    ) -> Result<RequestEvent, DomainError> {
        request.accepts_clarifications()?;
        if self.answer.is_some() {
            return Err(DomainError::InvalidState {
                code: "question_answered".to_owned(),
                message: "this question already has an answer".to_owned(),
            });
        }
        self.answer = Some(answer.clone());
        self.answered_by = Some(by);
        self.answered_at = Some(now);
        Ok(RequestEvent::QuestionAnswered {
            question: self.question.clone(),
            answer,
        })
    }
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
mod rules {
    use chrono::TimeDelta;

    use super::*;
    use crate::account::{Affiliation, OrgRole, PlatformRole};
    use crate::sourcing::RequestStatus;
    use crate::sourcing::request::tests::request;

    fn open_request() -> SourcingRequest {
        let mut r = request();
        r.status = RequestStatus::Open;
        r
    }

    fn invitation(request: &SourcingRequest, status: InvitationStatus) -> Invitation {
        Invitation {
            request: request.id,
            supplier: OrganisationId::new(),
            status,
            decline_reason: None,
            shortlisted: true,
            outcome: None,
            invited_at: Utc::now(),
            responded_at: None,
        }
    }

    fn supplier_user(invitation: &Invitation, email_verified: bool) -> Actor {
        Actor {
            user_id: UserId::new(),
            role: PlatformRole::Supplier,
            affiliation: Affiliation::Organisation {
                id: invitation.supplier,
                role: OrgRole::Member,
            },
            email_verified,
            organisation_suspended: false,
        }
    }

    fn terms() -> QuoteTerms {
        let today = Utc::now().date_naive();
        let valid = (today + TimeDelta::days(30)).to_string();
        QuoteTerms::parse("18400.00", "EUR", 45, &valid, "", vec![], today).unwrap()
    }

    fn code(error: DomainError) -> String {
        match error {
            DomainError::InvalidState { code, .. } => code,
            DomainError::Conflict { code, .. } => code.to_owned(),
            DomainError::EmailUnverified(_) => "email_unverified".to_owned(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn opening_invites_the_approved_matches_only_and_needs_one() {
        use crate::sourcing::matching::{Explanation, MatchDecision, MatchOrigin};
        let r = open_request();
        let now = Utc::now();
        let proposed = || {
            let explanation = Explanation {
                capabilities: vec![],
                certifications: vec![],
                sectors: vec![],
                region: None,
            };
            let (m, _) = Match::propose(
                r.id,
                OrganisationId::new(),
                MatchOrigin::Manual,
                0.0,
                explanation,
                None,
                UserId::new(),
                now,
            )
            .unwrap();
            m
        };
        let (mut approved, mut discarded) = (proposed(), proposed());
        let _approval = approved.decide(MatchDecision::Approve, UserId::new(), None, None, now);
        let _discard = discarded.decide(MatchDecision::Discard, UserId::new(), None, None, now);
        let matches = [approved.clone(), discarded.clone(), proposed()];
        let invited = Invitation::of_approved(r.id, &matches, now).unwrap();
        assert_eq!(invited.len(), 1);
        assert_eq!(invited[0].supplier, approved.supplier);
        assert_eq!(invited[0].status, InvitationStatus::Invited);
        assert_eq!(
            code(Invitation::of_approved(r.id, &matches[1..], now).unwrap_err()),
            "no_approved_matches"
        );
    }

    #[test]
    fn a_decline_keeps_its_reason_and_is_recorded_with_it() {
        let r = open_request();
        let mut inv = invitation(&r, InvitationStatus::Invited);
        let now = Utc::now();
        let event = inv.decline(&r, "carnet plein".to_owned(), now).unwrap();
        assert_eq!(inv.status, InvitationStatus::Declined);
        assert_eq!(inv.decline_reason.as_deref(), Some("carnet plein"));
        assert_eq!(inv.responded_at, Some(now));
        assert_eq!(
            event,
            RequestEvent::Declined {
                supplier: inv.supplier,
                reason: "carnet plein".to_owned()
            }
        );
    }

    #[test]
    fn suppliers_answer_only_an_open_request_before_its_deadline() {
        let now = Utc::now();
        let mut closed = open_request();
        closed.status = RequestStatus::Closed;
        let mut inv = invitation(&closed, InvitationStatus::Invited);
        let who = supplier_user(&inv, true);
        assert_eq!(
            code(inv.decline(&closed, "x".to_owned(), now).unwrap_err()),
            "request_closed"
        );
        assert_eq!(
            code(inv.quote(&who, &closed, terms(), now).unwrap_err()),
            "request_closed"
        );
        let late = now + TimeDelta::days(30);
        let open = open_request();
        assert_eq!(
            code(inv.quote(&who, &open, terms(), late).unwrap_err()),
            "deadline_passed"
        );
        assert_eq!(
            code(inv.ask(&who, &open, 0, "?".to_owned(), late).unwrap_err()),
            "deadline_passed"
        );
        assert_eq!(inv.status, InvitationStatus::Invited, "nothing changed");
    }

    #[test]
    fn a_withdrawn_invitation_takes_nothing_even_from_a_verified_supplier() {
        let r = open_request();
        let mut inv = invitation(&r, InvitationStatus::Withdrawn);
        let who = supplier_user(&inv, false);
        let now = Utc::now();
        // Withdrawn is said before the unverified address.
        assert_eq!(
            code(inv.quote(&who, &r, terms(), now).unwrap_err()),
            "invitation_withdrawn"
        );
        assert_eq!(
            code(inv.ask(&who, &r, 0, "?".to_owned(), now).unwrap_err()),
            "invitation_withdrawn"
        );
        assert_eq!(
            code(inv.decline(&r, "x".to_owned(), now).unwrap_err()),
            "invitation_withdrawn"
        );
    }

    #[test]
    fn quoting_and_asking_need_a_verified_address() {
        let r = open_request();
        let mut inv = invitation(&r, InvitationStatus::Invited);
        let who = supplier_user(&inv, false);
        let now = Utc::now();
        assert_eq!(
            code(inv.quote(&who, &r, terms(), now).unwrap_err()),
            "email_unverified"
        );
        assert_eq!(
            code(inv.ask(&who, &r, 0, "?".to_owned(), now).unwrap_err()),
            "email_unverified"
        );
    }

    #[test]
    fn a_quote_after_a_decline_answers_and_each_revision_is_numbered_after_the_last() {
        let r = open_request();
        let mut inv = invitation(&r, InvitationStatus::Declined);
        inv.decline_reason = Some("carnet plein".to_owned());
        let who = supplier_user(&inv, true);
        let now = Utc::now();
        let (first, event) = inv.quote(&who, &r, terms(), now).unwrap().after(None);
        assert_eq!(inv.status, InvitationStatus::Answered);
        assert_eq!(inv.decline_reason, None);
        assert_eq!(first.revision, 1);
        assert_eq!(first.submitted_by, who.user_id);
        assert!(matches!(event, RequestEvent::Quoted { revision: 1, .. }));
        let (second, event) = inv
            .quote(&who, &r, terms(), now)
            .unwrap()
            .after(Some(&first));
        assert_eq!(second.revision, 2);
        assert_ne!(second.id, first.id);
        assert_eq!(
            event,
            RequestEvent::Quoted {
                supplier: inv.supplier,
                revision: 2,
                price: first.price
            }
        );
    }

    #[test]
    fn a_supplier_asks_at_most_twenty_questions_and_its_question_names_it() {
        let r = open_request();
        let inv = invitation(&r, InvitationStatus::Invited);
        let who = supplier_user(&inv, true);
        let now = Utc::now();
        let (q, event) = inv
            .ask(
                &who,
                &r,
                MAX_QUESTIONS_PER_SUPPLIER - 1,
                "Tolérances ?".to_owned(),
                now,
            )
            .unwrap();
        assert_eq!(q.asked_by_supplier, inv.supplier);
        assert_eq!(q.asked_by, who.user_id);
        assert_eq!(q.answer, None);
        assert!(matches!(event, RequestEvent::QuestionAsked { .. }));
        assert_eq!(
            code(
                inv.ask(&who, &r, MAX_QUESTIONS_PER_SUPPLIER, "?".to_owned(), now)
                    .unwrap_err()
            ),
            "question_limit_reached"
        );
    }

    #[test]
    fn a_question_is_answered_once_and_only_while_the_request_is_open() {
        let r = open_request();
        let inv = invitation(&r, InvitationStatus::Invited);
        let who = supplier_user(&inv, true);
        let now = Utc::now();
        let (mut q, _) = inv
            .ask(&who, &r, 0, "Tolérances ?".to_owned(), now)
            .unwrap();
        let buyer = UserId::new();
        let mut closed = r.clone();
        closed.status = RequestStatus::Closed;
        assert_eq!(
            code(
                q.answer(&closed, buyer, "±0,01".to_owned(), now)
                    .unwrap_err()
            ),
            "request_closed"
        );
        let event = q.answer(&r, buyer, "±0,01".to_owned(), now).unwrap();
        assert_eq!(q.answer.as_deref(), Some("±0,01"));
        assert_eq!(q.answered_by, Some(buyer));
        assert_eq!(
            event,
            RequestEvent::QuestionAnswered {
                question: "Tolérances ?".to_owned(),
                answer: "±0,01".to_owned()
            }
        );
        assert_eq!(
            code(q.answer(&r, buyer, "autre".to_owned(), now).unwrap_err()),
            "question_answered"
        );
    }

    #[test]
    fn a_suspension_withdraws_pending_invitations_of_running_requests_only() {
        let now = Utc::now();
        let running = open_request();
        for status in [InvitationStatus::Invited, InvitationStatus::Answered] {
            let mut pending = invitation(&running, status);
            assert_eq!(
                pending.withdraw(&running, now),
                Some(RequestEvent::SupplierWithdrawn {
                    supplier: pending.supplier
                })
            );
            assert_eq!(pending.status, InvitationStatus::Withdrawn);
            assert!(!pending.shortlisted);
            assert!(pending.ensure_current().is_err());
            assert_eq!(pending.withdraw(&running, now), None, "once");
        }
        let mut awarded = open_request();
        awarded.status = RequestStatus::Awarded;
        let mut inv = invitation(&awarded, InvitationStatus::Invited);
        assert_eq!(inv.withdraw(&awarded, now), None);
        let mut declined = invitation(&running, InvitationStatus::Declined);
        assert_eq!(declined.withdraw(&running, now), None);
        let mut decided = invitation(&running, InvitationStatus::Answered);
        decided.outcome = Some(Outcome::Awarded);
        assert_eq!(decided.withdraw(&running, now), None);
        assert!(
            invitation(&running, InvitationStatus::Invited)
                .ensure_current()
                .is_ok()
        );
    }
}
