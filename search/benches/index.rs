//! The embedded index on synthetic but realistic catalogues (1 000 and
//! 10 000 suppliers built from the real taxonomy): upsert throughput, the
//! latency of a one-document update (what the index worker does per event),
//! search latency per kind of query (elapsed, and the CPU time it took, which
//! other work on the machine does not inflate as much), and the process's
//! peak memory.
//!
//! With `MEILI_URL` (and `MEILI_MASTER_KEY`) set, the same queries run
//! against Meilisearch at `MEILI_SCALE` suppliers (default 100 000; the
//! index, named after the scale, is filled once and kept for the next run),
//! the CPU column adding what a local Meilisearch process spent: on a
//! machine whose cores are shared by the server and the engine, it is what
//! bounds the throughput. Candidates are also asked by 16 clients at once.
//!
//! `cargo bench -p search --bench index` (release build, no harness).

use std::time::{Duration, Instant};

use futures::StreamExt;
use search::embedded::TantivyIndex;
use search::meili::MeiliIndex;
use search::{
    CandidateQuery, CapabilityIndex, CertificationDoc, SearchQuery, Submitted, SupplierDocument,
};
use serde::Deserialize;

#[path = "support/generator.rs"]
mod generator;
use generator::{CERTIFICATIONS, NAMES, Rng, SECTORS, SUFFIXES};

const SIZES: [usize; 2] = [1_000, 10_000];
const QUERIES_PER_KIND: usize = 125;
const CLIENTS: usize = 16;
const NOW: i64 = 1_790_000_000;
const YEAR: i64 = 365 * 86_400;

#[derive(Deserialize)]
struct Node {
    code: String,
    fr: String,
    en: String,
    #[serde(default)]
    synonyms: Vec<String>,
}

const MATERIALS: &[&str] = &[
    "titane",
    "inox 316L",
    "PEEK",
    "cobalt-chrome",
    "silicone",
    "polycarbonate",
    "nitinol",
    "céramique",
    "PMMA",
    "aluminium",
];
const PLACES: &[(&str, &str, &str)] = &[
    ("Besançon", "25", "Bourgogne-Franche-Comté"),
    ("Dijon", "21", "Bourgogne-Franche-Comté"),
    ("Dole", "39", "Bourgogne-Franche-Comté"),
    ("Belfort", "90", "Bourgogne-Franche-Comté"),
    ("Chalon-sur-Saône", "71", "Bourgogne-Franche-Comté"),
    ("Vesoul", "70", "Bourgogne-Franche-Comté"),
    ("Auxerre", "89", "Bourgogne-Franche-Comté"),
    ("Oyonnax", "01", "Auvergne-Rhône-Alpes"),
    ("Lyon", "69", "Auvergne-Rhône-Alpes"),
    ("Mulhouse", "68", "Grand Est"),
];
const EQUIPMENT: &[&str] = &[
    "Tornos SwissNano",
    "Kern Micro HD",
    "Arburg Allrounder",
    "Zeiss Contura",
    "Instron 5967",
    "Getinge GSS67",
    "EOS M 290",
];

fn supplier(i: usize, rng: &mut Rng, leaves: &[&Node], taxonomy: &[Node]) -> SupplierDocument {
    let mut codes: Vec<String> = Vec::new();
    let mut labels = Vec::new();
    let mut chosen = Vec::new();
    for _ in 0..1 + rng.below(4) {
        let leaf = *rng.pick(leaves);
        chosen.push(leaf);
        let parent = leaf.code.split('.').next().unwrap_or_default();
        for code in [parent, leaf.code.as_str()] {
            if !codes.iter().any(|c| c == code) {
                codes.push(code.to_owned());
                if let Some(node) = taxonomy.iter().find(|n| n.code == code) {
                    labels.extend([node.fr.clone(), node.en.clone()]);
                    labels.extend(node.synonyms.iter().cloned());
                }
            }
        }
    }
    let (city, department, region) = *rng.pick(PLACES);
    let material = rng.pick(MATERIALS);
    let activities_fr: Vec<&str> = chosen.iter().map(|n| n.fr.as_str()).collect();
    let activities_en: Vec<&str> = chosen.iter().map(|n| n.en.as_str()).collect();
    let certifications = (0..rng.below(3))
        .map(|_| {
            let from = NOW - rng.below(4) as i64 * YEAR / 2;
            CertificationDoc {
                code: (*rng.pick(CERTIFICATIONS)).to_owned(),
                valid_from: from,
                valid_until: from + 3 * YEAR,
                verified: false,
            }
        })
        .collect();
    SupplierDocument {
        id: uuid::Uuid::from_u128(i as u128 + 1),
        name: format!("{} {} {i}", rng.pick(NAMES), rng.pick(SUFFIXES)),
        description_fr: format!(
            "{} à {city} pour les dispositifs médicaux : pièces en {material}, séries de prototypes à la production.",
            activities_fr.join(", ")
        ),
        description_en: format!(
            "{} in {city} for medical devices: {material} parts, from prototypes to production runs.",
            activities_en.join(", ")
        ),
        capability_codes: codes,
        capability_labels: labels,
        capability_details: vec![format!("{material}, tolérances ±{} µm", 2 + rng.below(20))],
        certifications,
        sectors: (0..1 + rng.below(2))
            .map(|_| (*rng.pick(SECTORS)).to_owned())
            .collect(),
        region: region.to_owned(),
        department: department.to_owned(),
        city: city.to_owned(),
        country: "FR".to_owned(),
        member: rng.below(3) > 0,
        equipment: vec![(*rng.pick(EQUIPMENT)).to_owned()],
        updated_at: NOW - rng.below(1_000_000) as i64,
    }
}

/// One typo (a doubled letter or a dropped one) in words of 5+ letters, as
/// people type them.
fn with_typo(text: &str, rng: &mut Rng) -> String {
    text.split_whitespace()
        .map(|word| {
            let chars: Vec<char> = word.chars().collect();
            if chars.len() < 5 {
                return word.to_owned();
            }
            let mut typo = chars.clone();
            let at = 1 + rng.below(chars.len() - 2);
            if rng.below(2) == 0 {
                typo.remove(at);
            } else {
                typo.insert(at, chars[at]);
            }
            typo.into_iter().collect()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

enum Query {
    Search(SearchQuery),
    Candidates(CandidateQuery),
}

fn queries(kind: &str, rng: &mut Rng, leaves: &[&Node]) -> Vec<Query> {
    (0..QUERIES_PER_KIND)
        .map(|_| {
            let leaf = *rng.pick(leaves);
            let label = if rng.below(2) == 0 {
                &leaf.fr
            } else {
                &leaf.en
            };
            let text = format!("{} {}", label.to_lowercase(), rng.pick(MATERIALS));
            let base = SearchQuery {
                now: NOW,
                limit: 20,
                ..SearchQuery::default()
            };
            let filters = SearchQuery {
                capabilities: vec![leaf.code.split('.').next().unwrap_or_default().to_owned()],
                sectors: vec![(*rng.pick(SECTORS)).to_owned()],
                regions: vec!["Bourgogne-Franche-Comté".to_owned()],
                certifications: if rng.below(2) == 0 {
                    vec!["iso_13485".to_owned()]
                } else {
                    vec![]
                },
                ..base.clone()
            };
            match kind {
                // About 20 words, the way a buyer types a need in the search box.
                "sentence (20 words)" => Query::Search(SearchQuery {
                    text: Some(format!(
                        "Bonjour, nous recherchons un sous-traitant régional pour la {text} \
                         de petites séries de pièces pour un dispositif médical, avec un devis rapide"
                    )),
                    ..base
                }),
                "text with typos" => Query::Search(SearchQuery {
                    text: Some(with_typo(&text, rng)),
                    ..base
                }),
                "filters only" => Query::Search(filters),
                "text + filters" => Query::Search(SearchQuery {
                    text: Some(text),
                    ..filters
                }),
                _ => Query::Candidates(CandidateQuery {
                    capabilities: vec![leaf.code.clone(), rng.pick(leaves).code.clone()],
                    certifications: vec![(*rng.pick(CERTIFICATIONS)).to_owned()],
                    sectors: vec!["medtech".to_owned()],
                    region: Some("Bourgogne-Franche-Comté".to_owned()),
                    text: Some(text),
                    named_capabilities: Vec::new(),
                    now: NOW,
                    limit: 20,
                }),
            }
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn latency_row(label: &str, mut samples: Vec<Duration>) {
    samples.sort_unstable();
    print!(
        "  {label:<26} {:>10} {:>10} {:>10}",
        ms(percentile(&samples, 0.50)),
        ms(percentile(&samples, 0.95)),
        ms(percentile(&samples, 0.99)),
    );
}

/// [`latency_row`] followed by the CPU time the queries took.
fn query_row(label: &str, samples: Vec<Duration>, mut cpu: Vec<Duration>) {
    latency_row(label, samples);
    cpu.sort_unstable();
    println!(
        "   cpu {:>10} {:>10} {:>10}",
        ms(percentile(&cpu, 0.50)),
        ms(percentile(&cpu, 0.95)),
        ms(percentile(&cpu, 0.99)),
    );
}

/// CPU time this process's threads have run so far (`/proc/self/task/*/schedstat`,
/// nanoseconds): unlike the elapsed time, it does not count the time spent
/// waiting for a core the machine's other work holds. Background index merges
/// count too.
fn cpu_time() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    let nanos = tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(nanos)
}

/// CPU time the local Meilisearch processes have run so far (utime + stime
/// in `/proc/<pid>/stat`, clock ticks of 10 ms): zero when there is none.
fn meili_cpu_time() -> Duration {
    let Ok(processes) = std::fs::read_dir("/proc") else {
        return Duration::ZERO;
    };
    let ticks: u64 = processes
        .flatten()
        .filter(|p| {
            std::fs::read_to_string(p.path().join("comm")).is_ok_and(|c| c.trim() == "meilisearch")
        })
        .filter_map(|p| std::fs::read_to_string(p.path().join("stat")).ok())
        .filter_map(|stat| {
            // The fields after the command's closing parenthesis: utime and
            // stime are the 12th and 13th.
            let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .sum();
    Duration::from_millis(ticks * 10)
}

/// Peak resident memory of this process (VmHWM), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

async fn bench(size: usize, taxonomy: &[Node]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = TantivyIndex::open(dir.path()).expect("open index");
    run(&index, size, taxonomy, true).await;
}

/// Fills `index` with `size` generated suppliers (unless `fill` is false:
/// it holds them already) and times each kind of query.
async fn run(index: &impl CapabilityIndex, size: usize, taxonomy: &[Node], fill: bool) {
    let leaves: Vec<&Node> = taxonomy.iter().filter(|n| n.code.contains('.')).collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let docs: Vec<SupplierDocument> = (0..size)
        .map(|i| supplier(i, &mut rng, &leaves, taxonomy))
        .collect();

    println!("\n{size} suppliers");
    if fill {
        let started = Instant::now();
        let mut sent = Submitted::default();
        for chunk in docs.chunks(200) {
            index
                .submit(chunk.to_vec(), &mut sent)
                .await
                .expect("upsert");
        }
        index.settle(sent).await.expect("indexed");
        let elapsed = started.elapsed();
        println!(
            "  bulk upsert (batches of 200): {:.2} s, {:.0} documents/s",
            elapsed.as_secs_f64(),
            size as f64 / elapsed.as_secs_f64()
        );
    }

    println!(
        "  {:<26} {:>10} {:>10} {:>10}   cpu {:>10} {:>10} {:>10}",
        "", "p50", "p95", "p99", "p50", "p95", "p99"
    );
    let mut single = Vec::new();
    for doc in docs.iter().take(50) {
        let started = Instant::now();
        index.upsert(vec![doc.clone()]).await.expect("upsert");
        single.push(started.elapsed());
    }
    latency_row("upsert 1 doc + commit", single);
    println!();

    let mut all = Vec::new();
    let mut all_cpu = Vec::new();
    for kind in [
        "sentence (20 words)",
        "text with typos",
        "filters only",
        "text + filters",
        "candidates",
    ] {
        let mut samples = Vec::new();
        let mut cpu = Vec::new();
        for query in queries(kind, &mut rng, &leaves) {
            let cpu_before = cpu_time() + meili_cpu_time();
            let started = Instant::now();
            match query {
                Query::Search(q) => drop(index.search(q).await.expect("search")),
                Query::Candidates(q) => drop(index.candidates(q).await.expect("candidates")),
            }
            samples.push(started.elapsed());
            cpu.push((cpu_time() + meili_cpu_time()).saturating_sub(cpu_before));
        }
        all.extend(samples.iter().copied());
        all_cpu.extend(cpu.iter().copied());
        query_row(kind, samples, cpu);
    }
    query_row(&format!("all {} queries", all.len()), all, all_cpu);

    // The same kind of candidates asked by several clients at once: the
    // elapsed time of each, and the CPU all of them took, per query.
    let need: Vec<CandidateQuery> = queries("candidates", &mut rng, &leaves)
        .into_iter()
        .filter_map(|query| match query {
            Query::Candidates(q) => Some(q),
            Query::Search(_) => None,
        })
        .collect();
    let count = need.len() as u32;
    let cpu_before = cpu_time() + meili_cpu_time();
    let samples: Vec<Duration> = futures::stream::iter(need)
        .map(|q| async move {
            let started = Instant::now();
            drop(index.candidates(q).await.expect("candidates"));
            started.elapsed()
        })
        .buffer_unordered(CLIENTS)
        .collect()
        .await;
    let cpu = (cpu_time() + meili_cpu_time()).saturating_sub(cpu_before) / count;
    latency_row(&format!("candidates, {CLIENTS} clients"), samples);
    println!("   cpu {:>10} per query", ms(cpu));
}

/// [`run`] on Meilisearch, in an index named after the size and filled only
/// when it does not hold that many suppliers yet.
async fn bench_meili(url: &str, size: usize, taxonomy: &[Node]) {
    let key = std::env::var("MEILI_MASTER_KEY").ok();
    let index =
        MeiliIndex::new(url, key, &format!("bench_index_{size}_")).expect("Meilisearch client");
    index.bootstrap().await.expect("Meilisearch settings");
    let held = index
        .search(SearchQuery {
            now: NOW,
            limit: 0,
            ..SearchQuery::default()
        })
        .await
        .expect("count")
        .total;
    run(&index, size, taxonomy, held != size).await;
}

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../persistence/seed/taxonomy.json"
    );
    let taxonomy: Vec<Node> =
        serde_json::from_str(&std::fs::read_to_string(path).expect("taxonomy")).expect("json");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    if let Ok(url) = std::env::var("MEILI_URL") {
        let size = std::env::var("MEILI_SCALE")
            .ok()
            .and_then(|scale| scale.parse().ok())
            .unwrap_or(100_000);
        println!("Meilisearch at {url}: synthetic suppliers over the seed taxonomy");
        runtime.block_on(bench_meili(&url, size, &taxonomy));
        return;
    }
    println!("embedded (tantivy) index: synthetic suppliers over the seed taxonomy");
    for size in SIZES {
        runtime.block_on(bench(size, &taxonomy));
    }
    match peak_rss_mib() {
        Some(mib) => println!("\npeak RSS (VmHWM): {mib:.0} MiB"),
        None => println!("\npeak RSS: /proc/self/status unavailable"),
    }
}
