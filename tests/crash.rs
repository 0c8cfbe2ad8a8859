//! Crash and disk safety: a run killed at any moment (importing, or
//! writing articles again with `update = "untouched"`), a full disk and a
//! read-only content folder leave no partial file, no temporary file, no
//! duplicate, no article taken for an editor's, and a state that records
//! only what is on disk. The full-disk
//! and read-only tests mount a tmpfs, which needs root: they are ignored,
//! and `.ci/run` runs them (see `common/requires.rs`).

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::requires;
use common::*;

/// A feed of `count` dated items with summaries of `summary_len` characters.
fn big_feed(count: usize, summary_len: usize) -> String {
    let items: Vec<Item> = numbered_items(count)
        .into_iter()
        .enumerate()
        .map(|(i, item)| Item {
            description: Some(format!("Summary {i} {}", "x".repeat(summary_len))),
            ..item
        })
        .collect();
    rss(&items)
}

/// The config of a site whose one feed is `feed.xml`; article pages are
/// not read, so that no request leaves the machine.
fn local_config() -> String {
    config(&[("News", "feed.xml", "papers")]).replace(
        "section = \"papers\"\n",
        "section = \"papers\"\narticle_images = false\n",
    )
}

fn site_with(feed: &str) -> Site {
    let site = Site::new(&local_config());
    site.write("feed.xml", feed);
    site
}

fn temp_files(content: &BTreeMap<String, String>) -> Vec<&String> {
    content
        .keys()
        .filter(|k| k.contains(".feedimport-"))
        .collect()
}

#[test]
fn a_run_killed_at_any_moment_then_rerun_gives_the_uninterrupted_result() {
    let feed = big_feed(1500, 200);
    let reference = site_with(&feed);
    reference.import(&[], 0);
    let expected = reference.content();
    assert_eq!(expected.len(), 1500);

    for delay_ms in [0, 5, 15, 30, 60, 100, 150, 250, 400] {
        let site = site_with(&feed);
        let mut run = Command::new(BIN)
            .arg("run")
            .current_dir(site.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        // SIGKILL; a run that has already ended is not yet reaped, so the
        // signal still finds it.
        run.kill().unwrap();
        run.wait().unwrap();
        let after_kill = site.content();
        for (path, text) in &after_kill {
            if !path.contains(".feedimport-") {
                assert_eq!(
                    Some(text),
                    expected.get(path),
                    "killed after {delay_ms} ms: {path} is partial or wrong"
                );
            }
        }
        site.import(&["--force"], 0);
        let content = site.content();
        assert!(
            temp_files(&content).is_empty(),
            "killed after {delay_ms} ms: temporary files left"
        );
        assert_eq!(
            content, expected,
            "killed after {delay_ms} ms: the rerun differs"
        );
    }
}

/// When a run is killed.
#[derive(Debug, Clone, Copy)]
enum Moment {
    After(Duration),
    /// Once the `n`th file (in path order) is renamed into place.
    Renamed(usize),
}

/// [`big_feed`] with every title and summary changed at the source.
fn changed_feed(count: usize, summary_len: usize) -> String {
    big_feed(count, summary_len)
        .replace("<title>Article number", "<title>Corrected: article number")
        .replace("<description>Summary", "<description>Revised summary")
}

/// A site that imports with `update = "untouched"`, its feed imported
/// whole, then changed at the source.
fn updated_site(count: usize) -> Site {
    let config = local_config().replacen("\n[[feeds]]", "update = \"untouched\"\n\n[[feeds]]", 1);
    let site = Site::new(&config);
    site.write("feed.xml", &big_feed(count, 200));
    site.import(&[], 0);
    site.write("feed.xml", &changed_feed(count, 200));
    site
}

#[test]
fn a_run_killed_while_it_updates_articles_then_rerun_gives_the_uninterrupted_result() {
    const COUNT: usize = 1500;
    let reference = updated_site(COUNT);
    let before = reference.content();
    let output = reference.import(&["--force", "--json"], 0);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["feeds"][0]["updated"], COUNT, "{report}");
    let expected = reference.content();
    assert_eq!(expected.len(), COUNT);
    assert!(expected.iter().all(|(path, text)| before[path] != *text));

    // Killed at moments of the run (after a delay), and while it renames
    // the new files into place: once the first, a middle one and the last
    // of the folder (renamed in path order) is new.
    let paths: Vec<&String> = expected.keys().collect();
    let moments = [0, 50, 150, 300, 600]
        .map(|ms| Moment::After(Duration::from_millis(ms)))
        .into_iter()
        .chain([0, 1, COUNT / 3, COUNT / 2, COUNT - 1].map(Moment::Renamed));
    for moment in moments {
        let site = updated_site(COUNT);
        let watched = match moment {
            Moment::Renamed(i) => Some(site.path().join("content").join(paths[i])),
            Moment::After(_) => None,
        };
        let inode = |path: &std::path::Path| {
            use std::os::unix::fs::MetadataExt;
            std::fs::symlink_metadata(path).map(|m| m.ino()).ok()
        };
        let first_inode = watched.as_deref().and_then(inode);
        let mut run = Command::new(BIN)
            .args(["run", "--force"])
            .current_dir(site.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        match (moment, &watched) {
            (Moment::After(delay), _) => std::thread::sleep(delay),
            (Moment::Renamed(_), Some(path)) => {
                // A busy wait: the renames of a folder take milliseconds.
                let started = std::time::Instant::now();
                while inode(path) == first_inode && run.try_wait().unwrap().is_none() {
                    assert!(started.elapsed() < HANG, "{} never renamed", path.display());
                    std::thread::yield_now();
                }
            }
            (Moment::Renamed(_), None) => unreachable!("a watched file for each rename"),
        }
        let when = format!("{moment:?}");
        // SIGKILL; a run that has already ended is not yet reaped, so the
        // signal still finds it.
        run.kill().unwrap();
        run.wait().unwrap();
        // Each file is whole: the old version or the new one.
        for (path, text) in site.content() {
            if !path.contains(".feedimport-") {
                assert!(
                    Some(&text) == expected.get(&path) || Some(&text) == before.get(&path),
                    "killed {when}: {path} is neither version"
                );
            }
        }
        let output = site.import(&["--force", "--json"], 0);
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(
            report["feeds"][0]["left_alone"],
            serde_json::json!([]),
            "killed {when}: files taken for an editor's"
        );
        let content = site.content();
        assert!(
            temp_files(&content).is_empty(),
            "killed {when}: temporary files left"
        );
        let differing: Vec<&String> = expected
            .keys()
            .filter(|path| content.get(*path) != expected.get(*path))
            .collect();
        assert!(
            differing.is_empty() && content.len() == expected.len(),
            "killed {when}: {} of {COUNT} articles differ from the uninterrupted run, first {:?}",
            differing.len(),
            differing.first()
        );
    }
}

/// A small tmpfs mounted on the site's content folder, unmounted on drop.
struct Mount {
    path: std::path::PathBuf,
}

impl Mount {
    fn tmpfs(path: std::path::PathBuf, size: &str) -> Mount {
        requires::root("mount a tmpfs");
        std::fs::create_dir_all(&path).unwrap();
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "mount -t tmpfs {}: {}",
            path.display(),
            stderr(&output)
        );
        Mount { path }
    }

    fn remount(&self, options: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.path)
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}

fn imported_total(site: &Site) -> u64 {
    let output = site.run(&["status", "--json"]);
    let status: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    status["feeds"][0]["articles_total"].as_u64().unwrap()
}

#[test]
#[ignore = "needs root: mounts a small tmpfs to fill; .ci/run runs it as root"]
fn a_full_disk_fails_clearly_and_records_only_what_was_written() {
    let site = site_with(&big_feed(600, 2000));
    let mount = Mount::tmpfs(site.path().join("content"), "256k");
    let output = site.import(&[], 3);
    assert!(
        stderr(&output).contains("No space left on device"),
        "{}",
        stderr(&output)
    );
    let content = site.content();
    assert!(
        temp_files(&content).is_empty(),
        "temporary files left: {:?}",
        temp_files(&content)
    );
    for (path, text) in &content {
        front_matter(text);
        assert!(text.ends_with('\n'), "{path} is partial");
    }
    assert_eq!(
        imported_total(&site),
        content.len() as u64,
        "the state records files that are not there"
    );

    // With room again, the rest is imported, nothing twice.
    mount.remount("size=64m");
    site.import(&["--force"], 0);
    assert_eq!(site.content().len(), 600);
    assert_eq!(imported_total(&site), 600);
}

#[test]
#[ignore = "needs root: mounts a tmpfs read-only; .ci/run runs it as root"]
fn a_read_only_content_folder_fails_clearly() {
    let site = site_with(&big_feed(3, 10));
    let mount = Mount::tmpfs(site.path().join("content"), "1m");
    std::fs::create_dir_all(site.path().join("content/papers")).unwrap();
    mount.remount("ro");
    let output = site.import(&[], 3);
    assert!(
        stderr(&output).contains("Read-only file system"),
        "{}",
        stderr(&output)
    );
    assert!(site.content().is_empty());
    assert_eq!(imported_total(&site), 0);
    mount.remount("rw");
    site.import(&["--force"], 0);
    assert_eq!(site.content().len(), 3);
}

#[test]
fn a_truncated_state_database_is_a_clear_error() {
    let site = site_with(&big_feed(50, 10));
    site.import(&[], 0);
    let state = site.path().join(".feedimport/state.sqlite3");
    let bytes = std::fs::read(&state).unwrap();
    std::fs::write(&state, &bytes[..bytes.len() / 3]).unwrap();
    let output = site.import(&["--force"], 3);
    let message = stderr(&output);
    assert!(message.contains("state.sqlite3"), "{message}");
    assert_eq!(
        site.content().len(),
        50,
        "nothing re-imported over a damaged state"
    );
    // The documented way back: move the damaged file aside and run again.
    std::fs::rename(&state, site.path().join(".feedimport/state.damaged")).unwrap();
    site.import(&["--force"], 0);
    assert_eq!(site.content().len(), 50);
}
