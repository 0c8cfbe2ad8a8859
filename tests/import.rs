//! End-to-end runs of the real binary against feeds served on loopback.

mod common;

use common::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const EXAMPLE_FEED: &str = include_str!("fixtures/interventional-news.xml");
const EXAMPLE_ARTICLE: &str = include_str!("fixtures/interventional-news-2024-09-02.md");
const EXAMPLE_FILE: &str = "papers/2024-09-02-new-analysis-benchmarks-survival-rates-in-unresectable-intrahepatic-cholangiocarcinoma-patients-undergoing-tare.md";

async fn serve(server: &MockServer, route: &str, body: &str) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            body.as_bytes().to_vec(),
            "application/rss+xml; charset=UTF-8",
        ))
        .mount(server)
        .await;
}

async fn site_with_feed(body: &str) -> (MockServer, Site) {
    let server = MockServer::start().await;
    serve(&server, "/feed/", body).await;
    let url = format!("{}/feed/", server.uri());
    let site = Site::new(&config(&[("Interventional News — Latest", &url, "papers")]));
    (server, site)
}

#[tokio::test(flavor = "multi_thread")]
async fn example_item_gives_the_example_file_byte_for_byte() {
    let (_server, site) = site_with_feed(EXAMPLE_FEED).await;
    site.import(&[], 0);
    let content = site.content();
    assert_eq!(content.keys().collect::<Vec<_>>(), [EXAMPLE_FILE]);
    assert_eq!(content[EXAMPLE_FILE], EXAMPLE_ARTICLE);
}

#[tokio::test(flavor = "multi_thread")]
async fn rerun_imports_nothing_and_keeps_edits_and_deletions() {
    let items = vec![
        Item::new(
            "First",
            "https://news.example.org/first",
            "Mon, 02 Sep 2024 10:00:00 +0000",
        ),
        Item::new(
            "Second",
            "https://news.example.org/second",
            "Tue, 03 Sep 2024 10:00:00 +0000",
        ),
    ];
    let (_server, site) = site_with_feed(&rss(&items)).await;
    site.import(&[], 0);
    let first = site.content();
    assert_eq!(first.len(), 2);

    // A re-run writes nothing.
    let output = site.import(&["--json", "--force"], 0);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["feeds"][0]["new"], 0);
    assert_eq!(report["feeds"][0]["seen"], 2);
    assert_eq!(site.content(), first);

    // An edited file is kept; a deleted one stays deleted.
    let edited = site.write("content/papers/2024-09-02-first.md", "edited by hand\n");
    std::fs::remove_file(site.path().join("content/papers/2024-09-03-second.md")).unwrap();
    site.import(&["--force"], 0);
    let after = site.content();
    assert_eq!(after.len(), 1);
    assert_eq!(std::fs::read_to_string(edited).unwrap(), "edited by hand\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn lost_state_makes_no_duplicate() {
    let items = vec![
        Item::new(
            "First",
            "https://news.example.org/first",
            "Mon, 02 Sep 2024 10:00:00 +0000",
        ),
        Item::new(
            "Second",
            "https://news.example.org/second",
            "Tue, 03 Sep 2024 10:00:00 +0000",
        ),
    ];
    let (_server, site) = site_with_feed(&rss(&items)).await;
    site.import(&[], 0);
    let before = site.content();
    std::fs::remove_dir_all(site.path().join(".feedimport")).unwrap();
    // The editor also moved one article to another section: still known.
    std::fs::create_dir_all(site.path().join("content/archive")).unwrap();
    std::fs::rename(
        site.path().join("content/papers/2024-09-02-first.md"),
        site.path().join("content/archive/2024-09-02-first.md"),
    )
    .unwrap();
    let output = site.import(&["--json"], 0);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["feeds"][0]["new"], 0, "{report}");
    assert_eq!(site.content().len(), before.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_changes_nothing_and_shows_the_files() {
    let (_server, site) = site_with_feed(EXAMPLE_FEED).await;
    let output = site.import(&["--dry-run"], 0);
    assert!(site.content().is_empty());
    assert!(!site.path().join(".feedimport").exists());
    assert!(!site.path().join("content").exists());
    let listing = stdout(&output);
    assert_eq!(
        listing,
        format!("==> content/{EXAMPLE_FILE} <==\n{EXAMPLE_ARTICLE}\n")
    );
    assert!(stderr(&output).contains("dry run"), "{}", stderr(&output));

    // A real run after it still imports.
    site.import(&[], 0);
    assert_eq!(site.content()[EXAMPLE_FILE], EXAMPLE_ARTICLE);

    // A dry run after that would write nothing, and says so in JSON.
    let output = site.import(&["--dry-run", "--json", "--force"], 0);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["articles"].as_array().unwrap().len(), 0);
    assert_eq!(report["feeds"][0]["seen"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn json_report_lists_articles_with_every_field() {
    let (server, site) = site_with_feed(EXAMPLE_FEED).await;
    let output = site.import(&["--json"], 0);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let article = &report["articles"][0];
    assert_eq!(article["path"], format!("content/{EXAMPLE_FILE}"));
    assert_eq!(article["feed"], "Interventional News — Latest");
    assert_eq!(article["publishedDate"], "2 septembre 2024");
    assert_eq!(article["date"], "2024-09-02T10:13:01.000Z");
    assert_eq!(article["importance"], "");
    assert_eq!(
        article["tags"],
        serde_json::json!(["France", "Actualité", "Interventional News — Latest"])
    );
    for key in [
        "title",
        "summary",
        "sourceUrl",
        "permalink",
        "imageUrl",
        "imageCredit",
    ] {
        assert!(
            article[key].as_str().is_some_and(|v| !v.is_empty()),
            "{key}"
        );
    }
    let feed = &report["feeds"][0];
    assert_eq!(feed["status"], "ok");
    assert_eq!(feed["url"], format!("{}/feed/", server.uri()));
    assert_eq!(feed["error"], serde_json::Value::Null);
    assert_eq!(feed["new"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn dates_use_the_paris_day() {
    let items = vec![
        // 22:30 UTC on 14 March is 23:30 in Paris: still the 14th.
        Item::new(
            "Winter evening",
            "https://news.example.org/w",
            "Thu, 14 Mar 2024 22:30:00 +0000",
        ),
        // 22:30 UTC on 31 August is 00:30 on 1 September in Paris.
        Item::new(
            "Summer night",
            "https://news.example.org/s",
            "Sat, 31 Aug 2024 22:30:00 GMT",
        ),
        // A feed's own offset is kept: 00:30 at +0100 is 23:30 UTC the day before.
        Item::new(
            "Offset",
            "https://news.example.org/o",
            "Tue, 01 Oct 2024 00:30:00 +0100",
        ),
    ];
    let (_server, site) = site_with_feed(&rss(&items)).await;
    site.import(&[], 0);
    let content = site.content();
    let summer = front_matter(&content["papers/2024-09-01-summer-night.md"]);
    assert_eq!(summer["publishedDate"].as_str(), Some("1er septembre 2024"));
    assert_eq!(summer["date"].as_str(), Some("2024-08-31T22:30:00.000Z"));
    assert_eq!(
        summer["permalink"].as_str(),
        Some("/papers/2024-09-01-summer-night")
    );
    let winter = front_matter(&content["papers/2024-03-14-winter-evening.md"]);
    assert_eq!(winter["publishedDate"].as_str(), Some("14 mars 2024"));
    let offset = front_matter(&content["papers/2024-10-01-offset.md"]);
    assert_eq!(offset["date"].as_str(), Some("2024-09-30T23:30:00.000Z"));
    assert_eq!(offset["publishedDate"].as_str(), Some("1er octobre 2024"));
}

#[tokio::test(flavor = "multi_thread")]
async fn same_title_same_day_gets_a_suffix() {
    let items = vec![
        Item::new(
            "Weekly roundup",
            "https://news.example.org/a",
            "Mon, 02 Sep 2024 08:00:00 +0000",
        ),
        Item::new(
            "Weekly roundup",
            "https://news.example.org/b",
            "Mon, 02 Sep 2024 09:00:00 +0000",
        ),
        Item::new(
            "Weekly roundup",
            "https://news.example.org/c",
            "Mon, 02 Sep 2024 10:00:00 +0000",
        ),
    ];
    let (_server, site) = site_with_feed(&rss(&items)).await;
    // An article of another source already holds the plain name.
    site.write(
        "content/papers/2024-09-02-weekly-roundup.md",
        "---\ntitle: \"Weekly roundup\"\nsourceUrl: \"https://elsewhere.example/x\"\npermalink: \"/papers/2024-09-02-weekly-roundup\"\n---\n",
    );
    site.import(&[], 0);
    let content = site.content();
    let link_of = |name: &str| {
        front_matter(&content[name])["sourceUrl"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // Oldest first: a gets -2, b -3, c -4.
    assert_eq!(
        link_of("papers/2024-09-02-weekly-roundup-2.md"),
        "https://news.example.org/a"
    );
    assert_eq!(
        link_of("papers/2024-09-02-weekly-roundup-3.md"),
        "https://news.example.org/b"
    );
    assert_eq!(
        link_of("papers/2024-09-02-weekly-roundup-4.md"),
        "https://news.example.org/c"
    );
    assert_eq!(
        front_matter(&content["papers/2024-09-02-weekly-roundup-4.md"])["permalink"].as_str(),
        Some("/papers/2024-09-02-weekly-roundup-4")
    );
    assert_eq!(
        link_of("papers/2024-09-02-weekly-roundup.md"),
        "https://elsewhere.example/x"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn feed_text_cannot_inject_markup_or_break_front_matter() {
    let nasty_title =
        "<![CDATA[Quotes \"x\" ] back\\slash <script>alert(1)</script>\n--- key: v\n# h]]>";
    let items = vec![Item {
        title: nasty_title.to_string(),
        link: "https://news.example.org/nasty?a=1&amp;b=2".to_string(),
        pub_date: Some("Mon, 02 Sep 2024 10:00:00 +0000".to_string()),
        description: Some(
            "<![CDATA[<p>Significant (p<0.001) <img src=\"javascript:alert(2)\" onerror=alert(1)> &lt;b&gt;bold&lt;/b&gt;</p><script>steal()</script> [link](javascript:alert(1))]]>"
                .to_string(),
        ),
        image: Some("javascript:alert(1)".to_string()),
        ..Item::default()
    }];
    let (_server, site) = site_with_feed(&rss(&items)).await;
    site.import(&[], 0);
    let content = site.content();
    assert_eq!(content.len(), 1);
    let (name, text) = content.iter().next().unwrap();
    assert!(
        name.starts_with("papers/2024-09-02-quotes-x-back-slash"),
        "{name}"
    );
    let front = front_matter(text);
    assert_eq!(
        front["title"].as_str(),
        Some("Quotes \"x\" ] back\\slash --- key: v # h")
    );
    assert_eq!(
        front["summary"].as_str(),
        // Escaped markup inside HTML is still markup: read as such.
        Some("Significant (p<0.001) bold [link](javascript:alert(1))")
    );
    assert_eq!(
        front["sourceUrl"].as_str(),
        Some("https://news.example.org/nasty?a=1&b=2")
    );
    // A javascript: image is dropped.
    assert_eq!(front["imageUrl"].as_str(), Some(""));
    assert!(!text.contains("<script") && !text.contains("alert(1)</script>"));
    let body = body(text);
    assert!(no_raw_angle_bracket(body), "{body}");
    assert!(
        // A `<` that opens no tag stays as written; the brackets are escaped.
        body.contains("Significant (p<0.001) bold \\[link\\](javascript:alert(1))"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_feed_is_reported_and_the_others_import() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/good/",
        &rss(&[Item::new(
            "Good",
            "https://news.example.org/g",
            "Mon, 02 Sep 2024 10:00:00 +0000",
        )]),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/missing/"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    serve(
        &server,
        "/html/",
        "<!DOCTYPE html><html><body>Please log in</body></html>",
    )
    .await;
    let site = Site::new(&config(&[
        ("Missing", &format!("{}/missing/", server.uri()), "papers"),
        ("Html", &format!("{}/html/", server.uri()), "papers"),
        ("Good", &format!("{}/good/", server.uri()), "papers"),
        ("Refused", "http://127.0.0.1:9/feed", "papers"),
    ]));
    let output = site.import(&["--json"], 1);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let feeds = report["feeds"].as_array().unwrap();
    let by_name = |n: &str| feeds.iter().find(|f| f["name"] == n).unwrap().clone();
    assert_eq!(by_name("Good")["status"], "ok");
    assert_eq!(by_name("Missing")["status"], "failed");
    assert_eq!(
        by_name("Missing")["error"],
        "HTTP 404 Not Found: check the feed's url in feeds.toml"
    );
    assert!(
        by_name("Html")["error"]
            .as_str()
            .unwrap()
            .contains("HTML page")
    );
    assert_eq!(by_name("Refused")["status"], "failed");
    assert!(!by_name("Refused")["error"].as_str().unwrap().is_empty());
    assert_eq!(site.content().len(), 1);
    let summary = stderr(&output);
    assert!(
        summary.contains("4 feeds: 1 with 1 new article, 3 failed: Missing: HTTP 404 Not Found: check the feed's url"),
        "{summary}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn feed_option_restricts_the_run() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/a/",
        &rss(&[Item::new(
            "A",
            "https://news.example.org/a",
            "Mon, 02 Sep 2024 10:00:00 +0000",
        )]),
    )
    .await;
    serve(
        &server,
        "/b/",
        &rss(&[Item::new(
            "B",
            "https://news.example.org/b",
            "Mon, 02 Sep 2024 10:00:00 +0000",
        )]),
    )
    .await;
    let site = Site::new(&config(&[
        ("Feed A", &format!("{}/a/", server.uri()), "papers"),
        ("Feed B", &format!("{}/b/", server.uri()), "news"),
    ]));
    site.import(&["--feed", "Feed B"], 0);
    assert_eq!(
        site.content().keys().collect::<Vec<_>>(),
        ["news/2024-09-02-b.md"]
    );
    let output = site.import(&["--feed", "Feed C"], 2);
    assert!(stderr(&output).contains("no feed named \"Feed C\""));
    site.import(&[], 0);
    assert_eq!(site.content().len(), 2);
}

#[test]
fn a_saved_feed_is_imported_from_a_file() {
    let site = Site::new(&config(&[(
        "Interventional News — Latest",
        "saved/feed.xml",
        "papers",
    )]));
    site.write("saved/feed.xml", EXAMPLE_FEED);
    site.import(&[], 0);
    assert_eq!(site.content()[EXAMPLE_FILE], EXAMPLE_ARTICLE);

    let other = Site::new(&config(&[(
        "Interventional News — Latest",
        &format!("file://{}", site.path().join("saved/feed.xml").display()),
        "papers",
    )]));
    other.import(&[], 0);
    assert_eq!(other.content()[EXAMPLE_FILE], EXAMPLE_ARTICLE);

    let missing = Site::new(&config(&[("Gone", "saved/none.xml", "papers")]));
    let output = missing.import(&[], 1);
    assert!(
        stderr(&output).contains("Gone: cannot read"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn bad_config_exits_2_naming_the_problem() {
    let site =
        Site::new("[[feeds]]\nname = \"A\"\nurl = \"https://e.org/\"\nsection = \"../up\"\n");
    let output = site.import(&[], 2);
    let message = stderr(&output);
    assert!(
        message.contains("feeds.toml")
            && message.contains("feed \"A\"")
            && message.contains("`section`"),
        "{message}"
    );

    let output = Site::new("").run(&["--config", "nowhere.toml", "check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("nowhere.toml"));

    let output = Site::new("").run(&["run", "--bogus"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn check_prints_what_it_would_fetch() {
    let site = Site::new(&config(&[(
        "Interventional News — Latest",
        "https://interventionalnews.com/feed/",
        "papers",
    )]));
    let output = site.run(&["check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("Interventional News — Latest"), "{text}");
    assert!(
        text.contains("https://interventionalnews.com/feed/"),
        "{text}"
    );
    assert!(text.contains("content/papers/"), "{text}");
    // The config can come from the environment too.
    let moved = site.path().join("feeds.toml");
    let output = std::process::Command::new(BIN)
        .arg("check")
        .env("FEEDIMPORT_CONFIG", &moved)
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
}

/// A site of many feeds in one format reads its sample once: the others
/// are named with their path; `--all-samples` prints each. A feed in
/// another locale is another format, printed in full.
#[test]
fn check_prints_one_sample_per_format() {
    let mut text = config(&[
        ("One", "https://one.example.org/feed/", "papers"),
        ("Two", "https://two.example.org/feed/", "papers"),
        ("Three", "https://three.example.org/feed/", "news"),
    ]);
    text.push_str(
        "\n[[feeds]]\nname = \"Four\"\nurl = \"https://four.example.org/feed/\"\nsection = \"news\"\n[feeds.output]\nlocale = \"en\"\n",
    );
    let site = Site::new(&text);
    let samples = |args: &[&str]| {
        let output = site.run(args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let text = stdout(&output);
        (text.matches("      | title: ").count(), text)
    };
    let (printed, text) = samples(&["check"]);
    assert_eq!(printed, 2, "{text}");
    assert!(
        text.contains(
            "a sample article would be written to content/news/2024-09-02-a-sample-article-what-an-item-of-this-feed-becomes.md, in the format of One's above"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "(2 samples in a format shown above left out: `check --all-samples` prints them)"
        ),
        "{text}"
    );
    assert!(text.contains("      | ## Key points"), "{text}");
    let (printed, text) = samples(&["check", "--all-samples"]);
    assert_eq!(printed, 4, "{text}");
    assert!(!text.contains("left out"), "{text}");
}

#[test]
fn corrupt_state_exits_3_and_says_how_to_recover() {
    let site = Site::new(&config(&[(
        "Interventional News — Latest",
        "saved/feed.xml",
        "papers",
    )]));
    site.write("saved/feed.xml", EXAMPLE_FEED);
    site.write(".feedimport/state.sqlite3", &"not a database ".repeat(100));
    let output = site.import(&[], 3);
    assert!(
        stderr(&output).contains("state.sqlite3"),
        "{}",
        stderr(&output)
    );
    assert!(site.content().is_empty());
}

#[test]
fn a_file_left_by_an_interrupted_run_is_adopted_not_duplicated() {
    // The state exists (another feed was imported), but an interrupted run
    // wrote this feed's article and stopped before saving the state.
    let site = Site::new(&config(&[
        ("Other", "saved/other.xml", "news"),
        ("Interventional News — Latest", "saved/feed.xml", "papers"),
    ]));
    site.write(
        "saved/other.xml",
        &rss(&[Item::new(
            "Other",
            "https://news.example.org/o",
            "Mon, 02 Sep 2024 10:00:00 +0000",
        )]),
    );
    site.write("saved/feed.xml", EXAMPLE_FEED);
    site.import(&["--feed", "Other"], 0);
    site.write(&format!("content/{EXAMPLE_FILE}"), EXAMPLE_ARTICLE);

    let output = site.import(&["--json"], 0);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["articles"].as_array().unwrap().len(), 0, "{report}");
    assert_eq!(site.content().len(), 2);
    // And it is now recorded: deleting it does not bring it back.
    std::fs::remove_file(site.path().join("content").join(EXAMPLE_FILE)).unwrap();
    site.import(&["--force"], 0);
    assert_eq!(site.content().len(), 1);
}

#[cfg(unix)]
#[test]
fn a_symlink_planted_in_content_is_not_followed_out_of_it() {
    let site = Site::new(&config(&[(
        "Interventional News — Latest",
        "saved/feed.xml",
        "papers",
    )]));
    site.write("saved/feed.xml", EXAMPLE_FEED);
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("content")).unwrap();
    std::os::unix::fs::symlink(outside.path(), site.path().join("content/papers")).unwrap();
    let output = site.import(&[], 3);
    assert!(
        stderr(&output).contains("leads out of the content folder"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);

    // A file name planted as a link is not written through either.
    std::fs::remove_file(site.path().join("content/papers")).unwrap();
    let target = outside.path().join("victim.md");
    std::fs::write(&target, "untouched").unwrap();
    std::fs::create_dir_all(site.path().join("content/papers")).unwrap();
    std::os::unix::fs::symlink(&target, site.path().join("content").join(EXAMPLE_FILE)).unwrap();
    site.import(&[], 0);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "untouched");
    assert!(
        site.path()
            .join("content")
            .join(EXAMPLE_FILE.replace(".md", "-2.md"))
            .exists()
    );
}

#[test]
fn parse_describes_a_saved_feed_without_writing() {
    let site = Site::new("");
    let feed = site.write(
        "feed.xml",
        &EXAMPLE_FEED.replace(
            "Interventional News</title>",
            "Interventional News &nbsp; Fish & Chips</title>",
        ),
    );
    let output = site.run(&["parse", feed.to_str().unwrap(), "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let probe: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(probe["format"], "RSS2");
    assert_eq!(probe["items"], 1);
    assert_eq!(probe["images_declared"], 1);
    let repairs = probe["repairs"].to_string();
    assert!(
        repairs.contains("HTML entities that XML does not define"),
        "{repairs}"
    );
    assert!(!site.path().join("content").exists() && !site.path().join(".feedimport").exists());
    let html = site.write(
        "page.html",
        "<!DOCTYPE html><html><body>Log in</body></html>",
    );
    let output = site.run(&["parse", html.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("HTML page"));
}

/// Every warning names its feed: those of the parse (an unreadable date, a
/// date in the future) as those of the run; and the item, where there is
/// one.
#[test]
fn warnings_name_their_feed_and_item() {
    let site = Site::new(&config(&[
        ("Odd dates", "odd.xml", "papers"),
        ("Fine", "fine.xml", "papers"),
    ]));
    let mut unreadable = Item::new("Unreadable", "https://ex.org/1", "");
    unreadable.pub_date = Some("1518478934".into());
    let mut future = Item::new("From the future", "https://ex.org/2", "");
    future.pub_date = Some("Mon, 02 Sep 2999 08:00:00 +0000".into());
    site.write("odd.xml", &rss(&[unreadable, future]));
    site.write("fine.xml", &rss(&common::numbered_items(1)));
    let output = site.import(&[], 0);
    let said = stderr(&output);
    for line in [
        "feed{name=Odd dates}: unreadable date date=1518478934",
        "feed{name=Odd dates}: item dated in the future: using the time of import",
    ] {
        assert!(said.contains(line), "{line}\n{said}");
    }
    assert!(said.contains("item=From the future"), "{said}");
    for warning in said.lines().filter(|l| l.contains("WARN")) {
        assert!(
            ["name=Odd dates", "feed=Odd dates", "feed=Fine"]
                .iter()
                .any(|named| warning.contains(named)),
            "{warning}"
        );
    }
}
