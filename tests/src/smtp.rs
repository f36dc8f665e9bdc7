//! A real SMTP server for the tests: Debian's `python3-aiosmtpd`, writing
//! every message it accepts to a maildir. It can be stopped and started
//! again on the same port and maildir, to simulate an outage.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

use crate::mail::Outbox;

/// aiosmtpd's maildir handler, delayed by `PMT_SMTP_DELAY_MS` before it
/// stores a message and answers 250.
const SLOW_MAILBOX: &str = r#"
import asyncio
import os

from aiosmtpd.handlers import Mailbox


class SlowMailbox(Mailbox):
    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(int(os.environ.get("PMT_SMTP_DELAY_MS", "0")) / 1000)
        return await super().handle_DATA(server, session, envelope)
"#;

/// Debian's interpreter, which has `aiosmtpd`; the `python3` on `PATH` may
/// be another one without it.
const PYTHON: &str = "/usr/bin/python3";

pub struct SmtpServer {
    pub port: u16,
    maildir: tempfile::TempDir,
    /// How long the server waits before accepting each message's data.
    delay: Duration,
    /// Dropping it stops the server (`kill_on_drop`).
    process: Option<Child>,
}

impl SmtpServer {
    /// Starts a server on a free port with an empty maildir.
    pub async fn start() -> Self {
        Self::start_slow(Duration::ZERO).await
    }

    /// A server that waits `delay` before accepting each message, so that a
    /// backlog takes a known minimum time to deliver.
    pub async fn start_slow(delay: Duration) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let maildir = tempfile::Builder::new()
            .prefix("pmt-smtp-")
            .tempdir()
            .expect("temp dir");
        std::fs::write(maildir.path().join("pmt_slow_mailbox.py"), SLOW_MAILBOX)
            .expect("write the slow handler");
        let mut server = Self {
            port,
            maildir,
            delay,
            process: None,
        };
        server.resume().await;
        server
    }

    /// `smtp://127.0.0.1:PORT`, for `SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Created by the server on first start (Python's `mailbox.Maildir`
    /// makes `tmp`, `new` and `cur` only for a directory that is not there).
    pub fn maildir(&self) -> PathBuf {
        self.maildir.path().join("maildir")
    }

    /// What the server received.
    pub fn outbox(&self) -> Outbox {
        Outbox::Maildir(self.maildir())
    }

    /// Stops the server: connections are refused until `resume`.
    pub async fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.kill().await.expect("stop the SMTP server");
        }
        for _ in 0..100 {
            if !self.accepts_connections().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the SMTP server still accepts connections after being stopped");
    }

    /// Starts the server again on the same port and maildir.
    pub async fn resume(&mut self) {
        assert!(self.process.is_none(), "the SMTP server is already running");
        let process = Command::new(PYTHON)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "pmt_slow_mailbox.SlowMailbox"])
            .arg(self.maildir())
            .env("PYTHONPATH", self.maildir.path())
            .env("PMT_SMTP_DELAY_MS", self.delay.as_millis().to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {PYTHON} -m aiosmtpd (Debian package python3-aiosmtpd): {e}")
            });
        self.process = Some(process);
        for _ in 0..200 {
            if self.accepts_connections().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the SMTP server did not listen on port {} within 10 s",
            self.port
        );
    }

    async fn accepts_connections(&self) -> bool {
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], self.port));
        tokio::task::spawn_blocking(move || {
            std::net::TcpStream::connect_timeout(&address, Duration::from_millis(500)).is_ok()
        })
        .await
        .unwrap_or(false)
    }
}
