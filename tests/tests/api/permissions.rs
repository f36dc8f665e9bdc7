//! The permission matrix (issue 6): every operation of the served OpenAPI
//! document is called by seven actors on objects that belong to buyer A or
//! supplier S1, and each status must be the one `permissions.txt` gives. The
//! operations come from the spec, so a new endpoint cannot ship without its
//! row. Every response body is also scanned for what its reader must never
//! see: hashes, internal notes, a confidential buyer's identity, private
//! contacts, a competitor's quote, another buyer's request.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tests::directory::{iso_13485, micro_machining_profile};
use tests::server::{PASSWORD, Reply, registration, siret};
use tests::sourcing::{quote, titanium_request};
use tests::{TestApp, on_both_backends};

const TABLE: &str = include_str!("permissions.txt");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    Anonymous,
    BuyerA,
    BuyerB,
    InvitedSupplier,
    OtherSupplier,
    Expert,
    Admin,
}

use Actor::{Admin, Anonymous, BuyerA, BuyerB, Expert, InvitedSupplier, OtherSupplier};

/// In the table's column order.
const ACTORS: [Actor; 7] = [
    Anonymous,
    BuyerA,
    BuyerB,
    InvitedSupplier,
    OtherSupplier,
    Expert,
    Admin,
];

impl Actor {
    fn name(self) -> &'static str {
        match self {
            Anonymous => "anonymous",
            BuyerA => "buyer_a",
            BuyerB => "buyer_b",
            InvitedSupplier => "invited_supplier",
            OtherSupplier => "other_supplier",
            Expert => "expert",
            Admin => "admin",
        }
    }

    fn index(self) -> usize {
        ACTORS.iter().position(|a| *a == self).unwrap_or_default()
    }
}

/// Rows whose success shows buyer A's identity to S1 (an award, a reveal):
/// they run last, so that S1 never legitimately knows A before.
const REVEAL_THE_BUYER: [&str; 2] = [
    "POST /api/v1/requests/{id}/award",
    "POST /api/v1/requests/{id}/reveal-identity",
];

struct Row {
    operation: String,
    method: Method,
    path: String,
    expected: [u16; 7],
}

fn table() -> Vec<Row> {
    TABLE
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|(n, line)| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let malformed = || panic!("permissions.txt line {}: {line:?}", n + 1);
            let [method, path, statuses @ ..] = fields.as_slice() else {
                malformed()
            };
            let expected: Vec<u16> = statuses
                .iter()
                .map(|s| s.parse().unwrap_or_else(|_| malformed()))
                .collect();
            let expected: [u16; 7] = expected.try_into().unwrap_or_else(|_| malformed());
            Row {
                operation: format!("{method} {path}"),
                method: method.parse().unwrap_or_else(|_| malformed()),
                path: (*path).to_owned(),
                expected,
            }
        })
        .collect()
}

/// What the spec says of one operation.
struct SpecOperation {
    takes_body: bool,
    documented: BTreeSet<u16>,
}

/// Every operation of the spec, by `METHOD /path`.
fn spec_operations(spec: &Value) -> BTreeMap<String, SpecOperation> {
    let mut operations = BTreeMap::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if let Some(operation) = item.get(method) {
                let op = format!("{} {path}", method.to_uppercase());
                let documented = operation["responses"]
                    .as_object()
                    .map(|r| r.keys().filter_map(|s| s.parse().ok()).collect())
                    .unwrap_or_default();
                let takes_body = operation.get("requestBody").is_some();
                operations.insert(
                    op,
                    SpecOperation {
                        takes_body,
                        documented,
                    },
                );
            }
        }
    }
    operations
}

/// Unique strings whose presence in a response tells what its reader saw.
struct Secrets {
    internal_note: String,
    a_request_title: String,
    a_identity: Vec<String>,
    s1_private_contact: String,
    s1_quote: String,
    /// Password hash markers and the SHA-256 of every token handed out.
    hashes: Vec<String>,
}

/// The objects of the scenario and who is who.
struct World {
    tokens: [Option<String>; 7],
    a_org: String,
    s1_org: String,
    s1_cert: String,
    s2_org: String,
    /// A buyer organisation that exists to be logged into, invited into and
    /// reset: the probe of the public auth calls.
    z_token: String,
    z_org: String,
    z_email: String,
    /// A's confidential request, open: S1 invited through an approved match
    /// with an internal note, S1 asked a question and quoted.
    request: String,
    match_id: String,
    question: String,
    /// A's qualified request, without matches yet (candidates).
    qualified: String,
    notification: String,
    secrets: Secrets,
}

/// One call: its path with parameters filled, body and `If-Match`.
#[derive(Default)]
struct Call {
    params: Vec<(&'static str, String)>,
    body: Option<Value>,
    if_match: Option<String>,
}

fn with(params: Vec<(&'static str, String)>) -> Call {
    Call {
        params,
        ..Call::default()
    }
}

impl Call {
    fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
}

/// One response, kept for the leak scan.
struct Seen {
    actor: Actor,
    operation: String,
    body: String,
}

fn sha256(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::TimeDelta::days(offset))
        .format("%Y-%m-%d")
        .to_string()
}

fn id_of(reply: &Reply, status: u16) -> String {
    reply.assert_status(status)["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

struct Matrix<'a> {
    app: &'a TestApp,
    w: World,
    next: AtomicU32,
    seen: Vec<Seen>,
    failures: Vec<String>,
}

impl<'a> Matrix<'a> {
    fn token(&self, actor: Actor) -> Option<&str> {
        self.w.tokens[actor.index()].as_deref()
    }

    fn unique(&self) -> u32 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    fn a_request(&self) -> Value {
        let mut body = titanium_request();
        body["title"] = json!(self.w.secrets.a_request_title);
        body
    }

    async fn post_as(&self, actor: Actor, path: &str, body: Value) -> Reply {
        self.app.post(path, self.token(actor), body).await
    }

    // Requests of buyer A in each state.

    async fn a_draft(&self) -> String {
        id_of(
            &self
                .post_as(BuyerA, "/api/v1/requests", self.a_request())
                .await,
            201,
        )
    }

    async fn a_submitted(&self) -> String {
        let id = self.a_draft().await;
        let path = format!("/api/v1/requests/{id}/submit");
        self.post_as(BuyerA, &path, json!({}))
            .await
            .assert_status(200);
        id
    }

    async fn propose_s1(&self, id: &str) -> String {
        let path = format!("/api/v1/requests/{id}/matches");
        let body = json!({ "supplier_id": self.w.s1_org });
        id_of(&self.post_as(Expert, &path, body).await, 201)
    }

    async fn a_qualified(&self) -> String {
        let id = self.a_submitted().await;
        let match_id = self.propose_s1(&id).await;
        let approve = format!("/api/v1/requests/{id}/matches/{match_id}/approve");
        let note =
            json!({ "note": self.w.secrets.internal_note, "note_for_buyer": "Atelier audité" });
        self.post_as(Expert, &approve, note)
            .await
            .assert_status(200);
        let qualify = format!("/api/v1/requests/{id}/qualify");
        self.post_as(Expert, &qualify, json!({}))
            .await
            .assert_status(200);
        id
    }

    async fn a_open(&self) -> String {
        let id = self.a_qualified().await;
        let path = format!("/api/v1/requests/{id}/open");
        self.post_as(Expert, &path, json!({}))
            .await
            .assert_status(200);
        id
    }

    async fn a_closed_with_s1_quote(&self) -> String {
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

    async fn s1_question(&self) -> String {
        let path = format!("/api/v1/requests/{}/questions", self.w.request);
        let body = json!({ "question": "Le contrôle dimensionnel est-il à 100 % ?" });
        id_of(&self.post_as(InvitedSupplier, &path, body).await, 201)
    }

    // Suppliers, certificates, users.

    async fn s1_certificate(&self) -> String {
        let path = format!("/api/v1/organisations/{}/certifications", self.w.s1_org);
        let mut body = iso_13485(&day(-10), &day(400));
        body["scope"] = json!("Extension au décolletage");
        id_of(&self.post_as(InvitedSupplier, &path, body).await, 201)
    }

    /// A fresh supplier whose profile is `status`: submitted, published or
    /// suspended.
    async fn supplier_in(&self, status: &str) -> String {
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
        self.app
            .post(&format!("{profile}/submit"), Some(&token), json!(null))
            .await
            .assert_status(200);
        let review = |step: &str| format!("/api/v1/backoffice/profiles/{org}/{step}");
        if status != "submitted" {
            self.post_as(Expert, &review("approve"), json!({}))
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
    async fn fresh_user(&self) -> (String, String) {
        let n = self.unique();
        let email = format!("sonde{n}@matrix.example");
        let registered = self.app.register("buyer", &email, &siret(n)).await;
        (
            registered["user"]["id"].as_str().expect("user").to_owned(),
            email,
        )
    }

    /// The token of the latest emailed link `path?token=` sent to `to`.
    async fn emailed_token(&self, to: &str, path: &str) -> String {
        let outbox = self.app.outbox();
        for _ in 0..150 {
            let found = outbox
                .all()
                .into_iter()
                .filter(|e| e.to == to && e.text.contains(&format!("{path}?token=")))
                .next_back();
            if let Some(email) = found {
                return email.token_for(path);
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no email to {to} with a {path} link");
    }

    async fn z_refresh_token(&self) -> String {
        self.app.login(&self.w.z_email, PASSWORD).await["refresh_token"]
            .as_str()
            .expect("refresh token")
            .to_owned()
    }

    /// How `op` is called: the objects its path names, in the state the
    /// call needs (fresh when the call changes them), and its body. A new
    /// operation with path parameters gets its arm here.
    async fn prepare(&mut self, op: &str) -> Call {
        let w = &self.w;
        let request = || vec![("id", w.request.clone())];
        match op {
            "GET /api/v1/suppliers/{id}" => with(vec![("id", w.s1_org.clone())]),
            "POST /api/v1/auth/register" => {
                let n = self.unique();
                with(vec![]).body(registration(
                    "buyer",
                    &format!("inscrit{n}@matrix.example"),
                    &siret(n),
                ))
            }
            "POST /api/v1/auth/login" => {
                with(vec![]).body(json!({ "email": w.z_email, "password": PASSWORD }))
            }
            "POST /api/v1/auth/refresh" | "POST /api/v1/auth/logout" => {
                let token = self.z_refresh_token().await;
                with(vec![]).body(json!({ "refresh_token": token }))
            }
            "POST /api/v1/auth/verify-email" => {
                let (_, email) = self.fresh_user().await;
                let token = self.emailed_token(&email, "/verify-email").await;
                self.w.secrets.hashes.push(sha256(&token));
                with(vec![]).body(json!({ "token": token }))
            }
            "POST /api/v1/auth/password-reset" => with(vec![]).body(json!({ "email": w.z_email })),
            "POST /api/v1/auth/password-reset/confirm" => {
                let (_, email) = self.fresh_user().await;
                self.app
                    .post(
                        "/api/v1/auth/password-reset",
                        None,
                        json!({ "email": email }),
                    )
                    .await
                    .assert_status(202);
                let token = self.emailed_token(&email, "/reset-password").await;
                self.w.secrets.hashes.push(sha256(&token));
                with(vec![])
                    .body(json!({ "token": token, "new_password": "nouveau-mot-de-passe-2026" }))
            }
            "POST /api/v1/auth/accept-invitation" => {
                let email = format!("invite{}@matrix.example", self.unique());
                let invite = format!("/api/v1/organisations/{}/invitations", w.z_org);
                self.app
                    .post(&invite, Some(&w.z_token), json!({ "email": email }))
                    .await
                    .assert_status(201);
                let token = self.emailed_token(&email, "/accept-invitation").await;
                self.w.secrets.hashes.push(sha256(&token));
                with(vec![]).body(
                    json!({ "token": token, "full_name": "Nouvelle Recrue", "password": PASSWORD }),
                )
            }
            "PATCH /api/v1/me/preferences" => with(vec![]).body(json!({ "language": "fr" })),

            "GET /api/v1/organisations/{id}" | "GET /api/v1/organisations/{id}/users" => {
                with(vec![("id", w.a_org.clone())])
            }
            "POST /api/v1/organisations/{id}/invitations" => {
                let email = format!("collegue{}@matrix.example", self.unique());
                with(vec![("id", w.a_org.clone())]).body(json!({ "email": email }))
            }

            "GET /api/v1/organisations/{id}/profile"
            | "GET /api/v1/organisations/{id}/profile/history" => {
                with(vec![("id", w.s1_org.clone())])
            }
            "PUT /api/v1/organisations/{id}/profile" => {
                let current = self
                    .app
                    .get(
                        &format!("/api/v1/organisations/{}/profile", w.s1_org),
                        self.token(Expert),
                    )
                    .await;
                let version = current.assert_status(200)["version"].to_string();
                let mut call = with(vec![("id", w.s1_org.clone())]).body(self.s1_profile());
                call.if_match = Some(format!("\"{version}\""));
                call
            }
            "POST /api/v1/organisations/{id}/profile/submit" => {
                // S1 stays published (and invited) while its edits go through
                // review: send its working copy back to changes requested.
                let profile = format!("/api/v1/organisations/{}/profile", w.s1_org);
                let current = self
                    .app
                    .get(&profile, self.token(Expert))
                    .await
                    .assert_status(200)
                    .clone();
                if current["status"] == "published" {
                    let edit = self
                        .app
                        .request(Method::PUT, &profile, self.token(InvitedSupplier))
                        .header("if-match", format!("\"{}\"", current["version"]))
                        .json(&self.s1_profile());
                    self.app.send(edit).await.assert_status(200);
                }
                let current = self
                    .app
                    .get(&profile, self.token(Expert))
                    .await
                    .assert_status(200)
                    .clone();
                if current["status"] == "submitted" {
                    let changes =
                        format!("/api/v1/backoffice/profiles/{}/request-changes", w.s1_org);
                    self.post_as(
                        Expert,
                        &changes,
                        json!({ "comment": "Précisez les tolérances" }),
                    )
                    .await
                    .assert_status(200);
                }
                with(vec![("id", w.s1_org.clone())])
            }
            "POST /api/v1/organisations/{id}/certifications" => {
                with(vec![("id", w.s1_org.clone())]).body(iso_13485(&day(-5), &day(300)))
            }
            "PUT /api/v1/organisations/{id}/certifications/{cert_id}" => {
                let cert = self.s1_certificate().await;
                with(vec![("id", self.w.s1_org.clone()), ("cert_id", cert)])
                    .body(iso_13485(&day(-5), &day(500)))
            }
            "DELETE /api/v1/organisations/{id}/certifications/{cert_id}" => {
                let cert = self.s1_certificate().await;
                with(vec![("id", self.w.s1_org.clone()), ("cert_id", cert)])
            }

            // Buyer B's own request would carry no secret: a plain body.
            "POST /api/v1/requests" => with(vec![]).body(titanium_request()),
            "GET /api/v1/requests/{id}"
            | "GET /api/v1/requests/{id}/history"
            | "GET /api/v1/requests/{id}/matches"
            | "GET /api/v1/requests/{id}/questions"
            | "GET /api/v1/requests/{id}/my-answer"
            | "GET /api/v1/requests/{id}/answers"
            | "GET /api/v1/requests/{id}/connections" => with(request()),
            "GET /api/v1/requests/{id}/candidates" => with(vec![("id", w.qualified.clone())]),
            "GET /api/v1/requests/{id}/answers/{supplier_id}/quotes" => with(vec![
                ("id", w.request.clone()),
                ("supplier_id", w.s1_org.clone()),
            ]),
            "PUT /api/v1/requests/{id}/answers/{supplier_id}/shortlist" => with(vec![
                ("id", w.request.clone()),
                ("supplier_id", w.s1_org.clone()),
            ])
            .body(json!({ "shortlisted": true })),
            "PUT /api/v1/requests/{id}" => {
                let id = self.a_draft().await;
                let current = self
                    .app
                    .get(&format!("/api/v1/requests/{id}"), self.token(BuyerA))
                    .await;
                let etag = current
                    .headers
                    .get("etag")
                    .and_then(|v| v.to_str().ok())
                    .expect("etag")
                    .to_owned();
                let mut call = with(vec![("id", id)]).body(self.a_request());
                call.if_match = Some(etag);
                call
            }
            "POST /api/v1/requests/{id}/submit" | "POST /api/v1/requests/{id}/cancel" => {
                with(vec![("id", self.a_draft().await)])
            }
            "POST /api/v1/requests/{id}/qualify" => with(vec![("id", self.a_submitted().await)]),
            "POST /api/v1/requests/{id}/request-changes" | "POST /api/v1/requests/{id}/reject" => {
                with(vec![("id", self.a_submitted().await)])
                    .body(json!({ "comment": "Précisez la matière" }))
            }
            "POST /api/v1/requests/{id}/matches" => with(vec![("id", self.a_submitted().await)])
                .body(json!({ "supplier_id": w.s1_org })),
            "POST /api/v1/requests/{id}/matches/{match_id}/approve"
            | "POST /api/v1/requests/{id}/matches/{match_id}/discard" => {
                let id = self.a_submitted().await;
                let match_id = self.propose_s1(&id).await;
                with(vec![("id", id), ("match_id", match_id)]).body(json!({ "note": "Vu" }))
            }
            "POST /api/v1/requests/{id}/open" => with(vec![("id", self.a_qualified().await)]),
            "POST /api/v1/requests/{id}/close" | "POST /api/v1/requests/{id}/reveal-identity" => {
                with(vec![("id", self.a_open().await)])
            }
            "POST /api/v1/requests/{id}/decline" => with(vec![("id", self.a_open().await)])
                .body(json!({ "reason": "Capacité insuffisante" })),
            "POST /api/v1/requests/{id}/award" => {
                let id = self.a_closed_with_s1_quote().await;
                with(vec![("id", id)]).body(json!({ "supplier_ids": [self.w.s1_org] }))
            }
            "POST /api/v1/requests/{id}/questions" => with(request())
                .body(json!({ "question": "Quelle est la quantité du premier lot ?" })),
            "POST /api/v1/requests/{id}/questions/{question_id}/answer" => {
                let question = self.s1_question().await;
                with(vec![
                    ("id", self.w.request.clone()),
                    ("question_id", question),
                ])
                .body(json!({ "answer": "500 pièces" }))
            }
            "POST /api/v1/requests/{id}/quotes" => with(request()).body(quote("17000", 35)),

            "POST /api/v1/backoffice/profiles/{id}/approve" => {
                with(vec![("id", self.supplier_in("submitted").await)])
            }
            "POST /api/v1/backoffice/profiles/{id}/request-changes" => {
                with(vec![("id", self.supplier_in("submitted").await)])
                    .body(json!({ "comment": "Ajoutez vos équipements" }))
            }
            "POST /api/v1/backoffice/profiles/{id}/suspend" => {
                with(vec![("id", self.supplier_in("published").await)])
                    .body(json!({ "comment": "Audit en cours" }))
            }
            "POST /api/v1/backoffice/profiles/{id}/reinstate" => {
                with(vec![("id", self.supplier_in("suspended").await)])
            }
            "POST /api/v1/backoffice/certifications/{id}/verify" => {
                with(vec![("id", self.s1_certificate().await)])
            }
            "POST /api/v1/backoffice/certifications/{id}/reject" => {
                with(vec![("id", self.s1_certificate().await)])
                    .body(json!({ "comment": "Certificat illisible" }))
            }

            "POST /api/v1/admin/users/{id}/deactivate" => {
                with(vec![("id", self.fresh_user().await.0)])
            }
            "POST /api/v1/admin/users/{id}/reactivate" => {
                let (user, _) = self.fresh_user().await;
                self.post_as(
                    Admin,
                    &format!("/api/v1/admin/users/{user}/deactivate"),
                    json!(null),
                )
                .await
                .assert_status(200);
                with(vec![("id", user)])
            }
            "PUT /api/v1/admin/organisations/{id}/membership" => {
                with(vec![("id", w.a_org.clone())]).body(json!({ "membership": "member" }))
            }
            "POST /api/v1/admin/taxonomy" => {
                let slug = format!("sonde_{}", self.unique());
                with(vec![]).body(json!({ "slug": slug, "label_fr": "Sonde", "label_en": "Probe", "parent": "machining" }))
            }
            "POST /api/v1/admin/notifications/{id}/retry" => {
                with(vec![("id", w.notification.clone())])
            }
            _ => Call::default(),
        }
    }

    fn s1_profile(&self) -> Value {
        s1_profile(&self.w.secrets.s1_private_contact)
    }

    async fn run_row(&mut self, row: &Row, takes_body: bool) {
        // Refusals first, on one set of objects; then every allowed actor on
        // objects of its own, so no success changes what another cell sees.
        let mut order: Vec<Actor> = ACTORS.to_vec();
        order.sort_by_key(|a| (200..300).contains(&row.expected[a.index()]));
        let mut call = self.prepare(&row.operation).await;
        let mut used = false;
        for actor in order {
            let expected = row.expected[actor.index()];
            if (200..300).contains(&expected) {
                if used {
                    call = self.prepare(&row.operation).await;
                }
                used = true;
            }
            let path = fill(&row.operation, &row.path, &call.params);
            let mut builder = self
                .app
                .request(row.method.clone(), &path, self.token(actor));
            if let Some(version) = &call.if_match {
                builder = builder.header("if-match", version);
            }
            match (&call.body, takes_body) {
                (Some(body), _) => builder = builder.json(body),
                (None, true) => builder = builder.json(&json!({})),
                (None, false) => {}
            }
            let reply = self.app.send(builder).await;
            let status = reply.status.as_u16();
            if status != expected {
                self.failures.push(format!(
                    "{} as {}: expected {expected}, got {status}: {}",
                    row.operation,
                    actor.name(),
                    reply.body
                ));
            } else if status >= 400
                && (reply.content_type() != "application/problem+json"
                    || reply.body["status"] != status)
            {
                self.failures.push(format!(
                    "{} as {}: {status} is not a problem document: {}",
                    row.operation,
                    actor.name(),
                    reply.body
                ));
            }
            self.seen.push(Seen {
                actor,
                operation: row.operation.clone(),
                body: reply.body.to_string(),
            });
        }
    }

    /// Paths whose outer object is the caller's own and whose inner object
    /// belongs to someone else: the inner one must be out of reach too, and
    /// left as it was.
    async fn mixed_paths(&mut self) {
        let w = &self.w;
        let b_request = id_of(
            &self
                .post_as(BuyerB, "/api/v1/requests", titanium_request())
                .await,
            201,
        );
        let s2_cert = format!(
            "/api/v1/organisations/{}/certifications/{}",
            w.s2_org, w.s1_cert
        );
        let cases: [(Actor, Method, String, Value); 8] = [
            (
                OtherSupplier,
                Method::PUT,
                s2_cert.clone(),
                iso_13485(&day(-1), &day(30)),
            ),
            (OtherSupplier, Method::DELETE, s2_cert, Value::Null),
            (
                BuyerB,
                Method::POST,
                format!(
                    "/api/v1/requests/{b_request}/questions/{}/answer",
                    w.question
                ),
                json!({ "answer": "x" }),
            ),
            (
                BuyerB,
                Method::GET,
                format!("/api/v1/requests/{b_request}/answers/{}/quotes", w.s1_org),
                Value::Null,
            ),
            (
                Expert,
                Method::GET,
                format!(
                    "/api/v1/requests/{}/answers/{}/quotes",
                    w.qualified, w.s1_org
                ),
                Value::Null,
            ),
            (
                Expert,
                Method::POST,
                format!(
                    "/api/v1/requests/{}/matches/{}/approve",
                    w.qualified, w.match_id
                ),
                json!({}),
            ),
            (
                Expert,
                Method::POST,
                format!(
                    "/api/v1/requests/{}/matches/{}/discard",
                    w.qualified, w.match_id
                ),
                json!({}),
            ),
            (
                BuyerB,
                Method::POST,
                format!("/api/v1/requests/{b_request}/reveal-identity"),
                Value::Null,
            ),
        ];
        for (actor, method, path, body) in cases {
            let mut builder = self.app.request(method.clone(), &path, self.token(actor));
            if !body.is_null() {
                builder = builder.json(&body);
            }
            let reply = self.app.send(builder).await;
            let operation = format!("{method} {path} (mixed owners)");
            // The last case is a control: B's own request is within B's reach.
            let expected = if path.ends_with("reveal-identity") {
                200
            } else {
                404
            };
            if reply.status.as_u16() != expected {
                self.failures.push(format!(
                    "{operation} as {}: expected {expected}, got {}: {}",
                    actor.name(),
                    reply.status,
                    reply.body
                ));
            }
            self.seen.push(Seen {
                actor,
                operation,
                body: reply.body.to_string(),
            });
        }
        let profile = self
            .app
            .get(
                &format!("/api/v1/organisations/{}/profile", self.w.s1_org),
                self.token(InvitedSupplier),
            )
            .await;
        assert!(
            profile
                .assert_status(200)
                .to_string()
                .contains(&self.w.s1_cert),
            "S1's certificate survives S2's attempts"
        );
        let matches = self
            .app
            .get(
                &format!("/api/v1/requests/{}/matches", self.w.request),
                self.token(Expert),
            )
            .await;
        assert_eq!(
            matches.assert_status(200)[0]["status"],
            "approved",
            "the match of another request is untouched"
        );
        let questions = self
            .app
            .get(
                &format!("/api/v1/requests/{}/questions", self.w.request),
                self.token(BuyerA),
            )
            .await;
        let questions = questions.assert_status(200).clone();
        let asked = questions
            .as_array()
            .expect("questions")
            .iter()
            .find(|q| q["id"] == self.w.question.as_str())
            .expect("question");
        assert_eq!(
            asked["answer"],
            Value::Null,
            "B cannot answer A's question through its own request"
        );
    }

    /// What must never reach whom, checked on every response of the run.
    fn leaks(&self) -> Vec<String> {
        let s = &self.w.secrets;
        let rules: [(&str, Vec<String>, &[Actor]); 6] = [
            ("a password or token hash", s.hashes.clone(), &[]),
            (
                "an expert's internal note",
                vec![s.internal_note.clone()],
                &[Expert, Admin],
            ),
            // Confidential and never awarded or revealed before the last rows.
            (
                "buyer A's identity",
                s.a_identity.clone(),
                &[BuyerA, Expert, Admin],
            ),
            (
                "buyer A's request",
                vec![s.a_request_title.clone()],
                &[BuyerA, InvitedSupplier, Expert, Admin],
            ),
            (
                "S1's private contacts (before any award to S1)",
                vec![s.s1_private_contact.clone()],
                &[InvitedSupplier, Expert, Admin],
            ),
            (
                "S1's quote",
                vec![s.s1_quote.clone()],
                &[BuyerA, InvitedSupplier, Expert, Admin],
            ),
        ];
        let mut leaks = Vec::new();
        for (what, needles, readers) in &rules {
            for needle in needles {
                let mut shown = false;
                for seen in self
                    .seen
                    .iter()
                    .filter(|seen| seen.body.contains(needle.as_str()))
                {
                    if readers.contains(&seen.actor) {
                        shown = true;
                    } else {
                        leaks.push(format!(
                            "{} as {} shows {what} ({needle}): {}",
                            seen.operation,
                            seen.actor.name(),
                            seen.body
                        ));
                    }
                }
                // A secret nobody ever reads would make its rule prove nothing.
                if !shown && !readers.is_empty() {
                    leaks.push(format!("{what} ({needle}) never reached even its readers: the scan for it proves nothing"));
                }
            }
        }
        leaks
    }
}

/// `template` with each `{name}` replaced by its value from `params`.
fn fill(operation: &str, template: &str, params: &[(&str, String)]) -> String {
    let mut path = template.to_owned();
    for (name, value) in params {
        path = path.replace(&format!("{{{name}}}"), value);
    }
    assert!(
        !path.contains('{'),
        "{operation}: no object for the path parameters of {path}; give them in `Matrix::prepare` \
         (tests/tests/api/permissions.rs), with the body the operation needs"
    );
    path
}

fn s1_profile(private_contact: &str) -> Value {
    let mut profile = micro_machining_profile();
    profile["private_contacts"] =
        json!([{ "name": "Direction S1", "role": "Directeur", "email": private_contact }]);
    profile
}

/// Registers with `body` and logs in: (access token, org id, user id).
async fn registered(app: &TestApp, body: Value) -> (String, String, String) {
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
    let (token, org, _) = registered(app, registration("supplier", email, &siret(n))).await;
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
    app.post(&format!("{base}/profile/submit"), Some(&token), json!(null))
        .await
        .assert_status(200);
    app.post(
        &format!("/api/v1/backoffice/profiles/{org}/approve"),
        Some(expert),
        json!({}),
    )
    .await
    .assert_status(200);
    (token, org, certificate)
}

/// The actors, and buyer A's requests that the rows read.
async fn world(app: &TestApp) -> Matrix<'_> {
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
        ],
        a_org,
        s1_org,
        s1_cert,
        s2_org,
        z_token,
        z_org,
        z_email: z_email.to_owned(),
        request: String::new(),
        match_id: String::new(),
        question: String::new(),
        qualified: String::new(),
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
    let request = m.a_open().await;
    m.w.request = request.clone();
    let matches = app
        .get(
            &format!("/api/v1/requests/{request}/matches"),
            m.token(Expert),
        )
        .await;
    m.w.match_id = matches.assert_status(200)[0]["id"]
        .as_str()
        .expect("match")
        .to_owned();
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
    m.w.notification = notifications.assert_status(200)[0]["id"]
        .as_str()
        .expect("a notification")
        .to_owned();
    m
}

on_both_backends! {
    async fn every_operation_answers_each_actor_as_the_permission_table_says_and_leaks_nothing(app: &TestApp) {
        let spec = app.get("/openapi.json", None).await;
        let operations = spec_operations(spec.assert_status(200));
        let rows = table();
        let listed: BTreeSet<&str> = rows.iter().map(|r| r.operation.as_str()).collect();
        assert_eq!(listed.len(), rows.len(), "an operation has two rows in permissions.txt");
        let missing: Vec<&String> = operations.keys().filter(|op| !listed.contains(op.as_str())).collect();
        let unknown: Vec<&&str> = listed.iter().filter(|op| !operations.contains_key(**op)).collect();
        assert!(
            missing.is_empty() && unknown.is_empty(),
            "tests/tests/api/permissions.txt is out of date.\n  operations of the spec without a row: {missing:#?}\n  rows naming no operation of the spec: {unknown:#?}"
        );
        // A client reading the spec must be able to expect every answer.
        let undocumented: Vec<String> = rows
            .iter()
            .flat_map(|row| ACTORS.iter().map(move |a| (row, *a, row.expected[a.index()])))
            .filter(|(row, _, status)| !operations[&row.operation].documented.contains(status))
            .map(|(row, actor, status)| format!("{} as {}: {status}", row.operation, actor.name()))
            .collect();
        assert!(undocumented.is_empty(), "statuses of permissions.txt that the spec does not document: {undocumented:#?}");

        let mut matrix = world(app).await;
        let (last, first): (Vec<&Row>, Vec<&Row>) = rows.iter().partition(|r| REVEAL_THE_BUYER.contains(&r.operation.as_str()));
        for row in first.into_iter().chain(last) {
            matrix.run_row(row, operations[&row.operation].takes_body).await;
        }
        assert_eq!(matrix.seen.len(), 7 * rows.len(), "every cell was called");
        matrix.mixed_paths().await;
        let failures = matrix.failures.join("\n");
        assert!(failures.is_empty(), "cells differing from permissions.txt:\n{failures}");
        let leaks = matrix.leaks().join("\n");
        assert!(leaks.is_empty(), "responses showing what their reader must not see:\n{leaks}");
    }
}
