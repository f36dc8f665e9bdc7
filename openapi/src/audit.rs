use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// One step of an object's history.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditEntryView {
    #[serde(serialize_with = "crate::timestamp::micros")]
    pub at: DateTime<Utc>,
    /// Stable action name, e.g. `profile.approved`.
    pub action: String,
    /// Absent for actions of the platform itself.
    pub actor_id: Option<Uuid>,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub note: Option<String>,
}

impl From<&domain::audit::AuditEntry> for AuditEntryView {
    fn from(entry: &domain::audit::AuditEntry) -> Self {
        Self {
            at: entry.at,
            action: entry.action.clone(),
            actor_id: entry.actor.map(|a| *a.as_uuid()),
            from_state: entry.from_state.clone(),
            to_state: entry.to_state.clone(),
            note: entry.note.clone(),
        }
    }
}
