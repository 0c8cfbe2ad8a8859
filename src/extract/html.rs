//! Pure functions on HTML fragments from feeds: reduce them to plain text, find
//! the first meaningful image.
//!
//! In: a string of HTML (or plain text) as a feed carries it. Out: plain text
//! with entities decoded, scripts and styles dropped, block elements turned
//! into spaces, whitespace collapsed and invisible or dangerous code points
//! removed. Nothing here can fail: broken HTML is read the way a browser reads
//! it.

use ego_tree::iter::Edge;
use scraper::{Html, Node};

use super::html_scan::start_tags;
use crate::bytes::contains;
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
    "head",
    "title",
    "figcaption",
    "button",
    "select",
    "textarea",
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

/// Reads `html` as an HTML fragment and returns its visible text, cleaned
/// and with whitespace collapsed.
pub fn html_to_text(html: &str) -> String {
    let text = html_to_text_once(html);
    // Double-escaped entities (`&amp;#8217;`) survive one decoding as
    // `&#8217;`: decode them once more, without reading tags this time.
    if has_entity(&text) {
        html_to_text_once(&text.replace('<', "&lt;"))
    } else {
        text
    }
}

/// True when `text` still holds something that reads as a character
/// reference: `&#8217;`, `&#x2019;`, `&eacute;`.
fn has_entity(text: &str) -> bool {
    text.match_indices('&').any(|(i, _)| {
        let rest = &text[i + 1..];
        let name_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'#')
            .count();
        name_len > 1 && rest[name_len..].starts_with(';')
    })
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
    let fragment = Html::parse_fragment(html);
    let mut raw = String::with_capacity(html.len());
    let mut skipping: usize = 0;
    for edge in fragment.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(element) => {
                    let name = element.name();
                    let widget = element.attr("class").is_some_and(|c| {
                        c.split_ascii_whitespace()
                            .any(|c| SKIPPED_CLASSES.contains(&c))
                    });
                    if skipping > 0 || widget || SKIPPED.contains(&name) {
                        skipping += 1;
                    } else if BLOCKS.contains(&name) {
                        raw.push(' ');
                    }
                }
                Node::Text(text) if skipping == 0 => raw.push_str(text),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(element) = node.value() {
                    if skipping > 0 {
                        skipping -= 1;
                    } else if BLOCKS.contains(&element.name()) {
                        raw.push(' ');
                    }
                }
            }
        }
    }
    plain_text(&raw)
}

/// Cleans text that is already plain: drops control, bidi-override and
/// zero-width characters, turns line and paragraph separators into spaces
/// and collapses whitespace.
pub(crate) fn plain_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() || is_separator(c) {
            pending_space = true;
        } else if is_invisible(c) {
            continue;
        } else {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
    }
    out
}

fn is_separator(c: char) -> bool {
    matches!(c, '\u{0085}' | '\u{2028}' | '\u{2029}')
}

/// Characters that have no place in a title or a summary: controls, bidi
/// overrides and isolates (they can make text read differently from what it
/// is), zero-width characters and byte-order marks.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{FFFE}'
                | '\u{FFFF}'
        )
}

/// The first `<img>` in `html` worth showing on an article card, made
/// absolute against `base`. Skips tracking pixels, 1×1 images, emoji,
/// gravatars and feed "flare" buttons.
pub(crate) fn first_image(html: &str, base: Option<&Url>) -> Option<Url> {
    if !contains(html.as_bytes(), b"<img") && !contains(html.as_bytes(), b"<IMG") {
        return None;
    }
    start_tags(html)
        .filter(|tag| tag.is("img"))
        .filter(|tag| {
            !is_tiny(tag.attr("width").as_deref()) && !is_tiny(tag.attr("height").as_deref())
        })
        .filter_map(|tag| absolute_http_url(&tag.attr("src")?, base))
        .find(|url| !is_decoration(url))
}

fn is_tiny(dimension: Option<&str>) -> bool {
    dimension
        .and_then(|d| d.trim().trim_end_matches("px").parse::<u32>().ok())
        .is_some_and(|d| d <= 2)
}

/// Images that are not about the article.
fn is_decoration(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let path = url.path();
    host.ends_with("gravatar.com")
        || host.starts_with("feeds.feedburner.")
        || host.starts_with("feedads.")
        || host == "stats.wordpress.com"
        || host == "pixel.wp.com"
        || path.contains("/images/core/emoji/")
        || path.contains("/wp-includes/images/smilies/")
        || path.contains("/~ff/")
        || path.contains("/~r/")
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
            let url = || {
                tag.attr("content")
                    .and_then(|c| absolute_http_url(&c, Some(page_url)))
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
                    .and_then(|h| absolute_http_url(&h, Some(page_url)));
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
        assert_eq!(
            html_to_text("&lt;script&gt;x&lt;/script&gt;"),
            "<script>x</script>"
        );
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
        // Text about markup stays text.
        assert_eq!(html_to_text("use &amp;lt;b&amp;gt;"), "use <b>");
        assert_eq!(html_to_text("AT&amp;T; R&amp;D"), "AT&T; R&D");
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
