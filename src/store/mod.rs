//! What feedimport remembers: the import state (one SQLite database in
//! `state_dir`) and the run lock beside it. The files themselves are
//! written by [`crate::write`].
//!
//! In: the state folder. Out: answers to "was this item imported?", "is
//! this permalink taken?", each feed's record and activity, and the lock
//! that keeps one run at a time. Fails with [`StoreError`], which names the
//! file or folder that is unusable.

mod error;
mod lock;
mod state;

pub use error::StoreError;

pub(crate) use lock::{LockError, RunLock, lock_waiting, try_lock};
pub(crate) use state::activity::{Day, FetchFacts, LastFetch};
pub(crate) use state::lifecycle::{ForgetTarget, Forgotten, StoredItem};
pub(crate) use state::{ArticleCounts, FeedRecord, FoundArticle};
pub use state::{ImportRecord, State};
