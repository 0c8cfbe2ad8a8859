//! Planning and gathering: which feeds are due, and each due feed's
//! fetch → parse → extract.
//!
//! In: the feeds of the run with their records, the run's HTTP client. Out:
//! per feed, in config order, a [`FeedOutcome`] holding the drafts of its
//! items ([`FeedItems`]), "not modified", "not due" or the [`FeedError`] it
//! failed with. Feeds are gathered concurrently, each in its own task (the
//! parsing off the async threads); a failing feed never stops the others.
//! [`read_feed`], the parse → extract step, is shared with `check` and
//! `parse`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use feed_rs::model::FeedType;
use futures_util::{Stream, StreamExt};
use url::Url;

use crate::config::{FeedConfig, FeedSource};
use crate::extract::{self, DocumentInfo, FeedContext, ItemDraft, SkippedItem};
use crate::fetch::address::AddressPolicy;
use crate::fetch::{FetchError, FetchInfo, FetchOutcome, Fetcher, Validators};
use crate::parse::stream::{FeedStream, ReadItem, Streamed, open_stream};
use crate::parse::{ParseError, parse_feed, repair::Fix};
use crate::report::FeedError;
use crate::schedule;
use crate::store::{FeedRecord, State, StoreError};
use crate::util::spool::{Body, TextSpool};

/// What came of one feed at a stage of the run. `T` is what its items are
/// at that stage: drafts once gathered, articles once prepared.
pub(crate) enum FeedOutcome<T> {
    /// A new version of the feed, and what it told.
    Fetched {
        info: FetchInfo,
        items: T,
    },
    NoItems(NoItems),
}

/// What came of a feed that brought no items to import.
pub(crate) enum NoItems {
    /// Its interval (or its backoff) has not passed: not fetched.
    NotDue,
    /// The server answered 304.
    NotModified(FetchInfo),
    Failed(FeedError),
}

impl<T> FeedOutcome<T> {
    fn failed(error: impl Into<FeedError>) -> FeedOutcome<T> {
        FeedOutcome::NoItems(NoItems::Failed(error.into()))
    }
}

/// A feed of the run, with what the state remembers of it.
pub(super) struct PlannedFeed<'a> {
    pub(super) feed: &'a FeedConfig,
    pub(super) record: Option<FeedRecord>,
    pub(super) due: bool,
}

/// Which feeds are due: those whose interval (or backoff) has passed, or
/// every one when `force`.
pub(super) fn plan<'a>(
    state: &State,
    feeds: &'a [FeedConfig],
    force: bool,
    now: DateTime<Utc>,
) -> Result<Vec<PlannedFeed<'a>>, StoreError> {
    feeds
        .iter()
        .map(|feed| {
            let record = state.feed_record(&feed.source.identity())?;
            let due = force || schedule::is_due(record.as_ref(), now, feed.interval);
            Ok(PlannedFeed { feed, record, due })
        })
        .collect()
}

/// A feed document's items, as the run needs them.
pub(crate) struct FeedItems {
    pub(crate) drafts: Vec<ItemDraft>,
    /// Entries that cannot become articles.
    pub(crate) skipped: usize,
    /// The feed's `<ttl>`, in minutes.
    pub(crate) ttl: Option<u32>,
    /// What the document needed repaired before it would parse.
    pub(crate) fixes: Vec<Fix>,
    /// The addresses the feed's requests may reach, its article pages'
    /// too (judged once, from the configured URL).
    pub(crate) policy: AddressPolicy,
    /// The document's title and language, for templates.
    pub(crate) about: DocumentInfo,
}

/// One feed of the run once gathered.
pub(super) struct Gathered<'a> {
    pub(super) planned: &'a PlannedFeed<'a>,
    pub(super) outcome: FeedOutcome<FeedItems>,
    /// What its fetch measured; `None` when it was not due.
    pub(super) measure: Option<FetchMeasure>,
}

/// What a feed's fetch measured, for the metrics and the history.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FetchMeasure {
    /// The last answer's HTTP status (`None`: no answer, or a file).
    pub(crate) http_status: Option<u16>,
    /// The body's bytes, after decompression (0 for a 304 or a failure).
    pub(crate) bytes: u64,
    /// The fetch, its retries included (not the parsing).
    pub(crate) duration: Duration,
}

impl FeedItems {
    /// The items of a document read, its repairs and skipped entries
    /// logged.
    pub(super) fn from_read(read: ReadFeed, policy: AddressPolicy) -> FeedItems {
        if !read.fixes.is_empty() {
            let fixes: Vec<String> = read.fixes.iter().map(ToString::to_string).collect();
            tracing::warn!("the feed is broken and needed repair: {}", fixes.join(", "));
        }
        for item in &read.skipped {
            tracing::warn!(title = %item.title, "item skipped: {}", item.reason);
        }
        FeedItems {
            skipped: read.skipped.len(),
            drafts: read.drafts,
            ttl: read.ttl,
            fixes: read.fixes,
            policy,
            about: read.about,
        }
    }
}

/// Gathers every due feed, up to `concurrency` at once, each in its own
/// task. `buffered` hands the outcomes over in config order, so that
/// permalinks do not depend on which server answers first.
pub(super) fn gather_all<'a>(
    fetcher: &'a Fetcher,
    planned: &'a [PlannedFeed<'a>],
    concurrency: usize,
    now: DateTime<Utc>,
) -> impl Stream<Item = Gathered<'a>> + 'a {
    futures_util::stream::iter(planned)
        .map(move |planned| {
            let task = planned.due.then(|| {
                let (source, validators) = fetch_target(planned.feed, planned.record.as_ref());
                tokio::spawn(gather(
                    fetcher.clone(),
                    planned.feed.clone(),
                    source,
                    validators,
                    now,
                ))
            });
            async move {
                let (outcome, measure) = match task {
                    None => (FeedOutcome::NoItems(NoItems::NotDue), None),
                    Some(task) => match task.await {
                        Ok((outcome, measure)) => (outcome, Some(measure)),
                        Err(source) => (
                            FeedOutcome::failed(FeedError::Internal {
                                stage: "reading the feed",
                                source,
                            }),
                            Some(FetchMeasure::default()),
                        ),
                    },
                };
                Gathered {
                    planned,
                    outcome,
                    measure,
                }
            }
        })
        .buffered(concurrency)
}

/// Where to fetch a feed and with which validators: its new home when it
/// moved permanently, and the validators only when they belong to that URL.
pub(super) fn fetch_target(
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

/// The saved new home of a feed, unless it crosses the address rule: a
/// public feed's move to a private address (or the reverse) saved by an
/// earlier version is ignored, and the configured URL fetched instead.
async fn within_policy(
    feed: &FeedConfig,
    source: FeedSource,
    validators: Option<Validators>,
    policy: AddressPolicy,
) -> (FeedSource, Option<Validators>) {
    match (&source, &feed.source) {
        (FeedSource::Http(moved), FeedSource::Http(configured))
            if moved != configured && AddressPolicy::of_feed(moved).await != policy =>
        {
            tracing::warn!(
                feed = %feed.name,
                "the saved move to {moved} would cross between public and private addresses: ignored, {configured} is fetched"
            );
            (feed.source.clone(), None)
        }
        _ => (source, validators),
    }
}

/// Fetch → parse → extract, for one feed. The parsing runs off the async
/// threads so that slow feeds keep downloading meanwhile.
async fn gather(
    fetcher: Fetcher,
    feed: FeedConfig,
    source: FeedSource,
    validators: Option<Validators>,
    now: DateTime<Utc>,
) -> (FeedOutcome<FeedItems>, FetchMeasure) {
    let policy = AddressPolicy::of_source(&feed.source).await;
    let (source, validators) = within_policy(&feed, source, validators, policy).await;
    let started = std::time::Instant::now();
    let fetched = fetcher.fetch(&source, validators.as_ref(), policy).await;
    let mut measure = FetchMeasure {
        duration: started.elapsed(),
        ..FetchMeasure::default()
    };
    let fetched = match fetched {
        Ok(FetchOutcome::NotModified(info)) => {
            measure.http_status = info.http_status;
            return (FeedOutcome::NoItems(NoItems::NotModified(info)), measure);
        }
        Ok(FetchOutcome::Fetched(fetched)) => fetched,
        Err(error) => {
            if let FetchError::Status { status, .. } = &error {
                measure.http_status = Some(*status);
            }
            return (FeedOutcome::failed(error), measure);
        }
    };
    measure.http_status = fetched.info.http_status;
    measure.bytes = fetched.body.len() as u64;
    (parse_fetched(feed, fetched, now).await, measure)
}

/// Parse → extract of a fetched body, off the async threads.
async fn parse_fetched(
    feed: FeedConfig,
    fetched: crate::fetch::FetchedFeed,
    now: DateTime<Utc>,
) -> FeedOutcome<FeedItems> {
    let policy = fetched.policy;
    let parsing = tokio::task::spawn_blocking(move || {
        let _span = tracing::error_span!("feed", name = %feed.name).entered();
        let base = fetched.final_url.as_ref();
        let read = read_feed(
            fetched.body,
            fetched.content_type.as_deref(),
            base,
            &feed.source.identity(),
            now,
        )?;
        Ok::<_, ParseError>(FeedItems::from_read(read, policy))
    });
    match parsing.await {
        Ok(Ok(items)) => FeedOutcome::Fetched {
            info: fetched.info,
            items,
        },
        Ok(Err(error)) => FeedOutcome::failed(error),
        Err(source) => FeedOutcome::failed(FeedError::Internal {
            stage: "parsing",
            source,
        }),
    }
}

/// A feed document, read: what parse → extract gave.
#[derive(Debug)]
pub struct ReadFeed {
    /// One draft per entry that can become an article, in document order.
    pub drafts: Vec<ItemDraft>,
    /// The entries that cannot, and why.
    pub skipped: Vec<SkippedItem>,
    /// The number of entries in the document.
    pub entries: usize,
    pub format: FeedType,
    /// The character encoding the bytes were read in.
    pub encoding: &'static str,
    /// The feed's `<ttl>`, in minutes.
    pub ttl: Option<u32>,
    /// What the document needed repaired before it would parse.
    pub fixes: Vec<Fix>,
    /// The document's title and language.
    pub about: DocumentInfo,
}

/// Parses a feed's body and reads its entries: the run's parse → extract,
/// which `check` and `parse` share. `base` is the URL the body came from
/// (relative links resolve against it), `identity` the feed's identity
/// (which scopes GUIDs), `now` the time that stands in for missing dates.
/// A body in memory is read whole; a body in a file (one too big to hold)
/// is read one item at a time, each item's full text kept in a spool file
/// until its article is written.
pub fn read_feed(
    body: impl Into<Body>,
    content_type: Option<&str>,
    base: Option<&Url>,
    identity: &str,
    now: DateTime<Utc>,
) -> Result<ReadFeed, ParseError> {
    match body.into() {
        Body::Memory(bytes) => {
            let parsed = parse_feed(bytes, content_type, base)?;
            Ok(read_parsed(parsed, base, identity, now))
        }
        body => read_streamed(&body, content_type, base, identity, now),
    }
}

/// [`read_feed`] of a body read one item at a time: memory holds a few
/// items and each item's draft (its full text spooled), never the
/// document. The items are cut from the stream here and read on every
/// core, their results put back in document order.
fn read_streamed(
    body: &Body,
    content_type: Option<&str>,
    base: Option<&Url>,
    identity: &str,
    now: DateTime<Utc>,
) -> Result<ReadFeed, ParseError> {
    let stream = match open_stream(body, content_type, base)? {
        Streamed::Whole(parsed) => return Ok(read_parsed(*parsed, base, identity, now)),
        stream => stream,
    };
    let context = FeedContext {
        feed_identity: identity,
        feed_url: base,
        now,
    };
    let channel = match &stream {
        Streamed::Items(items) => items.channel(),
        Streamed::Json(json) => json.channel(),
        Streamed::Whole(_) => unreachable!("read above"),
    };
    let mut reader = extract::EntryReader::of_document(channel, &context);
    match TextSpool::new() {
        Ok(spool) => reader = reader.spooling_to(spool),
        Err(error) => tracing::warn!("full texts are kept in memory: no spool file ({error})"),
    }
    let (mut results, mut traces, mut fixes, mut lost) = (Vec::new(), Vec::new(), Vec::new(), 0);
    let mut number = 0;
    let mut take = |item: ItemOutcome| {
        number += 1;
        match item {
            Some(read) => {
                for fix in read.fixes {
                    if !fixes.contains(&fix) {
                        fixes.push(fix);
                    }
                }
                for (result, trace) in read.entries {
                    results.push(result);
                    traces.push(trace);
                }
            }
            None => {
                lost += 1;
                results.push(Err(SkippedItem {
                    title: format!("item {number} of the document"),
                    reason: "its markup could not be read, even alone".to_string(),
                }));
                traces.push(extract::EntryTrace::none());
            }
        }
    };
    let (encoding, end) = match stream {
        Streamed::Items(mut items) => {
            read_items(&mut items, &reader, &mut take)?;
            (items.encoding(), items.finish())
        }
        Streamed::Json(mut json) => {
            json.for_each_item(|item| take(item.map(|read| read_entries(read, &reader))))?;
            (json.encoding(), json.finish())
        }
        Streamed::Whole(_) => unreachable!("read above"),
    };
    extract::tell_apart_shared_links(&traces, &mut results, &context);
    if results.len() == lost && end.found > 0 {
        return Err(ParseError::ItemsUnread { found: end.found });
    }
    let entries = results.len();
    let mut skipped = Vec::new();
    // Collected in place, in the results' own buffer: a second list of
    // 100,000 drafts is not made.
    let mut drafts: Vec<_> = results
        .into_iter()
        .filter_map(|result| result.map_err(|skip| skipped.push(skip)).ok())
        .collect();
    // The list grew by doubling: what it holds, no more, for the rest of
    // the run.
    drafts.shrink_to_fit();
    Ok(ReadFeed {
        drafts,
        skipped,
        entries,
        format: end.channel.feed_type.clone(),
        encoding,
        ttl: end.channel.ttl,
        about: extract::document_info(&end.channel),
        fixes,
    })
}

/// One item of a stream, read: its entries read by the extraction, and
/// the repairs its markup needed. `None`: its markup could not be read.
type ItemOutcome = Option<ReadEntries>;

struct ReadEntries {
    entries: Vec<(Result<ItemDraft, SkippedItem>, extract::EntryTrace)>,
    fixes: Vec<Fix>,
}

/// The extraction of an item's entries.
fn read_entries(read: ReadItem, reader: &extract::EntryReader) -> ReadEntries {
    ReadEntries {
        entries: read
            .entries
            .iter()
            .map(|(entry, guid_not_a_link)| reader.read(entry, *guid_not_a_link))
            .collect(),
        fixes: read.fixes,
    }
}

/// At most this many threads read a stream's items.
const ITEM_THREADS: usize = 4;

/// Batches cut and waiting for a thread, at most, per thread.
const BATCHES_WAITING: usize = 2;

/// Items handed to a thread at once: at most this many, or this many
/// bytes of them, so that the threads seldom wait on each other.
const BATCH_ITEMS: usize = 32;
const BATCH_BYTES: usize = 256 << 10;

/// Cuts every item of `stream` and reads each on one of the machine's
/// cores, in batches; hands each outcome to `take` in document order, as
/// soon as the items before it are read.
fn read_items(
    stream: &mut FeedStream,
    reader: &extract::EntryReader,
    mut take: impl FnMut(ItemOutcome),
) -> Result<(), ParseError> {
    let parser = stream.item_parser();
    // An item the reading gives up on (a panic in a parser) is that
    // item's loss, never the feed's.
    let read_one = |item: &str| -> ItemOutcome {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            parser.read(item).map(|read| read_entries(read, reader))
        }))
        .unwrap_or(None)
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(ITEM_THREADS);
    if threads == 1 {
        while let Some(item) = stream.next_item()? {
            take(read_one(&item));
        }
        return Ok(());
    }
    // The feed's span, for what the threads log.
    let span = tracing::Span::current();
    // Batches read before an earlier one, waiting for it.
    let mut early: std::collections::BTreeMap<usize, Vec<ItemOutcome>> = Default::default();
    let mut next_batch = 0;
    let mut place = |(batch, outcomes): (usize, Vec<ItemOutcome>)| {
        early.insert(batch, outcomes);
        while let Some(outcomes) = early.remove(&next_batch) {
            outcomes.into_iter().for_each(&mut take);
            next_batch += 1;
        }
    };
    let (to_threads, batches) =
        std::sync::mpsc::sync_channel::<(usize, Vec<String>)>(threads * BATCHES_WAITING);
    let batches = std::sync::Mutex::new(batches);
    let (to_cutter, results) = std::sync::mpsc::channel::<(usize, Vec<ItemOutcome>)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (batches, to_cutter, read_one, span) =
                (&batches, to_cutter.clone(), &read_one, &span);
            scope.spawn(move || {
                let _span = span.enter();
                loop {
                    let next = batches.lock().map(|batches| batches.recv());
                    let Ok(Ok((number, items))) = next else {
                        break;
                    };
                    let outcomes = items.iter().map(|item| read_one(item)).collect();
                    if to_cutter.send((number, outcomes)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(to_cutter);
        let (mut number, mut batch, mut bytes) = (0, Vec::new(), 0);
        let cut = loop {
            let (next, last) = match stream.next_item() {
                Ok(Some(item)) => {
                    bytes += item.len();
                    batch.push(item);
                    (Ok(()), false)
                }
                Ok(None) => (Ok(()), true),
                Err(error) => (Err(error), true),
            };
            if !batch.is_empty() && (last || batch.len() == BATCH_ITEMS || bytes >= BATCH_BYTES) {
                if to_threads
                    .send((number, std::mem::take(&mut batch)))
                    .is_err()
                {
                    break Ok(());
                }
                (number, bytes) = (number + 1, 0);
                while let Ok(done) = results.try_recv() {
                    place(done);
                }
            }
            if last {
                break next;
            }
        };
        drop(to_threads);
        for done in results {
            place(done);
        }
        cut
    })
}

/// [`read_feed`], once the body is parsed.
pub(super) fn read_parsed(
    parsed: crate::parse::ParsedFeed,
    base: Option<&Url>,
    identity: &str,
    now: DateTime<Utc>,
) -> ReadFeed {
    let context = FeedContext {
        feed_identity: identity,
        feed_url: base,
        now,
    };
    let (drafts, skipped) = extract::extract_items(&parsed.feed, &parsed.guid_not_a_link, &context);
    let about = extract::document_info(&parsed.feed);
    ReadFeed {
        drafts,
        skipped,
        entries: parsed.feed.entries.len(),
        format: parsed.feed.feed_type,
        encoding: parsed.encoding,
        ttl: parsed.feed.ttl,
        about,
        fixes: parsed.fixes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::path::Path;

    fn feed(url: &str) -> FeedConfig {
        let text = format!("[[feeds]]\nname = \"F\"\nurl = \"{url}\"\nsection = \"news\"\n");
        Config::parse(&text, Path::new("feeds.toml"), Path::new("."))
            .unwrap()
            .feeds
            .remove(0)
    }

    #[tokio::test]
    async fn a_saved_move_never_crosses_the_address_rule() {
        let cases = [
            // (configured, saved move, followed)
            (
                "https://93.184.216.34/feed",
                "https://93.184.216.35/feed",
                true,
            ),
            (
                "https://93.184.216.34/feed",
                "http://127.0.0.1:9/internal.xml",
                false,
            ),
            (
                "https://93.184.216.34/feed",
                "http://169.254.169.254/",
                false,
            ),
            (
                "https://93.184.216.34/feed",
                "http://[::ffff:10.0.0.1]/",
                false,
            ),
            ("https://93.184.216.34/feed", "http://localhost/feed", false),
            ("http://127.0.0.1:9/feed", "http://[::1]:9/feed", true),
            (
                "http://127.0.0.1:9/feed",
                "https://93.184.216.34/feed",
                false,
            ),
        ];
        for (configured, moved, followed) in cases {
            let feed = feed(configured);
            let FeedSource::Http(url) = &feed.source else {
                unreachable!("an http feed")
            };
            let policy = AddressPolicy::of_feed(url).await;
            let target = FeedSource::Http(Url::parse(moved).unwrap());
            // The moved URL's validators go with it: an ignored move
            // fetches the configured URL in full.
            let validators = Validators {
                etag: Some("\"moved\"".into()),
                last_modified: None,
            };
            let (source, kept) =
                within_policy(&feed, target.clone(), Some(validators), policy).await;
            let expected = if followed {
                target
            } else {
                feed.source.clone()
            };
            assert_eq!(source, expected, "{configured} → {moved}");
            assert_eq!(kept.is_some(), followed, "{configured} → {moved}");
        }
    }
}
