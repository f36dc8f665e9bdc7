//! Every code a domain rule can refuse with, listed once: the OpenAPI
//! document publishes these lists (so a frontend can translate each code),
//! and the end-to-end harness fails on any code the server sends that they
//! lack. A new code is added here, then used.

use crate::certification::VerificationStatus;
use crate::profile::ProfileStatus;
use crate::sourcing::request::RequestStatus;

/// Codes of `errors[].code` in a `validation_failed` answer: why one field
/// was refused.
pub const FIELD_CODES: &[&str] = &[
    "before_valid_from",
    "bidi_control",
    "capabilities_required",
    "control_character",
    "currency_required",
    "duplicate",
    "duplicate_in_file",
    "file_attached",
    "https_url_required",
    "in_the_past",
    "invalid_amount",
    "invalid_checksum",
    "invalid_code",
    "invalid_currency",
    "invalid_cursor",
    "invalid_date",
    "invalid_email",
    "invalid_format",
    "invalid_headcount",
    "invalid_kind",
    "invalid_language",
    "invalid_membership",
    "invalid_phone",
    "invalid_role",
    "invalid_sector",
    "invalid_shape",
    "invalid_sort",
    "invalid_status",
    "invalid_url",
    "invalid_value",
    "malformed_json",
    "min_above_max",
    "missing",
    "not_a_family",
    "not_an_answer",
    "not_applicable",
    "not_positive",
    "not_published",
    "out_of_range",
    "override_reason_required",
    "private_address",
    "profile_suspended",
    "registered_as_buyer",
    "required",
    "taken",
    "too_common",
    "too_far_ahead",
    "too_long",
    "too_many",
    "too_short",
    "unknown_capability",
    "unknown_certification_type",
    "unknown_event_type",
    "unknown_field",
    "unknown_file",
    "unknown_query_parameter",
    "unreadable",
    "wrong_type",
];

/// Codes of a 409 that a rule names itself (`DomainError::Conflict` and
/// `DomainError::InvalidState`), besides the `<object>_<state>` codes of
/// [`state_codes`].
pub const CONFLICT_CODES: &[&str] = &[
    "already_matched",
    "cannot_deactivate_self",
    "capability_exists",
    "deadline_passed",
    "email_taken",
    "file_attached",
    "file_immutable",
    "invitation_withdrawn",
    "nda_not_required",
    "no_approved_matches",
    "notification_not_failed",
    "question_answered",
    "question_limit_reached",
    "siret_taken",
    "webhook_limit_reached",
];

/// `request_<status>`, `profile_<status>`, `certification_<status>`: the
/// object's state refused the transition (see `wrong_state` and `refuse`).
pub fn state_codes() -> Vec<String> {
    let requests = RequestStatus::ALL
        .iter()
        .map(|s| format!("request_{}", s.as_str()));
    let profiles = ProfileStatus::ALL
        .iter()
        .map(|s| format!("profile_{}", s.as_str()));
    let certificates = VerificationStatus::ALL
        .iter()
        .map(|s| format!("certification_{}", s.as_str()));
    requests.chain(profiles).chain(certificates).collect()
}

/// Every 409 code of a domain rule, sorted.
pub fn conflict_codes() -> Vec<String> {
    let mut codes: Vec<String> = CONFLICT_CODES
        .iter()
        .map(|c| (*c).to_owned())
        .chain(state_codes())
        .collect();
    codes.sort();
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case_sorted_and_unique() {
        for list in [FIELD_CODES, CONFLICT_CODES] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?} unsorted");
            assert!(
                list.iter()
                    .all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
            );
        }
        let all = conflict_codes();
        assert!(
            all.windows(2).all(|w| w[0] < w[1]),
            "duplicate conflict code"
        );
        assert!(all.contains(&"request_open".to_owned()));
        assert!(all.contains(&"profile_submitted".to_owned()));
        assert!(all.contains(&"certification_rejected".to_owned()));
    }
}
