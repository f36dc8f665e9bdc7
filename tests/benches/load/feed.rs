//! Issue 16: a page of the change feed (`GET /api/v1/events`) once the
//! database holds `EVENTS` events (default 1 000 000), inserted directly in
//! SQL over the run's real requests so that each reader's rule filters as
//! it would in production: an expert reads every event, a buyer its own
//! requests' (about one in twenty here), a supplier only the requests it is
//! invited to (a dozen of 5 000, the sparse case a keyset scan on the
//! position alone would read far to fill).

use std::sync::Arc;
use std::time::Instant;

use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};
use reqwest::Client;
use tests::TestApp;
use tests::server::PASSWORD;

use super::{Report, Scenarios, env_number};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The synthetic events, spread over every request in turn, each request's
/// in turn of kind: six in ten for the request's parties (questions
/// answered, steps), one in ten each for its buyer alone, one supplier
/// alone (an organisation not among the readers), and the back office.
const INSERT: &str = "
WITH r AS (
    SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, buyer_organisation_id
    FROM sourcing_requests
), total AS (SELECT count(*) AS c FROM r)
INSERT INTO events (id, event_type, object_kind, object_id, request_id,
    buyer_organisation_id, audience, audience_organisation_id, actor_role, data, created_at)
SELECT gen_random_uuid()::text,
    CASE kind.k WHEN 0 THEN 'request.edited' WHEN 1 THEN 'quote.revised'
        WHEN 2 THEN 'match.proposed' WHEN 3 THEN 'request.opened' ELSE 'question.answered' END,
    'sourcing_request', r.id, r.id, r.buyer_organisation_id,
    CASE kind.k WHEN 0 THEN 'request_buyer' WHEN 1 THEN 'request_supplier'
        WHEN 2 THEN 'back_office' ELSE 'request_parties' END,
    CASE kind.k WHEN 1 THEN $1 END,
    CASE kind.k WHEN 1 THEN 'supplier' WHEN 2 THEN 'expert' WHEN 3 THEN 'expert' ELSE 'buyer' END,
    json_build_object('request_id', r.id)::text,
    $2 - ($3 - g) * 1000
FROM generate_series(1, $3) AS g
CROSS JOIN LATERAL (SELECT (g / (SELECT c FROM total)) % 10 AS k) AS kind
JOIN r ON r.n = g % (SELECT c FROM total)
ORDER BY g";

/// Their readers, as the server lists them when it appends an event
/// (`Audience::readers`): the migration's rule, over the new events.
const READERS: &str = "
INSERT INTO event_readers (organisation_id, position, event_type)
SELECT buyer_organisation_id, position, event_type FROM events
WHERE position > $1 AND buyer_organisation_id IS NOT NULL
    AND audience IN ('request_parties', 'request_buyer', 'request_supplier')
UNION
SELECT audience_organisation_id, position, event_type FROM events
WHERE position > $1 AND audience = 'organisation'
UNION
SELECT i.supplier_organisation_id, e.position, e.event_type
FROM events e JOIN request_invitations i ON i.request_id = e.request_id
WHERE e.position > $1 AND (e.audience = 'request_parties'
    OR (e.audience = 'request_supplier' AND e.audience_organisation_id = i.supplier_organisation_id))";

fn insert_events(database_url: &str, count: i64) -> i64 {
    let mut conn = PgConnection::establish(database_url).expect("connect to PostgreSQL");
    let now = chrono::Utc::now().timestamp_micros();
    let before: Count = diesel::sql_query("SELECT coalesce(max(position), 0) AS n FROM events")
        .get_result(&mut conn)
        .expect("the last position");
    diesel::sql_query(INSERT)
        .bind::<Text, _>(uuid::Uuid::new_v4().to_string())
        .bind::<BigInt, _>(now)
        .bind::<BigInt, _>(count)
        .execute(&mut conn)
        .expect("insert the events");
    diesel::sql_query(READERS)
        .bind::<BigInt, _>(before.n)
        .execute(&mut conn)
        .expect("list the events' readers");
    diesel::sql_query("ANALYZE events, event_readers")
        .execute(&mut conn)
        .expect("analyze");
    let total: Count = diesel::sql_query("SELECT count(*) AS n FROM events")
        .get_result(&mut conn)
        .expect("count the events");
    total.n
}

pub async fn measure(
    app: &TestApp,
    scenarios: &Scenarios,
    readers: [(&'static str, &str); 3],
    report: &mut Report,
) {
    let count = env_number("EVENTS", 1_000_000) as i64;
    let url = app.database_url.clone();
    let started = Instant::now();
    let total = tokio::task::spawn_blocking(move || insert_events(&url, count))
        .await
        .expect("insert task");
    report.add(
        "load data",
        &format!("insert {count} events in SQL"),
        started.elapsed().as_secs_f64(),
        "s",
        &format!("{total} events in the feed, then ANALYZE"),
    );

    for (who, email) in readers {
        let token: Arc<String> = Arc::new(
            app.login(email, PASSWORD).await["access_token"]
                .as_str()
                .expect("token")
                .to_owned(),
        );
        let feed = |token: Arc<String>| {
            move |client: &Client, base: &str, n: u64| {
                // Cursors spread over the whole feed, as readers resuming
                // from wherever they stopped.
                let after = n.wrapping_mul(2_654_435_761) % total as u64;
                client
                    .get(format!("{base}/api/v1/events?after={after}"))
                    .bearer_auth(token.as_str())
            }
        };
        let name = format!("GET /events ({who}, a page of 100)");
        let many = scenarios
            .run(&name, scenarios.concurrency, 200, feed(Arc::clone(&token)))
            .await;
        report.load(
            &many,
            &format!("{total} events; random cursors; target p99 < 20 ms"),
        );
        let one = scenarios
            .run(&format!("{name}, one client"), 1, 200, feed(token))
            .await;
        report.load(&one, "");
    }
}
