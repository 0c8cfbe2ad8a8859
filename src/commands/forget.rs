//! `feedimport forget NAME…`: items removed from the state, so that the
//! next run imports them again.

use super::error::{CommandError, Exit};
use super::print;
use super::setup::load_config;
use crate::cli::{Cli, ForgetArgs};
use crate::config::Config;
use crate::pipeline::forget::{ForgetOutcome, forget};

pub(crate) fn exec(cli: &Cli, args: &ForgetArgs) -> Result<Exit, CommandError> {
    let config = load_config(cli)?;
    super::setup::refuse_root_on_anothers_site(cli, &config, args.dry_run)?;
    let outcomes = forget(&config, &args.targets, args.dry_run)?;
    let verb = if args.dry_run {
        "would forget"
    } else {
        "forgot"
    };
    let mut out = String::new();
    let mut unknown = false;
    for outcome in &outcomes {
        if outcome.items.is_empty() {
            print::note(&format!(
                "{}: no imported item has this sourceUrl or file; nothing forgotten",
                outcome.name
            ));
            unknown = true;
            continue;
        }
        out.push_str(&forgotten_lines(&config, outcome, verb));
        if let Some(file) = &outcome.file_still_there {
            print::note(&format!(
                "{} is still there: the next run finds it and writes nothing; delete it to have the article written again",
                file.display()
            ));
        }
    }
    print::stdout(&out);
    Ok(if unknown { Exit::FeedFailed } else { Exit::Ok })
}

/// One line per item forgotten: its source URL and its file.
fn forgotten_lines(config: &Config, outcome: &ForgetOutcome, verb: &str) -> String {
    let mut out = String::new();
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
    out
}
