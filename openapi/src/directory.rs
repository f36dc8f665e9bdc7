//! Supplier directory bodies: taxonomy, certifications, profiles, search.

use std::collections::BTreeMap;

use crate::vocabulary::{CertificateAction, Headcount, ProfileAction, ProfileStatus, Sector};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LanguageQuery {
    /// `fr` or `en`; overrides `Accept-Language`. Default: French.
    #[param(pattern = r"^\s*([Ff][Rr]|[Ee][Nn])\s*$")]
    pub lang: Option<String>,
}

/// A capability ("brique technologique") and its sub-capabilities.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TaxonomyNodeView {
    #[schema(example = "machining.micro_machining")]
    pub code: String,
    #[schema(example = "Micro-usinage")]
    pub label: String,
    #[schema(no_recursion)]
    pub children: Vec<TaxonomyNodeView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SuggestionQuery {
    /// The need in the buyer's words, French or English, at most 2000
    /// characters. Typos, plurals, verb forms and request fluff ("nous
    /// recherchons un sous-traitant", "we need a supplier") are fine.
    #[param(
        example = "Nous recherchons un sous-traitant pour usiner des implants en titane, certifié ISO 13485",
        max_length = 2000
    )]
    pub text: String,
    /// How many suggestions at most, 1 to 20 (default 5).
    #[param(minimum = 1, maximum = 20)]
    pub limit: Option<i64>,
    /// Language of labels: fr or en (default from Accept-Language, else fr).
    #[param(pattern = r"^\s*([Ff][Rr]|[Ee][Nn])\s*$")]
    pub lang: Option<String>,
}

/// What a suggested code names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    /// A capability of the taxonomy (`GET /api/v1/taxonomy`).
    Capability,
    /// A certification type (`GET /api/v1/certification-types`).
    Certification,
}

/// A code a free-text need most likely means.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SuggestionView {
    pub kind: SuggestionKind,
    /// Capability code or certification type code.
    #[schema(example = "machining")]
    pub code: String,
    /// In the caller's language.
    #[schema(example = "Usinage")]
    pub label: String,
    /// How strongly the text names this code, 0 to 1 (1: its label said
    /// word for word, and nothing else recognised). Comparable within one
    /// answer, not a probability.
    #[schema(example = 0.95, minimum = 0.0, maximum = 1.0)]
    pub score: f32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCapabilityRequest {
    /// Existing parent code; absent for a new top-level capability.
    #[schema(example = "machining")]
    pub parent: Option<String>,
    /// Last segment of the new code: lowercase letters, digits, underscores.
    #[schema(example = "gear_hobbing")]
    pub slug: String,
    pub label_fr: String,
    pub label_en: String,
    /// Search synonyms in either language.
    #[serde(default)]
    pub synonyms: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CapabilityView {
    pub code: String,
    pub label_fr: String,
    pub label_en: String,
    pub synonyms: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CertificationTypeView {
    #[schema(example = "iso_13485")]
    pub code: String,
    #[schema(example = "ISO 13485")]
    pub label: String,
    pub description: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapabilityInput {
    #[schema(example = "machining.micro_machining")]
    pub code: String,
    /// What exactly the supplier does, e.g. materials and tolerances.
    #[schema(example = "Titane et inox 316L, tolérances ±5 µm")]
    pub detail: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    #[schema(example = "Besançon")]
    pub city: String,
    #[schema(example = "25")]
    #[serde(default)]
    pub department: String,
    #[schema(example = "Bourgogne-Franche-Comté")]
    pub region: String,
    /// ISO 3166-1 alpha-2, default FR.
    pub country: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    pub name: String,
    pub role: Option<String>,
    pub email: String,
    pub phone: Option<String>,
}

/// The supplier's profile as written by the supplier.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    #[serde(default)]
    pub description_fr: String,
    #[serde(default)]
    pub description_en: String,
    #[serde(default)]
    pub capabilities: Vec<CapabilityInput>,
    /// medtech, biotech, pharma, cosmetics, nutrition, aerospace, other.
    #[serde(default)]
    pub sectors: Vec<String>,
    #[serde(default)]
    pub equipment: Vec<String>,
    /// 1-9, 10-49, 50-249 or 250+.
    pub headcount: Option<String>,
    pub location: LocationInput,
    /// ISO 639-1 codes.
    #[serde(default)]
    pub working_languages: Vec<String>,
    pub public_contact_email: Option<String>,
    pub public_phone: Option<String>,
    /// Seen only by the cluster's experts (and a buyer after an award).
    #[serde(default)]
    pub private_contacts: Vec<ContactInput>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProfileCapabilityView {
    pub code: String,
    pub label_fr: String,
    pub label_en: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LocationView {
    pub city: String,
    pub department: String,
    pub region: String,
    pub country: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ContactView {
    pub name: String,
    pub role: Option<String>,
    pub email: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProfileContentView {
    pub description_fr: String,
    pub description_en: String,
    pub capabilities: Vec<ProfileCapabilityView>,
    pub sectors: Vec<Sector>,
    pub equipment: Vec<String>,
    pub headcount: Option<Headcount>,
    pub location: LocationView,
    pub working_languages: Vec<String>,
    pub public_contact_email: Option<String>,
    pub public_phone: Option<String>,
    pub private_contacts: Vec<ContactView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReviewView {
    #[serde(serialize_with = "crate::timestamp::micros")]
    pub at: DateTime<Utc>,
    pub comment: Option<String>,
}

/// The profile as its supplier and the back office see it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProfileView {
    pub organisation_id: Uuid,
    pub legal_name: String,
    pub status: ProfileStatus,
    /// Send it back in `If-Match` when editing (also in the `ETag` header).
    pub version: i64,
    /// The working copy.
    pub working: ProfileContentView,
    /// The last approved version: what the public sees (unless suspended).
    pub published: Option<ProfileContentView>,
    #[serde(serialize_with = "crate::timestamp::micros_opt")]
    pub submitted_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::timestamp::micros_opt")]
    pub published_at: Option<DateTime<Utc>>,
    /// The last expert decision and its comment.
    pub last_review: Option<ReviewView>,
    pub certifications: Vec<CertificationView>,
    /// The profile's logo and brochure (`PUT .../profile/logo`,
    /// `.../profile/brochure`), readable by anyone once the profile is
    /// published.
    pub logo: Option<crate::files::FileView>,
    pub brochure: Option<crate::files::FileView>,
    /// What the caller may do now to this profile: show those buttons only.
    pub allowed_actions: Vec<ProfileAction>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificationInput {
    /// A code from `GET /api/v1/certification-types`.
    #[serde(rename = "type")]
    #[schema(example = "iso_13485")]
    pub type_code: String,
    #[schema(example = "Micro-usinage de composants implantables")]
    pub scope: String,
    #[schema(example = "GMED")]
    pub certifying_body: String,
    #[schema(example = "2025-03-01")]
    pub valid_from: String,
    /// Last day of validity.
    #[schema(example = "2028-02-28")]
    pub valid_until: String,
    /// An https URL where the back office can read the certificate document.
    #[schema(example = "https://docs.example/certificats/iso-13485.pdf")]
    pub document_ref: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CertificationView {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub type_code: String,
    pub scope: String,
    pub certifying_body: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    /// An https URL of the certificate document.
    pub document_ref: Option<String>,
    pub status: CertificationStatus,
    /// Counts today for search filters and matching (not rejected, within its dates).
    pub valid_today: bool,
    pub review_note: Option<String>,
    /// Incremented on every change; an expert's verify or reject sends it
    /// back in `If-Match`.
    pub version: i64,
    /// What the caller may do now to this certificate.
    pub allowed_actions: Vec<CertificateAction>,
    /// The uploaded proofs (`POST .../certifications/{cert_id}/files`),
    /// shown to the supplier and the experts only; absent elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proofs: Option<Vec<crate::files::FileView>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    /// Required: tells the supplier what to change, or why.
    pub comment: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProfileQueueItem {
    pub organisation_id: Uuid,
    pub legal_name: String,
    pub status: ProfileStatus,
    #[serde(serialize_with = "crate::timestamp::micros_opt")]
    pub submitted_at: Option<DateTime<Utc>>,
    /// Seconds since submission.
    pub waited_seconds: i64,
}

/// Order of directory results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SupplierSort {
    /// Best match first (the default).
    Relevance,
    /// By name, A to Z.
    Name,
    /// Most recently updated first.
    Recent,
}

impl SupplierSort {
    pub fn parse(raw: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::from(raw)).ok()
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SupplierSearchQuery {
    /// Free text, typo-tolerant, accent-insensitive, in French or English.
    #[param(example = "micro-usinage titane", max_length = 200)]
    pub q: Option<String>,
    /// Capability codes, comma-separated (any of them; a code matches its sub-capabilities).
    #[param(example = "machining")]
    pub capability: Option<String>,
    /// Certification type codes, comma-separated (all required, valid today).
    #[param(example = "iso_13485")]
    pub certification: Option<String>,
    /// Only certificates a cluster expert verified count (not those the
    /// supplier only declared): for `certification`, in the certification
    /// facets and, without `certification`, suppliers must hold some
    /// verified certificate valid today.
    pub verified_only: Option<bool>,
    /// Sectors, comma-separated (any).
    pub sector: Option<String>,
    /// Regions, comma-separated (any).
    pub region: Option<String>,
    /// Only cluster members (true) or non-members (false).
    pub member: Option<bool>,
    /// relevance (default), name or recent.
    #[param(value_type = Option<SupplierSort>)]
    pub sort: Option<String>,
    /// The previous page's `next_cursor`; absent for the first page. A
    /// ranked search reads at most 10 000 suppliers deep.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
    /// Language of labels: fr or en (default from Accept-Language, else fr).
    #[param(pattern = r"^\s*([Ff][Rr]|[Ee][Nn])\s*$")]
    pub lang: Option<String>,
}

/// Who vouches for a certificate: `declared` by the supplier only (not
/// checked yet), or `verified` by a cluster expert who saw the document.
/// `rejected` certificates never count; only the supplier and the back
/// office see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificationStatus {
    Declared,
    Verified,
    Rejected,
}

/// A certificate valid today, as listed in directory hits and answers.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CertificationBadge {
    pub code: String,
    pub label: String,
    /// declared or verified.
    pub status: CertificationStatus,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LabelledCode {
    pub code: String,
    pub label: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SupplierHit {
    pub id: Uuid,
    pub name: String,
    pub city: String,
    pub region: String,
    pub member: bool,
    pub sectors: Vec<Sector>,
    pub capabilities: Vec<LabelledCode>,
    /// Certifications valid today, each declared or verified.
    pub certifications: Vec<CertificationBadge>,
    /// Field name → excerpt with matches wrapped in `<em>`.
    pub highlights: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FacetValue {
    pub value: String,
    pub label: String,
    pub count: usize,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SupplierFacets {
    pub capabilities: Vec<FacetValue>,
    pub certifications: Vec<FacetValue>,
    pub sectors: Vec<FacetValue>,
    pub regions: Vec<FacetValue>,
    pub member: Vec<FacetValue>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SupplierSearchResponse {
    /// At most `limit` suppliers, in the order `sort` asks.
    pub items: Vec<SupplierHit>,
    /// Opaque: pass it back as `cursor` for the next page; null on the last
    /// page (always present).
    #[schema(required = true)]
    pub next_cursor: Option<String>,
    /// How many suppliers match in all: the search engine counts them
    /// anyway, so this list (unlike the others) sends its total.
    pub total: usize,
    pub facets: SupplierFacets,
    /// When `q` found no supplier: the capabilities and certification types
    /// its words most likely mean (as `GET /taxonomy/suggestions` gives them),
    /// to search by instead. Empty otherwise.
    pub suggestions: Vec<SuggestionView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PublicCertificationView {
    #[serde(rename = "type")]
    pub type_code: String,
    pub label: String,
    pub scope: String,
    pub certifying_body: String,
    pub valid_until: NaiveDate,
    /// declared or verified (by a cluster expert).
    pub status: CertificationStatus,
}

/// A published supplier profile, as anyone sees it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PublicProfileView {
    pub id: Uuid,
    pub name: String,
    pub website: Option<String>,
    pub member: bool,
    pub description_fr: String,
    pub description_en: String,
    pub capabilities: Vec<ProfileCapabilityView>,
    pub sectors: Vec<Sector>,
    pub equipment: Vec<String>,
    pub headcount: Option<Headcount>,
    pub location: LocationView,
    pub working_languages: Vec<String>,
    pub public_contact_email: Option<String>,
    pub public_phone: Option<String>,
    /// Certifications valid today.
    pub certifications: Vec<PublicCertificationView>,
    /// The supplier's logo and brochure, downloaded with
    /// `GET /api/v1/files/{id}`.
    pub logo: Option<crate::files::FileView>,
    pub brochure: Option<crate::files::FileView>,
    #[serde(serialize_with = "crate::timestamp::micros_opt")]
    pub published_at: Option<DateTime<Utc>>,
}

/// A declared certificate waiting for an expert to check its document.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CertificationQueueItem {
    pub certification: CertificationView,
    pub organisation_id: Uuid,
    pub supplier_name: String,
    /// Seconds since it was declared (or last changed).
    pub waited_seconds: i64,
}
