//! The webhook delivery worker: claims a due delivery (with a lease, as the
//! email worker does), signs the event's JSON and POSTs it through the
//! outbound client, and records the outcome: delivered, retried later with
//! backoff, or, once the endpoint has failed for its whole failure window,
//! the endpoint disabled and its creator emailed. Several instances may run
//! against one PostgreSQL database; claiming gives each delivery to one.

use std::sync::atomic::Ordering;
use std::time::Duration;

use domain::webhooks::{self as rules, WebhookChange, WebhookEvent};
use persistence::webhooks::{self, Attempt, Claimed};

use crate::app::events;
use crate::app::outbox;
use crate::app::publisher::Publisher;
use crate::email::links::FrontendRoute;
use crate::email::mail::Mail;
use crate::outbound::{OutboundClient, Outcome};
use crate::signature;
use crate::state::AppState;

#[tracing::instrument(name = "webhook_worker", skip_all)]
pub async fn run(state: AppState, client: OutboundClient, poll: Duration) {
    loop {
        match deliver_next(&state, &client).await {
            Ok(true) => {}
            Ok(false) => {
                state.passes.webhooks_idle.fetch_add(1, Ordering::Release);
                tokio::time::sleep(poll).await;
            }
            Err(error) => {
                tracing::warn!(%error, "webhook worker: database unavailable, retrying");
                tokio::time::sleep(poll * 5).await;
            }
        }
    }
}

/// Claims and sends one due delivery; `false` when none is due.
pub async fn deliver_next(state: &AppState, client: &OutboundClient) -> anyhow::Result<bool> {
    let now = state.clock.now();
    // A claim outlasts a call (bounded by the client's total timeout) and
    // the recording of its outcome: a live worker's delivery is never
    // reclaimed, a dead one's is once the lease ends.
    let lease = state.settings.webhook_lease;
    let claimed = state
        .transaction(move |conn| Ok(webhooks::claim_next(conn, now, lease)?))
        .await
        .map_err(anyhow::Error::new)?;
    let Some(claimed) = claimed else {
        return Ok(false);
    };
    let outcome = send(state, client, &claimed).await;
    let now = state.clock.now();
    let publisher = Publisher::new(state, None);
    let links = state.settings.frontend.clone();
    let record = claimed.clone();
    let result = state
        .transaction(move |conn| {
            let attempt = Attempt {
                status_code: outcome.status.map(i32::from),
                latency_ms: i64::try_from(outcome.latency.as_millis()).unwrap_or(i64::MAX),
                response: outcome.excerpt.clone(),
                error: outcome.error.clone().or_else(|| {
                    outcome
                        .status
                        .filter(|_| !outcome.succeeded())
                        .map(|s| format!("answered {s}, not 2xx"))
                }),
            };
            if outcome.succeeded() {
                webhooks::mark_delivered(conn, &record, &attempt, now)?;
                return Ok(());
            }
            let retry_at = rules::next_attempt(record.attempts + 1, now);
            webhooks::mark_failed(conn, &record, &attempt, retry_at, now)?;
            if record.webhook.failed_too_long(now) {
                webhooks::disable(conn, record.webhook.id, now)?;
                publisher.publish_webhook(
                    conn,
                    WebhookEvent {
                        webhook: record.webhook.id,
                        change: WebhookChange::Disabled,
                    },
                )?;
                if let Some(creator) =
                    persistence::accounts::find_user(conn, record.webhook.created_by)?
                        .filter(|u| u.active)
                {
                    let mail = Mail::WebhookDisabled {
                        url: record.webhook.url.as_str().to_owned(),
                        link: links.to(FrontendRoute::Webhooks),
                    };
                    outbox::queue_for_user(conn, &creator, &mail, now)?;
                }
                tracing::warn!(webhook = %record.webhook.id, "webhook disabled after failing for its whole window");
            }
            Ok(())
        })
        .await;
    if let Err(error) = result {
        // The lease will end and the delivery be sent again: at least
        // once, never lost.
        tracing::warn!(delivery = %claimed.delivery, %error, "could not record webhook outcome");
    }
    Ok(true)
}

async fn send(state: &AppState, client: &OutboundClient, claimed: &Claimed) -> Outcome {
    let body = match serde_json::to_string(&events::view(&claimed.event)) {
        Ok(body) => body,
        Err(e) => return failed(format!("cannot serialise the event: {e}")),
    };
    let id = claimed.event.event.id.to_string();
    let timestamp = state.clock.now().timestamp();
    let Some(signature) = signature::sign(&claimed.secret, &id, timestamp, &body) else {
        return failed("the endpoint's stored secret is unreadable".to_owned());
    };
    let headers = [
        ("webhook-id", id),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", signature),
    ];
    client
        .post_json(claimed.webhook.url.as_str(), &headers, body)
        .await
}

fn failed(error: String) -> Outcome {
    Outcome {
        status: None,
        excerpt: None,
        error: Some(error),
        latency: Duration::ZERO,
    }
}
