//! The one place that knows the order of the stages.
//!
//! Per run: take the run lock, open the state (learning the content folder
//! when the state is new) and decide which feeds are due. Then for every due
//! feed, up to `concurrency` at once, in its own task: fetch (conditionally)
//! → parse → extract. Then, one feed at a time in config order: keep the
//! items never imported that the feed's rules accept, read article pages for
//! missing images, write the files and record them, then save what the feed
//! taught (validators, schedule, health).
//!
//! Fails with [`RunError`] only when the run cannot go on (config, lock,
//! state or content folder); a failing feed is a line in the [`Report`].

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::config::{Config, FeedConfig, FeedSource};
use crate::extract::{self, FeedContext, ItemDraft, preview_image};
use crate::fetch::{
    AddressPolicy, FetchError, FetchInfo, FetchOutcome, Fetcher, Validators, error_chain,
};
use crate::parse::parse_feed;
use crate::report::{FeedReport, FeedStatus, Report};
use crate::schedule;
use crate::store::{
    FeedRecord, LockError, State, StoreError, lock_waiting, remove_stale_temp_files, try_lock,
};
use crate::write::{GroupCommit, WriteContext, timestamp, write_feed};

/// How a run behaves.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Change nothing on disk: no files, no state.
    pub dry_run: bool,
    /// Only these feeds (all when empty); named feeds are fetched even when
    /// not due.
    pub feeds: Vec<String>,
    /// Fetch every feed, due or not.
    pub force: bool,
    /// Wait for another run to end instead of exiting.
    pub wait: bool,
    /// Show a progress line on stderr (only when it is a terminal).
    pub progress: bool,
    /// Keep every article's fields in the report (for `--json` and the dry
    /// run's listing). Without it the report only counts them, so that a
    /// first import of 100,000 articles does not hold them all in memory.
    pub keep_articles: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Locked(LockError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot start the HTTP client: {0}")]
    Client(String),
}

impl From<LockError> for RunError {
    fn from(error: LockError) -> Self {
        match error {
            LockError::Store(e) => RunError::Store(e),
            held => RunError::Locked(held),
        }
    }
}

/// What one feed's fetch, parse and extraction gave.
enum Gathered {
    NotDue,
    NotModified(FetchInfo),
    Items {
        drafts: Vec<ItemDraft>,
        skipped: usize,
        info: FetchInfo,
        /// The feed's `<ttl>`, in minutes.
        ttl: Option<u32>,
        /// What the document needed repaired before it would parse.
        fixes: Vec<String>,
    },
    Failed(FetchFailure),
}

struct FetchFailure {
    message: String,
    retry_after: Option<Duration>,
}

/// Runs the import. `interrupted` is cancelled by a signal: the run then
/// stops between two files, saves what it did and returns.
pub async fn run(
    config: &Config,
    options: &RunOptions,
    interrupted: CancellationToken,
) -> Result<Report, RunError> {
    let feeds = config.select_feeds(&options.feeds)?;
    // A dry run changes nothing, so it needs no lock.
    let _lock = match (options.dry_run, options.wait) {
        (true, _) => None,
        (false, false) => Some(try_lock(&config.state_dir)?),
        (false, true) => {
            let dir = config.state_dir.clone();
            let lock = tokio::task::spawn_blocking(move || lock_waiting(&dir))
                .await
                .map_err(|e| RunError::Client(format!("internal error while waiting: {e}")))?;
            Some(lock?)
        }
    };
    if !options.dry_run {
        // Under the lock: what a killed run left half-done is ours to clear.
        let sections: std::collections::BTreeSet<&str> =
            config.feeds.iter().map(|f| f.section.as_str()).collect();
        for section in sections {
            let dir = config.section_dir(section);
            match remove_stale_temp_files(&dir) {
                Ok(0) => {}
                Ok(removed) => {
                    tracing::info!(folder = %dir.display(), removed, "removed temporary files left by an interrupted run")
                }
                Err(source) => return Err(StoreError::Io { path: dir, source }.into()),
            }
        }
    }
    let now = Utc::now();
    let state = if options.dry_run {
        State::open_in_memory_copy(&config.state_dir)?
    } else {
        State::open(&config.state_dir)?
    };
    if state.is_fresh() {
        let found = state.reconcile_from_content(&config.content_dir, &timestamp(now))?;
        if found > 0 {
            tracing::info!(
                found,
                "no import state yet: articles already in the content folder will not be imported again"
            );
        }
    }

    let fetcher = Fetcher::new(&config.fetch).map_err(|e| RunError::Client(e.to_string()))?;
    let force = options.force || !options.feeds.is_empty();
    let mut planned = Vec::with_capacity(feeds.len());
    for feed in feeds {
        let record = state.feed_record(&feed.source.identity())?;
        let due = force || schedule::is_due(record.as_ref(), now, feed.interval);
        planned.push((feed, record, due));
    }

    let mut report = Report {
        dry_run: options.dry_run,
        ..Report::default()
    };
    // Each due feed is fetched, parsed and read in its own task, up to
    // `concurrency` at once; `buffered` hands the results over in config
    // order, so that permalinks do not depend on which server answers first.
    let gathered = futures_util::stream::iter(planned.iter())
        .map(|(feed, record, due)| {
            let task = due.then(|| {
                let (source, validators) = fetch_target(feed, record.as_ref());
                tokio::spawn(gather(
                    fetcher.clone(),
                    feed.clone(),
                    source,
                    validators,
                    now,
                ))
            });
            async move {
                let result = match task {
                    None => Gathered::NotDue,
                    Some(task) => task.await.unwrap_or_else(|e| {
                        Gathered::Failed(FetchFailure {
                            message: format!("internal error while reading the feed: {e}"),
                            retry_after: None,
                        })
                    }),
                };
                (feed, record, result)
            }
        })
        .buffered(config.concurrency);

    // Then, still in config order and a few feeds ahead of the writing:
    // keep the new items, and read their article pages, so that the pages
    // of several feeds are fetched at once.
    let (state_ref, fetcher_ref, interrupted_ref) = (&state, &fetcher, &interrupted);
    let mut prepared = gathered
        .map(move |(feed, record, result)| {
            let result = match result {
                Gathered::Items {
                    drafts,
                    skipped,
                    info,
                    ttl,
                    fixes,
                } => match select_new(state_ref, feed, drafts, now) {
                    Ok(selection) => Prepared::Selected {
                        selection,
                        skipped,
                        info,
                        ttl,
                        fixes,
                    },
                    Err(error) => Prepared::StoreFailed(error),
                },
                other => Prepared::Other(other),
            };
            async move {
                let mut result = result;
                if let Prepared::Selected { selection, .. } = &mut result {
                    // In a task of its own, so that pages are read on every
                    // core while earlier feeds are being written.
                    let drafts = std::mem::take(&mut selection.new);
                    let mut pages =
                        tokio::spawn(find_page_images(fetcher_ref.clone(), feed.clone(), drafts));
                    tokio::select! {
                        found = &mut pages => match found {
                            Ok(drafts) => selection.new = drafts,
                            Err(e) => {
                                result = Prepared::Other(Gathered::Failed(FetchFailure {
                                    message: format!("internal error while reading article pages: {e}"),
                                    retry_after: None,
                                }));
                            }
                        },
                        () = interrupted_ref.cancelled() => pages.abort(),
                    }
                }
                (feed, record, result)
            }
        })
        .buffered(PAGES_AHEAD);

    let write_context = WriteContext {
        config,
        state: &state,
        dry_run: options.dry_run,
        now,
        interrupted: &interrupted,
    };
    let mut group = GroupCommit::begin(&state)?;
    loop {
        let next = tokio::select! {
            next = prepared.next() => next,
            () = interrupted.cancelled() => None,
        };
        let Some((feed, record, result)) = next else {
            report.interrupted = interrupted.is_cancelled();
            break;
        };
        if interrupted.is_cancelled() {
            // A feed prepared after the signal may lack its article pages:
            // left whole for the next run.
            report.interrupted = true;
            break;
        }
        let mut feed_report = FeedReport::new(&feed.name, &feed.source.to_string());
        let mut record = record.clone().unwrap_or_else(|| FeedRecord {
            url: feed.source.identity(),
            ..FeedRecord::default()
        });
        record.name = feed.name.clone();
        let mut store_error = None;
        let mut keep_record = true;
        match result {
            Prepared::StoreFailed(error) => return Err(error.into()),
            Prepared::Other(Gathered::Items { .. }) => {
                // Items are always selected before they reach here.
                feed_report.status = FeedStatus::Failed;
                feed_report.error = Some("internal error: items not selected".to_string());
            }
            Prepared::Other(Gathered::NotDue) => {
                feed_report.status = FeedStatus::NotDue;
                feed_report.next_due = record.next_due.map(|t| t.to_rfc3339());
            }
            Prepared::Other(Gathered::Failed(failure)) => {
                tracing::warn!(feed = %feed.name, "{}", failure.message);
                feed_report.status = FeedStatus::Failed;
                feed_report.error = Some(failure.message.clone());
                record.last_fetch = Some(now);
                record.consecutive_failures = record.consecutive_failures.saturating_add(1);
                record.last_error = Some(failure.message);
                record.next_due = Some(schedule::next_after_failure(
                    now,
                    feed.interval,
                    record.consecutive_failures,
                    failure.retry_after,
                ));
            }
            Prepared::Other(Gathered::NotModified(info)) => {
                feed_report.status = FeedStatus::NotModified;
                succeeded(&mut record, &mut feed_report, feed, &info, None, now);
            }
            Prepared::Selected {
                selection,
                skipped,
                info,
                ttl,
                fixes,
            } => {
                feed_report.skipped = skipped;
                feed_report.repaired = fixes;
                feed_report.seen = selection.seen;
                feed_report.filtered = selection.filtered;
                let outcome = write_feed(&write_context, &mut group, feed, selection.new);
                feed_report.new = outcome.articles.len();
                feed_report.seen += outcome.seen;
                if options.keep_articles {
                    report.articles.extend(outcome.articles);
                }
                match outcome.error {
                    None if interrupted.is_cancelled() => {
                        // Stopped between two files: the feed's validators
                        // and schedule are not saved, so that the next run
                        // fetches it again and writes the rest.
                        keep_record = false;
                    }
                    None => succeeded(&mut record, &mut feed_report, feed, &info, ttl, now),
                    Some(error) => {
                        feed_report.status = FeedStatus::Failed;
                        feed_report.error = Some(error.to_string());
                        store_error = Some(error);
                    }
                }
            }
        }
        feed_report.consecutive_failures = record.consecutive_failures;
        feed_report.alert = record.consecutive_failures >= config.alert_after_failures;
        report.feeds.push(feed_report);
        if let Some(error) = store_error {
            // The content folder or the state cannot be written: the other
            // feeds would fail the same way.
            return Err(error.into());
        }
        if keep_record && result_touched_record(&report) {
            state.save_feed_record(&record)?;
        }
        group.between_feeds()?;
        if options.progress {
            show_progress(&report, planned.len());
        }
        if interrupted.is_cancelled() {
            report.interrupted = true;
            break;
        }
    }
    group.finish()?;
    if options.progress {
        // Clear the progress line: the summary takes its place.
        eprint!("\r\x1b[2K");
    }
    Ok(report)
}

/// One line, rewritten in place: feeds done, articles written.
fn show_progress(report: &Report, feeds: usize) {
    let new: usize = report.feeds.iter().map(|f| f.new).sum();
    eprint!(
        "\r\x1b[2Kfeeds {}/{feeds}, {new} new {}",
        report.feeds.len(),
        if new == 1 { "article" } else { "articles" }
    );
}

/// Whether the last feed of the report was fetched (and so its record
/// changed).
fn result_touched_record(report: &Report) -> bool {
    report
        .feeds
        .last()
        .is_some_and(|f| f.status != FeedStatus::NotDue)
}

/// A fetch that worked (new items or not modified): remember the validators,
/// reset the failures, plan the next fetch.
fn succeeded(
    record: &mut FeedRecord,
    feed_report: &mut FeedReport,
    feed: &FeedConfig,
    info: &FetchInfo,
    ttl: Option<u32>,
    now: DateTime<Utc>,
) {
    record.last_fetch = Some(now);
    record.last_success = Some(now);
    record.consecutive_failures = 0;
    record.last_error = None;
    // A 304 may omit the validators: keep the ones we sent.
    if info.validators.etag.is_some() || info.validators.last_modified.is_some() {
        record.etag = info.validators.etag.clone();
        record.last_modified = info.validators.last_modified.clone();
    }
    if let Some(moved_to) = &info.moved_to {
        record.moved_to = Some(moved_to.to_string());
    }
    if let Some(moved_to) = &record.moved_to {
        tracing::warn!(feed = %feed.name, "the feed moved permanently to {moved_to}: update its url in feeds.toml");
        feed_report.moved_to = Some(moved_to.clone());
    }
    record.next_due = Some(schedule::next_after_success(
        now,
        feed.interval,
        ttl,
        info.max_age,
    ));
}

/// Where to fetch a feed and with which validators: its new home when it
/// moved permanently, and the validators only when they belong to that URL.
fn fetch_target(
    feed: &FeedConfig,
    record: Option<&FeedRecord>,
) -> (FeedSource, Option<Validators>) {
    let Some(record) = record.filter(|r| r.url == feed.source.identity()) else {
        return (feed.source.clone(), None);
    };
    let source = match record.moved_to.as_deref().and_then(|u| Url::parse(u).ok()) {
        Some(moved) if matches!(feed.source, FeedSource::Http(_)) => FeedSource::Http(moved),
        _ => feed.source.clone(),
    };
    let validators = Validators {
        etag: record.etag.clone(),
        last_modified: record.last_modified.clone(),
    };
    let known = validators.etag.is_some() || validators.last_modified.is_some();
    (source, known.then_some(validators))
}

/// Fetch → parse → extract, for one feed. The parsing runs off the async
/// threads so that slow feeds keep downloading meanwhile.
async fn gather(
    fetcher: Fetcher,
    feed: FeedConfig,
    source: FeedSource,
    validators: Option<Validators>,
    now: DateTime<Utc>,
) -> Gathered {
    let fetched = match fetcher.fetch(&source, validators.as_ref()).await {
        Ok(FetchOutcome::NotModified(info)) => return Gathered::NotModified(info),
        Ok(FetchOutcome::Fetched(fetched)) => fetched,
        Err(error) => return Gathered::Failed(failure(&error)),
    };
    let identity = feed.source.identity();
    let base = fetched.final_url.clone();
    let result = tokio::task::spawn_blocking(move || {
        let _span = tracing::info_span!("feed", name = %feed.name).entered();
        let info = fetched.info;
        let parsed = parse_feed(fetched.body, fetched.content_type.as_deref(), base.as_ref())
            .map_err(|e| e.to_string())?;
        let fixes: Vec<String> = parsed.fixes.iter().map(ToString::to_string).collect();
        if !fixes.is_empty() {
            tracing::warn!("the feed is broken and needed repair: {}", fixes.join(", "));
        }
        let context = FeedContext {
            feed_identity: &identity,
            feed_url: base.as_ref(),
            now,
        };
        let (drafts, skipped) = extract::extract_items(&parsed.feed, &context);
        for item in &skipped {
            tracing::warn!(title = %item.title, "item skipped: {}", item.reason);
        }
        Ok::<_, String>(Gathered::Items {
            drafts,
            skipped: skipped.len(),
            info,
            ttl: parsed.feed.ttl,
            fixes,
        })
    })
    .await;
    match result {
        Ok(Ok(gathered)) => gathered,
        Ok(Err(message)) => Gathered::Failed(FetchFailure {
            message,
            retry_after: None,
        }),
        Err(e) => Gathered::Failed(FetchFailure {
            message: format!("internal error while parsing: {}", error_chain(&e)),
            retry_after: None,
        }),
    }
}

fn failure(error: &FetchError) -> FetchFailure {
    FetchFailure {
        message: error.to_string(),
        retry_after: error.retry_after(),
    }
}

/// Feeds whose new items are kept and whose article pages are read while
/// earlier feeds are written.
const PAGES_AHEAD: usize = 8;

/// A feed ready to be written, or what else came of it.
enum Prepared {
    Selected {
        selection: Selection,
        skipped: usize,
        info: FetchInfo,
        ttl: Option<u32>,
        fixes: Vec<String>,
    },
    /// Not due, not modified or failed.
    Other(Gathered),
    StoreFailed(StoreError),
}

/// The items of one feed that are to be imported now.
struct Selection {
    new: Vec<ItemDraft>,
    /// Imported before (or twice in this feed).
    seen: usize,
    /// Left out by the feed's include, exclude or max_age rules.
    filtered: usize,
}

/// Keeps the items never imported that the feed's editorial rules accept.
fn select_new(
    state: &State,
    feed: &FeedConfig,
    drafts: Vec<ItemDraft>,
    now: DateTime<Utc>,
) -> Result<Selection, StoreError> {
    let mut selection = Selection {
        new: Vec::new(),
        seen: 0,
        filtered: 0,
    };
    let mut batch_keys = HashSet::new();
    let mut batch_urls = HashSet::new();
    for draft in drafts {
        let repeated = !batch_keys.insert(draft.key.clone())
            || !batch_urls.insert(draft.source_url.as_str().to_string());
        if repeated || state.is_imported(&draft.key, draft.source_url.as_str())? {
            selection.seen += 1;
        } else if !accepted(feed, &draft, now) {
            selection.filtered += 1;
        } else {
            selection.new.push(draft);
        }
    }
    Ok(selection)
}

/// The feed's include, exclude and max_age rules.
fn accepted(feed: &FeedConfig, draft: &ItemDraft, now: DateTime<Utc>) -> bool {
    let fields = || {
        std::iter::once(draft.title.as_str())
            .chain(std::iter::once(draft.summary.as_str()))
            .chain(draft.categories.iter().map(String::as_str))
    };
    let matches = |patterns: &[regex::Regex]| {
        patterns
            .iter()
            .any(|p| fields().any(|field| p.is_match(field)))
    };
    if !feed.include.is_empty() && !matches(&feed.include) {
        return false;
    }
    if matches(&feed.exclude) {
        return false;
    }
    if let Some(max_age) = feed.max_age
        && draft.date_source != extract::DateSource::FirstImport
        && let Ok(max_age) = chrono::Duration::from_std(max_age)
        && draft.date < now - max_age
    {
        return false;
    }
    true
}

/// For new items whose feed declares no image, reads the preview image the
/// publisher set on the article page. Only pages on the feed's own host (or
/// its `article_hosts`) are fetched; a page that fails is a warning.
async fn find_page_images(
    fetcher: Fetcher,
    feed: FeedConfig,
    mut drafts: Vec<ItemDraft>,
) -> Vec<ItemDraft> {
    let (fetcher, feed) = (&fetcher, &feed);
    if !feed.article_images {
        return drafts;
    }
    let wanted: Vec<(usize, Url)> = drafts
        .iter()
        .enumerate()
        .filter(|(_, d)| d.declared_image.is_none() && page_allowed(feed, &d.source_url))
        .map(|(i, d)| (i, d.source_url.clone()))
        .collect();
    if wanted.is_empty() {
        return drafts;
    }
    // A feed on a private address (an intranet, a test server) may have its
    // pages there too; a public feed's links may not lead inside.
    let policy = match &feed.source {
        FeedSource::Http(url) if crate::address::is_private_host(url).await => AddressPolicy::Any,
        _ => AddressPolicy::PublicOnly,
    };
    let found: Vec<(usize, Option<Url>)> = futures_util::stream::iter(wanted)
        .map(|(index, url)| async move {
            match fetcher.fetch_page_head(&url, policy).await {
                Ok(head) => (index, preview_image(&head.html, &head.final_url)),
                Err(e) => {
                    tracing::warn!(
                        feed = %feed.name,
                        page = %url,
                        "cannot read the article page for its image: {e}"
                    );
                    (index, None)
                }
            }
        })
        .buffer_unordered(PAGE_FETCHES_PER_FEED)
        .collect()
        .await;
    for (index, image) in found {
        drafts[index].page_image = image;
    }
    drafts
}

/// Article pages fetched at once for one feed (the per-host limit applies
/// on top).
const PAGE_FETCHES_PER_FEED: usize = 16;

/// Is the article at `url` on the feed's own host, or on a host the feed
/// allows? `www.` does not make a host different.
fn page_allowed(feed: &FeedConfig, url: &Url) -> bool {
    let Some(host) = url.host_str().map(|h| h.to_ascii_lowercase()) else {
        return false;
    };
    let bare = |h: &str| h.trim_start_matches("www.").to_string();
    let feed_host = match &feed.source {
        FeedSource::Http(feed_url) => feed_url.host_str().map(|h| bare(&h.to_ascii_lowercase())),
        FeedSource::File(_) => None,
    };
    feed_host.as_deref() == Some(bare(&host).as_str())
        || feed
            .article_hosts
            .iter()
            .any(|allowed| bare(allowed) == bare(&host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn article_pages_only_on_the_feed_host_or_its_article_hosts() {
        let text = r#"
[[feeds]]
name = "News"
url = "https://www.news.example.org/feed/"
section = "papers"
article_hosts = ["cdn.example.net"]

[[feeds]]
name = "Saved"
url = "saved.xml"
section = "papers"
"#;
        let config = Config::parse(text, Path::new("feeds.toml"), Path::new(".")).unwrap();
        let (news, saved) = (&config.feeds[0], &config.feeds[1]);
        let allowed = |feed, url: &str| page_allowed(feed, &Url::parse(url).unwrap());
        assert!(allowed(news, "https://news.example.org/a/"));
        assert!(allowed(news, "https://WWW.News.Example.org/a/"));
        assert!(allowed(news, "http://cdn.example.net/a/"));
        assert!(!allowed(news, "https://elsewhere.example/a/"));
        assert!(!allowed(news, "https://example.org/a/"));
        assert!(!allowed(news, "https://news.example.org.evil.example/a/"));
        // A saved feed has no host of its own.
        assert!(!allowed(saved, "https://news.example.org/a/"));
    }
}
