//! The change feed (`GET /events`): every step of a request is an event,
//! and each reader sees exactly what its reads show: the buyer its own
//! request (not the experts' vetting), an invited supplier the request's
//! public steps and its own answer (never the buyer's identity nor a
//! competitor's answer), anyone else nothing of it; experts everything.

use serde_json::{Value, json};
use tests::server::siret;
use tests::sourcing::quote;
use tests::{TestApp, on_both_backends};

/// Every event `token` may read, following the cursor page by page.
async fn feed(app: &TestApp, token: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut after = String::new();
    loop {
        let path = if after.is_empty() {
            "/api/v1/events?limit=7".to_owned()
        } else {
            format!("/api/v1/events?limit=7&after={after}")
        };
        let page = app.get(&path, Some(token)).await;
        let page = page.assert_status(200);
        let items = page["items"].as_array().expect("items").clone();
        let next = page["next_cursor"]
            .as_str()
            .expect("next_cursor")
            .to_owned();
        if items.is_empty() {
            assert_eq!(
                next,
                after.clone().max("0".to_owned()),
                "an empty page resumes where it was"
            );
            return events;
        }
        assert_eq!(
            items.last().map(|e| e["cursor"].clone()),
            Some(json!(next)),
            "a page resumes after its last event"
        );
        events.extend(items);
        after = next;
    }
}

/// Each event has the fields its type's schema in the served spec says
/// (`oneOf` by `type`): every field of `data` is one the type lists, and
/// every one it requires is there. What a generated client relies on.
async fn fit_their_schemas(app: &TestApp, events: &[Value]) {
    let spec = app.get("/openapi.json", None).await;
    let spec = spec.assert_status(200);
    let schemas = &spec["components"]["schemas"];
    let mapping = &schemas["EventView"]["discriminator"]["mapping"];
    assert!(!events.is_empty());
    for event in events {
        let kind = event["type"].as_str().expect("type");
        let name = mapping[kind]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .unwrap_or_else(|| panic!("no schema for {kind}"));
        let data = &schemas[name]["properties"]["data"];
        let listed = data["properties"].as_object().expect("data properties");
        for field in event["data"].as_object().expect("data").keys() {
            assert!(
                listed.contains_key(field),
                "{kind} carries {field}: {event}"
            );
        }
        for field in data["required"].as_array().into_iter().flatten() {
            let field = field.as_str().expect("a name");
            assert!(
                event["data"].get(field).is_some_and(|v| !v.is_null()),
                "{kind} lacks {field}: {event}"
            );
        }
    }
}

fn types_about(events: &[Value], request: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["data"]["request_id"] == request)
        .map(|e| e["type"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn each_reader_follows_a_request_as_its_reads_show_it(app: &TestApp) {
    let w = app.sourcing_world().await;
    let (buyer_b, _) = app
        .signed_up("buyer", "achats@autre-acheteur.example", &siret(200))
        .await;
    let id = app.open_request(&w).await;
    let [first, second, third] = [&w.certified[0], &w.certified[1], &w.certified[2]];
    let question = app
        .post(
            &format!("/api/v1/requests/{id}/questions"),
            Some(&first.token),
            json!({ "question": "La passivation est-elle incluse ?" }),
        )
        .await;
    let question = question.assert_status(201)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.post(
        &format!("/api/v1/requests/{id}/questions/{question}/answer"),
        Some(&w.buyer),
        json!({ "answer": "Oui, selon ASTM F86." }),
    )
    .await
    .assert_status(200);
    for amount in ["19800.00", "18400.00"] {
        app.post(
            &format!("/api/v1/requests/{id}/quotes"),
            Some(&first.token),
            quote(amount, 45),
        )
        .await
        .assert_status(201);
    }
    app.post(
        &format!("/api/v1/requests/{id}/quotes"),
        Some(&second.token),
        quote("21000.00", 30),
    )
    .await
    .assert_status(201);
    app.post(
        &format!("/api/v1/requests/{id}/decline"),
        Some(&third.token),
        json!({ "reason": "Capacité insuffisante" }),
    )
    .await
    .assert_status(200);
    let shortlisted = app
        .request(
            reqwest::Method::PUT,
            &format!("/api/v1/requests/{id}/answers/{}/shortlist", first.org),
            Some(&w.buyer),
        )
        .json(&json!({ "shortlisted": true }));
    app.send(shortlisted).await.assert_status(204);

    let matches = ["match.proposed", "match.approved"].map(str::to_owned);
    let drafting = ["request.created", "request.submitted", "request.qualified"];

    // The experts read every step, the vetting included.
    let everything = feed(app, &w.expert).await;
    fit_their_schemas(app, &everything).await;
    let expert = types_about(&everything, &id);
    for t in drafting
        .iter()
        .chain(&["request.opened", "question.asked", "question.answered"])
        .chain(&[
            "quote.submitted",
            "quote.revised",
            "quote.declined",
            "quote.shortlisted",
        ])
    {
        assert!(
            expert.contains(&(*t).to_owned()),
            "experts read {t}: {expert:?}"
        );
    }
    assert_eq!(expert.iter().filter(|t| matches.contains(t)).count(), 6);

    // The buyer reads its request, every answer, not the vetting.
    let buyer = feed(app, &w.buyer).await;
    let buyer_types = types_about(&buyer, &id);
    assert!(
        !buyer_types.iter().any(|t| matches.contains(t)),
        "{buyer_types:?}"
    );
    assert_eq!(
        buyer_types
            .iter()
            .filter(|t| *t == "quote.submitted")
            .count(),
        2,
        "both first quotes"
    );
    for t in drafting
        .iter()
        .chain(&["quote.declined", "quote.shortlisted", "quote.revised"])
    {
        assert!(
            buyer_types.contains(&(*t).to_owned()),
            "the buyer reads {t}"
        );
    }

    // Another buyer reads nothing of it.
    assert!(types_about(&feed(app, &buyer_b).await, &id).is_empty());
    // Nor does a supplier that was not invited.
    assert!(types_about(&feed(app, &w.uncertified.token).await, &id).is_empty());

    // An invited supplier reads the request's public steps and its own
    // answer, anonymised: no buyer, no competitor, no text.
    let mine = feed(app, &first.token).await;
    let first_types = types_about(&mine, &id);
    assert_eq!(
        first_types,
        [
            "request.opened",
            "question.asked",
            "question.answered",
            "quote.submitted",
            "quote.revised"
        ],
        "in order, and nothing of the drafting, vetting or others' answers"
    );
    for event in mine.iter().filter(|e| e["data"]["request_id"] == id) {
        if let Some(supplier) = event["data"]["supplier_id"].as_str() {
            assert_eq!(supplier, first.org, "only its own answer: {event}");
        }
    }
    let text = serde_json::to_string(&mine).expect("json");
    for secret in [
        w.buyer_org.as_str(),
        second.org.as_str(),
        third.org.as_str(),
        "passivation",
        "19800",
        "Capacité",
    ] {
        assert!(
            !text.contains(secret),
            "the supplier's feed shows {secret}: {text}"
        );
    }
    let second_types = types_about(&feed(app, &second.token).await, &id);
    assert_eq!(
        second_types,
        ["request.opened", "question.answered", "quote.submitted"],
        "a competitor's question stays private until answered, and its quotes private"
    );
    // Suppliers read their own profile's review, not another's.
    let profiles: Vec<&Value> = mine
        .iter()
        .filter(|e| e["object"]["kind"] == "supplier_profile")
        .collect();
    assert!(profiles.iter().any(|e| e["type"] == "profile.approved"));
    assert!(
        profiles
            .iter()
            .all(|e| e["object"]["id"] == first.org.as_str())
    );

    // Filters and cursors.
    let revised = app
        .get(
            "/api/v1/events?types=quote.revised,quote.declined",
            Some(&w.buyer),
        )
        .await;
    let revised = revised.assert_status(200)["items"]
        .as_array()
        .expect("items")
        .clone();
    let kinds: Vec<&str> = revised.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(kinds, ["quote.revised", "quote.declined"]);
    let last = buyer.last().expect("events")["cursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let after_last = app
        .get(&format!("/api/v1/events?after={last}"), Some(&w.buyer))
        .await;
    assert_eq!(after_last.assert_status(200)["items"], json!([]));
}

async fn bad_feed_parameters_are_named(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    app.get("/api/v1/events?types=quote.eaten", Some(&expert))
        .await
        .assert_problem(422, "validation_failed");
    app.get("/api/v1/events?after=-1", Some(&expert))
        .await
        .assert_problem(400, "invalid_query");
    app.get("/api/v1/events?limit=501", Some(&expert))
        .await
        .assert_problem(422, "validation_failed");
    app.get("/api/v1/events", None)
        .await
        .assert_problem(401, "unauthenticated");
}

/// Reads Server-Sent Events from `response` until `n` events came; returns
/// each event's `(id, type, data)`.
async fn sse_events(response: &mut reqwest::Response, n: usize) -> Vec<(String, String, Value)> {
    let mut text = String::new();
    let mut events = Vec::new();
    let read = async {
        while events.len() < n {
            let chunk = response.chunk().await.expect("read").expect("stream open");
            text.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = text.find("\n\n") {
                let frame: String = text.drain(..end + 2).collect();
                let field = |name: &str| {
                    frame
                        .lines()
                        .find_map(|l| l.strip_prefix(name))
                        .map(str::to_owned)
                };
                if let (Some(id), Some(kind), Some(data)) =
                    (field("id: "), field("event: "), field("data: "))
                {
                    events.push((id, kind, serde_json::from_str(&data).expect("json data")));
                }
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(15), read)
        .await
        .expect("the events within 15 s");
    events
}

async fn the_stream_follows_the_feed_live_and_resumes_from_last_event_id(app: &TestApp) {
    let (token, _) = app
        .signed_up("buyer", "flux@cardiodijon.example", &siret(210))
        .await;
    for _ in 0..2 {
        app.post(
            "/api/v1/requests",
            Some(&token),
            tests::sourcing::titanium_request(),
        )
        .await
        .assert_status(201);
    }
    let open = |last: Option<String>| {
        let mut builder = app.request(reqwest::Method::GET, "/api/v1/events/stream", Some(&token));
        if let Some(last) = last {
            builder = builder.header("last-event-id", last);
        }
        builder.send()
    };
    let mut stream = open(None).await.expect("stream");
    assert_eq!(stream.status(), 200);
    assert!(
        stream
            .headers()
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"))
    );
    let first = sse_events(&mut stream, 2).await;
    assert!(first.iter().all(|(_, kind, _)| kind == "request.created"));
    assert_eq!(first[0].0, first[0].2["cursor"].as_str().expect("cursor"));
    // Live: an event committed now arrives on the open stream.
    app.post(
        "/api/v1/requests",
        Some(&token),
        tests::sourcing::titanium_request(),
    )
    .await
    .assert_status(201);
    let live = sse_events(&mut stream, 1).await;
    assert_eq!(live[0].1, "request.created");
    drop(stream);
    // Reconnecting with Last-Event-ID resumes right after it.
    let mut resumed = open(Some(first[0].0.clone())).await.expect("stream");
    let again = sse_events(&mut resumed, 2).await;
    assert_eq!(again[0].0, first[1].0);
    assert_eq!(again[1].0, live[0].0);
    let refused = open(Some("not-a-cursor".to_owned())).await.expect("answer");
    assert_eq!(refused.status(), 400);
}

on_both_backends!(
    each_reader_follows_a_request_as_its_reads_show_it,
    bad_feed_parameters_are_named,
    the_stream_follows_the_feed_live_and_resumes_from_last_event_id
);

/// A cursor outlives the server: after a restart, the feed and the stream
/// resume right after it, nothing skipped nor repeated.
async fn resumes_after_a_restart(backend: tests::Backend) {
    let mut app = TestApp::spawn(backend).await;
    let (token, _) = app
        .signed_up("buyer", "reprise@cardiodijon.example", &siret(211))
        .await;
    let draft = async |app: &TestApp| {
        let reply = app
            .post(
                "/api/v1/requests",
                Some(&token),
                tests::sourcing::titanium_request(),
            )
            .await;
        reply.assert_status(201)["id"].clone()
    };
    draft(&app).await;
    let before = app.get("/api/v1/events", Some(&token)).await;
    let cursor = before.assert_status(200)["next_cursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let second = draft(&app).await;
    app.restart_server().await;
    let third = draft(&app).await;
    let after = app
        .get(&format!("/api/v1/events?after={cursor}"), Some(&token))
        .await;
    let objects: Vec<Value> = after.assert_status(200)["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["object"]["id"].clone())
        .collect();
    assert_eq!(objects, [second.clone(), third.clone()]);
    let mut stream = app
        .request(reqwest::Method::GET, "/api/v1/events/stream", Some(&token))
        .header("last-event-id", &cursor)
        .send()
        .await
        .expect("stream");
    let streamed: Vec<Value> = sse_events(&mut stream, 2)
        .await
        .into_iter()
        .map(|(_, _, data)| data["object"]["id"].clone())
        .collect();
    assert_eq!(streamed, [second, third]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feed_and_stream_resume_from_a_cursor_after_a_restart_sqlite() {
    resumes_after_a_restart(tests::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feed_and_stream_resume_from_a_cursor_after_a_restart_postgres() {
    resumes_after_a_restart(tests::Backend::Postgres).await;
}

/// The reminders job publishes `certificate.expiring` with its email, once
/// per certificate and validity end date, read as the certificate's other
/// events are: by its supplier and the back office, nobody else. Its users
/// and the experts find it in their in-app notifications too.
async fn an_expiring_certificate_is_an_event_once(backend: tests::Backend) {
    use tests::directory::{iso_13485, micro_machining_profile};
    let app = TestApp::spawn_with(backend, &[("REMINDER_INTERVAL_SECONDS", "1")]).await;
    let day = |days: i64| {
        (chrono::Utc::now().date_naive() + chrono::TimeDelta::days(days))
            .format("%Y-%m-%d")
            .to_string()
    };
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let (buyer, _) = app
        .signed_up("buyer", "achats@cardiodijon.example", &siret(100))
        .await;
    let (supplier, org) = app
        .published_supplier(
            "sophie@microtech.example",
            &siret(1),
            micro_machining_profile(),
            &[
                iso_13485(&day(-300), &day(10)),
                iso_13485(&day(-300), &day(100)),
            ],
            &expert,
        )
        .await;
    let (rival, _) = app
        .signed_up("supplier", "rival@autre.example", &siret(2))
        .await;
    let expiring = |events: &[Value]| -> Vec<Value> {
        events
            .iter()
            .filter(|e| e["type"] == "certificate.expiring")
            .cloned()
            .collect()
    };
    let seen = tests::eventually(30, "certificate.expiring in the feed", async || {
        let events = expiring(&feed(&app, &supplier).await);
        (!events.is_empty()).then_some(events)
    })
    .await;
    // The job runs every second: still one event.
    app.reminders_settled(&app.base_url).await;
    app.reminders_settled(&app.base_url).await;
    let mine = expiring(&feed(&app, &supplier).await);
    assert_eq!(mine, seen);
    assert_eq!(mine.len(), 1, "{mine:?}");
    let event = &mine[0];
    assert_eq!(event["object"]["kind"], "certificate");
    assert_eq!(event["data"]["supplier_id"], org.as_str());
    assert_eq!(event["data"]["valid_until"], day(10));
    assert!(event["actor_role"].is_null(), "the platform acts");
    let profile = app
        .get(
            &format!("/api/v1/organisations/{org}/profile"),
            Some(&supplier),
        )
        .await;
    let certificates = profile.assert_status(200).to_string();
    assert!(
        certificates.contains(event["object"]["id"].as_str().expect("id")),
        "the event names the certificate ending in 10 days"
    );
    let everything = feed(&app, &expert).await;
    fit_their_schemas(&app, &everything).await;
    assert_eq!(expiring(&everything), mine);
    for other in [&buyer, &rival] {
        assert!(expiring(&feed(&app, other).await).is_empty());
    }
    // The email's recipients find it in their notifications.
    for token in [&supplier, &expert] {
        let inbox = app.get("/api/v1/me/notifications", Some(token)).await;
        let kinds = inbox.assert_status(200)["items"].to_string();
        assert_eq!(
            kinds.matches("certification_expiring").count(),
            1,
            "{kinds}"
        );
    }
}

mod expiring_certificate {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::an_expiring_certificate_is_an_event_once(tests::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::an_expiring_certificate_is_an_event_once(tests::Backend::Postgres).await;
    }
}
