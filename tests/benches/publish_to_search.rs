//! The directory's freshness and speed against the real server (SQLite,
//! embedded index), through HTTP:
//!
//! - from an expert's approval to the supplier being returned by
//!   `GET /api/v1/suppliers?q=...` (polled every 10 ms), over 30 suppliers:
//!   the "shows up in the directory within a second" requirement;
//! - the latency of sequential searches over 230 published suppliers.
//!
//! `cargo bench -p tests --bench publish_to_search`; needs the `pmt` binary
//! (`cargo build -p api`, or `PMT_BIN`).

use std::time::{Duration, Instant};

use serde_json::json;
use tests::directory::{hit_ids, micro_machining_profile};
use tests::server::siret;
use tests::{Backend, TestApp};

const APPROVALS: u32 = 30;
const BULK: usize = 200;
const SEARCHES: usize = 200;

/// A word no other supplier has, for supplier `n`: "repere" + letters.
fn marker(n: u32) -> String {
    let letters: String = format!("{n:03}")
        .bytes()
        .map(|d| char::from(b'k' + (d - b'0')))
        .collect();
    format!("repere{letters}")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Registers, writes and submits a profile; returns (org id, supplier token).
async fn submitted_supplier(app: &TestApp, n: u32) -> String {
    let email = format!("s{n}@bench.example");
    let (token, registered) = app.signed_up("supplier", &email, &siret(n)).await;
    let org = registered["organisation"]["id"]
        .as_str()
        .expect("org")
        .to_owned();
    let mut profile = micro_machining_profile();
    profile["description_fr"] = json!(format!(
        "Atelier de micro-usinage, référence {}.",
        marker(n)
    ));
    app.put(
        &format!("/api/v1/organisations/{org}/profile"),
        Some(&token),
        profile,
    )
    .await
    .assert_status(201);
    app.post(
        &format!("/api/v1/organisations/{org}/profile/submit"),
        Some(&token),
        json!(null),
    )
    .await
    .assert_status(200);
    org
}

async fn approval_to_search(app: &TestApp) {
    let expert = app.back_office("expert", "expert@bench.example").await;
    let mut delays = Vec::new();
    for n in 1..=APPROVALS {
        let org = submitted_supplier(app, n).await;
        let started = Instant::now();
        app.post(
            &format!("/api/v1/backoffice/profiles/{org}/approve"),
            Some(&expert),
            json!({}),
        )
        .await
        .assert_status(200);
        let path = format!("/api/v1/suppliers?q={}", marker(n));
        loop {
            let found = app.get(&path, None).await;
            if hit_ids(found.assert_status(200)).contains(&org) {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "supplier {n} not searchable after 10 s"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        delays.push(started.elapsed());
    }
    delays.sort_unstable();
    println!(
        "approve -> returned by search ({APPROVALS} suppliers): p50 {}, max {}",
        ms(percentile(&delays, 0.5)),
        ms(delays[delays.len() - 1])
    );
}

/// Loads `BULK` more published suppliers with `admin import-suppliers`.
async fn import_bulk(app: &TestApp) {
    let activities = [
        (
            "machining.micro_machining",
            "Micro-usinage de pièces en titane",
        ),
        (
            "plastics.injection_moulding",
            "Injection plastique de composants",
        ),
        ("sterilisation.gamma", "Stérilisation gamma à façon"),
        ("testing.mechanical", "Essais mécaniques de fatigue"),
        ("biotech.cell_culture", "Culture cellulaire et bio-analyse"),
    ];
    let mut csv = String::from(
        "legal_name,siret,street,postal_code,city,department,region,description_fr,capabilities,sectors,certifications\n",
    );
    for i in 0..BULK {
        let (code, text) = activities[i % activities.len()];
        csv.push_str(&format!(
            "Fournisseur {i},{},1 rue de l'Industrie,25000,Besançon,25,Bourgogne-Franche-Comté,{text} n° {i},{code},medtech,iso_13485|2025-01-01|2028-01-01|GMED|Production\n",
            siret(1_000 + i as u32)
        ));
    }
    let path = app.data_dir.path().join("bench-suppliers.csv");
    std::fs::write(&path, csv).expect("write csv");
    let output = app
        .cli(
            &["admin", "import-suppliers", &path.display().to_string()],
            &[],
        )
        .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let expected = APPROVALS as usize + BULK;
    app.search_until("limit=1", |r| r["total"] == expected)
        .await;
}

async fn search_latency(app: &TestApp) {
    let queries = [
        "q=micro-usinage",
        "q=titanne",
        "q=sterilisation%20gamma",
        "q=injection&capability=plastics",
        "q=essais&certification=iso_13485",
        "capability=biotech&sector=medtech",
        "q=culture%20cellulaire&region=Bourgogne-Franche-Comt%C3%A9",
        "sort=name&limit=50",
    ];
    let mut samples = Vec::new();
    for i in 0..SEARCHES {
        let started = Instant::now();
        app.get(
            &format!("/api/v1/suppliers?{}", queries[i % queries.len()]),
            None,
        )
        .await
        .assert_status(200);
        samples.push(started.elapsed());
    }
    samples.sort_unstable();
    println!(
        "GET /api/v1/suppliers ({SEARCHES} sequential requests, {} suppliers): p50 {}, p95 {}",
        APPROVALS as usize + BULK,
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.95))
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    println!(
        "pmt server on SQLite with the embedded index ({})",
        app.base_url
    );
    approval_to_search(&app).await;
    import_bulk(&app).await;
    search_latency(&app).await;
}
