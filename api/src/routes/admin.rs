use super::Routes;
use actix_web::{HttpResponse, get, post, put, web};
use domain::ids::{NotificationId, OrganisationId, UserId};
use openapi::accounts::{OrganisationView, UserView};
use openapi::admin::{MembershipRequest, NotificationListQuery};
use openapi::paging::{ListQuery, NotificationPage, UserPage};
use openapi::problem::Problem;
use uuid::Uuid;

use super::body::JsonBody;
use crate::app::admin;
use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(list_users)
        .service(deactivate_user)
        .service(reactivate_user)
        .service(set_membership)
        .service(list_notifications)
        .service(retry_notification);
}

/// List users.
///
/// All users, ordered by email, a page at a time (admins).
#[utoipa::path(
    operation_id = "listUsers",
    tag = "admin",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, body = UserPage),
        (status = 400, description = "`invalid_query`: a `cursor` this list did not issue (`errors[0].field` is `cursor`), or `limit` not an integer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: `limit` outside 1-100 (`out_of_range`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/admin/users")]
async fn list_users(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<ListQuery>,
) -> ApiResult<web::Json<UserPage>> {
    Ok(web::Json(
        admin::list_users(&state, auth.0, query.into_inner()).await?,
    ))
}

/// Deactivate a user.
///
/// Deactivate a user: they cannot log in and their sessions end (admins).
#[utoipa::path(
    operation_id = "deactivateUser",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, body = UserView),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`cannot_deactivate_self`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/admin/users/{id}/deactivate")]
async fn deactivate_user(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<UserView>> {
    Ok(web::Json(
        admin::set_user_active(&state, auth.0, UserId::from(*id), false).await?,
    ))
}

/// Reactivate a user.
///
/// Reactivate a deactivated user (admins).
#[utoipa::path(
    operation_id = "reactivateUser",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, body = UserView),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/admin/users/{id}/reactivate")]
async fn reactivate_user(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<UserView>> {
    Ok(web::Json(
        admin::set_user_active(&state, auth.0, UserId::from(*id), true).await?,
    ))
}

/// Set an organisation's cluster membership.
///
/// Set an organisation's cluster membership (admins).
#[utoipa::path(
    operation_id = "setOrganisationMembership",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id")),
    request_body = MembershipRequest,
    responses(
        (status = 200, body = OrganisationView),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/admin/organisations/{id}/membership")]
async fn set_membership(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody<MembershipRequest>,
) -> ApiResult<web::Json<OrganisationView>> {
    Ok(web::Json(
        admin::set_membership(
            &state,
            auth.0,
            OrganisationId::from(*id),
            body.into_inner().membership,
        )
        .await?,
    ))
}

/// List outbox emails.
///
/// Outbox messages, newest first; `status=failed` lists those needing a retry (admins).
#[utoipa::path(
    operation_id = "listNotifications",
    tag = "admin",
    security(("bearer" = [])),
    params(NotificationListQuery),
    responses(
        (status = 200, body = NotificationPage),
        (status = 400, description = "`invalid_query`: a `cursor` this list did not issue (`errors[0].field` is `cursor`), or `limit` not an integer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: `status` (`invalid_status`) or `limit` outside 1-100 (`out_of_range`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/admin/notifications")]
async fn list_notifications(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<NotificationListQuery>,
) -> ApiResult<web::Json<NotificationPage>> {
    Ok(web::Json(
        admin::list_notifications(&state, auth.0, query.into_inner()).await?,
    ))
}

/// Retry a failed email.
///
/// Queue a failed message again with a fresh attempt budget (admins).
#[utoipa::path(
    operation_id = "retryNotification",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Notification id")),
    responses(
        (status = 202, description = "Queued again"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such message", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`notification_not_failed`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/admin/notifications/{id}/retry")]
async fn retry_notification(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    admin::retry_notification(&state, auth.0, NotificationId::from(*id)).await?;
    Ok(HttpResponse::Accepted().finish())
}
