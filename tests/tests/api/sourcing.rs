//! Sourcing requests end to end: from the buyer's draft through the
//! experts' qualification and vetted matching to quotes and the award.

use futures::future::join_all;
use serde_json::{Value, json};
use tests::TestApp;
use tests::on_both_backends;
use tests::sourcing::{World, quote, titanium_request};

fn ids(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v[key].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn actions(history: &Value) -> Vec<String> {
    ids(history, "action")
}

async fn a_request_goes_from_draft_to_award_through_vetted_matches(app: &TestApp) {
    let w: World = app.sourcing_world().await;

    // The buyer drafts and submits.
    let id = app.draft_request(&w).await;
    app.step(&w.buyer, &id, "submit", json!({}))
        .await
        .assert_status(200);

    // The expert finds it in the queue, qualifies it, gets explained candidates.
    let queue = app
        .get("/api/v1/backoffice/requests", Some(&w.expert))
        .await;
    let queue = queue.assert_status(200);
    assert_eq!(queue["items"][0]["request_id"], id.as_str());
    assert!(queue["items"][0]["waited_seconds"].as_i64().is_some());
    app.step(
        &w.expert,
        &id,
        "qualify",
        json!({ "comment": "Besoin clair" }),
    )
    .await
    .assert_status(200);
    let candidates = app
        .get(
            &format!("/api/v1/requests/{id}/candidates"),
            Some(&w.expert),
        )
        .await;
    let candidates = candidates.assert_status(200).clone();
    let mut eligible = ids(&candidates["candidates"], "supplier_id");
    eligible.sort();
    let mut certified: Vec<String> = w.certified.iter().map(|s| s.org.clone()).collect();
    certified.sort();
    assert_eq!(eligible, certified, "{candidates}");
    assert_eq!(
        ids(&candidates["excluded"], "supplier_id"),
        std::slice::from_ref(&w.uncertified.org)
    );
    let explanation = &candidates["candidates"][0]["explanation"];
    assert_eq!(
        explanation["capabilities"][0],
        json!({ "code": "machining.micro_machining", "label": "Micro-usinage", "met": true })
    );
    assert_eq!(explanation["certifications"][0]["met"], true);
    assert_eq!(explanation["met"], explanation["total"]);
    let excluded = &candidates["excluded"][0]["explanation"]["certifications"][0];
    assert_eq!(
        (excluded["met"].clone(), excluded["mandatory"].clone()),
        (json!(false), json!(true))
    );

    // Three approved matches; the request opens and invites them.
    for (n, supplier) in w.certified.iter().enumerate() {
        let added = app
            .post(
                &format!("/api/v1/requests/{id}/matches"),
                Some(&w.expert),
                json!({ "supplier_id": supplier.org }),
            )
            .await;
        let added = added.assert_status(201).clone();
        assert_eq!(added["origin"], "index");
        let match_id = added["id"].as_str().expect("match id");
        let note_for_buyer = format!("Atelier {n} déjà audité");
        app.post(
            &format!("/api/v1/requests/{id}/matches/{match_id}/approve"),
            Some(&w.expert),
            json!({ "note": "confidentiel: tarif horaire élevé", "note_for_buyer": note_for_buyer }),
        )
        .await
        .assert_status(200);
    }
    let opened = app.step(&w.expert, &id, "open", json!({})).await;
    assert_eq!(opened.assert_status(200)["status"], "open");

    // Invited suppliers see it, anonymised; the others do not.
    for supplier in &w.certified {
        let seen = app
            .get(&format!("/api/v1/requests/{id}"), Some(&supplier.token))
            .await;
        let seen = seen.assert_status(200);
        assert_eq!(seen["buyer"], json!(null), "confidential buyer is hidden");
        assert_eq!(seen["my_invitation"]["status"], "invited");
        let listed = app.get("/api/v1/requests", Some(&supplier.token)).await;
        assert_eq!(
            ids(&listed.assert_status(200)["items"], "id"),
            std::slice::from_ref(&id)
        );
    }
    app.get(
        &format!("/api/v1/requests/{id}"),
        Some(&w.uncertified.token),
    )
    .await
    .assert_problem(404, "not_found");

    // One asks; the buyer answers; every invited supplier sees the answer, not who asked.
    let [first, second, third] = [&w.certified[0], &w.certified[1], &w.certified[2]];
    let asked = app
        .post(
            &format!("/api/v1/requests/{id}/questions"),
            Some(&first.token),
            json!({ "question": "La passivation est-elle incluse ?" }),
        )
        .await;
    let question_id = asked.assert_status(201)["id"]
        .as_str()
        .expect("question")
        .to_owned();
    let before = app
        .get(
            &format!("/api/v1/requests/{id}/questions"),
            Some(&second.token),
        )
        .await;
    assert_eq!(
        before.assert_status(200)["items"],
        json!([]),
        "unanswered questions stay private"
    );
    app.post(
        &format!("/api/v1/requests/{id}/questions/{question_id}/answer"),
        Some(&w.buyer),
        json!({ "answer": "Oui, passivation selon ASTM F86." }),
    )
    .await
    .assert_status(200);
    for supplier in [first, second, third] {
        let seen = app
            .get(
                &format!("/api/v1/requests/{id}/questions"),
                Some(&supplier.token),
            )
            .await;
        let seen = &seen.assert_status(200)["items"];
        assert_eq!(seen[0]["answer"], "Oui, passivation selon ASTM F86.");
        assert!(seen[0].get("asked_by_supplier").is_none());
        assert_eq!(seen[0]["mine"], supplier.org == first.org);
    }

    // Two quote (one revises), one declines.
    app.post(
        &format!("/api/v1/requests/{id}/quotes"),
        Some(&first.token),
        quote("19800.00", 45),
    )
    .await
    .assert_status(201);
    let revised = app
        .post(
            &format!("/api/v1/requests/{id}/quotes"),
            Some(&first.token),
            quote("18400.00", 40),
        )
        .await;
    let revised = revised.assert_status(201);
    assert_eq!(
        revised["quotes"].as_array().map(Vec::len),
        Some(2),
        "every revision is kept"
    );
    app.post(
        &format!("/api/v1/requests/{id}/quotes"),
        Some(&second.token),
        quote("21000", 30),
    )
    .await
    .assert_status(201);
    app.post(
        &format!("/api/v1/requests/{id}/decline"),
        Some(&third.token),
        json!({ "reason": "Capacité insuffisante ce trimestre" }),
    )
    .await
    .assert_status(200);
    let own = app
        .get(
            &format!("/api/v1/requests/{id}/my-answer"),
            Some(&second.token),
        )
        .await;
    assert_eq!(
        own.assert_status(200)["quotes"].as_array().map(Vec::len),
        Some(1),
        "a supplier sees only its own answer"
    );

    // The buyer compares, shortlists, closes and awards one.
    let answers = app
        .get(&format!("/api/v1/requests/{id}/answers"), Some(&w.buyer))
        .await;
    let answers = answers.assert_status(200)["items"].clone();
    let row = |org: &str| {
        answers
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["supplier_id"] == org)
            .expect("row")
            .clone()
    };
    assert_eq!(row(&first.org)["quote"]["amount"], "18400.00");
    assert_eq!(row(&first.org)["revisions"], 2);
    assert_eq!(row(&first.org)["certifications"][0]["code"], "iso_13485");
    assert_eq!(row(&first.org)["expert_note"], "Atelier 0 déjà audité");
    assert_eq!(row(&third.org)["status"], "declined");
    assert!(
        !answers.to_string().contains("confidentiel"),
        "internal notes never reach the buyer"
    );
    app.put(
        &format!("/api/v1/requests/{id}/answers/{}/shortlist", first.org),
        Some(&w.buyer),
        json!({ "shortlisted": true }),
    )
    .await
    .assert_status(204);
    app.step(&w.buyer, &id, "close", json!({}))
        .await
        .assert_status(200);
    let awarded = app
        .post(
            &format!("/api/v1/requests/{id}/award"),
            Some(&w.buyer),
            json!({ "supplier_ids": [first.org] }),
        )
        .await;
    assert_eq!(awarded.assert_status(200)["status"], "awarded");

    // The connection: both sides see each other's contacts; the others learn the outcome.
    let buyer_side = app
        .get(
            &format!("/api/v1/requests/{id}/connections"),
            Some(&w.buyer),
        )
        .await;
    let buyer_side = &buyer_side.assert_status(200)["items"];
    assert_eq!(buyer_side[0]["organisation_id"], first.org.as_str());
    assert!(
        buyer_side
            .to_string()
            .contains("direction@microtech.example"),
        "private contacts are shared after the award"
    );
    let supplier_side = app
        .get(
            &format!("/api/v1/requests/{id}/connections"),
            Some(&first.token),
        )
        .await;
    let supplier_side = &supplier_side.assert_status(200)["items"];
    assert_eq!(supplier_side[0]["organisation_id"], w.buyer_org.as_str());
    assert!(
        supplier_side
            .to_string()
            .contains("claire@cardiodijon.example")
    );
    let winner_view = app
        .get(&format!("/api/v1/requests/{id}"), Some(&first.token))
        .await;
    assert_eq!(
        winner_view.assert_status(200)["buyer"]["organisation_id"],
        w.buyer_org.as_str(),
        "the award reveals the buyer"
    );
    for loser in [second, third] {
        let seen = app
            .get(&format!("/api/v1/requests/{id}"), Some(&loser.token))
            .await;
        assert_eq!(
            seen.assert_status(200)["my_invitation"]["outcome"],
            "not_selected"
        );
        let nothing = app
            .get(
                &format!("/api/v1/requests/{id}/connections"),
                Some(&loser.token),
            )
            .await;
        assert_eq!(nothing.assert_status(200)["items"], json!([]));
    }

    // The history shows every step; the buyer's copy has no internal notes.
    let full = app
        .get(
            &format!("/api/v1/requests/{id}/history?limit=100"),
            Some(&w.expert),
        )
        .await;
    let full = full.assert_status(200)["items"].clone();
    // What each entry says, as the history has always worded it.
    let note = |action: &str| -> Vec<String> {
        full.as_array()
            .expect("history")
            .iter()
            .filter(|e| e["action"] == action)
            .map(|e| e["note"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let first_name = row(&first.org)["supplier_name"]
        .as_str()
        .expect("name")
        .to_owned();
    assert_eq!(note("answer.quoted")[0], "revision 1: 19800.00 EUR");
    assert_eq!(note("answer.revised"), ["revision 2: 18400.00 EUR"]);
    assert_eq!(
        note("answer.declined"),
        ["Capacité insuffisante ce trimestre"]
    );
    assert_eq!(
        note("question.asked"),
        ["La passivation est-elle incluse ?"]
    );
    assert_eq!(
        note("question.answered"),
        ["Oui, passivation selon ASTM F86."]
    );
    assert_eq!(
        note("answer.shortlisted"),
        std::slice::from_ref(&first_name)
    );
    assert_eq!(note("request.awarded"), std::slice::from_ref(&first_name));
    assert!(
        note("match.approved").contains(&format!(
            "{first_name}: proposed → approved: confidentiel: tarif horaire élevé"
        )),
        "{:?}",
        note("match.approved")
    );
    assert!(
        note("match.proposed").contains(&format!("{first_name} proposed (index)")),
        "{:?}",
        note("match.proposed")
    );
    let full = actions(&full);
    for expected in [
        "request.created",
        "request.submitted",
        "request.qualified",
        "match.proposed",
        "match.approved",
        "request.open",
        "question.asked",
        "question.answered",
        "answer.quoted",
        "answer.revised",
        "answer.declined",
        "answer.shortlisted",
        "request.closed",
        "request.awarded",
    ] {
        assert!(
            full.contains(&expected.to_owned()),
            "{expected} missing from {full:?}"
        );
    }
    let buyer_history = app
        .get(
            &format!("/api/v1/requests/{id}/history?limit=100"),
            Some(&w.buyer),
        )
        .await;
    let buyer_history = buyer_history.assert_status(200)["items"].clone();
    assert!(
        !actions(&buyer_history)
            .iter()
            .any(|a| a.starts_with("match.")),
        "matches are internal"
    );
    assert!(!buyer_history.to_string().contains("confidentiel"));
    app.get(
        &format!("/api/v1/requests/{id}/history"),
        Some(&first.token),
    )
    .await
    .assert_problem(404, "not_found");
}

async fn every_illegal_transition_answers_409_naming_the_state(app: &TestApp) {
    let w = app.sourcing_world().await;
    let draft = app.draft_request(&w).await;
    let submitted = app.draft_request(&w).await;
    app.step(&w.buyer, &submitted, "submit", json!({}))
        .await
        .assert_status(200);
    let qualified = app.draft_request(&w).await;
    app.step(&w.buyer, &qualified, "submit", json!({}))
        .await
        .assert_status(200);
    app.step(&w.expert, &qualified, "qualify", json!({}))
        .await
        .assert_status(200);
    let changes = app.draft_request(&w).await;
    app.step(&w.buyer, &changes, "submit", json!({}))
        .await
        .assert_status(200);
    app.step(
        &w.expert,
        &changes,
        "request-changes",
        json!({ "comment": "Précisez le matériau" }),
    )
    .await
    .assert_status(200);
    let rejected = app.draft_request(&w).await;
    app.step(&w.buyer, &rejected, "submit", json!({}))
        .await
        .assert_status(200);
    app.step(
        &w.expert,
        &rejected,
        "reject",
        json!({ "comment": "Hors périmètre" }),
    )
    .await
    .assert_status(200);
    let open = app.open_request(&w).await;
    let closed = app.open_request(&w).await;
    app.step(&w.buyer, &closed, "close", json!({}))
        .await
        .assert_status(200);
    let awarded = app.open_request(&w).await;
    let winner = &w.certified[0];
    app.post(
        &format!("/api/v1/requests/{awarded}/quotes"),
        Some(&winner.token),
        quote("1000", 10),
    )
    .await
    .assert_status(201);
    app.step(&w.buyer, &awarded, "close", json!({}))
        .await
        .assert_status(200);
    app.post(
        &format!("/api/v1/requests/{awarded}/award"),
        Some(&w.buyer),
        json!({ "supplier_ids": [winner.org] }),
    )
    .await
    .assert_status(200);
    let cancelled = app.draft_request(&w).await;
    app.step(&w.buyer, &cancelled, "cancel", json!({}))
        .await
        .assert_status(200);

    let requests = [
        ("draft", &draft),
        ("submitted", &submitted),
        ("qualified", &qualified),
        ("changes_requested", &changes),
        ("rejected", &rejected),
        ("open", &open),
        ("closed", &closed),
        ("awarded", &awarded),
        ("cancelled", &cancelled),
    ];
    // (step, who, body, states it is allowed from)
    let steps: [(&str, &str, Value, &[&str]); 8] = [
        (
            "submit",
            "buyer",
            json!({}),
            &["draft", "changes_requested"],
        ),
        ("qualify", "expert", json!({}), &["submitted"]),
        (
            "request-changes",
            "expert",
            json!({ "comment": "x" }),
            &["submitted"],
        ),
        (
            "reject",
            "expert",
            json!({ "comment": "x" }),
            &["submitted"],
        ),
        ("open", "expert", json!({}), &["qualified"]),
        ("close", "buyer", json!({}), &["open"]),
        (
            "award",
            "buyer",
            json!({ "supplier_ids": [winner.org] }),
            &["closed"],
        ),
        (
            "cancel",
            "buyer",
            json!({}),
            &[
                "draft",
                "submitted",
                "qualified",
                "changes_requested",
                "open",
                "closed",
            ],
        ),
    ];
    let mut checked = 0;
    for (state, id) in requests {
        for (step, who, body, allowed) in &steps {
            if allowed.contains(&state) {
                continue;
            }
            let token = if *who == "buyer" { &w.buyer } else { &w.expert };
            let reply = app.step(token, id, step, body.clone()).await;
            assert_eq!(
                reply.status.as_u16(),
                409,
                "{step} from {state}: {}",
                reply.body
            );
            reply.assert_problem(409, &format!("request_{state}"));
            checked += 1;
        }
    }
    assert_eq!(checked, 8 * 9 - 14);
    // The wrong party is refused before the state is even considered.
    app.step(&w.buyer, &submitted, "qualify", json!({}))
        .await
        .assert_problem(403, "forbidden");
    app.step(&w.expert, &draft, "submit", json!({}))
        .await
        .assert_problem(403, "forbidden");
    app.step(&w.certified[0].token, &open, "close", json!({}))
        .await
        .assert_problem(403, "forbidden");
    // Opening needs approved matches.
    app.step(&w.expert, &qualified, "open", json!({}))
        .await
        .assert_problem(409, "no_approved_matches");
}

async fn requests_are_out_of_reach_of_other_organisations(app: &TestApp) {
    let w = app.sourcing_world().await;
    let id = app.open_request(&w).await;
    let (other_buyer, _) = app
        .signed_up(
            "buyer",
            "autre@acheteur.example",
            &tests::server::siret(200),
        )
        .await;
    let outsiders = [
        other_buyer.as_str(),
        w.uncertified.token.as_str(),
        w.unrelated.token.as_str(),
    ];
    let reads = [
        "",
        "/history",
        "/candidates",
        "/matches",
        "/questions",
        "/answers",
        "/my-answer",
        "/connections",
    ];
    let writes: [(&str, Value); 14] = [
        ("/submit", json!({})),
        ("/qualify", json!({})),
        ("/request-changes", json!({ "comment": "x" })),
        ("/reject", json!({ "comment": "x" })),
        ("/open", json!({})),
        ("/close", json!({})),
        ("/cancel", json!({})),
        ("/reveal-identity", json!(null)),
        ("/matches", json!({ "supplier_id": w.unrelated.org })),
        ("/decline", json!({ "reason": "x" })),
        ("/quotes", quote("1", 1)),
        ("/questions", json!({ "question": "x" })),
        ("/award", json!({ "supplier_ids": [w.certified[0].org] })),
        ("/answers/x/shortlist", json!({ "shortlisted": true })),
    ];
    for token in outsiders {
        for path in reads {
            app.get(&format!("/api/v1/requests/{id}{path}"), Some(token))
                .await
                .assert_problem(404, "not_found");
        }
        for (path, body) in &writes {
            let reply = if path.ends_with("shortlist") {
                app.put(
                    &format!(
                        "/api/v1/requests/{id}/answers/{}/shortlist",
                        w.certified[0].org
                    ),
                    Some(token),
                    body.clone(),
                )
                .await
            } else {
                app.post(
                    &format!("/api/v1/requests/{id}{path}"),
                    Some(token),
                    body.clone(),
                )
                .await
            };
            reply.assert_problem(404, "not_found");
        }
        let listed = app.get("/api/v1/requests", Some(token)).await;
        assert!(
            !listed.body.to_string().contains(&id),
            "listing leaks the request"
        );
    }
    // Inside the request, each role keeps to its part.
    let invited = &w.certified[0].token;
    for path in ["/candidates", "/matches", "/answers"] {
        app.get(&format!("/api/v1/requests/{id}{path}"), Some(invited))
            .await
            .assert_problem(403, "forbidden");
    }
    app.get(&format!("/api/v1/requests/{id}/candidates"), Some(&w.buyer))
        .await
        .assert_problem(403, "forbidden");
    app.get(&format!("/api/v1/requests/{id}/my-answer"), Some(&w.buyer))
        .await
        .assert_problem(403, "forbidden");
    app.post(
        &format!("/api/v1/requests/{id}/quotes"),
        Some(&w.buyer),
        quote("1", 1),
    )
    .await
    .assert_problem(403, "forbidden");
    app.post(
        &format!("/api/v1/requests/{id}/award"),
        Some(&w.expert),
        json!({ "supplier_ids": [w.certified[0].org] }),
    )
    .await
    .assert_problem(403, "forbidden");
    let unknown = "00000000-0000-0000-0000-000000000000";
    app.get(&format!("/api/v1/requests/{unknown}"), Some(&w.buyer))
        .await
        .assert_problem(404, "not_found");
    app.post("/api/v1/requests", Some(invited), titanium_request())
        .await
        .assert_problem(403, "forbidden");
}

async fn edits_need_the_current_version(app: &TestApp) {
    let w = app.sourcing_world().await;
    let id = app.draft_request(&w).await;
    let path = format!("/api/v1/requests/{id}");
    app.put(&path, Some(&w.buyer), titanium_request())
        .await
        .assert_problem(428, "precondition_required");
    let current = app.get(&path, Some(&w.buyer)).await;
    let etag = current.etag();
    let mut edited = titanium_request();
    edited["title"] = json!("Vis en titane, version 2");
    let saved = app
        .send(
            app.request(reqwest::Method::PUT, &path, Some(&w.buyer))
                .header("if-match", &etag)
                .json(&edited),
        )
        .await;
    assert_eq!(
        saved.assert_status(200)["title"],
        "Vis en titane, version 2"
    );
    let stale = app
        .send(
            app.request(reqwest::Method::PUT, &path, Some(&w.buyer))
                .header("if-match", &etag)
                .json(&titanium_request()),
        )
        .await;
    stale.assert_problem(412, "precondition_failed");
    assert_eq!(
        app.get(&path, Some(&w.buyer)).await.body["title"],
        "Vis en titane, version 2",
        "no lost update"
    );
    let mut bad = titanium_request();
    bad["capabilities"] = json!(["machining.teleportation"]);
    bad["budget"] = json!({ "min": "500", "max": "100", "currency": "EUR" });
    bad["certifications"] = json!([{ "code": "iso_00000" }]);
    let reply = app.post("/api/v1/requests", Some(&w.buyer), bad).await;
    reply.assert_problem(422, "validation_failed");
    let fields: Vec<_> = ids(&reply.body["errors"], "field");
    assert_eq!(
        fields,
        ["capabilities[0]", "certifications[0].code", "budget"]
    );
}

async fn suppliers_without_a_mandatory_certification_need_an_override(app: &TestApp) {
    let w = app.sourcing_world().await;
    let id = app.draft_request(&w).await;
    app.step(&w.buyer, &id, "submit", json!({}))
        .await
        .assert_status(200);
    let matches = format!("/api/v1/requests/{id}/matches");
    let refused = app
        .post(
            &matches,
            Some(&w.expert),
            json!({ "supplier_id": w.uncertified.org }),
        )
        .await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(
        refused.body["errors"][0]["code"],
        "override_reason_required"
    );
    let overridden = app.post(&matches, Some(&w.expert), json!({ "supplier_id": w.uncertified.org, "override_reason": "Certification en cours, audit GMED prévu" })).await;
    assert_eq!(
        overridden.assert_status(201)["override_reason"],
        "Certification en cours, audit GMED prévu"
    );
    app.post(
        &matches,
        Some(&w.expert),
        json!({ "supplier_id": w.uncertified.org, "override_reason": "x" }),
    )
    .await
    .assert_problem(409, "already_matched");
    // Any published supplier can be added by hand.
    let by_hand = app.post(&matches, Some(&w.expert), json!({ "supplier_id": w.unrelated.org, "override_reason": "Partenaire de stérilisation" })).await;
    let by_hand = by_hand.assert_status(201);
    assert_eq!(by_hand["origin"], "manual");
    assert_eq!(by_hand["explanation"]["capabilities"][0]["met"], false);
    let queue = app.get("/api/v1/backoffice/matches", Some(&w.expert)).await;
    assert_eq!(
        queue.assert_status(200)["items"].as_array().map(Vec::len),
        Some(2)
    );
    // Keyset pages of one request's matches, each item once.
    let first = app
        .get(
            &format!("/api/v1/backoffice/matches?request_id={id}&limit=1"),
            Some(&w.expert),
        )
        .await;
    let first = first.assert_status(200).clone();
    let cursor = first["next_cursor"].as_str().expect("a second page");
    let second = app
        .get(
            &format!("/api/v1/backoffice/matches?request_id={id}&limit=1&cursor={cursor}"),
            Some(&w.expert),
        )
        .await;
    let second = second.assert_status(200).clone();
    assert_eq!(second["next_cursor"], json!(null));
    let mut seen = ids(&first["items"], "supplier_id");
    seen.extend(ids(&second["items"], "supplier_id"));
    seen.sort();
    let mut expected = vec![w.uncertified.org.clone(), w.unrelated.org.clone()];
    expected.sort();
    assert_eq!(seen, expected);
    let other = app.draft_request(&w).await;
    let none = app
        .get(
            &format!("/api/v1/backoffice/matches?request_id={other}"),
            Some(&w.expert),
        )
        .await;
    assert_eq!(none.assert_status(200)["items"], json!([]));
}

async fn concurrent_revisions_of_one_quote_are_all_kept_in_order(app: &TestApp) {
    let w = app.sourcing_world().await;
    let id = app.open_request(&w).await;
    let supplier = &w.certified[0];
    let path = format!("/api/v1/requests/{id}/quotes");
    let prices: Vec<String> = (0..24).map(|i| (1000 - i).to_string()).collect();
    let replies = join_all(
        prices
            .iter()
            .map(|p| app.post(&path, Some(&supplier.token), quote(p, 10))),
    )
    .await;
    for reply in &replies {
        reply.assert_status(201);
    }
    let answer = app
        .get(
            &format!("/api/v1/requests/{id}/my-answer"),
            Some(&supplier.token),
        )
        .await;
    let quotes = answer.assert_status(200)["quotes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let revisions: Vec<i64> = quotes
        .iter()
        .filter_map(|q| q["revision"].as_i64())
        .collect();
    assert_eq!(
        revisions,
        (1..=24).collect::<Vec<i64>>(),
        "each revision numbered after the one before"
    );
    let mut stored: Vec<&str> = quotes.iter().filter_map(|q| q["amount"].as_str()).collect();
    stored.sort_unstable();
    let mut sent: Vec<String> = prices.iter().map(|p| format!("{p}.00")).collect();
    sent.sort_unstable();
    assert_eq!(stored, sent, "no revision lost");
}

async fn quotes_stop_at_the_deadline_and_the_job_closes_the_request(app: &TestApp) {
    let w = app.sourcing_world().await;
    let id = app.open_request(&w).await;
    let supplier = &w.certified[0];
    app.post(
        &format!("/api/v1/requests/{id}/quotes"),
        Some(&supplier.token),
        quote("1000", 10),
    )
    .await
    .assert_status(201);
    app.post(&format!("/api/v1/requests/{id}/quotes"), Some(&supplier.token), json!({ "amount": "-3", "currency": "EUR", "lead_time_days": 0, "valid_until": "2020-01-01" }))
        .await
        .assert_problem(422, "validation_failed");

    // A server whose clock is 15 days ahead: past the 14-day deadline.
    let (_later, later_url) = app
        .spawn_sibling(&[
            ("PMT_CLOCK_OFFSET_SECONDS", "1296000"),
            ("DEADLINE_CHECK_INTERVAL_SECONDS", "1"),
        ])
        .await;
    let later = |path: String| {
        app.client
            .get(format!("{later_url}{path}"))
            .bearer_auth(&w.buyer)
            .send()
    };
    let mut status = Value::Null;
    for _ in 0..100 {
        status = later(format!("/api/v1/requests/{id}"))
            .await
            .expect("get")
            .json::<Value>()
            .await
            .expect("json")["status"]
            .clone();
        if status == "closed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, "closed", "the deadline job closed the request");
    let history = app
        .get(&format!("/api/v1/requests/{id}/history"), Some(&w.buyer))
        .await;
    let closing = history.body["items"]
        .as_array()
        .expect("history")
        .iter()
        .find(|e| e["action"] == "request.closed")
        .expect("closed entry")
        .clone();
    assert_eq!(closing["actor_id"], json!(null));
    assert_eq!(closing["note"], "response deadline reached");
    app.post(
        &format!("/api/v1/requests/{id}/quotes"),
        Some(&supplier.token),
        quote("900", 10),
    )
    .await
    .assert_problem(409, "request_closed");
}

/// A need spanning two capabilities: the request asks for micro-machining
/// and its text also wants the screws passivated. The expert sees the
/// passivation shop as a partial candidate, though its profile says little
/// of the rest of the text; the sterilisation provider stays out.
async fn candidates_include_holders_of_a_capability_the_text_names(app: &TestApp) {
    let w = app.sourcing_world().await;
    let profile = json!({
        "description_fr": "Traitements de surface.",
        "capabilities": [{ "code": "surface.passivation" }],
        "sectors": ["medtech"],
        "location": { "city": "Sochaux", "department": "25", "region": "Bourgogne-Franche-Comté" }
    });
    let (_, finisher) = app
        .published_supplier(
            "finition@sochaux.example",
            &tests::server::siret(13),
            profile,
            &[],
            &w.expert,
        )
        .await;
    app.search_until("limit=100", |r| r["total"] == 6).await;
    let mut need = titanium_request();
    // A mandatory certificate would list the shop among the excluded.
    need["certifications"] = json!([{ "code": "iso_13485", "mandatory": false }]);
    need["description"] = json!(
        "Vis d'ostéosynthèse en titane grade 5 pour implants orthopédiques, diamètre 1,5 mm, \
         tolérances ±5 µm, livrées passivées."
    );
    let id = app.submitted_request_of(&w, need).await;
    let candidates = app
        .get(
            &format!("/api/v1/requests/{id}/candidates"),
            Some(&w.expert),
        )
        .await;
    let candidates = candidates.assert_status(200);
    let listed = candidates["candidates"].as_array().expect("candidates");
    let finisher_row = listed
        .iter()
        .find(|c| c["supplier_id"] == finisher.as_str())
        .unwrap_or_else(|| panic!("the passivation shop is proposed: {candidates}"));
    assert_eq!(finisher_row["tier"], "partial", "{finisher_row}");
    let certified: Vec<&str> = w.certified.iter().map(|s| s.org.as_str()).collect();
    let position = |org: &str| listed.iter().position(|c| c["supplier_id"] == org);
    assert!(
        certified
            .iter()
            .all(|org| position(org) < position(&finisher)),
        "the micro-machining shops, which hold the requested capability, first: {candidates}"
    );
    assert_eq!(position(&w.unrelated.org), None, "{candidates}");
}

on_both_backends!(
    candidates_include_holders_of_a_capability_the_text_names,
    a_request_goes_from_draft_to_award_through_vetted_matches,
    every_illegal_transition_answers_409_naming_the_state,
    requests_are_out_of_reach_of_other_organisations,
    edits_need_the_current_version,
    suppliers_without_a_mandatory_certification_need_an_override,
    concurrent_revisions_of_one_quote_are_all_kept_in_order,
    quotes_stop_at_the_deadline_and_the_job_closes_the_request
);

async fn every_party_is_told_by_email_and_a_confidential_buyer_stays_hidden(app: &TestApp) {
    let w = app.sourcing_world().await;
    let outbox = app.outbox();
    let id = app.draft_request(&w).await;
    let title = "Micro-usinage de vis implantables en titane";
    app.step(&w.buyer, &id, "submit", json!({}))
        .await
        .assert_status(200);
    let submitted = outbox
        .wait_for(
            "expert@pmt.example",
            &format!("Demande à qualifier : {title}"),
        )
        .await;
    assert!(
        submitted
            .text
            .contains(&format!("https://pmt.test/requests/{id}"))
    );
    app.step(
        &w.expert,
        &id,
        "request-changes",
        json!({ "comment": "Indiquez la norme de passivation" }),
    )
    .await
    .assert_status(200);
    let changes = outbox
        .wait_for(
            "claire@cardiodijon.example",
            "Modifications demandées sur votre demande",
        )
        .await;
    assert!(changes.text.contains("Indiquez la norme de passivation"));
    app.step(&w.buyer, &id, "submit", json!({}))
        .await
        .assert_status(200);
    app.step(&w.expert, &id, "qualify", json!({}))
        .await
        .assert_status(200);
    outbox
        .wait_for("claire@cardiodijon.example", "est qualifiée")
        .await;

    for supplier in &w.certified {
        let added = app
            .post(
                &format!("/api/v1/requests/{id}/matches"),
                Some(&w.expert),
                json!({ "supplier_id": supplier.org }),
            )
            .await;
        let match_id = added.assert_status(201)["id"]
            .as_str()
            .expect("match")
            .to_owned();
        app.post(
            &format!("/api/v1/requests/{id}/matches/{match_id}/approve"),
            Some(&w.expert),
            json!({}),
        )
        .await
        .assert_status(200);
    }
    app.step(&w.expert, &id, "open", json!({}))
        .await
        .assert_status(200);
    for supplier in &w.certified {
        let invitation = outbox
            .wait_for(&supplier.email, &format!("Invitation à répondre : {title}"))
            .await;
        assert!(
            !invitation.text.contains("cardiodijon") && !invitation.html.contains("cardiodijon"),
            "the confidential buyer is not named"
        );
    }
    assert!(
        outbox
            .all()
            .iter()
            .all(|e| e.to != w.uncertified.email || !e.subject.contains("Invitation"))
    );

    let asked = app
        .post(
            &format!("/api/v1/requests/{id}/questions"),
            Some(&w.certified[0].token),
            json!({ "question": "Tolérance sur le filetage ?" }),
        )
        .await;
    let question = asked.assert_status(201)["id"]
        .as_str()
        .expect("question")
        .to_owned();
    app.post(
        &format!("/api/v1/requests/{id}/questions/{question}/answer"),
        Some(&w.expert),
        json!({ "answer": "Classe 6g" }),
    )
    .await
    .assert_status(200);
    for supplier in &w.certified {
        let answered = outbox
            .wait_for(&supplier.email, "Question et réponse publiées")
            .await;
        assert!(answered.text.contains("Classe 6g"));
    }
    app.post(
        &format!("/api/v1/requests/{id}/quotes"),
        Some(&w.certified[0].token),
        quote("9000", 20),
    )
    .await
    .assert_status(201);
    outbox
        .wait_for("claire@cardiodijon.example", "Nouvelle réponse de")
        .await;
    app.post(
        &format!("/api/v1/requests/{id}/quotes"),
        Some(&w.certified[0].token),
        quote("8800", 20),
    )
    .await
    .assert_status(201);
    outbox
        .wait_for("claire@cardiodijon.example", "Réponse révisée de")
        .await;

    // Seen 13 days later, the deadline is within 48 hours: those who have
    // not answered are reminded, once.
    let (_later, later_url) = app
        .spawn_sibling(&[
            ("PMT_CLOCK_OFFSET_SECONDS", "1123200"),
            ("REMINDER_INTERVAL_SECONDS", "1"),
        ])
        .await;
    for supplier in &w.certified[1..] {
        outbox
            .wait_for(&supplier.email, &format!("Date limite proche : {title}"))
            .await;
    }
    app.reminders_settled(&later_url).await;
    app.emails_settled(&app.base_url).await;
    let reminders: Vec<_> = outbox
        .all()
        .into_iter()
        .filter(|e| e.subject.starts_with("Date limite proche"))
        .collect();
    assert_eq!(
        reminders.len(),
        2,
        "one reminder each, only to those who have not answered: {:?}",
        reminders.iter().map(|e| &e.to).collect::<Vec<_>>()
    );

    app.step(&w.buyer, &id, "close", json!({}))
        .await
        .assert_status(200);
    app.post(
        &format!("/api/v1/requests/{id}/award"),
        Some(&w.buyer),
        json!({ "supplier_ids": [w.certified[0].org] }),
    )
    .await
    .assert_status(200);
    outbox
        .wait_for(&w.certified[0].email, "Votre réponse est retenue")
        .await;
    for supplier in &w.certified[1..] {
        outbox
            .wait_for(&supplier.email, "Réponse non retenue")
            .await;
    }
}

on_both_backends!(every_party_is_told_by_email_and_a_confidential_buyer_stays_hidden);
