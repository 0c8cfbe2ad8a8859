//! Article files: atomic, never-overwriting writes and reading back the front
//! matter of files already in the content folder.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

use serde::Deserialize;

/// What happened to a file we meant to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    Written,
    /// A file of that name exists; it was left as it is.
    AlreadyExists,
}

/// Writes `contents` to `dir/name` atomically: a temporary file in the same
/// folder, flushed to disk, then linked into place only if no file of that
/// name exists. A crash leaves either no file or the whole file, and an
/// existing file (an editor's edit) is never replaced.
pub fn write_new_file(dir: &Path, name: &str, contents: &[u8]) -> io::Result<WriteOutcome> {
    let target = dir.join(name);
    if target.symlink_metadata().is_ok() {
        return Ok(WriteOutcome::AlreadyExists);
    }
    let mut temp = tempfile::Builder::new()
        .prefix(".feedimport-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(contents)?;
    temp.as_file().sync_data()?;
    match temp.persist_noclobber(&target) {
        Ok(_) => Ok(WriteOutcome::Written),
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Ok(WriteOutcome::AlreadyExists),
        Err(e) => Err(e.error),
    }
}

/// Flushes a folder's entries (new names) to disk.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// The front matter keys feedimport reads back from existing articles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct FrontMatterRef {
    #[serde(rename = "sourceUrl", default)]
    pub source_url: Option<String>,
    #[serde(default)]
    pub permalink: Option<String>,
}

/// Reads the YAML front matter of the Markdown file at `path`. `Ok(None)`
/// when the file has no front matter or it is not valid YAML.
pub fn read_front_matter(path: &Path) -> io::Result<Option<FrontMatterRef>> {
    let text = std::fs::read_to_string(path)?;
    Ok(parse_front_matter(&text))
}

fn parse_front_matter(text: &str) -> Option<FrontMatterRef> {
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let end = rest.match_indices("\n---").map(|(i, _)| i).find(|&i| {
        let after = &rest[i + 4..];
        after.is_empty() || after.starts_with('\n') || after.starts_with("\r\n")
    })?;
    serde_yaml::from_str(&rest[..=end]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            write_new_file(dir.path(), "a.md", b"one").unwrap(),
            WriteOutcome::Written
        );
        assert_eq!(
            write_new_file(dir.path(), "a.md", b"two").unwrap(),
            WriteOutcome::AlreadyExists
        );
        assert_eq!(std::fs::read(dir.path().join("a.md")).unwrap(), b"one");
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.md"]);
    }

    #[test]
    fn front_matter_is_read_with_the_yaml_parser() {
        let text = "---\ntitle: \"a\"\nsourceUrl: \"https://ex.org/a\"\npermalink: \"/p/x\"\n---\n\nbody\n---\n";
        assert_eq!(
            parse_front_matter(text),
            Some(FrontMatterRef {
                source_url: Some("https://ex.org/a".into()),
                permalink: Some("/p/x".into()),
            })
        );
        assert_eq!(parse_front_matter("no front matter"), None);
        assert_eq!(parse_front_matter("---\n: : bad\n  - [\n---\n"), None);
        // Edited by hand, in another style: still read.
        assert_eq!(
            parse_front_matter("---\nsourceUrl: https://ex.org/b\n---\n")
                .unwrap()
                .source_url
                .as_deref(),
            Some("https://ex.org/b")
        );
    }
}
