//! Errors are problem+json with stable codes, whatever goes wrong; probes,
//! request ids and CORS behave as operators and frontends expect.

use reqwest::Method;
use serde_json::json;
use tests::TestApp;
use tests::on_both_backends;
use tests::server::{registration, siret};

async fn framework_rejections_are_problem_documents_with_codes(app: &TestApp) {
    app.get("/api/v1/no-such-thing", None)
        .await
        .assert_problem(404, "route_not_found");

    let wrong_method = app
        .send(app.request(Method::DELETE, "/api/v1/auth/login", None))
        .await;
    wrong_method.assert_problem(405, "method_not_allowed");
    assert_eq!(
        wrong_method
            .headers
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("POST")
    );

    let malformed = app
        .send(
            app.request(Method::POST, "/api/v1/auth/login", None)
                .header("content-type", "application/json")
                .body("{\"email\":"),
        )
        .await;
    malformed.assert_problem(422, "validation_failed");
    assert_eq!(malformed.body["errors"][0]["code"], "malformed_json");

    app.post(
        "/api/v1/auth/login",
        None,
        json!({ "email": 42, "password": "x" }),
    )
    .await
    .assert_problem(422, "validation_failed");
    app.post(
        "/api/v1/auth/login",
        None,
        json!({ "email": "a@b.fr", "password": "x", "admin": true }),
    )
    .await
    .assert_problem(422, "validation_failed");
    app.post("/api/v1/auth/login", None, json!({ "email": "a@b.fr" }))
        .await
        .assert_problem(422, "validation_failed");

    let not_json = app
        .send(
            app.request(Method::POST, "/api/v1/auth/login", None)
                .header("content-type", "text/plain")
                .body("hi"),
        )
        .await;
    not_json.assert_problem(415, "unsupported_media_type");

    let mut huge = registration("buyer", "big@x.example", &siret(1));
    huge["organisation"]["legal_name"] = json!("x".repeat(70_000));
    app.post("/api/v1/auth/register", None, huge)
        .await
        .assert_problem(413, "payload_too_large");

    let (token, _) = app
        .signed_up("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    app.get("/api/v1/organisations/not-a-uuid", Some(&token))
        .await
        .assert_problem(400, "invalid_path");
    app.get(
        "/api/v1/organisations/00000000-0000-0000-0000-000000000000",
        Some(&token),
    )
    .await
    .assert_problem(404, "not_found");
}

async fn every_response_carries_a_request_id(app: &TestApp) {
    for path in ["/healthz", "/api/v1/nothing"] {
        let reply = app.get(path, None).await;
        let id = reply
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert_eq!(id.len(), 36, "{path}: request id {id:?}");
    }
}

async fn probes_report_liveness_and_readiness(app: &TestApp) {
    assert_eq!(
        app.get("/healthz", None).await.assert_status(200)["status"],
        "ok"
    );
    let ready = app.get("/readyz", None).await;
    let ready = ready.assert_status(200);
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["database"], "ok");
    assert_eq!(ready["index"], "ok");
    let engine = if std::env::var("TEST_MEILI_URL").is_ok() {
        "meilisearch"
    } else {
        "embedded"
    };
    assert_eq!(ready["index_engine"], engine);
}

async fn cors_allows_listed_origins_only(app: &TestApp) {
    let preflight = |origin: &'static str| {
        app.request(Method::OPTIONS, "/api/v1/me", None)
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
    };
    let allowed = app.send(preflight("https://app.pmt.test")).await;
    assert_eq!(allowed.status.as_u16(), 200);
    assert_eq!(
        allowed
            .headers
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("https://app.pmt.test")
    );
    let refused = app.send(preflight("https://evil.example")).await;
    assert!(refused.headers.get("access-control-allow-origin").is_none());
    refused.assert_problem(403, "cors_origin_refused");
    let method = app
        .send(
            app.request(Method::OPTIONS, "/api/v1/me", None)
                .header("origin", "https://app.pmt.test")
                .header("access-control-request-method", "TRACE"),
        )
        .await;
    method.assert_problem(403, "cors_request_refused");
}

async fn metrics_count_requests_by_route_and_status(app: &TestApp) {
    app.get("/api/v1/me", None).await;
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains(
            r#"pmt_http_requests_total{endpoint="/api/v1/me",method="GET",status="401"} 1"#
        ),
        "{metrics}"
    );
    assert!(metrics.contains("pmt_http_requests_duration_seconds_bucket"));
}

on_both_backends!(
    framework_rejections_are_problem_documents_with_codes,
    every_response_carries_a_request_id,
    probes_report_liveness_and_readiness,
    cors_allows_listed_origins_only,
    metrics_count_requests_by_route_and_status
);
