//! `feedimport check --online`: fetch each feed once, import nothing, and
//! describe what it holds and what a run would do with it.
//!
//! In: the config and its compiled outputs. Out: per feed its format, item
//! count, newest item date, how many items have an image and from where,
//! whether the server answers a conditional request with 304, and, told by
//! the run's own decisions on the state as a dry run sees it, the items a
//! run would import and the article pages it would read for their images.
//! A feed that cannot be fetched or parsed is a [`Probe`] with an error,
//! never a failure of the whole check.

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::Serialize;

use super::gather::read_feed;
use super::open::open_state;
use super::pages::pages_to_read;
use super::select::{Taken, select_new};
use crate::article::{ImageOutlook, ImageSource, image_outlook};
use crate::config::{Config, FeedConfig};
use crate::extract::ItemDraft;
use crate::fetch::address::AddressPolicy;
use crate::fetch::{FetchOutcome, Fetcher};
use crate::output::Outputs;
use crate::store::State;
use crate::util::error_chain;

#[derive(Debug, Serialize)]
pub(crate) struct Probe {
    pub(crate) name: String,
    pub(crate) url: String,
    pub(crate) error: Option<String>,
    pub(crate) format: Option<String>,
    pub(crate) items: usize,
    pub(crate) newest: Option<DateTime<Utc>>,
    /// Items whose feed entry declares an image (media, enclosure, itunes).
    pub(crate) images_declared: usize,
    /// Items whose only image is an `<img>` in the content.
    pub(crate) images_in_content: usize,
    /// Items without a declared image whose article page would be read.
    pub(crate) article_pages_to_read: usize,
    /// For `check --online`: how many items a run would import now, and
    /// the article pages it would read for them (in item order); `null`
    /// for `parse` and `add`, which know no state.
    pub(crate) new_items: Option<usize>,
    pub(crate) article_pages: Option<Vec<String>>,
    /// Why the new items could not be told (the state cannot be read).
    pub(crate) prediction_error: Option<String>,
    /// `Some(true)` when the server answered our conditional request with
    /// 304, `None` when it sent no validators to make one.
    pub(crate) conditional_304: Option<bool>,
    /// Set when the feed moved permanently.
    pub(crate) moved_to: Option<String>,
    /// The character encoding the feed was read in.
    pub(crate) encoding: Option<String>,
    /// What had to be repaired before the feed would parse.
    pub(crate) repairs: Vec<String>,
    /// Each item, when asked for (`parse --items`); `null` otherwise.
    pub(crate) item_list: Option<Vec<ItemLine>>,
}

/// One item as `parse --items` lists it.
#[derive(Debug, Serialize)]
pub(crate) struct ItemLine {
    pub(crate) title: String,
    /// UTC, to the second.
    pub(crate) date: String,
    /// Where the date came from: `published`, `updated`, or `none` (the
    /// time of import stands in).
    pub(crate) date_from: &'static str,
    pub(crate) link: String,
    pub(crate) image: Option<String>,
    /// Where the image was found, or why there is none yet.
    pub(crate) image_from: String,
    /// The article's summary, as plain text.
    pub(crate) summary: String,
    /// The item's full text (what a template's `content_html` comes from)
    /// reduced to plain text and cut as a summary is.
    pub(crate) content: String,
    /// The item's author and its own categories, as templates get them.
    pub(crate) author: String,
    pub(crate) categories: Vec<String>,
    /// The item's first file that is not its image (a podcast's audio).
    pub(crate) enclosure: Option<String>,
}

impl ItemLine {
    fn of(draft: &crate::extract::ItemDraft, article_images: bool) -> ItemLine {
        // No feed is named here: its pages are read when article_images
        // is on and the link is on the feed's host (see `check --online`).
        let (image, image_from) = match image_outlook(draft, article_images) {
            ImageOutlook::Chosen(url, source) => (Some(url.to_string()), source.to_string()),
            ImageOutlook::PageFirst { fallback: None } => (
                None,
                "none in the feed: a run reads the article page for its preview image".to_string(),
            ),
            ImageOutlook::PageFirst {
                fallback: Some(url),
            } => (
                Some(url.to_string()),
                format!(
                    "{}, unless the article page has a preview image: a run reads it first",
                    ImageSource::Content
                ),
            ),
            ImageOutlook::None => (None, "none (article_images = false)".to_string()),
        };
        ItemLine {
            title: draft.title.clone(),
            date: crate::util::when::json_time(draft.date),
            date_from: match draft.date_source {
                crate::extract::DateSource::Published => "published",
                crate::extract::DateSource::Updated => "updated",
                crate::extract::DateSource::FirstImport => "none",
            },
            link: draft.source_url.to_string(),
            image,
            image_from,
            summary: draft.summary.clone(),
            content: crate::extract::shorten_summary(&crate::extract::html_to_text(
                &draft.content_html.load().unwrap_or_default(),
            )),
            author: draft.author.clone(),
            categories: draft.categories.clone(),
            enclosure: draft.enclosure.as_ref().map(|e| e.url.to_string()),
        }
    }
}

/// Probes every feed of the config, `concurrency` at once, then tells what
/// a run would do with each: the items it would import (the run's
/// selection, on the state as a dry run opens it, feeds in config order)
/// and the article pages it would read for them (the run's rule).
pub(crate) async fn probe_feeds(config: &Config, outputs: &Outputs) -> Vec<Probe> {
    let fetcher = match Fetcher::new(&config.fetch) {
        Ok(fetcher) => fetcher,
        Err(e) => {
            return config
                .feeds
                .iter()
                .map(|f| Probe::failed(f, error_chain(&e)))
                .collect();
        }
    };
    // Each probe keeps its feed: in config order, as the run selects.
    let probed: Vec<Probed<'_>> = futures_util::stream::iter(&config.feeds)
        .map(|feed| probe(&fetcher, feed))
        .buffered(config.concurrency)
        .collect()
        .await;
    let now = Utc::now();
    match open_state(config, outputs, true, now) {
        Ok(state) => predict_run(&state, probed, now),
        Err(e) => probed
            .into_iter()
            .map(|Probed { mut probe, .. }| {
                probe.prediction_error = Some(error_chain(&e));
                probe
            })
            .collect(),
    }
}

/// Fills in each probe what a run would import and which article pages it
/// would read: [`select_new`] and [`pages_to_read`], as the run calls them.
fn predict_run(state: &State, probed: Vec<Probed<'_>>, now: DateTime<Utc>) -> Vec<Probe> {
    let mut taken_in_run = Taken::default();
    probed
        .into_iter()
        .map(|probed| {
            let Probed {
                feed,
                mut probe,
                drafts,
                policy,
            } = probed;
            if probe.error.is_some() {
                return probe;
            }
            match select_new(state, feed, drafts, &mut taken_in_run, now) {
                Ok(selection) => {
                    let pages = pages_to_read(feed, policy, &selection.new);
                    probe.new_items = Some(selection.new.len());
                    probe.article_pages_to_read = pages.len();
                    probe.article_pages =
                        Some(pages.into_iter().map(|(_, url)| url.to_string()).collect());
                }
                Err(e) => probe.prediction_error = Some(error_chain(&e)),
            }
            probe
        })
        .collect()
}

impl Probe {
    fn failed(feed: &FeedConfig, error: String) -> Probe {
        Probe {
            error: Some(error),
            ..Probe::new(&feed.name, &feed.source.to_string())
        }
    }

    fn new(name: &str, url: &str) -> Probe {
        Probe {
            name: name.to_string(),
            url: url.to_string(),
            error: None,
            format: None,
            items: 0,
            newest: None,
            images_declared: 0,
            images_in_content: 0,
            article_pages_to_read: 0,
            new_items: None,
            article_pages: None,
            prediction_error: None,
            conditional_304: None,
            moved_to: None,
            encoding: None,
            repairs: Vec::new(),
            item_list: None,
        }
    }
}

/// One feed fetched and described: what a run would find in it.
struct Probed<'a> {
    feed: &'a FeedConfig,
    probe: Probe,
    /// The items read, for the run's selection.
    drafts: Vec<ItemDraft>,
    /// The address rule its article pages would be read under, as the
    /// feed's fetch left it.
    policy: AddressPolicy,
}

/// One feed fetched and described, with its drafts.
async fn probe<'a>(fetcher: &Fetcher, feed: &'a FeedConfig) -> Probed<'a> {
    let policy = AddressPolicy::of_source(&feed.source).await;
    let failed = |error: String| Probed {
        feed,
        probe: Probe::failed(feed, error),
        drafts: Vec::new(),
        policy,
    };
    let fetched = match fetcher.fetch(&feed.source, None, policy).await {
        Ok(FetchOutcome::Fetched(fetched)) => fetched,
        Ok(FetchOutcome::NotModified(_)) => {
            return failed("304 to an unconditional request".to_string());
        }
        Err(e) if e.is_plain() => return failed(e.to_string()),
        Err(e) => return failed(error_chain(&e)),
    };
    let pages_policy = fetched.policy;
    let info = fetched.info.clone();
    let (mut probe, drafts) = describe(
        &feed.name,
        &feed.source.identity(),
        fetched.body,
        fetched.content_type.as_deref(),
        fetched.final_url.as_ref(),
        feed.article_images,
        false,
    );
    probe.url = feed.source.to_string();
    let described = |probe, drafts| Probed {
        feed,
        probe,
        drafts,
        policy: pages_policy,
    };
    if probe.error.is_some() {
        return described(probe, drafts);
    }
    let validators = &info.validators;
    probe.conditional_304 = if validators.etag.is_some() || validators.last_modified.is_some() {
        Some(matches!(
            fetcher.fetch(&feed.source, Some(validators), policy).await,
            Ok(FetchOutcome::NotModified(_))
        ))
    } else {
        None
    };
    probe.moved_to = info.moved_to.map(|u| u.to_string());
    described(probe, drafts)
}

/// Parses and reads a feed's body, and describes what an import would
/// find; with the drafts it read.
pub(crate) fn describe(
    name: &str,
    identity: &str,
    body: crate::util::spool::Body,
    content_type: Option<&str>,
    base: Option<&url::Url>,
    article_images: bool,
    list_items: bool,
) -> (Probe, Vec<ItemDraft>) {
    let mut probe = Probe::new(name, identity);
    let read = match read_feed(body, content_type, base, identity, Utc::now()) {
        Ok(read) => read,
        Err(e) => {
            probe.error = Some(error_chain(&e));
            return (probe, Vec::new());
        }
    };
    let drafts = &read.drafts;
    probe.repairs = read.fixes.iter().map(ToString::to_string).collect();
    probe.encoding = Some(read.encoding.to_string());
    probe.format = Some(format!("{:?}", read.format));
    probe.items = read.entries;
    probe.newest = drafts.iter().map(|d| d.date).max();
    probe.images_declared = drafts.iter().filter(|d| d.declared_image.is_some()).count();
    probe.images_in_content = drafts
        .iter()
        .filter(|d| d.declared_image.is_none() && d.content_image.is_some())
        .count();
    probe.article_pages_to_read = if article_images {
        drafts.iter().filter(|d| d.declared_image.is_none()).count()
    } else {
        0
    };
    if list_items {
        probe.item_list = Some(
            drafts
                .iter()
                .map(|d| ItemLine::of(d, article_images))
                .collect(),
        );
    }
    (probe, read.drafts)
}

/// The human form of the probes.
pub(crate) fn render_probes(probes: &[Probe]) -> String {
    let mut out = String::from("\nonline check:\n");
    out.push_str(&render_probe_lines(probes));
    out
}

/// One block per probe.
pub(crate) fn render_probe_lines(probes: &[Probe]) -> String {
    let mut out = String::new();
    for probe in probes {
        out.push_str(&format!("  {}\n", probe.name));
        if let Some(error) = &probe.error {
            out.push_str(&format!("    FAILED: {error}\n"));
            continue;
        }
        out.push_str(&format!(
            "    format: {} ({}), {} items, newest {}\n",
            probe.format.as_deref().unwrap_or("?"),
            probe.encoding.as_deref().unwrap_or("?"),
            probe.items,
            probe
                .newest
                .map(|d| d.to_rfc3339())
                .unwrap_or_else(|| "-".to_string())
        ));
        out.push_str(&format!(
            "    images: {} declared in the feed, {} only in the content, {} article pages to read for og:image\n",
            probe.images_declared, probe.images_in_content, probe.article_pages_to_read
        ));
        if let Some(new) = probe.new_items {
            out.push_str(&format!(
                "    a run now would import {new} new {}\n",
                if new == 1 { "item" } else { "items" }
            ));
        }
        if let Some(error) = &probe.prediction_error {
            out.push_str(&format!(
                "    which items are new cannot be told: {error}\n"
            ));
        }
        for page in probe.article_pages.iter().flatten() {
            out.push_str(&format!("      article page to read: {page}\n"));
        }
        if probe.url.starts_with("http") {
            out.push_str(&format!(
                "    conditional requests: {}\n",
                match probe.conditional_304 {
                    Some(true) => "answered with 304 (cheap re-runs)",
                    Some(false) => "not honoured (the whole feed is sent every time)",
                    None => "no ETag or Last-Modified sent",
                }
            ));
        }
        if let Some(moved_to) = &probe.moved_to {
            out.push_str(&format!(
                "    moved permanently to {moved_to}: update feeds.toml\n"
            ));
        }
        if !probe.repairs.is_empty() {
            out.push_str(&format!(
                "    needed repair: {}\n",
                probe.repairs.join(", ")
            ));
        }
        for (number, item) in probe.item_list.iter().flatten().enumerate() {
            let date = match item.date_from {
                "none" => format!("{} (no date: the time of import stands in)", item.date),
                from => format!("{} ({from})", item.date),
            };
            out.push_str(&format!(
                "    {}. {}\n       date: {date}\n       link: {}\n       image: {} ({})\n",
                number + 1,
                item.title,
                item.link,
                item.image.as_deref().unwrap_or("-"),
                item.image_from
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_item_is_listed_with_its_image_and_where_it_came_from() {
        let rss = r#"<?xml version="1.0"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title>
<item><title>Declared</title><link>https://e.org/1</link><pubDate>Mon, 02 Sep 2024 10:13:01 +0000</pubDate>
<media:content url="https://e.org/d.jpg" medium="image" width="800" height="600"/></item>
<item><title>In content</title><link>https://e.org/2</link><pubDate>Mon, 02 Sep 2024 09:00:00 +0000</pubDate>
<description>&lt;p&gt;Text &lt;img src="https://e.org/c.jpg" width="640" height="480"&gt;&lt;/p&gt;</description></item>
<item><title>Undated, no image</title><link>https://e.org/3</link></item>
</channel></rss>"#;
        let read = |list_items| {
            describe(
                "f",
                "f",
                rss.as_bytes().to_vec().into(),
                None,
                None,
                true,
                list_items,
            )
            .0
        };
        let probe = read(true);
        let items = probe.item_list.expect("listed");
        let lines: Vec<(&str, &str, &str, Option<&str>, &str)> = items
            .iter()
            .map(|i| {
                (
                    i.title.as_str(),
                    i.date_from,
                    i.link.as_str(),
                    i.image.as_deref(),
                    i.image_from.as_str(),
                )
            })
            .collect();
        assert_eq!(
            lines,
            [
                (
                    "Declared",
                    "published",
                    "https://e.org/1",
                    Some("https://e.org/d.jpg"),
                    "declared in the feed"
                ),
                (
                    "In content",
                    "published",
                    "https://e.org/2",
                    Some("https://e.org/c.jpg"),
                    "the first <img> of the content, unless the article page has a preview image: a run reads it first"
                ),
                (
                    "Undated, no image",
                    "none",
                    "https://e.org/3",
                    None,
                    "none in the feed: a run reads the article page for its preview image"
                ),
            ]
        );
        assert_eq!(items[0].date, "2024-09-02T10:13:01Z");
        // Without --items, counts only.
        let counts = read(false);
        assert!(counts.item_list.is_none());
        assert!(!render_probe_lines(std::slice::from_ref(&counts)).contains("e.org/1"));
    }
}
