//! Why a run (or a backfill) stopped before its end: the config, the lock,
//! the state or the content folder, the HTTP client, a template.

use crate::config::{ConfigError, FeedChoiceError};
use crate::fetch::FetchError;
use crate::output::OutputError;
use crate::store::{LockError, StoreError};
use crate::write::WriteError;

/// Why a run stopped before its end.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RunError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A feed named on the command line is not in the config as asked.
    #[error(transparent)]
    FeedChoice(#[from] FeedChoiceError),
    /// Another run holds the lock.
    #[error(transparent)]
    Locked(LockError),
    #[error("cannot wait for the other run to end")]
    LockWait(#[source] tokio::task::JoinError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot start the HTTP client")]
    Client(#[source] FetchError),
    /// A template cannot work: exit 2, like a bad config.
    #[error(transparent)]
    Output(OutputError),
}

impl From<WriteError> for RunError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::Store(e) => RunError::Store(e),
            WriteError::Output(e) => RunError::Output(e),
        }
    }
}

impl From<LockError> for RunError {
    fn from(error: LockError) -> Self {
        match error {
            LockError::Store(e) => RunError::Store(e),
            held => RunError::Locked(held),
        }
    }
}
