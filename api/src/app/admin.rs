//! Admin use cases: user accounts, cluster membership, failed emails.

use domain::ValidationErrors;
use domain::admin_events::AdminEvent;
use domain::auth::Actor;
use domain::ids::{NotificationId, OrganisationId, UserId};
use domain::notification::DeliveryStatus;
use domain::organisation::Membership;
use openapi::accounts::{OrganisationView, UserView};
use openapi::admin::{NotificationListQuery, NotificationView};
use openapi::paging::{ListQuery, NotificationPage, UserPage};
use persistence::notifications::Notification;
use persistence::{accounts, notifications, tokens as token_store};

use crate::app::paging::{
    page, page_limit, parse_text_cursor, parse_time_cursor, text_cursor, time_cursor,
};
use crate::app::publisher::Publisher;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

const USERS: &str = "users";
const NOTIFICATIONS: &str = "notifications";

pub async fn list_users(state: &AppState, actor: Actor, query: ListQuery) -> ApiResult<UserPage> {
    actor.may_manage_users()?;
    let limit = page_limit(query.limit)?;
    let after = parse_text_cursor(query.cursor, USERS)?;
    state
        .read(move |conn| {
            let rows = accounts::list_users(conn, after, limit + 1)?;
            let (users, next_cursor) =
                page(rows, limit, |u| text_cursor(USERS, u.email.as_str(), u.id));
            Ok(UserPage {
                items: users.iter().map(UserView::from).collect(),
                next_cursor,
            })
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
    query: NotificationListQuery,
) -> ApiResult<NotificationPage> {
    actor.may_manage_users()?;
    let status = query
        .status
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
    let limit = page_limit(query.limit)?;
    // The filter is part of the list: a cursor continues the same one.
    let list = format!("{NOTIFICATIONS}:{}", status.map_or("all", |s| s.as_str()));
    let before = parse_time_cursor(query.cursor, &list)?;
    state
        .read(move |conn| {
            let rows = notifications::list(conn, status, before, limit + 1)?;
            let (messages, next_cursor) =
                page(rows, limit, |n| time_cursor(&list, n.created_at, n.id));
            Ok(NotificationPage {
                items: messages.iter().map(view).collect(),
                next_cursor,
            })
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
