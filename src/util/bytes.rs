//! Byte searches shared by the scanners of feed and HTML markup
//! ([`crate::parse`]'s charset sniffing and repairs, and
//! [`crate::extract::html_scan`]).
//!
//! In: a byte slice and a position in it. Out: another position (of a
//! needle, a closing quote, the `>` that ends a tag, the first byte past a
//! run of spaces) or a yes/no. The searches are `memchr`'s, vectorised: the
//! scanners run over bodies of many megabytes.
//!
//! What goes here: small searches that know nothing of XML or HTML beyond
//! quotes and `>`. What does not: anything that reads markup's meaning
//! (elements, entities, declarations); that stays with its scanner.
//!
//! Nothing fails and nothing panics: a start position past the end, or a
//! search that runs off the end, finds nothing.

/// The first `needle` in `haystack`.
pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// The first `needle` in `haystack` at or after `from`, as a position in
/// `haystack`.
pub(crate) fn find_from(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    find(haystack.get(from..)?, needle).map(|at| from + at)
}

/// The first `byte` in `haystack` at or after `from`, as a position in
/// `haystack`.
pub(crate) fn find_byte_from(haystack: &[u8], from: usize, byte: u8) -> Option<usize> {
    memchr::memchr(byte, haystack.get(from..)?).map(|at| from + at)
}

/// Whether `needle` is anywhere in `haystack`.
pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
}

/// Whether `bytes` starts with `prefix`, ASCII case-insensitive.
pub(crate) fn starts_with_ignore_ascii_case(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes
        .get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

/// XML's white space (the `S` production of XML 1.0): space, tab, CR, LF.
/// Unlike [`u8::is_ascii_whitespace`], not form feed.
pub(crate) fn is_xml_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

/// The first position at or after `from` whose byte is not XML white space
/// (`bytes.len()` if there is none).
pub(crate) fn skip_xml_space(bytes: &[u8], from: usize) -> usize {
    skip_while(bytes, from, is_xml_space)
}

/// The first position at or after `from` whose byte does not satisfy
/// `skip` (`bytes.len()` if there is none; `from` if it is past the end).
pub(crate) fn skip_while(bytes: &[u8], from: usize, skip: impl Fn(u8) -> bool) -> usize {
    bytes.get(from..).map_or(from, |rest| {
        from + rest.iter().take_while(|&&b| skip(b)).count()
    })
}

/// The quote that closes the quoted value opened by the quote (`"` or `'`,
/// whichever it is) at `bytes[open]`: the next byte equal to it. `None` if
/// the value is never closed.
pub(crate) fn closing_quote(bytes: &[u8], open: usize) -> Option<usize> {
    find_byte_from(bytes, open + 1, *bytes.get(open)?)
}

/// The `>` that ends the tag whose name ends at `from`: the first one that
/// is not inside an attribute value quoted after its `=` (`alt="a > b"`).
/// `None` if the tag, or a quoted value in it, is never closed.
///
/// White space around `=` is ASCII white space, as HTML has it; XML
/// allows less, but a feed's text has no form feed left by the time its
/// tags are read (XML forbids it, and the repairs remove it first).
pub(crate) fn tag_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    let mut after_equals = false;
    while i < bytes.len() {
        match bytes[i] {
            b'>' => return Some(i),
            b'=' => after_equals = true,
            b'"' | b'\'' if after_equals => {
                i = closing_quote(bytes, i)?;
                after_equals = false;
            }
            b if b.is_ascii_whitespace() => {}
            _ => after_equals = false,
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_needles_from_a_position() {
        let text = b"<a><!-- x --><b>-->";
        assert_eq!(find(text, b"-->"), Some(10));
        assert_eq!(find(text, b"<c"), None);
        assert_eq!(find_from(text, 0, b"-->"), Some(10));
        assert_eq!(find_from(text, 10, b"-->"), Some(10));
        assert_eq!(find_from(text, 11, b"-->"), Some(16));
        assert_eq!(find_from(text, 17, b"-->"), None);
        // At and past the end: nothing, no panic.
        assert_eq!(find_from(text, text.len(), b"-->"), None);
        assert_eq!(find_from(text, text.len() + 5, b"-->"), None);
        assert_eq!(find_from(b"", 0, b"x"), None);
    }

    #[test]
    fn finds_bytes_from_a_position() {
        let text = b"a<b<c";
        assert_eq!(find_byte_from(text, 0, b'<'), Some(1));
        assert_eq!(find_byte_from(text, 1, b'<'), Some(1));
        assert_eq!(find_byte_from(text, 2, b'<'), Some(3));
        assert_eq!(find_byte_from(text, 4, b'<'), None);
        assert_eq!(find_byte_from(text, 99, b'<'), None);
    }

    #[test]
    fn contains_and_case_insensitive_prefixes() {
        assert!(contains(b"media:thumbnail", b"thumbnail"));
        assert!(!contains(b"media:content", b"thumbnail"));
        assert!(starts_with_ignore_ascii_case(b"</SCRIPT>", b"</script"));
        assert!(starts_with_ignore_ascii_case(b"<Body", b"<body"));
        assert!(starts_with_ignore_ascii_case(b"abc", b""));
        assert!(!starts_with_ignore_ascii_case(b"</scrip", b"</script"));
        assert!(!starts_with_ignore_ascii_case(b"</style>", b"</script"));
        // Only ASCII letters fold.
        assert!(!starts_with_ignore_ascii_case(
            "É".as_bytes(),
            "é".as_bytes()
        ));
    }

    #[test]
    fn skips_xml_space_only() {
        assert_eq!(skip_xml_space(b"a \t\r\nb", 1), 5);
        assert_eq!(skip_xml_space(b"a  ", 1), 3);
        assert_eq!(skip_xml_space(b"ab", 1), 1);
        // A form feed is ASCII white space but not XML's.
        assert_eq!(skip_xml_space(b" \x0Cb", 0), 1);
        assert_eq!(skip_xml_space(b"ab", 2), 2);
        assert_eq!(skip_xml_space(b"ab", 7), 7);
        assert_eq!(skip_while(b"abc1", 0, |b| b.is_ascii_alphabetic()), 3);
    }

    #[test]
    fn closing_quotes() {
        let text = br#"a="x'y" b='z"' c="open"#;
        assert_eq!(closing_quote(text, 2), Some(6));
        assert_eq!(closing_quote(text, 10), Some(13));
        assert_eq!(closing_quote(text, 17), None);
        assert_eq!(closing_quote(text, text.len()), None);
    }

    #[test]
    fn tag_ends_skip_quoted_values() {
        let end = |tag: &str| tag_end(tag.as_bytes(), 0);
        assert_eq!(end(r#"<img alt="a > b" src=x>"#), Some(22));
        assert_eq!(end(r#"<img alt = 'a > b'>rest"#), Some(18));
        // A quote not after `=` is no value: the first `>` ends the tag.
        assert_eq!(end(r#"<a b"c>d">"#), Some(6));
        assert_eq!(end(r#"<a b="c>"#), None);
        assert_eq!(end("<a b=c"), None);
        assert_eq!(end(""), None);
        assert_eq!(tag_end(b"<a>", 9), None);
    }
}
