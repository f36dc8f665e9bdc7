//! One list shape: every collection answers `{items, next_cursor}` to
//! `?limit=&cursor=`, a page at a time, each item once and in order;
//! `GET /requests` filters and sorts; a bad cursor, limit, status or sort is
//! a 4xx naming the parameter.

use serde_json::{Value, json};
use tests::on_both_backends;
use tests::sourcing::{World, quote, titanium_request};
use tests::{TestApp, server::Reply};

const SORTS: [&str; 6] = [
    "created",
    "-created",
    "updated",
    "-updated",
    "deadline",
    "-deadline",
];

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect()
}

fn field_of(reply: &Reply) -> &str {
    reply.body["errors"][0]["field"]
        .as_str()
        .unwrap_or_default()
}

/// Five drafts whose creation, update and deadline orders all differ: the
/// deadlines are not in creation order, and two drafts are submitted after
/// the others were created (which updates them).
async fn five_requests(app: &TestApp, w: &World) -> Vec<String> {
    let mut ids = Vec::new();
    for (n, days) in [20, 10, 30, 15, 25].into_iter().enumerate() {
        let mut body = titanium_request();
        body["title"] = json!(format!("Demande {n}: pièces en titane"));
        body["response_deadline"] =
            json!((chrono::Utc::now() + chrono::TimeDelta::days(days)).to_rfc3339());
        if n == 3 {
            body["title"] = json!("Boîtiers en PEEK");
            body["description"] =
                json!("Boîtiers injectés pour STÉRILISATION à l'oxyde d'éthylène.");
        }
        ids.push(app.draft_request_of(w, body).await);
    }
    for n in [2, 0] {
        app.step(&w.buyer, &ids[n], "submit", json!({}))
            .await
            .assert_status(200);
    }
    ids
}

/// `items` are in `sort`'s order: its field, then the id, in its direction.
fn assert_sorted(items: &[Value], sort: &str) {
    let descending = sort.starts_with('-');
    let field = match sort.trim_start_matches('-') {
        "created" => "created_at",
        "updated" => "updated_at",
        _ => "response_deadline",
    };
    let keys: Vec<(String, String)> = items
        .iter()
        .map(|i| {
            (
                i[field].as_str().expect("time").to_owned(),
                i["id"].as_str().expect("id").to_owned(),
            )
        })
        .collect();
    let mut expected = keys.clone();
    expected.sort();
    if descending {
        expected.reverse();
    }
    assert_eq!(keys, expected, "sort={sort}");
}

async fn paging_through_requests_returns_each_once_in_order_under_each_sort(app: &TestApp) {
    let w = app.sourcing_world().await;
    let created = five_requests(app, &w).await;
    for sort in SORTS {
        let whole = app
            .all_pages(
                &format!("/api/v1/requests?sort={sort}"),
                Some(&w.buyer),
                100,
            )
            .await;
        let paged = app
            .all_pages(&format!("/api/v1/requests?sort={sort}"), Some(&w.buyer), 2)
            .await;
        assert_eq!(ids(&paged), ids(&whole), "sort={sort}");
        let mut seen = ids(&paged);
        seen.sort();
        let mut expected = created.clone();
        expected.sort();
        assert_eq!(seen, expected, "sort={sort}: each request once");
        assert_sorted(&paged, sort);
    }
    // The orders really differ, so each one was put to the test.
    let first = |sort: &'static str| {
        let app = &app;
        let token = w.buyer.clone();
        async move {
            ids(&app
                .all_pages(&format!("/api/v1/requests?sort={sort}"), Some(&token), 100)
                .await)
        }
    };
    assert_eq!(first("created").await, created);
    assert_eq!(
        first("-updated").await[..2],
        [created[0].clone(), created[2].clone()]
    );
    assert_eq!(first("deadline").await[0], created[1]);
    // No sort: newest first.
    let default = ids(&app.all_pages("/api/v1/requests", Some(&w.buyer), 100).await);
    assert_eq!(default, first("-created").await);
}

on_both_backends!(paging_through_requests_returns_each_once_in_order_under_each_sort);

async fn request_filters_combine(app: &TestApp) {
    let w = app.sourcing_world().await;
    let created = five_requests(app, &w).await;
    let list = |query: String| {
        let token = w.buyer.clone();
        async move {
            let mut found = ids(&app
                .all_pages(&format!("/api/v1/requests?{query}"), Some(&token), 2)
                .await);
            found.sort();
            found
        }
    };
    let sorted = |picked: &[usize]| {
        let mut ids: Vec<String> = picked.iter().map(|n| created[*n].clone()).collect();
        ids.sort();
        ids
    };
    assert_eq!(list("status=submitted".into()).await, sorted(&[0, 2]));
    assert_eq!(
        list("status=draft,submitted".into()).await,
        sorted(&[0, 1, 2, 3, 4])
    );
    assert_eq!(list("status=open".into()).await, sorted(&[]));
    // Title or description, whatever the case, accents included.
    assert_eq!(list("q=TITANE".into()).await, sorted(&[0, 1, 2, 4]));
    assert_eq!(list("q=st%C3%A9rilisation".into()).await, sorted(&[3]));
    assert_eq!(list("q=ST%C3%89RILISATION".into()).await, sorted(&[3]));
    assert_eq!(
        list("q=100%25".into()).await,
        sorted(&[]),
        "% is no wildcard"
    );
    assert_eq!(list("q=titane&status=draft".into()).await, sorted(&[1, 4]));
    // Deadlines at +10, +15, +20, +25 and +30 days.
    let day = |d: i64| (chrono::Utc::now().date_naive() + chrono::TimeDelta::days(d)).to_string();
    assert_eq!(
        list(format!("deadline_from={}&deadline_to={}", day(12), day(22))).await,
        sorted(&[0, 3])
    );
    assert_eq!(
        list(format!("deadline_from={}&status=submitted", day(22))).await,
        sorted(&[2])
    );
    assert_eq!(
        list(format!("created_from={}", day(-1))).await,
        sorted(&[0, 1, 2, 3, 4])
    );
    assert_eq!(list(format!("created_to={}", day(-1))).await, sorted(&[]));
    assert_eq!(list(format!("created_from={}", day(1))).await, sorted(&[]));

    // A supplier lists only the requests it is invited to, filters alike.
    let open = app.open_request(&w).await;
    let supplier = &w.certified[0].token;
    let listed = ids(&app.all_pages("/api/v1/requests", Some(supplier), 1).await);
    assert_eq!(listed, vec![open.clone()]);
    let listed = ids(&app
        .all_pages("/api/v1/requests?status=draft,submitted", Some(supplier), 1)
        .await);
    assert!(listed.is_empty(), "{listed:?}");
}

on_both_backends!(request_filters_combine);

async fn a_bad_cursor_limit_status_or_sort_is_a_4xx_naming_it(app: &TestApp) {
    let w = app.sourcing_world().await;
    five_requests(app, &w).await;
    let first = app
        .get("/api/v1/requests?sort=deadline&limit=2", Some(&w.buyer))
        .await;
    let cursor = first.assert_status(200)["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_owned();
    // The cursor says nothing in clear and only continues its own order.
    assert!(!cursor.contains('_') || cursor.len() > 40, "{cursor}");
    app.get(
        &format!("/api/v1/requests?sort=deadline&limit=2&cursor={cursor}"),
        Some(&w.buyer),
    )
    .await
    .assert_status(200);
    let mut tampered = cursor.clone();
    tampered.replace_range(..4, "AAAA");
    for (query, token) in [
        (format!("sort=-deadline&cursor={cursor}"), &w.buyer),
        (format!("cursor={cursor}"), &w.buyer),
        (format!("sort=deadline&cursor={tampered}"), &w.buyer),
        (
            "cursor=1_00000000-0000-0000-0000-000000000000".to_owned(),
            &w.buyer,
        ),
        ("cursor=not-base64!".to_owned(), &w.certified[0].token),
    ] {
        let reply = app
            .get(&format!("/api/v1/requests?{query}"), Some(token))
            .await;
        reply.assert_problem(400, "invalid_query");
        assert_eq!(field_of(&reply), "cursor", "{query}: {}", reply.body);
        assert_eq!(reply.body["errors"][0]["code"], "invalid_cursor");
    }
    for (query, field, code) in [
        ("limit=0", "limit", "out_of_range"),
        ("limit=101", "limit", "out_of_range"),
        ("status=opened", "status", "invalid_status"),
        ("status=open,", "status", "invalid_status"),
        ("sort=title", "sort", "invalid_sort"),
        ("sort=--created", "sort", "invalid_sort"),
        ("created_from=yesterday", "created_from", "invalid_date"),
        (
            "deadline_from=2027-02-01&deadline_to=2027-01-01",
            "deadline_to",
            "min_above_max",
        ),
        ("q=%20", "q", "required"),
    ] {
        let reply = app
            .get(&format!("/api/v1/requests?{query}"), Some(&w.buyer))
            .await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(field_of(&reply), field, "{query}: {}", reply.body);
        assert_eq!(reply.body["errors"][0]["code"], code, "{query}");
    }
    // Every bad parameter at once, each named.
    let reply = app
        .get("/api/v1/requests?status=x&sort=y&limit=0", Some(&w.buyer))
        .await;
    reply.assert_problem(422, "validation_failed");
    let fields: Vec<&str> = reply.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["status", "sort", "limit"]);
    // The other lists refuse a cursor of another list the same way.
    let reply = app
        .get(
            &format!("/api/v1/backoffice/requests?cursor={cursor}"),
            Some(&w.expert),
        )
        .await;
    reply.assert_problem(400, "invalid_query");
    assert_eq!(field_of(&reply), "cursor");
}

on_both_backends!(a_bad_cursor_limit_status_or_sort_is_a_4xx_naming_it);

/// Every other collection, read one item per page, gives what one big page
/// gives: the same items, once each, in the same order.
async fn every_list_pages_like_one_big_page(app: &TestApp) {
    let w = app.sourcing_world().await;
    let admin = app.back_office("admin", "admin@pmt.example").await;
    let id = app.open_request(&w).await;
    let supplier = &w.certified[0];
    for (n, s) in w.certified.iter().enumerate().take(2) {
        app.post(
            &format!("/api/v1/requests/{id}/questions"),
            Some(&s.token),
            json!({ "question": format!("Question {n} : quelle tolérance ?") }),
        )
        .await
        .assert_status(201);
        for amount in ["12000", "11500"] {
            app.post(
                &format!("/api/v1/requests/{id}/quotes"),
                Some(&s.token),
                quote(amount, 30),
            )
            .await
            .assert_status(201);
        }
    }
    let org = &supplier.org;
    let lists: Vec<(String, &str, usize)> = vec![
        (format!("/api/v1/requests/{id}/history"), &w.buyer, 3),
        (format!("/api/v1/requests/{id}/history"), &w.expert, 3),
        (format!("/api/v1/requests/{id}/matches"), &w.expert, 3),
        (format!("/api/v1/requests/{id}/questions"), &w.buyer, 2),
        (
            format!("/api/v1/requests/{id}/questions"),
            &supplier.token,
            1,
        ),
        (format!("/api/v1/requests/{id}/answers"), &w.buyer, 3),
        (
            format!("/api/v1/requests/{id}/answers/{org}/quotes"),
            &w.buyer,
            2,
        ),
        (
            format!("/api/v1/organisations/{org}/users"),
            &supplier.token,
            1,
        ),
        (
            format!("/api/v1/organisations/{org}/profile/history"),
            &w.expert,
            2,
        ),
        ("/api/v1/admin/users".to_owned(), &admin, 6),
        ("/api/v1/admin/notifications".to_owned(), &admin, 3),
        ("/api/v1/backoffice/profiles".to_owned(), &w.expert, 0),
        ("/api/v1/backoffice/certifications".to_owned(), &w.expert, 0),
    ];
    // The email worker rewrites a notification's status as it sends: let it
    // finish, so both readings see the same outbox.
    app.emails_settled(&app.base_url).await;
    for (path, token, at_least) in lists {
        // How long an item has waited is counted at each reading: the two
        // readings may fall a second apart.
        let without_wait = |mut items: Vec<Value>| {
            for item in &mut items {
                if let Some(item) = item.as_object_mut() {
                    item.remove("waited_seconds");
                }
            }
            items
        };
        let whole = without_wait(app.all_pages(&path, Some(token), 100).await);
        let paged = without_wait(app.all_pages(&path, Some(token), 1).await);
        assert!(whole.len() >= at_least, "{path}: {} items", whole.len());
        assert_eq!(paged, whole, "{path}");
        let reply = app.get(&format!("{path}?cursor=eA"), Some(token)).await;
        reply.assert_problem(400, "invalid_query");
        assert_eq!(field_of(&reply), "cursor", "{path}");
        let reply = app.get(&format!("{path}?limit=0"), Some(token)).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(field_of(&reply), "limit", "{path}");
    }
    // The directory search pages the same way, and counts its matches.
    for sort in ["name", "recent"] {
        let path = format!("/api/v1/suppliers?sort={sort}");
        let whole = app.all_pages(&path, None, 100).await;
        assert!(whole.len() >= 5, "{path}: {} suppliers", whole.len());
        assert_eq!(app.all_pages(&path, None, 2).await, whole, "{path}");
        let first = app.get(&format!("{path}&limit=2"), None).await;
        assert_eq!(first.assert_status(200)["total"], whole.len());
    }
    let reply = app.get("/api/v1/suppliers?cursor=eA", None).await;
    reply.assert_problem(400, "invalid_query");
    assert_eq!(field_of(&reply), "cursor");

    // The admin users' cursor no longer carries an email in clear.
    let first = app.get("/api/v1/admin/users?limit=1", Some(&admin)).await;
    let cursor = first.assert_status(200)["next_cursor"]
        .as_str()
        .expect("more users")
        .to_owned();
    assert!(!cursor.contains('@') && !cursor.contains("%40"), "{cursor}");
}

on_both_backends!(every_list_pages_like_one_big_page);

async fn connections_page_after_the_award(app: &TestApp) {
    let w = app.sourcing_world().await;
    let id = app.open_request(&w).await;
    for s in &w.certified {
        app.post(
            &format!("/api/v1/requests/{id}/quotes"),
            Some(&s.token),
            quote("12000", 30),
        )
        .await
        .assert_status(201);
    }
    let winners: Vec<&str> = w.certified.iter().take(2).map(|s| s.org.as_str()).collect();
    app.step(&w.buyer, &id, "close", json!({}))
        .await
        .assert_status(200);
    app.post(
        &format!("/api/v1/requests/{id}/award"),
        Some(&w.buyer),
        json!({ "supplier_ids": winners }),
    )
    .await
    .assert_status(200);
    let path = format!("/api/v1/requests/{id}/connections");
    let paged = app.all_pages(&path, Some(&w.buyer), 1).await;
    assert_eq!(paged.len(), 2);
    assert_eq!(paged, app.all_pages(&path, Some(&w.buyer), 100).await);
    let winner = app.all_pages(&path, Some(&w.certified[0].token), 1).await;
    assert_eq!(winner.len(), 1, "the buyer's contact");
    let loser = app.all_pages(&path, Some(&w.certified[2].token), 1).await;
    assert!(loser.is_empty());
}

on_both_backends!(connections_page_after_the_award);
