//! The problem codes the committed OpenAPI document publishes, which every
//! answer the harness reads is checked against: a test that makes the
//! server send a code (or a status for a code) the spec lacks fails, so a
//! frontend can rely on the spec's list to translate every code.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde_json::Value;

struct Published {
    /// Each top-level code with the statuses the spec's tables give it.
    statuses: BTreeMap<String, BTreeSet<u16>>,
    problem_codes: BTreeSet<String>,
    field_codes: BTreeSet<String>,
}

fn published() -> &'static Published {
    static PUBLISHED: OnceLock<Published> = OnceLock::new();
    PUBLISHED.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
        let spec: Value = serde_json::from_str(
            &std::fs::read_to_string(&path).expect("openapi/openapi.json exists"),
        )
        .expect("the committed spec is JSON");
        let schemas = &spec["components"]["schemas"];
        let codes = |schema: &str| -> BTreeSet<String> {
            schemas[schema]["properties"]["code"]["enum"]
                .as_array()
                .unwrap_or_else(|| panic!("{schema}.code has no enum in the spec"))
                .iter()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect()
        };
        // Rows of the description's tables: | `code` | status | ...
        let mut statuses: BTreeMap<String, BTreeSet<u16>> = BTreeMap::new();
        for line in spec["info"]["description"]
            .as_str()
            .unwrap_or_default()
            .lines()
        {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if let [_, code, status, ..] = cells.as_slice()
                && let (Some(code), Ok(status)) = (
                    code.strip_prefix('`').and_then(|c| c.strip_suffix('`')),
                    status.parse::<u16>(),
                )
            {
                statuses.entry(code.to_owned()).or_default().insert(status);
            }
        }
        Published {
            statuses,
            problem_codes: codes("Problem"),
            field_codes: codes("FieldErrorBody"),
        }
    })
}

/// Panics when a problem document carries a code, a status for its code or
/// a field code that the committed spec does not publish.
#[track_caller]
pub fn assert_published(status: u16, body: &Value) {
    let published = published();
    let code = body["code"].as_str().unwrap_or_default();
    assert!(
        published.problem_codes.contains(code),
        "the server sent problem code {code:?}, which the OpenAPI spec does not list \
         (add it to api::error::ErrorCode or domain::codes, then `make openapi`): {body}"
    );
    assert!(
        published
            .statuses
            .get(code)
            .is_some_and(|statuses| statuses.contains(&status)),
        "the server sent {code:?} with status {status}, which the spec's error tables do not \
         give it: {body}"
    );
    for error in body["errors"].as_array().into_iter().flatten() {
        let field_code = error["code"].as_str().unwrap_or_default();
        assert!(
            published.field_codes.contains(field_code),
            "the server sent field code {field_code:?}, which the OpenAPI spec does not list \
             (add it to domain::codes::FIELD_CODES): {body}"
        );
    }
}
