//! Fault injection for development and tests: an index that behaves as an
//! unreachable engine while a given file exists, so that an outage of the
//! embedded engine (which lives in the server process and cannot be stopped
//! from outside) can be simulated and ended at will.

use std::path::PathBuf;
use std::sync::Arc;

use crate::{
    Candidate, CandidateQuery, CapabilityIndex, IndexError, SearchQuery, SearchResults, Submitted,
    SupplierDocument,
};

pub struct FaultSwitch {
    inner: Arc<dyn CapabilityIndex>,
    file: PathBuf,
}

impl FaultSwitch {
    pub fn new(inner: Arc<dyn CapabilityIndex>, file: PathBuf) -> Self {
        Self { inner, file }
    }

    /// The error the Meilisearch adapter returns on a refused connection.
    fn check(&self) -> Result<(), IndexError> {
        // A stat per call: negligible next to any index operation, and this
        // wrapper never runs in production.
        if self.file.exists() {
            Err(IndexError::Unavailable(format!(
                "simulated outage: {} exists",
                self.file.display()
            )))
        } else {
            Ok(())
        }
    }
}

#[async_trait::async_trait]
impl CapabilityIndex for FaultSwitch {
    async fn bootstrap(&self) -> Result<(), IndexError> {
        self.check()?;
        self.inner.bootstrap().await
    }

    async fn health(&self) -> Result<(), IndexError> {
        self.check()?;
        self.inner.health().await
    }

    async fn settings_in_place(&self) -> Result<bool, IndexError> {
        self.check()?;
        self.inner.settings_in_place().await
    }

    async fn upsert(&self, docs: Vec<SupplierDocument>) -> Result<(), IndexError> {
        self.check()?;
        self.inner.upsert(docs).await
    }

    async fn submit(
        &self,
        docs: Vec<SupplierDocument>,
        sent: &mut Submitted,
    ) -> Result<(), IndexError> {
        self.check()?;
        self.inner.submit(docs, sent).await
    }

    async fn settle(&self, sent: Submitted) -> Result<(), IndexError> {
        self.check()?;
        self.inner.settle(sent).await
    }

    async fn delete(&self, ids: Vec<uuid::Uuid>) -> Result<(), IndexError> {
        self.check()?;
        self.inner.delete(ids).await
    }

    async fn clear(&self) -> Result<(), IndexError> {
        self.check()?;
        self.inner.clear().await
    }

    async fn search(&self, query: SearchQuery) -> Result<SearchResults, IndexError> {
        self.check()?;
        self.inner.search(query).await
    }

    async fn candidates(&self, need: CandidateQuery) -> Result<Vec<Candidate>, IndexError> {
        self.check()?;
        self.inner.candidates(need).await
    }

    fn engine_name(&self) -> &'static str {
        self.inner.engine_name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedded::TantivyIndex;

    #[tokio::test]
    async fn the_index_is_unavailable_exactly_while_the_file_exists() {
        let dir = tempfile::tempdir().expect("temp dir");
        let inner = Arc::new(TantivyIndex::open(&dir.path().join("index")).expect("index"));
        let file = dir.path().join("index-down");
        let index = FaultSwitch::new(inner, file.clone());
        assert!(index.health().await.is_ok());

        std::fs::write(&file, b"").expect("create the fault file");
        assert!(matches!(
            index.health().await,
            Err(IndexError::Unavailable(_))
        ));
        assert!(matches!(
            index.delete(vec![uuid::Uuid::nil()]).await,
            Err(IndexError::Unavailable(_))
        ));
        assert_eq!(index.engine_name(), "embedded");

        std::fs::remove_file(&file).expect("remove the fault file");
        assert!(index.health().await.is_ok());
        assert!(index.delete(vec![uuid::Uuid::nil()]).await.is_ok());
    }
}
