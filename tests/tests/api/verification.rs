//! An unverified address prepares but does not reach other people:
//! submitting a request, quoting, asking a question and inviting need a
//! verified address (403 `email_unverified`).

use serde_json::{Value, json};
use tests::TestApp;
use tests::directory::micro_machining_profile;
use tests::on_both_backends;
use tests::server::{PASSWORD, siret};
use tests::sourcing::{quote, titanium_request};

async fn unverified(app: &TestApp, kind: &str, email: &str, n: u32) -> (String, String) {
    let registered = app.register_unverified(kind, email, &siret(n)).await;
    let token = app.login(email, PASSWORD).await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let org = registered["organisation"]["id"]
        .as_str()
        .expect("org")
        .to_owned();
    (token, org)
}

fn id_of(body: &Value) -> String {
    body["id"].as_str().expect("id").to_owned()
}

async fn an_unverified_buyer_drafts_but_neither_submits_nor_invites(app: &TestApp) {
    let (token, org) = unverified(app, "buyer", "bob@cardiodijon.example", 1).await;
    let draft = app
        .post("/api/v1/requests", Some(&token), titanium_request())
        .await;
    let id = id_of(draft.assert_status(201));

    app.step(&token, &id, "submit", json!({}))
        .await
        .assert_problem(403, "email_unverified");
    app.post(
        &format!("/api/v1/organisations/{org}/invitations"),
        Some(&token),
        json!({ "email": "paul@cardiodijon.example" }),
    )
    .await
    .assert_problem(403, "email_unverified");
    assert!(
        app.outbox()
            .all()
            .iter()
            .all(|e| e.to != "paul@cardiodijon.example")
    );

    // Once the address is verified, the same token does both at once.
    app.verify_email("bob@cardiodijon.example").await;
    app.step(&token, &id, "submit", json!({}))
        .await
        .assert_status(200);
    app.post(
        &format!("/api/v1/organisations/{org}/invitations"),
        Some(&token),
        json!({ "email": "paul@cardiodijon.example" }),
    )
    .await
    .assert_status(201);
}

async fn an_unverified_supplier_neither_quotes_nor_asks(app: &TestApp) {
    let w = app.sourcing_world().await;
    let (lea, org) = unverified(app, "supplier", "lea@microtech.example", 50).await;
    // Preparing its profile needs no verified address.
    app.put(
        &format!("/api/v1/organisations/{org}/profile"),
        Some(&lea),
        micro_machining_profile(),
    )
    .await
    .assert_status(201);
    let version = app
        .post(
            &format!("/api/v1/organisations/{org}/profile/submit"),
            Some(&lea),
            json!(null),
        )
        .await
        .assert_status(200)["version"]
        .clone();
    app.post_if_match(
        &format!("/api/v1/backoffice/profiles/{org}/approve"),
        Some(&w.expert),
        version,
        json!({ "comment": "ok" }),
    )
    .await
    .assert_status(200);

    let id = app.draft_request(&w).await;
    app.step(&w.buyer, &id, "submit", json!({}))
        .await
        .assert_status(200);
    app.step(&w.expert, &id, "qualify", json!({}))
        .await
        .assert_status(200);
    let added = app
        .post(
            &format!("/api/v1/requests/{id}/matches"),
            Some(&w.expert),
            json!({ "supplier_id": org, "override_reason": "ISO 13485 en cours" }),
        )
        .await;
    let match_id = id_of(added.assert_status(201));
    app.post(
        &format!("/api/v1/requests/{id}/matches/{match_id}/approve"),
        Some(&w.expert),
        json!({ "note": "ok" }),
    )
    .await
    .assert_status(200);
    app.step(&w.expert, &id, "open", json!({}))
        .await
        .assert_status(200);

    // Invited, it reads the request but does not answer yet.
    app.get(&format!("/api/v1/requests/{id}"), Some(&lea))
        .await
        .assert_status(200);
    app.post(
        &format!("/api/v1/requests/{id}/quotes"),
        Some(&lea),
        quote("12000", 30),
    )
    .await
    .assert_problem(403, "email_unverified");
    app.post(
        &format!("/api/v1/requests/{id}/questions"),
        Some(&lea),
        json!({ "question": "Quel état de surface ?" }),
    )
    .await
    .assert_problem(403, "email_unverified");

    app.verify_email("lea@microtech.example").await;
    app.post(
        &format!("/api/v1/requests/{id}/quotes"),
        Some(&lea),
        quote("12000", 30),
    )
    .await
    .assert_status(201);
    app.post(
        &format!("/api/v1/requests/{id}/questions"),
        Some(&lea),
        json!({ "question": "Quel état de surface ?" }),
    )
    .await
    .assert_status(201);
}

on_both_backends!(
    an_unverified_buyer_drafts_but_neither_submits_nor_invites,
    an_unverified_supplier_neither_quotes_nor_asks
);
