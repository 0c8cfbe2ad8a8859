//! An item's life after its feed: `max_items` takes the newest and leaves
//! the rest for later, `forget` lets an article deleted by mistake be
//! imported again, and `update = "untouched"` writes again an article
//! changed at its source while nobody touched its file.

mod common;

use common::*;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const RSS: &str = "application/rss+xml; charset=UTF-8";

/// A site whose one feed, "Feed", is `/feed.xml` on `server`, with `top`
/// at the top level and `extra` in the feed's table.
fn site_for(server: &MockServer, top: &str, extra: &str) -> Site {
    one_feed_site(&server.uri(), "Feed", top, extra)
}

/// Serves `body` at /feed.xml, replacing what was served there.
async fn serve_feed(server: &MockServer, body: &str) {
    server.reset().await;
    serve(server, "/feed.xml", RSS, body).await;
}

fn json_run(site: &Site, args: &[&str], code: i32) -> serde_json::Value {
    let mut all = vec!["--json", "--force"];
    all.extend_from_slice(args);
    let output = site.import(&all, code);
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn max_items_takes_the_newest_and_leaves_the_rest_for_a_later_run() {
    let server = MockServer::start().await;
    // In no order of date: the newest are taken, whatever their place.
    let mut items = numbered_items(7);
    items.swap(0, 6);
    items.swap(2, 4);
    // An item without a date comes after the dated ones.
    let mut undated = Item::new("Undated", "https://news.example.org/undated", "");
    undated.pub_date = None;
    items.insert(0, undated);
    serve_feed(&server, &rss(&items)).await;
    // Global, and the feed's own overrides it.
    let site = site_for(&server, "max_items = 100\n", "max_items = 3\n");
    let report = json_run(&site, &[], 0);
    assert_eq!(titles(&site), numbered_titles(4..7));
    assert_eq!(report["feeds"][0]["new"], 3);
    assert_eq!(report["feeds"][0]["held_back"], 5);
    // Neither imported nor recorded: the next runs take them.
    json_run(&site, &[], 0);
    assert_eq!(titles(&site), numbered_titles(1..7));
    let report = json_run(&site, &[], 0);
    let mut expected = numbered_titles(0..7);
    expected.push("Undated".into());
    expected.sort();
    assert_eq!(titles(&site), expected);
    assert_eq!(report["feeds"][0]["held_back"], 0);

    // A global cap alone.
    let site = site_for(&server, "max_items = 2\n", "");
    json_run(&site, &[], 0);
    assert_eq!(titles(&site), numbered_titles(5..7));
    // Out of bounds: exit 2, naming the key.
    let site = site_for(&server, "", "max_items = 0\n");
    let output = site.import(&[], 2);
    assert!(
        stderr(&output).contains("feed \"Feed\": key `max_items`: 0 is out of range"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn forget_lets_an_article_deleted_by_mistake_be_imported_again() {
    let server = MockServer::start().await;
    let body = rss(&numbered_items(3));
    // A server that answers 304 to the validators it gave: the next run
    // would see nothing, were they kept.
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .and(header("if-none-match", "\"v1\""))
        .respond_with(ResponseTemplate::new(304))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("etag", "\"v1\"")
                .set_body_raw(body.as_bytes().to_vec(), RSS),
        )
        .mount(&server)
        .await;
    let site = site_for(&server, "", "");
    site.import(&[], 0);
    let files: Vec<String> = site.content().keys().cloned().collect();
    assert_eq!(files.len(), 3);
    let first = site.path().join("content").join(&files[0]);
    let second = site.path().join("content").join(&files[1]);
    let first_text = std::fs::read_to_string(&first).unwrap();
    let first_url = front_matter(&first_text)["sourceUrl"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::remove_file(&first).unwrap();
    std::fs::remove_file(&second).unwrap();
    // Deleted: a tombstone keeps them out.
    site.import(&["--force"], 0);
    assert_eq!(site.content().len(), 1);

    // A dry run says what it would forget, and forgets nothing.
    let output = site.run(&["forget", "--dry-run", &first_url]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        format!("would forget {first_url} (content/{})\n", files[0])
    );
    site.import(&["--force"], 0);
    assert_eq!(site.content().len(), 1);

    // By sourceUrl and by file (relative to the site folder), at once.
    let second_file = format!("content/{}", files[1]);
    let output = site.run(&["forget", &first_url, &second_file]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().count(), 2, "{}", stdout(&output));
    assert!(stdout(&output).starts_with(&format!("forgot {first_url} (content/{})\n", files[0])));
    // Not due yet, and the server would answer 304: forget made the feed
    // due and dropped its validators.
    site.import(&[], 0);
    assert_eq!(site.content().len(), 3);
    assert_eq!(std::fs::read_to_string(&first).unwrap(), first_text);
}

#[tokio::test(flavor = "multi_thread")]
async fn forget_of_what_was_never_imported_exits_1_and_bad_names_exit_2() {
    let server = MockServer::start().await;
    serve_feed(&server, &rss(&numbered_items(2))).await;
    let site = site_for(&server, "", "");
    site.import(&[], 0);
    let output = site.run(&["forget", "https://news.example.org/never"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(
            "https://news.example.org/never: no imported item has this sourceUrl or file; nothing forgotten"
        ),
        "{}",
        stderr(&output)
    );
    // One known, one unknown: the known one is forgotten, and exit 1.
    let output = site.run(&[
        "forget",
        "https://news.example.org/a/0",
        "content/news/nothing-here.md",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("forgot https://news.example.org/a/0 "));
    // A name outside the content folder: bad usage, nothing forgotten.
    for bad in ["feeds.toml", "/etc/passwd", "../elsewhere.md"] {
        let output = site.run(&["forget", "https://news.example.org/a/1", bad]);
        assert_eq!(output.status.code(), Some(2), "{bad}");
        assert!(
            stderr(&output).contains("is neither an article's http(s) sourceUrl nor an article file (.md) in the content folder"),
            "{}",
            stderr(&output)
        );
    }
    let output = site.run(&["forget"]);
    assert_eq!(output.status.code(), Some(2));
    let output = site.run(&["forget", "--dry-run", "https://news.example.org/a/1"]);
    assert!(stdout(&output).starts_with("would forget https://news.example.org/a/1 "));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_untouched_article_is_written_again_when_its_source_changes() {
    let server = MockServer::start().await;
    let items = numbered_items(3);
    serve_feed(&server, &rss(&items)).await;
    let site = site_for(&server, "update = \"untouched\"\n", "");
    site.import(&[], 0);
    let before = site.content();
    let paths: Vec<String> = before.keys().cloned().collect();
    let file = |i: usize| site.path().join("content").join(&paths[i]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file(0), std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    // An editor touches the second file.
    let edited = format!("{}\nAn editor's note.\n", before[&paths[1]]);
    std::fs::write(file(1), &edited).unwrap();

    // The publisher fixes every title, a summary and adds an image.
    let mut fixed = items.clone();
    for item in &mut fixed {
        item.title = format!("{} (corrected)", item.title);
    }
    fixed[2].description = Some("A better summary.".into());
    fixed[2].image = Some("https://news.example.org/i/2.jpg".into());
    serve_feed(&server, &rss(&fixed)).await;
    let output = site.import(&["--force", "--json"], 0);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["feeds"][0]["new"], 0);
    assert_eq!(report["feeds"][0]["updated"], 2);
    assert_eq!(
        report["feeds"][0]["left_alone"],
        serde_json::json!([format!("content/{}", paths[1])])
    );
    let summary = stderr(&output);
    assert!(summary.contains("2 articles updated"), "{summary}");
    assert!(
        summary.contains(
            "changed at the source, left alone: the file was edited since it was written"
        ),
        "{summary}"
    );

    // The same files, in place: the path and permalink stay.
    let after = site.content();
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    assert_eq!(
        after[&paths[1]], edited,
        "an edited file is never rewritten"
    );
    for i in [0, 2] {
        let old = front_matter(&before[&paths[i]]);
        let new = front_matter(&after[&paths[i]]);
        assert!(new["title"].as_str().unwrap().ends_with("(corrected)"));
        assert_eq!(new["permalink"], old["permalink"]);
        assert_eq!(new["date"], old["date"]);
    }
    let third = front_matter(&after[&paths[2]]);
    assert_eq!(third["summary"], "A better summary.");
    assert_eq!(third["imageUrl"], "https://news.example.org/i/2.jpg");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file(0)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640, "the file keeps its mode");
    }
    // No temporary file left in the section.
    assert!(
        !site
            .path()
            .join("content/news/.feedimport-staging")
            .exists()
    );

    // Nothing changed since: nothing written, the edited file not named
    // again.
    let report = json_run(&site, &[], 0);
    assert_eq!(report["feeds"][0]["updated"], 0);
    assert_eq!(report["feeds"][0]["left_alone"], serde_json::json!([]));
    assert_eq!(site.content(), after);

    // A rewritten file is ours again: the next fix writes it again too.
    let mut again = fixed.clone();
    again[0].title = "Article number 0 (corrected twice)".into();
    serve_feed(&server, &rss(&again)).await;
    let report = json_run(&site, &["--dry-run"], 0);
    assert_eq!(report["feeds"][0]["updated"], 1);
    assert_eq!(site.content(), after, "a dry run writes nothing");
    let report = json_run(&site, &[], 0);
    assert_eq!(report["feeds"][0]["updated"], 1);
    let article = front_matter(&site.content()[&paths[0]]);
    assert_eq!(article["title"], "Article number 0 (corrected twice)");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_update_untouched_an_article_keeps_its_first_version() {
    let server = MockServer::start().await;
    let items = numbered_items(2);
    serve_feed(&server, &rss(&items)).await;
    // Global "untouched", the feed's own "never".
    let site = site_for(&server, "update = \"untouched\"\n", "update = \"never\"\n");
    site.import(&[], 0);
    let before = site.content();
    let mut fixed = items.clone();
    fixed[0].title = "A corrected title".into();
    serve_feed(&server, &rss(&fixed)).await;
    let report = json_run(&site, &[], 0);
    assert_eq!(report["feeds"][0]["updated"], 0);
    assert_eq!(site.content(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn articles_imported_before_the_hashes_were_kept_are_never_rewritten() {
    let server = MockServer::start().await;
    let items = numbered_items(2);
    serve_feed(&server, &rss(&items)).await;
    let site = site_for(&server, "update = \"untouched\"\n", "");
    site.import(&[], 0);
    let before = site.content();
    // The state as schema 4 left it: no hashes, no backfill table.
    {
        let conn =
            rusqlite::Connection::open(site.path().join(".feedimport/state.sqlite3")).unwrap();
        conn.execute_batch(
            "ALTER TABLE items DROP COLUMN source_hash;
             ALTER TABLE items DROP COLUMN file_hash;
             DROP TABLE backfill;
             PRAGMA user_version = 4;",
        )
        .unwrap();
    }
    let mut fixed = items.clone();
    fixed[0].title = "A corrected title".into();
    fixed[1].title = "Another corrected title".into();
    serve_feed(&server, &rss(&fixed)).await;
    let report = json_run(&site, &[], 0);
    assert_eq!(report["feeds"][0]["updated"], 0);
    assert_eq!(site.content(), before);
    let conn = rusqlite::Connection::open(site.path().join(".feedimport/state.sqlite3")).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, 7);
    // Items imported from now on have them.
    let mut more = fixed.clone();
    more.push(Item::new(
        "A new one",
        "https://news.example.org/new",
        "Tue, 03 Sep 2024 10:00:00 +0000",
    ));
    serve_feed(&server, &rss(&more)).await;
    json_run(&site, &[], 0);
    more[2].title = "A new one, corrected".into();
    serve_feed(&server, &rss(&more)).await;
    let report = json_run(&site, &[], 0);
    assert_eq!(report["feeds"][0]["updated"], 1);
}

/// A run killed after it wrote an article but before it saved the state
/// leaves a file the next run adopts. When that file is what the run
/// writes, it is recorded as written (its hashes kept), and later updated
/// like the files of an uninterrupted run; one that differs is an
/// editor's, and left alone.
#[tokio::test(flavor = "multi_thread")]
async fn an_article_adopted_from_an_interrupted_run_is_updated_later() {
    let server = MockServer::start().await;
    let items = numbered_items(2);
    // What the uninterrupted run writes.
    serve_feed(&server, &rss(&items)).await;
    let whole = site_for(&server, "update = \"untouched\"\n", "");
    whole.import(&[], 0);
    let written = whole.content();
    let paths: Vec<String> = written.keys().cloned().collect();

    // The interrupted one: a state without these items (an earlier one
    // recorded), their files on disk (the second touched by an editor
    // meanwhile).
    let earlier = Item::new(
        "Earlier",
        "https://news.example.org/earlier",
        "Sun, 01 Sep 2024 10:00:00 +0000",
    );
    serve_feed(&server, &rss(&[earlier])).await;
    let site = site_for(&server, "update = \"untouched\"\n", "");
    site.import(&[], 0);
    site.write(&format!("content/{}", paths[0]), &written[&paths[0]]);
    let edited = format!("{}\nAn editor's note.\n", written[&paths[1]]);
    site.write(&format!("content/{}", paths[1]), &edited);
    serve_feed(&server, &rss(&items)).await;
    let report = json_run(&site, &[], 0);
    assert_eq!(report["feeds"][0]["new"], 0);
    assert_eq!(report["feeds"][0]["seen"], 2);
    // Changed at the source: the adopted file is updated as the
    // uninterrupted run's is; the edited one is left alone.
    let mut fixed = items.clone();
    for item in &mut fixed {
        item.title = format!("{} (corrected)", item.title);
    }
    serve_feed(&server, &rss(&fixed)).await;
    json_run(&whole, &[], 0);
    let report = json_run(&site, &[], 0);
    assert_eq!(report["feeds"][0]["updated"], 1, "{report}");
    let content = site.content();
    assert_eq!(content[&paths[0]], whole.content()[&paths[0]]);
    assert_eq!(content[&paths[1]], edited);
}
