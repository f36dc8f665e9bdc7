//! Security round 2, item 15: what invited suppliers learn about the buyer.
//! A confidential buyer's identity reaches, after the award, the awarded
//! suppliers only (never those that declined or lost); the budget reaches
//! invited suppliers only when the buyer chooses to show it.

use serde_json::json;
use tests::TestApp;
use tests::on_both_backends;
use tests::sourcing::{quote, titanium_request};

async fn after_the_award_only_the_awarded_suppliers_learn_who_the_confidential_buyer_is(
    app: &TestApp,
) {
    let w = app.sourcing_world().await;
    let buyer_name = app
        .get(
            &format!("/api/v1/organisations/{}", w.buyer_org),
            Some(&w.buyer),
        )
        .await
        .assert_status(200)["legal_name"]
        .as_str()
        .expect("legal name")
        .to_owned();
    let id = app.open_request(&w).await;
    let revealed = |token: String| {
        let path = format!("/api/v1/requests/{id}");
        async move { app.get(&path, Some(&token)).await.assert_status(200)["identity_revealed"].clone() }
    };
    assert_eq!(revealed(w.certified[0].token.clone()).await, json!(false));
    assert_eq!(revealed(w.buyer.clone()).await, json!(false));
    let [winner, loser, decliner] = [&w.certified[0], &w.certified[1], &w.certified[2]];
    app.post(
        &format!("/api/v1/requests/{id}/quotes"),
        Some(&winner.token),
        quote("18000", 30),
    )
    .await
    .assert_status(201);
    app.post(
        &format!("/api/v1/requests/{id}/quotes"),
        Some(&loser.token),
        quote("21000", 30),
    )
    .await
    .assert_status(201);
    app.post(
        &format!("/api/v1/requests/{id}/decline"),
        Some(&decliner.token),
        json!({ "reason": "Pas de capacité" }),
    )
    .await
    .assert_status(200);
    app.step(&w.buyer, &id, "close", json!({}))
        .await
        .assert_status(200);
    app.post(
        &format!("/api/v1/requests/{id}/award"),
        Some(&w.buyer),
        json!({ "supplier_ids": [winner.org] }),
    )
    .await
    .assert_status(200);

    let seen = app
        .get(&format!("/api/v1/requests/{id}"), Some(&winner.token))
        .await;
    assert_eq!(
        seen.assert_status(200)["buyer"]["organisation_id"],
        w.buyer_org.as_str(),
        "the awarded supplier learns who the buyer is"
    );
    assert_eq!(seen.body["identity_revealed"], true, "and is told it knows");
    assert_eq!(
        revealed(w.buyer.clone()).await,
        json!(true),
        "the buyer reads that a supplier knows it"
    );
    assert_eq!(revealed(loser.token.clone()).await, json!(false));
    for (who, supplier) in [
        ("the supplier that lost", loser),
        ("the supplier that declined", decliner),
    ] {
        for path in [
            format!("/api/v1/requests/{id}"),
            "/api/v1/requests".to_owned(),
        ] {
            let seen = app.get(&path, Some(&supplier.token)).await;
            let body = seen.assert_status(200).to_string();
            assert!(
                !body.contains(&w.buyer_org) && !body.contains(&buyer_name),
                "{who} must not learn the buyer from {path}: {body}"
            );
        }
    }
}

async fn invited_suppliers_see_the_budget_only_when_the_buyer_shows_it(app: &TestApp) {
    let w = app.sourcing_world().await;
    let supplier = &w.certified[0];

    let hidden = app.open_request(&w).await;
    let seen = app
        .get(&format!("/api/v1/requests/{hidden}"), Some(&supplier.token))
        .await;
    let seen = seen.assert_status(200).clone();
    assert_eq!(
        (seen["budget"].clone(), seen["budget_visible"].clone()),
        (json!(null), json!(false)),
        "hidden by default: {seen}"
    );
    let listed = app.get("/api/v1/requests", Some(&supplier.token)).await;
    assert!(
        !listed.assert_status(200).to_string().contains("25000"),
        "nor in the list"
    );
    let own = app
        .get(&format!("/api/v1/requests/{hidden}"), Some(&w.buyer))
        .await;
    assert_eq!(
        own.assert_status(200)["budget"]["max"],
        "25000.00",
        "the buyer sees its budget"
    );
    let expert = app
        .get(&format!("/api/v1/requests/{hidden}"), Some(&w.expert))
        .await;
    assert_eq!(expert.assert_status(200)["budget"]["max"], "25000.00");

    let mut shown = titanium_request();
    shown["budget_visible"] = json!(true);
    let shown = app.open_request_of(&w, shown).await;
    let seen = app
        .get(&format!("/api/v1/requests/{shown}"), Some(&supplier.token))
        .await;
    let seen = seen.assert_status(200).clone();
    assert_eq!(seen["budget_visible"], true);
    assert_eq!(seen["budget"]["max"], "25000.00", "{seen}");
}

on_both_backends!(
    after_the_award_only_the_awarded_suppliers_learn_who_the_confidential_buyer_is,
    invited_suppliers_see_the_budget_only_when_the_buyer_shows_it
);
