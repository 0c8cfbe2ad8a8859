//! Test support: the real-world feed corpus beside the project, with
//! feedparser's per-file reading. Where the corpus is absent, the rule of
//! `tests/common/optional.rs` applies: a failure under CI, a `SKIPPED` line
//! on the terminal elsewhere.

use std::collections::HashMap;
use std::path::PathBuf;

#[path = "../../tests/common/optional.rs"]
mod optional;

/// The corpus files (sorted) and feedparser's reading of each, by file
/// name; `None`, after saying so (or failing, under CI), where the corpus is
/// absent.
pub(crate) fn corpus() -> Option<(Vec<PathBuf>, HashMap<String, serde_json::Value>)> {
    let dir = optional::corpus_dir()?;
    let oracle = std::fs::read_to_string(dir.join("feedparser.files.jsonl"))
        .unwrap()
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            (value["file"].as_str().unwrap().to_owned(), value)
        })
        .collect();
    let mut files: Vec<_> = std::fs::read_dir(dir.join("feeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    Some((files, oracle))
}
