//! Arbitrary bytes as a feed: parse → extract → permalink → render must
//! never panic, and every article it gives keeps the output promises.
#![no_main]

use chrono::TimeZone;
use feedimport::extract::{FeedContext, extract_items};
use feedimport::permalink::{file_stem, permalink, title_slug};
use feedimport::render::{Article, french_date, image_credit, iso_date};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let base = url::Url::parse("https://feeds.example.org/feed/").unwrap();
    let Ok(parsed) = feedimport::parse::parse_feed(data.to_vec(), None, Some(&base)) else {
        return;
    };
    let now = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let context = FeedContext {
        feed_identity: base.as_str(),
        feed_url: Some(&base),
        now,
    };
    let (drafts, _) = extract_items(&parsed.feed, &context);
    for draft in drafts {
        assert!(matches!(draft.source_url.scheme(), "http" | "https"));
        for image in [&draft.declared_image, &draft.content_image].into_iter().flatten() {
            assert!(matches!(image.scheme(), "http" | "https"));
        }
        let date = draft.date.with_timezone(&chrono_tz::Europe::Paris).date_naive();
        let stem = file_stem(date, &title_slug(&draft.title), 2);
        common::check_stem(&stem);
        let image_url = draft
            .declared_image
            .as_ref()
            .or(draft.content_image.as_ref())
            .map(|u| u.to_string())
            .unwrap_or_default();
        let source_url = draft.source_url.to_string();
        common::check_article(&Article {
            title: draft.title.clone(),
            date: iso_date(draft.date),
            published_date: french_date(draft.date, chrono_tz::Europe::Paris),
            summary: draft.summary.clone(),
            importance: String::new(),
            image_credit: if image_url.is_empty() { String::new() } else { image_credit(&source_url) },
            source_url,
            tags: vec!["France".into(), "Actualité".into()],
            permalink: permalink("papers", &stem),
            image_url,
        });
    }
});
