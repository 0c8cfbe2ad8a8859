//! `forget`: items removed from the state, so that the next run imports
//! them again (an article deleted by mistake).
//!
//! In: what the user named (an article's `sourceUrl`, or its file: relative
//! to the current folder or to the content folder, or absolute inside the
//! content folder). Out: per name, the items forgotten (or that would be,
//! in a dry run); the files are left as they are. Fails with
//! [`ForgetError`]: a name that is neither (bad usage), the lock, the state.

use std::path::{Component, Path, PathBuf};

use url::Url;

use crate::config::Config;
use crate::output::ReadBack;
use crate::store::{ForgetTarget, Forgotten, LockError, State, StoreError, try_lock};

/// Why nothing was forgotten.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ForgetError {
    /// Named neither a URL nor a file in the content folder.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Locked(LockError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One name given to `forget`, and the items it named.
#[derive(Debug)]
pub(crate) struct ForgetOutcome {
    pub(crate) name: String,
    pub(crate) items: Vec<Forgotten>,
    /// The named file is still in the content folder: the next run finds it
    /// there and adopts it, so it is not written again until deleted.
    pub(crate) file_still_there: Option<PathBuf>,
}

/// What `name` designates: an http(s) URL is a `sourceUrl`; anything else
/// is an article's file (`.md`), which must lie in the content folder. A
/// relative name is looked for from the current folder, then (when no
/// such file is there) from the content folder.
pub(crate) fn target_of(
    name: &str,
    cwd: &Path,
    content_dir: &Path,
    read_back: &ReadBack,
) -> Result<(ForgetTarget, Option<PathBuf>), String> {
    if let Ok(url) = Url::parse(name.trim())
        && matches!(url.scheme(), "http" | "https")
    {
        return Ok((ForgetTarget::SourceUrl(name.trim().to_string()), None));
    }
    let given = Path::new(name);
    let from_cwd = normalize(&cwd.join(given));
    let candidates = if given.is_absolute() || from_cwd.symlink_metadata().is_ok() {
        vec![from_cwd]
    } else {
        vec![from_cwd, normalize(&content_dir.join(given))]
    };
    let neither = || {
        format!(
            "`{name}` is neither an article's http(s) sourceUrl nor an article file (.md) in the content folder {}",
            content_dir.display()
        )
    };
    if given
        .extension()
        .and_then(|e| e.to_str())
        .is_none_or(|e| !crate::output::ARTICLE_EXTENSIONS.contains(&e))
    {
        return Err(neither());
    }
    let content_dirs = [
        normalize(content_dir),
        std::fs::canonicalize(content_dir).unwrap_or_else(|_| normalize(content_dir)),
    ];
    for candidate in &candidates {
        for dir in &content_dirs {
            if let Ok(relative) = candidate.strip_prefix(dir)
                && relative.components().next().is_some()
            {
                let path = candidate.clone();
                let source_url = crate::write::found::source_url_of(&path, read_back);
                let exists = path.symlink_metadata().is_ok().then_some(path);
                return Ok((
                    ForgetTarget::File {
                        path: relative.to_string_lossy().into_owned(),
                        source_url,
                    },
                    exists,
                ));
            }
        }
    }
    Err(neither())
}

/// `path` without `.` and with each `..` taken back, without looking at the
/// disk (the file may be deleted already).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Forgets the items `names` designate (all checked first: one bad name
/// and nothing is forgotten). Under the run lock; a dry run takes no lock
/// and changes nothing.
pub(crate) fn forget(
    config: &Config,
    names: &[String],
    dry_run: bool,
) -> Result<Vec<ForgetOutcome>, ForgetError> {
    let cwd = std::env::current_dir().map_err(|source| StoreError::Io {
        path: PathBuf::from("."),
        source,
    })?;
    // Where the outputs keep the source URL (the default preset's key when
    // a template cannot be compiled: `check` names that).
    let read_back = super::open::compile_outputs(config)
        .map(|outputs| outputs.read_back)
        .unwrap_or_default();
    let targets = names
        .iter()
        .map(|name| target_of(name, &cwd, &config.content_dir, &read_back))
        .collect::<Result<Vec<_>, _>>()
        .map_err(ForgetError::Usage)?;
    let _lock = if dry_run {
        None
    } else {
        Some(try_lock(&config.state_dir).map_err(|e| match e {
            LockError::Store(e) => ForgetError::Store(e),
            held => ForgetError::Locked(held),
        })?)
    };
    let state = if dry_run {
        State::open_in_memory_copy(&config.state_dir)?
    } else {
        State::open(&config.state_dir)?
    };
    let (targets, files): (Vec<ForgetTarget>, Vec<Option<PathBuf>>) = targets.into_iter().unzip();
    let items = if dry_run {
        targets
            .iter()
            .map(|t| state.items_named(t))
            .collect::<Result<Vec<_>, _>>()?
    } else {
        state.forget(&targets)?
    };
    Ok(names
        .iter()
        .zip(items)
        .zip(files)
        .map(|((name, items), file)| ForgetOutcome {
            name: name.clone(),
            file_still_there: file.filter(|_| !items.is_empty()),
            items,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_urls_or_files_in_the_content_folder() {
        let site = tempfile::tempdir().unwrap();
        let content = site.path().join("content");
        std::fs::create_dir_all(content.join("papers")).unwrap();
        std::fs::write(
            content.join("papers/a.md"),
            "---\nsourceUrl: \"https://ex.org/a\"\n---\n",
        )
        .unwrap();
        let url = target_of(
            "https://ex.org/a?x=1",
            site.path(),
            &content,
            &ReadBack::default(),
        )
        .unwrap();
        assert_eq!(
            url.0,
            ForgetTarget::SourceUrl("https://ex.org/a?x=1".into())
        );
        let file = |path: &str, url: Option<&str>| ForgetTarget::File {
            path: path.into(),
            source_url: url.map(Into::into),
        };
        // Relative to the current folder, to the content folder, absolute.
        for (name, cwd) in [
            ("content/papers/a.md", site.path().to_path_buf()),
            ("papers/a.md", site.path().to_path_buf()),
            ("a.md", content.join("papers")),
            ("./content/x/../papers/a.md", site.path().to_path_buf()),
        ] {
            let (target, exists) = target_of(name, &cwd, &content, &ReadBack::default()).unwrap();
            assert_eq!(
                target,
                file("papers/a.md", Some("https://ex.org/a")),
                "{name}"
            );
            assert!(exists.is_some(), "{name}");
        }
        let absolute = content.join("papers/a.md");
        let (target, _) = target_of(
            absolute.to_str().unwrap(),
            Path::new("/"),
            &content,
            &ReadBack::default(),
        )
        .unwrap();
        assert_eq!(target, file("papers/a.md", Some("https://ex.org/a")));
        // A file already deleted: known by its path alone.
        let (target, exists) = target_of(
            "papers/gone.md",
            site.path(),
            &content,
            &ReadBack::default(),
        )
        .unwrap();
        assert_eq!(target, file("papers/gone.md", None));
        assert_eq!(exists, None);
        // Outside the content folder, or the folder itself: bad usage.
        std::fs::write(site.path().join("notes.md"), "mine").unwrap();
        for (bad, cwd) in [
            ("/etc/passwd", &content),
            ("../outside.md", &content),
            ("feeds.toml/../../x.md", &content),
            ("", &content),
            ("papers", &content),
            ("papers/a.txt", &content),
            // A file of that name where the user is, outside the content
            // folder: never taken for one inside it.
            ("notes.md", &site.path().to_path_buf()),
        ] {
            let err = target_of(bad, cwd, &content, &ReadBack::default()).unwrap_err();
            assert!(
                err.contains("neither an article's http(s) sourceUrl"),
                "{bad}: {err}"
            );
        }
    }
}
