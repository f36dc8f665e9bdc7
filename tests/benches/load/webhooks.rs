//! Issue 16: from an event to its webhook delivery, with the receiver up.
//! A receiver in this process (actix-web, answering 200 at once) notes when
//! each delivery arrives; the delay is measured from the event's own
//! `occurred_at` (stamped by the server in the transaction that wrote it).
//! First events one at a time at a steady pace (the latency a member's
//! system sees), then a burst (what the delivery worker drains per second).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use chrono::{DateTime, Utc};
use serde_json::json;
use tests::TestApp;
use tests::load::percentile;
use tests::sourcing::titanium_request;

use super::{Report, in_parallel};

/// Events created one at a time, every `PACE`.
const PACED: usize = 200;
const PACE: Duration = Duration::from_millis(50);
/// Events created at once, by `BURST_CLIENTS` clients.
const BURST: usize = 1_000;
const BURST_CLIENTS: usize = 16;

#[derive(Clone, Copy)]
struct Arrival {
    occurred: DateTime<Utc>,
    received: DateTime<Utc>,
}

type Arrivals = Mutex<Vec<Arrival>>;

async fn hook(arrivals: web::Data<Arrivals>, body: web::Bytes) -> HttpResponse {
    let received = Utc::now();
    let occurred = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|event| {
            DateTime::parse_from_rfc3339(event["occurred_at"].as_str()?)
                .ok()
                .map(|at| at.with_timezone(&Utc))
        });
    match occurred {
        Some(occurred) => {
            arrivals
                .lock()
                .expect("arrivals")
                .push(Arrival { occurred, received });
            HttpResponse::Ok().finish()
        }
        None => HttpResponse::BadRequest().finish(),
    }
}

/// Starts the receiver on a free port: its URL and what it received.
fn start_receiver() -> (String, Arc<Arrivals>, actix_web::dev::ServerHandle) {
    let arrivals: Arc<Arrivals> = Arc::new(Mutex::new(Vec::new()));
    let data = web::Data::from(Arc::clone(&arrivals));
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/hook", web::post().to(hook))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .expect("bind the receiver");
    let port = server.addrs()[0].port();
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);
    (format!("http://127.0.0.1:{port}/hook"), arrivals, handle)
}

async fn received(arrivals: &Arrivals, count: usize, within: Duration) -> Vec<Arrival> {
    let started = Instant::now();
    loop {
        let got = arrivals.lock().expect("arrivals").clone();
        if got.len() >= count {
            return got;
        }
        assert!(
            started.elapsed() < within,
            "{} of {count} deliveries after {within:?}",
            got.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn delays_ms(arrivals: &[Arrival]) -> Vec<Duration> {
    let mut delays: Vec<Duration> = arrivals
        .iter()
        .map(|a| (a.received - a.occurred).to_std().unwrap_or(Duration::ZERO))
        .collect();
    delays.sort_unstable();
    delays
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `token` is a buyer organisation's owner: its endpoint receives its
/// requests' `request.created` events.
pub async fn measure(app: &TestApp, token: &str, report: &mut Report) {
    let (url, arrivals, server) = start_receiver();
    let created = app
        .post(
            "/api/v1/webhooks",
            Some(token),
            json!({ "url": url, "event_types": ["request.created"] }),
        )
        .await;
    created.assert_status(201);

    let create = |token: String| async move {
        app.post("/api/v1/requests", Some(&token), titanium_request())
            .await
            .assert_status(201);
    };
    let mut pace = tokio::time::interval(PACE);
    for _ in 0..PACED {
        pace.tick().await;
        create(token.to_owned()).await;
    }
    let paced = received(&arrivals, PACED, Duration::from_secs(120)).await;
    let delays = delays_ms(&paced);
    report.add(
        "webhooks",
        "event -> delivery p50, one event every 50 ms",
        ms(percentile(&delays, 0.5)),
        "ms",
        &format!("{PACED} events; receiver up, answering 200"),
    );
    report.add(
        "webhooks",
        "event -> delivery p99, one event every 50 ms",
        ms(percentile(&delays, 0.99)),
        "ms",
        &format!(
            "target < 1000 ms; slowest {:.0} ms",
            delays.last().map_or(0.0, |d| ms(*d))
        ),
    );

    in_parallel(BURST_CLIENTS, (0..BURST).map(|_| create(token.to_owned()))).await;
    let all = received(&arrivals, PACED + BURST, Duration::from_secs(600)).await;
    let burst = &all[PACED..];
    let first = burst.iter().map(|a| a.occurred).min().expect("a burst");
    let last = burst.iter().map(|a| a.received).max().expect("a burst");
    let seconds = (last - first)
        .to_std()
        .unwrap_or(Duration::ZERO)
        .as_secs_f64();
    report.add(
        "webhooks",
        "deliveries per second (a burst of 1000 events)",
        BURST as f64 / seconds,
        "deliveries/s",
        &format!(
            "first event to last delivery {seconds:.2} s; {BURST_CLIENTS} clients creating requests meanwhile"
        ),
    );
    let delays = delays_ms(burst);
    report.add(
        "webhooks",
        "event -> delivery p50, burst of 1000",
        ms(percentile(&delays, 0.5)),
        "ms",
        "queued behind the burst",
    );
    report.add(
        "webhooks",
        "event -> delivery p99, burst of 1000",
        ms(percentile(&delays, 0.99)),
        "ms",
        "",
    );
    server.stop(true).await;
}
