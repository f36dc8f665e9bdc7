//! Relevance on a realistic catalogue: 36 fictional suppliers of the
//! Bourgogne-Franche-Comté health-tech supply chain (`fixtures/suppliers.json`),
//! labelled queries per category, R-precision (the share of relevant suppliers
//! among the first R hits, R the number of relevant ones) and recall at 5 per
//! engine. Every query word being optional, other suppliers matching some word
//! follow the relevant ones: what matters is that the relevant ones come first.

use std::collections::{BTreeMap, BTreeSet};

use search::embedded::TantivyIndex;
use search::meili::MeiliIndex;
use search::{CapabilityIndex, SearchQuery};
use uuid::Uuid;

#[path = "support/fixture.rs"]
mod fixture;

use fixture::timestamp;

const K: usize = 5;
/// Mean R-precision and recall@5 every category must reach.
const FLOOR: f64 = 0.8;

#[tokio::test]
async fn embedded_engine_ranks_relevant_suppliers_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = TantivyIndex::open(dir.path()).expect("open index");
    evaluate(&index).await;
}

#[tokio::test]
#[ignore = "needs MEILI_URL"]
async fn meilisearch_ranks_relevant_suppliers_first() {
    let url = std::env::var("MEILI_URL").expect("this test needs MEILI_URL");
    let key = std::env::var("MEILI_MASTER_KEY").ok();
    let prefix = format!("test_{}_", Uuid::new_v4().simple());
    let index = MeiliIndex::new(&url, key, &prefix).expect("client");
    index.bootstrap().await.expect("bootstrap");
    let outcome = tokio::spawn({
        let index = index.clone();
        async move { evaluate(&index).await }
    })
    .await;
    index.delete_index().await.expect("delete test index");
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
}

/// The clock of the fixture: some certificates expired before it.
fn now() -> i64 {
    timestamp("2026-06-01")
}

struct Case {
    category: &'static str,
    query: SearchQuery,
    relevant: &'static [&'static str],
}

fn cases() -> Vec<Case> {
    let text = |words: &str| SearchQuery {
        text: Some(words.to_owned()),
        now: now(),
        limit: K,
        ..SearchQuery::default()
    };
    let filtered = SearchQuery {
        now: now(),
        limit: K,
        ..SearchQuery::default()
    };
    let strings = |values: &[&str]| values.iter().map(|value| (*value).to_owned()).collect();
    let machining: &[&str] = &[
        "precimeca",
        "decolletage-haut-doubs",
        "microtech-horlogere",
        "pontarlier-swiss",
        "erosion-ornans",
        "fraisage-vesoul",
        "aerostructures-montbeliard",
    ];
    let swiss_turning: &[&str] = &["precimeca", "decolletage-haut-doubs", "pontarlier-swiss"];
    let sterilisation: &[&str] = &[
        "gamma-bourgogne",
        "sterilisation-chalonnaise",
        "autoclave-auxerre",
    ];
    vec![
        // Typos.
        Case {
            category: "typo",
            query: text("usinnage"),
            relevant: machining,
        },
        Case {
            category: "typo",
            query: text("decoletage"),
            relevant: swiss_turning,
        },
        Case {
            category: "typo",
            query: text("sterilisaton"),
            relevant: sterilisation,
        },
        Case {
            category: "typo",
            query: text("electropolisage"),
            relevant: &["electropoli-belfort"],
        },
        Case {
            category: "typo",
            query: text("biocompatiblity"),
            relevant: &["biocompat-lab"],
        },
        Case {
            category: "typo",
            query: text("microfluidiqe"),
            relevant: &["femto-chips"],
        },
        // Accents, both ways.
        Case {
            category: "accents",
            query: text("electropolissage"),
            relevant: &["electropoli-belfort"],
        },
        Case {
            category: "accents",
            query: text("stérilisation gamma"),
            relevant: &["gamma-bourgogne"],
        },
        Case {
            category: "accents",
            query: text("metrologie"),
            relevant: &["bourgogne-essais", "metrologie-3d"],
        },
        Case {
            category: "accents",
            query: text("hebergement donnees de sante"),
            relevant: &["sante-cloud", "hebergement-jura"],
        },
        Case {
            category: "accents",
            query: text("electroerosion"),
            relevant: &["erosion-ornans"],
        },
        // French query, English-only profile.
        Case {
            category: "fr->en",
            query: text("micro-usinage laser"),
            relevant: &["microtech-horlogere"],
        },
        Case {
            category: "fr->en",
            query: text("salle propre"),
            relevant: &["dole-assemblage", "cleanassembly-besancon"],
        },
        Case {
            category: "fr->en",
            query: text("silicone liquide"),
            relevant: &["silicone-jura"],
        },
        Case {
            category: "fr->en",
            query: text("stérilisation vapeur"),
            relevant: &["autoclave-auxerre"],
        },
        Case {
            category: "fr->en",
            query: text("développement logiciel"),
            relevant: &["medsoft-besancon"],
        },
        Case {
            category: "fr->en",
            query: text("puces microfluidiques"),
            relevant: &["femto-chips"],
        },
        // English query, French-only profile.
        Case {
            category: "en->fr",
            query: text("cleanroom packaging"),
            relevant: &["dole-assemblage"],
        },
        Case {
            category: "en->fr",
            query: text("ethylene oxide"),
            relevant: &["sterilisation-chalonnaise"],
        },
        Case {
            category: "en->fr",
            query: text("fatigue testing"),
            relevant: &["bourgogne-essais"],
        },
        Case {
            category: "en->fr",
            query: text("cell therapy bioproduction"),
            relevant: &["theracell-besancon"],
        },
        Case {
            category: "en->fr",
            query: text("precision optics"),
            relevant: &["optique-jura"],
        },
        Case {
            category: "en->fr",
            query: text("contract manufacturing"),
            relevant: &["cosmetiques-bourgogne", "nutrifacon-nevers"],
        },
        // Filters, certificates at the fixture's clock.
        Case {
            category: "filters",
            query: SearchQuery {
                capabilities: strings(&["machining"]),
                certifications: strings(&["iso_13485"]),
                ..filtered.clone()
            },
            relevant: &["precimeca", "microtech-horlogere"],
        },
        Case {
            category: "filters",
            query: SearchQuery {
                certifications: strings(&["iso_17025"]),
                ..filtered.clone()
            },
            relevant: &["bourgogne-essais", "biocompat-lab", "analytica-strasbourg"],
        },
        Case {
            category: "filters",
            query: SearchQuery {
                certifications: strings(&["hds"]),
                ..filtered.clone()
            },
            relevant: &["sante-cloud"],
        },
        Case {
            category: "filters",
            query: SearchQuery {
                capabilities: strings(&["sterilisation"]),
                ..filtered.clone()
            },
            relevant: sterilisation,
        },
        Case {
            category: "filters",
            query: SearchQuery {
                regions: strings(&["Bourgogne-Franche-Comté"]),
                sectors: strings(&["cosmetics"]),
                ..filtered.clone()
            },
            relevant: &[
                "plasturgie-saint-claude",
                "cosmetiques-bourgogne",
                "green-formulation",
            ],
        },
        Case {
            category: "filters",
            query: SearchQuery {
                certifications: strings(&["en_9100"]),
                ..text("usinage")
            },
            relevant: &["fraisage-vesoul", "aerostructures-montbeliard"],
        },
        Case {
            category: "filters",
            query: SearchQuery {
                sectors: strings(&["aerospace"]),
                member: Some(true),
                capabilities: strings(&["machining"]),
                ..filtered
            },
            relevant: &[
                "decolletage-haut-doubs",
                "fraisage-vesoul",
                "aerostructures-montbeliard",
            ],
        },
    ]
}

/// Loads the fixture, runs every case, prints the table and checks the floors.
async fn evaluate(index: &dyn CapabilityIndex) {
    let (docs, keys) = fixture::documents(fixture::regional_suppliers());
    index.clear().await.expect("clear");
    index.upsert(docs).await.expect("upsert fixture");

    let mut per_category: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
    let mut misses = Vec::new();
    for case in cases() {
        let label = format!("{:?}", case.query.text);
        let results = index.search(case.query).await.expect("search");
        let top: Vec<&str> = results
            .hits
            .iter()
            .take(K)
            .map(|hit| keys.get(&hit.id).map_or("?", String::as_str))
            .collect();
        let relevant: BTreeSet<&str> = case.relevant.iter().copied().collect();
        let found = top.iter().filter(|key| relevant.contains(*key)).count();
        let first = relevant.len().min(K);
        let precision = top
            .iter()
            .take(first)
            .filter(|key| relevant.contains(*key))
            .count() as f64
            / first as f64;
        let recall = found as f64 / relevant.len().min(K) as f64;
        if precision < 1.0 || recall < 1.0 {
            misses.push(format!(
                "  {} {label}: top {top:?}, relevant {relevant:?}",
                case.category
            ));
        }
        per_category
            .entry(case.category)
            .or_default()
            .push((precision, recall));
    }

    let engine = index.engine_name();
    eprintln!("\nrelevance on {engine} ({} suppliers)", keys.len());
    eprintln!(
        "{:<10} {:>7} {:>12} {:>9}",
        "category", "queries", "R-precision", "recall@5"
    );
    let mut below = Vec::new();
    for (category, scores) in &per_category {
        let n = scores.len() as f64;
        let precision = scores.iter().map(|(p, _)| p).sum::<f64>() / n;
        let recall = scores.iter().map(|(_, r)| r).sum::<f64>() / n;
        eprintln!(
            "{category:<10} {:>7} {precision:>12.2} {recall:>9.2}",
            scores.len()
        );
        if precision < FLOOR || recall < FLOOR {
            below.push(*category);
        }
    }
    if !misses.is_empty() {
        eprintln!("imperfect queries:\n{}", misses.join("\n"));
    }
    assert!(
        below.is_empty(),
        "[{engine}] categories below {FLOOR}: {below:?}"
    );
}
