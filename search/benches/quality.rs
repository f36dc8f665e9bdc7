//! Matching quality on a labelled set (`fixtures/quality.json`: the 36 regional
//! suppliers of the relevance test plus 10 more; sourcing needs of two kinds, `exact`
//! and `adjacent` (good suppliers hold a parent or sibling capability); directory
//! searches of two kinds, `short` keyword queries and `sentence` queries typed the way
//! buyers write; free-text needs labelled with the capabilities they mean, for the
//! capability suggestions) with graded judgments, FR and EN, typos.
//!
//! Reports nDCG@10, recall@10 and the zero-hit rate of `CapabilityIndex::candidates`
//! (built as the application builds it from a request) and of
//! `CapabilityIndex::search`, per kind, on the embedded engine and, when `MEILI_URL`
//! is set, on Meilisearch through the adapter and on a bare Meilisearch index
//! (`meilisearch-bare`: default settings but the filterable attributes the cases
//! filter on, same documents, same searches, default matching strategy) as the
//! reference an engine with no tuning gives.
//!
//! `cargo bench -p search --bench quality`. Prints a table and each imperfect case,
//! and writes `target/bench/quality.csv` for the report of `make bench`.
//! `QUALITY_SET=path` (absolute, or relative to `search/`) reads another
//! labelled set of the same shape instead: `fixtures/later/set-a.json` to
//! `set-g.json` were each written fresh, from the profiles and catalogues
//! alone, to check that tuning on the committed set generalises, and were
//! run blind once (BENCHMARKS.md); they guard against regressions since.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::time::Duration;

use meilisearch_sdk::client::Client;
use search::embedded::TantivyIndex;
use search::meili::MeiliIndex;
use search::suggest::{Suggester, SuggestionKind};
use search::{CandidateQuery, CapabilityIndex, SearchQuery, SupplierDocument};
use serde::Deserialize;
use uuid::Uuid;

#[path = "../tests/support/fixture.rs"]
mod fixture;
#[path = "support/seeded.rs"]
mod seeded;

const K: usize = 10;
/// Grades from which a supplier counts as relevant for recall (2 = a good alternative).
const RELEVANT: u8 = 2;
/// The clock of every query.
const NOW: &str = "2026-06-01";
/// Kinds, in report order.
const NEED_KINDS: [&str; 2] = ["exact", "adjacent"];
const SEARCH_KINDS: [&str; 2] = ["short", "sentence"];

#[derive(Deserialize)]
struct LabelledSet {
    suppliers: Vec<fixture::FixtureSupplier>,
    candidates: Vec<NeedCase>,
    searches: Vec<SearchCase>,
    suggestions: Vec<SuggestionCase>,
}

#[derive(Deserialize)]
struct NeedCase {
    need: String,
    /// `exact` or `adjacent`.
    kind: String,
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
    /// `short` or `sentence`.
    kind: String,
    text: Option<String>,
    #[serde(default)]
    capabilities: Vec<String>,
    #[serde(default)]
    certifications: Vec<String>,
    #[serde(default)]
    regions: Vec<String>,
    grades: BTreeMap<String, u8>,
}

impl SearchCase {
    fn label(&self) -> String {
        format!(
            "{} {:?}{:?}{:?}",
            self.text.as_deref().unwrap_or("(filters)"),
            self.capabilities,
            self.certifications,
            self.regions
        )
    }
}

/// A free-text need and the taxonomy codes it most likely means (best first), with
/// the certifications it names.
#[derive(Deserialize)]
struct SuggestionCase {
    text: String,
    capabilities: Vec<String>,
    certifications: Vec<String>,
}

/// Scores of one case.
struct Scored {
    kind: String,
    label: String,
    ndcg: f64,
    recall: f64,
    /// Keys of the suppliers returned, best first.
    top: Vec<String>,
}

struct Row {
    engine: String,
    kind: String,
    ndcg: f64,
    recall: f64,
    cases: usize,
    zero_hit_rate: f64,
}

#[derive(Default)]
struct Summary {
    rows: Vec<Row>,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let path = std::env::var("QUALITY_SET")
        .unwrap_or_else(|_| format!("{}/fixtures/quality.json", env!("CARGO_MANIFEST_DIR")));
    let mut set: LabelledSet = fixture::read_json(&path);
    check_kinds(&set);
    let mut suppliers = fixture::regional_suppliers();
    suppliers.append(&mut set.suppliers);
    let supplier_count = suppliers.len();
    let (docs, keys) = fixture::documents(suppliers);
    println!(
        "matching quality: {supplier_count} suppliers, {} needs ({}), {} searches ({}), @{K}",
        set.candidates.len(),
        count_kinds(set.candidates.iter().map(|c| c.kind.as_str())),
        set.searches.len(),
        count_kinds(set.searches.iter().map(|s| s.kind.as_str())),
    );
    let suggester = seeded::suggester();
    score_suggestions(&suggester, &set.suggestions);

    let mut summary = Summary::default();
    let dir = tempfile::tempdir().expect("temp dir");
    let embedded = TantivyIndex::open(dir.path()).expect("open index");
    evaluate(&embedded, &suggester, &set, &docs, &keys, &mut summary).await;

    match std::env::var("MEILI_URL") {
        Ok(url) => {
            let key = std::env::var("MEILI_MASTER_KEY").ok();
            let prefix = format!("quality_{}_", Uuid::new_v4().simple());
            let meili = MeiliIndex::new(&url, key.clone(), &prefix).expect("client");
            meili.bootstrap().await.expect("bootstrap");
            evaluate(&meili, &suggester, &set, &docs, &keys, &mut summary).await;
            meili.delete_index().await.expect("delete bench index");
            evaluate_bare_meili(&url, key, &set, &docs, &keys, &mut summary).await;
        }
        Err(_) => println!("meilisearch: not measured (MEILI_URL not set)"),
    }

    let mut csv = String::from("engine,kind,ndcg_at_10,recall_at_10,cases,zero_hit_rate\n");
    for row in &summary.rows {
        let _ = writeln!(
            csv,
            "{},{},{:.3},{:.3},{},{:.3}",
            row.engine, row.kind, row.ndcg, row.recall, row.cases, row.zero_hit_rate
        );
    }
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&out).expect("create target/bench");
    std::fs::write(out.join("quality.csv"), csv).expect("write quality.csv");
}

/// Every case has a known kind, so none silently drops out of the report.
fn check_kinds(set: &LabelledSet) {
    for case in &set.candidates {
        assert!(
            NEED_KINDS.contains(&case.kind.as_str()),
            "need {:?}: kind {:?} is not one of {NEED_KINDS:?}",
            case.need,
            case.kind
        );
    }
    for case in &set.searches {
        assert!(
            SEARCH_KINDS.contains(&case.kind.as_str()),
            "search {}: kind {:?} is not one of {SEARCH_KINDS:?}",
            case.label(),
            case.kind
        );
    }
}

fn count_kinds<'a>(kinds: impl Iterator<Item = &'a str>) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for kind in kinds {
        *counts.entry(kind).or_default() += 1;
    }
    counts
        .iter()
        .map(|(kind, count)| format!("{count} {kind}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Capability suggestions on the labelled needs, from the seeded catalogue built
/// as the application builds it: the share of needs whose first expected
/// capability is among the first three capability suggestions, and the share of
/// named certifications among the suggestions.
fn score_suggestions(suggester: &Suggester, suggestions: &[SuggestionCase]) {
    let mut top3 = 0;
    let mut named = 0;
    let mut found = 0;
    let mut misses = Vec::new();
    for case in suggestions {
        let suggested = suggester.suggest(&case.text, 10);
        let capabilities: Vec<&str> = suggested
            .iter()
            .filter(|s| s.kind == SuggestionKind::Capability)
            .map(|s| s.code.as_str())
            .collect();
        let wanted = case.capabilities.first().map(String::as_str);
        if wanted.is_some_and(|wanted| capabilities.iter().take(3).any(|c| *c == wanted)) {
            top3 += 1;
        } else {
            misses.push(format!(
                "    {:?}: {:?}",
                case.text,
                &capabilities[..capabilities.len().min(3)]
            ));
        }
        for code in &case.certifications {
            named += 1;
            if suggested
                .iter()
                .any(|s| s.kind == SuggestionKind::Certification && s.code == *code)
            {
                found += 1;
            }
        }
    }
    println!(
        "suggester    suggestions       top-3 {:.3}  certifications named {:.3}  ({} needs)",
        top3 as f64 / suggestions.len().max(1) as f64,
        found as f64 / named.max(1) as f64,
        suggestions.len()
    );
    for miss in misses {
        println!("{miss}");
    }
}

/// Loads `docs` into `index` and scores its candidates and searches on `set`'s cases.
async fn evaluate(
    index: &dyn CapabilityIndex,
    suggester: &Suggester,
    set: &LabelledSet,
    docs: &[SupplierDocument],
    keys: &HashMap<Uuid, String>,
    summary: &mut Summary,
) {
    index.clear().await.expect("clear");
    index.upsert(docs.to_vec()).await.expect("upsert");
    let now = fixture::timestamp(NOW);
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
                named_capabilities: case
                    .text
                    .as_deref()
                    .map(|text| suggester.named_capabilities(text))
                    .unwrap_or_default(),
                now,
                limit: K,
            })
            .await
            .expect("candidates");
        let top: Vec<String> = found.iter().map(|c| key_of(&c.id)).collect();
        scored.push(score(&case.kind, case.need.clone(), top, &case.grades));
    }
    for kind in NEED_KINDS {
        report(
            index.engine_name(),
            &format!("candidates {kind}"),
            &of_kind(&scored, kind),
            summary,
        );
    }
    report(
        index.engine_name(),
        "candidates",
        &scored.iter().collect::<Vec<_>>(),
        summary,
    );

    let mut scored = Vec::new();
    for case in &set.searches {
        let named = case
            .text
            .as_deref()
            .map(|text| suggester.named(text))
            .unwrap_or_default();
        let query = SearchQuery {
            text: case.text.clone(),
            named_capabilities: named.capabilities,
            named_certifications: named.certifications,
            capabilities: case.capabilities.clone(),
            certifications: case.certifications.clone(),
            regions: case.regions.clone(),
            now,
            limit: K,
            ..SearchQuery::default()
        };
        let found = index.search(query).await.expect("search");
        let top: Vec<String> = found.hits.iter().map(|h| key_of(&h.id)).collect();
        scored.push(score(&case.kind, case.label(), top, &case.grades));
    }
    report_searches(index.engine_name(), &scored, summary);
}

/// The same searches on a Meilisearch index left at its defaults: no searchable
/// attributes order, ranking rules, synonyms, stop words or typo settings, the default
/// matching strategy; only the filterable attributes the cases filter on. Documents are
/// `SupplierDocument`s as JSON, `id` the primary key.
async fn evaluate_bare_meili(
    url: &str,
    key: Option<String>,
    set: &LabelledSet,
    docs: &[SupplierDocument],
    keys: &HashMap<Uuid, String>,
    summary: &mut Summary,
) {
    const ENGINE: &str = "meilisearch-bare";
    let interval = Some(Duration::from_millis(20));
    let timeout = Some(Duration::from_secs(120));
    let client = Client::new(url, key).expect("client");
    let uid = format!("quality_bare_{}", Uuid::new_v4().simple());
    client
        .create_index(&uid, Some("id"))
        .await
        .expect("create bare index")
        .wait_for_completion(&client, interval, timeout)
        .await
        .expect("bare index created");
    let index = client.index(&uid);

    let mut filterable = BTreeSet::new();
    for case in &set.searches {
        if !case.capabilities.is_empty() {
            filterable.insert("capability_codes");
        }
        if !case.regions.is_empty() {
            filterable.insert("region");
        }
        if !case.certifications.is_empty() {
            filterable.extend([
                "certifications.code",
                "certifications.valid_from",
                "certifications.valid_until",
            ]);
        }
    }
    if !filterable.is_empty() {
        index
            .set_filterable_attributes(&filterable)
            .await
            .expect("filterable attributes")
            .wait_for_completion(&client, interval, timeout)
            .await
            .expect("filterable attributes applied");
    }
    let task = index
        .add_documents(docs, Some("id"))
        .await
        .expect("add documents")
        .wait_for_completion(&client, interval, timeout)
        .await
        .expect("documents indexed");
    assert!(task.is_success(), "bare index: documents failed: {task:?}");

    let now = fixture::timestamp(NOW);
    warn_flattened_certificates(set, docs, now);
    let key_of = |id: &Uuid| keys.get(id).cloned().unwrap_or_else(|| "?".to_owned());
    let mut scored = Vec::new();
    for case in &set.searches {
        let filter = bare_filter(case, now);
        let mut search = index.search();
        search.with_limit(K);
        if let Some(text) = case.text.as_deref() {
            search.with_query(text);
        }
        if let Some(filter) = filter.as_deref() {
            search.with_filter(filter);
        }
        let found = search
            .execute::<BareHit>()
            .await
            .unwrap_or_else(|err| panic!("bare search {}: {err}", case.label()));
        let top: Vec<String> = found.hits.iter().map(|h| key_of(&h.result.id)).collect();
        scored.push(score(&case.kind, case.label(), top, &case.grades));
    }
    report_searches(ENGINE, &scored, summary);

    client
        .delete_index(&uid)
        .await
        .expect("delete bare index")
        .wait_for_completion(&client, interval, timeout)
        .await
        .expect("bare index deleted");
}

#[derive(Deserialize)]
struct BareHit {
    id: Uuid,
}

/// The case's filters on plain `SupplierDocument` fields. Meilisearch flattens the
/// array of certificates, so a validity check pairs any certificate's start with any
/// one's end; `warn_flattened_certificates` says when that changes an answer.
fn bare_filter(case: &SearchCase, now: i64) -> Option<String> {
    let quoted = |values: &[String]| {
        values
            .iter()
            .map(|value| serde_json::to_string(value).expect("quote"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut clauses = Vec::new();
    if !case.capabilities.is_empty() {
        clauses.push(format!(
            "capability_codes IN [{}]",
            quoted(&case.capabilities)
        ));
    }
    if !case.regions.is_empty() {
        clauses.push(format!("region IN [{}]", quoted(&case.regions)));
    }
    for code in &case.certifications {
        clauses.push(format!(
            "(certifications.code = {} AND certifications.valid_from <= {now} AND \
             certifications.valid_until > {now})",
            quoted(std::slice::from_ref(code))
        ));
    }
    (!clauses.is_empty()).then(|| clauses.join(" AND "))
}

/// Prints the suppliers for which the flattened certificate filter of the bare index
/// disagrees with the real validity check on a certification the cases filter on.
fn warn_flattened_certificates(set: &LabelledSet, docs: &[SupplierDocument], now: i64) {
    let codes: BTreeSet<&str> = set
        .searches
        .iter()
        .flat_map(|case| case.certifications.iter().map(String::as_str))
        .collect();
    for code in codes {
        for doc in docs {
            let exact = doc
                .certifications
                .iter()
                .any(|cert| cert.code == code && cert.is_valid_at(now));
            let flattened = doc.certifications.iter().any(|cert| cert.code == code)
                && doc.certifications.iter().any(|cert| cert.valid_from <= now)
                && doc.certifications.iter().any(|cert| cert.valid_until > now);
            if exact != flattened {
                println!(
                    "    note: meilisearch-bare treats {}'s {code} as {}",
                    doc.name,
                    if flattened { "valid" } else { "invalid" }
                );
            }
        }
    }
}

fn of_kind<'a>(scored: &'a [Scored], kind: &str) -> Vec<&'a Scored> {
    scored.iter().filter(|s| s.kind == kind).collect()
}

fn report_searches(engine: &str, scored: &[Scored], summary: &mut Summary) {
    for kind in SEARCH_KINDS {
        report(
            engine,
            &format!("directory search {kind}"),
            &of_kind(scored, kind),
            summary,
        );
    }
}

/// nDCG@K with gains 2^grade - 1, and recall@K of the grades >= `RELEVANT`.
fn score(kind: &str, label: String, top: Vec<String>, grades: &BTreeMap<String, u8>) -> Scored {
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
        kind: kind.to_owned(),
        label,
        // `+ 0.0` turns the -0.0 of an empty sum into 0.0.
        ndcg: if idcg > 0.0 { dcg / idcg + 0.0 } else { 1.0 },
        recall: if relevant.is_empty() {
            1.0
        } else {
            found as f64 / relevant.len().min(K) as f64
        },
        top,
    }
}

fn report(engine: &str, kind: &str, scored: &[&Scored], summary: &mut Summary) {
    if scored.is_empty() {
        return;
    }
    let n = scored.len() as f64;
    let ndcg = scored.iter().map(|s| s.ndcg).sum::<f64>() / n;
    let recall = scored.iter().map(|s| s.recall).sum::<f64>() / n;
    let zero_hits = scored.iter().filter(|s| s.top.is_empty()).count();
    let zero_hit_rate = zero_hits as f64 / n;
    println!(
        "{engine:<16} {kind:<26} nDCG@{K} {ndcg:.3}  recall@{K} {recall:.3}  zero-hit {:>5.1} %  ({} cases)",
        zero_hit_rate * 100.0,
        scored.len()
    );
    // The overall candidates row repeats the cases already listed per kind.
    if kind != "candidates" {
        for case in scored.iter().filter(|s| s.ndcg < 0.999 || s.recall < 0.999) {
            println!(
                "    {:.2}/{:.2} {}: {}",
                case.ndcg,
                case.recall,
                case.label,
                if case.top.is_empty() {
                    "0 hits".to_owned()
                } else {
                    format!("{:?}", case.top.iter().take(6).collect::<Vec<_>>())
                }
            );
        }
    }
    summary.rows.push(Row {
        engine: engine.to_owned(),
        kind: kind.to_owned(),
        ndcg,
        recall,
        cases: scored.len(),
        zero_hit_rate,
    });
}
