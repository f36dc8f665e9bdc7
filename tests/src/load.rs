//! A small closed-loop load generator for the benchmarks: `concurrency`
//! workers each send one request, wait for the answer, and send the next,
//! for a fixed duration after a warm-up; latencies go to a histogram.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

/// Throughput and latency of one scenario.
#[derive(Debug, Clone)]
pub struct Figures {
    pub name: String,
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    pub p50: Duration,
    pub p99: Duration,
}

impl Figures {
    pub fn throughput(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    pub fn p50_ms(&self) -> f64 {
        self.p50.as_secs_f64() * 1000.0
    }

    pub fn p99_ms(&self) -> f64 {
        self.p99.as_secs_f64() * 1000.0
    }
}

/// Runs `call(n)` (n = a global sequence number, to vary the requests) from
/// `concurrency` workers: `warm_up` unmeasured, then `duration` measured.
/// `call` answers whether the request succeeded; failures are counted and
/// kept out of the latencies.
pub async fn run<F, Fut>(
    name: &str,
    concurrency: usize,
    warm_up: Duration,
    duration: Duration,
    call: F,
) -> Figures
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send + 'static,
{
    let call = Arc::new(call);
    let sequence = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let measure_from = started + warm_up;
    let end = measure_from + duration;
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let call = Arc::clone(&call);
        let sequence = Arc::clone(&sequence);
        workers.push(tokio::spawn(async move {
            let mut histogram = latency_histogram();
            let mut errors = 0;
            loop {
                let sent = Instant::now();
                if sent >= end {
                    break;
                }
                let ok = call(sequence.fetch_add(1, Ordering::Relaxed)).await;
                if sent < measure_from {
                    continue;
                }
                if ok {
                    let micros = sent.elapsed().as_micros().max(1);
                    histogram.saturating_record(u64::try_from(micros).unwrap_or(u64::MAX));
                } else {
                    errors += 1;
                }
            }
            (histogram, errors)
        }));
    }
    let mut histogram = latency_histogram();
    let mut errors = 0;
    for worker in workers {
        let (h, e) = worker.await.expect("load worker");
        histogram.add(h).expect("merge histograms");
        errors += e;
    }
    Figures {
        name: name.to_owned(),
        requests: histogram.len(),
        errors,
        seconds: duration.as_secs_f64(),
        p50: Duration::from_micros(histogram.value_at_quantile(0.5)),
        p99: Duration::from_micros(histogram.value_at_quantile(0.99)),
    }
}

/// Two ways of asking the same thing, measured side by side by one client:
/// each round sends `first(n)` and `second(n)` for the same `n`, in turns
/// (which goes first alternates), so that both see the same machine. Two
/// runs one after the other each see their own ten seconds of it: on a
/// shared machine, or beside an engine that compacts in the background,
/// their p50s drift apart by more than the millisecond or two measured.
/// Throughput is per call type, over the time spent in its own calls.
pub async fn paired<A, FutA, B, FutB>(
    names: (&str, &str),
    warm_up: Duration,
    duration: Duration,
    first: A,
    second: B,
) -> (Figures, Figures)
where
    A: Fn(u64) -> FutA,
    FutA: Future<Output = bool>,
    B: Fn(u64) -> FutB,
    FutB: Future<Output = bool>,
{
    struct Side {
        histogram: Histogram<u64>,
        errors: u64,
        busy: Duration,
    }
    impl Side {
        fn record(&mut self, ok: bool, took: Duration, measured: bool) {
            if !measured {
                return;
            }
            if ok {
                let micros = took.as_micros().max(1);
                self.histogram
                    .saturating_record(u64::try_from(micros).unwrap_or(u64::MAX));
                self.busy += took;
            } else {
                self.errors += 1;
            }
        }
        fn figures(self, name: &str) -> Figures {
            Figures {
                name: name.to_owned(),
                requests: self.histogram.len(),
                errors: self.errors,
                seconds: self.busy.as_secs_f64().max(f64::MIN_POSITIVE),
                p50: Duration::from_micros(self.histogram.value_at_quantile(0.5)),
                p99: Duration::from_micros(self.histogram.value_at_quantile(0.99)),
            }
        }
    }
    let side = || Side {
        histogram: latency_histogram(),
        errors: 0,
        busy: Duration::ZERO,
    };
    let (mut a, mut b) = (side(), side());
    let started = Instant::now();
    let (measure_from, end) = (started + warm_up, started + warm_up + duration);
    for n in 0.. {
        let round = Instant::now();
        if round >= end {
            break;
        }
        let measured = round >= measure_from;
        for a_first in [n % 2 == 0, n % 2 != 0] {
            let sent = Instant::now();
            if a_first {
                let ok = first(n).await;
                a.record(ok, sent.elapsed(), measured);
            } else {
                let ok = second(n).await;
                b.record(ok, sent.elapsed(), measured);
            }
        }
    }
    (a.figures(names.0), b.figures(names.1))
}

/// 1 µs to 60 s, 3 significant digits.
fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds")
}

/// Percentile `p` (0..=1) of sorted samples.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Resident memory of process `pid` in bytes (Linux `/proc`), if readable.
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The summed RSS of `pid`'s child processes; 0 when it has none.
pub fn children_rss_bytes(pid: u32) -> u64 {
    let Ok(processes) = std::fs::read_dir("/proc") else {
        return 0;
    };
    processes
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&process| parent_of(process) == Some(pid))
        .filter_map(rss_bytes)
        .sum()
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command's name, which is in parentheses and may hold spaces:
    // the state, then the parent's id.
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Samples the RSS of `pid` (every 100 ms, or the period given) until
/// dropped; `peak()` is the max seen.
pub struct RssSampler {
    peak: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl RssSampler {
    pub fn start(pid: u32) -> Self {
        Self::every(pid, Duration::from_millis(100))
    }

    /// A shorter period catches the peak of a transfer lasting a fraction
    /// of a second.
    pub fn every(pid: u32, period: Duration) -> Self {
        Self::sample(move || rss_bytes(pid), period)
    }

    /// The summed RSS of `pid`'s child processes (the server's typesetting
    /// process), every `period`.
    pub fn children_every(pid: u32, period: Duration) -> Self {
        Self::sample(move || Some(children_rss_bytes(pid)), period)
    }

    fn sample(probe: impl Fn() -> Option<u64> + Send + 'static, period: Duration) -> Self {
        let peak = Arc::new(AtomicU64::new(probe().unwrap_or(0)));
        let task = tokio::spawn({
            let peak = Arc::clone(&peak);
            async move {
                loop {
                    if let Some(rss) = probe() {
                        peak.fetch_max(rss, Ordering::Relaxed);
                    }
                    tokio::time::sleep(period).await;
                }
            }
        });
        Self { peak, task }
    }

    pub fn peak(&self) -> u64 {
        self.peak.load(Ordering::Relaxed)
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.task.abort();
    }
}
