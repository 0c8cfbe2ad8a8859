//! `feedimport run`: import every due feed, print what happened, and
//! write the metrics file when one is asked for.

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::error::{CommandError, Exit};
use super::print;
use super::setup::{Counting, load_config, progress, runtime, watch_signals};
use crate::cli::{Cli, RunArgs};
use crate::config::Config;
use crate::pipeline::{self, RunOptions};
use crate::report::Report;

/// Runs the import, then writes the metrics file (whatever became of the
/// run, but for a dry run and a run that found another going on).
pub(crate) fn exec(cli: &Cli, args: &RunArgs) -> Result<Exit, CommandError> {
    if let Some(problem) = args
        .metrics_file
        .as_deref()
        .and_then(crate::config::metrics_file_problem)
    {
        return Err(CommandError::usage(format!("--metrics-file: {problem}")));
    }
    let started = Instant::now();
    let mut import = Import::default();
    let outcome = import.run(cli, args);
    let exit = match &outcome {
        Ok(exit) => *exit,
        Err(e) => e.exit(),
    };
    if !args.dry_run && exit != Exit::Locked {
        let path = args
            .metrics_file
            .clone()
            .or_else(|| import.config.as_ref()?.metrics_file.clone());
        if let Some(path) = path {
            let facts = crate::health::metrics::RunFacts {
                duration: started.elapsed(),
                exit_code: exit as u8,
                articles_written: import
                    .report
                    .as_ref()
                    .map_or(0, |r| r.feeds.iter().map(|f| f.new).sum()),
                finished: chrono::Utc::now(),
            };
            let written = crate::health::metrics::write(
                &path,
                import.config.as_ref(),
                import.report.as_ref(),
                &facts,
            );
            if let Err(e) = written {
                print::note(&crate::util::error_chain(&e));
            }
        }
    }
    outcome
}

/// What the import got as far as: the metrics file reads both.
#[derive(Default)]
struct Import {
    config: Option<Config>,
    report: Option<Report>,
}

impl Import {
    fn run(&mut self, cli: &Cli, args: &RunArgs) -> Result<Exit, CommandError> {
        let mut config = load_config(cli)?;
        if let Some(per_host) = args.per_host {
            config.fetch.per_host = usize::from(per_host);
        }
        if let Some(concurrency) = args.concurrency {
            config.concurrency = usize::from(concurrency);
        }
        super::setup::refuse_root_on_anothers_site(cli, &config, args.dry_run)?;
        let config = self.config.insert(config);
        let options = RunOptions {
            dry_run: args.dry_run,
            feeds: args.feeds.clone(),
            force: args.force,
            wait: args.wait,
            keep_articles: args.json || args.dry_run,
        };
        let runtime = runtime()?;
        let interrupted = CancellationToken::new();
        let mut progress = progress(cli, Counting::Feeds);
        let result = runtime.block_on(async {
            tokio::spawn(watch_signals(interrupted.clone()));
            pipeline::run(config, &options, interrupted.clone(), progress.as_mut()).await
        });
        // Tasks still fetching after an interruption are not waited for.
        runtime.shutdown_timeout(Duration::from_millis(200));
        let report = self.report.insert(result?);
        print_report(report, args, cli.quiet, config.timezone);
        Ok(if report.interrupted {
            Exit::Interrupted
        } else if report.any_failed() {
            Exit::FeedFailed
        } else {
            Exit::Ok
        })
    }
}

/// The report as `--json`, the dry run's listing, and the summary line.
fn print_report(report: &Report, args: &RunArgs, quiet: bool, timezone: chrono_tz::Tz) {
    if args.json {
        print::json(report);
    } else if args.dry_run {
        print::stdout(&report.dry_run_listing());
    }
    // With -q, only a run where something failed says so (cron mails it).
    if !quiet || report.any_failed() {
        eprintln!("{}", report.summary_line(chrono::Utc::now(), timezone));
    }
}
