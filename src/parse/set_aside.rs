//! One element the strict parser refuses costs that element, not the feed:
//! the element at the position the parser names is set aside and the
//! document read again, a bounded number of times.
//!
//! In: a well-formed document the strict parser refused, and its refusal.
//! Out: the document without the elements it refused, once it reads, or
//! `None` when the refusal names no position, the element there is the
//! feed's root or channel, or more than [`MAX_SET_ASIDE`] are refused.
//! The caller reports it as a repair ([`super::repair::Fix::ElementSetAside`]).
//!
//! Such elements are valid in the specifications or harmless in what
//! publishers send: an empty Media RSS `<media:description/>` or
//! `<media:title/>`, a value the parser knows no variant of.

use feed_rs::parser::{ParseErrorKind, ParseFeedError};
use url::Url;

use super::strict::ParseFailure;

/// Elements set aside in one document at most: past that, the document is
/// not one feedimport reads.
pub(super) const MAX_SET_ASIDE: usize = 32;

/// Elements never set aside: without them there is no feed.
const FEED_ELEMENTS: &[&str] = &["rss", "channel", "feed", "RDF"];

/// The feed `text` gives without the elements the parser refuses, with
/// the names of those set aside, in order; `parse` reads a text.
pub(super) fn read_setting_aside<T>(
    text: &str,
    refusal: &ParseFailure,
    base: Option<&Url>,
    parse: impl Fn(&str, Option<&Url>) -> Result<T, ParseFailure>,
) -> Option<(T, Vec<String>)> {
    let mut text = text.to_string();
    let mut position = refused_at(refusal)?;
    let mut set_aside = Vec::new();
    for _ in 0..MAX_SET_ASIDE {
        let (start, end, name) = element_at(&text, position)?;
        text.replace_range(start..end, "");
        set_aside.push(name);
        match parse(&text, base) {
            Ok(feed) => return Some((feed, set_aside)),
            Err(refusal) => position = refused_at(&refusal)?,
        }
    }
    None
}

/// The byte position a refusal names, when it names one.
fn refused_at(refusal: &ParseFailure) -> Option<usize> {
    let ParseFailure::Parser(ParseFeedError::ParseError(kind)) = refusal else {
        return None;
    };
    let position = match kind {
        ParseErrorKind::MissingContent { position, .. }
        | ParseErrorKind::UnknownMimeType { position, .. }
        | ParseErrorKind::UnknownEnumVariant { position, .. }
        | ParseErrorKind::IllegalState { position, .. } => *position,
        _ => return None,
    };
    usize::try_from(position).ok()
}

/// The element the parser stopped at, as byte range and name: the last tag
/// that starts before `position` (the parser names the position after the
/// element it read), with its content when it is a start or an end tag.
/// `None` for a feed's own elements, markup that is no element, or an
/// element whose other end is not found.
fn element_at(text: &str, position: usize) -> Option<(usize, usize, String)> {
    let bytes = text.as_bytes();
    let end = position.min(bytes.len());
    let open = memchr::memrchr(b'<', &bytes[..end])?;
    let tag_end = open + memchr::memchr(b'>', &bytes[open..])? + 1;
    let tag = &text[open..tag_end];
    if tag.starts_with("<!") || tag.starts_with("<?") {
        return None;
    }
    let name_of = |from: &str| {
        from.split(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let (start, end, name) = if let Some(closing) = tag.strip_prefix("</") {
        let name = name_of(closing);
        (start_tag_before(text, &name, open)?, tag_end, name)
    } else if tag.ends_with("/>") {
        (open, tag_end, name_of(&tag[1..]))
    } else {
        let name = name_of(&tag[1..]);
        let close = format!("</{name}>");
        let at = text[tag_end..].find(&close)? + tag_end;
        (open, at + close.len(), name)
    };
    let local = name.rsplit(':').next().unwrap_or(&name);
    (!name.is_empty() && !FEED_ELEMENTS.contains(&local)).then_some((start, end, name))
}

/// Where the last start tag of `name` before `before` begins.
fn start_tag_before(text: &str, name: &str, before: usize) -> Option<usize> {
    let opening = format!("<{name}");
    let mut search = &text[..before];
    while let Some(at) = search.rfind(&opening) {
        let next = text[at + opening.len()..].chars().next();
        if next.is_some_and(|c| c.is_whitespace() || c == '>' || c == '/') {
            return Some(at);
        }
        search = &search[..at];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_element_before_the_position_is_found_whole() {
        let text = "<rss><channel><item><a/><b x='1'>t</b><c></c></item></channel></rss>";
        let after = |s: &str| text.find(s).unwrap() + s.len();
        assert_eq!(
            element_at(text, after("<a/>")),
            Some((20, 24, "a".to_string()))
        );
        let b = element_at(text, after("</b>")).unwrap();
        assert_eq!(&text[b.0..b.1], "<b x='1'>t</b>");
        let c = element_at(text, after("<c>")).unwrap();
        assert_eq!(&text[c.0..c.1], "<c></c>");
        // The feed's own elements are never set aside.
        assert_eq!(element_at(text, after("</channel>")), None);
        assert_eq!(element_at(text, after("<rss>")), None);
    }
}
