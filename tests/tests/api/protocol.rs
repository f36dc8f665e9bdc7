//! The edges of HTTP an attacker probes first: extension methods, huge
//! request heads, HEAD, trailing slashes and who reads `/metrics`. Every
//! refusal is a problem document, and nothing a client sends can grow the
//! metrics beyond closed sets of labels.

use reqwest::Method;
use tests::on_both_backends;
use tests::{Backend, TestApp};

const METRICS_TOKEN: &str = "metrics-Zq8rT2vK9xLm4NpW7sYb3HcJ6dFg5AeU";

async fn metrics_text(app: &TestApp, token: Option<&str>) -> (u16, String) {
    let response = app
        .request(Method::GET, "/metrics", token)
        .send()
        .await
        .expect("metrics");
    let status = response.status().as_u16();
    (status, response.text().await.expect("text"))
}

/// Every value of `label` in a Prometheus text exposition.
fn label_values(metrics: &str, label: &str) -> std::collections::BTreeSet<String> {
    let needle = format!("{label}=\"");
    metrics
        .match_indices(&needle)
        .filter_map(|(at, _)| {
            let rest = &metrics[at + needle.len()..];
            rest.find('"').map(|end| rest[..end].to_owned())
        })
        .collect()
}

async fn extension_methods_are_refused_and_never_become_metric_labels(app: &TestApp) {
    for i in 0..40 {
        let name = format!("FLOOD{i}{}", "X".repeat(4_000));
        let method = Method::from_bytes(name.as_bytes()).expect("a token");
        let reply = app
            .send(app.request(method, "/api/v1/taxonomy", None))
            .await;
        reply.assert_problem(405, "method_not_allowed");
        assert_eq!(
            reply.headers.get("allow").and_then(|v| v.to_str().ok()),
            Some("GET, HEAD"),
            "405 names the route's methods"
        );
    }
    for i in 0..40 {
        app.get(&format!("/api/v1/probe-{i}-{}", "y".repeat(1_000)), None)
            .await
            .assert_problem(404, "route_not_found");
    }
    let (status, metrics) = metrics_text(app, None).await;
    assert_eq!(status, 200);
    assert!(
        !metrics.contains("FLOOD") && !metrics.contains("probe-"),
        "{metrics}"
    );
    assert!(
        metrics.len() < 100_000,
        "metrics grew to {} bytes",
        metrics.len()
    );
    let known = [
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE", "OTHER",
    ];
    for method in label_values(&metrics, "method") {
        assert!(known.contains(&method.as_str()), "method label {method:?}");
    }
    for endpoint in label_values(&metrics, "endpoint") {
        assert!(
            endpoint == "UNKNOWN"
                || endpoint == "/metrics"
                || endpoint.starts_with("/api/v1/")
                || endpoint.starts_with("/docs")
                || endpoint.ends_with("z"),
            "endpoint label {endpoint:?}"
        );
    }
    assert!(
        metrics.contains(r#"endpoint="UNKNOWN",method="GET",status="404"} 40"#),
        "{metrics}"
    );
    // The flood shows, under one label.
    assert!(
        metrics.contains(r#"method="OTHER",status="405"} 40"#),
        "{metrics}"
    );
}

async fn head_is_served_on_get_routes_without_a_body(app: &TestApp) {
    for path in ["/api/v1/taxonomy", "/healthz", "/api/v1/suppliers?q=titane"] {
        let response = app
            .request(Method::HEAD, path, None)
            .send()
            .await
            .expect("head");
        assert_eq!(response.status().as_u16(), 200, "HEAD {path}");
        assert!(
            response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .starts_with("application/json"),
            "HEAD {path}: {:?}",
            response.headers()
        );
        assert!(
            response.bytes().await.expect("body").is_empty(),
            "HEAD {path} has a body"
        );
    }
    let response = app
        .request(Method::HEAD, "/api/v1/auth/login", None)
        .send()
        .await
        .expect("head");
    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(
        response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("POST")
    );
    let allow = app
        .send(app.request(Method::DELETE, "/api/v1/taxonomy", None))
        .await;
    allow.assert_problem(405, "method_not_allowed");
    assert_eq!(
        allow.headers.get("allow").and_then(|v| v.to_str().ok()),
        Some("GET, HEAD")
    );
}

async fn a_trailing_slash_is_no_route(app: &TestApp) {
    app.get("/api/v1/requests/", None)
        .await
        .assert_problem(404, "route_not_found");
    app.get("/api/v1/suppliers/", None)
        .await
        .assert_problem(404, "route_not_found");
    app.send(
        app.request(Method::POST, "/api/v1/auth/login/", None)
            .json(&serde_json::json!({})),
    )
    .await
    .assert_problem(404, "route_not_found");
    app.send(app.request(Method::PUT, "/api/v1/organisations//profile", None))
        .await
        .assert_problem(404, "route_not_found");
}

async fn oversized_request_heads_are_problem_documents(app: &TestApp) {
    let long_uri = format!("/api/v1/suppliers?q={}", "a".repeat(10_000));
    app.get(&long_uri, None)
        .await
        .assert_problem(400, "uri_too_long");

    let mut request = app.request(Method::GET, "/api/v1/taxonomy", None);
    for i in 0..40 {
        request = request.header(format!("x-padding-{i}"), "p".repeat(1_000));
    }
    app.send(request)
        .await
        .assert_problem(431, "headers_too_large");

    // Ordinary heads still pass.
    app.get(&format!("/api/v1/suppliers?q={}", "a".repeat(100)), None)
        .await
        .assert_status(200);
}

on_both_backends!(
    extension_methods_are_refused_and_never_become_metric_labels,
    head_is_served_on_get_routes_without_a_body,
    a_trailing_slash_is_no_route,
    oversized_request_heads_are_problem_documents
);

#[tokio::test]
async fn metrics_require_the_metrics_token_when_one_is_set() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("METRICS_TOKEN", METRICS_TOKEN)]).await;
    app.get("/api/v1/taxonomy", None).await.assert_status(200);
    let anonymous = app.get("/metrics", None).await;
    anonymous.assert_problem(401, "unauthenticated");
    assert_eq!(
        anonymous
            .headers
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some(r#"Bearer realm="metrics""#)
    );
    app.get(
        "/metrics",
        Some("metrics-wrong-token-Zq8rT2vK9xLm4NpW7sYb3H"),
    )
    .await
    .assert_problem(401, "unauthenticated");
    let (status, metrics) = metrics_text(&app, Some(METRICS_TOKEN)).await;
    assert_eq!(status, 200);
    assert!(metrics.contains("pmt_http_requests_total"), "{metrics}");
    // The probes stay open to a load balancer.
    app.get("/healthz", None).await.assert_status(200);
}

async fn cursors_are_opaque_and_a_forged_one_is_a_bad_query(app: &TestApp) {
    let w = app.sourcing_world().await;
    let admin = app.back_office("admin", "admin@pmt.example").await;
    let forged = [
        "1_%00x",
        "1_x",
        "x_00000000-0000-0000-0000-000000000000",
        "1_00000000-0000-0000-0000-000000000000%00",
        "99999999999999999999_00000000-0000-0000-0000-000000000000",
    ];
    let lists = [
        ("/api/v1/requests?", &w.buyer),
        ("/api/v1/requests?", &w.certified[0].token),
        ("/api/v1/backoffice/requests?", &w.expert),
        (
            "/api/v1/backoffice/matches?request_id=00000000-0000-0000-0000-000000000000&",
            &w.expert,
        ),
        ("/api/v1/backoffice/profiles?", &w.expert),
        ("/api/v1/backoffice/certifications?", &w.expert),
    ];
    for (list, token) in lists {
        for cursor in forged {
            app.get(&format!("{list}cursor={cursor}"), Some(token))
                .await
                .assert_problem(400, "invalid_query");
        }
    }
    for cursor in [
        "%00",
        "a%00b%40x.fr",
        &"a".repeat(600),
        "a%0Ab%40x.fr",
        "a%40x.fr",
    ] {
        app.get(
            &format!("/api/v1/admin/users?cursor={cursor}"),
            Some(&admin),
        )
        .await
        .assert_problem(400, "invalid_query");
    }
    // A NUL byte in any other parameter is refused the same way.
    app.get("/api/v1/suppliers?q=ti%00tane", None)
        .await
        .assert_problem(400, "invalid_query");
    // The email-as-cursor of old is no parameter any more.
    app.get("/api/v1/admin/users?after=a%40x.fr", Some(&admin))
        .await
        .assert_problem(400, "unknown_query_parameter");
}

on_both_backends!(cursors_are_opaque_and_a_forged_one_is_a_bad_query);
