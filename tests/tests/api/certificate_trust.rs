//! Security round 2, item 9: a certificate the supplier only declared is
//! never shown as one an expert verified. Every certificate shown says
//! `declared` or `verified`; candidates meeting as much rank a verified
//! certificate first; the document reference is an https URL.

use serde_json::{Value, json};
use tests::directory::{hit_ids, iso_13485};
use tests::on_both_backends;
use tests::server::TestApp;
use tests::sourcing::quote;

/// An expert verifies the (only) certificate of `org`.
async fn verify_certificate_of(app: &TestApp, expert: &str, org: &str) {
    let profile = app
        .get(
            &format!("/api/v1/organisations/{org}/profile"),
            Some(expert),
        )
        .await;
    let certificate = profile.assert_status(200)["certifications"][0].clone();
    let id = certificate["id"].as_str().expect("id");
    app.post_if_match(
        &format!("/api/v1/backoffice/certifications/{id}/verify"),
        Some(expert),
        &certificate["version"],
        json!({ "comment": "Document vu" }),
    )
    .await
    .assert_status(200);
}

/// The candidates' supplier ids, in the order given.
fn candidate_ids(body: &Value) -> Vec<String> {
    body["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .map(|c| c["supplier_id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The last of `order` that is one of `among`.
fn last_of(order: &[String], among: &[&str]) -> String {
    order
        .iter()
        .rev()
        .find(|o| among.contains(&o.as_str()))
        .expect("one of them among the candidates")
        .clone()
}

fn statuses(certifications: &Value) -> Vec<String> {
    certifications
        .as_array()
        .expect("certifications")
        .iter()
        .map(|c| c["status"].as_str().unwrap_or("(none)").to_owned())
        .collect()
}

async fn every_certificate_shown_says_declared_or_verified_and_verified_ranks_first(app: &TestApp) {
    let w = app.sourcing_world().await;
    let id = app.draft_request(&w).await;
    app.step(&w.buyer, &id, "submit", json!({}))
        .await
        .assert_status(200);
    let path = format!("/api/v1/requests/{id}/candidates");
    let before = app
        .get(&path, Some(&w.expert))
        .await
        .assert_status(200)
        .clone();
    let certified: Vec<&str> = w.certified.iter().map(|s| s.org.as_str()).collect();
    let last = last_of(&candidate_ids(&before), &certified);
    for c in before["candidates"].as_array().expect("candidates") {
        for check in c["explanation"]["certifications"]
            .as_array()
            .expect("checks")
        {
            if check["met"] == true {
                assert_eq!(check["certificate"], "declared", "{check}");
            }
        }
    }

    // The index ranked it last among equals; verified, it comes first.
    verify_certificate_of(app, &w.expert, &last).await;
    let after = app
        .get(&path, Some(&w.expert))
        .await
        .assert_status(200)
        .clone();
    let first = &after["candidates"][0];
    assert_eq!(first["supplier_id"], last.as_str(), "{after}");
    assert_eq!(
        first["explanation"]["certifications"][0]["certificate"],
        "verified"
    );
    assert_eq!(
        after["candidates"][1]["explanation"]["certifications"][0]["certificate"],
        "declared"
    );

    // Directory hits and public profiles say which.
    let found = app
        .search_until("certification=iso_13485", |r| hit_ids(r).len() == 3)
        .await;
    for hit in found["items"].as_array().expect("hits") {
        let expected = if hit["id"] == last.as_str() {
            "verified"
        } else {
            "declared"
        };
        assert_eq!(statuses(&hit["certifications"]), [expected], "{hit}");
    }
    // verified_only: a certificate only declared does not count.
    let verified = app
        .search_until("certification=iso_13485&verified_only=true", |r| {
            hit_ids(r) == [last.clone()]
        })
        .await;
    assert_eq!(
        verified["facets"]["certifications"],
        json!([{ "value": "iso_13485", "label": verified["facets"]["certifications"][0]["label"], "count": 1 }])
    );
    app.search_until("verified_only=true", |r| hit_ids(r) == [last.clone()])
        .await;
    let declared_only = app
        .search_until("certification=iso_13485&verified_only=false", |r| {
            hit_ids(r).len() == 3
        })
        .await;
    assert_eq!(declared_only["total"], 3);
    let public = app.get(&format!("/api/v1/suppliers/{last}"), None).await;
    assert_eq!(
        statuses(&public.assert_status(200)["certifications"]),
        ["verified"]
    );

    // The buyer's comparison of answers too.
    let open = app.open_request(&w).await;
    for supplier in &w.certified {
        app.post(
            &format!("/api/v1/requests/{open}/quotes"),
            Some(&supplier.token),
            quote("18000", 30),
        )
        .await
        .assert_status(201);
    }
    let answers = app
        .get(&format!("/api/v1/requests/{open}/answers"), Some(&w.buyer))
        .await;
    for row in answers.assert_status(200)["items"]
        .as_array()
        .expect("rows")
    {
        let expected = if row["supplier_id"] == last.as_str() {
            "verified"
        } else {
            "declared"
        };
        assert_eq!(statuses(&row["certifications"]), [expected], "{row}");
    }
}

async fn a_certificate_document_is_an_https_url(app: &TestApp) {
    let (supplier, registered) = app
        .signed_up(
            "supplier",
            "sophie@microtech.example",
            &tests::server::siret(1),
        )
        .await;
    let org = registered["organisation"]["id"]
        .as_str()
        .expect("org")
        .to_owned();
    let path = format!("/api/v1/organisations/{org}/certifications");
    for bad in [
        "javascript:alert(document.cookie)",
        "http://docs.example/iso.pdf",
        "data:text/html,<script>x</script>",
    ] {
        let mut body = iso_13485("2025-01-01", "2027-12-31");
        body["document_ref"] = json!(bad);
        let refused = app.post(&path, Some(&supplier), body).await;
        refused.assert_problem(422, "validation_failed");
        assert_eq!(refused.body["errors"][0]["field"], "document_ref", "{bad}");
        assert_eq!(
            refused.body["errors"][0]["code"], "https_url_required",
            "{bad}"
        );
    }
    let declared = app
        .post(
            &path,
            Some(&supplier),
            iso_13485("2025-01-01", "2027-12-31"),
        )
        .await;
    assert!(
        declared.assert_status(201)["document_ref"]
            .as_str()
            .is_some_and(|r| r.starts_with("https://"))
    );
}

/// A partial candidate is proposed for how close it comes to the need: a
/// verified certificate does not lift a supplier whose profile says little
/// of it above closer ones, and decides only between equally close ones.
async fn a_partial_candidate_ranks_by_fit_and_a_verified_certificate_breaks_ties(app: &TestApp) {
    let w = app.sourcing_world().await;
    // A milling shop for aerospace: a related capability, a certificate,
    // and nothing of the request's words.
    let distant = json!({
        "description_fr": "Fraisage 5 axes de structures aéronautiques en aluminium, grandes dimensions.",
        "capabilities": [{ "code": "machining.milling" }],
        "sectors": ["aerospace"],
        "location": { "city": "Belfort", "department": "90", "region": "Bourgogne-Franche-Comté" }
    });
    let (_, distant) = app
        .published_supplier(
            "fraisage@aero.example",
            &tests::server::siret(12),
            distant,
            &[iso_13485("2025-01-01", "2030-12-31")],
            &w.expert,
        )
        .await;
    app.search_until("limit=100", |r| r["total"] == 6).await;
    // Nobody holds the requested capability: every machining shop is partial.
    let mut need = tests::sourcing::titanium_request();
    need["capabilities"] = json!(["machining.edm"]);
    need["certifications"] = json!([{ "code": "iso_13485", "mandatory": false }]);
    let id = app.submitted_request_of(&w, need).await;
    let path = format!("/api/v1/requests/{id}/candidates");
    let order = |body: &Value| -> Vec<String> {
        for c in body["candidates"].as_array().expect("candidates") {
            assert_eq!(c["tier"], "partial", "{c}");
        }
        candidate_ids(body)
    };
    let position = |order: &[String], org: &str| order.iter().position(|o| o == org);
    let before = order(app.get(&path, Some(&w.expert)).await.assert_status(200));
    let trio: Vec<&str> = w.certified.iter().map(|s| s.org.as_str()).collect();
    assert!(
        trio.iter()
            .all(|o| position(&before, o) < position(&before, &distant)),
        "{before:?}"
    );

    verify_certificate_of(app, &w.expert, &distant).await;
    let after = order(app.get(&path, Some(&w.expert)).await.assert_status(200));
    assert!(
        trio.iter()
            .all(|o| position(&after, o) < position(&after, &distant)),
        "a verified certificate lifted a distant profile: {after:?}"
    );

    // The three shops' profiles are the same: verified comes first.
    let last = last_of(&before, &trio);
    verify_certificate_of(app, &w.expert, &last).await;
    let verified = order(app.get(&path, Some(&w.expert)).await.assert_status(200));
    assert_eq!(verified[0], last, "{verified:?}");
}

on_both_backends!(
    every_certificate_shown_says_declared_or_verified_and_verified_ranks_first,
    a_partial_candidate_ranks_by_fit_and_a_verified_certificate_breaks_ties,
    a_certificate_document_is_an_https_url
);
