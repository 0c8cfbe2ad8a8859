//! The `feedimport` binary: parse the command line, set up logging and the
//! runtime, call the library, map the outcome to an exit code.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use feedimport::cli::{Cli, Command, RunArgs};
use feedimport::config::Config;
use feedimport::pipeline::{self, RunError, RunOptions};
use feedimport::{Exit, report::Report};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    let exit = match &cli.command {
        Command::Check => check(&cli),
        Command::Run(args) => run(&cli, args),
    };
    ExitCode::from(exit as u8)
}

fn init_logging(cli: &Cli) {
    let default = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("feedimport={default}")));
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(color)
        .with_target(false)
        .without_time()
        .init();
}

fn load_config(cli: &Cli) -> Result<Config, Exit> {
    Config::load(&cli.config).map_err(|e| {
        eprintln!("feedimport: {e}");
        Exit::Usage
    })
}

fn check(cli: &Cli) -> Exit {
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
    for feed in &config.feeds {
        out.push_str(&format!(
            "  {}\n    fetch: {}\n    write to: {}/\n",
            feed.name,
            feed.source,
            config.section_dir(&feed.section).display()
        ));
    }
    print_stdout(&out);
    Exit::Ok
}

fn run(cli: &Cli, args: &RunArgs) -> Exit {
    let config = match load_config(cli) {
        Ok(config) => config,
        Err(exit) => return exit,
    };
    let options = RunOptions {
        dry_run: args.dry_run,
        feeds: args.feeds.clone(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("feedimport: cannot start: {e}");
            return Exit::Store;
        }
    };
    let result = runtime.block_on(pipeline::run(&config, &options));
    let report = match result {
        Ok(report) => report,
        Err(RunError::Config(e)) => {
            eprintln!("feedimport: {e}");
            return Exit::Usage;
        }
        Err(e) => {
            eprintln!("feedimport: {e}");
            return Exit::Store;
        }
    };
    print_report(&report, args, cli.quiet);
    if report.any_failed() {
        Exit::FeedFailed
    } else {
        Exit::Ok
    }
}

fn print_report(report: &Report, args: &RunArgs, quiet: bool) {
    if args.json {
        match serde_json::to_string_pretty(report) {
            Ok(json) => print_stdout(&format!("{json}\n")),
            Err(e) => eprintln!("feedimport: cannot write the JSON report: {e}"),
        }
    } else if args.dry_run {
        print_stdout(&report.dry_run_listing());
    }
    if !quiet {
        eprintln!("{}", report.summary_line());
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn print_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}
