use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An RFC 7807 problem document, served as `application/problem+json`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "https://pmt-business.example/problems/validation_failed",
    "title": "The request has invalid fields",
    "status": 422,
    "code": "validation_failed",
    "detail": "invalid input (organisation.siret: this SIRET fails its check digit (Luhn))",
    "errors": [{"field": "organisation.siret", "code": "invalid_checksum", "message": "this SIRET fails its check digit (Luhn)"}]
}))]
pub struct Problem {
    /// URI identifying the problem type.
    #[serde(rename = "type")]
    pub type_url: String,
    /// In the language `Content-Language` names: French when
    /// `Accept-Language` prefers it, English otherwise.
    pub title: String,
    pub status: u16,
    /// Stable machine-readable code; clients branch on this.
    pub code: String,
    /// For developers, in English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Failing fields, for validation errors (and the parameter of
    /// `unknown_query_parameter`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub errors: Vec<FieldErrorBody>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FieldErrorBody {
    /// The field: a JSON pointer into the body (`/attachments/1/size_bytes`,
    /// `""` for the whole body) when the body does not read as its schema;
    /// the path a rule names otherwise (`organisation.siret`,
    /// `supplier_ids[0]`), or the query parameter's name.
    pub field: String,
    /// Stable reason: `malformed_json`, `wrong_type`, `invalid_value`,
    /// `missing`, `unknown_field` for the body's shape; a rule's own code
    /// (`too_short`, `invalid_checksum`, `in_the_past`...) otherwise.
    pub code: String,
    /// For the user, in the problem's language.
    pub message: String,
}
