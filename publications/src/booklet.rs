//! What a booklet holds: plain data the api layer builds from published
//! profiles. Codes are kept beside labels so the indexes group by code
//! (two capabilities may share a label in one language).

use chrono::NaiveDate;
use domain::account::Language;
use domain::profile::Sector;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Booklet {
    pub language: Language,
    /// The day the certificates were checked on, printed on the cover.
    pub edition_date: NaiveDate,
    /// The filters the reader asked for, labelled, for the cover.
    pub filters: Vec<FilterLabel>,
    /// Capability families in taxonomy order; each supplier appears once,
    /// under its main family (see the api's selection).
    pub families: Vec<BookletFamily>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum FilterLabel {
    Sector(Sector),
    /// The family's label.
    Family(String),
    MembersOnly,
    Region(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct BookletFamily {
    pub code: String,
    pub label: String,
    pub suppliers: Vec<BookletSupplier>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BookletSupplier {
    pub name: String,
    pub city: String,
    pub region: String,
    pub member: bool,
    /// In the booklet's language (the other one when that one is empty).
    pub description: String,
    pub capabilities: Vec<BookletCapability>,
    /// Only those valid on the edition date.
    pub certifications: Vec<BookletCertificate>,
    pub sectors: Vec<Sector>,
    pub equipment: Vec<String>,
    /// ISO 639-1 codes.
    pub working_languages: Vec<String>,
    /// The public contact only; never a private contact.
    pub contact_email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BookletCapability {
    pub code: String,
    pub label: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BookletCertificate {
    pub code: String,
    pub label: String,
    pub scope: String,
    pub certifying_body: String,
    pub valid_until: NaiveDate,
    /// Checked by the cluster's experts (else declared by the supplier).
    pub verified: bool,
}
