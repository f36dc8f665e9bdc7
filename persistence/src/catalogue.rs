//! The capability taxonomy and the certification catalogue. Both are seeded
//! from files shipped with the code (missing entries inserted at start, never
//! overwriting what admins changed) and extensible by admins.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::certification::{CertificationType, CertificationTypeCode};
use domain::taxonomy::{CapabilityCode, CapabilityNode};

use crate::convert::micros;
use crate::db::DbConnection;
use crate::error::{Result, corrupt};
use crate::schema::{capability_nodes, certification_types};

const TAXONOMY_SEED: &str = include_str!("../seed/taxonomy.json");
const CERTIFICATIONS_SEED: &str = include_str!("../seed/certifications.json");

pub fn seed_taxonomy() -> Result<Vec<CapabilityNode>> {
    serde_json::from_str(TAXONOMY_SEED).map_err(|e| corrupt("seed/taxonomy.json", e))
}

pub fn seed_certification_types() -> Result<Vec<CertificationType>> {
    serde_json::from_str(CERTIFICATIONS_SEED).map_err(|e| corrupt("seed/certifications.json", e))
}

/// Inserts the seed entries that are missing; returns how many.
pub fn seed(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<usize> {
    let existing: Vec<String> = capability_nodes::table
        .select(capability_nodes::code)
        .load(conn)?;
    let mut inserted = 0;
    for (position, node) in seed_taxonomy()?.iter().enumerate() {
        if !existing.iter().any(|code| code == node.code.as_str()) {
            insert_node(conn, node, position as i32, now)?;
            inserted += 1;
        }
    }
    let existing: Vec<String> = certification_types::table
        .select(certification_types::code)
        .load(conn)?;
    for (position, kind) in seed_certification_types()?.iter().enumerate() {
        if !existing.iter().any(|code| code == kind.code.as_str()) {
            diesel::insert_into(certification_types::table)
                .values((
                    certification_types::code.eq(kind.code.as_str()),
                    certification_types::fr.eq(&kind.fr),
                    certification_types::en.eq(&kind.en),
                    certification_types::description_fr.eq(&kind.description_fr),
                    certification_types::description_en.eq(&kind.description_en),
                    certification_types::position.eq(position as i32),
                ))
                .execute(conn)?;
            inserted += 1;
        }
    }
    Ok(inserted)
}

pub fn insert_node(
    conn: &mut DbConnection,
    node: &CapabilityNode,
    position: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    diesel::insert_into(capability_nodes::table)
        .values((
            capability_nodes::code.eq(node.code.as_str()),
            capability_nodes::fr.eq(&node.fr),
            capability_nodes::en.eq(&node.en),
            capability_nodes::synonyms
                .eq(serde_json::to_string(&node.synonyms).unwrap_or_else(|_| "[]".to_owned())),
            capability_nodes::position.eq(position),
            capability_nodes::created_at.eq(micros(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The whole taxonomy in display order (seed order, then admin additions).
pub fn taxonomy(conn: &mut DbConnection) -> Result<Vec<CapabilityNode>> {
    let rows: Vec<(String, String, String, String)> = capability_nodes::table
        .order((
            capability_nodes::position.asc(),
            capability_nodes::code.asc(),
        ))
        .select((
            capability_nodes::code,
            capability_nodes::fr,
            capability_nodes::en,
            capability_nodes::synonyms,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(code, fr, en, synonyms)| {
            Ok(CapabilityNode {
                code: CapabilityCode::parse(&code).map_err(|e| corrupt("capability_nodes", e))?,
                fr,
                en,
                synonyms: serde_json::from_str(&synonyms)
                    .map_err(|e| corrupt("capability_nodes", e))?,
            })
        })
        .collect()
}

pub fn next_position(conn: &mut DbConnection) -> Result<i32> {
    let max: Option<i32> = capability_nodes::table
        .select(diesel::dsl::max(capability_nodes::position))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

pub fn certification_types(conn: &mut DbConnection) -> Result<Vec<CertificationType>> {
    let rows: Vec<(String, String, String, String, String)> = certification_types::table
        .order((
            certification_types::position.asc(),
            certification_types::code.asc(),
        ))
        .select((
            certification_types::code,
            certification_types::fr,
            certification_types::en,
            certification_types::description_fr,
            certification_types::description_en,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(code, fr, en, description_fr, description_en)| {
            Ok(CertificationType {
                code: CertificationTypeCode::parse(&code)
                    .map_err(|e| corrupt("certification_types", e))?,
                fr,
                en,
                description_fr,
                description_en,
            })
        })
        .collect()
}
