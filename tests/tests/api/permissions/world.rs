//! The actors, their objects, and builders of fresh objects in any state.

use std::sync::atomic::AtomicU32;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tests::TestApp;
use tests::directory::{iso_13485, micro_machining_profile};
use tests::server::{PASSWORD, Reply, registration, siret};
use tests::sourcing::quote;

use super::{Actor::*, Matrix};

/// Unique strings whose presence in a response tells what its reader saw.
pub(super) struct Secrets {
    pub(super) internal_note: String,
    pub(super) a_request_title: String,
    pub(super) a_identity: Vec<String>,
    pub(super) s1_private_contact: String,
    pub(super) s1_quote: String,
    /// Password hash markers and the SHA-256 of every token handed out.
    pub(super) hashes: Vec<String>,
}

/// The objects of the scenario and who is who.
pub(super) struct World {
    pub(super) tokens: [Option<String>; 9],
    pub(super) a_org: String,
    pub(super) s1_org: String,
    pub(super) s1_cert: String,
    pub(super) s2_org: String,
    /// S3, published and invited to A's open request, whose owner never
    /// verified their address; S4, invited there too, then suspended.
    pub(super) s3_org: String,
    pub(super) s4_org: String,
    /// A buyer organisation that exists to be logged into, invited into and
    /// reset: the probe of the public auth calls.
    pub(super) z_token: String,
    pub(super) z_org: String,
    pub(super) z_email: String,
    /// A's confidential request, open: S1 invited through an approved match
    /// with an internal note, S1 asked a question and quoted.
    pub(super) request: String,
    pub(super) match_id: String,
    pub(super) question: String,
    /// A's qualified request, without matches yet (candidates).
    pub(super) qualified: String,
    /// A document of A's attached to `request` (every draft of A's gets
    /// one); S1 accepted the request's NDA, S3 did not.
    pub(super) file: String,
    pub(super) notification: String,
    pub(super) secrets: Secrets,
}

pub(super) fn sha256(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(super) fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::TimeDelta::days(offset))
        .format("%Y-%m-%d")
        .to_string()
}

pub(super) fn id_of(reply: &Reply, status: u16) -> String {
    reply.assert_status(status)["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

impl Matrix<'_> {
    // Requests of buyer A in each state.

    /// A draft of A's, with a document attached.
    pub(super) async fn a_draft(&self) -> String {
        let id = id_of(
            &self
                .post_as(BuyerA, "/api/v1/requests", self.a_request())
                .await,
            201,
        );
        let file = self.a_file().await;
        self.post_as(
            BuyerA,
            &format!("/api/v1/requests/{id}/files"),
            json!({ "file_id": file }),
        )
        .await
        .assert_status(200);
        id
    }

    /// A fresh upload of A's, not attached.
    pub(super) async fn a_file(&self) -> String {
        let token = self.token(BuyerA).unwrap_or_default();
        self.app
            .uploaded(token, "plan-matrice.pdf", tests::documents::pdf(2000))
            .await
    }

    /// A fresh upload of S1's, not attached: a proof, a logo.
    pub(super) async fn s1_file(&self) -> String {
        let token = self.token(InvitedSupplier).unwrap_or_default();
        self.app
            .uploaded(token, "certificat.pdf", tests::documents::pdf(1500))
            .await
    }

    pub(super) async fn a_submitted(&self) -> String {
        let id = self.a_draft().await;
        let path = format!("/api/v1/requests/{id}/submit");
        self.post_as(BuyerA, &path, json!({}))
            .await
            .assert_status(200);
        id
    }

    pub(super) async fn propose_s1(&self, id: &str) -> String {
        let path = format!("/api/v1/requests/{id}/matches");
        let body = json!({ "supplier_id": self.w.s1_org });
        id_of(&self.post_as(Expert, &path, body).await, 201)
    }

    pub(super) async fn a_qualified(&self) -> String {
        self.a_qualified_with(&[]).await
    }

    /// A qualified request of A's with S1's match approved, and those of
    /// `others`.
    pub(super) async fn a_qualified_with(&self, others: &[&str]) -> String {
        let id = self.a_submitted().await;
        let match_id = self.propose_s1(&id).await;
        let approve = format!("/api/v1/requests/{id}/matches/{match_id}/approve");
        let note =
            json!({ "note": self.w.secrets.internal_note, "note_for_buyer": "Atelier audité" });
        self.post_as(Expert, &approve, note)
            .await
            .assert_status(200);
        for supplier in others {
            let path = format!("/api/v1/requests/{id}/matches");
            let body = json!({ "supplier_id": supplier });
            let other = id_of(&self.post_as(Expert, &path, body).await, 201);
            let approve = format!("/api/v1/requests/{id}/matches/{other}/approve");
            self.post_as(Expert, &approve, json!({}))
                .await
                .assert_status(200);
        }
        let qualify = format!("/api/v1/requests/{id}/qualify");
        self.post_as(Expert, &qualify, json!({}))
            .await
            .assert_status(200);
        id
    }

    pub(super) async fn a_open(&self) -> String {
        self.a_open_with(&[]).await
    }

    pub(super) async fn a_open_with(&self, others: &[&str]) -> String {
        let id = self.a_qualified_with(others).await;
        let path = format!("/api/v1/requests/{id}/open");
        self.post_as(Expert, &path, json!({}))
            .await
            .assert_status(200);
        id
    }

    pub(super) async fn a_closed_with_s1_quote(&self) -> String {
        let id = self.a_open().await;
        let path = format!("/api/v1/requests/{id}/quotes");
        self.post_as(InvitedSupplier, &path, quote("15000", 30))
            .await
            .assert_status(201);
        let close = format!("/api/v1/requests/{id}/close");
        self.post_as(BuyerA, &close, json!({}))
            .await
            .assert_status(200);
        id
    }

    pub(super) async fn s1_question(&self) -> String {
        let path = format!("/api/v1/requests/{}/questions", self.w.request);
        let body = json!({ "question": "Le contrôle dimensionnel est-il à 100 % ?" });
        id_of(&self.post_as(InvitedSupplier, &path, body).await, 201)
    }

    // Suppliers, certificates, users.

    pub(super) async fn s1_certificate(&self) -> String {
        let path = format!("/api/v1/organisations/{}/certifications", self.w.s1_org);
        let mut body = iso_13485(&day(-10), &day(400));
        body["scope"] = json!("Extension au décolletage");
        id_of(&self.post_as(InvitedSupplier, &path, body).await, 201)
    }

    /// Sends S1's profile back to changes requested when it is under review
    /// (an edit of its published profile submitted it), so it can be edited.
    pub(super) async fn s1_out_of_review(&self) {
        let profile = format!("/api/v1/organisations/{}/profile", self.w.s1_org);
        let current = self.app.get(&profile, self.token(Expert)).await;
        if current.assert_status(200)["status"] == "submitted" {
            let changes = format!(
                "/api/v1/backoffice/profiles/{}/request-changes",
                self.w.s1_org
            );
            self.app
                .post_if_match(
                    &changes,
                    self.token(Expert),
                    current.etag(),
                    json!({ "comment": "Précisez les tolérances" }),
                )
                .await
                .assert_status(200);
        }
    }

    /// A fresh supplier whose profile is `status`: submitted, published or
    /// suspended.
    pub(super) async fn supplier_in(&self, status: &str) -> String {
        let n = self.unique();
        let email = format!("fournisseur{n}@matrix.example");
        let (token, registered) = self.app.signed_up("supplier", &email, &siret(n)).await;
        let org = registered["organisation"]["id"]
            .as_str()
            .expect("org")
            .to_owned();
        let profile = format!("/api/v1/organisations/{org}/profile");
        self.app
            .put(&profile, Some(&token), micro_machining_profile())
            .await
            .assert_status(201);
        let submitted = self
            .app
            .post(&format!("{profile}/submit"), Some(&token), json!(null))
            .await;
        let version = submitted.assert_status(200)["version"].clone();
        let review = |step: &str| format!("/api/v1/backoffice/profiles/{org}/{step}");
        if status != "submitted" {
            self.app
                .post_if_match(&review("approve"), self.token(Expert), version, json!({}))
                .await
                .assert_status(200);
        }
        if status == "suspended" {
            self.post_as(Expert, &review("suspend"), json!({ "comment": "Audit" }))
                .await
                .assert_status(200);
        }
        org
    }

    /// A freshly registered user (of a new buyer organisation) and its email.
    pub(super) async fn fresh_user(&self) -> (String, String) {
        let n = self.unique();
        let email = format!("sonde{n}@matrix.example");
        let registered = self
            .app
            .register_unverified("buyer", &email, &siret(n))
            .await;
        (
            registered["user"]["id"].as_str().expect("user").to_owned(),
            email,
        )
    }

    /// The token of the emailed link `path?token=` sent to `to` (a fresh
    /// address, which gets one).
    pub(super) async fn emailed_token(&self, to: &str, path: &str) -> String {
        let outbox = self.app.outbox();
        for _ in 0..150 {
            let found = outbox
                .all()
                .into_iter()
                .find(|e| e.to == to && e.text.contains(&format!("{path}?token=")));
            if let Some(email) = found {
                return email.token_for(path);
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no email to {to} with a {path} link");
    }

    /// The token of a fresh invitation into Z's organisation, to a new
    /// address each time.
    pub(super) async fn invitation_token(&mut self) -> String {
        let email = format!("invite{}@matrix.example", self.unique());
        let invite = format!("/api/v1/organisations/{}/invitations", self.w.z_org);
        self.app
            .post(&invite, Some(&self.w.z_token), json!({ "email": email }))
            .await
            .assert_status(201);
        let token = self.emailed_token(&email, "/accept-invitation").await;
        self.w.secrets.hashes.push(sha256(&token));
        token
    }

    pub(super) async fn z_refresh_token(&self) -> String {
        self.app.login(&self.w.z_email, PASSWORD).await["refresh_token"]
            .as_str()
            .expect("refresh token")
            .to_owned()
    }

    pub(super) fn s1_profile(&self) -> Value {
        s1_profile(&self.w.secrets.s1_private_contact)
    }
}

fn s1_profile(private_contact: &str) -> Value {
    let mut profile = micro_machining_profile();
    profile["private_contacts"] =
        json!([{ "name": "Direction S1", "role": "Directeur", "email": private_contact }]);
    profile
}

/// Registers with `body`, verifies the address and logs in: (access token,
/// org id, user id).
async fn registered(app: &TestApp, body: Value) -> (String, String, String) {
    let email = body["user"]["email"].as_str().expect("email").to_owned();
    let account = registered_unverified(app, body).await;
    app.verify_email(&email).await;
    account
}

/// Registers with `body` and logs in without ever verifying the address.
async fn registered_unverified(app: &TestApp, body: Value) -> (String, String, String) {
    let reply = app.post("/api/v1/auth/register", None, body.clone()).await;
    let registered = reply.assert_status(201).clone();
    let email = body["user"]["email"].as_str().expect("email");
    let tokens = app.login(email, PASSWORD).await;
    (
        tokens["access_token"].as_str().expect("token").to_owned(),
        registered["organisation"]["id"]
            .as_str()
            .expect("org")
            .to_owned(),
        registered["user"]["id"].as_str().expect("user").to_owned(),
    )
}

/// A supplier with a published profile and a valid ISO 13485: (token, org,
/// certificate).
async fn published(
    app: &TestApp,
    expert: &str,
    email: &str,
    n: u32,
    profile: Value,
) -> (String, String, String) {
    let account = registered(app, registration("supplier", email, &siret(n))).await;
    publish(app, expert, account, profile).await
}

/// Publishes the profile of a registered supplier `(token, org, _)`.
async fn publish(
    app: &TestApp,
    expert: &str,
    (token, org, _): (String, String, String),
    profile: Value,
) -> (String, String, String) {
    let base = format!("/api/v1/organisations/{org}");
    app.put(&format!("{base}/profile"), Some(&token), profile)
        .await
        .assert_status(201);
    let certificate = app
        .post(
            &format!("{base}/certifications"),
            Some(&token),
            iso_13485(&day(-100), &day(700)),
        )
        .await;
    let certificate = id_of(&certificate, 201);
    let submitted = app
        .post(&format!("{base}/profile/submit"), Some(&token), json!(null))
        .await;
    let version = submitted.assert_status(200)["version"].clone();
    app.post_if_match(
        &format!("/api/v1/backoffice/profiles/{org}/approve"),
        Some(expert),
        version,
        json!({}),
    )
    .await
    .assert_status(200);
    (token, org, certificate)
}

/// The actors, and buyer A's requests that the rows read.
pub(super) async fn world(app: &TestApp) -> Matrix<'_> {
    let marker = uuid::Uuid::new_v4().simple().to_string();
    let expert = app.back_office("expert", "expert@matrix.example").await;
    let admin = app.back_office("admin", "admin@matrix.example").await;
    let a_email = format!("direction{marker}@cardio-secret.example");
    let a_siret = siret(1);
    let a_name = format!("Cardio Secret {marker} SAS");
    let a_owner_name = format!("Berenice {marker}");
    let mut body = registration("buyer", &a_email, &a_siret);
    body["organisation"]["legal_name"] = json!(a_name);
    body["user"]["full_name"] = json!(a_owner_name);
    let (buyer_a, a_org, a_owner) = registered(app, body).await;
    let (buyer_b, _, _) = registered(
        app,
        registration("buyer", "achats@autre-acheteur.example", &siret(2)),
    )
    .await;
    let z_email = "sonde@matrix.example";
    let (z_token, z_org, _) = registered(app, registration("buyer", z_email, &siret(3))).await;
    let s1_private_contact = format!("prive{marker}@s1.example");
    let (s1, s1_org, s1_cert) = published(
        app,
        &expert,
        "s1@microtech.example",
        4,
        s1_profile(&s1_private_contact),
    )
    .await;
    let (s2, s2_org, _) = published(
        app,
        &expert,
        "s2@microtech.example",
        5,
        micro_machining_profile(),
    )
    .await;
    let unverified = registered_unverified(
        app,
        registration("supplier", "s3@non-verifie.example", &siret(6)),
    )
    .await;
    let (s3, s3_org, _) = publish(app, &expert, unverified, micro_machining_profile()).await;
    let (s4, s4_org, _) = published(
        app,
        &expert,
        "s4@suspendu.example",
        7,
        micro_machining_profile(),
    )
    .await;
    let mut hashes: Vec<String> = vec![
        "$argon2".into(),
        "password_hash".into(),
        "token_hash".into(),
    ];
    // Second sessions, to know refresh tokens whose hashes are stored.
    for email in [
        "expert@matrix.example",
        "admin@matrix.example",
        z_email,
        "s1@microtech.example",
        "s2@microtech.example",
        &a_email,
    ] {
        let refresh = app.login(email, PASSWORD).await["refresh_token"]
            .as_str()
            .expect("refresh")
            .to_owned();
        hashes.push(sha256(&refresh));
    }
    let secrets = Secrets {
        internal_note: format!("NOTEINTERNE{marker}"),
        a_request_title: format!("Vis implantables DEMANDEA{marker}"),
        a_identity: vec![
            a_name,
            a_siret,
            a_email,
            a_owner_name,
            a_org.clone(),
            a_owner,
        ],
        s1_private_contact,
        s1_quote: format!("OFFRES1{marker}"),
        hashes,
    };
    let w = World {
        tokens: [
            None,
            Some(buyer_a),
            Some(buyer_b),
            Some(s1),
            Some(s2),
            Some(expert),
            Some(admin),
            Some(s3),
            Some(s4),
        ],
        a_org,
        s1_org,
        s1_cert,
        s2_org,
        s3_org,
        s4_org,
        z_token,
        z_org,
        z_email: z_email.to_owned(),
        request: String::new(),
        match_id: String::new(),
        question: String::new(),
        qualified: String::new(),
        file: String::new(),
        notification: String::new(),
        secrets,
    };
    let mut m = Matrix {
        app,
        w,
        next: AtomicU32::new(100),
        seen: Vec::new(),
        failures: Vec::new(),
    };
    let (s3_org, s4_org) = (m.w.s3_org.clone(), m.w.s4_org.clone());
    let request = m.a_open_with(&[&s3_org, &s4_org]).await;
    m.w.request = request.clone();
    let files = app
        .get(
            &format!("/api/v1/requests/{request}/files"),
            m.token(BuyerA),
        )
        .await;
    m.w.file = files.assert_status(200)["items"][0]["id"]
        .as_str()
        .expect("the request's document")
        .to_owned();
    m.post_as(
        InvitedSupplier,
        &format!("/api/v1/requests/{request}/nda"),
        json!(null),
    )
    .await
    .assert_status(200);
    let matches = app
        .get(
            &format!("/api/v1/requests/{request}/matches"),
            m.token(Expert),
        )
        .await;
    m.w.match_id = matches.assert_status(200)["items"]
        .as_array()
        .expect("matches")
        .iter()
        .find(|found| found["supplier_id"] == m.w.s1_org.as_str())
        .expect("S1's match")["id"]
        .as_str()
        .expect("match")
        .to_owned();
    // Suspended once invited: its invitation is withdrawn, its users read.
    m.post_as(
        Expert,
        &format!("/api/v1/backoffice/profiles/{s4_org}/suspend"),
        json!({ "comment": "Audit de surveillance en cours" }),
    )
    .await
    .assert_status(200);
    m.w.question = m.s1_question().await;
    let mut offer = quote("18400", 40);
    offer["message"] = json!(m.w.secrets.s1_quote);
    m.post_as(
        InvitedSupplier,
        &format!("/api/v1/requests/{request}/quotes"),
        offer,
    )
    .await
    .assert_status(201);
    let qualified = m.a_submitted().await;
    m.post_as(
        Expert,
        &format!("/api/v1/requests/{qualified}/qualify"),
        json!({}),
    )
    .await
    .assert_status(200);
    m.w.qualified = qualified;
    let notifications = app.get("/api/v1/admin/notifications", m.token(Admin)).await;
    m.w.notification = notifications.assert_status(200)["items"][0]["id"]
        .as_str()
        .expect("a notification")
        .to_owned();
    m
}
