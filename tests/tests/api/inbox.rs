//! In-app notifications (`GET /me/notifications`): a user finds there what
//! they were emailed about (also after declining emails, never the account
//! and security emails), worded as the email's subject and button in their
//! current language, with read state; nobody reads or marks another
//! user's.

use serde_json::{Value, json};
use tests::server::siret;
use tests::sourcing::titanium_request;
use tests::{TestApp, on_both_backends};

const TITLE: &str = "Micro-usinage de vis implantables en titane";

async fn inbox(app: &TestApp, token: &str, query: &str) -> Value {
    app.get(&format!("/api/v1/me/notifications{query}"), Some(token))
        .await
        .assert_status(200)
        .clone()
}

fn items(page: &Value) -> Vec<Value> {
    page["items"].as_array().expect("items").clone()
}

async fn unread(app: &TestApp, token: &str) -> i64 {
    app.get("/api/v1/me/notifications/unread-count", Some(token))
        .await
        .assert_status(200)["unread_count"]
        .as_i64()
        .expect("unread_count")
}

async fn submitted(app: &TestApp, buyer: &str) -> String {
    let id = app
        .post("/api/v1/requests", Some(buyer), titanium_request())
        .await
        .assert_status(201)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.step(buyer, &id, "submit", json!({}))
        .await
        .assert_status(200);
    id
}

async fn a_user_reads_what_they_were_emailed_about_in_their_language(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let (buyer, _) = app
        .signed_up("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    let (other, _) = app
        .signed_up("buyer", "paul@autre.example", &siret(2))
        .await;
    // Registering emailed a verification link: an account email, not here.
    assert_eq!(items(&inbox(app, &buyer, "").await), Vec::<Value>::new());
    assert_eq!(unread(app, &buyer).await, 0);

    let request = submitted(app, &buyer).await;
    // The experts are emailed about a submission: so is their list.
    let to_expert = items(&inbox(app, &expert, "").await);
    assert_eq!(to_expert.len(), 1, "{to_expert:?}");
    assert_eq!(to_expert[0]["kind"], "request_submitted");
    assert_eq!(
        to_expert[0]["title"],
        format!("Demande à qualifier : {TITLE}")
    );
    assert!(items(&inbox(app, &buyer, "").await).is_empty());

    app.step(&expert, &request, "qualify", json!({}))
        .await
        .assert_status(200);
    let page = inbox(app, &buyer, "").await;
    let list = items(&page);
    assert_eq!(list.len(), 1, "{list:?}");
    let item = &list[0];
    assert_eq!(item["kind"], "request_qualified");
    assert_eq!(
        item["title"],
        format!("Votre demande « {TITLE} » est qualifiée")
    );
    assert_eq!(item["action"], "Suivre ma demande");
    assert!(
        item["link"]
            .as_str()
            .is_some_and(|l| l.ends_with(&format!("/requests/{request}"))),
        "{item}"
    );
    assert_eq!(item["read"], false);
    assert!(item["read_at"].is_null());
    assert!(page["next_cursor"].is_null());
    assert_eq!(unread(app, &buyer).await, 1);

    // The same notification, read in the language the user now prefers.
    app.patch(
        "/api/v1/me/preferences",
        Some(&buyer),
        json!({ "language": "en" }),
    )
    .await
    .assert_status(200);
    let english = items(&inbox(app, &buyer, "").await);
    assert_eq!(english[0]["id"], item["id"]);
    assert_eq!(
        english[0]["title"],
        format!("Your request “{TITLE}” is qualified")
    );
    assert_eq!(english[0]["action"], "Follow my request");

    // Nobody else reads or marks it, whatever their role.
    let id = item["id"].as_str().expect("id");
    assert!(items(&inbox(app, &other, "").await).is_empty());
    for token in [&other, &expert] {
        app.post(
            &format!("/api/v1/me/notifications/{id}/read"),
            Some(token),
            json!({}),
        )
        .await
        .assert_problem(404, "not_found");
    }
    assert_eq!(unread(app, &buyer).await, 1);

    // Marked read once; marking again keeps the first time.
    app.post(
        &format!("/api/v1/me/notifications/{id}/read"),
        Some(&buyer),
        json!({}),
    )
    .await
    .assert_status(204);
    let read = items(&inbox(app, &buyer, "").await)[0].clone();
    assert_eq!(read["read"], true);
    assert!(read["read_at"].is_string());
    app.post(
        &format!("/api/v1/me/notifications/{id}/read"),
        Some(&buyer),
        json!({}),
    )
    .await
    .assert_status(204);
    assert_eq!(
        items(&inbox(app, &buyer, "").await)[0]["read_at"],
        read["read_at"]
    );
    assert_eq!(unread(app, &buyer).await, 0);
    app.post(
        &format!("/api/v1/me/notifications/{}/read", uuid::Uuid::new_v4()),
        Some(&buyer),
        json!({}),
    )
    .await
    .assert_problem(404, "not_found");
}

async fn declining_emails_keeps_the_list_which_pages_and_is_marked_read_at_once(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let (buyer, _) = app
        .signed_up("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    app.patch(
        "/api/v1/me/preferences",
        Some(&buyer),
        json!({ "notifications_opt_out": true }),
    )
    .await
    .assert_status(200);
    for comment in ["Hors filière", "Précisez le volume"] {
        let request = submitted(app, &buyer).await;
        let step = if comment == "Hors filière" {
            "reject"
        } else {
            "request-changes"
        };
        app.step(&expert, &request, step, json!({ "comment": comment }))
            .await
            .assert_status(200);
    }
    assert_eq!(unread(app, &buyer).await, 2);

    // Newest first, a page at a time.
    let first = inbox(app, &buyer, "?limit=1").await;
    assert_eq!(items(&first)[0]["kind"], "request_changes_requested");
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let second = inbox(app, &buyer, &format!("?limit=1&cursor={cursor}")).await;
    assert_eq!(items(&second)[0]["kind"], "request_rejected");
    assert!(second["next_cursor"].is_null());
    // Another list's cursor is refused, naming the parameter.
    let reply = app
        .get(
            "/api/v1/me/notifications?cursor=bm90LWEtY3Vyc29y",
            Some(&buyer),
        )
        .await;
    reply.assert_problem(400, "invalid_query");
    assert_eq!(reply.body["errors"][0]["field"], "cursor");
    app.get("/api/v1/me/notifications?limit=0", Some(&buyer))
        .await
        .assert_problem(422, "validation_failed");

    app.post("/api/v1/me/notifications/read-all", Some(&buyer), json!({}))
        .await
        .assert_status(204);
    assert_eq!(unread(app, &buyer).await, 0);
    let all = items(&inbox(app, &buyer, "").await);
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|n| n["read"] == true), "{all:?}");
    // The expert's own list is untouched by the buyer's reading.
    assert_eq!(unread(app, &expert).await, 2);
}

on_both_backends!(
    a_user_reads_what_they_were_emailed_about_in_their_language,
    declining_emails_keeps_the_list_which_pages_and_is_marked_read_at_once,
);
