//! Planned writes to files and state: each new item gets a free permalink,
//! is rendered, written atomically and recorded.
//!
//! In: one feed's new drafts, oldest first. Out: the articles written, the
//! items found already written by an interrupted run, and the first
//! content or state error, if any (what was written before it is recorded
//! and committed). A run interrupted by a signal stops between two files.

use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use tokio_util::sync::CancellationToken;

use crate::config::{Config, FeedConfig};
use crate::extract::{DateSource, ItemDraft};
use crate::permalink::{file_stem, permalink, title_slug};
use crate::render::{Article, french_date, image_credit, iso_date, render};
use crate::report::ArticleReport;
use crate::store::{
    ImportRecord, State, StoreError, WriteOutcome, read_front_matter, sync_dir, write_new_file,
};

/// Past this many taken permalinks for one title and day, something is wrong.
const MAX_PERMALINK_ATTEMPTS: u32 = 1000;

/// What writing one feed's articles did.
pub struct FeedImport {
    pub articles: Vec<ArticleReport>,
    /// Items whose file an interrupted run had already written.
    pub seen: usize,
    /// Set when the content folder or the state failed mid-feed; what was
    /// written before it is recorded.
    pub error: Option<StoreError>,
}

/// What the writing needs besides the drafts.
pub struct WriteContext<'a> {
    pub config: &'a Config,
    pub state: &'a State,
    pub dry_run: bool,
    pub now: DateTime<Utc>,
    /// Set by a signal: stop before the next file.
    pub interrupted: &'a CancellationToken,
}

/// Writes one feed's new articles and records them, oldest first (so that
/// of two articles with the same title and day, the older keeps the plain
/// permalink).
pub fn write_feed(
    context: &WriteContext,
    feed: &FeedConfig,
    mut drafts: Vec<ItemDraft>,
) -> FeedImport {
    let WriteContext { state, dry_run, .. } = *context;
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
    let section_dir = context.config.section_dir(&feed.section);
    let result = write_drafts(context, feed, &section_dir, &drafts, &mut outcome);
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

fn write_drafts(
    context: &WriteContext,
    feed: &FeedConfig,
    section_dir: &Path,
    drafts: &[ItemDraft],
    outcome: &mut FeedImport,
) -> Result<(), StoreError> {
    let WriteContext {
        config,
        state,
        dry_run,
        now,
        ..
    } = *context;
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StoreError::Io { path, source }
    };
    if !dry_run && !drafts.is_empty() {
        std::fs::create_dir_all(section_dir).map_err(io_error(section_dir))?;
        ensure_inside(section_dir, &config.content_dir)?;
    }
    let imported_at = timestamp(now);
    let tags = article_tags(config, feed);

    for draft in drafts {
        if context.interrupted.is_cancelled() {
            break;
        }
        let source_url = draft.source_url.as_str();
        if draft.date_source == DateSource::FirstImport {
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
                    has_image: None,
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
                    has_image: Some(!article.image_url.is_empty()),
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

/// Refuses a section folder that leads out of the content folder (a
/// symbolic link planted there): files are written only inside it.
fn ensure_inside(section_dir: &Path, content_dir: &Path) -> Result<(), StoreError> {
    let resolve = |path: &Path| {
        std::fs::canonicalize(path).map_err(|source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        })
    };
    if resolve(section_dir)?.starts_with(resolve(content_dir)?) {
        Ok(())
    } else {
        Err(StoreError::Io {
            path: section_dir.to_path_buf(),
            source: std::io::Error::other(
                "leads out of the content folder (a symbolic link?); refusing to write there",
            ),
        })
    }
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

pub fn timestamp(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(SecondsFormat::Secs, true)
}
