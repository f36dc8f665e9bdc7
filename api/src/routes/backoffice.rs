use super::Routes;
use actix_web::{get, post, web};
use domain::ids::{CertificationId, OrganisationId};
use openapi::directory::{
    CertificationQueue, CertificationView, CommentRequest, ProfileQueue, ProfileView, QueueQuery,
    ReviewRequest,
};
use openapi::problem::Problem;
use openapi::sourcing::{MatchQueue, MatchQueueQuery, RequestQueue, RequestQueueQuery};
use uuid::Uuid;

use super::body::JsonBody;
use crate::app::profiles::{self, Decision};
use crate::app::sourcing::queues;
use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(request_queue)
        .service(match_queue)
        .service(profile_queue)
        .service(approve)
        .service(request_changes)
        .service(suspend)
        .service(reinstate)
        .service(certification_queue)
        .service(verify_certification)
        .service(reject_certification);
}

/// Requests by status, longest-waiting first; by default those waiting for
/// qualification (experts).
#[utoipa::path(
    tag = "requests",
    security(("bearer" = [])),
    params(RequestQueueQuery),
    responses(
        (status = 200, body = RequestQueue),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/backoffice/requests")]
async fn request_queue(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<RequestQueueQuery>,
) -> ApiResult<web::Json<RequestQueue>> {
    let query = query.into_inner();
    Ok(web::Json(
        queues::requests(&state, auth.0, query.status, query.cursor, query.limit).await?,
    ))
}

/// Matches waiting for vetting, oldest first, optionally of one request (experts).
#[utoipa::path(
    tag = "requests",
    security(("bearer" = [])),
    params(MatchQueueQuery),
    responses(
        (status = 200, body = MatchQueue),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/backoffice/matches")]
async fn match_queue(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<MatchQueueQuery>,
) -> ApiResult<web::Json<MatchQueue>> {
    let query = query.into_inner();
    let request = query.request_id.map(domain::ids::SourcingRequestId::from);
    Ok(web::Json(
        queues::matches(&state, auth.0, request, query.cursor, query.limit).await?,
    ))
}

/// Profiles waiting for review, longest-waiting first (experts).
#[utoipa::path(
    tag = "profiles",
    security(("bearer" = [])),
    params(QueueQuery),
    responses(
        (status = 200, body = ProfileQueue),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/backoffice/profiles")]
async fn profile_queue(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<QueueQuery>,
) -> ApiResult<web::Json<ProfileQueue>> {
    let query = query.into_inner();
    Ok(web::Json(
        profiles::queue(&state, auth.0, query.cursor, query.limit).await?,
    ))
}

async fn decide(
    state: &AppState,
    auth: Authenticated,
    id: Uuid,
    decision: Decision,
) -> ApiResult<web::Json<ProfileView>> {
    Ok(web::Json(
        profiles::review(state, auth.0, OrganisationId::from(id), decision).await?,
    ))
}

/// Approve a submitted profile: it becomes the public version (experts).
#[utoipa::path(
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Supplier organisation id")),
    request_body = ReviewRequest,
    responses(
        (status = 200, body = ProfileView),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`profile_<state>`: not submitted", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/backoffice/profiles/{id}/approve")]
async fn approve(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody<ReviewRequest>,
) -> ApiResult<web::Json<ProfileView>> {
    decide(
        &state,
        auth,
        *id,
        Decision::Approve(body.into_inner().comment),
    )
    .await
}

/// Send a submitted profile back to the supplier with a comment (experts).
#[utoipa::path(
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Supplier organisation id")),
    request_body = CommentRequest,
    responses(
        (status = 200, body = ProfileView),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`profile_<state>`: not submitted", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/backoffice/profiles/{id}/request-changes")]
async fn request_changes(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody<CommentRequest>,
) -> ApiResult<web::Json<ProfileView>> {
    decide(
        &state,
        auth,
        *id,
        Decision::RequestChanges(body.into_inner().comment),
    )
    .await
}

/// Take a profile off the directory, with the reason (experts).
#[utoipa::path(
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Supplier organisation id")),
    request_body = CommentRequest,
    responses(
        (status = 200, body = ProfileView),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`profile_<state>`: never published or already suspended", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/backoffice/profiles/{id}/suspend")]
async fn suspend(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody<CommentRequest>,
) -> ApiResult<web::Json<ProfileView>> {
    decide(
        &state,
        auth,
        *id,
        Decision::Suspend(body.into_inner().comment),
    )
    .await
}

/// Put a suspended profile back in the directory (experts).
#[utoipa::path(
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Supplier organisation id")),
    request_body = ReviewRequest,
    responses(
        (status = 200, body = ProfileView),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`profile_<state>`: not suspended", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/backoffice/profiles/{id}/reinstate")]
async fn reinstate(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody<ReviewRequest>,
) -> ApiResult<web::Json<ProfileView>> {
    decide(
        &state,
        auth,
        *id,
        Decision::Reinstate(body.into_inner().comment),
    )
    .await
}

/// Declared certificates waiting for verification, longest waiting first (experts).
#[utoipa::path(
    tag = "profiles",
    security(("bearer" = [])),
    params(QueueQuery),
    responses(
        (status = 200, body = CertificationQueue),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/backoffice/certifications")]
async fn certification_queue(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<QueueQuery>,
) -> ApiResult<web::Json<CertificationQueue>> {
    let query = query.into_inner();
    Ok(web::Json(
        profiles::certification_queue(&state, auth.0, query.cursor, query.limit).await?,
    ))
}

/// Mark a certificate verified after seeing the document (experts).
#[utoipa::path(
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Certificate id")),
    request_body = ReviewRequest,
    responses(
        (status = 200, body = CertificationView),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/backoffice/certifications/{id}/verify")]
async fn verify_certification(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody<ReviewRequest>,
) -> ApiResult<web::Json<CertificationView>> {
    Ok(web::Json(
        profiles::verify_certification(
            &state,
            auth.0,
            CertificationId::from(*id),
            true,
            body.into_inner().comment,
        )
        .await?,
    ))
}

/// Reject a certificate, with the reason: it stops counting (experts).
#[utoipa::path(
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Certificate id")),
    request_body = CommentRequest,
    responses(
        (status = 200, body = CertificationView),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/backoffice/certifications/{id}/reject")]
async fn reject_certification(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody<CommentRequest>,
) -> ApiResult<web::Json<CertificationView>> {
    Ok(web::Json(
        profiles::verify_certification(
            &state,
            auth.0,
            CertificationId::from(*id),
            false,
            Some(body.into_inner().comment),
        )
        .await?,
    ))
}
