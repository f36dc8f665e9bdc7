//! Candidates proposed by the capability index, explained requirement by
//! requirement, and the experts' vetting of each match.

use chrono::{DateTime, Utc};
use domain::DomainError;
use domain::account::Language;
use domain::actions::match_actions;
use domain::auth::Actor;
use domain::ids::{MatchId, OrganisationId, SourcingRequestId};
use domain::organisation::Membership;
use domain::sourcing::answers::Invitation;
use domain::sourcing::matching::{
    Explanation, Match, MatchDecision, MatchOrigin, matching_allowed,
};
use domain::sourcing::{RequestAccess, SourcingRequest};
use openapi::paging::{ListQuery, MatchPage};
use openapi::sourcing::{
    AddMatchRequest, CandidateTier, CandidateView, CandidatesView, MatchDecisionRequest, MatchView,
};
use persistence::{DbConnection, accounts, sourcing};
use search::{CandidateQuery, Tier};

use super::{Publisher, load, optional_text, page, page_limit};
use crate::app::catalogue::Catalogue;
use crate::app::paging::{parse_score_cursor, score_cursor};
use crate::app::sourcing::views;
use crate::app::suppliers::{self, Listed};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

const CANDIDATES: usize = 50;

/// Candidates (with their requirements met by verified certificates) and
/// the excluded, as the index gave them.
struct Ranking {
    candidates: Vec<(usize, CandidateView)>,
    excluded: Vec<CandidateView>,
}

/// A supplier the index proposes for a request.
struct Ranked {
    supplier: OrganisationId,
    tier: Tier,
    score: f64,
    matched_terms: Vec<String>,
}

/// What the index ranks for this request, best first, with scores.
async fn ranked(
    state: &AppState,
    catalogue: &Catalogue,
    request: &SourcingRequest,
) -> ApiResult<Vec<Ranked>> {
    let c = &request.content;
    state.ensure_index_settings().await?;
    let text = c.in_words();
    let named_capabilities = catalogue.suggester().named_capabilities(&text);
    let found = state
        .index
        .candidates(CandidateQuery {
            capabilities: c.capabilities.iter().map(ToString::to_string).collect(),
            certifications: c
                .certifications
                .iter()
                .map(|r| r.code.as_str().to_owned())
                .collect(),
            sectors: c.sectors.iter().map(|s| s.as_str().to_owned()).collect(),
            region: c.region.clone(),
            text: Some(text),
            named_capabilities,
            now: state.clock.now().timestamp(),
            limit: CANDIDATES,
        })
        .await?;
    Ok(found
        .into_iter()
        .map(|c| Ranked {
            supplier: OrganisationId::from(c.id),
            tier: c.tier,
            score: f64::from(c.score),
            matched_terms: c.matched_terms,
        })
        .collect())
}

/// How the supplier's published profile meets each requirement.
fn explain(request: &SourcingRequest, supplier: &Listed, now: DateTime<Utc>) -> Explanation {
    Explanation::of(
        &request.content,
        &supplier.content,
        &supplier.certifications,
        now.date_naive(),
    )
}

fn require_back_office(access: RequestAccess) -> ApiResult<()> {
    access
        .require(RequestAccess::BackOffice)
        .map_err(ApiError::from)
}

/// Candidates for a submitted or qualified request (experts).
pub async fn candidates(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    language: Language,
) -> ApiResult<CandidatesView> {
    let request = state
        .read(move |conn| {
            let (request, access) = load(conn, &actor, id)?;
            require_back_office(access)?;
            matching_allowed(request.status)?;
            Ok(request)
        })
        .await?;
    let catalogue = state.catalogue().await?;
    let ranked = ranked(state, &catalogue, &request).await?;
    let now = state.clock.now();
    state
        .read(move |conn| {
            let matched: Vec<OrganisationId> = sourcing::matches_of(conn, id)?
                .iter()
                .map(|m| m.supplier)
                .collect();
            let ids: Vec<OrganisationId> = ranked.iter().map(|r| r.supplier).collect();
            let mut listed = suppliers::load(conn, &ids)?;
            let mut view = Ranking {
                candidates: Vec::new(),
                excluded: Vec::new(),
            };
            for Ranked {
                supplier,
                tier,
                score,
                matched_terms,
            } in ranked
            {
                // The index may lag behind a suspension: the database decides.
                let Some(found) = listed.remove(&supplier) else {
                    continue;
                };
                let explanation = explain(&request, &found, now);
                let excluded = !explanation.missing_mandatory().is_empty();
                let verified = explanation.verified_certifications();
                let candidate = CandidateView {
                    supplier_id: *supplier.as_uuid(),
                    name: found.organisation.legal_name,
                    city: found.content.location.city,
                    member: found.organisation.membership == Membership::Member,
                    tier: match tier {
                        Tier::Full => CandidateTier::Full,
                        Tier::Partial => CandidateTier::Partial,
                    },
                    score,
                    matched_terms,
                    explanation: views::explanation(&explanation, &catalogue, language),
                    matched: matched.contains(&supplier),
                };
                if excluded {
                    view.excluded.push(candidate)
                } else {
                    view.candidates.push((verified, candidate))
                }
            }
            // The index ranks by tier and requirements met, then by text.
            // Among full candidates meeting as many, verified certificates
            // rank above declared ones. A partial candidate is there for how
            // close it comes to the need, so its score (text, a related
            // capability, requirements met) decides and verified
            // certificates only break ties. The sort is stable: the index's
            // order stays for the rest.
            let mut candidates = view.candidates;
            candidates.sort_by(|(verified_a, a), (verified_b, b)| {
                let by_verified = verified_b.cmp(verified_a);
                match (a.tier, b.tier) {
                    (CandidateTier::Full, CandidateTier::Full) => {
                        b.explanation.met.cmp(&a.explanation.met).then(by_verified)
                    }
                    (CandidateTier::Partial, CandidateTier::Partial) => {
                        b.score.total_cmp(&a.score).then(by_verified)
                    }
                    (CandidateTier::Full, CandidateTier::Partial) => std::cmp::Ordering::Less,
                    (CandidateTier::Partial, CandidateTier::Full) => std::cmp::Ordering::Greater,
                }
            });
            Ok(CandidatesView {
                candidates: candidates.into_iter().map(|(_, c)| c).collect(),
                excluded: view.excluded,
            })
        })
        .await
}

/// An expert adds a published supplier as a match: one of the index's
/// candidates or any other supplier by hand. A supplier lacking a
/// mandatory certification needs an override reason.
pub async fn add(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    body: AddMatchRequest,
    language: Language,
) -> ApiResult<MatchView> {
    let override_reason = optional_text("override_reason", body.override_reason.as_deref(), 2000)?;
    let supplier = OrganisationId::from(body.supplier_id);
    let request = state
        .read(move |conn| {
            let (request, access) = load(conn, &actor, id)?;
            require_back_office(access)?;
            matching_allowed(request.status)?;
            Ok(request)
        })
        .await?;
    // The cached catalogue will do: labels, and the codes the text names.
    let catalogue = state.catalogue().await?;
    let from_index = ranked(state, &catalogue, &request)
        .await?
        .into_iter()
        .find(|r| r.supplier == supplier);
    let publisher = Publisher::new(state, Some(actor));
    let now = publisher.now;
    state
        .transaction(move |conn| {
            // Re-read inside the transaction: the request may have moved on.
            let (request, access) = load(conn, &actor, id)?;
            matching_allowed(request.status)?;
            let found = suppliers::load(conn, &[supplier])?
                .remove(&supplier)
                .ok_or_else(|| {
                    ApiError::validation(domain::ValidationErrors::single(
                        "supplier_id",
                        "not_published",
                        "only published suppliers can be matched",
                    ))
                })?;
            let explanation = explain(&request, &found, now);
            let name = found.organisation.legal_name;
            if sourcing::matches_of(conn, id)?
                .iter()
                .any(|m| m.supplier == supplier)
            {
                return Err(DomainError::Conflict {
                    code: "already_matched",
                    message: format!("{name} is already a match of this request"),
                }
                .into());
            }
            let (origin, score) = match from_index {
                Some(ranked) => (MatchOrigin::Index, ranked.score),
                None => (MatchOrigin::Manual, 0.0),
            };
            let (m, proposed) = Match::propose(
                id,
                supplier,
                origin,
                score,
                explanation,
                override_reason,
                actor.user_id,
                now,
            )?;
            sourcing::insert_match(conn, &m)?;
            publisher.publish(conn, &request, proposed)?;
            let actions = match_actions(&actor, access, &request);
            Ok(views::matched(&m, &name, &actions, &catalogue, language))
        })
        .await
}

/// An expert approves or discards a match, with an internal note and, on
/// approval, an optional note for the buyer.
pub async fn decide(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    match_id: MatchId,
    decision: MatchDecision,
    body: MatchDecisionRequest,
    language: Language,
) -> ApiResult<MatchView> {
    let note = optional_text("note", body.note.as_deref(), 2000)?;
    let note_for_buyer = optional_text("note_for_buyer", body.note_for_buyer.as_deref(), 2000)?;
    let publisher = Publisher::new(state, Some(actor));
    // Labels only: the cached catalogue will do.
    let catalogue = state.catalogue().await?;
    state
        .transaction(move |conn| {
            let (request, access) = load(conn, &actor, id)?;
            require_back_office(access)?;
            matching_allowed(request.status)?;
            let mut m = sourcing::find_match(conn, match_id)?
                .filter(|m| m.request == id)
                .ok_or_else(|| ApiError::not_found("match"))?;
            let decided = m.decide(decision, actor.user_id, note, note_for_buyer, publisher.now);
            sourcing::update_match(conn, &m)?;
            publisher.publish(conn, &request, decided)?;
            let name = accounts::find_organisation(conn, m.supplier)?
                .map(|o| o.legal_name)
                .unwrap_or_default();
            let actions = match_actions(&actor, access, &request);
            Ok(views::matched(&m, &name, &actions, &catalogue, language))
        })
        .await
}

const MATCHES: &str = "matches";

pub async fn list(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    query: ListQuery,
    language: Language,
) -> ApiResult<MatchPage> {
    let limit = page_limit(query.limit)?;
    let after = parse_score_cursor(query.cursor, MATCHES)?;
    // Labels only: the cached catalogue will do.
    let catalogue = state.catalogue().await?;
    state
        .read(move |conn| {
            let (request, access) = load(conn, &actor, id)?;
            require_back_office(access)?;
            // The same for every match of the request.
            let actions = match_actions(&actor, access, &request);
            let rows = sourcing::matches_page_of(conn, id, after, limit + 1)?;
            let (matches, next_cursor) =
                page(rows, limit, |m| score_cursor(MATCHES, m.score, m.id));
            let suppliers: Vec<OrganisationId> = matches.iter().map(|m| m.supplier).collect();
            let organisations = accounts::find_organisations(conn, &suppliers)?;
            let items = matches
                .iter()
                .map(|m| {
                    let name = organisations
                        .iter()
                        .find(|o| o.id == m.supplier)
                        .map_or("", |o| o.legal_name.as_str());
                    views::matched(m, name, &actions, &catalogue, language)
                })
                .collect();
            Ok(MatchPage { items, next_cursor })
        })
        .await
}

/// Opening a request invites every approved match (see
/// `Invitation::of_approved`).
pub fn invite_approved(
    conn: &mut DbConnection,
    request: &SourcingRequest,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let matches = sourcing::matches_of(conn, request.id)?;
    for invitation in Invitation::of_approved(request.id, &matches, now)? {
        sourcing::insert_invitation(conn, &invitation)?;
    }
    Ok(())
}
