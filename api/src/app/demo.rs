//! A realistic demo data set for `make run`: buyers and suppliers of the
//! regional health-tech supply chain, one expert, one admin.

use domain::account::PlatformRole;
use openapi::accounts::{AddressBody, NewUserInput, OrganisationInput, RegisterRequest};
use persistence::accounts;

use crate::app::accounts::{create_back_office_user, register};
use crate::error::ApiResult;
use crate::state::AppState;

pub const DEMO_PASSWORD: &str = "demo-pmt-business-2026";

struct DemoOrg {
    kind: &'static str,
    name: &'static str,
    siret: &'static str,
    street: &'static str,
    postal_code: &'static str,
    city: &'static str,
    email: &'static str,
    person: &'static str,
}

const ORGS: &[DemoOrg] = &[
    DemoOrg {
        kind: "buyer",
        name: "Cardiodijon Medical SAS",
        siret: "82345678900010",
        street: "4 allée de Pologne",
        postal_code: "21000",
        city: "Dijon",
        email: "achats@cardiodijon.example",
        person: "Claire Martin",
    },
    DemoOrg {
        kind: "buyer",
        name: "OrthoJura Implants",
        siret: "81234567800013",
        street: "12 rue des Lilas",
        postal_code: "39100",
        city: "Dole",
        email: "sourcing@orthojura.example",
        person: "Julien Bernard",
    },
    DemoOrg {
        kind: "supplier",
        name: "Microtech Doubs Usinage",
        siret: "79876543200017",
        street: "18 rue Gay-Lussac",
        postal_code: "25000",
        city: "Besançon",
        email: "contact@microtech-doubs.example",
        person: "Sophie Girard",
    },
    DemoOrg {
        kind: "supplier",
        name: "Stérilis'Est",
        siret: "80123456700015",
        street: "3 rue de l'Industrie",
        postal_code: "70000",
        city: "Vesoul",
        email: "commercial@sterilisest.example",
        person: "Marc Petit",
    },
    DemoOrg {
        kind: "supplier",
        name: "BioAnalyses Bourgogne",
        siret: "83456789000019",
        street: "7 boulevard Jeanne d'Arc",
        postal_code: "21000",
        city: "Dijon",
        email: "labo@bioanalyses-bourgogne.example",
        person: "Nadia Lefèvre",
    },
];

/// Seeds only an empty database; returns what to print (URL, credentials).
pub async fn seed(state: &AppState) -> ApiResult<Option<String>> {
    let empty = state
        .read(|conn| Ok(accounts::list_users(conn, None, 1)?.is_empty()))
        .await?;
    if !empty {
        return Ok(None);
    }
    let mut lines = vec![
        "Demo data loaded. Every demo account uses the password:".to_owned(),
        format!("  {DEMO_PASSWORD}"),
    ];
    for org in ORGS {
        let (user, _) = register(
            state,
            RegisterRequest {
                organisation: OrganisationInput {
                    kind: org.kind.to_owned(),
                    legal_name: org.name.to_owned(),
                    siret: Some(org.siret.to_owned()),
                    country: None,
                    registration_number: None,
                    address: AddressBody {
                        street: org.street.to_owned(),
                        postal_code: org.postal_code.to_owned(),
                        city: org.city.to_owned(),
                    },
                    region: "Bourgogne-Franche-Comté".to_owned(),
                    website: None,
                },
                user: NewUserInput {
                    email: org.email.to_owned(),
                    password: DEMO_PASSWORD.to_owned(),
                    full_name: org.person.to_owned(),
                    language: Some("fr".to_owned()),
                },
            },
        )
        .await?;
        let now = state.clock.now();
        state
            .transaction(move |conn| Ok(accounts::mark_email_verified(conn, user.id, now)?))
            .await?;
        lines.push(format!("  {:<8} {:<38} {}", org.kind, org.email, org.name));
    }
    for (role, email, name) in [
        (
            PlatformRole::Expert,
            "expert@pmt-business.example",
            "Élodie Expert",
        ),
        (
            PlatformRole::Admin,
            "admin@pmt-business.example",
            "Admin PMT",
        ),
    ] {
        create_back_office_user(state, role, email, name, DEMO_PASSWORD).await?;
        lines.push(format!("  {:<8} {:<38} back office", role.as_str(), email));
    }
    Ok(Some(lines.join("\n")))
}
