//! How each operation is called: the objects its path names, in the
//! state the call needs, and its body.

use reqwest::Method;
use serde_json::{Value, json};
use tests::directory::iso_13485;
use tests::server::{PASSWORD, registration, siret};
use tests::sourcing::{quote, requirements, titanium_request};

use super::world::{day, id_of, sha256};
use super::{Actor, Actor::*, Matrix, Seen};

/// One call: its path with parameters filled, query string, body and
/// `If-Match`.
#[derive(Default)]
pub(super) struct Call {
    pub(super) params: Vec<(&'static str, String)>,
    pub(super) query: Vec<(&'static str, String)>,
    pub(super) body: Option<Value>,
    pub(super) if_match: Option<String>,
    /// A document's bytes, sent raw with its name (an upload).
    pub(super) upload: Option<Vec<u8>>,
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

impl Matrix<'_> {
    /// How `op` is called: the objects its path names, in the state the
    /// call needs (fresh when the call changes them), and its body. A new
    /// operation with path parameters gets its arm here.
    pub(super) async fn prepare(&mut self, op: &str) -> Call {
        let w = &self.w;
        let request = || vec![("id", w.request.clone())];
        match op {
            "GET /api/v1/suppliers/{id}" => with(vec![("id", w.s1_org.clone())]),
            // Typeset first, so that every reader gets the PDF (200) rather
            // than the job typesetting it (202, which the booklet tests see).
            "GET /api/v1/publications/booklet" => {
                self.app.booklet("lang=en").await;
                Call {
                    query: vec![("lang", "en".to_owned())],
                    ..Call::default()
                }
            }
            "GET /api/v1/publications/booklet/editions/{key}" => {
                let booklet = self.app.booklet("lang=en").await;
                with(vec![("key", booklet.etag.trim_matches('"').to_owned())])
            }
            "GET /api/v1/taxonomy/suggestions" => Call {
                query: vec![("text", "usinage de vis en titane, ISO 13485".to_owned())],
                ..Call::default()
            },
            "GET /api/v1/backoffice/reports/activity" => Call {
                query: vec![("from", day(-30)), ("to", day(1))],
                ..Call::default()
            },
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
            "GET /api/v1/invitations/{token}" => {
                with(vec![("token", self.invitation_token().await)])
            }
            "POST /api/v1/auth/accept-invitation" => {
                let token = self.invitation_token().await;
                with(vec![]).body(
                    json!({ "token": token, "full_name": "Nouvelle Recrue", "password": PASSWORD }),
                )
            }
            "PATCH /api/v1/me/preferences" => with(vec![]).body(json!({ "language": "fr" })),
            "POST /api/v1/me/notifications/{id}/read" => {
                let mine = self
                    .app
                    .get("/api/v1/me/notifications", self.token(BuyerA))
                    .await;
                let id = mine.assert_status(200)["items"][0]["id"]
                    .as_str()
                    .expect("buyer A was told its request was qualified")
                    .to_owned();
                with(vec![("id", id)])
            }

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
                // A profile under review is not edited: send it back first.
                self.s1_out_of_review().await;
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
                self.s1_out_of_review().await;
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
                let etag = current.etag();
                let mut call = with(vec![("id", id)]).body(self.a_request());
                call.if_match = Some(etag);
                call
            }
            "PUT /api/v1/requests/{id}/requirements" => {
                let id = self.a_submitted().await;
                let current = self
                    .app
                    .get(&format!("/api/v1/requests/{id}"), self.token(Expert))
                    .await;
                let etag = current.etag();
                let mut call = with(vec![("id", id)]).body(requirements(
                    &["machining.micro_machining", "surface.electropolishing"],
                    json!([{ "code": "iso_13485", "mandatory": true }]),
                    &["medtech"],
                    Some("Bourgogne-Franche-Comté"),
                ));
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

            "POST /api/v1/files" => Call {
                upload: Some(tests::documents::pdf(3000)),
                ..Call::default()
            },
            "GET /api/v1/files/{id}" | "GET /api/v1/files/{id}/metadata" => {
                with(vec![("id", w.file.clone())])
            }
            "DELETE /api/v1/files/{id}" => with(vec![("id", self.a_file().await)]),
            "POST /api/v1/organisations/{id}/certifications/{cert_id}/files" => {
                let cert = self.s1_certificate().await;
                let file = self.s1_file().await;
                with(vec![("id", self.w.s1_org.clone()), ("cert_id", cert)])
                    .body(json!({ "file_id": file }))
            }
            "PUT /api/v1/organisations/{id}/profile/logo"
            | "PUT /api/v1/organisations/{id}/profile/brochure" => {
                let file = self.s1_file().await;
                with(vec![("id", self.w.s1_org.clone())]).body(json!({ "file_id": file }))
            }
            "POST /api/v1/requests/{id}/files" => {
                let id = self.a_draft().await;
                let file = self.a_file().await;
                with(vec![("id", id)]).body(json!({ "file_id": file }))
            }
            "GET /api/v1/requests/{id}/files"
            | "POST /api/v1/requests/{id}/nda"
            | "GET /api/v1/requests/{id}/nda" => with(request()),

            "POST /api/v1/backoffice/profiles/{id}/approve" => {
                let org = self.supplier_in("submitted").await;
                let version = self
                    .app
                    .profile_version(&org, self.token(Expert).unwrap_or_default())
                    .await;
                let mut call = with(vec![("id", org)]);
                call.if_match = Some(version);
                call
            }
            "POST /api/v1/backoffice/profiles/{id}/request-changes" => {
                let org = self.supplier_in("submitted").await;
                let version = self
                    .app
                    .profile_version(&org, self.token(Expert).unwrap_or_default())
                    .await;
                let mut call =
                    with(vec![("id", org)]).body(json!({ "comment": "Ajoutez vos équipements" }));
                call.if_match = Some(version);
                call
            }
            "POST /api/v1/backoffice/profiles/{id}/suspend" => {
                with(vec![("id", self.supplier_in("published").await)])
                    .body(json!({ "comment": "Audit en cours" }))
            }
            "POST /api/v1/backoffice/profiles/{id}/reinstate" => {
                with(vec![("id", self.supplier_in("suspended").await)])
            }
            "POST /api/v1/backoffice/certifications/{id}/verify" => {
                // A fresh certificate is at its first version.
                let mut call = with(vec![("id", self.s1_certificate().await)]);
                call.if_match = Some("\"1\"".to_owned());
                call
            }
            "POST /api/v1/backoffice/certifications/{id}/reject" => {
                let mut call = with(vec![("id", self.s1_certificate().await)])
                    .body(json!({ "comment": "Certificat illisible" }));
                call.if_match = Some("\"1\"".to_owned());
                call
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

            "POST /api/v1/webhooks" => with(vec![]).body(webhook_body()),
            "GET /api/v1/webhooks/{id}"
            | "DELETE /api/v1/webhooks/{id}"
            | "POST /api/v1/webhooks/{id}/pause"
            | "POST /api/v1/webhooks/{id}/resume"
            | "POST /api/v1/webhooks/{id}/rotate-secret"
            | "GET /api/v1/webhooks/{id}/deliveries" => with(vec![("id", self.a_webhook().await)]),
            "POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/replay" => {
                let hook = self.a_webhook().await;
                // A draft of A's is an event its endpoint receives.
                self.post_as(BuyerA, "/api/v1/requests", self.a_request())
                    .await
                    .assert_status(201);
                let log = self
                    .app
                    .get(
                        &format!("/api/v1/webhooks/{hook}/deliveries"),
                        self.token(BuyerA),
                    )
                    .await;
                let delivery = log.assert_status(200)["items"][0]["id"]
                    .as_str()
                    .expect("a delivery")
                    .to_owned();
                with(vec![("id", hook), ("delivery_id", delivery)])
            }
            _ => Call::default(),
        }
    }

    /// A fresh endpoint of buyer A's (its earlier ones deleted, so that the
    /// matrix stays under the per-organisation limit).
    async fn a_webhook(&self) -> String {
        let listed = self.app.get("/api/v1/webhooks", self.token(BuyerA)).await;
        for hook in listed.assert_status(200)["items"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let id = hook["id"].as_str().unwrap_or_default();
            let path = format!("/api/v1/webhooks/{id}");
            let delete = self.app.request(Method::DELETE, &path, self.token(BuyerA));
            self.app.send(delete).await.assert_status(204);
        }
        let created = self
            .post_as(BuyerA, "/api/v1/webhooks", webhook_body())
            .await;
        created.assert_status(201)["webhook"]["id"]
            .as_str()
            .expect("webhook id")
            .to_owned()
    }

    /// Paths whose outer object is the caller's own and whose inner object
    /// belongs to someone else: the inner one must be out of reach too, and
    /// left as it was.
    pub(super) async fn mixed_paths(&mut self) {
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
            matches.assert_status(200)["items"][0]["status"],
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
        let questions = questions.assert_status(200)["items"].clone();
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
}

/// `template` with each `{name}` replaced by its value from `params`.
pub(super) fn fill(operation: &str, template: &str, params: &[(&str, String)]) -> String {
    let mut path = template.to_owned();
    for (name, value) in params {
        path = path.replace(&format!("{{{name}}}"), value);
    }
    assert!(
        !path.contains('{'),
        "{operation}: no object for the path parameters of {path}; give them in `Matrix::prepare` \
         (tests/tests/api/permissions/calls.rs), with the body the operation needs"
    );
    path
}

/// An endpoint nobody listens on (deliveries fail and are retried: the
/// matrix reads their log, never a receiver).
fn webhook_body() -> Value {
    json!({ "url": "http://127.0.0.1:9/hook", "event_types": ["request.created"] })
}
