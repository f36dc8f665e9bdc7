//! Webhooks against a real receiver (`tests/receiver/receiver.py`, which
//! checks signatures with its own HMAC code): deliveries signed as Standard
//! Webhooks lays out and carrying the feed's JSON, per-object order,
//! retries once a receiver that was down is back, replay, pause, an
//! endpoint disabled after failing for 3 days (an accelerated clock), and
//! the outbound rules of production (no private, loopback or link-local
//! target; no redirect followed).

use serde_json::{Value, json};
use tests::receiver::{RETRY_WAIT, Receiver, event_of};
use tests::server::siret;
use tests::sourcing::titanium_request;
use tests::{TestApp, eventually, on_both_backends};

const OWNER: &str = "achats@cardiodijon.example";

/// A buyer organisation's owner and its new endpoint: (token, webhook id, secret).
async fn buyer_with_webhook(
    app: &TestApp,
    receiver: &Receiver,
    types: Value,
) -> (String, String, String) {
    let (token, _) = app.signed_up("buyer", OWNER, &siret(300)).await;
    let created = app
        .post(
            "/api/v1/webhooks",
            Some(&token),
            json!({ "url": receiver.url(), "event_types": types }),
        )
        .await;
    let created = created.assert_status(201);
    let secret = created["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(created["webhook"]["status"], "active");
    receiver.verify_with(&secret);
    let id = created["webhook"]["id"].as_str().expect("id").to_owned();
    // The secret is shown once: never in a read.
    let read = app
        .get(&format!("/api/v1/webhooks/{id}"), Some(&token))
        .await;
    assert!(!read.assert_status(200).to_string().contains(&secret));
    (token, id, secret)
}

async fn draft(app: &TestApp, token: &str) -> String {
    let reply = app
        .post("/api/v1/requests", Some(token), titanium_request())
        .await;
    reply.assert_status(201)["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn log(app: &TestApp, token: &str, hook: &str) -> Vec<Value> {
    let reply = app
        .get(&format!("/api/v1/webhooks/{hook}/deliveries"), Some(token))
        .await;
    reply.assert_status(200)["items"]
        .as_array()
        .expect("items")
        .clone()
}

async fn deliveries_are_signed_and_carry_the_feed_json(app: &TestApp) {
    let receiver = Receiver::start().await;
    let (token, hook, _) = buyer_with_webhook(app, &receiver, json!([])).await;
    let request = draft(app, &token).await;

    let received = receiver.wait_for(1, 15).await;
    let delivery = &received[0];
    assert_eq!(
        delivery["verified"], true,
        "the signature verifies: {delivery}"
    );
    let event = event_of(delivery);
    assert_eq!(event["type"], "request.created");
    assert_eq!(event["object"]["id"], request.as_str());
    assert_eq!(event["actor_role"], "buyer");
    assert_eq!(delivery["headers"]["webhook-id"], event["id"]);
    let timestamp: i64 = delivery["headers"]["webhook-timestamp"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("a unix timestamp");
    assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 60);
    // The same JSON as the feed.
    let feed = app.get("/api/v1/events", Some(&token)).await;
    let feed = feed.assert_status(200)["items"]
        .as_array()
        .expect("items")
        .clone();
    assert_eq!(feed.last(), Some(&event));

    let log = eventually(10, "the delivery logged as delivered", async || {
        let log = log(app, &token, &hook).await;
        (log.first().is_some_and(|d| d["status"] == "delivered")).then_some(log)
    })
    .await;
    assert_eq!(log[0]["attempts"], 1);
    assert_eq!(log[0]["last_status_code"], 200);
    assert_eq!(log[0]["last_response"], "received");
    assert_eq!(log[0]["event_type"], "request.created");
    assert!(log[0]["last_latency_ms"].as_i64().is_some());

    // A new secret signs what follows; the receiver still on the old one
    // refuses it.
    let rotated = app
        .post(
            &format!("/api/v1/webhooks/{hook}/rotate-secret"),
            Some(&token),
            json!({}),
        )
        .await;
    let new_secret = rotated.assert_status(200)["secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let id = delivery_of(&log[0]);
    app.post(
        &format!("/api/v1/webhooks/{hook}/deliveries/{id}/replay"),
        Some(&token),
        json!({}),
    )
    .await
    .assert_status(201);
    let received = receiver.wait_for(2, 15).await;
    assert_eq!(received[1]["verified"], false, "signed with the new secret");
    assert_eq!(
        received[1]["headers"]["webhook-id"], received[0]["headers"]["webhook-id"],
        "a replay is the same event, deduplicated by webhook-id"
    );
    receiver.verify_with(&new_secret);
    app.post(
        &format!("/api/v1/webhooks/{hook}/deliveries/{id}/replay"),
        Some(&token),
        json!({}),
    )
    .await
    .assert_status(201);
    assert_eq!(receiver.wait_for(3, 15).await[2]["verified"], true);
}

fn delivery_of(entry: &Value) -> String {
    entry["id"].as_str().expect("delivery id").to_owned()
}

async fn a_receiver_that_was_down_gets_every_event_in_order_once_back(app: &TestApp) {
    let mut receiver = Receiver::start().await;
    let (token, hook, _) = buyer_with_webhook(app, &receiver, json!([])).await;
    receiver.stop().await;
    let request = draft(app, &token).await;
    let etag = app.etag_of(&token, &request).await;
    let mut body = titanium_request();
    body["title"] = json!("Micro-usinage de vis en titane, lot pilote");
    let edit = app
        .request(
            reqwest::Method::PUT,
            &format!("/api/v1/requests/{request}"),
            Some(&token),
        )
        .header("if-match", etag)
        .json(&body);
    app.send(edit).await.assert_status(200);

    // The first attempt failed and is logged; the second event waits
    // behind it (one object's events are delivered in order).
    let failed = eventually(15, "a failed attempt logged", async || {
        let log = log(app, &token, &hook).await;
        log.iter()
            .find(|d| d["attempts"] == 1 && d["status"] == "pending")
            .cloned()
    })
    .await;
    assert!(failed["last_error"].as_str().is_some_and(|e| !e.is_empty()));
    assert_eq!(failed["event_type"], "request.created");
    let webhook = app
        .get(&format!("/api/v1/webhooks/{hook}"), Some(&token))
        .await;
    assert!(webhook.assert_status(200)["failing_since"].is_string());

    receiver.resume().await;
    let received = receiver.wait_for(2, RETRY_WAIT.as_secs()).await;
    let types: Vec<Value> = received
        .iter()
        .map(|r| event_of(r)["type"].clone())
        .collect();
    assert_eq!(types, [json!("request.created"), json!("request.edited")]);
    assert!(received.iter().all(|r| r["verified"] == true));
    eventually(10, "the failure window closed by the success", async || {
        let webhook = app
            .get(&format!("/api/v1/webhooks/{hook}"), Some(&token))
            .await;
        webhook.body["failing_since"].is_null().then_some(())
    })
    .await;
}

async fn a_paused_endpoint_receives_nothing_until_resumed(app: &TestApp) {
    let receiver = Receiver::start().await;
    let (token, hook, _) = buyer_with_webhook(app, &receiver, json!(["request.created"])).await;
    let paused = app
        .post(
            &format!("/api/v1/webhooks/{hook}/pause"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(paused.assert_status(200)["status"], "paused");
    draft(app, &token).await;
    app.webhooks_settled(&app.base_url).await;
    assert!(receiver.received().is_empty());
    app.post(
        &format!("/api/v1/webhooks/{hook}/resume"),
        Some(&token),
        json!({}),
    )
    .await
    .assert_status(200);
    let received = receiver.wait_for(1, 15).await;
    assert_eq!(event_of(&received[0])["type"], "request.created");
    // Another organisation's owner does not know the endpoint exists.
    let (other, _) = app
        .signed_up("buyer", "autre@acheteur.example", &siret(301))
        .await;
    app.get(&format!("/api/v1/webhooks/{hook}"), Some(&other))
        .await
        .assert_problem(404, "not_found");
    app.send(app.request(
        reqwest::Method::DELETE,
        &format!("/api/v1/webhooks/{hook}"),
        Some(&other),
    ))
    .await
    .assert_problem(404, "not_found");
    let deleted = app
        .send(app.request(
            reqwest::Method::DELETE,
            &format!("/api/v1/webhooks/{hook}"),
            Some(&token),
        ))
        .await;
    deleted.assert_status(204);
    let listed = app.get("/api/v1/webhooks", Some(&token)).await;
    assert_eq!(listed.assert_status(200)["items"], json!([]));
}

async fn an_endpoint_failing_for_three_days_is_disabled_and_its_owner_emailed(app: &TestApp) {
    let receiver = Receiver::start().await;
    receiver.answer(500);
    let (token, hook, _) = buyer_with_webhook(app, &receiver, json!([])).await;
    draft(app, &token).await;
    receiver.wait_for(1, 15).await;
    eventually(10, "the failure logged", async || {
        let webhook = app
            .get(&format!("/api/v1/webhooks/{hook}"), Some(&token))
            .await;
        webhook.body["failing_since"].is_string().then_some(())
    })
    .await;
    // Three days and a little later, as an instance whose clock runs ahead
    // sees it, the next attempt fails too: the window has ended.
    let (_ahead, base_url) = app
        .spawn_sibling(&[("PMT_CLOCK_OFFSET_SECONDS", &(3 * 86_400 + 600).to_string())])
        .await;
    let client = reqwest::Client::new();
    let status = eventually(30, "the endpoint disabled", async || {
        let webhook: Value = client
            .get(format!("{base_url}/api/v1/webhooks/{hook}"))
            .bearer_auth(&token)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        (webhook["status"] == "disabled").then_some(webhook)
    })
    .await;
    assert!(status["failing_since"].is_string());
    let email = app.outbox().wait_for(OWNER, "Webhook").await;
    assert!(email.text.contains(&receiver.url()), "{}", email.text);
    assert!(email.text.contains("/settings/webhooks"), "{}", email.text);
    let log = log(app, &token, &hook).await;
    assert_eq!(log[0]["status"], "failed");
    assert_eq!(log[0]["last_status_code"], 500);
}

async fn a_redirect_is_never_followed(app: &TestApp) {
    let receiver = Receiver::start().await;
    receiver.answer(302);
    receiver.redirect_to("http://10.0.0.1/metadata");
    let (token, hook, _) = buyer_with_webhook(app, &receiver, json!([])).await;
    draft(app, &token).await;
    let entry = eventually(15, "the attempt logged", async || {
        log(app, &token, &hook)
            .await
            .into_iter()
            .find(|d| d["attempts"] == 1)
    })
    .await;
    assert_eq!(entry["status"], "pending", "a redirect is no delivery");
    assert_eq!(entry["last_status_code"], 302);
    assert_eq!(receiver.received().len(), 1);
}

on_both_backends!(
    deliveries_are_signed_and_carry_the_feed_json,
    a_receiver_that_was_down_gets_every_event_in_order_once_back,
    a_paused_endpoint_receives_nothing_until_resumed,
    an_endpoint_failing_for_three_days_is_disabled_and_its_owner_emailed,
    a_redirect_is_never_followed
);

/// Production's outbound rules: https only, and no name or address that
/// reaches the server's own network.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_rules_refuse_private_loopback_and_link_local_targets() {
    let app = TestApp::spawn_with(tests::Backend::Sqlite, &[("OUTBOUND_POLICY", "strict")]).await;
    let (token, _) = app.signed_up("buyer", OWNER, &siret(302)).await;
    for (url, code) in [
        ("http://erp.example.com/hook", "https_url_required"),
        ("https://127.0.0.1/hook", "private_address"),
        ("https://10.0.0.1/hook", "private_address"),
        (
            "https://169.254.169.254/latest/meta-data",
            "private_address",
        ),
        ("https://[::1]/hook", "private_address"),
        ("https://[::ffff:127.0.0.1]/hook", "private_address"),
        ("https://localhost/hook", "private_address"),
    ] {
        let reply = app
            .post("/api/v1/webhooks", Some(&token), json!({ "url": url }))
            .await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.body["errors"][0]["field"], "url", "{url}");
        assert_eq!(
            reply.body["errors"][0]["code"], code,
            "{url}: {}",
            reply.body
        );
    }
    let unknown = app
        .post(
            "/api/v1/webhooks",
            Some(&token),
            json!({ "url": "https://erp.example.com/hook", "event_types": ["quote.eaten"] }),
        )
        .await;
    unknown.assert_problem(422, "validation_failed");
    assert_eq!(unknown.body["errors"][0]["field"], "event_types/0");
}

/// Two instances on one database, each with its delivery worker: every
/// event reaches the receiver once (a claim is a compare-and-set).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgresql_deliver_each_event_once() {
    let app = TestApp::spawn(tests::Backend::Postgres).await;
    let receiver = Receiver::start().await;
    let (token, hook, _) = buyer_with_webhook(&app, &receiver, json!(["request.created"])).await;
    let (_sibling, sibling_url) = app.spawn_sibling(&[]).await;
    for _ in 0..12 {
        draft(&app, &token).await;
    }
    receiver.wait_for(12, 30).await;
    app.webhooks_settled(&app.base_url).await;
    app.webhooks_settled(&sibling_url).await;
    assert_eq!(receiver.received().len(), 12, "each event once");
    let ids: std::collections::BTreeSet<String> = receiver
        .received()
        .iter()
        .map(|r| {
            r["headers"]["webhook-id"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 12);
    let log = log(&app, &token, &hook).await;
    assert!(
        log.iter()
            .all(|d| d["status"] == "delivered" && d["attempts"] == 1)
    );
}

/// The server is killed (SIGKILL) while a delivery is in flight: the
/// receiver has the request but has not answered, so the outbox row is
/// claimed and not marked delivered. Events of the same object queued
/// behind it wait. A new process on the same database sends the claimed
/// delivery again once its lease ends (`WEBHOOK_LEASE_SECONDS`, 2 s here),
/// with the same `webhook-id`, then the ones behind it: at least once, in
/// order, nothing lost.
async fn a_delivery_in_flight_when_the_server_is_killed_is_sent_again_after_restart(
    backend: tests::Backend,
) {
    let mut app = TestApp::spawn_with(backend, &[("WEBHOOK_LEASE_SECONDS", "2")]).await;
    let receiver = Receiver::start().await;
    let (token, hook, _) = buyer_with_webhook(&app, &receiver, json!([])).await;
    // Held longer than the test lasts: only the kill ends this call.
    receiver.delay(Some(120));
    let request = draft(&app, &token).await;
    let in_flight = receiver.wait_for(1, 15).await[0].clone();
    assert_eq!(event_of(&in_flight)["type"], "request.created");
    // Two more events of the same request, queued behind the one in flight.
    for title in ["Vis en titane, lot pilote", "Vis en titane, série"] {
        let etag = app.etag_of(&token, &request).await;
        let mut body = titanium_request();
        body["title"] = json!(title);
        let edit = app
            .request(
                reqwest::Method::PUT,
                &format!("/api/v1/requests/{request}"),
                Some(&token),
            )
            .header("if-match", etag)
            .json(&body);
        app.send(edit).await.assert_status(200);
    }
    let before = log(&app, &token, &hook).await;
    assert_eq!(before.len(), 3, "{before:?}");
    assert!(
        before.iter().all(|d| d["status"] != "delivered"),
        "{before:?}"
    );

    receiver.delay(None);
    app.crash_and_restart().await;

    let received = receiver.wait_for(4, 30).await;
    assert_eq!(
        received[1]["headers"]["webhook-id"], in_flight["headers"]["webhook-id"],
        "the delivery the killed process held is sent again, deduplicable"
    );
    let after_restart: Vec<Value> = received[1..].iter().map(event_of).collect();
    let types: Vec<&Value> = after_restart.iter().map(|e| &e["type"]).collect();
    assert_eq!(
        types,
        [
            &json!("request.created"),
            &json!("request.edited"),
            &json!("request.edited")
        ],
        "in order"
    );
    assert!(received.iter().all(|r| r["verified"] == true));
    let ids: std::collections::BTreeSet<&str> = after_restart
        .iter()
        .map(|e| e["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids.len(), 3, "every event, each once after the restart");
    let log = eventually(15, "every delivery logged as delivered", async || {
        let log = log(&app, &token, &hook).await;
        log.iter()
            .all(|d| d["status"] == "delivered")
            .then_some(log)
    })
    .await;
    assert_eq!(log.len(), 3);
    // What the feed holds is what was delivered: nothing lost.
    let feed = app.get("/api/v1/events", Some(&token)).await;
    let feed_ids: std::collections::BTreeSet<String> = feed.assert_status(200)["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_owned())
        .collect();
    let delivered: std::collections::BTreeSet<String> =
        ids.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(feed_ids, delivered);
}

mod killed_mid_delivery {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::a_delivery_in_flight_when_the_server_is_killed_is_sent_again_after_restart(
            tests::Backend::Sqlite,
        )
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::a_delivery_in_flight_when_the_server_is_killed_is_sent_again_after_restart(
            tests::Backend::Postgres,
        )
        .await;
    }
}
