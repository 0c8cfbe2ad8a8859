//! Finding a site's feed from any of its pages, for `feedimport add`.
//!
//! In: a URL that a user gave, a feed's or a page's. Out: a [`Found`] feed:
//! the URL that answered with a document that parses as a feed, its body
//! and title, and every feed the page announced. A page is read for its
//! `<link rel="alternate">` of an RSS, Atom or JSON Feed type (relative
//! hrefs resolved against the page and its `<base href>`); a page that
//! announces none is tried at the usual places ([`USUAL_PLACES`]). Every
//! request goes through the run's [`Fetcher`] (its limits, retries and
//! redirects) under the address rule of the URL given, as a feed configured
//! with that URL would: a public page's links never reach a private address.
//!
//! Fails with [`DiscoverError`]: the URL cannot be fetched, the feed it
//! announces does not parse, or nothing feed-like was found (the error says
//! what was tried).

use url::Url;

use crate::config::FeedSource;
use crate::extract::html_scan::start_tags;
use crate::fetch::address::AddressPolicy;
use crate::fetch::{FetchError, FetchOutcome, FetchedFeed, Fetcher};
use crate::parse::{ParseError, parse_feed};
use crate::util::spool::Body;

/// Where sites usually keep their feed, when no page says (WordPress,
/// Jekyll, Hugo, Ghost and others), tried in this order from the site's
/// root.
pub(crate) const USUAL_PLACES: &[&str] = &[
    "/feed/",
    "/rss.xml",
    "/atom.xml",
    "/index.xml",
    "/feed.json",
    "/?feed=rss2",
];

/// A feed a page announces with `<link rel="alternate">`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FeedLink {
    pub(crate) url: Url,
    /// The link's `title`, trimmed (often "Site » Feed" or "Comments").
    pub(crate) title: String,
    /// The link's media type, lowercase, without parameters.
    pub(crate) media_type: String,
}

/// The feeds `html` announces, in document order, each once: `<link>`s
/// whose `rel` lists `alternate` and whose `type` is RSS, Atom or JSON
/// Feed (`application/json` only when the title calls it a feed, since
/// sites link plain JSON APIs that way too). Relative hrefs resolve against
/// the page's `<base href>`, else `page_url`; only http(s) URLs are kept.
pub(crate) fn alternate_feeds(html: &str, page_url: &Url) -> Vec<FeedLink> {
    let mut base: Option<Url> = None;
    let mut found: Vec<FeedLink> = Vec::new();
    for tag in start_tags(html) {
        if tag.is("base") && base.is_none() {
            // Only the first <base href> counts (HTML, "the base element").
            base = tag
                .attr("href")
                .and_then(|href| page_url.join(href.trim()).ok());
            continue;
        }
        if !tag.is("link") {
            continue;
        }
        let rel = tag.attr("rel").unwrap_or_default();
        if !rel
            .split_ascii_whitespace()
            .any(|r| r.eq_ignore_ascii_case("alternate"))
        {
            continue;
        }
        let media_type = tag
            .attr("type")
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let title = tag
            .attr("title")
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default();
        if !is_feed_type(&media_type, &title) {
            continue;
        }
        let Some(href) = tag.attr("href") else {
            continue;
        };
        let Some(url) = base
            .as_ref()
            .unwrap_or(page_url)
            .join(href.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
        else {
            continue;
        };
        if found.iter().all(|f| f.url != url) {
            found.push(FeedLink {
                url,
                title,
                media_type,
            });
        }
    }
    found
}

fn is_feed_type(media_type: &str, title: &str) -> bool {
    match media_type {
        "application/rss+xml" | "application/atom+xml" | "application/feed+json" => true,
        "application/json" => {
            let title = title.to_ascii_lowercase();
            ["feed", "rss", "atom"].iter().any(|w| title.contains(w))
        }
        _ => false,
    }
}

/// The usual places of a site's feed, as URLs on `page_url`'s site.
pub(crate) fn usual_places(page_url: &Url) -> Vec<Url> {
    USUAL_PLACES
        .iter()
        .filter_map(|place| page_url.join(place).ok())
        .collect()
}

/// A feed found for a URL.
#[derive(Debug)]
pub(crate) struct Found {
    /// The URL to write in `feeds.toml`: where the feed was fetched, or
    /// where it moved permanently.
    pub(crate) url: Url,
    /// Every URL this feed answered at (as asked, after redirects): a
    /// feed already configured at any of them is the same feed.
    pub(crate) aliases: Vec<Url>,
    /// The feed's title as plain text (may be empty).
    pub(crate) title: String,
    pub(crate) body: Body,
    pub(crate) content_type: Option<String>,
    /// Where the body came from, for its relative links.
    pub(crate) final_url: Option<Url>,
    /// The feeds the page announced (empty when the URL was a feed, or the
    /// page announced none).
    pub(crate) announced: Vec<FeedLink>,
    /// How the feed was found, for the user.
    pub(crate) how: How,
}

/// How [`discover`] came to the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum How {
    /// The URL given is a feed.
    Given,
    /// The page announced it (the `n`th of its `<link rel="alternate">`,
    /// counted from 1).
    Announced(usize),
    /// Found at one of the usual places.
    UsualPlace,
}

/// Why no feed was found.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DiscoverError {
    #[error("cannot fetch {url}")]
    Fetch {
        url: Url,
        #[source]
        source: FetchError,
    },
    /// An answer that another try would not change (a 404, a 410, a 403).
    #[error("{url} answered HTTP {status}{}", reason(*.status))]
    Status { url: Url, status: u16 },
    #[error("{url} answered 304 to a request that asked for no version")]
    NotModified { url: Url },
    #[error(
        "{url} announces {count} feeds, and --pick {pick} asks for another (give a number from 1 to {count})"
    )]
    NoSuchPick { url: Url, pick: usize, count: usize },
    #[error("the feed {url} that the page announces cannot be used{}", pick_hint(*.others))]
    Announced {
        url: Url,
        /// How many other feeds the page announced.
        others: usize,
        #[source]
        source: Box<DiscoverError>,
    },
    #[error("{url} is not a feed")]
    NotAFeed {
        url: Url,
        #[source]
        source: ParseError,
    },
    #[error(
        "no feed found for {url}: the page announces none (<link rel=\"alternate\"> of an RSS, Atom or JSON Feed type), and none of the usual places is a feed ({})",
        .tried.join("; ")
    )]
    NothingFound {
        url: Url,
        /// Each usual place with what it answered.
        tried: Vec<String>,
    },
}

fn reason(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| format!(" {r}"))
        .unwrap_or_default()
}

fn pick_hint(others: usize) -> &'static str {
    if others > 0 {
        " (choose another of the page's feeds with --pick N)"
    } else {
        ""
    }
}

/// Finds the feed at or behind `url`, as said in the module's summary;
/// `pick` chooses among the feeds a page announces (from 1; the first by
/// default).
pub(crate) async fn discover(
    fetcher: &Fetcher,
    url: &Url,
    pick: Option<usize>,
) -> Result<Found, DiscoverError> {
    // The address rule is the URL given's, for every request that follows,
    // as for a feed configured with that URL.
    let policy = AddressPolicy::of_feed(url).await;
    let fetched = fetch(fetcher, url, policy).await?;
    let page_url = fetched.final_url.clone().unwrap_or_else(|| url.clone());
    let page = match as_feed(url, fetched) {
        Ok(found) => return Ok(found),
        Err(not_feed) => {
            let NotFeed { fetched, error } = *not_feed;
            if !matches!(error, ParseError::HtmlPage) && !looks_like_a_page(&fetched) {
                return Err(DiscoverError::NotAFeed {
                    url: url.clone(),
                    source: error,
                });
            }
            fetched
        }
    };
    // In memory since `as_feed`: reading it cannot fail.
    let bytes = page.body.into_bytes().unwrap_or_default();
    let html = crate::parse::decode::decode_feed_owned(bytes, page.content_type.as_deref()).text;
    let announced = alternate_feeds(&html, &page_url);
    if !announced.is_empty() {
        let index = pick.unwrap_or(1);
        let Some(link) = index.checked_sub(1).and_then(|i| announced.get(i)) else {
            return Err(DiscoverError::NoSuchPick {
                url: url.clone(),
                pick: index,
                count: announced.len(),
            });
        };
        let failed = |source: DiscoverError| DiscoverError::Announced {
            url: link.url.clone(),
            others: announced.len() - 1,
            source: Box::new(source),
        };
        let fetched = fetch(fetcher, &link.url, policy).await.map_err(failed)?;
        let mut found = as_feed(&link.url, fetched).map_err(|n| {
            failed(DiscoverError::NotAFeed {
                url: link.url.clone(),
                source: n.error,
            })
        })?;
        found.how = How::Announced(index);
        found.announced = announced;
        return Ok(found);
    }
    let mut tried = Vec::new();
    for place in usual_places(&page_url) {
        let outcome = match fetch(fetcher, &place, policy).await {
            Ok(fetched) => match as_feed(&place, fetched) {
                Ok(mut found) => {
                    found.how = How::UsualPlace;
                    return Ok(found);
                }
                Err(n) if matches!(n.error, ParseError::HtmlPage) => {
                    "an HTML page, not a feed".to_string()
                }
                Err(n) => crate::util::error_chain(&n.error),
            },
            Err(DiscoverError::Status { status, .. }) => format!("HTTP {status}{}", reason(status)),
            Err(DiscoverError::Fetch { source, .. }) => crate::util::error_chain(&source),
            Err(other) => other.to_string(),
        };
        tried.push(format!("{place}: {outcome}"));
    }
    Err(DiscoverError::NothingFound {
        url: url.clone(),
        tried,
    })
}

async fn fetch(
    fetcher: &Fetcher,
    url: &Url,
    policy: AddressPolicy,
) -> Result<FetchedFeed, DiscoverError> {
    match fetcher
        .fetch(&FeedSource::Http(url.clone()), None, policy)
        .await
    {
        Ok(FetchOutcome::Fetched(fetched)) => Ok(fetched),
        Ok(FetchOutcome::NotModified(_)) => Err(DiscoverError::NotModified { url: url.clone() }),
        // The fetch's own advice speaks of feeds.toml, which this URL is
        // not in yet.
        Err(FetchError::Status { status, .. }) if !(status == 429 || status >= 500) => {
            Err(DiscoverError::Status {
                url: url.clone(),
                status,
            })
        }
        Err(source) => Err(DiscoverError::Fetch {
            url: url.clone(),
            source,
        }),
    }
}

/// A body that did not parse as a feed, and why.
struct NotFeed {
    fetched: FetchedFeed,
    error: ParseError,
}

/// `fetched`, asked for at `asked`, when it parses as a feed.
fn as_feed(asked: &Url, mut fetched: FetchedFeed) -> Result<Found, Box<NotFeed>> {
    let base = fetched.final_url.clone();
    // Held in memory from here: a page or a feed to look at once.
    let bytes = match std::mem::take(&mut fetched.body).into_bytes() {
        Ok(bytes) => bytes,
        Err(source) => {
            return Err(Box::new(NotFeed {
                fetched,
                error: ParseError::Read(source),
            }));
        }
    };
    // The body is needed again for the description: the parse takes its own.
    match parse_feed(
        bytes.clone(),
        fetched.content_type.as_deref(),
        base.as_ref(),
    ) {
        Ok(parsed) => {
            let mut aliases = vec![asked.clone()];
            aliases.extend(base.iter().cloned());
            let url = fetched
                .info
                .moved_to
                .clone()
                .unwrap_or_else(|| asked.clone());
            aliases.push(url.clone());
            aliases.dedup();
            let title = parsed
                .feed
                .title
                .as_ref()
                .map(|t| crate::extract::html_to_text(&t.content))
                .unwrap_or_default();
            Ok(Found {
                url,
                aliases,
                title,
                body: bytes.into(),
                content_type: fetched.content_type,
                final_url: base,
                announced: Vec::new(),
                how: How::Given,
            })
        }
        Err(error) => {
            fetched.body = bytes.into();
            Err(Box::new(NotFeed { fetched, error }))
        }
    }
}

/// Served as HTML, or starting like it: a page to read for its links even
/// when the parser's own HTML test did not fire.
fn looks_like_a_page(fetched: &FetchedFeed) -> bool {
    fetched
        .content_type
        .as_deref()
        .is_some_and(|t| t.to_ascii_lowercase().contains("html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("https://blog.example.org/2024/09/post/").unwrap()
    }

    fn urls(html: &str) -> Vec<String> {
        alternate_feeds(html, &page())
            .into_iter()
            .map(|f| f.url.to_string())
            .collect()
    }

    #[test]
    fn every_announced_feed_is_listed_in_order() {
        let html = r#"<!doctype html><html><head>
            <link rel="stylesheet" href="/style.css">
            <link rel="alternate" type="application/rss+xml" title="Blog &#187; Feed" href="https://blog.example.org/feed/">
            <link rel="alternate" type="application/rss+xml" title="Blog &raquo; Comments Feed" href="/comments/feed/">
            <LINK REL="Alternate" TYPE="Application/Atom+XML" HREF="atom.xml">
            <link rel="alternate" type="application/feed+json" href="//cdn.example.net/feed.json">
            <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
            <link rel="alternate" type="application/rss+xml" href="https://blog.example.org/feed/">
            </head><body></body></html>"#;
        assert_eq!(
            urls(html),
            [
                "https://blog.example.org/feed/",
                "https://blog.example.org/comments/feed/",
                "https://blog.example.org/2024/09/post/atom.xml",
                "https://cdn.example.net/feed.json",
            ]
        );
        let first = &alternate_feeds(html, &page())[0];
        assert_eq!(first.media_type, "application/rss+xml");
        assert_eq!(first.title, "Blog » Feed");
    }

    #[test]
    fn rel_may_be_a_list_and_type_may_have_parameters() {
        let html = r#"<link rel="home alternate" type="application/rss+xml; charset=UTF-8" href="/a">
            <link rel="alternate
            nofollow" type=" application/atom+xml " href="/b">
            <link rel="alternates" type="application/rss+xml" href="/not-this">
            <link rel="feed" type="application/rss+xml" href="/nor-this">"#;
        assert_eq!(
            urls(html),
            ["https://blog.example.org/a", "https://blog.example.org/b"]
        );
    }

    #[test]
    fn plain_json_counts_only_when_its_title_says_feed() {
        let html = r#"<link rel="alternate" type="application/json" href="/wp-json/wp/v2/posts/1">
            <link rel="alternate" type="application/json" title="JSON Feed" href="/feed.json">"#;
        assert_eq!(urls(html), ["https://blog.example.org/feed.json"]);
    }

    #[test]
    fn relative_hrefs_follow_the_first_base() {
        let html = r#"<head><base href="/site/"><base href="https://other.example/">
            <link rel="alternate" type="application/rss+xml" href="feed.xml"></head>"#;
        assert_eq!(urls(html), ["https://blog.example.org/site/feed.xml"]);
    }

    #[test]
    fn only_http_links_are_kept_and_markup_elsewhere_is_not_read() {
        let html = r#"<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
            <link rel="alternate" type="application/rss+xml" href="file:///etc/passwd">
            <link rel="alternate" type="application/rss+xml">
            <!-- <link rel="alternate" type="application/rss+xml" href="/commented"> -->
            <script>document.write('<link rel="alternate" type="application/rss+xml" href="/scripted">')</script>"#;
        assert!(urls(html).is_empty(), "{:?}", urls(html));
    }

    #[test]
    fn the_usual_places_are_on_the_sites_root() {
        let places: Vec<String> = usual_places(&page())
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            places,
            [
                "https://blog.example.org/feed/",
                "https://blog.example.org/rss.xml",
                "https://blog.example.org/atom.xml",
                "https://blog.example.org/index.xml",
                "https://blog.example.org/feed.json",
                "https://blog.example.org/?feed=rss2",
            ]
        );
    }

    #[test]
    fn a_page_where_a_feed_should_be_suggests_add() {
        let message = ParseError::HtmlPage.to_string();
        assert!(message.contains("feedimport add URL"), "{message}");
    }

    #[tokio::test]
    async fn a_public_page_never_leads_to_a_private_address() {
        // The page's policy is the public one: the feed it announces on
        // loopback is refused before any connection, as a run would.
        let fetcher = Fetcher::new(&crate::config::FetchSettings::default()).unwrap();
        let html =
            r#"<link rel="alternate" type="application/rss+xml" href="http://127.0.0.1:9/feed">"#;
        let link = &alternate_feeds(html, &page())[0];
        let error = fetch(&fetcher, &link.url, AddressPolicy::PublicOnly)
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                DiscoverError::Fetch {
                    source: FetchError::PrivateAddress { .. },
                    ..
                }
            ),
            "{error:?}"
        );
    }
}
