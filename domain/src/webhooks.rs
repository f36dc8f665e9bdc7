//! Endpoints that members register to receive the events they may read,
//! and the rules of their deliveries: who manages them, which URLs they may
//! name, when a failing delivery is retried and when an endpoint that keeps
//! failing is disabled.

use chrono::{DateTime, TimeDelta, Utc};

use crate::account::{Affiliation, OrgRole};
use crate::auth::Actor;
use crate::error::DomainError;
use crate::events::{EventType, Reader};
use crate::ids::{DeliveryId, EventId, OrganisationId, UserId, WebhookId};
use crate::organisation::OrganisationKind;
use crate::outbound::OutboundPolicy;
use crate::validation::{Validated, ValidationErrors};

/// An endpoint failing without a single success for this long is disabled
/// and its owner emailed.
pub const FAILURE_WINDOW: TimeDelta = TimeDelta::days(3);

/// Most endpoints an organisation (or the cluster) may register.
pub const MAX_ENDPOINTS: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookStatus {
    Active,
    /// Paused by its owner: events are still queued, delivered on resume.
    Paused,
    /// Failed for the whole [`FAILURE_WINDOW`]: nothing is queued for it
    /// until its owner resumes it.
    Disabled,
}

impl WebhookStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "active" => Some(Self::Active),
            "paused" => Some(Self::Paused),
            "disabled" => Some(Self::Disabled),
            _ => None,
        }
    }
}

/// Whose endpoint it is, which decides what it receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookOwner {
    /// An organisation's: it receives what the organisation's users read.
    Organisation {
        id: OrganisationId,
        kind: OrganisationKind,
    },
    /// The cluster's, registered by an admin: it receives every event.
    Cluster,
}

impl WebhookOwner {
    pub fn reader(self) -> Reader {
        match self {
            Self::Organisation { id, kind } => Reader::of_organisation(id, kind),
            Self::Cluster => Reader::BackOffice,
        }
    }

    pub fn organisation(self) -> Option<OrganisationId> {
        match self {
            Self::Organisation { id, .. } => Some(id),
            Self::Cluster => None,
        }
    }
}

/// A registered endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: WebhookId,
    pub owner: WebhookOwner,
    pub url: WebhookUrl,
    /// The types it receives; every type when empty.
    pub event_types: Vec<EventType>,
    pub status: WebhookStatus,
    /// Since when every attempt failed; `None` after a success.
    pub failing_since: Option<DateTime<Utc>>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Webhook {
    pub fn wants(&self, event_type: EventType) -> bool {
        self.event_types.is_empty() || self.event_types.contains(&event_type)
    }

    /// Whether a failure at `now` ends the endpoint's failure window.
    pub fn failed_too_long(&self, now: DateTime<Utc>) -> bool {
        self.failing_since
            .is_some_and(|since| now - since >= FAILURE_WINDOW)
    }
}

/// Where one event's delivery to one endpoint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// Claimed by a worker, whose lease ends at `locked_until`.
    Sending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Given up: the endpoint was disabled after its failure window.
    Failed,
}

impl DeliveryStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(Self::Pending),
            "sending" => Some(Self::Sending),
            "delivered" => Some(Self::Delivered),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// One event's delivery to one endpoint, as its log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: DeliveryId,
    pub webhook: WebhookId,
    pub event: EventId,
    pub event_type: EventType,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// The last attempt's HTTP status, when the endpoint answered.
    pub last_status_code: Option<i32>,
    pub last_latency_ms: Option<i64>,
    /// The start of the last answer's body (at most 1 KiB).
    pub last_response: Option<String>,
    /// Why the last attempt failed (no answer, refused address...).
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// Who manages which endpoints: an organisation's owners manage its own,
/// admins any (and the cluster's). Anyone else is told none exists.
pub fn may_manage(actor: &Actor, owner: WebhookOwner) -> Result<(), DomainError> {
    if actor.is_admin() {
        return Ok(());
    }
    match (owner, actor.affiliation) {
        (
            WebhookOwner::Organisation { id, .. },
            Affiliation::Organisation {
                id: mine,
                role: OrgRole::Owner,
            },
        ) if id == mine => Ok(()),
        _ => Err(DomainError::NotFound("webhook")),
    }
}

/// Who may register an endpoint at all: an organisation's owner (for it)
/// or an admin (for the cluster).
pub fn may_register(actor: &Actor) -> Result<(), DomainError> {
    match actor.affiliation {
        _ if actor.is_admin() => Ok(()),
        Affiliation::Organisation {
            role: OrgRole::Owner,
            ..
        } => Ok(()),
        _ => Err(DomainError::Forbidden(
            "only an organisation's owner or an admin registers webhooks",
        )),
    }
}

/// An owner registers at most [`MAX_ENDPOINTS`] endpoints; `registered`
/// is how many it has.
pub fn may_add_endpoint(registered: usize) -> Result<(), DomainError> {
    if registered < MAX_ENDPOINTS {
        Ok(())
    } else {
        Err(DomainError::Conflict {
            code: "webhook_limit_reached",
            message: format!("at most {MAX_ENDPOINTS} webhook endpoints; delete one first"),
        })
    }
}

/// When a delivery that failed its `attempts`-th time is tried again: soon
/// at first (a receiver restarting), then spaced out up to every six hours,
/// so that a failing endpoint costs little over its three days.
pub fn next_attempt(attempts: i32, now: DateTime<Utc>) -> DateTime<Utc> {
    const SCHEDULE: [i64; 8] = [5, 30, 120, 600, 1_800, 3_600, 3 * 3_600, 6 * 3_600];
    let index = usize::try_from(attempts.max(1) - 1).unwrap_or(0);
    let seconds = SCHEDULE[index.min(SCHEDULE.len() - 1)];
    now + TimeDelta::seconds(seconds)
}

/// An endpoint's URL: `https` (or `http` where the policy allows it), a
/// host, no credentials, at most 2 000 characters. Where it points is
/// checked again at each delivery, on every address the name resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(url::Url);

impl WebhookUrl {
    pub fn parse(raw: &str, policy: OutboundPolicy) -> Validated<Self> {
        let refuse = |code, message: &str| Err(ValidationErrors::single("url", code, message));
        if raw.chars().count() > 2_000 {
            return refuse("too_long", "at most 2000 characters");
        }
        let Ok(url) = url::Url::parse(raw.trim()) else {
            return refuse(
                "invalid_url",
                "an absolute URL such as https://example.com/hook",
            );
        };
        let scheme_ok = match url.scheme() {
            "https" => true,
            "http" => policy.allows_http(),
            _ => false,
        };
        if !scheme_ok {
            return refuse("https_url_required", "webhook URLs are https:// URLs");
        }
        if url.host().is_none() || !url.username().is_empty() || url.password().is_some() {
            return refuse("invalid_url", "a URL with a host and no credentials");
        }
        if let Some(host) = url.host()
            && let Some(ip) = match host {
                url::Host::Ipv4(v4) => Some(std::net::IpAddr::V4(v4)),
                url::Host::Ipv6(v6) => Some(std::net::IpAddr::V6(v6)),
                url::Host::Domain(_) => None,
            }
            && !policy.allows(ip)
        {
            return refuse(
                "private_address",
                "the URL points to a private, loopback or link-local address",
            );
        }
        Ok(Self(url))
    }

    /// Reads back a stored URL, which passed [`WebhookUrl::parse`].
    pub fn stored(raw: &str) -> Option<Self> {
        url::Url::parse(raw).ok().map(Self)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The host name when it is a name, not an address literal.
    pub fn domain(&self) -> Option<&str> {
        self.0.domain()
    }
}

/// The event types of a subscription: known names, each once, at most all
/// of them; empty means every type.
pub fn parse_event_types(raw: &[String]) -> Validated<Vec<EventType>> {
    let mut errors = ValidationErrors::new();
    errors.at_most("event_types", raw, EventType::ALL.len());
    let mut types = Vec::new();
    for (i, name) in raw.iter().enumerate() {
        match EventType::parse(name) {
            Some(t) if !types.contains(&t) => types.push(t),
            Some(_) => {}
            None => errors.add(
                format!("event_types/{i}"),
                "unknown_event_type",
                format!("{name:?} is no event type"),
            ),
        }
    }
    errors.into_result(|| types)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::PlatformRole;

    fn codes(result: Validated<WebhookUrl>) -> Vec<&'static str> {
        result
            .err()
            .map(|e| e.errors().iter().map(|f| f.code).collect())
            .unwrap_or_default()
    }

    #[test]
    fn production_urls_are_https_to_public_hosts() {
        let strict = OutboundPolicy::Strict;
        assert!(WebhookUrl::parse("https://erp.example.com/hooks/pmt", strict).is_ok());
        assert_eq!(
            codes(WebhookUrl::parse("http://erp.example.com/", strict)),
            ["https_url_required"]
        );
        for private in [
            "https://127.0.0.1/",
            "https://10.0.0.1/",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]:8443/",
        ] {
            assert_eq!(
                codes(WebhookUrl::parse(private, strict)),
                ["private_address"],
                "{private}"
            );
        }
        assert_eq!(
            codes(WebhookUrl::parse("https://user:pw@example.com/", strict)),
            ["invalid_url"]
        );
        assert_eq!(
            codes(WebhookUrl::parse("not a url", strict)),
            ["invalid_url"]
        );
        assert_eq!(
            codes(WebhookUrl::parse("ftp://example.com/", strict)),
            ["https_url_required"]
        );
    }

    #[test]
    fn development_allows_a_local_receiver() {
        assert!(WebhookUrl::parse("http://127.0.0.1:9000/hook", OutboundPolicy::Local).is_ok());
    }

    #[test]
    fn retries_space_out_and_stop_growing() {
        let now = Utc::now();
        assert_eq!(next_attempt(1, now) - now, TimeDelta::seconds(5));
        assert_eq!(next_attempt(2, now) - now, TimeDelta::seconds(30));
        assert_eq!(next_attempt(50, now) - now, TimeDelta::hours(6));
    }

    #[test]
    fn an_endpoint_is_disabled_after_three_days_of_failures() {
        let now = Utc::now();
        let mut hook = Webhook {
            id: WebhookId::new(),
            owner: WebhookOwner::Cluster,
            url: WebhookUrl::parse("https://example.com/", OutboundPolicy::Strict).expect("url"),
            event_types: vec![],
            status: WebhookStatus::Active,
            failing_since: None,
            created_by: UserId::new(),
            created_at: now,
            updated_at: now,
        };
        assert!(!hook.failed_too_long(now));
        hook.failing_since = Some(now - TimeDelta::days(2));
        assert!(!hook.failed_too_long(now));
        hook.failing_since = Some(now - TimeDelta::days(3));
        assert!(hook.failed_too_long(now));
        assert!(hook.wants(EventType::QuoteRevised), "empty means all");
    }

    #[test]
    fn owners_manage_their_organisations_endpoints_and_admins_all() {
        let org = OrganisationId::new();
        let owner_of = |id, role| Actor {
            user_id: UserId::new(),
            role: PlatformRole::Buyer,
            affiliation: Affiliation::Organisation { id, role },
            email_verified: true,
            organisation_suspended: false,
        };
        let hook = WebhookOwner::Organisation {
            id: org,
            kind: OrganisationKind::Buyer,
        };
        assert!(may_manage(&owner_of(org, OrgRole::Owner), hook).is_ok());
        assert!(may_manage(&owner_of(org, OrgRole::Member), hook).is_err());
        assert!(may_manage(&owner_of(OrganisationId::new(), OrgRole::Owner), hook).is_err());
        assert!(may_manage(&owner_of(org, OrgRole::Owner), WebhookOwner::Cluster).is_err());
        assert!(may_register(&owner_of(org, OrgRole::Member)).is_err());
    }

    #[test]
    fn event_types_are_known_names() {
        let parsed = parse_event_types(&["quote.revised".into(), "quote.revised".into()]);
        assert_eq!(parsed.ok(), Some(vec![EventType::QuoteRevised]));
        let refused = parse_event_types(&["quote.eaten".into()]).expect_err("refused");
        assert_eq!(refused.errors()[0].field, "event_types/0");
    }
}

/// The audit subject of an endpoint's history.
pub const SUBJECT: &str = "webhook";

/// What happened to an endpoint; each change leaves its audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "an event is the change's audit entry: publish it"]
pub struct WebhookEvent {
    pub webhook: WebhookId,
    pub change: WebhookChange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookChange {
    Registered {
        url: String,
    },
    Paused,
    Resumed,
    SecretRotated,
    Deleted,
    /// By the platform, at the end of the failure window.
    Disabled,
    DeliveryReplayed {
        delivery: DeliveryId,
    },
}

impl WebhookEvent {
    pub fn audit_entry(
        &self,
        actor: Option<UserId>,
        at: DateTime<Utc>,
    ) -> crate::audit::AuditEntry {
        use crate::audit::AuditEntry;
        let entry = |action: &str| AuditEntry::new(actor, action, SUBJECT, self.webhook, at);
        match &self.change {
            WebhookChange::Registered { url } => entry("webhook.registered")
                .transition(None, WebhookStatus::Active.as_str())
                .note(Some(url.clone()), false),
            WebhookChange::Paused => entry("webhook.paused").transition(None, "paused"),
            WebhookChange::Resumed => entry("webhook.resumed").transition(None, "active"),
            WebhookChange::SecretRotated => entry("webhook.secret_rotated"),
            WebhookChange::Deleted => entry("webhook.deleted").transition(None, "deleted"),
            WebhookChange::Disabled => entry("webhook.disabled")
                .transition(Some("active"), "disabled")
                .note(
                    Some("failed for 3 days without a success".to_owned()),
                    false,
                ),
            WebhookChange::DeliveryReplayed { delivery } => {
                entry("webhook.delivery_replayed").note(Some(delivery.to_string()), false)
            }
        }
    }
}
