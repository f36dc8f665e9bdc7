//! Supplier profiles and certificates: written by the supplier, reviewed by
//! the cluster's experts. A profile's lifecycle steps are domain methods
//! returning a `ProfileEvent` that `Publisher::publish_profile` turns into
//! its audit entry and emails; certificate changes write their audit entry
//! here. The profile and certificate writes write the index event
//! themselves (see `persistence::Tx`).

use chrono::{DateTime, Utc};
use domain::account::{PlatformRole, User};
use domain::auth::Actor;
use domain::certification::{Certification, CertificationDetails};
use domain::ids::{CertificationId, OrganisationId};
use domain::profile::{
    ContactInput, ProfileContent, ProfileInput as DomainInput, ProfileStatus, SupplierProfile,
};
use domain::profile_events::{ProfileEvent, ProfileStep, SUBJECT};
use domain::{DomainError, ValidationErrors};
use openapi::audit::AuditEntryView;
use openapi::directory::{
    CertificationInput, CertificationQueueItem, CertificationView, ProfileInput, ProfileQueueItem,
    ProfileView,
};
use openapi::paging::{AuditEntryPage, CertificationQueue, ListQuery, ProfileQueue};
use persistence::{DbConnection, Tx, accounts, audit, certifications, profiles};

use crate::app::attachments;
use crate::app::catalogue::Catalogue;
use crate::app::outbox::queue_for_users;
use crate::app::paging::{page, page_limit, parse_time_cursor, time_cursor};
use crate::app::publisher::Publisher;
use crate::app::views;
use crate::email::links::{FrontendLinks, FrontendRoute};
use crate::email::mail::Mail;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

fn not_found() -> ApiError {
    ApiError::not_found("supplier profile")
}

/// The supplier organisation, or 404 when it is not a supplier.
fn supplier(
    conn: &mut DbConnection,
    org: OrganisationId,
) -> ApiResult<domain::organisation::Organisation> {
    accounts::find_organisation(conn, org)?
        .filter(|o| o.kind == domain::organisation::OrganisationKind::Supplier)
        .ok_or_else(not_found)
}

/// The profile as `actor` reads it at `now`.
fn view(
    conn: &mut DbConnection,
    profile: &SupplierProfile,
    actor: &Actor,
    now: DateTime<Utc>,
) -> ApiResult<ProfileView> {
    let org = supplier(conn, profile.organisation_id)?;
    let certs = certifications::of_organisation(conn, profile.organisation_id)?;
    let catalogue = Catalogue::load(conn)?;
    let documents = attachments::profile_documents(conn, profile.organisation_id)?;
    let mut view = views::profile(
        profile,
        &org.legal_name,
        &certs,
        &catalogue,
        actor,
        now,
        documents,
    );
    // Only the supplier and the experts read this view: they see the proofs.
    attachments::add_proofs(conn, &mut view.certifications)?;
    Ok(view)
}

fn parse_content(
    body: &ProfileInput,
    catalogue: &Catalogue,
) -> Result<ProfileContent, ValidationErrors> {
    let input = DomainInput {
        description_fr: &body.description_fr,
        description_en: &body.description_en,
        capabilities: body
            .capabilities
            .iter()
            .map(|c| (c.code.as_str(), c.detail.as_deref()))
            .collect(),
        sectors: body.sectors.iter().map(String::as_str).collect(),
        equipment: body.equipment.iter().map(String::as_str).collect(),
        headcount: body.headcount.as_deref(),
        city: &body.location.city,
        department: &body.location.department,
        region: &body.location.region,
        country: body.location.country.as_deref(),
        working_languages: body.working_languages.iter().map(String::as_str).collect(),
        public_contact_email: body.public_contact_email.as_deref(),
        public_phone: body.public_phone.as_deref(),
        private_contacts: body
            .private_contacts
            .iter()
            .map(|c| ContactInput {
                name: &c.name,
                role: c.role.as_deref(),
                email: &c.email,
                phone: c.phone.as_deref(),
            })
            .collect(),
    };
    ProfileContent::parse(&input, |code| catalogue.has_capability(code))
}

/// The emails a profile's event causes: the experts learn that a profile
/// awaits review, the supplier's users learn the experts' decision. Called
/// by `Publisher::publish_profile` only.
pub(crate) fn emails_of(
    conn: &mut DbConnection,
    links: &FrontendLinks,
    event: &ProfileEvent,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let org = event.organisation;
    if event.awaits_review() {
        let name = supplier(conn, org)?.legal_name;
        notify_experts(conn, &review_mail(links, org, &name), now)?;
    }
    let link = || links.to(FrontendRoute::Supplier(org));
    let mail = match &event.step {
        ProfileStep::Approved { .. } => Mail::ProfileApproved {
            supplier: supplier(conn, org)?.legal_name,
            link: link(),
        },
        ProfileStep::ChangesRequested { comment } => Mail::ProfileChangesRequested {
            supplier: supplier(conn, org)?.legal_name,
            comment: comment.clone(),
            link: link(),
        },
        ProfileStep::Created
        | ProfileStep::Edited
        | ProfileStep::Submitted
        | ProfileStep::Suspended { .. }
        | ProfileStep::Reinstated { .. }
        | ProfileStep::Imported => return Ok(()),
    };
    notify_organisation(conn, org, &mail, now)
}

fn notify_organisation(
    conn: &mut DbConnection,
    org: OrganisationId,
    mail: &Mail,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let users: Vec<User> = accounts::users_of_organisation(conn, org)?
        .into_iter()
        .filter(|u| u.active)
        .collect();
    queue_for_users(conn, &users, mail, now)
}

fn notify_experts(conn: &mut DbConnection, mail: &Mail, now: DateTime<Utc>) -> ApiResult<()> {
    let experts: Vec<User> = accounts::users_with_role(conn, PlatformRole::Expert)?;
    queue_for_users(conn, &experts, mail, now)
}

pub async fn get(state: &AppState, actor: Actor, org: OrganisationId) -> ApiResult<ProfileView> {
    actor.may_view_supplier_profile(org)?;
    let now = state.clock.now();
    state
        .read(move |conn| {
            let profile = profiles::find(conn, org)?.ok_or_else(not_found)?;
            view(conn, &profile, &actor, now)
        })
        .await
}

/// Creates the profile, or replaces its working copy when `if_match` names
/// the current version. Returns the view and whether it was created.
pub async fn save(
    state: &AppState,
    actor: Actor,
    org: OrganisationId,
    if_match: Option<i64>,
    body: ProfileInput,
) -> ApiResult<(ProfileView, bool)> {
    actor.may_edit_supplier(org)?;
    let publisher = Publisher::new(state, Some(actor));
    let now = publisher.now;
    state
        .transaction(move |conn| {
            supplier(conn, org)?;
            let catalogue = Catalogue::load(conn)?;
            let content = parse_content(&body, &catalogue)?;
            let Some(mut profile) = profiles::find(conn, org)? else {
                let (profile, created) = SupplierProfile::create(org, content, now);
                profiles::insert(conn, &profile)?;
                publisher.publish_profile(conn, created)?;
                return Ok((view(conn, &profile, &actor, now)?, true));
            };
            let expected = if_match.ok_or_else(|| {
                ApiError::coded(
                    ErrorCode::PreconditionRequired,
                    format!(
                        "send If-Match: \"{}\" (the version you edited)",
                        profile.version
                    ),
                )
            })?;
            let read_version = profile.version;
            let edited = profile.edit(expected, content, now)?;
            if !profiles::update(conn, &profile, read_version)? {
                return Err(DomainError::VersionMismatch {
                    current: read_version + 1,
                }
                .into());
            }
            publisher.publish_profile(conn, edited)?;
            Ok((view(conn, &profile, &actor, now)?, false))
        })
        .await
}

fn review_mail(links: &FrontendLinks, org: OrganisationId, name: &str) -> Mail {
    Mail::ProfileSubmitted {
        supplier: name.to_owned(),
        link: links.to(FrontendRoute::ProfileReview(org)),
    }
}

/// Loads the profile, applies `change`, saves it if nobody saved in between
/// (which writes the index event), and publishes the step.
fn transition(
    conn: &mut Tx,
    publisher: &Publisher,
    org: OrganisationId,
    change: impl FnOnce(&mut SupplierProfile) -> Result<ProfileEvent, DomainError>,
) -> ApiResult<SupplierProfile> {
    let mut profile = profiles::find(conn, org)?.ok_or_else(not_found)?;
    let read_version = profile.version;
    let event = change(&mut profile)?;
    if !profiles::update(conn, &profile, read_version)? {
        return Err(DomainError::VersionMismatch {
            current: read_version + 1,
        }
        .into());
    }
    publisher.publish_profile(conn, event)?;
    Ok(profile)
}

/// The supplier asks the cluster to publish its profile.
pub async fn submit(state: &AppState, actor: Actor, org: OrganisationId) -> ApiResult<ProfileView> {
    actor.may_edit_supplier(org)?;
    let publisher = Publisher::new(state, Some(actor));
    let now = publisher.now;
    state
        .transaction(move |conn| {
            supplier(conn, org)?;
            let profile = transition(conn, &publisher, org, |p| p.submit(now))?;
            view(conn, &profile, &actor, now)
        })
        .await
}

/// What an expert decides about a profile. Approval and a request for
/// changes name the version the expert reviewed (`If-Match`).
pub enum Decision {
    Approve(Option<i64>, Option<String>),
    RequestChanges(Option<i64>, String),
    Suspend(String),
    Reinstate(Option<String>),
}

/// The version an expert's verdict is about: required (428), then compared
/// with the current one by the domain (412 when it changed since).
fn reviewed_version(if_match: Option<i64>, what: &str) -> ApiResult<i64> {
    if_match.ok_or_else(|| {
        ApiError::coded(
            ErrorCode::PreconditionRequired,
            format!("send If-Match with the version of the {what} you reviewed (its ETag)"),
        )
    })
}

pub async fn review(
    state: &AppState,
    actor: Actor,
    org: OrganisationId,
    decision: Decision,
) -> ApiResult<ProfileView> {
    actor.require_back_office()?;
    let required = |comment: &String| {
        domain::validation::text(comment, 1, 2000).map_err(|e| {
            let mut errors = ValidationErrors::new();
            errors.check::<()>("comment", Err(e));
            ApiError::from(errors)
        })
    };
    let decision = match decision {
        Decision::Approve(version, c) => {
            Decision::Approve(Some(reviewed_version(version, "profile")?), c)
        }
        Decision::RequestChanges(version, c) => {
            let version = reviewed_version(version, "profile")?;
            Decision::RequestChanges(Some(version), required(&c)?)
        }
        Decision::Suspend(c) => Decision::Suspend(required(&c)?),
        other => other,
    };
    let standing_changes = matches!(decision, Decision::Suspend(_) | Decision::Reinstate(_));
    let publisher = Publisher::new(state, Some(actor));
    let now = publisher.now;
    let reviewed = state
        .transaction(move |conn| {
            supplier(conn, org)?;
            let expert = actor.user_id;
            let profile = match decision {
                Decision::Approve(version, comment) => {
                    let version = reviewed_version(version, "profile")?;
                    transition(conn, &publisher, org, |p| {
                        p.approve(version, expert, comment, now)
                    })?
                }
                Decision::RequestChanges(version, comment) => {
                    let version = reviewed_version(version, "profile")?;
                    transition(conn, &publisher, org, |p| {
                        p.request_changes(version, expert, comment, now)
                    })?
                }
                // Publishing the suspension withdraws the supplier's invitations.
                Decision::Suspend(reason) => {
                    transition(conn, &publisher, org, |p| p.suspend(expert, reason, now))?
                }
                Decision::Reinstate(comment) => {
                    transition(conn, &publisher, org, |p| p.reinstate(expert, comment, now))?
                }
            };
            view(conn, &profile, &actor, now)
        })
        .await?;
    if standing_changes {
        // The organisation's users read only (or act again) on this
        // instance at once, on others within the standing TTL.
        state.standing.forget_all();
    }
    Ok(reviewed)
}

/// Review decisions and edits of a profile, oldest first.
pub async fn history(
    state: &AppState,
    actor: Actor,
    org: OrganisationId,
    query: ListQuery,
) -> ApiResult<AuditEntryPage> {
    actor.may_view_supplier_profile(org)?;
    let internal = actor.is_back_office();
    let limit = page_limit(query.limit)?;
    let after = parse_time_cursor(query.cursor, PROFILE_HISTORY)?;
    state
        .read(move |conn| {
            profiles::find(conn, org)?.ok_or_else(not_found)?;
            let rows = audit::history(conn, SUBJECT, &org.to_string(), internal, after, limit + 1)?;
            let (entries, next_cursor) =
                page(rows, limit, |e| time_cursor(PROFILE_HISTORY, e.at, e.id));
            Ok(AuditEntryPage {
                items: entries.iter().map(AuditEntryView::from).collect(),
                next_cursor,
            })
        })
        .await
}

const PROFILE_HISTORY: &str = "profile-history";
const PROFILE_QUEUE: &str = "backoffice-profiles";
const CERTIFICATION_QUEUE: &str = "backoffice-certifications";

/// Profiles waiting for review, longest-waiting first (keyset pagination).
pub async fn queue(
    state: &AppState,
    actor: Actor,
    cursor: Option<String>,
    limit: Option<i64>,
) -> ApiResult<ProfileQueue> {
    actor.require_back_office()?;
    let limit = page_limit(limit)?;
    let after = parse_time_cursor(cursor, PROFILE_QUEUE)?;
    let now = state.clock.now();
    state
        .read(move |conn| {
            let waiting = profiles::queue(conn, ProfileStatus::Submitted, after, limit + 1)?;
            let has_more = waiting.len() as i64 > limit;
            let mut items = Vec::new();
            for profile in waiting.iter().take(limit as usize) {
                let name = supplier(conn, profile.organisation_id)?.legal_name;
                items.push(ProfileQueueItem {
                    organisation_id: *profile.organisation_id.as_uuid(),
                    legal_name: name,
                    status: profile.status.into(),
                    submitted_at: profile.submitted_at,
                    waited_seconds: profile
                        .submitted_at
                        .map_or(0, |at| (now - at).num_seconds().max(0)),
                });
            }
            let next_cursor = if has_more {
                waiting.get(limit as usize - 1).and_then(|p| {
                    p.submitted_at
                        .map(|at| time_cursor(PROFILE_QUEUE, at, p.organisation_id))
                })
            } else {
                None
            };
            Ok(ProfileQueue { items, next_cursor })
        })
        .await
}

fn certification_not_found() -> ApiError {
    ApiError::not_found("certification")
}

fn parse_certification(
    body: &CertificationInput,
    catalogue: &Catalogue,
) -> Result<CertificationDetails, ValidationErrors> {
    let details = CertificationDetails::parse(
        &body.type_code,
        &body.scope,
        &body.certifying_body,
        &body.valid_from,
        &body.valid_until,
        body.document_ref.as_deref(),
    )?;
    if !catalogue.has_certification_type(details.type_code.as_str()) {
        return Err(ValidationErrors::single(
            "type",
            "unknown_certification_type",
            "see GET /api/v1/certification-types",
        ));
    }
    Ok(details)
}

/// A supplier declares a certificate; it counts at once (as declared) until
/// an expert verifies or rejects it.
pub async fn add_certification(
    state: &AppState,
    actor: Actor,
    org: OrganisationId,
    body: CertificationInput,
) -> ApiResult<CertificationView> {
    actor.may_edit_supplier(org)?;
    let publisher = Publisher::new(state, Some(actor));
    let now = publisher.now;
    state
        .transaction(move |conn| {
            supplier(conn, org)?;
            let details = parse_certification(&body, &Catalogue::load(conn)?)?;
            let (certification, declared) = Certification::declare(org, details, now);
            certifications::insert(conn, &certification)?;
            publisher.publish_certificate(conn, declared)?;
            Ok(views::certification(&certification, &actor, now))
        })
        .await
}

fn own_certification(
    conn: &mut DbConnection,
    org: OrganisationId,
    id: CertificationId,
) -> ApiResult<Certification> {
    certifications::find(conn, id)?
        .filter(|c| c.organisation_id == org)
        .ok_or_else(certification_not_found)
}

/// Saves a certificate read at `read_version`; 412 when someone saved it in
/// between (and the index event, see `persistence::Tx`).
fn save_certification(
    conn: &mut Tx,
    certification: &Certification,
    read_version: i64,
) -> ApiResult<()> {
    if certifications::update(conn, certification, read_version)? {
        Ok(())
    } else {
        Err(DomainError::VersionMismatch {
            current: read_version + 1,
        }
        .into())
    }
}

/// Changing a certificate's details puts it back to "declared", as a new
/// version: an expert's verdict on the previous one no longer applies.
pub async fn update_certification(
    state: &AppState,
    actor: Actor,
    org: OrganisationId,
    id: CertificationId,
    body: CertificationInput,
) -> ApiResult<CertificationView> {
    actor.may_edit_supplier(org)?;
    let publisher = Publisher::new(state, Some(actor));
    let now = publisher.now;
    state
        .transaction(move |conn| {
            let mut certification = own_certification(conn, org, id)?;
            let details = parse_certification(&body, &Catalogue::load(conn)?)?;
            let read_version = certification.version;
            let redeclared = certification.redeclare(details, now);
            save_certification(conn, &certification, read_version)?;
            publisher.publish_certificate(conn, redeclared)?;
            Ok(views::certification(&certification, &actor, now))
        })
        .await
}

pub async fn delete_certification(
    state: &AppState,
    actor: Actor,
    org: OrganisationId,
    id: CertificationId,
) -> ApiResult<()> {
    actor.may_edit_supplier(org)?;
    let publisher = Publisher::new(state, Some(actor));
    state
        .transaction(move |conn| {
            let certification = own_certification(conn, org, id)?;
            attachments::remove_proofs(conn, &actor, &certification, &publisher)?;
            certifications::delete(conn, &certification)?;
            publisher.publish_certificate(conn, certification.delete())
        })
        .await
}

/// An expert's verdict on the version `if_match` of a certificate, after
/// seeing its document.
/// What an expert decides about a certificate, with the comment as sent.
pub enum CertificateVerdict {
    Verify {
        comment: Option<String>,
    },
    /// A rejection says why.
    Reject {
        comment: String,
    },
}

pub async fn verify_certification(
    state: &AppState,
    actor: Actor,
    id: CertificationId,
    if_match: Option<i64>,
    verdict: CertificateVerdict,
) -> ApiResult<CertificationView> {
    actor.require_back_office()?;
    let reviewed = reviewed_version(if_match, "certificate")?;
    let comment = match &verdict {
        CertificateVerdict::Verify { comment } => comment.as_deref(),
        CertificateVerdict::Reject { comment } => Some(comment.as_str()),
    };
    let note = domain::validation::optional_text(comment, 2000).map_err(|e| {
        let mut errors = ValidationErrors::new();
        errors.check::<()>("comment", Err(e));
        ApiError::from(errors)
    })?;
    let rejection = match (&verdict, &note) {
        (CertificateVerdict::Verify { .. }, _) => None,
        (CertificateVerdict::Reject { .. }, Some(reason)) => Some(reason.clone()),
        (CertificateVerdict::Reject { .. }, None) => {
            return Err(ValidationErrors::single(
                "comment",
                "required",
                "say why the certificate is rejected",
            )
            .into());
        }
    };
    let publisher = Publisher::new(state, Some(actor));
    let now = publisher.now;
    state
        .transaction(move |conn| {
            let mut certification =
                certifications::find(conn, id)?.ok_or_else(certification_not_found)?;
            let read_version = certification.version;
            let verdict = match rejection {
                Some(reason) => certification.reject(reviewed, actor.user_id, reason, now)?,
                None => certification.verify(reviewed, actor.user_id, note, now)?,
            };
            save_certification(conn, &certification, read_version)?;
            publisher.publish_certificate(conn, verdict)?;
            attachments::certification_with_proofs(conn, &certification, &actor, now)
        })
        .await
}

/// Declared certificates waiting for verification, longest waiting first
/// (keyset pagination).
pub async fn certification_queue(
    state: &AppState,
    actor: Actor,
    cursor: Option<String>,
    limit: Option<i64>,
) -> ApiResult<CertificationQueue> {
    actor.require_back_office()?;
    let limit = page_limit(limit)?;
    let after = parse_time_cursor(cursor, CERTIFICATION_QUEUE)?;
    let now = state.clock.now();
    state
        .read(move |conn| {
            let mut page = certifications::awaiting_verification(conn, after, limit + 1)?;
            let more = page.len() as i64 > limit;
            page.truncate(limit as usize);
            let next_cursor = if more {
                page.last()
                    .map(|c| time_cursor(CERTIFICATION_QUEUE, c.updated_at, c.id))
            } else {
                None
            };
            let mut items = Vec::with_capacity(page.len());
            for c in &page {
                let supplier_name = accounts::find_organisation(conn, c.organisation_id)?
                    .map(|o| o.legal_name)
                    .unwrap_or_default();
                items.push(CertificationQueueItem {
                    certification: views::certification(c, &actor, now),
                    organisation_id: *c.organisation_id.as_uuid(),
                    supplier_name,
                    waited_seconds: (now - c.updated_at).num_seconds().max(0),
                });
            }
            let mut certificates: Vec<CertificationView> =
                items.iter().map(|i| i.certification.clone()).collect();
            attachments::add_proofs(conn, &mut certificates)?;
            for (item, with_proofs) in items.iter_mut().zip(certificates) {
                item.certification = with_proofs;
            }
            Ok(CertificationQueue { items, next_cursor })
        })
        .await
}
