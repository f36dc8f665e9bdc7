//! Text analysis shared by the catalogue's labels and the buyer's text: the
//! search's folding and typo budget (`crate::analysis`), with stop words and
//! a stemmer of their own. Suggestions read a need for the taxonomy's words:
//! "médical" or "dispositif" name no capability, and "analytique" should meet
//! "analysis", which the search's lighter stemmer keeps apart.

use tantivy::tokenizer::TextAnalyzer;

/// Lower-cased, ASCII-folded words split on anything not alphanumeric:
/// "Stérilisation à l'oxyde d'éthylène" gives `sterilisation`, `a`, `l`,
/// `oxyde`, `d`, `ethylene`. The search's analyzer, so both read a text alike.
pub(super) use crate::analysis::analyzer;

/// One word that counts: not a stop word.
#[derive(Debug, Clone)]
pub(super) struct Word {
    /// Folded form, as written.
    pub fold: String,
    pub stem: String,
    /// Position among all the words of the text, stop words included: two
    /// words are adjacent when their positions follow each other.
    pub position: usize,
}

/// The words of `text` that are not stop words, at most `max` of them.
pub(super) fn words(analyzer: &mut TextAnalyzer, text: &str, max: usize) -> Vec<Word> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while out.len() < max && stream.advance() {
        let token = stream.token();
        for part in parts(&token.text) {
            if out.len() == max || is_stop_word(part) {
                continue;
            }
            out.push(Word {
                stem: stem(part),
                fold: part.to_owned(),
                position: token.position,
            });
        }
    }
    out
}

/// A word, or the name of a standard and its number when written glued
/// ("EN9100", "iso13485"), which the catalogue writes apart ("EN 9100"):
/// labels and texts are read alike, so "ASTM F88" still meets "F88".
fn parts(word: &str) -> impl Iterator<Item = &str> {
    let glued = word.find(|c: char| c.is_ascii_digit()).filter(|&at| {
        at > 0
            && word[..at].bytes().all(|b| b.is_ascii_lowercase())
            && word[at..].bytes().all(|b| b.is_ascii_digit())
    });
    match glued {
        Some(at) => [Some(&word[..at]), Some(&word[at..])],
        None => [Some(word), None],
    }
    .into_iter()
    .flatten()
}

/// Words by which a buyer turns to what they need ("on cherche", "il nous
/// faut", "we need"), folded: what a text names before the first of them is
/// the need's context ("nos vis sont décolletées chez nous, on cherche
/// quelqu'un pour l'anodisation").
#[rustfmt::skip]
const REQUEST_CUES: &[&str] = &[
    "cherche", "cherchons", "recherche", "recherchons", "faut", "besoin",
    "souhaite", "souhaitons", "voudrais", "voudrions", "aimerions",
    "need", "needs", "looking", "seeking", "want", "wants", "require", "requires",
];

/// Words after which the next word that counts names what the buyer does
/// not want ("sans les découper", "non stérile", "no need for
/// sterilisation"), folded.
const NEGATIONS: &[&str] = &["sans", "pas", "non", "ni", "without", "no", "not"];

/// Pronouns after which a past participle names the state the buyer wants
/// the parts in ("we need them passivated"), not work done already.
const WANTED_STATE: &[&str] = &["them", "it"];

/// Words that name who does the work rather than the work ("looking for a
/// CDMO", "une CRO", "un façonnier"), folded: the capability they stand for
/// is the need only when the text names no other as its need.
#[rustfmt::skip]
const PROVIDERS: &[&str] = &[
    "cdmo", "cdmos", "cmo", "cmos", "cro", "cros", "faconnier", "faconniers",
];

/// Whether a folded word names a provider (see [`PROVIDERS`]).
pub(super) fn names_a_provider(fold: &str) -> bool {
    PROVIDERS.contains(&fold)
}

/// Where a text's words say how to read the words that name capabilities
/// (positions as [`Word::position`]), read in one pass.
#[derive(Debug, Default)]
pub(super) struct Cues {
    /// The first word by which the buyer turns to what they need.
    pub request: Option<usize>,
    /// Each word that negates the next word that counts.
    pub negations: Vec<usize>,
    /// Each word after which a participle names the wanted state.
    pub wanted_states: Vec<usize>,
}

pub(super) fn cues(analyzer: &mut TextAnalyzer, text: &str) -> Cues {
    let mut stream = analyzer.token_stream(text);
    let mut cues = Cues::default();
    while stream.advance() {
        let token = stream.token();
        let word = token.text.as_str();
        if cues.request.is_none() && REQUEST_CUES.contains(&word) {
            cues.request = Some(token.position);
        }
        if NEGATIONS.contains(&word) {
            cues.negations.push(token.position);
        }
        if WANTED_STATE.contains(&word) {
            cues.wanted_states.push(token.position);
        }
    }
    cues
}

/// French and English words that say nothing about a capability, including
/// the fluff of a request ("je cherche un sous-traitant", "we need a
/// supplier", "devis urgent"). Folded; matched on whole words. They are
/// dropped from labels too: a word listed here never names anything, which
/// is the point for "médical" and "sous-traitant", and a loss for a label
/// word added here by mistake.
#[rustfmt::skip]
const STOP_WORDS: &[&str] = &[
    // French grammar words.
    "a", "ai", "au", "aux", "avec", "avez", "avoir", "avons", "c", "ce", "ces", "cet", "cette",
    "chez", "comme", "d", "dans", "de", "des", "dont", "du", "elle", "elles", "en", "est", "et",
    "etre", "eux", "il", "ils", "j", "je", "l", "la", "le", "les", "leur", "leurs", "lui", "m",
    "ma", "mais", "me", "mes", "moi", "mon", "n", "ne", "nos", "notre", "nous", "on", "ont", "ou",
    "par", "pas", "peu", "plus", "pour", "qu", "que", "quel", "quelle", "qui", "s", "sa", "sans",
    "se", "ses", "son", "sont", "sur", "t", "ta", "te", "tes", "toi", "ton", "tres", "tu", "un",
    "une", "vos", "votre", "vous", "y", "ca", "cela", "ceci", "tout", "tous", "toute", "toutes",
    "aussi", "afin", "ainsi", "bien", "entre", "etc", "via", "selon", "environ", "chaque",
    // French request fluff.
    "bonjour", "merci", "svp", "plait", "cherche", "cherchons", "chercher", "recherche",
    "recherchons", "rechercher", "souhaite", "souhaitons", "souhaiterions", "voudrions", "voudrais",
    "aimerions", "aimerais", "besoin", "besoins", "faut", "faudrait", "pouvez", "pourriez",
    "pouvant", "peut", "capable", "capables", "trouver", "sous", "traitant", "traitants",
    "prestataire", "prestataires", "fournisseur", "fournisseurs", "partenaire", "partenaires",
    "entreprise", "entreprises", "societe", "societes", "urgent", "urgente", "urgence",
    "rapidement", "devis", "chiffrage", "tarif", "tarifs", "prix", "frais", "projet", "nouveau",
    "nouvelle", "realiser", "faire",
    // How many, and whose: "quelques milliers de pots" is not milling,
    // "une petite marque bio" neither marking nor bioanalysis.
    "dizaines", "centaine", "centaines", "millier", "milliers", "marque", "marques", "bio",
    // What every need of a health-tech cluster is about: naming it says
    // nothing about the capability ("logiciel de dispositif médical").
    "dispositif", "dispositifs", "medical", "medicale", "medicales", "medicaux", "medtech",
    // English grammar words.
    "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "i", "in", "into",
    "is", "it", "its", "me", "my", "of", "on", "or", "our", "ours", "the", "their", "them", "this",
    "that", "these", "those", "to", "us", "we", "will", "would", "could", "can", "should", "with",
    "you", "your", "who", "which", "what", "some", "any", "very", "also", "per", "about",
    // English request fluff.
    "hello", "hi", "dear", "thanks", "thank", "please", "need", "needs", "needed", "require",
    "requires", "required", "looking", "look", "seeking", "seek", "search", "searching", "find",
    "want", "wanted", "supplier", "suppliers", "subcontractor", "subcontractors", "vendor",
    "vendors", "provider", "providers", "partner", "partners", "company", "companies", "able",
    "urgently", "asap", "quote", "quotes", "quotation", "rfq", "price", "project", "new", "device",
    "devices", "dozens", "hundreds", "thousands", "brand", "brands",
];

pub(super) fn is_stop_word(folded: &str) -> bool {
    STOP_WORDS.contains(&folded)
}

/// Suffixes stripped (replaced) by [`stem`], the first that matches in this
/// order, at most twice. A verb, its noun and their plurals end on one stem: usiner, usiné,
/// usinage, usinages → `usin`; stérilisation, stériliser, sterilized →
/// `sterilis`; machined, machining → `machin`.
const SUFFIXES: &[(&str, &str)] = &[
    // analyse, analysis, analytique, analytical → analys.
    ("ysis", "ys"),
    ("ytic", "ys"),
    ("ement", ""),
    ("ation", ""),
    ("ating", ""),
    ("ated", ""),
    ("ical", "ic"),
    ("ment", ""),
    ("euse", ""),
    ("ate", ""),
    ("ite", ""),
    ("ity", ""),
    ("ing", ""),
    ("age", ""),
    ("ion", ""),
    ("eur", ""),
    ("ive", ""),
    ("ee", ""),
    ("er", ""),
    ("ed", ""),
    ("if", ""),
    ("e", ""),
    ("y", ""),
];

/// Shortest stem a suffix may leave ("file" stays "file", not "fil").
const MIN_STEM: usize = 4;

/// A light French/English stemmer for folded words. Words with a digit
/// (`13485`, `3d`) and words of three letters or fewer are kept whole.
pub(super) fn stem(word: &str) -> String {
    if word.len() <= 3 || word.bytes().any(|b| b.is_ascii_digit()) {
        return word.to_owned();
    }
    // "-ique" and "-ic" meet (technique, technical); "-ize" is "-ise".
    let mut w = word
        .replace("qu", "c")
        .replace("iz", "is")
        .replace("yz", "ys");
    // Plurals: médicaux → médical, assemblies → assembly, tubes → tube.
    if w.len() > 5 && w.ends_with("aux") {
        w.truncate(w.len() - 3);
        w.push_str("al");
    } else if w.len() > 5 && w.ends_with("ies") {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if w.len() > 3
        && w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("us")
        && (!w.ends_with("is") || w.ends_with("ais"))
    {
        w.pop();
    }
    for _ in 0..2 {
        let Some((suffix, replacement)) = SUFFIXES.iter().find(|(suffix, replacement)| {
            w.ends_with(suffix) && w.len() - suffix.len() + replacement.len() >= MIN_STEM
        }) else {
            break;
        };
        w.truncate(w.len() - suffix.len());
        w.push_str(replacement);
    }
    w
}

/// Meilisearch's default typo tolerance, as the search applies it.
pub(super) fn typo_budget(chars: usize) -> usize {
    usize::from(crate::analysis::allowed_typos(chars))
}

/// Typos between two words: optimal string alignment (a swap of two
/// neighbours is one typo), where two changes count twice:
/// - a wrong first letter (as in Meilisearch: "sablage" is not a typo of
///   "câblage");
/// - in words of fewer than 9 letters, a letter replaced by one that is
///   neither its neighbour on a keyboard nor alike in sound: a short word
///   one letter away from a label word is most often a word of its own
///   ("layer" is not "laser" mistyped, nor "codes" "cotes"), while "lazer"
///   is a typo. Longer words seldom meet another word that close, and
///   letters swapped at a distance ("stelirisation") are typos there.
pub(super) fn typos(a: &str, b: &str) -> usize {
    let first_differs = a.chars().next() != b.chars().next();
    alignment(a, b) + usize::from(first_differs)
}

fn alignment(a: &str, b: &str) -> usize {
    const SHORT: usize = 9;
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let short = a.len().max(b.len()) < SHORT;
    let width = b.len() + 1;
    // The table of the alignments of every prefix of `a` with every prefix
    // of `b`, row by row.
    let mut cost = vec![0; (a.len() + 1) * width];
    for (j, cell) in cost.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        cost[i * width] = i;
        for j in 1..=b.len() {
            let replaced = match (a[i - 1], b[j - 1]) {
                (x, y) if x == y => 0,
                (x, y) if !short || mistypable(x, y) => 1,
                _ => 2,
            };
            let mut best = (cost[(i - 1) * width + j] + 1)
                .min(cost[i * width + j - 1] + 1)
                .min(cost[(i - 1) * width + j - 1] + replaced);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(cost[(i - 2) * width + j - 2] + 1);
            }
            cost[i * width + j] = best;
        }
    }
    cost[a.len() * width + b.len()]
}

/// Whether one letter typed for the other is a typo: neighbours on a
/// QWERTY or AZERTY keyboard, or letters spelling the same sound in French
/// or English.
fn mistypable(x: char, y: char) -> bool {
    const ALIKE: [[char; 2]; 8] = [
        ['s', 'z'],
        ['s', 'c'],
        ['c', 'k'],
        ['c', 'q'],
        ['k', 'q'],
        ['i', 'y'],
        ['m', 'n'],
        // "-tion" and "-sion".
        ['s', 't'],
    ];
    const KEYBOARDS: [[&str; 3]; 2] = [
        ["qwertyuiop", "asdfghjkl", "zxcvbnm"],
        ["azertyuiop", "qsdfghjklm", "wxcvbn"],
    ];
    // How far each row starts to the right of the one above, in quarters
    // of a key.
    const ROW_START: [usize; 3] = [0, 1, 3];
    if ALIKE.contains(&[x, y]) || ALIKE.contains(&[y, x]) {
        return true;
    }
    KEYBOARDS.iter().any(|rows| {
        let key = |letter: char| {
            rows.iter()
                .enumerate()
                .find_map(|(row, keys)| Some((row, 4 * keys.find(letter)? + ROW_START[row])))
        };
        let (Some((row_x, quarter_x)), Some((row_y, quarter_y))) = (key(x), key(y)) else {
            return false;
        };
        match row_x.abs_diff(row_y) {
            0 => quarter_x.abs_diff(quarter_y) <= 4,
            1 => quarter_x.abs_diff(quarter_y) <= 3,
            _ => false,
        }
    })
}

pub(super) fn has_digit(word: &str) -> bool {
    word.bytes().any(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| stem(w)).collect()
    }

    #[test]
    fn verbs_nouns_and_plurals_share_a_stem() {
        for group in [
            &[
                "usinage", "usiner", "usine", "usinee", "usinees", "usinages",
            ][..],
            &[
                "sterilisation",
                "steriliser",
                "sterilise",
                "sterilization",
                "sterilized",
            ],
            &["machining", "machined", "machine"],
            &[
                "anodisation",
                "anodising",
                "anodizing",
                "anodise",
                "anodized",
            ],
            &[
                "assemblage",
                "assembler",
                "assembly",
                "assemblies",
                "assembled",
            ],
            &["injection", "injecter", "injecte", "injected"],
            &["prototypage", "prototype", "prototypes", "prototyping"],
            &["medical", "medicaux", "medicale", "medicales"],
            &["optique", "optics", "optical"],
            &["electronique", "electroniques", "electronics"],
            &["revetement", "revetements"],
            &["coating", "coatings", "coated"],
            &["test", "tests", "testing", "tested"],
            &["passivation", "passivated", "passivating"],
            &["hebergement", "hebergeur", "heberger"],
            &["essai", "essais"],
            &[
                "analyse",
                "analyses",
                "analysis",
                "analytique",
                "analytical",
            ],
            &["clinique", "cliniques", "clinical"],
        ] {
            let stems = stems(group);
            assert!(
                stems.iter().all(|s| s == &stems[0]),
                "{group:?} gave {stems:?}"
            );
        }
    }

    #[test]
    fn numbers_and_short_words_stay_whole() {
        assert_eq!(stem("13485"), "13485");
        assert_eq!(stem("3d"), "3d");
        assert_eq!(stem("eto"), "eto");
        // "fil" (wire) is not "file".
        assert_eq!(stem("file"), "file");
    }

    #[test]
    fn a_wrong_first_letter_counts_twice() {
        assert_eq!(typos("usinnage", "usinage"), 1);
        assert_eq!(typos("sablage", "cablage"), 2);
        assert_eq!(typos("stelirisation", "sterilisation"), 2);
    }

    #[test]
    fn fluff_is_dropped() {
        let mut analyzer = analyzer();
        let kept: Vec<String> = words(
            &mut analyzer,
            "Je cherche un sous-traitant pour usiner des implants, devis urgent",
            100,
        )
        .into_iter()
        .map(|w| w.fold)
        .collect();
        assert_eq!(kept, ["usiner", "implants"]);
    }

    #[test]
    fn a_word_of_its_own_is_not_a_typo_of_a_label_word() {
        // Slips of a finger or of spelling: one typo each.
        for (typed, meant) in [
            ("lazer", "laser"),
            ("sterilsation", "sterilisation"),
            ("usinnage", "usinage"),
            ("leachabels", "leachables"),
            ("tomograpie", "tomographie"),
            ("frasage", "fraisage"),
            ("moulr", "moule"),
        ] {
            assert_eq!(typos(typed, meant), 1, "{typed} for {meant}");
        }
        // Another word, one letter apart: as far as two typos.
        for (word, label) in [
            ("layer", "laser"),
            ("codes", "cotes"),
            ("gamme", "gamma"),
            ("liner", "lines"),
        ] {
            assert_eq!(typos(word, label), 2, "{word} for {label}");
        }
        // A wrong first letter still counts twice.
        assert_eq!(typos("sablage", "cablage"), 2);
        // Long words keep every slip at one typo.
        assert_eq!(typos("dimentionnel", "dimensionnel"), 1);
    }
}
