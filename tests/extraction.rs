//! End-to-end: what an editor would pick from real-world feeds — preview
//! images from article pages, editorial rules, clean links, summaries and
//! titles.

mod common;

use common::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn article_page(og_image: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="en-GB"><head><meta charset="UTF-8">
<title>Post</title><style>body {{ color: red }}</style>
<meta content="{og_image}" property="og:image" />
<meta name="twitter:image" content="https://cdn.example/twitter.jpg" />
</head><body><p>{}</p><img src="https://cdn.example/body.jpg"></body></html>"#,
        "Long article text. ".repeat(500)
    )
}

/// The text value `key` of the front matter of `file` in `content`.
fn text_field(
    content: &std::collections::BTreeMap<String, String>,
    file: &str,
    key: &str,
) -> String {
    let text = content
        .get(file)
        .unwrap_or_else(|| panic!("no {file} in {:?}", content.keys()));
    front_matter(text)[key].as_str().unwrap().to_string()
}

fn image_of(site: &Site, file: &str) -> String {
    front_matter(&site.content()[file])["imageUrl"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn wordpress_items_without_images_take_the_pages_og_image() {
    let server = MockServer::start().await;
    let base = server.uri();
    let items = vec![
        // No image in the feed: the page's og:image, HTML-unescaped.
        Item::new(
            "With page image",
            &format!("{base}/2024/with-page-image/"),
            "Mon, 02 Sep 2024 10:00:00 +0000",
        ),
        // The feed declares an image: the page is not fetched.
        Item {
            image: Some("https://cdn.example/declared.jpg".into()),
            ..Item::new(
                "Declared",
                &format!("{base}/2024/declared/"),
                "Mon, 02 Sep 2024 11:00:00 +0000",
            )
        },
        // The page fails: a warning, and the content's image if any.
        Item {
            description: Some("<![CDATA[<p>Text <img src=\"/uploads/inline.jpg\"></p>]]>".into()),
            ..Item::new(
                "Broken page",
                &format!("{base}/2024/broken/"),
                "Mon, 02 Sep 2024 12:00:00 +0000",
            )
        },
        // Another host, whose name never resolves (`.example` is
        // reserved): tried, a warning, and no image.
        Item::new(
            "Elsewhere",
            "https://elsewhere.example/post/",
            "Mon, 02 Sep 2024 13:00:00 +0000",
        ),
    ];
    serve(&server, "/feed/", "application/rss+xml", &rss(&items)).await;
    Mock::given(method("GET"))
        .and(path("/2024/with-page-image/"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            article_page("https://cdn.example/og.jpg?w=1200&amp;h=630").into_bytes(),
            "text/html; charset=UTF-8",
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2024/declared/"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/2024/broken/"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;

    let site = Site::new(&config(&[("WP", &format!("{base}/feed/"), "papers")]));
    let output = site.import(&[], 0);
    // The page's error is the page's: nothing to fix in feeds.toml.
    assert!(
        stderr(&output).contains(
            "cannot read the article page for its image: HTTP 500 Internal Server Error: the site's server failed"
        ),
        "{}",
        stderr(&output)
    );
    // The other host's name does not resolve (or the resolver does not
    // answer, where there is no network): a page warning all the same.
    assert!(
        stderr(&output).lines().any(
            |l| l.contains("cannot read the article page for its image:")
                && l.contains("elsewhere.example")
        ),
        "{}",
        stderr(&output)
    );
    for wrong in ["feeds.toml", "feed's url"] {
        assert!(!stderr(&output).contains(wrong), "{}", stderr(&output));
    }
    assert_eq!(
        image_of(&site, "papers/2024-09-02-with-page-image.md"),
        "https://cdn.example/og.jpg?w=1200&h=630"
    );
    assert_eq!(
        image_of(&site, "papers/2024-09-02-declared.md"),
        "https://cdn.example/declared.jpg"
    );
    // Relative to the site's link (the channel's <link>).
    assert_eq!(
        image_of(&site, "papers/2024-09-02-broken-page.md"),
        "https://news.example.org/uploads/inline.jpg"
    );
    assert_eq!(image_of(&site, "papers/2024-09-02-elsewhere.md"), "");

    // A second run fetches no page: only new items are looked at (the
    // `expect(1)` above is checked when the server drops).
    site.import(&["--force"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn article_images_can_be_turned_off() {
    let server = MockServer::start().await;
    let base = server.uri();
    let items = vec![Item::new(
        "Post",
        &format!("{base}/post/"),
        "Mon, 02 Sep 2024 10:00:00 +0000",
    )];
    serve(&server, "/feed/", "application/rss+xml", &rss(&items)).await;
    Mock::given(method("GET"))
        .and(path("/post/"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let mut text = config(&[("WP", &format!("{base}/feed/"), "papers")]);
    text.push_str("article_images = false\n");
    let site = Site::new(&text);
    site.import(&[], 0);
    assert_eq!(image_of(&site, "papers/2024-09-02-post.md"), "");
}

/// Titles and summaries garbled on their way (UTF-8 read as windows-1252,
/// once or twice) are written as the publisher wrote them, and so are
/// their slugs; correct accented text is left alone.
#[tokio::test(flavor = "multi_thread")]
async fn garbled_text_is_written_as_the_publisher_wrote_it() {
    let server = MockServer::start().await;
    let base = server.uri();
    let item = |title: &str, slug: &str, summary: &str| Item {
        description: Some(summary.to_string()),
        ..Item::new(
            title,
            &format!("{base}/{slug}/"),
            "Mon, 02 Sep 2024 10:00:00 +0000",
        )
    };
    // UTF-8 read as windows-1252, as a publisher's pipeline does it.
    let garbled = |text: &str| {
        encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(text.as_bytes())
            .0
            .into_owned()
    };
    let items = vec![
        item(
            &garbled("Los niños vuelven al colegio"),
            "a",
            &garbled("Mañana, en España."),
        ),
        item(&garbled("Новости дня"), "b", &garbled("Сегодня")),
        item(&garbled(&garbled("L'été indien")), "c", "Twice garbled."),
        item("Ærø, Größe et «ÉTÉ»", "d", "Already right."),
    ];
    serve(&server, "/feed/", "application/rss+xml", &rss(&items)).await;
    let mut text = config(&[("News", &format!("{base}/feed/"), "papers")]);
    text.push_str("article_images = false\n");
    let site = Site::new(&text);
    site.import(&[], 0);
    let content = site.content();
    let field = |file: &str, key: &str| text_field(&content, file, key);
    assert_eq!(
        field("papers/2024-09-02-los-ninos-vuelven-al-colegio.md", "title"),
        "Los niños vuelven al colegio"
    );
    assert_eq!(
        field(
            "papers/2024-09-02-los-ninos-vuelven-al-colegio.md",
            "summary"
        ),
        "Mañana, en España."
    );
    assert_eq!(
        field("papers/2024-09-02-l-ete-indien.md", "title"),
        "L'été indien"
    );
    assert_eq!(
        field("papers/2024-09-02-aero-grosse-et-ete.md", "title"),
        "Ærø, Größe et «ÉTÉ»"
    );
    let cyrillic: Vec<&String> = content
        .keys()
        .filter(|k| k.contains("novosti-dnia"))
        .collect();
    assert_eq!(cyrillic.len(), 1, "{:?}", content.keys());
    assert_eq!(field(cyrillic[0], "title"), "Новости дня");
}

/// French typography survives the reading: a no-break space written as a
/// reference (`&#160;`, `&nbsp;`) or as the character (U+00A0, U+202F)
/// before `:` `;` `!` `?` and inside « » stays in the title and the
/// summary, in RSS and in Atom; `n°20` slugs as `n20`, not `ndeg20`.
#[tokio::test(flavor = "multi_thread")]
async fn french_typography_keeps_its_no_break_spaces() {
    let server = MockServer::start().await;
    let base = server.uri();
    let items = vec![Item {
        description: Some("Résumé&amp;#160;; «&amp;nbsp;citation&amp;nbsp;»".into()),
        ..Item::new(
            "Vaccination&amp;#160;: le point n°20&amp;#160;!",
            &format!("{base}/a/"),
            "Mon, 02 Sep 2024 10:00:00 +0000",
        )
    }];
    serve(&server, "/feed/", "application/rss+xml", &rss(&items)).await;
    let atom = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr-CH"><title>Genève</title><id>urn:ge</id><updated>2024-09-02T10:00:00Z</updated>
<entry><title type="html">Budget&amp;#8239;: 10&amp;#160;000&amp;#160;CHF ?</title><id>urn:ge:1</id><updated>2024-09-02T09:00:00Z</updated>
<link href="{base}/b/"/><summary>Un «{nnbsp}budget{nnbsp}» serré{nbsp}!</summary></entry></feed>"#,
        nbsp = '\u{a0}',
        nnbsp = '\u{202f}'
    );
    serve(&server, "/atom/", "application/atom+xml", &atom).await;
    let mut text = config(&[
        ("Santé", &format!("{base}/feed/"), "papers"),
        ("Genève", &format!("{base}/atom/"), "papers"),
    ]);
    text.push_str("article_images = false\n");
    let site = Site::new(&text);
    site.import(&[], 0);
    let content = site.content();
    let field = |file: &str, key: &str| text_field(&content, file, key);
    let rss_file = "papers/2024-09-02-vaccination-le-point-n20.md";
    assert_eq!(
        field(rss_file, "title"),
        "Vaccination\u{a0}: le point n°20\u{a0}!"
    );
    assert_eq!(
        field(rss_file, "summary"),
        "Résumé\u{a0}; «\u{a0}citation\u{a0}»"
    );
    let atom_file = "papers/2024-09-02-budget-10-000-chf.md";
    assert_eq!(
        field(atom_file, "title"),
        "Budget\u{202f}: 10\u{a0}000\u{a0}CHF ?"
    );
    assert_eq!(
        field(atom_file, "summary"),
        "Un «\u{202f}budget\u{202f}» serré\u{a0}!"
    );
}

#[test]
fn editorial_rules_filter_items() {
    let items = vec![
        Item::new(
            "New stent trial results",
            "https://news.example.org/a",
            "Mon, 02 Sep 2024 10:00:00 +0000",
        ),
        Item::new(
            "Sponsored: stent maker news",
            "https://news.example.org/b",
            "Mon, 02 Sep 2024 10:00:00 +0000",
        ),
        Item::new(
            "Conference dinner",
            "https://news.example.org/c",
            "Mon, 02 Sep 2024 10:00:00 +0000",
        ),
        Item::new(
            "Old stent paper",
            "https://news.example.org/d",
            "Mon, 02 Sep 2014 10:00:00 +0000",
        ),
    ];
    let mut text = config(&[("News", "feed.xml", "papers")]);
    text.push_str("include = [\"stent\"]\nexclude = [\"^sponsored\"]\nmax_age = \"3650d\"\n");
    let site = Site::new(&text);
    site.write("feed.xml", &rss(&items));
    let output = site.import(&["--json"], 0);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["feeds"][0]["filtered"], 3, "{report}");
    assert_eq!(
        site.content().keys().collect::<Vec<_>>(),
        ["papers/2024-09-02-new-stent-trial-results.md"]
    );
}

#[test]
fn links_are_cleaned_and_the_same_article_in_two_feeds_is_imported_once() {
    let site = Site::new(&config(&[
        ("One", "one.xml", "papers"),
        ("Two", "two.xml", "news"),
    ]));
    site.write(
        "one.xml",
        &rss(&[Item::new(
            "Shared story",
            "https://news.example.org/story/?utm_source=rss&amp;utm_medium=rss",
            "Mon, 02 Sep 2024 10:00:00 +0000",
        )]),
    );
    site.write(
        "two.xml",
        &rss(&[Item {
            guid: Some("other-guid".into()),
            ..Item::new(
                "Shared story (syndicated)",
                "https://news.example.org/story/?utm_source=twitter",
                "Mon, 02 Sep 2024 10:00:00 +0000",
            )
        }]),
    );
    let output = site.import(&["--json"], 0);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let articles = report["articles"].as_array().unwrap();
    assert_eq!(articles.len(), 1, "{report}");
    assert_eq!(articles[0]["sourceUrl"], "https://news.example.org/story/");
    assert_eq!(report["feeds"][1]["seen"], 1);
}

#[test]
fn summaries_and_titles_are_what_an_editor_would_keep() {
    let items = vec![
        Item {
            description: Some("<![CDATA[<p>A real excerpt about TARE [&#8230;]</p><p>The post Some title appeared first on Interventional News.</p>]]>".into()),
            ..Item::new("Some title", "https://news.example.org/a", "Mon, 02 Sep 2024 10:00:00 +0000")
        },
        Item {
            title: String::new(),
            description: Some("Untitled item. It has text.".into()),
            ..Item::new("", "https://news.example.org/b", "Mon, 02 Sep 2024 10:00:00 +0000")
        },
        Item {
            title: "It&amp;#8217;s double&amp;nbsp;escaped".into(),
            ..Item::new("x", "https://news.example.org/c", "Mon, 02 Sep 2024 10:00:00 +0000")
        },
    ];
    let site = Site::new(&config(&[("News", "feed.xml", "papers")]));
    site.write("feed.xml", &rss(&items));
    site.import(&[], 0);
    let content = site.content();
    let a = front_matter(&content["papers/2024-09-02-some-title.md"]);
    assert_eq!(a["summary"].as_str(), Some("A real excerpt about TARE…"));
    let b = front_matter(&content["papers/2024-09-02-untitled-item.md"]);
    assert_eq!(b["title"].as_str(), Some("Untitled item"));
    let c = front_matter(&content["papers/2024-09-02-it-s-double-escaped.md"]);
    // Read twice, and its no-break space kept as the publisher wrote it.
    assert_eq!(c["title"].as_str(), Some("It’s double\u{a0}escaped"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_windows_1252_feed_declared_utf8_in_http_reads_right() {
    let server = MockServer::start().await;
    let feed = rss(&[Item {
        description: Some("R\u{e9}sum\u{e9} \u{201c}cit\u{e9}\u{201d} &nbsp; Fish & Chips".into()),
        ..Item::new(
            "Caf\u{e9} cr\u{e8}me",
            "https://news.example.org/cafe",
            "lundi 2 septembre 2024 12:13:01 +0200",
        )
    }]);
    // The bytes are windows-1252 (é = E9, “ = 93), whatever HTTP says.
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&feed);
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(bytes.into_owned(), "application/rss+xml; charset=utf-8"),
        )
        .mount(&server)
        .await;
    let site = Site::new(&config(&[(
        "Latin",
        &format!("{}/feed/", server.uri()),
        "papers",
    )]));
    let output = site.import(&["--json"], 0);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // A bare & and &nbsp; are repaired, and the report says so.
    assert!(
        report["feeds"][0]["repaired"].to_string().contains("&"),
        "{report}"
    );
    let content = site.content();
    let front = front_matter(&content["papers/2024-09-02-cafe-creme.md"]);
    assert_eq!(front["title"].as_str(), Some("Café crème"));
    assert_eq!(
        front["summary"].as_str(),
        Some("Résumé “cité” Fish & Chips")
    );
    // French day and month names, the feed's own offset kept.
    assert_eq!(front["date"].as_str(), Some("2024-09-02T10:13:01.000Z"));
}

/// A feed holding an element the parser refuses (an empty
/// `media:description`) is imported whole, but for that element, and the
/// report names the repair; a document with items none of which can be
/// read fails the feed, saying so.
#[tokio::test(flavor = "multi_thread")]
async fn one_refused_element_costs_only_itself() {
    let server = MockServer::start().await;
    let base = server.uri();
    let feed = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title><link>{base}/</link>
<item><title>One</title><link>{base}/1</link><pubDate>Mon, 02 Sep 2024 10:00:00 +0000</pubDate><media:content url="{base}/1.jpg" medium="image"><media:description/></media:content></item>
<item><title>Two</title><link>{base}/2</link><pubDate>Mon, 02 Sep 2024 11:00:00 +0000</pubDate></item>
</channel></rss>"#
    );
    serve(&server, "/feed/", "application/rss+xml", &feed).await;
    let lost = r#"<rss version="2.0"><item><title>Outside</title><link>https://ex.org/a</link></item><channel><title>T</title></channel></rss>"#;
    serve(&server, "/lost/", "application/rss+xml", lost).await;
    let mut text = config(&[
        ("Media", &format!("{base}/feed/"), "papers"),
        ("Lost", &format!("{base}/lost/"), "papers"),
    ]);
    text = text.replace(
        "section = \"papers\"\n",
        "section = \"papers\"\narticle_images = false\n",
    );
    let site = Site::new(&text);
    let output = site.import(&["--json"], 1);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let media = &report["feeds"][0];
    assert_eq!(media["new"], 2, "{report}");
    assert!(
        media["repaired"].to_string().contains("set aside"),
        "{report}"
    );
    let lost = &report["feeds"][1];
    assert_eq!(lost["status"], "failed", "{report}");
    assert!(
        stderr(&output).contains("item or entry elements, but none could be read"),
        "{}",
        stderr(&output)
    );
    let content = site.content();
    assert_eq!(
        front_matter(&content["papers/2024-09-02-one.md"])["imageUrl"].as_str(),
        Some(format!("{base}/1.jpg").as_str())
    );
}
