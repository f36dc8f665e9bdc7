//! Suppliers' answers (quotes, every revision kept, or a decline), their
//! clarification questions, and the buyer's comparison and award.

use domain::ValidationErrors;
use domain::account::Language;
use domain::auth::Actor;
use domain::documents::Attachment;
use domain::ids::{OrganisationId, QuestionId, SourcingRequestId};
use domain::sourcing::answers::{Invitation, Outcome, Question, Quote, QuoteTerms};
use domain::sourcing::matching::MatchStatus;
use domain::sourcing::request::Attachment as Reference;
use domain::sourcing::{RequestAccess, SourcingRequest};
use openapi::directory::ContactView;
use openapi::files::FileView;
use openapi::paging::{AnswerPage, ConnectionPage, ListQuery, QuestionPage, QuotePage};
use openapi::sourcing::QuoteView;
use openapi::sourcing::{
    AnswerInput, AnswerRow, AttachmentBody, AwardRequest, ConnectionView, MyAnswerView,
    QuestionView, QuoteInput, RequestView,
};
use persistence::{DbConnection, accounts, certifications, files, profiles, sourcing};

use super::{
    Publisher, load, not_found, page, page_limit, parse_time_cursor, required_text, save,
    time_cursor, views,
};
use crate::app::attachments::{attach_all, parse_file_ids, views_of};
use crate::app::files::view as files_view;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use domain::actions::InvitationFacts;

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

fn attachments(list: &[AttachmentBody]) -> Result<Vec<Reference>, ValidationErrors> {
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
            Some(Reference {
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
    let publisher = Publisher::new(state, Some(actor));
    state
        .transaction(move |conn| {
            let (request, access) = load(conn, &actor, id)?;
            let mut invitation = own_invitation(conn, &actor, &request, access)?;
            let declined = invitation.decline(&request, reason, publisher.now)?;
            sourcing::update_invitation(conn, &invitation)?;
            publisher.publish(conn, &request, declined)?;
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
    let publisher = Publisher::new(state, Some(actor));
    let terms = QuoteTerms::parse(
        &body.amount,
        &body.currency,
        body.lead_time_days,
        &body.valid_until,
        &body.message,
        attachments(&body.attachments)?,
        publisher.now.date_naive(),
    )?;
    let file_ids = parse_file_ids(&body.file_ids)?;
    state
        .transaction(move |conn| {
            let (request, access) = load(conn, &actor, id)?;
            let mut invitation = own_invitation(conn, &actor, &request, access)?;
            let unnumbered = invitation.quote(&actor, &request, terms, publisher.now)?;
            // Writing the invitation first locks its row: a concurrent
            // revision by the same supplier waits for this one and then
            // numbers itself after it, instead of colliding on the number.
            sourcing::update_invitation(conn, &invitation)?;
            let previous = sourcing::quotes_of(conn, id, Some(invitation.supplier))?;
            let (quote, quoted) = unnumbered.after(previous.last());
            sourcing::insert_quote(conn, &quote)?;
            attach_all(
                conn,
                &actor,
                &file_ids,
                Attachment::Quote(quote.id),
                &publisher,
            )?;
            publisher.publish(conn, &request, quoted)?;
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
        quotes: quote_views(conn, &quotes)?,
    })
}

/// Quote revisions with their files, in one query for the files.
fn quote_views(conn: &mut DbConnection, quotes: &[Quote]) -> ApiResult<Vec<QuoteView>> {
    let targets: Vec<Attachment> = quotes.iter().map(|q| Attachment::Quote(q.id)).collect();
    let attached = files::attached_to_each(conn, &targets)?;
    Ok(quotes
        .iter()
        .map(|q| views::quote(q, views_of(&attached, Attachment::Quote(q.id))))
        .collect())
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
    let publisher = Publisher::new(state, Some(actor));
    state
        .transaction(move |conn| {
            let (request, access) = load(conn, &actor, id)?;
            let invitation = own_invitation(conn, &actor, &request, access)?;
            let asked_so_far = super::questions_asked(conn, id, invitation.supplier)?;
            let (asked, event) =
                invitation.ask(&actor, &request, asked_so_far, question, publisher.now)?;
            sourcing::insert_question(conn, &asked)?;
            publisher.publish(conn, &request, event)?;
            Ok(question_view(
                &asked,
                access,
                Some(invitation.supplier),
                Vec::new(),
            ))
        })
        .await
}

fn question_view(
    q: &Question,
    access: RequestAccess,
    own: Option<OrganisationId>,
    files: Vec<FileView>,
) -> QuestionView {
    let supplier_side = access == RequestAccess::InvitedSupplier;
    QuestionView {
        id: *q.id.as_uuid(),
        question: q.question.clone(),
        answer: q.answer.clone(),
        asked_at: q.created_at,
        answered_at: q.answered_at,
        mine: supplier_side.then(|| Some(q.asked_by_supplier) == own),
        asked_by_supplier: (!supplier_side).then(|| *q.asked_by_supplier.as_uuid()),
        files,
    }
}

/// The buyer or an expert answers; the answer becomes visible to every
/// invited supplier, without saying who asked.
pub async fn answer_question(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    question: QuestionId,
    body: AnswerInput,
) -> ApiResult<QuestionView> {
    let answer = required_text("answer", &body.answer, 4000)?;
    let file_ids = parse_file_ids(&body.file_ids)?;
    let publisher = Publisher::new(state, Some(actor));
    state
        .transaction(move |conn| {
            let (request, access) = load(conn, &actor, id)?;
            access.party()?;
            let mut q = sourcing::find_question(conn, question)?
                .filter(|q| q.request == id)
                .ok_or_else(|| ApiError::not_found("question"))?;
            let answered = q.answer(&request, actor.user_id, answer, publisher.now)?;
            sourcing::update_question(conn, &q)?;
            let attached = attach_all(
                conn,
                &actor,
                &file_ids,
                Attachment::Answer(q.id),
                &publisher,
            )?;
            publisher.publish(conn, &request, answered)?;
            Ok(question_view(
                &q,
                access,
                None,
                attached.iter().map(files_view).collect(),
            ))
        })
        .await
}

const QUESTIONS: &str = "questions";
const ANSWERS: &str = "answers";
const QUOTES: &str = "quotes";
const CONNECTIONS: &str = "connections";

/// Suppliers see answered questions and their own; the buyer and experts
/// see all, with who asked.
pub async fn questions(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    query: ListQuery,
) -> ApiResult<QuestionPage> {
    let limit = page_limit(query.limit)?;
    let after = parse_time_cursor(query.cursor, QUESTIONS)?;
    state
        .read(move |conn| {
            let (_, access) = load(conn, &actor, id)?;
            let own = actor.organisation_id();
            let visible_to = match access {
                RequestAccess::InvitedSupplier => Some(own.ok_or_else(not_found)?),
                RequestAccess::Buyer | RequestAccess::BackOffice => None,
            };
            let rows = sourcing::questions_page_of(conn, id, visible_to, after, limit + 1)?;
            let (questions, next_cursor) =
                page(rows, limit, |q| time_cursor(QUESTIONS, q.created_at, q.id));
            let targets: Vec<Attachment> =
                questions.iter().map(|q| Attachment::Answer(q.id)).collect();
            let attached = files::attached_to_each(conn, &targets)?;
            Ok(QuestionPage {
                items: questions
                    .iter()
                    .map(|q| {
                        let files = views_of(&attached, Attachment::Answer(q.id));
                        question_view(q, access, own, files)
                    })
                    .collect(),
                next_cursor,
            })
        })
        .await
}

/// Side-by-side answers for the buyer (and experts): latest quote, lead
/// time, valid certifications, the expert's note for the buyer.
pub async fn compare(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    query: ListQuery,
    language: Language,
) -> ApiResult<AnswerPage> {
    let limit = page_limit(query.limit)?;
    let after = parse_time_cursor(query.cursor, ANSWERS)?;
    let now = state.clock.now();
    let today = now.date_naive();
    // Labels only: the cached catalogue will do.
    let catalogue = state.catalogue().await?;
    state
        .read(move |conn| {
            let (request, access) = load(conn, &actor, id)?;
            access.party()?;
            let rows = sourcing::invitations_page_of(conn, id, None, after, limit + 1)?;
            let (invitations, next_cursor) = page(rows, limit, |i| {
                time_cursor(ANSWERS, i.invited_at, i.supplier)
            });
            let matches = sourcing::matches_of(conn, id)?;
            let quotes = sourcing::quotes_of(conn, id, None)?;
            let latest: Vec<Attachment> = invitations
                .iter()
                .filter_map(|i| quotes.iter().rfind(|q| q.supplier == i.supplier))
                .map(|q| Attachment::Quote(q.id))
                .collect();
            let quote_files = files::attached_to_each(conn, &latest)?;
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
                    quote: revisions
                        .last()
                        .map(|q| views::quote(q, views_of(&quote_files, Attachment::Quote(q.id)))),
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
                    allowed_actions: domain::actions::invitation_actions(
                        &actor,
                        access,
                        &request,
                        &invitation,
                        // Read by the buyer or an expert, who ask nothing.
                        InvitationFacts { asked_so_far: 0 },
                        now,
                    )
                    .into_iter()
                    .map(Into::into)
                    .collect(),
                });
            }
            Ok(AnswerPage {
                items: rows,
                next_cursor,
            })
        })
        .await
}

/// Every revision of one supplier's quote (buyer and experts).
pub async fn quote_history(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    supplier: OrganisationId,
    query: ListQuery,
) -> ApiResult<QuotePage> {
    let limit = page_limit(query.limit)?;
    let after = parse_time_cursor(query.cursor, QUOTES)?;
    state
        .read(move |conn| {
            let (_, access) = load(conn, &actor, id)?;
            access.party()?;
            sourcing::find_invitation(conn, id, supplier)?
                .ok_or_else(|| ApiError::not_found("answer"))?;
            let rows = sourcing::quotes_page_of(conn, id, supplier, after, limit + 1)?;
            let (quotes, next_cursor) =
                page(rows, limit, |q| time_cursor(QUOTES, q.created_at, q.id));
            Ok(QuotePage {
                items: quote_views(conn, &quotes)?,
                next_cursor,
            })
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
    let publisher = Publisher::new(state, Some(actor));
    state
        .transaction(move |conn| {
            let (request, access) = load(conn, &actor, id)?;
            access.require(RequestAccess::Buyer)?;
            request.accepts_shortlisting()?;
            let mut invitation = sourcing::find_invitation(conn, id, supplier)?
                .ok_or_else(|| ApiError::not_found("answer"))?;
            let event = invitation.shortlist(shortlisted);
            sourcing::update_invitation(conn, &invitation)?;
            publisher.publish(conn, &request, event)
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
    let publisher = Publisher::new(state, Some(actor));
    // Labels only: the cached catalogue will do.
    let catalogue = state.catalogue().await?;
    state
        .transaction(move |conn| {
            let (mut request, access) = load(conn, &actor, id)?;
            let read_version = request.version;
            let mut invitations = sourcing::invitations_of(conn, id)?;
            let awarded =
                request.award(access.party()?, &winners, &mut invitations, publisher.now)?;
            save(conn, &request, read_version)?;
            for invitation in &invitations {
                sourcing::update_invitation(conn, invitation)?;
            }
            publisher.publish(conn, &request, awarded)?;
            super::requests::view(
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

/// After an award: the buyer sees the awarded suppliers' contacts, an
/// awarded supplier sees the buyer's. Nobody else sees anything.
pub async fn connections(
    state: &AppState,
    actor: Actor,
    id: SourcingRequestId,
    query: ListQuery,
) -> ApiResult<ConnectionPage> {
    let limit = page_limit(query.limit)?;
    let after = parse_time_cursor(query.cursor, CONNECTIONS)?;
    state
        .read(move |conn| {
            let (request, access) = load(conn, &actor, id)?;
            match access {
                RequestAccess::Buyer | RequestAccess::BackOffice => {
                    // The awarded suppliers, in invitation order.
                    let rows = sourcing::invitations_page_of(
                        conn,
                        id,
                        Some(Outcome::Awarded),
                        after,
                        limit + 1,
                    )?;
                    let (awarded, next_cursor) = page(rows, limit, |i| {
                        time_cursor(CONNECTIONS, i.invited_at, i.supplier)
                    });
                    Ok(ConnectionPage {
                        items: awarded
                            .iter()
                            .map(|i| connection(conn, i.supplier, &request))
                            .collect::<ApiResult<_>>()?,
                        next_cursor,
                    })
                }
                RequestAccess::InvitedSupplier => {
                    // One connection at most: the buyer, once awarded.
                    let own = actor.organisation_id();
                    let awarded = own
                        .map(|o| sourcing::find_invitation(conn, id, o))
                        .transpose()?
                        .flatten()
                        .is_some_and(|i| i.outcome == Some(Outcome::Awarded));
                    let items = if awarded && after.is_none() {
                        vec![connection(conn, request.buyer, &request)?]
                    } else {
                        Vec::new()
                    };
                    Ok(ConnectionPage {
                        items,
                        next_cursor: None,
                    })
                }
            }
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
/// history, and the buyer is told. Runs in the suspension's transaction;
/// `publisher` speaks for the expert who suspended it.
pub fn withdraw_suspended(
    conn: &mut DbConnection,
    publisher: &Publisher,
    supplier: OrganisationId,
) -> ApiResult<usize> {
    let mut withdrawn = 0;
    for mut invitation in sourcing::all_invitations_of_supplier(conn, supplier)? {
        let Some(request) = sourcing::find_request(conn, invitation.request)? else {
            continue;
        };
        let Some(event) = invitation.withdraw(&request, publisher.now) else {
            continue;
        };
        sourcing::update_invitation(conn, &invitation)?;
        publisher.publish(conn, &request, event)?;
        withdrawn += 1;
    }
    Ok(withdrawn)
}
