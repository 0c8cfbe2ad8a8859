//! `status` for anyone who may read the state: an admin other than the
//! service user reads it without writing anything, whether a run left the
//! write-ahead log behind or not. Run as another user (`nobody`), which
//! needs root to switch to: the tests are ignored, and `.ci/run` runs them
//! as root.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use common::requires;
use common::*;

const EXAMPLE_FEED: &str = include_str!("fixtures/interventional-news.xml");

/// `feedimport status` run as `nobody`, who may read the site but write
/// nothing in it.
fn status_as_nobody(site: &Path) -> Output {
    Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN])
        .arg("--config")
        .arg(site.join("feeds.toml"))
        .arg("status")
        .output()
        .unwrap()
}

/// A site imported by root, readable by others and writable by none.
fn imported_site() -> Site {
    let site = Site::new(&config(&[("News", "feed.xml", "papers")]));
    site.write("feed.xml", EXAMPLE_FEED);
    site.import(&[], 0);
    for dir in [site.path(), &site.path().join(".feedimport")] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    site
}

fn files_of(dir: &Path) -> Vec<(String, u64)> {
    let mut files: Vec<(String, u64)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().len(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
#[ignore = "needs root: runs `status` as another user (setpriv); .ci/run runs it as root"]
fn another_user_reads_the_status_without_writing() {
    requires::switch_user();
    let site = imported_site();
    let state_dir = site.path().join(".feedimport");
    let before = files_of(&state_dir);
    let output = status_as_nobody(site.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("articles: 1 in all"),
        "{}",
        stdout(&output)
    );
    assert_eq!(files_of(&state_dir), before, "status wrote nothing");
}

#[test]
#[ignore = "needs root: runs `status` as another user (setpriv); .ci/run runs it as root"]
fn another_user_reads_the_status_while_the_log_is_there() {
    requires::switch_user();
    let site = imported_site();
    // A connection of the service user keeps the write-ahead log and its
    // index in place, as a run going on does.
    let holder = rusqlite::Connection::open(site.path().join(".feedimport/state.sqlite3")).unwrap();
    holder
        .query_row("SELECT count(*) FROM items", [], |row| row.get::<_, i64>(0))
        .unwrap();
    let state_dir = site.path().join(".feedimport");
    assert!(
        state_dir.join("state.sqlite3-shm").exists(),
        "{:?}",
        files_of(&state_dir)
    );
    let before = files_of(&state_dir);
    let output = status_as_nobody(site.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("articles: 1 in all"),
        "{}",
        stdout(&output)
    );
    assert_eq!(files_of(&state_dir), before, "status wrote nothing");
    drop(holder);
}
