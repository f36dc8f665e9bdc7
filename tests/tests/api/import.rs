//! `pmt admin import-suppliers`: the cluster's existing member profiles,
//! loaded row by row from CSV or JSON, published at once, idempotent.

use serde_json::Value;
use tests::TestApp;
use tests::directory::hit_ids;
use tests::on_both_backends;

const PRECIMICRO_SIRET: &str = "84127396500019";
/// The valid SIRET of a rejected row of the CSV fixture.
const REJECTED_SIRET: &str = "60123456700092";

fn fixture(name: &str) -> String {
    format!("{}/fixtures/import/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs the import, expects success, returns its report.
async fn import(app: &TestApp, path: &str) -> String {
    let output = app.cli(&["admin", "import-suppliers", path], &[]).await;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "import failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[track_caller]
fn assert_counts(report: &str, counts: &str) {
    assert!(
        report.contains(&format!(": {counts}\n")),
        "expected `{counts}` in:\n{report}"
    );
}

/// The first hit of a search for `text`, once the index has it.
async fn find(app: &TestApp, text: &str, name: &str) -> String {
    let answer = app
        .search_until(&format!("q={text}"), |r| {
            r["items"]
                .as_array()
                .is_some_and(|hits| hits.iter().any(|h| h["name"] == name))
        })
        .await;
    let hit = answer["items"]
        .as_array()
        .and_then(|hits| hits.iter().find(|h| h["name"] == name))
        .expect("hit");
    hit["id"].as_str().expect("id").to_owned()
}

async fn all_suppliers(app: &TestApp, total: u64) -> Value {
    app.search_until("limit=100", |r| r["total"] == total).await
}

/// The CSV fixture with `change` applied to the line of `name`.
fn modified_csv(app: &TestApp, name: &str, change: impl Fn(&str) -> String) -> String {
    let original = std::fs::read_to_string(fixture("suppliers.csv")).expect("fixture");
    let modified: String = original
        .lines()
        .map(|line| {
            if line.starts_with(name) {
                change(line)
            } else {
                line.to_owned()
            }
        })
        .map(|line| line + "\n")
        .collect();
    assert_ne!(original, modified, "the change must apply");
    let path = app.data_dir.path().join("modified.csv");
    std::fs::write(&path, modified).expect("write");
    path.display().to_string()
}

async fn a_csv_import_publishes_valid_rows_and_reports_every_rejected_field(app: &TestApp) {
    let report = import(app, &fixture("suppliers.csv")).await;
    assert_counts(&report, "8 created, 0 updated, 0 unchanged, 2 rejected");
    for expected in [
        "rejected line 6 (Atelier Fantôme SARL):",
        "  siret: this SIRET fails its check digit (Luhn) (invalid_checksum)",
        "  capabilities[0].code: machining.teleportation is not in the taxonomy (unknown_capability)",
        "rejected line 10 (Chronos Dispositifs):",
        "  certifications[0].valid_until: the certificate must end after it starts (before_valid_from)",
        "  certifications[1].type: iso_99999 is not in the catalogue (unknown_certification_type)",
    ] {
        assert!(
            report.contains(expected),
            "`{expected}` missing from:\n{report}"
        );
    }

    let everyone = all_suppliers(app, 8).await;
    assert_eq!(
        everyone["facets"]["member"].as_array().map(Vec::len),
        Some(2)
    );
    let precimicro = find(app, "micro-usinnage%20titane", "Précimicro Besançon SAS").await;
    let public = app
        .get(&format!("/api/v1/suppliers/{precimicro}"), None)
        .await;
    let public = public.assert_status(200);
    assert_eq!(public["member"], true);
    assert_eq!(public["location"]["city"], "Besançon");
    assert_eq!(public["capabilities"][0]["detail"], "Titane grade 5, ±3 µm");
    assert_eq!(public["certifications"][0]["type"], "iso_13485");
    assert_eq!(public["certifications"][0]["status"], "declared");

    let swiss = find(app, "optique%20laser", "Optique Jura Précision SA").await;
    let public = app.get(&format!("/api/v1/suppliers/{swiss}"), None).await;
    assert_eq!(public.assert_status(200)["location"]["country"], "CH");
    assert_eq!(public.body["member"], false);
    app.search_until("certification=hds", |r| {
        r["total"] == 1 && r["items"][0]["name"] == "Santé Cloud Franche-Comté"
    })
    .await;

    // Nothing of the rejected rows exists.
    for name in ["Chronos", "Fant%C3%B4me"] {
        let reply = app.get(&format!("/api/v1/suppliers?q={name}"), None).await;
        assert_eq!(reply.assert_status(200)["total"], 0, "{name}");
    }
    app.register("supplier", "marc@chronos.example", REJECTED_SIRET)
        .await;
    // Imported organisations have no account; their SIRET is taken.
    let taken = app
        .post(
            "/api/v1/auth/register",
            None,
            tests::server::registration("supplier", "x@precimicro.example", PRECIMICRO_SIRET),
        )
        .await;
    taken.assert_problem(409, "siret_taken");
}

async fn re_running_a_file_changes_nothing_and_duplicates_nothing(app: &TestApp) {
    import(app, &fixture("suppliers.csv")).await;
    let report = import(app, &fixture("suppliers.csv")).await;
    assert_counts(&report, "0 created, 0 updated, 8 unchanged, 2 rejected");
    // The JSON fixture describes the same suppliers.
    let report = import(app, &fixture("suppliers.json")).await;
    assert_counts(&report, "0 created, 0 updated, 8 unchanged, 2 rejected");
    all_suppliers(app, 8).await;

    let expert = app.back_office("expert", "expert@pmt.example").await;
    let org = find(app, "decolletage", "Précimicro Besançon SAS").await;
    let profile = app
        .get(
            &format!("/api/v1/organisations/{org}/profile"),
            Some(&expert),
        )
        .await;
    let profile = profile.assert_status(200);
    assert_eq!(profile["status"], "published");
    assert_eq!(profile["version"], 1);
    assert_eq!(profile["last_review"], Value::Null);
    let history = app
        .get(
            &format!("/api/v1/organisations/{org}/profile/history"),
            Some(&expert),
        )
        .await;
    let history = &history.assert_status(200)["items"];
    assert_eq!(history.as_array().map(Vec::len), Some(1), "{history}");
    assert_eq!(history[0]["action"], "profile.imported");
    assert_eq!(history[0]["actor_id"], Value::Null);
    assert_eq!(history[0]["from_state"], Value::Null);
    assert_eq!(history[0]["to_state"], "published");
}

async fn a_changed_row_updates_its_supplier(app: &TestApp) {
    import(app, &fixture("suppliers.csv")).await;
    let org = find(app, "micro-usinage", "Précimicro Besançon SAS").await;
    let changed = modified_csv(app, "Précimicro", |line| {
        line.replace(
            "Micro-usinage et décolletage de précision",
            "Micro-usinage, décolletage et rectification de précision",
        )
        .replace(
            ";iso_9001|2023-06-15|2026-12-31|AFNOR Certification|Décolletage et micro-usinage",
            "",
        )
        .replace("Précimicro Besançon SAS", "Précimicro SAS")
    });
    let report = import(app, &changed).await;
    assert_counts(&report, "0 created, 1 updated, 7 unchanged, 2 rejected");

    assert_eq!(find(app, "rectification", "Précimicro SAS").await, org);
    let public = app.get(&format!("/api/v1/suppliers/{org}"), None).await;
    let public = public.assert_status(200);
    assert!(
        public["description_fr"]
            .as_str()
            .is_some_and(|d| d.contains("rectification"))
    );
    let certificates: Vec<_> = public["certifications"]
        .as_array()
        .expect("certifications")
        .iter()
        .map(|c| c["type"].clone())
        .collect();
    assert_eq!(certificates, ["iso_13485"]);
    all_suppliers(app, 8).await;

    let expert = app.back_office("expert", "expert@pmt.example").await;
    let profile = app
        .get(
            &format!("/api/v1/organisations/{org}/profile"),
            Some(&expert),
        )
        .await;
    assert_eq!(profile.assert_status(200)["version"], 2);
    let history = app
        .get(
            &format!("/api/v1/organisations/{org}/profile/history"),
            Some(&expert),
        )
        .await;
    let actions: Vec<_> = history.assert_status(200)["items"]
        .as_array()
        .expect("history")
        .iter()
        .map(|e| e["action"].clone())
        .collect();
    assert_eq!(actions, ["profile.imported", "profile.imported"]);
}

async fn a_json_import_reports_rows_by_index(app: &TestApp) {
    let report = import(app, &fixture("suppliers.json")).await;
    assert_counts(&report, "8 created, 0 updated, 0 unchanged, 2 rejected");
    for expected in [
        "rejected index 3 (Nébuleuse Biotech):",
        "  website: a website is an http(s) URL such as https://example.fr (invalid_url)",
        "  membership: membership is member or not_member (invalid_membership)",
        "  sectors[0]: ",
        "rejected index 8 (Sans Siret SAS):",
        "  siret: a French organisation needs its SIRET (required)",
        "  certifications[0].valid_until: ",
    ] {
        assert!(
            report.contains(expected),
            "`{expected}` missing from:\n{report}"
        );
    }
    let everyone = all_suppliers(app, 8).await;
    assert!(!everyone.to_string().contains("Nébuleuse"));
    let biotech = find(app, "culture%20cellulaire", "BioCellia Dijon").await;
    let public = app
        .get(&format!("/api/v1/suppliers/{biotech}?lang=en"), None)
        .await;
    let certificates: Vec<_> = public.assert_status(200)["certifications"]
        .as_array()
        .expect("certifications")
        .iter()
        .map(|c| c["type"].clone())
        .collect();
    assert_eq!(certificates, ["glp", "gmp"]);
}

async fn a_self_registered_supplier_with_the_same_siret_is_updated_not_duplicated(app: &TestApp) {
    let registered = app
        .register("supplier", "sophie@precimicro.example", PRECIMICRO_SIRET)
        .await;
    let org = registered["organisation"]["id"]
        .as_str()
        .expect("org")
        .to_owned();
    let report = import(app, &fixture("suppliers.csv")).await;
    assert_counts(&report, "7 created, 1 updated, 0 unchanged, 2 rejected");
    assert_eq!(
        find(app, "micro-usinage", "Précimicro Besançon SAS").await,
        org
    );
    let everyone = all_suppliers(app, 8).await;
    assert!(hit_ids(&everyone).contains(&org));
}

async fn an_unusable_file_fails_without_importing_anything(app: &TestApp) {
    let text = app.data_dir.path().join("suppliers.txt");
    std::fs::write(&text, "legal_name\nX\n").expect("write");
    let unknown_column = app.data_dir.path().join("suppliers.csv");
    std::fs::write(&unknown_column, "legal_name,sirte\nX,1\n").expect("write");
    for (path, message) in [
        (text.display().to_string(), "unsupported file type `.txt`"),
        (
            unknown_column.display().to_string(),
            "unknown column `sirte`",
        ),
        (fixture("missing.json"), "cannot read"),
    ] {
        let output = app.cli(&["admin", "import-suppliers", &path], &[]).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{path} was accepted");
        assert!(
            stderr.contains(message),
            "`{message}` missing from: {stderr}"
        );
    }
    let reply = app.get("/api/v1/suppliers", None).await;
    assert_eq!(reply.assert_status(200)["total"], 0);
}

on_both_backends!(
    a_csv_import_publishes_valid_rows_and_reports_every_rejected_field,
    re_running_a_file_changes_nothing_and_duplicates_nothing,
    a_changed_row_updates_its_supplier,
    a_json_import_reports_rows_by_index,
    a_self_registered_supplier_with_the_same_siret_is_updated_not_duplicated,
    an_unusable_file_fails_without_importing_anything
);

async fn an_admin_gives_an_imported_organisation_its_first_owner(app: &TestApp) {
    let report = import(app, &fixture("suppliers.csv")).await;
    assert_counts(&report, "8 created, 0 updated, 0 unchanged, 2 rejected");
    let org = find(app, "micro-usinage", "Précimicro Besançon SAS").await;
    let admin = app.back_office("admin", "admin@pmt.example").await;
    let invited = app
        .post(
            &format!("/api/v1/organisations/{org}/invitations"),
            Some(&admin),
            serde_json::json!({ "email": "direction@precimicro.example", "role": "owner" }),
        )
        .await;
    assert_eq!(invited.assert_status(201)["role"], "owner");
    let email = app
        .outbox()
        .wait_for("direction@precimicro.example", "invite")
        .await;
    let token = email.token_for("/accept-invitation");
    let joined = app
        .post(
            "/api/v1/auth/accept-invitation",
            None,
            serde_json::json!({ "token": token, "full_name": "Luc Morel", "password": "usinage-horloger-1890" }),
        )
        .await;
    assert_eq!(joined.assert_status(201)["organisation_role"], "owner");
    let owner = app
        .login("direction@precimicro.example", "usinage-horloger-1890")
        .await;
    let owner = owner["access_token"].as_str().expect("token");
    let profile = app
        .get(&format!("/api/v1/organisations/{org}/profile"), Some(owner))
        .await;
    assert_eq!(profile.assert_status(200)["status"], "published");
}

on_both_backends!(an_admin_gives_an_imported_organisation_its_first_owner);
