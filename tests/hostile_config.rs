//! Hostile operating conditions: config values that cannot work, a state
//! file that was truncated or is not ours, and the modes of the files a run
//! creates. Each runs the real binary against a feed served on loopback.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use common::*;

/// A loopback server answering every request with an RSS feed of `count`
/// numbered items; returns the feed's URL.
fn serve_feed(count: usize) -> String {
    let body = rss(&numbered_items(count));
    let base = raw_server(move |mut stream| {
        read_request_head(&mut stream);
        write_answer(&mut stream, "application/rss+xml", body.as_bytes());
    });
    format!("{base}/feed.xml")
}

/// A site reading one served feed "News" into `content/papers/`, with
/// `global` lines before the feeds and `per_feed` lines inside the feed.
fn site(url: &str, global: &str, per_feed: &str) -> Site {
    let mut text = format!("{global}\n{}", config(&[("News", url, "papers")]));
    text.push_str(per_feed);
    text.push('\n');
    Site::new(&text)
}

fn show(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        stdout(output),
        stderr(output)
    )
}

/// Values that parse but cannot work: too long for a date to hold, zero
/// where a run needs time or room, retries or fan-out without end. Each is
/// refused by `check` (without --online) and by `run` with exit 2, naming
/// the key (and the feed, for a feed's own key), and the run writes nothing.
#[test]
fn values_that_cannot_work_are_refused_naming_the_key() {
    let url = serve_feed(3);
    let cases: &[(&str, &str, &str)] = &[
        // (global line, feed line, what the message must name)
        ("interval = \"100000000d\"", "", "key `interval`"),
        ("interval = \"300000y\"", "", "key `interval`"),
        ("interval = \"18446744073709551615s\"", "", "key `interval`"),
        ("interval = \"366d\"", "", "key `interval`"),
        (
            "",
            "interval = \"300000y\"",
            "feed \"News\": key `interval`",
        ),
        ("", "max_age = \"300000y\"", "feed \"News\": key `max_age`"),
        ("", "max_age = \"0s\"", "feed \"News\": key `max_age`"),
        ("timeout = \"0s\"", "", "key `timeout`"),
        ("timeout = \"18446744073709551615s\"", "", "key `timeout`"),
        ("connect_timeout = \"0s\"", "", "key `connect_timeout`"),
        ("connect_timeout = \"2h\"", "", "key `connect_timeout`"),
        ("retries = 4294967295", "", "key `retries`"),
        ("retries = 11", "", "key `retries`"),
        ("retries = -1", "", "retries"),
        ("per_host = 0", "", "key `per_host`"),
        ("per_host = 1000000", "", "key `per_host`"),
        ("concurrency = 0", "", "key `concurrency`"),
        ("concurrency = 1000000", "", "key `concurrency`"),
        ("max_body_mib = 0", "", "key `max_body_mib`"),
        ("max_body_mib = 18446744073709551615", "", "max_body_mib"),
        ("max_body_mib = 100000", "", "key `max_body_mib`"),
        ("max_redirects = 1000000", "", "key `max_redirects`"),
        ("alert_after_failures = 0", "", "key `alert_after_failures`"),
    ];
    for (global, per_feed, named) in cases {
        let site = site(&url, global, per_feed);
        for args in [&["check"][..], &["run"], &["run", "--dry-run"]] {
            let output = site.run(args);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{global}{per_feed}: feedimport {args:?}\n{}",
                show(&output)
            );
            let message = stderr(&output);
            assert!(
                message.contains(named) && message.contains("feeds.toml"),
                "{global}{per_feed}: feedimport {args:?} must name {named} and the file\n{}",
                show(&output)
            );
            assert!(!message.contains("panicked"), "{}", show(&output));
        }
        assert!(
            site.content().is_empty(),
            "{global}{per_feed}: files written"
        );
    }
}

/// The largest values allowed work: a run with each of them imports the
/// feed, and the next run finds it not due (a year-long interval is a date
/// a year ahead, not an overflow).
#[test]
fn the_largest_allowed_values_work() {
    let url = serve_feed(3);
    let site = site(
        &url,
        "interval = \"365d\"\ntimeout = \"1h\"\nconnect_timeout = \"1h\"\nretries = 10\nper_host = 1024\nconcurrency = 1024\nmax_body_mib = 1024\nmax_redirects = 20\nalert_after_failures = 4294967295",
        "max_age = \"36500d\"",
    );
    let check = site.run(&["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", show(&check));
    site.import(&[], 0);
    assert_eq!(site.content().len(), 3);
    let again = site.import(&["--json"], 0);
    assert!(stdout(&again).contains("\"not_due\""), "{}", show(&again));
}

/// A server hint that would put the next fetch past the end of time: a
/// `Retry-After` date in year 9999 and a `max-age` of 2^64-1 seconds. The
/// run records the failure or the success and exits as usual.
#[test]
fn server_hints_beyond_any_date_do_not_panic() {
    let body = rss(&numbered_items(2));
    let base = raw_server(move |mut stream| {
        use std::io::Write;
        let head = read_request_head(&mut stream);
        let answer = if head.starts_with("GET /busy") {
            "HTTP/1.1 503 Service Unavailable\r\nretry-after: Fri, 31 Dec 9999 23:59:59 GMT\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_string()
        } else {
            format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/rss+xml\r\ncache-control: max-age=18446744073709551615\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            )
        };
        let _ = stream.write_all(answer.as_bytes());
    });
    let mut text = String::from("retries = 0\ninterval = \"365d\"\n");
    text.push_str(&config(&[
        ("Busy", &format!("{base}/busy"), "busy"),
        ("Fine", &format!("{base}/fine"), "papers"),
    ]));
    let site = Site::new(&text);
    let output = site.import(&[], 1);
    assert!(!stderr(&output).contains("panicked"), "{}", show(&output));
    assert_eq!(site.content().len(), 2);
    let status = site.run(&["status"]);
    assert!(!stderr(&status).contains("panicked"), "{}", show(&status));
    assert_eq!(status.status.code(), Some(0), "{}", show(&status));
}

/// Items dated at the edges of what a date can hold (year 1 and year
/// 9999, far-off offsets) meet `max_age` and the future clamp without a
/// panic.
#[test]
fn items_dated_at_the_edges_of_time_do_not_panic() {
    let items = vec![
        Item::new(
            "Very old",
            "https://news.example.org/old",
            "0001-01-01T00:00:00-23:59",
        ),
        Item::new(
            "Far ahead",
            "https://news.example.org/ahead",
            "9999-12-31T23:59:59+23:59",
        ),
        Item::new(
            "Recent",
            "https://news.example.org/recent",
            "Mon, 02 Sep 2024 10:00:00 +0000",
        ),
    ];
    let body = rss(&items);
    let base = raw_server(move |mut stream| {
        read_request_head(&mut stream);
        write_answer(&mut stream, "application/rss+xml", body.as_bytes());
    });
    let site = site(&format!("{base}/feed.xml"), "", "max_age = \"36500d\"");
    let output = site.import(&["--json"], 0);
    assert!(!stderr(&output).contains("panicked"), "{}", show(&output));
    // The year-1 item is older than max_age; the year-9999 one is clamped
    // to the time of import.
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["feeds"][0]["filtered"], 1, "{}", show(&output));
    let mut titles: Vec<&str> = json["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    titles.sort();
    assert_eq!(titles, ["Far ahead", "Recent"]);
}

/// feedimport's state, as a path in the site.
fn state_file(site: &Site) -> std::path::PathBuf {
    site.path().join(".feedimport/state.sqlite3")
}

/// A state truncated to 0 bytes is damage, not a new state: `run`, a dry
/// run and `status` exit 3 naming it and saying how to recover, and the
/// article an editor deleted is not imported again.
#[test]
fn a_state_truncated_to_zero_bytes_exits_3_and_imports_nothing() {
    let url = serve_feed(3);
    let site = site(&url, "", "");
    site.import(&[], 0);
    let before = site.content();
    assert_eq!(before.len(), 3);
    let deleted = before.keys().next().unwrap().clone();
    std::fs::remove_file(site.path().join("content").join(&deleted)).unwrap();
    std::fs::write(state_file(&site), b"").unwrap();

    for args in [
        &["run", "--force"][..],
        &["run", "--force", "--dry-run"],
        &["status"],
    ] {
        let output = site.run(args);
        assert_eq!(output.status.code(), Some(3), "{args:?}\n{}", show(&output));
        let message = stderr(&output);
        assert!(
            message.contains("state.sqlite3")
                && message.contains("damaged")
                && message.contains("move it aside"),
            "{args:?}\n{}",
            show(&output)
        );
        assert!(
            !stdout(&output).contains("==>"),
            "{args:?}\n{}",
            show(&output)
        );
    }
    assert_eq!(site.content().len(), 2, "{deleted} came back");
    assert!(!site.content().contains_key(&deleted));
    assert_eq!(
        std::fs::metadata(state_file(&site)).unwrap().len(),
        0,
        "the damaged file was changed"
    );
}

/// Writes an SQLite database at `path` made by `sql` (another program's,
/// or an empty one).
fn sqlite_file(path: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(sql).unwrap();
}

/// An SQLite file without feedimport's tables (empty, or another
/// program's) is damage too, and is left exactly as it was.
#[test]
fn a_state_without_our_tables_exits_3_and_is_left_alone() {
    let url = serve_feed(3);
    for (what, sql) in [
        ("empty", "CREATE TABLE t (x); DROP TABLE t;"),
        (
            "empty in WAL mode",
            "PRAGMA journal_mode = WAL; CREATE TABLE t (x); DROP TABLE t;",
        ),
        (
            "another program's",
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('keep me');",
        ),
    ] {
        let site = site(&url, "", "");
        std::fs::create_dir_all(site.path().join(".feedimport")).unwrap();
        sqlite_file(&state_file(&site), sql);
        let original = std::fs::read(state_file(&site)).unwrap();
        assert!(original.starts_with(b"SQLite format 3\0"), "{what}");
        for args in [&["run"][..], &["run", "--dry-run"], &["status"]] {
            let output = site.run(args);
            assert_eq!(
                output.status.code(),
                Some(3),
                "{what}: {args:?}\n{}",
                show(&output)
            );
            let message = stderr(&output);
            assert!(
                message.contains("state.sqlite3") && message.contains("damaged"),
                "{what}: {args:?}\n{}",
                show(&output)
            );
        }
        assert!(site.content().is_empty(), "{what}: imported over it");
        assert_eq!(
            std::fs::read(state_file(&site)).unwrap(),
            original,
            "{what}: changed"
        );
    }
}

/// A write-ahead log left without its database (the database was moved
/// away, its log not) would be replayed into a new state: refused, naming
/// it. Moved aside as the README says, the next run starts afresh from
/// the content folder.
#[test]
fn a_write_ahead_log_without_its_database_is_refused() {
    let url = serve_feed(3);
    let site = site(&url, "", "");
    site.import(&[], 0);
    // A log as a killed run leaves it: written, never checkpointed.
    let log = site.path().join(".feedimport/state.sqlite3-wal");
    {
        let conn = rusqlite::Connection::open(state_file(&site)).unwrap();
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0; DELETE FROM items;")
            .unwrap();
        let copy = std::fs::read(&log).unwrap();
        assert!(!copy.is_empty());
        drop(conn);
        std::fs::write(&log, copy).unwrap();
    }
    std::fs::remove_file(state_file(&site)).unwrap();
    let output = site.import(&["--force"], 3);
    assert!(
        stderr(&output).contains("state.sqlite3-wal"),
        "{}",
        show(&output)
    );
    assert_eq!(site.content().len(), 3);

    std::fs::create_dir(site.path().join(".feedimport/damaged")).unwrap();
    std::fs::rename(
        &log,
        site.path().join(".feedimport/damaged/state.sqlite3-wal"),
    )
    .unwrap();
    site.import(&["--force"], 0);
    assert_eq!(
        site.content().len(),
        3,
        "re-imported after the state was moved aside"
    );
}

/// What a run that was killed while it created the state leaves behind
/// does not stop the next run.
#[test]
fn a_state_whose_creation_was_killed_is_created_again() {
    let url = serve_feed(3);
    let site = site(&url, "", "");
    site.write(".feedimport/state.sqlite3.creating", "");
    site.write(".feedimport/state.sqlite3.creating-journal", "half");
    site.import(&[], 0);
    assert_eq!(site.content().len(), 3);
    let names: Vec<String> = std::fs::read_dir(site.path().join(".feedimport"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("creating")), "{names:?}");
}

/// Runs `feedimport ARGS` in `site` under `umask`.
fn run_with_umask(site: &Site, umask: &str, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
        .arg(BIN)
        .args(args)
        .current_dir(site.path())
        .env_remove("FEEDIMPORT_CONFIG")
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Files are created as an editor's would be: 0666 (0777 for folders)
/// less the umask, so that a web server or another admin can read them
/// when the umask lets them. The state's files follow the umask too (its
/// log files, while they exist, take the database's mode: SQLite copies
/// it).
#[test]
fn files_follow_the_umask() {
    let url = serve_feed(2);
    for (umask, file_mode, dir_mode) in [
        ("022", 0o644, 0o755),
        ("027", 0o640, 0o750),
        ("002", 0o664, 0o775),
    ] {
        let site = site(&url, "", "");
        let output = run_with_umask(&site, umask, &["run"]);
        assert_eq!(output.status.code(), Some(0), "{}", show(&output));
        let papers = site.path().join("content/papers");
        assert_eq!(mode(&papers), dir_mode, "umask {umask}: content/papers");
        let articles: Vec<_> = std::fs::read_dir(&papers)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(articles.len(), 2);
        for article in &articles {
            assert_eq!(
                mode(article),
                file_mode,
                "umask {umask}: {}",
                article.display()
            );
        }
        let state_dir = site.path().join(".feedimport");
        assert_eq!(mode(&state_dir), dir_mode, "umask {umask}: .feedimport");
        for name in ["state.sqlite3", "run.lock"] {
            let path = state_dir.join(name);
            assert_eq!(
                mode(&path) & !file_mode,
                0,
                "umask {umask}: {name} is {:o}",
                mode(&path)
            );
            assert_eq!(
                mode(&path) & 0o044 & file_mode,
                0o044 & file_mode,
                "umask {umask}: {name} is {:o}, others cannot read it",
                mode(&path)
            );
        }
    }
}
