//! Email content in French and English. Each message has a subject, a few
//! paragraphs and an optional call-to-action link; the plain-text and HTML
//! parts are rendered from them with minijinja, whose HTML auto-escaping
//! keeps user-supplied text inert.

use domain::account::Language;
use domain::notification::NotificationKind;
use minijinja::{Environment, context};
use serde_json::Value;

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

struct Copy {
    subject: &'static str,
    body: &'static str,
    action: Option<&'static str>,
}

fn copy(kind: NotificationKind, language: Language) -> Copy {
    use Language::{En, Fr};
    use NotificationKind::*;
    match (kind, language) {
        (VerifyEmail, Fr) => Copy {
            subject: "Confirmez votre adresse e-mail",
            body: "Bonjour {{ recipient_name }},\n\nBienvenue sur PMT Business. Confirmez votre adresse e-mail pour activer votre compte. Ce lien est valable 3 jours.",
            action: Some("Confirmer mon adresse"),
        },
        (VerifyEmail, En) => Copy {
            subject: "Confirm your email address",
            body: "Hello {{ recipient_name }},\n\nWelcome to PMT Business. Confirm your email address to activate your account. This link is valid for 3 days.",
            action: Some("Confirm my address"),
        },
        (PasswordReset, Fr) => Copy {
            subject: "Réinitialisation de votre mot de passe",
            body: "Bonjour {{ recipient_name }},\n\nUne réinitialisation de mot de passe a été demandée pour votre compte. Ce lien est valable une heure. Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.",
            action: Some("Choisir un nouveau mot de passe"),
        },
        (PasswordReset, En) => Copy {
            subject: "Reset your password",
            body: "Hello {{ recipient_name }},\n\nA password reset was requested for your account. This link is valid for one hour. If you did not ask for it, ignore this message.",
            action: Some("Choose a new password"),
        },
        (OrganisationInvitation, Fr) => Copy {
            subject: "{{ inviter }} vous invite à rejoindre {{ organisation }} sur PMT Business",
            body: "Bonjour,\n\n{{ inviter }} vous invite à rejoindre l'espace de {{ organisation }} sur PMT Business, la plateforme de mise en relation de la filière santé de Bourgogne-Franche-Comté. Cette invitation est valable 7 jours.",
            action: Some("Accepter l'invitation"),
        },
        (OrganisationInvitation, En) => Copy {
            subject: "{{ inviter }} invites you to join {{ organisation }} on PMT Business",
            body: "Hello,\n\n{{ inviter }} invites you to join {{ organisation }} on PMT Business, the sourcing platform of the Bourgogne-Franche-Comté health-tech cluster. This invitation is valid for 7 days.",
            action: Some("Accept the invitation"),
        },
        (ProfileSubmitted, Fr) => Copy {
            subject: "Profil à valider : {{ supplier }}",
            body: "Bonjour {{ recipient_name }},\n\nLe profil de {{ supplier }} a été soumis et attend votre validation.",
            action: Some("Examiner le profil"),
        },
        (ProfileSubmitted, En) => Copy {
            subject: "Profile to review: {{ supplier }}",
            body: "Hello {{ recipient_name }},\n\nThe profile of {{ supplier }} was submitted and awaits your review.",
            action: Some("Review the profile"),
        },
        (ProfileApproved, Fr) => Copy {
            subject: "Votre profil est publié",
            body: "Bonjour {{ recipient_name }},\n\nLe profil de {{ supplier }} a été validé par l'équipe du pôle et figure désormais dans l'annuaire PMT Business.",
            action: Some("Voir mon profil"),
        },
        (ProfileApproved, En) => Copy {
            subject: "Your profile is published",
            body: "Hello {{ recipient_name }},\n\nThe profile of {{ supplier }} was approved by the cluster team and is now listed in the PMT Business directory.",
            action: Some("See my profile"),
        },
        (ProfileChangesRequested, Fr) => Copy {
            subject: "Modifications demandées sur votre profil",
            body: "Bonjour {{ recipient_name }},\n\nL'équipe du pôle demande des modifications sur le profil de {{ supplier }} :\n\n{{ comment }}",
            action: Some("Modifier mon profil"),
        },
        (ProfileChangesRequested, En) => Copy {
            subject: "Changes requested on your profile",
            body: "Hello {{ recipient_name }},\n\nThe cluster team asks for changes to the profile of {{ supplier }}:\n\n{{ comment }}",
            action: Some("Edit my profile"),
        },
    }
}

const TEXT_LAYOUT: &str = "{{ body }}\n{% if action %}\n{{ action }} : {{ link }}\n{% endif %}\n-- \nPMT Business\n{{ footer }}\n";

const HTML_LAYOUT: &str = r#"<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body style="font-family: sans-serif; color: #1d2b36; max-width: 40em; margin: auto">
{% for paragraph in paragraphs %}<p>{{ paragraph }}</p>
{% endfor %}{% if action %}<p><a href="{{ link }}" style="background: #005f73; color: #fff; padding: .6em 1.2em; text-decoration: none; border-radius: 4px">{{ action }}</a></p>
<p style="font-size: small">{{ link }}</p>
{% endif %}<hr><p style="font-size: small">PMT Business · {{ footer }}</p>
</body></html>
"#;

pub fn render(
    kind: NotificationKind,
    language: Language,
    vars: &Value,
) -> Result<Rendered, minijinja::Error> {
    let copy = copy(kind, language);
    // Subjects and bodies are plain text: no escaping at this stage.
    let plain = Environment::new();
    let subject = plain
        .render_str(copy.subject, vars)?
        .replace(['\r', '\n'], " ");
    let body = plain.render_str(copy.body, vars)?;
    let footer = match language {
        Language::Fr => "Pôle de compétitivité santé de Bourgogne-Franche-Comté",
        Language::En => "Bourgogne-Franche-Comté health-tech competitiveness cluster",
    };
    let link = vars.get("link").and_then(Value::as_str).unwrap_or_default();
    let text = plain.render_str(
        TEXT_LAYOUT,
        context! { body, action => copy.action, link, footer },
    )?;

    let mut html_env = Environment::new();
    html_env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    let paragraphs: Vec<&str> = body.split("\n\n").collect();
    let html = html_env.render_str(
        HTML_LAYOUT,
        context! { lang => language.as_str(), subject, paragraphs, action => copy.action, link, footer },
    )?;
    Ok(Rendered {
        subject,
        text,
        html,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_renders_in_both_languages_with_its_link() {
        let vars = serde_json::json!({
            "recipient_name": "Claire", "link": "https://pmt.example/x?token=abc",
            "organisation": "Acme", "inviter": "Paul", "supplier": "Usinage Doubs", "comment": "Ajoutez vos certificats",
        });
        for kind in NotificationKind::ALL {
            for language in [Language::Fr, Language::En] {
                let rendered = render(kind, language, &vars).expect("renders");
                assert!(!rendered.subject.is_empty());
                assert!(
                    rendered.text.contains("https://pmt.example/x?token=abc"),
                    "{kind:?} {language:?}"
                );
                assert!(rendered.html.contains("https://pmt.example/x?token=abc"));
            }
        }
    }

    #[test]
    fn user_supplied_text_is_escaped_in_html() {
        let vars = serde_json::json!({ "recipient_name": "<script>alert(1)</script>", "link": "https://x.example" });
        let rendered = render(NotificationKind::VerifyEmail, Language::En, &vars).expect("renders");
        assert!(!rendered.html.contains("<script>"));
        assert!(rendered.html.contains("&lt;script&gt;"));
        assert!(
            rendered.text.contains("<script>"),
            "plain text carries the text as is"
        );
    }
}
