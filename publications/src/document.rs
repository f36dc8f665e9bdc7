//! What the template reads: the booklet with every word already chosen in
//! its language (labels, dates, sectors, languages) and the index terms in
//! reading order, so the template only lays out. It is also what the
//! typesetting process reads back on its stdin (see [`crate::Job`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::booklet::{Booklet, FilterLabel};
use crate::wording;

#[derive(Serialize, Deserialize)]
pub struct Document {
    pub(crate) lang: String,
    /// [`crate::wording::Labels`], kept as JSON: the template only reads them.
    pub(crate) labels: serde_json::Value,
    pub(crate) filters: Vec<String>,
    pub(crate) families: Vec<Family>,
    pub(crate) index: Index,
}

#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Family {
    /// Unique in the booklet: the contents find the family's page by it.
    pub(crate) key: String,
    pub(crate) label: String,
    /// A later slice of a family already begun: no heading again.
    #[serde(default)]
    pub(crate) continued: bool,
    pub(crate) suppliers: Vec<Supplier>,
}

#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Supplier {
    /// Unique in the booklet: the contents find the entry's page by it.
    pub(crate) key: String,
    pub(crate) name: String,
    place: String,
    member: bool,
    description: String,
    capabilities: Vec<Capability>,
    certifications: Vec<Certificate>,
    sectors: Vec<String>,
    equipment: Vec<String>,
    languages: Vec<String>,
    email: Option<String>,
    phone: Option<String>,
    website: Option<String>,
}

#[derive(Clone, Serialize, Deserialize)]
struct Capability {
    key: String,
    label: String,
    detail: Option<String>,
}

#[derive(Clone, Serialize, Deserialize)]
struct Certificate {
    key: String,
    label: String,
    /// Scope, body, validity and status in one line of the entry.
    line: String,
}

/// Each index's terms, sorted for reading; the template finds their pages.
#[derive(Serialize, Deserialize)]
pub(crate) struct Index {
    pub(crate) capabilities: Vec<Term>,
    pub(crate) certifications: Vec<Term>,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct Term {
    pub(crate) key: String,
    pub(crate) label: String,
}

fn sorted_terms(terms: BTreeMap<String, String>) -> Vec<Term> {
    let mut terms: Vec<Term> = terms
        .into_iter()
        .map(|(key, label)| Term { key, label })
        .collect();
    terms.sort_by_cached_key(|t| (wording::sort_key(&t.label), t.key.clone()));
    terms
}

impl Document {
    pub fn of(booklet: &Booklet) -> Result<Self, serde_json::Error> {
        let language = booklet.language;
        let count = booklet.families.iter().map(|f| f.suppliers.len()).sum();
        let labels = wording::labels(language, booklet.edition_date, count);
        let mut capability_terms = BTreeMap::new();
        let mut certification_terms = BTreeMap::new();
        let mut supplier_keys = 0..;
        let families = booklet
            .families
            .iter()
            .enumerate()
            .map(|(f, family)| Family {
                key: f.to_string(),
                label: family.label.clone(),
                continued: false,
                suppliers: family
                    .suppliers
                    .iter()
                    .map(|s| Supplier {
                        key: supplier_keys.next().unwrap_or_default().to_string(),
                        name: s.name.clone(),
                        place: [s.city.as_str(), s.region.as_str()]
                            .into_iter()
                            .filter(|p| !p.trim().is_empty())
                            .collect::<Vec<_>>()
                            .join(", "),
                        member: s.member,
                        description: s.description.clone(),
                        capabilities: s
                            .capabilities
                            .iter()
                            .map(|c| {
                                capability_terms.insert(c.code.clone(), c.label.clone());
                                Capability {
                                    key: c.code.clone(),
                                    label: c.label.clone(),
                                    detail: c.detail.clone().filter(|d| !d.trim().is_empty()),
                                }
                            })
                            .collect(),
                        certifications: s
                            .certifications
                            .iter()
                            .map(|c| {
                                certification_terms.insert(c.code.clone(), c.label.clone());
                                let status = if c.verified {
                                    labels.verified
                                } else {
                                    labels.declared
                                };
                                let line = [
                                    c.scope.as_str(),
                                    c.certifying_body.as_str(),
                                    &wording::valid_until(language, c.valid_until),
                                    status,
                                ]
                                .into_iter()
                                .filter(|p| !p.trim().is_empty())
                                .collect::<Vec<_>>()
                                .join(" · ");
                                Certificate {
                                    key: c.code.clone(),
                                    label: c.label.clone(),
                                    line,
                                }
                            })
                            .collect(),
                        sectors: s
                            .sectors
                            .iter()
                            .map(|sector| wording::sector(language, *sector).to_owned())
                            .collect(),
                        equipment: s.equipment.clone(),
                        languages: s
                            .working_languages
                            .iter()
                            .map(|code| wording::working_language(language, code))
                            .collect(),
                        email: s.contact_email.clone(),
                        phone: s.phone.clone(),
                        website: s.website.clone(),
                    })
                    .collect(),
            })
            .collect();
        let filters = booklet
            .filters
            .iter()
            .map(|filter| match filter {
                FilterLabel::Sector(sector) => format!(
                    "{}{} {}",
                    wording::filter_kind(language, "sector"),
                    labels.colon,
                    wording::sector(language, *sector)
                ),
                FilterLabel::Family(label) => format!(
                    "{}{} {label}",
                    wording::filter_kind(language, "family"),
                    labels.colon,
                ),
                FilterLabel::Region(region) => format!(
                    "{}{} {region}",
                    wording::filter_kind(language, "region"),
                    labels.colon,
                ),
                FilterLabel::MembersOnly => wording::members_only(language).to_owned(),
            })
            .collect();
        Ok(Self {
            lang: language.as_str().to_owned(),
            labels: serde_json::to_value(labels)?,
            filters,
            families,
            index: Index {
                capabilities: sorted_terms(capability_terms),
                certifications: sorted_terms(certification_terms),
            },
        })
    }
}
