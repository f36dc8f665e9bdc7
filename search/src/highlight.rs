//! Highlights computed in Rust, the same on both engines: tantivy's
//! `SnippetGenerator` only knows exact terms (typo or prefix matches deserve
//! highlighting too), and Meilisearch marks only the words of the one query
//! a document was found by, where a sentence is one query per word.

use std::collections::{BTreeMap, HashMap};

use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{Shape, Word, stem};
use crate::document::SupplierDocument;

use crate::html::escape;

const PRE: &str = "<em>";
const POST: &str = "</em>";

/// Marks the query's words in the texts of a page of hits. Profiles share
/// most of their vocabulary, so whether a text's word is one of the query's
/// (a stem and typo comparison with each query word) is decided once per
/// distinct word and page.
pub(crate) struct Marker<'a> {
    words: &'a [Word],
    analyzer: TextAnalyzer,
    /// Analysed word -> whether it matches a query word.
    known: HashMap<String, bool>,
    /// Capability label -> its highlight: the hits of a page share most of
    /// their labels.
    labels: HashMap<String, Option<String>>,
}

impl<'a> Marker<'a> {
    pub(crate) fn new(words: &'a [Word], analyzer: TextAnalyzer) -> Self {
        Marker {
            words,
            analyzer,
            known: HashMap::new(),
            labels: HashMap::new(),
        }
    }

    /// The highlighted fields of `doc` where some query word matched.
    pub(crate) fn highlights(&mut self, doc: &SupplierDocument) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if self.words.is_empty() {
            return out;
        }
        let single: [(&str, &String); 3] = [
            ("name", &doc.name),
            ("description_fr", &doc.description_fr),
            ("description_en", &doc.description_en),
        ];
        for (field, text) in single {
            if let Some(marked) = self.mark(text) {
                out.insert(field.to_owned(), marked);
            }
        }
        let mut labels: Vec<String> = Vec::new();
        for label in &doc.capability_labels {
            let marked = match self.labels.get(label) {
                Some(known) => known.clone(),
                None => {
                    let marked = self.mark(label);
                    self.labels.insert(label.clone(), marked.clone());
                    marked
                }
            };
            labels.extend(marked);
        }
        if !labels.is_empty() {
            out.insert("capability_labels".to_owned(), labels.join(", "));
        }
        out
    }

    /// `text` as escaped HTML with matching words in `<em>`, or `None` when
    /// nothing matched.
    fn mark(&mut self, text: &str) -> Option<String> {
        let words = self.words;
        let known = &mut self.known;
        let mut stream = self.analyzer.token_stream(text);
        let mut out = String::with_capacity(text.len() + 16);
        let mut copied = 0;
        let mut matched = false;
        while let Some(token) = stream.next() {
            let matches = match known.get(token.text.as_str()) {
                Some(matches) => *matches,
                None => {
                    let (stem, shape) = (stem(&token.text), Shape::of(&token.text));
                    let matches = words
                        .iter()
                        .any(|word| word.matches_stemmed(&token.text, &stem, shape));
                    known.insert(token.text.clone(), matches);
                    matches
                }
            };
            if matches {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tests::word;

    #[test]
    fn wraps_matched_words_in_the_original_text() {
        let words = [word("electropolissage", 2, false)];
        let mut marker = Marker::new(&words, crate::analysis::analyzer());
        assert_eq!(
            marker.mark("Électropolissage et passivation").as_deref(),
            Some("<em>Électropolissage</em> et passivation")
        );
        assert_eq!(marker.mark("Fraisage"), None);
    }
}
