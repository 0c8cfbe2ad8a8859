//! The commands that change the list of feeds: `add` and `opml import`,
//! and `opml export`, which prints it.
//!
//! In: the parsed command line. Out: `feeds.toml` with new `[[feeds]]`
//! tables (written once, atomically, after the loader accepted the whole
//! text), what was done on stdout, errors on stderr, and an [`Exit`] code:
//! 0 when done (also when URLs already present were skipped), 1 when part
//! of it failed (a fetch, an outline that cannot be a feed, the file edited
//! meanwhile), 2 on bad usage or input (the URL, the OPML file, the config,
//! a URL already present, no feed found).

use std::collections::HashSet;

use url::Url;

use crate::Exit;
use crate::cli::{AddArgs, Cli, OpmlImportArgs};
use crate::commands::{load_config, print_stdout, runtime};
use crate::config::edit::{
    ConfigFile, EditError, NewFeed, check_options, clean_name, feed_table, unique_name,
};
use crate::config::opml::{SkipReason, plan_import, read_outlines};
use crate::config::{Config, LoadOptions};
use crate::fetch::Fetcher;
use crate::fetch::discover::{DiscoverError, How, discover};
use crate::util::error_chain;

/// An OPML file larger than this is refused: 10,000 outlines take about
/// 2 MiB.
const MAX_OPML_BYTES: u64 = 64 * 1024 * 1024;

fn fail(exit: Exit, error: &dyn std::error::Error) -> Exit {
    eprintln!("feedimport: {}", error_chain(error));
    exit
}

fn usage(message: &str) -> Exit {
    eprintln!("feedimport: {message}");
    Exit::Usage
}

fn edit_exit(error: &EditError) -> Exit {
    fail(
        if error.is_transient() {
            Exit::FeedFailed
        } else {
            Exit::Usage
        },
        error,
    )
}

/// The config file and what it holds now.
fn read_config(cli: &Cli) -> Result<(ConfigFile, Config, LoadOptions), Exit> {
    let options = LoadOptions {
        allow_duplicate_names: cli.allow_duplicate_names,
    };
    let file = ConfigFile::read(&cli.config).map_err(|e| edit_exit(&e))?;
    let config = file.config(options).map_err(|e| edit_exit(&e))?;
    Ok((file, config, options))
}

/// The feed of `config` that reads one of `urls`, if any.
fn present<'a>(config: &'a Config, urls: &[Url]) -> Option<(&'a str, Url)> {
    urls.iter().find_map(|url| {
        let identity = url.to_string();
        config
            .feeds
            .iter()
            .find(|f| f.source.identity() == identity)
            .map(|f| (f.name.as_str(), url.clone()))
    })
}

fn already_present(name: &str, url: &Url) -> Exit {
    usage(&format!(
        "feed \"{name}\" already reads {url}; nothing was added"
    ))
}

/// `feedimport add URL`.
pub(crate) fn add(cli: &Cli, args: &AddArgs) -> Exit {
    let (file, config, options) = match read_config(cli) {
        Ok(read) => read,
        Err(exit) => return exit,
    };
    let tags: Vec<String> = args.tags.iter().map(|t| t.trim().to_string()).collect();
    if let Err(message) = check_options(args.section.as_deref(), &tags) {
        return usage(&message);
    }
    let name = match args.name.as_deref().map(clean_name) {
        Some(None) => return usage("--name is empty"),
        Some(Some(name)) => Some(name),
        None => None,
    };
    let url = match Url::parse(args.url.trim()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => url,
        _ => {
            let meant = crate::config::address_without_scheme(args.url.trim())
                .map(|meant| format!(" (did you mean {meant}?)"))
                .unwrap_or_default();
            return usage(&format!(
                "`{}` is not an http(s) URL{meant}: give the address of the feed or of a page of its site",
                args.url
            ));
        }
    };
    if let Some((name, url)) = present(&config, std::slice::from_ref(&url)) {
        return already_present(name, &url);
    }
    let Some(section) = args
        .section
        .clone()
        .or_else(|| config.feeds.first().map(|f| f.section.clone()))
    else {
        return usage("give --section: the config has no feed to take a section from");
    };

    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(exit) => return exit,
    };
    let fetcher = match Fetcher::new(&config.fetch) {
        Ok(fetcher) => fetcher,
        Err(e) => return fail(Exit::Store, &e),
    };
    let pick = args.pick.map(usize::from);
    let found = match runtime.block_on(discover(&fetcher, &url, pick)) {
        Ok(found) => found,
        Err(e) => {
            // A network that may do better later: 1; a URL that leads to
            // no feed (a 404, a page without one): 2.
            let exit = match &e {
                DiscoverError::Fetch { source, .. } if source.is_transient() => Exit::FeedFailed,
                DiscoverError::NotModified { .. } => Exit::FeedFailed,
                _ => Exit::Usage,
            };
            return fail(exit, &e);
        }
    };

    let mut out = String::new();
    if !found.announced.is_empty() {
        out.push_str(&format!(
            "{url} announces {} {}:\n",
            found.announced.len(),
            if found.announced.len() == 1 {
                "feed"
            } else {
                "feeds"
            }
        ));
        for (i, link) in found.announced.iter().enumerate() {
            let chosen = found.how == How::Announced(i + 1);
            out.push_str(&format!(
                "  {}{}. {}{}{}\n",
                if chosen { "* " } else { "  " },
                i + 1,
                link.url,
                if link.title.is_empty() {
                    String::new()
                } else {
                    format!(" \"{}\"", link.title)
                },
                if chosen {
                    " (chosen; --pick N for another)"
                } else {
                    ""
                }
            ));
        }
    } else if found.how == How::UsualPlace {
        out.push_str(&format!(
            "{url} announces no feed; found one at {}\n",
            found.url
        ));
    }
    if let Some((name, url)) = present(&config, &found.aliases) {
        print_stdout(&out);
        return already_present(name, &url);
    }
    let name = name.unwrap_or_else(|| {
        let wanted = clean_name(&found.title)
            .unwrap_or_else(|| found.url.host_str().unwrap_or("feed").to_string());
        let mut taken: HashSet<String> = config.feeds.iter().map(|f| f.name.clone()).collect();
        unique_name(&wanted, &mut taken)
    });
    let feed = NewFeed {
        name,
        url: found.url.clone(),
        section,
        tags,
    };
    let text = match file.with_feeds(std::slice::from_ref(&feed), options) {
        Ok(text) => text,
        Err(e) => return edit_exit(&e),
    };

    let probe = crate::pipeline::probe::describe(
        &feed.name,
        feed.url.as_str(),
        found.body,
        found.content_type.as_deref(),
        found.final_url.as_ref(),
        true,
        false,
    );
    out.push_str("\nwhat a first run would import:\n");
    out.push_str(&crate::pipeline::probe::render_probe_lines(
        std::slice::from_ref(&probe),
    ));
    out.push_str(&format!(
        "\n{} {}:\n\n{}",
        if args.dry_run {
            "would add to"
        } else {
            "adding to"
        },
        cli.config.display(),
        feed_table(&feed)
    ));
    print_stdout(&out);
    if args.dry_run {
        return Exit::Ok;
    }
    if let Err(e) = file.write(&text) {
        return edit_exit(&e);
    }
    eprintln!(
        "feedimport: added \"{}\" to {}",
        feed.name,
        cli.config.display()
    );
    Exit::Ok
}

/// `feedimport opml import FILE`.
pub(crate) fn opml_import(cli: &Cli, args: &OpmlImportArgs) -> Exit {
    let path = &args.file;
    let read = std::fs::metadata(path).and_then(|m| {
        if m.len() > MAX_OPML_BYTES {
            Err(std::io::Error::other(format!(
                "larger than the {} MiB an OPML file may be",
                MAX_OPML_BYTES >> 20
            )))
        } else {
            std::fs::read(path)
        }
    });
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(e) => return usage(&format!("cannot read {}: {e}", path.display())),
    };
    // The encoding from the BOM or the XML declaration, as for a feed.
    let text = crate::parse::decode::decode_feed_owned(bytes, None).text;
    let outlines = match read_outlines(&text) {
        Ok(outlines) => outlines,
        Err(e) => {
            return usage(&format!(
                "cannot import {}: {}; {} was not changed",
                path.display(),
                error_chain(&e),
                cli.config.display()
            ));
        }
    };
    let (file, config, options) = match read_config(cli) {
        Ok(read) => read,
        Err(exit) => return exit,
    };
    if let Err(message) = check_options(args.section.as_deref(), &[]) {
        return usage(&message);
    }
    let default_section = config.feeds.first().map(|f| f.section.clone());
    let plan = plan_import(
        outlines,
        &config,
        args.section.as_deref(),
        default_section.as_deref(),
    );

    let mut out = String::new();
    for feed in &plan.added {
        out.push_str(&format!(
            "{}: \"{}\" {} (section {}{})\n",
            if args.dry_run { "would add" } else { "added" },
            feed.name,
            feed.url,
            feed.section,
            if feed.tags.is_empty() {
                String::new()
            } else {
                format!(", tags {}", feed.tags.join(", "))
            }
        ));
    }
    for skipped in &plan.skipped {
        out.push_str(&format!(
            "skipped: {} (line {}): {}\n",
            skipped.url,
            skipped.line,
            match &skipped.reason {
                SkipReason::InConfig(name) => format!("feed \"{name}\" already reads it"),
                SkipReason::ListedBefore(line) => format!("listed before, at line {line}"),
            }
        ));
    }
    for refused in &plan.refused {
        out.push_str(&format!(
            "refused: \"{}\" (line {}): {}\n",
            refused.title, refused.line, refused.reason
        ));
    }
    out.push_str(&format!(
        "{} {}, {} skipped, {} refused\n",
        plan.added.len(),
        if args.dry_run { "to add" } else { "added" },
        plan.skipped.len(),
        plan.refused.len()
    ));
    if !plan.added.is_empty() {
        let text = match file.with_feeds(&plan.added, options) {
            Ok(text) => text,
            Err(e) => return edit_exit(&e),
        };
        if !args.dry_run
            && let Err(e) = file.write(&text)
        {
            return edit_exit(&e);
        }
    }
    print_stdout(&out);
    if plan.refused.is_empty() {
        Exit::Ok
    } else {
        Exit::FeedFailed
    }
}

/// `feedimport opml export`.
pub(crate) fn opml_export(cli: &Cli) -> Exit {
    let config = match load_config(cli) {
        Ok(config) => config,
        Err(exit) => return exit,
    };
    let (text, left_out) = crate::config::opml::export(&config.feeds);
    for feed in left_out {
        eprintln!(
            "feedimport: feed \"{}\" is read from a file ({}), which OPML cannot name: left out",
            feed.name, feed.source
        );
    }
    print_stdout(&text);
    Exit::Ok
}
