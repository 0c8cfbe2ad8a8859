//! A site whose files a run as another user (root, once, by hand) left
//! behind: the service user's run fails with exit 3 and says whose they
//! are and how to give them back, for the content folder, the state
//! folder and the metrics file's folder. Switching users needs root: the
//! tests are ignored, and `.ci/run` runs them as root.

mod common;

use std::os::unix::fs::chown;
use std::path::Path;
use std::process::{Command, Output};

use common::requires;
use common::*;

const EXAMPLE_FEED: &str = include_str!("fixtures/interventional-news.xml");
const NOBODY: u32 = 65534;

/// `feedimport ARGS` as `nobody`, in `site`.
fn run_as_nobody(site: &Path, args: &[&str]) -> Output {
    Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN])
        .args(args)
        .current_dir(site)
        .env_remove("FEEDIMPORT_CONFIG")
        .output()
        .unwrap()
}

/// Gives `path` and everything under it to `uid`.
fn give(path: &Path, uid: u32) {
    chown(path, Some(uid), Some(uid)).unwrap();
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            give(&entry.unwrap().path(), uid);
        }
    }
}

/// A site of one saved feed, all of it `nobody`'s but `root_owned`, which
/// root created.
fn site_with_root_owned(root_owned: &str) -> Site {
    let mut text = String::from("metrics_file = \"metrics/feedimport.prom\"\n");
    text.push_str(&config(&[("News", "feed.xml", "papers")]));
    let site = Site::new(&text);
    site.write("feed.xml", EXAMPLE_FEED);
    give(site.path(), NOBODY);
    std::fs::create_dir_all(site.path().join(root_owned)).unwrap();
    site
}

#[test]
#[ignore = "needs root: runs the import as another user (setpriv); .ci/run runs it as root"]
fn files_left_by_another_user_are_named_with_their_owner_and_the_fix() {
    requires::switch_user();
    for (root_owned, named) in [
        ("content/papers", "content"),
        (".feedimport", ".feedimport"),
        ("metrics", "metrics"),
    ] {
        let site = site_with_root_owned(root_owned);
        let output = run_as_nobody(site.path(), &["run"]);
        let said = stderr(&output);
        let expected_exit = if root_owned == "metrics" { 0 } else { 3 };
        assert_eq!(
            output.status.code(),
            Some(expected_exit),
            "{root_owned}: {said}"
        );
        let top = site.path().join(named);
        assert!(
            said.contains(
                "belongs to root, mode 0755, and feedimport runs as nobody: was it run once as root?"
            ) && said.contains(&format!("`sudo chown -R nobody {}`", top.display())),
            "{root_owned}: {said}"
        );
    }
    // The health page's folder, left by root, the same way (named as the
    // command line gave it).
    let site = site_with_root_owned("public");
    let output = run_as_nobody(site.path(), &["status", "--html", "public/health.html"]);
    let said = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{said}");
    assert!(
        said.contains("belongs to root, mode 0755, and feedimport runs as nobody")
            && said.contains("`sudo chown -R nobody public`"),
        "{said}"
    );
}

/// Root, running the import by hand on a site the service user owns, is
/// refused with the command to use instead: nothing is written, so the
/// service's next run is not broken. A dry run writes nothing and goes on;
/// `--allow-root` writes all the same.
#[test]
#[ignore = "needs root: the refusal is of a run as root on another user's site; .ci/run runs it as root"]
fn root_is_refused_on_another_users_site() {
    requires::root("run the import as root on a site that another user owns");
    let site = Site::new(&config(&[("News", "feed.xml", "papers")]));
    site.write("feed.xml", EXAMPLE_FEED);
    give(site.path(), NOBODY);
    let config_path = site.path().join("feeds.toml");
    let config_arg = config_path.to_str().unwrap();
    let output = site.run(&["--config", config_arg, "run"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let said = stderr(&output);
    assert!(
        said.contains("feedimport runs as root, and the site belongs to nobody")
            && said.contains(&format!(
                "`sudo -u nobody feedimport --config {config_arg} run`"
            ))
            && said.contains("--allow-root"),
        "{said}"
    );
    assert!(!site.path().join("content").exists());
    assert!(!site.path().join(".feedimport").exists());
    // Nothing written: the service user's own run works.
    let output = run_as_nobody(site.path(), &["run"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Every command that writes into the site is refused the same way.
    for args in [
        vec!["backfill", "News"],
        vec!["forget", "https://news.example.org/a/1"],
    ] {
        let output = site.run(&args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("feedimport runs as root, and the site belongs to nobody"),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    // A dry run is not refused.
    let output = site.run(&["run", "--dry-run", "--force"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Told otherwise, root writes.
    let output = site.run(&["--allow-root", "run", "--force"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}
