use super::Routes;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use openapi::accounts::{
    AcceptInvitationRequest, Accepted, InvitationPreview, LoginRequest, PasswordResetConfirm,
    PasswordResetRequest, RefreshRequest, RegisterRequest, RegisterResponse, TokenRequest,
    TokenResponse, UserView,
};
use openapi::problem::Problem;

use super::body::JsonBody;
use crate::app::{accounts, sessions};
use crate::auth::Authenticated;
use crate::auth::cookie;
use crate::auth::throttle::Throttled;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(register)
        .service(login)
        .service(refresh)
        .service(logout)
        .service(verify_email)
        .service(resend_verification)
        .service(request_password_reset)
        .service(confirm_password_reset)
        .service(invitation_preview)
        .service(accept_invitation);
}

/// Register an organisation.
///
/// Register an organisation and its first user (its owner).
///
/// Buyers and suppliers register themselves; experts and admins are created
/// by the cluster with the `pmt admin` command. A verification email is sent.
#[utoipa::path(
    operation_id = "registerOrganisation",
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 429, description = "`too_many_requests`: too many attempts from this address", body = Problem, content_type = "application/problem+json"),
        (status = 201, body = RegisterResponse),
        (status = 409, description = "`email_taken` or `siret_taken`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/register")]
async fn register(
    _throttled: Throttled,
    state: web::Data<AppState>,
    body: JsonBody<RegisterRequest>,
) -> ApiResult<HttpResponse> {
    let (user, organisation) = accounts::register(&state, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(RegisterResponse {
        user: (&user).into(),
        organisation: (&organisation).into(),
    }))
}

/// Log in.
///
/// Log in: returns a short-lived access token and a refresh token.
///
/// Unknown email, wrong password and deactivated account give the same
/// answer.
#[utoipa::path(
    operation_id = "logIn",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 429, description = "`too_many_requests`: too many attempts from this address", body = Problem, content_type = "application/problem+json"),
        (status = 200, body = TokenResponse, headers(("Set-Cookie" = String, description = "In the browser mode (`AUTH_COOKIE=true`) only: `pmt_refresh` (HttpOnly, Secure, SameSite=Strict, Path=/api/v1/auth) holds the refresh token, `pmt_csrf` (Secure, SameSite=Strict, Path=/) the CSRF token to repeat in `X-CSRF-Token`"))),
        (status = 401, description = "`invalid_credentials`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
async fn login(
    _throttled: Throttled,
    state: web::Data<AppState>,
    body: JsonBody<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let tokens = sessions::login(&state, body.email, body.password).await?;
    Ok(tokens_answer(&state, tokens))
}

/// Refresh the token pair.
///
/// Exchange a refresh token for a new token pair (the old one stops working).
///
/// Presenting an already-used refresh token revokes the whole session, except
/// within `REFRESH_REUSE_GRACE_SECONDS` (30 s by default) of its use: then the
/// answer holds the same refresh token as the first exchange, so two tabs (or
/// a retry after a lost answer) refreshing at once keep the session.
#[utoipa::path(
    operation_id = "refreshTokens",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, body = TokenResponse, headers(("Set-Cookie" = String, description = "In the browser mode (`AUTH_COOKIE=true`) only: `pmt_refresh` (HttpOnly, Secure, SameSite=Strict, Path=/api/v1/auth) holds the refresh token, `pmt_csrf` (Secure, SameSite=Strict, Path=/) the CSRF token to repeat in `X-CSRF-Token`"))),
        (status = 403, description = "`csrf_failed`: in the browser mode, a refresh token taken from its cookie needs the `X-CSRF-Token` header repeating the `pmt_csrf` cookie", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`invalid_refresh_token`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
async fn refresh(
    _throttled: Throttled,
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonBody<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let cookie_mode = state.settings.auth_cookie;
    let token = cookie::presented(&req, body.into_inner().refresh_token, cookie_mode)?;
    Ok(tokens_answer(
        &state,
        sessions::refresh(&state, token).await?,
    ))
}

/// A login or refresh answer: the pair in JSON, or in the browser mode the
/// refresh token moved to its cookie.
fn tokens_answer(state: &AppState, mut tokens: TokenResponse) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if state.settings.auth_cookie
        && let Some(token) = tokens.refresh_token.take()
    {
        cookie::set(&mut response, token, tokens.refresh_expires_in);
    }
    response.json(tokens)
}

/// Log out.
///
/// Revoke the session of this refresh token.
#[utoipa::path(
    operation_id = "logOut",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Session ended (in the browser mode, its cookies removed)"),
        (status = 403, description = "`csrf_failed`: in the browser mode, a refresh token taken from its cookie needs the `X-CSRF-Token` header repeating the `pmt_csrf` cookie", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
async fn logout(
    _throttled: Throttled,
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonBody<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let cookie_mode = state.settings.auth_cookie;
    let token = cookie::presented(&req, body.into_inner().refresh_token, cookie_mode)?;
    sessions::logout(&state, token).await?;
    let mut response = HttpResponse::NoContent();
    if cookie_mode {
        cookie::clear(&mut response);
    }
    Ok(response.finish())
}

/// Verify an email address.
///
/// Confirm an email address with the token from the verification email.
#[utoipa::path(
    operation_id = "verifyEmail",
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 429, description = "`too_many_requests`: too many attempts from this address", body = Problem, content_type = "application/problem+json"),
        (status = 204, description = "Email verified"),
        (status = 400, description = "`invalid_or_expired_link`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/verify-email")]
async fn verify_email(
    _throttled: Throttled,
    state: web::Data<AppState>,
    body: JsonBody<TokenRequest>,
) -> ApiResult<HttpResponse> {
    accounts::verify_email(&state, body.into_inner().token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Resend the verification email.
///
/// Send a new verification email to the logged-in user (at most 5 an
/// hour, registration's included).
#[utoipa::path(operation_id = "resendVerificationEmail", tag = "auth", security(("bearer" = [])), responses(
    (status = 202, body = Accepted),
    (status = 429, description = "`too_many_requests`: 5 verification emails went within the hour; wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
))]
#[post("/auth/verify-email/resend")]
async fn resend_verification(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> ApiResult<HttpResponse> {
    accounts::resend_verification(&state, auth.0).await?;
    Ok(HttpResponse::Accepted().json(Accepted {
        message: "if the address is not verified yet, a new link was sent".to_owned(),
    }))
}

/// Request a password reset.
///
/// Ask for a password reset link. The answer is the same whether or not an
/// account uses this email.
#[utoipa::path(operation_id = "requestPasswordReset", tag = "auth", request_body = PasswordResetRequest, responses(
        (status = 429, description = "`too_many_requests`: too many attempts from this address", body = Problem, content_type = "application/problem+json"),
        (status = 202, body = Accepted)))]
#[post("/auth/password-reset")]
async fn request_password_reset(
    _throttled: Throttled,
    state: web::Data<AppState>,
    body: JsonBody<PasswordResetRequest>,
) -> ApiResult<HttpResponse> {
    accounts::request_password_reset(&state, body.into_inner().email).await?;
    Ok(HttpResponse::Accepted().json(Accepted {
        message: "if an account uses this email, a reset link was sent".to_owned(),
    }))
}

/// Set a new password.
///
/// Set a new password with the token from the reset email. Ends every session.
#[utoipa::path(
    operation_id = "confirmPasswordReset",
    tag = "auth",
    request_body = PasswordResetConfirm,
    responses(
        (status = 429, description = "`too_many_requests`: too many attempts from this address", body = Problem, content_type = "application/problem+json"),
        (status = 204, description = "Password changed"),
        (status = 400, description = "`invalid_or_expired_link`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/password-reset/confirm")]
async fn confirm_password_reset(
    _throttled: Throttled,
    state: web::Data<AppState>,
    body: JsonBody<PasswordResetConfirm>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    accounts::reset_password(&state, body.token, body.new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Read an invitation.
///
/// Read an invitation by the token of its emailed link: the organisation,
/// who sent it and the role offered, for the page that accepts it.
///
/// Public (the invitee has no account yet) and throttled like the other
/// token calls. The token stays out of the server's logs: they record the
/// route, not this path.
#[utoipa::path(
    operation_id = "getInvitation",
    tag = "auth",
    params(("token" = String, Path, description = "The `token` of the `/accept-invitation?token=` link")),
    responses(
        (status = 200, body = InvitationPreview),
        (status = 404, description = "`not_found`: unknown, used or expired token, or its sender was deactivated", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`too_many_requests`: too many attempts from this address", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/invitations/{token}")]
async fn invitation_preview(
    _throttled: Throttled,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> ApiResult<web::Json<InvitationPreview>> {
    Ok(web::Json(
        accounts::invitation_preview(&state, token.into_inner()).await?,
    ))
}

/// Accept an invitation.
///
/// Accept an invitation to join an organisation, creating the account.
#[utoipa::path(
    operation_id = "acceptInvitation",
    tag = "auth",
    request_body = AcceptInvitationRequest,
    responses(
        (status = 429, description = "`too_many_requests`: too many attempts from this address", body = Problem, content_type = "application/problem+json"),
        (status = 201, body = UserView),
        (status = 400, description = "`invalid_or_expired_link`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email_taken`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/accept-invitation")]
async fn accept_invitation(
    _throttled: Throttled,
    state: web::Data<AppState>,
    body: JsonBody<AcceptInvitationRequest>,
) -> ApiResult<HttpResponse> {
    let user = accounts::accept_invitation(&state, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(user))
}
