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

impl Collector for Fits<'_> {
    type Fruit = Vec<Found>;
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
            matches: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    /// In index order: the candidates' ranking orders them itself.
    fn merge_fruits(&self, segments: Vec<Vec<Found>>) -> tantivy::Result<Vec<Found>> {
        Ok(segments.into_iter().flatten().collect())
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
    fn fit(&mut self, doc: DocId) -> Fit {
        let columns = &self.columns;
        let held = read(&mut self.held, columns.capabilities.as_ref(), doc);
        let capabilities = met(&self.capabilities, held);
        let related = self.related.iter().any(|ord| held.contains(ord));
        let sectors = met(
            &self.sectors,
            read(&mut self.held, columns.sectors.as_ref(), doc),
        );
        let region = read(&mut self.held, columns.regions.as_ref(), doc)
            .iter()
            .any(|ord| self.regions.contains(ord));
        columns.counting_codes(doc, self.now, false, &mut self.valid);
        let certifications = met(&self.certifications, &self.valid);
        Fit {
            capabilities,
            related,
            others: certifications + sectors + usize::from(region),
        }
    }
}

impl SegmentCollector for SegmentFits {
    type Fruit = Vec<Found>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let fit = self.fit(doc);
        self.matches.push(Found {
            score,
            address: DocAddress::new(self.segment, doc),
            id: self.columns.id(doc),
            fit,
        });
    }

    fn harvest(self) -> Self::Fruit {
        self.matches
    }
}

#[cfg(test)]
mod tests {
    use tantivy::query::AllQuery;

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
            assert_eq!(found.len(), suppliers.len());
            for found in found {
                let doc = &suppliers[found.id.as_u128() as usize - 1];
                assert_eq!(found.fit, need.fit(doc, &related), "{need:?} on {doc:?}");
            }
        }
    }
}
