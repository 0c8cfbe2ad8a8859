//! `feedimport add URL`: find a site's feed, show what a first run would
//! import, and append it to `feeds.toml` (written once, atomically, after
//! the loader accepted the whole text).
//!
//! Exits 0 when done, 1 when the network may do better later (or the file
//! was edited meanwhile), 2 on bad usage or input (the URL, the config, a
//! URL already present, no feed found).

use std::collections::HashSet;

use url::Url;

use super::error::{CommandError, Exit};
use super::print;
use super::setup::{load_options, runtime};
use crate::cli::{AddArgs, Cli};
use crate::config::Config;
use crate::config::edit::{
    ConfigFile, NewFeed, check_options, clean_name, feed_table, unique_name,
};
use crate::fetch::Fetcher;
use crate::fetch::discover::{DiscoverError, Found, How, discover};
use crate::pipeline::probe::{describe, render_probe_lines};

/// What the command line asks to add, checked against the config.
struct AddRequest {
    url: Url,
    name: Option<String>,
    section: String,
    tags: Vec<String>,
}

pub(crate) fn exec(cli: &Cli, args: &AddArgs) -> Result<Exit, CommandError> {
    let (file, config) = read_config(cli)?;
    let request = AddRequest::new(args, &config)?;
    let found = find_feed(&config, &request.url, args.pick)?;
    let mut out = announced(&request.url, &found);
    if let Some(error) = already_present(&config, &found.aliases) {
        print::stdout(&out);
        return Err(error);
    }
    let feed = NewFeed {
        name: request.name.unwrap_or_else(|| name_of(&config, &found)),
        url: found.url.clone(),
        section: request.section,
        tags: request.tags,
    };
    let text = file.with_feeds(std::slice::from_ref(&feed), load_options(cli))?;
    let (probe, _) = describe(
        &feed.name,
        feed.url.as_str(),
        found.body,
        found.content_type.as_deref(),
        found.final_url.as_ref(),
        true,
        false,
    );
    out.push_str("\nwhat a first run would import:\n");
    out.push_str(&render_probe_lines(std::slice::from_ref(&probe)));
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
    print::stdout(&out);
    if args.dry_run {
        return Ok(Exit::Ok);
    }
    file.write(&text)?;
    print::note(&format!(
        "added \"{}\" to {}",
        feed.name,
        cli.config.display()
    ));
    Ok(Exit::Ok)
}

/// The config file and what it holds now.
pub(super) fn read_config(cli: &Cli) -> Result<(ConfigFile, Config), CommandError> {
    let file = ConfigFile::read(&cli.config)?;
    let config = file.config(load_options(cli))?;
    Ok((file, config))
}

impl AddRequest {
    /// The options checked, in the order a person reads them: section and
    /// tags, name, URL (not already read by a feed), section to use.
    fn new(args: &AddArgs, config: &Config) -> Result<AddRequest, CommandError> {
        let tags: Vec<String> = args.tags.iter().map(|t| t.trim().to_string()).collect();
        check_options(args.section.as_deref(), &tags).map_err(CommandError::usage)?;
        let name = match args.name.as_deref().map(clean_name) {
            Some(None) => return Err(CommandError::usage("--name is empty")),
            Some(Some(name)) => Some(name),
            None => None,
        };
        let url = http_url(&args.url)?;
        if let Some(error) = already_present(config, std::slice::from_ref(&url)) {
            return Err(error);
        }
        let section = args
            .section
            .clone()
            .or_else(|| config.feeds.first().map(|f| f.section.clone()))
            .ok_or_else(|| {
                CommandError::usage("give --section: the config has no feed to take a section from")
            })?;
        Ok(AddRequest {
            url,
            name,
            section,
            tags,
        })
    }
}

/// The URL given, if it is an http(s) URL; else what it was meant to be.
fn http_url(given: &str) -> Result<Url, CommandError> {
    match crate::config::web_url(given) {
        Some(url) => Ok(url),
        None => {
            let meant = crate::config::address_without_scheme(given.trim())
                .map(|meant| format!(" (did you mean {meant}?)"))
                .unwrap_or_default();
            Err(CommandError::usage(format!(
                "`{given}` is not an http(s) URL{meant}: give the address of the feed or of a page of its site"
            )))
        }
    }
}

/// The feed at `url` or announced by its page.
fn find_feed(config: &Config, url: &Url, pick: Option<u16>) -> Result<Found, CommandError> {
    let runtime = runtime()?;
    let fetcher = Fetcher::new(&config.fetch).map_err(CommandError::store)?;
    runtime
        .block_on(discover(&fetcher, url, pick.map(usize::from)))
        .map_err(|e| {
            // A network that may do better later: 1; a URL that leads to
            // no feed (a 404, a page without one): 2.
            let exit = match &e {
                DiscoverError::Fetch { source, .. } if source.is_transient() => Exit::FeedFailed,
                DiscoverError::NotModified { .. } => Exit::FeedFailed,
                _ => Exit::Usage,
            };
            CommandError::new(exit, e)
        })
}

/// The feeds the page announced, the chosen one marked; or where the feed
/// was found when the page announced none.
fn announced(url: &Url, found: &Found) -> String {
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
    out
}

/// The error for a feed of `config` that already reads one of `urls`.
fn already_present(config: &Config, urls: &[Url]) -> Option<CommandError> {
    urls.iter().find_map(|url| {
        let identity = url.to_string();
        config
            .feeds
            .iter()
            .find(|f| f.source.identity() == identity)
            .map(|f| {
                CommandError::usage(format!(
                    "feed \"{}\" already reads {url}; nothing was added",
                    f.name
                ))
            })
    })
}

/// A name for the found feed: its title, else its host, made unique.
fn name_of(config: &Config, found: &Found) -> String {
    let wanted = clean_name(&found.title)
        .unwrap_or_else(|| found.url.host_str().unwrap_or("feed").to_string());
    let mut taken: HashSet<String> = config.feeds.iter().map(|f| f.name.clone()).collect();
    unique_name(&wanted, &mut taken)
}
