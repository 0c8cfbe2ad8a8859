//! The bytes going out: an article file created atomically and never over
//! another (staged, then linked into place), a file replaced whole (the
//! metrics file, the health page, `feeds.toml`), and the temporary files a
//! killed run left cleared.
//!
//! In: a folder, a name and bytes. Out: the file, or "already exists".
//! Fails with the system's error; a file half written is never left under
//! its name.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// What happened to a file we meant to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteOutcome {
    Written,
    /// A file of that name exists; it was left as it is.
    AlreadyExists,
}

/// Writes `contents` to `dir/name` atomically: a temporary file in the
/// section's staging folder, flushed to disk, then linked into place only if
/// no file of that name exists. A crash leaves either no file or the whole
/// file, and an existing file (an editor's edit) is never replaced.
pub(crate) fn write_new_file(dir: &Path, name: &str, contents: &[u8]) -> io::Result<WriteOutcome> {
    let target = dir.join(name);
    if target.symlink_metadata().is_ok() {
        return Ok(WriteOutcome::AlreadyExists);
    }
    let staging = Staging::open(dir)?;
    let mut temp = temp_builder().tempfile_in(&staging.dir)?;
    temp.write_all(contents)?;
    temp.as_file().sync_data()?;
    match temp.persist_noclobber(&target) {
        Ok(_) => Ok(WriteOutcome::Written),
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Ok(WriteOutcome::AlreadyExists),
        Err(e) => Err(e.error),
    }
}

/// Where files wait before they get their names: `.feedimport-staging/`
/// in the section folder (the same file system, so linking a file into
/// place is atomic). The folder is removed when the `Staging` is dropped
/// and it is empty; one that a killed run left behind is cleared by the
/// next run ([`remove_stale_temp_files`]), which therefore looks at that
/// folder only, however many articles the section holds.
pub(crate) struct Staging {
    dir: PathBuf,
}

const STAGING_DIR: &str = ".feedimport-staging";

impl Staging {
    /// Creates (or reuses) the staging folder of section folder `dir`.
    pub(crate) fn open(dir: &Path) -> io::Result<Staging> {
        let staging = dir.join(STAGING_DIR);
        create_staging_dir(&staging)?;
        Ok(Staging { dir: staging })
    }

    /// Writes `contents` to a new temporary file, not yet flushed and not
    /// yet visible under its final name: see [`sync`](Self::sync) and
    /// [`link_staged`]. Dropped, it deletes itself.
    ///
    /// A run keeps its staging folder open from feed to feed; a file
    /// written on its own ([`write_new_file`]) in the same folder may have
    /// removed it meanwhile, and it is then made again.
    pub(crate) fn stage(&self, contents: &[u8]) -> io::Result<tempfile::TempPath> {
        let mut temp = match temp_builder().tempfile_in(&self.dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                create_staging_dir(&self.dir)?;
                temp_builder().tempfile_in(&self.dir)?
            }
            temp => temp?,
        };
        temp.write_all(contents)?;
        Ok(temp.into_temp_path())
    }

    /// Flushes the staged files to disk before they get their names, so
    /// that a name never points at a file whose bytes are not on disk yet.
    /// One `syncfs` for the whole batch on Linux (one journal commit instead
    /// of one per file); elsewhere, each file.
    pub(crate) fn sync(&self, staged: &[tempfile::TempPath]) -> io::Result<()> {
        if staged.is_empty() {
            return Ok(());
        }
        #[cfg(target_os = "linux")]
        {
            rustix::fs::syncfs(File::open(&self.dir)?)?;
            Ok(())
        }
        #[cfg(not(target_os = "linux"))]
        {
            for path in staged {
                File::open(path)?.sync_all()?;
            }
            Ok(())
        }
    }
}

/// Creates the staging folder `staging`, or checks that it is one.
fn create_staging_dir(staging: &Path) -> io::Result<()> {
    match std::fs::create_dir(staging) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            if !staging.symlink_metadata()?.is_dir() {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "{} is in the way of feedimport's staging folder: move it away",
                        staging.display()
                    ),
                ));
            }
        }
        Err(e) => return Err(e),
    }
    Ok(())
}

impl Drop for Staging {
    fn drop(&mut self) {
        // Fails, harmlessly, while a staged file is still there.
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// Temporary files that become articles. tempfile creates its files 0600,
/// which a web server or a site generator running as another user cannot
/// read; an article is created as an editor's file would be: 0666, which
/// the kernel masks with the process's umask at creation (no umask to read,
/// nothing to race).
fn temp_builder() -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(ARTICLE_MODE));
    }
    builder
}

/// The mode an article file is created with, before the umask.
#[cfg(unix)]
const ARTICLE_MODE: u32 = 0o666;

/// Temporary files are `.feedimport-XXXXXX.tmp`: hidden, and recognisable
/// when a killed run leaves one behind.
const TEMP_PREFIX: &str = ".feedimport-";
const TEMP_SUFFIX: &str = ".tmp";

/// Gives a staged file its final name, unless a file of that name exists
/// (then the staged file is deleted and nothing is replaced).
pub(crate) fn link_staged(staged: tempfile::TempPath, target: &Path) -> io::Result<WriteOutcome> {
    match staged.persist_noclobber(target) {
        Ok(()) => Ok(WriteOutcome::Written),
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Ok(WriteOutcome::AlreadyExists),
        Err(e) => Err(e.error),
    }
}

/// Deletes the temporary files a killed run left in the staging folder of
/// section folder `dir`, and the folder. Call only while holding the run
/// lock: no other run can be writing them.
pub(crate) fn remove_stale_temp_files(dir: &Path) -> io::Result<usize> {
    let staging = dir.join(STAGING_DIR);
    let entries = match std::fs::read_dir(&staging) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(TEMP_PREFIX)
            && name.ends_with(TEMP_SUFFIX)
            && entry.file_type()?.is_file()
        {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    let _ = std::fs::remove_dir(&staging);
    Ok(removed)
}

/// Writes `text` to a temporary file beside `path` (named `prefix…tmp`,
/// so that a collector or a web server reading the folder skips it), then
/// renames it over `path`: a reader sees the old file or the new one,
/// never half of one. The folder is created when missing; the file is
/// 0666 less the umask, readable by the other users that serve it.
pub(crate) fn replace_file(path: &Path, text: &str, prefix: &str) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix).suffix(TEMP_SUFFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(ARTICLE_MODE));
    }
    let mut file = builder.tempfile_in(dir)?;
    file.write_all(text.as_bytes())?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            write_new_file(dir.path(), "a.md", b"one").unwrap(),
            WriteOutcome::Written
        );
        assert_eq!(
            write_new_file(dir.path(), "a.md", b"two").unwrap(),
            WriteOutcome::AlreadyExists
        );
        assert_eq!(std::fs::read(dir.path().join("a.md")).unwrap(), b"one");
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.md"]);
    }

    /// Article files take 0666 less the umask, as an editor's would. The
    /// umask belongs to the whole process, so this reads it from the file
    /// a plain `File::create` makes next to them instead of setting it.
    #[cfg(unix)]
    #[test]
    fn article_files_take_the_mode_an_editors_file_would() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        File::create(dir.path().join("editor.md")).unwrap();
        let editors = mode(&dir.path().join("editor.md"));
        write_new_file(dir.path(), "a.md", b"one").unwrap();
        assert_eq!(mode(&dir.path().join("a.md")), editors);
        let staging = Staging::open(dir.path()).unwrap();
        let staged = staging.stage(b"two").unwrap();
        link_staged(staged, &dir.path().join("b.md")).unwrap();
        assert_eq!(mode(&dir.path().join("b.md")), editors);
    }

    #[test]
    fn staged_files_are_named_only_when_linked() {
        let dir = tempfile::tempdir().unwrap();
        let staging = Staging::open(dir.path()).unwrap();
        let one = staging.stage(b"one").unwrap();
        let two = staging.stage(b"two").unwrap();
        staging.sync(&[]).unwrap();
        let staged = vec![one, two];
        staging.sync(&staged).unwrap();
        let mut staged = staged.into_iter();
        std::fs::write(dir.path().join("b.md"), "editor").unwrap();
        assert_eq!(
            link_staged(staged.next().unwrap(), &dir.path().join("a.md")).unwrap(),
            WriteOutcome::Written
        );
        assert_eq!(
            link_staged(staged.next().unwrap(), &dir.path().join("b.md")).unwrap(),
            WriteOutcome::AlreadyExists
        );
        assert_eq!(std::fs::read(dir.path().join("b.md")).unwrap(), b"editor");
        drop(staging);
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names, ["a.md", "b.md"]);
    }

    /// A run keeps one staging folder for all its feeds; a file written on
    /// its own in the same folder removes the folder when it is done, and
    /// the next file staged makes it again.
    #[test]
    fn a_staging_folder_kept_open_is_made_again_when_removed() {
        let dir = tempfile::tempdir().unwrap();
        let staging = Staging::open(dir.path()).unwrap();
        let one = staging.stage(b"one").unwrap();
        link_staged(one, &dir.path().join("a.md")).unwrap();
        write_new_file(dir.path(), "b.md", b"two").unwrap();
        assert!(!dir.path().join(STAGING_DIR).exists());
        let three = staging.stage(b"three").unwrap();
        staging.sync(std::slice::from_ref(&three)).unwrap();
        link_staged(three, &dir.path().join("c.md")).unwrap();
        assert_eq!(std::fs::read(dir.path().join("c.md")).unwrap(), b"three");
        drop(staging);
        assert!(!dir.path().join(STAGING_DIR).exists());
    }

    #[test]
    fn stale_temp_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let staging = Staging::open(dir.path()).unwrap();
        staging.stage(b"half").unwrap().keep().unwrap();
        drop(staging); // as a killed run leaves it: the folder stays
        assert!(dir.path().join(STAGING_DIR).is_dir());
        std::fs::write(dir.path().join("a.md"), "article").unwrap();
        std::fs::write(dir.path().join(".feedimport-notes"), "not ours").unwrap();
        assert_eq!(remove_stale_temp_files(dir.path()).unwrap(), 1);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        assert!(!dir.path().join(STAGING_DIR).exists());
        assert_eq!(
            remove_stale_temp_files(&dir.path().join("missing")).unwrap(),
            0
        );
    }
}
