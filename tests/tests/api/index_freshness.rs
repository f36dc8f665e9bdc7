//! Everything the directory index holds stays fresh by itself: each indexed
//! field, changed through the API, the back office or the import command,
//! shows in `GET /api/v1/suppliers` (text, filters, facets, sort) without any
//! reindex. Every step first sees the old state, then waits for the new one,
//! so a step whose change never reaches the index fails at its deadline.
//!
//! Query words are invented (`quokkafer`, `tapirex`...) so that each one
//! names exactly one field of one supplier. The department and the country
//! are indexed but not searchable: they change with the city and the region,
//! through the same writes.

use serde_json::{Value, json};
use tests::TestApp;
use tests::directory::{hit_ids, iso_13485, sterilisation_profile};
use tests::on_both_backends;
use tests::server::siret;

fn today_plus(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::TimeDelta::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// The profile the walk starts from: one invented word per searchable field.
fn first_profile() -> Value {
    json!({
        "description_fr": "Atelier quokkafer de micro-usinage de précision.",
        "description_en": "Wombatine precision workshop.",
        "capabilities": [{ "code": "machining.micro_machining", "detail": "narvalite" }],
        "sectors": ["medtech"],
        "equipment": ["Ocelotron 5000"],
        "headcount": "10-49",
        "location": { "city": "Dole", "department": "39", "region": "Bourgogne-Franche-Comté" },
        "working_languages": ["fr"],
    })
}

/// Every profile field the index holds, changed.
fn second_profile() -> Value {
    json!({
        "description_fr": "Atelier pangolard de stérilisation.",
        "description_en": "Axolotine sterilisation plant.",
        "capabilities": [{ "code": "sterilisation.gamma", "detail": "tapirex" }],
        "sectors": ["aerospace"],
        "equipment": ["Lemurix 300"],
        "headcount": "10-49",
        "location": { "city": "Annecy", "department": "74", "region": "Auvergne-Rhône-Alpes", "country": "FR" },
        "working_languages": ["fr"],
    })
}

/// Waits until `org` is among the hits of `query`; returns the response.
async fn listed(app: &TestApp, query: &str, org: &str) -> Value {
    app.search_until(query, |r| hit_ids(r).iter().any(|id| id == org))
        .await
}

/// Waits until `org` is not among the hits of `query` (which found it
/// before the change under test, unless said otherwise).
async fn unlisted(app: &TestApp, query: &str, org: &str) {
    app.search_until(query, |r| !hit_ids(r).iter().any(|id| id == org))
        .await;
}

fn facet_count(response: &Value, facet: &str, value: &str) -> Option<u64> {
    response["facets"][facet]
        .as_array()?
        .iter()
        .find(|v| v["value"] == value)
        .and_then(|v| v["count"].as_u64())
}

/// Returns once the wall clock is in a later second than when called: the
/// index sorts on seconds, so two publications a second apart sort apart.
async fn next_second() {
    let start = chrono::Utc::now().timestamp();
    while chrono::Utc::now().timestamp() <= start {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn walk_every_indexed_field(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let admin = app.back_office("admin", "admin@pmt.example").await;
    let subject_siret = siret(1);
    let (supplier, org) = app
        .published_supplier(
            "s@freshness.example",
            &subject_siret,
            first_profile(),
            &[],
            &expert,
        )
        .await;
    next_second().await;
    let (_, other) = app
        .published_supplier(
            "t@freshness.example",
            &siret(2),
            sterilisation_profile(),
            &[],
            &expert,
        )
        .await;

    // Publication, and the publication time (`sort=recent`).
    for word in ["quokkafer", "wombatine", "narvalite", "ocelotron", "dole"] {
        listed(app, &format!("q={word}"), &org).await;
    }
    listed(
        app,
        "capability=machining.micro_machining&sector=medtech",
        &org,
    )
    .await;
    app.search_until("sort=recent", |r| {
        hit_ids(r) == [other.clone(), org.clone()]
    })
    .await;

    // Membership, changed by an admin, both ways.
    let membership = format!("/api/v1/admin/organisations/{org}/membership");
    let found = listed(app, "member=false", &org).await;
    assert_eq!(facet_count(&found, "member", "true"), None, "{found}");
    app.put(&membership, Some(&admin), json!({ "membership": "member" }))
        .await
        .assert_status(200);
    listed(app, "member=true", &org).await;
    let all = app
        .search_until("limit=100", |r| facet_count(r, "member", "true") == Some(1))
        .await;
    assert_eq!(facet_count(&all, "member", "false"), Some(1), "{all}");
    app.put(
        &membership,
        Some(&admin),
        json!({ "membership": "not_member" }),
    )
    .await
    .assert_status(200);
    unlisted(app, "member=true", &org).await;
    listed(app, "member=false", &org).await;

    // Every profile field: the supplier edits, an expert approves.
    let path = format!("/api/v1/organisations/{org}/profile");
    let etag = app.get(&path, Some(&supplier)).await.etag();
    app.send(
        app.request(reqwest::Method::PUT, &path, Some(&supplier))
            .header("if-match", &etag)
            .json(&second_profile()),
    )
    .await
    .assert_status(200);
    next_second().await;
    let version = app.profile_version(&org, &expert).await;
    app.post_if_match(
        &format!("/api/v1/backoffice/profiles/{org}/approve"),
        Some(&expert),
        version,
        json!({}),
    )
    .await
    .assert_status(200);
    for (old, new) in [
        ("quokkafer", "pangolard"), // description_fr
        ("wombatine", "axolotine"), // description_en
        ("narvalite", "tapirex"),   // capability detail
        ("ocelotron", "lemurix"),   // equipment
        ("dole", "annecy"),         // city
    ] {
        listed(app, &format!("q={new}"), &org).await;
        unlisted(app, &format!("q={old}"), &org).await;
    }
    unlisted(app, "capability=machining", &org).await;
    let found = listed(app, "capability=sterilisation.gamma", &org).await;
    assert_eq!(facet_count(&found, "capabilities", "machining"), None);
    listed(app, "q=gamma%20sterilisation", &org).await; // capability labels
    unlisted(app, "sector=medtech", &org).await;
    listed(app, "sector=aerospace", &org).await;
    let found = listed(app, "region=Auvergne-Rh%C3%B4ne-Alpes", &org).await;
    assert_eq!(
        facet_count(&found, "regions", "Auvergne-Rhône-Alpes"),
        Some(1),
        "{found}"
    );
    app.search_until("sort=recent", |r| {
        hit_ids(r) == [org.clone(), other.clone()]
    })
    .await;

    // Certificates: declared, made invalid and valid again by an edit,
    // verified, rejected; another declared, then deleted.
    let certifications = format!("/api/v1/organisations/{org}/certifications");
    // (Not listed yet: the supplier holds no certificate.)
    unlisted(app, "certification=iso_13485", &org).await;
    let declared = app
        .post(
            &certifications,
            Some(&supplier),
            iso_13485(&today_plus(-10), &today_plus(365)),
        )
        .await;
    let certificate = declared.assert_status(201)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let found = listed(app, "certification=iso_13485", &org).await;
    assert_eq!(facet_count(&found, "certifications", "iso_13485"), Some(1));
    let certificate_path = format!("{certifications}/{certificate}");
    app.put(
        &certificate_path,
        Some(&supplier),
        iso_13485(&today_plus(-400), &today_plus(-1)),
    )
    .await
    .assert_status(200);
    unlisted(app, "certification=iso_13485", &org).await;
    let redeclared = app
        .put(
            &certificate_path,
            Some(&supplier),
            iso_13485(&today_plus(-10), &today_plus(365)),
        )
        .await;
    let version = redeclared.assert_status(200)["version"].clone();
    listed(app, "certification=iso_13485", &org).await;
    let verified = app
        .post_if_match(
            &format!("/api/v1/backoffice/certifications/{certificate}/verify"),
            Some(&expert),
            version,
            json!({ "comment": "Vu" }),
        )
        .await;
    let version = verified.assert_status(200)["version"].clone();
    app.post_if_match(
        &format!("/api/v1/backoffice/certifications/{certificate}/reject"),
        Some(&expert),
        version,
        json!({ "comment": "Périmètre faux" }),
    )
    .await
    .assert_status(200);
    unlisted(app, "certification=iso_13485", &org).await;
    let other_certificate = json!({
        "type": "iso_9001",
        "scope": "Stérilisation",
        "certifying_body": "AFNOR",
        "valid_from": today_plus(-10),
        "valid_until": today_plus(365),
    });
    let declared = app
        .post(&certifications, Some(&supplier), other_certificate)
        .await;
    let second = declared.assert_status(201)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    listed(app, "certification=iso_9001", &org).await;
    app.send(app.request(
        reqwest::Method::DELETE,
        &format!("{certifications}/{second}"),
        Some(&supplier),
    ))
    .await
    .assert_status(204);
    unlisted(app, "certification=iso_9001", &org).await;

    // Suspension and reinstatement.
    app.post(
        &format!("/api/v1/backoffice/profiles/{org}/suspend"),
        Some(&expert),
        json!({ "comment": "Contrôle" }),
    )
    .await
    .assert_status(200);
    unlisted(app, "q=pangolard", &org).await;
    app.post(
        &format!("/api/v1/backoffice/profiles/{org}/reinstate"),
        Some(&expert),
        json!({}),
    )
    .await
    .assert_status(200);
    listed(app, "q=pangolard", &org).await;

    // The import command (another process) changes the legal name, the
    // address, the membership and the profile of the same SIRET.
    let file = app.data_dir.path().join("freshness.json");
    let row = json!([{
        "legal_name": "Capybaria Industrie",
        "siret": subject_siret,
        "street": "2 rue du Lac",
        "postal_code": "39400",
        "city": "Morez",
        "department": "39",
        "region": "Bourgogne-Franche-Comté",
        "membership": "member",
        "description_fr": "Lunetterie de précision.",
        "capabilities": [{ "code": "optics.precision_optics" }],
        "sectors": ["medtech"],
    }]);
    std::fs::write(&file, row.to_string()).expect("write the import file");
    let output = app
        .cli(
            &["admin", "import-suppliers", &file.display().to_string()],
            &[],
        )
        .await;
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && report.contains("0 created, 1 updated"),
        "{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    listed(app, "q=capybaria", &org).await; // legal name
    listed(app, "member=true", &org).await;
    listed(app, "q=morez", &org).await;
    listed(app, "region=Bourgogne-Franche-Comt%C3%A9", &org).await;
    listed(app, "capability=optics", &org).await;
    unlisted(app, "q=pangolard", &org).await;
}

async fn every_indexed_field_reaches_the_directory_without_a_reindex(app: &TestApp) {
    walk_every_indexed_field(app).await;
}

on_both_backends!(every_indexed_field_reaches_the_directory_without_a_reindex);
