//! Arbitrary HTML as an item's full text (`content_html` and
//! `content_markdown`): never a panic, at any nesting or size; the HTML
//! keeps no attribute but `href`, `src`, `alt` (and the `rel` added to
//! links), with http(s) URLs only; the Markdown, read by a CommonMark
//! reader (pulldown-cmark), holds no raw HTML, and its links and images are
//! http(s).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pulldown_cmark::{Event, Parser, Tag};

fn base() -> Option<&'static url::Url> {
    static BASE: OnceLock<Option<url::Url>> = OnceLock::new();
    BASE.get_or_init(|| url::Url::parse("https://news.example.org/2024/09/a-post/").ok())
        .as_ref()
}

fn is_http(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

/// Every attribute of every tag of `html` (whose text has every `<`
/// escaped, so that each `<` opens a tag): `(tag, name, value)`.
fn attributes(html: &str) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        let tag = tag.trim_end_matches('/');
        let mut parts = tag.splitn(2, char::is_whitespace);
        let name = parts.next().unwrap_or("").to_ascii_lowercase();
        let mut rest = parts.next().unwrap_or("").trim();
        while !rest.is_empty() {
            let (attribute, after) = rest.split_once('=').unwrap_or((rest, ""));
            let after = after.strip_prefix('"').unwrap_or(after);
            let (value, after) = after.split_once('"').unwrap_or((after, ""));
            found.push((name.clone(), attribute.trim().to_string(), value.to_string()));
            rest = after.trim();
        }
    }
    found
}

fuzz_target!(|html: &str| {
    let content = feedimport::safe_content(html, base());
    for (tag, name, value) in attributes(&content.html) {
        assert!(
            matches!(name.as_str(), "href" | "src" | "alt" | "rel"),
            "<{tag} {name}=…> in {:?}",
            content.html
        );
        if matches!(name.as_str(), "href" | "src") {
            assert!(is_http(&value), "<{tag} {name}={value:?}> in {:?}", content.html);
        }
    }
    for event in Parser::new(&content.markdown) {
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => {
                panic!("raw HTML {raw:?} in {:?}", content.markdown)
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                assert!(is_http(&dest_url), "link {dest_url:?} in {:?}", content.markdown);
            }
            _ => {}
        }
    }
});
