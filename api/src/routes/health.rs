use super::Routes;
use actix_web::{HttpResponse, get, web};

use crate::app::health::{self, Readiness};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(healthz).service(readyz);
}

/// Liveness probe.
///
/// Liveness: the process answers.
#[utoipa::path(operation_id = "getLiveness", tag = "health", responses((status = 200, description = "Alive")))]
#[get("/healthz")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// Readiness probe.
///
/// Readiness: the database and the capability index are reachable.
#[utoipa::path(operation_id = "getReadiness", tag = "health", responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let report = health::readiness(&state).await;
    if report.status == crate::app::health::ReadinessStatus::Ready {
        HttpResponse::Ok().json(report)
    } else {
        HttpResponse::ServiceUnavailable().json(report)
    }
}
