//! An item's full text for templates: its HTML made safe, and that HTML as
//! Markdown.
//!
//! In: the content HTML a feed sent, and the base its relative links and
//! images resolve against (the content's `xml:base`, else the article's URL). Out: HTML holding only safe tags, http(s)
//! links and http(s) images (ammonia's allow-list, no attributes but the
//! link and the image's source and text), and CommonMark with no raw HTML,
//! in which the text (code included) reads back as the feed wrote it. Pure;
//! nothing fails: what cannot be made safe is dropped.
//!
//! The steps, each linear in the input and none recursive:
//! [`bounded_html`] reads the HTML as a token stream and closes every
//! element explicitly, flattening nesting deeper than
//! [`super::flatten::MAX_DEPTH`] (text kept, tags dropped), so that the
//! sanitizer's tree builder never follows more than that many open
//! elements; ammonia sanitizes; [`to_markdown`] writes the Markdown from
//! the sanitized tokens (see [`super::commonmark`] for how text stays text).

use std::borrow::Cow;
use std::collections::HashSet;

use url::Url;

use super::commonmark::to_markdown;
use super::flatten::bounded_html;
use crate::util::escape::inert_url;

/// The item's content, made safe: `html` for a template that prints HTML,
/// `markdown` for one that writes Markdown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SafeContent {
    pub html: String,
    pub markdown: String,
}

/// The content of an item, its relative links resolved against `base`.
pub fn safe_content(html: &str, base: Option<&Url>) -> SafeContent {
    if html.trim().is_empty() {
        return SafeContent::default();
    }
    let html = sanitize(&bounded_html(html), base);
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
            // An absolute URL as the url crate writes it (`https:/host/`
            // is `https://host/`), so that what reaches the page is what a
            // browser would follow.
            "href" | "src" => Some(Cow::Owned(match Url::parse(value) {
                Ok(url) => inert_url(url.as_str()).into_owned(),
                Err(_) => inert_url(value).into_owned(),
            })),
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
        // An absolute URL is written as the url crate reads it (found by
        // fuzzing: `https:/host` is `https://host`).
        let safe = safe_content(
            "<a href=\"https:/blogs.example.net/a\">x</a><img src=\"HTTP:images.example.net/i.jpg\">",
            Some(&base),
        )
        .html;
        assert!(
            safe.contains("href=\"https://blogs.example.net/a\"")
                && safe.contains("src=\"http://images.example.net/i.jpg\""),
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

    /// What a CommonMark reader (with the GFM extensions) makes of
    /// `markdown`: whether it holds raw HTML or a table or strikethrough the
    /// HTML did not have, the text of its code blocks, of its code spans, and
    /// its other text.
    struct Read {
        raw_html: bool,
        extension: bool,
        code_blocks: Vec<String>,
        code_spans: Vec<String>,
        text: String,
    }

    fn read(markdown: &str) -> Read {
        use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
        let mut read = Read {
            raw_html: false,
            extension: false,
            code_blocks: Vec::new(),
            code_spans: Vec::new(),
            text: String::new(),
        };
        let mut in_block = false;
        let options = Options::ENABLE_TABLES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_TASKLISTS
            | Options::ENABLE_FOOTNOTES;
        for event in Parser::new_ext(markdown, options) {
            match event {
                Event::Html(_) | Event::InlineHtml(_) => read.raw_html = true,
                Event::Start(Tag::Table(_) | Tag::Strikethrough | Tag::FootnoteDefinition(_))
                | Event::TaskListMarker(_)
                | Event::FootnoteReference(_) => read.extension = true,
                Event::Start(Tag::CodeBlock(_)) => {
                    in_block = true;
                    read.code_blocks.push(String::new());
                }
                Event::End(TagEnd::CodeBlock) => in_block = false,
                Event::Text(text) if in_block => {
                    if let Some(block) = read.code_blocks.last_mut() {
                        block.push_str(&text);
                    }
                }
                Event::Text(text) => read.text.push_str(&text),
                Event::SoftBreak | Event::HardBreak => read.text.push(' '),
                Event::Code(code) => read.code_spans.push(code.to_string()),
                Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => {
                    read.text.push(' ')
                }
                _ => {}
            }
        }
        read
    }

    /// How deep the elements of `html` (as the sanitizer writes it) nest.
    fn html_depth(html: &str) -> usize {
        let (mut depth, mut deepest) = (0usize, 0);
        for (at, _) in html.match_indices('<') {
            let rest = &html[at + 1..];
            if rest.starts_with('/') {
                depth = depth.saturating_sub(1);
            } else if !rest.starts_with("img") && !rest.starts_with("br") && !rest.starts_with("hr")
            {
                depth += 1;
                deepest = deepest.max(depth);
            }
        }
        deepest
    }

    /// `f` on a thread with a small stack (128 KiB; a run's worker threads
    /// have 2 MiB): a walk that recursed with the nesting would overflow it.
    fn on_a_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap()
    }

    /// Every kind of nesting, 5,000 levels deep (the red-team's 500 nested
    /// tables aborted the process): the full text keeps the words, its HTML
    /// nests no deeper than the bound, and the Markdown reads back without
    /// raw HTML.
    #[test]
    fn deep_nesting_of_any_kind_is_flattened_not_followed() {
        let kinds = [
            ("<div>", "</div>"),
            ("<table><tr><td>", "</td></tr></table>"),
            ("<ul><li>", "</li></ul>"),
            ("<ol><li>x ", "</li></ol>"),
            ("<blockquote>", "</blockquote>"),
            ("<span>", "</span>"),
            ("<b><i><em>", "</em></i></b>"),
            (
                "<blockquote><ul><li><table><tr><td><p><a href=\"https://a.example/\">",
                "</a></p></td></tr></table></li></ul></blockquote>",
            ),
            // Unclosed, and misnested so that a tree builder reopens every
            // formatting element in each next paragraph.
            ("<div><li><td>", ""),
            ("<p><b>x<i>", "</p>"),
        ];
        for (open, close) in kinds {
            let html = format!("{}deep text{}", open.repeat(5_000), close.repeat(5_000));
            let safe = on_a_small_stack(move || safe_content(&html, None));
            assert!(safe.html.contains("deep text"), "{open}");
            assert!(safe.markdown.contains("deep text"), "{open}");
            let depth = html_depth(&safe.html);
            assert!(
                depth <= 2 * super::super::flatten::MAX_DEPTH,
                "{open}: {depth}"
            );
            let read = read(&safe.markdown);
            assert!(!read.raw_html && !read.extension, "{open}");
            let widest = safe.markdown.lines().map(str::len).max().unwrap_or(0);
            assert!(widest < 400, "{open}: a line of {widest} bytes");
        }
    }

    /// Nesting within the bound keeps its structure.
    #[test]
    fn nesting_within_the_bound_keeps_its_structure() {
        let html = format!(
            "{}<p>deep</p>{}",
            "<blockquote>".repeat(3),
            "</blockquote>".repeat(3)
        );
        assert_eq!(safe_content(&html, None).markdown, "> > > deep");
        let html = "<ul><li>one<ul><li>two<ol><li>three</li><li>four</li></ol></li></ul></li><li>five</li></ul>";
        assert_eq!(
            safe_content(html, None).markdown,
            "- one\n  - two\n    1. three\n    2. four\n- five"
        );
        let html = format!("{}<p>deep</p>{}", "<div>".repeat(40), "</div>".repeat(40));
        assert_eq!(html_depth(&safe_content(&html, None).html), 41);
    }

    /// Code from a feed, in every Markdown context, reads back as exactly
    /// its text: no raw HTML, no block ended early, no container left.
    #[test]
    fn code_reads_back_as_its_text_in_every_context() {
        let hostile = "<script>alert(1)</script>\n</pre>\n<iframe src=x>\n```\n~~~\n````` `` `\n    <b>indented</b>\n\n# not a heading\n&amp; &lt; \\`";
        let escaped = hostile
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        let blocks = [
            format!("<pre>{escaped}</pre>"),
            format!("<pre><code class=\"language-html\">{escaped}</code></pre>"),
            format!(
                "<pre><b>&lt;script&gt;</b>{}</pre>",
                &escaped["&lt;script&gt;".len()..]
            ),
            format!("<ul><li>item<pre>{escaped}</pre></li><li>next</li></ul><p>after</p>"),
            format!("<ol><li><blockquote><pre><code>{escaped}</code></pre></blockquote></li></ol>"),
            format!("<blockquote><p>quote</p><pre>{escaped}</pre></blockquote>after"),
            format!("<p>before</p><pre>\n{escaped}\n</pre>"),
        ];
        for html in &blocks {
            let markdown = safe_content(html, None).markdown;
            let read = read(&markdown);
            assert!(!read.raw_html, "{html}\n→\n{markdown}");
            assert_eq!(read.code_blocks.len(), 1, "{markdown}");
            assert_eq!(
                read.code_blocks[0].trim_end_matches('\n'),
                hostile,
                "{markdown}"
            );
        }
        // Inline code is one line: its text with line breaks as spaces.
        let spans = [
            (
                "&lt;script&gt;alert(1)&lt;/script&gt;",
                "<script>alert(1)</script>",
            ),
            ("a\n&lt;script&gt;b", "a <script>b"),
            ("`` ` x", "`` ` x"),
            ("x `", "x `"),
            ("  spaced  ", "  spaced  "),
            ("&lt;/code&gt;```&lt;iframe&gt;", "</code>```<iframe>"),
            ("a<b>&lt;b&gt;</b>c", "a<b>c"),
        ];
        for (inner, text) in spans {
            for html in [
                format!("<p>x <code>{inner}</code> y</p>"),
                format!("<ul><li><code>{inner}</code></li></ul>"),
                format!("<h2>t <code>{inner}</code></h2>"),
                format!(
                    "<blockquote><p><a href=\"https://a.example/\"><code>{inner}</code></a></p></blockquote>"
                ),
            ] {
                let markdown = safe_content(&html, None).markdown;
                let read = read(&markdown);
                assert!(
                    !read.raw_html && read.code_blocks.is_empty(),
                    "{html}\n→\n{markdown}"
                );
                assert_eq!(read.code_spans, [text], "{html}\n→\n{markdown}");
            }
        }
    }

    /// Text that looks like Markdown or HTML, anywhere, reads back as the
    /// same text.
    #[test]
    fn text_reads_back_as_its_text() {
        let texts = [
            "&lt;iframe src=x&gt; &lt;/pre&gt; &amp;lt;script&amp;gt; &amp;amp; R&amp;D",
            "``` fence ~~~ and `tick` *a* _b_ **c** [x](javascript:alert(1)) ![i](x) a|b ~~s~~",
            "# no heading",
            "1. no list",
            "2) no list",
            "- no list",
            "+ no list",
            "&gt; no quote",
            "=== no underline",
            "--- no rule",
            "\\ back\\slash \\*",
            "[^1] footnote [ ] box",
            "&lt;!-- comment --&gt; &lt;?php x ?&gt; &lt;![CDATA[x]]&gt;",
        ];
        for text in texts {
            let plain = text
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
            for html in [
                format!("<p>{text}</p>"),
                format!("<p>a<br>{text}<br>{text}</p>"),
                format!("<ul><li>{text}</li><li><b>{text}</b></li></ul>"),
                format!("<blockquote><p><em>{text}</em></p></blockquote>"),
                format!("<h3>{text}</h3>"),
                format!("<table><tr><td>{text}</td></tr></table>"),
                format!("<p><a href=\"https://a.example/\">{text}</a></p>"),
            ] {
                let markdown = safe_content(&html, None).markdown;
                let read = read(&markdown);
                assert!(!read.raw_html && !read.extension, "{html}\n→\n{markdown}");
                assert!(
                    read.code_blocks.is_empty() && read.code_spans.is_empty(),
                    "{markdown}"
                );
                assert!(
                    read.text.contains(&plain),
                    "{html}\n→\n{markdown}\n→\n{}",
                    read.text
                );
                let (links, _) = markdown::links_and_html(&markdown);
                assert!(
                    links.iter().all(|l| l == "https://a.example/"),
                    "{markdown}"
                );
            }
        }
    }
}
