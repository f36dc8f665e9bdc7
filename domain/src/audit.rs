//! The audit trail: every state change that matters says who did it, when,
//! from which state to which, and why.

use chrono::{DateTime, Utc};

use crate::ids::{AuditEntryId, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: AuditEntryId,
    /// `None` for the system itself (a background job, the CLI).
    pub actor: Option<UserId>,
    /// Stable action name, e.g. `organisation.registered`.
    pub action: String,
    /// What the action was about, e.g. (`organisation`, its id).
    pub subject_type: &'static str,
    pub subject_id: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub note: Option<String>,
    /// Internal entries (experts' notes) are never shown to buyers or suppliers.
    pub internal: bool,
    pub at: DateTime<Utc>,
}

impl AuditEntry {
    pub fn new(
        actor: Option<UserId>,
        action: &str,
        subject_type: &'static str,
        subject_id: impl ToString,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            id: AuditEntryId::new(),
            actor,
            action: action.to_owned(),
            subject_type,
            subject_id: subject_id.to_string(),
            from_state: None,
            to_state: None,
            note: None,
            internal: false,
            at,
        }
    }

    pub fn transition(mut self, from: Option<&str>, to: &str) -> Self {
        self.from_state = from.map(str::to_owned);
        self.to_state = Some(to.to_owned());
        self
    }

    pub fn note(mut self, note: Option<String>, internal: bool) -> Self {
        self.note = note;
        self.internal = internal;
        self
    }
}
