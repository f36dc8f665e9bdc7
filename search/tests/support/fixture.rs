//! The fixture catalogue as the application would index it, shared by the relevance
//! test and the quality bench.

use std::collections::{BTreeSet, HashMap};

use search::{CertificationDoc, SupplierDocument};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize)]
pub struct FixtureSupplier {
    pub key: String,
    name: String,
    description_fr: String,
    description_en: String,
    capabilities: Vec<String>,
    capability_details: Vec<String>,
    certifications: Vec<FixtureCertification>,
    sectors: Vec<String>,
    region: String,
    department: String,
    city: String,
    country: String,
    member: bool,
    equipment: Vec<String>,
    updated_at: String,
}

#[derive(Deserialize)]
struct FixtureCertification {
    code: String,
    valid_from: String,
    valid_until: String,
}

#[derive(Deserialize)]
struct TaxonomyEntry {
    code: String,
    fr: String,
    en: String,
    synonyms: Vec<String>,
}

/// The regional suppliers of `fixtures/suppliers.json`.
pub fn regional_suppliers() -> Vec<FixtureSupplier> {
    read_json(&format!(
        "{}/fixtures/suppliers.json",
        env!("CARGO_MANIFEST_DIR")
    ))
}

/// The suppliers as the application would index them: capability codes expanded with
/// their ancestors, labels and synonyms of every code in both languages. Ids follow
/// the order of `suppliers`; the map gives each id's fixture key.
pub fn documents(
    suppliers: Vec<FixtureSupplier>,
) -> (Vec<SupplierDocument>, HashMap<Uuid, String>) {
    let root = env!("CARGO_MANIFEST_DIR");
    let taxonomy: Vec<TaxonomyEntry> =
        read_json(&format!("{root}/../persistence/seed/taxonomy.json"));
    let taxonomy: HashMap<&str, &TaxonomyEntry> = taxonomy
        .iter()
        .map(|entry| (entry.code.as_str(), entry))
        .collect();

    let mut keys = HashMap::new();
    let docs = suppliers
        .into_iter()
        .enumerate()
        .map(|(position, supplier)| {
            let id = Uuid::from_u128(1_000 + position as u128);
            keys.insert(id, supplier.key.clone());
            let codes: BTreeSet<String> = supplier
                .capabilities
                .iter()
                .flat_map(|code| with_ancestors(code))
                .collect();
            let capability_labels = codes
                .iter()
                .flat_map(|code| {
                    let entry = taxonomy
                        .get(code.as_str())
                        .unwrap_or_else(|| panic!("{code} is not in the taxonomy"));
                    [entry.fr.clone(), entry.en.clone()]
                        .into_iter()
                        .chain(entry.synonyms.iter().cloned())
                })
                .collect();
            SupplierDocument {
                id,
                name: supplier.name,
                description_fr: supplier.description_fr,
                description_en: supplier.description_en,
                capability_codes: codes.into_iter().collect(),
                capability_labels,
                capability_details: supplier.capability_details,
                certifications: supplier
                    .certifications
                    .into_iter()
                    .map(|cert| CertificationDoc {
                        code: cert.code,
                        valid_from: timestamp(&cert.valid_from),
                        valid_until: timestamp(&cert.valid_until),
                        verified: false,
                    })
                    .collect(),
                sectors: supplier.sectors,
                region: supplier.region,
                department: supplier.department,
                city: supplier.city,
                country: supplier.country,
                member: supplier.member,
                equipment: supplier.equipment,
                updated_at: timestamp(&supplier.updated_at),
            }
        })
        .collect();
    (docs, keys)
}

/// "a.b.c" -> "a", "a.b", "a.b.c".
fn with_ancestors(code: &str) -> Vec<String> {
    code.match_indices('.')
        .map(|(end, _)| code[..end].to_owned())
        .chain([code.to_owned()])
        .collect()
}

pub fn read_json<T: serde::de::DeserializeOwned>(path: &str) -> T {
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{path}: {err}"));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// Midnight UTC of a `YYYY-MM-DD` date, in unix seconds.
pub fn timestamp(date: &str) -> i64 {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .unwrap_or_else(|err| panic!("{date}: {err}"))
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
        .timestamp()
}
