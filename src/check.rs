//! `feedimport check --online`: fetch each feed once, import nothing, and
//! describe what it holds.
//!
//! In: the config. Out: per feed its format, item count, newest item date,
//! how many items have an image and from where, and whether the server
//! answers a conditional request with 304. A feed that cannot be fetched or
//! parsed is a [`Probe`] with an error, never a failure of the whole check.

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::Serialize;

use crate::config::{Config, FeedConfig};
use crate::extract::{self, FeedContext};
use crate::fetch::{FetchOutcome, Fetcher};
use crate::parse::parse_feed;

#[derive(Debug, Serialize)]
pub struct Probe {
    pub name: String,
    pub url: String,
    pub error: Option<String>,
    pub format: Option<String>,
    pub items: usize,
    pub newest: Option<DateTime<Utc>>,
    /// Items whose feed entry declares an image (media, enclosure, itunes).
    pub images_declared: usize,
    /// Items whose only image is an `<img>` in the content.
    pub images_in_content: usize,
    /// Items without a declared image whose article page would be read.
    pub article_pages_to_read: usize,
    /// `Some(true)` when the server answered our conditional request with
    /// 304, `None` when it sent no validators to make one.
    pub conditional_304: Option<bool>,
    /// Set when the feed moved permanently.
    pub moved_to: Option<String>,
    /// The character encoding the feed was read in.
    pub encoding: Option<String>,
    /// What had to be repaired before the feed would parse.
    pub repairs: Vec<String>,
}

/// Probes every feed of the config, `concurrency` at once.
pub async fn probe_feeds(config: &Config) -> Vec<Probe> {
    let fetcher = match Fetcher::new(&config.fetch) {
        Ok(fetcher) => fetcher,
        Err(e) => {
            return config
                .feeds
                .iter()
                .map(|f| Probe::failed(f, e.to_string()))
                .collect();
        }
    };
    futures_util::stream::iter(&config.feeds)
        .map(|feed| probe(&fetcher, feed))
        .buffered(config.concurrency)
        .collect()
        .await
}

impl Probe {
    fn failed(feed: &FeedConfig, error: String) -> Probe {
        Probe {
            name: feed.name.clone(),
            url: feed.source.to_string(),
            error: Some(error),
            format: None,
            items: 0,
            newest: None,
            images_declared: 0,
            images_in_content: 0,
            article_pages_to_read: 0,
            conditional_304: None,
            moved_to: None,
            encoding: None,
            repairs: Vec::new(),
        }
    }
}

async fn probe(fetcher: &Fetcher, feed: &FeedConfig) -> Probe {
    let fetched = match fetcher.fetch(&feed.source, None).await {
        Ok(FetchOutcome::Fetched(fetched)) => fetched,
        Ok(FetchOutcome::NotModified(_)) => {
            return Probe::failed(feed, "304 to an unconditional request".to_string());
        }
        Err(e) => return Probe::failed(feed, e.to_string()),
    };
    let info = fetched.info.clone();
    let final_url = fetched.final_url.clone();
    let parsed = match parse_feed(
        fetched.body,
        fetched.content_type.as_deref(),
        final_url.as_ref(),
    ) {
        Ok(parsed) => parsed,
        Err(e) => return Probe::failed(feed, e.to_string()),
    };
    let repairs: Vec<String> = parsed.fixes.iter().map(ToString::to_string).collect();
    let encoding = parsed.encoding;
    let parsed = parsed.feed;
    let identity = feed.source.identity();
    let context = FeedContext {
        feed_identity: &identity,
        feed_url: final_url.as_ref(),
        now: Utc::now(),
    };
    let (drafts, _) = extract::extract_items(&parsed, &context);
    let validators = &info.validators;
    let conditional_304 = if validators.etag.is_some() || validators.last_modified.is_some() {
        Some(matches!(
            fetcher.fetch(&feed.source, Some(validators)).await,
            Ok(FetchOutcome::NotModified(_))
        ))
    } else {
        None
    };
    Probe {
        name: feed.name.clone(),
        url: feed.source.to_string(),
        error: None,
        format: Some(format!("{:?}", parsed.feed_type)),
        items: parsed.entries.len(),
        newest: drafts.iter().map(|d| d.date).max(),
        images_declared: drafts.iter().filter(|d| d.declared_image.is_some()).count(),
        images_in_content: drafts
            .iter()
            .filter(|d| d.declared_image.is_none() && d.content_image.is_some())
            .count(),
        article_pages_to_read: if feed.article_images {
            drafts.iter().filter(|d| d.declared_image.is_none()).count()
        } else {
            0
        },
        conditional_304,
        moved_to: info.moved_to.map(|u| u.to_string()),
        encoding: Some(encoding.to_string()),
        repairs,
    }
}

/// The human form of the probes.
pub fn render_probes(probes: &[Probe]) -> String {
    let mut out = String::from("\nonline check:\n");
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
        out.push_str(&format!(
            "    conditional requests: {}\n",
            match probe.conditional_304 {
                Some(true) => "answered with 304 (cheap re-runs)",
                Some(false) => "not honoured (the whole feed is sent every time)",
                None => "no ETag or Last-Modified sent",
            }
        ));
        if let Some(moved_to) = &probe.moved_to {
            out.push_str(&format!(
                "    moved permanently to {moved_to}: update feeds.toml\n"
            ));
        }
    }
    out
}
