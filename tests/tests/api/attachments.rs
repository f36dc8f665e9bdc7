//! Files attached beyond a request: a quote revision's (the buyer and the
//! experts read them, never a competitor), an answer's (every supplier that
//! reads the answer), a certificate's proof (the expert sees it to verify),
//! a profile's logo and brochure (public once the profile is); what is
//! sealed stays; an organisation lists and deletes what it has not attached.

use serde_json::{Value, json};
use tests::TestApp;
use tests::directory::{iso_13485, micro_machining_profile};
use tests::documents::{pdf, png};
use tests::on_both_backends;
use tests::server::siret;
use tests::sourcing::{World, quote};

fn id_of(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|l| l.iter().map(id_of).collect())
        .unwrap_or_default()
}

/// `body` with `file_ids`.
fn with_files(mut body: Value, files: &[&str]) -> Value {
    body["file_ids"] = json!(files);
    body
}

async fn a_quotes_files_reach_the_buyer_and_experts_never_a_competitor(app: &TestApp) {
    let w: World = app.sourcing_world().await;
    let id = app.open_request(&w).await;
    let (quoting, competitor) = (&w.certified[0], &w.certified[1]);
    let offer = app
        .uploaded(&quoting.token, "Devis 2026-114.pdf", pdf(4000))
        .await;
    let quotes = format!("/api/v1/requests/{id}/quotes");

    // A file that is not the supplier's is refused by its place in the list.
    let foreign = app.uploaded(&competitor.token, "devis.pdf", pdf(500)).await;
    let refused = app
        .post(
            &quotes,
            Some(&quoting.token),
            with_files(quote("18400.00", 45), &[&offer, &foreign]),
        )
        .await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(refused.body["errors"][0]["field"], "file_ids[1]");
    assert_eq!(refused.body["errors"][0]["code"], "unknown_file");
    // Nothing of the refused revision stuck: the offer is still unattached.
    assert!(
        app.file_metadata(&quoting.token, &offer)
            .await
            .assert_status(200)["attached_to"]
            .is_null()
    );

    let answered = app
        .post(
            &quotes,
            Some(&quoting.token),
            with_files(quote("18400.00", 45), &[&offer]),
        )
        .await;
    let first = answered.assert_status(201)["quotes"][0].clone();
    assert_eq!(ids(&first["files"]), vec![offer.clone()]);
    assert_eq!(
        app.file_metadata(&quoting.token, &offer)
            .await
            .assert_status(200)["attached_to"],
        json!({ "kind": "quote", "id": first["id"] })
    );

    // The buyer and the experts read it, in the comparison and as bytes.
    let compared = app
        .get(&format!("/api/v1/requests/{id}/answers"), Some(&w.buyer))
        .await;
    let row = compared.assert_status(200)["items"]
        .as_array()
        .and_then(|rows| {
            rows.iter()
                .find(|r| r["supplier_id"] == quoting.org.as_str())
                .cloned()
        })
        .expect("the quoting supplier's row");
    assert_eq!(ids(&row["quote"]["files"]), vec![offer.clone()]);
    for reader in [&w.buyer, &w.expert, &quoting.token] {
        let got = app.download(reader, &offer, &[]).await;
        assert_eq!(got.status.as_u16(), 200);
    }
    // Another invited supplier never reads a competitor's quote, not even
    // that the file exists; nor does a supplier never invited.
    for outsider in [&competitor.token, &w.unrelated.token] {
        let got = app.download(outsider, &offer, &[]).await;
        assert_eq!(got.status.as_u16(), 404);
        app.file_metadata(outsider, &offer)
            .await
            .assert_problem(404, "not_found");
    }

    // Submitted, the revision's file is sealed: no deletion, no reuse.
    app.delete_file(&quoting.token, &offer)
        .await
        .assert_problem(409, "file_immutable");
    let reused = app
        .post(
            &quotes,
            Some(&quoting.token),
            with_files(quote("17900.00", 40), &[&offer]),
        )
        .await;
    reused.assert_problem(422, "validation_failed");
    assert_eq!(reused.body["errors"][0]["code"], "file_attached");
    // A revision attaches a new file; the first stays with the first.
    let revised_offer = app
        .uploaded(&quoting.token, "Devis 2026-114 rév. 2.pdf", pdf(4100))
        .await;
    let revised = app
        .post(
            &quotes,
            Some(&quoting.token),
            with_files(quote("17900.00", 40), &[&revised_offer]),
        )
        .await;
    let revisions = revised.assert_status(201)["quotes"].clone();
    assert_eq!(ids(&revisions[0]["files"]), vec![offer.clone()]);
    assert_eq!(ids(&revisions[1]["files"]), vec![revised_offer]);
    assert_eq!(
        app.download(&w.buyer, &offer, &[]).await.status.as_u16(),
        200
    );
}

async fn an_answers_files_reach_every_supplier_reading_the_answer(app: &TestApp) {
    let w: World = app.sourcing_world().await;
    let id = app.open_request(&w).await;
    let asking = &w.certified[0];
    let asked = app
        .post(
            &format!("/api/v1/requests/{id}/questions"),
            Some(&asking.token),
            json!({ "question": "Quelle tolérance sur le diamètre ?" }),
        )
        .await;
    let question = id_of(asked.assert_status(201));
    let tolerances = app.uploaded(&w.buyer, "tolérances.pdf", pdf(3000)).await;
    let answered = app
        .post(
            &format!("/api/v1/requests/{id}/questions/{question}/answer"),
            Some(&w.buyer),
            json!({ "answer": "± 0,01 mm, voir le tableau joint.", "file_ids": [tolerances] }),
        )
        .await;
    assert_eq!(
        ids(&answered.assert_status(200)["files"]),
        vec![tolerances.clone()]
    );

    // Another invited supplier reads the answer and its file, after the
    // request's NDA like the request's own documents.
    let other = &w.certified[1];
    let listed = app
        .get(
            &format!("/api/v1/requests/{id}/questions"),
            Some(&other.token),
        )
        .await;
    assert_eq!(
        ids(&listed.assert_status(200)["items"][0]["files"]),
        vec![tolerances.clone()]
    );
    let before = app.download(&other.token, &tolerances, &[]).await;
    assert_eq!(before.status.as_u16(), 403);
    app.post(
        &format!("/api/v1/requests/{id}/nda"),
        Some(&other.token),
        json!(null),
    )
    .await
    .assert_status(200);
    let after = app.download(&other.token, &tolerances, &[]).await;
    assert_eq!(after.status.as_u16(), 200);
    // A supplier never invited does not.
    let outsider = app.download(&w.unrelated.token, &tolerances, &[]).await;
    assert_eq!(outsider.status.as_u16(), 404);
    // Given to every supplier, the answer's file stays.
    app.delete_file(&w.buyer, &tolerances)
        .await
        .assert_problem(409, "file_immutable");
}

/// A published supplier with one declared ISO 13485 certificate: its
/// token, organisation and certificate.
async fn certified_supplier(app: &TestApp, expert: &str) -> (String, String, String) {
    let cert = iso_13485("2026-01-01", "2029-01-01");
    let (token, org) = app
        .published_supplier(
            "qualite@microtech.example",
            &siret(1),
            micro_machining_profile(),
            &[cert],
            expert,
        )
        .await;
    let profile = app
        .get(
            &format!("/api/v1/organisations/{org}/profile"),
            Some(&token),
        )
        .await;
    let cert = id_of(&profile.assert_status(200)["certifications"][0]);
    (token, org, cert)
}

async fn a_certificates_proof_is_shown_to_the_expert_and_sealed_once_verified(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let (token, org, cert) = certified_supplier(app, &expert).await;
    let (buyer, _) = app
        .signed_up("buyer", "achats@cardio.example", &siret(100))
        .await;
    let proofs = format!("/api/v1/organisations/{org}/certifications/{cert}/files");

    // Declared, its proof may still be corrected.
    let blurred = app.uploaded(&token, "scan flou.pdf", pdf(2000)).await;
    let attached = app
        .post(&proofs, Some(&token), json!({ "file_id": blurred }))
        .await;
    assert_eq!(
        ids(&attached.assert_status(200)["proofs"]),
        vec![blurred.clone()]
    );
    app.delete_file(&token, &blurred).await.assert_status(204);
    let scan = app.uploaded(&token, "ISO 13485 GMED.pdf", pdf(9000)).await;
    app.post(&proofs, Some(&token), json!({ "file_id": scan }))
        .await
        .assert_status(200);

    // The expert sees the proof in the queue, downloads it, verifies.
    let queue = app
        .get("/api/v1/backoffice/certifications", Some(&expert))
        .await;
    let waiting = queue.assert_status(200)["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|i| i["certification"]["id"] == cert.as_str())
                .cloned()
        })
        .expect("the certificate waits for verification");
    assert_eq!(ids(&waiting["certification"]["proofs"]), vec![scan.clone()]);
    assert_eq!(app.download(&expert, &scan, &[]).await.status.as_u16(), 200);
    let version = waiting["certification"]["version"].clone();
    let verified = app
        .post_if_match(
            &format!("/api/v1/backoffice/certifications/{cert}/verify"),
            Some(&expert),
            version,
            json!({ "comment": "Conforme au certificat GMED" }),
        )
        .await;
    let verified = verified.assert_status(200);
    assert_eq!(verified["status"], "verified");
    assert_eq!(ids(&verified["proofs"]), vec![scan.clone()]);

    // A buyer reads the certificate on the public profile, not its proof.
    let public = app
        .get(&format!("/api/v1/suppliers/{org}"), Some(&buyer))
        .await;
    assert!(
        !public.assert_status(200).to_string().contains(&scan),
        "the proof leaked to the public profile"
    );
    app.file_metadata(&buyer, &scan)
        .await
        .assert_problem(404, "not_found");

    // Verified, the proof stays as the expert saw it.
    app.delete_file(&token, &scan)
        .await
        .assert_problem(409, "file_immutable");
    let another = app.uploaded(&token, "autre.pdf", pdf(100)).await;
    app.post(&proofs, Some(&token), json!({ "file_id": another }))
        .await
        .assert_problem(409, "certification_verified");
}

async fn a_profiles_logo_is_public_once_the_profile_is_published(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let (buyer, _) = app
        .signed_up("buyer", "achats@cardio.example", &siret(100))
        .await;
    let (token, registered) = app
        .signed_up("supplier", "contact@decolletage.example", &siret(2))
        .await;
    let org = registered["organisation"]["id"]
        .as_str()
        .expect("org")
        .to_owned();
    let profile = format!("/api/v1/organisations/{org}/profile");
    app.put(&profile, Some(&token), micro_machining_profile())
        .await
        .assert_status(201);
    let logo = app.uploaded(&token, "logo.png", png()).await;
    let set = app
        .put(
            &format!("{profile}/logo"),
            Some(&token),
            json!({ "file_id": logo }),
        )
        .await;
    assert_eq!(
        set.assert_status(200)["attached_to"],
        json!({ "kind": "profile_logo", "id": org })
    );
    let brochure = app.uploaded(&token, "plaquette.pdf", pdf(5000)).await;
    app.put(
        &format!("{profile}/brochure"),
        Some(&token),
        json!({ "file_id": brochure }),
    )
    .await
    .assert_status(200);

    // Not published yet: the profile's own users and the experts only.
    assert_eq!(app.download(&buyer, &logo, &[]).await.status.as_u16(), 404);
    assert_eq!(app.download(&expert, &logo, &[]).await.status.as_u16(), 200);
    let own = app.get(&profile, Some(&token)).await;
    assert_eq!(id_of(&own.assert_status(200)["logo"]), logo);
    assert_eq!(id_of(&own.body["brochure"]), brochure);

    let submitted = app
        .post(&format!("{profile}/submit"), Some(&token), json!(null))
        .await;
    let version = submitted.assert_status(200)["version"].clone();
    app.post_if_match(
        &format!("/api/v1/backoffice/profiles/{org}/approve"),
        Some(&expert),
        version,
        json!({ "comment": "Vérifié" }),
    )
    .await
    .assert_status(200);

    // Published: anyone signed in reads the logo and the brochure.
    let public = app
        .get(&format!("/api/v1/suppliers/{org}"), Some(&buyer))
        .await;
    assert_eq!(id_of(&public.assert_status(200)["logo"]), logo);
    assert_eq!(id_of(&public.body["brochure"]), brochure);
    let got = app.download(&buyer, &logo, &[]).await;
    assert_eq!(got.status.as_u16(), 200);
    assert_eq!(got.header("content-type"), "image/png");

    // A new logo replaces the old one, which goes.
    let new_logo = app.uploaded(&token, "logo-2027.png", png()).await;
    app.put(
        &format!("{profile}/logo"),
        Some(&token),
        json!({ "file_id": new_logo }),
    )
    .await
    .assert_status(200);
    app.file_metadata(&token, &logo)
        .await
        .assert_problem(404, "not_found");
    let public = app
        .get(&format!("/api/v1/suppliers/{org}"), Some(&buyer))
        .await;
    assert_eq!(id_of(&public.assert_status(200)["logo"]), new_logo);
}

async fn an_organisation_lists_and_deletes_its_unattached_files(app: &TestApp) {
    let w: World = app.sourcing_world().await;
    let mut uploaded = Vec::new();
    for n in 0..3 {
        uploaded.push(
            app.uploaded(&w.buyer, &format!("plan-{n}.pdf"), pdf(1000 + n))
                .await,
        );
    }
    let draft = app.draft_request(&w).await;
    let drawing = app.uploaded(&w.buyer, "plan.pdf", pdf(800)).await;
    app.attach(&w.buyer, &draft, &drawing)
        .await
        .assert_status(200);

    // Oldest first, a page at a time; the attached file is not listed.
    let first = app.get("/api/v1/files?limit=2", Some(&w.buyer)).await;
    let first = first.assert_status(200);
    assert_eq!(ids(&first["items"]), uploaded[..2].to_vec());
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let second = app
        .get(
            &format!("/api/v1/files?limit=2&cursor={cursor}"),
            Some(&w.buyer),
        )
        .await;
    assert_eq!(
        ids(&second.assert_status(200)["items"]),
        uploaded[2..].to_vec()
    );
    assert!(second.body["next_cursor"].is_null());
    // Another organisation sees none of them, and cannot delete them.
    let supplier = &w.certified[0].token;
    let theirs = app.get("/api/v1/files", Some(supplier)).await;
    assert_eq!(theirs.assert_status(200)["items"], json!([]));
    app.delete_file(supplier, &uploaded[0])
        .await
        .assert_problem(404, "not_found");
    app.get("/api/v1/files", Some(&w.expert))
        .await
        .assert_problem(403, "forbidden");

    // Deleted: gone at once, its bytes after the commit.
    assert_eq!(app.stored_objects("objects").len(), 4);
    app.delete_file(&w.buyer, &uploaded[0])
        .await
        .assert_status(204);
    app.file_metadata(&w.buyer, &uploaded[0])
        .await
        .assert_problem(404, "not_found");
    tests::eventually(10, "the deleted file's object removed", async || {
        (app.stored_objects("objects").len() == 3).then_some(())
    })
    .await;

    // A request's document goes while the buyer may edit the request...
    app.delete_file(&w.buyer, &drawing).await.assert_status(204);
    // ...and stays once the request went to the experts.
    let kept = app
        .uploaded(&w.buyer, "cahier des charges.pdf", pdf(900))
        .await;
    app.attach(&w.buyer, &draft, &kept).await.assert_status(200);
    app.open_drafted(&w, &draft).await;
    app.delete_file(&w.buyer, &kept)
        .await
        .assert_problem(409, "request_open");
}

on_both_backends!(
    a_quotes_files_reach_the_buyer_and_experts_never_a_competitor,
    an_answers_files_reach_every_supplier_reading_the_answer,
    a_certificates_proof_is_shown_to_the_expert_and_sealed_once_verified,
    a_profiles_logo_is_public_once_the_profile_is_published,
    an_organisation_lists_and_deletes_its_unattached_files
);
