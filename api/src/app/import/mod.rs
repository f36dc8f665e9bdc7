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
//! `--dry-run` ([`ImportMode::DryRun`]) runs each row's transaction the same
//! way and rolls it back: the report is the real run's, nothing is written.
//! The rows before `--start-at` are skipped (an interrupted run prints where
//! to resume). [`export`] writes the published directory back in this
//! format, so that importing an export changes nothing.
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

mod apply;
mod export;
mod file;
mod row;

use std::collections::HashMap;
use std::fmt;

use domain::validation::ValidationErrors;
use persistence::PersistenceError;

use self::apply::import_one;
pub use self::export::{ExportFormat, export};
pub use self::file::{RowRef, SourceRow, read};
use self::row::{Supplier, key, key_field, parse_row};
use crate::app::catalogue::Catalogue;
use crate::app::progress::WorkProgress;
use crate::app::publisher::Publisher;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

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

/// What an import did (or, dry, would do), row by row.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub mode: ImportMode,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: Vec<RejectedRow>,
    /// Rows before `--start-at`, left to the run that did them.
    pub skipped: usize,
    /// The first row not processed when the run was interrupted.
    pub interrupted_at: Option<RowRef>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The same lines in both modes, so a dry run's report can be
        // compared with the real run's; only this prefix differs.
        let would = match self.mode {
            ImportMode::DryRun => "dry run, would be: ",
            ImportMode::Apply => "",
        };
        writeln!(
            f,
            "{would}{} created, {} updated, {} unchanged, {} rejected",
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
        if self.skipped > 0 {
            writeln!(f, "{} rows before --start-at skipped", self.skipped)?;
        }
        if let Some(at) = self.interrupted_at {
            writeln!(
                f,
                "interrupted before {at}: rows from {at} on were not processed; \
                 resume with --start-at {}",
                at.position()
            )?;
        }
        Ok(())
    }
}

/// Whether an import writes what it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportMode {
    #[default]
    Apply,
    /// Every row goes through the same reads, rules and writes in its own
    /// transaction, which is then rolled back: the report is the one the
    /// real run would give, and nothing is written.
    DryRun,
}

/// Validates and imports every row from position `start_at` on (a CSV line
/// number or a JSON index; every row when `None`), each in its own
/// transaction, until the rows end or `progress` asks to stop.
pub async fn import(
    state: &AppState,
    rows: Vec<SourceRow>,
    mode: ImportMode,
    start_at: Option<u64>,
    progress: &dyn WorkProgress,
) -> ApiResult<ImportReport> {
    let catalogue = state.read(Catalogue::load).await?;
    let mut report = ImportReport {
        mode,
        ..ImportReport::default()
    };
    let mut seen: HashMap<String, RowRef> = HashMap::new();
    let skipped = |row: &SourceRow| start_at.is_some_and(|start| row.at.position() < start);
    progress.start(rows.iter().filter(|row| !skipped(row)).count() as u64);
    for row in rows {
        let skip = skipped(&row);
        let supplier = row.raw.and_then(|raw| parse_row(&raw, &catalogue));
        if skip {
            // Processed by the interrupted run; its key still counts for the
            // duplicates of the rows that follow.
            if let Ok(supplier) = &supplier {
                seen.entry(key(&supplier.identity)).or_insert(row.at);
            }
            report.skipped += 1;
            continue;
        }
        if progress.stop_requested() {
            report.interrupted_at = Some(row.at);
            break;
        }
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
                    match import_with_retry(state, supplier, mode).await {
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
        progress.advance(1);
    }
    Ok(report)
}

/// Imports one supplier in one transaction. The server usually runs
/// meanwhile: on SQLite its writes (the index worker's) come from another
/// process, which the in-process writer lock cannot serialise, so a
/// transaction refused as busy is retried; it wrote nothing.
async fn import_with_retry(
    state: &AppState,
    supplier: Supplier,
    mode: ImportMode,
) -> ApiResult<Outcome> {
    const ATTEMPTS: u64 = 5;
    let mut attempt = 1;
    loop {
        // The import acts as the platform: no actor.
        let publisher = Publisher::new(state, None);
        let row = supplier.clone();
        let attempted = match mode {
            ImportMode::Apply => {
                state
                    .transaction(move |conn| import_one(conn, &publisher, row))
                    .await
            }
            ImportMode::DryRun => {
                state
                    .rolled_back(move |conn| import_one(conn, &publisher, row))
                    .await
            }
        };
        match attempted {
            Err(ApiError::Persistence(error)) if error.is_busy() && attempt < ATTEMPTS => {
                tracing::debug!(attempt, "database busy, retrying the row");
                tokio::time::sleep(std::time::Duration::from_millis(50 * attempt)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}
