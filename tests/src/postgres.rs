//! Throwaway PostgreSQL 15 clusters. The whole test run shares one, unless
//! `TEST_DATABASE_URL` points at a server; each test gets its own database.
//! A test that stops and restarts PostgreSQL starts a dedicated cluster.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

struct Server {
    /// `postgres://user@host:port`, without a database.
    base_url: String,
}

static SERVER: OnceLock<Server> = OnceLock::new();

/// A URL to a new, empty database.
pub fn fresh_database() -> String {
    let server = SERVER.get_or_init(|| match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Server {
            base_url: strip_database(&url),
        },
        _ => {
            // Lives as long as the test process; the reaper removes it.
            let cluster = Cluster::start();
            let base_url = cluster.base_url.clone();
            std::mem::forget(cluster);
            Server { base_url }
        }
    });
    create_database(&server.base_url)
}

fn create_database(base_url: &str) -> String {
    let name = format!("pmt_test_{}", uuid::Uuid::new_v4().simple());
    let status = Command::new(psql())
        .arg(format!("{base_url}/postgres"))
        .args(["-q", "-c", &format!("CREATE DATABASE {name}")])
        .stdout(Stdio::null())
        .status()
        .expect("run psql");
    assert!(status.success(), "could not create database {name}");
    format!("{base_url}/{name}")
}

fn psql() -> PathBuf {
    let bundled = Path::new(PG_BIN).join("psql");
    if bundled.exists() {
        bundled
    } else {
        PathBuf::from("psql")
    }
}

fn strip_database(url: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    match url[scheme_end..].find('/') {
        Some(slash) => url[..scheme_end + slash].to_owned(),
        None => url.to_owned(),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

/// `initdb` refuses to run as root; run the cluster as `postgres` then.
fn as_cluster_user(program: &str) -> Command {
    let path = Path::new(PG_BIN).join(program);
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(path);
        command
    } else {
        Command::new(path)
    }
}

/// A PostgreSQL cluster of this test process, on its own port and
/// directory. Dropping it stops it and deletes its files; if the process
/// dies first, a reaper does.
pub struct Cluster {
    /// `postgres://postgres@127.0.0.1:PORT`, without a database.
    pub base_url: String,
    dir: PathBuf,
    data: PathBuf,
    port: u16,
}

impl Cluster {
    /// `initdb` and start a new cluster on a free port.
    pub fn start() -> Self {
        assert!(
            Path::new(PG_BIN).join("initdb").exists(),
            "PostgreSQL 15 server binaries not found in {PG_BIN}: install postgresql-15 or set TEST_DATABASE_URL"
        );
        let dir = tempfile::Builder::new()
            .prefix("pmt-pg-")
            .tempdir()
            .expect("temp dir")
            .keep();
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(&dir)
                .status()
                .expect("chown");
            assert!(status.success(), "chown of the cluster directory failed");
        }
        let data = dir.join("data");
        let output = as_cluster_user("initdb")
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ])
            .output()
            .expect("run initdb");
        assert!(
            output.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        spawn_reaper(&dir, &data);
        let cluster = Self {
            base_url: format!("postgres://postgres@127.0.0.1:{port}"),
            dir,
            data,
            port,
        };
        cluster.resume();
        cluster
    }

    /// A URL to a new, empty database on this cluster.
    pub fn fresh_database(&self) -> String {
        create_database(&self.base_url)
    }

    /// `pg_ctl stop -m fast`: open connections are terminated and new ones
    /// refused until `resume`.
    pub fn stop(&self) {
        let output = as_cluster_user("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "fast", "-w", "stop"])
            .output()
            .expect("run pg_ctl");
        assert!(
            output.status.success(),
            "pg_ctl stop failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Starts the (stopped) cluster again, on the same port.
    pub fn resume(&self) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories={} -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off -c max_connections=400",
            self.port,
            self.dir.display()
        );
        let output = as_cluster_user("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-o", &options, "-l"])
            .arg(self.dir.join("server.log"))
            .args(["-w", "start"])
            .output()
            .expect("run pg_ctl");
        assert!(
            output.status.success(),
            "pg_ctl start failed: {}{}",
            String::from_utf8_lossy(&output.stderr),
            std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = as_cluster_user("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Test binaries have no global teardown: a small watcher stops the cluster
/// and deletes its directory once this process has exited.
#[expect(
    clippy::zombie_processes,
    reason = "the reaper must outlive this process"
)]
fn spawn_reaper(dir: &Path, data: &Path) {
    let pid = std::process::id();
    let pg_ctl = Path::new(PG_BIN).join("pg_ctl");
    let stop = if is_root() {
        format!(
            "runuser -u postgres -- {} -D {} -m immediate stop",
            pg_ctl.display(),
            data.display()
        )
    } else {
        format!(
            "{} -D {} -m immediate stop",
            pg_ctl.display(),
            data.display()
        )
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} >/dev/null 2>&1; rm -rf {}",
        dir.display()
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the cluster reaper");
}
