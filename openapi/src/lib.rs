//! The wire contract of the PMT Business API: request and response bodies,
//! the problem+json error shape, and the document skeleton (info, security,
//! tags). Paths are collected from the handlers themselves in `api`, so a
//! route cannot exist without being documented.

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod booklet;
pub mod directory;
pub mod events;
pub mod files;
pub mod inbox;
pub mod paging;
pub mod problem;
pub mod publications;
pub mod sourcing;
pub mod timestamp;
pub mod vocabulary;
pub mod webhooks;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// Name of the bearer-JWT security scheme referenced by protected operations.
pub const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "PMT Business API",
        description = "B2B sourcing marketplace of the Bourgogne-Franche-Comté health-tech cluster: \
buyers post sourcing requests, the cluster's experts qualify them and vet matches, suppliers keep \
a searchable profile of capabilities and certifications.\n\n\
Every error is `application/problem+json` (RFC 7807) with a stable `code`; validation errors list \
the failing fields in `errors`. Authenticate with `POST /api/v1/auth/login` and send the access \
token as `Authorization: Bearer <token>`.",
        license(name = "MIT", identifier = "MIT"),
        contact(name = "PMT Business", email = "api@pmt-business.example"),
    ),
    modifiers(&BearerAuth),
    // Types only query parameters name, which utoipa does not collect.
    components(schemas(
        problem::Problem,
        problem::FieldErrorBody,
        directory::SupplierSort,
        sourcing::RequestSortOrder,
        publications::PublicationFormat,
    )),
    tags(
        (name = "auth", description = "Registration, login, tokens, email verification, password reset"),
        (name = "organisations", description = "Buyer and supplier organisations and their users"),
        (name = "directory", description = "Capability taxonomy, certifications and the public supplier directory"),
        (name = "profiles", description = "Supplier profiles and certificates, and their review by experts"),
        (name = "requests", description = "Sourcing requests: qualification, matching, invitations, quotes, questions, award"),
        (name = "files", description = "Documents: upload, attach, download"),
        (name = "publications", description = "The cluster's publications from live data: the FR/EN competence booklet (PDF), the capability map (public) and the programme's activity report (back office)"),
        (name = "admin", description = "User and membership management (admins)"),
        (name = "events", description = "The change feed: what changed, as each caller may read it"),
        (name = "webhooks", description = "Endpoints receiving the change feed, signed (Standard Webhooks), and their delivery log"),
        (name = "health", description = "Liveness and readiness probes"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}
