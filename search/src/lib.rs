//! The capability index of PMT Business: where buyers find suppliers by capability,
//! certification, sector and region.
//!
//! One trait, [`CapabilityIndex`], with two engines that pass the same
//! [`contract`] suite: [`meili::MeiliIndex`] (Meilisearch, for production) and
//! [`embedded::TantivyIndex`] (tantivy in a local directory, for single-binary
//! deployments and tests).

mod analysis;
mod document;
mod error;
mod highlight;
mod query;

#[cfg(feature = "contract")]
pub mod contract;
pub mod embedded;
pub mod fault;
mod html;
pub mod meili;
pub mod suggest;
pub mod synonyms;

pub use document::{CertificationDoc, SupplierDocument};
pub use error::IndexError;
pub use query::{
    Candidate, CandidateQuery, Facets, MAX_RESULT_WINDOW, SearchHit, SearchQuery, SearchResults,
    SortOrder, Tier,
};

/// Writes sent by [`CapabilityIndex::submit`], not yet known to be applied.
#[derive(Debug, Default)]
pub struct Submitted {
    /// Meilisearch's tasks, in the order sent.
    tasks: Vec<meilisearch_sdk::task_info::TaskInfo>,
}

/// A searchable store of supplier documents.
#[async_trait::async_trait]
pub trait CapabilityIndex: Send + Sync + 'static {
    /// Applies settings (Meilisearch: searchable/filterable/sortable attributes,
    /// synonyms, typo rules); idempotent. Called at start.
    async fn bootstrap(&self) -> Result<(), IndexError>;
    /// Cheap reachability check for `/readyz`.
    async fn health(&self) -> Result<(), IndexError>;
    /// Whether the settings `bootstrap` applies are in place, asked with the
    /// credentials every other call uses (`pmt admin doctor`: `health` alone
    /// passes with a wrong key). Changes nothing.
    async fn settings_in_place(&self) -> Result<bool, IndexError>;
    /// Inserts or replaces documents by id; visible to `search` when this returns.
    async fn upsert(&self, docs: Vec<SupplierDocument>) -> Result<(), IndexError>;
    /// Sends documents to insert or replace by id without waiting until they
    /// are searchable, noting them in `sent`; [`settle`](Self::settle) waits.
    /// For a rebuild's chunks: Meilisearch indexes the chunks waiting in one
    /// batch, and the next chunk is read from the database meanwhile. By
    /// default an [`upsert`](Self::upsert).
    async fn submit(
        &self,
        docs: Vec<SupplierDocument>,
        sent: &mut Submitted,
    ) -> Result<(), IndexError> {
        let _ = sent;
        self.upsert(docs).await
    }
    /// Returns once every document of `sent` is searchable; an error if any
    /// of their writes failed.
    async fn settle(&self, sent: Submitted) -> Result<(), IndexError> {
        let _ = sent;
        Ok(())
    }
    async fn delete(&self, ids: Vec<uuid::Uuid>) -> Result<(), IndexError>;
    /// Removes every document (used by `admin reindex`).
    async fn clear(&self) -> Result<(), IndexError>;
    async fn search(&self, query: SearchQuery) -> Result<SearchResults, IndexError>;
    /// Ranked candidates for a structured need (used to propose suppliers for a
    /// sourcing request); see [`Candidate`] for the score.
    async fn candidates(&self, need: CandidateQuery) -> Result<Vec<Candidate>, IndexError>;
    /// "embedded" or "meilisearch".
    fn engine_name(&self) -> &'static str;
}
