//! Back-office accounts, user management and cluster membership.

use futures::future::join_all;
use serde_json::json;
use tests::TestApp;
use tests::on_both_backends;
use tests::server::{PASSWORD, siret};

async fn back_office_accounts_come_from_the_cli_only(app: &TestApp) {
    let admin = app.back_office("admin", "admin@pmt.example").await;
    let me = app.get("/api/v1/me", Some(&admin)).await;
    let me = me.assert_status(200);
    assert_eq!(me["roles"], json!(["admin"]));
    assert_eq!(me["organisation"], json!(null));

    let refused = app
        .cli(
            &[
                "admin",
                "create-user",
                "--role",
                "buyer",
                "--email",
                "b@x.example",
                "--name",
                "B",
            ],
            &[("PMT_NEW_USER_PASSWORD", PASSWORD)],
        )
        .await;
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--role"));
}

async fn admins_list_and_deactivate_users_who_then_cannot_log_in(app: &TestApp) {
    let admin = app.back_office("admin", "admin@pmt.example").await;
    let registered = app
        .register("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    let session = app.login("claire@cardiodijon.example", PASSWORD).await;
    for n in 2..5 {
        app.register("supplier", &format!("s{n}@supplier.example"), &siret(n))
            .await;
    }

    let first = app.get("/api/v1/admin/users?limit=2", Some(&admin)).await;
    let first = first.assert_status(200).clone();
    assert_eq!(first["items"].as_array().map(Vec::len), Some(2));
    let cursor = first["next_cursor"].as_str().expect("more pages");
    let rest = app
        .get(
            &format!("/api/v1/admin/users?limit=10&cursor={cursor}"),
            Some(&admin),
        )
        .await;
    let rest = rest.assert_status(200);
    assert_eq!(rest["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(rest["next_cursor"], json!(null));
    app.get("/api/v1/admin/users?limit=0", Some(&admin))
        .await
        .assert_problem(422, "validation_failed");

    let user_id = registered["user"]["id"].as_str().expect("id");
    let deactivated = app
        .post(
            &format!("/api/v1/admin/users/{user_id}/deactivate"),
            Some(&admin),
            json!(null),
        )
        .await;
    assert_eq!(deactivated.assert_status(200)["active"], false);
    app.post(
        "/api/v1/auth/login",
        None,
        json!({ "email": "claire@cardiodijon.example", "password": PASSWORD }),
    )
    .await
    .assert_problem(401, "invalid_credentials");
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({ "refresh_token": session["refresh_token"] }),
    )
    .await
    .assert_problem(401, "invalid_refresh_token");

    app.post(
        &format!("/api/v1/admin/users/{user_id}/reactivate"),
        Some(&admin),
        json!(null),
    )
    .await
    .assert_status(200);
    app.login("claire@cardiodijon.example", PASSWORD).await;
}

async fn only_admins_manage_users_and_membership(app: &TestApp) {
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let (buyer, registered) = app
        .signed_up("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    let org = registered["organisation"]["id"].as_str().expect("org");
    for token in [&expert, &buyer] {
        app.get("/api/v1/admin/users", Some(token))
            .await
            .assert_problem(403, "forbidden");
        app.put(
            &format!("/api/v1/admin/organisations/{org}/membership"),
            Some(token),
            json!({ "membership": "member" }),
        )
        .await
        .assert_problem(403, "forbidden");
    }
    let admin = app.back_office("admin", "admin@pmt.example").await;
    let changed = app
        .put(
            &format!("/api/v1/admin/organisations/{org}/membership"),
            Some(&admin),
            json!({ "membership": "member" }),
        )
        .await;
    assert_eq!(changed.assert_status(200)["membership"], "member");
    app.put(
        &format!("/api/v1/admin/organisations/{org}/membership"),
        Some(&admin),
        json!({ "membership": "gold" }),
    )
    .await
    .assert_problem(422, "validation_failed");
    let seen_by_owner = app
        .get(&format!("/api/v1/organisations/{org}"), Some(&buyer))
        .await;
    assert_eq!(seen_by_owner.assert_status(200)["membership"], "member");
}

on_both_backends!(
    back_office_accounts_come_from_the_cli_only,
    admins_list_and_deactivate_users_who_then_cannot_log_in,
    only_admins_manage_users_and_membership
);

async fn admin_commands_write_safely_next_to_a_busy_server(app: &TestApp) {
    // Registrations through the server and accounts created by the CLI,
    // at the same time, in two processes writing one database.
    let registrations = (0..8).map(|n| {
        let body =
            tests::server::registration("buyer", &format!("buyer{n}@busy.example"), &siret(n + 1));
        async move {
            app.post("/api/v1/auth/register", None, body)
                .await
                .status
                .as_u16()
        }
    });
    let commands = (0..4).map(|n| async move {
        let email = format!("expert{n}@pmt.example");
        let output = app
            .cli(
                &[
                    "admin",
                    "create-user",
                    "--role",
                    "expert",
                    "--email",
                    &email,
                    "--name",
                    "Expert",
                ],
                &[("PMT_NEW_USER_PASSWORD", PASSWORD)],
            )
            .await;
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    });
    let (statuses, outcomes) = tokio::join!(join_all(registrations), join_all(commands));
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    for (ok, stderr) in outcomes {
        assert!(ok, "create-user failed: {stderr}");
    }
    let admin = app.back_office("admin", "admin@pmt.example").await;
    let users = app.get("/api/v1/admin/users?limit=50", Some(&admin)).await;
    assert_eq!(
        users.assert_status(200)["items"].as_array().map(Vec::len),
        Some(8 + 4 + 1)
    );
}

on_both_backends!(admin_commands_write_safely_next_to_a_busy_server);
