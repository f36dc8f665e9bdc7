//! Keeping the capability index in step with the database. The writes of
//! indexed data write an index event in their transaction (through
//! `persistence::Tx`, which `AppState::transaction` hands out and which wakes
//! this worker after the commit); the worker applies events in order, with
//! retries and backoff, so writes succeed while the index is down and the
//! index catches up when it is back. The worker's loop is
//! `crate::workers::index`; what one pass does is `apply_pending`, here
//! with the documents it builds (the demo seed runs it directly).

use std::sync::Arc;

use chrono::{NaiveDate, TimeDelta};
use domain::certification::VerificationStatus;
use domain::ids::OrganisationId;
use domain::organisation::Membership;
use persistence::index_events;
use persistence::profiles;
use search::{CertificationDoc, Submitted, SupplierDocument};

use crate::app::catalogue::Catalogue;
use crate::app::progress::{Silent, WorkProgress};
use crate::app::suppliers::{self, Listed};
use crate::error::ApiResult;
use crate::state::AppState;

/// The index document of a listed supplier.
pub fn document(catalogue: &Catalogue, supplier: Listed) -> SupplierDocument {
    let Listed {
        organisation,
        content,
        published_at,
        updated_at,
        certifications,
    } = supplier;
    let mut capability_codes: Vec<String> = Vec::new();
    for capability in &content.capabilities {
        for code in capability.code.with_ancestors() {
            if !capability_codes.iter().any(|c| c == code.as_str()) {
                capability_codes.push(code.to_string());
            }
        }
    }
    let mut capability_labels = Vec::new();
    for code in &capability_codes {
        if let Some(node) = catalogue.node(code) {
            capability_labels.push(node.fr.clone());
            capability_labels.push(node.en.clone());
            capability_labels.extend(node.synonyms.iter().cloned());
        }
    }
    let certifications = certifications
        .into_iter()
        .filter(|c| c.status != VerificationStatus::Rejected)
        .map(|c| CertificationDoc {
            code: c.details.type_code.as_str().to_owned(),
            valid_from: day_start(c.details.valid_from),
            // The last valid day counts in full.
            valid_until: day_start(c.details.valid_until) + 86_400,
            verified: c.status == VerificationStatus::Verified,
        })
        .collect();
    SupplierDocument {
        id: *organisation.id.as_uuid(),
        name: organisation.legal_name,
        description_fr: content.description_fr,
        description_en: content.description_en,
        capability_codes,
        capability_labels,
        capability_details: content
            .capabilities
            .into_iter()
            .filter_map(|c| c.detail)
            .collect(),
        certifications,
        sectors: content
            .sectors
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect(),
        region: content.location.region,
        department: content.location.department,
        city: content.location.city,
        country: content.location.country,
        member: organisation.membership == Membership::Member,
        equipment: content.equipment,
        updated_at: published_at.unwrap_or(updated_at).timestamp(),
    }
}

fn day_start(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp())
}

/// Index retries are quick at first: an index restart should be caught up
/// within seconds. 1 s, 2 s, 4 s ... capped at one minute.
fn backoff(attempts: i32) -> TimeDelta {
    TimeDelta::seconds((1_i64 << attempts.clamp(0, 6)).min(60))
}

/// Applies a batch of due events; true when there may be more. Events of
/// the same supplier collapse into one document (applying one re-reads the
/// supplier's current state), and the batch goes to the index in one upsert
/// and one delete: a burst of edits costs one index task, not one each.
pub async fn apply_pending(state: &AppState) -> ApiResult<bool> {
    // Meilisearch spends about as long on a task of 1 000 documents as on
    // one of 200 once the index is large: a bulk import catches up faster.
    const BATCH: i64 = 1000;
    let now = state.clock.now();
    let events = state
        .read(move |conn| Ok(index_events::next_batch(conn, now, BATCH)?))
        .await?;
    let Some(first) = events.first().cloned() else {
        return Ok(false);
    };
    let full = events.len() as i64 == BATCH;
    let mut organisations: Vec<OrganisationId> = Vec::new();
    for event in &events {
        if !organisations.contains(&event.organisation_id) {
            organisations.push(event.organisation_id);
        }
    }
    let outcome = apply(state, organisations).await;
    let now = state.clock.now();
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    let failed = outcome.is_err();
    state
        .transaction(move |conn| {
            match &outcome {
                Ok(()) => index_events::done(conn, &seqs)?,
                Err(error) => {
                    // The oldest event carries the backoff; the others wait
                    // behind it, in order.
                    tracing::warn!(seq = first.seq, attempts = first.attempts + 1, %error, "index update failed, will retry");
                    index_events::failed(conn, &first, &error.to_string(), now + backoff(first.attempts))?;
                }
            }
            Ok(())
        })
        .await?;
    Ok(full && !failed)
}

async fn apply(state: &AppState, organisations: Vec<OrganisationId>) -> ApiResult<()> {
    state.ensure_index_settings().await?;
    let (upserts, deletes) = state
        .read(move |conn| {
            let catalogue = Catalogue::load(conn)?;
            let mut listed = suppliers::load(conn, &organisations)?;
            let mut upserts = Vec::new();
            let mut deletes = Vec::new();
            for org in organisations {
                match listed.remove(&org) {
                    Some(supplier) => upserts.push(document(&catalogue, supplier)),
                    None => deletes.push(*org.as_uuid()),
                }
            }
            Ok((upserts, deletes))
        })
        .await?;
    if !upserts.is_empty() {
        state.index.upsert(upserts).await?;
    }
    if !deletes.is_empty() {
        state.index.delete(deletes).await?;
    }
    Ok(())
}

/// Documents per index write during a rebuild: large enough that the
/// per-task overhead of Meilisearch vanishes, small enough to stay far below
/// its payload limit (a document is a few kilobytes).
const REINDEX_CHUNK: usize = 5000;

/// Rebuilds the index from the database: clears it, then writes every
/// listed supplier. Returns how many were indexed.
pub async fn reindex(state: &AppState) -> ApiResult<usize> {
    Ok(reindex_with(state, &Silent).await?.indexed)
}

/// What a rebuild did.
pub struct Reindexed {
    pub indexed: usize,
    /// Stopped on request before every supplier was written: the index
    /// holds only part of the directory until a rebuild completes.
    pub interrupted: bool,
}

/// [`reindex`], reporting each chunk to `progress` and stopping between
/// chunks when asked.
pub async fn reindex_with(state: &AppState, progress: &dyn WorkProgress) -> ApiResult<Reindexed> {
    let (catalogue, ids) = state
        .read(|conn| {
            Ok((
                Arc::new(Catalogue::load(conn)?),
                profiles::all_organisation_ids(conn)?,
            ))
        })
        .await?;
    state.ensure_index_settings().await?;
    state.index.clear().await?;
    progress.start(ids.len() as u64);
    let mut count = 0;
    // Each chunk is sent without waiting for the engine to index it, so
    // the next one is read meanwhile; all are waited for at the end.
    let mut sent = Submitted::default();
    // Chunk by chunk, so a large directory never sits in memory whole.
    for chunk in ids.chunks(REINDEX_CHUNK) {
        if progress.stop_requested() {
            state.index.settle(sent).await?;
            return Ok(Reindexed {
                indexed: count,
                interrupted: true,
            });
        }
        let size = chunk.len() as u64;
        let (catalogue, chunk) = (catalogue.clone(), chunk.to_vec());
        let docs: Vec<SupplierDocument> = state
            .read(move |conn| {
                Ok(suppliers::load(conn, &chunk)?
                    .into_values()
                    .map(|supplier| document(&catalogue, supplier))
                    .collect())
            })
            .await?;
        count += docs.len();
        state.index.submit(docs, &mut sent).await?;
        progress.advance(size);
    }
    state.index.settle(sent).await?;
    Ok(Reindexed {
        indexed: count,
        interrupted: false,
    })
}
