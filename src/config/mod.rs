//! `feeds.toml`: read, validate, resolve paths relative to the file's folder.
//!
//! In: the path of a TOML file (or its text). Out: a [`Config`] whose paths
//! are absolute and whose every feed is checked. [`Config::parse_checked`]
//! is the recipe; its steps live in `top_level` (the keys above the first
//! `[[feeds]]`), `feed` (each `[[feeds]]` entry, and duplicates),
//! `output_table`, `source` (a feed's `url`) and `values` (bounds); what
//! they build is in `model`, which no step imports back from here. Fails
//! with [`ConfigError`] (in `error`): the file cannot be read or is not
//! TOML (line and column), or a typed validation error (an unknown or
//! missing key, a bad value, a duplicate feed, no feed) whose message
//! names the file, the line, the feed and the key to fix.

use std::path::{Path, PathBuf};

pub(crate) mod edit;
mod error;
mod feed;
mod keys;
mod model;
pub(crate) mod opml;
pub(crate) mod output;
mod output_table;
mod source;
mod top_level;
mod values;

pub(crate) use error::{ConfigError, FeedChoiceError};
pub(crate) use source::{address_without_scheme, web_url};
pub(crate) use top_level::metrics_file_problem;
pub(crate) use values::{CONCURRENCY_BOUNDS, PER_HOST_BOUNDS, check_tags, is_plain_segment};

pub(crate) use model::{
    Config, FeedConfig, FeedSource, Feeds, FetchSettings, LoadOptions, UpdatePolicy,
};

use feed::FeedDefaults;
use keys::FileText;

impl Config {
    /// Reads and validates the file at `path`, as `options` say.
    pub(crate) fn load_with(path: &Path, options: LoadOptions) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::from_text(&text, path, options, Feeds::AtLeastOne)
    }

    /// Parses `text` as if read from `path`, with relative paths resolved
    /// against `base_dir` (for tests: a run reads the file with
    /// [`Config::load_with`]).
    #[cfg(test)]
    pub(crate) fn parse(text: &str, path: &Path, base_dir: &Path) -> Result<Config, ConfigError> {
        Config::parse_checked(
            text,
            path,
            base_dir,
            LoadOptions::default(),
            Feeds::AtLeastOne,
        )
    }

    /// Reads `text` as the file at `path` would be read, with the same
    /// validation; `feeds: Feeds::MayBeNone` accepts a file that lists no
    /// feed yet (what `add` and `opml import` start from).
    pub(crate) fn from_text(
        text: &str,
        path: &Path,
        options: LoadOptions,
        feeds: Feeds,
    ) -> Result<Config, ConfigError> {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let base_dir = absolute
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Config::parse_checked(text, &absolute, &base_dir, options, feeds)
    }

    /// The recipe: the file as TOML, its top-level keys checked, the site,
    /// fetch and schedule settings read, what feeds inherit resolved, then
    /// each feed read and checked against those before it.
    fn parse_checked(
        text: &str,
        path: &Path,
        base_dir: &Path,
        options: LoadOptions,
        required: Feeds,
    ) -> Result<Config, ConfigError> {
        let file = FileText { path, text };
        let table = top_level::read_toml(file)?;
        top_level::check_top_level_keys(&table, file)?;
        let raw = top_level::typed(table, file)?;
        let timezone = top_level::read_timezone(&raw.timezone, file)?;
        top_level::check_site_keys(&raw, file)?;
        let concurrency = top_level::read_concurrency(&raw, file)?;
        let fetch = top_level::read_fetch_settings(&raw, file)?;
        let interval = top_level::read_default_interval(&raw, file)?;
        let alert_after_failures = top_level::read_alert_after_failures(&raw, file)?;
        let (max_items, update) = top_level::read_import_defaults(&raw, file)?;
        top_level::check_feeds_listed(&raw, required, path)?;
        let output = top_level::read_global_output(raw.output, base_dir, path)?;
        let defaults = FeedDefaults {
            interval,
            output,
            max_items,
            update,
        };
        let feeds = feed::read_feeds(raw.feeds, &defaults, base_dir, file, options)?;
        Ok(Config {
            path: path.to_path_buf(),
            base_dir: base_dir.to_path_buf(),
            content_dir: base_dir.join(&raw.content_dir),
            state_dir: base_dir.join(&raw.state_dir),
            metrics_file: raw.metrics_file.map(|file| base_dir.join(file)),
            timezone,
            tags: raw.tags,
            concurrency,
            fetch,
            alert_after_failures,
            feeds,
        })
    }

    /// Finds the feeds named in `names`, in config order; an unknown name is
    /// an error naming it.
    pub(crate) fn select_feeds(
        &self,
        names: &[String],
    ) -> Result<Vec<FeedConfig>, FeedChoiceError> {
        if names.is_empty() {
            return Ok(self.feeds.clone());
        }
        if let Some(unknown) = names
            .iter()
            .find(|n| !self.feeds.iter().any(|f| &f.name == *n))
        {
            return Err(FeedChoiceError::Unknown {
                path: self.path.clone(),
                name: unknown.clone(),
                known: self.feeds.iter().map(|f| f.name.clone()).collect(),
            });
        }
        Ok(self
            .feeds
            .iter()
            .filter(|f| names.contains(&f.name))
            .cloned()
            .collect())
    }

    /// The folder a section's article files go to.
    pub(crate) fn section_dir(&self, section: &str) -> PathBuf {
        self.content_dir.join(section)
    }
}

#[cfg(test)]
mod testing {
    //! What the tests of every reading step share: a minimal file, read as
    //! `/site/feeds.toml`.

    use std::path::Path;

    use super::{Config, ConfigError};

    pub(super) const MINIMAL: &str = r#"
        [[feeds]]
        name = "A"
        url = "https://example.org/feed/"
        section = "papers"
    "#;

    pub(super) fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/site/feeds.toml"), Path::new("/site"))
    }

    /// The error reading `text` fails with.
    pub(super) fn refused(text: &str) -> ConfigError {
        match parse(text) {
            Ok(_) => panic!("read without an error:\n{text}"),
            Err(error) => error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::error::{Duplicated, read_advice};
    use super::model::DEFAULT_CONCURRENCY;
    use super::testing::{MINIMAL, parse, refused};
    use super::*;

    /// A feed's own output keys over `[output]`'s, key by key; `preset` and
    /// `template` are one choice, either way round.
    #[test]
    fn a_feeds_output_overrides_the_global_one_key_by_key() {
        use super::output::{Preset, TemplateSource};
        let text = r#"
            [output]
            template = "t.md"
            locale = "de"
            path = "{{ section }}/{{ slug }}.md"

            [[feeds]]
            name = "Preset"
            url = "https://example.org/a/"
            section = "papers"
            output = { preset = "hugo" }

            [[feeds]]
            name = "Path"
            url = "https://example.org/b/"
            section = "papers"
            output = { path = "x/{{ slug }}.md", locale = "en" }
        "#;
        let config = parse(text).unwrap();
        let (preset, path) = (&config.feeds[0].output, &config.feeds[1].output);
        // The feed's preset drops the template it would inherit, keeps the
        // rest; the preset's own permalink, since none is set.
        assert_eq!(preset.source, TemplateSource::Preset(Preset::Hugo));
        assert_eq!(preset.path, "{{ section }}/{{ slug }}.md");
        assert_eq!(preset.permalink, Preset::Hugo.default_permalink());
        assert_eq!(preset.locale.tag(), "de");
        // A feed that sets neither keeps the global template.
        assert_eq!(
            path.source,
            TemplateSource::File(std::path::PathBuf::from("/site/t.md"))
        );
        assert_eq!(path.path, "x/{{ slug }}.md");
        assert_eq!(path.locale.tag(), "en");
        // The other way round: a feed's template drops a global preset.
        let config = parse(
            &text
                .replace("template = \"t.md\"", "preset = \"jekyll\"")
                .replace(
                    "output = { preset = \"hugo\" }",
                    "output = { template = \"own.md\" }",
                ),
        )
        .unwrap();
        assert_eq!(
            config.feeds[0].output.source,
            TemplateSource::File(std::path::PathBuf::from("/site/own.md"))
        );
        assert_eq!(
            config.feeds[1].output.source,
            TemplateSource::Preset(Preset::Jekyll)
        );
    }

    #[test]
    fn committed_feeds_toml_is_valid() {
        let text = include_str!("../../feeds.toml");
        let config = parse(text).unwrap();
        assert_eq!(config.feeds[0].name, "Interventional News — Latest");
        assert_eq!(config.tags, ["France", "Actualité"]);
        assert_eq!(config.content_dir, Path::new("/site/content"));
        assert_eq!(config.state_dir, Path::new("/site/.feedimport"));
    }

    #[test]
    fn defaults_apply() {
        let config = parse(MINIMAL).unwrap();
        assert_eq!(config.timezone, chrono_tz::Europe::Paris);
        assert_eq!(config.concurrency, DEFAULT_CONCURRENCY);
        assert!(config.tags.is_empty());
    }

    #[test]
    fn a_file_without_feeds_is_refused_unless_feeds_may_be_none() {
        let text = "tags = [\"x\"]\n";
        let err = refused(text);
        assert!(matches!(err, ConfigError::NoFeeds { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "/site/feeds.toml: no feeds: add at least one [[feeds]] entry with name, url and section"
        );
        let config = Config::from_text(
            text,
            Path::new("/site/feeds.toml"),
            LoadOptions::default(),
            Feeds::MayBeNone,
        )
        .unwrap();
        assert!(config.feeds.is_empty());
    }

    #[test]
    fn duplicate_feed_name_is_an_error() {
        let other = MINIMAL.replace("example.org/feed/", "example.org/other/");
        let err = refused(&format!("{MINIMAL}{other}"));
        assert!(
            matches!(&err, ConfigError::Duplicate { name, of: Duplicated::Name, .. } if name == "A"),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "/site/feeds.toml: feed \"A\": key `name`: another feed already has this name; names must be unique (or run with --allow-duplicate-names)"
        );
    }

    #[test]
    fn duplicate_names_may_be_allowed_but_never_duplicate_urls() {
        let allowed = LoadOptions {
            allow_duplicate_names: true,
        };
        let path = Path::new("/site/feeds.toml");
        let two = format!(
            "{MINIMAL}{}",
            MINIMAL.replace("example.org/feed/", "example.org/other/")
        );
        let config = Config::from_text(&two, path, allowed, Feeds::AtLeastOne).unwrap();
        assert_eq!(config.select_feeds(&["A".into()]).unwrap().len(), 2);
        let same_url = format!("{MINIMAL}{}", MINIMAL.replace("\"A\"", "\"B\""));
        for options in [allowed, LoadOptions::default()] {
            let err = Config::from_text(&same_url, path, options, Feeds::AtLeastOne).unwrap_err();
            assert!(
                matches!(&err, ConfigError::Duplicate { name, of: Duplicated::Source(source), .. }
                    if name == "B" && source.to_string() == "https://example.org/feed/"),
                "{err:?}"
            );
            assert_eq!(
                err.to_string(),
                "/site/feeds.toml: feed \"B\": key `url`: another feed already reads https://example.org/feed/; list each feed once"
            );
        }
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let err = refused("tags = [\"a\"\n[[feeds]]");
        assert!(matches!(err, ConfigError::Syntax { .. }), "{err:?}");
        let err = err.to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("column"), "{err}");
    }

    #[test]
    fn a_missing_config_file_says_where_it_was_looked_for() {
        let err = Config::load_with(Path::new("/nonexistent/feeds.toml"), LoadOptions::default())
            .unwrap_err();
        assert!(matches!(err, ConfigError::Read { .. }), "{err:?}");
        let message = crate::util::error_chain(&err);
        assert!(
            message.contains("--config") && message.contains("FEEDIMPORT_CONFIG"),
            "{message}"
        );
        assert!(message.contains("check its path"), "{message}");
        // The default file: where it is looked for.
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        for default in ["feeds.toml", "./feeds.toml"] {
            let advice = read_advice(Path::new(default), &missing);
            assert!(
                advice.contains("./feeds.toml in the current folder"),
                "{advice}"
            );
        }
    }

    #[test]
    fn a_file_that_is_not_toml_keeps_the_parsers_error() {
        let err = Config::parse(
            "[[feeds]\nname = 1",
            Path::new("/site/feeds.toml"),
            Path::new("/site"),
        )
        .unwrap_err();
        let ConfigError::Syntax { path, source } = &err else {
            panic!("not a syntax error: {err:?}");
        };
        assert_eq!(path, Path::new("/site/feeds.toml"));
        assert_eq!(source.span().map(|s| s.start), Some(8));
        assert!(err.to_string().starts_with("/site/feeds.toml: "), "{err}");
        assert!(err.to_string().contains("line 1, column 9"), "{err}");
    }

    #[test]
    fn select_feeds_rejects_unknown_names() {
        let config = parse(MINIMAL).unwrap();
        assert_eq!(config.select_feeds(&["A".into()]).unwrap().len(), 1);
        let err = config.select_feeds(&["B".into()]).unwrap_err();
        assert!(
            matches!(&err, FeedChoiceError::Unknown { name, known, .. } if name == "B" && known == &["A"]),
            "{err:?}"
        );
        assert!(err.to_string().contains("no feed named \"B\""), "{err}");
    }
}
