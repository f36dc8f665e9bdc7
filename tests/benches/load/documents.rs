//! Issue 17: a 20 MiB document uploaded and downloaded through the API
//! (local storage under the server's data directory), against copying the
//! same file on the same disk in the same run, and the server's RSS while
//! the bytes pass (streaming keeps it near idle; buffering adds the file).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reqwest::Client;
use tests::TestApp;
use tests::documents::pdf;
use tests::load::{RssSampler, percentile, rss_bytes};

use super::{Report, mib};

const SIZE: usize = 20 * 1024 * 1024;
/// Each measure is the median of this many transfers, one at a time.
const ROUNDS: usize = 7;
/// A transfer of 20 MiB lasts tens of milliseconds: sample often.
const RSS_PERIOD: Duration = Duration::from_millis(5);

/// What one kind of transfer measured.
struct Transfers {
    times: Vec<Duration>,
    rss_peak: u64,
}

impl Transfers {
    fn median(&self) -> Duration {
        let mut sorted = self.times.clone();
        sorted.sort_unstable();
        percentile(&sorted, 0.5)
    }

    fn mib_per_s(&self) -> f64 {
        mib(SIZE as u64) / self.median().as_secs_f64()
    }
}

pub async fn measure(app: &TestApp, token: &str, report: &mut Report) {
    let pid = app.server_pid().expect("server pid");
    let bytes = pdf(SIZE);
    let dir = app.data_dir.path().to_owned();

    let copy = copy_on_disk(&dir, bytes.clone()).await;
    let copy_rate = mib(SIZE as u64) / percentile(&copy, 0.5).as_secs_f64();
    report.add(
        "files",
        "copy 20 MiB on the same disk (read, write, fsync)",
        copy_rate,
        "MiB/s",
        &format!(
            "median of {ROUNDS}, {:.1} ms each; the server's data directory, which the local store fsyncs too",
            ms(percentile(&copy, 0.5))
        ),
    );

    let client = Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = rss_bytes(pid).unwrap_or(0);
    report.add(
        "files",
        "RSS before the transfers",
        mib(idle),
        "MiB",
        "after start and one second without requests",
    );

    let mut ids = Vec::new();
    let sampler = RssSampler::every(pid, RSS_PERIOD);
    let mut times = Vec::new();
    for _ in 0..ROUNDS {
        let body = bytes.clone();
        let started = Instant::now();
        let response = client
            .post(format!("{}/api/v1/files", app.base_url))
            .bearer_auth(token)
            .header("x-filename", "plan-20MiB.pdf")
            .header("content-type", "application/octet-stream")
            .body(body)
            .send()
            .await
            .expect("upload");
        let status = response.status().as_u16();
        let view: serde_json::Value = response.json().await.expect("upload answer");
        times.push(started.elapsed());
        assert_eq!(status, 201, "upload: {view}");
        ids.push(view["id"].as_str().expect("file id").to_owned());
    }
    let upload = Transfers {
        times,
        rss_peak: sampler.peak(),
    };
    drop(sampler);
    report_transfers(report, "upload", &upload, copy_rate, idle);

    tokio::time::sleep(Duration::from_secs(1)).await;
    let before_downloads = rss_bytes(pid).unwrap_or(0);
    let sampler = RssSampler::every(pid, RSS_PERIOD);
    let mut times = Vec::new();
    for id in &ids {
        let started = Instant::now();
        let mut response = client
            .get(format!("{}/api/v1/files/{id}", app.base_url))
            .bearer_auth(token)
            .send()
            .await
            .expect("download");
        assert_eq!(response.status().as_u16(), 200, "download {id}");
        // Counted as it arrives, not collected: the client's memory is not
        // the server's, but a reader would not hold the file either.
        let mut received = 0;
        while let Some(chunk) = response.chunk().await.expect("download body") {
            received += chunk.len();
        }
        times.push(started.elapsed());
        assert_eq!(received, SIZE, "download {id}: whole file");
    }
    let download = Transfers {
        times,
        rss_peak: sampler.peak(),
    };
    drop(sampler);
    report_transfers(report, "download", &download, copy_rate, before_downloads);
}

fn report_transfers(report: &mut Report, what: &str, t: &Transfers, copy_rate: f64, idle: u64) {
    report.add(
        "files",
        &format!("{what} 20 MiB through the API"),
        t.mib_per_s(),
        "MiB/s",
        &format!(
            "median of {ROUNDS}, {:.1} ms each; {:.0} % of the disk copy's throughput (target >= 50 %)",
            ms(t.median()),
            100.0 * t.mib_per_s() / copy_rate
        ),
    );
    report.add(
        "files",
        &format!("RSS peak during the {what}s"),
        mib(t.rss_peak),
        "MiB",
        &format!(
            "{:+.1} MB over the RSS before them (target within 10 MB); sampled every {} ms",
            (t.rss_peak as f64 - idle as f64) / 1e6,
            RSS_PERIOD.as_millis()
        ),
    );
}

/// `ROUNDS` copies of a 20 MiB file next to the server's stored files, each
/// made durable as the local store makes an upload durable.
async fn copy_on_disk(dir: &Path, bytes: Vec<u8>) -> Vec<Duration> {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || {
        let source = dir.join("bench-copy-source.pdf");
        std::fs::write(&source, &bytes).expect("write the copy's source");
        let mut times = Vec::new();
        for n in 0..ROUNDS {
            let target: PathBuf = dir.join(format!("bench-copy-{n}.pdf"));
            let started = Instant::now();
            std::fs::copy(&source, &target).expect("copy");
            std::fs::File::open(&target)
                .and_then(|f| f.sync_all())
                .expect("fsync the copy");
            times.push(started.elapsed());
            std::fs::remove_file(&target).expect("remove the copy");
        }
        std::fs::remove_file(&source).expect("remove the copy's source");
        times.sort_unstable();
        times
    })
    .await
    .expect("copy task")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
