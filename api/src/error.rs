//! The one mapping from every layer's errors to HTTP: a table of stable
//! codes, each with its status, served as RFC 7807 problem+json.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use domain::{DomainError, ValidationErrors};
use openapi::problem::{FieldErrorBody, Problem};
use persistence::PersistenceError;

macro_rules! error_codes {
    ($($variant:ident => $status:ident, $title:literal;)+) => {
        /// Every code the API answers with, besides the state and conflict
        /// codes that domain rules name themselves.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode { $($variant),+ }

        impl ErrorCode {
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant),+];

            pub fn status(self) -> StatusCode {
                match self { $(Self::$variant => StatusCode::$status),+ }
            }

            pub fn title(self) -> &'static str {
                match self { $(Self::$variant => $title),+ }
            }
        }
    };
}

error_codes! {
    ValidationFailed => UNPROCESSABLE_ENTITY, "The request has invalid fields";
    InvalidQuery => BAD_REQUEST, "The query string is invalid";
    UnknownQueryParameter => BAD_REQUEST, "This route does not take this query parameter";
    InvalidPath => BAD_REQUEST, "A path parameter is invalid";
    InvalidHeader => BAD_REQUEST, "A request header is invalid";
    BadRequest => BAD_REQUEST, "The request is invalid";
    UnsupportedMediaType => UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json";
    PayloadTooLarge => PAYLOAD_TOO_LARGE, "The request body is too large";
    UnsupportedFileType => UNSUPPORTED_MEDIA_TYPE, "This kind of document is not accepted";
    StorageQuotaExceeded => UNPROCESSABLE_ENTITY, "Your organisation's storage quota is full";
    NdaRequired => FORBIDDEN, "Accept the request's non-disclosure agreement first";
    RangeNotSatisfiable => RANGE_NOT_SATISFIABLE, "The requested range is outside the file";
    RouteNotFound => NOT_FOUND, "No such route";
    NotFound => NOT_FOUND, "Not found";
    MethodNotAllowed => METHOD_NOT_ALLOWED, "Method not allowed on this route";
    MethodNotImplemented => NOT_IMPLEMENTED, "This HTTP method is not implemented";
    UriTooLong => BAD_REQUEST, "The path and query are too long";
    HeadersTooLarge => REQUEST_HEADER_FIELDS_TOO_LARGE, "The request headers are too large";
    Unauthenticated => UNAUTHORIZED, "Authentication required";
    InvalidToken => UNAUTHORIZED, "The access token is invalid or expired";
    InvalidCredentials => UNAUTHORIZED, "Wrong email or password";
    InvalidRefreshToken => UNAUTHORIZED, "The refresh token is invalid, expired or revoked";
    InvalidOrExpiredLink => BAD_REQUEST, "This link is invalid, expired or already used";
    Forbidden => FORBIDDEN, "You may not do this";
    CorsOriginRefused => FORBIDDEN, "This origin may not call the API from a browser";
    CorsRequestRefused => FORBIDDEN, "This cross-origin method or header is not allowed";
    EmailUnverified => FORBIDDEN, "Verify your email address first";
    OrganisationSuspended => FORBIDDEN, "Your organisation is suspended: read only";
    CsrfFailed => FORBIDDEN, "The CSRF token is missing or does not match its cookie";
    Conflict => CONFLICT, "The request conflicts with the current state";
    PreconditionFailed => PRECONDITION_FAILED, "The object was modified by someone else";
    PreconditionRequired => PRECONDITION_REQUIRED, "Send If-Match with the version you edited";
    TooManyRequests => TOO_MANY_REQUESTS, "Too many requests";
    IdempotencyKeyMismatch => UNPROCESSABLE_ENTITY, "This Idempotency-Key was used with another request";
    IdempotencyKeyInUse => CONFLICT, "The first request with this Idempotency-Key is still running";
    ServiceUnavailable => SERVICE_UNAVAILABLE, "A dependency is unavailable; retry later";
    InternalError => INTERNAL_SERVER_ERROR, "Internal error";
}

impl ErrorCode {
    /// snake_case name, e.g. `validation_failed`.
    pub fn name(self) -> String {
        let debug = format!("{self:?}");
        let mut name = String::with_capacity(debug.len() + 4);
        for (i, c) in debug.chars().enumerate() {
            if c.is_uppercase() && i > 0 {
                name.push('_');
            }
            name.push(c.to_ascii_lowercase());
        }
        name
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    Coded { code: ErrorCode, detail: String },
    /// A query parameter holding a value this API cannot have issued (a
    /// forged or stale cursor): 400 `invalid_query` naming the parameter in
    /// `errors`, like an unknown parameter.
    #[error("{detail}")]
    InvalidParameter {
        name: &'static str,
        code: &'static str,
        detail: String,
    },
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Persistence(#[from] PersistenceError),
    #[error(transparent)]
    Index(#[from] search::IndexError),
    /// The document store (see `app::files` for the conversion).
    #[error(transparent)]
    Storage(storage::StorageError),
    /// A rate limit refused the request; the client may retry after the wait.
    #[error("too many requests; retry in {} s", retry_after.as_secs())]
    RateLimited { retry_after: std::time::Duration },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn coded(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Coded {
            code,
            detail: detail.into(),
        }
    }

    pub fn validation(errors: ValidationErrors) -> Self {
        Self::Domain(DomainError::Validation(errors))
    }

    pub fn not_found(what: &'static str) -> Self {
        Self::Domain(DomainError::NotFound(what))
    }
}

impl From<storage::StorageError> for ApiError {
    fn from(error: storage::StorageError) -> Self {
        match error {
            storage::StorageError::NotFound(_) | storage::StorageError::InvalidKey(_) => {
                // A row whose object is gone: never expected (removals run
                // after the row's deletion commits); logged as an error.
                Self::Internal(anyhow::Error::new(error))
            }
            storage::StorageError::Unavailable(_) => Self::Storage(error),
            storage::StorageError::InvalidRange(_) => Self::coded(
                ErrorCode::RangeNotSatisfiable,
                "the requested range is outside the file",
            ),
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        Self::validation(errors)
    }
}

/// Status, code and detail of one error; internal causes are logged, never
/// sent.
struct Rendered {
    status: StatusCode,
    code: String,
    title: &'static str,
    detail: Option<String>,
    errors: Vec<FieldErrorBody>,
}

impl ApiError {
    fn render(&self) -> Rendered {
        let simple = |code: ErrorCode, detail: Option<String>| Rendered {
            status: code.status(),
            code: code.name(),
            title: code.title(),
            detail,
            errors: Vec::new(),
        };
        match self {
            Self::Coded { code, detail } => simple(*code, Some(detail.clone())),
            Self::InvalidParameter { name, code, detail } => Rendered {
                errors: vec![FieldErrorBody {
                    field: (*name).to_owned(),
                    code: (*code).to_owned(),
                    message: detail.clone(),
                }],
                ..simple(ErrorCode::InvalidQuery, Some(detail.clone()))
            },
            Self::RateLimited { .. } => simple(ErrorCode::TooManyRequests, Some(self.to_string())),
            Self::Domain(error) => match error {
                DomainError::Validation(errors) => Rendered {
                    errors: errors
                        .errors()
                        .iter()
                        .map(|e| FieldErrorBody {
                            field: e.field.clone(),
                            code: e.code.to_owned(),
                            message: e.message.clone(),
                        })
                        .collect(),
                    ..simple(ErrorCode::ValidationFailed, Some(error.to_string()))
                },
                DomainError::NotFound(_) => simple(ErrorCode::NotFound, Some(error.to_string())),
                DomainError::Forbidden(_) => simple(ErrorCode::Forbidden, Some(error.to_string())),
                DomainError::EmailUnverified(_) => {
                    simple(ErrorCode::EmailUnverified, Some(error.to_string()))
                }
                DomainError::OrganisationSuspended => {
                    simple(ErrorCode::OrganisationSuspended, Some(error.to_string()))
                }
                DomainError::Conflict { code, message } => Rendered {
                    code: (*code).to_owned(),
                    ..simple(ErrorCode::Conflict, Some(message.clone()))
                },
                DomainError::InvalidState { code, message } => Rendered {
                    code: code.clone(),
                    ..simple(ErrorCode::Conflict, Some(message.clone()))
                },
                DomainError::QuotaExceeded { .. } => {
                    simple(ErrorCode::StorageQuotaExceeded, Some(error.to_string()))
                }
                DomainError::NdaRequired => simple(ErrorCode::NdaRequired, Some(error.to_string())),
                DomainError::VersionMismatch { .. } => {
                    simple(ErrorCode::PreconditionFailed, Some(error.to_string()))
                }
            },
            Self::Persistence(PersistenceError::Unavailable(_)) => {
                simple(ErrorCode::ServiceUnavailable, None)
            }
            Self::Persistence(PersistenceError::UniqueViolation(_)) => {
                simple(ErrorCode::Conflict, Some("this already exists".to_owned()))
            }
            Self::Index(search::IndexError::Unavailable(_)) => {
                simple(ErrorCode::ServiceUnavailable, None)
            }
            Self::Index(search::IndexError::InvalidQuery(detail)) => {
                simple(ErrorCode::InvalidQuery, Some(detail.clone()))
            }
            Self::Storage(_) => simple(ErrorCode::ServiceUnavailable, None),
            Self::Persistence(_) | Self::Index(_) | Self::Internal(_) => {
                simple(ErrorCode::InternalError, None)
            }
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.render().status
    }

    fn error_response(&self) -> HttpResponse {
        let rendered = self.render();
        // A coded answer is deliberate (e.g. 501 to an extension method):
        // logging each one would let a flood fill the logs.
        if rendered.status.is_server_error() && !matches!(self, Self::Coded { .. }) {
            tracing::error!(error = ?error_chain(self), "request failed");
        }
        let mut response = problem_response(
            rendered.status,
            &rendered.code,
            rendered.title,
            rendered.detail,
            rendered.errors,
        );
        if rendered.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                actix_web::http::header::WWW_AUTHENTICATE,
                www_authenticate(&rendered.code),
            );
        }
        if let Self::RateLimited { retry_after } = self {
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                retry_after.as_secs().into(),
            );
        }
        response
    }
}

/// RFC 6750 §3: every 401 names the scheme; a token sent and refused says
/// so, so a client knows to refresh rather than to ask for a login.
pub fn www_authenticate(code: &str) -> actix_web::http::header::HeaderValue {
    use actix_web::http::header::HeaderValue;
    if code == ErrorCode::InvalidToken.name() {
        HeaderValue::from_static("Bearer error=\"invalid_token\"")
    } else {
        HeaderValue::from_static("Bearer")
    }
}

/// An error and its causes, on one line.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    chain
}

pub const PROBLEM_JSON: &str = "application/problem+json";

pub fn problem_response(
    status: StatusCode,
    code: &str,
    title: &str,
    detail: Option<String>,
    errors: Vec<FieldErrorBody>,
) -> HttpResponse {
    let problem = Problem {
        type_url: format!("https://pmt-business.example/problems/{code}"),
        title: title.to_owned(),
        status: status.as_u16(),
        code: code.to_owned(),
        detail,
        errors,
    };
    let body =
        serde_json::to_string(&problem).unwrap_or_else(|_| format!("{{\"code\":\"{code}\"}}"));
    HttpResponse::build(status)
        .content_type(PROBLEM_JSON)
        .body(body)
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case_and_unique() {
        let names: std::collections::BTreeSet<_> =
            ErrorCode::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        assert!(names.contains("validation_failed"));
        assert!(names.contains("invalid_refresh_token"));
    }
}
