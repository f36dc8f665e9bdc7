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
pub(super) fn requirements(need: &CandidateQuery) -> Result<Requirements, IndexError> {
    let mut equalities = Vec::new();
    if need.capabilities.len() > 1 {
        equalities.extend(
            need.capabilities
                .iter()
                .map(|code| format!("capability_codes = {}", quote(code))),
        );
    }
    equalities.extend(
        need.sectors
            .iter()
            .map(|sector| format!("sectors = {}", quote(sector))),
    );
    equalities.extend(
        need.region
            .iter()
            .map(|region| format!("region = {}", quote(region))),
    );
    let certifications = need
        .certifications
        .iter()
        .map(|code| valid_certification(code, need.now, false))
        .collect::<Result<_, _>>()?;
    Ok(Requirements {
        certifications,
        equalities,
    })
}

/// A need's requirements as filters, by what they cost Meilisearch: a
/// certification's validity is eight range comparisons, each many times an
/// equality.
#[derive(Debug)]
pub(super) struct Requirements {
    certifications: Vec<String>,
    equalities: Vec<String>,
}

impl Requirements {
    pub(super) fn len(&self) -> usize {
        self.certifications.len() + self.equalities.len()
    }

    /// Documents meeting at least `k` of the requirements, `None` for `k ==
    /// 0`, for more than there are, or beyond [`MAX_REQUIREMENTS`].
    ///
    /// Meilisearch evaluates every clause of a filter, repeated or not: the
    /// certifications are factored out (`c AND at least k-1 of the others,
    /// OR at least k of the others`) so that each appears once or twice
    /// rather than in every conjunction holding it; the equalities are
    /// written as every conjunction of the number still needed.
    pub(super) fn at_least(&self, k: usize) -> Option<String> {
        if self.len() > MAX_REQUIREMENTS {
            return None;
        }
        match at_least_of(&self.certifications, &self.equalities, k) {
            Clause::Filter(filter) => Some(filter),
            Clause::Always | Clause::Never => None,
        }
    }
}

/// A filter, or one that keeps every document or none.
enum Clause {
    Always,
    Never,
    Filter(String),
}

fn at_least_of(factored: &[String], written_out: &[String], k: usize) -> Clause {
    if k == 0 {
        return Clause::Always;
    }
    if k > factored.len() + written_out.len() {
        return Clause::Never;
    }
    let Some((first, rest)) = factored.split_first() else {
        return Clause::Filter(conjunctions(written_out, k));
    };
    let with_first = match at_least_of(rest, written_out, k - 1) {
        Clause::Always => Clause::Filter(first.clone()),
        Clause::Never => Clause::Never,
        Clause::Filter(others) => Clause::Filter(format!("({first}) AND ({others})")),
    };
    match (with_first, at_least_of(rest, written_out, k)) {
        (Clause::Always, _) | (_, Clause::Always) => Clause::Always,
        (Clause::Never, other) | (other, Clause::Never) => other,
        (Clause::Filter(a), Clause::Filter(b)) => Clause::Filter(format!("({a}) OR ({b})")),
    }
}

/// Every conjunction of `k` of `filters` (`0 < k <= filters.len()`), OR-ed.
fn conjunctions(filters: &[String], k: usize) -> String {
    let mut terms = Vec::new();
    // Each subset of size k, as the bits of a mask over the filters.
    for mask in 0_u32..(1 << filters.len()) {
        if mask.count_ones() as usize != k {
            continue;
        }
        let chosen: Vec<String> = filters
            .iter()
            .enumerate()
            .filter(|(at, _)| mask & (1 << at) != 0)
            .map(|(_, filter)| filter.clone())
            .collect();
        terms.extend(all_of(chosen));
    }
    let wrapped: Vec<String> = terms.iter().map(|term| format!("({term})")).collect();
    wrapped.join(" OR ")
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

    fn equalities(filters: &[&str]) -> Requirements {
        Requirements {
            certifications: Vec::new(),
            equalities: filters.iter().map(|f| (*f).to_owned()).collect(),
        }
    }

    #[test]
    fn at_least_k_equalities_is_every_conjunction_of_k() {
        let three = equalities(&["a = 1", "b = 2", "c = 3"]);
        assert_eq!(three.at_least(0), None);
        assert_eq!(
            three.at_least(3).as_deref(),
            Some("((a = 1) AND (b = 2) AND (c = 3))")
        );
        assert_eq!(
            three.at_least(2).as_deref(),
            Some("((a = 1) AND (b = 2)) OR ((a = 1) AND (c = 3)) OR ((b = 2) AND (c = 3))")
        );
        assert_eq!(
            three.at_least(1).as_deref(),
            Some("((a = 1)) OR ((b = 2)) OR ((c = 3))")
        );
        assert_eq!(three.at_least(4), None);
        let many: Vec<String> = (0..=MAX_REQUIREMENTS).map(|n| format!("x = {n}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(equalities(&many).at_least(1), None);
    }

    #[test]
    fn a_certification_is_written_once_however_many_ways_it_is_met() {
        let need = Requirements {
            certifications: vec!["c = 0".to_owned()],
            equalities: ["a = 1", "b = 2", "d = 3", "e = 4"]
                .map(str::to_owned)
                .to_vec(),
        };
        for k in 1..=5 {
            let filter = need.at_least(k).unwrap_or_default();
            assert_eq!(filter.matches("c = 0").count(), 1, "k = {k}: {filter}");
        }
        assert_eq!(
            need.at_least(5).as_deref(),
            Some("(c = 0) AND (((a = 1) AND (b = 2) AND (d = 3) AND (e = 4)))")
        );
        // Met with the certification and one equality, or with two equalities.
        let two = Requirements {
            certifications: vec!["c = 0".to_owned()],
            equalities: ["a = 1", "b = 2"].map(str::to_owned).to_vec(),
        };
        assert_eq!(
            two.at_least(2).as_deref(),
            Some("((c = 0) AND (((a = 1)) OR ((b = 2)))) OR (((a = 1) AND (b = 2)))")
        );
        assert_eq!(
            two.at_least(3).as_deref(),
            Some("(c = 0) AND (((a = 1) AND (b = 2)))")
        );
    }

    #[test]
    fn a_need_requires_each_capability_only_when_it_names_several() {
        let mut need = CandidateQuery {
            capabilities: vec!["machining".to_owned()],
            sectors: vec!["medtech".to_owned()],
            region: Some("Grand Est".to_owned()),
            ..CandidateQuery::default()
        };
        let one = requirements(&need).expect("requirements");
        assert!(one.certifications.is_empty());
        assert_eq!(
            one.equalities,
            ["sectors = \"medtech\"", "region = \"Grand Est\""]
        );
        need.capabilities.push("additive".to_owned());
        need.certifications.push("iso_13485".to_owned());
        let two = requirements(&need).expect("requirements");
        assert_eq!(two.len(), 5);
        assert_eq!(two.equalities[0], "capability_codes = \"machining\"");
        assert!(two.certifications[0].contains("cert_windows.iso_13485.w0"));
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
