//! `pmt admin doctor`: checks the configuration and reaches every
//! dependency the way the server would, changing nothing, and prints one
//! line per check with what to fix. Exit status 0 only when all hold.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use persistence::{Database, DatabaseUrl};
use search::CapabilityIndex;

use crate::config::{Environment, Settings, StorageSettings};
use crate::data_dir_lock::DataDirLock;
use crate::email::mailer::Mailer;

/// Longer than any healthy answer, short enough for an operator waiting.
const REACH_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Ok,
    Fail,
}

struct Check {
    name: &'static str,
    verdict: Verdict,
    /// What was found; for a failure, also what to fix.
    detail: String,
}

fn ok(name: &'static str, detail: impl Into<String>) -> Check {
    Check {
        name,
        verdict: Verdict::Ok,
        detail: detail.into(),
    }
}

fn fail(name: &'static str, found: impl std::fmt::Display, fix: &str) -> Check {
    Check {
        name,
        verdict: Verdict::Fail,
        detail: format!("{found}; fix: {fix}"),
    }
}

fn print(check: &Check) {
    let verdict = match check.verdict {
        Verdict::Ok => "ok",
        Verdict::Fail => "FAIL",
    };
    println!("{verdict:<4}  {:<15} {}", check.name, check.detail);
}

/// Runs every check and prints them; fails when any does not hold.
pub async fn doctor() -> anyhow::Result<()> {
    let failed = run().await;
    if failed > 0 {
        anyhow::bail!("{failed} check(s) failed, see the FAIL lines");
    }
    println!("all checks hold");
    Ok(())
}

/// Runs every check, prints them; how many failed.
async fn run() -> usize {
    let mut checks = Vec::new();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            let check = fail(
                "configuration",
                format!("{error:#}"),
                "correct the variable named (see README, Configuration)",
            );
            print(&check);
            return 1;
        }
    };
    let mode = match settings.environment {
        Environment::Production => "production",
        Environment::Development => "development",
    };
    checks.push(ok(
        "configuration",
        format!("PMT_ENV={mode}, every variable valid"),
    ));
    checks.push(jwt_secret(&settings));
    checks.push(data_dir(&settings));
    for check in &checks {
        print(check);
    }
    let db = database(&settings).await;
    for check in &db.checks {
        print(check);
    }
    checks.extend(db.checks);
    for check in index(&settings, db.database.as_ref()).await {
        print(&check);
        checks.push(check);
    }
    let check = storage(&settings).await;
    print(&check);
    checks.push(check);
    let check = email(&settings).await;
    print(&check);
    checks.push(check);
    checks.iter().filter(|c| c.verdict == Verdict::Fail).count()
}

fn jwt_secret(settings: &Settings) -> Check {
    // A weak JWT_SECRET never gets this far: loading the settings refuses it.
    let from_env = std::env::var("JWT_SECRET").is_ok_and(|s| !s.trim().is_empty());
    match (settings.environment, from_env) {
        (_, true) => ok("jwt secret", "JWT_SECRET set, long and random enough"),
        (Environment::Development, false) => ok(
            "jwt secret",
            format!(
                "development secret {} (production requires JWT_SECRET)",
                settings.data_dir.join("jwt-secret").display()
            ),
        ),
        (Environment::Production, false) => fail(
            "jwt secret",
            "JWT_SECRET unset in production",
            "set JWT_SECRET, e.g. `openssl rand -base64 48`",
        ),
    }
}

fn data_dir(settings: &Settings) -> Check {
    let dir = &settings.data_dir;
    if !dir.is_dir() {
        return fail(
            "data directory",
            format!("{} does not exist", dir.display()),
            "create it or set PMT_DATA_DIR (the first start creates it)",
        );
    }
    let probe = dir.join(".doctor-probe");
    if let Err(error) = std::fs::write(&probe, b"").and_then(|()| std::fs::remove_file(&probe)) {
        return fail(
            "data directory",
            format!("{} is not writable ({error})", dir.display()),
            "give the service user write access, or set PMT_DATA_DIR",
        );
    }
    // Informative only: a backup runs beside the server, a restore not.
    let in_use = match DataDirLock::exclusive(dir) {
        Ok(_) => "no pmt process running on it",
        Err(_) => "in use by a running pmt server or command",
    };
    ok(
        "data directory",
        format!("{} writable, {in_use}", dir.display()),
    )
}

struct DatabaseChecks {
    checks: Vec<Check>,
    database: Option<Database>,
}

async fn database(settings: &Settings) -> DatabaseChecks {
    let url = settings.database_url.clone();
    let described = match &url {
        DatabaseUrl::Sqlite(path) => format!("SQLite {}", path.display()),
        // `Debug` hides the password.
        DatabaseUrl::Postgres(_) => format!("PostgreSQL {url:?}"),
    };
    if let DatabaseUrl::Sqlite(path) = &url
        && !path.is_file()
    {
        return DatabaseChecks {
            checks: vec![fail(
                "database",
                format!("{described}: no such file"),
                "check DATABASE_URL / PMT_DATA_DIR, or run `pmt migrate` to create it",
            )],
            database: None,
        };
    }
    let opened = tokio::task::spawn_blocking(move || {
        let db = Database::connect(&url, 1)?;
        db.ping()?;
        let pending = db.pending_migrations()?;
        Ok::<_, persistence::PersistenceError>((db, pending))
    })
    .await;
    match opened {
        Ok(Ok((db, pending))) => {
            let migrations = if pending.is_empty() {
                ok("migrations", "all applied")
            } else {
                fail(
                    "migrations",
                    format!("{} pending ({})", pending.len(), pending.join(", ")),
                    "run `pmt migrate` (or start the new server, which applies them)",
                )
            };
            DatabaseChecks {
                checks: vec![ok("database", format!("{described} answers")), migrations],
                database: Some(db),
            }
        }
        Ok(Err(error)) => DatabaseChecks {
            checks: vec![fail(
                "database",
                format!("{described}: {error}"),
                "check DATABASE_URL and that the database server is up",
            )],
            database: None,
        },
        Err(error) => DatabaseChecks {
            checks: vec![fail("database", error, "report this")],
            database: None,
        },
    }
}

/// Runs `work` for at most [`REACH_TIMEOUT`].
async fn bounded<T, E: std::fmt::Display>(
    work: impl Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(REACH_TIMEOUT, work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err(format!("no answer within {} s", REACH_TIMEOUT.as_secs())),
    }
}

async fn index(settings: &Settings, db: Option<&Database>) -> Vec<Check> {
    let mut checks = Vec::new();
    let (index, fix): (Arc<dyn CapabilityIndex>, &str) = match &settings.meili {
        Some(meili) => {
            let index = search::meili::MeiliIndex::new(
                &meili.url,
                meili.master_key.as_ref().map(|k| k.expose().to_owned()),
                &meili.index_prefix,
            );
            match index {
                Ok(index) => (
                    Arc::new(index),
                    "check MEILI_URL and MEILI_MASTER_KEY, and that Meilisearch is up",
                ),
                Err(error) => {
                    checks.push(fail("index", error, "check MEILI_URL"));
                    return checks;
                }
            }
        }
        None => {
            let dir = settings.index_dir();
            if !dir.is_dir() {
                checks.push(ok(
                    "index",
                    format!(
                        "embedded, {} not created yet: the first start builds it",
                        dir.display()
                    ),
                ));
                return checks;
            }
            let opened =
                tokio::task::spawn_blocking(move || search::embedded::TantivyIndex::open(&dir))
                    .await;
            match opened {
                Ok(Ok(index)) => (
                    Arc::new(index),
                    "remove the index directory; the next start rebuilds it",
                ),
                Ok(Err(error)) => {
                    checks.push(fail(
                        "index",
                        format!("embedded, {}: {error}", settings.index_dir().display()),
                        "remove the index directory; the next start rebuilds it",
                    ));
                    return checks;
                }
                Err(error) => {
                    checks.push(fail("index", error, "report this"));
                    return checks;
                }
            }
        }
    };
    let engine = match &settings.meili {
        Some(meili) => format!("meilisearch at {}", meili.url),
        None => format!("embedded, {}", settings.index_dir().display()),
    };
    if let Err(error) = bounded(index.health()).await {
        checks.push(fail("index", format!("{engine}: {error}"), fix));
        return checks;
    }
    // Asked with the key, unlike the health check.
    match bounded(index.settings_in_place()).await {
        Err(error) => {
            checks.push(fail("index", format!("{engine}: {error}"), fix));
            return checks;
        }
        Ok(applied) => {
            checks.push(ok("index", format!("{engine} answers")));
            checks.push(if applied {
                ok("index settings", "applied")
            } else {
                fail(
                    "index settings",
                    "not applied yet",
                    "start the server (it applies them at start), then `pmt admin reindex` if the index is empty",
                )
            });
        }
    }
    let Some(db) = db.cloned() else {
        return checks;
    };
    let lag = tokio::task::spawn_blocking(move || {
        db.read(|conn| {
            Ok::<_, persistence::PersistenceError>((
                persistence::index_events::lag(conn)?,
                persistence::index_events::oldest_failure(conn)?,
            ))
        })
    })
    .await;
    checks.push(match lag {
        Ok(Ok((lag, None))) => ok(
            "index lag",
            format!("{lag} changes waiting for the server's index worker"),
        ),
        Ok(Ok((lag, Some((attempts, error))))) => fail(
            "index lag",
            format!("{lag} changes waiting, the oldest refused {attempts} times: {error}"),
            "bring the index back (see the index line); the server retries by itself",
        ),
        Ok(Err(error)) => fail("index lag", error, "check the database line"),
        Err(error) => fail("index lag", error, "report this"),
    });
    checks
}

/// Where documents' bytes go: reachable (an object looked up) and writable
/// (an upload started, written to and aborted, so nothing is left).
async fn storage(settings: &Settings) -> Check {
    const NAME: &str = "storage";
    let (store, described, fix): (Arc<dyn storage::FileStore>, String, &str) =
        match &settings.storage {
            StorageSettings::Local(root) => {
                let described = format!("local {}", root.display());
                let fix = "give the service user write access to it, or set STORAGE_URL";
                if !root.exists() {
                    // The data directory line says whether the first start
                    // may create it.
                    return ok(
                        NAME,
                        format!("{described} not created yet: the first start creates it"),
                    );
                }
                match storage::local::LocalDirectory::open(root) {
                    Ok(store) => (Arc::new(store), described, fix),
                    Err(error) => return fail(NAME, format!("{described}: {error}"), fix),
                }
            }
            StorageSettings::S3(location) => {
                let described = format!("s3://{}/{}", location.bucket, location.prefix);
                let fix = "check STORAGE_URL, AWS_ENDPOINT_URL, AWS_REGION and the credentials, \
                           and that the bucket exists and the server is up";
                match storage::s3::S3Store::from_env(location) {
                    Ok(store) => (Arc::new(store), described, fix),
                    Err(error) => return fail(NAME, format!("{described}: {error}"), fix),
                }
            }
        };
    let probe = storage::StorageKey::generate();
    let reached = bounded(async {
        store.size(probe).await?;
        let mut upload = store.create(probe).await?;
        upload
            .write(actix_web::web::Bytes::from_static(b"pmt admin doctor"))
            .await?;
        upload.abort().await
    })
    .await;
    match reached {
        Ok(()) => ok(
            NAME,
            format!("{described} reachable and writable, nothing kept"),
        ),
        Err(error) => fail(NAME, format!("{described}: {error}"), fix),
    }
}

async fn email(settings: &Settings) -> Check {
    let Some(url) = &settings.smtp_url else {
        return match Mailer::files(settings.outbox_dir()) {
            Ok(mailer) => match mailer.check().await {
                Ok(()) => ok(
                    "email",
                    format!("{} (SMTP_URL unset: nothing is sent)", mailer.describe()),
                ),
                Err(error) => fail(
                    "email",
                    format!("{}: {error}", settings.outbox_dir().display()),
                    "make the outbox directory writable, or set SMTP_URL",
                ),
            },
            Err(error) => fail(
                "email",
                format!("{}: {error}", settings.outbox_dir().display()),
                "make the outbox directory writable, or set SMTP_URL",
            ),
        };
    };
    let mailer = match Mailer::smtp(url.expose(), settings.smtp_timeout) {
        Ok(mailer) => mailer,
        Err(error) => return fail("email", error, "correct SMTP_URL (see README, Email)"),
    };
    let server = smtp_server(url.expose());
    match bounded(mailer.check()).await {
        Ok(()) => ok(
            "email",
            format!("SMTP {server}: connected, EHLO, TLS and AUTH as configured, nothing sent"),
        ),
        Err(error) => fail(
            "email",
            format!("SMTP {server}: {error}"),
            "check SMTP_URL (host, port, tls=, credentials) and that the mail server is up",
        ),
    }
}

/// The host and port of an SMTP URL, without its credentials.
fn smtp_server(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    rest.split(['/', '?']).next().unwrap_or(rest).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_smtp_url_is_shown_without_its_credentials() {
        assert_eq!(
            smtp_server("smtp://mailer:p%40ss@mail.example:587?tls=required"),
            "mail.example:587"
        );
        assert_eq!(smtp_server("smtps://mail.example"), "mail.example");
        assert_eq!(smtp_server("smtp://127.0.0.1:2525"), "127.0.0.1:2525");
    }
}
