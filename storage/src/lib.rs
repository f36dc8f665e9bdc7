//! Where uploaded documents' bytes live. One trait, [`FileStore`], and two
//! backends: a directory under `PMT_DATA_DIR` ([`local::LocalDirectory`])
//! and S3-compatible object storage ([`s3::S3Store`], through
//! `object_store`), which several server instances can share.
//!
//! Objects are named by a [`StorageKey`] the server generates, never by
//! anything a client sent, and a write becomes visible whole or not at all:
//! an [`Upload`] is invisible until [`Upload::finish`].

pub mod local;
pub mod s3;

#[cfg(feature = "contract")]
pub mod contract;

use std::fmt;
use std::ops::Range;
use std::pin::Pin;

use bytes::Bytes;
use futures::Stream;
use uuid::Uuid;

/// The name of one stored object: a UUID the server generated. The only
/// way to make one from text is [`StorageKey::parse`], which accepts a UUID
/// and nothing else, so no path or object name is ever built from input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StorageKey(Uuid);

impl StorageKey {
    pub fn generate() -> Self {
        Self(Uuid::new_v4())
    }

    /// A key read back from the database.
    pub fn parse(text: &str) -> Result<Self, StorageError> {
        Uuid::parse_str(text)
            .map(Self)
            .map_err(|_| StorageError::InvalidKey(text.chars().take(64).collect()))
    }
}

impl fmt::Display for StorageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Hyphenated lowercase: the same text on every backend.
        self.0.hyphenated().fmt(f)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no stored object {0}")]
    NotFound(StorageKey),
    /// The backend cannot be reached or refused the operation; worth a retry.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    #[error("the range {0:?} is outside the object")]
    InvalidRange(Range<u64>),
    #[error("not a storage key: {0:?}")]
    InvalidKey(String),
}

impl StorageError {
    fn unavailable(error: impl fmt::Display) -> Self {
        Self::Unavailable(error.to_string())
    }
}

pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, StorageError>> + Send>>;

/// An object read back: its size and its bytes (the requested range only).
pub struct Download {
    pub size: u64,
    pub bytes: ByteStream,
}

/// A write in progress. Nothing is visible under its key until `finish`;
/// `abort` (or a crash) leaves nothing a reader could see.
#[async_trait::async_trait]
pub trait Upload: Send {
    async fn write(&mut self, chunk: Bytes) -> Result<(), StorageError>;
    async fn finish(self: Box<Self>) -> Result<(), StorageError>;
    async fn abort(self: Box<Self>) -> Result<(), StorageError>;
}

#[async_trait::async_trait]
pub trait FileStore: Send + Sync {
    /// `local` or `s3`, for logs and `/readyz`.
    fn backend_name(&self) -> &'static str;

    /// Starts writing a new object under `key`.
    async fn create(&self, key: StorageKey) -> Result<Box<dyn Upload>, StorageError>;

    /// The object's bytes, all of them or `range` (end exclusive).
    async fn read(
        &self,
        key: StorageKey,
        range: Option<Range<u64>>,
    ) -> Result<Download, StorageError>;

    /// The object's size, or `None` when there is none.
    async fn size(&self, key: StorageKey) -> Result<Option<u64>, StorageError>;

    /// Removes the object; removing one that is not there is not an error
    /// (the outbox may run a removal twice).
    async fn delete(&self, key: StorageKey) -> Result<(), StorageError>;

    /// Removes the traces of writes that never finished (a crash mid-upload)
    /// and started more than `older_than` ago; returns how many.
    async fn clean_partial(&self, older_than: std::time::Duration) -> Result<u64, StorageError>;
}

/// Checks a range against an object's size.
pub(crate) fn check_range(range: &Range<u64>, size: u64) -> Result<(), StorageError> {
    if range.start < range.end && range.end <= size {
        Ok(())
    } else {
        Err(StorageError::InvalidRange(range.clone()))
    }
}

/// Reads everything: for tests and small objects only.
pub async fn read_all(bytes: ByteStream) -> Result<Vec<u8>, StorageError> {
    use futures::TryStreamExt as _;
    bytes
        .try_fold(Vec::new(), |mut all, chunk| async move {
            all.extend_from_slice(&chunk);
            Ok(all)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_uuids_only() {
        let key = StorageKey::generate();
        assert_eq!(StorageKey::parse(&key.to_string()).ok(), Some(key));
        for bad in ["../../etc/passwd", "", "a/b", "CON", "00000000-0000"] {
            assert!(StorageKey::parse(bad).is_err(), "{bad}");
        }
    }
}
