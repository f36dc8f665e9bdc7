//! Sourcing request (RFQ) bodies.

use crate::vocabulary::{
    InvitationAction, InvitationOutcome, InvitationStatus, Language, MatchAction, MatchOrigin,
    MatchStatus, RequestAction, RequestStatus, Sector,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::directory::{ContactView, LabelledCode};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificationRequirementInput {
    #[schema(example = "iso_13485")]
    pub code: String,
    /// Mandatory (default) excludes suppliers without it, unless an expert overrides.
    #[serde(default = "yes")]
    pub mandatory: bool,
}

fn yes() -> bool {
    true
}

/// The `Currency` schema: the ISO 4217 codes `domain` accepts, so the spec
/// lists exactly what the API takes (any case is accepted on input, codes
/// are answered in upper case).
pub struct CurrencyCode;

impl utoipa::PartialSchema for CurrencyCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("An ISO 4217 currency code the platform accepts."))
            .enum_values(Some(
                domain::sourcing::money::Currency::ALL
                    .iter()
                    .map(|c| c.as_str()),
            ))
            .examples(["EUR"])
            .into()
    }
}

impl ToSchema for CurrencyCode {
    fn name() -> std::borrow::Cow<'static, str> {
        "Currency".into()
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetInput {
    #[schema(example = "10000")]
    pub min: Option<String>,
    #[schema(example = "25000.00")]
    pub max: Option<String>,
    #[schema(value_type = CurrencyCode)]
    pub currency: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentBody {
    #[schema(example = "plan-vis-M2.pdf")]
    pub name: String,
    pub content_type: Option<String>,
    pub size_bytes: Option<u64>,
    /// Where the document is kept (document management reference or URL).
    pub reference: String,
}

/// A buyer's need.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    #[schema(example = "Micro-usinage de vis implantables en titane")]
    pub title: String,
    pub description: String,
    /// Taxonomy codes, optional until qualification: a buyer may describe
    /// the need in words only and let the experts code it.
    #[serde(default)]
    #[schema(example = json!(["machining.micro_machining"]))]
    pub capabilities: Vec<String>,
    #[serde(default)]
    pub certifications: Vec<CertificationRequirementInput>,
    #[serde(default)]
    pub sectors: Vec<String>,
    /// Quantities and volumes, e.g. "5 000 pièces par an, lots de 500".
    pub quantities: Option<String>,
    pub budget: Option<BudgetInput>,
    /// YYYY-MM-DD.
    pub desired_delivery: Option<String>,
    /// RFC 3339, e.g. 2027-01-15T17:00:00Z; in the future (to submit) and at
    /// most two years ahead.
    pub response_deadline: DateTime<Utc>,
    pub location_constraints: Option<String>,
    /// Preferred supplier region (ranks candidates).
    pub region: Option<String>,
    /// fr (default) or en.
    pub language: Option<String>,
    /// Hide the buyer's identity from suppliers until the buyer reveals it;
    /// an award reveals it to the awarded suppliers only.
    #[serde(default)]
    pub confidential: bool,
    /// Show the budget to invited suppliers (default false: only the buyer
    /// and the back office see it).
    #[serde(default)]
    pub budget_visible: bool,
    #[serde(default)]
    pub nda_required: bool,
    #[serde(default)]
    pub attachments: Vec<AttachmentBody>,
}

/// What suppliers are matched on, recoded by an expert while qualifying a
/// submitted request. The four replace the request's current ones: send
/// those you keep.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementsInput {
    /// Taxonomy codes; qualifying needs at least one.
    #[schema(example = json!(["machining.micro_machining", "surface.electropolishing"]))]
    pub capabilities: Vec<String>,
    /// Certification requirements, each mandatory (default) or desirable.
    #[schema(example = json!([{ "code": "iso_13485", "mandatory": true }]))]
    pub certifications: Vec<CertificationRequirementInput>,
    #[schema(example = json!(["medtech"]))]
    pub sectors: Vec<String>,
    /// Preferred supplier region (ranks candidates); absent or null for none.
    #[schema(example = "Bourgogne-Franche-Comté")]
    pub region: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CertificationRequirementView {
    pub code: String,
    pub label: String,
    pub mandatory: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BudgetView {
    pub min: Option<String>,
    pub max: Option<String>,
    #[schema(value_type = CurrencyCode)]
    pub currency: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BuyerView {
    pub organisation_id: Uuid,
    pub name: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MyInvitationView {
    pub status: InvitationStatus,
    /// Set once the buyer decided.
    pub outcome: Option<InvitationOutcome>,
    /// What you may do now with this invitation (show those buttons only).
    pub allowed_actions: Vec<InvitationAction>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RequestView {
    pub id: Uuid,
    pub status: RequestStatus,
    /// Send it back in `If-Match` when editing (also the `ETag` header).
    pub version: i64,
    pub title: String,
    pub description: String,
    pub capabilities: Vec<LabelledCode>,
    pub certifications: Vec<CertificationRequirementView>,
    pub sectors: Vec<Sector>,
    pub quantities: Option<String>,
    /// Absent for invited suppliers unless `budget_visible`.
    pub budget: Option<BudgetView>,
    /// The buyer shows the budget to invited suppliers.
    pub budget_visible: bool,
    pub desired_delivery: Option<NaiveDate>,
    #[serde(serialize_with = "crate::timestamp::micros")]
    pub response_deadline: DateTime<Utc>,
    pub location_constraints: Option<String>,
    pub region: Option<String>,
    pub language: Language,
    pub confidential: bool,
    pub nda_required: bool,
    pub attachments: Vec<AttachmentBody>,
    /// Absent for invited suppliers while the request is confidential,
    /// unless the buyer revealed itself; after the award, shown to the
    /// awarded suppliers only.
    pub buyer: Option<BuyerView>,
    /// Whether the buyer's identity is known to suppliers: always for a
    /// request that is not confidential; for a confidential one, once the
    /// buyer reveals itself or, after the award, to the awarded suppliers.
    /// An invited supplier reads whether it knows the buyer (then `buyer` is
    /// present); the buyer and experts read whether any supplier does.
    pub identity_revealed: bool,
    #[serde(serialize_with = "crate::timestamp::micros_opt")]
    pub submitted_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::timestamp::micros")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::timestamp::micros")]
    pub updated_at: DateTime<Utc>,
    /// For an invited supplier: where its answer stands.
    pub my_invitation: Option<MyInvitationView>,
    /// Until the request is qualified (draft, submitted, changes requested),
    /// for the buyer and the back office: the capabilities and certification
    /// types its title, description and quantities most likely mean and that
    /// it does not name yet, best first. Empty otherwise.
    pub suggested_requirements: Vec<crate::directory::SuggestionView>,
    /// What the caller may do now to this request, from the rules the server
    /// enforces (state, role, ownership, standing, verified address): show
    /// those buttons only. Any other action is refused.
    pub allowed_actions: Vec<RequestAction>,
}

/// Orders of `GET /requests`: a field, ascending, or descending with a
/// leading `-`. Ties are broken by id, in the same direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum RequestSortOrder {
    /// Oldest first.
    #[serde(rename = "created")]
    Created,
    /// Newest first (the default).
    #[serde(rename = "-created")]
    CreatedDesc,
    /// Least recently changed first.
    #[serde(rename = "updated")]
    Updated,
    /// Most recently changed first.
    #[serde(rename = "-updated")]
    UpdatedDesc,
    /// Nearest response deadline first.
    #[serde(rename = "deadline")]
    Deadline,
    /// Furthest response deadline first.
    #[serde(rename = "-deadline")]
    DeadlineDesc,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RequestListQuery {
    /// Only requests in one of these statuses, comma-separated
    /// (`status=open,closed`).
    #[param(value_type = Option<Vec<RequestStatus>>, style = Form, explode = false)]
    pub status: Option<String>,
    /// Only requests whose title or description contains this text (1 to
    /// 200 characters, case-insensitive).
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Only requests created at or after this time (RFC 3339, or a date
    /// meaning its midnight UTC).
    pub created_from: Option<String>,
    /// Only requests created before this time (RFC 3339 or a date).
    pub created_to: Option<String>,
    /// Only requests whose response deadline is at or after this time
    /// (RFC 3339 or a date).
    pub deadline_from: Option<String>,
    /// Only requests whose response deadline is before this time (RFC 3339
    /// or a date).
    pub deadline_to: Option<String>,
    /// Order of the list (default `-created`, newest first). A cursor only
    /// continues the order it was issued for.
    #[param(value_type = Option<RequestSortOrder>)]
    pub sort: Option<String>,
    /// The previous page's `next_cursor`; absent for the first page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
    /// Language of labels, fr or en.
    #[param(pattern = r"^\s*([Ff][Rr]|[Ee][Nn])\s*$")]
    pub lang: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CheckView {
    pub code: String,
    pub label: String,
    pub met: bool,
    /// For certifications.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mandatory: Option<bool>,
    /// For a met certification: whether the best certificate meeting it is
    /// `verified` by an expert or only `declared` by the supplier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<crate::directory::CertificationStatus>,
    /// For an unmet capability: one the supplier holds next to it in the
    /// taxonomy (a sibling or the parent), with its label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjacent: Option<AdjacentCapabilityView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AdjacentCapabilityView {
    pub code: String,
    pub label: String,
}

/// How a candidate relates to the requested capabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CandidateTier {
    /// Holds a requested capability.
    Full,
    /// Holds a capability next to a requested one or one the request's text
    /// names (a need often spans two: "the firmware, with its electronic
    /// board"), or its profile matches the request's text strongly; always
    /// listed after every full candidate.
    Partial,
}

/// Requirement by requirement, what a supplier meets and misses.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExplanationView {
    pub capabilities: Vec<CheckView>,
    /// Only certificates valid today count.
    pub certifications: Vec<CheckView>,
    pub sectors: Vec<CheckView>,
    pub region: Option<CheckView>,
    pub met: usize,
    pub total: usize,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CandidateView {
    pub supplier_id: Uuid,
    pub name: String,
    pub city: String,
    pub member: bool,
    pub tier: CandidateTier,
    /// Rank within the tier; comparable only between candidates of one list.
    pub score: f64,
    /// Words of the request's title, description and quantities found in the
    /// supplier's profile (lower case, without accents), in the request's order.
    pub matched_terms: Vec<String>,
    pub explanation: ExplanationView,
    /// Already a match of this request.
    pub matched: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CandidatesView {
    /// Full candidates first, ranked by requirements met, then by
    /// certification requirements met with a verified (not only declared)
    /// certificate, then by how well their profile matches the request's
    /// text; then partial candidates by `score` (how well their profile
    /// matches the text, a related capability, requirements met), those
    /// with more verified certificates first among equal scores.
    pub candidates: Vec<CandidateView>,
    /// Relevant suppliers lacking a valid mandatory certification: matched
    /// only by an expert with an override reason.
    pub excluded: Vec<CandidateView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMatchRequest {
    pub supplier_id: Uuid,
    /// Required when the supplier lacks a mandatory certification.
    pub override_reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchDecisionRequest {
    /// Internal: never shown to the buyer or the supplier.
    pub note: Option<String>,
    /// Shown to the buyer next to this supplier's answer.
    pub note_for_buyer: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MatchView {
    pub id: Uuid,
    pub supplier_id: Uuid,
    pub supplier_name: String,
    pub origin: MatchOrigin,
    pub score: f64,
    pub explanation: ExplanationView,
    pub override_reason: Option<String>,
    pub status: MatchStatus,
    pub internal_note: Option<String>,
    pub note_for_buyer: Option<String>,
    #[serde(serialize_with = "crate::timestamp::micros_opt")]
    pub decided_at: Option<DateTime<Utc>>,
    /// What the caller may decide now about this match.
    pub allowed_actions: Vec<MatchAction>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineRequest {
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteInput {
    /// Total price: more than 0, at most 1000000000, with at most two
    /// decimals.
    #[schema(example = "18400.00")]
    pub amount: String,
    #[schema(value_type = CurrencyCode)]
    pub currency: String,
    #[schema(example = 45)]
    pub lead_time_days: i64,
    /// Last day the offer holds, YYYY-MM-DD.
    pub valid_until: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub attachments: Vec<AttachmentBody>,
    /// Uploaded files of your organisation (`POST /api/v1/files`), not
    /// attached yet, at most 20: they become this revision's, for good (a
    /// later revision attaches new ones).
    #[serde(default)]
    pub file_ids: Vec<Uuid>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QuoteView {
    pub id: Uuid,
    pub revision: i32,
    pub amount: String,
    #[schema(value_type = CurrencyCode)]
    pub currency: String,
    pub lead_time_days: i32,
    pub valid_until: NaiveDate,
    pub message: String,
    pub attachments: Vec<AttachmentBody>,
    /// The files attached to this revision: the request's buyer, the
    /// experts and the supplier that quoted download them, no one else.
    pub files: Vec<crate::files::FileView>,
    #[serde(serialize_with = "crate::timestamp::micros")]
    pub created_at: DateTime<Utc>,
}

/// A supplier's own answer: its invitation and every quote revision.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MyAnswerView {
    pub status: InvitationStatus,
    pub decline_reason: Option<String>,
    pub outcome: Option<InvitationOutcome>,
    pub quotes: Vec<QuoteView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionInput {
    pub question: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    pub answer: String,
    /// Uploaded files of your organisation, not attached yet, at most 20:
    /// every supplier that reads the answer reads them.
    #[serde(default)]
    pub file_ids: Vec<Uuid>,
}

/// A clarification question. Suppliers never learn who asked.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QuestionView {
    pub id: Uuid,
    pub question: String,
    pub answer: Option<String>,
    #[serde(serialize_with = "crate::timestamp::micros")]
    pub asked_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::timestamp::micros_opt")]
    pub answered_at: Option<DateTime<Utc>>,
    /// For suppliers: asked by your organisation. For the buyer and experts:
    /// which supplier asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mine: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asked_by_supplier: Option<Uuid>,
    /// The files given with the answer.
    pub files: Vec<crate::files::FileView>,
}

/// One supplier's answer in the buyer's side-by-side comparison.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AnswerRow {
    pub supplier_id: Uuid,
    pub supplier_name: String,
    pub status: InvitationStatus,
    pub decline_reason: Option<String>,
    /// The latest revision.
    pub quote: Option<QuoteView>,
    pub revisions: usize,
    /// Certifications valid today, each declared or verified.
    pub certifications: Vec<crate::directory::CertificationBadge>,
    /// The expert's note for the buyer.
    pub expert_note: Option<String>,
    pub shortlisted: bool,
    pub outcome: Option<InvitationOutcome>,
    /// What the caller may do now with this answer (the buyer: `shortlist`).
    pub allowed_actions: Vec<InvitationAction>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShortlistRequest {
    pub shortlisted: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardRequest {
    /// One or several suppliers that answered.
    #[schema(min_items = 1)]
    pub supplier_ids: Vec<Uuid>,
}

/// Who to talk to, once the connection is made by an award.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConnectionView {
    pub organisation_id: Uuid,
    pub name: String,
    pub website: Option<String>,
    pub address: String,
    pub contacts: Vec<ContactView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RequestQueueItem {
    pub request_id: Uuid,
    pub title: String,
    pub buyer_name: String,
    pub status: RequestStatus,
    #[serde(serialize_with = "crate::timestamp::micros_opt")]
    pub submitted_at: Option<DateTime<Utc>>,
    pub waited_seconds: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MatchQueueItem {
    pub match_id: Uuid,
    pub request_id: Uuid,
    pub request_title: String,
    pub supplier_id: Uuid,
    pub supplier_name: String,
    pub score: f64,
    pub waited_seconds: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RequestQueueQuery {
    /// submitted (default: waiting for qualification), qualified, open, ...
    #[param(value_type = Option<RequestStatus>)]
    pub status: Option<String>,
    /// The previous page's `next_cursor`; absent for the first page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MatchQueueQuery {
    /// Only the matches of this request.
    pub request_id: Option<Uuid>,
    /// The previous page's `next_cursor`; absent for the first page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::RequestSortOrder::*;

    #[test]
    fn the_sort_orders_are_the_domain_s() {
        let spelled: Vec<serde_json::Value> = [
            Created,
            CreatedDesc,
            Updated,
            UpdatedDesc,
            Deadline,
            DeadlineDesc,
        ]
        .iter()
        .map(|o| serde_json::to_value(o).expect("serializes"))
        .collect();
        let domain: Vec<serde_json::Value> = domain::sourcing::listing::RequestSort::ALL
            .iter()
            .map(|s| serde_json::Value::from(*s))
            .collect();
        assert_eq!(spelled, domain);
    }
}
