//! `pmt admin import-suppliers FILE`: loads the cluster's existing member
//! profiles from a CSV or JSON file.
//!
//! Every row is validated with the parsers and field names of the API
//! (flattened to the file's columns: the profile's `location.city` is the
//! row's `city`) and imported in its own transaction, so a rejected row
//! leaves nothing behind while the other rows are imported. A row's key is
//! its SIRET, or its `country` and `registration_number` for a foreign
//! organisation: re-running a file changes nothing that did not change, and a
//! changed row updates the organisation, republishes the profile and replaces
//! the certificates. A self-registered organisation with the same SIRET is
//! the same company and is updated the same way.
//!
//! The cluster vetted these profiles before the platform existed: they are
//! published at once, with audit entries made by no user
//! (`organisation.imported`, `profile.imported`, `certification.imported`),
//! and certificates are `declared` until an expert verifies them. The index
//! is updated through the index events that the organisation, profile and
//! certificate writes record, which the running server applies; the command
//! never writes the index itself (the embedded index has a single writer,
//! the server).
//!
//! No user account is created. Self-registration with an imported SIRET
//! answers 409 `siret_taken`, so an owner account for an imported
//! organisation needs a claim or invitation by the back office.
//!
//! # File formats
//!
//! The format follows the extension. Columns (CSV) or keys (JSON):
//! `legal_name`, `siret` (or `country` + `registration_number`), `street`,
//! `postal_code`, `city`, `department`, `region`, `website`, `membership`
//! (`member` by default, or `not_member`), `description_fr`,
//! `description_en`, `capabilities`, `sectors`, `equipment`, `headcount`,
//! `working_languages`, `public_contact_email`, `certifications`.
//!
//! - `.csv`: comma-separated with a header row. List fields are
//!   `;`-separated; a capability is `code` or `code:detail`; a certificate is
//!   `type|valid_from|valid_until|certifying_body|scope`. Rows are reported by
//!   line number.
//! - `.json`: an array of objects. Lists are arrays; a capability is
//!   `{"code", "detail"}` (as in the API); a certificate is
//!   `{"type", "valid_from", "valid_until", "certifying_body", "scope",
//!   "document_ref"}`. Rows are reported by their index in the array.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, Utc};
use domain::audit::AuditEntry;
use domain::certification::{Certification, CertificationDetails, VerificationStatus};
use domain::ids::{CertificationId, OrganisationId};
use domain::organisation::{
    Address, LegalIdentity, Membership, Organisation, OrganisationKind, Website,
};
use domain::profile::{ProfileContent, ProfileInput, ProfileStatus, SupplierProfile};
use domain::validation::{self, ValidationErrors};
use domain::{DomainError, FieldError};
use persistence::{DbConnection, PersistenceError, Tx, accounts, audit, certifications, profiles};
use serde::Deserialize;

use crate::app::catalogue::Catalogue;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The columns of a CSV file (the keys of a JSON object).
const COLUMNS: &[&str] = &[
    "legal_name",
    "siret",
    "country",
    "registration_number",
    "street",
    "postal_code",
    "city",
    "department",
    "region",
    "website",
    "membership",
    "description_fr",
    "description_en",
    "capabilities",
    "sectors",
    "equipment",
    "headcount",
    "working_languages",
    "public_contact_email",
    "certifications",
];

/// Where a row is in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowRef {
    /// CSV line number (the header is line 1).
    Line(u64),
    /// Position in the JSON array, from 0.
    Index(usize),
}

impl fmt::Display for RowRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Line(line) => write!(f, "line {line}"),
            Self::Index(index) => write!(f, "index {index}"),
        }
    }
}

/// One row as read from the file, before validation.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawRow {
    legal_name: String,
    siret: Option<String>,
    country: Option<String>,
    registration_number: Option<String>,
    street: String,
    postal_code: String,
    city: String,
    department: String,
    region: String,
    website: Option<String>,
    membership: Option<String>,
    description_fr: String,
    description_en: String,
    capabilities: Vec<RawCapability>,
    sectors: Vec<String>,
    equipment: Vec<String>,
    headcount: Option<String>,
    working_languages: Vec<String>,
    public_contact_email: Option<String>,
    certifications: Vec<RawCertification>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCapability {
    code: String,
    #[serde(default)]
    detail: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawCertification {
    #[serde(rename = "type")]
    type_code: String,
    valid_from: String,
    valid_until: String,
    certifying_body: String,
    scope: String,
    document_ref: Option<String>,
}

/// A row of the file: its place, the name it gives (for the report), and
/// its fields, or why they could not even be read.
pub struct SourceRow {
    pub at: RowRef,
    pub legal_name: String,
    pub raw: Result<RawRow, ValidationErrors>,
}

/// Reads `path` as CSV or JSON, by extension. Fails only when the file as a
/// whole cannot be used; row problems are reported by [`import`].
pub fn read(path: &Path) -> anyhow::Result<Vec<SourceRow>> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let read =
        || std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()));
    let rows = match extension.as_str() {
        "csv" => read_csv(&read()?),
        "json" => read_json(&read()?),
        "" => bail!("{}: no extension; use a .csv or .json file", path.display()),
        other => bail!(
            "{}: unsupported file type `.{other}`; use a .csv or .json file",
            path.display()
        ),
    };
    rows.with_context(|| format!("{} cannot be imported", path.display()))
}

fn read_json(text: &str) -> anyhow::Result<Vec<SourceRow>> {
    let items: Vec<serde_json::Value> =
        serde_json::from_str(text).context("not a JSON array of suppliers")?;
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(index, item)| SourceRow {
            at: RowRef::Index(index),
            legal_name: item["legal_name"].as_str().unwrap_or_default().to_owned(),
            raw: serde_json::from_value(item)
                .map_err(|e| ValidationErrors::single("row", "invalid_shape", e.to_string())),
        })
        .collect())
}

fn split_list(raw: &str, separator: char) -> impl Iterator<Item = &str> {
    raw.split(separator)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn read_csv(text: &str) -> anyhow::Result<Vec<SourceRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().context("no header row")?.clone();
    if let Some(unknown) = headers.iter().find(|h| !COLUMNS.contains(h)) {
        bail!(
            "unknown column `{unknown}`; columns are {}",
            COLUMNS.join(", ")
        );
    }
    if !headers.iter().any(|h| h == "legal_name") {
        bail!("the header row has no `legal_name` column");
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                rows.push(SourceRow {
                    at: RowRef::Line(error.position().map_or(0, csv::Position::line)),
                    legal_name: String::new(),
                    raw: Err(ValidationErrors::single(
                        "row",
                        "unreadable",
                        error.to_string(),
                    )),
                });
                continue;
            }
        };
        let cells: HashMap<&str, &str> = headers.iter().zip(record.iter()).collect();
        let get = |column: &str| cells.get(column).copied().unwrap_or_default();
        let optional = |column: &str| Some(get(column).to_owned()).filter(|v| !v.is_empty());
        let list = |column: &str| split_list(get(column), ';').map(str::to_owned).collect();
        let raw = RawRow {
            legal_name: get("legal_name").to_owned(),
            siret: optional("siret"),
            country: optional("country"),
            registration_number: optional("registration_number"),
            street: get("street").to_owned(),
            postal_code: get("postal_code").to_owned(),
            city: get("city").to_owned(),
            department: get("department").to_owned(),
            region: get("region").to_owned(),
            website: optional("website"),
            membership: optional("membership"),
            description_fr: get("description_fr").to_owned(),
            description_en: get("description_en").to_owned(),
            capabilities: split_list(get("capabilities"), ';')
                .map(|entry| match entry.split_once(':') {
                    Some((code, detail)) => RawCapability {
                        code: code.trim().to_owned(),
                        detail: Some(detail.trim().to_owned()),
                    },
                    None => RawCapability {
                        code: entry.to_owned(),
                        detail: None,
                    },
                })
                .collect(),
            sectors: list("sectors"),
            equipment: list("equipment"),
            headcount: optional("headcount"),
            working_languages: list("working_languages"),
            public_contact_email: optional("public_contact_email"),
            certifications: split_list(get("certifications"), ';')
                .map(|entry| {
                    // The scope comes last and may contain anything but `;`.
                    let mut parts = entry.splitn(5, '|').map(|p| p.trim().to_owned());
                    let mut next = || parts.next().unwrap_or_default();
                    RawCertification {
                        type_code: next(),
                        valid_from: next(),
                        valid_until: next(),
                        certifying_body: next(),
                        scope: next(),
                        document_ref: None,
                    }
                })
                .collect(),
        };
        rows.push(SourceRow {
            at: RowRef::Line(record.position().map_or(0, csv::Position::line)),
            legal_name: raw.legal_name.clone(),
            raw: Ok(raw),
        });
    }
    Ok(rows)
}

/// A row that passed validation.
#[derive(Clone)]
struct Supplier {
    legal_name: String,
    identity: LegalIdentity,
    address: Address,
    region: String,
    website: Option<Website>,
    membership: Membership,
    content: ProfileContent,
    certifications: Vec<CertificationDetails>,
}

/// The file's column for an API field name: the row's `city` is both the
/// organisation's address city and the profile's `location.city`.
fn column(field: &str) -> &str {
    field.strip_prefix("location.").unwrap_or(field)
}

/// Every error once, under the file's column names.
fn by_column(errors: &[FieldError]) -> ValidationErrors {
    let mut out = ValidationErrors::new();
    for error in errors {
        let field = column(&error.field);
        if !out
            .errors()
            .iter()
            .any(|e| e.field == field && e.code == error.code)
        {
            out.add(field, error.code, error.message.clone());
        }
    }
    out
}

fn parse_row(raw: &RawRow, catalogue: &Catalogue) -> Result<Supplier, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let legal_name = errors.check("legal_name", validation::line(&raw.legal_name, 2, 200));
    let identity = LegalIdentity::parse(
        raw.country.as_deref(),
        raw.siret.as_deref(),
        raw.registration_number.as_deref(),
    )
    .map_err(|e| {
        for error in e.errors() {
            errors.add(error.field.clone(), error.code, error.message.clone());
        }
    })
    .ok();
    let street = errors.check("street", validation::text(&raw.street, 1, 200));
    let postal_code = errors.check("postal_code", validation::text(&raw.postal_code, 1, 16));
    let city = errors.check("city", validation::text(&raw.city, 1, 100));
    let region = errors.check("region", validation::text(&raw.region, 1, 100));
    let website = errors.check(
        "website",
        raw.website
            .as_deref()
            .filter(|w| !w.trim().is_empty())
            .map(Website::parse)
            .transpose(),
    );
    let membership = match raw.membership.as_deref().map(str::trim) {
        None | Some("") => Some(Membership::Member),
        Some(value) => Membership::parse(value).or_else(|| {
            errors.add(
                "membership",
                "invalid_membership",
                "membership is member or not_member",
            );
            None
        }),
    };
    let input = ProfileInput {
        description_fr: &raw.description_fr,
        description_en: &raw.description_en,
        capabilities: raw
            .capabilities
            .iter()
            .map(|c| (c.code.as_str(), c.detail.as_deref()))
            .collect(),
        sectors: raw.sectors.iter().map(String::as_str).collect(),
        equipment: raw.equipment.iter().map(String::as_str).collect(),
        headcount: raw.headcount.as_deref().filter(|h| !h.trim().is_empty()),
        city: &raw.city,
        department: &raw.department,
        region: &raw.region,
        country: raw.country.as_deref(),
        working_languages: raw.working_languages.iter().map(String::as_str).collect(),
        public_contact_email: raw.public_contact_email.as_deref(),
        public_phone: None,
        private_contacts: Vec::new(),
    };
    // Published at once, so complete as a submitted profile must be.
    let content = ProfileContent::parse(&input, |code| catalogue.has_capability(code))
        .and_then(|content| content.check_complete().map(|()| content));
    let content = match content {
        Ok(content) => Some(content),
        Err(e) => {
            for error in e.errors() {
                errors.add(error.field.clone(), error.code, error.message.clone());
            }
            None
        }
    };
    let mut certificates = Vec::new();
    for (i, c) in raw.certifications.iter().enumerate() {
        let field = format!("certifications[{i}]");
        let details = errors.check(
            &field,
            CertificationDetails::parse(
                &c.type_code,
                &c.scope,
                &c.certifying_body,
                &c.valid_from,
                &c.valid_until,
                c.document_ref.as_deref(),
            ),
        );
        match details {
            Some(details) if !catalogue.has_certification_type(details.type_code.as_str()) => {
                errors.add(
                    format!("{field}.type"),
                    "unknown_certification_type",
                    format!("{} is not in the catalogue", details.type_code.as_str()),
                );
            }
            Some(details) => certificates.push(details),
            None => {}
        }
    }
    match (
        legal_name,
        identity,
        street,
        postal_code,
        city,
        region,
        website,
        membership,
        content,
    ) {
        (
            Some(legal_name),
            Some(identity),
            Some(street),
            Some(postal_code),
            Some(city),
            Some(region),
            Some(website),
            Some(membership),
            Some(content),
        ) if errors.is_empty() => Ok(Supplier {
            legal_name,
            identity,
            address: Address {
                street,
                postal_code,
                city,
            },
            region,
            website,
            membership,
            content,
            certifications: certificates,
        }),
        _ => Err(by_column(errors.errors())),
    }
}

/// The row's key as the file names it: its SIRET, or its registration number.
fn key_field(identity: &LegalIdentity) -> &'static str {
    match identity {
        LegalIdentity::French { .. } => "siret",
        LegalIdentity::Foreign { .. } => "registration_number",
    }
}

fn key(identity: &LegalIdentity) -> String {
    match identity {
        LegalIdentity::French { siret } => siret.to_string(),
        LegalIdentity::Foreign {
            country,
            registration_number,
        } => format!("{}:{registration_number}", country.as_str()),
    }
}

#[derive(Debug)]
enum Outcome {
    Created,
    Updated,
    Unchanged,
    Rejected(ValidationErrors),
}

#[derive(Debug)]
pub struct RejectedRow {
    pub at: RowRef,
    pub legal_name: String,
    pub errors: ValidationErrors,
}

/// What an import did, row by row.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: Vec<RejectedRow>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} created, {} updated, {} unchanged, {} rejected",
            self.created,
            self.updated,
            self.unchanged,
            self.rejected.len()
        )?;
        for row in &self.rejected {
            writeln!(f, "rejected {} ({}):", row.at, row.legal_name)?;
            for error in row.errors.errors() {
                writeln!(f, "  {}: {} ({})", error.field, error.message, error.code)?;
            }
        }
        Ok(())
    }
}

/// Validates and imports every row, each in its own transaction.
pub async fn import(state: &AppState, rows: Vec<SourceRow>) -> ApiResult<ImportReport> {
    let catalogue = state.read(Catalogue::load).await?;
    let mut report = ImportReport::default();
    let mut seen: HashMap<String, RowRef> = HashMap::new();
    for row in rows {
        let supplier = row.raw.and_then(|raw| parse_row(&raw, &catalogue));
        let outcome = match supplier {
            Err(errors) => Outcome::Rejected(errors),
            Ok(supplier) => match seen.get(&key(&supplier.identity)) {
                Some(first) => Outcome::Rejected(ValidationErrors::single(
                    key_field(&supplier.identity),
                    "duplicate_in_file",
                    format!("{first} already has this organisation"),
                )),
                None => {
                    seen.insert(key(&supplier.identity), row.at);
                    let field = key_field(&supplier.identity);
                    match import_with_retry(state, supplier).await {
                        // Registered by someone else between our read and write.
                        Err(ApiError::Persistence(PersistenceError::UniqueViolation(_))) => {
                            Outcome::Rejected(ValidationErrors::single(
                                field,
                                "taken",
                                "registered concurrently; run the import again",
                            ))
                        }
                        other => other?,
                    }
                }
            },
        };
        match outcome {
            Outcome::Created => report.created += 1,
            Outcome::Updated => report.updated += 1,
            Outcome::Unchanged => report.unchanged += 1,
            Outcome::Rejected(errors) => report.rejected.push(RejectedRow {
                at: row.at,
                legal_name: row.legal_name,
                errors,
            }),
        }
    }
    Ok(report)
}

/// Imports one supplier in one transaction. The server usually runs
/// meanwhile: on SQLite its writes (the index worker's) come from another
/// process, which the in-process writer lock cannot serialise, so a
/// transaction refused as busy is retried; it wrote nothing.
async fn import_with_retry(state: &AppState, supplier: Supplier) -> ApiResult<Outcome> {
    const ATTEMPTS: u64 = 5;
    let mut attempt = 1;
    loop {
        let now = state.clock.now();
        let row = supplier.clone();
        match state
            .transaction(move |conn| import_one(conn, row, now))
            .await
        {
            Err(ApiError::Persistence(error)) if error.is_busy() && attempt < ATTEMPTS => {
                tracing::debug!(attempt, "database busy, retrying the row");
                tokio::time::sleep(std::time::Duration::from_millis(50 * attempt)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn import_one(conn: &mut Tx, supplier: Supplier, now: DateTime<Utc>) -> ApiResult<Outcome> {
    let existing = match &supplier.identity {
        LegalIdentity::French { siret } => accounts::find_organisation_by_siret(conn, siret)?,
        LegalIdentity::Foreign {
            country,
            registration_number,
        } => accounts::find_organisation_by_registration(conn, country, registration_number)?,
    };
    let Some(mut org) = existing else {
        create(conn, supplier, now)?;
        return Ok(Outcome::Created);
    };
    let field = key_field(&supplier.identity);
    if org.kind != OrganisationKind::Supplier {
        return Ok(Outcome::Rejected(ValidationErrors::single(
            field,
            "registered_as_buyer",
            "this organisation is registered as a buyer",
        )));
    }
    let profile = profiles::find(conn, org.id)?;
    if profile
        .as_ref()
        .is_some_and(|p| p.status == ProfileStatus::Suspended)
    {
        return Ok(Outcome::Rejected(ValidationErrors::single(
            field,
            "profile_suspended",
            "the back office suspended this supplier; reinstate it before importing over it",
        )));
    }

    let mut changed = Vec::new();
    if org.legal_name != supplier.legal_name {
        changed.push("legal_name");
    }
    if org.address != supplier.address || org.region != supplier.region {
        changed.push("address");
    }
    if org.website != supplier.website {
        changed.push("website");
    }
    if org.membership != supplier.membership {
        changed.push("membership");
    }
    if !changed.is_empty() {
        org.legal_name = supplier.legal_name;
        org.address = supplier.address;
        org.region = supplier.region;
        org.website = supplier.website;
        org.membership = supplier.membership;
        org.updated_at = now;
        accounts::update_organisation(conn, &org)?;
        audit::record(
            conn,
            &AuditEntry::new(None, "organisation.imported", "organisation", org.id, now)
                .note(Some(format!("updated {}", changed.join(", "))), false),
        )?;
    }

    match profile {
        None => {
            publish(conn, org.id, supplier.content, now)?;
            changed.push("profile");
        }
        Some(mut profile) => {
            let read_version = profile.version;
            if let Some(step) = profile.reimport(supplier.content, now)? {
                if !profiles::update(conn, &profile, read_version)? {
                    return Err(DomainError::VersionMismatch {
                        current: read_version + 1,
                    }
                    .into());
                }
                record_profile(conn, org.id, Some(step.from), now)?;
                changed.push("profile");
            }
        }
    }

    let current = certifications::of_organisation(conn, org.id)?;
    if !same_certificates(&current, &supplier.certifications) {
        for old in &current {
            certifications::delete(conn, old)?;
            audit::record(
                conn,
                &AuditEntry::new(None, "certification.deleted", "certification", old.id, now)
                    .transition(Some(old.status.as_str()), "deleted")
                    .note(Some("replaced by an import".to_owned()), false),
            )?;
        }
        insert_certificates(conn, org.id, supplier.certifications, now)?;
        changed.push("certifications");
    }

    if changed.is_empty() {
        return Ok(Outcome::Unchanged);
    }
    Ok(Outcome::Updated)
}

fn create(conn: &mut Tx, supplier: Supplier, now: DateTime<Utc>) -> ApiResult<()> {
    let org = Organisation {
        id: OrganisationId::new(),
        kind: OrganisationKind::Supplier,
        legal_name: supplier.legal_name,
        identity: supplier.identity,
        address: supplier.address,
        region: supplier.region,
        website: supplier.website,
        membership: supplier.membership,
        created_at: now,
        updated_at: now,
    };
    accounts::insert_organisation(conn, &org)?;
    audit::record(
        conn,
        &AuditEntry::new(None, "organisation.imported", "organisation", org.id, now)
            .transition(None, org.kind.as_str()),
    )?;
    publish(conn, org.id, supplier.content, now)?;
    insert_certificates(conn, org.id, supplier.certifications, now)?;
    Ok(())
}

fn publish(
    conn: &mut Tx,
    org: OrganisationId,
    content: ProfileContent,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    profiles::insert(conn, &SupplierProfile::imported(org, content, now))?;
    record_profile(conn, org, None, now)
}

fn record_profile(
    conn: &mut DbConnection,
    org: OrganisationId,
    from: Option<ProfileStatus>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    audit::record(
        conn,
        &AuditEntry::new(None, "profile.imported", "supplier_profile", org, now).transition(
            from.map(ProfileStatus::as_str),
            ProfileStatus::Published.as_str(),
        ),
    )?;
    Ok(())
}

fn insert_certificates(
    conn: &mut Tx,
    org: OrganisationId,
    certificates: Vec<CertificationDetails>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    for details in certificates {
        let certification = Certification {
            id: CertificationId::new(),
            organisation_id: org,
            details,
            status: VerificationStatus::Declared,
            review_note: None,
            reviewed_by: None,
            reviewed_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        certifications::insert(conn, &certification)?;
        audit::record(
            conn,
            &AuditEntry::new(
                None,
                "certification.imported",
                "certification",
                certification.id,
                now,
            )
            .transition(None, certification.status.as_str())
            .note(
                Some(format!(
                    "{} of {org}",
                    certification.details.type_code.as_str()
                )),
                false,
            ),
        )?;
    }
    Ok(())
}

/// Whether the stored certificates say exactly what the file says (in any
/// order); an expert's verdict on them is kept when they do.
fn same_certificates(stored: &[Certification], imported: &[CertificationDetails]) -> bool {
    type Key<'a> = (
        &'a str,
        NaiveDate,
        NaiveDate,
        &'a str,
        &'a str,
        Option<&'a str>,
    );
    fn sorted<'a>(details: impl Iterator<Item = &'a CertificationDetails>) -> Vec<Key<'a>> {
        let mut keys: Vec<Key<'a>> = details
            .map(|d| {
                (
                    d.type_code.as_str(),
                    d.valid_from,
                    d.valid_until,
                    d.certifying_body.as_str(),
                    d.scope.as_str(),
                    d.document_ref.as_deref(),
                )
            })
            .collect();
        keys.sort_unstable();
        keys
    }
    sorted(stored.iter().map(|c| &c.details)) == sorted(imported.iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "legal_name,siret,street,postal_code,city,department,region,capabilities,sectors,certifications\n";

    #[test]
    fn csv_lists_capability_details_and_certificates_are_split() {
        let text = format!(
            "{HEADER}Micro SAS,73282932000074,1 rue X,25000,Besançon,25,BFC,\
             machining.micro_machining:titane 5 axes;machining.edm,medtech; aerospace,\
             iso_13485|2025-01-01|2027-12-31|GMED|Usinage | implants\n"
        );
        let rows = read_csv(&text).expect("readable");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].at, RowRef::Line(2));
        let raw = rows[0].raw.as_ref().expect("row");
        assert_eq!(raw.capabilities.len(), 2);
        assert_eq!(raw.capabilities[0].code, "machining.micro_machining");
        assert_eq!(raw.capabilities[0].detail.as_deref(), Some("titane 5 axes"));
        assert_eq!(raw.capabilities[1].detail, None);
        assert_eq!(raw.sectors, ["medtech", "aerospace"]);
        assert_eq!(raw.certifications[0].certifying_body, "GMED");
        assert_eq!(raw.certifications[0].scope, "Usinage | implants");
        assert_eq!(raw.siret.as_deref(), Some("73282932000074"));
        assert_eq!(raw.website, None);
    }

    #[test]
    fn an_unknown_column_makes_the_file_unusable() {
        let error = read_csv("legal_name,sirte\nX,1\n").err().expect("refused");
        assert!(error.to_string().contains("`sirte`"), "{error}");
    }

    #[test]
    fn a_json_item_of_the_wrong_shape_is_a_rejected_row_not_a_bad_file() {
        let rows = read_json(r#"[{"legal_name": "A", "capabilities": "machining"}, {"legal_name": "B", "colour": 1}]"#)
            .expect("readable");
        assert_eq!(rows.len(), 2);
        for row in &rows {
            let errors = row.raw.as_ref().expect_err("rejected");
            assert_eq!(errors.errors()[0].field, "row");
        }
        assert_eq!(rows[1].at, RowRef::Index(1));
        assert!(read_json(r#"{"legal_name": "A"}"#).is_err());
    }

    #[test]
    fn location_errors_are_reported_once_under_the_file_column() {
        let mut errors = ValidationErrors::new();
        errors.add("city", "required", "must not be empty");
        errors.add("location.city", "required", "must not be empty");
        errors.add("location.department", "too_long", "x");
        let fields: Vec<_> = by_column(errors.errors())
            .errors()
            .iter()
            .map(|e| e.field.clone())
            .collect();
        assert_eq!(fields, ["city", "department"]);
    }
}
