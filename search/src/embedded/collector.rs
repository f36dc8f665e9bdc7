//! Every matching document with its score. `TopDocs` with a limit of "all"
//! would reserve room for twice the whole index in every segment on every
//! query; this grows with the matches only.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{Scorer, Weight};
use tantivy::{DocAddress, DocId, DocSet, Score, SegmentOrdinal, SegmentReader};

/// Every match, each marked when it also matches `marked` (read alongside,
/// in the same pass over the segment).
pub struct AllMatches {
    pub marked: Box<dyn Weight>,
}

/// A matching document.
pub struct Found {
    pub score: Score,
    pub address: DocAddress,
    pub marked: bool,
}

impl Collector for AllMatches {
    type Fruit = Vec<Found>;
    type Child = SegmentMatches;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentMatches> {
        Ok(SegmentMatches {
            segment,
            marked: self.marked.scorer(reader, 1.0)?,
            matches: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    /// In index order: the candidates' ranking orders them itself.
    fn merge_fruits(&self, segments: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        Ok(segments.into_iter().flatten().collect())
    }
}

pub struct SegmentMatches {
    segment: SegmentOrdinal,
    marked: Box<dyn Scorer>,
    matches: Vec<Found>,
}

impl SegmentCollector for SegmentMatches {
    type Fruit = Vec<Found>;

    /// Called in increasing document order, so the marked documents are
    /// read forward once.
    fn collect(&mut self, doc: DocId, score: Score) {
        if self.marked.doc() < doc {
            self.marked.seek(doc);
        }
        self.matches.push(Found {
            score,
            address: DocAddress::new(self.segment, doc),
            marked: self.marked.doc() == doc,
        });
    }

    fn harvest(self) -> Self::Fruit {
        self.matches
    }
}
