//! Opening a run: everything a run holds before it fetches anything.
//!
//! In: the config and whether the run is a dry run or waits for the lock.
//! Out: an [`OpenRun`]: the output templates, compiled and tried on sample
//! articles; the run lock (none for a dry run, which changes nothing); the
//! state (an in-memory copy for a dry run), learnt from the content folder
//! when it is new; and the run's one HTTP client. On the way, the temporary
//! files a killed run left are cleared. Fails with [`RunError`]: a template
//! cannot work, the lock is held or cannot be taken, the state or a folder
//! cannot be used, the HTTP client cannot start.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::error::RunError;
use crate::config::Config;
use crate::fetch::Fetcher;
use crate::output::Outputs;
use crate::store::{RunLock, State, StoreError, lock_waiting, try_lock};
use crate::write::files::remove_stale_temp_files;
use crate::write::timestamp;

/// What a run holds from start to end.
pub(super) struct OpenRun {
    /// Held until the run ends; `None` for a dry run.
    _lock: Option<RunLock>,
    pub(super) outputs: Outputs,
    pub(super) state: State,
    pub(super) fetcher: Fetcher,
}

/// Compiles the templates, takes the lock, clears what a killed run left,
/// opens the state and starts the HTTP client.
pub(super) async fn open_run(
    config: &Config,
    dry_run: bool,
    wait: bool,
    now: DateTime<Utc>,
) -> Result<OpenRun, RunError> {
    // Before anything is taken or written: a template that cannot work
    // stops the run here.
    let outputs = compile_outputs(config)?;
    let lock = if dry_run {
        None
    } else {
        let lock = take_lock(config, wait).await?;
        // Under the lock: what a killed run left half-done is ours to clear.
        clear_stale_files(config)?;
        Some(lock)
    };
    let state = open_state(config, &outputs, dry_run, now)?;
    let fetcher = Fetcher::new(&config.fetch).map_err(RunError::Client)?;
    Ok(OpenRun {
        _lock: lock,
        outputs,
        state,
        fetcher,
    })
}

/// The outputs of every feed of the config (a run of some feeds still
/// reads back the articles of all of them).
pub(crate) fn compile_outputs(config: &Config) -> Result<Outputs, RunError> {
    Outputs::compile(
        config.feeds.iter().map(|f| (f.name.as_str(), &f.output)),
        config.timezone,
    )
    .map_err(RunError::Output)
}

/// The run lock, now (another run holds it: [`RunError::Locked`]) or once
/// the other run ends.
async fn take_lock(config: &Config, wait: bool) -> Result<RunLock, RunError> {
    if !wait {
        return Ok(try_lock(&config.state_dir)?);
    }
    let dir = config.state_dir.clone();
    let lock = tokio::task::spawn_blocking(move || lock_waiting(&dir))
        .await
        .map_err(RunError::LockWait)?;
    Ok(lock?)
}

/// Removes the temporary files a killed run left in the content folder
/// (and in the section folders, where earlier versions staged them).
fn clear_stale_files(config: &Config) -> Result<(), StoreError> {
    let sections: BTreeSet<&str> = config.feeds.iter().map(|f| f.section.as_str()).collect();
    let folders = std::iter::once(config.content_dir.clone())
        .chain(sections.into_iter().map(|s| config.section_dir(s)));
    for dir in folders {
        match remove_stale_temp_files(&dir) {
            Ok(0) => {}
            Ok(removed) => {
                tracing::info!(folder = %dir.display(), removed, "removed temporary files left by an interrupted run")
            }
            Err(source) => return Err(StoreError::Io { path: dir, source }),
        }
    }
    Ok(())
}

/// The state, or for a dry run an in-memory copy of it. A new state learns
/// the articles already in the content folder, so that they are not
/// imported again.
pub(super) fn open_state(
    config: &Config,
    outputs: &Outputs,
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<State, StoreError> {
    let state = if dry_run {
        State::open_in_memory_copy(&config.state_dir)?
    } else {
        State::open(&config.state_dir)?
    };
    if state.is_fresh() {
        let found = crate::write::found::learn_from_content(
            &state,
            &config.content_dir,
            &outputs.read_back,
            &timestamp(now),
        )?;
        if found > 0 {
            tracing::info!(
                found,
                "no import state yet: articles already in the content folder will not be imported again"
            );
        }
    }
    Ok(state)
}
