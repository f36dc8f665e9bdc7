//! Objects as files in a directory (`$PMT_DATA_DIR/files` by default): what
//! `make run` uses, with nothing to configure.
//!
//! Layout: `objects/<key>` for finished objects, `partial/<key>.<nonce>` for
//! writes in progress. A write goes to its partial file, is synced, then
//! renamed into `objects/` (atomic on one file system), so a reader never
//! sees half a file and a crash leaves only a partial file, which
//! [`FileStore::clean_partial`] removes later.

use std::io::SeekFrom;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures::TryStreamExt as _;
use tokio::io::{AsyncReadExt as _, AsyncSeekExt as _, AsyncWriteExt as _};

use crate::{Download, FileStore, StorageError, StorageKey, Upload, check_range};

/// Read in pieces of this size: large enough for throughput, small enough
/// that a download never holds much of a file in memory.
const READ_CHUNK: usize = 256 * 1024;

#[derive(Debug, Clone)]
pub struct LocalDirectory {
    objects: PathBuf,
    partial: PathBuf,
}

impl LocalDirectory {
    /// Opens (and creates if needed) the store under `root`.
    pub fn open(root: &Path) -> std::io::Result<Self> {
        let store = Self {
            objects: root.join("objects"),
            partial: root.join("partial"),
        };
        std::fs::create_dir_all(&store.objects)?;
        std::fs::create_dir_all(&store.partial)?;
        Ok(store)
    }

    fn object(&self, key: StorageKey) -> PathBuf {
        // A key is a generated UUID (see `StorageKey`): never a path.
        self.objects.join(key.to_string())
    }
}

fn io(error: std::io::Error) -> StorageError {
    StorageError::unavailable(error)
}

struct LocalUpload {
    file: tokio::fs::File,
    partial: PathBuf,
    target: PathBuf,
}

#[async_trait::async_trait]
impl Upload for LocalUpload {
    async fn write(&mut self, chunk: Bytes) -> Result<(), StorageError> {
        self.file.write_all(&chunk).await.map_err(io)
    }

    async fn finish(mut self: Box<Self>) -> Result<(), StorageError> {
        let finished = async {
            self.file.flush().await?;
            self.file.sync_all().await?;
            tokio::fs::rename(&self.partial, &self.target).await
        }
        .await;
        if let Err(error) = finished {
            let _ = tokio::fs::remove_file(&self.partial).await;
            return Err(io(error));
        }
        Ok(())
    }

    async fn abort(self: Box<Self>) -> Result<(), StorageError> {
        drop(self.file);
        match tokio::fs::remove_file(&self.partial).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(e)),
            _ => Ok(()),
        }
    }
}

#[async_trait::async_trait]
impl FileStore for LocalDirectory {
    fn backend_name(&self) -> &'static str {
        "local"
    }

    async fn create(&self, key: StorageKey) -> Result<Box<dyn Upload>, StorageError> {
        let partial = self
            .partial
            .join(format!("{key}.{}", uuid::Uuid::new_v4().simple()));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&partial)
            .await
            .map_err(io)?;
        Ok(Box::new(LocalUpload {
            file,
            partial,
            target: self.object(key),
        }))
    }

    async fn read(
        &self,
        key: StorageKey,
        range: Option<Range<u64>>,
    ) -> Result<Download, StorageError> {
        let mut file = match tokio::fs::File::open(self.object(key)).await {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StorageError::NotFound(key));
            }
            Err(e) => return Err(io(e)),
        };
        let size = file.metadata().await.map_err(io)?.len();
        let range = range.unwrap_or(0..size);
        if size > 0 || range != (0..0) {
            check_range(&range, size)?;
        }
        file.seek(SeekFrom::Start(range.start)).await.map_err(io)?;
        let limited = file.take(range.end - range.start);
        let bytes = tokio_util::io::ReaderStream::with_capacity(limited, READ_CHUNK).map_err(io);
        Ok(Download {
            size,
            bytes: Box::pin(bytes),
        })
    }

    async fn size(&self, key: StorageKey) -> Result<Option<u64>, StorageError> {
        match tokio::fs::metadata(self.object(key)).await {
            Ok(meta) => Ok(Some(meta.len())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    /// Removes the object and the partial files of writes under its key
    /// that never finished (a crash mid-upload): the removal an upload
    /// queues before it starts cleans up after it either way.
    async fn delete(&self, key: StorageKey) -> Result<(), StorageError> {
        let gone = |result: std::io::Result<()>| match result {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(e)),
            _ => Ok(()),
        };
        gone(tokio::fs::remove_file(self.object(key)).await)?;
        let prefix = format!("{key}.");
        let mut entries = tokio::fs::read_dir(&self.partial).await.map_err(io)?;
        while let Some(entry) = entries.next_entry().await.map_err(io)? {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                gone(tokio::fs::remove_file(entry.path()).await)?;
            }
        }
        Ok(())
    }

    async fn clean_partial(&self, older_than: Duration) -> Result<u64, StorageError> {
        let mut removed = 0;
        let mut entries = tokio::fs::read_dir(&self.partial).await.map_err(io)?;
        let now = SystemTime::now();
        while let Some(entry) = entries.next_entry().await.map_err(io)? {
            let modified = entry.metadata().await.and_then(|m| m.modified());
            let stale = modified
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .is_some_and(|age| age >= older_than);
            if stale && tokio::fs::remove_file(entry.path()).await.is_ok() {
                removed += 1;
            }
        }
        Ok(removed)
    }
}
