use super::Routes;
use actix_web::{HttpResponse, get, patch, post, web};
use domain::ids::InboxItemId;
use openapi::accounts::{MeResponse, PreferencesRequest, UserView};
use openapi::inbox::UnreadCount;
use openapi::paging::{InboxPage, ListQuery};
use openapi::problem::Problem;
use uuid::Uuid;

use super::body::JsonBody;
use crate::app::{accounts, inbox};
use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(me)
        .service(update_preferences)
        .service(list_notifications)
        .service(unread_notifications)
        .service(mark_notification_read)
        .service(mark_all_notifications_read);
}

/// Get the logged-in user.
///
/// The logged-in user, their organisation and roles.
#[utoipa::path(operation_id = "getMe", tag = "auth", security(("bearer" = [])), responses((status = 200, body = MeResponse)))]
#[get("/me")]
async fn me(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<web::Json<MeResponse>> {
    Ok(web::Json(accounts::me(&state, auth.0).await?))
}

/// Update email preferences.
///
/// Change the email language and opt out of non-essential emails.
#[utoipa::path(operation_id = "updatePreferences", tag = "auth", security(("bearer" = [])), request_body = PreferencesRequest, responses((status = 200, body = UserView)))]
#[patch("/me/preferences")]
async fn update_preferences(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: JsonBody<PreferencesRequest>,
) -> ApiResult<web::Json<UserView>> {
    Ok(web::Json(
        accounts::update_preferences(&state, auth.0, body.into_inner()).await?,
    ))
}

/// List my notifications.
///
/// What the logged-in user was told of, newest first: the same as the
/// emails sent to them (requests qualified, invitations to quote, answers
/// received, certificates expiring...), also when they declined emails, but
/// never the account and security emails. Each is worded as its email's
/// subject and button, in the user's language (`PATCH /me/preferences`).
/// Nobody, admins included, reads another user's.
#[utoipa::path(
    operation_id = "listMyNotifications",
    tag = "auth",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, body = InboxPage),
        (status = 400, description = "`invalid_query`: a `cursor` this list did not issue (`errors[0].field` is `cursor`), or `limit` not an integer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: `limit` outside 1-100 (`out_of_range`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/notifications")]
async fn list_notifications(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<ListQuery>,
) -> ApiResult<web::Json<InboxPage>> {
    Ok(web::Json(
        inbox::list(&state, auth.0, query.into_inner()).await?,
    ))
}

/// Count my unread notifications.
///
/// How many of the logged-in user's notifications are unread (the badge).
#[utoipa::path(
    operation_id = "countMyUnreadNotifications",
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, body = UnreadCount))
)]
#[get("/me/notifications/unread-count")]
async fn unread_notifications(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> ApiResult<web::Json<UnreadCount>> {
    Ok(web::Json(inbox::unread_count(&state, auth.0).await?))
}

/// Mark one of my notifications read.
///
/// Marking it again changes nothing (it keeps the first time).
#[utoipa::path(
    operation_id = "markMyNotificationRead",
    tag = "auth",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Notification id")),
    responses(
        (status = 204, description = "Read"),
        (status = 404, description = "`not_found`: the logged-in user has no such notification", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/me/notifications/{id}/read")]
async fn mark_notification_read(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    inbox::mark_read(&state, auth.0, InboxItemId::from(*id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Mark all my notifications read.
///
/// Every unread notification of the logged-in user is read from now on
/// (`unread_count` becomes 0); those already read keep their time.
#[utoipa::path(
    operation_id = "markAllMyNotificationsRead",
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 204, description = "All read"))
)]
#[post("/me/notifications/read-all")]
async fn mark_all_notifications_read(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> ApiResult<HttpResponse> {
    inbox::mark_all_read(&state, auth.0).await?;
    Ok(HttpResponse::NoContent().finish())
}
