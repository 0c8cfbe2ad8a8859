//! `feedimport status`: how each feed is doing, as text, as JSON, or as
//! the health page.

use super::error::{CommandError, Exit};
use super::print;
use super::setup::load_config;
use crate::cli::{Cli, StatusArgs};
use crate::health::feeds::Days;

pub(crate) fn exec(cli: &Cli, args: &StatusArgs) -> Result<Exit, CommandError> {
    let config = load_config(cli)?;
    let now = chrono::Utc::now();
    // Only the health page charts the feeds' days.
    let days = if args.html.is_some() {
        Days::Read
    } else {
        Days::Skipped
    };
    let health = crate::health::feeds::read(&config, now, days).map_err(CommandError::store)?;
    if let Some(file) = &args.html {
        crate::health::page::write_page(
            &health,
            now,
            crate::health::page::PageSite {
                timezone: config.timezone,
                language: site_language(&config),
            },
            file,
        )
        .map_err(CommandError::store)?;
    } else if args.json {
        print::json(&crate::health::status::to_json(&health));
    } else {
        print::stdout(&crate::health::status::render_text(
            &health,
            now,
            config.timezone,
        ));
    }
    Ok(if health.iter().any(|f| f.failing) {
        Exit::FeedFailed
    } else {
        Exit::Ok
    })
}

/// The health page's language: the locale most of the site's feeds write
/// in (the first feed's on a tie; French, the default, without feeds).
fn site_language(config: &crate::config::Config) -> crate::health::page::PageLanguage {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for feed in &config.feeds {
        let tag = feed.output.locale.tag();
        match counts.iter_mut().find(|(t, _)| *t == tag) {
            Some((_, n)) => *n += 1,
            None => counts.push((tag, 1)),
        }
    }
    let most = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let tag = counts
        .iter()
        .find(|(_, n)| *n == most)
        .map_or("fr", |(t, _)| *t);
    crate::health::page::PageLanguage::of(tag)
}
