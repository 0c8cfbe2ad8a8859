//! Tests that need what a machine may lack: the feed corpus beside the
//! project, root (to mount a tmpfs), `systemd-analyze`.
//!
//! Such a test cannot say "skipped" in the test summary: libtest decides
//! what is ignored when it is compiled (`#[ignore]`), and only a build
//! script could decide that from the machine: the tests should not change
//! how the crate is built. Marking these tests `#[ignore]` everywhere would
//! leave them unrun where all they need is there. So the rule, at run time:
//!
//! - under CI (the `CI` variable set, as CI services set it), a requirement
//!   that CI provides must be there: the test fails, saying what is
//!   missing. A CI run never passes a test it did not run.
//! - elsewhere, or for what CI does not provide, the test passes without
//!   checking anything and says so with a `SKIPPED` line written to the
//!   terminal itself: libtest captures `eprintln!` from a passing test, so
//!   the line would be lost; this one shows in plain `cargo test` output,
//!   next to the test's `ok`. Set `CI=1` to make those tests fail instead.
//!
//! Also included by the library's own corpus tests
//! (`src/parse/corpus_support.rs`), so that both follow the one rule.

#![allow(dead_code)] // each test binary uses its own part

use std::io::Write;
use std::path::PathBuf;

/// Whether CI provides a requirement, and so fails a test that lacks it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum InCi {
    /// CI provides it: missing there, the test fails.
    Provided,
    /// CI does not provide it: missing there too, the test is skipped.
    NotProvided,
}

/// Whether this run is a CI run (`CI` set, and not to `false` or `0`).
pub(crate) fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "false" | "0"))
}

/// Called by a test that lacks `what` (which says what is missing and how
/// to get it), before it returns without checking anything: fails under CI
/// if CI provides it, and says `SKIPPED` where the developer will see it
/// otherwise.
pub(crate) fn missing(what: &str, in_ci: InCi) {
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    if in_ci == InCi::Provided && under_ci() {
        panic!("{test} cannot run: {what}; CI must provide it (CI is set)");
    }
    // Past the test harness's capture, straight to the terminal, in one
    // write so that the harness's own lines do not cut it. If even stderr
    // cannot be written to, there is no one to tell.
    let line = format!("SKIPPED {test}: {what}; it passes without checking anything\n");
    let _unseen = std::io::stderr().lock().write_all(line.as_bytes());
}

/// The folder of the real-world feed corpus (`feeds/` and feedparser's
/// readings): `$FEEDIMPORT_CORPUS`, else `../shared/corpus` beside the
/// project. Where it is absent: [`missing`] (CI provides it), and `None`.
pub(crate) fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("FEEDIMPORT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if dir.join("feeds").is_dir() {
        Some(dir)
    } else {
        missing(
            &format!(
                "the feed corpus is not at {} (set FEEDIMPORT_CORPUS to its folder)",
                dir.display()
            ),
            InCi::Provided,
        );
        None
    }
}
