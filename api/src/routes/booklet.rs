use actix_web::http::header::{
    ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, ETAG, LOCATION, RETRY_AFTER,
};
use actix_web::{HttpRequest, HttpResponse, get, web};
use openapi::booklet::{BookletJobStatus, BookletJobView, BookletPdf, BookletQuery};
use openapi::problem::Problem;

use super::Routes;
use crate::app::booklet::{self, BookletAnswer};
use crate::error::ApiResult;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(get_booklet).service(get_booklet_edition);
}

const EDITIONS: &str = "/api/v1/publications/booklet/editions";

fn answer(answer: BookletAnswer) -> HttpResponse {
    match answer {
        BookletAnswer::Ready { key, pdf } => HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, "application/pdf"))
            .insert_header((
                CONTENT_DISPOSITION,
                format!("inline; filename=\"booklet-{key}.pdf\""),
            ))
            .insert_header((ETAG, format!("\"{key}\"")))
            // Public data, but a new approval makes another edition: check.
            .insert_header((CACHE_CONTROL, "public, no-cache"))
            .body(pdf),
        BookletAnswer::Running { key } => {
            let location = format!("{EDITIONS}/{key}");
            HttpResponse::Accepted()
                .insert_header((LOCATION, location.clone()))
                .insert_header((RETRY_AFTER, "2"))
                .json(BookletJobView {
                    edition: key.to_string(),
                    status: BookletJobStatus::Running,
                    location,
                })
        }
    }
}

/// Get the competence booklet.
///
/// The cluster's competence booklet ("livret de compétences") as a PDF, in
/// French or English (`lang`, else `Accept-Language`), from the published
/// profiles as of today: a cover with the edition date, contents by
/// capability family, one entry per supplier (city, capabilities and their
/// details, certificates valid today, sectors, equipment, working
/// languages, public contact, website) and indexes of capabilities and
/// certifications with their pages. Never a private contact, an unpublished
/// or suspended profile, or an expired or rejected certificate. No login
/// needed.
///
/// Typesetting takes seconds, so it runs in the background: the first call
/// for an edition (these filters and language on today's data) answers 202
/// with a `Location` to poll; once typeset, the same call answers the PDF
/// at once until the data changes.
#[utoipa::path(
    operation_id = "getBooklet",
    tag = "publications",
    params(BookletQuery),
    responses(
        (status = 200, description = "The booklet, typeset already", content((BookletPdf = "application/pdf")),
         headers(
            ("ETag" = String, description = "The edition's key, quoted"),
            ("Content-Disposition" = String, description = "`inline` with the file name"),
         )),
        (status = 202, description = "Being typeset: poll `Location` (also in the body)", body = BookletJobView,
         headers(
            ("Location" = String, description = "The edition's status URL"),
            ("Retry-After" = String, description = "Seconds before polling"),
         )),
        (status = 400, description = "`invalid_query`: `lang` neither fr nor en, or `members_only` not a boolean", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: an unknown `sector` (`invalid_sector`), a `family` that is not a top-level code (`not_a_family`) or not in the taxonomy (`unknown_capability`), a `region` over 100 characters", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`service_unavailable`: too many booklets are being typeset; retry later", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/publications/booklet")]
async fn get_booklet(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<BookletQuery>,
) -> ApiResult<HttpResponse> {
    let accept_language = req
        .headers()
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Ok(answer(
        booklet::booklet(&state, query.into_inner(), accept_language).await?,
    ))
}

/// Get a booklet edition.
///
/// Where a 202 from `getBooklet` points: 202 while the edition is being
/// typeset, then the PDF. No login needed.
#[utoipa::path(
    operation_id = "getBookletEdition",
    tag = "publications",
    params(("key" = String, Path, description = "The edition's key (32 hex digits)", pattern = "^[0-9a-f]{32}$")),
    responses(
        (status = 200, description = "The booklet", content((BookletPdf = "application/pdf")),
         headers(
            ("ETag" = String, description = "The edition's key, quoted"),
            ("Content-Disposition" = String, description = "`inline` with the file name"),
         )),
        (status = 202, description = "Still being typeset: poll again", body = BookletJobView,
         headers(
            ("Location" = String, description = "This URL"),
            ("Retry-After" = String, description = "Seconds before polling"),
         )),
        (status = 404, description = "`not_found`: no such edition on this server (never asked, or removed since: ask `getBooklet` again)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/publications/booklet/editions/{key}")]
async fn get_booklet_edition(
    state: web::Data<AppState>,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    Ok(answer(booklet::edition(&state, &key).await?))
}
