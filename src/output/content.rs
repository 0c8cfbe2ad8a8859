//! An item's full text for templates: its HTML made safe, and that HTML as
//! Markdown.
//!
//! In: the content HTML a feed sent, and the base its relative links and
//! images resolve against (the content's `xml:base`, else the article's URL). Out: HTML holding only safe tags, http(s)
//! links and http(s) images (ammonia's allow-list, no attributes but the
//! link and the image's source and text), and Markdown (htmd) with no raw
//! HTML left. Pure; nothing fails: what cannot be made safe is dropped.

use std::borrow::Cow;
use std::collections::HashSet;

use url::Url;

use crate::util::escape::inert_url;

/// The item's content, made safe: `html` for a template that prints HTML,
/// `markdown` for one that writes Markdown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SafeContent {
    pub(crate) html: String,
    pub(crate) markdown: String,
}

/// The content of an item, its relative links resolved against `base`.
pub(crate) fn safe_content(html: &str, base: Option<&Url>) -> SafeContent {
    if html.trim().is_empty() {
        return SafeContent::default();
    }
    let html = sanitize(html, base);
    let markdown = to_markdown(&html);
    SafeContent { html, markdown }
}

fn sanitize(html: &str, base: Option<&Url>) -> String {
    let image_base = base.cloned();
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(HashSet::from(["http", "https"]))
        .generic_attributes(HashSet::new())
        .tag_attributes(
            [
                ("a", HashSet::from(["href"])),
                ("img", HashSet::from(["src", "alt"])),
            ]
            .into_iter()
            .collect(),
        )
        .link_rel(Some("noopener noreferrer nofollow"))
        .attribute_filter(move |element, attribute, value| match attribute {
            // A tracking pixel or a button is no picture of the article:
            // its image goes (see `without_sourceless_images`).
            "src" if element == "img" && is_decoration_src(value, image_base.as_ref()) => None,
            // One inert token: no parenthesis, bracket, quote or space can
            // end the link early in Markdown.
            "href" | "src" => Some(Cow::Owned(inert_url(value).into_owned())),
            // The text of an image: nothing that closes `![…]`.
            "alt" => Some(Cow::Owned(
                value
                    .chars()
                    .map(|c| {
                        if matches!(c, '[' | ']' | '\\' | '(' | ')') || c.is_control() {
                            ' '
                        } else {
                            c
                        }
                    })
                    .collect(),
            )),
            _ => Some(Cow::Borrowed(value)),
        });
    match base {
        Some(base) => {
            builder.url_relative(ammonia::UrlRelative::RewriteWithBase(base.clone()));
        }
        None => {
            builder.url_relative(ammonia::UrlRelative::Deny);
        }
    }
    without_sourceless_images(&builder.clean(html).to_string())
}

/// Whether an image's `src` (absolute, or relative to `base`) is a
/// tracking pixel or a button, by the rule the article's image follows.
fn is_decoration_src(src: &str, base: Option<&Url>) -> bool {
    Url::parse(src)
        .ok()
        .or_else(|| base?.join(src).ok())
        .is_some_and(|url| crate::extract::is_decoration(&url))
}

/// `html` (as ammonia writes it) without the `<img>` tags left without a
/// `src`: those whose image was decoration.
fn without_sourceless_images(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<img") {
        let Some(end) = rest[at..].find('>').map(|e| at + e + 1) else {
            break;
        };
        out.push_str(&rest[..at]);
        let tag = &rest[at..end];
        if tag.contains(" src=") {
            out.push_str(tag);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// htmd writes Markdown only (its pure mode): an element it has no
/// Markdown for gives its text, and text is escaped.
fn to_markdown(html: &str) -> String {
    htmd::convert(html)
        .map(|markdown| markdown.trim().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::output::markdown;

    const HOSTILE: [&str; 8] = [
        "<p>Hi <script>alert(1)</script><img src=x onerror=alert(1)></p>",
        "<a href=\"javascript:alert(1)\">click</a> <a href=\"data:text/html,x\">d</a>",
        "<img src=\"https://i.example/a.jpg\" alt=\"x](javascript:alert(1))\">",
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1))</p>",
        "<iframe src=\"https://evil.example/\"></iframe><style>p{}</style><svg onload=alert(1)></svg>",
        "<a href=\"https://h.example/a(b)[c] d\" title=\"t\" onclick=\"x\">link</a>",
        "<table><tr><td width=3>cell</td></tr></table><img src=\"/rel.png\" width=\"5\" height=\"5\">",
        "<pre><code>&lt;b&gt;code&lt;/b&gt;</code></pre><p style=\"color:red\" class=\"x\">styled</p>",
    ];

    /// Tracking pixels and buttons go from the full text as from the
    /// article's image, absolute or relative, and the picture stays.
    #[test]
    fn decoration_leaves_the_full_text() {
        let base = Url::parse("https://blog.example.org/post/").unwrap();
        let html = r#"<p>Text <img src="https://feeds.wordpress.com/1.0/comments/blog.example.org/7/" alt="">
            <img src="/wp-content/plugins/counter/beacon.gif"><img src="https://stats.wordpress.com/b.gif?host=x">
            <img src="https://stat.example.cz/foto/2024/clanek.jpg" alt="Foto"></p>"#;
        let safe = safe_content(html, Some(&base));
        assert_eq!(safe.html.matches("<img").count(), 1, "{}", safe.html);
        assert!(
            safe.html.contains("stat.example.cz/foto/2024/clanek.jpg"),
            "{}",
            safe.html
        );
        assert!(
            !safe.markdown.contains("wordpress.com"),
            "{}",
            safe.markdown
        );
        assert!(!safe.markdown.contains("beacon"), "{}", safe.markdown);
        assert!(safe.markdown.contains("![Foto]("), "{}", safe.markdown);
    }

    #[test]
    fn html_keeps_only_safe_tags_and_http_urls() {
        let base = Url::parse("https://news.example.org/post/").unwrap();
        for html in HOSTILE {
            let safe = safe_content(html, Some(&base)).html;
            for bad in [
                "<script",
                "onerror",
                "onclick",
                "=\"javascript:",
                "=\"data:",
                "<iframe",
                "<style",
                "<svg",
                "style=",
                "class=",
                "title=",
            ] {
                assert!(!safe.contains(bad), "{html:?} → {safe:?}");
            }
        }
        let safe = safe_content(HOSTILE[6], Some(&base)).html;
        assert!(
            safe.contains("src=\"https://news.example.org/rel.png\""),
            "{safe}"
        );
        // Without a base, a relative image is dropped, never left relative.
        assert!(!safe_content(HOSTILE[6], None).html.contains("rel.png"));
    }

    #[test]
    fn markdown_has_no_raw_html_and_only_http_links() {
        let base = Url::parse("https://news.example.org/post/").unwrap();
        for html in HOSTILE {
            let markdown = safe_content(html, Some(&base)).markdown;
            let (links, raw_html) = markdown::links_and_html(&markdown);
            assert!(!raw_html, "{html:?} → {markdown:?}");
            for link in links {
                assert!(
                    link.starts_with("https://") || link.starts_with("http://"),
                    "{html:?} → {link:?} in {markdown:?}"
                );
            }
        }
    }

    #[test]
    fn ordinary_content_reads_as_markdown() {
        let html = "<p>Some <b>bold</b> and <a href=\"/a\">a link</a>.</p><ul><li>one</li><li>two</li></ul>\
                    <p><img src=\"https://i.example/x.jpg\" alt=\"A figure\"></p>";
        let base = Url::parse("https://news.example.org/post/").unwrap();
        let markdown = safe_content(html, Some(&base)).markdown;
        assert!(markdown.contains("**bold**"), "{markdown}");
        assert!(
            markdown.contains("[a link](https://news.example.org/a)"),
            "{markdown}"
        );
        assert!(
            markdown
                .lines()
                .any(|l| l.starts_with(['*', '-']) && l[1..].trim() == "one"),
            "{markdown}"
        );
        assert!(
            markdown.contains("![A figure](https://i.example/x.jpg)"),
            "{markdown}"
        );
        assert_eq!(safe_content("  ", Some(&base)), SafeContent::default());
    }
}
