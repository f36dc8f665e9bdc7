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
        // The published list must name every code sent (`crate::codes`);
        // a debug build (every test) stops at an unlisted one.
        debug_assert!(
            crate::codes::FIELD_CODES.contains(&code),
            "field code {code:?} is missing from domain::codes::FIELD_CODES"
        );
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
                    } else if field.is_empty() {
                        error.field
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

/// Characters that reorder how text is displayed (bidirectional embeddings,
/// overrides and isolates): they make a name or a message read differently
/// from what it is, as in "Trojan Source" attacks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show nothing: zero-width spaces and joiners, direction
/// marks, the byte order mark, the soft hyphen. Allowed inside text (some
/// scripts need joiners), never as all of it.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{061C}' | '\u{180E}'
    )
}

/// Refuses control characters (other than the tab and line breaks of
/// multi-line text) and bidirectional controls.
fn visible_characters(value: &str) -> Validated<()> {
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return invalid("control_character", "must not contain control characters");
    }
    if value.chars().any(is_bidi_control) {
        return invalid(
            "bidi_control",
            "must not contain bidirectional override or isolate characters",
        );
    }
    Ok(())
}

/// Trims and bounds a free-text field. Control characters and
/// bidirectional overrides are refused; text of invisible characters only
/// (zero-width spaces...) counts as empty.
pub fn text(raw: &str, min: usize, max: usize) -> Validated<String> {
    visible_characters(raw)?;
    let value = raw.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
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

/// Same as [`text`] for a one-line value (a name, a title): line breaks
/// and tabs are refused too, so it cannot start a new header or line of an
/// email.
pub fn line(raw: &str, min: usize, max: usize) -> Validated<String> {
    if raw.contains(['\n', '\r', '\t']) {
        return invalid("control_character", "must be a single line");
    }
    text(raw, min, max)
}

/// Same as [`text`] for an optional field; blank counts as absent.
pub fn optional_text(raw: Option<&str>, max: usize) -> Validated<Option<String>> {
    match raw {
        None => Ok(None),
        Some(value) => {
            visible_characters(value)?;
            if value.chars().all(|c| c.is_whitespace() || is_invisible(c)) {
                Ok(None)
            } else {
                text(value, 1, max).map(Some)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(result: Validated<impl std::fmt::Debug>) -> &'static str {
        result.expect_err("refused").errors()[0].code
    }

    #[test]
    fn text_refuses_controls_bidi_overrides_and_invisible_only_content() {
        assert_eq!(
            text("  Usinage\nde précision ", 1, 50).unwrap(),
            "Usinage\nde précision"
        );
        assert_eq!(text("\u{200B}Titane\u{FEFF}", 1, 50).unwrap(), "Titane");
        assert_eq!(code(text("a\u{0}b", 1, 50)), "control_character");
        assert_eq!(code(text("a\u{1b}[31mb", 1, 50)), "control_character");
        assert_eq!(code(text("a\u{85}b", 1, 50)), "control_character");
        assert_eq!(code(text("invoice\u{202E}fdp.exe", 1, 50)), "bidi_control");
        assert_eq!(code(text("\u{2067}x", 1, 50)), "bidi_control");
        assert_eq!(code(text("\u{200B}\u{200C}\u{200D}", 1, 50)), "required");
        assert_eq!(code(text(" \u{2060} ", 3, 50)), "too_short");
        assert_eq!(optional_text(Some("\u{200B}"), 10).unwrap(), None);
        assert_eq!(code(optional_text(Some("x\u{202D}"), 10)), "bidi_control");
        assert_eq!(
            code(line("Claire\r\nBcc: x@y.fr", 1, 50)),
            "control_character"
        );
        assert_eq!(line("Claire Martin", 1, 50).unwrap(), "Claire Martin");
    }

    #[test]
    fn names_refuse_line_breaks_controls_and_bidi_overrides() {
        assert_eq!(
            line("  Claire Martin ", 1, 120).ok().as_deref(),
            Some("Claire Martin")
        );
        assert_eq!(
            line("Élodie d'Aubigné", 1, 120).ok().as_deref(),
            Some("Élodie d'Aubigné")
        );
        for (bad, code) in [
            ("Claire\r\nBcc: x@evil.example", "control_character"),
            ("Claire\nMartin", "control_character"),
            ("tab\there", "control_character"),
            ("nul\u{0}", "control_character"),
            ("evil\u{202e}gpj.exe", "bidi_control"),
            ("iso\u{2067}late", "bidi_control"),
        ] {
            let errors = line(bad, 1, 120).expect_err(bad);
            assert_eq!(errors.errors()[0].code, code, "{bad:?}");
        }
    }
}
