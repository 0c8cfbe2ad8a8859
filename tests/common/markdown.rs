//! What a CommonMark reader makes of a Markdown body: the check that no
//! text of a feed became a link, an image or raw HTML. Shared by the
//! integration tests and the renderer's own tests (`src/render.rs`).

#![allow(dead_code)] // each test binary uses its own part

/// Every link and image a CommonMark reader finds in `markdown`, and
/// whether it holds raw HTML.
pub(crate) fn links_and_html(markdown: &str) -> (Vec<String>, bool) {
    use pulldown_cmark::{Event, Parser, Tag};
    let mut links = Vec::new();
    let mut html = false;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                links.push(dest_url.to_string());
            }
            Event::Html(_) | Event::InlineHtml(_) => html = true,
            _ => {}
        }
    }
    (links, html)
}
