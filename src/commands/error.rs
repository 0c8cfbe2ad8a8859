//! How a command ends: the process's exit codes, and the one error type
//! every command returns, which carries its exit code and is printed once,
//! with its causes, by [`super::execute`].

use std::error::Error;
use std::fmt;

use crate::config::ConfigError;
use crate::config::edit::EditError;
use crate::pipeline::RunError;
use crate::pipeline::forget::ForgetError;
use crate::util::error_chain;

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

/// Why a command could not do what it was asked: what to print (the error
/// and its causes, on one line) and how the process exits.
#[derive(Debug)]
pub(crate) struct CommandError {
    exit: Exit,
    /// What the command was doing, printed before the error (a file's
    /// name, say); empty when the error says it all.
    context: String,
    error: Box<dyn Error + Send + Sync>,
    /// What to do, or what was left as it was, printed after the error;
    /// empty when the error says it.
    hint: String,
    /// Routine for a timer (another run holds the lock): not printed with
    /// `-q`, the exit code says it.
    routine: bool,
}

/// A message that is the whole error.
#[derive(Debug)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for Message {}

impl CommandError {
    /// `error`, exiting with `exit`.
    pub(crate) fn new(exit: Exit, error: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        CommandError {
            exit,
            context: String::new(),
            error: error.into(),
            hint: String::new(),
            routine: false,
        }
    }

    /// A mistake on the command line or in a file it names (exit 2).
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        CommandError::new(Exit::Usage, Message(message.into()))
    }

    /// The state, the content folder or the machine cannot be used (exit 3).
    pub(crate) fn store(error: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        CommandError::new(Exit::Store, error)
    }

    /// Says what the command was doing when the error happened.
    pub(crate) fn context(mut self, context: impl fmt::Display) -> Self {
        self.context = context.to_string();
        self
    }

    /// Says what to do, or what was left as it was.
    pub(crate) fn hint(mut self, hint: impl fmt::Display) -> Self {
        self.hint = hint.to_string();
        self
    }

    /// How the process exits.
    pub(crate) fn exit(&self) -> Exit {
        self.exit
    }

    /// The line printed for it, after `feedimport: `.
    pub(crate) fn line(&self) -> String {
        let mut line = String::new();
        if !self.context.is_empty() {
            line.push_str(&self.context);
            line.push_str(": ");
        }
        line.push_str(&error_chain(self.error.as_ref()));
        if !self.hint.is_empty() {
            line.push_str("; ");
            line.push_str(&self.hint);
        }
        line
    }

    /// Whether `-q` keeps it unprinted.
    pub(crate) fn is_routine(&self) -> bool {
        self.routine
    }
}

impl From<ConfigError> for CommandError {
    fn from(error: ConfigError) -> Self {
        CommandError::new(Exit::Usage, error)
    }
}

impl From<RunError> for CommandError {
    fn from(error: RunError) -> Self {
        let exit = match &error {
            RunError::Config(_) | RunError::FeedChoice(_) | RunError::Output(_) => Exit::Usage,
            RunError::Locked(_) => Exit::Locked,
            RunError::Store(_) | RunError::LockWait(_) | RunError::Client(_) => Exit::Store,
        };
        let routine = matches!(error, RunError::Locked(_));
        CommandError {
            routine,
            ..CommandError::new(exit, error)
        }
    }
}

impl From<ForgetError> for CommandError {
    fn from(error: ForgetError) -> Self {
        let exit = match &error {
            ForgetError::Usage(_) => Exit::Usage,
            ForgetError::Locked(_) => Exit::Locked,
            ForgetError::Store(_) => Exit::Store,
        };
        CommandError::new(exit, error)
    }
}

impl From<EditError> for CommandError {
    /// A file edited meanwhile may do better later (1); anything else is
    /// the config's or the input's (2).
    fn from(error: EditError) -> Self {
        let exit = if error.is_transient() {
            Exit::FeedFailed
        } else {
            Exit::Usage
        };
        CommandError::new(exit, error)
    }
}
