//! A new user's first day: a first fetch that failed is tried again, the
//! summary says when skipped feeds are due, `-vv` says what each request
//! sent and why items were left out, `--json` prints every key, `status`
//! shows local times, config mistakes get their line and their fix, network
//! failures are one plain line, the cron file runs under cronie, and
//! `parse --items` lists the items.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use serde_json::Value;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn json_of(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}", stdout(output));
    })
}

fn one_item_feed() -> String {
    rss(&[Item::new(
        "A first article",
        "https://news.example.org/a/1",
        "Mon, 02 Sep 2024 10:13:01 +0000",
    )])
}

/// A site with one feed "News" at `url`, no retries within a run.
fn news_site(url: &str) -> Site {
    let mut text = config(&[("News", url, "papers")]);
    text.insert_str(0, "retries = 0\n");
    Site::new(&text)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_first_fetch_that_failed_is_tried_again_at_the_next_run() {
    let server = MockServer::start().await;
    // The network is down at the first run, fixed for the second.
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    serve(&server, "/feed/", "application/rss+xml", &one_item_feed()).await;
    let site = news_site(&format!("{}/feed/", server.uri()));
    site.import(&[], 1);
    // No --force: the feed that has never worked is due again at once.
    let output = site.import(&[], 0);
    assert!(
        stderr(&output).contains("1 feed: 1 with 1 new article"),
        "{}",
        stderr(&output)
    );
    assert_eq!(site.content().len(), 1);
    // Now it has worked: it waits its interval, and the summary says until
    // when and how to fetch it now.
    let output = site.import(&[], 0);
    let summary = stderr(&output);
    let expected = regex_lite(
        r"1 feed: 1 not due \(News in (59 min|1 h), at \d\d:\d\d:\d\d\): --force or --feed NAME fetches now",
    );
    assert!(expected.is_match(&summary), "{summary}");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_feed_backs_off_after_three_failures_in_a_row() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let site = news_site(&format!("{}/feed/", server.uri()));
    for _ in 0..3 {
        site.import(&[], 1);
    }
    // The third failure in a row backs off: the fourth run does not fetch.
    let output = site.import(&["--json"], 0);
    let feed = &json_of(&output)["feeds"][0];
    assert_eq!(feed["status"], "not_due", "{feed}");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

/// The keys the README documents for `run --json`: the articles' and the
/// feeds'.
fn documented_keys(list: &str) -> BTreeSet<String> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find(&format!("\"{list}\": [{{"))
        .unwrap_or_else(|| panic!("the README documents {list}"));
    let rest = &readme[start + list.len() + 5..];
    let end = rest.find("}]").unwrap();
    rest[..end]
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn keys(object: &Value) -> BTreeSet<String> {
    object.as_object().unwrap().keys().cloned().collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn run_json_prints_every_documented_key_null_when_unset() {
    let server = MockServer::start().await;
    serve(&server, "/ok/", "application/rss+xml", &one_item_feed()).await;
    Mock::given(method("GET"))
        .and(path("/gone/"))
        .respond_with(ResponseTemplate::new(410))
        .mount(&server)
        .await;
    let mut text = config(&[
        ("Ok", &format!("{}/ok/", server.uri()), "papers"),
        ("Gone", &format!("{}/gone/", server.uri()), "papers"),
    ]);
    text.insert_str(0, "retries = 0\n");
    let site = Site::new(&text);
    let feed_keys = documented_keys("feeds");
    let article_keys = documented_keys("articles");
    assert!(feed_keys.contains("moved_to") && feed_keys.contains("next_due"));
    // First run: ok with an article, failed; second: not due, failed.
    let runs = [site.import(&["--json"], 1), site.import(&["--json"], 1)];
    let mut statuses = BTreeSet::new();
    for output in &runs {
        let report = json_of(output);
        assert_eq!(
            keys(&report),
            ["articles", "feeds", "interrupted"]
                .map(String::from)
                .into(),
            "{report}"
        );
        assert_eq!(report["interrupted"], false);
        for feed in report["feeds"].as_array().unwrap() {
            assert_eq!(keys(feed), feed_keys, "{feed}");
            statuses.insert(feed["status"].as_str().unwrap().to_string());
            if feed["status"] != "not_due" {
                assert!(feed["next_due"].is_null(), "{feed}");
            }
            assert!(feed["moved_to"].is_null(), "{feed}");
        }
        for article in report["articles"].as_array().unwrap() {
            assert_eq!(keys(article), article_keys, "{article}");
        }
    }
    assert_eq!(
        statuses,
        ["failed", "not_due", "ok"].map(String::from).into()
    );
    let not_due = &json_of(&runs[1])["feeds"][0];
    let due = not_due["next_due"].as_str().unwrap();
    assert!(
        regex_lite(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$").is_match(due),
        "{due}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn status_shows_local_times_to_the_second_and_how_long_ago() {
    let server = MockServer::start().await;
    serve(&server, "/feed/", "application/rss+xml", &one_item_feed()).await;
    let text = config(&[("News", &format!("{}/feed/", server.uri()), "papers")])
        .replace("Europe/Paris", "America/New_York");
    let site = Site::new(&text);
    site.import(&[], 0);
    let output = site.run(&["status"]);
    let text = stdout(&output);
    let time = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d E[SD]T";
    let last = regex_lite(&format!(
        r"last fetch: {time} \((just now|\d+ s ago)\)   last success: {time} \((just now|\d+ s ago)\)"
    ));
    let next = regex_lite(&format!(r"next due: {time} \(in (59 min|1 h)\)"));
    assert!(
        last.is_match(&text) && next.is_match(&text),
        "status:\n{text}"
    );
    assert!(!text.contains("+00:00"), "{text}");
    let json = json_of(&site.run(&["status", "--json"]));
    let second = regex_lite(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$");
    for key in ["last_fetch", "last_success", "next_due"] {
        let value = json["feeds"][0][key].as_str().unwrap();
        assert!(second.is_match(value), "{key}: {value}");
    }
}

#[test]
fn a_url_without_its_scheme_is_refused_with_the_url_meant() {
    for (written, meant) in [
        ("127.0.0.1:8765/feed.xml", "http://127.0.0.1:8765/feed.xml"),
        ("localhost:8080/rss", "http://localhost:8080/rss"),
        ("example.org/feed", "https://example.org/feed"),
        ("//example.org/feed/", "https://example.org/feed/"),
    ] {
        let site = Site::new(&config(&[("News", written, "papers")]));
        for command in [&["check"][..], &["run"]] {
            let output = site.run(command);
            assert_eq!(output.status.code(), Some(2), "{written}: {command:?}");
            let message = stderr(&output);
            assert!(
                message.contains(&format!("did you mean {meant}?"))
                    && message.contains("key `url`")
                    && message.contains("line "),
                "{written}: {message}"
            );
        }
    }
    // Real relative paths are still paths, read from the config's folder.
    let site = Site::new(&config(&[
        ("In a folder", "feeds/x.xml", "papers"),
        ("Beside", "./y.xml", "news"),
    ]));
    site.write("feeds/x.xml", &one_item_feed());
    site.write(
        "y.xml",
        &rss(&[Item::new(
            "Another",
            "https://news.example.org/a/2",
            "Mon, 02 Sep 2024 11:00:00 +0000",
        )]),
    );
    assert_eq!(site.run(&["check"]).status.code(), Some(0));
    site.import(&[], 0);
    assert_eq!(site.content().len(), 2);
}

#[test]
fn config_shape_mistakes_name_the_line_and_the_fix() {
    let feed = "name = \"News\"\nurl = \"https://e.org/feed\"\nsection = \"papers\"\n";
    let cases = [
        (
            format!("tags = [\"France\"]\n[feed]\n{feed}"),
            "line 2:",
            "[[feeds]]",
        ),
        (format!("[[feed]]\n{feed}"), "line 1:", "[[feeds]]"),
        (
            format!("tags = \"France\"\n[[feeds]]\n{feed}"),
            "line 1:",
            "write tags = [\"France\"]",
        ),
        (
            format!("[[feeds]]\n{feed}include = \"stent\"\n"),
            "line 5:",
            "write include = [\"stent\"]",
        ),
        (
            format!("[[feeds]]\n{feed}concurrency = 4\n"),
            "line 5:",
            "move it above the first [[feeds]] line",
        ),
    ];
    for (text, line, fix) in cases {
        let site = Site::new(&text);
        let output = site.run(&["check"]);
        assert_eq!(output.status.code(), Some(2), "{text}");
        let message = stderr(&output);
        assert!(
            message.contains(line) && message.contains(fix),
            "{text}\n=> {message}"
        );
    }
    // No feeds.toml where it is looked for.
    let empty = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(BIN)
        .arg("check")
        .current_dir(empty.path())
        .env_remove("FEEDIMPORT_CONFIG")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("feeds.toml")
            && message.contains("--config")
            && message.contains("FEEDIMPORT_CONFIG"),
        "{message}"
    );
}

#[test]
fn network_failures_are_one_plain_line_with_the_chain_under_v() {
    // A server that reads the request and hangs up without an answer.
    let hangs_up = raw_server(|mut stream| {
        read_request_head(&mut stream);
    });
    // A server that never answers.
    let silent = HeldServer::start("application/rss+xml", String::new());
    // Plain HTTP where https is asked for: the handshake fails.
    let plain = raw_server(|mut stream| {
        use std::io::Read;
        // The client's hello, answered in plain text.
        let _ = stream.read(&mut [0u8; 1024]);
        write_answer(&mut stream, "text/plain", b"not tls");
    });
    // A server that announces a body and hangs up halfway.
    let cuts_off = raw_server(|mut stream| {
        use std::io::Write;
        read_request_head(&mut stream);
        let body = one_item_feed();
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/rss+xml\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(&body.as_bytes()[..body.len() / 2]);
        let _ = stream.flush();
        let _ = stream.shutdown(std::net::Shutdown::Both);
    });
    let port = |url: &str| url.rsplit(':').next().unwrap().to_string();
    let cases = [
        (
            "http://feed.invalid/rss".to_string(),
            "cannot resolve feed.invalid: check the network or the feed's url",
        ),
        (
            format!("http://127.0.0.1:{}/rss", refused_port()),
            "127.0.0.1: connection refused: the server is down, or the feed's url has the wrong port",
        ),
        (
            format!("{}/rss", silent.url),
            "127.0.0.1 did not answer in time",
        ),
        (
            format!("https://127.0.0.1:{}/rss", port(&plain)),
            "cannot make a secure connection to 127.0.0.1",
        ),
        (
            format!("{hangs_up}/rss"),
            "127.0.0.1 closed the connection without answering",
        ),
        (
            format!("{cuts_off}/rss"),
            "127.0.0.1 closed the connection while the body was coming in",
        ),
    ];
    for (url, line) in cases {
        let mut text = config(&[("News", &url, "papers")]);
        text.insert_str(
            0,
            "retries = 0\ntimeout = \"1s\"\nconnect_timeout = \"1s\"\n",
        );
        let site = Site::new(&text);
        let output = site.run_within(&["run"], HANG);
        assert_eq!(output.status.code(), Some(1), "{url}");
        let plain = stderr(&output);
        let summary = plain.lines().last().unwrap_or_default();
        assert!(
            summary.starts_with(&format!("1 feed: 1 failed: News: {line}")),
            "{url}\n{plain}"
        );
        assert!(
            !plain.contains("error sending request") && !plain.contains(&url),
            "{url}: the chain and the URL are for -v\n{plain}"
        );
        let verbose = stderr(&site.run_within(&["-v", "run", "--force"], HANG));
        // The line, then the causes reqwest and the system give.
        assert!(
            verbose
                .lines()
                .any(|l| l.contains(&format!("in full: {line}"))
                    && (l.contains(": error sending request for url")
                        || l.contains(": request or response body error"))),
            "{url}: -v shows the chain\n{verbose}"
        );
        // status shows the plain line too.
        let status = stdout(&site.run(&["status"]));
        assert!(status.contains(line), "{status}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn debug_events_say_what_each_request_sent_and_why_items_were_left_out() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .and(header("if-none-match", "\"v1\""))
        .respond_with(ResponseTemplate::new(304))
        .mount(&server)
        .await;
    let mut declared = Item::new(
        "Stent trial",
        "https://news.example.org/a/1",
        "Mon, 02 Sep 2024 10:13:01 +0000",
    );
    declared.image = Some("https://news.example.org/figure.jpg".into());
    let mut in_content = Item::new(
        "Stent registry",
        "https://news.example.org/a/2",
        "Mon, 02 Sep 2024 09:00:00 +0000",
    );
    in_content.description = Some(
        "&lt;p&gt;Text &lt;img src=\"https://news.example.org/c.jpg\" width=\"640\" height=\"480\"&gt;&lt;/p&gt;"
            .into(),
    );
    let weather = Item::new(
        "Weather",
        "https://news.example.org/a/3",
        "Mon, 02 Sep 2024 08:00:00 +0000",
    );
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("etag", "\"v1\"")
                .set_body_raw(
                    rss(&[declared, in_content, weather]).into_bytes(),
                    "application/rss+xml",
                ),
        )
        .mount(&server)
        .await;
    let url = format!("{}/feed/", server.uri());
    let mut text = config(&[("News", &url, "papers")]);
    text.push_str("include = [\"stent\"]\narticle_images = false\n");
    let site = Site::new(&text);
    let debug = stderr(&site.run(&["-vv", "run"]));
    for expected in [
        format!("GET {url} (no validators): 200 OK, "),
        "image https://news.example.org/figure.jpg: declared in the feed".to_string(),
        "image https://news.example.org/c.jpg: the first <img> of the content".to_string(),
        "item left out by include: it matches none of its patterns".to_string(),
    ] {
        assert!(
            debug.contains(&expected),
            "missing {expected:?} in\n{debug}"
        );
    }
    assert!(
        regex_lite(r"200 OK, \d+ bytes in \d+ ms").is_match(&debug),
        "{debug}"
    );
    let again = stderr(&site.run(&["-vv", "run", "--force"]));
    assert!(
        again.contains(&format!(
            "GET {url} (If-None-Match: \"v1\"): 304 Not Modified in "
        )),
        "{again}"
    );
    // -v stays as it was: the files, not the requests.
    let info = stderr(&site.run(&["-v", "run", "--force"]));
    assert!(
        !info.contains("GET ") && !info.contains("left out"),
        "{info}"
    );
}

#[test]
fn the_cron_file_sets_home_shell_and_path_before_its_job() {
    let cron = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/cron/feedimport"),
    )
    .unwrap();
    let lines: Vec<&str> = cron
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    let job = lines
        .iter()
        .position(|l| l.starts_with("*/15"))
        .expect("the job");
    let variables: std::collections::BTreeMap<&str, &str> = lines[..job]
        .iter()
        .filter_map(|l| l.split_once('='))
        .collect();
    // cronie drops a job whose HOME does not exist: one that always does.
    let home = variables.get("HOME").expect("HOME is set");
    assert!(
        Path::new(home).is_absolute() && Path::new(home).is_dir(),
        "{home}"
    );
    assert_eq!(variables.get("SHELL"), Some(&"/bin/sh"));
    let path = variables.get("PATH").expect("PATH is set");
    // The README installs the binary in /usr/local/bin.
    assert!(path.split(':').any(|p| p == "/usr/local/bin"), "{path}");
}

#[test]
fn parse_items_lists_each_item_with_its_image_and_where_it_came_from() {
    let site = Site::new(&config(&[]));
    let mut declared = Item::new(
        "Declared image",
        "https://news.example.org/a/1",
        "Mon, 02 Sep 2024 10:13:01 +0000",
    );
    declared.image = Some("https://news.example.org/figure.jpg".into());
    let mut no_date = Item::new("No date, no image", "https://news.example.org/a/2", "");
    no_date.pub_date = None;
    let mut inline = Item::new(
        "An image in the content",
        "https://news.example.org/a/3",
        "Mon, 02 Sep 2024 11:00:00 +0000",
    );
    inline.description =
        Some("&lt;p&gt;&lt;img src=\"https://news.example.org/inline.jpg\"&gt;&lt;/p&gt;".into());
    site.write("saved.xml", &rss(&[declared, no_date, inline]));
    // The time of import, which stands in for the missing date (and is
    // the newest), is now.
    let parse = |args: &[&str]| {
        let output = site.run(args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let text = stdout(&output);
        let text = regex_lite(r"newest \S+").replace(&text, "newest [now]");
        regex_lite(r"date: \S+ \(no date")
            .replace(&text, "date: [now] (no date")
            .into_owned()
    };
    insta::assert_snapshot!(parse(&["parse", "saved.xml"]), @r"
    saved.xml
      format: RSS2 (UTF-8), 3 items, newest [now]
      images: 1 declared in the feed, 1 only in the content, 2 article pages to read for og:image
    ");
    let listing = parse(&["parse", "saved.xml", "--items"]);
    // For the third, the run reads the page first: its preview image
    // would win over the content's.
    insta::assert_snapshot!(listing, @r"
    saved.xml
      format: RSS2 (UTF-8), 3 items, newest [now]
      images: 1 declared in the feed, 1 only in the content, 2 article pages to read for og:image
      1. Declared image
         date: 2024-09-02T10:13:01Z (published)
         link: https://news.example.org/a/1
         image: https://news.example.org/figure.jpg (declared in the feed)
      2. No date, no image
         date: [now] (no date: the time of import stands in)
         link: https://news.example.org/a/2
         image: - (none in the feed: a run reads the article page for its preview image)
      3. An image in the content
         date: 2024-09-02T11:00:00Z (published)
         link: https://news.example.org/a/3
         image: https://news.example.org/inline.jpg (the first <img> of the content, unless the article page has a preview image: a run reads it first)
    ");
    let json = json_of(&site.run(&["parse", "saved.xml", "--items", "--json"]));
    let items = json["item_list"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["image_from"], "declared in the feed");
    assert_eq!(items[1]["image"], Value::Null);

    // A URL given for a file: exit 2, saying how to read it.
    for url in [
        "https://news.example.org/feed/",
        "HTTP://news.example.org/rss",
    ] {
        let output = site.run(&["parse", url]);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        let said = stderr(&output);
        assert!(
            said.contains(&format!("{url} is a URL, and `parse` reads a saved file"))
                && said.contains(&format!("curl -o feed.xml '{url}'"))
                && !said.contains("No such file"),
            "{said}"
        );
    }
}

/// A regular expression (the crate's own `regex`, a dependency already).
fn regex_lite(pattern: &str) -> regex::Regex {
    regex::Regex::new(pattern).unwrap()
}
