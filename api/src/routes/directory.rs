use super::Routes;
use actix_web::http::header::ACCEPT_LANGUAGE;
use actix_web::{HttpRequest, get, post, web};
use domain::ids::OrganisationId;
use openapi::directory::{
    CapabilityView, CertificationTypeView, LanguageQuery, NewCapabilityRequest, PublicProfileView,
    SupplierSearchQuery, SupplierSearchResponse, TaxonomyNodeView,
};
use openapi::problem::Problem;
use uuid::Uuid;

use super::body::JsonBody;
use crate::app::directory;
use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(taxonomy)
        .service(add_capability)
        .service(certification_types)
        .service(search_suppliers)
        .service(supplier);
}

fn accept_language(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
}

/// The capability taxonomy ("briques technologiques") as a tree, in French
/// or English (`lang`, else `Accept-Language`).
#[utoipa::path(
    tag = "directory",
    params(LanguageQuery),
    responses((status = 200, body = Vec<TaxonomyNodeView>))
)]
#[get("/taxonomy")]
async fn taxonomy(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<LanguageQuery>,
) -> ApiResult<web::Json<Vec<TaxonomyNodeView>>> {
    let language = directory::language(query.lang.as_deref(), accept_language(&req))?;
    Ok(web::Json(directory::taxonomy(&state, language).await?))
}

/// Add a capability to the taxonomy (admins).
#[utoipa::path(
    tag = "directory",
    security(("bearer" = [])),
    request_body = NewCapabilityRequest,
    responses(
        (status = 201, body = CapabilityView),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`capability_exists`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/admin/taxonomy")]
async fn add_capability(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: JsonBody<NewCapabilityRequest>,
) -> ApiResult<actix_web::HttpResponse> {
    let created = directory::add_capability(&state, auth.0, body.into_inner()).await?;
    Ok(actix_web::HttpResponse::Created().json(created))
}

/// The certification types a supplier can declare.
#[utoipa::path(tag = "directory", params(LanguageQuery), responses((status = 200, body = Vec<CertificationTypeView>)))]
#[get("/certification-types")]
async fn certification_types(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<LanguageQuery>,
) -> ApiResult<web::Json<Vec<CertificationTypeView>>> {
    let language = directory::language(query.lang.as_deref(), accept_language(&req))?;
    Ok(web::Json(
        directory::certification_types(&state, language).await?,
    ))
}

/// Search the directory of published suppliers (no login needed).
///
/// Free text is typo-tolerant, accent-insensitive and bilingual: a French
/// query finds a supplier described in English and the reverse. Filters
/// take comma-separated values; facet counts are computed over the results.
#[utoipa::path(
    tag = "directory",
    params(SupplierSearchQuery),
    responses(
        (status = 200, body = SupplierSearchResponse),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/suppliers")]
async fn search_suppliers(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<SupplierSearchQuery>,
) -> ApiResult<web::Json<SupplierSearchResponse>> {
    let query = query.into_inner();
    let language = directory::language(query.lang.as_deref(), accept_language(&req))?;
    Ok(web::Json(directory::search(&state, query, language).await?))
}

/// A published supplier profile (no login needed).
#[utoipa::path(
    tag = "directory",
    params(("id" = Uuid, Path, description = "Supplier organisation id"), LanguageQuery),
    responses(
        (status = 200, body = PublicProfileView),
        (status = 404, description = "`not_found`: no published profile", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/suppliers/{id}")]
async fn supplier(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    query: web::Query<LanguageQuery>,
) -> ApiResult<web::Json<PublicProfileView>> {
    let language = directory::language(query.lang.as_deref(), accept_language(&req))?;
    Ok(web::Json(
        directory::public_profile(&state, OrganisationId::from(*id), language).await?,
    ))
}
