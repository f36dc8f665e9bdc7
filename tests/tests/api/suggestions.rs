//! Capability suggestions: a buyer's words become the taxonomy codes and
//! certification types they mean, labelled in the caller's language, for
//! anyone, from the catalogue as it is now.

use serde_json::{Value, json};
use tests::on_both_backends;
use tests::{Backend, TestApp};

fn codes(body: &Value) -> Vec<String> {
    body.as_array()
        .expect("a list of suggestions")
        .iter()
        .map(|s| s["code"].as_str().expect("code").to_owned())
        .collect()
}

fn url(text: &str, rest: &str) -> String {
    let query: String = url_encode(text);
    format!("/api/v1/taxonomy/suggestions?text={query}{rest}")
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn a_french_need_suggests_capabilities_and_certifications_with_french_labels(app: &TestApp) {
    let need = "Nous recherchons un sous-traitant pour usiner des implants en titane, certifié ISO 13485, devis urgent";
    let reply = app.get(&url(need, ""), None).await;
    let body = reply.assert_status(200).clone();
    let mut top = codes(&body)[..2].to_vec();
    top.sort();
    assert_eq!(top, ["iso_13485", "machining"], "{body}");
    let find = |code: &str| {
        body.as_array()
            .expect("list")
            .iter()
            .find(|s| s["code"] == code)
            .expect("suggested")
            .clone()
    };
    let machining = find("machining");
    assert_eq!(
        machining,
        json!({ "kind": "capability", "code": "machining", "label": "Usinage", "score": machining["score"] })
    );
    assert_eq!(find("iso_13485")["kind"], "certification");
    assert_eq!(find("iso_13485")["label"], "ISO 13485");
    let scores: Vec<f64> = body
        .as_array()
        .expect("list")
        .iter()
        .map(|s| s["score"].as_f64().expect("score"))
        .collect();
    assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)), "{body}");
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{body}");

    // A sub-capability named by its own words comes before its parent.
    let gamma = app.get(&url("stérilisaton gamma de kits", ""), None).await;
    let gamma = gamma.assert_status(200).clone();
    assert_eq!(
        codes(&gamma)[..2],
        ["sterilisation.gamma", "sterilisation"],
        "{gamma}"
    );
    assert_eq!(gamma[0]["label"], "Stérilisation gamma");
}

async fn an_english_need_gets_english_labels_and_the_limit_is_honoured(app: &TestApp) {
    let need = "We need a supplier for ethylene oxide sterilization of catheters in a GMP facility";
    let request = app
        .request(reqwest::Method::GET, &url(need, ""), None)
        .header("accept-language", "en-GB,en;q=0.9");
    let reply = app.send(request).await;
    let body = reply.assert_status(200).clone();
    let found = codes(&body);
    assert_eq!(found[0], "sterilisation.ethylene_oxide", "{body}");
    assert_eq!(body[0]["label"], "Ethylene oxide sterilisation");
    let gmp = body
        .as_array()
        .expect("list")
        .iter()
        .find(|s| s["code"] == "gmp")
        .expect("gmp suggested");
    assert_eq!(gmp["label"], "GMP (BPF)");
    assert_eq!(gmp["kind"], "certification");

    // `lang` wins over Accept-Language.
    let french = app.get(&url(need, "&lang=fr"), None).await;
    assert_eq!(
        french.assert_status(200)[0]["label"],
        "Stérilisation à l'oxyde d'éthylène"
    );
    let one = app.get(&url(need, "&limit=1"), None).await;
    assert_eq!(
        codes(one.assert_status(200)),
        ["sterilisation.ethylene_oxide"]
    );
}

async fn a_capability_an_admin_adds_is_suggested_at_once(app: &TestApp) {
    let need = "taillage d'engrenages pour un réducteur";
    assert!(
        !codes(app.get(&url(need, ""), None).await.assert_status(200))
            .contains(&"machining.gear_hobbing".to_owned())
    );
    let admin = app.back_office("admin", "admin@pmt.example").await;
    let body = json!({ "parent": "machining", "slug": "gear_hobbing", "label_fr": "Taillage d'engrenages", "label_en": "Gear hobbing", "synonyms": ["engrenages"] });
    app.post("/api/v1/admin/taxonomy", Some(&admin), body)
        .await
        .assert_status(201);
    let after = app.get(&url(need, "&lang=en"), None).await;
    let after = after.assert_status(200).clone();
    assert_eq!(
        codes(&after).first().map(String::as_str),
        Some("machining.gear_hobbing"),
        "{after}"
    );
    assert_eq!(after[0]["label"], "Gear hobbing");
}

on_both_backends!(
    a_french_need_suggests_capabilities_and_certifications_with_french_labels,
    an_english_need_gets_english_labels_and_the_limit_is_honoured,
    a_capability_an_admin_adds_is_suggested_at_once
);

#[tokio::test]
async fn text_naming_nothing_gives_an_empty_list_and_bad_parameters_are_named() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for empty in [
        "",
        "   ",
        "je cherche un sous-traitant",
        "We need a supplier, please send a quote asap",
        "xyzzy plugh",
    ] {
        let reply = app.get(&url(empty, ""), None).await;
        assert_eq!(reply.assert_status(200), &json!([]), "{empty:?}");
    }

    let too_long = "usinage ".repeat(251);
    let reply = app.get(&url(&too_long, ""), None).await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.body["errors"][0]["field"], "text");
    assert_eq!(reply.body["errors"][0]["code"], "too_long");
    let at_the_limit: String = "usinage ".repeat(250);
    assert_eq!(at_the_limit.chars().count(), 2000);
    app.get(&url(&at_the_limit, ""), None)
        .await
        .assert_status(200);

    for limit in ["0", "21", "-3", "100000"] {
        let reply = app
            .get(&url("usinage", &format!("&limit={limit}")), None)
            .await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.body["errors"][0]["field"], "limit", "limit={limit}");
    }
    let both = app.get(&url(&too_long, "&limit=0"), None).await;
    both.assert_problem(422, "validation_failed");
    let fields: Vec<&str> = both.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["text", "limit"]);

    app.get("/api/v1/taxonomy/suggestions", None)
        .await
        .assert_problem(400, "invalid_query");
    app.get(&url("usinage", "&limit=abc"), None)
        .await
        .assert_problem(400, "invalid_query");
    app.get(&url("usinage", "&lang=de"), None)
        .await
        .assert_problem(400, "invalid_query");
    let extra = app.get(&url("usinage", "&extra=1"), None).await;
    extra.assert_problem(400, "unknown_query_parameter");
    assert_eq!(extra.body["errors"][0]["field"], "extra");
}
