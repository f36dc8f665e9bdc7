//! `allowed_actions` (issue 15 item 5): on every view that carries it, the
//! list is exactly what the server accepts from that caller now. Objects
//! are walked through their lifecycle and read by each actor; every action
//! of the view's enum (read from the served spec, so a new action cannot be
//! left out) is then performed through one table from action name to HTTP
//! call: the ones not listed must be refused (4xx) and change nothing, each
//! listed one must succeed on a fresh object in the same state.

use reqwest::Method;
use serde_json::{Value, json};
use tests::TestApp;
use tests::directory::{iso_13485, micro_machining_profile};
use tests::on_both_backends;
use tests::server::{PASSWORD, Reply, siret};
use tests::sourcing::{quote, requirements, titanium_request};

on_both_backends!(
    request_match_and_invitation_actions_are_what_the_server_accepts,
    profile_and_certificate_actions_are_what_the_server_accepts,
);

/// The values of the spec's enum `schema`.
async fn actions_of(app: &TestApp, schema: &str) -> Vec<String> {
    let spec = app.get("/openapi.json", None).await;
    let values = spec.assert_status(200)["components"]["schemas"][schema]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("the spec has no enum {schema}"))
        .iter()
        .map(|v| v.as_str().expect("a string").to_owned())
        .collect::<Vec<_>>();
    assert!(!values.is_empty(), "{schema} lists no action");
    values
}

fn strings(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|a| {
            a.iter()
                .map(|v| v.as_str().expect("an action").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The check itself, for one object as one caller reads it. `listed` is
/// what the caller's view says (nothing when the caller cannot read it);
/// `perform` is the table from action name to HTTP call; `fresh` builds
/// another object in the same state, since a listed action changes it.
async fn check<T>(
    what: &str,
    all: &[String],
    listed: &[String],
    target: &T,
    perform: impl AsyncFn(&str, &T) -> Reply,
    fresh: impl AsyncFn() -> T,
    unchanged: impl AsyncFn(&T) -> Value,
) {
    for action in listed {
        assert!(all.contains(action), "{what}: {action} is not in the enum");
    }
    let before = unchanged(target).await;
    for action in all.iter().filter(|a| !listed.contains(a)) {
        let reply = perform(action, target).await;
        assert!(
            reply.status.is_client_error(),
            "{what}: {action} is not listed but answered {}: {}",
            reply.status,
            reply.body
        );
    }
    assert_eq!(
        unchanged(target).await,
        before,
        "{what}: a refused action changed the object"
    );
    for action in listed {
        let other = fresh().await;
        let reply = perform(action, &other).await;
        assert!(
            reply.status.is_success(),
            "{what}: {action} is listed but answered {}: {}",
            reply.status,
            reply.body
        );
    }
}

async fn put_if_match(
    app: &TestApp,
    path: &str,
    token: &str,
    version: &Value,
    body: Value,
) -> Reply {
    app.send(
        app.request(Method::PUT, path, Some(token))
            .header("if-match", format!("\"{version}\""))
            .json(&body),
    )
    .await
}

// Requests, their matches and invitations.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Draft,
    Submitted,
    ChangesRequested,
    Rejected,
    Qualified,
    Open,
    Closed,
    Awarded,
    Cancelled,
}

const STATES: [State; 9] = [
    State::Draft,
    State::Submitted,
    State::ChangesRequested,
    State::Rejected,
    State::Qualified,
    State::Open,
    State::Closed,
    State::Awarded,
    State::Cancelled,
];

struct Cast {
    buyer: String,
    other_buyer: String,
    invited: String,
    invited_org: String,
    uninvited: String,
    expert: String,
    admin: String,
}

impl Cast {
    fn actors(&self) -> [(&'static str, &str); 6] {
        [
            ("buyer", &self.buyer),
            ("other buyer", &self.other_buyer),
            ("invited supplier", &self.invited),
            ("uninvited supplier", &self.uninvited),
            ("expert", &self.expert),
            ("admin", &self.admin),
        ]
    }
}

/// A request of the cast's buyer and the match of its invited supplier.
struct Built {
    id: String,
    match_id: Option<String>,
}

async fn step(app: &TestApp, token: &str, id: &str, action: &str, body: Value) {
    app.post(
        &format!("/api/v1/requests/{id}/{action}"),
        Some(token),
        body,
    )
    .await
    .assert_status(200);
}

/// A request of `buyer`, drafted with `body` and walked to `state`: from
/// submission on, the invited supplier is a match (approved from
/// qualification on) and quotes before the close.
async fn request_in(app: &TestApp, cast: &Cast, buyer: &str, body: Value, state: State) -> Built {
    let reply = app.post("/api/v1/requests", Some(buyer), body).await;
    let id = reply.assert_status(201)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    if state == State::Draft {
        return Built { id, match_id: None };
    }
    step(app, buyer, &id, "submit", json!({})).await;
    let proposed = app
        .post(
            &format!("/api/v1/requests/{id}/matches"),
            Some(&cast.expert),
            json!({ "supplier_id": cast.invited_org }),
        )
        .await;
    let match_id = proposed.assert_status(201)["id"]
        .as_str()
        .expect("match")
        .to_owned();
    let built = Built {
        id: id.clone(),
        match_id: Some(match_id.clone()),
    };
    let comment = json!({ "comment": "Précisez les tolérances" });
    match state {
        State::Submitted => return built,
        State::ChangesRequested => {
            step(app, &cast.expert, &id, "request-changes", comment).await;
            return built;
        }
        State::Rejected => {
            step(app, &cast.expert, &id, "reject", comment).await;
            return built;
        }
        State::Cancelled => {
            step(app, buyer, &id, "cancel", json!({})).await;
            return built;
        }
        _ => {}
    }
    app.post(
        &format!("/api/v1/requests/{id}/matches/{match_id}/approve"),
        Some(&cast.expert),
        json!({}),
    )
    .await
    .assert_status(200);
    step(app, &cast.expert, &id, "qualify", json!({})).await;
    if state == State::Qualified {
        return built;
    }
    step(app, &cast.expert, &id, "open", json!({})).await;
    if state == State::Open {
        return built;
    }
    app.post(
        &format!("/api/v1/requests/{id}/quotes"),
        Some(&cast.invited),
        quote("14500.00", 30),
    )
    .await
    .assert_status(201);
    step(app, buyer, &id, "close", json!({})).await;
    if state == State::Closed {
        return built;
    }
    let winners = json!({ "supplier_ids": [cast.invited_org] });
    step(app, buyer, &id, "award", winners).await;
    built
}

/// The request as its buyer reads it (its version, status and history
/// length say whether anything changed).
async fn owner_view(app: &TestApp, buyer: &str, id: &str) -> Value {
    let reply = app
        .get(&format!("/api/v1/requests/{id}"), Some(buyer))
        .await;
    let view = reply.assert_status(200);
    json!({ "version": view["version"], "status": view["status"] })
}

/// The table: each request action as its HTTP call.
async fn perform_on_request(
    app: &TestApp,
    owner: &str,
    token: &str,
    action: &str,
    id: &str,
) -> Reply {
    let path = format!("/api/v1/requests/{id}");
    let version = owner_view(app, owner, id).await["version"].clone();
    let comment = json!({ "comment": "Motif détaillé" });
    match action {
        "edit" => put_if_match(app, &path, token, &version, titanium_request()).await,
        "recode" => {
            let body = requirements(
                &["machining.micro_machining"],
                json!([{ "code": "iso_13485", "mandatory": true }]),
                &["medtech"],
                Some("Bourgogne-Franche-Comté"),
            );
            put_if_match(app, &format!("{path}/requirements"), token, &version, body).await
        }
        "submit" | "qualify" | "open" | "close" | "cancel" => {
            app.post(&format!("{path}/{action}"), Some(token), json!({}))
                .await
        }
        "request_changes" => {
            app.post(&format!("{path}/request-changes"), Some(token), comment)
                .await
        }
        "reject" => {
            app.post(&format!("{path}/reject"), Some(token), comment)
                .await
        }
        "award" => {
            let invited = app.get(&format!("{path}/answers"), Some(owner)).await;
            let supplier = invited.assert_status(200)["items"][0]["supplier_id"].clone();
            let body = json!({ "supplier_ids": [supplier] });
            app.post(&format!("{path}/award"), Some(token), body).await
        }
        "reveal_identity" => {
            app.post(&format!("{path}/reveal-identity"), Some(token), json!({}))
                .await
        }
        other => panic!("no HTTP call for the request action {other}: add it to this table"),
    }
}

/// The table: each match action as its HTTP call.
async fn perform_on_match(app: &TestApp, token: &str, action: &str, built: &Built) -> Reply {
    let (id, m) = (&built.id, built.match_id.as_deref().expect("a match"));
    match action {
        "approve" | "discard" => {
            let body = json!({ "note": "Décision de l'expert" });
            app.post(
                &format!("/api/v1/requests/{id}/matches/{m}/{action}"),
                Some(token),
                body,
            )
            .await
        }
        other => panic!("no HTTP call for the match action {other}: add it to this table"),
    }
}

/// The table: each invitation action as its HTTP call, on the invited
/// supplier's invitation.
async fn perform_on_invitation(
    app: &TestApp,
    supplier: &str,
    token: &str,
    action: &str,
    id: &str,
) -> Reply {
    let path = format!("/api/v1/requests/{id}");
    match action {
        "quote" => {
            app.post(
                &format!("{path}/quotes"),
                Some(token),
                quote("13900.00", 21),
            )
            .await
        }
        "decline" => {
            let body = json!({ "reason": "Carnet de commandes plein" });
            app.post(&format!("{path}/decline"), Some(token), body)
                .await
        }
        "ask" => {
            let body = json!({ "question": "Quelle tolérance sur le diamètre ?" });
            app.post(&format!("{path}/questions"), Some(token), body)
                .await
        }
        "shortlist" => {
            let body = json!({ "shortlisted": true });
            app.put(
                &format!("{path}/answers/{supplier}/shortlist"),
                Some(token),
                body,
            )
            .await
        }
        other => panic!("no HTTP call for the invitation action {other}: add it to this table"),
    }
}

/// What `token` is told it may do to the request, its supplier's match and
/// its supplier's invitation (nothing where it cannot read the view).
async fn listed(app: &TestApp, token: &str, built: &Built, supplier: &str) -> [Vec<String>; 3] {
    let id = &built.id;
    let view = app
        .get(&format!("/api/v1/requests/{id}"), Some(token))
        .await;
    let readable = view.status.is_success();
    let request = if readable {
        strings(&view.body["allowed_actions"])
    } else {
        Vec::new()
    };
    let matches = app
        .get(&format!("/api/v1/requests/{id}/matches"), Some(token))
        .await;
    let on_match = match (&built.match_id, matches.status.is_success()) {
        (Some(m), true) => matches.body["items"]
            .as_array()
            .expect("matches")
            .iter()
            .find(|v| v["id"] == m.as_str())
            .map(|v| strings(&v["allowed_actions"]))
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    // The supplier reads its own invitation on the request; the buyer and
    // the experts read it as a row of the answers.
    let mut on_invitation = if readable {
        strings(&view.body["my_invitation"]["allowed_actions"])
    } else {
        Vec::new()
    };
    let answers = app
        .get(&format!("/api/v1/requests/{id}/answers"), Some(token))
        .await;
    if answers.status.is_success()
        && let Some(row) = answers.body["items"]
            .as_array()
            .expect("answers")
            .iter()
            .find(|row| row["supplier_id"] == supplier)
    {
        on_invitation.extend(strings(&row["allowed_actions"]));
    }
    [request, on_match, on_invitation]
}

async fn request_match_and_invitation_actions_are_what_the_server_accepts(app: &TestApp) {
    let world = app.sourcing_world().await;
    let (other_buyer, _) = app
        .signed_up("buyer", "achats@autre-acheteur.example", &siret(300))
        .await;
    let admin = app.back_office("admin", "admin@pmt.example").await;
    let cast = Cast {
        buyer: world.buyer.clone(),
        other_buyer,
        invited: world.certified[0].token.clone(),
        invited_org: world.certified[0].org.clone(),
        uninvited: world.certified[1].token.clone(),
        expert: world.expert.clone(),
        admin,
    };
    let request_actions = actions_of(app, "RequestAction").await;
    let match_actions = actions_of(app, "MatchAction").await;
    let invitation_actions = actions_of(app, "InvitationAction").await;
    let mut seen = [Vec::new(), Vec::new(), Vec::new()];
    for state in STATES {
        let built = request_in(app, &cast, &cast.buyer, titanium_request(), state).await;
        for (who, token) in cast.actors() {
            let [on_request, on_match, on_invitation] =
                listed(app, token, &built, &cast.invited_org).await;
            let fresh =
                async || request_in(app, &cast, &cast.buyer, titanium_request(), state).await;
            let unchanged = async |b: &Built| owner_view(app, &cast.buyer, &b.id).await;
            check(
                &format!("request {state:?} as the {who}"),
                &request_actions,
                &on_request,
                &built,
                async |action, b: &Built| {
                    perform_on_request(app, &cast.buyer, token, action, &b.id).await
                },
                fresh,
                unchanged,
            )
            .await;
            if built.match_id.is_some() {
                check(
                    &format!("match on a request {state:?} as the {who}"),
                    &match_actions,
                    &on_match,
                    &built,
                    async |action, b: &Built| perform_on_match(app, token, action, b).await,
                    fresh,
                    async |b: &Built| {
                        let m = app
                            .get(
                                &format!("/api/v1/requests/{}/matches", b.id),
                                Some(&cast.expert),
                            )
                            .await;
                        m.assert_status(200).clone()
                    },
                )
                .await;
            }
            check(
                &format!("invitation on a request {state:?} as the {who}"),
                &invitation_actions,
                &on_invitation,
                &built,
                async |action, b: &Built| {
                    perform_on_invitation(app, &cast.invited_org, token, action, &b.id).await
                },
                fresh,
                async |b: &Built| {
                    let answers = app
                        .get(
                            &format!("/api/v1/requests/{}/answers", b.id),
                            Some(&cast.buyer),
                        )
                        .await;
                    let questions = app
                        .get(
                            &format!("/api/v1/requests/{}/questions", b.id),
                            Some(&cast.buyer),
                        )
                        .await;
                    json!([answers.body, questions.body])
                },
            )
            .await;
            for (kind, list) in seen.iter_mut().enumerate() {
                list.extend(
                    [&on_request, &on_match, &on_invitation][kind]
                        .iter()
                        .cloned(),
                );
            }
        }
    }
    // The walk reaches every action of every enum: none is listed nowhere.
    for (all, seen) in [&request_actions, &match_actions, &invitation_actions]
        .into_iter()
        .zip(&seen)
    {
        for action in all {
            assert!(
                seen.contains(action),
                "{action} was never listed on the walk"
            );
        }
    }

    // Standing: an unverified buyer prepares its draft but is not offered
    // to submit it, and is refused if it tries.
    let unverified_email = "sans-verification@acheteur.example";
    app.register_unverified("buyer", unverified_email, &siret(301))
        .await;
    let unverified = app.login(unverified_email, PASSWORD).await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let draft = request_in(app, &cast, &unverified, titanium_request(), State::Draft).await;
    let [on_request, ..] = listed(app, &unverified, &draft, &cast.invited_org).await;
    assert!(!on_request.contains(&"submit".to_owned()), "{on_request:?}");
    assert!(on_request.contains(&"edit".to_owned()), "{on_request:?}");
    check(
        "draft of an unverified buyer",
        &request_actions,
        &on_request,
        &draft,
        async |action, b: &Built| {
            perform_on_request(app, &unverified, &unverified, action, &b.id).await
        },
        async || request_in(app, &cast, &unverified, titanium_request(), State::Draft).await,
        async |b: &Built| owner_view(app, &unverified, &b.id).await,
    )
    .await;

    // Standing: a supplier suspended while invited is offered nothing on
    // its invitation, and every action is refused.
    let suspended = &world.uncertified;
    let open = request_in(
        app,
        &cast,
        &cast.buyer,
        titanium_request(),
        State::Qualified,
    )
    .await;
    let proposed = app
        .post(
            &format!("/api/v1/requests/{}/matches", open.id),
            Some(&cast.expert),
            json!({ "supplier_id": suspended.org, "override_reason": "Certification en cours" }),
        )
        .await;
    let match_id = proposed.assert_status(201)["id"]
        .as_str()
        .expect("match")
        .to_owned();
    app.post(
        &format!("/api/v1/requests/{}/matches/{match_id}/approve", open.id),
        Some(&cast.expert),
        json!({}),
    )
    .await
    .assert_status(200);
    step(app, &cast.expert, &open.id, "open", json!({})).await;
    let view = app
        .get(
            &format!("/api/v1/requests/{}", open.id),
            Some(&suspended.token),
        )
        .await;
    assert_eq!(
        strings(&view.assert_status(200)["my_invitation"]["allowed_actions"]),
        ["quote", "decline", "ask"],
        "invited and in good standing"
    );
    app.post(
        &format!("/api/v1/backoffice/profiles/{}/suspend", suspended.org),
        Some(&cast.expert),
        json!({ "comment": "Audit en cours" }),
    )
    .await
    .assert_status(200);
    let on_invitation = tests::eventually(10, "the suspension reaches the supplier", async || {
        let view = app
            .get(
                &format!("/api/v1/requests/{}", open.id),
                Some(&suspended.token),
            )
            .await;
        let listed = strings(&view.body["my_invitation"]["allowed_actions"]);
        listed.is_empty().then_some(listed)
    })
    .await;
    check(
        "invitation of a suspended supplier",
        &invitation_actions,
        &on_invitation,
        &open,
        async |action, b: &Built| {
            perform_on_invitation(app, &suspended.org, &suspended.token, action, &b.id).await
        },
        async || unreachable!("nothing is listed"),
        async |b: &Built| owner_view(app, &cast.buyer, &b.id).await,
    )
    .await;
}

// Profiles and certificates.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProfileState {
    Draft,
    Submitted,
    Published,
    ChangesRequested,
    Suspended,
}

const PROFILE_STATES: [ProfileState; 5] = [
    ProfileState::Draft,
    ProfileState::Submitted,
    ProfileState::Published,
    ProfileState::ChangesRequested,
    ProfileState::Suspended,
];

/// A supplier organisation of its own and its token.
struct Shop {
    org: String,
    token: String,
}

async fn profile_version(app: &TestApp, expert: &str, org: &str) -> Value {
    let reply = app
        .get(
            &format!("/api/v1/organisations/{org}/profile"),
            Some(expert),
        )
        .await;
    reply.assert_status(200)["version"].clone()
}

/// A new supplier whose profile is in `state`.
async fn shop_in(
    app: &TestApp,
    expert: &str,
    n: &std::sync::atomic::AtomicU32,
    state: ProfileState,
) -> Shop {
    let n = n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let email = format!("atelier{n}@cycle-de-vie.example");
    let (token, registered) = app.signed_up("supplier", &email, &siret(400 + n)).await;
    let org = registered["organisation"]["id"]
        .as_str()
        .expect("org")
        .to_owned();
    let path = format!("/api/v1/organisations/{org}/profile");
    app.put(&path, Some(&token), micro_machining_profile())
        .await
        .assert_status(201);
    if state == ProfileState::Draft {
        return Shop { org, token };
    }
    app.post(&format!("{path}/submit"), Some(&token), json!({}))
        .await
        .assert_status(200);
    let review = format!("/api/v1/backoffice/profiles/{org}");
    let comment = json!({ "comment": "Précisez vos équipements" });
    match state {
        ProfileState::Submitted => {}
        ProfileState::ChangesRequested => {
            let version = profile_version(app, expert, &org).await;
            app.post_if_match(
                &format!("{review}/request-changes"),
                Some(expert),
                version,
                comment,
            )
            .await
            .assert_status(200);
        }
        ProfileState::Published | ProfileState::Suspended => {
            let version = profile_version(app, expert, &org).await;
            app.post_if_match(
                &format!("{review}/approve"),
                Some(expert),
                version,
                json!({}),
            )
            .await
            .assert_status(200);
            if state == ProfileState::Suspended {
                app.post(&format!("{review}/suspend"), Some(expert), comment)
                    .await
                    .assert_status(200);
            }
        }
        ProfileState::Draft => unreachable!(),
    }
    Shop { org, token }
}

/// The table: each profile action as its HTTP call.
async fn perform_on_profile(
    app: &TestApp,
    expert: &str,
    token: &str,
    action: &str,
    org: &str,
) -> Reply {
    let version = profile_version(app, expert, org).await;
    let review = format!("/api/v1/backoffice/profiles/{org}");
    let comment = json!({ "comment": "Décision motivée" });
    let path = format!("/api/v1/organisations/{org}/profile");
    match action {
        "edit" => put_if_match(app, &path, token, &version, micro_machining_profile()).await,
        "submit" => {
            app.post(&format!("{path}/submit"), Some(token), json!({}))
                .await
        }
        "approve" => {
            app.post_if_match(
                &format!("{review}/approve"),
                Some(token),
                version,
                json!({}),
            )
            .await
        }
        "request_changes" => {
            app.post_if_match(
                &format!("{review}/request-changes"),
                Some(token),
                version,
                comment,
            )
            .await
        }
        "suspend" => {
            app.post(&format!("{review}/suspend"), Some(token), comment)
                .await
        }
        "reinstate" => {
            app.post(&format!("{review}/reinstate"), Some(token), json!({}))
                .await
        }
        other => panic!("no HTTP call for the profile action {other}: add it to this table"),
    }
}

/// A certificate of the shop and the shop.
struct Cert {
    org: String,
    id: String,
}

#[derive(Debug, Clone, Copy)]
enum CertState {
    Declared,
    Verified,
    Rejected,
}

fn certificate_body() -> Value {
    let day = |offset: i64| {
        (chrono::Utc::now().date_naive() + chrono::TimeDelta::days(offset))
            .format("%Y-%m-%d")
            .to_string()
    };
    iso_13485(&day(-30), &day(700))
}

async fn cert_in(app: &TestApp, expert: &str, shop: &Shop, state: CertState) -> Cert {
    let declared = app
        .post(
            &format!("/api/v1/organisations/{}/certifications", shop.org),
            Some(&shop.token),
            certificate_body(),
        )
        .await;
    let body = declared.assert_status(201);
    let id = body["id"].as_str().expect("id").to_owned();
    let version = body["version"].clone();
    let review = format!("/api/v1/backoffice/certifications/{id}");
    match state {
        CertState::Declared => {}
        CertState::Verified => {
            app.post_if_match(
                &format!("{review}/verify"),
                Some(expert),
                version,
                json!({}),
            )
            .await
            .assert_status(200);
        }
        CertState::Rejected => {
            let reason = json!({ "comment": "Certificat illisible" });
            app.post_if_match(&format!("{review}/reject"), Some(expert), version, reason)
                .await
                .assert_status(200);
        }
    }
    Cert {
        org: shop.org.clone(),
        id,
    }
}

/// The certificate as the back office reads it.
async fn certificate(app: &TestApp, expert: &str, cert: &Cert) -> Value {
    let profile = app
        .get(
            &format!("/api/v1/organisations/{}/profile", cert.org),
            Some(expert),
        )
        .await;
    profile.assert_status(200)["certifications"]
        .as_array()
        .expect("certifications")
        .iter()
        .find(|c| c["id"] == cert.id.as_str())
        .cloned()
        .unwrap_or(Value::Null)
}

/// The table: each certificate action as its HTTP call.
async fn perform_on_certificate(
    app: &TestApp,
    expert: &str,
    token: &str,
    action: &str,
    cert: &Cert,
) -> Reply {
    let version = certificate(app, expert, cert).await["version"].clone();
    let path = format!(
        "/api/v1/organisations/{}/certifications/{}",
        cert.org, cert.id
    );
    let review = format!("/api/v1/backoffice/certifications/{}", cert.id);
    match action {
        "update" => app.put(&path, Some(token), certificate_body()).await,
        "delete" => {
            app.send(app.request(Method::DELETE, &path, Some(token)))
                .await
        }
        "verify" => {
            app.post_if_match(&format!("{review}/verify"), Some(token), version, json!({}))
                .await
        }
        "reject" => {
            let reason = json!({ "comment": "Périmètre insuffisant" });
            app.post_if_match(&format!("{review}/reject"), Some(token), version, reason)
                .await
        }
        other => panic!("no HTTP call for the certificate action {other}: add it to this table"),
    }
}

async fn profile_and_certificate_actions_are_what_the_server_accepts(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let admin = app.back_office("admin", "admin@pmt.example").await;
    let (buyer, _) = app
        .signed_up("buyer", "achats@acheteur.example", &siret(300))
        .await;
    let shops = std::sync::atomic::AtomicU32::new(0);
    let stranger = shop_in(app, &expert, &shops, ProfileState::Draft).await;
    let profile_actions = actions_of(app, "ProfileAction").await;
    let certificate_actions = actions_of(app, "CertificateAction").await;
    let mut seen = Vec::new();
    for state in PROFILE_STATES {
        let shop = shop_in(app, &expert, &shops, state).await;
        let actors = [
            ("supplier", shop.token.as_str()),
            ("other supplier", stranger.token.as_str()),
            ("buyer", buyer.as_str()),
            ("expert", expert.as_str()),
            ("admin", admin.as_str()),
        ];
        for (who, token) in actors {
            let view = app
                .get(
                    &format!("/api/v1/organisations/{}/profile", shop.org),
                    Some(token),
                )
                .await;
            let on_profile = if view.status.is_success() {
                strings(&view.body["allowed_actions"])
            } else {
                Vec::new()
            };
            // The supplier's own users act as that supplier on fresh shops.
            let own = who == "supplier";
            check(
                &format!("profile {state:?} as the {who}"),
                &profile_actions,
                &on_profile,
                &shop,
                async |action, s: &Shop| {
                    let token = if own { s.token.as_str() } else { token };
                    perform_on_profile(app, &expert, token, action, &s.org).await
                },
                async || shop_in(app, &expert, &shops, state).await,
                async |s: &Shop| profile_version(app, &expert, &s.org).await,
            )
            .await;
            seen.extend(on_profile);
        }
    }
    for action in &profile_actions {
        assert!(
            seen.contains(action),
            "{action} was never listed on the walk"
        );
    }

    let shop = shop_in(app, &expert, &shops, ProfileState::Published).await;
    let mut seen = Vec::new();
    for state in [
        CertState::Declared,
        CertState::Verified,
        CertState::Rejected,
    ] {
        let cert = cert_in(app, &expert, &shop, state).await;
        let actors = [
            ("supplier", shop.token.as_str()),
            ("other supplier", stranger.token.as_str()),
            ("buyer", buyer.as_str()),
            ("expert", expert.as_str()),
            ("admin", admin.as_str()),
        ];
        for (who, token) in actors {
            let view = app
                .get(
                    &format!("/api/v1/organisations/{}/profile", shop.org),
                    Some(token),
                )
                .await;
            let on_certificate = if view.status.is_success() {
                view.body["certifications"]
                    .as_array()
                    .expect("certifications")
                    .iter()
                    .find(|c| c["id"] == cert.id.as_str())
                    .map(|c| strings(&c["allowed_actions"]))
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            check(
                &format!("certificate {state:?} as the {who}"),
                &certificate_actions,
                &on_certificate,
                &cert,
                async |action, c: &Cert| {
                    perform_on_certificate(app, &expert, token, action, c).await
                },
                async || cert_in(app, &expert, &shop, state).await,
                async |c: &Cert| certificate(app, &expert, c).await,
            )
            .await;
            seen.extend(on_certificate);
        }
    }
    for action in &certificate_actions {
        assert!(
            seen.contains(action),
            "{action} was never listed on the walk"
        );
    }
}
