//! Field-level validation errors. Request bodies are parsed field by field
//! into value objects, and every failing field is reported at once.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// JSON pointer-like path of the failing field, e.g. `organisation.siret`.
    pub field: String,
    /// Stable machine-readable reason, e.g. `invalid_checksum`.
    pub code: &'static str,
    /// Human-readable explanation (English).
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors(Vec<FieldError>);

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        let mut errors = Self::new();
        errors.add(field, code, message);
        errors
    }

    pub fn add(
        &mut self,
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) {
        self.0.push(FieldError {
            field: field.into(),
            code,
            message: message.into(),
        });
    }

    /// Refuses a list of more than `max` items; each item is still checked
    /// by the caller, so one answer lists every problem.
    pub fn at_most<T>(&mut self, field: &str, list: &[T], max: usize) {
        if list.len() > max {
            self.add(field, "too_many", format!("at most {max} items"));
        }
    }

    /// Records the error of `result` under `field` (prefixed) and returns the
    /// value when valid. Lets a constructor parse every field before failing.
    pub fn check<T>(&mut self, field: &str, result: Result<T, ValidationErrors>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(errors) => {
                for mut error in errors.0 {
                    error.field = if error.field.is_empty() {
                        field.to_owned()
                    } else {
                        format!("{field}.{}", error.field)
                    };
                    self.0.push(error);
                }
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn errors(&self) -> &[FieldError] {
        &self.0
    }

    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, Self> {
        if self.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fields: Vec<_> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        write!(f, "invalid input ({})", fields.join("; "))
    }
}

impl std::error::Error for ValidationErrors {}

/// Value objects parse from raw input and report errors without a field name;
/// the caller's `ValidationErrors::check` names the field.
pub type Validated<T> = Result<T, ValidationErrors>;

pub(crate) fn invalid<T>(code: &'static str, message: impl Into<String>) -> Validated<T> {
    Err(ValidationErrors::single("", code, message))
}

/// A size in bytes, bounded by the documented `int64` range (what clients
/// and both databases hold).
pub fn byte_size(raw: Option<u64>) -> Validated<Option<u64>> {
    match raw {
        Some(size) if i64::try_from(size).is_err() => invalid(
            "out_of_range",
            "a size is at most 9223372036854775807 bytes",
        ),
        _ => Ok(raw),
    }
}

/// Trims and bounds a free-text field.
pub fn text(raw: &str, min: usize, max: usize) -> Validated<String> {
    let value = raw.trim();
    let len = value.chars().count();
    if len < min {
        return if min <= 1 {
            invalid("required", "must not be empty")
        } else {
            invalid("too_short", format!("must be at least {min} characters"))
        };
    }
    if len > max {
        return invalid("too_long", format!("must be at most {max} characters"));
    }
    Ok(value.to_owned())
}

/// A name that goes into email subjects and bodies (a person's or an
/// organisation's): [`text`], and no control character (CR/LF would
/// forge lines) nor bidirectional override (it would disguise the text).
pub fn name(raw: &str, min: usize, max: usize) -> Validated<String> {
    let value = text(raw, min, max)?;
    let disguising = |c: char| {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if value.chars().any(disguising) {
        return invalid(
            "control_characters",
            "must not contain line breaks, control or bidirectional formatting characters",
        );
    }
    Ok(value)
}

/// Same as [`text`] for an optional field; blank counts as absent.
pub fn optional_text(raw: Option<&str>, max: usize) -> Validated<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => text(value, 1, max).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_refuse_line_breaks_controls_and_bidi_overrides() {
        assert_eq!(
            name("  Claire Martin ", 1, 120).ok().as_deref(),
            Some("Claire Martin")
        );
        assert_eq!(
            name("Élodie d'Aubigné", 1, 120).ok().as_deref(),
            Some("Élodie d'Aubigné")
        );
        for bad in [
            "Claire\r\nBcc: x@evil.example",
            "Claire\nMartin",
            "tab\there",
            "nul\u{0}",
            "evil\u{202e}gpj.exe",
            "iso\u{2067}late",
        ] {
            let errors = name(bad, 1, 120).expect_err(bad);
            assert_eq!(errors.errors()[0].code, "control_characters", "{bad:?}");
        }
    }
}
