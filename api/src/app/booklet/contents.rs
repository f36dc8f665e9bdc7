//! What goes into a booklet: the listed suppliers the filter admits, with
//! only what the public may read, labelled in the booklet's language.

use chrono::NaiveDate;
use domain::account::Language;
use domain::booklet::BookletFilter;
use domain::certification::VerificationStatus;
use domain::organisation::Membership;
use publications::{
    Booklet, BookletCapability, BookletCertificate, BookletFamily, BookletSupplier, FilterLabel,
};

use crate::app::catalogue::Catalogue;
use crate::app::suppliers::Listed;

pub fn booklet(
    listed: impl IntoIterator<Item = Listed>,
    filter: &BookletFilter,
    catalogue: &Catalogue,
    language: Language,
    edition_date: NaiveDate,
) -> Booklet {
    let families: Vec<_> = catalogue.families().map(|n| n.code.clone()).collect();
    let mut filed: Vec<BookletFamily> = families
        .iter()
        .map(|code| BookletFamily {
            code: code.to_string(),
            label: catalogue.capability_label(code.as_str(), language),
            suppliers: Vec::new(),
        })
        .collect();
    // Id order first: ties on the name then keep one order across loads.
    let mut listed: Vec<Listed> = listed.into_iter().collect();
    listed.sort_by_key(|l| l.organisation.id.to_string());
    for supplier in listed {
        let Listed {
            organisation,
            content,
            certifications,
            ..
        } = supplier;
        if !filter.admits(&content, organisation.membership) {
            continue;
        }
        // Published capabilities are checked against the taxonomy, which
        // only grows: every listed supplier has a family.
        let Some(family) = filter.family_of_supplier(&content, &families) else {
            tracing::warn!(organisation = %organisation.id, "a listed supplier without a known capability family is left out of the booklet");
            continue;
        };
        let Some(slot) = filed.iter_mut().find(|f| f.code == family.as_str()) else {
            continue;
        };
        let description = match language {
            Language::Fr if !content.description_fr.trim().is_empty() => &content.description_fr,
            Language::En if !content.description_en.trim().is_empty() => &content.description_en,
            Language::Fr => &content.description_en,
            Language::En => &content.description_fr,
        };
        slot.suppliers.push(BookletSupplier {
            name: organisation.legal_name,
            city: content.location.city.clone(),
            region: content.location.region.clone(),
            member: organisation.membership == Membership::Member,
            description: description.clone(),
            capabilities: content
                .capabilities
                .iter()
                .map(|c| BookletCapability {
                    code: c.code.to_string(),
                    label: catalogue.capability_label(c.code.as_str(), language),
                    detail: c.detail.clone(),
                })
                .collect(),
            certifications: certifications
                .iter()
                .filter(|c| c.counts_on(edition_date))
                .map(|c| BookletCertificate {
                    code: c.details.type_code.as_str().to_owned(),
                    label: catalogue.certification_label(c.details.type_code.as_str(), language),
                    scope: c.details.scope.clone(),
                    certifying_body: c.details.certifying_body.clone(),
                    valid_until: c.details.valid_until,
                    verified: c.status == VerificationStatus::Verified,
                })
                .collect(),
            sectors: content.sectors.clone(),
            equipment: content.equipment.clone(),
            working_languages: content.working_languages.clone(),
            // The public contact only: `private_contacts` never leave the
            // platform's back office.
            contact_email: content
                .public_contact_email
                .as_ref()
                .map(ToString::to_string),
            phone: content.public_phone.clone(),
            website: organisation.website.map(|w| w.as_str().to_owned()),
        });
    }
    // Suppliers in name order within a family (a stable sort), so the same
    // data gives the same booklet, and the same edition key, whatever order
    // the loader's map gave.
    for family in &mut filed {
        family
            .suppliers
            .sort_by_cached_key(|s| (publications::sort_key(&s.name), s.name.clone()));
    }
    filed.retain(|f| !f.suppliers.is_empty());
    let mut filters = Vec::new();
    if let Some(sector) = filter.sector {
        filters.push(FilterLabel::Sector(sector));
    }
    if let Some(family) = &filter.family {
        filters.push(FilterLabel::Family(
            catalogue.capability_label(family.as_str(), language),
        ));
    }
    if let Some(region) = &filter.region {
        filters.push(FilterLabel::Region(region.clone()));
    }
    if filter.members_only {
        filters.push(FilterLabel::MembersOnly);
    }
    Booklet {
        language,
        edition_date,
        filters,
        families: filed,
    }
}
