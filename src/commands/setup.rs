//! What the commands that work share: the config as the command line
//! names it, the async runtime, the signals that stop a run, and the
//! progress line drawn for a person watching.

use std::io::IsTerminal;

use tokio_util::sync::CancellationToken;

use super::error::{CommandError, Exit};
use crate::cli::Cli;
use crate::config::{Config, LoadOptions};
use crate::pipeline::{Progress, Silent};

/// The config the command line names (`--config`, else `./feeds.toml`).
pub(crate) fn load_config(cli: &Cli) -> Result<Config, CommandError> {
    Ok(Config::load_with(&cli.config, load_options(cli))?)
}

/// How the config is read, as the command line says.
pub(crate) fn load_options(cli: &Cli) -> LoadOptions {
    LoadOptions {
        allow_duplicate_names: cli.allow_duplicate_names,
    }
}

/// Refuses a run as root that would write into a site another user owns
/// (its state folder, else its content folder, else the config's folder):
/// what root creates there is root's, and the owner's next run, from the
/// timer, could not write it. The message gives the command to run
/// instead. `--allow-root` and a dry run (which writes nothing) pass.
pub(crate) fn refuse_root_on_anothers_site(
    cli: &Cli,
    config: &Config,
    dry_run: bool,
) -> Result<(), CommandError> {
    use std::os::unix::fs::MetadataExt;
    if dry_run || cli.allow_root || !rustix::process::geteuid().is_root() {
        return Ok(());
    }
    let folder = config.path.parent().unwrap_or(std::path::Path::new("."));
    let site = [
        config.state_dir.as_path(),
        config.content_dir.as_path(),
        folder,
    ]
    .into_iter()
    .find_map(|path| std::fs::metadata(path).ok().map(|m| (path, m.uid())));
    let Some((path, owner)) = site.filter(|(_, owner)| *owner != 0) else {
        return Ok(());
    };
    let owner = crate::util::fs::user_name(owner);
    let args: Vec<String> = std::env::args().skip(1).collect();
    Err(CommandError::usage(format!(
        "feedimport runs as root, and the site belongs to {owner} ({} is {owner}'s): what a root run writes there would be root's, and {owner}'s next run could not write it",
        path.display()
    ))
    .hint(format!(
        "run it as {owner}: `sudo -u {owner} feedimport {}`; or pass --allow-root to write as root all the same",
        args.join(" ")
    )))
}

/// The runtime of the commands that use the network.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, CommandError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CommandError::store(e).context("cannot start"))
}

/// Ctrl-C or SIGTERM (systemd stopping the unit): finish the file in hand,
/// save the state, exit 130. A second signal exits at once.
pub(crate) async fn watch_signals(interrupted: CancellationToken) {
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

/// What a progress line counts.
pub(crate) enum Counting {
    /// The feeds of a run.
    Feeds,
    /// The pages of one feed's backfill, named.
    Pages(String),
}

/// A progress line on stderr for a person watching (not in cron's mail,
/// not in a pipe, not with `-q`), else nothing.
pub(crate) fn progress(cli: &Cli, counting: Counting) -> Box<dyn Progress> {
    if std::io::stderr().is_terminal() && !cli.quiet {
        Box::new(ProgressLine { counting })
    } else {
        Box::new(Silent)
    }
}

/// One line on stderr, rewritten in place: how far, articles written.
struct ProgressLine {
    counting: Counting,
}

impl Progress for ProgressLine {
    fn feed_done(&mut self, done: usize, total: usize, articles: usize) {
        let articles = format!(
            "{articles} new {}",
            if articles == 1 { "article" } else { "articles" }
        );
        match &self.counting {
            Counting::Feeds => eprint!("\r\x1b[2Kfeeds {done}/{total}, {articles}"),
            Counting::Pages(name) => {
                eprint!("\r\x1b[2Kbackfill {name}: page {done} (at most {total}), {articles}")
            }
        }
    }

    fn finished(&mut self) {
        // Clear the line: the summary takes its place.
        eprint!("\r\x1b[2K");
    }
}
