//! The same scenarios on both backends: a local directory, and S3 through a
//! real S3-protocol server (moto) started on a free port.

use storage::FileStore as _;
use storage::contract::{self, MotoServer};
use storage::local::LocalDirectory;
use storage::s3::{S3Location, S3Store};

#[tokio::test]
async fn the_local_directory_keeps_the_contract() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = LocalDirectory::open(dir.path()).expect("open");
    contract::all(&store).await;
}

#[tokio::test]
async fn s3_keeps_the_contract() {
    let server = MotoServer::start();
    server.create_bucket("pmt-contract");
    let location = S3Location::parse("s3://pmt-contract/some/prefix").expect("url");
    let store = S3Store::build(server.builder(), &location).expect("store");
    contract::all(&store).await;
}

#[tokio::test]
async fn a_crashed_local_write_is_cleaned_later_not_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = LocalDirectory::open(dir.path()).expect("open");
    let key = storage::StorageKey::generate();
    let mut upload = store.create(key).await.expect("create");
    upload
        .write(bytes::Bytes::from_static(b"half a file"))
        .await
        .expect("write");
    // The process "dies": the upload is never finished nor aborted.
    std::mem::forget(upload);
    let day = std::time::Duration::from_secs(86_400);
    assert_eq!(store.clean_partial(day).await.expect("clean"), 0);
    assert_eq!(store.size(key).await.expect("size"), None);
    assert_eq!(
        store
            .clean_partial(std::time::Duration::ZERO)
            .await
            .expect("clean"),
        1
    );
}

#[tokio::test]
async fn removing_a_key_removes_its_interrupted_local_write() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = LocalDirectory::open(dir.path()).expect("open");
    let (key, other) = (
        storage::StorageKey::generate(),
        storage::StorageKey::generate(),
    );
    for k in [key, other] {
        let mut upload = store.create(k).await.expect("create");
        upload
            .write(bytes::Bytes::from_static(b"half"))
            .await
            .expect("write");
        std::mem::forget(upload);
    }
    let partial = || {
        std::fs::read_dir(dir.path().join("partial"))
            .map(Iterator::count)
            .unwrap_or(0)
    };
    assert_eq!(partial(), 2);
    store.delete(key).await.expect("delete");
    assert_eq!(partial(), 1, "only the removed key's partial file goes");
}

#[tokio::test]
async fn an_unreachable_s3_server_is_unavailable_not_a_panic() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let builder = object_store::aws::AmazonS3Builder::new()
        .with_endpoint(format!("http://127.0.0.1:{port}"))
        .with_access_key_id("x")
        .with_secret_access_key("y")
        .with_region("eu-west-3")
        .with_allow_http(true);
    let store =
        S3Store::build(builder, &S3Location::parse("s3://gone").expect("url")).expect("store");
    let error = store.create(storage::StorageKey::generate()).await.err();
    assert!(
        matches!(error, Some(storage::StorageError::Unavailable(_))),
        "{:?}",
        error.map(|e| e.to_string())
    );
}
