//! In-app notifications: what a user was told of, newest first, with read
//! state. A user is addressed exactly as the emails address them (see
//! `app::outbox`); the rows are the user's own and no role reads another
//! user's, so every operation here is keyed by the caller's user id.
//!
//! Marking read leaves no audit entry: it changes nothing anyone else
//! sees, only the caller's own badge.

use anyhow::anyhow;
use domain::account::Language;
use domain::auth::Actor;
use domain::ids::InboxItemId;
use openapi::inbox::{InboxItemView, UnreadCount};
use openapi::paging::{InboxPage, ListQuery};
use persistence::inbox::{self, InboxItem};
use persistence::{DbConnection, accounts};

use crate::app::paging::{page, page_limit, parse_time_cursor, time_cursor};
use crate::email::mail::Mail;
use crate::email::templates;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

const LIST: &str = "inbox";

/// The item in `language`, worded as its email.
fn view(item: &InboxItem, language: Language) -> ApiResult<InboxItemView> {
    let mail = Mail::from_outbox(item.kind, &item.payload)
        .map_err(|e| anyhow!("inbox item {} unreadable: {e}", item.id))?
        .mail;
    let headline = templates::headline(&mail, language)
        .map_err(|e| anyhow!("inbox item {} does not render: {e}", item.id))?;
    Ok(InboxItemView {
        id: *item.id.as_uuid(),
        kind: item.kind.into(),
        title: headline.title,
        action: headline.action.map(str::to_owned),
        link: mail.link().to_owned(),
        read: item.read_at.is_some(),
        created_at: item.created_at,
        read_at: item.read_at,
    })
}

/// The language the caller reads in: their preference, read now (it may
/// have changed since the notification was written).
fn language(conn: &mut DbConnection, actor: &Actor) -> ApiResult<Language> {
    Ok(accounts::find_user(conn, actor.user_id)?
        .ok_or_else(|| ApiError::from(anyhow!("authenticated user {} not found", actor.user_id)))?
        .language)
}

pub async fn list(state: &AppState, actor: Actor, query: ListQuery) -> ApiResult<InboxPage> {
    let limit = page_limit(query.limit)?;
    let before = parse_time_cursor(query.cursor, LIST)?;
    state
        .read(move |conn| {
            let language = language(conn, &actor)?;
            let rows = inbox::page(conn, actor.user_id, before, limit + 1)?;
            let (items, next_cursor) = page(rows, limit, |i| time_cursor(LIST, i.created_at, i.id));
            Ok(InboxPage {
                items: items
                    .iter()
                    .map(|i| view(i, language))
                    .collect::<ApiResult<_>>()?,
                next_cursor,
            })
        })
        .await
}

pub async fn unread_count(state: &AppState, actor: Actor) -> ApiResult<UnreadCount> {
    state
        .read(move |conn| {
            Ok(UnreadCount {
                unread_count: inbox::unread_count(conn, actor.user_id)?,
            })
        })
        .await
}

/// Marks one of the caller's notifications read (again: no change). Another
/// user's is 404, as a missing one.
pub async fn mark_read(state: &AppState, actor: Actor, id: InboxItemId) -> ApiResult<()> {
    let now = state.clock.now();
    state
        .transaction(move |conn| {
            if inbox::mark_read(conn, actor.user_id, id, now)? {
                Ok(())
            } else {
                Err(ApiError::not_found("notification"))
            }
        })
        .await
}

pub async fn mark_all_read(state: &AppState, actor: Actor) -> ApiResult<()> {
    let now = state.clock.now();
    state
        .transaction(move |conn| {
            inbox::mark_all_read(conn, actor.user_id, now)?;
            Ok(())
        })
        .await
}
