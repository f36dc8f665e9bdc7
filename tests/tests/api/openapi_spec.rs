//! The served OpenAPI document is the committed one, documents every
//! operation's errors and security, and the docs page works offline.

use serde_json::Value;
use tests::{Backend, TestApp};

#[tokio::test]
async fn the_served_spec_matches_the_committed_one() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let served = app.get("/openapi.json", None).await.body;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    let committed: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("openapi/openapi.json exists"))
            .expect("committed spec is JSON");
    assert!(
        served == committed,
        "the API changed: run `make openapi` and commit openapi/openapi.json"
    );
}

#[tokio::test]
async fn every_operation_documents_its_errors_and_security() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let spec = app.get("/openapi.json", None).await.body;
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
    let public = [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/auth/verify-email",
        "/api/v1/auth/password-reset",
        "/api/v1/auth/password-reset/confirm",
        "/api/v1/auth/accept-invitation",
        "/api/v1/invitations/{token}",
        "/healthz",
        "/readyz",
        "/api/v1/taxonomy",
        "/api/v1/taxonomy/suggestions",
        "/api/v1/certification-types",
        "/api/v1/suppliers",
        "/api/v1/suppliers/{id}",
        "/api/v1/publications/booklet",
        "/api/v1/publications/booklet/editions/{key}",
    ];
    let paths = spec["paths"].as_object().expect("paths");
    assert!(paths.len() >= 20, "only {} paths documented", paths.len());
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            let responses = operation["responses"].as_object().expect("responses");
            assert!(
                responses.contains_key("500"),
                "{method} {path} does not document 500"
            );
            let secured = operation
                .get("security")
                .and_then(Value::as_array)
                .is_some_and(|s| !s.is_empty());
            assert_eq!(
                secured,
                !public.contains(&path.as_str()),
                "{method} {path}: security"
            );
            // Public operations say so with an empty list: a client
            // generator reads a missing `security` as "unknown".
            assert!(
                operation["security"].is_array(),
                "{method} {path}: no explicit security"
            );
            if secured {
                assert!(
                    responses.contains_key("401"),
                    "{method} {path} does not document 401"
                );
            }
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    if path == "/readyz" {
                        continue;
                    }
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{method} {path} {status} is not problem+json"
                    );
                }
            }
        }
    }
}

/// What client generators and documentation readers rely on: a unique
/// verb-noun camelCase operationId (a generated function's name), a summary
/// and a description, a description on every parameter and answer.
#[tokio::test]
async fn every_operation_is_named_and_described() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let spec = app.get("/openapi.json", None).await.body;
    assert!(
        spec["servers"].as_array().is_some_and(|s| !s.is_empty()),
        "no servers"
    );
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let id = operation["operationId"].as_str().unwrap_or_default();
            assert!(
                id.starts_with(|c: char| c.is_ascii_lowercase())
                    && id.chars().all(|c| c.is_ascii_alphanumeric())
                    && id.chars().any(|c| c.is_ascii_uppercase()),
                "{method} {path}: operationId {id:?} is not verb-noun camelCase"
            );
            assert!(ids.insert(id.to_owned()), "operationId {id} used twice");
            for field in ["summary", "description"] {
                assert!(
                    operation[field]
                        .as_str()
                        .is_some_and(|t| !t.trim().is_empty()),
                    "{method} {path}: no {field}"
                );
            }
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                assert!(
                    parameter["description"]
                        .as_str()
                        .is_some_and(|t| !t.is_empty()),
                    "{method} {path}: parameter {} undescribed",
                    parameter["name"]
                );
            }
            for (status, response) in operation["responses"].as_object().expect("responses") {
                assert!(
                    response["description"]
                        .as_str()
                        .is_some_and(|t| !t.is_empty()),
                    "{method} {path} {status}: undescribed"
                );
                assert!(
                    response["headers"]["X-Request-Id"].is_object(),
                    "{method} {path} {status}: X-Request-Id undeclared"
                );
            }
        }
    }
}

/// Closed sets are `enum`s, so generated clients get union types and a
/// frontend can branch on every value (a sample of what readers rely on).
#[tokio::test]
async fn closed_sets_are_enums() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let spec = app.get("/openapi.json", None).await.body;
    let schemas = &spec["components"]["schemas"];
    let resolve = |schema: &Value| -> Value {
        let schema = schema["oneOf"]
            .as_array()
            .and_then(|alternatives| alternatives.iter().find(|s| s["type"] != "null"))
            .unwrap_or(schema);
        let schema = if schema["type"] == "array" {
            &schema["items"]
        } else {
            schema
        };
        match schema["$ref"].as_str() {
            Some(reference) => schemas[reference.rsplit('/').next().unwrap_or_default()].clone(),
            None => schema.clone(),
        }
    };
    for (schema, property) in [
        ("RequestView", "status"),
        ("RequestView", "language"),
        ("RequestView", "sectors"),
        ("MatchView", "status"),
        ("MatchView", "origin"),
        ("MyInvitationView", "outcome"),
        ("AnswerRow", "status"),
        ("MeResponse", "roles"),
        ("UserView", "platform_role"),
        ("OrganisationView", "kind"),
        ("OrganisationView", "membership"),
        ("ProfileView", "status"),
        ("QuoteView", "currency"),
        ("NotificationView", "status"),
        ("OrganisationInput", "kind"),
        ("Problem", "code"),
        ("FieldErrorBody", "code"),
    ] {
        let resolved = resolve(&schemas[schema]["properties"][property]);
        assert!(
            resolved["enum"]
                .as_array()
                .is_some_and(|values| !values.is_empty()),
            "{schema}.{property} is not an enum: {resolved}"
        );
    }
}

#[tokio::test]
async fn the_docs_page_needs_no_internet() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let page = app
        .client
        .get(app.url("/docs/"))
        .send()
        .await
        .expect("docs");
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("swagger-ui-bundle.js"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "docs page references a remote resource"
    );
    let bundle = app
        .client
        .get(app.url("/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .expect("bundle");
    assert_eq!(bundle.status().as_u16(), 200);
    let initializer = app
        .client
        .get(app.url("/docs/swagger-initializer.js"))
        .send()
        .await
        .expect("init");
    assert!(
        initializer
            .text()
            .await
            .expect("js")
            .contains("/openapi.json")
    );
}
