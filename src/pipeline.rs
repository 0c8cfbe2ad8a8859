//! The one place that knows the order of the stages.
//!
//! Per run: open the state (learning the content folder when the state is
//! new), then for every feed, up to `concurrency` at once: fetch → parse →
//! extract. Then, one feed at a time in config order: skip what was imported,
//! give each new item a free permalink, render it, write its file, record it,
//! and commit the feed's state once its files are on disk.
//!
//! Fails with [`RunError`] only when the run cannot go on (state or content
//! folder unusable); a failing feed is a line in the [`Report`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::StreamExt;
use url::Url;

use crate::config::{Config, FeedConfig, FeedSource};
use crate::extract::preview_image;
use crate::extract::{self, FeedContext, ItemDraft};
use crate::fetch::{DEFAULT_PER_HOST, Fetcher, error_chain};
use crate::parse::parse_feed;
use crate::permalink::{file_stem, permalink, title_slug};
use crate::render::{Article, french_date, image_credit, iso_date, render};
use crate::report::{ArticleReport, FeedReport, FeedStatus, Report};
use crate::store::{
    ImportRecord, State, StoreError, WriteOutcome, read_front_matter, sync_dir, write_new_file,
};

/// Past this many taken permalinks for one title and day, something is wrong.
const MAX_PERMALINK_ATTEMPTS: u32 = 1000;

/// How a run behaves.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Change nothing on disk: no files, no state.
    pub dry_run: bool,
    /// Only these feeds (all when empty).
    pub feeds: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot start the HTTP client: {0}")]
    Client(String),
}

/// What one feed's fetch, parse and extraction gave.
struct Gathered {
    drafts: Vec<ItemDraft>,
    skipped: usize,
}

/// Runs the import.
pub async fn run(config: &Config, options: &RunOptions) -> Result<Report, RunError> {
    let feeds = config.select_feeds(&options.feeds)?;
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

    let fetcher = Fetcher::new(DEFAULT_PER_HOST).map_err(|e| RunError::Client(e.to_string()))?;
    let mut report = Report {
        dry_run: options.dry_run,
        ..Report::default()
    };
    // Each feed is fetched, parsed and read in its own task, up to
    // `concurrency` at once; `buffered` hands the results over in config
    // order, so that permalinks do not depend on which server answers first.
    let mut gathered = futures_util::stream::iter(feeds.iter())
        .map(|feed| {
            let task = tokio::spawn(gather(fetcher.clone(), feed.clone(), now));
            async move {
                let result = task
                    .await
                    .unwrap_or_else(|e| Err(format!("internal error while reading the feed: {e}")));
                (feed, result)
            }
        })
        .buffered(config.concurrency);

    while let Some((feed, result)) = gathered.next().await {
        let mut feed_report = FeedReport {
            name: feed.name.clone(),
            url: feed.source.to_string(),
            status: FeedStatus::Ok,
            error: None,
            new: 0,
            seen: 0,
            skipped: 0,
            filtered: 0,
        };
        let gathered = match result {
            Ok(gathered) => gathered,
            Err(message) => {
                tracing::warn!(feed = %feed.name, "{message}");
                feed_report.status = FeedStatus::Failed;
                feed_report.error = Some(message);
                report.feeds.push(feed_report);
                continue;
            }
        };
        feed_report.skipped = gathered.skipped;
        let selection = select_new(&state, feed, gathered.drafts, now)?;
        feed_report.seen = selection.seen;
        feed_report.filtered = selection.filtered;
        let mut new = selection.new;
        find_page_images(&fetcher, feed, &mut new).await;
        let outcome = import_feed(config, &state, feed, new, options.dry_run, now);
        feed_report.new = outcome.articles.len();
        feed_report.seen += outcome.seen;
        report.articles.extend(outcome.articles);
        if let Some(error) = outcome.error {
            feed_report.status = FeedStatus::Failed;
            feed_report.error = Some(error.to_string());
            report.feeds.push(feed_report);
            // The content folder or the state cannot be written: the other
            // feeds would fail the same way.
            return Err(error.into());
        }
        report.feeds.push(feed_report);
    }
    Ok(report)
}

/// Fetch → parse → extract, for one feed. The parsing runs off the async
/// threads so that slow feeds keep downloading meanwhile.
async fn gather(
    fetcher: Fetcher,
    feed: FeedConfig,
    now: DateTime<Utc>,
) -> Result<Gathered, String> {
    let fetched = fetcher
        .fetch(&feed.source)
        .await
        .map_err(|e| e.to_string())?;
    let identity = feed.source.identity();
    let base = match &feed.source {
        FeedSource::Http(_) => fetched.final_url.clone(),
        FeedSource::File(_) => None,
    };
    tokio::task::spawn_blocking(move || {
        let _span = tracing::info_span!("feed", name = %feed.name).entered();
        let parsed = parse_feed(&fetched.body, base.as_ref()).map_err(|e| e.to_string())?;
        drop(fetched);
        let context = FeedContext {
            feed_identity: &identity,
            feed_url: base.as_ref(),
            now,
        };
        let (drafts, skipped) = extract::extract_items(&parsed, &context);
        for item in &skipped {
            tracing::warn!(title = %item.title, "item skipped: {}", item.reason);
        }
        Ok(Gathered {
            drafts,
            skipped: skipped.len(),
        })
    })
    .await
    .map_err(|e| format!("internal error while parsing: {}", error_chain(&e)))?
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
async fn find_page_images(fetcher: &Fetcher, feed: &FeedConfig, drafts: &mut [ItemDraft]) {
    if !feed.article_images {
        return;
    }
    let wanted: Vec<(usize, Url)> = drafts
        .iter()
        .enumerate()
        .filter(|(_, d)| d.declared_image.is_none() && page_allowed(feed, &d.source_url))
        .map(|(i, d)| (i, d.source_url.clone()))
        .collect();
    let found: Vec<(usize, Option<Url>)> = futures_util::stream::iter(wanted)
        .map(|(index, url)| async move {
            match fetcher.fetch_page_head(&url).await {
                Ok(head) => (index, preview_image(&head.html, &head.final_url)),
                Err(e) => {
                    tracing::warn!(feed = %feed.name, page = %url, "cannot read the article page for its image: {e}");
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

struct FeedImport {
    articles: Vec<ArticleReport>,
    seen: usize,
    /// Set when the content folder or the state failed mid-feed; what was
    /// written before it is recorded.
    error: Option<StoreError>,
}

/// Writes one feed's new articles and records them, oldest first (so that
/// of two articles with the same title and day, the older keeps the plain
/// permalink).
fn import_feed(
    config: &Config,
    state: &State,
    feed: &FeedConfig,
    mut drafts: Vec<ItemDraft>,
    dry_run: bool,
    now: DateTime<Utc>,
) -> FeedImport {
    drafts.sort_by_key(|d| d.date);
    let mut outcome = FeedImport {
        articles: Vec::new(),
        seen: 0,
        error: None,
    };
    if let Err(e) = state.begin() {
        outcome.error = Some(e);
        return outcome;
    }
    let section_dir = config.section_dir(&feed.section);
    let result = import_drafts(
        config,
        state,
        feed,
        &section_dir,
        &drafts,
        dry_run,
        now,
        &mut outcome,
    );
    // Commit what was written even when a later item failed: those files
    // exist, and the state must know them.
    let committed = state.commit();
    let synced = if dry_run || outcome.articles.is_empty() {
        Ok(())
    } else {
        sync_dir(&section_dir).map_err(|source| StoreError::Io {
            path: section_dir.clone(),
            source,
        })
    };
    outcome.error = result.err().or(committed.err()).or(synced.err());
    outcome
}

#[allow(clippy::too_many_arguments)] // one call site; a struct would only rename them
fn import_drafts(
    config: &Config,
    state: &State,
    feed: &FeedConfig,
    section_dir: &Path,
    drafts: &[ItemDraft],
    dry_run: bool,
    now: DateTime<Utc>,
    outcome: &mut FeedImport,
) -> Result<(), StoreError> {
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StoreError::Io { path, source }
    };
    if !dry_run && !drafts.is_empty() {
        std::fs::create_dir_all(section_dir).map_err(io_error(section_dir))?;
    }
    let imported_at = timestamp(now);
    let tags = article_tags(config, feed);

    for draft in drafts {
        let source_url = draft.source_url.as_str();
        if draft.date_source == extract::DateSource::FirstImport {
            tracing::info!(feed = %feed.name, title = %draft.title, "item has no date: using the time of import");
        }
        match place_article(config, state, feed, section_dir, draft, &tags, dry_run)? {
            Placement::AlreadyThere { path } => {
                // Written by an earlier run that stopped before saving state.
                let relative = relative_to(&path, &config.content_dir);
                state.record(&ImportRecord {
                    key: &draft.key,
                    feed: &feed.name,
                    source_url,
                    permalink: None,
                    path: Some(&relative),
                    imported_at: &imported_at,
                })?;
                outcome.seen += 1;
            }
            Placement::New {
                path,
                article,
                text,
            } => {
                let relative = relative_to(&path, &config.content_dir);
                state.record(&ImportRecord {
                    key: &draft.key,
                    feed: &feed.name,
                    source_url,
                    permalink: Some(&article.permalink),
                    path: Some(&relative),
                    imported_at: &imported_at,
                })?;
                tracing::info!(feed = %feed.name, path = %path.display(), "{}", if dry_run { "would write" } else { "wrote" });
                outcome.articles.push(ArticleReport {
                    path: relative_to(&path, &config.base_dir),
                    feed: feed.name.clone(),
                    article: *article,
                    text: dry_run.then_some(text),
                });
            }
        }
    }
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

/// Finds the first free permalink for `draft` and writes its file there.
fn place_article(
    config: &Config,
    state: &State,
    feed: &FeedConfig,
    section_dir: &Path,
    draft: &ItemDraft,
    tags: &[String],
    dry_run: bool,
) -> Result<Placement, StoreError> {
    let local_date = draft.date.with_timezone(&config.timezone).date_naive();
    let slug = title_slug(&draft.title);
    for attempt in 1..=MAX_PERMALINK_ATTEMPTS {
        let stem = file_stem(local_date, &slug, attempt);
        let link = permalink(&feed.section, &stem);
        if state.permalink_taken(&link)? {
            continue;
        }
        let file_name = format!("{stem}.md");
        let path = section_dir.join(&file_name);
        if path.symlink_metadata().is_ok() {
            if holds_source(&path, draft.source_url.as_str()) {
                return Ok(Placement::AlreadyThere { path });
            }
            continue;
        }
        let article = build_article(config, draft, tags, link);
        let text = render(&article);
        if !dry_run {
            let outcome =
                write_new_file(section_dir, &file_name, text.as_bytes()).map_err(|source| {
                    StoreError::Io {
                        path: path.clone(),
                        source,
                    }
                })?;
            if outcome == WriteOutcome::AlreadyExists {
                // Created between our check and our write (an editor, or a
                // second run): look again.
                if holds_source(&path, draft.source_url.as_str()) {
                    return Ok(Placement::AlreadyThere { path });
                }
                continue;
            }
        }
        return Ok(Placement::New {
            path,
            article: Box::new(article),
            text,
        });
    }
    Err(StoreError::Io {
        path: section_dir.join(format!("{}-{slug}.md", local_date.format("%Y-%m-%d"))),
        source: std::io::Error::other(format!(
            "{MAX_PERMALINK_ATTEMPTS} articles already use this title on this day"
        )),
    })
}

/// Does the article file at `path` come from `source_url`?
fn holds_source(path: &Path, source_url: &str) -> bool {
    matches!(read_front_matter(path), Ok(Some(front)) if front.source_url.as_deref() == Some(source_url))
}

fn build_article(
    config: &Config,
    draft: &ItemDraft,
    tags: &[String],
    permalink: String,
) -> Article {
    let source_url = draft.source_url.to_string();
    let image = draft
        .declared_image
        .as_ref()
        .or(draft.page_image.as_ref())
        .or(draft.content_image.as_ref());
    let (image_url, image_credit) = match image {
        Some(url) => (url.to_string(), image_credit(&source_url)),
        None => (String::new(), String::new()),
    };
    Article {
        title: draft.title.clone(),
        date: iso_date(draft.date),
        published_date: french_date(draft.date, config.timezone),
        summary: draft.summary.clone(),
        importance: String::new(),
        source_url,
        tags: tags.to_vec(),
        permalink,
        image_url,
        image_credit,
    }
}

/// Global tags, then the feed's, then the feed's name; each once.
fn article_tags(config: &Config, feed: &FeedConfig) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in config
        .tags
        .iter()
        .chain(&feed.tags)
        .chain(std::iter::once(&feed.name))
    {
        let tag = tag.trim();
        if !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_string());
        }
    }
    tags
}

fn relative_to(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

fn timestamp(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(SecondsFormat::Secs, true)
}
