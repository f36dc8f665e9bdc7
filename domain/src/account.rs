//! People who log in: their email, language and roles.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{OrganisationId, UserId};
use crate::organisation::OrganisationKind;
use crate::validation::{Validated, invalid};

/// An address the mailer can send to, lower-cased so that uniqueness does
/// not depend on case. The local part is checked by `email_address`, the
/// grammar lettre's `Address` (the mailer) uses, so an address accepted here
/// is never refused at delivery (tested in `api`), plus what lettre allows
/// and a platform address must not
/// hold: control, bidirectional or invisible characters, an IP literal, a
/// domain without a dot or a label starting or ending with `-`.
/// Deliverability is proven by the verification email.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Validated<Self> {
        let refused = || {
            invalid(
                "invalid_email",
                "an email address looks like name@example.fr",
            )
        };
        let email = raw.trim().to_lowercase();
        if email.len() > 254
            || email.chars().any(|c| {
                c.is_control()
                    || c.is_whitespace()
                    || crate::validation::is_bidi_control(c)
                    || crate::validation::is_invisible(c)
            })
        {
            return refused();
        }
        let Some((user, domain)) = email.rsplit_once('@') else {
            return refused();
        };
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if user.len() > 64 || !email_address::EmailAddress::is_valid_local_part(user) || !domain_ok
        {
            return refused();
        }
        Ok(Self(email))
    }

    /// An address read back from the database. It was parsed when written,
    /// possibly by laxer rules of an older version: reading it again must
    /// not fail (an account whose address is now refused stays listable and
    /// can be corrected by an admin).
    pub fn from_stored(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// User-facing text exists in French and English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Fr,
    En,
}

impl Language {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "fr" => Some(Self::Fr),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// Picks the first supported language of an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut ranked: Vec<(f32, Self)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.trim().split(';');
                let tag = pieces.next()?.trim();
                let primary = tag.split('-').next()?;
                let language = Self::parse(primary)?;
                let quality = pieces
                    .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse().ok()))
                    .unwrap_or(1.0);
                Some((quality, language))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranked.first().map(|(_, language)| *language)
    }
}

/// What a user is on the platform. Buyer and supplier users belong to an
/// organisation of the same kind; experts and admins belong to the cluster's
/// back office and are never self-registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlatformRole {
    Buyer,
    Supplier,
    Expert,
    Admin,
}

impl PlatformRole {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Buyer => "buyer",
            Self::Supplier => "supplier",
            Self::Expert => "expert",
            Self::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "buyer" => Some(Self::Buyer),
            "supplier" => Some(Self::Supplier),
            "expert" => Some(Self::Expert),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    pub const fn for_organisation(kind: OrganisationKind) -> Self {
        match kind {
            OrganisationKind::Buyer => Self::Buyer,
            OrganisationKind::Supplier => Self::Supplier,
        }
    }

    /// Back-office roles see every request and profile.
    pub const fn is_back_office(self) -> bool {
        matches!(self, Self::Expert | Self::Admin)
    }
}

/// Role inside an organisation: owners invite and manage its users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgRole {
    Owner,
    Member,
}

impl OrgRole {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Member => "member",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "owner" => Some(Self::Owner),
            "member" => Some(Self::Member),
            _ => None,
        }
    }
}

/// Where a user stands: in an organisation with a role, or in the back office.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Affiliation {
    Organisation { id: OrganisationId, role: OrgRole },
    BackOffice,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub full_name: String,
    pub platform_role: PlatformRole,
    pub affiliation: Affiliation,
    pub language: Language,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub active: bool,
    pub notifications_opt_out: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl User {
    /// A new, active account. `verified_at` is set when the address is
    /// already proven (an emailed invitation, the back-office CLI).
    pub fn new(
        email: Email,
        full_name: String,
        platform_role: PlatformRole,
        affiliation: Affiliation,
        language: Language,
        verified_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: UserId::new(),
            email,
            full_name,
            platform_role,
            affiliation,
            language,
            email_verified_at: verified_at,
            active: true,
            notifications_opt_out: false,
            created_at: now,
            updated_at: now,
        }
    }

    pub fn organisation_id(&self) -> Option<OrganisationId> {
        match self.affiliation {
            Affiliation::Organisation { id, .. } => Some(id),
            Affiliation::BackOffice => None,
        }
    }

    pub fn org_role(&self) -> Option<OrgRole> {
        match self.affiliation {
            Affiliation::Organisation { role, .. } => Some(role),
            Affiliation::BackOffice => None,
        }
    }
}

/// Purposes of single-use tokens sent by email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
}

impl TokenPurpose {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
        }
    }

    /// How long an emailed link stays usable.
    pub const fn lifetime(self) -> chrono::TimeDelta {
        match self {
            Self::VerifyEmail => chrono::TimeDelta::days(3),
            Self::ResetPassword => chrono::TimeDelta::hours(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lowercased_and_trimmed() {
        assert_eq!(
            Email::parse("  Marie.Curie@Medtech.FR ").unwrap().as_str(),
            "marie.curie@medtech.fr"
        );
    }

    #[test]
    fn malformed_emails_are_rejected() {
        for raw in [
            "",
            "no-at-sign",
            "@example.fr",
            "a@b",
            "a@.fr",
            "a b@example.fr",
            "a@exa mple.fr",
            // Accepted before lettre parsed them, then refused at delivery.
            "a<b>@x.fr",
            "a,b@x.fr",
            ".a@x.fr",
            "a.@x.fr",
            "a..b@x.fr",
            "a@-x.fr",
            "a@x-.fr",
            "a\u{202E}b@x.fr",
            "a@x\u{2067}.fr",
            "a\u{200B}@x.fr",
            "a\u{0}@x.fr",
            "a\r\nbcc:@x.fr",
            "a@[127.0.0.1]",
            "\"a b\"@x.fr",
        ] {
            assert!(Email::parse(raw).is_err(), "{raw:?} should be rejected");
        }
    }

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        assert_eq!(
            Language::from_accept_language("de-DE, en-GB;q=0.8, fr;q=0.9"),
            Some(Language::Fr)
        );
        assert_eq!(
            Language::from_accept_language("en-US,en;q=0.9"),
            Some(Language::En)
        );
        assert_eq!(Language::from_accept_language("de"), None);
    }
}
