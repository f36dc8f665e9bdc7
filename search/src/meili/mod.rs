//! The Meilisearch engine, for production.
//!
//! Every write waits for its task, so a write is visible when it returns. Certificate
//! validity is a filter on per-code validity windows evaluated at the query's `now`
//! (see `record`), and certification facets are counted with that filter, one count
//! per certification code present in the plain facet distribution.

mod filter;
mod record;
mod settings;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use meilisearch_sdk::client::Client;
use meilisearch_sdk::errors::{Error, ErrorCode};
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::search::{MatchingStrategies, SearchResults as MeiliResults, Selectors};
use meilisearch_sdk::settings::Settings;
use meilisearch_sdk::task_info::TaskInfo;
use meilisearch_sdk::tasks::{Task, TaskType, TasksSearchQuery};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use self::record::Record;
use crate::CapabilityIndex;
use crate::document::SupplierDocument;
use crate::error::IndexError;
use crate::query::{
    Candidate, CandidateQuery, Facets, MAX_RESULT_WINDOW, SearchHit, SearchQuery, SearchResults,
    SortOrder,
};

const TASK_POLL_INTERVAL: Duration = Duration::from_millis(20);
/// Long enough for a full reindex of a regional catalogue.
const TASK_TIMEOUT: Duration = Duration::from_secs(120);

const HIGHLIGHTED: [&str; 4] = [
    "name",
    "description_fr",
    "description_en",
    "capability_labels",
];
const HIT_ATTRIBUTES: [&str; 5] = [
    "id",
    "name",
    "description_fr",
    "description_en",
    "capability_labels",
];
const FACETS: [&str; 5] = [
    "capability_codes",
    "certification_codes",
    "sectors",
    "region",
    "member",
];
// Markers, not markup: the fields are escaped before `<em>` goes in.
const PRE_TAG: &str = "\u{E000}";
const POST_TAG: &str = "\u{E001}";

/// A Meilisearch index named `{prefix}suppliers`. Cheap to clone.
#[derive(Clone)]
pub struct MeiliIndex {
    client: Client,
    uid: String,
}

#[derive(Debug, Deserialize)]
struct HitId {
    id: Uuid,
}

impl MeiliIndex {
    /// A client for the server at `url`; nothing is sent until the first call.
    pub fn new(url: &str, api_key: Option<String>, index_prefix: &str) -> Result<Self, IndexError> {
        let client = Client::new(url, api_key).map_err(from_sdk)?;
        Ok(MeiliIndex {
            client,
            uid: format!("{index_prefix}suppliers"),
        })
    }

    /// The index uid, e.g. for a test to delete its index.
    pub fn uid(&self) -> &str {
        &self.uid
    }

    /// Deletes the whole index (tests use a throwaway prefix and clean up with this).
    pub async fn delete_index(&self) -> Result<(), IndexError> {
        let task = self
            .client
            .delete_index(&self.uid)
            .await
            .map_err(from_sdk)?;
        self.wait(task).await
    }

    /// The settings this index was last given, as sent, from Meilisearch's
    /// task history. Applying settings makes Meilisearch reprocess every
    /// document even when nothing changed (8 s at 100 000 suppliers), and
    /// bootstrap runs at every start. The settings it reports itself are no
    /// use for the comparison: it normalises them (stop words to NFD).
    async fn last_applied_settings(&self) -> Result<Option<Value>, IndexError> {
        let index = self.client.get_index(&self.uid).await.map_err(from_sdk)?;
        let mut query = TasksSearchQuery::new(&self.client);
        query
            .with_index_uids([self.uid.as_str()])
            .with_types(["settingsUpdate"])
            .with_statuses(["succeeded"])
            .with_limit(1);
        let tasks = self.client.get_tasks_with(&query).await.map_err(from_sdk)?;
        Ok(tasks.results.into_iter().find_map(|task| match task {
            // A task of an earlier index of the same name does not count.
            Task::Succeeded { content }
                if index
                    .created_at
                    .is_some_and(|created| content.enqueued_at >= created) =>
            {
                match content.update_type {
                    TaskType::SettingsUpdate { details } => (*details).as_ref().and_then(json_of),
                    _ => None,
                }
            }
            _ => None,
        }))
    }

    fn index(&self) -> Index {
        self.client.index(&self.uid)
    }

    /// Waits for `task` and turns a failed task into an error.
    async fn wait(&self, task: TaskInfo) -> Result<(), IndexError> {
        let finished = task
            .wait_for_completion(&self.client, Some(TASK_POLL_INTERVAL), Some(TASK_TIMEOUT))
            .await
            .map_err(from_sdk)?;
        match finished {
            Task::Failed { content } => Err(IndexError::Internal(format!(
                "meilisearch task {} failed: {}",
                content.task.uid, content.error.error_message
            ))),
            _ => Ok(()),
        }
    }
}

#[async_trait]
impl CapabilityIndex for MeiliIndex {
    #[tracing::instrument(skip(self), fields(index = %self.uid))]
    async fn bootstrap(&self) -> Result<(), IndexError> {
        let created = self
            .client
            .create_index(&self.uid, Some("id"))
            .await
            .map_err(from_sdk)?
            .wait_for_completion(&self.client, Some(TASK_POLL_INTERVAL), Some(TASK_TIMEOUT))
            .await
            .map_err(from_sdk)?;
        if let Task::Failed { content } = created {
            // Bootstrap runs at every start: an existing index is the normal case.
            if content.error.error_code != ErrorCode::IndexAlreadyExists {
                return Err(IndexError::Internal(content.error.error_message));
            }
        }
        let wanted = settings::settings();
        if self.last_applied_settings().await? == json_of(&wanted) {
            return Ok(());
        }
        let task = self.index().set_settings(&wanted).await.map_err(from_sdk)?;
        self.wait(task).await
    }

    async fn health(&self) -> Result<(), IndexError> {
        self.client.health().await.map_err(from_sdk)?;
        Ok(())
    }

    async fn upsert(&self, docs: Vec<SupplierDocument>) -> Result<(), IndexError> {
        if docs.is_empty() {
            return Ok(());
        }
        let records = docs
            .iter()
            .map(Record::new)
            .collect::<Result<Vec<_>, _>>()?;
        let task = self
            .index()
            .add_or_replace(&records, Some("id"))
            .await
            .map_err(from_sdk)?;
        self.wait(task).await
    }

    async fn delete(&self, ids: Vec<Uuid>) -> Result<(), IndexError> {
        if ids.is_empty() {
            return Ok(());
        }
        let task = self
            .index()
            .delete_documents(&ids)
            .await
            .map_err(from_sdk)?;
        self.wait(task).await
    }

    async fn clear(&self) -> Result<(), IndexError> {
        let task = self
            .index()
            .delete_all_documents()
            .await
            .map_err(from_sdk)?;
        self.wait(task).await
    }

    async fn search(&self, query: SearchQuery) -> Result<SearchResults, IndexError> {
        query.check()?;
        let filter = filter::for_search(&query)?;
        let text = query.text();
        let sort: &[&str] = match query.sort {
            SortOrder::Relevance => &[],
            SortOrder::NameAsc => &["name:asc", "id:asc"],
            SortOrder::UpdatedDesc => &["updated_at:desc", "id:asc"],
        };
        let index = self.index();

        // One round trip for the page and, with an exhaustive count, the facets.
        let mut page = index.search();
        page.with_offset(query.offset)
            .with_limit(query.limit)
            .with_attributes_to_retrieve(Selectors::Some(&HIT_ATTRIBUTES))
            .with_sort(sort);
        let mut counts = index.search();
        counts
            .with_page(1)
            .with_hits_per_page(0)
            .with_facets(Selectors::Some(&FACETS));
        for search in [&mut page, &mut counts] {
            search.with_matching_strategy(MatchingStrategies::ALL);
            if let Some(text) = text {
                search.with_query(text);
            }
            if let Some(filter) = filter.as_deref() {
                search.with_filter(filter);
            }
        }
        if text.is_some() {
            page.with_attributes_to_highlight(Selectors::Some(&HIGHLIGHTED))
                .with_highlight_pre_tag(PRE_TAG)
                .with_highlight_post_tag(POST_TAG)
                .with_show_ranking_score(true);
        }
        let mut batch = self.client.multi_search();
        batch.with_search_query(page).with_search_query(counts);
        let mut results = batch.execute::<HitId>().await.map_err(from_sdk)?.results;
        let (Some(counts), Some(page)) = (results.pop(), results.pop()) else {
            return Err(IndexError::Internal(
                "meilisearch multi-search answer incomplete".to_owned(),
            ));
        };

        let mut distribution = counts.facet_distribution.unwrap_or_default();
        let certified = self
            .valid_certification_counts(
                text,
                filter.as_deref(),
                query.now,
                distribution
                    .remove("certification_codes")
                    .unwrap_or_default(),
            )
            .await?;
        let mut facet = |name: &str| counted(distribution.remove(name).unwrap_or_default());
        let facets = Facets {
            capabilities: facet("capability_codes"),
            certifications: certified,
            sectors: facet("sectors"),
            regions: facet("region"),
            member: facet("member"),
        };
        let hits = page
            .hits
            .into_iter()
            .map(|hit| SearchHit {
                id: hit.result.id,
                // Narrowing to f32 is fine for a 0..=1 score.
                score: hit.ranking_score.map(|score| score as f32),
                highlights: hit.formatted_result.map(highlights).unwrap_or_default(),
            })
            .collect();
        Ok(SearchResults {
            total: counts.total_hits.unwrap_or_default(),
            hits,
            facets,
        })
    }

    async fn candidates(&self, need: CandidateQuery) -> Result<Vec<Candidate>, IndexError> {
        need.check()?;
        let index = self.index();
        let capabilities = filter::any_of("capability_codes", &need.capabilities);
        let text = need.text();

        // First query: the candidate set. Second, when there are both capabilities
        // and text: the text relevance of those candidates.
        let mut selection = index.search();
        selection
            .with_limit(MAX_RESULT_WINDOW)
            .with_matching_strategy(MatchingStrategies::ALL);
        if let Some(capabilities) = capabilities.as_deref() {
            selection.with_filter(capabilities);
        } else if let Some(text) = text {
            selection.with_query(text).with_show_ranking_score(true);
        }
        let mut batch = self.client.multi_search();
        batch.with_search_query(selection);
        if let (Some(capabilities), Some(text)) = (capabilities.as_deref(), text) {
            let mut relevance = index.search();
            relevance
                .with_limit(MAX_RESULT_WINDOW)
                .with_matching_strategy(MatchingStrategies::ALL)
                .with_filter(capabilities)
                .with_query(text)
                .with_show_ranking_score(true)
                .with_attributes_to_retrieve(Selectors::Some(&["id"]));
            batch.with_search_query(relevance);
        }
        let results = batch.execute::<Value>().await.map_err(from_sdk)?.results;
        let mut results = results.into_iter();
        let selected = results.next().ok_or_else(|| {
            IndexError::Internal("meilisearch multi-search answer empty".to_owned())
        })?;
        let relevance: HashMap<String, f64> = match results.next() {
            Some(scored) => scored
                .hits
                .into_iter()
                .filter_map(|hit| {
                    let id = hit.result.get("id")?.as_str()?.to_owned();
                    Some((id, hit.ranking_score?))
                })
                .collect(),
            None => HashMap::new(),
        };
        let scored = selected
            .hits
            .into_iter()
            .map(|hit| {
                let own_score = hit.ranking_score;
                let doc: SupplierDocument = serde_json::from_value(hit.result).map_err(|err| {
                    IndexError::Internal(format!("unexpected document in meilisearch: {err}"))
                })?;
                let score = own_score
                    .or_else(|| relevance.get(&doc.id.to_string()).copied())
                    .unwrap_or_default();
                Ok((doc, score as f32))
            })
            .collect::<Result<Vec<_>, IndexError>>()?;
        Ok(need.rank(scored.iter().map(|(doc, score)| (doc, *score))))
    }

    fn engine_name(&self) -> &'static str {
        "meilisearch"
    }
}

impl MeiliIndex {
    /// Counts, per certification code present among the matches, the matches holding
    /// it valid at `now`: the plain facet counts expired certificates too.
    async fn valid_certification_counts(
        &self,
        text: Option<&str>,
        filter: Option<&str>,
        now: i64,
        present: HashMap<String, usize>,
    ) -> Result<BTreeMap<String, usize>, IndexError> {
        let codes: Vec<String> = present.into_keys().collect();
        if codes.is_empty() {
            return Ok(BTreeMap::new());
        }
        let filters = codes
            .iter()
            .map(|code| filter::with_valid_certification(filter, code, now))
            .collect::<Result<Vec<_>, _>>()?;
        let index = self.index();
        let mut batch = self.client.multi_search();
        for code_filter in &filters {
            let mut count = index.search();
            count
                .with_page(1)
                .with_hits_per_page(0)
                .with_matching_strategy(MatchingStrategies::ALL)
                .with_filter(code_filter);
            if let Some(text) = text {
                count.with_query(text);
            }
            batch.with_search_query(count);
        }
        let results: Vec<MeiliResults<HitId>> =
            batch.execute::<HitId>().await.map_err(from_sdk)?.results;
        Ok(codes
            .into_iter()
            .zip(results)
            .map(|(code, result)| (code, result.total_hits.unwrap_or_default()))
            .filter(|(_, count)| *count > 0)
            .collect())
    }
}

/// A facet distribution without empty values.
fn counted(distribution: HashMap<String, usize>) -> BTreeMap<String, usize> {
    distribution
        .into_iter()
        .filter(|(value, count)| !value.is_empty() && *count > 0)
        .collect()
}

/// The highlighted fields where something matched; matching labels joined with ", ".
fn highlights(formatted: serde_json::Map<String, Value>) -> BTreeMap<String, String> {
    let marked = |text: &str| text.contains(PRE_TAG);
    HIGHLIGHTED
        .iter()
        .filter_map(|field| {
            let text = match formatted.get(*field)? {
                Value::String(text) if marked(text) => crate::html::marked_to_html(text),
                Value::Array(values) => {
                    let labels: Vec<String> = values
                        .iter()
                        .filter_map(Value::as_str)
                        .filter(|text| marked(text))
                        .map(crate::html::marked_to_html)
                        .collect();
                    if labels.is_empty() {
                        return None;
                    }
                    labels.join(", ")
                }
                _ => return None,
            };
            Some(((*field).to_owned(), text))
        })
        .collect()
}

/// Settings as JSON, with the lists Meilisearch treats as sets (and records
/// sorted) in order.
fn json_of(settings: &Settings) -> Option<Value> {
    let mut json = serde_json::to_value(settings).ok()?;
    let sort = |value: &mut Value| {
        if let Value::Array(items) = value {
            items.sort_by_cached_key(Value::to_string);
        }
    };
    for set in ["filterableAttributes", "sortableAttributes", "stopWords"] {
        if let Some(list) = json.get_mut(set) {
            sort(list);
        }
    }
    if let Some(Value::Object(synonyms)) = json.get_mut("synonyms") {
        synonyms.values_mut().for_each(sort);
    }
    Some(json)
}

/// Connection trouble is `Unavailable` (503 upstream); a rejected search is
/// `InvalidQuery`; the rest is a bug or misconfiguration.
fn from_sdk(err: Error) -> IndexError {
    match &err {
        Error::HttpError(_) | Error::Timeout => IndexError::Unavailable(err.to_string()),
        Error::MeilisearchCommunication(failure) if failure.status_code >= 500 => {
            IndexError::Unavailable(err.to_string())
        }
        Error::Meilisearch(failure)
            if matches!(
                failure.error_code,
                ErrorCode::InvalidSearchQ
                    | ErrorCode::InvalidSearchFilter
                    | ErrorCode::InvalidSearchSort
            ) =>
        {
            IndexError::InvalidQuery(failure.error_message.clone())
        }
        _ => IndexError::Internal(err.to_string()),
    }
}
