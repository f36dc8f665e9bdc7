use super::Routes;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use domain::documents::ProfileDocument;
use domain::ids::{CertificationId, FileId, OrganisationId};
use openapi::directory::{CertificationInput, CertificationView, ProfileInput, ProfileView};
use openapi::files::{AttachFileRequest, FileView};
use openapi::paging::{AuditEntryPage, ListQuery};
use openapi::problem::Problem;
use uuid::Uuid;

use super::body::JsonBody;
use super::{if_match, with_etag};
use crate::app::{attachments, profiles};
use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(get_profile)
        .service(save_profile)
        .service(submit_profile)
        .service(profile_history)
        .service(add_certification)
        .service(update_certification)
        .service(delete_certification)
        .service(attach_proof)
        .service(set_logo)
        .service(set_brochure);
}

/// Attach a proof to a certificate.
///
/// The supplier attaches an uploaded file of its organisation (the
/// certificate's scan, the body's letter) for the experts, who see it in
/// their queue and on verification. Not on a verified certificate: its
/// proofs stay what the expert saw (change the certificate to submit new
/// ones).
#[utoipa::path(
    operation_id = "attachCertificationProof",
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Supplier organisation id"), ("cert_id" = Uuid, Path, description = "Certificate id")),
    request_body = AttachFileRequest,
    responses(
        (status = 200, body = CertificationView, description = "The certificate with its proofs"),
        (status = 403, description = "`forbidden`: only the organisation's own users attach proofs; `organisation_suspended`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such certificate, or no such file of your organisation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`file_attached`: the file is attached already; `certification_verified`: the certificate is verified", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/organisations/{id}/certifications/{cert_id}/files")]
async fn attach_proof(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
    body: JsonBody<AttachFileRequest>,
) -> ApiResult<web::Json<CertificationView>> {
    let (org, cert) = path.into_inner();
    Ok(web::Json(
        attachments::attach_proof(
            &state,
            auth.0,
            org.into(),
            CertificationId::from(cert),
            FileId::from(body.into_inner().file_id),
        )
        .await?,
    ))
}

/// Set the profile's logo.
///
/// An uploaded image of your organisation (PNG or JPEG, or any accepted
/// document) becomes the profile's logo, replacing the previous one; anyone
/// reads it once the profile is published.
#[utoipa::path(
    operation_id = "setProfileLogo",
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Supplier organisation id")),
    request_body = AttachFileRequest,
    responses(
        (status = 200, body = FileView),
        (status = 403, description = "`forbidden`: only the organisation's own users edit its profile; `organisation_suspended`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such profile, or no such file of your organisation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`file_attached`: the file is attached already", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/organisations/{id}/profile/logo")]
async fn set_logo(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody<AttachFileRequest>,
) -> ApiResult<web::Json<FileView>> {
    set_document(state, auth, id, body, ProfileDocument::Logo).await
}

async fn set_document(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody<AttachFileRequest>,
    document: ProfileDocument,
) -> ApiResult<web::Json<FileView>> {
    let file = FileId::from(body.into_inner().file_id);
    let profile = (*id).into();
    let view = attachments::set_profile_document(&state, auth.0, profile, document, file).await?;
    Ok(web::Json(view))
}

/// Set the profile's brochure.
///
/// An uploaded document of your organisation becomes the profile's
/// brochure, replacing the previous one; anyone reads it once the profile
/// is published.
#[utoipa::path(
    operation_id = "setProfileBrochure",
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Supplier organisation id")),
    request_body = AttachFileRequest,
    responses(
        (status = 200, body = FileView),
        (status = 403, description = "`forbidden`: only the organisation's own users edit its profile; `organisation_suspended`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such profile, or no such file of your organisation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`file_attached`: the file is attached already", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/organisations/{id}/profile/brochure")]
async fn set_brochure(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody<AttachFileRequest>,
) -> ApiResult<web::Json<FileView>> {
    set_document(state, auth, id, body, ProfileDocument::Brochure).await
}

/// Get a supplier's profile.
///
/// The supplier's profile: working copy, published version, review status
/// and certificates (the supplier's users and the back office).
#[utoipa::path(
    operation_id = "getProfile",
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Supplier organisation id")),
    responses(
        (status = 200, body = ProfileView, headers(("ETag" = String, description = "The profile version"))),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organisations/{id}/profile")]
async fn get_profile(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let view = profiles::get(&state, auth.0, OrganisationId::from(*id)).await?;
    let version = view.version;
    Ok(with_etag(HttpResponse::Ok().json(view), version))
}

/// Create or edit a profile.
///
/// Create the profile, or edit it with `If-Match: "<version>"`.
///
/// Edits to a published profile go to review; the published version stays
/// public until an expert approves the new one. A profile under review
/// (submitted) cannot be edited until the expert decides (409).
#[utoipa::path(
    operation_id = "saveProfile",
    tag = "profiles",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Supplier organisation id"),
        ("If-Match" = Option<String>, Header, nullable = false, pattern = r#"^\s*(W/)*"*[0-9]{1,18}"*\s*$"#, description = "Version being edited; required once the profile exists"),
    ),
    request_body = ProfileInput,
    responses(
        (status = 200, body = ProfileView, description = "Edited", headers(("ETag" = String, description = "The profile version, to send back in `If-Match`"))),
        (status = 201, body = ProfileView, description = "Created", headers(("ETag" = String, description = "The profile version, to send back in `If-Match`"))),
        (status = 403, description = "`forbidden`: experts review, suppliers edit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`profile_submitted`: under review, wait for the expert's decision; `profile_suspended`", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`precondition_failed`: someone saved a newer version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`precondition_required`: send If-Match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/organisations/{id}/profile")]
async fn save_profile(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: JsonBody<ProfileInput>,
) -> ApiResult<HttpResponse> {
    let (view, created) = profiles::save(
        &state,
        auth.0,
        OrganisationId::from(*id),
        if_match(&req)?,
        body.into_inner(),
    )
    .await?;
    let version = view.version;
    let response = if created {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    };
    Ok(with_etag(response, version))
}

/// Submit a profile for review.
///
/// Submit the profile for review by the cluster's experts.
#[utoipa::path(
    operation_id = "submitProfile",
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Supplier organisation id")),
    responses(
        (status = 200, body = ProfileView),
        (status = 403, description = "`forbidden`: only the organisation's own users edit its profile and certificates", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`profile_<state>`: not in draft or changes requested", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: incomplete profile", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/organisations/{id}/profile/submit")]
async fn submit_profile(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<ProfileView>> {
    Ok(web::Json(
        profiles::submit(&state, auth.0, OrganisationId::from(*id)).await?,
    ))
}

/// List a profile's history.
///
/// Edits and review decisions of the profile, oldest first.
#[utoipa::path(
    operation_id = "listProfileHistory",
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Supplier organisation id"), ListQuery),
    responses(
        (status = 200, body = AuditEntryPage),
        (status = 400, description = "`invalid_query`: a `cursor` this list did not issue (`errors[0].field` is `cursor`), or `limit` not an integer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: `limit` outside 1-100 (`out_of_range`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organisations/{id}/profile/history")]
async fn profile_history(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    query: web::Query<ListQuery>,
) -> ApiResult<web::Json<AuditEntryPage>> {
    Ok(web::Json(
        profiles::history(
            &state,
            auth.0,
            OrganisationId::from(*id),
            query.into_inner(),
        )
        .await?,
    ))
}

/// Declare a certificate.
///
/// Declare a certificate. It counts at once as "declared" until an expert
/// verifies or rejects it, and stops counting after its last valid day.
#[utoipa::path(
    operation_id = "addCertification",
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Supplier organisation id")),
    request_body = CertificationInput,
    responses(
        (status = 201, body = CertificationView),
        (status = 403, description = "`forbidden`: only the organisation's own users edit its profile and certificates", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/organisations/{id}/certifications")]
async fn add_certification(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody<CertificationInput>,
) -> ApiResult<HttpResponse> {
    let created =
        profiles::add_certification(&state, auth.0, OrganisationId::from(*id), body.into_inner())
            .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Correct a certificate.
///
/// Correct a certificate (renewal, scope); it goes back to "declared".
#[utoipa::path(
    operation_id = "updateCertification",
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Supplier organisation id"), ("cert_id" = Uuid, Path, description = "Certificate id")),
    request_body = CertificationInput,
    responses(
        (status = 200, body = CertificationView),
        (status = 403, description = "`forbidden`: only the organisation's own users edit its profile and certificates", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/organisations/{id}/certifications/{cert_id}")]
async fn update_certification(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
    body: JsonBody<CertificationInput>,
) -> ApiResult<web::Json<CertificationView>> {
    let (org, cert) = path.into_inner();
    let view = profiles::update_certification(
        &state,
        auth.0,
        org.into(),
        CertificationId::from(cert),
        body.into_inner(),
    )
    .await?;
    Ok(web::Json(view))
}

/// Remove a certificate.
///
/// Remove a certificate.
#[utoipa::path(
    operation_id = "deleteCertification",
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Supplier organisation id"), ("cert_id" = Uuid, Path, description = "Certificate id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "`forbidden`: only the organisation's own users edit its profile and certificates", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/organisations/{id}/certifications/{cert_id}")]
async fn delete_certification(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (org, cert) = path.into_inner();
    profiles::delete_certification(&state, auth.0, org.into(), CertificationId::from(cert)).await?;
    Ok(HttpResponse::NoContent().finish())
}
