//! The values of `feeds.toml` checked against what can work: durations and
//! counts within their bounds, tags, section names, regular expressions.
//!
//! In: a key's value as written. Out: the value as feedimport uses it.
//! Fails with what is wrong with the value ([`ValueProblem`], or a text
//! for `check_tags`, which `add` shares); the caller names the key, the
//! feed and the line.

use std::time::Duration;

use super::error::ValueProblem;

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
