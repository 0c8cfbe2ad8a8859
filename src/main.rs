//! The `feedimport` binary: parse the command line, set up logging, run
//! the command (see the library's `commands`), map its outcome to an exit
//! code.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use feedimport::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    ExitCode::from(feedimport::execute(&cli) as u8)
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
