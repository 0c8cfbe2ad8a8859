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
//!
//! A run killed while it writes files again must not leave them looking
//! edited: the new file's hash is committed to the state as pending before
//! the file is renamed into place, and a file whose hash is the one
//! written or the pending one is feedimport's. The next run then finds
//! each file old or new, and ours, and updates it as the killed run would
//! have.

use std::path::{Component, Path, PathBuf};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::files::Staging;
use crate::config::FeedConfig;
use crate::extract::{DateSource, ItemDraft};
use crate::output::format::Placement;
use crate::output::{OutputError, OutputFormat, TemplateError};
use crate::store::{StoreError, StoredItem};
use crate::util::fs::sync_dir;
use crate::util::hash::file_hash;
use crate::write::{GroupCommit, NewArticle, WriteContext, WriteError};

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
    crate::util::hash::hex(&hasher.finalize())
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
    /// Items whose new values make the file fail: left as they were, their
    /// source's new version not noted, so that every run tries again.
    pub(crate) skipped: Vec<crate::report::SkippedItem>,
}

/// A file to write again, once planned.
struct Pending {
    path: PathBuf,
    shown: String,
    text: String,
    text_hash: String,
    permissions: std::fs::Permissions,
    key: String,
    source_hash: String,
}

/// What became of one changed item, before anything is written.
enum Planned {
    /// The state names a file outside the content folder: nothing done.
    Refused,
    /// Its new text, to be written with the others of its folder.
    Write(Pending),
    /// Nothing to write: the same text, a dry run, or a file touched.
    /// `on_disk`: the hash of the file found ours, to keep as written.
    Decided {
        shown: String,
        outcome: Rewrite,
        on_disk: Option<String>,
    },
}

/// Writes again each changed item's file that nobody touched, and keeps
/// its new hashes. The files of a folder are written together: staged,
/// flushed with one sync, renamed over the old ones, the folder synced.
pub(crate) fn update_untouched(
    context: &WriteContext,
    group: &mut GroupCommit,
    feed: &FeedConfig,
    changed: Vec<(NewArticle, StoredItem)>,
) -> Result<Updated, WriteError> {
    let mut updated = Updated::default();
    if changed.is_empty() {
        return Ok(updated);
    }
    let format = context.outputs.of_feed(feed)?;
    let mut pending: Vec<Pending> = Vec::new();
    for (item, stored) in changed {
        let planned = match plan_update(context, feed, format, &item, &stored) {
            Ok(planned) => planned,
            Err(error) => {
                super::skip_for_its_values(feed, &item, error, &mut updated.skipped)?;
                continue;
            }
        };
        match planned {
            Planned::Refused => continue,
            // Its hashes are recorded once it is written.
            Planned::Write(file) => {
                pending.push(file);
                continue;
            }
            Planned::Decided {
                shown,
                outcome,
                on_disk,
            } => {
                tell_outcome(feed, shown, outcome, &mut updated);
                if !context.dry_run {
                    // The source's new version is noted either way, so that
                    // a file left alone is named once, not at every run.
                    context.state.record_hashes(
                        &item.draft.key,
                        &item.source_hash,
                        on_disk.as_deref(),
                    )?;
                }
            }
        }
    }
    write_pending(context, group, feed, pending, &mut updated)?;
    Ok(updated)
}

/// Whether `item`'s file is written again: only when it is still what
/// feedimport wrote, and its new text differs.
fn plan_update(
    context: &WriteContext,
    feed: &FeedConfig,
    format: &OutputFormat,
    item: &NewArticle,
    stored: &StoredItem,
) -> Result<Planned, WriteError> {
    let Some(path) = inside(&context.config.content_dir, &stored.path) else {
        tracing::warn!(feed = %feed.name, path = %stored.path, "the state names a file outside the content folder: not updated");
        return Ok(Planned::Refused);
    };
    let shown = path
        .strip_prefix(&context.config.base_dir)
        .unwrap_or(&path)
        .display()
        .to_string();
    let ours = [
        Some(stored.file_hash.as_str()),
        stored.pending_hash.as_deref(),
    ];
    let mut on_disk = None;
    let outcome = match look(&path, &ours).map_err(io_error(&path))? {
        Look::Missing => Rewrite::Missing,
        Look::Edited => Rewrite::Edited,
        Look::Untouched { old, permissions } => {
            let text = render_in_place(format, item, stored, &old, context.config.timezone)
                .map_err(OutputError::from)?;
            if text.as_bytes() == old {
                // Written by a run stopped before it recorded it, maybe:
                // the file's own hash is the one to keep.
                on_disk = Some(file_hash(&old));
                Rewrite::Same
            } else if context.dry_run {
                Rewrite::Rewritten
            } else {
                return Ok(Planned::Write(Pending {
                    path,
                    shown,
                    text_hash: file_hash(text.as_bytes()),
                    text,
                    permissions,
                    key: item.draft.key.clone(),
                    source_hash: item.source_hash.clone(),
                }));
            }
        }
    };
    Ok(Planned::Decided {
        shown,
        outcome,
        on_disk,
    })
}

/// Says what became of a file not written: would be updated (a dry run),
/// the same, or left alone because edited or deleted.
fn tell_outcome(feed: &FeedConfig, shown: String, outcome: Rewrite, updated: &mut Updated) {
    match outcome {
        Rewrite::Rewritten => {
            tracing::info!(feed = %feed.name, path = %shown, "would update");
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
}

/// Writes the planned files, a folder at a time, and records their hashes:
/// each new hash committed as pending before any file is renamed, so that a
/// crash at any moment leaves every file one of the two hashes the state
/// knows as its own.
fn write_pending(
    context: &WriteContext,
    group: &mut GroupCommit,
    feed: &FeedConfig,
    mut pending: Vec<Pending>,
    updated: &mut Updated,
) -> Result<(), WriteError> {
    if pending.is_empty() {
        return Ok(());
    }
    for file in &pending {
        context
            .state
            .record_pending_hash(&file.key, &file.text_hash)?;
    }
    group.commit_now()?;
    pending.sort_by(|a, b| a.path.cmp(&b.path));
    for group in pending.chunk_by(|a, b| a.path.parent() == b.path.parent()) {
        let dir = group[0].path.parent().unwrap_or(Path::new("."));
        let files: Vec<(&Path, &str, &std::fs::Permissions)> = group
            .iter()
            .map(|p| (p.path.as_path(), p.text.as_str(), &p.permissions))
            .collect();
        replace_files(dir, &files).map_err(io_error(dir))?;
        for file in group {
            tracing::info!(feed = %feed.name, path = %file.shown, "updated");
            context
                .state
                .record_hashes(&file.key, &file.source_hash, Some(&file.text_hash))?;
            updated.rewritten.push(file.shown.clone());
        }
    }
    Ok(())
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Io { path, source }
}

/// `relative` (from the state) under `content_dir`, when it stays there.
fn inside(content_dir: &Path, relative: &str) -> Option<PathBuf> {
    let relative = Path::new(relative);
    relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| content_dir.join(relative))
}

/// The date the file was first written with: kept for an item without a
/// date, whose date is the time of its first import.
#[derive(Deserialize)]
struct WrittenDate {
    date: String,
}

/// The file `item` renders to now with its feed's template, under the
/// path and permalink it was first written with. `old` is that file,
/// untouched.
fn render_in_place(
    format: &OutputFormat,
    item: &NewArticle,
    stored: &StoredItem,
    old: &[u8],
    timezone: Tz,
) -> Result<String, TemplateError> {
    let mut article = item.article.clone();
    if item.draft.date_source == DateSource::FirstImport
        && let Some(date) = written_date(old)
    {
        article.date = date;
        article.local_date = date.with_timezone(&timezone).date_naive();
    }
    let placed = Placement {
        path: PathBuf::from(&stored.path),
        permalink: stored.permalink.clone(),
        slug: article.slug.clone(),
    };
    format.file_text(&article, &placed)
}

/// The date of the default preset's front matter (`date`), in YAML or
/// TOML; `None` when the file has none that reads as a date.
fn written_date(old: &[u8]) -> Option<DateTime<Utc>> {
    let text = std::str::from_utf8(old).ok()?;
    let written: WrittenDate =
        serde_json::from_value(crate::output::front_matter::parse(text)?).ok()?;
    DateTime::parse_from_rfc3339(&written.date)
        .ok()
        .map(|d| d.to_utc())
}

/// A changed item's file, as found.
#[derive(Debug)]
pub(crate) enum Look {
    Missing,
    /// Not what feedimport wrote: edited, or no longer a plain file (a
    /// symbolic link is never written through).
    Edited,
    /// Byte for byte what feedimport wrote: its bytes and its mode.
    Untouched {
        old: Vec<u8>,
        permissions: std::fs::Permissions,
    },
}

/// Is the file at `path` still one feedimport wrote, whose hash is one of
/// `ours` (the one recorded as written, and the one an update was writing
/// when its run stopped, if any)?
pub(crate) fn look(path: &Path, ours: &[Option<&str>]) -> std::io::Result<Look> {
    let meta = match path.symlink_metadata() {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Look::Missing),
        Err(e) => return Err(e),
    };
    if !meta.is_file() {
        return Ok(Look::Edited);
    }
    let old = std::fs::read(path)?;
    let hash = file_hash(&old);
    if !ours.contains(&Some(hash.as_str())) {
        return Ok(Look::Edited);
    }
    Ok(Look::Untouched {
        old,
        permissions: meta.permissions(),
    })
}

/// Writes each `(path, text, mode)` of folder `dir` over the file there:
/// staged beside them with the file's mode, flushed to disk together, then
/// renamed over the old files, and the folder synced. A crash leaves each
/// file old or new, whole.
pub(crate) fn replace_files(
    dir: &Path,
    files: &[(&Path, &str, &std::fs::Permissions)],
) -> std::io::Result<()> {
    let staging = Staging::open(dir)?;
    let mut staged = Vec::with_capacity(files.len());
    for (_, text, permissions) in files {
        let temp = staging.stage(text.as_bytes())?;
        std::fs::set_permissions(&temp, (*permissions).clone())?;
        staged.push(temp);
    }
    staging.sync(&staged)?;
    for ((path, _, _), temp) in files.iter().zip(staged) {
        temp.persist(path).map_err(|e| e.error)?;
    }
    sync_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn draft() -> ItemDraft {
        ItemDraft {
            title: "A title".into(),
            summary: "A summary.".into(),
            source_url: url::Url::parse("https://ex.org/a").unwrap(),
            categories: vec!["x".into()],
            ..ItemDraft::sample("k", Some("2024-09-02T10:00:00Z"))
        }
    }

    #[test]
    fn hashes_are_written_in_lowercase_hex() {
        assert_eq!(
            crate::util::hash::hex(&[0x00, 0x0f, 0xab, 0xff]),
            "000fabff"
        );
        assert_eq!(
            file_hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
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

    #[cfg(unix)]
    #[test]
    fn only_an_untouched_file_is_written_again_keeping_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.md"), dir.path().join("b.md"));
        std::fs::write(&a, "old a\n").unwrap();
        std::fs::write(&b, "old b\n").unwrap();
        std::fs::set_permissions(&a, std::fs::Permissions::from_mode(0o640)).unwrap();
        let untouched =
            |path: &Path, text: &str| match look(path, &[Some(&file_hash(text.as_bytes()))]) {
                Ok(Look::Untouched { old, permissions }) => {
                    assert_eq!(old, text.as_bytes());
                    permissions
                }
                other => panic!("{}: {other:?}", path.display()),
            };
        let (mode_a, mode_b) = (untouched(&a, "old a\n"), untouched(&b, "old b\n"));
        assert_eq!(mode_a.mode() & 0o777, 0o640);
        replace_files(
            dir.path(),
            &[(&a, "new a\n", &mode_a), (&b, "new b\n", &mode_b)],
        )
        .unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new a\n");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "new b\n");
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&a), 0o640, "the file keeps its mode");
        assert_eq!(mode(&b), mode_b.mode() & 0o777);
        // No temporary file, no staging folder left behind.
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names, ["a.md", "b.md"]);

        // Touched by an editor (even one byte): edited.
        std::fs::write(&a, "new a\n ").unwrap();
        assert!(matches!(
            look(&a, &[Some(&file_hash(b"new a\n"))]).unwrap(),
            Look::Edited
        ));
        // Deleted: missing.
        std::fs::remove_file(&a).unwrap();
        assert!(matches!(
            look(&a, &[Some(&file_hash(b"new a\n"))]).unwrap(),
            Look::Missing
        ));
        // A symbolic link in its place, even to the same bytes, is not
        // ours to write through.
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "new a\n").unwrap();
        std::os::unix::fs::symlink(&target, &a).unwrap();
        assert!(matches!(
            look(&a, &[Some(&file_hash(b"new a\n"))]).unwrap(),
            Look::Edited
        ));
    }

    #[test]
    fn a_file_an_update_was_writing_is_ours_old_or_new() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.md");
        let (old, new) = (file_hash(b"old\n"), file_hash(b"new\n"));
        let ours = [Some(old.as_str()), Some(new.as_str())];
        for text in ["old\n", "new\n"] {
            std::fs::write(&a, text).unwrap();
            assert!(
                matches!(look(&a, &ours).unwrap(), Look::Untouched { .. }),
                "{text:?}"
            );
            // Without the pending hash, the new file would look edited.
            let written_only = matches!(look(&a, &ours[..1]).unwrap(), Look::Untouched { .. });
            assert_eq!(written_only, text == "old\n");
        }
        std::fs::write(&a, "edited\n").unwrap();
        assert!(matches!(look(&a, &ours).unwrap(), Look::Edited));
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
