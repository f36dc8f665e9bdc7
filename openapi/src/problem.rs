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
    pub title: String,
    pub status: u16,
    /// Stable machine-readable code; clients branch on this.
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Failing fields, for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub errors: Vec<FieldErrorBody>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FieldErrorBody {
    /// Path of the field in the request, e.g. `organisation.siret`.
    pub field: String,
    pub code: String,
    pub message: String,
}
