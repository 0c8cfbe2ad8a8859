//! What the state keeps for an item's life after its import: the hashes
//! that tell whether it changed at its source and whether its file was
//! touched since it was written (updates), forgetting items so that the
//! next run imports them again, and where an interrupted backfill resumes.
//!
//! In: an open [`State`]. Out: stored items, forgotten items, backfill
//! bookmarks. Fails with [`StoreError`] naming the state file.

use rusqlite::{OptionalExtension, params};

use super::{State, state_error};
use crate::store::error::StoreError;

/// An item of a feed as imported, for its update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredItem {
    pub(crate) permalink: String,
    /// Relative to the content folder.
    pub(crate) path: String,
    /// The hash of the item's fields as the feed gave them when last written.
    pub(crate) source_hash: String,
    /// The hash of the file as it was written.
    pub(crate) file_hash: String,
    /// The hash of the file an update was writing when its run stopped
    /// before recording it: the file may be that one too.
    pub(crate) pending_hash: Option<String>,
}

/// What `forget` is given: an article's source URL, or its file (relative
/// to the content folder) with the source URL its front matter names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ForgetTarget {
    SourceUrl(String),
    File {
        path: String,
        source_url: Option<String>,
    },
}

/// One item removed from the state (or that would be, in a dry run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Forgotten {
    pub(crate) source_url: String,
    pub(crate) path: Option<String>,
    /// The feed's identity; empty for an article found in the content folder.
    pub(crate) feed: String,
}

impl State {
    /// The item `key` of feed `feed`, when it was written by a version
    /// that kept its hashes (items imported before, or adopted from a file
    /// an interrupted run left, have none: `None`).
    pub(crate) fn stored_item(
        &self,
        key: &str,
        feed: &str,
    ) -> Result<Option<StoredItem>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT permalink, path, source_hash, file_hash, pending_hash FROM items
                 WHERE key = ?1 AND feed = ?2 AND permalink IS NOT NULL AND path IS NOT NULL
                     AND source_hash IS NOT NULL AND file_hash IS NOT NULL",
            )
            .and_then(|mut stmt| {
                stmt.query_row(params![key, feed], |row| {
                    Ok(StoredItem {
                        permalink: row.get(0)?,
                        path: row.get(1)?,
                        source_hash: row.get(2)?,
                        file_hash: row.get(3)?,
                        pending_hash: row.get(4)?,
                    })
                })
                .optional()
            })
            .map_err(|e| state_error(&self.path, e))
    }

    /// Notes that item `key`'s file is about to be replaced by one whose
    /// hash is `pending_hash`: committed before the rename, so that after a
    /// crash at any moment the file on disk is one of the two hashes kept.
    pub(crate) fn record_pending_hash(
        &self,
        key: &str,
        pending_hash: &str,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("UPDATE items SET pending_hash = ?2 WHERE key = ?1")
            .and_then(|mut stmt| stmt.execute(params![key, pending_hash]))
            .map(|_| ())
            .map_err(|e| state_error(&self.path, e))
    }

    /// Keeps the hashes of item `key` as last written (`file_hash` `None`:
    /// the file was left as it was, only the source's new version is
    /// noted), and forgets a pending one: the file is now known.
    pub(crate) fn record_hashes(
        &self,
        key: &str,
        source_hash: &str,
        file_hash: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE items SET source_hash = ?2, file_hash = coalesce(?3, file_hash), pending_hash = NULL
                 WHERE key = ?1",
            )
            .and_then(|mut stmt| stmt.execute(params![key, source_hash, file_hash]))
            .map(|_| ())
            .map_err(|e| state_error(&self.path, e))
    }

    /// The items `target` names.
    pub(crate) fn items_named(&self, target: &ForgetTarget) -> Result<Vec<Forgotten>, StoreError> {
        let (path, url) = match target {
            ForgetTarget::SourceUrl(url) => (None, Some(url.as_str())),
            ForgetTarget::File { path, source_url } => (Some(path.as_str()), source_url.as_deref()),
        };
        let mut found: Vec<Forgotten> = Vec::new();
        // Without a URL, the path alone; with one, each of its spellings.
        let spellings = url.map_or_else(
            || vec![None],
            |url| spellings(url).into_iter().map(Some).collect(),
        );
        for url in spellings {
            for item in self.items_at(path, url.as_deref())? {
                if !found.contains(&item) {
                    found.push(item);
                }
            }
        }
        Ok(found)
    }

    fn items_at(
        &self,
        path: Option<&str>,
        url: Option<&str>,
    ) -> Result<Vec<Forgotten>, StoreError> {
        let fail = |e| state_error(&self.path, e);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT source_url, path, feed FROM items
                 WHERE (?1 IS NOT NULL AND path = ?1) OR (?2 IS NOT NULL AND source_url = ?2)
                 ORDER BY key",
            )
            .map_err(fail)?;
        let rows = stmt
            .query_map(params![path, url], |row| {
                Ok(Forgotten {
                    source_url: row.get(0)?,
                    path: row.get(1)?,
                    feed: row.get(2)?,
                })
            })
            .map_err(fail)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(fail)
    }

    /// Removes the items `targets` name, in one transaction, and the
    /// validators and schedule of their feeds, so that the next run
    /// fetches them in full (a 304 would hide the items) and imports the
    /// items again. An item found in the content folder has no feed: every
    /// feed's validators go. Returns what was removed, per target.
    pub(crate) fn forget(
        &self,
        targets: &[ForgetTarget],
    ) -> Result<Vec<Vec<Forgotten>>, StoreError> {
        let fail = |e| state_error(&self.path, e);
        self.begin()?;
        let mut all = Vec::with_capacity(targets.len());
        for target in targets {
            let items = self.items_named(target)?;
            for item in &items {
                self.conn
                    .prepare_cached(
                        "DELETE FROM items WHERE source_url = ?1 AND path IS ?2 AND feed = ?3",
                    )
                    .and_then(|mut stmt| {
                        stmt.execute(params![item.source_url, item.path, item.feed])
                    })
                    .map_err(fail)?;
                self.conn
                    .prepare_cached(
                        "UPDATE feeds SET etag = NULL, last_modified = NULL, next_due = NULL
                         WHERE ?1 = '' OR url = ?1",
                    )
                    .and_then(|mut stmt| stmt.execute([&item.feed]))
                    .map_err(fail)?;
            }
            all.push(items);
        }
        self.commit()?;
        Ok(all)
    }

    /// The page `feed`'s interrupted or cut-short backfill resumes from.
    pub(crate) fn backfill_next(&self, feed: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .prepare_cached("SELECT next_page FROM backfill WHERE feed = ?1")
            .and_then(|mut stmt| stmt.query_row([feed], |row| row.get(0)).optional())
            .map_err(|e| state_error(&self.path, e))
    }

    /// Notes the page `feed`'s backfill goes on from (`None`: the history
    /// was read to its end).
    pub(crate) fn set_backfill_next(
        &self,
        feed: &str,
        next_page: Option<&str>,
    ) -> Result<(), StoreError> {
        let result = match next_page {
            Some(page) => self
                .conn
                .prepare_cached("INSERT OR REPLACE INTO backfill (feed, next_page) VALUES (?1, ?2)")
                .and_then(|mut stmt| stmt.execute([feed, page])),
            None => self
                .conn
                .prepare_cached("DELETE FROM backfill WHERE feed = ?1")
                .and_then(|mut stmt| stmt.execute([feed])),
        };
        result.map(|_| ()).map_err(|e| state_error(&self.path, e))
    }
}

/// The spellings of a source URL the state may hold: the link as the feed
/// gave it (recorded by a run), and as the front matter writes it (inert,
/// with `(`, `)`, `[`, `]` and `'` percent-encoded; recorded from the
/// content folder). The user may give either.
fn spellings(url: &str) -> Vec<String> {
    let mut spellings = vec![url.to_string()];
    let mut push = |spelling: String| {
        if !spellings.contains(&spelling) {
            spellings.push(spelling);
        }
    };
    push(crate::util::escape::inert_url(url).into_owned());
    let mut plain = url.to_string();
    for (encoded, character) in [
        ("%28", "("),
        ("%29", ")"),
        ("%5B", "["),
        ("%5D", "]"),
        ("%27", "'"),
    ] {
        plain = plain.replace(encoded, character);
    }
    push(plain);
    spellings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ImportRecord;

    fn record(state: &State, key: &str, feed: &str, url: &str, path: &str) {
        state
            .record(&ImportRecord {
                key,
                feed,
                source_url: url,
                permalink: Some(&format!("/p/{key}")),
                path: Some(path),
                imported_at: "2026-01-01T00:00:00Z",
                has_image: Some(false),
                shared_link: false,
                hashes: None,
            })
            .unwrap();
    }

    #[test]
    fn a_schema_4_state_gains_the_hashes_and_keeps_its_items_unhashed() {
        let dir = tempfile::tempdir().unwrap();
        {
            let conn = rusqlite::Connection::open(dir.path().join("state.sqlite3")).unwrap();
            conn.execute_batch(&format!(
                "{} PRAGMA user_version = 4;
                 INSERT INTO items (key, feed, source_url, permalink, path, imported_at)
                 VALUES ('k', 'https://ex.org/feed', 'https://ex.org/a', '/p/a', 'p/a.md', '2026-01-01T00:00:00Z');",
                super::super::schema::SCHEMA
            ))
            .unwrap();
        }
        let state = State::open(dir.path()).unwrap();
        let version: i64 = state
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, super::super::schema::SCHEMA_VERSION);
        // An item imported before the migration is never rewritten.
        assert_eq!(state.stored_item("k", "https://ex.org/feed").unwrap(), None);
        state.record_hashes("k", "s1", Some("f1")).unwrap();
        assert_eq!(
            state.stored_item("k", "https://ex.org/feed").unwrap(),
            Some(StoredItem {
                permalink: "/p/a".into(),
                path: "p/a.md".into(),
                source_hash: "s1".into(),
                file_hash: "f1".into(),
                pending_hash: None,
            })
        );
        // Left alone: the source's new version is noted, the file's kept.
        state.record_hashes("k", "s2", None).unwrap();
        assert_eq!(
            state
                .stored_item("k", "https://ex.org/feed")
                .unwrap()
                .unwrap()
                .file_hash,
            "f1"
        );
        // Opened again: the step does nothing twice.
        drop(state);
        State::open(dir.path()).unwrap();
    }

    #[test]
    fn forgetting_removes_the_items_and_their_feeds_validators() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(dir.path()).unwrap();
        state.begin().unwrap();
        record(
            &state,
            "a",
            "https://ex.org/feed",
            "https://ex.org/a",
            "p/a.md",
        );
        record(
            &state,
            "b",
            "https://ex.org/feed",
            "https://ex.org/b",
            "p/b.md",
        );
        record(&state, "file:p/c.md", "", "https://ex.org/c", "p/c.md");
        state.commit().unwrap();
        for url in ["https://ex.org/feed", "https://other.org/feed"] {
            state
                .save_feed_record(&crate::store::FeedRecord {
                    url: url.into(),
                    name: "F".into(),
                    etag: Some("\"v1\"".into()),
                    last_modified: Some("yesterday".into()),
                    next_due: Some(chrono::Utc::now()),
                    ..Default::default()
                })
                .unwrap();
        }
        let forgotten = state
            .forget(&[ForgetTarget::SourceUrl("https://ex.org/a".into())])
            .unwrap();
        assert_eq!(forgotten[0].len(), 1);
        assert!(!state.is_imported("a", Some("https://ex.org/a")).unwrap());
        assert!(state.is_imported("b", Some("https://ex.org/b")).unwrap());
        let feed = state.feed_record("https://ex.org/feed").unwrap().unwrap();
        assert_eq!(
            (feed.etag, feed.last_modified, feed.next_due),
            (None, None, None)
        );
        let other = state
            .feed_record("https://other.org/feed")
            .unwrap()
            .unwrap();
        assert!(other.etag.is_some(), "another feed's validators stay");

        // By file: an item found in the content folder has no feed, so
        // every feed's validators go.
        let forgotten = state
            .forget(&[ForgetTarget::File {
                path: "p/c.md".into(),
                source_url: None,
            }])
            .unwrap();
        assert_eq!(forgotten[0][0].source_url, "https://ex.org/c");
        assert!(
            !state
                .is_imported("file:p/c.md", Some("https://ex.org/c"))
                .unwrap()
        );
        let other = state
            .feed_record("https://other.org/feed")
            .unwrap()
            .unwrap();
        assert_eq!(other.etag, None);

        // Named as the front matter writes it, or as the feed gave it.
        state.begin().unwrap();
        record(
            &state,
            "p",
            "https://ex.org/feed",
            "https://ex.org/a_(b)'c",
            "p/p.md",
        );
        record(
            &state,
            "file:p/q.md",
            "",
            "https://ex.org/q%28x%29",
            "p/q.md",
        );
        state.commit().unwrap();
        let forgotten = state
            .forget(&[
                ForgetTarget::SourceUrl("https://ex.org/a_%28b%29%27c".into()),
                ForgetTarget::SourceUrl("https://ex.org/q(x)".into()),
            ])
            .unwrap();
        assert_eq!(forgotten[0].len(), 1);
        assert_eq!(forgotten[1].len(), 1);

        // Unknown: nothing named, nothing changed.
        let forgotten = state
            .forget(&[ForgetTarget::SourceUrl("https://ex.org/zzz".into())])
            .unwrap();
        assert!(forgotten[0].is_empty());
        assert!(state.is_imported("b", None).unwrap());
    }

    #[test]
    fn a_backfill_bookmark_is_kept_until_the_history_ends() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(dir.path()).unwrap();
        assert_eq!(state.backfill_next("f").unwrap(), None);
        state
            .set_backfill_next("f", Some("https://ex.org/feed?paged=3"))
            .unwrap();
        assert_eq!(
            state.backfill_next("f").unwrap().as_deref(),
            Some("https://ex.org/feed?paged=3")
        );
        state.set_backfill_next("f", None).unwrap();
        assert_eq!(state.backfill_next("f").unwrap(), None);
    }
}
