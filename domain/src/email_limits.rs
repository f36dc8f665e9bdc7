//! How many account emails may go: the platform must not become a way to
//! flood someone's inbox, nor to probe addresses. Each quota counts the
//! sends already made in a sliding window (persisted, so it holds across
//! instances and restarts).

use chrono::{DateTime, TimeDelta, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Sends allowed within `window`.
    pub max: usize,
    pub window: TimeDelta,
}

impl Quota {
    /// Verification emails to one user (registration included).
    pub fn verification_per_user() -> Self {
        Self::per_hour(5)
    }

    /// Password-reset emails to one account.
    pub fn password_reset_per_user() -> Self {
        Self::per_hour(5)
    }

    /// Invitations sent by one organisation.
    pub fn invitations_per_organisation() -> Self {
        Self::per_day(50)
    }

    /// Invitations to one address, whoever sends them.
    pub fn invitations_per_recipient() -> Self {
        Self::per_day(3)
    }

    fn per_hour(max: usize) -> Self {
        Self {
            max,
            window: TimeDelta::hours(1),
        }
    }

    fn per_day(max: usize) -> Self {
        Self {
            max,
            window: TimeDelta::days(1),
        }
    }

    /// The start of the window that ends at `now`.
    pub fn since(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.window
    }

    /// Whether one more send is allowed at `now`, given the times of the
    /// sends made since [`Quota::since`]; otherwise how long until one is
    /// (at least a second).
    pub fn check(&self, earlier: &[DateTime<Utc>], now: DateTime<Utc>) -> Result<(), TimeDelta> {
        let since = self.since(now);
        let mut recent: Vec<DateTime<Utc>> =
            earlier.iter().copied().filter(|t| *t > since).collect();
        if recent.len() < self.max {
            return Ok(());
        }
        recent.sort_unstable();
        // The send that has to leave the window before another may go.
        let blocking = recent[recent.len() - self.max];
        Err((blocking + self.window - now).max(TimeDelta::seconds(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quota_allows_max_sends_per_window_then_says_how_long_to_wait() {
        let quota = Quota::verification_per_user();
        let now = Utc::now();
        let sends: Vec<_> = (0..4).map(|i| now - TimeDelta::minutes(50 - i)).collect();
        assert!(quota.check(&sends, now).is_ok());
        let mut full = sends.clone();
        full.push(now - TimeDelta::minutes(1));
        let wait = quota.check(&full, now).expect_err("full");
        // The oldest, 50 minutes ago, leaves the window in 10 minutes.
        assert_eq!(wait, TimeDelta::minutes(10));
        // Sends older than the window do not count.
        let old: Vec<_> = (0..10)
            .map(|i| now - TimeDelta::hours(2) - TimeDelta::minutes(i))
            .collect();
        assert!(quota.check(&old, now).is_ok());
    }

    #[test]
    fn invitations_are_bounded_per_organisation_and_per_recipient() {
        assert_eq!(Quota::invitations_per_organisation().max, 50);
        assert_eq!(Quota::invitations_per_recipient().max, 3);
        assert_eq!(
            Quota::invitations_per_recipient().window,
            TimeDelta::days(1)
        );
    }
}
