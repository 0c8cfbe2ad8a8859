//! How the cost of a run grows with what is already there, against one
//! served site of 250 feeds × 40 items (10,000 articles):
//! - a warm run with the 10,000 items of the first import in the state, then
//!   with 1,000,000 (the other 990,000 as records of articles imported long
//!   ago), once with every feed answering 304 and once with every feed sent
//!   again in full, so that each of its items is looked up in the state;
//! - `status` (as text and as JSON), the health page and a warm run writing
//!   the metrics file, over the small and the large state;
//! - a warm run over a content folder of 100,000 articles;
//! - the first run after the state is lost over those 100,000 articles (the
//!   reconcile path), against the cold import into an empty folder.
//!
//! `cargo bench --bench state_scale -- [STATE_ITEMS] [ARTICLES]` (default
//! 1000000 and 100000). Times are medians of 5 runs (3 for the reconcile).

mod corpus;

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Instant;

use feedimport::{ImportRecord, State};

const FEEDS: usize = 250;
const ITEMS: usize = 40;
const STATE_DIR: &str = ".feedimport";

fn main() {
    let numbers: Vec<usize> = std::env::args().filter_map(|a| a.parse().ok()).collect();
    let state_items = numbers.first().copied().unwrap_or(1_000_000);
    let articles = numbers.get(1).copied().unwrap_or(100_000);
    let imported = FEEDS * ITEMS;

    let site = corpus::serve_site(FEEDS, ITEMS);
    println!(
        "{FEEDS} feeds × {ITEMS} items, {} article pages, served on {}",
        site.pages, site.base
    );

    // Warm runs against a small and a large state.
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("feeds.toml"), &site.config).unwrap();
    let cold = corpus::timed_run(work.path(), &[]);
    assert_eq!(article_count(work.path()), imported);
    println!("cold import, empty folder             {cold:>8.3} s");

    let warm = |label: &str| {
        site.answer_304.store(true, Ordering::Relaxed);
        let not_modified = corpus::median_run(work.path(), &[], 5);
        site.answer_304.store(false, Ordering::Relaxed);
        let sent_again = corpus::median_run(work.path(), &[], 5);
        site.answer_304.store(true, Ordering::Relaxed);
        assert_eq!(
            article_count(work.path()),
            imported,
            "nothing imported twice"
        );
        println!("warm, {label:<13} every feed 304     {not_modified:>8.3} s");
        println!("warm, {label:<13} every feed again   {sent_again:>8.3} s");
        (not_modified, sent_again)
    };
    let small = warm(&format!("{imported} items"));
    let small_views = views(work.path(), &format!("{imported} items"));
    let started = Instant::now();
    add_old_records(
        &work.path().join(STATE_DIR),
        &site.base,
        state_items - imported,
    );
    println!(
        "(state grown to {state_items} items in {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    let large = warm(&format!("{state_items} items"));
    let large_views = views(work.path(), &format!("{state_items} items"));
    println!(
        "large / small state: {:.2}× (304), {:.2}× (sent again)",
        large.0 / small.0,
        large.1 / small.1
    );
    for ((label, small), (_, large)) in small_views.iter().zip(&large_views) {
        println!("large / small state, {label:<32} {:.2}×", large / small);
    }

    // A content folder of `articles` articles: warm, then without state.
    let started = Instant::now();
    add_old_articles(&work.path().join("content/papers"), articles - imported);
    assert_eq!(article_count(work.path()), articles);
    println!(
        "(content folder grown to {articles} articles in {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    let warm_large_folder = corpus::median_run(work.path(), &[], 5);
    println!("warm, {articles} articles in the folder    {warm_large_folder:>8.3} s");

    let mut reconciles: Vec<f64> = (0..3)
        .map(|_| {
            std::fs::remove_dir_all(work.path().join(STATE_DIR)).unwrap();
            let time = corpus::timed_run(work.path(), &[]);
            assert_eq!(
                article_count(work.path()),
                articles,
                "nothing imported twice"
            );
            time
        })
        .collect();
    reconciles.sort_by(f64::total_cmp);
    let reconcile = reconciles[1];
    println!("state lost, {articles} articles to reconcile {reconcile:>8.3} s");
    println!("reconcile run / cold import: {:.2}×", reconcile / cold);
}

/// The three views of the feeds' health (`status` as text and as JSON,
/// the health page) and a warm run (every feed 304) that writes the
/// metrics file: each timed, median of 5.
fn views(work: &Path, label: &str) -> Vec<(&'static str, f64)> {
    let timed = |args: &[&str]| -> f64 {
        let mut times: Vec<f64> = (0..5).map(|_| corpus::timed_command(work, args)).collect();
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    let measured = vec![
        ("status", timed(&["status"])),
        ("status --json", timed(&["status", "--json"])),
        (
            "status --html (the health page)",
            timed(&["status", "--html", "health.html"]),
        ),
        (
            "warm run, 304, --metrics-file",
            timed(&["-q", "run", "--force", "--metrics-file", "metrics.prom"]),
        ),
    ];
    for (what, time) in &measured {
        println!("{what:<32} {label:<16} {time:>8.3} s");
    }
    measured
}

fn article_count(work: &Path) -> usize {
    std::fs::read_dir(work.join("content/papers"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "md"))
        })
        .count()
}

/// Records `count` articles imported long ago (files since deleted) in the
/// state, spread over the feeds, as the importer records its own.
fn add_old_records(state_dir: &Path, base: &str, count: usize) {
    let state = State::open(state_dir).unwrap();
    state.begin().unwrap();
    for n in 0..count {
        let feed = format!("{base}/feeds/{}.xml", n % FEEDS);
        let key = format!("guid:{feed}#https://old.example/?p={n}");
        let source_url = format!("https://old.example/{}/{n}/", n % FEEDS);
        let permalink = format!("/papers/2019-01-01-an-article-imported-long-ago-{n}");
        let path = format!("papers/2019-01-01-an-article-imported-long-ago-{n}.md");
        state
            .record(&ImportRecord {
                key: &key,
                feed: &feed,
                source_url: &source_url,
                permalink: Some(&permalink),
                path: Some(&path),
                imported_at: "2019-01-01T08:00:00+00:00",
                has_image: Some(n % 2 == 0),
                shared_link: false,
                hashes: None,
            })
            .unwrap();
    }
    state.commit().unwrap();
}

/// Writes `count` more articles into `dir`, copies of the first one found
/// with their own source URL and permalink.
fn add_old_articles(dir: &Path, count: usize) {
    let model = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .find(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .unwrap();
    for n in 0..count {
        let stem = format!("2019-01-01-an-article-imported-long-ago-{n}");
        let text: String = model
            .lines()
            .map(|line| {
                if line.starts_with("sourceUrl:") {
                    format!("sourceUrl: https://old.example/{n}/\n")
                } else if line.starts_with("permalink:") {
                    format!("permalink: /papers/{stem}\n")
                } else {
                    format!("{line}\n")
                }
            })
            .collect();
        std::fs::write(dir.join(format!("{stem}.md")), text).unwrap();
    }
}
