//! The sourcing request and its state machine.
//!
//! ```text
//! draft ──submit──▶ submitted ──qualify──▶ qualified ──open──▶ open ──close──▶ closed ──award──▶ awarded
//!   ▲                  │  │                                     (deadline or buyer)
//!   └─changes_requested◀┘  └──reject──▶ rejected
//! any state before award (except rejected) ──cancel──▶ cancelled
//! ```
//!
//! A buyer may draft and submit with words only: capabilities are optional
//! until qualification, which needs at least one. While a request is
//! submitted, the experts may recode its requirements (capabilities,
//! certifications, sectors, region): [`SourcingRequest::recode`].

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::account::Language;
use crate::auth::Actor;
use crate::certification::CertificationTypeCode;
use crate::error::DomainError;
use crate::ids::{OrganisationId, SourcingRequestId, UserId};
use crate::profile::Sector;
use crate::sourcing::answers::{Invitation, InvitationStatus, Outcome};
use crate::sourcing::events::RequestEvent;
use crate::sourcing::money::{Currency, Money};
use crate::taxonomy::CapabilityCode;
use crate::validation::{self, Validated, ValidationErrors, invalid};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Draft,
    Submitted,
    Qualified,
    ChangesRequested,
    Rejected,
    Open,
    Closed,
    Awarded,
    Cancelled,
}

impl RequestStatus {
    pub const ALL: [Self; 9] = [
        Self::Draft,
        Self::Submitted,
        Self::Qualified,
        Self::ChangesRequested,
        Self::Rejected,
        Self::Open,
        Self::Closed,
        Self::Awarded,
        Self::Cancelled,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Qualified => "qualified",
            Self::ChangesRequested => "changes_requested",
            Self::Rejected => "rejected",
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Awarded => "awarded",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// Who acts on a request, as far as the state machine is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// A user of the buyer organisation that owns the request.
    Buyer,
    /// The cluster's back office.
    Expert,
    /// The platform itself (the deadline job).
    System,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Submit,
    Qualify,
    RequestChanges,
    Reject,
    Open,
    Close,
    Award,
    Cancel,
}

use Party::{Buyer, Expert, System};
use RequestStatus as S;

impl Action {
    /// Who may take this step, from which states, to which state.
    const fn rule(self) -> (&'static [Party], &'static [RequestStatus], RequestStatus) {
        match self {
            Self::Submit => (&[Buyer], &[S::Draft, S::ChangesRequested], S::Submitted),
            Self::Qualify => (&[Expert], &[S::Submitted], S::Qualified),
            Self::RequestChanges => (&[Expert], &[S::Submitted], S::ChangesRequested),
            Self::Reject => (&[Expert], &[S::Submitted], S::Rejected),
            Self::Open => (&[Expert], &[S::Qualified], S::Open),
            Self::Close => (&[Buyer, Expert, System], &[S::Open], S::Closed),
            Self::Award => (&[Buyer], &[S::Closed], S::Awarded),
            Self::Cancel => (
                &[Buyer, Expert],
                &[
                    S::Draft,
                    S::Submitted,
                    S::Qualified,
                    S::ChangesRequested,
                    S::Open,
                    S::Closed,
                ],
                S::Cancelled,
            ),
        }
    }

    /// Steps that need a comment: the buyer must know why.
    pub const fn comment_required(self) -> bool {
        matches!(self, Self::RequestChanges | Self::Reject)
    }

    /// What the step asks of the caller beyond being the right party:
    /// submitting reaches the experts, so it needs a proven address.
    pub fn require_standing(self, actor: &Actor) -> Result<(), DomainError> {
        match self {
            Self::Submit => actor.require_verified_email("submitting a request"),
            _ => Ok(()),
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Qualify => "qualify",
            Self::RequestChanges => "request changes on",
            Self::Reject => "reject",
            Self::Open => "open",
            Self::Close => "close",
            Self::Award => "award",
            Self::Cancel => "cancel",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificationRequirement {
    pub code: CertificationTypeCode,
    /// Mandatory: suppliers without it are excluded from candidates unless an
    /// expert overrides. Otherwise only desirable.
    pub mandatory: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    pub min: Option<Money>,
    pub max: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    pub content_type: Option<String>,
    pub size_bytes: Option<u64>,
    /// Where the file is kept (a document management reference or URL).
    pub reference: String,
}

/// What the buyer needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestContent {
    pub title: String,
    pub description: String,
    pub capabilities: Vec<CapabilityCode>,
    pub certifications: Vec<CertificationRequirement>,
    pub sectors: Vec<Sector>,
    /// Quantities and volumes, as the buyer words them ("5 000 pièces/an").
    pub quantities: Option<String>,
    pub budget: Option<Budget>,
    pub desired_delivery: Option<NaiveDate>,
    pub response_deadline: DateTime<Utc>,
    /// e.g. "France or EU", "within 200 km of Dijon", or a region name.
    pub location_constraints: Option<String>,
    /// Preferred region for the supplier (used to rank candidates).
    pub region: Option<String>,
    pub language: Language,
    /// Hide the buyer's identity from suppliers until revealed or awarded.
    pub confidential: bool,
    /// Show the budget to invited suppliers (the buyer's choice; hidden by
    /// default).
    #[serde(default)]
    pub budget_visible: bool,
    pub nda_required: bool,
    pub attachments: Vec<Attachment>,
}

pub struct RequestInput<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub requirements: RequirementsInput<'a>,
    pub quantities: Option<&'a str>,
    pub budget_min: Option<&'a str>,
    pub budget_max: Option<&'a str>,
    pub currency: Option<&'a str>,
    pub desired_delivery: Option<&'a str>,
    pub response_deadline: DateTime<Utc>,
    pub location_constraints: Option<&'a str>,
    pub language: Option<&'a str>,
    pub confidential: bool,
    pub budget_visible: bool,
    pub nda_required: bool,
    pub attachments: Vec<AttachmentInput<'a>>,
}

pub struct AttachmentInput<'a> {
    pub name: &'a str,
    pub content_type: Option<&'a str>,
    pub size_bytes: Option<u64>,
    pub reference: &'a str,
}

impl RequestContent {
    /// The need in the buyer's own words: title, description and quantities,
    /// for the capability index and the suggester to read.
    pub fn in_words(&self) -> String {
        [
            Some(&self.title),
            Some(&self.description),
            self.quantities.as_ref(),
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("\n")
    }

    /// How far ahead a response deadline may be: suppliers answer within
    /// weeks, and a date centuries ahead is a typo or a probe.
    pub const MAX_DEADLINE_AHEAD: chrono::TimeDelta = chrono::TimeDelta::days(2 * 366);

    pub fn parse(
        input: &RequestInput<'_>,
        now: DateTime<Utc>,
        known_capability: impl Fn(&CapabilityCode) -> bool,
        known_certification: impl Fn(&CertificationTypeCode) -> bool,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        // Refused at once rather than at submission: a draft with a passed
        // deadline could never be submitted.
        if input.response_deadline <= now {
            errors.add(
                "response_deadline",
                "in_the_past",
                "the response deadline has passed; set a later one",
            );
        }
        if input.response_deadline > now + Self::MAX_DEADLINE_AHEAD {
            errors.add(
                "response_deadline",
                "too_far_ahead",
                "the response deadline is at most two years ahead",
            );
        }
        let title = errors.check("title", validation::line(input.title, 3, 200));
        let description = errors.check(
            "description",
            validation::text(input.description, 1, 10_000),
        );
        let requirements = Requirements::check(
            &mut errors,
            &input.requirements,
            known_capability,
            known_certification,
        );
        errors.at_most("attachments", &input.attachments, 20);
        let quantities = errors.check(
            "quantities",
            validation::optional_text(input.quantities, 1000),
        );
        let budget = errors.check(
            "budget",
            parse_budget(input.budget_min, input.budget_max, input.currency),
        );
        let desired_delivery = errors.check(
            "desired_delivery",
            input
                .desired_delivery
                .map(crate::certification::parse_date)
                .transpose(),
        );
        let location_constraints = errors.check(
            "location_constraints",
            validation::optional_text(input.location_constraints, 500),
        );
        let language = errors.check(
            "language",
            crate::registration::parse_language(input.language),
        );
        let attachments: Vec<Attachment> = input
            .attachments
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                let field = format!("attachments[{i}]");
                let name = errors.check(&format!("{field}.name"), validation::text(a.name, 1, 255));
                let content_type = errors.check(
                    &format!("{field}.content_type"),
                    validation::optional_text(a.content_type, 100),
                );
                let reference = errors.check(
                    &format!("{field}.reference"),
                    validation::text(a.reference, 1, 1000),
                );
                let size_bytes = errors.check(
                    &format!("{field}.size_bytes"),
                    validation::byte_size(a.size_bytes),
                );
                Some(Attachment {
                    name: name?,
                    content_type: content_type?,
                    size_bytes: size_bytes?,
                    reference: reference?,
                })
            })
            .collect();
        match (
            title,
            description,
            requirements,
            quantities,
            budget,
            desired_delivery,
            location_constraints,
            language,
        ) {
            (
                Some(title),
                Some(description),
                Some(Requirements {
                    capabilities,
                    certifications,
                    sectors,
                    region,
                }),
                Some(quantities),
                Some(budget),
                Some(desired_delivery),
                Some(location_constraints),
                Some(language),
            ) if errors.is_empty() => Ok(Self {
                title,
                description,
                capabilities,
                certifications,
                sectors,
                quantities,
                budget,
                desired_delivery,
                response_deadline: input.response_deadline,
                location_constraints,
                region,
                language,
                confidential: input.confidential,
                budget_visible: input.budget_visible,
                nda_required: input.nda_required,
                attachments,
            }),
            _ => Err(errors),
        }
    }

    /// What suppliers are matched on.
    pub fn requirements(&self) -> Requirements {
        Requirements {
            capabilities: self.capabilities.clone(),
            certifications: self.certifications.clone(),
            sectors: self.sectors.clone(),
            region: self.region.clone(),
        }
    }

    pub fn mandatory_certifications(&self) -> impl Iterator<Item = &CertificationTypeCode> {
        self.certifications
            .iter()
            .filter(|c| c.mandatory)
            .map(|c| &c.code)
    }
}

/// What suppliers are matched on: the part of a request that the experts
/// may recode while qualifying it. A draft or a submitted request may name
/// no capability (the buyer's words say what is needed); qualifying needs
/// at least one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirements {
    pub capabilities: Vec<CapabilityCode>,
    pub certifications: Vec<CertificationRequirement>,
    pub sectors: Vec<Sector>,
    pub region: Option<String>,
}

pub struct RequirementsInput<'a> {
    pub capabilities: Vec<&'a str>,
    /// (certification type code, mandatory).
    pub certifications: Vec<(&'a str, bool)>,
    pub sectors: Vec<&'a str>,
    pub region: Option<&'a str>,
}

impl Requirements {
    pub fn parse(
        input: &RequirementsInput<'_>,
        known_capability: impl Fn(&CapabilityCode) -> bool,
        known_certification: impl Fn(&CertificationTypeCode) -> bool,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        match Self::check(&mut errors, input, known_capability, known_certification) {
            Some(requirements) if errors.is_empty() => Ok(requirements),
            _ => Err(errors),
        }
    }

    /// Adds every failing field to `errors` (`capabilities[0]`,
    /// `certifications[1].code`, `sectors[0]`, `region`); duplicates are
    /// dropped. `None` when a field could not be read at all.
    fn check(
        errors: &mut ValidationErrors,
        input: &RequirementsInput<'_>,
        known_capability: impl Fn(&CapabilityCode) -> bool,
        known_certification: impl Fn(&CertificationTypeCode) -> bool,
    ) -> Option<Self> {
        errors.at_most("capabilities", &input.capabilities, 30);
        errors.at_most("certifications", &input.certifications, 20);
        errors.at_most("sectors", &input.sectors, 10);
        let mut capabilities = Vec::new();
        for (i, raw) in input.capabilities.iter().enumerate() {
            let field = format!("capabilities[{i}]");
            match errors.check(&field, CapabilityCode::parse(raw)) {
                Some(code) if !known_capability(&code) => {
                    errors.add(
                        field,
                        "unknown_capability",
                        format!("{code} is not in the taxonomy"),
                    );
                }
                Some(code) if !capabilities.contains(&code) => capabilities.push(code),
                _ => {}
            }
        }
        let mut certifications: Vec<CertificationRequirement> = Vec::new();
        for (i, (raw, mandatory)) in input.certifications.iter().enumerate() {
            let field = format!("certifications[{i}].code");
            match errors.check(&field, CertificationTypeCode::parse(raw)) {
                Some(code) if !known_certification(&code) => {
                    errors.add(
                        field,
                        "unknown_certification_type",
                        format!("{} is not a certification type", code.as_str()),
                    );
                }
                Some(code) if !certifications.iter().any(|c| c.code == code) => {
                    certifications.push(CertificationRequirement {
                        code,
                        mandatory: *mandatory,
                    });
                }
                _ => {}
            }
        }
        let mut sectors = Vec::new();
        for (i, raw) in input.sectors.iter().enumerate() {
            if let Some(sector) = errors.check(&format!("sectors[{i}]"), Sector::parse(raw))
                && !sectors.contains(&sector)
            {
                sectors.push(sector);
            }
        }
        let region = errors.check("region", validation::optional_text(input.region, 100))?;
        Some(Self {
            capabilities,
            certifications,
            sectors,
            region,
        })
    }

    /// What differs from `self` to `after`, field by field, in the order
    /// capabilities, certifications, sectors, region.
    pub fn changes_to(&self, after: &Self) -> Vec<RequirementChange> {
        fn list<T>(items: &[T], show: impl Fn(&T) -> String) -> String {
            if items.is_empty() {
                NONE.to_owned()
            } else {
                items.iter().map(show).collect::<Vec<_>>().join(", ")
            }
        }
        let certification = |c: &CertificationRequirement| {
            let kind = if c.mandatory {
                "mandatory"
            } else {
                "desirable"
            };
            format!("{} ({kind})", c.code.as_str())
        };
        let region = |r: &Option<String>| r.clone().unwrap_or_else(|| NONE.to_owned());
        let mut changes = Vec::new();
        let mut compare = |field: &'static str, differs: bool, before: String, after: String| {
            if differs {
                changes.push(RequirementChange {
                    field,
                    before,
                    after,
                });
            }
        };
        compare(
            "capabilities",
            self.capabilities != after.capabilities,
            list(&self.capabilities, ToString::to_string),
            list(&after.capabilities, ToString::to_string),
        );
        compare(
            "certifications",
            self.certifications != after.certifications,
            list(&self.certifications, certification),
            list(&after.certifications, certification),
        );
        compare(
            "sectors",
            self.sectors != after.sectors,
            list(&self.sectors, |s| s.as_str().to_owned()),
            list(&after.sectors, |s| s.as_str().to_owned()),
        );
        compare(
            "region",
            self.region != after.region,
            region(&self.region),
            region(&after.region),
        );
        changes
    }
}

/// How an empty list or an absent region reads in a change.
const NONE: &str = "(none)";

/// One requirement recoded, as the request's history shows it:
/// `capabilities: machining.milling → machining.milling, surface.electropolishing`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

impl std::fmt::Display for RequirementChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} → {}", self.field, self.before, self.after)
    }
}

fn parse_budget(
    min: Option<&str>,
    max: Option<&str>,
    currency: Option<&str>,
) -> Validated<Option<Budget>> {
    if min.is_none() && max.is_none() {
        return Ok(None);
    }
    let Some(currency) = currency else {
        return invalid("currency_required", "a budget needs its currency, e.g. EUR");
    };
    Currency::parse(currency)?;
    let min = min.map(|m| Money::parse(m, currency)).transpose()?;
    let max = max.map(|m| Money::parse(m, currency)).transpose()?;
    if let (Some(min), Some(max)) = (min, max)
        && min.minor_units > max.minor_units
    {
        return invalid("min_above_max", "the budget's minimum is above its maximum");
    }
    Ok(Some(Budget { min, max }))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcingRequest {
    pub id: SourcingRequestId,
    pub buyer: OrganisationId,
    pub created_by: UserId,
    pub status: RequestStatus,
    pub content: RequestContent,
    /// Buyer chose to show its identity to invited suppliers.
    pub identity_revealed: bool,
    /// Incremented on every change; clients send it back in `If-Match`.
    pub version: i64,
    pub submitted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A step of the state machine, for the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: RequestStatus,
    pub to: RequestStatus,
}

pub fn wrong_state(status: RequestStatus, action: &str) -> DomainError {
    DomainError::InvalidState {
        code: format!("request_{}", status.as_str()),
        message: format!(
            "cannot {action} a request that is {}",
            status.as_str().replace('_', " ")
        ),
    }
}

impl SourcingRequest {
    /// A buyer drafts a request.
    pub fn create(
        buyer: OrganisationId,
        created_by: UserId,
        content: RequestContent,
        now: DateTime<Utc>,
    ) -> (Self, RequestEvent) {
        (
            Self::new(buyer, created_by, content, now),
            RequestEvent::Created,
        )
    }

    pub(crate) fn new(
        buyer: OrganisationId,
        created_by: UserId,
        content: RequestContent,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: SourcingRequestId::new(),
            buyer,
            created_by,
            status: RequestStatus::Draft,
            content,
            identity_revealed: false,
            version: 1,
            submitted_at: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// Whether an invited supplier whose answer ended with `outcome` sees
    /// who the buyer is: always unless the request is confidential; then
    /// once the buyer reveals itself, or to the suppliers it awarded (never
    /// to those that declined or lost).
    pub fn buyer_visible_to_supplier(&self, outcome: Option<Outcome>) -> bool {
        !self.content.confidential
            || self.identity_revealed
            || (self.status == RequestStatus::Awarded && outcome == Some(Outcome::Awarded))
    }

    /// Whether some invited supplier knows who the buyer is: those the
    /// request is not confidential to, or revealed to, or awarded.
    pub fn buyer_known_to_suppliers(&self) -> bool {
        !self.content.confidential
            || self.identity_revealed
            || self.status == RequestStatus::Awarded
    }

    /// Whether invited suppliers see the budget: the buyer's choice.
    pub const fn budget_visible_to_suppliers(&self) -> bool {
        self.content.budget_visible
    }

    /// Takes the step `action` for `party`, with the step's comment (the
    /// award has its own method, [`Self::award`]).
    pub fn take(
        &mut self,
        action: Action,
        party: Party,
        comment: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<RequestEvent, DomainError> {
        let transition = self.apply(action, party, now)?;
        Ok(RequestEvent::Stepped {
            action,
            transition,
            comment,
        })
    }

    /// The deadline job closes an open request whose deadline has passed.
    pub fn close_at_deadline(&mut self, now: DateTime<Utc>) -> Result<RequestEvent, DomainError> {
        self.take(
            Action::Close,
            Party::System,
            Some("response deadline reached".to_owned()),
            now,
        )
    }

    /// The buyer awards `winners`, each of which must have quoted
    /// (`supplier_ids[i]` names the first that did not); every other
    /// invited supplier is not selected. The state is checked first:
    /// awarding a request that is not closed is refused whatever the
    /// winners. Nothing changes when it is refused.
    pub fn award(
        &mut self,
        party: Party,
        winners: &[OrganisationId],
        invitations: &mut [Invitation],
        now: DateTime<Utc>,
    ) -> Result<RequestEvent, DomainError> {
        if party != Party::Buyer {
            return Err(DomainError::Forbidden("only the buyer awards"));
        }
        let mut awarded = self.clone();
        let transition = awarded.apply(Action::Award, party, now)?;
        for (i, winner) in winners.iter().enumerate() {
            let quoted = invitations
                .iter()
                .any(|inv| inv.supplier == *winner && inv.status == InvitationStatus::Answered);
            if !quoted {
                return Err(ValidationErrors::single(
                    format!("supplier_ids[{i}]"),
                    "not_an_answer",
                    "award only suppliers that quoted on this request",
                )
                .into());
            }
        }
        let outcomes = invitations
            .iter_mut()
            .map(|invitation| {
                let outcome = if winners.contains(&invitation.supplier) {
                    Outcome::Awarded
                } else {
                    Outcome::NotSelected
                };
                invitation.outcome = Some(outcome);
                (invitation.supplier, outcome)
            })
            .collect();
        *self = awarded;
        Ok(RequestEvent::Awarded {
            transition,
            outcomes,
        })
    }

    /// The buyer shortlists answers while the request runs (open, or closed
    /// and not awarded yet).
    pub fn accepts_shortlisting(&self) -> Result<(), DomainError> {
        if self.running() {
            Ok(())
        } else {
            Err(wrong_state(self.status, "shortlist on"))
        }
    }

    /// Whether invited suppliers still take part: open, or closed and not
    /// awarded yet.
    pub fn running(&self) -> bool {
        matches!(self.status, RequestStatus::Open | RequestStatus::Closed)
    }

    /// Takes `action` for `party`: refused with 403 for the wrong party and
    /// 409 (naming the state) for the wrong state.
    fn apply(
        &mut self,
        action: Action,
        party: Party,
        now: DateTime<Utc>,
    ) -> Result<Transition, DomainError> {
        let (parties, from_states, to) = action.rule();
        if !parties.contains(&party) {
            return Err(DomainError::Forbidden(
                "this step belongs to another party of the request",
            ));
        }
        if !from_states.contains(&self.status) {
            return Err(wrong_state(self.status, action.name()));
        }
        if matches!(action, Action::Submit | Action::Open) && self.content.response_deadline <= now
        {
            return Err(ValidationErrors::single(
                "response_deadline",
                "in_the_past",
                "the response deadline has passed; set a later one",
            )
            .into());
        }
        if action == Action::Qualify && self.content.capabilities.is_empty() {
            return Err(ValidationErrors::single(
                "capabilities",
                "capabilities_required",
                "qualifying needs at least one capability from the taxonomy: recode the request's requirements first",
            )
            .into());
        }
        if action == Action::Submit {
            self.submitted_at = Some(now);
        }
        let from = self.status;
        self.status = to;
        self.version += 1;
        self.updated_at = now;
        Ok(Transition { from, to })
    }

    /// Replaces the content: only the buyer, only before the experts have
    /// qualified it (draft or sent back), only from the current version.
    pub fn edit(
        &mut self,
        party: Party,
        expected_version: i64,
        content: RequestContent,
        now: DateTime<Utc>,
    ) -> Result<RequestEvent, DomainError> {
        if party != Party::Buyer {
            return Err(DomainError::Forbidden("only the buyer edits its request"));
        }
        if !matches!(
            self.status,
            RequestStatus::Draft | RequestStatus::ChangesRequested
        ) {
            return Err(wrong_state(self.status, "edit"));
        }
        if expected_version != self.version {
            return Err(DomainError::VersionMismatch {
                current: self.version,
            });
        }
        self.content = content;
        self.version += 1;
        self.updated_at = now;
        Ok(RequestEvent::Edited)
    }

    /// An expert recodes what suppliers are matched on (capabilities,
    /// certifications, sectors, region) while qualifying: only the back
    /// office, only while the request is submitted, only from the current
    /// version. Returns what changed, field by field (`None` when nothing
    /// did: not even the version changes when the requirements are the
    /// same).
    pub fn recode(
        &mut self,
        party: Party,
        expected_version: i64,
        requirements: Requirements,
        now: DateTime<Utc>,
    ) -> Result<Option<RequestEvent>, DomainError> {
        if party != Party::Expert {
            return Err(DomainError::Forbidden(
                "only the cluster's experts recode a request",
            ));
        }
        if self.status != RequestStatus::Submitted {
            return Err(wrong_state(self.status, "recode"));
        }
        if expected_version != self.version {
            return Err(DomainError::VersionMismatch {
                current: self.version,
            });
        }
        let changes = self.content.requirements().changes_to(&requirements);
        if !changes.is_empty() {
            let Requirements {
                capabilities,
                certifications,
                sectors,
                region,
            } = requirements;
            self.content.capabilities = capabilities;
            self.content.certifications = certifications;
            self.content.sectors = sectors;
            self.content.region = region;
            self.version += 1;
            self.updated_at = now;
        }
        Ok((!changes.is_empty()).then_some(RequestEvent::Recoded { changes }))
    }

    pub fn reveal_identity(
        &mut self,
        party: Party,
        now: DateTime<Utc>,
    ) -> Result<RequestEvent, DomainError> {
        if party != Party::Buyer {
            return Err(DomainError::Forbidden(
                "only the buyer reveals its identity",
            ));
        }
        self.identity_revealed = true;
        self.version += 1;
        self.updated_at = now;
        Ok(RequestEvent::IdentityRevealed)
    }

    /// The buyer (or an expert) answers clarification questions while the
    /// request is open, deadline passed or not; once it is closed, awarded
    /// or cancelled, the answer would reach suppliers who can no longer act
    /// on it.
    pub fn accepts_clarifications(&self) -> Result<(), DomainError> {
        if self.status != RequestStatus::Open {
            return Err(wrong_state(self.status, "answer a question on"));
        }
        Ok(())
    }

    /// The buyer attaches drawings and specifications while it may still
    /// edit the request (draft, or sent back for changes).
    pub fn attach_document(&self, party: Party, name: &str) -> Result<RequestEvent, DomainError> {
        self.documents_editable(party, "attach a document to")?;
        Ok(RequestEvent::DocumentAttached {
            name: name.to_owned(),
        })
    }

    /// The buyer deletes one of its request's documents under the same
    /// rule: once sent for qualification, the experts and suppliers may
    /// have read it.
    pub fn may_remove_document(&self, party: Party) -> Result<(), DomainError> {
        self.documents_editable(party, "delete a document of")
    }

    fn documents_editable(&self, party: Party, action: &str) -> Result<(), DomainError> {
        if party != Party::Buyer {
            return Err(DomainError::Forbidden(
                "only the buyer changes its request's documents",
            ));
        }
        if !matches!(
            self.status,
            RequestStatus::Draft | RequestStatus::ChangesRequested
        ) {
            return Err(wrong_state(self.status, action));
        }
        Ok(())
    }

    /// An invited supplier accepts the non-disclosure agreement of a request
    /// that asks for one (`nda_required`); accepting again changes nothing
    /// and records nothing (`None`).
    pub fn accept_nda(
        &self,
        supplier: OrganisationId,
        already_accepted: bool,
    ) -> Result<Option<RequestEvent>, DomainError> {
        if !self.content.nda_required {
            return Err(DomainError::Conflict {
                code: "nda_not_required",
                message: "this request asks for no non-disclosure agreement".to_owned(),
            });
        }
        Ok((!already_accepted).then_some(RequestEvent::NdaAccepted { supplier }))
    }

    /// Suppliers may answer, revise and ask until the deadline, while open.
    pub fn accepts_answers(&self, now: DateTime<Utc>) -> Result<(), DomainError> {
        if self.status != RequestStatus::Open {
            return Err(wrong_state(self.status, "answer"));
        }
        if self.content.response_deadline <= now {
            return Err(DomainError::InvalidState {
                code: "deadline_passed".to_owned(),
                message: "the response deadline has passed".to_owned(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::TimeDelta;

    use super::*;

    pub(crate) fn content(deadline: DateTime<Utc>) -> RequestContent {
        let input = RequestInput {
            title: "Micro-usinage titane",
            description: "Vis implantables",
            requirements: RequirementsInput {
                capabilities: vec!["machining.micro_machining"],
                certifications: vec![("iso_13485", true)],
                sectors: vec!["medtech"],
                region: Some("Bourgogne-Franche-Comté"),
            },
            quantities: Some("5 000 pièces / an"),
            budget_min: Some("10000"),
            budget_max: Some("25000.50"),
            currency: Some("EUR"),
            desired_delivery: Some("2027-03-01"),
            response_deadline: deadline,
            location_constraints: None,
            language: Some("fr"),
            confidential: true,
            budget_visible: false,
            nda_required: true,
            attachments: vec![],
        };
        // Written a day before its deadline (which may have passed since).
        RequestContent::parse(&input, deadline - TimeDelta::days(1), |_| true, |_| true).unwrap()
    }

    #[test]
    fn a_deadline_already_past_is_refused_when_written() {
        let now = Utc::now();
        let written = |deadline| {
            let mut input = RequestInput {
                title: "Micro-usinage titane",
                description: "Vis implantables",
                requirements: RequirementsInput {
                    capabilities: vec![],
                    certifications: vec![],
                    sectors: vec![],
                    region: None,
                },
                quantities: None,
                budget_min: None,
                budget_max: None,
                currency: None,
                desired_delivery: None,
                response_deadline: now,
                location_constraints: None,
                language: None,
                confidential: false,
                budget_visible: false,
                nda_required: false,
                attachments: vec![],
            };
            input.response_deadline = deadline;
            RequestContent::parse(&input, now, |_| true, |_| true)
        };
        for past in [now, now - TimeDelta::days(365 * 6)] {
            let errors = written(past).unwrap_err();
            assert_eq!(
                (errors.errors()[0].field.as_str(), errors.errors()[0].code),
                ("response_deadline", "in_the_past")
            );
        }
        assert!(written(now + TimeDelta::minutes(1)).is_ok());
    }

    pub(crate) fn request() -> SourcingRequest {
        let now = Utc::now();
        SourcingRequest::new(
            OrganisationId::new(),
            UserId::new(),
            content(now + TimeDelta::days(10)),
            now,
        )
    }

    #[test]
    fn documents_attach_while_the_buyer_may_edit_and_the_nda_is_accepted_once() {
        let mut r = request();
        assert!(matches!(
            r.attach_document(Party::Buyer, "plan.pdf"),
            Ok(RequestEvent::DocumentAttached { .. })
        ));
        assert!(matches!(
            r.attach_document(Party::Expert, "plan.pdf"),
            Err(DomainError::Forbidden(_))
        ));
        r.status = RequestStatus::Open;
        assert!(matches!(
            r.attach_document(Party::Buyer, "plan.pdf"),
            Err(DomainError::InvalidState { code, .. }) if code == "request_open"
        ));
        let supplier = OrganisationId::new();
        assert!(r.content.nda_required);
        assert_eq!(
            r.accept_nda(supplier, false).ok(),
            Some(Some(RequestEvent::NdaAccepted { supplier }))
        );
        assert_eq!(r.accept_nda(supplier, true).ok(), Some(None));
        r.content.nda_required = false;
        assert!(matches!(
            r.accept_nda(supplier, false),
            Err(DomainError::Conflict {
                code: "nda_not_required",
                ..
            })
        ));
    }

    #[test]
    fn an_attachment_size_beyond_int64_is_refused_with_its_field() {
        let attachment = |size| AttachmentInput {
            name: "plan.pdf",
            content_type: None,
            size_bytes: Some(size),
            reference: "ged://plans/42",
        };
        let input = |size| RequestInput {
            title: "Micro-usinage titane",
            description: "Vis implantables",
            requirements: RequirementsInput {
                capabilities: vec!["machining.micro_machining"],
                certifications: vec![],
                sectors: vec![],
                region: None,
            },
            quantities: None,
            budget_min: None,
            budget_max: None,
            currency: None,
            desired_delivery: None,
            response_deadline: Utc::now() + TimeDelta::days(10),
            location_constraints: None,
            language: None,
            confidential: false,
            budget_visible: false,
            nda_required: false,
            attachments: vec![attachment(size)],
        };
        let largest = i64::MAX.unsigned_abs();
        let kept = RequestContent::parse(&input(largest), Utc::now(), |_| true, |_| true).unwrap();
        assert_eq!(kept.attachments[0].size_bytes, Some(largest));
        let refused =
            RequestContent::parse(&input(largest + 1), Utc::now(), |_| true, |_| true).unwrap_err();
        assert_eq!(refused.errors()[0].field, "attachments[0].size_bytes");
        assert_eq!(refused.errors()[0].code, "out_of_range");
    }

    #[test]
    fn a_response_deadline_is_at_most_two_years_ahead() {
        let now = Utc::now();
        let input = |deadline| RequestInput {
            title: "Micro-usinage titane",
            description: "Vis implantables",
            requirements: RequirementsInput {
                capabilities: vec![],
                certifications: vec![],
                sectors: vec![],
                region: None,
            },
            quantities: None,
            budget_min: Some("0"),
            budget_max: Some("1000000000"),
            currency: Some("EUR"),
            desired_delivery: None,
            response_deadline: deadline,
            location_constraints: None,
            language: None,
            confidential: false,
            budget_visible: false,
            nda_required: false,
            attachments: vec![],
        };
        let within = now + TimeDelta::days(700);
        assert!(RequestContent::parse(&input(within), now, |_| true, |_| true).is_ok());
        let year_262142 = DateTime::from_timestamp(8_210_266_876_799, 0).unwrap();
        for deadline in [now + TimeDelta::days(2 * 366 + 1), year_262142] {
            let errors =
                RequestContent::parse(&input(deadline), now, |_| true, |_| true).unwrap_err();
            assert_eq!(errors.errors()[0].field, "response_deadline");
            assert_eq!(errors.errors()[0].code, "too_far_ahead");
        }
        let mut zzz = input(within);
        zzz.currency = Some("ZZZ");
        let errors = RequestContent::parse(&zzz, now, |_| true, |_| true).unwrap_err();
        assert_eq!(errors.errors()[0].field, "budget");
        assert_eq!(errors.errors()[0].code, "invalid_currency");
    }

    #[test]
    fn questions_are_answered_only_while_the_request_is_open() {
        let mut r = request();
        let now = Utc::now();
        assert!(
            r.accepts_clarifications().is_err(),
            "a draft has no questions"
        );
        for (action, party) in [
            (Action::Submit, Party::Buyer),
            (Action::Qualify, Party::Expert),
            (Action::Open, Party::Expert),
        ] {
            r.apply(action, party, now).unwrap();
        }
        assert!(r.accepts_clarifications().is_ok());
        r.apply(Action::Close, Party::Buyer, now).unwrap();
        assert!(matches!(
            r.accepts_clarifications(),
            Err(DomainError::InvalidState { code, .. }) if code == "request_closed"
        ));
    }

    #[test]
    fn the_happy_path_goes_from_draft_to_awarded() {
        let mut r = request();
        let now = Utc::now();
        for (action, party, to) in [
            (Action::Submit, Party::Buyer, RequestStatus::Submitted),
            (Action::Qualify, Party::Expert, RequestStatus::Qualified),
            (Action::Open, Party::Expert, RequestStatus::Open),
            (Action::Close, Party::System, RequestStatus::Closed),
            (Action::Award, Party::Buyer, RequestStatus::Awarded),
        ] {
            assert_eq!(r.apply(action, party, now).unwrap().to, to);
        }
        assert!(
            r.buyer_visible_to_supplier(Some(Outcome::Awarded)),
            "an award reveals the buyer to the awarded supplier"
        );
        assert!(
            !r.buyer_visible_to_supplier(Some(Outcome::NotSelected)),
            "never to those that lost"
        );
        assert!(
            !r.buyer_visible_to_supplier(None),
            "nor to those that declined"
        );
    }

    fn closed_with(statuses: &[InvitationStatus]) -> (SourcingRequest, Vec<Invitation>) {
        let mut r = request();
        r.status = RequestStatus::Closed;
        let invitations = statuses
            .iter()
            .map(|status| Invitation {
                request: r.id,
                supplier: OrganisationId::new(),
                status: *status,
                decline_reason: None,
                shortlisted: false,
                outcome: None,
                invited_at: Utc::now(),
                responded_at: None,
            })
            .collect();
        (r, invitations)
    }

    #[test]
    fn the_award_selects_the_winners_and_tells_every_other_invited_supplier() {
        use InvitationStatus::{Answered, Declined};
        let (mut r, mut invitations) = closed_with(&[Answered, Declined, Answered]);
        let now = Utc::now();
        let winner = invitations[2].supplier;
        let event = r
            .award(Party::Buyer, &[winner], &mut invitations, now)
            .unwrap();
        assert_eq!(r.status, RequestStatus::Awarded);
        let outcomes: Vec<_> = invitations.iter().map(|i| i.outcome).collect();
        assert_eq!(
            outcomes,
            [
                Some(Outcome::NotSelected),
                Some(Outcome::NotSelected),
                Some(Outcome::Awarded)
            ]
        );
        match event {
            RequestEvent::Awarded {
                transition,
                outcomes,
            } => {
                assert_eq!(transition.from, RequestStatus::Closed);
                assert_eq!(outcomes.len(), 3);
                assert_eq!(outcomes[2], (winner, Outcome::Awarded));
            }
            other => panic!("not an award: {other:?}"),
        }
    }

    #[test]
    fn only_the_buyer_awards_a_closed_request_to_suppliers_that_quoted() {
        use InvitationStatus::{Answered, Declined};
        let now = Utc::now();
        let (mut r, mut invitations) = closed_with(&[Answered, Declined]);
        let (quoted, declined) = (invitations[0].supplier, invitations[1].supplier);
        assert!(matches!(
            r.award(Party::Expert, &[quoted], &mut invitations, now),
            Err(DomainError::Forbidden("only the buyer awards"))
        ));
        match r.award(Party::Buyer, &[quoted, declined], &mut invitations, now) {
            Err(DomainError::Validation(errors)) => {
                assert_eq!(errors.errors()[0].field, "supplier_ids[1]");
                assert_eq!(errors.errors()[0].code, "not_an_answer");
            }
            other => panic!("awarded a supplier that declined: {other:?}"),
        }
        assert_eq!(r.status, RequestStatus::Closed, "nothing changed");
        assert!(invitations.iter().all(|i| i.outcome.is_none()));
        // The state first: an open request is refused whatever the winners.
        r.status = RequestStatus::Open;
        match r.award(Party::Buyer, &[declined], &mut invitations, now) {
            Err(DomainError::InvalidState { code, .. }) => assert_eq!(code, "request_open"),
            other => panic!("awarded an open request: {other:?}"),
        }
    }

    #[test]
    fn answers_are_shortlisted_while_the_request_runs() {
        let mut r = request();
        for status in RequestStatus::ALL {
            r.status = status;
            let running = matches!(status, RequestStatus::Open | RequestStatus::Closed);
            assert_eq!(r.accepts_shortlisting().is_ok(), running, "{status:?}");
            assert_eq!(r.running(), running, "{status:?}");
        }
    }

    #[test]
    fn a_step_carries_its_comment_and_the_deadline_closes_in_its_own_words() {
        let mut r = request();
        let now = Utc::now();
        let submitted = r.take(Action::Submit, Party::Buyer, None, now).unwrap();
        assert!(matches!(
            submitted,
            RequestEvent::Stepped {
                action: Action::Submit,
                comment: None,
                ..
            }
        ));
        assert!(Action::Reject.comment_required() && Action::RequestChanges.comment_required());
        assert!(!Action::Qualify.comment_required());
        r.status = RequestStatus::Open;
        match r.close_at_deadline(now).unwrap() {
            RequestEvent::Stepped {
                transition,
                comment,
                ..
            } => {
                assert_eq!(transition.to, RequestStatus::Closed);
                assert_eq!(comment.as_deref(), Some("response deadline reached"));
            }
            other => panic!("not a step: {other:?}"),
        }
    }

    /// Every (action, state) pair outside the table is refused with a code
    /// naming the state; every wrong party is refused before the state.
    #[test]
    fn every_illegal_transition_is_refused() {
        let actions = [
            Action::Submit,
            Action::Qualify,
            Action::RequestChanges,
            Action::Reject,
            Action::Open,
            Action::Close,
            Action::Award,
            Action::Cancel,
        ];
        let now = Utc::now();
        for action in actions {
            let (parties, from_states, _) = action.rule();
            for status in RequestStatus::ALL {
                for party in [Party::Buyer, Party::Expert, Party::System] {
                    let mut r = request();
                    r.status = status;
                    let result = r.apply(action, party, now);
                    match (parties.contains(&party), from_states.contains(&status)) {
                        (false, _) => assert!(
                            matches!(result, Err(DomainError::Forbidden(_))),
                            "{action:?} by {party:?}"
                        ),
                        (true, false) => match result {
                            Err(DomainError::InvalidState { code, .. }) => {
                                assert_eq!(code, format!("request_{}", status.as_str()))
                            }
                            other => panic!("{action:?} from {status:?}: {other:?}"),
                        },
                        (true, true) => {
                            assert!(result.is_ok(), "{action:?} from {status:?} by {party:?}")
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_request_past_its_deadline_cannot_be_submitted_or_answered() {
        let now = Utc::now();
        let mut r = SourcingRequest::new(
            OrganisationId::new(),
            UserId::new(),
            content(now - TimeDelta::hours(1)),
            now,
        );
        assert!(matches!(
            r.apply(Action::Submit, Party::Buyer, now),
            Err(DomainError::Validation(_))
        ));
        r.status = RequestStatus::Open;
        assert!(
            matches!(r.accepts_answers(now), Err(DomainError::InvalidState { code, .. }) if code == "deadline_passed")
        );
    }

    #[test]
    fn edits_need_the_current_version_and_an_editable_state() {
        let mut r = request();
        let now = Utc::now();
        let version = r.version;
        let edited = r.edit(
            Party::Buyer,
            version,
            content(now + TimeDelta::days(5)),
            now,
        );
        assert!(matches!(edited, Ok(RequestEvent::Edited)));
        assert!(matches!(
            r.edit(Party::Buyer, version, content(now), now),
            Err(DomainError::VersionMismatch { .. })
        ));
        assert!(matches!(
            r.edit(Party::Expert, r.version, content(now), now),
            Err(DomainError::Forbidden(_))
        ));
        r.apply(Action::Submit, Party::Buyer, now).unwrap();
        assert!(matches!(
            r.edit(Party::Buyer, r.version, content(now), now),
            Err(DomainError::InvalidState { .. })
        ));
    }

    fn words_only(deadline: DateTime<Utc>) -> RequestContent {
        let mut c = content(deadline);
        c.capabilities.clear();
        c.certifications.clear();
        c.sectors.clear();
        c.region = None;
        c
    }

    fn requirements(capabilities: &[&str], certifications: &[(&str, bool)]) -> Requirements {
        let input = RequirementsInput {
            capabilities: capabilities.to_vec(),
            certifications: certifications.to_vec(),
            sectors: vec!["medtech"],
            region: Some("Bourgogne-Franche-Comté"),
        };
        Requirements::parse(&input, |_| true, |_| true).unwrap()
    }

    #[test]
    fn a_request_in_words_only_is_submitted_but_qualified_only_once_coded() {
        let now = Utc::now();
        let mut r = SourcingRequest::new(
            OrganisationId::new(),
            UserId::new(),
            words_only(now + TimeDelta::days(10)),
            now,
        );
        r.apply(Action::Submit, Party::Buyer, now).unwrap();
        match r.apply(Action::Qualify, Party::Expert, now) {
            Err(DomainError::Validation(errors)) => {
                assert_eq!(errors.errors()[0].field, "capabilities");
                assert_eq!(errors.errors()[0].code, "capabilities_required");
            }
            other => panic!("qualified without capabilities: {other:?}"),
        }
        assert_eq!(r.status, RequestStatus::Submitted, "nothing changed");
        let recoded = r.recode(
            Party::Expert,
            r.version,
            requirements(&["machining.milling"], &[]),
            now,
        );
        assert!(matches!(recoded, Ok(Some(RequestEvent::Recoded { .. }))));
        assert_eq!(
            r.apply(Action::Qualify, Party::Expert, now).unwrap().to,
            RequestStatus::Qualified
        );
    }

    /// A recoding's changes as the request's history reads them.
    fn lines(recoded: Option<RequestEvent>) -> Vec<String> {
        match recoded {
            Some(RequestEvent::Recoded { changes }) => {
                changes.iter().map(ToString::to_string).collect()
            }
            other => panic!("not a recoding: {other:?}"),
        }
    }

    #[test]
    fn a_recoding_reads_as_before_and_after_field_by_field() {
        let now = Utc::now();
        let mut r = request();
        r.apply(Action::Submit, Party::Buyer, now).unwrap();
        let version = r.version;
        let changes = r
            .recode(
                Party::Expert,
                version,
                requirements(
                    &["machining.micro_machining", "surface.electropolishing"],
                    &[("iso_13485", true), ("iso_14644", false)],
                ),
                now,
            )
            .unwrap();
        let changed = lines(changes);
        assert_eq!(
            changed,
            [
                "capabilities: machining.micro_machining → machining.micro_machining, surface.electropolishing",
                "certifications: iso_13485 (mandatory) → iso_13485 (mandatory), iso_14644 (desirable)",
            ]
        );
        assert_eq!(r.version, version + 1);
        assert_eq!(r.content.certifications.len(), 2);
        // The same requirements again: nothing to record, the version stays.
        let same = r.content.requirements();
        assert!(
            r.recode(Party::Expert, r.version, same, now)
                .unwrap()
                .is_none()
        );
        assert_eq!(r.version, version + 1);
        let cleared = Requirements {
            capabilities: vec![],
            certifications: vec![],
            sectors: vec![],
            region: None,
        };
        let cleared = lines(r.recode(Party::Expert, r.version, cleared, now).unwrap());
        assert_eq!(cleared[2], "sectors: medtech → (none)");
        assert_eq!(cleared[3], "region: Bourgogne-Franche-Comté → (none)");
    }

    #[test]
    fn only_experts_recode_only_submitted_requests_only_from_the_current_version() {
        let now = Utc::now();
        let coded = || requirements(&["machining.milling"], &[]);
        for status in RequestStatus::ALL {
            let mut r = request();
            r.status = status;
            let result = r.recode(Party::Expert, r.version, coded(), now);
            if status == RequestStatus::Submitted {
                assert!(result.is_ok());
            } else {
                match result {
                    Err(DomainError::InvalidState { code, .. }) => {
                        assert_eq!(code, format!("request_{}", status.as_str()))
                    }
                    other => panic!("recoded while {status:?}: {other:?}"),
                }
            }
        }
        let mut r = request();
        r.apply(Action::Submit, Party::Buyer, now).unwrap();
        for party in [Party::Buyer, Party::System] {
            assert!(matches!(
                r.recode(party, r.version, coded(), now),
                Err(DomainError::Forbidden(_))
            ));
        }
        assert!(matches!(
            r.recode(Party::Expert, r.version - 1, coded(), now),
            Err(DomainError::VersionMismatch { .. })
        ));
    }

    #[test]
    fn recoded_requirements_name_each_failing_field() {
        let input = RequirementsInput {
            capabilities: vec!["machining.milling", "machining.teleportation"],
            certifications: vec![("iso_00000", true)],
            sectors: vec!["astrology"],
            region: None,
        };
        let known = |code: &CapabilityCode| code.as_str() == "machining.milling";
        let errors = Requirements::parse(&input, known, |c| c.as_str() == "iso_13485").unwrap_err();
        let fields: Vec<(&str, &str)> = errors
            .errors()
            .iter()
            .map(|e| (e.field.as_str(), e.code))
            .collect();
        assert_eq!(fields[0], ("capabilities[1]", "unknown_capability"));
        assert_eq!(
            fields[1],
            ("certifications[0].code", "unknown_certification_type")
        );
        assert_eq!(fields[2].0, "sectors[0]");
    }

    #[test]
    fn budgets_need_a_currency_and_an_ordered_range() {
        assert!(parse_budget(Some("10"), None, None).is_err());
        assert!(parse_budget(Some("20"), Some("10"), Some("EUR")).is_err());
        assert_eq!(
            parse_budget(None, Some("10"), Some("eur"))
                .unwrap()
                .and_then(|b| b.max)
                .map(|m| m.minor_units),
            Some(1000)
        );
    }
}
