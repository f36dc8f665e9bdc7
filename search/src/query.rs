//! Queries and their answers, shared by both engines.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::document::SupplierDocument;
use crate::error::IndexError;

/// How deep a result list may be paged (`offset + limit`). Meilisearch's
/// `pagination.maxTotalHits` is set to the same value so both engines agree.
pub const MAX_RESULT_WINDOW: usize = 10_000;

/// A free-text search with filters.
///
/// Text semantics, identical on both engines: every query word (or one of its
/// synonyms) must match some searchable field, with 1 typo allowed from 5 characters
/// and 2 from 9; accents and case are ignored; the last word also matches as a prefix;
/// French and English stop words are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchQuery {
    pub text: Option<String>,
    /// Any of these codes (descendants match, as documents carry their ancestors).
    pub capabilities: Vec<String>,
    /// Every one of these codes, with a certificate valid at `now`.
    pub certifications: Vec<String>,
    /// Any of these sectors.
    pub sectors: Vec<String>,
    /// Any of these regions.
    pub regions: Vec<String>,
    pub member: Option<bool>,
    /// The clock of the query (unix seconds), so certificates expire without a reindex.
    pub now: i64,
    pub sort: SortOrder,
    pub offset: usize,
    pub limit: usize,
}

/// Result order; every order ends with the document id so pages are stable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortOrder {
    #[default]
    Relevance,
    NameAsc,
    UpdatedDesc,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// Number of documents matching text and filters, independent of paging.
    pub total: usize,
    pub hits: Vec<SearchHit>,
    pub facets: Facets,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub id: Uuid,
    /// Engine-specific relevance (BM25 for the embedded engine, `_rankingScore` in
    /// 0..=1 for Meilisearch); `None` when the query has no text.
    pub score: Option<f32>,
    /// Field name -> field text with matched words wrapped in `<em>..</em>`, for the
    /// fields `name`, `description_fr`, `description_en` and `capability_labels`
    /// (the matching labels joined with ", ") where something matched. The text is
    /// not HTML-escaped: the renderer must escape everything but the tags.
    pub highlights: BTreeMap<String, String>,
}

/// Value counts over all documents matching the text and every filter (conjunctive
/// facets: selecting a sector narrows the counts of the other sectors too).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    pub capabilities: BTreeMap<String, usize>,
    /// Only certifications valid at the query's `now`.
    pub certifications: BTreeMap<String, usize>,
    pub sectors: BTreeMap<String, usize>,
    pub regions: BTreeMap<String, usize>,
    /// Keys "true" and "false".
    pub member: BTreeMap<String, usize>,
}

/// A structured need, e.g. the requirements of a sourcing request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CandidateQuery {
    /// Candidates must have at least one of these; when empty, they must match `text`.
    pub capabilities: Vec<String>,
    /// Wanted certifications (valid at `now`).
    pub certifications: Vec<String>,
    pub sectors: Vec<String>,
    pub region: Option<String>,
    pub text: Option<String>,
    pub now: i64,
    pub limit: usize,
}

/// A ranked candidate. `score` is the number of requirements met (each wanted
/// capability, valid certification and sector, and the region) plus a text relevance
/// in `0..1`, so a supplier meeting more requirements always ranks first and text only
/// breaks ties.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: Uuid,
    pub score: f32,
}

impl SearchQuery {
    /// The words of the text query, or `None` for a query without text.
    pub(crate) fn text(&self) -> Option<&str> {
        non_blank(self.text.as_deref())
    }

    pub(crate) fn check(&self) -> Result<(), IndexError> {
        if self.offset.saturating_add(self.limit) > MAX_RESULT_WINDOW {
            return Err(IndexError::InvalidQuery(format!(
                "offset + limit must not exceed {MAX_RESULT_WINDOW}"
            )));
        }
        Ok(())
    }
}

impl CandidateQuery {
    pub(crate) fn text(&self) -> Option<&str> {
        non_blank(self.text.as_deref())
    }

    pub(crate) fn check(&self) -> Result<(), IndexError> {
        if self.capabilities.is_empty() && self.text().is_none() {
            return Err(IndexError::InvalidQuery(
                "a candidate query needs capabilities or text".to_owned(),
            ));
        }
        if self.limit > MAX_RESULT_WINDOW {
            return Err(IndexError::InvalidQuery(format!(
                "limit must not exceed {MAX_RESULT_WINDOW}"
            )));
        }
        Ok(())
    }

    /// Requirements `doc` meets; see [`Candidate`].
    pub(crate) fn requirements_met(&self, doc: &SupplierDocument) -> usize {
        let capabilities = self
            .capabilities
            .iter()
            .filter(|code| doc.capability_codes.contains(code))
            .count();
        let certifications = self
            .certifications
            .iter()
            .filter(|code| doc.has_valid_certification(code, self.now))
            .count();
        let sectors = self
            .sectors
            .iter()
            .filter(|sector| doc.sectors.contains(sector))
            .count();
        let region = self
            .region
            .as_deref()
            .is_some_and(|region| region.eq_ignore_ascii_case(&doc.region));
        capabilities + certifications + sectors + usize::from(region)
    }

    /// Ranks scored documents best first (ties by id) and keeps `limit`.
    /// `relevance` must already be normalised to `0..=1`.
    pub(crate) fn rank<'a>(
        &self,
        scored: impl IntoIterator<Item = (&'a SupplierDocument, f32)>,
    ) -> Vec<Candidate> {
        // Text relevance stays below 1 so it never outweighs a met requirement.
        const TEXT_WEIGHT: f32 = 0.99;
        let mut candidates: Vec<Candidate> = scored
            .into_iter()
            .map(|(doc, relevance)| Candidate {
                id: doc.id,
                score: self.requirements_met(doc) as f32 + TEXT_WEIGHT * relevance.clamp(0.0, 1.0),
            })
            .collect();
        candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        candidates.truncate(self.limit);
        candidates
    }
}

impl Facets {
    /// Adds one matching document to the counts.
    pub(crate) fn count(&mut self, doc: &SupplierDocument, now: i64) {
        fn bump(map: &mut BTreeMap<String, usize>, key: &str) {
            *map.entry(key.to_owned()).or_default() += 1;
        }
        // Documents may repeat a value; each document counts once per value.
        let mut capabilities: Vec<&String> = doc.capability_codes.iter().collect();
        capabilities.sort_unstable();
        capabilities.dedup();
        for code in capabilities {
            bump(&mut self.capabilities, code);
        }
        for code in doc.valid_certification_codes(now) {
            bump(&mut self.certifications, code);
        }
        let mut sectors: Vec<&String> = doc.sectors.iter().collect();
        sectors.sort_unstable();
        sectors.dedup();
        for sector in sectors {
            bump(&mut self.sectors, sector);
        }
        // As in Meilisearch's distribution, an unknown (empty) region is no value.
        if !doc.region.is_empty() {
            bump(&mut self.regions, &doc.region);
        }
        bump(&mut self.member, if doc.member { "true" } else { "false" });
    }
}

fn non_blank(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|text| !text.is_empty())
}
