//! The frontend pages emails link to. The API does not serve them: a
//! frontend at `FRONTEND_BASE_URL` must, so their paths are a contract,
//! written once here and listed from here in the spec's description (and,
//! by hand, in the README, which a test keeps in step).

use domain::ids::{OrganisationId, SourcingRequestId};

/// One page of the frontend, with what its path carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontendRoute<'a> {
    /// Confirms the address of a new account (`POST /api/v1/auth/verify-email`).
    VerifyEmail { token: &'a str },
    /// Chooses a new password (`POST /api/v1/auth/password-reset/confirm`).
    ResetPassword { token: &'a str },
    /// Shows an invitation to join an organisation (`GET /api/v1/invitations/{token}`)
    /// and accepts it (`POST /api/v1/auth/accept-invitation`).
    AcceptInvitation { token: &'a str },
    /// Sign-in, for someone invited who already has an account.
    Login,
    /// A sourcing request, for its buyer, the experts and invited suppliers.
    Request(SourcingRequestId),
    /// A supplier's profile, after the experts' decision on it.
    Supplier(OrganisationId),
    /// A supplier's certificates, one of which expires soon.
    SupplierCertifications(OrganisationId),
    /// The experts' review of a submitted supplier profile.
    ProfileReview(OrganisationId),
    /// The organisation's webhook endpoints (`GET /api/v1/webhooks`).
    Webhooks,
}

impl FrontendRoute<'_> {
    /// One of each page, for listing their templates.
    pub const ALL: [FrontendRoute<'static>; 9] = [
        FrontendRoute::VerifyEmail { token: "" },
        FrontendRoute::ResetPassword { token: "" },
        FrontendRoute::AcceptInvitation { token: "" },
        FrontendRoute::Login,
        FrontendRoute::Request(SourcingRequestId::from_uuid(uuid::Uuid::nil())),
        FrontendRoute::Supplier(OrganisationId::from_uuid(uuid::Uuid::nil())),
        FrontendRoute::SupplierCertifications(OrganisationId::from_uuid(uuid::Uuid::nil())),
        FrontendRoute::ProfileReview(OrganisationId::from_uuid(uuid::Uuid::nil())),
        FrontendRoute::Webhooks,
    ];

    /// The path with its placeholder (at most one), as documented.
    pub const fn template(&self) -> &'static str {
        match self {
            Self::VerifyEmail { .. } => "/verify-email?token={token}",
            Self::ResetPassword { .. } => "/reset-password?token={token}",
            Self::AcceptInvitation { .. } => "/accept-invitation?token={token}",
            Self::Login => "/login",
            Self::Request(_) => "/requests/{request_id}",
            Self::Supplier(_) => "/suppliers/{organisation_id}",
            Self::SupplierCertifications(_) => "/suppliers/{organisation_id}/certifications",
            Self::ProfileReview(_) => "/backoffice/profiles/{organisation_id}",
            Self::Webhooks => "/settings/webhooks",
        }
    }

    /// Which emails link there, for the documentation.
    pub const fn linked_from(&self) -> &'static str {
        match self {
            Self::VerifyEmail { .. } => "email verification (registration, resend)",
            Self::ResetPassword { .. } => "password reset",
            Self::AcceptInvitation { .. } => "invitation to join an organisation (new account)",
            Self::Login => "invitation to join an organisation (existing account)",
            Self::Request(_) => {
                "every email about a sourcing request (submitted, qualified, changes requested, \
                 rejected, invitation to quote, question answered, answer received, deadline \
                 approaching, awarded, not selected, supplier withdrawn)"
            }
            Self::Supplier(_) => "profile approved, profile changes requested",
            Self::SupplierCertifications(_) => "certificate expiring",
            Self::ProfileReview(_) => "profile submitted for review (to experts)",
            Self::Webhooks => "webhook endpoint disabled after failing for 3 days",
        }
    }

    /// The value that fills the template's placeholder. Tokens are
    /// URL-safe base64 and identifiers UUIDs: neither needs escaping.
    fn parameter(&self) -> Option<String> {
        match self {
            Self::VerifyEmail { token }
            | Self::ResetPassword { token }
            | Self::AcceptInvitation { token } => Some((*token).to_owned()),
            Self::Login | Self::Webhooks => None,
            Self::Request(id) => Some(id.to_string()),
            Self::Supplier(id) | Self::SupplierCertifications(id) | Self::ProfileReview(id) => {
                Some(id.to_string())
            }
        }
    }

    /// The path with its placeholder filled in.
    pub fn path(&self) -> String {
        let template = self.template();
        match (self.parameter(), template.find('{'), template.find('}')) {
            (Some(value), Some(open), Some(close)) => {
                format!("{}{value}{}", &template[..open], &template[close + 1..])
            }
            _ => template.to_owned(),
        }
    }
}

/// Where emails' links point: `FRONTEND_BASE_URL`, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontendLinks {
    base_url: String,
}

impl FrontendLinks {
    pub fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }

    pub fn to(&self, route: FrontendRoute<'_>) -> String {
        format!("{}{}", self.base_url, route.path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_fill_the_documented_templates() {
        let links = FrontendLinks::new("https://app.example/");
        let request = SourcingRequestId::new();
        let org = OrganisationId::new();
        assert_eq!(
            links.to(FrontendRoute::VerifyEmail { token: "a-b_c" }),
            "https://app.example/verify-email?token=a-b_c"
        );
        assert_eq!(
            links.to(FrontendRoute::AcceptInvitation { token: "t" }),
            "https://app.example/accept-invitation?token=t"
        );
        assert_eq!(links.to(FrontendRoute::Login), "https://app.example/login");
        assert_eq!(
            links.to(FrontendRoute::Request(request)),
            format!("https://app.example/requests/{request}")
        );
        assert_eq!(
            links.to(FrontendRoute::SupplierCertifications(org)),
            format!("https://app.example/suppliers/{org}/certifications")
        );
    }

    #[test]
    fn every_route_is_listed_once() {
        // Adding a variant breaks this match: list it in `ALL` too.
        let index = |route: &FrontendRoute<'_>| match route {
            FrontendRoute::VerifyEmail { .. } => 0,
            FrontendRoute::ResetPassword { .. } => 1,
            FrontendRoute::AcceptInvitation { .. } => 2,
            FrontendRoute::Login => 3,
            FrontendRoute::Request(_) => 4,
            FrontendRoute::Supplier(_) => 5,
            FrontendRoute::SupplierCertifications(_) => 6,
            FrontendRoute::ProfileReview(_) => 7,
            FrontendRoute::Webhooks => 8,
        };
        let listed: Vec<usize> = FrontendRoute::ALL.iter().map(index).collect();
        assert_eq!(listed, (0..9).collect::<Vec<_>>());
        let templates: std::collections::HashSet<_> = FrontendRoute::ALL
            .iter()
            .map(FrontendRoute::template)
            .collect();
        assert_eq!(templates.len(), FrontendRoute::ALL.len());
    }

    /// The README's table of frontend routes is written by hand: it must
    /// name every template the server links to.
    #[test]
    fn the_readme_lists_every_route() {
        let readme = include_str!("../../../README.md");
        for route in FrontendRoute::ALL {
            assert!(
                readme.contains(&format!("`{}`", route.template())),
                "README.md does not list {}",
                route.template()
            );
        }
    }
}
