//! The real-world corpus: 201 feeds captured from real sites, each imported
//! by the real binary in one run, with feedparser's reading of each as a
//! second opinion. The corpus lives beside the project (`../shared/corpus`,
//! or `$FEEDIMPORT_CORPUS`); where it is absent these tests say so and pass.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use common::*;
use serde_json::Value;

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("FEEDIMPORT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if dir.join("feeds").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: the feed corpus is not at {} (set FEEDIMPORT_CORPUS to its folder to run these tests)",
            dir.display()
        );
        None
    }
}

/// Imports every corpus feed in one run and returns the JSON report.
fn import_corpus(corpus: &std::path::Path) -> (Site, Value, String) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus.join("feeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let feeds: Vec<(String, String)> = files
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                p.display().to_string(),
            )
        })
        .collect();
    let refs: Vec<(&str, &str, &str)> = feeds
        .iter()
        .map(|(name, path)| (name.as_str(), path.as_str(), "corpus"))
        .collect();
    let site = Site::new(&config(&refs));
    let output = site.run(&["run", "--json"]);
    let stderr = stderr(&output);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "exit {:?}\n{stderr}",
        output.status.code()
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("the JSON report parses");
    (site, report, stderr)
}

fn read_jsonl(path: PathBuf) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Feeds where feedparser and we disagree on purpose, and why.
const KNOWN_COUNT_DIFFERENCES: &[(&str, &str)] = &[];

const KNOWN_DATE_DIFFERENCES: &[(&str, &str)] = &[
    (
        "feedjira__InvalidDateFormat.xml",
        "the parser lets <dc:date> override <pubDate>, even when dc:date is a Unix time it cannot read",
    ),
    (
        "feedrs__rss_2.0_nbcny.xml",
        "`Sat, Dec 16 2023 02:02:33 PM` is not RFC 822; the time of import stands in",
    ),
];

#[test]
fn every_corpus_feed_imports_or_fails_clearly() {
    let Some(corpus) = corpus_dir() else { return };
    let (site, report, stderr) = import_corpus(&corpus);
    assert!(!stderr.contains("panicked"), "{stderr}");

    let feeds = report["feeds"].as_array().unwrap();
    assert_eq!(
        feeds.len(),
        std::fs::read_dir(corpus.join("feeds")).unwrap().count()
    );
    for feed in feeds {
        let name = feed["name"].as_str().unwrap();
        match feed["status"].as_str().unwrap() {
            "ok" => assert_eq!(feed["error"], Value::Null, "{name}"),
            "failed" => {
                let error = feed["error"].as_str().unwrap();
                assert!(
                    error.len() > 10 && !error.contains("internal error"),
                    "{name}: {error}"
                );
                assert!(stderr.contains(name), "the summary names {name}");
            }
            other => panic!("{name}: unexpected status {other}"),
        }
    }
    // The corpus holds four HTML pages saved as feeds: each is named as such.
    for page in [
        "feedjira2009__JoomlapoweredSite.xml",
        "feedjira2009__SFRubyorgHome.xml",
        "feedjira2009__scRUBYt.xml",
        "feedjira2009__titleunknown.xml",
    ] {
        let feed = feeds.iter().find(|f| f["name"] == page).unwrap();
        assert_eq!(feed["status"], "failed", "{page}");
        assert!(
            feed["error"].as_str().unwrap().contains("HTML page"),
            "{page}: {}",
            feed["error"]
        );
    }
    // Every article written parses back and lies inside the section folder.
    let content = site.content();
    assert_eq!(content.len(), report["articles"].as_array().unwrap().len());
    for (path, text) in &content {
        assert!(
            path.starts_with("corpus/") && path.ends_with(".md"),
            "{path}"
        );
        let front = front_matter(text);
        assert!(
            front["sourceUrl"].as_str().unwrap().starts_with("http"),
            "{path}"
        );
        // Feed text about `<script>` stays text: plain in the quoted YAML
        // value, escaped in the Markdown body.
        assert!(no_raw_angle_bracket(body(text)), "{path}");
    }
}

#[test]
fn corpus_agrees_with_feedparser() {
    let Some(corpus) = corpus_dir() else { return };
    let (_site, report, _stderr) = import_corpus(&corpus);
    let files: HashMap<String, Value> = read_jsonl(corpus.join("feedparser.files.jsonl"))
        .into_iter()
        .map(|f| (f["file"].as_str().unwrap().to_string(), f))
        .collect();
    let mut oracle: HashMap<(String, String), Value> = HashMap::new();
    for entry in read_jsonl(corpus.join("feedparser.oracle.jsonl")) {
        if let Some(link) = entry["link"].as_str() {
            let file = entry["file"].as_str().unwrap().to_string();
            oracle.entry((file, link.to_string())).or_insert(entry);
        }
    }

    let mut problems: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for feed in report["feeds"].as_array().unwrap() {
        let name = feed["name"].as_str().unwrap();
        if feed["status"] != "ok" || KNOWN_COUNT_DIFFERENCES.iter().any(|(f, _)| *f == name) {
            continue;
        }
        let ours = feed["new"].as_u64().unwrap()
            + feed["seen"].as_u64().unwrap()
            + feed["skipped"].as_u64().unwrap();
        let theirs = files[name]["entries"].as_u64().unwrap();
        if ours != theirs {
            problems
                .entry(name.to_string())
                .or_default()
                .push(format!("{ours} items, feedparser {theirs}"));
        }
    }
    for article in report["articles"].as_array().unwrap() {
        let feed = article["feed"].as_str().unwrap().to_string();
        let link = article["sourceUrl"].as_str().unwrap().to_string();
        let Some(entry) = oracle.get(&(feed.clone(), link.clone())) else {
            continue;
        };
        let their_title = collapse(entry["title"].as_str().unwrap_or_default());
        if !their_title.is_empty() && their_title != article["title"] {
            problems
                .entry(feed.clone())
                .or_default()
                .push(format!("title {:?} vs {their_title:?}", article["title"]));
        }
        if let Some(date) = entry["date"].as_str() {
            let ours = article["date"].as_str().unwrap();
            if ours[..19] != date[..19] && !KNOWN_DATE_DIFFERENCES.iter().any(|(f, _)| *f == feed) {
                problems
                    .entry(feed.clone())
                    .or_default()
                    .push(format!("date {ours} vs {date}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "disagreements with feedparser:\n{problems:#?}"
    );
}
