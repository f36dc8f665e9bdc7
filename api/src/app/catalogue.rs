//! The capability taxonomy and certification catalogue, as loaded once per
//! use case and used to label codes.

use std::collections::HashMap;

use domain::account::Language;
use domain::certification::CertificationType;
use domain::taxonomy::{CapabilityCode, CapabilityNode};
use persistence::{DbConnection, catalogue};

use crate::error::ApiResult;

pub struct Catalogue {
    nodes: Vec<CapabilityNode>,
    by_code: HashMap<String, usize>,
    certification_types: Vec<CertificationType>,
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
        })
    }

    pub fn node(&self, code: &str) -> Option<&CapabilityNode> {
        self.by_code.get(code).map(|&i| &self.nodes[i])
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
