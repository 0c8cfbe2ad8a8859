//! Updates of untouched articles (`update = "untouched"`).
//!
//! In: a feed's items imported before whose fields changed at the source
//! (told by [`source_hash`], kept in the state with each item), built again
//! into articles. Out: each file written again in place, atomically, when
//! it is still byte for byte what feedimport wrote (its [`file_hash`] is in
//! the state too); a file an editor touched, or deleted, is left alone and
//! named. The path and the permalink stay the ones first written, even
//! when the title's slug changed; so do the dates of an item without a
//! date (the time of its first import). Fails with [`StoreError`] when the
//! content folder or the state cannot be written.

use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::config::FeedConfig;
use crate::extract::{DateSource, ItemDraft};
use crate::render::render;
use crate::store::{Staging, StoreError, StoredItem, sync_dir};
use crate::write::{NewArticle, WriteContext};

/// The hash of what an article takes from its item: title, summary, link,
/// images and (when the feed gives one) date. An item without a date is
/// given the time of the run, which is no change at the source.
pub(crate) fn source_hash(draft: &ItemDraft) -> String {
    let mut hasher = Sha256::new();
    let date = (draft.date_source != DateSource::FirstImport).then(|| draft.date.to_rfc3339());
    let url = |u: Option<&url::Url>| u.map(url::Url::as_str).unwrap_or("").to_string();
    for field in [
        draft.title.clone(),
        draft.summary.clone(),
        draft.source_url.to_string(),
        url(draft.declared_image.as_ref()),
        url(draft.content_image.as_ref()),
        date.unwrap_or_default(),
    ] {
        // Length-prefixed, so that no two different lists of fields hash
        // the same bytes.
        hasher.update((field.len() as u64).to_le_bytes());
        hasher.update(field.as_bytes());
    }
    hex(&hasher.finalize())
}

/// The hash of a file's bytes.
pub(crate) fn file_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What became of one changed item's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rewrite {
    /// Written again with the source's new version (or would be, in a dry run).
    Rewritten,
    /// The new version renders to the same file: nothing to write.
    Same,
    /// Changed since it was written (an editor): left alone.
    Edited,
    /// Deleted since it was written: left deleted.
    Missing,
}

/// What updating a feed's changed items did: the paths (relative to the
/// config file's folder) written again and left alone.
#[derive(Debug, Default)]
pub(crate) struct Updated {
    pub(crate) rewritten: Vec<String>,
    pub(crate) left_alone: Vec<String>,
}

/// Writes again each changed item's file that nobody touched, and keeps
/// its new hashes.
pub(crate) fn update_untouched(
    context: &WriteContext,
    feed: &FeedConfig,
    changed: Vec<(NewArticle, StoredItem)>,
) -> Result<Updated, StoreError> {
    let mut updated = Updated::default();
    for (item, stored) in changed {
        let Some(path) = inside(&context.config.content_dir, &stored.path) else {
            tracing::warn!(feed = %feed.name, path = %stored.path, "the state names a file outside the content folder: not updated");
            continue;
        };
        let shown = path
            .strip_prefix(&context.config.base_dir)
            .unwrap_or(&path)
            .display()
            .to_string();
        let old = match std::fs::read(&path) {
            Ok(old) => Some(old),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => return Err(StoreError::Io { path, source }),
        };
        let text = old
            .as_deref()
            .filter(|old| file_hash(old) == stored.file_hash)
            .map(|old| render_in_place(&item, &stored, old));
        let outcome =
            rewrite_if_untouched(&path, &stored.file_hash, text.as_deref(), context.dry_run)
                .map_err(|source| StoreError::Io {
                    path: path.clone(),
                    source,
                })?;
        let hash = source_hash(&item.draft);
        let written = text.as_deref().map(|t| file_hash(t.as_bytes()));
        match outcome {
            Rewrite::Rewritten => {
                tracing::info!(feed = %feed.name, path = %shown, "{}", if context.dry_run { "would update" } else { "updated" });
                updated.rewritten.push(shown);
            }
            Rewrite::Same => {}
            Rewrite::Edited | Rewrite::Missing => {
                tracing::warn!(
                    feed = %feed.name,
                    path = %shown,
                    "changed at the source, left alone: the file was {} since it was written",
                    if outcome == Rewrite::Edited { "edited" } else { "deleted" }
                );
                updated.left_alone.push(shown);
            }
        }
        if !context.dry_run {
            // The source's new version is noted either way, so that a file
            // left alone is named once, not at every run.
            let file = (outcome == Rewrite::Rewritten).then_some(written).flatten();
            context
                .state
                .record_hashes(&item.draft.key, &hash, file.as_deref())?;
        }
    }
    Ok(updated)
}

/// `relative` (from the state) under `content_dir`, when it stays there.
fn inside(content_dir: &Path, relative: &str) -> Option<PathBuf> {
    let relative = Path::new(relative);
    relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| content_dir.join(relative))
}

/// The dates the file was first written with: kept for an item without a
/// date, whose date is the time of its first import.
#[derive(Deserialize)]
struct WrittenDates {
    date: String,
    #[serde(rename = "publishedDate")]
    published_date: String,
}

/// The file `item` renders to now, under the permalink it was first
/// written with. `old` is that file, untouched.
fn render_in_place(item: &NewArticle, stored: &StoredItem, old: &[u8]) -> String {
    let mut article = item.article.clone();
    article.permalink = stored.permalink.clone();
    if item.draft.date_source == DateSource::FirstImport
        && let Some(dates) = written_dates(old)
    {
        article.date = dates.date;
        article.published_date = dates.published_date;
    }
    render(&article)
}

fn written_dates(old: &[u8]) -> Option<WrittenDates> {
    let text = std::str::from_utf8(old).ok()?;
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    serde_yaml::from_str(&rest[..=end]).ok()
}

/// Writes `text` over the file at `path` when the file's hash is still
/// `written_hash` (`text` is `None` when it was not, or the file is gone).
/// The new file is staged beside it with its mode, flushed, then renamed
/// over it: a crash leaves the old file or the new one, whole. A symbolic
/// link is never written through.
pub(crate) fn rewrite_if_untouched(
    path: &Path,
    written_hash: &str,
    text: Option<&str>,
    dry_run: bool,
) -> std::io::Result<Rewrite> {
    let meta = match path.symlink_metadata() {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Rewrite::Missing),
        Err(e) => return Err(e),
    };
    if !meta.is_file() {
        return Ok(Rewrite::Edited);
    }
    let old = std::fs::read(path)?;
    if file_hash(&old) != written_hash {
        return Ok(Rewrite::Edited);
    }
    let Some(text) = text else {
        return Ok(Rewrite::Edited);
    };
    if old == text.as_bytes() {
        return Ok(Rewrite::Same);
    }
    if dry_run {
        return Ok(Rewrite::Rewritten);
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let staging = Staging::open(dir)?;
    let staged = staging.stage(text.as_bytes())?;
    {
        let file = std::fs::File::open(&staged)?;
        file.set_permissions(meta.permissions())?;
        file.sync_all()?;
    }
    staged.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)?;
    Ok(Rewrite::Rewritten)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn draft() -> ItemDraft {
        ItemDraft {
            key: "k".into(),
            title: "A title".into(),
            date: DateTime::parse_from_rfc3339("2024-09-02T10:00:00Z")
                .unwrap()
                .to_utc(),
            date_source: DateSource::Published,
            summary: "A summary.".into(),
            source_url: url::Url::parse("https://ex.org/a").unwrap(),
            link_identifies: true,
            declared_image: None,
            content_image: None,
            categories: vec!["x".into()],
        }
    }

    #[test]
    fn the_source_hash_changes_with_every_field_an_article_takes() {
        let base = source_hash(&draft());
        assert_eq!(base, source_hash(&draft()), "stable");
        assert_eq!(base.len(), 64);
        let changes: [fn(&mut ItemDraft); 7] = [
            |d| d.title = "A new title".into(),
            |d| d.summary = "A fixed summary.".into(),
            |d| d.source_url = url::Url::parse("https://ex.org/b").unwrap(),
            |d| d.declared_image = url::Url::parse("https://ex.org/i.jpg").ok(),
            |d| d.content_image = url::Url::parse("https://ex.org/c.jpg").ok(),
            |d| d.date += chrono::Duration::hours(1),
            // Fields moved from one to the next are a change too.
            |d| {
                d.title = "A titleA summary.".into();
                d.summary = String::new();
            },
        ];
        for (i, change) in changes.iter().enumerate() {
            let mut changed = draft();
            change(&mut changed);
            assert_ne!(source_hash(&changed), base, "change #{i}");
        }
        // What no article shows is no change.
        let mut same = draft();
        same.categories.push("y".into());
        assert_eq!(source_hash(&same), base);
        // An undated item's date is the time of the run: no change.
        let mut undated = draft();
        undated.date_source = DateSource::FirstImport;
        let first = source_hash(&undated);
        undated.date = Utc::now();
        assert_eq!(source_hash(&undated), first);
    }

    #[test]
    fn only_an_untouched_file_is_written_again_keeping_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "old\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        let written = file_hash(b"old\n");
        // A dry run says so and writes nothing.
        assert_eq!(
            rewrite_if_untouched(&path, &written, Some("new\n"), true).unwrap(),
            Rewrite::Rewritten
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
        assert_eq!(
            rewrite_if_untouched(&path, &written, Some("old\n"), false).unwrap(),
            Rewrite::Same
        );
        assert_eq!(
            rewrite_if_untouched(&path, &written, Some("new\n"), false).unwrap(),
            Rewrite::Rewritten
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.md")]);

        // Touched by an editor (even one byte): left alone.
        std::fs::write(&path, "new\n ").unwrap();
        let now = file_hash(b"new\n");
        assert_eq!(
            rewrite_if_untouched(&path, &now, Some("newer\n"), false).unwrap(),
            Rewrite::Edited
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n ");
        // Deleted: left deleted.
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            rewrite_if_untouched(&path, &now, Some("newer\n"), false).unwrap(),
            Rewrite::Missing
        );
        assert!(!path.exists());
        // A symbolic link in its place is never written through.
        #[cfg(unix)]
        {
            let target = dir.path().join("elsewhere");
            std::fs::write(&target, "new\n").unwrap();
            std::os::unix::fs::symlink(&target, &path).unwrap();
            assert_eq!(
                rewrite_if_untouched(&path, &now, Some("newer\n"), false).unwrap(),
                Rewrite::Edited
            );
            assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");
        }
    }

    #[test]
    fn paths_from_the_state_stay_in_the_content_folder() {
        let content = Path::new("/site/content");
        assert_eq!(
            inside(content, "papers/a.md"),
            Some(PathBuf::from("/site/content/papers/a.md"))
        );
        for bad in ["../a.md", "/etc/passwd", "papers/../../a.md", "./a.md"] {
            assert_eq!(inside(content, bad), None, "{bad}");
        }
    }
}
