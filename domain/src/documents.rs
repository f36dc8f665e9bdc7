//! Documents: drawings, specifications, quotes and certificate proofs that
//! users upload. The rules here decide what a file is (from its bytes, not
//! from what the client says), what its name may show, whom it belongs to,
//! what it may be attached to and who reads it; the bytes themselves live
//! in the `storage` crate.

use chrono::{DateTime, Utc};

use crate::audit::AuditEntry;
use crate::auth::Actor;
use crate::certification::VerificationStatus;
use crate::error::DomainError;
use crate::ids::{
    CertificationId, FileId, OrganisationId, QuestionId, QuoteId, SourcingRequestId, UserId,
};
use crate::sourcing::access::RequestAccess;

/// The audit subject of a file's own history.
pub const SUBJECT: &str = "file";

/// How long an uploaded file waits to be attached before the cleaning job
/// removes it.
pub const UNATTACHED_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// How many bytes of a file's start [`DocumentType::detect`] needs: enough
/// for the entries of an Office document's ZIP directory.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// The kinds of document accepted, recognised from their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentType {
    Pdf,
    Png,
    Jpeg,
    /// STEP (ISO 10303-21), the exchange format of 3D CAD.
    Step,
    /// IGES, the older CAD exchange format.
    Iges,
    /// STL, 3D printing meshes (ASCII or binary).
    Stl,
    /// DXF, AutoCAD's 2D exchange format (ASCII or binary).
    Dxf,
    Docx,
    Xlsx,
    Zip,
}

impl DocumentType {
    pub const ALL: &[Self] = &[
        Self::Pdf,
        Self::Png,
        Self::Jpeg,
        Self::Step,
        Self::Iges,
        Self::Stl,
        Self::Dxf,
        Self::Docx,
        Self::Xlsx,
        Self::Zip,
    ];

    /// The media type served with the file.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Step => "model/step",
            Self::Iges => "model/iges",
            Self::Stl => "model/stl",
            Self::Dxf => "image/vnd.dxf",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Zip => "application/zip",
        }
    }

    pub fn parse_media_type(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.media_type() == text)
    }

    /// What the bytes are, from `head` (the first [`SNIFF_BYTES`] or the
    /// whole file) and the file's size; `None` for anything not accepted
    /// (an executable, a script, HTML, an unknown format), whatever its name.
    pub fn detect(head: &[u8], size: u64) -> Option<Self> {
        // Binary formats with a signature first.
        if head.starts_with(b"%PDF-") {
            return Some(Self::Pdf);
        }
        if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Some(Self::Png);
        }
        if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            return Some(Self::Jpeg);
        }
        if head.starts_with(b"PK\x03\x04") {
            return Some(zip_kind(head));
        }
        if head.starts_with(b"AutoCAD Binary DXF\r\n\x1a\x00") {
            return Some(Self::Dxf);
        }
        let text = text_head(head);
        if text.starts_with("ISO-10303-21;") {
            return Some(Self::Step);
        }
        if is_iges(head) {
            return Some(Self::Iges);
        }
        if is_dxf(&text) {
            return Some(Self::Dxf);
        }
        if text.starts_with("solid") && text.contains("facet") {
            return Some(Self::Stl);
        }
        if is_binary_stl(head, size) {
            return Some(Self::Stl);
        }
        None
    }
}

/// The start of a text file, after a UTF-8 byte order mark and leading
/// blanks.
fn text_head(head: &[u8]) -> String {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    String::from_utf8_lossy(&head[..head.len().min(4096)])
        .trim_start()
        .to_owned()
}

/// Office documents are ZIP archives whose first entries name their kind.
fn zip_kind(head: &[u8]) -> DocumentType {
    let contains = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if contains(b"[Content_Types].xml") || contains(b"_rels/.rels") {
        if contains(b"word/") {
            return DocumentType::Docx;
        }
        if contains(b"xl/") {
            return DocumentType::Xlsx;
        }
    }
    DocumentType::Zip
}

/// IGES: 80-column lines, the first of the start section (`S` in column 73).
fn is_iges(head: &[u8]) -> bool {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    line.len() == 80
        && line[72] == b'S'
        && line[73..].iter().all(|b| b.is_ascii_digit() || *b == b' ')
        && line.is_ascii()
}

/// ASCII DXF: group code 0 then `SECTION` (comments, group 999, may come first).
fn is_dxf(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim);
    loop {
        match (lines.next(), lines.next()) {
            (Some("999"), Some(_)) => {}
            (Some("0"), Some("SECTION")) => return true,
            _ => return false,
        }
    }
}

/// Binary STL: an 80-byte header, a triangle count, then 50 bytes per
/// triangle; only the total size proves it.
fn is_binary_stl(head: &[u8], size: u64) -> bool {
    let Some(count) = head.get(80..84) else {
        return false;
    };
    let triangles = u32::from_le_bytes([count[0], count[1], count[2], count[3]]);
    triangles > 0 && size == 84 + 50 * u64::from(triangles)
}

/// A file's name as shown and offered for download: the last path segment
/// only, without control, bidirectional or invisible characters, not a
/// reserved device name, at most [`DisplayName::MAX_CHARS`] characters
/// (its extension kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 200;
    const FALLBACK: &'static str = "document";

    /// Never fails: a name that keeps nothing becomes `document`.
    pub fn sanitise(raw: &str) -> Self {
        let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
        let cleaned: String = last
            .chars()
            .filter(|&c| {
                !c.is_control()
                    && !crate::validation::is_bidi_control(c)
                    && !crate::validation::is_invisible(c)
            })
            .map(|c| {
                if matches!(c, '"' | ':' | '*' | '?' | '<' | '>' | '|') {
                    '_'
                } else {
                    c
                }
            })
            .collect();
        // Leading dots hide a file or climb (`..`); trailing dots and spaces
        // vanish on Windows.
        let trimmed = cleaned
            .trim_matches(|c: char| c.is_whitespace())
            .trim_start_matches('.')
            .trim_end_matches(['.', ' '])
            .to_owned();
        let mut name = if trimmed.is_empty() {
            Self::FALLBACK.to_owned()
        } else {
            trimmed
        };
        if is_reserved_device(&name) {
            name.insert(0, '_');
        }
        Self(shorten(&name, Self::MAX_CHARS))
    }

    /// A name read back from the database (sanitised when it was saved).
    pub fn from_stored(name: String) -> Self {
        Self(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Windows' device names, which no file may be called, extension or not.
fn is_reserved_device(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default().trim_end();
    let upper = stem.to_ascii_uppercase();
    matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.len() == 4
            && upper.as_bytes()[3].is_ascii_digit())
}

/// At most `max` characters, the extension (up to 10 characters) kept.
fn shorten(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        return name.to_owned();
    }
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext)
        .filter(|ext| !ext.is_empty() && ext.chars().count() <= 10);
    match extension {
        Some(ext) => {
            let keep = max - ext.chars().count() - 1;
            let stem: String = name.chars().take(keep).collect();
            format!("{stem}.{ext}")
        }
        None => name.chars().take(max).collect(),
    }
}

/// What a file is attached to. A file is attached once: it never moves to
/// another object (upload it again for that).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attachment {
    /// A request's drawings and specifications, attached by its buyer.
    Request(SourcingRequestId),
    /// A quote revision's documents, attached by the supplier submitting it.
    Quote(QuoteId),
    /// The documents given with the answer to a clarification question.
    Answer(QuestionId),
    /// A certificate's proof, which the expert reads before verifying it.
    Certificate(CertificationId),
    /// A supplier profile's logo or brochure.
    Profile(OrganisationId, ProfileDocument),
}

/// The documents a supplier profile shows, one of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileDocument {
    Logo,
    Brochure,
}

impl Attachment {
    /// The stored kind; a profile's document says which one it is.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Request(_) => "request",
            Self::Quote(_) => "quote",
            Self::Answer(_) => "answer",
            Self::Certificate(_) => "certificate",
            Self::Profile(_, ProfileDocument::Logo) => "profile_logo",
            Self::Profile(_, ProfileDocument::Brochure) => "profile_brochure",
        }
    }

    pub fn target_id(self) -> String {
        match self {
            Self::Request(id) => id.to_string(),
            Self::Quote(id) => id.to_string(),
            Self::Answer(id) => id.to_string(),
            Self::Certificate(id) => id.to_string(),
            Self::Profile(id, _) => id.to_string(),
        }
    }

    /// Reads back a stored kind and target; `None` for an unknown kind or
    /// a target that is not a UUID.
    pub fn parse(kind: &str, target: &str) -> Option<Self> {
        let uuid = uuid::Uuid::parse_str(target).ok()?;
        Some(match kind {
            "request" => Self::Request(uuid.into()),
            "quote" => Self::Quote(uuid.into()),
            "answer" => Self::Answer(uuid.into()),
            "certificate" => Self::Certificate(uuid.into()),
            "profile_logo" => Self::Profile(uuid.into(), ProfileDocument::Logo),
            "profile_brochure" => Self::Profile(uuid.into(), ProfileDocument::Brochure),
            _ => return None,
        })
    }

    /// Whether the object it is attached to has fixed its files for good:
    /// what a buyer compared, what an expert verified, what every invited
    /// supplier read must stay what they saw. `certificate` is the status of
    /// the certificate when the file is one's proof.
    pub fn seal(self, certificate: Option<VerificationStatus>) -> Option<Seal> {
        match self {
            Self::Quote(_) => Some(Seal::SubmittedQuote),
            Self::Answer(_) => Some(Seal::GivenAnswer),
            Self::Certificate(_) if certificate == Some(VerificationStatus::Verified) => {
                Some(Seal::VerifiedCertificate)
            }
            Self::Request(_) | Self::Certificate(_) | Self::Profile(..) => None,
        }
    }
}

/// Why a file can no longer be detached, replaced or deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seal {
    /// Quotes are submitted as they are saved: a revision attaches new files.
    SubmittedQuote,
    /// An answer is given once, to every invited supplier.
    GivenAnswer,
    VerifiedCertificate,
}

impl Seal {
    fn refusal(self) -> DomainError {
        let message = match self {
            Self::SubmittedQuote => {
                "this file belongs to a submitted quote revision; revise the quote to attach a new file"
            }
            Self::GivenAnswer => "this file belongs to an answer already given to the suppliers",
            Self::VerifiedCertificate => {
                "this file is the proof of a verified certificate; it stays as the expert saw it"
            }
        };
        DomainError::Conflict {
            code: "file_immutable",
            message: message.to_owned(),
        }
    }
}

/// An uploaded file, as kept in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub id: FileId,
    /// The uploader's organisation: it owns the file until it is attached,
    /// and its quota counts it.
    pub organisation: OrganisationId,
    pub uploaded_by: UserId,
    pub name: DisplayName,
    pub document_type: DocumentType,
    pub size_bytes: u64,
    /// Lowercase hexadecimal SHA-256 of the bytes: integrity, and the ETag.
    pub sha256: String,
    /// Where the bytes are: a generated key, never derived from input.
    pub storage_key: String,
    pub attachment: Option<Attachment>,
    pub created_at: DateTime<Utc>,
}

impl StoredFile {
    /// Only the uploader's organisation attaches a file, and only once.
    pub fn attach(&mut self, actor: &Actor, to: Attachment) -> Result<DocumentEvent, DomainError> {
        if !actor.belongs_to(self.organisation) {
            return Err(DomainError::NotFound("file"));
        }
        if self.attachment.is_some() {
            return Err(DomainError::Conflict {
                code: "file_attached",
                message: "this file is attached already; upload it again to attach it elsewhere"
                    .to_owned(),
            });
        }
        self.attachment = Some(to);
        Ok(DocumentEvent::Attached {
            file: self.id,
            name: self.name.clone(),
            to,
        })
    }

    /// Its organisation deletes it (or replaces it, for a profile's logo or
    /// brochure) unless what holds it sealed it (see [`Attachment::seal`]).
    /// A request's files also follow the request's editing rules, which
    /// the caller checks.
    pub fn remove(
        &self,
        actor: &Actor,
        seal: Option<Seal>,
        reason: RemovalReason,
    ) -> Result<DocumentEvent, DomainError> {
        if !actor.belongs_to(self.organisation) {
            return Err(DomainError::NotFound("file"));
        }
        if let Some(seal) = seal {
            return Err(seal.refusal());
        }
        Ok(DocumentEvent::Removed {
            file: self.id,
            reason,
        })
    }

    /// Whether the cleaning job removes it: never attached, and older than
    /// [`UNATTACHED_LIFETIME`].
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.attachment.is_none() && now - self.created_at >= UNATTACHED_LIFETIME
    }
}

/// What decides who reads a file: the object it is attached to.
#[derive(Debug, Clone, Copy)]
pub enum ReadContext {
    /// Not attached yet: its organisation's users only.
    Unattached,
    /// Attached to a request, or to the answer to one of its questions:
    /// `access` is the reader's access to the request (see
    /// [`RequestAccess::of`]), `nda_pending` whether the reader is an
    /// invited supplier that has not accepted the request's NDA yet.
    Request {
        access: Option<RequestAccess>,
        nda_pending: bool,
    },
    /// Attached to a quote revision: `access` as for a request,
    /// `quoted_by_reader` whether the reader's organisation submitted it.
    Quote {
        access: Option<RequestAccess>,
        quoted_by_reader: bool,
    },
    /// A certificate's proof: its organisation and the experts.
    Certificate,
    /// A profile's logo or brochure: public once the profile is.
    Profile { published: bool },
}

impl StoredFile {
    /// Who downloads the file: the readers of what it is attached to. A
    /// confidential request's files go to its buyer, the experts and the
    /// invited suppliers (after the NDA when one is required); a quote's
    /// to the request's buyer, the experts and the supplier that quoted,
    /// never a competitor; anyone else is told the file does not exist.
    pub fn may_read(&self, actor: &Actor, context: ReadContext) -> Result<(), DomainError> {
        let own = actor.belongs_to(self.organisation);
        match context {
            ReadContext::Unattached if own => Ok(()),
            ReadContext::Request {
                access: Some(RequestAccess::InvitedSupplier),
                nda_pending: true,
            } => Err(DomainError::NdaRequired),
            ReadContext::Request {
                access: Some(_), ..
            } => Ok(()),
            ReadContext::Quote {
                access: Some(RequestAccess::Buyer | RequestAccess::BackOffice),
                ..
            }
            | ReadContext::Quote {
                access: Some(RequestAccess::InvitedSupplier),
                quoted_by_reader: true,
            } => Ok(()),
            ReadContext::Certificate if own || actor.is_back_office() => Ok(()),
            ReadContext::Profile { published } if own || published || actor.is_back_office() => {
                Ok(())
            }
            _ => Err(DomainError::NotFound("file")),
        }
    }
}

/// Checks that `incoming` more bytes fit the organisation's quota.
pub fn check_quota(used: u64, incoming: u64, limit: u64) -> Result<(), DomainError> {
    if used.checked_add(incoming).is_none_or(|total| total > limit) {
        Err(DomainError::QuotaExceeded {
            used,
            incoming,
            limit,
        })
    } else {
        Ok(())
    }
}

/// What happened to a file, for its history.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "an event is the step's audit entry: publish it"]
pub enum DocumentEvent {
    Uploaded {
        file: FileId,
        name: DisplayName,
        document_type: DocumentType,
        size_bytes: u64,
    },
    Attached {
        file: FileId,
        name: DisplayName,
        to: Attachment,
    },
    /// Removed: never attached in time, its request's draft cancelled, or
    /// deleted or replaced by its organisation.
    Removed { file: FileId, reason: RemovalReason },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalReason {
    NeverAttached,
    DraftCancelled,
    /// Its organisation deleted it.
    Deleted,
    /// A profile's new logo or brochure took its place.
    Replaced,
    /// Its (unverified) certificate was deleted.
    CertificateDeleted,
}

impl RemovalReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NeverAttached => "never attached within 24 hours",
            Self::DraftCancelled => "its draft request was cancelled",
            Self::Deleted => "deleted by its organisation",
            Self::Replaced => "replaced by a new file",
            Self::CertificateDeleted => "its certificate was deleted",
        }
    }
}

impl DocumentEvent {
    pub fn audit_entry(&self, actor: Option<UserId>, at: DateTime<Utc>) -> AuditEntry {
        match self {
            Self::Uploaded {
                file,
                name,
                document_type,
                size_bytes,
            } => AuditEntry::new(actor, "file.uploaded", SUBJECT, file, at).note(
                Some(format!(
                    "{} ({}, {size_bytes} bytes)",
                    name.as_str(),
                    document_type.media_type()
                )),
                false,
            ),
            Self::Attached { file, name, to } => {
                AuditEntry::new(actor, "file.attached", SUBJECT, file, at).note(
                    Some(format!(
                        "{} attached to {} {}",
                        name.as_str(),
                        to.kind(),
                        to.target_id()
                    )),
                    false,
                )
            }
            Self::Removed { file, reason } => {
                AuditEntry::new(actor, "file.removed", SUBJECT, file, at)
                    .note(Some(reason.as_str().to_owned()), false)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(
            DocumentType::detect(b"%PDF-1.7\n...", 12),
            Some(DocumentType::Pdf)
        );
        assert_eq!(
            DocumentType::detect(b"\x89PNG\r\n\x1a\n\0\0", 10),
            Some(DocumentType::Png)
        );
        assert_eq!(
            DocumentType::detect(b"ISO-10303-21;\nHEADER;", 21),
            Some(DocumentType::Step)
        );
        assert_eq!(
            DocumentType::detect(b"solid part\n facet normal 0 0 1\n", 32),
            Some(DocumentType::Stl)
        );
        assert_eq!(
            DocumentType::detect(b"  0\nSECTION\n  2\nHEADER\n", 24),
            Some(DocumentType::Dxf)
        );
        let mut iges = format!("{:<72}S{:>7}\n", "IGES file", 1).into_bytes();
        iges.extend_from_slice(b"...");
        assert_eq!(DocumentType::detect(&iges, 84), Some(DocumentType::Iges));
        let mut stl = vec![0u8; 80];
        stl.extend_from_slice(&2u32.to_le_bytes());
        stl.extend(vec![0u8; 100]);
        assert_eq!(DocumentType::detect(&stl, 184), Some(DocumentType::Stl));
        assert_eq!(DocumentType::detect(&stl, 185), None, "size must match");
        let docx = b"PK\x03\x04....[Content_Types].xml....word/document.xml";
        assert_eq!(DocumentType::detect(docx, 60), Some(DocumentType::Docx));
        let xlsx = b"PK\x03\x04....[Content_Types].xml....xl/workbook.xml";
        assert_eq!(DocumentType::detect(xlsx, 60), Some(DocumentType::Xlsx));
        assert_eq!(
            DocumentType::detect(b"PK\x03\x04plain", 9),
            Some(DocumentType::Zip)
        );
    }

    #[test]
    fn executables_scripts_and_html_are_refused_whatever_their_name() {
        for bytes in [
            &b"MZ\x90\x00\x03\x00\x00\x00"[..],
            b"\x7FELF\x02\x01\x01",
            b"#!/bin/sh\nrm -rf /",
            b"<html><script>alert(1)</script>",
            b"",
            b"x",
        ] {
            assert_eq!(
                DocumentType::detect(bytes, bytes.len() as u64),
                None,
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn names_lose_paths_controls_and_device_names() {
        let cases = [
            ("../../etc/passwd", "passwd"),
            ("C:\\Users\\x\\plan.pdf", "plan.pdf"),
            ("CON", "_CON"),
            ("con.pdf", "_con.pdf"),
            ("LPT1.txt", "_LPT1.txt"),
            ("COM10.txt", "COM10.txt"),
            ("invoice\u{202E}fdp.exe", "invoicefdp.exe"),
            ("a\u{0}b\nc.pdf", "abc.pdf"),
            ("..", "document"),
            ("   ", "document"),
            (".hidden", "hidden"),
            ("plan. ", "plan"),
            ("Plan d'usinage « bis ».pdf", "Plan d'usinage « bis ».pdf"),
            ("a\"b:c.pdf", "a_b_c.pdf"),
        ];
        for (raw, expected) in cases {
            assert_eq!(DisplayName::sanitise(raw).as_str(), expected, "{raw:?}");
        }
    }

    #[test]
    fn long_names_keep_their_extension() {
        let name = DisplayName::sanitise(&format!("{}.step", "é".repeat(300)));
        assert_eq!(name.as_str().chars().count(), DisplayName::MAX_CHARS);
        assert!(name.as_str().ends_with(".step"));
    }

    #[test]
    fn the_quota_counts_what_is_stored_and_what_comes() {
        assert!(check_quota(10, 5, 15).is_ok());
        assert!(matches!(
            check_quota(10, 6, 15),
            Err(DomainError::QuotaExceeded { limit: 15, .. })
        ));
        assert!(check_quota(u64::MAX, 1, u64::MAX).is_err());
    }

    #[test]
    fn a_requests_files_open_to_an_invited_supplier_after_the_nda() {
        use crate::account::{Affiliation, OrgRole, PlatformRole};
        let org = OrganisationId::new();
        let supplier = Actor {
            user_id: UserId::new(),
            role: PlatformRole::Supplier,
            affiliation: Affiliation::Organisation {
                id: OrganisationId::new(),
                role: OrgRole::Owner,
            },
            email_verified: true,
            organisation_suspended: false,
        };
        let file = StoredFile {
            id: FileId::new(),
            organisation: org,
            uploaded_by: UserId::new(),
            name: DisplayName::sanitise("plan.pdf"),
            document_type: DocumentType::Pdf,
            size_bytes: 10,
            sha256: String::new(),
            storage_key: String::new(),
            attachment: Some(Attachment::Request(SourcingRequestId::new())),
            created_at: Utc::now(),
        };
        let invited = |nda_pending| ReadContext::Request {
            access: Some(RequestAccess::InvitedSupplier),
            nda_pending,
        };
        assert!(matches!(
            file.may_read(&supplier, invited(true)),
            Err(DomainError::NdaRequired)
        ));
        assert!(file.may_read(&supplier, invited(false)).is_ok());
        let outsider = ReadContext::Request {
            access: None,
            nda_pending: false,
        };
        assert!(matches!(
            file.may_read(&supplier, outsider),
            Err(DomainError::NotFound("file"))
        ));
        // Unattached: its organisation only.
        assert!(matches!(
            file.may_read(&supplier, ReadContext::Unattached),
            Err(DomainError::NotFound("file"))
        ));
        for access in [RequestAccess::Buyer, RequestAccess::BackOffice] {
            let context = ReadContext::Request {
                access: Some(access),
                nda_pending: false,
            };
            assert!(file.may_read(&supplier, context).is_ok());
        }
    }

    #[test]
    fn files_attach_once_by_their_organisation() {
        use crate::account::{Affiliation, OrgRole, PlatformRole};
        let org = OrganisationId::new();
        let actor = |org| Actor {
            user_id: UserId::new(),
            role: PlatformRole::Buyer,
            affiliation: Affiliation::Organisation {
                id: org,
                role: OrgRole::Member,
            },
            email_verified: true,
            organisation_suspended: false,
        };
        let now = Utc::now();
        let mut file = StoredFile {
            id: FileId::new(),
            organisation: org,
            uploaded_by: UserId::new(),
            name: DisplayName::sanitise("plan.pdf"),
            document_type: DocumentType::Pdf,
            size_bytes: 10,
            sha256: String::new(),
            storage_key: String::new(),
            attachment: None,
            created_at: now,
        };
        let target = Attachment::Request(SourcingRequestId::new());
        assert!(matches!(
            file.attach(&actor(OrganisationId::new()), target),
            Err(DomainError::NotFound(_))
        ));
        assert!(!file.expired(now + UNATTACHED_LIFETIME - chrono::TimeDelta::seconds(1)));
        assert!(file.expired(now + UNATTACHED_LIFETIME));
        let event = file.attach(&actor(org), target).expect("attaches");
        assert_eq!(
            event.audit_entry(None, now).action,
            "file.attached".to_owned()
        );
        assert!(!file.expired(now + UNATTACHED_LIFETIME * 2));
        assert!(matches!(
            file.attach(&actor(org), target),
            Err(DomainError::Conflict {
                code: "file_attached",
                ..
            })
        ));
    }

    fn supplier_of(org: OrganisationId) -> Actor {
        use crate::account::{Affiliation, OrgRole, PlatformRole};
        Actor {
            user_id: UserId::new(),
            role: PlatformRole::Supplier,
            affiliation: Affiliation::Organisation {
                id: org,
                role: OrgRole::Owner,
            },
            email_verified: true,
            organisation_suspended: false,
        }
    }

    fn file_of(org: OrganisationId, attachment: Option<Attachment>) -> StoredFile {
        StoredFile {
            id: FileId::new(),
            organisation: org,
            uploaded_by: UserId::new(),
            name: DisplayName::sanitise("devis.pdf"),
            document_type: DocumentType::Pdf,
            size_bytes: 10,
            sha256: String::new(),
            storage_key: String::new(),
            attachment,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn a_quotes_files_go_to_the_buyer_experts_and_the_quoting_supplier_only() {
        let quoting = OrganisationId::new();
        let file = file_of(quoting, Some(Attachment::Quote(QuoteId::new())));
        let quote = |access, quoted_by_reader| ReadContext::Quote {
            access: Some(access),
            quoted_by_reader,
        };
        let reader = supplier_of(quoting);
        assert!(
            file.may_read(&reader, quote(RequestAccess::InvitedSupplier, true))
                .is_ok()
        );
        assert!(
            file.may_read(&reader, quote(RequestAccess::Buyer, false))
                .is_ok()
        );
        assert!(
            file.may_read(&reader, quote(RequestAccess::BackOffice, false))
                .is_ok()
        );
        // A competitor invited to the same request is told nothing exists.
        let competitor = supplier_of(OrganisationId::new());
        assert!(matches!(
            file.may_read(&competitor, quote(RequestAccess::InvitedSupplier, false)),
            Err(DomainError::NotFound("file"))
        ));
    }

    #[test]
    fn a_profiles_documents_are_public_once_it_is_published_a_proof_never() {
        let org = OrganisationId::new();
        let logo = file_of(org, Some(Attachment::Profile(org, ProfileDocument::Logo)));
        let stranger = supplier_of(OrganisationId::new());
        assert!(
            logo.may_read(&stranger, ReadContext::Profile { published: false })
                .is_err()
        );
        assert!(
            logo.may_read(&stranger, ReadContext::Profile { published: true })
                .is_ok()
        );
        assert!(
            logo.may_read(&supplier_of(org), ReadContext::Profile { published: false })
                .is_ok()
        );
        let proof = file_of(org, Some(Attachment::Certificate(CertificationId::new())));
        assert!(proof.may_read(&stranger, ReadContext::Certificate).is_err());
        assert!(
            proof
                .may_read(&supplier_of(org), ReadContext::Certificate)
                .is_ok()
        );
    }

    #[test]
    fn sealed_files_stay_and_others_go_with_their_organisation() {
        use crate::certification::VerificationStatus::{Declared, Verified};
        let org = OrganisationId::new();
        let owner = supplier_of(org);
        let sealed = [
            (Attachment::Quote(QuoteId::new()), None),
            (Attachment::Answer(QuestionId::new()), None),
            (
                Attachment::Certificate(CertificationId::new()),
                Some(Verified),
            ),
        ];
        for (to, status) in sealed {
            let file = file_of(org, Some(to));
            let refused = file.remove(&owner, to.seal(status), RemovalReason::Deleted);
            assert!(
                matches!(
                    refused,
                    Err(DomainError::Conflict {
                        code: "file_immutable",
                        ..
                    })
                ),
                "{to:?}"
            );
        }
        let open = [
            (
                Attachment::Certificate(CertificationId::new()),
                Some(Declared),
            ),
            (Attachment::Profile(org, ProfileDocument::Brochure), None),
            (Attachment::Request(SourcingRequestId::new()), None),
        ];
        for (to, status) in open {
            let file = file_of(org, Some(to));
            assert!(
                file.remove(&owner, to.seal(status), RemovalReason::Deleted)
                    .is_ok()
            );
            // Only by its organisation.
            let other = supplier_of(OrganisationId::new());
            assert!(matches!(
                file.remove(&other, None, RemovalReason::Deleted),
                Err(DomainError::NotFound("file"))
            ));
        }
    }

    #[test]
    fn attachments_read_back_as_stored() {
        let org = OrganisationId::new();
        for to in [
            Attachment::Request(SourcingRequestId::new()),
            Attachment::Quote(QuoteId::new()),
            Attachment::Answer(QuestionId::new()),
            Attachment::Certificate(CertificationId::new()),
            Attachment::Profile(org, ProfileDocument::Logo),
            Attachment::Profile(org, ProfileDocument::Brochure),
        ] {
            assert_eq!(Attachment::parse(to.kind(), &to.target_id()), Some(to));
        }
        assert_eq!(Attachment::parse("invoice", &org.to_string()), None);
        assert_eq!(Attachment::parse("quote", "../x"), None);
    }
}
