//! A run, as a recipe: the steps in their order, each a named function of
//! its own stage (see [`super`] for the list).
//!
//! In: the config, the run's options, a cancellation token and a progress
//! listener. Out: the [`Report`]. Fails with [`RunError`] only when the
//! run cannot go on; a failing feed is a line in the report.

use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;

use super::error::RunError;
use super::gather::{FeedItems, FeedOutcome, FetchMeasure, Gathered, NoItems, PlannedFeed};
use super::select::{Selection, Taken, select_new};
use super::{gather, open, pages};
use crate::article::{ArticleSettings, build_article};
use crate::config::{Config, FeedConfig};
use crate::extract::DocumentInfo;
use crate::fetch::Fetcher;
use crate::fetch::address::AddressPolicy;
use crate::output::OutputFormat;
use crate::parse::repair::Fix;
use crate::report::{FeedError, FeedReport, FeedStatus, Report, error_line};
use crate::schedule;
use crate::store::{FeedRecord, FetchFacts, State, StoreError, StoredItem};
use crate::util::error_chain;
use crate::write::{GroupCommit, NewArticle, WriteContext, write_feed};

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
pub(super) struct RunContext<'a> {
    pub(super) config: &'a Config,
    pub(super) outputs: &'a crate::output::Outputs,
    pub(super) options: &'a RunOptions,
    pub(super) state: &'a State,
    pub(super) interrupted: &'a CancellationToken,
    pub(super) now: DateTime<Utc>,
}

impl<'a> RunContext<'a> {
    /// What the writing needs of the run.
    pub(super) fn write_context(&self) -> WriteContext<'a> {
        WriteContext {
            config: self.config,
            outputs: self.outputs,
            state: self.state,
            dry_run: self.options.dry_run,
            keep_articles: self.options.keep_articles,
            now: self.now,
            interrupted: self.interrupted,
        }
    }
}

/// Feeds whose new items are kept and whose article pages are read while
/// earlier feeds are written.
pub(super) const PAGES_AHEAD: usize = 8;

/// New articles built ahead of the writing, per feed, at most: the
/// articles of a feed with more new items are built as the writing goes,
/// this many at a time, so that a first import of a feed of 100,000 items
/// holds their drafts, not their articles and files.
pub(super) const BUILT_AHEAD: usize = 500;

/// A feed's new articles, ready to be written.
pub(super) struct ReadyItems {
    /// Its new articles, or the first [`BUILT_AHEAD`] of them in the
    /// order they are written in.
    pub(super) articles: Vec<NewArticle>,
    /// The rest of its new items, built as the writing goes.
    pub(super) later: Option<LaterItems>,
    /// Imported before, changed at the source: to update where untouched.
    pub(super) changed: Vec<(NewArticle, StoredItem)>,
    pub(super) seen: usize,
    pub(super) filtered: usize,
    pub(super) held_back: usize,
    pub(super) skipped: usize,
    pub(super) ttl: Option<u32>,
    pub(super) fixes: Vec<String>,
    /// Entries in the document.
    pub(super) items: usize,
}

/// New items of a feed whose articles are built when their turn to be
/// written comes: their drafts, and what building them takes.
pub(super) struct LaterItems {
    /// In the reverse of the order they are written in (the next last).
    drafts: Vec<crate::extract::ItemDraft>,
    fetcher: Fetcher,
    policy: AddressPolicy,
    settings: ArticleSettings,
    format: Option<OutputFormat>,
}

/// A feed ready for its last step, with what the state remembers of it.
pub(super) struct Prepared<'a> {
    pub(super) planned: &'a PlannedFeed<'a>,
    pub(super) outcome: FeedOutcome<ReadyItems>,
    /// What its fetch measured; `None` when it was not due.
    pub(super) measure: Option<FetchMeasure>,
}

/// Why the feeds stop coming before the last.
pub(super) enum Stop {
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
pub(super) fn prepare_all<'a>(
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
pub(super) struct Selected {
    pub(super) selection: Selection,
    pub(super) skipped: usize,
    pub(super) ttl: Option<u32>,
    pub(super) fixes: Vec<Fix>,
    pub(super) policy: AddressPolicy,
    pub(super) about: DocumentInfo,
}

/// Reads the article pages of a feed's new items and builds their
/// articles, in a task of its own so that pages are read on every core.
pub(super) async fn ready_items(
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
    let mut new = selection.new;
    let later = (new.len() > BUILT_AHEAD).then(|| {
        // Stable: the order `write_feed` gives them, across the parts.
        new.sort_by_key(|d| d.date);
        // The rest in a list of its own size, the next part last, so that
        // parts come off its end without another list of what is left.
        let mut rest = new.split_off(BUILT_AHEAD);
        rest.reverse();
        LaterItems {
            drafts: rest,
            fetcher: fetcher.clone(),
            policy,
            settings: settings.clone(),
            format: format.clone(),
        }
    });
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
            let new = build_articles(fetcher, feed, policy, settings, new, format.as_ref()).await;
            (new, changed)
        }
    });
    let mut task = std::pin::pin!(task);
    tokio::select! {
        built = &mut task => Ok(built
            .map(|(articles, changed)| ReadyItems {
                articles,
                later,
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
pub(super) async fn build_articles(
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
                source_hash: crate::write::updates::source_hash(&draft),
                article,
                draft,
            }
        })
        .collect()
}

/// Writes and records each prepared feed, in config order, committing the
/// state in groups; stops between two feeds at a signal.
pub(super) async fn write_all<'a>(
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
        let done = finish_feed(run, &write_context, &mut group, prepared, &mut report).await?;
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
pub(super) async fn finish_feed(
    run: &RunContext<'_>,
    write_context: &WriteContext<'_>,
    group: &mut GroupCommit<'_>,
    prepared: Prepared<'_>,
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
    line.identity = feed.source.identity();
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
                write_items(run, write_context, group, feed, items, &mut line, report).await?;
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
    line.alert = schedule::is_failing(record, run.config.alert_after_failures);
    report.feeds.push(line);
    Ok(changed)
}

/// A feed that brought nothing to write: its line of the report, and its
/// record as the fetch (if any) changed it.
pub(super) fn record_without_items(
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
pub(super) async fn write_items(
    run: &RunContext<'_>,
    write_context: &WriteContext<'_>,
    group: &mut GroupCommit<'_>,
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
    let mut with_image = write_new(
        run,
        write_context,
        group,
        feed,
        items.articles,
        line,
        report,
    )?;
    if let Some(mut later) = items.later {
        while !later.drafts.is_empty() && !run.interrupted.is_cancelled() {
            let mut part = later
                .drafts
                .split_off(later.drafts.len().saturating_sub(BUILT_AHEAD));
            part.reverse();
            let built = build_articles(
                later.fetcher.clone(),
                feed.clone(),
                later.policy,
                later.settings.clone(),
                part,
                later.format.as_ref(),
            )
            .await;
            with_image += write_new(run, write_context, group, feed, built, line, report)?;
        }
    }
    let updated =
        crate::write::updates::update_untouched(write_context, group, feed, items.changed)?;
    line.updated = updated.rewritten.len();
    line.left_alone = updated.left_alone;
    line.skipped += updated.skipped.len();
    line.skipped_items.extend(updated.skipped);
    Ok(with_image)
}

/// Writes new articles of a feed (all of them, or one part) and adds them
/// to its line of the report; returns how many have an image.
fn write_new(
    run: &RunContext,
    write_context: &WriteContext,
    group: &mut GroupCommit,
    feed: &FeedConfig,
    articles: Vec<NewArticle>,
    line: &mut FeedReport,
    report: &mut Report,
) -> Result<usize, RunError> {
    let written = write_feed(write_context, group, feed, articles);
    if let Some(error) = written.error {
        return Err(error.into());
    }
    line.new += written.articles.len();
    line.seen += written.seen;
    line.skipped += written.skipped.len();
    line.skipped_items.extend(written.skipped);
    let with_image = written.articles.iter().filter(|a| a.has_image).count();
    if run.options.keep_articles {
        report.articles.extend(written.articles);
    }
    Ok(with_image)
}
