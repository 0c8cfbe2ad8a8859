//! The keys `feeds.toml` accepts, and where a key is written.
//!
//! In: the file's TOML table (or its text, to find a key's line). Out: the
//! lists of known keys, a top-level value written in a shape people often
//! get wrong, and the line a key is on. Nothing here fails: a finding is
//! for the reading step to place in a [`super::ConfigError`].

use super::error::ValueProblem;

/// The keys the top level of `feeds.toml` accepts.
pub(super) const TOP_LEVEL_KEYS: &[&str] = &[
    "content_dir",
    "state_dir",
    "metrics_file",
    "timezone",
    "tags",
    "concurrency",
    "interval",
    "per_host",
    "max_body_mib",
    "max_redirects",
    "timeout",
    "connect_timeout",
    "retries",
    "alert_after_failures",
    "output",
    "max_items",
    "update",
    "feeds",
];
/// The keys a `[[feeds]]` entry accepts.
pub(super) const FEED_KEYS: &[&str] = &[
    "name",
    "url",
    "section",
    "tags",
    "article_images",
    "article_hosts",
    "include",
    "exclude",
    "max_age",
    "interval",
    "output",
    "max_items",
    "update",
];
/// The keys an `[output]` table (or a feed's `output = { … }`) accepts.
pub(super) const OUTPUT_KEYS: &[&str] = &["preset", "template", "path", "permalink", "locale"];

/// A top-level value of the wrong shape, as people write it: `[feeds]` for
/// `[[feeds]]`, one tag as a string. The key and what is wrong.
pub(super) fn shape_mistake(table: &toml::Table) -> Option<(&'static str, ValueProblem)> {
    match table.get("feeds") {
        Some(toml::Value::Array(_)) | None => {}
        Some(_) => return Some(("feeds", ValueProblem::NotAListOfTables)),
    }
    if let Some(toml::Value::String(text)) = table.get("tags") {
        return Some(("tags", ValueProblem::ListWrittenAsString(text.clone())));
    }
    None
}

/// The line (from 1) of `key` in the file's text: at the top level, or in
/// the `[[feeds]]` entry number `feed` (from 0), whose own first line
/// stands in when `key` is not there. `None` when the text does not say.
pub(super) fn key_line(text: &str, feed: Option<usize>, key: &str) -> Option<usize> {
    use toml::de::{DeTable, DeValue};
    let document = DeTable::parse(text).ok()?;
    let find = |table: &DeTable, key: &str| {
        table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(k, _)| k.span())
    };
    let span = match feed {
        None => find(document.get_ref(), key)?,
        Some(index) => {
            let feeds = document
                .get_ref()
                .iter()
                .find(|(k, _)| k.get_ref().as_ref() == "feeds")
                .map(|(_, v)| v)?;
            let DeValue::Array(entries) = feeds.get_ref() else {
                return None;
            };
            let entry = entries.get(index)?;
            match entry.get_ref() {
                DeValue::Table(table) => find(table, key).unwrap_or_else(|| entry.span()),
                _ => entry.span(),
            }
        }
    };
    let start = span.start.min(text.len());
    Some(
        text.as_bytes()[..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1,
    )
}
