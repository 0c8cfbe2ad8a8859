//! Why an output cannot be used: a template that does not compile or fails
//! on a sample (with its file, line and column), a template file that
//! cannot be read, a path feedimport will not write, a front matter that
//! does not read back. And whose fault a failure on a real item is
//! ([`Blame`]): the template's own (the run stops, exit 2) or the item's
//! values (that item is skipped, the run goes on).

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
    /// Whose fault it is, when it happens on a real item.
    pub blame: Blame,
}

/// Whose fault a template's failure is. Every template has rendered the
/// sample articles (hostile, empty) before a run writes anything, so a
/// failure on a real item comes from that item's values unless it is of a
/// kind no value can cause (a syntax error, an unknown filter, test,
/// function or method, a wrong count of arguments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blame {
    /// The template itself: no item can render with it.
    Template,
    /// The item's values: too many of them for the template's fuel, a
    /// value of a shape the template does not expect (an undefined
    /// attribute, an operation on it that fails), recursion too deep.
    Item,
}

impl Blame {
    fn of(kind: minijinja::ErrorKind) -> Blame {
        use minijinja::ErrorKind as K;
        match kind {
            K::SyntaxError
            | K::TemplateNotFound
            | K::TooManyArguments
            | K::MissingArgument
            | K::UnknownFilter
            | K::UnknownTest
            | K::UnknownFunction
            | K::UnknownMethod
            | K::BadEscape
            | K::BadInclude
            | K::InvalidDelimiter
            | K::UnknownBlock => Blame::Template,
            _ => Blame::Item,
        }
    }
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

impl OutputError {
    /// Whether this error, met on a real item, is that item's failure (its
    /// values), not the output's: every output has worked on the sample
    /// articles before the run writes, so a path refused for one item (it
    /// leads out, it is empty or no name) comes from that item's values,
    /// and so does a template failure of the kinds [`Blame`] gives items.
    pub(crate) fn blames_item(&self) -> bool {
        match self {
            OutputError::Template(error) => error.blame == Blame::Item,
            OutputError::Path { .. } => true,
            OutputError::Feed { source, .. } => source.blames_item(),
            OutputError::Read { .. }
            | OutputError::FrontMatter { .. }
            | OutputError::NotCompiled => false,
        }
    }
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
        blame: Blame::of(error.kind()),
    }
}
