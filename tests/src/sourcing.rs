//! Fixtures for sourcing requests: a buyer, an expert and a handful of
//! published suppliers, and helpers that drive a request to any state.

use serde_json::{Value, json};

use crate::TestApp;
use crate::directory::{iso_13485, micro_machining_profile, sterilisation_profile};
use crate::server::siret;

pub struct Supplier {
    pub token: String,
    pub org: String,
    pub email: String,
}

pub struct World {
    pub buyer: String,
    pub buyer_org: String,
    pub expert: String,
    /// Three micro-machining shops with a valid ISO 13485.
    pub certified: Vec<Supplier>,
    /// A micro-machining shop without ISO 13485.
    pub uncertified: Supplier,
    /// A sterilisation provider, irrelevant to the request.
    pub unrelated: Supplier,
}

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::TimeDelta::days(offset))
        .format("%Y-%m-%d")
        .to_string()
}

/// A confidential request for ISO 13485 micro-machining of titanium.
pub fn titanium_request() -> Value {
    json!({
        "title": "Micro-usinage de vis implantables en titane",
        "description": "Vis d'ostéosynthèse en titane grade 5, diamètre 1,5 mm, état de surface Ra < 0,4 µm.",
        "capabilities": ["machining.micro_machining"],
        "certifications": [{ "code": "iso_13485", "mandatory": true }],
        "sectors": ["medtech"],
        "quantities": "5 000 pièces par an, lots de 500",
        "budget": { "min": "10000", "max": "25000", "currency": "EUR" },
        "desired_delivery": day(120),
        "response_deadline": (chrono::Utc::now() + chrono::TimeDelta::days(14)).to_rfc3339(),
        "region": "Bourgogne-Franche-Comté",
        "language": "fr",
        "confidential": true,
        "nda_required": true,
        "attachments": [{ "name": "plan-vis.pdf", "content_type": "application/pdf", "size_bytes": 482113, "reference": "ged://cardio/plans/vis-1.5" }]
    })
}

/// The same need in the buyer's words only: no capability, certification,
/// sector or region, which the experts code while qualifying.
pub fn words_only_request() -> Value {
    let mut body = titanium_request();
    if let Some(fields) = body.as_object_mut() {
        for coded in ["capabilities", "certifications", "sectors", "region"] {
            fields.remove(coded);
        }
    }
    body
}

/// What an expert recodes: capabilities, certification requirements,
/// sectors and region.
pub fn requirements(
    capabilities: &[&str],
    certifications: Value,
    sectors: &[&str],
    region: Option<&str>,
) -> Value {
    json!({ "capabilities": capabilities, "certifications": certifications, "sectors": sectors, "region": region })
}

pub fn quote(amount: &str, lead_time_days: i64) -> Value {
    json!({ "amount": amount, "currency": "EUR", "lead_time_days": lead_time_days, "valid_until": day(60), "message": "Offre ferme" })
}

impl TestApp {
    pub async fn sourcing_world(&self) -> World {
        let expert = self.back_office("expert", "expert@pmt.example").await;
        let (buyer, registered) = self
            .signed_up("buyer", "claire@cardiodijon.example", &siret(100))
            .await;
        let buyer_org = registered["organisation"]["id"]
            .as_str()
            .expect("org")
            .to_owned();
        let mut certified = Vec::new();
        for n in 1..=3 {
            let email = format!("atelier{n}@microtech.example");
            let cert = iso_13485(&day(-100), &day(700));
            let (token, org) = self
                .published_supplier(
                    &email,
                    &siret(n),
                    micro_machining_profile(),
                    &[cert],
                    &expert,
                )
                .await;
            certified.push(Supplier { token, org, email });
        }
        let email = "sans-iso@microtech.example".to_owned();
        let (token, org) = self
            .published_supplier(&email, &siret(10), micro_machining_profile(), &[], &expert)
            .await;
        let uncertified = Supplier { token, org, email };
        let email = "steril@sterilis.example".to_owned();
        let (token, org) = self
            .published_supplier(&email, &siret(11), sterilisation_profile(), &[], &expert)
            .await;
        let unrelated = Supplier { token, org, email };
        // Wait until the index knows every supplier.
        self.search_until("limit=100", |r| r["total"] == 5).await;
        World {
            buyer,
            buyer_org,
            expert,
            certified,
            uncertified,
            unrelated,
        }
    }

    pub async fn draft_request(&self, world: &World) -> String {
        self.draft_request_of(world, titanium_request()).await
    }

    /// Drafts `body` as the world's buyer.
    pub async fn draft_request_of(&self, world: &World, body: Value) -> String {
        let reply = self
            .post("/api/v1/requests", Some(&world.buyer), body)
            .await;
        reply.assert_status(201)["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// Drafts `body` as the world's buyer and submits it for review.
    pub async fn submitted_request_of(&self, world: &World, body: Value) -> String {
        let id = self.draft_request_of(world, body).await;
        self.step(&world.buyer, &id, "submit", json!({}))
            .await
            .assert_status(200);
        id
    }

    /// `PUT /requests/{id}/requirements` with `If-Match: etag` when given.
    pub async fn recode(
        &self,
        token: &str,
        request: &str,
        etag: Option<&str>,
        body: Value,
    ) -> crate::server::Reply {
        let path = format!("/api/v1/requests/{request}/requirements");
        let mut builder = self.request(reqwest::Method::PUT, &path, Some(token));
        if let Some(etag) = etag {
            builder = builder.header("if-match", etag);
        }
        self.send(builder.json(&body)).await
    }

    /// The request's `ETag` as `token` reads it.
    pub async fn etag_of(&self, token: &str, request: &str) -> String {
        let reply = self
            .get(&format!("/api/v1/requests/{request}"), Some(token))
            .await;
        reply.assert_status(200);
        reply.etag()
    }

    pub async fn step(
        &self,
        token: &str,
        request: &str,
        step: &str,
        body: Value,
    ) -> crate::server::Reply {
        self.post(
            &format!("/api/v1/requests/{request}/{step}"),
            Some(token),
            body,
        )
        .await
    }

    /// Submitted, qualified, the three certified suppliers approved, opened.
    pub async fn open_request(&self, world: &World) -> String {
        self.open_request_of(world, titanium_request()).await
    }

    /// `body` drafted, then submitted, qualified, matched and opened as
    /// [`TestApp::open_request`] does.
    pub async fn open_request_of(&self, world: &World, body: Value) -> String {
        let id = self.draft_request_of(world, body).await;
        self.open_drafted(world, &id).await;
        id
    }

    /// Submits, qualifies, matches and opens the draft `id` (the three
    /// certified suppliers invited).
    pub async fn open_drafted(&self, world: &World, id: &str) {
        let id = id.to_owned();
        self.step(&world.buyer, &id, "submit", json!({}))
            .await
            .assert_status(200);
        self.step(&world.expert, &id, "qualify", json!({}))
            .await
            .assert_status(200);
        for supplier in &world.certified {
            let added = self
                .post(
                    &format!("/api/v1/requests/{id}/matches"),
                    Some(&world.expert),
                    json!({ "supplier_id": supplier.org }),
                )
                .await;
            let match_id = added.assert_status(201)["id"]
                .as_str()
                .expect("match")
                .to_owned();
            self.post(
                &format!("/api/v1/requests/{id}/matches/{match_id}/approve"),
                Some(&world.expert),
                json!({ "note": "ok" }),
            )
            .await
            .assert_status(200);
        }
        self.step(&world.expert, &id, "open", json!({}))
            .await
            .assert_status(200);
    }
}
