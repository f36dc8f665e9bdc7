//! Emails about sourcing requests, queued in the transaction of the step
//! that causes them. Suppliers are written to through their organisation's
//! active users; a confidential buyer's name never appears in their emails
//! (only the request title does).

use chrono::{DateTime, Utc};
use domain::account::{PlatformRole, User};
use domain::ids::OrganisationId;
use domain::notification::NotificationKind;
use domain::sourcing::SourcingRequest;
use domain::sourcing::answers::{Outcome, Question};
use domain::sourcing::request::Action;
use persistence::{DbConnection, accounts, sourcing};
use serde_json::{Value, json};

use crate::app::outbox::notify_user;
use crate::error::ApiResult;

/// `base_url` is the public address of the frontend (`PUBLIC_BASE_URL`).
fn link(base_url: &str, request: &SourcingRequest) -> String {
    format!("{base_url}/requests/{}", request.id)
}

fn deadline(request: &SourcingRequest) -> String {
    request
        .content
        .response_deadline
        .format("%Y-%m-%d %H:%M UTC")
        .to_string()
}

fn active_users(conn: &mut DbConnection, org: OrganisationId) -> ApiResult<Vec<User>> {
    Ok(accounts::users_of_organisation(conn, org)?
        .into_iter()
        .filter(|u| u.active)
        .collect())
}

fn notify_all(
    conn: &mut DbConnection,
    users: &[User],
    kind: NotificationKind,
    vars: &Value,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    for user in users {
        notify_user(conn, user, kind, vars.clone(), now)?;
    }
    Ok(())
}

/// After a state-machine step: experts learn of submissions, the buyer of
/// the experts' decisions, invited suppliers of the opening.
pub fn step(
    conn: &mut DbConnection,
    base_url: &str,
    request: &SourcingRequest,
    action: Action,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let vars = json!({ "request_title": request.content.title, "comment": comment, "link": link(base_url, request), "deadline": deadline(request) });
    let (recipients, kind) = match action {
        Action::Submit => (
            accounts::users_with_role(conn, PlatformRole::Expert)?,
            NotificationKind::RequestSubmitted,
        ),
        Action::Qualify => (
            active_users(conn, request.buyer)?,
            NotificationKind::RequestQualified,
        ),
        Action::RequestChanges => (
            active_users(conn, request.buyer)?,
            NotificationKind::RequestChangesRequested,
        ),
        Action::Reject => (
            active_users(conn, request.buyer)?,
            NotificationKind::RequestRejected,
        ),
        Action::Open => {
            let mut invited = Vec::new();
            for invitation in sourcing::invitations_of(conn, request.id)? {
                invited.extend(active_users(conn, invitation.supplier)?);
            }
            (invited, NotificationKind::InvitationToQuote)
        }
        Action::Close | Action::Award | Action::Cancel => return Ok(()),
    };
    notify_all(conn, &recipients, kind, &vars, now)
}

/// The buyer learns of each new answer or revision.
pub fn answer_received(
    conn: &mut DbConnection,
    base_url: &str,
    request: &SourcingRequest,
    supplier: OrganisationId,
    revision: i32,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let name = accounts::find_organisation(conn, supplier)?
        .map(|o| o.legal_name)
        .unwrap_or_default();
    let vars = json!({ "request_title": request.content.title, "supplier": name, "revision": revision, "link": link(base_url, request) });
    let buyers = active_users(conn, request.buyer)?;
    notify_all(conn, &buyers, NotificationKind::AnswerReceived, &vars, now)
}

/// Every invited supplier learns the answer, not who asked.
pub fn question_answered(
    conn: &mut DbConnection,
    base_url: &str,
    request: &SourcingRequest,
    question: &Question,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let vars = json!({
        "request_title": request.content.title,
        "question": question.question,
        "answer": question.answer,
        "link": link(base_url, request),
    });
    for invitation in sourcing::invitations_of(conn, request.id)? {
        let users = active_users(conn, invitation.supplier)?;
        notify_all(conn, &users, NotificationKind::QuestionAnswered, &vars, now)?;
    }
    Ok(())
}

/// Each invited supplier learns whether it was selected.
pub fn outcome(
    conn: &mut DbConnection,
    base_url: &str,
    request: &SourcingRequest,
    supplier: OrganisationId,
    outcome: Outcome,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let kind = match outcome {
        Outcome::Awarded => NotificationKind::Awarded,
        Outcome::NotSelected => NotificationKind::NotSelected,
    };
    let vars = json!({ "request_title": request.content.title, "link": link(base_url, request) });
    let users = active_users(conn, supplier)?;
    notify_all(conn, &users, kind, &vars, now)
}

/// The buyer learns that a supplier invited to its request was suspended
/// and no longer takes part.
pub fn supplier_withdrawn(
    conn: &mut DbConnection,
    base_url: &str,
    request: &SourcingRequest,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let vars = json!({ "request_title": request.content.title, "link": link(base_url, request) });
    let buyers = active_users(conn, request.buyer)?;
    notify_all(
        conn,
        &buyers,
        NotificationKind::SupplierWithdrawn,
        &vars,
        now,
    )
}
