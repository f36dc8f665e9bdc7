//! What the index stores about a supplier: a denormalised, self-contained copy built by
//! the application from its own tables.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One supplier organisation as the index sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierDocument {
    /// The supplier organisation id; the document key in both engines.
    pub id: Uuid,
    pub name: String,
    pub description_fr: String,
    pub description_en: String,
    /// The supplier's capability codes plus all their ancestors ("machining.milling"
    /// comes with "machining"), expanded by the caller so that filtering on a parent
    /// code finds suppliers of its descendants.
    pub capability_codes: Vec<String>,
    /// FR and EN labels and synonyms of those codes, searchable so that a French query
    /// finds an English-only profile and vice versa.
    pub capability_labels: Vec<String>,
    /// Free-text detail per capability.
    pub capability_details: Vec<String>,
    /// Non-rejected certifications; validity is decided at query time.
    pub certifications: Vec<CertificationDoc>,
    pub sectors: Vec<String>,
    pub region: String,
    pub department: String,
    pub city: String,
    pub country: String,
    /// Member of the cluster.
    pub member: bool,
    pub equipment: Vec<String>,
    /// Unix seconds.
    pub updated_at: i64,
}

/// A certification with its validity window, in unix seconds (`valid_until` excluded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificationDoc {
    pub code: String,
    pub valid_from: i64,
    pub valid_until: i64,
    /// Verified by an expert (else only declared by the supplier).
    #[serde(default)]
    pub verified: bool,
}

impl CertificationDoc {
    pub fn is_valid_at(&self, now: i64) -> bool {
        self.valid_from <= now && now < self.valid_until
    }

    /// Valid at `now` and, when `verified_only`, verified.
    pub fn counts_at(&self, now: i64, verified_only: bool) -> bool {
        self.is_valid_at(now) && (self.verified || !verified_only)
    }
}

impl SupplierDocument {
    /// Whether the supplier holds a certification of `code` valid at `now`.
    pub fn has_valid_certification(&self, code: &str, now: i64) -> bool {
        self.has_counting_certification(code, now, false)
    }

    /// Whether the supplier holds a certification of `code` valid at `now`,
    /// verified when `verified_only`.
    pub fn has_counting_certification(&self, code: &str, now: i64, verified_only: bool) -> bool {
        self.certifications
            .iter()
            .any(|cert| cert.code == code && cert.counts_at(now, verified_only))
    }

    /// Every searchable text of the profile.
    pub(crate) fn texts(&self) -> impl Iterator<Item = &str> {
        self.own_texts()
            .chain(self.capability_labels.iter().map(String::as_str))
    }

    /// The searchable texts the supplier wrote: all but the capability
    /// labels, which come from the taxonomy.
    pub(crate) fn own_texts(&self) -> impl Iterator<Item = &str> {
        [&self.name, &self.description_fr, &self.description_en]
            .into_iter()
            .chain(&self.capability_details)
            .chain(&self.equipment)
            .map(String::as_str)
    }
}
