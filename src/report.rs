//! Per-feed outcomes and the articles of a run, for people and for programs.
//!
//! In: what the pipeline did. Out: the `--json` document, the `--dry-run`
//! listing and the one summary line. Pure; nothing fails.

use serde::Serialize;

use crate::render::Article;

/// Everything a run did.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub articles: Vec<ArticleReport>,
    pub feeds: Vec<FeedReport>,
    #[serde(skip)]
    pub dry_run: bool,
}

/// One article written (or, in a dry run, that would be written).
#[derive(Debug, Serialize)]
pub struct ArticleReport {
    /// Relative to the config file's folder.
    pub path: String,
    pub feed: String,
    #[serde(flatten)]
    pub article: Article,
    /// The file's text, kept for a dry run's listing only.
    #[serde(skip)]
    pub text: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedStatus {
    Ok,
    NotModified,
    Failed,
}

/// What happened to one feed.
#[derive(Debug, Serialize)]
pub struct FeedReport {
    pub name: String,
    pub url: String,
    pub status: FeedStatus,
    pub error: Option<String>,
    /// Articles written.
    pub new: usize,
    /// Items imported by an earlier run (or present in the content folder).
    pub seen: usize,
    /// Items that cannot become articles (no link).
    pub skipped: usize,
    /// Items left out by the feed's include, exclude or max_age rules.
    pub filtered: usize,
}

impl Report {
    pub fn any_failed(&self) -> bool {
        self.feeds.iter().any(|f| f.status == FeedStatus::Failed)
    }

    /// The dry run's listing: a line naming each file, then its text.
    pub fn dry_run_listing(&self) -> String {
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
    pub fn summary_line(&self) -> String {
        let feeds = self.feeds.len();
        let unchanged = self
            .feeds
            .iter()
            .filter(|f| f.status != FeedStatus::Failed && f.new == 0)
            .count();
        let with_new: Vec<&FeedReport> = self
            .feeds
            .iter()
            .filter(|f| f.status != FeedStatus::Failed && f.new > 0)
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
        if !failed.is_empty() {
            let reasons: Vec<String> = failed
                .iter()
                .map(|f| format!("{}: {}", f.name, f.error.as_deref().unwrap_or("failed")))
                .collect();
            parts.push(format!("{} failed: {}", failed.len(), reasons.join("; ")));
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

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(name: &str, status: FeedStatus, new: usize, error: Option<&str>) -> FeedReport {
        FeedReport {
            name: name.into(),
            url: "https://ex.org/feed".into(),
            status,
            error: error.map(str::to_string),
            new,
            seen: 0,
            skipped: 0,
            filtered: 0,
        }
    }

    #[test]
    fn summary_line_counts_feeds() {
        let report = Report {
            feeds: vec![
                feed("A", FeedStatus::Ok, 0, None),
                feed("B", FeedStatus::Ok, 2, None),
                feed("C", FeedStatus::Ok, 3, None),
                feed("D", FeedStatus::Failed, 0, Some("HTTP 404 Not Found")),
            ],
            ..Report::default()
        };
        assert_eq!(
            report.summary_line(),
            "4 feeds: 1 unchanged, 2 with 5 new articles, 1 failed: D: HTTP 404 Not Found"
        );
        assert!(report.any_failed());
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
