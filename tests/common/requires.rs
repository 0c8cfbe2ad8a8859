//! What a test may need that a machine may lack: root, a program
//! (`systemd-analyze`, `promtool`, Chromium, Hugo, Jekyll, npm), the feed
//! corpus beside the project.
//!
//! The rule: such a test is marked `#[ignore = "needs X: why"]`, so that
//! `cargo test` lists it as ignored instead of passing it unchecked, and
//! `.ci/run` runs the ignored tests (`cargo test --locked -- --ignored`)
//! after installing what they need. Inside an ignored test, the functions
//! here check the requirement and panic, saying what is missing and how to
//! get it: a test that was asked to run never passes without checking.

#![allow(dead_code)] // each test binary uses its own part

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Whether `program arg` runs and succeeds (`arg` is its version flag).
pub(crate) fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Panics, naming the test, that `what` is missing.
fn missing(what: &str) -> ! {
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("this test");
    panic!("{test} cannot run: {what}");
}

/// Checks that `program` runs (`program version_arg` succeeds); panics
/// with `how` (how to install it) otherwise.
pub(crate) fn program(program: &str, version_arg: &str, how: &str) {
    if !runs(program, version_arg) {
        missing(&format!("`{program} {version_arg}` does not run ({how})"));
    }
}

/// The first of `programs` that runs (`program version_arg` succeeds);
/// panics with `how` when none does.
pub(crate) fn one_of(programs: &[&'static str], version_arg: &str, how: &str) -> &'static str {
    programs
        .iter()
        .copied()
        .find(|program| runs(program, version_arg))
        .unwrap_or_else(|| missing(&format!("none of {programs:?} runs ({how})")))
}

/// Checks that the tests run as root; panics with `why` (what root is
/// needed for) otherwise.
pub(crate) fn root(why: &str) {
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string())
        .unwrap_or_else(|e| format!("unknown: `id -u` fails: {e}"));
    if uid != "0" {
        missing(&format!("it needs root, to {why} (this is uid {uid})"));
    }
}

/// Checks that this process may run a command as another user: root, and
/// util-linux's `setpriv`.
pub(crate) fn switch_user() {
    root("run a command as another user");
    program("setpriv", "--version", "it comes with util-linux");
}

/// The folder of the real-world feed corpus (`feeds/` and feedparser's
/// readings): `$FEEDIMPORT_CORPUS`, else `../shared/corpus` beside the
/// project. Panics where it is absent.
pub(crate) fn corpus_dir() -> PathBuf {
    let dir = std::env::var_os("FEEDIMPORT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if !dir.join("feeds").is_dir() {
        missing(&format!(
            "the feed corpus is not at {} (set FEEDIMPORT_CORPUS to its folder)",
            dir.display()
        ));
    }
    dir
}
