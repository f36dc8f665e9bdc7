//! The shape of a supplier in Meilisearch: the document itself plus derived fields
//! that make certificate validity filterable at query time.

use std::collections::BTreeMap;

use serde::Serialize;

use super::days;
use crate::document::{CertificationDoc, SupplierDocument};
use crate::error::IndexError;

/// Disjoint validity windows kept per certification code. Overlapping or adjacent
/// certificates (a renewal) merge into one window; beyond this many gaps the oldest
/// windows, long expired, are dropped.
pub(super) const WINDOW_SLOTS: usize = 4;

/// Meilisearch flattens arrays of objects, which would pair one certificate's start
/// with another's end. Each window therefore gets its own object key:
/// `cert_windows.<code>.w<slot>.from` / `.until`. The same windows of the
/// verified certificates only are `verified_windows.<code>.w<slot>`, and
/// those of every verified certificate, whatever its code, `verified_any.w<slot>`.
/// The same windows again, as pieces of days, are `cert_days` (see `days`):
/// what counts every code valid on a day in one facet distribution.
#[derive(Debug, Serialize)]
pub(super) struct Record<'a> {
    #[serde(flatten)]
    doc: &'a SupplierDocument,
    /// Codes of every stored certificate, valid or not: the facet whose values are
    /// then counted with a validity filter.
    certification_codes: Vec<&'a str>,
    cert_windows: BTreeMap<&'a str, BTreeMap<String, Window>>,
    verified_windows: BTreeMap<&'a str, BTreeMap<String, Window>>,
    verified_any: BTreeMap<String, Window>,
    cert_days: days::Pieces<'a>,
}

/// What a record holds beyond the document changes with this number: an
/// index of records of another shape is a different index (see
/// `MeiliIndex::new`), filled anew.
pub(super) const RECORD_VERSION: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(super) struct Window {
    pub(super) from: i64,
    pub(super) until: i64,
}

impl<'a> Record<'a> {
    pub(super) fn new(doc: &'a SupplierDocument) -> Result<Self, IndexError> {
        let mut by_code: BTreeMap<&str, Vec<&CertificationDoc>> = BTreeMap::new();
        for cert in &doc.certifications {
            check_code(&cert.code)?;
            by_code.entry(&cert.code).or_default().push(cert);
        }
        let certification_codes = by_code.keys().copied().collect();
        let verified: Vec<&CertificationDoc> =
            doc.certifications.iter().filter(|c| c.verified).collect();
        let verified_windows = by_code
            .iter()
            .map(|(code, certs)| {
                let verified: Vec<&CertificationDoc> =
                    certs.iter().copied().filter(|c| c.verified).collect();
                (*code, slots(&verified))
            })
            .filter(|(_, slots)| !slots.is_empty())
            .collect();
        let mut cert_days = days::Pieces::new();
        let cert_windows = by_code
            .into_iter()
            .map(|(code, certs)| {
                let windows = merged_windows(&certs);
                days::add(&mut cert_days, code, &windows);
                (code, keyed(windows))
            })
            .collect();
        Ok(Record {
            doc,
            certification_codes,
            cert_windows,
            verified_windows,
            verified_any: slots(&verified),
            cert_days,
        })
    }
}

/// The merged windows of `certs` keyed by slot (`w0`, `w1`...).
fn slots(certs: &[&CertificationDoc]) -> BTreeMap<String, Window> {
    keyed(merged_windows(certs))
}

fn keyed(windows: Vec<Window>) -> BTreeMap<String, Window> {
    windows
        .into_iter()
        .enumerate()
        .map(|(slot, window)| (format!("w{slot}"), window))
        .collect()
}

/// The union of the certificates' windows, latest [`WINDOW_SLOTS`] only, oldest first.
fn merged_windows(certs: &[&CertificationDoc]) -> Vec<Window> {
    let mut windows: Vec<Window> = certs
        .iter()
        .filter(|cert| cert.valid_from < cert.valid_until)
        .map(|cert| Window {
            from: cert.valid_from,
            until: cert.valid_until,
        })
        .collect();
    windows.sort_by_key(|window| window.from);
    let mut merged: Vec<Window> = Vec::with_capacity(windows.len());
    for window in windows {
        match merged.last_mut() {
            Some(last) if window.from <= last.until => last.until = last.until.max(window.until),
            _ => merged.push(window),
        }
    }
    let dropped = merged.len().saturating_sub(WINDOW_SLOTS);
    merged.split_off(dropped)
}

/// Certification codes become attribute names in filters, so they must be plain
/// identifiers (the taxonomy's codes are: `iso_13485`, `gmp`...).
pub(super) fn check_code(code: &str) -> Result<(), IndexError> {
    let plain = !code.is_empty()
        && code
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_');
    if plain {
        Ok(())
    } else {
        Err(IndexError::InvalidQuery(format!(
            "certification code {code:?} must be lowercase letters, digits and underscores"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(valid_from: i64, valid_until: i64) -> CertificationDoc {
        CertificationDoc {
            code: "iso_13485".to_owned(),
            valid_from,
            valid_until,
            verified: false,
        }
    }

    #[test]
    fn renewals_merge_and_gaps_stay_apart() {
        let (a, b, c) = (cert(0, 10), cert(10, 20), cert(30, 40));
        let windows = merged_windows(&[&c, &a, &b]);
        assert_eq!(
            windows,
            vec![
                Window { from: 0, until: 20 },
                Window {
                    from: 30,
                    until: 40
                }
            ]
        );
    }

    #[test]
    fn keeps_the_latest_windows() {
        let certs: Vec<CertificationDoc> = (0..6).map(|i| cert(i * 10, i * 10 + 5)).collect();
        let refs: Vec<&CertificationDoc> = certs.iter().collect();
        let windows = merged_windows(&refs);
        assert_eq!(windows.len(), WINDOW_SLOTS);
        assert_eq!(
            windows[0],
            Window {
                from: 20,
                until: 25
            }
        );
    }

    #[test]
    fn rejects_codes_that_are_not_identifiers() {
        assert!(check_code("iso_13485").is_ok());
        assert!(check_code("iso 13485").is_err());
        assert!(check_code("a.b").is_err());
    }
}
