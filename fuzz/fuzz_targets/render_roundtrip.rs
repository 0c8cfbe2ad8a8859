//! Arbitrary field values (quotes, backslashes, newlines, `---`, `: `,
//! control characters, very long text) in a draft: the article built from
//! it renders to a front matter that reads back to the same values.
#![no_main]

use chrono::TimeZone;
use feedimport::{ArticleSettings, build_article};
use feedimport::{DateSource, ItemDraft};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|fields: (String, String, String, Vec<String>, String)| {
    let (title, summary, url, tags, author) = fields;
    // URLs reach the article only as the url crate writes them.
    let url = url::Url::parse(&url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .unwrap_or_else(|| url::Url::parse("https://example.org/a/").unwrap());
    let draft = ItemDraft {
        key: "key".into(),
        title,
        date: chrono::Utc.with_ymd_and_hms(2024, 9, 2, 10, 13, 1).unwrap(),
        date_source: DateSource::Published,
        // The body escapes markup in the summary; the fuzzer checks it.
        summary,
        declared_image: Some(url.clone()),
        source_url: url,
        link_identifies: true,
        content_image: None,
        categories: tags.iter().rev().cloned().collect(),
        author,
        content_html: Default::default(),
        content_base: None,
        enclosure: None,
    };
    let settings = ArticleSettings::new("papers", chrono_tz::Europe::Paris, tags);
    common::check_article(&build_article(&draft, &settings, None));
});
