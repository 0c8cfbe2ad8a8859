//! The health page (`status --html FILE`): one self-contained page, loaded
//! in a real browser (headless Chromium: an ignored test, which `.ci/run`
//! installs Chromium for and runs), its DOM read back and a screenshot
//! taken.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use chrono::Utc;
use common::requires;
use common::{HANG, Item, Site, config, finish_within, rss, serve, stderr};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A feed name that would run a script, or break out of an attribute, if
/// the page did not escape it.
const HOSTILE: &str =
    "<script>document.title='owned'</script>\"><img src=x onerror=alert(1)> & 'q'";

/// The state as schema 4 left it (before the history), with articles of
/// `feed` imported `days_ago` days ago.
fn schema_4_state(site: &Site, feed: &str, days_ago: &[(u64, usize)]) {
    let dir = site.path().join(".feedimport");
    std::fs::create_dir_all(&dir).unwrap();
    let conn = rusqlite::Connection::open(dir.join("state.sqlite3")).unwrap();
    conn.execute_batch(
        "CREATE TABLE items (key TEXT PRIMARY KEY, feed TEXT NOT NULL, source_url TEXT NOT NULL,
             permalink TEXT, path TEXT, imported_at TEXT NOT NULL, has_image INTEGER,
             shared_link INTEGER) WITHOUT ROWID;
         CREATE INDEX items_by_source_url ON items (source_url);
         CREATE INDEX items_by_permalink ON items (permalink);
         CREATE TABLE feeds (url TEXT PRIMARY KEY, name TEXT NOT NULL, etag TEXT,
             last_modified TEXT, last_fetch TEXT, last_success TEXT,
             consecutive_failures INTEGER NOT NULL DEFAULT 0, last_error TEXT,
             next_due TEXT, moved_to TEXT) WITHOUT ROWID;
         PRAGMA user_version = 4;",
    )
    .unwrap();
    let today = Utc::now();
    for (ago, count) in days_ago {
        let day = today - chrono::Days::new(*ago);
        for n in 0..*count {
            conn.execute(
                "INSERT INTO items (key, feed, source_url, imported_at, has_image) VALUES (?1, ?2, ?1, ?3, 1)",
                rusqlite::params![
                    format!("https://old.example.org/{ago}/{n}"),
                    feed,
                    day.format("%Y-%m-%dT%H:%M:%SZ").to_string()
                ],
            )
            .unwrap();
        }
    }
}

/// The part of `page` for the feed whose heading starts with `heading`
/// (escaped as the page writes it).
fn section<'a>(page: &'a str, heading: &str) -> &'a str {
    let parts: Vec<&str> = page.split("<section class=\"feed").skip(1).collect();
    let found: Vec<&&str> = parts
        .iter()
        .filter(|p| p.contains(&format!("<h2>{heading}")))
        .collect();
    assert_eq!(found.len(), 1, "one section for {heading}");
    found[0]
}

/// Headless Chromium (Debian names it `chromium`, others
/// `chromium-browser`).
fn chromium() -> &'static str {
    requires::one_of(
        &["chromium", "chromium-browser"],
        "--version",
        "apt-get install chromium",
    )
}

/// Runs headless Chromium on the page with `args` (its own profile in
/// `profile`), and returns its stdout.
fn browse(browser: &str, profile: &Path, page: &Path, args: &[&str]) -> String {
    let child = Command::new(browser)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--disable-dev-shm-usage",
            &format!("--user-data-dir={}", profile.display()),
        ])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .env("HOME", profile)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let output = finish_within(child, HANG, "chromium");
    assert!(output.status.success(), "chromium: {}", stderr(&output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The health page of three feeds served by `server` (one with articles
/// from before the history began, one gone, one with a hostile name),
/// written to the site's `public/health.html`: the site and the file.
async fn three_feeds_page(server: &MockServer) -> (Site, PathBuf) {
    let mut items = common::numbered_items(2);
    items[0].image = Some("https://news.example.org/a.jpg".into());
    serve(server, "/news", "application/rss+xml", &rss(&items)).await;
    serve(
        server,
        "/hostile",
        "application/rss+xml",
        &rss(&[Item::new(
            "Story",
            "https://evil.example.org/s",
            "Mon, 02 Sep 2024 10:00:00 +0000",
        )]),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/gone"))
        .respond_with(ResponseTemplate::new(404))
        .mount(server)
        .await;
    let news_url = format!("{}/news", server.uri());
    let site = Site::new(&config(&[
        ("News", &news_url, "papers"),
        ("Gone", &format!("{}/gone", server.uri()), "papers"),
        (HOSTILE, &format!("{}/hostile", server.uri()), "news"),
    ]));
    // Articles from before the history began, on days the charts show
    // (2 and 10 days ago) and one they do not (100 days ago).
    schema_4_state(&site, &news_url, &[(2, 2), (10, 1), (100, 1)]);
    site.import(&[], 1);

    let output = site.run(&["status", "--html", "public/health.html"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(common::stdout(&output).is_empty());
    let file = site.path().join("public/health.html");
    (site, file)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_health_page_shows_each_feeds_days() {
    let server = MockServer::start().await;
    let (_site, file) = three_feeds_page(&server).await;
    let page = std::fs::read_to_string(&file).unwrap();

    // Failing feeds first.
    let at = |name: &str| page.find(&format!("<h2>{name}")).unwrap();
    assert!(at("Gone") < at("News"), "the failing feed comes first");
    // Nothing from a feed is markup; nothing is loaded from elsewhere.
    assert!(
        !page.contains("<script") && !page.contains("<img"),
        "{page}"
    );
    assert!(page.contains(
        "<h2>&lt;script&gt;document.title=&#39;owned&#39;&lt;/script&gt;&quot;&gt;&lt;img"
    ));
    // Links only within the page: from a feed's row to its details.
    assert!(!page.contains("src=\""));
    assert!(
        page.match_indices("href=\"")
            .all(|(i, _)| page[i + 6..].starts_with("#feed-")),
        "{page}"
    );

    // The overview first: a row per feed, the failing one on top, each
    // linking to its details; News's 5 articles are within 30 days.
    let table =
        &page[page.find("<table class=\"feeds\">").unwrap()..page.find("</table>").unwrap()];
    assert_eq!(table.matches("<tr class=").count(), 3, "{table}");
    assert!(table.find(">Gone</a>").unwrap() < table.find(">News</a>").unwrap());
    assert!(
        table.contains(">News</a></td><td>ok</td>") && table.contains("<td class=\"n\">5 <svg"),
        "{table}"
    );
    assert!(page.find("</table>").unwrap() < page.find("<h2>Gone").unwrap());

    // Today, 2 and 10 days ago; not 100 days ago.
    let news = section(&page, "News");
    assert_eq!(news.matches("<rect class=\"bar\"").count(), 3, "{news}");
    // In the site's language (French, the default locale).
    assert!(
        news.contains("Articles par jour\u{a0}: 5 en 90 jours"),
        "{news}"
    );
    assert!(
        news.contains("\u{a0}% des 6 articles ont une image"),
        "{news}"
    );
    assert!(page.contains("<html lang=\"fr\">"));
    let gone = section(&page, "Gone");
    assert_eq!(gone.matches("<rect class=\"fail\"").count(), 1);
    assert!(gone.contains("HTTP 404"), "{gone}");
    assert_eq!(gone.matches("<rect class=\"bar\"").count(), 0);
}

/// The page as a browser reads it: no script runs, nothing from a feed is
/// an element, the charts are drawn.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs headless Chromium (Debian's chromium package): .ci/run installs it"]
async fn the_health_page_shows_each_feeds_days_in_a_browser() {
    let browser = chromium();
    let server = MockServer::start().await;
    let (_site, file) = three_feeds_page(&server).await;
    let profile = tempfile::tempdir().unwrap();
    let dom = browse(browser, profile.path(), &file, &["--dump-dom"]);
    // The browser read the page as written: one pair of charts per feed,
    // the bars in the News chart, and no element from the hostile name.
    assert_eq!(
        dom.matches("<svg class=\"chart articles\"").count(),
        3,
        "{dom}"
    );
    assert_eq!(dom.matches("<svg class=\"chart failures\"").count(), 3);
    assert_eq!(
        section(&dom, "News").matches("<rect class=\"bar\"").count(),
        3
    );
    assert_eq!(
        section(&dom, "Gone")
            .matches("<rect class=\"fail\"")
            .count(),
        1
    );
    assert!(!dom.contains("<script") && !dom.contains("<img"), "{dom}");
    assert!(
        dom.contains("<title>feedimport : santé des flux</title>"),
        "no script ran"
    );

    let shot = profile.path().join("health.png");
    browse(
        browser,
        profile.path(),
        &file,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1200,1600",
        ],
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(png.len() > 10_000, "{} bytes: an empty page?", png.len());
}

#[test]
fn without_a_state_the_page_shows_every_feed_with_empty_charts() {
    let site = Site::new(&config(&[
        ("A", "a.xml", "papers"),
        ("B", "b.xml", "papers"),
    ]));
    let output = site.run(&["status", "--html", "health.html"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = std::fs::read_to_string(site.path().join("health.html")).unwrap();
    assert_eq!(page.matches("<svg class=\"chart articles\"").count(), 2);
    assert_eq!(page.matches("<rect").count(), 0);
    assert!(page.contains("aucun article pour l’instant"));
    // --html and --json are two answers to one question: one at a time.
    let output = site.run(&["status", "--html", "h.html", "--json"]);
    assert_eq!(output.status.code(), Some(2));
}

/// A site written in English gets its health page in English, its times
/// in its own zone.
#[test]
fn an_english_site_reads_its_page_in_english() {
    let mut text = config(&[("A", "a.xml", "papers")]);
    text = text.replace(
        "timezone = \"Europe/Paris\"",
        "timezone = \"America/New_York\"",
    );
    text.push_str("[feeds.output]\nlocale = \"en-US\"\n");
    let site = Site::new(&text);
    let output = site.run(&["status", "--html", "health.html"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = std::fs::read_to_string(site.path().join("health.html")).unwrap();
    assert!(page.contains("<html lang=\"en\">"));
    assert!(page.contains("<h1>Feed health</h1>"));
    assert!(page.contains("no articles yet"));
    assert!(page.contains("(America/New_York)"), "{page}");
    assert!(!page.contains("Santé"));
}
