use super::Routes;
use actix_web::{get, patch, web};
use openapi::accounts::{MeResponse, PreferencesRequest, UserView};

use super::body::JsonBody;
use crate::app::accounts;
use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(me).service(update_preferences);
}

/// Get the logged-in user.
///
/// The logged-in user, their organisation and roles.
#[utoipa::path(operation_id = "getMe", tag = "auth", security(("bearer" = [])), responses((status = 200, body = MeResponse)))]
#[get("/me")]
async fn me(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<web::Json<MeResponse>> {
    Ok(web::Json(accounts::me(&state, auth.0).await?))
}

/// Update email preferences.
///
/// Change the email language and opt out of non-essential emails.
#[utoipa::path(operation_id = "updatePreferences", tag = "auth", security(("bearer" = [])), request_body = PreferencesRequest, responses((status = 200, body = UserView)))]
#[patch("/me/preferences")]
async fn update_preferences(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: JsonBody<PreferencesRequest>,
) -> ApiResult<web::Json<UserView>> {
    Ok(web::Json(
        accounts::update_preferences(&state, auth.0, body.into_inner()).await?,
    ))
}
