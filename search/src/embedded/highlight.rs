//! Highlights computed in Rust: tantivy's `SnippetGenerator` only knows exact terms,
//! and typo or prefix matches deserve highlighting too.

use std::collections::BTreeMap;

use tantivy::tokenizer::TextAnalyzer;

use super::text_query::Word;
use crate::document::SupplierDocument;

use crate::html::escape;

const PRE: &str = "<em>";
const POST: &str = "</em>";

/// The highlighted fields of `doc` where some word of `words` matched.
pub(super) fn highlights(
    doc: &SupplierDocument,
    words: &[Word],
    analyzer: &mut TextAnalyzer,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let single: [(&str, &String); 3] = [
        ("name", &doc.name),
        ("description_fr", &doc.description_fr),
        ("description_en", &doc.description_en),
    ];
    for (field, text) in single {
        if let Some(marked) = mark(text, words, analyzer) {
            out.insert(field.to_owned(), marked);
        }
    }
    let labels: Vec<String> = doc
        .capability_labels
        .iter()
        .filter_map(|label| mark(label, words, analyzer))
        .collect();
    if !labels.is_empty() {
        out.insert("capability_labels".to_owned(), labels.join(", "));
    }
    out
}

/// `text` as escaped HTML with matching words in `<em>`, or `None` when
/// nothing matched.
fn mark(text: &str, words: &[Word], analyzer: &mut TextAnalyzer) -> Option<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = String::with_capacity(text.len() + 16);
    let mut copied = 0;
    let mut matched = false;
    while let Some(token) = stream.next() {
        if words.iter().any(|word| matches(word, &token.text)) {
            matched = true;
            out.push_str(&escape(&text[copied..token.offset_from]));
            out.push_str(PRE);
            out.push_str(&escape(&text[token.offset_from..token.offset_to]));
            out.push_str(POST);
            copied = token.offset_to;
        }
    }
    if !matched {
        return None;
    }
    out.push_str(&escape(&text[copied..]));
    Some(out)
}

/// Same rule as the query: within the word's typo budget, of the whole term or, for a
/// prefix word, of some prefix of it.
fn matches(word: &Word, term: &str) -> bool {
    if word.typos == 0 && !word.prefix {
        return word.text == term;
    }
    let query: Vec<char> = word.text.chars().collect();
    let term: Vec<char> = term.chars().collect();
    let distances = distances_to_prefixes(&query, &term);
    let budget = usize::from(word.typos);
    if word.prefix {
        distances.iter().any(|distance| *distance <= budget)
    } else {
        distances.last().is_some_and(|distance| *distance <= budget)
    }
}

/// Optimal-string-alignment distance (a transposition costs one, as in the fuzzy
/// queries) from `query` to each prefix `term[..j]`, for `j` in `0..=term.len()`.
fn distances_to_prefixes(query: &[char], term: &[char]) -> Vec<usize> {
    let width = term.len() + 1;
    // rows[i][j]: distance between query[..i] and term[..j].
    let mut rows: Vec<Vec<usize>> = (0..=query.len())
        .map(|i| {
            let mut row = vec![0; width];
            row[0] = i;
            row
        })
        .collect();
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=query.len() {
        for j in 1..width {
            let substitution = usize::from(query[i - 1] != term[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + substitution);
            if i > 1 && j > 1 && query[i - 1] == term[j - 2] && query[i - 2] == term[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows.pop().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, typos: u8, prefix: bool) -> Word {
        Word {
            text: text.to_owned(),
            typos,
            prefix,
        }
    }

    #[test]
    fn forgives_typos_within_budget() {
        assert!(matches(&word("usinnage", 1, false), "usinage"));
        assert!(
            matches(&word("usniage", 1, false), "usinage"),
            "transposition"
        );
        assert!(!matches(&word("usinxxge", 1, false), "usinage"));
        assert!(matches(&word("steriliation", 2, false), "sterilisation"));
    }

    #[test]
    fn matches_prefixes_of_the_last_word() {
        assert!(matches(&word("usinag", 1, true), "usinage"));
        assert!(matches(&word("micro", 1, true), "microfluidique"));
        assert!(!matches(&word("laser", 0, false), "lasers"));
    }

    #[test]
    fn wraps_matched_words_in_the_original_text() {
        let mut analyzer = super::super::schema::analyzer();
        let marked = mark(
            "Électropolissage et passivation",
            &[word("electropolissage", 2, false)],
            &mut analyzer,
        );
        assert_eq!(
            marked.as_deref(),
            Some("<em>Électropolissage</em> et passivation")
        );
        assert_eq!(
            mark("Fraisage", &[word("laser", 1, false)], &mut analyzer),
            None
        );
    }
}
