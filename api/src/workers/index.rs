//! The index worker: applies the index events that writes of indexed data
//! commit (see `crate::app::indexing::apply_pending`), woken at once by
//! `AppState::transaction` after such a commit, and every `poll` otherwise
//! so that failed batches are retried after their backoff.

use std::time::Duration;

use crate::app::indexing::apply_pending;
use crate::state::AppState;

#[tracing::instrument(name = "index_worker", skip_all)]
pub async fn run(state: AppState, poll: Duration) {
    loop {
        match apply_pending(&state).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "index worker: cannot read events"),
        }
        // Woken at once by a committed change, or after `poll` for retries.
        let _ = tokio::time::timeout(poll, state.indexer_wakeup.notified()).await;
    }
}
