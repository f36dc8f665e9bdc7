//! The change feed: what happened, as members' frontends and systems read
//! it (`GET /events`, the stream, webhooks). Each published domain event
//! that matters outside the platform becomes one [`NewEvent`]: a stable
//! type name, the object it is about, the actor's role and a few ids and
//! states. Never a text a person wrote (notes, comments, questions,
//! prices): a reader fetches the object through the API, whose reads apply
//! their own rules. Who reads which event is [`Reader::sees`], the one
//! rule the feed, the stream and the webhooks share.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::account::{Affiliation, PlatformRole};
use crate::admin_events::AdminEvent;
use crate::auth::Actor;
use crate::certificate_events::{CertificateChange, CertificateEvent};
use crate::ids::{CertificationId, EventId, OrganisationId, SourcingRequestId};
use crate::organisation::OrganisationKind;
use crate::profile_events::{ProfileEvent, ProfileStep};
use crate::sourcing::RequestEvent;
use crate::sourcing::matching::MatchDecision;
use crate::sourcing::request::{RequestStatus, SourcingRequest};

macro_rules! event_types {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)+) => {
        /// The stable name of an event, `object.what_happened`. A name is
        /// never renamed or reused: receivers switch on it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventType {
            $($(#[$doc])* $variant,)+
        }

        impl EventType {
            pub const ALL: &[Self] = &[$(Self::$variant,)+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)+
                }
            }

            pub fn parse(raw: &str) -> Option<Self> {
                match raw {
                    $($name => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

event_types! {
    /// A buyer created a draft request.
    RequestCreated => "request.created",
    /// The buyer edited the request.
    RequestEdited => "request.edited",
    /// The experts recoded the request's requirements.
    RequestRecoded => "request.recoded",
    /// The request went back to draft.
    RequestReturnedToDraft => "request.returned_to_draft",
    RequestSubmitted => "request.submitted",
    RequestQualified => "request.qualified",
    RequestChangesRequested => "request.changes_requested",
    RequestRejected => "request.rejected",
    /// The request opened: its approved suppliers are invited to quote.
    RequestOpened => "request.opened",
    RequestClosed => "request.closed",
    RequestAwarded => "request.awarded",
    RequestCancelled => "request.cancelled",
    /// The buyer revealed its identity to the invited suppliers.
    RequestIdentityRevealed => "request.identity_revealed",
    /// The buyer attached a document to the request.
    RequestDocumentAttached => "request.document_attached",
    /// An invited supplier accepted the request's non-disclosure agreement.
    RequestNdaAccepted => "request.nda_accepted",
    /// A supplier's first quote (revision 1).
    QuoteSubmitted => "quote.submitted",
    /// A supplier's new revision of its quote.
    QuoteRevised => "quote.revised",
    /// A supplier declined to quote.
    QuoteDeclined => "quote.declined",
    QuoteShortlisted => "quote.shortlisted",
    QuoteUnshortlisted => "quote.unshortlisted",
    QuestionAsked => "question.asked",
    QuestionAnswered => "question.answered",
    /// A suspended supplier no longer takes part in the request.
    InvitationWithdrawn => "invitation.withdrawn",
    /// The experts' vetting (back office only).
    MatchProposed => "match.proposed",
    MatchApproved => "match.approved",
    MatchDiscarded => "match.discarded",
    ProfileCreated => "profile.created",
    ProfileEdited => "profile.edited",
    ProfileSubmitted => "profile.submitted",
    ProfileApproved => "profile.approved",
    ProfileChangesRequested => "profile.changes_requested",
    ProfileSuspended => "profile.suspended",
    ProfileReinstated => "profile.reinstated",
    ProfileImported => "profile.imported",
    CertificateDeclared => "certificate.declared",
    CertificateRedeclared => "certificate.redeclared",
    CertificateVerified => "certificate.verified",
    CertificateRejected => "certificate.rejected",
    CertificateDeleted => "certificate.deleted",
    CertificateImported => "certificate.imported",
    /// The certificate's last valid day is near (30 days ahead): told once
    /// per certificate and validity end date, with the reminder email.
    CertificateExpiring => "certificate.expiring",
    /// The organisation joined or left the cluster.
    MembershipChanged => "organisation.membership_changed",
}

/// One field of [`EventData`], as the wire names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataField {
    RequestId,
    SupplierId,
    PreviousStatus,
    Status,
    Revision,
    ValidUntil,
}

impl DataField {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::RequestId => "request_id",
            Self::SupplierId => "supplier_id",
            Self::PreviousStatus => "previous_status",
            Self::Status => "status",
            Self::Revision => "revision",
            Self::ValidUntil => "valid_until",
        }
    }
}

impl EventType {
    /// The fields an event of this type carries in its data, each with
    /// whether it is always there (`true`) or only when it applies: the
    /// per-type schemas of the spec, which generated clients rely on. It
    /// follows the constructors of [`NewEvent`] (a test checks them).
    pub const fn data_fields(self) -> &'static [(DataField, bool)] {
        use DataField::*;
        use EventType as T;
        const REQUEST: &[(DataField, bool)] = &[(RequestId, true)];
        const STEP: &[(DataField, bool)] =
            &[(RequestId, true), (PreviousStatus, true), (Status, true)];
        const SUPPLIER_ON_REQUEST: &[(DataField, bool)] = &[(RequestId, true), (SupplierId, true)];
        const QUOTE: &[(DataField, bool)] =
            &[(RequestId, true), (SupplierId, true), (Revision, true)];
        const VETTING: &[(DataField, bool)] = &[
            (RequestId, true),
            (SupplierId, true),
            (PreviousStatus, true),
            (Status, true),
        ];
        const PROFILE: &[(DataField, bool)] =
            &[(SupplierId, true), (PreviousStatus, false), (Status, false)];
        const CERTIFICATE: &[(DataField, bool)] =
            &[(SupplierId, true), (PreviousStatus, false), (Status, true)];
        const EXPIRING: &[(DataField, bool)] = &[(SupplierId, true), (ValidUntil, true)];
        const MEMBERSHIP: &[(DataField, bool)] = &[(PreviousStatus, true), (Status, true)];
        match self {
            T::RequestCreated
            | T::RequestEdited
            | T::RequestRecoded
            | T::RequestIdentityRevealed
            | T::RequestDocumentAttached
            | T::QuestionAnswered => REQUEST,
            T::RequestReturnedToDraft
            | T::RequestSubmitted
            | T::RequestQualified
            | T::RequestChangesRequested
            | T::RequestRejected
            | T::RequestOpened
            | T::RequestClosed
            | T::RequestAwarded
            | T::RequestCancelled => STEP,
            T::RequestNdaAccepted
            | T::QuoteDeclined
            | T::QuoteShortlisted
            | T::QuoteUnshortlisted
            | T::QuestionAsked
            | T::InvitationWithdrawn
            | T::MatchProposed => SUPPLIER_ON_REQUEST,
            T::QuoteSubmitted | T::QuoteRevised => QUOTE,
            T::MatchApproved | T::MatchDiscarded => VETTING,
            T::ProfileCreated
            | T::ProfileEdited
            | T::ProfileSubmitted
            | T::ProfileApproved
            | T::ProfileChangesRequested
            | T::ProfileSuspended
            | T::ProfileReinstated
            | T::ProfileImported => PROFILE,
            T::CertificateDeclared
            | T::CertificateRedeclared
            | T::CertificateVerified
            | T::CertificateRejected
            | T::CertificateDeleted
            | T::CertificateImported => CERTIFICATE,
            T::CertificateExpiring => EXPIRING,
            T::MembershipChanged => MEMBERSHIP,
        }
    }
}

impl EventData {
    /// The fields this data holds, to check against [`EventType::data_fields`].
    pub fn present(&self) -> Vec<DataField> {
        [
            (DataField::RequestId, self.request_id.is_some()),
            (DataField::SupplierId, self.supplier_id.is_some()),
            (DataField::PreviousStatus, self.previous_status.is_some()),
            (DataField::Status, self.status.is_some()),
            (DataField::Revision, self.revision.is_some()),
            (DataField::ValidUntil, self.valid_until.is_some()),
        ]
        .into_iter()
        .filter_map(|(field, present)| present.then_some(field))
        .collect()
    }
}

/// What kind of object an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    SourcingRequest,
    SupplierProfile,
    Certificate,
    Organisation,
}

impl ObjectKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SourcingRequest => "sourcing_request",
            Self::SupplierProfile => "supplier_profile",
            Self::Certificate => "certificate",
            Self::Organisation => "organisation",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "sourcing_request" => Some(Self::SourcingRequest),
            "supplier_profile" => Some(Self::SupplierProfile),
            "certificate" => Some(Self::Certificate),
            "organisation" => Some(Self::Organisation),
            _ => None,
        }
    }
}

/// Who may read an event, besides the back office (which reads them all).
/// The request's buyer is stored beside it ([`RequestRef`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Everyone who reads the request: its buyer and its invited suppliers.
    RequestParties,
    /// The request's buyer only: its drafting and the buyer's own choices.
    RequestBuyer,
    /// The request's buyer and one invited supplier: that supplier's own
    /// answer or question, which competitors never see.
    RequestSupplier(OrganisationId),
    /// The cluster's experts only (their vetting).
    BackOffice,
    /// One organisation's users (its profile, certificates, membership).
    Organisation(OrganisationId),
}

impl Audience {
    /// The organisations that read an event of this audience about
    /// `request`, given the suppliers invited to it: every organisation
    /// [`Reader::sees`] lets through, each once. The feed keeps them beside
    /// the event so a reader's page is a walk of its own entries, however
    /// sparse they are among everyone's. The back office reads every event
    /// and is not listed.
    pub fn readers(
        self,
        request: Option<RequestRef>,
        invited: &[OrganisationId],
    ) -> Vec<OrganisationId> {
        let buyer = request.map(|r| r.buyer);
        let mut readers: Vec<OrganisationId> = match self {
            Self::RequestParties => buyer.into_iter().chain(invited.iter().copied()).collect(),
            Self::RequestBuyer => buyer.into_iter().collect(),
            Self::RequestSupplier(s) => buyer
                .into_iter()
                .chain(invited.contains(&s).then_some(s))
                .collect(),
            Self::BackOffice => Vec::new(),
            Self::Organisation(o) => vec![o],
        };
        readers.sort_unstable();
        readers.dedup();
        readers
    }

    pub const fn kind(self) -> &'static str {
        match self {
            Self::RequestParties => "request_parties",
            Self::RequestBuyer => "request_buyer",
            Self::RequestSupplier(_) => "request_supplier",
            Self::BackOffice => "back_office",
            Self::Organisation(_) => "organisation",
        }
    }

    /// The organisation a `RequestSupplier` or `Organisation` audience names.
    pub const fn organisation(self) -> Option<OrganisationId> {
        match self {
            Self::RequestSupplier(o) | Self::Organisation(o) => Some(o),
            _ => None,
        }
    }

    pub fn parse(kind: &str, organisation: Option<OrganisationId>) -> Option<Self> {
        match (kind, organisation) {
            ("request_parties", None) => Some(Self::RequestParties),
            ("request_buyer", None) => Some(Self::RequestBuyer),
            ("request_supplier", Some(o)) => Some(Self::RequestSupplier(o)),
            ("back_office", None) => Some(Self::BackOffice),
            ("organisation", Some(o)) => Some(Self::Organisation(o)),
            _ => None,
        }
    }
}

/// The request an event belongs to and the buyer that owns it: what the
/// visibility rule needs, never shown to suppliers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestRef {
    pub id: SourcingRequestId,
    pub buyer: OrganisationId,
}

/// The few ids and states an event carries, each optional. No free text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventData {
    /// The request the event belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<SourcingRequestId>,
    /// The supplier whose answer, question, match or profile it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier_id: Option<OrganisationId>,
    /// The object's state before and after, when it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// A quote's revision (1 for the first quote).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<i32>,
    /// A certificate's last valid day (`certificate.expiring`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
}

/// An event as the publisher writes it, in the transaction of its change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub id: EventId,
    pub event_type: EventType,
    pub object_kind: ObjectKind,
    pub object_id: Uuid,
    pub request: Option<RequestRef>,
    pub audience: Audience,
    /// `None` for the platform itself (the deadline job, an import).
    pub actor_role: Option<PlatformRole>,
    pub data: EventData,
    pub occurred_at: DateTime<Utc>,
}

/// An event as stored, with its position in the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Strictly increasing in commit order: the feed's cursor.
    pub position: i64,
    pub event: NewEvent,
}

impl NewEvent {
    fn new(
        event_type: EventType,
        object_kind: ObjectKind,
        object_id: Uuid,
        audience: Audience,
        actor: Option<&Actor>,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            id: EventId::new(),
            event_type,
            object_kind,
            object_id,
            request: None,
            audience,
            actor_role: actor.map(|a| a.role),
            data: EventData::default(),
            occurred_at: at,
        }
    }

    /// The feed's entry of a request's event: who reads it follows what it
    /// is about (a supplier's own answer, the buyer's choices, the experts'
    /// vetting, or the request itself).
    pub fn of_request(
        request: &SourcingRequest,
        event: &RequestEvent,
        actor: Option<&Actor>,
        at: DateTime<Utc>,
    ) -> Self {
        use Audience as A;
        use EventType as T;
        let mut data = EventData {
            request_id: Some(request.id),
            ..EventData::default()
        };
        let (event_type, audience) = match event {
            RequestEvent::Created => (T::RequestCreated, A::RequestBuyer),
            // After opening, an edit concerns the invited suppliers too.
            RequestEvent::Edited => (T::RequestEdited, A::RequestParties),
            RequestEvent::Recoded { .. } => (T::RequestRecoded, A::RequestBuyer),
            RequestEvent::Stepped { transition, .. } => {
                data.previous_status = Some(transition.from.as_str().to_owned());
                data.status = Some(transition.to.as_str().to_owned());
                step(transition.to)
            }
            RequestEvent::Awarded { transition, .. } => {
                // Who won is told to each supplier by its own invitation.
                data.previous_status = Some(transition.from.as_str().to_owned());
                data.status = Some(transition.to.as_str().to_owned());
                (T::RequestAwarded, A::RequestParties)
            }
            RequestEvent::IdentityRevealed => (T::RequestIdentityRevealed, A::RequestParties),
            // Documents attach before opening; the invited suppliers read
            // them later through the request.
            RequestEvent::DocumentAttached { .. } => (T::RequestDocumentAttached, A::RequestBuyer),
            // The buyer sees who accepted (the history names the supplier).
            RequestEvent::NdaAccepted { supplier } => {
                data.supplier_id = Some(*supplier);
                (T::RequestNdaAccepted, A::RequestBuyer)
            }
            RequestEvent::Declined { supplier, .. } => {
                data.supplier_id = Some(*supplier);
                (T::QuoteDeclined, A::RequestSupplier(*supplier))
            }
            RequestEvent::Quoted {
                supplier, revision, ..
            } => {
                data.supplier_id = Some(*supplier);
                data.revision = Some(*revision);
                let t = if *revision == 1 {
                    T::QuoteSubmitted
                } else {
                    T::QuoteRevised
                };
                (t, A::RequestSupplier(*supplier))
            }
            RequestEvent::QuestionAsked { supplier, .. } => {
                data.supplier_id = Some(*supplier);
                (T::QuestionAsked, A::RequestSupplier(*supplier))
            }
            // Answered questions are shown to every invited supplier, without
            // the name of the one who asked.
            RequestEvent::QuestionAnswered { .. } => (T::QuestionAnswered, A::RequestParties),
            RequestEvent::Shortlisted {
                supplier,
                shortlisted,
            } => {
                data.supplier_id = Some(*supplier);
                let t = if *shortlisted {
                    T::QuoteShortlisted
                } else {
                    T::QuoteUnshortlisted
                };
                (t, A::RequestBuyer)
            }
            RequestEvent::SupplierWithdrawn { supplier } => {
                data.supplier_id = Some(*supplier);
                (T::InvitationWithdrawn, A::RequestBuyer)
            }
            RequestEvent::MatchProposed { supplier, .. } => {
                data.supplier_id = Some(*supplier);
                (T::MatchProposed, A::BackOffice)
            }
            RequestEvent::MatchDecided {
                supplier,
                decision,
                from,
                to,
                ..
            } => {
                data.supplier_id = Some(*supplier);
                data.previous_status = Some(from.as_str().to_owned());
                data.status = Some(to.as_str().to_owned());
                let t = match decision {
                    MatchDecision::Approve => T::MatchApproved,
                    MatchDecision::Discard => T::MatchDiscarded,
                };
                (t, A::BackOffice)
            }
        };
        let mut new = Self::new(
            event_type,
            ObjectKind::SourcingRequest,
            *request.id.as_uuid(),
            audience,
            actor,
            at,
        );
        new.request = Some(RequestRef {
            id: request.id,
            buyer: request.buyer,
        });
        new.data = data;
        new
    }

    /// A profile's event, read by the supplier's users (and the back office).
    pub fn of_profile(event: &ProfileEvent, actor: Option<&Actor>, at: DateTime<Utc>) -> Self {
        use EventType as T;
        let event_type = match event.step {
            ProfileStep::Created => T::ProfileCreated,
            ProfileStep::Edited => T::ProfileEdited,
            ProfileStep::Submitted => T::ProfileSubmitted,
            ProfileStep::Approved { .. } => T::ProfileApproved,
            ProfileStep::ChangesRequested { .. } => T::ProfileChangesRequested,
            ProfileStep::Suspended { .. } => T::ProfileSuspended,
            ProfileStep::Reinstated { .. } => T::ProfileReinstated,
            ProfileStep::Imported => T::ProfileImported,
        };
        let mut new = Self::new(
            event_type,
            ObjectKind::SupplierProfile,
            *event.organisation.as_uuid(),
            Audience::Organisation(event.organisation),
            actor,
            at,
        );
        new.data.supplier_id = Some(event.organisation);
        if let Some(t) = event.transition.filter(|t| t.from != t.to) {
            new.data.previous_status = Some(t.from.as_str().to_owned());
            new.data.status = Some(t.to.as_str().to_owned());
        }
        new
    }

    /// A certificate's event, read by its supplier's users.
    pub fn of_certificate(
        event: &CertificateEvent,
        actor: Option<&Actor>,
        at: DateTime<Utc>,
    ) -> Self {
        use EventType as T;
        let (event_type, to) = match event.change {
            CertificateChange::Declared => (T::CertificateDeclared, "declared"),
            CertificateChange::Redeclared => (T::CertificateRedeclared, "declared"),
            CertificateChange::Verified { .. } => (T::CertificateVerified, "verified"),
            CertificateChange::Rejected { .. } => (T::CertificateRejected, "rejected"),
            CertificateChange::Imported => (T::CertificateImported, "declared"),
            CertificateChange::Deleted | CertificateChange::ReplacedByImport => {
                (T::CertificateDeleted, "deleted")
            }
        };
        let mut new = Self::new(
            event_type,
            ObjectKind::Certificate,
            *event.certificate.as_uuid(),
            Audience::Organisation(event.organisation),
            actor,
            at,
        );
        new.data.supplier_id = Some(event.organisation);
        new.data.previous_status = event.from.map(|s| s.as_str().to_owned());
        new.data.status = Some(to.to_owned());
        new
    }

    /// A certificate nearing its last valid day, read as the certificate's
    /// other events are (its supplier's users and the back office). The
    /// platform acts: no actor role.
    pub fn certificate_expiring(
        certificate: CertificationId,
        organisation: OrganisationId,
        valid_until: NaiveDate,
        at: DateTime<Utc>,
    ) -> Self {
        let mut new = Self::new(
            EventType::CertificateExpiring,
            ObjectKind::Certificate,
            *certificate.as_uuid(),
            Audience::Organisation(organisation),
            None,
            at,
        );
        new.data.supplier_id = Some(organisation);
        new.data.valid_until = Some(valid_until);
        new
    }

    /// A staff change's event, when it concerns an organisation's users:
    /// a membership change. The others (users deactivated, emails retried,
    /// the taxonomy) are the back office's business and stay in the audit.
    pub fn of_admin(event: &AdminEvent, actor: Option<&Actor>, at: DateTime<Utc>) -> Option<Self> {
        match event {
            AdminEvent::MembershipChanged {
                organisation,
                from,
                to,
            } => {
                let mut new = Self::new(
                    EventType::MembershipChanged,
                    ObjectKind::Organisation,
                    *organisation.as_uuid(),
                    Audience::Organisation(*organisation),
                    actor,
                    at,
                );
                new.data.previous_status = Some(from.as_str().to_owned());
                new.data.status = Some(to.as_str().to_owned());
                Some(new)
            }
            _ => None,
        }
    }
}

/// A step's type and audience: the drafting and review of a request are the
/// buyer's; from its opening on, its invited suppliers follow it.
fn step(to: RequestStatus) -> (EventType, Audience) {
    use Audience as A;
    use EventType as T;
    match to {
        RequestStatus::Draft => (T::RequestReturnedToDraft, A::RequestBuyer),
        RequestStatus::Submitted => (T::RequestSubmitted, A::RequestBuyer),
        RequestStatus::Qualified => (T::RequestQualified, A::RequestBuyer),
        RequestStatus::ChangesRequested => (T::RequestChangesRequested, A::RequestBuyer),
        RequestStatus::Rejected => (T::RequestRejected, A::RequestBuyer),
        RequestStatus::Open => (T::RequestOpened, A::RequestParties),
        RequestStatus::Closed => (T::RequestClosed, A::RequestParties),
        RequestStatus::Awarded => (T::RequestAwarded, A::RequestParties),
        RequestStatus::Cancelled => (T::RequestCancelled, A::RequestParties),
    }
}

/// Who reads the feed: the back office, or the users of one organisation
/// (a webhook reads as its organisation does, or as the back office when
/// the cluster's admins registered it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    BackOffice,
    Buyer(OrganisationId),
    Supplier(OrganisationId),
}

impl Reader {
    pub fn of(actor: &Actor) -> Self {
        match (actor.is_back_office(), actor.affiliation) {
            (true, _) | (false, Affiliation::BackOffice) => Self::BackOffice,
            (false, Affiliation::Organisation { id, .. }) => match actor.role {
                PlatformRole::Supplier => Self::Supplier(id),
                _ => Self::Buyer(id),
            },
        }
    }

    pub fn of_organisation(id: OrganisationId, kind: OrganisationKind) -> Self {
        match kind {
            OrganisationKind::Buyer => Self::Buyer(id),
            OrganisationKind::Supplier => Self::Supplier(id),
        }
    }

    /// The visibility rule of the feed, the same as the reads': a buyer
    /// reads its own requests' events (not the experts' vetting); a
    /// supplier the events of requests it is invited to that concern all
    /// parties or its own answer, never another buyer's or supplier's; an
    /// organisation its own profile, certificates and membership; the back
    /// office everything. `invited` says whether a supplier reader was
    /// invited to the event's request (asked only for supplier readers).
    pub fn sees(
        self,
        audience: Audience,
        request: Option<RequestRef>,
        invited: impl FnOnce(SourcingRequestId) -> bool,
    ) -> bool {
        match self {
            Self::BackOffice => true,
            Self::Buyer(org) => match audience {
                Audience::RequestParties
                | Audience::RequestBuyer
                | Audience::RequestSupplier(_) => request.is_some_and(|r| r.buyer == org),
                Audience::BackOffice => false,
                Audience::Organisation(o) => o == org,
            },
            Self::Supplier(org) => match audience {
                Audience::RequestParties => request.is_some_and(|r| invited(r.id)),
                Audience::RequestSupplier(s) => s == org && request.is_some_and(|r| invited(r.id)),
                Audience::RequestBuyer | Audience::BackOffice => false,
                Audience::Organisation(o) => o == org,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sourcing::request::Transition;

    fn request_ref(buyer: OrganisationId) -> Option<RequestRef> {
        Some(RequestRef {
            id: SourcingRequestId::new(),
            buyer,
        })
    }

    #[test]
    fn type_names_are_unique_and_read_back() {
        let mut names: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(*t));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EventType::ALL.len());
        assert_eq!(
            EventType::parse("quote.revised"),
            Some(EventType::QuoteRevised)
        );
        assert_eq!(EventType::parse("quote"), None);
    }

    #[test]
    fn every_audience_reads_back_from_its_columns() {
        let org = OrganisationId::new();
        for a in [
            Audience::RequestParties,
            Audience::RequestBuyer,
            Audience::RequestSupplier(org),
            Audience::BackOffice,
            Audience::Organisation(org),
        ] {
            assert_eq!(Audience::parse(a.kind(), a.organisation()), Some(a));
        }
    }

    #[test]
    fn the_listed_readers_are_exactly_the_organisations_that_see_the_event() {
        let (buyer, invited, rival, outsider) = (
            OrganisationId::new(),
            OrganisationId::new(),
            OrganisationId::new(),
            OrganisationId::new(),
        );
        let request = request_ref(buyer);
        let is_invited = |id: SourcingRequestId| request.is_some_and(|r| r.id == id);
        for audience in [
            Audience::RequestParties,
            Audience::RequestBuyer,
            Audience::RequestSupplier(invited),
            Audience::RequestSupplier(outsider),
            Audience::BackOffice,
            Audience::Organisation(rival),
        ] {
            let listed = audience.readers(request, &[invited]);
            for org in [buyer, invited, rival, outsider] {
                // An organisation reads as a buyer or as a supplier.
                let reader = if org == buyer {
                    Reader::Buyer(org)
                } else {
                    Reader::Supplier(org)
                };
                let sees = reader.sees(audience, request, |id| org == invited && is_invited(id));
                assert_eq!(listed.contains(&org), sees, "{audience:?} {reader:?}");
            }
        }
    }

    #[test]
    fn a_buyer_reads_its_own_requests_but_never_the_vetting_nor_another_buyers() {
        let (mine, other) = (OrganisationId::new(), OrganisationId::new());
        let me = Reader::Buyer(mine);
        let s = OrganisationId::new();
        for a in [
            Audience::RequestParties,
            Audience::RequestBuyer,
            Audience::RequestSupplier(s),
        ] {
            assert!(me.sees(a, request_ref(mine), |_| false), "{a:?}");
            assert!(!me.sees(a, request_ref(other), |_| true), "{a:?}");
        }
        assert!(!me.sees(Audience::BackOffice, request_ref(mine), |_| true));
        assert!(me.sees(Audience::Organisation(mine), None, |_| false));
        assert!(!me.sees(Audience::Organisation(other), None, |_| false));
    }

    #[test]
    fn a_supplier_reads_invited_requests_and_only_its_own_answer() {
        let (me_org, rival, buyer) = (
            OrganisationId::new(),
            OrganisationId::new(),
            OrganisationId::new(),
        );
        let me = Reader::Supplier(me_org);
        let r = request_ref(buyer);
        assert!(me.sees(Audience::RequestParties, r, |_| true));
        assert!(
            !me.sees(Audience::RequestParties, r, |_| false),
            "not invited"
        );
        assert!(me.sees(Audience::RequestSupplier(me_org), r, |_| true));
        assert!(
            !me.sees(Audience::RequestSupplier(rival), r, |_| true),
            "a competitor's quote"
        );
        assert!(!me.sees(Audience::RequestBuyer, r, |_| true));
        assert!(!me.sees(Audience::BackOffice, r, |_| true));
        assert!(me.sees(Audience::Organisation(me_org), None, |_| false));
        assert!(!me.sees(Audience::Organisation(rival), None, |_| true));
    }

    #[test]
    fn the_back_office_reads_everything() {
        let r = request_ref(OrganisationId::new());
        for a in [
            Audience::RequestParties,
            Audience::RequestBuyer,
            Audience::BackOffice,
            Audience::Organisation(OrganisationId::new()),
        ] {
            assert!(Reader::BackOffice.sees(a, r, |_| false));
        }
    }

    /// Whether `event`'s data holds every field its type always carries
    /// and none its type does not list.
    fn fits_its_type(event: &NewEvent) -> bool {
        let allowed = event.event_type.data_fields();
        let present = event.data.present();
        present.iter().all(|f| allowed.iter().any(|(a, _)| a == f))
            && allowed
                .iter()
                .filter(|(_, always)| *always)
                .all(|(f, _)| present.contains(f))
    }

    #[test]
    fn events_carry_the_data_their_type_says() {
        let at = Utc::now();
        let expiring = NewEvent::certificate_expiring(
            CertificationId::new(),
            OrganisationId::new(),
            NaiveDate::from_ymd_opt(2027, 1, 31).expect("a date"),
            at,
        );
        assert!(fits_its_type(&expiring), "{expiring:?}");
        let membership = NewEvent::of_admin(
            &AdminEvent::MembershipChanged {
                organisation: OrganisationId::new(),
                from: crate::organisation::Membership::NotMember,
                to: crate::organisation::Membership::Member,
            },
            None,
            at,
        )
        .expect("a feed event");
        assert!(fits_its_type(&membership), "{membership:?}");
        let mut stray = expiring.clone();
        stray.data.revision = Some(1);
        assert!(!fits_its_type(&stray), "a field its type does not list");
        let mut short = expiring;
        short.data.valid_until = None;
        assert!(!fits_its_type(&short), "a field its type always carries");
    }

    #[test]
    fn a_requests_drafting_is_the_buyers_and_its_opening_the_parties() {
        let t = |from, to| Transition { from, to };
        assert_eq!(
            step(t(RequestStatus::Draft, RequestStatus::Submitted).to),
            (EventType::RequestSubmitted, Audience::RequestBuyer)
        );
        assert_eq!(
            step(RequestStatus::Open),
            (EventType::RequestOpened, Audience::RequestParties)
        );
    }
}
