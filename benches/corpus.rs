//! WordPress-style feeds generated in memory for the benchmarks: titles with
//! entities, excerpts ending in `[&#8230;]`, 2–6 KB of `content:encoded`,
//! half the items with a `media:content` image.

#![allow(dead_code)] // each bench uses part of it

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A generated site served on loopback: `feeds` feeds of `items` items, and
/// the article page of every item without an image in the feed.
pub(crate) struct ServedSite {
    pub base: String,
    /// A `feeds.toml` naming every feed (`per_host = 8`).
    pub config: String,
    pub pages: usize,
    /// While false, the server ignores `If-None-Match` and sends every feed
    /// again (as a server without validators does).
    pub answer_304: Arc<AtomicBool>,
}

/// Generates the site and serves it from a keep-alive HTTP/1.1 server on a
/// free loopback port, with ETags and 304s, until the process ends.
pub(crate) fn serve_site(feeds: usize, items: usize) -> ServedSite {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut files: HashMap<String, Vec<u8>> = HashMap::new();
    let mut config =
        String::from("content_dir = \"content\"\ntimezone = \"Europe/Paris\"\nper_host = 8\n");
    for feed in 0..feeds {
        files.insert(
            format!("/feeds/{feed}.xml"),
            wordpress_feed(feed, items, &base).into_bytes(),
        );
        for item in (1..items).step_by(2) {
            let page = article_page(&format!("https://img.example/{feed}/{item}-og.jpg"));
            files.insert(format!("/{feed}/{item}/"), page.into_bytes());
        }
        config.push_str(&format!(
            "\n[[feeds]]\nname = \"Feed {feed}\"\nurl = \"{base}/feeds/{feed}.xml\"\nsection = \"papers\"\ntags = [\"France\", \"Actualité\"]\n"
        ));
    }
    let pages = files.len() - feeds;
    let answer_304 = Arc::new(AtomicBool::new(true));
    serve(listener, Arc::new(files), answer_304.clone());
    ServedSite {
        base,
        config,
        pages,
        answer_304,
    }
}

/// A feed of `items` items from feed number `feed`, pages at `base`
/// (about 3.5 KB an item).
pub(crate) fn wordpress_feed(feed: usize, items: usize, base: &str) -> String {
    wordpress_feed_of_paragraphs(feed, items, base, 4)
}

/// The same with at least `paragraphs` paragraphs (of about 190 bytes) of
/// `content:encoded` in every item, up to 19 more.
pub(crate) fn wordpress_feed_of_paragraphs(
    feed: usize,
    items: usize,
    base: &str,
    paragraphs: usize,
) -> String {
    let mut xml = String::with_capacity(items * 6000);
    xml.push_str(&format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Bench feed {feed}</title><link>{base}/</link><description>d</description>
"#
    ));
    for item in 0..items {
        let image = if item % 2 == 0 {
            format!(
                r#"<media:content url="https://img.example/{feed}/{item}.jpg" medium="image" width="1200" height="800"/>"#
            )
        } else {
            String::new()
        };
        let paragraph = "<p>Interventional radiology teams reported outcomes of the procedure in a multicentre registry, with follow-up at &#8220;twelve months&#8221; and a <a href=\"https://ref.example/x\">link</a>.</p>\n";
        xml.push_str(&format!(
            r#"<item><title>Study {feed}-{item} shows survival benefit of TARE &#8211; results &amp; analysis</title>
<link>{base}/{feed}/{item}/</link><dc:creator><![CDATA[Author]]></dc:creator>
<pubDate>Mon, {day:02} Sep 2024 {hour:02}:13:01 +0200</pubDate><guid isPermaLink="false">{base}/?p={feed}{item}</guid>
<description><![CDATA[<p>Updating on a previous meta-analysis, new data pooled survival estimates of patients undergoing transarterial radioembolization (TARE) for unresectable intrahepatic cholangiocarcinoma, item {item} [&#8230;]</p>]]></description>
<content:encoded><![CDATA[<figure><img src="https://img.example/{feed}/{item}-inline.jpg" srcset="a 300w, b 1024w"/><figcaption>Caption</figcaption></figure>{paragraphs}]]></content:encoded>
{image}</item>
"#,
            day = 1 + item % 28,
            hour = item % 24,
            paragraphs = paragraph.repeat(paragraphs + item % 20),
        ));
    }
    xml.push_str("</channel></rss>\n");
    xml
}

/// The head of an article page with its og:image, as WordPress and Yoast
/// write it (inline CSS and JSON-LD before the meta tags).
pub(crate) fn article_page(image: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="en-GB"><head><meta charset="UTF-8"><title>Post</title>
<style>{css}</style><script type="application/ld+json">{{"@context":"https://schema.org","@graph":[{{"@type":"Article"}}]}}</script>
<meta property="og:type" content="article" /><meta property="og:image" content="{image}" />
<meta name="twitter:card" content="summary_large_image" /></head><body>{body}</body></html>"#,
        css = "body{margin:0;padding:0}.a{color:red}\n".repeat(300),
        body = "<p>Article text.</p>".repeat(600),
    )
}

/// A keep-alive HTTP/1.1 server of `files`, with ETags and 304s.
fn serve(listener: TcpListener, files: Arc<HashMap<String, Vec<u8>>>, answer_304: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let files = files.clone();
            let answer_304 = answer_304.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut stream = stream;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                    let mut conditional = None;
                    loop {
                        let mut header = String::new();
                        if reader.read_line(&mut header).unwrap_or(0) == 0 {
                            return;
                        }
                        if header == "\r\n" {
                            break;
                        }
                        if let Some(value) =
                            header.to_ascii_lowercase().strip_prefix("if-none-match:")
                        {
                            conditional = Some(value.trim().to_string());
                        }
                    }
                    let etag = format!("\"{}\"", path.len());
                    let response = match files.get(&path) {
                        Some(_)
                            if answer_304.load(Ordering::Relaxed)
                                && conditional.as_deref() == Some(etag.as_str()) =>
                        {
                            format!("HTTP/1.1 304 Not Modified\r\netag: {etag}\r\n\r\n")
                                .into_bytes()
                        }
                        Some(body) => {
                            let kind = if path.ends_with(".xml") {
                                "application/rss+xml"
                            } else {
                                "text/html"
                            };
                            let mut response = format!(
                                "HTTP/1.1 200 OK\r\ncontent-type: {kind}; charset=utf-8\r\ncontent-length: {}\r\netag: {etag}\r\n\r\n",
                                body.len()
                            )
                            .into_bytes();
                            response.extend_from_slice(body);
                            response
                        }
                        None => b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n".to_vec(),
                    };
                    if stream.write_all(&response).is_err() {
                        return;
                    }
                }
            });
        }
    });
}

/// Runs the release binary in `work` (`-q run --force` and `extra`), fails
/// the bench on a failed run, and returns the wall time in seconds.
pub(crate) fn timed_run(work: &std::path::Path, extra: &[&str]) -> f64 {
    let mut args = vec!["-q", "run", "--force"];
    args.extend_from_slice(extra);
    timed_command(work, &args)
}

/// Runs the release binary in `work` with `args`, fails the bench when it
/// fails, and returns the wall time in seconds.
pub(crate) fn timed_command(work: &std::path::Path, args: &[&str]) -> f64 {
    let started = std::time::Instant::now();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_feedimport"))
        .args(args)
        .current_dir(work)
        .output()
        .unwrap();
    let elapsed = started.elapsed().as_secs_f64();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    elapsed
}

/// The median of `runs` timed runs.
pub(crate) fn median_run(work: &std::path::Path, extra: &[&str], runs: usize) -> f64 {
    let mut times: Vec<f64> = (0..runs).map(|_| timed_run(work, extra)).collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}
