//! End-to-end: feeds that real publishers send in shapes the parser does
//! not expect — JSON Feeds with slips in them, dates written with numbers
//! only — read as an editor would read them.

mod common;

use std::collections::BTreeMap;

use common::*;
use serde_json::Value;
use wiremock::MockServer;

/// A site reading these feeds (name, route on `server`, section), without
/// article pages (the links lead nowhere).
fn site(server: &MockServer, feeds: &[(&str, &str, &str)]) -> Site {
    let feeds: Vec<(&str, String, &str)> = feeds
        .iter()
        .map(|&(name, route, section)| (name, format!("{}{route}", server.uri()), section))
        .collect();
    let mut text = String::from(
        "content_dir = \"content\"\nstate_dir = \".feedimport\"\ntimezone = \"Europe/Paris\"\ntags = [\"France\"]\n",
    );
    for (name, url, section) in feeds {
        text.push_str(&format!(
            "\n[[feeds]]\nname = {name:?}\nurl = {url:?}\nsection = {section:?}\narticle_images = false\n"
        ));
    }
    Site::new(&text)
}

/// Every article's front matter, by title.
fn articles(site: &Site) -> BTreeMap<String, BTreeMap<String, serde_yaml::Value>> {
    site.content()
        .values()
        .map(|text| {
            let front = front_matter(text);
            (front["title"].as_str().unwrap().to_string(), front)
        })
        .collect()
}

fn field<'a>(
    articles: &'a BTreeMap<String, BTreeMap<String, serde_yaml::Value>>,
    title: &str,
    key: &str,
) -> &'a str {
    articles
        .get(title)
        .unwrap_or_else(|| panic!("no article {title:?} in {:?}", articles.keys()))[key]
        .as_str()
        .unwrap()
}

fn report_of(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A JSON Feed with the slips publishers make (an `http` version URL, a
/// number for an id and a title, one tag as a string, `author` of 1.0,
/// items that are `null` or a string, an attachment without a type, dates
/// that are not RFC 3339) is imported whole but for what cannot be an item,
/// and the report says what was repaired.
#[tokio::test(flavor = "multi_thread")]
async fn a_json_feed_with_slips_is_mended_and_says_so() {
    let server = MockServer::start().await;
    let base = server.uri();
    let feed = format!(
        r#"{{
  "version": "http://jsonfeed.org/version/1",
  "title": "Blog JSON",
  "home_page_url": "{base}/",
  "language": "fr-FR",
  "author": {{"name": "Jane", "url": "{base}/jane"}},
  "items": [
    {{
      "id": 42,
      "url": "{base}/numbers",
      "title": 123,
      "tags": "one tag",
      "summary": "The summary comes first.",
      "content_text": "Not this text.",
      "content_html": "<p>Nor this <img src=\"{base}/inline.jpg\"></p>",
      "image": "/images/main.jpg",
      "banner_image": "{base}/banner.jpg",
      "date_published": "2024-09-02 10:13:01 +0200"
    }},
    null,
    "not an item",
    {{
      "url": "{base}/no-id",
      "title": "No id",
      "content_text": "The text comes second.",
      "content_html": "<p>Not the <b>HTML</b>.</p>",
      "banner_image": "{base}/banner-only.jpg",
      "date_published": "10.01.2020 14:33"
    }},
    {{
      "id": "html",
      "url": "{base}/html-only",
      "title": "HTML only",
      "content_html": "<p>The HTML <b>reduced</b> to text.</p><p><img src=\"{base}/inline.jpg\"></p>",
      "attachments": [{{"url": "{base}/episode.mp3"}}, {{"title": "no url"}}],
      "date_published": "2020/1/10 14:33:00"
    }}
  ]
}}"#
    );
    serve(&server, "/feed.json", "application/feed+json", &feed).await;
    let site = site(&server, &[("JSON", "/feed.json", "news")]);
    let output = site.import(&["--json"], 0);
    let report = report_of(&output);
    let line = &report["feeds"][0];
    assert_eq!(line["new"], 3, "{report}");
    let repaired: Vec<&str> = line["repaired"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(
        repaired,
        [
            "a JSON Feed version the parser does not know",
            "JSON values of the wrong type (a number for text, one tag for a list)",
            "JSON Feed fields left out that the parser requires",
            "JSON Feed items or attachments that could not be read, dropped",
        ],
        "{report}"
    );

    let articles = articles(&site);
    assert_eq!(articles.len(), 3, "{:?}", articles.keys());
    // Numbers read as text; the feed's own offset applied.
    assert_eq!(
        field(&articles, "123", "sourceUrl"),
        format!("{base}/numbers")
    );
    assert_eq!(field(&articles, "123", "date"), "2024-09-02T08:13:01.000Z");
    assert_eq!(
        field(&articles, "123", "summary"),
        "The summary comes first."
    );
    // `image` before `banner_image` and the content's <img>, made absolute.
    assert_eq!(
        field(&articles, "123", "imageUrl"),
        format!("{base}/images/main.jpg")
    );
    // No id: the item is still imported; `banner_image` when there is no
    // `image`; `content_text` before `content_html`; a French feed writes
    // the day first.
    assert_eq!(
        field(&articles, "No id", "imageUrl"),
        format!("{base}/banner-only.jpg")
    );
    assert_eq!(
        field(&articles, "No id", "summary"),
        "The text comes second."
    );
    assert_eq!(
        field(&articles, "No id", "date"),
        "2020-01-10T14:33:00.000Z"
    );
    // Only HTML: reduced to text; the content's image; year first.
    assert_eq!(
        field(&articles, "HTML only", "summary"),
        "The HTML reduced to text."
    );
    assert_eq!(
        field(&articles, "HTML only", "imageUrl"),
        format!("{base}/inline.jpg")
    );
    assert_eq!(
        field(&articles, "HTML only", "date"),
        "2020-01-10T14:33:00.000Z"
    );

    // The item without an id is known by its URL, as the others by their
    // ids: a second run imports nothing.
    let output = site.import(&["--json"], 0);
    assert_eq!(
        report_of(&output)["feeds"][0]["new"],
        0,
        "{}",
        stdout(&output)
    );
}

/// A JSON Feed as the spec writes it (1.1, `authors`, `tags` as a list) is
/// read without a repair.
#[tokio::test(flavor = "multi_thread")]
async fn a_spec_json_feed_needs_no_repair() {
    let server = MockServer::start().await;
    let base = server.uri();
    let feed = format!(
        r#"{{"version": "https://jsonfeed.org/version/1.1", "title": "Spec", "home_page_url": "{base}/",
        "authors": [{{"name": "Ann"}}],
        "items": [{{"id": "1", "url": "{base}/first", "title": "First", "content_html": "<p>Hello, world!</p>",
        "tags": ["a", "b"], "date_published": "2024-09-02T10:13:01Z", "image": "{base}/first.png"}}]}}"#
    );
    serve(&server, "/feed.json", "application/feed+json", &feed).await;
    let site = site(&server, &[("Spec", "/feed.json", "news")]);
    let report = report_of(&site.import(&["--json"], 0));
    assert_eq!(report["feeds"][0]["new"], 1, "{report}");
    // The report leaves out an empty list.
    assert!(
        report["feeds"][0]["repaired"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{report}"
    );
    let articles = articles(&site);
    assert_eq!(field(&articles, "First", "summary"), "Hello, world!");
    assert_eq!(
        field(&articles, "First", "imageUrl"),
        format!("{base}/first.png")
    );
    assert_eq!(
        field(&articles, "First", "date"),
        "2024-09-02T10:13:01.000Z"
    );
}

/// One RSS item per date text, in a channel with `language` (or none).
fn rss_with_dates(language: Option<&str>, dates: &[(&str, &str)], base: &str) -> String {
    let items: Vec<Item> = dates
        .iter()
        .map(|(title, date)| Item::new(title, &format!("{base}/{}", title.replace(' ', "-")), date))
        .collect();
    let language = language.map_or(String::new(), |l| format!("<language>{l}</language>"));
    rss(&items).replace(
        "<description>d</description>",
        &format!("<description>d</description>{language}"),
    )
}

/// Dates written with numbers only: year first is read in any feed; with
/// the year last, a day over 12 is read in any feed, and otherwise the
/// feed's language says which comes first (RSS `<language>`, Atom
/// `xml:lang`). In a feed that does not say, such a date is logged, naming
/// it, and the time of import stands in.
#[tokio::test(flavor = "multi_thread")]
async fn numeric_dates_are_read_in_the_feeds_order() {
    let server = MockServer::start().await;
    let base = server.uri();
    let german = rss_with_dates(
        Some("de-DE"),
        &[
            ("De dots", "10.01.2020 14:33:00"),
            ("De slashes zone", "10/01/2020 14:33 +0100"),
            ("De year first", "2020/1/10 14:33:00"),
        ],
        &base,
    );
    let american = rss_with_dates(
        Some("en-US"),
        &[
            ("Us slashes", "10/01/2020 2:33 PM"),
            ("Us dashes", "2020-1-10"),
            ("Us big day", "25/01/2020"),
        ],
        &base,
    );
    let unsaid = rss_with_dates(
        None,
        &[
            ("Unsaid ambiguous", "10/01/2020 14:33"),
            ("Unsaid dotted year", "2020.01.10 14:33"),
            ("Unsaid big day", "1/25/2020 14:33"),
        ],
        &base,
    );
    let atom = format!(
        r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB"><title>A</title>
        <entry><title>Gb entry</title><link href="{base}/gb"/><id>tag:gb</id><updated>10/01/2020 14:33:00Z</updated></entry></feed>"#
    );
    serve(&server, "/de.xml", "application/rss+xml", &german).await;
    serve(&server, "/us.xml", "application/rss+xml", &american).await;
    serve(&server, "/none.xml", "application/rss+xml", &unsaid).await;
    serve(&server, "/gb.xml", "application/atom+xml", &atom).await;
    let site = site(
        &server,
        &[
            ("De", "/de.xml", "de"),
            ("Us", "/us.xml", "us"),
            ("None", "/none.xml", "none"),
            ("Gb", "/gb.xml", "gb"),
        ],
    );
    let before = chrono::Utc::now();
    let output = site.import(&[], 0);
    let after = chrono::Utc::now();
    let articles = articles(&site);
    for (title, date) in [
        ("De dots", "2020-01-10T14:33:00.000Z"),
        ("De slashes zone", "2020-01-10T13:33:00.000Z"),
        ("De year first", "2020-01-10T14:33:00.000Z"),
        ("Us slashes", "2020-10-01T14:33:00.000Z"),
        ("Us dashes", "2020-01-10T00:00:00.000Z"),
        ("Us big day", "2020-01-25T00:00:00.000Z"),
        ("Unsaid dotted year", "2020-01-10T14:33:00.000Z"),
        ("Unsaid big day", "2020-01-25T14:33:00.000Z"),
        ("Gb entry", "2020-01-10T14:33:00.000Z"),
    ] {
        assert_eq!(field(&articles, title, "date"), date, "{title}");
    }
    // Day and month could be either: the time of import, and a warning
    // that names the date.
    let imported =
        chrono::DateTime::parse_from_rfc3339(field(&articles, "Unsaid ambiguous", "date"))
            .unwrap()
            .to_utc();
    let second = chrono::Duration::seconds(1);
    assert!(
        before - second <= imported && imported <= after + second,
        "{imported}"
    );
    let log = stderr(&output);
    assert!(
        log.contains("unreadable date") && log.contains("10/01/2020 14:33"),
        "{log}"
    );
    assert!(!log.contains("10.01.2020"), "{log}");
}
