//! Helpers for end-to-end tests: a site folder in a temp dir, the real
//! binary run in it, and RSS documents built from items.

#![allow(dead_code)] // each test file uses its own part of these helpers

pub(crate) mod markdown;
pub(crate) mod requires;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::time::{Duration, Instant};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_feedimport");

/// How long a test waits for an event (a request reaching a server, a file
/// appearing, a process exiting) before it calls it a hang. Generous on
/// purpose: it bounds a hang, never a speed, so that a slow or busy machine
/// cannot fail a test. Speed is for the benchmarks.
pub(crate) const HANG: Duration = Duration::from_secs(60);

/// Polls `condition` until it holds; panics, naming `what`, when it still
/// does not after [`HANG`].
pub(crate) fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(
            started.elapsed() < HANG,
            "still waiting after {HANG:?} for {what}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits for `child` to exit and returns its output (its pipes are read
/// meanwhile, so that a full pipe cannot stall it). Kills it and panics,
/// naming `what`, when it is still running after `limit`.
pub(crate) fn finish_within(child: Child, limit: Duration, what: &str) -> Output {
    let pid = child.id();
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || sender.send(child.wait_with_output()));
    match receiver.recv_timeout(limit) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            // Best effort: the test fails either way, and says why.
            let _killed = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("{what}: still running after {limit:?}");
        }
    }
}

/// Sends SIGINT (Ctrl-C) to a running `feedimport` and waits for it to
/// exit (for at most [`HANG`]).
pub(crate) fn interrupt(run: Child) -> Output {
    let killed = Command::new("kill")
        .args(["-INT", &run.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    finish_within(run, HANG, "the interrupted run")
}

/// A site folder with a `feeds.toml`.
pub(crate) struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    pub(crate) fn new(config: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("feeds.toml"), config).unwrap();
        Site { dir }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `feedimport ARGS` in the site folder.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .current_dir(self.path())
            .env_remove("FEEDIMPORT_CONFIG")
            .env_remove("RUST_LOG")
            .output()
            .unwrap()
    }

    /// Starts `feedimport ARGS` in the site folder, its output piped,
    /// without waiting for it.
    pub(crate) fn start(&self, args: &[&str]) -> Child {
        Command::new(BIN)
            .args(args)
            .current_dir(self.path())
            .env_remove("FEEDIMPORT_CONFIG")
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// [`Site::run`], for a run that must end within `limit` (see
    /// [`finish_within`]).
    pub(crate) fn run_within(&self, args: &[&str], limit: Duration) -> Output {
        finish_within(
            self.start(args),
            limit,
            &format!("feedimport {}", args.join(" ")),
        )
    }

    /// Runs `feedimport run ARGS` and checks it exits with `code`.
    pub(crate) fn import(&self, args: &[&str], code: i32) -> Output {
        let mut all = vec!["run"];
        all.extend_from_slice(args);
        let output = self.run(&all);
        assert_eq!(
            output.status.code(),
            Some(code),
            "exit code of feedimport {all:?}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// Every file below `content/`, by path relative to it, with its text.
    pub(crate) fn content(&self) -> BTreeMap<String, String> {
        let mut files = BTreeMap::new();
        collect(
            &self.path().join("content"),
            &self.path().join("content"),
            &mut files,
        );
        files
    }

    pub(crate) fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
}

fn collect(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|_| "<binary>".into());
            out.insert(
                path.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                text,
            );
        }
    }
}

/// A `feeds.toml` with the global settings of the real one and these feeds
/// (name, url, section).
pub(crate) fn config(feeds: &[(&str, &str, &str)]) -> String {
    let mut text = String::from(
        "content_dir = \"content\"\nstate_dir = \".feedimport\"\ntimezone = \"Europe/Paris\"\ntags = [\"France\", \"Actualité\"]\n",
    );
    for (name, url, section) in feeds {
        text.push_str(&format!(
            "\n[[feeds]]\nname = {name:?}\nurl = {url:?}\nsection = {section:?}\n"
        ));
    }
    text
}

/// One RSS item for [`rss`].
#[derive(Clone, Default)]
pub(crate) struct Item {
    /// Raw XML text of <title> (escape it yourself, or use CDATA).
    pub title: String,
    pub link: String,
    pub guid: Option<String>,
    pub pub_date: Option<String>,
    /// Raw XML text of <description>.
    pub description: Option<String>,
    pub image: Option<String>,
}

impl Item {
    pub(crate) fn new(title: &str, link: &str, pub_date: &str) -> Item {
        Item {
            title: title.to_string(),
            link: link.to_string(),
            pub_date: Some(pub_date.to_string()),
            description: Some(format!("Summary of {title}.")),
            ..Item::default()
        }
    }
}

/// `count` items, "Article number N" at `https://news.example.org/a/N`,
/// one minute apart on 2 September 2024.
pub(crate) fn numbered_items(count: usize) -> Vec<Item> {
    (0..count)
        .map(|i| {
            Item::new(
                &format!("Article number {i}"),
                &format!("https://news.example.org/a/{i}"),
                &format!(
                    "Mon, 02 Sep 2024 {:02}:{:02}:00 +0000",
                    (i / 60) % 24,
                    i % 60
                ),
            )
        })
        .collect()
}

/// The titles of the site's articles, sorted.
pub(crate) fn titles(site: &Site) -> Vec<String> {
    let mut titles: Vec<String> = site
        .content()
        .values()
        .map(|text| front_matter(text)["title"].as_str().unwrap().to_string())
        .collect();
    titles.sort();
    titles
}

/// The titles of these [`numbered_items`], sorted.
pub(crate) fn numbered_titles(numbers: impl IntoIterator<Item = usize>) -> Vec<String> {
    let mut titles: Vec<String> = numbers
        .into_iter()
        .map(|n| format!("Article number {n}"))
        .collect();
    titles.sort();
    titles
}

/// A site whose one feed, `name`, is `/feed.xml` at `server_uri` (article
/// pages not read), with `top` at the top level and `extra` in the feed's
/// table.
pub(crate) fn one_feed_site(server_uri: &str, name: &str, top: &str, extra: &str) -> Site {
    let url = format!("{server_uri}/feed.xml");
    let feeds = config(&[(name, &url, "news")]).replace(
        "section = \"news\"\n",
        &format!("section = \"news\"\narticle_images = false\n{extra}"),
    );
    Site::new(&format!("{top}{feeds}"))
}

/// An RSS 2.0 document with `items`.
pub(crate) fn rss(items: &[Item]) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
<title>Test feed</title><link>https://news.example.org/</link><description>d</description>
"#,
    );
    for item in items {
        xml.push_str("<item>");
        xml.push_str(&format!("<title>{}</title>", item.title));
        xml.push_str(&format!("<link>{}</link>", item.link));
        if let Some(guid) = &item.guid {
            xml.push_str(&format!("<guid isPermaLink=\"false\">{guid}</guid>"));
        }
        if let Some(date) = &item.pub_date {
            xml.push_str(&format!("<pubDate>{date}</pubDate>"));
        }
        if let Some(description) = &item.description {
            xml.push_str(&format!("<description>{description}</description>"));
        }
        if let Some(image) = &item.image {
            xml.push_str(&format!(
                "<media:content url=\"{image}\" medium=\"image\"/>"
            ));
        }
        xml.push_str("</item>\n");
    }
    xml.push_str("</channel></rss>\n");
    xml
}

/// Parses an article file's front matter with the YAML crate.
pub(crate) fn front_matter(text: &str) -> BTreeMap<String, serde_yaml::Value> {
    let rest = text
        .strip_prefix("---\n")
        .expect("front matter starts the file");
    let end = rest.find("\n---\n").expect("front matter ends");
    serde_yaml::from_str(&rest[..=end]).expect("front matter is valid YAML")
}

/// `status`'s text for `site`, after checking it exits with `code`, with
/// what changes from run to run masked: the address of the test's server
/// (`server_uri`), times (`[time]`) and how long ago or ahead they are
/// (`[ago]`, `[ahead]`).
pub(crate) fn status_text(site: &Site, server_uri: &str, code: i32) -> String {
    let output = site.run(&["status"]);
    assert_eq!(output.status.code(), Some(code), "{}", stderr(&output));
    let text = stdout(&output).replace(server_uri, "[server]");
    let masks = [
        (r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [A-Z]\w*", "[time]"),
        (r"\((just now|\d+ (s|min|h|d) ago)\)", "([ago])"),
        (r"\(in [^)]+\)", "([ahead])"),
    ];
    masks.iter().fold(text, |text, (pattern, mask)| {
        regex::Regex::new(pattern)
            .unwrap()
            .replace_all(&text, *mask)
            .into_owned()
    })
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The Markdown body of an article file (after the front matter).
pub(crate) fn body(text: &str) -> &str {
    text.splitn(3, "---\n")
        .nth(2)
        .expect("a body after the front matter")
}

/// True when every `<` in `markdown` that could open an HTML tag, end
/// tag, comment or processing instruction (a letter, `/`, `!` or `?` after
/// it) is escaped (`\<`); any other `<` (`p<0.001`) opens nothing.
pub(crate) fn no_raw_angle_bracket(markdown: &str) -> bool {
    markdown.match_indices('<').all(|(i, _)| {
        let opens = markdown[i + 1..]
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'));
        if !opens {
            return true;
        }
        let backslashes = markdown[..i]
            .chars()
            .rev()
            .take_while(|&c| c == '\\')
            .count();
        backslashes % 2 == 1
    })
}

/// A loopback HTTP server that hands every connection to `answer`, each in
/// its own thread, for what wiremock cannot do (cut a body short, hold an
/// answer until the test says). Returns its base URL
/// (`http://127.0.0.1:PORT`).
pub(crate) fn raw_server(answer: impl Fn(TcpStream) + Send + Sync + Clone + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let answer = answer.clone();
            std::thread::spawn(move || answer(stream));
        }
    });
    url
}

/// A loopback port that refuses connections: one below 1024 with nothing
/// listening, which the system never hands to a server another test
/// starts (a port a listener just freed could be taken before the run
/// connects).
pub(crate) fn refused_port() -> u16 {
    (1..1024u16)
        .find(|port| {
            TcpStream::connect(("127.0.0.1", *port))
                .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused)
        })
        .expect("a refused port below 1024")
}

/// Reads a request up to the end of its head.
pub(crate) fn read_request_head(stream: &mut TcpStream) -> String {
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    String::from_utf8_lossy(&request).into_owned()
}

/// Writes a whole `200 OK` answer with `body`, and closes the connection.
pub(crate) fn write_answer(stream: &mut TcpStream, content_type: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    // The client may have hung up: its side of the test says so.
    if stream.write_all(head.as_bytes()).is_ok() {
        let _ = stream.write_all(body);
    }
}

/// A loopback server that answers every request with the same body, when
/// the test lets it: each request is counted as it arrives
/// ([`HeldServer::wait_for_requests`]) and held until the test allows an
/// answer ([`HeldServer::answer`]). A test can then act while a run is,
/// for certain, in the middle of a fetch, however slow the machine.
pub(crate) struct HeldServer {
    /// The base URL (`http://127.0.0.1:PORT`).
    pub url: String,
    held: Arc<(Mutex<Held>, Condvar)>,
}

#[derive(Default)]
struct Held {
    /// Requests that arrived, answered or not.
    arrived: usize,
    /// Answers allowed and not yet given.
    allowed: usize,
}

impl HeldServer {
    pub(crate) fn start(content_type: &'static str, body: String) -> HeldServer {
        let held = Arc::new((Mutex::new(Held::default()), Condvar::new()));
        let shared = held.clone();
        let body = Arc::new(body);
        let url = raw_server(move |mut stream| {
            read_request_head(&mut stream);
            let (lock, changed) = &*shared;
            let mut state = lock.lock().unwrap();
            state.arrived += 1;
            changed.notify_all();
            // Held for as long as the test wants: a client that gives up
            // meanwhile is the client's business.
            let mut state = changed.wait_while(state, |s| s.allowed == 0).unwrap();
            state.allowed -= 1;
            drop(state);
            write_answer(&mut stream, content_type, body.as_bytes());
        });
        HeldServer { url, held }
    }

    /// Waits until `count` requests have arrived in all; panics after
    /// [`HANG`].
    pub(crate) fn wait_for_requests(&self, count: usize) {
        let (lock, changed) = &*self.held;
        let state = lock.lock().unwrap();
        let (state, waited) = changed
            .wait_timeout_while(state, HANG, |s| s.arrived < count)
            .unwrap();
        assert!(
            !waited.timed_out(),
            "{} of {count} requests arrived in {HANG:?}",
            state.arrived
        );
    }

    /// Lets `count` more requests be answered, those waiting first.
    pub(crate) fn answer(&self, count: usize) {
        let (lock, changed) = &*self.held;
        lock.lock().unwrap().allowed += count;
        changed.notify_all();
    }
}

/// Serves `body` at `route` of `server` with a 200 and `content_type`.
pub(crate) async fn serve(
    server: &wiremock::MockServer,
    route: &str,
    content_type: &str,
    body: &str,
) {
    use wiremock::matchers::{method, path};
    wiremock::Mock::given(method("GET"))
        .and(path(route))
        .respond_with(
            wiremock::ResponseTemplate::new(200)
                .set_body_raw(body.as_bytes().to_vec(), content_type),
        )
        .mount(server)
        .await;
}
