//! Feed bytes to a parsed feed.
//!
//! In: the body of a feed and the URL it came from. Out: a
//! [`feed_rs::model::Feed`] (RSS 0.9x/1.0/2.0, Atom, JSON Feed) whose relative
//! links resolve against that URL. Fails with [`ParseError`]: an empty body,
//! an HTML page served instead of a feed, or a document that is not a feed.

pub mod decode;
pub mod repair;

use feed_rs::model::Feed;
use url::Url;

#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("the body is empty")]
    Empty,
    #[error(
        "the server sent an HTML page, not a feed (a login wall, an error page or the site's home page?)"
    )]
    HtmlPage,
    #[error("not a valid feed: {0}")]
    Invalid(String),
}

/// Parses `body`. The parser reads the charset from the document itself, so
/// the bytes are passed as they came.
pub fn parse_feed(body: &[u8], base: Option<&Url>) -> Result<Feed, ParseError> {
    let start = body
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(body)
        .trim_ascii_start();
    if start.is_empty() {
        return Err(ParseError::Empty);
    }
    if looks_like_html(start) {
        return Err(ParseError::HtmlPage);
    }
    // Whitespace before `<?xml` (a classic PHP bug) is not allowed by XML
    // and fails the parser; starting at the first `<` is what a reader does.
    let body = if body.starts_with(b"\xEF\xBB\xBF") {
        body
    } else {
        body.trim_ascii_start()
    };
    let upgraded = upgrade_atom_03(body);
    let body = upgraded.as_deref().unwrap_or(body);
    feed_rs::parser::Builder::new()
        .base_uri(base.map(Url::as_str))
        // An empty id tells extraction that the item has no GUID: the
        // parser's generated ids can be random.
        .id_generator(|_, _, _| String::new())
        .timestamp_parser(read_date)
        .build()
        .parse(body)
        .map(|mut feed| {
            thumbnails::restore_thumbnails(body, &mut feed);
            feed
        })
        .map_err(|e| ParseError::Invalid(e.to_string()))
}

const ATOM_03_NAMESPACE: &[u8] = b"http://purl.org/atom/ns#";

/// Atom 0.3 (still served by old FeedBurner and Blogger feeds) is Atom 1.0
/// under another namespace, with `issued` and `modified` for `published` and
/// `updated`. The parser knows only 1.0: rename, or it sees no entries.
fn upgrade_atom_03(body: &[u8]) -> Option<Vec<u8>> {
    static TAGS: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
        regex::bytes::Regex::new(r"<(/?)(issued|modified)([\s>/])").expect("a valid pattern")
    });
    let head = &body[..body.len().min(4096)];
    head.windows(ATOM_03_NAMESPACE.len())
        .any(|w| w == ATOM_03_NAMESPACE)
        .then(|| {
            let body = replace_bytes(body, ATOM_03_NAMESPACE, b"http://www.w3.org/2005/Atom");
            TAGS.replace_all(&body, |caps: &regex::bytes::Captures| {
                let name: &[u8] = if &caps[2] == b"issued" {
                    b"published"
                } else {
                    b"updated"
                };
                [b"<".as_slice(), &caps[1], name, &caps[3]].concat()
            })
            .into_owned()
        })
}

fn replace_bytes(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = rest.windows(from.len()).position(|w| w == from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to);
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// Dates as feeds really write them, converted to UTC with the writer's
/// offset applied; one that cannot be read is logged (the item then falls
/// back to the time of its first import).
fn read_date(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let date = crate::extract::dates::parse_feed_date(text);
    if date.is_none() && !text.trim().is_empty() {
        tracing::warn!(date = text, "unreadable date");
    }
    date.map(|d| d.to_utc())
}

fn looks_like_html(start: &[u8]) -> bool {
    let head = &start[..start.len().min(512)];
    let lower = head.to_ascii_lowercase();
    let mut rest: &[u8] = &lower;
    // Skip comments and the XML prolog before the first element.
    loop {
        rest = rest.trim_ascii_start();
        if rest.starts_with(b"<!--") {
            match rest.windows(3).position(|w| w == b"-->") {
                Some(end) => rest = &rest[end + 3..],
                None => return false,
            }
        } else if rest.starts_with(b"<?") {
            match rest.windows(2).position(|w| w == b"?>") {
                Some(end) => rest = &rest[end + 2..],
                None => return false,
            }
        } else {
            break;
        }
    }
    rest.starts_with(b"<!doctype html") || rest.starts_with(b"<html")
}

mod thumbnails;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_page_is_named() {
        for page in [
            &b"<!DOCTYPE html><html><body>Login</body></html>"[..],
            b"\n\n<html lang=\"en\"><head>",
            b"<?xml version=\"1.0\"?><!-- x --><html xmlns=\"http://www.w3.org/1999/xhtml\">",
        ] {
            assert!(matches!(parse_feed(page, None), Err(ParseError::HtmlPage)));
        }
    }

    #[test]
    fn empty_body_is_named() {
        assert!(matches!(parse_feed(b"  \n", None), Err(ParseError::Empty)));
    }

    #[test]
    fn leading_whitespace_is_tolerated() {
        let feed = parse_feed(
            b"\n\n  <?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title></channel></rss>",
            None,
        )
        .unwrap();
        assert_eq!(feed.title.unwrap().content, "T");
    }

    #[test]
    fn atom_03_is_read() {
        let feed = parse_feed(
            br#"<?xml version="1.0"?><feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>T</title>
            <entry><title>E</title><link rel="alternate" type="text/html" href="https://ex.org/e"/>
            <id>tag:e</id><issued>2009-01-02T03:04:05Z</issued><modified>2009-01-03T03:04:05Z</modified></entry></feed>"#,
            None,
        )
        .unwrap();
        let entry = &feed.entries[0];
        assert_eq!(entry.title.as_ref().unwrap().content, "E");
        assert_eq!(
            entry.published.unwrap().to_rfc3339(),
            "2009-01-02T03:04:05+00:00"
        );
        assert_eq!(
            entry.updated.unwrap().to_rfc3339(),
            "2009-01-03T03:04:05+00:00"
        );
    }

    #[test]
    fn garbage_is_invalid() {
        assert!(matches!(
            parse_feed(b"hello", None),
            Err(ParseError::Invalid(_))
        ));
    }
}
