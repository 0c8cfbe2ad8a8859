//! `feedimport backfill NAME`: a feed's older items, page after page.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::error::{CommandError, Exit};
use super::print;
use super::setup::{Counting, load_config, progress, runtime, watch_signals};
use crate::cli::{BackfillArgs, Cli};
use crate::pipeline::backfill::Backfill;
use crate::pipeline::{self, BackfillOptions, Ended};

pub(crate) fn exec(cli: &Cli, args: &BackfillArgs) -> Result<Exit, CommandError> {
    let config = load_config(cli)?;
    super::setup::refuse_root_on_anothers_site(cli, &config, args.dry_run)?;
    let options = BackfillOptions {
        name: args.name.clone(),
        pages: usize::from(args.pages),
        until: args.until,
        dry_run: args.dry_run,
        pause: args.pause,
    };
    let runtime = runtime()?;
    let interrupted = CancellationToken::new();
    let mut progress = progress(cli, Counting::Pages(args.name.clone()));
    let result = runtime.block_on(async {
        tokio::spawn(watch_signals(interrupted.clone()));
        pipeline::backfill(&config, &options, interrupted.clone(), progress.as_mut()).await
    });
    runtime.shutdown_timeout(Duration::from_millis(200));
    let done = result?;
    if args.dry_run {
        print::stdout(&done.report.dry_run_listing());
    }
    if let Some(summary) = summary_line(&done, args.dry_run)
        && (!cli.quiet || matches!(done.ended, Ended::Failed | Ended::Refused))
    {
        eprintln!("{summary}");
    }
    Ok(match done.ended {
        Ended::Interrupted => Exit::Interrupted,
        Ended::Failed | Ended::Refused => Exit::FeedFailed,
        _ => Exit::Ok,
    })
}

/// The one line that says what the backfill did and why it ended.
fn summary_line(done: &Backfill, dry_run: bool) -> Option<String> {
    let line = done.report.feeds.first()?;
    let verb = if dry_run { "would write" } else { "wrote" };
    let mut summary = format!(
        "{}backfill {}: {} {} read, {verb} {} new {}, {} seen",
        if dry_run {
            "dry run, nothing written: "
        } else {
            ""
        },
        line.name,
        done.pages,
        if done.pages == 1 { "page" } else { "pages" },
        line.new,
        if line.new == 1 { "article" } else { "articles" },
        line.seen,
    );
    if line.updated > 0 {
        summary.push_str(&format!(", {} updated", line.updated));
    }
    summary.push_str(&format!("; ended: {}", why_ended(done)));
    Some(summary)
}

fn why_ended(done: &Backfill) -> String {
    match &done.ended {
        Ended::PageLimit => {
            "the page limit (--pages) was reached; run it again to go on".to_string()
        }
        Ended::NothingNew => "a page held nothing new".to_string(),
        Ended::NoMorePages => "the feed names no older page".to_string(),
        Ended::Gone(status) => format!("the next page answered {status}: the end of the history"),
        Ended::Repeated => "a page repeated the one before".to_string(),
        Ended::Until => "the pages reached --until (or the feed's max_age)".to_string(),
        Ended::Interrupted => "interrupted; run it again to go on".to_string(),
        Ended::Refused => format!(
            "refused: {}",
            done.failure.as_deref().unwrap_or("the next page's link")
        ),
        Ended::Failed => format!(
            "failed: {}; run it again to go on from that page",
            done.failure
                .as_deref()
                .unwrap_or("a page could not be read")
        ),
    }
}
