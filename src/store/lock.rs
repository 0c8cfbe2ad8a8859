//! One run at a time: an exclusive lock on a file in `state_dir`, holding
//! the pid of its owner so that a second run can say who holds it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::error::StoreError;

const LOCK_FILE: &str = "run.lock";

/// Held for as long as the run lasts; the lock goes with the process, even
/// when it is killed.
#[derive(Debug)]
pub(crate) struct RunLock {
    _file: File,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum LockError {
    #[error("another feedimport run{} holds {path}; try again later, or use --wait", holder_text(*.pid))]
    Held { path: PathBuf, pid: Option<u32> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn holder_text(pid: Option<u32>) -> String {
    pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
}

/// Takes the lock, or fails at once when another run holds it.
pub(crate) fn try_lock(state_dir: &Path) -> Result<RunLock, LockError> {
    let (path, mut file) = open(state_dir)?;
    match file.try_lock() {
        Ok(()) => claim(&path, file),
        Err(TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            Err(LockError::Held {
                path,
                pid: text.trim().parse().ok(),
            })
        }
        Err(TryLockError::Error(source)) => Err(StoreError::Io { path, source }.into()),
    }
}

/// Takes the lock, waiting for the run that holds it to end.
pub(crate) fn lock_waiting(state_dir: &Path) -> Result<RunLock, LockError> {
    let (path, file) = open(state_dir)?;
    file.lock().map_err(|source| StoreError::Io {
        path: path.clone(),
        source,
    })?;
    claim(&path, file)
}

fn open(state_dir: &Path) -> Result<(PathBuf, File), StoreError> {
    std::fs::create_dir_all(state_dir).map_err(|source| StoreError::Io {
        path: state_dir.to_path_buf(),
        source,
    })?;
    let path = state_dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|source| StoreError::Io {
            path: path.clone(),
            source,
        })?;
    Ok((path, file))
}

/// Writes our pid into the lock file we now hold.
fn claim(path: &Path, mut file: File) -> Result<RunLock, LockError> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    file.set_len(0).map_err(io)?;
    file.rewind().map_err(io)?;
    write!(file, "{}", std::process::id()).map_err(io)?;
    Ok(RunLock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let held = try_lock(dir.path()).unwrap();
        match try_lock(dir.path()) {
            Err(LockError::Held { pid, .. }) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("expected Held, got {other:?}"),
        }
        drop(held);
        assert!(try_lock(dir.path()).is_ok());
    }
}
