//! Registration, verification, password reset and invitations.

use serde_json::json;
use tests::TestApp;
use tests::on_both_backends;
use tests::server::{PASSWORD, registration, siret};

async fn a_buyer_registers_an_organisation_and_becomes_its_owner(app: &TestApp) {
    let body = app
        .register_unverified("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    assert_eq!(body["organisation"]["kind"], "buyer");
    assert_eq!(body["organisation"]["membership"], "not_member");
    assert_eq!(body["organisation"]["siret"], siret(1));
    assert_eq!(body["user"]["platform_role"], "buyer");
    assert_eq!(body["user"]["organisation_role"], "owner");
    assert_eq!(body["user"]["email_verified"], false);
    assert!(body["user"].get("password_hash").is_none());
}

async fn a_second_registration_with_the_same_email_is_a_conflict(app: &TestApp) {
    app.register("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    let reply = app
        .post(
            "/api/v1/auth/register",
            None,
            registration("supplier", "Claire@CardioDijon.example", &siret(2)),
        )
        .await;
    reply.assert_problem(409, "email_taken");
}

async fn a_siret_registers_only_once(app: &TestApp) {
    app.register("buyer", "a@cardiodijon.example", &siret(1))
        .await;
    let reply = app
        .post(
            "/api/v1/auth/register",
            None,
            registration("buyer", "b@cardiodijon.example", &siret(1)),
        )
        .await;
    reply.assert_problem(409, "siret_taken");
}

async fn a_malformed_siret_is_refused_naming_the_field(app: &TestApp) {
    for bad in ["73282932000075", "7328293200007", "ABCDEFGHIJKLMN"] {
        let reply = app
            .post(
                "/api/v1/auth/register",
                None,
                registration("buyer", "c@x.example", bad),
            )
            .await;
        reply.assert_problem(422, "validation_failed");
        let fields: Vec<_> = reply.body["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["field"].clone())
            .collect();
        assert_eq!(fields, [json!("organisation.siret")], "{bad}");
    }
}

async fn every_invalid_field_is_listed_at_once(app: &TestApp) {
    let mut body = registration("broker", "not-an-email", "73282932000075");
    body["user"]["password"] = json!("password123");
    body["organisation"]["website"] = json!("javascript:alert(1)");
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
            ("organisation.kind".to_owned(), "invalid_kind".to_owned()),
            (
                "organisation.siret".to_owned(),
                "invalid_checksum".to_owned()
            ),
            ("organisation.website".to_owned(), "invalid_url".to_owned()),
            ("user.email".to_owned(), "invalid_email".to_owned()),
            ("user.password".to_owned(), "too_common".to_owned()),
        ]
    );
}

async fn a_foreign_organisation_registers_with_its_own_registration_number(app: &TestApp) {
    let mut body = registration("supplier", "info@swissmed.example", "");
    body["organisation"]["siret"] = json!(null);
    body["organisation"]["country"] = json!("CH");
    body["organisation"]["registration_number"] = json!("CHE-123.456.789");
    let reply = app.post("/api/v1/auth/register", None, body).await;
    let body = reply.assert_status(201);
    assert_eq!(body["organisation"]["country"], "CH");
    assert_eq!(body["organisation"]["siret"], json!(null));
    assert_eq!(
        body["organisation"]["registration_number"],
        "CHE-123.456.789"
    );
}

async fn the_verification_email_link_verifies_the_address_once(app: &TestApp) {
    app.register_unverified("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    let token = app.login("claire@cardiodijon.example", PASSWORD).await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.assert_status(200)["user"]["email_verified"], false);
    let email = app
        .outbox()
        .wait_for("claire@cardiodijon.example", "Confirmez votre adresse")
        .await;
    assert!(
        email.text.contains("https://pmt.test/verify-email?token="),
        "{}",
        email.text
    );
    let link_token = email.token_for("/verify-email");

    app.post(
        "/api/v1/auth/verify-email",
        None,
        json!({ "token": link_token }),
    )
    .await
    .assert_status(204);
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.assert_status(200)["user"]["email_verified"], true);

    let again = app
        .post(
            "/api/v1/auth/verify-email",
            None,
            json!({ "token": link_token }),
        )
        .await;
    again.assert_problem(400, "invalid_or_expired_link");
    let forged = app
        .post(
            "/api/v1/auth/verify-email",
            None,
            json!({ "token": "made-up" }),
        )
        .await;
    forged.assert_problem(400, "invalid_or_expired_link");
}

async fn password_reset_answers_the_same_for_unknown_emails_and_ends_sessions(app: &TestApp) {
    app.register("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    let session = app.login("claire@cardiodijon.example", PASSWORD).await;

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

    let email = app
        .outbox()
        .wait_for("claire@cardiodijon.example", "mot de passe")
        .await;
    let token = email.token_for("/reset-password");
    let weak = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({ "token": token, "new_password": "short" }),
        )
        .await;
    weak.assert_problem(422, "validation_failed");
    assert_eq!(weak.body["errors"][0]["field"], "new_password");

    let new_password = "nouveau-mot-de-passe-solide";
    app.post(
        "/api/v1/auth/password-reset/confirm",
        None,
        json!({ "token": token, "new_password": new_password }),
    )
    .await
    .assert_status(204);
    app.post(
        "/api/v1/auth/login",
        None,
        json!({ "email": "claire@cardiodijon.example", "password": PASSWORD }),
    )
    .await
    .assert_problem(401, "invalid_credentials");
    app.login("claire@cardiodijon.example", new_password).await;
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({ "refresh_token": session["refresh_token"] }),
    )
    .await
    .assert_problem(401, "invalid_refresh_token");
    app.post(
        "/api/v1/auth/password-reset/confirm",
        None,
        json!({ "token": token, "new_password": "encore-un-autre-secret" }),
    )
    .await
    .assert_problem(400, "invalid_or_expired_link");
}

async fn owners_invite_colleagues_who_join_the_same_organisation(app: &TestApp) {
    let (owner, registered) = app
        .signed_up("supplier", "sophie@microtech.example", &siret(1))
        .await;
    let org = registered["organisation"]["id"]
        .as_str()
        .expect("org id")
        .to_owned();

    let invitation = app
        .post(
            &format!("/api/v1/organisations/{org}/invitations"),
            Some(&owner),
            json!({ "email": "paul@microtech.example" }),
        )
        .await;
    assert_eq!(invitation.assert_status(201)["role"], "member");
    let email = app
        .outbox()
        .wait_for("paul@microtech.example", "invite")
        .await;
    let token = email.token_for("/accept-invitation");

    // The page behind the link shows who invites to what, and nothing else.
    let preview = app.get(&format!("/api/v1/invitations/{token}"), None).await;
    assert_eq!(
        preview.assert_status(200),
        &json!({
            "organisation_name": registered["organisation"]["legal_name"],
            "organisation_kind": "supplier",
            "invited_by": registered["user"]["full_name"],
            "role": "member",
        })
    );
    app.get("/api/v1/invitations/pas-un-jeton", None)
        .await
        .assert_problem(404, "not_found");

    let accepted = app
        .post(
            "/api/v1/auth/accept-invitation",
            None,
            json!({ "token": token, "full_name": "Paul Durand", "password": "decolletage-de-precision", "language": "en" }),
        )
        .await;
    let user = accepted.assert_status(201);
    assert_eq!(user["organisation_id"], org.as_str());
    assert_eq!(user["organisation_role"], "member");
    assert_eq!(user["platform_role"], "supplier");

    let member = app
        .login("paul@microtech.example", "decolletage-de-precision")
        .await;
    let member = member["access_token"].as_str().expect("token");
    let users = app
        .get(&format!("/api/v1/organisations/{org}/users"), Some(member))
        .await;
    assert_eq!(
        users.assert_status(200)["items"].as_array().map(Vec::len),
        Some(2)
    );

    // Members do not invite; outsiders cannot even see the organisation.
    app.post(
        &format!("/api/v1/organisations/{org}/invitations"),
        Some(member),
        json!({ "email": "x@microtech.example" }),
    )
    .await
    .assert_problem(403, "forbidden");
    let (outsider, _) = app
        .signed_up("buyer", "claire@cardiodijon.example", &siret(2))
        .await;
    app.post(
        &format!("/api/v1/organisations/{org}/invitations"),
        Some(&outsider),
        json!({ "email": "x@microtech.example" }),
    )
    .await
    .assert_problem(404, "not_found");
    app.get(&format!("/api/v1/organisations/{org}"), Some(&outsider))
        .await
        .assert_problem(404, "not_found");

    // The invitation is single use, and no longer shown.
    app.get(&format!("/api/v1/invitations/{token}"), None)
        .await
        .assert_problem(404, "not_found");
    app.post(
        "/api/v1/auth/accept-invitation",
        None,
        json!({ "token": token, "full_name": "Paul Durand", "password": "decolletage-de-precision" }),
    )
    .await
    .assert_problem(400, "invalid_or_expired_link");
}

async fn users_choose_their_email_language_and_opt_out(app: &TestApp) {
    let (token, _) = app
        .signed_up("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    let reply = app
        .patch(
            "/api/v1/me/preferences",
            Some(&token),
            json!({ "language": "en", "notifications_opt_out": true }),
        )
        .await;
    let user = reply.assert_status(200);
    assert_eq!(user["language"], "en");
    assert_eq!(user["notifications_opt_out"], true);
    app.patch(
        "/api/v1/me/preferences",
        Some(&token),
        json!({ "language": "de" }),
    )
    .await
    .assert_problem(422, "validation_failed");
    // Security emails still go, in the new language.
    app.post(
        "/api/v1/auth/password-reset",
        None,
        json!({ "email": "claire@cardiodijon.example" }),
    )
    .await
    .assert_status(202);
    let email = app
        .outbox()
        .wait_for("claire@cardiodijon.example", "Reset your password")
        .await;
    assert_eq!(email.content_language_hint, "en");
}

on_both_backends!(
    a_buyer_registers_an_organisation_and_becomes_its_owner,
    a_second_registration_with_the_same_email_is_a_conflict,
    a_siret_registers_only_once,
    a_malformed_siret_is_refused_naming_the_field,
    every_invalid_field_is_listed_at_once,
    a_foreign_organisation_registers_with_its_own_registration_number,
    the_verification_email_link_verifies_the_address_once,
    password_reset_answers_the_same_for_unknown_emails_and_ends_sessions,
    owners_invite_colleagues_who_join_the_same_organisation,
    users_choose_their_email_language_and_opt_out
);

async fn addresses_the_mailer_would_refuse_and_invisible_text_are_refused_by_field(app: &TestApp) {
    for (n, email) in [
        "a<b>@x.fr",
        "a,b@x.fr",
        ".a@x.fr",
        "a@-x.fr",
        "a\u{202E}rf.x@x.fr",
        "a\u{200B}@x.fr",
    ]
    .into_iter()
    .enumerate()
    {
        let reply = app
            .post(
                "/api/v1/auth/register",
                None,
                registration("buyer", email, &siret(40 + n as u32)),
            )
            .await;
        reply.assert_problem(422, "validation_failed");
        let errors = reply.body["errors"].as_array().expect("errors");
        assert!(
            errors
                .iter()
                .any(|e| e["field"] == "user.email" && e["code"] == "invalid_email"),
            "{email:?}: {}",
            reply.body
        );
    }
    for (field, value, code) in [
        (
            ("user", "full_name"),
            "Claire\u{202E}nitraM",
            "bidi_control",
        ),
        (
            ("user", "full_name"),
            "Claire\r\nBcc: victim@x.fr",
            "control_character",
        ),
        (("user", "full_name"), "\u{200B}\u{200D}", "required"),
        (
            ("organisation", "legal_name"),
            "Cardio\u{7}Dijon",
            "control_character",
        ),
        (
            ("organisation", "legal_name"),
            "\u{2060}\u{FEFF}\u{200B}",
            "too_short",
        ),
    ] {
        let mut body = registration("buyer", "claire@cardiodijon.example", &siret(50));
        body[field.0][field.1] = json!(value);
        let reply = app.post("/api/v1/auth/register", None, body).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(
            reply.body["errors"][0]["field"],
            format!("{}.{}", field.0, field.1),
            "{value:?}: {}",
            reply.body
        );
        assert_eq!(reply.body["errors"][0]["code"], code, "{value:?}");
    }
    // Ordinary addresses and names, accents included, still register.
    app.register("buyer", "o'brien+rfq@cardiodijon.example", &siret(50))
        .await;
}

on_both_backends!(addresses_the_mailer_would_refuse_and_invisible_text_are_refused_by_field);
