//! Periodic reminders: certificates about to expire. Every server instance
//! runs the job; a marker written with the emails, in one transaction,
//! makes each reminder go once per certificate and validity end date.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use domain::account::{Language, PlatformRole, User};
use domain::notification::NotificationKind;
use persistence::reminders::{self, CERTIFICATION_EXPIRING, ExpiringCertificate};
use persistence::{DbConnection, accounts};
use serde_json::json;

use crate::app::notifications::notify_user;
use crate::error::ApiResult;
use crate::state::AppState;

/// Suppliers and experts hear of a certificate this many days before its
/// last valid day.
pub const EXPIRY_NOTICE_DAYS: i64 = 30;

/// Runs the reminders at start, then every `interval`.
pub async fn run(state: AppState, interval: Duration) {
    loop {
        match certifications_expiring(&state).await {
            Ok(0) => {}
            Ok(reminded) => tracing::info!(reminded, "certificate expiry reminders queued"),
            Err(error) => tracing::warn!(%error, "certificate expiry reminders: will try again"),
        }
        tokio::time::sleep(interval).await;
    }
}

/// Queues `CertificationExpiring` for every certificate, not rejected, whose
/// last valid day is within the next `EXPIRY_NOTICE_DAYS` days (and not
/// past), to the supplier's active users and to every active expert, unless
/// it was already queued for that certificate and end date. Returns how
/// many certificates were reminded this time.
pub async fn certifications_expiring(state: &AppState) -> ApiResult<usize> {
    let now = state.clock.now();
    let today = now.date_naive();
    let until = today + TimeDelta::days(EXPIRY_NOTICE_DAYS);
    let due = state
        .read(move |conn| {
            Ok(reminders::certificates_expiring_between(
                conn, today, until,
            )?)
        })
        .await?;
    let mut reminded = 0;
    for certificate in due {
        let base = state.settings.public_base_url.clone();
        // One transaction per certificate: its marker and its emails
        // commit together, and one failure does not hold back the others.
        if state
            .transaction(move |conn| remind(conn, &certificate, &base, now))
            .await?
        {
            reminded += 1;
        }
    }
    Ok(reminded)
}

fn remind(
    conn: &mut DbConnection,
    certificate: &ExpiringCertificate,
    base_url: &str,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    let first_time = reminders::record_once(
        conn,
        CERTIFICATION_EXPIRING,
        &certificate.id.to_string(),
        certificate.valid_until,
        now,
    )?;
    if !first_time {
        return Ok(false);
    }
    let mut recipients: Vec<User> =
        accounts::users_of_organisation(conn, certificate.organisation_id)?
            .into_iter()
            .filter(|user| user.active)
            .collect();
    recipients.extend(accounts::users_with_role(conn, PlatformRole::Expert)?);
    let link = format!(
        "{base_url}/suppliers/{}/certifications",
        certificate.organisation_id
    );
    for user in &recipients {
        let (label, valid_until) = match user.language {
            Language::Fr => (
                &certificate.label_fr,
                certificate.valid_until.format("%d/%m/%Y").to_string(),
            ),
            Language::En => (
                &certificate.label_en,
                certificate.valid_until.format("%Y-%m-%d").to_string(),
            ),
        };
        notify_user(
            conn,
            user,
            NotificationKind::CertificationExpiring,
            json!({
                "supplier": certificate.organisation_name,
                "certification": label,
                "valid_until": valid_until,
                "link": link,
            }),
            now,
        )?;
    }
    Ok(true)
}
