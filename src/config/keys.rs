//! The keys `feeds.toml` accepts, and where a key is written.
//!
//! In: the file's TOML table (or its text, to find a key's line). Out: the
//! lists of known keys, the file being read, and the line a key is on. Nothing here fails: a finding is
//! for the reading step to place in a [`super::ConfigError`].

use std::path::Path;

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

/// The file being read: its path, for messages, and its text, to find
/// the line of a key.
#[derive(Clone, Copy)]
pub(super) struct FileText<'a> {
    pub(super) path: &'a Path,
    pub(super) text: &'a str,
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

#[cfg(test)]
mod tests {
    use super::super::error::{ConfigError, FeedLabel, KeyTable, ValueProblem};
    use super::super::testing::refused;

    #[test]
    fn shape_mistakes_get_a_line_and_the_fix() {
        fn feed_a(label: &FeedLabel) -> bool {
            *label == FeedLabel::Named("A".to_string())
        }
        fn feed_b(label: &FeedLabel) -> bool {
            *label == FeedLabel::Named("B".to_string())
        }
        // (text, the line, the error it is, what the message must say)
        type Is = fn(&ConfigError) -> bool;
        let feed = "name = \"A\"\nurl = \"https://e.org/f\"\nsection = \"news\"\n";
        let cases: Vec<(String, usize, Is, &str)> = vec![
            (
                format!("tags = [\"x\"]\n\n[feed]\n{feed}"),
                3,
                |e| matches!(e, ConfigError::UnknownKey { key, table: KeyTable::TopLevel, .. } if key == "feed"),
                "write each feed as [[feeds]]",
            ),
            (
                format!("tags = [\"x\"]\n[[feed]]\n{feed}"),
                2,
                |e| matches!(e, ConfigError::UnknownKey { key, table: KeyTable::TopLevel, .. } if key == "feed"),
                "write each feed as [[feeds]]",
            ),
            (
                format!("[feeds]\n{feed}"),
                1,
                |e| matches!(e, ConfigError::BadValue { key, feed: None, problem: ValueProblem::NotAListOfTables, .. } if key == "feeds"),
                "not [feeds]",
            ),
            (
                format!("timezone = \"UTC\"\ntags = \"France\"\n[[feeds]]\n{feed}"),
                2,
                |e| matches!(e, ConfigError::BadValue { key, feed: None, problem: ValueProblem::ListWrittenAsString(_), .. } if key == "tags"),
                "key `tags` is a list: write tags = [\"France\"], not tags = \"France\"",
            ),
            (
                format!("[[feeds]]\n{feed}tags = \"Radiologie\"\n"),
                5,
                |e| matches!(e, ConfigError::BadValue { key, feed: Some(f), problem: ValueProblem::ListWrittenAsString(_), .. } if key == "tags" && feed_a(f)),
                "feed \"A\": key `tags` is a list: write tags = [\"Radiologie\"]",
            ),
            (
                format!("[[feeds]]\n{feed}include = \"stent\"\n"),
                5,
                |e| matches!(e, ConfigError::BadValue { key, feed: Some(f), problem: ValueProblem::ListWrittenAsString(_), .. } if key == "include" && feed_a(f)),
                "feed \"A\": key `include` is a list: write include = [\"stent\"]",
            ),
            (
                format!("[[feeds]]\n{feed}exclude = \"^ad\"\n"),
                5,
                |e| matches!(e, ConfigError::BadValue { key, problem: ValueProblem::ListWrittenAsString(_), .. } if key == "exclude"),
                "key `exclude` is a list",
            ),
            (
                format!("[[feeds]]\n{feed}\ntimeout = \"30s\"\n"),
                6,
                |e| matches!(e, ConfigError::UnknownKey { key, table: KeyTable::Feed(f), .. } if key == "timeout" && feed_a(f)),
                "feed \"A\": `timeout` is a top-level key, not a feed's: move it above the first [[feeds]] line",
            ),
            (
                format!("section = \"news\"\n[[feeds]]\n{feed}"),
                1,
                |e| matches!(e, ConfigError::UnknownKey { key, table: KeyTable::TopLevel, .. } if key == "section"),
                "`section` is a feed's key, not a top-level one: put it below the [[feeds]] line",
            ),
            (
                format!(
                    "[[feeds]]\n{feed}\n[[feeds]]\nname = \"B\"\nurl = \"https://e.org/b\"\nsectoin = \"b\"\n"
                ),
                9,
                |e| matches!(e, ConfigError::UnknownKey { key, table: KeyTable::Feed(f), .. } if key == "sectoin" && feed_b(f)),
                "feed \"B\": unknown key `sectoin`",
            ),
            (
                format!("[[feeds]]\n{feed}\n[[feeds]]\nname = \"B\"\nurl = \"https://e.org/b\"\n"),
                6,
                |e| matches!(e, ConfigError::MissingKey { key: "section", feed, .. } if feed_b(feed)),
                "feed \"B\": missing key `section`",
            ),
        ];
        for (text, line, is, expected) in cases {
            let err = refused(&text);
            assert!(is(&err), "{text}\n=> {err:?}");
            let message = err.to_string();
            assert!(
                message.starts_with(&format!("/site/feeds.toml: line {line}: "))
                    && message.contains(expected),
                "{text}\n=> {message}"
            );
        }
    }
}
