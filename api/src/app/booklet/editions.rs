//! Typeset booklets, cached on disk under the data directory, and the jobs
//! typesetting them.
//!
//! An edition is named by a digest of everything it shows (the template,
//! the language, the edition date, the filters and every supplier's
//! published data): the same question on the same data finds the same
//! file, and any change (an approved edit, a new certificate, a day on
//! which one expires, a new template) names another. Nothing needs
//! invalidating; old editions are removed oldest first past
//! [`MAX_EDITIONS`] files or [`MAX_BYTES`].
//!
//! Typesetting takes seconds of CPU: one booklet at a time, on the
//! blocking pool, at most [`MAX_WAITING`] waiting. The jobs live in this
//! process: with several instances, the status URL answers on the instance
//! that took the request (the cached files are per instance too).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::error::error_chain;

/// Editions kept on disk; the oldest go first.
pub const MAX_EDITIONS: usize = 32;
/// Bytes kept on disk, all editions together.
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;
/// Booklets queued or being typeset at once; past that a request is
/// refused (503) rather than queued without end. A waiting job holds only
/// its data (at most a few MB); each starts a typesetting process, about
/// half a second even for a few suppliers, so a burst of filters queues.
pub const MAX_WAITING: usize = 32;

/// Names one edition: the first 128 bits of a SHA-256, as 32 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EditionKey([u8; 16]);

impl EditionKey {
    pub fn of(template: &str, data: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update((template.len() as u64).to_le_bytes());
        hasher.update(template.as_bytes());
        hasher.update(data);
        let digest = hasher.finalize();
        let mut key = [0; 16];
        key.copy_from_slice(&digest[..16]);
        Self(key)
    }

    /// 32 lowercase hex digits, nothing else: the key names a file, so no
    /// other text may reach a path.
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() != 32 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return None;
        }
        let mut key = [0; 16];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Self(key))
    }
}

impl std::fmt::Display for EditionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Job {
    Running,
    /// Typesetting failed (logged); the next request for it tries again.
    Failed,
}

/// Where an edition stands.
pub enum Edition {
    Ready(Vec<u8>),
    Running,
    Failed,
    Unknown,
}

pub struct BookletEditions {
    dir: PathBuf,
    jobs: Mutex<HashMap<EditionKey, Job>>,
    slots: Arc<Semaphore>,
}

impl BookletEditions {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            jobs: Mutex::default(),
            slots: Arc::new(Semaphore::new(1)),
        }
    }

    fn path(&self, key: EditionKey) -> PathBuf {
        self.dir.join(format!("{key}.pdf"))
    }

    fn jobs(&self) -> std::sync::MutexGuard<'_, HashMap<EditionKey, Job>> {
        self.jobs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The edition's bytes when typeset, else what its job is doing.
    pub async fn find(&self, key: EditionKey) -> std::io::Result<Edition> {
        match tokio::fs::read(self.path(key)).await {
            Ok(pdf) => return Ok(Edition::Ready(pdf)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        Ok(match self.jobs().get(&key) {
            Some(Job::Running) => Edition::Running,
            Some(Job::Failed) => Edition::Failed,
            None => Edition::Unknown,
        })
    }

    /// Starts typesetting `key` unless it runs already; false when too many
    /// wait. `render` runs on the blocking pool.
    pub fn start(
        self: &Arc<Self>,
        key: EditionKey,
        render: impl FnOnce() -> Result<Vec<u8>, publications::RenderError> + Send + 'static,
    ) -> bool {
        {
            let mut jobs = self.jobs();
            if jobs.get(&key) == Some(&Job::Running) {
                return true;
            }
            if jobs.values().filter(|j| **j == Job::Running).count() >= MAX_WAITING {
                return false;
            }
            jobs.insert(key, Job::Running);
        }
        let editions = self.clone();
        tokio::spawn(async move {
            let outcome = editions.typeset(key, render).await;
            let mut jobs = editions.jobs();
            match outcome {
                Ok(()) => {
                    jobs.remove(&key);
                }
                Err(error) => {
                    tracing::error!(edition = %key, error = %error_chain(error.as_ref()), "booklet typesetting failed");
                    jobs.insert(key, Job::Failed);
                }
            }
        });
        true
    }

    /// Forgets a failed job, so that asking again retries.
    pub fn forget_failure(&self, key: EditionKey) {
        let mut jobs = self.jobs();
        if jobs.get(&key) == Some(&Job::Failed) {
            jobs.remove(&key);
        }
    }

    async fn typeset(
        &self,
        key: EditionKey,
        render: impl FnOnce() -> Result<Vec<u8>, publications::RenderError> + Send + 'static,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let _slot = self.slots.acquire().await?;
        let started = std::time::Instant::now();
        let dir = self.dir.clone();
        let path = self.path(key);
        let size = tokio::task::spawn_blocking(
            move || -> Result<u64, Box<dyn std::error::Error + Send + Sync>> {
                let pdf = render()?;
                std::fs::create_dir_all(&dir)?;
                // Written aside then renamed: a reader sees the whole file or none.
                let partial = dir.join(format!("{key}.partial"));
                std::fs::write(&partial, &pdf)?;
                std::fs::rename(&partial, &path)?;
                evict(&dir)?;
                Ok(pdf.len() as u64)
            },
        )
        .await??;
        tracing::info!(edition = %key, bytes = size, ms = started.elapsed().as_millis() as u64, "booklet typeset");
        Ok(())
    }
}

/// Keeps the newest editions within [`MAX_EDITIONS`] and [`MAX_BYTES`].
fn evict(dir: &Path) -> std::io::Result<()> {
    let mut editions: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "pdf") {
            let meta = entry.metadata()?;
            editions.push((meta.modified()?, meta.len(), path));
        }
    }
    // Newest first.
    editions.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut kept_bytes = 0;
    for (position, (_, size, path)) in editions.into_iter().enumerate() {
        kept_bytes += size;
        if position >= MAX_EDITIONS || (position > 0 && kept_bytes > MAX_BYTES) {
            std::fs::remove_file(path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edition_key_reads_back_and_refuses_anything_but_its_hex() {
        let key = EditionKey::of("template", b"data");
        assert_eq!(EditionKey::parse(&key.to_string()), Some(key));
        assert_ne!(EditionKey::of("template 2", b"data"), key);
        for bad in [
            "",
            "../../etc/passwd",
            &"A".repeat(32),
            &"0".repeat(31),
            &"0".repeat(33),
        ] {
            assert_eq!(EditionKey::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn eviction_keeps_the_newest_editions() {
        let dir = std::env::temp_dir().join(format!("pmt-editions-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("dir");
        for i in 0..MAX_EDITIONS + 3 {
            let path = dir.join(format!("{i:032x}.pdf"));
            std::fs::write(&path, b"%PDF").expect("write");
            let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000 + i as u64);
            std::fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(at))
                .expect("mtime");
        }
        evict(&dir).expect("evict");
        let left = std::fs::read_dir(&dir).expect("list").count();
        assert_eq!(left, MAX_EDITIONS);
        assert!(
            !dir.join(format!("{:032x}.pdf", 0)).exists(),
            "the oldest goes"
        );
        assert!(dir.join(format!("{:032x}.pdf", MAX_EDITIONS + 2)).exists());
        std::fs::remove_dir_all(&dir).expect("clean");
    }
}
