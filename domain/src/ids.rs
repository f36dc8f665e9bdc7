//! Typed identifiers: an `OrganisationId` can never be passed where a
//! `UserId` is expected, although both are UUIDs stored as text.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    )+};
}

typed_id!(
    /// A buyer or supplier organisation.
    OrganisationId,
    /// A person who logs in.
    UserId,
    /// One refresh token of a login session.
    RefreshTokenId,
    /// All refresh tokens descended from one login: reuse of a rotated token
    /// revokes the whole family.
    TokenFamilyId,
    /// A single-use token sent by email (verification, reset).
    OneTimeTokenId,
    /// An invitation to join an organisation.
    InvitationId,
    /// One entry of the audit trail.
    AuditEntryId,
);

typed_id!(
    /// An email waiting in (or delivered from) the outbox.
    NotificationId,
    /// One in-app notification of one user (`GET /me/notifications`).
    InboxItemId,
);

typed_id!(
    /// A certificate declared by a supplier.
    CertificationId,
);

typed_id!(
    /// A buyer's sourcing request (RFQ).
    SourcingRequestId,
    /// A supplier proposed for a request, vetted by an expert.
    MatchId,
    /// One revision of a supplier's quote.
    QuoteId,
    /// A supplier's clarification question on a request.
    QuestionId,
);

typed_id!(
    /// One event of the change feed; a webhook delivery's `webhook-id`.
    EventId,
    /// An endpoint registered to receive events.
    WebhookId,
    /// One event to deliver to one endpoint, and its attempts.
    DeliveryId,
    /// An uploaded document.
    FileId,
);
