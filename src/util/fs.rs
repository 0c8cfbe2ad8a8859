//! The one file-system step that both the state and the files need: making
//! a folder's new entries durable.
//!
//! In: a folder. Out: its entries flushed to disk. Fails with the system's
//! error.

use std::fs::File;
use std::io;
use std::path::Path;

/// Flushes a folder's entries (new names) to disk.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}
