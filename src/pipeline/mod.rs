//! The one place that knows the order of the stages.
//!
//! A run, step by step ([`run`] reads as this list):
//! 1. open the run: the lock, stale files cleared, the state opened (and
//!    learnt from the content folder when new), the HTTP client ([`open`]);
//! 2. plan: which feeds are due ([`gather::plan`]);
//! 3. gather: every due feed fetched → parsed → extracted, several at once,
//!    handed over in config order ([`gather`]);
//! 4. prepare, a few feeds ahead of the writing: keep the new items
//!    ([`select`]), read their article pages for missing images ([`pages`]),
//!    build their articles ([`crate::article`]);
//! 5. per feed, in config order: write the files ([`crate::write`]), then
//!    record what the fetch taught (validators, schedule, health:
//!    [`crate::schedule`]).
//!
//! Fails with [`RunError`] only when the run cannot go on (config, lock,
//! state or content folder); a failing feed is a line in the [`Report`].

mod gather;
mod history;
mod open;
mod pages;
mod select;

use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;

use crate::address::AddressPolicy;
use crate::article::{ArticleSettings, build_article};
use crate::config::{Config, ConfigError, FeedConfig};
use crate::extract::DocumentInfo;
use crate::fetch::{FetchError, Fetcher};
use crate::output::{OutputError, OutputFormat};
use crate::parse::repair::Fix;
use crate::report::{FeedReport, FeedStatus, Report, error_chain, error_line};
use crate::schedule;
use crate::store::{FeedRecord, FetchFacts, LockError, State, StoreError, StoredItem};
use crate::write::{GroupCommit, NewArticle, WriteContext, WriteError, write_feed};
pub(crate) use gather::FeedError;
use gather::{FeedItems, FeedOutcome, FetchMeasure, Gathered, NoItems, PlannedFeed};
pub use gather::{ReadFeed, read_feed};
pub(crate) use history::{BackfillOptions, Ended, backfill};
pub(crate) use open::compile_outputs;
use select::{Selection, Taken, select_new};

/// How a run behaves.
#[derive(Debug, Clone, Default)]
pub(crate) struct RunOptions {
    /// Change nothing on disk: no files, no state.
    pub(crate) dry_run: bool,
    /// Only these feeds (all when empty); named feeds are fetched even when
    /// not due.
    pub(crate) feeds: Vec<String>,
    /// Fetch every feed, due or not.
    pub(crate) force: bool,
    /// Wait for another run to end instead of exiting.
    pub(crate) wait: bool,
    /// Keep every article's fields in the report (for `--json` and the dry
    /// run's listing). Without it the report only counts them, so that a
    /// first import of 100,000 articles does not hold them all in memory.
    pub(crate) keep_articles: bool,
}

/// Why a run stopped before its end.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RunError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Another run holds the lock.
    #[error(transparent)]
    Locked(LockError),
    #[error("cannot wait for the other run to end")]
    LockWait(#[source] tokio::task::JoinError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot start the HTTP client")]
    Client(#[source] FetchError),
    /// A template cannot work: exit 2, like a bad config.
    #[error(transparent)]
    Output(OutputError),
}

impl From<WriteError> for RunError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::Store(e) => RunError::Store(e),
            WriteError::Output(e) => RunError::Output(e),
        }
    }
}

impl From<LockError> for RunError {
    fn from(error: LockError) -> Self {
        match error {
            LockError::Store(e) => RunError::Store(e),
            held => RunError::Locked(held),
        }
    }
}

/// Told as the run goes, for a person watching (the binary draws a progress
/// line on a terminal).
pub(crate) trait Progress {
    /// Another feed is done: `done` of `total`, `articles` written so far.
    fn feed_done(&mut self, done: usize, total: usize, articles: usize);
    /// The run is over, whole or not.
    fn finished(&mut self);
}

/// No one is watching.
pub(crate) struct Silent;

impl Progress for Silent {
    fn feed_done(&mut self, _: usize, _: usize, _: usize) {}
    fn finished(&mut self) {}
}

/// Runs the import. `interrupted` is cancelled by a signal: the run then
/// stops between two files, saves what it did and returns.
pub(crate) async fn run(
    config: &Config,
    options: &RunOptions,
    interrupted: CancellationToken,
    progress: &mut dyn Progress,
) -> Result<Report, RunError> {
    let feeds = config.select_feeds(&options.feeds)?;
    let now = Utc::now();
    let opened = open::open_run(config, options.dry_run, options.wait, now).await?;
    let force = options.force || !options.feeds.is_empty();
    let planned = gather::plan(&opened.state, &feeds, force, now)?;
    let gathered = gather::gather_all(&opened.fetcher, &planned, config.concurrency, now);
    let run = RunContext {
        config,
        outputs: &opened.outputs,
        options,
        state: &opened.state,
        interrupted: &interrupted,
        now,
    };
    let prepared = prepare_all(&run, &opened.fetcher, gathered);
    let report = write_all(&run, prepared, planned.len(), progress).await;
    progress.finished();
    report
}

/// What every step of a run shares.
struct RunContext<'a> {
    config: &'a Config,
    outputs: &'a crate::output::Outputs,
    options: &'a RunOptions,
    state: &'a State,
    interrupted: &'a CancellationToken,
    now: DateTime<Utc>,
}

impl<'a> RunContext<'a> {
    /// What the writing needs of the run.
    fn write_context(&self) -> WriteContext<'a> {
        WriteContext {
            config: self.config,
            outputs: self.outputs,
            state: self.state,
            dry_run: self.options.dry_run,
            now: self.now,
            interrupted: self.interrupted,
        }
    }
}

/// Feeds whose new items are kept and whose article pages are read while
/// earlier feeds are written.
const PAGES_AHEAD: usize = 8;

/// A feed's new articles, ready to be written.
struct ReadyItems {
    articles: Vec<NewArticle>,
    /// Imported before, changed at the source: to update where untouched.
    changed: Vec<(NewArticle, StoredItem)>,
    seen: usize,
    filtered: usize,
    held_back: usize,
    skipped: usize,
    ttl: Option<u32>,
    fixes: Vec<String>,
    /// Entries in the document.
    items: usize,
}

/// A feed ready for its last step, with what the state remembers of it.
struct Prepared<'a> {
    planned: &'a PlannedFeed<'a>,
    outcome: FeedOutcome<ReadyItems>,
    /// What its fetch measured; `None` when it was not due.
    measure: Option<FetchMeasure>,
}

/// Why the feeds stop coming before the last.
enum Stop {
    /// The state cannot be read: the run cannot go on.
    Store(StoreError),
    /// A signal came while the feed's article pages were being read: the
    /// feed is left whole for the next run.
    Interrupted,
}

/// Still in config order and a few feeds ahead of the writing: keeps each
/// feed's new items, then reads their article pages and builds their
/// articles, so that the pages of several feeds are read at once while
/// earlier feeds are written.
fn prepare_all<'a>(
    run: &'a RunContext<'a>,
    fetcher: &'a Fetcher,
    gathered: impl Stream<Item = Gathered<'a>> + 'a,
) -> impl Stream<Item = Result<Prepared<'a>, Stop>> + 'a {
    let mut taken_in_run = Taken::default();
    gathered
        .map(move |gathered| {
            let Gathered {
                planned,
                outcome,
                measure,
            } = gathered;
            // Selected here, in config order, so that an article two feeds
            // bring goes to the first.
            let selected = match outcome {
                FeedOutcome::Fetched { info, items } => {
                    let FeedItems {
                        drafts,
                        skipped,
                        ttl,
                        fixes,
                        policy,
                        about,
                    } = items;
                    select_new(run.state, planned.feed, drafts, &mut taken_in_run, run.now)
                        .map(|selection| FeedOutcome::Fetched {
                            info,
                            items: Selected {
                                selection,
                                skipped,
                                ttl,
                                fixes,
                                policy,
                                about,
                            },
                        })
                        .map_err(Stop::Store)
                }
                FeedOutcome::NoItems(outcome) => Ok(FeedOutcome::NoItems(outcome)),
            };
            async move {
                let outcome = match selected? {
                    FeedOutcome::Fetched { info, items } => {
                        match ready_items(run, fetcher, planned.feed, items).await? {
                            Ok(items) => FeedOutcome::Fetched { info, items },
                            Err(error) => FeedOutcome::NoItems(NoItems::Failed(error)),
                        }
                    }
                    FeedOutcome::NoItems(outcome) => FeedOutcome::NoItems(outcome),
                };
                Ok(Prepared {
                    planned,
                    outcome,
                    measure,
                })
            }
        })
        .buffered(PAGES_AHEAD)
}

/// A feed's items once selected.
struct Selected {
    selection: Selection,
    skipped: usize,
    ttl: Option<u32>,
    fixes: Vec<Fix>,
    policy: AddressPolicy,
    about: DocumentInfo,
}

/// Reads the article pages of a feed's new items and builds their
/// articles, in a task of its own so that pages are read on every core.
async fn ready_items(
    run: &RunContext<'_>,
    fetcher: &Fetcher,
    feed: &FeedConfig,
    selected: Selected,
) -> Result<Result<ReadyItems, FeedError>, Stop> {
    let Selected {
        selection,
        skipped,
        ttl,
        fixes,
        policy,
        about,
    } = selected;
    let settings = ArticleSettings::for_feed(run.config, feed, &about.title, &about.language);
    let items =
        selection.new.len() + selection.seen + selection.filtered + selection.held_back + skipped;
    let (changed_drafts, stored): (Vec<_>, Vec<_>) = selection.changed.into_iter().unzip();
    // New articles are placed and rendered here, in the feed's own task, on
    // every core; the writing keeps that unless the name is taken.
    let format = run.outputs.format(&feed.output).cloned();
    let task = tokio::spawn({
        let (fetcher, feed) = (fetcher.clone(), feed.clone());
        async move {
            let changed = build_articles(
                fetcher.clone(),
                feed.clone(),
                policy,
                settings.clone(),
                changed_drafts,
                None,
            )
            .await;
            let new = build_articles(
                fetcher,
                feed,
                policy,
                settings,
                selection.new,
                format.as_ref(),
            )
            .await;
            (new, changed)
        }
    });
    let mut task = std::pin::pin!(task);
    tokio::select! {
        built = &mut task => Ok(built
            .map(|(articles, changed)| ReadyItems {
                articles,
                changed: changed.into_iter().zip(stored).collect(),
                seen: selection.seen,
                filtered: selection.filtered,
                held_back: selection.held_back,
                skipped,
                ttl,
                fixes: fixes.iter().map(ToString::to_string).collect(),
                items,
            })
            .map_err(|source| FeedError::Internal {
                stage: "reading article pages",
                source,
            })),
        () = run.interrupted.cancelled() => {
            task.abort();
            Err(Stop::Interrupted)
        }
    }
}

/// The article of each new draft, with the preview image of its article
/// page when the feed declares none.
async fn build_articles(
    fetcher: Fetcher,
    feed: FeedConfig,
    policy: AddressPolicy,
    settings: ArticleSettings,
    drafts: Vec<crate::extract::ItemDraft>,
    format: Option<&OutputFormat>,
) -> Vec<NewArticle> {
    let feed_name = feed.name.clone();
    pages::find_page_images(fetcher, feed, policy, drafts)
        .await
        .into_iter()
        .map(|(draft, page_image)| {
            match crate::article::chosen_image(&draft, page_image.as_ref()) {
                Some((url, source)) => {
                    tracing::debug!(feed = %feed_name, title = %draft.title, "image {url}: {source}")
                }
                None => tracing::debug!(
                    feed = %feed_name,
                    title = %draft.title,
                    "no image: none declared in the feed, none from the article page, no meaningful <img> in the content"
                ),
            }
            let article = build_article(&draft, &settings, page_image.as_ref());
            NewArticle {
                first_try: format.and_then(|format| format.first_try(&article)),
                source_hash: crate::updates::source_hash(&draft),
                article,
                draft,
            }
        })
        .collect()
}

/// Writes and records each prepared feed, in config order, committing the
/// state in groups; stops between two feeds at a signal.
async fn write_all<'a>(
    run: &RunContext<'a>,
    prepared: impl Stream<Item = Result<Prepared<'a>, Stop>>,
    total: usize,
    progress: &mut dyn Progress,
) -> Result<Report, RunError> {
    let mut prepared = std::pin::pin!(prepared);
    let mut report = Report {
        dry_run: run.options.dry_run,
        ..Report::default()
    };
    let write_context = run.write_context();
    let mut group = GroupCommit::begin(run.state)?;
    let mut written = 0;
    loop {
        let next = tokio::select! {
            next = prepared.next() => next,
            () = run.interrupted.cancelled() => None,
        };
        let prepared = match next {
            // A feed prepared after the signal may lack its article pages:
            // left whole for the next run.
            Some(Ok(_)) if run.interrupted.is_cancelled() => None,
            Some(Ok(prepared)) => Some(prepared),
            Some(Err(Stop::Store(error))) => return Err(error.into()),
            Some(Err(Stop::Interrupted)) | None => None,
        };
        let Some(prepared) = prepared else {
            report.interrupted = run.interrupted.is_cancelled();
            break;
        };
        let done = finish_feed(run, &write_context, &mut group, prepared, &mut report)?;
        if let Some(record) = done {
            run.state.save_feed_record(&record)?;
        }
        group.between_feeds()?;
        written += report.feeds.last().map_or(0, |f| f.new);
        progress.feed_done(report.feeds.len(), total, written);
        if run.interrupted.is_cancelled() {
            report.interrupted = true;
            break;
        }
    }
    group.finish()?;
    Ok(report)
}

/// The last step of one feed: writes its new articles, adds its line to the
/// report, and returns its record as the fetch changed it (`None`: nothing
/// to save, for a feed not fetched or stopped midway).
fn finish_feed(
    run: &RunContext,
    write_context: &WriteContext,
    group: &mut GroupCommit,
    prepared: Prepared,
    report: &mut Report,
) -> Result<Option<FeedRecord>, RunError> {
    let Prepared {
        planned,
        outcome,
        measure,
    } = prepared;
    let feed = planned.feed;
    let mut facts = measure.map(|measure| FetchFacts {
        http_status: measure.http_status,
        bytes: measure.bytes,
        duration: measure.duration,
        ..FetchFacts::default()
    });
    let mut line = FeedReport::new(&feed.name, &feed.source.to_string());
    let mut previous = planned.record.clone().unwrap_or_else(|| FeedRecord {
        url: feed.source.identity(),
        ..FeedRecord::default()
    });
    previous.name = feed.name.clone();
    let changed = match outcome {
        FeedOutcome::NoItems(outcome) => {
            record_without_items(run, feed, &previous, outcome, &mut line)
        }
        FeedOutcome::Fetched { info, items } => {
            let ttl = items.ttl;
            if let Some(facts) = &mut facts {
                facts.items = Some(items.items as u64);
            }
            let with_image =
                write_items(run, write_context, group, feed, items, &mut line, report)?;
            if let Some(facts) = &mut facts {
                facts.articles = line.new as u64;
                facts.with_image = with_image as u64;
            }
            // Stopped between two files: the validators and schedule are
            // not saved, so that the next run fetches the feed again and
            // writes the rest.
            (!run.interrupted.is_cancelled())
                .then(|| schedule::after_success(&previous, run.now, feed.interval, &info, ttl))
        }
    };
    if line.status != FeedStatus::Failed
        && let Some(moved_to) = changed.as_ref().and_then(|r| r.moved_to.clone())
    {
        tracing::warn!(feed = %feed.name, "the feed moved permanently to {moved_to}: update its url in feeds.toml");
        line.moved_to = Some(moved_to);
    }
    if let Some(mut facts) = facts {
        facts.failed = line.status == FeedStatus::Failed;
        run.state
            .record_fetch(&feed.source.identity(), run.now, &facts)?;
    }
    let record = changed.as_ref().unwrap_or(&previous);
    line.consecutive_failures = record.consecutive_failures;
    line.alert = record.consecutive_failures >= run.config.alert_after_failures;
    report.feeds.push(line);
    Ok(changed)
}

/// A feed that brought nothing to write: its line of the report, and its
/// record as the fetch (if any) changed it.
fn record_without_items(
    run: &RunContext,
    feed: &FeedConfig,
    previous: &FeedRecord,
    outcome: NoItems,
    line: &mut FeedReport,
) -> Option<FeedRecord> {
    match outcome {
        NoItems::NotDue => {
            line.status = FeedStatus::NotDue;
            line.next_due = previous.next_due;
            None
        }
        NoItems::Failed(error) => {
            let message = error_line(&error);
            tracing::warn!(feed = %feed.name, "{message}");
            let chain = error_chain(&error);
            if chain != message {
                tracing::info!(feed = %feed.name, "in full: {chain}");
            }
            line.status = FeedStatus::Failed;
            let retry_after = error.retry_after();
            line.error = Some(error);
            Some(schedule::after_failure(
                previous,
                run.now,
                feed.interval,
                message,
                retry_after,
            ))
        }
        NoItems::NotModified(info) => {
            line.status = FeedStatus::NotModified;
            Some(schedule::after_success(
                previous,
                run.now,
                feed.interval,
                &info,
                None,
            ))
        }
    }
}

/// Writes a feed's new articles and counts them in its line of the report
/// (and keeps them in the report, when asked); returns how many of them
/// have an image. Fails when the content folder or the state cannot be
/// written: the other feeds would fail the same way.
fn write_items(
    run: &RunContext,
    write_context: &WriteContext,
    group: &mut GroupCommit,
    feed: &FeedConfig,
    items: ReadyItems,
    line: &mut FeedReport,
    report: &mut Report,
) -> Result<usize, RunError> {
    line.skipped = items.skipped;
    line.repaired = items.fixes;
    line.seen = items.seen;
    line.filtered = items.filtered;
    line.held_back = items.held_back;
    let written = write_feed(write_context, group, feed, items.articles);
    if let Some(error) = written.error {
        return Err(error.into());
    }
    let updated = crate::updates::update_untouched(write_context, feed, items.changed)?;
    line.updated = updated.rewritten.len();
    line.left_alone = updated.left_alone;
    line.new = written.articles.len();
    line.seen += written.seen;
    let with_image = written
        .articles
        .iter()
        .filter(|a| !a.article.image_url.is_empty())
        .count();
    if run.options.keep_articles {
        report.articles.extend(written.articles);
    }
    Ok(with_image)
}
