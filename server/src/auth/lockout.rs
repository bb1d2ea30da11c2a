//! Account lockout after repeated failed logins: the rule, without the database.

use chrono::{DateTime, Duration, Utc};

/// How many failures within how long lock an account, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: i64,
    pub window: Duration,
    pub lock_for: Duration,
}

impl Default for LockoutPolicy {
    /// Five failures within 15 minutes lock the account for 15 minutes.
    fn default() -> Self {
        LockoutPolicy {
            max_failures: 5,
            window: Duration::minutes(15),
            lock_for: Duration::minutes(15),
        }
    }
}

/// An account's failed-login bookkeeping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailureState {
    pub failed_logins: i64,
    pub first_failed_at: Option<DateTime<Utc>>,
    pub locked_until: Option<DateTime<Utc>>,
}

impl FailureState {
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }

    /// The state after one more failed attempt at `now`.
    pub fn after_failure(&self, policy: &LockoutPolicy, now: DateTime<Utc>) -> FailureState {
        let window_open = self
            .first_failed_at
            .is_some_and(|first| now - first < policy.window);
        let (failed_logins, first_failed_at) = if window_open {
            (self.failed_logins + 1, self.first_failed_at)
        } else {
            (1, Some(now))
        };
        if failed_logins >= policy.max_failures {
            // Locked: the count starts again when the lock ends.
            FailureState {
                failed_logins: 0,
                first_failed_at: None,
                locked_until: Some(now + policy.lock_for),
            }
        } else {
            FailureState {
                failed_logins,
                first_failed_at,
                locked_until: self.locked_until,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::minutes(minute)
    }

    fn fail(times: &[i64]) -> FailureState {
        let policy = LockoutPolicy::default();
        times
            .iter()
            .fold(FailureState::default(), |state, &minute| {
                state.after_failure(&policy, at(minute))
            })
    }

    #[test]
    fn five_failures_within_fifteen_minutes_lock_for_fifteen_minutes() {
        let state = fail(&[0, 1, 2, 3, 14]);
        assert!(state.is_locked(at(14)));
        assert!(state.is_locked(at(28)));
        assert!(
            !state.is_locked(at(29)),
            "the lock ends 15 minutes after the fifth failure"
        );
    }

    #[test]
    fn four_failures_do_not_lock() {
        let state = fail(&[0, 1, 2, 3]);
        assert!(!state.is_locked(at(3)));
        assert_eq!(state.failed_logins, 4);
    }

    #[test]
    fn failures_spread_beyond_the_window_do_not_lock() {
        // The fifth failure comes 15 minutes after the first: a new window starts.
        let state = fail(&[0, 1, 2, 3, 15]);
        assert!(!state.is_locked(at(15)));
        assert_eq!(state.failed_logins, 1);
    }

    #[test]
    fn after_a_lock_ends_counting_starts_again() {
        let state = fail(&[0, 1, 2, 3, 4, 30]);
        assert!(!state.is_locked(at(30)));
        assert_eq!(state.failed_logins, 1);
    }
}
