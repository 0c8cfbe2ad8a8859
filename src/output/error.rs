//! Why an output cannot be used: a template that does not compile or fails
//! on a sample (with its file, line and column), a template file that
//! cannot be read, a path feedimport will not write, a front matter that
//! does not read back.

use std::fmt;
use std::path::PathBuf;

/// A template that cannot work, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// The file, or the preset, or the config key the template is in.
    pub origin: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.origin)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for TemplateError {}

/// What keeps an output from being used.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("cannot read template {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `output.path` gave a path feedimport will not write.
    #[error("{origin}: the path {path:?} {reason}")]
    Path {
        origin: String,
        path: String,
        reason: &'static str,
    },
    /// A sample article's file does not read back as it was written.
    #[error("{origin}: {message}")]
    FrontMatter { origin: String, message: String },
    /// A feed whose output the run did not compile (every feed of the
    /// config is compiled when a run opens: a bug if it happens).
    #[error("its output settings were not compiled with the run's")]
    NotCompiled,
    /// Names the feeds the error concerns.
    #[error("feed \"{feed}\": {source}")]
    Feed {
        feed: String,
        #[source]
        source: Box<OutputError>,
    },
}

/// `error`, naming the feed it concerns.
pub(super) fn for_feed(feed: &str, error: OutputError) -> OutputError {
    OutputError::Feed {
        feed: feed.to_string(),
        source: Box::new(error),
    }
}

/// A minijinja error as ours: the origin, line and column, the message.
pub(super) fn template_error(
    error: &minijinja::Error,
    origin: &str,
    source: Option<&str>,
) -> TemplateError {
    let line = error.line();
    let column = error.range().and_then(|range| {
        let source = source?;
        let before = source.get(..range.start)?;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Some(before[line_start..].chars().count() + 1)
    });
    let mut message = error.kind().to_string();
    if let Some(detail) = error.detail() {
        message.push_str(": ");
        message.push_str(detail);
    }
    TemplateError {
        origin: error.name().unwrap_or(origin).to_string(),
        line,
        column,
        message,
    }
}
