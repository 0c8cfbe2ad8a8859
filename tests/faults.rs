//! The fault suite: servers on loopback that misbehave (refuse, reset, hang,
//! drip, fail, loop, lie about their content, send too much, garbage or
//! hostile text), and feeds that push the limits (50 000 items, a 1 MB
//! title, duplicates, path traversal).
//!
//! Every case checks two things. A clear report: the feed's `error` in the
//! `--json` report says what went wrong in an operator's words, and the
//! summary line on stderr names the feed. No damage: nothing written for the
//! broken feed, no partial or temporary file (`.feedimport-*.tmp`) left in
//! `content/`, the other feed of the same run still imported, and the exit
//! code right (1 when a feed failed, 0 otherwise).

mod common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Small limits, so that every fault shows within a couple of seconds.
const LIMITS: &str = "retries = 0\ntimeout = \"2s\"\nconnect_timeout = \"1s\"\nmax_body_mib = 1\n";

/// The feed under test in [`fault_site`].
const FAULTY: &str = "Faulty";
/// The well-behaved feed next to it.
const HEALTHY: &str = "Healthy";
/// What the healthy feed writes.
const HEALTHY_FILE: &str = "other/2024-09-02-healthy-story.md";

const DATE: &str = "Mon, 02 Sep 2024 10:00:00 +0000";

fn story_feed() -> String {
    rss(&[Item::new("Story", "https://news.example.org/story", DATE)])
}

fn json_of(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}\nstdout: {}\nstderr: {}",
            stdout(output),
            stderr(output)
        )
    })
}

fn feed_named<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["feeds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no feed {name:?} in {report}"))
}

/// The last line on stderr: the run's summary.
fn summary_line(output: &std::process::Output) -> String {
    stderr(output)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

// ---------------------------------------------------------------------------
// Hand-written servers, for faults wiremock cannot commit.

/// A server that answers every request with `body`, whole and well-formed.
fn serve_fixed(content_type: &'static str, body: Vec<u8>) -> String {
    let body = std::sync::Arc::new(body);
    raw_server(move |mut stream| {
        read_request_head(&mut stream);
        write_answer(&mut stream, content_type, &body);
    })
}

/// The healthy feed of every fault site: one item, served properly.
fn healthy_server() -> String {
    let body = rss(&[Item::new(
        "Healthy story",
        "https://good.example.org/healthy",
        DATE,
    )]);
    format!(
        "{}/feed/",
        serve_fixed("application/rss+xml", body.into_bytes())
    )
}

/// A site with the feed under test (section `papers`) and a healthy feed
/// (section `other`), with these global `settings`.
fn fault_site_with(url: &str, settings: &str) -> Site {
    let healthy = healthy_server();
    let mut text = config(&[(FAULTY, url, "papers"), (HEALTHY, &healthy, "other")]);
    text.insert_str(0, settings);
    Site::new(&text)
}

/// [`fault_site_with`] the small [`LIMITS`].
fn fault_site(url: &str) -> Site {
    fault_site_with(url, LIMITS)
}

// ---------------------------------------------------------------------------
// What every case checks.

/// Every file below `root`, by path relative to it (`/`-separated).
fn all_files(root: &Path) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            // Not followed: a symlink is listed, never walked through.
            if path.symlink_metadata().unwrap().is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path.strip_prefix(root).unwrap();
                let parts: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.insert(parts.join("/"));
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(root, root, &mut out);
    out
}

/// Temporary files (`.feedimport-*.tmp`) anywhere in the site.
fn temporary_files(site: &Site) -> Vec<String> {
    all_files(site.path())
        .into_iter()
        .filter(|p| {
            let name = p.rsplit('/').next().unwrap();
            name.starts_with(".feedimport-") || name.ends_with(".tmp")
        })
        .collect()
}

fn assert_no_panic(output: &std::process::Output) {
    let text = stderr(output);
    assert!(
        !text.contains("panicked") && !text.contains("RUST_BACKTRACE"),
        "the run panicked:\n{text}"
    );
}

/// Runs the site (`--json`) and checks that the feed under test failed
/// cleanly: status `failed` with an error, named in the summary line, no file
/// of its own and no temporary file, the healthy feed imported, exit 1.
/// Returns the error.
fn fails_cleanly(site: &Site) -> String {
    let output = site.import(&["--json"], 1);
    failed_cleanly(site, &output)
}

/// The checks of [`fails_cleanly`] on a run already made.
fn failed_cleanly(site: &Site, output: &std::process::Output) -> String {
    assert_eq!(output.status.code(), Some(1), "{}", stderr(output));
    assert_no_panic(output);
    let report = json_of(output);
    let faulty = feed_named(&report, FAULTY);
    assert_eq!(faulty["status"], "failed", "{faulty}");
    assert_eq!(faulty["new"], 0, "{faulty}");
    let error = faulty["error"]
        .as_str()
        .unwrap_or_else(|| panic!("a failed feed has an error: {faulty}"))
        .to_string();
    assert!(
        !error.trim().is_empty() && !error.contains('\n'),
        "the error is one line: {error:?}"
    );
    let healthy = feed_named(&report, HEALTHY);
    assert_eq!(healthy["status"], "ok", "{healthy}");
    assert_eq!(healthy["new"], 1, "{healthy}");
    let articles = report["articles"].as_array().unwrap();
    assert!(
        articles.iter().all(|a| a["feed"] == HEALTHY),
        "only the healthy feed has articles: {articles:?}"
    );

    let summary = summary_line(output);
    assert!(
        summary.starts_with("2 feeds:")
            && summary.contains("1 with 1 new article")
            && summary.contains(&format!("1 failed: {FAULTY}: {error}")),
        "summary line: {summary:?}\nstderr: {}",
        stderr(output)
    );

    let content = site.content();
    assert_eq!(
        content.keys().collect::<Vec<_>>(),
        [HEALTHY_FILE],
        "only the healthy feed's article is in content/"
    );
    assert!(
        temporary_files(site).is_empty(),
        "temporary files left: {:?}",
        temporary_files(site)
    );
    error
}

/// Checks that `error` mentions at least one of `words` (without regard to
/// case).
fn assert_mentions(error: &str, words: &[&str]) {
    let lower = error.to_lowercase();
    assert!(
        words.iter().any(|w| lower.contains(&w.to_lowercase())),
        "the error {error:?} should mention one of {words:?}"
    );
}

/// A network failure (a reset, a close, a timeout) is not a decoding
/// problem: an error that says "decoding" sends the operator looking at the
/// feed's content instead of at the server or the network.
fn assert_not_blamed_on_decoding(error: &str) {
    assert!(
        !error.to_lowercase().contains("decod"),
        "a network failure reported as a decoding error: {error:?}"
    );
}

/// Runs the site (`--json`) and checks that both feeds imported: exit 0, the
/// feed under test with `new` articles in `papers/`. Returns the report.
fn imports_cleanly(site: &Site, new: usize) -> Value {
    let output = site.import(&["--json"], 0);
    assert_no_panic(&output);
    let report = json_of(&output);
    let faulty = feed_named(&report, FAULTY);
    assert_eq!(faulty["status"], "ok", "{faulty}");
    assert_eq!(faulty["error"], Value::Null, "{faulty}");
    assert_eq!(faulty["new"], new, "{faulty}");
    assert_eq!(feed_named(&report, HEALTHY)["new"], 1);
    let content = site.content();
    assert!(content.contains_key(HEALTHY_FILE), "{:?}", content.keys());
    assert_eq!(
        content.keys().filter(|k| k.starts_with("papers/")).count(),
        new,
        "{:?}",
        content.keys()
    );
    assert!(
        temporary_files(site).is_empty(),
        "temporary files left: {:?}",
        temporary_files(site)
    );
    report
}

// ---------------------------------------------------------------------------
// The network misbehaves.

#[test]
fn connection_refused_is_reported_and_the_other_feed_imported() {
    let port = refused_port();
    let site = fault_site(&format!("http://127.0.0.1:{port}/feed/"));
    let error = fails_cleanly(&site);
    assert_mentions(&error, &["connection refused"]);
}

#[test]
fn connection_reset_mid_body_is_reported_and_nothing_partial_is_written() {
    let body = story_feed();
    let url = raw_server(move |stream| reset_mid_body(stream, &body));
    assert_cut_short(&fault_site(&format!("{url}/feed/")));
}

/// Answers with the first half of `body`, then resets the connection once
/// the client has read that half: the reset comes mid-body, never before
/// the client has the head. Only the start of the request is read, and
/// closing with the rest unread makes the kernel answer with a reset, not a
/// clean close.
fn reset_mid_body(mut stream: TcpStream, body: &str) {
    let mut start = [0u8; 4];
    if stream.read_exact(&mut start).is_ok() {
        write_first_half(&mut stream, body);
        wait_until_read_by_the_client(&stream);
    }
}

/// Waits until the client has read everything sent on `stream`: our send
/// queue is empty (the client's kernel has it all) and so is the client's
/// receive queue (the client took it), as /proc/net/tcp shows both. Returns
/// early when the client's socket is gone, or after [`HANG`]: in a server
/// thread a panic would go unseen, and the test's own checks fail instead.
fn wait_until_read_by_the_client(stream: &TcpStream) {
    let (server, client) = (stream.local_addr().unwrap(), stream.peer_addr().unwrap());
    let started = Instant::now();
    while started.elapsed() < HANG {
        // In this order: what our kernel no longer holds is in the client's
        // queue until the client reads it.
        let unacknowledged = tcp_queues(server, client).map(|(send, _)| send);
        let Some((_, unread)) = tcp_queues(client, server) else {
            return;
        };
        if unacknowledged == Some(0) && unread == 0 {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The send and receive queues (bytes not yet acknowledged by the peer,
/// bytes not yet read by the owner) of the loopback TCP socket from `local`
/// to `remote`, from /proc/net/tcp; `None` when there is no such socket.
fn tcp_queues(local: SocketAddr, remote: SocketAddr) -> Option<(u64, u64)> {
    // The kernel prints the IPv4 address as its four bytes read as one
    // native-endian number, and the port as a number.
    let hex = |address: SocketAddr| match address {
        SocketAddr::V4(v4) => format!(
            "{:08X}:{:04X}",
            u32::from_ne_bytes(v4.ip().octets()),
            v4.port()
        ),
        SocketAddr::V6(_) => panic!("the test servers listen on 127.0.0.1"),
    };
    let (local, remote) = (hex(local), hex(remote));
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.get(1) != Some(&local.as_str()) || fields.get(2) != Some(&remote.as_str()) {
            return None;
        }
        let (send, receive) = fields.get(4)?.split_once(':')?;
        Some((
            u64::from_str_radix(send, 16).ok()?,
            u64::from_str_radix(receive, 16).ok()?,
        ))
    })
}

/// Announces the whole of `body` and sends its first half.
fn write_first_half(stream: &mut TcpStream, body: &str) {
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/rss+xml\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body.as_bytes()[..body.len() / 2]);
}

/// The site's feed, cut off mid-body, fails cleanly with an error that says
/// so (not one that blames the bytes' encoding).
fn assert_cut_short(site: &Site) {
    let error = fails_cleanly(site);
    assert_mentions(
        &error,
        &[
            "reset",
            "closed",
            "incomplete",
            "end of file",
            "before message length",
            "truncated",
        ],
    );
    assert_not_blamed_on_decoding(&error);
}

#[test]
fn connection_closed_mid_body_is_reported_and_nothing_partial_is_written() {
    let body = story_feed();
    let url = raw_server(move |mut stream| {
        read_request_head(&mut stream);
        write_first_half(&mut stream, &body);
        let _ = stream.flush();
        let _ = stream.shutdown(Shutdown::Both);
    });
    assert_cut_short(&fault_site(&format!("{url}/feed/")));
}

#[test]
fn a_connection_reset_mid_body_is_retried_like_any_connection_error() {
    // The README: "Connection errors, timeouts, 5xx and 429 are retried
    // `retries` times within a run". The first answer is cut by a reset,
    // the second is whole.
    let body = story_feed();
    let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = served.clone();
    let url = raw_server(move |mut stream| {
        let attempt = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if attempt == 0 {
            reset_mid_body(stream, &body);
        } else {
            read_request_head(&mut stream);
            write_answer(&mut stream, "application/rss+xml", body.as_bytes());
        }
    });
    let site = fault_site_with(
        &format!("{url}/feed/"),
        &LIMITS.replace("retries = 0", "retries = 1"),
    );
    let output = site.run(&["run", "--json"]);
    assert_no_panic(&output);
    assert_eq!(
        served.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "the reset answer was not asked again\nstdout: {}\nstderr: {}",
        stdout(&output),
        stderr(&output)
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(site.content().contains_key("papers/2024-09-02-story.md"));
}

#[test]
fn a_server_that_never_answers_times_out_on_schedule() {
    // The connection is accepted and held; not a byte comes back.
    let url = raw_server(|mut stream| {
        let mut sink = Vec::new();
        let _ = stream.read_to_end(&mut sink);
    });
    let site = fault_site(&format!("{url}/feed/"));
    let output = site.run_within(&["run", "--json"], UNDER_THE_DEFAULT_TIMEOUT);
    let error = failed_cleanly(&site, &output);
    assert_mentions(&error, &["timed out", "timeout"]);
}

/// How long the runs of the timeout tests may take: far longer than the
/// 2 s timeout of [`LIMITS`], far shorter than the 60 s default. Not a
/// speed bound: a run still going by then did not apply the configured
/// timeout (or none at all, for a server that never stops).
const UNDER_THE_DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

#[test]
fn a_slow_drip_is_stopped_by_the_total_timeout() {
    // Headers at once, then one byte of a valid feed every 200 ms, forever
    // (until the client hangs up).
    let body = story_feed();
    let url = raw_server(move |mut stream| {
        read_request_head(&mut stream);
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/rss+xml\r\ncontent-length: {}\r\n\r\n",
            1_000_000
        );
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        for byte in body.bytes().cycle() {
            if stream.write_all(&[byte]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let site = fault_site(&format!("{url}/feed/"));
    // The drip never ends and never pauses for long: only a total timeout
    // can end this run.
    let output = site.run_within(&["run", "--json"], UNDER_THE_DEFAULT_TIMEOUT);
    let error = failed_cleanly(&site, &output);
    assert_mentions(&error, &["timed out", "timeout"]);
    assert_not_blamed_on_decoding(&error);
}

#[tokio::test(flavor = "multi_thread")]
async fn server_errors_and_429_are_reported_with_their_status() {
    for (status, reason) in [
        (500, "Internal Server Error"),
        (502, "Bad Gateway"),
        (503, "Service Unavailable"),
        (429, "Too Many Requests"),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/feed/"))
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
        let site = fault_site(&format!("{}/feed/", server.uri()));
        let error = fails_cleanly(&site);
        assert!(
            error.contains(&format!("HTTP {status} {reason}")),
            "HTTP {status}: {error:?}"
        );
        // retries = 0: asked once.
        assert_eq!(
            server.received_requests().await.unwrap().len(),
            1,
            "HTTP {status} with retries = 0"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_loop_stops_and_names_the_redirects() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/a"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/b"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/b"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/a"))
        .mount(&server)
        .await;
    let site = fault_site_with(
        &format!("{}/a", server.uri()),
        &format!("{LIMITS}max_redirects = 5\n"),
    );
    let error = fails_cleanly(&site);
    assert_mentions(&error, &["redirect"]);
    let requests = server.received_requests().await.unwrap().len();
    assert!(
        requests <= 7,
        "max_redirects = 5, yet {requests} requests were sent"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_to_another_scheme_is_refused_and_named() {
    for location in ["ftp://files.example.org/feed.xml", "javascript:alert(1)"] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/feed/"))
            .respond_with(ResponseTemplate::new(302).insert_header("location", location))
            .mount(&server)
            .await;
        let site = fault_site(&format!("{}/feed/", server.uri()));
        let error = fails_cleanly(&site);
        assert!(
            error.contains(location),
            "the error names the redirect target {location:?}: {error:?}"
        );
        assert_mentions(&error, &["redirect"]);
    }
}

// ---------------------------------------------------------------------------
// The body is not what it says, or not a feed.

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_content_type_on_a_valid_feed_is_accepted() {
    for content_type in ["text/plain", "application/octet-stream"] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/feed/"))
            .respond_with(
                ResponseTemplate::new(200).set_body_raw(story_feed().into_bytes(), content_type),
            )
            .mount(&server)
            .await;
        let site = fault_site(&format!("{}/feed/", server.uri()));
        imports_cleanly(&site, 1);
        let text = &site.content()["papers/2024-09-02-story.md"];
        assert_eq!(front_matter(text)["title"].as_str(), Some("Story"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_html_page_instead_of_a_feed_is_named_as_such() {
    let server = MockServer::start().await;
    let page = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form>Log in to continue</form></body></html>\n";
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(
            // Even declared as a feed, it is a page.
            ResponseTemplate::new(200)
                .set_body_raw(page.as_bytes().to_vec(), "application/rss+xml"),
        )
        .mount(&server)
        .await;
    let site = fault_site(&format!("{}/feed/", server.uri()));
    let error = fails_cleanly(&site);
    assert_mentions(&error, &["HTML page"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_body_is_named_as_such() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(Vec::new(), "application/rss+xml"))
        .mount(&server)
        .await;
    let site = fault_site(&format!("{}/feed/", server.uri()));
    let error = fails_cleanly(&site);
    assert_mentions(&error, &["empty"]);
}

/// A valid feed padded to 2 MiB.
fn two_mib_feed() -> Vec<u8> {
    let mut body = story_feed().into_bytes();
    body.resize(2 * 1024 * 1024, b' ');
    body
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_over_the_cap_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(two_mib_feed(), "application/rss+xml"),
        )
        .mount(&server)
        .await;
    let site = fault_site(&format!("{}/feed/", server.uri()));
    let error = fails_cleanly(&site);
    assert_mentions(&error, &["1 MiB"]);
    assert_mentions(&error, &["max_body_mib", "limit"]);
}

#[test]
fn a_body_over_the_cap_without_a_length_is_cut_off() {
    // No Content-Length: the cap must hold while reading.
    let body = std::sync::Arc::new(two_mib_feed());
    let url = raw_server(move |mut stream| {
        read_request_head(&mut stream);
        let head =
            "HTTP/1.1 200 OK\r\ncontent-type: application/rss+xml\r\nconnection: close\r\n\r\n";
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(&body);
    });
    let site = fault_site(&format!("{url}/feed/"));
    let error = fails_cleanly(&site);
    assert_mentions(&error, &["1 MiB"]);
    assert_mentions(&error, &["max_body_mib", "limit"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_gzip_is_reported_as_a_compression_error() {
    let server = MockServer::start().await;
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(garbage, "application/rss+xml")
                .insert_header("content-encoding", "gzip"),
        )
        .mount(&server)
        .await;
    // With retries allowed: a body that does not decompress is the
    // server's fault, and another try would get the same bytes.
    let site = fault_site_with(
        &format!("{}/feed/", server.uri()),
        &LIMITS.replace("retries = 0", "retries = 2"),
    );
    let error = fails_cleanly(&site);
    assert_mentions(&error, &["gzip"]);
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "not retried"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_utf8_in_a_utf8_feed_is_decoded_or_refused_cleanly() {
    // A Latin-1 é in one title, stray 0xFF 0xFE in another item's summary.
    let mut body = Vec::new();
    body.extend_from_slice(
        br#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>T</title><link>https://news.example.org/</link><description>d</description>
<item><title>Caf"#,
    );
    body.push(0xE9);
    body.extend_from_slice(
        br#" au lait</title><link>https://news.example.org/cafe</link><pubDate>Mon, 02 Sep 2024 10:00:00 +0000</pubDate><description>Latin-1 slipped in.</description></item>
<item><title>Broken summary</title><link>https://news.example.org/summary</link><pubDate>Mon, 02 Sep 2024 11:00:00 +0000</pubDate><description>Before "#,
    );
    body.extend_from_slice(&[0xFF, 0xFE, 0xC3]);
    body.extend_from_slice(b" after.</description></item>\n</channel></rss>\n");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(body, "application/rss+xml; charset=UTF-8"),
        )
        .mount(&server)
        .await;
    let site = fault_site(&format!("{}/feed/", server.uri()));
    let output = site.run(&["run", "--json"]);
    assert_no_panic(&output);
    match output.status.code() {
        Some(0) => {
            let report = json_of(&output);
            assert_eq!(feed_named(&report, FAULTY)["new"], 2, "{report}");
            for (name, text) in site.content() {
                // read_to_string succeeded: the file is valid UTF-8.
                assert_ne!(text, "<binary>", "{name} is not UTF-8");
                let fields = front_matter(&text);
                for key in ["title", "summary"] {
                    let value = fields[key].as_str().unwrap();
                    assert!(
                        !value.chars().any(|c| c.is_control()),
                        "{name}: {key} {value:?}"
                    );
                }
            }
            let content = site.content();
            let titles: Vec<String> = content
                .iter()
                .filter(|(k, _)| k.starts_with("papers/"))
                .map(|(_, t)| front_matter(t)["title"].as_str().unwrap().to_string())
                .collect();
            assert!(
                titles
                    .iter()
                    .any(|t| t.starts_with("Caf") && t.ends_with(" au lait")),
                "{titles:?}"
            );
            assert!(temporary_files(&site).is_empty());
        }
        Some(1) => {
            // Refused: then as cleanly as any other failure, and saying why.
            let error = failed_cleanly(&site, &output);
            assert_mentions(&error, &["UTF-8", "utf8", "encoding", "charset"]);
        }
        other => panic!("exit code {other:?}\nstderr: {}", stderr(&output)),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn nul_bytes_in_title_and_summary_never_reach_the_file() {
    let mut body = Vec::new();
    body.extend_from_slice(
        br#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>T</title><link>https://news.example.org/</link><description>d</description>
<item><title>Null"#,
    );
    body.push(0);
    body.extend_from_slice(b" title</title><link>https://news.example.org/nul</link><pubDate>Mon, 02 Sep 2024 10:00:00 +0000</pubDate><description>Null");
    body.push(0);
    body.extend_from_slice(b" summary</description></item>\n</channel></rss>\n");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(body, "application/rss+xml; charset=UTF-8"),
        )
        .mount(&server)
        .await;
    let site = fault_site(&format!("{}/feed/", server.uri()));
    imports_cleanly(&site, 1);
    for (name, text) in site.content() {
        assert!(!text.contains('\0'), "{name} holds a NUL: {text:?}");
        let fields = front_matter(&text);
        for key in ["title", "summary"] {
            let value = fields[key].as_str().unwrap();
            assert!(!value.contains('\0'), "{name}: {key} {value:?}");
        }
    }
    let content = site.content();
    let (_, text) = content
        .iter()
        .find(|(k, _)| k.starts_with("papers/"))
        .unwrap();
    let fields = front_matter(text);
    let title = fields["title"].as_str().unwrap();
    assert!(
        title.starts_with("Null") && title.ends_with("title"),
        "{title:?}"
    );
}

// ---------------------------------------------------------------------------
// Feeds that push the limits.

#[tokio::test(flavor = "multi_thread")]
async fn fifty_thousand_items_are_all_imported() {
    const COUNT: usize = 50_000;
    let items: Vec<Item> = (0..COUNT)
        .map(|i| Item {
            title: format!("I{i}"),
            link: format!("https://news.example.org/{i}"),
            pub_date: Some(DATE.to_string()),
            description: Some("s".to_string()),
            ..Item::default()
        })
        .collect();
    let body = rss(&items);
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(body.into_bytes(), "application/rss+xml"),
        )
        .mount(&server)
        .await;
    let mut text = config(&[("Big", &format!("{}/feed/", server.uri()), "papers")]);
    text.insert_str(0, "retries = 0\ntimeout = \"120s\"\nmax_body_mib = 15\n");
    let site = Site::new(&text);

    let started = Instant::now();
    let output = site.import(&["--json"], 0);
    eprintln!("50 000 items, first run: {:?}", started.elapsed());
    assert_no_panic(&output);
    let report = json_of(&output);
    assert_eq!(report["feeds"][0]["status"], "ok");
    assert_eq!(report["feeds"][0]["new"], COUNT);
    assert_eq!(report["articles"].as_array().unwrap().len(), COUNT);
    let files = all_files(&site.path().join("content"));
    assert_eq!(files.len(), COUNT);
    assert!(
        files
            .iter()
            .all(|f| f.starts_with("papers/2024-09-02-i") && f.ends_with(".md"))
    );

    // A second run knows all of them.
    let started = Instant::now();
    let output = site.import(&["--json", "--force"], 0);
    eprintln!("50 000 items, second run: {:?}", started.elapsed());
    let report = json_of(&output);
    assert_eq!(report["feeds"][0]["new"], 0);
    assert_eq!(report["feeds"][0]["seen"], COUNT);
    assert_eq!(all_files(&site.path().join("content")).len(), COUNT);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_one_megabyte_title_is_imported_with_a_bounded_file_name() {
    // 1 000 000 characters of words.
    let words = ["alpha", "beta", "gamma", "delta", "epsilon"];
    let mut title = String::with_capacity(1_000_100);
    let mut i = 0;
    while title.len() < 1_000_000 {
        title.push_str(words[i % words.len()]);
        title.push(' ');
        i += 1;
    }
    let title = title.trim_end().to_string();
    let item = Item {
        title: title.clone(),
        link: "https://news.example.org/long".to_string(),
        pub_date: Some(DATE.to_string()),
        description: Some("Short summary.".to_string()),
        ..Item::default()
    };
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(rss(&[item]).into_bytes(), "application/rss+xml"),
        )
        .mount(&server)
        .await;
    let site = fault_site_with(
        &format!("{}/feed/", server.uri()),
        "retries = 0\ntimeout = \"30s\"\nmax_body_mib = 4\n",
    );

    imports_cleanly(&site, 1);
    let content = site.content();
    let (name, text) = content
        .iter()
        .find(|(k, _)| k.starts_with("papers/"))
        .unwrap();
    let file_name = name.strip_prefix("papers/").unwrap();
    let slug = file_name
        .strip_prefix("2024-09-02-")
        .and_then(|s| s.strip_suffix(".md"))
        .unwrap_or_else(|| panic!("file name {file_name:?}"));
    assert!(
        !slug.is_empty() && slug.chars().count() <= 200,
        "slug of {} characters",
        slug.chars().count()
    );
    assert!(
        slug.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    );
    assert!(
        title.starts_with(&slug.replace('-', " ")),
        "the slug is the title's start"
    );
    let fields = front_matter(text);
    let written = fields["title"].as_str().unwrap();
    let whole_or_cut =
        written == title || title.starts_with(written.trim_end_matches('…').trim_end());
    assert!(
        whole_or_cut && !written.is_empty(),
        "the title is the whole text or its start ({} chars)",
        written.chars().count()
    );
    let permalink = fields["permalink"].as_str().unwrap();
    assert_eq!(permalink, format!("/papers/2024-09-02-{slug}"));
}

#[tokio::test(flavor = "multi_thread")]
async fn duplicate_guids_in_one_feed_give_one_article() {
    let mut first = Item::new("First copy", "https://news.example.org/one", DATE);
    first.guid = Some("same-guid".to_string());
    let mut second = Item::new("Second copy", "https://news.example.org/two", DATE);
    second.guid = Some("same-guid".to_string());
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(rss(&[first, second]).into_bytes(), "application/rss+xml"),
        )
        .mount(&server)
        .await;
    let site = fault_site(&format!("{}/feed/", server.uri()));
    let report = imports_cleanly(&site, 1);
    let faulty = feed_named(&report, FAULTY);
    assert_eq!(faulty["seen"], 1, "{faulty}");
    assert_eq!(faulty["skipped"], 0, "{faulty}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_item_in_two_feeds_is_imported_once() {
    // Each feed gives the item its own GUID: only the link is shared.
    let mut in_a = Item::new("Shared story", "https://news.example.org/shared", DATE);
    in_a.guid = Some("feed-a-1".to_string());
    let mut in_b = in_a.clone();
    in_b.guid = Some("feed-b-77".to_string());
    let server = MockServer::start().await;
    for (route, item) in [("/a/", in_a), ("/b/", in_b)] {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(rss(&[item]).into_bytes(), "application/rss+xml"),
            )
            .mount(&server)
            .await;
    }
    let mut text = config(&[
        ("Feed A", &format!("{}/a/", server.uri()), "papers"),
        ("Feed B", &format!("{}/b/", server.uri()), "news"),
    ]);
    text.insert_str(0, LIMITS);
    let site = Site::new(&text);
    let output = site.import(&["--json"], 0);
    assert_no_panic(&output);
    let report = json_of(&output);
    let (a, b) = (feed_named(&report, "Feed A"), feed_named(&report, "Feed B"));
    assert_eq!((a["new"].clone(), b["new"].clone()), (1.into(), 0.into()));
    assert_eq!(b["seen"], 1, "{b}");
    assert_eq!(
        site.content().keys().collect::<Vec<_>>(),
        ["papers/2024-09-02-shared-story.md"]
    );
    // And on the next run, neither imports it again.
    let output = site.import(&["--json", "--force"], 0);
    let report = json_of(&output);
    assert_eq!(feed_named(&report, "Feed A")["new"], 0);
    assert_eq!(feed_named(&report, "Feed B")["new"], 0);
    assert_eq!(site.content().len(), 1);
}

// ---------------------------------------------------------------------------
// Hostile text.

/// A dated item with a hostile title, link and description.
fn hostile(title: &str, link: &str, description: &str) -> Item {
    Item {
        title: title.to_string(),
        link: link.to_string(),
        pub_date: Some(DATE.to_string()),
        description: Some(description.to_string()),
        ..Item::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn path_traversal_and_script_links_write_nothing_outside_the_section() {
    let items = vec![
        hostile(
            "../../etc/passwd",
            "https://news.example.org/a",
            "../../../../etc/shadow",
        ),
        hostile(
            "/absolute/path/article",
            "https://news.example.org/b",
            "/root/.ssh/authorized_keys",
        ),
        hostile(
            "..\\..\\windows\\system32",
            "https://news.example.org/c",
            "..\\..\\boot.ini",
        ),
        hostile("Script link", "javascript:alert(1)", "../../x"),
        hostile(
            "Data link",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "/etc/passwd",
        ),
    ];
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(rss(&items).into_bytes(), "application/rss+xml"),
        )
        .mount(&server)
        .await;
    let site = fault_site(&format!("{}/feed/", server.uri()));
    let before = all_files(site.path());
    let report = imports_cleanly(&site, 3);
    let faulty = feed_named(&report, FAULTY);
    assert_eq!(faulty["skipped"], 2, "the javascript: and data: items");

    // Every file in the site: what was there, the state, the healthy
    // article and three articles directly in content/papers/.
    let after = all_files(site.path());
    let new: Vec<&String> = after
        .iter()
        .filter(|p| !before.contains(*p) && !p.starts_with(".feedimport/"))
        .collect();
    let articles: Vec<&&String> = new
        .iter()
        .filter(|p| p.starts_with("content/papers/"))
        .collect();
    assert_eq!(new.len(), 4, "new files: {new:?}");
    assert!(new.contains(&&format!("content/{HEALTHY_FILE}")), "{new:?}");
    assert_eq!(articles.len(), 3, "{new:?}");
    for path in &articles {
        let name = path.strip_prefix("content/papers/").unwrap();
        assert!(
            !name.contains('/') && !name.contains('\\') && !name.contains(".."),
            "{path}"
        );
        let stem = name
            .strip_prefix("2024-09-02-")
            .and_then(|n| n.strip_suffix(".md"))
            .unwrap_or_else(|| panic!("{path}"));
        assert!(
            !stem.is_empty()
                && stem
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{path}"
        );
    }
    // The state folder holds the state and the lock, nothing named after an
    // item.
    for path in after.iter().filter(|p| p.starts_with(".feedimport/")) {
        let name = path.strip_prefix(".feedimport/").unwrap();
        assert!(
            name.starts_with("state.sqlite3") || name == "run.lock",
            "unexpected file in the state folder: {path}"
        );
    }
    // The articles name only http(s) sources; the skipped items left no trace.
    for (name, text) in site.content() {
        let fields = front_matter(&text);
        let source = fields["sourceUrl"].as_str().unwrap();
        assert!(source.starts_with("https://"), "{name}: {source}");
        let permalink = fields["permalink"].as_str().unwrap();
        assert!(!permalink.contains(".."), "{name}: {permalink}");
        assert!(!text.contains("javascript:") && !text.contains("data:text"));
    }
    let titles: BTreeSet<String> = site
        .content()
        .iter()
        .filter(|(k, _)| k.starts_with("papers/"))
        .map(|(_, t)| front_matter(t)["title"].as_str().unwrap().to_string())
        .collect();
    assert!(!titles.contains("Script link") && !titles.contains("Data link"));
}

/// XML entity expansion ("billion laughs"): the parser does not expand
/// entities declared in a DTD, so memory stays flat and the run ends.
#[test]
fn billion_laughs_cannot_exhaust_memory() {
    let mut doctype = String::from("<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n");
    for level in 1..=9 {
        let previous = if level == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", level - 1)
        };
        doctype.push_str(&format!(
            "<!ENTITY lol{level} \"{}\">\n",
            format!("&{previous};").repeat(10)
        ));
    }
    doctype.push_str("]>\n");
    let feed = format!(
        "<?xml version=\"1.0\"?>\n{doctype}<rss version=\"2.0\"><channel><title>&lol9;</title>\
         <item><title>Laughs &lol9;</title><link>https://news.example.org/lol</link>\
         <description>&lol9;</description><pubDate>Mon, 02 Sep 2024 10:00:00 +0000</pubDate></item>\
         </channel></rss>"
    );
    let site = Site::new(&config(&[("Laughs", "feed.xml", "papers")]));
    site.write("feed.xml", &feed);
    // An expansion would not finish (nor fit in memory): the run would be
    // killed, or hang.
    let output = site.run_within(&["run", "--json"], HANG);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    for (path, text) in site.content() {
        assert!(text.len() < 10_000, "{path}: an entity was expanded");
        front_matter(&text);
    }
}

/// Deep nesting, in the XML and in the HTML of an item: no stack overflow.
#[test]
fn deep_nesting_cannot_crash_the_run() {
    let depth = 100_000;
    let html = format!(
        "{}deep text{}",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let xml_nest = format!(
        "{}{}",
        "<x:a xmlns:x=\"urn:x\">".repeat(depth),
        "</x:a>".repeat(depth)
    );
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>\
         <item><title>Deep HTML</title><link>https://news.example.org/deep</link>\
         <description><![CDATA[{html}]]></description><pubDate>Mon, 02 Sep 2024 10:00:00 +0000</pubDate></item>\
         <item><title>Deep XML</title><link>https://news.example.org/deeper</link>{xml_nest}\
         <pubDate>Mon, 02 Sep 2024 11:00:00 +0000</pubDate></item>\
         </channel></rss>"
    );
    let site = Site::new(&config(&[("Deep", "feed.xml", "papers")]));
    site.write("feed.xml", &feed);
    let output = site.run(&["run", "--json"]);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "exit {:?}: {}",
        output.status.code(),
        stderr(&output)
    );
    for (_, text) in site.content() {
        front_matter(&text);
    }
}
