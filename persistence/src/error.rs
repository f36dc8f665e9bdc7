use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Why a persistence call failed. "Not found" is never an error here:
/// lookups return `Option`, so a broken database cannot pass for a missing row.
#[derive(Debug, thiserror::Error)]
pub enum PersistenceError {
    /// No connection could be had in time, or the one in use was lost: the
    /// database is down, restarting or saturated. Retrying later may succeed.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A uniqueness constraint refused the write (a race lost against a
    /// concurrent insert of the same key).
    #[error("unique constraint violated: {0}")]
    UniqueViolation(String),
    /// A stored value no longer parses into its domain type.
    #[error("corrupt row in {table}: {reason}")]
    Corrupt { table: &'static str, reason: String },
    #[error(transparent)]
    Query(DieselError),
    #[error("migration failed: {0}")]
    Migration(String),
}

impl PersistenceError {
    /// SQLite refused the transaction because another process was writing
    /// (SQLITE_BUSY: the write lock was held past the busy timeout, or a
    /// deferred transaction could not upgrade its read snapshot). Nothing was
    /// written; the transaction may be retried.
    pub fn is_busy(&self) -> bool {
        matches!(self, Self::Query(DieselError::DatabaseError(_, info))
            if info.message().contains("database is locked"))
    }
}

impl From<DieselError> for PersistenceError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                Self::UniqueViolation(info.message().to_owned())
            }
            // The server went away under a pooled connection (restart,
            // failover, `pg_ctl stop`): the same outage as an empty pool.
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => Self::Unavailable(info.message().to_owned()),
            other => Self::Query(other),
        }
    }
}

impl From<diesel::r2d2::PoolError> for PersistenceError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable(error.to_string())
    }
}

pub type Result<T, E = PersistenceError> = std::result::Result<T, E>;

pub(crate) fn corrupt(table: &'static str, reason: impl ToString) -> PersistenceError {
    PersistenceError::Corrupt {
        table,
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database_error(kind: DatabaseErrorKind) -> PersistenceError {
        PersistenceError::from(DieselError::DatabaseError(
            kind,
            Box::new("server closed the connection unexpectedly".to_owned()),
        ))
    }

    #[test]
    fn a_lost_connection_is_an_outage_not_a_failed_query() {
        assert!(matches!(
            database_error(DatabaseErrorKind::ClosedConnection),
            PersistenceError::Unavailable(_)
        ));
        assert!(matches!(
            database_error(DatabaseErrorKind::UnableToSendCommand),
            PersistenceError::Unavailable(_)
        ));
        assert!(matches!(
            database_error(DatabaseErrorKind::Unknown),
            PersistenceError::Query(_)
        ));
    }
}
