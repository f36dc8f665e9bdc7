//! Emails link to the frontend (`FRONTEND_BASE_URL`), not to the API: each
//! link is a documented frontend route whose token or id the page hands
//! back to the API.

use serde_json::json;
use tests::directory::micro_machining_profile;
use tests::mail::Email;
use tests::server::{PASSWORD, siret};
use tests::sourcing::titanium_request;
use tests::{Backend, TestApp, eventually};

/// With a trailing slash, as people write it: links must not get `//`.
const FRONTEND: [(&str, &str); 1] = [("FRONTEND_BASE_URL", "https://app.pmt.test/")];

/// The latest email to `to` whose text contains `needle`.
async fn email_containing(app: &TestApp, to: &str, needle: &str) -> Email {
    let outbox = app.outbox();
    eventually(
        15,
        &format!("an email to {to} containing {needle}"),
        async || {
            outbox
                .all()
                .into_iter()
                .rev()
                .find(|e| e.to == to && e.text.contains(needle))
        },
    )
    .await
}

async fn every_email_links_to_the_frontend_and_its_tokens_work(app: &TestApp) {
    // Verification: the token in the frontend's link verifies the address.
    let registered = app
        .register_unverified("supplier", "sophie@microtech.example", &siret(1))
        .await;
    let org = registered["organisation"]["id"].as_str().expect("org");
    let email = email_containing(
        app,
        "sophie@microtech.example",
        "https://app.pmt.test/verify-email?token=",
    )
    .await;
    app.post(
        "/api/v1/auth/verify-email",
        None,
        json!({ "token": email.token_for("/verify-email") }),
    )
    .await
    .assert_status(204);
    let owner = app.login("sophie@microtech.example", PASSWORD).await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();

    // Invitation of a newcomer: the accept page reads it by its token.
    app.post(
        &format!("/api/v1/organisations/{org}/invitations"),
        Some(&owner),
        json!({ "email": "paul@microtech.example" }),
    )
    .await
    .assert_status(201);
    let email = email_containing(
        app,
        "paul@microtech.example",
        "https://app.pmt.test/accept-invitation?token=",
    )
    .await;
    let token = email.token_for("/accept-invitation");
    app.get(&format!("/api/v1/invitations/{token}"), None)
        .await
        .assert_status(200);

    // Someone who already has an account is sent to sign in instead.
    app.register("buyer", "claire@cardiodijon.example", &siret(2))
        .await;
    app.post(
        &format!("/api/v1/organisations/{org}/invitations"),
        Some(&owner),
        json!({ "email": "claire@cardiodijon.example" }),
    )
    .await
    .assert_status(201);
    email_containing(
        app,
        "claire@cardiodijon.example",
        "https://app.pmt.test/login",
    )
    .await;

    // The experts' review queue, the supplier's profile, a request.
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let (_, supplier) = app
        .published_supplier(
            "atelier@microtech.example",
            &siret(3),
            micro_machining_profile(),
            &[],
            &expert,
        )
        .await;
    email_containing(
        app,
        "expert@pmt.example",
        &format!("https://app.pmt.test/backoffice/profiles/{supplier}"),
    )
    .await;
    email_containing(
        app,
        "atelier@microtech.example",
        &format!("https://app.pmt.test/suppliers/{supplier}"),
    )
    .await;
    let buyer = app.login("claire@cardiodijon.example", PASSWORD).await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let request = app
        .post("/api/v1/requests", Some(&buyer), titanium_request())
        .await
        .assert_status(201)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.post(
        &format!("/api/v1/requests/{request}/submit"),
        Some(&buyer),
        json!({}),
    )
    .await
    .assert_status(200);
    email_containing(
        app,
        "expert@pmt.example",
        &format!("https://app.pmt.test/requests/{request}"),
    )
    .await;

    // Password reset (last: it ends the owner's sessions).
    app.post(
        "/api/v1/auth/password-reset",
        None,
        json!({ "email": "sophie@microtech.example" }),
    )
    .await
    .assert_status(202);
    let email = email_containing(
        app,
        "sophie@microtech.example",
        "https://app.pmt.test/reset-password?token=",
    )
    .await;
    app.post(
        "/api/v1/auth/password-reset/confirm",
        None,
        json!({ "token": email.token_for("/reset-password"), "new_password": "nouveau-secret-solide" }),
    )
    .await
    .assert_status(204);

    // No email points at the API's own address (`PUBLIC_BASE_URL`).
    let to_api: Vec<_> = app
        .outbox()
        .all()
        .into_iter()
        .filter(|e| e.text.contains("https://pmt.test/") || e.html.contains("https://pmt.test/"))
        .map(|e| e.subject)
        .collect();
    assert!(to_api.is_empty(), "emails linking to the API: {to_api:?}");
}

mod every_email_links_to_the_frontend_and_its_tokens_work {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let app = TestApp::spawn_with(Backend::Sqlite, &FRONTEND).await;
        super::every_email_links_to_the_frontend_and_its_tokens_work(&app).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let app = TestApp::spawn_with(Backend::Postgres, &FRONTEND).await;
        super::every_email_links_to_the_frontend_and_its_tokens_work(&app).await;
    }
}
