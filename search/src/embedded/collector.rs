//! Every match of a candidate query with what it meets of the need, read
//! from the segment's columns: a long text matches most of the catalogue,
//! and parsing each match's stored document to count its requirements was
//! most of a candidate query's cost. Only the listed candidates' documents
//! are read afterwards, for their explanations.

use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};
use uuid::Uuid;

use super::columns::{ColumnCache, SegmentColumns};
use crate::query::{CandidateQuery, Fit};

/// The matches of `need`, each with its [`Fit`]; `related` is the need's
/// related capabilities.
pub(super) struct Fits<'a> {
    pub need: &'a CandidateQuery,
    pub related: &'a [String],
    pub columns: &'a ColumnCache,
}

/// A matching document.
pub(super) struct Found {
    pub score: Score,
    pub address: DocAddress,
    pub id: Uuid,
    pub fit: Fit,
}

/// The matches that may be placed (see [`SegmentFits::collect`]), and the
/// best score of all matches: what text relevance is relative to.
#[derive(Default)]
pub(super) struct Matches {
    pub found: Vec<Found>,
    pub best: Score,
}

impl Collector for Fits<'_> {
    type Fruit = Matches;
    type Child = SegmentFits;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFits> {
        let columns = self.columns.get(reader)?;
        let capabilities = columns.capabilities.as_ref();
        Ok(SegmentFits {
            segment,
            now: self.need.now,
            capabilities: ordinals(capabilities, &self.need.capabilities)?,
            related: ordinals(capabilities, self.related)?
                .into_iter()
                .flatten()
                .collect(),
            sectors: ordinals(columns.sectors.as_ref(), &self.need.sectors)?,
            regions: region_ordinals(columns.regions.as_ref(), self.need.region.as_deref())?,
            certifications: self
                .need
                .certifications
                .iter()
                .map(|code| columns.certificates.code(code))
                .collect(),
            columns,
            held: Vec::new(),
            valid: Vec::new(),
            best: 0.0,
            matches: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    /// In index order: the candidates' ranking orders them itself.
    fn merge_fruits(&self, segments: Vec<Matches>) -> tantivy::Result<Matches> {
        let mut merged = Matches::default();
        for segment in segments {
            merged.best = merged.best.max(segment.best);
            merged.found.extend(segment.found);
        }
        Ok(merged)
    }
}

/// Each of `values` as a term ordinal of `column`, `None` where no document
/// of the segment holds it; in the same order, repeats kept, as the need
/// counts them.
fn ordinals(column: Option<&StrColumn>, values: &[String]) -> tantivy::Result<Vec<Option<u64>>> {
    values
        .iter()
        .map(|value| match column {
            Some(column) => Ok(column.dictionary().term_ord(value)?),
            None => Ok(None),
        })
        .collect()
}

/// The ordinals of `column`'s values equal to `region` ignoring ASCII case,
/// as a document's region is compared.
fn region_ordinals(column: Option<&StrColumn>, region: Option<&str>) -> tantivy::Result<Vec<u64>> {
    let (Some(column), Some(region)) = (column, region) else {
        return Ok(Vec::new());
    };
    let mut ordinals = Vec::new();
    let mut value = String::new();
    for ord in 0..column.num_terms() as u64 {
        if column.ord_to_str(ord, &mut value)? && value.eq_ignore_ascii_case(region) {
            ordinals.push(ord);
        }
    }
    Ok(ordinals)
}

pub(super) struct SegmentFits {
    segment: SegmentOrdinal,
    now: i64,
    columns: Arc<SegmentColumns>,
    /// The need's requested capabilities, sectors and certifications in this
    /// segment's ordinals (certifications: interned codes).
    capabilities: Vec<Option<u64>>,
    sectors: Vec<Option<u64>>,
    certifications: Vec<Option<u32>>,
    /// The ordinals of the related capabilities, and of the need's region.
    related: Vec<u64>,
    regions: Vec<u64>,
    /// The current document's values, reused from one document to the next.
    held: Vec<u64>,
    valid: Vec<u32>,
    /// The best score so far, of every match.
    best: Score,
    matches: Vec<Found>,
}

/// How many of `wanted` are in `held`.
fn met<T: PartialEq>(wanted: &[Option<T>], held: &[T]) -> usize {
    wanted
        .iter()
        .filter(|value| value.as_ref().is_some_and(|value| held.contains(value)))
        .count()
}

/// `doc`'s values in `column`, in `held`.
fn read<'a>(held: &'a mut Vec<u64>, column: Option<&StrColumn>, doc: DocId) -> &'a [u64] {
    held.clear();
    if let Some(column) = column {
        held.extend(column.term_ords(doc));
    }
    held
}

impl SegmentFits {
    /// What `doc` meets of the need; `None` when it holds no requested or
    /// related capability and `weak` (its text too far below the best to
    /// make it a partial candidate), without reading the rest.
    fn fit(&mut self, doc: DocId, weak: bool) -> Option<Fit> {
        let columns = &self.columns;
        let held = read(&mut self.held, columns.capabilities.as_ref(), doc);
        let capabilities = met(&self.capabilities, held);
        let related = self.related.iter().any(|ord| held.contains(ord));
        if weak && capabilities == 0 && !related {
            return None;
        }
        let sectors = met(
            &self.sectors,
            read(&mut self.held, columns.sectors.as_ref(), doc),
        );
        let region = read(&mut self.held, columns.regions.as_ref(), doc)
            .iter()
            .any(|ord| self.regions.contains(ord));
        columns.counting_codes(doc, self.now, false, &mut self.valid);
        let certifications = met(&self.certifications, &self.valid);
        Some(Fit {
            capabilities,
            related,
            others: certifications + sectors + usize::from(region),
        })
    }
}

impl SegmentCollector for SegmentFits {
    type Fruit = Matches;

    /// A long text matches most of the catalogue, mostly weakly: a match
    /// whose text is below the partial tier's bar relative to the best so
    /// far is below it relative to the best of all, and unless it holds a
    /// requested or related capability it is not kept.
    fn collect(&mut self, doc: DocId, score: Score) {
        self.best = self.best.max(score);
        // As relevance is computed (see `CandidateQuery::place`).
        let weak = self.best > 0.0 && score / self.best < CandidateQuery::STRONG_TEXT;
        if let Some(fit) = self.fit(doc, weak) {
            self.matches.push(Found {
                score,
                address: DocAddress::new(self.segment, doc),
                id: self.columns.id(doc),
                fit,
            });
        }
    }

    fn harvest(self) -> Self::Fruit {
        Matches {
            found: self.matches,
            best: self.best,
        }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::Term;
    use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Query, TermQuery};
    use tantivy::schema::IndexRecordOption;

    use super::*;
    use crate::embedded::TantivyIndex;
    use crate::{CapabilityIndex, CertificationDoc, SupplierDocument};

    const NOW: i64 = 1_790_000_000;
    const CODES: [&str; 5] = [
        "machining",
        "machining.turning",
        "machining.milling",
        "coating",
        "coating.pvd",
    ];
    const SECTORS: [&str; 3] = ["medtech", "pharma", "aero"];
    const REGIONS: [&str; 4] = [
        "Bourgogne-Franche-Comté",
        "BOURGOGNE-FRANCHE-COMTÉ",
        "Occitanie",
        "",
    ];

    /// Supplier `n`: its bits pick its capabilities, sectors, region and
    /// certificates, so that the catalogue holds every combination the
    /// ranking tells apart.
    fn supplier(n: usize) -> SupplierDocument {
        let bit = |at: usize| n >> at & 1 == 1;
        let cert =
            |code: &str, valid_from: i64, valid_until: i64, verified: bool| CertificationDoc {
                code: code.to_owned(),
                valid_from,
                valid_until,
                verified,
            };
        let mut certifications = Vec::new();
        if bit(5) {
            certifications.push(cert("iso_13485", NOW - 10, NOW + 10, bit(6)));
        }
        if bit(6) {
            // Expired, beside a valid one of another code.
            certifications.push(cert("iso_9001", NOW - 10, NOW, false));
            certifications.push(cert("iso_17025", NOW, NOW + 1, true));
        }
        if bit(7) {
            // Not valid yet.
            certifications.push(cert("iso_13485", NOW + 1, NOW + 10, true));
        }
        SupplierDocument {
            id: Uuid::from_u128(n as u128 + 1),
            name: format!("Supplier {n}"),
            description_fr: "usinage".to_owned(),
            description_en: String::new(),
            capability_codes: CODES
                .iter()
                .enumerate()
                .filter(|(at, _)| bit(*at))
                .map(|(_, code)| (*code).to_owned())
                .collect(),
            capability_labels: Vec::new(),
            capability_details: Vec::new(),
            certifications,
            sectors: SECTORS
                .iter()
                .enumerate()
                .filter(|(at, _)| bit(8 + at))
                .map(|(_, sector)| (*sector).to_owned())
                .collect(),
            region: REGIONS[n % REGIONS.len()].to_owned(),
            department: String::new(),
            city: String::new(),
            country: "FR".to_owned(),
            member: false,
            equipment: Vec::new(),
            updated_at: NOW,
        }
    }

    fn need(
        capabilities: &[&str],
        certifications: &[&str],
        sectors: &[&str],
        region: Option<&str>,
    ) -> CandidateQuery {
        let owned = |values: &[&str]| values.iter().map(|value| (*value).to_owned()).collect();
        CandidateQuery {
            capabilities: owned(capabilities),
            certifications: owned(certifications),
            sectors: owned(sectors),
            region: region.map(str::to_owned),
            now: NOW,
            limit: 20,
            ..CandidateQuery::default()
        }
    }

    #[tokio::test]
    async fn what_a_match_meets_is_read_from_its_columns_as_from_its_document() {
        let dir = tempfile::tempdir().expect("temp dir");
        let index = TantivyIndex::open(dir.path()).expect("open index");
        let suppliers: Vec<SupplierDocument> = (0..1 << 11).map(supplier).collect();
        // Two commits: the columns are read per segment.
        let (first, second) = suppliers.split_at(700);
        index.upsert(first.to_vec()).await.expect("upsert");
        index.upsert(second.to_vec()).await.expect("upsert");
        let needs = [
            need(
                &["machining.turning"],
                &["iso_13485"],
                &["medtech"],
                Some("bourgogne-franche-comté"),
            ),
            // Repeated values count as the need lists them; unknown ones match nothing.
            need(
                &["coating.pvd", "coating.pvd", "unknown.code"],
                &["iso_13485", "iso_9001", "iso_17025", "gmp"],
                &["pharma", "aero", "food"],
                Some("Occitanie"),
            ),
            need(&["machining.milling", "coating.pvd"], &[], &[], Some("")),
            need(&["machining"], &["iso_17025"], &["aero"], None),
        ];
        let engine = &index.engine;
        let searcher = engine.reader.searcher();
        for need in &needs {
            let related = need.related_capabilities();
            let found = searcher
                .search(
                    &AllQuery,
                    &Fits {
                        need,
                        related: &related,
                        columns: &engine.columns,
                    },
                )
                .expect("search");
            assert_eq!(found.found.len(), suppliers.len());
            for found in found.found {
                let doc = &suppliers[found.id.as_u128() as usize - 1];
                assert_eq!(found.fit, need.fit(doc, &related), "{need:?} on {doc:?}");
            }
        }
    }

    #[tokio::test]
    async fn a_weak_match_is_kept_only_when_it_holds_a_requested_or_related_capability() {
        let dir = tempfile::tempdir().expect("temp dir");
        let index = TantivyIndex::open(dir.path()).expect("open index");
        let suppliers: Vec<SupplierDocument> = (0..1 << 8).map(supplier).collect();
        index.upsert(suppliers.clone()).await.expect("upsert");
        let engine = &index.engine;
        let searcher = engine.reader.searcher();
        // Holders of "coating" match strongly, everyone else weakly (a
        // tenth of the best: below the partial tier's bar).
        let strong = TermQuery::new(
            Term::from_field_text(engine.fields.capability_codes, "coating"),
            IndexRecordOption::Basic,
        );
        let query = BooleanQuery::union(vec![
            Box::new(ConstScoreQuery::new(Box::new(strong), 1.0)) as Box<dyn Query>,
            Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.1)),
        ]);
        let need = need(&["machining.turning"], &[], &[], None);
        let related = need.related_capabilities();
        let found = searcher
            .search(
                &query,
                &Fits {
                    need: &need,
                    related: &related,
                    columns: &engine.columns,
                },
            )
            .expect("search");
        assert!((found.best - 1.1).abs() < 1e-6, "the best of all matches");
        // In index order (one segment), the bar rises with the first strong
        // match: weak matches seen before it are kept all the same.
        let first_strong = suppliers
            .iter()
            .position(|doc| doc.capability_codes.iter().any(|code| code == "coating"))
            .expect("a strong match");
        for (at, doc) in suppliers.iter().enumerate() {
            let fit = need.fit(doc, &related);
            let strong = doc.capability_codes.iter().any(|code| code == "coating");
            let kept = found.found.iter().any(|found| found.id == doc.id);
            if strong || fit.capabilities > 0 || fit.related {
                assert!(kept, "{:?} may be placed", doc.capability_codes);
            } else {
                assert_eq!(kept, at < first_strong, "{:?}", doc.capability_codes);
            }
        }
    }
}
