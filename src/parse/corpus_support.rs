//! Test support: the real-world feed corpus beside the project, with
//! feedparser's per-file reading, or a clear skip where it is absent.

use std::collections::HashMap;
use std::path::PathBuf;

/// The corpus files (sorted) and feedparser's reading of each, by file
/// name; `None`, after saying so, where the corpus is absent.
pub(crate) fn corpus() -> Option<(Vec<PathBuf>, HashMap<String, serde_json::Value>)> {
    let dir = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/feeds"
    ));
    if !dir.is_dir() {
        eprintln!("SKIPPED: the feed corpus is not at {}", dir.display());
        return None;
    }
    let oracle = std::fs::read_to_string(dir.join("../feedparser.files.jsonl"))
        .unwrap()
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            (value["file"].as_str().unwrap().to_owned(), value)
        })
        .collect();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    Some((files, oracle))
}
