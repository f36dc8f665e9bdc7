//! From the words people type to the words the engines compare: folding, stop
//! words, synonyms, light stemming and typo budgets. Shared by both engines so a
//! query means the same thing on each, and by the candidate explanations, which
//! say which of the request's words a supplier's profile matched.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};

use crate::synonyms;

/// Lower-cased and ASCII-folded words: "Électropolissage" and "electropolissage"
/// compare as the same word.
pub(crate) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

pub(crate) fn analyse(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut words = Vec::new();
    while let Some(token) = stream.next() {
        words.push(token.text.clone());
    }
    words
}

/// Typos forgiven in a word of `chars` characters: Meilisearch's defaults
/// (`minWordSizeForTypos`: one from 5 characters, two from 9), so both engines
/// forgive the same mistakes.
pub(crate) fn allowed_typos(chars: usize) -> u8 {
    match chars {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// The shortest stem [`stem`] leaves: below it, stripping a suffix joins
/// unrelated words ("using" and "usinage").
const MIN_STEM: usize = 4;

/// A light French and English stemmer over folded words: plural to singular,
/// then one derivational or verbal suffix, so that "usiner", "usiné" and
/// "usinage", or "sterilisation", "sterilization" and "stérilisé" share a stem;
/// an adjective's feminine and masculine too ("dimensionnelles" and
/// "dimensionnel", "légère" and "léger", "active" and "actifs").
/// Deliberately light: a Snowball stemmer of either language mangles the other
/// one's words, and profiles mix both.
pub(crate) fn stem(word: &str) -> String {
    // Longest first; each leaves at least `MIN_STEM` characters.
    const SUFFIXES: &[&str] = &[
        "issement", "ements", "ations", "ateurs", "atrices", "ement", "ation", "ateur", "atrice",
        "ables", "ibles", "aires", "ings", "able", "ible", "aire", "ages", "ique", "euse", "eurs",
        "ing", "age", "eur", "ers", "ees", "ion", "ere", "ed", "er", "es", "ee", "y", "e",
    ];
    let mut word = word.to_owned();
    if !word.is_ascii() {
        return word;
    }
    // Plurals: "médicaux" → "medical", "lasers" → "laser", not "process" → "proces".
    if word.len() > MIN_STEM + 2 && word.ends_with("aux") {
        word.truncate(word.len() - 3);
        word.push_str("al");
    } else if word.len() > MIN_STEM
        && (word.ends_with('x') || (word.ends_with('s') && !word.ends_with("ss")))
    {
        word.pop();
    }
    if let Some(suffix) = SUFFIXES
        .iter()
        .find(|suffix| word.len() >= MIN_STEM + suffix.len() && word.ends_with(*suffix))
    {
        word.truncate(word.len() - suffix.len());
    }
    // What the suffixes leave of a feminine: "dimensionnell", "activ".
    if word.len() > MIN_STEM && word.ends_with("ll") {
        word.pop();
    } else if word.len() > MIN_STEM && word.ends_with("if") {
        word.pop();
        word.push('v');
    }
    // British and American spellings: "anodiz" and "anodis".
    if word.contains("iz") || word.contains("yz") {
        word = word.replace("iz", "is").replace("yz", "ys");
    }
    word
}

/// What a cheap test needs to rule out most words before counting typos.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape {
    pub chars: usize,
    /// The set of characters (letters, digits, anything else as one).
    pub letters: u64,
}

impl Shape {
    pub(crate) fn of(word: &str) -> Self {
        let mut letters = 0_u64;
        let mut chars = 0;
        for c in word.chars() {
            chars += 1;
            letters |= 1
                << match c {
                    'a'..='z' => c as u32 - 'a' as u32,
                    '0'..='9' => 26 + c as u32 - '0' as u32,
                    _ => 63,
                };
        }
        Self { chars, letters }
    }

    /// Whether `typos` edits may turn one word into the other: each changes
    /// the length by at most one and the set of characters by at most two.
    pub(crate) fn near(&self, other: &Self, typos: usize) -> bool {
        typos > 0
            && self.chars.abs_diff(other.chars) <= typos
            && (self.letters ^ other.letters).count_ones() as usize <= 2 * typos
    }

    /// How many of this word's characters `other` lacks: each edit brings
    /// at most one, so more than `typos` of them rule the match out (for a
    /// prefix of `other` too, whose characters are among `other`'s).
    fn lacking_in(&self, other: &Self) -> usize {
        (self.letters & !other.letters).count_ones() as usize
    }
}

/// One analysed query word and how loosely it may match an indexed term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    pub text: String,
    pub typos: u8,
    /// Also match indexed terms that start with this word (the last word typed).
    pub prefix: bool,
    /// The word's [`stem`], unless too short to mean anything: matched exactly
    /// against the stems of the indexed words.
    pub stem: Option<String>,
    /// Its length and characters: most terms are ruled out by them alone.
    pub shape: Shape,
}

impl Word {
    fn typed(text: &str, last: bool) -> Self {
        let stem = stem(text);
        let shape = Shape::of(text);
        Word {
            typos: allowed_typos(shape.chars),
            prefix: last,
            stem: (stem.len() >= MIN_STEM).then_some(stem),
            text: text.to_owned(),
            shape,
        }
    }

    /// Synonyms match exactly, as in Meilisearch.
    fn synonym(text: &str) -> Self {
        Word {
            text: text.to_owned(),
            typos: 0,
            prefix: false,
            stem: None,
            shape: Shape::of(text),
        }
    }

    /// Whether the indexed (analysed) `term` is this word: the same word, the same
    /// stem, or within the typo budget (of some prefix of `term`, for a prefix word).
    #[cfg(test)]
    pub(crate) fn matches(&self, term: &str) -> bool {
        self.matches_stemmed(term, &stem(term), Shape::of(term))
    }

    /// [`Word::matches`] with the [`stem`] and [`Shape`] of `term` given: a
    /// text's words are compared with every query word, and working each out
    /// once saves most of the cost of highlights and explanations.
    pub(crate) fn matches_stemmed(&self, term: &str, term_stem: &str, term_shape: Shape) -> bool {
        if self.text == term || self.stem.as_deref() == Some(term_stem) {
            return true;
        }
        if self.typos == 0 && !self.prefix {
            return false;
        }
        let budget = usize::from(self.typos);
        let query = self.shape;
        // The distance is at least the difference in length (to `term`, or to
        // its longest prefix), and at least the characters either word lacks
        // (only the query's, against a prefix). Most pairs end here, before
        // the distances are counted.
        let too_far = if self.prefix {
            term_shape.chars + budget < query.chars
        } else {
            query.chars.abs_diff(term_shape.chars) > budget
                || term_shape.lacking_in(&query) > budget
        };
        if too_far || query.lacking_in(&term_shape) > budget {
            return false;
        }
        let query: Vec<char> = self.text.chars().collect();
        let term: Vec<char> = term.chars().collect();
        let distances = distances_to_prefixes(&query, &term);
        if self.prefix {
            distances.iter().any(|distance| *distance <= budget)
        } else {
            distances.last().is_some_and(|distance| *distance <= budget)
        }
    }
}

/// One meaningful unit of the query: a word, or a phrase that has synonyms
/// ("salle propre"), with its equivalents. A group matches a document when one
/// of its alternatives does; an alternative matches when all its words do.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    /// The words as typed (analysed), e.g. "salle propre".
    pub typed: String,
    /// The typed words first, then each synonym phrase.
    pub alternatives: Vec<Vec<Word>>,
}

impl Group {
    /// Whether the analysed words of a text, with their stems, match this group.
    fn matches(&self, terms: &Terms, exact: &HashSet<&str>) -> bool {
        self.alternatives
            .iter()
            .any(|words| words.iter().all(|word| terms.match_word(word, exact)))
    }
}

/// The most word groups a query is made of; a request's text beyond them (a long
/// description) adds cost more than meaning, its title and first lines coming first.
const MAX_GROUPS: usize = 40;

/// The analysed words of a query, in the order typed, without stop words.
#[derive(Debug, Clone)]
pub(crate) struct QueryWords {
    pub groups: Vec<Group>,
}

/// Stop words and synonyms, analysed once so they compare with analysed words.
#[derive(Debug)]
pub(crate) struct Vocabulary {
    stop_words: HashSet<String>,
    /// Phrase (analysed words) -> equivalent phrases.
    synonyms: HashMap<Vec<String>, Vec<Vec<String>>>,
    longest_phrase: usize,
}

/// Built once per process: the lists are constants.
pub(crate) static VOCABULARY: LazyLock<Vocabulary> =
    LazyLock::new(|| Vocabulary::new(&mut analyzer()));

impl Vocabulary {
    fn new(analyzer: &mut TextAnalyzer) -> Self {
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
            .filter(|(from, _)| !from.is_empty())
            .collect();
        let longest_phrase = synonyms.keys().map(Vec::len).max().unwrap_or(1);
        Vocabulary {
            stop_words,
            synonyms,
            longest_phrase,
        }
    }

    pub(crate) fn is_stop_word(&self, word: &str) -> bool {
        self.stop_words.contains(word)
    }
}

impl QueryWords {
    /// `None` when the text holds no searchable word (empty, punctuation, stop words).
    pub(crate) fn parse(text: &str, analyzer: &mut TextAnalyzer) -> Option<QueryWords> {
        let vocabulary = &*VOCABULARY;
        let words: Vec<String> = analyse(analyzer, text)
            .into_iter()
            .filter(|word| !vocabulary.is_stop_word(word))
            .collect();
        let last = words.len().checked_sub(1)?;
        let mut groups: Vec<Group> = Vec::new();
        let mut start = 0;
        while start < words.len() && groups.len() < MAX_GROUPS {
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
            let typed_words = &words[start..start + len];
            let typed = typed_words.join(" ");
            start += len;
            // A word repeated in a sentence counts once.
            if groups.iter().any(|group| group.typed == typed) {
                continue;
            }
            let alternatives = std::iter::once(
                typed_words
                    .iter()
                    .enumerate()
                    .map(|(at, word)| Word::typed(word, start - len + at == last))
                    .collect(),
            )
            .chain(
                equivalents
                    .iter()
                    .filter(|phrase| !phrase.is_empty())
                    .map(|phrase| phrase.iter().map(|text| Word::synonym(text)).collect()),
            )
            .collect();
            groups.push(Group {
                typed,
                alternatives,
            });
        }
        Some(QueryWords { groups })
    }

    /// Every word of every alternative, for highlighting.
    pub(crate) fn words(&self) -> impl Iterator<Item = &Word> {
        self.groups
            .iter()
            .flat_map(|group| group.alternatives.iter().flatten())
    }

    /// The typed form of each group some of `texts` match, in query order: what
    /// an explanation shows as "matched words". Words in `exact` match only as
    /// typed or by their stem, as the engine looked for them.
    pub(crate) fn matched_in<'a>(
        &self,
        texts: impl IntoIterator<Item = &'a str>,
        analyzer: &mut TextAnalyzer,
        exact: &HashSet<&str>,
    ) -> Vec<String> {
        let mut terms = Terms::default();
        for text in texts {
            terms.add_text(text, analyzer);
        }
        self.matched_terms(&terms, exact)
    }

    /// [`QueryWords::matched_in`] over terms already gathered.
    pub(crate) fn matched_terms(&self, terms: &Terms, exact: &HashSet<&str>) -> Vec<String> {
        self.groups
            .iter()
            .filter(|group| group.matches(terms, exact))
            .map(|group| group.typed.clone())
            .collect()
    }
}

/// The distinct analysed words of some texts with their stems: a profile
/// repeats its words, and an explanation compares each with every query word.
#[derive(Default)]
pub(crate) struct Terms {
    /// Word -> its stem and shape.
    stems: HashMap<String, (String, Shape)>,
    stemmed: HashSet<String>,
}

impl Terms {
    pub(crate) fn add_text(&mut self, text: &str, analyzer: &mut TextAnalyzer) {
        let mut stream = analyzer.token_stream(text);
        while let Some(token) = stream.next() {
            // A repeated word is neither copied nor stemmed again.
            if !self.stems.contains_key(token.text.as_str()) {
                self.add(token.text.clone(), stem(&token.text));
            }
        }
    }

    /// Adds words analysed beforehand, with their stems (see [`analysed`]).
    pub(crate) fn add_analysed(&mut self, analysed: &Analysed) {
        for (term, stem) in analysed {
            if !self.stems.contains_key(term) {
                self.add(term.clone(), stem.clone());
            }
        }
    }

    fn add(&mut self, term: String, stem: String) {
        if !self.stemmed.contains(&stem) {
            self.stemmed.insert(stem.clone());
        }
        let shape = Shape::of(&term);
        self.stems.insert(term, (stem, shape));
    }

    /// Whether some term is `word`: the same word or stem looked up, the
    /// typo and prefix matches tried only for words that allow them.
    fn match_word(&self, word: &Word, exact: &HashSet<&str>) -> bool {
        if self.stems.contains_key(&word.text)
            || word
                .stem
                .as_ref()
                .is_some_and(|stem| self.stemmed.contains(stem))
        {
            return true;
        }
        if (word.typos == 0 || exact.contains(word.text.as_str())) && !word.prefix {
            return false;
        }
        self.stems
            .iter()
            .any(|(term, (stem, shape))| word.matches_stemmed(term, stem, *shape))
    }
}

/// Analysed words with their stems, as [`Terms`] holds them.
pub(crate) type Analysed = [(String, String)];

/// The analysed words of `text` with their stems.
pub(crate) fn analysed(text: &str, analyzer: &mut TextAnalyzer) -> Vec<(String, String)> {
    analyse(analyzer, text)
        .into_iter()
        .map(|term| {
            let stem = stem(&term);
            (term, stem)
        })
        .collect()
}

/// Optimal-string-alignment distance (a transposition costs one, as in the fuzzy
/// queries) from `query` to each prefix `term[..j]`, for `j` in `0..=term.len()`.
fn distances_to_prefixes(query: &[char], term: &[char]) -> Vec<usize> {
    let width = term.len() + 1;
    // One table, row by row: at(i, j) is the distance between query[..i]
    // and term[..j] (called for many pairs: one allocation each).
    let mut table = vec![0; (query.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for (j, cell) in table[..width].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=query.len() {
        table[at(i, 0)] = i;
        for j in 1..width {
            let substitution = usize::from(query[i - 1] != term[j - 1]);
            let mut best = (table[at(i - 1, j)] + 1)
                .min(table[at(i, j - 1)] + 1)
                .min(table[at(i - 1, j - 1)] + substitution);
            if i > 1 && j > 1 && query[i - 1] == term[j - 2] && query[i - 2] == term[j - 1] {
                best = best.min(table[at(i - 2, j - 2)] + 1);
            }
            table[at(i, j)] = best;
        }
    }
    table.split_off(at(query.len(), 0))
}

/// What matching a word tells of a document: the word's inverse document
/// frequency among `total` documents (rare words tell more about a need
/// than common ones). Both engines weigh a query's words by it.
pub(crate) fn rarity(matches: u64, total: u64) -> f32 {
    #[expect(clippy::cast_precision_loss, reason = "counts of documents")]
    let (matches, total) = (matches.max(1) as f32, total.max(1) as f32);
    (1.0 + total / matches).ln()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn word(text: &str, typos: u8, prefix: bool) -> Word {
        Word {
            text: text.to_owned(),
            typos,
            prefix,
            stem: None,
            shape: Shape::of(text),
        }
    }

    #[test]
    fn forgives_typos_within_budget() {
        assert!(word("usinnage", 1, false).matches("usinage"));
        assert!(
            word("usniage", 1, false).matches("usinage"),
            "transposition"
        );
        assert!(!word("usinxxge", 1, false).matches("usinage"));
        assert!(word("steriliation", 2, false).matches("sterilisation"));
    }

    /// The shape test only saves work: every pair the distances allow still
    /// matches, whole word or prefix.
    #[test]
    fn ruling_words_out_by_shape_loses_no_match() {
        let words = [
            "usinage",
            "sterilisation",
            "electropolissage",
            "micro",
            "laser",
            "titane",
            "biocompatibilite",
            "decolletage",
            "316l",
            "iso",
            "moulage",
            "injection",
        ];
        // Deterministic edits: each word with one or two characters changed,
        // dropped, doubled or swapped.
        let mut seed = 7_u64;
        let mut next = |bound: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            usize::try_from(seed >> 33).unwrap_or(0) % bound.max(1)
        };
        let mut checked = 0;
        for original in words {
            for _ in 0..200 {
                let mut chars: Vec<char> = original.chars().collect();
                for _ in 0..=next(2) {
                    let at = next(chars.len());
                    match next(4) {
                        0 => chars[at] = ['a', 'e', 'i', 'o', 's', 't', 'z', '3'][next(8)],
                        1 if chars.len() > 1 => {
                            chars.remove(at);
                        }
                        2 => chars.insert(at, chars[at]),
                        _ if at + 1 < chars.len() => chars.swap(at, at + 1),
                        _ => {}
                    }
                }
                let typed: String = chars.iter().collect();
                let term: Vec<char> = original.chars().collect();
                for (typos, prefix) in [(1, false), (2, false), (1, true), (2, true)] {
                    let distances = distances_to_prefixes(&chars, &term);
                    let allowed = if prefix {
                        distances.iter().any(|d| *d <= typos)
                    } else {
                        distances.last().is_some_and(|d| *d <= typos)
                    };
                    let query = word(&typed, u8::try_from(typos).unwrap_or(0), prefix);
                    assert_eq!(
                        query.matches(original),
                        allowed || typed == original,
                        "{typed} against {original}, {typos} typos, prefix {prefix}"
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 12 * 200 * 4);
    }

    #[test]
    fn matches_prefixes_of_the_last_word() {
        assert!(word("usinag", 1, true).matches("usinage"));
        assert!(word("micro", 1, true).matches("microfluidique"));
        assert!(!word("laser", 0, false).matches("lasers"));
    }

    #[test]
    fn verbs_nouns_and_plurals_share_a_stem() {
        for family in [
            &["usiner", "usinage", "usine", "usines"][..],
            &["sterilisation", "sterilization", "sterilise", "steriliser"],
            &["machining", "machined"],
            &["implants", "implant", "implantable"],
            &["medicaux", "medical"],
            &["anodised", "anodized", "anodisation"],
            &["decoupe", "decoupes", "decoupage"],
            &[
                "dimensionnel",
                "dimensionnelle",
                "dimensionnels",
                "dimensionnelles",
            ],
            &["legere", "leger", "legers"],
            &["actif", "actifs", "active", "actives"],
        ] {
            let stems: HashSet<String> = family.iter().map(|word| stem(word)).collect();
            assert_eq!(stems.len(), 1, "{family:?} → {stems:?}");
        }
        assert_ne!(stem("using"), stem("usinage"), "short stems stay apart");
        assert_eq!(stem("process"), "process");
    }

    #[test]
    fn a_sentence_keeps_its_meaningful_words() {
        let parsed = QueryWords::parse(
            "Je cherche un sous-traitant pour usiner des implants en titane",
            &mut analyzer(),
        )
        .map(|query| {
            query
                .groups
                .iter()
                .map(|group| group.typed.clone())
                .collect::<Vec<_>>()
        });
        assert_eq!(
            parsed,
            Some(vec![
                "usiner".to_owned(),
                "implants".to_owned(),
                "titane".to_owned()
            ])
        );
        assert!(QueryWords::parse("pour les de la", &mut analyzer()).is_none());
    }

    #[test]
    fn a_word_the_index_holds_as_typed_is_named_without_typos() {
        let query = QueryWords::parse("usinage titane", &mut analyzer()).expect("words");
        let text = ["Usinnage du titanne"];
        let named = |exact: &[&str]| {
            query.matched_in(text, &mut analyzer(), &exact.iter().copied().collect())
        };
        assert_eq!(named(&[]), vec!["usinage", "titane"]);
        // The engine looked for "usinage" as typed only; "titane", the last
        // word, is also a prefix and keeps its typos.
        assert_eq!(named(&["usinage"]), vec!["titane"]);
        assert_eq!(named(&["usinage", "titane"]), vec!["titane"]);
    }

    #[test]
    fn names_the_query_words_a_text_matches() {
        let query = QueryWords::parse("électropolissage de stents découpés", &mut analyzer())
            .expect("words");
        let matched = query.matched_in(
            ["Découpe laser de stents", "Electropolishing"],
            &mut analyzer(),
            &HashSet::new(),
        );
        assert_eq!(matched, vec!["electropolissage", "stents", "decoupes"]);
    }
}
