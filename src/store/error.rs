//! Why the state or the content folder cannot be used: each error names
//! the file or folder, and keeps the cause (SQLite's, the system's) as its
//! source, with the advice an operator needs.

use std::path::PathBuf;

/// Why the state or the content folder cannot be used. Each names the file
/// or folder; the cause (SQLite's, the system's) is its source.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("state database {}{}", .path.display(), state_advice(.source))]
    State {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// A file at the state's name that is not a feedimport state: empty or
    /// truncated, or an SQLite database without our tables.
    #[error("state database {} is damaged: {reason} ({RECOVERY})", .path.display())]
    Damaged { path: PathBuf, reason: String },
    /// The state's write-ahead log without the database it belongs to:
    /// a new state would take the old one's log for its own.
    #[error(
        "{} is the write-ahead log of a state database that is not there (moved away without its log?): move the log aside too, or put the database back, then run again",
        .path.display()
    )]
    LogWithoutDatabase { path: PathBuf },
    #[error(
        "state database {} was written by a newer feedimport (schema {found}, this one knows {known}); upgrade feedimport",
        .path.display()
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error(
        "state database {} has schema {found}, this feedimport reads {known}: run `feedimport run` once to upgrade it",
        .path.display()
    )]
    OlderSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{}{}", .path.display(), crate::util::fs::ownership_advice(.path, .source))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{} leads out of the content folder (a symbolic link?); refusing to write there",
        .path.display()
    )]
    OutsideContent { path: PathBuf },
    #[error("{}: the names for \"{title}\" kept being taken while it was written", .path.display())]
    NamesTaken { path: PathBuf, title: String },
    #[error("{}: {attempts} articles already use this title on this day", .path.display())]
    TooManySameNames { path: PathBuf, attempts: u32 },
}

/// How to recover from a damaged state (the README says it too).
const RECOVERY: &str =
    "move it aside and run again, and feedimport rebuilds what it needs from the content folder";

/// What to do about a state database that fails this way.
fn state_advice(error: &rusqlite::Error) -> String {
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
            format!(" is damaged ({RECOVERY})")
        }
        Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen) => {
            " cannot be written (check that the folder exists and is writable)".to_string()
        }
        _ => String::new(),
    }
}
