use search::meili::MeiliIndex;
use search::{CapabilityIndex, contract};

/// Runs the contract on a real server when `MEILI_URL` is set, in a throwaway index.
#[tokio::test]
async fn meilisearch_engine_meets_the_contract() {
    let Ok(url) = std::env::var("MEILI_URL") else {
        eprintln!("meilisearch contract tests skipped: MEILI_URL not set");
        return;
    };
    let key = std::env::var("MEILI_MASTER_KEY").ok();
    let prefix = format!("test_{}_", uuid::Uuid::new_v4().simple());
    let index = MeiliIndex::new(&url, key.clone(), &prefix).expect("client");
    index.bootstrap().await.expect("bootstrap");
    index.bootstrap().await.expect("bootstrap is idempotent");
    // Settings are sent once: applying them again, even unchanged, makes
    // Meilisearch reprocess every document at every server start.
    let client = meilisearch_sdk::client::Client::new(&url, key).expect("client");
    let mut query = meilisearch_sdk::tasks::TasksSearchQuery::new(&client);
    query
        .with_index_uids([index.uid()])
        .with_types(["settingsUpdate"]);
    let updates = client.get_tasks_with(&query).await.expect("tasks");
    assert_eq!(updates.results.len(), 1, "settings applied once");
    // Delete the index even when the suite panics.
    let outcome = tokio::spawn({
        let index = index.clone();
        async move { contract::run_all(&index).await }
    })
    .await;
    index.delete_index().await.expect("delete test index");
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
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
