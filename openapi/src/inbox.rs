//! In-app notifications on the wire (`GET /api/v1/me/notifications`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::vocabulary::NotificationKind;

/// One thing the user was told of: the same as the email about it (whether
/// or not they declined emails), its text in the user's language.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InboxItemView {
    pub id: uuid::Uuid,
    /// What it is about, as the email's kind (`request_qualified`...).
    pub kind: NotificationKind,
    /// The email's subject, in the user's language (`PATCH /me/preferences`).
    pub title: String,
    /// The label of the email's button, null when it has none.
    pub action: Option<String>,
    /// The frontend page the email links to.
    pub link: String,
    pub read: bool,
    #[serde(serialize_with = "crate::timestamp::micros")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When the user marked it read; null while unread.
    #[serde(serialize_with = "crate::timestamp::micros_opt")]
    pub read_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// How many of the user's notifications are unread (the badge).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UnreadCount {
    pub unread_count: i64,
}
