use super::Routes;
use actix_web::http::header::ACCEPT_LANGUAGE;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use domain::account::Language;
use domain::ids::{MatchId, OrganisationId, QuestionId, SourcingRequestId};
use domain::sourcing::matching::MatchDecision;
use domain::sourcing::request::Action;
use openapi::directory::{CommentRequest, ReviewRequest};
use openapi::paging::{
    AnswerPage, AuditEntryPage, ConnectionPage, ListQuery, MatchPage, QuestionPage, QuotePage,
    RequestPage,
};
use openapi::problem::Problem;
use openapi::sourcing::{
    AddMatchRequest, AnswerInput, AwardRequest, CandidatesView, DeclineRequest,
    MatchDecisionRequest, MatchView, MyAnswerView, QuestionInput, QuestionView, QuoteInput,
    RequestInput, RequestListQuery, RequestView, RequirementsInput, ShortlistRequest,
};
use uuid::Uuid;

use super::body::JsonBody;
use super::{if_match, with_etag};
use crate::app::directory;
use crate::app::sourcing::requests::Step;
use crate::app::sourcing::{answers, matching, requests};
use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(create)
        .service(list)
        .service(get_request)
        .service(edit)
        .service(recode)
        .service(submit)
        .service(qualify)
        .service(request_changes)
        .service(reject)
        .service(open)
        .service(close)
        .service(cancel)
        .service(reveal_identity)
        .service(history)
        .service(candidates)
        .service(list_matches)
        .service(add_match)
        .service(approve_match)
        .service(discard_match)
        .service(decline)
        .service(quote)
        .service(my_answer)
        .service(list_questions)
        .service(ask)
        .service(answer_question)
        .service(compare)
        .service(quote_history)
        .service(shortlist)
        .service(award)
        .service(connections);
}

fn language(req: &HttpRequest) -> Language {
    let header = req
        .headers()
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    directory::language(None, header).unwrap_or_default()
}

fn view_with_etag(view: RequestView, status: actix_web::http::StatusCode) -> HttpResponse {
    let version = view.version;
    with_etag(HttpResponse::build(status).json(view), version)
}

fn id(raw: &Uuid) -> SourcingRequestId {
    SourcingRequestId::from(*raw)
}

/// Draft a request.
///
/// Draft a sourcing request (buyers).
#[utoipa::path(
    operation_id = "createRequest",
    tag = "requests",
    security(("bearer" = [])),
    request_body = RequestInput,
    responses(
        (status = 201, body = RequestView, headers(("ETag" = String, description = "The request version, to send back in `If-Match`"))),
        (status = 403, description = "`forbidden`: only buyers post requests", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/requests")]
async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    body: JsonBody<RequestInput>,
) -> ApiResult<HttpResponse> {
    let view = requests::create(&state, auth.0, body.into_inner(), language(&req)).await?;
    Ok(view_with_etag(view, actix_web::http::StatusCode::CREATED))
}

/// List your requests.
///
/// Your requests: a buyer's organisation's requests, or the requests a
/// supplier is invited to, filtered by status, text and dates, in the order
/// `sort` asks (newest first by default), a page at a time.
#[utoipa::path(
    operation_id = "listRequests",
    tag = "requests",
    security(("bearer" = [])),
    params(RequestListQuery),
    responses(
        (status = 200, body = RequestPage),
        (status = 400, description = "`invalid_query`: a `cursor` this list did not issue for this `sort` (`errors[0].field` is `cursor`), or `limit` not an integer", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: `status` (`invalid_status`), `q` (`required`, `too_long`), a date (`invalid_date`), a window whose start follows its end (`min_above_max`), `sort` (`invalid_sort`) or `limit` outside 1-100 (`out_of_range`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/requests")]
async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    query: web::Query<RequestListQuery>,
) -> ApiResult<web::Json<RequestPage>> {
    let query = query.into_inner();
    let language = directory::language(
        query.lang.as_deref(),
        req.headers()
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )?;
    Ok(web::Json(
        requests::list(&state, auth.0, query, language).await?,
    ))
}

/// Get a request.
///
/// A request. Invited suppliers do not see a confidential buyer's identity.
#[utoipa::path(
    operation_id = "getRequest",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    responses(
        (status = 200, body = RequestView, headers(("ETag" = String, description = "The request version"))),
        (status = 404, description = "`not_found`: no such request within your reach", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/requests/{id}")]
async fn get_request(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let view = requests::get(&state, auth.0, id(&path), language(&req)).await?;
    Ok(view_with_etag(view, actix_web::http::StatusCode::OK))
}

/// Edit a request.
///
/// Edit a draft (or a request sent back for changes) with `If-Match`.
#[utoipa::path(
    operation_id = "updateRequest",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id"), ("If-Match" = String, Header, pattern = r#"^\s*(W/)*"*[0-9]{1,18}"*\s*$"#, description = "The version being edited")),
    request_body = RequestInput,
    responses(
        (status = 200, body = RequestView, headers(("ETag" = String, description = "The request version, to send back in `If-Match`"))),
        (status = 403, description = "`forbidden`: only the buyer's organisation edits its request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`request_<state>`: not editable in this state", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`precondition_failed`: someone saved a newer version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`precondition_required`: send If-Match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/requests/{id}")]
async fn edit(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: JsonBody<RequestInput>,
) -> ApiResult<HttpResponse> {
    let view = requests::edit(
        &state,
        auth.0,
        id(&path),
        if_match(&req)?,
        body.into_inner(),
        language(&req),
    )
    .await?;
    Ok(view_with_etag(view, actix_web::http::StatusCode::OK))
}

/// Recode a request's requirements.
///
/// Recode a submitted request's requirements while qualifying it (experts).
///
/// Capabilities, certification requirements (mandatory or desirable),
/// sectors and region replace the current ones, from the version `If-Match`
/// names. The request's history shows each changed field before and after
/// (`request.recoded`), to the buyer too; the same requirements again
/// change nothing, not even the version.
#[utoipa::path(
    operation_id = "recodeRequest",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id"), ("If-Match" = String, Header, pattern = r#"^\s*(W/)*"*[0-9]{1,18}"*\s*$"#, description = "The version being recoded")),
    request_body = RequirementsInput,
    responses(
        (status = 200, body = RequestView, headers(("ETag" = String, description = "The new request version"))),
        (status = 403, description = "`forbidden`: only the cluster's experts recode a request", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`request_<state>`: only submitted requests are recoded", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`precondition_failed`: someone saved a newer version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: each failing field named, e.g. `unknown_capability` on `capabilities[0]`, `unknown_certification_type` on `certifications[0].code`; a body that does not read as the schema (`wrong_type`, `missing`, `unknown_field`... on its JSON pointer)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`precondition_required`: send If-Match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/requests/{id}/requirements")]
async fn recode(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: JsonBody<RequirementsInput>,
) -> ApiResult<HttpResponse> {
    let view = requests::recode(
        &state,
        auth.0,
        id(&path),
        if_match(&req)?,
        body.into_inner(),
        language(&req),
    )
    .await?;
    Ok(view_with_etag(view, actix_web::http::StatusCode::OK))
}

async fn take_step(
    state: &AppState,
    auth: Authenticated,
    req: &HttpRequest,
    path: &Uuid,
    action: Action,
    comment: Option<String>,
) -> ApiResult<HttpResponse> {
    let view = requests::step(
        state,
        auth.0,
        id(path),
        Step { action, comment },
        language(req),
    )
    .await?;
    Ok(view_with_etag(view, actix_web::http::StatusCode::OK))
}

macro_rules! step_route {
    ($name:ident, $operation_id:literal, $summary:literal, $path:literal, $action:expr, $body:ty, $comment:expr, $doc:literal, $who:literal $(, $unprocessable:literal)?) => {
        #[doc = $doc]
        #[utoipa::path(
            operation_id = $operation_id,
            summary = $summary,
            description = $doc,
            tag = "requests",
            security(("bearer" = [])),
            params(("id" = Uuid, Path, description = "Request id")),
            request_body = $body,
            responses(
                (status = 200, body = RequestView, headers(("ETag" = String, description = "The request version, to send back in `If-Match`"))),
                (status = 403, description = $who, body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "`request_<state>`: not allowed in the current state", body = Problem, content_type = "application/problem+json"),
                $((status = 422, description = $unprocessable, body = Problem, content_type = "application/problem+json"),)?
            )
        )]
        #[post($path)]
        async fn $name(state: web::Data<AppState>, auth: Authenticated, req: HttpRequest, path: web::Path<Uuid>, body: JsonBody<$body>) -> ApiResult<HttpResponse> {
            let comment: fn($body) -> Option<String> = $comment;
            take_step(&state, auth, &req, &path, $action, comment(body.into_inner())).await
        }
    };
}

step_route!(
    submit,
    "submitRequest",
    "Submit a request.",
    "/requests/{id}/submit",
    Action::Submit,
    ReviewRequest,
    |b| b.comment,
    "Submit a draft to the cluster's experts (buyer, with a verified email address).",
    "`forbidden`: the buyer submits; `email_unverified`: verify your address first"
);
step_route!(
    qualify,
    "qualifyRequest",
    "Qualify a request.",
    "/requests/{id}/qualify",
    Action::Qualify,
    ReviewRequest,
    |b| b.comment,
    "Qualify a submitted request naming at least one capability (experts).",
    "`forbidden`: experts qualify",
    "`validation_failed`: `capabilities_required` on `capabilities` when the request names no capability (recode it with `PUT /api/v1/requests/{id}/requirements`); invalid fields"
);
step_route!(
    request_changes,
    "requestRequestChanges",
    "Send a request back for changes.",
    "/requests/{id}/request-changes",
    Action::RequestChanges,
    CommentRequest,
    |b| Some(b.comment),
    "Send a submitted request back to the buyer with a comment (experts).",
    "`forbidden`: experts decide"
);
step_route!(
    reject,
    "rejectRequest",
    "Reject a request.",
    "/requests/{id}/reject",
    Action::Reject,
    CommentRequest,
    |b| Some(b.comment),
    "Reject a submitted request with the reason (experts).",
    "`forbidden`: experts decide"
);
step_route!(
    open,
    "openRequest",
    "Open a request.",
    "/requests/{id}/open",
    Action::Open,
    ReviewRequest,
    |b| b.comment,
    "Open a qualified request: every approved match is invited (experts). `409 no_approved_matches` without any.",
    "`forbidden`: experts open"
);
step_route!(
    close,
    "closeRequest",
    "Close a request.",
    "/requests/{id}/close",
    Action::Close,
    ReviewRequest,
    |b| b.comment,
    "Close an open request before its deadline (buyer or experts).",
    "`forbidden`"
);
step_route!(
    cancel,
    "cancelRequest",
    "Cancel a request.",
    "/requests/{id}/cancel",
    Action::Cancel,
    ReviewRequest,
    |b| b.comment,
    "Cancel a request at any stage before the award (buyer or experts).",
    "`forbidden`"
);

/// Reveal the buyer's identity.
///
/// Show the buyer's identity to the invited suppliers (buyer).
#[utoipa::path(
    operation_id = "revealBuyerIdentity",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    responses(
        (status = 200, body = RequestView, headers(("ETag" = String, description = "The request version, to send back in `If-Match`"))),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/requests/{id}/reveal-identity")]
async fn reveal_identity(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    path: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let view = requests::reveal_identity(&state, auth.0, id(&path), language(&req)).await?;
    Ok(view_with_etag(view, actix_web::http::StatusCode::OK))
}

/// List a request's history.
///
/// Every step and decision on the request. The buyer does not see the
/// experts' internal notes; suppliers do not see the history.
#[utoipa::path(
    operation_id = "listRequestHistory",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id"), ListQuery),
    responses((status = 200, body = AuditEntryPage), (status = 400, description = "`invalid_query`: a `cursor` this list did not issue (`errors[0].field` is `cursor`), or `limit` not an integer", body = Problem, content_type = "application/problem+json"), (status = 422, description = "`validation_failed`: `limit` outside 1-100 (`out_of_range`)", body = Problem, content_type = "application/problem+json"), (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"))
)]
#[get("/requests/{id}/history")]
async fn history(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    query: web::Query<ListQuery>,
) -> ApiResult<web::Json<AuditEntryPage>> {
    Ok(web::Json(
        requests::history(&state, auth.0, id(&path), query.into_inner()).await?,
    ))
}

/// List candidate suppliers.
///
/// Candidate suppliers ranked by the capability index, each explained
/// requirement by requirement (experts).
#[utoipa::path(
    operation_id = "listRequestCandidates",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    responses(
        (status = 200, body = CandidatesView),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`request_<state>`: only submitted or qualified requests", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/requests/{id}/candidates")]
async fn candidates(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<CandidatesView>> {
    Ok(web::Json(
        matching::candidates(&state, auth.0, id(&path), language(&req)).await?,
    ))
}

/// List a request's matches.
///
/// The request's matches with internal notes (experts).
#[utoipa::path(
    operation_id = "listRequestMatches",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id"), ListQuery),
    responses((status = 200, body = MatchPage), (status = 400, description = "`invalid_query`: a `cursor` this list did not issue (`errors[0].field` is `cursor`), or `limit` not an integer", body = Problem, content_type = "application/problem+json"), (status = 422, description = "`validation_failed`: `limit` outside 1-100 (`out_of_range`)", body = Problem, content_type = "application/problem+json"), (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"), (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"))
)]
#[get("/requests/{id}/matches")]
async fn list_matches(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    path: web::Path<Uuid>,
    query: web::Query<ListQuery>,
) -> ApiResult<web::Json<MatchPage>> {
    Ok(web::Json(
        matching::list(
            &state,
            auth.0,
            id(&path),
            query.into_inner(),
            language(&req),
        )
        .await?,
    ))
}

/// Propose a match.
///
/// Propose a published supplier as a match (experts); a supplier lacking a
/// mandatory certification needs `override_reason`.
#[utoipa::path(
    operation_id = "addMatch",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    request_body = AddMatchRequest,
    responses(
        (status = 201, body = MatchView),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_matched` or `request_<state>`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/requests/{id}/matches")]
async fn add_match(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: JsonBody<AddMatchRequest>,
) -> ApiResult<HttpResponse> {
    let view = matching::add(&state, auth.0, id(&path), body.into_inner(), language(&req)).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Approve a match.
///
/// Approve a match: it will be invited when the request opens (experts).
#[utoipa::path(
    operation_id = "approveMatch",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id"), ("match_id" = Uuid, Path, description = "Match id")),
    request_body = MatchDecisionRequest,
    responses((status = 200, body = MatchView), (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"), (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"), (status = 409, description = "`request_<state>`", body = Problem, content_type = "application/problem+json"))
)]
#[post("/requests/{id}/matches/{match_id}/approve")]
async fn approve_match(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: JsonBody<MatchDecisionRequest>,
) -> ApiResult<web::Json<MatchView>> {
    let (request, m) = path.into_inner();
    Ok(web::Json(
        matching::decide(
            &state,
            auth.0,
            id(&request),
            MatchId::from(m),
            MatchDecision::Approve,
            body.into_inner(),
            language(&req),
        )
        .await?,
    ))
}

/// Discard a match.
///
/// Discard a match, with an internal note (experts).
#[utoipa::path(
    operation_id = "discardMatch",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id"), ("match_id" = Uuid, Path, description = "Match id")),
    request_body = MatchDecisionRequest,
    responses((status = 200, body = MatchView), (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"), (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"), (status = 409, description = "`request_<state>`", body = Problem, content_type = "application/problem+json"))
)]
#[post("/requests/{id}/matches/{match_id}/discard")]
async fn discard_match(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: JsonBody<MatchDecisionRequest>,
) -> ApiResult<web::Json<MatchView>> {
    let (request, m) = path.into_inner();
    Ok(web::Json(
        matching::decide(
            &state,
            auth.0,
            id(&request),
            MatchId::from(m),
            MatchDecision::Discard,
            body.into_inner(),
            language(&req),
        )
        .await?,
    ))
}

/// Decline an invitation.
///
/// Decline the invitation, with the reason (invited suppliers).
#[utoipa::path(
    operation_id = "declineInvitation",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    request_body = DeclineRequest,
    responses((status = 200, body = MyAnswerView), (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"), (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"), (status = 409, description = "`request_<state>`, `deadline_passed` or `invitation_withdrawn`", body = Problem, content_type = "application/problem+json"))
)]
#[post("/requests/{id}/decline")]
async fn decline(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: JsonBody<DeclineRequest>,
) -> ApiResult<web::Json<MyAnswerView>> {
    Ok(web::Json(
        answers::decline(&state, auth.0, id(&path), body.into_inner().reason).await?,
    ))
}

/// Quote or revise a quote.
///
/// Quote, or revise your quote until the deadline; every revision is kept
/// (invited suppliers). `file_ids` attaches uploaded files of your
/// organisation to this revision, for good: the buyer and the experts read
/// them, never another supplier.
#[utoipa::path(
    operation_id = "submitQuote",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    request_body = QuoteInput,
    responses((status = 201, body = MyAnswerView), (status = 403, description = "`forbidden`; `email_unverified`: verify your address first", body = Problem, content_type = "application/problem+json"), (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"), (status = 409, description = "`request_<state>`, `deadline_passed` or `invitation_withdrawn`", body = Problem, content_type = "application/problem+json"), (status = 422, description = "`validation_failed`: the terms, or `file_ids[i]` `unknown_file` (no unattached file of yours), `file_attached`, `duplicate`; `file_ids` `too_many`", body = Problem, content_type = "application/problem+json"))
)]
#[post("/requests/{id}/quotes")]
async fn quote(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: JsonBody<QuoteInput>,
) -> ApiResult<HttpResponse> {
    let answer = answers::quote(&state, auth.0, id(&path), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(answer))
}

/// Get your answer.
///
/// Your own answer and all its revisions (invited suppliers).
#[utoipa::path(
    operation_id = "getMyAnswer",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    responses((status = 200, body = MyAnswerView), (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"), (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"))
)]
#[get("/requests/{id}/my-answer")]
async fn my_answer(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> ApiResult<web::Json<MyAnswerView>> {
    Ok(web::Json(
        answers::my_answer(&state, auth.0, id(&path)).await?,
    ))
}

/// List clarification questions.
///
/// Clarification questions: suppliers see the answered ones (never who
/// asked) and their own; the buyer and experts see all.
#[utoipa::path(
    operation_id = "listRequestQuestions",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id"), ListQuery),
    responses((status = 200, body = QuestionPage), (status = 400, description = "`invalid_query`: a `cursor` this list did not issue (`errors[0].field` is `cursor`), or `limit` not an integer", body = Problem, content_type = "application/problem+json"), (status = 422, description = "`validation_failed`: `limit` outside 1-100 (`out_of_range`)", body = Problem, content_type = "application/problem+json"), (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"))
)]
#[get("/requests/{id}/questions")]
async fn list_questions(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    query: web::Query<ListQuery>,
) -> ApiResult<web::Json<QuestionPage>> {
    Ok(web::Json(
        answers::questions(&state, auth.0, id(&path), query.into_inner()).await?,
    ))
}

/// Ask a question.
///
/// Ask a clarification question (invited suppliers).
#[utoipa::path(
    operation_id = "askQuestion",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    request_body = QuestionInput,
    responses((status = 201, body = QuestionView), (status = 403, description = "`forbidden`; `email_unverified`: verify your address first", body = Problem, content_type = "application/problem+json"), (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"), (status = 409, description = "`request_<state>`, `deadline_passed` or `invitation_withdrawn`", body = Problem, content_type = "application/problem+json"))
)]
#[post("/requests/{id}/questions")]
async fn ask(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: JsonBody<QuestionInput>,
) -> ApiResult<HttpResponse> {
    let asked = answers::ask(&state, auth.0, id(&path), body.into_inner().question).await?;
    Ok(HttpResponse::Created().json(asked))
}

/// Answer a question.
///
/// Answer a question; every invited supplier sees the answer (buyer or
/// experts), and the files given with it (`file_ids`: uploaded files of
/// your organisation, which stay with the answer for good).
#[utoipa::path(
    operation_id = "answerQuestion",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id"), ("question_id" = Uuid, Path, description = "Question id")),
    request_body = AnswerInput,
    responses((status = 200, body = QuestionView), (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"), (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"), (status = 409, description = "`question_answered`", body = Problem, content_type = "application/problem+json"), (status = 422, description = "`validation_failed`: `answer` empty or too long; `file_ids[i]` `unknown_file` (no unattached file of yours), `file_attached`, `duplicate`; `file_ids` `too_many`", body = Problem, content_type = "application/problem+json"))
)]
#[post("/requests/{id}/questions/{question_id}/answer")]
async fn answer_question(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
    body: JsonBody<AnswerInput>,
) -> ApiResult<web::Json<QuestionView>> {
    let (request, question) = path.into_inner();
    Ok(web::Json(
        answers::answer_question(
            &state,
            auth.0,
            id(&request),
            QuestionId::from(question),
            body.into_inner(),
        )
        .await?,
    ))
}

/// Compare the answers.
///
/// Answers side by side: latest quote, lead time, valid certifications,
/// the expert's note (buyer and experts).
#[utoipa::path(
    operation_id = "listRequestAnswers",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id"), ListQuery),
    responses((status = 200, body = AnswerPage), (status = 400, description = "`invalid_query`: a `cursor` this list did not issue (`errors[0].field` is `cursor`), or `limit` not an integer", body = Problem, content_type = "application/problem+json"), (status = 422, description = "`validation_failed`: `limit` outside 1-100 (`out_of_range`)", body = Problem, content_type = "application/problem+json"), (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"), (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"))
)]
#[get("/requests/{id}/answers")]
async fn compare(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    path: web::Path<Uuid>,
    query: web::Query<ListQuery>,
) -> ApiResult<web::Json<AnswerPage>> {
    Ok(web::Json(
        answers::compare(
            &state,
            auth.0,
            id(&path),
            query.into_inner(),
            language(&req),
        )
        .await?,
    ))
}

/// List a supplier's quote revisions.
///
/// Every revision of one supplier's quote (buyer and experts).
#[utoipa::path(
    operation_id = "listAnswerQuotes",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id"), ("supplier_id" = Uuid, Path, description = "Supplier organisation id"), ListQuery),
    responses((status = 200, body = QuotePage), (status = 400, description = "`invalid_query`: a `cursor` this list did not issue (`errors[0].field` is `cursor`), or `limit` not an integer", body = Problem, content_type = "application/problem+json"), (status = 422, description = "`validation_failed`: `limit` outside 1-100 (`out_of_range`)", body = Problem, content_type = "application/problem+json"), (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"), (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"))
)]
#[get("/requests/{id}/answers/{supplier_id}/quotes")]
async fn quote_history(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<ListQuery>,
) -> ApiResult<web::Json<QuotePage>> {
    let (request, supplier) = path.into_inner();
    Ok(web::Json(
        answers::quote_history(
            &state,
            auth.0,
            id(&request),
            OrganisationId::from(supplier),
            query.into_inner(),
        )
        .await?,
    ))
}

/// Shortlist an answer.
///
/// Put an answer on (or off) the shortlist (buyer).
#[utoipa::path(
    operation_id = "setShortlisted",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id"), ("supplier_id" = Uuid, Path, description = "Supplier organisation id")),
    request_body = ShortlistRequest,
    responses((status = 204, description = "Saved"), (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"), (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"), (status = 409, description = "`request_<state>`", body = Problem, content_type = "application/problem+json"))
)]
#[put("/requests/{id}/answers/{supplier_id}/shortlist")]
async fn shortlist(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
    body: JsonBody<ShortlistRequest>,
) -> ApiResult<HttpResponse> {
    let (request, supplier) = path.into_inner();
    answers::shortlist(
        &state,
        auth.0,
        id(&request),
        OrganisationId::from(supplier),
        body.into_inner().shortlisted,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Award a request.
///
/// Award one or several suppliers that quoted; the others are told they
/// were not selected (buyer, closed requests).
#[utoipa::path(
    operation_id = "awardRequest",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    request_body = AwardRequest,
    responses(
        (status = 200, body = RequestView, headers(("ETag" = String, description = "The request version, to send back in `If-Match`"))),
        (status = 403, description = "`forbidden`: only the buyer awards", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`request_<state>`: only closed requests", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/requests/{id}/award")]
async fn award(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: JsonBody<AwardRequest>,
) -> ApiResult<HttpResponse> {
    let view = answers::award(&state, auth.0, id(&path), body.into_inner(), language(&req)).await?;
    Ok(view_with_etag(view, actix_web::http::StatusCode::OK))
}

/// List the award's connections.
///
/// The connection made by an award: the buyer sees the awarded suppliers'
/// contacts, an awarded supplier the buyer's; others see nothing.
#[utoipa::path(
    operation_id = "listRequestConnections",
    tag = "requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id"), ListQuery),
    responses((status = 200, body = ConnectionPage), (status = 400, description = "`invalid_query`: a `cursor` this list did not issue (`errors[0].field` is `cursor`), or `limit` not an integer", body = Problem, content_type = "application/problem+json"), (status = 422, description = "`validation_failed`: `limit` outside 1-100 (`out_of_range`)", body = Problem, content_type = "application/problem+json"), (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"))
)]
#[get("/requests/{id}/connections")]
async fn connections(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    query: web::Query<ListQuery>,
) -> ApiResult<web::Json<ConnectionPage>> {
    Ok(web::Json(
        answers::connections(&state, auth.0, id(&path), query.into_inner()).await?,
    ))
}
