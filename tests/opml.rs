//! End-to-end: `feedimport opml import` adds a reader's OPML list to
//! `feeds.toml` in one write, keeping every byte that was there, and
//! `opml export` writes a list that imports back to the same feeds. A file
//! that is not OPML, and a config that cannot be written, change nothing.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output};

use common::requires;
use common::*;

const HAND_WRITTEN: &str = "# Our site's feeds.\ntimezone = \"Europe/Paris\"   # Paris time\n\n[[feeds]]\nname = \"Existing\"\nurl = \"https://existing.example/feed/\"   # since 2023\nsection = \"papers\"\n# max_age = \"30d\"\n";

/// A reader's export: folders within folders, a feed listed twice, one the
/// config has, and outlines that cannot be feeds.
const READER_LIST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="Medicine">
      <outline text="Radiology" title="Radiology">
        <outline type="rss" text="Interventional News" xmlUrl="https://interventionalnews.com/feed/"/>
        <outline type="rss" text="Existing again" xmlUrl="https://existing.example/feed/"/>
      </outline>
      <outline type="rss" text="Journal &amp; Co" xmlUrl="https://journal.example/rss" category="Revues,/Médecine/Cardiologie,medicine"/>
    </outline>
    <outline type="rss" text="Journal twice" xmlUrl="https://journal.example/rss"/>
    <outline type="rss" text="Script" xmlUrl="javascript:alert(1)"/>
    <outline type="rss" text="Local file" xmlUrl="file:///etc/passwd"/>
    <outline type="rss" xmlUrl="https://untitled.example/atom.xml"/>
  </body>
</opml>
"#;

fn config_text(site: &Site) -> String {
    std::fs::read_to_string(site.path().join("feeds.toml")).unwrap()
}

type FeedRow = (String, String, String, Vec<String>);

/// The `[[feeds]]` of the site's config, as (name, url, section, tags).
fn feeds(site: &Site) -> Vec<FeedRow> {
    let table: toml::Table = toml::from_str(&config_text(site)).unwrap();
    table
        .get("feeds")
        .and_then(|f| f.as_array())
        .map(|feeds| {
            feeds
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
        })
        .unwrap_or_default()
}

fn row(name: &str, url: &str, section: &str, tags: &[&str]) -> FeedRow {
    (
        name.to_string(),
        url.to_string(),
        section.to_string(),
        tags.iter().map(ToString::to_string).collect(),
    )
}

fn expect(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(output),
        stderr(output)
    );
}

#[test]
fn a_readers_list_is_added_with_its_folders_and_categories_as_tags() {
    let site = Site::new(HAND_WRITTEN);
    site.write("list.opml", READER_LIST);
    let output = site.run(&["opml", "import", "list.opml"]);
    // Two outlines cannot be feeds: part of the import failed.
    expect(&output, 1);
    let out = stdout(&output);
    for line in [
        "skipped: https://existing.example/feed/ (line 8): feed \"Existing\" already reads it",
        "skipped: https://journal.example/rss (line 12): listed before, at line 10",
        "refused: \"Script\" (line 13): xmlUrl `javascript:alert(1)` is not an http(s) URL",
        "refused: \"Local file\" (line 14): xmlUrl `file:///etc/passwd` is not an http(s) URL",
        "3 added, 2 skipped, 2 refused",
    ] {
        assert!(out.contains(line), "{line}\n{out}");
    }
    let text = config_text(&site);
    assert!(text.starts_with(HAND_WRITTEN), "{text}");
    assert_eq!(
        feeds(&site),
        [
            row("Existing", "https://existing.example/feed/", "papers", &[]),
            row(
                "Interventional News",
                "https://interventionalnews.com/feed/",
                "papers",
                &["Medicine", "Radiology"]
            ),
            row(
                "Journal & Co",
                "https://journal.example/rss",
                "papers",
                // The folder, then OPML 2.0's categories, each tag once.
                &["Medicine", "Revues", "Médecine", "Cardiologie"]
            ),
            row(
                "untitled.example",
                "https://untitled.example/atom.xml",
                "papers",
                &[]
            ),
        ]
    );
    expect(&site.run(&["check"]), 0);

    // Again: everything is there already; skipping it is what was asked.
    std::fs::write(
        site.path().join("list.opml"),
        READER_LIST
            .replace(
                "javascript:alert(1)",
                "https://interventionalnews.com/feed/",
            )
            .replace("file:///etc/passwd", "https://journal.example/rss"),
    )
    .unwrap();
    let output = site.run(&["opml", "import", "list.opml", "--section", "news"]);
    expect(&output, 0);
    assert!(
        stdout(&output).contains("0 added, 7 skipped, 0 refused"),
        "{}",
        stdout(&output)
    );
    assert_eq!(config_text(&site), text);
}

#[test]
fn export_then_import_into_an_empty_config_gives_the_same_feeds() {
    let original = concat!(
        "tags = [\"France\"]\n",
        "[[feeds]]\nname = \"Quotes \\\" & <angles> 'single'\"\nurl = \"https://a.example/feed?x=1&y=2\"\nsection = \"papers\"\ntags = [\"Radiologie\", \"Sub & <tag>\"]\n",
        "[[feeds]]\nname = \"Plain\"\nurl = \"https://b.example/\"\nsection = \"news\"\n",
        "[[feeds]]\nname = \"Also radiology\"\nurl = \"http://c.example/rss.xml\"\nsection = \"papers\"\ntags = [\"Radiologie\"]\n",
        "[[feeds]]\nname = \"Année — été\"\nurl = \"https://d.example/atom\"\nsection = \"news_fr\"\ntags = [\"Actualité\"]\ninterval = \"30m\"\n",
    );
    let site = Site::new(original);
    let output = site.run(&["opml", "export"]);
    expect(&output, 0);
    let opml = stdout(&output);
    assert!(
        opml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">"),
        "{opml}"
    );

    // A new site whose config has its settings and no feed yet.
    let other = Site::new("timezone = \"UTC\"\n");
    other.write("exported.opml", &opml);
    let output = other.run(&["opml", "import", "exported.opml"]);
    expect(&output, 0);
    let mut before = feeds(&site);
    let mut after = feeds(&other);
    before.sort();
    after.sort();
    assert_eq!(after, before);
    expect(&other.run(&["check"]), 0);
    // And it exports the same list again.
    assert_eq!(stdout(&other.run(&["opml", "export"])), opml);
}

#[test]
fn ten_thousand_outlines_and_their_duplicates_are_added_at_once() {
    let mut list = String::from("<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><body>\n");
    for i in 0..10_000 {
        list.push_str(&format!(
            "<outline type=\"rss\" text=\"Feed {}\" xmlUrl=\"https://feeds{}.example/rss\"/>\n",
            i % 100,
            i
        ));
    }
    for i in 0..500 {
        list.push_str(&format!(
            "<outline type=\"rss\" text=\"Again\" xmlUrl=\"https://feeds{i}.example/rss\"/>\n"
        ));
    }
    list.push_str("</body></opml>\n");
    let site = Site::new(HAND_WRITTEN);
    site.write("big.opml", &list);
    let output = site.run(&["opml", "import", "big.opml", "--section", "bulk"]);
    expect(&output, 0);
    assert!(
        stdout(&output).contains("10000 added, 500 skipped, 0 refused"),
        "{}",
        stdout(&output).lines().last().unwrap_or_default()
    );
    let all = feeds(&site);
    assert_eq!(all.len(), 10_001);
    // A hundred titles shared a hundred ways: each name is unique.
    assert_eq!(all[1].0, "Feed 0");
    assert_eq!(all[101].0, "Feed 0 (2)");
    expect(&site.run(&["check"]), 0);
}

#[test]
fn a_file_that_is_not_opml_changes_nothing() {
    let bomb = {
        let mut doc =
            String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE opml [\n<!ENTITY a \"aaaaaaaaaa\">\n");
        for i in 1..10u8 {
            let (prev, name) = ((b'a' + i - 1) as char, (b'a' + i) as char);
            doc.push_str(&format!(
                "<!ENTITY {name} \"{}\">\n",
                format!("&{prev};").repeat(10)
            ));
        }
        doc.push_str("]>\n<opml version=\"2.0\"><body><outline text=\"&j;\" xmlUrl=\"https://a.example/\"/></body></opml>\n");
        doc
    };
    let deep = format!(
        "<opml><body>{}<outline xmlUrl=\"https://a.example/\"/>{}</body></opml>",
        "<outline text=\"f\">".repeat(100_000),
        "</outline>".repeat(100_000)
    );
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "unclosed",
            "<opml version=\"2.0\"><body>\n<outline xmlUrl=\"https://a.example/\">\n".to_string(),
            "ends before",
        ),
        (
            "mismatched",
            "<opml><body>\n<outline xmlUrl=\"https://a.example/\"></body></opml>".to_string(),
            "line 2",
        ),
        ("a feed", rss(&numbered_items(2)), "root element is <rss>"),
        (
            "html",
            "<!DOCTYPE html><html><body>Hi</body></html>".to_string(),
            "root element is <html>",
        ),
        ("empty", String::new(), "no <opml>"),
        (
            "an entity bomb",
            bomb,
            "line 14: an attribute cannot be read",
        ),
        ("deep nesting", deep, "nested more than 64 deep"),
    ];
    let site = Site::new(HAND_WRITTEN);
    for (what, text, says) in cases {
        site.write("bad.opml", &text);
        let output = site.run(&["opml", "import", "bad.opml"]);
        expect(&output, 2);
        let message = stderr(&output);
        assert!(
            message.contains("cannot import bad.opml") && message.contains(says),
            "{what}: {message}"
        );
        assert!(
            message.contains("feeds.toml was not changed"),
            "{what}: {message}"
        );
        assert_eq!(config_text(&site), HAND_WRITTEN, "{what}");
    }
    let output = site.run(&["opml", "import", "missing.opml"]);
    expect(&output, 2);
    assert!(
        stderr(&output).contains("missing.opml"),
        "{}",
        stderr(&output)
    );
}

/// A config that the user running the import may read but not write
/// (root would write anyway, so the import runs as `nobody`).
#[test]
#[ignore = "needs root: runs the import as another user (setpriv); .ci/run runs it as root"]
fn a_config_that_cannot_be_written_is_named_and_left_alone() {
    requires::switch_user();
    let site = Site::new(HAND_WRITTEN);
    site.write("list.opml", READER_LIST);
    std::fs::set_permissions(site.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = site.path().join("feeds.toml");
    let output = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN])
        .arg("--config")
        .arg(&config)
        .args(["opml", "import"])
        .arg(site.path().join("list.opml"))
        .output()
        .unwrap();
    expect(&output, 2);
    let message = stderr(&output);
    assert!(
        message.contains(&format!("cannot write config file {}", config.display()))
            && message.contains("Permission denied"),
        "{message}"
    );
    assert_eq!(config_text(&site), HAND_WRITTEN);
    // The folder is writable, the file is not: not written either.
    std::fs::set_permissions(site.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let output = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN])
        .arg("--config")
        .arg(&config)
        .args(["opml", "import"])
        .arg(site.path().join("list.opml"))
        .output()
        .unwrap();
    expect(&output, 2);
    assert!(
        stderr(&output).contains("cannot write config file"),
        "{}",
        stderr(&output)
    );
    assert_eq!(config_text(&site), HAND_WRITTEN);
    let names: Vec<String> = std::fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}
