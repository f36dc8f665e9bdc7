//! How a query's words are asked of Meilisearch.
//!
//! Its matching strategies all keep some word mandatory (`frequency` the
//! rarest ones, `last` the first), so a supplier matching the buyer's other
//! words would never be found. Every word being optional here, text is one
//! search per word beside the sentence's:
//! - a page by relevance and candidates' text relevance are ranked here
//!   ([`Words::ranked`]) as the embedded engine ranks: the sum over the words
//!   a document matches of the word's rarity times how well it matched.
//!   Meilisearch's federated search cannot do it: it keeps each document's
//!   best single-query score, so one common word matched in a name outranked
//!   several rarer words matched in a description, and the profile naming a
//!   need's rarest word outranked one naming two of its other words;
//! - totals, facets and sorted pages come from a federated search
//!   ([`Words::searches`]), Meilisearch merging and deduplicating the union.

use std::collections::HashMap;

use meilisearch_sdk::DefaultHttpClient;
use meilisearch_sdk::client::Client;
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::search::{MultiSearchQuery, SearchQuery, Selectors};
use uuid::Uuid;

use crate::analysis::{self, QueryWords, Word};
use crate::document::CertificationDoc;

/// One search of a multi-search.
pub(super) type Search<'a> = SearchQuery<'a, DefaultHttpClient>;

/// Meilisearch reads only the first ten words of a query, stop words
/// included: it is given the meaningful ones.
const MAX_QUERY_WORDS: usize = 10;
/// A document found by one word alone weighs at most this much of a
/// document the sentence found with the same score: a word no other profile
/// uses. On the labelled set (sentence nDCG@10, `make bench`), one weight for
/// every word: 0.5 → 0.764, 0.3 → 0.829, 0.15 → 0.831; weighed by rarity
/// down to [`COMMON_WORD_WEIGHT`]: 0.3 → 0.882, 0.45 → 0.875.
const WORD_WEIGHT: f32 = 0.3;
/// How many of the sentence's best matches are ranked, at least: Meilisearch
/// ranks first the documents matching most of its words, which no single
/// word's window may hold.
const SENTENCE_WINDOW: usize = 100;
/// A word most profiles use ("device", "pièces") still finds a supplier
/// whose profile says nothing else of the need, below all others (0.02 gave
/// 0.874).
const COMMON_WORD_WEIGHT: f32 = 0.05;

/// The words of a text that say something, as the embedded engine reads them:
/// without stop words and request phrasing ("je cherche un sous-traitant
/// pour"), each once, at most [`MAX_QUERY_WORDS`].
#[derive(Debug)]
pub(super) struct Words {
    /// Every word and synonym of the query, to mark in highlights.
    marked: Vec<Word>,
    sentence: String,
    /// Whether the query has more than one word, so that the sentence is
    /// searched beside each word.
    several: bool,
    /// The words searched each alone: once weighed, only those that find
    /// some document, as a word finding none adds nothing to the union but
    /// the cost of its searches.
    each: Vec<String>,
    /// Once weighed, how many documents the index holds and each word
    /// finds: what weighs each word's search (see [`Words::weights`]), and
    /// [`Words::ranked`] need not count them again.
    counted: Option<Counted>,
}

/// How many documents the whole index holds, and how many each word finds.
#[derive(Debug)]
struct Counted {
    documents: usize,
    each: Vec<usize>,
}

impl Words {
    /// `None` when no word is left, so that such a query answers like an empty one.
    pub(super) fn of(text: &str) -> Option<Words> {
        Some(Words::from_query(&QueryWords::parse(
            text,
            &mut analysis::analyzer(),
        )?))
    }

    /// The words of an analysed query.
    pub(super) fn from_query(words: &QueryWords) -> Words {
        // Groups are distinct phrases, not distinct words: "micro-usinage
        // (micro-machining)" names "micro" twice, which would count twice.
        let mut each: Vec<String> = Vec::new();
        for word in words.groups.iter().flat_map(|group| group.typed.split(' ')) {
            if each.len() == MAX_QUERY_WORDS {
                break;
            }
            if !each.iter().any(|known| known == word) {
                each.push(word.to_owned());
            }
        }
        Words {
            marked: words.words().cloned().collect(),
            sentence: each.join(" "),
            several: each.len() > 1,
            each,
            counted: None,
        }
    }

    /// Weighs each word by its rarity in `index`, as the embedded engine
    /// does (inverse document frequency), and drops the words that find
    /// nothing: one multi-search counting the documents each word finds, and
    /// all of them. A single word is left as it is: it needs no weight.
    pub(super) async fn weighed(
        mut self,
        client: &Client,
        index: &Index,
    ) -> Result<Words, meilisearch_sdk::errors::Error> {
        if !self.several {
            return Ok(self);
        }
        let mut counts = MultiSearchQuery::new(client);
        let mut all = Search::new(index);
        all.with_limit(0);
        counts.with_search_query(all);
        for word in &self.each {
            let mut alone = Search::new(index);
            alone.with_query(word).with_limit(0);
            counts.with_search_query(alone);
        }
        let found: Vec<usize> = counts
            .execute::<serde_json::Value>()
            .await?
            .results
            .into_iter()
            .map(|result| result.estimated_total_hits.unwrap_or_default())
            .collect();
        let Some((&documents, found)) = found.split_first() else {
            return Ok(self);
        };
        let (each, found): (Vec<String>, Vec<usize>) = std::mem::take(&mut self.each)
            .into_iter()
            .zip(found.iter().copied())
            .filter(|(_, count)| *count > 0)
            .unzip();
        self.each = each;
        self.counted = Some(Counted {
            documents,
            each: found,
        });
        Ok(self)
    }

    /// Whether the query has more than one word.
    pub(super) fn several(&self) -> bool {
        self.several
    }

    /// The words to mark in a hit's texts.
    pub(super) fn marked(&self) -> &[Word] {
        &self.marked
    }

    /// The documents matching any of the words under `filter`, best first:
    /// each scores the sum, over the words it matches, of the word's rarity
    /// in the index (as the embedded engine's, `ln(1 + documents / matches)`)
    /// times the score Meilisearch gives it for that word alone (typos, field,
    /// exactness); ties go to Meilisearch's score for the whole sentence, then
    /// to the id. One multi-search: the counts of the rarities (unless
    /// weighing counted them) and each word's best matches; the sentence's
    /// beside it, when its `window` has one. A document beyond every word's
    /// window is left out: with a window at least the page's end, only
    /// documents matching nothing but the commonest words can be.
    ///
    /// Meilisearch runs the searches of one multi-search one after the
    /// other: the sentence's window, the costliest search (12 ms of 31 at
    /// 100 000 suppliers), is sent as a request of its own beside the
    /// words' batch, so that both run at once.
    ///
    /// A document holding one of the `named` capabilities scores as if it
    /// matched one more word, as rare as the capability's holders, less for
    /// the need's context, and one more word for a named certification
    /// (as the embedded engine).
    pub(super) async fn ranked<'a>(
        &'a self,
        client: &'a Client,
        index: &'a Index,
        filter: Option<&'a str>,
        window: Window,
        named: &'a NamedInText,
    ) -> Result<Vec<Ranked>, meilisearch_sdk::errors::Error> {
        // What a match holds is read only when something of the kind is
        // named: the codes of every match of every word's window.
        let read: &'a [&'a str] = match (
            named.capabilities.is_empty(),
            named.certifications.is_empty(),
        ) {
            (true, true) => &["id"],
            (false, true) => &["id", "capability_codes"],
            (true, false) => &["id", "certifications"],
            (false, false) => &["id", "capability_codes", "certifications"],
        };
        let mut batch = MultiSearchQuery::new(client);
        let found = |query: &'a str, window: usize| -> Search<'a> {
            let mut search = Search::new(index);
            search
                .with_query(query)
                .with_limit(window)
                .with_matching_strategy(super::MATCHING)
                .with_attributes_to_retrieve(Selectors::Some(read))
                .with_show_ranking_score(true);
            if let Some(filter) = filter {
                search.with_filter(filter);
            }
            search
        };
        // How many documents the index holds, and how many each word finds,
        // whatever the filter (a word's rarity is the catalogue's), unless
        // weighing counted them: without a filter, the words' windows count
        // them.
        if self.counted.is_none() {
            let mut all = Search::new(index);
            all.with_limit(0);
            batch.with_search_query(all);
            if filter.is_some() {
                for word in &self.each {
                    let mut count = Search::new(index);
                    count.with_query(word).with_limit(0);
                    batch.with_search_query(count);
                }
            }
        }
        for Named { holds, .. } in named.all() {
            let mut count = Search::new(index);
            count.with_filter(holds).with_limit(0);
            batch.with_search_query(count);
        }
        for word in &self.each {
            batch.with_search_query(found(word, window.each));
        }
        let sentence = (self.several && window.sentence > 0).then(|| {
            let mut alone = MultiSearchQuery::new(client);
            alone.with_search_query(found(&self.sentence, window.sentence));
            alone
        });
        let (results, sentence) = futures::future::try_join(batch.execute::<RankedHit>(), async {
            match &sentence {
                Some(alone) => Ok(alone.execute::<RankedHit>().await?.results.pop()),
                None => Ok(None),
            }
        })
        .await?;
        let mut results = results.results.into_iter();
        let (total, counts): (usize, Vec<usize>) = match &self.counted {
            Some(counted) => (counted.documents, counted.each.clone()),
            None => {
                let total = results
                    .next()
                    .and_then(|all| all.estimated_total_hits)
                    .unwrap_or_default();
                let counts = if filter.is_some() {
                    results
                        .by_ref()
                        .take(self.each.len())
                        .map(|count| count.estimated_total_hits.unwrap_or_default())
                        .collect()
                } else {
                    Vec::new()
                };
                (total, counts)
            }
        };
        let mut holders = results
            .by_ref()
            .take(named.capabilities.len() + named.certifications.len())
            .map(|count| count.estimated_total_hits.unwrap_or_default() as u64);
        let capability_lift: Vec<(&str, f32)> = named
            .capabilities
            .iter()
            .zip(holders.by_ref())
            .enumerate()
            .map(|(at, (named, holders))| {
                let lift = crate::query::named_capability_lift(at, holders, total as u64);
                (named.code.as_str(), lift)
            })
            .collect();
        let certification_lift: Vec<(&str, f32)> = named
            .certifications
            .iter()
            .zip(holders)
            .map(|(named, holders)| {
                let lift = crate::query::named_certification_lift(holders, total as u64);
                (named.code.as_str(), lift)
            })
            .collect();
        // A match starts from the lift of the best named capability it
        // holds, and of the best named certification it holds valid.
        let best = |lifts: &[(&str, f32)], holds: &dyn Fn(&str) -> bool| {
            lifts
                .iter()
                .filter(|(code, _)| holds(code))
                .map(|(_, lift)| *lift)
                .fold(0.0_f32, f32::max)
        };
        let lift = |hit: &RankedHit| {
            best(&capability_lift, &|code| {
                hit.capability_codes.iter().any(|held| held == code)
            }) + best(&certification_lift, &|code| {
                hit.certifications
                    .iter()
                    .any(|held| held.code == code && held.counts_at(named.now, named.verified_only))
            })
        };
        let mut scores: HashMap<Uuid, Ranked> = HashMap::new();
        for (at, result) in results.by_ref().take(self.each.len()).enumerate() {
            let matches = counts
                .get(at)
                .copied()
                .or(result.estimated_total_hits)
                .unwrap_or_default();
            let rarity = crate::analysis::rarity(matches as u64, total as u64);
            for hit in result.hits {
                let score = hit.ranking_score.unwrap_or_default() as f32;
                scores
                    .entry(hit.result.id)
                    .or_insert_with(|| Ranked::new(hit.result.id, lift(&hit.result)))
                    .score += rarity * score;
            }
        }
        if let Some(sentence) = sentence {
            for hit in sentence.hits {
                scores
                    .entry(hit.result.id)
                    .or_insert_with(|| Ranked::new(hit.result.id, lift(&hit.result)))
                    .sentence = hit.ranking_score.unwrap_or_default() as f32;
            }
        }
        let mut ranked: Vec<Ranked> = scores.into_values().collect();
        ranked.sort_unstable_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(b.sentence.total_cmp(&a.sentence))
                .then(a.id.cmp(&b.id))
        });
        Ok(ranked)
    }

    /// The weight of each word's search, by its rarity in the index once
    /// weighed: Meilisearch's scores ignore how common a word is, and a
    /// sentence's common words would otherwise bring whole swathes of the
    /// catalogue up to the rank of the supplier named by its rare ones.
    fn weights(&self) -> Vec<f32> {
        match &self.counted {
            Some(counted) => counted
                .each
                .iter()
                .map(|&count| rarity_weight(count, counted.documents))
                .collect(),
            None => vec![WORD_WEIGHT; self.each.len()],
        }
    }

    /// The searches whose union answers these words, each set up by `configure`
    /// (filter, attributes…); to run as a federated multi-search.
    pub(super) fn searches<'a>(
        &'a self,
        client: &'a Client,
        index: &'a Index,
        configure: impl Fn(&mut Search<'a>),
    ) -> MultiSearchQuery<'a, 'a> {
        let mut batch = MultiSearchQuery::new(client);
        let mut sentence = Search::new(index);
        sentence.with_query(&self.sentence);
        configure(&mut sentence);
        batch.with_search_query_and_weight(sentence, 1.0);
        if self.several {
            for (word, weight) in self.each.iter().zip(self.weights()) {
                let mut alone = Search::new(index);
                alone.with_query(word);
                configure(&mut alone);
                batch.with_search_query_and_weight(alone, weight);
            }
        }
        batch
    }
}

/// How many matches [`Words::ranked`] reads of each word, and of the
/// sentence.
#[derive(Debug, Clone, Copy)]
pub(super) struct Window {
    each: usize,
    sentence: usize,
}

impl Window {
    /// For a page ending at `end`: the sentence's own, larger window holds
    /// the documents matching most of its words.
    pub(super) fn page(end: usize) -> Self {
        Window {
            each: end,
            sentence: end.max(SENTENCE_WINDOW),
        }
    }

    /// The best `each` of every word, the sentence not searched: ranking by
    /// the sum over words does not need it, only its ties do.
    pub(super) fn words(each: usize) -> Self {
        Window { each, sentence: 0 }
    }
}

/// What [`Words::ranked`] reads of a match.
#[derive(Debug, serde::Deserialize)]
struct RankedHit {
    id: Uuid,
    #[serde(default)]
    capability_codes: Vec<String>,
    #[serde(default)]
    certifications: Vec<CertificationDoc>,
}

/// A capability or certification the text names, and the filter of its
/// holders.
#[derive(Debug)]
pub(super) struct Named {
    pub code: String,
    pub holds: String,
}

/// What [`Words::ranked`] lifts the holders of.
#[derive(Debug, Default)]
pub(super) struct NamedInText {
    /// In the order the text names them: the need, then its context.
    pub capabilities: Vec<Named>,
    pub certifications: Vec<Named>,
    /// The clock and `verified_only` of the search: a certificate lifts its
    /// holder when it counts then (see `CertificationDoc::counts_at`).
    pub now: i64,
    pub verified_only: bool,
}

impl NamedInText {
    /// Capabilities first, then certifications.
    fn all(&self) -> impl Iterator<Item = &Named> {
        self.capabilities.iter().chain(&self.certifications)
    }
}

/// A document of [`Words::ranked`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Ranked {
    pub id: Uuid,
    pub score: f32,
    /// Meilisearch's score for the whole sentence; 0 when it did not find it.
    sentence: f32,
}

impl Ranked {
    fn new(id: Uuid, score: f32) -> Self {
        Ranked {
            id,
            score,
            sentence: 0.0,
        }
    }
}

/// [`WORD_WEIGHT`] for a word found in no other document, down to
/// [`COMMON_WORD_WEIGHT`] for a word every document holds, along the word's
/// inverse document frequency.
fn rarity_weight(found: usize, total: usize) -> f32 {
    #[expect(clippy::cast_precision_loss, reason = "counts of documents")]
    let (found, total) = (found as f32, total.max(found) as f32);
    let most = (total + 1.0).ln();
    let rarity = if most > 0.0 {
        ((total + 1.0) / (found + 1.0)).ln() / most
    } else {
        1.0
    };
    COMMON_WORD_WEIGHT + (WORD_WEIGHT - COMMON_WORD_WEIGHT) * rarity.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_two_phrases_share_is_searched_once() {
        let words =
            Words::of("Micro-usinage de précision (precision micro-machining)").expect("words");
        assert_eq!(words.each, ["micro", "usinage", "precision", "machining"]);
    }

    #[test]
    fn a_rare_word_weighs_more_than_a_common_one() {
        let rare = rarity_weight(2, 10_000);
        let common = rarity_weight(6_000, 10_000);
        assert!(rare > common, "{rare} vs {common}");
        assert!((rarity_weight(0, 10_000) - WORD_WEIGHT).abs() < 1e-6);
        assert!((rarity_weight(10_000, 10_000) - COMMON_WORD_WEIGHT).abs() < 1e-6);
        assert!(rarity_weight(0, 0).is_finite());
    }
}
