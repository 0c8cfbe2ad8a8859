//! Leaf code that every layer may use, and that uses nothing of the crate
//! but itself: byte searches, text cut between words, escapes, the site's
//! locales, slugs, hashes, times for people, the error chain, the
//! folder sync and the spool that keeps big bodies out of memory.
//!
//! In: bytes, text, dates, errors. Out: text and positions. Pure but for
//! [`fs`] and [`spool`]; nothing here imports a stage.

pub(crate) mod bytes;
pub(crate) mod error_chain;
pub(crate) mod escape;
pub(crate) mod fs;
pub(crate) mod hash;
pub(crate) mod locale;
pub(crate) mod mojibake;
pub(crate) mod slug;
pub(crate) mod spool;
pub(crate) mod text;
pub(crate) mod when;

pub(crate) use error_chain::error_chain;
