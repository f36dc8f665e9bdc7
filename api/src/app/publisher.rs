//! Where what happened becomes what it leaves behind. Domain methods
//! return events (`RequestEvent`, `ProfileEvent`, `CertificateEvent`,
//! `AccountEvent`, `SessionEvent`, `AdminEvent`); a use case saves its
//! change and hands the event to [`Publisher`], which writes the audit
//! entry, queues the emails, appends the change feed's event and queues its
//! webhook deliveries, all in the same transaction. Events are
//! `#[must_use]`, so a use case that forgets to publish does not compile
//! under `-D warnings`.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use domain::account_events::AccountEvent;
use domain::admin_events::AdminEvent;
use domain::auth::Actor;
use domain::certificate_events::CertificateEvent;
use domain::documents::DocumentEvent;
use domain::events::{Event, NewEvent, Reader};
use domain::ids::OrganisationId;
use domain::profile_events::{ProfileEvent, ProfileStep};
use domain::session_events::SessionEvent;
use domain::sourcing::{RequestEvent, SourcingRequest};
use domain::webhooks::WebhookEvent;
use persistence::{DbConnection, accounts, audit, events, webhooks};

use crate::app::{accounts as account_emails, profiles, sourcing};
use crate::email::links::FrontendLinks;
use crate::error::ApiResult;
use crate::state::AppState;

/// Who acts and when, and where emails' links point: what publishing a
/// request's events needs besides the events. A use case makes one before
/// its transaction and takes its `now` for the domain's steps.
#[derive(Debug, Clone)]
pub struct Publisher {
    /// `None` for the platform itself (the deadline job).
    pub actor: Option<Actor>,
    pub now: DateTime<Utc>,
    /// Where emails' links point (`FRONTEND_BASE_URL`).
    links: FrontendLinks,
}

impl Publisher {
    pub fn new(state: &AppState, actor: Option<Actor>) -> Self {
        Self {
            actor,
            now: state.clock.now(),
            links: state.settings.frontend.clone(),
        }
    }

    /// The one place a request's event becomes what it leaves behind, in
    /// the caller's transaction: its entry in the request's history and
    /// the emails it causes (`sourcing::emails::of`).
    pub fn publish(
        &self,
        conn: &mut DbConnection,
        request: &SourcingRequest,
        event: RequestEvent,
    ) -> ApiResult<()> {
        let suppliers = event.named_suppliers();
        let names: HashMap<_, _> = if suppliers.is_empty() {
            HashMap::new()
        } else {
            accounts::find_organisations(conn, &suppliers)?
                .into_iter()
                .map(|o| (o.id, o.legal_name))
                .collect()
        };
        let entry = event.audit_entry(
            self.actor.map(|a| a.user_id),
            request.id,
            |supplier| names.get(&supplier).cloned(),
            self.now,
        );
        audit::record(conn, &entry)?;
        self.feed(
            conn,
            NewEvent::of_request(request, &event, self.actor.as_ref(), self.now),
        )?;
        sourcing::emails::of(conn, &self.links, request, &event, self.now)
    }

    /// Appends an event to the change feed and queues its delivery to
    /// every endpoint that wants its type and whose owner may read it (the
    /// rule of the feed, [`Reader::sees`]).
    fn feed(&self, conn: &mut DbConnection, event: NewEvent) -> ApiResult<()> {
        let position = events::append(conn, &event)?;
        let event = Event { position, event };
        // The suppliers invited to the event's request, read once for all
        // the supplier endpoints, and only if one wants the event.
        let mut invited: Option<HashSet<OrganisationId>> = None;
        for hook in webhooks::receivers(conn)? {
            if !hook.wants(event.event.event_type) {
                continue;
            }
            let reader = hook.owner.reader();
            // Whether being invited could matter at all (never for the
            // buyer's or the experts' events): no query otherwise.
            if !reader.sees(event.event.audience, event.event.request, |_| true) {
                continue;
            }
            let was_invited = match (reader, event.event.request) {
                (Reader::Supplier(org), Some(request)) => {
                    if invited.is_none() {
                        let suppliers = persistence::sourcing::invitations_of(conn, request.id)?
                            .into_iter()
                            .map(|i| i.supplier);
                        invited = Some(suppliers.collect());
                    }
                    invited.as_ref().is_some_and(|set| set.contains(&org))
                }
                _ => false,
            };
            if reader.sees(event.event.audience, event.event.request, |_| was_invited) {
                webhooks::enqueue(conn, hook.id, &event, self.now)?;
            }
        }
        Ok(())
    }

    /// A certificate's event becomes its entry in the certificate's
    /// history and its event in the feed (no certificate change sends an
    /// email today).
    pub fn publish_certificate(
        &self,
        conn: &mut DbConnection,
        event: CertificateEvent,
    ) -> ApiResult<()> {
        let entry = event.audit_entry(self.actor.map(|a| a.user_id), self.now);
        audit::record(conn, &entry)?;
        self.feed(
            conn,
            NewEvent::of_certificate(&event, self.actor.as_ref(), self.now),
        )
    }

    /// A certificate nearing its end becomes its event in the feed (the
    /// reminders worker, in the transaction of its email; a reminder
    /// changes no state, so it leaves no audit entry).
    pub fn publish_certificate_expiring(
        &self,
        conn: &mut DbConnection,
        certificate: &persistence::reminders::ExpiringCertificate,
    ) -> ApiResult<()> {
        self.feed(
            conn,
            NewEvent::certificate_expiring(
                certificate.id,
                certificate.organisation_id,
                certificate.valid_until,
                self.now,
            ),
        )
    }

    /// A document's event becomes its entry in the file's history.
    pub fn publish_document(&self, conn: &mut DbConnection, event: DocumentEvent) -> ApiResult<()> {
        let entry = event.audit_entry(self.actor.map(|a| a.user_id), self.now);
        audit::record(conn, &entry)?;
        Ok(())
    }

    /// The one place an account's event becomes what it leaves behind, in
    /// the caller's transaction: its audit entry (the event names its own
    /// actor) and the emails it causes (`app::accounts::emails_of`).
    pub fn publish_account(&self, conn: &mut DbConnection, event: AccountEvent) -> ApiResult<()> {
        if let Some(entry) = event.audit_entry(self.now) {
            audit::record(conn, &entry)?;
        }
        account_emails::emails_of(conn, &self.links, &event, self.now)
    }

    /// A staff change's event becomes its entry in its subject's history,
    /// and a membership change its event in the feed (no such change sends
    /// an email today).
    pub fn publish_admin(&self, conn: &mut DbConnection, event: AdminEvent) -> ApiResult<()> {
        let entry = event.audit_entry(self.actor.map(|a| a.user_id), self.now);
        audit::record(conn, &entry)?;
        match NewEvent::of_admin(&event, self.actor.as_ref(), self.now) {
            Some(feed) => self.feed(conn, feed),
            None => Ok(()),
        }
    }

    /// An endpoint's change becomes its entry in the endpoint's history.
    pub fn publish_webhook(&self, conn: &mut DbConnection, event: WebhookEvent) -> ApiResult<()> {
        audit::record(
            conn,
            &event.audit_entry(self.actor.map(|a| a.user_id), self.now),
        )?;
        Ok(())
    }

    /// A session's event becomes its entry in its user's history (the
    /// user is the actor, whoever the publisher names).
    pub fn publish_session(&self, conn: &mut DbConnection, event: SessionEvent) -> ApiResult<()> {
        audit::record(conn, &event.audit_entry(self.now))?;
        Ok(())
    }

    /// The one place a profile's event becomes what it leaves behind, in
    /// the caller's transaction: its entry in the profile's history, the
    /// emails it causes (`profiles::emails_of`), and for a suspension the
    /// withdrawal of the supplier's invitations (each a request event).
    pub fn publish_profile(&self, conn: &mut DbConnection, event: ProfileEvent) -> ApiResult<()> {
        let entry = event.audit_entry(self.actor.map(|a| a.user_id), self.now);
        audit::record(conn, &entry)?;
        self.feed(
            conn,
            NewEvent::of_profile(&event, self.actor.as_ref(), self.now),
        )?;
        if let ProfileStep::Suspended { .. } = event.step {
            sourcing::answers::withdraw_suspended(conn, self, event.organisation)?;
        }
        profiles::emails_of(conn, &self.links, &event, self.now)
    }
}
