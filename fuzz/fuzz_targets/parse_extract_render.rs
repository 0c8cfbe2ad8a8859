//! Arbitrary bytes as a feed, read whole and read as a stream (as a body
//! too big to hold is): parse → extract → article → render must never
//! panic, and every article it gives keeps the output promises.
#![no_main]

use chrono::TimeZone;
use feedimport::{ArticleSettings, build_article};
use feedimport::read_feed;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let base = url::Url::parse("https://feeds.example.org/feed/").unwrap();
    let now = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let whole = read_feed(data.to_vec(), None, Some(&base), base.as_str(), now);
    let mut file = tempfile::tempfile().unwrap();
    std::io::Write::write_all(&mut file, data).unwrap();
    let body = feedimport::Body::File {
        file,
        len: data.len() as u64,
    };
    let streamed = read_feed(body, None, Some(&base), base.as_str(), now);
    for read in [whole, streamed] {
        let Ok(read) = read else {
            continue;
        };
        check(&read);
    }
});

fn check(read: &feedimport::ReadFeed) {
    let settings = ArticleSettings::new(
        "papers",
        chrono_tz::Europe::Paris,
        vec!["France".into(), "Actualité".into()],
    );
    // The article page's image, as a run would find it for items whose
    // feed declares none.
    let page_image = url::Url::parse("https://feeds.example.org/og.jpg").unwrap();
    for (index, draft) in read.drafts.iter().enumerate() {
        assert!(matches!(draft.source_url.scheme(), "http" | "https"));
        for image in [&draft.declared_image, &draft.content_image].into_iter().flatten() {
            assert!(matches!(image.scheme(), "http" | "https"));
        }
        let page_image = (index % 2 == 0).then_some(&page_image);
        let article = build_article(draft, &settings, page_image);
        common::check_stem(&article.slug);
        common::check_article(&article);
    }
}
