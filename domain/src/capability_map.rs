//! The capability map ("cartographie des briques technologiques"): the
//! taxonomy tree with, per node, how many published suppliers master it
//! (the node itself or one below it), where they are and the certificates
//! they most hold. Built from counts the database aggregates; no I/O.

use std::collections::{BTreeMap, HashMap};

use crate::organisation::Membership;
use crate::taxonomy::{CapabilityCode, CapabilityNode};

/// Published suppliers, members of the cluster and others.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SupplierCount {
    pub members: u64,
    pub non_members: u64,
}

impl SupplierCount {
    pub fn total(&self) -> u64 {
        self.members + self.non_members
    }

    pub fn add(&mut self, membership: Membership, suppliers: u64) {
        match membership {
            Membership::Member => self.members += suppliers,
            Membership::NotMember => self.non_members += suppliers,
        }
    }
}

/// What the database counts: the published suppliers under `code` in one
/// department of one region with one membership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeTally {
    pub code: CapabilityCode,
    pub region: String,
    pub department: String,
    pub membership: Membership,
    pub suppliers: u64,
}

/// The published suppliers under `code` holding a valid certificate of
/// `certification` (a certification type code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeCertification {
    pub code: CapabilityCode,
    pub certification: String,
    pub suppliers: u64,
}

/// One capability a published supplier declares, for the supplier ×
/// capability matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixEntry {
    pub organisation: crate::ids::OrganisationId,
    pub name: String,
    pub membership: Membership,
    pub region: String,
    pub department: String,
    pub code: CapabilityCode,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    pub name: String,
    pub suppliers: SupplierCount,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldCertification {
    pub certification: String,
    pub suppliers: u64,
}

/// One node of the map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapNode {
    pub node: CapabilityNode,
    /// 0 for a root.
    pub depth: usize,
    pub suppliers: SupplierCount,
    /// Most suppliers first, then by name.
    pub regions: Vec<Area>,
    pub departments: Vec<Area>,
    /// At most [`CapabilityMap::TOP_CERTIFICATIONS`], most held first.
    pub certifications: Vec<HeldCertification>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapabilityMap {
    /// Every published supplier, with or without a capability.
    pub suppliers: SupplierCount,
    /// The tree in depth-first order (a node, then its children), in the
    /// taxonomy's order.
    pub nodes: Vec<MapNode>,
}

impl CapabilityMap {
    pub const TOP_CERTIFICATIONS: usize = 5;

    pub fn build(
        taxonomy: &[CapabilityNode],
        suppliers: SupplierCount,
        tallies: &[NodeTally],
        certifications: &[NodeCertification],
    ) -> Self {
        let mut by_code: HashMap<&CapabilityCode, (Vec<&NodeTally>, Vec<&NodeCertification>)> =
            HashMap::new();
        for tally in tallies {
            by_code.entry(&tally.code).or_default().0.push(tally);
        }
        for held in certifications {
            by_code.entry(&held.code).or_default().1.push(held);
        }
        let mut nodes = Vec::with_capacity(taxonomy.len());
        // Depth-first without recursion: children are pushed in reverse so
        // that they come out in the taxonomy's order.
        let mut pending: Vec<(&CapabilityNode, usize)> = taxonomy
            .iter()
            .filter(|n| n.code.parent().is_none())
            .rev()
            .map(|n| (n, 0))
            .collect();
        while let Some((node, depth)) = pending.pop() {
            let (node_tallies, held) = by_code.remove(&node.code).unwrap_or_default();
            nodes.push(map_node(node, depth, &node_tallies, &held));
            pending.extend(
                taxonomy
                    .iter()
                    .filter(|child| child.code.parent().as_ref() == Some(&node.code))
                    .rev()
                    .map(|child| (child, depth + 1)),
            );
        }
        Self { suppliers, nodes }
    }
}

fn map_node(
    node: &CapabilityNode,
    depth: usize,
    tallies: &[&NodeTally],
    held: &[&NodeCertification],
) -> MapNode {
    let mut suppliers = SupplierCount::default();
    let mut regions: BTreeMap<&str, SupplierCount> = BTreeMap::new();
    let mut departments: BTreeMap<&str, SupplierCount> = BTreeMap::new();
    for tally in tallies {
        suppliers.add(tally.membership, tally.suppliers);
        regions
            .entry(tally.region.as_str())
            .or_default()
            .add(tally.membership, tally.suppliers);
        departments
            .entry(tally.department.as_str())
            .or_default()
            .add(tally.membership, tally.suppliers);
    }
    let areas = |map: BTreeMap<&str, SupplierCount>| {
        let mut areas: Vec<Area> = map
            .into_iter()
            .map(|(name, suppliers)| Area {
                name: name.to_owned(),
                suppliers,
            })
            .collect();
        // Stable: equal counts keep the names' order.
        areas.sort_by_key(|a| std::cmp::Reverse(a.suppliers.total()));
        areas
    };
    let mut certifications: Vec<HeldCertification> = held
        .iter()
        .map(|h| HeldCertification {
            certification: h.certification.clone(),
            suppliers: h.suppliers,
        })
        .collect();
    certifications.sort_by(|a, b| {
        b.suppliers
            .cmp(&a.suppliers)
            .then_with(|| a.certification.cmp(&b.certification))
    });
    certifications.truncate(CapabilityMap::TOP_CERTIFICATIONS);
    MapNode {
        node: node.clone(),
        depth,
        suppliers,
        regions: areas(regions),
        departments: areas(departments),
        certifications,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(code: &str) -> CapabilityNode {
        CapabilityNode {
            code: CapabilityCode::parse(code).expect("code"),
            fr: code.to_uppercase(),
            en: code.to_owned(),
            synonyms: vec![],
        }
    }

    fn tally(code: &str, region: &str, membership: Membership, suppliers: u64) -> NodeTally {
        NodeTally {
            code: CapabilityCode::parse(code).expect("code"),
            region: region.into(),
            department: format!("{region}-d"),
            membership,
            suppliers,
        }
    }

    #[test]
    fn the_tree_comes_depth_first_with_its_counts() {
        let taxonomy = [
            node("machining"),
            node("sterilisation"),
            node("machining.turning"),
            node("machining.micro_machining"),
        ];
        let tallies = [
            tally("machining", "BFC", Membership::Member, 2),
            tally("machining", "ARA", Membership::NotMember, 3),
            tally("machining.micro_machining", "BFC", Membership::Member, 2),
        ];
        let held = [
            NodeCertification {
                code: CapabilityCode::parse("machining").expect("code"),
                certification: "iso_9001".into(),
                suppliers: 1,
            },
            NodeCertification {
                code: CapabilityCode::parse("machining").expect("code"),
                certification: "iso_13485".into(),
                suppliers: 2,
            },
        ];
        let map = CapabilityMap::build(&taxonomy, SupplierCount::default(), &tallies, &held);
        let order: Vec<(&str, usize)> = map
            .nodes
            .iter()
            .map(|n| (n.node.code.as_str(), n.depth))
            .collect();
        assert_eq!(
            order,
            vec![
                ("machining", 0),
                ("machining.turning", 1),
                ("machining.micro_machining", 1),
                ("sterilisation", 0)
            ]
        );
        let machining = &map.nodes[0];
        assert_eq!(
            machining.suppliers,
            SupplierCount {
                members: 2,
                non_members: 3
            }
        );
        assert_eq!(machining.regions[0].name, "ARA");
        assert_eq!(machining.certifications[0].certification, "iso_13485");
        assert_eq!(map.nodes[1].suppliers.total(), 0);
    }
}
