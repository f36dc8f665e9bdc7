//! The cluster's competence booklet: its query and the answer while it is typeset.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Which booklet: its language and the filters narrowing it. Every filter
/// is optional; none gives every published supplier.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BookletQuery {
    /// `fr` or `en`; overrides `Accept-Language`. Default: French.
    #[param(pattern = r"^\s*([Ff][Rr]|[Ee][Nn])\s*$")]
    pub lang: Option<String>,
    /// Only suppliers serving this sector: medtech, biotech, pharma,
    /// cosmetics, nutrition, aerospace or other.
    #[param(example = "medtech")]
    pub sector: Option<String>,
    /// Only suppliers with a capability in this family (a top-level code of
    /// the taxonomy, e.g. `machining`); all of them are filed under it.
    #[param(example = "machining")]
    pub family: Option<String>,
    /// Only the cluster's members.
    pub members_only: Option<bool>,
    /// Only suppliers of this region, as written on profiles (any case).
    #[param(example = "Bourgogne-Franche-Comté")]
    pub region: Option<String>,
}

/// A booklet edition being typeset.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BookletJobView {
    /// The edition's key: its filters, language, edition date and the data
    /// it holds. The same data and filters give the same key.
    #[schema(example = "6f1c0d3e9a4b2c7d8e5f60718293a4b5")]
    pub edition: String,
    pub status: BookletJobStatus,
    /// Where to poll: answers 202 while typesetting, then the PDF.
    #[schema(example = "/api/v1/publications/booklet/editions/6f1c0d3e9a4b2c7d8e5f60718293a4b5")]
    pub location: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BookletJobStatus {
    /// Waiting for a typesetting slot or being typeset.
    Running,
}

/// The booklet's bytes.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct BookletPdf(pub Vec<u8>);
