//! The one place that knows the order of the stages.
//!
//! A run, step by step ([`run::run`] reads as this list):
//! 1. open the run: the lock, stale files cleared, the state opened (and
//!    learnt from the content folder when new), the HTTP client ([`open`]);
//! 2. plan: which feeds are due ([`gather::plan`]);
//! 3. gather: every due feed fetched → parsed → extracted, several at once,
//!    handed over in config order ([`gather`]);
//! 4. prepare, a few feeds ahead of the writing: keep the new items
//!    ([`select`]), read their article pages for missing images ([`pages`]),
//!    build their articles ([`crate::article`]);
//! 5. per feed, in config order: write the files ([`crate::write`]), then
//!    record what the fetch taught (validators, schedule, health:
//!    [`crate::schedule`]).
//!
//! Fails with [`RunError`] only when the run cannot go on (config, lock,
//! state or content folder); a failing feed is a line in the [`crate::report::Report`].

pub(crate) mod backfill;
pub(crate) mod error;
pub(crate) mod forget;
mod gather;
mod open;
mod pages;
pub(crate) mod paging;
pub(crate) mod probe;
pub(crate) mod run;
mod select;

pub(crate) use backfill::{BackfillOptions, Ended, backfill};
pub(crate) use error::RunError;
pub use gather::{ReadFeed, read_feed};
pub(crate) use open::compile_outputs;
pub(crate) use run::{Progress, RunOptions, Silent, run};
