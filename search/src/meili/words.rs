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
/// A document found by one word alone weighs this much of a document the
/// sentence found with the same score. On the labelled set (sentence nDCG@10,
/// `make bench`): 0.5 → 0.764, 0.3 → 0.829, 0.15 → 0.831.
const WORD_WEIGHT: f32 = 0.3;

/// The words of a text that say something, as the embedded engine reads them:
/// without stop words and request phrasing ("je cherche un sous-traitant
/// pour"), each once, at most [`MAX_QUERY_WORDS`].
#[derive(Debug)]
pub(super) struct Words {
    sentence: String,
    each: Vec<String>,
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
            each,
        })
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
            for word in &self.each {
                let mut alone = Search::new(index);
                alone.with_query(word);
                configure(&mut alone);
                batch.with_search_query_and_weight(alone, WORD_WEIGHT);
            }
        }
        batch
    }
}
