//! Buyer and supplier organisations and their legal identity.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::OrganisationId;
use crate::validation::{self, Validated, ValidationErrors, invalid};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    /// A "donneur d'ordres": posts sourcing requests.
    Buyer,
    /// A "sous-traitant": company, academic lab or technical platform.
    Supplier,
}

impl OrganisationKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Buyer => "buyer",
            Self::Supplier => "supplier",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "buyer" => Some(Self::Buyer),
            "supplier" => Some(Self::Supplier),
            _ => None,
        }
    }
}

/// Cluster membership ("adhérent"): listing is free for members. Only admins
/// change it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Membership {
    Member,
    NotMember,
}

impl Membership {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::NotMember => "not_member",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "member" => Some(Self::Member),
            "not_member" => Some(Self::NotMember),
            _ => None,
        }
    }
}

/// A French establishment number: 14 digits passing the Luhn check.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Siret(String);

/// La Poste's establishments share SIREN 356 000 000 and do not follow Luhn;
/// INSEE validates them by a digit sum multiple of 5 instead.
const LA_POSTE_SIREN: &str = "356000000";

impl Siret {
    pub fn parse(raw: &str) -> Validated<Self> {
        let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return invalid("invalid_format", "a SIRET is exactly 14 digits");
        }
        let valid = if digits.starts_with(LA_POSTE_SIREN) {
            digits
                .bytes()
                .map(|b| u32::from(b - b'0'))
                .sum::<u32>()
                .is_multiple_of(5)
        } else {
            luhn_valid(&digits)
        };
        if !valid {
            return invalid(
                "invalid_checksum",
                "this SIRET fails its check digit (Luhn)",
            );
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

impl fmt::Display for Siret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// ISO 3166-1 alpha-2 country code, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct CountryCode(String);

impl CountryCode {
    pub fn france() -> Self {
        Self("FR".to_owned())
    }

    pub fn parse(raw: &str) -> Validated<Self> {
        let code = raw.trim().to_ascii_uppercase();
        if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(code))
        } else {
            invalid(
                "invalid_format",
                "a country is an ISO 3166-1 alpha-2 code such as FR or DE",
            )
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_france(&self) -> bool {
        self.0 == "FR"
    }
}

/// How the organisation is legally identified: French organisations by
/// SIRET; others by their own country's registration number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegalIdentity {
    French {
        siret: Siret,
    },
    Foreign {
        country: CountryCode,
        registration_number: String,
    },
}

impl LegalIdentity {
    /// `country` defaults to France. A French organisation needs a SIRET; a
    /// foreign one a registration number.
    pub fn parse(
        country: Option<&str>,
        siret: Option<&str>,
        registration_number: Option<&str>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let country = match country {
            None => Some(CountryCode::france()),
            Some(raw) => errors.check("country", CountryCode::parse(raw)),
        };
        let identity = match country {
            Some(country) if country.is_france() => match siret {
                Some(raw) => errors
                    .check("siret", Siret::parse(raw))
                    .map(|siret| Self::French { siret }),
                None => {
                    errors.add("siret", "required", "a French organisation needs its SIRET");
                    None
                }
            },
            Some(country) => {
                let number = errors.check(
                    "registration_number",
                    validation::text(registration_number.unwrap_or_default(), 1, 64),
                );
                if siret.is_some() {
                    errors.add(
                        "siret",
                        "not_applicable",
                        "a SIRET only identifies French organisations",
                    );
                }
                number.map(|registration_number| Self::Foreign {
                    country,
                    registration_number,
                })
            }
            None => None,
        };
        match identity {
            Some(identity) if errors.is_empty() => Ok(identity),
            _ => Err(errors),
        }
    }

    pub fn country(&self) -> &str {
        match self {
            Self::French { .. } => "FR",
            Self::Foreign { country, .. } => country.as_str(),
        }
    }

    pub fn siret(&self) -> Option<&Siret> {
        match self {
            Self::French { siret } => Some(siret),
            Self::Foreign { .. } => None,
        }
    }

    pub fn registration_number(&self) -> Option<&str> {
        match self {
            Self::French { .. } => None,
            Self::Foreign {
                registration_number,
                ..
            } => Some(registration_number),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Address {
    pub street: String,
    pub postal_code: String,
    pub city: String,
}

/// An `http(s)` URL with a host, kept as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Website(String);

impl Website {
    pub fn parse(raw: &str) -> Validated<Self> {
        let value = raw.trim();
        let rest = value
            .strip_prefix("https://")
            .or_else(|| value.strip_prefix("http://"));
        match rest {
            Some(rest)
                if value.len() <= 255
                    && rest
                        .split('/')
                        .next()
                        .is_some_and(|host| host.contains('.'))
                    && !value.chars().any(char::is_whitespace) =>
            {
                Ok(Self(value.to_owned()))
            }
            _ => invalid(
                "invalid_url",
                "a website is an http(s) URL such as https://example.fr",
            ),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Everything needed to create an organisation, already validated.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub kind: OrganisationKind,
    pub legal_name: String,
    pub identity: LegalIdentity,
    pub address: Address,
    pub region: String,
    pub website: Option<Website>,
}

#[derive(Debug, Clone)]
pub struct Organisation {
    pub id: OrganisationId,
    pub kind: OrganisationKind,
    pub legal_name: String,
    pub identity: LegalIdentity,
    pub address: Address,
    pub region: String,
    pub website: Option<Website>,
    pub membership: Membership,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siret_accepts_valid_luhn_numbers_with_spaces() {
        assert_eq!(
            Siret::parse("732 829 320 00074").map(|s| s.0),
            Ok("73282932000074".to_owned())
        );
    }

    #[test]
    fn siret_rejects_wrong_checksum_length_and_letters() {
        let code = |raw| Siret::parse(raw).unwrap_err().errors()[0].code;
        assert_eq!(code("73282932000075"), "invalid_checksum");
        assert_eq!(code("7328293200007"), "invalid_format");
        assert_eq!(code("7328293200007A"), "invalid_format");
    }

    #[test]
    fn la_poste_sirets_use_the_digit_sum_rule() {
        assert!(Siret::parse("35600000000088").is_ok());
        assert!(Siret::parse("35600000000089").is_err());
    }

    #[test]
    fn foreign_organisations_need_a_registration_number_not_a_siret() {
        let errors = LegalIdentity::parse(Some("de"), Some("73282932000074"), None).unwrap_err();
        let fields: Vec<_> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["registration_number", "siret"]);
        let ok = LegalIdentity::parse(Some("de"), None, Some("HRB 12345")).unwrap();
        assert_eq!(ok.country(), "DE");
    }

    #[test]
    fn french_organisations_need_a_siret() {
        let errors = LegalIdentity::parse(None, None, None).unwrap_err();
        assert_eq!(errors.errors()[0].field, "siret");
        assert_eq!(errors.errors()[0].code, "required");
    }
}
