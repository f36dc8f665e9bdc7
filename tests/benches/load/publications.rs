//! Issue 19: the cluster's publications at the run's scale.
//!
//! - the competence booklet of about 1 000 suppliers, fetched as a client
//!   does (202, `Location` polled until the PDF), French, one cold
//!   typesetting then the cached edition: time from the first call to the
//!   PDF and the server's RSS peak over its RSS before. The filter is the
//!   simplest one that selects about 1 000 of the generated suppliers at
//!   this `SCALE` (computed from the same generator), so that the 10 000
//!   and 100 000-supplier runs typeset booklets of the same size;
//! - the capability map (JSON, the experts' CSV matrix, SVG), one client;
//! - the activity report over a year once `ACTIVITY_REQUESTS` requests
//!   (default 100 000) are in the database: the run's requests plus
//!   synthetic ones inserted in SQL with their history (steps in the audit
//!   log, quotes, invitations and awards), so that every indicator has data.
//!   They are deleted afterwards: the later phases measure the run's own
//!   requests.

use std::time::{Duration, Instant};

use futures::FutureExt as _;

use diesel::sql_types::{Array, BigInt, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use tests::TestApp;
use tests::load::{RssSampler, rss_bytes};
use tests::publications::pdf_text;

use super::{BFC, Node, Report, Scenarios, csv_cells, env_number, mib, suppliers_csv, urlencode};

/// The booklet's intended size, whatever the run's scale.
const BOOKLET_SUPPLIERS: usize = 1_000;
/// A booklet typesets in seconds: sample the server's memory often.
const RSS_PERIOD: Duration = Duration::from_millis(20);
const POLL: Duration = Duration::from_millis(50);
/// Marks the synthetic requests, so that they can be removed afterwards.
const SYNTHETIC_TITLE: &str = "Bench activity ";

pub async fn measure(
    app: &TestApp,
    scenarios: &Scenarios,
    scale: usize,
    leaves: &[Node],
    expert: &str,
    quoters: &[String],
    report: &mut Report,
) {
    booklet(app, scale, leaves, report).await;
    capability_map(scenarios, scale, expert, report).await;
    activity_report(app, scenarios, expert, quoters, report).await;
}

/// A booklet filter and how many generated suppliers it admits.
struct Selection {
    query: String,
    label: String,
    expected: usize,
}

/// The simplest filter (fewest criteria) admitting between 900 and 1 100 of
/// the `scale` generated suppliers, else the one closest to 1 000; as
/// `domain::booklet::BookletFilter::admits` decides, on the generator's rows.
fn booklet_selection(scale: usize, leaves: &[Node]) -> Selection {
    struct Supplier {
        region: String,
        member: bool,
        families: Vec<String>,
        sectors: Vec<String>,
    }
    let csv = suppliers_csv(scale, leaves);
    let suppliers: Vec<Supplier> = csv
        .lines()
        .skip(1)
        .map(|line| {
            let cells = csv_cells(line);
            let split = |cell: &str| -> Vec<String> {
                cell.split(';')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            };
            Supplier {
                region: cells[6].clone(),
                member: cells[7] == "member",
                families: split(&cells[10])
                    .iter()
                    .map(|c| c.split('.').next().unwrap_or_default().to_owned())
                    .collect(),
                sectors: split(&cells[11]),
            }
        })
        .collect();
    let mut families: Vec<String> = leaves
        .iter()
        .map(|n| n.code.split('.').next().unwrap_or_default().to_owned())
        .collect();
    families.sort();
    families.dedup();
    let regions = [BFC, "Auvergne-Rhône-Alpes", "Grand Est"];
    let option = |values: Vec<String>| {
        std::iter::once(None)
            .chain(values.into_iter().map(Some))
            .collect::<Vec<_>>()
    };
    let mut best: Option<(usize, usize, Selection)> = None;
    for region in option(regions.iter().map(|r| (*r).to_owned()).collect()) {
        for family in option(families.clone()) {
            for sector in option(super::SECTORS.iter().map(|s| (*s).to_owned()).collect()) {
                for members_only in [false, true] {
                    let expected = suppliers
                        .iter()
                        .filter(|s| {
                            region.as_ref().is_none_or(|r| s.region == *r)
                                && family.as_ref().is_none_or(|f| s.families.contains(f))
                                && sector.as_ref().is_none_or(|x| s.sectors.contains(x))
                                && (!members_only || s.member)
                        })
                        .count();
                    let criteria = usize::from(region.is_some())
                        + usize::from(family.is_some())
                        + usize::from(sector.is_some())
                        + usize::from(members_only);
                    let distance = expected.abs_diff(BOOKLET_SUPPLIERS);
                    // Within 10 %, fewer criteria win; outside, closer wins.
                    let rank = if distance * 10 <= BOOKLET_SUPPLIERS {
                        (0, criteria * 100_000 + distance)
                    } else {
                        (1, distance)
                    };
                    if best.as_ref().is_some_and(|(a, b, _)| (*a, *b) <= rank) {
                        continue;
                    }
                    let mut query = String::from("lang=fr");
                    let mut label = Vec::new();
                    for (name, value) in [
                        ("region", &region),
                        ("family", &family),
                        ("sector", &sector),
                    ] {
                        if let Some(value) = value {
                            query.push_str(&format!("&{name}={}", urlencode(value)));
                            label.push(format!("{name} {value}"));
                        }
                    }
                    if members_only {
                        query.push_str("&members_only=true");
                        label.push("members only".to_owned());
                    }
                    let label = if label.is_empty() {
                        "no filter".to_owned()
                    } else {
                        label.join(", ")
                    };
                    best = Some((
                        rank.0,
                        rank.1,
                        Selection {
                            query,
                            label,
                            expected,
                        },
                    ));
                }
            }
        }
    }
    best.expect("at least the empty filter").2
}

/// What a reader gets from the booklet URL: 202 then polling, or the PDF.
struct Fetched {
    first_status: u16,
    elapsed: Duration,
    pdf: Vec<u8>,
}

async fn fetch_booklet(client: &Client, base: &str, query: &str) -> Fetched {
    let started = Instant::now();
    let mut response = client
        .get(format!("{base}/api/v1/publications/booklet?{query}"))
        .send()
        .await
        .expect("booklet request");
    let first_status = response.status().as_u16();
    loop {
        match response.status() {
            StatusCode::OK => {
                let pdf = response.bytes().await.expect("the pdf").to_vec();
                return Fetched {
                    first_status,
                    elapsed: started.elapsed(),
                    pdf,
                };
            }
            StatusCode::ACCEPTED => {
                let location = response
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .expect("a 202 names its Location")
                    .to_owned();
                assert!(
                    started.elapsed() < Duration::from_secs(600),
                    "booklet {query} not typeset within 10 minutes"
                );
                tokio::time::sleep(POLL).await;
                response = client
                    .get(format!("{base}{location}"))
                    .send()
                    .await
                    .expect("poll the edition");
            }
            other => panic!(
                "booklet {query}: unexpected {other}: {}",
                response.text().await.unwrap_or_default()
            ),
        }
    }
}

/// The number of entries the booklet's cover states ("1 012 entreprises").
fn entries(text: &str) -> Option<usize> {
    let at = text.find(" entreprises")?;
    let digits: String = text[..at]
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.chars().rev().collect::<String>().parse().ok()
}

async fn booklet(app: &TestApp, scale: usize, leaves: &[Node], report: &mut Report) {
    let leaves: Vec<Node> = leaves
        .iter()
        .map(|n| Node {
            code: n.code.clone(),
            fr: n.fr.clone(),
            en: n.en.clone(),
        })
        .collect();
    let selection = tokio::task::spawn_blocking(move || booklet_selection(scale, &leaves))
        .await
        .expect("booklet selection");
    println!(
        "booklet filter: {} ({} of {scale} generated suppliers)",
        selection.label, selection.expected
    );
    let pid = app.server_pid().expect("server pid");
    let client = Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = rss_bytes(pid).unwrap_or(0);
    report.add(
        "publications",
        "RSS before the booklet",
        mib(before),
        "MiB",
        "one second without requests",
    );
    let sampler = RssSampler::every(pid, RSS_PERIOD);
    let typesetter = RssSampler::children_every(pid, RSS_PERIOD);
    let cold = fetch_booklet(&client, &app.base_url, &selection.query).await;
    let peak = sampler.peak();
    let child_peak = typesetter.peak();
    drop((sampler, typesetter));
    let pdf = cold.pdf.clone();
    let text = tokio::task::spawn_blocking(move || pdf_text(&pdf))
        .await
        .expect("pdftotext");
    let pages = text.matches('\u{c}').count();
    let count = entries(&text).map_or_else(|| "?".to_owned(), |n| n.to_string());
    report.add(
        "publications",
        "booklet FR of about 1 000 suppliers, first call to PDF",
        cold.elapsed.as_secs_f64(),
        "s",
        &format!(
            "{count} entries ({}: {:.1} % of the {scale} generated suppliers, {} expected); \
             first answer {}, {pages} pages, {:.0} KiB; target < 10 s",
            selection.label,
            100.0 * selection.expected as f64 / scale as f64,
            selection.expected,
            cold.first_status,
            cold.pdf.len() as f64 / 1024.0,
        ),
    );
    report.add(
        "publications",
        "RSS peak during the booklet",
        mib(peak),
        "MiB",
        &format!(
            "{:+.1} MB over the RSS before (target < +150 MB); sampled every {} ms",
            (peak as f64 - before as f64) / 1e6,
            RSS_PERIOD.as_millis()
        ),
    );
    report.add(
        "publications",
        "RSS peak of the typesetting process",
        mib(child_peak),
        "MiB",
        &format!(
            "the server's child (pmt typeset-booklet), gone once the PDF is written; \
             sampled every {} ms",
            RSS_PERIOD.as_millis()
        ),
    );
    let cached = fetch_booklet(&client, &app.base_url, &selection.query).await;
    assert_eq!(cached.pdf, cold.pdf, "the cached edition is the same PDF");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = rss_bytes(pid).unwrap_or(0);
    report.add(
        "publications",
        "RSS after the booklet",
        mib(after),
        "MiB",
        &format!(
            "{:+.1} MB over the RSS before; one second after the cached call",
            (after as f64 - before as f64) / 1e6
        ),
    );
    report.add(
        "publications",
        "booklet FR again, the cached edition",
        cached.elapsed.as_secs_f64() * 1000.0,
        "ms",
        &format!("first answer {}", cached.first_status),
    );
}

async fn capability_map(scenarios: &Scenarios, scale: usize, expert: &str, report: &mut Report) {
    for (format, label, token) in [
        ("json", "JSON", None),
        ("csv", "CSV matrix, expert", Some(expert.to_owned())),
        ("svg", "SVG", None),
    ] {
        let name = format!("GET /publications/capability-map ({label}), one client");
        let figures = scenarios
            .run(&name, 1, 200, move |client, base, _| {
                let request = client.get(format!(
                    "{base}/api/v1/publications/capability-map?format={format}"
                ));
                match &token {
                    Some(token) => request.bearer_auth(token),
                    None => request,
                }
            })
            .await;
        load_or_none(
            report,
            &figures,
            &format!("{scale} generated suppliers; target p99 < 200 ms at 100 000"),
        );
    }
}

/// The figures of a one-client run, unless no call ended within its
/// window (a call longer than the run): then a row says so, rather than
/// latencies of 0 ms that a target would count as met.
fn load_or_none(report: &mut Report, figures: &super::Figures, note: &str) {
    if figures.requests > 0 {
        report.load(figures, note);
    } else {
        report.add(
            "publications",
            &format!("{}: no call ended within the measured window", figures.name),
            0.0,
            "",
            &format!("{} errors; {note}", figures.errors),
        );
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The synthetic requests: the run's requests' buyers and contents in turn
/// (so sectors, capability families and buyers vary as theirs do), created
/// 40 to 400 days ago; `k` (0 to 19) decides how far each went: submitted
/// only, rejected (2 in 20), cancelled, qualified (4), opened (6), awarded
/// (6). Deadlines are the run's (in the future), so no worker acts on them.
const SYNTHETIC: &str = "
CREATE TEMP TABLE bench_activity ON COMMIT DROP AS
WITH r AS (
    SELECT row_number() OVER (ORDER BY id) - 1 AS n, s.buyer_organisation_id, created_by,
        content, a.coding, response_deadline
    FROM sourcing_requests s
    JOIN request_activity a ON a.request_id = s.id
), total AS (SELECT count(*) AS c FROM r)
SELECT g, g % 20 AS k, gen_random_uuid()::text AS id, r.buyer_organisation_id, r.created_by,
    r.content, r.coding, r.response_deadline,
    $1 - (40 + (g * 7919) % 360) * 86400000000 - (g % 86400) * 1000000 AS created_at
FROM generate_series(1, $2) AS g
JOIN r ON r.n = g % (SELECT c FROM total)";

const REQUESTS: &str = "
INSERT INTO sourcing_requests (id, buyer_organisation_id, created_by, status, title, content,
    response_deadline, identity_revealed, version, submitted_at, created_at, updated_at, search_text)
SELECT id, buyer_organisation_id, created_by,
    CASE WHEN k = 0 THEN 'submitted' WHEN k <= 2 THEN 'rejected' WHEN k = 3 THEN 'cancelled'
        WHEN k <= 7 THEN 'qualified' WHEN k <= 13 THEN 'open' ELSE 'awarded' END,
    $1 || g, content, response_deadline, false, 1, created_at + 3600000000, created_at,
    created_at + 3600000000, ''
FROM bench_activity";

/// Each request's history as the server writes it (`request.<state>`),
/// the creation included (no step), by its buyer or an expert.
const STEPS: &str = "
INSERT INTO audit_log (id, actor_id, action, subject_type, subject_id, from_state, to_state,
    note, internal, created_at)
SELECT gen_random_uuid()::text,
    CASE WHEN s.by_expert THEN coalesce(
        (SELECT min(id) FROM users WHERE platform_role = 'expert'), b.created_by)
    ELSE b.created_by END,
    s.action, 'sourcing_request', b.id, s.from_state, s.to_state, NULL, false, b.created_at + s.after
FROM bench_activity b
CROSS JOIN LATERAL (
    SELECT 'request.created' AS action, NULL::text AS from_state, NULL::text AS to_state,
        0::bigint AS after, false AS by_expert
    UNION ALL SELECT 'request.submitted', 'draft', 'submitted', 3600000000, false
    UNION ALL SELECT 'request.rejected', 'submitted', 'rejected', 3600000000 * (20 + b.g % 48), true
        WHERE b.k IN (1, 2)
    UNION ALL SELECT 'request.cancelled', 'submitted', 'cancelled', 86400000000 * 2, false
        WHERE b.k = 3
    UNION ALL SELECT 'request.qualified', 'submitted', 'qualified', 3600000000 * (2 + b.g % 70), true
        WHERE b.k >= 4
    UNION ALL SELECT 'request.open', 'qualified', 'open', 3600000000 * (80 + b.g % 100), true
        WHERE b.k >= 8
    UNION ALL SELECT 'request.awarded', 'open', 'awarded', 86400000000 * (15 + b.g % 15), false
        WHERE b.k >= 14
) s";

/// Three quoting suppliers of `$1` per opened request, invited at the
/// opening, quoting a day or two after it; the first is awarded when the
/// request was.
const ANSWERS: &str = "
CREATE TEMP TABLE bench_answers ON COMMIT DROP AS
WITH q AS (
    SELECT row_number() OVER (ORDER BY o) - 1 AS i, o AS org,
        (SELECT min(u.id) FROM users u WHERE u.organisation_id = o) AS user_id
    FROM unnest($1::text[]) AS o
), qn AS (SELECT count(*) AS c FROM q)
SELECT b.id AS request_id, b.g, b.k, j, q.org, q.user_id,
    b.created_at + 3600000000 * (80 + b.g % 100) AS opened_at,
    b.created_at + 3600000000 * (80 + b.g % 100) + 3600000000 * (24 + 12 * j) AS quoted_at
FROM bench_activity b
CROSS JOIN generate_series(0, 2) AS j
JOIN q ON q.i = (b.g + j) % (SELECT c FROM qn)
WHERE b.k >= 8";

const QUOTES: &str = "
INSERT INTO request_quotes (id, request_id, supplier_organisation_id, revision, amount_minor,
    currency, lead_time_days, valid_until, message, attachments, submitted_by, created_at)
SELECT gen_random_uuid()::text, request_id, org, 1, 100000 + (g % 900) * 1000, 'EUR', 30,
    '2027-12-31', 'Offre', '[]', user_id, quoted_at
FROM bench_answers";

const INVITATIONS: &str = "
INSERT INTO request_invitations (request_id, supplier_organisation_id, status, decline_reason,
    shortlisted, outcome, invited_at, responded_at)
SELECT request_id, org, 'answered', NULL, k >= 14 AND j = 0,
    CASE WHEN k >= 14 THEN CASE WHEN j = 0 THEN 'awarded' ELSE 'not_selected' END END,
    opened_at, quoted_at
FROM bench_answers";

/// The activity summaries of the synthetic requests, as the migration
/// `2026-12-05-000001_activity_summary` backfills them from the history
/// above (what the server writes with each step, quote and award).
const SUMMARIES: &str = "
INSERT INTO request_activity (request_id, buyer_organisation_id, coding, submitted_at,
    qualified_at, rejected_at, opened_at, awarded_at, cancelled_at, first_quote_at,
    quoting_suppliers, awarded_suppliers, first_at, last_at)
SELECT r.id, r.buyer_organisation_id, r.coding, s.submitted, s.qualified, s.rejected, s.opened,
    s.awarded, s.cancelled, q.first_quote, coalesce(q.suppliers, 0), coalesce(a.suppliers, 0),
    least(s.submitted, s.qualified, s.rejected, s.opened, s.awarded, s.cancelled, q.first_quote),
    greatest(s.submitted, s.qualified, s.rejected, s.opened, s.awarded, s.cancelled,
        q.first_quote)
FROM bench_activity r
LEFT JOIN (
    SELECT subject_id,
        min(CASE WHEN to_state = 'submitted' THEN created_at END) AS submitted,
        min(CASE WHEN to_state = 'qualified' THEN created_at END) AS qualified,
        min(CASE WHEN to_state = 'rejected' THEN created_at END) AS rejected,
        min(CASE WHEN to_state = 'open' THEN created_at END) AS opened,
        min(CASE WHEN to_state = 'awarded' THEN created_at END) AS awarded,
        min(CASE WHEN to_state = 'cancelled' THEN created_at END) AS cancelled
    FROM audit_log
    WHERE subject_type = 'sourcing_request' AND to_state IS NOT NULL
    GROUP BY subject_id
) s ON s.subject_id = r.id
LEFT JOIN (
    SELECT request_id, min(created_at) AS first_quote,
        count(DISTINCT supplier_organisation_id) AS suppliers
    FROM request_quotes GROUP BY request_id
) q ON q.request_id = r.id
LEFT JOIN (
    SELECT request_id, count(*) AS suppliers
    FROM request_invitations WHERE outcome = 'awarded' GROUP BY request_id
) a ON a.request_id = r.id";

/// The buyers' first submissions, earlier with the synthetic requests.
const FIRST_SUBMISSIONS: &str = "
UPDATE organisations o
SET first_submitted_at = least(o.first_submitted_at, f.at)
FROM (
    SELECT a.buyer_organisation_id, min(a.submitted_at) AS at
    FROM request_activity a
    JOIN bench_activity b ON b.id = a.request_id
    WHERE a.submitted_at IS NOT NULL
    GROUP BY a.buyer_organisation_id
) f
WHERE f.buyer_organisation_id = o.id";

const TABLES: &str = "sourcing_requests, audit_log, request_quotes, request_invitations, request_activity, \
     organisations";

fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Count>(conn)
        .expect("count")
        .n
}

/// Inserts requests up to `total`; answers how many there are.
fn insert_requests(database_url: &str, total: i64, quoters: Vec<String>) -> i64 {
    let mut conn = PgConnection::establish(database_url).expect("connect to PostgreSQL");
    let existing = count(&mut conn, "SELECT count(*) AS n FROM sourcing_requests");
    let missing = (total - existing).max(0);
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        diesel::sql_query(SYNTHETIC)
            .bind::<BigInt, _>(chrono::Utc::now().timestamp_micros())
            .bind::<BigInt, _>(missing)
            .execute(conn)?;
        diesel::sql_query(REQUESTS)
            .bind::<Text, _>(SYNTHETIC_TITLE)
            .execute(conn)?;
        diesel::sql_query(STEPS).execute(conn)?;
        diesel::sql_query(ANSWERS)
            .bind::<Array<Text>, _>(quoters)
            .execute(conn)?;
        diesel::sql_query(QUOTES).execute(conn)?;
        diesel::sql_query(INVITATIONS).execute(conn)?;
        diesel::sql_query(SUMMARIES).execute(conn)?;
        diesel::sql_query(FIRST_SUBMISSIONS).execute(conn)?;
        Ok(())
    })
    .expect("insert the synthetic requests");
    // What autovacuum does to tables that grew over a year: statistics, and
    // the visibility map that lets the report read the audit log's index
    // alone.
    diesel::sql_query(format!("VACUUM ANALYZE {TABLES}"))
        .execute(&mut conn)
        .expect("vacuum analyze");
    count(&mut conn, "SELECT count(*) AS n FROM sourcing_requests")
}

/// Removes the synthetic requests and what hangs off them.
fn remove_requests(database_url: &str) {
    let mut conn = PgConnection::establish(database_url).expect("connect to PostgreSQL");
    let synthetic = "SELECT id FROM sourcing_requests WHERE title LIKE $1";
    let pattern = format!("{SYNTHETIC_TITLE}%");
    for sql in [
        format!("DELETE FROM request_quotes WHERE request_id IN ({synthetic})"),
        format!("DELETE FROM request_invitations WHERE request_id IN ({synthetic})"),
        format!(
            "DELETE FROM audit_log WHERE subject_type = 'sourcing_request' \
             AND subject_id IN ({synthetic})"
        ),
        format!("DELETE FROM request_activity WHERE request_id IN ({synthetic})"),
        "DELETE FROM sourcing_requests WHERE title LIKE $1".to_owned(),
    ] {
        diesel::sql_query(sql)
            .bind::<Text, _>(&pattern)
            .execute(&mut conn)
            .expect("remove the synthetic requests");
    }
    // The buyers' first submissions among the run's own requests again.
    diesel::sql_query(
        "UPDATE organisations SET first_submitted_at = (SELECT min(a.submitted_at) \
         FROM request_activity a WHERE a.buyer_organisation_id = organisations.id) \
         WHERE first_submitted_at IS NOT NULL",
    )
    .execute(&mut conn)
    .expect("first submissions");
    diesel::sql_query(format!("VACUUM ANALYZE {TABLES}"))
        .execute(&mut conn)
        .expect("vacuum");
}

async fn activity_report(
    app: &TestApp,
    scenarios: &Scenarios,
    expert: &str,
    quoters: &[String],
    report: &mut Report,
) {
    let wanted = env_number("ACTIVITY_REQUESTS", 100_000) as i64;
    let url = app.database_url.clone();
    let quoters = quoters.to_vec();
    let started = Instant::now();
    let total = tokio::task::spawn_blocking(move || insert_requests(&url, wanted, quoters))
        .await
        .expect("insert task");
    report.add(
        "load data",
        "insert requests with their history in SQL",
        started.elapsed().as_secs_f64(),
        "s",
        &format!("{total} requests in all, then VACUUM ANALYZE"),
    );

    // Removed whatever happens, so that the later phases see the run's own
    // requests only.
    let measured = std::panic::AssertUnwindSafe(report_over(scenarios, expert, total, report))
        .catch_unwind()
        .await;
    let url = app.database_url.clone();
    tokio::task::spawn_blocking(move || remove_requests(&url))
        .await
        .expect("remove task");
    if let Err(panic) = measured {
        std::panic::resume_unwind(panic);
    }
}

async fn report_over(scenarios: &Scenarios, expert: &str, total: i64, report: &mut Report) {
    let today = chrono::Utc::now().date_naive();
    let from = today - chrono::TimeDelta::days(364);
    let path = format!("/api/v1/backoffice/reports/activity?from={from}&to={today}");
    // What the report found, so that the figures below are known to be of
    // a report with data.
    let started = Instant::now();
    let body: Value = scenarios
        .client
        .get(format!("{}{path}", scenarios.base))
        .bearer_auth(expert)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("activity report")
        .json()
        .await
        .expect("activity report JSON");
    report.add(
        "publications",
        "GET /backoffice/reports/activity (a year, json), first call",
        started.elapsed().as_secs_f64() * 1000.0,
        "ms",
        &format!("{total} requests"),
    );
    let summary = format!(
        "{} received, {} qualified, {} opened, {} awarded, {} connections in the year",
        body["requests"]["received"],
        body["requests"]["qualified"],
        body["requests"]["opened"],
        body["requests"]["awarded"],
        body["connections"],
    );
    println!("activity report: {summary}");

    let (token, json_path) = (expert.to_owned(), path.clone());
    let figures = scenarios
        .run(
            &format!("GET /backoffice/reports/activity (a year), {total} requests, one client"),
            1,
            200,
            move |client, base, _| client.get(format!("{base}{json_path}")).bearer_auth(&token),
        )
        .await;
    load_or_none(report, &figures, &format!("{summary}; target p99 < 500 ms"));
    for format in ["csv", "svg"] {
        let started = Instant::now();
        let response = scenarios
            .client
            .get(format!("{}{path}&format={format}", scenarios.base))
            .bearer_auth(expert)
            .send()
            .await
            .expect("activity report");
        let status = response.status().as_u16();
        let size = response.bytes().await.expect("report body").len();
        let elapsed = started.elapsed();
        assert_eq!(status, 200, "activity report as {format}");
        report.add(
            "publications",
            &format!("GET /backoffice/reports/activity (a year, {format}), once"),
            elapsed.as_secs_f64() * 1000.0,
            "ms",
            &format!("{total} requests; {:.1} KiB", size as f64 / 1024.0),
        );
    }
}
