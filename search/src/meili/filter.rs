//! Meilisearch filter expressions built from queries. Values are always quoted;
//! attribute names are fixed or checked identifiers.

use super::record::{WINDOW_SLOTS, check_code};
use crate::error::IndexError;
use crate::query::{CandidateQuery, SearchQuery};

/// Above this many requirements, "at least k of them" is not written out:
/// it would take up to C(n, n/2) terms (20 for 6).
pub(super) const MAX_REQUIREMENTS: usize = 6;

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

/// What a holder of a requested capability may meet besides, each as a
/// filter, as `CandidateQuery::rank` counts them: each requested
/// capability when there are several (every holder holds one), each
/// certification valid at `now`, each sector, the region.
pub(super) fn requirements(need: &CandidateQuery) -> Result<Vec<String>, IndexError> {
    let mut filters = Vec::new();
    if need.capabilities.len() > 1 {
        filters.extend(
            need.capabilities
                .iter()
                .map(|code| format!("capability_codes = {}", quote(code))),
        );
    }
    for code in &need.certifications {
        filters.push(valid_certification(code, need.now, false)?);
    }
    filters.extend(
        need.sectors
            .iter()
            .map(|sector| format!("sectors = {}", quote(sector))),
    );
    filters.extend(
        need.region
            .iter()
            .map(|region| format!("region = {}", quote(region))),
    );
    Ok(filters)
}

/// Documents meeting at least `k` of `requirements`, `None` for `k == 0`
/// (every document) or beyond [`MAX_REQUIREMENTS`]: the disjunction of every
/// conjunction of `k` of them.
pub(super) fn at_least(requirements: &[String], k: usize) -> Option<String> {
    if k == 0 || k > requirements.len() || requirements.len() > MAX_REQUIREMENTS {
        return None;
    }
    let mut terms = Vec::new();
    // Each subset of size k, as the bits of a mask over the requirements.
    for mask in 0_u32..(1 << requirements.len()) {
        if mask.count_ones() as usize != k {
            continue;
        }
        let chosen: Vec<String> = requirements
            .iter()
            .enumerate()
            .filter(|(at, _)| mask & (1 << at) != 0)
            .map(|(_, filter)| filter.clone())
            .collect();
        terms.extend(all_of(chosen));
    }
    let wrapped: Vec<String> = terms.iter().map(|term| format!("({term})")).collect();
    Some(wrapped.join(" OR "))
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
    fn at_least_k_requirements_is_every_conjunction_of_k() {
        let three = ["a = 1", "b = 2", "c = 3"].map(str::to_owned);
        assert_eq!(at_least(&three, 0), None);
        assert_eq!(
            at_least(&three, 3).as_deref(),
            Some("((a = 1) AND (b = 2) AND (c = 3))")
        );
        assert_eq!(
            at_least(&three, 2).as_deref(),
            Some("((a = 1) AND (b = 2)) OR ((a = 1) AND (c = 3)) OR ((b = 2) AND (c = 3))")
        );
        assert_eq!(
            at_least(&three, 1).as_deref(),
            Some("((a = 1)) OR ((b = 2)) OR ((c = 3))")
        );
        assert_eq!(at_least(&three, 4), None);
        let many: Vec<String> = (0..=MAX_REQUIREMENTS).map(|n| format!("x = {n}")).collect();
        assert_eq!(at_least(&many, 1), None);
    }

    #[test]
    fn a_need_requires_each_capability_only_when_it_names_several() {
        let mut need = CandidateQuery {
            capabilities: vec!["machining".to_owned()],
            sectors: vec!["medtech".to_owned()],
            region: Some("Grand Est".to_owned()),
            ..CandidateQuery::default()
        };
        assert_eq!(
            requirements(&need).unwrap_or_default(),
            ["sectors = \"medtech\"", "region = \"Grand Est\""]
        );
        need.capabilities.push("additive".to_owned());
        need.certifications.push("iso_13485".to_owned());
        let filters = requirements(&need).unwrap_or_default();
        assert_eq!(filters.len(), 5);
        assert_eq!(filters[0], "capability_codes = \"machining\"");
        assert!(filters[2].contains("cert_windows.iso_13485.w0"));
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
