//! Domain objects shaped for the wire. Labels come from the catalogue.

use chrono::{DateTime, NaiveDate, Utc};
use domain::actions::{certificate_actions, profile_actions};
use domain::auth::Actor;
use domain::certification::{Certification, VerificationStatus};
use domain::profile::{ProfileContent, SupplierProfile};
use openapi::directory::{
    CertificationBadge, CertificationStatus, CertificationView, ContactView, LocationView,
    ProfileCapabilityView, ProfileContentView, ProfileView, ReviewView,
};
use openapi::files::FileView;

use crate::app::catalogue::Catalogue;

pub fn capabilities(content: &ProfileContent, catalogue: &Catalogue) -> Vec<ProfileCapabilityView> {
    content
        .capabilities
        .iter()
        .map(|c| {
            let node = catalogue.node(c.code.as_str());
            ProfileCapabilityView {
                code: c.code.to_string(),
                label_fr: node.map_or_else(|| c.code.to_string(), |n| n.fr.clone()),
                label_en: node.map_or_else(|| c.code.to_string(), |n| n.en.clone()),
                detail: c.detail.clone(),
            }
        })
        .collect()
}

pub fn location(content: &ProfileContent) -> LocationView {
    let l = &content.location;
    LocationView {
        city: l.city.clone(),
        department: l.department.clone(),
        region: l.region.clone(),
        country: l.country.clone(),
    }
}

pub fn content(content: &ProfileContent, catalogue: &Catalogue) -> ProfileContentView {
    ProfileContentView {
        description_fr: content.description_fr.clone(),
        description_en: content.description_en.clone(),
        capabilities: capabilities(content, catalogue),
        sectors: content.sectors.iter().map(|s| (*s).into()).collect(),
        equipment: content.equipment.clone(),
        headcount: content.headcount.map(Into::into),
        location: location(content),
        working_languages: content.working_languages.clone(),
        public_contact_email: content
            .public_contact_email
            .as_ref()
            .map(ToString::to_string),
        public_phone: content.public_phone.clone(),
        private_contacts: content
            .private_contacts
            .iter()
            .map(|c| ContactView {
                name: c.name.clone(),
                role: c.role.clone(),
                email: c.email.to_string(),
                phone: c.phone.clone(),
            })
            .collect(),
    }
}

/// A certificate's standing as the spec names it.
pub const fn status(status: VerificationStatus) -> CertificationStatus {
    match status {
        VerificationStatus::Declared => CertificationStatus::Declared,
        VerificationStatus::Verified => CertificationStatus::Verified,
        VerificationStatus::Rejected => CertificationStatus::Rejected,
    }
}

/// The certificates of `certs` valid `today`, each saying whether it is
/// declared or verified.
pub fn badges(
    certs: &[Certification],
    today: NaiveDate,
    catalogue: &Catalogue,
    language: domain::account::Language,
) -> Vec<CertificationBadge> {
    certs
        .iter()
        .filter(|c| c.counts_on(today))
        .map(|c| CertificationBadge {
            code: c.details.type_code.as_str().to_owned(),
            label: catalogue.certification_label(c.details.type_code.as_str(), language),
            status: status(c.status),
        })
        .collect()
}

/// The certificate as `actor` reads it at `now`, with what they may do to it.
pub fn certification(c: &Certification, actor: &Actor, now: DateTime<Utc>) -> CertificationView {
    CertificationView {
        id: *c.id.as_uuid(),
        type_code: c.details.type_code.as_str().to_owned(),
        scope: c.details.scope.clone(),
        certifying_body: c.details.certifying_body.clone(),
        valid_from: c.details.valid_from,
        valid_until: c.details.valid_until,
        document_ref: c.details.document_ref.clone(),
        status: status(c.status),
        valid_today: c.counts_on(now.date_naive()),
        review_note: c.review_note.clone(),
        version: c.version,
        allowed_actions: certificate_actions(actor, c, now)
            .into_iter()
            .map(Into::into)
            .collect(),
        proofs: None,
    }
}

/// A profile as its supplier or an expert reads it; `documents` are its
/// logo and brochure.
pub fn profile(
    profile: &SupplierProfile,
    legal_name: &str,
    certifications: &[Certification],
    catalogue: &Catalogue,
    actor: &Actor,
    now: DateTime<Utc>,
    documents: (Option<FileView>, Option<FileView>),
) -> ProfileView {
    ProfileView {
        organisation_id: *profile.organisation_id.as_uuid(),
        legal_name: legal_name.to_owned(),
        status: profile.status.into(),
        version: profile.version,
        working: content(&profile.working, catalogue),
        published: profile.published.as_ref().map(|p| content(p, catalogue)),
        submitted_at: profile.submitted_at,
        published_at: profile.published_at,
        last_review: profile.last_review.as_ref().map(|r| ReviewView {
            at: r.at,
            comment: r.comment.clone(),
        }),
        certifications: certifications
            .iter()
            .map(|c| certification(c, actor, now))
            .collect(),
        logo: documents.0,
        brochure: documents.1,
        allowed_actions: profile_actions(actor, profile, now)
            .into_iter()
            .map(Into::into)
            .collect(),
    }
}
