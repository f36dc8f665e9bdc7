//! A webhook receiver for the tests: `tests/receiver/receiver.py` on a free
//! port, verifying signatures on its own (a member's system would not use
//! our code), recording what it received, answering what the test says.
//! It can be stopped and started again on the same port.

use std::net::TcpListener;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::process::{Child, Command};

pub struct Receiver {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl Receiver {
    pub async fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = tempfile::Builder::new()
            .prefix("pmt-receiver-")
            .tempdir()
            .expect("temp dir");
        let mut receiver = Self {
            port,
            dir,
            child: None,
        };
        receiver.resume().await;
        receiver
    }

    /// The URL to register.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    /// Stops the process: connections are refused until [`Self::resume`].
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }

    /// Starts the process (again) on the same port and waits until it
    /// accepts connections.
    pub async fn resume(&mut self) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("receiver/receiver.py");
        let child = Command::new("python3")
            .arg(script)
            .arg(self.port.to_string())
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start the python receiver");
        self.child = Some(child);
        crate::eventually(10, "the receiver listening", async || {
            tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .ok()
                .map(|_| ())
        })
        .await;
    }

    /// The secret signatures are checked against.
    pub fn verify_with(&self, secret: &str) {
        std::fs::write(self.dir.path().join("secret"), secret).expect("write secret");
    }

    /// The status every request is answered with from now on.
    pub fn answer(&self, status: u16) {
        std::fs::write(self.dir.path().join("status"), status.to_string()).expect("write status");
    }

    /// Holds every request this long after recording it, before answering
    /// (`None`: answers at once).
    pub fn delay(&self, seconds: Option<u64>) {
        let file = self.dir.path().join("delay");
        match seconds {
            Some(s) => std::fs::write(file, s.to_string()).expect("write delay"),
            None => {
                let _ = std::fs::remove_file(file);
            }
        }
    }

    /// A `Location` header sent with every answer (with a 3xx, a redirect).
    pub fn redirect_to(&self, location: &str) {
        std::fs::write(self.dir.path().join("location"), location).expect("write location");
    }

    /// Every request received so far: `headers`, `body` (text), `verified`
    /// (the signature checked against the secret, `null` without one).
    pub fn received(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join("received.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON line"))
            .collect()
    }

    /// Waits until at least `n` requests were received; returns them all.
    pub async fn wait_for(&self, n: usize, seconds: u64) -> Vec<Value> {
        crate::eventually(seconds, &format!("{n} webhook deliveries"), async || {
            let received = self.received();
            (received.len() >= n).then_some(received)
        })
        .await
    }
}

/// The event a received request carries.
pub fn event_of(received: &Value) -> Value {
    serde_json::from_str(received["body"].as_str().unwrap_or_default()).expect("a JSON body")
}

/// How long to wait at most for a retry (the first one comes after 5 s).
pub const RETRY_WAIT: Duration = Duration::from_secs(20);
