//! Meilisearch filter expressions built from queries. Values are always quoted;
//! attribute names are fixed or checked identifiers.

use super::record::{WINDOW_SLOTS, check_code};
use crate::error::IndexError;
use crate::query::SearchQuery;

/// The filter of a search, `None` when it has none.
pub(super) fn for_search(query: &SearchQuery) -> Result<Option<String>, IndexError> {
    let mut clauses: Vec<String> = [
        any_of("capability_codes", &query.capabilities),
        any_of("sectors", &query.sectors),
        any_of("region", &query.regions),
        query.member.map(|member| format!("member = {member}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    for code in &query.certifications {
        clauses.push(valid_certification(code, query.now, query.verified_only)?);
    }
    if query.verified_only && query.certifications.is_empty() {
        clauses.push(within("verified_any", query.now));
    }
    Ok(all_of(clauses))
}

/// `base` narrowed to documents holding `code` valid at `now`.
pub(super) fn with_valid_certification(
    base: Option<&str>,
    code: &str,
    now: i64,
    verified_only: bool,
) -> Result<String, IndexError> {
    let valid = valid_certification(code, now, verified_only)?;
    Ok(all_of(base.map(str::to_owned).into_iter().chain([valid]).collect()).unwrap_or_default())
}

pub(super) fn any_of(attribute: &str, values: &[String]) -> Option<String> {
    if values.is_empty() {
        return None;
    }
    let quoted: Vec<String> = values.iter().map(|value| quote(value)).collect();
    Some(format!("{attribute} IN [{}]", quoted.join(", ")))
}

/// Some window of `code` (of its verified certificates when
/// `verified_only`) contains `now` (see `record::Record`).
fn valid_certification(code: &str, now: i64, verified_only: bool) -> Result<String, IndexError> {
    check_code(code)?;
    let root = if verified_only {
        "verified_windows"
    } else {
        "cert_windows"
    };
    Ok(within(&format!("{root}.{code}"), now))
}

/// Some window `<prefix>.w<slot>` contains `now`.
fn within(prefix: &str, now: i64) -> String {
    let windows: Vec<String> = (0..WINDOW_SLOTS)
        .map(|slot| {
            let window = format!("{prefix}.w{slot}");
            format!("({window}.from <= {now} AND {window}.until > {now})")
        })
        .collect();
    format!("({})", windows.join(" OR "))
}

pub(super) fn all_of(clauses: Vec<String>) -> Option<String> {
    if clauses.is_empty() {
        return None;
    }
    let wrapped: Vec<String> = clauses.iter().map(|clause| format!("({clause})")).collect();
    Some(wrapped.join(" AND "))
}

fn quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combines_filters_with_and_and_values_with_in() {
        let query = SearchQuery {
            capabilities: vec!["machining".to_owned()],
            regions: vec![
                "Bourgogne-Franche-Comté".to_owned(),
                "Say \"hi\"".to_owned(),
            ],
            member: Some(true),
            ..SearchQuery::default()
        };
        assert_eq!(
            for_search(&query).ok().flatten().as_deref(),
            Some(
                "(capability_codes IN [\"machining\"]) AND \
                 (region IN [\"Bourgogne-Franche-Comté\", \"Say \\\"hi\\\"\"]) AND (member = true)"
            )
        );
    }

    #[test]
    fn certification_filter_checks_every_window_at_now() {
        let filter = valid_certification("iso_13485", 42, false).unwrap_or_default();
        assert!(filter.starts_with(
            "((cert_windows.iso_13485.w0.from <= 42 AND cert_windows.iso_13485.w0.until > 42) OR"
        ));
        assert!(valid_certification("iso 13485", 42, false).is_err());
    }
}
