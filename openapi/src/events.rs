//! The change feed on the wire: one event as the feed, the stream and
//! webhook deliveries carry it (the same JSON everywhere).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use domain::events::{EventType as D, ObjectKind as DomainObjectKind};

use crate::vocabulary::PlatformRole;

/// An event's type, `object.what_happened`: stable, never renamed nor
/// reused. A receiver ignores types it does not know (new ones are added).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum EventType {
    /// A buyer created a draft request.
    #[serde(rename = "request.created")]
    RequestCreated,
    /// The buyer edited the request.
    #[serde(rename = "request.edited")]
    RequestEdited,
    /// The experts recoded the request's requirements.
    #[serde(rename = "request.recoded")]
    RequestRecoded,
    /// The request went back to draft.
    #[serde(rename = "request.returned_to_draft")]
    RequestReturnedToDraft,
    #[serde(rename = "request.submitted")]
    RequestSubmitted,
    #[serde(rename = "request.qualified")]
    RequestQualified,
    #[serde(rename = "request.changes_requested")]
    RequestChangesRequested,
    #[serde(rename = "request.rejected")]
    RequestRejected,
    /// The request opened: its approved suppliers are invited to quote.
    #[serde(rename = "request.opened")]
    RequestOpened,
    #[serde(rename = "request.closed")]
    RequestClosed,
    #[serde(rename = "request.awarded")]
    RequestAwarded,
    #[serde(rename = "request.cancelled")]
    RequestCancelled,
    /// The buyer revealed its identity to the invited suppliers.
    #[serde(rename = "request.identity_revealed")]
    RequestIdentityRevealed,
    /// The buyer attached a document to the request.
    #[serde(rename = "request.document_attached")]
    RequestDocumentAttached,
    /// An invited supplier accepted the request's non-disclosure agreement.
    #[serde(rename = "request.nda_accepted")]
    RequestNdaAccepted,
    /// A supplier's first quote (revision 1).
    #[serde(rename = "quote.submitted")]
    QuoteSubmitted,
    /// A supplier's new revision of its quote.
    #[serde(rename = "quote.revised")]
    QuoteRevised,
    /// A supplier declined to quote.
    #[serde(rename = "quote.declined")]
    QuoteDeclined,
    #[serde(rename = "quote.shortlisted")]
    QuoteShortlisted,
    #[serde(rename = "quote.unshortlisted")]
    QuoteUnshortlisted,
    #[serde(rename = "question.asked")]
    QuestionAsked,
    #[serde(rename = "question.answered")]
    QuestionAnswered,
    /// A suspended supplier no longer takes part in the request.
    #[serde(rename = "invitation.withdrawn")]
    InvitationWithdrawn,
    /// The experts' vetting (back office only).
    #[serde(rename = "match.proposed")]
    MatchProposed,
    #[serde(rename = "match.approved")]
    MatchApproved,
    #[serde(rename = "match.discarded")]
    MatchDiscarded,
    #[serde(rename = "profile.created")]
    ProfileCreated,
    #[serde(rename = "profile.edited")]
    ProfileEdited,
    #[serde(rename = "profile.submitted")]
    ProfileSubmitted,
    #[serde(rename = "profile.approved")]
    ProfileApproved,
    #[serde(rename = "profile.changes_requested")]
    ProfileChangesRequested,
    #[serde(rename = "profile.suspended")]
    ProfileSuspended,
    #[serde(rename = "profile.reinstated")]
    ProfileReinstated,
    #[serde(rename = "profile.imported")]
    ProfileImported,
    #[serde(rename = "certificate.declared")]
    CertificateDeclared,
    #[serde(rename = "certificate.redeclared")]
    CertificateRedeclared,
    #[serde(rename = "certificate.verified")]
    CertificateVerified,
    #[serde(rename = "certificate.rejected")]
    CertificateRejected,
    #[serde(rename = "certificate.deleted")]
    CertificateDeleted,
    #[serde(rename = "certificate.imported")]
    CertificateImported,
    /// The certificate's last valid day is within 30 days (once per
    /// certificate and validity end date).
    #[serde(rename = "certificate.expiring")]
    CertificateExpiring,
    /// The organisation joined or left the cluster.
    #[serde(rename = "organisation.membership_changed")]
    MembershipChanged,
}

impl EventType {
    /// The domain's spelling of this value.
    pub fn as_str(self) -> &'static str {
        D::from(self).as_str()
    }
}

impl From<D> for EventType {
    fn from(value: D) -> Self {
        match value {
            D::RequestCreated => Self::RequestCreated,
            D::RequestEdited => Self::RequestEdited,
            D::RequestRecoded => Self::RequestRecoded,
            D::RequestReturnedToDraft => Self::RequestReturnedToDraft,
            D::RequestSubmitted => Self::RequestSubmitted,
            D::RequestQualified => Self::RequestQualified,
            D::RequestChangesRequested => Self::RequestChangesRequested,
            D::RequestRejected => Self::RequestRejected,
            D::RequestOpened => Self::RequestOpened,
            D::RequestClosed => Self::RequestClosed,
            D::RequestAwarded => Self::RequestAwarded,
            D::RequestCancelled => Self::RequestCancelled,
            D::RequestIdentityRevealed => Self::RequestIdentityRevealed,
            D::RequestDocumentAttached => Self::RequestDocumentAttached,
            D::RequestNdaAccepted => Self::RequestNdaAccepted,
            D::QuoteSubmitted => Self::QuoteSubmitted,
            D::QuoteRevised => Self::QuoteRevised,
            D::QuoteDeclined => Self::QuoteDeclined,
            D::QuoteShortlisted => Self::QuoteShortlisted,
            D::QuoteUnshortlisted => Self::QuoteUnshortlisted,
            D::QuestionAsked => Self::QuestionAsked,
            D::QuestionAnswered => Self::QuestionAnswered,
            D::InvitationWithdrawn => Self::InvitationWithdrawn,
            D::MatchProposed => Self::MatchProposed,
            D::MatchApproved => Self::MatchApproved,
            D::MatchDiscarded => Self::MatchDiscarded,
            D::ProfileCreated => Self::ProfileCreated,
            D::ProfileEdited => Self::ProfileEdited,
            D::ProfileSubmitted => Self::ProfileSubmitted,
            D::ProfileApproved => Self::ProfileApproved,
            D::ProfileChangesRequested => Self::ProfileChangesRequested,
            D::ProfileSuspended => Self::ProfileSuspended,
            D::ProfileReinstated => Self::ProfileReinstated,
            D::ProfileImported => Self::ProfileImported,
            D::CertificateDeclared => Self::CertificateDeclared,
            D::CertificateRedeclared => Self::CertificateRedeclared,
            D::CertificateVerified => Self::CertificateVerified,
            D::CertificateRejected => Self::CertificateRejected,
            D::CertificateDeleted => Self::CertificateDeleted,
            D::CertificateImported => Self::CertificateImported,
            D::CertificateExpiring => Self::CertificateExpiring,
            D::MembershipChanged => Self::MembershipChanged,
        }
    }
}

impl From<EventType> for D {
    fn from(value: EventType) -> Self {
        match value {
            EventType::RequestCreated => Self::RequestCreated,
            EventType::RequestEdited => Self::RequestEdited,
            EventType::RequestRecoded => Self::RequestRecoded,
            EventType::RequestReturnedToDraft => Self::RequestReturnedToDraft,
            EventType::RequestSubmitted => Self::RequestSubmitted,
            EventType::RequestQualified => Self::RequestQualified,
            EventType::RequestChangesRequested => Self::RequestChangesRequested,
            EventType::RequestRejected => Self::RequestRejected,
            EventType::RequestOpened => Self::RequestOpened,
            EventType::RequestClosed => Self::RequestClosed,
            EventType::RequestAwarded => Self::RequestAwarded,
            EventType::RequestCancelled => Self::RequestCancelled,
            EventType::RequestIdentityRevealed => Self::RequestIdentityRevealed,
            EventType::RequestDocumentAttached => Self::RequestDocumentAttached,
            EventType::RequestNdaAccepted => Self::RequestNdaAccepted,
            EventType::QuoteSubmitted => Self::QuoteSubmitted,
            EventType::QuoteRevised => Self::QuoteRevised,
            EventType::QuoteDeclined => Self::QuoteDeclined,
            EventType::QuoteShortlisted => Self::QuoteShortlisted,
            EventType::QuoteUnshortlisted => Self::QuoteUnshortlisted,
            EventType::QuestionAsked => Self::QuestionAsked,
            EventType::QuestionAnswered => Self::QuestionAnswered,
            EventType::InvitationWithdrawn => Self::InvitationWithdrawn,
            EventType::MatchProposed => Self::MatchProposed,
            EventType::MatchApproved => Self::MatchApproved,
            EventType::MatchDiscarded => Self::MatchDiscarded,
            EventType::ProfileCreated => Self::ProfileCreated,
            EventType::ProfileEdited => Self::ProfileEdited,
            EventType::ProfileSubmitted => Self::ProfileSubmitted,
            EventType::ProfileApproved => Self::ProfileApproved,
            EventType::ProfileChangesRequested => Self::ProfileChangesRequested,
            EventType::ProfileSuspended => Self::ProfileSuspended,
            EventType::ProfileReinstated => Self::ProfileReinstated,
            EventType::ProfileImported => Self::ProfileImported,
            EventType::CertificateDeclared => Self::CertificateDeclared,
            EventType::CertificateRedeclared => Self::CertificateRedeclared,
            EventType::CertificateVerified => Self::CertificateVerified,
            EventType::CertificateRejected => Self::CertificateRejected,
            EventType::CertificateDeleted => Self::CertificateDeleted,
            EventType::CertificateImported => Self::CertificateImported,
            EventType::CertificateExpiring => Self::CertificateExpiring,
            EventType::MembershipChanged => Self::MembershipChanged,
        }
    }
}

/// What kind of object an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    SourcingRequest,
    SupplierProfile,
    Certificate,
    Organisation,
}

impl From<DomainObjectKind> for ObjectKind {
    fn from(value: DomainObjectKind) -> Self {
        match value {
            DomainObjectKind::SourcingRequest => Self::SourcingRequest,
            DomainObjectKind::SupplierProfile => Self::SupplierProfile,
            DomainObjectKind::Certificate => Self::Certificate,
            DomainObjectKind::Organisation => Self::Organisation,
        }
    }
}

/// The object an event is about: fetch it through the API for its content.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventObject {
    pub kind: ObjectKind,
    pub id: Uuid,
}

/// The ids and states an event carries, each present when it applies. No
/// free text (comments, questions, prices): read the object for those.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct EventData {
    /// The request the event belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<Uuid>,
    /// The supplier whose answer, question, match, profile or certificate
    /// it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier_id: Option<Uuid>,
    /// The object's state before the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_status: Option<String>,
    /// The object's state after the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// A quote's revision: 1 for the first quote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<i32>,
    /// A certificate's last valid day (`certificate.expiring`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<chrono::NaiveDate>,
}

/// One event of the change feed; a webhook delivery's body is this JSON.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventView {
    /// Unique: a receiver deduplicates on it (also `webhook-id`).
    pub id: Uuid,
    /// Where to resume after this event (`after`, `Last-Event-ID`).
    pub cursor: String,
    #[serde(rename = "type")]
    pub event_type: EventType,
    #[serde(serialize_with = "crate::timestamp::micros")]
    pub occurred_at: DateTime<Utc>,
    /// The role of who acted; absent when the platform itself did (the
    /// deadline, an import). Never who.
    pub actor_role: Option<PlatformRole>,
    pub object: EventObject,
    pub data: EventData,
}

/// A page of the feed, oldest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<EventView>,
    /// Where the next page starts: pass it as `after`. Always present, also
    /// on an empty page, so a client polls with it.
    pub next_cursor: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventListQuery {
    /// Events after this cursor (a previous page's `next_cursor`, or an
    /// event's `cursor`); from the first event when absent.
    pub after: Option<String>,
    /// Page size, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Only these types, comma-separated (`quote.submitted,quote.revised`).
    pub types: Option<String>,
}

/// One message of `GET /api/v1/events/stream`, in the fields of the
/// `text/event-stream` format: a feed event (`id`, `event`, `data`), or the
/// opening `retry` advice. Heartbeats are comments, which clients skip.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StreamMessage {
    /// The event's `cursor`: send it back as `Last-Event-ID` to resume.
    pub id: Option<String>,
    /// The event's type, e.g. `request.opened`.
    pub event: Option<String>,
    /// The event as the feed gives it (an `EventView`), as JSON text.
    pub data: Option<String>,
    /// Milliseconds to wait before reconnecting.
    pub retry: Option<u64>,
}
