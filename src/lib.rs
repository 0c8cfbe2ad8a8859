//! feedimport: RSS, Atom and JSON feeds in, a static site's article files out.
//!
//! The pipeline in five lines ([`pipeline`] is the one place that knows it):
//! 1. [`config`] reads `feeds.toml`;
//! 2. [`fetch`] gets every feed's bytes, several at once;
//! 3. [`parse`] turns bytes into a feed and [`extract`] each entry into a
//!    draft;
//! 4. [`article`] makes each new draft an article card (the image, the
//!    tags, the credit), and [`output`] names it and writes it in the
//!    site's format (templates, presets, locales);
//! 5. [`mod@write`] and [`store`] write the files atomically and remember
//!    what was imported, and [`report`] says what happened.
//!
//! Around it: [`schedule`] decides when a feed is due and what a fetch
//! changes in its record, [`address`] keeps fetches on the addresses they
//! may reach, [`status`] and [`check`] tell an operator how the feeds are
//! doing ([`health`] as a page, [`metrics`] as a file for Prometheus),
//! [`commands`] runs each command of the [`cli`]. [`manage`] adds
//! feeds to `feeds.toml` ([`discover`] finds a site's feed, [`opml`] reads
//! and writes OPML, [`config_edit`] appends to the file).
//!
//! Beneath the stages: [`dates`] reads the dates that feeds write (for
//! [`parse`]), [`text`] cuts text between words (for [`extract`] and
//! [`permalink`]), [`bytes`] holds the byte searches the scanners share,
//! [`when`] writes times for people (`status`, the summary line).

// The overview above names the private modules: these docs are read by the
// crate's developers (`cargo doc --document-private-items`), while the
// public surface below is only what the binary, the benches, the fuzz
// targets and the integration tests use.
#![allow(rustdoc::private_intra_doc_links)]

mod article;
pub mod cli;
mod commands;
mod config;
mod extract;
mod fetch;
mod health;
mod output;
mod parse;
mod pipeline;
mod report;
mod schedule;
mod store;
mod util;
mod write;

// The binary's surface: the command line and the commands.
pub use commands::error::Exit;
pub use commands::execute;

// The stages as functions, for the benches, the fuzz targets and the
// integration tests: parse → extract (or both, as a run does: `read_feed`),
// draft → article, article → file, and the state.
pub use article::{Article, ArticleSettings, Enclosure, FeedAbout, build_article};
pub use extract::{
    DateSource, DocumentInfo, DraftEnclosure, FeedContext, ItemDraft, SkippedItem, extract_entries,
    extract_items, html_to_text, preview_image, without_tracking,
};
pub use output::{OutputError, OutputFormat, Preset, TemplateError};
pub use parse::{ParseError, ParseFailure, ParsedFeed, parse_feed, repair::Fix};
pub use pipeline::{ReadFeed, read_feed};
pub use store::{ImportRecord, State, StoreError};
pub use util::escape::markdown_text;
pub use util::slug::title_slug;
