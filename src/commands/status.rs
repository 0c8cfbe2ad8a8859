//! `feedimport status`: how each feed is doing, as text, as JSON, or as
//! the health page.

use super::error::{CommandError, Exit};
use super::print;
use super::setup::load_config;
use crate::cli::{Cli, StatusArgs};
use crate::health::feeds::View;

pub(crate) fn exec(cli: &Cli, args: &StatusArgs) -> Result<Exit, CommandError> {
    let config = load_config(cli)?;
    let now = chrono::Utc::now();
    let view = if args.html.is_some() {
        View::Page
    } else {
        View::Status
    };
    let health = crate::health::feeds::read(&config, now, view).map_err(CommandError::store)?;
    if let Some(file) = &args.html {
        crate::health::page::write_page(
            &health,
            now,
            crate::health::page::PageSite {
                timezone: config.timezone,
                language: crate::health::page::PageLanguage::of_site(&config),
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
