//! The last resort for a document the strict parser refuses even repaired
//! and with elements set aside: its items, read one at a time.
//!
//! In: the text of a feed (repaired as far as it goes) and the strict
//! parse of a text. Out: the feed read from the markup before its first
//! item (the channel: title, link, language) with every item that reads on
//! its own, each parsed in a document of its own made of that head and the
//! item, repaired again; and how many items could not be read. `None` when
//! the markup holds no `item` or `entry` element, when no item reads, or
//! when the head is too large to be repeated for every item (the time would
//! no longer be linear in the document's size).
//!
//! So a document broken anywhere loses at most the items where it is
//! broken: an unescaped `<` in one title, an unquoted attribute in one
//! enclosure, one item's XHTML content left open. When the channel itself
//! is what cannot be read, the items are read under the root element
//! alone (its namespaces kept), and the feed has no title or link of its
//! own.

use url::Url;

use super::read::Read;
use super::repair::{markup_section, repair_xml};
use super::strict::ParseFailure;
use crate::util::bytes::{find_byte_from, is_xml_space};

/// The head is repeated once per item: at most this many times the
/// document's own size in all (plus [`HEAD_ALLOWANCE`]).
const HEAD_REPEATS_PER_DOCUMENT: usize = 8;

/// Repeating a small head is always fine, whatever the item count.
const HEAD_ALLOWANCE: usize = 4 << 20;

/// What reading item by item gave.
pub(super) struct ReadOneByOne {
    pub(super) read: Read,
    /// The items that could not be read, even alone.
    pub(super) lost: usize,
}

/// Reads `text` item by item (see the module's documentation); `parse`
/// reads a text.
pub(super) fn read_one_by_one(
    text: &str,
    base: Option<&Url>,
    parse: impl Fn(&str, Option<&Url>) -> Result<Read, ParseFailure>,
) -> Option<ReadOneByOne> {
    let items = item_spans(text.as_bytes());
    let first = items.first()?.0;
    let head = &text[..first];
    let repeated = head.len().saturating_mul(items.len());
    if repeated > text.len().saturating_mul(HEAD_REPEATS_PER_DOCUMENT) + HEAD_ALLOWANCE {
        return None;
    }
    // The channel as its own markup says it; else the root element alone.
    let (channel, head) = match parse(&repair_xml(&closed(head)).text, base) {
        Ok(read) => (Some(read), head.to_string()),
        Err(_) => (None, root_only(text.as_bytes(), first)?),
    };
    let mut feed = None;
    let mut guid_not_a_link = Vec::new();
    let mut entries = Vec::new();
    let mut lost = 0;
    for (start, end) in items {
        let item = &text[start..end];
        let alone = |item: &str| parse(&repair_xml(&format!("{head}{item}")).text, base);
        let read = alone(item)
            .ok()
            .filter(|read| read.feed.entries.len() == 1)
            .or_else(|| alone(&salvaged(item)?).ok());
        match read {
            Some(read) if read.feed.entries.len() == 1 => {
                let not_a_link = read.guid_not_a_link.first().copied().unwrap_or(false);
                guid_not_a_link.push(not_a_link);
                let mut item_feed = read.feed;
                entries.append(&mut item_feed.entries);
                feed.get_or_insert(item_feed);
            }
            _ => lost += 1,
        }
    }
    let mut feed = match channel {
        Some(channel) => channel.feed,
        None => feed?,
    };
    if entries.is_empty() {
        return None;
    }
    feed.entries = entries;
    let guid_not_a_link = if guid_not_a_link.contains(&true) {
        guid_not_a_link
    } else {
        Vec::new()
    };
    Some(ReadOneByOne {
        read: Read {
            feed,
            guid_not_a_link,
        },
        lost,
    })
}

/// The elements of an item that carry what an article needs, by local
/// name: RSS, Atom, and the modules feeds use for dates, authors, full text
/// and media (`content:encoded` is `encoded`).
const SALVAGED: &[&str] = &[
    "title",
    "link",
    "guid",
    "id",
    "pubDate",
    "date",
    "published",
    "updated",
    "issued",
    "modified",
    "description",
    "summary",
    "encoded",
    "content",
    "author",
    "creator",
    "category",
    "subject",
    "comments",
    "enclosure",
    "thumbnail",
    "image",
];

/// An item broken beyond reading, rebuilt from its parts that still
/// read: each element named in [`SALVAGED`] (each time it occurs: several
/// categories, several media) is taken by its own start and end tags, its
/// attributes re-quoted and re-escaped (`url=https://…` unquoted, a `&`
/// left bare), its text kept when it is well-formed markup and made one
/// CDATA section when not (a bare `<` in a title, tags left open in a
/// description: the text is then read as HTML, as such text is). Atom
/// XHTML content that is not well-formed is given as HTML. `None` when
/// nothing of the item can be taken.
fn salvaged(item: &str) -> Option<String> {
    let b = item.as_bytes();
    let root_end = crate::util::bytes::tag_end(b, 1)?;
    let root_tag = &item[..=root_end];
    let root_name: String = root_tag[1..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
        .collect();
    let mut out = format!(
        "<{root_name}{}>",
        attributes(&root_tag[1 + root_name.len()..])
    );
    let mut taken = 0;
    let mut at = root_end + 1;
    while let Some(TagAt {
        lt,
        closing,
        name_start,
        name_end,
    }) = next_tag(b, at)
    {
        at = lt + 1;
        let name = &item[name_start..name_end];
        let local = name.rsplit(':').next().unwrap_or(name);
        if closing || name.is_empty() || !SALVAGED.contains(&local) {
            continue;
        }
        let Some(gt) = crate::util::bytes::tag_end(b, name_end) else {
            break;
        };
        let empty = b[gt - 1] == b'/';
        let raw_attributes = &item[name_end..if empty { gt - 1 } else { gt }];
        let mut attributes = attributes(raw_attributes);
        if empty {
            out.push_str(&format!("<{name}{attributes}/>"));
            taken += 1;
            at = gt + 1;
            continue;
        }
        let close = format!("</{name}");
        let Some(inner_end) = crate::util::bytes::find_from(b, gt + 1, close.as_bytes()) else {
            continue;
        };
        let inner = &item[gt + 1..inner_end];
        let inner = if well_formed(inner) {
            inner.to_string()
        } else {
            if attributes.contains("type=\"xhtml\"") {
                attributes = attributes.replace("type=\"xhtml\"", "type=\"html\"");
            }
            format!("<![CDATA[{}]]>", inner.replace("]]>", "]]]]><![CDATA[>"))
        };
        out.push_str(&format!("<{name}{attributes}>{inner}</{name}>"));
        taken += 1;
        at = find_byte_from(b, inner_end, b'>').map_or(b.len(), |gt| gt + 1);
    }
    (taken > 0).then(|| format!("{out}</{root_name}>"))
}

/// Attributes as a tag wrote them, quoted or not, written again well
/// formed: ` name="value"`, each value's `&`, `<` and `"` escaped (an
/// entity or reference already there is kept). Pieces that are no
/// `name=value` are dropped.
fn attributes(raw: &str) -> String {
    let b = raw.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (is_xml_space(b[i]) || b[i] == b'/') {
            i += 1;
        }
        let name_start = i;
        while i < b.len() && !is_xml_space(b[i]) && b[i] != b'=' && b[i] != b'/' {
            i += 1;
        }
        let name = &raw[name_start..i];
        while i < b.len() && is_xml_space(b[i]) {
            i += 1;
        }
        if i >= b.len() || b[i] != b'=' {
            // A name without a value (or nothing at all): dropped.
            i += usize::from(i < b.len() && name.is_empty());
            continue;
        }
        i += 1;
        while i < b.len() && is_xml_space(b[i]) {
            i += 1;
        }
        let value = match b.get(i) {
            Some(b'"' | b'\'') => {
                let end = crate::util::bytes::closing_quote(b, i).unwrap_or(b.len());
                let value = &raw[i + 1..end];
                i = end + 1;
                value
            }
            _ => {
                let start = i;
                while i < b.len() && !is_xml_space(b[i]) {
                    i += 1;
                }
                // `url=a.mp3/>`: the slash closes the tag.
                raw[start..i].trim_end_matches('/')
            }
        };
        if !name.is_empty()
            && name
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || b":_-.".contains(&c))
        {
            out.push_str(&format!(" {name}=\"{}\"", escape_attribute(value)));
        }
    }
    out
}

/// `value` with `<` and `"` escaped, and every `&` that starts no entity or
/// character reference.
fn escape_attribute(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (i, c) in value.char_indices() {
        match c {
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '&' if !crate::util::escape::starts_reference(&value[i + 1..]) => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// Is `inner` well-formed element content: text, references, CDATA and
/// balanced elements? Undeclared prefixes and entities are left to the
/// feed parser.
fn well_formed(inner: &str) -> bool {
    let wrapped = format!("<x>{inner}</x>");
    let mut reader = quick_xml::Reader::from_str(&wrapped);
    reader.config_mut().check_end_names = true;
    // A name starts with a letter, `_` or `:`: `a < b` holds no tag.
    fn named<N: AsRef<[u8]> + ?Sized>(name: &N) -> bool {
        name.as_ref()
            .first()
            .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_' || c == b':' || c >= 0x80)
    }
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(tag)) if named(tag.name().into_inner()) => {
                depth += 1
            }
            Ok(quick_xml::events::Event::Empty(tag)) if named(tag.name().into_inner()) => {}
            Ok(quick_xml::events::Event::Start(_) | quick_xml::events::Event::Empty(_)) => {
                return false;
            }
            Ok(quick_xml::events::Event::End(_)) => match depth.checked_sub(1) {
                Some(less) => depth = less,
                None => return false,
            },
            Ok(quick_xml::events::Event::Eof) => return depth == 0,
            Err(_) => return false,
            Ok(_) => {}
        }
    }
}

/// A start or end tag found in markup: where its `<` is, whether it is an
/// end tag, and where its name lies.
pub(super) struct TagAt {
    pub(super) lt: usize,
    pub(super) closing: bool,
    pub(super) name_start: usize,
    pub(super) name_end: usize,
}

/// The next tag at or after `at`, markup sections (CDATA, comments,
/// processing instructions, DOCTYPE) skipped; `None` at the end of the
/// text or inside an unterminated section.
pub(super) fn next_tag(b: &[u8], mut at: usize) -> Option<TagAt> {
    loop {
        let lt = find_byte_from(b, at, b'<')?;
        match markup_section(b, lt) {
            Some(Some(end)) => {
                at = end;
                continue;
            }
            Some(None) => return None,
            None => {}
        }
        let closing = b.get(lt + 1) == Some(&b'/');
        let name_start = lt + 1 + usize::from(closing);
        let name_end = b[name_start..]
            .iter()
            .position(|&c| is_xml_space(c) || c == b'>' || c == b'/')
            .map_or(b.len(), |n| name_start + n);
        return Some(TagAt {
            lt,
            closing,
            name_start,
            name_end,
        });
    }
}

/// The start and end of each `item` or `entry` element (any prefix), in
/// order. An item left open ends where the next one starts, or at the
/// end of the text; markup sections (CDATA, comments) are skipped, so an
/// `<item>` written inside one is text.
fn item_spans(b: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut open: Option<usize> = None;
    let mut at = 0;
    while let Some(TagAt {
        lt,
        closing,
        name_start,
        name_end,
    }) = next_tag(b, at)
    {
        let name = &b[name_start..name_end];
        let local = name.rsplit(|&c| c == b':').next().unwrap_or(name);
        at = lt + 1;
        if !matches!(local, b"item" | b"entry") {
            continue;
        }
        if closing {
            if let Some(start) = open.take() {
                let end = find_byte_from(b, name_end, b'>').map_or(b.len(), |gt| gt + 1);
                spans.push((start, end));
                at = end;
            }
        } else {
            if let Some(start) = open.replace(lt) {
                spans.push((start, lt));
            }
            // `<item/>`: an empty item, whole in its tag.
            if let Some(gt) = find_byte_from(b, name_end, b'>')
                && gt > 0
                && b[gt - 1] == b'/'
                && let Some(start) = open.take()
            {
                spans.push((start, gt + 1));
                at = gt + 1;
            }
        }
    }
    if let Some(start) = open {
        spans.push((start, b.len()));
    }
    spans
}

/// `head` with the elements it leaves open closed, innermost first: the
/// channel as a document of its own.
pub(super) fn closed(head: &str) -> String {
    let b = head.as_bytes();
    let mut open: Vec<&str> = Vec::new();
    let mut at = 0;
    while let Some(TagAt {
        closing,
        name_start,
        name_end,
        ..
    }) = next_tag(b, at)
    {
        let name = &head[name_start..name_end];
        let Some(gt) = crate::util::bytes::tag_end(b, name_end) else {
            break;
        };
        at = gt + 1;
        if name.is_empty() {
            continue;
        }
        if closing {
            if let Some(depth) = open.iter().rposition(|&o| o == name) {
                open.truncate(depth);
            }
        } else if b[gt - 1] != b'/' {
            open.push(name);
        }
    }
    let mut out = head.to_string();
    for name in open.iter().rev() {
        out.push_str(&format!("</{name}>"));
    }
    out
}

/// The document's root start tag (with its namespaces), and `<channel>`
/// after it for RSS: a head for items whose own channel cannot be read.
/// `None` when no root element starts before the first item.
pub(super) fn root_only(b: &[u8], first_item: usize) -> Option<String> {
    let root = next_tag(b, 0).filter(|tag| tag.lt < first_item && !tag.closing)?;
    let gt = crate::util::bytes::tag_end(b, root.name_end)?;
    let tag = std::str::from_utf8(&b[root.lt..=gt]).ok()?;
    let name = std::str::from_utf8(&b[root.name_start..root.name_end]).ok()?;
    let local = name.rsplit(':').next().unwrap_or(name);
    Some(if local == "rss" {
        format!("{tag}<channel>")
    } else {
        tag.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<&str> {
        item_spans(text.as_bytes())
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn items_are_cut_out_of_the_markup() {
        assert_eq!(
            spans(
                "<rss><channel><title>T</title><item><title>A</title></item><item>B</item></channel></rss>"
            ),
            ["<item><title>A</title></item>", "<item>B</item>"]
        );
        // Prefixed, left open, empty, and written inside CDATA or a comment.
        assert_eq!(
            spans(
                "<a:feed><a:entry>one<a:entry>two</a:entry><!-- <entry>no</entry> --><entry/><item><![CDATA[<item>x</item>]]></item><item>cut"
            ),
            [
                "<a:entry>one",
                "<a:entry>two</a:entry>",
                "<entry/>",
                "<item><![CDATA[<item>x</item>]]></item>",
                "<item>cut"
            ]
        );
        // `<items>` (RSS 1.0's table of contents) and `<itemize>` are no items.
        assert!(spans("<channel><items><rdf:Seq/></items><itemize/></channel>").is_empty());
    }

    #[test]
    fn the_root_alone_stands_in_for_a_broken_channel() {
        let text = "<?xml version=\"1.0\"?><!-- c --><rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\"><channel><title>x < y</title><item>";
        let first = text.find("<item>").unwrap();
        assert_eq!(
            root_only(text.as_bytes(), first).as_deref(),
            Some("<rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\"><channel>")
        );
        let atom = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>";
        assert_eq!(
            root_only(atom.as_bytes(), atom.find("<entry>").unwrap()).as_deref(),
            Some("<feed xmlns=\"http://www.w3.org/2005/Atom\">")
        );
        assert_eq!(root_only(b"<item>", 0), None);
    }

    #[test]
    fn a_head_is_closed_as_a_document() {
        assert_eq!(
            closed(
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><image><url>u</url><br/><!-- <x> -->"
            ),
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><image><url>u</url><br/><!-- <x> --></image></channel></rss>"
        );
        // RSS 1.0: the channel closed before the items; a stray end tag
        // closes what it names.
        assert_eq!(
            closed("<rdf:RDF><channel><title>T</title></channel><image><b></image>"),
            "<rdf:RDF><channel><title>T</title></channel><image><b></image></rdf:RDF>"
        );
    }
}
