//! Access tokens stop working within seconds of a deactivation, a logout
//! or a password reset, on every instance; invitations of a deactivated
//! sender no longer open the organisation.

use serde_json::{Value, json};
use tests::on_both_backends;
use tests::server::{PASSWORD, siret};
use tests::sourcing::titanium_request;
use tests::{TestApp, eventually};

fn access(tokens: &Value) -> String {
    tokens["access_token"]
        .as_str()
        .expect("access token")
        .to_owned()
}

async fn user_id(app: &TestApp, token: &str) -> String {
    app.get("/api/v1/me", Some(token)).await.assert_status(200)["user"]["id"]
        .as_str()
        .expect("user id")
        .to_owned()
}

async fn a_deactivated_users_token_and_pending_invitations_stop_working(app: &TestApp) {
    let admin = app.back_office("admin", "admin@pmt.example").await;
    let (owner, registered) = app
        .signed_up("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    let org = registered["organisation"]["id"]
        .as_str()
        .expect("org")
        .to_owned();
    let id = user_id(app, &owner).await;
    app.post(
        &format!("/api/v1/organisations/{org}/invitations"),
        Some(&owner),
        json!({ "email": "paul@cardiodijon.example" }),
    )
    .await
    .assert_status(201);
    let invitation = app
        .outbox()
        .wait_for("paul@cardiodijon.example", "invite")
        .await
        .token_for("/accept-invitation");

    app.post(
        &format!("/api/v1/admin/users/{id}/deactivate"),
        Some(&admin),
        json!(null),
    )
    .await
    .assert_status(200);

    // The 15-minute token no longer reads, creates or invites.
    app.get("/api/v1/me", Some(&owner))
        .await
        .assert_problem(401, "invalid_token");
    app.post("/api/v1/requests", Some(&owner), titanium_request())
        .await
        .assert_problem(401, "invalid_token");
    app.post(
        &format!("/api/v1/organisations/{org}/invitations"),
        Some(&owner),
        json!({ "email": "eve@cardiodijon.example" }),
    )
    .await
    .assert_problem(401, "invalid_token");
    // Nor does the invitation it sent create a member.
    app.post(
        "/api/v1/auth/accept-invitation",
        None,
        json!({ "token": invitation, "full_name": "Paul Durand", "password": "decolletage-de-precision" }),
    )
    .await
    .assert_problem(400, "invalid_or_expired_link");
    let users = app
        .get(&format!("/api/v1/organisations/{org}/users"), Some(&admin))
        .await;
    assert_eq!(
        users.assert_status(200)["items"].as_array().map(Vec::len),
        Some(1)
    );

    // Reactivated, the user logs in again; the old token stays dead.
    app.post(
        &format!("/api/v1/admin/users/{id}/reactivate"),
        Some(&admin),
        json!(null),
    )
    .await
    .assert_status(200);
    app.get("/api/v1/me", Some(&owner))
        .await
        .assert_problem(401, "invalid_token");
    let fresh = access(&app.login("claire@cardiodijon.example", PASSWORD).await);
    app.get("/api/v1/me", Some(&fresh)).await.assert_status(200);
}

async fn logging_out_ends_that_sessions_access_token_only(app: &TestApp) {
    app.register("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    let laptop = app.login("claire@cardiodijon.example", PASSWORD).await;
    let phone = app.login("claire@cardiodijon.example", PASSWORD).await;
    // A refreshed token belongs to the same session.
    let refreshed = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({ "refresh_token": laptop["refresh_token"] }),
        )
        .await;
    let refreshed = refreshed.assert_status(200).clone();
    app.get("/api/v1/me", Some(&access(&refreshed)))
        .await
        .assert_status(200);

    app.post(
        "/api/v1/auth/logout",
        None,
        json!({ "refresh_token": refreshed["refresh_token"] }),
    )
    .await
    .assert_status(204);
    app.get("/api/v1/me", Some(&access(&laptop)))
        .await
        .assert_problem(401, "invalid_token");
    app.get("/api/v1/me", Some(&access(&refreshed)))
        .await
        .assert_problem(401, "invalid_token");
    app.get("/api/v1/me", Some(&access(&phone)))
        .await
        .assert_status(200);
}

async fn a_password_reset_ends_every_access_token(app: &TestApp) {
    app.register("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    let before = access(&app.login("claire@cardiodijon.example", PASSWORD).await);
    app.get("/api/v1/me", Some(&before))
        .await
        .assert_status(200);
    app.post(
        "/api/v1/auth/password-reset",
        None,
        json!({ "email": "claire@cardiodijon.example" }),
    )
    .await
    .assert_status(202);
    let token = app
        .outbox()
        .wait_for("claire@cardiodijon.example", "mot de passe")
        .await
        .token_for("/reset-password");
    app.post(
        "/api/v1/auth/password-reset/confirm",
        None,
        json!({ "token": token, "new_password": "nouveau-mot-de-passe-solide" }),
    )
    .await
    .assert_status(204);
    app.get("/api/v1/me", Some(&before))
        .await
        .assert_problem(401, "invalid_token");
    app.post("/api/v1/requests", Some(&before), titanium_request())
        .await
        .assert_problem(401, "invalid_token");
}

async fn another_instance_refuses_a_deactivated_users_token_within_5_seconds(app: &TestApp) {
    let admin = app.back_office("admin", "admin@pmt.example").await;
    let (owner, _) = app
        .signed_up("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    let id = user_id(app, &owner).await;
    let (_sibling, sibling_url) = app.spawn_sibling(&[]).await;
    let me = format!("{sibling_url}/api/v1/me");
    // The other instance has just read the account: it remembers it.
    let status = app
        .client
        .get(&me)
        .bearer_auth(&owner)
        .send()
        .await
        .expect("me")
        .status();
    assert_eq!(status.as_u16(), 200);

    app.post(
        &format!("/api/v1/admin/users/{id}/deactivate"),
        Some(&admin),
        json!(null),
    )
    .await
    .assert_status(200);
    let deactivated = std::time::Instant::now();
    eventually(5, "the other instance refuses the token", async || {
        let status = app
            .client
            .get(&me)
            .bearer_auth(&owner)
            .send()
            .await
            .expect("me")
            .status();
        (status.as_u16() == 401).then_some(())
    })
    .await;
    assert!(deactivated.elapsed() < std::time::Duration::from_secs(5));
}

on_both_backends!(
    a_deactivated_users_token_and_pending_invitations_stop_working,
    logging_out_ends_that_sessions_access_token_only,
    a_password_reset_ends_every_access_token,
    another_instance_refuses_a_deactivated_users_token_within_5_seconds
);
