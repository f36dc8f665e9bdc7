//! The documents job: files never attached within 24 hours go (rows, then
//! objects), queued object removals run after the commits that queued
//! them, and a local store's leftovers of interrupted uploads are swept.

use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::app::files;
use crate::state::AppState;

#[tracing::instrument(name = "files", skip_all)]
pub async fn run(state: AppState, every: Duration) {
    loop {
        match files::expire_unattached(&state).await {
            Ok(0) => {}
            Ok(expired) => tracing::info!(expired, "removed files never attached"),
            Err(error) => tracing::warn!(%error, "expiring unattached files failed; retrying"),
        }
        match files::run_removals(&state).await {
            Ok(0) => {}
            Ok(removed) => tracing::debug!(removed, "stored objects removed"),
            Err(error) => tracing::warn!(%error, "object removals failed; retrying"),
        }
        // A partial file this old belongs to an upload that died: a live
        // one finishes within the request's time.
        if let Err(error) = state
            .files
            .clean_partial(
                domain::documents::UNATTACHED_LIFETIME
                    .to_std()
                    .unwrap_or_default(),
            )
            .await
        {
            tracing::warn!(%error, "sweeping interrupted uploads failed; retrying");
        }
        state.passes.files.fetch_add(1, Ordering::AcqRel);
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            () = state.files_wakeup.notified() => {}
        }
    }
}
