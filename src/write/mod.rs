//! Planned writes to files and state: each new article gets a free
//! path and permalink (from its feed's output templates), is rendered,
//! written atomically and recorded.
//!
//! In: one feed's new articles, built and checked never imported (see
//! [`crate::pipeline`]). Out: the articles written, the
//! items found already written by an interrupted run, the items skipped
//! because their values make their path or their file fail (see
//! [`OutputError::blames_item`]: reported, not recorded, the other items
//! written), and the first content, state or template error, if any (what
//! was written before it is recorded).
//! Records are committed in groups spanning several feeds ([`GroupCommit`]).
//! A run interrupted by a signal stops between two files.

pub(crate) mod files;
pub(crate) mod found;
pub(crate) mod updates;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use tokio_util::sync::CancellationToken;

use crate::article::Article;
use crate::config::{Config, FeedConfig};
use crate::extract::{DateSource, ItemDraft};
use crate::output::format::{Placement, iso_date};
use crate::output::{FirstTry, OutputError, OutputFormat, Outputs, ReadBack};
use crate::report::{ArticleFields, ArticleReport, SkippedItem};
use crate::store::{ImportRecord, State, StoreError};
use crate::util::fs::sync_dir;
use crate::util::locale::long_date;
use files::{Staging, WriteOutcome, link_staged, write_new_file};

/// Past this many taken permalinks for one title and day, something is wrong.
const MAX_PERMALINK_ATTEMPTS: u32 = 1000;

/// What writing one feed's articles did.
pub(crate) struct FeedImport {
    pub(crate) articles: Vec<ArticleReport>,
    /// Items whose file an interrupted run had already written.
    pub(crate) seen: usize,
    /// Items whose values make their path or file fail: not written, not
    /// recorded.
    pub(crate) skipped: Vec<SkippedItem>,
    /// Set when the content folder, the state or a template failed
    /// mid-feed; what was written before it is recorded.
    pub(crate) error: Option<WriteError>,
}

/// Why a feed's writing stopped.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WriteError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A template failed on one of the feed's items.
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// What the writing needs besides the drafts.
pub(crate) struct WriteContext<'a> {
    pub(crate) config: &'a Config,
    pub(crate) outputs: &'a Outputs,
    pub(crate) state: &'a State,
    pub(crate) dry_run: bool,
    /// The report keeps each article's fields (`--json`, a dry run).
    pub(crate) keep_articles: bool,
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
    /// Its first candidate name and file text, made ahead (see
    /// [`OutputFormat::first_try`]), when they could be.
    pub(crate) first_try: Option<FirstTry>,
    /// The hash of the item's fields, for updates (made ahead too).
    pub(crate) source_hash: String,
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
    drafts.sort_by_key(|d| d.draft.date);
    let mut outcome = FeedImport {
        articles: Vec::new(),
        seen: 0,
        skipped: Vec::new(),
        error: None,
    };
    let format = match context.outputs.of_feed(feed) {
        Ok(format) => format,
        Err(error) => {
            outcome.error = Some(WriteError::Output(error));
            return outcome;
        }
    };
    let result = write_drafts(
        context,
        feed,
        format,
        &drafts,
        &mut outcome,
        &mut group.folders,
    );
    // What was written before an error is recorded all the same: those
    // files exist, and the state must know them.
    if !context.dry_run {
        group.records += outcome.articles.len();
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
    folders: Folders,
    records: usize,
    began: Instant,
}

/// The folders of a run's writing: those made and checked (each once a
/// run, not once a feed: a first import of 3,000 small feeds made the
/// same folders 3,000 times), those with files written since the group's
/// last commit, and the staging folder, kept from the first file to the
/// end of the run instead of made and removed for each feed.
#[derive(Default)]
pub(crate) struct Folders {
    made: BTreeSet<PathBuf>,
    written: BTreeSet<PathBuf>,
    staging: Option<Staging>,
}

impl Folders {
    /// The first time the run writes into `folder`: creates it and checks
    /// it resolves inside the content folder.
    fn open(&mut self, folder: &Path, content_dir: &Path) -> Result<(), StoreError> {
        if !self.made.contains(folder) {
            std::fs::create_dir_all(folder).map_err(io_error(folder))?;
            ensure_inside(folder, content_dir)?;
            self.made.insert(folder.to_path_buf());
        }
        if !self.written.contains(folder) {
            self.written.insert(folder.to_path_buf());
        }
        Ok(())
    }

    /// The content folder, created the first time the run writes.
    fn content_dir(&mut self, content_dir: &Path) -> Result<(), StoreError> {
        if !self.made.contains(content_dir) {
            std::fs::create_dir_all(content_dir).map_err(io_error(content_dir))?;
            self.made.insert(content_dir.to_path_buf());
        }
        Ok(())
    }

    /// The run's staging folder, in the content folder.
    fn staging(&mut self, content_dir: &Path) -> Result<&Staging, StoreError> {
        if self.staging.is_none() {
            self.staging = Some(Staging::open(content_dir).map_err(io_error(content_dir))?);
        }
        Ok(self.staging.as_ref().expect("opened above"))
    }
}

const GROUP_RECORDS: usize = 2048;
const GROUP_TIME: Duration = Duration::from_secs(2);

impl<'a> GroupCommit<'a> {
    pub(crate) fn begin(state: &'a State) -> Result<GroupCommit<'a>, StoreError> {
        state.begin()?;
        Ok(GroupCommit {
            state,
            folders: Folders::default(),
            records: 0,
            began: Instant::now(),
        })
    }

    /// Called between feeds: commits when the group is full or old enough.
    pub(crate) fn between_feeds(&mut self) -> Result<(), StoreError> {
        if self.records >= GROUP_RECORDS || self.began.elapsed() >= GROUP_TIME {
            self.commit_now()?;
        }
        Ok(())
    }

    /// Commits what is recorded so far and opens the next group: for what
    /// must be on disk in the state before a file is touched (the hash of
    /// an update, before its rename).
    pub(crate) fn commit_now(&mut self) -> Result<(), StoreError> {
        self.commit()?;
        self.state.begin()?;
        self.began = Instant::now();
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
        while let Some(folder) = self.folders.written.pop_first() {
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
                crate::util::error_chain(&e)
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
    format: &OutputFormat,
    drafts: &[NewArticle],
    outcome: &mut FeedImport,
    folders: &mut Folders,
) -> Result<(), WriteError> {
    let content_dir = &context.config.content_dir;
    if !context.dry_run && !drafts.is_empty() {
        folders.content_dir(content_dir)?;
    }
    let batch_context = BatchContext {
        context,
        feed,
        format,
        feed_identity: feed.source.identity(),
        imported_at: timestamp(context.now),
    };
    for batch in drafts.chunks(BATCH) {
        if context.interrupted.is_cancelled() {
            break;
        }
        write_batch(&batch_context, batch, outcome, folders)?;
    }
    Ok(())
}

/// What every article of one feed's batch shares.
struct BatchContext<'a> {
    context: &'a WriteContext<'a>,
    feed: &'a FeedConfig,
    format: &'a OutputFormat,
    feed_identity: String,
    imported_at: String,
}

/// A new article with its name chosen, not yet on disk.
struct Planned<'a> {
    item: &'a NewArticle,
    path: PathBuf,
    /// Its name and permalink, as the output placed it.
    placed: Placement,
    text: String,
    /// The text's hash, when it was made ahead with it.
    text_hash: Option<String>,
}

/// The names given to the batch's articles so far.
#[derive(Default)]
struct TakenNames {
    links: HashSet<String>,
    paths: HashSet<PathBuf>,
}

/// Writes a batch of a feed's new articles: each named (see
/// [`plan_batch`]), then all staged, flushed with one sync and linked into
/// place; a dry run only records what it would write.
fn write_batch(
    batch: &BatchContext,
    items: &[NewArticle],
    outcome: &mut FeedImport,
    folders: &mut Folders,
) -> Result<(), WriteError> {
    let (planned, taken) = plan_batch(batch, items, outcome)?;
    if batch.context.dry_run {
        for article in planned {
            record_new(batch, article, outcome)?;
        }
        return Ok(());
    }
    if planned.is_empty() {
        return Ok(());
    }
    let content_dir = &batch.context.config.content_dir;
    for article in &planned {
        if let Some(folder) = article.path.parent() {
            folders.open(folder, content_dir)?;
        }
    }
    // Staged in the content folder, on the file system of the folders
    // inside it: linking a file into place is atomic.
    let staging = folders.staging(content_dir)?;
    let mut staged = Vec::with_capacity(planned.len());
    for article in &planned {
        staged.push(
            staging
                .stage(article.text.as_bytes())
                .map_err(io_error(&article.path))?,
        );
    }
    staging.sync(&staged).map_err(io_error(content_dir))?;
    for (article, temp) in planned.into_iter().zip(staged) {
        match link_staged(temp, &article.path).map_err(io_error(&article.path))? {
            WriteOutcome::Written => record_new(batch, article, outcome)?,
            WriteOutcome::AlreadyExists => {
                // Created since we looked (an editor, a run without the
                // lock): ours, or the next free name.
                if found::holds_source(
                    &article.path,
                    &article.item.article.source_url,
                    batch.read_back(),
                ) {
                    let same = same_text(&article.path, article.text.as_str())
                        .then(|| (article.placed.clone(), article.text.clone()));
                    record_existing(batch, article.item, &article.path, same, outcome)?;
                } else {
                    write_one_slowly(batch, article.item, &taken, outcome, folders)?;
                }
            }
        }
    }
    Ok(())
}

/// Names each article of the batch (until a signal comes): a free path and
/// permalink, or the file an interrupted run already wrote, recorded at
/// once.
fn plan_batch<'a>(
    batch: &BatchContext,
    items: &'a [NewArticle],
    outcome: &mut FeedImport,
) -> Result<(Vec<Planned<'a>>, TakenNames), WriteError> {
    let mut planned: Vec<Planned> = Vec::with_capacity(items.len());
    let mut taken = TakenNames::default();
    for item in items {
        if batch.context.interrupted.is_cancelled() {
            break;
        }
        let draft = &item.draft;
        if draft.date_source == DateSource::FirstImport {
            tracing::info!(feed = %batch.feed.name, title = %draft.title, "item has no date: using the time of import");
        }
        let named = match place_article(batch, item, &taken) {
            Ok(named) => named,
            Err(error) => {
                skip_for_its_values(batch.feed, item, error, &mut outcome.skipped)?;
                continue;
            }
        };
        match named {
            Named::AlreadyThere { path, same } => {
                record_existing(batch, item, &path, same, outcome)?
            }
            Named::New {
                path,
                placed,
                text,
                text_hash,
            } => {
                taken.links.insert(placed.permalink.clone());
                taken.paths.insert(path.clone());
                planned.push(Planned {
                    item,
                    path,
                    placed,
                    text,
                    text_hash,
                });
            }
        }
    }
    Ok((planned, taken))
}

/// One article written on its own, flushed: for the rare name taken between
/// planning and linking.
fn write_one_slowly(
    batch: &BatchContext,
    item: &NewArticle,
    taken: &TakenNames,
    outcome: &mut FeedImport,
    folders: &mut Folders,
) -> Result<(), WriteError> {
    // Each pass looks at the names afresh: one taken since the last pass is
    // adopted (ours) or passed over. Bounded, should files keep appearing.
    for _ in 0..MAX_PERMALINK_ATTEMPTS {
        let named = match place_article(batch, item, taken) {
            Ok(named) => named,
            Err(error) => {
                return skip_for_its_values(batch.feed, item, error, &mut outcome.skipped);
            }
        };
        match named {
            Named::AlreadyThere { path, same } => {
                return Ok(record_existing(batch, item, &path, same, outcome)?);
            }
            Named::New {
                path,
                placed,
                text,
                text_hash,
            } => {
                let folder = path.parent().unwrap_or(&batch.context.config.content_dir);
                folders.open(folder, &batch.context.config.content_dir)?;
                let name = path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                let written =
                    write_new_file(folder, &name, text.as_bytes()).map_err(io_error(&path))?;
                if written == WriteOutcome::Written {
                    let article = Planned {
                        item,
                        path,
                        placed,
                        text,
                        text_hash,
                    };
                    return Ok(record_new(batch, article, outcome)?);
                }
            }
        }
    }
    Err(StoreError::NamesTaken {
        path: batch.context.config.content_dir.clone(),
        title: item.article.title.clone(),
    }
    .into())
}

/// An item whose values make its path or its file fail (see
/// [`OutputError::blames_item`]): warned about, naming the feed and the
/// item, and kept for the report; not recorded, so every run tries it
/// again (a fixed template or item then imports it). Any other error is
/// returned: the output or the content folder cannot work.
pub(crate) fn skip_for_its_values(
    feed: &FeedConfig,
    item: &NewArticle,
    error: WriteError,
    skipped: &mut Vec<SkippedItem>,
) -> Result<(), WriteError> {
    match error {
        WriteError::Output(error) if error.blames_item() => {
            let reason = error.to_string();
            tracing::warn!(
                feed = %feed.name,
                title = %item.article.title,
                url = %item.article.source_url,
                "item skipped, its values make the output fail (it is tried again at the next run): {reason}"
            );
            skipped.push(SkippedItem {
                title: item.article.title.clone(),
                source_url: item.article.source_url.clone(),
                reason,
            });
            Ok(())
        }
        error => Err(error),
    }
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
    // For updates: what the item and the file were when written (the
    // file's hash made ahead when the file is the one made ahead).
    let source_hash = &planned.item.source_hash;
    let file_hash = planned
        .text_hash
        .clone()
        .unwrap_or_else(|| crate::util::hash::file_hash(planned.text.as_bytes()));
    batch.context.state.record(&ImportRecord {
        key: &draft.key,
        feed: &batch.feed_identity,
        source_url: draft.source_url.as_str(),
        permalink: Some(&planned.placed.permalink),
        path: Some(&relative),
        imported_at: &batch.imported_at,
        has_image: Some(planned.item.article.image.is_some()),
        shared_link: !draft.link_identifies,
        hashes: Some((source_hash, &file_hash)),
    })?;
    let verb = if batch.context.dry_run {
        "would write"
    } else {
        "wrote"
    };
    tracing::info!(feed = %batch.feed.name, path = %planned.path.display(), "{verb}");
    outcome.articles.push(ArticleReport {
        path: relative_to(&planned.path, &config.base_dir),
        feed: batch.feed.name.clone(),
        fields: batch
            .context
            .keep_articles
            .then(|| article_fields(&planned.item.article, &planned.placed, batch.format)),
        has_image: planned.item.article.image.is_some(),
        text: batch.context.dry_run.then_some(planned.text),
    });
    Ok(())
}

/// An article's fields as the report gives them: its dates formatted by
/// its output, in the output's locale.
fn article_fields(article: &Article, placed: &Placement, format: &OutputFormat) -> ArticleFields {
    let image = article.image.as_ref();
    ArticleFields {
        title: article.title.clone(),
        date: iso_date(article.date),
        published_date: long_date(article.local_date, format.locale()),
        summary: article.summary.clone(),
        importance: article.importance.clone(),
        source_url: article.source_url.clone(),
        tags: article.tags.clone(),
        permalink: placed.permalink.clone(),
        image_url: image.map(|i| i.url.clone()).unwrap_or_default(),
        image_credit: image.map(|i| i.credit.clone()).unwrap_or_default(),
    }
}

/// Records an item whose file an earlier, interrupted run wrote. `same`:
/// its name and text, when the file is byte for byte what this run would
/// write there; it is then recorded as if this run had written it (its
/// permalink and hashes kept, so that `update = "untouched"` updates it
/// later, as it would the file of an uninterrupted run). A file that
/// differs is recorded without them and never updated: it may be an
/// editor's.
fn record_existing(
    batch: &BatchContext,
    item: &NewArticle,
    path: &Path,
    same: Option<(Placement, String)>,
    outcome: &mut FeedImport,
) -> Result<(), StoreError> {
    let draft = &item.draft;
    let relative = relative_to(path, &batch.context.config.content_dir);
    let file_hash = same
        .as_ref()
        .map(|(_, text)| crate::util::hash::file_hash(text.as_bytes()));
    batch.context.state.record(&ImportRecord {
        key: &draft.key,
        feed: &batch.feed_identity,
        source_url: draft.source_url.as_str(),
        permalink: same.as_ref().map(|(placed, _)| placed.permalink.as_str()),
        path: Some(&relative),
        imported_at: &batch.imported_at,
        has_image: same.is_some().then_some(item.article.image.is_some()),
        shared_link: !draft.link_identifies,
        hashes: file_hash
            .as_deref()
            .map(|file_hash| (item.source_hash.as_str(), file_hash)),
    })?;
    outcome.seen += 1;
    Ok(())
}

/// Whether the file at `path` holds exactly `text`.
fn same_text(path: &Path, text: &str) -> bool {
    std::fs::read(path).is_ok_and(|bytes| bytes == text.as_bytes())
}

enum Named {
    New {
        path: PathBuf,
        placed: Placement,
        text: String,
        text_hash: Option<String>,
    },
    AlreadyThere {
        path: PathBuf,
        /// Its name and text, when the file is what this run would write.
        same: Option<(Placement, String)>,
    },
}

/// Finds the first free name for `item`: a permalink not used by any
/// article the state knows, nor by another article of this batch, and a
/// path where no file is. A file there that comes from the same source is
/// the item already written.
fn place_article(
    batch: &BatchContext,
    item: &NewArticle,
    taken: &TakenNames,
) -> Result<Named, WriteError> {
    let content_dir = &batch.context.config.content_dir;
    let mut shared: Option<Arc<Article>> = None;
    let mut first_path = None;
    for attempt in 1..=MAX_PERMALINK_ATTEMPTS {
        let ready = item.first_try.as_ref().filter(|_| attempt == 1);
        let placed = match ready {
            Some(first) => first.placed.clone(),
            None => {
                let shared = shared.get_or_insert_with(|| Arc::new(item.article.clone()));
                batch.format.place(shared, attempt)?
            }
        };
        let path = content_dir.join(&placed.path);
        if first_path.is_none() {
            first_path = Some(path.clone());
        }
        if taken.links.contains(&placed.permalink) || taken.paths.contains(&path) {
            continue;
        }
        // A file of this name from the same source is the item, written
        // before: by an interrupted run, or before the state was lost (its
        // permalink is then known, from the file).
        let on_disk = path.symlink_metadata().is_ok();
        if on_disk && found::holds_source(&path, &item.article.source_url, batch.read_back()) {
            let text = match ready {
                Some(first) => Some(first.text.clone()),
                None => {
                    let shared = shared.get_or_insert_with(|| Arc::new(item.article.clone()));
                    batch.format.placed_text(shared, &placed).ok()
                }
            };
            let same = text
                .filter(|text| same_text(&path, text))
                .map(|text| (placed, text));
            return Ok(Named::AlreadyThere { path, same });
        }
        if on_disk || batch.context.state.permalink_taken(&placed.permalink)? {
            continue;
        }
        let text = match ready {
            Some(first) => first.text.clone(),
            None => {
                let shared = shared.get_or_insert_with(|| Arc::new(item.article.clone()));
                batch
                    .format
                    .placed_text(shared, &placed)
                    .map_err(OutputError::from)?
            }
        };
        return Ok(Named::New {
            path,
            placed,
            text,
            text_hash: ready.map(|first| first.text_hash.clone()),
        });
    }
    Err(StoreError::TooManySameNames {
        path: first_path.unwrap_or_else(|| content_dir.clone()),
        attempts: MAX_PERMALINK_ATTEMPTS,
    }
    .into())
}

impl BatchContext<'_> {
    fn read_back(&self) -> &ReadBack {
        &self.context.outputs.read_back
    }
}

/// The error of an I/O call on `path`, for `map_err`.
fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Io { path, source }
}

/// Refuses a folder that leads out of the content folder (a symbolic link
/// planted there): files are written only inside it.
fn ensure_inside(folder: &Path, content_dir: &Path) -> Result<(), StoreError> {
    let resolve = |path: &Path| std::fs::canonicalize(path).map_err(io_error(path));
    if resolve(folder)?.starts_with(resolve(content_dir)?) {
        Ok(())
    } else {
        Err(StoreError::OutsideContent {
            path: folder.to_path_buf(),
        })
    }
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
