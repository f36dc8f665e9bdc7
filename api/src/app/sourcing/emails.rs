//! Emails about sourcing requests, queued in the transaction of the step
//! that causes them: [`of`] says which each `RequestEvent` causes (called by
//! `Publisher::publish` only). Suppliers are written to through their organisation's
//! active users; a confidential buyer's name never appears in their emails
//! (only the request title does).

use anyhow::anyhow;
use chrono::{DateTime, Utc};
use domain::account::{PlatformRole, User};
use domain::ids::OrganisationId;
use domain::sourcing::answers::Outcome;
use domain::sourcing::request::Action;
use domain::sourcing::{RequestEvent, SourcingRequest};
use persistence::{DbConnection, accounts, sourcing};

use crate::app::outbox::queue_for_users;
use crate::email::links::{FrontendLinks, FrontendRoute};
use crate::email::mail::Mail;
use crate::error::{ApiError, ApiResult};

fn link(links: &FrontendLinks, request: &SourcingRequest) -> String {
    links.to(FrontendRoute::Request(request.id))
}

fn title(request: &SourcingRequest) -> String {
    request.content.title.clone()
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

/// The emails `event` causes on `request`, queued in the outbox.
pub(crate) fn of(
    conn: &mut DbConnection,
    links: &FrontendLinks,
    request: &SourcingRequest,
    event: &RequestEvent,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    match event {
        RequestEvent::Stepped {
            action, comment, ..
        } => step(conn, links, request, *action, comment.as_deref(), now),
        RequestEvent::Quoted {
            supplier, revision, ..
        } => answer_received(conn, links, request, *supplier, *revision, now),
        RequestEvent::QuestionAnswered { question, answer } => {
            question_answered(conn, links, request, question, answer, now)
        }
        RequestEvent::Awarded { outcomes, .. } => {
            for (supplier, result) in outcomes {
                outcome(conn, links, request, *supplier, *result, now)?;
            }
            Ok(())
        }
        RequestEvent::SupplierWithdrawn { .. } => supplier_withdrawn(conn, links, request, now),
        // The history says it; nobody is written to.
        RequestEvent::Created
        | RequestEvent::Edited
        | RequestEvent::Recoded { .. }
        | RequestEvent::IdentityRevealed
        | RequestEvent::Declined { .. }
        | RequestEvent::QuestionAsked { .. }
        | RequestEvent::Shortlisted { .. }
        | RequestEvent::DocumentAttached { .. }
        | RequestEvent::NdaAccepted { .. }
        | RequestEvent::MatchProposed { .. }
        | RequestEvent::MatchDecided { .. } => Ok(()),
    }
}

/// After a state-machine step: experts learn of submissions, the buyer of
/// the experts' decisions, invited suppliers of the opening. `comment` is
/// the step's comment, required (by the caller) to ask for changes or
/// reject.
fn step(
    conn: &mut DbConnection,
    links: &FrontendLinks,
    request: &SourcingRequest,
    action: Action,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let request_title = title(request);
    let link = link(links, request);
    let required_comment = || {
        comment
            .map(str::to_owned)
            .ok_or_else(|| ApiError::from(anyhow!("{action:?} without the comment it requires")))
    };
    let (recipients, mail) = match action {
        Action::Submit => (
            accounts::users_with_role(conn, PlatformRole::Expert)?,
            Mail::RequestSubmitted {
                request_title,
                link,
            },
        ),
        Action::Qualify => (
            active_users(conn, request.buyer)?,
            Mail::RequestQualified {
                request_title,
                comment: comment.map(str::to_owned),
                link,
            },
        ),
        Action::RequestChanges => (
            active_users(conn, request.buyer)?,
            Mail::RequestChangesRequested {
                request_title,
                comment: required_comment()?,
                link,
            },
        ),
        Action::Reject => (
            active_users(conn, request.buyer)?,
            Mail::RequestRejected {
                request_title,
                comment: required_comment()?,
                link,
            },
        ),
        Action::Open => {
            let mut invited = Vec::new();
            for invitation in sourcing::invitations_of(conn, request.id)? {
                invited.extend(active_users(conn, invitation.supplier)?);
            }
            let mail = Mail::InvitationToQuote {
                request_title,
                deadline: deadline(request),
                link,
            };
            (invited, mail)
        }
        Action::Close | Action::Award | Action::Cancel => return Ok(()),
    };
    queue_for_users(conn, &recipients, &mail, now)
}

/// The buyer learns of each new answer or revision, and from whom.
fn answer_received(
    conn: &mut DbConnection,
    links: &FrontendLinks,
    request: &SourcingRequest,
    supplier: OrganisationId,
    revision: i32,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let supplier = accounts::find_organisation(conn, supplier)?
        .ok_or_else(|| ApiError::from(anyhow!("answering supplier {supplier} not found")))?
        .legal_name;
    let mail = Mail::AnswerReceived {
        request_title: title(request),
        supplier,
        revision,
        link: link(links, request),
    };
    let buyers = active_users(conn, request.buyer)?;
    queue_for_users(conn, &buyers, &mail, now)
}

/// Every invited supplier learns the answer, not who asked.
fn question_answered(
    conn: &mut DbConnection,
    links: &FrontendLinks,
    request: &SourcingRequest,
    question: &str,
    answer: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let mail = Mail::QuestionAnswered {
        request_title: title(request),
        question: question.to_owned(),
        answer: answer.to_owned(),
        link: link(links, request),
    };
    for invitation in sourcing::invitations_of(conn, request.id)? {
        let users = active_users(conn, invitation.supplier)?;
        queue_for_users(conn, &users, &mail, now)?;
    }
    Ok(())
}

/// Each invited supplier learns whether it was selected.
fn outcome(
    conn: &mut DbConnection,
    links: &FrontendLinks,
    request: &SourcingRequest,
    supplier: OrganisationId,
    outcome: Outcome,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let (request_title, link) = (title(request), link(links, request));
    let mail = match outcome {
        Outcome::Awarded => Mail::Awarded {
            request_title,
            link,
        },
        Outcome::NotSelected => Mail::NotSelected {
            request_title,
            link,
        },
    };
    let users = active_users(conn, supplier)?;
    queue_for_users(conn, &users, &mail, now)
}

/// The buyer learns that a supplier invited to its request was suspended
/// and no longer takes part.
fn supplier_withdrawn(
    conn: &mut DbConnection,
    links: &FrontendLinks,
    request: &SourcingRequest,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let mail = Mail::SupplierWithdrawn {
        request_title: title(request),
        link: link(links, request),
    };
    let buyers = active_users(conn, request.buyer)?;
    queue_for_users(conn, &buyers, &mail, now)
}
