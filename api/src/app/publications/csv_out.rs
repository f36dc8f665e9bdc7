//! The CSV documents: a header row, stable column names, UTF-8.

use std::collections::BTreeMap;

use domain::capability_map::MatrixEntry;
use domain::organisation::Membership;
use openapi::publications::{ActivityReportView, DurationView, RequestStepsView};

use crate::app::catalogue::Catalogue;
use crate::error::{ApiError, ApiResult};

fn finish(writer: csv::Writer<Vec<u8>>) -> ApiResult<String> {
    let bytes = writer
        .into_inner()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("csv: {e}")))?;
    String::from_utf8(bytes).map_err(|e| ApiError::Internal(e.into()))
}

/// Free text as a cell a spreadsheet shows as text: one starting like a
/// formula (`=`, `+`, `-`, `@`) is prefixed with `'`.
fn text_cell(raw: &str) -> String {
    if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{raw}")
    } else {
        raw.to_owned()
    }
}

fn failed(e: csv::Error) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("csv: {e}"))
}

/// One row per published supplier, one column per taxonomy node (its code,
/// in the taxonomy's order): the supplier's detail for a capability it
/// declares, `x` when it gave none, empty otherwise.
pub fn matrix(catalogue: &Catalogue, entries: &[MatrixEntry]) -> ApiResult<String> {
    let codes: Vec<&str> = catalogue.nodes().iter().map(|n| n.code.as_str()).collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "supplier_id",
        "supplier_name",
        "member",
        "region",
        "department",
    ];
    header.extend(&codes);
    writer.write_record(&header).map_err(failed)?;
    let mut suppliers: Vec<(&MatrixEntry, BTreeMap<&str, &str>)> = Vec::new();
    for entry in entries {
        if suppliers
            .last()
            .is_none_or(|(s, _)| s.organisation != entry.organisation)
        {
            suppliers.push((entry, BTreeMap::new()));
        }
        if let Some((_, cells)) = suppliers.last_mut() {
            cells.insert(entry.code.as_str(), entry.detail.as_deref().unwrap_or("x"));
        }
    }
    for (supplier, cells) in suppliers {
        let mut row = vec![
            supplier.organisation.to_string(),
            text_cell(&supplier.name),
            (supplier.membership == Membership::Member).to_string(),
            text_cell(&supplier.region),
            text_cell(&supplier.department),
        ];
        row.extend(
            codes
                .iter()
                .map(|code| text_cell(cells.get(code).copied().unwrap_or_default())),
        );
        writer.write_record(&row).map_err(failed)?;
    }
    finish(writer)
}

/// One indicator per row: `section,key,indicator,value`. `key` names the
/// breakdown's value or the month, empty for the period's totals.
pub fn activity(report: &ActivityReportView) -> ApiResult<String> {
    let mut rows: Vec<[String; 4]> = Vec::new();
    let mut row = |section: &str, key: &str, indicator: &str, value: String| {
        rows.push([section.into(), key.into(), indicator.into(), value]);
    };
    row("period", "", "from", report.from.to_string());
    row("period", "", "to", report.to.to_string());
    let steps = |row: &mut dyn FnMut(&str, &str, &str, String),
                 section: &str,
                 key: &str,
                 s: &RequestStepsView| {
        for (name, value) in [
            ("received", s.received),
            ("qualified", s.qualified),
            ("rejected", s.rejected),
            ("opened", s.opened),
            ("awarded", s.awarded),
            ("cancelled", s.cancelled),
        ] {
            row(section, key, name, value.to_string());
        }
    };
    steps(&mut row, "requests", "", &report.requests);
    for (section, list) in [
        ("by_sector", &report.by_sector),
        ("by_capability_family", &report.by_capability_family),
        ("by_buyer_region", &report.by_buyer_region),
    ] {
        for b in list {
            steps(&mut row, section, &text_cell(&b.key), &b.requests);
        }
    }
    row("buyers", "", "new", report.buyers.new.to_string());
    row(
        "buyers",
        "",
        "returning",
        report.buyers.returning.to_string(),
    );
    let optional = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let times = |row: &mut dyn FnMut(&str, &str, &str, String), name: &str, d: &DurationView| {
        row("times", name, "count", d.count.to_string());
        row("times", name, "median_seconds", optional(d.median_seconds));
        row("times", name, "p90_seconds", optional(d.p90_seconds));
    };
    times(&mut row, "to_qualification", &report.times.to_qualification);
    times(&mut row, "to_opening", &report.times.to_opening);
    times(&mut row, "to_first_quote", &report.times.to_first_quote);
    times(&mut row, "to_award", &report.times.to_award);
    times(&mut row, "profile_review", &report.suppliers.review_times);
    row(
        "requests",
        "",
        "quotes_per_opened_request",
        report
            .quotes_per_opened_request
            .map(|q| format!("{q:.2}"))
            .unwrap_or_default(),
    );
    row(
        "requests",
        "",
        "connections",
        report.connections.to_string(),
    );
    let s = &report.suppliers;
    row(
        "suppliers",
        "",
        "listed_members",
        s.listed_members.to_string(),
    );
    row(
        "suppliers",
        "",
        "listed_non_members",
        s.listed_non_members.to_string(),
    );
    row("suppliers", "", "new_profiles", s.new_profiles.to_string());
    row(
        "suppliers",
        "",
        "certificates_verified",
        s.certificates_verified.to_string(),
    );
    row("emails", "", "failed", report.emails_failed.to_string());
    for m in &report.monthly {
        steps(&mut row, "monthly", &m.month, &m.requests);
        row(
            "monthly",
            &m.month,
            "connections",
            m.connections.to_string(),
        );
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(["section", "key", "indicator", "value"])
        .map_err(failed)?;
    for r in rows {
        writer.write_record(&r).map_err(failed)?;
    }
    finish(writer)
}
