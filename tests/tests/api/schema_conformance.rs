//! What spec-driven fuzzing (`make fuzz`) found: input the OpenAPI document
//! forbids is refused with a problem, never taken for something else.

use reqwest::Method;
use serde_json::json;
use tests::TestApp;
use tests::on_both_backends;
use tests::server::siret;
use tests::sourcing::titanium_request;

async fn a_json_body_is_an_object_never_an_array_of_its_fields(app: &TestApp) {
    let (token, _) = app
        .signed_up("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    let as_array = |path: &str, method: Method, body: &'static str, token: Option<&str>| {
        app.request(method, path, token)
            .header("content-type", "application/json")
            .body(body)
    };
    app.send(as_array(
        "/api/v1/me/preferences",
        Method::PATCH,
        "[null, null]",
        Some(&token),
    ))
    .await
    .assert_problem(422, "validation_failed");
    app.send(as_array(
        "/api/v1/me/preferences",
        Method::PATCH,
        "[\"en\", true]",
        Some(&token),
    ))
    .await
    .assert_problem(422, "validation_failed");
    let me = app.get("/api/v1/me", Some(&token)).await;
    let me = me.assert_status(200);
    let user = &me["user"];
    assert_eq!(
        (
            user["language"].clone(),
            user["notifications_opt_out"].clone()
        ),
        (json!("fr"), json!(false))
    );
    app.send(as_array(
        "/api/v1/auth/login",
        Method::POST,
        "[\"claire@cardiodijon.example\", \"x\"]",
        None,
    ))
    .await
    .assert_problem(422, "validation_failed");
    app.send(as_array(
        "/api/v1/auth/login",
        Method::POST,
        "\"claire\"",
        None,
    ))
    .await
    .assert_problem(422, "validation_failed");

    let saved = app
        .patch(
            "/api/v1/me/preferences",
            Some(&token),
            json!({ "language": "en" }),
        )
        .await;
    assert_eq!(saved.assert_status(200)["language"], "en");
}

async fn text_with_a_nul_character_is_refused_not_an_internal_error(app: &TestApp) {
    let w = app.sourcing_world().await;
    let mut request = titanium_request();
    request["title"] = json!("Micro\u{0}usinage");
    let refused = app.post("/api/v1/requests", Some(&w.buyer), request).await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(
        (
            &refused.body["errors"][0]["field"],
            &refused.body["errors"][0]["code"]
        ),
        (&json!("/title"), &json!("control_character")),
        "{}",
        refused.body
    );
    app.post(
        "/api/v1/auth/login",
        None,
        json!({ "email": "a\u{0}b@x.example", "password": "x" }),
    )
    .await
    .assert_problem(422, "validation_failed");
    let admin = app.back_office("admin", "admin@pmt.example").await;
    // A query parameter holding NUL is a bad query, whichever it is.
    app.get("/api/v1/admin/users?cursor=a%00b", Some(&admin))
        .await
        .assert_problem(400, "invalid_query");
    let listed = app.get("/api/v1/admin/users?limit=5", Some(&admin)).await;
    assert!(
        listed.assert_status(200)["items"]
            .as_array()
            .is_some_and(|users| !users.is_empty())
    );
}

async fn an_attachment_larger_than_int64_is_refused_on_its_field(app: &TestApp) {
    let w = app.sourcing_world().await;
    let mut request = titanium_request();
    request["attachments"] = json!([{ "name": "plan.pdf", "reference": "ged://42", "size_bytes": 9_223_372_036_854_775_808_u64 }]);
    let refused = app
        .post("/api/v1/requests", Some(&w.buyer), request.clone())
        .await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(
        refused.body["errors"][0]["field"], "attachments[0].size_bytes",
        "{}",
        refused.body
    );
    request["attachments"][0]["size_bytes"] = json!(i64::MAX);
    let kept = app.post("/api/v1/requests", Some(&w.buyer), request).await;
    assert_eq!(
        kept.assert_status(201)["attachments"][0]["size_bytes"],
        json!(i64::MAX)
    );
}

async fn if_match_takes_the_version_digits_only(app: &TestApp) {
    let w = app.sourcing_world().await;
    let id = app.draft_request(&w).await;
    let path = format!("/api/v1/requests/{id}");
    let edit = |version: &'static str| {
        app.request(Method::PUT, &path, Some(&w.buyer))
            .header("if-match", version)
            .json(&titanium_request())
    };
    for refused in ["-1", "+1", "*", "null", "1234567890123456789"] {
        app.send(edit(refused))
            .await
            .assert_problem(400, "invalid_header");
    }
    app.send(edit("W/\"1\"")).await.assert_status(200);
    app.send(edit("\"2\"")).await.assert_status(200);
    app.send(edit("2"))
        .await
        .assert_problem(412, "precondition_failed");
}

on_both_backends!(
    a_json_body_is_an_object_never_an_array_of_its_fields,
    text_with_a_nul_character_is_refused_not_an_internal_error,
    an_attachment_larger_than_int64_is_refused_on_its_field,
    if_match_takes_the_version_digits_only
);
