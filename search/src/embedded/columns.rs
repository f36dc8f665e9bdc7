//! Each segment's columns (tantivy's fast fields), read by a search's page
//! and by candidates instead of the stored documents.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocId, SegmentReader, TantivyError};
use uuid::Uuid;

use super::schema;
use crate::document::CertificationDoc;

/// Each segment's columns, opened once (opening one reads its metadata and
/// dictionary) with the certificates column's values decoded: segments never
/// change, and the entries of merged ones go at the next write.
#[derive(Default)]
pub(super) struct ColumnCache(RwLock<HashMap<SegmentId, Arc<SegmentColumns>>>);

impl ColumnCache {
    pub(super) fn clear(&self) {
        if let Ok(mut segments) = self.0.write() {
            segments.clear();
        }
    }

    pub(super) fn get(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentColumns>> {
        let segment = reader.segment_id();
        if let Some(known) = self
            .0
            .read()
            .ok()
            .and_then(|map| map.get(&segment).cloned())
        {
            return Ok(known);
        }
        let opened = Arc::new(SegmentColumns::open(reader)?);
        if let Ok(mut segments) = self.0.write() {
            segments.insert(segment, Arc::clone(&opened));
        }
        Ok(opened)
    }
}

pub(super) struct SegmentColumns {
    pub(super) certificates: SegmentCertificates,
    certificate_ords: Option<Column<u64>>,
    pub(super) capabilities: Option<StrColumn>,
    pub(super) sectors: Option<StrColumn>,
    pub(super) regions: Option<StrColumn>,
    pub(super) member: Column<bool>,
    pub(super) name_sort: Option<StrColumn>,
    pub(super) updated_at: Column<i64>,
    id_high: Column<u64>,
    id_low: Column<u64>,
}

impl SegmentColumns {
    /// The supplier id of `doc`.
    pub(super) fn id(&self, doc: DocId) -> Uuid {
        let high = self.id_high.first(doc).unwrap_or_default();
        let low = self.id_low.first(doc).unwrap_or_default();
        Uuid::from_u128((u128::from(high) << 64) | u128::from(low))
    }

    /// The interned codes of `doc`'s certificates that count at `now`
    /// (verified ones only when `verified_only`), each once, in `into`.
    pub(super) fn counting_codes(
        &self,
        doc: DocId,
        now: i64,
        verified_only: bool,
        into: &mut Vec<u32>,
    ) {
        into.clear();
        if let Some(column) = &self.certificate_ords {
            for ord in column.values_for_doc(doc) {
                let (code, term) = &self.certificates.terms[ord as usize];
                if term.counts_at(now, verified_only) && !into.contains(code) {
                    into.push(*code);
                }
            }
        }
    }

    fn open(reader: &SegmentReader) -> tantivy::Result<Self> {
        let columns = reader.fast_fields();
        let certificates = columns.str(schema::CERTIFICATES)?;
        Ok(SegmentColumns {
            certificates: SegmentCertificates::decode(certificates.as_ref())?,
            certificate_ords: certificates.map(|column| column.ords().clone()),
            capabilities: columns.str(schema::CAPABILITY_CODES)?,
            sectors: columns.str(schema::SECTORS)?,
            regions: columns.str(schema::REGION)?,
            member: columns.bool(schema::MEMBER)?,
            name_sort: columns.str(schema::NAME_SORT)?,
            updated_at: columns.i64(schema::UPDATED_AT)?,
            id_high: columns.u64(schema::ID_HIGH)?,
            id_low: columns.u64(schema::ID_LOW)?,
        })
    }
}

/// Certificate terms by ordinal, their codes interned.
pub(super) struct SegmentCertificates {
    pub(super) codes: Vec<String>,
    /// By term ordinal: the index of its code in `codes`, and the term.
    terms: Vec<(u32, CertificationDoc)>,
}

impl SegmentCertificates {
    /// `code` as interned in this segment, if any of its documents holds it.
    pub(super) fn code(&self, code: &str) -> Option<u32> {
        self.codes
            .iter()
            .position(|known| known == code)
            .map(|at| at as u32)
    }

    fn decode(column: Option<&StrColumn>) -> tantivy::Result<Self> {
        let mut decoded = SegmentCertificates {
            codes: Vec::new(),
            terms: Vec::new(),
        };
        let Some(column) = column else {
            return Ok(decoded);
        };
        let mut stream = column.dictionary().stream()?;
        while stream.advance() {
            let term = std::str::from_utf8(stream.key())
                .ok()
                .and_then(schema::decode_certificate)
                .ok_or_else(|| {
                    TantivyError::InternalError("corrupted certificate column".to_owned())
                })?;
            let code = match decoded.codes.iter().position(|code| *code == term.code) {
                Some(at) => at,
                None => {
                    decoded.codes.push(term.code.clone());
                    decoded.codes.len() - 1
                }
            };
            decoded.terms.push((code as u32, term));
        }
        Ok(decoded)
    }
}
