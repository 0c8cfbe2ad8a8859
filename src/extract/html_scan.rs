//! A streaming scan of HTML start tags, for the places where only a few
//! tags matter (the `<img>` of an item's content, the `<meta>` and `<link>`
//! of an article page's head) and building a DOM would cost far more than
//! the answer.
//!
//! In: HTML text. Out: its start tags in document order, with their
//! attributes decoded on demand. Comments, end tags, declarations and the
//! content of `script`, `style`, `textarea` and `title` are skipped, as a
//! browser's tokenizer does. Nothing fails; broken markup is read as far as
//! it goes.

use std::borrow::Cow;

use crate::util::bytes::{
    closing_quote, find_byte_from, find_from, skip_while, starts_with_ignore_ascii_case, tag_end,
};

/// A start tag: `<name attributes…>`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tag<'a> {
    name: &'a str,
    attributes: &'a str,
}

impl<'a> Tag<'a> {
    /// Is this tag `name` (ASCII case-insensitive)?
    pub(crate) fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The decoded value of the first attribute called `name` (ASCII
    /// case-insensitive); an attribute without a value reads as `""`.
    pub(crate) fn attr(&self, name: &str) -> Option<Cow<'a, str>> {
        attributes(self.attributes)
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| decode_entities(value))
    }
}

/// Elements whose content is text, not markup: their content is skipped.
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title", "xmp", "noscript"];

/// Every start tag of `html`, in order.
pub(crate) fn start_tags(html: &str) -> impl Iterator<Item = Tag<'_>> {
    let bytes = html.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        loop {
            let open = find_byte_from(bytes, at, b'<')?;
            let rest = &bytes[open..];
            if rest.starts_with(b"<!--") {
                at = find_from(bytes, open + 4, b"-->").map_or(bytes.len(), |end| end + 3);
                continue;
            }
            match rest.get(1) {
                Some(b'!' | b'?' | b'/') => {
                    at = find_byte_from(bytes, open, b'>').map_or(bytes.len(), |end| end + 1);
                    continue;
                }
                Some(c) if c.is_ascii_alphabetic() => {}
                _ => {
                    at = open + 1;
                    continue;
                }
            }
            let name_end = open
                + 1
                + rest[1..]
                    .iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b':' | b'_')))
                    .unwrap_or(rest.len() - 1);
            let tag_end = tag_end(bytes, name_end).unwrap_or(bytes.len());
            let name = &html[open + 1..name_end];
            let attributes = &html[name_end..tag_end];
            at = (tag_end + 1).min(bytes.len());
            if let Some(raw) = RAW_TEXT.iter().find(|raw| name.eq_ignore_ascii_case(raw)) {
                at = skip_raw_text(bytes, at, raw);
            }
            return Some(Tag { name, attributes });
        }
    })
}

/// After `<script>`: past the matching `</script`.
fn skip_raw_text(bytes: &[u8], from: usize, name: &str) -> usize {
    let mut at = from;
    while let Some(open) = find_from(bytes, at, b"</") {
        if starts_with_ignore_ascii_case(&bytes[open + 2..], name.as_bytes()) {
            return open;
        }
        at = open + 2;
    }
    bytes.len()
}

/// The attributes of a tag, as (name, raw value) pairs.
fn attributes(text: &str) -> impl Iterator<Item = (&str, &str)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        i = skip_while(bytes, i, |b| b.is_ascii_whitespace() || b == b'/');
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        i = skip_while(bytes, i, |b| {
            !b.is_ascii_whitespace() && !matches!(b, b'=' | b'/')
        });
        let name = &text[start..i];
        i = skip_while(bytes, i, |b| b.is_ascii_whitespace());
        if i >= bytes.len() || bytes[i] != b'=' {
            return Some((name, ""));
        }
        i = skip_while(bytes, i + 1, |b| b.is_ascii_whitespace());
        let value = match bytes.get(i) {
            Some(b'"' | b'\'') => {
                let end = closing_quote(bytes, i).unwrap_or(bytes.len());
                let value = &text[i + 1..end];
                i = (end + 1).min(bytes.len());
                value
            }
            _ => {
                let start = i;
                i = skip_while(bytes, i, |b| !b.is_ascii_whitespace());
                &text[start..i]
            }
        };
        Some((name, value))
    })
}

/// Decodes the character references found in attribute values: numeric
/// ones and the named ones that URLs and titles use.
fn decode_entities(value: &str) -> Cow<'_, str> {
    if !value.contains('&') {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semicolon = after.find(';').filter(|&end| end <= 32);
        let decoded = semicolon.and_then(|end| reference(&after[..end]).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn reference(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code).filter(|c| *c != '\0');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(html: &str) -> Vec<String> {
        start_tags(html)
            .map(|t| t.name.to_ascii_lowercase())
            .collect()
    }

    #[test]
    fn finds_start_tags_and_skips_the_rest() {
        let html = r#"<!DOCTYPE html><html><head><!-- <meta name="x"> -->
            <script>var s = "<meta name='fake'>";</script><STYLE>a{}</style>
            <meta property="og:image" content="a.jpg"></head><body><p>1 < 2</p><img src=x></body>"#;
        assert_eq!(
            names(html),
            [
                "html", "head", "script", "style", "meta", "body", "p", "img"
            ]
        );
    }

    #[test]
    fn reads_attributes_in_every_quoting() {
        let tag = start_tags(r#"<img data-x src = 'a b.png' alt="q > r" WIDTH=1 title="&amp;&#39;&#x41;&nbsp;&bogus;">"#)
            .next()
            .unwrap();
        assert_eq!(tag.attr("src").as_deref(), Some("a b.png"));
        assert_eq!(tag.attr("alt").as_deref(), Some("q > r"));
        assert_eq!(tag.attr("width").as_deref(), Some("1"));
        assert_eq!(tag.attr("data-x").as_deref(), Some(""));
        assert_eq!(tag.attr("title").as_deref(), Some("&'A\u{a0}&bogus;"));
        assert_eq!(tag.attr("missing"), None);
    }

    #[test]
    fn broken_markup_does_not_stop_the_scan() {
        assert_eq!(names("<a href=\"x\"<img src=y><p>"), ["a", "p"]);
        assert_eq!(names("<img src=\"unterminated"), ["img"]);
        assert_eq!(names("<<<>>><!-- never closed"), Vec::<String>::new());
        assert_eq!(names("<script>never closed"), ["script"]);
        assert!(names("é<é>ü<b>").contains(&"b".to_string()));
    }
}
