//! The one shape of every collection: `{ "items": [...], "next_cursor": ... }`,
//! read with `?limit=&cursor=`. One named schema per item type (generated
//! here) so that generated clients get readable type names.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::UserView;
use crate::admin::NotificationView;
use crate::audit::AuditEntryView;
use crate::directory::{CertificationQueueItem, ProfileQueueItem};
use crate::files::{FileView, NdaAcceptanceView};
use crate::inbox::InboxItemView;
use crate::sourcing::{
    AnswerRow, ConnectionView, MatchQueueItem, MatchView, QuestionView, QuoteView,
    RequestQueueItem, RequestView,
};
use crate::webhooks::{DeliveryView, WebhookView};

/// Items per page when `limit` is absent, and the most a page holds.
pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

macro_rules! pages {
    ($($(#[$doc:meta])* $name:ident of $item:ty;)+) => {$(
        $(#[$doc])*
        #[derive(Debug, Serialize, Deserialize, ToSchema)]
        pub struct $name {
            /// At most `limit` items, in the list's order.
            pub items: Vec<$item>,
            /// Opaque: pass it back as `cursor` for the next page; null on
            /// the last page (always present).
            #[schema(required = true)]
            pub next_cursor: Option<String>,
        }
    )+};
}

pages! {
    /// Requests the caller sees, in the order `sort` asks.
    RequestPage of RequestView;
    /// Requests waiting for the back office, longest waiting first.
    RequestQueue of RequestQueueItem;
    /// Matches waiting for an expert's decision, oldest first.
    MatchQueue of MatchQueueItem;
    /// Profiles waiting for review, oldest submission first.
    ProfileQueue of ProfileQueueItem;
    /// Certificates waiting for a check, longest waiting first.
    CertificationQueue of CertificationQueueItem;
    /// Users, by email.
    UserPage of UserView;
    /// Outgoing emails, newest first.
    NotificationPage of NotificationView;
    /// An object's history, oldest first.
    AuditEntryPage of AuditEntryView;
    /// A request's matches, best score first.
    MatchPage of MatchView;
    /// A request's questions, oldest first.
    QuestionPage of QuestionView;
    /// Suppliers' answers to a request, in invitation order.
    AnswerPage of AnswerRow;
    /// A supplier's quote revisions, oldest first.
    QuotePage of QuoteView;
    /// Connections of an awarded request.
    ConnectionPage of ConnectionView;
    /// Webhook endpoints, oldest first: one page (an organisation keeps at
    /// most 10).
    WebhookPage of WebhookView;
    /// An endpoint's deliveries, newest first.
    DeliveryPage of DeliveryView;
    /// A request's documents, in attachment order: one page (the buyer's
    /// quota bounds them).
    FilePage of FileView;
    /// Who accepted a request's NDA: one page (at most its invited
    /// suppliers).
    NdaAcceptancePage of NdaAcceptanceView;
    /// The user's in-app notifications, newest first.
    InboxPage of InboxItemView;
}

/// `?limit=&cursor=` of a list that takes no other parameter.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// The previous page's `next_cursor`; absent for the first page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
}
