//! Suppliers' answers (quotes, every revision kept, or a decline), their
//! clarification questions, and the buyer's comparison and award.

use domain::account::Language;
use domain::auth::Actor;
use domain::ids::{OrganisationId, QuestionId, QuoteId, SourcingRequestId};
use domain::sourcing::answers::{
    self, Invitation, InvitationStatus, Outcome, Question, Quote, QuoteTerms,
};
use domain::sourcing::matching::MatchStatus;
use domain::sourcing::request::{Action, Attachment, Party, RequestStatus};
use domain::sourcing::{RequestAccess, SourcingRequest};
use domain::{DomainError, ValidationErrors};
use openapi::directory::ContactView;
use openapi::sourcing::{
    AnswerRow, AttachmentBody, AwardRequest, ConnectionView, MyAnswerView, QuestionView,
    QuoteInput, QuoteView, RequestView,
};
use persistence::{DbConnection, accounts, certifications, profiles, sourcing};

use super::{load, not_found, record, required_text, save, views};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The caller's own invitation, for supplier-side actions.
fn own_invitation(
    conn: &mut DbConnection,
    actor: &Actor,
    request: &SourcingRequest,
    access: RequestAccess,
) -> ApiResult<Invitation> {
    access.require(RequestAccess::InvitedSupplier)?;
    let org = actor.organisation_id().ok_or_else(not_found)?;
    sourcing::find_invitation(conn, request.id, org)?.ok_or_else(not_found)
}

fn attachments(list: &[AttachmentBody]) -> Result<Vec<Attachment>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    errors.at_most("attachments", list, 20);
    let parsed = list
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let name = errors.check(
                &format!("attachments[{i}].name"),
                domain::validation::text(&a.name, 1, 255),
            );
            let reference = errors.check(
                &format!("attachments[{i}].reference"),
                domain::validation::text(&a.reference, 1, 1000),
            );
            let content_type = errors.check(
                &format!("attachments[{i}].content_type"),
                domain::validation::optional_text(a.content_type.as_deref(), 100),
            );
            let size_bytes = errors.check(
                &format!("attachments[{i}].size_bytes"),
                domain::validation::byte_size(a.size_bytes),
            );
            Some(Attachment {
                name: name?,
                content_type: content_type?,
                size_bytes: size_bytes?,
                reference: reference?,
            })
        })
        .collect();
    errors.into_result(|| parsed)
}

/// A supplier declines the invitation, saying why.
pub async fn decline(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    reason: String,
) -> ApiResult<MyAnswerView> {
    let reason = required_text("reason", &reason, 2000)?;
    let now = state.clock.now();
    state
        .transaction(move |conn| {
            let (request, access) = load(conn, &actor, id)?;
            let mut invitation = own_invitation(conn, &actor, &request, access)?;
            invitation.ensure_current()?;
            request.accepts_answers(now)?;
            invitation.status = InvitationStatus::Declined;
            invitation.decline_reason = Some(reason.clone());
            invitation.responded_at = Some(now);
            sourcing::update_invitation(conn, &invitation)?;
            record(
                conn,
                Some(&actor),
                id,
                "answer.declined",
                None,
                Some(reason),
                false,
                now,
            )?;
            my_answer_of(conn, &invitation)
        })
        .await
}

/// A supplier quotes, or revises its quote: each revision is kept.
pub async fn quote(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    body: QuoteInput,
) -> ApiResult<MyAnswerView> {
    let now = state.clock.now();
    let terms = QuoteTerms::parse(
        &body.amount,
        &body.currency,
        body.lead_time_days,
        &body.valid_until,
        &body.message,
        attachments(&body.attachments)?,
        now.date_naive(),
    )?;
    let base_url = state.settings.public_base_url.clone();
    state
        .transaction(move |conn| {
            let (request, access) = load(conn, &actor, id)?;
            let mut invitation = own_invitation(conn, &actor, &request, access)?;
            invitation.ensure_current()?;
            actor.require_verified_email("quoting")?;
            request.accepts_answers(now)?;
            invitation.status = InvitationStatus::Answered;
            invitation.decline_reason = None;
            invitation.responded_at = Some(now);
            // Writing the invitation first locks its row: a concurrent
            // revision by the same supplier waits for this one and then
            // numbers itself after it, instead of colliding on the number.
            sourcing::update_invitation(conn, &invitation)?;
            let previous = sourcing::quotes_of(conn, id, Some(invitation.supplier))?;
            let revision = previous.last().map_or(1, |q| q.revision + 1);
            let quote = Quote {
                id: QuoteId::new(),
                request: id,
                supplier: invitation.supplier,
                revision,
                price: terms.price,
                lead_time_days: terms.lead_time_days,
                valid_until: terms.valid_until,
                message: terms.message,
                attachments: terms.attachments,
                submitted_by: actor.user_id,
                created_at: now,
            };
            sourcing::insert_quote(conn, &quote)?;
            let action = if revision == 1 {
                "answer.quoted"
            } else {
                "answer.revised"
            };
            record(
                conn,
                Some(&actor),
                id,
                action,
                None,
                Some(format!("revision {revision}: {}", quote.price)),
                false,
                now,
            )?;
            super::emails::answer_received(
                conn,
                &base_url,
                &request,
                invitation.supplier,
                revision,
                now,
            )?;
            my_answer_of(conn, &invitation)
        })
        .await
}

fn my_answer_of(conn: &mut DbConnection, invitation: &Invitation) -> ApiResult<MyAnswerView> {
    let quotes = sourcing::quotes_of(conn, invitation.request, Some(invitation.supplier))?;
    Ok(MyAnswerView {
        status: invitation.status.into(),
        decline_reason: invitation.decline_reason.clone(),
        outcome: invitation.outcome.map(Into::into),
        quotes: quotes.iter().map(views::quote).collect(),
    })
}

/// A supplier's own answer; never anyone else's.
pub async fn my_answer(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
) -> ApiResult<MyAnswerView> {
    state
        .read(move |conn| {
            let (request, access) = load(conn, &actor, id)?;
            let invitation = own_invitation(conn, &actor, &request, access)?;
            my_answer_of(conn, &invitation)
        })
        .await
}

/// An invited supplier asks a clarification question.
pub async fn ask(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    question: String,
) -> ApiResult<QuestionView> {
    let question = required_text("question", &question, 4000)?;
    let now = state.clock.now();
    state
        .transaction(move |conn| {
            let (request, access) = load(conn, &actor, id)?;
            let invitation = own_invitation(conn, &actor, &request, access)?;
            invitation.ensure_current()?;
            actor.require_verified_email("asking the buyer a question")?;
            request.accepts_answers(now)?;
            let asked_so_far = sourcing::questions_of(conn, id)?
                .iter()
                .filter(|q| q.asked_by_supplier == invitation.supplier)
                .count();
            answers::may_ask_another(asked_so_far)?;
            let asked = Question {
                id: QuestionId::new(),
                request: id,
                asked_by_supplier: invitation.supplier,
                asked_by: actor.user_id,
                question,
                answer: None,
                answered_by: None,
                answered_at: None,
                created_at: now,
            };
            sourcing::insert_question(conn, &asked)?;
            record(
                conn,
                Some(&actor),
                id,
                "question.asked",
                None,
                Some(asked.question.clone()),
                false,
                now,
            )?;
            Ok(question_view(&asked, access, Some(invitation.supplier)))
        })
        .await
}

fn question_view(q: &Question, access: RequestAccess, own: Option<OrganisationId>) -> QuestionView {
    let supplier_side = access == RequestAccess::InvitedSupplier;
    QuestionView {
        id: *q.id.as_uuid(),
        question: q.question.clone(),
        answer: q.answer.clone(),
        asked_at: q.created_at,
        answered_at: q.answered_at,
        mine: supplier_side.then(|| Some(q.asked_by_supplier) == own),
        asked_by_supplier: (!supplier_side).then(|| *q.asked_by_supplier.as_uuid()),
    }
}

/// The buyer or an expert answers; the answer becomes visible to every
/// invited supplier, without saying who asked.
pub async fn answer_question(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    question: QuestionId,
    answer: String,
) -> ApiResult<QuestionView> {
    let answer = required_text("answer", &answer, 4000)?;
    let now = state.clock.now();
    let base_url = state.settings.public_base_url.clone();
    state
        .transaction(move |conn| {
            let (request, access) = load(conn, &actor, id)?;
            access.party()?;
            let mut q = sourcing::find_question(conn, question)?
                .filter(|q| q.request == id)
                .ok_or_else(|| ApiError::not_found("question"))?;
            request.accepts_clarifications()?;
            if q.answer.is_some() {
                return Err(DomainError::InvalidState {
                    code: "question_answered".to_owned(),
                    message: "this question already has an answer".to_owned(),
                }
                .into());
            }
            q.answer = Some(answer);
            q.answered_by = Some(actor.user_id);
            q.answered_at = Some(now);
            sourcing::update_question(conn, &q)?;
            record(
                conn,
                Some(&actor),
                id,
                "question.answered",
                None,
                q.answer.clone(),
                false,
                now,
            )?;
            super::emails::question_answered(conn, &base_url, &request, &q, now)?;
            Ok(question_view(&q, access, None))
        })
        .await
}

/// Suppliers see answered questions and their own; the buyer and experts
/// see all, with who asked.
pub async fn questions(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
) -> ApiResult<Vec<QuestionView>> {
    state
        .read(move |conn| {
            let (_, access) = load(conn, &actor, id)?;
            let own = actor.organisation_id();
            let all = sourcing::questions_of(conn, id)?;
            Ok(all
                .iter()
                .filter(|q| {
                    access != RequestAccess::InvitedSupplier
                        || q.answer.is_some()
                        || Some(q.asked_by_supplier) == own
                })
                .map(|q| question_view(q, access, own))
                .collect())
        })
        .await
}

/// Side-by-side answers for the buyer (and experts): latest quote, lead
/// time, valid certifications, the expert's note for the buyer.
pub async fn compare(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    language: Language,
) -> ApiResult<Vec<AnswerRow>> {
    let today = state.clock.now().date_naive();
    // Labels only: the cached catalogue will do.
    let catalogue = state.catalogue().await?;
    state
        .read(move |conn| {
            let (_, access) = load(conn, &actor, id)?;
            access.party()?;
            let matches = sourcing::matches_of(conn, id)?;
            let quotes = sourcing::quotes_of(conn, id, None)?;
            let invitations = sourcing::invitations_of(conn, id)?;
            let suppliers: Vec<OrganisationId> = invitations.iter().map(|i| i.supplier).collect();
            let organisations = accounts::find_organisations(conn, &suppliers)?;
            let all_certs = certifications::of_organisations(conn, &suppliers)?;
            let mut rows = Vec::new();
            for invitation in invitations {
                let supplier = invitation.supplier;
                let name = organisations
                    .iter()
                    .find(|o| o.id == supplier)
                    .map(|o| o.legal_name.clone())
                    .unwrap_or_default();
                let revisions: Vec<&Quote> =
                    quotes.iter().filter(|q| q.supplier == supplier).collect();
                let certs: Vec<_> = all_certs
                    .iter()
                    .filter(|c| c.organisation_id == supplier)
                    .cloned()
                    .collect();
                rows.push(AnswerRow {
                    supplier_id: *supplier.as_uuid(),
                    supplier_name: name,
                    status: invitation.status.into(),
                    decline_reason: invitation.decline_reason.clone(),
                    quote: revisions.last().map(|q| views::quote(q)),
                    revisions: revisions.len(),
                    certifications: views::valid_certifications(
                        &certs, today, &catalogue, language,
                    ),
                    expert_note: matches
                        .iter()
                        .find(|m| m.supplier == supplier && m.status == MatchStatus::Approved)
                        .and_then(|m| m.note_for_buyer.clone()),
                    shortlisted: invitation.shortlisted,
                    outcome: invitation.outcome.map(Into::into),
                });
            }
            Ok(rows)
        })
        .await
}

/// Every revision of one supplier's quote (buyer and experts).
pub async fn quote_history(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    supplier: OrganisationId,
) -> ApiResult<Vec<QuoteView>> {
    state
        .read(move |conn| {
            let (_, access) = load(conn, &actor, id)?;
            access.party()?;
            sourcing::find_invitation(conn, id, supplier)?
                .ok_or_else(|| ApiError::not_found("answer"))?;
            Ok(sourcing::quotes_of(conn, id, Some(supplier))?
                .iter()
                .map(views::quote)
                .collect())
        })
        .await
}

pub async fn shortlist(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    supplier: OrganisationId,
    shortlisted: bool,
) -> ApiResult<()> {
    let now = state.clock.now();
    state
        .transaction(move |conn| {
            let (request, access) = load(conn, &actor, id)?;
            access.require(RequestAccess::Buyer)?;
            if !matches!(
                request.status,
                domain::sourcing::RequestStatus::Open | domain::sourcing::RequestStatus::Closed
            ) {
                return Err(
                    domain::sourcing::request::wrong_state(request.status, "shortlist on").into(),
                );
            }
            let mut invitation = sourcing::find_invitation(conn, id, supplier)?
                .ok_or_else(|| ApiError::not_found("answer"))?;
            invitation.shortlisted = shortlisted;
            sourcing::update_invitation(conn, &invitation)?;
            let action = if shortlisted {
                "answer.shortlisted"
            } else {
                "answer.unshortlisted"
            };
            let name = accounts::find_organisation(conn, supplier)?.map(|o| o.legal_name);
            record(conn, Some(&actor), id, action, None, name, false, now)?;
            Ok(())
        })
        .await
}

/// The buyer awards one or several suppliers that quoted. The award is the
/// connection: both sides see each other's contacts; the others are told
/// they were not selected.
pub async fn award(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    body: AwardRequest,
    language: Language,
) -> ApiResult<RequestView> {
    let mut errors = ValidationErrors::new();
    errors.at_most("supplier_ids", &body.supplier_ids, 50);
    if body.supplier_ids.is_empty() {
        errors.add("supplier_ids", "required", "award at least one supplier");
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let winners: Vec<OrganisationId> = body
        .supplier_ids
        .iter()
        .map(|u| OrganisationId::from(*u))
        .collect();
    let now = state.clock.now();
    let base_url = state.settings.public_base_url.clone();
    // Labels only: the cached catalogue will do.
    let catalogue = state.catalogue().await?;
    state
        .transaction(move |conn| {
            let (mut request, access) = load(conn, &actor, id)?;
            let party = access.party()?;
            if party != Party::Buyer {
                return Err(DomainError::Forbidden("only the buyer awards").into());
            }
            // The state is checked first: awarding a request that is not
            // closed is a 409 whatever the body says.
            let read_version = request.version;
            let transition = request.apply(Action::Award, party, now)?;
            let invitations = sourcing::invitations_of(conn, id)?;
            for (i, winner) in winners.iter().enumerate() {
                let answered = invitations
                    .iter()
                    .any(|inv| inv.supplier == *winner && inv.status == InvitationStatus::Answered);
                if !answered {
                    return Err(ValidationErrors::single(
                        format!("supplier_ids[{i}]"),
                        "not_an_answer",
                        "award only suppliers that quoted on this request",
                    )
                    .into());
                }
            }
            save(conn, &request, read_version)?;
            let mut names = Vec::new();
            for mut invitation in invitations {
                let outcome = if winners.contains(&invitation.supplier) {
                    Outcome::Awarded
                } else {
                    Outcome::NotSelected
                };
                invitation.outcome = Some(outcome);
                sourcing::update_invitation(conn, &invitation)?;
                if outcome == Outcome::Awarded {
                    names.extend(
                        accounts::find_organisation(conn, invitation.supplier)?
                            .map(|o| o.legal_name),
                    );
                }
                super::emails::outcome(
                    conn,
                    &base_url,
                    &request,
                    invitation.supplier,
                    outcome,
                    now,
                )?;
            }
            record(
                conn,
                Some(&actor),
                id,
                "request.awarded",
                Some(transition),
                Some(names.join(", ")),
                false,
                now,
            )?;
            super::requests::view(conn, &actor, &request, access, &catalogue, language)
        })
        .await
}

/// After an award: the buyer sees the awarded suppliers' contacts, an
/// awarded supplier sees the buyer's. Nobody else sees anything.
pub async fn connections(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
) -> ApiResult<Vec<ConnectionView>> {
    state
        .read(move |conn| {
            let (request, access) = load(conn, &actor, id)?;
            let awarded: Vec<OrganisationId> = sourcing::invitations_of(conn, id)?
                .into_iter()
                .filter(|i| i.outcome == Some(Outcome::Awarded))
                .map(|i| i.supplier)
                .collect();
            let counterparts = match access {
                RequestAccess::Buyer | RequestAccess::BackOffice => awarded,
                RequestAccess::InvitedSupplier
                    if actor
                        .organisation_id()
                        .is_some_and(|o| awarded.contains(&o)) =>
                {
                    vec![request.buyer]
                }
                RequestAccess::InvitedSupplier => Vec::new(),
            };
            counterparts
                .into_iter()
                .map(|org| connection(conn, org, &request))
                .collect()
        })
        .await
}

fn connection(
    conn: &mut DbConnection,
    org: OrganisationId,
    request: &SourcingRequest,
) -> ApiResult<ConnectionView> {
    let organisation = accounts::find_organisation(conn, org)?
        .ok_or_else(|| ApiError::not_found("organisation"))?;
    let mut contacts = Vec::new();
    if org == request.buyer {
        if let Some(author) = accounts::find_user(conn, request.created_by)? {
            contacts.push(ContactView {
                name: author.full_name,
                role: None,
                email: author.email.to_string(),
                phone: None,
            });
        }
    } else if let Some(profile) = profiles::find(conn, org)? {
        let content = profile.published.unwrap_or(profile.working);
        if let Some(email) = content.public_contact_email {
            contacts.push(ContactView {
                name: organisation.legal_name.clone(),
                role: None,
                email: email.to_string(),
                phone: content.public_phone.clone(),
            });
        }
        contacts.extend(content.private_contacts.into_iter().map(|c| ContactView {
            name: c.name,
            role: c.role,
            email: c.email.to_string(),
            phone: c.phone,
        }));
    }
    let a = &organisation.address;
    Ok(ConnectionView {
        organisation_id: *org.as_uuid(),
        name: organisation.legal_name,
        website: organisation.website.map(|w| w.as_str().to_owned()),
        address: format!("{}, {} {}", a.street, a.postal_code, a.city),
        contacts,
    })
}

/// A suspended supplier stops taking part: each of its invitations to a
/// request still running is withdrawn, with an entry in the request's
/// history, and the buyer is told. Runs in the suspension's transaction.
pub fn withdraw_suspended(
    conn: &mut DbConnection,
    state: &AppState,
    expert: &Actor,
    supplier: OrganisationId,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<usize> {
    let name = accounts::find_organisation(conn, supplier)?
        .map(|o| o.legal_name)
        .unwrap_or_default();
    let mut withdrawn = 0;
    for mut invitation in sourcing::all_invitations_of_supplier(conn, supplier)? {
        let Some(request) = sourcing::find_request(conn, invitation.request)? else {
            continue;
        };
        let running = matches!(request.status, RequestStatus::Open | RequestStatus::Closed);
        if !invitation.withdraw(running, now) {
            continue;
        }
        sourcing::update_invitation(conn, &invitation)?;
        record(
            conn,
            Some(expert),
            request.id,
            "answer.withdrawn",
            None,
            Some(format!("{name}: supplier suspended by the cluster")),
            false,
            now,
        )?;
        super::emails::supplier_withdrawn(conn, &state.settings.public_base_url, &request, now)?;
        withdrawn += 1;
    }
    Ok(withdrawn)
}
