//! How a query's words are asked of Meilisearch.
//!
//! Its matching strategies all keep some word mandatory (`frequency` the
//! rarest ones, `last` the first), so a supplier matching the buyer's other
//! words would never be found. Every word being optional here, text is a
//! federated search: the sentence, which ranks the documents matching more
//! words first, and each word alone at a lower weight, merged and deduplicated
//! by Meilisearch.

use meilisearch_sdk::DefaultHttpClient;
use meilisearch_sdk::client::Client;
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::search::{MultiSearchQuery, SearchQuery};

use crate::analysis::{self, QueryWords};

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
/// A word most profiles use ("device", "pièces") still finds a supplier
/// whose profile says nothing else of the need, below all others (0.02 gave
/// 0.874).
const COMMON_WORD_WEIGHT: f32 = 0.05;

/// The words of a text that say something, as the embedded engine reads them:
/// without stop words and request phrasing ("je cherche un sous-traitant
/// pour"), each once, at most [`MAX_QUERY_WORDS`].
#[derive(Debug)]
pub(super) struct Words {
    sentence: String,
    each: Vec<String>,
    /// The weight of each word's search, by its rarity in the index:
    /// Meilisearch's scores ignore how common a word is, and a sentence's
    /// common words would otherwise bring whole swathes of the catalogue up
    /// to the rank of the supplier named by its rare ones.
    weights: Vec<f32>,
}

impl Words {
    /// `None` when no word is left, so that such a query answers like an empty one.
    pub(super) fn of(text: &str) -> Option<Words> {
        let words = QueryWords::parse(text, &mut analysis::analyzer())?;
        let each: Vec<String> = words
            .groups
            .iter()
            .flat_map(|group| group.typed.split(' '))
            .take(MAX_QUERY_WORDS)
            .map(str::to_owned)
            .collect();
        Some(Words {
            sentence: each.join(" "),
            weights: vec![WORD_WEIGHT; each.len()],
            each,
        })
    }

    /// Weighs each word by its rarity in `index`, as the embedded engine
    /// does (inverse document frequency): one multi-search counting the
    /// documents each word finds, and all of them.
    pub(super) async fn weighed(
        mut self,
        client: &Client,
        index: &Index,
    ) -> Result<Words, meilisearch_sdk::errors::Error> {
        if self.each.len() < 2 {
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
        if let Some((&total, each)) = found.split_first() {
            self.weights = each
                .iter()
                .map(|&count| rarity_weight(count, total))
                .collect();
        }
        Ok(self)
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
        if self.each.len() > 1 {
            for (word, weight) in self.each.iter().zip(&self.weights) {
                let mut alone = Search::new(index);
                alone.with_query(word);
                configure(&mut alone);
                batch.with_search_query_and_weight(alone, *weight);
            }
        }
        batch
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
    fn a_rare_word_weighs_more_than_a_common_one() {
        let rare = rarity_weight(2, 10_000);
        let common = rarity_weight(6_000, 10_000);
        assert!(rare > common, "{rare} vs {common}");
        assert!((rarity_weight(0, 10_000) - WORD_WEIGHT).abs() < 1e-6);
        assert!((rarity_weight(10_000, 10_000) - COMMON_WORD_WEIGHT).abs() < 1e-6);
        assert!(rarity_weight(0, 0).is_finite());
    }
}
