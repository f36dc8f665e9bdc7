//! The one app factory used by `serve`, `openapi` and the tests.

use std::net::TcpListener;

use actix_cors::Cors;
use actix_web::dev::{Server, Service, ServiceResponse};
use actix_web::error::{PathError, QueryPayloadError};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers, from_fn};
use actix_web::{App, HttpMessage, HttpRequest, HttpResponse, HttpServer, web};
use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use openapi::ApiDoc;
use tracing_actix_web::{RequestId, TracingLogger};
use utoipa::OpenApi as _;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{ApiError, ErrorCode, PROBLEM_JSON, problem_response};
use crate::middleware::idempotency::{self, CreatingRoutes};
use crate::middleware::query::QueryParameters;
use crate::middleware::{client_limit, language, protocol, query, security_headers};
use crate::routes;
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The OpenAPI document as served, built from the registered handlers.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(scope::scope("/api/v1").configure(|cfg| routes::api_v1(cfg)))
        .configure(|cfg| routes::health::configure(cfg))
        .split_for_parts();
    routes::add_common_responses(&mut api);
    idempotency::document(&mut api);
    crate::spec::finish(&mut api);
    api
}

pub fn metrics() -> anyhow::Result<PrometheusMetrics> {
    PrometheusMetricsBuilder::new("pmt")
        .endpoint(protocol::METRICS_PATH)
        .mask_unmatched_patterns("UNKNOWN")
        .build()
        .map_err(|e| anyhow::anyhow!("metrics: {e}"))
}

pub fn start(
    listener: TcpListener,
    state: AppState,
    metrics: PrometheusMetrics,
) -> anyhow::Result<Server> {
    let spec = openapi_document();
    let known_routes = web::Data::new(KnownRoutes::from_spec(&spec));
    let creating_routes = web::Data::new(CreatingRoutes::from_spec(&spec));
    let query_parameters = web::Data::new(QueryParameters::from_spec(&spec));
    // Serialised once and shared: a copy of the document per worker, and
    // its serialisation at each request, were most of the idle memory.
    let spec_json = web::Bytes::from(serde_json::to_vec(&spec)?);
    drop(spec);
    let settings = state.settings.clone();
    let state = web::Data::new(state);
    let server = HttpServer::new(move || {
        let body_limit = settings.body_limit_bytes;
        App::new()
            // Innermost first: a refused or replayed request never reaches
            // a handler.
            .wrap(from_fn(idempotency::apply))
            .wrap(from_fn(client_limit::limit))
            .wrap(from_fn(query::refuse_unknown))
            .wrap(cors(&settings.cors_allowed_origins, settings.auth_cookie))
            // Outside CORS, so its refusals become problem documents too.
            .wrap(ErrorHandlers::new().default_handler(plain_errors_to_problem))
            // Metrics only ever see what the protocol guard let through: a
            // known method or `OTHER` (which no route takes: 405 with
            // `Allow`), a bounded request head, an allowed reader of `/metrics`.
            .wrap(metrics.clone())
            .wrap(from_fn(protocol::guard))
            // Outside every other check, so each problem is in the
            // client's language.
            .wrap(from_fn(language::localize))
            .wrap(from_fn(security_headers::add))
            .wrap_fn(|req, srv| {
                let request_id: Option<String> =
                    req.extensions().get::<RequestId>().map(|id| id.to_string());
                let future = srv.call(req);
                async move {
                    let mut response = future.await?;
                    if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(&id).ok()) {
                        response.headers_mut().insert(REQUEST_ID, id);
                    }
                    Ok(response)
                }
            })
            .wrap(TracingLogger::<crate::telemetry::RequestSpan>::new())
            .app_data(state.clone())
            .app_data(known_routes.clone())
            .app_data(creating_routes.clone())
            .app_data(query_parameters.clone())
            .app_data(web::PayloadConfig::default().limit(body_limit))
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .service(web::scope("/api/v1").configure(routes::api_v1))
            .configure(routes::health::configure)
            .route(
                "/openapi.json",
                web::get().to({
                    let spec_json = spec_json.clone();
                    move || {
                        let body = spec_json.clone();
                        async move {
                            HttpResponse::Ok()
                                .content_type("application/json")
                                .body(body)
                        }
                    }
                }),
            )
            .service(
                SwaggerUi::new("/docs/{_:.*}")
                    .config(utoipa_swagger_ui::Config::new(["/openapi.json"])),
            )
            .route(
                "/docs",
                web::get().to(|| async {
                    HttpResponse::PermanentRedirect()
                        .insert_header((header::LOCATION, "/docs/"))
                        .finish()
                }),
            )
            .default_service(web::to(unmatched))
    })
    .listen(listener)?
    .run();
    Ok(server)
}

/// In the browser mode, the listed origins may send the session's cookies
/// and the CSRF header with their calls.
fn cors(origins: &[String], auth_cookie: bool) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::ACCEPT_LANGUAGE,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static("x-csrf-token"),
        ])
        .expose_headers([
            header::ETAG,
            header::RETRY_AFTER,
            header::WWW_AUTHENTICATE,
            REQUEST_ID,
            HeaderName::from_static("idempotent-replayed"),
        ])
        .max_age(3600);
    if auth_cookie {
        cors = cors.supports_credentials();
    }
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

fn query_error(error: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::coded(ErrorCode::InvalidQuery, error.to_string()).into()
}

fn path_error(error: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::coded(ErrorCode::InvalidPath, error.to_string()).into()
}

/// Path templates of every documented route, to tell "no such route" (404)
/// from "wrong method" (405) for requests no handler matched.
struct KnownRoutes(Vec<(Vec<Option<String>>, Vec<Method>)>);

impl KnownRoutes {
    fn from_spec(spec: &utoipa::openapi::OpenApi) -> Self {
        let routes = spec
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path
                    .split('/')
                    .map(|s| {
                        if s.starts_with('{') {
                            None
                        } else {
                            Some(s.to_owned())
                        }
                    })
                    .collect();
                let methods = [
                    (Method::GET, item.get.is_some()),
                    // Served as a GET without its body (see `protocol`).
                    (Method::HEAD, item.get.is_some()),
                    (Method::POST, item.post.is_some()),
                    (Method::PUT, item.put.is_some()),
                    (Method::PATCH, item.patch.is_some()),
                    (Method::DELETE, item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(method, present)| present.then_some(method))
                .collect();
                (segments, methods)
            })
            .collect();
        Self(routes)
    }

    fn allowed_methods(&self, path: &str) -> Vec<Method> {
        let parts: Vec<&str> = path.split('/').collect();
        self.0
            .iter()
            .filter(|(segments, _)| {
                segments.len() == parts.len()
                    && segments
                        .iter()
                        .zip(&parts)
                        // A parameter is never empty: `/requests/` is no
                        // route (404), not `/requests/{id}` (405).
                        .all(|(s, p)| s.as_deref().map_or(!p.is_empty(), |s| s == *p))
            })
            .flat_map(|(_, methods)| methods.iter().cloned())
            .collect()
    }
}

async fn unmatched(req: HttpRequest, routes: web::Data<KnownRoutes>) -> HttpResponse {
    let allowed = routes.allowed_methods(req.path());
    if allowed.is_empty() {
        return problem_response(
            StatusCode::NOT_FOUND,
            &ErrorCode::RouteNotFound.name(),
            ErrorCode::RouteNotFound.title(),
            Some(format!(
                "no route {} {}; see /docs",
                req.method(),
                req.path()
            )),
            Vec::new(),
        );
    }
    let allow = allowed
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let mut response = problem_response(
        StatusCode::METHOD_NOT_ALLOWED,
        &ErrorCode::MethodNotAllowed.name(),
        ErrorCode::MethodNotAllowed.title(),
        Some(format!("{} accepts {allow}", req.path())),
        Vec::new(),
    );
    if let Ok(value) = HeaderValue::from_str(&allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// Framework responses that are not problem documents (a CORS refusal, an
/// error from a middleware) are rewritten so every error is problem+json.
fn plain_errors_to_problem<B>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON) || v.starts_with("application/json"));
    // Our own JSON answers (problem documents, /readyz's report) stay as
    // they are; only framework responses in plain text are rewritten.
    if !status.is_client_error() && !status.is_server_error() || is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let cors = res
        .response()
        .error()
        .and_then(|e| e.as_error::<actix_cors::CorsError>());
    if let Some(refusal) = cors {
        // actix-cors answers 400 to every refusal; a refused origin or
        // method is a 403 that says which, not a bad query.
        let code = match refusal {
            actix_cors::CorsError::OriginNotAllowed => ErrorCode::CorsOriginRefused,
            _ => ErrorCode::CorsRequestRefused,
        };
        let detail = Some(refusal.to_string());
        let (req, _) = res.into_parts();
        let response = problem_response(
            code.status(),
            &code.name(),
            code.title(),
            detail,
            Vec::new(),
        );
        return Ok(ErrorHandlerResponse::Response(
            ServiceResponse::new(req, response).map_into_right_body(),
        ));
    }
    let code = match status {
        StatusCode::NOT_FOUND => ErrorCode::RouteNotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::NOT_IMPLEMENTED => ErrorCode::MethodNotImplemented,
        StatusCode::URI_TOO_LONG => ErrorCode::UriTooLong,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => ErrorCode::HeadersTooLarge,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::UNAUTHORIZED => ErrorCode::Unauthenticated,
        StatusCode::FORBIDDEN => ErrorCode::Forbidden,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::TooManyRequests,
        StatusCode::SERVICE_UNAVAILABLE => ErrorCode::ServiceUnavailable,
        s if s.is_server_error() => ErrorCode::InternalError,
        _ => ErrorCode::BadRequest,
    };
    let (req, _) = res.into_parts();
    let mut response = problem_response(status, &code.name(), code.title(), None, Vec::new());
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            crate::error::www_authenticate(&code.name()),
        );
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}
