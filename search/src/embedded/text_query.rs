//! From the analysed query words to a tantivy query where every word is
//! optional and documents matching more (and rarer) words rank first.
//!
//! A document's score is the sum, over the query's word groups it matches, of
//! the group's rarity (inverse document frequency) times the best way it
//! matched: the field (name and capability labels above descriptions) and the
//! kind of match (the word itself, then its stem or a synonym, then a typo or a
//! prefix). Meilisearch's ranking rules (`words`, `typo`, `attribute`,
//! `exactness`) are the reference; the weights keep "more words" first.

use std::collections::HashSet;

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, FuzzyTermQuery, Query,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::schema::Fields;
use crate::analysis::{Group, QueryWords, Word};
use crate::error::IndexError;

/// How much each kind of match is worth, relative to the word itself.
const EXACT: f32 = 1.0;
const STEM: f32 = 0.9;
const SYNONYM: f32 = 0.9;
const TYPO_OR_PREFIX: f32 = 0.7;
/// A document matching a word in several fields gains a little on one that
/// matches it in one field only.
const OTHER_FIELDS: f32 = 0.05;

/// The query over `fields` for `words`: a union of the groups, each weighted by
/// its rarity among the documents of `searcher`; the words in `known` (see
/// [`indexed_words`]) are looked for without typos.
pub(super) fn to_query(
    words: &QueryWords,
    known: &HashSet<&str>,
    fields: &Fields,
    searcher: &Searcher,
) -> Result<Box<dyn Query>, IndexError> {
    let documents = searcher.num_docs();
    let groups = words
        .groups
        .iter()
        .map(|group| {
            let query = group_query(group, fields, known);
            let matching = match exact_matches(group, fields, searcher)? {
                // Only typos or a prefix match (or nothing): count them.
                0 => query
                    .count(searcher)
                    .map_err(|err| IndexError::Internal(err.to_string()))?
                    as u64,
                found => found,
            };
            // Rare words tell more about what a buyer needs than common ones.
            let rarity = crate::analysis::rarity(matching, documents);
            Ok(Box::new(BoostQuery::new(query, rarity)) as Box<dyn Query>)
        })
        .collect::<Result<Vec<_>, IndexError>>()?;
    Ok(Box::new(BooleanQuery::union(groups)))
}

/// The query's words some document holds as typed. They are not looked for
/// with typos: a typo automaton per field is the dearest part of a query,
/// and a sentence has many words.
pub(super) fn indexed_words<'a>(
    words: &'a QueryWords,
    fields: &Fields,
    searcher: &Searcher,
) -> Result<HashSet<&'a str>, IndexError> {
    let mut known = HashSet::new();
    for word in words.words() {
        for field in &fields.searchable {
            if doc_freq(searcher, field.words, &word.text)? > 0 {
                known.insert(word.text.as_str());
                break;
            }
        }
    }
    Ok(known)
}

/// How many documents a group matches, estimated from the term dictionary
/// (no search): the most documents any of its alternatives' exact words or
/// stems appears in, a phrase counting as its rarest word. Counting with the
/// query instead would run every typo automaton a second time.
fn exact_matches(group: &Group, fields: &Fields, searcher: &Searcher) -> Result<u64, IndexError> {
    let doc_freq = |field: Field, text: &str| doc_freq(searcher, field, text);
    let mut most = 0;
    for words in &group.alternatives {
        let mut rarest = u64::MAX;
        for word in words {
            let mut seen = 0;
            for field in &fields.searchable {
                seen = seen.max(doc_freq(field.words, &word.text)?);
                if let Some(stem) = &word.stem {
                    seen = seen.max(doc_freq(field.stems, stem)?);
                }
            }
            rarest = rarest.min(seen);
        }
        most = most.max(if rarest == u64::MAX { 0 } else { rarest });
    }
    Ok(most)
}

fn doc_freq(searcher: &Searcher, field: Field, text: &str) -> Result<u64, IndexError> {
    searcher
        .doc_freq(&Term::from_field_text(field, text))
        .map_err(|err| IndexError::Internal(err.to_string()))
}

/// The best of a group's alternatives (the typed words, or a synonym phrase).
fn group_query(group: &Group, fields: &Fields, known: &HashSet<&str>) -> Box<dyn Query> {
    let alternatives = group
        .alternatives
        .iter()
        .enumerate()
        .map(|(at, words)| {
            let kind = if at == 0 { EXACT } else { SYNONYM };
            // A phrase scores the mean of its words: all of them must match.
            let share = kind / words.len() as f32;
            let words = words
                .iter()
                .map(|word| {
                    let query = word_query(word, fields, known.contains(word.text.as_str()));
                    Box::new(BoostQuery::new(query, share)) as _
                })
                .collect();
            Box::new(BooleanQuery::intersection(words)) as Box<dyn Query>
        })
        .collect();
    Box::new(DisjunctionMaxQuery::new(alternatives))
}

/// A word in any searchable field, scored by the best field and kind of match.
fn word_query(word: &Word, fields: &Fields, known: bool) -> Box<dyn Query> {
    let mut ways: Vec<Box<dyn Query>> = Vec::new();
    for field in &fields.searchable {
        let term = Term::from_field_text(field.words, &word.text);
        ways.push(scored(
            term_query(field.words, &word.text),
            EXACT * field.weight,
        ));
        if let Some(stem) = &word.stem {
            ways.push(scored(term_query(field.stems, stem), STEM * field.weight));
        }
        let loose = match (word.typos, word.prefix) {
            (0, false) => None,
            (_, false) if known => None,
            (typos, false) => Some(FuzzyTermQuery::new(term, typos, true)),
            (typos, true) => Some(FuzzyTermQuery::new_prefix(term, typos, true)),
        };
        if let Some(loose) = loose {
            ways.push(scored(Box::new(loose), TYPO_OR_PREFIX * field.weight));
        }
    }
    Box::new(DisjunctionMaxQuery::with_tie_breaker(ways, OTHER_FIELDS))
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::Basic,
    ))
}

fn scored(query: Box<dyn Query>, score: f32) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, score))
}
