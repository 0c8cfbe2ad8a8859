//! The command line: `feedimport [--config FILE] run|check`.

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
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
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
}
