//! `pmt serve --seed-demo` (`make run`): what a newcomer relies on when
//! trying the platform on the demo data.

use serde_json::Value;
use tests::server::Backend;
use tests::{TestApp, eventually};

/// The shared password the server prints with the demo accounts.
const DEMO_PASSWORD: &str = "demo-pmt-business-2026";
const STATUSES: [&str; 9] = [
    "draft",
    "submitted",
    "qualified",
    "changes_requested",
    "rejected",
    "open",
    "closed",
    "awarded",
    "cancelled",
];

async fn token(app: &TestApp, email: &str) -> String {
    let tokens = app.login(email, DEMO_PASSWORD).await;
    tokens["access_token"].as_str().expect("token").to_owned()
}

async fn total(app: &TestApp, query: &str) -> u64 {
    let reply = app.get(&format!("/api/v1/suppliers?{query}"), None).await;
    reply.assert_status(200)["total"].as_u64().expect("total")
}

/// The directory once the index has caught up with the seeding.
async fn directory_size(app: &TestApp) -> u64 {
    eventually(60, "40 published demo suppliers", async || {
        Some(total(app, "limit=1").await).filter(|n| *n >= 40)
    })
    .await
}

/// What the demo holds, as the back office sees it.
async fn snapshot(app: &TestApp, expert: &str, admin: &str) -> Vec<(String, usize)> {
    let mut counts = Vec::new();
    for status in STATUSES {
        let path = format!("/api/v1/backoffice/requests?status={status}&limit=100");
        let queue = app.get(&path, Some(expert)).await;
        let items = queue.assert_status(200)["items"]
            .as_array()
            .map_or(0, Vec::len);
        counts.push((status.to_owned(), items));
    }
    let users = app
        .all_pages("/api/v1/admin/users", Some(admin), 100)
        .await
        .len();
    counts.push(("users".to_owned(), users));
    counts.push(("suppliers".to_owned(), total(app, "limit=1").await as usize));
    counts
}

fn first_id(queue: &Value) -> String {
    queue["items"][0]["request_id"]
        .as_str()
        .expect("a request")
        .to_owned()
}

async fn scenario(mut app: TestApp) {
    let expert = token(&app, "expert@pmt-business.example").await;
    let admin = token(&app, "admin@pmt-business.example").await;
    token(&app, "achats@cardiodijon.example").await;
    token(&app, "contact@microtech-doubs.example").await;

    // The directory is the cluster's: members and others, every family.
    assert!(directory_size(&app).await >= 40);
    assert!(total(&app, "member=true").await >= 10);
    assert!(total(&app, "member=false").await >= 10);
    let taxonomy = app.get("/api/v1/taxonomy", None).await;
    let families = taxonomy
        .assert_status(200)
        .as_array()
        .expect("taxonomy")
        .clone();
    assert!(families.len() >= 15);
    for family in &families {
        let code = family["code"].as_str().expect("code");
        assert!(
            total(&app, &format!("capability={code}")).await >= 1,
            "no supplier in {code}"
        );
    }
    // A newcomer's first searches find something.
    assert!(total(&app, "q=usinage%20titane").await >= 1);
    assert!(total(&app, "q=biocompatibility").await >= 1);
    assert!(
        total(
            &app,
            "certification=iso_13485&region=Bourgogne-Franche-Comt%C3%A9"
        )
        .await
            >= 5
    );

    // Requests in every state of the workflow.
    let before = snapshot(&app, &expert, &admin).await;
    for (status, count) in &before[..STATUSES.len()] {
        assert!(*count >= 1, "no {status} request");
    }
    let open = app
        .get("/api/v1/backoffice/requests?status=open", Some(&expert))
        .await;
    let open = first_id(open.assert_status(200));
    let questions = app
        .get(&format!("/api/v1/requests/{open}/questions"), Some(&expert))
        .await;
    assert!(
        !questions.assert_status(200)["items"]
            .as_array()
            .expect("questions")
            .is_empty()
    );
    let answers = app
        .get(&format!("/api/v1/requests/{open}/answers"), Some(&expert))
        .await;
    let answers = answers.assert_status(200)["items"]
        .as_array()
        .expect("answers")
        .clone();
    assert!(answers.len() >= 2, "invitations: {answers:?}");
    assert!(
        answers.iter().any(|a| a["quote"].is_object()),
        "a quote: {answers:?}"
    );
    let qualified = app
        .get(
            "/api/v1/backoffice/requests?status=qualified",
            Some(&expert),
        )
        .await;
    let qualified = first_id(qualified.assert_status(200));
    let candidates = app
        .get(
            &format!("/api/v1/requests/{qualified}/candidates"),
            Some(&expert),
        )
        .await;
    let candidates = candidates.assert_status(200)["candidates"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(candidates >= 1, "no candidate for a qualified request");

    // A certificate expiring within 30 days of the seed is reminded at start.
    // (After the seed's few hundred emails.)
    eventually(60, "an expiry reminder", async || {
        let outbox = app.outbox().all();
        outbox.into_iter().find(|e| {
            e.to == "commercial@decolletage-hautdoubs.example"
                && e.subject.contains("Certificat bientôt expiré")
        })
    })
    .await;

    // Starting again with --seed-demo changes nothing.
    app.restart_server().await;
    let expert = token(&app, "expert@pmt-business.example").await;
    let admin = token(&app, "admin@pmt-business.example").await;
    assert_eq!(snapshot(&app, &expert, &admin).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    scenario(TestApp::spawn_serving(Backend::Sqlite, &[], &["--seed-demo"]).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    scenario(TestApp::spawn_serving(Backend::Postgres, &[], &["--seed-demo"]).await).await;
}

/// The demo accounts share a published password: production refuses to
/// create them, before opening anything, and names the switch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_demo_is_refused_in_production() {
    let mut app = TestApp::spawn(Backend::Sqlite).await;
    // The embedded index has one writer: the refused process must not
    // fail on it instead.
    app.stop_server().await;
    let production = [
        ("PMT_ENV", "production"),
        ("PASSWORD_HASH_COST", "standard"),
        ("PMT_BIND", "127.0.0.1:0"),
    ];
    let run = app.command(&["serve", "--seed-demo"], &production).output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(30), run)
        .await
        .expect("pmt serve --seed-demo kept running in production")
        .expect("run pmt");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("--seed-demo") && stderr.contains("production"),
        "{stderr}"
    );
    // No demo account was created.
    app.restart_server().await;
    app.post(
        "/api/v1/auth/login",
        None,
        serde_json::json!({ "email": "admin@pmt-business.example", "password": DEMO_PASSWORD }),
    )
    .await
    .assert_problem(401, "invalid_credentials");
}
