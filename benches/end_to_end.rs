//! End to end, with public tools only: generates a corpus of WordPress-style
//! feeds (half their items with the image only in the article page's
//! og:image), serves it on loopback with ETags, and times a cold import and
//! a warm re-run (every feed answers 304) of the real binary.
//!
//! `cargo bench --bench end_to_end -- [FEEDS] [ITEMS]` (default 300 × 40).

mod corpus;

fn main() {
    let numbers: Vec<usize> = std::env::args().filter_map(|a| a.parse().ok()).collect();
    let feeds = numbers.first().copied().unwrap_or(300);
    let items = numbers.get(1).copied().unwrap_or(40);

    let site = corpus::serve_site(feeds, items);
    let (base, pages) = (&site.base, site.pages);

    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("feeds.toml"), &site.config).unwrap();
    let run = |label: &str| {
        println!("{label:<5} {:>8.3} s", corpus::timed_run(work.path(), &[]));
    };
    println!("{feeds} feeds × {items} items, {pages} article pages, served on {base}");
    run("cold");
    let written = std::fs::read_dir(work.path().join("content/papers"))
        .unwrap()
        .count();
    assert_eq!(written, feeds * items, "every item imported");
    run("warm");
}
