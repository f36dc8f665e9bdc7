//! Issue 15, items 3, 6 and 9: errors a frontend can show next to the
//! right input, in the user's language; transitions without a body; one
//! timestamp precision; drafts with a passed deadline refused when written;
//! unknown query parameters refused everywhere.

use reqwest::Method;
use serde_json::{Value, json};
use tests::TestApp;
use tests::on_both_backends;
use tests::sourcing::titanium_request;

/// `(field, code)` of each entry of a problem's `errors`.
fn fields(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .expect("errors[]")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default().to_owned(),
                e["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect()
}

async fn a_body_of_the_wrong_shape_names_every_bad_field_by_its_pointer(app: &TestApp) {
    let w = app.sourcing_world().await;
    let mut request = titanium_request();
    request["title"] = json!(5);
    request["confidential"] = json!("yes");
    request["attachments"] = json!([
        { "name": "plan.pdf", "reference": "ged://1" },
        { "name": "cahier.pdf", "reference": "ged://2", "size_bytes": "12 Ko", "colour": "red" }
    ]);
    request["priority"] = json!("high");
    request
        .as_object_mut()
        .expect("object")
        .remove("description");
    let refused = app.post("/api/v1/requests", Some(&w.buyer), request).await;
    refused.assert_problem(422, "validation_failed");
    let mut found = fields(&refused.body);
    found.sort();
    assert_eq!(
        found,
        pairs(&[
            ("/attachments/1/colour", "unknown_field"),
            ("/attachments/1/size_bytes", "wrong_type"),
            ("/confidential", "wrong_type"),
            ("/description", "missing"),
            ("/priority", "unknown_field"),
            ("/title", "wrong_type"),
        ]),
        "{}",
        refused.body
    );
    for error in refused.body["errors"].as_array().expect("errors") {
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{error}"
        );
    }

    let syntax = app
        .send(
            app.request(Method::POST, "/api/v1/requests", Some(&w.buyer))
                .header("content-type", "application/json")
                .body("{\"title\": "),
        )
        .await;
    syntax.assert_problem(422, "validation_failed");
    assert_eq!(fields(&syntax.body), pairs(&[("", "malformed_json")]));
}

async fn problems_follow_accept_language(app: &TestApp) {
    let w = app.sourcing_world().await;
    let mut request = titanium_request();
    request["title"] = json!("ab");
    request["budget_visible"] = json!(1);
    let send = |language: &'static str, request: &Value| {
        app.send(
            app.request(Method::POST, "/api/v1/requests", Some(&w.buyer))
                .header("accept-language", language)
                .json(request),
        )
    };
    // The shape is checked first: the wrong type alone is reported.
    let french = send("fr-FR,fr;q=0.9,en;q=0.8", &request).await;
    french.assert_problem(422, "validation_failed");
    assert_eq!(
        french.body["title"],
        "Certains champs de la requête sont invalides"
    );
    assert_eq!(
        french.body["errors"][0]["message"],
        "valeur d'un type incorrect"
    );
    assert_eq!(
        french
            .headers
            .get("content-language")
            .and_then(|v| v.to_str().ok()),
        Some("fr")
    );
    let english = send("en-GB,en;q=0.9", &request).await;
    assert_eq!(english.body["title"], "The request has invalid fields");
    assert_eq!(
        english
            .headers
            .get("content-language")
            .and_then(|v| v.to_str().ok()),
        Some("en")
    );

    // A rule's field error, its numbers kept.
    request["budget_visible"] = json!(true);
    let french = send("fr", &request).await;
    assert_eq!(fields(&french.body), pairs(&[("title", "too_short")]));
    assert_eq!(french.body["errors"][0]["message"], "au moins 3 caractères");
    let english = send("en", &request).await;
    assert_eq!(
        english.body["errors"][0]["message"],
        "must be at least 3 characters"
    );

    // Every problem, not only validation: an unknown route, a conflict.
    let missing = app
        .send(
            app.request(Method::GET, "/api/v1/nowhere", None)
                .header("accept-language", "fr"),
        )
        .await;
    missing.assert_problem(404, "route_not_found");
    assert_eq!(missing.body["title"], "Cette route n'existe pas");
}

async fn transitions_take_no_body_an_empty_body_or_an_empty_object(app: &TestApp) {
    let w = app.sourcing_world().await;
    let id = app.draft_request(&w).await;
    let post = |token: &str, step: &str| {
        app.request(
            Method::POST,
            &format!("/api/v1/requests/{id}/{step}"),
            Some(token),
        )
    };
    // No body, no Content-Type.
    app.send(post(&w.buyer, "submit")).await.assert_status(200);
    // An empty JSON body.
    app.send(
        post(&w.expert, "qualify")
            .header("content-type", "application/json")
            .body(""),
    )
    .await
    .assert_status(200);
    // A step whose comment is required says which field is missing.
    let refused = app.send(post(&w.expert, "reject")).await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(fields(&refused.body), pairs(&[("/comment", "missing")]));
    // `{}`.
    let cancelled = app.send(post(&w.buyer, "cancel").json(&json!({}))).await;
    assert_eq!(cancelled.assert_status(200)["status"], "cancelled");
    // The spec says so: a body without required fields is optional.
    let spec = app.get("/openapi.json", None).await;
    let spec = spec.assert_status(200);
    for (path, optional) in [
        ("/api/v1/requests/{id}/submit", true),
        ("/api/v1/requests/{id}/cancel", true),
        ("/api/v1/requests/{id}/reject", false),
    ] {
        assert_eq!(
            spec["paths"][path]["post"]["requestBody"]["required"] == json!(true),
            !optional,
            "{path}"
        );
    }
    // A body that is not JSON still says so.
    app.send(
        post(&w.buyer, "cancel")
            .header("content-type", "text/plain")
            .body("please"),
    )
    .await
    .assert_problem(415, "unsupported_media_type");
}

async fn a_401_says_bearer_and_whether_the_token_was_refused(app: &TestApp) {
    let none = app.get("/api/v1/me", None).await;
    none.assert_problem(401, "unauthenticated");
    assert_eq!(
        none.headers
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    let forged = app.get("/api/v1/me", Some("not-a-token")).await;
    forged.assert_problem(401, "invalid_token");
    assert_eq!(
        forged
            .headers
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer error=\"invalid_token\"")
    );
    let wrong_password = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "nobody@x.example", "password": "wrong password" }),
        )
        .await;
    wrong_password.assert_problem(401, "invalid_credentials");
    assert!(wrong_password.headers.contains_key("www-authenticate"));
}

async fn a_bad_if_match_is_an_invalid_header_and_star_is_refused(app: &TestApp) {
    let w = app.sourcing_world().await;
    let id = app.draft_request(&w).await;
    let edit = |value: &'static str| {
        app.request(
            Method::PUT,
            &format!("/api/v1/requests/{id}"),
            Some(&w.buyer),
        )
        .header("if-match", value)
        .json(&titanium_request())
    };
    for value in ["*", "abc"] {
        let refused = app.send(edit(value)).await;
        refused.assert_problem(400, "invalid_header");
        assert!(
            refused.body["detail"]
                .as_str()
                .is_some_and(|d| d.contains("If-Match")),
            "{}",
            refused.body
        );
    }
    app.send(edit("\"1\"")).await.assert_status(200);
}

fn is_micros_utc(value: &Value) -> bool {
    let Some(text) = value.as_str() else {
        return false;
    };
    let bytes = text.as_bytes();
    text.len() == 27
        && bytes[19] == b'.'
        && text.ends_with('Z')
        && bytes[20..26].iter().all(u8::is_ascii_digit)
        && chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

async fn writes_and_reads_give_the_same_microsecond_timestamps(app: &TestApp) {
    let w = app.sourcing_world().await;
    let mut request = titanium_request();
    // Nanoseconds and an offset in, microseconds in UTC out.
    request["response_deadline"] = json!(
        (chrono::Utc::now() + chrono::TimeDelta::days(14))
            .with_timezone(&chrono::FixedOffset::east_opt(3600).expect("offset"))
            .to_rfc3339_opts(chrono::SecondsFormat::Nanos, false)
    );
    let written = app.post("/api/v1/requests", Some(&w.buyer), request).await;
    let written = written.assert_status(201).clone();
    let id = written["id"].as_str().expect("id");
    let read = app
        .get(&format!("/api/v1/requests/{id}"), Some(&w.buyer))
        .await;
    let read = read.assert_status(200).clone();
    for field in ["response_deadline", "created_at", "updated_at"] {
        assert!(
            is_micros_utc(&written[field]),
            "{field}: {}",
            written[field]
        );
        assert_eq!(written[field], read[field], "{field}");
    }
    let submitted = app
        .step(&w.buyer, id, "submit", json!({}))
        .await
        .assert_status(200)
        .clone();
    let read = app
        .get(&format!("/api/v1/requests/{id}"), Some(&w.buyer))
        .await;
    assert_eq!(
        submitted["submitted_at"],
        read.assert_status(200)["submitted_at"]
    );
    assert!(is_micros_utc(&submitted["submitted_at"]));
    let history = app
        .get(&format!("/api/v1/requests/{id}/history"), Some(&w.buyer))
        .await;
    for entry in history.assert_status(200)["items"]
        .as_array()
        .expect("history")
    {
        assert!(is_micros_utc(&entry["at"]), "{entry}");
    }
}

async fn a_draft_with_a_passed_deadline_is_refused_when_written(app: &TestApp) {
    let w = app.sourcing_world().await;
    let mut past = titanium_request();
    past["response_deadline"] = json!("2020-06-01T12:00:00Z");
    let refused = app
        .post("/api/v1/requests", Some(&w.buyer), past.clone())
        .await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(
        fields(&refused.body),
        pairs(&[("response_deadline", "in_the_past")])
    );
    let id = app.draft_request(&w).await;
    let edit = app
        .send(
            app.request(
                Method::PUT,
                &format!("/api/v1/requests/{id}"),
                Some(&w.buyer),
            )
            .header("if-match", "\"1\"")
            .json(&past),
        )
        .await;
    edit.assert_problem(422, "validation_failed");
    assert_eq!(
        fields(&edit.body),
        pairs(&[("response_deadline", "in_the_past")])
    );
}

async fn every_route_refuses_a_query_parameter_it_does_not_take(app: &TestApp) {
    let w = app.sourcing_world().await;
    let id = app.draft_request(&w).await;
    for (method, path, token) in [
        (
            Method::GET,
            "/api/v1/me?verbose=1".to_owned(),
            Some(&w.buyer),
        ),
        (
            Method::GET,
            "/api/v1/requests?stauts=open".to_owned(),
            Some(&w.buyer),
        ),
        (
            Method::GET,
            format!("/api/v1/requests/{id}?lang=fr"),
            Some(&w.buyer),
        ),
        (
            Method::GET,
            "/api/v1/suppliers?q=titane&sectr=medtech".to_owned(),
            None,
        ),
        (Method::GET, "/healthz?probe=1".to_owned(), None),
        (
            Method::POST,
            "/api/v1/auth/login?remember=1".to_owned(),
            None,
        ),
    ] {
        let name = path
            .rsplit(['?', '&'])
            .next()
            .and_then(|p| p.split('=').next())
            .expect("name")
            .to_owned();
        let refused = app
            .send(
                app.request(method.clone(), &path, token.map(String::as_str))
                    .json(&json!({})),
            )
            .await;
        refused.assert_problem(400, "unknown_query_parameter");
        assert_eq!(
            fields(&refused.body),
            pairs(&[(name.as_str(), "unknown_query_parameter")]),
            "{method} {path}"
        );
    }
    // Documented parameters still work.
    app.get("/api/v1/requests?limit=5&lang=en", Some(&w.buyer))
        .await
        .assert_status(200);
    app.get("/api/v1/suppliers?q=titane&sector=medtech", None)
        .await
        .assert_status(200);
}

on_both_backends!(
    a_body_of_the_wrong_shape_names_every_bad_field_by_its_pointer,
    problems_follow_accept_language,
    transitions_take_no_body_an_empty_body_or_an_empty_object,
    a_401_says_bearer_and_whether_the_token_was_refused,
    a_bad_if_match_is_an_invalid_header_and_star_is_refused,
    writes_and_reads_give_the_same_microsecond_timestamps,
    a_draft_with_a_passed_deadline_is_refused_when_written,
    every_route_refuses_a_query_parameter_it_does_not_take
);
