//! Certificate validity as pieces of days, so that the facet distribution
//! of the search that already counts sectors and regions also counts every
//! certification code valid on the query's day.
//!
//! The full days of a validity window are cut into dyadic pieces: 2^L days
//! starting at a multiple of 2^L, named `cert_days.l<L>.k<start >> L>` and
//! holding the codes whose window covers them. A day inside a window lies in
//! exactly one of its pieces, and the pieces that can hold a given day are
//! one per level. So the facets of those [`LEVELS`] names, summed per code,
//! count the documents holding the code valid that day: one facet
//! distribution instead of one federated search per code, which made half a
//! sentence's cost at 100 000 suppliers.
//!
//! Certificates are dates, so their windows start and end at midnight UTC.
//! A window starting or ending inside a day leaves that day out of its
//! pieces and names it `cert_days.edge.d<day>`: a code some match holds
//! there is counted the exact way, with a validity filter.

use std::collections::{BTreeMap, HashMap};

use super::record::Window;

/// The facets' root, filterable as a whole (see `settings`).
pub(super) const ROOT: &str = "cert_days";
/// Piece sizes 1, 2, 4… 2^(LEVELS-1) days.
const LEVELS: u32 = 21;
/// Days from 1970 the pieces cover, until the year 4840; a query beyond is
/// counted the exact way.
const HORIZON: i64 = 1 << (LEVELS - 1);
const DAY: i64 = 86_400;

/// A document's pieces: level key (`l3`, or `edge`), then piece key (`k42`,
/// or `d20000`), then the codes.
pub(super) type Pieces<'a> = BTreeMap<String, BTreeMap<String, Vec<&'a str>>>;

/// Adds the pieces of `code`'s merged `windows` to `pieces`.
pub(super) fn add<'a>(pieces: &mut Pieces<'a>, code: &'a str, windows: &[Window]) {
    let mut put = |level: String, piece: String| {
        let codes = pieces.entry(level).or_default().entry(piece).or_default();
        if !codes.contains(&code) {
            codes.push(code);
        }
    };
    for window in windows {
        let (from, until) = (window.from, window.until);
        let first_full = from.div_euclid(DAY) + i64::from(from.rem_euclid(DAY) != 0);
        let end_full = until.div_euclid(DAY);
        for (level, start) in dyadic(first_full, end_full) {
            put(format!("l{level}"), format!("k{start}"));
        }
        for edge in [from, until] {
            if edge.rem_euclid(DAY) != 0 {
                put("edge".to_owned(), format!("d{}", edge.div_euclid(DAY)));
            }
        }
    }
}

/// The dyadic pieces `(level, start >> level)` covering the days
/// `first..end`, clamped to `0..HORIZON`: at most two per level.
fn dyadic(first: i64, end: i64) -> Vec<(u32, i64)> {
    let (mut at, end) = (first.max(0), end.min(HORIZON));
    let mut pieces = Vec::new();
    while at < end {
        let mut level = at.trailing_zeros().min(LEVELS - 1);
        while at + (1_i64 << level) > end {
            level -= 1;
        }
        pieces.push((level, at >> level));
        at += 1_i64 << level;
    }
    pieces
}

/// The facet names whose counts answer "valid at `now`": the piece of each
/// level holding `now`'s day, then the day's edges. `None` beyond the
/// pieces' horizon.
pub(super) fn facets_at(now: i64) -> Option<Vec<String>> {
    let day = now.div_euclid(DAY);
    if !(0..HORIZON).contains(&day) {
        return None;
    }
    Some(
        (0..LEVELS)
            .map(|level| format!("{ROOT}.l{level}.k{}", day >> level))
            .chain([format!("{ROOT}.edge.d{day}")])
            .collect(),
    )
}

/// What the facets of [`facets_at`] say, taken out of `distribution`.
#[derive(Debug, Default, PartialEq)]
pub(super) struct DayCounts {
    /// Per code, the documents holding it valid for the whole day.
    pub valid: BTreeMap<String, usize>,
    /// The codes some document starts or stops holding during the day:
    /// their counts must be taken the exact way.
    pub edges: Vec<String>,
}

pub(super) fn counts(
    distribution: &mut HashMap<String, HashMap<String, usize>>,
    now: i64,
) -> Option<DayCounts> {
    let mut names = facets_at(now)?;
    let edge = names.pop()?;
    let mut counts = DayCounts::default();
    for name in names {
        for (code, count) in distribution.remove(&name).unwrap_or_default() {
            *counts.valid.entry(code).or_default() += count;
        }
    }
    counts.edges = distribution
        .remove(&edge)
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, count)| *count > 0)
        .map(|(code, _)| code)
        .collect();
    counts.valid.retain(|_, count| *count > 0);
    Some(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The facets a document with `windows` of one code adds to at `now`.
    fn counted_at(windows: &[Window], now: i64) -> (usize, bool) {
        let mut pieces = Pieces::new();
        add(&mut pieces, "iso_13485", windows);
        let mut distribution: HashMap<String, HashMap<String, usize>> = HashMap::new();
        for (level, keys) in &pieces {
            for (key, codes) in keys {
                for code in codes {
                    *distribution
                        .entry(format!("{ROOT}.{level}.{key}"))
                        .or_default()
                        .entry((*code).to_owned())
                        .or_default() += 1;
                }
            }
        }
        let counts = counts(&mut distribution, now).expect("within the horizon");
        (
            counts.valid.get("iso_13485").copied().unwrap_or_default(),
            !counts.edges.is_empty(),
        )
    }

    #[test]
    fn a_day_inside_a_window_is_in_exactly_one_piece() {
        let windows = [
            Window {
                from: 20_000 * DAY,
                until: 21_095 * DAY,
            },
            Window {
                from: 21_200 * DAY,
                until: 21_201 * DAY,
            },
        ];
        for day in 19_990..21_300 {
            for now in [day * DAY, day * DAY + DAY / 2, day * DAY + DAY - 1] {
                let valid = windows.iter().any(|w| w.from <= now && now < w.until);
                assert_eq!(
                    counted_at(&windows, now),
                    (usize::from(valid), false),
                    "day {day}"
                );
            }
        }
    }

    #[test]
    fn a_window_edge_inside_a_day_sends_that_day_to_the_exact_count() {
        let window = [Window {
            from: 20_000 * DAY + 3_600,
            until: 20_010 * DAY + 7_200,
        }];
        assert_eq!(counted_at(&window, 20_000 * DAY + 10), (0, true));
        assert_eq!(counted_at(&window, 20_000 * DAY + 5_000), (0, true));
        assert_eq!(counted_at(&window, 20_001 * DAY), (1, false));
        assert_eq!(counted_at(&window, 20_009 * DAY + DAY - 1), (1, false));
        assert_eq!(counted_at(&window, 20_010 * DAY), (0, true));
        assert_eq!(counted_at(&window, 20_011 * DAY), (0, false));
    }

    #[test]
    fn pieces_are_few_and_clamped_to_the_horizon() {
        for (first, end) in [(0, HORIZON), (1, HORIZON - 1), (12_345, 67_890), (-50, 10)] {
            let pieces = dyadic(first, end);
            assert!(pieces.len() <= 2 * LEVELS as usize, "{first}..{end}");
            let days: i64 = pieces.iter().map(|(level, _)| 1_i64 << level).sum();
            assert_eq!(days, end.min(HORIZON) - first.max(0), "{first}..{end}");
        }
        assert!(dyadic(10, 10).is_empty());
        assert!(facets_at(-1).is_none());
        assert!(facets_at(HORIZON * DAY).is_none());
        assert_eq!(
            facets_at(0).map(|names| names.len()),
            Some(LEVELS as usize + 1)
        );
    }
}
