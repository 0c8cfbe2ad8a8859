//! How each feed is doing, read from the state once: the one model that
//! `status` (as text and as JSON), the health page and the metrics file
//! render.
//!
//! In: the config and the time of the question. Out: a [`FeedHealth`] per
//! feed of the config, in config order, keyed by the feed's identity: its
//! record (last fetch and success, failures in a row and the last error,
//! next due, where it moved), what its last fetch measured, its articles
//! (all, the last seven days, with an image) and its days over the last
//! [`DAYS`], each read only for the views that show it ([`View`]). Fails
//! with [`StoreError`] when the state cannot be read; a state not created
//! yet reads as feeds never fetched.

use chrono::{DateTime, NaiveDate, Utc};

use crate::config::Config;
use crate::schedule::is_failing;
use crate::store::{ArticleCounts, Day, FeedRecord, LastFetch, State, StoreError};

/// Days of history read for each feed (the health page's charts), today
/// included.
pub(crate) const DAYS: u64 = 90;

/// One feed's health.
#[derive(Debug, Clone, Default)]
pub(crate) struct FeedHealth {
    pub(crate) name: String,
    /// The feed's identity, as the state and the run's report key it:
    /// names may be shared.
    pub(crate) identity: String,
    /// Its address as people read it (a URL, or a file's path).
    pub(crate) shown: String,
    pub(crate) record: FeedRecord,
    pub(crate) last_fetch: LastFetch,
    /// Zero unless read for a view that shows them ([`View::counts`]).
    pub(crate) articles: ArticleCounts,
    /// Its days since [`first_day`], oldest first; days without a record
    /// are absent. Empty unless read for the health page.
    pub(crate) days: Vec<Day>,
    /// Failing for at least `alert_after_failures` fetches in a row.
    pub(crate) failing: bool,
}

impl FeedHealth {
    /// The share of its articles written with an image, 0 to 1; `None`
    /// when it has none.
    pub(crate) fn image_share(&self) -> Option<f64> {
        (self.articles.total > 0)
            .then(|| self.articles.with_image as f64 / self.articles.total as f64)
    }
}

/// The first day of the history read at `now`.
pub(crate) fn first_day(now: DateTime<Utc>) -> NaiveDate {
    now.date_naive() - chrono::Days::new(DAYS - 1)
}

/// Which view the feeds' health is read for: each reads only what it
/// shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    /// `status`, as text or JSON: the articles counted, no days.
    Status,
    /// The health page: the articles counted, and the days it charts.
    Page,
    /// The metrics file, written after every run: neither. Counting the
    /// articles reads every item of the state, which would make each run
    /// grow with all the articles ever imported.
    Metrics,
}

impl View {
    /// Whether the view shows each feed's articles (counted in one pass
    /// over every item of the state).
    pub(crate) fn counts(self) -> bool {
        matches!(self, View::Status | View::Page)
    }

    /// Whether the view charts each feed's days.
    pub(crate) fn days(self) -> bool {
        self == View::Page
    }
}

/// Every feed of `config`, as the state knows it at `now`, with what
/// `view` shows of it.
pub(crate) fn read(
    config: &Config,
    now: DateTime<Utc>,
    view: View,
) -> Result<Vec<FeedHealth>, StoreError> {
    let state = State::open_existing(&config.state_dir)?;
    let since =
        (now - chrono::Duration::days(7)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut counts = match &state {
        Some(state) if view.counts() => state.article_counts_by_feed(&since)?,
        _ => Default::default(),
    };
    let first = first_day(now);
    config
        .feeds
        .iter()
        .map(|feed| {
            let identity = feed.source.identity();
            let (record, last_fetch, days) = match &state {
                Some(state) => (
                    state.feed_record(&identity)?.unwrap_or_default(),
                    state.last_fetch(&identity)?.unwrap_or_default(),
                    if view.days() {
                        state.feed_days(&identity, first)?
                    } else {
                        Vec::new()
                    },
                ),
                None => Default::default(),
            };
            Ok(FeedHealth {
                name: feed.name.clone(),
                shown: feed.source.to_string(),
                articles: counts.remove(&identity).unwrap_or_default(),
                failing: is_failing(&record, config.alert_after_failures),
                identity,
                record,
                last_fetch,
                days,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::store::ImportRecord;

    #[test]
    fn each_feed_gets_its_own_record_even_where_names_repeat() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "state_dir = {:?}\nalert_after_failures = 3\n{}{}",
            dir.path().display().to_string(),
            "[[feeds]]\nname = \"News\"\nurl = \"https://a.example.org/feed\"\nsection = \"news\"\n",
            "[[feeds]]\nname = \"News\"\nurl = \"https://b.example.org/feed\"\nsection = \"news\"\n",
        );
        let options = crate::config::LoadOptions {
            allow_duplicate_names: true,
        };
        let config = Config::from_text(
            &text,
            Path::new("feeds.toml"),
            options,
            crate::config::Feeds::AtLeastOne,
        )
        .unwrap();
        let now: DateTime<Utc> = "2026-11-28T12:00:00Z".parse().unwrap();
        {
            let state = State::open(dir.path()).unwrap();
            // Recorded in the other order than the config's.
            for (url, failures) in [
                ("https://b.example.org/feed", 5),
                ("https://a.example.org/feed", 0),
            ] {
                state
                    .save_feed_record(&FeedRecord {
                        url: url.into(),
                        name: "News".into(),
                        consecutive_failures: failures,
                        ..FeedRecord::default()
                    })
                    .unwrap();
            }
            state.begin().unwrap();
            state
                .record(&ImportRecord {
                    key: "one",
                    feed: "https://a.example.org/feed",
                    source_url: "https://a.example.org/1",
                    permalink: Some("/news/1"),
                    path: Some("news/1.md"),
                    imported_at: "2026-11-27T12:00:00Z",
                    has_image: Some(true),
                    shared_link: false,
                    hashes: None,
                })
                .unwrap();
            state.commit().unwrap();
            state
                .record_fetch(
                    "https://a.example.org/feed",
                    now,
                    &crate::store::FetchFacts {
                        articles: 1,
                        ..Default::default()
                    },
                )
                .unwrap();
        }
        let health = read(&config, now, View::Page).unwrap();
        assert_eq!(health.len(), 2);
        let (a, b) = (&health[0], &health[1]);
        assert_eq!(a.identity, "https://a.example.org/feed");
        assert_eq!(
            (a.record.consecutive_failures, a.failing, a.articles.total),
            (0, false, 1)
        );
        assert_eq!(a.image_share(), Some(1.0));
        assert_eq!(b.identity, "https://b.example.org/feed");
        assert_eq!(
            (b.record.consecutive_failures, b.failing, b.articles.total),
            (5, true, 0)
        );
        assert_eq!(b.image_share(), None);
        assert_eq!(a.days.len(), 1, "the page reads the days");

        // status reads the counts but not the days; the metrics file,
        // written after every run, neither (the counts read every item).
        let status = read(&config, now, View::Status).unwrap();
        assert_eq!(status[0].articles.total, 1);
        assert!(status.iter().all(|f| f.days.is_empty()));
        let metrics = read(&config, now, View::Metrics).unwrap();
        assert_eq!(metrics[0].articles, ArticleCounts::default());
        assert_eq!(metrics[1].record.consecutive_failures, 5);
        assert!(metrics[1].failing);
    }

    #[test]
    fn without_a_state_every_feed_reads_as_never_fetched() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "state_dir = {:?}\n[[feeds]]\nname = \"A\"\nurl = \"https://a.example.org/feed\"\nsection = \"news\"\n",
            dir.path().join("none").display().to_string(),
        );
        let config = Config::parse(&text, Path::new("feeds.toml"), Path::new(".")).unwrap();
        let health = read(&config, Utc::now(), View::Status).unwrap();
        assert_eq!(health.len(), 1);
        assert_eq!(health[0].record.last_fetch, None);
        assert!(!health[0].failing);
        assert!(!dir.path().join("none").exists(), "nothing is created");
    }
}
