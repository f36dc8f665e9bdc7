//! Connections to SQLite or PostgreSQL through one diesel code path.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::{PersistenceError, Result};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Every query of the application runs on this connection type; the backend
/// is picked at run time from the URL scheme.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A parsed `DATABASE_URL`: `postgres://` / `postgresql://` for PostgreSQL,
/// `sqlite://PATH` or a plain file path for SQLite.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_owned()));
        }
        let path = raw.strip_prefix("sqlite://").unwrap_or(raw);
        if path.is_empty() || path.contains("://") {
            return Err(format!(
                "expected postgres://..., postgresql://... or sqlite://PATH, got {raw:?}"
            ));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }
}

impl std::fmt::Debug for DatabaseUrl {
    /// Never prints a PostgreSQL password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            Self::Postgres(url) => {
                let redacted = match (url.find("://"), url.rfind('@')) {
                    (Some(scheme), Some(at)) if at > scheme => {
                        format!("{}://***@{}", &url[..scheme], &url[at + 1..])
                    }
                    _ => url.clone(),
                };
                f.write_str(&redacted)
            }
        }
    }
}

pub struct Manager {
    url: DatabaseUrl,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Postgres(url) => PgConnection::establish(url)
                .map(DbConnection::Postgresql)
                .map_err(r2d2::Error::ConnectionError),
            DatabaseUrl::Sqlite(path) => {
                let path = path.to_str().ok_or_else(|| {
                    r2d2::Error::ConnectionError(ConnectionError::BadConnection(
                        "non UTF-8 path".into(),
                    ))
                })?;
                let mut conn =
                    SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                // WAL lets readers proceed during a write; the busy timeout
                // waits for the writer instead of failing at once.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    /// A connection left inside a transaction (its commit or rollback
    /// failed, typically because the server went away) is dropped rather
    /// than handed to the next caller; a merely idle dead connection is
    /// caught by the check-out test (`is_valid`).
    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Commit,
    Rollback,
}

/// The connection pool plus what it takes to write safely on each backend.
#[derive(Clone)]
pub struct Database {
    pool: r2d2::Pool<Manager>,
    backend: Backend,
    /// SQLite allows one writer at a time: in-process writers queue here
    /// rather than in SQLite's busy handler, which polls with sleeps.
    /// PostgreSQL needs no such lock.
    sqlite_writer: Arc<Mutex<()>>,
}

impl Database {
    /// Opens the pool. A SQLite file is created when missing, with its
    /// directory, as the default `./data/pmt.db` on a first start needs: a
    /// typo in a path starts an empty database there, which the start-up log
    /// line naming the database shows.
    pub fn connect(url: &DatabaseUrl, max_connections: u32) -> Result<Self> {
        if let DatabaseUrl::Sqlite(path) = url
            && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                PersistenceError::Unavailable(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let pool = r2d2::Pool::builder()
            .max_size(max_connections)
            .connection_timeout(Duration::from_secs(5))
            .build(Manager { url: url.clone() })
            .map_err(|e| PersistenceError::Unavailable(e.to_string()))?;
        Ok(Self {
            pool,
            backend: url.backend(),
            sqlite_writer: Arc::new(Mutex::new(())),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs every pending embedded migration of this backend.
    pub fn migrate(&self) -> Result<Vec<String>> {
        let mut conn = self.pool.get()?;
        let migrations = match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS,
            Backend::Postgres => POSTGRES_MIGRATIONS,
        };
        let applied = conn
            .run_pending_migrations(migrations)
            .map_err(|e| PersistenceError::Migration(e.to_string()))?;
        Ok(applied.iter().map(ToString::to_string).collect())
    }

    /// Runs `f` on a pooled connection, without a transaction (reads).
    /// Blocking: call it off the async executor.
    pub fn read<T, E>(&self, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<PersistenceError>,
    {
        let mut conn = self.pool.get().map_err(PersistenceError::from)?;
        f(&mut conn)
    }

    /// Runs `f` inside one transaction: committed if it returns `Ok`, rolled
    /// back otherwise. Blocking: call it off the async executor.
    pub fn transaction<T, E>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<PersistenceError>,
    {
        self.run_transaction(f, Ending::Commit)
    }

    /// Runs `f` inside one transaction that is always rolled back: what a
    /// write would do, with the same queries and constraints, leaving nothing
    /// behind (an import's dry run). Blocking: call it off the async executor.
    pub fn rolled_back<T, E>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<PersistenceError>,
    {
        self.run_transaction(f, Ending::Rollback)
    }

    fn run_transaction<T, E>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
        ending: Ending,
    ) -> Result<T, E>
    where
        E: From<PersistenceError>,
    {
        let _writer = match self.backend {
            // A poisoned lock only means another writer panicked; the
            // database itself rolled that transaction back.
            Backend::Sqlite => Some(self.sqlite_writer.lock().unwrap_or_else(|p| p.into_inner())),
            Backend::Postgres => None,
        };
        let mut pooled = self.pool.get().map_err(PersistenceError::from)?;
        let conn: &mut DbConnection = &mut pooled;
        type Manager = <DbConnection as Connection>::TransactionManager;
        match conn {
            // BEGIN IMMEDIATE takes SQLite's write lock up front, so a writer
            // in another process (an admin command next to the server) waits
            // for it through the busy timeout instead of failing on the lock
            // upgrade of a deferred transaction.
            DbConnection::Sqlite(sqlite) => {
                AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")
            }
            DbConnection::Postgresql(_) => Manager::begin_transaction(conn),
        }
        .map_err(PersistenceError::from)?;
        match f(conn) {
            Ok(value) if ending == Ending::Commit => {
                Manager::commit_transaction(conn).map_err(PersistenceError::from)?;
                Ok(value)
            }
            Ok(value) => {
                Manager::rollback_transaction(conn).map_err(PersistenceError::from)?;
                Ok(value)
            }
            // As diesel's own `transaction`: the caller's error wins unless
            // the rollback itself failed.
            Err(error) => match Manager::rollback_transaction(conn) {
                Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
                Err(rollback) => Err(PersistenceError::from(rollback).into()),
            },
        }
    }

    /// The embedded migrations of this backend not applied yet, without
    /// applying them (`pmt admin doctor`).
    pub fn pending_migrations(&self) -> Result<Vec<String>> {
        let mut conn = self.pool.get()?;
        let migrations = match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS,
            Backend::Postgres => POSTGRES_MIGRATIONS,
        };
        let pending = conn
            .pending_migrations(migrations)
            .map_err(|e| PersistenceError::Migration(e.to_string()))?;
        Ok(pending.iter().map(|m| m.name().to_string()).collect())
    }

    /// `SELECT 1` for readiness probes.
    pub fn ping(&self) -> Result<()> {
        self.read(|conn| {
            conn.batch_execute("SELECT 1")
                .map_err(PersistenceError::from)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backend_follows_the_url_scheme() {
        assert_eq!(
            DatabaseUrl::parse("postgres://u:p@h/db").map(|u| u.backend()),
            Ok(Backend::Postgres)
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://h/db").map(|u| u.backend()),
            Ok(Backend::Postgres)
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/pmt.db").map(|u| u.backend()),
            Ok(Backend::Sqlite)
        );
        assert_eq!(
            DatabaseUrl::parse("./data/pmt.db").map(|u| u.backend()),
            Ok(Backend::Sqlite)
        );
        assert!(DatabaseUrl::parse("mysql://h/db").is_err());
    }

    #[test]
    fn debug_output_hides_the_password() {
        let url = DatabaseUrl::parse("postgres://pmt:s3cret@db.local:5432/pmt").unwrap();
        assert_eq!(format!("{url:?}"), "postgres://***@db.local:5432/pmt");
    }
}
