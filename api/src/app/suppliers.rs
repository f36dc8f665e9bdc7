//! Listed suppliers read in bulk. The index worker, the directory and the
//! candidate list each need the organisation, the public profile and the
//! certificates of many suppliers at once: three queries per batch, not
//! three per supplier.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::certification::Certification;
use domain::ids::OrganisationId;
use domain::organisation::Organisation;
use domain::profile::ProfileContent;
use persistence::{DbConnection, accounts, certifications, profiles};

use crate::error::ApiResult;

/// Keeps each `IN (...)` list well under both backends' bind limits.
const QUERY_CHUNK: usize = 1000;

/// A supplier as the public sees it: published and not suspended.
pub struct Listed {
    pub organisation: Organisation,
    pub content: ProfileContent,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    /// Every certificate on record, rejected and expired included: each
    /// reader decides which ones count.
    pub certifications: Vec<Certification>,
}

/// The listed suppliers among `ids`; the others (unknown, unpublished,
/// suspended) are absent from the map.
pub fn load(
    conn: &mut DbConnection,
    ids: &[OrganisationId],
) -> ApiResult<HashMap<OrganisationId, Listed>> {
    let mut listed = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(QUERY_CHUNK) {
        let mut organisations: HashMap<OrganisationId, Organisation> =
            accounts::find_organisations(conn, chunk)?
                .into_iter()
                .map(|o| (o.id, o))
                .collect();
        let mut certificates: HashMap<OrganisationId, Vec<Certification>> = HashMap::new();
        for certificate in certifications::of_organisations(conn, chunk)? {
            certificates
                .entry(certificate.organisation_id)
                .or_default()
                .push(certificate);
        }
        for profiles::Listed {
            organisation_id: id,
            content,
            published_at,
            updated_at,
        } in profiles::listed_many(conn, chunk)?
        {
            let Some(organisation) = organisations.remove(&id) else {
                continue;
            };
            listed.insert(
                id,
                Listed {
                    organisation,
                    content,
                    published_at,
                    updated_at,
                    certifications: certificates.remove(&id).unwrap_or_default(),
                },
            );
        }
    }
    Ok(listed)
}
