//! Highlights computed in Rust: tantivy's `SnippetGenerator` only knows exact terms,
//! and typo or prefix matches deserve highlighting too.

use std::collections::BTreeMap;

use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::Word;
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
        if words.iter().any(|word| word.matches(&token.text)) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tests::word;

    #[test]
    fn wraps_matched_words_in_the_original_text() {
        let mut analyzer = crate::analysis::analyzer();
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
