//! End-to-end: `feedimport add URL` finds a site's feed from a feed's URL
//! or any page of the site, and appends it to `feeds.toml` without
//! touching a byte of what was there; what it refuses leaves the file as
//! it was.
//!
//! Every test server is on loopback, so the sites here are private ones,
//! which their own pages may lead into (as a feed configured on loopback
//! may): that a public page never leads to a private address is tested in
//! `discover::tests`, where the rule is the public one.

mod common;

use common::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A config written by hand: comments, a blank line, a feed read from a
/// file (so that `check` needs no network).
const HAND_WRITTEN: &str = "# Our site's feeds.\ntimezone = \"Europe/Paris\"   # Paris time\ntags = [\"France\"]\n\n[[feeds]]\nname = \"Saved\"\nurl = \"saved.xml\"        # a saved copy\nsection = \"papers\"\n# interval = \"30m\"\n";

fn page(head: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><title>A blog</title>\n{head}\n</head><body><p>Hello.</p></body></html>\n"
    )
}

fn feed_titled(title: &str, items: usize) -> String {
    rss(&numbered_items(items)).replace(
        "<title>Test feed</title>",
        &format!("<title>{title}</title>"),
    )
}

async fn redirect(server: &MockServer, route: &str, status: u16, location: &str) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(ResponseTemplate::new(status).insert_header("location", location))
        .mount(server)
        .await;
}

fn site() -> Site {
    let site = Site::new(HAND_WRITTEN);
    site.write(
        "saved.xml",
        &rss(&[Item::new(
            "Saved item",
            "https://saved.example.org/1",
            "Mon, 02 Sep 2024 08:00:00 +0000",
        )]),
    );
    site
}

fn config_text(site: &Site) -> String {
    std::fs::read_to_string(site.path().join("feeds.toml")).unwrap()
}

/// The `[[feeds]]` of the site's config, as (name, url, section, tags).
fn feeds(site: &Site) -> Vec<(String, String, String, Vec<String>)> {
    let table: toml::Table = toml::from_str(&config_text(site)).unwrap();
    table["feeds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let text = |key: &str| f[key].as_str().unwrap().to_string();
            let tags = f
                .get("tags")
                .and_then(|t| t.as_array())
                .map(|t| t.iter().map(|v| v.as_str().unwrap().to_string()).collect())
                .unwrap_or_default();
            (text("name"), text("url"), text("section"), tags)
        })
        .collect()
}

fn expect(output: &std::process::Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(output),
        stderr(output)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_announcing_feeds_gives_the_first_appended_after_the_files_own_text() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/2024/09/a-post/",
        "text/html; charset=utf-8",
        &page(
            r#"<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="A blog &#187; Feed" href="/feed/">
<link rel="alternate" type="application/rss+xml" title="A blog &#187; Comments" href="../../../comments/feed/">"#,
        ),
    )
    .await;
    serve(
        &server,
        "/feed/",
        "application/rss+xml",
        &feed_titled("A blog", 3),
    )
    .await;
    serve(
        &server,
        "/comments/feed/",
        "application/rss+xml",
        &feed_titled("Comments on A blog", 2),
    )
    .await;
    let site = site();

    let output = site.run(&["add", &format!("{}/2024/09/a-post/", server.uri())]);
    expect(&output, 0);
    let out = stdout(&output);
    assert!(out.contains("announces 2 feeds"), "{out}");
    assert!(
        out.contains(&format!("* 1. {}/feed/", server.uri())),
        "{out}"
    );
    assert!(
        out.contains(&format!("2. {}/comments/feed/", server.uri())),
        "{out}"
    );
    // What a first run would import, as `check --online` says it.
    assert!(out.contains("3 items"), "{out}");

    let text = config_text(&site);
    assert!(text.starts_with(HAND_WRITTEN), "{text}");
    assert_eq!(
        feeds(&site)[1],
        (
            "A blog".to_string(),
            format!("{}/feed/", server.uri()),
            "papers".to_string(),
            vec![]
        )
    );
    expect(&site.run(&["check"]), 0);
    // A first run imports what was announced.
    site.import(&[], 0);
    assert_eq!(site.content().len(), 4);

    // The same feed again, by its URL, by the page, or through a permanent
    // or temporary redirect: refused, naming the feed that has it.
    redirect(&server, "/old-feed", 301, "/feed/").await;
    redirect(&server, "/latest", 302, "/feed/").await;
    for asked in ["/feed/", "/2024/09/a-post/", "/old-feed", "/latest"] {
        let output = site.run(&["add", &format!("{}{asked}", server.uri())]);
        expect(&output, 2);
        assert!(
            stderr(&output).contains("feed \"A blog\" already reads"),
            "{asked}: {}",
            stderr(&output)
        );
        assert_eq!(config_text(&site), text, "{asked}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pick_chooses_among_the_announced_feeds() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/",
        "text/html",
        &page(&format!(
            r#"<base href="{0}/en/">
<link rel="alternate home" type="application/atom+xml" href="atom.xml">
<link rel="alternate" type="application/feed+json" title="JSON Feed" href="feed.json">"#,
            server.uri()
        )),
    )
    .await;
    serve(&server, "/en/atom.xml", "application/atom+xml", "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Atom one</title><id>urn:x</id><updated>2024-09-02T10:00:00Z</updated></feed>").await;
    serve(
        &server,
        "/en/feed.json",
        "application/feed+json",
        r#"{"version": "https://jsonfeed.org/version/1.1", "title": "JSON one", "items": [{"id": "1", "url": "https://news.example.org/j/1", "title": "One", "content_text": "Text.", "date_published": "2024-09-02T10:00:00Z"}]}"#,
    )
    .await;
    let site = site();
    let before = config_text(&site);

    let output = site.run(&["add", &server.uri(), "--pick", "3"]);
    expect(&output, 2);
    assert!(
        stderr(&output).contains("announces 2 feeds"),
        "{}",
        stderr(&output)
    );
    assert_eq!(config_text(&site), before);

    let output = site.run(&[
        "add",
        &server.uri(),
        "--pick",
        "2",
        "--section",
        "news",
        "--tags",
        "Tech, Web",
    ]);
    expect(&output, 0);
    assert_eq!(
        feeds(&site)[1],
        (
            "JSON one".to_string(),
            format!("{}/en/feed.json", server.uri()),
            "news".to_string(),
            vec!["Tech".to_string(), "Web".to_string()]
        )
    );
    // The other one, under a name of our choosing.
    let output = site.run(&["add", &server.uri(), "--name", "  Atom\n feed "]);
    expect(&output, 0);
    assert_eq!(feeds(&site)[2].0, "Atom feed");
    assert_eq!(feeds(&site)[2].1, format!("{}/en/atom.xml", server.uri()));
    expect(&site.run(&["check"]), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_usual_places_are_tried_when_a_page_announces_nothing() {
    let server = MockServer::start().await;
    serve(&server, "/about/", "text/html", &page("")).await;
    serve(&server, "/feed/", "text/html", &page("")).await;
    serve(
        &server,
        "/index.xml",
        "application/xml",
        &feed_titled("Hugo site", 2),
    )
    .await;
    let site = site();
    let output = site.run(&["add", &format!("{}/about/", server.uri())]);
    expect(&output, 0);
    assert!(
        stdout(&output).contains("found one at"),
        "{}",
        stdout(&output)
    );
    assert_eq!(feeds(&site)[1].1, format!("{}/index.xml", server.uri()));
    assert_eq!(feeds(&site)[1].0, "Hugo site");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_without_a_feed_says_what_was_tried_and_changes_nothing() {
    let server = MockServer::start().await;
    serve(&server, "/", "text/html", &page("")).await;
    let site = site();
    let output = site.run(&["add", &server.uri()]);
    expect(&output, 2);
    let message = stderr(&output);
    assert!(message.contains("no feed found"), "{message}");
    assert!(message.contains("<link rel=\"alternate\">"), "{message}");
    for place in [
        "/feed/",
        "/rss.xml",
        "/atom.xml",
        "/index.xml",
        "/feed.json",
    ] {
        assert!(
            message.contains(&format!("{}{place}: HTTP 404", server.uri())),
            "{place}: {message}"
        );
    }
    // `/?feed=rss2` is the home page again here: not a feed, and said so.
    assert!(
        message.contains("/?feed=rss2: an HTML page, not a feed"),
        "{message}"
    );
    assert_eq!(config_text(&site), HAND_WRITTEN);

    // A page that is not there at all, and a URL that is not http(s).
    let output = site.run(&["add", &format!("{}/gone", server.uri())]);
    expect(&output, 2);
    assert!(
        stderr(&output).contains("/gone answered HTTP 404 Not Found"),
        "{}",
        stderr(&output)
    );
    let output = site.run(&["add", "javascript:alert(1)"]);
    expect(&output, 2);
    assert!(
        stderr(&output).contains("not an http(s) URL"),
        "{}",
        stderr(&output)
    );
    assert_eq!(config_text(&site), HAND_WRITTEN);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_options_and_a_dry_run_change_nothing() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/rss.xml",
        "application/rss+xml",
        &feed_titled("Saved", 2),
    )
    .await;
    let site = site();
    let url = format!("{}/rss.xml", server.uri());
    for (args, says) in [
        (vec!["--section", "../etc"], "--section"),
        (vec!["--section", "News"], "--section"),
        (vec!["--tags", "a,,b"], "--tags"),
        (vec!["--name", " "], "--name"),
        // A name another feed has: the loader's own rule and message.
        (vec!["--name", "Saved"], "names must be unique"),
    ] {
        let mut all = vec!["add", url.as_str()];
        all.extend(args.iter().copied());
        let output = site.run(&all);
        expect(&output, 2);
        assert!(
            stderr(&output).contains(says),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(config_text(&site), HAND_WRITTEN, "{args:?}");
    }
    // An address written without its scheme: the URL it was meant to be,
    // as the config's loader says it.
    for (given, meant) in [
        ("example.org/feed", "https://example.org/feed"),
        ("127.0.0.1:8765/feed.xml", "http://127.0.0.1:8765/feed.xml"),
    ] {
        let output = site.run(&["add", given]);
        expect(&output, 2);
        assert!(
            stderr(&output).contains(&format!("did you mean {meant}?")),
            "{given}: {}",
            stderr(&output)
        );
        assert_eq!(config_text(&site), HAND_WRITTEN, "{given}");
    }
    let output = site.run(&["add", &url, "--dry-run"]);
    expect(&output, 0);
    // The feed's title is taken: the name is made unique.
    assert!(
        stdout(&output).contains("name = \"Saved (2)\""),
        "{}",
        stdout(&output)
    );
    assert_eq!(config_text(&site), HAND_WRITTEN);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_site_gets_its_first_feed() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/feed.json",
        "application/feed+json",
        r#"{"version": "https://jsonfeed.org/version/1", "title": "First", "items": []}"#,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let site = Site { dir };
    let url = format!("{}/feed.json", server.uri());
    let output = site.run(&["add", &url]);
    expect(&output, 2);
    assert!(stderr(&output).contains("--section"), "{}", stderr(&output));
    assert!(!site.path().join("feeds.toml").exists());
    expect(&site.run(&["add", &url, "--section", "news"]), 0);
    assert_eq!(
        feeds(&site),
        [("First".to_string(), url, "news".to_string(), vec![])]
    );
    expect(&site.run(&["check"]), 0);
}

/// The file edited while `add` was fetching: nothing is written over the
/// edit, and the command says to run again.
#[test]
fn a_config_edited_meanwhile_is_not_overwritten() {
    let server = HeldServer::start("application/rss+xml", feed_titled("Held", 1));
    let site = site();
    let running = site.start(&["add", &format!("{}/feed", server.url)]);
    server.wait_for_requests(1);
    let edited = format!("{HAND_WRITTEN}# edited meanwhile\n");
    site.write("feeds.toml", &edited);
    server.answer(1);
    let output = finish_within(running, HANG, "feedimport add");
    expect(&output, 1);
    assert!(
        stderr(&output).contains("changed since it was read"),
        "{}",
        stderr(&output)
    );
    assert_eq!(config_text(&site), edited);
    // No temporary file is left beside it.
    let names: Vec<String> = std::fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

/// A run that meets a site's page where its feed should be says how to
/// find the feed.
#[tokio::test(flavor = "multi_thread")]
async fn a_run_that_meets_a_page_suggests_add() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/",
        "text/html",
        &page(r#"<link rel="alternate" type="application/rss+xml" href="/feed/">"#),
    )
    .await;
    let site = Site::new(&config(&[(
        "Home",
        &format!("{}/", server.uri()),
        "papers",
    )]));
    let output = site.import(&[], 1);
    assert!(
        stderr(&output).contains("feedimport add"),
        "{}",
        stderr(&output)
    );
}
