//! Feed bytes to a parsed feed.
//!
//! In: the body of a feed and the URL it came from. Out: a
//! [`feed_rs::model::Feed`] (RSS 0.9x/1.0/2.0, Atom, JSON Feed) whose relative
//! links resolve against that URL. Fails with [`ParseError`]: an empty body,
//! an HTML page served instead of a feed, or a document that is not a feed.

pub(crate) mod dates;
pub(crate) mod decode;
mod json;
pub(crate) mod json_stream;
mod one_by_one;
mod read;
pub(crate) mod repair;
mod set_aside;
pub(crate) mod stream;
mod strict;

use read::Read;
pub use strict::ParseFailure;
use strict::parse_guarded;

use feed_rs::model::Feed;
use url::Url;

use crate::util::bytes::{contains, find, find_byte_from};

#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("the body is empty")]
    Empty,
    #[error(
        "the server sent an HTML page, not a feed (a login wall, an error page or the site's home page? `feedimport add URL` finds the feed a site's page announces)"
    )]
    HtmlPage,
    #[error("not a valid feed")]
    Invalid(#[source] ParseFailure),
    /// The markup holds items, and none was read: a variant of a format
    /// we do not know, never a feed that is merely empty.
    #[error(
        "the document holds {found} item or entry elements, but none could be read as an item (a feed format or variant not read here)"
    )]
    ItemsUnread { found: usize },
    /// A big body, kept in a temporary file, could not be read back.
    #[error("the body could not be read back from its temporary file")]
    Read(#[source] std::io::Error),
}

/// A parsed feed and what it took to read it.
#[derive(Debug)]
pub struct ParsedFeed {
    pub feed: Feed,
    /// The repairs the document needed before it would parse (empty for a
    /// well-formed feed).
    pub fixes: Vec<repair::Fix>,
    /// The character encoding the bytes were read in.
    pub encoding: &'static str,
    /// Per entry of `feed`, in order, whether its GUID is no link (RSS
    /// 2.0's `guid isPermaLink="false"`, which the parser drops); empty
    /// when no GUID says so, or the document's items could not be matched
    /// to the entries: a GUID is then a permalink, as RSS 2.0 has it.
    pub guid_not_a_link: Vec<bool>,
}

/// Parses `body` (taken by value: a UTF-8 body becomes the text without a
/// copy). The charset comes from the BOM, the HTTP `Content-Type`, the XML
/// prolog, else detection; the bytes are decoded once. A document that does
/// not parse is repaired (junk before the root, bare `&`, HTML entities,
/// control characters, truncation, unbalanced tags) and parsed again.
pub fn parse_feed(
    body: Vec<u8>,
    content_type: Option<&str>,
    base: Option<&Url>,
) -> Result<ParsedFeed, ParseError> {
    if body.trim_ascii().is_empty()
        || body
            .strip_prefix(b"\xEF\xBB\xBF")
            .is_some_and(|b| b.trim_ascii().is_empty())
    {
        return Err(ParseError::Empty);
    }
    let decoded = decode::decode_feed_owned(body, content_type);
    parse_decoded(decoded.text, decoded.encoding, base)
}

/// [`parse_feed`] of a body decoded to `text` from `encoding`: the whole
/// document's reading, which a streamed document gives each item.
fn parse_decoded(
    mut text: String,
    encoding: &'static str,
    base: Option<&Url>,
) -> Result<ParsedFeed, ParseError> {
    if let Some(upgraded) =
        upgrade_atom_03(text.as_bytes()).or_else(|| upgrade_rss_090(text.as_bytes()))
    {
        text = String::from_utf8(upgraded)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    }
    // Whitespace before `<?xml` (a classic PHP bug) is not allowed by XML;
    // starting at the first `<` is what a reader does.
    let first = text.len() - text.trim_start().len();
    if text[first..].starts_with('{') {
        return json::parse_json(&text[first..], base)
            .map(|(feed, fixes)| ParsedFeed {
                feed,
                fixes,
                encoding,
                guid_not_a_link: Vec::new(),
            })
            .map_err(ParseError::Invalid);
    }
    // A feed read is checked for items it may have missed, whatever the
    // route it was read by.
    let read = |text: &str, read: Read, fixes| {
        items_read_if_any(text, read.feed).map(|feed| ParsedFeed {
            feed,
            fixes,
            encoding,
            guid_not_a_link: read.guid_not_a_link,
        })
    };
    let error = match parse_text(&text[first..], base) {
        Ok(feed) => return read(&text[first..], feed, Vec::new()),
        Err(error) => error,
    };
    let repaired = repair::repair_xml(&text[first..]);
    // The text read next: repaired, when it needed repairs, and the
    // parser's refusal of it.
    let (mut fixes, attempt, refusal) = if repaired.fixes.is_empty() {
        (Vec::new(), &text[first..], None)
    } else {
        match parse_text(&repaired.text, base) {
            Ok(feed) => return read(&repaired.text, feed, repaired.fixes),
            Err(refusal) => (repaired.fixes, repaired.text.as_str(), Some(refusal)),
        }
    };
    let refusal = refusal.as_ref().unwrap_or(&error);
    if let Some((feed, set_aside)) =
        set_aside::read_setting_aside(attempt, refusal, base, parse_text)
    {
        tracing::info!(
            elements = %set_aside.join(", "),
            "elements the feed parser refused were set aside"
        );
        fixes.push(repair::Fix::ElementSetAside);
        return read(attempt, feed, fixes);
    }
    // Each item alone, with what set aside refused elements in it.
    let parse_alone = |text: &str, base: Option<&Url>| {
        parse_text(text, base).or_else(|refusal| {
            set_aside::read_setting_aside(text, &refusal, base, parse_text)
                .map(|(read, _)| read)
                .ok_or(refusal)
        })
    };
    // The text as it came: the repairs of the whole (a cut after the last
    // item that closed, say) are no longer what each item needs.
    let original = &text[first..];
    if let Some(one_by_one) = one_by_one::read_one_by_one(original, base, parse_alone) {
        if one_by_one.lost > 0 {
            tracing::warn!(
                "{} items could not be read, even one at a time, and were left out",
                one_by_one.lost
            );
        }
        return read(
            original,
            one_by_one.read,
            vec![repair::Fix::ItemsReadOneByOne],
        );
    }
    if looks_like_html(&text.as_bytes()[first..]) {
        return Err(ParseError::HtmlPage);
    }
    Err(ParseError::Invalid(error))
}

/// The strict parse, with our id and date rules, and what the parser
/// dropped read back.
fn parse_text(text: &str, base: Option<&Url>) -> Result<Read, ParseFailure> {
    let cleaned = without_late_declarations(text);
    let mut feed = parse_guarded(cleaned.as_bytes(), base)?;
    let guid_not_a_link = dropped::restore(&cleaned, base, &mut feed);
    Ok(Read {
        feed,
        guid_not_a_link,
    })
}

/// An XML declaration anywhere but at the start is not XML, and the parser
/// panics on one that names an encoding (quick-xml: "set_encoding() called
/// after prefix buffer was drained"; found by fuzzing). The text is already
/// UTF-8: such declarations are dropped. Inside a CDATA section or a comment
/// `<?xml` is text, and is kept.
fn without_late_declarations(text: &str) -> std::borrow::Cow<'_, str> {
    let b = text.as_bytes();
    let start = text.len() - text.trim_start().len();
    let is_declaration = |at: usize| is_declaration_at(&b[at..]);
    // Most feeds have none: one fast search before reading the markup.
    if !memchr::memmem::find_iter(b, b"<?").any(|at| at > start && is_declaration(at)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut at) = (0, start);
    while let Some(lt) = find_byte_from(b, at, b'<') {
        if lt > start && is_declaration(lt) {
            // Unterminated, it declares nothing and is left to the parser.
            let Some(end) = text[lt..].find("?>") else {
                break;
            };
            out.push_str(&text[copied..lt]);
            copied = lt + end + 2;
            at = copied;
            continue;
        }
        at = match repair::markup_section(b, lt) {
            Some(Some(end)) => end,
            // An unterminated section runs to the end of the text.
            Some(None) => break,
            None => lt + 1,
        };
    }
    out.push_str(&text[copied..]);
    // Kept as text, a declaration may still be read as one where the
    // parser's idea of where a tag ends differs from ours (a stray quote in
    // a tag swallows a CDATA section's start): its encoding is said to be
    // UTF-8, which the parser takes without a word. No HTML shows a raw
    // `<?xml` (it is a comment there), so no text an article keeps changes.
    let mut at = 0;
    while let Some(found) = crate::util::bytes::find_from(out.as_bytes(), at, b"<?") {
        at = found + 2;
        let window = &out.as_bytes()[found..out.len().min(found + 1024)];
        if found <= start || !is_declaration_at(window) {
            continue;
        }
        if let Some((from, to)) = decode::declared_encoding(window)
            && !window[from..to].eq_ignore_ascii_case(b"UTF-8")
        {
            out.replace_range(found + from..found + to, "UTF-8");
        }
    }
    if out == text {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(out)
}

/// Whether `rest` starts with an XML declaration's `<?xml`.
fn is_declaration_at(rest: &[u8]) -> bool {
    rest.len() > 5
        && rest.starts_with(b"<?")
        && rest[2..5].eq_ignore_ascii_case(b"xml")
        && (rest[5].is_ascii_whitespace() || rest[5] == b'?')
}

const ATOM_03_NAMESPACE: &[u8] = b"http://purl.org/atom/ns#";

/// Atom 0.3 (still served by old FeedBurner and Blogger feeds) is Atom 1.0
/// under another namespace, with `issued` and `modified` for `published` and
/// `updated`, and text constructs typed by MIME type and `mode` (see
/// [`atom_03_text_construct`]). The parser knows only 1.0: rename, or it
/// sees no entries, and refuses every title typed `text/plain`.
fn upgrade_atom_03(body: &[u8]) -> Option<Vec<u8>> {
    static TAGS: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
        regex::bytes::Regex::new(r"<(/?)(issued|modified)([\s>/])").expect("a valid pattern")
    });
    // A text construct with its attributes, and its text when that is
    // plain characters (as base64 is).
    static TEXT_CONSTRUCTS: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(
        || {
            regex::bytes::Regex::new(
                r"<(title|tagline|summary|content|copyright|info)(\s[^<>]*?)?(/?)>(?:([^<]*)</(title|tagline|summary|content|copyright|info)>)?",
            )
            .expect("a valid pattern")
        },
    );
    let head = &body[..body.len().min(4096)];
    contains(head, ATOM_03_NAMESPACE).then(|| {
        let body = replace_bytes(body, ATOM_03_NAMESPACE, b"http://www.w3.org/2005/Atom");
        let body = TAGS.replace_all(&body, |caps: &regex::bytes::Captures| {
            let name: &[u8] = if &caps[2] == b"issued" {
                b"published"
            } else {
                b"updated"
            };
            [b"<".as_slice(), &caps[1], name, &caps[3]].concat()
        });
        TEXT_CONSTRUCTS
            .replace_all(&body, |caps: &regex::bytes::Captures| {
                let closed_as_opened = match (caps.get(4), caps.get(5)) {
                    (Some(_), Some(end)) => end.as_bytes() == &caps[1],
                    _ => true,
                };
                let attributes = caps.get(2).map_or(&b""[..], |a| a.as_bytes());
                match atom_03_text_construct(attributes, caps.get(4).map(|t| t.as_bytes())) {
                    Some((attributes, text)) if closed_as_opened && caps[3].is_empty() => {
                        let name = &caps[1];
                        match caps.get(5) {
                            Some(_) => [
                                b"<".as_slice(),
                                name,
                                &attributes,
                                b">",
                                text.as_deref().unwrap_or(&caps[4]),
                                b"</",
                                name,
                                b">",
                            ]
                            .concat(),
                            None => [b"<".as_slice(), name, &attributes, b">"].concat(),
                        }
                    }
                    _ => caps[0].to_vec(),
                }
            })
            .into_owned()
    })
}

/// An Atom 0.3 text construct's attributes and text in Atom 1.0's terms:
/// 0.3 gives a MIME `type` (`text/plain` unless told) and a `mode`
/// (`xml` unless told, `escaped`, or `base64`); 1.0 knows `text`, `html`
/// and `xhtml`. Base64 text is decoded and escaped again. `None` leaves
/// the construct as it is: no `type` or `mode` to translate, or a type
/// that is no text (a base64 image stays what it is).
fn atom_03_text_construct(
    attributes: &[u8],
    text: Option<&[u8]>,
) -> Option<(Vec<u8>, Option<Vec<u8>>)> {
    use base64::Engine;
    static ATTRIBUTE: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
        regex::bytes::Regex::new(r#"\s(type|mode)\s*=\s*(?:"([^"]*)"|'([^']*)')"#)
            .expect("a valid pattern")
    });
    let (mut mime, mut mode) = (None, None);
    for caps in ATTRIBUTE.captures_iter(attributes) {
        let value = caps
            .get(2)
            .or(caps.get(3))
            .map(|v| v.as_bytes().trim_ascii());
        if &caps[1] == b"type" {
            mime = value.map(<[u8]>::to_ascii_lowercase);
        } else {
            mode = value.map(<[u8]>::to_ascii_lowercase);
        }
    }
    if mime.is_none() && mode.is_none() {
        return None;
    }
    let mode = mode.as_deref().unwrap_or(b"xml");
    let atom_10_type: &[u8] = match (mime.as_deref().unwrap_or(b"text/plain"), mode) {
        (b"text/plain" | b"text", _) => b"text",
        (b"application/xhtml+xml" | b"xhtml", b"xml") => b"xhtml",
        (b"text/html" | b"html" | b"application/xhtml+xml" | b"xhtml", _) => b"html",
        _ => return None,
    };
    let text = match mode {
        b"base64" => {
            let encoded: Vec<u8> = text?
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()?;
            let decoded = String::from_utf8(decoded).ok()?;
            Some(
                quick_xml::escape::escape(decoded.as_str())
                    .into_owned()
                    .into_bytes(),
            )
        }
        _ => None,
    };
    let kept = ATTRIBUTE.replace_all(attributes, &b""[..]);
    Some((
        [kept.as_ref(), b" type=\"", atom_10_type, b"\""].concat(),
        text,
    ))
}

const RSS_090_NAMESPACE: &[u8] = b"http://my.netscape.com/rdf/simple/0.9/";

/// RSS 0.90 (Netscape's first RDF format) is RSS 1.0's shape under another
/// namespace: its channel, image and items side by side under `rdf:RDF`.
/// The parser knows only 1.0's namespace: rename, or it sees no items.
fn upgrade_rss_090(body: &[u8]) -> Option<Vec<u8>> {
    let head = &body[..body.len().min(4096)];
    contains(head, RSS_090_NAMESPACE)
        .then(|| replace_bytes(body, RSS_090_NAMESPACE, b"http://purl.org/rss/1.0/"))
}

fn replace_bytes(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = find(rest, from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to);
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// `feed`, unless it has no entries while `text` holds item-like elements
/// (`item` or `entry`, in any namespace): a document with items is never
/// read as an empty feed.
fn items_read_if_any(text: &str, feed: Feed) -> Result<Feed, ParseError> {
    if !feed.entries.is_empty() {
        return Ok(feed);
    }
    match item_elements(text) {
        0 => Ok(feed),
        found => Err(ParseError::ItemsUnread { found }),
    }
}

/// How many elements named `item` or `entry` (with or without a prefix)
/// the markup holds, read by quick-xml (comments, CDATA and processing
/// instructions are not elements); a reading error ends the count.
fn item_elements(text: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut count = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(tag) | quick_xml::events::Event::Empty(tag)) => {
                if matches!(tag.local_name().as_ref(), "item" | "entry") {
                    count += 1;
                }
            }
            Ok(quick_xml::events::Event::Eof) | Err(_) => return count,
            Ok(_) => {}
        }
    }
}

fn looks_like_html(start: &[u8]) -> bool {
    let head = &start[..start.len().min(512)];
    let lower = head.to_ascii_lowercase();
    let mut rest: &[u8] = &lower;
    // Skip comments and the XML prolog before the first element.
    loop {
        rest = rest.trim_ascii_start();
        if rest.starts_with(b"<!--") {
            match find(rest, b"-->") {
                Some(end) => rest = &rest[end + 3..],
                None => return false,
            }
        } else if rest.starts_with(b"<?") {
            match find(rest, b"?>") {
                Some(end) => rest = &rest[end + 2..],
                None => return false,
            }
        } else {
            break;
        }
    }
    // HTML lets a page leave out its `<html>` tag (and `<head>`'s): an
    // IIS "Object Moved" page starts at `<head>`, a bare error page at
    // `<body>` or `<title>`. None of them is the root of any feed.
    rest.starts_with(b"<!doctype html")
        || ["html", "head", "body", "title"].iter().any(|name| {
            rest.strip_prefix(b"<".as_slice())
                .and_then(|r| r.strip_prefix(name.as_bytes()))
                .is_some_and(|r| {
                    r.first()
                        .is_none_or(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'))
                })
        })
}

#[cfg(test)]
mod corpus_support;

/// Deterministic soups for the robustness tests: `count` bodies, each made
/// of up to 2^`size_bits` - 1 of `pieces`, picked by a fixed linear
/// congruential generator seeded with `seed` (the same soups every run).
#[cfg(test)]
fn soups<P: AsRef<[u8]>>(seed: u64, count: usize, size_bits: u32, pieces: &[P]) -> Vec<Vec<u8>> {
    let mut state = seed;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        state
    };
    (0..count)
        .map(|_| {
            let size = next() >> (64 - size_bits);
            let mut soup = Vec::new();
            for _ in 0..size {
                soup.extend_from_slice(pieces[(next() >> 33) as usize % pieces.len()].as_ref());
            }
            soup
        })
        .collect()
}
mod dropped;
mod xml_base;

#[cfg(test)]
mod tests {
    use super::*;

    /// A document broken beyond the repairs loses at most the items where
    /// it is broken: each item is read alone under the channel, and an item
    /// broken even alone is rebuilt from the parts that read (a bare `<` in
    /// a title, unquoted attributes, XHTML left open, a tag left open inside
    /// an attribute value). Said as a repair.
    #[test]
    fn a_document_broken_beyond_repair_is_read_item_by_item() {
        let rss = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Broken news</title><link>https://news.example.org/</link>
<item><title>First story</title><link>https://news.example.org/1</link><pubDate>Mon, 02 Sep 2024 08:00:00 +0000</pubDate></item>
<item><title>Second a < b story</title><link>https://news.example.org/2</link><pubDate>Mon, 02 Sep 2024 09:00:00 +0000</pubDate><enclosure url=https://news.example.org/a.mp3?x=1&y=2 length=1 type=audio/mpeg/></item>
<item><title>Third story</title><link>https://news.example.org/3</link><description>ok <b attr="x>text</b></description></item>
<item><title>Fourth story</title><link>https://news.example.org/4</link></item>
</channel></rss>"#;
        let atom = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Le blog</title><link href="https://blog.example.fr/"/><id>urn:blog</id><updated>2024-09-02T10:00:00Z</updated>
<entry><title>Un</title><link href="https://blog.example.fr/1"/><id>urn:1</id><updated>2024-09-02T08:00:00Z</updated></entry>
<entry><title type="html">Deux <<< trois</title><link href="https://blog.example.fr/2"/><id>urn:2</id><updated>2024-09-02T09:00:00Z</updated><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>pas fermé <br></div></content></entry>
<entry><title>Trois</title><link href="https://blog.example.fr/3"/><id>urn:3</id><updated>2024-09-02T10:00:00Z</updated></entry>
</feed>"#;
        let cases = [
            (
                rss,
                "Broken news",
                vec![
                    "First story",
                    "Second a < b story",
                    "Third story",
                    "Fourth story",
                ],
            ),
            (atom, "Le blog", vec!["Un", "Deux <<< trois", "Trois"]),
        ];
        for (document, channel, titles) in cases {
            let parsed = parse_feed(document.as_bytes().to_vec(), None, None).unwrap();
            assert_eq!(parsed.fixes, [repair::Fix::ItemsReadOneByOne], "{document}");
            assert_eq!(parsed.feed.title.as_ref().unwrap().content, channel);
            let read: Vec<String> = parsed
                .feed
                .entries
                .iter()
                .map(|e| e.title.as_ref().unwrap().content.clone())
                .collect();
            assert_eq!(read, titles);
            let links: Vec<&str> = parsed
                .feed
                .entries
                .iter()
                .map(|e| e.links[0].href.as_str())
                .collect();
            assert!(links[1].ends_with("/2"), "{links:?}");
        }
        let rss = parse_feed(rss.as_bytes().to_vec(), None, None).unwrap();
        let second = &rss.feed.entries[1];
        assert_eq!(
            second.published.unwrap().to_rfc3339(),
            "2024-09-02T09:00:00+00:00"
        );
        assert_eq!(
            second.media[0].content[0].url.as_ref().unwrap().as_str(),
            "https://news.example.org/a.mp3?x=1&y=2"
        );
    }

    /// A channel that cannot be read costs the channel, not its items: they
    /// are read under the root element alone, its namespaces kept.
    #[test]
    fn items_outlive_a_channel_broken_beyond_repair() {
        let rss = r#"<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>News <<<</title><link>https://ex.org/</link><image><url>https://ex.org/logo.png</title></image>
<item><title>Eins</title><link>https://ex.org/1</link><dc:date>2024-09-02T08:00:00Z</dc:date></item>
<item><title>Zwei</title><link>https://ex.org/2</link></item>
</channel></rss>"#;
        let parsed = parse_feed(rss.as_bytes().to_vec(), None, None).unwrap();
        assert_eq!(parsed.fixes, [repair::Fix::ItemsReadOneByOne]);
        assert_eq!(parsed.feed.entries.len(), 2);
        assert_eq!(
            parsed.feed.entries[0].published.unwrap().to_rfc3339(),
            "2024-09-02T08:00:00+00:00"
        );
        assert_eq!(
            parsed.feed.entries[1].title.as_ref().unwrap().content,
            "Zwei"
        );
    }

    /// An element the strict parser refuses costs that element: an empty
    /// `media:description` in an RSS item, and an empty `media:title` and
    /// `media:description` in an Atom entry's `media:group`; the rest of
    /// the item, its image included, is read, and the repair is said.
    #[test]
    fn an_element_the_parser_refuses_costs_only_itself() {
        let rss = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title><link>https://ex.org/</link>
<item><title>One</title><link>https://ex.org/1</link><media:content url="https://ex.org/1.jpg" medium="image"><media:description/></media:content></item>
<item><title>Two</title><link>https://ex.org/2</link></item>
</channel></rss>"#;
        let atom = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
<title>Nachrichten</title><id>urn:x</id><updated>2024-09-02T10:00:00Z</updated>
<entry><title>Erster Beitrag</title><id>urn:1</id><updated>2024-09-02T10:00:00Z</updated>
<link rel="alternate" href="https://nachrichten.example.de/1"/>
<media:group><media:content url="https://nachrichten.example.de/1.jpg" medium="image"/><media:title/><media:description/></media:group></entry>
<entry><title>Zweiter Beitrag</title><id>urn:2</id><updated>2024-09-02T09:00:00Z</updated>
<link rel="alternate" href="https://nachrichten.example.de/2"/></entry>
</feed>"#;
        for document in [rss, atom] {
            let parsed = parse_feed(document.as_bytes().to_vec(), None, None).unwrap();
            assert_eq!(parsed.feed.entries.len(), 2, "{document}");
            assert_eq!(parsed.fixes, [repair::Fix::ElementSetAside]);
            let media = &parsed.feed.entries[0].media;
            assert!(
                media.iter().flat_map(|m| &m.content).any(|c| c
                    .url
                    .as_ref()
                    .is_some_and(|u| u.as_str().ends_with("/1.jpg"))),
                "{media:?}"
            );
        }
    }

    /// RSS 0.90: Netscape's namespace, the items beside the channel, as
    /// its specification shows them; and a Spanish one with a prefix and
    /// a declared Latin-1 charset.
    #[test]
    fn rss_090_items_are_read() {
        let netscape = r#"<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/">
  <channel><title>Mozilla Dot Org</title><link>http://www.mozilla.org</link>
    <description>the Mozilla Organization web site</description></channel>
  <image><title>Mozilla</title><url>http://www.mozilla.org/images/moz.gif</url><link>http://www.mozilla.org</link></image>
  <item><title>New Status Updates</title><link>http://www.mozilla.org/status/</link></item>
  <item><title>Bugzilla Reorganized</title><link>http://www.mozilla.org/bugs/</link></item>
</rdf:RDF>"#;
        let parsed = parse_feed(netscape.as_bytes().to_vec(), None, None).unwrap();
        let titles: Vec<_> = parsed
            .feed
            .entries
            .iter()
            .map(|e| e.title.as_ref().unwrap().content.clone())
            .collect();
        assert_eq!(titles, ["New Status Updates", "Bugzilla Reorganized"]);

        let prefixed = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>
<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:n=\"http://my.netscape.com/rdf/simple/0.9/\">
<n:channel><n:title>Noticias</n:title><n:link>https://noticias.example.es/</n:link><n:description>d</n:description></n:channel>
<n:item><n:title>Los ni\xf1os vuelven al colegio</n:title><n:link>https://noticias.example.es/ninos</n:link></n:item>
</rdf:RDF>";
        let parsed = parse_feed(prefixed.to_vec(), None, None).unwrap();
        assert_eq!(parsed.feed.entries.len(), 1);
        assert_eq!(
            parsed.feed.entries[0].title.as_ref().unwrap().content,
            "Los niños vuelven al colegio"
        );
    }

    /// Items the parser does not read (RSS items outside the channel, an
    /// Atom entry under a root of no known format) fail the feed, saying
    /// so; an empty feed, or one whose only "item" is in a comment or in
    /// CDATA, is still an empty feed.
    #[test]
    fn a_document_with_items_is_never_read_as_empty() {
        for (document, found) in [
            (
                "<rss version=\"2.0\"><item><title>Outside</title><link>https://ex.org/a</link></item><channel><title>T</title></channel></rss>",
                1,
            ),
            (
                "<rss version=\"2.0\"><channel><title>T</title></channel><rss:item xmlns:rss=\"urn:x\"/><item/></rss>",
                2,
            ),
        ] {
            let error = parse_feed(document.as_bytes().to_vec(), None, None).unwrap_err();
            assert!(
                matches!(error, ParseError::ItemsUnread { found: n } if n == found),
                "{error:?} for {document}"
            );
        }
        for empty in [
            "<rss version=\"2.0\"><channel><title>T</title></channel></rss>",
            "<rss version=\"2.0\"><channel><title>T</title><!-- <item>old</item> --><description><![CDATA[<item>]]></description></channel></rss>",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title><id>urn:x</id><updated>2024-09-02T10:00:00Z</updated></feed>",
        ] {
            let parsed = parse_feed(empty.as_bytes().to_vec(), None, None).unwrap();
            assert!(parsed.feed.entries.is_empty(), "{empty}");
        }
    }

    fn parse(body: &[u8], base: Option<&Url>) -> Result<Feed, ParseError> {
        parse_feed(body.to_vec(), None, base).map(|parsed| parsed.feed)
    }

    #[test]
    fn an_xml_declaration_quoted_in_cdata_or_a_comment_is_kept() {
        let body = b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><!-- <?xml version=\"1.0\"?> --><item><title>Config</title><link>https://ex.org/a</link><description><![CDATA[<pre><?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<config/></pre>]]></description></item><item><title>Next</title><link>https://ex.org/b</link></item></channel></rss>";
        let parsed = parse_feed(body.to_vec(), None, None).unwrap();
        assert!(parsed.fixes.is_empty());
        assert_eq!(parsed.feed.entries.len(), 2);
        let summary = parsed.feed.entries[0].summary.as_ref().unwrap();
        assert!(
            summary
                .content
                .contains("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
            "{}",
            summary.content
        );
        // Outside them, a late declaration is still dropped.
        assert_eq!(
            without_late_declarations(
                "<?xml version=\"1.0\"?><a><![CDATA[<?xml x?>]]><?xml version=\"1.0\"?></a>"
            ),
            "<?xml version=\"1.0\"?><a><![CDATA[<?xml x?>]]></a>"
        );
    }

    /// Only `<?xml` starts a declaration: an element whose name ends in
    /// `xml` (`<axml>`, `<_xml>`) is markup, kept even when the feed also
    /// holds a late declaration.
    #[test]
    fn elements_named_like_xml_are_not_declarations() {
        assert_eq!(
            without_late_declarations(
                "<?xml version=\"1.0\"?><a><axml foo=\"1\">?</axml><?xml version=\"1.0\"?><_xml x=\"?>\"/></a>"
            ),
            "<?xml version=\"1.0\"?><a><axml foo=\"1\">?</axml><_xml x=\"?>\"/></a>"
        );
    }

    #[test]
    fn whitespace_before_the_declaration_is_not_reported_as_junk() {
        let body = b"\n\n<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>A & B</title><item><title>T</title><link>https://ex.org/a</link></item></channel></rss>";
        let parsed = parse_feed(body.to_vec(), None, None).unwrap();
        assert_eq!(parsed.fixes, [repair::Fix::BareAmpersand]);
    }

    /// Found by fuzzing: a second XML declaration naming an encoding made
    /// the parser panic.
    #[test]
    fn fuzz_late_xml_declaration_does_not_panic() {
        for input in [
            &include_bytes!("../../tests/fixtures/fuzz/late-xml-declaration-1.xml")[..],
            &include_bytes!("../../tests/fixtures/fuzz/late-xml-declaration-2.xml")[..],
            b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><?xml version=\"1.0\" encoding=\"ISO-8859-1\"?></channel></rss>",
        ] {
            let _ = parse_feed(input.to_vec(), None, None);
        }
        let parsed = parse(
            b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><?xml encoding=\"latin1\"?><?xml-stylesheet href=\"s.css\"?></channel></rss>",
            None,
        )
        .unwrap();
        assert_eq!(parsed.title.unwrap().content, "T");
    }

    #[test]
    fn broken_feeds_are_repaired_and_say_so() {
        let parsed = parse_feed(b"<rss version=\"2.0\"><channel><title>Tom &amp; Jerry &nbsp; Fish & Chips</title>\n<item><title>A</title><link>https://ex.org/a</link></item></channel></rss>".to_vec(),
            None,
            None,
        )
        .unwrap();
        assert_eq!(
            parsed.feed.title.unwrap().content,
            "Tom & Jerry \u{a0} Fish & Chips"
        );
        assert!(
            parsed.fixes.contains(&repair::Fix::BareAmpersand),
            "{:?}",
            parsed.fixes
        );
        assert!(
            parsed.fixes.contains(&repair::Fix::HtmlEntity),
            "{:?}",
            parsed.fixes
        );
        // A well-formed feed needs nothing.
        let parsed = parse_feed(
            b"<rss version=\"2.0\"><channel><title>T</title></channel></rss>".to_vec(),
            None,
            None,
        )
        .unwrap();
        assert!(parsed.fixes.is_empty());
    }

    #[test]
    fn windows_1252_declared_as_utf8_in_http_is_read_right() {
        let body = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Caf\xe9 cr\xe8me \x93quoted\x94</title></channel></rss>";
        let parsed = parse_feed(
            body.to_vec(),
            Some("application/rss+xml; charset=utf-8"),
            None,
        )
        .unwrap();
        assert_eq!(parsed.feed.title.unwrap().content, "Café crème “quoted”");
        assert_eq!(parsed.encoding, "windows-1252");
    }

    #[test]
    fn a_truncated_feed_keeps_its_complete_items() {
        let body = b"<rss version=\"2.0\"><channel><title>T</title><item><title>A</title><link>https://ex.org/a</link></item><item><title>B</title><link>https://ex.or";
        let parsed = parse_feed(body.to_vec(), None, None).unwrap();
        assert_eq!(parsed.feed.entries.len(), 1);
        assert!(parsed.fixes.contains(&repair::Fix::Truncated));
    }

    #[test]
    fn html_page_is_named() {
        for page in [
            &b"<!DOCTYPE html><html><body>Login</body></html>"[..],
            b"\n\n<html lang=\"en\"><head>",
            b"<?xml version=\"1.0\"?><!-- x --><html xmlns=\"http://www.w3.org/1999/xhtml\">",
            // Pages that leave out `<html>`, as HTML lets them.
            b"<head><title>Objet d\xe9plac\xe9</title></head><body><h1>Objet d\xe9plac\xe9</h1></body>",
            b"\r\n<BODY BGCOLOR=white>\r\n<H1>503 Servicio no disponible</H1></BODY>",
            b"<title>404</title>\n<p>Nicht gefunden",
        ] {
            assert!(matches!(parse(page, None), Err(ParseError::HtmlPage)));
        }
    }

    #[test]
    fn a_feed_is_no_html_page_for_its_name() {
        // Roots that begin like an HTML tag's name are not one.
        for start in [&b"<header/>"[..], b"<titles>", b"<bodyguard>", b"<rss>"] {
            assert!(
                !looks_like_html(start),
                "{}",
                String::from_utf8_lossy(start)
            );
        }
    }

    #[test]
    fn empty_body_is_named() {
        assert!(matches!(parse(b"  \n", None), Err(ParseError::Empty)));
    }

    #[test]
    fn leading_whitespace_is_tolerated() {
        let feed = parse(b"\n\n  <?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title></channel></rss>",
            None,
        )
        .unwrap();
        assert_eq!(feed.title.unwrap().content, "T");
    }

    #[test]
    fn atom_03_is_read() {
        let feed = parse(br#"<?xml version="1.0"?><feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>T</title>
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

    /// Atom 0.3's text constructs, typed by MIME type and mode, are read
    /// as Atom 1.0's: a `text/plain` title is not refused, base64 is
    /// decoded, inline XHTML is kept.
    #[test]
    fn atom_03_text_constructs_are_read() {
        let feed = parse(br#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>T</title>
            <entry><title type="text/plain" mode="xml">Plain &amp; simple</title><id>a</id>
            <summary type='text/html' mode='escaped'>&lt;b&gt;Escaped&lt;/b&gt;</summary>
            <content type="text/html" mode="base64">PHA+QmFzZTY0PC9wPg==</content></entry>
            <entry><title>Untyped</title><id>b</id><content type="application/xhtml+xml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Inline</p></div></content>
            <summary type="image/png" mode="base64">iVBORw0KGgo=</summary></entry></feed>"#,
            None,
        )
        .unwrap();
        let [first, second] = &feed.entries[..] else {
            panic!("{:?}", feed.entries)
        };
        assert_eq!(first.title.as_ref().unwrap().content, "Plain & simple");
        assert_eq!(first.summary.as_ref().unwrap().content, "<b>Escaped</b>");
        assert_eq!(
            first.content.as_ref().unwrap().body.as_deref(),
            Some("<p>Base64</p>")
        );
        assert_eq!(second.title.as_ref().unwrap().content, "Untyped");
        assert!(
            second
                .content
                .as_ref()
                .unwrap()
                .body
                .as_deref()
                .unwrap()
                .contains("<p>Inline</p>"),
            "{:?}",
            second.content
        );
        // A type that is no text is left for the parser to judge.
        assert_eq!(
            atom_03_text_construct(br#" type="image/png" mode="base64""#, Some(b"iVBORw0KGgo=")),
            None
        );
    }

    /// A numeric date that reads both ways follows the channel's
    /// `<language>` (RSS) or `xml:lang` (Atom), even when the language is
    /// written after the items.
    #[test]
    fn numeric_dates_follow_the_feeds_language() {
        let rss = |language: &str| {
            format!(
                "<rss version=\"2.0\"><channel><title>T</title>
                <item><title>A</title><link>https://ex.org/a</link><pubDate>10/01/2020 14:33:00</pubDate></item>
                <item><title>B</title><link>https://ex.org/b</link><pubDate>2020/1/10 14:33:00</pubDate></item>
                {language}</channel></rss>"
            )
        };
        let atom = |lang: &str| {
            format!(
                "<feed xmlns=\"http://www.w3.org/2005/Atom\" {lang}><title>T</title>
                <entry><title>A</title><link href=\"https://ex.org/a\"/><id>a</id><updated>10.01.2020</updated></entry></feed>"
            )
        };
        let dates = |body: String| -> Vec<Option<String>> {
            parse(body.as_bytes(), None)
                .unwrap()
                .entries
                .iter()
                .map(|e| e.published.or(e.updated).map(|d| d.to_rfc3339()))
                .collect()
        };
        let january = Some("2020-01-10T14:33:00+00:00".to_string());
        let october = Some("2020-10-01T14:33:00+00:00".to_string());
        assert_eq!(
            dates(rss("<language>de-DE</language>")),
            [january.clone(), january.clone()]
        );
        assert_eq!(
            dates(rss("<language>en-us</language>")),
            [october, january.clone()]
        );
        assert_eq!(dates(rss("")), [None, january]);
        assert_eq!(dates(rss("<language>en</language>"))[0], None);
        assert_eq!(
            dates(atom("xml:lang=\"en-GB\"")),
            [Some("2020-01-10T00:00:00+00:00".to_string())]
        );
        assert_eq!(dates(atom("")), [None]);
    }

    #[test]
    fn garbage_is_invalid() {
        assert!(matches!(parse(b"hello", None), Err(ParseError::Invalid(_))));
    }

    #[test]
    fn a_declaration_the_parser_meets_where_we_see_text_is_no_panic() {
        // A tag whose quoted attribute holds what looks like a CDATA
        // section's start: the parser reads the declaration after it as
        // one, where a reading of the markup alone sees text.
        for encoding in ["ISO-8859-1", "windows-1251", "utf-16"] {
            let document = format!(
                "<rss version=\"2.0\"><channel><title>T</title><item note=\"<![CDATA[\"><?xml version=\"1.0\" encoding=\"{encoding}\"?><title>Été</title><link>https://e.org/a</link><category note=\"]]>\">C</category></item></channel></rss>"
            );
            let cleaned = without_late_declarations(&document);
            assert!(cleaned.contains("encoding=\"UTF-8\""), "{cleaned}");
            let read = parse_text(&cleaned, None).unwrap_or_else(|e| panic!("{encoding}: {e}"));
            assert_eq!(read.feed.entries.len(), 1);
        }
    }
}
