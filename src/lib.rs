//! feedimport: RSS, Atom and JSON feeds in, a static site's article files out.
//!
//! The pipeline in five lines ([`pipeline`] is the one place that knows it):
//! 1. [`config`] reads `feeds.toml`;
//! 2. [`fetch`] gets every feed's bytes, several at once;
//! 3. [`parse`] turns bytes into a feed and [`extract`] each entry into a
//!    draft;
//! 4. [`article`] makes each new draft an article card (the image, the
//!    tags, the credit), and [`output`] names it and writes its text in the
//!    site's format (templates, presets, locales);
//! 5. [`mod@write`] writes the files atomically, [`store`] remembers what
//!    was imported, and [`report`] says what happened.
//!
//! The folders are the layers, lowest first; a module imports only from
//! the layers below it (a test holds this, `tests/architecture.rs`):
//! - [`util`]: leaf code every layer may use (byte searches, text cut
//!   between words, escapes, locales, slugs, hashes, the error chain);
//! - [`config`], [`parse`], [`extract`], [`store`]: the config (and its
//!   edits and OPML), the feed parser, the editorial reading of one item,
//!   the SQLite state and the run lock;
//! - [`fetch`] (the network, the address rule, finding a site's feed) and
//!   [`article`];
//! - [`output`], [`schedule`] (when a feed is due, whether it is failing),
//!   [`report`];
//! - [`mod@write`]: every file written (articles, updates of untouched
//!   ones, the content folder read back);
//! - [`pipeline`] (the run's recipe, `backfill`, `check --online`'s probe,
//!   `forget`) and [`health`] (one read model of the feeds' health, rendered
//!   by `status`, the health page and the metrics file);
//! - [`cli`], then [`commands`]: one file per command, the only place that
//!   prints or knows an exit code.

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
pub use article::{Article, ArticleImage, ArticleSettings, Enclosure, FeedAbout, build_article};
pub use extract::{
    DateSource, DocumentInfo, DraftEnclosure, FeedContext, ItemDraft, SkippedItem, extract_entries,
    extract_items, html_to_text, preview_image, without_tracking,
};
pub use output::content::{SafeContent, safe_content};
pub use output::format::Placement;
pub use output::{Blame, OutputError, OutputFormat, Preset, TemplateError};
pub use parse::{ParseError, ParseFailure, ParsedFeed, parse_feed, repair::Fix};
pub use pipeline::{ReadFeed, read_feed};
pub use store::{ImportRecord, State, StoreError};
pub use util::escape::markdown_text;
pub use util::slug::title_slug;
pub use util::spool::{Body, HeldText};
