use crate::vocabulary::{DeliveryStatus, Language, Membership, NotificationKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipRequest {
    /// `member` or `not_member`.
    #[schema(value_type = Membership)]
    pub membership: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NotificationView {
    pub id: uuid::Uuid,
    pub kind: NotificationKind,
    pub recipient: String,
    pub language: Language,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    #[serde(serialize_with = "crate::timestamp::micros")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[serde(serialize_with = "crate::timestamp::micros_opt")]
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NotificationListQuery {
    /// Only messages in this status (`failed` to see what needs a retry).
    #[param(value_type = Option<DeliveryStatus>)]
    pub status: Option<String>,
    /// The previous page's `next_cursor`; absent for the first page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
}
