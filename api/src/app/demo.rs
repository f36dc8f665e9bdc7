//! A realistic demo data set for `make run`: buyers and suppliers of the
//! regional health-tech supply chain, one expert, one admin.

use domain::account::{PlatformRole, User};
use domain::auth::Actor;
use openapi::accounts::{AddressBody, NewUserInput, OrganisationInput, RegisterRequest};
use persistence::accounts;
use serde_json::json;

use crate::app::accounts::{create_back_office_user, register};
use crate::app::profiles::{self, Decision};
use crate::error::{ApiError, ApiResult};
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

/// The demo suppliers' profiles and certificates, keyed by contact email.
fn supplier_profile(email: &str) -> Option<(serde_json::Value, Vec<serde_json::Value>)> {
    let today = chrono::Utc::now().date_naive();
    let day = |offset: i64| {
        (today + chrono::TimeDelta::days(offset))
            .format("%Y-%m-%d")
            .to_string()
    };
    let iso = |code: &str, body: &str, scope: &str| json!({ "type": code, "scope": scope, "certifying_body": body, "valid_from": day(-400), "valid_until": day(700) });
    match email {
        "contact@microtech-doubs.example" => Some((
            json!({
                "description_fr": "Micro-usinage et décolletage de précision pour implants et instruments chirurgicaux : titane, inox 316L, PEEK. Salle de contrôle métrologique.",
                "description_en": "Precision micro-machining and Swiss-type turning of implants and surgical instruments in titanium, 316L stainless steel and PEEK.",
                "capabilities": [
                    { "code": "machining.micro_machining", "detail": "Titane grade 5, tolérances ±5 µm" },
                    { "code": "machining.swiss_turning", "detail": "Diamètres 0,5 à 20 mm" },
                    { "code": "testing.metrology" }
                ],
                "sectors": ["medtech", "aerospace"],
                "equipment": ["Tornos SwissNano", "Kern Micro HD", "Zeiss O-Inspect"],
                "headcount": "10-49",
                "location": { "city": "Besançon", "department": "25", "region": "Bourgogne-Franche-Comté" },
                "working_languages": ["fr", "en", "de"],
                "public_contact_email": "contact@microtech-doubs.example",
                "private_contacts": [{ "name": "Sophie Girard", "role": "Directrice commerciale", "email": "sophie.girard@microtech-doubs.example" }]
            }),
            vec![
                iso(
                    "iso_13485",
                    "GMED",
                    "Usinage de composants de dispositifs médicaux",
                ),
                iso("iso_9001", "AFNOR", "Usinage de précision"),
            ],
        )),
        "commercial@sterilisest.example" => Some((
            json!({
                "description_fr": "Stérilisation à façon par oxyde d'éthylène et rayonnement gamma, validation selon ISO 11135 et ISO 11137, emballage barrière stérile.",
                "description_en": "",
                "capabilities": [
                    { "code": "sterilisation.ethylene_oxide" },
                    { "code": "sterilisation.gamma" },
                    { "code": "sterilisation.sterile_barrier" }
                ],
                "sectors": ["medtech", "pharma"],
                "headcount": "50-249",
                "location": { "city": "Vesoul", "department": "70", "region": "Bourgogne-Franche-Comté" },
                "working_languages": ["fr", "en"],
                "public_contact_email": "commercial@sterilisest.example"
            }),
            vec![
                iso("iso_13485", "BSI", "Stérilisation de dispositifs médicaux"),
                iso("iso_11137", "BSI", "Stérilisation par irradiation"),
            ],
        )),
        "labo@bioanalyses-bourgogne.example" => Some((
            json!({
                "description_fr": "",
                "description_en": "Contract research laboratory: biocompatibility testing to ISO 10993, cell culture, bioanalysis and analytical chemistry under GLP.",
                "capabilities": [
                    { "code": "testing.biocompatibility", "detail": "Cytotoxicity, sensitisation, irritation" },
                    { "code": "biotech.cell_culture" },
                    { "code": "testing.analytical_chemistry" }
                ],
                "sectors": ["medtech", "pharma", "cosmetics"],
                "headcount": "10-49",
                "location": { "city": "Dijon", "department": "21", "region": "Bourgogne-Franche-Comté" },
                "working_languages": ["fr", "en"],
                "public_contact_email": "labo@bioanalyses-bourgogne.example"
            }),
            vec![
                iso("iso_17025", "COFRAC", "Essais de biocompatibilité"),
                iso("glp", "ANSM", "Études précliniques"),
            ],
        )),
        _ => None,
    }
}

fn actor(user: &User) -> Actor {
    Actor {
        user_id: user.id,
        role: user.platform_role,
        affiliation: user.affiliation,
    }
}

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
    let expert = create_back_office_user(
        state,
        PlatformRole::Expert,
        "expert@pmt-business.example",
        "Élodie Expert",
        DEMO_PASSWORD,
    )
    .await?;
    create_back_office_user(
        state,
        PlatformRole::Admin,
        "admin@pmt-business.example",
        "Admin PMT",
        DEMO_PASSWORD,
    )
    .await?;
    for org in ORGS {
        let (user, organisation) = register(
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
        let user_id = user.id;
        state
            .transaction(move |conn| Ok(accounts::mark_email_verified(conn, user_id, now)?))
            .await?;
        if let Some((profile, certificates)) = supplier_profile(org.email) {
            let supplier = actor(&user);
            let body = serde_json::from_value(profile)
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("demo profile: {e}")))?;
            profiles::save(state, supplier, organisation.id, None, body).await?;
            for certificate in certificates {
                let body = serde_json::from_value(certificate)
                    .map_err(|e| ApiError::Internal(anyhow::anyhow!("demo certificate: {e}")))?;
                profiles::add_certification(state, supplier, organisation.id, body).await?;
            }
            profiles::submit(state, supplier, organisation.id).await?;
            profiles::review(
                state,
                actor(&expert),
                organisation.id,
                Decision::Approve(Some("Profil de démonstration".to_owned())),
            )
            .await?;
        }
        lines.push(format!("  {:<8} {:<38} {}", org.kind, org.email, org.name));
    }
    lines.push(format!(
        "  {:<8} {:<38} back office",
        "expert", "expert@pmt-business.example"
    ));
    lines.push(format!(
        "  {:<8} {:<38} back office",
        "admin", "admin@pmt-business.example"
    ));
    Ok(Some(lines.join("\n")))
}
