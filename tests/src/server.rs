//! One `pmt serve` process per test, with its own database and data
//! directory.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::mail::Outbox;

/// Known to tests so they can forge tokens with the right or wrong claims.
pub const JWT_SECRET: &str = "test-secret-0123456789abcdef-0123456789";
pub const PASSWORD: &str = "titane-usinage-2026";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base_url: String,
    pub client: reqwest::Client,
    pub data_dir: tempfile::TempDir,
    pub database_url: String,
    pub backend: Backend,
    extra_env: Vec<(String, String)>,
    /// Options of `pmt serve` (e.g. `--seed-demo`), kept for restarts.
    serve_args: Vec<String>,
    /// Where the server's emails land when it sends them to a test SMTP
    /// server (see [`TestApp::with_maildir`]); the file outbox otherwise.
    maildir: Option<PathBuf>,
    /// Dropping it stops the server (`kill_on_drop`).
    server: Child,
}

/// A response with its status and JSON body (problem documents included).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    async fn from(mut response: Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let streams = headers
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        let text = if streams {
            // A stream does not end: its answer is what it sent in a second.
            let mut sent = Vec::new();
            let read = async {
                while let Ok(Some(chunk)) = response.chunk().await {
                    sent.extend_from_slice(&chunk);
                }
            };
            let _ = tokio::time::timeout(Duration::from_secs(1), read).await;
            String::from_utf8_lossy(&sent).into_owned()
        } else {
            response.text().await.expect("read body")
        };
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        let is_problem = headers
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
        if is_problem {
            crate::spec_codes::assert_published(status.as_u16(), &body);
        }
        Self {
            status,
            headers,
            body,
        }
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The `ETag` header, which an edit sends back in `If-Match`.
    #[track_caller]
    pub fn etag(&self) -> String {
        self.headers
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .expect("an ETag header")
            .to_owned()
    }

    /// Asserts a problem+json error with this status and code.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status, body: {}",
            self.body
        );
        assert_eq!(
            self.content_type(),
            "application/problem+json",
            "body: {}",
            self.body
        );
        assert_eq!(self.body["code"], code, "body: {}", self.body);
        assert_eq!(self.body["status"], status);
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status, body: {}",
            self.body
        );
        &self.body
    }
}

pub fn pmt_binary() -> PathBuf {
    if let Ok(path) = std::env::var("PMT_BIN") {
        return PathBuf::from(path);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = target.join("debug/pmt");
    assert!(
        path.exists(),
        "{} not found: build it with `cargo build -p api` (make test does)",
        path.display()
    );
    let stale = changed_since_built(&path);
    assert!(
        stale.is_empty(),
        "{} is older than its sources ({}): build it with `cargo build -p api` \
         (make test does), or these tests would test the previous code",
        path.display(),
        stale.join(", ")
    );
    path
}

/// The source files of `binary` modified after it was built, from the
/// dep-info file cargo writes beside it (`pmt.d`: every file the build read).
fn changed_since_built(binary: &Path) -> Vec<String> {
    let modified = |path: &Path| {
        std::fs::metadata(path)
            .and_then(|meta| meta.modified())
            .ok()
    };
    let (Some(built), Ok(dep_info)) = (
        modified(binary),
        std::fs::read_to_string(binary.with_extension("d")),
    ) else {
        return Vec::new();
    };
    let Some((_, sources)) = dep_info.split_once(": ") else {
        return Vec::new();
    };
    sources
        .split_whitespace()
        .filter(|source| modified(Path::new(source)).is_some_and(|changed| changed > built))
        .map(str::to_owned)
        .collect()
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, &[]).await
    }

    /// Starts a server with extra environment variables (e.g. `SMTP_URL`).
    pub async fn spawn_with(backend: Backend, env: &[(&str, &str)]) -> Self {
        Self::spawn_serving(backend, env, &[]).await
    }

    /// Starts `pmt serve` with options (e.g. `--seed-demo`); restarts keep them.
    pub async fn spawn_serving(
        backend: Backend,
        env: &[(&str, &str)],
        serve_args: &[&str],
    ) -> Self {
        let data_dir = tempfile::Builder::new()
            .prefix("pmt-test-")
            .tempdir()
            .expect("temp dir");
        let database_url = match backend {
            Backend::Sqlite => format!("sqlite://{}", data_dir.path().join("pmt.db").display()),
            Backend::Postgres => tokio::task::spawn_blocking(crate::postgres::fresh_database)
                .await
                .expect("create database"),
        };
        Self::spawn_in(backend, data_dir, database_url, env, serve_args).await
    }

    /// Starts a server on a given PostgreSQL database (e.g. on a dedicated
    /// cluster a test stops and starts).
    pub async fn spawn_on_postgres(database_url: String, env: &[(&str, &str)]) -> Self {
        let data_dir = tempfile::Builder::new()
            .prefix("pmt-test-")
            .tempdir()
            .expect("temp dir");
        Self::spawn_in(Backend::Postgres, data_dir, database_url, env, &[]).await
    }

    async fn spawn_in(
        backend: Backend,
        data_dir: tempfile::TempDir,
        database_url: String,
        env: &[(&str, &str)],
        serve_args: &[&str],
    ) -> Self {
        let serve_args: Vec<String> = serve_args.iter().map(|a| (*a).to_owned()).collect();
        let mut extra_env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        // With TEST_MEILI_URL the servers use that Meilisearch, each test on
        // its own indexes; otherwise the embedded index in the data dir.
        if let Ok(url) = std::env::var("TEST_MEILI_URL") {
            extra_env.push(("MEILI_URL".into(), url));
            extra_env.push((
                "MEILI_INDEX_PREFIX".into(),
                format!("test_{}_", uuid::Uuid::new_v4().simple()),
            ));
            if let Ok(key) = std::env::var("TEST_MEILI_MASTER_KEY") {
                extra_env.push(("MEILI_MASTER_KEY".into(), key));
            }
        }
        let child = start(&database_url, data_dir.path(), &extra_env, &serve_args).await;
        let (child, base_url) = child;
        Self {
            base_url,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            data_dir,
            database_url,
            backend,
            extra_env,
            serve_args,
            maildir: None,
            server: child,
        }
    }

    /// Tells the harness that this server's emails land in `maildir` (a
    /// test SMTP server's), so `outbox()` and the email verification of
    /// `register` read them there.
    pub fn with_maildir(mut self, maildir: PathBuf) -> Self {
        self.maildir = Some(maildir);
        self
    }

    /// Another server process on the same database and data directory, as
    /// a second instance behind a load balancer would be.
    pub async fn spawn_sibling(&self, env: &[(&str, &str)]) -> (Child, String) {
        let mut extra = self.extra_env.clone();
        extra.extend(env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        start(
            &self.database_url,
            self.data_dir.path(),
            &extra,
            &self.serve_args,
        )
        .await
    }

    /// Waits until the email worker of the server at `base_url` (this test's
    /// server or a sibling) has polled the outbox and found nothing due, in
    /// a poll begun after this call: every email due now has been delivered
    /// or has failed. What has not been sent by then is not about to be.
    pub async fn emails_settled(&self, base_url: &str) {
        self.passes_after(base_url, "outbox_idle", "an idle pass of the email worker")
            .await;
    }

    /// Waits until the webhook worker of the server at `base_url` has
    /// polled its outbox and found nothing due, in a poll begun after this
    /// call: every delivery due now was attempted.
    pub async fn webhooks_settled(&self, base_url: &str) {
        self.passes_after(
            base_url,
            "webhooks_idle",
            "an idle pass of the webhook worker",
        )
        .await;
    }

    /// Waits for a run of the reminder jobs begun after this call (every
    /// reminder due now is queued), then for the emails to settle.
    pub async fn reminders_settled(&self, base_url: &str) {
        self.passes_after(base_url, "reminders", "a pass of the reminder jobs")
            .await;
        self.emails_settled(base_url).await;
    }

    /// Waits until `worker` (a pass count of `/readyz`) has made a whole
    /// pass begun after this call: two more than now, since the one under
    /// way may have started before.
    async fn passes_after(&self, base_url: &str, worker: &str, what: &str) {
        let start = self.worker_passes(base_url, worker).await;
        crate::eventually(30, what, async || {
            (self.worker_passes(base_url, worker).await >= start + 2).then_some(())
        })
        .await;
    }

    /// A worker's pass count from `/readyz`.
    async fn worker_passes(&self, base_url: &str, worker: &str) -> u64 {
        let readiness: Value = self
            .client
            .get(format!("{base_url}/readyz"))
            .send()
            .await
            .expect("readyz")
            .json()
            .await
            .expect("readiness json");
        readiness["workers"][worker]
            .as_u64()
            .unwrap_or_else(|| panic!("readyz reports no {worker} passes: {readiness}"))
    }

    /// Stops this test's server (its database and data directory stay), e.g.
    /// to run an admin command that needs the embedded index to itself.
    pub async fn stop_server(&mut self) {
        let _ = self.server.kill().await;
    }

    /// Kills this test's server with SIGKILL, whatever it is doing, and
    /// starts a new process on the same database and data directory with
    /// the same environment; requests then go to the new one.
    pub async fn crash_and_restart(&mut self) {
        self.restart_server().await;
    }

    /// Whether the server process is still running (it did not crash).
    pub fn server_is_running(&mut self) -> bool {
        matches!(self.server.try_wait(), Ok(None))
    }

    /// The server process id, e.g. to read its memory use.
    pub fn server_pid(&self) -> Option<u32> {
        self.server.id()
    }

    /// Kills the server and starts it again on the same database and data
    /// directory; returns how long the new process took to listen.
    pub async fn restart_server(&mut self) -> Duration {
        let _ = self.server.kill().await;
        let started = std::time::Instant::now();
        let (child, base_url) = start(
            &self.database_url,
            self.data_dir.path(),
            &self.extra_env,
            &self.serve_args,
        )
        .await;
        let elapsed = started.elapsed();
        self.server = child;
        self.base_url = base_url;
        elapsed
    }

    /// Restarts the server on the same database with its clock `seconds`
    /// ahead of real time, so the steps taken next are that much later (an
    /// accelerated clock for durations). Access tokens issued before may
    /// have expired by the new clock: log in again.
    pub async fn restart_with_clock_offset(&mut self, seconds: i64) {
        const NAME: &str = "PMT_CLOCK_OFFSET_SECONDS";
        self.extra_env.retain(|(name, _)| name != NAME);
        self.extra_env.push((NAME.to_owned(), seconds.to_string()));
        self.restart_server().await;
    }

    /// Runs a `pmt` subcommand against this server's database.
    pub async fn cli(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        self.command(args, env).output().await.expect("run pmt")
    }

    /// A `pmt` command on this server's database and data directory, killed
    /// when dropped (e.g. by a test's timeout).
    pub fn command(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut command = Command::new(pmt_binary());
        command
            .args(args)
            .envs(base_env(&self.database_url, self.data_dir.path()))
            .envs(env.iter().copied())
            .kill_on_drop(true);
        command
    }

    pub fn outbox(&self) -> Outbox {
        match &self.maildir {
            Some(maildir) => Outbox::Maildir(maildir.clone()),
            None => Outbox::Files(self.data_dir.path().join("outbox")),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn send(&self, builder: RequestBuilder) -> Reply {
        Reply::from(builder.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(self.request(Method::GET, path, token)).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(self.request(Method::POST, path, token).json(&body))
            .await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(self.request(Method::PUT, path, token).json(&body))
            .await
    }

    /// POST with `If-Match: "<version>"`: an expert's verdict on the version
    /// it reviewed.
    pub async fn post_if_match(
        &self,
        path: &str,
        token: Option<&str>,
        version: impl std::fmt::Display,
        body: Value,
    ) -> Reply {
        let version = version.to_string();
        let version = version.trim_matches('"');
        self.send(
            self.request(Method::POST, path, token)
                .header("if-match", format!("\"{version}\""))
                .json(&body),
        )
        .await
    }

    /// The version (`ETag`) of a supplier's profile, as `token` reads it.
    pub async fn profile_version(&self, org: &str, token: &str) -> String {
        self.get(&format!("/api/v1/organisations/{org}/profile"), Some(token))
            .await
            .etag()
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(self.request(Method::PATCH, path, token).json(&body))
            .await
    }

    /// Registers an organisation of `kind` with its owner and verifies the
    /// owner's address through the emailed link; returns the reply body.
    /// A server that sends to an SMTP server whose maildir the harness was
    /// not given (see [`TestApp::with_maildir`]) leaves the owner
    /// unverified: such tests read their mail themselves.
    pub async fn register(&self, kind: &str, email: &str, siret: &str) -> Value {
        let registered = self.register_unverified(kind, email, siret).await;
        let unreadable =
            self.maildir.is_none() && self.extra_env.iter().any(|(k, _)| k == "SMTP_URL");
        if !unreadable {
            self.verify_email(email).await;
        }
        registered
    }

    /// Registers without verifying the address: the account may prepare,
    /// not submit, quote or invite.
    pub async fn register_unverified(&self, kind: &str, email: &str, siret: &str) -> Value {
        let reply = self
            .post(
                "/api/v1/auth/register",
                None,
                registration(kind, email, siret),
            )
            .await;
        reply.assert_status(201).clone()
    }

    /// Verifies `email` as its owner would: follows the link of the latest
    /// verification email sent to it.
    pub async fn verify_email(&self, email: &str) {
        let token = self
            .outbox()
            .wait_for_link(email, "/verify-email")
            .await
            .token_for("/verify-email");
        self.post("/api/v1/auth/verify-email", None, json!({ "token": token }))
            .await
            .assert_status(204);
    }

    pub async fn login(&self, email: &str, password: &str) -> Value {
        let reply = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({ "email": email, "password": password }),
            )
            .await;
        reply.assert_status(200).clone()
    }

    /// Registers and logs in; returns the access token and the registration.
    pub async fn signed_up(&self, kind: &str, email: &str, siret: &str) -> (String, Value) {
        let registered = self.register(kind, email, siret).await;
        let tokens = self.login(email, PASSWORD).await;
        (
            tokens["access_token"]
                .as_str()
                .expect("access token")
                .to_owned(),
            registered,
        )
    }

    /// Creates an expert or admin with the CLI and logs them in.
    pub async fn back_office(&self, role: &str, email: &str) -> String {
        let output = self
            .cli(
                &[
                    "admin",
                    "create-user",
                    "--role",
                    role,
                    "--email",
                    email,
                    "--name",
                    "Back Office",
                ],
                &[("PMT_NEW_USER_PASSWORD", PASSWORD)],
            )
            .await;
        assert!(
            output.status.success(),
            "create-user failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        self.login(email, PASSWORD).await["access_token"]
            .as_str()
            .expect("token")
            .to_owned()
    }
}

/// A valid registration body; tests override fields as needed.
pub fn registration(kind: &str, email: &str, siret: &str) -> Value {
    json!({
        "organisation": {
            "kind": kind,
            "legal_name": format!("{kind} organisation {email}"),
            "siret": siret,
            "address": { "street": "4 allée de Pologne", "postal_code": "21000", "city": "Dijon" },
            "region": "Bourgogne-Franche-Comté",
            "website": "https://example.fr"
        },
        "user": { "email": email, "password": PASSWORD, "full_name": "Claire Martin", "language": "fr" }
    })
}

/// Valid SIRETs (Luhn), one per organisation a test registers.
pub fn siret(n: u32) -> String {
    let stem = format!("{:013}", 7_328_293_200_000u64 + u64::from(n) * 7);
    (0..10)
        .map(|d| format!("{stem}{d}"))
        .find(|candidate| luhn(candidate))
        .expect("a check digit exists")
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn base_env(database_url: &str, data_dir: &Path) -> Vec<(String, String)> {
    vec![
        ("DATABASE_URL".into(), database_url.into()),
        ("PMT_DATA_DIR".into(), data_dir.display().to_string()),
        ("PMT_BIND".into(), "127.0.0.1:0".into()),
        ("JWT_SECRET".into(), JWT_SECRET.into()),
        ("PASSWORD_HASH_COST".into(), "fast".into()),
        ("DATABASE_POOL_SIZE".into(), "4".into()),
        ("PUBLIC_BASE_URL".into(), "https://pmt.test".into()),
        ("CORS_ALLOWED_ORIGINS".into(), "https://app.pmt.test".into()),
        ("BODY_LIMIT_BYTES".into(), "65536".into()),
        // Tests log in far more often than people; one test checks the limit.
        ("AUTH_RATE_LIMIT_PER_MINUTE".into(), "100000".into()),
        ("RATE_LIMIT_PER_MINUTE".into(), "1000000".into()),
        (
            "RUST_LOG".into(),
            std::env::var("TEST_LOG").unwrap_or_else(|_| "error".into()),
        ),
    ]
}

async fn start(
    database_url: &str,
    data_dir: &Path,
    extra_env: &[(String, String)],
    serve_args: &[String],
) -> (Child, String) {
    let mut command = Command::new(pmt_binary());
    command
        .arg("serve")
        .args(serve_args)
        .env_remove("MEILI_URL")
        .env_remove("SMTP_URL")
        .envs(base_env(database_url, data_dir))
        .envs(extra_env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    let mut child = command.spawn().expect("start pmt serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let address = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.expect("read stdout") {
            if let Some(address) = line.strip_prefix("listening on ") {
                return address.to_owned();
            }
        }
        panic!("pmt serve exited before listening");
    })
    .await
    .expect("pmt serve did not start within 60 s");
    // Keep draining stdout so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, address)
}
