//! The commands: each reads what it needs (the config, the state), calls
//! the library and prints, and says how the process should exit.
//!
//! In: the parsed command line. Out: text on stdout (results, `--json`)
//! and stderr (errors, the summary line), and an [`Exit`] code. Every error
//! is printed here, once, with its causes.

mod manage;

use std::io::{IsTerminal, Write};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::Exit;
use crate::cli::{
    BackfillArgs, CheckArgs, Cli, Command, ForgetArgs, OpmlCommand, ParseArgs, RunArgs, StatusArgs,
};
use crate::config::{Config, LoadOptions};
use crate::pipeline::{self, BackfillOptions, Ended, Progress, RunError, RunOptions, Silent};
use crate::report::Report;
use crate::util::error_chain;

/// Runs the command `cli` names.
pub fn execute(cli: &Cli) -> Exit {
    match &cli.command {
        Command::Check(args) => check(cli, args),
        Command::Run(args) => run(cli, args),
        Command::Status(args) => status(cli, args),
        Command::Parse(args) => parse(args),
        Command::Add(args) => crate::commands::manage::add(cli, args),
        Command::Opml(OpmlCommand::Import(args)) => crate::commands::manage::opml_import(cli, args),
        Command::Opml(OpmlCommand::Export) => crate::commands::manage::opml_export(cli),
        Command::Backfill(args) => backfill(cli, args),
        Command::Forget(args) => forget(cli, args),
    }
}

fn forget(cli: &Cli, args: &ForgetArgs) -> Exit {
    use crate::pipeline::forget::ForgetError;
    let config = match load_config(cli) {
        Ok(config) => config,
        Err(exit) => return exit,
    };
    let outcomes = match crate::pipeline::forget::forget(&config, &args.targets, args.dry_run) {
        Ok(outcomes) => outcomes,
        Err(e) => {
            eprintln!("feedimport: {}", error_chain(&e));
            return match e {
                ForgetError::Usage(_) => Exit::Usage,
                ForgetError::Locked(_) => Exit::Locked,
                ForgetError::Store(_) => Exit::Store,
            };
        }
    };
    let verb = if args.dry_run {
        "would forget"
    } else {
        "forgot"
    };
    let mut out = String::new();
    let mut unknown = false;
    for outcome in &outcomes {
        if outcome.items.is_empty() {
            eprintln!(
                "feedimport: {}: no imported item has this sourceUrl or file; nothing forgotten",
                outcome.name
            );
            unknown = true;
            continue;
        }
        for item in &outcome.items {
            let file = item
                .path
                .as_deref()
                .map(|p| config.content_dir.join(p))
                .map(|p| {
                    p.strip_prefix(&config.base_dir)
                        .unwrap_or(&p)
                        .display()
                        .to_string()
                })
                .unwrap_or_else(|| "no file".to_string());
            out.push_str(&format!("{verb} {} ({file})\n", item.source_url));
        }
        if let Some(file) = &outcome.file_still_there {
            eprintln!(
                "feedimport: {} is still there: the next run finds it and writes nothing; delete it to have the article written again",
                file.display()
            );
        }
    }
    print_stdout(&out);
    if unknown { Exit::FeedFailed } else { Exit::Ok }
}

fn backfill(cli: &Cli, args: &BackfillArgs) -> Exit {
    let config = match load_config(cli) {
        Ok(config) => config,
        Err(exit) => return exit,
    };
    let options = BackfillOptions {
        name: args.name.clone(),
        pages: usize::from(args.pages),
        until: args.until,
        dry_run: args.dry_run,
        pause: args.pause,
    };
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(exit) => return exit,
    };
    let interrupted = CancellationToken::new();
    let mut progress: Box<dyn Progress> = if std::io::stderr().is_terminal() && !cli.quiet {
        Box::new(PageProgressLine {
            name: args.name.clone(),
        })
    } else {
        Box::new(Silent)
    };
    let result = runtime.block_on(async {
        tokio::spawn(watch_signals(interrupted.clone()));
        pipeline::backfill(&config, &options, interrupted.clone(), progress.as_mut()).await
    });
    runtime.shutdown_timeout(Duration::from_millis(200));
    let done = match result {
        Ok(done) => done,
        Err(e) => {
            eprintln!("feedimport: {}", error_chain(&e));
            return exit_of(&e);
        }
    };
    if args.dry_run {
        print_stdout(&done.report.dry_run_listing());
    }
    if let Some(line) = done.report.feeds.first() {
        let ended = match &done.ended {
            Ended::PageLimit => {
                "the page limit (--pages) was reached; run it again to go on".to_string()
            }
            Ended::NothingNew => "a page held nothing new".to_string(),
            Ended::NoMorePages => "the feed names no older page".to_string(),
            Ended::Gone(status) => {
                format!("the next page answered {status}: the end of the history")
            }
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
        };
        let verb = if args.dry_run { "would write" } else { "wrote" };
        let mut summary = format!(
            "{}backfill {}: {} {} read, {verb} {} new {}, {} seen",
            if args.dry_run {
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
        summary.push_str(&format!("; ended: {ended}"));
        if !cli.quiet || matches!(done.ended, Ended::Failed | Ended::Refused) {
            eprintln!("{summary}");
        }
    }
    match done.ended {
        Ended::Interrupted => Exit::Interrupted,
        Ended::Failed | Ended::Refused => Exit::FeedFailed,
        _ => Exit::Ok,
    }
}

/// One line on stderr, rewritten in place: pages read, articles written.
struct PageProgressLine {
    name: String,
}

impl Progress for PageProgressLine {
    fn feed_done(&mut self, done: usize, total: usize, articles: usize) {
        eprint!(
            "\r\x1b[2Kbackfill {}: page {done} (at most {total}), {articles} new {}",
            self.name,
            if articles == 1 { "article" } else { "articles" }
        );
    }

    fn finished(&mut self) {
        eprint!("\r\x1b[2K");
    }
}

pub(crate) fn load_config(cli: &Cli) -> Result<Config, Exit> {
    let options = LoadOptions {
        allow_duplicate_names: cli.allow_duplicate_names,
    };
    Config::load_with(&cli.config, options).map_err(|e| {
        eprintln!("feedimport: {}", error_chain(&e));
        Exit::Usage
    })
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Exit> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("feedimport: cannot start: {e}");
            Exit::Store
        })
}

fn parse(args: &ParseArgs) -> Exit {
    let body = match std::fs::read(&args.file) {
        Ok(body) => body,
        Err(e) => {
            eprintln!("feedimport: cannot read {}: {e}", args.file.display());
            return Exit::Usage;
        }
    };
    let name = args.file.display().to_string();
    let probe = crate::pipeline::probe::describe(&name, &name, body, None, None, true, args.items);
    if args.json {
        print_json(&probe);
    } else {
        print_stdout(&crate::pipeline::probe::render_probe_lines(
            std::slice::from_ref(&probe),
        ));
    }
    if probe.error.is_some() {
        Exit::FeedFailed
    } else {
        Exit::Ok
    }
}

fn status(cli: &Cli, args: &StatusArgs) -> Exit {
    let config = match load_config(cli) {
        Ok(config) => config,
        Err(exit) => return exit,
    };
    let now = chrono::Utc::now();
    let health = match crate::health::status::feed_health(&config, now) {
        Ok(health) => health,
        Err(e) => {
            eprintln!("feedimport: {}", error_chain(&e));
            return Exit::Store;
        }
    };
    if let Some(file) = &args.html {
        if let Err(e) = crate::health::page::write_page(&config, &health, now, file) {
            eprintln!("feedimport: {}", error_chain(&e));
            return Exit::Store;
        }
    } else if args.json {
        print_json(&serde_json::json!({ "feeds": health }));
    } else {
        print_stdout(&crate::health::status::render_text(
            &health,
            now,
            config.timezone,
        ));
    }
    if health.iter().any(|f| f.alert) {
        Exit::FeedFailed
    } else {
        Exit::Ok
    }
}

fn check(cli: &Cli, args: &CheckArgs) -> Exit {
    let config = match load_config(cli) {
        Ok(config) => config,
        Err(exit) => return exit,
    };
    let mut out = String::new();
    out.push_str(&format!("config: {} (valid)\n", config.path.display()));
    out.push_str(&format!(
        "content folder: {}\n",
        config.content_dir.display()
    ));
    out.push_str(&format!("state folder: {}\n", config.state_dir.display()));
    out.push_str(&format!("time zone: {}\n", config.timezone));
    out.push_str(&format!(
        "{} {}, {} at a time:\n",
        config.feeds.len(),
        if config.feeds.len() == 1 {
            "feed"
        } else {
            "feeds"
        },
        config.concurrency
    ));
    // The templates compile and keep their front matter whole on hostile
    // samples, as a run would check before writing anything.
    let outputs = match crate::pipeline::compile_outputs(&config) {
        Ok(outputs) => outputs,
        Err(e) => {
            print_stdout(&out);
            eprintln!("feedimport: {}: {}", config.path.display(), error_chain(&e));
            return Exit::Usage;
        }
    };
    for feed in &config.feeds {
        out.push_str(&format!("  {}\n    fetch: {}\n", feed.name, feed.source));
        match crate::output::sample_file(&config, &outputs, feed) {
            Ok((path, text)) => {
                out.push_str(&format!(
                    "    format: {}, locale {}\n    a sample article would be written to {}:\n",
                    feed.output.source,
                    feed.output.locale.tag(),
                    path.display()
                ));
                for line in text.lines() {
                    out.push_str("      | ");
                    out.push_str(line);
                    out.push('\n');
                }
            }
            Err(e) => {
                print_stdout(&out);
                eprintln!("feedimport: {}: {}", config.path.display(), error_chain(&e));
                return Exit::Usage;
            }
        }
    }
    print_stdout(&out);
    if !args.online {
        return Exit::Ok;
    }
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(exit) => return exit,
    };
    let probes = runtime.block_on(crate::pipeline::probe::probe_feeds(&config));
    print_stdout(&crate::pipeline::probe::render_probes(&probes));
    if probes.iter().any(|p| p.error.is_some()) {
        Exit::FeedFailed
    } else {
        Exit::Ok
    }
}

fn run(cli: &Cli, args: &RunArgs) -> Exit {
    let started = std::time::Instant::now();
    let (exit, config, report) = run_import(cli, args);
    // A dry run changes nothing on disk; a run that found another one
    // going on leaves the file to it.
    if !args.dry_run && exit != Exit::Locked {
        let path = args
            .metrics_file
            .clone()
            .or_else(|| config.as_ref()?.metrics_file.clone());
        if let Some(path) = path {
            let facts = crate::health::metrics::RunFacts {
                duration: started.elapsed(),
                exit,
                articles_written: report
                    .as_ref()
                    .map_or(0, |r| r.feeds.iter().map(|f| f.new).sum()),
                finished: chrono::Utc::now(),
            };
            if let Err(e) =
                crate::health::metrics::write(&path, config.as_ref(), report.as_ref(), &facts)
            {
                eprintln!("feedimport: {}", error_chain(&e));
            }
        }
    }
    exit
}

/// The import itself: its exit code, with the config and the report when
/// it got that far.
fn run_import(cli: &Cli, args: &RunArgs) -> (Exit, Option<Config>, Option<Report>) {
    let mut config = match load_config(cli) {
        Ok(config) => config,
        Err(exit) => return (exit, None, None),
    };
    if let Some(per_host) = args.per_host {
        config.fetch.per_host = usize::from(per_host);
    }
    if let Some(concurrency) = args.concurrency {
        config.concurrency = usize::from(concurrency);
    }
    let options = RunOptions {
        dry_run: args.dry_run,
        feeds: args.feeds.clone(),
        force: args.force,
        wait: args.wait,
        keep_articles: args.json || args.dry_run,
    };
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(exit) => return (exit, Some(config), None),
    };
    let interrupted = CancellationToken::new();
    // Only for a person watching: not in cron's mail, not in a pipe.
    let mut progress: Box<dyn Progress> = if std::io::stderr().is_terminal() && !cli.quiet {
        Box::new(ProgressLine)
    } else {
        Box::new(Silent)
    };
    let result = runtime.block_on(async {
        tokio::spawn(watch_signals(interrupted.clone()));
        pipeline::run(&config, &options, interrupted.clone(), progress.as_mut()).await
    });
    // Tasks still fetching after an interruption are not waited for.
    runtime.shutdown_timeout(Duration::from_millis(200));
    let report = match result {
        Ok(report) => report,
        Err(e) => {
            // Another run still going on is routine for a timer: with -q,
            // the exit code (75) says it, and cron mails nothing.
            if !(cli.quiet && matches!(e, RunError::Locked(_))) {
                eprintln!("feedimport: {}", error_chain(&e));
            }
            return (exit_of(&e), Some(config), None);
        }
    };
    print_report(&report, args, cli.quiet, config.timezone);
    let exit = if report.interrupted {
        Exit::Interrupted
    } else if report.any_failed() {
        Exit::FeedFailed
    } else {
        Exit::Ok
    };
    (exit, Some(config), Some(report))
}

/// One line on stderr, rewritten in place: feeds done, articles written.
struct ProgressLine;

impl Progress for ProgressLine {
    fn feed_done(&mut self, done: usize, total: usize, articles: usize) {
        eprint!(
            "\r\x1b[2Kfeeds {done}/{total}, {articles} new {}",
            if articles == 1 { "article" } else { "articles" }
        );
    }

    fn finished(&mut self) {
        // Clear the line: the summary takes its place.
        eprint!("\r\x1b[2K");
    }
}

/// Ctrl-C or SIGTERM (systemd stopping the unit): finish the file in hand,
/// save the state, exit 130. A second signal exits at once.
async fn watch_signals(interrupted: CancellationToken) {
    #[cfg(unix)]
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    loop {
        #[cfg(unix)]
        let term = async {
            match terminate.as_mut() {
                Some(signal) => {
                    signal.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term => {}
        }
        if interrupted.is_cancelled() {
            std::process::exit(Exit::Interrupted as i32);
        }
        interrupted.cancel();
        eprintln!("feedimport: interrupted; finishing the file in hand and saving the state");
    }
}

fn print_report(report: &Report, args: &RunArgs, quiet: bool, timezone: chrono_tz::Tz) {
    if args.json {
        print_json(report);
    } else if args.dry_run {
        print_stdout(&report.dry_run_listing());
    }
    // With -q, only a run where something failed says so (cron mails it).
    if !quiet || report.any_failed() {
        eprintln!("{}", report.summary_line(chrono::Utc::now(), timezone));
    }
}

/// One JSON document on stdout.
fn print_json(value: &impl serde::Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(json) => print_stdout(&format!("{json}\n")),
        Err(e) => eprintln!("feedimport: cannot write JSON: {e}"),
    }
}

/// The exit code of a run (or backfill) that could not go on.
fn exit_of(error: &RunError) -> Exit {
    match error {
        RunError::Config(_) | RunError::Output(_) => Exit::Usage,
        RunError::Locked(_) => Exit::Locked,
        RunError::Store(_) | RunError::LockWait(_) | RunError::Client(_) => Exit::Store,
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
pub(crate) fn print_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}
