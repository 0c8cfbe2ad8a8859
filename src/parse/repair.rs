//! Repairs the common breakage of real-world XML feeds.
//!
//! In: the UTF-8 text of a feed (see [`super::decode`]) that a strict XML
//! parser rejected. Out: [`Repaired`], the text with these mended where
//! needed, and the list of what was mended:
//! - junk (whitespace, a PHP warning, an HTML page wrapped around the feed)
//!   before the XML declaration or the root element is dropped;
//! - an `&` that starts no entity or character reference becomes `&amp;`;
//! - HTML entities (`&nbsp;`, `&eacute;`...) become character references, and
//!   unknown ones are escaped (`&amp;foo;`);
//! - characters XML 1.0 forbids (C0 controls but tab, LF and CR, U+FFFE,
//!   U+FFFF, and `&#0;`) are removed;
//! - a document cut off before its end is cut again after its last complete
//!   `</item>` or `</entry>`, and the elements still open there are closed;
//! - elements left open are closed where their parent closes (or where the
//!   next `<item>`/`<entry>` starts), and end tags that close nothing are
//!   dropped;
//! - an `<rss>` root whose `version` the parser does not know (none, `0.9`,
//!   `2.01`...) is given `version="2.0"`.
//!
//! CDATA sections, comments, processing instructions and the DOCTYPE are
//! copied as they are (but for forbidden characters), and JSON is left
//! alone. Nothing fails and
//! nothing panics: a text that is no feed comes out as mended as it gets,
//! and the caller's parser decides. Time and memory are linear in the size
//! of the text.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use crate::util::bytes::{
    closing_quote, find_byte_from, find_from, is_xml_space, skip_xml_space, tag_end,
};

/// The repaired text of a feed and what was mended in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Repaired {
    /// The text after the repairs.
    pub(crate) text: String,
    /// Each kind of repair applied, once, in the order of [`Fix`].
    pub(crate) fixes: Vec<Fix>,
}

/// A kind of breakage that [`repair_xml`] mends, in the order it mends them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    /// Something before the XML declaration or the root element.
    LeadingJunk,
    /// An `&` that starts no entity or character reference.
    BareAmpersand,
    /// An entity that XML does not define (`&nbsp;`, `&eacute;`, `&foo;`).
    HtmlEntity,
    /// A character that XML 1.0 does not allow.
    ControlCharacter,
    /// The document ends before its root element is closed.
    Truncated,
    /// An element left open, or an end tag that closes no open element.
    UnbalancedTags,
    /// An `<rss>` root without a `version` the parser knows.
    RssVersion,
    /// A JSON Feed whose `version` the parser refuses (`http`, no trailing
    /// slash, none at all).
    JsonVersion,
    /// A JSON value of the wrong type: a number where text belongs, one tag
    /// or author where a list belongs, a list where text belongs.
    JsonType,
    /// A field the parser requires left out: the feed's `title` or `items`,
    /// an attachment's `mime_type`.
    JsonMissingField,
    /// An item or attachment that cannot be read (not an object, an
    /// attachment without a URL), dropped.
    JsonDropped,
    /// An element the strict parser refuses (an empty `media:description`,
    /// a value of no known variant), set aside: it costs itself, not the
    /// feed.
    ElementSetAside,
    /// The document, broken beyond the repairs above, read one item at a
    /// time: the items that still would not read were left out.
    ItemsReadOneByOne,
}

impl std::fmt::Display for Fix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Fix::LeadingJunk => "junk before the XML declaration or root element",
            Fix::BareAmpersand => "unescaped & characters",
            Fix::HtmlEntity => "HTML entities that XML does not define",
            Fix::ControlCharacter => "control characters that XML does not allow",
            Fix::Truncated => "a document cut off before its end",
            Fix::UnbalancedTags => "elements left open, or end tags that close nothing",
            Fix::RssVersion => "an RSS version the parser does not know",
            Fix::JsonVersion => "a JSON Feed version the parser does not know",
            Fix::JsonType => {
                "JSON values of the wrong type (a number for text, one tag for a list)"
            }
            Fix::JsonMissingField => "JSON Feed fields left out that the parser requires",
            Fix::JsonDropped => "JSON Feed items or attachments that could not be read, dropped",
            Fix::ElementSetAside => "elements the feed parser refused, set aside",
            Fix::ItemsReadOneByOne => {
                "a document broken beyond repair, read one item at a time (the items that would not read left out)"
            }
        })
    }
}

/// Mends `text` where it needs it; a well-formed document, or JSON, comes
/// back as it was, with no fixes.
pub(crate) fn repair_xml(text: &str) -> Repaired {
    type Repair = fn(&str) -> Option<String>;
    let mut fixes = Vec::new();
    if text.trim_start().starts_with('{') {
        // JSON, which has its own rules.
        return Repaired {
            text: text.to_owned(),
            fixes,
        };
    }
    let mut text = Cow::Borrowed(text);
    if let Some(stripped) = strip_junk(&text) {
        fixes.push(Fix::LeadingJunk);
        text = Cow::Owned(stripped);
    }
    let (escaped, found) = fix_references(&text);
    if let Some(escaped) = escaped {
        for (fix, was_found) in [
            (Fix::BareAmpersand, found.bare_ampersand),
            (Fix::HtmlEntity, found.html_entity),
            (Fix::ControlCharacter, found.control_character),
        ] {
            if was_found {
                fixes.push(fix);
            }
        }
        text = Cow::Owned(escaped);
    }
    for (fix, repair) in [
        (Fix::Truncated, close_truncated as Repair),
        (Fix::UnbalancedTags, balance_tags),
        (Fix::RssVersion, fix_rss_version),
    ] {
        if let Some(repaired) = repair(&text) {
            fixes.push(fix);
            text = Cow::Owned(repaired);
        }
    }
    Repaired {
        text: text.into_owned(),
        fixes,
    }
}

/// Root elements of the feed formats, without the `<`.
const ROOTS: &[&[u8]] = &[b"rss", b"feed", b"rdf:RDF", b"RDF:RDF", b"atom:feed"];

/// The text without what comes before its XML declaration, or between the
/// declaration and the root element when that is more than XML allows there
/// (whitespace, comments, processing instructions, a DOCTYPE): a PHP
/// warning, an HTML page around the feed. `None` if there is no junk, or no
/// declaration nor feed root element to start at.
fn strip_junk(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let first = (0..b.len())
        .filter(|&i| b[i] == b'<')
        .find(|&i| is_declaration(&b[i..]) || is_root_start(&b[i..]))?;
    if !is_declaration(&b[first..]) {
        return (!only_prolog_markup(b, 0, first)).then(|| text[first..].to_owned());
    }
    let declaration_end = find_from(b, first, b"?>")? + 2;
    let root = (declaration_end..b.len())
        .filter(|&i| b[i] == b'<')
        .find(|&i| is_root_start(&b[i..]));
    match root {
        Some(root) if !only_prolog_markup(b, declaration_end, root) => Some(format!(
            "{}\n{}",
            &text[first..declaration_end],
            &text[root..]
        )),
        _ => (first > 0).then(|| text[first..].to_owned()),
    }
}

/// Whether `b[from..to]` holds only whitespace, comments, processing
/// instructions and DOCTYPEs.
fn only_prolog_markup(b: &[u8], from: usize, to: usize) -> bool {
    let mut at = from;
    loop {
        at = skip_xml_space(b, at);
        if at >= to {
            return true;
        }
        match markup_section(b, at) {
            Some(Some(end)) if end <= to && !b[at..].starts_with(b"<![CDATA[") => at = end,
            _ => return false,
        }
    }
}

fn is_declaration(rest: &[u8]) -> bool {
    rest.starts_with(b"<?xml") && rest.get(5).is_some_and(|&c| is_xml_space(c))
}

fn is_root_start(rest: &[u8]) -> bool {
    ROOTS.iter().any(|root| {
        rest.first() == Some(&b'<')
            && rest[1..].starts_with(root)
            && rest
                .get(1 + root.len())
                .is_some_and(|&c| is_xml_space(c) || c == b'>' || c == b'/')
    })
}

/// What [`fix_references`] found to mend.
#[derive(Debug, Default)]
struct Found {
    bare_ampersand: bool,
    html_entity: bool,
    control_character: bool,
}

/// Escapes bare `&`, turns HTML entities into character references and
/// removes forbidden characters, in one pass. `None` if there was nothing
/// to do.
fn fix_references(text: &str) -> (Option<String>, Found) {
    let b = text.as_bytes();
    let mut found = Found::default();
    let mut out = Output::new(text);
    // Until there, a CDATA section, comment, processing instruction or
    // DOCTYPE: only forbidden characters are removed.
    let mut raw_until = 0;
    let mut i = 0;
    while i < b.len() {
        // Every position where something is done is an ASCII byte or the
        // first byte of U+FFFE/U+FFFF: a char boundary.
        let (replacement, len) = match forbidden_width(b, i) {
            0 if i < raw_until => {
                i += 1;
                continue;
            }
            0 => match b[i] {
                b'<' => {
                    raw_until = markup_section(b, i).map_or(i, |end| end.unwrap_or(b.len()));
                    i += 1;
                    continue;
                }
                b'&' => match reference(&b[i..]) {
                    Reference::Keep => {
                        i += 1;
                        continue;
                    }
                    Reference::Escape => {
                        found.bare_ampersand = true;
                        (Replacement::Escape, 1)
                    }
                    Reference::Unknown => {
                        found.html_entity = true;
                        (Replacement::Escape, 1)
                    }
                    Reference::Character(len, code) => {
                        found.html_entity = true;
                        (Replacement::Character(code), len)
                    }
                    Reference::Forbidden(len) => {
                        found.control_character = true;
                        (Replacement::Nothing, len)
                    }
                },
                _ => {
                    i += 1;
                    continue;
                }
            },
            width => {
                found.control_character = true;
                (Replacement::Nothing, width)
            }
        };
        let out = out.splice(i, i + len);
        match replacement {
            Replacement::Nothing => {}
            Replacement::Escape => out.push_str("&amp;"),
            Replacement::Character(code) => {
                let _ = write!(out, "&#{code};");
            }
        }
        i += len;
    }
    (out.finish(), found)
}

/// A copy of a text with some byte ranges replaced, made only once the
/// first range is.
struct Output<'a> {
    text: &'a str,
    out: Option<String>,
    /// `text[..copied]` is in `out`.
    copied: usize,
}

impl<'a> Output<'a> {
    fn new(text: &'a str) -> Self {
        Output {
            text,
            out: None,
            copied: 0,
        }
    }

    /// Drops `text[start..end]` (both char boundaries, `start` not before
    /// the end of the previous range) and returns the output to write its
    /// replacement to.
    fn splice(&mut self, start: usize, end: usize) -> &mut String {
        let text = self.text;
        let out = self
            .out
            .get_or_insert_with(|| String::with_capacity(text.len() + text.len() / 16 + 64));
        out.push_str(&text[self.copied..start]);
        self.copied = end;
        out
    }

    /// The repaired text, `None` if nothing was replaced.
    fn finish(self) -> Option<String> {
        let mut out = self.out?;
        out.push_str(&self.text[self.copied..]);
        Some(out)
    }
}

enum Replacement {
    Nothing,
    Escape,
    Character(u32),
}

/// What an `&` starts.
enum Reference {
    /// A reference XML reads: one of its five entities or a character.
    Keep,
    /// Nothing XML reads: the `&` is to be escaped.
    Escape,
    /// A well-formed `&name;` that neither XML nor HTML defines.
    Unknown,
    /// A reference of this many bytes to this character, for HTML entities
    /// and `&#X41;` (HTML allows an upper-case X, XML does not).
    Character(usize, u32),
    /// A reference of this many bytes to a character XML forbids (`&#0;`).
    Forbidden(usize),
}

/// The longest entity name looked at (HTML's longest has 31 letters).
const MAX_ENTITY_NAME: usize = 32;

/// What the `&` at the start of `rest` starts.
fn reference(rest: &[u8]) -> Reference {
    let rest = &rest[1..];
    if let Some(number) = rest.strip_prefix(b"#") {
        let (radix, digits, upper_x) = match number.first() {
            Some(b'x') => (16, &number[1..], false),
            Some(b'X') => (16, &number[1..], true),
            _ => (10, number, false),
        };
        let count = digits
            .iter()
            .take_while(|&&d| char::from(d).is_digit(radix))
            .count();
        if count == 0 || digits.get(count) != Some(&b';') {
            return Reference::Escape;
        }
        let len = 2 + (number.len() - digits.len()) + count + 1;
        let value = digits[..count].iter().try_fold(0u32, |value, &d| {
            value
                .checked_mul(radix)?
                .checked_add(char::from(d).to_digit(radix)?)
        });
        return match value {
            Some(0) => Reference::Forbidden(len),
            Some(code) if char::from_u32(code).is_some() => {
                if upper_x {
                    Reference::Character(len, code)
                } else {
                    Reference::Keep
                }
            }
            _ => Reference::Escape,
        };
    }
    let name_len = rest
        .iter()
        .take(MAX_ENTITY_NAME + 1)
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    if name_len == 0
        || name_len > MAX_ENTITY_NAME
        || !rest[0].is_ascii_alphabetic()
        || rest.get(name_len) != Some(&b';')
    {
        return Reference::Escape;
    }
    let name = &rest[..name_len];
    if matches!(name, b"amp" | b"lt" | b"gt" | b"quot" | b"apos") {
        return Reference::Keep;
    }
    match HTML_ENTITIES.binary_search_by(|(entity, _)| entity.as_bytes().cmp(name)) {
        Ok(found) => Reference::Character(name_len + 2, HTML_ENTITIES[found].1),
        Err(_) => Reference::Unknown,
    }
}

/// The width in bytes of a character XML 1.0 forbids at `b[i]`, else 0.
fn forbidden_width(b: &[u8], i: usize) -> usize {
    match b[i] {
        b'\t' | b'\n' | b'\r' => 0,
        0x00..=0x1F => 1,
        // U+FFFE and U+FFFF.
        0xEF if b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF)) => 3,
        _ => 0,
    }
}

/// If `b[at..]` starts a CDATA section, a comment, a processing
/// instruction or a DOCTYPE: `Some` of where it ends, `None` inside if it
/// does not. `None` for anything else.
pub(super) fn markup_section(b: &[u8], at: usize) -> Option<Option<usize>> {
    let rest = &b[at..];
    let end = |start: usize, terminator: &[u8]| {
        find_from(b, at + start, terminator).map(|end| end + terminator.len())
    };
    if rest.starts_with(b"<![CDATA[") {
        Some(end(9, b"]]>"))
    } else if rest.starts_with(b"<!--") {
        Some(end(4, b"-->"))
    } else if rest.starts_with(b"<?") {
        Some(end(2, b"?>"))
    } else if rest.starts_with(b"<!") {
        // A DOCTYPE, its internal subset in brackets.
        let mut depth = 0usize;
        Some(
            rest.iter()
                .enumerate()
                .skip(2)
                .find(|&(_, &c)| {
                    match c {
                        b'[' => depth += 1,
                        b']' => depth = depth.saturating_sub(1),
                        b'>' => return depth == 0,
                        _ => {}
                    }
                    false
                })
                .map(|(offset, _)| at + offset + 1),
        )
    } else {
        None
    }
}

/// If the root element is never closed, the text up to the end of the last
/// complete item or entry, with the elements open there closed.
fn close_truncated(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let scan = scan_tags(b);
    if scan.open.is_empty() {
        return None;
    }
    let cut = scan.last_item_end?;
    let open = scan_tags(&b[..cut]).open;
    if open.is_empty() {
        return None;
    }
    // `cut` is just after a `>`: a char boundary.
    let mut closed = String::with_capacity(cut + 64);
    closed.push_str(&text[..cut]);
    for name in open.iter().rev() {
        push_end_tag(&mut closed, name);
    }
    Some(closed)
}

fn push_end_tag(out: &mut String, name: &[u8]) {
    out.push_str("</");
    // Tag names are cut at ASCII bytes of a `str`: valid UTF-8.
    out.push_str(&String::from_utf8_lossy(name));
    out.push('>');
}

/// The elements open at the end of a text, and where the last `</item>` or
/// `</entry>` that closed an open element ends.
struct Scan<'a> {
    open: Vec<&'a [u8]>,
    last_item_end: Option<usize>,
}

/// A tolerant tag-stack scan (see [`Elements`]). Stops at the first
/// unterminated construct.
fn scan_tags(b: &[u8]) -> Scan<'_> {
    let mut elements = Elements::default();
    let mut last_item_end = None;
    let mut i = 0;
    while let Some(at) = find_byte_from(b, i, b'<') {
        match read_tag(b, at) {
            Tag::Other => i = at + 1,
            Tag::Skip(end) => i = end,
            Tag::Unterminated => break,
            Tag::Start {
                name,
                end,
                self_closing,
            } => {
                if !self_closing {
                    elements.push(name);
                }
                i = end;
            }
            Tag::End { name, end } => {
                if elements.close(name, |_| {}) && is_item(name) {
                    last_item_end = Some(end);
                }
                i = end;
            }
        }
    }
    Scan {
        open: elements.open,
        last_item_end,
    }
}

/// Closes what is left open where its parent closes, or where an `<item>`
/// or `<entry>` starts inside a channel or feed (the feed's structure says
/// it belongs there), and drops end tags that close no open element.
/// `None` if the tags are balanced.
fn balance_tags(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut elements = Elements::default();
    let mut out = Output::new(text);
    let mut i = 0;
    while let Some(at) = find_byte_from(b, i, b'<') {
        match read_tag(b, at) {
            Tag::Other => i = at + 1,
            Tag::Skip(end) => i = end,
            Tag::Unterminated => break,
            Tag::Start {
                name,
                end,
                self_closing,
            } => {
                if matches!(name, b"item" | b"entry") && elements.containers > 0 {
                    while let Some(&top) = elements.open.last().filter(|top| !is_container(top)) {
                        elements.open.pop();
                        elements.forget(top);
                        push_end_tag(out.splice(at, at), top);
                    }
                }
                if !self_closing {
                    elements.push(name);
                }
                i = end;
            }
            Tag::End { name, end } => {
                if !elements.close(name, |inner| push_end_tag(out.splice(at, at), inner)) {
                    out.splice(at, end);
                }
                i = end;
            }
        }
    }
    out.finish()
}

/// The open elements of a tolerant tag-stack scan: an end tag closes the
/// innermost open element of its name and whatever is open inside it.
#[derive(Default)]
struct Elements<'a> {
    open: Vec<&'a [u8]>,
    /// How many elements of each name are open, to tell an end tag that
    /// closes nothing without searching the stack.
    counts: HashMap<&'a [u8], usize>,
    /// How many channels, feeds and RDF roots are open.
    containers: usize,
}

impl<'a> Elements<'a> {
    fn push(&mut self, name: &'a [u8]) {
        self.open.push(name);
        *self.counts.entry(name).or_default() += 1;
        if is_container(name) {
            self.containers += 1;
        }
    }

    /// Counts `name` as no longer open (it was popped from `open`).
    fn forget(&mut self, name: &[u8]) {
        if let Some(count) = self.counts.get_mut(name) {
            *count = count.saturating_sub(1);
        }
        if is_container(name) {
            self.containers = self.containers.saturating_sub(1);
        }
    }

    /// Closes the innermost open element named `name`, calling `closed_inside`
    /// with each element left open inside it; whether there was one.
    fn close(&mut self, name: &[u8], mut closed_inside: impl FnMut(&'a [u8])) -> bool {
        if self.counts.get(name).is_none_or(|&count| count == 0) {
            return false;
        }
        while let Some(top) = self.open.pop() {
            self.forget(top);
            if top == name {
                return true;
            }
            closed_inside(top);
        }
        false
    }
}

/// Gives an `<rss>` root whose version the parser does not read (it knows
/// `2.0`, `0.91`, `0.92` and an empty one) `version="2.0"`. `None` if the
/// root is no `<rss>` or its version is known.
fn fix_rss_version(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut i = 0;
    let (at, end) = loop {
        let at = find_byte_from(b, i, b'<')?;
        match read_tag(b, at) {
            Tag::Other => i = at + 1,
            Tag::Skip(end) => i = end,
            Tag::Start { name, end, .. } if name == b"rss" => break (at, end),
            _ => return None,
        }
    };
    let name_end = at + 4;
    let mut out = Output::new(text);
    match attribute(b, name_end, end, b"version") {
        Some((start, value_end)) => {
            if matches!(&b[start..value_end], b"2.0" | b"0.91" | b"0.92" | b"") {
                return None;
            }
            out.splice(start, value_end).push_str("2.0");
        }
        None => out.splice(name_end, name_end).push_str(" version=\"2.0\""),
    }
    out.finish()
}

/// The byte range of the value of attribute `wanted` in the tag whose
/// attributes are in `b[from..end]`.
fn attribute(b: &[u8], from: usize, end: usize, wanted: &[u8]) -> Option<(usize, usize)> {
    let mut at = from;
    loop {
        at = skip_xml_space(b, at);
        let name_len = b[at..end]
            .iter()
            .take_while(|&&c| !is_xml_space(c) && !matches!(c, b'=' | b'>' | b'/'))
            .count();
        if name_len == 0 {
            return None;
        }
        let name = &b[at..at + name_len];
        at = skip_xml_space(b, at + name_len);
        if b.get(at) != Some(&b'=') {
            return None;
        }
        at = skip_xml_space(b, at + 1);
        if !matches!(b.get(at), Some(b'"' | b'\'')) {
            return None;
        }
        // Only a quote inside the tag closes the value.
        let value_end = closing_quote(&b[..end], at)?;
        if name == wanted {
            return Some((at + 1, value_end));
        }
        at = value_end + 1;
    }
}

/// What a `<` starts.
enum Tag<'a> {
    /// A start tag (or an empty-element tag), ending just before `end`.
    Start {
        name: &'a [u8],
        end: usize,
        self_closing: bool,
    },
    /// An end tag, ending just before `end`.
    End { name: &'a [u8], end: usize },
    /// A CDATA section, comment, processing instruction or DOCTYPE, ending
    /// just before the position given.
    Skip(usize),
    /// A tag or section that the text ends inside.
    Unterminated,
    /// A `<` that starts no tag.
    Other,
}

/// Reads what the `<` at `b[at]` starts.
fn read_tag(b: &[u8], at: usize) -> Tag<'_> {
    match markup_section(b, at) {
        Some(Some(end)) => return Tag::Skip(end),
        Some(None) => return Tag::Unterminated,
        None => {}
    }
    let closing = b.get(at + 1) == Some(&b'/');
    let name_start = at + if closing { 2 } else { 1 };
    if !b.get(name_start).is_some_and(|&c| is_name_start(c)) {
        return Tag::Other;
    }
    let name_end = name_start
        + b[name_start..]
            .iter()
            .take_while(|&&c| !is_xml_space(c) && !matches!(c, b'>' | b'/' | b'<'))
            .count();
    let Some(close) = tag_end(b, name_end) else {
        return Tag::Unterminated;
    };
    let name = &b[name_start..name_end];
    if closing {
        Tag::End {
            name,
            end: close + 1,
        }
    } else {
        Tag::Start {
            name,
            end: close + 1,
            self_closing: b[close - 1] == b'/',
        }
    }
}

/// An `item` or `entry`, in any namespace.
fn is_item(name: &[u8]) -> bool {
    matches!(local_name(name), b"item" | b"entry")
}

/// What holds the items: an RSS channel, an RSS 1.0 root, an Atom feed.
fn is_container(name: &[u8]) -> bool {
    matches!(local_name(name), b"channel" | b"RDF" | b"feed")
}

fn local_name(name: &[u8]) -> &[u8] {
    name.rsplit(|&c| c == b':').next().unwrap_or(name)
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b':' || c >= 0x80
}

/// HTML entities XML does not define, sorted by name (byte order) for
/// binary search: the 252 of HTML 4 (Latin-1, symbols and Greek, special)
/// and the HTML5 ones for ASCII punctuation and a few common symbols and
/// spaces. Each is one code point.
#[rustfmt::skip]
const HTML_ENTITIES: &[(&str, u32)] = &[
    ("AElig", 0x00C6), ("AMP", 0x0026), ("Aacute", 0x00C1), ("Acirc", 0x00C2), ("Agrave", 0x00C0),
    ("Alpha", 0x0391), ("Aring", 0x00C5), ("Atilde", 0x00C3), ("Auml", 0x00C4), ("Beta", 0x0392),
    ("COPY", 0x00A9), ("Ccedil", 0x00C7), ("Chi", 0x03A7), ("Dagger", 0x2021), ("Delta", 0x0394),
    ("ETH", 0x00D0), ("Eacute", 0x00C9), ("Ecirc", 0x00CA), ("Egrave", 0x00C8), ("Epsilon", 0x0395),
    ("Eta", 0x0397), ("Euml", 0x00CB), ("GT", 0x003E), ("Gamma", 0x0393), ("Hat", 0x005E),
    ("Iacute", 0x00CD), ("Icirc", 0x00CE), ("Igrave", 0x00CC), ("Iota", 0x0399), ("Iuml", 0x00CF),
    ("Kappa", 0x039A), ("LT", 0x003C), ("Lambda", 0x039B), ("Mu", 0x039C), ("NewLine", 0x000A),
    ("NonBreakingSpace", 0x00A0), ("Ntilde", 0x00D1), ("Nu", 0x039D), ("OElig", 0x0152),
    ("Oacute", 0x00D3), ("Ocirc", 0x00D4), ("Ograve", 0x00D2), ("Omega", 0x03A9),
    ("Omicron", 0x039F), ("Oslash", 0x00D8), ("Otilde", 0x00D5), ("Ouml", 0x00D6), ("Phi", 0x03A6),
    ("Pi", 0x03A0), ("Prime", 0x2033), ("Psi", 0x03A8), ("QUOT", 0x0022), ("REG", 0x00AE),
    ("Rho", 0x03A1), ("Scaron", 0x0160), ("Sigma", 0x03A3), ("THORN", 0x00DE), ("TRADE", 0x2122),
    ("Tab", 0x0009), ("Tau", 0x03A4), ("Theta", 0x0398), ("Uacute", 0x00DA), ("Ucirc", 0x00DB),
    ("Ugrave", 0x00D9), ("Upsilon", 0x03A5), ("Uuml", 0x00DC), ("Xi", 0x039E), ("Yacute", 0x00DD),
    ("Yuml", 0x0178), ("ZeroWidthSpace", 0x200B), ("Zeta", 0x0396), ("aacute", 0x00E1),
    ("acirc", 0x00E2), ("acute", 0x00B4), ("aelig", 0x00E6), ("agrave", 0x00E0),
    ("alefsym", 0x2135), ("alpha", 0x03B1), ("amp", 0x0026), ("and", 0x2227), ("ang", 0x2220),
    ("aring", 0x00E5), ("ast", 0x002A), ("asymp", 0x2248), ("atilde", 0x00E3), ("auml", 0x00E4),
    ("bdquo", 0x201E), ("beta", 0x03B2), ("bigstar", 0x2605), ("brvbar", 0x00A6), ("bsol", 0x005C),
    ("bull", 0x2022), ("bullet", 0x2022), ("cap", 0x2229), ("ccedil", 0x00E7), ("cedil", 0x00B8),
    ("cent", 0x00A2), ("check", 0x2713), ("checkmark", 0x2713), ("chi", 0x03C7), ("circ", 0x02C6),
    ("clubs", 0x2663), ("colon", 0x003A), ("comma", 0x002C), ("commat", 0x0040), ("cong", 0x2245),
    ("copy", 0x00A9), ("crarr", 0x21B5), ("cross", 0x2717), ("cup", 0x222A), ("curren", 0x00A4),
    ("dArr", 0x21D3), ("dagger", 0x2020), ("darr", 0x2193), ("dash", 0x2010), ("deg", 0x00B0),
    ("delta", 0x03B4), ("diams", 0x2666), ("divide", 0x00F7), ("dollar", 0x0024),
    ("eacute", 0x00E9), ("ecirc", 0x00EA), ("egrave", 0x00E8), ("empty", 0x2205), ("emsp", 0x2003),
    ("ensp", 0x2002), ("epsilon", 0x03B5), ("equals", 0x003D), ("equiv", 0x2261), ("eta", 0x03B7),
    ("eth", 0x00F0), ("euml", 0x00EB), ("euro", 0x20AC), ("excl", 0x0021), ("exist", 0x2203),
    ("female", 0x2640), ("flat", 0x266D), ("fnof", 0x0192), ("forall", 0x2200), ("frac12", 0x00BD),
    ("frac14", 0x00BC), ("frac34", 0x00BE), ("frasl", 0x2044), ("gamma", 0x03B3), ("ge", 0x2265),
    ("grave", 0x0060), ("gt", 0x003E), ("hArr", 0x21D4), ("hairsp", 0x200A), ("half", 0x00BD),
    ("harr", 0x2194), ("hearts", 0x2665), ("hellip", 0x2026), ("hyphen", 0x2010),
    ("iacute", 0x00ED), ("icirc", 0x00EE), ("iexcl", 0x00A1), ("igrave", 0x00EC), ("image", 0x2111),
    ("infin", 0x221E), ("int", 0x222B), ("iota", 0x03B9), ("iquest", 0x00BF), ("isin", 0x2208),
    ("iuml", 0x00EF), ("kappa", 0x03BA), ("lArr", 0x21D0), ("lambda", 0x03BB), ("lang", 0x2329),
    ("laquo", 0x00AB), ("larr", 0x2190), ("lbrace", 0x007B), ("lbrack", 0x005B), ("lceil", 0x2308),
    ("lcub", 0x007B), ("ldquo", 0x201C), ("ldquor", 0x201E), ("le", 0x2264), ("lfloor", 0x230A),
    ("lowast", 0x2217), ("lowbar", 0x005F), ("loz", 0x25CA), ("lpar", 0x0028), ("lrm", 0x200E),
    ("lsaquo", 0x2039), ("lsqb", 0x005B), ("lsquo", 0x2018), ("lt", 0x003C), ("macr", 0x00AF),
    ("male", 0x2642), ("mdash", 0x2014), ("micro", 0x00B5), ("midast", 0x002A), ("middot", 0x00B7),
    ("minus", 0x2212), ("mldr", 0x2026), ("mu", 0x03BC), ("nabla", 0x2207), ("natural", 0x266E),
    ("nbsp", 0x00A0), ("ndash", 0x2013), ("ne", 0x2260), ("ni", 0x220B), ("nldr", 0x2025),
    ("not", 0x00AC), ("notin", 0x2209), ("nsub", 0x2284), ("ntilde", 0x00F1), ("nu", 0x03BD),
    ("num", 0x0023), ("numsp", 0x2007), ("oacute", 0x00F3), ("ocirc", 0x00F4), ("oelig", 0x0153),
    ("ograve", 0x00F2), ("oline", 0x203E), ("omega", 0x03C9), ("omicron", 0x03BF),
    ("oplus", 0x2295), ("or", 0x2228), ("ordf", 0x00AA), ("ordm", 0x00BA), ("oslash", 0x00F8),
    ("otilde", 0x00F5), ("otimes", 0x2297), ("ouml", 0x00F6), ("para", 0x00B6), ("part", 0x2202),
    ("percnt", 0x0025), ("period", 0x002E), ("permil", 0x2030), ("perp", 0x22A5), ("phi", 0x03C6),
    ("phone", 0x260E), ("pi", 0x03C0), ("piv", 0x03D6), ("plus", 0x002B), ("plusmn", 0x00B1),
    ("pound", 0x00A3), ("prime", 0x2032), ("prod", 0x220F), ("prop", 0x221D), ("psi", 0x03C8),
    ("puncsp", 0x2008), ("quest", 0x003F), ("quot", 0x0022), ("rArr", 0x21D2), ("radic", 0x221A),
    ("rang", 0x232A), ("raquo", 0x00BB), ("rarr", 0x2192), ("rbrace", 0x007D), ("rbrack", 0x005D),
    ("rceil", 0x2309), ("rcub", 0x007D), ("rdquo", 0x201D), ("real", 0x211C), ("reg", 0x00AE),
    ("rfloor", 0x230B), ("rho", 0x03C1), ("rlm", 0x200F), ("rpar", 0x0029), ("rsaquo", 0x203A),
    ("rsqb", 0x005D), ("rsquo", 0x2019), ("rsquor", 0x2019), ("sbquo", 0x201A), ("scaron", 0x0161),
    ("sdot", 0x22C5), ("sect", 0x00A7), ("semi", 0x003B), ("sharp", 0x266F), ("shy", 0x00AD),
    ("sigma", 0x03C3), ("sigmaf", 0x03C2), ("sim", 0x223C), ("sol", 0x002F), ("spades", 0x2660),
    ("star", 0x2606), ("starf", 0x2605), ("sub", 0x2282), ("sube", 0x2286), ("sum", 0x2211),
    ("sup", 0x2283), ("sup1", 0x00B9), ("sup2", 0x00B2), ("sup3", 0x00B3), ("supe", 0x2287),
    ("szlig", 0x00DF), ("tau", 0x03C4), ("there4", 0x2234), ("theta", 0x03B8), ("thetasym", 0x03D1),
    ("thinsp", 0x2009), ("thorn", 0x00FE), ("tilde", 0x02DC), ("times", 0x00D7), ("trade", 0x2122),
    ("uArr", 0x21D1), ("uacute", 0x00FA), ("uarr", 0x2191), ("ucirc", 0x00FB), ("ugrave", 0x00F9),
    ("uml", 0x00A8), ("upsih", 0x03D2), ("upsilon", 0x03C5), ("uuml", 0x00FC), ("verbar", 0x007C),
    ("vert", 0x007C), ("weierp", 0x2118), ("xi", 0x03BE), ("yacute", 0x00FD), ("yen", 0x00A5),
    ("yuml", 0x00FF), ("zeta", 0x03B6), ("zwj", 0x200D), ("zwnj", 0x200C),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn rss(items: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Channel</title>{items}</channel></rss>"
        )
    }

    fn item(title: &str) -> String {
        format!("<item><title>{title}</title><link>https://example.org/a</link></item>")
    }

    /// Parses the repaired text; the titles of its entries.
    fn parsed(repaired: &Repaired) -> Vec<String> {
        let feed = feed_rs::parser::parse(repaired.text.as_bytes())
            .unwrap_or_else(|e| panic!("{e}: {}", repaired.text));
        feed.entries
            .into_iter()
            .map(|e| e.title.map(|t| t.content).unwrap_or_default())
            .collect()
    }

    #[test]
    fn leading_junk_is_dropped() {
        let feed = rss(&item("One"));
        for junk in [
            "\n\n   ",
            "\u{FEFF}",
            "<br />\n<b>Warning</b>: Cannot modify header information in <b>/var/www/feed.php</b> on line <b>12</b><br />\n",
            "<!-- cached --> ",
        ] {
            let repaired = repair_xml(&format!("{junk}{feed}"));
            assert_eq!(repaired.fixes, [Fix::LeadingJunk], "{junk:?}");
            assert_eq!(repaired.text, feed);
            assert_eq!(parsed(&repaired), ["One"]);
        }
        // No declaration: the document starts at its root element.
        let atom = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title><entry><title>E</title></entry></feed>";
        let repaired = repair_xml(&format!("Deprecated: something\n{atom}"));
        assert_eq!(repaired.fixes, [Fix::LeadingJunk]);
        assert_eq!(repaired.text, atom);
        assert_eq!(parsed(&repaired), ["E"]);
        // Whitespace, comments and a DOCTYPE before a root without a
        // declaration are allowed: nothing to do.
        let fine = format!(
            "\n<!-- c --><!DOCTYPE rss [<!ENTITY x \"y\">]>\n{}",
            &feed[feed.find("<rss").unwrap()..]
        );
        assert_eq!(
            repair_xml(&fine),
            Repaired {
                text: fine.clone(),
                fixes: vec![]
            }
        );
    }

    #[test]
    fn bare_ampersands_are_escaped() {
        let feed = rss(&[
            item("Tom & Jerry"),
            item("AT&T &&amp; R&amp;D &#38; &#x26; & ;"),
            item("<![CDATA[a & b &nbsp;]]>"),
            "<item><title>Q</title><link>https://example.org/?a=1&b=2&amp;c=3</link></item>"
                .to_owned(),
            item("&# &#; &#x; &#12 &#xZZ; &#99999999999; &#xD800; &1a; &x"),
        ]
        .concat());
        let repaired = repair_xml(&feed);
        assert_eq!(repaired.fixes, [Fix::BareAmpersand]);
        assert!(
            repaired.text.contains("<![CDATA[a & b &nbsp;]]>"),
            "CDATA is left alone"
        );
        assert!(repaired.text.contains("?a=1&amp;b=2&amp;c=3"));
        assert_eq!(
            parsed(&repaired),
            [
                "Tom & Jerry",
                "AT&T && R&D & & & ;",
                "a & b &nbsp;",
                "Q",
                "&# &#; &#x; &#12 &#xZZ; &#99999999999; &#xD800; &1a; &x",
            ]
        );
    }

    #[test]
    fn html_entities_become_characters() {
        let feed = rss(&[
            item("caf&eacute;&nbsp;&ndash; &hellip;&rsquo;s &copy;&trade;"),
            item("&Eacute;&eacute; &LT;b&GT; &#X41; &amp;&lt;&gt;&quot;&apos;"),
            item("&foo; &notanentityname;"),
            "<item><title a=\"&auml;\">Attr</title><link>https://example.org/?x=&eacute;</link></item>".to_owned(),
        ]
        .concat());
        let repaired = repair_xml(&feed);
        assert_eq!(repaired.fixes, [Fix::HtmlEntity]);
        assert!(repaired.text.contains("caf&#233;&#160;&#8211;"));
        assert!(repaired.text.contains("&amp;foo;"));
        assert!(repaired.text.contains("?x=&#233;"));
        assert_eq!(
            parsed(&repaired),
            [
                "café\u{a0}– …’s ©™",
                "Éé <b> A &<>\"'",
                "&foo; &notanentityname;",
                "Attr",
            ]
        );
    }

    #[test]
    fn forbidden_characters_are_removed() {
        let feed = rss(&[
            item("a\u{0}b\u{1}c\u{8}d\u{B}e\u{C}f\u{1F}g\u{FFFE}h\u{FFFF}i&#0;j"),
            item("<![CDATA[x\u{1B}y]]>"),
            item("tab\tand\r\nnewlines \u{7F}\u{85}\u{FFFD} stay"),
        ]
        .concat());
        let repaired = repair_xml(&feed);
        assert_eq!(repaired.fixes, [Fix::ControlCharacter]);
        assert_eq!(
            parsed(&repaired),
            [
                "abcdefghij",
                "xy",
                "tab\tand\r\nnewlines \u{7F}\u{85}\u{FFFD} stay"
            ]
        );
    }

    #[test]
    fn truncated_documents_keep_their_complete_items() {
        let full = rss(&[item("One"), item("Two"), item("Three")].concat());
        for cut in [
            "<title>Thr",
            "<title>Three</ti",
            "</item",
            "<ite",
            "<link>https://exa",
        ] {
            let text = &full[..full.rfind(cut).unwrap() + cut.len()];
            let repaired = repair_xml(text);
            assert_eq!(repaired.fixes, [Fix::Truncated], "{cut}");
            assert!(repaired.text.ends_with("</item></channel></rss>"));
            assert_eq!(parsed(&repaired), ["One", "Two"], "{cut}");
        }
        let atom = "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title>\
                    <entry><title>A</title><content type=\"html\"><![CDATA[</entry>]]></content><br/></entry>\
                    <!-- </entry> --><entry><title>B</title><summary>cut off";
        let attribute = format!(
            "{}<item><title a=\"x>y",
            &full[..full.rfind("<item>").unwrap()]
        );
        assert_eq!(parsed(&repair_xml(&attribute)), ["One", "Two"]);
        let repaired = repair_xml(atom);
        assert_eq!(repaired.fixes, [Fix::Truncated]);
        assert!(
            repaired.text.ends_with("<br/></entry></feed>"),
            "{}",
            repaired.text
        );
        assert_eq!(parsed(&repaired), ["A"]);
        let rdf = "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\">\
                   <channel rdf:about=\"x\"><title>T</title></channel>\
                   <item rdf:about=\"a\"><title>A</title><link>https://example.org/a</link></item>\
                   <item rdf:about=\"b\"><title>B</tit";
        let repaired = repair_xml(rdf);
        assert!(repaired.text.ends_with("</item></rdf:RDF>"));
        assert_eq!(parsed(&repaired), ["A"]);
        // Nothing complete to keep: left as it is.
        let repaired = repair_xml("<rss version=\"2.0\"><channel><title>T</title><item><title>x");
        assert_eq!(repaired.fixes, []);
    }

    #[test]
    fn an_html_page_around_the_feed_is_dropped() {
        let atom = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title>\
                    <entry><title>E</title></entry></feed>";
        let page = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"x.dtd\">\n\
             <html xmlns=\"http://www.w3.org/1999/xhtml\"><body>\n{atom}\n</body></html>\n"
        );
        let repaired = repair_xml(&page);
        assert_eq!(repaired.fixes, [Fix::LeadingJunk, Fix::UnbalancedTags]);
        assert_eq!(
            repaired.text,
            format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{atom}\n\n")
        );
        assert_eq!(parsed(&repaired), ["E"]);
        // A page with no feed in it is no feed: nothing to start at.
        let html = "<?xml version=\"1.0\"?><html><body>&nbsp;</body></html>";
        assert_eq!(
            repair_xml(html).text,
            "<?xml version=\"1.0\"?><html><body>&#160;</body></html>"
        );
    }

    #[test]
    fn unbalanced_tags_are_balanced() {
        // Apple's old podcast sample: a category left open before the items.
        let feed = rss(&format!(
            "<itunes:category text='Technology'><itunes:category text='Gadgets'/>{}{}",
            item("One"),
            item("Two")
        ))
        .replace(
            "<rss ",
            "<rss xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" ",
        );
        let repaired = repair_xml(&feed);
        assert_eq!(repaired.fixes, [Fix::UnbalancedTags]);
        assert!(
            repaired
                .text
                .contains("<itunes:category text='Gadgets'/></itunes:category><item>")
        );
        assert_eq!(parsed(&repaired), ["One", "Two"]);
        // An item left open, a paragraph closed twice, a paragraph left open
        // in an XHTML summary, end tags that close nothing.
        let atom = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title>\
                    <entry><title>A</title><summary type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><p>x</p></p><p>y</div></summary>\
                    <entry><title>B</title></b></entry></entry></feed></html>";
        let repaired = repair_xml(atom);
        assert_eq!(repaired.fixes, [Fix::UnbalancedTags]);
        assert!(
            repaired.text.contains(
                "<p>x</p><p>y</p></div></summary></entry><entry><title>B</title></entry></feed>"
            ),
            "{}",
            repaired.text
        );
        assert_eq!(parsed(&repaired), ["A", "B"]);
    }

    #[test]
    fn unknown_rss_versions_become_2_0() {
        for (root, fixed) in [
            ("<rss>", "<rss version=\"2.0\">"),
            ("<rss version=\"0.9\">", "<rss version=\"2.0\">"),
            (
                "<rss\n  version = '2.01' xmlns:a=\"x\">",
                "<rss\n  version = '2.0' xmlns:a=\"x\">",
            ),
            (
                "<rss xmlns:a=\"x\" version=\"0.94\">",
                "<rss xmlns:a=\"x\" version=\"2.0\">",
            ),
        ] {
            let feed = format!(
                "<?xml version=\"1.0\"?>\n<!-- c -->{root}<channel><title>T</title>{}</channel></rss>",
                item("One")
            );
            let repaired = repair_xml(&feed);
            assert_eq!(repaired.fixes, [Fix::RssVersion], "{root}");
            assert_eq!(repaired.text, feed.replace(root, fixed));
            assert_eq!(parsed(&repaired), ["One"]);
        }
        for known in ["2.0", "0.91", "0.92", ""] {
            let feed =
                format!("<rss version=\"{known}\"><channel><title>T</title></channel></rss>");
            assert_eq!(repair_xml(&feed).fixes, []);
        }
    }

    #[test]
    fn everything_at_once() {
        let text = format!(
            "\n<b>Notice</b>: Undefined index\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>News & views</title>{}{}{}<item><title>Cut",
            item("Fish & chips&nbsp;&mdash;\u{3}caf&eacute;"),
            item("<![CDATA[<p>R&D &copy;</p>\u{1}]]>"),
            item("&bogus; \u{FFFF}ok"),
        );
        let repaired = repair_xml(&text);
        assert_eq!(
            repaired.fixes,
            [
                Fix::LeadingJunk,
                Fix::BareAmpersand,
                Fix::HtmlEntity,
                Fix::ControlCharacter,
                Fix::Truncated
            ]
        );
        assert!(repaired.text.starts_with("<?xml"));
        let feed = feed_rs::parser::parse(repaired.text.as_bytes()).unwrap();
        assert_eq!(feed.title.unwrap().content, "News & views");
        assert_eq!(
            parsed(&repaired),
            ["Fish & chips\u{a0}—café", "<p>R&D &copy;</p>", "&bogus; ok"]
        );
        let names: Vec<String> = repaired.fixes.iter().map(Fix::to_string).collect();
        assert_eq!(names[0], "junk before the XML declaration or root element");
    }

    #[test]
    fn valid_documents_pass_unchanged() {
        let text = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <?xml-stylesheet type=\"text/xsl\" href=\"a.xsl?x=1&y=2\"?>\n\
             <!DOCTYPE rss [<!ENTITY company \"A &amp; B\">]>\n\
             <!-- generated & cached -->\n\
             <rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>Ça &amp; là — 日本語 &#x1F600;</title>{}{}</channel></rss>\n",
            item("a &lt;b&gt; &quot;c&quot; &apos;d&apos; &#233; &#xE9;"),
            "<item><title>Attr</title><link a='x > y'>https://example.org/?a=1&amp;b=2</link><content:encoded><![CDATA[<p>a & b &nbsp; ]]]></content:encoded></item>",
        );
        let repaired = repair_xml(&text);
        assert_eq!(repaired.fixes, []);
        assert_eq!(repaired.text, text);
        assert_eq!(parsed(&repaired), ["a <b> \"c\" 'd' é é", "Attr"]);
        for fine in [
            "",
            "<rss version=\"2.0\"/>",
            "{\"version\": \"https://jsonfeed.org/version/1\"}",
        ] {
            assert_eq!(
                repair_xml(fine),
                Repaired {
                    text: fine.to_owned(),
                    fixes: vec![]
                }
            );
        }
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        let deep = "<a>".repeat(200_000);
        let many = "&".repeat(100_000);
        let long_name = format!("&{};", "x".repeat(100_000));
        let long_number = format!("&#{};", "9".repeat(100_000));
        let inputs = [
            "",
            "&",
            "&&",
            "&#",
            "&#x",
            "<",
            "<!",
            "<!-",
            "<?",
            "<?xml",
            "<?xml ",
            "</",
            "<a",
            "<a b=\"",
            "<a b='x'",
            "\u{FFFF}",
            "\u{EF}\u{BF}",
            "é&é&ü;&日本;日&",
            "<rss><channel><item><![CDATA[ & never ends",
            "<rss><channel><item><!-- never ends &",
            "<rss><channel><item><!DOCTYPE [[[ &",
            "<rss><item></item><?pi never ends",
            "<rss><item></item></item></item></rss></rss>",
            "</item></entry>",
            "<rss><item></item>é",
            "<rss><item></item><a b=\"é>",
            "<é><item></item>",
            &deep,
            &many,
            &long_name,
            &long_number,
        ];
        for input in inputs {
            let repaired = repair_xml(input);
            // Fixes are listed once each, in order.
            assert!(
                repaired
                    .fixes
                    .windows(2)
                    .all(|w| (w[0] as u8) < (w[1] as u8))
            );
        }
        assert_eq!(repair_xml("&").text, "&amp;");
        assert_eq!(repair_xml("é&é").text, "é&amp;é");
        assert_eq!(
            repair_xml(&long_name).text,
            format!("&amp;{}", &long_name[1..])
        );
        let repaired = repair_xml(&format!("<feed>{deep}<entry></entry>{deep}"));
        assert!(repaired.text.ends_with("</a><entry></entry></feed>"));
    }

    #[test]
    fn random_soup_does_not_panic() {
        const PIECES: &[&str] = &[
            "<",
            ">",
            "/",
            "&",
            ";",
            "#",
            "x",
            "1F",
            "=",
            "\"",
            "'",
            " ",
            "\n",
            "é",
            "日本",
            "\u{0}",
            "\u{B}",
            "\u{FFFF}",
            "<![CDATA[",
            "]]>",
            "<!--",
            "-->",
            "<?",
            "?>",
            "<?xml ",
            "<!DOCTYPE",
            "[",
            "]",
            "<rss",
            "<rss>",
            "<feed>",
            "<channel>",
            "<item>",
            "</item>",
            "<entry>",
            "</entry>",
            "</channel>",
            "</rss>",
            "&nbsp;",
            "&amp;",
            "&#0;",
            "&#xD800;",
            "&X;",
            "version=",
            "<a b='",
            "<br/>",
            "</",
            "junk",
        ];
        for soup in super::super::soups(0x2545_F491_4F6C_DD1D, 3000, 6, PIECES) {
            let soup = String::from_utf8(soup).unwrap();
            let repaired = repair_xml(&soup);
            assert!(
                repaired
                    .fixes
                    .windows(2)
                    .all(|w| (w[0] as u8) < (w[1] as u8)),
                "{soup:?}"
            );
            assert!(
                !repaired.text.contains('\u{0}') && !repaired.text.contains('\u{FFFF}'),
                "{soup:?} {repaired:?}"
            );
            // The output is as safe an input as any.
            repair_xml(&repaired.text);
        }
    }

    #[test]
    fn big_documents_are_repaired_without_hanging() {
        // 20 MB of the worst cases: ampersands, CDATA, deep nesting, items.
        let chunk = format!(
            "{}<![CDATA[&&&]]>{}",
            item("a & b &nbsp; c"),
            "<x>".repeat(10)
        );
        let text = format!(
            "junk<rss version=\"2.0\"><channel>{}<item><title>cut",
            chunk.repeat(20_000_000 / chunk.len())
        );
        // A pass that went back over the text would never finish 20 MB: the
        // bound is a hang's, dozens of times what one pass takes even in an
        // unoptimised build on a busy machine. How fast the repair is, is
        // for the benchmarks to say.
        let limit = std::time::Duration::from_secs(600);
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || sender.send(repair_xml(&text).fixes));
        let fixes = receiver
            .recv_timeout(limit)
            .unwrap_or_else(|_| panic!("20 MB still not repaired after {limit:?}"));
        assert_eq!(
            fixes,
            [
                Fix::LeadingJunk,
                Fix::BareAmpersand,
                Fix::HtmlEntity,
                Fix::Truncated,
                Fix::UnbalancedTags
            ]
        );
    }

    #[test]
    fn the_entity_table_is_sorted_and_complete() {
        assert!(
            HTML_ENTITIES
                .windows(2)
                .all(|w| w[0].0.as_bytes() < w[1].0.as_bytes())
        );
        assert!(HTML_ENTITIES.len() >= 252 + 60);
        for (name, code) in [
            ("nbsp", 160),
            ("eacute", 233),
            ("hellip", 8230),
            ("rsquo", 8217),
            ("euro", 8364),
            ("diams", 9830),
            ("yuml", 255),
            ("Yuml", 376),
        ] {
            assert!(HTML_ENTITIES.contains(&(name, code)), "{name}");
        }
        assert!(
            HTML_ENTITIES.iter().all(
                |(name, code)| name.len() <= MAX_ENTITY_NAME && char::from_u32(*code).is_some()
            )
        );
    }

    /// Every corpus file that the parser rejects after decoding: whether it
    /// parses after repair. Those that feedparser reads entries from must.
    #[test]
    #[ignore = "needs the feed corpus (../shared/corpus or FEEDIMPORT_CORPUS): CI runs it with --ignored"]
    fn corpus_rejects_parse_after_repair() {
        let (files, oracle) = super::super::corpus_support::corpus();
        let (mut rejected, mut repaired_ok, mut unchanged) = (0, 0, 0);
        let mut must_parse = Vec::new();
        let mut forgiven = Vec::new();
        eprintln!(
            "{:<48} {:>7} {:>10}  fixes",
            "rejected as decoded", "entries", "feedparser"
        );
        for path in &files {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = super::super::decode::decode_feed(&std::fs::read(path).unwrap(), None).text;
            if feed_rs::parser::parse(text.as_bytes()).is_ok() {
                // The parser forgives some breakage (whitespace before the
                // declaration, HTML entities); a well-formed document gets
                // no repair.
                let repaired = repair_xml(&text);
                if repaired.fixes.is_empty() {
                    assert_eq!(repaired.text, text, "{name}");
                    unchanged += 1;
                } else {
                    forgiven.push(format!("{name}: {:?}", repaired.fixes));
                    let well_formed = oracle.get(&name).is_some_and(|r| r["bozo"] == false);
                    assert!(!well_formed, "{name} is well-formed: {:?}", repaired.fixes);
                }
                continue;
            }
            rejected += 1;
            let theirs = oracle
                .get(&name)
                .and_then(|r| r["entries"].as_u64())
                .unwrap_or(0);
            let repaired = repair_xml(&text);
            let fixes: Vec<String> = repaired.fixes.iter().map(Fix::to_string).collect();
            let (entries, error) = match feed_rs::parser::parse(repaired.text.as_bytes()) {
                Ok(feed) => {
                    repaired_ok += 1;
                    if theirs > 0 {
                        assert_eq!(feed.entries.len() as u64, theirs, "{name}");
                    }
                    (feed.entries.len().to_string(), String::new())
                }
                Err(e) => {
                    if theirs > 0 {
                        must_parse.push(format!("{name}: {e}"));
                    }
                    ("fails".to_owned(), format!(" ({e})"))
                }
            };
            eprintln!(
                "{name:<48} {entries:>7} {theirs:>10}  {}{error}",
                fixes.join(", ")
            );
        }
        eprintln!(
            "parsed as decoded, though repair would mend them:\n  {}",
            forgiven.join("\n  ")
        );
        eprintln!(
            "{} files: {rejected} rejected as decoded, {repaired_ok} of them parse after repair; \
             of the {} that parse, {unchanged} need no fix",
            files.len(),
            files.len() - rejected
        );
        assert!(
            must_parse.is_empty(),
            "feedparser reads entries from: {must_parse:#?}"
        );
    }
}
