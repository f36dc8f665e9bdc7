//! `pmt admin backup PATH`: a consistent copy of the embedded SQLite
//! database, taken while the server runs.
//!
//! `VACUUM INTO` copies the database in one read transaction: the copy
//! holds every transaction committed before it began, whole, and nothing
//! after; WAL lets the server keep writing meanwhile. The embedded index is
//! not copied: it is derived from the database, and `pmt admin restore`
//! removes it so that the next start rebuilds it. PostgreSQL (with
//! Meilisearch) is backed up with its own tools: see README,
//! Administration.

use std::path::Path;

use anyhow::{Context, bail};
use persistence::{Database, DatabaseUrl};

use crate::config::Settings;
use crate::telemetry;

pub async fn backup(target: &Path) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    telemetry::init(settings.json_logs);
    let DatabaseUrl::Sqlite(database) = &settings.database_url else {
        bail!(
            "DATABASE_URL is a PostgreSQL database: back it up with pg_dump \
             (see README, Administration); this command copies the embedded SQLite database"
        );
    };
    if !database.is_file() {
        bail!(
            "no database at {} (DATABASE_URL or PMT_DATA_DIR)",
            database.display()
        );
    }
    if target.exists() {
        bail!(
            "{} exists: a backup never overwrites a file; choose a new name",
            target.display()
        );
    }
    let (url, copy) = (settings.database_url.clone(), target.to_owned());
    let summary = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        // No migration: a backup copies the database as the server left it.
        let db = Database::connect(&url, 1).context("opening the database")?;
        db.read(|conn| persistence::backup::sqlite_copy_into(conn, &copy))
            .with_context(|| format!("copying the database into {}", copy.display()))?;
        persistence::backup::inspect_sqlite_file(&copy).context("reading the copy back")
    })
    .await??;
    if !summary.problems.is_empty() {
        bail!(
            "the copy {} fails SQLite's check: {}",
            target.display(),
            summary.problems.join("; ")
        );
    }
    let size = std::fs::metadata(target).map(|m| m.len()).unwrap_or(0);
    println!(
        "backed up {} to {} ({} KiB, checked): {} organisations, {} users, {} requests",
        database.display(),
        target.display(),
        size.div_ceil(1024),
        summary.organisations,
        summary.users,
        summary.requests,
    );
    match &settings.meili {
        None => println!(
            "the embedded index ({}) is not copied: `pmt admin restore` removes it \
             and the next start rebuilds it from the database",
            settings.index_dir().display()
        ),
        Some(_) => println!(
            "Meilisearch is not copied: after a restore, run `pmt admin reindex` \
             (or restore a Meilisearch snapshot)"
        ),
    }
    Ok(())
}
