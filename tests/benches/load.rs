//! `make bench`: the release `pmt` server on a throwaway PostgreSQL cluster
//! (with Meilisearch when `MEILI_URL` is set, the embedded index otherwise),
//! loaded with `SCALE` generated suppliers (default 10 000, imported with
//! `pmt admin import-suppliers`) and `REQUESTS` sourcing requests (default
//! 5 000, created through the API), then measured:
//!
//! - throughput and p50/p99 latency of login, get one request, list a page
//!   of requests, directory search, candidates and submitting a quote, with
//!   `CONCURRENCY` workers (default 16) for `BENCH_SECONDS` (default 10);
//! - two baselines in the same run: `baseline_server` (bare actix-web +
//!   diesel reading one row by primary key) and the index queried directly
//!   with the directory's searches;
//! - import, index catch-up and full reindex time; delay from an approved
//!   profile change to the change being searchable; start-up time; RSS idle
//!   and under load;
//! - abuse: RSS growth and `/metrics` size after 2 000 requests with random
//!   16 KB method names, each answered 405 (issue 14: within 20 MB of idle,
//!   under 100 KB).
//!
//! - documents (issue 17): a 20 MiB file uploaded and downloaded through the
//!   API against a copy of it on the same disk, and the server's RSS during
//!   the transfers;
//! - webhooks (issue 16): event to delivery p50/p99 with a receiver up, and
//!   deliveries per second; then the change feed's page latency once
//!   `EVENTS` events (default 1 000 000) were inserted in SQL;
//! - publications (issue 19): the booklet of about 1 000 suppliers (time to
//!   the PDF, the server's RSS), the capability map at the run's scale, and
//!   the activity report over `ACTIVITY_REQUESTS` requests (default
//!   100 000, the synthetic ones inserted in SQL and removed after).
//!
//! `BENCH_SUMMARY_ONLY=1` skips the run and only rebuilds the summary.
//!
//! Writes `target/bench/load-<engine>-<scale>.{md,csv}` and rebuilds
//! `BENCHMARKS.md` and `bench-results.csv` at the repository root from every
//! run found there plus `target/bench/quality.csv` (the quality bench).
//! Needs `PMT_BIN` (the Makefile passes the release binary).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::Client;
use search::embedded::TantivyIndex;
use search::meili::MeiliIndex;
use search::{CapabilityIndex, SearchQuery};
use serde::Deserialize;
use serde_json::{Value, json};
use tests::directory::{iso_13485, micro_machining_profile};
use tests::load::{self, Figures, RssSampler, percentile, rss_bytes};
use tests::server::{PASSWORD, siret};
use tests::sourcing::{quote, titanium_request};
use tests::{Backend, TestApp};
use tokio::io::{AsyncBufReadExt, BufReader};

#[path = "load/documents.rs"]
mod documents;
#[path = "load/feed.rs"]
mod feed;
#[path = "../../search/benches/support/generator.rs"]
mod generator;
#[path = "load/publications.rs"]
mod publications;
#[path = "../../search/benches/support/seeded.rs"]
mod seeded;
#[path = "load/webhooks.rs"]
mod webhooks;
use generator::{CERTIFICATIONS, NAMES, Rng, SECTORS, SUFFIXES};

const BFC: &str = "Bourgogne-Franche-Comté";
/// Quoting suppliers and the open requests they are invited to.
const QUOTERS: u32 = 6;
const OPEN_REQUESTS: usize = 12;
const BUYERS: usize = 20;
/// Requests submitted for review (candidates are asked for these).
const SUBMITTED: usize = 200;
const FRESHNESS_SAMPLES: u32 = 200;
/// Generous: far above what any client does, so the limiter is not measured.
const NO_LIMIT: &str = "100000000";

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

struct Settings {
    scale: usize,
    requests: usize,
    concurrency: usize,
    duration: Duration,
    warm_up: Duration,
    meili: Option<(String, Option<String>, String)>,
}

impl Settings {
    fn from_env() -> Self {
        let seconds = env_number("BENCH_SECONDS", 10) as u64;
        Self {
            scale: env_number("SCALE", 10_000),
            requests: env_number("REQUESTS", 5_000),
            concurrency: env_number("CONCURRENCY", 16),
            duration: Duration::from_secs(seconds),
            warm_up: Duration::from_secs((seconds / 5).max(1)),
            meili: std::env::var("MEILI_URL").ok().map(|url| {
                (
                    url,
                    std::env::var("MEILI_MASTER_KEY").ok(),
                    format!("bench_{}_", uuid::Uuid::new_v4().simple()),
                )
            }),
        }
    }

    fn engine(&self) -> &'static str {
        if self.meili.is_some() {
            "meilisearch"
        } else {
            "embedded"
        }
    }

    /// The server's (and admin commands') environment beyond the harness's.
    fn server_env(&self) -> Vec<(String, String)> {
        let mut env: Vec<(String, String)> = [
            // Logins are measured at the production cost.
            ("PASSWORD_HASH_COST", "standard"),
            ("DATABASE_POOL_SIZE", "8"),
            ("AUTH_RATE_LIMIT_PER_MINUTE", NO_LIMIT),
            ("RATE_LIMIT_PER_MINUTE", NO_LIMIT),
            ("RUST_LOG", "error"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        if let Some((url, key, prefix)) = &self.meili {
            env.push(("MEILI_URL".into(), url.clone()));
            env.push(("MEILI_INDEX_PREFIX".into(), prefix.clone()));
            if let Some(key) = key {
                env.push(("MEILI_MASTER_KEY".into(), key.clone()));
            }
        }
        env
    }
}

/// One line of the report: a figure, and its ratio to a baseline if any.
struct Row {
    section: &'static str,
    name: String,
    value: f64,
    unit: &'static str,
    note: String,
}

#[derive(Default)]
struct Report {
    rows: Vec<Row>,
}

impl Report {
    fn add(
        &mut self,
        section: &'static str,
        name: &str,
        value: f64,
        unit: &'static str,
        note: &str,
    ) {
        println!("{section:<10} {name:<48} {value:>10.2} {unit:<6} {note}");
        self.rows.push(Row {
            section,
            name: name.to_owned(),
            value,
            unit,
            note: note.to_owned(),
        });
    }

    fn load(&mut self, figures: &Figures, note: &str) {
        let errors = if figures.errors > 0 {
            format!("{} errors; ", figures.errors)
        } else {
            String::new()
        };
        let note = format!("{errors}{note}");
        self.add(
            "load",
            &format!("{} throughput", figures.name),
            figures.throughput(),
            "req/s",
            &note,
        );
        self.add(
            "load",
            &format!("{} p50", figures.name),
            figures.p50_ms(),
            "ms",
            "",
        );
        self.add(
            "load",
            &format!("{} p99", figures.name),
            figures.p99_ms(),
            "ms",
            "",
        );
    }
}

#[derive(Deserialize)]
struct Node {
    code: String,
    fr: String,
    en: String,
}

const MATERIALS: &[(&str, &str)] = &[
    ("titane", "titanium"),
    ("inox 316L", "316L stainless steel"),
    ("PEEK", "PEEK"),
    ("cobalt-chrome", "cobalt-chrome"),
    ("silicone", "silicone"),
    ("polycarbonate", "polycarbonate"),
    ("nitinol", "nitinol"),
    ("céramique", "ceramic"),
];
/// (city, postal code, department, region)
const PLACES: &[(&str, &str, &str, &str)] = &[
    ("Besançon", "25000", "25", BFC),
    ("Dijon", "21000", "21", BFC),
    ("Dole", "39100", "39", BFC),
    ("Belfort", "90000", "90", BFC),
    ("Chalon-sur-Saône", "71100", "71", BFC),
    ("Vesoul", "70000", "70", BFC),
    ("Auxerre", "89000", "89", BFC),
    ("Oyonnax", "01100", "01", "Auvergne-Rhône-Alpes"),
    ("Lyon", "69003", "69", "Auvergne-Rhône-Alpes"),
    ("Mulhouse", "68100", "68", "Grand Est"),
];

/// The capability leaves of the seeded taxonomy.
fn taxonomy_leaves() -> Vec<Node> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../persistence/seed/taxonomy.json");
    let text = std::fs::read_to_string(&path).expect("read taxonomy.json");
    let nodes: Vec<Node> = serde_json::from_str(&text).expect("parse taxonomy.json");
    nodes.into_iter().filter(|n| n.code.contains('.')).collect()
}

fn csv_field(value: &str) -> String {
    format!("\"{}\"", value.replace('"', "\"\""))
}

/// `count` realistic suppliers as an import CSV: 1 to 3 capabilities, 0 to 2
/// certificates (some expired), 1 or 2 sectors, FR and EN descriptions (a
/// third of them in one language only), ten places in three regions.
fn suppliers_csv(count: usize, leaves: &[Node]) -> String {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut csv = String::from(
        "legal_name,siret,street,postal_code,city,department,region,membership,description_fr,description_en,capabilities,sectors,certifications\n",
    );
    for i in 0..count {
        let chosen: Vec<&Node> = (0..1 + rng.below(3)).map(|_| rng.pick(leaves)).collect();
        let mut codes: Vec<&str> = chosen.iter().map(|n| n.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        let (city, postal, department, region) = *rng.pick(PLACES);
        let (material_fr, material_en) = *rng.pick(MATERIALS);
        let fr: Vec<&str> = chosen.iter().map(|n| n.fr.as_str()).collect();
        let en: Vec<&str> = chosen.iter().map(|n| n.en.as_str()).collect();
        let language = rng.below(3);
        let description_fr = if language == 2 {
            String::new()
        } else {
            format!(
                "{} à {city} pour les dispositifs médicaux : pièces en {material_fr}, du prototype à la série.",
                fr.join(", ")
            )
        };
        let description_en = if language == 1 {
            String::new()
        } else {
            format!(
                "{} in {city} for medical devices: {material_en} parts, from prototypes to production runs.",
                en.join(", ")
            )
        };
        let mut sectors = vec![*rng.pick(SECTORS)];
        if rng.below(2) == 0 {
            sectors.push(*rng.pick(SECTORS));
        }
        sectors.sort_unstable();
        sectors.dedup();
        let mut certificates: Vec<String> = Vec::new();
        let mut held: Vec<&str> = Vec::new();
        for _ in 0..rng.below(3) {
            let code = *rng.pick(CERTIFICATIONS);
            if held.contains(&code) {
                continue;
            }
            held.push(code);
            let from_year = 2022 + rng.below(4);
            certificates.push(format!(
                "{code}|{from_year}-03-01|{}-02-28|GMED|Production",
                from_year + 3
            ));
        }
        let name = format!("{} {} {i}", rng.pick(NAMES), rng.pick(SUFFIXES));
        let membership = if rng.below(3) > 0 {
            "member"
        } else {
            "not_member"
        };
        let _ = writeln!(
            csv,
            "{},{},{},{postal},{},{department},{},{membership},{},{},{},{},{}",
            csv_field(&name),
            siret(100_000 + i as u32),
            csv_field("1 rue de l'Industrie"),
            csv_field(city),
            csv_field(region),
            csv_field(&description_fr),
            csv_field(&description_en),
            csv_field(&codes.join(";")),
            sectors.join(";"),
            csv_field(&certificates.join(";")),
        );
    }
    csv
}

/// The directory searches measured (text and filters), as the HTTP query
/// and as the same query sent to the index directly (with what the seeded
/// suggester reads in the text, as the server sends it).
fn searches(now: i64) -> Vec<(String, SearchQuery)> {
    let suggester = seeded::suggester();
    let query = |text: &str,
                 capabilities: &[&str],
                 certifications: &[&str],
                 sectors: &[&str],
                 regions: &[&str]| {
        let list = |values: &[&str]| values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>();
        let mut http = format!("q={}", urlencode(text));
        for (name, values) in [
            ("capability", capabilities),
            ("certification", certifications),
            ("sector", sectors),
            ("region", regions),
        ] {
            if !values.is_empty() {
                let _ = write!(http, "&{name}={}", urlencode(&values.join(",")));
            }
        }
        let named = suggester.named(text);
        (
            http,
            SearchQuery {
                text: Some(text.to_owned()),
                named_capabilities: named.capabilities,
                named_certifications: named.certifications,
                capabilities: list(capabilities),
                certifications: list(certifications),
                sectors: list(sectors),
                regions: list(regions),
                now,
                limit: 20,
                ..SearchQuery::default()
            },
        )
    };
    vec![
        query("micro-usinage titane", &["machining"], &[], &[], &[BFC]),
        query("sterilisation", &[], &["iso_13485"], &["medtech"], &[]),
        query("injection moulding", &["plastics"], &[], &[], &[]),
        query("essais mécaniques", &[], &[], &["medtech"], &[BFC]),
        query("usinnage inox", &[], &[], &[], &[]),
        query(
            "cleanroom assembly",
            &["cleanroom"],
            &["iso_13485"],
            &[],
            &[],
        ),
        query("culture cellulaire", &[], &[], &["biotech"], &[]),
        query("métrologie", &["testing"], &[], &[], &["Grand Est"]),
    ]
}

/// Sentences of about 20 words, the way a buyer types a need in the
/// directory's search box: every word optional, typo tolerance on each, where
/// engines get slow. Sent over HTTP and to the index directly, one client:
/// directly as the server asks it, with the capabilities and certifications
/// the seeded suggester reads in the text, so that the gap is the server's
/// own share (reading the text included) and not a different search.
fn sentences(now: i64) -> Vec<(String, SearchQuery)> {
    let suggester = seeded::suggester();
    [
        ("usinage", "titane"),
        ("injection plastique", "PEEK"),
        ("stérilisation", "inox 316L"),
        ("contrôle dimensionnel", "aluminium"),
    ]
    .iter()
    .map(|(need, material)| {
        let text = format!(
            "Bonjour, nous recherchons un sous-traitant régional pour la {need} {material} \
             de petites séries de pièces pour un dispositif médical, avec un devis rapide"
        );
        let named = suggester.named(&text);
        (
            format!("q={}", urlencode(&text)),
            SearchQuery {
                text: Some(text),
                named_capabilities: named.capabilities,
                named_certifications: named.certifications,
                now,
                limit: 20,
                ..SearchQuery::default()
            },
        )
    })
    .collect()
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn id(body: &Value) -> String {
    body["id"].as_str().expect("id").to_owned()
}

/// A sourcing request on one of the taxonomy's capabilities.
fn generated_request(n: usize, leaves: &[Node]) -> Value {
    let leaf = &leaves[n % leaves.len()];
    let mut body = titanium_request();
    body["title"] = json!(format!("{} — lot {n}", leaf.fr));
    body["description"] = json!(format!("Besoin n° {n} : {} ({}).", leaf.fr, leaf.en));
    body["capabilities"] = json!([leaf.code]);
    body["certifications"] = if n.is_multiple_of(3) {
        json!([])
    } else {
        json!([{ "code": CERTIFICATIONS[n % CERTIFICATIONS.len()], "mandatory": n.is_multiple_of(2) }])
    };
    body["sectors"] = json!([SECTORS[n % SECTORS.len()]]);
    body["confidential"] = json!(n.is_multiple_of(4));
    body["attachments"] = json!([]);
    body
}

/// Waits until the index worker has applied every event (`/readyz`).
async fn index_caught_up(app: &TestApp) {
    for _ in 0..12_000 {
        let ready = app.get("/readyz", None).await;
        if ready.body["index_lag"] == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the index did not catch up within 10 minutes");
}

/// Runs `tasks` futures, at most `concurrency` at a time.
async fn in_parallel<T, Fut>(concurrency: usize, tasks: impl IntoIterator<Item = Fut>) -> Vec<T>
where
    Fut: std::future::Future<Output = T>,
{
    use futures::StreamExt;
    futures::stream::iter(tasks)
        .buffered(concurrency)
        .collect()
        .await
}

/// The method-name flood of issue 14: 2 000 requests with distinct 16 KB
/// extension methods (refused with 501 before metrics record them), then
/// what the server's memory and `/metrics` became.
async fn abuse(app: &TestApp, report: &mut Report) {
    let pid = app.server_pid().expect("server pid");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = rss_bytes(pid).unwrap_or(0);
    let client = app.client.clone();
    let base = app.base_url.clone();
    let refused = in_parallel(
        16,
        (0..2_000).map(|n| {
            let client = client.clone();
            let url = format!("{base}/api/v1/taxonomy");
            async move {
                let name = format!("M{n:05}{}", "X".repeat(16 * 1024 - 6));
                let method = reqwest::Method::from_bytes(name.as_bytes()).expect("method");
                client
                    .request(method, url)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().as_u16() == 405)
            }
        }),
    )
    .await
    .into_iter()
    .filter(|ok| *ok)
    .count();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = rss_bytes(pid).unwrap_or(0);
    report.add(
        "abuse",
        "RSS growth after 2 000 random 16 KB methods",
        mib(after.saturating_sub(before)),
        "MiB",
        &format!("{refused} answered 405; target < 20 MB"),
    );
    let started = Instant::now();
    let metrics = app
        .client
        .get(format!("{}/metrics", app.base_url))
        .send()
        .await
        .expect("metrics")
        .bytes()
        .await
        .expect("metrics body");
    report.add(
        "abuse",
        "/metrics size after the flood",
        metrics.len() as f64 / 1024.0,
        "KiB",
        &format!(
            "read in {:.1} ms; target < 100 KB",
            started.elapsed().as_secs_f64() * 1000.0
        ),
    );
}

struct Loaded {
    buyers: Vec<(String, String)>,
    expert: String,
    requests: Vec<(usize, String)>,
    submitted: Vec<String>,
    quoting: Vec<(String, String)>,
    quoters: Vec<(String, String)>,
}

async fn load_data(
    app: &TestApp,
    settings: &Settings,
    leaves: &[Node],
    report: &mut Report,
) -> Loaded {
    let env = settings.server_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let csv = suppliers_csv(settings.scale, leaves);
    let path = app.data_dir.path().join("bench-suppliers.csv");
    std::fs::write(&path, csv).expect("write suppliers csv");
    let started = Instant::now();
    let output = app
        .cli(
            &["admin", "import-suppliers", &path.display().to_string()],
            &env,
        )
        .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let imported = started.elapsed();
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(
        summary.contains(&format!(
            "{} created, 0 updated, 0 unchanged, 0 rejected",
            settings.scale
        )),
        "import: {summary}"
    );
    report.add(
        "load data",
        &format!("import-suppliers ({} rows)", settings.scale),
        imported.as_secs_f64(),
        "s",
        &format!(
            "{:.0} rows/s",
            settings.scale as f64 / imported.as_secs_f64()
        ),
    );
    index_caught_up(app).await;
    let caught_up = started.elapsed();
    report.add(
        "load data",
        "import + index worker caught up",
        caught_up.as_secs_f64(),
        "s",
        "",
    );
    let total = app.get("/api/v1/suppliers?limit=1", None).await;
    println!("directory total after import: {}", total.body["total"]);

    let expert = app.back_office("expert", "expert@bench.example").await;
    let buyers: Vec<(String, String)> = in_parallel(
        4,
        (0..BUYERS).map(|b| async move {
            let email = format!("buyer{b}@bench.example");
            let (token, _) = app.signed_up("buyer", &email, &siret(b as u32 + 1)).await;
            (email, token)
        }),
    )
    .await;

    let started = Instant::now();
    let requests: Vec<(usize, String)> = in_parallel(
        settings.concurrency,
        (0..settings.requests).map(|n| {
            let buyer = buyers[n % BUYERS].1.clone();
            let body = generated_request(n, leaves);
            async move {
                let created = app.post("/api/v1/requests", Some(&buyer), body).await;
                (n % BUYERS, id(created.assert_status(201)))
            }
        }),
    )
    .await;
    let elapsed = started.elapsed();
    report.add(
        "load data",
        &format!("create {} requests through the API", settings.requests),
        elapsed.as_secs_f64(),
        "s",
        &format!(
            "{:.0} req/s",
            settings.requests as f64 / elapsed.as_secs_f64()
        ),
    );
    let submitted: Vec<String> = in_parallel(
        settings.concurrency,
        requests.iter().take(SUBMITTED).map(|(buyer, request)| {
            let token = buyers[*buyer].1.clone();
            async move {
                app.step(&token, request, "submit", json!({}))
                    .await
                    .assert_status(200);
                request.clone()
            }
        }),
    )
    .await;

    // Suppliers with accounts, invited to open requests, to quote.
    let mut quoters = Vec::new();
    for n in 0..QUOTERS {
        let email = format!("quoter{n}@bench.example");
        let cert = iso_13485("2025-01-01", "2030-01-01");
        let (token, org) = app
            .published_supplier(
                &email,
                &siret(50 + n),
                micro_machining_profile(),
                &[cert],
                &expert,
            )
            .await;
        quoters.push((token, org));
    }
    index_caught_up(app).await;
    let buyer = &buyers[0].1;
    let mut open = Vec::new();
    for _ in 0..OPEN_REQUESTS {
        let created = app
            .post("/api/v1/requests", Some(buyer), titanium_request())
            .await;
        let request = id(created.assert_status(201));
        app.step(buyer, &request, "submit", json!({}))
            .await
            .assert_status(200);
        app.step(&expert, &request, "qualify", json!({}))
            .await
            .assert_status(200);
        for (_, org) in &quoters {
            let added = app
                .post(
                    &format!("/api/v1/requests/{request}/matches"),
                    Some(&expert),
                    json!({ "supplier_id": org }),
                )
                .await;
            let match_id = id(added.assert_status(201));
            app.post(
                &format!("/api/v1/requests/{request}/matches/{match_id}/approve"),
                Some(&expert),
                json!({ "note": "ok" }),
            )
            .await
            .assert_status(200);
        }
        app.step(&expert, &request, "open", json!({}))
            .await
            .assert_status(200);
        open.push(request);
    }
    let quoting = open
        .iter()
        .flat_map(|request| {
            quoters
                .iter()
                .map(move |(token, _)| (token.clone(), request.clone()))
        })
        .collect();
    Loaded {
        buyers,
        expert,
        requests,
        submitted,
        quoting,
        quoters,
    }
}

/// Starts `baseline_server` on `database_url`; returns it and its base URL.
async fn start_baseline(database_url: &str) -> (tokio::process::Child, String) {
    // Built by Cargo with this bench, from this package.
    let binary = env!("CARGO_BIN_EXE_baseline_server");
    let mut child = tokio::process::Command::new(binary)
        .env("BASELINE_DATABASE_URL", database_url)
        .env("DATABASE_POOL_SIZE", "8")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start baseline_server");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("baseline_server did not start")
        .expect("read stdout")
        .expect("baseline_server exited");
    let address = line
        .strip_prefix("listening on ")
        .expect("listening line")
        .to_owned();
    (child, address)
}

/// The index the server uses, opened in this process: Meilisearch's same
/// index, or a copy of the embedded index directory (the server keeps the
/// original's writer).
fn direct_index(app: &TestApp, settings: &Settings, copy: &Path) -> Arc<dyn CapabilityIndex> {
    match &settings.meili {
        Some((url, key, prefix)) => {
            Arc::new(MeiliIndex::new(url, key.clone(), prefix).expect("meili client"))
        }
        None => {
            copy_index(&app.data_dir.path().join("index"), copy);
            Arc::new(TantivyIndex::open(copy).expect("open index copy"))
        }
    }
}

/// Copies the index directory (a versioned subdirectory per schema) without
/// the server's lock files.
fn copy_index(source: &Path, copy: &Path) {
    std::fs::create_dir_all(copy).expect("index copy dir");
    for entry in std::fs::read_dir(source).expect("read index dir") {
        let entry = entry.expect("index entry");
        let name = entry.file_name();
        if name.to_string_lossy().ends_with(".lock") {
            continue;
        }
        if entry.file_type().expect("index entry type").is_dir() {
            copy_index(&entry.path(), &copy.join(&name));
        } else {
            std::fs::copy(entry.path(), copy.join(name)).expect("copy index file");
        }
    }
}

async fn ok(response: Result<reqwest::Response, reqwest::Error>, status: u16) -> bool {
    match response {
        Ok(response) => {
            let got = response.status().as_u16();
            // Read the whole body: it is part of the answer's cost.
            let body = response.bytes().await;
            if got != status {
                static SHOWN: AtomicUsize = AtomicUsize::new(0);
                if SHOWN.fetch_add(1, Ordering::Relaxed) < 5 {
                    let body = body
                        .as_ref()
                        .map(|b| String::from_utf8_lossy(b).into_owned());
                    eprintln!("unexpected {got} (wanted {status}): {body:?}");
                }
            }
            body.is_ok() && got == status
        }
        Err(_) => false,
    }
}

/// What every HTTP scenario shares: the client, the server's address, the
/// load's shape, and the server's pid for its RSS.
struct Scenarios {
    pid: u32,
    client: Client,
    base: Arc<String>,
    concurrency: usize,
    warm_up: Duration,
    duration: Duration,
}

impl Scenarios {
    fn new(app: &TestApp, settings: &Settings) -> Self {
        let client = Client::builder()
            .pool_max_idle_per_host(settings.concurrency * 2)
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        Self {
            pid: app.server_pid().expect("server pid"),
            client,
            base: Arc::new(app.base_url.clone()),
            concurrency: settings.concurrency,
            warm_up: settings.warm_up,
            duration: settings.duration,
        }
    }

    /// A closed-loop load of `request(client, base, n)` from `concurrency`
    /// workers; an answer other than `status` counts as an error.
    async fn run(
        &self,
        name: &str,
        concurrency: usize,
        status: u16,
        request: impl Fn(&Client, &str, u64) -> reqwest::RequestBuilder + Send + Sync + 'static,
    ) -> Figures {
        let (client, base) = (self.client.clone(), Arc::clone(&self.base));
        load::run(name, concurrency, self.warm_up, self.duration, move |n| {
            let request = request(&client, &base, n);
            async move { ok(request.send().await, status).await }
        })
        .await
    }

    /// `run` with every worker, reporting the server's peak RSS during it.
    async fn run_with_rss(
        &self,
        report: &mut Report,
        name: &str,
        status: u16,
        request: impl Fn(&Client, &str, u64) -> reqwest::RequestBuilder + Send + Sync + 'static,
    ) -> Figures {
        let sampler = RssSampler::start(self.pid);
        let figures = self.run(name, self.concurrency, status, request).await;
        report.add(
            "server",
            &format!("RSS peak during {}", figures.name),
            mib(sampler.peak()),
            "MiB",
            "",
        );
        figures
    }
}

/// The directory's searches sent to the index in this process.
async fn direct_search(
    index: &Arc<dyn CapabilityIndex>,
    queries: &Arc<Vec<(String, SearchQuery)>>,
    concurrency: usize,
    warm_up: Duration,
    duration: Duration,
) -> Figures {
    let engine = index.engine_name();
    let (index, queries) = (Arc::clone(index), Arc::clone(queries));
    load::run(
        &format!("baseline: {engine} index queried directly, same searches"),
        concurrency,
        warm_up,
        duration,
        move |n| {
            let (_, query) = queries[n as usize % queries.len()].clone();
            let index = Arc::clone(&index);
            async move { index.search(query).await.is_ok() }
        },
    )
    .await
}

/// The directory's searches over HTTP and sent to the index in this process,
/// one client, in turns (`load::paired`): the gap between the two is the
/// server's own share, read on the same seconds of the machine.
async fn side_by_side(
    scenarios: &Scenarios,
    index: &Arc<dyn CapabilityIndex>,
    queries: &Arc<Vec<(String, SearchQuery)>>,
    suffix: &str,
) -> (Figures, Figures) {
    let engine = index.engine_name();
    let (client, base) = (&scenarios.client, &scenarios.base);
    load::paired(
        (
            &format!("GET /suppliers{suffix}"),
            &format!("baseline: {engine} index queried directly, same searches{suffix}"),
        ),
        scenarios.warm_up,
        scenarios.duration,
        |n| {
            let (http, _) = &queries[n as usize % queries.len()];
            let request = client.get(format!("{base}/api/v1/suppliers?{http}"));
            async move { ok(request.send().await, 200).await }
        },
        |n| {
            let (_, query) = queries[n as usize % queries.len()].clone();
            async move { index.search(query).await.is_ok() }
        },
    )
    .await
}

async fn measure(app: &TestApp, settings: &Settings, data: &Loaded, report: &mut Report) -> u64 {
    let pid = app.server_pid().expect("server pid");
    let sampler = RssSampler::start(pid);
    let scenarios = Scenarios::new(app, settings);
    let (c, w, d) = (settings.concurrency, settings.warm_up, settings.duration);

    let emails: Vec<String> = data.buyers.iter().map(|(e, _)| e.clone()).collect();
    let login = scenarios
        .run_with_rss(report, "POST /auth/login", 200, move |client, base, n| {
            client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({ "email": emails[n as usize % emails.len()], "password": PASSWORD }))
        })
        .await;
    report.load(&login, "argon2id at the standard cost");

    let owned: Arc<Vec<(String, String)>> = Arc::new(
        data.requests
            .iter()
            .map(|(buyer, request)| (data.buyers[*buyer].1.clone(), request.clone()))
            .collect(),
    );
    let get_one = scenarios
        .run_with_rss(report, "GET /requests/{id}", 200, {
            let owned = Arc::clone(&owned);
            move |client, base, n| {
                let (token, request) = &owned[n as usize * 7919 % owned.len()];
                client
                    .get(format!("{base}/api/v1/requests/{request}"))
                    .bearer_auth(token)
            }
        })
        .await;

    let (mut baseline, baseline_url) = start_baseline(&app.database_url).await;
    let bare = scenarios
        .run(
            "baseline: bare actix-web + diesel, one row by id",
            c,
            200,
            move |client, _, n| {
                let (_, request) = &owned[n as usize * 7919 % owned.len()];
                client.get(format!("{baseline_url}/requests/{request}"))
            },
        )
        .await;
    let _ = baseline.kill().await;
    report.load(
        &get_one,
        &format!(
            "{:.0} % of the bare baseline's throughput",
            100.0 * get_one.throughput() / bare.throughput()
        ),
    );
    report.load(&bare, "");

    let tokens: Vec<String> = data.buyers.iter().map(|(_, t)| t.clone()).collect();
    let list = scenarios
        .run_with_rss(
            report,
            "GET /requests (a page of 20)",
            200,
            move |client, base, n| {
                client
                    .get(format!("{base}/api/v1/requests?limit=20"))
                    .bearer_auth(&tokens[n as usize % tokens.len()])
            },
        )
        .await;
    report.load(
        &list,
        &format!("{} requests per buyer", settings.requests / BUYERS),
    );

    let now = chrono::Utc::now().timestamp();
    let queries = Arc::new(searches(now));
    let directory_search = |queries: Arc<Vec<(String, SearchQuery)>>| {
        move |client: &Client, base: &str, n: u64| {
            let (http, _) = &queries[n as usize % queries.len()];
            client.get(format!("{base}/api/v1/suppliers?{http}"))
        }
    };
    let search = scenarios
        .run_with_rss(
            report,
            "GET /suppliers (text + filters)",
            200,
            directory_search(Arc::clone(&queries)),
        )
        .await;
    let copy = tempfile::tempdir().expect("temp dir");
    let index = direct_index(app, settings, copy.path());
    let direct = direct_search(&index, &queries, c, w, d).await;
    report.load(
        &search,
        &format!(
            "p50 {:+.2} ms over the direct index query; {:.0} % of its throughput",
            search.p50_ms() - direct.p50_ms(),
            100.0 * search.throughput() / direct.throughput()
        ),
    );
    report.load(&direct, "");
    // One client, the server and the index side by side: the overhead of the
    // server itself, without queueing on a saturated CPU.
    let (sequential, direct_sequential) =
        side_by_side(&scenarios, &index, &queries, ", one client").await;
    report.load(
        &sequential,
        &format!(
            "p50 {:+.2} ms over the direct index query, one client, side by side",
            sequential.p50_ms() - direct_sequential.p50_ms()
        ),
    );
    report.load(&direct_sequential, "");
    // The same for long sentences: the gap is the server's own cost on the
    // slowest kind of search.
    let sentences = Arc::new(sentences(now));
    let (sentence, direct_sentence) = side_by_side(
        &scenarios,
        &index,
        &sentences,
        ", 20-word sentence, one client",
    )
    .await;
    drop(index);
    report.load(
        &sentence,
        &format!(
            "p50 {:+.2} ms over the direct index query, one client, side by side",
            sentence.p50_ms() - direct_sentence.p50_ms()
        ),
    );
    report.load(&direct_sentence, "");

    let submitted = data.submitted.clone();
    let expert = data.expert.clone();
    let candidates = scenarios
        .run_with_rss(
            report,
            "GET /requests/{id}/candidates",
            200,
            move |client, base, n| {
                let request = &submitted[n as usize % submitted.len()];
                client
                    .get(format!("{base}/api/v1/requests/{request}/candidates"))
                    .bearer_auth(&expert)
            },
        )
        .await;
    report.load(&candidates, "up to 50 candidates, explained");
    // One expert at a time: the latency of one call, without queueing.
    let submitted = data.submitted.clone();
    let expert = data.expert.clone();
    let one_expert = scenarios
        .run(
            "GET /requests/{id}/candidates, one client",
            1,
            200,
            move |client, base, n| {
                let request = &submitted[n as usize % submitted.len()];
                client
                    .get(format!("{base}/api/v1/requests/{request}/candidates"))
                    .bearer_auth(&expert)
            },
        )
        .await;
    report.load(&one_expert, "");

    let quoting = data.quoting.clone();
    let answers = scenarios
        .run_with_rss(
            report,
            "POST /requests/{id}/quotes",
            201,
            move |client, base, n| {
                let (token, request) = &quoting[n as usize % quoting.len()];
                client
                    .post(format!("{base}/api/v1/requests/{request}/quotes"))
                    .bearer_auth(token)
                    .json(&quote(&format!("{}", 1_000 + n % 9_000), 30))
            },
        )
        .await;
    report.load(
        &answers,
        &format!(
            "{} suppliers x {} open requests, every revision kept",
            QUOTERS, OPEN_REQUESTS
        ),
    );
    sampler.peak()
}

/// From an expert's approval of a changed profile to the change being
/// returned by the directory (polled every 5 ms).
async fn freshness(app: &TestApp, data: &Loaded, report: &mut Report) {
    let mut delays = Vec::new();
    let (token, org) = &data.quoters[0];
    for n in 0..FRESHNESS_SAMPLES {
        let marker: String = format!("{n:04}")
            .bytes()
            .map(|d| char::from(b'k' + (d - b'0')))
            .collect();
        let marker = format!("fraicheur{marker}");
        let mut profile = micro_machining_profile();
        profile["description_fr"] = json!(format!("Atelier de micro-usinage, référence {marker}."));
        let path = format!("/api/v1/organisations/{org}/profile");
        let current = app.get(&path, Some(token)).await;
        let etag = current.etag();
        let put = app
            .send(
                app.request(reqwest::Method::PUT, &path, Some(token))
                    .header("if-match", etag)
                    .json(&profile),
            )
            .await;
        // An edit of a published profile goes to review by itself.
        assert!(put.status.is_success(), "profile update: {}", put.body);
        let started = Instant::now();
        // The expert approves the version it read (issue 14).
        app.post_if_match(
            &format!("/api/v1/backoffice/profiles/{org}/approve"),
            Some(&data.expert),
            put.body["version"].clone(),
            json!({}),
        )
        .await
        .assert_status(200);
        let path = format!("/api/v1/suppliers?q={marker}");
        loop {
            let found = app.get(&path, None).await;
            if found.body["total"] == 1 {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "change {n} not searchable after 30 s"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        delays.push(started.elapsed());
    }
    delays.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    report.add(
        "freshness",
        "approval -> searchable p50",
        ms(percentile(&delays, 0.5)),
        "ms",
        &format!("{FRESHNESS_SAMPLES} changes"),
    );
    report.add(
        "freshness",
        "approval -> searchable p99",
        ms(percentile(&delays, 0.99)),
        "ms",
        &format!(
            "target < 1000 ms; slowest {:.0} ms",
            delays.last().map_or(0.0, |d| ms(*d))
        ),
    );
}

/// Runs one of the later phases: a failure is reported and the run goes
/// on, so that a long run keeps the figures the other phases measured.
async fn phase(name: &str, measure: impl std::future::Future<Output = ()>) {
    use futures::FutureExt as _;
    if std::panic::AssertUnwindSafe(measure)
        .catch_unwind()
        .await
        .is_err()
    {
        eprintln!("bench phase {name} failed: its figures are missing from this run");
    }
}

async fn fresh_token(app: &TestApp, email: &str) -> String {
    app.login(email, PASSWORD).await["access_token"]
        .as_str()
        .expect("access token")
        .to_owned()
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("?")
        .trim()
        .to_owned();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or(0.0, |kb| kb as f64 / 1024.0 / 1024.0);
    format!("{model}, {cores} cores available, {memory:.1} GiB RAM")
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1024.0 / 1024.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::var_os("BENCH_SUMMARY_ONLY").is_some() {
        // Rewrites BENCHMARKS.md from the runs already in target/bench.
        write_summary();
        return;
    }
    let settings = Settings::from_env();
    let leaves = taxonomy_leaves();
    let mut report = Report::default();
    let load_before = loadavg();
    println!(
        "bench: {} suppliers, {} requests, engine {}, {} workers x {:?}",
        settings.scale,
        settings.requests,
        settings.engine(),
        settings.concurrency,
        settings.duration
    );
    let env = settings.server_env();
    let env_refs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut app = TestApp::spawn_with(Backend::Postgres, &env_refs).await;
    let engine = app.get("/readyz", None).await.body["index_engine"].clone();
    println!("pmt {} on PostgreSQL, index engine {engine}", app.base_url);

    let data = load_data(&app, &settings, &leaves, &mut report).await;

    app.stop_server().await;
    let started = Instant::now();
    let output = app.cli(&["admin", "reindex"], &env_refs).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let reindex = started.elapsed();
    let documents = settings.scale + QUOTERS as usize;
    report.add(
        "index",
        &format!("full reindex ({documents} suppliers, `pmt admin reindex`)"),
        reindex.as_secs_f64(),
        "s",
        &format!(
            "{:.0} documents/s",
            documents as f64 / reindex.as_secs_f64()
        ),
    );
    let startup = app.restart_server().await;
    report.add(
        "server",
        "start-up (process start to listening)",
        startup.as_secs_f64() * 1000.0,
        "ms",
        "",
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let pid = app.server_pid().expect("server pid");
    let idle = rss_bytes(pid).unwrap_or(0);
    report.add(
        "server",
        "RSS idle (after start, data loaded)",
        mib(idle),
        "MiB",
        "target < 60 MB",
    );

    // Right after the idle figure: the booklet's and the transfers' RSS
    // are compared with the server's RSS before them, near idle.
    let expert = fresh_token(&app, "expert@bench.example").await;
    let quoters: Vec<String> = data.quoters.iter().map(|(_, org)| org.clone()).collect();
    phase(
        "publications",
        publications::measure(
            &app,
            &Scenarios::new(&app, &settings),
            settings.scale,
            &leaves,
            &expert,
            &quoters,
            &mut report,
        ),
    )
    .await;
    let buyer = fresh_token(&app, &data.buyers[0].0).await;
    phase("documents", documents::measure(&app, &buyer, &mut report)).await;

    let peak = measure(&app, &settings, &data, &mut report).await;
    report.add("server", "RSS peak under load", mib(peak), "MiB", "");
    freshness(&app, &data, &mut report).await;
    abuse(&app, &mut report).await;
    // Access tokens last 15 minutes, and a 100 000-supplier run is longer.
    write_run(&settings, &report, &load_before, &loadavg());
    let buyer = fresh_token(&app, &data.buyers[1].0).await;
    phase("webhooks", webhooks::measure(&app, &buyer, &mut report)).await;
    write_run(&settings, &report, &load_before, &loadavg());
    // Last: the million events stay in the database.
    let readers = [
        ("expert", "expert@bench.example"),
        ("buyer", data.buyers[0].0.as_str()),
        ("invited supplier", "quoter0@bench.example"),
    ];
    let scenarios = Scenarios::new(&app, &settings);
    phase(
        "feed",
        feed::measure(&app, &scenarios, readers, &mut report),
    )
    .await;
    let load_after = loadavg();

    write_run(&settings, &report, &load_before, &load_after);
    write_summary();
}

fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench")
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// This run's section of BENCHMARKS.md and its CSV rows.
fn write_run(settings: &Settings, report: &Report, load_before: &str, load_after: &str) {
    let mut md = format!(
        "## {} index, {} suppliers, {} requests\n\n\
         Run {} on {}; load average {} before, {} after (the run itself adds up to \
         about 3; more before means other work shared the CPUs). {} closed-loop load workers for {} s after a {} s warm-up; \
         the load generator runs on the same machine and shares its CPUs with the server.\n\n\
         | section | figure | value | unit | note |\n|---|---|---:|---|---|\n",
        settings.engine(),
        settings.scale,
        settings.requests,
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        machine(),
        load_before,
        load_after,
        settings.concurrency,
        settings.duration.as_secs(),
        settings.warm_up.as_secs(),
    );
    let mut csv = String::new();
    for row in &report.rows {
        let _ = writeln!(
            md,
            "| {} | {} | {:.2} | {} | {} |",
            row.section, row.name, row.value, row.unit, row.note
        );
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{:.3},{},{}",
            settings.engine(),
            settings.scale,
            settings.requests,
            row.section,
            csv_field(&row.name),
            row.value,
            row.unit,
            csv_field(&row.note)
        );
    }
    save_run(settings.engine(), settings.scale, &md, &csv);
}

/// A run's files under target/bench, from which the summary is written.
fn save_run(engine: &str, scale: impl std::fmt::Display, md: &str, csv: &str) {
    let run = run_file(engine, scale);
    std::fs::create_dir_all(bench_dir()).expect("target/bench");
    std::fs::write(run.with_extension("md"), md).expect("write run md");
    std::fs::write(run.with_extension("csv"), csv).expect("write run csv");
}

/// A run's files under target/bench, without their extension.
fn run_file(engine: &str, scale: impl std::fmt::Display) -> PathBuf {
    bench_dir().join(format!("load-{engine}-{scale}"))
}

/// Writes into target/bench the runs the committed BENCHMARKS.md and
/// bench-results.csv hold but target/bench does not: a fresh checkout has
/// only its own runs there, and the summary would drop the others' sections
/// (a run at 10 000 suppliers would erase the committed one at 100 000).
fn keep_committed_runs() {
    let md = std::fs::read_to_string(repo_root().join("BENCHMARKS.md")).unwrap_or_default();
    let csv = std::fs::read_to_string(repo_root().join("bench-results.csv")).unwrap_or_default();
    // The runs' sections come first, each "## {engine} index, {scale}
    // suppliers, {requests} requests", up to the targets' section.
    let runs = md
        .split("\n## ")
        .skip(1)
        .take_while(|s| !s.starts_with("Targets"));
    for section in runs {
        let Some((engine, rest)) = section.split_once(" index, ") else {
            continue;
        };
        let Some((scale, rest)) = rest.split_once(" suppliers, ") else {
            continue;
        };
        let Some((requests, _)) = rest.split_once(" requests") else {
            continue;
        };
        if run_file(engine, scale).with_extension("md").exists() {
            continue;
        }
        let prefix = format!("{engine},{scale},{requests},");
        let rows: String = csv
            .lines()
            .filter(|line| line.starts_with(&prefix))
            .map(|line| format!("{line}\n"))
            .collect();
        save_run(
            engine,
            scale,
            &format!("## {}\n", section.trim_end()),
            &rows,
        );
    }
}

/// Everything after this line of BENCHMARKS.md survives a new run.
const NOTES_MARKER: &str = "<!-- Notes below are written by hand and kept by `make bench`. -->";

/// BENCHMARKS.md and bench-results.csv from every run in target/bench.
fn write_summary() {
    keep_committed_runs();
    let mut runs: Vec<PathBuf> = std::fs::read_dir(bench_dir())
        .expect("target/bench")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("load-"))
        })
        .collect();
    runs.sort();
    let mut md = String::from(
        "# Benchmarks\n\nWritten by `make bench` (`SCALE=100000 make bench` for the large run; \
         `MEILI_URL=... MEILI_MASTER_KEY=... make bench` for Meilisearch). Release build, \
         PostgreSQL 15 throwaway cluster (fsync off), the `pmt` server with \
         `PASSWORD_HASH_COST=standard`, pool of 8 connections, rate limits set out of reach. \
         Each section below is one run; `bench-results.csv` has the same rows.\n\n",
    );
    let mut csv = String::from("engine,scale,requests,section,figure,value,unit,note\n");
    for run in &runs {
        let text = std::fs::read_to_string(run).unwrap_or_default();
        if run.extension().is_some_and(|e| e == "md") {
            md.push_str(&text);
            md.push('\n');
        } else {
            csv.push_str(&text);
        }
    }
    let quality = std::fs::read_to_string(bench_dir().join("quality.csv")).unwrap_or_default();
    md.push_str(&targets(&csv, &quality));
    if !quality.is_empty() {
        md.push_str(
            "## Matching quality\n\n`cargo bench -p search --bench quality`: labelled set \
             `search/fixtures/quality.json` (46 suppliers; sourcing needs whose best \
             suppliers hold a requested capability (`exact`) or an adjacent one \
             (`adjacent`); short and sentence directory searches; graded 0-3, FR and EN, \
             typos). Recall counts grades 2 and 3; the zero-hit rate is the share of cases \
             answering nothing. `meilisearch-bare`: a Meilisearch index with default \
             settings, same documents and searches.\n\n\
             | engine | kind | nDCG@10 | recall@10 | cases | zero-hit rate |\n\
             |---|---|---:|---:|---:|---:|\n",
        );
        for line in quality.lines().skip(1) {
            let cells: Vec<&str> = line.split(',').collect();
            let _ = writeln!(md, "| {} |", cells.join(" | "));
            if let [engine, kind, ndcg, recall, _, rest @ ..] = cells.as_slice() {
                let _ = writeln!(csv, "{engine},46,0,quality,{kind} nDCG@10,{ndcg},,");
                let _ = writeln!(csv, "{engine},46,0,quality,{kind} recall@10,{recall},,");
                if let [zero_hit_rate, ..] = rest {
                    let _ = writeln!(
                        csv,
                        "{engine},46,0,quality,{kind} zero-hit rate,{zero_hit_rate},,"
                    );
                }
            }
        }
    }
    // The analysis written by hand after a run is kept.
    let previous = std::fs::read_to_string(repo_root().join("BENCHMARKS.md")).unwrap_or_default();
    match previous.find(NOTES_MARKER) {
        Some(at) => md.push_str(&previous[at..]),
        None => {
            md.push_str(NOTES_MARKER);
            md.push('\n');
        }
    }
    std::fs::write(repo_root().join("BENCHMARKS.md"), md).expect("write BENCHMARKS.md");
    std::fs::write(repo_root().join("bench-results.csv"), csv).expect("write bench-results.csv");
    println!("wrote BENCHMARKS.md and bench-results.csv");
}

/// The targets, checked against every run found (`csv` rows as
/// written by `write_run`, `quality` as written by the quality bench).
fn targets(csv: &str, quality: &str) -> String {
    struct Line {
        run: String,
        engine: String,
        scale: String,
        figure: String,
        value: f64,
    }
    let lines: Vec<Line> = csv
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cells = csv_cells(line);
            let [engine, scale, _, _, figure, value, ..] = cells.as_slice() else {
                return None;
            };
            Some(Line {
                run: format!("{engine}, {scale}"),
                engine: engine.clone(),
                scale: scale.clone(),
                figure: figure.clone(),
                value: value.parse().ok()?,
            })
        })
        .collect();
    let mut runs: Vec<(String, String, String)> = lines
        .iter()
        .map(|l| (l.run.clone(), l.engine.clone(), l.scale.clone()))
        .collect();
    runs.dedup();
    let find = |run: &str, prefix: &str| {
        lines
            .iter()
            .find(|l| l.run == run && l.figure.starts_with(prefix))
            .map(|l| l.value)
    };
    let mut out =
        String::from("## Targets\n\n| target | run | measured | met |\n|---|---|---:|---|\n");
    let mut row = |target: &str, run: &str, measured: Option<String>, met: Option<bool>| {
        let _ = writeln!(
            out,
            "| {target} | {run} | {} | {} |",
            measured.unwrap_or_else(|| "not measured".to_owned()),
            match met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "-",
            }
        );
    };
    for line in quality.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        if let [engine, "candidates", ndcg, ..] = cells.as_slice() {
            let ndcg: f64 = ndcg.parse().unwrap_or(0.0);
            row(
                "candidates nDCG@10 >= 0.95",
                engine,
                Some(format!("{ndcg:.3}")),
                Some(ndcg >= 0.95),
            );
        }
    }
    for (run, engine, scale) in &runs {
        let ratio = find(run, "GET /requests/{id} throughput")
            .zip(find(
                run,
                "baseline: bare actix-web + diesel, one row by id throughput",
            ))
            .map(|(ours, bare)| ours / bare);
        row(
            "authenticated get-one-request >= 60 % of the bare baseline's throughput",
            run,
            ratio.map(|r| format!("{:.0} %", r * 100.0)),
            ratio.map(|r| r >= 0.6),
        );
        // One client at a time: the server's own overhead, without queueing.
        let gap = find(run, "GET /suppliers, one client p50")
            .zip(
                lines
                    .iter()
                    .find(|l| {
                        &l.run == run
                            && l.figure.starts_with("baseline:")
                            && l.figure.ends_with("same searches, one client p50")
                    })
                    .map(|l| l.value),
            )
            .map(|(ours, direct)| ours - direct);
        row(
            "directory search p50 within 2 ms of the direct index query (one client)",
            run,
            gap.map(|g| format!("{g:+.2} ms")),
            gap.map(|g| g <= 2.0),
        );
        let sentence = find(run, "GET /suppliers, 20-word sentence, one client p50")
            .zip(find(
                run,
                &format!(
                    "baseline: {engine} index queried directly, same searches, 20-word sentence, one client p50"
                ),
            ))
            .map(|(ours, direct)| ours - direct);
        row(
            "20-word sentence p50 within 2 ms of the direct index query (one client)",
            run,
            sentence.map(|g| format!("{g:+.2} ms")),
            sentence.map(|g| g <= 2.0),
        );
        let p99 = find(run, "approval -> searchable p99");
        row(
            "profile change searchable < 1 s p99",
            run,
            p99.map(|v| format!("{v:.0} ms")),
            p99.map(|v| v < 1000.0),
        );
        let growth = find(run, "RSS growth after 2 000 random");
        row(
            "method-name flood: RSS within 20 MB of idle",
            run,
            growth.map(|v| format!("{:+.1} MB", v * 1.048_576)),
            growth.map(|v| v * 1.048_576 < 20.0),
        );
        let size = find(run, "/metrics size after the flood");
        row(
            "method-name flood: /metrics under 100 KB",
            run,
            size.map(|v| format!("{:.1} KB", v * 1.024)),
            size.map(|v| v * 1.024 < 100.0),
        );
        let idle = find(run, "RSS idle");
        row(
            "idle RSS < 60 MB",
            run,
            idle.map(|v| format!("{:.1} MB", v * 1.048_576)),
            idle.map(|v| v * 1.048_576 < 60.0),
        );
        for what in ["upload", "download"] {
            let note = lines
                .iter()
                .find(|l| &l.run == run && l.figure == format!("{what} 20 MiB through the API"))
                .map(|l| l.value)
                .zip(find(run, "copy 20 MiB on the same disk"))
                .map(|(api, copy)| api / copy);
            row(
                &format!("20 MiB {what} >= 50 % of a copy's throughput on the same disk"),
                run,
                note.map(|r| format!("{:.0} %", r * 100.0)),
                note.map(|r| r >= 0.5),
            );
        }
        let before = find(run, "RSS before the transfers");
        for what in ["uploads", "downloads"] {
            let growth = find(run, &format!("RSS peak during the {what}"))
                .zip(before)
                .map(|(peak, idle)| (peak - idle) * 1.048_576);
            row(
                &format!("RSS during 20 MiB {what} within 10 MB of idle"),
                run,
                growth.map(|g| format!("{g:+.1} MB")),
                growth.map(|g| g <= 10.0),
            );
        }
        let p99 = find(run, "event -> delivery p99, one event every 50 ms");
        row(
            "event -> webhook delivery p99 < 1 s (receiver up)",
            run,
            p99.map(|v| format!("{v:.0} ms")),
            p99.map(|v| v < 1000.0),
        );
        for reader in ["expert", "buyer", "invited supplier"] {
            for clients in ["", ", one client"] {
                let figure = format!("GET /events ({reader}, a page of 100){clients} p99");
                let p99 = lines
                    .iter()
                    .find(|l| &l.run == run && l.figure == figure)
                    .map(|l| l.value);
                let label = if clients.is_empty() {
                    "16 clients"
                } else {
                    "one client"
                };
                row(
                    &format!("feed page p99 < 20 ms at 1 000 000 events ({reader}, {label})"),
                    run,
                    p99.map(|v| format!("{v:.1} ms")),
                    p99.map(|v| v < 20.0),
                );
            }
        }
        let booklet = find(
            run,
            "booklet FR of about 1 000 suppliers, first call to PDF",
        );
        row(
            "booklet of about 1 000 suppliers < 10 s (FR, typeset, first call to PDF)",
            run,
            booklet.map(|v| format!("{v:.1} s")),
            booklet.map(|v| v < 10.0),
        );
        let growth = find(run, "RSS peak during the booklet")
            .zip(find(run, "RSS before the booklet"))
            .map(|(peak, before)| (peak - before) * 1.048_576);
        row(
            "booklet of about 1 000 suppliers: server RSS < +150 MB",
            run,
            growth.map(|g| format!("{g:+.1} MB")),
            growth.map(|g| g < 150.0),
        );
        // The typesetting runs in a child process: its memory counts too.
        let with_child = growth
            .zip(find(run, "RSS peak of the typesetting process"))
            .map(|(g, child)| g + child * 1.048_576);
        row(
            "booklet of about 1 000 suppliers: server + typesetting process RSS < +150 MB",
            run,
            with_child.map(|g| format!("{g:+.1} MB")),
            with_child.map(|g| g < 150.0),
        );
        if scale == "100000" {
            let p99 = find(
                run,
                "GET /publications/capability-map (JSON), one client p99",
            );
            row(
                "capability map p99 < 200 ms at 100 000 suppliers (JSON, one client)",
                run,
                p99.map(|v| format!("{v:.1} ms")),
                p99.map(|v| v < 200.0),
            );
        }
        // Only a run whose report read exactly 100 000 requests is checked.
        let p99 = find(
            run,
            "GET /backoffice/reports/activity (a year), 100000 requests, one client p99",
        );
        row(
            "activity report p99 < 500 ms over 100 000 requests (PostgreSQL, a year, one client)",
            run,
            p99.map(|v| format!("{v:.1} ms")),
            p99.map(|v| v < 500.0),
        );
        if engine == "embedded" && scale == "10000" {
            let sentence = find(run, "GET /suppliers, 20-word sentence, one client p99");
            row(
                "20-word sentence p99 < 50 ms at 10 000 suppliers (embedded, one client)",
                run,
                sentence.map(|v| format!("{v:.1} ms")),
                sentence.map(|v| v < 50.0),
            );
            for (figure, label) in [
                (
                    "GET /requests/{id}/candidates, one client p50",
                    "one client",
                ),
                ("GET /requests/{id}/candidates p50", "16 clients"),
            ] {
                let p50 = find(run, figure);
                row(
                    &format!("candidates p50 < 50 ms at 10 000 suppliers (embedded, {label})"),
                    run,
                    p50.map(|v| format!("{v:.1} ms")),
                    p50.map(|v| v < 50.0),
                );
            }
        }
        if engine == "meilisearch" && scale == "100000" {
            // Both: one client shows the latency of a search, sixteen show
            // what queueing on this machine's two cores adds to it.
            for (figure, label) in [
                ("GET /suppliers, one client p99", "one client"),
                ("GET /suppliers (text + filters) p99", "16 clients"),
            ] {
                let p99 = find(run, figure);
                row(
                    &format!("search p99 < 50 ms at 100 000 suppliers (Meilisearch, {label})"),
                    run,
                    p99.map(|v| format!("{v:.1} ms")),
                    p99.map(|v| v < 50.0),
                );
            }
            let sentence = find(run, "GET /suppliers, 20-word sentence, one client p99");
            row(
                "20-word sentence p99 < 50 ms at 100 000 suppliers (Meilisearch, one client)",
                run,
                sentence.map(|v| format!("{v:.1} ms")),
                sentence.map(|v| v < 50.0),
            );
            for (figure, label) in [
                (
                    "GET /requests/{id}/candidates, one client p50",
                    "one client",
                ),
                ("GET /requests/{id}/candidates p50", "16 clients"),
            ] {
                let p50 = find(run, figure);
                row(
                    &format!("candidates p50 < 100 ms at 100 000 suppliers (Meilisearch, {label})"),
                    run,
                    p50.map(|v| format!("{v:.1} ms")),
                    p50.map(|v| v < 100.0),
                );
            }
            let reindex = find(run, "full reindex");
            row(
                "full reindex < 60 s at 100 000 suppliers",
                run,
                reindex.map(|v| format!("{v:.1} s")),
                reindex.map(|v| v < 60.0),
            );
        }
    }
    if !runs
        .iter()
        .any(|(_, engine, scale)| engine == "meilisearch" && scale == "100000")
    {
        row(
            "search p99 < 50 ms and reindex < 60 s at 100 000 suppliers (Meilisearch)",
            "no such run",
            None,
            None,
        );
    }
    if !runs.iter().any(|(_, _, scale)| scale == "100000") {
        row(
            "capability map p99 < 200 ms at 100 000 suppliers",
            "no such run",
            None,
            None,
        );
    }
    out.push('\n');
    out
}

/// The cells of one CSV line as `csv_field` writes them (quotes doubled inside).
fn csv_cells(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(cell) = cells.last_mut() {
                    cell.push('"');
                }
            }
            '"' => quoted = !quoted,
            ',' if !quoted => cells.push(String::new()),
            c => {
                if let Some(cell) = cells.last_mut() {
                    cell.push(c);
                }
            }
        }
    }
    cells
}
