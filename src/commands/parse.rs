//! `feedimport parse FILE`: read a feed file as a run would and describe
//! it, without the network or the state.

use super::error::{CommandError, Exit};
use super::print;
use crate::cli::ParseArgs;
use crate::pipeline::probe::{describe, render_probe_lines};

pub(crate) fn exec(args: &ParseArgs) -> Result<Exit, CommandError> {
    let written = args.file.to_string_lossy();
    let lowercase = written.to_ascii_lowercase();
    if (lowercase.starts_with("http://") || lowercase.starts_with("https://"))
        && !args.file.exists()
    {
        return Err(CommandError::usage(format!(
            "{written} is a URL, and `parse` reads a saved file, without the network"
        ))
        .hint(format!(
            "save it first (`curl -o feed.xml '{written}'`, then `feedimport parse feed.xml`), or add it to feeds.toml (`feedimport add '{written}'`) and read it as a run would with `feedimport check --online`"
        )));
    }
    let body = crate::util::spool::Body::open_file(&args.file).map_err(|e| {
        CommandError::new(Exit::Usage, e).context(format!("cannot read {}", args.file.display()))
    })?;
    let name = args.file.display().to_string();
    let (probe, _) = describe(&name, &name, body, None, None, true, args.items);
    if args.json {
        print::json(&probe);
    } else {
        print::stdout(&render_probe_lines(std::slice::from_ref(&probe)));
    }
    Ok(if probe.error.is_some() {
        Exit::FeedFailed
    } else {
        Exit::Ok
    })
}
