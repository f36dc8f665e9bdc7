//! The JSON body extractor of every handler. Every way a body can fail to
//! read as its type answers `422 validation_failed` with one `errors[]`
//! entry per bad field, named by its JSON pointer (`/items/0/quantity`) and
//! a stable code, so a frontend can put each message next to its input:
//!
//! | code | what |
//! |---|---|
//! | `malformed_json` | not JSON at all (syntax); the pointer is the root |
//! | `wrong_type` | a value of the wrong JSON type (`"5"` for a number, an array for the body) |
//! | `invalid_value` | the right type, but not a value the field takes (an unknown enum value, a bad UUID or date) |
//! | `missing` | a required field is absent |
//! | `unknown_field` | a field the schema does not have |
//! | `control_character` | a string holding U+0000 |
//!
//! A body is a JSON object: serde would otherwise read a struct from an
//! array of its fields in order (`[null, null]` as `{}`), which the
//! documented schemas forbid. No string holds U+0000: PostgreSQL text cannot
//! store it, so it would fail there as an internal error.
//!
//! No body at all (or an empty one) reads as `{}`: a transition such as
//! `POST /requests/{id}/submit` takes an optional comment, and a client
//! should not have to invent a body to send none.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use domain::ValidationErrors;
use serde::de::DeserializeOwned;
use serde_json::Value;

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
        // The size limit is the app's `PayloadConfig` (413 past it).
        let bytes = web::Bytes::from_request(req, payload);
        let is_json = req.mime_type().ok().flatten().is_some_and(|mime| {
            mime.subtype() == actix_web::mime::JSON || mime.suffix() == Some(actix_web::mime::JSON)
        });
        Box::pin(async move {
            let bytes = bytes.await?;
            let value = if bytes.iter().all(u8::is_ascii_whitespace) {
                Value::Object(serde_json::Map::new())
            } else if !is_json {
                return Err(ApiError::coded(
                    ErrorCode::UnsupportedMediaType,
                    "send Content-Type: application/json",
                )
                .into());
            } else {
                serde_json::from_slice(&bytes).map_err(|e| {
                    ApiError::validation(ValidationErrors::single(
                        "",
                        MALFORMED_JSON,
                        format!("not valid JSON: {e}"),
                    ))
                })?
            };
            read(value).map(JsonBody).map_err(Into::into)
        })
    }
}

const MALFORMED_JSON: &str = "malformed_json";
const WRONG_TYPE: &str = "wrong_type";
const INVALID_VALUE: &str = "invalid_value";
const MISSING: &str = "missing";
const UNKNOWN_FIELD: &str = "unknown_field";

/// Most errors one answer lists, and most attempts at reading one body.
const MAX_ERRORS: usize = 50;
const MAX_ATTEMPTS: usize = 200;

/// Values tried in place of a wrong or missing one, so the body can be
/// read on past it: one of them suits most field types.
const STAND_INS: [&str; 9] = [
    r#""""#,
    "0",
    "false",
    "[]",
    "{}",
    r#""00000000-0000-0000-0000-000000000000""#,
    r#""2000-01-01""#,
    r#""2000-01-01T00:00:00Z""#,
    "null",
];

/// Reads `value` as a `T`, listing every error found. serde stops at the
/// first error; after each one an unknown field is taken out of the body,
/// a wrong or missing value replaced by a stand-in of some type, and the
/// body read again, so one answer lists every wrong, unknown or missing
/// field. Errors inside a stand-in (the fields of a `{}`) are not the
/// client's and are not listed.
fn read<T: DeserializeOwned>(mut value: Value) -> Result<T, ApiError> {
    if !value.is_object() {
        return Err(ValidationErrors::single("", WRONG_TYPE, "the body is a JSON object").into());
    }
    let mut errors = ValidationErrors::new();
    if let Some(at) = nul_character(&value, String::new()) {
        errors.add(
            at,
            "control_character",
            "text may not contain the NUL character",
        );
    }
    // Pointers given a stand-in, each with the next stand-in to try.
    let mut stood_in: Vec<(String, usize)> = Vec::new();
    for _ in 0..MAX_ATTEMPTS {
        let error = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(body) if errors.is_empty() => return Ok(body),
            Ok(_) => return Err(errors.into()),
            Err(error) => error,
        };
        let (pointer, code, message) = describe(&error);
        let next = match stood_in.iter_mut().find(|(at, _)| *at == pointer) {
            // Its stand-in did not suit either: try the next one.
            Some((_, tried)) => {
                *tried += 1;
                *tried
            }
            None => {
                let inside_stand_in = stood_in
                    .iter()
                    .any(|(at, _)| pointer.starts_with(&format!("{at}/")));
                if !inside_stand_in {
                    errors.add(pointer.clone(), code, message);
                }
                if code == UNKNOWN_FIELD {
                    if !remove(&mut value, &pointer) {
                        break;
                    }
                    continue;
                }
                stood_in.push((pointer.clone(), 0));
                0
            }
        };
        let Some(stand_in) = STAND_INS.get(next) else {
            break;
        };
        if errors.errors().len() >= MAX_ERRORS
            || !replace(
                &mut value,
                &pointer,
                serde_json::from_str(stand_in).unwrap_or_default(),
            )
        {
            break;
        }
    }
    if errors.is_empty() {
        // Not expected: the body was refused, yet no error could be named.
        errors.add(
            "",
            INVALID_VALUE,
            "the body does not match the expected shape",
        );
    }
    Err(errors.into())
}

/// The JSON pointer, code and message of a deserialisation error.
fn describe(
    error: &serde_path_to_error::Error<serde_json::Error>,
) -> (String, &'static str, String) {
    let mut pointer = pointer(error.path());
    let message = error.inner().to_string();
    // serde's messages are its only structured output: the prefixes below
    // are those of `serde::de::Error`'s provided constructors.
    let (code, name) = if let Some(rest) = message.strip_prefix("missing field `") {
        (MISSING, rest.split('`').next())
    } else if let Some(rest) = message.strip_prefix("unknown field `") {
        (UNKNOWN_FIELD, rest.split('`').next())
    } else if message.starts_with("invalid type:") || message.starts_with("invalid length") {
        (WRONG_TYPE, None)
    } else {
        (INVALID_VALUE, None)
    };
    if let Some(name) = name {
        // The path ends at the object holding the field; an unknown field
        // is sometimes already on it.
        let last = format!("/{}", escape(name));
        if !pointer.ends_with(&last) {
            pointer.push_str(&last);
        }
    }
    let message = match code {
        MISSING => "this field is required".to_owned(),
        UNKNOWN_FIELD => "this field does not exist here".to_owned(),
        _ => message
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_owned(),
    };
    (pointer, code, message)
}

fn pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(format!("/{index}")),
            Segment::Map { key } => Some(format!("/{}", escape(key))),
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .collect()
}

/// RFC 6901: `~` and `/` inside a key.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Takes the field at `pointer` out of `value`; false when there is none.
fn remove(value: &mut Value, pointer: &str) -> bool {
    let Some((parent, last)) = split(pointer) else {
        return false;
    };
    match value.pointer_mut(parent) {
        Some(Value::Object(fields)) => fields.remove(&last).is_some(),
        _ => false,
    }
}

/// Puts `stand_in` at `pointer` (an object's field, present or not, or an
/// array's item); false when there is no such place.
fn replace(value: &mut Value, pointer: &str, stand_in: Value) -> bool {
    let Some((parent, last)) = split(pointer) else {
        return false;
    };
    match value.pointer_mut(parent) {
        Some(Value::Object(fields)) => {
            fields.insert(last, stand_in);
            true
        }
        Some(Value::Array(items)) => match last.parse::<usize>() {
            Ok(i) if i < items.len() => {
                items[i] = stand_in;
                true
            }
            _ => false,
        },
        _ => false,
    }
}

/// The parent's pointer and the last reference token, unescaped.
fn split(pointer: &str) -> Option<(&str, String)> {
    let (parent, last) = pointer.rsplit_once('/')?;
    Some((parent, last.replace("~1", "/").replace("~0", "~")))
}

/// Where the first string (or key) holding U+0000 is, as a JSON pointer.
fn nul_character(value: &Value, at: String) -> Option<String> {
    match value {
        Value::String(text) => text.contains('\0').then_some(at),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_character(item, format!("{at}/{i}"))),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let here = format!("{at}/{}", escape(key));
            if key.contains('\0') {
                Some(here)
            } else {
                nul_character(item, here)
            }
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only read")]
    struct Line {
        quantity: u32,
        unit: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only read")]
    struct Order {
        title: String,
        items: Vec<Line>,
        id: Option<uuid::Uuid>,
    }

    fn errors(body: Value) -> Vec<(String, &'static str)> {
        let Err(ApiError::Domain(domain::DomainError::Validation(errors))) = read::<Order>(body)
        else {
            panic!("refused as validation errors");
        };
        errors
            .errors()
            .iter()
            .map(|e| (e.field.clone(), e.code))
            .collect()
    }

    #[test]
    fn every_bad_field_is_named_by_its_pointer() {
        let mut found = errors(json!({
            "title": 5,
            "items": [{ "quantity": 1 }, { "quantity": "two", "colour": "red" }, 7],
            "id": "nope",
            "extra": true,
        }));
        found.sort();
        assert_eq!(
            found,
            vec![
                ("/extra".to_owned(), UNKNOWN_FIELD),
                ("/id".to_owned(), INVALID_VALUE),
                ("/items/1/colour".to_owned(), UNKNOWN_FIELD),
                ("/items/1/quantity".to_owned(), WRONG_TYPE),
                ("/items/2".to_owned(), WRONG_TYPE),
                ("/title".to_owned(), WRONG_TYPE),
            ]
        );
    }

    #[test]
    fn every_missing_field_is_reported_once() {
        assert_eq!(
            errors(json!({})),
            vec![
                ("/title".to_owned(), MISSING),
                ("/items".to_owned(), MISSING)
            ]
        );
        assert_eq!(
            errors(json!({ "title": [], "items": [] })),
            vec![("/title".to_owned(), WRONG_TYPE)]
        );
        assert_eq!(
            errors(json!({ "title": "x", "items": [{}, { "quantity": -1 }] })),
            vec![
                ("/items/0/quantity".to_owned(), MISSING),
                ("/items/1/quantity".to_owned(), INVALID_VALUE)
            ]
        );
    }

    #[test]
    fn the_body_is_an_object_without_nul_characters() {
        assert_eq!(errors(json!(["x", []])), vec![(String::new(), WRONG_TYPE)]);
        assert_eq!(
            errors(json!({ "title": "a\u{0}b", "items": [], "a/b": 1 })),
            vec![
                ("/title".to_owned(), "control_character"),
                ("/a~1b".to_owned(), UNKNOWN_FIELD),
            ]
        );
    }
}
