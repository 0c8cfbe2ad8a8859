//! The configuration as the rest of feedimport reads it: the site's
//! settings, the HTTP client's limits, each feed's. Plain data, checked
//! before it is built (see the parent module), and how strict reading is.
//!
//! In: nothing (the reading steps fill it). Out: [`Config`],
//! [`FeedConfig`], [`FetchSettings`], [`FeedSource`], [`UpdatePolicy`].
//! Nothing here fails.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use chrono_tz::Tz;
use url::Url;

use super::output::OutputSpec;

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
pub(super) const DEFAULT_ALERT_AFTER_FAILURES: u32 = 5;

/// One `[[feeds]]` entry.
#[derive(Debug, Clone)]
pub(crate) struct FeedConfig {
    pub(crate) name: String,
    pub(crate) source: FeedSource,
    pub(crate) section: String,
    pub(crate) tags: Vec<String>,
    /// Fetch a new item's page for its preview image when the feed has none.
    pub(crate) article_images: bool,
    /// When not empty, the only hosts besides the feed's own whose article
    /// pages may be fetched (else any host the address rule allows).
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
