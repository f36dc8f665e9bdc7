//! Access tokens: HS256 JWTs with issuer, audience and expiry checked. The
//! algorithm is pinned, so `alg: none` or an RS/HS confusion is refused.
//! A token names its user and session (`sid`, the refresh-token family);
//! who the user is now (active, role, verified address, suspension) is read
//! on each request (see `auth::standing`), never trusted from the token.

use chrono::{DateTime, Utc};
use domain::account::{Affiliation, OrgRole, PlatformRole, User};
use domain::ids::{TokenFamilyId, UserId};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const AUDIENCE: &str = "pmt-business-api";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
    jti: Uuid,
    /// The session: the refresh-token family this token was issued with.
    sid: Uuid,
    role: PlatformRole,
    #[serde(skip_serializing_if = "Option::is_none")]
    org: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    org_role: Option<OrgRole>,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    ttl_seconds: i64,
}

impl JwtKeys {
    pub fn new(secret: &str, issuer: &str, ttl_seconds: i64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            issuer: issuer.to_owned(),
            ttl_seconds,
        }
    }

    pub fn ttl_seconds(&self) -> i64 {
        self.ttl_seconds
    }

    pub fn issue(
        &self,
        user: &User,
        session: TokenFamilyId,
        now: DateTime<Utc>,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let (org, org_role) = match user.affiliation {
            Affiliation::Organisation { id, role } => (Some(*id.as_uuid()), Some(role)),
            Affiliation::BackOffice => (None, None),
        };
        let claims = Claims {
            sub: *user.id.as_uuid(),
            iss: self.issuer.clone(),
            aud: AUDIENCE.to_owned(),
            iat: now.timestamp(),
            exp: now.timestamp() + self.ttl_seconds,
            jti: Uuid::new_v4(),
            sid: *session.as_uuid(),
            role: user.platform_role,
            org,
            org_role,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// The user and session a valid token names; `None` for any invalid
    /// token (bad signature, algorithm, issuer, audience, expired, malformed,
    /// or issued without a session).
    pub fn verify(&self, token: &str) -> Option<TokenClaims> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()?
            .claims;
        match (claims.org, claims.org_role) {
            (Some(_), Some(_)) | (None, None) => {}
            _ => return None,
        }
        Some(TokenClaims {
            user_id: claims.sub.into(),
            session: claims.sid.into(),
        })
    }
}

/// What an access token asserts; the account behind it is checked on each
/// request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenClaims {
    pub user_id: UserId,
    pub session: TokenFamilyId,
}
