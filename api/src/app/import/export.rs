//! `pmt admin export suppliers`: the published directory written back in
//! the import's format, so that importing an export changes nothing.

use domain::organisation::LegalIdentity;
use persistence::profiles;

use super::file::{RawCapability, RawCertification, RawRow, write_csv, write_json};
use crate::app::suppliers::{self, Listed};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The file formats of the import, chosen by name on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

/// Every listed supplier (published, not suspended) as the import's rows,
/// ordered by name then key so that two exports of the same directory are
/// byte for byte the same. A listing keeps what the import sets; what it
/// does not carry (a public phone, private contacts, the profile's own
/// city when it differs from the address's) is not exported.
pub async fn export(state: &AppState, format: ExportFormat) -> ApiResult<String> {
    let mut rows: Vec<RawRow> = state
        .read(|conn| {
            let ids = profiles::all_organisation_ids(conn)?;
            Ok(suppliers::load(conn, &ids)?
                .into_values()
                .map(row_of)
                .collect())
        })
        .await?;
    rows.sort_by(|a, b| {
        (&a.legal_name, &a.siret, &a.country, &a.registration_number).cmp(&(
            &b.legal_name,
            &b.siret,
            &b.country,
            &b.registration_number,
        ))
    });
    match format {
        ExportFormat::Csv => write_csv(&rows),
        ExportFormat::Json => write_json(&rows),
    }
    .map_err(ApiError::Internal)
}

fn row_of(listed: Listed) -> RawRow {
    let Listed {
        organisation,
        content,
        mut certifications,
        ..
    } = listed;
    let (siret, country, registration_number) = match organisation.identity {
        LegalIdentity::French { siret } => (Some(siret.to_string()), None, None),
        LegalIdentity::Foreign {
            country,
            registration_number,
        } => (
            None,
            Some(country.as_str().to_owned()),
            Some(registration_number),
        ),
    };
    certifications.sort_by(|a, b| {
        (a.details.type_code.as_str(), a.details.valid_from)
            .cmp(&(b.details.type_code.as_str(), b.details.valid_from))
    });
    RawRow {
        legal_name: organisation.legal_name,
        siret,
        country,
        registration_number,
        street: organisation.address.street,
        postal_code: organisation.address.postal_code,
        city: organisation.address.city,
        department: content.location.department,
        region: organisation.region,
        website: organisation.website.map(|w| w.as_str().to_owned()),
        membership: Some(organisation.membership.as_str().to_owned()),
        description_fr: content.description_fr,
        description_en: content.description_en,
        capabilities: content
            .capabilities
            .into_iter()
            .map(|c| RawCapability {
                code: c.code.to_string(),
                detail: c.detail,
            })
            .collect(),
        sectors: content
            .sectors
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect(),
        equipment: content.equipment,
        headcount: content.headcount.map(|h| h.as_str().to_owned()),
        working_languages: content.working_languages,
        public_contact_email: content.public_contact_email.map(|e| e.as_str().to_owned()),
        certifications: certifications
            .into_iter()
            .map(|c| RawCertification {
                type_code: c.details.type_code.as_str().to_owned(),
                valid_from: c.details.valid_from.to_string(),
                valid_until: c.details.valid_until.to_string(),
                certifying_body: c.details.certifying_body,
                scope: c.details.scope,
                document_ref: c.details.document_ref,
            })
            .collect(),
    }
}
