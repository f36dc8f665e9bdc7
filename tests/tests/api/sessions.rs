//! Login, access tokens, refresh rotation, logout.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tests::on_both_backends;
use tests::server::{JWT_SECRET, PASSWORD, siret};
use tests::{Backend, TestApp};

fn forge(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("encode")
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64")).expect("json")
}

async fn a_new_user_logs_in_refreshes_reads_me_and_logs_out(app: &TestApp) {
    let registered = app
        .register("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    let tokens = app.login("claire@cardiodijon.example", PASSWORD).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);

    let refreshed = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({ "refresh_token": tokens["refresh_token"] }),
        )
        .await;
    let refreshed = refreshed.assert_status(200).clone();
    assert_ne!(refreshed["refresh_token"], tokens["refresh_token"]);

    let access = refreshed["access_token"].as_str().expect("access");
    let me = app.get("/api/v1/me", Some(access)).await;
    let me = me.assert_status(200);
    assert_eq!(me["user"]["email"], "claire@cardiodijon.example");
    assert_eq!(me["organisation"]["id"], registered["organisation"]["id"]);
    assert_eq!(me["roles"], json!(["buyer", "owner"]));

    app.post(
        "/api/v1/auth/logout",
        None,
        json!({ "refresh_token": refreshed["refresh_token"] }),
    )
    .await
    .assert_status(204);
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({ "refresh_token": refreshed["refresh_token"] }),
    )
    .await
    .assert_problem(401, "invalid_refresh_token");
}

async fn two_tabs_refreshing_with_the_same_token_at_once_keep_the_session(app: &TestApp) {
    app.register("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    let first = app.login("claire@cardiodijon.example", PASSWORD).await;
    let body = json!({ "refresh_token": first["refresh_token"] });
    let (tab_a, tab_b) = tokio::join!(
        app.post("/api/v1/auth/refresh", None, body.clone()),
        app.post("/api/v1/auth/refresh", None, body.clone()),
    );
    let (tab_a, tab_b) = (tab_a.assert_status(200), tab_b.assert_status(200));
    assert_eq!(
        tab_a["refresh_token"], tab_b["refresh_token"],
        "both tabs hold the same successor"
    );
    assert_ne!(tab_a["refresh_token"], first["refresh_token"]);
    // A third, late tab too, within the grace.
    let late = app.post("/api/v1/auth/refresh", None, body).await;
    assert_eq!(
        late.assert_status(200)["refresh_token"],
        tab_a["refresh_token"]
    );
    for tab in [tab_a, tab_b] {
        let access = tab["access_token"].as_str().expect("access");
        app.get("/api/v1/me", Some(access)).await.assert_status(200);
    }
    // The session goes on from the successor.
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({ "refresh_token": tab_a["refresh_token"] }),
    )
    .await
    .assert_status(200);
}

/// Without a grace, as after it: a replayed token ends the session.
mod reusing_a_rotated_refresh_token_after_the_grace_revokes_the_whole_session {
    use super::*;

    const NO_GRACE: [(&str, &str); 1] = [("REFRESH_REUSE_GRACE_SECONDS", "0")];

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let app = TestApp::spawn_with(Backend::Sqlite, &NO_GRACE).await;
        super::reusing_a_rotated_refresh_token_revokes_the_whole_session(&app).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let app = TestApp::spawn_with(Backend::Postgres, &NO_GRACE).await;
        super::reusing_a_rotated_refresh_token_revokes_the_whole_session(&app).await;
    }
}

async fn reusing_a_rotated_refresh_token_revokes_the_whole_session(app: &TestApp) {
    app.register("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    let first = app.login("claire@cardiodijon.example", PASSWORD).await;
    let second = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({ "refresh_token": first["refresh_token"] }),
        )
        .await;
    let second = second.assert_status(200).clone();

    // An attacker replays the first token: refused, and the legitimate
    // holder's newer token dies with it.
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({ "refresh_token": first["refresh_token"] }),
    )
    .await
    .assert_problem(401, "invalid_refresh_token");
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({ "refresh_token": second["refresh_token"] }),
    )
    .await
    .assert_problem(401, "invalid_refresh_token");
    // Other sessions are untouched.
    app.login("claire@cardiodijon.example", PASSWORD).await;
}

async fn login_does_not_reveal_whether_an_account_exists(app: &TestApp) {
    app.register("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    let wrong_password = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "claire@cardiodijon.example", "password": "pas-le-bon-mot" }),
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "nobody@cardiodijon.example", "password": "pas-le-bon-mot" }),
        )
        .await;
    wrong_password.assert_problem(401, "invalid_credentials");
    assert_eq!(wrong_password.body, unknown.body);
}

async fn tampered_expired_unsigned_and_misdirected_tokens_are_refused(app: &TestApp) {
    let (token, _) = app
        .signed_up("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    let claims = claims_of(&token);
    let now = chrono::Utc::now().timestamp();

    let mut tampered = token.clone();
    tampered.pop();
    tampered.push(if token.ends_with('A') { 'B' } else { 'A' });

    let mut expired = claims.clone();
    expired["iat"] = json!(now - 7200);
    expired["exp"] = json!(now - 3600);
    let mut wrong_audience = claims.clone();
    wrong_audience["aud"] = json!("another-api");
    let mut wrong_issuer = claims.clone();
    wrong_issuer["iss"] = json!("someone-else");
    let mut escalated = claims.clone();
    escalated["role"] = json!("admin");
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );

    for (what, bad) in [
        ("tampered signature", tampered),
        ("expired", forge(&expired, JWT_SECRET)),
        ("wrong audience", forge(&wrong_audience, JWT_SECRET)),
        ("wrong issuer", forge(&wrong_issuer, JWT_SECRET)),
        ("alg none", unsigned),
        (
            "escalated role signed with another key",
            forge(&escalated, "another-secret-0123456789abcdef-xyz"),
        ),
        ("garbage", "not.a.jwt".to_owned()),
    ] {
        let reply = app.get("/api/v1/me", Some(&bad)).await;
        assert_eq!(reply.status.as_u16(), 401, "{what}: {}", reply.body);
        reply.assert_problem(401, "invalid_token");
    }
    app.get("/api/v1/me", None)
        .await
        .assert_problem(401, "unauthenticated");
    let basic = app
        .send(
            app.request(reqwest::Method::GET, "/api/v1/me", None)
                .basic_auth("a", Some("b")),
        )
        .await;
    basic.assert_problem(401, "unauthenticated");
    app.get("/api/v1/me", Some(&token)).await.assert_status(200);
}

on_both_backends!(
    a_new_user_logs_in_refreshes_reads_me_and_logs_out,
    two_tabs_refreshing_with_the_same_token_at_once_keep_the_session,
    login_does_not_reveal_whether_an_account_exists,
    tampered_expired_unsigned_and_misdirected_tokens_are_refused
);

mod throttling {
    use serde_json::json;
    use tests::{Backend, TestApp};

    #[tokio::test]
    async fn repeated_login_attempts_from_one_address_are_throttled() {
        let app =
            TestApp::spawn_with(Backend::Sqlite, &[("AUTH_RATE_LIMIT_PER_MINUTE", "5")]).await;
        let attempt =
            json!({ "email": "nobody@cardiodijon.example", "password": "devine-moi-si-tu-peux" });
        for _ in 0..5 {
            app.post("/api/v1/auth/login", None, attempt.clone())
                .await
                .assert_problem(401, "invalid_credentials");
        }
        let throttled = app.post("/api/v1/auth/login", None, attempt.clone()).await;
        throttled.assert_problem(429, "too_many_requests");
        // Password resets share the budget; reading the public directory does not.
        app.post(
            "/api/v1/auth/password-reset",
            None,
            json!({ "email": "nobody@cardiodijon.example" }),
        )
        .await
        .assert_problem(429, "too_many_requests");
        app.get("/api/v1/suppliers", None).await.assert_status(200);
    }
}

/// The browser mode: scripts never see the refresh token, and a cookie
/// sent by the browser on its own refreshes nothing without the CSRF token.
mod browser_mode_keeps_the_refresh_token_in_an_http_only_cookie {
    use super::*;

    const COOKIE_MODE: [(&str, &str); 1] = [("AUTH_COOKIE", "true")];

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let app = TestApp::spawn_with(Backend::Sqlite, &COOKIE_MODE).await;
        super::browser_mode(&app).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let app = TestApp::spawn_with(Backend::Postgres, &COOKIE_MODE).await;
        super::browser_mode(&app).await;
    }
}

/// `name=value` of each cookie `reply` sets, with its attributes.
fn set_cookies(reply: &tests::server::Reply) -> Vec<(String, String, String)> {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|value| {
            let line = value.to_str().expect("ascii cookie").to_owned();
            let (pair, attributes) = line.split_once(';').unwrap_or((&line, ""));
            let (name, value) = pair.split_once('=').expect("name=value");
            (name.to_owned(), value.to_owned(), attributes.to_owned())
        })
        .collect()
}

async fn browser_mode(app: &TestApp) {
    app.register("buyer", "claire@cardiodijon.example", &siret(1))
        .await;
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "email": "claire@cardiodijon.example", "password": PASSWORD }),
        )
        .await;
    let tokens = login.assert_status(200);
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    assert!(tokens["access_token"].is_string());
    let cookies = set_cookies(&login);
    let find = |name: &str| {
        cookies
            .iter()
            .find(|(n, _, _)| n == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} cookie in {cookies:?}"))
    };
    let (_, refresh, attributes) = find("pmt_refresh");
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth"] {
        assert!(attributes.contains(attribute), "pmt_refresh: {attributes}");
    }
    let (_, csrf, attributes) = find("pmt_csrf");
    assert!(!attributes.contains("HttpOnly"), "the page reads pmt_csrf");
    assert!(
        attributes.contains("SameSite=Strict"),
        "pmt_csrf: {attributes}"
    );

    let cookie_header = format!("pmt_refresh={refresh}; pmt_csrf={csrf}");
    let by_cookie = |csrf_header: Option<&str>| {
        let mut builder = app
            .request(reqwest::Method::POST, "/api/v1/auth/refresh", None)
            .header("cookie", &cookie_header)
            .json(&json!({}));
        if let Some(value) = csrf_header {
            builder = builder.header("x-csrf-token", value);
        }
        app.send(builder)
    };
    // A cross-site form, or a script of another origin, lacks the CSRF token.
    by_cookie(None).await.assert_problem(403, "csrf_failed");
    by_cookie(Some("devine"))
        .await
        .assert_problem(403, "csrf_failed");
    let refreshed = by_cookie(Some(&csrf)).await;
    assert!(refreshed.assert_status(200).get("refresh_token").is_none());
    let renewed = set_cookies(&refreshed);
    let (_, next, _) = renewed
        .iter()
        .find(|(name, _, _)| name == "pmt_refresh")
        .cloned()
        .expect("a new refresh cookie");
    assert_ne!(next, refresh);

    // Logout by cookie ends the session and removes the cookies.
    let logout = app
        .send(
            app.request(reqwest::Method::POST, "/api/v1/auth/logout", None)
                .header("cookie", format!("pmt_refresh={next}; pmt_csrf={csrf}"))
                .header("x-csrf-token", &csrf)
                .json(&json!({})),
        )
        .await;
    logout.assert_status(204);
    assert!(
        set_cookies(&logout)
            .iter()
            .any(|(name, value, attributes)| name == "pmt_refresh"
                && value.is_empty()
                && attributes.contains("Max-Age=0")),
        "logout removes pmt_refresh"
    );
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({ "refresh_token": next }),
    )
    .await
    .assert_problem(401, "invalid_refresh_token");
}
