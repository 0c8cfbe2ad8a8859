//! The metrics file: written at the end of every run that held the lock
//! (failed, interrupted, or without a readable config when
//! `--metrics-file` names it), in a text format that Prometheus's own
//! checker and a parser written from the format's description accept.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::requires;
use common::{HeldServer, Item, Site, config, rss, serve, stderr, wait_until};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// One sample of the file.
#[derive(Debug, Clone)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Reads a metrics file as the text format describes it
/// (<https://prometheus.io/docs/instrumenting/exposition_formats/>), and
/// panics, naming the line, at anything it does not allow: a sample line
/// that is not `name{label="value",...} number`, a label value with a
/// stray quote or an unknown escape, a family whose HELP or TYPE comes
/// twice or after its samples, a sample outside its family, a series
/// given twice.
fn parse_metrics(text: &str) -> Vec<Sample> {
    assert!(text.ends_with('\n'), "the file ends with a line feed");
    let mut samples = Vec::new();
    let mut helped = BTreeSet::new();
    let mut typed = BTreeSet::new();
    let mut current: Option<String> = None;
    let mut series = BTreeSet::new();
    let is_name = |name: &str| {
        !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    };
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let name = rest.split(' ').next().unwrap();
            assert!(is_name(name), "{line}");
            assert!(helped.insert(name.to_string()), "HELP twice: {line}");
            assert!(!typed.contains(name), "HELP after TYPE: {line}");
            current = Some(name.to_string());
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect(line);
            assert!(is_name(name), "{line}");
            assert!(matches!(kind, "counter" | "gauge"), "{line}");
            assert!(typed.insert(name.to_string()), "TYPE twice: {line}");
            assert_eq!(current.as_deref(), Some(name), "TYPE without HELP: {line}");
            continue;
        }
        assert!(!line.starts_with('#') && !line.is_empty(), "{line:?}");
        let name_end = line.find(['{', ' ']).expect(line);
        let name = &line[..name_end];
        assert!(is_name(name), "{line}");
        assert_eq!(
            current.as_deref(),
            Some(name),
            "sample outside its family: {line}"
        );
        assert!(typed.contains(name), "sample before TYPE: {line}");
        let mut rest = &line[name_end..];
        let mut labels = BTreeMap::new();
        if let Some(after) = rest.strip_prefix('{') {
            rest = after;
            loop {
                if let Some(after) = rest.strip_prefix('}') {
                    rest = after;
                    break;
                }
                let (label, after) = rest
                    .split_once("=\"")
                    .unwrap_or_else(|| panic!("not label=\"value\": {line}"));
                assert!(is_name(label), "label {label:?}: {line}");
                let mut value = String::new();
                let mut chars = after.char_indices();
                let mut next = || {
                    chars
                        .next()
                        .unwrap_or_else(|| panic!("unterminated label value: {line}"))
                };
                let end = loop {
                    match next() {
                        (_, '\\') => match next().1 {
                            '\\' => value.push('\\'),
                            '"' => value.push('"'),
                            'n' => value.push('\n'),
                            other => panic!("unknown escape \\{other}: {line}"),
                        },
                        (at, '"') => break at,
                        (_, c) => value.push(c),
                    }
                };
                assert!(labels.insert(label.to_string(), value).is_none(), "{line}");
                rest = &after[end + 1..];
                rest = rest.strip_prefix(',').unwrap_or(rest);
            }
        }
        let value = rest.strip_prefix(' ').expect(line);
        assert!(!value.contains(' '), "a timestamp or more: {line}");
        let value: f64 = value
            .parse()
            .unwrap_or_else(|e| panic!("not a number ({e}): {line}"));
        assert!(
            series.insert(format!("{name}{labels:?}")),
            "series twice: {line}"
        );
        samples.push(Sample {
            name: name.to_string(),
            labels,
            value,
        });
    }
    assert_eq!(helped, typed, "every family has HELP and TYPE");
    samples
}

/// The value of `name` for the feed named `feed` (`None`: the run's own).
fn value(samples: &[Sample], name: &str, feed: Option<&str>) -> Option<f64> {
    let found: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.name == name && s.labels.get("feed").map(String::as_str) == feed)
        .collect();
    assert!(found.len() <= 1, "{name} {feed:?}: {found:?}");
    found.first().map(|s| s.value)
}

/// Runs `promtool check metrics` on the file (Debian's `prometheus`
/// package; `.ci/run` installs it).
fn promtool_accepts(file: &Path) {
    let output = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::fs::File::open(file).unwrap())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "promtool refuses {}:\n{}{}",
        file.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn read(file: &Path) -> Vec<Sample> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    parse_metrics(&text)
}

/// A name with every character the format escapes, and text that would be
/// a sample of its own if it were not escaped.
const HOSTILE: &str = "Evil \"feed\" \\ x\nfeedimport_run_exit_code 0\n} 1";

/// A run of three feeds (one with an image, one gone, one with a hostile
/// name) served by `server`: the site, its metrics file, and the size of
/// the first feed's body.
async fn three_feeds_run(server: &MockServer) -> (Site, PathBuf, usize) {
    let mut items = common::numbered_items(3);
    items[0].image = Some("https://news.example.org/a.jpg".into());
    let body = rss(&items);
    serve(server, "/news", "application/rss+xml", &body).await;
    serve(
        server,
        "/hostile",
        "application/rss+xml",
        &rss(&[Item::new(
            "Hostile story",
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
    let mut text = String::from("metrics_file = \"textfile/feedimport.prom\"\n");
    text.push_str(&config(&[
        ("News", &format!("{}/news", server.uri()), "papers"),
        ("Gone", &format!("{}/gone", server.uri()), "papers"),
        (HOSTILE, &format!("{}/hostile", server.uri()), "news"),
    ]));
    let site = Site::new(&text);
    // The folder does not exist yet: the run creates it.
    let file = site.path().join("textfile/feedimport.prom");
    site.import(&[], 1);
    (site, file, body.len())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_writes_each_feeds_metrics_and_its_own() {
    let server = MockServer::start().await;
    let (site, file, body_len) = three_feeds_run(&server).await;
    let samples = read(&file);
    let news = Some("News");
    assert_eq!(
        value(&samples, "feedimport_feed_articles_imported_total", news),
        Some(3.0)
    );
    assert_eq!(
        value(&samples, "feedimport_feed_last_run_articles_imported", news),
        Some(3.0)
    );
    assert_eq!(
        value(&samples, "feedimport_feed_items_seen", news),
        Some(3.0)
    );
    assert_eq!(
        value(&samples, "feedimport_feed_last_http_status", news),
        Some(200.0)
    );
    assert_eq!(
        value(&samples, "feedimport_feed_last_fetch_bytes", news),
        Some(body_len as f64)
    );
    assert_eq!(
        value(&samples, "feedimport_feed_consecutive_failures", news),
        Some(0.0)
    );
    let duration = value(
        &samples,
        "feedimport_feed_last_fetch_duration_seconds",
        news,
    )
    .unwrap();
    // Whole milliseconds, as the state keeps them: a fetch on loopback
    // may take less than one, and read 0.
    assert!(
        (0.0..60.0).contains(&duration)
            && ((duration * 1000.0).round() - duration * 1000.0).abs() < 1e-6,
        "{duration}"
    );
    let success = value(
        &samples,
        "feedimport_feed_last_success_timestamp_seconds",
        news,
    )
    .unwrap();
    let now = chrono::Utc::now().timestamp() as f64;
    assert!((now - success).abs() < 3600.0, "{success} vs {now}");
    assert_eq!(
        value(
            &samples,
            "feedimport_feed_last_attempt_timestamp_seconds",
            news
        ),
        Some(success)
    );

    let gone = Some("Gone");
    assert_eq!(
        value(&samples, "feedimport_feed_consecutive_failures", gone),
        Some(1.0)
    );
    assert_eq!(
        value(&samples, "feedimport_feed_last_http_status", gone),
        Some(404.0)
    );
    assert_eq!(
        value(&samples, "feedimport_feed_articles_imported_total", gone),
        Some(0.0)
    );
    assert_eq!(value(&samples, "feedimport_feed_failing", gone), Some(0.0));
    // Never fetched without error: no success time rather than a false one.
    assert_eq!(
        value(
            &samples,
            "feedimport_feed_last_success_timestamp_seconds",
            gone
        ),
        None
    );
    assert!(
        value(
            &samples,
            "feedimport_feed_last_attempt_timestamp_seconds",
            gone
        )
        .is_some()
    );

    // The hostile name reads back whole, inside its label.
    assert_eq!(
        value(
            &samples,
            "feedimport_feed_articles_imported_total",
            Some(HOSTILE)
        ),
        Some(1.0)
    );
    let urls: BTreeSet<&str> = samples
        .iter()
        .filter_map(|s| s.labels.get("url").map(String::as_str))
        .collect();
    assert_eq!(urls.len(), 3, "{urls:?}");

    assert_eq!(value(&samples, "feedimport_run_exit_code", None), Some(1.0));
    assert_eq!(
        value(&samples, "feedimport_run_articles_written", None),
        Some(4.0)
    );
    assert!(value(&samples, "feedimport_run_duration_seconds", None).unwrap() > 0.0);
    let finished = value(&samples, "feedimport_run_finished_timestamp_seconds", None).unwrap();
    assert!(finished >= success, "{finished} {success}");

    // The next run fetches the feeds that worked nothing (not due; the one
    // that never worked is tried again, and fails again): the counters
    // stay, this run's articles are none, and the file was replaced, not
    // added to.
    site.import(&[], 1);
    let samples = read(&file);
    assert_eq!(
        value(&samples, "feedimport_feed_articles_imported_total", news),
        Some(3.0)
    );
    assert_eq!(
        value(&samples, "feedimport_feed_last_run_articles_imported", news),
        Some(0.0)
    );
    assert_eq!(
        value(&samples, "feedimport_feed_last_http_status", news),
        Some(200.0)
    );
    assert_eq!(value(&samples, "feedimport_run_exit_code", None), Some(1.0));
    assert_eq!(
        value(&samples, "feedimport_feed_consecutive_failures", gone),
        Some(2.0)
    );
    assert_eq!(
        value(&samples, "feedimport_run_articles_written", None),
        Some(0.0)
    );
    let names: Vec<_> = std::fs::read_dir(site.path().join("textfile"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["feedimport.prom"], "no temporary file left");
}

#[test]
fn metrics_file_on_the_command_line_overrides_the_config() {
    let mut text = String::from("metrics_file = \"from-config.prom\"\n");
    text.push_str(&config(&[("Saved", "saved.xml", "papers")]));
    let site = Site::new(&text);
    site.write("saved.xml", &rss(&common::numbered_items(2)));
    site.import(&["--metrics-file", "cli/run.prom"], 0);
    assert!(!site.path().join("from-config.prom").exists());
    let samples = read(&site.path().join("cli/run.prom"));
    let saved = Some("Saved");
    assert_eq!(
        value(
            &samples,
            "feedimport_feed_last_run_articles_imported",
            saved
        ),
        Some(2.0)
    );
    // A saved file has no HTTP status.
    assert_eq!(
        value(&samples, "feedimport_feed_last_http_status", saved),
        None
    );
    // A dry run writes nothing, the metrics file neither.
    std::fs::remove_file(site.path().join("cli/run.prom")).unwrap();
    site.import(
        &["--dry-run", "--metrics-file", "cli/run.prom", "--force"],
        0,
    );
    assert!(!site.path().join("cli/run.prom").exists());

    // A name the textfile collector would never read is refused before
    // anything is fetched, on the command line as in feeds.toml.
    let output = site.run(&["run", "--metrics-file", "cli/run.txt"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--metrics-file: `cli/run.txt` does not end in `.prom`"),
        "{}",
        stderr(&output)
    );
    assert!(!site.path().join("cli/run.txt").exists());
}

/// Items held back by `max_items` are in the feed's document: they count
/// among the items seen.
#[test]
fn items_held_back_by_max_items_are_counted_as_seen() {
    let mut text = String::from("metrics_file = \"run.prom\"\nmax_items = 2\n");
    text.push_str(&config(&[("Saved", "saved.xml", "papers")]));
    let site = Site::new(&text);
    site.write("saved.xml", &rss(&common::numbered_items(5)));
    site.import(&[], 0);
    let samples = read(&site.path().join("run.prom"));
    let saved = Some("Saved");
    assert_eq!(
        value(
            &samples,
            "feedimport_feed_last_run_articles_imported",
            saved
        ),
        Some(2.0)
    );
    assert_eq!(
        value(&samples, "feedimport_feed_items_seen", saved),
        Some(5.0)
    );
}

#[test]
fn an_interrupted_run_writes_its_metrics() {
    // The slow feed is never answered: only the signal ends the run.
    let slow = HeldServer::start("application/rss+xml", rss(&common::numbered_items(1)));
    let mut text = String::from("timeout = \"1h\"\nmetrics_file = \"run.prom\"\n");
    text.push_str(&config(&[
        ("Saved", "saved.xml", "papers"),
        ("Slow", &format!("{}/slow/", slow.url), "news"),
    ]));
    let site = Site::new(&text);
    site.write("saved.xml", &rss(&common::numbered_items(2)));
    let run = site.start(&["run"]);
    slow.wait_for_requests(1);
    let written = site.path().join("content/papers");
    wait_until("the first feed's articles", || {
        std::fs::read_dir(&written).is_ok_and(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
                .count()
                == 2
        })
    });
    let killed = Command::new("kill")
        .args(["-TERM", &run.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = common::finish_within(run, common::HANG, "the interrupted run");
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    let samples = read(&site.path().join("run.prom"));
    assert_eq!(
        value(&samples, "feedimport_run_exit_code", None),
        Some(130.0)
    );
    assert_eq!(
        value(&samples, "feedimport_run_articles_written", None),
        Some(2.0)
    );
    assert_eq!(
        value(
            &samples,
            "feedimport_feed_articles_imported_total",
            Some("Saved")
        ),
        Some(2.0)
    );
    // The slow feed was never fetched to the end: nothing to say of it yet.
    assert_eq!(
        value(
            &samples,
            "feedimport_feed_last_attempt_timestamp_seconds",
            Some("Slow")
        ),
        None
    );
    slow.answer(1);
}

/// A run whose state cannot be read (exit 3): the site, and its metrics
/// file.
fn unreadable_state_run() -> (Site, PathBuf) {
    let mut text = String::from("metrics_file = \"run.prom\"\n");
    text.push_str(&config(&[("Saved", "saved.xml", "papers")]));
    let site = Site::new(&text);
    site.write("saved.xml", &rss(&common::numbered_items(1)));
    site.write(
        ".feedimport/state.sqlite3",
        "not a database, and long enough to be read as one",
    );
    let output = site.import(&[], 3);
    assert!(
        stderr(&output).contains("state.sqlite3"),
        "{}",
        stderr(&output)
    );
    let file = site.path().join("run.prom");
    (site, file)
}

#[test]
fn failed_runs_write_the_runs_metrics() {
    // A state that cannot be read: exit 3, the run's metrics without the
    // feeds'.
    let (_site, file) = unreadable_state_run();
    let samples = read(&file);
    assert_eq!(value(&samples, "feedimport_run_exit_code", None), Some(3.0));
    assert!(
        samples
            .iter()
            .all(|s| !s.name.starts_with("feedimport_feed_"))
    );

    // A config that cannot be read names no metrics file: only the
    // command line's can be written (exit 2).
    let site = Site::new("metrics_file = \"run.prom\"\nconcurency = 3\n");
    site.import(&[], 2);
    assert!(!site.path().join("run.prom").exists());
    site.import(&["--metrics-file", "cli.prom"], 2);
    let samples = read(&site.path().join("cli.prom"));
    assert_eq!(value(&samples, "feedimport_run_exit_code", None), Some(2.0));
    assert_eq!(
        value(&samples, "feedimport_run_articles_written", None),
        Some(0.0)
    );
}

/// Prometheus's own checker accepts the metrics files of a run with
/// failing and hostile feeds, and of a run that could not read its state.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs promtool (Debian's prometheus package): .ci/run installs it"]
async fn promtool_accepts_the_metrics_files() {
    requires::program("promtool", "--version", "apt-get install prometheus");
    let server = MockServer::start().await;
    let (_site, file, _) = three_feeds_run(&server).await;
    promtool_accepts(&file);
    let (_site, file) = unreadable_state_run();
    promtool_accepts(&file);
}

/// The message of a caught panic (`panic!` with arguments gives a
/// `String`, without a `&str`).
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic without a message".to_string())
}

#[test]
fn the_parser_refuses_what_the_format_does_not_allow() {
    let good = "# HELP a_b x\n# TYPE a_b gauge\na_b{feed=\"q\\\"\\\\\\n\"} 1\n";
    assert_eq!(parse_metrics(good)[0].labels["feed"], "q\"\\\n");
    for (bad, why) in [
        (
            "# HELP a x\n# TYPE a gauge\na{feed=\"unterminated} 1\n",
            "unterminated label value: a{feed=\"unterminated} 1",
        ),
        (
            "# HELP a x\n# TYPE a gauge\na{feed=\"q\"x\"} 1\n",
            "not label=\"value\": a{feed=\"q\"x\"} 1",
        ),
        (
            "# HELP a x\n# TYPE a gauge\na{feed=\"\\t\"} 1\n",
            "unknown escape \\t: a{feed=\"\\t\"} 1",
        ),
        (
            "# HELP a x\n# TYPE a gauge\na 1\na 2\n",
            "series twice: a 2",
        ),
        (
            "# HELP a x\n# TYPE a gauge\n# HELP a y\n",
            "HELP twice: # HELP a y",
        ),
        (
            "# HELP a x\n# TYPE a gauge\nb 1\n",
            "sample outside its family: b 1",
        ),
        (
            "# HELP a x\n# TYPE a gauge\na 1 1700000000\n",
            "a timestamp or more: a 1 1700000000",
        ),
        (
            "# HELP a x\n# TYPE a gauge\na one\n",
            "not a number (invalid float literal): a one",
        ),
    ] {
        // assert_eq! puts its own words around the message: the reason is
        // in it, not all of it.
        let caught = std::panic::catch_unwind(|| parse_metrics(bad))
            .map(|samples| samples.len())
            .map_err(|panic| panic_message(&*panic));
        assert!(
            matches!(&caught, Err(message) if message.contains(why)),
            "{bad:?}: {caught:?}"
        );
    }
}
