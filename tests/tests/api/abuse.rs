//! Limits that keep one client from exhausting the platform or reading
//! what a browser should not keep: per-address rate limits answering 429
//! with `Retry-After`, bounded pages, bodies, strings and lists, and
//! security headers on every answer.

use serde_json::json;
use tests::on_both_backends;
use tests::server::{registration, siret};
use tests::sourcing::titanium_request;
use tests::{Backend, TestApp};

fn retry_after(reply: &tests::server::Reply) -> u64 {
    reply
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("429 without a Retry-After in seconds: {:?}", reply.headers))
}

#[tokio::test]
async fn every_route_is_limited_per_address_but_probes_are_not() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("RATE_LIMIT_PER_MINUTE", "10")]).await;
    for _ in 0..10 {
        app.get("/api/v1/taxonomy", None).await.assert_status(200);
    }
    let refused = app.get("/api/v1/suppliers", None).await;
    refused.assert_problem(429, "too_many_requests");
    let wait = retry_after(&refused);
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    // A load balancer's probes still get through.
    app.get("/healthz", None).await.assert_status(200);
    app.get("/readyz", None).await.assert_status(200);
}

#[tokio::test]
async fn token_refresh_and_login_share_the_attempt_limit() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("AUTH_RATE_LIMIT_PER_MINUTE", "3")]).await;
    let stolen = json!({ "refresh_token": "guessed-refresh-token-0000000000" });
    for _ in 0..3 {
        app.post("/api/v1/auth/refresh", None, stolen.clone())
            .await
            .assert_problem(401, "invalid_refresh_token");
    }
    let refused = app.post("/api/v1/auth/refresh", None, stolen).await;
    refused.assert_problem(429, "too_many_requests");
    assert!(retry_after(&refused) >= 1);
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "a@b.example", "password": "x" }),
        )
        .await;
    login.assert_problem(429, "too_many_requests");
    assert!(retry_after(&login) >= 1);
}

async fn every_answer_carries_security_headers(app: &TestApp) {
    let (token, _) = app
        .signed_up("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    for reply in [
        app.get("/api/v1/me", Some(&token)).await,
        app.get("/api/v1/taxonomy", None).await,
        app.get("/api/v1/no-such-route", None).await,
        app.post("/api/v1/auth/login", None, json!({})).await,
    ] {
        let header = |name: &str| {
            reply
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert_eq!(header("x-frame-options"), "DENY");
        assert_eq!(header("referrer-policy"), "no-referrer");
        assert_eq!(
            header("content-security-policy"),
            "default-src 'none'; frame-ancestors 'none'"
        );
        assert_eq!(
            header("cache-control"),
            "no-store",
            "answers hold private data and tokens"
        );
        // PUBLIC_BASE_URL is https in tests.
        assert_eq!(header("strict-transport-security"), "max-age=31536000");
    }
    // The documentation page may run its own (vendored) scripts, no others.
    let docs = app.get("/docs/", None).await;
    let policy = docs
        .headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(policy.starts_with("default-src 'self'"), "{policy}");
}

async fn pages_strings_and_lists_are_bounded(app: &TestApp) {
    let w = app.sourcing_world().await;
    for path in [
        "/api/v1/requests?limit=101",
        "/api/v1/requests?limit=0",
        "/api/v1/backoffice/requests?limit=1000",
        "/api/v1/backoffice/matches?limit=1000",
        "/api/v1/backoffice/profiles?limit=1000",
        "/api/v1/backoffice/certifications?limit=1000",
        "/api/v1/suppliers?limit=1000",
    ] {
        let token = if path.contains("backoffice") {
            &w.expert
        } else {
            &w.buyer
        };
        app.get(path, Some(token))
            .await
            .assert_problem(422, "validation_failed");
    }
    let mut long_title = titanium_request();
    long_title["title"] = json!("x".repeat(301));
    let reply = app
        .post("/api/v1/requests", Some(&w.buyer), long_title)
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.body["errors"][0]["field"], "title");

    let mut many = titanium_request();
    many["attachments"] = json!(vec![titanium_request()["attachments"][0].clone(); 21]);
    many["sectors"] = json!(vec!["medtech"; 21]);
    many["capabilities"] = json!(vec!["machining.micro_machining"; 31]);
    let reply = app.post("/api/v1/requests", Some(&w.buyer), many).await;
    reply.assert_problem(422, "validation_failed");
    let fields: Vec<&str> = reply.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    for field in ["attachments", "sectors", "capabilities"] {
        assert!(fields.contains(&field), "{field} not refused: {fields:?}");
    }

    let mut profile = tests::directory::micro_machining_profile();
    profile["equipment"] = json!(vec!["Tour Swiss"; 51]);
    profile["working_languages"] = json!(vec!["fr"; 11]);
    profile["private_contacts"] = json!(vec![
        json!({ "name": "Jean", "email": "jean@microtech.example" });
        21
    ]);
    let org = &w.certified[0].org;
    let reply = app
        .put(
            &format!("/api/v1/organisations/{org}/profile"),
            Some(&w.certified[0].token),
            profile,
        )
        .await;
    let fields: Vec<&str> = reply.body["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default();
    for field in ["equipment", "working_languages", "private_contacts"] {
        assert!(
            fields.contains(&field),
            "{field} not refused: {}",
            reply.body
        );
    }

    // No password is longer than 128 characters: a longer one costs no hash.
    app.post(
        "/api/v1/auth/login",
        None,
        json!({ "email": "a@b.example", "password": "p".repeat(10_000) }),
    )
    .await
    .assert_problem(401, "invalid_credentials");

    // A body over the limit never reaches a handler.
    let mut huge = registration("buyer", "big@x.example", &siret(99));
    huge["organisation"]["legal_name"] = json!("x".repeat(70_000));
    app.post("/api/v1/auth/register", None, huge)
        .await
        .assert_problem(413, "payload_too_large");
}

on_both_backends!(
    every_answer_carries_security_headers,
    pages_strings_and_lists_are_bounded
);
