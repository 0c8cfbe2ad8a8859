//! Article pages: the preview image of new items whose feed declares none.
//!
//! In: one feed's new drafts and the run's HTTP client. Out: each draft with
//! the `og:image` (or like) its publisher set on the article page, when the
//! page was read and has one. Pages are read on any host the feed's address
//! rule lets its requests reach (a public feed's pages only on public
//! addresses, at every hop), or only on the feed's host and its
//! `article_hosts` when it lists some. A page that fails is a warning,
//! never a failure of the feed; so are the pages not read within the feed's
//! time budget.

use futures_util::StreamExt;
use url::Url;

use crate::config::{FeedConfig, FeedSource};
use crate::extract::{ItemDraft, preview_image};
use std::collections::HashSet;

use crate::fetch::{AddressPolicy, FetchError, Fetcher, NetworkFailure};

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
    let wanted = pages_to_read(feed, policy, &drafts);
    if !wanted.is_empty() {
        // The host rule holds at every redirect too: a page that moves to
        // a site `article_hosts` leaves out is not read there.
        let host_allowed = |url: &Url| page_allowed(feed, url);
        let host_allowed = &host_allowed;
        let budget = fetcher.timeout().saturating_mul(PAGE_BUDGET_TIMEOUTS);
        let deadline = tokio::time::Instant::now() + budget;
        let mut unread = wanted.len();
        let unreachable = &UnreachableHosts::default();
        let found = futures_util::stream::iter(wanted)
            .map(|(index, url)| async move {
                if unreachable.has(&url) {
                    return (index, None);
                }
                match fetcher.fetch_page_head(&url, policy, host_allowed).await {
                    Ok(head) => (index, preview_image(&head.html, &head.final_url)),
                    Err(e) => {
                        if unreachable.add_if_unreachable(&url, &e) {
                            tracing::warn!(
                                feed = %feed.name,
                                page = %url,
                                "cannot read the article page for its image: {}; the feed's other pages on that host are not tried in this run",
                                crate::util::error_chain(&e)
                            );
                        } else {
                            tracing::warn!(
                                feed = %feed.name,
                                page = %url,
                                "cannot read the article page for its image: {}",
                                crate::util::error_chain(&e)
                            );
                        }
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

/// The hosts (with their port) a feed's article pages could not reach in
/// this run: a name that does not resolve, or resolves only where the
/// address rule forbids, a port nothing listens on, a server that never
/// answers, a TLS setup that fails. Their other pages would fail the same
/// way, each after its own wait, so they are not tried.
#[derive(Default)]
struct UnreachableHosts(std::sync::Mutex<HashSet<String>>);

impl UnreachableHosts {
    fn key(url: &Url) -> String {
        format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or_default()
        )
    }

    fn has(&self, url: &Url) -> bool {
        self.0
            .lock()
            .is_ok_and(|hosts| hosts.contains(&Self::key(url)))
    }

    /// Records `url`'s host when `error` says the host cannot be reached;
    /// true when it was not recorded before.
    fn add_if_unreachable(&self, url: &Url, error: &FetchError) -> bool {
        let unreachable = match error {
            FetchError::PageRequest { failure, .. } => matches!(
                failure,
                NetworkFailure::Dns
                    | NetworkFailure::Refused
                    | NetworkFailure::Timeout
                    | NetworkFailure::Tls
            ),
            FetchError::PrivateAddress { url: refused } => {
                Url::parse(refused).is_ok_and(|refused| Self::key(&refused) == Self::key(url))
            }
            _ => false,
        };
        unreachable
            && self
                .0
                .lock()
                .is_ok_and(|mut hosts| hosts.insert(Self::key(url)))
    }
}

/// The article pages a run reads for a feed's new items (`drafts`), by
/// the item's index: the link of each item whose feed entry declares no
/// image, when the feed reads article images, the link is the item's own
/// (a home page that several items share, or that stands in for an item
/// without a link, is no item's article), `policy` lets a request go there
/// (the addresses a name resolves to are judged as it connects) and
/// [`page_allowed`] accepts its host. The one rule, for the run and for
/// `check --online`, which names these pages.
pub(super) fn pages_to_read(
    feed: &FeedConfig,
    policy: AddressPolicy,
    drafts: &[ItemDraft],
) -> Vec<(usize, Url)> {
    if !feed.article_images {
        return Vec::new();
    }
    drafts
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            d.declared_image.is_none()
                && d.link_identifies
                && policy.allows_url(&d.source_url)
                && page_allowed(feed, &d.source_url)
        })
        .map(|(i, d)| (i, d.source_url.clone()))
        .collect()
}

/// May the article page at `url` be read, by its host? Any host, unless
/// the feed lists `article_hosts`: then only those and the feed's own host.
/// `www.` does not make a host different.
pub(super) fn page_allowed(feed: &FeedConfig, url: &Url) -> bool {
    let Some(host) = url.host_str().map(|h| h.to_ascii_lowercase()) else {
        return false;
    };
    if feed.article_hosts.is_empty() {
        return true;
    }
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
    fn article_pages_on_any_host_unless_article_hosts_narrow_them() {
        let text = r#"
[[feeds]]
name = "Narrowed"
url = "https://www.news.example.org/feed/"
section = "papers"
article_hosts = ["cdn.example.net"]

[[feeds]]
name = "Any host"
url = "https://feeds.example.org/news"
section = "papers"

[[feeds]]
name = "Saved"
url = "saved.xml"
section = "papers"
article_hosts = ["news.example.org"]
"#;
        let config = Config::parse(text, Path::new("feeds.toml"), Path::new(".")).unwrap();
        let (narrowed, any, saved) = (&config.feeds[0], &config.feeds[1], &config.feeds[2]);
        let allowed = |feed, url: &str| page_allowed(feed, &Url::parse(url).unwrap());
        assert!(allowed(narrowed, "https://news.example.org/a/"));
        assert!(allowed(narrowed, "https://WWW.News.Example.org/a/"));
        assert!(allowed(narrowed, "http://cdn.example.net/a/"));
        assert!(!allowed(narrowed, "https://elsewhere.example/a/"));
        assert!(!allowed(narrowed, "https://example.org/a/"));
        assert!(!allowed(
            narrowed,
            "https://news.example.org.evil.example/a/"
        ));
        // A feed service's items link to the publisher's site.
        assert!(allowed(any, "https://www.example.org/2024/story/"));
        assert!(allowed(any, "https://elsewhere.example/a/"));
        // A saved feed has no host of its own: only its article_hosts.
        assert!(allowed(saved, "https://news.example.org/a/"));
        assert!(!allowed(saved, "https://elsewhere.example/a/"));
    }

    #[test]
    fn pages_to_read_keep_to_the_address_rule() {
        let text = "[[feeds]]\nname = \"News\"\nurl = \"https://feeds.example.org/news\"\nsection = \"papers\"\n";
        let feed = Config::parse(text, Path::new("feeds.toml"), Path::new("."))
            .unwrap()
            .feeds
            .remove(0);
        let links = [
            "https://www.example.org/story",
            "http://127.0.0.1:8080/admin",
            "http://[::ffff:169.254.169.254]/latest",
            "http://localhost/page",
            "https://93.184.216.34/story",
        ];
        let drafts: Vec<ItemDraft> = links
            .iter()
            .enumerate()
            .map(|(i, link)| ItemDraft {
                source_url: Url::parse(link).unwrap(),
                ..ItemDraft::sample(&i.to_string(), None)
            })
            .collect();
        let read = |policy| -> Vec<String> {
            pages_to_read(&feed, policy, &drafts)
                .into_iter()
                .map(|(_, url)| url.to_string())
                .collect()
        };
        assert_eq!(
            read(AddressPolicy::PublicOnly),
            [
                "https://www.example.org/story",
                "https://93.184.216.34/story"
            ]
        );
        assert_eq!(read(AddressPolicy::Any).len(), links.len());
        let mut without = feed.clone();
        without.article_images = false;
        assert!(pages_to_read(&without, AddressPolicy::Any, &drafts).is_empty());
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
