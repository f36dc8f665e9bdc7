//! Where the bearer of an access token stands now. A token is signed for
//! 15 minutes, but deactivation, password reset, logout and suspension must
//! take effect within seconds: every authenticated request reads the
//! account and its session (one indexed read, `persistence::accounts::standing`),
//! remembered here for at most [`STANDING_TTL`].
//!
//! A change made through this instance forgets the user's entries at once
//! (`forget_user`, `forget_all`); another instance sees it when its entry
//! expires, so a closed session stops working everywhere within the TTL.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use domain::auth::Actor;
use domain::ids::UserId;

use crate::auth::jwt::TokenClaims;

/// How long a read of an account's standing is trusted: under the 5 s
/// within which a closed session must stop working on every instance.
pub const STANDING_TTL: Duration = Duration::from_secs(3);

/// Entries kept before expired ones are swept (and, if still full, all).
const MAX_ENTRIES: usize = 10_000;

/// `Some(actor)` for a token that may act, `None` for one that may not
/// (inactive user, closed session, user gone).
type Entry = (Instant, Option<Actor>);

#[derive(Default)]
pub struct StandingCache {
    entries: Mutex<HashMap<TokenClaims, Entry>>,
}

impl StandingCache {
    /// The remembered standing of `claims`, if read less than the TTL ago.
    pub fn get(&self, claims: &TokenClaims, now: Instant) -> Option<Option<Actor>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(claims)
            .filter(|(read_at, _)| now.duration_since(*read_at) < STANDING_TTL)
            .map(|(_, actor)| *actor)
    }

    pub fn put(&self, claims: TokenClaims, actor: Option<Actor>, now: Instant) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (read_at, _)| now.duration_since(*read_at) < STANDING_TTL);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(claims, (now, actor));
    }

    /// After a change to this user's account or sessions.
    pub fn forget_user(&self, user: UserId) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|claims, _| claims.user_id != user);
    }

    /// After a change that touches many users (an organisation suspended
    /// or reinstated).
    pub fn forget_all(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use domain::account::{Affiliation, PlatformRole};
    use domain::ids::TokenFamilyId;

    use super::*;

    fn claims(user: UserId) -> TokenClaims {
        TokenClaims {
            user_id: user,
            session: TokenFamilyId::new(),
        }
    }

    fn actor(user: UserId) -> Actor {
        Actor {
            user_id: user,
            role: PlatformRole::Expert,
            affiliation: Affiliation::BackOffice,
            email_verified: true,
            organisation_suspended: false,
        }
    }

    #[test]
    fn an_entry_is_trusted_for_the_ttl_only() {
        let cache = StandingCache::default();
        let user = UserId::new();
        let token = claims(user);
        let start = Instant::now();
        cache.put(token, Some(actor(user)), start);
        assert_eq!(cache.get(&token, start), Some(Some(actor(user))));
        assert_eq!(cache.get(&token, start + STANDING_TTL), None);
        assert!(STANDING_TTL < Duration::from_secs(5));
    }

    #[test]
    fn forgetting_a_user_drops_all_their_sessions_only() {
        let cache = StandingCache::default();
        let (alice, bob) = (UserId::new(), UserId::new());
        let now = Instant::now();
        let (a1, a2, b) = (claims(alice), claims(alice), claims(bob));
        cache.put(a1, Some(actor(alice)), now);
        cache.put(a2, None, now);
        cache.put(b, Some(actor(bob)), now);
        cache.forget_user(alice);
        assert_eq!(cache.get(&a1, now), None);
        assert_eq!(cache.get(&a2, now), None);
        assert!(cache.get(&b, now).is_some());
        cache.forget_all();
        assert_eq!(cache.get(&b, now), None);
    }
}
