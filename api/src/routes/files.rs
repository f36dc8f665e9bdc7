//! Documents: upload, attach to a request, download; a request's NDA.

use std::ops::Range;

use actix_web::http::StatusCode;
use actix_web::http::header::{
    ACCEPT_RANGES, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_RANGE,
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, HeaderValue, IF_NONE_MATCH, RANGE,
};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use domain::ids::{FileId, SourcingRequestId};
use futures::StreamExt as _;
use openapi::files::{AttachFileRequest, DocumentBytes, FileView, NdaAcceptanceView};
use openapi::paging::{FilePage, ListQuery, NdaAcceptancePage};
use openapi::problem::Problem;
use uuid::Uuid;

use super::Routes;
use super::body::JsonBody;
use crate::app::files::{self, UploadRequest};
use crate::auth::Authenticated;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

pub const FILENAME_HEADER: &str = "X-Filename";

/// Downloads are never rendered by the browser as part of the API's origin:
/// no script, no plugin, sandboxed even if opened directly.
const DOWNLOAD_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; sandbox";

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(upload)
        .service(unattached)
        .service(download)
        .service(metadata)
        .service(delete_file)
        .service(attach_to_request)
        .service(request_files)
        .service(accept_nda)
        .service(nda_acceptances);
}

/// Upload a document.
///
/// The body is the file's bytes (any `Content-Type`; it is ignored), its
/// name in the `X-Filename` header (UTF-8, percent-encoded where needed).
/// The type is detected from the bytes and must be PDF, PNG, JPEG, STEP,
/// IGES, STL, DXF, DOCX, XLSX or ZIP. The file belongs to your organisation,
/// counts against its quota, and is removed unless attached within 24 hours.
/// A retry uploads again (no `Idempotency-Key`): the unattached copy goes
/// after 24 hours.
#[utoipa::path(
    operation_id = "uploadFile",
    tag = "files",
    security(("bearer" = [])),
    params(
        ("X-Filename" = String, Header, description = "The file's name, UTF-8, percent-encoded where needed (`plan%20v2.pdf`); shown sanitised (no path, control or bidirectional characters, at most 200 characters)"),
    ),
    request_body(content = DocumentBytes, content_type = "application/octet-stream"),
    responses(
        (status = 201, body = FileView),
        (status = 400, description = "`invalid_header`: no `X-Filename`, or not UTF-8 once decoded; `bad_request`: the body was cut short", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: the back office uploads no documents", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`: larger than `UPLOAD_LIMIT_BYTES` (25 MiB by default)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_file_type`: the bytes are not an accepted document, whatever the name or `Content-Type` say", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`storage_quota_exceeded`: the organisation's documents would exceed `ORG_STORAGE_QUOTA_BYTES` (1 GiB by default); `validation_failed` on `body` (`required`): an empty file", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/files")]
async fn upload(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    body: web::Payload,
) -> ApiResult<HttpResponse> {
    let name = filename(&req)?;
    let declared_length = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let view = files::upload(
        &state,
        auth.0,
        UploadRequest {
            name,
            declared_length,
        },
        body.boxed_local(),
    )
    .await?;
    Ok(HttpResponse::Created().json(view))
}

/// The `X-Filename` header, percent-decoded.
fn filename(req: &HttpRequest) -> ApiResult<String> {
    let missing = || {
        ApiError::coded(
            ErrorCode::InvalidHeader,
            format!("{FILENAME_HEADER} must name the file (UTF-8, percent-encoded)"),
        )
    };
    let raw = req.headers().get(FILENAME_HEADER).ok_or_else(missing)?;
    let decoded = percent_decode(raw.as_bytes()).ok_or_else(missing)?;
    if decoded.trim().is_empty() {
        return Err(missing());
    }
    Ok(decoded)
}

fn percent_decode(raw: &[u8]) -> Option<String> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' {
            let hex = std::str::from_utf8(raw.get(i + 1..i + 3)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            bytes.push(raw[i]);
            i += 1;
        }
    }
    String::from_utf8(bytes).ok()
}

/// Download a document.
///
/// The file's bytes, to whoever reads what it is attached to (a request's
/// buyer, the experts, its invited suppliers, after its NDA when it
/// requires one); an unattached file to its organisation. Served as an
/// attachment (never rendered inline), with `ETag` (the SHA-256) and
/// `Range` support (one range).
#[utoipa::path(
    operation_id = "downloadFile",
    tag = "files",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "File id"),
        ("Range" = Option<String>, Header, description = "One byte range, e.g. `bytes=0-1023` or `bytes=-500`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag you hold: 304 when unchanged"),
    ),
    responses(
        (status = 200, description = "The whole file, in the media type read from its bytes at upload", content((DocumentBytes = "application/pdf"), (DocumentBytes = "image/png"), (DocumentBytes = "image/jpeg"), (DocumentBytes = "model/step"), (DocumentBytes = "model/iges"), (DocumentBytes = "model/stl"), (DocumentBytes = "image/vnd.dxf"), (DocumentBytes = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (DocumentBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (DocumentBytes = "application/zip")),
         headers(
            ("ETag" = String, description = "The SHA-256 of the bytes, quoted"),
            ("Content-Disposition" = String, description = "`attachment` with the sanitised name"),
            ("Accept-Ranges" = String, description = "`bytes`"),
         )),
        (status = 206, description = "The range asked", content((DocumentBytes = "application/pdf"), (DocumentBytes = "image/png"), (DocumentBytes = "image/jpeg"), (DocumentBytes = "model/step"), (DocumentBytes = "model/iges"), (DocumentBytes = "model/stl"), (DocumentBytes = "image/vnd.dxf"), (DocumentBytes = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (DocumentBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (DocumentBytes = "application/zip")),
         headers(("Content-Range" = String, description = "`bytes start-end/size`"))),
        (status = 304, description = "Unchanged since the ETag sent in `If-None-Match`"),
        (status = 403, description = "`nda_required`: accept the request's non-disclosure agreement first", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such file, or not yours to read", body = Problem, content_type = "application/problem+json"),
        (status = 416, description = "`range_not_satisfiable`: the range is outside the file", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/files/{id}")]
async fn download(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let range_header = req
        .headers()
        .get(RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let if_none_match = req.headers().get(IF_NONE_MATCH).cloned();
    let served = files::download(&state, auth.0, FileId::from(*id), move |size| {
        range_header
            .as_deref()
            .map(|h| parse_range(h, size))
            .transpose()
            .map(Option::flatten)
    })
    .await;
    let served = served?;
    let etag = format!("\"{}\"", served.file.sha256);
    let unchanged = if_none_match
        .as_ref()
        .is_some_and(|v| v.as_bytes() == etag.as_bytes());
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::build(if served.range.is_some() {
            StatusCode::PARTIAL_CONTENT
        } else {
            StatusCode::OK
        })
    };
    response
        .insert_header((CONTENT_TYPE, served.file.document_type.media_type()))
        .insert_header((ETAG, etag.clone()))
        .insert_header((ACCEPT_RANGES, "bytes"))
        .insert_header((CONTENT_DISPOSITION, content_disposition(&served.file.name)))
        .insert_header((CONTENT_SECURITY_POLICY, DOWNLOAD_POLICY))
        .insert_header((CACHE_CONTROL, "private, no-cache"));
    if unchanged {
        return Ok(response.finish());
    }
    let length = match &served.range {
        Some(range) => {
            response.insert_header((
                CONTENT_RANGE,
                format!(
                    "bytes {}-{}/{}",
                    range.start,
                    range.end - 1,
                    served.download.size
                ),
            ));
            range.end - range.start
        }
        None => served.download.size,
    };
    // The store's errors mid-stream end the connection: the client sees a
    // short body against Content-Length, never a silently truncated file.
    let bytes = served
        .download
        .bytes
        .map(|chunk| chunk.map_err(|e| std::io::Error::other(e.to_string())));
    Ok(response.no_chunking(length).streaming(bytes))
}

/// Read a document's description.
///
/// Name, size, media type, SHA-256, upload time and what it is attached to,
/// to whoever may download the file (same rules as `GET /api/v1/files/{id}`).
#[utoipa::path(
    operation_id = "getFileMetadata",
    tag = "files",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "File id")),
    responses(
        (status = 200, body = FileView),
        (status = 403, description = "`nda_required`: accept the request's non-disclosure agreement first", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such file, or not yours to read", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/files/{id}/metadata")]
async fn metadata(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<FileView>> {
    Ok(web::Json(
        files::metadata(&state, auth.0, FileId::from(*id)).await?,
    ))
}

/// List your organisation's unattached documents.
///
/// Uploaded files of your organisation not attached to anything yet, oldest
/// first: each is removed 24 hours after its upload unless attached.
#[utoipa::path(
    operation_id = "listUnattachedFiles",
    tag = "files",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, body = FilePage),
        (status = 400, description = "`invalid_query`: a `cursor` this list did not issue (`errors[0].field` is `cursor`), or `limit` not an integer", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: the back office holds no documents", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: `limit` outside 1-100 (`out_of_range`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/files")]
async fn unattached(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: web::Query<ListQuery>,
) -> ApiResult<web::Json<FilePage>> {
    Ok(web::Json(
        files::unattached(&state, auth.0, query.into_inner()).await?,
    ))
}

/// Delete a document.
///
/// Your organisation's file, unattached or attached to what still lets it
/// go: a request you may still edit (draft, changes requested), a
/// certificate not verified, your profile. A submitted quote revision's, a
/// given answer's and a verified certificate's files are kept for good. The
/// bytes are removed from storage after the deletion commits.
#[utoipa::path(
    operation_id = "deleteFile",
    tag = "files",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "File id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "`forbidden`: only the buyer changes its request's documents; `organisation_suspended`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such file of your organisation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`file_immutable`: the file belongs to a submitted quote revision, a given answer or a verified certificate; `request_<state>`: the request is past editing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/files/{id}")]
async fn delete_file(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    files::delete(&state, auth.0, FileId::from(*id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// One range of `bytes=`; `None` (the whole file) for anything else the
/// RFC lets a server ignore (several ranges, another unit, bad syntax).
fn parse_range(header: &str, size: u64) -> ApiResult<Option<Range<u64>>> {
    let unsatisfiable = || {
        ApiError::coded(
            ErrorCode::RangeNotSatisfiable,
            format!("the file has {size} bytes"),
        )
    };
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((start, end)) = spec.split_once('-') else {
        return Ok(None);
    };
    let (start, end) = (start.trim(), end.trim());
    let parse = |s: &str| s.parse::<u64>().ok();
    let range = match (start.is_empty(), end.is_empty()) {
        // `bytes=-500`: the last 500 bytes.
        (true, false) => match parse(end) {
            Some(0) => return Err(unsatisfiable()),
            Some(n) => size.saturating_sub(n)..size,
            None => return Ok(None),
        },
        (false, true) => match parse(start) {
            Some(s) => s..size,
            None => return Ok(None),
        },
        (false, false) => match (parse(start), parse(end)) {
            (Some(s), Some(e)) if s <= e => s..(e + 1).min(size),
            _ => return Ok(None),
        },
        (true, true) => return Ok(None),
    };
    if range.start >= size || range.start >= range.end {
        return Err(unsatisfiable());
    }
    Ok(Some(range))
}

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266).
fn content_disposition(name: &domain::documents::DisplayName) -> HeaderValue {
    let encoded: String = name
        .as_str()
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let value = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{encoded}",
        ascii_fallback(name.as_str())
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// The name in ASCII, for the `filename=` fallback of
/// `Content-Disposition` (non-ASCII letters become `_`).
fn ascii_fallback(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | ';' | '%') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Attach a document to a request.
///
/// The buyer attaches an uploaded file of its organisation to its request
/// while it may edit it (draft, changes requested). A file is attached
/// once, and stays: it is no longer removed after 24 hours.
#[utoipa::path(
    operation_id = "attachRequestFile",
    tag = "files",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    request_body = AttachFileRequest,
    responses(
        (status = 200, body = FileView),
        (status = 403, description = "`forbidden`: only the buyer attaches", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`: no such request, or no such file of your organisation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`file_attached`: the file is attached already; `request_<status>`: the request is past editing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/requests/{id}/files")]
async fn attach_to_request(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody<AttachFileRequest>,
) -> ApiResult<web::Json<FileView>> {
    let file = FileId::from(body.into_inner().file_id);
    Ok(web::Json(
        files::attach_to_request(&state, auth.0, SourcingRequestId::from(*id), file).await?,
    ))
}

/// List a request's documents.
///
/// To the buyer, the experts and the invited suppliers (after the NDA when
/// the request requires one).
#[utoipa::path(
    operation_id = "listRequestFiles",
    tag = "files",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    responses(
        (status = 200, body = FilePage),
        (status = 403, description = "`nda_required`: accept the request's non-disclosure agreement first", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/requests/{id}/files")]
async fn request_files(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<FilePage>> {
    Ok(web::Json(
        files::of_request(&state, auth.0, SourcingRequestId::from(*id))
            .await
            .map(|items| FilePage {
                items,
                next_cursor: None,
            })?,
    ))
}

/// Accept a request's NDA.
///
/// An invited supplier accepts the non-disclosure agreement of a request
/// that requires one (`nda_required`); its documents open to it. Recorded
/// in the request's history; accepting again changes nothing.
#[utoipa::path(
    operation_id = "acceptRequestNda",
    tag = "files",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    responses(
        (status = 200, description = "Your organisation's acceptance", body = Vec<NdaAcceptanceView>),
        (status = 403, description = "`forbidden`: only an invited supplier accepts", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`nda_not_required`: the request requires no NDA", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/requests/{id}/nda")]
async fn accept_nda(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<Vec<NdaAcceptanceView>>> {
    Ok(web::Json(
        files::accept_nda(&state, auth.0, SourcingRequestId::from(*id)).await?,
    ))
}

/// Who accepted a request's NDA.
///
/// The buyer and the experts see every supplier that accepted; an invited
/// supplier sees its own acceptance.
#[utoipa::path(
    operation_id = "listRequestNdaAcceptances",
    tag = "files",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    responses(
        (status = 200, body = NdaAcceptancePage),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/requests/{id}/nda")]
async fn nda_acceptances(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<NdaAcceptancePage>> {
    Ok(web::Json(
        files::nda_acceptances(&state, auth.0, SourcingRequestId::from(*id))
            .await
            .map(|items| NdaAcceptancePage {
                items,
                next_cursor: None,
            })?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ascii_fallback_of_a_name_replaces_what_is_not_plain_ascii() {
        let name = domain::documents::DisplayName::sanitise("Très bien.pdf");
        assert_eq!(ascii_fallback(name.as_str()), "Tr_s bien.pdf");
    }

    #[test]
    fn one_range_is_served_others_are_the_whole_file() {
        assert_eq!(parse_range("bytes=0-9", 100).ok(), Some(Some(0..10)));
        assert_eq!(parse_range("bytes=90-", 100).ok(), Some(Some(90..100)));
        assert_eq!(parse_range("bytes=-10", 100).ok(), Some(Some(90..100)));
        assert_eq!(parse_range("bytes=-500", 100).ok(), Some(Some(0..100)));
        assert_eq!(parse_range("bytes=50-500", 100).ok(), Some(Some(50..100)));
        assert_eq!(parse_range("bytes=0-1,5-6", 100).ok(), Some(None));
        assert_eq!(parse_range("items=0-1", 100).ok(), Some(None));
        assert_eq!(parse_range("bytes=x-y", 100).ok(), Some(None));
        assert!(parse_range("bytes=100-", 100).is_err());
        assert!(parse_range("bytes=-0", 100).is_err());
    }

    #[test]
    fn names_are_percent_decoded_and_disposed_safely() {
        assert_eq!(
            percent_decode(b"plan%20v2.pdf").as_deref(),
            Some("plan v2.pdf")
        );
        assert_eq!(
            percent_decode(b"%C3%A9t%C3%A9.pdf").as_deref(),
            Some("été.pdf")
        );
        assert_eq!(percent_decode(b"%ZZ"), None);
        assert_eq!(percent_decode(b"%FF"), None);
        let name = domain::documents::DisplayName::sanitise("Devis \"final\"; été.pdf");
        let header = content_disposition(&name);
        assert_eq!(
            header.to_str().ok(),
            Some(
                "attachment; filename=\"Devis _final__ _t_.pdf\"; filename*=UTF-8''Devis%20_final_%3B%20%C3%A9t%C3%A9.pdf"
            )
        );
    }
}
