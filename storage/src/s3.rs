//! Objects in an S3-compatible bucket (`STORAGE_URL=s3://bucket/prefix`),
//! through `object_store`, so that several server instances share files.
//!
//! Every write is a multipart upload: parts are sent as they fill, and the
//! object appears only when the upload completes. An upload cut short (a
//! crash) leaves an incomplete multipart upload that no reader can see;
//! S3 has no listing of them through `object_store`, so the bucket's
//! lifecycle rule `AbortIncompleteMultipartUpload` removes them (README).

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::TryStreamExt as _;
use object_store::aws::AmazonS3Builder;
use object_store::aws::AmazonS3ConfigKey::Client;
use object_store::path::Path;
use object_store::{
    BackoffConfig, ClientConfigKey, GetOptions, GetRange, ObjectStore, ObjectStoreExt as _,
    RetryConfig, WriteMultipart,
};

use crate::{Download, FileStore, StorageError, StorageKey, Upload, check_range};

/// S3's smallest part but the last: what an upload holds in memory at most
/// (twice, with one part in flight).
const PART_SIZE: usize = 5 * 1024 * 1024;

/// Where objects go: `s3://bucket/prefix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    pub prefix: String,
}

impl S3Location {
    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| format!("must start with s3://, got {url:?}"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err("names no bucket (s3://bucket/prefix)".to_owned());
        }
        Ok(Self {
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct S3Store {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
}

impl S3Store {
    /// Endpoint, region and credentials come from the usual `AWS_*`
    /// variables (`AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_ALLOW_HTTP` for a plain-HTTP server).
    pub fn from_env(location: &S3Location) -> Result<Self, StorageError> {
        Self::build(AmazonS3Builder::from_env(), location)
    }

    /// With explicit settings (the contract tests).
    pub fn build(builder: AmazonS3Builder, location: &S3Location) -> Result<Self, StorageError> {
        // A storage outage answers 503 within seconds rather than holding
        // the client for object_store's default of minutes of retries.
        let retry = RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(1),
                base: 2.0,
            },
            max_retries: 2,
            retry_timeout: Duration::from_secs(10),
        };
        let store = builder
            .with_bucket_name(&location.bucket)
            .with_retry(retry)
            // Set key by key: replacing the client options would drop
            // `AWS_ALLOW_HTTP` and the proxy settings read from the environment.
            .with_config(Client(ClientConfigKey::ConnectTimeout), "3s")
            .with_config(Client(ClientConfigKey::Timeout), "60s")
            .build()
            .map_err(s3)?;
        Ok(Self {
            store: Arc::new(store),
            prefix: Path::from(location.prefix.as_str()),
        })
    }

    fn path(&self, key: StorageKey) -> Path {
        self.prefix.clone().join("objects").join(key.to_string())
    }
}

/// The error with its causes: object_store's own message often stops at
/// "HTTP error" without saying which.
fn s3(error: object_store::Error) -> StorageError {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    StorageError::Unavailable(text)
}

struct S3Upload {
    writer: WriteMultipart,
}

#[async_trait::async_trait]
impl Upload for S3Upload {
    async fn write(&mut self, chunk: Bytes) -> Result<(), StorageError> {
        // At most one part in flight besides the one filling.
        self.writer.wait_for_capacity(1).await.map_err(s3)?;
        self.writer.put(chunk);
        Ok(())
    }

    async fn finish(self: Box<Self>) -> Result<(), StorageError> {
        self.writer.finish().await.map(drop).map_err(s3)
    }

    async fn abort(self: Box<Self>) -> Result<(), StorageError> {
        self.writer.abort().await.map_err(s3)
    }
}

#[async_trait::async_trait]
impl FileStore for S3Store {
    fn backend_name(&self) -> &'static str {
        "s3"
    }

    async fn create(&self, key: StorageKey) -> Result<Box<dyn Upload>, StorageError> {
        let upload = self
            .store
            .put_multipart(&self.path(key))
            .await
            .map_err(s3)?;
        Ok(Box::new(S3Upload {
            writer: WriteMultipart::new_with_chunk_size(upload, PART_SIZE),
        }))
    }

    async fn read(
        &self,
        key: StorageKey,
        range: Option<Range<u64>>,
    ) -> Result<Download, StorageError> {
        let not_found = |e: object_store::Error| match e {
            object_store::Error::NotFound { .. } => StorageError::NotFound(key),
            other => s3(other),
        };
        let path = self.path(key);
        let size = self.store.head(&path).await.map_err(not_found)?.size;
        let mut options = GetOptions::new();
        if let Some(range) = range {
            check_range(&range, size)?;
            options = options.with_range(Some(GetRange::Bounded(range)));
        } else if size == 0 {
            // S3 answers an empty object without a body stream worth opening.
            return Ok(Download {
                size,
                bytes: Box::pin(futures::stream::empty()),
            });
        }
        let result = self
            .store
            .get_opts(&path, options)
            .await
            .map_err(not_found)?;
        Ok(Download {
            size,
            bytes: Box::pin(result.into_stream().map_err(s3)),
        })
    }

    async fn size(&self, key: StorageKey) -> Result<Option<u64>, StorageError> {
        match self.store.head(&self.path(key)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(s3(e)),
        }
    }

    async fn delete(&self, key: StorageKey) -> Result<(), StorageError> {
        match self.store.delete(&self.path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(s3(e)),
        }
    }

    async fn clean_partial(&self, _older_than: Duration) -> Result<u64, StorageError> {
        // Incomplete multipart uploads are invisible and removed by the
        // bucket's lifecycle rule (see the module's documentation).
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_a_bucket_and_an_optional_prefix() {
        assert_eq!(
            S3Location::parse("s3://docs/pmt/prod/"),
            Ok(S3Location {
                bucket: "docs".into(),
                prefix: "pmt/prod".into()
            })
        );
        assert_eq!(
            S3Location::parse("s3://docs").map(|l| l.prefix),
            Ok(String::new())
        );
        assert!(S3Location::parse("s3:///x").is_err());
        assert!(S3Location::parse("https://docs").is_err());
    }
}
