//! Index settings applied by `bootstrap`, mirroring what the embedded engine does.

use std::collections::HashMap;

use meilisearch_sdk::settings::{FacetingSettings, PaginationSetting, Settings};

use crate::query::MAX_RESULT_WINDOW;
use crate::synonyms;

/// Searchable attributes, most important first (Meilisearch's `attribute` rule uses
/// this order).
const SEARCHABLE: [&str; 7] = [
    "name",
    "capability_labels",
    "description_fr",
    "description_en",
    "capability_details",
    "equipment",
    "city",
];

const FILTERABLE: [&str; 10] = [
    // To fetch the texts of chosen candidates.
    "id",
    "capability_codes",
    "certification_codes",
    "sectors",
    "region",
    "member",
    // Nested: every `cert_windows.<code>.w<slot>.from/until` becomes filterable.
    "cert_windows",
    // The same, of verified certificates only (see `record::Record`).
    "verified_windows",
    "verified_any",
    // Nested too: the pieces of days whose facets count valid certificates
    // (see `days`).
    "cert_days",
];

const SORTABLE: [&str; 3] = ["name", "updated_at", "id"];

/// Meilisearch's default rules, then the id so equal documents page stably.
const RANKING_RULES: [&str; 7] = [
    "words",
    "typo",
    "proximity",
    "attribute",
    "sort",
    "exactness",
    "id:asc",
];

pub(super) fn settings() -> Settings {
    let synonyms: HashMap<String, Vec<String>> = synonyms::mutual_map().into_iter().collect();
    // Typo tolerance is left at Meilisearch's defaults (1 typo from 5 characters, 2
    // from 9), which the embedded engine copies.
    Settings::new()
        .with_searchable_attributes(SEARCHABLE)
        .with_filterable_attributes(FILTERABLE)
        .with_sortable_attributes(SORTABLE)
        .with_ranking_rules(RANKING_RULES)
        .with_synonyms(synonyms)
        .with_stop_words(synonyms::STOP_WORDS)
        .with_pagination(PaginationSetting {
            max_total_hits: MAX_RESULT_WINDOW,
        })
        .with_faceting(FacetingSettings {
            // Every capability code of the taxonomy, with room to grow.
            max_values_per_facet: 1_000,
            sort_facet_values_by: None,
        })
}
