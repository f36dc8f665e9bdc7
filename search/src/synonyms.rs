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
    ("cosmétique", "cosmetics"),
    ("cosmétiques", "cosmetics"),
    ("câblage", "cabling"),
    ("carte électronique", "circuit board"),
    ("optique", "optics"),
    ("microfluidique", "microfluidics"),
    // What parts and products are called: buyers name the part, suppliers the process.
    ("vis", "screws"),
    ("vis", "screw"),
    ("vis osseuses", "bone screws"),
    ("plaque", "plate"),
    ("pièces", "parts"),
    ("composants", "components"),
    ("capteur", "sensor"),
    ("capteurs", "sensors"),
    ("cathéter", "catheter"),
    ("cathéters", "catheters"),
    ("prothèse", "prosthesis"),
    ("dentaire", "dental"),
    ("orthopédique", "orthopaedic"),
    ("orthopédique", "orthopedic"),
    ("lentille", "lens"),
    ("lentilles", "lenses"),
    ("étalonnage", "calibration"),
    ("soudage", "welding"),
    ("soudure", "welding"),
    ("polissage", "polishing"),
    ("nettoyage", "cleaning"),
    ("collage", "bonding"),
    ("découpe laser", "laser cutting"),
    ("marquage laser", "laser marking"),
    ("gravure", "engraving"),
    ("lyophilisation", "freeze drying"),
    ("remplissage", "filling"),
    ("gélules", "capsules"),
    ("comprimés", "tablets"),
    ("crème", "cream"),
    ("anticorps", "antibodies"),
    ("cellules souches", "stem cells"),
    ("évaluation clinique", "clinical evaluation"),
    ("aéronautique", "aerospace"),
    ("horlogerie", "watchmaking"),
    ("aides auditives", "hearing aids"),
    ("implants dentaires", "dental implants"),
    ("tige fémorale", "femoral stem"),
    ("tiges fémorales", "femoral stems"),
    ("guides chirurgicaux", "surgical guides"),
    ("sur mesure", "patient-specific"),
    ("flacon", "bottle"),
    ("flacons", "bottles"),
    ("capots", "caps"),
    ("bouchons", "caps"),
    ("boîtier", "housing"),
    ("boîtiers", "housings"),
    ("gaine", "sheath"),
    ("gaines", "sheaths"),
    ("introducteur", "introducer"),
    ("plateau", "tray"),
    ("plateaux", "trays"),
    ("sachets", "pouches"),
    ("scellage", "sealing"),
    ("faisceaux", "harnesses"),
    ("moules", "moulds"),
    ("moules", "molds"),
    ("outillages", "tooling"),
    ("enfonçage", "die sinking"),
    ("treillis", "mesh"),
    ("hernie", "hernia"),
    ("tricotage", "knitting"),
    ("tressage", "braiding"),
    ("traction", "tensile"),
    ("rayons x", "x-ray"),
    ("ophtalmologie", "ophthalmology"),
    ("chirurgie ophtalmique", "eye surgery"),
    ("compléments alimentaires", "food supplements"),
    ("compléments alimentaires", "dietary supplements"),
    // Regulatory and laboratory words, as buyers and profiles write them.
    ("dossier technique", "technical documentation"),
    ("organisme notifié", "notified body"),
    ("relargage", "leaching"),
    ("relargables", "leachables"),
    ("extractibles", "extractables"),
    ("contrôle non destructif", "non-destructive testing"),
    ("porosité", "porosity"),
    ("thérapie innovante", "advanced therapy"),
    (
        "médicaments de thérapie innovante",
        "advanced therapy medicinal products",
    ),
];

/// What buyers call their products, and the trade that makes them, as
/// profiles name it: a shampoo is made by a cosmetics manufacturer. One way
/// only: a search for "cosmétiques" is not a search for every product.
pub const PRODUCTS: &[(&[&str], &[&str])] = &[
    (
        &[
            "shampoing",
            "shampooing",
            "gel douche",
            "savon",
            "savons",
            "baume",
            "baumes",
            "lotion",
            "lotions",
            "déodorant",
            "déodorants",
            "parfum",
            "parfums",
            "maquillage",
            "dentifrice",
            "rouge à lèvres",
            "crème solaire",
            "shampoo",
            "shower gel",
            "soap",
            "balm",
            "deodorant",
            "perfume",
            "makeup",
            "make-up",
            "toothpaste",
            "lipstick",
            "sunscreen",
            "crème hydratante",
            "sérum",
            "huile capillaire",
            "skincare",
            "skin care",
            "moisturizer",
            "moisturiser",
            "serum",
            "hair oil",
        ],
        &["cosmétique", "cosmétiques", "cosmetic", "cosmetics"],
    ),
    (
        &[
            "vitamines",
            "probiotiques",
            "nutraceutiques",
            "vitamins",
            "probiotics",
            "nutraceuticals",
        ],
        &[
            "compléments alimentaires",
            "food supplements",
            "dietary supplements",
        ],
    ),
];

/// Verb, participle and noun of the same process, within one language. The
/// embedded engine also stems; Meilisearch does not, so its synonyms carry them.
pub const FORMS: &[(&str, &str)] = &[
    ("usiner", "usinage"),
    ("usiné", "usinage"),
    ("usinés", "usinage"),
    ("usinées", "usinage"),
    ("stériliser", "stérilisation"),
    ("stérilisé", "stérilisation"),
    ("stérilisés", "stérilisation"),
    ("assembler", "assemblage"),
    ("découper", "découpe"),
    ("découpés", "découpe"),
    ("polir", "polissage"),
    ("anodiser", "anodisation"),
    ("anodisé", "anodisation"),
    ("mouler", "moulage"),
    ("souder", "soudage"),
    ("imprimer", "impression"),
    ("imprimés", "impression"),
    ("injecter", "injection"),
    ("conditionner", "conditionnement"),
    ("sterilize", "sterilization"),
    ("sterilise", "sterilisation"),
    ("sterilised", "sterilisation"),
    ("sterilized", "sterilization"),
    ("machine", "machining"),
    ("coated", "coating"),
    ("printed", "printing"),
    ("moulded", "moulding"),
    ("molded", "molding"),
    ("tested", "testing"),
    ("assembled", "assembly"),
    ("packaged", "packaging"),
    ("polished", "polishing"),
    ("electropolished", "electropolishing"),
    // What buyers write in sentences ("électropolir des stents", "des pièces
    // fraisées", "parts to be passivated"), where the profiles name the process.
    ("usinée", "usinage"),
    ("électropolir", "électropolissage"),
    // Meilisearch does not stem: "what leaches out" meets "leaching".
    ("leach", "leaching"),
    ("leaches", "leaching"),
    ("électropolis", "électropolissage"),
    ("électropolies", "électropolissage"),
    ("polis", "polissage"),
    ("polies", "polissage"),
    ("rectifier", "rectification"),
    ("rectifiés", "rectification"),
    ("fraiser", "fraisage"),
    ("fraisés", "fraisage"),
    ("fraisées", "fraisage"),
    ("décolleter", "décolletage"),
    ("décolletés", "décolletage"),
    ("percer", "perçage"),
    ("percés", "perçage"),
    ("graver", "gravure"),
    ("gravés", "gravure"),
    ("passiver", "passivation"),
    ("passivés", "passivation"),
    ("revêtir", "revêtement"),
    ("revêtus", "revêtement"),
    ("revêtues", "revêtement"),
    ("anodisés", "anodisation"),
    ("anodisées", "anodisation"),
    ("soudés", "soudage"),
    ("soudées", "soudage"),
    ("sertir", "sertissage"),
    ("sertis", "sertissage"),
    ("câbler", "câblage"),
    ("câblés", "câblage"),
    ("extruder", "extrusion"),
    ("extrudés", "extrusion"),
    ("extrudées", "extrusion"),
    ("moulés", "moulage"),
    ("moulées", "moulage"),
    ("injectés", "injection"),
    ("injectées", "injection"),
    ("imprimées", "impression"),
    ("découpées", "découpe"),
    ("assemblés", "assemblage"),
    ("assemblées", "assemblage"),
    ("nettoyer", "nettoyage"),
    ("emballer", "emballage"),
    ("emballés", "emballage"),
    ("conditionnés", "conditionnement"),
    ("stérilisées", "stérilisation"),
    ("tresser", "tressage"),
    ("tressés", "tressage"),
    ("tricoter", "tricotage"),
    ("tricotés", "tricotage"),
    ("concevoir", "conception"),
    ("fabriquer", "fabrication"),
    ("fabriqués", "fabrication"),
    ("formuler", "formulation"),
    ("héberger", "hébergement"),
    ("machined", "machining"),
    ("milled", "milling"),
    ("drilled", "drilling"),
    ("welded", "welding"),
    ("weld", "welding"),
    ("anodized", "anodizing"),
    ("anodised", "anodising"),
    ("passivated", "passivation"),
    ("electropolish", "electropolishing"),
    ("injected", "injection"),
    ("extruded", "extrusion"),
    ("knitted", "knitting"),
    ("braided", "braiding"),
    ("cleaned", "cleaning"),
    ("manufactured", "manufacturing"),
    ("hosted", "hosting"),
    // Who does it: "un décolleteur", "un hébergeur".
    ("décolleteur", "décolletage"),
    ("décolleteurs", "décolletage"),
    ("fraiseur", "fraisage"),
    ("soudeur", "soudage"),
    ("câbleur", "câblage"),
    ("plasturgiste", "plasturgie"),
    ("formulateur", "formulation"),
    ("hébergeur", "hébergement"),
    ("hébergeurs", "hébergement"),
    ("mouliste", "moules"),
    ("moulistes", "moules"),
    ("outilleur", "outillage"),
    ("moulder", "moulding"),
    ("molder", "molding"),
    ("machinist", "machining"),
    ("reformuler", "formulation"),
    ("reformulation", "formulation"),
    ("formulated", "formulation"),
    ("reformulate", "formulation"),
];

/// The endings of a French `-er` verb's past participle: each verb of
/// [`FORMS`] also names its process by them ("décolletées"). FORMS' English
/// words are participles and `-ing` nouns, so its `-er` words are French
/// infinitives.
const PARTICIPLE_ENDINGS: [&str; 4] = ["é", "ée", "és", "ées"];

/// [`FORMS`], and the past participles of its French `-er` verbs.
pub fn forms() -> impl Iterator<Item = (String, &'static str)> {
    FORMS.iter().flat_map(|&(form, process)| {
        let participles = form
            .strip_suffix("er")
            .into_iter()
            .flat_map(|stem| PARTICIPLE_ENDINGS.map(|ending| format!("{stem}{ending}")));
        std::iter::once(form.to_owned())
            .chain(participles)
            .map(move |form| (form, process))
    })
}

/// The forms of [`forms`] that are past participles ("usinées", "machined",
/// "polis"): a process the text names this way was done to the parts
/// already, so it is the need's context rather than the need.
pub fn participles() -> impl Iterator<Item = String> {
    const ENDINGS: [&str; 9] = ["é", "ée", "és", "ées", "is", "ies", "us", "ues", "ed"];
    forms()
        .map(|(form, _)| form)
        .filter(|form| ENDINGS.iter().any(|ending| form.ends_with(ending)))
}

/// Words that say nothing about a capability: French and English function words,
/// and the phrasing of a request ("je cherche un sous-traitant pour…", "we are
/// looking for a supplier to…"). Both engines drop them from queries, so a
/// sentence is searched for its meaningful words.
pub const STOP_WORDS: &[&str] = &[
    // French
    "a",
    "à",
    "afin",
    "ainsi",
    "au",
    "aux",
    "avec",
    "avoir",
    "c",
    "ça",
    "ce",
    "ces",
    "cet",
    "cette",
    "chez",
    "ci",
    "d",
    "dans",
    "de",
    "des",
    "du",
    "elle",
    "en",
    "entre",
    "est",
    "et",
    "été",
    "être",
    "il",
    "ils",
    "j",
    "je",
    "l",
    "la",
    "le",
    "les",
    "leur",
    "leurs",
    "lui",
    "m",
    "ma",
    "mais",
    "me",
    "mes",
    "mon",
    "n",
    "ne",
    "nos",
    "notre",
    "nous",
    "on",
    "ont",
    "ou",
    "où",
    "par",
    "pas",
    "peut",
    "plus",
    "pour",
    "qu",
    "que",
    "qui",
    "s",
    "sa",
    "sans",
    "se",
    "selon",
    "ses",
    "son",
    "sont",
    "sur",
    "t",
    "ta",
    "te",
    "tes",
    "ton",
    "tous",
    "tout",
    "toute",
    "toutes",
    "très",
    "tu",
    "un",
    "une",
    "vers",
    "via",
    "vos",
    "votre",
    "vous",
    "y",
    // French request phrasing
    "besoin",
    "bonjour",
    "capable",
    "capables",
    "cherche",
    "cherchons",
    "devis",
    "entreprise",
    "faire",
    "fournisseur",
    "fournisseurs",
    "merci",
    "partenaire",
    "partenaires",
    "pouvant",
    "prestataire",
    "prestataires",
    "quelqu",
    "réaliser",
    "recherche",
    "recherchons",
    "souhaite",
    "souhaitons",
    "sous",
    "traitant",
    "traitants",
    "traitance",
    "trouver",
    "urgence",
    "urgent",
    "voudrions",
    "voudrais",
    // English
    "about",
    "all",
    "also",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "by",
    "can",
    "could",
    "do",
    "for",
    "from",
    "has",
    "have",
    "i",
    "in",
    "into",
    "is",
    "it",
    "its",
    "me",
    "my",
    "of",
    "on",
    "or",
    "our",
    "so",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "these",
    "this",
    "to",
    "up",
    "us",
    "was",
    "we",
    "were",
    "what",
    "which",
    "who",
    "will",
    "with",
    "would",
    "you",
    "your",
    // English request phrasing
    "able",
    "company",
    "find",
    "hello",
    "help",
    "looking",
    "need",
    "needed",
    "needs",
    "partner",
    "partners",
    "please",
    "provider",
    "providers",
    "quote",
    "quotation",
    "searching",
    "seeking",
    "someone",
    "start",
    "startup",
    "subcontracting",
    "subcontractor",
    "subcontractors",
    "supplier",
    "suppliers",
    "urgently",
    "vendor",
    "want",
];

/// Every phrase mapped to all its equivalents, in both directions, and each
/// product to its trades (see [`PRODUCTS`]): the shape of Meilisearch's
/// `synonyms` setting.
pub fn mutual_map() -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |from: &str, to: &str| {
        let equivalents = map.entry(from.to_owned()).or_default();
        if !equivalents.iter().any(|known| known == to) {
            equivalents.push(to.to_owned());
        }
    };
    let pairs = PAIRS
        .iter()
        .map(|&(one, other)| (one.to_owned(), other))
        .chain(forms());
    for (one, other) in pairs {
        add(&one, other);
        add(other, &one);
    }
    for (products, trades) in PRODUCTS {
        for product in *products {
            for trade in *trades {
                add(product, trade);
            }
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verb_names_its_process_by_its_participles_too() {
        let map = mutual_map();
        for participle in ["décolleté", "décolletée", "décolletés", "décolletées"] {
            assert!(
                map.get(participle)
                    .is_some_and(|processes| processes.iter().any(|p| p == "décolletage")),
                "{participle}: {:?}",
                map.get(participle)
            );
        }
        assert!(map["décolletage"].iter().any(|form| form == "décolletées"));
    }

    #[test]
    fn a_product_names_its_trade_but_not_the_other_way() {
        let map = mutual_map();
        assert!(map["shampoing"].iter().any(|trade| trade == "cosmétiques"));
        assert!(map["shower gel"].iter().any(|trade| trade == "cosmetics"));
        assert!(map["moisturizer"].iter().any(|trade| trade == "cosmetics"));
        assert!(!map["cosmétiques"].iter().any(|word| word == "shampoing"));
    }

    #[test]
    fn participles_are_the_forms_of_work_done() {
        let participles: Vec<String> = participles().collect();
        for done in ["usinées", "décolletées", "machined", "polis"] {
            assert!(participles.iter().any(|p| p == done), "{done}");
        }
        for process in ["usinage", "usiner", "machining", "décolleteur"] {
            assert!(!participles.iter().any(|p| p == process), "{process}");
        }
    }
}
