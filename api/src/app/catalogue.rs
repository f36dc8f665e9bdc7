//! The capability taxonomy and certification catalogue, used to validate
//! and label codes.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

use domain::account::Language;
use domain::certification::CertificationType;
use domain::taxonomy::{CapabilityCode, CapabilityNode};
use persistence::{DbConnection, catalogue};
use search::suggest::Suggester;

use crate::error::ApiResult;

pub struct Catalogue {
    nodes: Vec<CapabilityNode>,
    by_code: HashMap<String, usize>,
    certification_types: Vec<CertificationType>,
    /// Built at the first suggestion asked of this copy: a changed catalogue
    /// is a new copy, with its own.
    suggester: OnceLock<Suggester>,
}

impl Catalogue {
    pub fn load(conn: &mut DbConnection) -> ApiResult<Self> {
        let nodes = catalogue::taxonomy(conn)?;
        let by_code = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.code.to_string(), i))
            .collect();
        Ok(Self {
            nodes,
            by_code,
            certification_types: catalogue::certification_types(conn)?,
            suggester: OnceLock::new(),
        })
    }

    /// What free-text needs mean in this catalogue's terms.
    pub fn suggester(&self) -> &Suggester {
        self.suggester.get_or_init(|| {
            crate::app::suggestions::suggester(&self.nodes, &self.certification_types)
        })
    }

    /// The taxonomy, in its order.
    pub fn nodes(&self) -> &[CapabilityNode] {
        &self.nodes
    }

    pub fn node(&self, code: &str) -> Option<&CapabilityNode> {
        self.by_code.get(code).map(|&i| &self.nodes[i])
    }

    /// The taxonomy's top-level nodes ("families"), in taxonomy order.
    pub fn families(&self) -> impl Iterator<Item = &CapabilityNode> {
        self.nodes.iter().filter(|n| n.code.parent().is_none())
    }

    pub fn has_capability(&self, code: &CapabilityCode) -> bool {
        self.by_code.contains_key(code.as_str())
    }

    pub fn capability_label(&self, code: &str, language: Language) -> String {
        self.node(code)
            .map_or_else(|| code.to_owned(), |n| n.label(language).to_owned())
    }

    pub fn has_certification_type(&self, code: &str) -> bool {
        self.certification_types
            .iter()
            .any(|t| t.code.as_str() == code)
    }

    pub fn certification_label(&self, code: &str, language: Language) -> String {
        self.certification_types
            .iter()
            .find(|t| t.code.as_str() == code)
            .map_or_else(
                || code.to_owned(),
                |t| match language {
                    Language::Fr => t.fr.clone(),
                    Language::En => t.en.clone(),
                },
            )
    }
}

/// The catalogue changes only when an admin adds a capability, yet nearly
/// every view labels codes with it: readers share one copy. A change made by
/// this process drops it at once; one made by another process (a second
/// server, an admin command) shows within `MAX_AGE`. Validation does not use
/// this copy: a write checks codes against the database in its transaction.
#[derive(Default)]
pub struct CatalogueCache {
    current: RwLock<Option<(Instant, Arc<Catalogue>)>>,
}

impl CatalogueCache {
    const MAX_AGE: Duration = Duration::from_secs(60);

    pub fn fresh(&self) -> Option<Arc<Catalogue>> {
        let current = self.current.read().unwrap_or_else(|p| p.into_inner());
        current
            .as_ref()
            .filter(|(loaded, _)| loaded.elapsed() < Self::MAX_AGE)
            .map(|(_, catalogue)| catalogue.clone())
    }

    pub fn store(&self, catalogue: Arc<Catalogue>) {
        *self.current.write().unwrap_or_else(|p| p.into_inner()) =
            Some((Instant::now(), catalogue));
    }

    pub fn invalidate(&self) {
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = None;
    }
}
