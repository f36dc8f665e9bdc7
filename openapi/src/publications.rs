//! The cluster's publications computed from live data: the capability map
//! and the programme's activity report. Their descriptions define each
//! indicator: they are what the funder reads.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The representation asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PublicationFormat {
    Json,
    Csv,
    Svg,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CapabilityMapQuery {
    /// `json` (default): the tree with its counts; `svg`: the same tree
    /// drawn; `csv`: the supplier × capability matrix, for the cluster's
    /// experts and admins only (send their bearer token).
    #[param(value_type = Option<PublicationFormat>)]
    pub format: Option<String>,
}

/// Published suppliers (profile approved, not suspended), members of the
/// cluster and others.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SupplierCountView {
    /// `members` + `non_members`.
    pub total: u64,
    pub members: u64,
    pub non_members: u64,
}

/// Suppliers of one region or one département.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AreaCountView {
    /// As the suppliers' published profiles write it.
    #[schema(example = "Bourgogne-Franche-Comté")]
    pub name: String,
    pub suppliers: SupplierCountView,
}

/// A certification held by suppliers under a capability.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HeldCertificationView {
    #[schema(example = "iso_13485")]
    pub code: String,
    pub label_fr: String,
    pub label_en: String,
    /// Suppliers under the capability holding a certificate of this type
    /// valid today (within its dates, not rejected).
    pub suppliers: u64,
}

/// One capability of the taxonomy and who masters it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CapabilityMapNodeView {
    #[schema(example = "machining.micro_machining")]
    pub code: String,
    /// The parent node's code; absent for a root.
    pub parent: Option<String>,
    /// 0 for a root, 1 for its children...
    pub depth: u32,
    pub label_fr: String,
    pub label_en: String,
    /// Published suppliers declaring this capability or one below it
    /// (each counted once).
    pub suppliers: SupplierCountView,
    /// The same suppliers by region, most first.
    pub regions: Vec<AreaCountView>,
    /// The same suppliers by département, most first.
    pub departments: Vec<AreaCountView>,
    /// The certifications these suppliers most hold (at most 5), most first.
    pub certifications: Vec<HeldCertificationView>,
}

/// The capability map ("cartographie des briques technologiques").
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CapabilityMapView {
    pub generated_at: DateTime<Utc>,
    /// Every published supplier, whether or not it declares a capability.
    pub suppliers: SupplierCountView,
    /// The taxonomy depth first: each node followed by its children, in
    /// the taxonomy's order (`parent` and `depth` give the tree).
    pub nodes: Vec<CapabilityMapNodeView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActivityReportQuery {
    /// First day covered (UTC), `YYYY-MM-DD`.
    #[param(value_type = String, format = Date, example = "2026-01-01")]
    pub from: Option<String>,
    /// Last day covered, included; at most 1098 days after `from`.
    #[param(value_type = String, format = Date, example = "2026-12-31")]
    pub to: Option<String>,
    /// `json` (default), `csv` (one indicator a line) or `svg` (monthly
    /// series drawn).
    #[param(value_type = Option<PublicationFormat>)]
    pub format: Option<String>,
}

/// How many requests took each step within the period. A request counts
/// once per step: the first time it took it, if that is in the period.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RequestStepsView {
    /// Requests submitted by their buyer for the first time.
    pub received: u64,
    /// Requests an expert qualified (accepted for matching).
    pub qualified: u64,
    /// Requests an expert rejected.
    pub rejected: u64,
    /// Requests opened to the invited suppliers.
    pub opened: u64,
    /// Requests the buyer awarded.
    pub awarded: u64,
    /// Requests the buyer cancelled.
    pub cancelled: u64,
}

/// The steps of the requests sharing one value: a sector or capability
/// family the request names (a request naming several counts under each),
/// or its buyer's region. `unspecified` gathers requests naming none.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BreakdownView {
    #[schema(example = "medtech")]
    pub key: String,
    pub requests: RequestStepsView,
}

/// Durations from a request's first submission to a later step taken in
/// the period, in seconds. Percentiles by nearest rank: the median is the
/// smallest duration such that at least half are no longer, the 90th
/// percentile the smallest such that nine tenths are no longer. Absent
/// when no request took the step.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DurationView {
    /// How many durations were measured.
    pub count: u64,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RequestTimesView {
    /// From submission to qualification (requests qualified in the period).
    pub to_qualification: DurationView,
    /// From submission to opening (requests opened in the period).
    pub to_opening: DurationView,
    /// From submission to the first quote received (first quotes in the period).
    pub to_first_quote: DurationView,
    /// From submission to the award (requests awarded in the period).
    pub to_award: DurationView,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BuyersView {
    /// Buyers whose first request ever was submitted in the period.
    pub new: u64,
    /// Buyers who submitted in the period and had submitted before it.
    pub returning: u64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SupplierActivityView {
    /// Suppliers published and not suspended when the report is made,
    /// members of the cluster.
    pub listed_members: u64,
    /// The same, not members.
    pub listed_non_members: u64,
    /// Profiles published for the first time in the period (approved by
    /// an expert or imported by the cluster).
    pub new_profiles: u64,
    /// From a profile's submission to the expert's decision (approval or
    /// changes requested), decisions taken in the period.
    pub review_times: DurationView,
    /// Certificates an expert verified in the period.
    pub certificates_verified: u64,
}

/// One month of the period (a partial month counts its days in the period).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MonthlyView {
    #[schema(example = "2026-03")]
    pub month: String,
    pub requests: RequestStepsView,
    /// Connections made by the awards of the month.
    pub connections: u64,
}

/// The programme's activity report over a period: what the platform
/// brought (requests, connections, suppliers listed), for the funder.
/// Derived from the platform's history (the audit log of every request,
/// profile and certificate, the quotes and awards, the email outbox).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ActivityReportView {
    pub from: NaiveDate,
    /// Included.
    pub to: NaiveDate,
    pub generated_at: DateTime<Utc>,
    pub requests: RequestStepsView,
    pub by_sector: Vec<BreakdownView>,
    /// By the first segment of the capability codes a request names
    /// (`machining` for `machining.micro_machining`).
    pub by_capability_family: Vec<BreakdownView>,
    /// By the region the buyer organisation registered.
    pub by_buyer_region: Vec<BreakdownView>,
    pub buyers: BuyersView,
    pub times: RequestTimesView,
    /// Suppliers that quoted on the requests opened in the period, divided
    /// by those requests; absent when none was opened.
    pub quotes_per_opened_request: Option<f64>,
    /// Buyer–supplier connections made by awards: the suppliers chosen by
    /// the awards of the period (an award choosing two counts two).
    pub connections: u64,
    pub suppliers: SupplierActivityView,
    /// Emails written in the period whose delivery failed for good.
    pub emails_failed: u64,
    /// Month by month over the period.
    pub monthly: Vec<MonthlyView>,
}
