//! The programme's activity report: what the platform brought over a period
//! (requests and where they went, buyers, connections, suppliers listed),
//! the indicators the funder asks for in the annual report. Counted here
//! from the requests' histories the persistence layer reads; no I/O.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};

use crate::ValidationErrors;
use crate::ids::OrganisationId;
use crate::profile::Sector;
use crate::validation::Validated;

/// The days a report covers, `from` and `to` included (UTC days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportPeriod {
    from: NaiveDate,
    to: NaiveDate,
}

impl ReportPeriod {
    /// Three years and a day: the programme's length, so that one report
    /// covers it whole while the durations read stay bounded.
    pub const MAX_DAYS: i64 = 3 * 366;

    /// `from` and `to` as `YYYY-MM-DD`; every failing field is named.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Validated<Self> {
        let mut errors = ValidationErrors::new();
        let mut day = |field: &str, raw: Option<&str>| match raw.map(str::trim) {
            None | Some("") => {
                errors.add(field, "required", format!("{field} is a date, YYYY-MM-DD"));
                None
            }
            Some(raw) => NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map_err(|_| {
                    errors.add(
                        field,
                        "invalid_date",
                        format!("{field} is a date, YYYY-MM-DD"),
                    )
                })
                .ok(),
        };
        let (from, to) = (day("from", from), day("to", to));
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                errors.add("from", "min_above_max", "from is on or before to");
            } else if (to - from).num_days() + 1 > Self::MAX_DAYS {
                errors.add(
                    "to",
                    "out_of_range",
                    format!("a report covers at most {} days", Self::MAX_DAYS),
                );
            }
        }
        let period = from.zip(to).map(|(from, to)| Self { from, to });
        match period {
            Some(period) if errors.is_empty() => Ok(period),
            _ => Err(errors),
        }
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// The first instant covered.
    pub fn start(&self) -> DateTime<Utc> {
        self.from.and_time(chrono::NaiveTime::MIN).and_utc()
    }

    /// The first instant after the period (`to` is included whole).
    pub fn end(&self) -> DateTime<Utc> {
        self.start() + TimeDelta::days((self.to - self.from).num_days() + 1)
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start() <= at && at < self.end()
    }

    /// The calendar months the period touches, in order.
    pub fn months(&self) -> Vec<Month> {
        let mut months = Vec::new();
        let mut month = Month::of(self.from);
        let last = Month::of(self.to);
        while month <= last {
            months.push(month);
            month = month.next();
        }
        months
    }
}

/// A calendar month, `2026-03`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn of(day: NaiveDate) -> Self {
        Self {
            year: day.year(),
            month: day.month(),
        }
    }

    fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                month: self.month + 1,
                ..self
            }
        }
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// What a request's history says happened to it, and when (the first time
/// each step was taken), with what its content and buyer say about it.
/// Borrowed: a year holds most requests, and those of a buyer or coded
/// alike share their region, sectors and families.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestHistory<'a> {
    pub buyer: OrganisationId,
    /// The buyer organisation's region, as registered.
    pub buyer_region: &'a str,
    pub sectors: &'a [Sector],
    /// The first segment of each capability the request names, deduplicated.
    pub capability_families: &'a [String],
    pub submitted: Option<DateTime<Utc>>,
    pub qualified: Option<DateTime<Utc>>,
    pub rejected: Option<DateTime<Utc>>,
    pub opened: Option<DateTime<Utc>>,
    pub awarded: Option<DateTime<Utc>>,
    pub cancelled: Option<DateTime<Utc>>,
    pub first_quote: Option<DateTime<Utc>>,
    /// Suppliers that sent at least one quote.
    pub quoting_suppliers: u64,
    /// Suppliers the award chose.
    pub awarded_suppliers: u64,
}

/// How many requests took each step within a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepCounts {
    pub received: u64,
    pub qualified: u64,
    pub rejected: u64,
    pub opened: u64,
    pub awarded: u64,
    pub cancelled: u64,
}

impl StepCounts {
    /// The steps `request` took when `within` says.
    fn of(request: &RequestHistory<'_>, within: impl Fn(DateTime<Utc>) -> bool) -> Self {
        let mut counts = Self::default();
        for (step, at) in request.steps() {
            if at.is_some_and(&within) {
                counts.count(step);
            }
        }
        counts
    }

    fn count(&mut self, step: Step) {
        let counter = match step {
            Step::Received => &mut self.received,
            Step::Qualified => &mut self.qualified,
            Step::Rejected => &mut self.rejected,
            Step::Opened => &mut self.opened,
            Step::Awarded => &mut self.awarded,
            Step::Cancelled => &mut self.cancelled,
        };
        *counter += 1;
    }

    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl std::ops::AddAssign for StepCounts {
    fn add_assign(&mut self, other: Self) {
        self.received += other.received;
        self.qualified += other.qualified;
        self.rejected += other.rejected;
        self.opened += other.opened;
        self.awarded += other.awarded;
        self.cancelled += other.cancelled;
    }
}

/// A step the report counts, one per field of `StepCounts`.
#[derive(Debug, Clone, Copy)]
enum Step {
    Received,
    Qualified,
    Rejected,
    Opened,
    Awarded,
    Cancelled,
}

impl RequestHistory<'_> {
    /// Each counted step with the first time the request took it.
    fn steps(&self) -> [(Step, Option<DateTime<Utc>>); 6] {
        [
            (Step::Received, self.submitted),
            (Step::Qualified, self.qualified),
            (Step::Rejected, self.rejected),
            (Step::Opened, self.opened),
            (Step::Awarded, self.awarded),
            (Step::Cancelled, self.cancelled),
        ]
    }
}

/// Median and 90th percentile of durations, by nearest rank: the smallest
/// duration such that at least half (nine tenths) of them are no longer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DurationStats {
    pub count: u64,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

impl DurationStats {
    pub fn of(mut seconds: Vec<i64>) -> Self {
        seconds.sort_unstable();
        let rank = |percent: usize| {
            let n = seconds.len();
            // ceil(percent / 100 × n), 1-based.
            let rank = (percent * n).div_ceil(100).max(1);
            seconds.get(rank - 1).copied()
        };
        Self {
            count: seconds.len() as u64,
            median_seconds: rank(50),
            p90_seconds: rank(90),
        }
    }
}

/// One value of a breakdown (a sector, a capability family, a region) and
/// the steps its requests took in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakdown {
    pub key: String,
    pub counts: StepCounts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthlyPoint {
    pub month: Month,
    pub counts: StepCounts,
    pub connections: u64,
}

/// What the supplier side of the platform did, read apart from requests.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SupplierActivity {
    /// Published, not suspended, when the report is made.
    pub listed_members: u64,
    pub listed_non_members: u64,
    /// Profiles published for the first time within the period.
    pub new_profiles: u64,
    /// From a submission to the expert's decision, decisions in the period.
    pub review_times: DurationStats,
    /// Certificates an expert verified within the period.
    pub certificates_verified: u64,
}

/// Placeholder of a breakdown value a request does not give.
pub const UNSPECIFIED: &str = "unspecified";

#[derive(Debug, Clone, PartialEq)]
pub struct ActivityReport {
    pub period: ReportPeriod,
    pub requests: StepCounts,
    pub by_sector: Vec<Breakdown>,
    pub by_capability_family: Vec<Breakdown>,
    pub by_buyer_region: Vec<Breakdown>,
    pub new_buyers: u64,
    pub returning_buyers: u64,
    pub to_qualification: DurationStats,
    pub to_opening: DurationStats,
    pub to_first_quote: DurationStats,
    pub to_award: DurationStats,
    /// Suppliers that quoted on the requests opened in the period, per
    /// request opened; `None` when none was opened.
    pub quotes_per_opened_request: Option<f64>,
    pub connections: u64,
    pub suppliers: SupplierActivity,
    pub emails_failed: u64,
    pub monthly: Vec<MonthlyPoint>,
}

impl ActivityReport {
    /// `requests`: at least every request with a counted step or its first
    /// quote in the period (with its earlier ones); any other counts for
    /// nothing, since only what happened within the period is counted.
    /// `first_submissions`: when each of their buyers first submitted any
    /// request (a buyer missing from it is new).
    pub fn compute(
        period: ReportPeriod,
        requests: &[RequestHistory<'_>],
        first_submissions: &HashMap<OrganisationId, DateTime<Utc>>,
        suppliers: SupplierActivity,
        emails_failed: u64,
    ) -> Self {
        let mut tally = RequestTally::new(period);
        for request in requests {
            tally.add(request);
        }
        tally.report(first_submissions, suppliers, emails_failed)
    }
}

/// The request side of a report, counted one request at a time as they are
/// read (see [`ActivityReport::compute`] for which requests).
#[derive(Debug)]
pub struct RequestTally {
    period: ReportPeriod,
    // Bounds computed once: `within` runs for every step of every request.
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    totals: StepCounts,
    by_sector: BTreeMap<&'static str, StepCounts>,
    by_family: BTreeMap<String, StepCounts>,
    by_region: BTreeMap<String, StepCounts>,
    months: BTreeMap<Month, (StepCounts, u64)>,
    buyers: BTreeSet<OrganisationId>,
    qualification: Vec<i64>,
    opening: Vec<i64>,
    first_quote: Vec<i64>,
    award: Vec<i64>,
    opened: u64,
    quoting: u64,
    connections: u64,
}

/// Adds `counts` under `key`, owning the key the first time only.
fn add_to(map: &mut BTreeMap<String, StepCounts>, key: &str, counts: StepCounts) {
    match map.get_mut(key) {
        Some(sum) => *sum += counts,
        None => {
            map.insert(key.to_owned(), counts);
        }
    }
}

impl RequestTally {
    pub fn new(period: ReportPeriod) -> Self {
        Self {
            period,
            start: period.start(),
            end: period.end(),
            totals: StepCounts::default(),
            by_sector: BTreeMap::new(),
            by_family: BTreeMap::new(),
            by_region: BTreeMap::new(),
            months: period
                .months()
                .into_iter()
                .map(|m| (m, Default::default()))
                .collect(),
            buyers: BTreeSet::new(),
            qualification: Vec::new(),
            opening: Vec::new(),
            first_quote: Vec::new(),
            award: Vec::new(),
            opened: 0,
            quoting: 0,
            connections: 0,
        }
    }

    pub fn add(&mut self, request: &RequestHistory<'_>) {
        let within = |at: DateTime<Utc>| self.start <= at && at < self.end;
        let counts = StepCounts::of(request, within);
        if !counts.is_empty() {
            self.totals += counts;
            if request.sectors.is_empty() {
                *self.by_sector.entry(UNSPECIFIED).or_default() += counts;
            }
            for sector in request.sectors {
                *self.by_sector.entry(sector.as_str()).or_default() += counts;
            }
            if request.capability_families.is_empty() {
                add_to(&mut self.by_family, UNSPECIFIED, counts);
            }
            for family in request.capability_families {
                add_to(&mut self.by_family, family, counts);
            }
            let region = request.buyer_region.trim();
            let region = if region.is_empty() {
                UNSPECIFIED
            } else {
                region
            };
            add_to(&mut self.by_region, region, counts);
            for (step, at) in request.steps() {
                if let Some(at) = at.filter(|at| within(*at))
                    && let Some((month, _)) = self.months.get_mut(&Month::of(at.date_naive()))
                {
                    month.count(step);
                }
            }
        }
        if request.submitted.is_some_and(within) {
            self.buyers.insert(request.buyer);
        }
        let since_submission = |step: Option<DateTime<Utc>>, into: &mut Vec<i64>| {
            if let (Some(submitted), Some(at)) = (request.submitted, step.filter(|at| within(*at)))
            {
                into.push((at - submitted).num_seconds().max(0));
            }
        };
        since_submission(request.qualified, &mut self.qualification);
        since_submission(request.opened, &mut self.opening);
        since_submission(request.first_quote, &mut self.first_quote);
        since_submission(request.awarded, &mut self.award);
        if request.opened.is_some_and(within) {
            self.opened += 1;
            self.quoting += request.quoting_suppliers;
        }
        if let Some(at) = request.awarded.filter(|at| within(*at)) {
            self.connections += request.awarded_suppliers;
            if let Some((_, month)) = self.months.get_mut(&Month::of(at.date_naive())) {
                *month += request.awarded_suppliers;
            }
        }
    }

    /// The report of the requests added, with what is read apart from them.
    pub fn report(
        self,
        first_submissions: &HashMap<OrganisationId, DateTime<Utc>>,
        suppliers: SupplierActivity,
        emails_failed: u64,
    ) -> ActivityReport {
        let Self {
            period,
            totals,
            by_sector,
            by_family,
            by_region,
            months,
            buyers,
            qualification,
            opening,
            first_quote,
            award,
            opened,
            quoting,
            connections,
            ..
        } = self;
        let new_buyers = buyers
            .iter()
            .filter(|b| {
                first_submissions
                    .get(b)
                    .is_none_or(|at| *at >= period.start())
            })
            .count() as u64;
        let breakdown = |map: BTreeMap<String, StepCounts>| {
            map.into_iter()
                .filter(|(_, counts)| !counts.is_empty())
                .map(|(key, counts)| Breakdown { key, counts })
                .collect()
        };
        let by_sector = by_sector
            .into_iter()
            .map(|(key, counts)| (key.to_owned(), counts))
            .collect();
        ActivityReport {
            period,
            requests: totals,
            by_sector: breakdown(by_sector),
            by_capability_family: breakdown(by_family),
            by_buyer_region: breakdown(by_region),
            new_buyers,
            returning_buyers: buyers.len() as u64 - new_buyers,
            to_qualification: DurationStats::of(qualification),
            to_opening: DurationStats::of(opening),
            to_first_quote: DurationStats::of(first_quote),
            to_award: DurationStats::of(award),
            quotes_per_opened_request: (opened > 0).then(|| quoting as f64 / opened as f64),
            connections,
            suppliers,
            emails_failed,
            monthly: months
                .into_iter()
                .map(|(month, (counts, connections))| MonthlyPoint {
                    month,
                    counts,
                    connections,
                })
                .collect(),
        }
    }
}

/// Pairs each submission of a profile with the decision that followed it
/// (`(at, is_decision)` in time order) and gives the waits of the decisions
/// taken within `period`, in seconds.
pub fn review_waits(steps: &[(DateTime<Utc>, bool)], period: &ReportPeriod) -> Vec<i64> {
    let mut waiting_since = None;
    let mut waits = Vec::new();
    for (at, is_decision) in steps {
        match (is_decision, waiting_since) {
            (false, None) => waiting_since = Some(*at),
            (true, Some(since)) => {
                if period.contains(*at) {
                    waits.push((*at - since).num_seconds().max(0));
                }
                waiting_since = None;
            }
            _ => {}
        }
    }
    waits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(raw).expect("time").to_utc()
    }

    fn fields(errors: ValidationErrors) -> Vec<(String, &'static str)> {
        errors
            .errors()
            .iter()
            .map(|e| (e.field.clone(), e.code))
            .collect()
    }

    #[test]
    fn a_period_names_each_bad_bound() {
        let period = ReportPeriod::parse(Some("2026-01-01"), Some("2026-12-31")).expect("valid");
        assert_eq!(period.end(), at("2027-01-01T00:00:00Z"));
        assert!(period.contains(at("2026-12-31T23:59:59Z")));
        assert!(!period.contains(at("2027-01-01T00:00:00Z")));
        assert_eq!(period.months().len(), 12);
        let refused = |from, to| fields(ReportPeriod::parse(from, to).expect_err("refused"));
        assert_eq!(
            refused(None, Some("2026-13-01")),
            vec![("from".into(), "required"), ("to".into(), "invalid_date")]
        );
        assert_eq!(
            refused(Some("2026-02-01"), Some("2026-01-31")),
            vec![("from".into(), "min_above_max")]
        );
        assert_eq!(
            refused(Some("2020-01-01"), Some("2026-01-01")),
            vec![("to".into(), "out_of_range")]
        );
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let stats = DurationStats::of(vec![50, 10, 40, 20, 30]);
        assert_eq!(stats.count, 5);
        assert_eq!(stats.median_seconds, Some(30));
        assert_eq!(stats.p90_seconds, Some(50));
        assert_eq!(DurationStats::of(vec![]).median_seconds, None);
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(DurationStats::of(ten).p90_seconds, Some(9));
    }

    fn request(buyer: OrganisationId, submitted: &str) -> RequestHistory<'static> {
        RequestHistory {
            buyer,
            buyer_region: "Bourgogne-Franche-Comté",
            sectors: &[Sector::Medtech],
            // Leaked: a test's few requests borrow their families for good.
            capability_families: Box::leak(Box::new(["machining".to_owned()])),
            submitted: Some(at(submitted)),
            qualified: None,
            rejected: None,
            opened: None,
            awarded: None,
            cancelled: None,
            first_quote: None,
            quoting_suppliers: 0,
            awarded_suppliers: 0,
        }
    }

    #[test]
    fn steps_durations_and_buyers_count_within_the_period_only() {
        let period = ReportPeriod::parse(Some("2026-03-01"), Some("2026-04-30")).expect("valid");
        let (old_buyer, new_buyer) = (OrganisationId::new(), OrganisationId::new());
        let mut awarded = request(old_buyer, "2026-03-02T10:00:00Z");
        awarded.qualified = Some(at("2026-03-02T12:00:00Z"));
        awarded.opened = Some(at("2026-03-03T10:00:00Z"));
        awarded.first_quote = Some(at("2026-03-05T10:00:00Z"));
        awarded.awarded = Some(at("2026-04-02T10:00:00Z"));
        awarded.quoting_suppliers = 3;
        awarded.awarded_suppliers = 1;
        let mut rejected = request(new_buyer, "2026-04-10T08:00:00Z");
        rejected.sectors = &[];
        rejected.rejected = Some(at("2026-04-10T09:00:00Z"));
        // Submitted before the period, qualified in it.
        let mut earlier = request(old_buyer, "2026-02-27T10:00:00Z");
        earlier.qualified = Some(at("2026-03-01T10:00:00Z"));
        let firsts = HashMap::from([
            (old_buyer, at("2025-06-01T00:00:00Z")),
            (new_buyer, at("2026-04-10T08:00:00Z")),
        ]);
        let report = ActivityReport::compute(
            period,
            &[awarded, rejected, earlier],
            &firsts,
            SupplierActivity::default(),
            2,
        );
        assert_eq!(
            report.requests,
            StepCounts {
                received: 2,
                qualified: 2,
                rejected: 1,
                opened: 1,
                awarded: 1,
                cancelled: 0
            }
        );
        assert_eq!((report.new_buyers, report.returning_buyers), (1, 1));
        assert_eq!(report.to_qualification.count, 2);
        assert_eq!(report.to_qualification.median_seconds, Some(7_200));
        assert_eq!(report.to_qualification.p90_seconds, Some(2 * 86_400));
        assert_eq!(report.to_award.median_seconds, Some(31 * 86_400));
        assert_eq!(report.quotes_per_opened_request, Some(3.0));
        assert_eq!(report.connections, 1);
        let sectors: Vec<&str> = report.by_sector.iter().map(|b| b.key.as_str()).collect();
        assert_eq!(sectors, vec!["medtech", UNSPECIFIED]);
        assert_eq!(report.monthly.len(), 2);
        assert_eq!(report.monthly[0].counts.received, 1);
        assert_eq!(report.monthly[1].counts.rejected, 1);
        assert_eq!(report.monthly[1].connections, 1);
    }

    #[test]
    fn a_review_waits_from_its_submission_to_the_decision() {
        let period = ReportPeriod::parse(Some("2026-03-01"), Some("2026-03-31")).expect("valid");
        let steps = [
            (at("2026-02-20T00:00:00Z"), false),
            (at("2026-02-21T00:00:00Z"), true),
            (at("2026-03-10T00:00:00Z"), false),
            (at("2026-03-10T06:00:00Z"), true),
        ];
        assert_eq!(review_waits(&steps, &period), vec![6 * 3_600]);
    }
}
