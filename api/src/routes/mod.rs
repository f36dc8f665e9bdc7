//! HTTP routes, one module per resource. Handlers extract, call one
//! application function and shape the response; nothing else.

pub mod admin;
pub mod auth;
pub mod backoffice;
mod body;
pub mod booklet;
pub mod directory;
pub mod events;
pub mod files;
pub mod health;
pub mod me;
pub mod organisations;
pub mod profiles;
pub mod publications;
pub mod requests;
pub mod webhooks;

use actix_web::dev::HttpServiceFactory;
use actix_web::http::header::{ETAG, IF_MATCH};
use actix_web::{HttpRequest, HttpResponse};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{
    ContentBuilder, ObjectBuilder, OpenApi, Ref, RefOr, Required, ResponseBuilder, Type,
};
use utoipa_actix_web::OpenApiFactory;

/// Where handlers are registered. utoipa's configuration also collects each
/// handler's OpenAPI operation, which the document needs once; every worker
/// builds its app with actix's own, sparing it megabytes of schemas.
pub trait Routes {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static;
}

impl Routes for utoipa_actix_web::service_config::ServiceConfig<'_> {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        utoipa_actix_web::service_config::ServiceConfig::service(self, factory)
    }
}

impl Routes for actix_web::web::ServiceConfig {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        actix_web::web::ServiceConfig::service(self, factory)
    }
}

/// Routes under `/api/v1`.
pub fn api_v1(cfg: &mut impl Routes) {
    auth::configure(cfg);
    me::configure(cfg);
    organisations::configure(cfg);
    profiles::configure(cfg);
    requests::configure(cfg);
    files::configure(cfg);
    directory::configure(cfg);
    backoffice::configure(cfg);
    publications::configure(cfg);
    admin::configure(cfg);
    events::configure(cfg);
    webhooks::configure(cfg);
    booklet::configure(cfg);
}

/// The version a client edits, from `If-Match: "7"` (or `7`).
///
/// `If-Match: *` ("any current version", RFC 9110 §13.1.1) is refused: on
/// these routes the object always exists, so `*` would always match and
/// turn off the lost-update check the header is required for.
pub fn if_match(req: &HttpRequest) -> crate::error::ApiResult<Option<i64>> {
    use crate::error::{ApiError, ErrorCode};
    let Some(value) = req.headers().get(IF_MATCH) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .unwrap_or_default();
    if value == "*" {
        return Err(ApiError::coded(
            ErrorCode::InvalidHeader,
            "If-Match: * is not accepted: send the ETag of the version you edited, e.g. \"3\"",
        ));
    }
    // Digits only, as documented: no sign, never out of range.
    Some(value)
        .filter(|v| (1..=18).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|v| v.parse().ok())
        .map(Some)
        .ok_or_else(|| {
            ApiError::coded(
                ErrorCode::InvalidHeader,
                "If-Match holds the ETag of the version you edited, e.g. \"3\"",
            )
        })
}

/// Sets the `ETag` of an optimistically-locked object to its version.
pub fn with_etag(mut response: HttpResponse, version: i64) -> HttpResponse {
    if let Ok(value) = format!("\"{version}\"").parse() {
        response.headers_mut().insert(ETAG, value);
    }
    response
}

/// Adds the error responses every operation can give (malformed input,
/// overload, internal error), and 401 to every secured operation, so each
/// operation of the document lists all its errors.
pub fn add_common_responses(openapi: &mut OpenApi) {
    let optional_bodies = optional_bodies(openapi);
    for (path, item) in openapi.paths.paths.iter_mut() {
        let acts_for_organisation = !crate::auth::extractor::SELF_SERVICE.contains(&path.as_str());
        for (writes, operation) in [
            (false, &mut item.get),
            (true, &mut item.post),
            (true, &mut item.put),
            (true, &mut item.patch),
            (true, &mut item.delete),
        ]
        .into_iter()
        .filter_map(|(writes, operation)| operation.as_mut().map(|o| (writes, o)))
        {
            let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            // A body without required fields may be left out: no body
            // reads as `{}` (see `body`), e.g. on transitions.
            if let Some(RefOr::T(body)) = operation.request_body.as_mut() {
                let schema = body.content.values().find_map(|c| match c {
                    RefOr::T(c) => match &c.schema {
                        Some(RefOr::Ref(r)) => r.ref_location.rsplit('/').next(),
                        _ => None,
                    },
                    RefOr::Ref(_) => None,
                });
                if schema.is_some_and(|name| optional_bodies.contains(name)) {
                    body.required = Some(Required::False);
                }
            }
            let has_body = operation.request_body.is_some();
            let has = |place: ParameterIn| {
                operation
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == place))
            };
            let (in_path, in_query) = (has(ParameterIn::Path), has(ParameterIn::Query));
            // One 400 and one 422 per operation, naming every code it may carry.
            let bad_request: Vec<&str> = [
                (in_path, "invalid path parameter (`invalid_path`)"),
                (in_query, "invalid query string (`invalid_query`)"),
                (
                    true,
                    "a query parameter this operation does not take (`unknown_query_parameter`)",
                ),
            ]
            .into_iter()
            .filter_map(|(applies, text)| applies.then_some(text))
            .collect();
            if !bad_request.is_empty() {
                add(operation, "400", &capitalized(&bad_request.join("; ")));
            }
            if has_body {
                add(operation, "413", "Body too large (`payload_too_large`)");
                add(
                    operation,
                    "415",
                    "Body is not JSON (`unsupported_media_type`)",
                );
                add(
                    operation,
                    "422",
                    "Invalid fields (`validation_failed`): each entry of `errors` names a field and a code. \
                     A body that does not read as the schema names the field by its JSON pointer \
                     (`/items/0/quantity`) with `malformed_json` (not JSON), `wrong_type`, \
                     `invalid_value`, `missing`, `unknown_field` or `control_character`",
                );
            } else if in_query {
                add(
                    operation,
                    "422",
                    "Invalid query values (`validation_failed`)",
                );
            }
            if secured {
                add(
                    operation,
                    "401",
                    "Missing, invalid or expired access token, ended session or deactivated account (`unauthenticated`, `invalid_token`)",
                );
                if let Some(RefOr::T(response)) = operation.responses.responses.get_mut("401") {
                    response.headers.insert(
                        "WWW-Authenticate".to_owned(),
                        HeaderBuilder::new()
                            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                            .description(Some(
                                "`Bearer`; `Bearer error=\"invalid_token\"` when the token sent was refused (`invalid_token`): refresh it or log in again",
                            ))
                            .build()
                            .into(),
                    );
                }
                if writes && acts_for_organisation {
                    add_problem(
                        operation,
                        "403",
                        "`organisation_suspended`: your supplier organisation is suspended; its users may only read",
                    );
                }
            }
            add(
                operation,
                "429",
                "Too many requests from this address (`too_many_requests`); wait `Retry-After` seconds",
            );
            add(operation, "500", "Internal error (`internal_error`)");
            add(
                operation,
                "503",
                "Database or index unavailable (`service_unavailable`)",
            );
        }
    }
}

/// The request body schemas with no required field (objects: a document's
/// bytes, a string of format `binary`, are never optional).
fn optional_bodies(openapi: &OpenApi) -> std::collections::HashSet<String> {
    use utoipa::openapi::schema::Schema;
    openapi
        .components
        .iter()
        .flat_map(|c| c.schemas.iter())
        .filter_map(|(name, schema)| match schema {
            RefOr::T(Schema::Object(object))
                if object.required.is_empty() && object.format.is_none() =>
            {
                Some(name.clone())
            }
            _ => None,
        })
        .collect()
}

/// Documents a problem answer of `operation`, or appends `description` to
/// the one documented for `status`.
pub fn add_problem(operation: &mut Operation, status: &str, description: &str) {
    match operation.responses.responses.get_mut(status) {
        Some(RefOr::T(response)) => {
            response.description = format!("{}. {description}", response.description);
        }
        Some(RefOr::Ref(_)) => {}
        None => add(operation, status, description),
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn add(operation: &mut Operation, status: &str, description: &str) {
    if operation.responses.responses.contains_key(status) {
        return;
    }
    let response = ResponseBuilder::new()
        .description(description)
        .content(
            crate::error::PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build();
    operation
        .responses
        .responses
        .insert(status.to_owned(), response.into());
}
