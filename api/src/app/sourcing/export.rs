//! `pmt admin export requests`: the requests created in a period, one CSV
//! line each with the date it first reached each status, for the back
//! office's own spreadsheets.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use domain::ids::OrganisationId;
use domain::sourcing::RequestStatus;
use persistence::{accounts, audit, sourcing};

use super::SUBJECT;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The requests created in `[from, to)`, oldest first, as CSV: `id`,
/// `title`, `buyer`, `status`, `created_at`, `response_deadline`, then
/// `<status>_at` for every status but draft (the first time the request
/// entered it, from its history; empty when it never did). Times are RFC
/// 3339 UTC with microseconds, as in the API.
pub async fn requests_csv(
    state: &AppState,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<String> {
    let (requests, buyers, changes) = state
        .read(move |conn| {
            let requests = sourcing::requests_created_between(conn, from, to)?;
            let mut buyer_ids: Vec<OrganisationId> = requests.iter().map(|r| r.buyer).collect();
            buyer_ids.sort_unstable_by_key(ToString::to_string);
            buyer_ids.dedup();
            let buyers: HashMap<OrganisationId, String> =
                accounts::find_organisations(conn, &buyer_ids)?
                    .into_iter()
                    .map(|o| (o.id, o.legal_name))
                    .collect();
            let ids: Vec<String> = requests.iter().map(|r| r.id.to_string()).collect();
            let changes = audit::state_changes(conn, SUBJECT, &ids)?;
            Ok((requests, buyers, changes))
        })
        .await?;
    let mut reached: HashMap<(String, String), DateTime<Utc>> = HashMap::new();
    for change in changes {
        // Oldest first: the first entry into a status wins.
        reached
            .entry((change.subject_id, change.to_state))
            .or_insert(change.at);
    }
    let statuses: Vec<RequestStatus> = RequestStatus::ALL
        .into_iter()
        .filter(|s| *s != RequestStatus::Draft)
        .collect();
    let time = |at: DateTime<Utc>| at.to_rfc3339_opts(SecondsFormat::Micros, true);
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "id",
        "title",
        "buyer",
        "status",
        "created_at",
        "response_deadline",
    ]
    .map(str::to_owned)
    .to_vec();
    header.extend(statuses.iter().map(|s| format!("{}_at", s.as_str())));
    let internal = |e: csv::Error| ApiError::Internal(e.into());
    writer.write_record(&header).map_err(internal)?;
    for request in requests {
        let id = request.id.to_string();
        let mut record = vec![
            id.clone(),
            request.content.title.clone(),
            buyers.get(&request.buyer).cloned().unwrap_or_default(),
            request.status.as_str().to_owned(),
            time(request.created_at),
            time(request.content.response_deadline),
        ];
        record.extend(statuses.iter().map(|s| {
            reached
                .get(&(id.clone(), s.as_str().to_owned()))
                .map(|at| time(*at))
                .unwrap_or_default()
        }));
        writer.write_record(&record).map_err(internal)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    String::from_utf8(bytes).map_err(|e| ApiError::Internal(e.into()))
}
