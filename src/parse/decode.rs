//! Feed bytes to UTF-8 text, the way a browser picks a charset.
//!
//! In: the body of a feed as it came, and the HTTP `Content-Type` header if
//! there was one. Out: [`Decoded`], the body as UTF-8 text, the encoding it
//! was read as and where that choice came from. The order is: a byte order
//! mark, the header's `charset`, the XML declaration's `encoding` (looked for
//! in the first kilobyte), UTF-8 for JSON, then detection with `chardetng`. A
//! declaration the bytes contradict loses: "UTF-8" over bytes that are not
//! UTF-8 is detected again, and a single-byte charset (ISO-8859-1 and the
//! like) over valid UTF-8 with non-ASCII in it is read as UTF-8. Labels are
//! resolved as the WHATWG Encoding Standard says, so `iso-8859-1`, `latin1`
//! and `us-ascii` are windows-1252.
//!
//! The text's XML declaration is rewritten to `encoding="UTF-8"`, so that an
//! XML parser given the text does not decode it a second time.
//!
//! Nothing fails: bytes that the chosen encoding cannot decode become U+FFFD
//! and [`Decoded::had_errors`] says so.

use std::io::{self, Read};

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

use crate::util::bytes::{closing_quote, find, skip_while, skip_xml_space};

/// How far into the body the XML declaration is looked for.
const PROLOG_WINDOW: usize = 1024;

/// How much of the body the detector is given, from its start and from its
/// first byte that is not UTF-8: enough to tell any real feed's encoding,
/// without reading 100 MB once more.
const DETECTION_WINDOW: usize = 1 << 20;

/// A feed body decoded to UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decoded {
    /// The body as text, without a byte order mark, its XML declaration (if
    /// any) saying `encoding="UTF-8"`.
    pub(crate) text: String,
    /// The WHATWG name of the encoding the body was read as, e.g. `"UTF-8"`
    /// or `"windows-1252"`.
    pub(crate) encoding: &'static str,
    /// Where that encoding came from.
    pub(crate) source: CharsetSource,
    /// Whether some bytes could not be decoded and became U+FFFD.
    pub(crate) had_errors: bool,
}

/// Where the encoding of a [`Decoded`] body came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CharsetSource {
    /// A byte order mark at the start of the body.
    Bom,
    /// The `charset` parameter of the HTTP `Content-Type` header.
    HttpHeader,
    /// The `encoding` of the XML declaration.
    XmlProlog,
    /// Guessed from the bytes: nothing was declared, or what was declared
    /// did not fit the bytes.
    Detected,
    /// Nothing was declared and the body is ASCII, or JSON: UTF-8, the
    /// default of both XML and JSON.
    Default,
}

/// Decodes `body` to UTF-8 text; `content_type` is the HTTP `Content-Type`
/// header's value, if any. Never fails: see [`Decoded::had_errors`].
pub(crate) fn decode_feed(body: &[u8], content_type: Option<&str>) -> Decoded {
    let (encoding, source, bom_len) = choose_encoding(body, content_type);
    let (text, had_errors) = encoding.decode_without_bom_handling(&body[bom_len..]);
    Decoded {
        text: rewrite_declared_encoding(text.into_owned()),
        encoding: encoding.name(),
        source,
        had_errors,
    }
}

/// The encoding to read `body` with, where it came from, and the length of
/// the byte order mark to skip.
/// [`decode_feed`] for a body the caller gives away: UTF-8 bodies (most
/// feeds) become the text without a copy, which matters for large feeds.
pub(crate) fn decode_feed_owned(body: Vec<u8>, content_type: Option<&str>) -> Decoded {
    let (encoding, source, bom_len) = choose_encoding(&body, content_type);
    if encoding == UTF_8 && bom_len == 0 {
        match String::from_utf8(body) {
            Ok(text) => {
                return Decoded {
                    text: rewrite_declared_encoding(text),
                    encoding: encoding.name(),
                    source,
                    had_errors: false,
                };
            }
            Err(error) => return decode_feed(error.as_bytes(), content_type),
        }
    }
    decode_feed(&body, content_type)
}

/// What the choice of an encoding looks at in a body: its start, whether
/// it is all UTF-8 or all ASCII, and the bytes from its first that is not
/// UTF-8. Taken from a body in memory, or gathered as a big one streams
/// past (`StreamSample`).
pub(crate) struct Sample<'a> {
    /// The first [`DETECTION_WINDOW`] bytes (the whole of a smaller body).
    pub(crate) start: &'a [u8],
    pub(crate) is_utf8: bool,
    pub(crate) is_ascii: bool,
    /// Up to [`DETECTION_WINDOW`] bytes from the first that is not UTF-8,
    /// or from the end of `start` when it lies there (empty when every
    /// byte is UTF-8).
    pub(crate) past_first_error: &'a [u8],
}

impl<'a> Sample<'a> {
    pub(crate) fn of(body: &'a [u8]) -> Sample<'a> {
        let head = body.len().min(DETECTION_WINDOW);
        let first_error = std::str::from_utf8(body).err().map(|e| e.valid_up_to());
        let past_first_error = match first_error {
            Some(at) => {
                let at = at.max(head);
                &body[at..body.len().min(at + DETECTION_WINDOW)]
            }
            None => &[],
        };
        Sample {
            start: &body[..head],
            is_utf8: first_error.is_none(),
            is_ascii: body.is_ascii(),
            past_first_error,
        }
    }
}

fn choose_encoding(
    body: &[u8],
    content_type: Option<&str>,
) -> (&'static Encoding, CharsetSource, usize) {
    choose_encoding_of(&Sample::of(body), content_type)
}

/// The encoding to read a body with, where it came from, and the length
/// of the byte order mark to skip, from a [`Sample`] of the body.
fn choose_encoding_of(
    sample: &Sample,
    content_type: Option<&str>,
) -> (&'static Encoding, CharsetSource, usize) {
    let body = sample.start;
    if let Some((encoding, bom_len)) = Encoding::for_bom(body) {
        return (encoding, CharsetSource::Bom, bom_len);
    }
    let from_header = content_type
        .and_then(header_charset)
        .and_then(|label| Encoding::for_label_no_replacement(label.as_bytes()))
        .and_then(|encoding| {
            if is_utf16(encoding) {
                // Only believable if the bytes look like UTF-16.
                sniff_utf16(body)
            } else {
                Some(encoding)
            }
        })
        .map(|encoding| (encoding, CharsetSource::HttpHeader));
    let declared = from_header
        .or_else(|| {
            let (start, end) = declared_encoding(&body[..body.len().min(PROLOG_WINDOW)])?;
            let encoding = Encoding::for_label_no_replacement(&body[start..end])?;
            // The declaration was read as ASCII, so the body is not UTF-16
            // whatever it says (the WHATWG rule for `<meta charset>`).
            let encoding = if is_utf16(encoding) { UTF_8 } else { encoding };
            Some((encoding, CharsetSource::XmlProlog))
        })
        .or_else(|| {
            body.trim_ascii_start()
                .starts_with(b"{")
                .then_some((UTF_8, CharsetSource::Default))
        });
    let (encoding, source) = match declared {
        Some((encoding, source)) => check_declared(sample, encoding, source),
        None => detect(sample),
    };
    (encoding, source, 0)
}

/// Keeps a declared encoding unless the bytes contradict it.
fn check_declared(
    sample: &Sample,
    encoding: &'static Encoding,
    source: CharsetSource,
) -> (&'static Encoding, CharsetSource) {
    if encoding == UTF_8 {
        if sample.is_utf8 {
            (UTF_8, source)
        } else {
            (detect_legacy(sample), CharsetSource::Detected)
        }
    } else if encoding.is_single_byte() && !sample.is_ascii && sample.is_utf8 {
        // Valid UTF-8 with multi-byte sequences is next to impossible in
        // real single-byte text: the declaration is a leftover.
        (UTF_8, CharsetSource::Detected)
    } else {
        (encoding, source)
    }
}

/// The encoding of a body that declares none.
fn detect(sample: &Sample) -> (&'static Encoding, CharsetSource) {
    if let Some(encoding) = sniff_utf16(sample.start) {
        (encoding, CharsetSource::Detected)
    } else if sample.is_ascii {
        (UTF_8, CharsetSource::Default)
    } else if sample.is_utf8 {
        // What chardetng would answer when UTF-8 is allowed, without
        // feeding it the whole body.
        (UTF_8, CharsetSource::Detected)
    } else {
        (detect_legacy(sample), CharsetSource::Detected)
    }
}

/// chardetng's guess among the legacy (non-UTF-8) encodings, from the
/// body's start and (in a big body, they can come later) the bytes from
/// its first that is not UTF-8, which tell the most.
fn detect_legacy(sample: &Sample) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(sample.start, false);
    detector.feed(sample.past_first_error, true);
    detector.guess(None, chardetng::Utf8Detection::Deny)
}

/// A [`Sample`] of a body read as a stream, owning its windows.
struct StreamSample {
    start: Vec<u8>,
    is_utf8: bool,
    is_ascii: bool,
    past_first_error: Vec<u8>,
}

impl StreamSample {
    /// Reads `reader` until the sample is whole: to its end for a body all
    /// UTF-8 (the common case: one fast pass), else until the window past
    /// its first error is full.
    fn read(mut reader: impl Read) -> io::Result<StreamSample> {
        let mut sample = StreamSample {
            start: Vec::new(),
            is_utf8: true,
            is_ascii: true,
            past_first_error: Vec::new(),
        };
        let mut chunk = vec![0; READ_CHUNK];
        // A character cut by the chunk's end, carried to the next.
        let mut carried: Vec<u8> = Vec::new();
        let mut offset: usize = 0;
        let mut window_from: Option<usize> = None;
        loop {
            let read = reader.read(&mut chunk)?;
            if read == 0 {
                sample.is_utf8 &= carried.is_empty();
                return Ok(sample);
            }
            let bytes = &chunk[..read];
            if sample.start.len() < DETECTION_WINDOW {
                let take = read.min(DETECTION_WINDOW - sample.start.len());
                sample.start.extend_from_slice(&bytes[..take]);
            }
            if sample.is_ascii {
                sample.is_ascii = bytes.is_ascii();
            }
            if let Some(from) = window_from {
                let skip = from.saturating_sub(offset).min(read);
                let room = DETECTION_WINDOW - sample.past_first_error.len();
                let end = read.min(skip + room);
                sample.past_first_error.extend_from_slice(&bytes[skip..end]);
                if sample.past_first_error.len() == DETECTION_WINDOW {
                    return Ok(sample);
                }
            } else if let Some(at) = first_error(bytes, offset, &mut carried) {
                sample.is_utf8 = false;
                let from = at.max(DETECTION_WINDOW);
                window_from = Some(from);
                let skip = from.saturating_sub(offset).min(read);
                let end = read.min(skip + DETECTION_WINDOW);
                sample.past_first_error.extend_from_slice(&bytes[skip..end]);
            }
            offset += read;
        }
    }

    fn as_sample(&self) -> Sample<'_> {
        Sample {
            start: &self.start,
            is_utf8: self.is_utf8,
            is_ascii: self.is_ascii,
            past_first_error: &self.past_first_error,
        }
    }
}

/// Where the first byte that is not UTF-8 lies in `bytes`, which start
/// at `offset` of the body, if it does (about: a character cut by the
/// chunk before counts from this chunk). `carried` holds the start of a
/// character the chunk before cut, and takes this chunk's.
fn first_error(bytes: &[u8], offset: usize, carried: &mut Vec<u8>) -> Option<usize> {
    let mut rest = bytes;
    if let Some(&lead) = carried.first() {
        let width: usize = match lead {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => return Some(offset),
        };
        let take = width.saturating_sub(carried.len()).min(rest.len());
        carried.extend_from_slice(&rest[..take]);
        rest = &rest[take..];
        if carried.len() < width {
            return None;
        }
        let whole = std::str::from_utf8(carried).is_ok();
        carried.clear();
        if !whole {
            return Some(offset);
        }
    }
    let rest_offset = offset + (bytes.len() - rest.len());
    match std::str::from_utf8(rest) {
        Ok(_) => None,
        Err(error) if error.error_len().is_none() => {
            carried.extend_from_slice(&rest[error.valid_up_to()..]);
            None
        }
        Err(error) => Some(rest_offset + error.valid_up_to()),
    }
}

/// How much of a streamed body is read at a time.
const READ_CHUNK: usize = 1 << 16;

/// A body too big to hold, decoded to UTF-8 text as it is read, with the
/// same choice of encoding as [`decode_feed`] makes (the body is read once
/// more for it). The XML declaration says `encoding="UTF-8"`, as there.
pub(crate) struct StreamDecoder<R> {
    reader: R,
    decoder: encoding_rs::Decoder,
    encoding: &'static Encoding,
    /// The byte order mark still to skip.
    bom_left: usize,
    chunk: Vec<u8>,
    started: bool,
    ended: bool,
}

impl<R: Read> StreamDecoder<R> {
    /// The decoder of the body `sampled` and then `reader` read from its
    /// start (two readers of the same bytes).
    pub(crate) fn new(
        sampled: impl Read,
        reader: R,
        content_type: Option<&str>,
    ) -> io::Result<StreamDecoder<R>> {
        let sample = StreamSample::read(sampled)?;
        let (encoding, _, bom_len) = choose_encoding_of(&sample.as_sample(), content_type);
        Ok(StreamDecoder {
            reader,
            decoder: encoding.new_decoder_without_bom_handling(),
            encoding,
            bom_left: bom_len,
            chunk: vec![0; READ_CHUNK],
            started: false,
            ended: false,
        })
    }

    /// The WHATWG name of the encoding the body is read in.
    pub(crate) fn encoding(&self) -> &'static str {
        self.encoding.name()
    }

    /// Appends the text of the next bytes of the body to `text`; `false`
    /// once the body has ended (nothing was appended).
    pub(crate) fn decode_more(&mut self, text: &mut String) -> io::Result<bool> {
        if self.ended {
            return Ok(false);
        }
        let read = self.reader.read(&mut self.chunk)?;
        let last = read == 0;
        let mut bytes = &self.chunk[..read];
        let skip = self.bom_left.min(bytes.len());
        bytes = &bytes[skip..];
        self.bom_left -= skip;
        let from = text.len();
        loop {
            let needed = self
                .decoder
                .max_utf8_buffer_length(bytes.len())
                .unwrap_or(bytes.len() * 3 + 16);
            text.reserve(needed);
            let (result, consumed, _) = self.decoder.decode_to_string(bytes, text, last);
            bytes = &bytes[consumed..];
            if result == encoding_rs::CoderResult::InputEmpty {
                break;
            }
        }
        if !self.started && (text.len() > from || last) {
            self.started = true;
            let rest = text.split_off(from);
            text.push_str(&rewrite_declared_encoding(rest));
        }
        self.ended = last;
        Ok(!last || text.len() > from)
    }
}

fn is_utf16(encoding: &'static Encoding) -> bool {
    encoding == UTF_16LE || encoding == UTF_16BE
}

/// UTF-16 without a byte order mark, recognised by its first two ASCII
/// characters (`<?`, `<r`, `{"`...) padded with zero bytes.
fn sniff_utf16(body: &[u8]) -> Option<&'static Encoding> {
    let ascii = |b: u8| b != 0 && b.is_ascii();
    match body {
        [a, 0, b, 0, ..] if ascii(*a) && ascii(*b) => Some(UTF_16LE),
        [0, a, 0, b, ..] if ascii(*a) && ascii(*b) => Some(UTF_16BE),
        _ => None,
    }
}

/// The `charset` parameter of a `Content-Type` value, without quotes.
fn header_charset(content_type: &str) -> Option<&str> {
    content_type
        .split(';')
        .skip(1)
        .find_map(|parameter| {
            let (name, value) = parameter.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| value.trim().trim_matches(['"', '\'']).trim())
        })
        .filter(|value| !value.is_empty())
}

/// The byte range of the `encoding` value of the first XML declaration in
/// `window` (which may come after whitespace or junk).
pub(super) fn declared_encoding(window: &[u8]) -> Option<(usize, usize)> {
    let start = find(window, b"<?xml")?;
    let mut at = start + b"<?xml".len();
    if skip_xml_space(window, at) == at {
        // `<?xml-stylesheet` and the like are other instructions.
        return None;
    }
    // Pseudo-attributes: name, `=`, a quoted value; whitespace around `=`.
    loop {
        at = skip_xml_space(window, at);
        let name_end = skip_while(window, at, |b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':' | b'.')
        });
        if name_end == at {
            return None;
        }
        let name = &window[at..name_end];
        at = skip_xml_space(window, name_end);
        if window.get(at) != Some(&b'=') {
            return None;
        }
        at = skip_xml_space(window, at + 1);
        if !matches!(window.get(at), Some(b'"' | b'\'')) {
            return None;
        }
        let value_end = closing_quote(window, at)?;
        if name == b"encoding" {
            return Some((at + 1, value_end));
        }
        at = value_end + 1;
    }
}

/// Makes the XML declaration of decoded text say `encoding="UTF-8"`. The
/// text is searched further than the body was, since decoding can make the
/// bytes before the declaration longer.
fn rewrite_declared_encoding(mut text: String) -> String {
    let window = &text.as_bytes()[..text.len().min(4 * PROLOG_WINDOW)];
    if let Some((start, end)) = declared_encoding(window)
        && !text[start..end].eq_ignore_ascii_case("UTF-8")
    {
        // The range is between two ASCII quotes: char boundaries.
        text.replace_range(start..end, "UTF-8");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streamed_sample_agrees_with_a_whole_one() {
        let chunk = READ_CHUNK;
        let cut_char = [vec![b'a'; chunk - 1], "é€😀".as_bytes().to_vec()].concat();
        let latin1_late = [
            vec![b'x'; DETECTION_WINDOW + 10],
            b"caf\xe9 na\xefve".to_vec(),
        ]
        .concat();
        let latin1_early = [b"<rss>caf\xe9".to_vec(), vec![b'y'; 3 * chunk]].concat();
        let cut_then_bad = [vec![b'b'; chunk - 1], b"\xc3\x28 rest".to_vec()].concat();
        let truncated = [vec![b'c'; 10], b"\xe2\x82".to_vec()].concat();
        for body in [cut_char, latin1_late, latin1_early, cut_then_bad, truncated] {
            let whole = Sample::of(&body);
            let streamed = StreamSample::read(body.as_slice()).unwrap();
            assert_eq!(streamed.is_utf8, whole.is_utf8);
            assert_eq!(streamed.is_ascii, whole.is_ascii);
            assert_eq!(streamed.start, whole.start);
            assert_eq!(streamed.past_first_error, whole.past_first_error);
        }
    }

    #[test]
    fn owned_decoding_agrees_with_borrowed() {
        for (body, header) in [
            (&b"<?xml version=\"1.0\"?><rss>caf\xc3\xa9</rss>"[..], None),
            (
                b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss>caf\xe9</rss>",
                None,
            ),
            (b"<rss>caf\xe9</rss>", Some("text/xml; charset=utf-8")),
            (b"\xef\xbb\xbf<rss>x</rss>", None),
        ] {
            let borrowed = decode_feed(body, header);
            let owned = decode_feed_owned(body.to_vec(), header);
            assert_eq!(owned, borrowed);
        }
    }

    const RSS: &str = "<rss version=\"2.0\"><channel><title>T</title></channel></rss>";

    #[test]
    fn utf8_bom_wins_and_is_dropped() {
        let body = [
            b"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>".as_slice(),
            "<rss>é</rss>".as_bytes(),
        ]
        .concat();
        let decoded = decode_feed(&body, Some("text/xml; charset=windows-1251"));
        assert_eq!(decoded.source, CharsetSource::Bom);
        assert_eq!(decoded.encoding, "UTF-8");
        assert_eq!(
            decoded.text,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss>é</rss>"
        );
        assert!(!decoded.had_errors);
    }

    #[test]
    fn utf16_with_bom() {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\"><channel><title>naïve — ok</title></channel></rss>";
        for (bom, little) in [([0xFF, 0xFE], true), ([0xFE, 0xFF], false)] {
            let mut body = bom.to_vec();
            for unit in text.encode_utf16() {
                body.extend(if little {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                });
            }
            let decoded = decode_feed(&body, None);
            assert_eq!(decoded.source, CharsetSource::Bom);
            assert_eq!(
                decoded.encoding,
                if little { "UTF-16LE" } else { "UTF-16BE" }
            );
            assert_eq!(
                decoded.text,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>naïve — ok</title></channel></rss>"
            );
            let feed = feed_rs::parser::parse(decoded.text.as_bytes());
            assert!(feed.is_ok(), "{feed:?}");
        }
    }

    #[test]
    fn utf16_without_bom_is_sniffed() {
        let body: Vec<u8> = "<rss>é</rss>"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let decoded = decode_feed(&body, None);
        assert_eq!(
            (decoded.encoding, decoded.source),
            ("UTF-16LE", CharsetSource::Detected)
        );
        assert_eq!(decoded.text, "<rss>é</rss>");
    }

    #[test]
    fn utf16_is_believed_only_of_bytes_that_are_utf16() {
        // Declared UTF-16 over UTF-8 bytes (the declaration was copied).
        let decoded = decode_feed(
            "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss>é</rss>".as_bytes(),
            None,
        );
        assert_eq!(
            (decoded.encoding, decoded.source),
            ("UTF-8", CharsetSource::XmlProlog)
        );
        assert!(decoded.text.ends_with("<rss>é</rss>"), "{}", decoded.text);
        // A UTF-16 header over UTF-16 bytes without a BOM.
        let body: Vec<u8> = "<rss>é</rss>"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let decoded = decode_feed(&body, Some("application/rss+xml; charset=utf-16le"));
        assert_eq!(decoded.source, CharsetSource::HttpHeader);
        assert_eq!(decoded.text, "<rss>é</rss>");
    }

    #[test]
    fn header_wins_over_prolog() {
        let body = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss>\xE9</rss>";
        let decoded = decode_feed(body, Some("application/rss+xml; charset=\"ISO-8859-7\""));
        assert_eq!(decoded.source, CharsetSource::HttpHeader);
        assert_eq!(decoded.encoding, "ISO-8859-7");
        assert!(decoded.text.contains("<rss>ι</rss>"), "{}", decoded.text);
    }

    #[test]
    fn prolog_is_used_without_a_header() {
        let body = b"\n  <?xml version='1.0' encoding = 'KOI8-R' ?><rss>\xC1</rss>";
        for content_type in [None, Some("text/xml"), Some("text/xml; charset=bogus")] {
            let decoded = decode_feed(body, content_type);
            assert_eq!(decoded.source, CharsetSource::XmlProlog);
            assert_eq!(decoded.encoding, "KOI8-R");
            assert_eq!(
                decoded.text,
                "\n  <?xml version='1.0' encoding = 'UTF-8' ?><rss>а</rss>"
            );
        }
    }

    #[test]
    fn wrong_utf8_declaration_is_detected() {
        // Declared, or undeclared (the XML default), UTF-8 over Latin-1 bytes.
        for body in [
            &b"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss><title>caf\xe9 cr\xe8me br\xfbl\xe9e</title></rss>"[..],
            b"<rss><title>caf\xe9 cr\xe8me br\xfbl\xe9e</title></rss>",
        ] {
            let decoded = decode_feed(body, None);
            assert_eq!(decoded.source, CharsetSource::Detected);
            assert_eq!(decoded.encoding, "windows-1252");
            assert!(decoded.text.contains("café crème brûlée"), "{}", decoded.text);
            assert!(!decoded.had_errors);
        }
        let decoded = decode_feed(b"<rss>caf\xe9</rss>", Some("text/xml; charset=utf-8"));
        assert_eq!(
            (decoded.encoding, decoded.source),
            ("windows-1252", CharsetSource::Detected)
        );
        assert_eq!(decoded.text, "<rss>café</rss>");
    }

    #[test]
    fn detection_sees_the_bytes_after_a_long_ascii_start() {
        // Russian in windows-1251, after 2 MB of ASCII, in a body that says
        // nothing of its encoding.
        let (russian, _, _) = encoding_rs::WINDOWS_1251
            .encode("<title>Привет, мир! Это новости для всех читателей.</title>");
        let mut body = b"<rss version=\"2.0\"><channel>".to_vec();
        body.extend(b"<item><title>ascii</title></item>".repeat(2_000_000 / 34));
        for _ in 0..5 {
            body.extend_from_slice(&russian);
        }
        body.extend_from_slice(b"</channel></rss>");
        let decoded = decode_feed(&body, None);
        assert_eq!(
            (decoded.encoding, decoded.source),
            ("windows-1251", CharsetSource::Detected)
        );
        assert!(decoded.text.contains("Привет, мир!"));
    }

    #[test]
    fn latin1_labels_are_windows_1252() {
        // 0x93/0x94 are curly quotes in windows-1252, controls in ISO-8859-1.
        for label in ["iso-8859-1", "latin1", "ISO_8859-1", "us-ascii"] {
            let body = format!("<?xml version=\"1.0\" encoding=\"{label}\"?><rss>");
            let body = [body.as_bytes(), b"\x93caf\xe9\x94</rss>"].concat();
            let decoded = decode_feed(&body, None);
            assert_eq!(
                (decoded.encoding, decoded.source),
                ("windows-1252", CharsetSource::XmlProlog)
            );
            assert!(
                decoded.text.ends_with("<rss>“café”</rss>"),
                "{}",
                decoded.text
            );
            assert!(decoded.text.contains("encoding=\"UTF-8\""));
        }
    }

    #[test]
    fn single_byte_declaration_over_utf8_is_utf8() {
        let body = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss>café</rss>";
        let decoded = decode_feed(body.as_bytes(), None);
        assert_eq!(
            (decoded.encoding, decoded.source),
            ("UTF-8", CharsetSource::Detected)
        );
        assert_eq!(decoded.text, body.replace("ISO-8859-1", "UTF-8"));
        // ASCII only: nothing contradicts the declaration.
        let decoded = decode_feed(
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss/>",
            None,
        );
        assert_eq!(
            (decoded.encoding, decoded.source),
            ("windows-1252", CharsetSource::XmlProlog)
        );
    }

    #[test]
    fn json_is_utf8() {
        let body = " {\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"Caf\u{e9}\", \"items\": []}";
        let decoded = decode_feed(body.as_bytes(), Some("application/feed+json"));
        assert_eq!(
            (decoded.encoding, decoded.source),
            ("UTF-8", CharsetSource::Default)
        );
        assert_eq!(decoded.text, body);
        let feed = feed_rs::parser::parse(decoded.text.as_bytes()).unwrap();
        assert_eq!(feed.title.unwrap().content, "Café");
    }

    #[test]
    fn prolog_is_rewritten_for_the_xml_parser() {
        let body = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<rss version=\"2.0\"><channel><title>caf\xe9</title></channel></rss>";
        let decoded = decode_feed(body, None);
        assert!(
            decoded
                .text
                .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        );
        let feed = feed_rs::parser::parse(decoded.text.as_bytes()).unwrap();
        assert_eq!(feed.title.unwrap().content, "café");
        // Junk before the declaration that grows when decoded.
        let body = [&[0xE9; 900][..], body].concat();
        let decoded = decode_feed(&body, None);
        assert_eq!(
            (decoded.encoding, decoded.source),
            ("windows-1252", CharsetSource::XmlProlog)
        );
        assert!(decoded.text[1800..].starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        // Without an encoding attribute, or not a declaration: unchanged.
        for text in [
            "<?xml version=\"1.0\"?><rss/>",
            "<?xml-stylesheet href=\"a.xsl\" encoding=\"x\"?><rss/>",
            RSS,
        ] {
            assert_eq!(decode_feed(text.as_bytes(), None).text, text);
        }
    }

    #[test]
    fn undecodable_bytes_are_replaced() {
        let decoded = decode_feed(b"<rss>\x82</rss>", Some("text/xml; charset=Shift_JIS"));
        assert_eq!(decoded.encoding, "Shift_JIS");
        assert!(decoded.had_errors);
        assert!(decoded.text.contains('\u{FFFD}'));
    }

    #[test]
    fn empty_and_odd_inputs() {
        let decoded = decode_feed(b"", None);
        assert_eq!(decoded.text, "");
        assert_eq!(
            (decoded.encoding, decoded.source),
            ("UTF-8", CharsetSource::Default)
        );
        assert!(!decoded.had_errors);
        // ASCII that starts a declaration or a JSON document and stops:
        // UTF-8 by default, the text as it came (an empty `encoding` is a
        // declaration like any other, and says UTF-8 once decoded).
        for (body, text) in [
            ("\x00", "\x00"),
            ("<?xml", "<?xml"),
            ("<?xml encoding=", "<?xml encoding="),
            (
                "<?xml version=\"1.0\" encoding=\"",
                "<?xml version=\"1.0\" encoding=\"",
            ),
            (
                "<?xml version=\"1.0\" encoding=\"\"?>",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            ),
            ("{", "{"),
        ] {
            let decoded = decode_feed(body.as_bytes(), None);
            assert_eq!(
                (decoded.text.as_str(), decoded.encoding, decoded.source),
                (text, "UTF-8", CharsetSource::Default),
                "{body:?}"
            );
        }
        // A byte order mark cut short is no byte order mark: its bytes are
        // text in the single-byte encoding detection picks, one character
        // each.
        for body in [&b"\xEF\xBB"[..], b"\xFF"] {
            let decoded = decode_feed(body, None);
            assert_eq!(decoded.source, CharsetSource::Detected, "{body:?}");
            assert!(
                Encoding::for_label(decoded.encoding.as_bytes())
                    .is_some_and(Encoding::is_single_byte),
                "{body:?}: {}",
                decoded.encoding
            );
            assert_eq!(decoded.text.chars().count(), body.len(), "{body:?}");
            assert!(!decoded.had_errors);
        }
        // A UTF-16 declaration over ASCII bytes cannot be right.
        let decoded = decode_feed(b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss/>", None);
        assert_eq!(
            (decoded.encoding, decoded.source),
            ("UTF-8", CharsetSource::XmlProlog)
        );
        assert_eq!(
            decoded.text,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss/>"
        );
        // A header without a usable charset changes nothing.
        for body in [
            &b"\xEF\xBB"[..],
            b"\xFF",
            b"\x00",
            b"<?xml",
            b"<?xml encoding=",
            b"<?xml version=\"1.0\" encoding=\"",
            b"<?xml version=\"1.0\" encoding=\"\"?>",
            b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss/>",
            b"{",
        ] {
            let plain = decode_feed(body, None);
            for content_type in ["", ";", "text/xml; charset", "text/xml; charset=\"\""] {
                assert_eq!(
                    decode_feed(body, Some(content_type)),
                    plain,
                    "{body:?} with {content_type:?}"
                );
            }
        }
        // Nor does a UTF-16 label over ASCII bytes.
        let decoded = decode_feed(RSS.as_bytes(), Some("text/xml; charset=utf-16"));
        assert_eq!(decoded.text, RSS);
        assert_eq!(decoded, decode_feed(RSS.as_bytes(), None));
    }

    #[test]
    fn random_bytes_do_not_panic() {
        const PIECES: &[&[u8]] = &[
            b"\xEF",
            b"\xBB",
            b"\xBF",
            b"\xFE",
            b"\xFF",
            b"\x00",
            b"<",
            b"?xml",
            b" ",
            b"<?xml ",
            b"encoding",
            b"=",
            b"\"",
            b"'",
            b"utf-16",
            b"latin1",
            b"?>",
            b"{",
            b"\xE9",
            b"\xC3\xA9",
            b"\xE6\x97",
            b"<rss>",
        ];
        let types = [
            None,
            Some("text/xml; charset=utf-8"),
            Some("a;charset=\"utf-16be\""),
            Some(";;="),
        ];
        // Two soups in three start with a declaration, so that its
        // rewriting is put to the test too.
        let declarations: [&[u8]; 3] = [
            b"",
            b"<?xml version=\"1.0\" encoding=\"latin1\"?>",
            b"\n<?xml version='1.0' encoding='utf-16'?>",
        ];
        let soups = super::super::soups(0x9E37_79B9_7F4A_7C15, 3000, 5, PIECES);
        let mut declared = 0;
        for (round, soup) in soups.iter().enumerate() {
            let body = [declarations[round % declarations.len()], soup].concat();
            let content_type = types[round % types.len()];
            let decoded = decode_feed(&body, content_type);
            if !decoded.had_errors && decoded.source != CharsetSource::Detected {
                assert!(!decoded.text.contains('\u{FFFD}'), "{body:?}");
            }
            // Bytes that could not be decoded became U+FFFD.
            if decoded.had_errors {
                assert!(decoded.text.contains('\u{FFFD}'), "{body:?}");
            }
            // A declaration where the XML parser looks says UTF-8: the text
            // is not decoded a second time.
            let window = &decoded.text.as_bytes()[..decoded.text.len().min(4 * PROLOG_WINDOW)];
            if let Some((start, end)) = declared_encoding(window) {
                declared += 1;
                assert!(
                    decoded.text[start..end].eq_ignore_ascii_case("UTF-8"),
                    "{body:?}: {}",
                    decoded.text
                );
            }
            assert_eq!(
                decode_feed_owned(body.clone(), content_type),
                decoded,
                "{body:?}"
            );
        }
        assert!(declared >= soups.len() / 2, "{declared} declarations seen");
    }

    /// Every corpus file decodes; where feedparser read a file without
    /// complaint, we read it without U+FFFD.
    #[test]
    #[ignore = "needs the feed corpus (../shared/corpus or FEEDIMPORT_CORPUS): CI runs it with --ignored"]
    fn corpus_decodes() {
        let (files, oracle) = super::super::corpus_support::corpus();
        assert!(files.len() >= 200, "{} files", files.len());
        let mut checked = 0;
        let mut disagreements = Vec::new();
        for path in &files {
            let name = path.file_name().unwrap().to_string_lossy();
            let decoded = decode_feed(&std::fs::read(path).unwrap(), None);
            if let Some((start, end)) = declared_encoding(decoded.text.as_bytes()) {
                let declared = &decoded.text[start..end];
                assert!(declared.eq_ignore_ascii_case("UTF-8"), "{name}: {declared}");
            }
            let Some(reading) = oracle.get(name.as_ref()) else {
                continue;
            };
            let Some(theirs) = reading["encoding"].as_str() else {
                continue;
            };
            if decoded.encoding != "UTF-8" || decoded.source == CharsetSource::Bom {
                eprintln!(
                    "{name}: {} ({:?}); feedparser: {theirs}",
                    decoded.encoding, decoded.source
                );
            }
            // feedparser names ISO-8859-1 what the WHATWG reads as windows-1252.
            if Encoding::for_label(theirs.as_bytes()).map(Encoding::name) != Some(decoded.encoding)
            {
                disagreements.push(format!("{name}: {} vs {theirs}", decoded.encoding));
            }
            if reading["bozo"] == false {
                checked += 1;
                assert!(
                    !decoded.text.contains('\u{FFFD}'),
                    "{name}: read as {} ({:?}) has U+FFFD",
                    decoded.encoding,
                    decoded.source
                );
            }
        }
        eprintln!(
            "{} corpus files decoded, {checked} checked for U+FFFD, {} encodings unlike feedparser's",
            files.len(),
            disagreements.len()
        );
        assert!(disagreements.is_empty(), "{disagreements:#?}");
        assert!(checked > 100);
    }
}
