//! `backfill`: a feed's older items, page after page, through the run's
//! own steps.
//!
//! In: one feed of the config and how far to go. Out: a [`Backfill`]: the
//! run's report (one line for the feed, the pages' counts added up), the
//! pages read and why the backfill ended. Each page is fetched through the
//! run's client (per-host limit, retries, the feed's address rule), parsed
//! and extracted as a run does ([`gather::read_parsed`]), its items kept
//! by [`select_new`] (the same rules, state and de-duplication), their
//! pages read and articles built ([`ready_items`]), written and recorded
//! ([`write_items`]), all under the run lock. Where the next page is comes
//! from [`crate::pipeline::paging`]. Between two pages it pauses; the page it would
//! read next is saved in the state when it stops early (the page limit, a
//! failure, a signal), and the next backfill of the feed starts there.
//! Fails with [`RunError`] only when the run could not go on either.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;
use url::Url;

use super::error::RunError;
use super::gather;
use super::open;
use super::run::{Progress, ReadyItems, RunContext, RunOptions, Selected, Stop};
use super::run::{ready_items, write_items};
use super::select::{Taken, oldest_accepted, select_new};
use crate::config::{Config, FeedChoiceError, FeedConfig, FeedSource};
use crate::extract::DateSource;
use crate::fetch::address::AddressPolicy;
use crate::fetch::{FetchError, FetchOutcome, Fetcher};
use crate::parse::parse_feed;
use crate::pipeline::paging::{NextPage, json_next_url, may_fetch, next_page, repeats};
use crate::report::{FeedError, FeedReport, FeedStatus, Report};
use crate::write::{GroupCommit, WriteContext};

/// How far a backfill goes.
#[derive(Debug, Clone)]
pub(crate) struct BackfillOptions {
    /// The feed, by its name in the config.
    pub(crate) name: String,
    /// Pages read at most, the first included.
    pub(crate) pages: usize,
    /// No item older than this is imported.
    pub(crate) until: Option<DateTime<Utc>>,
    pub(crate) dry_run: bool,
    /// Between two pages.
    pub(crate) pause: Duration,
}

/// Why a backfill ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ended {
    /// `--pages` pages were read; the next backfill goes on from there.
    PageLimit,
    /// A page held nothing that was not imported already.
    NothingNew,
    /// The feed names no page further back.
    NoMorePages,
    /// A page answered 404 or 410: past the end of the history.
    Gone(u16),
    /// A page held the same items as the one before.
    Repeated,
    /// A page held only items older than `--until`.
    Until,
    Interrupted,
    /// A page could not be read; the next backfill starts again from it.
    Failed,
    /// The next page's link leads to another host, or from a public feed
    /// to a private address: not followed.
    Refused,
}

/// What a backfill did.
pub(crate) struct Backfill {
    pub(crate) report: Report,
    pub(crate) pages: usize,
    pub(crate) ended: Ended,
    /// Why the page that failed could not be read.
    pub(crate) failure: Option<String>,
}

/// One page of the feed, read.
struct Page {
    items: gather::FeedItems,
    next: Option<NextPage>,
}

/// Imports the older items of the feed `options` names.
pub(crate) async fn backfill(
    config: &Config,
    options: &BackfillOptions,
    interrupted: CancellationToken,
    progress: &mut dyn Progress,
) -> Result<Backfill, RunError> {
    let feed = the_feed(config, &options.name)?;
    let FeedSource::Http(configured) = &feed.source else {
        return Err(FeedChoiceError::NotHttp {
            name: feed.name.clone(),
        }
        .into());
    };
    let now = Utc::now();
    let opened = open::open_run(config, options.dry_run, false, now).await?;
    let state = &opened.state;
    let identity = feed.source.identity();
    let policy = AddressPolicy::of_source(&feed.source).await;
    let (mut walk, hosts) = Walk::start(state, &feed, configured, policy)?;
    let run_options = RunOptions {
        dry_run: options.dry_run,
        keep_articles: options.dry_run,
        ..RunOptions::default()
    };
    let run = RunContext {
        config,
        outputs: &opened.outputs,
        options: &run_options,
        state,
        interrupted: &interrupted,
        now,
    };
    let mut history = History {
        write_context: run.write_context(),
        run,
        fetcher: &opened.fetcher,
        feed: &feed,
        policy,
        hosts,
        // The feed's max_age leaves older items out anyway: pages past it
        // are not worth reading.
        until: options
            .until
            .into_iter()
            .chain(feed.max_age.and_then(|age| oldest_accepted(now, age)))
            .max(),
        group: GroupCommit::begin(state)?,
        report: Report {
            dry_run: options.dry_run,
            ..Report::default()
        },
        line: FeedReport::new(&feed.name, configured.as_str()),
        pages: 0,
        failure: None,
    };
    let ended = history.walk(&mut walk, options, progress).await?;
    if !options.dry_run {
        // Where the next backfill goes on: the page not read yet, or the
        // one that failed or was cut short; none once the history ended.
        let bookmark = matches!(ended, Ended::PageLimit | Ended::Interrupted | Ended::Failed)
            .then(|| walk.url.as_str());
        state.set_backfill_next(&identity, bookmark)?;
    }
    let done = history.finish(ended)?;
    progress.finished();
    Ok(done)
}

/// Where the backfill is in the feed's history.
struct Walk {
    /// At the feed's own URL (not a page of its history).
    at_feed: bool,
    url: Url,
    /// The page's number in WordPress's paging.
    number: usize,
    /// Pages read (never read twice).
    read: HashSet<Url>,
    previous_keys: Option<HashSet<String>>,
    /// Items taken by earlier pages.
    taken: Taken,
}

impl Walk {
    /// Where to start: where an earlier backfill stopped early, if that
    /// page is still the feed's, else the feed itself (where it moved, as
    /// a run fetches it). Also the hosts the pages may be on: the
    /// configured URL's and its new home's.
    fn start(
        state: &crate::store::State,
        feed: &FeedConfig,
        configured: &Url,
        policy: AddressPolicy,
    ) -> Result<(Walk, Vec<String>), RunError> {
        let identity = feed.source.identity();
        let record = state.feed_record(&identity)?;
        let first = match gather::fetch_target(feed, record.as_ref()).0 {
            FeedSource::Http(url) => url,
            FeedSource::File(_) => configured.clone(),
        };
        let hosts: Vec<String> = [configured.host_str(), first.host_str()]
            .into_iter()
            .flatten()
            .map(str::to_string)
            .collect();
        let resumed = state
            .backfill_next(&identity)?
            .and_then(|u| Url::parse(&u).ok())
            .filter(|u| may_fetch(u, &hosts, policy).is_ok());
        if let Some(page) = &resumed {
            tracing::info!(feed = %feed.name, "going on from {page}, where the last backfill stopped");
        }
        let walk = Walk {
            at_feed: resumed.is_none(),
            url: resumed.unwrap_or(first),
            number: 1,
            read: HashSet::new(),
            previous_keys: None,
            taken: Taken::default(),
        };
        Ok((walk, hosts))
    }
}

/// A backfill under way: what its pages share, and what they did.
struct History<'a> {
    run: RunContext<'a>,
    write_context: WriteContext<'a>,
    fetcher: &'a Fetcher,
    feed: &'a FeedConfig,
    policy: AddressPolicy,
    /// The hosts the pages may be on.
    hosts: Vec<String>,
    until: Option<DateTime<Utc>>,
    group: GroupCommit<'a>,
    report: Report,
    /// The feed's line of the report: every page's counts added up.
    line: FeedReport,
    pages: usize,
    failure: Option<String>,
}

/// What importing one page came to.
enum Imported {
    /// Written and recorded (or, in a dry run, listed).
    Done {
        nothing_new: bool,
    },
    Failed,
    Interrupted,
}

impl History<'_> {
    /// Commits what the walk recorded and says how the backfill ended.
    fn finish(self, ended: Ended) -> Result<Backfill, RunError> {
        let History {
            group,
            mut report,
            mut line,
            pages,
            failure,
            ..
        } = self;
        group.finish()?;
        if matches!(ended, Ended::Failed | Ended::Refused) {
            line.status = FeedStatus::Failed;
        }
        report.interrupted = ended == Ended::Interrupted;
        report.feeds.push(line);
        Ok(Backfill {
            report,
            pages,
            ended,
            failure,
        })
    }

    /// Reads and imports page after page, from `walk`'s, until one of the
    /// ends.
    async fn walk(
        &mut self,
        walk: &mut Walk,
        options: &BackfillOptions,
        progress: &mut dyn Progress,
    ) -> Result<Ended, RunError> {
        let interrupted = self.run.interrupted;
        loop {
            if interrupted.is_cancelled()
                || (self.pages > 0 && pause(options.pause, interrupted).await)
            {
                return Ok(Ended::Interrupted);
            }
            walk.read.insert(walk.url.clone());
            // A signal does not wait for a page that is slow to come.
            let read = tokio::select! {
                read = read_page(self.fetcher, self.feed, walk, &self.hosts, self.policy, self.run.now) => read,
                () = interrupted.cancelled() => return Ok(Ended::Interrupted),
            };
            let page = match read {
                Ok(page) => page,
                Err(FeedError::Fetch(FetchError::Status { status, .. }))
                    if self.pages > 0 && matches!(status, 404 | 410) =>
                {
                    return Ok(Ended::Gone(status));
                }
                Err(error) => {
                    let message = crate::util::error_chain(&error);
                    self.failure = Some(format!("{}: {message}", walk.url));
                    self.line.error = Some(error);
                    return Ok(Ended::Failed);
                }
            };
            let first = self.pages == 0;
            self.pages += 1;
            let keys: HashSet<String> = page.items.drafts.iter().map(|d| d.key.clone()).collect();
            if !first && repeats(walk.previous_keys.as_ref(), &keys) {
                return Ok(Ended::Repeated);
            }
            let Page { mut items, next } = page;
            // A page that came from a public address makes the rest of the
            // walk, and this page's article pages, public-only.
            self.policy = items.policy;
            let (older, only_older) = drop_older(&mut items.drafts, self.until);
            self.line.filtered += older;
            let nothing_new = match self.import(walk, items).await? {
                Imported::Done { nothing_new } => nothing_new,
                Imported::Failed => return Ok(Ended::Failed),
                Imported::Interrupted => return Ok(Ended::Interrupted),
            };
            progress.feed_done(self.pages, options.pages, self.line.new);
            walk.previous_keys = Some(keys);
            if only_older {
                return Ok(Ended::Until);
            }
            // The first page read is read through even when nothing on it
            // is new: a run has imported it already.
            if !first && nothing_new {
                return Ok(Ended::NothingNew);
            }
            let Some(next) = next else {
                return Ok(Ended::NoMorePages);
            };
            if let Err(refused) = may_fetch(next.url(), &self.hosts, self.policy) {
                tracing::warn!(feed = %self.feed.name, "{refused}");
                self.failure = Some(refused.to_string());
                return Ok(Ended::Refused);
            }
            if let NextPage::WordPress(_) = next {
                walk.number += 1;
            }
            walk.url = next.url().clone();
            walk.at_feed = false;
            if self.pages >= options.pages {
                return Ok(Ended::PageLimit);
            }
        }
    }

    /// One page's items through the run's steps: kept ([`select_new`]),
    /// their article pages read and articles built ([`ready_items`]),
    /// written and recorded ([`write_items`]).
    async fn import(
        &mut self,
        walk: &mut Walk,
        items: gather::FeedItems,
    ) -> Result<Imported, RunError> {
        let selection = select_new(
            self.run.state,
            self.feed,
            items.drafts,
            &mut walk.taken,
            self.run.now,
        )?;
        let nothing_new = selection.new.is_empty() && selection.filtered == 0;
        let selected = Selected {
            selection,
            skipped: items.skipped,
            ttl: None,
            fixes: items.fixes,
            policy: items.policy,
            about: items.about,
        };
        let ready: ReadyItems =
            match ready_items(&self.run, self.fetcher, self.feed, selected).await {
                Ok(Ok(ready)) => ready,
                Ok(Err(error)) => {
                    self.failure = Some(crate::util::error_chain(&error));
                    self.line.error = Some(error);
                    return Ok(Imported::Failed);
                }
                Err(Stop::Interrupted) => return Ok(Imported::Interrupted),
                Err(Stop::Store(error)) => return Err(error.into()),
            };
        let mut page_line = FeedReport::new(&self.feed.name, walk.url.as_str());
        write_items(
            &self.run,
            &self.write_context,
            &mut self.group,
            self.feed,
            ready,
            &mut page_line,
            &mut self.report,
        )
        .await?;
        add_counts(&mut self.line, page_line);
        self.group.between_feeds()?;
        if self.run.interrupted.is_cancelled() {
            return Ok(Imported::Interrupted);
        }
        Ok(Imported::Done { nothing_new })
    }
}

/// Waits `pause`; `true` when a signal came meanwhile.
async fn pause(pause: Duration, interrupted: &CancellationToken) -> bool {
    tokio::select! {
        () = tokio::time::sleep(pause) => false,
        () = interrupted.cancelled() => true,
    }
}

/// The one feed named `name`, for the whole backfill (max_items caps a
/// run, not the history: `--pages` bounds a backfill).
fn the_feed(config: &Config, name: &str) -> Result<FeedConfig, RunError> {
    let mut feeds = config.select_feeds(&[name.to_string()])?;
    if feeds.len() > 1 {
        return Err(FeedChoiceError::Several {
            path: config.path.clone(),
            name: name.to_string(),
        }
        .into());
    }
    let mut feed = feeds.remove(0);
    feed.max_items = None;
    Ok(feed)
}

/// Fetches, parses and extracts the page at `walk.url`, and finds the
/// next one.
async fn read_page(
    fetcher: &Fetcher,
    feed: &FeedConfig,
    walk: &Walk,
    hosts: &[String],
    policy: AddressPolicy,
    now: DateTime<Utc>,
) -> Result<Page, FeedError> {
    let source = FeedSource::Http(walk.url.clone());
    // The feed's first page follows its redirects as a run does; the older
    // pages, like their links, stay on the feed's host.
    let on_host = |url: &Url| walk.at_feed || may_fetch(url, hosts, AddressPolicy::Any).is_ok();
    let fetched = match fetcher
        .fetch_within(&source, None, policy, &on_host)
        .await?
    {
        FetchOutcome::Fetched(fetched) => fetched,
        // Asked without validators: a 304 is the server's confusion, and
        // an end to the pages.
        FetchOutcome::NotModified(_) => {
            return Ok(Page {
                items: gather::FeedItems {
                    drafts: Vec::new(),
                    skipped: 0,
                    ttl: None,
                    fixes: Vec::new(),
                    policy,
                    about: Default::default(),
                },
                next: None,
            });
        }
    };
    let identity = feed.source.identity();
    let current = walk.url.clone();
    let number = walk.number;
    let read = walk.read.clone();
    let name = feed.name.clone();
    let parsing = tokio::task::spawn_blocking(move || {
        let _span = tracing::error_span!("feed", name = %name).entered();
        let base = fetched.final_url.as_ref().unwrap_or(&current);
        // A page of the archive is read whole.
        let body = fetched
            .body
            .into_bytes()
            .map_err(crate::parse::ParseError::Read)?;
        let json_next = json_next_url(&body);
        let policy = fetched.policy;
        let parsed = parse_feed(body, fetched.content_type.as_deref(), Some(base))?;
        let next = next_page(&parsed.feed, json_next.as_deref(), &current, number, &read);
        let read = gather::read_parsed(parsed, Some(base), &identity, now);
        Ok::<_, crate::parse::ParseError>(Page {
            items: gather::FeedItems::from_read(read, policy),
            next,
        })
    });
    match parsing.await {
        Ok(page) => Ok(page?),
        Err(source) => Err(FeedError::Internal {
            stage: "parsing",
            source,
        }),
    }
}

/// Drops the items dated before `until`; returns how many, and whether the
/// page held dated items and only older ones (the history is read back
/// to `until` then).
fn drop_older(
    drafts: &mut Vec<crate::extract::ItemDraft>,
    until: Option<DateTime<Utc>>,
) -> (usize, bool) {
    let Some(until) = until else {
        return (0, false);
    };
    let dated = |d: &crate::extract::ItemDraft| d.date_source != DateSource::FirstImport;
    let any_dated = drafts.iter().any(dated);
    let before = drafts.len();
    drafts.retain(|d| !dated(d) || d.date >= until);
    let dropped = before - drafts.len();
    let only_older = any_dated && !drafts.iter().any(dated);
    (dropped, only_older)
}

/// Adds one page's counts to the feed's line.
fn add_counts(line: &mut FeedReport, page: FeedReport) {
    line.new += page.new;
    line.seen += page.seen;
    line.skipped += page.skipped;
    line.skipped_items.extend(page.skipped_items);
    line.filtered += page.filtered;
    line.updated += page.updated;
    line.left_alone.extend(page.left_alone);
    line.repaired.extend(page.repaired);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn until_drops_older_items_and_says_when_a_page_held_only_those() {
        let draft = |key: &str, date: Option<&str>| crate::extract::ItemDraft::sample(key, date);
        let until = Some(
            DateTime::parse_from_rfc3339("2024-06-01T00:00:00Z")
                .unwrap()
                .to_utc(),
        );
        let mut drafts = vec![
            draft("new", Some("2024-07-01T00:00:00Z")),
            draft("old", Some("2024-05-01T00:00:00Z")),
            draft("undated", None),
        ];
        assert_eq!(drop_older(&mut drafts, until), (1, false));
        assert_eq!(drafts.len(), 2);
        let mut drafts = vec![
            draft("old", Some("2024-05-01T00:00:00Z")),
            draft("undated", None),
        ];
        assert_eq!(drop_older(&mut drafts, until), (1, true));
        // Undated items alone never end the history.
        let mut drafts = vec![draft("undated", None)];
        assert_eq!(drop_older(&mut drafts, until), (0, false));
        let mut drafts = vec![draft("old", Some("2024-05-01T00:00:00Z"))];
        assert_eq!(drop_older(&mut drafts, None), (0, false));
    }
}
