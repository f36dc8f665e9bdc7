//! The outbox worker: claims due messages one at a time, renders and sends
//! them, and records the outcome. Several instances may run against one
//! PostgreSQL database; claiming guarantees each message goes to one of
//! them (see `persistence::notifications`).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::Context;
use chrono::TimeDelta;
use domain::notification::{DeliveryStatus, RetryPolicy};
use persistence::notifications::{self, Notification};

use crate::email::mail::Mail;
use crate::email::mailer::Mailer;
use crate::email::templates;
use crate::state::AppState;

/// How long one message may take, and how long its claim lasts.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Hard bound on one send (connection, TLS, AUTH, envelope and data).
    pub send_deadline: Duration,
    /// The claim's lease: longer than a send and the recording of its
    /// outcome, so a live worker's message is never reclaimed; a crashed
    /// worker's message is sent again once it ends.
    pub lease: TimeDelta,
}

impl Timing {
    /// From the per-command SMTP timeout: a send is a handful of commands.
    pub fn from_smtp_timeout(timeout: Duration) -> Self {
        let send_deadline = timeout * 6;
        let lease =
            TimeDelta::from_std(send_deadline).unwrap_or(TimeDelta::MAX) + TimeDelta::seconds(30);
        Self {
            send_deadline,
            lease,
        }
    }
}

#[tracing::instrument(name = "email_worker", skip_all)]
pub async fn run(state: AppState, mailer: Arc<Mailer>, poll: Duration) {
    tracing::info!(target = %mailer.describe(), "notification worker started");
    let timing = Timing::from_smtp_timeout(state.settings.smtp_timeout);
    let policy = state.settings.notify_retry;
    loop {
        match deliver_next(&state, &mailer, timing, policy).await {
            Ok(true) => {}
            Ok(false) => {
                state.passes.outbox_idle.fetch_add(1, Ordering::Release);
                tokio::time::sleep(poll).await;
            }
            Err(error) => {
                tracing::warn!(%error, "notification worker: database unavailable, retrying");
                tokio::time::sleep(poll * 5).await;
            }
        }
    }
}

/// Claims and delivers one due message; `false` when none is due.
pub async fn deliver_next(
    state: &AppState,
    mailer: &Mailer,
    timing: Timing,
    policy: RetryPolicy,
) -> anyhow::Result<bool> {
    let now = state.clock.now();
    let lease = timing.lease;
    let claimed = state
        .transaction(move |conn| Ok(notifications::claim_next(conn, now, lease)?))
        .await
        .map_err(anyhow::Error::new)?;
    let Some(notification) = claimed else {
        return Ok(false);
    };
    let outcome = match tokio::time::timeout(
        timing.send_deadline,
        send(state, mailer, &notification),
    )
    .await
    {
        Ok(outcome) => outcome,
        Err(_) => Err(anyhow::anyhow!(
            "no answer from the mail server within {:?}",
            timing.send_deadline
        )),
    };
    let now = state.clock.now();
    let record = notification.clone();
    let result = state
        .transaction(move |conn| {
            match &outcome {
                Ok(()) => notifications::mark_sent(conn, record.id, now)?,
                Err(error) => {
                    let error = format!("{error:#}");
                    let attempts = record.attempts + 1;
                    let retry_at = policy.next_attempt(attempts, now);
                    let status =
                        notifications::mark_attempt_failed(conn, &record, &error, retry_at)?;
                    if status == DeliveryStatus::Failed {
                        tracing::error!(id = %record.id, kind = record.kind.as_str(), attempts, %error, "notification failed for good");
                    } else {
                        tracing::warn!(id = %record.id, attempts, %error, "notification delivery failed, will retry");
                    }
                }
            }
            Ok(())
        })
        .await;
    if let Err(error) = result {
        // The lease will end and the message be sent again: at least once,
        // never lost.
        tracing::warn!(id = %notification.id, %error, "could not record delivery outcome");
    }
    Ok(true)
}

async fn send(
    state: &AppState,
    mailer: &Mailer,
    notification: &Notification,
) -> anyhow::Result<()> {
    let stored =
        Mail::from_outbox(notification.kind, &notification.payload).with_context(|| {
            format!(
                "the outbox payload of a {} email",
                notification.kind.as_str()
            )
        })?;
    let content = templates::render(
        &stored.mail,
        stored.recipient_name.as_deref(),
        notification.language,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_outlasts_the_longest_send() {
        let timing = Timing::from_smtp_timeout(Duration::from_secs(10));
        assert_eq!(timing.send_deadline, Duration::from_secs(60));
        assert_eq!(timing.lease, TimeDelta::seconds(90));
    }
}
