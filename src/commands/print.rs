//! Where every command's output goes: results and `--json` on stdout,
//! notes and warnings on stderr, each line of ours starting with
//! `feedimport: `.

use std::io::Write;

/// Writes to stdout; a closed pipe (`| head`) is not an error.
pub(crate) fn stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

/// One JSON document on stdout.
pub(crate) fn json(value: &impl serde::Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(json) => stdout(&format!("{json}\n")),
        Err(e) => note(&format!("cannot write JSON: {e}")),
    }
}

/// A line for the person at the terminal (a warning, what was done) on
/// stderr.
pub(crate) fn note(message: &str) {
    eprintln!("feedimport: {message}");
}
