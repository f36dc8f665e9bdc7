//! The capability taxonomy ("briques technologiques"): stable dotted codes,
//! so that a node's ancestors are its code's prefixes and a filter on a code
//! matches all its descendants.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::account::Language;
use crate::validation::{Validated, invalid};

/// `machining`, `machining.micro_machining`: lowercase ASCII segments of
/// letters, digits and underscores, joined by dots.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CapabilityCode(String);

impl CapabilityCode {
    pub fn parse(raw: &str) -> Validated<Self> {
        let code = raw.trim();
        let valid_segment = |s: &str| {
            !s.is_empty()
                && s.len() <= 48
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                && s.as_bytes()[0].is_ascii_lowercase()
        };
        if code.len() <= 200 && code.split('.').all(valid_segment) {
            Ok(Self(code.to_owned()))
        } else {
            invalid(
                "invalid_code",
                "a capability code looks like machining.micro_machining",
            )
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn parent(&self) -> Option<Self> {
        self.0
            .rsplit_once('.')
            .map(|(parent, _)| Self(parent.to_owned()))
    }

    /// This code and every ancestor, root first.
    pub fn with_ancestors(&self) -> Vec<Self> {
        let mut codes: Vec<Self> = self
            .0
            .match_indices('.')
            .map(|(i, _)| Self(self.0[..i].to_owned()))
            .collect();
        codes.push(self.clone());
        codes
    }

    pub fn child(&self, slug: &str) -> Validated<Self> {
        Self::parse(&format!("{}.{}", self.0, slug))
    }
}

impl TryFrom<String> for CapabilityCode {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw).map_err(|e| e.to_string())
    }
}

impl From<CapabilityCode> for String {
    fn from(code: CapabilityCode) -> Self {
        code.0
    }
}

impl fmt::Display for CapabilityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One node of the taxonomy with its labels in both languages and search
/// synonyms (either language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapabilityNode {
    pub code: CapabilityCode,
    pub fr: String,
    pub en: String,
    #[serde(default)]
    pub synonyms: Vec<String>,
}

impl CapabilityNode {
    pub fn label(&self, language: Language) -> &str {
        match language {
            Language::Fr => &self.fr,
            Language::En => &self.en,
        }
    }
}

/// A tree node in one language, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TreeNode {
    pub code: String,
    pub label: String,
    pub children: Vec<TreeNode>,
}

/// Builds the display tree; nodes come in any order, children keep the
/// order of `nodes`.
pub fn tree(nodes: &[CapabilityNode], language: Language) -> Vec<TreeNode> {
    fn children_of(
        parent: Option<&CapabilityCode>,
        nodes: &[CapabilityNode],
        language: Language,
    ) -> Vec<TreeNode> {
        nodes
            .iter()
            .filter(|node| node.code.parent().as_ref() == parent)
            .map(|node| TreeNode {
                code: node.code.to_string(),
                label: node.label(language).to_owned(),
                children: children_of(Some(&node.code), nodes, language),
            })
            .collect()
    }
    children_of(None, nodes, language)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_know_their_ancestors() {
        let code = CapabilityCode::parse("machining.micro_machining").unwrap();
        let ancestors: Vec<String> = code
            .with_ancestors()
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(ancestors, ["machining", "machining.micro_machining"]);
        assert_eq!(
            code.parent().map(String::from).as_deref(),
            Some("machining")
        );
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in [
            "",
            "Machining",
            "machining.",
            ".x",
            "a..b",
            "usinage-cnc",
            "1abc",
            "a b",
        ] {
            assert!(CapabilityCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_tree_nests_children_under_parents() {
        let node = |code: &str, fr: &str| CapabilityNode {
            code: CapabilityCode::parse(code).unwrap(),
            fr: fr.to_owned(),
            en: format!("{fr} (en)"),
            synonyms: vec![],
        };
        let nodes = [
            node("machining.milling", "Fraisage"),
            node("machining", "Usinage"),
            node("plastics", "Plasturgie"),
        ];
        let tree = tree(&nodes, Language::En);
        assert_eq!(tree.len(), 2);
        assert_eq!(tree[0].code, "machining");
        assert_eq!(tree[0].children[0].label, "Fraisage (en)");
    }
}
