//! Access tokens: HS256 JWTs with issuer, audience and expiry checked. The
//! algorithm is pinned, so `alg: none` or an RS/HS confusion is refused.

use chrono::{DateTime, Utc};
use domain::account::{Affiliation, OrgRole, PlatformRole, User};
use domain::auth::Actor;
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
            role: user.platform_role,
            org,
            org_role,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// The actor a valid token speaks for; `None` for any invalid token
    /// (bad signature, algorithm, issuer, audience, expired, malformed).
    pub fn verify(&self, token: &str) -> Option<Actor> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()?
            .claims;
        let affiliation = match (claims.org, claims.org_role) {
            (Some(org), Some(role)) => Affiliation::Organisation {
                id: org.into(),
                role,
            },
            (None, None) => Affiliation::BackOffice,
            _ => return None,
        };
        Some(Actor {
            user_id: claims.sub.into(),
            role: claims.role,
            affiliation,
        })
    }
}
