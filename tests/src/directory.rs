//! Fixtures for the supplier directory: bilingual profiles, certificates,
//! and the review steps that publish them.

use std::time::Duration;

use serde_json::{Value, json};

use crate::TestApp;
use crate::server::siret;

/// A micro-machining shop described only in French.
pub fn micro_machining_profile() -> Value {
    json!({
        "description_fr": "Atelier de micro-usinage de précision à Besançon : pièces en titane et inox pour implants orthopédiques et instruments chirurgicaux.",
        "description_en": "",
        "capabilities": [
            { "code": "machining.micro_machining", "detail": "Titane grade 5, tolérances ±5 µm" },
            { "code": "machining.swiss_turning" }
        ],
        "sectors": ["medtech", "aerospace"],
        "equipment": ["Tornos SwissNano", "Kern Micro HD"],
        "headcount": "10-49",
        "location": { "city": "Besançon", "department": "25", "region": "Bourgogne-Franche-Comté" },
        "working_languages": ["fr", "en"],
        "public_contact_email": "contact@microtech.example",
        "private_contacts": [{ "name": "Sophie Girard", "role": "Directrice commerciale", "email": "direction@microtech.example" }]
    })
}

/// A sterilisation provider described only in English.
pub fn sterilisation_profile() -> Value {
    json!({
        "description_en": "Contract gamma and ethylene oxide sterilisation of single-use medical devices, with validated sterile barrier packaging.",
        "capabilities": [{ "code": "sterilisation.gamma" }, { "code": "sterilisation.ethylene_oxide" }],
        "sectors": ["medtech", "pharma"],
        "location": { "city": "Vesoul", "department": "70", "region": "Bourgogne-Franche-Comté" }
    })
}

pub fn iso_13485(valid_from: &str, valid_until: &str) -> Value {
    json!({
        "type": "iso_13485",
        "scope": "Usinage de composants de dispositifs médicaux implantables",
        "certifying_body": "GMED",
        "valid_from": valid_from,
        "valid_until": valid_until,
        "document_ref": "https://docs.gmed.example/certificats/GMED-2025-0042.pdf"
    })
}

impl TestApp {
    /// Two published suppliers without certificates: a micro-machining shop
    /// (`a@microtech.example`) and a sterilisation provider
    /// (`b@sterilis.example`), as (token, org id) each.
    pub async fn machining_and_sterilisation(&self, expert: &str) -> [(String, String); 2] {
        let machining = self
            .published_supplier(
                "a@microtech.example",
                &siret(1),
                micro_machining_profile(),
                &[],
                expert,
            )
            .await;
        let sterilisation = self
            .published_supplier(
                "b@sterilis.example",
                &siret(2),
                sterilisation_profile(),
                &[],
                expert,
            )
            .await;
        [machining, sterilisation]
    }

    /// Registers a supplier, writes `profile`, declares `certificates`,
    /// submits, and has `expert` approve. Returns (supplier token, org id).
    pub async fn published_supplier(
        &self,
        email: &str,
        siret: &str,
        profile: Value,
        certificates: &[Value],
        expert: &str,
    ) -> (String, String) {
        let (token, registered) = self.signed_up("supplier", email, siret).await;
        let org = registered["organisation"]["id"]
            .as_str()
            .expect("org id")
            .to_owned();
        self.publish(&token, &org, profile, certificates, expert)
            .await;
        (token, org)
    }

    /// `published_supplier` under the legal name `name`.
    pub async fn published_supplier_named(
        &self,
        name: &str,
        email: &str,
        siret: &str,
        profile: Value,
        certificates: &[Value],
        expert: &str,
    ) -> (String, String) {
        let mut body = crate::server::registration("supplier", email, siret);
        body["organisation"]["legal_name"] = json!(name);
        let registered = self.post("/api/v1/auth/register", None, body).await;
        let org = registered.assert_status(201)["organisation"]["id"]
            .as_str()
            .expect("org id")
            .to_owned();
        self.verify_email(email).await;
        let token = self.login(email, crate::server::PASSWORD).await["access_token"]
            .as_str()
            .expect("access token")
            .to_owned();
        self.publish(&token, &org, profile, certificates, expert)
            .await;
        (token, org)
    }

    /// Writes `profile`, declares `certificates`, submits, and has `expert`
    /// approve.
    async fn publish(
        &self,
        token: &str,
        org: &str,
        profile: Value,
        certificates: &[Value],
        expert: &str,
    ) {
        let token = token.to_owned();
        self.put(
            &format!("/api/v1/organisations/{org}/profile"),
            Some(&token),
            profile,
        )
        .await
        .assert_status(201);
        for certificate in certificates {
            self.post(
                &format!("/api/v1/organisations/{org}/certifications"),
                Some(&token),
                certificate.clone(),
            )
            .await
            .assert_status(201);
        }
        let submitted = self
            .post(
                &format!("/api/v1/organisations/{org}/profile/submit"),
                Some(&token),
                json!(null),
            )
            .await;
        let version = submitted.assert_status(200)["version"].clone();
        self.post_if_match(
            &format!("/api/v1/backoffice/profiles/{org}/approve"),
            Some(expert),
            version,
            json!({ "comment": "Vérifié" }),
        )
        .await
        .assert_status(200);
    }

    /// Searches until `predicate` holds on the response (the index is
    /// updated asynchronously), for at most 30 s.
    pub async fn search_until(&self, query: &str, predicate: impl Fn(&Value) -> bool) -> Value {
        let mut last = Value::Null;
        for _ in 0..600 {
            let reply = self.get(&format!("/api/v1/suppliers?{query}"), None).await;
            last = reply.assert_status(200).clone();
            if predicate(&last) {
                return last;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("search {query:?} never satisfied the expectation; last answer: {last}");
    }
}

/// The ids of a search response's hits.
pub fn hit_ids(response: &Value) -> Vec<String> {
    response["items"]
        .as_array()
        .map(|hits| {
            hits.iter()
                .filter_map(|h| h["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
