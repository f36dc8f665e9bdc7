//! The competence booklet (issue 19 item 1): the published suppliers,
//! typeset in French or English, read back from the PDF.

use serde_json::{Value, json};
use tests::directory::{iso_13485, micro_machining_profile, sterilisation_profile};
use tests::on_both_backends;
use tests::server::siret;
use tests::{TestApp, publications::Booklet};

fn today_plus(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::TimeDelta::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// A name full of typst markup: printed as written, never interpreted.
const MARKUP_NAME: &str = "Stéri*Vesoul* #exit $x$ <a> & Fils";
const MACHINING_NAME: &str = "Microtech Besançon";

fn expired_iso_9001() -> Value {
    json!({
        "type": "iso_9001",
        "scope": "Portée périmée",
        "certifying_body": "AFNOR-PERIME",
        "valid_from": today_plus(-800),
        "valid_until": today_plus(-1),
    })
}

struct Directory {
    sterilisation_token: String,
    sterilisation: String,
}

/// Two published suppliers (one a member, with a valid and an expired
/// certificate), a suspended one and one never approved.
async fn directory(app: &TestApp) -> Directory {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let admin = app.back_office("admin", "admin@pmt.example").await;
    let (_, machining) = app
        .published_supplier_named(
            MACHINING_NAME,
            "a@microtech.example",
            &siret(1),
            micro_machining_profile(),
            &[
                iso_13485(&today_plus(-100), &today_plus(700)),
                expired_iso_9001(),
            ],
            &expert,
        )
        .await;
    app.put(
        &format!("/api/v1/admin/organisations/{machining}/membership"),
        Some(&admin),
        json!({ "membership": "member" }),
    )
    .await
    .assert_status(200);
    let (sterilisation_token, sterilisation) = app
        .published_supplier_named(
            MARKUP_NAME,
            "b@sterilis.example",
            &siret(2),
            sterilisation_profile(),
            &[],
            &expert,
        )
        .await;
    let (_, suspended) = app
        .published_supplier_named(
            "Suspendue Industrie",
            "c@suspendue.example",
            &siret(3),
            micro_machining_profile(),
            &[],
            &expert,
        )
        .await;
    app.post(
        &format!("/api/v1/backoffice/profiles/{suspended}/suspend"),
        Some(&expert),
        json!({ "comment": "Certificat falsifié" }),
    )
    .await
    .assert_status(200);
    // Written and submitted, never approved.
    let mut body = tests::server::registration("supplier", "d@brouillon.example", &siret(4));
    body["organisation"]["legal_name"] = json!("Brouillon Mécanique");
    let registered = app.post("/api/v1/auth/register", None, body).await;
    let draft = registered.assert_status(201)["organisation"]["id"]
        .as_str()
        .expect("org")
        .to_owned();
    app.verify_email("d@brouillon.example").await;
    let token = app
        .login("d@brouillon.example", tests::server::PASSWORD)
        .await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    app.put(
        &format!("/api/v1/organisations/{draft}/profile"),
        Some(&token),
        micro_machining_profile(),
    )
    .await
    .assert_status(201);
    app.post(
        &format!("/api/v1/organisations/{draft}/profile/submit"),
        Some(&token),
        json!(null),
    )
    .await
    .assert_status(200);
    Directory {
        sterilisation_token,
        sterilisation,
    }
}

/// What no booklet may ever print.
#[track_caller]
fn assert_nothing_hidden(booklet: &Booklet) {
    for hidden in [
        "Suspendue Industrie",
        "Brouillon Mécanique",
        "direction@microtech.example",
        "Sophie Girard",
        "Portée périmée",
        "AFNOR-PERIME",
        "ISO 9001",
    ] {
        assert!(
            !booklet.text.contains(hidden),
            "{hidden:?} is in the booklet:\n{}",
            booklet.text
        );
    }
}

/// The text with line breaks and runs of spaces made single spaces, so
/// that a phrase wrapped across lines still matches.
fn flat(text: &str) -> String {
    text.split([' ', '\n'])
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

async fn the_booklet_prints_every_published_supplier_in_french_and_english_and_nothing_private(
    app: &TestApp,
) {
    let d = directory(app).await;

    let fr = app.booklet("lang=fr").await;
    assert_eq!(fr.first_status, 202, "the first call starts the job");
    assert_eq!(fr.content_type, "application/pdf");
    let text = flat(&fr.text);
    for expected in [
        "Livret de compétences",
        "Édition française",
        "Sommaire",
        MACHINING_NAME,
        MARKUP_NAME,
        "Besançon, Bourgogne-Franche-Comté",
        "Adhérent du cluster",
        // French puts a space before the colon (a no-break one, which
        // pdftotext prints as a space; the publications crate's tests
        // check the PDF maps it to U+00A0).
        "Compétences :",
        "Certifications :",
        "Secteurs :",
        "Équipements :",
        "Langues de travail :",
        "Contact :",
        "Site web :",
        // Capabilities with their details, in French.
        "Micro-usinage",
        "Titane grade 5, tolérances ±5 µm",
        // The valid certificate, with its scope and body.
        "ISO 13485",
        "GMED",
        "Dispositifs médicaux",
        "Tornos SwissNano",
        "français, anglais",
        "contact@microtech.example",
        "https://example.fr",
        "Index des compétences",
        "Index des certifications",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{}",
            fr.text
        );
    }
    assert_nothing_hidden(&fr);

    // Asked again on the same data: the PDF at once, the same edition.
    let again = app.booklet("lang=fr").await;
    assert_eq!(
        again.first_status, 200,
        "a typeset edition is served at once"
    );
    assert_eq!(again.etag, fr.etag);

    let en = app.booklet("lang=en").await;
    assert_ne!(en.etag, fr.etag, "each language is its own edition");
    let text = flat(&en.text);
    for expected in [
        "Competence booklet",
        "English edition",
        "Contents",
        MACHINING_NAME,
        MARKUP_NAME,
        "Capabilities:",
        "Certifications:",
        "Working languages:",
        "Micro-machining",
        "Medical devices",
        "French, English",
        "Cluster member",
        "Index of capabilities",
        "Index of certifications",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{}",
            en.text
        );
    }
    assert!(!text.contains("Compétences"), "no French label in English");
    assert_nothing_hidden(&en);

    // A change of published data is a new edition, typeset again.
    app.post(
        &format!("/api/v1/organisations/{}/certifications", d.sterilisation),
        Some(&d.sterilisation_token),
        json!({
            "type": "iso_14644",
            "scope": "Salle propre ISO 7",
            "certifying_body": "Bureau Veritas",
            "valid_from": today_plus(-10),
            "valid_until": today_plus(300),
        }),
    )
    .await
    .assert_status(201);
    let changed = app.booklet("lang=fr").await;
    assert_eq!(changed.first_status, 202, "new data, new edition");
    assert_ne!(changed.etag, fr.etag);
    assert!(
        flat(&changed.text).contains("Bureau Veritas"),
        "{}",
        changed.text
    );
}

async fn the_booklet_filters_by_sector_family_membership_and_region(app: &TestApp) {
    directory(app).await;
    let only = |booklet: &Booklet, present: &str, absent: &str| {
        let text = flat(&booklet.text);
        assert!(
            text.contains(present),
            "{present:?} missing:\n{}",
            booklet.text
        );
        assert!(
            !text.contains(absent),
            "{absent:?} present:\n{}",
            booklet.text
        );
        assert_nothing_hidden(booklet);
    };
    // Sterilisation serves pharma, machining does not.
    only(
        &app.booklet("lang=fr&sector=pharma").await,
        MARKUP_NAME,
        MACHINING_NAME,
    );
    only(
        &app.booklet("lang=fr&family=machining").await,
        MACHINING_NAME,
        MARKUP_NAME,
    );
    only(
        &app.booklet("lang=en&members_only=true").await,
        MACHINING_NAME,
        MARKUP_NAME,
    );
    let elsewhere = app.booklet("lang=fr&region=Grand%20Est").await;
    let text = flat(&elsewhere.text);
    assert!(text.contains("Aucune entreprise"), "{}", elsewhere.text);
    assert!(!text.contains(MACHINING_NAME) && !text.contains(MARKUP_NAME));
    let region = app
        .booklet("lang=fr&region=bourgogne-franche-comt%C3%A9&sector=medtech")
        .await;
    let text = flat(&region.text);
    assert!(
        text.contains(MACHINING_NAME) && text.contains(MARKUP_NAME),
        "{}",
        region.text
    );
    assert!(
        text.contains("Secteur : Dispositifs médicaux"),
        "the cover names the selection:\n{}",
        region.text
    );
}

async fn bad_booklet_filters_are_refused_naming_the_field(app: &TestApp) {
    let problem = app
        .get(
            "/api/v1/publications/booklet?sector=shipbuilding&family=machining.swiss_turning",
            None,
        )
        .await;
    problem.assert_problem(422, "validation_failed");
    let fields: Vec<(&str, &str)> = problem.body["errors"]
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
    assert_eq!(
        fields,
        [("sector", "invalid_sector"), ("family", "not_a_family")]
    );
    let unknown = app
        .get("/api/v1/publications/booklet?family=basket_weaving", None)
        .await;
    unknown.assert_problem(422, "validation_failed");
    assert_eq!(unknown.body["errors"][0]["code"], "unknown_capability");
    app.get("/api/v1/publications/booklet?lang=de", None)
        .await
        .assert_problem(400, "invalid_query");
    app.get("/api/v1/publications/booklet?members_only=maybe", None)
        .await
        .assert_problem(400, "invalid_query");
    for key in ["not-a-key", "0123", &"F".repeat(32), &"f".repeat(32)] {
        app.get(
            &format!("/api/v1/publications/booklet/editions/{key}"),
            None,
        )
        .await
        .assert_problem(404, "not_found");
    }
}

on_both_backends!(
    the_booklet_prints_every_published_supplier_in_french_and_english_and_nothing_private,
    the_booklet_filters_by_sector_family_membership_and_region,
    bad_booklet_filters_are_refused_naming_the_field,
);
