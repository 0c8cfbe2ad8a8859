//! A document too big to hold, read as a stream: its channel once, then
//! each item on its own.
//!
//! In: a [`Body`] (a feed of more than [`crate::util::spool::SPOOL_ABOVE`]
//! bytes, kept in a temporary file) and its `Content-Type`. Out: a
//! [`FeedStream`]: the channel (the feed read from the markup before the
//! first item, without entries), then the text of each item in turn, which
//! an [`ItemParser`] reads (on any thread), and at the end the channel read
//! again with what came after the items. The body is
//! decoded as it is read ([`StreamDecoder`]), cut into its items by their
//! tags (markup sections skipped: an `<item>` inside CDATA or a comment is
//! text), and each item is read as a document of its own: the document's
//! prolog, the start tags of the elements around the item (their
//! namespaces and `xml:base` kept), the item, their end tags; with every
//! repair the whole-document reading makes. So memory holds one item and
//! a read buffer, never the document or its feed model, and a broken item
//! costs that item alone.
//!
//! A JSON Feed is read item by item too ([`super::json_stream`]); a
//! document without items, or JSON that does not read, is read as a whole
//! document. Fails with
//! [`ParseError`]: the body cannot be read back, the channel cannot be
//! read even as its root element alone, an HTML page.

use std::io::Read;

use feed_rs::model::Feed;
use url::Url;

use super::decode::StreamDecoder;
use super::dropped::not_a_permalink;
use super::json_stream::{JsonStream, open_json};
use super::one_by_one::{TagAt, closed, next_tag, root_only};
pub(crate) use super::read::{ReadItem, StreamEnd};
use super::repair::markup_section;
use super::{ParseError, ParsedFeed, looks_like_html, parse_decoded};
use crate::util::bytes::{find_byte_from, is_xml_space};
use crate::util::spool::Body;

/// Markup between items (channel elements written after them) kept for
/// the channel, at most.
const TAIL_KEPT: usize = 1 << 20;

/// A prolog longer than this (a DOCTYPE with a large internal subset) is
/// not repeated for every item.
const PROLOG_REPEATED: usize = 64 << 10;

/// A document opened for streaming.
pub(crate) enum Streamed<'a> {
    /// Its items come one at a time.
    Items(Box<FeedStream<'a>>),
    /// A JSON Feed whose items come one at a time.
    Json(Box<JsonStream<'a>>),
    /// A document without items, or broken JSON: read whole.
    Whole(Box<ParsedFeed>),
}

/// A document whose items are read one at a time (see the module's
/// documentation).
pub(crate) struct FeedStream<'a> {
    decoder: StreamDecoder<Box<dyn Read + Send + 'a>>,
    /// Decoded text; what is not cut yet starts at `at`, where the next
    /// item may.
    text: String,
    at: usize,
    ended: bool,
    base: Option<&'a Url>,
    /// What every item's document starts and ends with.
    item_start: String,
    item_end: String,
    head: String,
    tail: String,
    channel: Feed,
    /// The items cut so far.
    found: usize,
}

/// Where a search for the next tag stopped.
enum Scan {
    Tag(TagAt),
    /// The text ends before the tag (or section) does: more is needed.
    More,
    /// No tag up to the document's end.
    End,
}

/// The next tag at or after `at` (as [`next_tag`] finds it), or that the
/// text must grow before it can tell (`ended`: it will not).
fn scan(b: &[u8], mut at: usize, ended: bool) -> Scan {
    loop {
        let Some(lt) = find_byte_from(b, at, b'<') else {
            return if ended { Scan::End } else { Scan::More };
        };
        // `<!-` or `<![CDA` cut by the buffer's end could be taken for a
        // tag.
        if !ended && b.len() - lt < 12 {
            return Scan::More;
        }
        match markup_section(b, lt) {
            Some(Some(end)) => {
                at = end;
                continue;
            }
            Some(None) => return if ended { Scan::End } else { Scan::More },
            None => {}
        }
        let Some(tag) = next_tag(b, lt) else {
            return if ended { Scan::End } else { Scan::More };
        };
        if !ended && tag.name_end == b.len() {
            return Scan::More;
        }
        return Scan::Tag(tag);
    }
}

fn is_item_name(b: &[u8], tag: &TagAt) -> bool {
    let name = &b[tag.name_start..tag.name_end];
    let local = name.rsplit(|&c| c == b':').next().unwrap_or(name);
    matches!(local, b"item" | b"entry")
}

/// Where an item starting at `start` ends (see
/// [`super::one_by_one`]'s cutting: an item left open ends where the next
/// starts, or at the end of the document); `None`: more text is needed.
fn item_end(b: &[u8], start: usize, ended: bool) -> Option<usize> {
    let Scan::Tag(own) = scan(b, start, ended) else {
        return ended.then_some(b.len());
    };
    // `<item/>`: an empty item, whole in its tag.
    match find_byte_from(b, own.name_end, b'>') {
        Some(gt) if gt > 0 && b[gt - 1] == b'/' => return Some(gt + 1),
        Some(_) => {}
        None if ended => return Some(b.len()),
        None => return None,
    }
    let mut at = start + 1;
    loop {
        match scan(b, at, ended) {
            Scan::More => return None,
            Scan::End => return Some(b.len()),
            Scan::Tag(tag) if is_item_name(b, &tag) => {
                if !tag.closing {
                    return Some(tag.lt);
                }
                return match find_byte_from(b, tag.name_end, b'>') {
                    Some(gt) => Some(gt + 1),
                    None if ended => Some(b.len()),
                    None => None,
                };
            }
            Scan::Tag(tag) => at = tag.lt + 1,
        }
    }
}

/// Where the next item starts at or after `at`; `Err(true)`: none up to
/// the document's end, `Err(false)`: more text is needed.
fn next_item_start(b: &[u8], mut at: usize, ended: bool) -> Result<usize, bool> {
    loop {
        match scan(b, at, ended) {
            Scan::More => return Err(false),
            Scan::End => return Err(true),
            Scan::Tag(tag) if !tag.closing && is_item_name(b, &tag) => return Ok(tag.lt),
            Scan::Tag(tag) => at = tag.lt + 1,
        }
    }
}

/// Whether the item's `guid` says it is no permalink (RSS 2.0's
/// `isPermaLink="false"`): told here for every item, since whether it
/// matters (a link other items share) is the whole document's to say.
fn guid_not_a_permalink(item: &str) -> bool {
    let b = item.as_bytes();
    // The spellings feeds use, as the second reading of a whole document
    // looks for them.
    let said = [&b"isPermaLink"[..], b"isPermalink", b"ispermalink"];
    if !said.iter().any(|s| memchr::memmem::find(b, s).is_some()) {
        return false;
    }
    let mut at = 0;
    while let Some(tag) = next_tag(b, at) {
        let name = &b[tag.name_start..tag.name_end];
        let local = name.rsplit(|&c| c == b':').next().unwrap_or(name);
        let Some(gt) = crate::util::bytes::tag_end(b, tag.name_end) else {
            return false;
        };
        if !tag.closing && local == b"guid" {
            let content = item[tag.lt + 1..gt].trim_end_matches('/');
            let element =
                quick_xml::events::BytesStart::from_content(content, tag.name_end - tag.name_start);
            return not_a_permalink(&element);
        }
        at = gt + 1;
    }
    false
}

/// The start tags of the elements around the items, outermost first, and
/// their end tags, innermost first: of the elements `head` leaves open,
/// the root and the feed's own (`rss`, `channel`, `feed`, `RDF`, inside
/// whatever wraps them). An element of the channel left open, as an
/// `itunes:category` whose end tag never comes, is no parent of items.
fn around(head: &str) -> (String, String) {
    let b = head.as_bytes();
    let mut open: Vec<(&str, &str)> = Vec::new();
    let mut at = 0;
    while let Some(tag) = next_tag(b, at) {
        let name = &head[tag.name_start..tag.name_end];
        let Some(gt) = crate::util::bytes::tag_end(b, tag.name_end) else {
            break;
        };
        at = gt + 1;
        if name.is_empty() {
            continue;
        }
        if tag.closing {
            if let Some(depth) = open.iter().rposition(|&(o, _)| o == name) {
                open.truncate(depth);
            }
        } else if b[gt - 1] != b'/' {
            open.push((name, &head[tag.lt..=gt]));
        }
    }
    let parents: Vec<_> = open
        .iter()
        .enumerate()
        .filter(|(depth, (name, _))| {
            *depth == 0
                || matches!(
                    name.rsplit(':').next(),
                    Some("channel" | "feed" | "rss" | "RDF")
                )
        })
        .map(|(_, element)| *element)
        .collect();
    let start = parents.iter().map(|(_, tag)| *tag).collect();
    let end = parents
        .iter()
        .rev()
        .map(|(name, _)| format!("</{name}>"))
        .collect();
    (start, end)
}

/// The document's prolog: what comes before its root element (the XML
/// declaration, a DOCTYPE and its entities, comments).
fn prolog(head: &str) -> &str {
    let b = head.as_bytes();
    let mut at = 0;
    while let Some(lt) = find_byte_from(b, at, b'<') {
        match markup_section(b, lt) {
            Some(Some(end)) => at = end,
            _ => return &head[..lt],
        }
    }
    ""
}

/// Opens `body` for streaming. `base` is the URL it came from.
pub(crate) fn open_stream<'a>(
    body: &'a Body,
    content_type: Option<&str>,
    base: Option<&'a Url>,
) -> Result<Streamed<'a>, ParseError> {
    let mut decoder =
        StreamDecoder::new(body.reader(), body.reader(), content_type).map_err(ParseError::Read)?;
    let mut text = String::new();
    let mut ended = false;
    let first = loop {
        let start = text.trim_start();
        if start.starts_with('{') {
            if let Some(json) = open_json(body, content_type, base)? {
                return Ok(Streamed::Json(Box::new(json)));
            }
            while decoder.decode_more(&mut text).map_err(ParseError::Read)? {}
            return whole(text, decoder.encoding(), base);
        }
        if !start.is_empty() {
            match next_item_start(text.as_bytes(), 0, ended) {
                Ok(first) => break first,
                Err(true) => return whole(text, decoder.encoding(), base),
                Err(false) => {}
            }
        }
        // The text doubles before it is searched again: a head of any
        // size is searched in linear time.
        let wanted = text.len().max(1);
        let before = text.len();
        while !ended && text.len() < before + wanted {
            ended = !decoder.decode_more(&mut text).map_err(ParseError::Read)?;
        }
        if ended && text.trim().is_empty() {
            return Err(ParseError::Empty);
        }
    };
    let head = text[..first].to_string();
    if around(&head).0.is_empty() {
        // The first item is the root: a document of one entry (Atom's
        // entry document), read whole.
        while decoder.decode_more(&mut text).map_err(ParseError::Read)? {}
        return whole(text, decoder.encoding(), base);
    }
    text.drain(..first);
    let encoding = decoder.encoding();
    let read_alone = |document: String| parse_decoded(document, encoding, base);
    // The channel as its markup says it; else the root element alone.
    let (channel, (item_start, item_end)) = match read_alone(closed(&head)) {
        Ok(channel) => (channel.feed, around(&head)),
        Err(error) => {
            if looks_like_html(head.as_bytes()) {
                return Err(ParseError::HtmlPage);
            }
            let Some(root) = root_only(head.as_bytes(), head.len()) else {
                return Err(error);
            };
            let (start, end) = around(&root);
            let feed = read_alone(format!("{start}{end}"))?.feed;
            (feed, (start, end))
        }
    };
    let prolog = prolog(&head);
    let prolog = if prolog.len() <= PROLOG_REPEATED {
        prolog
    } else {
        ""
    };
    Ok(Streamed::Items(Box::new(FeedStream {
        decoder,
        text,
        at: 0,
        ended,
        base,
        item_start: format!("{prolog}{item_start}"),
        item_end,
        head,
        tail: String::new(),
        channel,
        found: 0,
    })))
}

fn whole(
    text: String,
    encoding: &'static str,
    base: Option<&Url>,
) -> Result<Streamed<'static>, ParseError> {
    parse_decoded(text, encoding, base).map(|parsed| Streamed::Whole(Box::new(parsed)))
}

impl<'a> FeedStream<'a> {
    /// The channel: the feed the markup before the first item tells,
    /// without entries.
    pub(crate) fn channel(&self) -> &Feed {
        &self.channel
    }

    pub(crate) fn encoding(&self) -> &'static str {
        self.decoder.encoding()
    }

    /// What reads the stream's items, on any thread.
    pub(crate) fn item_parser(&self) -> ItemParser {
        ItemParser {
            start: self.item_start.clone(),
            end: self.item_end.clone(),
            encoding: self.decoder.encoding(),
            base: self.base.cloned(),
        }
    }

    /// The text of the next item, cut from the stream; `None` at the end.
    /// [`ItemParser::read`] reads it.
    pub(crate) fn next_item(&mut self) -> Result<Option<String>, ParseError> {
        loop {
            let b = self.text.as_bytes();
            match next_item_start(b, self.at, self.ended) {
                Ok(start) => {
                    if let Some(end) = item_end(b, start, self.ended) {
                        let item = self.text[start..end].to_string();
                        let between = &self.text[self.at..start];
                        if !between.trim().is_empty() {
                            let between = between.to_string();
                            self.keep(&between);
                        }
                        self.at = end;
                        self.found += 1;
                        return Ok(Some(item));
                    }
                }
                Err(true) => {
                    let rest = self.text[self.at..].to_string();
                    self.keep(&rest);
                    self.text.clear();
                    self.at = 0;
                    return Ok(None);
                }
                Err(false) => {}
            }
            self.read_more()?;
        }
    }

    fn keep(&mut self, markup: &str) {
        let markup = markup.trim_matches(|c: char| c.is_ascii() && is_xml_space(c as u8));
        if !markup.is_empty() && self.tail.len() + markup.len() <= TAIL_KEPT {
            self.tail.push_str(markup);
        }
    }

    /// Reads until the text has grown by as much as it held (at least a
    /// chunk), so that an item cut again and again is still read in
    /// linear time.
    fn read_more(&mut self) -> Result<(), ParseError> {
        if self.ended {
            return Ok(());
        }
        // The items cut so far go, once per read: not once per item.
        self.text.drain(..self.at);
        self.at = 0;
        let wanted = self.text.len().max(1);
        let before = self.text.len();
        while self.text.len() < before + wanted {
            if !self
                .decoder
                .decode_more(&mut self.text)
                .map_err(ParseError::Read)?
            {
                self.ended = true;
                break;
            }
        }
        Ok(())
    }

    /// What the stream's end tells: the channel read again when markup
    /// came after the items (end tags aside).
    pub(crate) fn finish(self) -> StreamEnd {
        let only_end_tags = {
            let b = self.tail.as_bytes();
            let mut at = 0;
            let mut only = true;
            while let Some(tag) = next_tag(b, at) {
                if !tag.closing {
                    only = false;
                    break;
                }
                at = tag.lt + 1;
            }
            only
        };
        let channel = if only_end_tags {
            self.channel
        } else {
            let document = closed(&format!("{}{}", self.head, self.tail));
            match parse_decoded(document, self.decoder.encoding(), self.base) {
                Ok(read) => read.feed,
                Err(_) => self.channel,
            }
        };
        StreamEnd {
            channel,
            found: self.found,
        }
    }
}

/// Reads one item of a stream as a document of its own (see the module's
/// documentation); shared by the threads that read a stream's items.
#[derive(Debug, Clone)]
pub(crate) struct ItemParser {
    start: String,
    end: String,
    encoding: &'static str,
    base: Option<Url>,
}

impl ItemParser {
    /// The entries of `item`; `None` when its markup cannot be read, even
    /// repaired and in parts.
    pub(crate) fn read(&self, item: &str) -> Option<ReadItem> {
        let guid_not_a_link = guid_not_a_permalink(item);
        let document = format!("{}{item}{}", self.start, self.end);
        let read = parse_decoded(document, self.encoding, self.base.as_ref()).ok()?;
        if read.feed.entries.is_empty() {
            return None;
        }
        let flags = read.guid_not_a_link;
        let entries = read
            .feed
            .entries
            .into_iter()
            .enumerate()
            .map(|(index, entry)| {
                let not_a_link = guid_not_a_link || flags.get(index).copied().unwrap_or(false);
                (entry, not_a_link)
            })
            .collect();
        Some(ReadItem {
            entries,
            fixes: read.fixes,
        })
    }
}
