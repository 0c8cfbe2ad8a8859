//! `feedimport backfill`: a feed's older items through its archive or next
//! pages (RFC 5005) or WordPress's `?paged=N`, with the run's rules, state
//! and de-duplication, and every way the pages end: the end of the
//! history, a 404, a page that repeats the last, nothing new, the page
//! limit, `--until`, a failure (run again to go on).

mod common;

use common::*;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const RSS: &str = "application/rss+xml; charset=UTF-8";

/// A site whose one feed, "History", is `/feed.xml` on `server`.
fn site_for(server: &MockServer, extra: &str) -> Site {
    // A page that fails is not tried again within the backfill.
    one_feed_site(&server.uri(), "History", "retries = 0\n", extra)
}

/// An RSS page with `items` and `channel` (raw XML: links, generator).
fn page(items: &[Item], channel: &str) -> String {
    rss(items)
        .replace(
            "<rss version=\"2.0\"",
            "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\"",
        )
        .replace(
            "<description>d</description>\n",
            &format!("<description>d</description>\n{channel}\n"),
        )
}

/// Items `from..to` of [`numbered_items`], newest first.
fn items(from: usize, to: usize) -> Vec<Item> {
    let all = numbered_items(to);
    all[from..to].iter().rev().cloned().collect()
}

fn backfill(site: &Site, args: &[&str], code: i32) -> std::process::Output {
    let mut all = vec!["backfill", "History", "--pause", "0s"];
    all.extend_from_slice(args);
    let output = site.run_within(&all, HANG);
    assert_eq!(
        output.status.code(),
        Some(code),
        "exit code of feedimport {all:?}\nstdout: {}\nstderr: {}",
        stdout(&output),
        stderr(&output)
    );
    output
}

async fn requests_to(server: &MockServer, route: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == route)
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_archived_feed_is_read_back_through_its_prev_archive_links() {
    let server = MockServer::start().await;
    let base = server.uri();
    serve(
        &server,
        "/feed.xml",
        RSS,
        &page(
            &items(6, 9),
            &format!(r#"<atom:link rel="prev-archive" href="{base}/archive/2.xml"/>"#),
        ),
    )
    .await;
    // A relative link, resolved against the page it is on.
    serve(
        &server,
        "/archive/2.xml",
        RSS,
        &page(
            &items(3, 6),
            r#"<atom:link rel="prev-archive" href="1.xml"/>"#,
        ),
    )
    .await;
    serve(&server, "/archive/1.xml", RSS, &page(&items(0, 3), "")).await;
    let site = site_for(&server, "");
    site.import(&[], 0);
    assert_eq!(titles(&site), numbered_titles(6..9));

    let output = backfill(&site, &[], 0);
    assert_eq!(titles(&site), numbered_titles(0..9));
    let summary = stderr(&output);
    assert!(
        summary.contains("backfill History: 3 pages read, wrote 6 new articles, 3 seen; ended: the feed names no older page"),
        "{summary}"
    );
    // The same state as a run: a run after it imports nothing again.
    let output = site.import(&["--force", "--json"], 0);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["feeds"][0]["new"], 0);
    assert_eq!(titles(&site).len(), 9);
}

#[tokio::test(flavor = "multi_thread")]
async fn paged_atom_and_json_feeds_are_read_by_their_next_links() {
    // Atom, rel="next".
    let server = MockServer::start().await;
    let base = server.uri();
    let entry = |n: usize| {
        format!(
            "<entry><title>Entry {n}</title><id>urn:entry:{n}</id><updated>2024-09-0{n}T10:00:00Z</updated><link href=\"https://news.example.org/e/{n}\"/><summary>S {n}.</summary></entry>"
        )
    };
    let atom = |entries: &[usize], next: Option<&str>| {
        format!(
            r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:feed</id><updated>2024-09-09T00:00:00Z</updated>{}{}</feed>"#,
            next.map(|n| format!("<link rel=\"next\" href=\"{n}\"/>"))
                .unwrap_or_default(),
            entries.iter().map(|&n| entry(n)).collect::<String>()
        )
    };
    let next_2 = format!("{base}/feed.xml?page=2");
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .and(query_param_is_missing("page"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(atom(&[6, 5], Some(&next_2)), "application/atom+xml"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .and(query_param("page", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(atom(&[4, 3], Some("?page=3")), "application/atom+xml"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .and(query_param("page", "3"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(atom(&[2, 1], None), "application/atom+xml"),
        )
        .mount(&server)
        .await;
    let site = site_for(&server, "");
    backfill(&site, &[], 0);
    let mut got = titles(&site);
    got.sort();
    assert_eq!(
        got,
        (1..=6).map(|n| format!("Entry {n}")).collect::<Vec<_>>()
    );

    // JSON Feed, next_url.
    let server = MockServer::start().await;
    let base = server.uri();
    let json = |numbers: &[usize], next: Option<String>| {
        serde_json::json!({
            "version": "https://jsonfeed.org/version/1.1",
            "title": "J",
            "next_url": next,
            "items": numbers.iter().map(|n| serde_json::json!({
                "id": format!("j{n}"),
                "url": format!("https://news.example.org/j/{n}"),
                "title": format!("Post {n}"),
                "content_text": format!("Text {n}."),
                "date_published": format!("2024-09-0{n}T10:00:00Z"),
            })).collect::<Vec<_>>(),
        })
        .to_string()
    };
    serve(
        &server,
        "/feed.xml",
        "application/feed+json",
        &json(&[4, 3], Some(format!("{base}/feed-2.json"))),
    )
    .await;
    serve(
        &server,
        "/feed-2.json",
        "application/feed+json",
        &json(&[2, 1], None),
    )
    .await;
    let site = site_for(&server, "");
    backfill(&site, &[], 0);
    assert_eq!(
        titles(&site),
        (1..=4).map(|n| format!("Post {n}")).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wordpress_feed_is_paged_until_its_404() {
    let server = MockServer::start().await;
    let generator = "<generator>https://wordpress.org/?v=6.6.2</generator>";
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .and(query_param_is_missing("paged"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(page(&items(4, 6), generator), RSS))
        .mount(&server)
        .await;
    for (paged, from) in [("2", 2), ("3", 0)] {
        Mock::given(method("GET"))
            .and(path("/feed.xml"))
            .and(query_param("paged", paged))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(page(&items(from, from + 2), generator), RSS),
            )
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .and(query_param("paged", "4"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let site = site_for(&server, "");
    let output = backfill(&site, &[], 0);
    assert_eq!(titles(&site), numbered_titles(0..6));
    assert!(
        stderr(&output).contains("ended: the next page answered 404: the end of the history"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_ignores_paged_and_sends_page_one_again_is_not_looped() {
    let server = MockServer::start().await;
    // Every page asked for is the first one, with a new timestamp each
    // time: only the items tell that it repeats.
    let body = page(
        &items(0, 3),
        "<generator>https://wordpress.org/?v=6.6.2</generator>",
    );
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(move |request: &wiremock::Request| {
            let stamp = format!("<lastBuildDate>{}</lastBuildDate>", request.url);
            ResponseTemplate::new(200)
                .set_body_raw(body.replace("<description>d</description>", &stamp), RSS)
        })
        .mount(&server)
        .await;
    let site = site_for(&server, "");
    let output = backfill(&site, &[], 0);
    assert_eq!(titles(&site), numbered_titles(0..3));
    assert!(
        stderr(&output).contains("2 pages read")
            && stderr(&output).contains("ended: a page repeated the one before"),
        "{}",
        stderr(&output)
    );
    assert_eq!(requests_to(&server, "/feed.xml").await, 2);
}

/// Five archive pages, two items each: `/p/0.xml` (the feed) to `/p/4.xml`.
async fn five_pages(server: &MockServer) {
    let base = server.uri();
    for n in 0..5 {
        let route = if n == 0 {
            "/feed.xml".to_string()
        } else {
            format!("/p/{n}.xml")
        };
        let link = if n < 4 {
            format!(
                r#"<atom:link rel="prev-archive" href="{base}/p/{}.xml"/>"#,
                n + 1
            )
        } else {
            String::new()
        };
        let from = 8 - 2 * n;
        serve(server, &route, RSS, &page(&items(from, from + 2), &link)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_limit_stops_a_backfill_and_the_next_one_goes_on_from_there() {
    let server = MockServer::start().await;
    five_pages(&server).await;
    let site = site_for(&server, "");
    let output = backfill(&site, &["--pages", "2"], 0);
    assert_eq!(titles(&site), numbered_titles(6..10));
    assert!(
        stderr(&output).contains("ended: the page limit (--pages) was reached"),
        "{}",
        stderr(&output)
    );
    // The next backfill starts at the third page, not the first.
    backfill(&site, &["--pages", "2"], 0);
    assert_eq!(titles(&site), numbered_titles(2..10));
    assert_eq!(requests_to(&server, "/feed.xml").await, 1);
    let output = backfill(&site, &[], 0);
    assert_eq!(titles(&site), numbered_titles(0..10));
    assert!(stderr(&output).contains("ended: the feed names no older page"));
    // Ended: the one after starts from the feed again, and stops at its
    // second page, which holds nothing new.
    let output = backfill(&site, &[], 0);
    assert!(
        stderr(&output).contains("2 pages read, wrote 0 new articles")
            && stderr(&output).contains("ended: a page held nothing new"),
        "{}",
        stderr(&output)
    );
    assert_eq!(requests_to(&server, "/feed.xml").await, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn until_imports_nothing_older_and_stops_at_the_first_page_past_it() {
    let server = MockServer::start().await;
    five_pages(&server).await;
    let site = site_for(&server, "");
    // Items 5 and later are from 00:05 on: the third page holds 5 and 4,
    // the fourth only older ones.
    let output = backfill(&site, &["--until", "2024-09-02T00:05:00Z"], 0);
    assert_eq!(titles(&site), numbered_titles(5..10));
    assert!(
        stderr(&output).contains("4 pages read")
            && stderr(&output).contains("ended: the pages reached --until"),
        "{}",
        stderr(&output)
    );
    assert_eq!(requests_to(&server, "/p/4.xml").await, 0);
    let output = site.run(&["backfill", "History", "--until", "yesterday"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("is not a date"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_page_exits_1_and_the_next_backfill_resumes_there() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/p/2.xml"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    five_pages(&server).await;
    let site = site_for(&server, "");
    let output = backfill(&site, &[], 1);
    assert_eq!(titles(&site), numbered_titles(6..10));
    assert!(
        stderr(&output).contains("/p/2.xml: HTTP 503")
            && stderr(&output).contains("run it again to go on from that page"),
        "{}",
        stderr(&output)
    );
    backfill(&site, &[], 0);
    assert_eq!(titles(&site), numbered_titles(0..10));
    assert_eq!(requests_to(&server, "/feed.xml").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_next_link_to_another_host_is_refused() {
    let server = MockServer::start().await;
    let other = MockServer::start().await;
    serve(&other, "/older.xml", RSS, &page(&items(0, 3), "")).await;
    // Another port of the same machine, by another name: another host.
    let elsewhere = other.uri().replace("127.0.0.1", "localhost");
    serve(
        &server,
        "/feed.xml",
        RSS,
        &page(
            &items(3, 6),
            &format!(r#"<atom:link rel="next" href="{elsewhere}/older.xml"/>"#),
        ),
    )
    .await;
    let site = site_for(&server, "");
    let output = backfill(&site, &[], 1);
    assert!(
        stderr(&output).contains("is on another host than the feed: not followed"),
        "{}",
        stderr(&output)
    );
    assert_eq!(titles(&site), numbered_titles(3..6));
    assert_eq!(other.received_requests().await.unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_prints_the_files_and_changes_nothing() {
    let server = MockServer::start().await;
    five_pages(&server).await;
    let site = site_for(&server, "");
    let output = backfill(&site, &["--dry-run", "--pages", "2"], 0);
    assert!(site.content().is_empty());
    assert_eq!(stdout(&output).matches("==> content/news/").count(), 4);
    assert!(
        stderr(&output).starts_with("dry run, nothing written: "),
        "{}",
        stderr(&output)
    );
    // No bookmark either: a real backfill starts from the feed.
    backfill(&site, &["--pages", "1"], 0);
    assert_eq!(titles(&site), numbered_titles(8..10));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_usage_exits_2_naming_the_problem() {
    let server = MockServer::start().await;
    five_pages(&server).await;
    let site = site_for(&server, "");
    let output = site.run(&["backfill", "Nope"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no feed named \"Nope\""),
        "{}",
        stderr(&output)
    );
    for pages in ["0", "1001", "many"] {
        let output = site.run(&["backfill", "History", "--pages", pages]);
        assert_eq!(output.status.code(), Some(2), "--pages {pages}");
    }
    let output = site.run(&["backfill", "History", "--pause", "2h"]);
    assert_eq!(output.status.code(), Some(2));
    // A saved feed file has no pages.
    let file_site = Site::new(&config(&[("Saved", "saved.xml", "news")]));
    file_site.write("saved.xml", &page(&items(0, 2), ""));
    let output = file_site.run(&["backfill", "Saved"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("backfill reads the pages of http(s) feeds"),
        "{}",
        stderr(&output)
    );
    // Two feeds of one name: a backfill reads one, and says which to rename.
    let uri = server.uri();
    let shared = Site::new(&config(&[
        ("Twins", &format!("{uri}/feed.xml"), "news"),
        ("Twins", &format!("{uri}/p/1.xml"), "news"),
    ]));
    let output = shared.run(&["--allow-duplicate-names", "backfill", "Twins"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("are named \"Twins\": backfill reads one; rename them apart"),
        "{}",
        stderr(&output)
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interrupted_backfill_is_simply_run_again() {
    let server = MockServer::start().await;
    // The third page never answers: the signal comes while it is asked for.
    Mock::given(method("GET"))
        .and(path("/p/2.xml"))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(3600)))
        .with_priority(1)
        .mount(&server)
        .await;
    five_pages(&server).await;
    let site = site_for(&server, "");
    let running = site.start(&["backfill", "History", "--pause", "0s"]);
    wait_until("the first two pages' articles", || {
        site.content().len() == 4
    });
    let output = interrupt(running);
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("2 pages read, wrote 4 new articles")
            && stderr(&output).contains("ended: interrupted; run it again to go on"),
        "{}",
        stderr(&output)
    );
    // Run again, it goes on from where it stopped (the second page, or
    // the third, as the signal found it); from the first page, it would
    // stop at the second: nothing new there.
    server.reset().await;
    five_pages(&server).await;
    let output = backfill(&site, &[], 0);
    assert_eq!(titles(&site), numbered_titles(0..10));
    assert!(
        stderr(&output).contains("wrote 6 new articles")
            && stderr(&output).contains("ended: the feed names no older page"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_older_page_redirecting_to_another_host_is_not_followed() {
    let server = MockServer::start().await;
    let other = MockServer::start().await;
    serve(&other, "/older.xml", RSS, &page(&items(0, 3), "")).await;
    let elsewhere = other.uri().replace("127.0.0.1", "localhost");
    let base = server.uri();
    serve(
        &server,
        "/feed.xml",
        RSS,
        &page(
            &items(3, 6),
            &format!(r#"<atom:link rel="next" href="{base}/older.xml"/>"#),
        ),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/older.xml"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("location", format!("{elsewhere}/older.xml")),
        )
        .mount(&server)
        .await;
    let site = site_for(&server, "");
    let output = backfill(&site, &[], 1);
    assert!(
        stderr(&output).contains("/older.xml, which is neither the feed's host"),
        "{}",
        stderr(&output)
    );
    assert_eq!(titles(&site), numbered_titles(3..6));
    assert_eq!(other.received_requests().await.unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_feeds_max_age_ends_a_backfill_as_until_does() {
    let server = MockServer::start().await;
    let base = server.uri();
    // The feed's items are recent; its older page's are not.
    let now = chrono::Utc::now();
    let dated = |n: usize, days_ago: i64| {
        Item::new(
            &format!("Article number {n}"),
            &format!("https://news.example.org/a/{n}"),
            &(now - chrono::Duration::days(days_ago)).to_rfc2822(),
        )
    };
    serve(
        &server,
        "/feed.xml",
        RSS,
        &page(
            &[dated(3, 1), dated(2, 2)],
            &format!(r#"<atom:link rel="prev-archive" href="{base}/p/1.xml"/>"#),
        ),
    )
    .await;
    serve(
        &server,
        "/p/1.xml",
        RSS,
        &page(
            &[dated(1, 400), dated(0, 500)],
            &format!(r#"<atom:link rel="prev-archive" href="{base}/p/2.xml"/>"#),
        ),
    )
    .await;
    let site = site_for(&server, "max_age = \"30d\"\n");
    let output = backfill(&site, &[], 0);
    assert_eq!(titles(&site), numbered_titles(2..4));
    assert!(
        stderr(&output).contains("ended: the pages reached --until (or the feed's max_age)"),
        "{}",
        stderr(&output)
    );
    assert_eq!(requests_to(&server, "/p/2.xml").await, 0);
}
