//! The cluster's publications from live data (issue 19 items 2 and 3): the
//! capability map counts published suppliers only, and the activity
//! report's figures are those counted by hand on a history built through
//! the API with an accelerated clock.

use serde_json::{Value, json};
use tests::directory::{iso_13485, micro_machining_profile, sterilisation_profile};
use tests::server::{PASSWORD, siret};
use tests::sourcing::titanium_request;
use tests::{Backend, TestApp, on_both_backends};

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::TimeDelta::days(offset))
        .format("%Y-%m-%d")
        .to_string()
}

fn node<'a>(map: &'a Value, code: &str) -> &'a Value {
    map["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|n| n["code"] == code)
        .unwrap_or_else(|| panic!("no node {code} in {map}"))
}

fn counts(value: &Value) -> (u64, u64, u64) {
    let n = |field: &str| value[field].as_u64().expect("count");
    (n("total"), n("members"), n("non_members"))
}

async fn the_map_counts_published_suppliers_only(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let admin = app.back_office("admin", "admin@pmt.example").await;
    let (_, machining) = app
        .published_supplier(
            "a@microtech.example",
            &siret(1),
            micro_machining_profile(),
            &[iso_13485(&day(-10), &day(300))],
            &expert,
        )
        .await;
    let (_, sterilisation) = app
        .published_supplier(
            "b@sterilis.example",
            &siret(2),
            sterilisation_profile(),
            // Expired: not counted among the certifications held.
            &[iso_13485(&day(-400), &day(-1))],
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
    // Published then suspended, and never submitted: neither is counted.
    let (_, suspended) = app
        .published_supplier(
            "c@suspendu.example",
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
    let (draft_token, draft) = app
        .signed_up("supplier", "d@brouillon.example", &siret(4))
        .await;
    let draft = draft["organisation"]["id"]
        .as_str()
        .expect("org")
        .to_owned();
    app.put(
        &format!("/api/v1/organisations/{draft}/profile"),
        Some(&draft_token),
        sterilisation_profile(),
    )
    .await
    .assert_status(201);

    let map = app.get("/api/v1/publications/capability-map", None).await;
    let map = map.assert_status(200).clone();
    assert_eq!(counts(&map["suppliers"]), (2, 1, 1));
    let machining_node = node(&map, "machining");
    assert_eq!(counts(&machining_node["suppliers"]), (1, 1, 0));
    assert_eq!(machining_node["depth"], 0);
    assert_eq!(
        counts(&node(&map, "machining.micro_machining")["suppliers"]),
        (1, 1, 0)
    );
    assert_eq!(
        node(&map, "machining.micro_machining")["parent"],
        "machining"
    );
    assert_eq!(counts(&node(&map, "sterilisation")["suppliers"]), (1, 0, 1));
    assert_eq!(
        counts(&node(&map, "sterilisation.gamma")["suppliers"]),
        (1, 0, 1)
    );
    assert_eq!(
        machining_node["regions"],
        json!([{ "name": "Bourgogne-Franche-Comté", "suppliers": { "total": 1, "members": 1, "non_members": 0 } }])
    );
    assert_eq!(machining_node["departments"][0]["name"], "25");
    assert_eq!(machining_node["certifications"][0]["code"], "iso_13485");
    assert_eq!(machining_node["certifications"][0]["suppliers"], 1);
    assert_eq!(
        node(&map, "sterilisation")["certifications"],
        json!([]),
        "an expired certificate is not held"
    );

    // The drawing: the same tree, text escaped.
    let svg = app
        .get("/api/v1/publications/capability-map?format=svg", None)
        .await;
    svg.assert_status(200);
    assert_eq!(svg.content_type(), "image/svg+xml");
    let svg = svg.body.as_str().expect("svg text");
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.contains("2 fournisseurs publiés / published suppliers (1 membres / members)"));

    // The matrix: experts and admins only.
    let csv_path = "/api/v1/publications/capability-map?format=csv";
    app.get(csv_path, None)
        .await
        .assert_problem(401, "unauthenticated");
    app.get(csv_path, Some(&draft_token))
        .await
        .assert_problem(403, "forbidden");
    let csv = app.get(csv_path, Some(&expert)).await;
    csv.assert_status(200);
    assert!(csv.content_type().starts_with("text/csv"));
    let text = csv.body.as_str().expect("csv text");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header[..5],
        [
            "supplier_id",
            "supplier_name",
            "member",
            "region",
            "department"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 2, "one row per published supplier: {text}");
    let column = |code: &str| header.iter().position(|h| h == code).expect("column");
    let row = rows
        .iter()
        .find(|r| r.get(0) == Some(machining.as_str()))
        .expect("machining row");
    assert_eq!(row.get(2), Some("true"));
    assert_eq!(row.get(4), Some("25"));
    assert_eq!(
        row.get(column("machining.micro_machining")),
        Some("Titane grade 5, tolérances ±5 µm")
    );
    assert_eq!(row.get(column("machining.swiss_turning")), Some("x"));
    assert_eq!(
        row.get(column("machining")),
        Some(""),
        "only what it declares"
    );
    assert!(!text.contains(&suspended) && !text.contains(&draft));
    assert!(text.contains(&sterilisation));

    app.get("/api/v1/publications/capability-map?format=pdf", None)
        .await
        .assert_problem(422, "validation_failed");

    // Built once per version of the data: the same map until a supplier
    // changes, then the change at the next read.
    let again = app.get("/api/v1/publications/capability-map", None).await;
    assert_eq!(
        again.assert_status(200)["generated_at"],
        map["generated_at"]
    );
    app.put(
        &format!("/api/v1/admin/organisations/{sterilisation}/membership"),
        Some(&admin),
        json!({ "membership": "member" }),
    )
    .await
    .assert_status(200);
    let changed = app.get("/api/v1/publications/capability-map", None).await;
    let changed = changed.assert_status(200);
    assert_eq!(counts(&changed["suppliers"]), (2, 2, 0));
    assert_eq!(
        counts(&node(changed, "sterilisation")["suppliers"]),
        (1, 1, 0)
    );
}

on_both_backends!(the_map_counts_published_suppliers_only);

async fn report_bounds_are_checked(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let (buyer, _) = app
        .signed_up("buyer", "claire@cardiodijon.example", &siret(100))
        .await;
    let path = "/api/v1/backoffice/reports/activity";
    app.get(&format!("{path}?from=2026-01-01&to=2026-01-31"), None)
        .await
        .assert_problem(401, "unauthenticated");
    app.get(
        &format!("{path}?from=2026-01-01&to=2026-01-31"),
        Some(&buyer),
    )
    .await
    .assert_problem(403, "forbidden");
    let fields = |reply: tests::server::Reply| -> Vec<(String, String)> {
        reply.assert_problem(422, "validation_failed");
        reply.body["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| {
                (
                    e["field"].as_str().unwrap_or_default().to_owned(),
                    e["code"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    };
    let pair = |f: &str, c: &str| (f.to_owned(), c.to_owned());
    for (query, expected) in [
        ("to=2026-01-31", vec![pair("from", "required")]),
        (
            "from=2026-02-30&to=soon",
            vec![pair("from", "invalid_date"), pair("to", "invalid_date")],
        ),
        (
            "from=2026-02-01&to=2026-01-31",
            vec![pair("from", "min_above_max")],
        ),
        (
            "from=2020-01-01&to=2026-01-31",
            vec![pair("to", "out_of_range")],
        ),
        (
            "from=2026-01-01&to=2026-01-31&format=pdf",
            vec![pair("format", "invalid_value")],
        ),
    ] {
        let reply = app.get(&format!("{path}?{query}"), Some(&expert)).await;
        assert_eq!(fields(reply), expected, "{query}");
    }
}

on_both_backends!(report_bounds_are_checked);

async fn token(app: &TestApp, email: &str) -> String {
    app.login(email, PASSWORD).await["access_token"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// Seconds between `lower` and a few minutes more: the clock jumps by
/// `lower`, the steps themselves take real seconds.
fn about(value: &Value, lower: i64) {
    let seconds = value.as_i64().unwrap_or_else(|| panic!("seconds: {value}"));
    assert!(
        (lower..lower + 300).contains(&seconds),
        "{seconds} s is not about {lower} s"
    );
}

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// A history built through the API: request A submitted at T, qualified and
/// opened at T + 1 h, quoted by two suppliers at T + 1 day, awarded to one
/// at T + 2 days; request B submitted and rejected at T; request C drafted
/// and cancelled at T + 2 days.
async fn the_report_counts_a_known_history(backend: Backend) {
    let mut app = TestApp::spawn(backend).await;
    let w = app.sourcing_world().await;
    let expert_email = "expert@pmt.example";
    let buyer_email = "claire@cardiodijon.example";

    let a = app.draft_request(&w).await;
    app.step(&w.buyer, &a, "submit", json!({}))
        .await
        .assert_status(200);
    let b = app.draft_request(&w).await;
    app.step(&w.buyer, &b, "submit", json!({}))
        .await
        .assert_status(200);
    app.step(
        &w.expert,
        &b,
        "reject",
        json!({ "comment": "Hors périmètre" }),
    )
    .await
    .assert_status(200);

    app.restart_with_clock_offset(HOUR).await;
    let expert = token(&app, expert_email).await;
    app.step(&expert, &a, "qualify", json!({}))
        .await
        .assert_status(200);
    for supplier in &w.certified {
        let added = app
            .post(
                &format!("/api/v1/requests/{a}/matches"),
                Some(&expert),
                json!({ "supplier_id": supplier.org }),
            )
            .await;
        let match_id = added.assert_status(201)["id"]
            .as_str()
            .expect("match")
            .to_owned();
        app.post(
            &format!("/api/v1/requests/{a}/matches/{match_id}/approve"),
            Some(&expert),
            json!({ "note": "ok" }),
        )
        .await
        .assert_status(200);
    }
    app.step(&expert, &a, "open", json!({}))
        .await
        .assert_status(200);

    app.restart_with_clock_offset(DAY).await;
    for supplier in &w.certified[..2] {
        let supplier_token = token(&app, &supplier.email).await;
        app.post(
            &format!("/api/v1/requests/{a}/quotes"),
            Some(&supplier_token),
            tests::sourcing::quote("12000", 30),
        )
        .await
        .assert_status(201);
    }

    app.restart_with_clock_offset(2 * DAY).await;
    let buyer = token(&app, buyer_email).await;
    app.step(&buyer, &a, "close", json!({}))
        .await
        .assert_status(200);
    app.post(
        &format!("/api/v1/requests/{a}/award"),
        Some(&buyer),
        json!({ "supplier_ids": [w.certified[0].org] }),
    )
    .await
    .assert_status(200);
    let c = app
        .post("/api/v1/requests", Some(&buyer), titanium_request())
        .await;
    let c = c.assert_status(201)["id"].as_str().expect("id").to_owned();
    app.step(&buyer, &c, "cancel", json!({}))
        .await
        .assert_status(200);

    let expert = token(&app, expert_email).await;
    let path = format!(
        "/api/v1/backoffice/reports/activity?from={}&to={}",
        day(-1),
        day(3)
    );
    let report = app.get(&path, Some(&expert)).await;
    let r = report.assert_status(200).clone();
    let steps = json!({ "received": 2, "qualified": 1, "rejected": 1, "opened": 1, "awarded": 1, "cancelled": 1 });
    assert_eq!(r["requests"], steps, "{r}");
    assert_eq!(
        r["by_sector"],
        json!([{ "key": "medtech", "requests": steps }])
    );
    assert_eq!(
        r["by_capability_family"],
        json!([{ "key": "machining", "requests": steps }])
    );
    assert_eq!(
        r["by_buyer_region"],
        json!([{ "key": "Bourgogne-Franche-Comté", "requests": steps }])
    );
    assert_eq!(r["buyers"], json!({ "new": 1, "returning": 0 }));
    let times = &r["times"];
    for (name, lower) in [
        ("to_qualification", HOUR),
        ("to_opening", HOUR),
        ("to_first_quote", DAY),
        ("to_award", 2 * DAY),
    ] {
        assert_eq!(times[name]["count"], 1, "{name}");
        about(&times[name]["median_seconds"], lower);
        about(&times[name]["p90_seconds"], lower);
    }
    assert_eq!(r["quotes_per_opened_request"], 2.0);
    assert_eq!(r["connections"], 1);
    let suppliers = &r["suppliers"];
    assert_eq!(suppliers["listed_members"], 0);
    assert_eq!(suppliers["listed_non_members"], 5);
    assert_eq!(suppliers["new_profiles"], 5);
    assert_eq!(suppliers["review_times"]["count"], 5);
    about(&suppliers["review_times"]["p90_seconds"], 0);
    assert_eq!(suppliers["certificates_verified"], 0);
    assert_eq!(r["emails_failed"], 0);
    let monthly = r["monthly"].as_array().expect("months");
    let sum = |field: &str| {
        monthly
            .iter()
            .map(|m| m["requests"][field].as_u64().unwrap_or_default())
            .sum::<u64>()
    };
    assert_eq!((sum("received"), sum("awarded")), (2, 1));
    let connections: u64 = monthly
        .iter()
        .map(|m| m["connections"].as_u64().unwrap_or_default())
        .sum();
    assert_eq!(connections, 1);

    // The same figures as CSV, and the monthly chart.
    let csv = app.get(&format!("{path}&format=csv"), Some(&expert)).await;
    csv.assert_status(200);
    assert!(csv.content_type().starts_with("text/csv"));
    let text = csv.body.as_str().expect("csv");
    assert!(text.starts_with("section,key,indicator,value\n"), "{text}");
    for line in [
        "requests,,received,2",
        "requests,,connections,1",
        "by_sector,medtech,awarded,1",
        "buyers,,new,1",
        "requests,,quotes_per_opened_request,2.00",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "{line} missing from {text}"
        );
    }
    let svg = app.get(&format!("{path}&format=svg"), Some(&expert)).await;
    svg.assert_status(200);
    assert_eq!(svg.content_type(), "image/svg+xml");
    let svg = svg.body.as_str().expect("svg");
    assert!(svg.contains("<svg") && svg.contains("polyline"), "{svg}");
    assert!(svg.contains("mises en relation / connections"));

    // The listed suppliers follow a change of membership at once, both ways.
    let admin = app.back_office("admin", "admin@pmt.example").await;
    let member = &w.certified[0].org;
    for (membership, members) in [("member", 1), ("not_member", 0)] {
        app.put(
            &format!("/api/v1/admin/organisations/{member}/membership"),
            Some(&admin),
            json!({ "membership": membership }),
        )
        .await
        .assert_status(200);
        let listed = app.get(&path, Some(&expert)).await;
        let listed = &listed.assert_status(200)["suppliers"];
        assert_eq!(listed["listed_members"], members, "{membership}");
        assert_eq!(listed["listed_non_members"], 5 - members, "{membership}");
    }

    // A period before the history counts nothing of it.
    let before = app
        .get(
            &format!(
                "/api/v1/backoffice/reports/activity?from={}&to={}",
                day(-40),
                day(-10)
            ),
            Some(&expert),
        )
        .await;
    let before = before.assert_status(200);
    assert_eq!(before["requests"]["received"], 0);
    assert_eq!(before["connections"], 0);
    assert_eq!(before["quotes_per_opened_request"], Value::Null);

    // A first quote counts in the period it came in, even when its request
    // took no step then (A's steps: T, T + 1 h, T + 2 days; its quotes:
    // T + 1 day).
    let quoted = app
        .get(
            &format!(
                "/api/v1/backoffice/reports/activity?from={}&to={}",
                day(1),
                day(1)
            ),
            Some(&expert),
        )
        .await;
    let quoted = quoted.assert_status(200);
    assert_eq!(quoted["requests"]["received"], 0);
    assert_eq!(quoted["times"]["to_first_quote"]["count"], 1);
    about(&quoted["times"]["to_first_quote"]["median_seconds"], DAY);
}

mod the_report_counts_a_known_history {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::the_report_counts_a_known_history(tests::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::the_report_counts_a_known_history(tests::Backend::Postgres).await;
    }
}
