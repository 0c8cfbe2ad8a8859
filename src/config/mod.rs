//! `feeds.toml`: read, validate, resolve paths relative to the file's folder.
//!
//! In: the path of a TOML file. Out: a [`Config`] whose paths are absolute and
//! whose every feed is checked. Fails with [`ConfigError`], whose message names
//! the file, the feed and the key to fix (TOML syntax errors carry line and
//! column).

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono_tz::Tz;
use url::Url;

pub(crate) mod edit;
mod error;
mod feed;
mod keys;
pub(crate) mod opml;
pub(crate) mod output;
mod output_table;
mod source;
mod top_level;
mod values;

pub(crate) use error::{ConfigError, FeedChoiceError};
pub(crate) use source::address_without_scheme;
pub(crate) use values::{CONCURRENCY_BOUNDS, PER_HOST_BOUNDS, check_tags, is_plain_segment};

use error::ValueProblem;
use feed::FeedDefaults;
use output::OutputSpec;

/// Default number of feeds fetched at the same time.
pub(crate) const DEFAULT_CONCURRENCY: usize = 8;

/// A validated configuration.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// The file this configuration was read from.
    pub(crate) path: PathBuf,
    /// The folder paths in the file are relative to.
    pub(crate) base_dir: PathBuf,
    /// Where article files go: `<content_dir>/<section>/`.
    pub(crate) content_dir: PathBuf,
    /// Where the import state lives.
    pub(crate) state_dir: PathBuf,
    /// Where each run writes its metrics (Prometheus text format), if set.
    pub(crate) metrics_file: Option<PathBuf>,
    /// Time zone of `publishedDate` and of the permalink's date.
    pub(crate) timezone: Tz,
    /// Tags every article gets first.
    pub(crate) tags: Vec<String>,
    /// How many feeds are fetched at once.
    pub(crate) concurrency: usize,
    /// Network limits shared by feed and article-page fetches.
    pub(crate) fetch: FetchSettings,
    /// A feed failing this many runs in a row is flagged in `status` and in
    /// the run's exit code.
    pub(crate) alert_after_failures: u32,
    pub(crate) feeds: Vec<FeedConfig>,
}

/// Limits of the HTTP client, from `feeds.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FetchSettings {
    /// Requests at the same time to one host.
    pub(crate) per_host: usize,
    /// Largest body accepted, after decompression.
    pub(crate) max_body_bytes: u64,
    pub(crate) max_redirects: usize,
    /// Total time for one request, body included.
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    /// Extra attempts after a transient failure, within one run.
    pub(crate) retries: u32,
}

impl Default for FetchSettings {
    fn default() -> Self {
        FetchSettings {
            per_host: 2,
            max_body_bytes: 15 * 1024 * 1024,
            max_redirects: 10,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            retries: 2,
        }
    }
}

/// How often a feed is fetched unless it asks for less.
pub(crate) const DEFAULT_INTERVAL: Duration = Duration::from_secs(3600);
const DEFAULT_ALERT_AFTER_FAILURES: u32 = 5;

/// One `[[feeds]]` entry.
#[derive(Debug, Clone)]
pub(crate) struct FeedConfig {
    pub(crate) name: String,
    pub(crate) source: FeedSource,
    pub(crate) section: String,
    pub(crate) tags: Vec<String>,
    /// Fetch a new item's page for its preview image when the feed has none.
    pub(crate) article_images: bool,
    /// Hosts besides the feed's own whose article pages may be fetched.
    pub(crate) article_hosts: Vec<String>,
    /// Import only items whose title, summary or categories match one of these.
    pub(crate) include: Vec<regex::Regex>,
    /// Never import items whose title, summary or categories match one of these.
    pub(crate) exclude: Vec<regex::Regex>,
    /// Items older than this are not imported (off when unset).
    pub(crate) max_age: Option<Duration>,
    /// Fetched at most this often (the feed may ask for less).
    pub(crate) interval: Duration,
    /// The format of its article files.
    pub(crate) output: OutputSpec,
    /// At most this many items imported per run, newest first (no cap
    /// when unset).
    pub(crate) max_items: Option<usize>,
    /// Whether an article changed at its source is written again.
    pub(crate) update: UpdatePolicy,
}

/// What becomes of an imported article whose item changes at its source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum UpdatePolicy {
    /// The file keeps its first version.
    #[default]
    Never,
    /// The file is written again, in place, while it is byte for byte
    /// what feedimport wrote; a file an editor touched is left alone.
    Untouched,
}

impl UpdatePolicy {
    /// The policy `update` names (`default` when it is not given).
    fn parse(key_value: Option<&str>, default: UpdatePolicy) -> Result<UpdatePolicy, ValueProblem> {
        match key_value.map(str::trim) {
            None => Ok(default),
            Some("never") => Ok(UpdatePolicy::Never),
            Some("untouched") => Ok(UpdatePolicy::Untouched),
            Some(other) => Err(ValueProblem::Refused(format!(
                "`{other}` is not one of \"never\" (the default) or \"untouched\""
            ))),
        }
    }
}

/// Where a feed's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FeedSource {
    Http(Url),
    /// A saved feed on disk (a path, or a `file://` URL), absolute.
    File(PathBuf),
}

impl fmt::Display for FeedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FeedSource::Http(url) => write!(f, "{url}"),
            FeedSource::File(path) => write!(f, "{}", path.display()),
        }
    }
}

impl FeedSource {
    /// A stable text form, used to tell feeds apart in the state.
    pub(crate) fn identity(&self) -> String {
        match self {
            FeedSource::Http(url) => url.to_string(),
            FeedSource::File(path) => Url::from_file_path(path)
                .map(|u| u.to_string())
                .unwrap_or_else(|_| path.display().to_string()),
        }
    }
}

/// Whether a config must list a feed: a run and `check` need one; the
/// commands that add feeds start from a file that may list none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Feeds {
    AtLeastOne,
    MayBeNone,
}

/// How strict reading the config is.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LoadOptions {
    /// Let several feeds share a name (a label on their articles): feeds are
    /// told apart by URL, and `--feed NAME` selects all of them.
    pub(crate) allow_duplicate_names: bool,
}

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

/// The file being read: its path, for messages, and its text, to find
/// the line of a key.
#[derive(Clone, Copy)]
struct FileText<'a> {
    path: &'a Path,
    text: &'a str,
}

#[cfg(test)]
mod tests {
    use super::error::read_advice;
    use super::values::{HOUR, YEAR};
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("/site/feeds.toml"), Path::new("/site"))
            .map_err(|e| e.to_string())
    }

    const MINIMAL: &str = r#"
        [[feeds]]
        name = "A"
        url = "https://example.org/feed/"
        section = "papers"
    "#;

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
    fn the_metrics_file_is_relative_to_the_config_and_names_a_file() {
        assert_eq!(parse(MINIMAL).unwrap().metrics_file, None);
        let with = |value: &str| parse(&format!("metrics_file = {value:?}\n{MINIMAL}"));
        assert_eq!(
            with("metrics/feedimport.prom")
                .unwrap()
                .metrics_file
                .unwrap(),
            Path::new("/site/metrics/feedimport.prom")
        );
        assert_eq!(
            with("/var/lib/textfile/f.prom")
                .unwrap()
                .metrics_file
                .unwrap(),
            Path::new("/var/lib/textfile/f.prom")
        );
        for bad in ["", "metrics/..", "/"] {
            let err = with(bad).unwrap_err();
            assert!(
                err.contains("feeds.toml") && err.contains("key `metrics_file`"),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn defaults_apply() {
        let config = parse(MINIMAL).unwrap();
        assert_eq!(config.timezone, chrono_tz::Europe::Paris);
        assert_eq!(config.concurrency, DEFAULT_CONCURRENCY);
        assert!(config.tags.is_empty());
    }

    #[test]
    fn unknown_feed_key_names_feed_and_key() {
        let err = parse(&format!("{MINIMAL}\nsectoin = \"x\"")).unwrap_err();
        assert!(err.contains("feed \"A\""), "{err}");
        assert!(err.contains("`sectoin`"), "{err}");
    }

    #[test]
    fn unknown_top_level_key_is_named() {
        let err = parse(&format!("timezon = \"UTC\"\n{MINIMAL}")).unwrap_err();
        assert!(err.contains("`timezon`"), "{err}");
    }

    #[test]
    fn bad_timezone_is_named() {
        let err = parse(&format!("timezone = \"Europe/Pariss\"\n{MINIMAL}")).unwrap_err();
        assert!(
            err.contains("timezone") && err.contains("Europe/Pariss"),
            "{err}"
        );
    }

    #[test]
    fn duplicate_feed_name_is_an_error() {
        let other = MINIMAL.replace("example.org/feed/", "example.org/other/");
        let err = parse(&format!("{MINIMAL}{other}")).unwrap_err();
        assert!(
            err.contains("feed \"A\"") && err.contains("unique"),
            "{err}"
        );
    }

    #[test]
    fn duplicate_names_may_be_allowed_but_never_duplicate_urls() {
        let two = format!(
            "{MINIMAL}{}",
            MINIMAL.replace("example.org/feed/", "example.org/other/")
        );
        let config = Config::from_text(
            &two,
            Path::new("/site/feeds.toml"),
            LoadOptions {
                allow_duplicate_names: true,
            },
            Feeds::AtLeastOne,
        )
        .unwrap();
        assert_eq!(config.select_feeds(&["A".into()]).unwrap().len(), 2);
        let err = Config::from_text(
            &format!("{MINIMAL}{MINIMAL}"),
            Path::new("/site/feeds.toml"),
            LoadOptions {
                allow_duplicate_names: true,
            },
            Feeds::AtLeastOne,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("key `url`") && err.contains("list each feed once"),
            "{err}"
        );
    }

    #[test]
    fn section_must_be_a_plain_segment() {
        for bad in ["../etc", "Papers", "a/b", "", ".hidden", "-x"] {
            let text = MINIMAL.replace("\"papers\"", &format!("{bad:?}"));
            let err = parse(&text).unwrap_err();
            assert!(
                err.contains("`section`") && err.contains("feed \"A\""),
                "{bad}: {err}"
            );
        }
        for good in ["papers", "news-fr", "a_1", "2024"] {
            let text = MINIMAL.replace("\"papers\"", &format!("{good:?}"));
            assert!(parse(&text).is_ok(), "{good}");
        }
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let err = parse("tags = [\"a\"\n[[feeds]]").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("column"), "{err}");
    }

    #[test]
    fn missing_key_names_it() {
        let err = parse("[[feeds]]\nname = \"A\"\nurl = \"https://e.org/\"").unwrap_err();
        assert!(err.contains("feed \"A\": missing key `section`"), "{err}");
    }

    #[test]
    fn wrong_type_names_the_feed() {
        let err =
            parse(&MINIMAL.replace("section = \"papers\"", "section = \"papers\"\ntags = \"x\""))
                .unwrap_err();
        assert!(err.contains("feed \"A\""), "{err}");
    }

    #[test]
    fn url_may_be_a_local_path_or_file_url() {
        let config =
            parse(&MINIMAL.replace("https://example.org/feed/", "saved/feed.xml")).unwrap();
        assert_eq!(
            config.feeds[0].source,
            FeedSource::File(PathBuf::from("/site/saved/feed.xml"))
        );
        let config =
            parse(&MINIMAL.replace("https://example.org/feed/", "file:///tmp/f.xml")).unwrap();
        assert_eq!(
            config.feeds[0].source,
            FeedSource::File(PathBuf::from("/tmp/f.xml"))
        );
        let err =
            parse(&MINIMAL.replace("https://example.org/feed/", "ftp://e.org/f")).unwrap_err();
        assert!(err.contains("`url`") && err.contains("ftp"), "{err}");
    }

    #[test]
    fn addresses_written_without_a_scheme_are_refused_with_the_url_meant() {
        let cases = [
            ("127.0.0.1:8765/feed.xml", "http://127.0.0.1:8765/feed.xml"),
            ("127.0.0.1/feed.xml", "http://127.0.0.1/feed.xml"),
            ("localhost:8080/feed", "http://localhost:8080/feed"),
            ("localhost/feed", "http://localhost/feed"),
            ("example.org/feed", "https://example.org/feed"),
            (
                "www.example.co.uk/rss?x=1",
                "https://www.example.co.uk/rss?x=1",
            ),
            (
                "news.example.org:8443/feed/",
                "http://news.example.org:8443/feed/",
            ),
            ("//example.org/feed", "https://example.org/feed"),
            ("//example.org", "https://example.org"),
            ("//127.0.0.1:9/f", "http://127.0.0.1:9/f"),
            ("[::1]:8765/feed.xml", "http://[::1]:8765/feed.xml"),
        ];
        for (written, meant) in cases {
            let err = parse(&MINIMAL.replace("https://example.org/feed/", written)).unwrap_err();
            assert!(
                err.contains("feed \"A\": key `url`")
                    && err.contains(&format!("did you mean {meant}?"))
                    && err.contains("line 4"),
                "{written}: {err}"
            );
        }
        // Paths stay paths.
        for path in [
            "feeds/x.xml",
            "./x.xml",
            "x.xml",
            "feed.rss",
            "../saved/feed.atom",
            "/srv/feeds/x.xml",
            "saved.d/feed.xml",
            "backup.xml/feed",
            "C:/feeds/x.xml",
        ] {
            let config = parse(&MINIMAL.replace("https://example.org/feed/", path))
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            assert!(
                matches!(config.feeds[0].source, FeedSource::File(_)),
                "{path}"
            );
        }
    }

    #[test]
    fn a_file_that_is_there_is_read_even_when_its_name_looks_like_an_address() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("example.org")).unwrap();
        std::fs::write(dir.path().join("example.org/feed"), "<rss/>").unwrap();
        let config = Config::parse(
            &MINIMAL.replace("https://example.org/feed/", "example.org/feed"),
            &dir.path().join("feeds.toml"),
            dir.path(),
        )
        .unwrap();
        assert_eq!(
            config.feeds[0].source,
            FeedSource::File(dir.path().join("example.org/feed"))
        );
    }

    #[test]
    fn shape_mistakes_get_a_line_and_the_fix() {
        // (text, the line, what the message must say)
        let feed = "name = \"A\"\nurl = \"https://e.org/f\"\nsection = \"news\"\n";
        let cases: Vec<(String, usize, &str)> = vec![
            (
                format!("tags = [\"x\"]\n\n[feed]\n{feed}"),
                3,
                "write each feed as [[feeds]]",
            ),
            (
                format!("tags = [\"x\"]\n[[feed]]\n{feed}"),
                2,
                "write each feed as [[feeds]]",
            ),
            (format!("[feeds]\n{feed}"), 1, "not [feeds]"),
            (
                format!("timezone = \"UTC\"\ntags = \"France\"\n[[feeds]]\n{feed}"),
                2,
                "key `tags` is a list: write tags = [\"France\"], not tags = \"France\"",
            ),
            (
                format!("[[feeds]]\n{feed}tags = \"Radiologie\"\n"),
                5,
                "feed \"A\": key `tags` is a list: write tags = [\"Radiologie\"]",
            ),
            (
                format!("[[feeds]]\n{feed}include = \"stent\"\n"),
                5,
                "feed \"A\": key `include` is a list: write include = [\"stent\"]",
            ),
            (
                format!("[[feeds]]\n{feed}exclude = \"^ad\"\n"),
                5,
                "key `exclude` is a list",
            ),
            (
                format!("[[feeds]]\n{feed}\ntimeout = \"30s\"\n"),
                6,
                "feed \"A\": `timeout` is a top-level key, not a feed's: move it above the first [[feeds]] line",
            ),
            (
                format!("section = \"news\"\n[[feeds]]\n{feed}"),
                1,
                "`section` is a feed's key, not a top-level one: put it below the [[feeds]] line",
            ),
            (
                format!(
                    "[[feeds]]\n{feed}\n[[feeds]]\nname = \"B\"\nurl = \"https://e.org/b\"\nsectoin = \"b\"\n"
                ),
                9,
                "feed \"B\": unknown key `sectoin`",
            ),
            (
                format!("[[feeds]]\n{feed}\n[[feeds]]\nname = \"B\"\nurl = \"https://e.org/b\"\n"),
                6,
                "feed \"B\": missing key `section`",
            ),
        ];
        for (text, line, expected) in cases {
            let err = parse(&text).unwrap_err();
            assert!(
                err.starts_with(&format!("/site/feeds.toml: line {line}: "))
                    && err.contains(expected),
                "{text}\n=> {err}"
            );
        }
    }

    #[test]
    fn a_missing_config_file_says_where_it_was_looked_for() {
        let err = Config::load_with(Path::new("/nonexistent/feeds.toml"), LoadOptions::default())
            .unwrap_err();
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
    fn editorial_controls_are_read_and_checked() {
        let text = format!(
            "{MINIMAL}include = [\"stent\"]\nexclude = [\"(?i)sponsored\"]\nmax_age = \"30d\"\narticle_images = false\narticle_hosts = [\"CDN.example.org\"]\n"
        );
        let feed = &parse(&text).unwrap().feeds[0];
        assert!(feed.include[0].is_match("New STENT trial"));
        assert!(feed.exclude[0].is_match("Sponsored content"));
        assert_eq!(
            feed.max_age,
            Some(std::time::Duration::from_secs(30 * 86400))
        );
        assert!(!feed.article_images);
        assert_eq!(feed.article_hosts, ["cdn.example.org"]);

        let err = parse(&format!("{MINIMAL}include = [\"(unclosed\"]\n")).unwrap_err();
        assert!(
            err.contains("feed \"A\": key `include`") && err.contains("(unclosed"),
            "{err}"
        );
        let err = parse(&format!("{MINIMAL}max_age = \"soon\"\n")).unwrap_err();
        assert!(err.contains("feed \"A\": key `max_age`"), "{err}");
        let err = parse(&format!("{MINIMAL}article_hosts = [\"https://x.org/\"]\n")).unwrap_err();
        assert!(err.contains("`article_hosts`"), "{err}");
        assert!(parse(MINIMAL).unwrap().feeds[0].article_images);
    }

    #[test]
    fn network_and_schedule_settings() {
        let config = parse(MINIMAL).unwrap();
        assert_eq!(config.fetch, FetchSettings::default());
        assert_eq!(config.feeds[0].interval, DEFAULT_INTERVAL);
        let text = format!(
            "interval = \"30m\"\nper_host = 4\nmax_body_mib = 2\nmax_redirects = 3\ntimeout = \"20s\"\nconnect_timeout = \"2s\"\nretries = 0\nalert_after_failures = 2\n{MINIMAL}\n[[feeds]]\nname = \"B\"\nurl = \"https://e.org/b\"\nsection = \"b\"\ninterval = \"6h\"\n"
        );
        let config = parse(&text).unwrap();
        assert_eq!(config.fetch.per_host, 4);
        assert_eq!(config.fetch.max_body_bytes, 2 * 1024 * 1024);
        assert_eq!(config.fetch.max_redirects, 3);
        assert_eq!(config.fetch.timeout, Duration::from_secs(20));
        assert_eq!(config.fetch.connect_timeout, Duration::from_secs(2));
        assert_eq!(config.fetch.retries, 0);
        assert_eq!(config.alert_after_failures, 2);
        assert_eq!(config.feeds[0].interval, Duration::from_secs(1800));
        assert_eq!(config.feeds[1].interval, Duration::from_secs(6 * 3600));
        let err = parse(&format!("per_host = 0\n{MINIMAL}")).unwrap_err();
        assert!(err.contains("`per_host`"), "{err}");
        let err = parse(&format!("interval = \"often\"\n{MINIMAL}")).unwrap_err();
        assert!(err.contains("`interval`") && err.contains("often"), "{err}");
    }

    #[test]
    fn values_out_of_bounds_are_refused_naming_the_key() {
        // (global line, feed line, what the message must say)
        let cases: &[(&str, &str, &str)] = &[
            (
                "interval = \"100000000d\"",
                "",
                "key `interval`: `100000000d` is too long: give at most 1y",
            ),
            ("interval = \"300000y\"", "", "key `interval`"),
            ("interval = \"18446744073709551615s\"", "", "key `interval`"),
            ("interval = \"366d\"", "", "key `interval`"),
            (
                "",
                "interval = \"2y\"",
                "feed \"A\": key `interval`: `2y` is too long",
            ),
            (
                "",
                "max_age = \"0s\"",
                "feed \"A\": key `max_age`: `0s` is too short: give at least 1s",
            ),
            ("", "max_age = \"300000y\"", "feed \"A\": key `max_age`"),
            ("timeout = \"0s\"", "", "key `timeout`: `0s` is too short"),
            (
                "timeout = \"2h\"",
                "",
                "key `timeout`: `2h` is too long: give at most 1h",
            ),
            ("connect_timeout = \"0ms\"", "", "key `connect_timeout`"),
            (
                "connect_timeout = \"18446744073709551615s\"",
                "",
                "key `connect_timeout`",
            ),
            (
                "retries = 4294967295",
                "",
                "key `retries`: 4294967295 is out of range: give a number from 0 to 10",
            ),
            ("retries = 11", "", "key `retries`"),
            ("retries = -1", "", "key `retries`: -1 is out of range"),
            (
                "per_host = 0",
                "",
                "key `per_host`: 0 is out of range: give a number from 1 to 1024",
            ),
            ("per_host = 1025", "", "key `per_host`"),
            ("concurrency = 0", "", "key `concurrency`"),
            ("concurrency = -8", "", "key `concurrency`"),
            ("concurrency = 9223372036854775807", "", "key `concurrency`"),
            ("max_body_mib = 0", "", "key `max_body_mib`"),
            ("max_body_mib = 17592186044416", "", "key `max_body_mib`"),
            (
                "max_redirects = 21",
                "",
                "key `max_redirects`: 21 is out of range: give a number from 0 to 20",
            ),
            ("max_redirects = -1", "", "key `max_redirects`"),
            ("alert_after_failures = 0", "", "key `alert_after_failures`"),
            (
                "alert_after_failures = 4294967296",
                "",
                "key `alert_after_failures`",
            ),
        ];
        for (global, per_feed, expected) in cases {
            let err = parse(&format!("{global}\n{MINIMAL}{per_feed}\n")).unwrap_err();
            assert!(
                err.contains(expected) && err.starts_with("/site/feeds.toml: "),
                "{global}{per_feed}: {err}"
            );
        }
    }

    #[test]
    fn values_at_the_bounds_are_accepted() {
        let text = format!(
            "interval = \"1y\"\ntimeout = \"1ms\"\nconnect_timeout = \"1h\"\nretries = 10\nper_host = 1024\nconcurrency = 1\nmax_body_mib = 1024\nmax_redirects = 0\nalert_after_failures = 4294967295\n{MINIMAL}max_age = \"100y\"\n"
        );
        let config = parse(&text).unwrap();
        assert_eq!(config.feeds[0].interval, YEAR);
        assert_eq!(config.feeds[0].max_age, Some(YEAR * 100));
        assert_eq!(config.fetch.timeout, Duration::from_millis(1));
        assert_eq!(config.fetch.connect_timeout, HOUR);
        assert_eq!(config.fetch.retries, 10);
        assert_eq!(config.fetch.per_host, 1024);
        assert_eq!(config.concurrency, 1);
        assert_eq!(config.fetch.max_body_bytes, 1 << 30);
        assert_eq!(config.fetch.max_redirects, 0);
        assert_eq!(config.alert_after_failures, u32::MAX);
        let config = parse(&format!(
            "interval = \"0s\"\n{MINIMAL}interval = \"365d\"\n"
        ))
        .unwrap();
        assert_eq!(config.feeds[0].interval, Duration::from_secs(365 * 86400));
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
        for (text, expected) in [
            (
                format!("max_items = 0\n{MINIMAL}"),
                "key `max_items`: 0 is out of range: give a number from 1 to 10000",
            ),
            (
                format!("{MINIMAL}max_items = 10001\n"),
                "feed \"A\": key `max_items`: 10001 is out of range",
            ),
            (
                format!("{MINIMAL}max_items = -1\n"),
                "feed \"A\": key `max_items`",
            ),
            (
                format!("update = \"always\"\n{MINIMAL}"),
                "key `update`: `always` is not one of",
            ),
            (
                format!("{MINIMAL}update = \"sometimes\"\n"),
                "feed \"A\": key `update`: `sometimes`",
            ),
        ] {
            let err = parse(&text).unwrap_err();
            assert!(err.contains(expected), "{text}: {err}");
        }
        let config = parse(&format!("{MINIMAL}max_items = 10000\n")).unwrap();
        assert_eq!(config.feeds[0].max_items, Some(10_000));
    }
}
