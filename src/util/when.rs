//! Times for people: a moment in the site's time zone, to the second, and
//! how far it is from now ("12 min ago", "in 48 min").
//!
//! In: a UTC instant, the time of the question and the configured time
//! zone. Out: text. Pure; nothing fails.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

/// `2026-11-28 15:50:27 CET (12 min ago)`.
pub(crate) fn local_and_relative(at: DateTime<Utc>, now: DateTime<Utc>, timezone: Tz) -> String {
    format!(
        "{} ({})",
        at.with_timezone(&timezone).format("%Y-%m-%d %H:%M:%S %Z"),
        relative(at, now)
    )
}

/// How far `at` is from `now`, in the largest unit that fits, rounded down:
/// "just now", "45 s ago", "12 min ago", "3 h ago", "2 days ago", or
/// "in 48 min" for a time to come.
pub(crate) fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let delta = at.signed_duration_since(now);
    let seconds = delta.num_seconds();
    let span = seconds.unsigned_abs();
    if span == 0 {
        return "just now".to_string();
    }
    let amount = match span {
        0..60 => format!("{span} s"),
        60..3_600 => format!("{} min", span / 60),
        3_600..86_400 => format!("{} h", span / 3_600),
        _ => {
            let days = span / 86_400;
            format!("{days} {}", if days == 1 { "day" } else { "days" })
        }
    };
    if seconds < 0 {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

/// The machine form of a time in `--json`: UTC, RFC 3339, to the second.
pub(crate) fn json_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn relative_times_read_as_a_person_says_them() {
        let now = at("2026-11-28T15:02:27.988488802Z");
        let cases = [
            ("2026-11-28T15:02:27.988488802Z", "just now"),
            ("2026-11-28T15:02:00Z", "27 s ago"),
            ("2026-11-28T14:50:27.988488802Z", "12 min ago"),
            ("2026-11-28T15:50:27.988488802Z", "in 48 min"),
            ("2026-11-28T12:00:00Z", "3 h ago"),
            ("2026-11-28T18:30:00Z", "in 3 h"),
            ("2026-11-27T15:00:00Z", "1 day ago"),
            ("2026-11-26T10:00:00Z", "2 days ago"),
            ("2026-12-05T15:02:27.988488802Z", "in 7 days"),
        ];
        for (time, expected) in cases {
            assert_eq!(relative(at(time), now), expected, "{time}");
        }
        // The ends of time do not overflow.
        assert!(relative(DateTime::<Utc>::MAX_UTC, now).starts_with("in "));
        assert!(relative(DateTime::<Utc>::MIN_UTC, now).ends_with(" ago"));
    }

    #[test]
    fn local_times_are_in_the_site_zone_to_the_second() {
        let now = at("2026-11-28T15:02:28Z");
        assert_eq!(
            local_and_relative(
                at("2026-11-28T14:50:27.988488802Z"),
                now,
                chrono_tz::Europe::Paris
            ),
            "2026-11-28 15:50:27 CET (12 min ago)"
        );
        assert_eq!(
            local_and_relative(
                at("2026-07-01T10:00:00Z"),
                at("2026-07-01T09:12:00Z"),
                chrono_tz::America::New_York
            ),
            "2026-07-01 06:00:00 EDT (in 48 min)"
        );
        assert_eq!(
            json_time(at("2026-11-28T14:50:27.988488802Z")),
            "2026-11-28T14:50:27Z"
        );
    }
}
