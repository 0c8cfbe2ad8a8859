//! The command edge: one file per command. Each turns its part of the
//! command line into a request, calls the library, and prints what it
//! did; none of the layers below prints or knows an exit code.
//!
//! In: the parsed command line ([`crate::cli`]). Out: text on stdout
//! (results, `--json`) and stderr (notes, the summary line), and an
//! [`Exit`] code. A command that cannot do what it was asked returns a
//! [`CommandError`], which carries its exit code and is printed here,
//! once, with its causes.
//!
//! Beside the commands: [`error`] (the exit codes and the error type),
//! [`mod@print`] (where output goes), [`setup`] (the config, the runtime,
//! the signals and the progress line that commands share).

mod add;
mod backfill;
mod check;
pub(crate) mod error;
mod forget;
mod opml;
mod parse;
mod print;
mod run;
mod setup;
mod status;

use crate::cli::{Cli, Command, OpmlCommand};
use error::{CommandError, Exit};

/// Runs the command `cli` names, prints its error if it failed, and says
/// how the process should exit.
pub fn execute(cli: &Cli) -> Exit {
    let outcome: Result<Exit, CommandError> = match &cli.command {
        Command::Check(args) => check::exec(cli, args),
        Command::Run(args) => run::exec(cli, args),
        Command::Status(args) => status::exec(cli, args),
        Command::Parse(args) => parse::exec(args),
        Command::Add(args) => add::exec(cli, args),
        Command::Opml(OpmlCommand::Import(args)) => opml::import(cli, args),
        Command::Opml(OpmlCommand::Export) => opml::export(cli),
        Command::Backfill(args) => backfill::exec(cli, args),
        Command::Forget(args) => forget::exec(cli, args),
    };
    outcome.unwrap_or_else(|error| {
        // Another run still going on is routine for a timer: with -q, the
        // exit code (75) says it, and cron mails nothing.
        if !(cli.quiet && error.is_routine()) {
            print::note(&error.line());
        }
        error.exit()
    })
}
