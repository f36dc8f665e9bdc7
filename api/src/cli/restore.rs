//! `pmt admin restore PATH`: puts a backup of the embedded SQLite database
//! in place of the current one, with no `pmt` process running.
//!
//! The data directory's lock (`data_dir_lock`) must be free: a running
//! server or command holds it shared, so the restore refuses rather than
//! pull the database from under it. The backup is checked first (a sound
//! SQLite file, a migrated PMT database), copied beside the database and
//! renamed over it, so a failure midway leaves the current database as it
//! was; the replaced database is kept as a copy next to it. The embedded
//! index is removed: the next start rebuilds it from the restored database.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use persistence::{Database, DatabaseUrl};

use crate::config::Settings;
use crate::data_dir_lock::DataDirLock;
use crate::telemetry;

pub async fn restore(source: &Path) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    telemetry::init(settings.json_logs);
    let DatabaseUrl::Sqlite(database) = settings.database_url.clone() else {
        bail!(
            "DATABASE_URL is a PostgreSQL database: restore it with pg_restore \
             (see README, Administration)"
        );
    };
    let _lock = DataDirLock::exclusive(&settings.data_dir)?;
    let checked = source.to_owned();
    let summary =
        tokio::task::spawn_blocking(move || persistence::backup::inspect_sqlite_file(&checked))
            .await?
            .with_context(|| format!("{} cannot be restored", source.display()))?;
    if !summary.problems.is_empty() {
        bail!(
            "{} fails SQLite's check, nothing restored: {}",
            source.display(),
            summary.problems.join("; ")
        );
    }

    let incoming = sibling(&database, "restoring");
    std::fs::copy(source, &incoming)
        .with_context(|| format!("copying {} to {}", source.display(), incoming.display()))?;
    std::fs::File::open(&incoming)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("writing {}", incoming.display()))?;

    let kept = if database.is_file() {
        let kept = sibling(
            &database,
            &format!(
                "before-restore-{}",
                chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
            ),
        );
        // Through SQLite, so that what the last server left in the WAL is kept.
        let (url, copy) = (DatabaseUrl::Sqlite(database.clone()), kept.clone());
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let db = Database::connect(&url, 1)?;
            db.read(|conn| persistence::backup::sqlite_copy_into(conn, &copy))?;
            Ok(())
        })
        .await?
        .context("keeping a copy of the current database")?;
        Some(kept)
    } else {
        None
    };
    for suffix in ["-wal", "-shm"] {
        let stale = PathBuf::from(format!("{}{suffix}", database.display()));
        if stale.exists() {
            std::fs::remove_file(&stale)
                .with_context(|| format!("removing {}", stale.display()))?;
        }
    }
    std::fs::rename(&incoming, &database)
        .with_context(|| format!("moving {} to {}", incoming.display(), database.display()))?;

    println!(
        "restored {} to {}: {} organisations, {} users, {} requests",
        source.display(),
        database.display(),
        summary.organisations,
        summary.users,
        summary.requests
    );
    if let Some(kept) = kept {
        println!("the database it replaced is kept as {}", kept.display());
    }
    if settings.meili.is_none() {
        let index = settings.index_dir();
        if index.exists() {
            std::fs::remove_dir_all(&index)
                .with_context(|| format!("removing the embedded index {}", index.display()))?;
        }
        println!(
            "the embedded index was removed; the next `pmt serve` rebuilds it from the database"
        );
    } else {
        println!("start the server, then run `pmt admin reindex` to bring Meilisearch in step");
    }
    Ok(())
}

/// `pmt.db` → `pmt.db.<suffix>`, in the same directory (a rename stays on
/// one file system).
fn sibling(database: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}.{suffix}", database.display()))
}
