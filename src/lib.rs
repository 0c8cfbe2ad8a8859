//! feedimport: RSS, Atom and JSON feeds in, a static site's article files out.
//!
//! The pipeline in five lines ([`pipeline`] is the one place that knows it):
//! 1. [`config`] reads `feeds.toml`;
//! 2. [`fetch`] gets every feed's bytes, several at once;
//! 3. [`parse`] turns bytes into a feed and [`extract`] each entry into a draft;
//! 4. [`permalink`] and [`render`] make each new draft the site's Markdown file;
//! 5. [`mod@write`] and [`store`] write the files atomically and remember
//!    what was imported, and [`report`] says what happened.
//!
//! Around it: [`schedule`] decides when a feed is due, [`address`] keeps
//! article-page fetches on public hosts, [`status`] and [`check`] tell an
//! operator how the feeds are doing.
//!
//! Beneath the stages: [`dates`] reads the dates that feeds write (for
//! [`parse`]), [`text`] cuts text between words (for [`extract`] and
//! [`permalink`]).

pub mod address;
pub mod article;
pub(crate) mod bytes;
pub mod check;
pub mod cli;
pub mod config;
pub mod dates;
pub mod extract;
pub mod fetch;
pub mod parse;
pub mod permalink;
pub mod pipeline;
pub mod render;
pub mod report;
pub mod schedule;
pub mod status;
pub mod store;
pub mod text;
pub mod write;

/// The process's exit codes, as the README documents them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every feed was read (imported or unchanged).
    Ok = 0,
    /// Some feed failed; the others were imported.
    FeedFailed = 1,
    /// Bad usage or configuration.
    Usage = 2,
    /// The state or the content folder cannot be used.
    Store = 3,
    /// Another run holds the lock (EX_TEMPFAIL).
    Locked = 75,
    /// Stopped by a signal; what was done is saved.
    Interrupted = 130,
}
