//! Arbitrary field values (quotes, backslashes, newlines, `---`, `: `,
//! control characters, very long text): the front matter always reads back
//! to the same values.
#![no_main]

use feedimport::render::Article;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|fields: (String, String, String, Vec<String>)| {
    let (title, summary, url, tags) = fields;
    // URLs reach the renderer only as the url crate writes them.
    let url = url::Url::parse(&url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|u| u.to_string())
        .unwrap_or_default();
    common::check_article(&Article {
        title,
        date: "2024-09-02T10:13:01.000Z".into(),
        published_date: "2 septembre 2024".into(),
        // The body escapes markup in the summary; the fuzzer checks it.
        summary,
        importance: String::new(),
        source_url: url.clone(),
        tags,
        permalink: "/papers/2024-09-02-x".into(),
        image_url: url,
        image_credit: String::new(),
    });
});
