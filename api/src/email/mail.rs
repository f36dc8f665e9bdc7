//! What the platform emails: one variant per kind of email, with the fields
//! its templates print. A mail is queued in the outbox as its kind (the
//! row's `kind` column) and its fields (the JSON `payload`, with the name of
//! the recipient to greet), and read back from them by the delivery worker.
//! Fields are read by name, unknown ones ignored: rows queued before a field
//! was dropped stay deliverable.

use domain::notification::NotificationKind;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Every text is printed as it is (HTML-escaped in the HTML part); dates
/// are already formatted for the recipient's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "fields", rename_all = "snake_case")]
pub enum Mail {
    VerifyEmail {
        link: String,
    },
    PasswordReset {
        link: String,
    },
    /// To an address without an account: the only mail greeting no one by
    /// name.
    OrganisationInvitation {
        inviter: String,
        organisation: String,
        link: String,
    },
    ProfileSubmitted {
        supplier: String,
        link: String,
    },
    ProfileApproved {
        supplier: String,
        link: String,
    },
    ProfileChangesRequested {
        supplier: String,
        comment: String,
        link: String,
    },
    RequestSubmitted {
        request_title: String,
        link: String,
    },
    RequestQualified {
        request_title: String,
        /// The expert's optional comment.
        comment: Option<String>,
        link: String,
    },
    RequestChangesRequested {
        request_title: String,
        comment: String,
        link: String,
    },
    RequestRejected {
        request_title: String,
        comment: String,
        link: String,
    },
    InvitationToQuote {
        request_title: String,
        deadline: String,
        link: String,
    },
    QuestionAnswered {
        request_title: String,
        question: String,
        answer: String,
        link: String,
    },
    AnswerReceived {
        request_title: String,
        supplier: String,
        /// 1 for a first answer, then 2, 3... for revisions.
        revision: i32,
        link: String,
    },
    DeadlineApproaching {
        request_title: String,
        deadline: String,
        link: String,
    },
    Awarded {
        request_title: String,
        link: String,
    },
    NotSelected {
        request_title: String,
        link: String,
    },
    CertificationExpiring {
        supplier: String,
        certification: String,
        valid_until: String,
        link: String,
    },
    InvitationExistingAccount {
        inviter: String,
        organisation: String,
        link: String,
    },
    SupplierWithdrawn {
        request_title: String,
        link: String,
    },
    WebhookDisabled {
        url: String,
        link: String,
    },
}

/// The payload key of the recipient's name, next to the mail's fields.
const RECIPIENT_NAME: &str = "recipient_name";

/// A mail read back from the outbox, with the name it greets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub mail: Mail,
    pub recipient_name: Option<String>,
}

impl Mail {
    pub const fn kind(&self) -> NotificationKind {
        use NotificationKind as K;
        match self {
            Self::VerifyEmail { .. } => K::VerifyEmail,
            Self::PasswordReset { .. } => K::PasswordReset,
            Self::OrganisationInvitation { .. } => K::OrganisationInvitation,
            Self::ProfileSubmitted { .. } => K::ProfileSubmitted,
            Self::ProfileApproved { .. } => K::ProfileApproved,
            Self::ProfileChangesRequested { .. } => K::ProfileChangesRequested,
            Self::RequestSubmitted { .. } => K::RequestSubmitted,
            Self::RequestQualified { .. } => K::RequestQualified,
            Self::RequestChangesRequested { .. } => K::RequestChangesRequested,
            Self::RequestRejected { .. } => K::RequestRejected,
            Self::InvitationToQuote { .. } => K::InvitationToQuote,
            Self::QuestionAnswered { .. } => K::QuestionAnswered,
            Self::AnswerReceived { .. } => K::AnswerReceived,
            Self::DeadlineApproaching { .. } => K::DeadlineApproaching,
            Self::Awarded { .. } => K::Awarded,
            Self::NotSelected { .. } => K::NotSelected,
            Self::CertificationExpiring { .. } => K::CertificationExpiring,
            Self::InvitationExistingAccount { .. } => K::InvitationExistingAccount,
            Self::SupplierWithdrawn { .. } => K::SupplierWithdrawn,
            Self::WebhookDisabled { .. } => K::WebhookDisabled,
        }
    }

    /// The page the mail's button leads to.
    pub fn link(&self) -> &str {
        match self {
            Self::VerifyEmail { link }
            | Self::PasswordReset { link }
            | Self::OrganisationInvitation { link, .. }
            | Self::ProfileSubmitted { link, .. }
            | Self::ProfileApproved { link, .. }
            | Self::ProfileChangesRequested { link, .. }
            | Self::RequestSubmitted { link, .. }
            | Self::RequestQualified { link, .. }
            | Self::RequestChangesRequested { link, .. }
            | Self::RequestRejected { link, .. }
            | Self::InvitationToQuote { link, .. }
            | Self::QuestionAnswered { link, .. }
            | Self::AnswerReceived { link, .. }
            | Self::DeadlineApproaching { link, .. }
            | Self::Awarded { link, .. }
            | Self::NotSelected { link, .. }
            | Self::CertificationExpiring { link, .. }
            | Self::InvitationExistingAccount { link, .. }
            | Self::SupplierWithdrawn { link, .. }
            | Self::WebhookDisabled { link, .. } => link,
        }
    }

    /// Whether its templates greet the recipient by name: every mail but an
    /// invitation to an address without an account. The templates agree
    /// (a unit test renders each without a name).
    pub const fn greets_by_name(&self) -> bool {
        !matches!(self, Self::OrganisationInvitation { .. })
    }

    /// The fields, as the template variables and the outbox payload hold
    /// them.
    pub fn fields(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(mut tagged)) => match tagged.remove("fields") {
                Some(Value::Object(fields)) => fields,
                _ => Map::new(),
            },
            // Strings, numbers and options always serialise.
            _ => Map::new(),
        }
    }

    /// The outbox payload: the fields and the name to greet.
    pub fn payload(&self, recipient_name: Option<&str>) -> Value {
        let mut fields = self.fields();
        if let Some(name) = recipient_name {
            fields.insert(RECIPIENT_NAME.to_owned(), Value::from(name));
        }
        Value::Object(fields)
    }

    /// Reads back a mail queued as `kind` with `payload`.
    pub fn from_outbox(kind: NotificationKind, payload: &Value) -> serde_json::Result<Stored> {
        let mail =
            Self::deserialize(serde_json::json!({ "kind": kind.as_str(), "fields": payload }))?;
        let recipient_name = payload
            .get(RECIPIENT_NAME)
            .and_then(Value::as_str)
            .map(str::to_owned);
        Ok(Stored {
            mail,
            recipient_name,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use domain::account::Language;

    use super::*;

    /// One mail of each kind, with the texts tests look for.
    pub(crate) fn samples() -> Vec<Mail> {
        let link = || "https://pmt.example/x?token=abc".to_owned();
        let title = || "Boîtier en PEEK".to_owned();
        vec![
            Mail::VerifyEmail { link: link() },
            Mail::PasswordReset { link: link() },
            Mail::OrganisationInvitation {
                inviter: "Paul".into(),
                organisation: "Acme".into(),
                link: link(),
            },
            Mail::ProfileSubmitted {
                supplier: "Usinage Doubs".into(),
                link: link(),
            },
            Mail::ProfileApproved {
                supplier: "Usinage Doubs".into(),
                link: link(),
            },
            Mail::ProfileChangesRequested {
                supplier: "Usinage Doubs".into(),
                comment: "Ajoutez vos certificats".into(),
                link: link(),
            },
            Mail::RequestSubmitted {
                request_title: title(),
                link: link(),
            },
            Mail::RequestQualified {
                request_title: title(),
                comment: Some("Volume à préciser".into()),
                link: link(),
            },
            Mail::RequestChangesRequested {
                request_title: title(),
                comment: "Précisez le volume".into(),
                link: link(),
            },
            Mail::RequestRejected {
                request_title: title(),
                comment: "Hors filière".into(),
                link: link(),
            },
            Mail::InvitationToQuote {
                request_title: title(),
                deadline: "2026-12-15 12:00 UTC".into(),
                link: link(),
            },
            Mail::QuestionAnswered {
                request_title: title(),
                question: "Quelle tolérance ?".into(),
                answer: "±0,02 mm".into(),
                link: link(),
            },
            Mail::AnswerReceived {
                request_title: title(),
                supplier: "Usinage Doubs".into(),
                revision: 2,
                link: link(),
            },
            Mail::DeadlineApproaching {
                request_title: title(),
                deadline: "2026-12-15 12:00 UTC".into(),
                link: link(),
            },
            Mail::Awarded {
                request_title: title(),
                link: link(),
            },
            Mail::NotSelected {
                request_title: title(),
                link: link(),
            },
            Mail::CertificationExpiring {
                supplier: "Usinage Doubs".into(),
                certification: "ISO 13485".into(),
                valid_until: "31/12/2026".into(),
                link: link(),
            },
            Mail::InvitationExistingAccount {
                inviter: "Paul".into(),
                organisation: "Acme".into(),
                link: link(),
            },
            Mail::SupplierWithdrawn {
                request_title: title(),
                link: link(),
            },
            Mail::WebhookDisabled {
                url: "https://erp.example.com/hooks/pmt".into(),
                link: link(),
            },
        ]
    }

    #[test]
    fn the_samples_cover_every_kind_once() {
        let kinds: Vec<NotificationKind> = samples().iter().map(Mail::kind).collect();
        assert_eq!(kinds, NotificationKind::ALL);
    }

    #[test]
    fn a_mail_reads_back_from_its_kind_and_payload() {
        for mail in samples() {
            let tag = serde_json::to_value(&mail).expect("serialises")["kind"].clone();
            assert_eq!(
                tag,
                mail.kind().as_str(),
                "the serde tag is the stored kind"
            );
            for name in [Some("Claire"), None] {
                let stored = Mail::from_outbox(mail.kind(), &mail.payload(name)).expect("reads");
                assert_eq!(stored.mail, mail);
                assert_eq!(stored.recipient_name.as_deref(), name);
            }
        }
    }

    /// Payloads exactly as the untyped code queued them, extra keys and
    /// all: rows still in an outbox at the upgrade are delivered.
    #[test]
    fn rows_queued_before_typed_mails_still_read() {
        let rows = [
            (
                NotificationKind::RequestSubmitted,
                r#"{"request_title":"Boîtier","comment":null,"link":"https://x/requests/1","deadline":"2026-12-15 12:00 UTC","recipient_name":"Claire"}"#,
            ),
            (
                NotificationKind::RequestQualified,
                r#"{"request_title":"Boîtier","comment":null,"link":"https://x/requests/1","deadline":"2026-12-15 12:00 UTC","recipient_name":"Claire"}"#,
            ),
            (
                NotificationKind::ProfileApproved,
                r#"{"supplier":"Usinage Doubs","comment":null,"link":"https://x/suppliers/1","recipient_name":"Claire"}"#,
            ),
            (
                NotificationKind::OrganisationInvitation,
                r#"{"organisation":"Acme","inviter":"Paul","link":"https://x/accept-invitation?token=t"}"#,
            ),
            (
                NotificationKind::AnswerReceived,
                r#"{"request_title":"Boîtier","supplier":"Usinage Doubs","revision":1,"link":"https://x/requests/1","recipient_name":"Claire"}"#,
            ),
        ];
        for (kind, payload) in rows {
            let payload: Value = serde_json::from_str(payload).expect("json");
            let stored = Mail::from_outbox(kind, &payload).expect("reads");
            assert_eq!(stored.mail.kind(), kind);
            assert_eq!(
                stored.recipient_name.is_some(),
                stored.mail.greets_by_name()
            );
            for language in [Language::Fr, Language::En] {
                crate::email::templates::render(
                    &stored.mail,
                    stored.recipient_name.as_deref(),
                    language,
                )
                .expect("renders");
            }
        }
    }
}
