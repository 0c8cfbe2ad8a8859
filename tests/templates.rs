//! Output templates end to end: presets, a site's own template, the
//! per-feed choice, locales, the full text, and every template that cannot
//! work refused by `check` and `run` before anything is written.

mod common;

use common::*;
use wiremock::MockServer;

const RSS: &str = "application/rss+xml; charset=UTF-8";

/// Two items: one with an image, a hostile title and an author; one plain.
fn two_items() -> String {
    let mut first = Item::new(
        "Crème brûlée: a &quot;study&quot; of p&lt;0.05",
        "https://news.example.org/a/creme",
        "Mon, 02 Sep 2024 10:13:01 +0000",
    );
    first.image = Some("https://img.example.org/creme.jpg".into());
    let second = Item::new(
        "Second: nothing to see",
        "https://news.example.org/a/second",
        "Sun, 01 Sep 2024 08:00:00 +0000",
    );
    rss(&[first, second])
}

async fn served(body: &str) -> (MockServer, String) {
    let server = MockServer::start().await;
    serve(&server, "/feed/", RSS, body).await;
    let url = format!("{}/feed/", server.uri());
    (server, url)
}

fn site_with(output: &str, url: &str, feed_extra: &str) -> Site {
    let mut text = config(&[("News", url, "papers")]);
    text.push_str(feed_extra);
    text = text.replacen("\n[[feeds]]", &format!("\n{output}\n\n[[feeds]]"), 1);
    Site::new(&text)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_hugo_preset_writes_toml_that_reads_back_and_is_never_imported_twice() {
    let (_server, url) = served(&two_items()).await;
    let site = site_with("[output]\npreset = \"hugo\"", &url, "");
    site.import(&[], 0);
    let content = site.content();
    assert_eq!(
        content.keys().collect::<Vec<_>>(),
        [
            "papers/2024-09-01-second-nothing-to-see.md",
            "papers/2024-09-02-creme-brulee-a-study-of-p-0-05.md"
        ]
    );
    let text = &content["papers/2024-09-02-creme-brulee-a-study-of-p-0-05.md"];
    let front = text
        .strip_prefix("+++\n")
        .and_then(|rest| rest.split_once("\n+++\n"))
        .map(|(front, _)| front)
        .expect("TOML front matter");
    let front: toml::Table = toml::from_str(front).unwrap();
    assert_eq!(
        front["title"].as_str(),
        Some("Crème brûlée: a \"study\" of p<0.05")
    );
    assert_eq!(
        front["images"].as_array().unwrap()[0].as_str(),
        Some("https://img.example.org/creme.jpg")
    );
    assert_eq!(front["publishedDate"].as_str(), Some("2 septembre 2024"));
    assert_eq!(
        front["sourceUrl"].as_str(),
        Some("https://news.example.org/a/creme")
    );
    assert!(
        no_raw_angle_bracket(text.split_once("\n+++\n").unwrap().1),
        "{text}"
    );

    // Again: nothing new. Without the state: the TOML files are read back
    // (TOML, between `+++` lines), and still nothing is imported.
    site.import(&[], 0);
    std::fs::remove_dir_all(site.path().join(".feedimport")).unwrap();
    site.import(&[], 0);
    assert_eq!(site.content(), content);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_overrides_the_global_output_key_by_key() {
    let (_server, url) = served(&two_items()).await;
    // The second feed's items are other articles (a link is imported once).
    let other = two_items().replace("news.example.org/a/", "news.example.org/b/");
    let (_other_server, other_url) = served(&other).await;
    let template = "---\ntitle: {{ title | yaml }}\nday: {{ date | date('full') | yaml }}\nlong: {{ published_date | yaml }}\nsource: {{ source_url | yaml }}\n---\n{{ summary | md }}\n";
    // The global choice is Jekyll in German; the first feed picks its own
    // template (dropping the preset, keeping the locale), the second keeps
    // the preset and changes only the path.
    let mut text = String::from(
        "content_dir = \"content\"\nstate_dir = \".feedimport\"\ntimezone = \"Europe/Paris\"\n\n[output]\npreset = \"jekyll\"\nlocale = \"de\"\n",
    );
    text.push_str(&format!(
        "\n[[feeds]]\nname = \"Own\"\nurl = \"{url}\"\nsection = \"own\"\noutput = {{ template = \"templates/card.md\" }}\n"
    ));
    text.push_str(&format!(
        "\n[[feeds]]\nname = \"Posts\"\nurl = \"{other_url}\"\nsection = \"posts\"\noutput = {{ path = \"_posts/{{{{ section }}}}/{{{{ date_local }}}}-{{{{ slug }}}}.md\" }}\n"
    ));
    let site = Site::new(&text);
    site.write("templates/card.md", template);
    site.import(&[], 0);
    let content = site.content();
    let own = &content["own/2024-09-02-creme-brulee-a-study-of-p-0-05.md"];
    let own_front = front_matter(own);
    assert_eq!(own_front["long"].as_str(), Some("2. September 2024"));
    assert_eq!(own_front["day"].as_str(), Some("Montag, 2. September 2024"));
    let jekyll = content
        .get("_posts/posts/2024-09-01-second-nothing-to-see.md")
        .unwrap_or_else(|| panic!("{:?}", content.keys()));
    let jekyll_front = front_matter(jekyll);
    assert_eq!(jekyll_front["layout"].as_str(), Some("post"));
    assert_eq!(
        jekyll_front["published_date"].as_str(),
        Some("1. September 2024")
    );
    assert_eq!(
        jekyll_front["permalink"].as_str(),
        Some("/posts/2024-09-01-second-nothing-to-see/")
    );
    assert_eq!(content.len(), 4, "{:?}", content.keys().collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread")]
async fn english_dates_and_credit_with_the_default_preset() {
    let (_server, url) = served(&two_items()).await;
    let site = site_with("[output]\nlocale = \"en\"", &url, "");
    site.import(&[], 0);
    let content = site.content();
    let text = &content["papers/2024-09-02-creme-brulee-a-study-of-p-0-05.md"];
    let front = front_matter(text);
    assert_eq!(front["publishedDate"].as_str(), Some("2 September 2024"));
    assert!(
        front["imageCredit"]
            .as_str()
            .unwrap()
            .starts_with("Image from the article"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_template_reads_the_full_text_author_categories_and_enclosure_made_safe() {
    let feed = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>The Example Journal</title><link>https://news.example.org/</link><description>d</description><language>en-gb</language>
<item><title>Episode one</title><link>https://news.example.org/e/1</link>
<pubDate>Mon, 02 Sep 2024 10:00:00 +0000</pubDate>
<dc:creator>Ada "The Count" Lovelace</dc:creator>
<category>Oncology</category><category>Radiology &amp; Imaging</category>
<description>Short.</description>
<content:encoded><![CDATA[<p>Full <b>text</b> with <a href="/more" onclick="x()">a link</a>.</p><script>alert(1)</script><img src="javascript:alert(2)"><p><img src="/fig.png" alt="Figure"></p>]]></content:encoded>
<enclosure url="https://cdn.example.org/e1.mp3" type="audio/mpeg" length="12345"/>
</item></channel></rss>"#;
    let (_server, url) = served(feed).await;
    let site = site_with("[output]\ntemplate = \"full.md\"", &url, "");
    site.write(
        "full.md",
        "---\ntitle: {{ title | yaml }}\nauthor: {{ author | yaml }}\ncategories: {{ categories | yaml }}\naudio: {{ enclosure | yaml }}\nfeed: {{ feed.title | yaml }}\nlang: {{ lang | yaml }}\n---\n\n{{ content_markdown }}\n\n<!-- html -->\n{{ content_html }}\n",
    );
    site.import(&[], 0);
    let content = site.content();
    let text = &content["papers/2024-09-02-episode-one.md"];
    let front = front_matter(text);
    assert_eq!(front["author"].as_str(), Some("Ada \"The Count\" Lovelace"));
    assert_eq!(
        front["categories"],
        serde_yaml::from_str::<serde_yaml::Value>("[Oncology, Radiology & Imaging]").unwrap()
    );
    assert_eq!(
        front["audio"]["url"].as_str(),
        Some("https://cdn.example.org/e1.mp3")
    );
    assert_eq!(front["audio"]["type"].as_str(), Some("audio/mpeg"));
    assert_eq!(front["audio"]["length"].as_str(), Some("12345"));
    assert_eq!(front["feed"].as_str(), Some("The Example Journal"));
    assert_eq!(front["lang"].as_str(), Some("en-gb"));
    let (markdown, html) = body(text).split_once("<!-- html -->").unwrap();
    assert!(
        markdown.contains("Full **text** with [a link](https://news.example.org/more)."),
        "{markdown}"
    );
    assert!(
        markdown.contains("![Figure](https://news.example.org/fig.png)"),
        "{markdown}"
    );
    for bad in ["<script", "onclick", "javascript:"] {
        assert!(!text.contains(bad), "{bad} in {text}");
    }
    assert!(html.contains("<b>text</b>"), "{html}");
}

/// `check` and `run` refuse the template, naming the file, line and
/// column, and nothing is written.
fn refused(site: &Site, expected: &[&str]) {
    for args in [&["check"][..], &["run"][..], &["run", "--dry-run"][..]] {
        let output = site.run(args);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {message}");
        for part in expected {
            assert!(
                message.contains(part),
                "{args:?}: {part:?} not in {message}"
            );
        }
    }
    assert!(site.content().is_empty(), "{:?}", site.content().keys());
}

#[tokio::test(flavor = "multi_thread")]
async fn templates_that_cannot_work_stop_check_and_run_naming_file_line_and_column() {
    let (_server, url) = served(&two_items()).await;
    for (template, expected) in [
        (
            "---\ntitle: {{ title | yaml }}\nsummary: {{ summary | yamll }}\n---\n",
            &["card.md:3:", "unknown filter"][..],
        ),
        (
            "---\ntitle: {{ titel | yaml }}\n---\n",
            &["card.md:2:", "undefined"][..],
        ),
        (
            "---\ntitle: {{ title | yaml }\n---\n",
            &["card.md:2:", "syntax error"][..],
        ),
        (
            "---\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n---\n",
            &["card.md:2:", "fuel"][..],
        ),
        (
            "---\ntitle: {{ title }}\n---\n",
            &["card.md", "title", "yaml or toml filter"][..],
        ),
    ] {
        let site = site_with("[output]\ntemplate = \"card.md\"", &url, "");
        site.write("card.md", template);
        refused(&site, expected);
    }
    // A template file that is not there.
    let site = site_with("[output]\ntemplate = \"missing.md\"", &url, "");
    refused(&site, &["missing.md", "News"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_path_that_leads_out_of_the_content_folder_is_never_written() {
    let (_server, url) = served(&two_items()).await;
    for (path, expected) in [
        ("../{{ slug }}.md", "leads out"),
        ("{{ section }}/../../../{{ slug }}.md", "leads out"),
        ("/tmp/{{ slug }}.md", "absolute"),
        (
            "{{ section }}/{{ date_local }}.md",
            "same for every article",
        ),
    ] {
        let site = site_with(&format!("[output]\npath = {path:?}"), &url, "");
        refused(&site, &[expected]);
        let outside: Vec<_> = std::fs::read_dir(site.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".md"))
            .collect();
        assert!(outside.is_empty(), "{path}: {outside:?}");
    }
    // A title as it comes could lead out: a path that holds one is refused
    // (the slug filter makes it a plain name).
    let site = site_with(
        "[output]\npath = \"{{ section }}/{{ title }}/{{ slug }}.md\"",
        &url,
        "",
    );
    refused(&site, &["leads out", "slug filter"]);
    let site = site_with(
        "[output]\npath = \"{{ section }}/{{ title | slug }}-{{ slug }}.md\"",
        &url,
        "",
    );
    site.import(&[], 0);
    assert!(
        site.content()
            .contains_key("papers/second-nothing-to-see-second-nothing-to-see.md"),
        "{:?}",
        site.content().keys()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_output_keys_are_named() {
    let (_server, url) = served(&two_items()).await;
    for (output, expected) in [
        (
            "[output]\npreset = \"wordpress\"",
            "`[output].preset`: `wordpress` is not a preset",
        ),
        ("[output]\nlocale = \"sv\"", "output.locale"),
        (
            "[output]\npreset = \"hugo\"\ntemplate = \"x.md\"",
            "both `preset` and `template`",
        ),
        (
            "[output]\nformat = \"hugo\"",
            "unknown key `format` in `[output]`",
        ),
        ("[output]\npath = \"\"", "output.path"),
    ] {
        let site = site_with(output, &url, "");
        let result = site.run(&["check"]);
        assert_eq!(result.status.code(), Some(2), "{output}");
        assert!(
            stderr(&result).contains(expected),
            "{output}: {}",
            stderr(&result)
        );
    }
    let site = site_with("", &url, "output = { preset = \"nope\" }\n");
    let result = site.run(&["check"]);
    assert_eq!(result.status.code(), Some(2));
    assert!(
        stderr(&result).contains("feed \"News\""),
        "{}",
        stderr(&result)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn check_shows_a_sample_file_and_a_dry_run_prints_the_files_a_run_writes() {
    let (_server, url) = served(&two_items()).await;
    let site = site_with("[output]\npreset = \"astro\"", &url, "");
    let checked = site.run(&["check"]);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    let shown = stdout(&checked);
    assert!(
        shown.contains("format: the astro preset, locale fr"),
        "{shown}"
    );
    assert!(
        shown.contains("      | pubDate: \"2024-09-02T10:13:01.000Z\""),
        "{shown}"
    );
    assert!(
        shown.contains(
            "content/papers/2024-09-02-a-sample-article-what-an-item-of-this-feed-becomes.md"
        ),
        "{shown}"
    );

    let dry = site.import(&["--dry-run"], 0);
    assert!(site.content().is_empty());
    let printed = stdout(&dry);
    site.import(&[], 0);
    for (path, text) in site.content() {
        assert!(
            printed.contains(&format!("==> content/{path} <==\n{text}")),
            "{path}\n{printed}"
        );
    }
}

/// An RSS item with a `dc:creator` and `categories` `<category>` elements.
fn item_with(title: &str, link: &str, author: &str, categories: usize) -> String {
    let categories: String = (0..categories)
        .map(|i| format!("<category>c{i}</category>"))
        .collect();
    format!(
        "<item><title>{title}</title><link>{link}</link><pubDate>Mon, 02 Sep 2024 10:00:00 +0000</pubDate><dc:creator>{author}</dc:creator>{categories}<description>d</description></item>\n"
    )
}

fn feed_of(items: &[String]) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>T</title><link>https://news.example.org/</link><description>d</description>\n{}</channel></rss>\n",
        items.concat()
    )
}

/// A value from a feed that makes one item's path or file fail (an author
/// of `../../…` or of 2,100 parts in a path, 60,000 categories for a
/// loop's fuel) is that
/// item's failure: it is skipped and reported with its feed, the feed's
/// other items and the next feed are written, and the run exits 0. It is
/// not recorded: the next run tries it again.
#[tokio::test(flavor = "multi_thread")]
async fn an_item_whose_values_make_its_path_or_file_fail_is_skipped_and_the_run_goes_on() {
    let first = feed_of(&[
        item_with(
            "Climbs out",
            "https://news.example.org/a/out",
            "../../../x",
            1,
        ),
        item_with(
            "Many categories",
            "https://news.example.org/a/many",
            "Ada",
            60_000,
        ),
        item_with("Plain", "https://news.example.org/a/plain", "Bob", 2),
        item_with(
            "Too deep",
            "https://news.example.org/a/deep",
            &"x/".repeat(2100),
            1,
        ),
    ]);
    let later = feed_of(&[item_with(
        "Later plain",
        "https://news.example.org/b/later",
        "Cy",
        1,
    )]);
    let (_server, url) = served(&first).await;
    let (_later_server, later_url) = served(&later).await;
    let output =
        "[output]\ntemplate = \"card.md\"\npath = \"{{ section }}/{{ author }}/{{ slug }}.md\"";
    // Article pages are not read: no request leaves the machine.
    let mut text = config(&[("First", &url, "papers"), ("Later", &later_url, "later")])
        .replace(
            "section = \"papers\"\n",
            "section = \"papers\"\narticle_images = false\n",
        )
        .replace(
            "section = \"later\"\n",
            "section = \"later\"\narticle_images = false\n",
        );
    text = text.replacen("\n[[feeds]]", &format!("\n{output}\n\n[[feeds]]"), 1);
    let site = Site::new(&text);
    site.write(
        "card.md",
        "---\ntitle: {{ title | yaml }}\ncategories: [{% for c in categories %}{{ c | yaml }}{% if not loop.last %}, {% endif %}{% endfor %}]\nsourceUrl: {{ source_url | yaml }}\n---\n",
    );
    // The template works on the sample articles: `check` passes.
    let checked = site.run(&["check"]);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));

    let output = site.import(&["--json"], 0);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let log = stderr(&output);
    assert_eq!(
        site.content().keys().collect::<Vec<_>>(),
        ["later/Cy/later-plain.md", "papers/Bob/plain.md"],
        "{log}"
    );
    let feed = &report["feeds"][0];
    assert_eq!(feed["name"], "First");
    assert_eq!(feed["status"], "ok");
    assert_eq!(feed["new"], 1);
    assert_eq!(feed["skipped"], 3);
    let skipped = feed["skipped_items"].as_array().unwrap();
    let reason_of = |title: &str| {
        skipped
            .iter()
            .find(|s| s["title"] == title)
            .unwrap_or_else(|| panic!("{title} not in {skipped:?}"))["reason"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(reason_of("Climbs out").contains("leads out"), "{skipped:?}");
    assert!(reason_of("Too deep").contains("too long"), "{skipped:?}");
    let fuel = reason_of("Many categories");
    assert!(
        fuel.contains("card.md:3") && fuel.contains("fuel"),
        "{fuel}"
    );
    assert_eq!(
        skipped.iter().find(|s| s["title"] == "Climbs out").unwrap()["source_url"],
        "https://news.example.org/a/out"
    );
    assert_eq!(report["feeds"][1]["new"], 1);
    assert!(
        report["feeds"][1]["skipped_items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    for title in ["Climbs out", "Many categories"] {
        assert!(
            log.lines()
                .any(|l| l.contains("First") && l.contains(title) && l.contains("skipped")),
            "no warning naming the feed and {title}: {log}"
        );
    }
    let outside: Vec<_> = std::fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!outside.iter().any(|n| n == "x"), "{outside:?}");

    // Not recorded: the next run tries them again, and skips them again.
    let again = site.import(&["--json", "--force"], 0);
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["feeds"][0]["new"], 0);
    assert_eq!(report["feeds"][0]["seen"], 1);
    assert_eq!(report["feeds"][0]["skipped"], 3);
    assert_eq!(site.content().len(), 2);
}
