//! Test support: the real-world feed corpus beside the project
//! (`$FEEDIMPORT_CORPUS`, else `../shared/corpus`), with feedparser's
//! per-file reading.
//!
//! The tests that read it are `#[ignore]`d (CI runs them with
//! `--ignored`), and fail, saying where the corpus was looked for, where it
//! is absent: an ignored test that runs never passes without checking.

use std::collections::HashMap;
use std::path::PathBuf;

/// The corpus files (sorted) and feedparser's reading of each, by file
/// name. Panics, naming the folder, where the corpus is absent.
pub(crate) fn corpus() -> (Vec<PathBuf>, HashMap<String, serde_json::Value>) {
    let dir = std::env::var_os("FEEDIMPORT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    assert!(
        dir.join("feeds").is_dir(),
        "the feed corpus is not at {} (set FEEDIMPORT_CORPUS to its folder)",
        dir.display()
    );
    let oracle = std::fs::read_to_string(dir.join("feedparser.files.jsonl"))
        .unwrap()
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            (value["file"].as_str().unwrap().to_owned(), value)
        })
        .collect();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("feeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    (files, oracle)
}
