//! When a feed is fetched next, and what a fetch changes in its record: its
//! interval, what the feed and the server ask for, exponential backoff after
//! failures, the validators of the next conditional request, its health.
//!
//! In: what the state remembers of a feed, the time, the configured
//! interval and what the last fetch told. Out: whether the feed is due, when
//! it is due next, and its record after a fetch. Pure; nothing fails.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::fetch::FetchInfo;
use crate::store::FeedRecord;

/// A feed's record after a fetch that worked (new items or not modified):
/// failures reset, the validators of the next conditional request (a 304
/// may omit them: the ones sent are kept), the new home of a feed that moved
/// permanently, the next fetch planned. `ttl_minutes` is the feed's `<ttl>`.
pub(crate) fn after_success(
    record: &FeedRecord,
    now: DateTime<Utc>,
    interval: Duration,
    info: &FetchInfo,
    ttl_minutes: Option<u32>,
) -> FeedRecord {
    let mut record = record.clone();
    record.last_fetch = Some(now);
    record.last_success = Some(now);
    record.consecutive_failures = 0;
    record.last_error = None;
    if info.validators.etag.is_some() || info.validators.last_modified.is_some() {
        record.etag = info.validators.etag.clone();
        record.last_modified = info.validators.last_modified.clone();
    }
    if let Some(moved_to) = &info.moved_to {
        record.moved_to = Some(moved_to.to_string());
    }
    record.next_due = Some(next_after_success(now, interval, ttl_minutes, info.max_age));
    record
}

/// A feed's record after a failed fetch: one more failure in a row, the
/// error kept for `status`, the next try backed off (and no sooner than the
/// server's `Retry-After`). A feed that has never worked is tried again at
/// the next run, until it has failed [`GRACE_FAILURES`] times in a row: the
/// first failures of a new feed are most often the network or a typo the
/// user fixes at once. The validators stay for the next try.
pub(crate) fn after_failure(
    record: &FeedRecord,
    now: DateTime<Utc>,
    interval: Duration,
    error: String,
    retry_after: Option<Duration>,
) -> FeedRecord {
    let mut record = record.clone();
    record.last_fetch = Some(now);
    record.consecutive_failures = record.consecutive_failures.saturating_add(1);
    record.last_error = Some(error);
    let worked_once = record.last_success.is_some();
    record.next_due = Some(if worked_once {
        next_after_failure(now, interval, record.consecutive_failures, retry_after)
    } else if record.consecutive_failures < GRACE_FAILURES {
        // Due at the next run; only the server's own `Retry-After` delays it.
        later(
            now,
            retry_after.map(|r| r.min(MAX_HINT)).unwrap_or_default(),
        )
    } else {
        // Backed off from the last failure of the grace on, as a feed that
        // worked is from its first.
        let failures = record.consecutive_failures - (GRACE_FAILURES - 1);
        next_after_failure(now, interval, failures, retry_after)
    });
    record
}

/// A feed that has never worked is tried again at every run until it has
/// failed this many times in a row; then it backs off like any other.
pub(crate) const GRACE_FAILURES: u32 = 3;

/// A failing feed is never left alone longer than this.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(24 * 3600);
/// A feed's or server's own hint is honoured up to this long.
const MAX_HINT: Duration = Duration::from_secs(24 * 3600);

/// Whether a feed is failing, as the run's report, `status`, the health
/// page and the metrics file all say it: it failed `alert_after_failures`
/// fetches in a row, or more.
pub(crate) fn is_failing(record: &FeedRecord, alert_after_failures: u32) -> bool {
    record.consecutive_failures >= alert_after_failures
}

/// Is the feed due at `now`? A run that starts a little early (cron and
/// timers drift by seconds) still counts: the tolerance is a twentieth of
/// the interval, at most five minutes.
pub(crate) fn is_due(record: Option<&FeedRecord>, now: DateTime<Utc>, interval: Duration) -> bool {
    let Some(next_due) = record.and_then(|r| r.next_due) else {
        return true;
    };
    let tolerance = (interval / 20).min(Duration::from_secs(300));
    later(now, tolerance) >= next_due
}

/// After a successful fetch: the interval, or longer when the feed's `<ttl>`
/// (minutes) or the server's `Cache-Control: max-age` asks for longer.
pub(crate) fn next_after_success(
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
    later(now, interval.max(hint))
}

/// After the `failures`th failure in a row: the interval doubled for each
/// earlier failure, capped at a day; longer if the server asked (`Retry-After`).
pub(crate) fn next_after_failure(
    now: DateTime<Utc>,
    interval: Duration,
    failures: u32,
    retry_after: Option<Duration>,
) -> DateTime<Utc> {
    let doublings = failures.saturating_sub(1).min(20);
    let backoff = interval.saturating_mul(1u32 << doublings).min(MAX_BACKOFF);
    let asked = retry_after.map(|r| r.min(MAX_HINT)).unwrap_or_default();
    later(now, backoff.max(asked))
}

/// `now + duration`, or the last date there is when that lies beyond it.
/// The config keeps intervals within a year and hints are capped at a day,
/// but a date must never overflow (chrono's `+` panics): these are values
/// from a file and from servers.
fn later(now: DateTime<Utc>, duration: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(duration)
        .ok()
        .and_then(|duration| now.checked_add_signed(duration))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
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
    fn durations_beyond_any_date_never_overflow() {
        let now = at("2026-01-01T10:00:00Z");
        let huge = [
            Duration::MAX,
            Duration::from_secs(u64::MAX),
            Duration::from_secs(300_000 * 31_557_600),
            Duration::from_secs(100_000_000 * 86_400),
        ];
        for interval in huge {
            assert_eq!(
                next_after_success(now, interval, Some(u32::MAX), Some(interval)),
                DateTime::<Utc>::MAX_UTC
            );
            // Backoff is capped at a day, Retry-After too.
            assert_eq!(
                next_after_failure(now, interval, u32::MAX, Some(interval)),
                at("2026-01-02T10:00:00Z")
            );
            assert!(is_due(None, now, interval));
            let due_at_the_end = FeedRecord {
                next_due: Some(DateTime::<Utc>::MAX_UTC),
                ..FeedRecord::default()
            };
            assert!(!is_due(Some(&due_at_the_end), now, interval));
            assert!(is_due(
                Some(&due_at_the_end),
                DateTime::<Utc>::MAX_UTC,
                interval
            ));
        }
        let end = DateTime::<Utc>::MAX_UTC;
        assert_eq!(next_after_success(end, HOUR, None, None), end);
        assert_eq!(next_after_failure(end, HOUR, 3, None), end);
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

    fn fetched(etag: Option<&str>, moved_to: Option<&str>) -> FetchInfo {
        FetchInfo {
            validators: crate::fetch::Validators {
                etag: etag.map(str::to_string),
                last_modified: None,
            },
            moved_to: moved_to.map(|u| url::Url::parse(u).unwrap()),
            max_age: None,
            http_status: None,
        }
    }

    #[test]
    fn a_success_resets_failures_and_keeps_the_validators_it_was_sent() {
        let now = at("2026-01-01T10:00:00Z");
        let failing = FeedRecord {
            etag: Some("\"v1\"".into()),
            consecutive_failures: 3,
            last_error: Some("HTTP 503".into()),
            ..FeedRecord::default()
        };
        let record = after_success(&failing, now, HOUR, &fetched(Some("\"v2\""), None), None);
        assert_eq!(record.consecutive_failures, 0);
        assert_eq!(record.last_error, None);
        assert_eq!(record.etag.as_deref(), Some("\"v2\""));
        assert_eq!(
            (record.last_fetch, record.last_success),
            (Some(now), Some(now))
        );
        assert_eq!(record.next_due, Some(at("2026-01-01T11:00:00Z")));
        // A 304 without validators keeps the ones sent.
        let again = after_success(&record, now, HOUR, &fetched(None, None), Some(120));
        assert_eq!(again.etag.as_deref(), Some("\"v2\""));
        assert_eq!(again.next_due, Some(at("2026-01-01T12:00:00Z")));
    }

    #[test]
    fn a_permanent_move_is_remembered() {
        let now = at("2026-01-01T10:00:00Z");
        let moved = fetched(None, Some("https://new.example.org/feed/"));
        let record = after_success(&FeedRecord::default(), now, HOUR, &moved, None);
        assert_eq!(
            record.moved_to.as_deref(),
            Some("https://new.example.org/feed/")
        );
        // A later fetch that did not move keeps the move known.
        let later = after_success(&record, now, HOUR, &fetched(None, None), None);
        assert_eq!(later.moved_to, record.moved_to);
    }

    #[test]
    fn failures_count_up_back_off_and_keep_the_last_success() {
        let ok_at = at("2026-01-01T08:00:00Z");
        let now = at("2026-01-01T10:00:00Z");
        let healthy = FeedRecord {
            etag: Some("\"v1\"".into()),
            last_success: Some(ok_at),
            ..FeedRecord::default()
        };
        let once = after_failure(&healthy, now, HOUR, "HTTP 503".into(), None);
        assert_eq!(once.consecutive_failures, 1);
        assert_eq!(once.last_error.as_deref(), Some("HTTP 503"));
        assert_eq!(once.next_due, Some(at("2026-01-01T11:00:00Z")));
        assert_eq!(
            (once.last_success, once.last_fetch),
            (Some(ok_at), Some(now))
        );
        assert_eq!(once.etag, healthy.etag);
        let twice = after_failure(&once, now, HOUR, "HTTP 503".into(), None);
        assert_eq!(twice.consecutive_failures, 2);
        assert_eq!(twice.next_due, Some(at("2026-01-01T12:00:00Z")));
        let asked = after_failure(&twice, now, HOUR, "HTTP 429".into(), Some(10 * HOUR));
        assert_eq!(asked.next_due, Some(at("2026-01-01T20:00:00Z")));
    }

    #[test]
    fn a_feed_that_never_worked_is_retried_at_the_next_run_until_the_grace_is_spent() {
        let now = at("2026-01-01T10:00:00Z");
        let new = FeedRecord::default();
        let mut record = new.clone();
        let mut waits = Vec::new();
        for _ in 0..5 {
            record = after_failure(&record, now, HOUR, "cannot resolve e.org".into(), None);
            waits.push(record.next_due.unwrap() - now);
        }
        let hours = |h: i64| chrono::Duration::hours(h);
        assert_eq!(
            waits,
            [hours(0), hours(0), hours(1), hours(2), hours(4)],
            "due at once for the first {GRACE_FAILURES} - 1 failures, then backed off"
        );
        // Due at the next run, however soon it comes.
        let once = after_failure(&new, now, HOUR, "refused".into(), None);
        assert!(is_due(Some(&once), now, HOUR));
        // The server's Retry-After still holds.
        let asked = after_failure(&new, now, HOUR, "HTTP 429".into(), Some(HOUR / 2));
        assert_eq!(asked.next_due, Some(at("2026-01-01T10:30:00Z")));
        // Once it has worked, the first failure backs off.
        let worked = after_success(&new, now, HOUR, &fetched(None, None), None);
        let failed = after_failure(&worked, now, HOUR, "refused".into(), None);
        assert_eq!(failed.next_due, Some(at("2026-01-01T11:00:00Z")));
        assert!(!is_due(Some(&failed), now, HOUR));
    }
}
