//! The command line: `feedimport [--config FILE] run|check|status|parse|add|opml`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{CONCURRENCY_BOUNDS, PER_HOST_BOUNDS};

/// Imports RSS, Atom and JSON feeds as Markdown article files for a static site.
#[derive(Debug, Parser)]
#[command(name = "feedimport", version, about)]
pub struct Cli {
    /// The configuration file.
    #[arg(
        long,
        global = true,
        env = "FEEDIMPORT_CONFIG",
        default_value = "feeds.toml"
    )]
    pub config: PathBuf,

    /// More log output on stderr (-v: each file, -vv: debugging).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Only errors on stderr, and no summary line.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Let several feeds share a name (their articles' last tag): feeds are
    /// told apart by URL, and --feed NAME selects all of them.
    #[arg(long, global = true)]
    pub allow_duplicate_names: bool,

    /// Write as root into a site that belongs to another user (the files
    /// written are then root's: that user's next run may not write them).
    #[arg(long, global = true)]
    pub allow_root: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch the feeds and write an article file for every item never imported.
    Run(RunArgs),
    /// Validate the configuration and print what a run would fetch.
    Check(CheckArgs),
    /// Show each feed's health: last fetch, failures, next due, articles.
    Status(StatusArgs),
    /// Read a saved feed file and describe what an import would find in it
    /// (format, encoding, repairs, items, images); nothing is written.
    Parse(ParseArgs),
    /// Add a feed to the config from its URL or from any page of its site.
    Add(AddArgs),
    /// Add the feeds of an OPML file to the config, or print the config's
    /// feeds as OPML.
    #[command(subcommand)]
    Opml(OpmlCommand),
    /// Import a feed's older items: its archive or next pages (RFC 5005),
    /// or WordPress's ?paged=N.
    Backfill(BackfillArgs),
    /// Remove items from the state (by sourceUrl or by file), so that the
    /// next run imports them again; their files are left as they are.
    Forget(ForgetArgs),
}

#[derive(Debug, Args)]
pub struct ForgetArgs {
    /// An article's sourceUrl, or its file (relative to the current folder
    /// or to the content folder, or absolute inside the content folder).
    #[arg(required = true, value_name = "SOURCE_URL|FILE")]
    pub targets: Vec<String>,
    /// Say what would be forgotten, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct BackfillArgs {
    /// The feed, by its name in the config.
    pub name: String,
    /// Read at most this many pages, the feed's first included (1 to 1000;
    /// default 50).
    #[arg(long, value_name = "N", default_value_t = crate::pipeline::paging::DEFAULT_PAGES,
        value_parser = clap::value_parser!(u16).range(1..=crate::pipeline::paging::MAX_PAGES as i64))]
    pub pages: u16,
    /// Import no item older than this date (YYYY-MM-DD, or RFC 3339), and
    /// stop at the first page that holds only older ones.
    #[arg(long, value_name = "DATE", value_parser = parse_until)]
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    /// Print each file that would be written and change nothing on disk.
    #[arg(long)]
    pub dry_run: bool,
    /// The pause between two pages (the site is read politely; 0s to 1h).
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_pause)]
    pub pause: std::time::Duration,
}

/// `--until`: a day (its start, UTC) or an RFC 3339 time.
fn parse_until(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        return Ok(day.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.to_utc())
        .map_err(|_| format!("`{text}` is not a date: give YYYY-MM-DD or an RFC 3339 time"))
}

/// `--pause`: a duration, at most an hour.
fn parse_pause(text: &str) -> Result<std::time::Duration, String> {
    let pause = humantime::parse_duration(text.trim()).map_err(|e| {
        format!("`{text}` is not a duration ({e}): write it like \"1s\" or \"500ms\"")
    })?;
    if pause > std::time::Duration::from_secs(3600) {
        return Err(format!("`{text}` is too long: give at most 1h"));
    }
    Ok(pause)
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The feed's URL, or the URL of any page of the site.
    pub url: String,
    /// The feed's name (default: the feed's title).
    #[arg(long)]
    pub name: Option<String>,
    /// The section its articles go to (default: the first feed's).
    #[arg(long)]
    pub section: Option<String>,
    /// Tags for its articles, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "TAG,...")]
    pub tags: Vec<String>,
    /// Which of the feeds the page announces (from 1; default the first).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub pick: Option<u16>,
    /// Show what would be added and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum OpmlCommand {
    /// Add every feed (outline with an xmlUrl) of an OPML file; the titles
    /// of the folders it is in become its tags.
    Import(OpmlImportArgs),
    /// Print the config's feeds as OPML 2.0 on stdout.
    Export,
}

#[derive(Debug, Args)]
pub struct OpmlImportArgs {
    /// The OPML file.
    pub file: PathBuf,
    /// The section of every feed added (default: the outline's own
    /// `section`, else the first feed's).
    #[arg(long)]
    pub section: Option<String>,
    /// Show what would be added and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// The feed file.
    pub file: PathBuf,
    /// Also list each item: its title, date, link, image and where the
    /// image came from.
    #[arg(long)]
    pub items: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Also fetch each feed once (importing nothing) and describe what it holds.
    #[arg(long)]
    pub online: bool,
    /// Print every feed's sample article, not only the first of each format.
    #[arg(long)]
    pub all_samples: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Write a self-contained HTML health page to FILE instead of printing
    /// the text.
    #[arg(long, value_name = "FILE", conflicts_with = "json")]
    pub html: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Print each file that would be written and change nothing on disk.
    #[arg(long)]
    pub dry_run: bool,

    /// Print one JSON document with the articles and each feed's outcome.
    #[arg(long)]
    pub json: bool,

    /// Only this feed (by its name in the config), due or not; repeat for several.
    #[arg(long = "feed", value_name = "NAME")]
    pub feeds: Vec<String>,

    /// Fetch every feed now, even those whose interval has not passed.
    #[arg(long)]
    pub force: bool,

    /// If another run is going on, wait for it to end instead of exiting with 75.
    #[arg(long)]
    pub wait: bool,

    /// Requests at the same time to one host, for this run (overrides
    /// `per_host` in the config; for mirrors and local servers; 1 to 1024).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16)
        .range(PER_HOST_BOUNDS.0 as i64..=PER_HOST_BOUNDS.1 as i64))]
    pub per_host: Option<u16>,

    /// Feeds fetched at the same time, for this run (overrides `concurrency`;
    /// 1 to 1024).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16)
        .range(CONCURRENCY_BOUNDS.0 as i64..=CONCURRENCY_BOUNDS.1 as i64))]
    pub concurrency: Option<u16>,

    /// Write the run's metrics (Prometheus text format) to FILE (overrides
    /// `metrics_file`).
    #[arg(long, value_name = "FILE")]
    pub metrics_file: Option<PathBuf>,
}
