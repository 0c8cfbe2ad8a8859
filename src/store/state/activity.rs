//! Each feed's activity, for the metrics file and the health page: per day,
//! the articles it gave (with an image or not), its fetches and failures;
//! and what its last fetch measured (HTTP status, bytes, time) with its
//! articles in all.
//!
//! In: what one fetch of a feed did, recorded by the run in the same
//! transaction as the feed's other records. Out: a feed's days since a
//! date, its last fetch. The days are UTC days; only the last
//! [`KEEP_DAYS`] are kept, so the state does not grow with time. Fails
//! with [`StoreError`] naming the state.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};

use super::schema::KEEP_DAYS;
use super::{State, state_error};
use crate::store::error::StoreError;

/// What one fetch of a feed did, as the history keeps it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FetchFacts {
    pub(crate) failed: bool,
    /// Articles written.
    pub(crate) articles: u64,
    /// Among them, those with an image.
    pub(crate) with_image: u64,
    /// Entries in the document read (`None`: no document, kept from the
    /// last one).
    pub(crate) items: Option<u64>,
    /// The HTTP status of the answer (`None`: no answer, or a file).
    pub(crate) http_status: Option<u16>,
    /// The body's bytes (after decompression).
    pub(crate) bytes: u64,
    /// The fetch, its retries included.
    pub(crate) duration: Duration,
}

/// One day of a feed's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Day {
    pub(crate) day: NaiveDate,
    pub(crate) articles: u64,
    pub(crate) with_image: u64,
    pub(crate) fetches: u64,
    pub(crate) failures: u64,
}

/// What a feed's last fetch measured, and its articles in all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LastFetch {
    pub(crate) articles_total: u64,
    pub(crate) items: Option<u64>,
    pub(crate) http_status: Option<u16>,
    pub(crate) bytes: Option<u64>,
    pub(crate) duration: Option<Duration>,
}

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

impl State {
    /// Records one fetch of the feed `feed` (its identity) at `now`, and
    /// forgets its days older than [`KEEP_DAYS`].
    pub(crate) fn record_fetch(
        &self,
        feed: &str,
        now: DateTime<Utc>,
        facts: &FetchFacts,
    ) -> Result<(), StoreError> {
        let fail = |e| state_error(&self.path, e);
        let today = now.date_naive();
        let oldest = today - chrono::Days::new(KEEP_DAYS as u64 - 1);
        let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        self.conn
            .prepare_cached(
                "INSERT INTO feed_days (feed, day, articles, with_image, fetches, failures)
                 VALUES (?1, ?2, ?3, ?4, 1, ?5)
                 ON CONFLICT (feed, day) DO UPDATE SET
                     articles = articles + excluded.articles,
                     with_image = with_image + excluded.with_image,
                     fetches = fetches + 1,
                     failures = failures + excluded.failures",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    feed,
                    day_text(today),
                    clamp(facts.articles),
                    clamp(facts.with_image),
                    i64::from(facts.failed)
                ])
            })
            .map_err(fail)?;
        self.conn
            .prepare_cached("DELETE FROM feed_days WHERE feed = ?1 AND day < ?2")
            .and_then(|mut stmt| stmt.execute(params![feed, day_text(oldest)]))
            .map_err(fail)?;
        let duration_ms = i64::try_from(facts.duration.as_millis()).unwrap_or(i64::MAX);
        self.conn
            .prepare_cached(
                "INSERT INTO feed_fetches (url, articles_total, items, http_status, bytes, duration_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (url) DO UPDATE SET
                     articles_total = articles_total + excluded.articles_total,
                     items = coalesce(excluded.items, items),
                     http_status = excluded.http_status,
                     bytes = excluded.bytes,
                     duration_ms = excluded.duration_ms",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    feed,
                    clamp(facts.articles),
                    facts.items.map(clamp),
                    facts.http_status,
                    clamp(facts.bytes),
                    duration_ms
                ])
            })
            .map(|_| ())
            .map_err(fail)
    }

    /// The feed's recorded days from `since` on, oldest first (days
    /// without a fetch or an article are absent).
    pub(crate) fn feed_days(&self, feed: &str, since: NaiveDate) -> Result<Vec<Day>, StoreError> {
        let fail = |e| state_error(&self.path, e);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT day, articles, with_image, fetches, failures FROM feed_days
                 WHERE feed = ?1 AND day >= ?2 ORDER BY day",
            )
            .map_err(fail)?;
        let rows = stmt
            .query_map(params![feed, day_text(since)], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, i64>(3)?,
                    row.get::<_, i64>(4)?,
                ))
            })
            .map_err(fail)?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        let mut days = Vec::new();
        for row in rows {
            let (day, articles, with_image, fetches, failures) = row.map_err(fail)?;
            // A day that does not read as one was not written by us: left out.
            let Ok(day) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") else {
                continue;
            };
            days.push(Day {
                day,
                articles: count(articles),
                with_image: count(with_image),
                fetches: count(fetches),
                failures: count(failures),
            });
        }
        Ok(days)
    }

    /// What the feed's last fetch measured (`None`: never fetched since
    /// the history began, and no article recorded before).
    pub(crate) fn last_fetch(&self, feed: &str) -> Result<Option<LastFetch>, StoreError> {
        let count = |n: Option<i64>| n.and_then(|n| u64::try_from(n).ok());
        self.conn
            .prepare_cached(
                "SELECT articles_total, items, http_status, bytes, duration_ms
                 FROM feed_fetches WHERE url = ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_row([feed], |row| {
                    Ok(LastFetch {
                        articles_total: count(row.get(0)?).unwrap_or(0),
                        items: count(row.get(1)?),
                        http_status: row
                            .get::<_, Option<i64>>(2)?
                            .and_then(|s| u16::try_from(s).ok()),
                        bytes: count(row.get(3)?),
                        duration: count(row.get(4)?).map(Duration::from_millis),
                    })
                })
                .optional()
            })
            .map_err(|e| state_error(&self.path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ImportRecord;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn fetches_add_up_per_day_and_the_last_one_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(dir.path()).unwrap();
        let feed = "https://ex.org/feed";
        let ok = FetchFacts {
            articles: 3,
            with_image: 2,
            items: Some(10),
            http_status: Some(200),
            bytes: 5000,
            duration: Duration::from_millis(250),
            ..FetchFacts::default()
        };
        state
            .record_fetch(feed, at("2026-03-01T08:00:00Z"), &ok)
            .unwrap();
        state
            .record_fetch(
                feed,
                at("2026-03-01T20:00:00Z"),
                &FetchFacts {
                    failed: true,
                    http_status: Some(503),
                    duration: Duration::from_secs(2),
                    ..FetchFacts::default()
                },
            )
            .unwrap();
        state
            .record_fetch(feed, at("2026-03-03T00:00:00Z"), &ok)
            .unwrap();
        let days = state.feed_days(feed, date("2026-03-01")).unwrap();
        assert_eq!(
            days,
            [
                Day {
                    day: date("2026-03-01"),
                    articles: 3,
                    with_image: 2,
                    fetches: 2,
                    failures: 1
                },
                Day {
                    day: date("2026-03-03"),
                    articles: 3,
                    with_image: 2,
                    fetches: 1,
                    failures: 0
                }
            ]
        );
        assert_eq!(state.feed_days(feed, date("2026-03-02")).unwrap().len(), 1);
        assert!(
            state
                .feed_days("other", date("2026-01-01"))
                .unwrap()
                .is_empty()
        );
        let last = state.last_fetch(feed).unwrap().unwrap();
        assert_eq!(
            last,
            LastFetch {
                articles_total: 6,
                items: Some(10),
                http_status: Some(200),
                bytes: Some(5000),
                duration: Some(Duration::from_millis(250)),
            }
        );
        // A failure without an answer keeps the last document's item count.
        state
            .record_fetch(
                feed,
                at("2026-03-04T00:00:00Z"),
                &FetchFacts {
                    failed: true,
                    ..FetchFacts::default()
                },
            )
            .unwrap();
        let last = state.last_fetch(feed).unwrap().unwrap();
        assert_eq!((last.items, last.http_status), (Some(10), None));
        assert_eq!(state.last_fetch("other").unwrap(), None);
    }

    #[test]
    fn history_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(dir.path()).unwrap();
        let feed = "https://ex.org/feed";
        let start = at("2025-01-01T12:00:00Z");
        for day in 0..(KEEP_DAYS as u64 + 100) {
            let now = start + chrono::Days::new(day);
            state
                .record_fetch(feed, now, &FetchFacts::default())
                .unwrap();
        }
        let days = state.feed_days(feed, date("2000-01-01")).unwrap();
        assert_eq!(days.len() as i64, KEEP_DAYS);
        let last = start + chrono::Days::new(KEEP_DAYS as u64 + 99);
        assert_eq!(days.last().unwrap().day, last.date_naive());
    }

    #[test]
    fn a_schema_4_state_learns_its_history_from_its_items() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(super::super::STATE_FILE);
        let today = Utc::now().date_naive();
        let day = |ago: u64| day_text(today - chrono::Days::new(ago));
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch(super::super::schema::SCHEMA).unwrap();
            conn.execute_batch("PRAGMA user_version = 4").unwrap();
            let insert = |key: &str, feed: &str, imported: &str, image: Option<bool>| {
                conn.execute(
                    "INSERT INTO items (key, feed, source_url, imported_at, has_image) VALUES (?1, ?2, ?1, ?3, ?4)",
                    params![key, feed, format!("{imported}T10:00:00Z"), image],
                )
                .unwrap();
            };
            insert("a1", "https://a/", &day(2), Some(true));
            insert("a2", "https://a/", &day(2), Some(false));
            insert("a3", "https://a/", &day(40), Some(true));
            // Older than the kept days: counted in all, not per day.
            insert("a4", "https://a/", &day(KEEP_DAYS as u64 + 5), Some(true));
            // Found in the content folder: no feed.
            insert("f1", "", &day(1), None);
        }
        let state = State::open(dir.path()).unwrap();
        let days = state
            .feed_days("https://a/", today - chrono::Days::new(1000))
            .unwrap();
        let summary: Vec<(String, u64, u64, u64)> = days
            .iter()
            .map(|d| (day_text(d.day), d.articles, d.with_image, d.fetches))
            .collect();
        assert_eq!(summary, [(day(40), 1, 1, 0), (day(2), 2, 1, 0)]);
        assert_eq!(
            state
                .last_fetch("https://a/")
                .unwrap()
                .unwrap()
                .articles_total,
            4
        );
        assert_eq!(state.last_fetch("").unwrap(), None);
        // Upgraded once: a second opening changes nothing, and `status`
        // reads it.
        state
            .record(&ImportRecord {
                key: "a5",
                feed: "https://a/",
                source_url: "a5",
                permalink: None,
                path: None,
                imported_at: "2026-01-01T00:00:00Z",
                has_image: None,
                shared_link: false,
                hashes: None,
            })
            .unwrap();
        drop(state);
        let state = State::open(dir.path()).unwrap();
        assert_eq!(
            state
                .last_fetch("https://a/")
                .unwrap()
                .unwrap()
                .articles_total,
            4
        );
        assert!(State::open_existing(dir.path()).unwrap().is_some());
    }
}
