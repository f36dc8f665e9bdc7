//! Matching quality on a labelled set (`fixtures/quality.json`: the 36 regional
//! suppliers of the relevance test plus 10 more, 26 sourcing needs and 22 directory
//! searches with graded judgments, FR and EN, typos): nDCG@10 and recall@10 of
//! `CapabilityIndex::candidates` (built as the application builds it from a request)
//! and of `CapabilityIndex::search`, on the embedded engine and, when `MEILI_URL` is
//! set, on Meilisearch.
//!
//! `cargo bench -p search --bench quality`. Prints a table and each imperfect case,
//! and writes `target/bench/quality.csv` for the report of `make bench`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use search::embedded::TantivyIndex;
use search::meili::MeiliIndex;
use search::{CandidateQuery, CapabilityIndex, SearchQuery};
use serde::Deserialize;
use uuid::Uuid;

#[path = "../tests/support/fixture.rs"]
mod fixture;

const K: usize = 10;
/// Grades from which a supplier counts as relevant for recall (2 = a good alternative).
const RELEVANT: u8 = 2;

#[derive(Deserialize)]
struct LabelledSet {
    suppliers: Vec<fixture::FixtureSupplier>,
    candidates: Vec<NeedCase>,
    searches: Vec<SearchCase>,
}

#[derive(Deserialize)]
struct NeedCase {
    need: String,
    #[serde(default)]
    capabilities: Vec<String>,
    #[serde(default)]
    certifications: Vec<String>,
    #[serde(default)]
    sectors: Vec<String>,
    region: Option<String>,
    text: Option<String>,
    grades: BTreeMap<String, u8>,
}

#[derive(Deserialize)]
struct SearchCase {
    text: Option<String>,
    #[serde(default)]
    capabilities: Vec<String>,
    #[serde(default)]
    certifications: Vec<String>,
    #[serde(default)]
    regions: Vec<String>,
    grades: BTreeMap<String, u8>,
}

/// Scores of one case.
struct Scored {
    label: String,
    ndcg: f64,
    recall: f64,
    top: Vec<String>,
}

#[derive(Default)]
struct Summary {
    rows: Vec<(String, String, f64, f64, usize)>,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut set: LabelledSet = fixture::read_json(&format!(
        "{}/fixtures/quality.json",
        env!("CARGO_MANIFEST_DIR")
    ));
    let mut suppliers = fixture::regional_suppliers();
    suppliers.append(&mut set.suppliers);
    let supplier_count = suppliers.len();
    let (docs, keys) = fixture::documents(suppliers);
    println!(
        "matching quality: {supplier_count} suppliers, {} needs, {} searches, @{K}",
        set.candidates.len(),
        set.searches.len()
    );

    let mut summary = Summary::default();
    let dir = tempfile::tempdir().expect("temp dir");
    let embedded = TantivyIndex::open(dir.path()).expect("open index");
    evaluate(&embedded, &set, &docs, &keys, &mut summary).await;

    match std::env::var("MEILI_URL") {
        Ok(url) => {
            let key = std::env::var("MEILI_MASTER_KEY").ok();
            let prefix = format!("quality_{}_", Uuid::new_v4().simple());
            let meili = MeiliIndex::new(&url, key, &prefix).expect("client");
            meili.bootstrap().await.expect("bootstrap");
            evaluate(&meili, &set, &docs, &keys, &mut summary).await;
            meili.delete_index().await.expect("delete bench index");
        }
        Err(_) => println!("meilisearch: not measured (MEILI_URL not set)"),
    }

    let mut csv = String::from("engine,kind,ndcg_at_10,recall_at_10,cases\n");
    for (engine, kind, ndcg, recall, cases) in &summary.rows {
        let _ = writeln!(csv, "{engine},{kind},{ndcg:.3},{recall:.3},{cases}");
    }
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&out).expect("create target/bench");
    std::fs::write(out.join("quality.csv"), csv).expect("write quality.csv");
}

/// Loads `docs` into `index` and scores its candidates and searches on `set`'s cases.
async fn evaluate(
    index: &dyn CapabilityIndex,
    set: &LabelledSet,
    docs: &[search::SupplierDocument],
    keys: &HashMap<Uuid, String>,
    summary: &mut Summary,
) {
    index.clear().await.expect("clear");
    index.upsert(docs.to_vec()).await.expect("upsert");
    let now = fixture::timestamp("2026-06-01");
    let key_of = |id: &Uuid| keys.get(id).cloned().unwrap_or_else(|| "?".to_owned());

    let mut scored = Vec::new();
    for case in &set.candidates {
        let found = index
            .candidates(CandidateQuery {
                capabilities: case.capabilities.clone(),
                certifications: case.certifications.clone(),
                sectors: case.sectors.clone(),
                region: case.region.clone(),
                text: case.text.clone(),
                now,
                limit: K,
            })
            .await
            .expect("candidates");
        let top: Vec<String> = found.iter().map(|c| key_of(&c.id)).collect();
        scored.push(score(case.need.clone(), top, &case.grades));
    }
    report(index.engine_name(), "candidates", &scored, summary);

    let mut scored = Vec::new();
    for case in &set.searches {
        let query = SearchQuery {
            text: case.text.clone(),
            capabilities: case.capabilities.clone(),
            certifications: case.certifications.clone(),
            regions: case.regions.clone(),
            now,
            limit: K,
            ..SearchQuery::default()
        };
        let label = format!(
            "{} {:?}{:?}{:?}",
            case.text.as_deref().unwrap_or("(filters)"),
            case.capabilities,
            case.certifications,
            case.regions
        );
        let found = index.search(query).await.expect("search");
        let top: Vec<String> = found.hits.iter().map(|h| key_of(&h.id)).collect();
        scored.push(score(label, top, &case.grades));
    }
    report(index.engine_name(), "directory search", &scored, summary);
}

/// nDCG@K with gains 2^grade - 1, and recall@K of the grades >= `RELEVANT`.
fn score(label: String, top: Vec<String>, grades: &BTreeMap<String, u8>) -> Scored {
    let gain = |grade: u8| f64::from((1u32 << grade) - 1);
    let discount = |rank: usize| (rank as f64 + 2.0).log2();
    let dcg: f64 = top
        .iter()
        .take(K)
        .enumerate()
        .map(|(rank, key)| gain(grades.get(key).copied().unwrap_or(0)) / discount(rank))
        .sum();
    let mut ideal: Vec<u8> = grades.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(K)
        .enumerate()
        .map(|(rank, grade)| gain(*grade) / discount(rank))
        .sum();
    let relevant: Vec<&String> = grades
        .iter()
        .filter(|(_, grade)| **grade >= RELEVANT)
        .map(|(key, _)| key)
        .collect();
    let found = relevant
        .iter()
        .filter(|key| top.iter().take(K).any(|t| t == **key))
        .count();
    Scored {
        label,
        ndcg: if idcg > 0.0 { dcg / idcg } else { 1.0 },
        recall: if relevant.is_empty() {
            1.0
        } else {
            found as f64 / relevant.len().min(K) as f64
        },
        top,
    }
}

fn report(engine: &str, kind: &str, scored: &[Scored], summary: &mut Summary) {
    let n = scored.len() as f64;
    let ndcg = scored.iter().map(|s| s.ndcg).sum::<f64>() / n;
    let recall = scored.iter().map(|s| s.recall).sum::<f64>() / n;
    println!(
        "{engine:<12} {kind:<17} nDCG@{K} {ndcg:.3}  recall@{K} {recall:.3}  ({} cases)",
        scored.len()
    );
    for case in scored.iter().filter(|s| s.ndcg < 0.999 || s.recall < 0.999) {
        println!(
            "    {:.2}/{:.2} {}: {:?}",
            case.ndcg,
            case.recall,
            case.label,
            case.top.iter().take(6).collect::<Vec<_>>()
        );
    }
    summary.rows.push((
        engine.to_owned(),
        kind.to_owned(),
        ndcg,
        recall,
        scored.len(),
    ));
}
