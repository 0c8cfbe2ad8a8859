//! Per-stage costs: parse a feed, extract its items, render an article, read
//! an article page's preview image, parse one very large feed, and read
//! the text of deeply nested HTML.
//! `cargo bench --bench stages`.

mod corpus;

use std::hint::black_box;

use chrono::Utc;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use feedimport::parse_feed;
use feedimport::{ArticleSettings, OutputFormat, Preset, build_article};
use feedimport::{FeedContext, extract_items, html_to_text, preview_image};
use url::Url;

fn stages(c: &mut Criterion) {
    let base = Url::parse("http://127.0.0.1:8080/feed/").unwrap();
    let feed = corpus::wordpress_feed(7, 40, "http://127.0.0.1:8080");
    let context = FeedContext {
        feed_identity: base.as_str(),
        feed_url: Some(&base),
        now: Utc::now(),
    };

    let mut group = c.benchmark_group("feed of 40 items");
    group.throughput(Throughput::Bytes(feed.len() as u64));
    group.bench_function("parse", |b| {
        b.iter(|| parse_feed(black_box(feed.clone().into_bytes()), None, Some(&base)).unwrap())
    });
    let parsed = parse_feed(feed.clone().into_bytes(), None, Some(&base)).unwrap();
    group.throughput(Throughput::Elements(40));
    group.bench_function("extract", |b| {
        b.iter(|| extract_items(black_box(&parsed.feed), &parsed.guid_not_a_link, &context))
    });
    group.finish();

    let (drafts, _) = extract_items(&parsed.feed, &parsed.guid_not_a_link, &context);
    let draft = &drafts[1];
    let settings = ArticleSettings::new(
        "papers",
        chrono_tz::Europe::Paris,
        vec!["France".into(), "Actualité".into(), "Bench".into()],
    );
    let page_image = Url::parse("https://img.example/x.jpg").unwrap();
    let article = build_article(draft, &settings, Some(&page_image));
    // One bench per preset: the file's text of one article.
    for preset in [
        Preset::Default,
        Preset::Hugo,
        Preset::Jekyll,
        Preset::Eleventy,
        Preset::Astro,
    ] {
        let format = OutputFormat::preset(preset, chrono_tz::Europe::Paris).unwrap();
        let placed = format
            .place(&std::sync::Arc::new(article.clone()), 1)
            .unwrap();
        let name = if preset == Preset::Default {
            "render one article".to_string()
        } else {
            format!("render one article ({})", preset.name())
        };
        c.bench_function(&name, |b| {
            b.iter(|| format.file_text(black_box(&article), &placed).unwrap())
        });
    }
    let summary = "<p>Updating on a previous meta-analysis, new data pooled survival estimates of patients undergoing TARE &#8211; results [&#8230;]</p>";
    c.bench_function("summary to text", |b| {
        b.iter(|| html_to_text(black_box(summary)))
    });
    let page = corpus::article_page("https://img.example/og.jpg?w=1200&amp;h=630");
    let head_end = page.find("</head").unwrap();
    let head = &page[..head_end];
    c.bench_function("preview image of a page head", |b| {
        b.iter(|| preview_image(black_box(head), &base).unwrap())
    });
}

fn big_feed(c: &mut Criterion) {
    // 20,000 items of about 5.7 KB: the size of the side-by-side harness's
    // 113 MB big.xml.
    let big = corpus::wordpress_feed_of_paragraphs(1, 20_000, "http://127.0.0.1:8080", 17);
    let mut group = c.benchmark_group("big feed");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(big.len() as u64));
    group.bench_function(
        format!("parse and extract {} MB", big.len() / 1_000_000),
        |b| {
            b.iter(|| {
                let parsed = parse_feed(black_box(big.clone().into_bytes()), None, None).unwrap();
                let context = FeedContext {
                    feed_identity: "big",
                    feed_url: None,
                    now: Utc::now(),
                };
                extract_items(&parsed.feed, &parsed.guid_not_a_link, &context)
                    .0
                    .len()
            })
        },
    );
    group.finish();
}

/// Hostile nesting: 100,000 `<div>` around a word (1.2 MB), and a quarter
/// of it, so that the two times show the cost per byte stays the same
/// (a tree builder took 26 s on the first).
fn nested_html(c: &mut Criterion) {
    let mut group = c.benchmark_group("nested html");
    group.sample_size(10);
    for (name, depth) in [("nested html 25k", 25_000), ("nested html 100k", 100_000)] {
        let html = format!("{}deep{}", "<div>".repeat(depth), "</div>".repeat(depth));
        group.throughput(Throughput::Bytes(html.len() as u64));
        group.bench_function(name, |b| b.iter(|| html_to_text(black_box(&html))));
    }
    group.finish();
}

criterion_group!(benches, stages, big_feed, nested_html);
criterion_main!(benches);
