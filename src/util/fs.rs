//! File-system steps that both the state and the files need: making a
//! folder's new entries durable, and saying why a path cannot be written.
//!
//! In: a folder, or a path refused to us. Out: its entries flushed to disk
//! (failing with the system's error), or the advice an operator needs when
//! the path belongs to another user (never failing).

use std::fs::File;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Flushes a folder's entries (new names) to disk.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// When `error` is a refusal to touch `path` and the reason is that it (or
/// the nearest folder of it that exists) belongs to another user: what to
/// do, as a clause to put after the path (`" (… belongs to root …)"`).
/// Empty for any other error: a run as root once, then as the service
/// user, is the usual way there, and the system's "Permission denied" does
/// not say it.
pub(crate) fn ownership_advice(path: &Path, error: &io::Error) -> String {
    if error.kind() != io::ErrorKind::PermissionDenied {
        return String::new();
    }
    let me = rustix::process::geteuid().as_raw();
    let Some((owned, owner, mode)) = nearest_existing(path).map(|p| {
        let meta = std::fs::metadata(&p).ok();
        let owner = meta.as_ref().map_or(me, |m| m.uid());
        let mode = meta.as_ref().map_or(0, |m| m.mode() & 0o7777);
        (p, owner, mode)
    }) else {
        return String::new();
    };
    let subject = if owned == path {
        "it".to_string()
    } else {
        owned.display().to_string()
    };
    if owner == me {
        return format!(
            " ({subject} belongs to {}, mode {mode:04o}, and is not writable: `chmod u+w {}`)",
            user_name(me),
            owned.display()
        );
    }
    // The highest folder above it that the same other user owns: what a
    // run as that user created, and what to give back.
    let mut top = owned.clone();
    while let Some(parent) = top.parent() {
        match std::fs::metadata(parent) {
            Ok(meta) if meta.uid() == owner && parent != Path::new("/") => {
                top = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let (them, us) = (user_name(owner), user_name(me));
    format!(
        " ({subject} belongs to {them}, mode {mode:04o}, and feedimport runs as {us}: was it run once as {them}? Give the files back with `sudo chown -R {us} {}`, or run feedimport as {them})",
        top.display()
    )
}

/// `path` if it exists, else its nearest ancestor that does.
fn nearest_existing(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .find(|p| !p.as_os_str().is_empty() && std::fs::symlink_metadata(p).is_ok())
        .map(Path::to_path_buf)
}

/// The name `/etc/passwd` gives a user id, else `uid N`.
pub(crate) fn user_name(uid: u32) -> String {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    passwd
        .lines()
        .find_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?;
            let id: u32 = fields.nth(1)?.parse().ok()?;
            (id == uid && !name.is_empty()).then(|| name.to_string())
        })
        .unwrap_or_else(|| format!("uid {uid}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_refusal_gets_advice() {
        let dir = tempfile::tempdir().unwrap();
        let missing = io::Error::from(io::ErrorKind::NotFound);
        assert_eq!(ownership_advice(dir.path(), &missing), "");
        // Our own folder, refused all the same (its mode): chmod, not chown.
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        let advice = ownership_advice(&dir.path().join("a/b.md"), &denied);
        assert!(
            advice.contains(&format!("{} belongs to", dir.path().display()))
                && advice.contains("`chmod u+w"),
            "{advice}"
        );
    }

    #[test]
    fn user_names_come_from_the_password_file() {
        assert_eq!(user_name(0), "root");
        assert_eq!(user_name(4_000_000_000), "uid 4000000000");
    }
}
