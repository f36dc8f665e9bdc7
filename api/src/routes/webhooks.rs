use super::Routes;
use actix_web::{HttpResponse, delete, get, post, web};
use domain::ids::{DeliveryId, WebhookId};
use openapi::paging::{DeliveryPage, ListQuery, WebhookPage};
use openapi::problem::Problem;
use openapi::webhooks::{CreateWebhookRequest, DeliveryView, WebhookView, WebhookWithSecret};
use uuid::Uuid;

use super::body::JsonBody;
use crate::app::webhooks;
use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(register)
        .service(list)
        .service(get_one)
        .service(remove)
        .service(pause)
        .service(resume)
        .service(rotate_secret)
        .service(deliveries)
        .service(replay);
}

/// Register a webhook endpoint.
///
/// An organisation's owner registers an endpoint receiving the events its
/// users may read; an admin registers one of the cluster's, receiving every
/// event. Each delivery is signed as Standard Webhooks lays out
/// (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the secret
/// answered here once.
#[utoipa::path(
    operation_id = "createWebhook",
    tag = "webhooks",
    security(("bearer" = [])),
    request_body = CreateWebhookRequest,
    responses(
        (status = 201, body = WebhookWithSecret),
        (status = 403, description = "`forbidden`: only an organisation's owner or an admin registers webhooks", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`webhook_limit_reached`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks")]
async fn register(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: JsonBody<CreateWebhookRequest>,
) -> ApiResult<HttpResponse> {
    let created = webhooks::register(&state, auth.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(created))
}

/// List webhook endpoints.
///
/// The organisation's endpoints (its owners), or every endpoint (admins).
#[utoipa::path(
    operation_id = "listWebhooks",
    tag = "webhooks",
    security(("bearer" = [])),
    responses(
        (status = 200, body = WebhookPage),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks")]
async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> ApiResult<web::Json<WebhookPage>> {
    Ok(web::Json(webhooks::list(&state, auth.0).await?))
}

/// Get a webhook endpoint.
///
/// The endpoint's URL, types, status and failure window (never its
/// secret).
#[utoipa::path(
    operation_id = "getWebhook",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 200, body = WebhookView),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks/{id}")]
async fn get_one(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<WebhookView>> {
    Ok(web::Json(
        webhooks::get(&state, auth.0, WebhookId::from(*id)).await?,
    ))
}

/// Delete a webhook endpoint.
///
/// Deletes the endpoint and its delivery log; nothing more is sent to it.
#[utoipa::path(
    operation_id = "deleteWebhook",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/webhooks/{id}")]
async fn remove(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    webhooks::delete(&state, auth.0, WebhookId::from(*id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Pause a webhook endpoint.
///
/// Events are still queued for it, and delivered once it resumes.
#[utoipa::path(
    operation_id = "pauseWebhook",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 200, body = WebhookView),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/{id}/pause")]
async fn pause(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<WebhookView>> {
    Ok(web::Json(
        webhooks::set_paused(&state, auth.0, WebhookId::from(*id), true).await?,
    ))
}

/// Resume a webhook endpoint.
///
/// Resumes a paused endpoint, or a disabled one with a fresh 3-day failure
/// window (deliveries given up when it was disabled stay failed: replay
/// them).
#[utoipa::path(
    operation_id = "resumeWebhook",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 200, body = WebhookView),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/{id}/resume")]
async fn resume(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<WebhookView>> {
    Ok(web::Json(
        webhooks::set_paused(&state, auth.0, WebhookId::from(*id), false).await?,
    ))
}

/// Rotate a webhook's signing secret.
///
/// A new secret signs every delivery from now on; it is answered this once.
#[utoipa::path(
    operation_id = "rotateWebhookSecret",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 200, body = WebhookWithSecret),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/{id}/rotate-secret")]
async fn rotate_secret(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<WebhookWithSecret>> {
    Ok(web::Json(
        webhooks::rotate_secret(&state, auth.0, WebhookId::from(*id)).await?,
    ))
}

/// Read a webhook's delivery log.
///
/// The latest deliveries, newest first: status, attempts, the last answer's
/// status, latency and start of body, or why it failed.
#[utoipa::path(
    operation_id = "listWebhookDeliveries",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id"), ListQuery),
    responses(
        (status = 200, body = DeliveryPage),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks/{id}/deliveries")]
async fn deliveries(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    query: web::Query<ListQuery>,
) -> ApiResult<web::Json<DeliveryPage>> {
    Ok(web::Json(
        webhooks::deliveries(&state, auth.0, WebhookId::from(*id), query.into_inner()).await?,
    ))
}

/// Replay a delivery.
///
/// Sends the delivery's event again, as a new delivery with the same
/// `webhook-id`.
#[utoipa::path(
    operation_id = "replayWebhookDelivery",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id"), ("delivery_id" = Uuid, Path, description = "Delivery id")),
    responses(
        (status = 201, body = DeliveryView),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/replay")]
async fn replay(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (id, delivery) = path.into_inner();
    let replayed = webhooks::replay(
        &state,
        auth.0,
        WebhookId::from(id),
        DeliveryId::from(delivery),
    )
    .await?;
    Ok(HttpResponse::Created().json(replayed))
}
