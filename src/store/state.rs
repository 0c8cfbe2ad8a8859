//! The import state: one SQLite database in `state_dir` that records every
//! item ever imported (a tombstone, even after its file is deleted), so that
//! re-runs import nothing twice.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::error::StoreError;
use schema::{SCHEMA, SCHEMA_VERSION, create_schema};

pub(crate) mod activity;

const STATE_FILE: &str = "state.sqlite3";

pub(crate) mod lifecycle;
mod schema;

const FEED_COLUMNS: &str = "url, name, etag, last_modified, last_fetch, last_success, \
     consecutive_failures, last_error, next_due, moved_to";

/// What the state remembers of one feed between runs, under the feed's
/// URL (its identity: names are labels, and may be shared).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FeedRecord {
    /// The feed's identity: its URL (or `file://` URL).
    pub(crate) url: String,
    /// Its name when last fetched, for people.
    pub(crate) name: String,
    pub(crate) etag: Option<String>,
    pub(crate) last_modified: Option<String>,
    pub(crate) last_fetch: Option<DateTime<Utc>>,
    pub(crate) last_success: Option<DateTime<Utc>>,
    pub(crate) consecutive_failures: u32,
    pub(crate) last_error: Option<String>,
    /// Not fetched again before this time (schedule or backoff).
    pub(crate) next_due: Option<DateTime<Utc>>,
    /// The new URL the feed moved to (permanent redirect).
    pub(crate) moved_to: Option<String>,
}

/// Articles imported from one feed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ArticleCounts {
    pub(crate) total: i64,
    pub(crate) recent: i64,
    /// Among `total`, those written with an image.
    pub(crate) with_image: i64,
}

/// One imported item, as the state records it.
#[derive(Debug, Clone)]
pub struct ImportRecord<'a> {
    pub key: &'a str,
    /// The feed's identity (its URL); empty for articles found in the
    /// content folder.
    pub feed: &'a str,
    pub source_url: &'a str,
    pub permalink: Option<&'a str>,
    /// Relative to the content folder.
    pub path: Option<&'a str>,
    pub imported_at: &'a str,
    /// Whether the article was written with an image (unknown for
    /// articles found in the content folder).
    pub has_image: Option<bool>,
    /// The source URL is a link the item shares with others of its feed
    /// (a podcast's home page): it does not identify the item.
    pub shared_link: bool,
    /// The hashes of the item's fields and of the file as written, for
    /// updates (see [`crate::write::updates`]); `None` for files found.
    pub hashes: Option<(&'a str, &'a str)>,
}

/// An open state database.
pub struct State {
    conn: Connection,
    path: PathBuf,
    /// True when the state records no item yet: the content folder must be
    /// read to learn what was imported already.
    fresh: bool,
}

/// Where a new state is built, with its schema, before it takes its name.
const CREATING_SUFFIX: &str = ".creating";

impl State {
    /// Opens (creating when needed) the state in `state_dir`. A file at the
    /// state's name that is not a state (empty, truncated, without our
    /// tables) is damage, never taken for a new state: that would import
    /// again every article an editor deleted.
    pub fn open(state_dir: &Path) -> Result<State, StoreError> {
        std::fs::create_dir_all(state_dir).map_err(|source| StoreError::Io {
            path: state_dir.to_path_buf(),
            source,
        })?;
        let path = state_dir.join(STATE_FILE);
        if exists(&path)? {
            check_header(&path)?;
        } else {
            create(&path)?;
        }
        let conn = Connection::open(&path).map_err(|e| state_error(&path, e))?;
        State::ready(conn, path)
    }

    /// A copy of the state in memory, for a dry run: it answers like the real
    /// one, and whatever is recorded in it is forgotten at the end.
    pub(crate) fn open_in_memory_copy(state_dir: &Path) -> Result<State, StoreError> {
        let path = state_dir.join(STATE_FILE);
        let mut conn = Connection::open_in_memory().map_err(|e| state_error(&path, e))?;
        if exists(&path)? {
            check_header(&path)?;
            conn.restore(
                rusqlite::MAIN_DB,
                &path,
                None::<fn(rusqlite::backup::Progress)>,
            )
            .map_err(|e| state_error(&path, e))?;
        } else {
            refuse_log_without_database(&path)?;
            create_schema(&conn).map_err(|e| state_error(&path, e))?;
        }
        State::ready(conn, path)
    }

    /// Checks that `conn` holds a state (before anything is written to it),
    /// brings it to this version's schema, and learns whether it is fresh.
    fn ready(conn: Connection, path: PathBuf) -> Result<State, StoreError> {
        let fail = |e| state_error(&path, e);
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(fail)?;
        check_tables(&conn, &path)?;
        let mut state = State {
            conn,
            path,
            fresh: false,
        };
        state.prepare()?;
        state.fresh = !state.has_items().map_err(|e| state_error(&state.path, e))?;
        Ok(state)
    }

    /// Whether any item is recorded. A state without any is read from the
    /// content folder: new, or created by a run stopped before it recorded
    /// anything, it knows nothing the folder could contradict.
    fn has_items(&self) -> rusqlite::Result<bool> {
        self.conn
            .query_row("SELECT EXISTS (SELECT 1 FROM items)", [], |row| row.get(0))
    }

    fn prepare(&self) -> Result<(), StoreError> {
        let fail = |e| state_error(&self.path, e);
        // Write-ahead logging: a commit (per group of feeds) costs an append, not a
        // rewritten journal; NORMAL sync keeps the database consistent after
        // a crash (a commit lost to a power cut is healed next run: its files
        // are found by their sourceUrl and adopted).
        self.conn
            .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
            .map_err(fail)?;
        self.set_cache_kib(RUN_CACHE_KIB)?;
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(fail)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: self.path.clone(),
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        if !self.items_have_image_column().map_err(fail)? {
            // Version 1 had no image column; its feeds table is new.
            self.conn
                .execute_batch("ALTER TABLE items ADD COLUMN has_image INTEGER")
                .map_err(fail)?;
        }
        if self.feeds_keyed_by_name().map_err(fail)? {
            // Version 2 kept feeds under their name, and items under their
            // feed's name: both now go by the feed's URL (its identity).
            self.conn
                .execute_batch(&format!(
                    "BEGIN IMMEDIATE;
                     ALTER TABLE feeds RENAME TO feeds_by_name;
                     {SCHEMA}
                     INSERT OR REPLACE INTO feeds ({FEED_COLUMNS}) SELECT {FEED_COLUMNS} FROM feeds_by_name;
                     UPDATE items SET feed = (SELECT url FROM feeds_by_name f WHERE f.name = items.feed)
                         WHERE feed IN (SELECT name FROM feeds_by_name);
                     DROP TABLE feeds_by_name;
                     COMMIT;"
                ))
                .map_err(fail)?;
        }
        if self.items_lack_shared_link().map_err(fail)? {
            // Version 3 took every link as its item's own; its rows keep
            // that reading (NULL).
            self.conn
                .execute_batch("ALTER TABLE items ADD COLUMN shared_link INTEGER")
                .map_err(fail)?;
        }
        // Version 4 kept no history of the feeds (version 5 added it), nor
        // the hashes that updates and `forget` need (version 6), nor the
        // hash of a file being written again (version 7). Each step
        // looks for what it adds, so a state of either is brought up whole.
        schema::upgrade_to_5(&self.conn).map_err(fail)?;
        self.conn.execute_batch(SCHEMA).map_err(fail)?;
        schema::upgrade_to_6(&self.conn).map_err(fail)?;
        schema::upgrade_to_7(&self.conn).map_err(fail)?;
        self.conn
            .execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))
            .map_err(fail)?;
        Ok(())
    }

    /// Whether the items table exists without the `shared_link` column of
    /// schema 4.
    fn items_lack_shared_link(&self) -> rusqlite::Result<bool> {
        self.conn.query_row(
            "SELECT count(*) FILTER (WHERE name = 'key') > 0
                AND count(*) FILTER (WHERE name = 'shared_link') = 0
             FROM pragma_table_info('items')",
            [],
            |row| row.get(0),
        )
    }

    fn items_have_image_column(&self) -> rusqlite::Result<bool> {
        self.conn.query_row(
            "SELECT count(*) FROM pragma_table_info('items') WHERE name = 'has_image'",
            [],
            |row| row.get::<_, i64>(0).map(|n| n > 0),
        )
    }

    /// Whether the feeds table is the one of schema 2, keyed by name.
    fn feeds_keyed_by_name(&self) -> rusqlite::Result<bool> {
        self.conn.query_row(
            "SELECT count(*) FROM pragma_table_info('feeds') WHERE name = 'name' AND pk = 1",
            [],
            |row| row.get::<_, i64>(0).map(|n| n > 0),
        )
    }

    /// True when the state records no item yet (new, or created by a run
    /// stopped before it recorded any): the content folder is to be read.
    pub(crate) fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// Was this item imported before, under its key or (from any feed, or by
    /// an editor's hand) under its source URL? `source_url` is `None` for an
    /// item whose link is not its own (shared with other items of its
    /// feed), and a row's URL counts only where it was the item's own.
    pub(crate) fn is_imported(
        &self,
        key: &str,
        source_url: Option<&str>,
    ) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT 1 FROM items WHERE key = ?1
                 UNION ALL SELECT 1 FROM items
                     WHERE ?2 IS NOT NULL AND source_url = ?2 AND shared_link IS NULL
                 LIMIT 1",
            )
            .and_then(|mut stmt| {
                stmt.query_row(params![key, source_url], |_| Ok(()))
                    .optional()
            })
            .map(|found| found.is_some())
            .map_err(|e| state_error(&self.path, e))
    }

    /// Does an article already use this permalink (even one since deleted)?
    pub(crate) fn permalink_taken(&self, permalink: &str) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached("SELECT 1 FROM items WHERE permalink = ?1 LIMIT 1")
            .and_then(|mut stmt| stmt.query_row([permalink], |_| Ok(())).optional())
            .map(|found| found.is_some())
            .map_err(|e| state_error(&self.path, e))
    }

    /// Records an imported item. Call between [`State::begin`] and
    /// [`State::commit`].
    pub fn record(&self, record: &ImportRecord) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO items (key, feed, source_url, permalink, path, imported_at, has_image, shared_link, source_hash, file_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    record.key,
                    record.feed,
                    record.source_url,
                    record.permalink,
                    record.path,
                    record.imported_at,
                    record.has_image,
                    record.shared_link.then_some(1),
                    record.hashes.map(|h| h.0),
                    record.hashes.map(|h| h.1)
                ])
            })
            .map(|_| ())
            .map_err(|e| state_error(&self.path, e))
    }

    /// What was remembered of the feed whose identity is `url`.
    pub(crate) fn feed_record(&self, url: &str) -> Result<Option<FeedRecord>, StoreError> {
        let parse_time = |text: Option<String>| {
            text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                .map(|t| t.to_utc())
        };
        self.conn
            .prepare_cached(
                "SELECT name, url, etag, last_modified, last_fetch, last_success,
                        consecutive_failures, last_error, next_due, moved_to
                 FROM feeds WHERE url = ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_row([url], |row| {
                    Ok(FeedRecord {
                        name: row.get(0)?,
                        url: row.get(1)?,
                        etag: row.get(2)?,
                        last_modified: row.get(3)?,
                        last_fetch: parse_time(row.get(4)?),
                        last_success: parse_time(row.get(5)?),
                        consecutive_failures: row.get(6)?,
                        last_error: row.get(7)?,
                        next_due: parse_time(row.get(8)?),
                        moved_to: row.get(9)?,
                    })
                })
                .optional()
            })
            .map_err(|e| state_error(&self.path, e))
    }

    /// Saves what to remember of a feed.
    pub(crate) fn save_feed_record(&self, record: &FeedRecord) -> Result<(), StoreError> {
        let time = |t: Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339());
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO feeds (name, url, etag, last_modified, last_fetch, last_success,
                        consecutive_failures, last_error, next_due, moved_to)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    record.name,
                    record.url,
                    record.etag,
                    record.last_modified,
                    time(record.last_fetch),
                    time(record.last_success),
                    record.consecutive_failures,
                    record.last_error,
                    time(record.next_due),
                    record.moved_to,
                ])
            })
            .map(|_| ())
            .map_err(|e| state_error(&self.path, e))
    }

    /// How many articles each feed (by identity) gave, in all and since
    /// `since`, in one pass over the items. Counted here rather than by
    /// `GROUP BY`, which sorts every item by feed first (no index has them
    /// in that order): the time grows with the items, not faster.
    pub(crate) fn article_counts_by_feed(
        &self,
        since: &str,
    ) -> Result<HashMap<String, ArticleCounts>, StoreError> {
        let fail = |e| state_error(&self.path, e);
        let mut stmt = self
            .conn
            .prepare("SELECT feed, imported_at >= ?1, has_image = 1 FROM items")
            .map_err(fail)?;
        let mut rows = stmt.query([since]).map_err(fail)?;
        let mut counts: HashMap<String, ArticleCounts> = HashMap::new();
        while let Some(row) = rows.next().map_err(fail)? {
            let feed = row
                .get_ref(0)
                .and_then(|value| value.as_str().map_err(Into::into))
                .map_err(fail)?;
            let recent = row
                .get::<_, Option<bool>>(1)
                .map_err(fail)?
                .unwrap_or(false);
            let with_image = row
                .get::<_, Option<bool>>(2)
                .map_err(fail)?
                .unwrap_or(false);
            let add = |counts: &mut ArticleCounts| {
                counts.total += 1;
                counts.recent += i64::from(recent);
                counts.with_image += i64::from(with_image);
            };
            match counts.get_mut(feed) {
                Some(feed_counts) => add(feed_counts),
                None => add(counts.entry(feed.to_owned()).or_default()),
            }
        }
        Ok(counts)
    }

    /// Opens an existing state without creating or changing anything
    /// (for `status`). `Ok(None)` when there is no state yet.
    pub(crate) fn open_existing(state_dir: &Path) -> Result<Option<State>, StoreError> {
        let path = state_dir.join(STATE_FILE);
        if !exists(&path)? {
            refuse_log_without_database(&path)?;
            return Ok(None);
        }
        check_header(&path)?;
        let conn = open_read_only(&path)?;
        check_tables(&conn, &path)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| state_error(&path, e))?;
        if version != SCHEMA_VERSION {
            return Err(StoreError::OlderSchema {
                path,
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        Ok(Some(State {
            conn,
            path,
            fresh: false,
        }))
    }

    /// Starts a transaction: what is recorded until [`State::commit`] is
    /// saved together or not at all.
    pub fn begin(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| state_error(&self.path, e))
    }

    /// True between [`State::begin`] and [`State::commit`].
    pub(crate) fn in_transaction(&self) -> bool {
        !self.conn.is_autocommit()
    }

    pub fn commit(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch("COMMIT")
            .map_err(|e| state_error(&self.path, e))
    }

    /// Records the articles found in the content folder (see
    /// [`crate::write::found`]), a chunk at a time: after the state was
    /// lost, nothing there is imported again. Returns how many it recorded.
    ///
    /// Recorded in the order given (path order is key order, so the table
    /// grows at its end) in one transaction with a larger page cache, so
    /// that 100,000 articles take seconds.
    pub(crate) fn record_found_articles(
        &self,
        chunks: impl Iterator<Item = Vec<FoundArticle>>,
        imported_at: &str,
    ) -> Result<usize, StoreError> {
        self.set_cache_kib(RECONCILE_CACHE_KIB)?;
        self.begin()?;
        let mut found = 0;
        for chunk in chunks {
            for article in &chunk {
                let key = format!("file:{}", article.path);
                self.record(&ImportRecord {
                    key: &key,
                    feed: "",
                    source_url: article.source_url.as_deref().unwrap_or(""),
                    permalink: article.permalink.as_deref(),
                    path: Some(&article.path),
                    imported_at,
                    has_image: None,
                    shared_link: false,
                    hashes: None,
                })?;
                found += 1;
            }
        }
        // Articles that share a sourceUrl came from items whose link was not
        // their own: the URL identifies none of them.
        self.conn
            .execute(
                "UPDATE items SET shared_link = 1 WHERE feed = '' AND source_url IN
                     (SELECT source_url FROM items WHERE feed = '' GROUP BY source_url HAVING count(*) > 1)",
                [],
            )
            .map_err(|e| state_error(&self.path, e))?;
        self.commit()?;
        self.set_cache_kib(RUN_CACHE_KIB)?;
        Ok(found)
    }

    fn set_cache_kib(&self, kib: i64) -> Result<(), StoreError> {
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = -{kib}"))
            .map_err(|e| state_error(&self.path, e))
    }
}

/// The page cache (it grows only as pages are used): a group of records
/// spanning several feeds touches pages all over the key and URL indexes,
/// and the default 2 MB would write them out and read them back within the
/// transaction. Larger while a whole content folder is recorded at once.
const RUN_CACHE_KIB: i64 = 32 * 1024;
const RECONCILE_CACHE_KIB: i64 = 64 * 1024;

/// An article file found in the content folder, as its front matter names
/// it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FoundArticle {
    /// Its path relative to the content folder.
    pub(crate) path: String,
    pub(crate) source_url: Option<String>,
    pub(crate) permalink: Option<String>,
}
fn exists(path: &Path) -> Result<bool, StoreError> {
    path.try_exists().map_err(|source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// `path` with `suffix` added to its file name (`state.sqlite3-wal`).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Creates the state at `path`, which does not exist: built under another
/// name with its schema, in one transaction, then renamed into place. So a
/// file at the state's name always has the schema, and one without it
/// (empty, or SQLite's header without tables) is damage, never a run that
/// was stopped halfway: SQLite creates its file on opening, before any
/// transaction, so creating it in place could leave an empty file behind.
/// What a stopped creation left under the other name is removed here (the
/// caller holds the run lock). A state that an older feedimport left empty
/// when it was stopped while creating it is reported as damage, once: moved
/// aside as the message says, the next run rebuilds it.
fn create(path: &Path) -> Result<(), StoreError> {
    refuse_log_without_database(path)?;
    let creating = with_suffix(path, CREATING_SUFFIX);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StoreError::Io { path, source }
    };
    for leftover in ["", "-journal", "-wal", "-shm"] {
        let leftover = with_suffix(&creating, leftover);
        match std::fs::remove_file(&leftover) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&leftover)(e)),
            _ => {}
        }
    }
    {
        // SQLite's default rollback journal and full sync: once the
        // connection is closed, the file holds the schema, on disk.
        let conn = Connection::open(&creating).map_err(|e| state_error(&creating, e))?;
        create_schema(&conn).map_err(|e| state_error(&creating, e))?;
    }
    std::fs::rename(&creating, path).map_err(io(path))?;
    if let Some(dir) = path.parent() {
        crate::util::fs::sync_dir(dir).map_err(io(dir))?;
    }
    Ok(())
}

/// Refuses a write-ahead log left without its database: SQLite would
/// replay it into a new database of the same name.
fn refuse_log_without_database(path: &Path) -> Result<(), StoreError> {
    let log = with_suffix(path, "-wal");
    match std::fs::metadata(&log) {
        Ok(meta) if meta.len() > 0 => Err(StoreError::LogWithoutDatabase { path: log }),
        _ => Ok(()),
    }
}

/// The file at the state's name starts like an SQLite database: an empty
/// or truncated file is damage (SQLite would take an empty file for a new
/// database).
fn check_header(path: &Path) -> Result<(), StoreError> {
    use std::io::Read;
    let mut header = Vec::with_capacity(100);
    std::fs::File::open(path)
        .and_then(|file| file.take(100).read_to_end(&mut header))
        .map_err(|source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    let reason = if header.is_empty() {
        "the file is empty (truncated?)"
    } else if header.len() < 100 || !header.starts_with(b"SQLite format 3\0") {
        "it is not an SQLite database"
    } else {
        return Ok(());
    };
    Err(StoreError::Damaged {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    })
}

/// The database holds feedimport's `items` table (every schema had it):
/// an SQLite file without it is not ours to fill in.
/// Opens the state to read it only, for any user who may read the file
/// (`status`, run by an admin other than the service user). Reading a
/// database in write-ahead-log mode makes SQLite create or lock its index
/// (`-shm`) beside it; where the folder or that index is not ours to write,
/// the file is opened immutable instead: no lock, no index, the database as
/// the last run left it (complete once a run has ended, as SQLite folds the
/// log back in when its last connection closes). A run going on meanwhile
/// is not seen; that is said.
fn open_read_only(path: &Path) -> Result<Connection, StoreError> {
    use rusqlite::OpenFlags;
    let shared =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).and_then(|conn| {
            conn.query_row("SELECT count(*) FROM sqlite_master", [], |row| {
                row.get::<_, i64>(0)
            })?;
            Ok(conn)
        });
    let error = match shared {
        Ok(conn) => return Ok(conn),
        Err(error) => error,
    };
    if !matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen)
    ) {
        return Err(state_error(path, error));
    }
    let mut log = path.as_os_str().to_owned();
    log.push("-wal");
    if std::fs::metadata(&log).is_ok_and(|m| m.len() > 0) {
        tracing::warn!(
            state = %path.display(),
            "the state's folder cannot be written by this user: showing the state as the last finished run left it (a run going on now is not seen)"
        );
    }
    let mut uri = url::Url::from_file_path(path).map_err(|()| state_error(path, error))?;
    uri.set_query(Some("immutable=1"));
    Connection::open_with_flags(
        uri.as_str(),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(|e| state_error(path, e))
}

fn check_tables(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let tables = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .and_then(|mut stmt| {
            stmt.query_map([], |row| row.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(|e| state_error(path, e))?;
    if tables.iter().any(|t| t == "items") {
        return Ok(());
    }
    let reason = if tables.is_empty() {
        "it holds no tables (truncated?)".to_string()
    } else {
        format!(
            "it holds none of feedimport's tables, only {} (another program's database?)",
            tables.join(", ")
        )
    };
    Err(StoreError::Damaged {
        path: path.to_path_buf(),
        reason,
    })
}

pub(super) fn state_error(path: &Path, source: rusqlite::Error) -> StoreError {
    StoreError::State {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::ReadBack;
    use crate::write::found::RECONCILE_CHUNK;

    fn record<'a>(key: &'a str, url: &'a str, permalink: &'a str) -> ImportRecord<'a> {
        ImportRecord {
            key,
            feed: "f",
            source_url: url,
            permalink: Some(permalink),
            path: None,
            imported_at: "2026-01-01T00:00:00Z",
            has_image: Some(true),
            shared_link: false,
            hashes: None,
        }
    }

    #[test]
    fn feed_records_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(dir.path()).unwrap();
        assert_eq!(state.feed_record("https://ex.org/feed").unwrap(), None);
        let now = DateTime::parse_from_rfc3339("2026-01-01T10:00:00Z")
            .unwrap()
            .to_utc();
        let record = FeedRecord {
            name: "A".into(),
            url: "https://ex.org/feed".into(),
            etag: Some("\"v1\"".into()),
            last_modified: Some("Mon, 02 Sep 2024 10:00:00 GMT".into()),
            last_fetch: Some(now),
            last_success: Some(now),
            consecutive_failures: 2,
            last_error: Some("HTTP 503".into()),
            next_due: Some(now + chrono::Duration::hours(1)),
            moved_to: None,
        };
        state.save_feed_record(&record).unwrap();
        assert_eq!(
            state.feed_record("https://ex.org/feed").unwrap(),
            Some(record)
        );
        state.begin().unwrap();
        state.record(&record_for("https://ex.org/feed")).unwrap();
        state
            .record(&ImportRecord {
                key: "k10",
                imported_at: "2025-01-01T00:00:00Z",
                has_image: Some(false),
                shared_link: false,
                hashes: None,
                ..record_for("https://ex.org/feed")
            })
            .unwrap();
        state
            .record(&ImportRecord {
                key: "k11",
                ..record_for("https://ex.org/other")
            })
            .unwrap();
        state.commit().unwrap();
        let counts = state
            .article_counts_by_feed("2025-12-25T00:00:00Z")
            .unwrap();
        assert_eq!(
            counts["https://ex.org/feed"],
            ArticleCounts {
                total: 2,
                recent: 1,
                with_image: 1
            }
        );
        assert_eq!(counts["https://ex.org/other"].total, 1);
        assert_eq!(counts.len(), 2);
    }

    fn record_for(feed: &str) -> ImportRecord<'_> {
        ImportRecord {
            feed,
            ..record("k9", "https://ex.org/z", "/p/z")
        }
    }

    #[test]
    fn remembers_keys_urls_and_permalinks() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(dir.path()).unwrap();
        assert!(state.is_fresh());
        state.begin().unwrap();
        state
            .record(&record("k1", "https://ex.org/a", "/p/a"))
            .unwrap();
        state.commit().unwrap();
        assert!(state.is_imported("k1", Some("https://other")).unwrap());
        assert!(state.is_imported("k2", Some("https://ex.org/a")).unwrap());
        assert!(!state.is_imported("k2", Some("https://ex.org/b")).unwrap());
        assert!(state.permalink_taken("/p/a").unwrap());
        assert!(!state.permalink_taken("/p/b").unwrap());
        drop(state);
        let state = State::open(dir.path()).unwrap();
        assert!(!state.is_fresh());
        assert!(state.is_imported("k1", None).unwrap());
    }

    #[test]
    fn in_memory_copy_forgets() {
        let dir = tempfile::tempdir().unwrap();
        {
            let state = State::open(dir.path()).unwrap();
            state.begin().unwrap();
            state
                .record(&record("k1", "https://ex.org/a", "/p/a"))
                .unwrap();
            state.commit().unwrap();
        }
        let copy = State::open_in_memory_copy(dir.path()).unwrap();
        assert!(copy.is_imported("k1", None).unwrap());
        copy.begin().unwrap();
        copy.record(&record("k2", "https://ex.org/b", "/p/b"))
            .unwrap();
        copy.commit().unwrap();
        drop(copy);
        let state = State::open(dir.path()).unwrap();
        assert!(!state.is_imported("k2", None).unwrap());
    }

    #[test]
    fn reconcile_finds_every_article_across_read_chunks() {
        let content = tempfile::tempdir().unwrap();
        let articles = RECONCILE_CHUNK + 5;
        for (section, range) in [
            ("papers", 0..articles - 2),
            ("news", articles - 2..articles),
        ] {
            let dir = content.path().join(section);
            std::fs::create_dir_all(&dir).unwrap();
            for n in range {
                std::fs::write(
                    dir.join(format!("a-{n}.md")),
                    format!("---\ntitle: \"{n}\"\nsourceUrl: \"https://ex.org/{n}\"\npermalink: \"/{section}/a-{n}\"\n---\n\nbody\n"),
                )
                .unwrap();
            }
        }
        // Not articles: no front matter, not Markdown, hidden.
        std::fs::write(content.path().join("papers/notes.md"), "just notes\n").unwrap();
        std::fs::write(
            content.path().join("papers/a.txt"),
            "---\nsourceUrl: x\n---\n",
        )
        .unwrap();
        std::fs::create_dir(content.path().join("papers/.drafts")).unwrap();
        std::fs::write(
            content.path().join("papers/.drafts/d.md"),
            "---\nsourceUrl: \"https://ex.org/draft\"\n---\n",
        )
        .unwrap();

        let dir = tempfile::tempdir().unwrap();
        let state = State::open(dir.path()).unwrap();
        assert!(state.is_fresh());
        let found = crate::write::found::learn_from_content(
            &state,
            content.path(),
            &ReadBack::default(),
            "2026-01-01T00:00:00Z",
        )
        .unwrap();
        assert_eq!(found, articles);
        for n in [
            0,
            RECONCILE_CHUNK - 1,
            RECONCILE_CHUNK,
            articles - 3,
            articles - 1,
        ] {
            assert!(
                state
                    .is_imported("", Some(&format!("https://ex.org/{n}")))
                    .unwrap(),
                "{n}"
            );
        }
        assert!(
            state
                .permalink_taken(&format!("/news/a-{}", articles - 1))
                .unwrap()
        );
        assert!(!state.is_imported("", Some("https://ex.org/draft")).unwrap());
        assert!(!state.is_imported("", Some("x")).unwrap());
    }

    #[test]
    fn a_shared_link_identifies_no_item_and_reconcile_finds_shared_ones() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(dir.path()).unwrap();
        state.begin().unwrap();
        let home = "https://show.example.org/";
        state
            .record(&ImportRecord {
                shared_link: true,
                hashes: None,
                ..record("episode-1", home, "/papers/e1")
            })
            .unwrap();
        state
            .record(&record(
                "story",
                "https://news.example.org/story",
                "/papers/s",
            ))
            .unwrap();
        state.commit().unwrap();
        assert!(state.is_imported("episode-1", None).unwrap());
        assert!(!state.is_imported("episode-2", Some(home)).unwrap());
        assert!(
            state
                .is_imported("elsewhere", Some("https://news.example.org/story"))
                .unwrap()
        );

        // After the state is lost: two files with one sourceUrl came from
        // items whose link was shared; a lone one identifies its item.
        let content = tempfile::tempdir().unwrap();
        let article = |name: &str, url: &str| {
            std::fs::write(
                content.path().join(name),
                format!("---\nsourceUrl: \"{url}\"\npermalink: \"/papers/{name}\"\n---\n"),
            )
            .unwrap();
        };
        article("e1.md", home);
        article("e2.md", home);
        article("s.md", "https://news.example.org/story");
        let fresh = tempfile::tempdir().unwrap();
        let state = State::open(fresh.path()).unwrap();
        assert_eq!(
            crate::write::found::learn_from_content(
                &state,
                content.path(),
                &ReadBack::default(),
                "2026-01-01T00:00:00Z"
            )
            .unwrap(),
            3
        );
        assert!(!state.is_imported("episode-3", Some(home)).unwrap());
        assert!(
            state
                .is_imported("story-again", Some("https://news.example.org/story"))
                .unwrap()
        );
    }

    #[test]
    fn a_schema_2_state_keyed_by_feed_name_is_upgraded() {
        let dir = tempfile::tempdir().unwrap();
        {
            let conn = Connection::open(dir.path().join(STATE_FILE)).unwrap();
            conn.execute_batch(
                "CREATE TABLE items (key TEXT PRIMARY KEY, feed TEXT NOT NULL, source_url TEXT NOT NULL,
                     permalink TEXT, path TEXT, imported_at TEXT NOT NULL, has_image INTEGER) WITHOUT ROWID;
                 CREATE INDEX items_by_feed ON items (feed, imported_at);
                 CREATE TABLE feeds (name TEXT PRIMARY KEY, url TEXT NOT NULL, etag TEXT,
                     last_modified TEXT, last_fetch TEXT, last_success TEXT,
                     consecutive_failures INTEGER NOT NULL DEFAULT 0, last_error TEXT,
                     next_due TEXT, moved_to TEXT) WITHOUT ROWID;
                 INSERT INTO feeds (name, url, etag, consecutive_failures) VALUES ('News', 'https://ex.org/feed', '\"v1\"', 2);
                 INSERT INTO items VALUES ('k1', 'News', 'https://ex.org/a', '/p/a', 'p/a.md', '2026-01-01T00:00:00Z', 1);
                 INSERT INTO items VALUES ('k2', '', 'https://ex.org/b', '/p/b', 'p/b.md', '2026-01-01T00:00:00Z', NULL);
                 PRAGMA user_version = 2;",
            )
            .unwrap();
        }
        let state = State::open(dir.path()).unwrap();
        let record = state.feed_record("https://ex.org/feed").unwrap().unwrap();
        assert_eq!(
            (
                record.name.as_str(),
                record.etag.as_deref(),
                record.consecutive_failures
            ),
            ("News", Some("\"v1\""), 2)
        );
        let counts = state
            .article_counts_by_feed("2025-01-01T00:00:00Z")
            .unwrap();
        assert_eq!(counts["https://ex.org/feed"].total, 1);
        assert_eq!(counts[""].total, 1);
        assert!(state.is_imported("k1", None).unwrap());
        // Rows from before schema 4 took every link as their item's own.
        assert!(
            state
                .is_imported("other", Some("https://ex.org/a"))
                .unwrap()
        );
        drop(state);
        // Upgraded once: opened again, nothing changes; `status` reads it.
        State::open(dir.path()).unwrap();
        assert!(State::open_existing(dir.path()).unwrap().is_some());
    }

    /// What each way of opening says about the state in `dir`.
    fn open_all_ways(dir: &Path) -> Vec<Result<bool, String>> {
        vec![
            State::open(dir)
                .map(|s| s.is_fresh())
                .map_err(|e| e.to_string()),
            State::open_in_memory_copy(dir)
                .map(|s| s.is_fresh())
                .map_err(|e| e.to_string()),
            State::open_existing(dir)
                .map(|s| s.is_some_and(|s| s.is_fresh()))
                .map_err(|e| e.to_string()),
        ]
    }

    #[test]
    fn a_file_that_is_not_a_state_is_damage_and_left_as_it_is() {
        let sqlite = |sql: &str| {
            let dir = tempfile::tempdir().unwrap();
            let conn = Connection::open(dir.path().join(STATE_FILE)).unwrap();
            conn.execute_batch(sql).unwrap();
            drop(conn);
            std::fs::read(dir.path().join(STATE_FILE)).unwrap()
        };
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("empty", Vec::new(), "the file is empty"),
            ("a few bytes", b"SQLite".to_vec(), "not an SQLite database"),
            (
                "header, no tables",
                sqlite("CREATE TABLE t (x); DROP TABLE t;"),
                "no tables",
            ),
            (
                "header, no tables, WAL",
                sqlite("PRAGMA journal_mode = WAL; CREATE TABLE t (x); DROP TABLE t;"),
                "no tables",
            ),
            (
                "another program's",
                sqlite("CREATE TABLE notes (x); CREATE TABLE tags (y);"),
                "only notes, tags",
            ),
        ];
        for (what, bytes, reason) in cases {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join(STATE_FILE), &bytes).unwrap();
            for (way, result) in open_all_ways(dir.path()).into_iter().enumerate() {
                let err = result.expect_err(what);
                assert!(
                    err.contains(STATE_FILE)
                        && err.contains("is damaged")
                        && err.contains(reason)
                        && err.contains("move it aside"),
                    "{what}, way {way}: {err}"
                );
            }
            assert_eq!(
                std::fs::read(dir.path().join(STATE_FILE)).unwrap(),
                bytes,
                "{what}: changed"
            );
        }
    }

    #[test]
    fn a_log_without_its_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("state.sqlite3-wal"), b"frames").unwrap();
        for (way, result) in open_all_ways(dir.path()).into_iter().enumerate() {
            let err = result.expect_err("refused");
            assert!(err.contains("state.sqlite3-wal"), "way {way}: {err}");
        }
        assert!(!dir.path().join(STATE_FILE).exists());
        // An empty log holds nothing to replay.
        std::fs::write(dir.path().join("state.sqlite3-wal"), b"").unwrap();
        assert!(State::open(dir.path()).unwrap().is_fresh());
    }

    #[test]
    fn a_state_whose_creation_was_stopped_is_created_again() {
        let dir = tempfile::tempdir().unwrap();
        // Stopped while it was built under its other name.
        std::fs::write(dir.path().join("state.sqlite3.creating"), b"").unwrap();
        std::fs::write(dir.path().join("state.sqlite3.creating-journal"), b"x").unwrap();
        let state = State::open(dir.path()).unwrap();
        assert!(state.is_fresh());
        drop(state);
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [STATE_FILE]);
        // Stopped after it took its name, before it recorded anything: still
        // fresh, so the content folder is read again.
        assert!(State::open(dir.path()).unwrap().is_fresh());
        assert!(State::open_in_memory_copy(dir.path()).unwrap().is_fresh());
        assert!(State::open_existing(dir.path()).unwrap().is_some());
    }

    #[test]
    fn corrupt_state_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(STATE_FILE),
            b"this is not sqlite, just some text that is long enough",
        )
        .unwrap();
        let err = State::open(dir.path())
            .err()
            .expect("must fail")
            .to_string();
        assert!(err.contains(STATE_FILE) && err.contains("damaged"), "{err}");
    }
}
