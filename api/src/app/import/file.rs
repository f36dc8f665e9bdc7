//! Reading the members' file: CSV or JSON rows as typed, before any rule.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use anyhow::{Context, bail};
use domain::validation::ValidationErrors;
use serde::{Deserialize, Serialize};

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

impl RowRef {
    /// The number `--start-at` takes: the line, or the index.
    pub fn position(self) -> u64 {
        match self {
            Self::Line(line) => line,
            Self::Index(index) => index as u64,
        }
    }
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
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawRow {
    pub(super) legal_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) siret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) registration_number: Option<String>,
    pub(super) street: String,
    pub(super) postal_code: String,
    pub(super) city: String,
    pub(super) department: String,
    pub(super) region: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) membership: Option<String>,
    pub(super) description_fr: String,
    pub(super) description_en: String,
    pub(super) capabilities: Vec<RawCapability>,
    pub(super) sectors: Vec<String>,
    pub(super) equipment: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) headcount: Option<String>,
    pub(super) working_languages: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) public_contact_email: Option<String>,
    pub(super) certifications: Vec<RawCertification>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCapability {
    pub(super) code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) detail: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub(super) struct RawCertification {
    #[serde(rename = "type")]
    pub(super) type_code: String,
    pub(super) valid_from: String,
    pub(super) valid_until: String,
    pub(super) certifying_body: String,
    pub(super) scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) document_ref: Option<String>,
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

pub(super) fn read_json(text: &str) -> anyhow::Result<Vec<SourceRow>> {
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

pub(super) fn read_csv(text: &str) -> anyhow::Result<Vec<SourceRow>> {
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

/// Writes rows as a JSON array, the shape [`read_json`] reads.
pub(super) fn write_json(rows: &[RawRow]) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(rows)? + "\n")
}

/// Writes rows as CSV with every column, the shape [`read_csv`] reads:
/// lists `;`-separated, a capability `code:detail`, a certificate
/// `type|valid_from|valid_until|certifying_body|scope`. A certificate's
/// `document_ref` has no CSV column (JSON keeps it).
pub(super) fn write_csv(rows: &[RawRow]) -> anyhow::Result<String> {
    // A `;` inside a list item would split it in two when read back.
    for row in rows {
        let items = row
            .capabilities
            .iter()
            .flat_map(|c| c.detail.iter())
            .chain(&row.sectors)
            .chain(&row.equipment)
            .chain(&row.working_languages)
            .chain(row.certifications.iter().map(|c| &c.scope));
        for item in items.filter(|i| i.contains(';')) {
            tracing::warn!(
                supplier = %row.legal_name,
                item = %item,
                "a list item contains `;`, which a CSV list cannot hold: this row will not import back as it is; use --format json"
            );
        }
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS)?;
    for row in rows {
        let opt = |value: &Option<String>| value.clone().unwrap_or_default();
        let capabilities: Vec<String> = row
            .capabilities
            .iter()
            .map(|c| match &c.detail {
                Some(detail) => format!("{}:{detail}", c.code),
                None => c.code.clone(),
            })
            .collect();
        let certifications: Vec<String> = row
            .certifications
            .iter()
            .map(|c| {
                [
                    c.type_code.as_str(),
                    &c.valid_from,
                    &c.valid_until,
                    &c.certifying_body,
                    &c.scope,
                ]
                .join("|")
            })
            .collect();
        writer.write_record([
            row.legal_name.clone(),
            opt(&row.siret),
            opt(&row.country),
            opt(&row.registration_number),
            row.street.clone(),
            row.postal_code.clone(),
            row.city.clone(),
            row.department.clone(),
            row.region.clone(),
            opt(&row.website),
            opt(&row.membership),
            row.description_fr.clone(),
            row.description_en.clone(),
            capabilities.join(";"),
            row.sectors.join(";"),
            row.equipment.join(";"),
            opt(&row.headcount),
            row.working_languages.join(";"),
            opt(&row.public_contact_email),
            certifications.join(";"),
        ])?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
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
    fn rows_written_as_csv_or_json_read_back_the_same() {
        let text = format!(
            "{HEADER}\"Micro, SAS\",73282932000074,1 rue X,25000,Besançon,25,BFC,\
             machining.micro_machining:titane: 5 axes;machining.edm,medtech;aerospace,\
             iso_13485|2025-01-01|2027-12-31|GMED|Usinage | implants\n"
        );
        let rows: Vec<RawRow> = read_csv(&text)
            .expect("readable")
            .into_iter()
            .map(|r| r.raw.expect("row"))
            .collect();
        let json = |rows: &[RawRow]| serde_json::to_value(rows).expect("json");
        let from_csv: Vec<RawRow> = read_csv(&write_csv(&rows).expect("csv"))
            .expect("readable")
            .into_iter()
            .map(|r| r.raw.expect("row"))
            .collect();
        assert_eq!(json(&from_csv), json(&rows));
        let from_json: Vec<RawRow> = read_json(&write_json(&rows).expect("json"))
            .expect("readable")
            .into_iter()
            .map(|r| r.raw.expect("row"))
            .collect();
        assert_eq!(json(&from_json), json(&rows));
        assert_eq!(
            rows[0].capabilities[0].detail.as_deref(),
            Some("titane: 5 axes")
        );
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
}
