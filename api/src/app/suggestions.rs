//! Capability suggestions: the taxonomy codes and certification types a
//! free-text need most likely means, labelled in the caller's language.
//! The suggester is built from the shared catalogue copy (see
//! [`Catalogue::suggester`]), so it follows the catalogue's changes.

use domain::ValidationErrors;
use domain::account::Language;
use domain::certification::CertificationType;
use domain::taxonomy::CapabilityNode;
use openapi::directory::{SuggestionKind, SuggestionQuery, SuggestionView};
use search::suggest::{self, Entry, Suggester};

use crate::app::catalogue::Catalogue;
use crate::error::ApiResult;
use crate::state::AppState;

/// Longest text read, in characters: a long paragraph of need.
pub const MAX_TEXT_CHARS: usize = 2000;
pub const DEFAULT_LIMIT: usize = 5;
pub const MAX_LIMIT: usize = 20;

/// Capabilities by their labels and synonyms; certification types by their
/// labels and descriptions ("Bonnes pratiques de fabrication" names BPF).
pub fn suggester(nodes: &[CapabilityNode], types: &[CertificationType]) -> Suggester {
    let capabilities = nodes
        .iter()
        .map(|node| Entry {
            code: node.code.to_string(),
            labels: [node.fr.clone(), node.en.clone()]
                .into_iter()
                .chain(node.synonyms.iter().cloned())
                .collect(),
        })
        .collect();
    let certifications = types
        .iter()
        .map(|t| Entry {
            code: t.code.as_str().to_owned(),
            labels: vec![
                t.fr.clone(),
                t.en.clone(),
                t.description_fr.clone(),
                t.description_en.clone(),
            ],
        })
        .collect();
    Suggester::new(capabilities, certifications)
}

/// The suggestions for `text`, labelled in `language`.
pub fn views(
    catalogue: &Catalogue,
    text: &str,
    limit: usize,
    language: Language,
) -> Vec<SuggestionView> {
    catalogue
        .suggester()
        .suggest(text, limit)
        .into_iter()
        .map(|s| {
            let (kind, label) = match s.kind {
                suggest::SuggestionKind::Capability => (
                    SuggestionKind::Capability,
                    catalogue.capability_label(&s.code, language),
                ),
                suggest::SuggestionKind::Certification => (
                    SuggestionKind::Certification,
                    catalogue.certification_label(&s.code, language),
                ),
            };
            SuggestionView {
                kind,
                code: s.code,
                label,
                score: s.score,
            }
        })
        .collect()
}

/// `GET /taxonomy/suggestions`: checks the text's length and the limit,
/// then asks the catalogue's suggester (in memory, well under a
/// millisecond: no need for the blocking pool).
pub async fn suggest(
    state: &AppState,
    query: SuggestionQuery,
    language: Language,
) -> ApiResult<Vec<SuggestionView>> {
    let mut errors = ValidationErrors::new();
    if query.text.chars().count() > MAX_TEXT_CHARS {
        errors.add(
            "text",
            "too_long",
            format!("a need has at most {MAX_TEXT_CHARS} characters"),
        );
    }
    let limit = query
        .limit
        .map_or(Some(DEFAULT_LIMIT), |raw| usize::try_from(raw).ok())
        .filter(|limit| (1..=MAX_LIMIT).contains(limit));
    if limit.is_none() {
        errors.add(
            "limit",
            "out_of_range",
            format!("limit is between 1 and {MAX_LIMIT}"),
        );
    }
    let (Some(limit), true) = (limit, errors.is_empty()) else {
        return Err(errors.into());
    };
    let catalogue = state.catalogue().await?;
    Ok(views(&catalogue, &query.text, limit, language))
}
