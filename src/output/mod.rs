//! Article files in the site's own format: a template (minijinja, Jinja2
//! syntax) for the file's text, one for its path inside the content folder
//! and one for its permalink.
//!
//! In: the `[output]` settings of each feed, resolved by [`crate::config`]
//! into an `OutputSpec`, and articles. Out: per feed an [`OutputFormat`]
//! that names an article's file and permalink and writes its text. The
//! templates of a run are compiled once, when the run opens, and each is
//! tried on sample articles then (hostile values and empty ones), so that
//! a template that cannot work stops the run before anything is written.
//! Fails with [`OutputError`]: a template that does not compile or fails on
//! a sample (naming its file, line and column), an unknown filter or
//! variable, a loop that never ends (out of fuel), a path that would lead
//! out of the content folder, a front matter that does not read back.

//! The files: [`compile`] (the run's templates, compiled and tried once),
//! [`mod@format`] (an article's name and text), [`filters`] (how templates
//! write values), [`content`] (the full text made safe),
//! [`front_matter`] (reading front matter back, the sample articles'
//! check), [`error`].

mod commonmark;
pub(crate) mod compile;
pub(crate) mod content;
pub(crate) mod error;
mod filters;
mod flatten;
pub(crate) mod format;
pub(crate) mod front_matter;

pub use crate::config::output::Preset;
pub(crate) use compile::{Outputs, sample_file};
pub use error::{Blame, OutputError, TemplateError};
pub use format::OutputFormat;
pub(crate) use format::{ARTICLE_EXTENSIONS, FirstTry};
pub(crate) use front_matter::ReadBack;

#[cfg(test)]
#[path = "../../tests/common/markdown.rs"]
mod markdown;

#[cfg(test)]
mod tests;
