//! What feedimport remembers and what it writes: the import state (SQLite)
//! and the article files.
//!
//! In: paths from the config. Out: answers to "was this item imported?",
//! "is this permalink taken?", and files written atomically without ever
//! replacing an existing one. Fails with [`StoreError`], which names the file
//! or folder that is unusable.

mod error;
mod lock;
mod state;

pub use error::StoreError;

pub(crate) use lock::{LockError, RunLock, lock_waiting, try_lock};
pub(crate) use state::history::{Day, FetchFacts, LastFetch};
pub(crate) use state::lifecycle::{ForgetTarget, Forgotten, StoredItem};
pub(crate) use state::{ArticleCounts, FeedRecord, FoundArticle};
pub use state::{ImportRecord, State};
