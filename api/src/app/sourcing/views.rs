//! Requests and answers shaped for each reader.

use domain::account::Language;
use domain::actions::{InvitationAction, MatchAction, RequestAction};
use domain::certification::Certification;
use domain::organisation::Organisation;
use domain::sourcing::answers::{Invitation, Quote};
use domain::sourcing::matching::{Explanation, Match};
use domain::sourcing::request::{Attachment, RequestStatus};
use domain::sourcing::{RequestAccess, SourcingRequest};
use openapi::directory::{CertificationStatus, LabelledCode};
use openapi::sourcing::{
    AdjacentCapabilityView, AttachmentBody, BudgetView, BuyerView, CertificationRequirementView,
    CheckView, ExplanationView, MatchView, MyInvitationView, QuoteView, RequestView,
};

use crate::app::catalogue::Catalogue;
use crate::app::suggestions;

fn amount(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

pub fn attachments(list: &[Attachment]) -> Vec<AttachmentBody> {
    list.iter()
        .map(|a| AttachmentBody {
            name: a.name.clone(),
            content_type: a.content_type.clone(),
            size_bytes: a.size_bytes,
            reference: a.reference.clone(),
        })
        .collect()
}

/// Suggestions shown on a request before qualification.
const SUGGESTED_REQUIREMENTS: usize = 5;

/// What the caller may do to a request and, invited, with its invitation
/// (the domain's answer, see `domain::actions`).
#[derive(Debug, Default)]
pub struct RequestActions {
    pub request: Vec<RequestAction>,
    pub invitation: Vec<InvitationAction>,
}

/// The request as `access` may see it: invited suppliers get no buyer
/// identity while it is confidential (after the award, only the awarded
/// ones do) and no budget unless the buyer shows it.
pub fn request(
    r: &SourcingRequest,
    access: RequestAccess,
    buyer: Option<&Organisation>,
    invitation: Option<&Invitation>,
    actions: RequestActions,
    catalogue: &Catalogue,
    language: Language,
) -> RequestView {
    let c = &r.content;
    let supplier = access == RequestAccess::InvitedSupplier;
    let show_buyer = !supplier || r.buyer_visible_to_supplier(invitation.and_then(|i| i.outcome));
    let show_budget = !supplier || r.budget_visible_to_suppliers();
    let suggested_requirements = if access != RequestAccess::InvitedSupplier
        && matches!(
            r.status,
            RequestStatus::Draft | RequestStatus::Submitted | RequestStatus::ChangesRequested
        ) {
        let named = |code: &str| {
            c.capabilities.iter().any(|named| named.as_str() == code)
                || c.certifications
                    .iter()
                    .any(|named| named.code.as_str() == code)
        };
        suggestions::views(catalogue, &c.in_words(), SUGGESTED_REQUIREMENTS, language)
            .into_iter()
            .filter(|s| !named(&s.code))
            .collect()
    } else {
        Vec::new()
    };
    RequestView {
        id: *r.id.as_uuid(),
        status: r.status.into(),
        version: r.version,
        title: c.title.clone(),
        description: c.description.clone(),
        capabilities: c
            .capabilities
            .iter()
            .map(|code| LabelledCode {
                code: code.to_string(),
                label: catalogue.capability_label(code.as_str(), language),
            })
            .collect(),
        certifications: c
            .certifications
            .iter()
            .map(|req| CertificationRequirementView {
                code: req.code.as_str().to_owned(),
                label: catalogue.certification_label(req.code.as_str(), language),
                mandatory: req.mandatory,
            })
            .collect(),
        sectors: c.sectors.iter().map(|s| (*s).into()).collect(),
        quantities: c.quantities.clone(),
        budget: c
            .budget
            .as_ref()
            .filter(|_| show_budget)
            .map(|b| BudgetView {
                min: b.min.map(|m| amount(m.minor_units)),
                max: b.max.map(|m| amount(m.minor_units)),
                currency: b
                    .min
                    .or(b.max)
                    .map(|m| m.currency.as_str().to_owned())
                    .unwrap_or_default(),
            }),
        budget_visible: c.budget_visible,
        desired_delivery: c.desired_delivery,
        response_deadline: c.response_deadline,
        location_constraints: c.location_constraints.clone(),
        region: c.region.clone(),
        language: c.language.into(),
        confidential: c.confidential,
        nda_required: c.nda_required,
        attachments: attachments(&c.attachments),
        buyer: buyer.filter(|_| show_buyer).map(|b| BuyerView {
            organisation_id: *b.id.as_uuid(),
            name: b.legal_name.clone(),
        }),
        identity_revealed: if supplier {
            show_buyer
        } else {
            r.buyer_known_to_suppliers()
        },
        submitted_at: r.submitted_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
        my_invitation: invitation
            .filter(|_| access == RequestAccess::InvitedSupplier)
            .map(|i| MyInvitationView {
                status: i.status.into(),
                outcome: i.outcome.map(Into::into),
                allowed_actions: actions.invitation.into_iter().map(Into::into).collect(),
            }),
        suggested_requirements,
        allowed_actions: actions.request.into_iter().map(Into::into).collect(),
    }
}

pub fn explanation(e: &Explanation, catalogue: &Catalogue, language: Language) -> ExplanationView {
    let (met, total) = e.coverage();
    ExplanationView {
        capabilities: e
            .capabilities
            .iter()
            .map(|c| CheckView {
                code: c.code.to_string(),
                label: catalogue.capability_label(c.code.as_str(), language),
                met: c.met,
                mandatory: None,
                certificate: None,
                adjacent: c.adjacent.as_ref().map(|code| AdjacentCapabilityView {
                    code: code.to_string(),
                    label: catalogue.capability_label(code.as_str(), language),
                }),
            })
            .collect(),
        certifications: e
            .certifications
            .iter()
            .map(|c| CheckView {
                code: c.code.as_str().to_owned(),
                label: catalogue.certification_label(c.code.as_str(), language),
                met: c.met,
                mandatory: Some(c.mandatory),
                certificate: c.met.then_some(if c.verified {
                    CertificationStatus::Verified
                } else {
                    CertificationStatus::Declared
                }),
                adjacent: None,
            })
            .collect(),
        sectors: e
            .sectors
            .iter()
            .map(|s| CheckView {
                code: s.sector.as_str().to_owned(),
                label: s.sector.as_str().to_owned(),
                met: s.met,
                mandatory: None,
                certificate: None,
                adjacent: None,
            })
            .collect(),
        region: e.region.as_ref().map(|r| CheckView {
            code: r.wanted.clone(),
            label: r.wanted.clone(),
            met: r.met,
            mandatory: None,
            certificate: None,
            adjacent: None,
        }),
        met,
        total,
    }
}

pub fn matched(
    m: &Match,
    supplier_name: &str,
    actions: &[MatchAction],
    catalogue: &Catalogue,
    language: Language,
) -> MatchView {
    MatchView {
        id: *m.id.as_uuid(),
        supplier_id: *m.supplier.as_uuid(),
        supplier_name: supplier_name.to_owned(),
        origin: m.origin.into(),
        score: m.score,
        explanation: explanation(&m.explanation, catalogue, language),
        override_reason: m.override_reason.clone(),
        status: m.status.into(),
        internal_note: m.internal_note.clone(),
        note_for_buyer: m.note_for_buyer.clone(),
        decided_at: m.decided_at,
        allowed_actions: actions.iter().map(|a| (*a).into()).collect(),
    }
}

/// A quote revision, with the files attached to it.
pub fn quote(q: &Quote, files: Vec<openapi::files::FileView>) -> QuoteView {
    QuoteView {
        id: *q.id.as_uuid(),
        revision: q.revision,
        amount: amount(q.price.minor_units),
        currency: q.price.currency.as_str().to_owned(),
        lead_time_days: q.lead_time_days,
        valid_until: q.valid_until,
        message: q.message.clone(),
        attachments: attachments(&q.attachments),
        files,
        created_at: q.created_at,
    }
}

pub fn valid_certifications(
    certs: &[Certification],
    today: chrono::NaiveDate,
    catalogue: &Catalogue,
    language: Language,
) -> Vec<openapi::directory::CertificationBadge> {
    crate::app::views::badges(certs, today, catalogue, language)
}
