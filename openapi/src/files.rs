//! Documents: what an upload answers, and how a file is attached.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// What a file is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    /// A sourcing request's drawings and specifications.
    Request,
    /// A quote revision (`id` is the quote's).
    Quote,
    /// The answer to a clarification question (`id` is the question's).
    Answer,
    /// A certificate's proof.
    Certificate,
    /// A supplier profile's logo (`id` is the organisation's).
    ProfileLogo,
    /// A supplier profile's brochure (`id` is the organisation's).
    ProfileBrochure,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttachedToView {
    pub kind: AttachmentKind,
    pub id: Uuid,
}

/// An uploaded document. Its bytes are read with `GET /api/v1/files/{id}`,
/// this description again with `GET /api/v1/files/{id}/metadata`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FileView {
    pub id: Uuid,
    /// The name given at upload, without path, control or bidirectional
    /// characters, at most 200 characters.
    #[schema(example = "plan-vis-M2.pdf")]
    pub name: String,
    /// Detected from the bytes, never taken from the client: one of
    /// `application/pdf`, `image/png`, `image/jpeg`, `model/step`,
    /// `model/iges`, `model/stl`, `image/vnd.dxf`, the Word and Excel
    /// (OOXML) types, `application/zip`.
    #[schema(example = "application/pdf")]
    pub media_type: String,
    pub size_bytes: u64,
    /// Lowercase hexadecimal SHA-256 of the bytes (also the download's ETag).
    #[schema(example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    pub sha256: String,
    /// `null` until attached; an unattached file is removed after 24 hours.
    pub attached_to: Option<AttachedToView>,
    #[serde(serialize_with = "crate::timestamp::micros")]
    pub created_at: DateTime<Utc>,
}

/// Attaches an uploaded file (of your organisation, not attached yet).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachFileRequest {
    pub file_id: Uuid,
}

/// An invited supplier's acceptance of a request's non-disclosure agreement.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NdaAcceptanceView {
    pub organisation_id: Uuid,
    /// The supplier's name.
    pub organisation_name: String,
    pub accepted_by: Uuid,
    #[serde(serialize_with = "crate::timestamp::micros")]
    pub accepted_at: DateTime<Utc>,
}

/// A document's bytes, as uploaded and as downloaded.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct DocumentBytes(pub Vec<u8>);
