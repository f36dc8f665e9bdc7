use super::Routes;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use domain::ids::{CertificationId, OrganisationId};
use openapi::directory::{CertificationView, CommentRequest, ProfileView, ReviewRequest};
use openapi::paging::{CertificationQueue, ListQuery, MatchQueue, ProfileQueue, RequestQueue};
use openapi::problem::Problem;
use openapi::sourcing::{MatchQueueQuery, RequestQueueQuery};
use uuid::Uuid;

use super::body::JsonBody;
use super::{if_match, with_etag};
use crate::app::profiles::{self, CertificateVerdict, Decision};
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

/// List requests to handle.
///
/// Requests by status, longest-waiting first; by default those waiting for
/// qualification (experts).
#[utoipa::path(
    operation_id = "listRequestQueue",
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

/// List matches to vet.
///
/// Matches waiting for vetting, oldest first, optionally of one request (experts).
#[utoipa::path(
    operation_id = "listMatchQueue",
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

/// List profiles to review.
///
/// Profiles waiting for review, longest-waiting first (experts).
#[utoipa::path(
    operation_id = "listProfileQueue",
    tag = "profiles",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, body = ProfileQueue),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/backoffice/profiles")]
async fn profile_queue(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<ListQuery>,
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
) -> ApiResult<HttpResponse> {
    let view = profiles::review(state, auth.0, OrganisationId::from(id), decision).await?;
    let version = view.version;
    Ok(with_etag(HttpResponse::Ok().json(view), version))
}

/// Approve a profile.
///
/// Approve the submitted profile whose version `If-Match` names: it becomes
/// the public version (experts).
#[utoipa::path(
    operation_id = "approveProfile",
    tag = "profiles",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Supplier organisation id"),
        ("If-Match" = String, Header, nullable = false, pattern = r#"^\s*(W/)*"*[0-9]{1,18}"*\s*$"#, description = "The version of the profile reviewed (its ETag)"),
    ),
    request_body = ReviewRequest,
    responses(
        (status = 200, body = ProfileView, headers(("ETag" = String, description = "The profile version, to send back in `If-Match`"))),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`profile_<state>`: not submitted", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`precondition_failed`: the profile changed since the version reviewed", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`precondition_required`: send If-Match with the version reviewed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/backoffice/profiles/{id}/approve")]
async fn approve(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: JsonBody<ReviewRequest>,
) -> ApiResult<HttpResponse> {
    let decision = Decision::Approve(if_match(&req)?, body.into_inner().comment);
    decide(&state, auth, *id, decision).await
}

/// Send a profile back for changes.
///
/// Send the submitted profile whose version `If-Match` names back to the
/// supplier with a comment (experts).
#[utoipa::path(
    operation_id = "requestProfileChanges",
    tag = "profiles",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Supplier organisation id"),
        ("If-Match" = String, Header, nullable = false, pattern = r#"^\s*(W/)*"*[0-9]{1,18}"*\s*$"#, description = "The version of the profile reviewed (its ETag)"),
    ),
    request_body = CommentRequest,
    responses(
        (status = 200, body = ProfileView, headers(("ETag" = String, description = "The profile version, to send back in `If-Match`"))),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`profile_<state>`: not submitted", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`precondition_failed`: the profile changed since the version reviewed", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`precondition_required`: send If-Match with the version reviewed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/backoffice/profiles/{id}/request-changes")]
async fn request_changes(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: JsonBody<CommentRequest>,
) -> ApiResult<HttpResponse> {
    let decision = Decision::RequestChanges(if_match(&req)?, body.into_inner().comment);
    decide(&state, auth, *id, decision).await
}

/// Suspend a profile.
///
/// Take a profile off the directory, with the reason (experts).
#[utoipa::path(
    operation_id = "suspendProfile",
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Supplier organisation id")),
    request_body = CommentRequest,
    responses(
        (status = 200, body = ProfileView, headers(("ETag" = String, description = "The profile version, to send back in `If-Match`"))),
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
) -> ApiResult<HttpResponse> {
    decide(
        &state,
        auth,
        *id,
        Decision::Suspend(body.into_inner().comment),
    )
    .await
}

/// Reinstate a profile.
///
/// Put a suspended profile back in the directory (experts).
#[utoipa::path(
    operation_id = "reinstateProfile",
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Supplier organisation id")),
    request_body = ReviewRequest,
    responses(
        (status = 200, body = ProfileView, headers(("ETag" = String, description = "The profile version, to send back in `If-Match`"))),
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
) -> ApiResult<HttpResponse> {
    decide(
        &state,
        auth,
        *id,
        Decision::Reinstate(body.into_inner().comment),
    )
    .await
}

/// List certificates to verify.
///
/// Declared certificates waiting for verification, longest waiting first (experts).
#[utoipa::path(
    operation_id = "listCertificationQueue",
    tag = "profiles",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, body = CertificationQueue),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/backoffice/certifications")]
async fn certification_queue(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<ListQuery>,
) -> ApiResult<web::Json<CertificationQueue>> {
    let query = query.into_inner();
    Ok(web::Json(
        profiles::certification_queue(&state, auth.0, query.cursor, query.limit).await?,
    ))
}

/// Verify a certificate.
///
/// Mark the version `If-Match` names of a declared certificate verified,
/// after seeing its document (experts). A rejected certificate is verified
/// only once the supplier has corrected (re-declared) it.
#[utoipa::path(
    operation_id = "verifyCertification",
    tag = "profiles",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Certificate id"),
        ("If-Match" = String, Header, nullable = false, pattern = r#"^\s*(W/)*"*[0-9]{1,18}"*\s*$"#, description = "The version of the certificate reviewed (`version` of the certificate)"),
    ),
    request_body = ReviewRequest,
    responses(
        (status = 200, body = CertificationView, headers(("ETag" = String, description = "The certificate version"))),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`certification_rejected`: re-declared by the supplier first; `certification_verified`: already verified", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`precondition_failed`: the certificate changed since the version reviewed", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`precondition_required`: send If-Match with the version reviewed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/backoffice/certifications/{id}/verify")]
async fn verify_certification(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: JsonBody<ReviewRequest>,
) -> ApiResult<HttpResponse> {
    let view = profiles::verify_certification(
        &state,
        auth.0,
        CertificationId::from(*id),
        if_match(&req)?,
        CertificateVerdict::Verify {
            comment: body.into_inner().comment,
        },
    )
    .await?;
    let version = view.version;
    Ok(with_etag(HttpResponse::Ok().json(view), version))
}

/// Reject a certificate.
///
/// Reject the version `If-Match` names of a certificate, with the reason:
/// it stops counting (experts).
#[utoipa::path(
    operation_id = "rejectCertification",
    tag = "profiles",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Certificate id"),
        ("If-Match" = String, Header, nullable = false, pattern = r#"^\s*(W/)*"*[0-9]{1,18}"*\s*$"#, description = "The version of the certificate reviewed (`version` of the certificate)"),
    ),
    request_body = CommentRequest,
    responses(
        (status = 200, body = CertificationView, headers(("ETag" = String, description = "The certificate version"))),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`certification_rejected`: already rejected", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`precondition_failed`: the certificate changed since the version reviewed", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`precondition_required`: send If-Match with the version reviewed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/backoffice/certifications/{id}/reject")]
async fn reject_certification(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: JsonBody<CommentRequest>,
) -> ApiResult<HttpResponse> {
    let view = profiles::verify_certification(
        &state,
        auth.0,
        CertificationId::from(*id),
        if_match(&req)?,
        CertificateVerdict::Reject {
            comment: body.into_inner().comment,
        },
    )
    .await?;
    let version = view.version;
    Ok(with_etag(HttpResponse::Ok().json(view), version))
}
