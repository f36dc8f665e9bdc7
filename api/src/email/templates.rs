//! Email content in French and English. Each message has a subject, a few
//! paragraphs and an optional call-to-action link; the plain-text and HTML
//! parts are rendered from them with minijinja, whose HTML auto-escaping
//! keeps user-supplied text inert. Comments, questions and answers are
//! quoted verbatim; their line breaks are kept in both parts.
//!
//! Templates read the fields of their `Mail` variant (and `recipient_name`)
//! in strict mode: a variable a mail does not carry fails the render (and
//! the unit tests, which render every mail in both languages) instead of
//! printing a blank.

use domain::account::Language;
use domain::notification::NotificationKind;
use minijinja::{Environment, UndefinedBehavior, context};
use serde_json::Value;

use crate::email::mail::Mail;

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

struct Wording {
    subject: &'static str,
    body: &'static str,
    action: Option<&'static str>,
}

fn wording(kind: NotificationKind, language: Language) -> Wording {
    use Language::{En, Fr};
    use NotificationKind::*;
    match (kind, language) {
        (VerifyEmail, Fr) => Wording {
            subject: "Confirmez votre adresse e-mail",
            body: "Bonjour {{ recipient_name }},\n\nBienvenue sur PMT Business. Confirmez votre adresse e-mail pour activer votre compte. Ce lien est valable 3 jours.",
            action: Some("Confirmer mon adresse"),
        },
        (VerifyEmail, En) => Wording {
            subject: "Confirm your email address",
            body: "Hello {{ recipient_name }},\n\nWelcome to PMT Business. Confirm your email address to activate your account. This link is valid for 3 days.",
            action: Some("Confirm my address"),
        },
        (PasswordReset, Fr) => Wording {
            subject: "Réinitialisation de votre mot de passe",
            body: "Bonjour {{ recipient_name }},\n\nUne réinitialisation de mot de passe a été demandée pour votre compte. Ce lien est valable une heure. Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.",
            action: Some("Choisir un nouveau mot de passe"),
        },
        (PasswordReset, En) => Wording {
            subject: "Reset your password",
            body: "Hello {{ recipient_name }},\n\nA password reset was requested for your account. This link is valid for one hour. If you did not ask for it, ignore this message.",
            action: Some("Choose a new password"),
        },
        (OrganisationInvitation, Fr) => Wording {
            subject: "{{ inviter }} vous invite à rejoindre {{ organisation }} sur PMT Business",
            body: "Bonjour,\n\n{{ inviter }} vous invite à rejoindre l'espace de {{ organisation }} sur PMT Business, la plateforme de mise en relation de la filière santé de Bourgogne-Franche-Comté. Cette invitation est valable 7 jours.",
            action: Some("Accepter l'invitation"),
        },
        (OrganisationInvitation, En) => Wording {
            subject: "{{ inviter }} invites you to join {{ organisation }} on PMT Business",
            body: "Hello,\n\n{{ inviter }} invites you to join {{ organisation }} on PMT Business, the sourcing platform of the Bourgogne-Franche-Comté health-tech cluster. This invitation is valid for 7 days.",
            action: Some("Accept the invitation"),
        },
        (ProfileSubmitted, Fr) => Wording {
            subject: "Profil à valider : {{ supplier }}",
            body: "Bonjour {{ recipient_name }},\n\nLe profil de {{ supplier }} a été soumis et attend votre validation.",
            action: Some("Examiner le profil"),
        },
        (ProfileSubmitted, En) => Wording {
            subject: "Profile to review: {{ supplier }}",
            body: "Hello {{ recipient_name }},\n\nThe profile of {{ supplier }} was submitted and awaits your review.",
            action: Some("Review the profile"),
        },
        (ProfileApproved, Fr) => Wording {
            subject: "Votre profil est publié",
            body: "Bonjour {{ recipient_name }},\n\nLe profil de {{ supplier }} a été validé par l'équipe du pôle et figure désormais dans l'annuaire PMT Business.",
            action: Some("Voir mon profil"),
        },
        (ProfileApproved, En) => Wording {
            subject: "Your profile is published",
            body: "Hello {{ recipient_name }},\n\nThe profile of {{ supplier }} was approved by the cluster team and is now listed in the PMT Business directory.",
            action: Some("See my profile"),
        },
        (ProfileChangesRequested, Fr) => Wording {
            subject: "Modifications demandées sur votre profil",
            body: "Bonjour {{ recipient_name }},\n\nL'équipe du pôle demande des modifications sur le profil de {{ supplier }} :\n\n{{ comment }}",
            action: Some("Modifier mon profil"),
        },
        (ProfileChangesRequested, En) => Wording {
            subject: "Changes requested on your profile",
            body: "Hello {{ recipient_name }},\n\nThe cluster team asks for changes to the profile of {{ supplier }}:\n\n{{ comment }}",
            action: Some("Edit my profile"),
        },
        (RequestSubmitted, Fr) => Wording {
            subject: "Demande à qualifier : {{ request_title }}",
            body: "Bonjour {{ recipient_name }},\n\nUne nouvelle demande de sourcing, « {{ request_title }} », a été soumise et attend votre qualification.",
            action: Some("Qualifier la demande"),
        },
        (RequestSubmitted, En) => Wording {
            subject: "Request to qualify: {{ request_title }}",
            body: "Hello {{ recipient_name }},\n\nA new sourcing request, “{{ request_title }}”, was submitted and awaits your qualification.",
            action: Some("Qualify the request"),
        },
        (RequestQualified, Fr) => Wording {
            subject: "Votre demande « {{ request_title }} » est qualifiée",
            body: "Bonjour {{ recipient_name }},\n\nL'équipe du pôle a qualifié votre demande « {{ request_title }} ». Elle passe à l'étape suivante : la sélection des fournisseurs à consulter.{% if comment %}\n\nCommentaire de l'expert :\n{{ comment }}{% endif %}",
            action: Some("Suivre ma demande"),
        },
        (RequestQualified, En) => Wording {
            subject: "Your request “{{ request_title }}” is qualified",
            body: "Hello {{ recipient_name }},\n\nThe cluster team qualified your request “{{ request_title }}”. It moves on to the selection of the suppliers to consult.{% if comment %}\n\nThe expert's comment:\n{{ comment }}{% endif %}",
            action: Some("Follow my request"),
        },
        (RequestChangesRequested, Fr) => Wording {
            subject: "Modifications demandées sur votre demande « {{ request_title }} »",
            body: "Bonjour {{ recipient_name }},\n\nAvant de qualifier votre demande « {{ request_title }} », l'équipe du pôle vous demande de la compléter :\n\n{{ comment }}",
            action: Some("Modifier ma demande"),
        },
        (RequestChangesRequested, En) => Wording {
            subject: "Changes requested on your request “{{ request_title }}”",
            body: "Hello {{ recipient_name }},\n\nBefore qualifying your request “{{ request_title }}”, the cluster team asks you to complete it:\n\n{{ comment }}",
            action: Some("Edit my request"),
        },
        (RequestRejected, Fr) => Wording {
            subject: "Votre demande « {{ request_title }} » n'a pas été retenue",
            body: "Bonjour {{ recipient_name }},\n\nL'équipe du pôle ne peut pas donner suite à votre demande « {{ request_title }} », pour la raison suivante :\n\n{{ comment }}",
            action: Some("Voir ma demande"),
        },
        (RequestRejected, En) => Wording {
            subject: "Your request “{{ request_title }}” was declined",
            body: "Hello {{ recipient_name }},\n\nThe cluster team cannot take your request “{{ request_title }}” further, for the following reason:\n\n{{ comment }}",
            action: Some("See my request"),
        },
        (InvitationToQuote, Fr) => Wording {
            subject: "Invitation à répondre : {{ request_title }}",
            body: "Bonjour {{ recipient_name }},\n\nL'équipe du pôle vous invite à répondre à la demande de sourcing « {{ request_title }} ». Merci de déposer votre réponse avant le {{ deadline }}.",
            action: Some("Consulter la demande"),
        },
        (InvitationToQuote, En) => Wording {
            subject: "Invitation to quote: {{ request_title }}",
            body: "Hello {{ recipient_name }},\n\nThe cluster team invites you to answer the sourcing request “{{ request_title }}”. Please submit your answer by {{ deadline }}.",
            action: Some("View the request"),
        },
        (QuestionAnswered, Fr) => Wording {
            subject: "Question et réponse publiées : {{ request_title }}",
            body: "Bonjour {{ recipient_name }},\n\nUne question posée sur la demande « {{ request_title }} » a reçu une réponse, communiquée à tous les fournisseurs consultés.\n\nQuestion :\n{{ question }}\n\nRéponse :\n{{ answer }}",
            action: Some("Consulter la demande"),
        },
        (QuestionAnswered, En) => Wording {
            subject: "Question answered: {{ request_title }}",
            body: "Hello {{ recipient_name }},\n\nA question about the request “{{ request_title }}” was answered; the answer is shared with every consulted supplier.\n\nQuestion:\n{{ question }}\n\nAnswer:\n{{ answer }}",
            action: Some("View the request"),
        },
        (AnswerReceived, Fr) => Wording {
            subject: "{% if revision and revision > 1 %}Réponse révisée{% else %}Nouvelle réponse{% endif %} de {{ supplier }} : {{ request_title }}",
            body: "Bonjour {{ recipient_name }},\n\n{% if revision and revision > 1 %}{{ supplier }} a révisé sa réponse à votre demande « {{ request_title }} » (version {{ revision }}).{% else %}{{ supplier }} a répondu à votre demande « {{ request_title }} ».{% endif %}",
            action: Some("Voir la réponse"),
        },
        (AnswerReceived, En) => Wording {
            subject: "{% if revision and revision > 1 %}Revised answer{% else %}New answer{% endif %} from {{ supplier }}: {{ request_title }}",
            body: "Hello {{ recipient_name }},\n\n{% if revision and revision > 1 %}{{ supplier }} revised its answer to your request “{{ request_title }}” (version {{ revision }}).{% else %}{{ supplier }} answered your request “{{ request_title }}”.{% endif %}",
            action: Some("See the answer"),
        },
        (DeadlineApproaching, Fr) => Wording {
            subject: "Date limite proche : {{ request_title }}",
            body: "Bonjour {{ recipient_name }},\n\nLa date limite de réponse à la demande « {{ request_title }} » est fixée au {{ deadline }} et nous n'avons pas encore reçu votre réponse.",
            action: Some("Répondre à la demande"),
        },
        (DeadlineApproaching, En) => Wording {
            subject: "Deadline approaching: {{ request_title }}",
            body: "Hello {{ recipient_name }},\n\nThe deadline to answer the request “{{ request_title }}” is {{ deadline }}, and we have not received your answer yet.",
            action: Some("Answer the request"),
        },
        (Awarded, Fr) => Wording {
            subject: "Votre réponse est retenue : {{ request_title }}",
            body: "Bonjour {{ recipient_name }},\n\nBonne nouvelle : le donneur d'ordres a retenu votre réponse à la demande « {{ request_title }} ». Il prendra contact avec vous pour la suite.",
            action: Some("Voir la demande"),
        },
        (Awarded, En) => Wording {
            subject: "Your answer was selected: {{ request_title }}",
            body: "Hello {{ recipient_name }},\n\nGood news: the buyer selected your answer to the request “{{ request_title }}”. They will contact you about the next steps.",
            action: Some("View the request"),
        },
        (NotSelected, Fr) => Wording {
            subject: "Réponse non retenue : {{ request_title }}",
            body: "Bonjour {{ recipient_name }},\n\nLe donneur d'ordres a retenu une autre offre pour la demande « {{ request_title }} ». Merci du temps consacré à votre réponse ; d'autres consultations suivront sur PMT Business.",
            action: Some("Voir la demande"),
        },
        (NotSelected, En) => Wording {
            subject: "Answer not selected: {{ request_title }}",
            body: "Hello {{ recipient_name }},\n\nThe buyer chose another offer for the request “{{ request_title }}”. Thank you for the time you spent on your answer; more requests will follow on PMT Business.",
            action: Some("View the request"),
        },
        (CertificationExpiring, Fr) => Wording {
            subject: "Certificat bientôt expiré : {{ certification }} ({{ supplier }})",
            body: "Bonjour {{ recipient_name }},\n\nLe certificat {{ certification }} de {{ supplier }} arrive à échéance le {{ valid_until }}. Le certificat renouvelé doit être déclaré pour continuer à figurer sur le profil publié dans l'annuaire.",
            action: Some("Mettre à jour les certificats"),
        },
        (CertificationExpiring, En) => Wording {
            subject: "Certificate expiring soon: {{ certification }} ({{ supplier }})",
            body: "Hello {{ recipient_name }},\n\nThe {{ certification }} certificate of {{ supplier }} expires on {{ valid_until }}. The renewed certificate must be declared to keep appearing on the published directory profile.",
            action: Some("Update the certificates"),
        },
        (InvitationExistingAccount, Fr) => Wording {
            subject: "{{ inviter }} a voulu vous inviter à rejoindre {{ organisation }}",
            body: "Bonjour {{ recipient_name }},\n\n{{ inviter }} a voulu vous inviter à rejoindre l'espace de {{ organisation }} sur PMT Business, mais votre adresse a déjà un compte. Une adresse ne peut appartenir qu'à une organisation : connectez-vous avec votre compte, ou demandez à l'équipe du pôle de vous rattacher à {{ organisation }}. Si vous ne connaissez pas cette organisation, ignorez ce message.",
            action: Some("Me connecter"),
        },
        (InvitationExistingAccount, En) => Wording {
            subject: "{{ inviter }} tried to invite you to join {{ organisation }}",
            body: "Hello {{ recipient_name }},\n\n{{ inviter }} tried to invite you to join {{ organisation }} on PMT Business, but your address already has an account. An address belongs to one organisation: log in with your account, or ask the cluster team to move you to {{ organisation }}. If you do not know this organisation, ignore this message.",
            action: Some("Log in"),
        },
        (SupplierWithdrawn, Fr) => Wording {
            subject: "Un fournisseur ne participe plus à « {{ request_title }} »",
            body: "Bonjour {{ recipient_name }},\n\nL'équipe du pôle a suspendu un fournisseur invité à votre demande « {{ request_title }} » : son invitation est retirée et il ne peut plus y répondre. Ses réponses déjà envoyées restent visibles dans l'historique.",
            action: Some("Suivre ma demande"),
        },
        (SupplierWithdrawn, En) => Wording {
            subject: "A supplier no longer takes part in “{{ request_title }}”",
            body: "Hello {{ recipient_name }},\n\nThe cluster team suspended a supplier invited to your request “{{ request_title }}”: its invitation is withdrawn and it can no longer answer. Answers it already sent stay in the history.",
            action: Some("Follow my request"),
        },
        (WebhookDisabled, Fr) => Wording {
            subject: "Webhook désactivé : {{ url }}",
            body: "Bonjour {{ recipient_name }},\n\nDepuis trois jours, chaque envoi d'événements de PMT Business vers {{ url }} a échoué : ce webhook est désactivé et ne reçoit plus rien. Le journal des envois dit pourquoi ; une fois le point d'accès réparé, réactivez-le puis rejouez les envois manqués.",
            action: Some("Voir mes webhooks"),
        },
        (WebhookDisabled, En) => Wording {
            subject: "Webhook disabled: {{ url }}",
            body: "Hello {{ recipient_name }},\n\nFor three days, every delivery of PMT Business events to {{ url }} failed: this webhook is disabled and receives nothing more. The delivery log says why; once the endpoint is fixed, resume it and replay the missed deliveries.",
            action: Some("See my webhooks"),
        },
    }
}

const TEXT_LAYOUT: &str = "{{ body }}\n{% if action %}\n{{ action }} : {{ link }}\n{% endif %}\n-- \nPMT Business\n{{ footer }}\n";

const HTML_LAYOUT: &str = r#"<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body style="font-family: sans-serif; color: #1d2b36; max-width: 40em; margin: auto">
{% for paragraph in paragraphs %}<p style="white-space: pre-line">{{ paragraph }}</p>
{% endfor %}{% if action %}<p><a href="{{ link }}" style="background: #005f73; color: #fff; padding: .6em 1.2em; text-decoration: none; border-radius: 4px">{{ action }}</a></p>
<p style="font-size: small">{{ link }}</p>
{% endif %}<hr><p style="font-size: small">PMT Business · {{ footer }}</p>
</body></html>
"#;

/// What an in-app notification shows: the email's subject and the label
/// of its button, the same words in the same language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headline {
    pub title: String,
    pub action: Option<&'static str>,
}

/// The headline of `mail` in `language` (its subject greets no one, so no
/// name is needed).
pub fn headline(mail: &Mail, language: Language) -> Result<Headline, minijinja::Error> {
    let copy = wording(mail.kind(), language);
    let mut plain = Environment::new();
    plain.set_undefined_behavior(UndefinedBehavior::Strict);
    let title = plain
        .render_str(copy.subject, mail.fields())?
        .replace(['\r', '\n'], " ");
    Ok(Headline {
        title,
        action: copy.action,
    })
}

/// Renders `mail` in `language`, greeting `recipient_name` when the mail
/// greets by name (see `Mail::greets_by_name`).
pub fn render(
    mail: &Mail,
    recipient_name: Option<&str>,
    language: Language,
) -> Result<Rendered, minijinja::Error> {
    let copy = wording(mail.kind(), language);
    let mut vars = mail.fields();
    if let Some(name) = recipient_name {
        vars.insert("recipient_name".to_owned(), Value::from(name));
    }
    let link = mail.link();
    // Subjects and bodies are plain text: no escaping at this stage.
    let mut plain = Environment::new();
    plain.set_undefined_behavior(UndefinedBehavior::Strict);
    let subject = plain
        .render_str(copy.subject, &vars)?
        .replace(['\r', '\n'], " ");
    let body = plain.render_str(copy.body, &vars)?;
    let footer = match language {
        Language::Fr => "Pôle de compétitivité santé de Bourgogne-Franche-Comté",
        Language::En => "Bourgogne-Franche-Comté health-tech competitiveness cluster",
    };
    let text = plain.render_str(
        TEXT_LAYOUT,
        context! { body, action => copy.action, link, footer },
    )?;

    let mut html_env = Environment::new();
    html_env.set_undefined_behavior(UndefinedBehavior::Strict);
    html_env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    let paragraphs: Vec<&str> = body.split("\n\n").collect();
    // minijinja's escaping also turns `/` into `&#x2f;`, harmless in text
    // but it makes links unreadable in the source; the link is escaped here
    // for an attribute instead, and only http(s) links are kept.
    let link = if link.starts_with("https://") || link.starts_with("http://") {
        minijinja::Value::from_safe_string(escape_attribute(link))
    } else {
        minijinja::Value::from("")
    };
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

/// Escapes text for a double-quoted HTML attribute or element content.
fn escape_attribute(raw: &str) -> String {
    let mut escaped = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::mail::tests::samples;

    const LANGUAGES: [Language; 2] = [Language::Fr, Language::En];

    fn name_for(mail: &Mail) -> Option<&'static str> {
        mail.greets_by_name().then_some("Claire")
    }

    #[test]
    fn every_mail_renders_in_both_languages_with_its_fields_and_link() {
        for mail in samples() {
            for language in LANGUAGES {
                let rendered = render(&mail, name_for(&mail), language)
                    .unwrap_or_else(|e| panic!("{:?} {language:?}: {e:#}", mail.kind()));
                assert!(!rendered.subject.is_empty());
                for part in [&rendered.text, &rendered.html] {
                    assert!(
                        part.contains("https://pmt.example/x?token=abc"),
                        "{:?} {language:?}",
                        mail.kind()
                    );
                }
                if mail.greets_by_name() {
                    assert!(
                        rendered.text.contains("Claire"),
                        "{:?} {language:?}",
                        mail.kind()
                    );
                }
                // Every field the mail carries is printed: none is dropped
                // by a template that forgot it.
                for (field, value) in mail.fields() {
                    let text = match value {
                        Value::String(text) => text,
                        Value::Number(n) if field == "revision" => n.to_string(),
                        Value::Null | Value::Number(_) => continue,
                        other => panic!("{field}: {other}"),
                    };
                    assert!(
                        rendered.text.contains(&text),
                        "{:?} {language:?} does not print {field}",
                        mail.kind()
                    );
                }
            }
        }
    }

    /// Strict mode: a template asking for a variable its mail does not
    /// carry fails, in tests, instead of mailing a blank. The name to
    /// greet is the one variable that comes from outside the mail.
    #[test]
    fn an_in_app_headline_is_the_emails_subject_and_button() {
        for mail in samples() {
            for language in LANGUAGES {
                let email = render(&mail, name_for(&mail), language).expect("renders");
                let headline = headline(&mail, language).expect("renders without a name");
                assert_eq!(
                    headline.title,
                    email.subject,
                    "{:?} {language:?}",
                    mail.kind()
                );
                let action = headline.action.expect("every mail has a button");
                assert!(
                    email.text.contains(action),
                    "{:?} {language:?}",
                    mail.kind()
                );
            }
        }
    }

    #[test]
    fn a_missing_variable_fails_the_render() {
        for mail in samples() {
            for language in LANGUAGES {
                let without_name = render(&mail, None, language);
                assert_eq!(
                    without_name.is_err(),
                    mail.greets_by_name(),
                    "{:?} {language:?}: greets_by_name disagrees with the template",
                    mail.kind()
                );
            }
        }
        let error = Environment::new()
            .render_str("Hello {{ supplier }}", context! {})
            .map(|_| ());
        assert!(
            error.is_ok(),
            "lenient by default: hence the strict setting"
        );
        let mut strict = Environment::new();
        strict.set_undefined_behavior(UndefinedBehavior::Strict);
        assert!(
            strict
                .render_str("Hello {{ supplier }}", context! {})
                .is_err()
        );
    }

    #[test]
    fn comments_questions_and_answers_are_quoted_verbatim_and_escaped() {
        let link = || "https://pmt.example/r/1".to_owned();
        let title = || "Boîtier <PEEK>".to_owned();
        let comment = "Précisez le volume annuel\net la norme visée.";
        let question = "Stérilisation <EtO> acceptée ?";
        let answer = "Oui, & rayons gamma aussi.";
        let cases = [
            (
                Mail::RequestQualified {
                    request_title: title(),
                    comment: Some(comment.into()),
                    link: link(),
                },
                vec![comment],
            ),
            (
                Mail::RequestChangesRequested {
                    request_title: title(),
                    comment: comment.into(),
                    link: link(),
                },
                vec![comment],
            ),
            (
                Mail::RequestRejected {
                    request_title: title(),
                    comment: comment.into(),
                    link: link(),
                },
                vec![comment],
            ),
            (
                Mail::QuestionAnswered {
                    request_title: title(),
                    question: question.into(),
                    answer: answer.into(),
                    link: link(),
                },
                vec![question, answer],
            ),
        ];
        for (mail, quoted) in cases {
            for language in LANGUAGES {
                let rendered = render(&mail, Some("Claire"), language).expect("renders");
                for value in &quoted {
                    assert!(
                        rendered.text.contains(value),
                        "{:?} {language:?}",
                        mail.kind()
                    );
                }
                assert!(!rendered.html.contains("<PEEK>") && !rendered.html.contains("<EtO>"));
                assert!(
                    rendered.html.contains("Boîtier &lt;PEEK&gt;"),
                    "{:?} {language:?}",
                    mail.kind()
                );
            }
        }
        let qualified = Mail::RequestQualified {
            request_title: "X".into(),
            comment: None,
            link: "https://x".into(),
        };
        for language in LANGUAGES {
            let rendered = render(&qualified, Some("Claire"), language)
                .expect("renders without the optional comment");
            assert!(!rendered.text.contains("Commentaire") && !rendered.text.contains("comment"));
        }
        let answer = |revision| Mail::AnswerReceived {
            request_title: "X".into(),
            supplier: "Usinage Doubs".into(),
            revision,
            link: "https://x".into(),
        };
        let revised = render(&answer(2), Some("Claire"), Language::En).expect("renders");
        assert!(
            revised
                .subject
                .starts_with("Revised answer from Usinage Doubs")
        );
        assert!(revised.text.contains("(version 2)"));
        let first = render(&answer(1), Some("Claire"), Language::En).expect("renders");
        assert!(first.subject.starts_with("New answer from Usinage Doubs"));
        assert!(!first.text.contains("version"));
    }

    #[test]
    fn user_supplied_text_is_escaped_in_html() {
        let mail = Mail::VerifyEmail {
            link: "https://x.example".into(),
        };
        let rendered =
            render(&mail, Some("<script>alert(1)</script>"), Language::En).expect("renders");
        assert!(!rendered.html.contains("<script>"));
        assert!(rendered.html.contains("&lt;script&gt;"));
        assert!(
            rendered.text.contains("<script>"),
            "plain text carries the text as is"
        );
    }

    #[test]
    fn links_are_readable_and_inert_in_html() {
        let mail = Mail::VerifyEmail {
            link: "https://pmt.example/a?token=x&b=\"><script>".into(),
        };
        let rendered = render(&mail, Some("C"), Language::En).expect("renders");
        assert!(
            rendered
                .html
                .contains(r#"href="https://pmt.example/a?token=x&amp;b=&quot;&gt;&lt;script&gt;""#),
            "{}",
            rendered.html
        );
        let mail = Mail::VerifyEmail {
            link: "javascript:alert(1)".into(),
        };
        let rendered = render(&mail, Some("C"), Language::En).expect("renders");
        assert!(!rendered.html.contains("javascript:"));
    }
}
