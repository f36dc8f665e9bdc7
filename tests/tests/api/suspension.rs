//! Suspending a supplier ends its participation: its invitations to
//! running requests are withdrawn (history entry, buyer told), and its
//! users may read but no longer act for the organisation.

use serde_json::json;
use tests::TestApp;
use tests::directory::micro_machining_profile;
use tests::on_both_backends;
use tests::sourcing::quote;

fn certificate() -> serde_json::Value {
    let day = |offset: i64| {
        (chrono::Utc::now().date_naive() + chrono::TimeDelta::days(offset))
            .format("%Y-%m-%d")
            .to_string()
    };
    tests::directory::iso_13485(&day(-10), &day(700))
}

async fn a_suspended_supplier_reads_but_no_longer_quotes_asks_or_edits(app: &TestApp) {
    let w = app.sourcing_world().await;
    let id = app.open_request(&w).await;
    let (suspended, other) = (&w.certified[0], &w.certified[1]);
    app.post(
        &format!("/api/v1/requests/{id}/quotes"),
        Some(&suspended.token),
        quote("12000", 30),
    )
    .await
    .assert_status(201);

    app.post(
        &format!("/api/v1/backoffice/profiles/{}/suspend", suspended.org),
        Some(&w.expert),
        json!({ "comment": "Certificat falsifié" }),
    )
    .await
    .assert_status(200);

    // Read only: every write acting for the organisation is refused.
    app.get(&format!("/api/v1/requests/{id}"), Some(&suspended.token))
        .await
        .assert_status(200);
    app.get(
        &format!("/api/v1/requests/{id}/my-answer"),
        Some(&suspended.token),
    )
    .await
    .assert_status(200);
    for (path, body) in [
        (format!("/api/v1/requests/{id}/quotes"), quote("9000", 20)),
        (
            format!("/api/v1/requests/{id}/questions"),
            json!({ "question": "Encore intéressés ?" }),
        ),
        (
            format!("/api/v1/requests/{id}/decline"),
            json!({ "reason": "plus disponible" }),
        ),
        (
            format!("/api/v1/organisations/{}/certifications", suspended.org),
            certificate(),
        ),
    ] {
        app.post(&path, Some(&suspended.token), body)
            .await
            .assert_problem(403, "organisation_suspended");
    }
    app.put(
        &format!("/api/v1/organisations/{}/profile", suspended.org),
        Some(&suspended.token),
        micro_machining_profile(),
    )
    .await
    .assert_problem(403, "organisation_suspended");
    // Its users' own settings are theirs.
    app.patch(
        "/api/v1/me/preferences",
        Some(&suspended.token),
        json!({ "language": "en" }),
    )
    .await
    .assert_status(200);
    // Others keep answering.
    app.post(
        &format!("/api/v1/requests/{id}/quotes"),
        Some(&other.token),
        quote("11000", 25),
    )
    .await
    .assert_status(201);

    // The buyer sees the withdrawal in the answers and the history, and
    // is told by email.
    let answers = app
        .get(&format!("/api/v1/requests/{id}/answers"), Some(&w.buyer))
        .await;
    let answers = answers.assert_status(200)["items"]
        .as_array()
        .expect("answers")
        .clone();
    let status_of = |org: &str| {
        answers
            .iter()
            .find(|a| a["supplier_id"] == org)
            .map(|a| a["status"].clone())
    };
    assert_eq!(
        status_of(&suspended.org),
        Some(json!("withdrawn")),
        "{answers:?}"
    );
    assert_eq!(status_of(&other.org), Some(json!("answered")));
    let history = app
        .get(
            &format!("/api/v1/requests/{id}/history?limit=100"),
            Some(&w.buyer),
        )
        .await;
    let withdrawn: Vec<_> = history.assert_status(200)["items"]
        .as_array()
        .expect("history")
        .iter()
        .filter(|e| e["action"] == "answer.withdrawn")
        .cloned()
        .collect();
    assert_eq!(withdrawn.len(), 1, "{withdrawn:?}");
    let note = withdrawn[0]["note"].as_str().unwrap_or_default();
    let name = note.strip_suffix(": supplier suspended by the cluster");
    assert!(name.is_some_and(|n| !n.is_empty()), "{note}");
    app.outbox()
        .wait_for("claire@cardiodijon.example", "ne participe plus")
        .await;

    // Reinstated, it acts again for its organisation, but the withdrawn
    // invitation stays withdrawn.
    app.post(
        &format!("/api/v1/backoffice/profiles/{}/reinstate", suspended.org),
        Some(&w.expert),
        json!({ "comment": "Vérifié" }),
    )
    .await
    .assert_status(200);
    app.post(
        &format!("/api/v1/requests/{id}/quotes"),
        Some(&suspended.token),
        quote("9000", 20),
    )
    .await
    .assert_problem(409, "invitation_withdrawn");
    app.post(
        &format!("/api/v1/organisations/{}/certifications", suspended.org),
        Some(&suspended.token),
        certificate(),
    )
    .await
    .assert_status(201);
}

on_both_backends!(a_suspended_supplier_reads_but_no_longer_quotes_asks_or_edits);
