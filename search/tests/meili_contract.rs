//! The contract on a real Meilisearch server. CI has none: these tests are
//! ignored unless run with `MEILI_URL` (and `MEILI_MASTER_KEY`) set and
//! `cargo test -p search -- --ignored` (README, "Meilisearch").

use std::future::Future;

use search::CapabilityIndex;
use search::meili::MeiliIndex;

fn server() -> (String, Option<String>) {
    let url = std::env::var("MEILI_URL").expect("these tests need MEILI_URL");
    (url, std::env::var("MEILI_MASTER_KEY").ok())
}

/// A throwaway index on the server, deleted even when the scenario panics.
async fn with_meili<F, Fut>(scenario: F)
where
    F: FnOnce(MeiliIndex) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (url, key) = server();
    let prefix = format!("test_{}_", uuid::Uuid::new_v4().simple());
    let index = MeiliIndex::new(&url, key, &prefix).expect("client");
    index.bootstrap().await.expect("bootstrap");
    let outcome = tokio::spawn(scenario(index.clone())).await;
    index.delete_index().await.expect("delete test index");
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
}

search::contract_tests!(#[ignore = "needs MEILI_URL"] with with_meili);

/// Settings are sent once: applying them again, even unchanged, makes
/// Meilisearch reprocess every document at every server start.
#[tokio::test]
#[ignore = "needs MEILI_URL"]
async fn bootstrap_applies_settings_once() {
    let (url, key) = server();
    let prefix = format!("test_{}_", uuid::Uuid::new_v4().simple());
    let index = MeiliIndex::new(&url, key.clone(), &prefix).expect("client");
    index.bootstrap().await.expect("bootstrap");
    index.bootstrap().await.expect("bootstrap is idempotent");
    let client = meilisearch_sdk::client::Client::new(&url, key).expect("client");
    let mut query = meilisearch_sdk::tasks::TasksSearchQuery::new(&client);
    query
        .with_index_uids([index.uid()])
        .with_types(["settingsUpdate"]);
    let updates = client.get_tasks_with(&query).await.expect("tasks");
    index.delete_index().await.expect("delete test index");
    assert_eq!(updates.results.len(), 1, "settings applied once");
}

#[tokio::test]
async fn unreachable_meilisearch_is_unavailable() {
    let index = MeiliIndex::new("http://127.0.0.1:9", None, "test_").expect("client");
    let health = index.health().await;
    assert!(
        matches!(health, Err(search::IndexError::Unavailable(_))),
        "connection refused must be Unavailable, got {health:?}"
    );
}
