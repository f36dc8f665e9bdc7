//! Parsing a self-registration: an organisation and its first user (owner).

use crate::account::{Email, Language};
use crate::organisation::{Address, LegalIdentity, NewOrganisation, OrganisationKind, Website};
use crate::password::NewPassword;
use crate::validation::{self, ValidationErrors};

/// Raw registration input, as received.
pub struct RegistrationInput<'a> {
    pub kind: &'a str,
    pub legal_name: &'a str,
    pub siret: Option<&'a str>,
    pub country: Option<&'a str>,
    pub registration_number: Option<&'a str>,
    pub street: &'a str,
    pub postal_code: &'a str,
    pub city: &'a str,
    pub region: &'a str,
    pub website: Option<&'a str>,
    pub email: &'a str,
    pub password: &'a str,
    pub full_name: &'a str,
    pub language: Option<&'a str>,
}

#[derive(Debug)]
pub struct Registration {
    pub organisation: NewOrganisation,
    pub owner: NewUser,
}

#[derive(Debug)]
pub struct NewUser {
    pub email: Email,
    pub password: NewPassword,
    pub full_name: String,
    pub language: Language,
}

pub fn parse_language(raw: Option<&str>) -> validation::Validated<Language> {
    match raw {
        None => Ok(Language::default()),
        Some(raw) => Language::parse(raw).ok_or_else(|| {
            ValidationErrors::single("", "invalid_language", "supported languages are fr and en")
        }),
    }
}

/// Parses the user part of a registration or invitation acceptance; errors
/// are recorded under `prefix`.
pub fn parse_new_user(
    errors: &mut ValidationErrors,
    prefix: &str,
    email: &str,
    password: &str,
    full_name: &str,
    language: Option<&str>,
) -> Option<NewUser> {
    let field = |name: &str| {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}.{name}")
        }
    };
    let email = errors.check(&field("email"), Email::parse(email));
    let password = errors.check(&field("password"), NewPassword::parse(password));
    let full_name = errors.check(&field("full_name"), validation::line(full_name, 1, 120));
    let language = errors.check(&field("language"), parse_language(language));
    Some(NewUser {
        email: email?,
        password: password?,
        full_name: full_name?,
        language: language?,
    })
}

/// An organisation's identifying fields as typed, by whoever sends them: a
/// registration, a row of the members' import file.
pub struct OrganisationFieldsInput<'a> {
    pub legal_name: &'a str,
    pub siret: Option<&'a str>,
    pub country: Option<&'a str>,
    pub registration_number: Option<&'a str>,
    pub street: &'a str,
    pub postal_code: &'a str,
    pub city: &'a str,
    pub region: &'a str,
    pub website: Option<&'a str>,
}

/// The identifying fields parsed: an organisation once its kind is known.
#[derive(Debug, Clone)]
pub struct OrganisationFields {
    pub legal_name: String,
    pub identity: LegalIdentity,
    pub address: Address,
    pub region: String,
    pub website: Option<Website>,
}

impl OrganisationFields {
    /// One set of rules for every way in. Errors are recorded under
    /// `field(name)`, `name` being the input's field name (`""` for the legal
    /// identity, whose own errors name `siret`, `country` or
    /// `registration_number`), so each caller speaks its own field names.
    pub fn parse(
        errors: &mut ValidationErrors,
        input: &OrganisationFieldsInput<'_>,
        field: impl Fn(&str) -> String,
    ) -> Option<Self> {
        let legal_name = errors.check(
            &field("legal_name"),
            validation::line(input.legal_name, 2, 200),
        );
        let identity = errors.check(
            &field(""),
            LegalIdentity::parse(input.country, input.siret, input.registration_number),
        );
        let street = errors.check(&field("street"), validation::text(input.street, 1, 200));
        let postal_code = errors.check(
            &field("postal_code"),
            validation::text(input.postal_code, 1, 16),
        );
        let city = errors.check(&field("city"), validation::text(input.city, 1, 100));
        let region = errors.check(&field("region"), validation::text(input.region, 1, 100));
        let website = errors.check(
            &field("website"),
            input
                .website
                .filter(|w| !w.trim().is_empty())
                .map(Website::parse)
                .transpose(),
        );
        Some(Self {
            legal_name: legal_name?,
            identity: identity?,
            address: Address {
                street: street?,
                postal_code: postal_code?,
                city: city?,
            },
            region: region?,
            website: website?,
        })
    }

    pub fn of_kind(self, kind: OrganisationKind) -> NewOrganisation {
        NewOrganisation {
            kind,
            legal_name: self.legal_name,
            identity: self.identity,
            address: self.address,
            region: self.region,
            website: self.website,
        }
    }
}

impl Registration {
    pub fn parse(input: &RegistrationInput<'_>) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let kind = errors.check(
            "organisation.kind",
            OrganisationKind::parse(input.kind).ok_or_else(|| {
                ValidationErrors::single(
                    "",
                    "invalid_kind",
                    "an organisation is a buyer or a supplier",
                )
            }),
        );
        let organisation = OrganisationFields::parse(
            &mut errors,
            &OrganisationFieldsInput {
                legal_name: input.legal_name,
                siret: input.siret,
                country: input.country,
                registration_number: input.registration_number,
                street: input.street,
                postal_code: input.postal_code,
                city: input.city,
                region: input.region,
                website: input.website,
            },
            |name| match name {
                "" => "organisation".to_owned(),
                "street" | "postal_code" | "city" => format!("organisation.address.{name}"),
                other => format!("organisation.{other}"),
            },
        );
        let owner = parse_new_user(
            &mut errors,
            "user",
            input.email,
            input.password,
            input.full_name,
            input.language,
        );
        match (kind, organisation, owner) {
            (Some(kind), Some(organisation), Some(owner)) if errors.is_empty() => Ok(Self {
                organisation: organisation.of_kind(kind),
                owner,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> RegistrationInput<'static> {
        RegistrationInput {
            kind: "buyer",
            legal_name: "Dijon Medical Devices",
            siret: Some("73282932000074"),
            country: None,
            registration_number: None,
            street: "12 rue de la Santé",
            postal_code: "21000",
            city: "Dijon",
            region: "Bourgogne-Franche-Comté",
            website: Some("https://dijon-medical.example"),
            email: "claire@dijon-medical.example",
            password: "titane-usinage-2026",
            full_name: "Claire Martin",
            language: Some("fr"),
        }
    }

    #[test]
    fn a_complete_registration_parses() {
        let registration = Registration::parse(&input()).expect("valid");
        assert_eq!(registration.organisation.kind, OrganisationKind::Buyer);
        assert_eq!(
            registration.owner.email.as_str(),
            "claire@dijon-medical.example"
        );
    }

    #[test]
    fn every_invalid_field_is_reported_at_once() {
        let bad = RegistrationInput {
            kind: "broker",
            siret: Some("12345678901234"),
            email: "nope",
            password: "short",
            website: Some("ftp://x"),
            ..input()
        };
        let errors = Registration::parse(&bad).unwrap_err();
        let fields: Vec<_> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "organisation.kind",
                "organisation.siret",
                "organisation.website",
                "user.email",
                "user.password"
            ]
        );
    }
}
