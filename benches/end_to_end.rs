//! End to end, with public tools only: generates a corpus of WordPress-style
//! feeds (half their items with the image only in the article page's
//! og:image), serves it on loopback with ETags, and times a cold import and
//! a warm re-run (every feed answers 304) of the real binary.
//!
//! `cargo bench --bench end_to_end -- [FEEDS] [ITEMS]` (default 300 × 40).

mod corpus;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let numbers: Vec<usize> = std::env::args().filter_map(|a| a.parse().ok()).collect();
    let feeds = numbers.first().copied().unwrap_or(300);
    let items = numbers.get(1).copied().unwrap_or(40);

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut files: HashMap<String, Vec<u8>> = HashMap::new();
    let mut toml =
        String::from("content_dir = \"content\"\ntimezone = \"Europe/Paris\"\nper_host = 8\n");
    for feed in 0..feeds {
        files.insert(
            format!("/feeds/{feed}.xml"),
            corpus::wordpress_feed(feed, items, &base).into_bytes(),
        );
        for item in (1..items).step_by(2) {
            let page = corpus::article_page(&format!("https://img.example/{feed}/{item}-og.jpg"));
            files.insert(format!("/{feed}/{item}/"), page.into_bytes());
        }
        toml.push_str(&format!(
            "\n[[feeds]]\nname = \"Feed {feed}\"\nurl = \"{base}/feeds/{feed}.xml\"\nsection = \"papers\"\ntags = [\"France\", \"Actualité\"]\n"
        ));
    }
    let pages = files.len() - feeds;
    serve(listener, Arc::new(files));

    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("feeds.toml"), toml).unwrap();
    let run = |label: &str| {
        let started = Instant::now();
        let output = Command::new(env!("CARGO_BIN_EXE_feedimport"))
            .args(["-q", "run", "--force"])
            .current_dir(work.path())
            .output()
            .unwrap();
        let elapsed = started.elapsed();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        println!("{label:<5} {:>8.3} s", elapsed.as_secs_f64());
    };
    println!("{feeds} feeds × {items} items, {pages} article pages, served on {base}");
    run("cold");
    let written = std::fs::read_dir(work.path().join("content/papers"))
        .unwrap()
        .count();
    assert_eq!(written, feeds * items, "every item imported");
    run("warm");
}

/// A keep-alive HTTP/1.1 server of `files`, with ETags and 304s.
fn serve(listener: TcpListener, files: Arc<HashMap<String, Vec<u8>>>) {
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let files = files.clone();
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
                        Some(_) if conditional.as_deref() == Some(etag.as_str()) => {
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
