//! Capability suggestions: which taxonomy codes and certification types a
//! buyer's free-text need most likely means ("je cherche un sous-traitant
//! pour usiner des implants en titane, certifié ISO 13485" → `machining`,
//! `iso_13485`).
//!
//! Pure and in memory: a [`Suggester`] is built once from the catalogue's
//! labels and synonyms (a few hundred words) and answers in well under a
//! millisecond for a sentence. No I/O.
//!
//! # How a text is read
//! Words are lower-cased and ASCII-folded (tantivy's analyzer), French and
//! English stop words are dropped (request fluff included: "nous
//! recherchons", "sous-traitant", "devis", "we need a supplier"), and each
//! remaining word matches a label's word when it is the same word, has the
//! same stem (a light suffix stripper: usiner/usinage, stérilisé/sterilized,
//! machined/machining, plurals), or is within Meilisearch's typo budget (one
//! typo from 5 characters, two from 9; a wrong first letter counts twice, and
//! so does a letter replaced by one neither next to it on a keyboard nor
//! alike in sound, so "layer" does not name lasers; never on words with a
//! digit, so "ISO 13458" is not ISO 13485; only the closest words count, so
//! "chimiques" is "chimie", not also "cliniques").
//! Two neighbouring words also match as one ("clean room" → "Cleanroom",
//! "micromachining" → "Micro-machining"). A label's parts in parentheses or
//! around " / " count as labels of their own: "BPF (GMP)" is also "BPF" and
//! "GMP"; so do the domains a top-level capability's label lists ("Essais
//! et analyses", "Pharma, cosmetics and nutrition").
//!
//! # How codes are ranked
//! - A code is suggested only for words of its own labels: a child's label
//!   words that come from its parent ("Stérilisation" in "Stérilisation
//!   gamma") are the parent's, so "stérilisation" alone suggests
//!   `sterilisation`, not its four children. Once a child has a word of its
//!   own, the words matching its ancestors count for it too (at 90 %), and
//!   when the text names the parent, the parent's words in the child's
//!   label count as said: "usinage 5 axes" prefers `machining.milling`
//!   ("CNC 5 axes") to `machining`, "impression 3D métal" `additive.metal`
//!   to `additive`.
//! - One of its labels must be said for at least 55 % of its weight, words
//!   weighted by rarity across the catalogue: "ISO" alone names no
//!   standard, "produit" alone not "Conception de produit".
//! - Score = (0.5 + 0.4 × coverage + 0.1 × phrase) × (0.4 + 0.6 × share):
//!   *coverage* is how much of its best label the text says (rarity-weighted,
//!   stems and typos counting a little less than exact words), *phrase* how
//!   much of that label appears as neighbouring words in the same order
//!   (stop words between do not separate), *share* how much of the text's
//!   recognised words (those naming some suggested code) the code accounts
//!   for. So several words of one code beat one word, a child named by its
//!   own words beats its parent, and an exact phrase beats scattered words.
//! - Scores are rounded to 0.001; ties go to capabilities before
//!   certifications, then to the smaller code.

mod analysis;

use std::collections::{HashMap, HashSet};

use tantivy::tokenizer::TextAnalyzer;

use analysis::Word;

use crate::analysis::Shape;

/// Words of a text read at most; the rest is ignored (the API accepts 2000
/// characters, about 300 words).
pub const MAX_WORDS: usize = 500;

/// A capability or certification type with everything it is called by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Capability code (dotted: `machining.milling`, whose parent is
    /// `machining`) or certification type code.
    pub code: String,
    /// French and English labels, synonyms, any language. For certification
    /// types, pass their descriptions too ("Bonnes pratiques de fabrication"
    /// is how buyers name BPF).
    pub labels: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SuggestionKind {
    Capability,
    Certification,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub kind: SuggestionKind,
    pub code: String,
    /// In 0..=1, rounded to 0.001; see the module documentation.
    pub score: f32,
}

/// Evidence a child gets from words matching its ancestors.
const ANCESTOR_EVIDENCE: f32 = 0.9;
/// Part of its best label (by weight) a text must say for a code to count.
const MIN_COVERAGE: f32 = 0.55;
/// Quality of a match on the stem only, and what each typo costs.
const STEM_QUALITY: f32 = 0.95;
const TYPO_COST: f32 = 0.15;

/// A text naming more capabilities than this is a list of everything, and
/// its weakest names are noise.
const NAMED_CAPABILITIES: usize = 4;
/// Needs name one or two certifications; more is a list of everything.
const NAMED_CERTIFICATIONS: usize = 2;

/// The capabilities and certifications a text names (see [`Suggester::named`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Named {
    /// The need first, then its context.
    pub capabilities: Vec<String>,
    pub certifications: Vec<String>,
}

/// Suggests capability codes and certification types for a free text.
pub struct Suggester {
    nodes: Vec<Node>,
    labels: Vec<Label>,
    terms: Vec<Term>,
    by_fold: HashMap<String, usize>,
    by_stem: HashMap<String, Vec<usize>>,
    /// Folded past participles of the processes ("usinees", "machined").
    participles: HashSet<String>,
    analyzer: TextAnalyzer,
}

struct Node {
    kind: SuggestionKind,
    code: String,
    ancestors: Vec<usize>,
}

struct Label {
    node: usize,
    tokens: Vec<LabelToken>,
    /// Sum of the tokens' weights.
    total: f32,
}

struct LabelToken {
    /// Rarity of the word across the catalogue.
    weight: f32,
    /// The word is one of an ancestor's label words.
    inherited: bool,
}

/// A word of the vocabulary (or two neighbouring label words joined).
struct Term {
    fold: String,
    stem: String,
    fold_shape: Shape,
    stem_shape: Shape,
    digits: bool,
    /// Rarity across entries: ln(1 + entries / entries with this stem).
    weight: f32,
    postings: Vec<Posting>,
}

/// Where a term occurs: label tokens `start..start + span`.
struct Posting {
    label: usize,
    start: usize,
    span: usize,
}

/// A word of the text, or two neighbouring words joined, looked up as one.
struct Unit {
    fold: String,
    stem: String,
    /// Indices of the first and last text words it covers.
    first: usize,
    last: usize,
}

/// How much of a label with words of its own the text says.
struct Said {
    label: usize,
    /// A word of its own (not its parent's) is said.
    own: bool,
    /// Weight of the words said, and that weight times each match's quality.
    weight: f32,
    quality: f32,
    /// Weight of the parent's words it holds that the text does not say.
    inherited_unsaid: f32,
    phrase: f32,
}

#[derive(Clone, Copy)]
struct Hit {
    first: usize,
    last: usize,
    quality: f32,
}

impl Suggester {
    pub fn new(capabilities: Vec<Entry>, certifications: Vec<Entry>) -> Self {
        let mut analyzer = analysis::analyzer();
        let kinds = capabilities
            .into_iter()
            .map(|e| (SuggestionKind::Capability, e))
            .chain(
                certifications
                    .into_iter()
                    .map(|e| (SuggestionKind::Certification, e)),
            );
        // Each entry's labels as analysed word lists, without duplicates.
        let mut entries: Vec<(SuggestionKind, String, Vec<Vec<Word>>)> = Vec::new();
        for (kind, entry) in kinds {
            let mut seen = HashSet::new();
            let umbrella = kind == SuggestionKind::Capability && !entry.code.contains('.');
            let phrases = entry
                .labels
                .iter()
                .flat_map(|label| alternatives(label, umbrella))
                .map(|label| analysis::words(&mut analyzer, &label, MAX_WORDS))
                .filter(|words| {
                    !words.is_empty()
                        && seen.insert(words.iter().map(|w| w.fold.clone()).collect::<Vec<_>>())
                })
                .collect();
            entries.push((kind, entry.code, phrases));
        }

        let count = entries.len().max(1) as f32;
        let mut entries_with: HashMap<&str, usize> = HashMap::new();
        for (_, _, phrases) in &entries {
            let stems: HashSet<&str> = phrases.iter().flatten().map(|w| w.stem.as_str()).collect();
            for stem in stems {
                *entries_with.entry(stem).or_default() += 1;
            }
        }
        let rarity = |stem: &str| {
            let with = entries_with.get(stem).copied().unwrap_or(1).max(1) as f32;
            (1.0 + count / with).ln()
        };

        let capability_index: HashMap<&str, usize> = entries
            .iter()
            .enumerate()
            .filter(|(_, (kind, _, _))| *kind == SuggestionKind::Capability)
            .map(|(i, (_, code, _))| (code.as_str(), i))
            .collect();
        let ancestors: Vec<Vec<usize>> = entries
            .iter()
            .map(|(kind, code, _)| match kind {
                SuggestionKind::Capability => code
                    .match_indices('.')
                    .filter_map(|(end, _)| capability_index.get(&code[..end]).copied())
                    .collect(),
                SuggestionKind::Certification => Vec::new(),
            })
            .collect();

        // Folded, "découpé" is "découpe": a participle that folds to a
        // process's name says nothing of when it was done.
        let mut fold = |form: &str| {
            analysis::words(&mut analyzer, form, 1)
                .pop()
                .map(|w| w.fold)
        };
        let processes: HashSet<String> = crate::synonyms::forms()
            .filter_map(|(_, process)| fold(process))
            .collect();
        let mut participles = HashSet::new();
        // Those whose accent folding takes away, as "câblés" (see below).
        let mut unaccented = HashSet::new();
        for form in crate::synonyms::participles() {
            let Some(folded) = fold(&form).filter(|folded| !processes.contains(folded)) else {
                continue;
            };
            if folded != form {
                unaccented.insert(folded.clone());
            }
            participles.insert(folded);
        }
        let mut suggester = Self {
            nodes: Vec::with_capacity(entries.len()),
            labels: Vec::new(),
            terms: Vec::new(),
            by_fold: HashMap::new(),
            by_stem: HashMap::new(),
            participles,
            analyzer,
        };
        for (i, (kind, code, phrases)) in entries.iter().enumerate() {
            let inherited_stems: HashSet<&str> = ancestors[i]
                .iter()
                .flat_map(|&a| entries[a].2.iter().flatten())
                .map(|w| w.stem.as_str())
                .collect();
            for words in phrases {
                let label = suggester.labels.len();
                let tokens: Vec<LabelToken> = words
                    .iter()
                    .map(|w| LabelToken {
                        weight: rarity(&w.stem),
                        inherited: inherited_stems.contains(w.stem.as_str()),
                    })
                    .collect();
                suggester.labels.push(Label {
                    node: i,
                    total: tokens.iter().map(|t| t.weight).sum(),
                    tokens,
                });
                for (j, word) in words.iter().enumerate() {
                    suggester.add_term(&word.fold, rarity(&word.stem), label, j, 1);
                    if let Some(next) = words.get(j + 1)
                        && next.position == word.position + 1
                    {
                        let weight = rarity(&word.stem).max(rarity(&next.stem));
                        suggester.add_term(
                            &format!("{}{}", word.fold, next.fold),
                            weight,
                            label,
                            j,
                            2,
                        );
                    }
                }
            }
            suggester.nodes.push(Node {
                kind: *kind,
                code: code.clone(),
                ancestors: ancestors[i].clone(),
            });
        }
        for (t, term) in suggester.terms.iter().enumerate() {
            suggester
                .by_stem
                .entry(term.stem.clone())
                .or_default()
                .push(t);
        }
        // Nor does a French one that folds to a word the catalogue names
        // things by: "câblés" is "câbles" once folded, "moulés" "moules",
        // and "câbles ECG surmoulés" asks for cables.
        let by_fold = &suggester.by_fold;
        suggester.participles.retain(|participle| {
            !(unaccented.contains(participle) && by_fold.contains_key(participle))
        });
        suggester
    }

    fn add_term(&mut self, fold: &str, weight: f32, label: usize, start: usize, span: usize) {
        let t = *self.by_fold.entry(fold.to_owned()).or_insert_with(|| {
            let stem = analysis::stem(fold);
            self.terms.push(Term {
                fold_shape: Shape::of(fold),
                stem_shape: Shape::of(&stem),
                fold: fold.to_owned(),
                stem,
                digits: analysis::has_digit(fold),
                weight,
                postings: Vec::new(),
            });
            self.terms.len() - 1
        });
        let term = &mut self.terms[t];
        term.weight = term.weight.max(weight);
        term.postings.push(Posting { label, start, span });
    }

    /// The capabilities a need's text names (its best capability
    /// suggestions): what a sourcing request's candidates treat as related
    /// capabilities besides the ones it requests (see
    /// `CandidateQuery::named_capabilities`).
    ///
    /// The first is read as the need and the others as its context (see
    /// `SearchQuery::named_capabilities`). They come in the order the text
    /// names them, ties by score, as buyers mostly say what they need
    /// before what it is for ("l'électropolissage de stents découpés au
    /// laser"); but a capability the text names only by a past participle
    /// ("découpés", "machined": done to the parts already, unless the
    /// buyer wants them so: "we need them passivated"), or only before
    /// the words by which the buyer turns to the need ("nos cupules sortent
    /// de fusion laser, il nous faut un labo pour les essais de fatigue"),
    /// or only right after a negation ("contrôler la porosité sans les
    /// découper"), or only by who provides it ("CAR-T batches under GMP,
    /// looking for a CDMO"), comes after the others.
    pub fn named_capabilities(&self, text: &str) -> Vec<String> {
        let words = self.words(text);
        let placed = self.placed_suggestions(&words, 2 * NAMED_CAPABILITIES);
        self.in_reading_order(text, &words, placed)
    }

    /// What a directory search's text names, read once: its capabilities
    /// as [`Suggester::named_capabilities`], and the certifications it names
    /// ("fournisseur certifié ISO 11137", "fabrication BPF"), best first,
    /// which lift their holders (see `SearchQuery::named_certifications`).
    pub fn named(&self, text: &str) -> Named {
        let words = self.words(text);
        let placed = self.placed_suggestions(&words, 2 * NAMED_CAPABILITIES);
        // The best suggestions alone, as for the capabilities.
        let certifications = placed
            .iter()
            .take(2 * NAMED_CERTIFICATIONS)
            .filter(|(s, _)| s.kind == SuggestionKind::Certification)
            .take(NAMED_CERTIFICATIONS)
            .map(|(s, _)| s.code.clone())
            .collect();
        Named {
            capabilities: self.in_reading_order(text, &words, placed),
            certifications,
        }
    }

    /// The best [`NAMED_CAPABILITIES`] capabilities of `placed` (suggested
    /// from `text`'s `words`), the need first (see
    /// [`Suggester::named_capabilities`]).
    fn in_reading_order(
        &self,
        text: &str,
        words: &[Word],
        placed: Vec<(Suggestion, Vec<usize>)>,
    ) -> Vec<String> {
        let cues = analysis::cues(&mut self.analyzer.clone(), text);
        // The first word that counts after a negation.
        let negated = |at: usize| {
            let previous = at.checked_sub(1).map(|before| words[before].position);
            cues.negations.iter().any(|&negation| {
                negation < words[at].position && previous.is_none_or(|p| p <= negation)
            })
        };
        let context = |at: usize| {
            let word = &words[at];
            let done = self.participles.contains(&word.fold)
                && !cues.wanted_states.contains(&word.position.wrapping_sub(1));
            done || cues.request.is_some_and(|cue| word.position < cue)
                || negated(at)
                || analysis::names_a_provider(&word.fold)
        };
        let mut named: Vec<(Suggestion, (bool, usize))> = Vec::new();
        for (suggestion, naming) in placed {
            if suggestion.kind != SuggestionKind::Capability || named.len() == NAMED_CAPABILITIES {
                continue;
            }
            // Where the text names it as the need, else where it names it.
            let place = match naming.iter().find(|&&at| !context(at)) {
                Some(&need) => (false, words[need].position),
                None => (
                    true,
                    naming.first().map_or(usize::MAX, |&at| words[at].position),
                ),
            };
            named.push((suggestion, place));
        }
        named.sort_by_key(|(_, place)| *place);
        named.into_iter().map(|(s, _)| s.code).collect()
    }

    /// The codes `text` most likely means, best first, at most `limit`.
    /// Empty when no word of the text names anything in the catalogue.
    pub fn suggest(&self, text: &str, limit: usize) -> Vec<Suggestion> {
        self.placed_suggestions(&self.words(text), limit)
            .into_iter()
            .map(|(suggestion, _)| suggestion)
            .collect()
    }

    /// The words of `text` that count, as the suggestions read them.
    fn words(&self, text: &str) -> Vec<Word> {
        analysis::words(&mut self.analyzer.clone(), text, MAX_WORDS)
    }

    /// [`Suggester::suggest`] from a text's `words`, each suggestion with
    /// the indexes of the words that name it, in the text's order.
    fn placed_suggestions(&self, words: &[Word], limit: usize) -> Vec<(Suggestion, Vec<usize>)> {
        if limit == 0 || words.is_empty() {
            return Vec::new();
        }

        // Every label token's hits by the text's words.
        let mut hits: HashMap<usize, Vec<Vec<Hit>>> = HashMap::new();
        let mut word_weight = vec![0.0_f32; words.len()];
        // Typos are looked for in single words only (a repeated word is
        // looked up once).
        let mut cache: HashMap<(String, bool), Vec<(usize, f32)>> = HashMap::new();
        for unit in units(words) {
            let single = unit.first == unit.last;
            let matches = cache
                .entry((unit.fold.clone(), single))
                .or_insert_with(|| self.lookup(&unit, single));
            for &(t, quality) in matches.iter() {
                let term = &self.terms[t];
                for weight in &mut word_weight[unit.first..=unit.last] {
                    *weight = weight.max(term.weight);
                }
                for posting in &term.postings {
                    let tokens = hits.entry(posting.label).or_insert_with(|| {
                        vec![Vec::new(); self.labels[posting.label].tokens.len()]
                    });
                    for token in &mut tokens[posting.start..posting.start + posting.span] {
                        token.push(Hit {
                            first: unit.first,
                            last: unit.last,
                            quality,
                        });
                    }
                }
            }
        }

        // Per node: evidence for each text word from its own label words,
        // from label words it inherits, and from any label word (what its
        // children inherit). Per label: how much of it the text says.
        let n = words.len();
        let mut own: HashMap<usize, Vec<f32>> = HashMap::new();
        let mut inherited: HashMap<usize, Vec<f32>> = HashMap::new();
        let mut any: HashMap<usize, Vec<f32>> = HashMap::new();
        let mut said: Vec<Said> = Vec::new();
        let mut label_ids: Vec<usize> = hits.keys().copied().collect();
        label_ids.sort_unstable();
        for l in label_ids {
            let label = &self.labels[l];
            let tokens = &hits[&l];
            let node = label.node;
            let mut summary = Said {
                label: l,
                own: false,
                weight: 0.0,
                quality: 0.0,
                inherited_unsaid: 0.0,
                phrase: phrase(tokens),
            };
            for (token, token_hits) in label.tokens.iter().zip(tokens) {
                let best = token_hits.iter().map(|h| h.quality).fold(0.0, f32::max);
                if best > 0.0 {
                    summary.own |= !token.inherited;
                    summary.weight += token.weight;
                    summary.quality += token.weight * best;
                } else if token.inherited {
                    summary.inherited_unsaid += token.weight;
                }
                let record = |map: &mut HashMap<usize, Vec<f32>>| {
                    let evidence = map.entry(node).or_insert_with(|| vec![0.0; n]);
                    for hit in token_hits {
                        for said in &mut evidence[hit.first..=hit.last] {
                            *said = said.max(hit.quality);
                        }
                    }
                };
                record(if token.inherited {
                    &mut inherited
                } else {
                    &mut own
                });
                record(&mut any);
            }
            if summary.own {
                said.push(summary);
            }
        }
        // Nodes the text names by their labels alone; their children's
        // labels then count their words as said ("conditionnement en salle
        // blanche" says "Conditionnement en salle propre").
        let named: HashSet<usize> = said
            .iter()
            .filter(|s| s.weight >= MIN_COVERAGE * self.labels[s.label].total)
            .map(|s| self.labels[s.label].node)
            .collect();
        let mut label_factor: HashMap<usize, f32> = HashMap::new();
        for s in &said {
            let label = &self.labels[s.label];
            let node = label.node;
            let (mut weight, mut quality) = (s.weight, s.quality);
            if self.nodes[node].ancestors.iter().any(|a| named.contains(a)) {
                weight += s.inherited_unsaid;
                quality += ANCESTOR_EVIDENCE * s.inherited_unsaid;
            }
            let total = label.total.max(f32::EPSILON);
            if weight < MIN_COVERAGE * total {
                continue;
            }
            let factor = 0.5 + 0.4 * (quality / total) + 0.1 * s.phrase;
            let best = label_factor.entry(node).or_insert(0.0);
            *best = best.max(factor);
        }

        let evidence = |node: usize| -> Vec<f32> {
            let zero = vec![0.0; n];
            let own = own.get(&node).unwrap_or(&zero);
            let mut from_above = inherited
                .get(&node)
                .cloned()
                .unwrap_or_else(|| zero.clone());
            for ancestor in &self.nodes[node].ancestors {
                if let Some(theirs) = any.get(ancestor) {
                    for (mine, theirs) in from_above.iter_mut().zip(theirs) {
                        *mine = mine.max(*theirs);
                    }
                }
            }
            own.iter()
                .zip(&from_above)
                .map(|(own, above)| own.max(ANCESTOR_EVIDENCE * above))
                .collect()
        };
        let mut candidates: Vec<(usize, f32, Vec<f32>)> = label_factor
            .iter()
            .map(|(&node, &factor)| (node, factor, evidence(node)))
            .collect();
        candidates.sort_unstable_by_key(|(node, _, _)| *node);
        let recognised: f32 = (0..n)
            .filter(|&w| candidates.iter().any(|(_, _, ev)| ev[w] > 0.0))
            .map(|w| word_weight[w])
            .sum();
        if recognised <= 0.0 {
            return Vec::new();
        }
        let mut suggestions: Vec<(Suggestion, Vec<usize>)> = candidates
            .into_iter()
            .map(|(node, factor, ev)| {
                let explained: f32 = ev.iter().zip(&word_weight).map(|(e, w)| e * w).sum();
                let share = (explained / recognised).min(1.0);
                let score = factor * (0.4 + 0.6 * share);
                let naming = (0..n).filter(|&at| ev[at] > 0.0).collect();
                let suggestion = Suggestion {
                    kind: self.nodes[node].kind,
                    code: self.nodes[node].code.clone(),
                    score: ((score * 1000.0).round() / 1000.0).clamp(0.0, 1.0),
                };
                (suggestion, naming)
            })
            .collect();
        suggestions.sort_by(|(a, _), (b, _)| {
            b.score
                .total_cmp(&a.score)
                .then(a.kind.cmp(&b.kind))
                .then_with(|| a.code.cmp(&b.code))
        });
        suggestions.truncate(limit);
        suggestions
    }

    /// The terms a unit matches, with the quality of each match: the same
    /// word (1), the same stem, or typos within the budget when neither is
    /// found (and `typos` allows them).
    fn lookup(&self, unit: &Unit, typos: bool) -> Vec<(usize, f32)> {
        let mut found: Vec<(usize, f32)> = Vec::new();
        if let Some(&t) = self.by_fold.get(&unit.fold) {
            found.push((t, 1.0));
        }
        for &t in self.by_stem.get(&unit.stem).into_iter().flatten() {
            if !found.iter().any(|(known, _)| *known == t) {
                found.push((t, STEM_QUALITY));
            }
        }
        if !found.is_empty() || !typos || analysis::has_digit(&unit.fold) {
            return found;
        }
        let (fold_shape, stem_shape) = (Shape::of(&unit.fold), Shape::of(&unit.stem));
        let budget = analysis::typo_budget(fold_shape.chars);
        // A typo on a stem is one more change than the word shows: only a
        // long word may have one there ("chimiques" for "chimie"), not
        // "capots" for "capteurs" nor "milliers" for "milling".
        let stem_budget = budget
            .saturating_sub(1)
            .min(analysis::typo_budget(stem_shape.chars));
        if budget == 0 && stem_budget == 0 {
            return found;
        }
        for (t, term) in self.terms.iter().enumerate() {
            if term.digits {
                continue;
            }
            let mut quality: f32 = 0.0;
            if fold_shape.near(&term.fold_shape, budget) {
                let typos = analysis::typos(&unit.fold, &term.fold);
                if typos <= budget {
                    quality = 1.0 - TYPO_COST * typos as f32;
                }
            }
            if stem_shape.near(&term.stem_shape, stem_budget) {
                let typos = analysis::typos(&unit.stem, &term.stem);
                if typos <= stem_budget {
                    quality = quality.max(STEM_QUALITY - TYPO_COST * typos as f32);
                }
            }
            if quality > 0.0 {
                found.push((t, quality));
            }
        }
        // A word means what it is closest to: "chimiques" is "chimie" (one
        // typo on the stem), not also "cliniques" (two).
        let closest = found.iter().map(|(_, q)| *q).fold(0.0, f32::max);
        found.retain(|(_, q)| *q >= closest - TYPO_COST / 2.0);
        found
    }
}

/// Each word of the text, and each two neighbouring words joined.
fn units(words: &[Word]) -> Vec<Unit> {
    let mut units: Vec<Unit> = words
        .iter()
        .enumerate()
        .map(|(i, w)| Unit {
            fold: w.fold.clone(),
            stem: w.stem.clone(),
            first: i,
            last: i,
        })
        .collect();
    for (i, pair) in words.windows(2).enumerate() {
        if pair[1].position == pair[0].position + 1 {
            let fold = format!("{}{}", pair[0].fold, pair[1].fold);
            units.push(Unit {
                stem: analysis::stem(&fold),
                fold,
                first: i,
                last: i + 1,
            });
        }
    }
    units
}

/// How much of a label the text says as a phrase: the longest run of the
/// label's words found as consecutive words of the text, in order, over the
/// label's length (a one-word label said is a phrase).
fn phrase(tokens: &[Vec<Hit>]) -> f32 {
    if tokens.len() == 1 {
        return if tokens[0].is_empty() { 0.0 } else { 1.0 };
    }
    let mut longest = 0;
    let mut previous: Vec<(Hit, usize)> = Vec::new();
    for token_hits in tokens {
        let current: Vec<(Hit, usize)> = token_hits
            .iter()
            .map(|&hit| {
                let run = previous
                    .iter()
                    .filter(|(before, _)| {
                        before.last + 1 == hit.first
                            || (before.first == hit.first && before.last == hit.last)
                    })
                    .map(|(_, run)| run + 1)
                    .max()
                    .unwrap_or(1);
                (hit, run)
            })
            .collect();
        longest = current
            .iter()
            .map(|(_, run)| *run)
            .max()
            .unwrap_or(0)
            .max(longest);
        previous = current;
    }
    if longest >= 2 {
        longest as f32 / tokens.len() as f32
    } else {
        0.0
    }
}

/// A label and its parts: "BPF (GMP)" is also "BPF" and "GMP", "ISO 17025 /
/// COFRAC" also "ISO 17025" and "COFRAC". Only a parenthesis after a space
/// and a slash between spaces split: "510(k)" and "2017/745" stay whole.
/// The label of an `umbrella` (a top-level capability) lists its domains:
/// "Essais et analyses" is also "Essais" and "analyses", "Pharma, cosmetics
/// and nutrition" also each of the three. Deeper labels do not split:
/// "Laser sources and systems" is not "systems".
fn alternatives(label: &str, umbrella: bool) -> Vec<String> {
    let mut out = vec![label.to_owned()];
    let mut outside = String::new();
    let mut rest = label;
    while let Some(open) = rest.find(" (") {
        outside.push_str(&rest[..open]);
        let inside = &rest[open + 2..];
        let Some(close) = inside.find(')') else {
            rest = "";
            break;
        };
        out.push(inside[..close].to_owned());
        rest = &inside[close + 1..];
    }
    outside.push_str(rest);
    if outside != label {
        out.push(outside.clone());
    }
    for part in [label.to_owned(), outside.clone()] {
        if part.contains(" / ") {
            out.extend(part.split(" / ").map(str::to_owned));
        }
    }
    if umbrella {
        let listed = outside
            .replace(", ", "\n")
            .replace(" et ", "\n")
            .replace(" and ", "\n");
        if listed.contains('\n') {
            out.extend(listed.split('\n').map(str::to_owned));
        }
    }
    let mut seen = HashSet::new();
    out.retain(|part| !part.trim().is_empty() && seen.insert(part.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_split_on_parentheses_and_slashes_between_spaces() {
        assert_eq!(
            alternatives("BPF (GMP)", false),
            ["BPF (GMP)", "GMP", "BPF"]
        );
        assert_eq!(
            alternatives("ISO 17025 / COFRAC", false),
            ["ISO 17025 / COFRAC", "ISO 17025", "COFRAC"]
        );
        assert_eq!(alternatives("510(k)", false), ["510(k)"]);
        assert_eq!(alternatives("2017/745", false), ["2017/745"]);
        assert_eq!(
            alternatives("ISO 14644 (salle propre)", false),
            ["ISO 14644 (salle propre)", "salle propre", "ISO 14644"]
        );
    }

    #[test]
    fn umbrella_labels_list_their_domains() {
        assert_eq!(
            alternatives("Pharma, cosmetics and nutrition", true),
            [
                "Pharma, cosmetics and nutrition",
                "Pharma",
                "cosmetics",
                "nutrition"
            ]
        );
        assert_eq!(
            alternatives("Essais et analyses", true),
            ["Essais et analyses", "Essais", "analyses"]
        );
        assert_eq!(
            alternatives("Laser sources and systems", false),
            ["Laser sources and systems"]
        );
    }
}
