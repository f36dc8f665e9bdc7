//! Webhook endpoints and their delivery log on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use domain::webhooks::{
    DeliveryStatus as DomainDeliveryStatus, WebhookStatus as DomainWebhookStatus,
};

use crate::events::EventType;

/// An endpoint's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookStatus {
    /// Receives deliveries.
    Active,
    /// Paused by its owner: events are kept and delivered on resume.
    Paused,
    /// Failed for 3 days without a success: nothing is queued until its
    /// owner resumes it (its owners were emailed).
    Disabled,
}

impl From<DomainWebhookStatus> for WebhookStatus {
    fn from(value: DomainWebhookStatus) -> Self {
        match value {
            DomainWebhookStatus::Active => Self::Active,
            DomainWebhookStatus::Paused => Self::Paused,
            DomainWebhookStatus::Disabled => Self::Disabled,
        }
    }
}

/// Where one delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookDeliveryStatus {
    Pending,
    Sending,
    Delivered,
    Failed,
}

impl From<DomainDeliveryStatus> for WebhookDeliveryStatus {
    fn from(value: DomainDeliveryStatus) -> Self {
        match value {
            DomainDeliveryStatus::Pending => Self::Pending,
            DomainDeliveryStatus::Sending => Self::Sending,
            DomainDeliveryStatus::Delivered => Self::Delivered,
            DomainDeliveryStatus::Failed => Self::Failed,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookRequest {
    /// An `https://` URL (plain `http://` and local addresses only on a
    /// development server).
    pub url: String,
    /// The event types to receive; every type the owner may read when
    /// empty or absent.
    #[serde(default)]
    #[schema(value_type = Vec<EventType>)]
    pub event_types: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookView {
    pub id: Uuid,
    /// The organisation whose events it receives; absent for the cluster's
    /// (registered by an admin, receives every event).
    pub organisation_id: Option<Uuid>,
    pub url: String,
    pub event_types: Vec<EventType>,
    pub status: WebhookStatus,
    /// Since when every attempt failed; absent after a success.
    #[serde(serialize_with = "crate::timestamp::micros_opt")]
    pub failing_since: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::timestamp::micros")]
    pub created_at: DateTime<Utc>,
}

/// A new endpoint, or a new secret: the secret is shown this once.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookWithSecret {
    pub webhook: WebhookView,
    /// `whsec_` and base64: the key of `webhook-signature` (Standard
    /// Webhooks). Store it now: it is never shown again.
    pub secret: String,
}

/// One event's delivery to an endpoint.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliveryView {
    pub id: Uuid,
    /// The event's id, sent as `webhook-id`.
    pub event_id: Uuid,
    pub event_type: EventType,
    pub status: WebhookDeliveryStatus,
    pub attempts: i32,
    /// The last attempt's HTTP status, when the endpoint answered.
    pub last_status_code: Option<i32>,
    /// How long the last attempt took, in milliseconds.
    pub last_latency_ms: Option<i64>,
    /// The start of the last answer's body (at most 1 KiB).
    pub last_response: Option<String>,
    /// Why the last attempt failed, when it did.
    pub last_error: Option<String>,
    #[serde(serialize_with = "crate::timestamp::micros_opt")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::timestamp::micros")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::timestamp::micros_opt")]
    pub delivered_at: Option<DateTime<Utc>>,
}
