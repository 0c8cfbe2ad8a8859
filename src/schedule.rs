//! When a feed is fetched next: its interval, what the feed and the server
//! ask for, and exponential backoff after failures.
//!
//! In: what the state remembers of a feed, the time, the configured
//! interval and the hints of the last response. Out: whether the feed is due
//! and when it is due next. Pure; nothing fails.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::store::FeedRecord;

/// A failing feed is never left alone longer than this.
pub const MAX_BACKOFF: Duration = Duration::from_secs(24 * 3600);
/// A feed's or server's own hint is honoured up to this long.
const MAX_HINT: Duration = Duration::from_secs(24 * 3600);

/// Is the feed due at `now`? A run that starts a little early (cron and
/// timers drift by seconds) still counts: the tolerance is a twentieth of
/// the interval, at most five minutes.
pub fn is_due(record: Option<&FeedRecord>, now: DateTime<Utc>, interval: Duration) -> bool {
    let Some(next_due) = record.and_then(|r| r.next_due) else {
        return true;
    };
    let tolerance = (interval / 20).min(Duration::from_secs(300));
    now + to_chrono(tolerance) >= next_due
}

/// After a successful fetch: the interval, or longer when the feed's `<ttl>`
/// (minutes) or the server's `Cache-Control: max-age` asks for longer.
pub fn next_after_success(
    now: DateTime<Utc>,
    interval: Duration,
    ttl_minutes: Option<u32>,
    max_age: Option<Duration>,
) -> DateTime<Utc> {
    let ttl = ttl_minutes.map(|m| Duration::from_secs(u64::from(m) * 60));
    let hint = ttl
        .max(max_age)
        .map(|h| h.min(MAX_HINT))
        .unwrap_or_default();
    now + to_chrono(interval.max(hint))
}

/// After the `failures`th failure in a row: the interval doubled for each
/// earlier failure, capped at a day; longer if the server asked (`Retry-After`).
pub fn next_after_failure(
    now: DateTime<Utc>,
    interval: Duration,
    failures: u32,
    retry_after: Option<Duration>,
) -> DateTime<Utc> {
    let doublings = failures.saturating_sub(1).min(20);
    let backoff = interval.saturating_mul(1u32 << doublings).min(MAX_BACKOFF);
    let asked = retry_after.map(|r| r.min(MAX_HINT)).unwrap_or_default();
    now + to_chrono(backoff.max(asked))
}

fn to_chrono(duration: Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn due_when_never_fetched_or_time_has_come() {
        let now = at("2026-01-01T10:00:00Z");
        assert!(is_due(None, now, HOUR));
        let record = |next: &str| FeedRecord {
            next_due: Some(at(next)),
            ..FeedRecord::default()
        };
        assert!(is_due(Some(&record("2026-01-01T10:00:00Z")), now, HOUR));
        // A timer a minute early still counts (tolerance 3 min for 1 h).
        assert!(is_due(Some(&record("2026-01-01T10:01:00Z")), now, HOUR));
        assert!(!is_due(Some(&record("2026-01-01T10:30:00Z")), now, HOUR));
    }

    #[test]
    fn hints_lengthen_the_interval_only() {
        let now = at("2026-01-01T10:00:00Z");
        assert_eq!(
            next_after_success(now, HOUR, None, None),
            at("2026-01-01T11:00:00Z")
        );
        assert_eq!(
            next_after_success(now, HOUR, Some(180), None),
            at("2026-01-01T13:00:00Z")
        );
        assert_eq!(
            next_after_success(now, HOUR, Some(5), Some(Duration::from_secs(7200))),
            at("2026-01-01T12:00:00Z")
        );
        assert_eq!(
            next_after_success(now, HOUR, Some(10), None),
            at("2026-01-01T11:00:00Z")
        );
        // A year-long max-age is capped at a day.
        assert_eq!(
            next_after_success(now, HOUR, None, Some(Duration::from_secs(365 * 86400))),
            at("2026-01-02T10:00:00Z")
        );
    }

    #[test]
    fn backoff_doubles_and_caps_at_a_day() {
        let now = at("2026-01-01T00:00:00Z");
        assert_eq!(
            next_after_failure(now, HOUR, 1, None),
            at("2026-01-01T01:00:00Z")
        );
        assert_eq!(
            next_after_failure(now, HOUR, 2, None),
            at("2026-01-01T02:00:00Z")
        );
        assert_eq!(
            next_after_failure(now, HOUR, 4, None),
            at("2026-01-01T08:00:00Z")
        );
        assert_eq!(
            next_after_failure(now, HOUR, 10, None),
            at("2026-01-02T00:00:00Z")
        );
        assert_eq!(
            next_after_failure(now, HOUR, u32::MAX, None),
            at("2026-01-02T00:00:00Z")
        );
        assert_eq!(
            next_after_failure(now, HOUR, 1, Some(Duration::from_secs(3 * 3600))),
            at("2026-01-01T03:00:00Z")
        );
    }
}
