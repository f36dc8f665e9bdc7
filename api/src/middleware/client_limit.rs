//! The per-address limit on every request, answering 429 with
//! `Retry-After` beyond it. Probes and metrics are exempt: a load balancer
//! polling them must never be refused.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, web};

use crate::state::AppState;

const EXEMPT: &[&str] = &["/healthz", "/readyz", "/metrics"];

pub async fn limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let refused = match (req.app_data::<web::Data<AppState>>(), req.peer_addr()) {
        (Some(state), Some(peer)) if !EXEMPT.contains(&req.path()) => {
            state.client_limit.check(peer.ip()).err()
        }
        _ => None,
    };
    match refused {
        Some(error) => Ok(req.error_response(error)),
        None => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}
