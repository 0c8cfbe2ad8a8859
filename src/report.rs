//! Per-feed outcomes and the articles of a run, for people and for programs.
//!
//! In: what the pipeline did. Out: the `--json` document, the `--dry-run`
//! listing and the one summary line. Pure; nothing fails.

use serde::Serialize;

use crate::article::Article;
use crate::pipeline::FeedError;

/// Everything a run did.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Report {
    /// Every article written, when the run keeps them (`--json`, a dry
    /// run); otherwise empty, and each feed's `new` counts them.
    pub(crate) articles: Vec<ArticleReport>,
    pub(crate) feeds: Vec<FeedReport>,
    #[serde(skip)]
    pub(crate) dry_run: bool,
    /// A signal stopped the run before every feed was done.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) interrupted: bool,
}

/// One article written (or, in a dry run, that would be written).
#[derive(Debug, Serialize)]
pub(crate) struct ArticleReport {
    /// Relative to the config file's folder.
    pub(crate) path: String,
    pub(crate) feed: String,
    #[serde(flatten)]
    pub(crate) article: Article,
    /// The file's text, kept for a dry run's listing only.
    #[serde(skip)]
    pub(crate) text: Option<String>,
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
    pub(crate) status: FeedStatus,
    /// Why the feed failed, printed with its causes.
    #[serde(serialize_with = "serialize_error")]
    pub(crate) error: Option<FeedError>,
    /// Articles written.
    pub(crate) new: usize,
    /// Items imported by an earlier run (or present in the content folder).
    pub(crate) seen: usize,
    /// Items that cannot become articles (no link).
    pub(crate) skipped: usize,
    /// Items left out by the feed's include, exclude or max_age rules.
    pub(crate) filtered: usize,
    /// Articles written again: changed at the source, untouched on disk
    /// (`update = "untouched"`).
    pub(crate) updated: usize,
    /// Articles changed at the source whose file an editor edited or
    /// deleted: left alone (paths relative to the config file's folder).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) left_alone: Vec<String>,
    /// New items past the feed's `max_items`, left for a later run.
    #[serde(skip_serializing_if = "is_zero")]
    pub(crate) held_back: usize,
    /// Failed runs in a row, this one included.
    pub(crate) consecutive_failures: u32,
    /// Failing for at least `alert_after_failures` runs.
    pub(crate) alert: bool,
    /// The feed answered with a permanent redirect: its new URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) moved_to: Option<String>,
    /// When a feed that was not due will be.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) next_due: Option<String>,
    /// What the feed needed repaired before it would parse.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) repaired: Vec<String>,
}

impl FeedReport {
    pub(crate) fn new(name: &str, url: &str) -> FeedReport {
        FeedReport {
            name: name.to_string(),
            url: url.to_string(),
            status: FeedStatus::Ok,
            error: None,
            new: 0,
            seen: 0,
            skipped: 0,
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
    /// articles, 1 failed: Name: reason".
    pub(crate) fn summary_line(&self) -> String {
        let feeds = self.feeds.len();
        let fetched_fine =
            |f: &&FeedReport| matches!(f.status, FeedStatus::Ok | FeedStatus::NotModified);
        let unchanged = self
            .feeds
            .iter()
            .filter(fetched_fine)
            .filter(|f| f.new == 0 && f.updated == 0)
            .count();
        let not_due = self
            .feeds
            .iter()
            .filter(|f| f.status == FeedStatus::NotDue)
            .count();
        let with_new: Vec<&FeedReport> = self
            .feeds
            .iter()
            .filter(fetched_fine)
            .filter(|f| f.new > 0)
            .collect();
        let new: usize = with_new.iter().map(|f| f.new).sum();
        let failed: Vec<&FeedReport> = self
            .feeds
            .iter()
            .filter(|f| f.status == FeedStatus::Failed)
            .collect();

        let mut parts = Vec::new();
        if unchanged > 0 {
            parts.push(format!("{unchanged} unchanged"));
        }
        if not_due > 0 {
            parts.push(format!("{not_due} not due"));
        }
        if !with_new.is_empty() {
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
        if !failed.is_empty() {
            let reasons: Vec<String> = failed
                .iter()
                .map(|f| match &f.error {
                    Some(error) => format!("{}: {}", f.name, error_chain(error)),
                    None => format!("{}: failed", f.name),
                })
                .collect();
            parts.push(format!("{} failed: {}", failed.len(), reasons.join("; ")));
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
        let prefix = if self.dry_run {
            "dry run, nothing written: "
        } else {
            ""
        };
        format!(
            "{prefix}{feeds} {}: {}",
            plural(feeds, "feed", "feeds"),
            parts.join(", ")
        )
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// An error and its causes on one line: reqwest's own message alone says
/// "error sending request" and hides "connection refused". A cause that
/// only repeats the text before it, or that it holds ("file is not a
/// database" under "Error code 26: file is not a database"), is left out.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut last = message.clone();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) && !text.contains(&last) {
            message.push_str(": ");
            message.push_str(&text);
        }
        last = text;
        source = cause.source();
    }
    message
}

fn serialize_error<S: serde::Serializer>(
    error: &Option<FeedError>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match error {
        Some(error) => serializer.serialize_str(&error_chain(error)),
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
            report.summary_line(),
            "4 feeds: 1 unchanged, 2 with 5 new articles, 1 failed: D: HTTP 404 Not Found: check the feed's url in feeds.toml"
        );
        assert!(report.any_failed());
    }

    #[test]
    fn summary_line_names_not_due_alerts_and_moves() {
        let mut failing = feed("E", FeedStatus::NotDue, 0, None);
        failing.alert = true;
        failing.consecutive_failures = 6;
        let mut moved = feed("M", FeedStatus::NotModified, 0, None);
        moved.moved_to = Some("https://new.example/feed".into());
        let report = Report {
            feeds: vec![failing, moved],
            ..Report::default()
        };
        assert_eq!(
            report.summary_line(),
            "2 feeds: 1 unchanged, 1 not due, failing for too long: E (6 runs), moved, update feeds.toml: M → https://new.example/feed"
        );
        assert!(report.any_failed());
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
            report.summary_line(),
            "2 feeds: 1 with 1 new article, 2 articles updated, 1 changed at the source but edited here, left alone"
        );
        report.dry_run = true;
        assert!(
            report
                .summary_line()
                .contains("2 articles would be updated"),
            "{}",
            report.summary_line()
        );
    }

    #[test]
    fn error_chains_print_each_cause_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("{text}")]
        struct Layer {
            text: &'static str,
            #[source]
            source: Option<Box<Layer>>,
        }
        let layer = |text, source: Option<Layer>| Layer {
            text,
            source: source.map(Box::new),
        };
        let chain_of = |texts: [&'static str; 3]| {
            layer(texts[0], Some(layer(texts[1], Some(layer(texts[2], None)))))
        };
        assert_eq!(
            error_chain(&chain_of([
                "state database x",
                "file is not a database",
                "Error code 26: file is not a database",
            ])),
            "state database x: file is not a database"
        );
        assert_eq!(
            error_chain(&chain_of([
                "cannot connect",
                "error sending request",
                "Connection refused",
            ])),
            "cannot connect: error sending request: Connection refused"
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
        for key in ["name", "url", "status", "error", "new", "seen"] {
            assert!(feed.get(key).is_some(), "{key}");
        }
        assert_eq!(feed["status"], "not_modified");
        assert!(json["articles"].as_array().unwrap().is_empty());
    }
}
