//! Each `[[feeds]]` entry of `feeds.toml`, read in named steps, then
//! checked against the feeds before it.
//!
//! In: the entries as TOML values, what a feed takes from the top level
//! when it does not say ([`FeedDefaults`]), the config's folder. Out: a
//! [`FeedConfig`] per entry, in file order. Fails with [`ConfigError`],
//! placed on the entry's line (or its key's) and naming the feed: an entry
//! that is not a table, an unknown or missing key, a value of the wrong
//! shape or out of its bounds; and, with no line, a feed whose URL (or,
//! unless allowed, whose name) another feed already has.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::error::{ConfigError, Duplicated, FeedLabel, KeyTable, ValueProblem};
use super::keys::{FEED_KEYS, FileText, key_line};
use super::model::{FeedConfig, LoadOptions, UpdatePolicy};
use super::output::OutputSpec;
use super::output_table::{OutputProblem, RawOutput, raw_output, resolve_output};
use super::source::parse_source;
use super::values::{
    INTERVAL_BOUNDS, MAX_AGE_BOUNDS, MAX_ITEMS_BOUNDS, check_tags, compile_patterns, duration,
    is_plain_segment, optional_count, update_policy,
};

/// What a feed takes from the top level when it does not say.
pub(super) struct FeedDefaults {
    pub(super) interval: Duration,
    pub(super) output: RawOutput,
    pub(super) max_items: Option<usize>,
    pub(super) update: UpdatePolicy,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeed {
    name: String,
    url: String,
    section: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default = "default_true")]
    article_images: bool,
    #[serde(default)]
    article_hosts: Vec<String>,
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    max_age: Option<String>,
    interval: Option<String>,
    output: Option<toml::Value>,
    max_items: Option<i64>,
    update: Option<String>,
}

fn default_true() -> bool {
    true
}

/// The feeds, in file order: each read, then let in only if no feed
/// before it reads the same source (or, unless allowed, has its name).
pub(super) fn read_feeds(
    entries: Vec<toml::Value>,
    defaults: &FeedDefaults,
    base_dir: &Path,
    file: FileText<'_>,
    options: LoadOptions,
) -> Result<Vec<FeedConfig>, ConfigError> {
    let mut roster = Roster::default();
    let mut feeds = Vec::with_capacity(entries.len());
    for (index, value) in entries.into_iter().enumerate() {
        let feed = read_feed_table(value, index, defaults, base_dir, file)?;
        roster.admit(&feed, file.path, options)?;
        feeds.push(feed);
    }
    Ok(feeds)
}

/// One `[[feeds]]` entry (number `index`, from 0), checked key by key in
/// the order its mistakes are reported.
pub(super) fn read_feed_table(
    value: toml::Value,
    index: usize,
    defaults: &FeedDefaults,
    base_dir: &Path,
    file: FileText<'_>,
) -> Result<FeedConfig, ConfigError> {
    let (table, entry) = entry_table(value, index, file)?;
    check_feed_keys(&table, &entry)?;
    let raw: RawFeed = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| entry.invalid(e.message().to_string()))?;
    let name = feed_name(&raw.name, &entry)?;
    if !is_plain_segment(&raw.section) {
        return Err(entry.refused("section")(format!(
            "`{}` must be a plain lowercase path segment (a-z, 0-9, '-' and '_', starting with a letter or digit), such as \"papers\"",
            raw.section
        )));
    }
    check_tags(&raw.tags).map_err(entry.refused("tags"))?;
    let source = parse_source(&raw.url, base_dir).map_err(entry.refused("url"))?;
    let include = compile_patterns(&raw.include).map_err(entry.refused("include"))?;
    let exclude = compile_patterns(&raw.exclude).map_err(entry.refused("exclude"))?;
    let max_age =
        duration(raw.max_age.as_deref(), &MAX_AGE_BOUNDS).map_err(entry.bad_value("max_age"))?;
    let interval = duration(raw.interval.as_deref(), &INTERVAL_BOUNDS)
        .map_err(entry.bad_value("interval"))?
        .unwrap_or(defaults.interval);
    let max_items = optional_count(raw.max_items, MAX_ITEMS_BOUNDS)
        .map_err(entry.bad_value("max_items"))?
        .or(defaults.max_items);
    let update =
        update_policy(raw.update.as_deref(), defaults.update).map_err(entry.bad_value("update"))?;
    let article_hosts = article_hosts(&raw.article_hosts, &entry)?;
    let output = feed_output(raw.output, &defaults.output, base_dir, &entry)?;
    Ok(FeedConfig {
        output,
        name,
        source,
        section: raw.section,
        tags: raw.tags,
        article_images: raw.article_images,
        article_hosts,
        include,
        exclude,
        max_age,
        interval,
        max_items,
        update,
    })
}

/// Where a feed's entry is: the file, its number, its label. Places each
/// of its mistakes on the line of the key (or of the entry) and names the
/// feed.
struct Entry<'a> {
    file: FileText<'a>,
    index: usize,
    label: FeedLabel,
}

impl Entry<'_> {
    /// The line of `key` in this entry, else of the entry itself.
    fn line(&self, key: &str) -> Option<usize> {
        key_line(self.file.text, Some(self.index), key)
    }

    fn bad_value(&self, key: &str) -> impl Fn(ValueProblem) -> ConfigError + '_ {
        let key = key.to_string();
        move |problem| ConfigError::BadValue {
            path: self.file.path.to_path_buf(),
            line: self.line(&key),
            feed: Some(self.label.clone()),
            key: key.clone(),
            problem,
        }
    }

    /// A value that cannot work, and why.
    fn refused(&self, key: &str) -> impl Fn(String) -> ConfigError + '_ {
        let bad_value = self.bad_value(key);
        move |why| bad_value(ValueProblem::Refused(why))
    }

    /// A mistake of the entry as a whole, on its first line.
    fn invalid(&self, message: String) -> ConfigError {
        ConfigError::Invalid {
            path: self.file.path.to_path_buf(),
            line: self.line(""),
            feed: Some(self.label.clone()),
            message,
        }
    }
}

/// The entry as a table, and its label: by its name when it has one, so
/// that every message names the feed.
fn entry_table<'a>(
    value: toml::Value,
    index: usize,
    file: FileText<'a>,
) -> Result<(toml::Table, Entry<'a>), ConfigError> {
    let position = index + 1;
    let toml::Value::Table(table) = value else {
        return Err(ConfigError::Invalid {
            path: file.path.to_path_buf(),
            line: key_line(file.text, Some(index), ""),
            feed: None,
            message: format!("feeds entry #{position} is not a table; write it as [[feeds]]"),
        });
    };
    let label = match table.get("name").and_then(|v| v.as_str()) {
        Some(name) => FeedLabel::Named(name.to_string()),
        None => FeedLabel::Entry(position),
    };
    let entry = Entry { file, index, label };
    Ok((table, entry))
}

/// Every key is a feed's, the three a feed needs are there, and no list is
/// written as one string. Checked before serde reads the entry, whose own
/// message names neither the feed nor the fix.
fn check_feed_keys(table: &toml::Table, entry: &Entry<'_>) -> Result<(), ConfigError> {
    if let Some(key) = table.keys().find(|k| !FEED_KEYS.contains(&k.as_str())) {
        return Err(ConfigError::UnknownKey {
            path: entry.file.path.to_path_buf(),
            line: entry.line(key),
            table: KeyTable::Feed(entry.label.clone()),
            key: key.clone(),
        });
    }
    if let Some(key) = ["name", "url", "section"]
        .into_iter()
        .find(|key| !table.contains_key(*key))
    {
        return Err(ConfigError::MissingKey {
            path: entry.file.path.to_path_buf(),
            line: entry.line(""),
            feed: entry.label.clone(),
            key,
        });
    }
    for key in ["tags", "include", "exclude", "article_hosts"] {
        if let Some(toml::Value::String(text)) = table.get(key) {
            return Err(entry.bad_value(key)(ValueProblem::ListWrittenAsString(
                text.clone(),
            )));
        }
    }
    Ok(())
}

/// The feed's name, trimmed; never blank.
fn feed_name(written: &str, entry: &Entry<'_>) -> Result<String, ConfigError> {
    let name = written.trim();
    if name.is_empty() {
        return Err(entry.bad_value("name")(ValueProblem::Empty));
    }
    Ok(name.to_string())
}

/// The hosts besides the feed's own whose pages may be read: host names
/// only, lowercase, without a final dot.
fn article_hosts(written: &[String], entry: &Entry<'_>) -> Result<Vec<String>, ConfigError> {
    let hosts: Vec<String> = written
        .iter()
        .map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase())
        .collect();
    if hosts
        .iter()
        .any(|h| h.is_empty() || h.contains(['/', ':', ' ']))
    {
        return Err(entry.refused("article_hosts")(
            "give host names only, such as \"www.example.org\"".to_string(),
        ));
    }
    Ok(hosts)
}

/// The feed's output: its own `output = { … }` over the global `[output]`.
fn feed_output(
    own: Option<toml::Value>,
    global: &RawOutput,
    base_dir: &Path,
    entry: &Entry<'_>,
) -> Result<OutputSpec, ConfigError> {
    let placed = |problem: OutputProblem| {
        problem.placed(
            entry.file.path,
            entry.line("output"),
            Some(entry.label.clone()),
        )
    };
    let own = own
        .map(|value| raw_output(value, "output"))
        .transpose()
        .map_err(placed)?;
    resolve_output(global, own.as_ref(), base_dir).map_err(placed)
}

/// The names and sources of the feeds let in so far.
#[derive(Default)]
struct Roster {
    names: HashSet<String>,
    sources: HashSet<String>,
}

impl Roster {
    /// Lets `feed` in when no feed before it reads its source, and none has
    /// its name unless `options` let names be shared (then with a warning:
    /// `--feed` selects all of them).
    fn admit(
        &mut self,
        feed: &FeedConfig,
        path: &Path,
        options: LoadOptions,
    ) -> Result<(), ConfigError> {
        let duplicate = |of| ConfigError::Duplicate {
            path: path.to_path_buf(),
            name: feed.name.clone(),
            of,
        };
        if !self.sources.insert(feed.source.identity()) {
            return Err(duplicate(Duplicated::Source(Box::new(feed.source.clone()))));
        }
        if !self.names.insert(feed.name.clone()) {
            if !options.allow_duplicate_names {
                return Err(duplicate(Duplicated::Name));
            }
            tracing::warn!(feed = %feed.name, "several feeds share this name; --feed selects all of them");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{MINIMAL, parse, refused};
    use super::*;

    /// Whether `label` names the feed `name`.
    fn names(label: &Option<FeedLabel>, name: &str) -> bool {
        *label == Some(FeedLabel::Named(name.to_string()))
    }

    #[test]
    fn unknown_feed_key_names_feed_and_key() {
        let err = refused(&format!("{MINIMAL}\nsectoin = \"x\""));
        assert!(
            matches!(&err, ConfigError::UnknownKey { key, line: Some(7), table: KeyTable::Feed(FeedLabel::Named(name)), .. }
                if key == "sectoin" && name == "A"),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .starts_with("/site/feeds.toml: line 7: feed \"A\": unknown key `sectoin` (expected one of: name, url, section,"),
            "{err}"
        );
    }

    #[test]
    fn an_entry_without_a_name_is_named_by_its_place() {
        let err = refused("[[feeds]]\nurl = \"https://e.org/\"\nbogus = 1\n");
        assert!(
            matches!(&err, ConfigError::UnknownKey { key, line: Some(3), table: KeyTable::Feed(FeedLabel::Entry(1)), .. }
                if key == "bogus"),
            "{err:?}"
        );
        let err = refused("feeds = [1]\n");
        assert!(
            matches!(
                &err,
                ConfigError::Invalid {
                    line: Some(1),
                    feed: None,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "/site/feeds.toml: line 1: feeds entry #1 is not a table; write it as [[feeds]]"
        );
    }

    #[test]
    fn section_must_be_a_plain_segment() {
        for bad in ["../etc", "Papers", "a/b", "", ".hidden", "-x"] {
            let err = refused(&MINIMAL.replace("\"papers\"", &format!("{bad:?}")));
            assert!(
                matches!(&err, ConfigError::BadValue { key, feed, line: Some(5), problem: ValueProblem::Refused(_), .. }
                    if key == "section" && names(feed, "A")),
                "{bad}: {err:?}"
            );
            assert!(
                err.to_string().starts_with(&format!(
                    "/site/feeds.toml: line 5: feed \"A\": key `section`: `{bad}` must be a plain lowercase path segment"
                )),
                "{err}"
            );
        }
        for good in ["papers", "news-fr", "a_1", "2024"] {
            let text = MINIMAL.replace("\"papers\"", &format!("{good:?}"));
            assert_eq!(parse(&text).unwrap().feeds[0].section, good);
        }
    }

    #[test]
    fn missing_key_names_it() {
        let err = refused("[[feeds]]\nname = \"A\"\nurl = \"https://e.org/\"");
        assert!(
            matches!(&err, ConfigError::MissingKey { key: "section", line: Some(1), feed: FeedLabel::Named(name), .. }
                if name == "A"),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "/site/feeds.toml: line 1: feed \"A\": missing key `section`"
        );
    }

    #[test]
    fn wrong_type_names_the_feed() {
        let err =
            refused(&MINIMAL.replace("section = \"papers\"", "section = \"papers\"\ntags = \"x\""));
        assert!(
            matches!(&err, ConfigError::BadValue { key, feed, problem: ValueProblem::ListWrittenAsString(text), .. }
                if key == "tags" && names(feed, "A") && text == "x"),
            "{err:?}"
        );
        let err = refused(&format!("{MINIMAL}max_items = \"x\"\n"));
        assert!(
            matches!(&err, ConfigError::Invalid { feed, line: Some(2), .. } if names(feed, "A")),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "/site/feeds.toml: line 2: feed \"A\": invalid type: string \"x\", expected i64"
        );
        let err = refused(&MINIMAL.replace("name = \"A\"", "name = \"  \""));
        assert!(
            matches!(&err, ConfigError::BadValue { key, problem: ValueProblem::Empty, .. } if key == "name"),
            "{err:?}"
        );
    }

    #[test]
    fn editorial_controls_are_read_and_checked() {
        let text = format!(
            "{MINIMAL}include = [\"stent\"]\nexclude = [\"(?i)sponsored\"]\nmax_age = \"30d\"\narticle_images = false\narticle_hosts = [\"CDN.example.org\"]\n"
        );
        let feed = &parse(&text).unwrap().feeds[0];
        assert!(feed.include[0].is_match("New STENT trial"));
        assert!(feed.exclude[0].is_match("Sponsored content"));
        assert_eq!(feed.max_age, Some(Duration::from_secs(30 * 86400)));
        assert!(!feed.article_images);
        assert_eq!(feed.article_hosts, ["cdn.example.org"]);
        assert!(parse(MINIMAL).unwrap().feeds[0].article_images);

        // (the feed's line, the key, the start of the message after the key)
        for (line, key, expected) in [
            (
                "include = [\"(unclosed\"]",
                "include",
                ": `(unclosed` is not a valid regular expression",
            ),
            (
                "max_age = \"soon\"",
                "max_age",
                ": `soon` is not a duration",
            ),
            (
                "article_hosts = [\"https://x.org/\"]",
                "article_hosts",
                ": give host names only, such as \"www.example.org\"",
            ),
        ] {
            let err = refused(&format!("{MINIMAL}{line}\n"));
            assert!(
                matches!(&err, ConfigError::BadValue { key: k, feed, line: Some(6), problem: ValueProblem::Refused(_), .. }
                    if k == key && names(feed, "A")),
                "{line}: {err:?}"
            );
            let prefix = format!("/site/feeds.toml: line 6: feed \"A\": key `{key}`{expected}");
            assert!(err.to_string().starts_with(&prefix), "{err}");
        }
    }

    #[test]
    fn max_items_and_update_are_global_with_per_feed_overrides() {
        let config = parse(&format!(
            "max_items = 20\nupdate = \"untouched\"\n{MINIMAL}\n[[feeds]]\nname = \"B\"\nurl = \"https://b.example.org/feed\"\nsection = \"news\"\nmax_items = 5\nupdate = \"never\"\n"
        ))
        .unwrap();
        assert_eq!(config.feeds[0].max_items, Some(20));
        assert_eq!(config.feeds[0].update, UpdatePolicy::Untouched);
        assert_eq!(config.feeds[1].max_items, Some(5));
        assert_eq!(config.feeds[1].update, UpdatePolicy::Never);
        let config = parse(MINIMAL).unwrap();
        assert_eq!(config.feeds[0].max_items, None);
        assert_eq!(config.feeds[0].update, UpdatePolicy::Never);
        // (the text, the key, in feed "A" or at the top level, the message)
        for (text, key, in_feed, expected) in [
            (
                format!("max_items = 0\n{MINIMAL}"),
                "max_items",
                false,
                "/site/feeds.toml: key `max_items`: 0 is out of range: give a number from 1 to 10000",
            ),
            (
                format!("{MINIMAL}max_items = 10001\n"),
                "max_items",
                true,
                "/site/feeds.toml: line 6: feed \"A\": key `max_items`: 10001 is out of range: give a number from 1 to 10000",
            ),
            (
                format!("{MINIMAL}max_items = -1\n"),
                "max_items",
                true,
                "/site/feeds.toml: line 6: feed \"A\": key `max_items`: -1 is out of range: give a number from 1 to 10000",
            ),
            (
                format!("update = \"always\"\n{MINIMAL}"),
                "update",
                false,
                "/site/feeds.toml: key `update`: `always` is not one of \"never\" (the default) or \"untouched\"",
            ),
            (
                format!("{MINIMAL}update = \"sometimes\"\n"),
                "update",
                true,
                "/site/feeds.toml: line 6: feed \"A\": key `update`: `sometimes` is not one of \"never\" (the default) or \"untouched\"",
            ),
        ] {
            let err = refused(&text);
            assert!(
                matches!(&err, ConfigError::BadValue { key: k, feed, problem: ValueProblem::Refused(_), .. }
                    if k == key && feed.is_some() == in_feed),
                "{text}: {err:?}"
            );
            assert_eq!(err.to_string(), expected);
        }
        let config = parse(&format!("{MINIMAL}max_items = 10000\n")).unwrap();
        assert_eq!(config.feeds[0].max_items, Some(10_000));
    }
}
