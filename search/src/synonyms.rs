//! French/English synonyms applied by both engines (Meilisearch `synonyms` setting,
//! query-time expansion in the embedded engine), plus the stop words both ignore.
//!
//! Capability labels already make a supplier findable in both languages; this table
//! covers what suppliers write in their own descriptions. Each pair is mutual.

use std::collections::BTreeMap;

/// (French, English) pairs; either side may be several words.
pub const PAIRS: &[(&str, &str)] = &[
    ("usinage", "machining"),
    // Materials: buyers search by what the part is made of.
    ("titane", "titanium"),
    ("inox", "stainless steel"),
    ("acier inoxydable", "stainless steel"),
    ("acier", "steel"),
    ("céramique", "ceramic"),
    ("verre", "glass"),
    ("usinage", "machined"),
    ("micro-usinage", "micromachining"),
    ("micro-usinage", "micro machining"),
    ("décolletage", "swiss turning"),
    ("décolletage", "bar turning"),
    ("décolletage", "swiss-type turning"),
    ("tournage", "turning"),
    ("fraisage", "milling"),
    ("électroérosion", "edm"),
    ("mécanique de précision", "precision engineering"),
    ("stérilisation", "sterilisation"),
    ("stérilisation", "sterilization"),
    ("salle propre", "cleanroom"),
    ("salle propre", "clean room"),
    ("salle blanche", "cleanroom"),
    ("injection plastique", "injection moulding"),
    ("injection plastique", "injection molding"),
    ("moulage", "moulding"),
    ("moulage", "molding"),
    ("plasturgie", "plastics"),
    ("essais", "testing"),
    ("essais", "tests"),
    ("analyses", "analysis"),
    ("revêtement", "coating"),
    ("revêtements", "coatings"),
    ("traitement de surface", "surface treatment"),
    ("anodisation", "anodising"),
    ("anodisation", "anodizing"),
    ("électropolissage", "electropolishing"),
    ("conditionnement", "packaging"),
    ("emballage", "packaging"),
    ("assemblage", "assembly"),
    ("montage", "assembly"),
    ("fabrication additive", "additive manufacturing"),
    ("impression 3d", "3d printing"),
    ("métrologie", "metrology"),
    ("contrôle qualité", "quality control"),
    ("chimie analytique", "analytical chemistry"),
    ("biocompatibilité", "biocompatibility"),
    ("dispositif médical", "medical device"),
    ("dispositifs médicaux", "medical devices"),
    // French plural to singular: "médicaux" is two edits from "médical".
    ("dispositifs médicaux", "dispositif médical"),
    ("instrument chirurgical", "surgical instrument"),
    ("instruments chirurgicaux", "surgical instruments"),
    ("logiciel", "software"),
    ("hébergement", "hosting"),
    ("données de santé", "health data"),
    ("culture cellulaire", "cell culture"),
    ("thérapie cellulaire", "cell therapy"),
    ("façonnier", "contract manufacturer"),
    ("fabrication à façon", "contract manufacturing"),
    ("sous-traitance", "subcontracting"),
    ("sous-traitant", "subcontractor"),
    ("cosmétique", "cosmetics"),
    ("cosmétiques", "cosmetics"),
    ("câblage", "cabling"),
    ("carte électronique", "circuit board"),
    ("optique", "optics"),
    ("microfluidique", "microfluidics"),
];

/// French and English words too common to mean anything in a capability search.
/// Both engines drop them from queries.
pub const STOP_WORDS: &[&str] = &[
    "a", "à", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "ou", "par",
    "pour", "sur", "un", "une", "an", "and", "for", "in", "of", "on", "or", "the", "to", "with",
];

/// Every phrase mapped to all its equivalents, in both directions: the shape of
/// Meilisearch's `synonyms` setting.
pub fn mutual_map() -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (french, english) in PAIRS {
        for (from, to) in [(french, english), (english, french)] {
            let equivalents = map.entry((*from).to_owned()).or_default();
            if !equivalents.iter().any(|known| known == to) {
                equivalents.push((*to).to_owned());
            }
        }
    }
    map
}
