//! Per-address rate limits: one on the endpoints that check a secret
//! (passwords, emailed tokens, refresh tokens) or send email, and a wider
//! one on every request (see `middleware::client_limit`). Both key on the
//! peer address, never on a header a client could spoof.

use std::future::{Ready, ready};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;
use crate::state::AppState;

pub struct RateLimit {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl RateLimit {
    /// `per_minute` requests per address, refilled continuously, with a
    /// burst of as many.
    pub fn per_minute(per_minute: NonZeroU32) -> Self {
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
        }
    }

    /// Counts one request of `ip`; refused with the wait before the next
    /// one would pass.
    pub fn check(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::RateLimited {
                // Rounded up: a client that waits what it is told gets through.
                retry_after: Duration::from_secs(wait.as_secs() + 1),
            }
        })
    }

    /// Forgets idle addresses so memory stays bounded.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
    }
}

/// Extracting it counts one attempt for the caller's address against the
/// limit on secret-checking endpoints.
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
