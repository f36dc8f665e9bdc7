//! Emails through a real SMTP server (aiosmtpd writing a maildir): what
//! each event sends, in which language, with which links; opt-out; an SMTP
//! outage; failure, admin retry; two server instances on one PostgreSQL.

use std::collections::HashMap;

use serde_json::{Value, json};
use tests::directory::{iso_13485, micro_machining_profile, sterilisation_profile};
use tests::mail::Email;
use tests::server::{PASSWORD, registration, siret};
use tests::smtp::SmtpServer;
use tests::{Backend, TestApp, eventually};

const BASE_URL: &str = "https://pmt.test/";

/// A server whose worker sends to `smtp`, retrying after 1 s, 2 s, 4 s...
/// and looking for expiring certificates every second.
async fn spawn(backend: Backend, smtp: &SmtpServer, env: &[(&str, &str)]) -> TestApp {
    let url = smtp.url();
    let mut all = vec![
        ("SMTP_URL", url.as_str()),
        ("SMTP_TIMEOUT_SECONDS", "5"),
        ("NOTIFY_RETRY_BASE_SECONDS", "1"),
        ("REMINDER_INTERVAL_SECONDS", "1"),
    ];
    all.extend_from_slice(env);
    TestApp::spawn_with(backend, &all)
        .await
        .with_maildir(smtp.maildir())
}

/// Runs a scenario on SQLite and on PostgreSQL, each with its own SMTP
/// server and extra environment.
macro_rules! with_smtp_on_both_backends {
    ($($name:ident env [$($env:expr),*]),+ $(,)?) => {$(
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let mut smtp = SmtpServer::start().await;
                let app = spawn(Backend::Sqlite, &smtp, &[$($env),*]).await;
                super::$name(&app, &mut smtp).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let mut smtp = SmtpServer::start().await;
                let app = spawn(Backend::Postgres, &smtp, &[$($env),*]).await;
                super::$name(&app, &mut smtp).await;
            }
        }
    )+};
}

fn today_plus(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::TimeDelta::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// Every link of both parts points to the public base URL, and there is one.
#[track_caller]
fn assert_links(email: &Email, path: &str) {
    let expected = format!("{BASE_URL}{}", path.trim_start_matches('/'));
    assert!(
        email.text.contains(&expected),
        "{path} not in {:?}",
        email.text
    );
    assert!(
        email.html.contains(&format!("href=\"{expected}")),
        "{path} not in the HTML"
    );
    let links: Vec<&str> = email
        .text
        .split_whitespace()
        .chain(email.html.split('"'))
        .filter(|word| word.starts_with("http"))
        .collect();
    assert!(!links.is_empty());
    for link in links {
        assert!(link.starts_with(BASE_URL), "{link} in {:?}", email.subject);
    }
}

#[track_caller]
fn assert_language(email: &Email, language: &str) {
    assert_eq!(email.content_language_hint, language, "{:?}", email.subject);
    assert!(!email.text.trim().is_empty() && !email.html.trim().is_empty());
    let greeting = if language == "fr" { "Bonjour" } else { "Hello" };
    assert!(email.text.starts_with(greeting), "{:?}", email.text);
}

/// Registers an organisation whose owner reads emails in `language`.
async fn register_in(app: &TestApp, kind: &str, email: &str, n: u32, language: &str) -> Value {
    let mut body = registration(kind, email, &siret(n));
    body["user"]["language"] = json!(language);
    let registered = app
        .post("/api/v1/auth/register", None, body)
        .await
        .assert_status(201)
        .clone();
    app.verify_email(email).await;
    registered
}

async fn token(app: &TestApp, email: &str) -> String {
    app.login(email, PASSWORD).await["access_token"]
        .as_str()
        .expect("token")
        .to_owned()
}

async fn notifications(app: &TestApp, admin: &str, status: &str) -> Vec<Value> {
    app.all_pages(
        &format!("/api/v1/admin/notifications?status={status}"),
        Some(admin),
        100,
    )
    .await
}

/// How many times each Message-ID and each (recipient, subject) arrived.
fn tally(emails: &[Email]) -> (HashMap<String, usize>, HashMap<(String, String), usize>) {
    let mut ids = HashMap::new();
    let mut per_recipient = HashMap::new();
    for email in emails {
        *ids.entry(email.message_id.clone()).or_default() += 1;
        *per_recipient
            .entry((email.to.clone(), email.subject.clone()))
            .or_default() += 1;
    }
    (ids, per_recipient)
}

#[track_caller]
fn assert_each_once(emails: &[Email], expected: usize) {
    let (ids, per_recipient) = tally(emails);
    assert_eq!(emails.len(), expected, "messages received");
    assert_eq!(ids.len(), expected, "distinct Message-IDs");
    assert!(ids.values().all(|n| *n == 1), "a Message-ID arrived twice");
    assert!(
        per_recipient.values().all(|n| *n == 1),
        "a recipient got the same email twice: {per_recipient:?}"
    );
}

async fn account_and_profile_emails_reach_the_smtp_server_in_each_recipients_language(
    app: &TestApp,
    smtp: &mut SmtpServer,
) {
    let mail = smtp.outbox();
    let expert = app.back_office("expert", "expert@pmt.example").await;

    // Email verification, in French and in English.
    let french = register_in(app, "supplier", "sophie@microtech.example", 1, "fr").await;
    let verify = mail
        .wait_for("sophie@microtech.example", "Confirmez votre adresse e-mail")
        .await;
    assert_language(&verify, "fr");
    assert_links(&verify, "/verify-email?token=");
    register_in(app, "supplier", "john@sterilis.example", 2, "en").await;
    let verify = mail
        .wait_for("john@sterilis.example", "Confirm your email address")
        .await;
    assert_language(&verify, "en");
    assert_links(&verify, "/verify-email?token=");

    // Password reset (English).
    app.post(
        "/api/v1/auth/password-reset",
        None,
        json!({ "email": "john@sterilis.example" }),
    )
    .await
    .assert_status(202);
    let reset = mail
        .wait_for("john@sterilis.example", "Reset your password")
        .await;
    assert_language(&reset, "en");
    assert_links(&reset, "/reset-password?token=");

    // Organisation invitation, in the inviter's language.
    let sophie = token(app, "sophie@microtech.example").await;
    let org = french["organisation"]["id"]
        .as_str()
        .expect("org")
        .to_owned();
    app.post(
        &format!("/api/v1/organisations/{org}/invitations"),
        Some(&sophie),
        json!({ "email": "paul@microtech.example" }),
    )
    .await
    .assert_status(201);
    let invitation = mail
        .wait_for("paul@microtech.example", "vous invite à rejoindre")
        .await;
    assert_eq!(invitation.content_language_hint, "fr");
    assert!(
        invitation.subject.contains("Claire Martin"),
        "{}",
        invitation.subject
    );
    assert_links(&invitation, "/accept-invitation?token=");

    // Profile submitted (to experts), then approved (French supplier).
    app.put(
        &format!("/api/v1/organisations/{org}/profile"),
        Some(&sophie),
        micro_machining_profile(),
    )
    .await
    .assert_status(201);
    let version = app
        .post(
            &format!("/api/v1/organisations/{org}/profile/submit"),
            Some(&sophie),
            json!(null),
        )
        .await
        .assert_status(200)["version"]
        .clone();
    let submitted = mail
        .wait_for("expert@pmt.example", "Profil à valider")
        .await;
    assert!(
        submitted
            .subject
            .contains("supplier organisation sophie@microtech.example")
    );
    assert_links(&submitted, &format!("/backoffice/profiles/{org}"));
    app.post_if_match(
        &format!("/api/v1/backoffice/profiles/{org}/approve"),
        Some(&expert),
        version,
        json!({ "comment": "Vérifié" }),
    )
    .await
    .assert_status(200);
    let approved = mail
        .wait_for("sophie@microtech.example", "Votre profil est publié")
        .await;
    assert_language(&approved, "fr");
    assert_links(&approved, &format!("/suppliers/{org}"));

    // Changes requested (English supplier), the comment quoted verbatim
    // and escaped in HTML.
    let john = token(app, "john@sterilis.example").await;
    let me = app.get("/api/v1/me", Some(&john)).await;
    let english_org = me.assert_status(200)["organisation"]["id"]
        .as_str()
        .expect("org")
        .to_owned();
    app.put(
        &format!("/api/v1/organisations/{english_org}/profile"),
        Some(&john),
        sterilisation_profile(),
    )
    .await
    .assert_status(201);
    let version = app
        .post(
            &format!("/api/v1/organisations/{english_org}/profile/submit"),
            Some(&john),
            json!(null),
        )
        .await
        .assert_status(200)["version"]
        .clone();
    let comment = "Add your ISO 11137 <gamma> validation & the dose range.";
    app.post_if_match(
        &format!("/api/v1/backoffice/profiles/{english_org}/request-changes"),
        Some(&expert),
        version,
        json!({ "comment": comment }),
    )
    .await
    .assert_status(200);
    let changes = mail
        .wait_for("john@sterilis.example", "Changes requested on your profile")
        .await;
    assert_language(&changes, "en");
    assert_links(&changes, &format!("/suppliers/{english_org}"));
    assert!(changes.text.contains(comment), "{}", changes.text);
    assert!(
        changes
            .html
            .contains("ISO 11137 &lt;gamma&gt; validation &amp; the dose range."),
        "{}",
        changes.html
    );

    // Nothing was sent twice.
    let all = mail.all();
    assert_each_once(&all, all.len());
}

async fn certificates_expiring_within_30_days_are_reminded_once_to_the_supplier_and_experts(
    app: &TestApp,
    smtp: &mut SmtpServer,
) {
    let mail = smtp.outbox();
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let certificates = [
        iso_13485(&today_plus(-300), &today_plus(10)),
        iso_13485(&today_plus(-300), &today_plus(100)),
        iso_13485(&today_plus(-1000), &today_plus(-1)),
    ];
    let (_, org) = app
        .published_supplier(
            "sophie@microtech.example",
            &siret(1),
            micro_machining_profile(),
            &certificates,
            &expert,
        )
        .await;

    let reminder = mail
        .wait_for("sophie@microtech.example", "Certificat bientôt expiré")
        .await;
    assert_language(&reminder, "fr");
    assert_eq!(
        reminder.subject,
        "Certificat bientôt expiré : ISO 13485 (supplier organisation sophie@microtech.example)"
    );
    let due = chrono::Utc::now().date_naive() + chrono::TimeDelta::days(10);
    assert!(
        reminder.text.contains(&due.format("%d/%m/%Y").to_string()),
        "{}",
        reminder.text
    );
    assert_links(&reminder, &format!("/suppliers/{org}/certifications"));
    let to_expert = mail.wait_for("expert@pmt.example", "ISO 13485").await;
    assert_links(&to_expert, &format!("/suppliers/{org}/certifications"));

    // The job keeps running every second: still one reminder each, and
    // none for the certificate ending in 100 days or the expired one.
    app.reminders_settled(&app.base_url).await;
    app.reminders_settled(&app.base_url).await;
    let reminders: Vec<Email> = mail
        .all()
        .into_iter()
        .filter(|e| e.subject.contains("ISO 13485"))
        .collect();
    assert_each_once(&reminders, 2);
}

async fn an_opted_out_user_gets_security_emails_but_not_the_others(
    app: &TestApp,
    smtp: &mut SmtpServer,
) {
    let mail = smtp.outbox();
    let expert = app.back_office("expert", "expert@pmt.example").await;
    let registered = register_in(app, "supplier", "sophie@microtech.example", 1, "fr").await;
    let org = registered["organisation"]["id"]
        .as_str()
        .expect("org")
        .to_owned();
    let sophie = token(app, "sophie@microtech.example").await;
    app.patch(
        "/api/v1/me/preferences",
        Some(&sophie),
        json!({ "notifications_opt_out": true }),
    )
    .await
    .assert_status(200);

    app.put(
        &format!("/api/v1/organisations/{org}/profile"),
        Some(&sophie),
        micro_machining_profile(),
    )
    .await
    .assert_status(201);
    let version = app
        .post(
            &format!("/api/v1/organisations/{org}/profile/submit"),
            Some(&sophie),
            json!(null),
        )
        .await
        .assert_status(200)["version"]
        .clone();
    app.post_if_match(
        &format!("/api/v1/backoffice/profiles/{org}/approve"),
        Some(&expert),
        version,
        json!({ "comment": "Vérifié" }),
    )
    .await
    .assert_status(200);
    app.post(
        "/api/v1/auth/password-reset",
        None,
        json!({ "email": "sophie@microtech.example" }),
    )
    .await
    .assert_status(202);

    // Queued after the approval, the reset arrives; the approval never does.
    let reset = mail
        .wait_for(
            "sophie@microtech.example",
            "Réinitialisation de votre mot de passe",
        )
        .await;
    assert_links(&reset, "/reset-password?token=");
    mail.wait_for("expert@pmt.example", "Profil à valider")
        .await;
    app.emails_settled(&app.base_url).await;
    let to_sophie: Vec<String> = mail
        .all()
        .into_iter()
        .filter(|e| e.to == "sophie@microtech.example")
        .map(|e| e.subject)
        .collect();
    assert_eq!(
        to_sophie.len(),
        2,
        "verification and reset only: {to_sophie:?}"
    );
    assert!(
        !to_sophie.iter().any(|s| s.contains("profil")),
        "{to_sophie:?}"
    );
}

async fn an_smtp_outage_delays_emails_without_losing_or_duplicating_any(
    app: &TestApp,
    smtp: &mut SmtpServer,
) {
    let mail = smtp.outbox();
    let admin = app.back_office("admin", "admin@pmt.example").await;
    let users: Vec<String> = (1..=10)
        .map(|n| format!("user{n}@cardiodijon.example"))
        .collect();
    for (n, user) in (1..).zip(&users) {
        register_in(app, "buyer", user, n, "fr").await;
    }
    eventually(30, "10 verification emails", async || {
        (mail.all().len() == 10).then_some(())
    })
    .await;

    smtp.stop().await;
    for user in &users {
        app.post(
            "/api/v1/auth/password-reset",
            None,
            json!({ "email": user }),
        )
        .await
        .assert_status(202);
    }
    // Each reset has failed at least once and waits for a retry.
    let pending = eventually(30, "10 resets pending after a failed attempt", async || {
        let pending = notifications(app, &admin, "pending").await;
        let retried = pending
            .iter()
            .filter(|n| {
                n["kind"] == "password_reset"
                    && n["attempts"].as_i64() > Some(0)
                    && n["last_error"].is_string()
            })
            .count();
        (retried == 10).then_some(pending)
    })
    .await;
    assert!(
        pending
            .iter()
            .all(|n| users.contains(&n["recipient"].as_str().unwrap_or_default().to_owned()))
    );
    assert_eq!(mail.all().len(), 10, "nothing delivered during the outage");

    smtp.resume().await;
    eventually(60, "every reset delivered after the outage", async || {
        (mail.all().len() >= 20).then_some(())
    })
    .await;
    eventually(30, "the outbox drained", async || {
        let backlog = notifications(app, &admin, "pending").await.len()
            + notifications(app, &admin, "sending").await.len();
        (backlog == 0).then_some(())
    })
    .await;
    app.emails_settled(&app.base_url).await;
    let all = mail.all();
    assert_each_once(&all, 20);
    for user in &users {
        let resets = all
            .iter()
            .filter(|e| &e.to == user && e.subject.contains("mot de passe"))
            .count();
        assert_eq!(resets, 1, "{user}");
    }
}

async fn a_failed_email_is_listed_and_delivered_once_after_an_admin_retry(
    app: &TestApp,
    smtp: &mut SmtpServer,
) {
    let mail = smtp.outbox();
    let admin = app.back_office("admin", "admin@pmt.example").await;
    register_in(app, "buyer", "claire@cardiodijon.example", 1, "en").await;
    mail.wait_for("claire@cardiodijon.example", "Confirm your email address")
        .await;

    smtp.stop().await;
    app.post(
        "/api/v1/auth/password-reset",
        None,
        json!({ "email": "claire@cardiodijon.example" }),
    )
    .await
    .assert_status(202);
    let failed = eventually(30, "the reset failed for good", async || {
        notifications(app, &admin, "failed")
            .await
            .into_iter()
            .find(|n| n["kind"] == "password_reset")
    })
    .await;
    assert_eq!(failed["recipient"], "claire@cardiodijon.example");
    assert_eq!(failed["attempts"], 2);
    assert!(failed["last_error"].is_string());
    assert!(notifications(app, &admin, "pending").await.is_empty());
    let id = failed["id"].as_str().expect("id").to_owned();

    // Only a failed message can be retried.
    let sent = notifications(app, &admin, "sent").await;
    let verification = sent[0]["id"].as_str().expect("id");
    app.post(
        &format!("/api/v1/admin/notifications/{verification}/retry"),
        Some(&admin),
        json!(null),
    )
    .await
    .assert_problem(409, "notification_not_failed");
    app.post(
        "/api/v1/admin/notifications/00000000-0000-0000-0000-000000000000/retry",
        Some(&admin),
        json!(null),
    )
    .await
    .assert_problem(404, "not_found");

    smtp.resume().await;
    app.post(
        &format!("/api/v1/admin/notifications/{id}/retry"),
        Some(&admin),
        json!(null),
    )
    .await
    .assert_status(202);
    let reset = mail
        .wait_for("claire@cardiodijon.example", "Reset your password")
        .await;
    assert_eq!(reset.message_id, format!("{id}@pmt-business"));
    eventually(10, "the retried message marked sent", async || {
        notifications(app, &admin, "sent")
            .await
            .iter()
            .any(|n| n["id"] == id.as_str())
            .then_some(())
    })
    .await;
    app.post(
        &format!("/api/v1/admin/notifications/{id}/retry"),
        Some(&admin),
        json!(null),
    )
    .await
    .assert_problem(409, "notification_not_failed");
    app.emails_settled(&app.base_url).await;
    assert_each_once(&mail.all(), 2);
}

with_smtp_on_both_backends!(account_and_profile_emails_reach_the_smtp_server_in_each_recipients_language env [], certificates_expiring_within_30_days_are_reminded_once_to_the_supplier_and_experts env [], an_opted_out_user_gets_security_emails_but_not_the_others env [], an_smtp_outage_delays_emails_without_losing_or_duplicating_any env [], a_failed_email_is_listed_and_delivered_once_after_an_admin_retry env [("NOTIFY_MAX_ATTEMPTS", "2")]);

/// Several server instances on one PostgreSQL database: both workers claim
/// from the same outbox, and each message is delivered exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgresql_deliver_each_email_exactly_once() {
    let mut smtp = SmtpServer::start().await;
    let app = spawn(Backend::Postgres, &smtp, &[]).await;
    let (_sibling, sibling_url) = app.spawn_sibling(&[]).await;
    let mail = smtp.outbox();

    // Fifteen registrations, half of them through the second instance.
    let users: Vec<String> = (1..=15)
        .map(|n| format!("user{n}@cardiodijon.example"))
        .collect();
    for (n, user) in (1..).zip(&users) {
        let base = if n % 2 == 0 {
            sibling_url.as_str()
        } else {
            app.base_url.as_str()
        };
        app.client
            .post(format!("{base}/api/v1/auth/register"))
            .json(&registration("buyer", user, &siret(n)))
            .send()
            .await
            .expect("register")
            .error_for_status()
            .expect("registered");
    }
    // A burst queued while the mail server is down, so that both workers
    // race for the same backlog when it comes back.
    smtp.stop().await;
    for user in &users {
        app.post(
            "/api/v1/auth/password-reset",
            None,
            json!({ "email": user }),
        )
        .await
        .assert_status(202);
    }
    smtp.resume().await;

    eventually(90, "30 emails delivered", async || {
        (mail.all().len() >= 30).then_some(())
    })
    .await;
    app.emails_settled(&app.base_url).await;
    app.emails_settled(&sibling_url).await;
    assert_each_once(&mail.all(), 30);
}
