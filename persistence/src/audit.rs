//! The append-only audit trail.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::audit::AuditEntry;

use crate::convert::{from_micros, id, micros};
use crate::db::DbConnection;
use crate::error::Result;
use crate::schema::audit_log;

/// Appends `entry`, and keeps the activity report's summaries of what it
/// records (a request's or profile's step).
pub fn record(conn: &mut DbConnection, entry: &AuditEntry) -> Result<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::id.eq(entry.id.to_string()),
            audit_log::actor_id.eq(entry.actor.map(|a| a.to_string())),
            audit_log::action.eq(&entry.action),
            audit_log::subject_type.eq(entry.subject_type),
            audit_log::subject_id.eq(&entry.subject_id),
            audit_log::from_state.eq(&entry.from_state),
            audit_log::to_state.eq(&entry.to_state),
            audit_log::note.eq(&entry.note),
            audit_log::internal.eq(entry.internal),
            audit_log::created_at.eq(micros(entry.at)),
        ))
        .execute(conn)?;
    crate::activity::recorded(conn, entry)
}

/// The history of one subject, oldest first. Internal entries (experts'
/// notes) only when `include_internal`.
pub fn history(
    conn: &mut DbConnection,
    subject_type: &'static str,
    subject_id: &str,
    include_internal: bool,
    after: Option<crate::Cursor>,
    limit: i64,
) -> Result<Vec<AuditEntry>> {
    type Row = (
        String,
        Option<String>,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        bool,
        i64,
    );
    let mut query = audit_log::table
        .filter(audit_log::subject_type.eq(subject_type))
        .filter(audit_log::subject_id.eq(subject_id))
        .order((audit_log::created_at.asc(), audit_log::id.asc()))
        .select((
            audit_log::id,
            audit_log::actor_id,
            audit_log::action,
            audit_log::subject_id,
            audit_log::from_state,
            audit_log::to_state,
            audit_log::note,
            audit_log::internal,
            audit_log::created_at,
        ))
        .limit(limit)
        .into_boxed();
    if !include_internal {
        query = query.filter(audit_log::internal.eq(false));
    }
    if let Some((at, last)) = after {
        let at = crate::convert::micros(at);
        query = query.filter(
            audit_log::created_at
                .gt(at)
                .or(audit_log::created_at.eq(at).and(audit_log::id.gt(last))),
        );
    }
    let rows: Vec<Row> = query.load(conn)?;
    rows.into_iter()
        .map(
            |(entry_id, actor, action, subject_id, from_state, to_state, note, internal, at)| {
                Ok(AuditEntry {
                    id: id("audit_log", &entry_id)?,
                    actor: actor.map(|a| id("audit_log", &a)).transpose()?,
                    action,
                    subject_type,
                    subject_id,
                    from_state,
                    to_state,
                    note,
                    internal,
                    at: from_micros("audit_log", at)?,
                })
            },
        )
        .collect()
}

/// A subject entering a state, from its audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateChange {
    pub subject_id: String,
    pub to_state: String,
    pub at: DateTime<Utc>,
}

/// Every state change of the subjects `subject_ids` of `subject_type`,
/// oldest first.
pub fn state_changes(
    conn: &mut DbConnection,
    subject_type: &'static str,
    subject_ids: &[String],
) -> Result<Vec<StateChange>> {
    // Well below SQLite's limit of bound parameters per statement.
    const CHUNK: usize = 500;
    let mut changes = Vec::new();
    for chunk in subject_ids.chunks(CHUNK) {
        let rows: Vec<(String, Option<String>, i64)> = audit_log::table
            .filter(audit_log::subject_type.eq(subject_type))
            .filter(audit_log::subject_id.eq_any(chunk))
            .filter(audit_log::to_state.is_not_null())
            .order((audit_log::created_at.asc(), audit_log::id.asc()))
            .select((
                audit_log::subject_id,
                audit_log::to_state,
                audit_log::created_at,
            ))
            .load(conn)?;
        for (subject_id, to_state, at) in rows {
            changes.push(StateChange {
                subject_id,
                to_state: to_state.unwrap_or_default(),
                at: from_micros("audit_log", at)?,
            });
        }
    }
    changes.sort_by_key(|c| c.at);
    Ok(changes)
}
