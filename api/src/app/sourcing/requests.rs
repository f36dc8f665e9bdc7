//! The request itself: drafting, editing, the state machine's steps,
//! listing and history.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::account::{Language, PlatformRole};
use domain::actions::{InvitationFacts, RequestFacts};
use domain::auth::Actor;
use domain::documents::{Attachment, RemovalReason};
use domain::ids::{OrganisationId, SourcingRequestId};
use domain::sourcing::answers::Invitation;
use domain::sourcing::listing::{RequestFilter, RequestListingInput};
use domain::sourcing::matching::Match;
use domain::sourcing::request::{
    Action, AttachmentInput, RequestInput as DomainInput, Requirements,
    RequirementsInput as DomainRequirements,
};
use domain::sourcing::{
    RequestAccess, RequestContent, RequestEvent, RequestStatus, SourcingRequest,
};
use domain::{DomainError, ValidationErrors};
use openapi::audit::AuditEntryView;
use openapi::paging::{AuditEntryPage, ListQuery, RequestPage};
use openapi::sourcing::{
    CertificationRequirementInput, RequestInput, RequestListQuery, RequestView, RequirementsInput,
};
use persistence::sourcing::RequestScope;
use persistence::{DbConnection, accounts, audit, sourcing};

use super::views::RequestActions;
use super::{
    Publisher, SUBJECT, load, not_found, optional_text, page, page_limit, parse_time_cursor,
    required_text, save, time_cursor, views,
};
use crate::app::catalogue::Catalogue;
use crate::app::paging::checked_limit;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

fn requirements_input<'a>(
    capabilities: &'a [String],
    certifications: &'a [CertificationRequirementInput],
    sectors: &'a [String],
    region: Option<&'a str>,
) -> DomainRequirements<'a> {
    DomainRequirements {
        capabilities: capabilities.iter().map(String::as_str).collect(),
        certifications: certifications
            .iter()
            .map(|c| (c.code.as_str(), c.mandatory))
            .collect(),
        sectors: sectors.iter().map(String::as_str).collect(),
        region,
    }
}

fn parse_content(
    body: &RequestInput,
    catalogue: &Catalogue,
    now: DateTime<Utc>,
) -> Result<RequestContent, ValidationErrors> {
    let input = DomainInput {
        title: &body.title,
        description: &body.description,
        requirements: requirements_input(
            &body.capabilities,
            &body.certifications,
            &body.sectors,
            body.region.as_deref(),
        ),
        quantities: body.quantities.as_deref(),
        budget_min: body.budget.as_ref().and_then(|b| b.min.as_deref()),
        budget_max: body.budget.as_ref().and_then(|b| b.max.as_deref()),
        currency: body.budget.as_ref().map(|b| b.currency.as_str()),
        desired_delivery: body.desired_delivery.as_deref(),
        response_deadline: body.response_deadline,
        location_constraints: body.location_constraints.as_deref(),
        language: body.language.as_deref(),
        confidential: body.confidential,
        budget_visible: body.budget_visible,
        nda_required: body.nda_required,
        attachments: body
            .attachments
            .iter()
            .map(|a| AttachmentInput {
                name: &a.name,
                content_type: a.content_type.as_deref(),
                size_bytes: a.size_bytes,
                reference: &a.reference,
            })
            .collect(),
    };
    RequestContent::parse(
        &input,
        now,
        |code| catalogue.has_capability(code),
        |code| catalogue.has_certification_type(code.as_str()),
    )
}

/// What `actor` may do now to `request` and, invited, with its
/// `invitation`: the domain decides; the facts its rules need are read here.
pub fn actions(
    conn: &mut DbConnection,
    actor: &Actor,
    request: &SourcingRequest,
    access: RequestAccess,
    invitation: Option<&Invitation>,
    now: DateTime<Utc>,
) -> ApiResult<RequestActions> {
    let facts = ActionFacts::load(conn, access, invitation.map(|i| i.supplier), &[request.id])?;
    Ok(facts.actions(actor, request, access, invitation, now))
}

/// What the action rules need to know about a page of requests beyond the
/// requests themselves, read in a few queries whatever the page's size and
/// kept by request.
#[derive(Default)]
struct ActionFacts {
    /// Of the requests the caller is a party to (suppliers take no step of
    /// the request: not read for them).
    matches: HashMap<SourcingRequestId, Vec<Match>>,
    invitations: HashMap<SourcingRequestId, Vec<Invitation>>,
    /// How many questions the invited supplier asked on each request.
    asked: HashMap<SourcingRequestId, usize>,
}

impl ActionFacts {
    fn load(
        conn: &mut DbConnection,
        access: RequestAccess,
        invited: Option<OrganisationId>,
        requests: &[SourcingRequestId],
    ) -> ApiResult<Self> {
        let mut facts = Self::default();
        if access.party().is_ok() {
            for m in sourcing::matches_of_requests(conn, requests)? {
                facts.matches.entry(m.request).or_default().push(m);
            }
            for i in sourcing::invitations_of_requests(conn, requests)? {
                facts.invitations.entry(i.request).or_default().push(i);
            }
        }
        if let Some(supplier) = invited {
            for request in sourcing::questions_asked_by(conn, supplier, requests)? {
                *facts.asked.entry(request).or_default() += 1;
            }
        }
        Ok(facts)
    }

    fn actions(
        &self,
        actor: &Actor,
        request: &SourcingRequest,
        access: RequestAccess,
        invitation: Option<&Invitation>,
        now: DateTime<Utc>,
    ) -> RequestActions {
        let request_actions = if access.party().is_ok() {
            let facts = RequestFacts {
                matches: self.matches.get(&request.id).map_or(&[], Vec::as_slice),
                invitations: self.invitations.get(&request.id).map_or(&[], Vec::as_slice),
            };
            domain::actions::request_actions(actor, access, request, facts, now)
        } else {
            Vec::new()
        };
        let invitation_actions = match invitation {
            Some(invitation) => {
                let facts = InvitationFacts {
                    asked_so_far: self.asked.get(&request.id).copied().unwrap_or(0),
                };
                domain::actions::invitation_actions(actor, access, request, invitation, facts, now)
            }
            None => Vec::new(),
        };
        RequestActions {
            request: request_actions,
            invitation: invitation_actions,
        }
    }
}

/// The request as the actor sees it at `now`.
pub fn view(
    conn: &mut DbConnection,
    actor: &Actor,
    request: &SourcingRequest,
    access: RequestAccess,
    catalogue: &Catalogue,
    language: Language,
    now: DateTime<Utc>,
) -> ApiResult<RequestView> {
    let buyer = accounts::find_organisation(conn, request.buyer)?;
    let invitation = match (access, actor.organisation_id()) {
        (RequestAccess::InvitedSupplier, Some(org)) => {
            sourcing::find_invitation(conn, request.id, org)?
        }
        _ => None,
    };
    let actions = actions(conn, actor, request, access, invitation.as_ref(), now)?;
    Ok(views::request(
        request,
        access,
        buyer.as_ref(),
        invitation.as_ref(),
        actions,
        catalogue,
        language,
    ))
}

/// A buyer drafts a request.
pub async fn create(
    state: &AppState,
    actor: Actor,
    body: RequestInput,
    language: Language,
) -> ApiResult<RequestView> {
    let Some(buyer) = actor
        .organisation_id()
        .filter(|_| actor.role == PlatformRole::Buyer)
    else {
        return Err(
            DomainError::Forbidden("sourcing requests are posted by buyer organisations").into(),
        );
    };
    let publisher = Publisher::new(state, Some(actor));
    state
        .transaction(move |conn| {
            let catalogue = Catalogue::load(conn)?;
            let content = parse_content(&body, &catalogue, publisher.now)?;
            let (request, created) =
                SourcingRequest::create(buyer, actor.user_id, content, publisher.now);
            sourcing::insert_request(conn, &request)?;
            publisher.publish(conn, &request, created)?;
            view(
                conn,
                &actor,
                &request,
                RequestAccess::Buyer,
                &catalogue,
                language,
                publisher.now,
            )
        })
        .await
}

pub async fn get(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    language: Language,
) -> ApiResult<RequestView> {
    let catalogue = state.catalogue().await?;
    let now = state.clock.now();
    state
        .read(move |conn| {
            let (request, access) = load(conn, &actor, id)?;
            view(conn, &actor, &request, access, &catalogue, language, now)
        })
        .await
}

/// Buyers list their organisation's requests; suppliers the requests they
/// are invited to; the back office uses the queues.
pub async fn list(
    state: &AppState,
    actor: Actor,
    query: RequestListQuery,
    language: Language,
) -> ApiResult<RequestPage> {
    // One answer names every bad parameter, `limit` included.
    let mut errors = ValidationErrors::new();
    let listing = errors.check(
        "",
        RequestFilter::parse(&RequestListingInput {
            status: query.status.as_deref(),
            q: query.q.as_deref(),
            created_from: query.created_from.as_deref(),
            created_to: query.created_to.as_deref(),
            deadline_from: query.deadline_from.as_deref(),
            deadline_to: query.deadline_to.as_deref(),
            sort: query.sort.as_deref(),
        }),
    );
    let limit = errors.check("", checked_limit(query.limit));
    let (Some((filter, sort)), Some(limit)) = (listing, limit) else {
        return Err(errors.into());
    };
    // The cursor names its sort: continuing a page under another sort would
    // skip or repeat requests.
    let list = format!("requests:{}", sort.as_str());
    let after = parse_time_cursor(query.cursor, &list)?;
    let catalogue = state.catalogue().await?;
    let now = state.clock.now();
    state
        .read(move |conn| {
            let org = actor.organisation_id().ok_or_else(|| {
                ApiError::coded(
                    ErrorCode::Forbidden,
                    "experts use GET /api/v1/backoffice/requests",
                )
            })?;
            let (scope, access) = if actor.role == PlatformRole::Buyer {
                (RequestScope::Buyer(org), RequestAccess::Buyer)
            } else {
                (
                    RequestScope::InvitedSupplier(org),
                    RequestAccess::InvitedSupplier,
                )
            };
            let rows = sourcing::list_requests(conn, scope, &filter, sort, after, limit + 1)?;
            let (requests, next_cursor) =
                page(rows, limit, |r| time_cursor(&list, sort.key_of(r), r.id));
            let ids: Vec<SourcingRequestId> = requests.iter().map(|r| r.id).collect();
            let invited = match scope {
                RequestScope::InvitedSupplier(org) => Some(org),
                RequestScope::Buyer(_) => None,
            };
            let invitations = match invited {
                Some(org) => sourcing::invitations_of_supplier_to(conn, org, &ids)?,
                None => Vec::new(),
            };
            let mut buyer_ids: Vec<OrganisationId> = requests.iter().map(|r| r.buyer).collect();
            buyer_ids.sort_unstable();
            buyer_ids.dedup();
            let buyers = accounts::find_organisations(conn, &buyer_ids)?;
            let facts = ActionFacts::load(conn, access, invited, &ids)?;
            let items = requests
                .iter()
                .map(|r| {
                    let invitation = invitations.iter().find(|i| i.request == r.id);
                    views::request(
                        r,
                        access,
                        buyers.iter().find(|b| b.id == r.buyer),
                        invitation,
                        facts.actions(&actor, r, access, invitation, now),
                        &catalogue,
                        language,
                    )
                })
                .collect();
            Ok(RequestPage { items, next_cursor })
        })
        .await
}

fn parse_requirements(
    body: &RequirementsInput,
    catalogue: &Catalogue,
) -> Result<Requirements, ValidationErrors> {
    Requirements::parse(
        &requirements_input(
            &body.capabilities,
            &body.certifications,
            &body.sectors,
            body.region.as_deref(),
        ),
        |code| catalogue.has_capability(code),
        |code| catalogue.has_certification_type(code.as_str()),
    )
}

/// `If-Match`'s version, or 428 naming the current one.
fn expected_version(if_match: Option<i64>, request: &SourcingRequest) -> ApiResult<i64> {
    if_match.ok_or_else(|| {
        ApiError::coded(
            ErrorCode::PreconditionRequired,
            format!(
                "send If-Match: \"{}\" (the version you edited)",
                request.version
            ),
        )
    })
}

/// Replaces the buyer's need; `If-Match` must name the current version.
pub async fn edit(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    if_match: Option<i64>,
    body: RequestInput,
    language: Language,
) -> ApiResult<RequestView> {
    let publisher = Publisher::new(state, Some(actor));
    state
        .transaction(move |conn| {
            let (mut request, access) = load(conn, &actor, id)?;
            let expected = expected_version(if_match, &request)?;
            let catalogue = Catalogue::load(conn)?;
            let content = parse_content(&body, &catalogue, publisher.now)?;
            let read_version = request.version;
            let edited = request.edit(access.party()?, expected, content, publisher.now)?;
            save(conn, &request, read_version)?;
            publisher.publish(conn, &request, edited)?;
            view(
                conn,
                &actor,
                &request,
                access,
                &catalogue,
                language,
                publisher.now,
            )
        })
        .await
}

/// An expert recodes a submitted request's requirements (capabilities,
/// certifications, sectors, region) from the version `If-Match` names. The
/// request's history shows each changed field before and after, to the
/// buyer too; the same requirements again change nothing.
pub async fn recode(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    if_match: Option<i64>,
    body: RequirementsInput,
    language: Language,
) -> ApiResult<RequestView> {
    let publisher = Publisher::new(state, Some(actor));
    state
        .transaction(move |conn| {
            let (mut request, access) = load(conn, &actor, id)?;
            let expected = expected_version(if_match, &request)?;
            let catalogue = Catalogue::load(conn)?;
            let requirements = parse_requirements(&body, &catalogue)?;
            let read_version = request.version;
            let recoded = request.recode(access.party()?, expected, requirements, publisher.now)?;
            if let Some(recoded) = recoded {
                save(conn, &request, read_version)?;
                publisher.publish(conn, &request, recoded)?;
            }
            view(
                conn,
                &actor,
                &request,
                access,
                &catalogue,
                language,
                publisher.now,
            )
        })
        .await
}

/// One step of the state machine with its optional comment.
pub struct Step {
    pub action: Action,
    pub comment: Option<String>,
}

pub async fn step(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    step: Step,
    language: Language,
) -> ApiResult<RequestView> {
    let comment = if step.action.comment_required() {
        Some(required_text(
            "comment",
            step.comment.as_deref().unwrap_or_default(),
            2000,
        )?)
    } else {
        optional_text("comment", step.comment.as_deref(), 2000)?
    };
    let publisher = Publisher::new(state, Some(actor));
    // Labels only: the cached catalogue will do.
    let catalogue = state.catalogue().await?;
    state
        .transaction(move |conn| {
            let (mut request, access) = load(conn, &actor, id)?;
            step.action.require_standing(&actor)?;
            let read_version = request.version;
            let stepped = request.take(step.action, access.party()?, comment, publisher.now)?;
            if step.action == Action::Open {
                super::matching::invite_approved(conn, &request, publisher.now)?;
            }
            save(conn, &request, read_version)?;
            // A cancelled draft was never seen by anyone: its documents go.
            let draft_cancelled = matches!(
                &stepped,
                RequestEvent::Stepped { transition, .. }
                    if transition.from == RequestStatus::Draft && transition.to == RequestStatus::Cancelled
            );
            publisher.publish(conn, &request, stepped)?;
            if draft_cancelled {
                crate::app::files::remove_attached(
                    conn,
                    Attachment::Request(request.id),
                    RemovalReason::DraftCancelled,
                    &publisher,
                )?;
            }
            view(
                conn,
                &actor,
                &request,
                access,
                &catalogue,
                language,
                publisher.now,
            )
        })
        .await
}

pub async fn reveal_identity(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    language: Language,
) -> ApiResult<RequestView> {
    let publisher = Publisher::new(state, Some(actor));
    // Labels only: the cached catalogue will do.
    let catalogue = state.catalogue().await?;
    state
        .transaction(move |conn| {
            let (mut request, access) = load(conn, &actor, id)?;
            let read_version = request.version;
            let revealed = request.reveal_identity(access.party()?, publisher.now)?;
            save(conn, &request, read_version)?;
            publisher.publish(conn, &request, revealed)?;
            view(
                conn,
                &actor,
                &request,
                access,
                &catalogue,
                language,
                publisher.now,
            )
        })
        .await
}

const REQUEST_HISTORY: &str = "request-history";

/// The request's history: the buyer sees it without internal notes, the
/// back office sees everything; suppliers do not see it.
pub async fn history(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    query: ListQuery,
) -> ApiResult<AuditEntryPage> {
    let limit = page_limit(query.limit)?;
    let after = parse_time_cursor(query.cursor, REQUEST_HISTORY)?;
    state
        .read(move |conn| {
            let (_, access) = load(conn, &actor, id)?;
            if access == RequestAccess::InvitedSupplier {
                return Err(not_found());
            }
            let internal = access.sees_internal_notes();
            let rows = audit::history(conn, SUBJECT, &id.to_string(), internal, after, limit + 1)?;
            let (entries, next_cursor) =
                page(rows, limit, |e| time_cursor(REQUEST_HISTORY, e.at, e.id));
            Ok(AuditEntryPage {
                items: entries.iter().map(AuditEntryView::from).collect(),
                next_cursor,
            })
        })
        .await
}
