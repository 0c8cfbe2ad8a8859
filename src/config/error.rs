//! What can be wrong with `feeds.toml`, and how it is said.
//!
//! In: what a reading step found: the file, the line when the text says
//! it, the feed, the key. Out: [`ConfigError`], whose text names the file,
//! the line, the feed and the key, and says the fix (`path: line N: feed
//! "A": key `k`: …`); [`FeedChoiceError`] for a feed named on the command
//! line that the file does not hold as asked. Nothing here fails.

use std::fmt;
use std::path::{Path, PathBuf};

use super::keys::{FEED_KEYS, OUTPUT_KEYS, TOP_LEVEL_KEYS};
use super::model::FeedSource;

/// Why `feeds.toml` cannot be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConfigError {
    #[error("cannot read config file {}{}", .path.display(), read_advice(.path, .source))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not TOML: the parser's error, with its line and column.
    #[error("{}: {}", .path.display(), toml_error(.source))]
    Syntax {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    /// A key feedimport does not know where it is written.
    #[error("{}{}", Spot(.path, .line, .table.feed()), unknown_key(.table, .key))]
    UnknownKey {
        path: PathBuf,
        line: Option<usize>,
        table: KeyTable,
        key: String,
    },
    /// A `[[feeds]]` entry without one of the keys every feed needs.
    #[error("{}missing key `{key}`", Spot(.path, .line, Some(.feed)))]
    MissingKey {
        path: PathBuf,
        line: Option<usize>,
        feed: FeedLabel,
        key: &'static str,
    },
    /// A value that cannot work: out of its bounds, of the wrong shape, or
    /// not what the key reads.
    #[error("{}{}", Spot(.path, .line, .feed.as_ref()), Valued(.key, .problem))]
    BadValue {
        path: PathBuf,
        line: Option<usize>,
        feed: Option<FeedLabel>,
        key: String,
        problem: ValueProblem,
    },
    /// A feed that reads what another feed reads, or (unless allowed) has
    /// another feed's name.
    #[error("{}: feed \"{name}\": {}", .path.display(), .of)]
    Duplicate {
        path: PathBuf,
        name: String,
        of: Duplicated,
    },
    /// No `[[feeds]]` entry, where one is needed.
    #[error("{}: no feeds: add at least one [[feeds]] entry with name, url and section", .path.display())]
    NoFeeds { path: PathBuf },
    /// Any other mistake, as the check (or the TOML reader) said it: a
    /// value of a type the key does not take, an entry that is not a
    /// table, two keys that exclude each other.
    #[error("{}{message}", Spot(.path, .line, .feed.as_ref()))]
    Invalid {
        path: PathBuf,
        line: Option<usize>,
        feed: Option<FeedLabel>,
        message: String,
    },
}

/// Which `[[feeds]]` entry a mistake is in: by its name when it has one
/// (as written), else by its place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FeedLabel {
    Named(String),
    /// The entry's number, from 1.
    Entry(usize),
}

impl fmt::Display for FeedLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FeedLabel::Named(name) => write!(f, "feed \"{name}\""),
            FeedLabel::Entry(position) => write!(f, "feeds entry #{position}"),
        }
    }
}

/// The table an unknown key is written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyTable {
    TopLevel,
    Feed(FeedLabel),
    /// `[output]` (no feed) or a feed's `output = { … }`.
    Output(Option<FeedLabel>),
}

impl KeyTable {
    fn feed(&self) -> Option<&FeedLabel> {
        match self {
            KeyTable::TopLevel | KeyTable::Output(None) => None,
            KeyTable::Feed(feed) | KeyTable::Output(Some(feed)) => Some(feed),
        }
    }
}

/// What is wrong with a key's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ValueProblem {
    /// The value cannot work: why, and what to give instead (out of its
    /// bounds, not a duration, not a time zone, …).
    Refused(String),
    /// A text that must say something is blank.
    Empty,
    /// A list written as the one string it holds.
    ListWrittenAsString(String),
    /// `output` given as something else than a table.
    NotATable,
    /// `feeds` written as `[feeds]`, one table, not a list of them.
    NotAListOfTables,
}

/// Which of a feed's keys another feed already has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Duplicated {
    /// Another feed reads this source (boxed: a URL is large, and an
    /// error is moved on every `?`).
    Source(Box<FeedSource>),
    /// Another feed has this name (and names must be unique).
    Name,
}

impl fmt::Display for Duplicated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Duplicated::Source(source) => write!(
                f,
                "key `url`: another feed already reads {source}; list each feed once"
            ),
            Duplicated::Name => f.write_str(
                "key `name`: another feed already has this name; names must be unique (or run with --allow-duplicate-names)",
            ),
        }
    }
}

/// The start of a message: `path: line N: feed "A": `, each part when it
/// is known.
struct Spot<'a>(&'a Path, &'a Option<usize>, Option<&'a FeedLabel>);

impl fmt::Display for Spot<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Spot(path, line, feed) = self;
        write!(f, "{}: ", path.display())?;
        if let Some(line) = line {
            write!(f, "line {line}: ")?;
        }
        if let Some(feed) = feed {
            write!(f, "{feed}: ")?;
        }
        Ok(())
    }
}

/// A key and what is wrong with its value, as one phrase.
struct Valued<'a>(&'a str, &'a ValueProblem);

impl fmt::Display for Valued<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Valued(key, problem) = self;
        match problem {
            ValueProblem::Refused(why) => write!(f, "key `{key}`: {why}"),
            ValueProblem::Empty => write!(f, "key `{key}` is empty"),
            ValueProblem::ListWrittenAsString(text) => write!(
                f,
                "key `{key}` is a list: write {key} = [{text:?}], not {key} = {text:?}"
            ),
            ValueProblem::NotATable => write!(
                f,
                "key `{key}` must be a table, such as output = {{ preset = \"hugo\" }}"
            ),
            ValueProblem::NotAListOfTables => write!(
                f,
                "`{key}` must be a list of tables: write each feed as [[feeds]] (two brackets), not [feeds]"
            ),
        }
    }
}

/// The message for an unknown key, with the fix of the usual mistakes:
/// `[feed]` or `[[feed]]` for `[[feeds]]`, a feed's key above the first
/// `[[feeds]]`, a top-level key below it.
fn unknown_key(table: &KeyTable, key: &str) -> String {
    match table {
        KeyTable::TopLevel if key == "feed" => "`feed` is not a section feedimport knows: write each feed as [[feeds]] (two brackets, plural) followed by its name, url and section".to_string(),
        KeyTable::TopLevel if FEED_KEYS.contains(&key) => format!(
            "`{key}` is a feed's key, not a top-level one: put it below the [[feeds]] line of its feed"
        ),
        KeyTable::TopLevel => format!(
            "unknown key `{key}` at the top level (expected one of: {})",
            TOP_LEVEL_KEYS.join(", ")
        ),
        KeyTable::Feed(_) if TOP_LEVEL_KEYS.contains(&key) => format!(
            "`{key}` is a top-level key, not a feed's: move it above the first [[feeds]] line (every key below a [[feeds]] line belongs to that feed)"
        ),
        KeyTable::Feed(_) => format!(
            "unknown key `{key}` (expected one of: {})",
            FEED_KEYS.join(", ")
        ),
        KeyTable::Output(feed) => format!(
            "unknown key `{key}` in `{}` (expected one of: {})",
            if feed.is_some() { "output" } else { "[output]" },
            OUTPUT_KEYS.join(", ")
        ),
    }
}

/// A feed named on the command line that the config does not hold as
/// asked: a mistake of the command line (exit 2), not of the file.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FeedChoiceError {
    #[error("no feed named \"{name}\" in {} (feeds are: {})", .path.display(), .known.join(", "))]
    Unknown {
        path: PathBuf,
        name: String,
        known: Vec<String>,
    },
    #[error("several feeds of {} are named \"{name}\": backfill reads one; rename them apart", .path.display())]
    Several { path: PathBuf, name: String },
    #[error(
        "feed \"{name}\": backfill reads the pages of http(s) feeds; a saved feed file has none"
    )]
    NotHttp { name: String },
}

/// What to do when the config file is not there: say where it is looked
/// for, and how to point at another (or, for a file given, that its path
/// is wrong).
pub(super) fn read_advice(path: &Path, error: &std::io::Error) -> &'static str {
    if error.kind() != std::io::ErrorKind::NotFound {
        ""
    } else if path == Path::new(DEFAULT_CONFIG) || path == Path::new(".").join(DEFAULT_CONFIG) {
        " (it is looked for as ./feeds.toml in the current folder: run feedimport in the site's folder, or give the file with --config FILE or the FEEDIMPORT_CONFIG variable)"
    } else {
        " (the file given with --config FILE or the FEEDIMPORT_CONFIG variable is not there: check its path)"
    }
}

/// The config file looked for when none is given.
const DEFAULT_CONFIG: &str = "feeds.toml";

/// A TOML error on one line: the message with line and column, no source
/// excerpt (the excerpt spans several lines and repeats the file).
pub(super) fn toml_error(error: &toml::de::Error) -> String {
    error.to_string().trim_end().to_string()
}
