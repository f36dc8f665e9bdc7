//! Admin use cases: user accounts, cluster membership, failed emails.

use domain::ValidationErrors;
use domain::admin_events::AdminEvent;
use domain::auth::Actor;
use domain::ids::{NotificationId, OrganisationId, UserId};
use domain::notification::DeliveryStatus;
use domain::organisation::Membership;
use openapi::accounts::{OrganisationView, UserView};
use openapi::admin::{NotificationView, UserPage};
use persistence::notifications::Notification;
use persistence::{accounts, notifications, tokens as token_store};

use crate::app::publisher::Publisher;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

pub async fn list_users(
    state: &AppState,
    actor: Actor,
    after: Option<String>,
    limit: Option<i64>,
) -> ApiResult<UserPage> {
    actor.may_manage_users()?;
    // `after` is the email of the last user of the previous page: anything
    // no email holds (a control character, which PostgreSQL text may not
    // even store, or more than 254 characters) is no cursor of ours.
    if after
        .as_deref()
        .is_some_and(|a| a.chars().count() > 254 || a.contains(char::is_control))
    {
        return Err(ApiError::coded(
            ErrorCode::InvalidQuery,
            "after is the next_after of a previous page",
        ));
    }
    let limit = match limit {
        None => 50,
        Some(n @ 1..=200) => n,
        Some(_) => {
            return Err(ValidationErrors::single(
                "limit",
                "out_of_range",
                "limit is between 1 and 200",
            )
            .into());
        }
    };
    state
        .read(move |conn| {
            let users = accounts::list_users(conn, after.as_deref(), limit + 1)?;
            let has_more = users.len() as i64 > limit;
            let items: Vec<UserView> = users
                .iter()
                .take(limit as usize)
                .map(UserView::from)
                .collect();
            let next_after = if has_more {
                items.last().map(|u| u.email.clone())
            } else {
                None
            };
            Ok(UserPage { items, next_after })
        })
        .await
}

/// Deactivating ends the user's sessions: their access tokens stop working
/// within seconds (see `auth::standing`) and the invitations they sent can
/// no longer be accepted; reactivating lets them log in again.
pub async fn set_user_active(
    state: &AppState,
    actor: Actor,
    user_id: UserId,
    active: bool,
) -> ApiResult<UserView> {
    actor.may_manage_users()?;
    if user_id == actor.user_id && !active {
        return Err(domain::DomainError::Conflict {
            code: "cannot_deactivate_self",
            message: "an admin cannot deactivate their own account".to_owned(),
        }
        .into());
    }
    let publisher = Publisher::new(state, Some(actor));
    let now = publisher.now;
    let view = state
        .transaction(move |conn| {
            let user =
                accounts::find_user(conn, user_id)?.ok_or_else(|| ApiError::not_found("user"))?;
            if user.active != active {
                accounts::set_user_active(conn, user_id, active, now)?;
                if !active {
                    token_store::revoke_all_of_user(conn, user_id, now)?;
                }
                publisher.publish_admin(conn, AdminEvent::user_activity(user_id, active))?;
            }
            let user =
                accounts::find_user(conn, user_id)?.ok_or_else(|| ApiError::not_found("user"))?;
            Ok(UserView::from(&user))
        })
        .await?;
    // This instance refuses the user's tokens at once; others within the
    // standing TTL.
    state.standing.forget_user(user_id);
    Ok(view)
}

pub async fn set_membership(
    state: &AppState,
    actor: Actor,
    org_id: OrganisationId,
    membership: String,
) -> ApiResult<OrganisationView> {
    actor.may_change_membership()?;
    let membership = Membership::parse(&membership).ok_or_else(|| {
        ValidationErrors::single(
            "membership",
            "invalid_membership",
            "membership is member or not_member",
        )
    })?;
    let publisher = Publisher::new(state, Some(actor));
    let now = publisher.now;
    state
        .transaction(move |conn| {
            let org = accounts::find_organisation(conn, org_id)?
                .ok_or_else(|| ApiError::not_found("organisation"))?;
            if org.membership != membership {
                accounts::set_membership(conn, org_id, membership, now)?;
                publisher.publish_admin(
                    conn,
                    AdminEvent::MembershipChanged {
                        organisation: org_id,
                        from: org.membership,
                        to: membership,
                    },
                )?;
            }
            let org = accounts::find_organisation(conn, org_id)?
                .ok_or_else(|| ApiError::not_found("organisation"))?;
            Ok(OrganisationView::from(&org))
        })
        .await
}

fn view(n: &Notification) -> NotificationView {
    NotificationView {
        id: *n.id.as_uuid(),
        kind: n.kind.into(),
        recipient: n.recipient.clone(),
        language: n.language.into(),
        status: n.status.into(),
        attempts: n.attempts,
        last_error: n.last_error.clone(),
        created_at: n.created_at,
        sent_at: n.sent_at,
    }
}

pub async fn list_notifications(
    state: &AppState,
    actor: Actor,
    status: Option<String>,
) -> ApiResult<Vec<NotificationView>> {
    actor.may_manage_users()?;
    let status = status
        .map(|s| {
            DeliveryStatus::parse(&s).ok_or_else(|| {
                ValidationErrors::single(
                    "status",
                    "invalid_status",
                    "status is pending, sending, sent or failed",
                )
            })
        })
        .transpose()?;
    state
        .read(move |conn| {
            Ok(notifications::list(conn, status, 200)?
                .iter()
                .map(view)
                .collect())
        })
        .await
}

pub async fn retry_notification(
    state: &AppState,
    actor: Actor,
    id: NotificationId,
) -> ApiResult<()> {
    actor.may_manage_users()?;
    let publisher = Publisher::new(state, Some(actor));
    let now = publisher.now;
    state
        .transaction(move |conn| {
            if !notifications::retry_failed(conn, id, now)? {
                if !notifications::exists(conn, id)? {
                    return Err(ApiError::not_found("notification"));
                }
                return Err(domain::DomainError::InvalidState {
                    code: "notification_not_failed".to_owned(),
                    message: "only a failed notification can be retried".to_owned(),
                }
                .into());
            }
            publisher.publish_admin(conn, AdminEvent::NotificationRetried { notification: id })?;
            Ok(())
        })
        .await
}
