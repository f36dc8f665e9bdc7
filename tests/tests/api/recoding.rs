//! A buyer describes the need in words; the experts code it while
//! qualifying (issue 13): capabilities are optional until qualification,
//! and an expert recodes a submitted request's requirements with `If-Match`,
//! the change shown before and after in the request's history.

use serde_json::{Value, json};
use tests::TestApp;
use tests::on_both_backends;
use tests::server::siret;
use tests::sourcing::{requirements, titanium_request, words_only_request};

fn entries<'a>(history: &'a Value, action: &str) -> Vec<&'a Value> {
    history
        .as_array()
        .expect("history")
        .iter()
        .filter(|e| e["action"] == action)
        .collect()
}

fn codes(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .expect("list")
        .iter()
        .filter_map(|v| v[key].as_str().map(str::to_owned))
        .collect()
}

async fn a_need_in_words_only_is_submitted_then_coded_by_an_expert_who_qualifies_it(app: &TestApp) {
    let w = app.sourcing_world().await;

    // The buyer drafts and submits without a single taxonomy code.
    let drafted = app
        .post("/api/v1/requests", Some(&w.buyer), words_only_request())
        .await;
    let drafted = drafted.assert_status(201).clone();
    assert_eq!(drafted["capabilities"], json!([]));
    let id = drafted["id"].as_str().expect("id").to_owned();
    let submitted = app.step(&w.buyer, &id, "submit", json!({})).await;
    assert_eq!(submitted.assert_status(200)["status"], "submitted");

    // Qualifying needs a capability: the field is named.
    let refused = app.step(&w.expert, &id, "qualify", json!({})).await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(
        refused.body["errors"],
        json!([{ "field": "capabilities", "code": "capabilities_required", "message": refused.body["errors"][0]["message"] }])
    );

    // The expert recodes from the version read: capabilities, a mandatory
    // certification, a sector and a region.
    let etag = app.etag_of(&w.expert, &id).await;
    let coded = requirements(
        &["machining.micro_machining", "surface.electropolishing"],
        json!([{ "code": "iso_13485", "mandatory": true }]),
        &["medtech"],
        Some("Bourgogne-Franche-Comté"),
    );
    let recoded = app.recode(&w.expert, &id, Some(&etag), coded).await;
    assert_ne!(recoded.etag(), etag, "a recoding is a new version");
    let view = recoded.assert_status(200).clone();
    assert_eq!(
        codes(&view["capabilities"], "code"),
        ["machining.micro_machining", "surface.electropolishing"]
    );
    assert_eq!(view["capabilities"][0]["label"], "Micro-usinage");
    assert_eq!(
        view["certifications"],
        json!([{ "code": "iso_13485", "label": view["certifications"][0]["label"], "mandatory": true }])
    );
    assert_eq!(view["sectors"], json!(["medtech"]));
    assert_eq!(view["region"], "Bourgogne-Franche-Comté");
    assert_eq!(view["status"], "submitted");
    assert_eq!(
        view["title"], drafted["title"],
        "the buyer's words are untouched"
    );

    // Matching reads the recoded requirements; the request qualifies.
    let candidates = app
        .get(
            &format!("/api/v1/requests/{id}/candidates"),
            Some(&w.expert),
        )
        .await;
    let candidates = candidates.assert_status(200).clone();
    let eligible = codes(&candidates["candidates"], "supplier_id");
    assert!(
        w.certified.iter().all(|s| eligible.contains(&s.org)),
        "{candidates}"
    );
    assert!(
        codes(&candidates["excluded"], "supplier_id").contains(&w.uncertified.org),
        "the mandatory certification excludes: {candidates}"
    );
    let qualified = app
        .step(&w.expert, &id, "qualify", json!({ "comment": "Recodé" }))
        .await;
    assert_eq!(qualified.assert_status(200)["status"], "qualified");

    // The buyer sees the recoding in the history, before and after, by the expert.
    let expert_id = app
        .get("/api/v1/me", Some(&w.expert))
        .await
        .assert_status(200)["user"]["id"]
        .clone();
    let history = app
        .get(&format!("/api/v1/requests/{id}/history"), Some(&w.buyer))
        .await;
    let history = history.assert_status(200)["items"].clone();
    let recodings = entries(&history, "request.recoded");
    assert_eq!(recodings.len(), 1, "{history}");
    assert_eq!(
        recodings[0]["note"],
        "capabilities: (none) → machining.micro_machining, surface.electropolishing; \
         certifications: (none) → iso_13485 (mandatory); sectors: (none) → medtech; \
         region: (none) → Bourgogne-Franche-Comté"
    );
    assert_eq!(recodings[0]["actor_id"], expert_id);
    assert_eq!(
        (
            recodings[0]["from_state"].clone(),
            recodings[0]["to_state"].clone()
        ),
        (Value::Null, Value::Null),
        "a recoding is no step"
    );
    let steps: Vec<&str> = history
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        steps,
        [
            "request.created",
            "request.submitted",
            "request.recoded",
            "request.qualified"
        ]
    );
}

async fn recoding_takes_an_expert_a_submitted_request_its_current_version_and_known_codes(
    app: &TestApp,
) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let (buyer, _) = app
        .signed_up("buyer", "claire@cardiodijon.example", &siret(100))
        .await;
    let (other_buyer, _) = app
        .signed_up("buyer", "autre@acheteur.example", &siret(200))
        .await;
    let drafted = app
        .post("/api/v1/requests", Some(&buyer), titanium_request())
        .await;
    let id = drafted.assert_status(201)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let milling = || requirements(&["machining.milling"], json!([]), &[], None);

    // Not before the buyer submits.
    let etag = app.etag_of(&expert, &id).await;
    app.recode(&expert, &id, Some(&etag), milling())
        .await
        .assert_problem(409, "request_draft");
    app.step(&buyer, &id, "submit", json!({}))
        .await
        .assert_status(200);
    let etag = app.etag_of(&expert, &id).await;

    // Only the experts recode: the buyer is refused, another buyer does not see it.
    app.recode(&buyer, &id, Some(&etag), milling())
        .await
        .assert_problem(403, "forbidden");
    app.recode(&other_buyer, &id, Some(&etag), milling())
        .await
        .assert_problem(404, "not_found");

    // If-Match is required and must be current.
    app.recode(&expert, &id, None, milling())
        .await
        .assert_problem(428, "precondition_required");
    let first = app.recode(&expert, &id, Some(&etag), milling()).await;
    first.assert_status(200);
    let stale = app
        .recode(
            &expert,
            &id,
            Some(&etag),
            requirements(&["surface.anodising"], json!([]), &[], None),
        )
        .await;
    stale.assert_problem(412, "precondition_failed");
    let current = app
        .get(&format!("/api/v1/requests/{id}"), Some(&buyer))
        .await;
    assert_eq!(
        codes(&current.assert_status(200)["capabilities"], "code"),
        ["machining.milling"],
        "no lost update"
    );

    // The same requirements again change nothing: same version, no new history entry.
    let etag = current.etag();
    let again = app.recode(&expert, &id, Some(&etag), milling()).await;
    assert_eq!(again.etag(), etag);
    let history = app
        .get(&format!("/api/v1/requests/{id}/history"), Some(&buyer))
        .await;
    let history = history.assert_status(200)["items"].clone();
    assert_eq!(entries(&history, "request.recoded").len(), 1);
    assert_eq!(
        entries(&history, "request.recoded")[0]["note"],
        "capabilities: machining.micro_machining → machining.milling; certifications: iso_13485 (mandatory) → (none); sectors: medtech → (none); region: Bourgogne-Franche-Comté → (none)"
    );

    // Unknown codes are named field by field; nothing is saved.
    let unknown = requirements(
        &["machining.milling", "machining.teleportation"],
        json!([{ "code": "iso_00000", "mandatory": false }]),
        &["astrology"],
        None,
    );
    let refused = app.recode(&expert, &id, Some(&etag), unknown).await;
    refused.assert_problem(422, "validation_failed");
    let fields: Vec<(String, String)> = refused.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default().to_owned(),
                e["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        fields[..2],
        [
            (
                "capabilities[1]".to_owned(),
                "unknown_capability".to_owned()
            ),
            (
                "certifications[0].code".to_owned(),
                "unknown_certification_type".to_owned()
            )
        ]
    );
    assert_eq!(fields[2].0, "sectors[0]");
    let missing = app
        .recode(
            &expert,
            &id,
            Some(&etag),
            json!({ "capabilities": ["machining.milling"] }),
        )
        .await;
    missing.assert_problem(422, "validation_failed");
    assert_eq!(
        missing.body["errors"],
        json!([
            { "field": "/certifications", "code": "missing", "message": "this field is required" },
            { "field": "/sectors", "code": "missing", "message": "this field is required" },
        ])
    );
    assert_eq!(
        app.etag_of(&buyer, &id).await,
        etag,
        "refused recodings save nothing"
    );

    // Once qualified, the requirements are settled.
    app.step(&expert, &id, "qualify", json!({}))
        .await
        .assert_status(200);
    let etag = app.etag_of(&expert, &id).await;
    app.recode(&expert, &id, Some(&etag), milling())
        .await
        .assert_problem(409, "request_qualified");
}

on_both_backends!(
    a_need_in_words_only_is_submitted_then_coded_by_an_expert_who_qualifies_it,
    recoding_takes_an_expert_a_submitted_request_its_current_version_and_known_codes
);
