//! Pure functions on HTML fragments from feeds: reduce them to plain text, find
//! the first meaningful image.
//!
//! In: a string of HTML (or plain text) as a feed carries it. Out: plain text
//! with entities decoded, scripts and styles dropped, block elements turned
//! into spaces, whitespace collapsed and invisible or dangerous code points
//! removed. Nothing here can fail: broken HTML is read the way a browser's
//! tokenizer reads it.
//!
//! The text is read from html5ever's tokenizer as a stream, without building
//! a document: a tree builder looks up the stack of open elements at every
//! tag, which makes 100,000 nested `<div>` cost minutes. Here each token
//! costs the same whatever the nesting, and at most [`MAX_DEPTH`] open
//! elements are followed.

use std::cell::RefCell;

use html5ever::TokenizerResult;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use icu_properties::props::{
    CanonicalCombiningClass, DefaultIgnorableCodePoint, EmojiModifier, ExtendedPictographic,
    GeneralCategory, JoiningType, NoncharacterCodePoint, VariationSelector,
};
use icu_properties::{CodePointMapData, CodePointSetData};

use super::html_scan::start_tags;
use url::Url;

/// Elements whose content is never text a reader sees.
const SKIPPED: &[&str] = &[
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "title",
    "figcaption",
    "button",
    "select",
    "textarea",
];

/// Elements whose content the tokenizer reads as text up to their end tag
/// (the tree builder would switch it so; with the tokenizer alone, we do).
fn raw_kind(name: &str) -> Option<RawKind> {
    Some(match name {
        "script" => RawKind::ScriptData,
        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => RawKind::Rawtext,
        "title" | "textarea" => RawKind::Rcdata,
        _ => return None,
    })
}

/// Elements that never have content or an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements that separate words: their edges become spaces.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "img",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// How many open elements are followed. Deeper elements are read as if
/// they were not there: their text is kept, their end tags are ignored, and
/// a caption or widget that opens that deep is not skipped (scripts and
/// styles still are: the tokenizer reads them whole). Browsers stop
/// nesting at the same depth (WebKit and Blink's HTML parser: 512).
pub(crate) const MAX_DEPTH: usize = 512;

/// How many times text is read again while it still holds markup or
/// character references (`&amp;lt;p&amp;gt;`, `&amp;amp;#8217;`).
const MAX_DECODINGS: usize = 3;

/// Reads `html` as an HTML fragment and returns its visible text, cleaned
/// and with whitespace collapsed.
///
/// Markup escaped twice is still markup: when the text still holds a tag
/// or a character reference after one reading (`&amp;lt;p&amp;gt;Hi`,
/// `It&amp;#8217;s`, as broken CMS exports send), it is read again, up to
/// [`MAX_DECODINGS`] times. A `<` that opens no tag (`p<0.001`, `a < b`)
/// stays.
pub fn html_to_text(html: &str) -> String {
    let mut text = html_to_text_once(html);
    for _ in 0..MAX_DECODINGS {
        if reads_as_markup(&text) {
            text = html_to_text_once(&text);
        } else if has_entity(&text) {
            // Entities only: a `<` that opens nothing stays text.
            text = html_to_text_once(&text.replace('<', "&lt;"));
        } else {
            break;
        }
    }
    text
}

/// Reads text that its format declares plain (a JSON Feed's title and
/// summary: "plain text", JSON Feed 1.1). A `<` in it is a character,
/// never a tag: a post about `<i>` and `<b>` keeps them in its title. Character references are read, up to
/// [`MAX_DECODINGS`] times, as publishers escape such titles for HTML all
/// the same (WordPress writes `&#8217;` and `&amp;` into them).
pub(crate) fn declared_plain_text(text: &str) -> String {
    let mut text = plain_text(text);
    for _ in 0..MAX_DECODINGS {
        if !has_entity(&text) {
            break;
        }
        text = html_to_text_once(&text.replace('<', "&lt;"));
    }
    text
}

/// True when `text` holds what a browser reads as a tag or a comment: `<`
/// then a letter, `/` and a letter, `!` or `?`, with a `>` after it. `a < b`,
/// `p<0.001` and a lone `<b` are text.
pub(crate) fn reads_as_markup(text: &str) -> bool {
    let bytes = text.as_bytes();
    let Some(last_close) = memchr::memrchr(b'>', bytes) else {
        return false;
    };
    memchr::memchr_iter(b'<', &bytes[..last_close]).any(|at| match bytes.get(at + 1) {
        Some(b) if b.is_ascii_alphabetic() || matches!(b, b'!' | b'?') => true,
        Some(b'/') => bytes.get(at + 2).is_some_and(u8::is_ascii_alphabetic),
        _ => false,
    })
}

/// True when `text` still holds something that reads as a character
/// reference: `&#8217;`, `&#x2019;`, `&eacute;`.
fn has_entity(text: &str) -> bool {
    text.match_indices('&')
        .any(|(i, _)| crate::util::escape::starts_reference(&text[i + 1..]))
}

/// Elements whose class marks them as sharing or related-posts widgets.
const SKIPPED_CLASSES: &[&str] = &[
    "feedflare",
    "sharedaddy",
    "jp-relatedposts",
    "addtoany_share_save_container",
    "yarpp-related",
];

fn html_to_text_once(html: &str) -> String {
    if !html.contains(['<', '&']) {
        return plain_text(html);
    }
    let reader = TextReader::default();
    reader.text.borrow_mut().reserve(html.len());
    let tokenizer = Tokenizer::new(reader, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(html.into());
    // The sink never asks to pause for a script: `feed` runs to the end.
    while let TokenizerResult::Script(()) = tokenizer.feed(&input) {}
    tokenizer.end();
    let raw = tokenizer.sink.text.take();
    plain_text(&raw)
}

/// Collects the visible text of a token stream.
#[derive(Default)]
struct TextReader {
    text: RefCell<String>,
    state: RefCell<Nesting>,
}

/// The open elements that matter for skipping, as far as [`MAX_DEPTH`].
#[derive(Default)]
struct Nesting {
    /// Names of the open elements, outermost first.
    open: Vec<html5ever::LocalName>,
    /// The depth of the element being skipped (a caption, a widget), when
    /// one is open: its content is not text.
    skipped_from: Option<usize>,
    /// Inside a script, style or other element the tokenizer reads whole,
    /// which ends at the next end tag.
    in_raw_text: bool,
}

impl Nesting {
    fn skipping(&self) -> bool {
        self.in_raw_text || self.skipped_from.is_some()
    }

    /// Closes the innermost open `name` and whatever is open inside it, as
    /// an end tag does in a browser; an end tag with no open element of its
    /// name is ignored. The search stops at [`MAX_DEPTH`] entries, so a
    /// stray end tag costs at most that.
    fn close(&mut self, name: &str) {
        if let Some(at) = self.open.iter().rposition(|open| &**open == name) {
            self.open.truncate(at);
            if self.skipped_from.is_some_and(|from| from >= at) {
                self.skipped_from = None;
            }
        }
    }
}

/// Start tags that end an open `<p>` (the HTML rule for a paragraph's
/// implied end, for the elements feeds use).
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "div",
    "dl",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
];

impl TokenSink for TextReader {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut state = self.state.borrow_mut();
        match token {
            Token::CharacterTokens(text) if !state.skipping() => {
                self.text.borrow_mut().push_str(&text);
            }
            Token::TagToken(tag) => return self.tag(&mut state, tag),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

impl TextReader {
    fn tag(&self, state: &mut Nesting, tag: Tag) -> TokenSinkResult<()> {
        let name: &str = &tag.name;
        if tag.kind == TagKind::EndTag {
            if state.in_raw_text {
                // The tokenizer leaves raw text only at its own end tag.
                state.in_raw_text = false;
                return TokenSinkResult::Continue;
            }
            state.close(name);
            if BLOCKS.contains(&name) && !state.skipping() {
                self.text.borrow_mut().push(' ');
            }
            return TokenSinkResult::Continue;
        }
        if name == "p" || CLOSES_P.contains(&name) {
            // Only a `<p>` still open at the top: looking deeper would cost
            // the nesting at every tag.
            if state.open.last().is_some_and(|open| &**open == "p") {
                state.close("p");
            }
        } else if matches!(name, "li" | "dt" | "dd" | "option")
            && state.open.last().is_some_and(|open| &**open == name)
        {
            state.close(name);
        }
        if BLOCKS.contains(&name) && !state.skipping() {
            self.text.borrow_mut().push(' ');
        }
        if let Some(kind) = raw_kind(name) {
            // `<style/>` is not empty in HTML: its text runs to `</style>`.
            state.in_raw_text = true;
            return TokenSinkResult::RawData(kind);
        }
        if name == "plaintext" {
            // Everything after it is text, as in a browser.
            return TokenSinkResult::Plaintext;
        }
        // `<svg/>` and `<math/>` are empty; `<div/>` is not, in HTML.
        let empty = VOID.contains(&name) || (tag.self_closing && matches!(name, "svg" | "math"));
        if empty || state.open.len() >= MAX_DEPTH {
            return TokenSinkResult::Continue;
        }
        let widget = tag.attrs.iter().any(|a| {
            &*a.name.local == "class"
                && a.value
                    .split_ascii_whitespace()
                    .any(|c| SKIPPED_CLASSES.contains(&c))
        });
        if state.skipped_from.is_none() && (widget || SKIPPED.contains(&name)) {
            state.skipped_from = Some(state.open.len());
        }
        state.open.push(tag.name);
        TokenSinkResult::Continue
    }
}

/// Cleans text that is already plain: mends mojibake (see
/// [`crate::util::mojibake`]), drops control, format and
/// default-ignorable characters (see [`is_invisible`]), turns line and
/// paragraph separators into spaces and collapses whitespace.
pub(crate) fn plain_text(text: &str) -> String {
    // Text garbled on its way (UTF-8 read as Latin-1 or windows-1252) is
    // mended first, while its bytes can still be read back.
    let mended = crate::util::mojibake::mend(text);
    let text = mended.as_ref();
    let mut out = String::with_capacity(text.len());
    // The space a run of whitespace becomes: one no-break space alone
    // between two words stays itself (French writes one before `:`, `;`,
    // `!`, `?` and inside « »; `10 000`), any other run is one space.
    let mut pending: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() || is_separator(c) {
            pending = match pending {
                None if is_no_break_space(c) => Some(c),
                _ => Some(' '),
            };
        } else if is_invisible(c)
            && !needed_here(
                c,
                out.chars().next_back().filter(|_| pending.is_none()),
                chars.peek(),
            )
        {
            continue;
        } else {
            if let Some(space) = pending.take()
                && !out.is_empty()
            {
                out.push(space);
            }
            out.push(c);
        }
    }
    out
}

/// The spaces that keep their neighbours on one line: no-break (U+00A0),
/// narrow no-break (U+202F, French's thin space before `;` `!` `?`) and
/// figure space (U+2007).
fn is_no_break_space(c: char) -> bool {
    matches!(c, '\u{a0}' | '\u{202f}' | '\u{2007}')
}

fn is_separator(c: char) -> bool {
    matches!(c, '\u{0085}' | '\u{2028}' | '\u{2029}')
}

/// Characters that draw nothing and can make text read differently from
/// what it is: controls (Cc), format characters (Cf: bidi overrides and
/// isolates, zero-width spaces, soft hyphens, invisible operators, tag
/// characters, interlinear annotations…), every other default-ignorable
/// code point (Hangul fillers, variation selectors, U+180E…) and
/// noncharacters. Read from the Unicode properties, not from a list, so
/// that new ones are covered as Unicode adds them.
fn is_invisible(c: char) -> bool {
    // Most text is Latin: below U+0300 the only format or default-ignorable
    // character is the soft hyphen, and there is no noncharacter, so the
    // Unicode tables are looked up only above it.
    if c < '\u{0300}' {
        return c.is_control() || c == '\u{AD}';
    }
    c.is_control()
        || CodePointMapData::<GeneralCategory>::new().get(c) == GeneralCategory::Format
        || CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
        || CodePointSetData::new::<NoncharacterCodePoint>().contains(c)
}

/// The invisible characters a language needs, kept where they do their
/// work (`before` is the last character kept, `after` the next one read):
/// - a variation selector right after the character it selects a form of
///   (U+FE0F after ❤ asks for the emoji; ideographic and Mongolian
///   selectors after their letter);
/// - ZWJ (U+200D) between two emoji, which makes one of them (👩‍💻), and
///   ZWJ or ZWNJ (U+200C) after a virama, which chooses the conjunct form
///   in Indic scripts (RFC 5892, appendix A.1 and A.2);
/// - ZWNJ between two letters that would otherwise join, in Arabic-script
///   languages (Persian `می‌خواهم`): the left one joins to the left (or
///   both sides), the right one to the right (or both sides), as RFC 5892
///   appendix A.1 allows.
///
/// Tag characters (U+E0020–E007F) are not kept, even in emoji flags of
/// subdivisions: they can spell hidden text, and the flag still shows.
fn needed_here(c: char, before: Option<char>, after: Option<&char>) -> bool {
    let Some(before) = before else {
        return false;
    };
    let is_emoji = |c: char| {
        CodePointSetData::new::<ExtendedPictographic>().contains(c)
            || CodePointSetData::new::<EmojiModifier>().contains(c)
    };
    let after_virama = || {
        CodePointMapData::<CanonicalCombiningClass>::new().get(before)
            == CanonicalCombiningClass::Virama
    };
    let joining = |c: char| CodePointMapData::<JoiningType>::new().get(c);
    match c {
        '\u{200D}' => {
            after_virama()
                || ((is_emoji(before) || before == '\u{FE0F}')
                    && after.is_some_and(|&a| is_emoji(a)))
        }
        '\u{200C}' => {
            after_virama()
                || (matches!(
                    joining(before),
                    JoiningType::LeftJoining | JoiningType::DualJoining
                ) && after.is_some_and(|&a| {
                    matches!(
                        joining(a),
                        JoiningType::RightJoining | JoiningType::DualJoining
                    )
                }))
        }
        c if CodePointSetData::new::<VariationSelector>().contains(c) => {
            !before.is_whitespace()
                && !is_invisible(before)
                && !CodePointSetData::new::<VariationSelector>().contains(before)
        }
        _ => false,
    }
}

/// Whether `html` has `<img` in any case of letters.
fn has_img_tag(html: &[u8]) -> bool {
    memchr::memchr_iter(b'<', html)
        .any(|at| crate::util::bytes::starts_with_ignore_ascii_case(&html[at..], b"<img"))
}

/// The first `<img>` in `html` worth showing on an article card, made
/// absolute against `base`. Skips tracking pixels (by their address or
/// their size), hidden images, emoji, gravatars and feed "flare" buttons.
pub(crate) fn first_image(html: &str, base: Option<&Url>) -> Option<Url> {
    // Most contents hold no image: one search rules them out, in any case
    // (`<img`, `<IMG`, `<Img`).
    if !has_img_tag(html.as_bytes()) {
        return None;
    }
    start_tags(html)
        .filter(|tag| tag.is("img"))
        .filter(|tag| {
            !is_tiny(tag.attr("width").as_deref())
                && !is_tiny(tag.attr("height").as_deref())
                && tag.attr("hidden").is_none()
                && !is_hidden_style(tag.attr("style").as_deref().unwrap_or_default())
        })
        .filter_map(|tag| absolute_http_url(&tag.attr("src")?, base))
        .find(|url| !is_decoration(url))
}

/// A width or height of at most 2 pixels: a tracking pixel or a spacer.
pub(crate) fn is_tiny(dimension: Option<&str>) -> bool {
    dimension
        .and_then(|d| d.trim().trim_end_matches("px").trim().parse::<u32>().ok())
        .is_some_and(|d| d <= 2)
}

/// An inline style that hides the image or shrinks it to a pixel or two:
/// `display:none`, `visibility:hidden`, `width:1px`, `height:0`.
fn is_hidden_style(style: &str) -> bool {
    let style = style.to_ascii_lowercase();
    style.split(';').any(|declaration| {
        let Some((property, value)) = declaration.split_once(':') else {
            return false;
        };
        let value = value.trim().trim_end_matches("!important").trim();
        match property.trim() {
            "display" => value == "none",
            "visibility" => value == "hidden",
            "width" | "height" | "max-width" | "max-height" => is_tiny(Some(value)),
            _ => false,
        }
    })
}

/// Images that are not about the article: tracking pixels, emoji,
/// smileys, gravatars and feed buttons.
pub(crate) fn is_decoration(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let path = url.path();
    is_tracker(url)
        || is_button(url)
        || host.ends_with("gravatar.com")
        || host.starts_with("feedads.")
        || path.contains("/images/core/emoji/")
        || path.contains("/wp-includes/images/smilies/")
}

/// Words of a file name that name a share, comment or subscribe button
/// (`sharethis.png`, `addtoany-share_save.png`, `slashdot-it.pl`).
const BUTTON_WORDS: &[&str] = &[
    "share",
    "sharer",
    "sharethis",
    "addtoany",
    "addthis",
    "shareaholic",
    "subscribe",
    "bookmark",
    "digg",
    "slashdot",
    "delicious",
    "stumbleupon",
];

/// A button a feed puts beside its items, not a picture of the article:
/// the services that decorate feeds (WordPress.com's comment and share
/// buttons), a share, comment or subscribe endpoint named in the file,
/// and a CGI script that answers with a button rather than a picture (a
/// `.pl` or `.cgi` whose name and query name no image:
/// `slashdot-it.pl?op=image`). PHP, ASP and JSP scripts serve many sites'
/// photographs (`timthumb.php?src=a.jpg`, `getfile.php?id=12`): they are
/// judged by their name alone.
fn is_button(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let path = url.path().to_ascii_lowercase();
    let file = path.rsplit('/').next().unwrap_or_default();
    let (stem, extension) = file.rsplit_once('.').unwrap_or((file, ""));
    let named_button = stem
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| BUTTON_WORDS.contains(&word));
    let script = matches!(extension, "pl" | "cgi");
    let names_an_image = |text: &str| {
        let text = text.to_ascii_lowercase();
        [".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"]
            .iter()
            .any(|e| text.contains(e))
            || [
                "image", "img", "thumb", "photo", "picture", "resize", "media",
            ]
            .iter()
            .any(|w| stem.contains(w))
    };
    host == "feeds.wordpress.com"
        || named_button
        || (script && !names_an_image(url.query().unwrap_or_default()))
}

/// Host names whose first label says they count visits, not show images.
/// (`stat.` is not one: it is as often short for "static", a site's photo
/// server.)
const TRACKING_HOST_LABELS: &[&str] = &[
    "stats",
    "pixel",
    "pixels",
    "track",
    "tracking",
    "tracker",
    "analytics",
    "beacon",
    "counter",
    "count",
];

/// Words that name a counting image in its file name (`beacon.gif`,
/// `count.gif`, `pixel.gif`, `1x1.gif`, `spacer.gif`).
const TRACKING_FILE_WORDS: &[&str] = &[
    "beacon",
    "count",
    "counter",
    "pixel",
    "track",
    "tracker",
    "tracking",
    "1x1",
    "spacer",
    "blank",
    "transparent",
    "clear",
];

/// The address of a tracking pixel, judged by its shape rather than by a
/// list of services: an analytics script (Matomo or Piwik: `matomo.php`,
/// `piwik.php`, any `idsite=` query), a counting host (`stats.`, `pixel.`,
/// `track.`, `analytics.`…), a counting file (`__utm.gif`, `beacon.gif`,
/// `count.gif`, a `.gif` or script named after a counter), Medium's
/// `/_/stat`, FeedBurner's and FeedsPortal's counters and flare (`/~r/…`,
/// `/~ff/…`).
pub(crate) fn is_tracker(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let path = url.path().to_ascii_lowercase();
    let first_label = host.split('.').next().unwrap_or_default();
    let file = path.rsplit('/').next().unwrap_or_default();
    let (stem, extension) = file.rsplit_once('.').unwrap_or((file, ""));
    // Words of the file name: `feed-count_2.gif` → feed, count, 2.
    let counting_file = || {
        matches!(extension, "gif" | "php" | "")
            && stem
                .split(|c: char| !c.is_ascii_alphanumeric())
                .any(|word| TRACKING_FILE_WORDS.contains(&word))
    };
    // A photograph on a counting host is a photograph: pixels are GIFs,
    // PNGs and scripts.
    let photo = matches!(extension, "jpg" | "jpeg" | "webp" | "avif");
    (TRACKING_HOST_LABELS.contains(&first_label) && !photo)
        || host.split('.').any(|label| label == "feedsportal")
        || host.starts_with("feeds.feedburner.")
        || path.contains("/~r/")
        || path.contains("/~ff/")
        || path.ends_with("/_/stat")
        || stem == "__utm"
        || (matches!(stem, "matomo" | "piwik") && matches!(extension, "php" | "js" | "gif"))
        || url
            .query_pairs()
            .any(|(key, _)| key.eq_ignore_ascii_case("idsite"))
        || counting_file()
}

/// The image a publisher chose for previews of its page, from the page's
/// `<head>`: `og:image`, then `twitter:image`, then `<link rel="image_src">`;
/// made absolute against `page_url`, http(s) only.
pub fn preview_image(head_html: &str, page_url: &Url) -> Option<Url> {
    let mut twitter = None;
    let mut image_src = None;
    for tag in start_tags(head_html) {
        if tag.is("meta") {
            let key = tag.attr("property").or_else(|| tag.attr("name"));
            let Some(key) = key.map(|k| k.trim().to_ascii_lowercase()) else {
                continue;
            };
            // A preview image that is a tracking pixel is not one.
            let url = || {
                tag.attr("content")
                    .and_then(|c| absolute_http_url(&c, Some(page_url)))
                    .filter(|url| !is_tracker(url))
            };
            match key.as_str() {
                "og:image" | "og:image:url" | "og:image:secure_url" => {
                    if let Some(url) = url() {
                        return Some(url);
                    }
                }
                "twitter:image" | "twitter:image:src" if twitter.is_none() => twitter = url(),
                _ => {}
            }
        } else if tag.is("link") && image_src.is_none() {
            let is_image_src = tag.attr("rel").is_some_and(|r| {
                r.split_ascii_whitespace()
                    .any(|t| t.eq_ignore_ascii_case("image_src"))
            });
            if is_image_src {
                image_src = tag
                    .attr("href")
                    .and_then(|h| absolute_http_url(&h, Some(page_url)))
                    .filter(|url| !is_tracker(url));
            }
        } else if tag.is("body") {
            break;
        }
    }
    twitter.or(image_src)
}

/// Parses `href` (absolute, or relative to `base`) and keeps it only when it
/// is an http or https URL.
pub(crate) fn absolute_http_url(href: &str, base: Option<&Url>) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let url = match Url::parse(href) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(href).ok()?,
        Err(_) => return None,
    };
    matches!(url.scheme(), "http" | "https")
        .then_some(url)
        .filter(|u| u.host_str().is_some_and(|h| !h.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_tags_and_decodes_entities() {
        assert_eq!(
            html_to_text("<p>Caf&eacute; &amp; <b>cr&egrave;me</b></p><p>Next</p>"),
            "Café & crème Next"
        );
    }

    #[test]
    fn script_and_style_vanish_with_their_content() {
        assert_eq!(
            html_to_text("A<script>alert('x')</script> B<style>p{}</style> C"),
            "A B C"
        );
        // Escaped once more, a script is still a script.
        assert_eq!(html_to_text("A &lt;script&gt;x&lt;/script&gt;B"), "A B");
        assert_eq!(html_to_text("<script>never closed"), "");
        assert_eq!(html_to_text("<style/>x</style>y"), "y");
    }

    #[test]
    fn blocks_separate_words() {
        assert_eq!(
            html_to_text("one<br>two<div>three</div>four"),
            "one two three four"
        );
        assert_eq!(html_to_text("in<b>line</b>"), "inline");
    }

    #[test]
    fn double_escaped_entities_are_decoded() {
        assert_eq!(html_to_text("It&amp;#8217;s &amp;amp; more"), "It’s & more");
        assert_eq!(html_to_text("caf&amp;eacute;"), "café");
        assert_eq!(html_to_text("AT&amp;T; R&amp;D"), "AT&T; R&D");
        // A `<` that opens no tag stays, however it was escaped.
        assert_eq!(
            html_to_text("p&amp;lt;0.001 &amp;amp; a &amp;lt; b"),
            "p<0.001 & a < b"
        );
    }

    #[test]
    fn markup_escaped_twice_is_still_markup() {
        // `&amp;lt;p&amp;gt;` in the XML: `&lt;p&gt;` here, `<p>` once read.
        assert_eq!(html_to_text("&lt;p&gt;Hello&lt;/p&gt;"), "Hello");
        assert_eq!(
            html_to_text("&lt;b onmouseover=alert(1)&gt;hi&lt;/b&gt;"),
            "hi"
        );
        assert_eq!(html_to_text("&#60;b&#62;bold&#60;/b&#62;"), "bold");
        assert_eq!(html_to_text("&#x3C;i&#x3E;x&#x3C;/i&#x3E;"), "x");
        assert_eq!(
            html_to_text("&lt;script&gt;alert(2)&lt;/script&gt;Title"),
            "Title"
        );
        // Three times: read three times.
        assert_eq!(
            html_to_text("&amp;lt;p&amp;gt;Deep&amp;lt;/p&amp;gt;"),
            "Deep"
        );
        assert_eq!(html_to_text("&lt;!-- hidden --&gt;shown"), "shown");
        // Text that only mentions a comparison is not markup.
        assert_eq!(html_to_text("p&lt;0.001 &amp; x&gt;1"), "p<0.001 & x>1");
        assert!(!reads_as_markup("a < b > c, p<0.001, x <3 >"));
        assert!(!reads_as_markup("<b without end"));
        assert!(reads_as_markup("x <b>"));
        assert!(reads_as_markup("</p> >"));
        assert!(reads_as_markup("<!-- c -->"));
        assert!(reads_as_markup("<?php ?>"));
    }

    /// 100,000 nested elements: read in one pass (this took minutes when a
    /// tree was built), the text at the bottom kept.
    #[test]
    fn deep_nesting_is_read_whole() {
        for (open, close, text) in [
            ("<div>", "</div>", "deep text after"),
            ("<b>", "</b>", "deep textafter"),
            ("<p><span>", "", "deep textafter"),
            ("<table><tr><td>", "</td></tr></table>", "deep text after"),
        ] {
            let html = format!(
                "{}deep text{}after",
                open.repeat(100_000),
                close.repeat(100_000)
            );
            assert_eq!(html_to_text(&html), text, "{open}");
        }
    }

    /// Beyond [`MAX_DEPTH`] open elements, elements are not followed: their
    /// text is read, their end tags close nothing that is followed.
    #[test]
    fn the_depth_limit_keeps_the_elements_within_it() {
        let deep = |n: usize, inner: &str| {
            format!(
                "<figure><figcaption>{}{inner}{}caption</figcaption>after</figure>",
                "<span>".repeat(n),
                "</span>".repeat(n)
            )
        };
        // Within the limit and beyond it, the caption is still skipped and
        // ends where it ends.
        assert_eq!(html_to_text(&deep(10, "x")), "after");
        assert_eq!(html_to_text(&deep(MAX_DEPTH * 4, "x")), "after");
        // A caption that opens deeper than the limit is not followed: its
        // text is read.
        let html = format!(
            "{}<figcaption>deep caption</figcaption>{}",
            "<div>".repeat(MAX_DEPTH),
            "</div>".repeat(MAX_DEPTH)
        );
        assert_eq!(html_to_text(&html), "deep caption");
        // A script still vanishes at any depth.
        let html = format!("{}<script>x()</script>text", "<div>".repeat(MAX_DEPTH * 2));
        assert_eq!(html_to_text(&html), "text");
    }

    #[test]
    fn a_closing_ancestor_ends_a_skipped_element() {
        assert_eq!(
            html_to_text("<div><figure><figcaption>cap</figure> text</div>"),
            "text"
        );
        assert_eq!(
            html_to_text("<p>one<p>two<div>three</div>"),
            "one two three"
        );
        assert_eq!(html_to_text("<ul><li>a<li>b</ul>c"), "a b c");
        assert_eq!(html_to_text("<svg/>kept <math/>too"), "kept too");
    }

    #[test]
    fn sharing_widgets_are_not_text() {
        assert_eq!(
            html_to_text(
                r#"<p>Story.</p><div class="feedflare"><a href="x">Digg it</a></div><div class="sharedaddy sd-sharing"><h3>Share this:</h3></div>"#
            ),
            "Story."
        );
    }

    #[test]
    fn less_than_in_text_survives() {
        assert_eq!(
            html_to_text("p<0.001 and p &lt; 0.05"),
            "p<0.001 and p < 0.05"
        );
    }

    #[test]
    fn invisible_and_separator_characters_are_removed() {
        assert_eq!(
            plain_text("a\u{202E}b\u{200B}c\u{2028}d\u{0007}e\u{FEFF}"),
            "abc de"
        );
        assert_eq!(plain_text("  many \n\t spaces\u{a0} "), "many spaces");
        // French typography keeps its no-break spaces between words; a run
        // of spaces, no-break or not, is one plain space.
        assert_eq!(
            plain_text("Vaccination\u{a0}: « oui\u{202f}» ; 10\u{a0}000\u{202f}€ !"),
            "Vaccination\u{a0}: « oui\u{202f}» ; 10\u{a0}000\u{202f}€ !"
        );
        assert_eq!(plain_text("a\u{a0}\u{a0}b c \u{a0}d"), "a b c d");
    }

    /// Every format and default-ignorable character goes, by property: the
    /// soft hyphen, the Arabic letter mark, the Mongolian vowel separator,
    /// the deprecated format characters, interlinear annotation, musical
    /// beams, tag characters, Hangul fillers.
    #[test]
    fn format_and_default_ignorable_characters_are_removed() {
        let invisible = [
            '\u{00AD}',
            '\u{034F}',
            '\u{061C}',
            '\u{115F}',
            '\u{180E}',
            '\u{200B}',
            '\u{2060}',
            '\u{2064}',
            '\u{206A}',
            '\u{206F}',
            '\u{3164}',
            '\u{FFA0}',
            '\u{FFF9}',
            '\u{FFFB}',
            '\u{1BCA0}',
            '\u{1D173}',
            '\u{1D17A}',
            '\u{E0000}',
            '\u{E0001}',
            '\u{E0041}',
            '\u{E007F}',
            '\u{E0FFF}',
            '\u{FDD0}',
            '\u{10FFFF}',
        ];
        for c in invisible {
            assert_eq!(plain_text(&format!("a{c}b")), "ab", "U+{:04X}", c as u32);
            assert_eq!(plain_text(&format!("{c}")), "", "U+{:04X}", c as u32);
        }
        // Hidden text spelled in tag characters vanishes whole.
        let hidden: String = "ignore this"
            .chars()
            .map(|c| char::from_u32(0xE0000 + c as u32).unwrap())
            .collect();
        assert_eq!(plain_text(&format!("Title{hidden}")), "Title");
        // Subdivision flag: the black flag stays, its tag letters go.
        assert_eq!(
            plain_text("\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}"),
            "\u{1F3F4}"
        );
    }

    /// What a language needs stays: emoji sequences, Persian and Indic
    /// joiners, variation selectors after their base.
    #[test]
    fn joiners_and_selectors_that_do_work_are_kept() {
        for text in [
            "\u{1F469}\u{200D}\u{1F4BB}",                                       // 👩‍💻
            "\u{1F468}\u{1F3FD}\u{200D}\u{1F9B0}", // skin tone, then ZWJ
            "\u{2764}\u{FE0F}\u{200D}\u{1F525}",   // ❤️‍🔥
            "\u{2764}\u{FE0F} love",               // VS16 after a heart
            "\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0647}\u{0645}", // می‌خواهم
            "\u{0915}\u{094D}\u{200D}\u{0937}",    // क्‍ष
            "\u{0915}\u{094D}\u{200C}\u{0937}",    // क्‌ष
            "\u{845B}\u{E0100}",                   // 葛󠄀 (ideographic variation)
            "\u{1820}\u{180B}",                    // Mongolian free variation selector
        ] {
            assert_eq!(plain_text(text), text, "{text:?}");
        }
        // Out of their place, they are only hidden characters.
        assert_eq!(plain_text("pay\u{200C}pal \u{200D}x\u{200D}"), "paypal x");
        assert_eq!(plain_text("a \u{FE0F}b\u{FE0F}\u{FE0F}"), "a b\u{FE0F}");
        assert_eq!(plain_text("\u{200D}\u{1F4BB}"), "\u{1F4BB}");
        assert_eq!(plain_text("\u{0627}\u{200C}\u{0628}"), "\u{0627}\u{0628}"); // alef joins on one side only
    }

    #[test]
    fn html_text_loses_invisible_characters_too() {
        assert_eq!(
            html_to_text("<p>soft&shy;hyphen &#x61C;mark&#xE0041;</p>"),
            "softhyphen mark"
        );
    }

    /// The quick check before the tag scan misses no spelling of `<img`.
    #[test]
    fn an_image_tag_in_any_case_is_found() {
        let base = Url::parse("https://ex.org/").unwrap();
        for html in [
            "<p>x</p><Img src=\"/a.jpg\">",
            "<P><IMG SRC=\"/a.jpg\"></P>",
            "<iMg src=\"/a.jpg\"/>",
        ] {
            assert_eq!(
                first_image(html, Some(&base)).map(String::from),
                Some("https://ex.org/a.jpg".to_string()),
                "{html}"
            );
        }
        assert_eq!(first_image("<p>no image</p><imgur>", Some(&base)), None);
    }

    #[test]
    fn first_image_skips_decoration() {
        let base = Url::parse("https://example.org/post/").unwrap();
        let html = r#"<img src="https://s.w.org/images/core/emoji/14.0.0/72x72/1f600.png">
            <img src="https://stats.example/pixel.gif" width="1" height="1">
            <img src="https://secure.gravatar.com/avatar/x">
            <img src="/uploads/photo.jpg">"#;
        assert_eq!(
            first_image(html, Some(&base)).unwrap().as_str(),
            "https://example.org/uploads/photo.jpg"
        );
        assert_eq!(first_image("<p>no image</p>", Some(&base)), None);
        assert_eq!(
            first_image(r#"<img src="javascript:alert(1)">"#, Some(&base)),
            None
        );
        assert_eq!(
            first_image(r#"<img src="data:image/png;base64,AAAA">"#, None),
            None
        );
    }

    #[test]
    fn tracking_pixels_are_not_images() {
        let trackers = [
            "https://analytics.example.org/matomo.php?idsite=3&rec=1&action_name=Post",
            "https://example.org/piwik.php?idsite=1",
            "https://example.org/js/p.php?idsite=7&action_name=News",
            "https://example.org/count?idsite=2&action_name=x",
            "https://stats.wordpress.com/b.gif?host=x",
            "https://pixel.wp.com/g.gif?v=ext",
            "https://track.example.net/open/abc.png",
            "https://pixel.example.com/i.png",
            "https://www.google-analytics.com/__utm.gif?utmac=UA-1",
            "https://medium.com/_/stat?event=post.clientViewed&referrerSource=full_rss",
            "https://feeds.feedburner.com/~r/Example/~4/AbCdEf",
            "https://feeds.feedburner.com/~r/Example/~4/AbCdEf.gif",
            "https://feeds.feedburner.com/~ff/Example?d=yIl2AUoC8zA",
            "https://da.feedsportal.com/r/186529795882/u/49/f/jp.gif",
            "https://example.org/wp-content/plugins/counter/beacon.gif",
            "https://cdn.example.org/img/count.gif?id=9",
            "https://example.org/images/1x1.gif",
            "https://example.org/track.php?u=1",
        ];
        for tracker in trackers {
            let url = Url::parse(tracker).unwrap();
            assert!(is_tracker(&url), "{tracker}");
            assert!(is_decoration(&url), "{tracker}");
        }
        let images = [
            "https://example.org/wp-content/uploads/2024/09/photo.jpg",
            "https://cdn.example.org/country-map.gif",
            "https://example.org/uploads/account-settings.png",
            "https://example.org/statistics/chart.png",
            "https://miro.medium.com/max/1024/1*abc.jpeg",
            "https://i0.wp.com/example.org/uploads/photo.jpg?resize=1024",
            "https://example.org/images/pixel-art.jpg",
            // Photo servers whose name reads like a counter's.
            "https://stat.idnes.example.cz/foto/2024/09/02/obrazek.jpg",
            "https://stat.example.cz/img/x.png",
            "https://stats.fotos.example.es/galeria/2024/imagen.webp",
            // Scripts that answer with a picture.
            "https://example.org/timthumb.php?src=/uploads/a.jpg&w=800",
            "https://example.org/image.php?id=1234",
            "https://example.org/getfile.php?id=12",
            // A file that only contains a button word inside another word.
            "https://example.org/uploads/shareholders-meeting.jpg",
        ];
        for image in images {
            assert!(!is_decoration(&Url::parse(image).unwrap()), "{image}");
        }
    }

    /// Share, comment and subscribe buttons are never an article's image,
    /// whatever their format: WordPress.com's buttons, share widgets, a
    /// script that draws a button.
    #[test]
    fn buttons_are_decoration() {
        for button in [
            "https://feeds.wordpress.com/1.0/comments/example.wordpress.com/1234/",
            "https://feeds.wordpress.com/1.0/delicious/example.wordpress.com/1234/",
            "https://slashdot.org/slashdot-it.pl?op=image&style=h0&url=https%3A%2F%2Fex.org%2Fa",
            "https://static.addtoany.com/buttons/share_save_171_16.png",
            "https://example.org/wp-content/plugins/sharethis/sharethis.png",
            "https://example.org/cgi-bin/counter.cgi?page=a",
            "https://www.example.de/abonnieren/subscribe-button.gif",
        ] {
            assert!(is_decoration(&Url::parse(button).unwrap()), "{button}");
        }
        let html = r#"<p><a href="https://ex.org/share"><img src="https://static.addtoany.com/buttons/share_save_171_16.png"></a>
            <img src="https://feeds.wordpress.com/1.0/comments/ex.wordpress.com/7/">
            <img src="https://stat.example.cz/foto/2024/clanek.jpg" width="800"></p>"#;
        assert_eq!(
            first_image(html, None).map(|u| u.to_string()).as_deref(),
            Some("https://stat.example.cz/foto/2024/clanek.jpg")
        );
    }

    #[test]
    fn a_pixel_ahead_of_the_figure_is_skipped() {
        let base = Url::parse("https://example.org/post/").unwrap();
        for pixel in [
            r#"<img src="https://example.org/matomo.php?idsite=1&amp;rec=1" alt="">"#,
            r#"<img src="https://img.example.org/a.png" style="border:0; display: none">"#,
            r#"<img src="https://img.example.org/b.png" style="width:1px;height:1px">"#,
            r#"<img src="https://img.example.org/c.png" hidden>"#,
            r#"<img src="https://img.example.org/d.png" width="0" height="0">"#,
            r#"<img src="https://img.example.org/e.png" height="1px">"#,
        ] {
            let html = format!(r#"<p>{pixel}<img src="/uploads/figure.jpg" width="800"></p>"#);
            assert_eq!(
                first_image(&html, Some(&base)).unwrap().as_str(),
                "https://example.org/uploads/figure.jpg",
                "{pixel}"
            );
        }
    }

    #[test]
    fn preview_image_prefers_og_then_twitter_then_image_src() {
        let page = Url::parse("https://ex.org/post/").unwrap();
        let head = r#"<html><head><link rel="image_src" href="/src.jpg">
            <meta name="twitter:image" content="https://ex.org/tw.jpg">
            <meta content="https://cdn.ex.org/og.jpg?a=1&amp;b=2" property="og:image">"#;
        assert_eq!(
            preview_image(head, &page).unwrap().as_str(),
            "https://cdn.ex.org/og.jpg?a=1&b=2"
        );
        let head = r#"<head><link rel="image_src" href="/src.jpg"><meta name="twitter:image" content="tw.jpg"></head>"#;
        assert_eq!(
            preview_image(head, &page).unwrap().as_str(),
            "https://ex.org/post/tw.jpg"
        );
        let head = r#"<head><link rel="image_src" href="/src.jpg"></head>"#;
        assert_eq!(
            preview_image(head, &page).unwrap().as_str(),
            "https://ex.org/src.jpg"
        );
        // A tracking pixel as og:image is not a preview: the next one is.
        let head = r#"<head><meta property="og:image" content="https://stats.ex.org/p.gif"><meta name="twitter:image" content="/tw.jpg"></head>"#;
        assert_eq!(
            preview_image(head, &page).unwrap().as_str(),
            "https://ex.org/tw.jpg"
        );
        let head = r#"<head><meta property="og:image" content="javascript:alert(1)"></head>"#;
        assert_eq!(preview_image(head, &page), None);
        assert_eq!(preview_image("", &page), None);
    }

    #[test]
    fn absolute_http_url_rejects_other_schemes() {
        let base = Url::parse("https://example.org/a/").unwrap();
        assert_eq!(
            absolute_http_url("../b", Some(&base)).unwrap().as_str(),
            "https://example.org/b"
        );
        assert!(absolute_http_url("javascript:alert(1)", Some(&base)).is_none());
        assert!(absolute_http_url("mailto:x@example.org", Some(&base)).is_none());
        assert!(absolute_http_url("relative", None).is_none());
    }
}
