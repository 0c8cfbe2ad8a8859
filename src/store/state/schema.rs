//! The state's SQLite schema: the tables of this version, and the steps
//! that bring a state written by an older feedimport up to it.
//!
//! In: a connection. Out: the tables, created or upgraded, in one
//! transaction per step (a stopped step leaves the version before it).
//! Fails with SQLite's error.

use rusqlite::Connection;

/// The version this feedimport writes (SQLite's `user_version`).
pub(super) const SCHEMA_VERSION: i64 = 7;

/// Days of history kept per feed (a year and a month: a chart of the last
/// 90 days, and a year to compare with).
pub(crate) const KEEP_DAYS: i64 = 400;

/// Items are looked up by key, source URL and permalink, so those are
/// indexed; the per-feed counts of `status` come from one pass over the
/// table instead of an index every import would have to keep up (a fifth of
/// the time a first import of 3,000 feeds spent in the state).
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS items (
    key         TEXT PRIMARY KEY,
    feed        TEXT NOT NULL,
    source_url  TEXT NOT NULL,
    permalink   TEXT,
    path        TEXT,
    imported_at TEXT NOT NULL,
    has_image   INTEGER,
    shared_link INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_by_source_url ON items (source_url);
CREATE INDEX IF NOT EXISTS items_by_permalink ON items (permalink);
DROP INDEX IF EXISTS items_by_feed;
CREATE TABLE IF NOT EXISTS feeds (
    url                  TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    etag                 TEXT,
    last_modified        TEXT,
    last_fetch           TEXT,
    last_success         TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_error           TEXT,
    next_due             TEXT,
    moved_to             TEXT
) WITHOUT ROWID;
";

/// The tables of schema 5. `feed` and `url` are the feed's identity (its
/// URL), as in `feeds` and `items`.
pub(super) const HISTORY_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS feed_days (
    feed       TEXT NOT NULL,
    day        TEXT NOT NULL,
    articles   INTEGER NOT NULL DEFAULT 0,
    with_image INTEGER NOT NULL DEFAULT 0,
    fetches    INTEGER NOT NULL DEFAULT 0,
    failures   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (feed, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS feed_fetches (
    url            TEXT PRIMARY KEY,
    articles_total INTEGER NOT NULL DEFAULT 0,
    items          INTEGER,
    http_status    INTEGER,
    bytes          INTEGER,
    duration_ms    INTEGER
) WITHOUT ROWID;
";

/// The step to schema 5, on a state of schema 4 or older (one without the
/// history tables): creates them and learns what the items already say,
/// each feed's articles in all and per day over the kept days (fetches and
/// failures were not recorded before, and start at zero). One
/// transaction: a stopped upgrade leaves schema 4, upgraded next time.
pub(super) fn upgrade_to_5(conn: &Connection) -> rusqlite::Result<()> {
    let present: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'feed_days'",
        [],
        |row| row.get(0),
    )?;
    if present {
        return Ok(());
    }
    conn.execute_batch(&format!(
        "BEGIN IMMEDIATE;
         {HISTORY_SCHEMA}
         INSERT INTO feed_days (feed, day, articles, with_image)
             SELECT feed, substr(imported_at, 1, 10), count(*), coalesce(sum(has_image = 1), 0)
             FROM items
             WHERE feed <> '' AND substr(imported_at, 1, 10) >= date('now', '-{KEEP_DAYS} days')
             GROUP BY feed, substr(imported_at, 1, 10);
         INSERT INTO feed_fetches (url, articles_total)
             SELECT feed, count(*) FROM items WHERE feed <> '' GROUP BY feed;
         COMMIT;"
    ))
}

/// Schema 6, a step of its own: each item's two hashes (NULL for items
/// imported before it, which are therefore never rewritten), and the page
/// each feed's backfill resumes from. Run on a new state and on every
/// older one; does nothing on a state that has them.
pub(super) fn upgrade_to_6(conn: &Connection) -> rusqlite::Result<()> {
    let has_hashes: bool = conn.query_row(
        "SELECT count(*) > 0 FROM pragma_table_info('items') WHERE name = 'source_hash'",
        [],
        |row| row.get(0),
    )?;
    if !has_hashes {
        conn.execute_batch(
            "ALTER TABLE items ADD COLUMN source_hash TEXT;
             ALTER TABLE items ADD COLUMN file_hash TEXT;",
        )?;
    }
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS backfill (
            feed      TEXT PRIMARY KEY,
            next_page TEXT NOT NULL
        ) WITHOUT ROWID;",
    )
}

/// Schema 7: the hash of a file being written again (an update), kept from
/// before its rename until its new hashes are recorded, so that a run
/// killed in between finds the file as either the one written before or
/// the one being written, and knows both as its own (see
/// [`crate::write::updates`]). Does nothing on a state that has it.
pub(super) fn upgrade_to_7(conn: &Connection) -> rusqlite::Result<()> {
    let has_pending: bool = conn.query_row(
        "SELECT count(*) > 0 FROM pragma_table_info('items') WHERE name = 'pending_hash'",
        [],
        |row| row.get(0),
    )?;
    if !has_pending {
        conn.execute_batch("ALTER TABLE items ADD COLUMN pending_hash TEXT;")?;
    }
    Ok(())
}

/// This version's schema, in one transaction.
pub(super) fn create_schema(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(&format!("BEGIN IMMEDIATE; {SCHEMA} {}", HISTORY_SCHEMA))?;
    upgrade_to_6(conn)?;
    upgrade_to_7(conn)?;
    conn.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"))
}
