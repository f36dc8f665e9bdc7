//! Reading the emails a server sent: `.eml` files of the file outbox, or a
//! maildir written by a real SMTP server.

use std::path::PathBuf;
use std::time::Duration;

use mail_parser::MessageParser;

#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
    pub content_language_hint: String,
}

impl Email {
    /// The token of the first link containing `path?token=`.
    pub fn token_for(&self, path: &str) -> String {
        let marker = format!("{path}?token=");
        let start = self
            .text
            .find(&marker)
            .unwrap_or_else(|| panic!("no {marker} link in {}", self.text))
            + marker.len();
        self.text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }
}

pub enum Outbox {
    Files(PathBuf),
    Maildir(PathBuf),
}

impl Outbox {
    fn files(&self) -> Vec<PathBuf> {
        let dirs = match self {
            Self::Files(dir) => vec![dir.clone()],
            Self::Maildir(dir) => vec![dir.join("new"), dir.join("cur")],
        };
        let mut files: Vec<PathBuf> = dirs
            .iter()
            .filter_map(|dir| std::fs::read_dir(dir).ok())
            .flatten()
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| {
                !path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        files.sort();
        files
    }

    pub fn all(&self) -> Vec<Email> {
        self.files()
            .iter()
            .filter_map(|path| std::fs::read(path).ok())
            .filter_map(|raw| parse(&raw))
            .collect()
    }

    /// Waits (up to 15 s) for the latest email to `to` with a `path?token=`
    /// link, e.g. the verification link of a new account.
    pub async fn wait_for_link(&self, to: &str, path: &str) -> Email {
        let marker = format!("{path}?token=");
        for _ in 0..150 {
            if let Some(email) = self
                .all()
                .into_iter()
                .rev()
                .find(|e| e.to == to && e.text.contains(&marker))
            {
                return email;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no email to {to} with a {marker} link");
    }

    /// Waits (up to 15 s) for an email to `to` whose subject contains `subject`.
    pub async fn wait_for(&self, to: &str, subject: &str) -> Email {
        for _ in 0..150 {
            if let Some(email) = self
                .all()
                .into_iter()
                .find(|e| e.to == to && e.subject.contains(subject))
            {
                return email;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let seen: Vec<_> = self.all().into_iter().map(|e| (e.to, e.subject)).collect();
        panic!("no email to {to} about {subject:?}; seen: {seen:?}");
    }
}

fn parse(raw: &[u8]) -> Option<Email> {
    let message = MessageParser::default().parse(raw)?;
    let to = message.to()?.first()?.address()?.to_owned();
    let html = message
        .body_html(0)
        .map(|h| h.into_owned())
        .unwrap_or_default();
    let lang = html
        .split("lang=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned();
    Some(Email {
        to,
        subject: message.subject().unwrap_or_default().to_owned(),
        text: message
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default(),
        html,
        message_id: message.message_id().unwrap_or_default().to_owned(),
        content_language_hint: lang,
    })
}
