//! The embedded engine: tantivy in a local directory, for single-binary deployments
//! and tests without a Meilisearch server.
//!
//! Text matching, typo tolerance and synonyms run in tantivy. A search's page,
//! total and facets come from one pass over the matches that reads tantivy's
//! columns (`page`): certificate validity is decided there at the query's clock,
//! so expiry is exact without a reindex. Candidates are ranked on what each
//! match meets of the need, read from the same columns (`collector`); only the
//! listed ones' stored documents are read, for their explanations. Stored
//! documents are parsed once and kept by their position in their segment.

mod collector;
mod columns;
mod page;
mod schema;
mod text_query;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use async_trait::async_trait;
use tantivy::directory::MmapDirectory;
use tantivy::index::SegmentId;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term,
};
use uuid::Uuid;

use self::collector::Fits;
use self::columns::ColumnCache;
use self::page::Page;
use self::schema::Fields;
use crate::CapabilityIndex;
use crate::analysis::{self, Analysed, QueryWords, Terms};
use crate::document::SupplierDocument;
use crate::error::IndexError;
use crate::query::{Candidate, CandidateQuery, SearchHit, SearchQuery, SearchResults};

/// Indexing memory for the single writer thread; tantivy needs at least 15 MB.
const WRITER_MEMORY_BYTES: usize = 50_000_000;

/// A tantivy index persisted in a directory. Cheap to clone.
#[derive(Clone)]
pub struct TantivyIndex {
    engine: Arc<Engine>,
}

struct Engine {
    index: Index,
    reader: IndexReader,
    /// tantivy allows one writer per index (and per directory, across
    /// processes); writes are serialised here. Created on the first write, so
    /// a process that only reads (an admin command) does not take the lock.
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
    analyzer: TextAnalyzer,
    /// Whether `open` created the index: it then needs a reindex.
    created: bool,
    /// Stored documents already parsed, by segment and document: the same
    /// suppliers head many pages and candidate lists, and reading one means
    /// decompressing its block and parsing its JSON. Segments never change,
    /// so entries never go stale; the cache is emptied at each write to drop
    /// merged segments.
    parsed: RwLock<HashMap<SegmentId, Arc<SegmentDocuments>>>,
    /// Each segment's columns, opened for searches.
    columns: ColumnCache,
    /// Capability labels analysed, by label: every holder of a capability
    /// carries the same ones, and an explanation reads each candidate's.
    /// As many as the taxonomy has labels.
    label_terms: RwLock<HashMap<String, Arc<Analysed>>>,
}

impl TantivyIndex {
    /// Opens the index in a subdirectory of `dir` named after the schema version,
    /// creating it if missing (see [`TantivyIndex::created`]). Blocking: call it at
    /// startup, not on a request path.
    pub fn open(dir: &Path) -> Result<Self, IndexError> {
        let dir = dir.join(schema::VERSION);
        std::fs::create_dir_all(&dir).map_err(|err| {
            IndexError::Unavailable(format!("cannot create {}: {err}", dir.display()))
        })?;
        let directory = MmapDirectory::open(&dir).map_err(|err| {
            IndexError::Unavailable(format!("cannot open {}: {err}", dir.display()))
        })?;
        let created = !Index::exists(&directory).map_err(|err| {
            IndexError::Unavailable(format!("cannot read {}: {err}", dir.display()))
        })?;
        let (schema, fields) = schema::build();
        let index = Index::open_or_create(directory, schema).map_err(internal)?;
        let analyzer = analysis::analyzer();
        index
            .tokenizers()
            .register(schema::TOKENIZER, analyzer.clone());
        // Reloaded by hand after each commit, so a write is visible when it returns.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(internal)?;
        Ok(TantivyIndex {
            engine: Arc::new(Engine {
                index,
                reader,
                writer: Mutex::new(None),
                fields,
                analyzer,
                created,
                parsed: RwLock::default(),
                columns: ColumnCache::default(),
                label_terms: RwLock::default(),
            }),
        })
    }

    /// Whether this `open` created the index (a new data directory, or a new
    /// schema version): the caller fills it with a reindex.
    pub fn created(&self) -> bool {
        self.engine.created
    }

    /// Runs `work` on the blocking pool: tantivy does file I/O and CPU-bound work
    /// that must not stall the async executor.
    async fn blocking<T, F>(&self, work: F) -> Result<T, IndexError>
    where
        T: Send + 'static,
        F: FnOnce(&Engine) -> Result<T, IndexError> + Send + 'static,
    {
        let engine = Arc::clone(&self.engine);
        tokio::task::spawn_blocking(move || work(&engine))
            .await
            .map_err(|err| IndexError::Internal(format!("index task failed: {err}")))?
    }
}

#[async_trait]
impl CapabilityIndex for TantivyIndex {
    async fn bootstrap(&self) -> Result<(), IndexError> {
        // The schema and tokenizer are set up by `open`.
        Ok(())
    }

    async fn settings_in_place(&self) -> Result<bool, IndexError> {
        // The schema and analyzers are the code's own, set by `open`.
        Ok(true)
    }

    async fn health(&self) -> Result<(), IndexError> {
        self.blocking(|engine| {
            // Reads meta.json: fails if the directory went away or is unreadable.
            engine.index.searchable_segment_ids().map_err(internal)?;
            Ok(())
        })
        .await
    }

    async fn upsert(&self, docs: Vec<SupplierDocument>) -> Result<(), IndexError> {
        self.blocking(move |engine| {
            let mut analyzer = engine.analyzer.clone();
            engine.write(|writer, fields| {
                for doc in &docs {
                    // Replace: the delete applies to documents added before it, so a
                    // repeated id within one batch keeps its last version only.
                    writer.delete_term(id_term(fields, doc.id));
                    writer
                        .add_document(fields.tantivy_document(doc, &mut analyzer)?)
                        .map_err(internal)?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn delete(&self, ids: Vec<Uuid>) -> Result<(), IndexError> {
        self.blocking(move |engine| {
            engine.write(|writer, fields| {
                for id in &ids {
                    writer.delete_term(id_term(fields, *id));
                }
                Ok(())
            })
        })
        .await
    }

    async fn clear(&self) -> Result<(), IndexError> {
        self.blocking(|engine| {
            engine.write(|writer, _| {
                writer.delete_all_documents().map_err(internal)?;
                Ok(())
            })
        })
        .await
    }

    async fn search(&self, query: SearchQuery) -> Result<SearchResults, IndexError> {
        query.check()?;
        self.blocking(move |engine| engine.search(&query)).await
    }

    async fn candidates(&self, need: CandidateQuery) -> Result<Vec<Candidate>, IndexError> {
        need.check()?;
        self.blocking(move |engine| engine.candidates(&need)).await
    }

    fn engine_name(&self) -> &'static str {
        "embedded"
    }
}

/// A segment's parsed documents, by document id: by position rather than by
/// hashing.
struct SegmentDocuments(Vec<OnceLock<Arc<SupplierDocument>>>);

impl Engine {
    /// Applies `change` and commits; on failure the uncommitted operations are
    /// rolled back so the next write starts clean.
    fn write(
        &self,
        change: impl FnOnce(&IndexWriter, &Fields) -> Result<(), IndexError>,
    ) -> Result<(), IndexError> {
        let mut slot = self
            .writer
            .lock()
            .map_err(|_| IndexError::Internal("index writer lock poisoned".to_owned()))?;
        if slot.is_none() {
            let writer = self
                .index
                .writer_with_num_threads(1, WRITER_MEMORY_BYTES)
                .map_err(|err| match err {
                    tantivy::TantivyError::LockFailure(..) => IndexError::Unavailable(
                        "the embedded index is being written by another process".to_owned(),
                    ),
                    other => internal(other),
                })?;
            *slot = Some(writer);
        }
        let Some(writer) = slot.as_mut() else {
            return Err(IndexError::Internal("index writer missing".to_owned()));
        };
        let committed =
            change(writer, &self.fields).and_then(|()| writer.commit().map(drop).map_err(internal));
        if let Err(err) = committed {
            writer.rollback().map_err(internal)?;
            return Err(err);
        }
        self.reader.reload().map_err(internal)?;
        if let Ok(mut parsed) = self.parsed.write() {
            parsed.clear();
        }
        self.columns.clear();
        Ok(())
    }

    fn parse_text(&self, text: Option<&str>) -> Option<QueryWords> {
        QueryWords::parse(text?, &mut self.analyzer.clone())
    }

    fn search(&self, query: &SearchQuery) -> Result<SearchResults, IndexError> {
        let text = self.parse_text(query.text());
        let fields = &self.fields;
        let searcher = self.reader.searcher();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Must,
            match &text {
                Some(text) => {
                    let exact = text_query::indexed_words(text, fields, &searcher)?;
                    text_query::to_query(text, &exact, fields, &searcher)?
                }
                None => Box::new(AllQuery),
            },
        )];
        let filters = [
            any_of(fields.capability_codes, &query.capabilities),
            any_of(fields.sectors, &query.sectors),
            any_of(fields.region, &query.regions),
            query
                .member
                .map(|member| term_query(Term::from_field_bool(fields.member, member))),
        ];
        // Presence only; validity at `now` is decided by the collector.
        let certifications = query.certifications.iter().map(|code| {
            Some(term_query(Term::from_field_text(
                fields.certification_codes,
                code,
            )))
        });
        clauses.extend(
            filters
                .into_iter()
                .chain(certifications)
                .flatten()
                .map(|filter| (Occur::Must, unscored(filter))),
        );
        let mut named_certifications = Vec::new();
        if text.is_some() {
            clauses.extend(
                named_capabilities(
                    fields.capability_codes,
                    &query.named_capabilities,
                    &searcher,
                )?
                .map(|named| (Occur::Should, named)),
            );
            // Lifted by the collector, which knows which certificates are
            // valid at `now`.
            for code in &query.named_certifications {
                let holders = searcher
                    .doc_freq(&Term::from_field_text(fields.certification_codes, code))
                    .map_err(internal)?;
                let lift = crate::query::named_certification_lift(holders, searcher.num_docs());
                named_certifications.push((code.clone(), lift));
            }
        }
        let page = Page {
            certifications: &query.certifications,
            verified_only: query.verified_only,
            now: query.now,
            sort: query.sort,
            keep: query.offset.saturating_add(query.limit),
            columns: &self.columns,
            named_certifications: &named_certifications,
        };
        let collected = searcher
            .search(&BooleanQuery::new(clauses), &page)
            .map_err(internal)?;
        let words: Vec<_> = text.iter().flat_map(QueryWords::words).cloned().collect();
        let mut marker = crate::highlight::Marker::new(&words, self.analyzer.clone());
        let segments = self.segment_documents(&searcher)?;
        let hits = collected
            .best
            .iter()
            .skip(query.offset)
            .map(|found| {
                let doc = self.parsed_document(&searcher, &segments, found.address)?;
                Ok(SearchHit {
                    id: doc.id,
                    score: text.as_ref().map(|_| found.score),
                    highlights: marker.highlights(&doc),
                })
            })
            .collect::<Result<_, IndexError>>()?;
        Ok(SearchResults {
            total: collected.total,
            hits,
            facets: collected.facets,
        })
    }

    fn candidates(&self, need: &CandidateQuery) -> Result<Vec<Candidate>, IndexError> {
        let text = need.text_words();
        let searcher = self.reader.searcher();
        // Holders of a requested capability, of a related one, or suppliers
        // whose profile speaks of the need: the ranking sorts them into tiers.
        let related = need.related_capabilities();
        let mut clauses: Vec<Box<dyn Query>> = [
            any_of(self.fields.capability_codes, &need.capabilities),
            any_of(self.fields.capability_codes, &related),
        ]
        .into_iter()
        .flatten()
        .map(unscored)
        .collect();
        // The words looked for without typos, by the query and by the
        // explanations alike.
        let exact = match &text {
            Some(text) => text_query::indexed_words(text, &self.fields, &searcher)?,
            None => HashSet::new(),
        };
        if let Some(text) = &text {
            clauses.push(text_query::to_query(text, &exact, &self.fields, &searcher)?);
        }
        if clauses.is_empty() {
            return Err(IndexError::InvalidQuery(
                "the candidate text has no searchable word".to_owned(),
            ));
        }
        // What each match meets of the need is read from the columns as the
        // matches are collected; only the listed candidates' documents are
        // read, for their explanations.
        let found = searcher
            .search(
                &BooleanQuery::union(clauses),
                &Fits {
                    need,
                    related: &related,
                    columns: &self.columns,
                },
            )
            .map_err(internal)?;
        let best = found.best;
        let relevance = |score: f32| if best > 0.0 { score / best } else { 0.0 };
        let placed = found
            .found
            .into_iter()
            .filter_map(|found| {
                let (tier, score) = need.place(found.fit, relevance(found.score))?;
                Some((Candidate::new(found.id, tier, score), found.address))
            })
            .collect();
        let ranked = need.best(placed);
        let Some(text) = &text else {
            return Ok(ranked.into_iter().map(|(candidate, _)| candidate).collect());
        };
        let segments = self.segment_documents(&searcher)?;
        let mut analyzer = self.analyzer.clone();
        ranked
            .into_iter()
            .map(|(mut candidate, address)| {
                let doc = self.parsed_document(&searcher, &segments, address)?;
                let mut terms = Terms::default();
                for own in doc.own_texts() {
                    terms.add_text(own, &mut analyzer);
                }
                for label in &doc.capability_labels {
                    terms.add_analysed(&self.label_terms(label, &mut analyzer));
                }
                candidate.matched_terms = text.matched_terms(&terms, &exact);
                Ok(candidate)
            })
            .collect()
    }

    /// `label` analysed, once per process.
    fn label_terms(&self, label: &str, analyzer: &mut TextAnalyzer) -> Arc<Analysed> {
        if let Some(known) = self
            .label_terms
            .read()
            .ok()
            .and_then(|labels| labels.get(label).cloned())
        {
            return known;
        }
        let terms: Arc<Analysed> = analysis::analysed(label, analyzer).into();
        if let Ok(mut labels) = self.label_terms.write() {
            labels.insert(label.to_owned(), Arc::clone(&terms));
        }
        terms
    }

    /// Each segment's parsed documents, in the searcher's segment order.
    fn segment_documents(
        &self,
        searcher: &Searcher,
    ) -> Result<Vec<Arc<SegmentDocuments>>, IndexError> {
        let poisoned = || IndexError::Internal("document cache poisoned".to_owned());
        searcher
            .segment_readers()
            .iter()
            .map(|reader| {
                let segment = reader.segment_id();
                if let Some(known) = self.parsed.read().map_err(|_| poisoned())?.get(&segment) {
                    return Ok(Arc::clone(known));
                }
                let mut parsed = self.parsed.write().map_err(|_| poisoned())?;
                let documents = parsed.entry(segment).or_insert_with(|| {
                    let slots = reader.max_doc() as usize;
                    Arc::new(SegmentDocuments(
                        std::iter::repeat_with(OnceLock::new).take(slots).collect(),
                    ))
                });
                Ok(Arc::clone(documents))
            })
            .collect()
    }

    /// The stored document at `address`, parsed once.
    fn parsed_document(
        &self,
        searcher: &Searcher,
        segments: &[Arc<SegmentDocuments>],
        address: DocAddress,
    ) -> Result<Arc<SupplierDocument>, IndexError> {
        let slot = segments
            .get(address.segment_ord as usize)
            .and_then(|documents| documents.0.get(address.doc_id as usize))
            .ok_or_else(|| IndexError::Internal("document outside its segment".to_owned()))?;
        if let Some(doc) = slot.get() {
            return Ok(Arc::clone(doc));
        }
        let stored: TantivyDocument = searcher.doc(address).map_err(internal)?;
        let doc = Arc::new(self.fields.stored_supplier(&stored)?);
        // Another search may have parsed it meanwhile: either copy will do.
        Ok(Arc::clone(slot.get_or_init(|| doc)))
    }
}

fn id_term(fields: &Fields, id: Uuid) -> Term {
    Term::from_field_text(fields.id, &id.to_string())
}

fn term_query(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::Basic))
}

/// Documents with any of `values` in `field`; `None` when there is nothing to filter.
fn any_of(field: Field, values: &[String]) -> Option<Box<dyn Query>> {
    if values.is_empty() {
        return None;
    }
    let terms = values
        .iter()
        .map(|value| term_query(Term::from_field_text(field, value)))
        .collect();
    Some(Box::new(BooleanQuery::union(terms)))
}

/// Holding a capability the text names scores as one more matched word
/// (see `text_query`), as rare as the capability's holders, its context's
/// less (`named_capability_lift`): the best of them when several are held.
fn named_capabilities(
    field: Field,
    codes: &[String],
    searcher: &Searcher,
) -> Result<Option<Box<dyn Query>>, IndexError> {
    if codes.is_empty() {
        return Ok(None);
    }
    let documents = searcher.num_docs();
    let named = codes
        .iter()
        .enumerate()
        .map(|(at, code)| {
            let term = Term::from_field_text(field, code);
            let holders = searcher.doc_freq(&term).map_err(internal)?;
            let lift = crate::query::named_capability_lift(at, holders, documents);
            Ok(Box::new(ConstScoreQuery::new(term_query(term), lift)) as Box<dyn Query>)
        })
        .collect::<Result<Vec<_>, IndexError>>()?;
    Ok(Some(Box::new(DisjunctionMaxQuery::new(named))))
}

/// Filters select documents without changing their text relevance.
fn unscored(filter: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(filter, 0.0))
}

fn internal(err: tantivy::TantivyError) -> IndexError {
    IndexError::Internal(err.to_string())
}
