//! What happened to a supplier's certificate, as the methods of
//! [`Certification`] report it; the application layer publishes each event
//! as its entry in the certificate's history.

use chrono::{DateTime, Utc};

use crate::audit::AuditEntry;
use crate::certification::{Certification, CertificationTypeCode, VerificationStatus};
use crate::ids::{CertificationId, OrganisationId, UserId};

/// The audit subject of a certificate's history.
pub const SUBJECT: &str = "certification";

#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "an event is the change's audit entry: publish it"]
pub struct CertificateEvent {
    pub certificate: CertificationId,
    pub organisation: OrganisationId,
    pub type_code: CertificationTypeCode,
    /// `None` for a new declaration.
    pub from: Option<VerificationStatus>,
    pub change: CertificateChange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateChange {
    Declared,
    /// Corrected or renewed by the supplier: declared again.
    Redeclared,
    Verified {
        comment: Option<String>,
    },
    Rejected {
        reason: String,
    },
    Deleted,
    /// Loaded by `admin import-suppliers`, as declared.
    Imported,
    /// Deleted by an import whose file lists other certificates.
    ReplacedByImport,
}

impl CertificateEvent {
    pub(crate) fn of(
        certificate: &Certification,
        from: Option<VerificationStatus>,
        change: CertificateChange,
    ) -> Self {
        Self {
            certificate: certificate.id,
            organisation: certificate.organisation_id,
            type_code: certificate.details.type_code.clone(),
            from,
            change,
        }
    }

    /// The entry of the certificate's history. Unless the expert commented,
    /// a change says which certificate of which organisation it was about;
    /// a deletion says nothing more than the state it ended.
    pub fn audit_entry(&self, actor: Option<UserId>, at: DateTime<Utc>) -> AuditEntry {
        let (action, to, comment) = match &self.change {
            CertificateChange::Declared => ("certification.declared", "declared", None),
            CertificateChange::Redeclared => ("certification.updated", "declared", None),
            CertificateChange::Verified { comment } => {
                ("certification.verified", "verified", comment.clone())
            }
            CertificateChange::Rejected { reason } => {
                ("certification.rejected", "rejected", Some(reason.clone()))
            }
            CertificateChange::Imported => ("certification.imported", "declared", None),
            CertificateChange::Deleted | CertificateChange::ReplacedByImport => {
                let deleted = AuditEntry::new(
                    actor,
                    "certification.deleted",
                    SUBJECT,
                    self.certificate,
                    at,
                )
                .transition(self.from.map(VerificationStatus::as_str), "deleted");
                return match self.change {
                    CertificateChange::ReplacedByImport => {
                        deleted.note(Some("replaced by an import".to_owned()), false)
                    }
                    _ => deleted,
                };
            }
        };
        let note = comment
            .unwrap_or_else(|| format!("{} of {}", self.type_code.as_str(), self.organisation));
        AuditEntry::new(actor, action, SUBJECT, self.certificate, at)
            .transition(self.from.map(VerificationStatus::as_str), to)
            .note(Some(note), false)
    }
}
