//! Running unattended: conditional requests, retries, backoff across runs,
//! politeness limits, permanent moves, body caps, the run lock and `status`,
//! against servers on loopback.

mod common;

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn feed_xml() -> String {
    rss(&[Item::new(
        "Story",
        "https://news.example.org/story",
        "Mon, 02 Sep 2024 10:00:00 +0000",
    )])
}

/// The one-item feed, as a server answers it.
fn feed_response() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(feed_xml().into_bytes(), "application/rss+xml")
}

/// `/feed/` answers `response` with the ETag "v1", and 304 to a request
/// that sends it back.
async fn serve_with_etag_v1(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .and(header("if-none-match", "\"v1\""))
        .respond_with(ResponseTemplate::new(304))
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(response.insert_header("etag", "\"v1\""))
        .with_priority(2)
        .mount(server)
        .await;
}

/// A site importing one feed, "News", from `route` on `server`.
fn news_site(server: &MockServer, route: &str) -> Site {
    Site::new(&config(&[(
        "News",
        &format!("{}{route}", server.uri()),
        "papers",
    )]))
}

/// `/feed/` answers `failure` `times` times, then the feed.
async fn fail_then_serve(server: &MockServer, failure: ResponseTemplate, times: u64) {
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(failure)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(feed_response())
        .with_priority(2)
        .mount(server)
        .await;
}

fn json_of(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(output)))
}

fn status_json(site: &Site) -> Value {
    let output = site.run(&["status", "--json"]);
    json_of(&output)["feeds"][0].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn second_request_carries_validators_and_a_304_writes_nothing() {
    let server = MockServer::start().await;
    // With the validators of the first response: 304.
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .and(header("if-none-match", "\"v1\""))
        // Compared whole: the date holds a comma, which header() splits on.
        .and(|request: &wiremock::Request| {
            request
                .headers
                .get("if-modified-since")
                .and_then(|v| v.to_str().ok())
                == Some("Mon, 02 Sep 2024 10:00:00 GMT")
        })
        .respond_with(ResponseTemplate::new(304))
        .expect(2)
        .named("conditional")
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(feed_xml().into_bytes(), "application/rss+xml")
                .insert_header("etag", "\"v1\"")
                .insert_header("last-modified", "Mon, 02 Sep 2024 10:00:00 GMT"),
        )
        .expect(2)
        .named("plain")
        .with_priority(2)
        .mount(&server)
        .await;
    let site = news_site(&server, "/feed/");
    // A dry run saves no validators (nor anything else): the real run after
    // it asks unconditionally, and imports.
    site.import(&["--dry-run"], 0);
    site.import(&[], 0);
    assert_eq!(site.content().len(), 1);
    std::fs::remove_file(site.path().join("content/papers/2024-09-02-story.md")).unwrap();

    let output = site.import(&["--force", "--dry-run", "--json"], 0);
    assert_eq!(
        json_of(&output)["feeds"][0]["status"],
        "not_modified",
        "{}",
        stderr(&output)
    );

    let output = site.import(&["--force", "--json"], 0);
    let report = json_of(&output);
    assert_eq!(report["feeds"][0]["status"], "not_modified");
    assert_eq!(report["articles"].as_array().unwrap().len(), 0);
    assert!(site.content().is_empty());
    assert!(
        stderr(&output).contains("1 feed: 1 unchanged"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_is_fetched_only_when_due() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(feed_response())
        .expect(2)
        .mount(&server)
        .await;
    let site = news_site(&server, "/feed/");
    site.import(&[], 0);
    let output = site.import(&["--json"], 0);
    let report = json_of(&output);
    assert_eq!(report["feeds"][0]["status"], "not_due");
    assert!(report["feeds"][0]["next_due"].is_string());
    assert!(stderr(&output).contains("1 not due"));
    // --feed fetches regardless.
    site.import(&["--feed", "News"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn transient_errors_are_retried_within_the_run() {
    let server = MockServer::start().await;
    fail_then_serve(&server, ResponseTemplate::new(503), 2).await;
    let site = news_site(&server, "/feed/");
    site.import(&[], 0);
    assert_eq!(site.content().len(), 1);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_after_is_waited_for() {
    let server = MockServer::start().await;
    fail_then_serve(
        &server,
        ResponseTemplate::new(429).insert_header("retry-after", "2"),
        1,
    )
    .await;
    let site = news_site(&server, "/feed/");
    let started = Instant::now();
    site.import(&[], 0);
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn backoff_grows_across_runs_and_resets_on_success() {
    let server = MockServer::start().await;
    fail_then_serve(&server, ResponseTemplate::new(500), 3).await;
    let mut text = config(&[("News", &format!("{}/feed/", server.uri()), "papers")]);
    text.insert_str(0, "retries = 0\nalert_after_failures = 3\n");
    let site = Site::new(&text);
    let wait_of = |feed: &Value| {
        let at = |k: &str| chrono::DateTime::parse_from_rfc3339(feed[k].as_str().unwrap()).unwrap();
        (at("next_due") - at("last_fetch")).num_minutes()
    };
    let mut waits = Vec::new();
    for run in 1..=3 {
        site.import(&["--force"], 1);
        let feed = status_json(&site);
        assert_eq!(feed["consecutive_failures"], run);
        assert!(feed["last_error"].as_str().unwrap().contains("HTTP 500"));
        waits.push(wait_of(&feed));
    }
    // A feed that has never worked is due again at once for its first two
    // failures, then backs off (README, "Failures").
    assert_eq!(waits, [0, 0, 60]);
    // Third failure in a row: flagged in status (exit 1) and in text.
    insta::assert_snapshot!(status_text(&site, &server.uri(), 1), @r"
    News  [FAILING]
      url: [server]/feed/
      last fetch: [time] ([ago])   last success: never
      failing for 3 run(s): HTTP 500 Internal Server Error
      next due: [time] ([ahead])
      articles: 0 in all, 0 in the last 7 days, - with an image
    ");

    site.import(&["--force"], 0);
    let feed = status_json(&site);
    assert_eq!(feed["consecutive_failures"], 0);
    assert_eq!(feed["last_error"], Value::Null);
    assert_eq!(wait_of(&feed), 60);
    assert_eq!(feed["articles_total"], 1);
    assert_eq!(feed["articles_last_7_days"], 1);
    assert_eq!(feed["image_share"], 0.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_permanent_redirect_is_followed_and_reported() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/old/"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "/new/"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/new/"))
        .respond_with(feed_response())
        .expect(2)
        .mount(&server)
        .await;
    let site = news_site(&server, "/old/");
    let output = site.import(&["--json"], 0);
    let new_url = format!("{}/new/", server.uri());
    assert_eq!(json_of(&output)["feeds"][0]["moved_to"], new_url.as_str());
    assert!(
        stderr(&output).contains(&format!("moved, update feeds.toml: News → {new_url}")),
        "{}",
        stderr(&output)
    );
    assert_eq!(site.content().len(), 1);
    assert_eq!(status_json(&site)["moved_to"], new_url.as_str());
    // The next run goes to the new URL directly (the old one is asked once).
    site.import(&["--force"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversized_body_and_a_gzip_bomb_are_refused() {
    let server = MockServer::start().await;
    let huge = format!("{}{}", feed_xml(), " ".repeat(2 * 1024 * 1024));
    Mock::given(method("GET"))
        .and(path("/huge/"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(huge.into_bytes(), "application/rss+xml"),
        )
        .mount(&server)
        .await;
    // 64 MiB of spaces, gzipped to about 64 KiB.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(feed_xml().as_bytes()).unwrap();
    let spaces = vec![b' '; 1024 * 1024];
    for _ in 0..64 {
        encoder.write_all(&spaces).unwrap();
    }
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 200 * 1024);
    Mock::given(method("GET"))
        .and(path("/bomb/"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(bomb, "application/rss+xml")
                .insert_header("content-encoding", "gzip"),
        )
        .mount(&server)
        .await;
    let mut text = config(&[
        ("Huge", &format!("{}/huge/", server.uri()), "papers"),
        ("Bomb", &format!("{}/bomb/", server.uri()), "papers"),
    ]);
    text.insert_str(0, "max_body_mib = 1\n");
    let site = Site::new(&text);
    let output = site.import(&["--json"], 1);
    let report = json_of(&output);
    for feed in report["feeds"].as_array().unwrap() {
        assert_eq!(feed["status"], "failed");
        assert!(
            feed["error"]
                .as_str()
                .unwrap()
                .contains("larger than the 1 MiB limit"),
            "{feed}"
        );
    }
    assert!(site.content().is_empty());
}

#[test]
fn two_runs_at_once_give_one_75() {
    // Each fetch waits on the server until the test lets it be answered, so
    // a run holds the lock for as long as the test needs it to.
    let server = HeldServer::start("application/rss+xml", feed_xml());
    let site = Site::new(&config(&[(
        "News",
        &format!("{}/feed/", server.url),
        "papers",
    )]));
    let lock = site.path().join(".feedimport/run.lock");
    let first = site.start(&["run"]);
    // Its fetch has begun: it holds the lock, its pid in the lock file.
    server.wait_for_requests(1);
    assert_eq!(
        std::fs::read_to_string(&lock).unwrap().trim(),
        first.id().to_string()
    );
    let second = site.run(&["run"]);
    assert_eq!(second.status.code(), Some(75), "{}", stderr(&second));
    assert!(
        stderr(&second).contains(&format!("pid {}", first.id())),
        "{}",
        stderr(&second)
    );
    // Quiet (as cron runs it), the routine 75 prints nothing.
    let quiet = site.run(&["-q", "run"]);
    assert_eq!(quiet.status.code(), Some(75), "{}", stderr(&quiet));
    assert_eq!(stderr(&quiet), "");
    server.answer(1);
    let first = finish_within(first, HANG, "the first run");
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));

    // With --wait, a run waits for the other instead.
    let holder = site.start(&["run", "--force"]);
    server.wait_for_requests(2);
    let waiting = site.start(&["run", "--force", "--wait"]);
    wait_until("the --wait run to queue for the lock", || {
        waits_for_lock(waiting.id(), &lock)
    });
    // One answer for the holder's fetch, one for the waiting run's once it
    // has the lock.
    server.answer(2);
    let holder = finish_within(holder, HANG, "the run holding the lock");
    assert_eq!(holder.status.code(), Some(0), "{}", stderr(&holder));
    let waiting = finish_within(waiting, HANG, "the run waiting for the lock");
    assert_eq!(waiting.status.code(), Some(0), "{}", stderr(&waiting));
    server.wait_for_requests(3);
}

/// Whether process `pid` is queued for the lock on `path`: /proc/locks
/// lists such a request under the lock it waits for, marked `->`
/// (`1: -> FLOCK  ADVISORY  WRITE <pid> <major>:<minor>:<inode> 0 EOF`).
fn waits_for_lock(pid: u32, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let inode = std::fs::metadata(path).unwrap().ino().to_string();
    let pid = pid.to_string();
    std::fs::read_to_string("/proc/locks")
        .unwrap()
        .lines()
        .any(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            fields.get(1) == Some(&"->")
                && fields.get(5) == Some(&pid.as_str())
                && fields
                    .get(6)
                    .is_some_and(|file| file.rsplit(':').next() == Some(inode.as_str()))
        })
}

/// A server that counts the requests it is serving at the same time.
struct CountingServer {
    url: String,
    peak: Arc<AtomicUsize>,
    served: Arc<AtomicUsize>,
}

/// The counting server, for a run allowed `limit` requests at once. The
/// first requests are held until `limit` of them are in flight together
/// (the peak assertion fails if that never happens within [`HANG`]), so the
/// test sees the limit reached however slow the machine. After that, each
/// answer waits 50 ms more: time for a request over the limit, should the
/// limiter let one through, to arrive while the others are held. That wait
/// can only hide a fault, never fail a sound run.
fn counting_server(items_per_feed: usize, limit: usize) -> CountingServer {
    let peak = Arc::new(AtomicUsize::new(0));
    let served = Arc::new(AtomicUsize::new(0));
    let in_flight = Arc::new((Mutex::new(0usize), Condvar::new()));
    let base = Arc::new(OnceLock::<String>::new());
    let (peak_in, served_in, base_in) = (peak.clone(), served.clone(), base.clone());
    let url = raw_server(move |mut stream| {
        let request = read_request_head(&mut stream);
        if request.is_empty() {
            return;
        }
        let (count, changed) = &*in_flight;
        let mut now = count.lock().unwrap();
        *now += 1;
        peak_in.fetch_max(*now, Ordering::SeqCst);
        changed.notify_all();
        let (now, _) = changed
            .wait_timeout_while(now, HANG, |_| peak_in.load(Ordering::SeqCst) < limit)
            .unwrap();
        drop(now);
        std::thread::sleep(Duration::from_millis(50));
        let base = base_in.get().unwrap();
        let target = request.split_whitespace().nth(1).unwrap_or("/").to_string();
        let (kind, body) = if target.starts_with("/feed") {
            let items: Vec<Item> = (0..items_per_feed)
                .map(|i| {
                    Item::new(
                        &format!("Post {target} {i}"),
                        &format!("{base}/post{target}-{i}"),
                        "Mon, 02 Sep 2024 10:00:00 +0000",
                    )
                })
                .collect();
            ("application/rss+xml", rss(&items))
        } else {
            ("text/html", "<html><head><meta property=\"og:image\" content=\"https://img.example/x.jpg\"></head><body></body></html>".to_string())
        };
        *count.lock().unwrap() -= 1;
        served_in.fetch_add(1, Ordering::SeqCst);
        write_answer(&mut stream, kind, body.as_bytes());
    });
    base.set(url.clone()).unwrap();
    CountingServer { url, peak, served }
}

/// A site of `feeds` feeds on the counting server, with `settings` at the
/// top of its config.
fn counting_site(server: &CountingServer, feeds: usize, settings: &str) -> Site {
    let feeds: Vec<(String, String)> = (0..feeds)
        .map(|i| (format!("Feed {i}"), format!("{}/feed{i}", server.url)))
        .collect();
    let refs: Vec<(&str, &str, &str)> = feeds
        .iter()
        .map(|(n, u)| (n.as_str(), u.as_str(), "papers"))
        .collect();
    Site::new(&format!("{settings}{}", config(&refs)))
}

#[test]
fn the_per_host_limit_is_never_exceeded() {
    let server = counting_server(5, 3);
    let site = counting_site(&server, 6, "per_host = 3\nconcurrency = 8\n");
    site.import(&[], 0);
    // 6 feeds and 30 article pages, all on one host.
    assert_eq!(server.served.load(Ordering::SeqCst), 36);
    assert_eq!(site.content().len(), 30);
    // Reached (the limit is a limit, not serialisation), never exceeded.
    assert_eq!(
        server.peak.load(Ordering::SeqCst),
        3,
        "requests at once, with per_host = 3"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn status_after_a_failure_shows_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(ResponseTemplate::new(410))
        .mount(&server)
        .await;
    let site = Site::new(&config(&[(
        "Gone",
        &format!("{}/feed/", server.uri()),
        "papers",
    )]));
    insta::assert_snapshot!(status_text(&site, &server.uri(), 0), @r"
    Gone
      url: [server]/feed/
      last fetch: never   last success: never
      next due: now (at the next run)
      articles: 0 in all, 0 in the last 7 days, - with an image
    ");
    let output = site.import(&[], 1);
    assert!(
        stderr(&output).contains("HTTP 410 Gone: the feed is gone; remove it from feeds.toml"),
        "{}",
        stderr(&output)
    );
    let feed = status_json(&site);
    assert_eq!(feed["name"], "Gone");
    assert_eq!(feed["consecutive_failures"], 1);
    assert!(feed["last_fetch"].is_string());
    assert_eq!(feed["last_success"], Value::Null);
    assert!(feed["last_error"].as_str().unwrap().contains("410"));
    insta::assert_snapshot!(status_text(&site, &server.uri(), 0), @r"
    Gone
      url: [server]/feed/
      last fetch: [time] ([ago])   last success: never
      failing for 1 run(s): HTTP 410 Gone: the feed is gone; remove it from feeds.toml
      next due: now (at the next run)
      articles: 0 in all, 0 in the last 7 days, - with an image
    ");
}

#[tokio::test(flavor = "multi_thread")]
async fn quiet_runs_say_nothing_unless_a_feed_failed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(feed_response())
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/gone/"))
        .respond_with(ResponseTemplate::new(410))
        .mount(&server)
        .await;
    let site = news_site(&server, "/feed/");
    let output = site.run(&["-q", "run"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stderr(&output), "");

    let site = news_site(&server, "/gone/");
    let output = site.run(&["-q", "run"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains("1 feed: 1 failed: News: HTTP 410 Gone"),
        "{text}"
    );
}

#[test]
fn an_interrupted_run_saves_what_it_did_and_exits_130() {
    // The slow feed is never answered, and the timeout is far longer than
    // the test waits: only the signal can end this run.
    let slow = HeldServer::start("application/rss+xml", feed_xml());
    let mut text = config(&[
        ("Saved", "saved.xml", "papers"),
        ("Slow", &format!("{}/slow/", slow.url), "news"),
    ]);
    text.insert_str(0, "timeout = \"1h\"\n");
    let site = Site::new(&text);
    site.write("saved.xml", &feed_xml());
    let run = site.start(&["run", "--json"]);
    // Interrupted in the middle of the slow feed's fetch, once the first
    // feed's article is on disk. Its record is written in the same step,
    // with no wait between the two, and committed on the way out.
    slow.wait_for_requests(1);
    let written = site.path().join("content/papers/2024-09-02-story.md");
    wait_until("the first feed's article", || written.exists());
    let output = interrupt(run);
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert!(stderr(&output).contains("interrupted"));
    // What was written is recorded: deleted, it is not imported again.
    std::fs::remove_file(&written).unwrap();
    let output = site.import(&["--feed", "Saved", "--json"], 0);
    assert_eq!(json_of(&output)["feeds"][0]["seen"], 1);
    assert!(site.content().is_empty(), "{:?}", site.content().keys());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_interrupted_midway_is_fetched_in_full_again_by_the_next_run() {
    // A feed with an ETag, so that a saved validator would get a 304 and
    // the rest of its items would never be written.
    const ITEMS: usize = 4000;
    let server = MockServer::start().await;
    serve_with_etag_v1(
        &server,
        ResponseTemplate::new(200).set_body_raw(
            rss(&numbered_items(ITEMS)).into_bytes(),
            "application/rss+xml",
        ),
    )
    .await;
    let site = news_site(&server, "/feed/");
    let run = site.start(&["run"]);
    let folder = site.path().join("content/papers");
    let articles = || {
        std::fs::read_dir(&folder).map_or(0, |d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
                .count()
        })
    };
    wait_until("the first article", || articles() > 0);
    let output = interrupt(run);
    let first = site.content().len();
    // Usually stopped midway; when the signal came after the last file, the
    // run ended normally and the rest of the test holds all the same.
    assert!(
        matches!(output.status.code(), Some(130) | Some(0)),
        "{}",
        stderr(&output)
    );

    let output = site.import(&["--force", "--json"], 0);
    let content = site.content();
    assert_eq!(
        content.len(),
        ITEMS,
        "{first} files after the interrupted run; the next run must write the rest: {}",
        stdout(&output)
    );
    let imported = json_of(&output)["feeds"][0]["new"].as_u64().unwrap() as usize;
    assert_eq!(first + imported, ITEMS, "each item written once");
}

#[tokio::test(flavor = "multi_thread")]
async fn check_online_describes_each_feed_and_its_conditional_answers() {
    let server = MockServer::start().await;
    serve_with_etag_v1(&server, feed_response()).await;
    let site = news_site(&server, "/feed/");
    let output = site.run(&["check", "--online"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("format: RSS2 (UTF-8), 1 items, newest 2024-09-02T10:00:00+00:00"),
        "{text}"
    );
    assert!(
        text.contains("0 declared in the feed, 0 only in the content, 1 article pages to read"),
        "the story is on another host than the feed: its page is read there\n{text}"
    );
    assert!(
        text.contains("a run now would import 1 new item\n"),
        "{text}"
    );
    assert!(
        text.contains("conditional requests: answered with 304"),
        "{text}"
    );
    // It imports nothing.
    assert!(!site.path().join("content").exists() && !site.path().join(".feedimport").exists());
}

/// Serves `items` at `/feed/` and an article page with a preview image at
/// every `/a/…` path, replacing what the server served before.
async fn serve_feed_and_pages(server: &MockServer, items: &[Item]) {
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(rss(items).into_bytes(), "application/rss+xml"),
        )
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex("^/a/"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!(
                "<html><head><meta property=\"og:image\" content=\"{}/preview.jpg\"></head></html>",
                server.uri()
            ),
            "text/html",
        ))
        .mount(server)
        .await;
}

/// The `/a/…` paths the server was asked for since its last reset.
async fn pages_requested(server: &MockServer) -> std::collections::BTreeSet<String> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| r.url.path().to_string())
        .filter(|p| p.starts_with("/a/"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn check_online_names_the_article_pages_the_next_run_reads() {
    let server = MockServer::start().await;
    let uri = server.uri();
    let item = |n: usize, link: &str, image: bool| Item {
        image: image.then(|| format!("{uri}/figure-{n}.jpg")),
        ..Item::new(
            &format!("Story {n}"),
            link,
            &format!("Mon, 02 Sep 2024 10:0{n}:00 +0000"),
        )
    };
    let old = [
        item(1, &format!("{uri}/a/1"), false),
        item(2, &format!("{uri}/a/2"), true),
    ];
    serve_feed_and_pages(&server, &old).await;
    let site = news_site(&server, "/feed/");
    site.import(&[], 0);
    assert_eq!(pages_requested(&server).await, ["/a/1".to_string()].into());

    // Two items imported before; of the new ones, one without an image on
    // the feed's host and one on another host (`localhost`, for a feed on
    // `127.0.0.1`): their pages are read; one with a declared image: not.
    let port = url::Url::parse(&uri).unwrap().port().unwrap();
    let other = format!("http://localhost:{port}/a/4");
    let mut now = old.to_vec();
    now.extend([
        item(3, &format!("{uri}/a/3"), false),
        item(4, &other, false),
        item(5, &format!("{uri}/a/5"), true),
    ]);
    serve_feed_and_pages(&server, &now).await;
    let output = site.run(&["check", "--online"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("a run now would import 3 new items\n"),
        "{text}"
    );
    let predicted: std::collections::BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("article page to read: "))
        .map(|url| url.trim_start_matches(&uri).to_string())
        .collect();
    assert_eq!(predicted, ["/a/3".to_string(), other].into(), "{text}");
    assert!(
        pages_requested(&server).await.is_empty(),
        "check reads no article page"
    );

    site.import(&["--force"], 0);
    assert_eq!(
        pages_requested(&server).await,
        ["/a/3".to_string(), "/a/4".to_string()].into()
    );
    assert_eq!(site.content().len(), 5);
}

/// A state that cannot be read does not stop `check --online`: each feed
/// is still described, and the check says that which items are new
/// cannot be told, and why.
#[tokio::test(flavor = "multi_thread")]
async fn check_online_says_when_the_state_cannot_be_read() {
    let server = MockServer::start().await;
    serve_with_etag_v1(&server, feed_response()).await;
    let site = news_site(&server, "/feed/");
    site.write(".feedimport/state.sqlite3", "not a database, but text");
    let output = site.run(&["check", "--online"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("format: RSS2 (UTF-8), 1 items"), "{text}");
    assert!(
        text.contains("which items are new cannot be told: state database"),
        "{text}"
    );
    assert!(!text.contains("a run now would import"), "{text}");
}

#[test]
fn per_host_on_the_command_line_overrides_the_config() {
    let server = counting_server(3, 1);
    let site = counting_site(&server, 4, "per_host = 4\n");
    site.import(&["--per-host", "1"], 0);
    assert_eq!(site.content().len(), 12);
    assert_eq!(
        server.peak.load(Ordering::SeqCst),
        1,
        "one request at a time"
    );
    let output = site.run(&["run", "--per-host", "0"]);
    assert_eq!(output.status.code(), Some(2));
}
