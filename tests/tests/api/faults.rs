//! Fault injection: the capability index goes down while profiles change,
//! PostgreSQL stops while requests arrive, and the server is killed while
//! its workers drain the email and index outboxes. Each time nothing is
//! lost, nothing hangs, and the system recovers by itself.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use tests::directory::{hit_ids, iso_13485, micro_machining_profile};
use tests::postgres::Cluster;
use tests::server::{Reply, registration, siret};
use tests::smtp::SmtpServer;
use tests::{Backend, TestApp, eventually};

fn today_plus(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::TimeDelta::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// A third profile, unlike the fixtures, found by its own words.
fn cleanroom_profile() -> Value {
    json!({
        "description_fr": "Assemblage en salle blanche ISO 7 et conditionnement de dispositifs médicaux stériles à Dole.",
        "capabilities": [{ "code": "cleanroom.assembly" }],
        "sectors": ["medtech"],
        "location": { "city": "Dole", "department": "39", "region": "Bourgogne-Franche-Comté" }
    })
}

/// Takes the index down (creates the fault file) or brings it back.
fn index_down(file: &Path, down: bool) {
    if down {
        std::fs::write(file, b"").expect("create the fault file");
    } else {
        std::fs::remove_file(file).expect("remove the fault file");
    }
}

/// Each id of a search answer exactly once, sorted.
#[track_caller]
fn distinct_sorted(response: &Value) -> Vec<String> {
    let mut ids = hit_ids(response);
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "a supplier listed twice: {response}");
    ids
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

async fn readiness(app: &TestApp) -> Reply {
    app.get("/readyz", None).await
}

/// Edits a published profile (the edit goes to review) and has the expert
/// approve it.
async fn republish(app: &TestApp, supplier: &str, org: &str, profile: Value, expert: &str) {
    let path = format!("/api/v1/organisations/{org}/profile");
    let current = app.get(&path, Some(supplier)).await;
    let etag = current.etag();
    app.send(
        app.request(Method::PUT, &path, Some(supplier))
            .header("if-match", etag)
            .json(&profile),
    )
    .await
    .assert_status(200);
    let version = app.profile_version(org, expert).await;
    app.post_if_match(
        &format!("/api/v1/backoffice/profiles/{org}/approve"),
        Some(expert),
        version,
        json!({}),
    )
    .await
    .assert_status(200);
}

mod index_outage {
    use super::*;

    /// Profiles are published, edited, suspended and certified while the
    /// index is down: every write succeeds, readiness reports the lag, and
    /// once the index is back it converges to the database without any
    /// change lost or any supplier listed twice.
    async fn scenario(backend: Backend) {
        let switch = tempfile::tempdir().expect("temp dir");
        let fault = switch.path().join("index-down");
        let fault_env = fault.display().to_string();
        let app =
            TestApp::spawn_with(backend, &[("PMT_INDEX_FAULT_FILE", fault_env.as_str())]).await;
        let expert = app.back_office("expert", "expert@pmt.example").await;
        let [(machining, machining_org), (_, sterilisation_org)] =
            app.machining_and_sterilisation(&expert).await;
        app.search_until("limit=50", |r| r["total"] == 2).await;

        index_down(&fault, true);
        app.get("/api/v1/suppliers?q=usinage", None)
            .await
            .assert_problem(503, "service_unavailable");

        // Every kind of change, each writing an index event, while down.
        let mut edited = micro_machining_profile();
        edited["description_fr"] =
            json!("Micro-usinage et électroérosion à fil de pièces en titane.");
        republish(&app, &machining, &machining_org, edited, &expert).await;
        app.post(
            &format!("/api/v1/organisations/{machining_org}/certifications"),
            Some(&machining),
            iso_13485(&today_plus(-30), &today_plus(700)),
        )
        .await
        .assert_status(201);
        app.post(
            &format!("/api/v1/backoffice/profiles/{sterilisation_org}/suspend"),
            Some(&expert),
            json!({ "comment": "Certificat falsifié" }),
        )
        .await
        .assert_status(200);
        let (_, cleanroom_org) = app
            .published_supplier(
                "c@salleblanche.example",
                &siret(3),
                cleanroom_profile(),
                &[],
                &expert,
            )
            .await;
        // The database serves what does not need the index.
        app.get(&format!("/api/v1/suppliers/{cleanroom_org}"), None)
            .await
            .assert_status(200);

        let ready = readiness(&app).await;
        let ready = ready.assert_status(503);
        assert_eq!(ready["database"], "ok");
        assert_eq!(ready["index"], "unavailable");
        assert!(ready["index_lag"].as_i64() >= Some(4), "{ready}");

        index_down(&fault, false);
        let ready = eventually(60, "the index caught up", async || {
            let reply = readiness(&app).await;
            (reply.status == 200 && reply.body["index_lag"] == 0).then_some(reply.body)
        })
        .await;
        assert_eq!(ready["index"], "ok");

        // Converged: exactly the listed suppliers, each once, as they are now.
        let all = app.get("/api/v1/suppliers?limit=50", None).await;
        assert_eq!(
            distinct_sorted(all.assert_status(200)),
            sorted(vec![machining_org.clone(), cleanroom_org.clone()])
        );
        assert_eq!(all.body["total"], 2);
        let edit = app
            .get("/api/v1/suppliers?q=%C3%A9lectro%C3%A9rosion", None)
            .await;
        assert_eq!(
            hit_ids(edit.assert_status(200)),
            vec![machining_org.clone()]
        );
        let certified = app
            .get("/api/v1/suppliers?certification=iso_13485", None)
            .await;
        assert_eq!(
            hit_ids(certified.assert_status(200)),
            vec![machining_org.clone()]
        );
        let new = app.get("/api/v1/suppliers?q=salle%20blanche", None).await;
        assert_eq!(hit_ids(new.assert_status(200)), vec![cleanroom_org.clone()]);
        let suspended = app.get("/api/v1/suppliers?q=gamma", None).await;
        assert!(
            hit_ids(suspended.assert_status(200)).is_empty(),
            "{}",
            suspended.body
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        scenario(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        scenario(Backend::Postgres).await;
    }
}

/// One request of the stream sent while the database is down.
struct Probe {
    label: &'static str,
    method: Method,
    path: String,
    token: Option<String>,
    body: Option<Value>,
}

impl Probe {
    fn new(
        label: &'static str,
        method: Method,
        path: String,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Self {
        Self {
            label,
            method,
            path,
            token: token.map(str::to_owned),
            body,
        }
    }
}

/// PostgreSQL stops while reads and writes, public and authenticated,
/// arrive. Each gets a 503 `service_unavailable` problem (none hangs: the
/// client gives up after 20 s, four times the pool's wait for a
/// connection), the process stays up, and when PostgreSQL is back the
/// same server answers normally again and its workers still run.
///
/// PostgreSQL only: SQLite is a file inside the server process and cannot
/// be stopped from outside. The test runs its own cluster so that
/// stopping it disturbs no other test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_answers_503_and_the_api_recovers_by_itself() {
    let cluster = Arc::new(
        tokio::task::spawn_blocking(Cluster::start)
            .await
            .expect("cluster"),
    );
    let database = cluster.fresh_database();
    let mut app = TestApp::spawn_on_postgres(database, &[]).await;
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let (buyer, _) = app
        .signed_up("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    let (supplier, org) = app
        .published_supplier(
            "a@microtech.example",
            &siret(2),
            micro_machining_profile(),
            &[],
            &expert,
        )
        .await;
    let probes = || {
        vec![
            Probe::new(
                "public profile",
                Method::GET,
                format!("/api/v1/suppliers/{org}"),
                None,
                None,
            ),
            Probe::new("me", Method::GET, "/api/v1/me".into(), Some(&buyer), None),
            Probe::new(
                "own profile",
                Method::GET,
                format!("/api/v1/organisations/{org}/profile"),
                Some(&supplier),
                None,
            ),
            Probe::new(
                "login",
                Method::POST,
                "/api/v1/auth/login".into(),
                None,
                Some(
                    json!({ "email": "claire@cardiodijon.example", "password": tests::server::PASSWORD }),
                ),
            ),
            Probe::new(
                "registration",
                Method::POST,
                "/api/v1/auth/register".into(),
                None,
                Some(registration("buyer", "late@cardiodijon.example", &siret(3))),
            ),
            Probe::new(
                "preferences",
                Method::PATCH,
                "/api/v1/me/preferences".into(),
                Some(&buyer),
                Some(json!({ "language": "en" })),
            ),
            Probe::new(
                "password reset",
                Method::POST,
                "/api/v1/auth/password-reset".into(),
                None,
                Some(json!({ "email": "claire@cardiodijon.example" })),
            ),
            Probe::new(
                "certificate",
                Method::POST,
                format!("/api/v1/organisations/{org}/certifications"),
                Some(&supplier),
                Some(iso_13485(&today_plus(-30), &today_plus(700))),
            ),
        ]
    };
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    let base_url = app.base_url.clone();
    let send = |probe: Probe| {
        let mut request = client.request(probe.method, format!("{base_url}{}", probe.path));
        if let Some(token) = &probe.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = &probe.body {
            request = request.json(body);
        }
        async move {
            let response = request
                .send()
                .await
                .unwrap_or_else(|e| panic!("{}: no answer: {e}", probe.label));
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            (probe.label, status, content_type, body)
        }
    };

    // A stream of requests that keeps arriving across the stop and the
    // restart: repeatable ones, so that each may succeed any number of times.
    let done = AtomicBool::new(false);
    let answered = AtomicUsize::new(0);
    let stream = async {
        let mut answers = Vec::new();
        while !done.load(Ordering::Acquire) {
            let batch = probes()
                .into_iter()
                .filter(|p| !matches!(p.label, "registration" | "certificate"));
            answers.extend(futures::future::join_all(batch.map(&send)).await);
            answered.store(answers.len(), Ordering::Release);
        }
        answers
    };
    let outage = async {
        // The stream flows (and succeeds) before the database goes away.
        eventually(30, "the stream flowing", async || {
            (answered.load(Ordering::Acquire) > 0).then_some(())
        })
        .await;
        let stopping = cluster.clone();
        tokio::task::spawn_blocking(move || stopping.stop())
            .await
            .expect("stop PostgreSQL");
        // Two waves of every request, writes included: the first meets the
        // pool's dead connections, the second a pool that cannot connect.
        for wave in 1..=2 {
            let answers = futures::future::join_all(probes().into_iter().map(&send)).await;
            for (label, status, content_type, body) in answers {
                assert_eq!(status, 503, "wave {wave}, {label}: {body}");
                assert_eq!(
                    content_type, "application/problem+json",
                    "wave {wave}, {label}"
                );
                assert_eq!(
                    body["code"], "service_unavailable",
                    "wave {wave}, {label}: {body}"
                );
            }
        }
        let ready = readiness(&app).await;
        assert_eq!(ready.assert_status(503)["database"], "unavailable");
        app.get("/healthz", None).await.assert_status(200);

        let starting = cluster.clone();
        tokio::task::spawn_blocking(move || starting.resume())
            .await
            .expect("start PostgreSQL again");
        eventually(30, "the API answers again", async || {
            (app.get("/api/v1/me", Some(&buyer)).await.status == 200).then_some(())
        })
        .await;
        done.store(true, Ordering::Release);
    };
    let (streamed, ()) = tokio::join!(stream, outage);
    for (label, status, content_type, body) in &streamed {
        let unavailable = *status == 503
            && content_type == "application/problem+json"
            && body["code"] == "service_unavailable";
        assert!(
            (200..300).contains(status) || unavailable,
            "{label} during the outage: {status} {content_type} {body}"
        );
    }
    let failed = streamed
        .iter()
        .filter(|(_, status, _, _)| *status == 503)
        .count();
    assert!(
        failed > 0 && failed < streamed.len(),
        "the stream spanned the outage"
    );
    assert!(app.server_is_running(), "the server died during the outage");

    // Every request now succeeds on the same process; the registration
    // refused during the outage left nothing behind.
    for probe in probes() {
        let (label, status, _, body) = send(probe).await;
        assert!(
            (200..300).contains(&status),
            "{label} after recovery: {status} {body}"
        );
    }
    eventually(30, "ready again", async || {
        (readiness(&app).await.status == 200).then_some(())
    })
    .await;
    assert!(app.server_is_running());

    // The workers outlived the outage: the email worker delivers what the
    // registration queued, the index worker applies the certificate.
    let email = app
        .outbox()
        .wait_for("late@cardiodijon.example", "Confirmez votre adresse")
        .await;
    assert!(email.text.contains("https://pmt.test/"));
    app.search_until("certification=iso_13485", |r| hit_ids(r) == [org.clone()])
        .await;
    app.stop_server().await;
}

mod crash_while_draining_the_outboxes {
    use super::*;

    /// Each SMTP delivery takes at least this long, so that the backlog
    /// is still being drained when the server is killed.
    const SMTP_DELAY: Duration = Duration::from_millis(200);
    const BUYERS: u32 = 30;

    /// The server is killed (SIGKILL) while its email worker drains a
    /// backlog (some messages delivered, one claimed, the rest pending) and
    /// while index events wait to be applied; a new process on the same
    /// database and data directory finishes the work. The claimed message
    /// waits for its lease (36 s here), which is most of this test's time.
    ///
    /// What "applied once" means, precisely:
    /// - every email the outbox holds reaches the SMTP server, and nothing
    ///   else does: the set of Message-IDs received equals the set of
    ///   messages in the outbox, all `sent` in the end, one per event;
    /// - a message the SMTP server accepted but the killed process had not
    ///   yet marked sent is delivered again after its lease, with the same
    ///   Message-ID (documented at-least-once delivery, see README "Email").
    ///   The worker sends one message at a time, so at most one message is
    ///   in that window: at most one extra copy, of an already received
    ///   Message-ID;
    /// - every index event is applied: the index lists exactly the
    ///   published, unsuspended suppliers, each once.
    async fn scenario(backend: Backend) {
        let smtp = SmtpServer::start_slow(SMTP_DELAY).await;
        let switch = tempfile::tempdir().expect("temp dir");
        let fault = switch.path().join("index-down");
        let fault_env = fault.display().to_string();
        let smtp_url = smtp.url();
        // A one-second SMTP timeout makes the lease 36 s (6 timeouts + 30 s).
        let mut app = TestApp::spawn_with(
            backend,
            &[
                ("SMTP_URL", smtp_url.as_str()),
                ("SMTP_TIMEOUT_SECONDS", "1"),
                ("NOTIFY_RETRY_BASE_SECONDS", "1"),
                ("PMT_INDEX_FAULT_FILE", fault_env.as_str()),
            ],
        )
        .await;
        let mail = smtp.outbox();
        let admin = app.back_office("admin", "admin@pmt.example").await;
        let expert = app.back_office("expert", "expert@pmt.example").await;
        let [(_, machining), (_, sterilisation)] = app.machining_and_sterilisation(&expert).await;
        app.search_until("limit=50", |r| r["total"] == 2).await;

        // Index events that cannot be applied before the crash: a new
        // supplier and a suspension.
        index_down(&fault, true);
        let (_, cleanroom) = app
            .published_supplier(
                "c@salleblanche.example",
                &siret(3),
                cleanroom_profile(),
                &[],
                &expert,
            )
            .await;
        app.post(
            &format!("/api/v1/backoffice/profiles/{sterilisation}/suspend"),
            Some(&expert),
            json!({ "comment": "Certificat falsifié" }),
        )
        .await
        .assert_status(200);
        // An email backlog: one verification email per buyer.
        let buyers: Vec<String> = (1..=BUYERS)
            .map(|n| format!("buyer{n}@cardiodijon.example"))
            .collect();
        for (n, buyer) in (10..).zip(&buyers) {
            app.register("buyer", buyer, &siret(n)).await;
        }
        // Crash in the middle of the drain: some delivered, more to go.
        eventually(30, "the first deliveries", async || {
            (mail.all().len() >= 5).then_some(())
        })
        .await;
        let before = readiness(&app).await.body;
        let backlog = before["outbox_backlog"].as_i64().expect("backlog");
        assert!(
            backlog > 0,
            "nothing left to deliver at the crash: {before}"
        );
        assert!(before["index_lag"].as_i64() > Some(0), "{before}");

        // What the killed worker held: claimed, maybe accepted by the SMTP
        // server, not marked sent.
        let in_flight: Vec<String> = app
            .all_pages(
                "/api/v1/admin/notifications?status=sending",
                Some(&admin),
                100,
            )
            .await
            .iter()
            .map(|n| format!("{}@pmt-business", n["id"].as_str().expect("id")))
            .collect();
        assert!(in_flight.len() <= 1, "one message at a time: {in_flight:?}");
        app.crash_and_restart().await;
        index_down(&fault, false);

        // The new process drains the outbox; the message the killed one had
        // claimed waits for its lease to end.
        eventually(90, "the outbox drained", async || {
            let ready = readiness(&app).await.body;
            (ready["outbox_backlog"] == 0 && ready["index_lag"] == 0).then_some(())
        })
        .await;
        let outbox: Vec<Value> = app
            .all_pages("/api/v1/admin/notifications", Some(&admin), 100)
            .await;
        assert!(outbox.iter().all(|n| n["status"] == "sent"), "{outbox:?}");
        let expected: Vec<String> = sorted(
            outbox
                .iter()
                .map(|n| format!("{}@pmt-business", n["id"].as_str().expect("id")))
                .collect(),
        );
        let received = mail.all();
        let mut copies: HashMap<String, usize> = HashMap::new();
        for email in &received {
            *copies.entry(email.message_id.clone()).or_default() += 1;
        }
        assert_eq!(
            sorted(copies.keys().cloned().collect()),
            expected,
            "Message-IDs received"
        );
        for id in &in_flight {
            assert!(
                copies.contains_key(id),
                "the message in flight at the crash was lost"
            );
        }
        let extra = received.len() - expected.len();
        assert!(extra <= 1, "{extra} extra copies: {copies:?}");
        for buyer in &buyers {
            let ids: Vec<&str> = received
                .iter()
                .filter(|e| &e.to == buyer)
                .map(|e| e.message_id.as_str())
                .collect();
            assert!(!ids.is_empty(), "{buyer} never got the verification email");
            assert!(
                ids.iter().all(|id| *id == ids[0]),
                "{buyer} got different messages: {ids:?}"
            );
        }

        let all = app.get("/api/v1/suppliers?limit=50", None).await;
        assert_eq!(
            distinct_sorted(all.assert_status(200)),
            sorted(vec![machining, cleanroom])
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        scenario(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        scenario(Backend::Postgres).await;
    }
}

/// The fault switch exists for tests: a production server refuses to start
/// with it rather than run with an index someone can turn off with a file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_fault_switch_is_refused_in_production() {
    let data = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}", data.path().join("pmt.db").display());
    let fault = data.path().join("index-down");
    let mut command = tokio::process::Command::new(tests::server::pmt_binary());
    command
        .arg("serve")
        .env_remove("MEILI_URL")
        .env_remove("SMTP_URL")
        .env("PMT_ENV", "production")
        .env("JWT_SECRET", tests::server::JWT_SECRET)
        .env("PASSWORD_HASH_COST", "standard")
        .env("DATABASE_URL", &database)
        .env("PMT_DATA_DIR", data.path())
        .env("PMT_BIND", "127.0.0.1:0")
        .env("PMT_INDEX_FAULT_FILE", &fault)
        .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .expect("the server started instead of refusing")
        .expect("run pmt serve");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("PMT_INDEX_FAULT_FILE is refused when PMT_ENV=production"),
        "{stderr}"
    );
}
