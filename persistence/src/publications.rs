//! What the capability map reads: `published_capabilities`, the public
//! capabilities of each supplier expanded to every ancestor node, kept in
//! step with the profile by [`project`], so that the map is a few GROUP BYs
//! and never a read of every profile's JSON.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::dsl::{count, count_star};
use diesel::prelude::*;
use domain::capability_map::{MatrixEntry, NodeCertification, NodeTally, SupplierCount};
use domain::ids::OrganisationId;
use domain::organisation::Membership;
use domain::profile::ProfileContent;
use domain::taxonomy::CapabilityCode;

use crate::convert::{enum_value, id};
use crate::db::DbConnection;
use crate::error::Result;
use crate::schema::{
    organisations, published_capabilities, supplier_certifications, supplier_profiles,
};

const TABLE: &str = "published_capabilities";

/// Replaces the supplier's rows with what `public` (the content the public
/// sees, `None` when unpublished or suspended) declares. Called by every
/// write of a profile, in its transaction.
pub(crate) fn project(
    conn: &mut DbConnection,
    organisation: OrganisationId,
    public: Option<&ProfileContent>,
) -> Result<()> {
    let org = organisation.to_string();
    diesel::delete(
        published_capabilities::table.filter(published_capabilities::organisation_id.eq(&org)),
    )
    .execute(conn)?;
    let Some(content) = public else {
        return Ok(());
    };
    // A node and its ancestors; the node a profile names keeps its detail.
    let mut rows: BTreeMap<String, (bool, Option<&str>)> = BTreeMap::new();
    for capability in &content.capabilities {
        for code in capability.code.with_ancestors() {
            let declared = code == capability.code;
            let entry = rows.entry(code.to_string()).or_insert((false, None));
            if declared {
                entry.0 = true;
                entry.1 = entry.1.or(capability.detail.as_deref());
            }
        }
    }
    let values: Vec<_> = rows
        .into_iter()
        .map(|(code, (declared, detail))| {
            (
                published_capabilities::organisation_id.eq(&org),
                published_capabilities::code.eq(code),
                published_capabilities::declared.eq(declared),
                published_capabilities::detail.eq(detail),
                published_capabilities::region.eq(content.location.region.as_str()),
                published_capabilities::department.eq(content.location.department.as_str()),
            )
        })
        .collect();
    // One statement per row: a batch insert has no portable form over
    // `MultiConnection`; a profile names a few dozen capabilities at most.
    for row in values {
        diesel::insert_into(published_capabilities::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

fn membership(raw: &str) -> Result<Membership> {
    enum_value(TABLE, raw, Membership::parse)
}

fn capability(raw: &str) -> Result<CapabilityCode> {
    CapabilityCode::parse(raw).map_err(|e| crate::error::corrupt(TABLE, e))
}

/// Every published, not suspended supplier, capability or not.
pub fn published_suppliers(conn: &mut DbConnection) -> Result<SupplierCount> {
    // From the profiles alone (their copy of the membership), on an index.
    let rows: Vec<(bool, i64)> = supplier_profiles::table
        .filter(supplier_profiles::published.is_not_null())
        .filter(supplier_profiles::status.ne("suspended"))
        .group_by(supplier_profiles::member)
        .select((supplier_profiles::member, count_star()))
        .load(conn)?;
    let mut count = SupplierCount::default();
    for (member, n) in rows {
        let membership = if member {
            Membership::Member
        } else {
            Membership::NotMember
        };
        count.add(membership, n.unsigned_abs());
    }
    Ok(count)
}

/// Suppliers per node, department, region and membership.
pub fn node_tallies(conn: &mut DbConnection) -> Result<Vec<NodeTally>> {
    let rows: Vec<(String, String, String, String, i64)> = published_capabilities::table
        .inner_join(organisations::table)
        .group_by((
            published_capabilities::code,
            published_capabilities::region,
            published_capabilities::department,
            organisations::membership,
        ))
        .select((
            published_capabilities::code,
            published_capabilities::region,
            published_capabilities::department,
            organisations::membership,
            count_star(),
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(code, region, department, member, n)| {
            Ok(NodeTally {
                code: capability(&code)?,
                region,
                department,
                membership: membership(&member)?,
                suppliers: n.unsigned_abs(),
            })
        })
        .collect()
}

/// Per node and certification type, the suppliers under the node holding
/// a certificate of that type valid on `today` (not rejected, within its
/// dates), whatever its verification.
pub fn node_certifications(
    conn: &mut DbConnection,
    today: NaiveDate,
) -> Result<Vec<NodeCertification>> {
    let today = today.format("%Y-%m-%d").to_string();
    let rows: Vec<(String, String, i64)> = published_capabilities::table
        .inner_join(supplier_certifications::table.on(
            supplier_certifications::organisation_id.eq(published_capabilities::organisation_id),
        ))
        .filter(supplier_certifications::status.ne("rejected"))
        .filter(supplier_certifications::valid_from.le(today.clone()))
        .filter(supplier_certifications::valid_until.ge(today))
        .group_by((
            published_capabilities::code,
            supplier_certifications::type_code,
        ))
        .select((
            published_capabilities::code,
            supplier_certifications::type_code,
            count(published_capabilities::organisation_id).aggregate_distinct(),
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(code, certification, n)| {
            Ok(NodeCertification {
                code: capability(&code)?,
                certification,
                suppliers: n.unsigned_abs(),
            })
        })
        .collect()
}

/// The capabilities each published supplier declares, by supplier name.
pub fn matrix(conn: &mut DbConnection) -> Result<Vec<MatrixEntry>> {
    // id, name, membership, region, department, code, detail
    type Row = (
        String,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
    );
    let rows: Vec<Row> = published_capabilities::table
        .inner_join(organisations::table)
        .filter(published_capabilities::declared.eq(true))
        .order((
            organisations::legal_name.asc(),
            organisations::id.asc(),
            published_capabilities::code.asc(),
        ))
        .select((
            organisations::id,
            organisations::legal_name,
            organisations::membership,
            published_capabilities::region,
            published_capabilities::department,
            published_capabilities::code,
            published_capabilities::detail,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(org, name, member, region, department, code, detail)| {
            Ok(MatrixEntry {
                organisation: id(TABLE, &org)?,
                name,
                membership: membership(&member)?,
                region,
                department,
                code: capability(&code)?,
                detail,
            })
        })
        .collect()
}
