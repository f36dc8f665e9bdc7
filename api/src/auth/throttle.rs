//! Brute-force protection: per-IP rate limits on the endpoints that check a
//! secret (passwords, emailed tokens) or send email. `Throttled` in a
//! handler's signature applies the limit; it keys on the peer address, never
//! on a header a client could spoof.

use std::future::{Ready, ready};
use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

pub struct AuthThrottle {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl AuthThrottle {
    /// `per_minute` attempts per IP, refilled continuously.
    pub fn new(per_minute: NonZeroU32) -> Self {
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
        }
    }

    fn check(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::coded(
                ErrorCode::TooManyRequests,
                format!("too many attempts; retry in {} s", wait.as_secs().max(1)),
            )
        })
    }

    /// Forgets idle addresses so memory stays bounded.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
    }
}

/// Extracting it counts one attempt for the caller's address.
pub struct Throttled;

impl FromRequest for Throttled {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let outcome = match (req.app_data::<web::Data<AppState>>(), req.peer_addr()) {
            (Some(state), Some(peer)) => state.auth_throttle.check(peer.ip()).map(|()| Throttled),
            (Some(_), None) => Ok(Throttled),
            (None, _) => Err(ApiError::Internal(anyhow::anyhow!("AppState missing"))),
        };
        ready(outcome)
    }
}
