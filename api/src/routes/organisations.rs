use super::Routes;
use actix_web::{HttpResponse, get, post, web};
use domain::ids::OrganisationId;
use openapi::accounts::{InvitationRequest, InvitationView, OrganisationView};
use openapi::paging::{ListQuery, UserPage};
use openapi::problem::Problem;
use uuid::Uuid;

use super::body::JsonBody;
use crate::app::accounts;
use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(organisation)
        .service(organisation_users)
        .service(invite);
}

/// Get an organisation.
///
/// An organisation, for its own users and the back office.
#[utoipa::path(
    operation_id = "getOrganisation",
    tag = "organisations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, body = OrganisationView),
        (status = 404, description = "`not_found`: no such organisation within your reach", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organisations/{id}")]
async fn organisation(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<OrganisationView>> {
    Ok(web::Json(
        accounts::organisation(&state, auth.0, OrganisationId::from(*id)).await?,
    ))
}

/// List an organisation's users.
///
/// The users of an organisation.
#[utoipa::path(
    operation_id = "listOrganisationUsers",
    tag = "organisations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id"), ListQuery),
    responses(
        (status = 200, body = UserPage),
        (status = 400, description = "`invalid_query`: a `cursor` this list did not issue (`errors[0].field` is `cursor`), or `limit` not an integer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: `limit` outside 1-100 (`out_of_range`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organisations/{id}/users")]
async fn organisation_users(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    query: web::Query<ListQuery>,
) -> ApiResult<web::Json<UserPage>> {
    Ok(web::Json(
        accounts::organisation_users(
            &state,
            auth.0,
            OrganisationId::from(*id),
            query.into_inner(),
        )
        .await?,
    ))
}

/// Invite a colleague.
///
/// Invite a colleague by email (organisation owners with a verified
/// address; admins for any organisation, e.g. the first owner of an
/// imported one). The answer is the same whether or not the address has an
/// account; an existing account is told by email instead of invited. At
/// most 50 invitations a day per organisation and 3 a day to one address.
#[utoipa::path(
    operation_id = "inviteUser",
    tag = "organisations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id")),
    request_body = InvitationRequest,
    responses(
        (status = 201, body = InvitationView),
        (status = 403, description = "`forbidden`: only owners invite; `email_unverified`: verify your address first", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`too_many_requests`: the organisation's or the address's daily invitations are used up; wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/organisations/{id}/invitations")]
async fn invite(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody<InvitationRequest>,
) -> ApiResult<HttpResponse> {
    let invitation =
        accounts::invite(&state, auth.0, OrganisationId::from(*id), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(invitation))
}
