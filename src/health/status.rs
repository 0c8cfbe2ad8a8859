//! `feedimport status`: each feed's health as text and as JSON.
//!
//! In: the feeds' health ([`super::feeds`]), the time of the question and
//! the site's time zone. Out: per feed, its URL, last fetch and last
//! success, failures in a row and the last error, when it is due next, and
//! the articles it gave (all, last seven days, share with an image). Pure;
//! nothing fails.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::feeds::FeedHealth;

/// One feed as `status --json` writes it (times in UTC, to the second).
#[derive(Debug, Serialize)]
struct FeedStatusJson<'a> {
    name: &'a str,
    url: &'a str,
    last_fetch: Option<String>,
    last_success: Option<String>,
    consecutive_failures: u32,
    last_error: Option<&'a str>,
    next_due: Option<String>,
    /// The URL the feed moved to, to be put in feeds.toml.
    moved_to: Option<&'a str>,
    articles_total: i64,
    articles_last_7_days: i64,
    /// Share of the feed's articles written with an image, 0 to 1 (`null`
    /// when it has none).
    image_share: Option<f64>,
    /// Failing for at least `alert_after_failures` runs.
    alert: bool,
}

/// The `--json` document: `{"feeds": [...]}`.
pub(crate) fn to_json(health: &[FeedHealth]) -> serde_json::Value {
    let time = |t: Option<DateTime<Utc>>| t.map(crate::util::when::json_time);
    let feeds: Vec<FeedStatusJson> = health
        .iter()
        .map(|feed| FeedStatusJson {
            name: &feed.name,
            url: &feed.shown,
            last_fetch: time(feed.record.last_fetch),
            last_success: time(feed.record.last_success),
            consecutive_failures: feed.record.consecutive_failures,
            last_error: feed.record.last_error.as_deref(),
            next_due: time(feed.record.next_due),
            moved_to: feed.record.moved_to.as_deref(),
            articles_total: feed.articles.total,
            articles_last_7_days: feed.articles.recent,
            image_share: feed.image_share(),
            alert: feed.failing,
        })
        .collect();
    serde_json::json!({ "feeds": feeds })
}

/// The human form: one block per feed, times in `timezone` with how long
/// ago (or in how long) they are from `now`.
pub(crate) fn render_text(health: &[FeedHealth], now: DateTime<Utc>, timezone: Tz) -> String {
    let when = |t: Option<DateTime<Utc>>, unset: &str| {
        t.map(|t| crate::util::when::local_and_relative(t, now, timezone))
            .unwrap_or_else(|| unset.to_string())
    };
    let mut out = String::new();
    for feed in health {
        let record = &feed.record;
        let flag = if feed.failing { "  [FAILING]" } else { "" };
        out.push_str(&format!("{}{flag}\n  url: {}\n", feed.name, feed.shown));
        out.push_str(&format!(
            "  last fetch: {}   last success: {}\n",
            when(record.last_fetch, "never"),
            when(record.last_success, "never")
        ));
        if record.consecutive_failures > 0 {
            out.push_str(&format!(
                "  failing for {} run(s): {}\n",
                record.consecutive_failures,
                record.last_error.as_deref().unwrap_or("unknown error")
            ));
        }
        out.push_str(&format!(
            "  next due: {}\n",
            match record.next_due {
                Some(due) if due > now => when(Some(due), "now"),
                _ => "now (at the next run)".to_string(),
            }
        ));
        if let Some(moved_to) = &record.moved_to {
            out.push_str(&format!(
                "  moved permanently to {moved_to}: update feeds.toml\n"
            ));
        }
        let share = feed
            .image_share()
            .map(|s| format!("{:.0}%", s * 100.0))
            .unwrap_or_else(|| "-".to_string());
        out.push_str(&format!(
            "  articles: {} in all, {} in the last 7 days, {share} with an image\n",
            feed.articles.total, feed.articles.recent
        ));
    }
    out
}
