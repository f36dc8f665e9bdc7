//! The outbox worker: claims due messages, renders and sends them, and
//! records the outcome. Several instances may run against one PostgreSQL
//! database; claiming guarantees each message goes to one of them.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use domain::notification::DeliveryStatus;
use persistence::notifications::{self, Notification};

use crate::notify::mailer::Mailer;
use crate::notify::templates;
use crate::state::AppState;

/// Longer than one SMTP exchange with its timeout: a message is reclaimed
/// only when its worker is really gone.
const LEASE: TimeDelta = TimeDelta::seconds(60);
const BATCH: i64 = 20;

pub async fn run(state: AppState, mailer: Arc<Mailer>, poll: Duration) {
    tracing::info!(target = %mailer.describe(), "notification worker started");
    loop {
        match deliver_due(&state, &mailer).await {
            Ok(0) => tokio::time::sleep(poll).await,
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "notification worker: database unavailable, retrying");
                tokio::time::sleep(poll * 5).await;
            }
        }
    }
}

/// Sends one batch; returns how many messages were claimed.
pub async fn deliver_due(state: &AppState, mailer: &Mailer) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let claimed = state
        .transaction(move |conn| Ok(notifications::claim_due(conn, now, LEASE, BATCH)?))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let count = claimed.len();
    for notification in claimed {
        let outcome = send(state, mailer, &notification).await;
        let now = state.clock.now();
        let record = notification.clone();
        let result = state
            .transaction(move |conn| {
                match &outcome {
                    Ok(()) => notifications::mark_sent(conn, record.id, now)?,
                    Err(error) => {
                        let status = notifications::mark_attempt_failed(conn, &record, &format!("{error:#}"), now)?;
                        if status == DeliveryStatus::Failed {
                            tracing::error!(id = %record.id, kind = record.kind.as_str(), error = %format!("{error:#}"), "notification failed for good");
                        } else {
                            tracing::warn!(id = %record.id, attempts = record.attempts + 1, error = %format!("{error:#}"), "notification delivery failed, will retry");
                        }
                    }
                }
                Ok(())
            })
            .await;
        if let Err(error) = result {
            // The lease will expire and the message be sent again: at least
            // once, never lost.
            tracing::warn!(id = %notification.id, %error, "could not record delivery outcome");
        }
    }
    Ok(count)
}

async fn send(
    state: &AppState,
    mailer: &Mailer,
    notification: &Notification,
) -> anyhow::Result<()> {
    let content = templates::render(
        notification.kind,
        notification.language,
        &notification.payload,
    )?;
    mailer
        .send(
            &notification.id.to_string(),
            &state.settings.mail_from,
            &notification.recipient,
            &content,
        )
        .await
}
