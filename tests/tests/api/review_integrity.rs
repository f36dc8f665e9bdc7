//! Security round 2, item 3: an expert's verdict is about the version it
//! reviewed. Approving or sending back a profile, verifying or rejecting a
//! certificate need `If-Match` with that version (428 without, 412 when it
//! changed since); a profile under review cannot be edited (409); a rejected
//! certificate is verified only once corrected (re-declared).

use serde_json::{Value, json};
use tests::TestApp;
use tests::directory::micro_machining_profile;
use tests::on_both_backends;
use tests::server::siret;

fn certificate(code: &str, valid_until: &str) -> Value {
    json!({
        "type": code,
        "scope": "Usinage de composants implantables",
        "certifying_body": "GMED",
        "valid_from": "2025-01-01",
        "valid_until": valid_until,
        "document_ref": "https://docs.microtech.example/certificats/iso.pdf",
    })
}

async fn an_expert_approves_only_the_profile_version_reviewed(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let (supplier, registered) = app
        .signed_up("supplier", "sophie@microtech.example", &siret(1))
        .await;
    let org = registered["organisation"]["id"]
        .as_str()
        .expect("org")
        .to_owned();
    let path = format!("/api/v1/organisations/{org}/profile");
    app.put(&path, Some(&supplier), micro_machining_profile())
        .await
        .assert_status(201);
    app.post(&format!("{path}/submit"), Some(&supplier), json!(null))
        .await
        .assert_status(200);

    // The expert reads the submitted version.
    let reviewed = app.get(&path, Some(&expert)).await;
    let etag = reviewed.etag();

    // The supplier cannot swap the content under review.
    let mut swapped = micro_machining_profile();
    swapped["private_contacts"] =
        json!([{ "name": "Comptabilité", "email": "payments@evil.example" }]);
    let edit = app
        .request(reqwest::Method::PUT, &path, Some(&supplier))
        .header("if-match", &etag)
        .json(&swapped);
    app.send(edit)
        .await
        .assert_problem(409, "profile_submitted");

    // A verdict names the version reviewed: required, and must be current.
    let approve = format!("/api/v1/backoffice/profiles/{org}/approve");
    app.post(&approve, Some(&expert), json!({}))
        .await
        .assert_problem(428, "precondition_required");
    let changes = format!("/api/v1/backoffice/profiles/{org}/request-changes");
    app.post(&changes, Some(&expert), json!({ "comment": "x" }))
        .await
        .assert_problem(428, "precondition_required");
    let stale = reviewed.body["version"].as_i64().expect("version") - 1;
    app.post_if_match(&approve, Some(&expert), stale, json!({}))
        .await
        .assert_problem(412, "precondition_failed");
    let approved = app
        .post_if_match(&approve, Some(&expert), &etag, json!({}))
        .await;
    let approved = approved.assert_status(200).clone();
    assert_eq!(approved["status"], "published");
    assert!(!approved.to_string().contains("evil.example"), "{approved}");

    // An edit of the published profile is a new version under review:
    // a verdict on the previous one is stale.
    let edit = app
        .request(reqwest::Method::PUT, &path, Some(&supplier))
        .header("if-match", format!("\"{}\"", approved["version"]))
        .json(&swapped);
    let edited = app.send(edit).await;
    assert_eq!(edited.assert_status(200)["status"], "submitted");
    app.post_if_match(&approve, Some(&expert), &etag, json!({}))
        .await
        .assert_problem(412, "precondition_failed");
    app.post_if_match(
        &changes,
        Some(&expert),
        &etag,
        json!({ "comment": "Qui est ce contact ?" }),
    )
    .await
    .assert_problem(412, "precondition_failed");
    let public = app.get(&format!("/api/v1/suppliers/{org}"), None).await;
    assert_eq!(public.assert_status(200)["private_contacts"], json!(null));
    let sent_back = app
        .post_if_match(
            &changes,
            Some(&expert),
            edited.etag(),
            json!({ "comment": "Qui est ce contact ?" }),
        )
        .await;
    assert_eq!(sent_back.assert_status(200)["status"], "changes_requested");
}

async fn an_expert_verifies_only_the_certificate_version_reviewed(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let (supplier, registered) = app
        .signed_up("supplier", "sophie@microtech.example", &siret(1))
        .await;
    let org = registered["organisation"]["id"]
        .as_str()
        .expect("org")
        .to_owned();
    let declared = app
        .post(
            &format!("/api/v1/organisations/{org}/certifications"),
            Some(&supplier),
            certificate("iso_9001", "2027-12-31"),
        )
        .await;
    let declared = declared.assert_status(201).clone();
    let id = declared["id"].as_str().expect("id").to_owned();
    let reviewed = declared["version"].clone();

    // What the expert saw (ISO 9001 until 2027) is swapped before the verdict.
    let edit = format!("/api/v1/organisations/{org}/certifications/{id}");
    let swapped = app
        .put(
            &edit,
            Some(&supplier),
            certificate("iso_13485", "2099-12-31"),
        )
        .await;
    let swapped = swapped.assert_status(200).clone();
    assert_ne!(swapped["version"], reviewed);

    let verify = format!("/api/v1/backoffice/certifications/{id}/verify");
    let reject = format!("/api/v1/backoffice/certifications/{id}/reject");
    app.post(&verify, Some(&expert), json!({}))
        .await
        .assert_problem(428, "precondition_required");
    app.post(&reject, Some(&expert), json!({ "comment": "x" }))
        .await
        .assert_problem(428, "precondition_required");
    app.post_if_match(&verify, Some(&expert), &reviewed, json!({}))
        .await
        .assert_problem(412, "precondition_failed");
    let queue = app
        .get("/api/v1/backoffice/certifications", Some(&expert))
        .await;
    assert_eq!(
        queue.assert_status(200)["items"][0]["certification"]["status"],
        "declared",
        "nothing was verified"
    );

    // A rejected certificate cannot be verified until it is re-declared.
    let rejected = app
        .post_if_match(
            &reject,
            Some(&expert),
            &swapped["version"],
            json!({ "comment": "Pas de certificat ISO 13485 chez GMED" }),
        )
        .await;
    let rejected = rejected.assert_status(200).clone();
    assert_eq!(rejected["status"], "rejected");
    app.post_if_match(&verify, Some(&expert), &rejected["version"], json!({}))
        .await
        .assert_problem(409, "certification_rejected");
    let corrected = app
        .put(
            &edit,
            Some(&supplier),
            certificate("iso_9001", "2027-12-31"),
        )
        .await;
    let corrected = corrected.assert_status(200).clone();
    assert_eq!(corrected["status"], "declared");
    let verified = app
        .post_if_match(
            &verify,
            Some(&expert),
            &corrected["version"],
            json!({ "comment": "Certificat vu" }),
        )
        .await;
    let verified = verified.assert_status(200).clone();
    assert_eq!(
        (verified["status"].clone(), verified["type"].clone()),
        (json!("verified"), json!("iso_9001"))
    );
    app.post_if_match(&verify, Some(&expert), &verified["version"], json!({}))
        .await
        .assert_problem(409, "certification_verified");
}

on_both_backends!(
    an_expert_approves_only_the_profile_version_reviewed,
    an_expert_verifies_only_the_certificate_version_reviewed
);
