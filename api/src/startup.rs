//! Wiring: settings, database, index, workers and the HTTP server.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use domain::account::PlatformRole;
use persistence::Database;
use search::CapabilityIndex;

use crate::auth::jwt::JwtKeys;
use crate::auth::password::PasswordHasher;
use crate::auth::throttle::RateLimit;
use crate::cli::progress::{Interrupted, Progress};
use crate::config::{Environment, Settings, StorageSettings};
use crate::data_dir_lock::DataDirLock;
use crate::email::mailer::Mailer;
use crate::outbound::{OutboundClient, Timeouts};
use crate::state::{AppState, Clock};
use crate::{app, server, telemetry, workers};

/// The capability index, and whether it is new (a new data directory or
/// Meilisearch server, or a new version of the index's shape) and needs
/// filling.
async fn open_index(settings: &Settings) -> anyhow::Result<(Arc<dyn CapabilityIndex>, bool)> {
    let (index, created): (Arc<dyn CapabilityIndex>, bool) = match &settings.meili {
        Some(meili) => {
            let index = search::meili::MeiliIndex::new(
                &meili.url,
                meili.master_key.as_ref().map(|k| k.expose().to_owned()),
                &meili.index_prefix,
            )
            .context("MEILI_URL")?;
            // Unreachable, it cannot be told: `pmt admin reindex` fills it
            // once it answers.
            let missing = match index.exists().await {
                Ok(exists) => !exists,
                Err(error) => {
                    tracing::warn!(%error, index = index.uid(), "cannot tell whether the Meilisearch index exists; if it is new, run `pmt admin reindex` once it answers");
                    false
                }
            };
            (Arc::new(index), missing)
        }
        None => {
            let embedded = search::embedded::TantivyIndex::open(&settings.index_dir())
                .with_context(|| {
                    format!(
                        "opening the embedded index in {}",
                        settings.index_dir().display()
                    )
                })?;
            let created = embedded.created();
            (Arc::new(embedded), created)
        }
    };
    // Development only: lets the fault tests take the index down and bring
    // it back while the server runs.
    match std::env::var_os("PMT_INDEX_FAULT_FILE").filter(|v| !v.is_empty()) {
        Some(_) if settings.environment == Environment::Production => {
            anyhow::bail!("PMT_INDEX_FAULT_FILE is refused when PMT_ENV=production")
        }
        Some(file) => Ok((
            Arc::new(search::fault::FaultSwitch::new(index, file.into())),
            created,
        )),
        None => Ok((index, created)),
    }
}

/// The document store the settings name.
fn open_files(settings: &Settings) -> anyhow::Result<Arc<dyn storage::FileStore>> {
    Ok(match &settings.storage {
        StorageSettings::Local(root) => Arc::new(
            storage::local::LocalDirectory::open(root)
                .with_context(|| format!("PMT_DATA_DIR: cannot create {}", root.display()))?,
        ),
        StorageSettings::S3(location) => {
            Arc::new(storage::s3::S3Store::from_env(location).context("STORAGE_URL")?)
        }
    })
}

/// Loads everything a command needs; runs pending migrations.
pub async fn build_state() -> anyhow::Result<AppState> {
    build_state_with(Settings::from_env()?).await
}

async fn build_state_with(settings: Settings) -> anyhow::Result<AppState> {
    telemetry::init(settings.json_logs);
    let data_dir_lock = Arc::new(DataDirLock::shared(&settings.data_dir)?);
    let url = settings.database_url.clone();
    let pool_size = settings.database_pool_size;
    let db = tokio::task::spawn_blocking(move || -> anyhow::Result<Database> {
        let db = Database::connect(&url, pool_size)
            .with_context(|| format!("DATABASE_URL: cannot open {url:?}"))?;
        // The URL of PostgreSQL may hold a password: only SQLite's path is shown.
        match &url {
            persistence::DatabaseUrl::Sqlite(path) => {
                tracing::info!(path = %path.display(), "database: SQLite");
            }
            persistence::DatabaseUrl::Postgres(_) => tracing::info!("database: PostgreSQL"),
        }
        let applied = db.migrate().context("running migrations")?;
        if !applied.is_empty() {
            tracing::info!(?applied, "migrations applied");
        }
        let seeded = db
            .transaction(|conn| persistence::catalogue::seed(conn, chrono::Utc::now()))
            .context("seeding the capability taxonomy")?;
        if seeded > 0 {
            tracing::info!(seeded, "taxonomy and certification catalogue entries added");
        }
        Ok(db)
    })
    .await??;
    let (index, index_created) = open_index(&settings).await?;
    let clock = Clock::shifted(settings.clock_offset);
    let files = open_files(&settings)?;
    let settings_data_dir = settings.data_dir.clone();
    let state = AppState {
        jwt: JwtKeys::new(
            settings.jwt_secret.expose(),
            &settings.jwt_issuer,
            settings.access_token_ttl_seconds,
        ),
        hasher: PasswordHasher::new(settings.password_hash_cost),
        auth_throttle: Arc::new(RateLimit::per_minute(settings.auth_attempts_per_minute)),
        client_limit: Arc::new(RateLimit::per_minute(settings.client_requests_per_minute)),
        catalogue: Arc::default(),
        standing: Arc::default(),
        settings: Arc::new(settings),
        db,
        index,
        files,
        files_wakeup: Default::default(),
        clock,
        indexer_wakeup: Default::default(),
        index_settings_applied: Default::default(),
        passes: Default::default(),
        booklets: app::booklet::editions(&settings_data_dir),
        capability_map: Arc::default(),
        data_dir_lock,
    };
    // An unreachable index must not stop the API: writes queue up in the
    // index outbox, /readyz reports it, and the settings are applied as soon
    // as it answers.
    if let Err(error) = state.ensure_index_settings().await {
        tracing::warn!(%error, engine = state.index.engine_name(), "capability index settings not applied yet");
    }
    // A new index (first start, or a new version of its shape after an
    // upgrade) is filled from the database before anything reads it.
    if index_created {
        let engine = state.index.engine_name();
        let count = app::indexing::reindex(&state)
            .await
            .map_err(|e| anyhow::anyhow!("filling the new {engine} index: {e}"))?;
        tracing::info!(count, engine, "new index filled from the database");
    }
    Ok(state)
}

pub async fn migrate_only() -> anyhow::Result<()> {
    build_state().await?;
    println!("migrations are up to date");
    Ok(())
}

pub async fn create_user(
    role: &str,
    email: &str,
    name: &str,
    password: &str,
) -> anyhow::Result<()> {
    let state = build_state().await?;
    let role = PlatformRole::parse(role)
        .filter(|r| r.is_back_office())
        .context("--role must be `expert` or `admin`")?;
    let user = app::accounts::create_back_office_user(&state, role, email, name, password)
        .await
        .map_err(anyhow::Error::new)?;
    println!("created {} {} ({})", role.as_str(), user.email, user.id);
    Ok(())
}

pub async fn reindex() -> anyhow::Result<()> {
    let state = build_state().await?;
    let progress = Progress::new("reindex", "profiles");
    let done = app::indexing::reindex_with(&state, &progress).await;
    progress.finish();
    let done = done.map_err(|e| anyhow::anyhow!("reindex: {e}"))?;
    if done.interrupted {
        return Err(Interrupted(format!(
            "reindex interrupted after {} suppliers: the {} index holds only those; \
             run `pmt admin reindex` again to rebuild it whole",
            done.indexed,
            state.index.engine_name()
        ))
        .into());
    }
    println!(
        "reindexed {} published suppliers into the {} index",
        done.indexed,
        state.index.engine_name()
    );
    Ok(())
}

/// Imports suppliers from `path` (or, dry, reports what it would do).
/// Fails (exit 1) only when the file cannot be used at all; rejected rows
/// are listed in the report on stdout. Interrupted, it prints the report
/// of the rows done and where to resume, and exits 130.
pub async fn import_suppliers(
    path: &std::path::Path,
    mode: app::import::ImportMode,
    start_at: Option<u64>,
) -> anyhow::Result<()> {
    let rows = app::import::read(path)?;
    let state = build_state().await?;
    let progress = Progress::new("import-suppliers", "rows");
    let report = app::import::import(&state, rows, mode, start_at, &progress).await;
    progress.finish();
    let report = report.map_err(|e| anyhow::anyhow!("import-suppliers: {e}"))?;
    print!("{}: {report}", path.display());
    if let Some(at) = report.interrupted_at {
        return Err(Interrupted(format!(
            "import-suppliers interrupted before {at}: resume with \
             `pmt admin import-suppliers {} --start-at {}`",
            path.display(),
            at.position()
        ))
        .into());
    }
    Ok(())
}

pub async fn serve(seed_demo: bool) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    // The demo accounts share a published password: like every development
    // switch, refused before anything is opened.
    if seed_demo && settings.environment == Environment::Production {
        anyhow::bail!("--seed-demo is refused when PMT_ENV=production");
    }
    let state = build_state_with(settings).await?;
    if state.settings.environment == Environment::Production
        && state.settings.metrics_token.is_none()
    {
        tracing::warn!(
            "METRICS_TOKEN not set: /metrics is readable by anyone who reaches PMT_BIND"
        );
    }
    let settings = state.settings.clone();
    if seed_demo && let Some(credentials) = app::demo::seed(&state).await.context("demo data")? {
        println!("{credentials}");
    }
    let mailer = Arc::new(match &settings.smtp_url {
        Some(url) => Mailer::smtp(url.expose(), settings.smtp_timeout)?,
        None => Mailer::files(settings.outbox_dir())?,
    });
    actix_web::rt::spawn(workers::email::run(
        state.clone(),
        mailer,
        Duration::from_millis(500),
    ));
    actix_web::rt::spawn(workers::reminders::run(
        state.clone(),
        settings.reminder_interval,
    ));
    actix_web::rt::spawn(workers::index::run(state.clone(), Duration::from_secs(1)));
    let limits = [state.auth_throttle.clone(), state.client_limit.clone()];
    actix_web::rt::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(60)).await;
            limits.iter().for_each(|limit| limit.forget_idle());
        }
    });
    actix_web::rt::spawn(workers::files::run(
        state.clone(),
        settings.files_check_interval,
    ));
    actix_web::rt::spawn(workers::deadlines::run(
        state.clone(),
        settings.deadline_check_interval,
    ));
    let outbound = OutboundClient::new(settings.outbound_policy, Timeouts::default())
        .context("the outbound HTTP client")?;
    actix_web::rt::spawn(workers::webhooks::run(
        state.clone(),
        outbound,
        settings.webhook_poll,
    ));

    let listener = TcpListener::bind(settings.bind)
        .with_context(|| format!("PMT_BIND: cannot listen on {}", settings.bind))?;
    let address = listener.local_addr()?;
    let metrics = server::metrics()?;
    let server = server::start(listener, state, metrics)?;
    // The test harness waits for this exact line to learn the port.
    println!("listening on http://{address}");
    println!("API documentation: http://{address}/docs/");
    tracing::info!(%address, "PMT Business API started");
    server.await?;
    Ok(())
}
