//! Paging through a feed's history, for `backfill`: where the page after
//! this one is, whether it may be fetched, and when to stop.
//!
//! In: a parsed feed page (its links, its generator, for a JSON Feed its
//! `next_url`), the URL it came from, and the item keys of the page before.
//! Out: the next page's URL, or none. Pure; nothing fails.
//!
//! The next page is, in this order (RFC 5005):
//! 1. `<atom:link rel="prev-archive">` (an archived feed: the archive
//!    before this document), in RSS as in Atom;
//! 2. `<atom:link rel="next">` (a paged feed, newest page first; RSS and
//!    Atom), or a JSON Feed's `next_url`;
//! 3. `rel="previous"` or `rel="prev"` (paged feeds that number the other
//!    way); a page already read is never read again, so following it back
//!    to a newer page ends the backfill instead of looping;
//! 4. when the feed gives no such link and its `<generator>` is WordPress,
//!    WordPress's own paging: the feed's URL with `?paged=2`, `?paged=3`, …
//!    (a server that ignores it sends its first page again: that page
//!    repeats the last one's items, which stops the backfill). Other feeds
//!    without a link have no history to read: guessing a parameter they do
//!    not know would only fetch the first page again.

use std::collections::HashSet;

use feed_rs::model::Feed;
use url::Url;

use crate::fetch::address::AddressPolicy;

/// The most pages a backfill reads when `--pages` does not say, and the
/// most it may be told to read.
pub(crate) const DEFAULT_PAGES: u16 = 50;
pub(crate) const MAX_PAGES: u16 = 1000;

/// How the next page was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NextPage {
    /// A link of the feed (RFC 5005, or a JSON Feed's `next_url`).
    Link(Url),
    /// WordPress's `?paged=N`, N being the page's number.
    WordPress(Url),
}

impl NextPage {
    pub(crate) fn url(&self) -> &Url {
        match self {
            NextPage::Link(url) | NextPage::WordPress(url) => url,
        }
    }
}

/// The page after `page` (fetched from `current`, which is page number
/// `number` of WordPress's paging when that is how it was found), skipping
/// links to pages in `read`. `json_next_url` is a JSON Feed's `next_url`.
pub(crate) fn next_page(
    page: &Feed,
    json_next_url: Option<&str>,
    current: &Url,
    number: usize,
    read: &HashSet<Url>,
) -> Option<NextPage> {
    let link = |rels: &[&str]| {
        page.links
            .iter()
            .filter(|l| {
                l.rel
                    .as_deref()
                    .is_some_and(|r| rels.iter().any(|want| r.trim().eq_ignore_ascii_case(want)))
            })
            .filter_map(|l| current.join(l.href.trim()).ok())
            .find(|u| matches!(u.scheme(), "http" | "https") && !read.contains(u))
    };
    let json_next = || {
        json_next_url
            .and_then(|href| current.join(href.trim()).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https") && !read.contains(u))
    };
    if let Some(url) = link(&["prev-archive"])
        .or_else(|| link(&["next"]))
        .or_else(json_next)
        .or_else(|| link(&["previous", "prev"]))
    {
        return Some(NextPage::Link(url));
    }
    if gives_no_paging_link(page, json_next_url) && is_wordpress(page) {
        let url = with_paged(current, number + 1);
        return (!read.contains(&url)).then_some(NextPage::WordPress(url));
    }
    None
}

/// The page names none of RFC 5005's links (not even one already read):
/// only then is WordPress's paging guessed.
fn gives_no_paging_link(page: &Feed, json_next_url: Option<&str>) -> bool {
    json_next_url.is_none()
        && !page.links.iter().any(|l| {
            l.rel.as_deref().is_some_and(|r| {
                ["prev-archive", "next", "previous", "prev"]
                    .iter()
                    .any(|want| r.trim().eq_ignore_ascii_case(want))
            })
        })
}

/// WordPress says so in `<generator>` (`https://wordpress.org/?v=6.6.2`).
fn is_wordpress(page: &Feed) -> bool {
    page.generator.as_ref().is_some_and(|g| {
        [Some(g.content.as_str()), g.uri.as_deref()]
            .into_iter()
            .flatten()
            .any(|text| text.to_ascii_lowercase().contains("wordpress"))
    })
}

/// `url` with its `paged` parameter set to `number` (other parameters kept).
pub(crate) fn with_paged(url: &Url, number: usize) -> Url {
    let mut paged = url.clone();
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "paged")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    paged
        .query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair("paged", &number.to_string());
    paged
}

/// A JSON Feed's `next_url`, when `body` is a JSON object that has one.
pub(crate) fn json_next_url(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Paging {
        next_url: Option<serde_json::Value>,
    }
    let start = body.iter().position(|b| !b.is_ascii_whitespace())?;
    if body[start] != b'{' {
        return None;
    }
    let paging: Paging = serde_json::from_slice(&body[start..]).ok()?;
    match paging.next_url? {
        serde_json::Value::String(url) => Some(url),
        _ => None,
    }
}

/// Why a page link is not followed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Refused {
    #[error("the next page {0} is on another host than the feed: not followed")]
    OtherHost(Url),
    #[error(
        "the next page {0} is on a private or local address, and the feed's url is not: not followed"
    )]
    PrivateAddress(Url),
}

/// May the page at `url` be fetched for a feed on `hosts` (the configured
/// URL's host, and where it moved)? The same rules as the feed's own
/// fetch: its host, and its address rule (the addresses a name resolves to
/// are judged again as the connection is made).
pub(crate) fn may_fetch(url: &Url, hosts: &[String], policy: AddressPolicy) -> Result<(), Refused> {
    let host = url.host_str().unwrap_or("").trim_end_matches('.');
    if !hosts
        .iter()
        .any(|h| h.trim_end_matches('.').eq_ignore_ascii_case(host))
    {
        return Err(Refused::OtherHost(url.clone()));
    }
    if !policy.allows_url(url) {
        return Err(Refused::PrivateAddress(url.clone()));
    }
    Ok(())
}

/// Does this page hold the same items as the one before (a server that
/// ignores the page asked for and sends its first page again)? Compared by
/// item keys, not bytes: ads and timestamps change between two answers.
pub(crate) fn repeats(previous: Option<&HashSet<String>>, keys: &HashSet<String>) -> bool {
    previous.is_some_and(|previous| previous == keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(xml: &str) -> Feed {
        feed_rs::parser::parse(xml.as_bytes()).unwrap()
    }

    fn rss(channel_extra: &str) -> Feed {
        page(&format!(
            r#"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title><link>https://ex.org/</link>{channel_extra}<item><title>a</title><link>https://ex.org/a</link></item></channel></rss>"#
        ))
    }

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn the_next_page_follows_rfc_5005_links_in_rss_atom_and_json() {
        let here = url("https://ex.org/feed/");
        let none = HashSet::new();
        // RSS with atom:link, archived: prev-archive first.
        let archived = rss(
            r#"<atom:link rel="next" href="/feed/?page=2"/><atom:link rel="prev-archive" href="https://ex.org/archive/2024-08.xml"/>"#,
        );
        assert_eq!(
            next_page(&archived, None, &here, 1, &none),
            Some(NextPage::Link(url("https://ex.org/archive/2024-08.xml")))
        );
        // Paged, relative link resolved against the page's URL.
        let paged = rss(
            r#"<atom:link rel="next" href="?page=2"/><atom:link rel="self" href="https://ex.org/feed/"/>"#,
        );
        assert_eq!(
            next_page(&paged, None, &here, 1, &none),
            Some(NextPage::Link(url("https://ex.org/feed/?page=2")))
        );
        // Atom.
        let atom = page(
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>x</id><updated>2024-09-02T00:00:00Z</updated><link rel="self" href="https://ex.org/atom"/><link rel="NEXT" href="https://ex.org/atom?p=2"/><entry><title>a</title><id>a</id><updated>2024-09-02T00:00:00Z</updated><link href="https://ex.org/a"/></entry></feed>"#,
        );
        assert_eq!(
            next_page(&atom, None, &url("https://ex.org/atom"), 1, &none),
            Some(NextPage::Link(url("https://ex.org/atom?p=2")))
        );
        // JSON Feed next_url.
        let json = br#"  {"version":"https://jsonfeed.org/version/1.1","title":"t","next_url":"https://ex.org/feed.json?page=2","items":[]}"#;
        let parsed = feed_rs::parser::parse(&json[..]).unwrap();
        let next = json_next_url(json);
        assert_eq!(next.as_deref(), Some("https://ex.org/feed.json?page=2"));
        assert_eq!(
            next_page(&parsed, next.as_deref(), &here, 1, &none),
            Some(NextPage::Link(url("https://ex.org/feed.json?page=2")))
        );
        assert_eq!(json_next_url(br#"{"next_url": 5}"#), None);
        assert_eq!(json_next_url(b"<rss/>"), None);
        // prev, when that is all there is; never a page already read.
        let back = rss(r#"<atom:link rel="previous" href="https://ex.org/feed/?page=1"/>"#);
        assert_eq!(
            next_page(&back, None, &here, 2, &none),
            Some(NextPage::Link(url("https://ex.org/feed/?page=1")))
        );
        let read: HashSet<Url> = [url("https://ex.org/feed/?page=1")].into();
        assert_eq!(next_page(&back, None, &here, 2, &read), None);
        // Links that are not pages: none.
        let other = rss(
            r#"<atom:link rel="self" href="https://ex.org/feed/"/><atom:link rel="next" href="javascript:alert(1)"/>"#,
        );
        assert_eq!(next_page(&other, None, &here, 1, &none), None);
    }

    #[test]
    fn wordpress_pages_by_its_paged_parameter_only_when_no_link_is_given() {
        let wordpress = rss("<generator>https://wordpress.org/?v=6.6.2</generator>");
        let here = url("https://ex.org/feed/?cat=3");
        let none = HashSet::new();
        assert_eq!(
            next_page(&wordpress, None, &here, 1, &none),
            Some(NextPage::WordPress(url(
                "https://ex.org/feed/?cat=3&paged=2"
            )))
        );
        let page_2 = url("https://ex.org/feed/?cat=3&paged=2");
        assert_eq!(
            next_page(&wordpress, None, &page_2, 2, &none),
            Some(NextPage::WordPress(url(
                "https://ex.org/feed/?cat=3&paged=3"
            )))
        );
        // A feed that is not WordPress, without a link: no history.
        assert_eq!(
            next_page(&rss("<generator>Hugo</generator>"), None, &here, 1, &none),
            None
        );
        assert_eq!(next_page(&rss(""), None, &here, 1, &none), None);
        // A WordPress feed that gives a link is followed by its link; one
        // whose only link was read already has no next page.
        let linked = rss(
            r#"<generator>https://wordpress.org/?v=6.6.2</generator><atom:link rel="next" href="https://ex.org/feed/?page=2"/>"#,
        );
        assert_eq!(
            next_page(&linked, None, &here, 1, &none),
            Some(NextPage::Link(url("https://ex.org/feed/?page=2")))
        );
        let read: HashSet<Url> = [url("https://ex.org/feed/?page=2")].into();
        assert_eq!(next_page(&linked, None, &here, 1, &read), None);
        assert_eq!(
            with_paged(&url("https://ex.org/feed?paged=7&x=1"), 8).as_str(),
            "https://ex.org/feed?x=1&paged=8"
        );
    }

    #[test]
    fn pages_keep_to_the_feeds_host_and_address_rule() {
        let hosts = vec!["ex.org".to_string()];
        let public = AddressPolicy::PublicOnly;
        assert_eq!(
            may_fetch(&url("https://EX.org/feed?paged=2"), &hosts, public),
            Ok(())
        );
        for other in ["https://evil.example/feed", "https://sub.ex.org/feed"] {
            assert!(matches!(
                may_fetch(&url(other), &hosts, public),
                Err(Refused::OtherHost(_))
            ));
        }
        let private_hosts = vec!["127.0.0.1".to_string()];
        assert_eq!(
            may_fetch(&url("http://127.0.0.1:9/feed"), &private_hosts, public),
            Err(Refused::PrivateAddress(url("http://127.0.0.1:9/feed")))
        );
        assert_eq!(
            may_fetch(
                &url("http://127.0.0.1:9/feed"),
                &private_hosts,
                AddressPolicy::Any
            ),
            Ok(())
        );
    }

    #[test]
    fn a_page_repeats_the_last_when_its_items_are_the_same() {
        let keys = |k: &[&str]| k.iter().map(ToString::to_string).collect::<HashSet<_>>();
        assert!(!repeats(None, &keys(&["a", "b"])));
        assert!(repeats(Some(&keys(&["a", "b"])), &keys(&["b", "a"])));
        assert!(!repeats(Some(&keys(&["a", "b"])), &keys(&["b", "c"])));
        assert!(!repeats(Some(&keys(&["a", "b"])), &keys(&["a"])));
    }
}
