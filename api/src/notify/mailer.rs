//! Where emails go: an SMTP server (`SMTP_URL`) or, on a bare machine,
//! `.eml` files under the data directory.

use std::path::PathBuf;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::notify::templates::Rendered;

pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

impl Mailer {
    /// `smtp://host:port` (STARTTLS when offered... see lettre's URL rules:
    /// `smtp://` plain or with `?tls=required`, `smtps://` implicit TLS;
    /// credentials as `user:pass@`).
    pub fn smtp(url: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("SMTP_URL: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(10)))
            .build();
        Ok(Self::Smtp(transport))
    }

    pub fn files(dir: PathBuf) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(Self::Files(dir))
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Smtp(_) => "SMTP".to_owned(),
            Self::Files(dir) => format!("files in {}", dir.display()),
        }
    }

    pub async fn send(
        &self,
        id: &str,
        from: &str,
        to: &str,
        content: &Rendered,
    ) -> anyhow::Result<()> {
        let message = Message::builder()
            .from(from.parse::<Mailbox>()?)
            .to(to.parse::<Mailbox>()?)
            .subject(&content.subject)
            // Lets the receiving side (and tests) tell redeliveries apart.
            .message_id(Some(format!("<{id}@pmt-business>")))
            .multipart(MultiPart::alternative_plain_html(
                content.text.clone(),
                content.html.clone(),
            ))?;
        match self {
            Self::Smtp(transport) => {
                transport.send(message).await?;
            }
            Self::Files(dir) => {
                // Write then rename: a reader never sees half a message.
                let tmp = dir.join(format!(".{id}.tmp"));
                let path = dir.join(format!("{id}.eml"));
                tokio::fs::write(&tmp, message.formatted()).await?;
                tokio::fs::rename(&tmp, &path).await?;
            }
        }
        Ok(())
    }
}
