//! Adding feeds to `feeds.toml` as a person would: new `[[feeds]]` tables
//! at the end, every byte before them (comments, layout, order) kept.
//!
//! In: the config file's path, and the feeds to add (name, URL, section,
//! tags). Out: the file rewritten once, atomically (a temporary file in the
//! same folder, flushed, renamed over it, with the file's permissions),
//! after the whole text passed the loader's validation. Fails with
//! [`EditError`]: the file cannot be read or is invalid, `feeds` is not
//! written as tables, the file or its folder is not writable, or the file
//! changed since it was read (another edit): then nothing is written.

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use url::Url;

use crate::config::{Config, ConfigError, Feeds, LoadOptions, check_tags, is_plain_segment};

/// A `[[feeds]]` table to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewFeed {
    pub(crate) name: String,
    pub(crate) url: Url,
    pub(crate) section: String,
    pub(crate) tags: Vec<String>,
}

/// The config file as read, to be added to.
#[derive(Debug)]
pub(crate) struct ConfigFile {
    /// The path as given, for messages and for the loader.
    path: PathBuf,
    /// Where the bytes live (a symbolic link followed): what is replaced.
    target: PathBuf,
    /// The bytes read; `None` when there was no file yet.
    original: Option<Vec<u8>>,
    text: String,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum EditError {
    #[error("cannot read config file {}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    Invalid(#[from] ConfigError),
    #[error(
        "{}: `feeds` is not written as [[feeds]] tables, so no table can be added after it: write each feed as a [[feeds]] table",
        .path.display()
    )]
    NotTables { path: PathBuf },
    #[error("cannot write config file {}; nothing was changed", .path.display())]
    NotWritable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "config file {} changed since it was read (edited meanwhile?); nothing was written: run the command again",
        .path.display()
    )]
    Changed { path: PathBuf },
}

impl EditError {
    /// Whether trying again may work (the file changed meanwhile), rather
    /// than the input or the file being at fault.
    pub(crate) fn is_transient(&self) -> bool {
        matches!(self, EditError::Changed { .. })
    }
}

impl ConfigFile {
    /// Reads the file at `path`; a missing file reads as an empty one (it
    /// is created by [`ConfigFile::write`]).
    pub(crate) fn read(path: &Path) -> Result<ConfigFile, EditError> {
        let read_error = |source| EditError::Read {
            path: path.to_path_buf(),
            source,
        };
        let original = match std::fs::read(path) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(read_error(e)),
        };
        let target = match original {
            Some(_) => std::fs::canonicalize(path).map_err(read_error)?,
            None => std::path::absolute(path).map_err(read_error)?,
        };
        let text = match &original {
            Some(bytes) => String::from_utf8(bytes.clone()).map_err(|_| {
                read_error(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the file is not UTF-8 text",
                ))
            })?,
            None => String::new(),
        };
        Ok(ConfigFile {
            path: path.to_path_buf(),
            target,
            original,
            text,
        })
    }

    /// The configuration as it stands, validated as a run would (a file
    /// that lists no feed yet is accepted).
    pub(crate) fn config(&self, options: LoadOptions) -> Result<Config, EditError> {
        let config = Config::from_text(&self.text, &self.path, options, Feeds::MayBeNone)?;
        // `feeds = [{ … }]` is valid, but a [[feeds]] table after it is not.
        let document: toml_edit::DocumentMut = self.text.parse().map_err(|_| {
            EditError::Invalid(ConfigError::Invalid {
                path: self.path.clone(),
                line: None,
                feed: None,
                message: "the file is not valid TOML".to_string(),
            })
        })?;
        if document
            .get("feeds")
            .is_some_and(|feeds| !feeds.is_array_of_tables())
        {
            return Err(EditError::NotTables {
                path: self.path.clone(),
            });
        }
        Ok(config)
    }

    /// The file's text with `feeds` added at the end, checked by the loader
    /// as `run` and `check` will read it.
    pub(crate) fn with_feeds(
        &self,
        feeds: &[NewFeed],
        options: LoadOptions,
    ) -> Result<String, EditError> {
        let text = appended(&self.text, feeds);
        Config::from_text(&text, &self.path, options, Feeds::AtLeastOne)?;
        Ok(text)
    }

    /// Replaces the file with `text` atomically, unless it changed since it
    /// was read; see the module's summary.
    pub(crate) fn write(&self, text: &str) -> Result<(), EditError> {
        let not_writable = |source| EditError::NotWritable {
            path: self.path.clone(),
            source,
        };
        // A read-only file says "do not edit me", even in a folder where a
        // rename would get around it.
        let permissions = match &self.original {
            Some(_) => {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&self.target)
                    .map_err(not_writable)?;
                Some(file.metadata().map_err(not_writable)?.permissions())
            }
            None => None,
        };
        let folder = self.target.parent().unwrap_or(Path::new("."));
        let mut builder = tempfile::Builder::new();
        builder.prefix(".feeds-edit-").suffix(".tmp");
        #[cfg(unix)]
        {
            // A new file is created as an editor's would be: 0666 less the
            // umask (tempfile's own default, 0600, would hide it).
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let mut temp = builder.tempfile_in(folder).map_err(not_writable)?;
        temp.write_all(text.as_bytes()).map_err(not_writable)?;
        if let Some(permissions) = permissions {
            temp.as_file()
                .set_permissions(permissions)
                .map_err(not_writable)?;
        }
        temp.as_file().sync_all().map_err(not_writable)?;
        // Last look before the rename: an edit made since the file was read
        // is never overwritten.
        let now = match std::fs::read(&self.target) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(not_writable(e)),
        };
        if now != self.original {
            return Err(EditError::Changed {
                path: self.path.clone(),
            });
        }
        let persisted = match self.original {
            Some(_) => temp.persist(&self.target).map(drop),
            // A file created meanwhile is not replaced either.
            None => temp.persist_noclobber(&self.target).map(drop),
        };
        persisted.map_err(|e| {
            if e.error.kind() == io::ErrorKind::AlreadyExists {
                EditError::Changed {
                    path: self.path.clone(),
                }
            } else {
                not_writable(e.error)
            }
        })?;
        crate::util::fs::sync_dir(folder).map_err(not_writable)
    }
}

/// `text` with `feeds` as `[[feeds]]` tables after it, one blank line
/// before each; `text` itself is kept byte for byte.
pub(crate) fn appended(text: &str, feeds: &[NewFeed]) -> String {
    let mut out = String::with_capacity(text.len() + feeds.len() * 128);
    out.push_str(text);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    for feed in feeds {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&feed_table(feed));
    }
    out
}

/// One `[[feeds]]` table, its values written (quoted, escaped) by
/// toml_edit.
pub(crate) fn feed_table(feed: &NewFeed) -> String {
    let mut table = toml_edit::Table::new();
    table["name"] = toml_edit::value(feed.name.as_str());
    table["url"] = toml_edit::value(feed.url.as_str());
    table["section"] = toml_edit::value(feed.section.as_str());
    if !feed.tags.is_empty() {
        table["tags"] = toml_edit::value(toml_edit::Array::from_iter(feed.tags.iter()));
    }
    let mut tables = toml_edit::ArrayOfTables::new();
    tables.push(table);
    let mut document = toml_edit::DocumentMut::new();
    document["feeds"] = toml_edit::Item::ArrayOfTables(tables);
    document.to_string()
}

/// `wanted`, or `wanted (2)`, `wanted (3)`… : the first that no feed in
/// `taken` has (names must be unique); the name chosen is added to `taken`.
pub(crate) fn unique_name(wanted: &str, taken: &mut HashSet<String>) -> String {
    let mut name = wanted.to_string();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{wanted} ({n})");
        n += 1;
    }
    taken.insert(name.clone());
    name
}

/// A feed's name as the config wants it: one line of plain text, trimmed;
/// `None` when nothing is left.
pub(crate) fn clean_name(text: &str) -> Option<String> {
    let name = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!name.is_empty()).then_some(name)
}

/// Checks a section and tags given on the command line, as the loader
/// would; the message names the option.
pub(crate) fn check_options(section: Option<&str>, tags: &[String]) -> Result<(), String> {
    if let Some(section) = section
        && !is_plain_segment(section)
    {
        return Err(format!(
            "--section `{section}` must be a plain lowercase path segment (a-z, 0-9, '-' and '_', starting with a letter or digit), such as \"papers\""
        ));
    }
    check_tags(tags).map_err(|m| format!("--tags: {m}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(name: &str, url: &str) -> NewFeed {
        NewFeed {
            name: name.to_string(),
            url: Url::parse(url).unwrap(),
            section: "papers".to_string(),
            tags: Vec::new(),
        }
    }

    const COMMENTED: &str = "# The site's feeds.\ntimezone = \"Europe/Paris\"  # Paris time\n\n[[feeds]]\nname = \"A\"\nurl = \"https://a.example/feed\"\nsection = \"papers\"\n# interval = \"30m\"   # kept as it was\n";

    #[test]
    fn tables_are_appended_and_every_byte_before_them_is_kept() {
        let mut b = feed(
            "Quote \" and \\ backslash — é",
            "https://b.example/rss?x=1&y=2",
        );
        b.tags = vec!["Radiologie".to_string(), "a \"b\"".to_string()];
        let text = appended(COMMENTED, &[b.clone(), feed("C", "https://c.example/")]);
        assert!(text.starts_with(COMMENTED), "{text}");
        let config = Config::from_text(
            &text,
            Path::new("/site/feeds.toml"),
            LoadOptions::default(),
            Feeds::AtLeastOne,
        )
        .unwrap();
        let read: Vec<(String, String, Vec<String>)> = config
            .feeds
            .iter()
            .map(|f| (f.name.clone(), f.source.to_string(), f.tags.clone()))
            .collect();
        assert_eq!(
            read,
            [
                (
                    "A".to_string(),
                    "https://a.example/feed".to_string(),
                    vec![]
                ),
                (b.name.clone(), b.url.to_string(), b.tags.clone()),
                ("C".to_string(), "https://c.example/".to_string(), vec![]),
            ]
        );
        // A file without a final newline, and an empty one.
        let text = appended("tags = [\"x\"]", &[feed("C", "https://c.example/")]);
        assert!(text.starts_with("tags = [\"x\"]\n\n[[feeds]]\n"), "{text}");
        let text = appended("", &[feed("C", "https://c.example/")]);
        assert!(text.starts_with("[[feeds]]\n"), "{text}");
    }

    #[test]
    fn names_are_made_unique_and_clean() {
        let mut taken: HashSet<String> = ["Blog".to_string(), "Blog (2)".to_string()].into();
        assert_eq!(unique_name("Blog", &mut taken), "Blog (3)");
        assert_eq!(unique_name("Blog", &mut taken), "Blog (4)");
        assert_eq!(unique_name("Other", &mut taken), "Other");
        assert_eq!(unique_name("Other", &mut taken), "Other (2)");
        assert_eq!(
            clean_name("  A\n\tnews\u{7}  feed ").as_deref(),
            Some("A news feed")
        );
        assert_eq!(clean_name(" \n "), None);
    }

    #[test]
    fn options_are_checked_as_the_loader_checks_keys() {
        assert!(check_options(Some("papers"), &["x".to_string()]).is_ok());
        for bad in ["../etc", "Papers", "a/b", ".hidden", ""] {
            let err = check_options(Some(bad), &[]).unwrap_err();
            assert!(err.contains("--section"), "{err}");
        }
        let err = check_options(None, &[" ".to_string()]).unwrap_err();
        assert!(err.contains("--tags") && err.contains("empty"), "{err}");
    }

    #[test]
    fn feeds_written_inline_cannot_be_added_to() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feeds.toml");
        std::fs::write(
            &path,
            "feeds = [{ name = \"A\", url = \"https://a.example/\", section = \"p\" }]\n",
        )
        .unwrap();
        let file = ConfigFile::read(&path).unwrap();
        let err = file.config(LoadOptions::default()).unwrap_err();
        assert!(matches!(err, EditError::NotTables { .. }), "{err}");
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feeds.toml");
        std::fs::write(&path, COMMENTED).unwrap();
        let file = ConfigFile::read(&path).unwrap();
        let text = file
            .with_feeds(&[feed("B", "https://b.example/")], LoadOptions::default())
            .unwrap();
        std::fs::write(&path, format!("{COMMENTED}# an edit\n")).unwrap();
        let err = file.write(&text).unwrap_err();
        assert!(matches!(err, EditError::Changed { .. }), "{err}");
        assert!(err.is_transient());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("{COMMENTED}# an edit\n")
        );
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

        // Read again, it is written, keeping the file's mode.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        let file = ConfigFile::read(&path).unwrap();
        let text = file
            .with_feeds(&[feed("B", "https://b.example/")], LoadOptions::default())
            .unwrap();
        file.write(&text).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
    }

    #[test]
    fn a_file_created_meanwhile_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feeds.toml");
        let file = ConfigFile::read(&path).unwrap();
        let text = file
            .with_feeds(&[feed("B", "https://b.example/")], LoadOptions::default())
            .unwrap();
        std::fs::write(&path, "# someone else's\n").unwrap();
        let err = file.write(&text).unwrap_err();
        assert!(matches!(err, EditError::Changed { .. }), "{err}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "# someone else's\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_followed_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.toml");
        std::fs::write(&real, COMMENTED).unwrap();
        let link = dir.path().join("feeds.toml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let file = ConfigFile::read(&link).unwrap();
        let text = file
            .with_feeds(&[feed("B", "https://b.example/")], LoadOptions::default())
            .unwrap();
        file.write(&text).unwrap();
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), text);
    }
}
