//! The base an Atom entry's content resolves against (RFC 4287, 2, and XML
//! Base): `xml:base` on the feed, the entry and the content, each relative
//! to the one around it, and the first to the document's own URL.
//!
//! feed-rs resolves links this way, but gives an entry only the `xml:base`
//! written on its `content`, as written: relative images of an entry whose
//! base is on the entry, or on a content element relative to it, would
//! resolve against the wrong folder.
//!
//! In: the document's text, the URL it came from, and the parsed feed. Out:
//! the same feed, each Atom entry whose content is under an `xml:base` given
//! that base, absolute. A document without `xml:base`, or whose entry count
//! differs from the parser's, is left as it is.

use feed_rs::model::{Feed, FeedType};
use quick_xml::events::{BytesStart, Event};
use url::Url;

use crate::util::bytes::contains;

/// Sets each Atom entry's base to the one in effect for its content.
pub(super) fn resolve_entry_bases(text: &str, base: Option<&Url>, feed: &mut Feed) {
    if feed.feed_type != FeedType::Atom || !contains(text.as_bytes(), b"xml:base") {
        return;
    }
    let Some(bases) = scan(text, base) else {
        return;
    };
    if bases.len() != feed.entries.len() {
        return;
    }
    for (entry, base) in feed.entries.iter_mut().zip(bases) {
        if let Some(base) = base {
            entry.base = Some(base.to_string());
        }
    }
}

/// Per entry, in document order, the base in effect at its `content`
/// (else at the entry itself), when some `xml:base` sets one.
fn scan(text: &str, document: Option<&Url>) -> Option<Vec<Option<Url>>> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = false;
    // The base in effect inside each open element, and whether any
    // xml:base set it; the document's URL is the base around the root.
    let mut open: Vec<(Option<Url>, bool)> = Vec::new();
    let mut entry_depth: Option<usize> = None;
    let mut entries: Vec<Option<Url>> = Vec::new();
    loop {
        match reader.read_event().ok()? {
            event @ (Event::Start(_) | Event::Empty(_)) => {
                let (Event::Start(element) | Event::Empty(element)) = &event else {
                    unreachable!("matched above")
                };
                let (outer, set) = open
                    .last()
                    .cloned()
                    .unwrap_or_else(|| (document.cloned(), false));
                let (inner, set) = match xml_base(element) {
                    Some(written) => (join(outer.as_ref(), &written), true),
                    None => (outer, set),
                };
                let depth = open.len();
                match element.local_name().into_inner() {
                    "entry" if entry_depth.is_none() => {
                        entries.push(inner.clone().filter(|_| set));
                        if matches!(event, Event::Start(_)) {
                            entry_depth = Some(depth);
                        }
                    }
                    "content" if entry_depth.is_some_and(|d| d + 1 == depth) => {
                        if let Some(last) = entries.last_mut() {
                            *last = inner.clone().filter(|_| set);
                        }
                    }
                    _ => {}
                }
                if matches!(event, Event::Start(_)) {
                    open.push((inner, set));
                }
            }
            Event::End(_) => {
                open.pop();
                if entry_depth == Some(open.len()) {
                    entry_depth = None;
                }
            }
            Event::Eof => return Some(entries),
            _ => {}
        }
    }
}

/// The `xml:base` an element writes, as written.
fn xml_base(element: &BytesStart) -> Option<String> {
    element.attributes().flatten().find_map(|attribute| {
        (attribute.key.into_inner() == "xml:base").then(|| {
            attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        })
    })
}

/// `written` resolved against `outer`; an absolute one stands alone.
fn join(outer: Option<&Url>, written: &str) -> Option<Url> {
    match outer {
        Some(outer) => outer.join(written).ok(),
        None => Url::parse(written).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bases nest: the feed's, then the entry's relative to it, then the
    /// content's relative to that; an entry without any keeps none.
    #[test]
    fn bases_nest_from_the_document_to_the_content() {
        let text = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="/blog/">
<entry><title>A</title><content type="html">a</content></entry>
<entry xml:base="entries/"><title>B</title><content type="html" xml:base="media/">b</content></entry>
<entry xml:base="https://other.example.org/x/"><source xml:base="/ignored/"><title>S</title></source><content type="html">c</content></entry>
</feed>"#;
        let document = Url::parse("https://ex.org/feed.atom").unwrap();
        let bases = scan(text, Some(&document)).unwrap();
        let bases: Vec<Option<&str>> = bases.iter().map(|b| b.as_ref().map(Url::as_str)).collect();
        assert_eq!(
            bases,
            [
                Some("https://ex.org/blog/"),
                Some("https://ex.org/blog/entries/media/"),
                Some("https://other.example.org/x/"),
            ]
        );
        // Without the document's URL, a relative base cannot be resolved.
        let bases = scan(r#"<feed xml:base="/blog/"><entry/></feed>"#, None).unwrap();
        assert_eq!(bases, [None]);
    }
}
