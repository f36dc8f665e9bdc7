//! `pmt admin export suppliers|requests`: files for the cluster's own
//! tools, written to `--output` or stdout.

use std::path::Path;

use anyhow::{Context, bail};
use chrono::{NaiveDate, TimeDelta};

use crate::app;
use crate::app::import::ExportFormat;
use crate::startup::build_state;

pub async fn suppliers(format: ExportFormat, output: Option<&Path>) -> anyhow::Result<()> {
    let state = build_state().await?;
    let text = app::import::export(&state, format)
        .await
        .map_err(|e| anyhow::anyhow!("export suppliers: {e}"))?;
    write(output, &text)
}

/// The requests created from `from` to `to`, both days included (UTC).
pub async fn requests(from: NaiveDate, to: NaiveDate, output: Option<&Path>) -> anyhow::Result<()> {
    if to < from {
        bail!("--to ({to}) is before --from ({from})");
    }
    let start = from.and_time(chrono::NaiveTime::MIN).and_utc();
    let end = to.and_time(chrono::NaiveTime::MIN).and_utc() + TimeDelta::days(1);
    let state = build_state().await?;
    let text = app::sourcing::export::requests_csv(&state, start, end)
        .await
        .map_err(|e| anyhow::anyhow!("export requests: {e}"))?;
    write(output, &text)
}

fn write(output: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("--output {}", path.display()))
        }
        None => {
            use std::io::Write as _;
            std::io::stdout()
                .write_all(text.as_bytes())
                .context("writing to stdout")
        }
    }
}
