//! The supplier directory: bilingual profiles reviewed by experts, search
//! that tolerates typos and crosses languages, certificates that expire.

use serde_json::json;
use tests::TestApp;
use tests::directory::{hit_ids, iso_13485, micro_machining_profile, sterilisation_profile};
use tests::on_both_backends;
use tests::server::siret;

fn today_plus(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::TimeDelta::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

async fn a_supplier_profile_goes_from_draft_to_the_public_directory(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let (supplier, registered) = app
        .signed_up("supplier", "sophie@microtech.example", &siret(1))
        .await;
    let org = registered["organisation"]["id"]
        .as_str()
        .expect("org")
        .to_owned();

    let created = app
        .put(
            &format!("/api/v1/organisations/{org}/profile"),
            Some(&supplier),
            micro_machining_profile(),
        )
        .await;
    let created = created.assert_status(201).clone();
    assert_eq!(created["status"], "draft");
    assert_eq!(
        created["working"]["capabilities"][0]["label_en"],
        "Micro-machining"
    );
    app.post(
        &format!("/api/v1/organisations/{org}/certifications"),
        Some(&supplier),
        iso_13485(&today_plus(-100), &today_plus(700)),
    )
    .await
    .assert_status(201);

    // Not public until an expert approves.
    app.get(&format!("/api/v1/suppliers/{org}"), None)
        .await
        .assert_problem(404, "not_found");
    let submitted = app
        .post(
            &format!("/api/v1/organisations/{org}/profile/submit"),
            Some(&supplier),
            json!(null),
        )
        .await;
    assert_eq!(submitted.assert_status(200)["status"], "submitted");
    let notice = app
        .outbox()
        .wait_for("expert@pmt.example", "Profil à valider")
        .await;
    assert!(
        notice
            .text
            .contains(&format!("https://pmt.test/backoffice/profiles/{org}"))
    );

    let queue = app.get("/api/v1/backoffice/profiles", Some(&expert)).await;
    let queue = queue.assert_status(200);
    assert_eq!(queue["items"][0]["organisation_id"], org.as_str());
    assert!(queue["items"][0]["waited_seconds"].as_i64().is_some());

    let approved = app
        .post_if_match(
            &format!("/api/v1/backoffice/profiles/{org}/approve"),
            Some(&expert),
            &submitted.body["version"],
            json!({ "comment": "Certificat vu" }),
        )
        .await;
    assert_eq!(approved.assert_status(200)["status"], "published");
    app.outbox()
        .wait_for("sophie@microtech.example", "Votre profil est publié")
        .await;

    // A typo'd French query and an English query both find it.
    let french = app
        .search_until("q=micro-usinnage%20titanne", |r| hit_ids(r).contains(&org))
        .await;
    assert!(
        french["items"][0]["highlights"]
            .as_object()
            .is_some_and(|h| !h.is_empty())
    );
    app.search_until("q=micromachining", |r| hit_ids(r).contains(&org))
        .await;
    app.search_until("q=micro-machining%20titanium&lang=en", |r| {
        hit_ids(r).contains(&org)
    })
    .await;
    let filtered = app.search_until("capability=machining&certification=iso_13485&sector=medtech&region=Bourgogne-Franche-Comt%C3%A9", |r| hit_ids(r) == [org.clone()]).await;
    assert_eq!(
        filtered["items"][0]["certifications"][0]["code"],
        "iso_13485"
    );
    assert_eq!(
        filtered["facets"]["sectors"].as_array().map(Vec::len),
        Some(2)
    );

    let public = app
        .get(&format!("/api/v1/suppliers/{org}?lang=en"), None)
        .await;
    let public = public.assert_status(200);
    assert_eq!(public["certifications"][0]["label"], "ISO 13485");
    assert!(
        public.get("private_contacts").is_none(),
        "private contacts are never public"
    );
    assert!(!public.to_string().contains("direction@microtech.example"));

    let history = app
        .get(
            &format!("/api/v1/organisations/{org}/profile/history"),
            Some(&supplier),
        )
        .await;
    let actions: Vec<_> = history.assert_status(200)["items"]
        .as_array()
        .expect("history")
        .iter()
        .map(|e| e["action"].clone())
        .collect();
    assert_eq!(
        actions,
        [
            json!("profile.created"),
            json!("profile.submitted"),
            json!("profile.approved")
        ]
    );
}

async fn french_queries_find_english_profiles_and_the_reverse(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let (_, french_only) = app
        .published_supplier(
            "a@microtech.example",
            &siret(1),
            micro_machining_profile(),
            &[],
            &expert,
        )
        .await;
    let (_, english_only) = app
        .published_supplier(
            "b@sterilis.example",
            &siret(2),
            sterilisation_profile(),
            &[],
            &expert,
        )
        .await;
    app.search_until("q=sterilisation%20gamma", |r| {
        hit_ids(r) == [english_only.clone()]
    })
    .await;
    app.search_until(
        "q=st%C3%A9rilisation%20oxyde%20d%27%C3%A9thyl%C3%A8ne",
        |r| hit_ids(r) == [english_only.clone()],
    )
    .await;
    app.search_until("q=swiss%20turning", |r| hit_ids(r) == [french_only.clone()])
        .await;
    app.search_until("q=decolletage", |r| hit_ids(r) == [french_only.clone()])
        .await;
}

/// "FDA clearance for orthopedic implants" names the FDA submissions
/// capability: its holder ranks first, though another profile's text matches
/// more of the words.
async fn a_sentence_naming_a_capability_ranks_its_holders_first(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let profile = |description: &str, capability: &str| {
        let mut profile = sterilisation_profile();
        profile["description_en"] = json!(description);
        profile["capabilities"] = json!([{ "code": capability }]);
        profile
    };
    let (_, holder) = app
        .published_supplier_named(
            "Atlantic Conseil",
            "a@atlantic.example",
            &siret(1),
            profile(
                "Regulatory files for the US market.",
                "regulatory.fda_submissions",
            ),
            &[],
            &expert,
        )
        .await;
    let (_, wordier) = app
        .published_supplier_named(
            "Essais Comtois",
            "b@essais.example",
            &siret(2),
            profile(
                "Clearance testing of orthopedic parts.",
                "testing.mechanical",
            ),
            &[],
            &expert,
        )
        .await;
    let found = app
        .search_until("q=FDA%20clearance%20for%20orthopedic%20implants", |r| {
            hit_ids(r).len() == 2
        })
        .await;
    assert_eq!(hit_ids(&found), [holder, wordier], "{found}");
}

/// "… fournisseur certifié ISO 11137" names the certification of radiation
/// sterilisation: its holder ranks first, though another profile's text
/// matches more of the words.
async fn a_sentence_naming_a_certification_ranks_its_holders_first(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let profile = |description: &str| {
        let mut profile = sterilisation_profile();
        profile["description_fr"] = json!(description);
        profile["description_en"] = json!("Contract services.");
        profile
    };
    let mut gamma = iso_13485("2025-01-01", "2030-01-01");
    gamma["type"] = json!("iso_11137");
    let mut found = Vec::new();
    for (n, name, description, certificates) in [
        (
            1,
            "Rayons Est",
            "Stérilisation de dispositifs.",
            vec![gamma],
        ),
        (2, "Oxyde Sud", "Stérilisation de poches.", vec![]),
        (3, "Pack Centre", "Conditionnement de poches.", vec![]),
    ] {
        let (_, org) = app
            .published_supplier_named(
                name,
                &format!("{n}@sterile.example"),
                &siret(n),
                profile(description),
                &certificates,
                &expert,
            )
            .await;
        found.push(org);
    }
    let ranked = app
        .search_until(
            "q=st%C3%A9rilisation%20de%20poches%2C%20fournisseur%20certifi%C3%A9%20ISO%2011137",
            |r| hit_ids(r).len() == 3,
        )
        .await;
    assert_eq!(hit_ids(&ranked), found, "{ranked}");
}

async fn the_published_version_stays_public_while_edits_are_reviewed(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let (supplier, org) = app
        .published_supplier(
            "a@microtech.example",
            &siret(1),
            micro_machining_profile(),
            &[],
            &expert,
        )
        .await;
    let current = app
        .get(
            &format!("/api/v1/organisations/{org}/profile"),
            Some(&supplier),
        )
        .await;
    let etag = current.etag();

    let mut edited = micro_machining_profile();
    edited["description_fr"] = json!("Nouvelle description : micro-usinage et électroérosion.");
    let saved = app
        .send(
            app.request(
                reqwest::Method::PUT,
                &format!("/api/v1/organisations/{org}/profile"),
                Some(&supplier),
            )
            .header("if-match", &etag)
            .json(&edited),
        )
        .await;
    let saved = saved.assert_status(200);
    assert_eq!(saved["status"], "submitted");
    assert_ne!(
        saved["published"]["description_fr"],
        saved["working"]["description_fr"]
    );

    let public = app.get(&format!("/api/v1/suppliers/{org}"), None).await;
    assert!(
        public.assert_status(200)["description_fr"]
            .as_str()
            .is_some_and(|d| d.starts_with("Atelier"))
    );
    app.post_if_match(
        &format!("/api/v1/backoffice/profiles/{org}/approve"),
        Some(&expert),
        &saved["version"],
        json!({}),
    )
    .await
    .assert_status(200);
    let public = app.get(&format!("/api/v1/suppliers/{org}"), None).await;
    assert!(
        public.assert_status(200)["description_fr"]
            .as_str()
            .is_some_and(|d| d.starts_with("Nouvelle"))
    );
}

async fn a_lost_update_is_impossible(app: &TestApp) {
    let (supplier, registered) = app
        .signed_up("supplier", "a@microtech.example", &siret(1))
        .await;
    let org = registered["organisation"]["id"]
        .as_str()
        .expect("org")
        .to_owned();
    let path = format!("/api/v1/organisations/{org}/profile");
    let created = app
        .put(&path, Some(&supplier), micro_machining_profile())
        .await;
    let version = created.assert_status(201)["version"]
        .as_i64()
        .expect("version");

    app.put(&path, Some(&supplier), micro_machining_profile())
        .await
        .assert_problem(428, "precondition_required");
    let first = app
        .send(
            app.request(reqwest::Method::PUT, &path, Some(&supplier))
                .header("if-match", format!("\"{version}\""))
                .json(&micro_machining_profile()),
        )
        .await;
    first.assert_status(200);
    let second = app
        .send(
            app.request(reqwest::Method::PUT, &path, Some(&supplier))
                .header("if-match", format!("\"{version}\""))
                .json(&sterilisation_profile()),
        )
        .await;
    second.assert_problem(412, "precondition_failed");
    let stored = app.get(&path, Some(&supplier)).await;
    assert!(
        stored.assert_status(200)["working"]["description_fr"]
            .as_str()
            .is_some_and(|d| d.starts_with("Atelier"))
    );
}

async fn illegal_review_steps_answer_409_naming_the_state(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let (supplier, registered) = app
        .signed_up("supplier", "a@microtech.example", &siret(1))
        .await;
    let org = registered["organisation"]["id"]
        .as_str()
        .expect("org")
        .to_owned();
    app.put(
        &format!("/api/v1/organisations/{org}/profile"),
        Some(&supplier),
        micro_machining_profile(),
    )
    .await
    .assert_status(201);

    let version = app.profile_version(&org, &expert).await;
    app.post_if_match(
        &format!("/api/v1/backoffice/profiles/{org}/approve"),
        Some(&expert),
        &version,
        json!({}),
    )
    .await
    .assert_problem(409, "profile_draft");
    app.post(
        &format!("/api/v1/backoffice/profiles/{org}/suspend"),
        Some(&expert),
        json!({ "comment": "x" }),
    )
    .await
    .assert_problem(409, "profile_draft");
    app.post(
        &format!("/api/v1/organisations/{org}/profile/submit"),
        Some(&supplier),
        json!(null),
    )
    .await
    .assert_status(200);
    app.post(
        &format!("/api/v1/organisations/{org}/profile/submit"),
        Some(&supplier),
        json!(null),
    )
    .await
    .assert_problem(409, "profile_submitted");
    let version = app.profile_version(&org, &expert).await;
    app.post_if_match(
        &format!("/api/v1/backoffice/profiles/{org}/request-changes"),
        Some(&expert),
        &version,
        json!({ "comment": "" }),
    )
    .await
    .assert_problem(422, "validation_failed");
    let sent_back = app
        .post_if_match(
            &format!("/api/v1/backoffice/profiles/{org}/request-changes"),
            Some(&expert),
            &version,
            json!({ "comment": "Précisez vos matériaux" }),
        )
        .await;
    let sent_back = sent_back.assert_status(200);
    assert_eq!(sent_back["status"], "changes_requested");
    assert_eq!(
        sent_back["last_review"]["comment"],
        "Précisez vos matériaux"
    );
    let email = app
        .outbox()
        .wait_for("a@microtech.example", "Modifications demandées")
        .await;
    assert!(email.text.contains("Précisez vos matériaux"));
    app.post(
        &format!("/api/v1/backoffice/profiles/{org}/reinstate"),
        Some(&expert),
        json!({}),
    )
    .await
    .assert_problem(409, "profile_changes_requested");
}

async fn suspension_takes_a_supplier_off_the_directory(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let (supplier, org) = app
        .published_supplier(
            "a@microtech.example",
            &siret(1),
            micro_machining_profile(),
            &[],
            &expert,
        )
        .await;
    app.search_until("q=micro-usinage", |r| hit_ids(r) == [org.clone()])
        .await;
    app.post(
        &format!("/api/v1/backoffice/profiles/{org}/suspend"),
        Some(&expert),
        json!({ "comment": "Certificat falsifié" }),
    )
    .await
    .assert_status(200);
    app.get(&format!("/api/v1/suppliers/{org}"), None)
        .await
        .assert_problem(404, "not_found");
    app.search_until("q=micro-usinage", |r| hit_ids(r).is_empty())
        .await;
    let mut edit = micro_machining_profile();
    edit["description_fr"] = json!("x");
    let version = app
        .get(
            &format!("/api/v1/organisations/{org}/profile"),
            Some(&supplier),
        )
        .await
        .body["version"]
        .clone();
    app.send(
        app.request(
            reqwest::Method::PUT,
            &format!("/api/v1/organisations/{org}/profile"),
            Some(&supplier),
        )
        .header("if-match", version.to_string())
        .json(&edit),
    )
    .await
    .assert_problem(403, "organisation_suspended");
    app.post(
        &format!("/api/v1/backoffice/profiles/{org}/reinstate"),
        Some(&expert),
        json!({}),
    )
    .await
    .assert_status(200);
    app.search_until("q=micro-usinage", |r| hit_ids(r) == [org.clone()])
        .await;
}

async fn expired_and_rejected_certificates_stop_counting(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let expired = iso_13485(&today_plus(-1000), &today_plus(-1));
    let (supplier, org) = app
        .published_supplier(
            "a@microtech.example",
            &siret(1),
            micro_machining_profile(),
            &[expired],
            &expert,
        )
        .await;
    app.search_until("q=micro-usinage", |r| hit_ids(r) == [org.clone()])
        .await;
    let filtered = app.search_until("certification=iso_13485", |_| true).await;
    assert!(hit_ids(&filtered).is_empty(), "{filtered}");

    let valid = app
        .post(
            &format!("/api/v1/organisations/{org}/certifications"),
            Some(&supplier),
            iso_13485(&today_plus(-10), &today_plus(365)),
        )
        .await;
    let cert_id = valid.assert_status(201)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let cert_version = valid.body["version"].clone();
    let found = app
        .search_until("certification=iso_13485", |r| hit_ids(r) == [org.clone()])
        .await;
    assert_eq!(found["facets"]["certifications"][0]["value"], "iso_13485");
    assert_eq!(found["facets"]["certifications"][0]["count"], 1);

    app.post_if_match(
        &format!("/api/v1/backoffice/certifications/{cert_id}/reject"),
        Some(&expert),
        cert_version,
        json!({ "comment": "Document illisible" }),
    )
    .await
    .assert_status(200);
    app.search_until("certification=iso_13485", |r| hit_ids(r).is_empty())
        .await;
    let profile = app
        .get(
            &format!("/api/v1/organisations/{org}/profile"),
            Some(&supplier),
        )
        .await;
    let statuses: Vec<_> = profile.assert_status(200)["certifications"]
        .as_array()
        .expect("certs")
        .iter()
        .map(|c| (c["status"].clone(), c["valid_today"].clone()))
        .collect();
    assert!(statuses.contains(&(json!("rejected"), json!(false))));
    assert!(statuses.contains(&(json!("declared"), json!(false))));
}

async fn a_certificate_expires_on_its_own_without_any_job(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let certificate = iso_13485(&today_plus(-10), &today_plus(30));
    let (_, org) = app
        .published_supplier(
            "a@microtech.example",
            &siret(1),
            micro_machining_profile(),
            &[certificate],
            &expert,
        )
        .await;
    app.search_until("certification=iso_13485", |r| hit_ids(r) == [org.clone()])
        .await;

    // The same data seen 31 days later, by a server whose clock runs ahead.
    let (_later, later_url) = app
        .spawn_sibling(&[("PMT_CLOCK_OFFSET_SECONDS", "2678400")])
        .await;
    let reply = app
        .client
        .get(format!(
            "{later_url}/api/v1/suppliers?certification=iso_13485"
        ))
        .send()
        .await
        .expect("search");
    let body: serde_json::Value = reply.json().await.expect("json");
    assert_eq!(body["total"], 0, "{body}");
    let reply = app
        .client
        .get(format!("{later_url}/api/v1/suppliers?capability=machining"))
        .send()
        .await
        .expect("search");
    let body: serde_json::Value = reply.json().await.expect("json");
    assert_eq!(body["total"], 1, "the supplier is still listed: {body}");
    assert_eq!(body["items"][0]["certifications"], json!([]));
}

async fn profiles_are_out_of_reach_of_other_organisations(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let (supplier, registered) = app
        .signed_up("supplier", "a@microtech.example", &siret(1))
        .await;
    let org = registered["organisation"]["id"]
        .as_str()
        .expect("org")
        .to_owned();
    app.put(
        &format!("/api/v1/organisations/{org}/profile"),
        Some(&supplier),
        micro_machining_profile(),
    )
    .await
    .assert_status(201);
    let (other_supplier, _) = app
        .signed_up("supplier", "b@sterilis.example", &siret(2))
        .await;
    let (buyer, buyer_reg) = app.signed_up("buyer", "c@cardio.example", &siret(3)).await;
    let path = format!("/api/v1/organisations/{org}/profile");
    for token in [&other_supplier, &buyer] {
        app.get(&path, Some(token))
            .await
            .assert_problem(404, "not_found");
        app.put(&path, Some(token), micro_machining_profile())
            .await
            .assert_problem(404, "not_found");
        app.post(&format!("{path}/submit"), Some(token), json!(null))
            .await
            .assert_problem(404, "not_found");
        app.post(
            &format!("/api/v1/organisations/{org}/certifications"),
            Some(token),
            iso_13485("2025-01-01", "2030-01-01"),
        )
        .await
        .assert_problem(404, "not_found");
        app.post(
            &format!("/api/v1/backoffice/profiles/{org}/approve"),
            Some(token),
            json!({}),
        )
        .await
        .assert_problem(403, "forbidden");
    }
    // Experts read everything but write for nobody.
    app.get(&path, Some(&expert)).await.assert_status(200);
    app.put(&path, Some(&expert), micro_machining_profile())
        .await
        .assert_problem(403, "forbidden");
    // A buyer organisation has no supplier profile.
    let buyer_org = buyer_reg["organisation"]["id"].as_str().expect("org");
    app.put(
        &format!("/api/v1/organisations/{buyer_org}/profile"),
        Some(&buyer),
        micro_machining_profile(),
    )
    .await
    .assert_problem(404, "not_found");
}

async fn profile_input_is_validated_field_by_field(app: &TestApp) {
    let (supplier, registered) = app
        .signed_up("supplier", "a@microtech.example", &siret(1))
        .await;
    let org = registered["organisation"]["id"]
        .as_str()
        .expect("org")
        .to_owned();
    let mut profile = micro_machining_profile();
    profile["capabilities"] =
        json!([{ "code": "machining.teleportation" }, { "code": "Bad Code" }]);
    profile["sectors"] = json!(["medtech", "mining"]);
    profile["headcount"] = json!("lots");
    profile["public_contact_email"] = json!("nope");
    let reply = app
        .put(
            &format!("/api/v1/organisations/{org}/profile"),
            Some(&supplier),
            profile,
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    let fields: Vec<_> = reply.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        fields,
        [
            "capabilities[0].code",
            "capabilities[1].code",
            "sectors[1]",
            "headcount",
            "public_contact_email"
        ]
    );

    let bad_cert = json!({ "type": "iso_99999", "scope": "x", "certifying_body": "y", "valid_from": "2026-13-01", "valid_until": "2025-01-01" });
    let reply = app
        .post(
            &format!("/api/v1/organisations/{org}/certifications"),
            Some(&supplier),
            bad_cert,
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.body["errors"][0]["field"], "valid_from");
}

async fn the_taxonomy_is_bilingual_and_admins_extend_it(app: &TestApp) {
    let fr = app.get("/api/v1/taxonomy", None).await;
    let fr = fr.assert_status(200).clone();
    let machining = fr
        .as_array()
        .expect("tree")
        .iter()
        .find(|n| n["code"] == "machining")
        .expect("machining")
        .clone();
    assert_eq!(machining["label"], "Usinage");
    assert!(
        machining["children"]
            .as_array()
            .expect("children")
            .iter()
            .any(|c| c["label"] == "Décolletage")
    );
    let en = app
        .send(
            app.request(reqwest::Method::GET, "/api/v1/taxonomy", None)
                .header("accept-language", "en-GB,en;q=0.9"),
        )
        .await;
    assert!(
        en.assert_status(200)
            .as_array()
            .expect("tree")
            .iter()
            .any(|n| n["label"] == "Machining")
    );
    app.get("/api/v1/taxonomy?lang=de", None)
        .await
        .assert_problem(400, "invalid_query");
    let certs = app.get("/api/v1/certification-types?lang=en", None).await;
    assert!(
        certs
            .assert_status(200)
            .as_array()
            .expect("types")
            .iter()
            .any(|t| t["code"] == "iso_17025")
    );

    let admin = app.back_office("admin", "admin@pmt.example").await;
    let body = json!({ "parent": "machining", "slug": "gear_hobbing", "label_fr": "Taillage d'engrenages", "label_en": "Gear hobbing", "synonyms": ["engrenages"] });
    let created = app
        .post("/api/v1/admin/taxonomy", Some(&admin), body.clone())
        .await;
    assert_eq!(created.assert_status(201)["code"], "machining.gear_hobbing");
    app.post("/api/v1/admin/taxonomy", Some(&admin), body.clone())
        .await
        .assert_problem(409, "capability_exists");
    let orphan = json!({ "parent": "nowhere", "slug": "x", "label_fr": "x", "label_en": "x" });
    app.post("/api/v1/admin/taxonomy", Some(&admin), orphan)
        .await
        .assert_problem(422, "validation_failed");
    let expert = app.back_office("expert", "expert@pmt.example").await;
    app.post("/api/v1/admin/taxonomy", Some(&expert), body)
        .await
        .assert_problem(403, "forbidden");
}

async fn search_parameters_are_validated(app: &TestApp) {
    app.get("/api/v1/suppliers?limit=1000", None)
        .await
        .assert_problem(422, "validation_failed");
    app.get("/api/v1/suppliers?sort=price", None)
        .await
        .assert_problem(422, "validation_failed");
    app.get("/api/v1/suppliers?sector=mining", None)
        .await
        .assert_problem(422, "validation_failed");
    app.get("/api/v1/suppliers?limit=abc", None)
        .await
        .assert_problem(400, "invalid_query");
    app.get("/api/v1/suppliers?member=maybe", None)
        .await
        .assert_problem(400, "invalid_query");
    let empty = app.get("/api/v1/suppliers", None).await;
    assert_eq!(empty.assert_status(200)["total"], 0);
}

on_both_backends!(
    a_supplier_profile_goes_from_draft_to_the_public_directory,
    french_queries_find_english_profiles_and_the_reverse,
    a_sentence_naming_a_capability_ranks_its_holders_first,
    a_sentence_naming_a_certification_ranks_its_holders_first,
    the_published_version_stays_public_while_edits_are_reviewed,
    a_lost_update_is_impossible,
    illegal_review_steps_answer_409_naming_the_state,
    suspension_takes_a_supplier_off_the_directory,
    expired_and_rejected_certificates_stop_counting,
    a_certificate_expires_on_its_own_without_any_job,
    profiles_are_out_of_reach_of_other_organisations,
    profile_input_is_validated_field_by_field,
    the_taxonomy_is_bilingual_and_admins_extend_it,
    search_parameters_are_validated
);

async fn writes_succeed_while_the_index_is_down_and_readiness_says_so(app: &TestApp) {
    // A second server on the same database whose Meilisearch is unreachable.
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let meili = format!("http://127.0.0.1:{closed_port}");
    let (_down, down_url) = app
        .spawn_sibling(&[
            ("MEILI_URL", meili.as_str()),
            ("MEILI_INDEX_PREFIX", "down_"),
        ])
        .await;
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let login = app
        .client
        .post(format!("{down_url}/api/v1/auth/login"))
        .json(&json!({ "email": "expert@pmt.example", "password": tests::server::PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status().as_u16(), 200);

    let (_, org) = app
        .published_supplier(
            "a@microtech.example",
            &siret(1),
            micro_machining_profile(),
            &[],
            &expert,
        )
        .await;
    // The write went through the first server; the second still answers
    // every request that needs only the database.
    let public = app
        .client
        .get(format!("{down_url}/api/v1/suppliers/{org}"))
        .send()
        .await
        .expect("profile");
    assert_eq!(public.status().as_u16(), 200);
    let search = app
        .client
        .get(format!("{down_url}/api/v1/suppliers?q=usinage"))
        .send()
        .await
        .expect("search");
    assert_eq!(search.status().as_u16(), 503, "search needs the index");
    let body: serde_json::Value = search.json().await.expect("json");
    assert_eq!(body["code"], "service_unavailable");

    let ready = app
        .client
        .get(format!("{down_url}/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status().as_u16(), 503);
    let ready: serde_json::Value = ready.json().await.expect("json");
    assert_eq!(ready["database"], "ok");
    assert_eq!(ready["index"], "unavailable");
    assert_eq!(ready["index_engine"], "meilisearch");
}

on_both_backends!(writes_succeed_while_the_index_is_down_and_readiness_says_so);

mod reindex {
    use tests::directory::hit_ids;
    use tests::{Backend, TestApp};

    async fn scenario(backend: Backend) {
        let mut app = TestApp::spawn(backend).await;
        let expert = app.back_office("expert", "expert@pmt.example").await;
        let [(_, first), (_, second)] = app.machining_and_sterilisation(&expert).await;
        app.search_until("limit=10", |r| r["total"] == 2).await;

        // The index is lost; `admin reindex` rebuilds it from the database.
        app.stop_server().await;
        // (With TEST_MEILI_URL there is no embedded index directory.)
        let _ = std::fs::remove_dir_all(app.data_dir.path().join("index"));
        let output = app.cli(&["admin", "reindex"], &[]).await;
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("reindexed 2 published suppliers")
        );

        let (_server, url) = app.spawn_sibling(&[]).await;
        let body: serde_json::Value = app
            .client
            .get(format!("{url}/api/v1/suppliers?limit=10"))
            .send()
            .await
            .expect("search")
            .json()
            .await
            .expect("json");
        let mut found = hit_ids(&body);
        found.sort();
        let mut expected = vec![first, second];
        expected.sort();
        assert_eq!(found, expected);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn admin_reindex_rebuilds_a_lost_index_on_sqlite() {
        scenario(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn admin_reindex_rebuilds_a_lost_index_on_postgres() {
        scenario(Backend::Postgres).await;
    }
}

async fn experts_work_through_declared_certificates(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let first = iso_13485(&today_plus(-10), &today_plus(300));
    let second = iso_13485(&today_plus(-5), &today_plus(400));
    let (supplier, org) = app
        .published_supplier(
            "a@microtech.example",
            &siret(1),
            micro_machining_profile(),
            &[first, second],
            &expert,
        )
        .await;

    let page = app
        .get("/api/v1/backoffice/certifications?limit=1", Some(&expert))
        .await;
    let page = page.assert_status(200).clone();
    assert_eq!(page["items"][0]["organisation_id"], org.as_str());
    assert_eq!(page["items"][0]["certification"]["status"], "declared");
    let cursor = page["next_cursor"].as_str().expect("second page");
    let rest = app
        .get(
            &format!("/api/v1/backoffice/certifications?limit=1&cursor={cursor}"),
            Some(&expert),
        )
        .await;
    let rest = rest.assert_status(200).clone();
    assert_eq!(rest["next_cursor"], json!(null));
    let first_id = page["items"][0]["certification"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_ne!(rest["items"][0]["certification"]["id"], first_id.as_str());

    let verified = app
        .post_if_match(
            &format!("/api/v1/backoffice/certifications/{first_id}/verify"),
            Some(&expert),
            &page["items"][0]["certification"]["version"],
            json!({ "comment": "Certificat GMED vu" }),
        )
        .await;
    assert_eq!(verified.assert_status(200)["status"], "verified");
    let left = app
        .get("/api/v1/backoffice/certifications", Some(&expert))
        .await;
    assert_eq!(
        left.assert_status(200)["items"].as_array().map(Vec::len),
        Some(1)
    );
    app.get("/api/v1/backoffice/certifications", Some(&supplier))
        .await
        .assert_problem(403, "forbidden");
    let public = app.get(&format!("/api/v1/suppliers/{org}"), None).await;
    let statuses: Vec<_> = public.assert_status(200)["certifications"]
        .as_array()
        .expect("certs")
        .iter()
        .map(|c| c["status"].clone())
        .collect();
    assert!(statuses.contains(&json!("verified")) && statuses.contains(&json!("declared")));
}

on_both_backends!(experts_work_through_declared_certificates);
