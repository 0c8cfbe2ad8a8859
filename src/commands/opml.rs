//! `feedimport opml import FILE` and `feedimport opml export`: a feed
//! reader's list of feeds into `feeds.toml` (one atomic write after the
//! loader accepted the whole text), and the config's feeds as OPML.
//!
//! Import exits 0 when done (also when feeds already present were
//! skipped), 1 when an outline could not be a feed, 2 on a file that is
//! not OPML or a config that cannot be read.

use super::add::read_config;
use super::error::{CommandError, Exit};
use super::print;
use super::setup::{load_config, load_options};
use crate::cli::{Cli, OpmlImportArgs};
use crate::config::edit::check_options;
use crate::config::opml::{ImportPlan, SkipReason, plan_import, read_outlines};

/// An OPML file larger than this is refused: 10,000 outlines take about
/// 2 MiB.
const MAX_OPML_BYTES: u64 = 64 * 1024 * 1024;

pub(crate) fn import(cli: &Cli, args: &OpmlImportArgs) -> Result<Exit, CommandError> {
    let text = read_opml(args)?;
    let outlines = read_outlines(&text).map_err(|e| {
        CommandError::new(Exit::Usage, e)
            .context(format!("cannot import {}", args.file.display()))
            .hint(format!("{} was not changed", cli.config.display()))
    })?;
    let (file, config) = read_config(cli)?;
    check_options(args.section.as_deref(), &[]).map_err(CommandError::usage)?;
    let default_section = config.feeds.first().map(|f| f.section.clone());
    let plan = plan_import(
        outlines,
        &config,
        args.section.as_deref(),
        default_section.as_deref(),
    );
    let out = plan_lines(&plan, args.dry_run);
    if !plan.added.is_empty() {
        let text = file.with_feeds(&plan.added, load_options(cli))?;
        if !args.dry_run {
            file.write(&text)?;
        }
    }
    print::stdout(&out);
    Ok(if plan.refused.is_empty() {
        Exit::Ok
    } else {
        Exit::FeedFailed
    })
}

pub(crate) fn export(cli: &Cli) -> Result<Exit, CommandError> {
    let config = load_config(cli)?;
    let (text, left_out) = crate::config::opml::export(&config.feeds);
    for feed in left_out {
        print::note(&format!(
            "feed \"{}\" is read from a file ({}), which OPML cannot name: left out",
            feed.name, feed.source
        ));
    }
    print::stdout(&text);
    Ok(Exit::Ok)
}

/// The OPML file's text, in the encoding its BOM or XML declaration names
/// (as for a feed).
fn read_opml(args: &OpmlImportArgs) -> Result<String, CommandError> {
    let path = &args.file;
    let read = std::fs::metadata(path).and_then(|m| {
        if m.len() > MAX_OPML_BYTES {
            Err(std::io::Error::other(format!(
                "larger than the {} MiB an OPML file may be",
                MAX_OPML_BYTES >> 20
            )))
        } else {
            std::fs::read(path)
        }
    });
    let bytes = read.map_err(|e| {
        CommandError::new(Exit::Usage, e).context(format!("cannot read {}", path.display()))
    })?;
    Ok(crate::parse::decode::decode_feed_owned(bytes, None).text)
}

/// One line per feed added, skipped or refused, and the counts.
fn plan_lines(plan: &ImportPlan, dry_run: bool) -> String {
    let mut out = String::new();
    for feed in &plan.added {
        out.push_str(&format!(
            "{}: \"{}\" {} (section {}{})\n",
            if dry_run { "would add" } else { "added" },
            feed.name,
            feed.url,
            feed.section,
            if feed.tags.is_empty() {
                String::new()
            } else {
                format!(", tags {}", feed.tags.join(", "))
            }
        ));
    }
    for skipped in &plan.skipped {
        out.push_str(&format!(
            "skipped: {} (line {}): {}\n",
            skipped.url,
            skipped.line,
            match &skipped.reason {
                SkipReason::InConfig(name) => format!("feed \"{name}\" already reads it"),
                SkipReason::ListedBefore(line) => format!("listed before, at line {line}"),
            }
        ));
    }
    for refused in &plan.refused {
        out.push_str(&format!(
            "refused: \"{}\" (line {}): {}\n",
            refused.title, refused.line, refused.reason
        ));
    }
    out.push_str(&format!(
        "{} {}, {} skipped, {} refused\n",
        plan.added.len(),
        if dry_run { "to add" } else { "added" },
        plan.skipped.len(),
        plan.refused.len()
    ));
    out
}
