//! Every route refuses a query parameter it does not document (400
//! `unknown_query_parameter`, naming it), whether its handler reads a query
//! or not: a misspelt `?stauts=open` is an error, never a silently
//! unfiltered list. The accepted names come from the OpenAPI document, so a
//! parameter cannot be served without being documented.

use std::collections::{HashMap, HashSet};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Error, web};
use openapi::problem::FieldErrorBody;
use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::{OpenApi, RefOr};

use crate::error::{ErrorCode, problem_response};

/// The documented query parameters of each operation, by path template and
/// method.
pub struct QueryParameters(HashMap<(String, Method), HashSet<String>>);

impl QueryParameters {
    pub fn from_spec(spec: &OpenApi) -> Self {
        let mut known = HashMap::new();
        for (path, item) in &spec.paths.paths {
            for (method, operation) in [
                (Method::GET, &item.get),
                (Method::POST, &item.post),
                (Method::PUT, &item.put),
                (Method::PATCH, &item.patch),
                (Method::DELETE, &item.delete),
            ] {
                let Some(operation) = operation else { continue };
                let names = operation
                    .parameters
                    .iter()
                    .flatten()
                    .filter_map(|p| match p {
                        RefOr::T(p) if p.parameter_in == ParameterIn::Query => Some(p.name.clone()),
                        _ => None,
                    })
                    .collect();
                known.insert((path.clone(), method), names);
            }
        }
        Self(known)
    }
}

pub async fn refuse_unknown(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if let Some(name) = unknown_parameter(&req) {
        let code = ErrorCode::UnknownQueryParameter;
        let response = problem_response(
            code.status(),
            &code.name(),
            code.title(),
            Some(format!("this route takes no query parameter `{name}`")),
            vec![FieldErrorBody {
                field: name,
                code: code.name(),
                message: "this route does not take this parameter".to_owned(),
            }],
        );
        return Ok(req.into_response(response));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

fn unknown_parameter(req: &ServiceRequest) -> Option<String> {
    if req.query_string().is_empty() {
        return None;
    }
    let known = req.app_data::<web::Data<QueryParameters>>()?;
    // Routes outside the document (the docs page) and methods a route does
    // not take (answered 405 by the router) are not checked here.
    let accepted = known.0.get(&(req.match_pattern()?, req.method().clone()))?;
    let pairs = web::Query::<Vec<(String, String)>>::from_query(req.query_string()).ok()?;
    pairs
        .into_inner()
        .into_iter()
        .map(|(name, _)| name)
        .find(|name| !name.is_empty() && !accepted.contains(name))
}
