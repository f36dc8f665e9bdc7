//! The page of a search, its total and its facets in one pass over the
//! matches, reading tantivy's fast fields (columns) rather than documents: a
//! sentence's common words match most of the catalogue, and materialising
//! every match to count facets and check certificates was most of its cost.
//!
//! Each segment keeps its best `offset + limit` matches in a heap (the sort
//! key read from a column, the id only when the key ties with the worst kept
//! one), counts facet values by term ordinal and decides certificate validity
//! at the query's clock from the certificates column. Only the page's
//! documents are read afterwards, for highlights.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};
use uuid::Uuid;

use super::columns::{ColumnCache, SegmentColumns};
use crate::query::{Facets, SortOrder};

/// What a search collects: the certificates a match must hold, the order and
/// how many of the best matches to keep.
pub(super) struct Page<'a> {
    /// Every one of these codes, valid at `now` (and verified when
    /// `verified_only`); with none, `verified_only` asks for some verified
    /// valid certificate.
    pub certifications: &'a [String],
    pub verified_only: bool,
    pub now: i64,
    pub sort: SortOrder,
    /// `offset + limit`.
    pub keep: usize,
    pub columns: &'a ColumnCache,
    /// Certifications the text names, each with what a match holding it
    /// valid at `now` gains (the best of them when several are held).
    pub named_certifications: &'a [(String, f32)],
}

/// The best matches in order, with the count and facets of all of them.
pub(super) struct Collected {
    pub total: usize,
    pub facets: Facets,
    pub best: Vec<Ranked>,
}

/// A kept match and what ordered it.
pub(super) struct Ranked {
    pub address: DocAddress,
    pub score: Score,
    id: Uuid,
    key: Key,
}

/// The part of a sort key read from a column; every order ends with the id.
#[derive(Clone, PartialEq)]
enum Key {
    /// Higher first.
    Score(Score),
    /// Within a segment, the ordinal of the lower-cased name, in the same
    /// order as the names; resolved to the name itself to merge segments.
    NameOrd(u64),
    Name(String),
    /// Newer first.
    Updated(i64),
}

impl Key {
    fn cmp(&self, other: &Key) -> Ordering {
        match (self, other) {
            (Key::Score(a), Key::Score(b)) => b.total_cmp(a),
            (Key::NameOrd(a), Key::NameOrd(b)) => a.cmp(b),
            (Key::Name(a), Key::Name(b)) => a.cmp(b),
            (Key::Updated(a), Key::Updated(b)) => b.cmp(a),
            // One query sorts by one kind of key.
            _ => Ordering::Equal,
        }
    }
}

impl Ranked {
    /// Best first.
    fn cmp(&self, other: &Ranked) -> Ordering {
        self.key.cmp(&other.key).then(self.id.cmp(&other.id))
    }
}

/// Best first, so the heap's top is the worst kept match.
struct Kept(Ranked);

impl PartialEq for Kept {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Kept {}
impl PartialOrd for Kept {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Kept {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}

impl Collector for Page<'_> {
    type Fruit = Collected;
    type Child = SegmentPage;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentPage> {
        let columns = self.columns.get(reader)?;
        let certificates = &columns.certificates;
        let wanted = self
            .certifications
            .iter()
            .map(|code| certificates.code(code))
            .collect::<Option<Vec<u32>>>();
        let sort = match self.sort {
            SortOrder::Relevance => SortColumn::Score,
            SortOrder::NameAsc => SortColumn::Name,
            SortOrder::UpdatedDesc => SortColumn::Updated,
        };
        let named = self
            .named_certifications
            .iter()
            .filter_map(|(code, lift)| Some((certificates.code(code)?, *lift)))
            .collect();
        let codes = certificates.codes.len();
        Ok(SegmentPage {
            segment,
            keep: self.keep,
            now: self.now,
            verified_only: self.verified_only,
            wanted,
            named,
            valid: Vec::new(),
            sort,
            best: BinaryHeap::new(),
            total: 0,
            capabilities: Counts::new(columns.capabilities.clone()),
            sectors: Counts::new(columns.sectors.clone()),
            regions: Counts::new(columns.regions.clone()),
            certification_counts: Counts {
                column: None,
                counts: vec![0; codes],
                last: vec![DocId::MAX; codes],
            },
            members: [0; 2],
            columns,
        })
    }

    /// Hits carry their text score whatever the order.
    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, segments: Vec<Collected>) -> tantivy::Result<Collected> {
        let mut merged = Collected {
            total: 0,
            facets: Facets::default(),
            best: Vec::new(),
        };
        for segment in segments {
            merged.total += segment.total;
            merged.best.extend(segment.best);
            add(&mut merged.facets, segment.facets);
        }
        merged.best.sort_by(Ranked::cmp);
        merged.best.truncate(self.keep);
        Ok(merged)
    }
}

fn add(into: &mut Facets, from: Facets) {
    fn add_map(into: &mut BTreeMap<String, usize>, from: BTreeMap<String, usize>) {
        for (value, count) in from {
            *into.entry(value).or_default() += count;
        }
    }
    add_map(&mut into.capabilities, from.capabilities);
    add_map(&mut into.certifications, from.certifications);
    add_map(&mut into.sectors, from.sectors);
    add_map(&mut into.regions, from.regions);
    add_map(&mut into.member, from.member);
}

enum SortColumn {
    Score,
    Name,
    Updated,
}

/// Documents per value of a multi-valued string column, each document
/// counted once per value.
struct Counts {
    column: Option<StrColumn>,
    counts: Vec<u32>,
    /// The last document counted for each value.
    last: Vec<DocId>,
}

impl Counts {
    fn new(column: Option<StrColumn>) -> Self {
        let values = column.as_ref().map_or(0, |column| column.num_terms());
        Counts {
            column,
            counts: vec![0; values],
            last: vec![DocId::MAX; values],
        }
    }

    fn count_ord(&mut self, doc: DocId, ord: u64) {
        let ord = ord as usize;
        if self.last[ord] != doc {
            self.last[ord] = doc;
            self.counts[ord] += 1;
        }
    }

    fn count(&mut self, doc: DocId) {
        if let Some(column) = self.column.take() {
            for ord in column.term_ords(doc) {
                self.count_ord(doc, ord);
            }
            self.column = Some(column);
        }
    }

    /// Value -> count, `name` resolving an ordinal; values no match holds and
    /// the empty value (as in Meilisearch's distribution) are left out.
    fn resolve(&self, name: impl Fn(usize) -> Option<String>) -> BTreeMap<String, usize> {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .filter_map(|(ord, count)| Some((name(ord)?, *count as usize)))
            .filter(|(value, _)| !value.is_empty())
            .collect()
    }

    fn resolve_column(&self) -> BTreeMap<String, usize> {
        let Some(column) = &self.column else {
            return BTreeMap::new();
        };
        self.resolve(|ord| {
            let mut value = String::new();
            column
                .ord_to_str(ord as u64, &mut value)
                .ok()
                .and_then(|found| found.then_some(value))
        })
    }
}

pub(super) struct SegmentPage {
    segment: SegmentOrdinal,
    keep: usize,
    now: i64,
    verified_only: bool,
    /// The wanted certification codes in this segment's interning; `None`
    /// when one of them is in none of its documents.
    wanted: Option<Vec<u32>>,
    /// The named certifications in this segment's interning, with their lift.
    named: Vec<(u32, f32)>,
    columns: Arc<SegmentColumns>,
    /// The codes of the current document's certificates that count.
    valid: Vec<u32>,
    sort: SortColumn,
    best: BinaryHeap<Kept>,
    total: usize,
    capabilities: Counts,
    sectors: Counts,
    regions: Counts,
    certification_counts: Counts,
    members: [u32; 2],
}

impl SegmentPage {
    /// Whether `doc`'s certificates pass the filter; leaves the codes that
    /// count in `self.valid`.
    fn certified(&mut self, doc: DocId) -> bool {
        self.columns
            .counting_codes(doc, self.now, self.verified_only, &mut self.valid);
        match &self.wanted {
            None => false,
            Some(wanted) if wanted.is_empty() => !self.verified_only || !self.valid.is_empty(),
            Some(wanted) => wanted.iter().all(|code| self.valid.contains(code)),
        }
    }

    /// What the current document gains from the named certifications it
    /// holds valid (after [`SegmentPage::certified`]).
    fn named_lift(&self) -> Score {
        self.named
            .iter()
            .filter(|(code, _)| self.valid.contains(code))
            .map(|(_, lift)| *lift)
            .fold(0.0, f32::max)
    }

    fn key(&self, doc: DocId, score: Score) -> Key {
        match &self.sort {
            SortColumn::Score => Key::Score(score),
            SortColumn::Name => Key::NameOrd(
                self.columns
                    .name_sort
                    .as_ref()
                    .and_then(|column| column.term_ords(doc).next())
                    .unwrap_or_default(),
            ),
            SortColumn::Updated => {
                Key::Updated(self.columns.updated_at.first(doc).unwrap_or_default())
            }
        }
    }

    fn rank(&mut self, doc: DocId, score: Score) {
        if self.keep == 0 {
            return;
        }
        let key = self.key(doc, score);
        if self.best.len() == self.keep
            && let Some(Kept(worst)) = self.best.peek()
            // Worse than the worst kept: its id cannot change that.
            && key.cmp(&worst.key) == Ordering::Greater
        {
            return;
        }
        let ranked = Ranked {
            address: DocAddress::new(self.segment, doc),
            score,
            id: self.columns.id(doc),
            key,
        };
        if self.best.len() < self.keep {
            self.best.push(Kept(ranked));
        } else if let Some(mut worst) = self.best.peek_mut()
            && ranked.cmp(&worst.0) == Ordering::Less
        {
            *worst = Kept(ranked);
        }
    }
}

impl SegmentCollector for SegmentPage {
    type Fruit = Collected;

    fn collect(&mut self, doc: DocId, score: Score) {
        if !self.certified(doc) {
            return;
        }
        self.total += 1;
        self.capabilities.count(doc);
        self.sectors.count(doc);
        self.regions.count(doc);
        for at in 0..self.valid.len() {
            let code = self.valid[at];
            self.certification_counts.count_ord(doc, u64::from(code));
        }
        if let Some(member) = self.columns.member.first(doc) {
            self.members[usize::from(member)] += 1;
        }
        self.rank(doc, score + self.named_lift());
    }

    fn harvest(self) -> Collected {
        let codes = &self.columns.certificates.codes;
        let facets = Facets {
            capabilities: self.capabilities.resolve_column(),
            certifications: self
                .certification_counts
                .resolve(|code| codes.get(code).cloned()),
            sectors: self.sectors.resolve_column(),
            regions: self.regions.resolve_column(),
            member: [("false", self.members[0]), ("true", self.members[1])]
                .into_iter()
                .filter(|(_, count)| *count > 0)
                .map(|(value, count)| (value.to_owned(), count as usize))
                .collect(),
        };
        let names = match &self.sort {
            SortColumn::Name => self.columns.name_sort.as_ref(),
            _ => None,
        };
        let best = self
            .best
            .into_iter()
            .map(|Kept(mut ranked)| {
                // Ordinals are per segment: merging segments compares names.
                if let (Key::NameOrd(ord), Some(column)) = (&ranked.key, names) {
                    let mut name = String::new();
                    let _ = column.ord_to_str(*ord, &mut name);
                    ranked.key = Key::Name(name);
                }
                ranked
            })
            .collect();
        Collected {
            total: self.total,
            facets,
            best,
        }
    }
}
