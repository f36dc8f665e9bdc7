//! What a list of sourcing requests can be narrowed to and ordered by: the
//! filters and sorts of `GET /requests`, parsed from their raw query values
//! so that one answer names every bad parameter.

use chrono::{DateTime, NaiveDate, Utc};

use super::RequestStatus;
use crate::validation::{ValidationErrors, text};

/// Longest `q` accepted: a search, not a document.
pub const MAX_QUERY_CHARS: usize = 200;

/// The text `q` is matched against: title and description, lowercased here
/// (Unicode-aware, the same on every backend) and stored beside the request,
/// rather than lowered by each database's own rules (SQLite's `lower` only
/// folds ASCII).
pub fn searchable_text(title: &str, description: &str) -> String {
    format!("{title}\n{description}").to_lowercase()
}

/// The field a list of requests is sorted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestSortKey {
    Created,
    Updated,
    Deadline,
}

/// A sort key and its direction, written `deadline` (ascending) or
/// `-deadline` (descending). Ties are broken by id in the same direction,
/// so the order is total and a keyset cursor is stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestSort {
    pub key: RequestSortKey,
    pub descending: bool,
}

impl RequestSort {
    /// Newest first: what a buyer's list always showed.
    pub const DEFAULT: Self = Self {
        key: RequestSortKey::Created,
        descending: true,
    };

    /// Every accepted value of `sort`, as the spec lists them.
    pub const ALL: [&'static str; 6] = [
        "created",
        "-created",
        "updated",
        "-updated",
        "deadline",
        "-deadline",
    ];

    pub fn parse(raw: &str) -> Option<Self> {
        let (descending, name) = match raw.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, raw),
        };
        let key = match name {
            "created" => RequestSortKey::Created,
            "updated" => RequestSortKey::Updated,
            "deadline" => RequestSortKey::Deadline,
            _ => return None,
        };
        Some(Self { key, descending })
    }

    pub fn as_str(self) -> &'static str {
        match (self.key, self.descending) {
            (RequestSortKey::Created, false) => "created",
            (RequestSortKey::Created, true) => "-created",
            (RequestSortKey::Updated, false) => "updated",
            (RequestSortKey::Updated, true) => "-updated",
            (RequestSortKey::Deadline, false) => "deadline",
            (RequestSortKey::Deadline, true) => "-deadline",
        }
    }

    /// The value of this sort's key on a request.
    pub fn key_of(self, request: &super::SourcingRequest) -> DateTime<Utc> {
        match self.key {
            RequestSortKey::Created => request.created_at,
            RequestSortKey::Updated => request.updated_at,
            RequestSortKey::Deadline => request.content.response_deadline,
        }
    }
}

/// A time window: `from` included, `to` excluded, either open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeRange {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Which requests a list holds, besides whose they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    /// Any of these statuses; empty for all.
    pub statuses: Vec<RequestStatus>,
    /// Lowercased words that the title or description contains, as typed.
    pub text: Option<String>,
    pub created: TimeRange,
    pub deadline: TimeRange,
}

/// The raw query values of `GET /requests`, as sent.
#[derive(Debug, Default)]
pub struct RequestListingInput<'a> {
    pub status: Option<&'a str>,
    pub q: Option<&'a str>,
    pub created_from: Option<&'a str>,
    pub created_to: Option<&'a str>,
    pub deadline_from: Option<&'a str>,
    pub deadline_to: Option<&'a str>,
    pub sort: Option<&'a str>,
}

impl RequestFilter {
    /// Parses every parameter, reporting each bad one under its own name.
    pub fn parse(input: &RequestListingInput<'_>) -> Result<(Self, RequestSort), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let mut statuses = Vec::new();
        for raw in input.status.into_iter().flat_map(|s| s.split(',')) {
            match RequestStatus::parse(raw.trim()) {
                Some(status) if !statuses.contains(&status) => statuses.push(status),
                Some(_) => {}
                None => errors.add(
                    "status",
                    "invalid_status",
                    format!("unknown status {:?}", raw.trim()),
                ),
            }
        }
        let text = match input.q {
            None => None,
            Some(raw) => errors
                .check("q", text(raw, 1, MAX_QUERY_CHARS))
                .map(|q| q.to_lowercase()),
        };
        let mut range = |from: (&str, Option<&str>), to: (&str, Option<&str>)| {
            let from_at = from.1.and_then(|raw| errors.check(from.0, instant(raw)));
            let to_at = to.1.and_then(|raw| errors.check(to.0, instant(raw)));
            if let (Some(f), Some(t)) = (from_at, to_at)
                && f > t
            {
                errors.add(
                    to.0,
                    "min_above_max",
                    format!("{} is after {}", from.0, to.0),
                );
            }
            TimeRange {
                from: from_at,
                to: to_at,
            }
        };
        let created = range(
            ("created_from", input.created_from),
            ("created_to", input.created_to),
        );
        let deadline = range(
            ("deadline_from", input.deadline_from),
            ("deadline_to", input.deadline_to),
        );
        let sort = match input.sort {
            None => RequestSort::DEFAULT,
            Some(raw) => RequestSort::parse(raw).unwrap_or_else(|| {
                errors.add(
                    "sort",
                    "invalid_sort",
                    format!("sort is one of {}", RequestSort::ALL.join(", ")),
                );
                RequestSort::DEFAULT
            }),
        };
        errors.into_result(|| {
            (
                Self {
                    statuses,
                    text,
                    created,
                    deadline,
                },
                sort,
            )
        })
    }
}

/// An RFC 3339 time, or a date meaning its midnight UTC.
fn instant(raw: &str) -> Result<DateTime<Utc>, ValidationErrors> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
                .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
        })
        .map_err(|_| {
            ValidationErrors::single(
                "",
                "invalid_date",
                "an RFC 3339 time (2026-12-01T09:00:00Z) or a date (2026-12-01)",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(input: RequestListingInput<'_>) -> Vec<(String, &'static str)> {
        RequestFilter::parse(&input)
            .err()
            .map(|e| {
                e.errors()
                    .iter()
                    .map(|e| (e.field.clone(), e.code))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn every_sort_parses_back_to_its_name() {
        for name in RequestSort::ALL {
            assert_eq!(
                RequestSort::parse(name).map(RequestSort::as_str),
                Some(name)
            );
        }
        assert_eq!(RequestSort::parse("--created"), None);
        assert_eq!(RequestSort::parse("title"), None);
    }

    #[test]
    fn filters_parse_statuses_text_and_windows() {
        let (filter, sort) = RequestFilter::parse(&RequestListingInput {
            status: Some("open, closed,open"),
            q: Some("  Micro-Usinage "),
            created_from: Some("2026-01-01"),
            deadline_to: Some("2026-12-01T10:00:00+01:00"),
            sort: Some("-deadline"),
            ..Default::default()
        })
        .expect("valid");
        assert_eq!(
            filter.statuses,
            vec![RequestStatus::Open, RequestStatus::Closed]
        );
        assert_eq!(filter.text.as_deref(), Some("micro-usinage"));
        assert_eq!(
            filter.created.from.map(|t| t.to_rfc3339()),
            Some("2026-01-01T00:00:00+00:00".to_owned())
        );
        assert_eq!(
            filter.deadline.to.map(|t| t.to_rfc3339()),
            Some("2026-12-01T09:00:00+00:00".to_owned())
        );
        assert_eq!(sort.as_str(), "-deadline");
    }

    #[test]
    fn every_bad_parameter_is_named() {
        assert_eq!(
            codes(RequestListingInput {
                status: Some("open,ouvert"),
                q: Some(" "),
                created_from: Some("yesterday"),
                deadline_from: Some("2026-02-01"),
                deadline_to: Some("2026-01-01"),
                sort: Some("title"),
                ..Default::default()
            }),
            vec![
                ("status".to_owned(), "invalid_status"),
                ("q".to_owned(), "required"),
                ("created_from".to_owned(), "invalid_date"),
                ("deadline_to".to_owned(), "min_above_max"),
                ("sort".to_owned(), "invalid_sort"),
            ]
        );
    }

    #[test]
    fn search_text_folds_case_beyond_ascii() {
        assert_eq!(searchable_text("ÉTUDE", "Dispositif"), "étude\ndispositif");
    }
}
