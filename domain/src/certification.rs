//! Certifications a supplier holds (ISO 13485, GMP/BPF, ...) and whether
//! they count today.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::certificate_events::{CertificateChange, CertificateEvent};
use crate::error::DomainError;
use crate::ids::{CertificationId, OrganisationId, UserId};
use crate::validation::{self, Validated, ValidationErrors, invalid};

/// `iso_13485`, `gmp`: lowercase letters, digits and underscores.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CertificationTypeCode(String);

impl CertificationTypeCode {
    pub fn parse(raw: &str) -> Validated<Self> {
        let code = raw.trim();
        if !code.is_empty()
            && code.len() <= 48
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            Ok(Self(code.to_owned()))
        } else {
            invalid(
                "invalid_code",
                "a certification type code looks like iso_13485",
            )
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificationType {
    pub code: CertificationTypeCode,
    pub fr: String,
    pub en: String,
    pub description_fr: String,
    pub description_en: String,
}

/// Where an expert stands on a declared certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    /// Declared by the supplier, not checked yet: counts, shown as declared.
    Declared,
    /// An expert saw the certificate.
    Verified,
    /// An expert found it invalid: never counts.
    Rejected,
}

impl VerificationStatus {
    pub const ALL: [Self; 3] = [Self::Declared, Self::Verified, Self::Rejected];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Declared => "declared",
            Self::Verified => "verified",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "declared" => Some(Self::Declared),
            "verified" => Some(Self::Verified),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certification {
    pub id: CertificationId,
    pub organisation_id: OrganisationId,
    pub details: CertificationDetails,
    pub status: VerificationStatus,
    pub review_note: Option<String>,
    pub reviewed_by: Option<UserId>,
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Incremented on every change; an expert's verdict names the version
    /// it reviewed (`If-Match`), so a certificate changed since is not the
    /// one verified.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What the supplier declares about a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificationDetails {
    pub type_code: CertificationTypeCode,
    pub scope: String,
    pub certifying_body: String,
    pub valid_from: NaiveDate,
    /// Last day of validity (inclusive).
    pub valid_until: NaiveDate,
    /// Reference of the certificate document (number, file name).
    pub document_ref: Option<String>,
}

fn refuse(status: VerificationStatus, action: &str) -> DomainError {
    DomainError::InvalidState {
        code: format!("certification_{}", status.as_str()),
        message: match status {
            VerificationStatus::Rejected => format!(
                "cannot {action} a rejected certificate: the supplier must correct (re-declare) it first"
            ),
            other => format!("cannot {action} a certificate that is {}", other.as_str()),
        },
    }
}

impl Certification {
    /// The supplier declares a certificate.
    pub fn declare(
        organisation_id: OrganisationId,
        details: CertificationDetails,
        now: DateTime<Utc>,
    ) -> (Self, CertificateEvent) {
        let declared = Self::declared(organisation_id, details, now);
        let event = CertificateEvent::of(&declared, None, CertificateChange::Declared);
        (declared, event)
    }

    /// `admin import-suppliers` loads a certificate: declared, as the
    /// supplier's own declaration would be.
    pub fn import(
        organisation_id: OrganisationId,
        details: CertificationDetails,
        now: DateTime<Utc>,
    ) -> (Self, CertificateEvent) {
        let declared = Self::declared(organisation_id, details, now);
        let event = CertificateEvent::of(&declared, None, CertificateChange::Imported);
        (declared, event)
    }

    /// The supplier withdraws the certificate.
    pub fn delete(&self) -> CertificateEvent {
        CertificateEvent::of(self, Some(self.status), CertificateChange::Deleted)
    }

    /// An import whose file lists other certificates replaces this one.
    pub fn replace_by_import(&self) -> CertificateEvent {
        CertificateEvent::of(self, Some(self.status), CertificateChange::ReplacedByImport)
    }

    /// A certificate just declared (by its supplier or an import): counts
    /// at once, as declared.
    fn declared(
        organisation_id: OrganisationId,
        details: CertificationDetails,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: CertificationId::new(),
            organisation_id,
            details,
            status: VerificationStatus::Declared,
            review_note: None,
            reviewed_by: None,
            reviewed_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    /// The supplier corrects or renews the certificate: whatever an expert
    /// decided was about other details, so it is declared again (a rejected
    /// certificate can be verified only after this).
    pub fn redeclare(
        &mut self,
        details: CertificationDetails,
        now: DateTime<Utc>,
    ) -> CertificateEvent {
        let from = self.status;
        self.details = details;
        self.status = VerificationStatus::Declared;
        self.review_note = None;
        self.reviewed_by = None;
        self.reviewed_at = None;
        self.step(now);
        CertificateEvent::of(self, Some(from), CertificateChange::Redeclared)
    }

    /// An expert saw the document of version `reviewed_version`. Only a
    /// declared certificate is verified: a rejected one must be re-declared
    /// first, a verified one already is.
    pub fn verify(
        &mut self,
        reviewed_version: i64,
        expert: UserId,
        note: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<CertificateEvent, DomainError> {
        self.check_version(reviewed_version)?;
        if self.status != VerificationStatus::Declared {
            return Err(refuse(self.status, "verify"));
        }
        let from = self.decide(VerificationStatus::Verified, expert, note.clone(), now);
        let change = CertificateChange::Verified { comment: note };
        Ok(CertificateEvent::of(self, Some(from), change))
    }

    /// An expert found version `reviewed_version` invalid (a verified
    /// certificate may be rejected later, e.g. when withdrawn by its body).
    pub fn reject(
        &mut self,
        reviewed_version: i64,
        expert: UserId,
        note: String,
        now: DateTime<Utc>,
    ) -> Result<CertificateEvent, DomainError> {
        self.check_version(reviewed_version)?;
        if self.status == VerificationStatus::Rejected {
            return Err(refuse(self.status, "reject"));
        }
        let from = self.decide(
            VerificationStatus::Rejected,
            expert,
            Some(note.clone()),
            now,
        );
        let change = CertificateChange::Rejected { reason: note };
        Ok(CertificateEvent::of(self, Some(from), change))
    }

    /// A proof is added while the certificate awaits (or failed) its
    /// verification; a verified certificate's proofs are what the expert
    /// saw, so it takes none (re-declare it to submit new ones).
    pub fn may_take_proof(&self) -> Result<(), DomainError> {
        if self.status == VerificationStatus::Verified {
            return Err(refuse(self.status, "add a proof to"));
        }
        Ok(())
    }

    fn check_version(&self, reviewed_version: i64) -> Result<(), DomainError> {
        if reviewed_version == self.version {
            Ok(())
        } else {
            Err(DomainError::VersionMismatch {
                current: self.version,
            })
        }
    }

    fn decide(
        &mut self,
        to: VerificationStatus,
        expert: UserId,
        note: Option<String>,
        now: DateTime<Utc>,
    ) -> VerificationStatus {
        let from = self.status;
        self.status = to;
        self.review_note = note;
        self.reviewed_by = Some(expert);
        self.reviewed_at = Some(now);
        self.step(now);
        from
    }

    fn step(&mut self, now: DateTime<Utc>) {
        self.version += 1;
        self.updated_at = now;
    }

    /// Counts for filters and matching on `today`: not rejected and within
    /// its validity dates. Evaluated at query time, so an expired
    /// certificate stops counting without any job running.
    pub fn counts_on(&self, today: NaiveDate) -> bool {
        self.status != VerificationStatus::Rejected
            && self.details.valid_from <= today
            && today <= self.details.valid_until
    }
}

/// Where the certificate document can be read: an `https://` URL with a
/// host, nothing else (no `javascript:`, `data:` or plain `http:` link for
/// an expert or buyer to follow).
fn https_url(raw: &str) -> Validated<String> {
    let refuse = || invalid("https_url_required", "document_ref is an https:// URL");
    let Some(rest) = raw
        .get(..8)
        .filter(|scheme| scheme.eq_ignore_ascii_case("https://"))
        .map(|_| &raw[8..])
    else {
        return refuse();
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_ok = !host.is_empty()
        && !host.contains('@')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:".contains(c));
    if host_ok && !raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Ok(format!("https://{rest}"))
    } else {
        refuse()
    }
}

pub fn parse_date(raw: &str) -> Validated<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .or_else(|_| invalid("invalid_date", "a date is written YYYY-MM-DD"))
}

impl CertificationDetails {
    pub fn parse(
        type_code: &str,
        scope: &str,
        certifying_body: &str,
        valid_from: &str,
        valid_until: &str,
        document_ref: Option<&str>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let type_code = errors.check("type", CertificationTypeCode::parse(type_code));
        let scope = errors.check("scope", validation::text(scope, 1, 500));
        let certifying_body =
            errors.check("certifying_body", validation::text(certifying_body, 1, 200));
        let valid_from = errors.check("valid_from", parse_date(valid_from));
        let valid_until = errors.check("valid_until", parse_date(valid_until));
        let document_ref = errors.check(
            "document_ref",
            validation::optional_text(document_ref, 500)
                .and_then(|r| r.map(|r| https_url(&r)).transpose()),
        );
        if let (Some(from), Some(until)) = (valid_from, valid_until)
            && until < from
        {
            errors.add(
                "valid_until",
                "before_valid_from",
                "the certificate must end after it starts",
            );
        }
        match (
            type_code,
            scope,
            certifying_body,
            valid_from,
            valid_until,
            document_ref,
        ) {
            (
                Some(type_code),
                Some(scope),
                Some(certifying_body),
                Some(valid_from),
                Some(valid_until),
                Some(document_ref),
            ) if errors.is_empty() => Ok(Self {
                type_code,
                scope,
                certifying_body,
                valid_from,
                valid_until,
                document_ref,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn certification(status: VerificationStatus, from: &str, until: &str) -> Certification {
        Certification {
            id: CertificationId::new(),
            organisation_id: OrganisationId::new(),
            details: CertificationDetails::parse(
                "iso_13485",
                "machining",
                "BSI",
                from,
                until,
                None,
            )
            .unwrap(),
            status,
            review_note: None,
            reviewed_by: None,
            reviewed_at: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_verdict_names_the_version_reviewed_and_a_rejected_certificate_is_redeclared_first() {
        let expert = UserId::new();
        let mut cert = certification(VerificationStatus::Declared, "2025-01-01", "2027-12-31");
        let reviewed = cert.version;
        let swapped =
            CertificationDetails::parse("iso_13485", "x", "BSI", "2025-01-01", "2099-12-31", None)
                .unwrap();
        let redeclared = cert.redeclare(swapped.clone(), Utc::now());
        assert_eq!(redeclared.from, Some(VerificationStatus::Declared));
        assert!(matches!(
            cert.verify(reviewed, expert, None, Utc::now()),
            Err(DomainError::VersionMismatch { current }) if current == reviewed + 1
        ));
        assert_eq!(cert.status, VerificationStatus::Declared);

        let current = cert.version;
        let rejected = cert.reject(current, expert, "faux".into(), Utc::now());
        let entry = rejected.unwrap().audit_entry(Some(expert), Utc::now());
        assert_eq!(entry.action, "certification.rejected");
        assert_eq!(entry.note.as_deref(), Some("faux"));
        assert_eq!(
            (entry.from_state.as_deref(), entry.to_state.as_deref()),
            (Some("declared"), Some("rejected"))
        );
        let current = cert.version;
        assert!(matches!(
            cert.verify(current, expert, None, Utc::now()),
            Err(DomainError::InvalidState { code, .. }) if code == "certification_rejected"
        ));
        let redeclared = cert.redeclare(swapped, Utc::now());
        assert_eq!(redeclared.from, Some(VerificationStatus::Rejected));
        let current = cert.version;
        let verified = cert.verify(current, expert, None, Utc::now()).unwrap();
        assert_eq!(verified.from, Some(VerificationStatus::Declared));
        // Without a comment the entry says which certificate it was.
        let entry = verified.audit_entry(Some(expert), Utc::now());
        assert_eq!(
            entry.note,
            Some(format!("iso_13485 of {}", cert.organisation_id))
        );
        assert_eq!(cert.status, VerificationStatus::Verified);
        let current = cert.version;
        assert!(matches!(
            cert.verify(current, expert, None, Utc::now()),
            Err(DomainError::InvalidState { code, .. }) if code == "certification_verified"
        ));
    }

    #[test]
    fn a_certificate_counts_only_within_its_dates_and_unless_rejected() {
        let day = |s| parse_date(s).unwrap();
        let declared = certification(VerificationStatus::Declared, "2025-01-01", "2027-12-31");
        assert!(declared.counts_on(day("2026-06-01")));
        assert!(
            declared.counts_on(day("2027-12-31")),
            "the last day still counts"
        );
        assert!(!declared.counts_on(day("2028-01-01")));
        assert!(!declared.counts_on(day("2024-12-31")));
        let rejected = certification(VerificationStatus::Rejected, "2025-01-01", "2027-12-31");
        assert!(!rejected.counts_on(day("2026-06-01")));
    }

    #[test]
    fn a_document_reference_is_an_https_url() {
        let parse = |r| {
            CertificationDetails::parse(
                "iso_13485",
                "x",
                "BSI",
                "2025-01-01",
                "2027-01-01",
                Some(r),
            )
        };
        assert_eq!(
            parse("HTTPS://docs.example/iso.pdf")
                .unwrap()
                .document_ref
                .as_deref(),
            Some("https://docs.example/iso.pdf")
        );
        for bad in [
            "javascript:alert(1)",
            "http://docs.example/iso.pdf",
            "data:text/html,x",
            "https://",
            "https://user@evil.example/",
            "https://docs.example/a b",
            "GMED-2025-0042",
        ] {
            let errors = parse(bad).unwrap_err();
            assert_eq!(
                (errors.errors()[0].field.as_str(), errors.errors()[0].code),
                ("document_ref", "https_url_required"),
                "{bad}"
            );
        }
    }

    #[test]
    fn dates_must_be_ordered_and_well_formed() {
        let errors =
            CertificationDetails::parse("iso_13485", "x", "BSI", "2026-01-01", "2025-01-01", None)
                .unwrap_err();
        assert_eq!(errors.errors()[0].code, "before_valid_from");
        let errors =
            CertificationDetails::parse("ISO 13485", "x", "BSI", "01/01/2026", "2027-01-01", None)
                .unwrap_err();
        let fields: Vec<_> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["type", "valid_from"]);
    }
}
