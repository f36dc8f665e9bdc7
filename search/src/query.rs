//! Queries and their answers, shared by both engines.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::analysis::{self, Group, QueryWords};
use crate::document::SupplierDocument;
use crate::error::IndexError;

/// How deep a result list may be paged (`offset + limit`). Meilisearch's
/// `pagination.maxTotalHits` is set to the same value so both engines agree.
pub const MAX_RESULT_WINDOW: usize = 10_000;

/// A free-text search with filters.
///
/// Text semantics, identical on both engines: every query word is optional, and
/// a document matches when one of the words (or one of its synonyms) matches some
/// searchable field, with 1 typo allowed from 5 characters and 2 from 9; accents
/// and case are ignored; the last word also matches as a prefix; French and English
/// stop words, including the phrasing of a request ("je cherche un sous-traitant
/// pour"), are ignored, and a text of stop words only is no text. Documents
/// matching more of the words rank first, then fewer typos, then the field
/// matched (name and capability labels above descriptions).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchQuery {
    pub text: Option<String>,
    /// Capabilities the text names, in the order it names them, as the
    /// capability suggester reads it (the application fills it in): a
    /// document matching the text and holding the first ranks as if it
    /// matched one more word, as rare as the capability's holders; holding
    /// a later one, the need's context, half as much (see
    /// `named_capability_lift`). Changes no filter and no count.
    #[serde(default)]
    pub named_capabilities: Vec<String>,
    /// Certifications the text names ("certifié ISO 11137", "BPF"), as the
    /// capability suggester reads it: a document matching the text and
    /// holding one ranks as if it matched one more word, as rare as the
    /// certification's holders (see `named_certification_lift`), when its
    /// certificate counts at `now` (as for `certifications`: valid, and
    /// verified under `verified_only`): an expired one is what the buyer
    /// asked for no more than none. Changes no filter and no count:
    /// `certifications` filters.
    #[serde(default)]
    pub named_certifications: Vec<String>,
    /// Any of these codes (descendants match, as documents carry their ancestors).
    pub capabilities: Vec<String>,
    /// Every one of these codes, with a certificate valid at `now`.
    pub certifications: Vec<String>,
    /// Only certificates an expert verified count: for `certifications`, in
    /// the certification facets and, when `certifications` is empty, the
    /// supplier must hold some verified certificate valid at `now`.
    #[serde(default)]
    pub verified_only: bool,
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

/// What holding the `at`-th capability a text names adds to a match's
/// score, the capability having `holders` among `documents`: one more
/// matched word as rare as its holders for the first, the need; half of it
/// for the later ones, its context ("pièces imprimées en 3D" in a need for
/// their tomography).
pub(crate) fn named_capability_lift(at: usize, holders: u64, documents: u64) -> f32 {
    const CONTEXT: f32 = 0.5;
    let weight = if at == 0 { 1.0 } else { CONTEXT };
    crate::analysis::rarity(holders, documents) * weight
}

/// What holding a certification a text names adds to a match's score, the
/// certification having `holders` among `documents`: one more matched word
/// as rare as its holders, as the need's capability. A buyer who names a
/// certification requires it; "ISO 13485", which most of a health-tech
/// directory holds, weighs next to nothing, "ISO 11137" (gamma
/// sterilisation) much.
pub(crate) fn named_certification_lift(holders: u64, documents: u64) -> f32 {
    named_capability_lift(0, holders, documents)
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
    /// Engine-specific relevance (on both engines, by relevance, the sum of
    /// the matched words' rarities times how well each matched; sorted by
    /// another order on Meilisearch, its weighted `_rankingScore`); `None`
    /// when the query has no text.
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
    /// Full candidates hold at least one of these (or a descendant); holders of a
    /// sibling or the parent, or of a capability in `named_capabilities`, are
    /// partial candidates.
    pub capabilities: Vec<String>,
    /// Wanted certifications (valid at `now`).
    pub certifications: Vec<String>,
    pub sectors: Vec<String>,
    pub region: Option<String>,
    /// The need in the buyer's words (title, description, quantities): ranks the
    /// candidates, and a profile that matches it strongly is a partial candidate.
    pub text: Option<String>,
    /// Capabilities the text names besides the requested ones (the application
    /// reads them with the capability suggester). A need often spans two
    /// ("the embedded software of a connected patch, with its electronic
    /// board"): holders of a named capability are partial candidates, as
    /// holders of a related one, whatever the strength of their text next to
    /// the best match's.
    #[serde(default)]
    pub named_capabilities: Vec<String>,
    pub now: i64,
    pub limit: usize,
}

/// How a candidate relates to the requested capabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Tier {
    /// Holds a requested capability.
    Full,
    /// Holds a sibling or the parent of a requested capability or a capability
    /// the text names, or its profile matches the need's text strongly: worth
    /// the expert's look, never ranked above a full candidate.
    Partial,
}

/// A ranked candidate: full candidates first, then partial ones. Within the full
/// tier, `score` is the number of requirements met (each wanted capability, valid
/// certification and sector, and the region) plus a text relevance in `0..1`, so a
/// supplier meeting more requirements always ranks first and text only breaks ties.
/// Within the partial tier, the text counts most: what the profile says is why it
/// is there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: Uuid,
    pub tier: Tier,
    pub score: f32,
    /// The need's words (as analysed: lower case, no accents) the profile matched,
    /// in the order of the text.
    pub matched_terms: Vec<String>,
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

    /// The words of the text that say what is needed. The words naming the
    /// need's region are left out: the region is a requirement, met by the
    /// profile's region, and a text saying "chez un partenaire en
    /// Bourgogne-Franche-Comté" would otherwise rank first the suppliers whose
    /// name holds "Bourgogne" or "Franche-Comté", whatever they do, and push
    /// the profiles matching the need itself out of the partial tier (which
    /// is relative to the best text match). A text naming nothing else keeps
    /// its words.
    pub(crate) fn text_words(&self) -> Option<QueryWords> {
        let mut analyzer = analysis::analyzer();
        let mut words = QueryWords::parse(self.text()?, &mut analyzer)?;
        if let Some(region) = self.region.as_deref() {
            let place: HashSet<String> = analysis::analyse(&mut analyzer, region)
                .into_iter()
                .collect();
            let needed: Vec<Group> = words
                .groups
                .iter()
                .filter(|group| !group.typed.split(' ').all(|word| place.contains(word)))
                .cloned()
                .collect();
            if !needed.is_empty() {
                words.groups = needed;
            }
        }
        Some(words)
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

    /// The capabilities whose holders are partial candidates: the parents of
    /// the requested capabilities that are not requested themselves (documents
    /// carry their ancestors, so holders of a parent are the holders of the
    /// parent itself or of any sibling), and the ones the text names.
    pub(crate) fn related_capabilities(&self) -> Vec<String> {
        let mut related: Vec<String> = self
            .capabilities
            .iter()
            .filter_map(|code| code.rsplit_once('.').map(|(parent, _)| parent.to_owned()))
            .filter(|parent| !self.capabilities.contains(parent))
            .chain(self.named_only())
            .collect();
        related.sort_unstable();
        related.dedup();
        related
    }

    /// The capabilities the text names that no requested one covers, but not
    /// the top-level domains: one named in passing ("tests utilisateurs"
    /// names `testing`) would bring in every holder of anything in it.
    fn named_only(&self) -> impl Iterator<Item = String> + '_ {
        let requested = |code: &str| {
            self.capabilities.iter().any(|wanted| {
                code == wanted
                    || code
                        .strip_prefix(wanted.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
            })
        };
        self.named_capabilities
            .iter()
            .filter(move |code| code.contains('.') && !requested(code))
            .cloned()
    }

    /// What `doc` meets of the need; `related` is
    /// [`CandidateQuery::related_capabilities`].
    pub(crate) fn fit(&self, doc: &SupplierDocument, related: &[String]) -> Fit {
        let held = |code: &String| doc.capability_codes.contains(code);
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
        Fit {
            capabilities: self.capabilities.iter().filter(|code| held(code)).count(),
            related: related.iter().any(held),
            others: certifications + sectors + usize::from(region),
        }
    }

    /// A profile this close to the best text match (its relevance) is worth a
    /// look even without a requested or related capability.
    pub(crate) const STRONG_TEXT: f32 = 0.3;

    /// The tier and score of a supplier meeting `fit` whose text has
    /// `relevance` (normalised to `0..=1`: the best text match of the
    /// selection is 1), or `None` when it is neither a full nor a partial
    /// candidate.
    pub(crate) fn place(&self, fit: Fit, relevance: f32) -> Option<(Tier, f32)> {
        // Text relevance stays below 1 so it never outweighs a met requirement.
        const TEXT_WEIGHT: f32 = 0.99;
        const RELATED_CAPABILITY: f32 = 0.5;
        const PARTIAL_REQUIREMENT: f32 = 0.25;
        let relevance = relevance.clamp(0.0, 1.0);
        let requirements = (fit.capabilities + fit.others) as f32;
        if fit.capabilities > 0 {
            return Some((Tier::Full, requirements + TEXT_WEIGHT * relevance));
        }
        if !fit.related && relevance < Self::STRONG_TEXT {
            return None;
        }
        let related = if fit.related { RELATED_CAPABILITY } else { 0.0 };
        Some((
            Tier::Partial,
            2.0 * relevance + related + PARTIAL_REQUIREMENT * requirements,
        ))
    }

    /// The best `limit` of `candidates`, best first (ties by id), each with
    /// what the caller keeps alongside.
    pub(crate) fn best<T>(&self, mut candidates: Vec<(Candidate, T)>) -> Vec<(Candidate, T)> {
        let order = |(a, _): &(Candidate, T), (b, _): &(Candidate, T)| {
            a.tier
                .cmp(&b.tier)
                .then(b.score.total_cmp(&a.score))
                .then(a.id.cmp(&b.id))
        };
        // The best `limit` first, then only they are sorted: the order is
        // total, so this is the full sort's head.
        if candidates.len() > self.limit {
            candidates.select_nth_unstable_by(self.limit, order);
            candidates.truncate(self.limit);
        }
        candidates.sort_by(order);
        candidates
    }

    /// Sorts scored documents into tiers, ranks them best first (ties by id)
    /// and keeps `limit`; documents that are neither full nor partial
    /// candidates are dropped. `relevance` as for [`CandidateQuery::place`].
    pub(crate) fn rank<'a>(
        &self,
        scored: impl IntoIterator<Item = (&'a SupplierDocument, f32)>,
    ) -> Vec<Candidate> {
        let related = self.related_capabilities();
        let placed = scored
            .into_iter()
            .filter_map(|(doc, relevance)| {
                let (tier, score) = self.place(self.fit(doc, &related), relevance)?;
                Some((Candidate::new(doc.id, tier, score), ()))
            })
            .collect();
        self.best(placed)
            .into_iter()
            .map(|(candidate, ())| candidate)
            .collect()
    }
}

impl Candidate {
    pub(crate) fn new(id: Uuid, tier: Tier, score: f32) -> Self {
        Candidate {
            id,
            tier,
            score,
            matched_terms: Vec::new(),
        }
    }
}

/// What a supplier meets of a need, read from its document (Meilisearch) or
/// from the index's columns (embedded), and ranked alike by
/// [`CandidateQuery::place`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Fit {
    /// Requested capabilities held.
    pub capabilities: usize,
    /// Holds a related capability ([`CandidateQuery::related_capabilities`]).
    pub related: bool,
    /// Certifications valid at the need's clock, sectors and the region met.
    pub others: usize,
}

fn non_blank(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|text| !text.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(need: &CandidateQuery) -> Vec<String> {
        need.text_words()
            .map(|words| words.groups.into_iter().map(|group| group.typed).collect())
            .unwrap_or_default()
    }

    #[test]
    fn the_words_naming_the_needs_region_are_not_text_evidence() {
        let mut need = CandidateQuery {
            capabilities: vec!["design.prototyping".to_owned()],
            region: Some("Bourgogne-Franche-Comté".to_owned()),
            text: Some(
                "Prototypes en résine, chez un partenaire en Bourgogne-Franche-Comté".to_owned(),
            ),
            ..CandidateQuery::default()
        };
        assert_eq!(typed(&need), ["prototypes", "resine"]);
        // Without the region requirement, the place is all the text says of it.
        need.region = None;
        assert!(typed(&need).contains(&"bourgogne".to_owned()));
        // A text naming only the region keeps its words rather than none.
        need.region = Some("Bourgogne-Franche-Comté".to_owned());
        need.text = Some("Bourgogne-Franche-Comté".to_owned());
        assert_eq!(typed(&need), ["bourgogne", "franche", "comte"]);
    }
}
