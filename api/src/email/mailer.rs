//! Where emails go: an SMTP server (`SMTP_URL`) or, on a bare machine,
//! `.eml` files under the data directory.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::email::templates::Rendered;

pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

impl Mailer {
    /// An SMTP transport from `SMTP_URL`, parsed by lettre:
    ///
    /// | URL | connection |
    /// |---|---|
    /// | `smtp://host:25` | plain (local relay, test server) |
    /// | `smtp://host:587?tls=required` | STARTTLS, refused if not offered |
    /// | `smtp://host:587?tls=opportunistic` | STARTTLS when offered |
    /// | `smtps://host:465` | implicit TLS |
    ///
    /// Credentials go in the user-info part (`smtp://user:pass@host`,
    /// percent-encoded) and are used for AUTH PLAIN/LOGIN; both a user and
    /// a password are needed. `timeout` bounds each SMTP command.
    pub fn smtp(url: &str, timeout: Duration) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("SMTP_URL: {e}"))?
            .timeout(Some(timeout))
            .build();
        Ok(Self::Smtp(transport))
    }

    pub fn files(dir: PathBuf) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(Self::Files(dir))
    }

    /// Reaches the SMTP server as a delivery does (connect, EHLO, STARTTLS
    /// or TLS as the URL says, AUTH with its credentials) and quits without
    /// sending; with files, checks that the directory takes one.
    pub async fn check(&self) -> anyhow::Result<()> {
        match self {
            Self::Smtp(transport) => {
                if !transport.test_connection().await? {
                    anyhow::bail!("the server closed the connection after EHLO");
                }
                Ok(())
            }
            Self::Files(dir) => {
                let probe = dir.join(".doctor-probe");
                std::fs::write(&probe, b"")?;
                std::fs::remove_file(&probe)?;
                Ok(())
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The domain's address rules never let through what this mailer refuses.
    #[test]
    fn every_address_the_domain_accepts_is_one_the_mailer_parses() {
        for raw in [
            "marie.curie@medtech.fr",
            "o'brien+rfq@cluster-bfc.example",
            "jose@universite-de-bourgogne.fr",
            "élodie@exemple.fr",
        ] {
            let email = domain::account::Email::parse(raw).expect(raw);
            assert!(email.as_str().parse::<lettre::Address>().is_ok(), "{raw}");
        }
    }

    #[test]
    fn smtp_urls_choose_tls_and_credentials() {
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://mailer:p%40ss@mail.example:587?tls=required",
            "smtp://mail.example?tls=opportunistic",
            "smtps://mailer:secret@mail.example",
        ] {
            assert!(
                Mailer::smtp(url, Duration::from_secs(5)).is_ok(),
                "{url} should be accepted"
            );
        }
        for url in ["smtp://mail.example?tls=sometimes", "smtp://"] {
            let error = Mailer::smtp(url, Duration::from_secs(5))
                .err()
                .map(|e| e.to_string());
            assert!(
                error.as_deref().is_some_and(|e| e.starts_with("SMTP_URL")),
                "{url}: {error:?}"
            );
        }
    }
}
