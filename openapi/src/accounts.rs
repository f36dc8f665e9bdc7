//! Registration, login and account bodies.
//!
//! Request fields are raw strings so that every invalid field is reported
//! together by the domain's parsers, rather than the first one by serde.

use crate::vocabulary::{
    Language, Membership, OrganisationKind, OrganisationRole, PlatformRole, Role,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub organisation: OrganisationInput,
    pub user: NewUserInput,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationInput {
    /// `buyer` (donneur d'ordres) or `supplier` (sous-traitant).
    #[schema(example = "buyer", value_type = OrganisationKind)]
    pub kind: String,
    #[schema(example = "Dijon Medical Devices SAS")]
    pub legal_name: String,
    /// 14 digits with a valid Luhn check; required when `country` is FR (the default).
    #[schema(example = "73282932000074")]
    pub siret: Option<String>,
    /// ISO 3166-1 alpha-2; defaults to FR.
    #[schema(example = "FR")]
    pub country: Option<String>,
    /// National registration number, for organisations outside France.
    pub registration_number: Option<String>,
    pub address: AddressBody,
    #[schema(example = "Bourgogne-Franche-Comté")]
    pub region: String,
    #[schema(example = "https://dijon-medical.example")]
    pub website: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressBody {
    #[schema(example = "12 rue de la Santé")]
    pub street: String,
    #[schema(example = "21000")]
    pub postal_code: String,
    #[schema(example = "Dijon")]
    pub city: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserInput {
    #[schema(example = "claire.martin@dijon-medical.example")]
    pub email: String,
    /// At least 10 characters, not a common password.
    #[schema(example = "titane-usinage-2026")]
    pub password: String,
    #[schema(example = "Claire Martin")]
    pub full_name: String,
    /// `fr` (default) or `en`: language of emails.
    pub language: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RegisterResponse {
    pub user: UserView,
    pub organisation: OrganisationView,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token. Omitted in the browser mode (`AUTH_COOKIE=true`),
    /// where the `pmt_refresh` cookie carries it and the `X-CSRF-Token`
    /// header must repeat the `pmt_csrf` cookie.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// How to send the access token: `Authorization: Bearer <token>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum TokenType {
    Bearer,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// Short-lived JWT to send as `Authorization: Bearer`.
    pub access_token: String,
    pub token_type: TokenType,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Opaque, single-use: each refresh returns a new one, and reusing an old
    /// one ends the whole session (after a grace of a few seconds). Absent in
    /// the browser mode (`AUTH_COOKIE=true`): the `pmt_refresh` cookie
    /// carries it, out of scripts' reach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub refresh_expires_in: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The token from the emailed link.
    pub token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    pub token: String,
    pub new_password: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Accepted {
    /// What happens next, for the user.
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub full_name: String,
    pub platform_role: PlatformRole,
    pub organisation_id: Option<Uuid>,
    /// Absent for experts and admins.
    pub organisation_role: Option<OrganisationRole>,
    pub language: Language,
    pub email_verified: bool,
    pub active: bool,
    pub notifications_opt_out: bool,
    #[serde(serialize_with = "crate::timestamp::micros")]
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrganisationView {
    pub id: Uuid,
    pub kind: OrganisationKind,
    pub legal_name: String,
    pub siret: Option<String>,
    pub country: String,
    pub registration_number: Option<String>,
    pub address: AddressBody,
    pub region: String,
    pub website: Option<String>,
    pub membership: Membership,
    #[serde(serialize_with = "crate::timestamp::micros")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::timestamp::micros")]
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MeResponse {
    pub user: UserView,
    /// Absent for experts and admins.
    pub organisation: Option<OrganisationView>,
    /// Everything the user may act as, e.g. `["buyer", "owner"]`.
    pub roles: Vec<Role>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesRequest {
    /// `fr` or `en`.
    pub language: Option<String>,
    /// Decline non-essential emails (security emails always go).
    pub notifications_opt_out: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationRequest {
    pub email: String,
    /// `member` (default) or `owner`.
    #[schema(value_type = Option<OrganisationRole>)]
    pub role: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InvitationView {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub email: String,
    pub role: OrganisationRole,
    #[serde(serialize_with = "crate::timestamp::micros")]
    pub expires_at: DateTime<Utc>,
}

/// What the page behind an invitation link shows before the invitee
/// accepts: who invites them, to what, as what. Nothing else.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InvitationPreview {
    /// The inviting organisation's legal name.
    pub organisation_name: String,
    pub organisation_kind: OrganisationKind,
    /// The full name of the member who sent the invitation.
    pub invited_by: String,
    /// The role the invitee will have in the organisation.
    pub role: OrganisationRole,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationRequest {
    pub token: String,
    pub full_name: String,
    pub password: String,
    pub language: Option<String>,
}

impl From<&domain::account::User> for UserView {
    fn from(user: &domain::account::User) -> Self {
        Self {
            id: *user.id.as_uuid(),
            email: user.email.to_string(),
            full_name: user.full_name.clone(),
            platform_role: user.platform_role.into(),
            organisation_id: user.organisation_id().map(|id| *id.as_uuid()),
            organisation_role: user.org_role().map(Into::into),
            language: user.language.into(),
            email_verified: user.email_verified_at.is_some(),
            active: user.active,
            notifications_opt_out: user.notifications_opt_out,
            created_at: user.created_at,
        }
    }
}

impl From<&domain::organisation::Organisation> for OrganisationView {
    fn from(org: &domain::organisation::Organisation) -> Self {
        Self {
            id: *org.id.as_uuid(),
            kind: org.kind.into(),
            legal_name: org.legal_name.clone(),
            siret: org.identity.siret().map(ToString::to_string),
            country: org.identity.country().to_owned(),
            registration_number: org.identity.registration_number().map(str::to_owned),
            address: AddressBody {
                street: org.address.street.clone(),
                postal_code: org.address.postal_code.clone(),
                city: org.address.city.clone(),
            },
            region: org.region.clone(),
            website: org.website.as_ref().map(|w| w.as_str().to_owned()),
            membership: org.membership.into(),
            created_at: org.created_at,
            updated_at: org.updated_at,
        }
    }
}
