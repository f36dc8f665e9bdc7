//! Booklets are typeset by a child process (`pmt typeset-booklet`): what
//! typst allocates (about 80 MiB at peak for a 1 000-supplier edition, in
//! slices by the `publications` crate) goes back to the system when the
//! child ends, and a fault while typesetting ends the child, never the
//! server.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use chrono::NaiveDate;
use publications::{Job, RenderError};

/// The hidden subcommand that typesets the data read on stdin.
pub const SUBCOMMAND: &str = "typeset-booklet";

/// Typesets `job` in a child process of this executable.
pub fn in_child(job: Job) -> Result<Vec<u8>, RenderError> {
    let failed = |what: &str, e: std::io::Error| RenderError::Process(format!("{what}: {e}"));
    let exe = std::env::current_exe().map_err(|e| failed("no executable path", e))?;
    let mut child = Command::new(exe)
        .args([SUBCOMMAND, "--edition", &job.edition_date.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed("start", e))?;
    // The child reads all its input before it writes: no deadlock.
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(&job.data)
            .map_err(|e| failed("send the data", e))?;
    }
    let output = child.wait_with_output().map_err(|e| failed("wait", e))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(RenderError::Process(format!(
            "{}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

/// The child's side: the data on stdin, the PDF on stdout.
pub fn run_child(edition_date: NaiveDate) -> anyhow::Result<()> {
    let mut data = Vec::new();
    std::io::stdin().read_to_end(&mut data)?;
    let pdf = publications::typeset(data, edition_date)?;
    std::io::stdout().write_all(&pdf)?;
    Ok(())
}
