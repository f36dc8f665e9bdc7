//! What `/readyz` reports: the dependencies and how far behind the
//! background work is.

use std::sync::atomic::Ordering;

use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

/// `ready` when the database and the index answer, `degraded` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadinessStatus {
    Ready,
    Degraded,
}

/// Whether a dependency answered the probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DependencyState {
    Ok,
    Unavailable,
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    pub status: ReadinessStatus,
    pub database: DependencyState,
    pub index: DependencyState,
    /// `embedded` (tantivy) or `meilisearch`.
    pub index_engine: &'static str,
    /// Index events not applied yet.
    pub index_lag: Option<i64>,
    /// Emails not delivered yet.
    pub outbox_backlog: Option<i64>,
    /// Webhook deliveries not delivered nor given up yet (a paused
    /// endpoint's included).
    pub webhook_backlog: Option<i64>,
    pub workers: WorkerPassCounts,
}

/// Passes completed by the background workers of this instance since it
/// started; a count that stops moving is a stuck worker.
#[derive(Serialize, ToSchema)]
pub struct WorkerPassCounts {
    /// Polls of the email outbox that found nothing due.
    pub outbox_idle: u64,
    /// Runs of the reminder jobs (certificate expiry, response deadlines).
    pub reminders: u64,
    /// Polls of the webhook outbox that found nothing due.
    pub webhooks_idle: u64,
    /// Runs of the documents job (unattached files, object removals).
    pub files: u64,
}

pub async fn readiness(state: &AppState) -> Readiness {
    let database = state
        .read(|conn| {
            Ok((
                persistence::notifications::backlog(conn)?,
                persistence::index_events::lag(conn)?,
                persistence::webhooks::backlog(conn)?,
            ))
        })
        .await;
    let index = state.index.health().await;
    let (backlog, lag, webhook_backlog) = match &database {
        Ok((backlog, lag, webhooks)) => (Some(*backlog), Some(*lag), Some(*webhooks)),
        Err(_) => (None, None, None),
    };
    let up = |ok: bool| {
        if ok {
            DependencyState::Ok
        } else {
            DependencyState::Unavailable
        }
    };
    Readiness {
        status: if database.is_ok() && index.is_ok() {
            ReadinessStatus::Ready
        } else {
            ReadinessStatus::Degraded
        },
        database: up(database.is_ok()),
        index: up(index.is_ok()),
        index_engine: state.index.engine_name(),
        index_lag: lag,
        outbox_backlog: backlog,
        webhook_backlog,
        workers: WorkerPassCounts {
            outbox_idle: state.passes.outbox_idle.load(Ordering::Acquire),
            reminders: state.passes.reminders.load(Ordering::Acquire),
            webhooks_idle: state.passes.webhooks_idle.load(Ordering::Acquire),
            files: state.passes.files.load(Ordering::Acquire),
        },
    }
}
