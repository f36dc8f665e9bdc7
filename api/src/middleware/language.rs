//! Problem documents in the client's language: a client whose
//! `Accept-Language` prefers French gets the title and every field
//! message in French (see `wording`), whoever produced the problem (a
//! handler, an extractor, a middleware, the router). Every problem says its
//! language in `Content-Language`.

use actix_web::Error;
use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{ACCEPT_LANGUAGE, CONTENT_LANGUAGE, CONTENT_TYPE, HeaderValue, VARY};
use actix_web::middleware::Next;
use domain::account::Language;
use serde_json::Value;

use crate::error::PROBLEM_JSON;
use crate::wording;

pub async fn localize(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let language = req
        .headers()
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Language::from_accept_language)
        .unwrap_or(Language::En);
    let response = next.call(req).await?.map_into_boxed_body();
    let is_problem = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !is_problem {
        return Ok(response);
    }
    let (req, mut response) = response.into_parts();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_LANGUAGE,
        HeaderValue::from_static(language.as_str()),
    );
    headers.append(VARY, HeaderValue::from_static("Accept-Language"));
    if language == Language::En {
        return Ok(ServiceResponse::new(req, response));
    }
    let (response, payload) = response.into_parts();
    // Problem documents are a few hundred bytes, built in memory.
    let bytes = body::to_bytes(payload).await.unwrap_or_default();
    let bytes = match serde_json::from_slice::<Value>(&bytes) {
        Ok(mut problem) => {
            in_french(&mut problem);
            serde_json::to_vec(&problem).map_or(bytes, Into::into)
        }
        Err(_) => bytes,
    };
    Ok(ServiceResponse::new(
        req,
        response.set_body(BoxBody::new(bytes)),
    ))
}

fn in_french(problem: &mut Value) {
    let code = problem["code"].as_str().unwrap_or_default().to_owned();
    let status = problem["status"].as_u64().unwrap_or_default();
    problem["title"] = wording::title_fr(&code, u16::try_from(status).unwrap_or_default()).into();
    if let Some(errors) = problem.get_mut("errors").and_then(Value::as_array_mut) {
        for error in errors {
            let code = error["code"].as_str().unwrap_or_default();
            let english = error["message"].as_str().unwrap_or_default();
            if let Some(french) = wording::field_message_fr(code, english) {
                error["message"] = french.into();
            }
        }
    }
}
