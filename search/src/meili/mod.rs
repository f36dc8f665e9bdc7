//! The Meilisearch engine, for production.
//!
//! Every write waits for its task, so a write is visible when it returns. Certificate
//! validity is a filter on per-code validity windows evaluated at the query's `now`
//! (see `record`); certification facets count the pieces of days holding `now`
//! (see `days`), or, for verified certificates only, each code present with that
//! filter.

mod days;
mod filter;
mod record;
mod settings;
mod words;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use async_trait::async_trait;
use meilisearch_sdk::client::Client;
use meilisearch_sdk::errors::{Error, ErrorCode};
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::search::{
    FederationOptions, MatchingStrategies, MergeFacets, SearchResult,
    SearchResults as MeiliResults, Selectors,
};
use meilisearch_sdk::settings::Settings;
use meilisearch_sdk::task_info::TaskInfo;
use meilisearch_sdk::tasks::{Task, TaskType, TasksSearchQuery};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use self::record::{RECORD_VERSION, Record};
use self::words::{Named, NamedInText, Ranked, Search, Window, Words};
use crate::analysis::{self, QueryWords};
use crate::document::SupplierDocument;
use crate::error::IndexError;
use crate::highlight::Marker;
use crate::query::{
    Candidate, CandidateQuery, Facets, SearchHit, SearchQuery, SearchResults, SortOrder,
};
use crate::{CapabilityIndex, Submitted};

/// Every query word is optional; when not all match, the most frequent ones
/// are dropped first, so the words that say what the buyer needs weigh most.
/// Chosen over `last` on the labelled set (see BENCHMARKS.md).
const MATCHING: MatchingStrategies = MatchingStrategies::FREQUENCY;
/// How many holders of a requested capability are ranked by requirements met
/// when the requirements cannot be counted in the engine (more than
/// `filter::MAX_REQUIREMENTS`); beyond it, the holders that match the need's
/// text least are left out.
const FULL_WINDOW: usize = 1_000;
/// How many holders of a related capability are considered for the partial
/// tier.
const PARTIAL_WINDOW: usize = 100;
/// How many of the best text matches among the holders, and among the other
/// profiles, are ranked by their text: beyond them, a holder is ranked by
/// the requirements it meets alone, and another profile is not a candidate.
/// Each word's search reads that many matches (see [`RANK_WINDOW`] for the
/// cost of a match).
const TEXT_WINDOW: usize = 100;
/// How many of each word's best matches a page by relevance is ranked from
/// (at least the page's end); the sentence's own, larger window holds the
/// documents matching most of its words. Reading a match costs Meilisearch
/// about 0.05 ms at 100 000 documents: 10 ms a word for 200.
const RANK_WINDOW: usize = 50;
/// What ranking a candidate needs of its document; the texts are fetched only
/// for the candidates kept, to name the words they matched.
const RANKING_ATTRIBUTES: [&str; 5] = [
    "id",
    "capability_codes",
    "certifications",
    "sectors",
    "region",
];
const TEXT_ATTRIBUTES: [&str; 7] = [
    "id",
    "name",
    "description_fr",
    "description_en",
    "capability_labels",
    "capability_details",
    "equipment",
];

const TASK_POLL_INTERVAL: Duration = Duration::from_millis(20);
/// Long enough for a full reindex of a regional catalogue.
const TASK_TIMEOUT: Duration = Duration::from_secs(120);
/// How long the writes of a rebuild may take together: Meilisearch indexes
/// the chunks waiting in one batch, the whole directory at worst.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
const SETTLE_POLL_INTERVAL: Duration = Duration::from_millis(100);

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
/// How the holders of a need's capabilities fill its list of candidates.
struct Levels {
    /// Whether there are at least as many holders as the list's length.
    filled: bool,
    /// The highest k such that at least `limit` holders meet k of the need's
    /// requirements (0 when no level fills the list, or there are none):
    /// `None` when not counted, there being too many requirements to write
    /// "at least k" out.
    cutoff: Option<usize>,
    /// With a cutoff, the holders it leaves: every one above the level, and
    /// the level's first `limit` (every holder, when they do not fill the
    /// list). Some may appear twice.
    holders: Vec<Value>,
}

/// A Meilisearch index named `{prefix}suppliers_v<record version>`: records
/// of a new shape go to a new index, which the server fills when it finds it
/// missing at start. Cheap to clone.
#[derive(Clone)]
pub struct MeiliIndex {
    client: Client,
    uid: String,
}

#[derive(Debug, Deserialize)]
struct HitId {
    id: Uuid,
}

/// Some fields of a document (`attributesToRetrieve`) as a document; the others
/// stay empty.
fn partial_document(mut fields: Value) -> Result<SupplierDocument, IndexError> {
    if let Value::Object(map) = &mut fields {
        for (name, empty) in [
            ("capability_codes", Value::Array(Vec::new())),
            ("certifications", Value::Array(Vec::new())),
            ("sectors", Value::Array(Vec::new())),
            ("region", Value::from("")),
            ("name", Value::from("")),
            ("description_fr", Value::from("")),
            ("description_en", Value::from("")),
            ("capability_labels", Value::Array(Vec::new())),
            ("capability_details", Value::Array(Vec::new())),
            ("department", Value::from("")),
            ("city", Value::from("")),
            ("country", Value::from("")),
            ("member", Value::Bool(false)),
            ("equipment", Value::Array(Vec::new())),
            ("updated_at", Value::from(0)),
        ] {
            map.entry(name).or_insert(empty);
        }
    }
    serde_json::from_value(fields)
        .map_err(|err| IndexError::Internal(format!("unexpected document in meilisearch: {err}")))
}

impl MeiliIndex {
    /// A client for the server at `url`; nothing is sent until the first call.
    pub fn new(url: &str, api_key: Option<String>, index_prefix: &str) -> Result<Self, IndexError> {
        let client = Client::new(url, api_key).map_err(from_sdk)?;
        Ok(MeiliIndex {
            client,
            uid: format!("{index_prefix}suppliers_v{RECORD_VERSION}"),
        })
    }

    /// The index uid, e.g. for a test to delete its index.
    pub fn uid(&self) -> &str {
        &self.uid
    }

    /// Whether the index exists: missing, it is created empty by `bootstrap`
    /// and must be filled (a new server, or records of a new shape).
    pub async fn exists(&self) -> Result<bool, IndexError> {
        match self.client.get_index(&self.uid).await {
            Ok(_) => Ok(true),
            Err(Error::Meilisearch(failure)) if failure.error_code == ErrorCode::IndexNotFound => {
                Ok(false)
            }
            Err(error) => Err(from_sdk(error)),
        }
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
        self.wait_at_most(task, TASK_POLL_INTERVAL, TASK_TIMEOUT)
            .await
    }

    async fn wait_at_most(
        &self,
        task: TaskInfo,
        poll: Duration,
        timeout: Duration,
    ) -> Result<(), IndexError> {
        let finished = task
            .wait_for_completion(&self.client, Some(poll), Some(timeout))
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

    async fn settings_in_place(&self) -> Result<bool, IndexError> {
        match self.client.get_index(&self.uid).await {
            // No index yet: the first start creates it and applies them.
            Err(Error::Meilisearch(failure)) if failure.error_code == ErrorCode::IndexNotFound => {
                return Ok(false);
            }
            Err(error) => return Err(from_sdk(error)),
            Ok(_) => {}
        }
        Ok(self.last_applied_settings().await? == json_of(&settings::settings()))
    }

    async fn upsert(&self, docs: Vec<SupplierDocument>) -> Result<(), IndexError> {
        let mut sent = Submitted::default();
        self.submit(docs, &mut sent).await?;
        for task in sent.tasks {
            self.wait(task).await?;
        }
        Ok(())
    }

    async fn submit(
        &self,
        docs: Vec<SupplierDocument>,
        sent: &mut Submitted,
    ) -> Result<(), IndexError> {
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
        sent.tasks.push(task);
        Ok(())
    }

    async fn settle(&self, sent: Submitted) -> Result<(), IndexError> {
        // In order: Meilisearch applies an index's tasks in the order sent,
        // so once the first is done the others take one poll each.
        for task in sent.tasks {
            self.wait_at_most(task, SETTLE_POLL_INTERVAL, SETTLE_TIMEOUT)
                .await?;
        }
        Ok(())
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
        // Valid certificates are counted by the facets of the pieces of days
        // holding `now`, beside the other facets; verified ones only, or
        // beyond the pieces' horizon, by one count per code present.
        let day_facets = if query.verified_only {
            None
        } else {
            days::facets_at(query.now)
        };
        let facets: Vec<&str> = FACETS
            .into_iter()
            .chain(day_facets.iter().flatten().map(String::as_str))
            .collect();
        let words = query.text().and_then(Words::of);
        let by_relevance = query.sort == SortOrder::Relevance;
        // Each capability and certification the text names, with the filter
        // counting its holders.
        let holding = |attribute: &'static str, codes: &[String]| -> Vec<Named> {
            codes
                .iter()
                .filter_map(|code| {
                    let holds = filter::any_of(attribute, std::slice::from_ref(code))?;
                    Some(Named {
                        code: code.clone(),
                        holds,
                    })
                })
                .collect()
        };
        let named = NamedInText {
            capabilities: holding("capability_codes", &query.named_capabilities),
            certifications: holding("certification_codes", &query.named_certifications),
            now: query.now,
            verified_only: query.verified_only,
        };
        let index = self.index();
        // A sorted page comes from the union, whose words are weighed by
        // their rarity first (and the words finding nothing left out). A page
        // by relevance is ranked from each word's best matches, counting the
        // words meanwhile (see `Words::ranked`); the union then only counts,
        // which its weights do not change, so it runs at the same time. When
        // certificates are counted per code, the codes held under the filter
        // are listed first, so that their counts (one federated search per
        // code) need not wait for the union's facets.
        let codes_early =
            day_facets.is_none() && by_relevance && words.as_ref().is_some_and(Words::several);
        let (words, early_codes) = futures::future::try_join(
            async {
                if by_relevance {
                    Ok(words)
                } else {
                    self.weighed(words).await
                }
            },
            async {
                if codes_early {
                    self.certification_codes(filter.as_deref()).await.map(Some)
                } else {
                    Ok(None)
                }
            },
        )
        .await?;
        let sort: &[&str] = match query.sort {
            SortOrder::Relevance => &[],
            SortOrder::NameAsc => &["name:asc", "id:asc"],
            SortOrder::UpdatedDesc => &["updated_at:desc", "id:asc"],
        };
        let (hits, total, mut distribution, certified) = match &words {
            // One round trip for the page and, with an exhaustive count, the facets.
            None => {
                let mut page = index.search();
                page.with_offset(query.offset).with_limit(query.limit);
                hit_search(&mut page, filter.as_deref(), sort);
                let mut counts = index.search();
                counts
                    .with_page(1)
                    .with_hits_per_page(0)
                    .with_facets(Selectors::Some(&facets));
                hit_search(&mut counts, filter.as_deref(), sort);
                let mut batch = self.client.multi_search();
                batch.with_search_query(page).with_search_query(counts);
                let mut results = batch.execute::<HitId>().await.map_err(from_sdk)?.results;
                let (Some(counts), Some(page)) = (results.pop(), results.pop()) else {
                    return Err(IndexError::Internal(
                        "meilisearch multi-search answer incomplete".to_owned(),
                    ));
                };
                let total = counts.total_hits.unwrap_or_default();
                let hits = page
                    .hits
                    .into_iter()
                    .map(|hit| SearchHit {
                        id: hit.result.id,
                        score: None,
                        highlights: BTreeMap::new(),
                    })
                    .collect();
                (
                    hits,
                    total,
                    counts.facet_distribution.unwrap_or_default(),
                    None,
                )
            }
            Some(words) => {
                // The union: its total and facets, and a sorted page.
                let (offset, limit) = if by_relevance {
                    (0, 0)
                } else {
                    (query.offset, query.limit)
                };
                let batch = words.searches(&self.client, &index, |search| {
                    hit_search(search, filter.as_deref(), sort);
                });
                let union = batch.with_federation(FederationOptions {
                    offset: Some(offset),
                    limit: Some(limit),
                    facets_by_index: Some(HashMap::from([(
                        self.uid.clone(),
                        facets.iter().map(|&facet| facet.to_owned()).collect(),
                    )])),
                    merge_facets: Some(MergeFacets::default()),
                    ..FederationOptions::default()
                });
                let (page, union, certified) = if by_relevance {
                    let window = query.offset.saturating_add(query.limit).max(RANK_WINDOW);
                    let certified = async {
                        match early_codes.clone() {
                            Some(codes) => self
                                .valid_certification_counts(
                                    Some(words),
                                    filter.as_deref(),
                                    query.now,
                                    query.verified_only,
                                    codes,
                                )
                                .await
                                .map(Some),
                            None => Ok(None),
                        }
                    };
                    let (ranked, union, certified) = futures::future::try_join3(
                        async {
                            words
                                .ranked(
                                    &self.client,
                                    &index,
                                    filter.as_deref(),
                                    Window::page(window),
                                    &named,
                                )
                                .await
                                .map_err(from_sdk)
                        },
                        async { union.execute::<Value>().await.map_err(from_sdk) },
                        certified,
                    )
                    .await?;
                    let page: Vec<Ranked> = ranked
                        .into_iter()
                        .skip(query.offset)
                        .take(query.limit)
                        .collect();
                    let mut docs = self
                        .documents(page.iter().map(|hit| hit.id), &HIT_ATTRIBUTES)
                        .await?;
                    let page = page
                        .iter()
                        .filter_map(|hit| {
                            let at = docs.iter().position(|doc| doc.id == hit.id)?;
                            Some((docs.swap_remove(at), hit.score))
                        })
                        .collect();
                    (page, union, certified)
                } else {
                    let mut union = union.execute::<Value>().await.map_err(from_sdk)?;
                    let page = std::mem::take(&mut union.hits)
                        .into_iter()
                        .map(|hit| {
                            let score = relevance(&hit);
                            Ok((partial_document(hit.result)?, score))
                        })
                        .collect::<Result<Vec<_>, IndexError>>()?;
                    (page, union, None)
                };
                let mut marker = Marker::new(words.marked(), analysis::analyzer());
                let hits = page
                    .into_iter()
                    .map(|(doc, score)| SearchHit {
                        id: doc.id,
                        score: Some(score),
                        highlights: marker.highlights(&doc),
                    })
                    .collect();
                (
                    hits,
                    union.estimated_total_hits,
                    union.facet_distribution.unwrap_or_default(),
                    certified,
                )
            }
        };

        let present = distribution
            .remove("certification_codes")
            .unwrap_or_default();
        let certified = match certified {
            Some(certified) => certified,
            None => {
                self.certification_counts(
                    words.as_ref(),
                    filter.as_deref(),
                    &query,
                    present,
                    day_facets.is_some().then_some(&mut distribution),
                )
                .await?
            }
        };
        let mut facet = |name: &str| counted(distribution.remove(name).unwrap_or_default());
        let facets = Facets {
            capabilities: facet("capability_codes"),
            certifications: certified,
            sectors: facet("sectors"),
            regions: facet("region"),
            member: facet("member"),
        };
        Ok(SearchResults {
            total,
            hits,
            facets,
        })
    }

    async fn candidates(&self, need: CandidateQuery) -> Result<Vec<Candidate>, IndexError> {
        need.check()?;
        let index = self.index();
        let need_words = need.text_words();
        let full = filter::any_of("capability_codes", &need.capabilities);
        let related = filter::any_of("capability_codes", &need.related_capabilities());
        let not = |filter: &str| format!("NOT ({filter})");
        let requirements = filter::requirements(&need)?;

        // Holders are ranked by the requirements they meet first: only the
        // best `limit` of them can be candidates. Counting how many meet at
        // least k requirements (cheap filter-only searches) finds the level
        // that fills the list, so that the holders and their text relevance
        // are read from that level up rather than from all holders.
        let (words, levels) = futures::future::try_join(
            self.weighed(need_words.as_ref().map(Words::from_query)),
            self.levels(full.as_deref(), &requirements, need.limit),
        )
        .await?;
        let level = |k: usize| {
            filter::all_of(
                full.iter()
                    .cloned()
                    .chain(requirements.at_least(k))
                    .collect(),
            )
        };
        let cutoff = levels.cutoff;
        let at_level = full.as_ref().and(level(cutoff.unwrap_or(0)));
        // Counted, the level's best `limit` by text, then by id, are enough:
        // the level holds at least that many, or every holder, and the
        // holders above it were read with it. Uncounted, the requirements
        // are counted here, over a wider window.
        let (uncounted, level_text_window) = if cutoff.is_some() {
            (None, need.limit)
        } else {
            (at_level.clone(), TEXT_WINDOW)
        };
        // Partial candidates rank below every full one: when the holders
        // fill the list, none is looked for.
        let partial_tier = !levels.filled;
        let related_only =
            related
                .as_deref()
                .filter(|_| partial_tier)
                .map(|related| match full.as_deref() {
                    Some(full) => format!("({related}) AND {}", not(full)),
                    None => related.to_owned(),
                });

        // The holders the counts did not read, whatever their text says:
        // the requested capabilities' when not counted, a related one's.
        let mut holders = self.client.multi_search();
        for (filter, window) in [(&uncounted, FULL_WINDOW), (&related_only, PARTIAL_WINDOW)] {
            if let Some(filter) = filter.as_deref() {
                let mut search = index.search();
                search.with_limit(window);
                ranking_search(&mut search, Some(filter));
                holders.with_search_query(search);
            }
        }
        // The text's relevance, for the same holders (the level holds the
        // holders above it) and for the other profiles. Without
        // capabilities, every text match is a profile of the partial tier.
        let others = full.as_deref().map(not).filter(|_| partial_tier);
        let text_parts: Vec<(Option<&str>, usize)> = match (&at_level, &others) {
            (Some(at_level), others) => [
                Some((Some(at_level.as_str()), level_text_window)),
                others.as_deref().map(|others| (Some(others), TEXT_WINDOW)),
            ]
            .into_iter()
            .flatten()
            .collect(),
            (None, _) => vec![(None, TEXT_WINDOW)],
        };
        // Each text part's matches ranked as the directory's page by
        // relevance: by the sum over the words a profile matches, so that a
        // supplier matching several of the need's words outranks one matching
        // its rarest word alone.
        let nothing_named = NamedInText::default();
        let (client, index, named) = (&self.client, &index, &nothing_named);
        let text_matches = words.iter().flat_map(|words| {
            text_parts.iter().map(move |&(filter, window)| async move {
                let mut ranked = words
                    .ranked(client, index, filter, Window::words(window), named)
                    .await?;
                ranked.truncate(window);
                Ok::<_, Error>(ranked)
            })
        });
        let (holders, matches) = futures::future::try_join(
            async {
                if holders.queries.is_empty() {
                    return Ok(Vec::new());
                }
                Ok(holders.execute::<Value>().await?.results)
            },
            futures::future::try_join_all(text_matches),
        )
        .await
        .map_err(from_sdk)?;

        let mut docs: Vec<SupplierDocument> = Vec::new();
        let mut read: HashSet<Uuid> = HashSet::new();
        let holders = holders
            .into_iter()
            .flat_map(|result| result.hits)
            .map(|hit| hit.result)
            .chain(levels.holders);
        for fields in holders {
            let doc = partial_document(fields)?;
            if read.insert(doc.id) {
                docs.push(doc);
            }
        }
        // A text match scores its best over the parts; the documents of the
        // matches the holders' searches did not read are fetched at once.
        let mut relevance: HashMap<Uuid, f32> = HashMap::new();
        for matched in matches.into_iter().flatten() {
            let score = relevance.entry(matched.id).or_default();
            *score = score.max(matched.score);
        }
        let unread = relevance.keys().filter(|id| !read.contains(id)).copied();
        docs.extend(self.documents(unread, &RANKING_ATTRIBUTES).await?);
        let scored: Vec<(SupplierDocument, f32)> = docs
            .into_iter()
            .map(|doc| {
                let score = relevance.get(&doc.id).copied().unwrap_or_default();
                (doc, score)
            })
            .collect();
        // Relative to the best, as the embedded engine's relevance.
        let best = scored
            .iter()
            .map(|(_, score)| *score)
            .fold(0.0_f32, f32::max);
        let mut candidates = need.rank(
            scored
                .iter()
                .map(|(doc, score)| (doc, if best > 0.0 { score / best } else { 0.0 })),
        );
        if let Some(words) = &need_words {
            self.name_matched_terms(words, &mut candidates).await?;
        }
        Ok(candidates)
    }

    fn engine_name(&self) -> &'static str {
        "meilisearch"
    }
}

impl MeiliIndex {
    /// How the holders of the requested capabilities (`full`) fill a list
    /// of `limit`: whether they do, the level whose holders fill it, and the
    /// holders read while counting.
    async fn levels(
        &self,
        full: Option<&str>,
        requirements: &filter::Requirements,
        limit: usize,
    ) -> Result<Levels, IndexError> {
        let Some(full) = full else {
            return Ok(Levels {
                filled: false,
                cutoff: None,
                holders: Vec::new(),
            });
        };
        // A count reads the first `limit` documents it counts: the holders
        // when they do not fill the list, a level's when it does, every one
        // above it. So no other search reads the holders.
        let (holders, mut read) = self.count_and_read(full, limit).await?;
        let filled = holders >= limit;
        if requirements.len() > filter::MAX_REQUIREMENTS {
            return Ok(Levels {
                filled,
                cutoff: None,
                holders: Vec::new(),
            });
        }
        // Counts shrink as k grows: counted from the top, the first level
        // filling the list is the answer, and the levels below it (whose
        // filters write out the most ways of meeting k requirements) are
        // not asked. At scale most lists are filled at the top levels.
        if filled {
            let mut above = Vec::new();
            for k in (1..=requirements.len()).rev() {
                let Some(at_least) = requirements.at_least(k) else {
                    continue;
                };
                let (count, level) = self
                    .count_and_read(&format!("({full}) AND ({at_least})"), limit)
                    .await?;
                above.extend(level);
                if count >= limit {
                    return Ok(Levels {
                        filled,
                        cutoff: Some(k),
                        holders: above,
                    });
                }
            }
            read.extend(above);
        }
        Ok(Levels {
            filled,
            cutoff: Some(0),
            holders: read,
        })
    }

    /// How many documents `filter` keeps, and the first `limit` of them
    /// with what ranking a candidate needs.
    async fn count_and_read(
        &self,
        filter: &str,
        limit: usize,
    ) -> Result<(usize, Vec<Value>), IndexError> {
        let index = self.index();
        let mut search = index.search();
        search.with_limit(limit);
        ranking_search(&mut search, Some(filter));
        let found = search.execute::<Value>().await.map_err(from_sdk)?;
        Ok((
            found.estimated_total_hits.unwrap_or_default(),
            found.hits.into_iter().map(|hit| hit.result).collect(),
        ))
    }

    /// The certification codes some document under `filter` holds (valid or
    /// not).
    async fn certification_codes(&self, filter: Option<&str>) -> Result<Vec<String>, IndexError> {
        let index = self.index();
        let mut held = index.search();
        held.with_limit(0)
            .with_facets(Selectors::Some(&["certification_codes"]));
        if let Some(filter) = filter {
            held.with_filter(filter);
        }
        let found = held.execute::<HitId>().await.map_err(from_sdk)?;
        Ok(found
            .facet_distribution
            .and_then(|mut facets| facets.remove("certification_codes"))
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, count)| *count > 0)
            .map(|(code, _)| code)
            .collect())
    }

    /// `words` weighed by their rarity in the index.
    async fn weighed(&self, words: Option<Words>) -> Result<Option<Words>, IndexError> {
        match words {
            Some(words) => Ok(Some(
                words
                    .weighed(&self.client, &self.index())
                    .await
                    .map_err(from_sdk)?,
            )),
            None => Ok(None),
        }
    }

    /// Fills each candidate's `matched_terms` from the texts of its document,
    /// fetched for the kept candidates only.
    async fn name_matched_terms(
        &self,
        words: &QueryWords,
        candidates: &mut [Candidate],
    ) -> Result<(), IndexError> {
        if candidates.is_empty() {
            return Ok(());
        }
        let docs = self
            .documents(candidates.iter().map(|c| c.id), &TEXT_ATTRIBUTES)
            .await?;
        let mut analyzer = analysis::analyzer();
        // Meilisearch forgives typos on every word, found as typed or not.
        let exact = HashSet::new();
        for doc in docs {
            if let Some(candidate) = candidates.iter_mut().find(|c| c.id == doc.id) {
                candidate.matched_terms = words.matched_in(doc.texts(), &mut analyzer, &exact);
            }
        }
        Ok(())
    }

    /// The documents of `ids` (in no particular order), with only `attributes`.
    async fn documents(
        &self,
        ids: impl Iterator<Item = Uuid>,
        attributes: &[&str],
    ) -> Result<Vec<SupplierDocument>, IndexError> {
        let ids: Vec<String> = ids.map(|id| id.to_string()).collect();
        let Some(filter) = filter::any_of("id", &ids) else {
            return Ok(Vec::new());
        };
        let index = self.index();
        let mut search = index.search();
        search
            .with_filter(&filter)
            .with_limit(ids.len())
            .with_attributes_to_retrieve(Selectors::Some(attributes));
        let found = search.execute::<Value>().await.map_err(from_sdk)?;
        found
            .hits
            .into_iter()
            .map(|hit| partial_document(hit.result))
            .collect()
    }

    /// The certification facets of a search whose other facets are
    /// `distribution` when it holds the day facets: from the pieces of days
    /// holding `now`, with the codes some match starts or stops holding
    /// during that day counted exactly; otherwise one count per code
    /// `present`.
    async fn certification_counts(
        &self,
        words: Option<&Words>,
        filter: Option<&str>,
        query: &SearchQuery,
        present: HashMap<String, usize>,
        distribution: Option<&mut HashMap<String, HashMap<String, usize>>>,
    ) -> Result<BTreeMap<String, usize>, IndexError> {
        let by_day = distribution.and_then(|distribution| days::counts(distribution, query.now));
        let Some(days::DayCounts { mut valid, edges }) = by_day else {
            return self
                .valid_certification_counts(
                    words,
                    filter,
                    query.now,
                    query.verified_only,
                    present.into_keys().collect(),
                )
                .await;
        };
        let exact = self
            .valid_certification_counts(words, filter, query.now, false, edges.clone())
            .await?;
        for code in edges {
            match exact.get(&code) {
                Some(&count) => valid.insert(code, count),
                None => valid.remove(&code),
            };
        }
        Ok(valid)
    }

    /// Counts, per certification code present among the matches, the matches holding
    /// it valid at `now`: the plain facet counts expired certificates too.
    async fn valid_certification_counts(
        &self,
        words: Option<&Words>,
        filter: Option<&str>,
        now: i64,
        verified_only: bool,
        codes: Vec<String>,
    ) -> Result<BTreeMap<String, usize>, IndexError> {
        if codes.is_empty() {
            return Ok(BTreeMap::new());
        }
        let filters = codes
            .iter()
            .map(|code| filter::with_valid_certification(filter, code, now, verified_only))
            .collect::<Result<Vec<_>, _>>()?;
        let index = self.index();
        let totals: Vec<usize> = match words {
            None => {
                let mut batch = self.client.multi_search();
                for code_filter in &filters {
                    let mut count = index.search();
                    count
                        .with_page(1)
                        .with_hits_per_page(0)
                        .with_filter(code_filter);
                    batch.with_search_query(count);
                }
                let results: Vec<MeiliResults<HitId>> =
                    batch.execute::<HitId>().await.map_err(from_sdk)?.results;
                results
                    .into_iter()
                    .map(|result| result.total_hits.unwrap_or_default())
                    .collect()
            }
            // A federated search counts one set of queries: one per code.
            Some(words) => {
                let counts: Vec<_> = filters
                    .iter()
                    .map(|code_filter| {
                        words
                            .searches(&self.client, &index, |search| {
                                search
                                    .with_matching_strategy(MATCHING)
                                    .with_filter(code_filter);
                            })
                            .with_federation(FederationOptions {
                                limit: Some(0),
                                ..FederationOptions::default()
                            })
                    })
                    .collect();
                futures::future::try_join_all(counts.iter().map(|count| count.execute::<HitId>()))
                    .await
                    .map_err(from_sdk)?
                    .into_iter()
                    .map(|result| result.estimated_total_hits)
                    .collect()
            }
        };
        Ok(codes
            .into_iter()
            .zip(totals)
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

/// A search for a page of hits.
fn hit_search<'a>(search: &mut Search<'a>, filter: Option<&'a str>, sort: &'a [&'a str]) {
    search
        .with_matching_strategy(MATCHING)
        .with_attributes_to_retrieve(Selectors::Some(&HIT_ATTRIBUTES))
        .with_sort(sort);
    if let Some(filter) = filter {
        search.with_filter(filter);
    }
}

/// A search for what ranking a candidate needs.
fn ranking_search<'a>(search: &mut Search<'a>, filter: Option<&'a str>) {
    search
        .with_matching_strategy(MATCHING)
        .with_attributes_to_retrieve(Selectors::Some(&RANKING_ATTRIBUTES));
    if let Some(filter) = filter {
        search.with_filter(filter);
    }
}

/// A text match's relevance in 0..=1: as weighted in a federated search.
fn relevance<T>(hit: &SearchResult<T>) -> f32 {
    match &hit.federation {
        Some(federation) => federation.weighted_ranking_score,
        // Narrowing to f32 is fine for a 0..=1 score.
        None => hit.ranking_score.unwrap_or_default() as f32,
    }
}

/// Settings as JSON, with the lists Meilisearch treats as sets (and records
/// sorted and without duplicates) in order.
fn json_of(settings: &Settings) -> Option<Value> {
    let mut json = serde_json::to_value(settings).ok()?;
    let sort = |value: &mut Value| {
        if let Value::Array(items) = value {
            items.sort_by_cached_key(Value::to_string);
            items.dedup();
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
