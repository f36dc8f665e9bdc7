//! Periodic reminders: certificates about to expire, and response deadlines
//! 48 hours away for invited suppliers that have not answered. Every server instance
//! runs the job; a marker written with the emails, in one transaction,
//! makes each reminder go once per certificate and validity end date.

use std::time::Duration;

use chrono::TimeDelta;
use domain::account::{Language, PlatformRole, User};
use persistence::reminders::{self, CERTIFICATION_EXPIRING, ExpiringCertificate};
use persistence::{DbConnection, accounts};

use crate::app::outbox::{queue_for_user, queue_for_users};
use crate::app::publisher::Publisher;
use crate::email::links::{FrontendLinks, FrontendRoute};
use crate::email::mail::Mail;
use crate::error::ApiResult;
use crate::state::AppState;

/// Suppliers and experts hear of a certificate this many days before its
/// last valid day.
pub const EXPIRY_NOTICE_DAYS: i64 = 30;

/// Runs the reminders at start, then every `interval`.
#[tracing::instrument(name = "reminders", skip_all)]
pub async fn run(state: AppState, interval: Duration) {
    loop {
        match certifications_expiring(&state).await {
            Ok(0) => {}
            Ok(reminded) => tracing::info!(reminded, "certificate expiry reminders queued"),
            Err(error) => tracing::warn!(%error, "certificate expiry reminders: will try again"),
        }
        match deadlines_approaching(&state).await {
            Ok(0) => {}
            Ok(reminded) => tracing::info!(reminded, "deadline reminders queued"),
            Err(error) => tracing::warn!(%error, "deadline reminders: will try again"),
        }
        state
            .passes
            .reminders
            .fetch_add(1, std::sync::atomic::Ordering::Release);
        tokio::time::sleep(interval).await;
    }
}

/// Queues `CertificationExpiring` for every certificate, not rejected, whose
/// last valid day is within the next `EXPIRY_NOTICE_DAYS` days (and not
/// past), to the supplier's active users and to every active expert, and
/// publishes `certificate.expiring`, unless it was already done for that
/// certificate and end date. Returns how many certificates were reminded
/// this time.
pub async fn certifications_expiring(state: &AppState) -> ApiResult<usize> {
    let publisher = Publisher::new(state, None);
    let now = publisher.now;
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
        let links = state.settings.frontend.clone();
        let publisher = publisher.clone();
        // One transaction per certificate: its marker, its emails and its
        // event commit together, and one failure does not hold back the
        // others.
        if state
            .transaction(move |conn| remind(conn, &certificate, &links, &publisher))
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
    links: &FrontendLinks,
    publisher: &Publisher,
) -> ApiResult<bool> {
    let now = publisher.now;
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
    let link = links.to(FrontendRoute::SupplierCertifications(
        certificate.organisation_id,
    ));
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
        let mail = Mail::CertificationExpiring {
            supplier: certificate.organisation_name.clone(),
            certification: label.clone(),
            valid_until,
            link: link.clone(),
        };
        queue_for_user(conn, user, &mail, now)?;
    }
    publisher.publish_certificate_expiring(conn, certificate)?;
    Ok(true)
}

/// Invited suppliers hear of a response deadline this long before it.
pub const DEADLINE_NOTICE: TimeDelta = TimeDelta::hours(48);

const DEADLINE_APPROACHING: &str = "deadline_approaching";

/// Queues `DeadlineApproaching` to every invited supplier that has neither
/// quoted nor declined on an open request whose deadline is within 48
/// hours, once per request, supplier and deadline. Returns how many
/// suppliers were reminded.
pub async fn deadlines_approaching(state: &AppState) -> ApiResult<usize> {
    let now = state.clock.now();
    let requests = state
        .read(move |conn| {
            Ok(persistence::sourcing::open_with_deadline_before(
                conn,
                now,
                now + DEADLINE_NOTICE,
            )?)
        })
        .await?;
    let mut reminded = 0;
    for request in requests {
        let link = state
            .settings
            .frontend
            .to(FrontendRoute::Request(request.id));
        reminded += state
            .transaction(move |conn| {
                let mut count = 0;
                for invitation in persistence::sourcing::invitations_of(conn, request.id)? {
                    if invitation.status != domain::sourcing::answers::InvitationStatus::Invited {
                        continue;
                    }
                    let subject = format!("{}:{}", request.id, invitation.supplier);
                    let due = request.content.response_deadline.date_naive();
                    if !reminders::record_once(conn, DEADLINE_APPROACHING, &subject, due, now)? {
                        continue;
                    }
                    let mail = Mail::DeadlineApproaching {
                        request_title: request.content.title.clone(),
                        deadline: request
                            .content
                            .response_deadline
                            .format("%Y-%m-%d %H:%M UTC")
                            .to_string(),
                        link: link.clone(),
                    };
                    let users: Vec<User> =
                        accounts::users_of_organisation(conn, invitation.supplier)?
                            .into_iter()
                            .filter(|u| u.active)
                            .collect();
                    queue_for_users(conn, &users, &mail, now)?;
                    count += 1;
                }
                Ok(count)
            })
            .await?;
    }
    Ok(reminded)
}
