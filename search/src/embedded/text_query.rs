//! From the user's words to a tantivy query: analysis, stop words, synonym
//! expansion, and typo-tolerant matching per word.

use std::collections::{HashMap, HashSet};

use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;

use super::schema::Fields;
use crate::synonyms;

/// Typos forgiven in a word of `chars` characters: Meilisearch's defaults
/// (`minWordSizeForTypos`: one from 5 characters, two from 9), so both engines
/// forgive the same mistakes.
fn allowed_typos(chars: usize) -> u8 {
    match chars {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// One analysed query word and how loosely it may match an indexed term.
#[derive(Debug, Clone)]
pub(super) struct Word {
    pub text: String,
    pub typos: u8,
    /// Also match indexed terms that start with this word (the last word typed).
    pub prefix: bool,
}

/// The analysed text of a query: every group must match; a group matches when one of
/// its alternatives does (the words as typed, or a synonym phrase); an alternative
/// matches when all its words do.
#[derive(Debug)]
pub(super) struct TextQuery {
    groups: Vec<Vec<Vec<Word>>>,
}

/// Stop words and synonyms, analysed once with the index's analyzer so they compare
/// with analysed query words.
#[derive(Debug)]
pub(super) struct Vocabulary {
    stop_words: HashSet<String>,
    /// Phrase (analysed words) -> equivalent phrases.
    synonyms: HashMap<Vec<String>, Vec<Vec<String>>>,
    longest_phrase: usize,
}

impl Vocabulary {
    pub(super) fn new(analyzer: &mut TextAnalyzer) -> Self {
        let stop_words: HashSet<String> = synonyms::STOP_WORDS
            .iter()
            .flat_map(|word| analyse(analyzer, word))
            .collect();
        let mut phrase = |text: &str| -> Vec<String> {
            analyse(analyzer, text)
                .into_iter()
                .filter(|word| !stop_words.contains(word))
                .collect()
        };
        let synonyms: HashMap<Vec<String>, Vec<Vec<String>>> = synonyms::mutual_map()
            .into_iter()
            .map(|(from, to)| (phrase(&from), to.iter().map(|to| phrase(to)).collect()))
            .collect();
        let longest_phrase = synonyms.keys().map(Vec::len).max().unwrap_or(1);
        Vocabulary {
            stop_words,
            synonyms,
            longest_phrase,
        }
    }
}

impl TextQuery {
    /// `None` when the text holds no searchable word (empty, punctuation, stop words).
    pub(super) fn parse(
        text: &str,
        analyzer: &mut TextAnalyzer,
        vocabulary: &Vocabulary,
    ) -> Option<TextQuery> {
        let words: Vec<String> = analyse(analyzer, text)
            .into_iter()
            .filter(|word| !vocabulary.stop_words.contains(word))
            .collect();
        let last = words.len().checked_sub(1)?;
        let mut groups = Vec::new();
        let mut start = 0;
        while start < words.len() {
            // Longest synonym phrase starting here, or the single word.
            let longest = vocabulary.longest_phrase.min(words.len() - start);
            let (len, equivalents) = (1..=longest)
                .rev()
                .find_map(|len| {
                    vocabulary
                        .synonyms
                        .get(&words[start..start + len])
                        .map(|equivalents| (len, equivalents.as_slice()))
                })
                .unwrap_or((1, &[]));
            let typed = (start..start + len)
                .map(|at| Word {
                    typos: allowed_typos(words[at].chars().count()),
                    prefix: at == last,
                    text: words[at].clone(),
                })
                .collect();
            // Synonyms match exactly, as in Meilisearch.
            let synonyms = equivalents.iter().map(|phrase| {
                phrase
                    .iter()
                    .map(|text| Word {
                        text: text.clone(),
                        typos: 0,
                        prefix: false,
                    })
                    .collect()
            });
            groups.push(std::iter::once(typed).chain(synonyms).collect());
            start += len;
        }
        Some(TextQuery { groups })
    }

    /// Every word of every alternative, for highlighting.
    pub(super) fn words(&self) -> impl Iterator<Item = &Word> {
        self.groups.iter().flatten().flatten()
    }

    pub(super) fn to_query(&self, fields: &Fields) -> Box<dyn Query> {
        let groups = self
            .groups
            .iter()
            .map(|alternatives| {
                let alternatives = alternatives
                    .iter()
                    .map(|words| {
                        let words = words.iter().map(|word| word_query(word, fields)).collect();
                        Box::new(BooleanQuery::intersection(words)) as Box<dyn Query>
                    })
                    .collect();
                Box::new(BooleanQuery::union(alternatives)) as Box<dyn Query>
            })
            .collect();
        Box::new(BooleanQuery::intersection(groups))
    }
}

/// A word in any searchable field. Exact terms carry BM25 relevance; fuzzy and
/// prefix variants (constant-scored by tantivy) find typos and partial words, ranked
/// below exact matches.
fn word_query(word: &Word, fields: &Fields) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (field, weight) in &fields.searchable {
        let term = Term::from_field_text(*field, &word.text);
        let exact = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
        clauses.push((
            Occur::Should,
            Box::new(BoostQuery::new(Box::new(exact), 2.0 * weight)),
        ));
        let loose = match (word.typos, word.prefix) {
            (0, false) => None,
            (typos, false) => Some(FuzzyTermQuery::new(term, typos, true)),
            (typos, true) => Some(FuzzyTermQuery::new_prefix(term, typos, true)),
        };
        if let Some(loose) = loose {
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(loose), *weight)),
            ));
        }
    }
    Box::new(BooleanQuery::new(clauses))
}

pub(super) fn analyse(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut words = Vec::new();
    while let Some(token) = stream.next() {
        words.push(token.text.clone());
    }
    words
}
