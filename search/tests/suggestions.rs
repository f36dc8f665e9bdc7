//! Specification of capability suggestions: what a buyer's words mean in the
//! cluster's taxonomy and certification catalogue (the seed files the app
//! loads), in French and English, with typos and request fluff.

use search::suggest::{Entry, Suggester, Suggestion, SuggestionKind};
use serde_json::Value;

fn seed(name: &str) -> Vec<Value> {
    let path = format!("{}/../persistence/seed/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn strings(value: &Value, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .flat_map(|key| match &value[key] {
            Value::String(s) => vec![s.clone()],
            Value::Array(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        })
        .collect()
}

/// Built as the app builds it: capabilities by their labels and synonyms,
/// certification types by their labels and descriptions.
fn catalogue() -> Suggester {
    let entry = |keys: &'static [&'static str]| {
        move |v: Value| Entry {
            code: v["code"].as_str().expect("code").to_owned(),
            labels: strings(&v, keys),
        }
    };
    Suggester::new(
        seed("taxonomy.json")
            .into_iter()
            .map(entry(&["fr", "en", "synonyms"]))
            .collect(),
        seed("certifications.json")
            .into_iter()
            .map(entry(&["fr", "en", "description_fr", "description_en"]))
            .collect(),
    )
}

fn codes(suggestions: &[Suggestion]) -> Vec<&str> {
    suggestions.iter().map(|s| s.code.as_str()).collect()
}

fn shown(suggestions: &[Suggestion]) -> String {
    suggestions
        .iter()
        .map(|s| format!("{} {:.3}", s.code, s.score))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Needs as buyers write them (fluff, plurals, verbs, typos) and the
/// capability an expert would code them with.
const NEEDS: &[(&str, &str)] = &[
    // French.
    (
        "Je cherche un sous-traitant pour usiner des implants en titane",
        "machining",
    ),
    ("usinage de vis en titane", "machining"),
    ("usinnage de pieces en titanne", "machining"),
    (
        "stérilisation oxyde éthylène dispositifs",
        "sterilisation.ethylene_oxide",
    ),
    (
        "Nous recherchons un prestataire de stérilisation gamma pour des kits chirurgicaux",
        "sterilisation.gamma",
    ),
    (
        "stérilisation à la vapeur en autoclave de plateaux d'instruments",
        "sterilisation.steam",
    ),
    (
        "décolletage de pièces de révolution en inox 316L",
        "machining.swiss_turning",
    ),
    (
        "fraisage 5 axes de boîtiers en aluminium",
        "machining.milling",
    ),
    ("usinage 5 axes de boîtiers", "machining.milling"),
    (
        "micro-usinage laser femtoseconde de stents",
        "machining.laser_micromachining",
    ),
    (
        "découpe laser de stents en nitinol",
        "machining.laser_micromachining",
    ),
    ("électroérosion à fil de pièces en acier", "machining.edm"),
    (
        "injection plastique de capuchons en polypropylène",
        "plastics.injection_moulding",
    ),
    (
        "moulage de joints en silicone liquide",
        "plastics.liquid_silicone",
    ),
    (
        "extrusion de tubes médicaux multi-lumières",
        "plastics.extrusion",
    ),
    ("impression 3D métal de cupules en titane", "additive.metal"),
    ("anodisation de poignées en aluminium", "surface.anodising"),
    ("anodisaton de pièces", "surface.anodising"),
    (
        "passivation d'instruments chirurgicaux en inox",
        "surface.passivation",
    ),
    ("électropolisage de stents", "surface.electropolishing"),
    ("revêtement PVD d'instruments", "surface.coatings"),
    (
        "assemblage de cartes électroniques pour un dispositif médical",
        "electronics.pcb_assembly",
    ),
    (
        "câblage et faisceaux pour un appareil de monitoring",
        "electronics.cabling",
    ),
    (
        "montage en salle propre ISO 7 de cathéters",
        "cleanroom.assembly",
    ),
    (
        "conditionnement en salle blanche de seringues",
        "cleanroom.packaging",
    ),
    (
        "emballage barrière stérile sous blister",
        "sterilisation.sterile_barrier",
    ),
    (
        "tests de biocompatibilite selon l'ISO 10993",
        "testing.biocompatibility",
    ),
    (
        "essais de fatigue sur des vis pédiculaires",
        "testing.mechanical",
    ),
    (
        "contrôle dimensionnel par tomographie de pièces plastiques",
        "testing.metrology",
    ),
    (
        "analyses HPLC de principes actifs",
        "testing.analytical_chemistry",
    ),
    (
        "analyses chimiques de résidus de nettoyage",
        "testing.analytical_chemistry",
    ),
    (
        "accompagnement pour le marquage CE de notre dispositif selon le MDR",
        "regulatory.ce_marking_mdr",
    ),
    (
        "préparer un dossier 510(k) pour la FDA",
        "regulatory.fda_submissions",
    ),
    (
        "organiser des essais cliniques pour un implant",
        "regulatory.clinical_investigations",
    ),
    (
        "surveillance après commercialisation et PMCF",
        "regulatory.post_market",
    ),
    (
        "développement d'un logiciel conforme IEC 62304",
        "software.iec_62304",
    ),
    (
        "hébergement de données de santé certifié",
        "software.health_data_hosting",
    ),
    (
        "production de thérapie cellulaire MTI",
        "biotech.atmp_bioproduction",
    ),
    ("culture de lignées cellulaires", "biotech.cell_culture"),
    ("dosage ELISA de biomarqueurs", "biotech.bioanalysis"),
    (
        "formulation galénique d'une crème",
        "pharma_cosmetics_nutrition.formulation",
    ),
    (
        "fabrication à façon de compléments alimentaires",
        "pharma_cosmetics_nutrition.contract_manufacturing",
    ),
    (
        "libération de lots et contrôle qualité",
        "pharma_cosmetics_nutrition.quality_control",
    ),
    ("tricotage de textiles implantables", "textiles.implantable"),
    ("lentilles optiques de précision", "optics.precision_optics"),
    (
        "puce microfluidique pour du diagnostic",
        "microfluidics.chips",
    ),
    ("capteurs MEMS de pression", "microfluidics.mems"),
    ("prototypage rapide d'un boîtier", "design.prototyping"),
    (
        "conception CAO d'un nouveau produit",
        "design.product_design",
    ),
    (
        "industrialisation de notre produit",
        "design.industrialisation",
    ),
    ("consultant en affaires réglementaires", "regulatory"),
    ("essais en laboratoire", "testing"),
    ("photonique", "optics"),
    // English.
    (
        "We need a supplier for machining titanium implants",
        "machining",
    ),
    ("machinning of titanuim parts", "machining"),
    (
        "looking for ethylene oxide sterilization of catheters",
        "sterilisation.ethylene_oxide",
    ),
    (
        "gamma sterilisation of single-use kits",
        "sterilisation.gamma",
    ),
    ("swiss turning of bone screws", "machining.swiss_turning"),
    (
        "5-axis CNC milling of aluminium housings",
        "machining.milling",
    ),
    (
        "laser cutting of nitinol stents",
        "machining.laser_micromachining",
    ),
    (
        "micromachining of watch-size parts",
        "machining.micro_machining",
    ),
    (
        "injection molding of polycarbonate parts",
        "plastics.injection_moulding",
    ),
    ("metal 3D printing of titanium cups", "additive.metal"),
    ("stereolithography prototypes", "additive.polymer"),
    ("anodized aluminium handles", "surface.anodising"),
    (
        "electropolished stainless steel parts",
        "surface.electropolishing",
    ),
    ("PCB assembly for a wearable", "electronics.pcb_assembly"),
    ("clean room packaging of catheters", "cleanroom.packaging"),
    ("steam sterilization in an autoclave", "sterilisation.steam"),
    (
        "cytotoxicity testing according to ISO 10993",
        "testing.biocompatibility",
    ),
    (
        "tensile and fatigue testing of spinal screws",
        "testing.mechanical",
    ),
    ("CT scan dimensional inspection", "testing.metrology"),
    (
        "CE marking technical file under the MDR",
        "regulatory.ce_marking_mdr",
    ),
    (
        "clinical trials for a class III implant",
        "regulatory.clinical_investigations",
    ),
    ("IEC 62304 software development", "software.iec_62304"),
    (
        "certified health data hosting",
        "software.health_data_hosting",
    ),
    ("cell therapy bioproduction", "biotech.atmp_bioproduction"),
    ("ELISA biomarker assays", "biotech.bioanalysis"),
    (
        "contract manufacturing of food supplements, CDMO",
        "pharma_cosmetics_nutrition.contract_manufacturing",
    ),
    (
        "batch release testing",
        "pharma_cosmetics_nutrition.quality_control",
    ),
    ("braiding of implantable textiles", "textiles.implantable"),
    (
        "precision lenses for an endoscope",
        "optics.precision_optics",
    ),
    ("lab-on-chip microfluidic cartridge", "microfluidics.chips"),
    ("regulatory strategy for the US market", "regulatory"),
    ("nutrition products", "pharma_cosmetics_nutrition"),
];

#[test]
fn realistic_needs_find_their_capability_in_the_top_3() {
    let suggester = catalogue();
    let mut missed = Vec::new();
    for (need, expected) in NEEDS {
        let top = suggester.suggest(need, 3);
        if !codes(&top).contains(expected) {
            missed.push(format!(
                "{need:?} → expected {expected}, got [{}]",
                shown(&top)
            ));
        }
    }
    assert!(
        missed.is_empty(),
        "{} of {} needs missed:\n{}",
        missed.len(),
        NEEDS.len(),
        missed.join("\n")
    );
}

/// The trade's own words for a capability (acronyms, process names, what
/// the service is called on a purchase order) name it on their own, in a
/// sentence as alone: the seed taxonomy carries them as synonyms.
#[test]
fn the_trades_own_words_name_their_capability() {
    let suggester = catalogue();
    for (text, expected) in [
        ("FDA", "regulatory.fda_submissions"),
        (
            "on a besoin d'aide pour notre dossier FDA 510k",
            "regulatory.fda_submissions",
        ),
        ("cell therapy", "biotech.atmp_bioproduction"),
        (
            "GMP manufacturing of a CAR-T batch for a phase I trial",
            "biotech.atmp_bioproduction",
        ),
        (
            "polissage et passivation de tiges fémorales",
            "surface.electropolishing",
        ),
        (
            "soudage laser de boîtiers en inox",
            "machining.laser_micromachining",
        ),
        (
            "laser welding of housings",
            "machining.laser_micromachining",
        ),
        (
            "surmoulage d'une poignée en TPE",
            "plastics.injection_moulding",
        ),
        (
            "vieillissement accéléré de nos sachets stériles",
            "sterilisation.sterile_barrier",
        ),
        (
            "extractables and leachables by GC-MS",
            "testing.analytical_chemistry",
        ),
        ("mesure de rugosité", "testing.metrology"),
        ("firmware of an insulin pump", "software.iec_62304"),
        ("qPCR et cytométrie", "biotech.bioanalysis"),
        ("e-beam sterilisation", "sterilisation.gamma"),
    ] {
        let top = suggester.suggest(text, 3);
        assert!(
            codes(&top).contains(&expected),
            "{text:?}: expected {expected} in the top 3, got [{}]",
            shown(&top)
        );
    }
}

#[test]
fn certifications_named_in_the_text_are_detected() {
    let suggester = catalogue();
    for (text, expected) in [
        ("usinage certifié ISO 13485", "iso_13485"),
        ("le fournisseur doit être 13485", "iso_13485"),
        ("site BPF pour la production", "gmp"),
        ("GMP manufacturing of a sterile drug", "gmp"),
        ("respect des bonnes pratiques de fabrication", "gmp"),
        ("good manufacturing practice", "gmp"),
        ("laboratoire accrédité COFRAC", "iso_17025"),
        ("ISO 17025 accredited laboratory", "iso_17025"),
        ("hébergeur HDS", "hds"),
        ("EN 9100", "en_9100"),
        // Glued to its number, as often typed.
        ("usinage 5 axes pour l'aéro, EN9100", "en_9100"),
        ("fournisseur certifié ISO13485", "iso_13485"),
    ] {
        let found = suggester.suggest(text, 5);
        let hit = found.iter().find(|s| s.code == expected);
        assert!(
            hit.is_some_and(|s| s.kind == SuggestionKind::Certification),
            "{text:?}: expected certification {expected}, got [{}]",
            shown(&found)
        );
    }
}

#[test]
fn a_standard_number_tolerates_no_typo() {
    let suggester = catalogue();
    let found = suggester.suggest("ISO 13458", 5);
    assert!(!codes(&found).contains(&"iso_13485"), "{}", shown(&found));
    let found = suggester.suggest("norme ISO", 5);
    assert!(
        found.is_empty(),
        "ISO alone names no standard: {}",
        shown(&found)
    );
}

#[test]
fn empty_or_stop_word_only_text_suggests_nothing() {
    let suggester = catalogue();
    for text in [
        "",
        "   ",
        "?!",
        "je cherche un sous-traitant",
        "Bonjour, nous recherchons un prestataire, devis urgent svp",
        "We need a supplier, please send a quote asap",
        "le la les de des du",
    ] {
        assert_eq!(suggester.suggest(text, 5), [], "{text:?}");
    }
}

#[test]
fn words_matching_only_a_parent_suggest_the_parent() {
    let suggester = catalogue();
    for (text, parent) in [
        ("stérilisation", "sterilisation"),
        ("usinage", "machining"),
        ("sterilization services", "sterilisation"),
    ] {
        let found = suggester.suggest(text, 5);
        assert_eq!(
            codes(&found).first(),
            Some(&parent),
            "{text:?}: {}",
            shown(&found)
        );
        assert!(
            !found
                .iter()
                .any(|s| s.code.starts_with(&format!("{parent}."))),
            "{text:?} names no child: {}",
            shown(&found)
        );
    }
}

#[test]
fn words_of_a_child_prefer_the_child_to_its_parent() {
    let suggester = catalogue();
    for (text, child, parent) in [
        (
            "stérilisation gamma",
            "sterilisation.gamma",
            "sterilisation",
        ),
        ("gamma", "sterilisation.gamma", "sterilisation"),
        ("micro-usinage", "machining.micro_machining", "machining"),
        ("usinage par électroérosion", "machining.edm", "machining"),
        ("impression 3D métal", "additive.metal", "additive"),
        (
            "conditionnement en salle blanche",
            "cleanroom.packaging",
            "cleanroom",
        ),
    ] {
        let found = suggester.suggest(text, 5);
        assert_eq!(
            codes(&found).first(),
            Some(&child),
            "{text:?}: {}",
            shown(&found)
        );
        let score = |code: &str| {
            found
                .iter()
                .find(|s| s.code == code)
                .map_or(0.0, |s| s.score)
        };
        assert!(score(child) > score(parent), "{text:?}: {}", shown(&found));
    }
}

#[test]
fn several_words_of_one_code_beat_one_word() {
    let suggester = catalogue();
    let found = suggester.suggest("découpe laser femtoseconde", 5);
    assert_eq!(
        codes(&found).first(),
        Some(&"machining.laser_micromachining"),
        "{}",
        shown(&found)
    );
    let score = |code: &str| {
        found
            .iter()
            .find(|s| s.code == code)
            .map_or(0.0, |s| s.score)
    };
    assert!(
        score("machining.laser_micromachining") > score("optics.lasers"),
        "{}",
        shown(&found)
    );
}

#[test]
fn an_exact_phrase_beats_scattered_words() {
    let suggester = catalogue();
    let score = |text: &str| {
        suggester
            .suggest(text, 5)
            .into_iter()
            .find(|s| s.code == "cleanroom")
            .map_or(0.0, |s| s.score)
    };
    assert!(score("salle propre") > score("une salle vraiment propre"));
    assert!(score("salle propre") > score("propre salle"));
}

#[test]
fn accents_and_case_do_not_matter() {
    let suggester = catalogue();
    assert_eq!(
        suggester.suggest("STÉRILISATION GAMMA", 5),
        suggester.suggest("sterilisation gamma", 5)
    );
}

#[test]
fn scores_are_between_0_and_1_best_first_within_the_limit() {
    let suggester = catalogue();
    let found = suggester.suggest(
        "usinage, anodisation et passivation de pièces en titane, conditionnement en salle propre, certifié ISO 13485",
        4,
    );
    assert_eq!(found.len(), 4, "{}", shown(&found));
    assert!(found.iter().all(|s| (0.0..=1.0).contains(&s.score)));
    assert!(found.windows(2).all(|w| w[0].score >= w[1].score));
    assert_eq!(suggester.suggest("usinage", 0), []);
}

#[test]
fn ties_go_to_the_smaller_code_and_the_same_text_gives_the_same_answer() {
    let entry = |code: &str, labels: &[&str]| Entry {
        code: code.to_owned(),
        labels: labels.iter().map(|l| (*l).to_owned()).collect(),
    };
    let suggester = Suggester::new(
        vec![
            entry("zeta", &["Polissage"]),
            entry("alpha", &["Polissage"]),
        ],
        vec![entry("aaa", &["Polissage"])],
    );
    let found = suggester.suggest("polissage", 5);
    assert_eq!(codes(&found), ["alpha", "zeta", "aaa"]);
    assert_eq!(found[0].score, found[2].score);
    assert_eq!(suggester.suggest("polissage", 5), found);
}

#[test]
fn a_long_text_is_read_quickly() {
    let suggester = catalogue();
    let text =
        "Nous recherchons un sous-traitant capable d'usiner des vis pédiculaires en titane, \
                de les passiver, de les nettoyer et de les conditionner en salle propre avant \
                stérilisation à l'oxyde d'éthylène; essais de fatigue et contrôle dimensionnel. "
            .repeat(8);
    let started = std::time::Instant::now();
    let found = suggester.suggest(&text, 20);
    assert!(!found.is_empty());
    // Generous for an unoptimised build on a shared machine.
    assert!(
        started.elapsed() < std::time::Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
}

/// A request's text names the capabilities its candidates look beyond the
/// requested ones for: only capabilities, best first, a few at most.
#[test]
fn a_needs_text_names_the_capabilities_it_spans() {
    let suggester = catalogue();
    let named = suggester.named_capabilities(
        "Firmware d'un patch ECG connecté selon l'IEC 62304, avec sa carte électronique, \
         fournisseur certifié ISO 13485",
    );
    assert!(named.len() <= 4, "a few capabilities at most: {named:?}");
    for code in ["software.iec_62304", "electronics.pcb_assembly"] {
        assert!(named.iter().any(|c| c == code), "{code} in {named:?}");
    }
    assert!(
        !named.iter().any(|c| c == "iso_13485"),
        "certifications are not capabilities: {named:?}"
    );
    assert!(suggester.named_capabilities("bonjour, merci").is_empty());
}

/// The need comes first, what it is for after: the order of the names is
/// the text's, whatever their scores.
#[test]
fn named_capabilities_come_in_the_order_the_text_names_them() {
    let suggester = catalogue();
    let electropolishing =
        suggester.named_capabilities("électropolissage de stents en nitinol découpés au laser");
    assert_eq!(
        electropolishing.first().map(String::as_str),
        Some("surface.electropolishing"),
        "{electropolishing:?}"
    );
    assert!(
        electropolishing
            .iter()
            .any(|code| code == "machining.laser_micromachining"),
        "the context is named too: {electropolishing:?}"
    );
    let cutting =
        suggester.named_capabilities("découpe laser de stents en nitinol, puis électropolissage");
    assert_eq!(
        cutting.first().map(String::as_str),
        Some("machining.laser_micromachining"),
        "{cutting:?}"
    );
}

#[test]
fn a_capability_named_as_done_already_is_the_context_of_the_need() {
    let suggester = catalogue();
    // A past participle says what was done to the parts already.
    let anodising = suggester
        .named_capabilities("vis en titane décolletées chez nous, anodisation couleur à faire");
    assert_eq!(
        anodising.first().map(String::as_str),
        Some("surface.anodising"),
        "{anodising:?}"
    );
    let inspection = suggester.named_capabilities(
        "machined titanium parts for a tomography inspection of their porosity",
    );
    assert_ne!(
        inspection.first().map(String::as_str),
        Some("machining"),
        "{inspection:?}"
    );
    // What comes before "il nous faut" / "we need" is the parts' story.
    let fatigue = suggester.named_capabilities(
        "nos cupules sortent de fusion laser, il nous faut un labo pour les essais de fatigue",
    );
    assert!(
        fatigue
            .first()
            .is_some_and(|code| code.starts_with("testing")),
        "{fatigue:?}"
    );
    // "Micro-usinage laser" is named by "usinage" in the story too, and by
    // "marquage laser" in the need.
    let marking = suggester.named_capabilities(
        "après l'usinage de nos ancillaires en inox, il faut un marquage laser UDI",
    );
    assert_eq!(
        marking.first().map(String::as_str),
        Some("machining.laser_micromachining"),
        "{marking:?}"
    );
}

#[test]
fn a_french_participle_that_folds_onto_a_word_of_the_catalogue_is_that_word() {
    // Without accents, "câblés" (wired) is "câbles" (cables): read as the
    // cables the buyer asks for, not as work done.
    let suggester = catalogue();
    let cables = suggester
        .named_capabilities("cables ECG patient avec surmoulage des connecteurs, 2000 par an");
    assert_eq!(
        cables.first().map(String::as_str),
        Some("electronics.cabling"),
        "{cables:?}"
    );
}

#[test]
fn a_participle_naming_the_state_the_buyer_wants_is_the_need() {
    let suggester = catalogue();
    let passivation = suggester
        .named_capabilities("our screws are machined in titanium, we need them passivated");
    assert_eq!(
        passivation.first().map(String::as_str),
        Some("surface.passivation"),
        "{passivation:?}"
    );
}

#[test]
fn a_capability_named_right_after_a_negation_is_not_the_need() {
    let suggester = catalogue();
    let inspection =
        suggester.named_capabilities("sans découpe : tomographie de nos pièces imprimées");
    assert_eq!(
        inspection.first().map(String::as_str),
        Some("testing.metrology"),
        "{inspection:?}"
    );
    let sterile = suggester.named_capabilities("no sterilisation needed, only cleanroom packaging");
    assert_eq!(
        sterile.first().map(String::as_str),
        Some("cleanroom.packaging"),
        "{sterile:?}"
    );
}

#[test]
fn a_capability_named_only_by_who_provides_it_is_not_the_need() {
    let suggester = catalogue();
    let cells = suggester.named_capabilities(
        "CAR-T cell therapy batches under GMP for a phase I trial, looking for a CDMO in France",
    );
    assert_eq!(
        cells.first().map(String::as_str),
        Some("biotech.atmp_bioproduction"),
        "{cells:?}"
    );
    // Alone, the provider names the need.
    let creams = suggester.named_capabilities("on cherche un façonnier pour nos crèmes");
    assert_eq!(
        creams.first().map(String::as_str),
        Some("pharma_cosmetics_nutrition.contract_manufacturing"),
        "{creams:?}"
    );
}

#[test]
fn how_many_and_whose_name_no_capability() {
    let suggester = catalogue();
    for text in [
        "quelques milliers de pots",
        "une petite marque bio",
        "thousands of units for our brand",
    ] {
        assert!(
            suggester.named(text).capabilities.is_empty(),
            "{text}: {:?}",
            suggester.named(text)
        );
    }
}

#[test]
fn named_certifications_are_the_ones_the_text_requires() {
    let suggester = catalogue();
    assert_eq!(
        suggester
            .named("stérilisation de poches de sang, fournisseur certifié ISO 11137")
            .certifications,
        ["iso_11137"]
    );
    assert!(
        suggester
            .named("usinage de vis en titane pour implants")
            .certifications
            .is_empty()
    );
}
