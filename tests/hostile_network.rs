//! End-to-end: what a hostile network can make of a run. Redirects and
//! saved moves that lead a public feed inside, article pages on other
//! hosts and `article_hosts`, URLs that would become Markdown links, and article pages
//! that never answer.
//!
//! Why no end-to-end test of a *public* feed redirected inside: every test
//! server is on loopback, and the address rule rightly calls loopback
//! private, so a feed served by a test is a private feed, allowed to stay
//! private. Weakening the rule for tests would test something else. The
//! decision is tested as a table in `address::tests` (configured URL ×
//! hop × what names resolve to), the fetcher's hop check in
//! `fetch::tests`, and here, end to end, the part a test can reach honestly:
//! a move saved by an earlier version, from a public name to loopback.

mod common;

use common::markdown::links_and_html;
use common::*;
use std::process::Command;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn redirect(server: &MockServer, route: &str, status: u16, location: &str) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(ResponseTemplate::new(status).insert_header("location", location))
        .mount(server)
        .await;
}

/// How many requests `server` saw for `route`.
async fn requests_for(server: &MockServer, route: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == route)
        .count()
}

fn page_with_og_image(image: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html><head><title>Post</title>
<meta property="og:image" content="{image}"></head><body><p>Text.</p></body></html>"#
    )
}

/// A public feed (its name is one that never resolves: RFC 6761 `.invalid`)
/// whose permanent move to loopback was saved by an earlier version: the
/// move crosses the address rule, so it is ignored and the configured URL
/// fetched instead; the internal document is never requested.
#[tokio::test(flavor = "multi_thread")]
async fn a_saved_move_from_a_public_feed_to_loopback_is_not_followed() {
    let internal = MockServer::start().await;
    let items = [Item::new(
        "Internal memo",
        "https://news.example.org/memo",
        "Mon, 02 Sep 2024 08:00:00 +0000",
    )];
    serve(
        &internal,
        "/internal.xml",
        "application/rss+xml",
        &rss(&items),
    )
    .await;
    let site = Site::new(&format!(
        "retries = 0\n{}",
        config(&[("Public", "http://feed.invalid/rss", "news")])
    ));
    // A first run records the feed (its fetch fails: the name does not
    // resolve); then the state is given the move an earlier version saved.
    site.import(&[], 1);
    let state = rusqlite::Connection::open(site.path().join(".feedimport/state.sqlite3")).unwrap();
    let moved = format!("{}/internal.xml", internal.uri());
    let updated = state
        .execute(
            "UPDATE feeds SET moved_to = ?1 WHERE url = 'http://feed.invalid/rss'",
            [&moved],
        )
        .unwrap();
    assert_eq!(updated, 1, "the feed's record exists");
    drop(state);

    let output = site.run(&["run", "--force"]);
    assert_eq!(
        requests_for(&internal, "/internal.xml").await,
        0,
        "the internal document was requested\n{}",
        stderr(&output)
    );
    assert!(site.content().is_empty(), "{:?}", site.content().keys());
    assert!(
        stderr(&output).contains("would cross between public and private addresses"),
        "{}",
        stderr(&output)
    );
}

/// A feed on loopback may redirect within loopback (it is private itself),
/// and its permanent move is reported.
#[tokio::test(flavor = "multi_thread")]
async fn a_private_feed_may_move_within_private_addresses() {
    let server = MockServer::start().await;
    let port = url::Url::parse(&server.uri()).unwrap().port().unwrap();
    let items = [Item::new(
        "Moved",
        "https://news.example.org/moved",
        "Mon, 02 Sep 2024 08:00:00 +0000",
    )];
    redirect(
        &server,
        "/old.xml",
        301,
        &format!("http://localhost:{port}/new.xml"),
    )
    .await;
    serve(&server, "/new.xml", "application/rss+xml", &rss(&items)).await;
    let site = Site::new(&config(&[(
        "Intranet",
        &format!("{}/old.xml", server.uri()),
        "news",
    )]));
    let output = site.import(&[], 0);
    assert_eq!(site.content().len(), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "moved permanently to http://localhost:{port}/new.xml"
        )),
        "{}",
        stderr(&output)
    );
}

/// A feed whose items link to pages on another host (a feed service, a
/// feeds subdomain): the pages are read there by default, directly or
/// through a redirect to a third host, and `check --online` names them.
/// Here the other host is `localhost`, for a feed on `127.0.0.1`.
#[tokio::test(flavor = "multi_thread")]
async fn article_pages_on_other_hosts_are_read_by_default() {
    let server = MockServer::start().await;
    let base = server.uri();
    let port = url::Url::parse(&base).unwrap().port().unwrap();
    let other = format!("http://localhost:{port}");
    let items = [
        Item::new(
            "Linked elsewhere",
            &format!("{other}/story/1"),
            "Mon, 02 Sep 2024 08:00:00 +0000",
        ),
        Item::new(
            "Redirected elsewhere",
            &format!("{base}/a/2"),
            "Mon, 02 Sep 2024 09:00:00 +0000",
        ),
    ];
    serve(&server, "/feed.xml", "application/rss+xml", &rss(&items)).await;
    serve(
        &server,
        "/story/1",
        "text/html",
        &page_with_og_image("https://images.example.org/one.jpg"),
    )
    .await;
    redirect(&server, "/a/2", 301, &format!("{other}/story/2")).await;
    serve(
        &server,
        "/story/2",
        "text/html",
        &page_with_og_image("https://images.example.org/two.jpg"),
    )
    .await;
    let site = Site::new(&config(&[(
        "Loopback",
        &format!("{base}/feed.xml"),
        "news",
    )]));
    let check = site.run(&["check", "--online"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let listed = String::from_utf8_lossy(&check.stdout);
    assert!(
        listed.contains(&format!("article page to read: {other}/story/1")),
        "{listed}"
    );
    assert!(
        listed.contains(&format!("article page to read: {base}/a/2")),
        "{listed}"
    );
    let output = site.import(&[], 0);
    let images: std::collections::BTreeMap<String, String> = site
        .content()
        .values()
        .map(|text| {
            let front = front_matter(text);
            (
                front["title"].as_str().unwrap().to_string(),
                front["imageUrl"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        images,
        [
            ("Linked elsewhere", "https://images.example.org/one.jpg"),
            ("Redirected elsewhere", "https://images.example.org/two.jpg"),
        ]
        .map(|(t, i)| (t.to_string(), i.to_string()))
        .into(),
        "{}",
        stderr(&output)
    );
}

/// With `article_hosts`, pages are read only on the feed's host and those:
/// a page on another host is not asked for, and a page that redirects to
/// another host (here `localhost`, for a feed on `127.0.0.1`) is not
/// followed there, at any hop. The article is written with its other image
/// source.
#[tokio::test(flavor = "multi_thread")]
async fn article_hosts_keep_article_pages_to_the_hosts_listed() {
    let server = MockServer::start().await;
    let base = server.uri();
    let port = url::Url::parse(&base).unwrap().port().unwrap();
    let mut redirected = Item::new(
        "Redirected page",
        &format!("{base}/a/1"),
        "Mon, 02 Sep 2024 08:00:00 +0000",
    );
    redirected.description = Some(
        "&lt;p&gt;Text.&lt;img src=\"https://images.example.org/in-content.jpg\" width=\"800\" height=\"600\"&gt;&lt;/p&gt;"
            .into(),
    );
    let elsewhere = Item::new(
        "Page elsewhere",
        &format!("http://localhost:{port}/story/3"),
        "Mon, 02 Sep 2024 09:00:00 +0000",
    );
    serve(
        &server,
        "/feed.xml",
        "application/rss+xml",
        &rss(&[redirected, elsewhere]),
    )
    .await;
    redirect(
        &server,
        "/a/1",
        301,
        &format!("http://localhost:{port}/elsewhere/1"),
    )
    .await;
    for route in ["/elsewhere/1", "/story/3"] {
        serve(
            &server,
            route,
            "text/html",
            &page_with_og_image("https://images.example.org/from-other-host.jpg"),
        )
        .await;
    }
    let narrowed = config(&[("Loopback", &format!("{base}/feed.xml"), "news")])
        + "article_hosts = [\"cdn.example.org\"]\n";
    let site = Site::new(&narrowed);
    let check = site.run(&["check", "--online"]);
    let listed = String::from_utf8_lossy(&check.stdout);
    assert!(!listed.contains("/story/3"), "{listed}");
    let output = site.import(&[], 0);
    assert_eq!(requests_for(&server, "/a/1").await, 1);
    for route in ["/elsewhere/1", "/story/3"] {
        assert_eq!(
            requests_for(&server, route).await,
            0,
            "{route} was fetched\n{}",
            stderr(&output)
        );
    }
    let files = site.content();
    assert_eq!(files.len(), 2, "{}", stderr(&output));
    let redirected = files
        .values()
        .map(|text| front_matter(text))
        .find(|front| front["title"].as_str() == Some("Redirected page"))
        .unwrap();
    assert_eq!(
        redirected["imageUrl"].as_str(),
        Some("https://images.example.org/in-content.jpg")
    );
    assert!(
        stderr(&output).contains("neither the feed's host nor one of its article_hosts"),
        "{}",
        stderr(&output)
    );
}

/// Links and image URLs that would become Markdown links to `javascript:`
/// (or break out of an attribute) are written as inert http(s) URLs, in the
/// body and in the front matter.
#[tokio::test(flavor = "multi_thread")]
async fn urls_cannot_inject_links_into_the_body() {
    let server = MockServer::start().await;
    let base = server.uri();
    let hostile = [
        ("Path", format!("{base}/a/[click me](javascript:alert(1))")),
        ("Query", format!("{base}/b?x=[y](javascript:alert(1))")),
        ("Fragment", format!("{base}/c#[y](javascript:alert(1))")),
        ("Quotes", format!("{base}/d/it's-\"quoted\"")),
    ];
    let items: Vec<Item> = hostile
        .iter()
        .enumerate()
        .map(|(i, (title, link))| {
            let mut item = Item::new(
                title,
                &link.replace('&', "&amp;").replace('<', "&lt;"),
                &format!("Mon, 02 Sep 2024 08:0{i}:00 +0000"),
            );
            item.image = Some(format!("{base}/img/o'clock-[x](javascript:alert(1)).jpg"));
            item
        })
        .collect();
    serve(&server, "/feed.xml", "application/rss+xml", &rss(&items)).await;
    let site = Site::new(&config(&[("Hostile", &format!("{base}/feed.xml"), "news")]));
    let output = site.import(&[], 0);
    let files = site.content();
    assert_eq!(files.len(), hostile.len(), "{}", stderr(&output));
    for (name, text) in &files {
        let (links, html) = links_and_html(body(text));
        assert_eq!(
            links.len(),
            1,
            "{name}: only the image is a link: {links:?}\n{text}"
        );
        assert!(
            links
                .iter()
                .all(|l| l.starts_with("http://") || l.starts_with("https://")),
            "{name}: {links:?}"
        );
        assert!(!html, "{name}: raw HTML\n{text}");
        let front = front_matter(text);
        for key in ["sourceUrl", "imageUrl", "imageCredit"] {
            let value = front[key].as_str().unwrap();
            assert!(
                !value.contains(['[', ']', '(', ')', '<', '>', '"', '\'']),
                "{name}: {key} = {value}"
            );
        }
    }
}

/// A feed at `/feed.xml` whose article pages (every other path) never
/// answer: each page request is counted, then held until the client gives
/// up. Returns the base URL and the count.
fn feed_with_silent_pages(
    items: impl Fn(&str) -> Vec<Item> + Send + Sync + 'static,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::Read;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, OnceLock};
    let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let pages = Arc::new(AtomicUsize::new(0));
    let (shared_base, shared_pages) = (base.clone(), pages.clone());
    let items = Arc::new(items);
    let url = raw_server(move |mut stream| {
        let head = read_request_head(&mut stream);
        if head.starts_with("GET /feed.xml ") {
            let base = shared_base.get().expect("the base is known");
            write_answer(
                &mut stream,
                "application/rss+xml",
                rss(&items(base)).as_bytes(),
            );
        } else {
            shared_pages.fetch_add(1, Ordering::SeqCst);
            // Silent until the client hangs up.
            let mut sink = [0u8; 1024];
            while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
        }
    });
    base.set(url.clone()).unwrap();
    (url, pages)
}

/// A feed whose 200 article pages never answer holds the run no longer than
/// its page budget (twice `timeout`): its items are written with their
/// other image sources, and the healthy feed listed after it is written
/// too. Before the budget, the pages took 200 × 1 s / `per_host` = 100 s,
/// past the test's hang guard. A SIGTERM sent once the healthy feed's file
/// is on disk leaves it there.
#[tokio::test(flavor = "multi_thread")]
async fn article_pages_that_never_answer_do_not_hold_the_next_feed() {
    const SLOW_ITEMS: usize = 200;
    let (slow, page_requests) = feed_with_silent_pages(|base| {
        (0..SLOW_ITEMS)
            .map(|i| {
                let mut item = Item::new(
                    &format!("Slow story {i}"),
                    &format!("{base}/a/{i}"),
                    &format!("Mon, 02 Sep 2024 {:02}:{:02}:00 +0000", i / 60, i % 60),
                );
                item.description = Some(format!(
                    "&lt;p&gt;Text.&lt;img src=\"https://images.example.org/{i}.jpg\" width=\"800\" height=\"600\"&gt;&lt;/p&gt;"
                ));
                item
            })
            .collect()
    });
    let healthy = MockServer::start().await;
    let mut item = Item::new(
        "Healthy story",
        "https://news.example.org/healthy",
        "Mon, 02 Sep 2024 09:00:00 +0000",
    );
    item.image = Some("https://images.example.org/healthy.jpg".into());
    serve(&healthy, "/feed.xml", "application/rss+xml", &rss(&[item])).await;
    let mut text = config(&[
        ("Slow pages", &format!("{slow}/feed.xml"), "slow"),
        ("Healthy", &format!("{}/feed.xml", healthy.uri()), "news"),
    ]);
    text.insert_str(0, "timeout = \"1s\"\nretries = 0\n");
    let site = Site::new(&text);
    let run = site.start(&["run"]);
    wait_until("the slow feed's page requests", || {
        page_requests.load(std::sync::atomic::Ordering::SeqCst) > 0
    });
    let healthy_file = site.path().join("content/news/2024-09-02-healthy-story.md");
    wait_until("the healthy feed's article", || healthy_file.exists());
    // The run may have ended on its own meanwhile: then there is no one to
    // signal, and that is fine.
    let _signalled = Command::new("kill")
        .args(["-TERM", &run.id().to_string()])
        .status();
    let output = finish_within(run, HANG, "the run after SIGTERM");
    assert!(
        matches!(output.status.code(), Some(0 | 130)),
        "{}",
        stderr(&output)
    );
    assert!(healthy_file.exists(), "{}", stderr(&output));
    let files = site.content();
    let slow_files: Vec<&String> = files.keys().filter(|k| k.starts_with("slow/")).collect();
    assert_eq!(slow_files.len(), SLOW_ITEMS, "{}", stderr(&output));
    for name in slow_files {
        let front = front_matter(&files[name]);
        let source = front["sourceUrl"].as_str().unwrap();
        let number = source.rsplit('/').next().unwrap();
        // Each item keeps its own content image.
        assert_eq!(
            front["imageUrl"].as_str(),
            Some(format!("https://images.example.org/{number}.jpg").as_str()),
            "{name}"
        );
    }
    let log = stderr(&output);
    assert!(
        log.contains("article pages not read within 2s (twice the timeout)")
            && log.contains("Slow pages"),
        "{log}"
    );
}

/// A host that cannot be reached at all (here a name that never resolves:
/// RFC 6761 `.invalid`) costs the feed one failure, not one per page: its
/// other pages are not tried in that run, and the warning says so. A
/// second host that fails the same way is given up on its own.
#[test]
fn an_unreachable_host_is_not_tried_for_every_page() {
    const PAGES: usize = 60;
    let site = Site::new(&config(&[("Saved", "feed.xml", "papers")]));
    let items: Vec<Item> = (0..PAGES)
        .map(|i| {
            let host = if i % 2 == 0 {
                "gone.invalid"
            } else {
                "away.invalid"
            };
            Item::new(
                &format!("Story {i}"),
                &format!("https://{host}/a/{i}"),
                "Mon, 02 Sep 2024 08:00:00 +0000",
            )
        })
        .collect();
    site.write("feed.xml", &rss(&items));
    let output = site.import(&[], 0);
    let said = stderr(&output);
    let tried = said
        .lines()
        .filter(|l| l.contains("cannot read the article page for its image"))
        .count();
    assert!(
        (2..PAGES / 2).contains(&tried),
        "{tried} pages tried:\n{said}"
    );
    for host in ["gone.invalid", "away.invalid"] {
        assert!(
            said.lines().any(|l| l.contains(host)
                && l.contains("the feed's other pages on that host are not tried in this run")),
            "{host}: {said}"
        );
    }
    assert_eq!(site.content().len(), PAGES);
}
