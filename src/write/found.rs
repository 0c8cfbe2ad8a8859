//! Articles already in the content folder: what a new state learns from
//! them, so that nothing there is imported again after the state was lost.
//!
//! In: the content folder and the keys under which the outputs write the
//! source URL and the permalink ([`ReadBack`]). Out: each article file's
//! path, source URL and permalink, recorded in the state. Files without a
//! readable front matter are named in a warning and left out; fails only
//! with the state's [`StoreError`].

use std::io;
use std::path::{Path, PathBuf};

use crate::output::{ARTICLE_EXTENSIONS, ReadBack};
use crate::store::{FoundArticle, State, StoreError};

/// Learns what `content_dir` holds: every article file (`*.md` and the
/// other article extensions, hidden entries and symbolic links skipped)
/// with its front matter, recorded in `state` in path order. Files are read
/// a chunk at a time on every core. Returns how many articles it found.
pub(crate) fn learn_from_content(
    state: &State,
    content_dir: &Path,
    read_back: &ReadBack,
    imported_at: &str,
) -> Result<usize, StoreError> {
    let mut files = Vec::new();
    collect_markdown_files(content_dir, &mut files);
    // Byte order is key order (every key is `file:` and the relative path).
    files.sort_unstable_by(|a, b| {
        a.as_os_str()
            .as_encoded_bytes()
            .cmp(b.as_os_str().as_encoded_bytes())
    });
    let chunks = files.chunks(RECONCILE_CHUNK).map(|chunk| {
        chunk
            .iter()
            .zip(read_front_matters(chunk, read_back))
            .filter_map(|(file, front)| found_article(content_dir, file, front))
            .collect()
    });
    state.record_found_articles(chunks, imported_at)
}

/// The article at `file`, or a warning saying why it is not one.
fn found_article(
    content_dir: &Path,
    file: &Path,
    front: io::Result<Option<FrontMatterRef>>,
) -> Option<FoundArticle> {
    let front = match front {
        Ok(Some(front)) => front,
        Ok(None) => {
            tracing::warn!(file = %file.display(), "no readable front matter; not counted as imported");
            return None;
        }
        Err(e) => {
            tracing::warn!(file = %file.display(), error = %e, "cannot read article file");
            return None;
        }
    };
    let path = file
        .strip_prefix(content_dir)
        .unwrap_or(file)
        .to_string_lossy()
        .into_owned();
    Some(FoundArticle {
        path,
        source_url: front.source_url,
        permalink: front.permalink,
    })
}

/// Files read (on every core) before their records are written.
pub(crate) const RECONCILE_CHUNK: usize = 4096;

/// The front matter of each of `files`, in order, read on as many threads as
/// there are cores.
fn read_front_matters(
    files: &[PathBuf],
    read_back: &ReadBack,
) -> Vec<std::io::Result<Option<FrontMatterRef>>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let per_thread = files.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let readers: Vec<_> = files
            .chunks(per_thread)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|f| read_front_matter(f, read_back))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        readers
            .into_iter()
            .flat_map(|reader| match reader.join() {
                Ok(fronts) => fronts,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// Every `*.md` below `dir`, not following symbolic links and skipping
/// hidden entries.
fn collect_markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            collect_markdown_files(&path, out);
        } else if kind.is_file()
            && path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| ARTICLE_EXTENSIONS.contains(&e))
        {
            out.push(path);
        }
    }
}

/// The front matter values feedimport reads back from existing articles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct FrontMatterRef {
    source_url: Option<String>,
    permalink: Option<String>,
}

/// Reads the front matter (YAML or TOML) of the article file at `path`,
/// under the keys `read_back` knows. `Ok(None)` when the file has no front
/// matter or it does not parse.
fn read_front_matter(path: &Path, read_back: &ReadBack) -> io::Result<Option<FrontMatterRef>> {
    let text = std::fs::read_to_string(path)?;
    Ok(read_back
        .read(&text)
        .map(|(source_url, permalink)| FrontMatterRef {
            source_url,
            permalink,
        }))
}

/// The source URL in the front matter of the article file at `path`, if it
/// can be read.
pub(crate) fn source_url_of(path: &Path, read_back: &ReadBack) -> Option<String> {
    read_front_matter(path, read_back)
        .ok()
        .flatten()
        .and_then(|front| front.source_url)
}

/// Does the article file at `path` come from `source_url`?
pub(crate) fn holds_source(path: &Path, source_url: &str, read_back: &ReadBack) -> bool {
    source_url_of(path, read_back).as_deref() == Some(source_url)
}
