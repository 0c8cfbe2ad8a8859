//! What feedimport remembers and what it writes: the import state (SQLite)
//! and the article files.
//!
//! In: paths from the config. Out: answers to "was this item imported?",
//! "is this permalink taken?", and files written atomically without ever
//! replacing an existing one. Fails with [`StoreError`], which names the file
//! or folder that is unusable.

mod files;
mod lock;
mod state;

pub use files::{
    FrontMatterRef, Staging, WriteOutcome, link_staged, read_front_matter, remove_stale_temp_files,
    sync_dir, write_new_file,
};
pub use lock::{LockError, RunLock, lock_waiting, try_lock};
pub use state::{ArticleCounts, FeedRecord, ImportRecord, State};

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("state database {path}: {message}")]
    State { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}
