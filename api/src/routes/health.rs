use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(healthz).service(readyz);
}

/// Liveness: the process answers.
#[utoipa::path(tag = "health", responses((status = 200, description = "Alive")))]
#[get("/healthz")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` or `degraded`.
    status: &'static str,
    database: &'static str,
    index: &'static str,
    index_engine: &'static str,
    /// Index events not applied yet.
    index_lag: Option<i64>,
    /// Emails not delivered yet.
    outbox_backlog: Option<i64>,
}

/// Readiness: the database and the capability index are reachable.
#[utoipa::path(tag = "health", responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let database = state
        .read(|conn| {
            Ok((
                persistence::notifications::backlog(conn)?,
                persistence::index_events::lag(conn)?,
            ))
        })
        .await;
    let index = state.index.health().await;
    let report = Readiness {
        status: if database.is_ok() && index.is_ok() {
            "ready"
        } else {
            "degraded"
        },
        database: if database.is_ok() {
            "ok"
        } else {
            "unavailable"
        },
        index: if index.is_ok() { "ok" } else { "unavailable" },
        index_engine: state.index.engine_name(),
        index_lag: database.as_ref().ok().map(|(_, lag)| *lag),
        outbox_backlog: database.as_ref().ok().map(|(backlog, _)| *backlog),
    };
    if report.status == "ready" {
        HttpResponse::Ok().json(report)
    } else {
        HttpResponse::ServiceUnavailable().json(report)
    }
}
