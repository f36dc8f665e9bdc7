use std::future::Future;

use search::embedded::TantivyIndex;
use search::{CapabilityIndex, SearchQuery, contract};

/// Runs one scenario on a fresh embedded index in a temporary directory.
async fn with_embedded<F, Fut>(scenario: F)
where
    F: FnOnce(TantivyIndex) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temp dir");
    let index = TantivyIndex::open(dir.path()).expect("open index");
    index.bootstrap().await.expect("bootstrap");
    scenario(index).await;
}

search::contract_tests!(with with_embedded);

#[tokio::test]
async fn embedded_index_survives_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let query = SearchQuery {
        text: Some("décolletage".to_owned()),
        now: contract::NOW,
        limit: 10,
        ..SearchQuery::default()
    };
    {
        let index = TantivyIndex::open(dir.path()).expect("open index");
        let mut doc = restart_doc();
        doc.description_fr = "Décolletage de vis osseuses.".to_owned();
        index.upsert(vec![doc]).await.expect("upsert");
    }
    let reopened = TantivyIndex::open(dir.path()).expect("reopen index");
    let results = reopened.search(query).await.expect("search");
    assert_eq!(
        results.hits.iter().map(|hit| hit.id).collect::<Vec<_>>(),
        vec![contract::id(1)]
    );
}
fn restart_doc() -> search::SupplierDocument {
    search::SupplierDocument {
        id: contract::id(1),
        name: "Décolletage Comtois".to_owned(),
        description_fr: String::new(),
        description_en: String::new(),
        capability_codes: vec!["machining".to_owned()],
        capability_labels: Vec::new(),
        capability_details: Vec::new(),
        certifications: Vec::new(),
        sectors: Vec::new(),
        region: "Bourgogne-Franche-Comté".to_owned(),
        department: "Doubs".to_owned(),
        city: "Morteau".to_owned(),
        country: "FR".to_owned(),
        member: true,
        equipment: Vec::new(),
        updated_at: contract::NOW,
    }
}
