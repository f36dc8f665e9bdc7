//! The operator's command line: an import's dry run, exports that import
//! back unchanged, backups of the embedded database taken while the server
//! writes, the doctor, and an import interrupted with Ctrl-C and resumed.

use std::process::Output;
use std::time::Duration;

use serde_json::json;
use tests::on_both_backends;
use tests::server::siret;
use tests::smtp::SmtpServer;
use tests::{Backend, TestApp};

fn fixture(name: &str) -> String {
    format!("{}/fixtures/import/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `pmt args...` on the app's database; expects success; its stdout.
async fn pmt(app: &TestApp, args: &[&str]) -> String {
    let output = app.cli(args, &[]).await;
    assert!(
        output.status.success(),
        "pmt {args:?} failed: {}\n{}",
        text(&output.stderr),
        text(&output.stdout)
    );
    text(&output.stdout)
}

/// The published directory, as the JSON export writes it.
async fn directory(app: &TestApp) -> String {
    pmt(app, &["admin", "export", "suppliers", "--format", "json"]).await
}

/// A file in the app's data directory holding `contents`.
fn file(app: &TestApp, name: &str, contents: &str) -> String {
    let path = app.data_dir.path().join(name);
    std::fs::write(&path, contents).expect("write");
    path.display().to_string()
}

/// The report without the file name: the same text for a dry and a real
/// run once the dry run's prefix is removed.
fn report_of(stdout: &str) -> String {
    let (_, report) = stdout.split_once(": ").expect("file: report");
    report.replacen("dry run, would be: ", "", 1)
}

async fn a_dry_run_reports_what_the_import_does_and_writes_nothing(app: &TestApp) {
    let csv = fixture("suppliers.csv");
    let empty = directory(app).await;
    let dry = pmt(app, &["admin", "import-suppliers", "--dry-run", &csv]).await;
    assert!(
        dry.contains(": dry run, would be: 8 created, 0 updated, 0 unchanged, 2 rejected\n"),
        "{dry}"
    );
    assert_eq!(
        directory(app).await,
        empty,
        "the dry run published something"
    );
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.body["index_lag"], 0, "index events were written");
    let real = pmt(app, &["admin", "import-suppliers", &csv]).await;
    assert_eq!(report_of(&dry), report_of(&real));

    // Over existing suppliers: one changed row, the others unchanged.
    let original = std::fs::read_to_string(&csv).expect("fixture");
    let changed = original.replace("12 rue Alain Savary", "14 rue Alain Savary");
    let changed = file(app, "changed.csv", &changed);
    let before = directory(app).await;
    let dry = pmt(app, &["admin", "import-suppliers", "--dry-run", &changed]).await;
    assert!(
        dry.contains("would be: 0 created, 1 updated, 7 unchanged, 2 rejected\n"),
        "{dry}"
    );
    assert_eq!(
        directory(app).await,
        before,
        "the dry run changed a supplier"
    );
    let real = pmt(app, &["admin", "import-suppliers", &changed]).await;
    assert_eq!(report_of(&dry), report_of(&real));
    assert_ne!(directory(app).await, before);
}

async fn an_export_imports_back_unchanged_here_and_into_an_empty_database(app: &TestApp) {
    pmt(
        app,
        &["admin", "import-suppliers", &fixture("suppliers.json")],
    )
    .await;
    for format in ["csv", "json"] {
        let exported = pmt(app, &["admin", "export", "suppliers", "--format", format]).await;
        let path = file(app, &format!("export.{format}"), &exported);
        let report = pmt(app, &["admin", "import-suppliers", &path]).await;
        assert!(
            report.ends_with(": 0 created, 0 updated, 8 unchanged, 0 rejected\n"),
            "{format}: {report}"
        );
        let again = pmt(app, &["admin", "export", "suppliers", "--format", format]).await;
        assert_eq!(exported, again, "{format} export changed by its own import");
    }
    let csv = pmt(app, &["admin", "export", "suppliers", "--format", "csv"]).await;
    assert!(csv.starts_with("legal_name,siret,country,registration_number,"));
    assert!(
        csv.contains(",CH,CHE-"),
        "the foreign supplier keeps its registration: {csv}"
    );

    // Another database built from the export alone holds the same directory.
    let json = directory(app).await;
    let other = TestApp::spawn(app.backend).await;
    let path = file(&other, "from-export.json", &json);
    let report = pmt(&other, &["admin", "import-suppliers", &path]).await;
    assert!(
        report.ends_with(": 8 created, 0 updated, 0 unchanged, 0 rejected\n"),
        "{report}"
    );
    assert_eq!(directory(&other).await, json);
}

async fn the_requests_export_dates_every_status_reached(app: &TestApp) {
    let world = app.sourcing_world().await;
    let open = app.open_request(&world).await;
    let draft = app.draft_request(&world).await;
    let today = chrono::Utc::now().date_naive().to_string();
    let csv = pmt(
        app,
        &[
            "admin", "export", "requests", "--from", &today, "--to", &today,
        ],
    )
    .await;
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "id,title,buyer,status,created_at,response_deadline,submitted_at,qualified_at,\
             changes_requested_at,rejected_at,open_at,closed_at,awarded_at,cancelled_at"
        )
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 2, "{csv}");
    let row = |id: &str| rows.iter().find(|r| r[0] == id).expect("exported");
    let (open, draft) = (row(&open), row(&draft));
    assert_eq!(open[3], "open");
    for column in [6, 7, 10] {
        assert!(open[column].starts_with(&today), "{open:?}");
    }
    assert_eq!(open[8], "", "never sent back: {open:?}");
    assert_eq!(draft[3], "draft");
    assert!(draft[6..].iter().all(|c| c.is_empty()), "{draft:?}");

    let yesterday = (chrono::Utc::now().date_naive() - chrono::TimeDelta::days(1)).to_string();
    let none = pmt(
        app,
        &[
            "admin", "export", "requests", "--from", &yesterday, "--to", &yesterday,
        ],
    )
    .await;
    assert_eq!(none.lines().count(), 1, "{none}");
    let backwards = app
        .cli(
            &[
                "admin", "export", "requests", "--from", &today, "--to", &yesterday,
            ],
            &[],
        )
        .await;
    assert!(!backwards.status.success());
    assert!(text(&backwards.stderr).contains("--to"), "{backwards:?}");
}

on_both_backends!(
    a_dry_run_reports_what_the_import_does_and_writes_nothing,
    an_export_imports_back_unchanged_here_and_into_an_empty_database,
    the_requests_export_dates_every_status_reached,
);

/// Registers buyers one after another until told to stop; the addresses
/// whose registration was answered 201, in order.
async fn register_until(
    app: &TestApp,
    stop: &std::sync::atomic::AtomicBool,
    acknowledged: &tokio::sync::Mutex<Vec<String>>,
) {
    let mut n = 0;
    while !stop.load(std::sync::atomic::Ordering::Acquire) {
        n += 1;
        let email = format!("buyer{n}@backup.example");
        let reply = app
            .post(
                "/api/v1/auth/register",
                None,
                tests::server::registration("buyer", &email, &siret(5000 + n)),
            )
            .await;
        reply.assert_status(201);
        acknowledged.lock().await.push(email);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_while_the_server_writes_restores_every_committed_row() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let mut app = TestApp::spawn(Backend::Sqlite).await;
    let stop = AtomicBool::new(false);
    let acknowledged = tokio::sync::Mutex::new(Vec::new());
    let backup = app.data_dir.path().join("backup.db");
    let backup = backup.display().to_string();
    let ((), (committed, output)) =
        tokio::join!(register_until(&app, &stop, &acknowledged), async {
            while acknowledged.lock().await.len() < 10 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            // Everything acknowledged before the copy starts was committed.
            let committed: Vec<String> = acknowledged.lock().await.clone();
            let output = app.cli(&["admin", "backup", &backup], &[]).await;
            // Writes go on after the copy too.
            while acknowledged.lock().await.len() < committed.len() + 5 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            stop.store(true, Ordering::Release);
            (committed, output)
        });
    assert!(output.status.success(), "{output:?}");
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("(") && stdout.contains("checked)"),
        "{stdout}"
    );
    assert!(stdout.contains("rebuilds it from the database"), "{stdout}");
    let written = acknowledged.lock().await.clone();

    let again = app.cli(&["admin", "backup", &backup], &[]).await;
    assert!(!again.status.success(), "a backup overwrote a file");
    assert!(
        text(&again.stderr).contains("never overwrites"),
        "{again:?}"
    );

    let refused = app.cli(&["admin", "restore", &backup], &[]).await;
    assert!(!refused.status.success(), "restored under a running server");
    assert!(
        text(&refused.stderr).contains("stop it, then restore"),
        "{refused:?}"
    );

    app.stop_server().await;
    let restored = pmt(&app, &["admin", "restore", &backup]).await;
    assert!(
        restored.contains("the database it replaced is kept as"),
        "{restored}"
    );
    app.restart_server().await;
    let mut restored_accounts = Vec::new();
    for email in &written {
        let reply = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": email, "password": tests::server::PASSWORD}),
            )
            .await;
        if reply.status == 200 {
            restored_accounts.push(email.clone());
        }
    }
    // Every registration committed before the copy began is in it, and the
    // copy is one moment of the database: the first n registrations, no gap.
    assert!(
        restored_accounts.len() >= committed.len(),
        "{} committed, {} restored",
        committed.len(),
        restored_accounts.len()
    );
    assert_eq!(restored_accounts[..], written[..restored_accounts.len()]);
    assert!(
        restored_accounts.len() < written.len(),
        "the registrations after the backup are not in it"
    );
    // The index was rebuilt from the restored database at start.
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.body["index"], "ok", "{}", ready.body);
}

/// Runs `pmt admin doctor` with `env`; its exit status and report.
async fn doctor(app: &TestApp, env: &[(&str, &str)]) -> (Output, String) {
    let output = app.cli(&["admin", "doctor"], env).await;
    let report = text(&output.stdout);
    (output, report)
}

#[track_caller]
fn line<'a>(report: &'a str, check: &str) -> &'a str {
    report
        .lines()
        .find(|l| l[6..].starts_with(check))
        .unwrap_or_else(|| panic!("no `{check}` line in:\n{report}"))
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Answers like a Meilisearch that is up but refuses the key: `/health`
/// is open, everything else is 403 `invalid_api_key`.
async fn meilisearch_refusing_keys() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let (status, body) = if request.starts_with(b"GET /health ") {
                    ("200 OK", json!({"status": "available"}))
                } else {
                    (
                        "403 Forbidden",
                        json!({
                            "message": "The provided API key is invalid.",
                            "code": "invalid_api_key",
                            "type": "auth",
                            "link": "https://docs.meilisearch.com/errors#invalid_api_key"
                        }),
                    )
                };
                let body = body.to_string();
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_doctor_names_each_unreachable_dependency_and_fails() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut smtp = SmtpServer::start().await;
    let (output, report) = doctor(&app, &[("SMTP_URL", &smtp.url())]).await;
    assert!(output.status.success(), "{report}\n{output:?}");
    for check in [
        "configuration",
        "jwt secret",
        "data directory",
        "database",
        "migrations",
        "index",
        "index settings",
        "index lag",
        "storage",
        "email",
    ] {
        assert!(line(&report, check).starts_with("ok "), "{report}");
    }
    assert!(
        line(&report, "storage").contains("reachable and writable"),
        "{report}"
    );
    assert!(line(&report, "email").contains("nothing sent"), "{report}");
    assert!(report.ends_with("all checks hold\n"), "{report}");
    assert!(smtp.outbox().all().is_empty(), "the doctor sent an email");

    smtp.stop().await;
    let (output, report) = doctor(&app, &[("SMTP_URL", &smtp.url())]).await;
    assert_eq!(output.status.code(), Some(1), "{report}");
    let email = line(&report, "email");
    assert!(
        email.starts_with("FAIL") && email.contains(&format!("127.0.0.1:{}", smtp.port)),
        "{email}"
    );
    assert!(email.contains("fix: check SMTP_URL"), "{email}");
    assert!(line(&report, "database").starts_with("ok "), "{report}");
    assert!(
        text(&output.stderr).contains("1 check(s) failed"),
        "{output:?}"
    );

    let nowhere = format!("http://127.0.0.1:{}", closed_port());
    let (output, report) = doctor(&app, &[("MEILI_URL", &nowhere)]).await;
    assert_eq!(output.status.code(), Some(1), "{report}");
    let index = line(&report, "index");
    assert!(
        index.starts_with("FAIL") && index.contains(&nowhere),
        "{index}"
    );
    assert!(
        index.contains("fix: check MEILI_URL and MEILI_MASTER_KEY"),
        "{index}"
    );

    let refusing = meilisearch_refusing_keys().await;
    let (output, report) = doctor(
        &app,
        &[
            ("MEILI_URL", &refusing),
            ("MEILI_MASTER_KEY", "not-the-key"),
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{report}");
    let index = line(&report, "index");
    assert!(
        index.starts_with("FAIL") && index.contains("invalid_api_key"),
        "{index}"
    );
    assert!(index.contains("MEILI_MASTER_KEY"), "{index}");

    let nowhere = format!("http://127.0.0.1:{}", closed_port());
    let (output, report) = doctor(
        &app,
        &[
            ("STORAGE_URL", "s3://documents/pmt"),
            ("AWS_ENDPOINT_URL", &nowhere),
            ("AWS_ALLOW_HTTP", "true"),
            ("AWS_REGION", "eu-west-3"),
            ("AWS_ACCESS_KEY_ID", "doctor"),
            ("AWS_SECRET_ACCESS_KEY", "doctor-secret"),
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{report}");
    let storage = line(&report, "storage");
    assert!(
        storage.starts_with("FAIL") && storage.contains("s3://documents/pmt"),
        "{storage}"
    );
    assert!(storage.contains("fix: check STORAGE_URL"), "{storage}");

    let (output, report) = doctor(&app, &[("DATABASE_URL", "mysql://db/pmt")]).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        line(&report, "configuration").contains("DATABASE_URL"),
        "{report}"
    );
}

/// A members' file of `rows` valid, distinct suppliers.
fn members_file(app: &TestApp, rows: u32) -> String {
    let original = std::fs::read_to_string(fixture("suppliers.csv")).expect("fixture");
    let mut lines = original.lines();
    let header = lines.next().expect("header");
    let template = lines
        .find(|l| l.starts_with("Précimicro Besançon SAS,84127396500019,"))
        .expect("a valid row");
    let mut csv = format!("{header}\n");
    for n in 1..=rows {
        let row = template
            .replacen("Précimicro Besançon SAS", &format!("Atelier {n}"), 1)
            .replacen("84127396500019", &siret(20_000 + n), 1);
        csv.push_str(&row);
        csv.push('\n');
    }
    file(app, "members.csv", &csv)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_stopped_with_ctrl_c_says_where_to_resume_and_resumes_there() {
    const ROWS: u32 = 3000;
    let app = TestApp::spawn(Backend::Sqlite).await;
    let members = members_file(&app, ROWS);
    let mut command = app.command(&["admin", "import-suppliers", &members], &[]);
    command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = command.spawn().expect("start the import");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let pid = child.id().expect("running").to_string();
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(sent.success());
    let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("stopped promptly")
        .expect("output");
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(130), "{stdout}\n{stderr}");
    let (_, resume) = stderr
        .split_once("--start-at ")
        .unwrap_or_else(|| panic!("no resume hint in {stderr}"));
    let resume: u32 = resume
        .trim_end()
        .trim_end_matches('`')
        .parse()
        .expect("a line number");
    // Line 1 is the header: rows 2..resume were imported.
    assert!(
        (2..ROWS + 1).contains(&resume),
        "resume at {resume}: {stdout}"
    );
    let first = format!(
        ": {} created, 0 updated, 0 unchanged, 0 rejected\n",
        resume - 2
    );
    assert!(stdout.contains(&first), "expected `{first}` in {stdout}");
    assert!(
        stdout.contains(&format!("interrupted before line {resume}")),
        "{stdout}"
    );
    assert!(
        stderr.contains(&format!("/{ROWS} rows")),
        "no progress line: {stderr}"
    );

    let rest = pmt(
        &app,
        &[
            "admin",
            "import-suppliers",
            &members,
            "--start-at",
            &resume.to_string(),
        ],
    )
    .await;
    let second = format!(
        ": {} created, 0 updated, 0 unchanged, 0 rejected\n",
        ROWS + 2 - resume
    );
    assert!(rest.contains(&second), "expected `{second}` in {rest}");
    let whole = pmt(&app, &["admin", "import-suppliers", "--dry-run", &members]).await;
    assert!(
        whole.contains(&format!("would be: 0 created, 0 updated, {ROWS} unchanged")),
        "{whole}"
    );
}
