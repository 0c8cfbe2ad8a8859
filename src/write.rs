//! Planned writes to files and state: each new article gets a free
//! permalink, is rendered, written atomically and recorded.
//!
//! In: one feed's new articles, built and checked never imported (see
//! [`crate::pipeline`]). Out: the articles written, the
//! items found already written by an interrupted run, and the first
//! content or state error, if any (what was written before it is recorded).
//! Records are committed in groups spanning several feeds ([`GroupCommit`]).
//! A run interrupted by a signal stops between two files.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use tokio_util::sync::CancellationToken;

use crate::article::Article;
use crate::config::{Config, FeedConfig};
use crate::extract::{DateSource, ItemDraft};
use crate::permalink::{file_stem, permalink};
use crate::render::render;
use crate::report::ArticleReport;
use crate::store::{
    ImportRecord, Staging, State, StoreError, WriteOutcome, link_staged, read_front_matter,
    sync_dir, write_new_file,
};

/// Past this many taken permalinks for one title and day, something is wrong.
const MAX_PERMALINK_ATTEMPTS: u32 = 1000;

/// What writing one feed's articles did.
pub(crate) struct FeedImport {
    pub(crate) articles: Vec<ArticleReport>,
    /// Items whose file an interrupted run had already written.
    pub(crate) seen: usize,
    /// Set when the content folder or the state failed mid-feed; what was
    /// written before it is recorded.
    pub(crate) error: Option<StoreError>,
}

/// What the writing needs besides the drafts.
pub(crate) struct WriteContext<'a> {
    pub(crate) config: &'a Config,
    pub(crate) state: &'a State,
    pub(crate) dry_run: bool,
    pub(crate) now: DateTime<Utc>,
    /// Set by a signal: stop before the next file.
    pub(crate) interrupted: &'a CancellationToken,
}

/// An article to write, with the draft it was built from (its identity
/// and source, for the state).
#[derive(Debug)]
pub(crate) struct NewArticle {
    pub(crate) draft: ItemDraft,
    pub(crate) article: Article,
}

/// Writes one feed's new articles and records them, oldest first (so that
/// of two articles with the same title and day, the older keeps the plain
/// permalink).
pub(crate) fn write_feed(
    context: &WriteContext,
    group: &mut GroupCommit,
    feed: &FeedConfig,
    mut drafts: Vec<NewArticle>,
) -> FeedImport {
    let WriteContext { dry_run, .. } = *context;
    drafts.sort_by_key(|d| d.draft.date);
    let mut outcome = FeedImport {
        articles: Vec::new(),
        seen: 0,
        error: None,
    };
    let section_dir = context.config.section_dir(&feed.section);
    let result = write_drafts(context, feed, &section_dir, &drafts, &mut outcome);
    // What was written before an error is recorded all the same: those
    // files exist, and the state must know them.
    if !dry_run && !outcome.articles.is_empty() {
        group.wrote_in(&section_dir, outcome.articles.len());
    }
    outcome.error = result.err();
    outcome
}

/// One transaction for the records of several feeds, committed once
/// [`GROUP_RECORDS`] records or [`GROUP_TIME`] have gathered, at the end of
/// the run, and (dropped) on the way out of a failed one. Before each commit
/// the folders of the group's files are flushed, so that the state never
/// records a file whose name is not on disk. One folder sync and one commit
/// per group instead of per feed: a cold import spends a third less time in
/// the state. A crash loses at most the records of the open group; their
/// files are on disk, and the next run adopts them (found by `sourceUrl`).
pub(crate) struct GroupCommit<'a> {
    state: &'a State,
    /// Folders with files written since the last commit.
    folders: BTreeSet<PathBuf>,
    records: usize,
    began: Instant,
}

const GROUP_RECORDS: usize = 2048;
const GROUP_TIME: Duration = Duration::from_secs(2);

impl<'a> GroupCommit<'a> {
    pub(crate) fn begin(state: &'a State) -> Result<GroupCommit<'a>, StoreError> {
        state.begin()?;
        Ok(GroupCommit {
            state,
            folders: BTreeSet::new(),
            records: 0,
            began: Instant::now(),
        })
    }

    fn wrote_in(&mut self, folder: &Path, records: usize) {
        if !self.folders.contains(folder) {
            self.folders.insert(folder.to_path_buf());
        }
        self.records += records;
    }

    /// Called between feeds: commits when the group is full or old enough.
    pub(crate) fn between_feeds(&mut self) -> Result<(), StoreError> {
        if self.records >= GROUP_RECORDS || self.began.elapsed() >= GROUP_TIME {
            self.commit()?;
            self.state.begin()?;
            self.began = Instant::now();
        }
        Ok(())
    }

    /// Commits the last group.
    pub(crate) fn finish(mut self) -> Result<(), StoreError> {
        self.commit()
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        if !self.state.in_transaction() {
            return Ok(());
        }
        while let Some(folder) = self.folders.pop_first() {
            sync_dir(&folder).map_err(io_error(&folder))?;
        }
        self.records = 0;
        self.state.commit()
    }
}

impl Drop for GroupCommit<'_> {
    fn drop(&mut self) {
        // On the way out of a failed run: keep what was written (the
        // records only ever name files that were linked into place).
        if let Err(e) = self.commit() {
            tracing::warn!(
                "{}; the next run adopts the files written since the last commit",
                crate::report::error_chain(&e)
            );
        }
    }
}

/// Articles written together: staged as temporary files, flushed to disk
/// with one sync, then given their names. Bounds memory and open files for
/// very large feeds.
const BATCH: usize = 256;

fn write_drafts(
    context: &WriteContext,
    feed: &FeedConfig,
    section_dir: &Path,
    drafts: &[NewArticle],
    outcome: &mut FeedImport,
) -> Result<(), StoreError> {
    let WriteContext {
        config, dry_run, ..
    } = *context;
    if !dry_run && !drafts.is_empty() {
        std::fs::create_dir_all(section_dir).map_err(io_error(section_dir))?;
        ensure_inside(section_dir, &config.content_dir)?;
    }
    let batch_context = BatchContext {
        context,
        feed,
        feed_identity: feed.source.identity(),
        section_dir,
        imported_at: timestamp(context.now),
    };
    for batch in drafts.chunks(BATCH) {
        if context.interrupted.is_cancelled() {
            break;
        }
        write_batch(&batch_context, batch, outcome)?;
    }
    Ok(())
}

/// What every article of one feed's batch shares.
struct BatchContext<'a> {
    context: &'a WriteContext<'a>,
    feed: &'a FeedConfig,
    feed_identity: String,
    section_dir: &'a Path,
    imported_at: String,
}

/// A new article with its name chosen, not yet on disk.
struct Planned<'a> {
    item: &'a NewArticle,
    path: PathBuf,
    article: Article,
    text: String,
}

fn write_batch(
    batch: &BatchContext,
    items: &[NewArticle],
    outcome: &mut FeedImport,
) -> Result<(), StoreError> {
    let dry_run = batch.context.dry_run;
    let mut planned: Vec<Planned> = Vec::with_capacity(items.len());
    let mut planned_links: HashSet<String> = HashSet::new();
    for item in items {
        if batch.context.interrupted.is_cancelled() {
            break;
        }
        let draft = &item.draft;
        if draft.date_source == DateSource::FirstImport {
            tracing::info!(feed = %batch.feed.name, title = %draft.title, "item has no date: using the time of import");
        }
        match place_article(batch, item, &planned_links)? {
            Placement::AlreadyThere { path } => record_existing(batch, draft, &path, outcome)?,
            Placement::New {
                path,
                article,
                text,
            } => {
                planned_links.insert(article.permalink.clone());
                planned.push(Planned {
                    item,
                    path,
                    article: *article,
                    text,
                });
            }
        }
    }
    if dry_run {
        for article in planned {
            record_new(batch, article, outcome)?;
        }
        return Ok(());
    }

    if planned.is_empty() {
        return Ok(());
    }
    let staging = Staging::open(batch.section_dir).map_err(io_error(batch.section_dir))?;
    let mut staged = Vec::with_capacity(planned.len());
    for article in &planned {
        staged.push(
            staging
                .stage(article.text.as_bytes())
                .map_err(io_error(&article.path))?,
        );
    }
    staging.sync(&staged).map_err(io_error(batch.section_dir))?;
    for (article, temp) in planned.into_iter().zip(staged) {
        match link_staged(temp, &article.path).map_err(io_error(&article.path))? {
            WriteOutcome::Written => record_new(batch, article, outcome)?,
            WriteOutcome::AlreadyExists => {
                // Created since we looked (an editor, a run without the
                // lock): ours, or the next free name.
                if holds_source(&article.path, &article.article.source_url) {
                    record_existing(batch, &article.item.draft, &article.path, outcome)?;
                } else {
                    write_one_slowly(batch, article.item, &planned_links, outcome)?;
                }
            }
        }
    }
    Ok(())
}

/// One article written on its own, flushed: for the rare name taken between
/// planning and linking.
fn write_one_slowly(
    batch: &BatchContext,
    item: &NewArticle,
    planned_links: &HashSet<String>,
    outcome: &mut FeedImport,
) -> Result<(), StoreError> {
    // Each pass looks at the names afresh: one taken since the last pass is
    // adopted (ours) or passed over. Bounded, should files keep appearing.
    for _ in 0..MAX_PERMALINK_ATTEMPTS {
        match place_article(batch, item, planned_links)? {
            Placement::AlreadyThere { path } => {
                return record_existing(batch, &item.draft, &path, outcome);
            }
            Placement::New {
                path,
                article,
                text,
            } => {
                let name = path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                let written = write_new_file(batch.section_dir, &name, text.as_bytes())
                    .map_err(io_error(&path))?;
                if written == WriteOutcome::Written {
                    let article = Planned {
                        item,
                        path,
                        article: *article,
                        text,
                    };
                    return record_new(batch, article, outcome);
                }
            }
        }
    }
    Err(StoreError::NamesTaken {
        path: batch.section_dir.to_path_buf(),
        title: item.article.title.clone(),
    })
}

/// Records an article whose file is now on disk (or, in a dry run, would be).
fn record_new(
    batch: &BatchContext,
    planned: Planned,
    outcome: &mut FeedImport,
) -> Result<(), StoreError> {
    let config = batch.context.config;
    let relative = relative_to(&planned.path, &config.content_dir);
    let draft = &planned.item.draft;
    batch.context.state.record(&ImportRecord {
        key: &draft.key,
        feed: &batch.feed_identity,
        source_url: draft.source_url.as_str(),
        permalink: Some(&planned.article.permalink),
        path: Some(&relative),
        imported_at: &batch.imported_at,
        has_image: Some(!planned.article.image_url.is_empty()),
        shared_link: !draft.link_identifies,
    })?;
    // For updates: what the item and the file were when written.
    batch.context.state.record_hashes(
        &draft.key,
        &crate::updates::source_hash(draft),
        Some(&crate::updates::file_hash(planned.text.as_bytes())),
    )?;
    let verb = if batch.context.dry_run {
        "would write"
    } else {
        "wrote"
    };
    tracing::info!(feed = %batch.feed.name, path = %planned.path.display(), "{verb}");
    outcome.articles.push(ArticleReport {
        path: relative_to(&planned.path, &config.base_dir),
        feed: batch.feed.name.clone(),
        article: planned.article,
        text: batch.context.dry_run.then_some(planned.text),
    });
    Ok(())
}

/// Records an item whose file an earlier, interrupted run wrote.
fn record_existing(
    batch: &BatchContext,
    draft: &ItemDraft,
    path: &Path,
    outcome: &mut FeedImport,
) -> Result<(), StoreError> {
    let relative = relative_to(path, &batch.context.config.content_dir);
    batch.context.state.record(&ImportRecord {
        key: &draft.key,
        feed: &batch.feed_identity,
        source_url: draft.source_url.as_str(),
        permalink: None,
        path: Some(&relative),
        imported_at: &batch.imported_at,
        has_image: None,
        shared_link: !draft.link_identifies,
    })?;
    outcome.seen += 1;
    Ok(())
}

enum Placement {
    New {
        path: PathBuf,
        article: Box<Article>,
        text: String,
    },
    AlreadyThere {
        path: PathBuf,
    },
}

/// Finds the first free permalink for `item`: not used by any article the
/// state knows, nor by a file in the section folder, nor by another article
/// of this batch. A file there that comes from the same source is the item
/// already written.
fn place_article(
    batch: &BatchContext,
    item: &NewArticle,
    planned_links: &HashSet<String>,
) -> Result<Placement, StoreError> {
    let (local_date, slug) = (item.article.local_date, &item.article.slug);
    for attempt in 1..=MAX_PERMALINK_ATTEMPTS {
        let stem = file_stem(local_date, slug, attempt);
        let link = permalink(&batch.feed.section, &stem);
        if planned_links.contains(&link) {
            continue;
        }
        // A file of this name from the same source is the item, written
        // before: by an interrupted run, or before the state was lost (its
        // permalink is then known, from the file).
        let path = batch.section_dir.join(format!("{stem}.md"));
        let on_disk = path.symlink_metadata().is_ok();
        if on_disk && holds_source(&path, &item.article.source_url) {
            return Ok(Placement::AlreadyThere { path });
        }
        if on_disk || batch.context.state.permalink_taken(&link)? {
            continue;
        }
        let article = Article {
            permalink: link,
            ..item.article.clone()
        };
        let text = render(&article);
        return Ok(Placement::New {
            path,
            article: Box::new(article),
            text,
        });
    }
    Err(StoreError::TooManySameNames {
        path: batch
            .section_dir
            .join(format!("{}.md", file_stem(local_date, slug, 1))),
        attempts: MAX_PERMALINK_ATTEMPTS,
    })
}

/// The error of an I/O call on `path`, for `map_err`.
fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Io { path, source }
}

/// Refuses a section folder that leads out of the content folder (a
/// symbolic link planted there): files are written only inside it.
fn ensure_inside(section_dir: &Path, content_dir: &Path) -> Result<(), StoreError> {
    let resolve = |path: &Path| std::fs::canonicalize(path).map_err(io_error(path));
    if resolve(section_dir)?.starts_with(resolve(content_dir)?) {
        Ok(())
    } else {
        Err(StoreError::OutsideContent {
            path: section_dir.to_path_buf(),
        })
    }
}

/// Does the article file at `path` come from `source_url`?
fn holds_source(path: &Path, source_url: &str) -> bool {
    matches!(read_front_matter(path), Ok(Some(front)) if front.source_url.as_deref() == Some(source_url))
}

fn relative_to(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

pub(crate) fn timestamp(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(SecondsFormat::Secs, true)
}
