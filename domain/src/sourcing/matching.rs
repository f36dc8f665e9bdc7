//! Candidate suppliers for a request, why they fit, and the experts'
//! vetting of each match.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::certification::{Certification, CertificationTypeCode, VerificationStatus};
use crate::error::DomainError;
use crate::ids::{MatchId, OrganisationId, SourcingRequestId, UserId};
use crate::profile::{ProfileContent, Sector};
use crate::sourcing::events::RequestEvent;
use crate::sourcing::request::{RequestContent, RequestStatus, wrong_state};
use crate::taxonomy::CapabilityCode;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapabilityCheck {
    pub code: CapabilityCode,
    pub met: bool,
    /// When not met: a capability the supplier holds next to it in the
    /// taxonomy (a sibling, or the parent), which may still do the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjacent: Option<CapabilityCode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificationCheck {
    pub code: CertificationTypeCode,
    pub mandatory: bool,
    /// Only a certificate valid today (and not rejected) counts.
    pub met: bool,
    /// Met by a certificate an expert verified (not only declared by the
    /// supplier).
    #[serde(default)]
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectorCheck {
    pub sector: Sector,
    pub met: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionCheck {
    pub wanted: String,
    pub met: bool,
}

/// Requirement by requirement, what a supplier meets and misses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    pub capabilities: Vec<CapabilityCheck>,
    pub certifications: Vec<CertificationCheck>,
    pub sectors: Vec<SectorCheck>,
    pub region: Option<RegionCheck>,
}

impl Explanation {
    /// Compares a request with a supplier's public profile and certificates
    /// on `today`. A required capability is met by the same code or a more
    /// specific one (asking for machining, a milling shop fits).
    pub fn of(
        need: &RequestContent,
        profile: &ProfileContent,
        certificates: &[Certification],
        today: NaiveDate,
    ) -> Self {
        let capabilities = need
            .capabilities
            .iter()
            .map(|wanted| {
                let met = profile
                    .capabilities
                    .iter()
                    .any(|c| c.code.with_ancestors().contains(wanted));
                let parent = wanted.parent();
                let adjacent = (!met && parent.is_some())
                    .then(|| {
                        profile.capabilities.iter().find(|held| {
                            held.code.parent() == parent || Some(&held.code) == parent.as_ref()
                        })
                    })
                    .flatten()
                    .map(|held| held.code.clone());
                CapabilityCheck {
                    code: wanted.clone(),
                    met,
                    adjacent,
                }
            })
            .collect();
        let certifications = need
            .certifications
            .iter()
            .map(|wanted| {
                let mut counting = certificates
                    .iter()
                    .filter(|c| c.details.type_code == wanted.code && c.counts_on(today));
                let met = counting.clone().next().is_some();
                CertificationCheck {
                    code: wanted.code.clone(),
                    mandatory: wanted.mandatory,
                    met,
                    verified: counting.any(|c| c.status == VerificationStatus::Verified),
                }
            })
            .collect();
        let sectors = need
            .sectors
            .iter()
            .map(|wanted| SectorCheck {
                sector: *wanted,
                met: profile.sectors.contains(wanted),
            })
            .collect();
        let region = need.region.as_ref().map(|wanted| RegionCheck {
            wanted: wanted.clone(),
            met: profile.location.region.eq_ignore_ascii_case(wanted),
        });
        Self {
            capabilities,
            certifications,
            sectors,
            region,
        }
    }

    /// Mandatory certifications the supplier lacks: such a supplier is only
    /// matched when an expert overrides with a reason.
    pub fn missing_mandatory(&self) -> Vec<&CertificationTypeCode> {
        self.certifications
            .iter()
            .filter(|c| c.mandatory && !c.met)
            .map(|c| &c.code)
            .collect()
    }

    /// Certification requirements met by a verified certificate: among
    /// candidates meeting as much, these rank first.
    pub fn verified_certifications(&self) -> usize {
        self.certifications.iter().filter(|c| c.verified).count()
    }

    /// (requirements met, requirements stated).
    pub fn coverage(&self) -> (usize, usize) {
        let checks = self
            .capabilities
            .iter()
            .map(|c| c.met)
            .chain(self.certifications.iter().map(|c| c.met))
            .chain(self.sectors.iter().map(|c| c.met))
            .chain(self.region.iter().map(|c| c.met));
        checks.fold((0, 0), |(met, total), ok| {
            (met + usize::from(ok), total + 1)
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchStatus {
    Proposed,
    Approved,
    Discarded,
}

impl MatchStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Approved => "approved",
            Self::Discarded => "discarded",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Proposed, Self::Approved, Self::Discarded]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchOrigin {
    /// Proposed by the capability index.
    Index,
    /// Added by an expert by hand.
    Manual,
}

impl MatchOrigin {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Index => "index",
            Self::Manual => "manual",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "index" => Some(Self::Index),
            "manual" => Some(Self::Manual),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub id: MatchId,
    pub request: SourcingRequestId,
    pub supplier: OrganisationId,
    pub origin: MatchOrigin,
    pub score: f64,
    pub explanation: Explanation,
    /// Why an expert matched a supplier lacking a mandatory certification.
    pub override_reason: Option<String>,
    pub status: MatchStatus,
    /// Never shown to buyers or suppliers.
    pub internal_note: Option<String>,
    /// Shown to the buyer next to this supplier's answer.
    pub note_for_buyer: Option<String>,
    pub proposed_by: UserId,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Matches are proposed and vetted while the request is being qualified;
/// once it is open, invitations have gone out.
pub fn matching_allowed(status: RequestStatus) -> Result<(), DomainError> {
    match status {
        RequestStatus::Submitted | RequestStatus::Qualified => Ok(()),
        other => Err(wrong_state(other, "match suppliers for")),
    }
}

impl Match {
    /// A new proposal. A supplier missing a mandatory certification needs an
    /// override reason (kept only then).
    #[expect(
        clippy::too_many_arguments,
        reason = "a match is created with all its facts at once"
    )]
    pub fn propose(
        request: SourcingRequestId,
        supplier: OrganisationId,
        origin: MatchOrigin,
        score: f64,
        explanation: Explanation,
        override_reason: Option<String>,
        expert: UserId,
        now: DateTime<Utc>,
    ) -> Result<(Self, RequestEvent), DomainError> {
        let missing: Vec<&str> = explanation
            .missing_mandatory()
            .iter()
            .map(|c| c.as_str())
            .collect();
        let lacks_mandatory = !missing.is_empty();
        if lacks_mandatory && override_reason.is_none() {
            let codes = missing;
            return Err(crate::ValidationErrors::single(
                "override_reason",
                "override_reason_required",
                format!("this supplier lacks mandatory certifications ({}): say why it should still be matched", codes.join(", ")),
            )
            .into());
        }
        let proposed = Self {
            id: MatchId::new(),
            request,
            supplier,
            origin,
            score,
            explanation,
            override_reason: if lacks_mandatory {
                override_reason
            } else {
                None
            },
            status: MatchStatus::Proposed,
            internal_note: None,
            note_for_buyer: None,
            proposed_by: expert,
            decided_by: None,
            decided_at: None,
            created_at: now,
        };
        let event = RequestEvent::MatchProposed {
            supplier,
            origin,
            override_reason: proposed.override_reason.clone(),
        };
        Ok((proposed, event))
    }

    /// An expert approves or discards the match, with an internal note and,
    /// on approval only, a note for the buyer.
    pub fn decide(
        &mut self,
        decision: MatchDecision,
        expert: UserId,
        internal_note: Option<String>,
        note_for_buyer: Option<String>,
        now: DateTime<Utc>,
    ) -> RequestEvent {
        let from = self.status;
        self.status = match decision {
            MatchDecision::Approve => MatchStatus::Approved,
            MatchDecision::Discard => MatchStatus::Discarded,
        };
        self.internal_note = internal_note.clone();
        // The buyer reads a note on a supplier it is shown, never on a discarded one.
        self.note_for_buyer = match decision {
            MatchDecision::Approve => note_for_buyer,
            MatchDecision::Discard => None,
        };
        self.decided_by = Some(expert);
        self.decided_at = Some(now);
        RequestEvent::MatchDecided {
            supplier: self.supplier,
            decision,
            from,
            to: self.status,
            note: internal_note,
        }
    }
}

/// What an expert decides about a proposed match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchDecision {
    /// The supplier is contacted (invited when the request opens).
    Approve,
    /// The supplier is left out of this request.
    Discard,
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeDelta, Utc};

    use super::*;
    use crate::account::Language;
    use crate::certification::CertificationDetails;
    use crate::ids::CertificationId;
    use crate::profile::{Location, ProfileCapability};
    use crate::sourcing::request::CertificationRequirement;

    fn code(raw: &str) -> CapabilityCode {
        CapabilityCode::parse(raw).unwrap()
    }

    fn need() -> RequestContent {
        RequestContent {
            title: "Vis".into(),
            description: "Vis en titane".into(),
            capabilities: vec![code("machining")],
            certifications: vec![
                CertificationRequirement {
                    code: CertificationTypeCode::parse("iso_13485").unwrap(),
                    mandatory: true,
                },
                CertificationRequirement {
                    code: CertificationTypeCode::parse("iso_14001").unwrap(),
                    mandatory: false,
                },
            ],
            sectors: vec![Sector::Medtech],
            quantities: None,
            budget: None,
            desired_delivery: None,
            response_deadline: Utc::now() + TimeDelta::days(10),
            location_constraints: None,
            region: Some("Bourgogne-Franche-Comté".into()),
            language: Language::Fr,
            confidential: false,
            budget_visible: false,
            nda_required: false,
            attachments: vec![],
        }
    }

    fn profile() -> ProfileContent {
        ProfileContent {
            description_fr: "Fraisage".into(),
            description_en: String::new(),
            capabilities: vec![ProfileCapability {
                code: code("machining.milling"),
                detail: None,
            }],
            sectors: vec![Sector::Aerospace],
            equipment: vec![],
            headcount: None,
            location: Location {
                city: "Besançon".into(),
                department: "25".into(),
                region: "bourgogne-franche-comté".into(),
                country: "FR".into(),
            },
            working_languages: vec![],
            public_contact_email: None,
            public_phone: None,
            private_contacts: vec![],
        }
    }

    fn certificate(code: &str, until: &str, status: VerificationStatus) -> Certification {
        Certification {
            id: CertificationId::new(),
            organisation_id: OrganisationId::new(),
            details: CertificationDetails::parse(code, "scope", "body", "2024-01-01", until, None)
                .unwrap(),
            status,
            review_note: None,
            reviewed_by: None,
            reviewed_at: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_more_specific_capability_meets_a_general_requirement() {
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let e = Explanation::of(&need(), &profile(), &[], today);
        assert!(e.capabilities[0].met, "a milling shop does machining");
        assert!(!e.sectors[0].met);
        assert!(
            e.region.as_ref().is_some_and(|r| r.met),
            "regions compare case-insensitively"
        );
    }

    #[test]
    fn only_valid_certificates_meet_requirements() {
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let expired = certificate("iso_13485", "2026-05-31", VerificationStatus::Verified);
        let rejected = certificate("iso_13485", "2030-01-01", VerificationStatus::Rejected);
        let e = Explanation::of(&need(), &profile(), &[expired, rejected], today);
        assert_eq!(e.missing_mandatory().len(), 1);
        let valid = certificate("iso_13485", "2026-06-01", VerificationStatus::Declared);
        let e = Explanation::of(&need(), &profile(), std::slice::from_ref(&valid), today);
        assert!(e.missing_mandatory().is_empty());
        assert_eq!(
            e.coverage(),
            (3, 5),
            "capability, iso 13485, region met; iso 14001 and sector missed"
        );
        assert!(
            !e.certifications[0].verified,
            "met by a declared certificate"
        );
        assert_eq!(e.verified_certifications(), 0);
        let verified = Certification {
            status: VerificationStatus::Verified,
            ..valid
        };
        let e = Explanation::of(&need(), &profile(), &[verified], today);
        assert!(e.certifications[0].verified);
        assert_eq!(e.verified_certifications(), 1);
    }

    #[test]
    fn a_supplier_lacking_a_mandatory_certification_needs_an_override_reason() {
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let e = Explanation::of(&need(), &profile(), &[], today);
        let propose = |reason: Option<String>| {
            Match::propose(
                SourcingRequestId::new(),
                OrganisationId::new(),
                MatchOrigin::Manual,
                0.0,
                e.clone(),
                reason,
                UserId::new(),
                Utc::now(),
            )
        };
        assert!(matches!(propose(None), Err(DomainError::Validation(_))));
        let (m, event) = propose(Some("audit en cours".into())).unwrap();
        assert_eq!(m.override_reason.as_deref(), Some("audit en cours"));
        assert_eq!(m.status, MatchStatus::Proposed);
        assert_eq!(
            event,
            RequestEvent::MatchProposed {
                supplier: m.supplier,
                origin: MatchOrigin::Manual,
                override_reason: Some("audit en cours".into())
            }
        );
    }

    #[test]
    fn a_discarded_match_keeps_no_note_for_the_buyer_and_reports_its_move() {
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let e = Explanation::of(&need(), &profile(), &[], today);
        let (mut m, _) = Match::propose(
            SourcingRequestId::new(),
            OrganisationId::new(),
            MatchOrigin::Index,
            1.0,
            e,
            Some("audit en cours".into()),
            UserId::new(),
            Utc::now(),
        )
        .unwrap();
        let expert = UserId::new();
        let event = m.decide(
            MatchDecision::Discard,
            expert,
            Some("hors zone".into()),
            Some("pour l'acheteur".into()),
            Utc::now(),
        );
        assert_eq!(m.status, MatchStatus::Discarded);
        assert_eq!(m.note_for_buyer, None);
        assert_eq!(m.decided_by, Some(expert));
        assert_eq!(
            event,
            RequestEvent::MatchDecided {
                supplier: m.supplier,
                decision: MatchDecision::Discard,
                from: MatchStatus::Proposed,
                to: MatchStatus::Discarded,
                note: Some("hors zone".into())
            }
        );
    }
}
