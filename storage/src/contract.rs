//! What every backend must do, run on each (`tests/contract.rs`), and the
//! S3-protocol server the tests start: the `moto` server from PyPI on a
//! free port, like the email tests start aiosmtpd.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::{FileStore, StorageError, StorageKey, read_all};

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

async fn write(store: &dyn FileStore, key: StorageKey, content: &[u8], chunk: usize) {
    let mut upload = store.create(key).await.expect("create");
    for piece in content.chunks(chunk.max(1)) {
        upload
            .write(Bytes::copy_from_slice(piece))
            .await
            .expect("write");
    }
    upload.finish().await.expect("finish");
}

async fn read(
    store: &dyn FileStore,
    key: StorageKey,
    range: Option<std::ops::Range<u64>>,
) -> Vec<u8> {
    let download = store.read(key, range).await.expect("read");
    read_all(download.bytes).await.expect("bytes")
}

/// A written object reads back whole and by range, with its size.
pub async fn written_objects_read_back(store: &dyn FileStore) {
    let key = StorageKey::generate();
    let content = pattern(300_000, 7);
    write(store, key, &content, 64 * 1024).await;
    assert_eq!(store.size(key).await.expect("size"), Some(300_000));
    assert_eq!(read(store, key, None).await, content);
    assert_eq!(read(store, key, Some(10..20)).await, &content[10..20]);
    assert_eq!(
        read(store, key, Some(299_990..300_000)).await,
        &content[299_990..]
    );
    let download = store.read(key, Some(0..1)).await.expect("read");
    assert_eq!(
        download.size, 300_000,
        "the size is the object's, not the range's"
    );
}

/// Larger than one S3 part: the multipart path with several parts.
pub async fn objects_larger_than_a_part_survive(store: &dyn FileStore) {
    let key = StorageKey::generate();
    let content = pattern(12 * 1024 * 1024 + 17, 3);
    write(store, key, &content, 1024 * 1024).await;
    assert_eq!(
        store.size(key).await.expect("size"),
        Some(content.len() as u64)
    );
    let back = read(store, key, None).await;
    assert!(back == content, "12 MiB read back differ");
}

/// Nothing is visible before `finish`, nor after `abort`.
pub async fn unfinished_writes_are_invisible(store: &dyn FileStore) {
    let key = StorageKey::generate();
    let mut upload = store.create(key).await.expect("create");
    upload
        .write(Bytes::from(pattern(1000, 1)))
        .await
        .expect("write");
    assert_eq!(store.size(key).await.expect("size"), None);
    assert!(matches!(
        store.read(key, None).await.err(),
        Some(StorageError::NotFound(k)) if k == key
    ));
    upload.abort().await.expect("abort");
    assert_eq!(store.size(key).await.expect("size"), None);
}

/// Removal is idempotent; an absent object is `NotFound`, a bad range refused.
pub async fn removal_and_refusals(store: &dyn FileStore) {
    let key = StorageKey::generate();
    write(store, key, b"%PDF-1.7 tiny", 4).await;
    assert!(matches!(
        store.read(key, Some(5..100)).await.err(),
        Some(StorageError::InvalidRange(_))
    ));
    assert!(matches!(
        store.read(key, Some(3..3)).await.err(),
        Some(StorageError::InvalidRange(_))
    ));
    store.delete(key).await.expect("delete");
    store.delete(key).await.expect("delete again");
    assert_eq!(store.size(key).await.expect("size"), None);
    assert!(matches!(
        store.read(key, None).await.err(),
        Some(StorageError::NotFound(_))
    ));
}

/// Two writes to two keys do not mix, even interleaved.
pub async fn interleaved_writes_stay_apart(store: &dyn FileStore) {
    let (a, b) = (StorageKey::generate(), StorageKey::generate());
    let mut upload_a = store.create(a).await.expect("create");
    let mut upload_b = store.create(b).await.expect("create");
    for i in 0..4u8 {
        upload_a.write(Bytes::from(vec![i; 1000])).await.expect("a");
        upload_b
            .write(Bytes::from(vec![100 + i; 10]))
            .await
            .expect("b");
    }
    upload_b.finish().await.expect("finish b");
    upload_a.finish().await.expect("finish a");
    assert_eq!(read(store, a, None).await.len(), 4000);
    assert_eq!(
        read(store, b, None).await,
        [[100u8; 10], [101; 10], [102; 10], [103; 10]].concat()
    );
}

pub async fn all(store: &dyn FileStore) {
    written_objects_read_back(store).await;
    objects_larger_than_a_part_survive(store).await;
    unfinished_writes_are_invisible(store).await;
    removal_and_refusals(store).await;
    interleaved_writes_stay_apart(store).await;
}

/// A `moto` S3 server on a free port, killed when dropped.
pub struct MotoServer {
    child: Child,
    pub endpoint: String,
}

/// The `moto_server` binary: `$MOTO_SERVER`, or the virtualenv `.ci/run`
/// (or `make s3-server`) installs into `target/s3-venv`. Its absence fails
/// the test: S3 tests are never skipped quietly.
pub fn moto_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("MOTO_SERVER") {
        return PathBuf::from(path);
    }
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    let path = workspace.join("target/s3-venv/bin/moto_server");
    assert!(
        path.exists(),
        "{} is missing: run `make s3-server` (a virtualenv with PyPI's moto[server]) or set MOTO_SERVER",
        path.display()
    );
    path
}

impl MotoServer {
    pub const ACCESS_KEY: &'static str = "pmt-test-access";
    pub const SECRET_KEY: &'static str = "pmt-test-secret";
    pub const REGION: &'static str = "eu-west-3";

    pub fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(moto_binary())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let endpoint = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "moto_server did not listen on {port} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Self { child, endpoint }
    }

    /// Creates a bucket (moto does not check signatures).
    pub fn create_bucket(&self, bucket: &str) {
        use std::io::{Read as _, Write as _};
        let address = self.endpoint.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).expect("connect moto");
        write!(
            stream,
            "PUT /{bucket} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("answer");
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "create bucket: {answer}"
        );
    }

    /// The variables a `pmt` server (or `S3Store::from_env`) reads.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", Self::ACCESS_KEY.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", Self::SECRET_KEY.to_owned()),
            ("AWS_REGION", Self::REGION.to_owned()),
            ("AWS_ALLOW_HTTP", "true".to_owned()),
        ]
    }

    pub fn builder(&self) -> object_store::aws::AmazonS3Builder {
        object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_access_key_id(Self::ACCESS_KEY)
            .with_secret_access_key(Self::SECRET_KEY)
            .with_region(Self::REGION)
            .with_allow_http(true)
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
