//! One row against the rules: the same parsers and field names as the API
//! (the organisation's as at registration, the profile's as on submission),
//! reported under the file's columns.

use domain::FieldError;
use domain::certification::CertificationDetails;
use domain::organisation::{Address, LegalIdentity, Membership, Website};
use domain::profile::{ProfileContent, ProfileInput};
use domain::registration::{OrganisationFields, OrganisationFieldsInput};
use domain::validation::ValidationErrors;

use super::file::RawRow;
use crate::app::catalogue::Catalogue;

/// A row that passed validation.
#[derive(Clone)]
pub(super) struct Supplier {
    pub(super) legal_name: String,
    pub(super) identity: LegalIdentity,
    pub(super) address: Address,
    pub(super) region: String,
    pub(super) website: Option<Website>,
    pub(super) membership: Membership,
    pub(super) content: ProfileContent,
    pub(super) certifications: Vec<CertificationDetails>,
}

/// The file's column for an API field name: the row's `city` is both the
/// organisation's address city and the profile's `location.city`.
fn column(field: &str) -> &str {
    field.strip_prefix("location.").unwrap_or(field)
}

/// Every error once, under the file's column names.
fn by_column(errors: &[FieldError]) -> ValidationErrors {
    let mut out = ValidationErrors::new();
    for error in errors {
        let field = column(&error.field);
        if !out
            .errors()
            .iter()
            .any(|e| e.field == field && e.code == error.code)
        {
            out.add(field, error.code, error.message.clone());
        }
    }
    out
}

pub(super) fn parse_row(raw: &RawRow, catalogue: &Catalogue) -> Result<Supplier, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let organisation = OrganisationFields::parse(
        &mut errors,
        &OrganisationFieldsInput {
            legal_name: &raw.legal_name,
            siret: raw.siret.as_deref(),
            country: raw.country.as_deref(),
            registration_number: raw.registration_number.as_deref(),
            street: &raw.street,
            postal_code: &raw.postal_code,
            city: &raw.city,
            region: &raw.region,
            website: raw.website.as_deref(),
        },
        // The file's columns are the input's field names.
        str::to_owned,
    );
    let membership = match raw.membership.as_deref().map(str::trim) {
        None | Some("") => Some(Membership::Member),
        Some(value) => Membership::parse(value).or_else(|| {
            errors.add(
                "membership",
                "invalid_membership",
                "membership is member or not_member",
            );
            None
        }),
    };
    let input = ProfileInput {
        description_fr: &raw.description_fr,
        description_en: &raw.description_en,
        capabilities: raw
            .capabilities
            .iter()
            .map(|c| (c.code.as_str(), c.detail.as_deref()))
            .collect(),
        sectors: raw.sectors.iter().map(String::as_str).collect(),
        equipment: raw.equipment.iter().map(String::as_str).collect(),
        headcount: raw.headcount.as_deref().filter(|h| !h.trim().is_empty()),
        city: &raw.city,
        department: &raw.department,
        region: &raw.region,
        country: raw.country.as_deref(),
        working_languages: raw.working_languages.iter().map(String::as_str).collect(),
        public_contact_email: raw.public_contact_email.as_deref(),
        public_phone: None,
        private_contacts: Vec::new(),
    };
    // Published at once, so complete as a submitted profile must be.
    let content = ProfileContent::parse(&input, |code| catalogue.has_capability(code))
        .and_then(|content| content.check_complete().map(|()| content));
    let content = match content {
        Ok(content) => Some(content),
        Err(e) => {
            for error in e.errors() {
                errors.add(error.field.clone(), error.code, error.message.clone());
            }
            None
        }
    };
    let mut certificates = Vec::new();
    for (i, c) in raw.certifications.iter().enumerate() {
        let field = format!("certifications[{i}]");
        let details = errors.check(
            &field,
            CertificationDetails::parse(
                &c.type_code,
                &c.scope,
                &c.certifying_body,
                &c.valid_from,
                &c.valid_until,
                c.document_ref.as_deref(),
            ),
        );
        match details {
            Some(details) if !catalogue.has_certification_type(details.type_code.as_str()) => {
                errors.add(
                    format!("{field}.type"),
                    "unknown_certification_type",
                    format!("{} is not in the catalogue", details.type_code.as_str()),
                );
            }
            Some(details) => certificates.push(details),
            None => {}
        }
    }
    match (organisation, membership, content) {
        (Some(organisation), Some(membership), Some(content)) if errors.is_empty() => {
            Ok(Supplier {
                legal_name: organisation.legal_name,
                identity: organisation.identity,
                address: organisation.address,
                region: organisation.region,
                website: organisation.website,
                membership,
                content,
                certifications: certificates,
            })
        }
        _ => Err(by_column(errors.errors())),
    }
}

/// The row's key as the file names it: its SIRET, or its registration number.
pub(super) fn key_field(identity: &LegalIdentity) -> &'static str {
    match identity {
        LegalIdentity::French { .. } => "siret",
        LegalIdentity::Foreign { .. } => "registration_number",
    }
}

pub(super) fn key(identity: &LegalIdentity) -> String {
    match identity {
        LegalIdentity::French { siret } => siret.to_string(),
        LegalIdentity::Foreign {
            country,
            registration_number,
        } => format!("{}:{registration_number}", country.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_errors_are_reported_once_under_the_file_column() {
        let mut errors = ValidationErrors::new();
        errors.add("city", "required", "must not be empty");
        errors.add("location.city", "required", "must not be empty");
        errors.add("location.department", "too_long", "x");
        let fields: Vec<_> = by_column(errors.errors())
            .errors()
            .iter()
            .map(|e| e.field.clone())
            .collect();
        assert_eq!(fields, ["city", "department"]);
    }
}
