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

/// Every write makes a segment: the page, the total and the facets of a
/// search over many segments must be those of one list sorted as a whole,
/// including ties (same name but for case, same update time, same score)
/// and certificates expired or unverified at the query's clock.
#[tokio::test]
async fn a_search_over_many_segments_is_one_sorted_list() {
    use std::collections::BTreeMap;

    use search::{CertificationDoc, SortOrder, SupplierDocument};

    let dir = tempfile::tempdir().expect("temp dir");
    let index = TantivyIndex::open(dir.path()).expect("open index");
    let year = 365 * 86_400;
    let docs: Vec<SupplierDocument> = (0..24_i64)
        .map(|n| SupplierDocument {
            // Ids out of insertion order, so ties are not broken by chance.
            id: contract::id(((n * 7) % 24 + 1) as u128),
            name: if n % 2 == 0 { "Atelier" } else { "atelier" }.to_owned(),
            description_fr: "Usinage de pièces médicales.".to_owned(),
            capability_codes: vec![["machining", "molding", "testing"][n as usize % 3].to_owned()],
            certifications: (n % 4 > 0)
                .then(|| CertificationDoc {
                    code: "iso_13485".to_owned(),
                    valid_from: contract::NOW - year,
                    // Every fourth from n = 2 has expired.
                    valid_until: contract::NOW + if n % 4 == 2 { -1 } else { year },
                    verified: n % 4 == 3,
                })
                .into_iter()
                .collect(),
            sectors: vec!["medtech".to_owned()],
            updated_at: contract::NOW - n % 3,
            ..restart_doc()
        })
        .collect();
    for doc in &docs {
        index.upsert(vec![doc.clone()]).await.expect("upsert");
    }
    let certified =
        |doc: &SupplierDocument| doc.has_counting_certification("iso_13485", contract::NOW, false);
    for (sort, text, certifications) in [
        (SortOrder::Relevance, Some("usinage"), vec![]),
        (SortOrder::Relevance, None, vec!["iso_13485".to_owned()]),
        (SortOrder::NameAsc, Some("usinage"), vec![]),
        (SortOrder::UpdatedDesc, None, vec![]),
    ] {
        let mut expected: Vec<&SupplierDocument> = docs
            .iter()
            .filter(|doc| certifications.is_empty() || certified(doc))
            .collect();
        expected.sort_by_key(|doc| match sort {
            // Equal text scores: by id.
            SortOrder::Relevance => (String::new(), 0, doc.id),
            SortOrder::NameAsc => (doc.name.to_lowercase(), 0, doc.id),
            SortOrder::UpdatedDesc => (String::new(), -doc.updated_at, doc.id),
        });
        let query = SearchQuery {
            text: text.map(str::to_owned),
            certifications: certifications.clone(),
            sort,
            now: contract::NOW,
            ..SearchQuery::default()
        };
        let mut paged = Vec::new();
        for offset in (0..expected.len()).step_by(5) {
            let page = index
                .search(SearchQuery {
                    offset,
                    limit: 5,
                    ..query.clone()
                })
                .await
                .expect("search");
            assert_eq!(page.total, expected.len(), "{sort:?} {text:?}: total");
            let mut capabilities = BTreeMap::new();
            for doc in &expected {
                *capabilities
                    .entry(doc.capability_codes[0].clone())
                    .or_insert(0) += 1;
            }
            assert_eq!(page.facets.capabilities, capabilities, "{sort:?}: facets");
            let valid = expected.iter().filter(|doc| certified(doc)).count();
            assert_eq!(
                page.facets.certifications.get("iso_13485"),
                Some(&valid),
                "{sort:?}: only valid certificates are counted"
            );
            paged.extend(page.hits.iter().map(|hit| hit.id));
        }
        assert_eq!(
            paged,
            expected.iter().map(|doc| doc.id).collect::<Vec<_>>(),
            "{sort:?} {text:?}: pages in the order of the whole list"
        );
    }
}
