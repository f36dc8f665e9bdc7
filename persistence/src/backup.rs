//! Online copies of the embedded SQLite database.

use std::path::Path;

use diesel::RunQueryDsl;
use diesel::sql_types::Text;

use crate::db::DbConnection;
use crate::error::{PersistenceError, Result};

/// Writes a consistent copy of the open SQLite database to `target` with
/// `VACUUM INTO`: one read transaction, so the copy holds every transaction
/// committed before it started and none of those after, while the server
/// keeps writing (WAL lets writers go on during the read). `target` must not
/// exist. Run it on a connection outside any transaction.
pub fn sqlite_copy_into(conn: &mut DbConnection, target: &Path) -> Result<()> {
    if !matches!(conn, DbConnection::Sqlite(_)) {
        return Err(PersistenceError::Unavailable(
            "a copy with VACUUM INTO is for SQLite only".to_owned(),
        ));
    }
    let target = target.to_str().ok_or_else(|| {
        PersistenceError::Unavailable(format!("{} is not a UTF-8 path", target.display()))
    })?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(target)
        .execute(conn)?;
    Ok(())
}

/// What a SQLite database file holds, read without changing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteFileSummary {
    /// What `PRAGMA quick_check` found wrong; empty when the file is sound.
    pub problems: Vec<String>,
    /// Migrations applied to it.
    pub migrations: i64,
    pub organisations: i64,
    pub users: i64,
    pub requests: i64,
}

/// Opens `path` read-only (nothing written, not even a journal mode) and
/// says whether it is a sound PMT database and what it holds. Fails when
/// it is not a SQLite file or not a migrated PMT database.
pub fn inspect_sqlite_file(path: &Path) -> Result<SqliteFileSummary> {
    use diesel::{Connection, QueryDsl, SqliteConnection};

    use crate::schema::{organisations, sourcing_requests, users};

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let unusable = |e: &dyn std::fmt::Display| {
        PersistenceError::Unavailable(format!("{}: {e}", path.display()))
    };
    if !path.is_file() {
        return Err(unusable(&"no such file"));
    }
    let display = path.to_str().ok_or_else(|| unusable(&"not a UTF-8 path"))?;
    // A URI filename, so that `?` and `#` in the path stay part of it.
    let escaped = display
        .replace('%', "%25")
        .replace('?', "%3f")
        .replace('#', "%23");
    let mut conn = SqliteConnection::establish(&format!("file:{escaped}?mode=ro"))
        .map_err(|e| unusable(&e))?;
    let problems = {
        #[derive(diesel::QueryableByName)]
        struct Line {
            #[diesel(sql_type = Text)]
            quick_check: String,
        }
        let lines: Vec<Line> = diesel::sql_query("PRAGMA quick_check")
            .load(&mut conn)
            .map_err(|e| unusable(&e))?;
        lines
            .into_iter()
            .map(|l| l.quick_check)
            .filter(|l| l != "ok")
            .collect()
    };
    let migrations = diesel::sql_query("SELECT COUNT(*) AS n FROM __diesel_schema_migrations")
        .get_result::<Count>(&mut conn)
        .map_err(|e| unusable(&format!("not a PMT database ({e})")))?
        .n;
    Ok(SqliteFileSummary {
        problems,
        migrations,
        organisations: organisations::table.count().get_result(&mut conn)?,
        users: users::table.count().get_result(&mut conn)?,
        requests: sourcing_requests::table.count().get_result(&mut conn)?,
    })
}
