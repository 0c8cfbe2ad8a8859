//! `feedimport check [--online]`: the config as read, a sample article per
//! feed as a run would write it, and with `--online` what each feed holds
//! now.

use super::error::{CommandError, Exit};
use super::print;
use super::setup::{load_config, runtime};
use crate::cli::{CheckArgs, Cli};
use crate::config::Config;
use crate::output::Outputs;

pub(crate) fn exec(cli: &Cli, args: &CheckArgs) -> Result<Exit, CommandError> {
    let config = load_config(cli)?;
    let mut out = overview(&config);
    // The templates compile and keep their front matter whole on hostile
    // samples, as a run would check before writing anything. What was
    // gathered before an error is printed before it.
    let outputs = crate::pipeline::compile_outputs(&config)
        .map_err(|e| CommandError::from(e).context(config.path.display()))
        .and_then(|outputs| {
            samples(&config, &outputs, args.all_samples, &mut out).map(|()| outputs)
        });
    print::stdout(&out);
    let outputs = outputs?;
    if !args.online {
        return Ok(Exit::Ok);
    }
    let runtime = runtime()?;
    let probes = runtime.block_on(crate::pipeline::probe::probe_feeds(&config, &outputs));
    print::stdout(&crate::pipeline::probe::render_probes(&probes));
    Ok(if probes.iter().any(|p| p.error.is_some()) {
        Exit::FeedFailed
    } else {
        Exit::Ok
    })
}

/// The config's folders, time zone and feeds.
fn overview(config: &Config) -> String {
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
    out
}

/// Each feed's source and where a run would write its sample article; the
/// sample's text for the first feed of each format (all of them with
/// `every`): the others differ only by their section and name, and a site
/// of many feeds would scroll for pages. Every sample is rendered, printed
/// or not: a template that cannot work fails here for any feed.
fn samples(
    config: &Config,
    outputs: &Outputs,
    every: bool,
    out: &mut String,
) -> Result<(), CommandError> {
    let mut shown: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
    let mut hidden = 0;
    for feed in &config.feeds {
        out.push_str(&format!("  {}\n    fetch: {}\n", feed.name, feed.source));
        let (path, text) = crate::output::sample_file(config, outputs, feed)
            .map_err(|e| CommandError::new(Exit::Usage, e).context(config.path.display()))?;
        let format = format!(
            "{}, locale {}",
            feed.output.source,
            feed.output.locale.tag()
        );
        out.push_str(&format!("    format: {format}\n"));
        if let Some(first) = shown.get(&format).filter(|_| !every) {
            out.push_str(&format!(
                "    a sample article would be written to {}, in the format of {first}'s above\n",
                path.display()
            ));
            hidden += 1;
            continue;
        }
        shown.insert(format, &feed.name);
        out.push_str(&format!(
            "    a sample article would be written to {}:\n",
            path.display()
        ));
        for line in text.lines() {
            out.push_str("      | ");
            out.push_str(line);
            out.push('\n');
        }
    }
    if hidden > 0 {
        let samples = if hidden == 1 { "sample" } else { "samples" };
        out.push_str(&format!(
            "({hidden} {samples} in a format shown above left out: `check --all-samples` prints them)\n"
        ));
    }
    Ok(())
}
