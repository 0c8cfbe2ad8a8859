//! Per-feed outcomes and the articles of a run, for people and for programs.
//!
//! In: what the pipeline did. Out: the `--json` document, the `--dry-run`
//! listing and the one summary line. Pure; nothing fails.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::fetch::FetchError;
use crate::parse::ParseError;

/// Why a feed could not be read. The run goes on with the other feeds.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FeedError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A task of ours panicked or was cancelled: a bug, not the feed's fault.
    #[error("internal error while {stage}")]
    Internal {
        stage: &'static str,
        #[source]
        source: tokio::task::JoinError,
    },
}

impl FeedError {
    /// How long the server asked us to wait before the next try.
    pub(crate) fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            FeedError::Fetch(error) => error.retry_after(),
            _ => None,
        }
    }
}

/// Everything a run did.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Report {
    /// Every article written, when the run keeps them (`--json`, a dry
    /// run); otherwise empty, and each feed's `new` counts them.
    pub(crate) articles: Vec<ArticleReport>,
    pub(crate) feeds: Vec<FeedReport>,
    #[serde(skip)]
    pub(crate) dry_run: bool,
    /// A signal stopped the run before every feed was done (printed
    /// always, as every key is).
    pub(crate) interrupted: bool,
}

/// One article written (or, in a dry run, that would be written).
#[derive(Debug, Serialize)]
pub(crate) struct ArticleReport {
    /// Relative to the config file's folder.
    pub(crate) path: String,
    pub(crate) feed: String,
    /// Its fields, made only when the report keeps them (`--json`, a dry
    /// run): a first import of 100,000 articles does not format them all.
    #[serde(flatten)]
    pub(crate) fields: Option<ArticleFields>,
    /// Whether it was written with an image, for the feed's counts.
    #[serde(skip)]
    pub(crate) has_image: bool,
    /// The file's text, kept for a dry run's listing only.
    #[serde(skip)]
    pub(crate) text: Option<String>,
}

/// An article written, as `--json` gives it: the default preset's front
/// matter keys, the dates as the output formatted them, the permalink it
/// was placed at, `""` for an image it has not.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ArticleFields {
    pub(crate) title: String,
    pub(crate) date: String,
    pub(crate) published_date: String,
    pub(crate) summary: String,
    pub(crate) importance: String,
    pub(crate) source_url: String,
    pub(crate) tags: Vec<String>,
    pub(crate) permalink: String,
    pub(crate) image_url: String,
    pub(crate) image_credit: String,
}

/// An item of a feed whose values make its path or its file fail (a path
/// leading out of the content folder, a template out of fuel on its
/// categories): skipped, the feed's other items and the other feeds
/// written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct SkippedItem {
    pub(crate) title: String,
    pub(crate) source_url: String,
    /// The template's or the path's error, with its file, line and column.
    pub(crate) reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FeedStatus {
    Ok,
    NotModified,
    Failed,
    /// Not fetched: its interval (or its backoff) has not passed.
    NotDue,
}

/// What happened to one feed.
#[derive(Debug, Serialize)]
pub(crate) struct FeedReport {
    pub(crate) name: String,
    pub(crate) url: String,
    /// The feed's identity (see `FeedSource::identity`), which pairs this
    /// line with the feed's health.
    #[serde(skip)]
    pub(crate) identity: String,
    pub(crate) status: FeedStatus,
    /// Why the feed failed, as the summary line says it.
    #[serde(serialize_with = "serialize_error")]
    pub(crate) error: Option<FeedError>,
    /// Articles written.
    pub(crate) new: usize,
    /// Items imported by an earlier run (or present in the content folder).
    pub(crate) seen: usize,
    /// Items that cannot become articles (no link), or whose values make
    /// their path or their file fail (see [`SkippedItem`]).
    pub(crate) skipped: usize,
    /// The items skipped for their values in the output's templates, each
    /// with why: not recorded, so tried again by every run.
    pub(crate) skipped_items: Vec<SkippedItem>,
    /// Items left out by the feed's include, exclude or max_age rules.
    pub(crate) filtered: usize,
    /// Articles written again: changed at the source, untouched on disk
    /// (`update = "untouched"`).
    pub(crate) updated: usize,
    /// Articles changed at the source whose file an editor edited or
    /// deleted: left alone (paths relative to the config file's folder).
    pub(crate) left_alone: Vec<String>,
    /// New items past the feed's `max_items`, left for a later run.
    pub(crate) held_back: usize,
    /// Failed runs in a row, this one included.
    pub(crate) consecutive_failures: u32,
    /// Failing for at least `alert_after_failures` runs.
    pub(crate) alert: bool,
    // Every key is printed, `null` when unset, so that a program reading
    // the document finds the same keys in every feed object.
    /// The feed answered with a permanent redirect: its new URL.
    pub(crate) moved_to: Option<String>,
    /// When a feed that was not due will be.
    #[serde(serialize_with = "serialize_time")]
    pub(crate) next_due: Option<DateTime<Utc>>,
    /// What the feed needed repaired before it would parse.
    pub(crate) repaired: Vec<String>,
}

impl FeedReport {
    pub(crate) fn new(name: &str, url: &str) -> FeedReport {
        FeedReport {
            name: name.to_string(),
            url: url.to_string(),
            identity: url.to_string(),
            status: FeedStatus::Ok,
            error: None,
            new: 0,
            seen: 0,
            skipped: 0,
            skipped_items: Vec::new(),
            filtered: 0,
            updated: 0,
            left_alone: Vec::new(),
            held_back: 0,
            consecutive_failures: 0,
            alert: false,
            moved_to: None,
            next_due: None,
            repaired: Vec::new(),
        }
    }
}

impl Report {
    /// Some feed failed in this run, or has been failing for long enough to
    /// be flagged even though it was not fetched this time.
    pub(crate) fn any_failed(&self) -> bool {
        self.feeds
            .iter()
            .any(|f| f.status == FeedStatus::Failed || f.alert)
    }

    /// The dry run's listing: a line naming each file, then its text.
    pub(crate) fn dry_run_listing(&self) -> String {
        let mut out = String::new();
        for article in &self.articles {
            out.push_str(&format!("==> {} <==\n", article.path));
            if let Some(text) = &article.text {
                out.push_str(text);
            }
            out.push('\n');
        }
        out
    }

    /// One line for the whole run: "3 feeds: 1 unchanged, 1 with 5 new
    /// articles, 1 failed: Name: reason". Feeds not due are named with
    /// when they will be (relative to `now`, in `timezone`).
    pub(crate) fn summary_line(&self, now: DateTime<Utc>, timezone: Tz) -> String {
        let mut parts = self.fetched_parts(now, timezone);
        parts.extend(self.changed_parts());
        parts.extend(self.trouble_parts());
        let prefix = if self.dry_run {
            "dry run, nothing written: "
        } else {
            ""
        };
        let feeds = self.feeds.len();
        format!(
            "{prefix}{feeds} {}: {}",
            plural(feeds, "feed", "feeds"),
            parts.join(", ")
        )
    }

    /// What the feeds gave: unchanged, not due, with new articles.
    fn fetched_parts(&self, now: DateTime<Utc>, timezone: Tz) -> Vec<String> {
        let fetched_fine =
            |f: &&FeedReport| matches!(f.status, FeedStatus::Ok | FeedStatus::NotModified);
        let unchanged = self
            .feeds
            .iter()
            .filter(fetched_fine)
            .filter(|f| f.new == 0 && f.updated == 0)
            .count();
        let not_due: Vec<&FeedReport> = self
            .feeds
            .iter()
            .filter(|f| f.status == FeedStatus::NotDue)
            .collect();
        let with_new: Vec<&FeedReport> = self
            .feeds
            .iter()
            .filter(fetched_fine)
            .filter(|f| f.new > 0)
            .collect();
        let mut parts = Vec::new();
        if unchanged > 0 {
            parts.push(format!("{unchanged} unchanged"));
        }
        if !not_due.is_empty() {
            parts.push(not_due_part(&not_due, now, timezone));
        }
        if !with_new.is_empty() {
            let new: usize = with_new.iter().map(|f| f.new).sum();
            let verb = if self.dry_run {
                "that would write"
            } else {
                "with"
            };
            parts.push(format!(
                "{} {verb} {new} new {}",
                with_new.len(),
                plural(new, "article", "articles")
            ));
        }
        parts
    }

    /// Articles written again, and those left alone because edited here.
    fn changed_parts(&self) -> Vec<String> {
        let mut parts = Vec::new();
        let updated: usize = self.feeds.iter().map(|f| f.updated).sum();
        if updated > 0 {
            let verb = if self.dry_run {
                "would be updated"
            } else {
                "updated"
            };
            parts.push(format!(
                "{updated} {} {verb}",
                plural(updated, "article", "articles")
            ));
        }
        let left_alone: usize = self.feeds.iter().map(|f| f.left_alone.len()).sum();
        if left_alone > 0 {
            parts.push(format!(
                "{left_alone} changed at the source but edited here, left alone"
            ));
        }
        parts
    }

    /// What an operator must look at: failures and why, feeds failing for
    /// too long, permanent moves, an interruption.
    fn trouble_parts(&self) -> Vec<String> {
        let mut parts = Vec::new();
        let failed: Vec<String> = self
            .feeds
            .iter()
            .filter(|f| f.status == FeedStatus::Failed)
            .map(|f| match &f.error {
                Some(error) => format!("{}: {}", f.name, error_line(error)),
                None => format!("{}: failed", f.name),
            })
            .collect();
        if !failed.is_empty() {
            parts.push(format!("{} failed: {}", failed.len(), failed.join("; ")));
        }
        let alerts: Vec<String> = self
            .feeds
            .iter()
            .filter(|f| f.alert)
            .map(|f| format!("{} ({} runs)", f.name, f.consecutive_failures))
            .collect();
        if !alerts.is_empty() {
            parts.push(format!("failing for too long: {}", alerts.join(", ")));
        }
        let moved: Vec<String> = self
            .feeds
            .iter()
            .filter_map(|f| Some(format!("{} → {}", f.name, f.moved_to.as_ref()?)))
            .collect();
        if !moved.is_empty() {
            parts.push(format!("moved, update feeds.toml: {}", moved.join(", ")));
        }
        if self.interrupted {
            parts.push("interrupted".to_string());
        }
        parts
    }
}

/// How many feeds not due the summary names; `status` lists them all.
const NOT_DUE_NAMED: usize = 5;

/// "2 not due (A in 48 min, at 15:50:27; B in 3 h, at 18:02:00): --force
/// or --feed NAME fetches now", the soonest first.
fn not_due_part(feeds: &[&FeedReport], now: DateTime<Utc>, timezone: Tz) -> String {
    let mut feeds = feeds.to_vec();
    feeds.sort_by_key(|f| f.next_due);
    let mut named: Vec<String> = feeds
        .iter()
        .take(NOT_DUE_NAMED)
        .map(|f| match f.next_due {
            Some(at) => format!(
                "{} {}, at {}",
                f.name,
                crate::util::when::relative(at, now),
                at.with_timezone(&timezone).format("%H:%M:%S")
            ),
            None => format!("{} now", f.name),
        })
        .collect();
    if feeds.len() > NOT_DUE_NAMED {
        named.push(format!("{} more (see status)", feeds.len() - NOT_DUE_NAMED));
    }
    format!(
        "{} not due ({}): --force or --feed NAME fetches now",
        feeds.len(),
        named.join("; ")
    )
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// A feed's error on one line, for the summary: the message alone when it
/// already says what failed and what to do (a network failure names the
/// host and the fix; its causes are logged under `-v`), else the message
/// with its causes.
pub(crate) fn error_line(error: &FeedError) -> String {
    match error {
        FeedError::Fetch(fetch) if fetch.is_plain() => fetch.to_string(),
        other => crate::util::error_chain(other),
    }
}

fn serialize_time<S: serde::Serializer>(
    time: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match time {
        Some(time) => serializer.serialize_str(&crate::util::when::json_time(*time)),
        None => serializer.serialize_none(),
    }
}

fn serialize_error<S: serde::Serializer>(
    error: &Option<FeedError>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match error {
        Some(error) => serializer.serialize_str(&error_line(error)),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(name: &str, status: FeedStatus, new: usize, error: Option<u16>) -> FeedReport {
        FeedReport {
            status,
            new,
            error: error.map(|status| {
                FeedError::Fetch(crate::fetch::FetchError::Status {
                    status,
                    retry_after: None,
                })
            }),
            ..FeedReport::new(name, "https://ex.org/feed")
        }
    }

    #[test]
    fn summary_line_counts_feeds() {
        let report = Report {
            feeds: vec![
                feed("A", FeedStatus::Ok, 0, None),
                feed("B", FeedStatus::Ok, 2, None),
                feed("C", FeedStatus::Ok, 3, None),
                feed("D", FeedStatus::Failed, 0, Some(404)),
            ],
            ..Report::default()
        };
        assert_eq!(
            report.summary_line(Utc::now(), Tz::UTC),
            "4 feeds: 1 unchanged, 2 with 5 new articles, 1 failed: D: HTTP 404 Not Found: check the feed's url in feeds.toml"
        );
        assert!(report.any_failed());
    }

    #[test]
    fn summary_line_names_not_due_alerts_and_moves() {
        let now = DateTime::parse_from_rfc3339("2026-11-28T15:02:27Z")
            .unwrap()
            .to_utc();
        let mut failing = feed("E", FeedStatus::NotDue, 0, None);
        failing.alert = true;
        failing.consecutive_failures = 6;
        failing.next_due = Some(now + chrono::Duration::minutes(48));
        let mut moved = feed("M", FeedStatus::NotModified, 0, None);
        moved.moved_to = Some("https://new.example/feed".into());
        let report = Report {
            feeds: vec![failing, moved],
            ..Report::default()
        };
        assert_eq!(
            report.summary_line(now, chrono_tz::Europe::Paris),
            "2 feeds: 1 unchanged, 1 not due (E in 48 min, at 16:50:27): --force or --feed NAME fetches now, failing for too long: E (6 runs), moved, update feeds.toml: M → https://new.example/feed"
        );
        assert!(report.any_failed());
    }

    #[test]
    fn the_summary_names_when_each_feed_not_due_is_due() {
        let now = DateTime::parse_from_rfc3339("2026-11-28T15:00:00Z")
            .unwrap()
            .to_utc();
        let not_due = |name: &str, minutes: i64| FeedReport {
            next_due: Some(now + chrono::Duration::minutes(minutes)),
            ..feed(name, FeedStatus::NotDue, 0, None)
        };
        let report = Report {
            feeds: vec![not_due("Later", 180), not_due("Soon", 12)],
            ..Report::default()
        };
        assert_eq!(
            report.summary_line(now, Tz::UTC),
            "2 feeds: 2 not due (Soon in 12 min, at 15:12:00; Later in 3 h, at 18:00:00): --force or --feed NAME fetches now"
        );
        let many = Report {
            feeds: (0..8).map(|i| not_due(&format!("F{i}"), 10 + i)).collect(),
            ..Report::default()
        };
        let line = many.summary_line(now, Tz::UTC);
        assert!(
            line.contains("F4 in 14 min")
                && !line.contains("F5")
                && line.contains("3 more (see status)"),
            "{line}"
        );
    }

    #[test]
    fn summary_line_counts_updates_and_files_left_alone() {
        let mut updated = feed("U", FeedStatus::Ok, 0, None);
        updated.updated = 2;
        updated.left_alone = vec!["content/news/a.md".into()];
        let mut report = Report {
            feeds: vec![updated, feed("A", FeedStatus::Ok, 1, None)],
            ..Report::default()
        };
        assert_eq!(
            report.summary_line(Utc::now(), Tz::UTC),
            "2 feeds: 1 with 1 new article, 2 articles updated, 1 changed at the source but edited here, left alone"
        );
        report.dry_run = true;
        assert!(
            report
                .summary_line(Utc::now(), Tz::UTC)
                .contains("2 articles would be updated"),
            "{}",
            report.summary_line(Utc::now(), Tz::UTC)
        );
    }

    #[test]
    fn json_has_the_documented_keys() {
        let report = Report {
            feeds: vec![feed("A", FeedStatus::NotModified, 0, None)],
            ..Report::default()
        };
        let json = serde_json::to_value(&report).unwrap();
        let feed = &json["feeds"][0];
        let mut keys: Vec<&str> = feed
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        let mut documented = [
            "name",
            "url",
            "status",
            "error",
            "new",
            "seen",
            "skipped",
            "skipped_items",
            "filtered",
            "updated",
            "left_alone",
            "held_back",
            "consecutive_failures",
            "alert",
            "moved_to",
            "next_due",
            "repaired",
        ];
        documented.sort_unstable();
        assert_eq!(keys, documented);
        for unset in ["error", "moved_to", "next_due"] {
            assert!(feed[unset].is_null(), "{unset}");
        }
        assert_eq!(feed["status"], "not_modified");
        assert!(json["articles"].as_array().unwrap().is_empty());
    }
}
