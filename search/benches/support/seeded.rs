//! The suggester as the application builds it from the seeded catalogue
//! (`api/src/app/suggestions.rs`), for the benches that read sentences as
//! the server does.

use search::suggest::{Entry, Suggester};
use serde::Deserialize;

#[derive(Deserialize)]
struct Node {
    code: String,
    fr: String,
    en: String,
    #[serde(default)]
    synonyms: Vec<String>,
}

#[derive(Deserialize)]
struct CertificationType {
    code: String,
    fr: String,
    en: String,
    description_fr: String,
    description_en: String,
}

fn seed<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let path = format!("{}/../persistence/seed/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn suggester() -> Suggester {
    let nodes: Vec<Node> = seed("taxonomy.json");
    let types: Vec<CertificationType> = seed("certifications.json");
    Suggester::new(
        nodes
            .into_iter()
            .map(|n| Entry {
                code: n.code,
                labels: [n.fr, n.en].into_iter().chain(n.synonyms).collect(),
            })
            .collect(),
        types
            .into_iter()
            .map(|t| Entry {
                code: t.code,
                labels: vec![t.fr, t.en, t.description_fr, t.description_en],
            })
            .collect(),
    )
}
