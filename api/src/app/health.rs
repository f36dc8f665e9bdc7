//! What `/readyz` reports: the dependencies and how far behind the
//! background work is.

use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` or `degraded`.
    pub status: &'static str,
    pub database: &'static str,
    pub index: &'static str,
    pub index_engine: &'static str,
    /// Index events not applied yet.
    pub index_lag: Option<i64>,
    /// Emails not delivered yet.
    pub outbox_backlog: Option<i64>,
}

pub async fn readiness(state: &AppState) -> Readiness {
    let database = state
        .read(|conn| {
            Ok((
                persistence::notifications::backlog(conn)?,
                persistence::index_events::lag(conn)?,
            ))
        })
        .await;
    let index = state.index.health().await;
    let (backlog, lag) = match &database {
        Ok((backlog, lag)) => (Some(*backlog), Some(*lag)),
        Err(_) => (None, None),
    };
    let up = |ok: bool| if ok { "ok" } else { "unavailable" };
    Readiness {
        status: if database.is_ok() && index.is_ok() {
            "ready"
        } else {
            "degraded"
        },
        database: up(database.is_ok()),
        index: up(index.is_ok()),
        index_engine: state.index.engine_name(),
        index_lag: lag,
        outbox_backlog: backlog,
    }
}
