//! Rules a schema cannot express, refused with the field or state that
//! broke them: prices, currencies and deadlines within sane bounds, a cap on
//! questions, and no answer to a question once a request is closed.

use serde_json::json;
use tests::TestApp;
use tests::on_both_backends;
use tests::sourcing::{quote, titanium_request};

async fn prices_currencies_and_deadlines_stay_within_sane_bounds(app: &TestApp) {
    let w = app.sourcing_world().await;
    let id = app.open_request(&w).await;
    let supplier = &w.certified[0].token;
    let quotes = format!("/api/v1/requests/{id}/quotes");
    for (amount, currency, code) in [
        ("0", "EUR", "not_positive"),
        ("0.00", "EUR", "not_positive"),
        ("100", "ZZZ", "invalid_currency"),
        ("9999999999999.99", "EUR", "out_of_range"),
        ("1000000000.01", "EUR", "out_of_range"),
    ] {
        let mut body = quote(amount, 30);
        body["currency"] = json!(currency);
        let reply = app.post(&quotes, Some(supplier), body).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(
            reply.body["errors"][0]["field"], "price",
            "{amount} {currency}"
        );
        assert_eq!(reply.body["errors"][0]["code"], code, "{amount} {currency}");
    }
    let mut chf = quote("1000000000", 30);
    chf["currency"] = json!("CHF");
    app.post(&quotes, Some(supplier), chf)
        .await
        .assert_status(201);

    let mut far = titanium_request();
    // The largest year chrono reads, as the attacker sent it.
    far["response_deadline"] = json!("+262142-01-01T00:00:00Z");
    let reply = app.post("/api/v1/requests", Some(&w.buyer), far).await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.body["errors"][0]["field"], "response_deadline");
    assert_eq!(reply.body["errors"][0]["code"], "too_far_ahead");
    let mut far = titanium_request();
    far["response_deadline"] =
        json!((chrono::Utc::now() + chrono::TimeDelta::days(2 * 366 + 2)).to_rfc3339());
    far["budget"]["currency"] = json!("ZZZ");
    let reply = app.post("/api/v1/requests", Some(&w.buyer), far).await;
    reply.assert_problem(422, "validation_failed");
    let fields: Vec<(&str, &str)> = reply.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default(),
                e["code"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        fields.contains(&("response_deadline", "too_far_ahead")),
        "{fields:?}"
    );
    assert!(
        fields.contains(&("budget", "invalid_currency")),
        "{fields:?}"
    );
    let mut year_262142 = titanium_request();
    year_262142["response_deadline"] = json!("262142-01-01T00:00:00Z");
    let reply = app
        .post("/api/v1/requests", Some(&w.buyer), year_262142)
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(
        (
            &reply.body["errors"][0]["field"],
            &reply.body["errors"][0]["code"]
        ),
        (&json!("/response_deadline"), &json!("invalid_value")),
        "{}",
        reply.body
    );
}

async fn questions_are_capped_and_closed_requests_take_no_answers(app: &TestApp) {
    let w = app.sourcing_world().await;
    let id = app.open_request(&w).await;
    let path = format!("/api/v1/requests/{id}/questions");
    let mut first = None;
    for n in 0..20 {
        let asked = app
            .post(
                &path,
                Some(&w.certified[0].token),
                json!({ "question": format!("Question {n} ?") }),
            )
            .await;
        let asked = asked.assert_status(201);
        first.get_or_insert_with(|| asked["id"].as_str().expect("id").to_owned());
    }
    app.post(
        &path,
        Some(&w.certified[0].token),
        json!({ "question": "Une de plus ?" }),
    )
    .await
    .assert_problem(409, "question_limit_reached");
    // The cap is per supplier: another one still asks.
    app.post(
        &path,
        Some(&w.certified[1].token),
        json!({ "question": "Délai ?" }),
    )
    .await
    .assert_status(201);

    app.step(&w.buyer, &id, "close", json!({}))
        .await
        .assert_status(200);
    let question = first.expect("a question");
    for token in [&w.buyer, &w.expert] {
        app.post(
            &format!("{path}/{question}/answer"),
            Some(token),
            json!({ "answer": "Trop tard" }),
        )
        .await
        .assert_problem(409, "request_closed");
    }
}

on_both_backends!(
    prices_currencies_and_deadlines_stay_within_sane_bounds,
    questions_are_capped_and_closed_requests_take_no_answers
);
