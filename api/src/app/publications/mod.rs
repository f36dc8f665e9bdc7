//! The cluster's publications from live data (issue 19): the capability map
//! (`capability_map`) and the programme's activity report (`activity`),
//! each as JSON, CSV or SVG (`csv`, `svg`).

pub mod activity;
pub mod capability_map;
mod chart;
mod csv_out;
mod tree_svg;

use actix_web::HttpResponse;
use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use domain::ValidationErrors;

use crate::error::ApiResult;

/// A representation of a publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Json,
    Csv,
    Svg,
}

impl Format {
    /// `json` (or nothing), `csv` or `svg`.
    pub fn parse(raw: Option<&str>) -> ApiResult<Self> {
        match raw.map(str::trim) {
            None | Some("json") => Ok(Self::Json),
            Some("csv") => Ok(Self::Csv),
            Some("svg") => Ok(Self::Svg),
            Some(_) => Err(ValidationErrors::single(
                "format",
                "invalid_value",
                "format is json, csv or svg",
            )
            .into()),
        }
    }
}

/// A publication rendered: JSON, or the text of a CSV or SVG document.
pub enum Rendered<T> {
    Json(T),
    Csv { file_name: String, text: String },
    Svg(String),
}

impl<T: serde::Serialize> Rendered<T> {
    pub fn into_response(self) -> HttpResponse {
        match self {
            Self::Json(body) => HttpResponse::Ok().json(body),
            Self::Csv { file_name, text } => HttpResponse::Ok()
                .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
                .insert_header((
                    CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file_name}\""),
                ))
                .body(text),
            Self::Svg(text) => HttpResponse::Ok()
                .insert_header((CONTENT_TYPE, "image/svg+xml"))
                .body(text),
        }
    }
}

/// Text for XML: markup characters escaped, control characters (which
/// XML 1.0 does not allow) dropped.
pub(crate) fn xml_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && !matches!(c, '\t' | '\n') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_escapes_markup_and_drops_controls() {
        assert_eq!(
            xml_text("Découpe <laser> & \"fil\"\u{7}"),
            "Découpe &lt;laser&gt; &amp; &quot;fil&quot;"
        );
    }

    #[test]
    fn formats_are_json_csv_or_svg() {
        assert_eq!(Format::parse(None).ok(), Some(Format::Json));
        assert_eq!(Format::parse(Some("svg")).ok(), Some(Format::Svg));
        assert!(Format::parse(Some("pdf")).is_err());
    }
}
