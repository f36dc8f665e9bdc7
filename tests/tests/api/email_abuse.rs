//! The platform cannot be used to flood an inbox or to probe for accounts:
//! every account email has a quota (429 with `Retry-After` beyond),
//! inviting answers the same for existing and new addresses, and names
//! that go into emails refuse control characters.

use serde_json::{Value, json};
use tests::on_both_backends;
use tests::server::{PASSWORD, registration, siret};
use tests::{TestApp, eventually};

fn token(tokens: &Value) -> String {
    tokens["access_token"].as_str().expect("token").to_owned()
}

#[track_caller]
fn assert_retry_after(reply: &tests::server::Reply) {
    reply.assert_problem(429, "too_many_requests");
    let seconds: u64 = reply
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After header in seconds");
    assert!(seconds >= 1, "{seconds}");
}

async fn owner(app: &TestApp, email: &str, n: u32) -> (String, String) {
    let (token, registered) = app.signed_up("buyer", email, &siret(n)).await;
    (
        token,
        registered["organisation"]["id"]
            .as_str()
            .expect("org")
            .to_owned(),
    )
}

async fn verification_emails_are_limited_to_5_an_hour(app: &TestApp) {
    app.register_unverified("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    let claire = token(&app.login("claire@cardiodijon.example", PASSWORD).await);
    // Registration sent the first; four more may go within the hour.
    for _ in 0..4 {
        app.post(
            "/api/v1/auth/verify-email/resend",
            Some(&claire),
            json!(null),
        )
        .await
        .assert_status(202);
    }
    for _ in 0..3 {
        let refused = app
            .post(
                "/api/v1/auth/verify-email/resend",
                Some(&claire),
                json!(null),
            )
            .await;
        assert_retry_after(&refused);
        let wait: u64 = refused.headers["retry-after"]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("seconds");
        assert!(wait <= 3600, "{wait}");
    }
    let outbox = app.outbox();
    let verifications = || {
        outbox
            .all()
            .into_iter()
            .filter(|e| e.to == "claire@cardiodijon.example")
            .count()
    };
    eventually(15, "five verification emails", async || {
        (verifications() == 5).then_some(())
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(verifications(), 5);
}

async fn password_resets_beyond_the_quota_answer_the_same_and_send_nothing(app: &TestApp) {
    app.register("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    for _ in 0..8 {
        let known = app
            .post(
                "/api/v1/auth/password-reset",
                None,
                json!({ "email": "claire@cardiodijon.example" }),
            )
            .await;
        let unknown = app
            .post(
                "/api/v1/auth/password-reset",
                None,
                json!({ "email": "nobody@cardiodijon.example" }),
            )
            .await;
        assert_eq!(known.assert_status(202), unknown.assert_status(202));
    }
    let outbox = app.outbox();
    let resets = || {
        outbox
            .all()
            .into_iter()
            .filter(|e| e.subject.contains("mot de passe"))
            .count()
    };
    eventually(15, "five reset emails", async || {
        (resets() == 5).then_some(())
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(resets(), 5);
}

async fn invitations_are_limited_per_recipient_and_per_organisation(app: &TestApp) {
    let (claire, org) = owner(app, "claire@cardiodijon.example", 1).await;
    let invite = |email: String| {
        let path = format!("/api/v1/organisations/{org}/invitations");
        let claire = claire.clone();
        async move {
            app.post(&path, Some(&claire), json!({ "email": email }))
                .await
        }
    };
    for _ in 0..3 {
        invite("target@outside.example".into())
            .await
            .assert_status(201);
    }
    assert_retry_after(&invite("target@outside.example".into()).await);
    // Another organisation cannot add to that address's invitations either.
    let (other, other_org) = owner(app, "bob@lab.example", 2).await;
    let refused = app
        .post(
            &format!("/api/v1/organisations/{other_org}/invitations"),
            Some(&other),
            json!({ "email": "target@outside.example" }),
        )
        .await;
    assert_retry_after(&refused);

    // 50 a day per organisation, refused ones not counted.
    for n in 0..47 {
        invite(format!("colleague{n}@cardiodijon.example"))
            .await
            .assert_status(201);
    }
    assert_retry_after(&invite("one-more@cardiodijon.example".into()).await);
    // The other organisation still invites its own people.
    app.post(
        &format!("/api/v1/organisations/{other_org}/invitations"),
        Some(&other),
        json!({ "email": "paul@lab.example" }),
    )
    .await
    .assert_status(201);
}

async fn inviting_an_existing_address_answers_like_a_new_one_and_tells_the_account(app: &TestApp) {
    app.back_office("expert", "expert@pmt.example").await;
    app.back_office("admin", "admin@pmt.example").await;
    app.register("supplier", "sophie@microtech.example", &siret(2))
        .await;
    let (claire, org) = owner(app, "claire@cardiodijon.example", 1).await;

    let mut shapes = Vec::new();
    for email in [
        "expert@pmt.example",
        "admin@pmt.example",
        "sophie@microtech.example",
        "new@cardiodijon.example",
    ] {
        let reply = app
            .post(
                &format!("/api/v1/organisations/{org}/invitations"),
                Some(&claire),
                json!({ "email": email }),
            )
            .await;
        let body = reply.assert_status(201).clone();
        assert_eq!(body["email"], email);
        let mut keys: Vec<String> = body.as_object().expect("object").keys().cloned().collect();
        keys.sort();
        shapes.push(keys);
    }
    assert!(
        shapes.windows(2).all(|pair| pair[0] == pair[1]),
        "{shapes:?}"
    );

    // The new address gets a link to join; existing accounts are told,
    // with no link that would open the organisation.
    let invited = app
        .outbox()
        .wait_for("new@cardiodijon.example", "invite")
        .await;
    invited.token_for("/accept-invitation");
    for existing in [
        "expert@pmt.example",
        "admin@pmt.example",
        "sophie@microtech.example",
    ] {
        let told = app
            .outbox()
            .wait_for(existing, "a voulu vous inviter")
            .await;
        assert!(!told.text.contains("accept-invitation"), "{}", told.text);
        assert!(
            told.text.contains("https://pmt.test/login"),
            "{}",
            told.text
        );
    }
}

async fn names_with_line_breaks_or_control_characters_are_refused(app: &TestApp) {
    let mut body = registration("buyer", "claire@cardiodijon.example", &siret(1));
    body["user"]["full_name"] = json!("Claire\r\nBcc: victim@outside.example");
    body["organisation"]["legal_name"] = json!("Cardio\nDijon");
    let reply = app.post("/api/v1/auth/register", None, body).await;
    reply.assert_problem(422, "validation_failed");
    let errors: Vec<(String, String)> = reply.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default().to_owned(),
                e["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (
                "organisation.legal_name".to_owned(),
                "control_character".to_owned()
            ),
            ("user.full_name".to_owned(), "control_character".to_owned()),
        ]
    );

    let (claire, org) = owner(app, "claire@cardiodijon.example", 1).await;
    app.post(
        &format!("/api/v1/organisations/{org}/invitations"),
        Some(&claire),
        json!({ "email": "paul@cardiodijon.example" }),
    )
    .await
    .assert_status(201);
    let invitation = app
        .outbox()
        .wait_for("paul@cardiodijon.example", "invite")
        .await
        .token_for("/accept-invitation");
    let reply = app
        .post(
            "/api/v1/auth/accept-invitation",
            None,
            json!({ "token": invitation, "full_name": "Paul\u{202e}Durand", "password": "decolletage-de-precision" }),
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.body["errors"][0]["field"], "full_name");
    assert_eq!(reply.body["errors"][0]["code"], "bidi_control");
}

on_both_backends!(
    verification_emails_are_limited_to_5_an_hour,
    password_resets_beyond_the_quota_answer_the_same_and_send_nothing,
    invitations_are_limited_per_recipient_and_per_organisation,
    inviting_an_existing_address_answers_like_a_new_one_and_tells_the_account,
    names_with_line_breaks_or_control_characters_are_refused
);
