//! Keeping the capability index in step with the database. Changes write an
//! index event in their transaction; the worker applies events in order,
//! with retries and backoff, so writes succeed while the index is down and
//! the index catches up when it is back.

use std::time::Duration;

use chrono::{NaiveDate, TimeDelta};
use domain::certification::VerificationStatus;
use domain::ids::OrganisationId;
use domain::organisation::Membership;
use persistence::index_events;
use persistence::{DbConnection, accounts, certifications, profiles};
use search::{CertificationDoc, SupplierDocument};

use crate::app::catalogue::Catalogue;
use crate::error::ApiResult;
use crate::state::AppState;

/// The index document of a supplier, or `None` when it must not be listed
/// (no published profile, or suspended).
pub fn document(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    org: OrganisationId,
) -> ApiResult<Option<SupplierDocument>> {
    let Some(profile) = profiles::find(conn, org)? else {
        return Ok(None);
    };
    let Some(content) = profile.public_content() else {
        return Ok(None);
    };
    let Some(organisation) = accounts::find_organisation(conn, org)? else {
        return Ok(None);
    };

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
    let certifications = certifications::of_organisation(conn, org)?
        .into_iter()
        .filter(|c| c.status != VerificationStatus::Rejected)
        .map(|c| CertificationDoc {
            code: c.details.type_code.as_str().to_owned(),
            valid_from: day_start(c.details.valid_from),
            // The last valid day counts in full.
            valid_until: day_start(c.details.valid_until) + 86_400,
        })
        .collect();
    Ok(Some(SupplierDocument {
        id: *org.as_uuid(),
        name: organisation.legal_name,
        description_fr: content.description_fr.clone(),
        description_en: content.description_en.clone(),
        capability_codes,
        capability_labels,
        capability_details: content
            .capabilities
            .iter()
            .filter_map(|c| c.detail.clone())
            .collect(),
        certifications,
        sectors: content
            .sectors
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect(),
        region: content.location.region.clone(),
        department: content.location.department.clone(),
        city: content.location.city.clone(),
        country: content.location.country.clone(),
        member: organisation.membership == Membership::Member,
        equipment: content.equipment.clone(),
        updated_at: profile
            .published_at
            .unwrap_or(profile.updated_at)
            .timestamp(),
    }))
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

pub async fn run(state: AppState, poll: Duration) {
    loop {
        match apply_pending(&state).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "index worker: cannot read events"),
        }
        // Woken at once by a committed change, or after `poll` for retries.
        let _ = tokio::time::timeout(poll, state.indexer_wakeup.notified()).await;
    }
}

/// Applies a batch of due events; true when there may be more. Events of
/// the same supplier collapse into one document (applying one re-reads the
/// supplier's current state), and the batch goes to the index in one upsert
/// and one delete: a burst of edits costs one index task, not one each.
pub async fn apply_pending(state: &AppState) -> ApiResult<bool> {
    const BATCH: i64 = 200;
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
            let mut upserts = Vec::new();
            let mut deletes = Vec::new();
            for org in organisations {
                match document(conn, &catalogue, org)? {
                    Some(doc) => upserts.push(doc),
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

/// Rebuilds the index from the database: clears it, then writes every
/// listed supplier. Returns how many were indexed.
pub async fn reindex(state: &AppState) -> ApiResult<usize> {
    let docs = state
        .read(|conn| {
            let catalogue = Catalogue::load(conn)?;
            let mut docs = Vec::new();
            for org in profiles::all_organisation_ids(conn)? {
                docs.extend(document(conn, &catalogue, org)?);
            }
            Ok(docs)
        })
        .await?;
    state.ensure_index_settings().await?;
    state.index.clear().await?;
    let count = docs.len();
    for chunk in docs.chunks(200) {
        state.index.upsert(chunk.to_vec()).await?;
    }
    Ok(count)
}
