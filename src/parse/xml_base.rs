//! The base an Atom entry's content resolves against (RFC 4287, 2, and XML
//! Base): `xml:base` on the feed, the entry and the content, each relative
//! to the one around it, and the first to the document's own URL.
//!
//! feed-rs resolves links this way, but gives an entry only the `xml:base`
//! written on its `content`, as written: relative images of an entry whose
//! base is on the entry, or on a content element relative to it, would
//! resolve against the wrong folder. The scan of what the parser drops
//! ([`super::dropped`]) follows the bases with these two functions and
//! gives each Atom entry the base in effect at its content, absolute.
//!
//! In: an element, or a base and what an element writes. Out: the base it
//! writes, or that base resolved. Nothing fails: a base that cannot be
//! resolved is none.

use quick_xml::events::BytesStart;
use url::Url;

/// The `xml:base` an element writes, as written.
pub(super) fn xml_base(element: &BytesStart) -> Option<String> {
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
pub(super) fn join(outer: Option<&Url>, written: &str) -> Option<Url> {
    match outer {
        Some(outer) => outer.join(written).ok(),
        None => Url::parse(written).ok(),
    }
}
