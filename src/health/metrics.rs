//! The metrics file: what the last run did and how each feed is doing, in
//! the Prometheus text format, for node_exporter's textfile collector.
//!
//! In: the run's facts (time taken, exit code, articles written), its
//! report, and the state (each feed's record and last fetch). Out: one
//! file, replaced atomically (a temporary file in the same folder, renamed
//! over it: the collector never reads half a file), its folder created
//! when missing. Fails with [`MetricsError`] naming the file; a state that
//! cannot be read leaves out the feeds' metrics, never the run's.
//!
//! The format: <https://prometheus.io/docs/instrumenting/exposition_formats/>.
//! Names follow <https://prometheus.io/docs/practices/naming/>: the
//! `feedimport_` prefix, base units (`_seconds`, `_bytes`), `_total` for
//! counters only; no sample carries a timestamp (the collector refuses
//! them).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::feeds::FeedHealth;
use crate::config::Config;
use crate::report::Report;
use crate::store::StoreError;

/// What the run did, whatever became of the feeds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RunFacts {
    pub(crate) duration: Duration,
    /// The process's exit code (see the README).
    pub(crate) exit_code: u8,
    pub(crate) articles_written: usize,
    pub(crate) finished: DateTime<Utc>,
}

/// One feed's values: its health, and what this run wrote of it.
#[derive(Debug, Clone, Default)]
pub(crate) struct FeedFacts {
    pub(crate) health: FeedHealth,
    /// Articles written by this run (0 when it was not fetched).
    pub(crate) run_articles: usize,
}

/// Why the metrics file was not written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the metrics file {}{}", .path.display(), crate::util::fs::ownership_advice(.path, .source))]
pub(crate) struct MetricsError {
    path: PathBuf,
    #[source]
    source: std::io::Error,
}

/// Writes the metrics file at `path`: the run's metrics, and, when the
/// config is known and the state can be read, every feed's.
pub(crate) fn write(
    path: &Path,
    config: Option<&Config>,
    report: Option<&Report>,
    run: &RunFacts,
) -> Result<(), MetricsError> {
    let feeds = match config.map(|config| feed_facts(config, report)) {
        Some(Ok(feeds)) => feeds,
        Some(Err(error)) => {
            tracing::warn!(
                "the metrics file holds no feed metrics: {}",
                crate::util::error_chain(&error)
            );
            Vec::new()
        }
        None => Vec::new(),
    };
    crate::write::files::replace_file(path, &render(&feeds, run), ".feedimport-metrics-").map_err(
        |source| MetricsError {
            path: path.to_path_buf(),
            source,
        },
    )
}

/// Every feed of the config, as its health reads it, with this run's
/// articles (the report's lines paired with the feeds by identity).
fn feed_facts(config: &Config, report: Option<&Report>) -> Result<Vec<FeedFacts>, StoreError> {
    let run_new: std::collections::HashMap<&str, usize> = report
        .into_iter()
        .flat_map(|r| &r.feeds)
        .map(|line| (line.identity.as_str(), line.new))
        .collect();
    let health = super::feeds::read(config, chrono::Utc::now(), super::feeds::View::Metrics)?;
    Ok(health
        .into_iter()
        .map(|health| FeedFacts {
            run_articles: run_new.get(health.identity.as_str()).copied().unwrap_or(0),
            health,
        })
        .collect())
}

/// A metric family: its name, type and help, and its samples (labels
/// already written, value).
struct Family<'a> {
    name: &'a str,
    kind: &'a str,
    help: &'a str,
    samples: Vec<(String, f64)>,
}

/// The file's text: each family once, with its `# HELP` and `# TYPE`
/// lines before its samples; families without a sample are left out.
pub(crate) fn render(feeds: &[FeedFacts], run: &RunFacts) -> String {
    let per_feed = |f: &dyn Fn(&FeedFacts) -> Option<f64>| -> Vec<(String, f64)> {
        feeds
            .iter()
            .filter_map(|feed| Some((feed_labels(feed), f(feed)?)))
            .collect()
    };
    let seconds = |t: Option<DateTime<Utc>>| t.map(|t| t.timestamp_millis() as f64 / 1000.0);
    let families = [
        Family {
            name: "feedimport_feed_last_success_timestamp_seconds",
            kind: "gauge",
            help: "When the feed was last fetched without error (absent: never).",
            samples: per_feed(&|f| seconds(f.health.record.last_success)),
        },
        Family {
            name: "feedimport_feed_last_attempt_timestamp_seconds",
            kind: "gauge",
            help: "When the feed was last fetched, with or without error (absent: never).",
            samples: per_feed(&|f| seconds(f.health.record.last_fetch)),
        },
        Family {
            name: "feedimport_feed_consecutive_failures",
            kind: "gauge",
            help: "Runs in a row in which the feed failed (0 after a success).",
            samples: per_feed(&|f| Some(f64::from(f.health.record.consecutive_failures))),
        },
        Family {
            name: "feedimport_feed_failing",
            kind: "gauge",
            help: "1 when the feed has failed alert_after_failures runs in a row or more, else 0.",
            samples: per_feed(&|f| Some(if f.health.failing { 1.0 } else { 0.0 })),
        },
        Family {
            name: "feedimport_feed_articles_imported_total",
            kind: "counter",
            help: "Articles imported from the feed since the state began.",
            samples: per_feed(&|f| Some(f.health.last_fetch.articles_total as f64)),
        },
        Family {
            name: "feedimport_feed_last_run_articles_imported",
            kind: "gauge",
            help: "Articles imported from the feed by the last run.",
            samples: per_feed(&|f| Some(f.run_articles as f64)),
        },
        Family {
            name: "feedimport_feed_items_seen",
            kind: "gauge",
            help: "Items in the feed's document when it was last read.",
            samples: per_feed(&|f| f.health.last_fetch.items.map(|n| n as f64)),
        },
        Family {
            name: "feedimport_feed_last_http_status",
            kind: "gauge",
            help: "HTTP status of the feed's last fetch (absent: no answer, or a file).",
            samples: per_feed(&|f| f.health.last_fetch.http_status.map(f64::from)),
        },
        Family {
            name: "feedimport_feed_last_fetch_bytes",
            kind: "gauge",
            help: "Bytes of the body of the feed's last fetch, after decompression (0 for a 304 or a failure).",
            samples: per_feed(&|f| f.health.last_fetch.bytes.map(|n| n as f64)),
        },
        Family {
            name: "feedimport_feed_last_fetch_duration_seconds",
            kind: "gauge",
            help: "Time the feed's last fetch took, retries included.",
            samples: per_feed(&|f| f.health.last_fetch.duration.map(|d| d.as_secs_f64())),
        },
        Family {
            name: "feedimport_run_duration_seconds",
            kind: "gauge",
            help: "Time the last run took.",
            samples: vec![(String::new(), run.duration.as_secs_f64())],
        },
        Family {
            name: "feedimport_run_exit_code",
            kind: "gauge",
            help: "Exit code of the last run (0 ok, 1 a feed failed, 2 configuration, 3 state or content folder, 130 interrupted).",
            samples: vec![(String::new(), f64::from(run.exit_code))],
        },
        Family {
            name: "feedimport_run_articles_written",
            kind: "gauge",
            help: "Articles written by the last run.",
            samples: vec![(String::new(), run.articles_written as f64)],
        },
        Family {
            name: "feedimport_run_finished_timestamp_seconds",
            kind: "gauge",
            help: "When the last run ended.",
            samples: vec![(String::new(), seconds(Some(run.finished)).unwrap_or(0.0))],
        },
    ];
    let mut out = String::new();
    for family in families.iter().filter(|f| !f.samples.is_empty()) {
        let _ = writeln!(out, "# HELP {} {}", family.name, escape_help(family.help));
        let _ = writeln!(out, "# TYPE {} {}", family.name, family.kind);
        for (labels, value) in &family.samples {
            let _ = writeln!(out, "{}{labels} {value}", family.name);
        }
    }
    out
}

/// `{feed="…",url="…"}`: the name people know the feed by, and its URL,
/// which tells apart feeds that share a name.
fn feed_labels(feed: &FeedFacts) -> String {
    format!(
        "{{feed=\"{}\",url=\"{}\"}}",
        escape_label(&feed.health.name),
        escape_label(&feed.health.identity)
    )
}

/// A label value as the text format writes it: backslash, double quote and
/// line feed escaped.
pub(crate) fn escape_label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// A `# HELP` text: backslash and line feed escaped.
fn escape_help(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{FeedRecord, LastFetch};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn run() -> RunFacts {
        RunFacts {
            duration: Duration::from_millis(1500),
            exit_code: 1,
            articles_written: 7,
            finished: at("2026-11-28T18:00:00.250Z"),
        }
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label("plain"), "plain");
        assert_eq!(
            escape_label("a \"quoted\" \\ name\nnext"),
            "a \\\"quoted\\\" \\\\ name\\nnext"
        );
        assert_eq!(escape_label("Actualité — ＜b>"), "Actualité — ＜b>");
    }

    #[test]
    fn each_family_once_with_help_and_type_then_its_samples() {
        let feeds = [
            FeedFacts {
                health: FeedHealth {
                    name: "News".into(),
                    identity: "https://news.example.org/feed".into(),
                    record: FeedRecord {
                        last_fetch: Some(at("2026-11-28T17:59:00Z")),
                        last_success: Some(at("2026-11-28T17:59:00Z")),
                        ..FeedRecord::default()
                    },
                    last_fetch: LastFetch {
                        articles_total: 120,
                        items: Some(20),
                        http_status: Some(200),
                        bytes: Some(65536),
                        duration: Some(Duration::from_millis(320)),
                    },
                    failing: false,
                    ..FeedHealth::default()
                },
                run_articles: 7,
            },
            FeedFacts {
                health: FeedHealth {
                    name: "Evil\" } x{y=\"1\nfeedimport_run_exit_code 0".into(),
                    identity: "https://bad.example.org/".into(),
                    record: FeedRecord {
                        last_fetch: Some(at("2026-11-28T17:59:00Z")),
                        consecutive_failures: 6,
                        ..FeedRecord::default()
                    },
                    failing: true,
                    ..FeedHealth::default()
                },
                ..FeedFacts::default()
            },
        ];
        let text = render(&feeds, &run());
        let news = "{feed=\"News\",url=\"https://news.example.org/feed\"}";
        for line in [
            format!("feedimport_feed_last_success_timestamp_seconds{news} 1795888740"),
            format!("feedimport_feed_articles_imported_total{news} 120"),
            format!("feedimport_feed_last_run_articles_imported{news} 7"),
            format!("feedimport_feed_last_http_status{news} 200"),
            format!("feedimport_feed_last_fetch_bytes{news} 65536"),
            format!("feedimport_feed_last_fetch_duration_seconds{news} 0.32"),
            "feedimport_feed_consecutive_failures{feed=\"Evil\\\" } x{y=\\\"1\\nfeedimport_run_exit_code 0\",url=\"https://bad.example.org/\"} 6".to_string(),
            "feedimport_run_duration_seconds 1.5".to_string(),
            "feedimport_run_exit_code 1".to_string(),
            "feedimport_run_articles_written 7".to_string(),
            "feedimport_run_finished_timestamp_seconds 1795888800.25".to_string(),
        ] {
            assert!(text.lines().any(|l| l == line), "no line {line}\n{text}");
        }
        // The hostile name stays inside its label: every line is a
        // comment or one sample of a known family.
        let mut families = Vec::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                families.push(rest.split(' ').next().unwrap().to_string());
            } else if !line.starts_with("# HELP ") {
                let name = line.split(['{', ' ']).next().unwrap();
                assert_eq!(Some(&name.to_string()), families.last(), "{line}");
            }
        }
        let mut unique = families.clone();
        unique.dedup();
        assert_eq!(unique, families);
        assert_eq!(
            text.lines()
                .filter(|l| l.starts_with("feedimport_run_exit_code"))
                .count(),
            1
        );
        // Never fetched, never succeeded: no sample rather than a false 0.
        assert_eq!(
            text.matches("feedimport_feed_last_success_timestamp_seconds{")
                .count(),
            1
        );
    }

    #[test]
    fn without_feeds_the_run_is_still_described() {
        let text = render(&[], &run());
        assert!(!text.contains("feedimport_feed_"));
        assert!(
            text.contains("# TYPE feedimport_run_exit_code gauge\nfeedimport_run_exit_code 1\n")
        );
    }

    #[test]
    fn the_file_is_replaced_whole_and_its_folder_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("textfile/feedimport.prom");
        crate::write::files::replace_file(&path, "a 1\n", ".feedimport-metrics-").unwrap();
        crate::write::files::replace_file(&path, "b 2\n", ".feedimport-metrics-").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "b 2\n");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["feedimport.prom"]);
    }
}
