//! The JSON body extractor of every handler: `web::Json`, plus two rules.
//! A body is a JSON object: serde would otherwise read a struct from an
//! array of its fields in order (`[null, null]` as `{}`), which the
//! documented schemas forbid. No string holds U+0000: PostgreSQL text cannot
//! store it, so it would fail there as an internal error.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorCode};

pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for JsonBody<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // Content type, size and syntax are checked (and their errors shaped)
        // by `web::Json` and the app's `JsonConfig`.
        let json = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let web::Json(value) = json.await?;
            if !value.is_object() {
                return Err(
                    ApiError::coded(ErrorCode::InvalidBody, "the body is a JSON object").into(),
                );
            }
            if let Some(at) = nul_character(&value, String::new()) {
                return Err(ApiError::coded(
                    ErrorCode::InvalidBody,
                    format!("text may not contain the NUL character (at `{at}`)"),
                )
                .into());
            }
            serde_json::from_value(value)
                .map(JsonBody)
                .map_err(|e| ApiError::coded(ErrorCode::InvalidBody, e.to_string()).into())
        })
    }
}

/// Where the first string (or key) holding U+0000 is, as a JSON pointer.
fn nul_character(value: &serde_json::Value, at: String) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(text) => text.contains('\0').then_some(at),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_character(item, format!("{at}/{i}"))),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let here = format!("{at}/{key}");
            if key.contains('\0') {
                Some(here)
            } else {
                nul_character(item, here)
            }
        }),
        _ => None,
    }
}
