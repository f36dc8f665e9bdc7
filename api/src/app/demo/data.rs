//! The demo data set: fictional organisations of the regional health-tech
//! supply chain and the sourcing requests between them, kept as JSON next to
//! this module (`buyers.json`, `suppliers.json`, `requests.json`) and read
//! into these types. Dates are not in the files: they are offsets from the
//! server's clock at seeding time, so certificates expire and deadlines fall
//! relative to the day the demo is loaded.

use domain::sourcing::RequestStatus;
use serde::Deserialize;

/// An organisation and its owner's account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub name: String,
    /// French organisations only.
    pub siret: Option<String>,
    /// Organisations abroad: ISO 3166 country and national registration number.
    pub country: Option<String>,
    pub registration_number: Option<String>,
    /// `street, postal_code city`.
    pub address: String,
    /// The owner's login; a supplier's public contact too.
    pub email: String,
    pub person: String,
    /// The owner's language (emails): `fr` unless said.
    pub language: Option<String>,
    /// A member of the cluster.
    pub member: bool,
}

/// Where an organisation is, split from its one-line address.
pub struct Place<'a> {
    pub street: &'a str,
    pub postal_code: &'a str,
    pub city: &'a str,
    /// The French department (first digits of the postal code); empty abroad.
    pub department: &'a str,
    pub region: &'a str,
}

impl Organisation {
    pub fn place(&self) -> Option<Place<'_>> {
        let (street, rest) = self.address.rsplit_once(", ")?;
        let (postal_code, city) = rest.split_once(' ')?;
        let department = match self.country.as_deref() {
            None | Some("FR") => postal_code.get(..2)?,
            Some(_) => "",
        };
        let region = match (self.country.as_deref(), department) {
            (Some("CH"), _) => "Canton de Neuchâtel",
            (_, "21" | "25" | "39" | "58" | "70" | "71" | "89" | "90") => "Bourgogne-Franche-Comté",
            (_, "01" | "38" | "69") => "Auvergne-Rhône-Alpes",
            (_, "67" | "68") => "Grand Est",
            (_, "75") => "Île-de-France",
            _ => return None,
        };
        Some(Place {
            street,
            postal_code,
            city,
            department,
            region,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Supplier {
    pub organisation: Organisation,
    /// The owner's role, shown to experts with the private contact.
    pub role: String,
    pub headcount: String,
    pub sectors: Vec<String>,
    pub languages: Vec<String>,
    /// Taxonomy code and detail (empty for none).
    pub capabilities: Vec<(String, String)>,
    pub equipment: Vec<String>,
    pub certificates: Vec<Certificate>,
    /// Descriptions; one of them may be empty.
    pub fr: String,
    pub en: String,
    /// Where the profile's review stands.
    #[serde(default)]
    pub review: Review,
    /// The expert's comment when changes are requested.
    pub review_comment: Option<String>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    #[default]
    Published,
    Submitted,
    ChangesRequested,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    #[serde(rename = "type")]
    pub type_code: String,
    pub body: String,
    pub scope: String,
    pub status: CertificateStatus,
    /// The expert's note (required for a rejection).
    pub note: Option<String>,
    /// Ends this many days after seeding (a reminder is due).
    pub expires_in_days: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    Declared,
    Verified,
    Rejected,
}

/// A request walked through the workflow up to `status`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The buyer's email.
    pub buyer: String,
    pub status: RequestStatus,
    pub deadline_in_days: i64,
    pub delivery_in_days: Option<i64>,
    /// The comment of the step that reached `status`.
    pub comment: Option<String>,
    #[serde(default)]
    pub matches: Vec<Match>,
    #[serde(default)]
    pub questions: Vec<Question>,
    #[serde(default)]
    pub quotes: Vec<Quote>,
    #[serde(default)]
    pub declines: Vec<Decline>,
    /// Emails of the suppliers awarded.
    #[serde(default)]
    pub awarded: Vec<String>,
    /// The requirements an expert sets while qualifying, as
    /// `PUT /api/v1/requests/{id}/requirements` takes them.
    pub recode: Option<serde_json::Value>,
    /// The need as `POST /api/v1/requests` takes it, less its two dates.
    pub need: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Match {
    pub supplier: String,
    #[serde(default)]
    pub decision: Decision,
    /// Why a supplier lacking a mandatory certificate is proposed anyway.
    #[serde(rename = "override")]
    pub override_reason: Option<String>,
    pub note: Option<String>,
    pub note_for_buyer: Option<String>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    #[default]
    Approved,
    Discarded,
    /// Left for an expert to vet.
    Proposed,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub supplier: String,
    pub question: String,
    /// By the buyer.
    pub answer: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quote {
    pub supplier: String,
    pub amount: String,
    pub lead_time_days: i64,
    pub message: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decline {
    pub supplier: String,
    pub reason: String,
}

pub struct DemoData {
    pub buyers: Vec<Organisation>,
    pub suppliers: Vec<Supplier>,
    pub requests: Vec<Request>,
}

pub fn load() -> Result<DemoData, String> {
    fn parse<T: serde::de::DeserializeOwned>(name: &str, json: &str) -> Result<T, String> {
        serde_json::from_str(json).map_err(|e| format!("{name}: {e}"))
    }
    Ok(DemoData {
        buyers: parse("buyers.json", include_str!("buyers.json"))?,
        suppliers: parse("suppliers.json", include_str!("suppliers.json"))?,
        requests: parse("requests.json", include_str!("requests.json"))?,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use domain::organisation::LegalIdentity;

    use super::*;

    fn data() -> DemoData {
        load().expect("the demo files parse")
    }

    fn organisations(data: &DemoData) -> impl Iterator<Item = &Organisation> {
        data.buyers
            .iter()
            .chain(data.suppliers.iter().map(|s| &s.organisation))
    }

    #[test]
    fn every_organisation_has_a_valid_identity_a_known_region_and_its_own_email() {
        let data = data();
        let mut emails = HashSet::new();
        let mut identities = HashSet::new();
        for org in organisations(&data) {
            let identity = LegalIdentity::parse(
                org.country.as_deref(),
                org.siret.as_deref(),
                org.registration_number.as_deref(),
            );
            assert!(identity.is_ok(), "{}: {identity:?}", org.name);
            assert!(org.place().is_some(), "{}: address or region", org.name);
            assert!(org.email.ends_with(".example"), "{}", org.email);
            assert!(emails.insert(&org.email), "{} twice", org.email);
            assert!(
                identities.insert((&org.siret, &org.registration_number)),
                "{}: identity twice",
                org.name
            );
        }
    }

    #[test]
    fn the_demo_looks_like_the_cluster() {
        let data = data();
        let published: Vec<&Supplier> = data
            .suppliers
            .iter()
            .filter(|s| s.review == Review::Published)
            .collect();
        assert!(published.len() >= 40);
        let members = published.iter().filter(|s| s.organisation.member).count();
        assert!(members > 10 && published.len() - members > 10);
        let outside = published
            .iter()
            .filter_map(|s| s.organisation.place())
            .filter(|p| p.region != "Bourgogne-Franche-Comté")
            .count();
        assert!((3..=8).contains(&outside), "{outside} outside the region");
        assert!(data.buyers.len() >= 5);
        let statuses: HashSet<RequestStatus> = data.requests.iter().map(|r| r.status).collect();
        assert_eq!(statuses.len(), RequestStatus::ALL.len());
    }

    #[test]
    fn requests_name_demo_accounts() {
        let data = data();
        let buyers: HashSet<&str> = data.buyers.iter().map(|b| b.email.as_str()).collect();
        let suppliers: HashSet<&str> = data
            .suppliers
            .iter()
            .filter(|s| s.review == Review::Published)
            .map(|s| s.organisation.email.as_str())
            .collect();
        for request in &data.requests {
            assert!(buyers.contains(request.buyer.as_str()), "{}", request.buyer);
            let named = request
                .matches
                .iter()
                .map(|m| &m.supplier)
                .chain(request.questions.iter().map(|q| &q.supplier))
                .chain(request.quotes.iter().map(|q| &q.supplier))
                .chain(request.declines.iter().map(|d| &d.supplier))
                .chain(&request.awarded);
            for supplier in named {
                assert!(suppliers.contains(supplier.as_str()), "{supplier}");
            }
        }
    }
}
