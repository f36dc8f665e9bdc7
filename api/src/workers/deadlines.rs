//! The job that closes open requests whose response deadline has passed.

use std::time::Duration;

use persistence::sourcing;

use crate::app::sourcing::{Publisher, save};
use crate::error::ApiResult;
use crate::state::AppState;

#[tracing::instrument(name = "deadlines", skip_all)]
pub async fn run(state: AppState, every: Duration) {
    loop {
        match close_expired(&state).await {
            Ok(closed) if closed > 0 => {
                tracing::info!(closed, "closed requests past their deadline")
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "deadline job failed; retrying"),
        }
        tokio::time::sleep(every).await;
    }
}

/// Closes every open request past its deadline; returns how many. Each
/// request closes in its own transaction; a request closed meanwhile by
/// its buyer (or another instance) is skipped.
pub async fn close_expired(state: &AppState) -> ApiResult<usize> {
    // The platform itself closes: no actor.
    let publisher = Publisher::new(state, None);
    let now = publisher.now;
    let due = state
        .read(move |conn| Ok(sourcing::open_past_deadline(conn, now, 100)?))
        .await?;
    let mut closed = 0;
    for id in due {
        let publisher = publisher.clone();
        let done = state
            .transaction(move |conn| {
                let Some(mut request) = sourcing::find_request(conn, id)? else {
                    return Ok(false);
                };
                if request.status != domain::sourcing::RequestStatus::Open {
                    return Ok(false);
                }
                let read_version = request.version;
                let closed = request.close_at_deadline(publisher.now)?;
                save(conn, &request, read_version)?;
                publisher.publish(conn, &request, closed)?;
                Ok(true)
            })
            .await;
        match done {
            Ok(true) => closed += 1,
            Ok(false) => {}
            // Lost a race with a concurrent close: the version check refused.
            Err(error) => {
                tracing::debug!(%error, request = %id, "request not closed by the deadline job")
            }
        }
    }
    Ok(closed)
}
