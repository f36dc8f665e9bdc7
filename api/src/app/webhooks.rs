//! Webhook endpoints: registered by an organisation's owner (receiving what
//! the organisation's users read) or by an admin (the cluster's, receiving
//! everything), paused, resumed, re-keyed, deleted; their delivery log and
//! replays. Deliveries themselves are the `webhooks` worker's.

use domain::DomainError;
use domain::ValidationErrors;
use domain::account::PlatformRole;
use domain::auth::Actor;
use domain::ids::{DeliveryId, WebhookId};
use domain::organisation::OrganisationKind;
use domain::webhooks::{
    self as rules, Delivery, Webhook, WebhookChange, WebhookEvent, WebhookOwner, WebhookStatus,
    WebhookUrl,
};
use openapi::paging::{DeliveryPage, ListQuery, WebhookPage};
use openapi::webhooks::{CreateWebhookRequest, DeliveryView, WebhookView, WebhookWithSecret};
use persistence::{DbConnection, webhooks};

use crate::app::paging::{page, page_limit, parse_time_cursor, time_cursor};
use crate::app::publisher::Publisher;
use crate::error::ApiResult;
use crate::signature;
use crate::state::AppState;

pub fn view(hook: &Webhook) -> WebhookView {
    WebhookView {
        id: *hook.id.as_uuid(),
        organisation_id: hook.owner.organisation().map(|o| *o.as_uuid()),
        url: hook.url.as_str().to_owned(),
        event_types: hook.event_types.iter().map(|t| (*t).into()).collect(),
        status: hook.status.into(),
        failing_since: hook.failing_since,
        created_at: hook.created_at,
    }
}

fn delivery_view(d: &Delivery) -> DeliveryView {
    DeliveryView {
        id: *d.id.as_uuid(),
        event_id: *d.event.as_uuid(),
        event_type: d.event_type.into(),
        status: d.status.into(),
        attempts: d.attempts,
        last_status_code: d.last_status_code,
        last_latency_ms: d.last_latency_ms,
        last_response: d.last_response.clone(),
        last_error: d.last_error.clone(),
        next_attempt_at: d.next_attempt_at,
        created_at: d.created_at,
        delivered_at: d.delivered_at,
    }
}

/// The owner an actor registers for: its organisation, or the cluster for
/// an admin.
fn owner_of(actor: &Actor) -> ApiResult<WebhookOwner> {
    rules::may_register(actor)?;
    if actor.is_admin() {
        return Ok(WebhookOwner::Cluster);
    }
    let id = actor.organisation_id().ok_or(DomainError::Forbidden(
        "only an organisation's owner registers webhooks",
    ))?;
    let kind = match actor.role {
        PlatformRole::Supplier => OrganisationKind::Supplier,
        _ => OrganisationKind::Buyer,
    };
    Ok(WebhookOwner::Organisation { id, kind })
}

/// An endpoint the actor manages; anyone else is told it does not exist.
fn load(conn: &mut DbConnection, actor: &Actor, id: WebhookId) -> ApiResult<Webhook> {
    let hook = webhooks::find(conn, id)?.ok_or(DomainError::NotFound("webhook"))?;
    rules::may_manage(actor, hook.owner)?;
    Ok(hook)
}

pub async fn register(
    state: &AppState,
    actor: Actor,
    body: CreateWebhookRequest,
) -> ApiResult<WebhookWithSecret> {
    let owner = owner_of(&actor)?;
    actor.may_act_for_organisation()?;
    let policy = state.settings.outbound_policy;
    let mut errors = ValidationErrors::new();
    let url = errors.check("", WebhookUrl::parse(&body.url, policy));
    let event_types = errors.check("", rules::parse_event_types(&body.event_types));
    let (Some(url), Some(event_types)) = (url, event_types) else {
        return Err(errors.into());
    };
    if let Some(host) = url.domain()
        && let Some(ip) = crate::outbound::first_refused_address(policy, host).await
    {
        return Err(ValidationErrors::single(
            "url",
            "private_address",
            format!("{host} resolves to {ip}, a private, loopback or link-local address"),
        )
        .into());
    }
    let publisher = Publisher::new(state, Some(actor));
    let secret = signature::new_secret();
    state
        .transaction(move |conn| {
            rules::may_add_endpoint(webhooks::count_of_owner(conn, owner.organisation())?)?;
            let hook = Webhook {
                id: WebhookId::new(),
                owner,
                url,
                event_types,
                status: WebhookStatus::Active,
                failing_since: None,
                created_by: actor.user_id,
                created_at: publisher.now,
                updated_at: publisher.now,
            };
            webhooks::insert(conn, &hook, &secret)?;
            publisher.publish_webhook(
                conn,
                WebhookEvent {
                    webhook: hook.id,
                    change: WebhookChange::Registered {
                        url: hook.url.as_str().to_owned(),
                    },
                },
            )?;
            Ok(WebhookWithSecret {
                webhook: view(&hook),
                secret,
            })
        })
        .await
}

pub async fn list(state: &AppState, actor: Actor) -> ApiResult<WebhookPage> {
    let owner = owner_of(&actor)?;
    let hooks = state
        .read(move |conn| {
            Ok(match owner {
                WebhookOwner::Cluster => webhooks::all(conn)?,
                WebhookOwner::Organisation { id, .. } => webhooks::of_owner(conn, Some(id))?,
            })
        })
        .await?;
    Ok(WebhookPage {
        items: hooks.iter().map(view).collect(),
        next_cursor: None,
    })
}

pub async fn get(state: &AppState, actor: Actor, id: WebhookId) -> ApiResult<WebhookView> {
    let hook = state.read(move |conn| load(conn, &actor, id)).await?;
    Ok(view(&hook))
}

/// Pauses or resumes an endpoint; resuming a disabled one starts a fresh
/// failure window (what failed before stays failed: replay it).
pub async fn set_paused(
    state: &AppState,
    actor: Actor,
    id: WebhookId,
    paused: bool,
) -> ApiResult<WebhookView> {
    actor.may_act_for_organisation()?;
    let publisher = Publisher::new(state, Some(actor));
    state
        .transaction(move |conn| {
            let hook = load(conn, &actor, id)?;
            let (status, change) = if paused {
                (WebhookStatus::Paused, WebhookChange::Paused)
            } else {
                (WebhookStatus::Active, WebhookChange::Resumed)
            };
            if hook.status != status {
                webhooks::set_status(conn, id, status, publisher.now)?;
                publisher.publish_webhook(
                    conn,
                    WebhookEvent {
                        webhook: id,
                        change,
                    },
                )?;
            }
            let hook = webhooks::find(conn, id)?.ok_or(DomainError::NotFound("webhook"))?;
            Ok(view(&hook))
        })
        .await
}

pub async fn rotate_secret(
    state: &AppState,
    actor: Actor,
    id: WebhookId,
) -> ApiResult<WebhookWithSecret> {
    actor.may_act_for_organisation()?;
    let publisher = Publisher::new(state, Some(actor));
    let secret = signature::new_secret();
    state
        .transaction(move |conn| {
            let hook = load(conn, &actor, id)?;
            webhooks::set_secret(conn, id, &secret, publisher.now)?;
            publisher.publish_webhook(
                conn,
                WebhookEvent {
                    webhook: id,
                    change: WebhookChange::SecretRotated,
                },
            )?;
            Ok(WebhookWithSecret {
                webhook: view(&hook),
                secret,
            })
        })
        .await
}

pub async fn delete(state: &AppState, actor: Actor, id: WebhookId) -> ApiResult<()> {
    actor.may_act_for_organisation()?;
    let publisher = Publisher::new(state, Some(actor));
    state
        .transaction(move |conn| {
            load(conn, &actor, id)?;
            webhooks::delete(conn, id)?;
            publisher.publish_webhook(
                conn,
                WebhookEvent {
                    webhook: id,
                    change: WebhookChange::Deleted,
                },
            )
        })
        .await
}

/// The list name a delivery log's cursors carry.
const DELIVERIES: &str = "webhook_deliveries";

pub async fn deliveries(
    state: &AppState,
    actor: Actor,
    id: WebhookId,
    query: ListQuery,
) -> ApiResult<DeliveryPage> {
    let limit = page_limit(query.limit)?;
    let list = format!("{DELIVERIES}:{id}");
    let before = parse_time_cursor(query.cursor, &list)?;
    let rows = state
        .read(move |conn| {
            load(conn, &actor, id)?;
            Ok(webhooks::log(conn, id, before, limit + 1)?)
        })
        .await?;
    let (log, next_cursor) = page(rows, limit, |d| time_cursor(&list, d.created_at, d.id));
    Ok(DeliveryPage {
        items: log.iter().map(delivery_view).collect(),
        next_cursor,
    })
}

/// Queues a delivered or failed delivery's event again, as a new delivery
/// with the same event (and `webhook-id`: a receiver that already has it
/// may skip it).
pub async fn replay(
    state: &AppState,
    actor: Actor,
    id: WebhookId,
    delivery: DeliveryId,
) -> ApiResult<DeliveryView> {
    actor.may_act_for_organisation()?;
    let publisher = Publisher::new(state, Some(actor));
    state
        .transaction(move |conn| {
            load(conn, &actor, id)?;
            let (_, position) = webhooks::find_delivery(conn, id, delivery)?
                .ok_or(DomainError::NotFound("delivery"))?;
            let event = persistence::events::at(conn, position)?
                .ok_or(DomainError::NotFound("delivery"))?;
            let replayed = webhooks::enqueue(conn, id, &event, publisher.now)?;
            publisher.publish_webhook(
                conn,
                WebhookEvent {
                    webhook: id,
                    change: WebhookChange::DeliveryReplayed { delivery },
                },
            )?;
            let (new, _) = webhooks::find_delivery(conn, id, replayed)?
                .ok_or(DomainError::NotFound("delivery"))?;
            Ok(delivery_view(&new))
        })
        .await
}
