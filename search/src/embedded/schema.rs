//! The tantivy schema: folded full-text fields for search, each with a twin of
//! its words' stems, raw keyword fields for filters, columns (fast fields) for
//! facets, certificate validity and sorting, and the whole document stored as
//! JSON for highlights and candidate ranking.

use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{analyse, stem};
use crate::document::{CertificationDoc, SupplierDocument};
use crate::error::IndexError;

/// Name under which [`crate::analysis::analyzer`] is registered on the index.
/// Tokenizers are not persisted by tantivy, so it is registered again at every open.
pub(super) const TOKENIZER: &str = "folded";

/// Bumped whenever the schema or the analysis changes: each version lives in its
/// own subdirectory, and a new one is filled by a reindex.
pub(super) const VERSION: &str = "v5";

/// Names of the columns a search reads (see [`super::page`]).
pub(super) const CAPABILITY_CODES: &str = "capability_codes";
pub(super) const SECTORS: &str = "sectors";
pub(super) const REGION: &str = "region";
pub(super) const MEMBER: &str = "member";
/// One value per certificate (see [`decode_certificate`]).
pub(super) const CERTIFICATES: &str = "certificates";
/// The name in lower case, for [`crate::SortOrder::NameAsc`].
pub(super) const NAME_SORT: &str = "name_sort";
pub(super) const UPDATED_AT: &str = "updated_at";
/// The id's 128 bits in two columns: ties in every order are broken by id.
pub(super) const ID_HIGH: &str = "id_high";
pub(super) const ID_LOW: &str = "id_low";

/// Searchable fields with the weight of a match in them and the texts of a
/// profile they hold: what a supplier does (its name, its capabilities) says
/// more than a word deep in a description. Close to each other, so that
/// matching more of the query's words counts more than where one word
/// matched (Meilisearch's `words` before `attribute`). The French description
/// weighs a little more than the English one, often its shorter translation:
/// measured on the labelled sets, both at 0.85 or both at 0.8 lose up to
/// 0.013 of sentence nDCG@10.
pub(super) const SEARCHABLE: [(&str, f32, Texts); 7] = [
    ("name", 1.0, |doc| vec![&doc.name]),
    ("capability_labels", 1.0, |doc| {
        doc.capability_labels.iter().collect()
    }),
    ("capability_details", 0.8, |doc| {
        doc.capability_details.iter().collect()
    }),
    ("description_fr", 0.85, |doc| vec![&doc.description_fr]),
    ("description_en", 0.8, |doc| vec![&doc.description_en]),
    ("equipment", 0.7, |doc| doc.equipment.iter().collect()),
    ("city", 0.5, |doc| vec![&doc.city]),
];

/// The texts of a profile a searchable field holds.
pub(super) type Texts = fn(&SupplierDocument) -> Vec<&String>;

#[derive(Debug, Clone)]
pub(super) struct Fields {
    pub id: Field,
    pub document: Field,
    /// In the order of [`SEARCHABLE`]: the folded words, the field of their
    /// stems, and the weight.
    pub searchable: Vec<Searchable>,
    pub capability_codes: Field,
    pub certification_codes: Field,
    pub sectors: Field,
    pub region: Field,
    pub member: Field,
    certificates: Field,
    name_sort: Field,
    updated_at: Field,
    id_high: Field,
    id_low: Field,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Searchable {
    pub words: Field,
    pub stems: Field,
    pub weight: f32,
    texts: Texts,
}

pub(super) fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let searchable = SEARCHABLE
        .iter()
        .map(|(name, weight, texts)| Searchable {
            words: builder.add_text_field(name, text.clone()),
            stems: builder.add_text_field(&format!("{name}_stems"), text.clone()),
            weight: *weight,
            texts: *texts,
        })
        .collect();
    let fields = Fields {
        id: builder.add_text_field("id", STRING),
        document: builder.add_text_field("document", STORED),
        searchable,
        capability_codes: builder.add_text_field(CAPABILITY_CODES, STRING | FAST),
        certification_codes: builder.add_text_field("certification_codes", STRING),
        sectors: builder.add_text_field(SECTORS, STRING | FAST),
        region: builder.add_text_field(REGION, STRING | FAST),
        member: builder.add_bool_field(MEMBER, INDEXED | FAST),
        certificates: builder.add_text_field(CERTIFICATES, FAST),
        name_sort: builder.add_text_field(NAME_SORT, FAST),
        updated_at: builder.add_i64_field(UPDATED_AT, FAST),
        id_high: builder.add_u64_field(ID_HIGH, FAST),
        id_low: builder.add_u64_field(ID_LOW, FAST),
    };
    (builder.build(), fields)
}

impl Fields {
    pub(super) fn tantivy_document(
        &self,
        doc: &SupplierDocument,
        analyzer: &mut TextAnalyzer,
    ) -> Result<TantivyDocument, IndexError> {
        let json = serde_json::to_string(doc)
            .map_err(|err| IndexError::Internal(format!("cannot serialise document: {err}")))?;
        let mut out = TantivyDocument::default();
        out.add_text(self.id, doc.id.to_string());
        out.add_text(self.document, json);
        for field in &self.searchable {
            for value in (field.texts)(doc) {
                out.add_text(field.words, value);
                let stems: Vec<String> = analyse(analyzer, value)
                    .iter()
                    .map(|word| stem(word))
                    .collect();
                out.add_text(field.stems, stems.join(" "));
            }
        }
        for code in &doc.capability_codes {
            out.add_text(self.capability_codes, code);
        }
        // Only presence is indexed: validity depends on the query's clock and is
        // checked on the stored certificates.
        for cert in &doc.certifications {
            out.add_text(self.certification_codes, &cert.code);
            out.add_text(self.certificates, encode_certificate(cert));
        }
        for sector in &doc.sectors {
            out.add_text(self.sectors, sector);
        }
        out.add_text(self.region, &doc.region);
        out.add_bool(self.member, doc.member);
        out.add_text(self.name_sort, doc.name.to_lowercase());
        out.add_i64(self.updated_at, doc.updated_at);
        let (high, low) = doc.id.as_u64_pair();
        out.add_u64(self.id_high, high);
        out.add_u64(self.id_low, low);
        Ok(out)
    }

    pub(super) fn stored_supplier(
        &self,
        doc: &TantivyDocument,
    ) -> Result<SupplierDocument, IndexError> {
        use tantivy::schema::Value;
        let json = doc
            .get_first(self.document)
            .and_then(|value| value.as_str())
            .ok_or_else(|| IndexError::Internal("stored document missing".to_owned()))?;
        serde_json::from_str(json)
            .map_err(|err| IndexError::Internal(format!("corrupted stored document: {err}")))
    }
}

/// Separates the parts of a certificate's value in the certificates column;
/// no code contains it.
const SEPARATOR: char = '\u{1f}';

/// A certificate as one value of the certificates column, so that its
/// validity at the query's clock is decided from the column alone.
fn encode_certificate(cert: &CertificationDoc) -> String {
    format!(
        "{}{SEPARATOR}{}{SEPARATOR}{}{SEPARATOR}{}",
        cert.code,
        u8::from(cert.verified),
        cert.valid_from,
        cert.valid_until
    )
}

/// The certificate of a value of the certificates column.
pub(super) fn decode_certificate(text: &str) -> Option<CertificationDoc> {
    let mut parts = text.rsplitn(4, SEPARATOR);
    let valid_until = parts.next()?.parse().ok()?;
    let valid_from = parts.next()?.parse().ok()?;
    let verified = match parts.next()? {
        "0" => false,
        "1" => true,
        _ => return None,
    };
    Some(CertificationDoc {
        code: parts.next()?.to_owned(),
        verified,
        valid_from,
        valid_until,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_reads_back_from_its_column_value() {
        let cert = CertificationDoc {
            code: "iso_13485".to_owned(),
            verified: true,
            valid_from: -5,
            valid_until: 1_790_000_000,
        };
        assert_eq!(decode_certificate(&encode_certificate(&cert)), Some(cert));
        assert_eq!(decode_certificate("iso_13485"), None);
    }
}
