//! Article pages: the preview image of new items whose feed declares none.
//!
//! In: one feed's new drafts and the run's HTTP client. Out: each draft with
//! the `og:image` (or like) its publisher set on the article page, when the
//! page was read and has one. Only pages on the feed's own host (or its
//! `article_hosts`) are fetched, and a public feed's pages only on public
//! addresses. A page that fails is a warning, never a failure of the feed;
//! so are the pages not read within the feed's time budget.

use futures_util::StreamExt;
use url::Url;

use crate::config::{FeedConfig, FeedSource};
use crate::extract::{ItemDraft, preview_image};
use crate::fetch::{AddressPolicy, Fetcher};

/// Article pages fetched at once for one feed (the per-host limit applies
/// on top).
const PAGE_FETCHES_PER_FEED: usize = 16;

/// A feed's article pages are read for at most this many times `timeout`,
/// all together: pages that never answer cannot hold the feeds after it for
/// longer. The pages not read by then are skipped (their items keep their
/// other image sources).
const PAGE_BUDGET_TIMEOUTS: u32 = 2;

/// Pairs each draft with the preview image of its article page, read for
/// the drafts whose feed declares no image. `policy` is the feed's: a feed
/// on a private address (an intranet, a test server) may have its pages
/// there too; a public feed's links may not lead inside.
pub(super) async fn find_page_images(
    fetcher: Fetcher,
    feed: FeedConfig,
    policy: AddressPolicy,
    drafts: Vec<ItemDraft>,
) -> Vec<(ItemDraft, Option<Url>)> {
    let (fetcher, feed) = (&fetcher, &feed);
    let mut images: Vec<Option<Url>> = vec![None; drafts.len()];
    let wanted = pages_to_read(feed, &drafts);
    if !wanted.is_empty() {
        // The host rule holds at every redirect too: a page that moves to
        // another site is not read there.
        let host_allowed = |url: &Url| page_allowed(feed, url);
        let host_allowed = &host_allowed;
        let budget = fetcher.timeout().saturating_mul(PAGE_BUDGET_TIMEOUTS);
        let deadline = tokio::time::Instant::now() + budget;
        let mut unread = wanted.len();
        let found = futures_util::stream::iter(wanted)
            .map(|(index, url)| async move {
                match fetcher.fetch_page_head(&url, policy, host_allowed).await {
                    Ok(head) => (index, preview_image(&head.html, &head.final_url)),
                    Err(e) => {
                        tracing::warn!(
                            feed = %feed.name,
                            page = %url,
                            "cannot read the article page for its image: {}",
                            crate::util::error_chain(&e)
                        );
                        (index, None)
                    }
                }
            })
            .buffer_unordered(PAGE_FETCHES_PER_FEED);
        let mut found = std::pin::pin!(found);
        loop {
            match tokio::time::timeout_at(deadline, found.next()).await {
                Ok(Some((index, image))) => {
                    images[index] = image;
                    unread -= 1;
                }
                Ok(None) => break,
                // The fetches still running are dropped, and so cancelled.
                Err(_) => {
                    tracing::warn!(
                        feed = %feed.name,
                        "{unread} article pages not read within {} (twice the timeout): their items are written with their other image sources",
                        humantime::format_duration(budget)
                    );
                    break;
                }
            }
        }
    }
    drafts.into_iter().zip(images).collect()
}

/// The article pages a run reads for a feed's new items (`drafts`), by
/// the item's index: the link of each item whose feed entry declares no
/// image, when the feed reads article images, the link is the item's own
/// (a home page that several items share, or that stands in for an item
/// without a link, is no item's article) and it is on the feed's own host
/// or one of its `article_hosts`. The one rule, for the run and for
/// `check --online`, which names these pages.
pub(super) fn pages_to_read(feed: &FeedConfig, drafts: &[ItemDraft]) -> Vec<(usize, Url)> {
    if !feed.article_images {
        return Vec::new();
    }
    drafts
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            d.declared_image.is_none() && d.link_identifies && page_allowed(feed, &d.source_url)
        })
        .map(|(i, d)| (i, d.source_url.clone()))
        .collect()
}

/// Is the article at `url` on the feed's own host, or on a host the feed
/// allows? `www.` does not make a host different.
pub(super) fn page_allowed(feed: &FeedConfig, url: &Url) -> bool {
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
    use crate::config::Config;
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

    #[tokio::test]
    async fn pages_that_never_answer_are_given_up_when_the_budget_is_spent() {
        use crate::config::FetchSettings;
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::time::Duration;
        const PAGES: usize = 50;
        // Accepts every connection and never answers.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                held.push(stream);
            }
        });
        let text =
            format!("[[feeds]]\nname = \"Silent\"\nurl = \"{base}/feed\"\nsection = \"news\"\n");
        let feed = Config::parse(&text, Path::new("feeds.toml"), Path::new("."))
            .unwrap()
            .feeds
            .remove(0);
        let settings = FetchSettings {
            timeout: Duration::from_millis(200),
            ..FetchSettings::default()
        };
        let fetcher = Fetcher::new(&settings).unwrap();
        let drafts: Vec<ItemDraft> = (0..PAGES)
            .map(|i| ItemDraft {
                title: format!("Story {i}"),
                source_url: Url::parse(&format!("{base}/a/{i}")).unwrap(),
                ..ItemDraft::sample(&i.to_string(), None)
            })
            .collect();
        // A test server on loopback: its pages are there too.
        let found = find_page_images(fetcher, feed, AddressPolicy::Any, drafts).await;
        assert_eq!(found.len(), PAGES);
        assert!(found.iter().all(|(_, image)| image.is_none()));
        // Two at a time (per_host), each given up after 200 ms, for a budget
        // of 400 ms: far from every page was asked for.
        let asked = accepted.load(Ordering::SeqCst);
        assert!(asked < PAGES, "{asked} of {PAGES} pages requested");
    }
}
