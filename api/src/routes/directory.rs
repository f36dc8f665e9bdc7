use super::Routes;
use actix_web::http::header::ACCEPT_LANGUAGE;
use actix_web::{HttpRequest, get, post, web};
use domain::ids::OrganisationId;
use openapi::directory::{
    CapabilityView, CertificationTypeView, LanguageQuery, NewCapabilityRequest, PublicProfileView,
    SuggestionQuery, SuggestionView, SupplierSearchQuery, SupplierSearchResponse, TaxonomyNodeView,
};
use openapi::problem::Problem;
use uuid::Uuid;

use super::body::JsonBody;
use crate::app::{directory, suggestions};
use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(taxonomy)
        .service(suggest_capabilities)
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

/// Get the capability taxonomy.
///
/// The capability taxonomy ("briques technologiques") as a tree, in French
/// or English (`lang`, else `Accept-Language`).
#[utoipa::path(
    operation_id = "getTaxonomy",
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

/// Suggest capabilities for a need.
///
/// The capabilities and certification types a need in free text names (no login needed).
///
/// For a buyer who describes a need in their own words, in French or
/// English: "Nous recherchons un sous-traitant pour usiner des implants en
/// titane, certifié ISO 13485" suggests `machining` and `iso_13485`. Accents,
/// case, typos (one from 5 letters, two from 9; none in numbers), plurals
/// and verb forms (usiner/usinage, machined/machining), capability synonyms
/// and request fluff ("je cherche un prestataire", "we need a supplier",
/// "devis urgent") are handled. A word naming a sub-capability prefers it to
/// its parent; a word naming only the parent suggests the parent. A text
/// naming nothing (empty, or only stop words) gives an empty list. Labels
/// are in French or English (`lang`, else `Accept-Language`).
#[utoipa::path(
    operation_id = "suggestCapabilities",
    tag = "directory",
    params(SuggestionQuery),
    responses(
        (status = 200, description = "Suggestions, best first (highest score, then capabilities before certifications, then by code); empty when the text names nothing", body = Vec<SuggestionView>),
        (status = 400, description = "`invalid_query`: `text` missing, `limit` not an integer, or `lang` neither fr nor en", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: `text` over 2000 characters (`too_long`) or `limit` outside 1-20 (`out_of_range`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/taxonomy/suggestions")]
async fn suggest_capabilities(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<SuggestionQuery>,
) -> ApiResult<web::Json<Vec<SuggestionView>>> {
    let query = query.into_inner();
    let language = directory::language(query.lang.as_deref(), accept_language(&req))?;
    Ok(web::Json(
        suggestions::suggest(&state, query, language).await?,
    ))
}

/// Add a capability.
///
/// Add a capability to the taxonomy (admins).
#[utoipa::path(
    operation_id = "addCapability",
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

/// List certification types.
///
/// The certification types a supplier can declare.
#[utoipa::path(operation_id = "listCertificationTypes", tag = "directory", params(LanguageQuery), responses((status = 200, body = Vec<CertificationTypeView>)))]
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

/// Search suppliers.
///
/// Search the directory of published suppliers (no login needed).
///
/// Free text is typo-tolerant, accent-insensitive and bilingual: a French
/// query finds a supplier described in English and the reverse. Filters
/// take comma-separated values; facet counts are computed over the results.
#[utoipa::path(
    operation_id = "searchSuppliers",
    tag = "directory",
    params(SupplierSearchQuery),
    responses(
        (status = 200, body = SupplierSearchResponse),
        (status = 400, description = "`invalid_query`: a `cursor` this search did not issue (`errors[0].field` is `cursor`), or a parameter of the wrong type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: `limit` outside 1-100 (`out_of_range`), an unknown `sort`, capability or sector, `q` over 200 characters", body = Problem, content_type = "application/problem+json"),
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

/// Get a published supplier.
///
/// A published supplier profile (no login needed).
#[utoipa::path(
    operation_id = "getSupplier",
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
