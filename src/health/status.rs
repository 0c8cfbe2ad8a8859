//! Feed health for operators: `feedimport status`.
//!
//! In: the config and the state. Out: per feed, its URL, last fetch and last
//! success, failures in a row and the last error, when it is due next, and
//! the articles it gave (all, last seven days, share with an image). Fails
//! only when the state cannot be read.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::config::Config;
use crate::store::{State, StoreError};

#[derive(Debug, Serialize)]
pub(crate) struct FeedHealth {
    pub(crate) name: String,
    pub(crate) url: String,
    pub(crate) last_fetch: Option<String>,
    pub(crate) last_success: Option<String>,
    pub(crate) consecutive_failures: u32,
    pub(crate) last_error: Option<String>,
    pub(crate) next_due: Option<String>,
    /// The URL the feed moved to, to be put in feeds.toml.
    pub(crate) moved_to: Option<String>,
    pub(crate) articles_total: i64,
    pub(crate) articles_last_7_days: i64,
    /// Share of the feed's articles written with an image, 0 to 1 (`null`
    /// when it has none).
    pub(crate) image_share: Option<f64>,
    /// Failing for at least `alert_after_failures` runs.
    pub(crate) alert: bool,
    /// The same times as instants, for the text form.
    #[serde(skip)]
    pub(crate) times: HealthTimes,
}

/// A feed's last fetch, last success and next due time.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct HealthTimes {
    pub(crate) last_fetch: Option<DateTime<Utc>>,
    pub(crate) last_success: Option<DateTime<Utc>>,
    pub(crate) next_due: Option<DateTime<Utc>>,
}

/// The health of every feed in the config.
pub(crate) fn feed_health(
    config: &Config,
    now: DateTime<Utc>,
) -> Result<Vec<FeedHealth>, StoreError> {
    let state = State::open_existing(&config.state_dir)?;
    let since =
        (now - chrono::Duration::days(7)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut counts_by_feed = match &state {
        Some(state) => state.article_counts_by_feed(&since)?,
        None => Default::default(),
    };
    let mut health = Vec::with_capacity(config.feeds.len());
    for feed in &config.feeds {
        let identity = feed.source.identity();
        let record = match &state {
            Some(state) => state.feed_record(&identity)?,
            None => None,
        };
        let counts = counts_by_feed.remove(&identity).unwrap_or_default();
        let record = record.unwrap_or_default();
        let time = |t: Option<DateTime<Utc>>| t.map(crate::util::when::json_time);
        health.push(FeedHealth {
            name: feed.name.clone(),
            url: feed.source.to_string(),
            last_fetch: time(record.last_fetch),
            last_success: time(record.last_success),
            consecutive_failures: record.consecutive_failures,
            last_error: record.last_error,
            next_due: time(record.next_due),
            moved_to: record.moved_to,
            articles_total: counts.total,
            articles_last_7_days: counts.recent,
            image_share: (counts.total > 0).then(|| counts.with_image as f64 / counts.total as f64),
            alert: record.consecutive_failures >= config.alert_after_failures,
            times: HealthTimes {
                last_fetch: record.last_fetch,
                last_success: record.last_success,
                next_due: record.next_due,
            },
        });
    }
    Ok(health)
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
        let flag = if feed.alert { "  [FAILING]" } else { "" };
        out.push_str(&format!("{}{flag}\n  url: {}\n", feed.name, feed.url));
        out.push_str(&format!(
            "  last fetch: {}   last success: {}\n",
            when(feed.times.last_fetch, "never"),
            when(feed.times.last_success, "never")
        ));
        if feed.consecutive_failures > 0 {
            out.push_str(&format!(
                "  failing for {} run(s): {}\n",
                feed.consecutive_failures,
                feed.last_error.as_deref().unwrap_or("unknown error")
            ));
        }
        out.push_str(&format!(
            "  next due: {}\n",
            match feed.times.next_due {
                Some(due) if due > now => when(Some(due), "now"),
                _ => "now (at the next run)".to_string(),
            }
        ));
        if let Some(moved_to) = &feed.moved_to {
            out.push_str(&format!(
                "  moved permanently to {moved_to}: update feeds.toml\n"
            ));
        }
        let share = feed
            .image_share
            .map(|s| format!("{:.0}%", s * 100.0))
            .unwrap_or_else(|| "-".to_string());
        out.push_str(&format!(
            "  articles: {} in all, {} in the last 7 days, {share} with an image\n",
            feed.articles_total, feed.articles_last_7_days
        ));
    }
    out
}
