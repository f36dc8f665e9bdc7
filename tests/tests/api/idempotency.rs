//! A client that lost an answer may retry a creating POST with the same
//! `Idempotency-Key` and get the first result, never a second object; and
//! two people editing one object at once cannot overwrite each other.

use futures::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};
use tests::TestApp;
use tests::on_both_backends;
use tests::server::{Reply, registration, siret};
use tests::sourcing::titanium_request;

const KEY: &str = "idempotency-key";

async fn create_request(app: &tests::TestApp, token: &str, key: &str, body: &Value) -> Reply {
    app.send(
        app.request(Method::POST, "/api/v1/requests", Some(token))
            .header(KEY, key)
            .json(body),
    )
    .await
}

async fn request_count(app: &tests::TestApp, token: &str) -> usize {
    let list = app.get("/api/v1/requests?limit=100", Some(token)).await;
    list.assert_status(200)["items"]
        .as_array()
        .map_or(0, Vec::len)
}

async fn a_retry_with_the_same_key_and_body_returns_the_first_result(app: &TestApp) {
    let w = app.sourcing_world().await;
    // One body: `titanium_request()` stamps its deadline with the time.
    let body = titanium_request();
    let first = create_request(app, &w.buyer, "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", &body).await;
    let created = first.assert_status(201).clone();
    assert!(first.headers.get("idempotent-replayed").is_none());

    let retry = create_request(app, &w.buyer, "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", &body).await;
    assert_eq!(
        retry.assert_status(201),
        &created,
        "the first answer, byte for byte"
    );
    assert_eq!(retry.content_type(), first.content_type());
    assert_eq!(
        retry
            .headers
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    assert_eq!(request_count(app, &w.buyer).await, 1, "one request created");

    // Without a key, or with a new one, the same body creates again.
    create_request(app, &w.buyer, "second-attempt", &body)
        .await
        .assert_status(201);
    app.post("/api/v1/requests", Some(&w.buyer), body.clone())
        .await
        .assert_status(201);
    assert_eq!(request_count(app, &w.buyer).await, 3);
}

async fn the_same_key_with_another_body_is_refused(app: &TestApp) {
    let w = app.sourcing_world().await;
    let body = titanium_request();
    create_request(app, &w.buyer, "k-1", &body)
        .await
        .assert_status(201);
    let mut other = body.clone();
    other["title"] = json!("Un autre besoin");
    create_request(app, &w.buyer, "k-1", &other)
        .await
        .assert_problem(422, "idempotency_key_mismatch");
    assert_eq!(request_count(app, &w.buyer).await, 1);
}

async fn keys_belong_to_their_sender(app: &TestApp) {
    let w = app.sourcing_world().await;
    let (other_buyer, _) = app
        .signed_up("buyer", "paul@orthobesancon.example", &siret(200))
        .await;
    let body = titanium_request();
    let mine = create_request(app, &w.buyer, "shared-key", &body).await;
    let theirs = create_request(app, &other_buyer, "shared-key", &body).await;
    assert_ne!(
        mine.assert_status(201)["id"],
        theirs.assert_status(201)["id"],
        "nobody gets another's answer"
    );
    assert_eq!(request_count(app, &other_buyer).await, 1);
}

async fn refusals_are_replayed_too_but_server_errors_are_not_kept(app: &TestApp) {
    // An anonymous registration: the key belongs to the address.
    let body = registration("buyer", "idem@cardiodijon.example", &siret(7));
    let first = app
        .send(
            app.request(Method::POST, "/api/v1/auth/register", None)
                .header(KEY, "reg-1")
                .json(&body),
        )
        .await;
    let user = first.assert_status(201)["user"]["id"].clone();
    let retry = app
        .send(
            app.request(Method::POST, "/api/v1/auth/register", None)
                .header(KEY, "reg-1")
                .json(&body),
        )
        .await;
    assert_eq!(
        retry.assert_status(201)["user"]["id"],
        user,
        "a retry does not answer siret_taken"
    );

    let mut invalid = registration("buyer", "not-an-email", &siret(8));
    invalid["user"]["email"] = json!("not-an-email");
    for _ in 0..2 {
        let refused = app
            .send(
                app.request(Method::POST, "/api/v1/auth/register", None)
                    .header(KEY, "reg-2")
                    .json(&invalid),
            )
            .await;
        refused.assert_problem(422, "validation_failed");
    }
}

async fn concurrent_retries_create_one_object(app: &TestApp) {
    let w = app.sourcing_world().await;
    let body = titanium_request();
    let attempts = join_all((0..6).map(|_| create_request(app, &w.buyer, "burst", &body))).await;
    let mut ids = Vec::new();
    for reply in &attempts {
        match reply.status.as_u16() {
            201 => ids.push(reply.body["id"].clone()),
            // Still running when the retry came: the client retries later.
            409 => reply.assert_problem(409, "idempotency_key_in_use"),
            other => panic!("unexpected {other}: {}", reply.body),
        }
    }
    assert!(!ids.is_empty());
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "every success is the same request: {ids:?}"
    );
    assert_eq!(request_count(app, &w.buyer).await, 1);
}

async fn a_key_without_a_token_is_no_answer_about_the_key(app: &TestApp) {
    // An anonymous key on a route that needs a token: 401, whatever the key.
    let body = titanium_request();
    for _ in 0..2 {
        let reply = app
            .send(
                app.request(Method::POST, "/api/v1/requests", None)
                    .header(KEY, "anon")
                    .json(&body),
            )
            .await;
        reply.assert_problem(401, "unauthenticated");
    }
    let mut other = body.clone();
    other["title"] = json!("Autre");
    let reply = app
        .send(
            app.request(Method::POST, "/api/v1/requests", None)
                .header(KEY, "anon")
                .json(&other),
        )
        .await;
    reply.assert_problem(401, "unauthenticated");
}

async fn malformed_keys_are_refused(app: &TestApp) {
    let w = app.sourcing_world().await;
    create_request(app, &w.buyer, &"k".repeat(256), &titanium_request())
        .await
        .assert_problem(400, "invalid_header");
    create_request(app, &w.buyer, "", &titanium_request())
        .await
        .assert_problem(400, "invalid_header");
    create_request(app, &w.buyer, "two words", &titanium_request())
        .await
        .assert_problem(400, "invalid_header");
    assert_eq!(request_count(app, &w.buyer).await, 0);
}

async fn concurrent_edits_of_one_version_leave_one_winner(app: &TestApp) {
    let w = app.sourcing_world().await;
    let id = app.draft_request(&w).await;
    let path = format!("/api/v1/requests/{id}");
    let current = app.get(&path, Some(&w.buyer)).await;
    let etag = current.etag();
    let edits = (0..5).map(|n| {
        let mut edited = titanium_request();
        edited["title"] = json!(format!("Version concurrente {n}"));
        let builder = app
            .request(Method::PUT, &path, Some(&w.buyer))
            .header("if-match", &etag)
            .json(&edited);
        app.send(builder)
    });
    let replies = join_all(edits).await;
    let winners: Vec<&Reply> = replies
        .iter()
        .filter(|r| r.status.as_u16() == 200)
        .collect();
    assert_eq!(
        winners.len(),
        1,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for loser in replies.iter().filter(|r| r.status.as_u16() != 200) {
        loser.assert_problem(412, "precondition_failed");
    }
    let stored = app.get(&path, Some(&w.buyer)).await;
    assert_eq!(
        stored.body["title"], winners[0].body["title"],
        "the winner's edit is what is stored"
    );
}

on_both_backends!(
    a_retry_with_the_same_key_and_body_returns_the_first_result,
    the_same_key_with_another_body_is_refused,
    keys_belong_to_their_sender,
    refusals_are_replayed_too_but_server_errors_are_not_kept,
    concurrent_retries_create_one_object,
    a_key_without_a_token_is_no_answer_about_the_key,
    malformed_keys_are_refused,
    concurrent_edits_of_one_version_leave_one_winner
);
