//! The values of `feeds.toml` checked against what can work: durations and
//! counts within their bounds, tags, section names, regular expressions.
//!
//! In: a key's value as written. Out: the value as feedimport uses it.
//! Fails with what is wrong with the value ([`ValueProblem`], or a text
//! for `check_tags`, which `add` shares); the caller names the key, the
//! feed and the line.

use std::time::Duration;

use super::error::ValueProblem;
use super::model::UpdatePolicy;

/// A year as humantime reads `"1y"` (365.25 days).
pub(super) const YEAR: Duration = Duration::from_secs(31_557_600);
pub(super) const HOUR: Duration = Duration::from_secs(3600);

/// What a duration key may hold, written as in `feeds.toml` for messages.
/// Beyond its bounds a value cannot work: a request given no time at all,
/// an interval or an age that no date can reach (`"300000y"` from now is
/// past the last date a date can hold).
pub(super) struct DurationBounds {
    min: Duration,
    min_text: &'static str,
    max: Duration,
    max_text: &'static str,
}

/// `interval`: `0s` fetches at every run; a feed fetched less than yearly
/// is not a feed.
pub(super) const INTERVAL_BOUNDS: DurationBounds = DurationBounds {
    min: Duration::ZERO,
    min_text: "0s",
    max: YEAR,
    max_text: "1y",
};
/// `max_age`: `0s` would leave every item out.
pub(super) const MAX_AGE_BOUNDS: DurationBounds = DurationBounds {
    min: Duration::from_secs(1),
    min_text: "1s",
    max: YEAR.saturating_mul(100),
    max_text: "100y",
};
/// `timeout` and `connect_timeout`: `0s` fails every request.
pub(super) const TIMEOUT_BOUNDS: DurationBounds = DurationBounds {
    min: Duration::from_millis(1),
    min_text: "1ms",
    max: HOUR,
    max_text: "1h",
};

/// A humantime duration (`"30d"`, `"1h 30m"`, `"90s"`), when given, within
/// its key's bounds.
pub(super) fn duration(
    text: Option<&str>,
    bounds: &DurationBounds,
) -> Result<Option<Duration>, ValueProblem> {
    let Some(text) = text else {
        return Ok(None);
    };
    let duration = humantime::parse_duration(text.trim()).map_err(|e| {
        ValueProblem::Refused(format!(
            "`{text}` is not a duration such as \"30d\", \"1h\" or \"90s\" ({e})"
        ))
    })?;
    if duration < bounds.min {
        return Err(ValueProblem::Refused(format!(
            "`{text}` is too short: give at least {}, at most {}",
            bounds.min_text, bounds.max_text
        )));
    }
    if duration > bounds.max {
        return Err(ValueProblem::Refused(format!(
            "`{text}` is too long: give at most {}",
            bounds.max_text
        )));
    }
    Ok(Some(duration))
}

/// The bounds of the count keys, inclusive. Beyond them a value cannot
/// work (no request at all, a 500 retried for ever) or asks more of a site
/// than one importer should.
pub(crate) const CONCURRENCY_BOUNDS: (u64, u64) = (1, 1024);
pub(crate) const PER_HOST_BOUNDS: (u64, u64) = (1, 1024);
pub(super) const MAX_BODY_MIB_BOUNDS: (u64, u64) = (1, 1024);
pub(super) const MAX_REDIRECTS_BOUNDS: (u64, u64) = (0, 20);
pub(super) const RETRIES_BOUNDS: (u64, u64) = (0, 10);
pub(super) const ALERT_AFTER_FAILURES_BOUNDS: (u64, u64) = (1, u32::MAX as u64);
/// `max_items`: `0` would import nothing, ever; past 10,000 a cap caps
/// nothing a feed sends.
pub(crate) const MAX_ITEMS_BOUNDS: (u64, u64) = (1, 10_000);

/// A count when it is given, within `bounds`.
pub(super) fn optional_count(
    value: Option<i64>,
    bounds: (u64, u64),
) -> Result<Option<usize>, ValueProblem> {
    value
        .map(|v| count(Some(v), bounds, 0).map(|v| v as usize))
        .transpose()
}

/// A count (`default` when absent), within `(min, max)`.
pub(super) fn count(
    value: Option<i64>,
    (min, max): (u64, u64),
    default: u64,
) -> Result<u64, ValueProblem> {
    let Some(value) = value else {
        return Ok(default);
    };
    match u64::try_from(value) {
        Ok(v) if (min..=max).contains(&v) => Ok(v),
        _ => Err(ValueProblem::Refused(format!(
            "{value} is out of range: give a number from {min} to {max}"
        ))),
    }
}

/// The policy `update` names (`default` when it is not given).
pub(super) fn update_policy(
    written: Option<&str>,
    default: UpdatePolicy,
) -> Result<UpdatePolicy, ValueProblem> {
    match written.map(str::trim) {
        None => Ok(default),
        Some("never") => Ok(UpdatePolicy::Never),
        Some("untouched") => Ok(UpdatePolicy::Untouched),
        Some(other) => Err(ValueProblem::Refused(format!(
            "`{other}` is not one of \"never\" (the default) or \"untouched\""
        ))),
    }
}

/// Case-insensitive regular expressions; the message quotes the bad one.
pub(super) fn compile_patterns(patterns: &[String]) -> Result<Vec<regex::Regex>, String> {
    patterns
        .iter()
        .map(|p| {
            regex::RegexBuilder::new(p)
                .case_insensitive(true)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| format!("`{p}` is not a valid regular expression: {e}"))
        })
        .collect()
}

pub(crate) fn check_tags(tags: &[String]) -> Result<(), String> {
    if tags.iter().any(|t| t.trim().is_empty()) {
        return Err("a tag is empty".to_string());
    }
    Ok(())
}

/// `papers`, `news-fr`, `a_b`: one lowercase path segment that cannot climb
/// out of the content folder or be hidden.
pub(crate) fn is_plain_segment(section: &str) -> bool {
    let mut chars = section.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::super::error::ConfigError;
    use super::super::testing::{MINIMAL, parse, refused};
    use super::*;

    #[test]
    fn values_out_of_bounds_are_refused_naming_the_key() {
        // (global line, feed line, what the message must say); the key is
        // the first word of either line.
        let cases: &[(&str, &str, &str)] = &[
            (
                "interval = \"100000000d\"",
                "",
                "key `interval`: `100000000d` is too long: give at most 1y",
            ),
            ("interval = \"300000y\"", "", "key `interval`"),
            ("interval = \"18446744073709551615s\"", "", "key `interval`"),
            ("interval = \"366d\"", "", "key `interval`"),
            (
                "",
                "interval = \"2y\"",
                "feed \"A\": key `interval`: `2y` is too long",
            ),
            (
                "",
                "max_age = \"0s\"",
                "feed \"A\": key `max_age`: `0s` is too short: give at least 1s",
            ),
            ("", "max_age = \"300000y\"", "feed \"A\": key `max_age`"),
            ("timeout = \"0s\"", "", "key `timeout`: `0s` is too short"),
            (
                "timeout = \"2h\"",
                "",
                "key `timeout`: `2h` is too long: give at most 1h",
            ),
            ("connect_timeout = \"0ms\"", "", "key `connect_timeout`"),
            (
                "connect_timeout = \"18446744073709551615s\"",
                "",
                "key `connect_timeout`",
            ),
            (
                "retries = 4294967295",
                "",
                "key `retries`: 4294967295 is out of range: give a number from 0 to 10",
            ),
            ("retries = 11", "", "key `retries`"),
            ("retries = -1", "", "key `retries`: -1 is out of range"),
            (
                "per_host = 0",
                "",
                "key `per_host`: 0 is out of range: give a number from 1 to 1024",
            ),
            ("per_host = 1025", "", "key `per_host`"),
            ("concurrency = 0", "", "key `concurrency`"),
            ("concurrency = -8", "", "key `concurrency`"),
            ("concurrency = 9223372036854775807", "", "key `concurrency`"),
            ("max_body_mib = 0", "", "key `max_body_mib`"),
            ("max_body_mib = 17592186044416", "", "key `max_body_mib`"),
            (
                "max_redirects = 21",
                "",
                "key `max_redirects`: 21 is out of range: give a number from 0 to 20",
            ),
            ("max_redirects = -1", "", "key `max_redirects`"),
            ("alert_after_failures = 0", "", "key `alert_after_failures`"),
            (
                "alert_after_failures = 4294967296",
                "",
                "key `alert_after_failures`",
            ),
        ];
        for (global, per_feed, expected) in cases {
            let err = refused(&format!("{global}\n{MINIMAL}{per_feed}\n"));
            let key = format!("{global}{per_feed}");
            let key = key.split(' ').next().unwrap();
            assert!(
                matches!(&err, ConfigError::BadValue { key: k, feed, problem: ValueProblem::Refused(_), .. }
                    if k == key && feed.is_some() == global.is_empty()),
                "{global}{per_feed}: {err:?}"
            );
            let message = err.to_string();
            assert!(
                message.contains(expected) && message.starts_with("/site/feeds.toml: "),
                "{global}{per_feed}: {message}"
            );
        }
    }

    #[test]
    fn values_at_the_bounds_are_accepted() {
        let text = format!(
            "interval = \"1y\"\ntimeout = \"1ms\"\nconnect_timeout = \"1h\"\nretries = 10\nper_host = 1024\nconcurrency = 1\nmax_body_mib = 1024\nmax_redirects = 0\nalert_after_failures = 4294967295\n{MINIMAL}max_age = \"100y\"\n"
        );
        let config = parse(&text).unwrap();
        assert_eq!(config.feeds[0].interval, YEAR);
        assert_eq!(config.feeds[0].max_age, Some(YEAR * 100));
        assert_eq!(config.fetch.timeout, Duration::from_millis(1));
        assert_eq!(config.fetch.connect_timeout, HOUR);
        assert_eq!(config.fetch.retries, 10);
        assert_eq!(config.fetch.per_host, 1024);
        assert_eq!(config.concurrency, 1);
        assert_eq!(config.fetch.max_body_bytes, 1 << 30);
        assert_eq!(config.fetch.max_redirects, 0);
        assert_eq!(config.alert_after_failures, u32::MAX);
        let config = parse(&format!(
            "interval = \"0s\"\n{MINIMAL}interval = \"365d\"\n"
        ))
        .unwrap();
        assert_eq!(config.feeds[0].interval, Duration::from_secs(365 * 86400));
    }
}
