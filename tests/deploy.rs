//! The install files in deploy/: the systemd units pass `systemd-analyze
//! verify` (an ignored test: `.ci/run` installs systemd and runs it), and the
//! cron file runs the real command.

mod common;

use std::path::Path;
use std::process::Command;

use common::requires;
use common::*;

fn deploy(file: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("deploy")
            .join(file),
    )
    .unwrap()
}

#[test]
#[ignore = "needs systemd-analyze (Debian's systemd package): .ci/run installs it"]
fn systemd_units_verify() {
    requires::program("systemd-analyze", "--version", "apt-get install systemd");
    let dir = tempfile::tempdir().unwrap();
    // Point the unit at the binary just built, as an install would.
    let service = deploy("systemd/feedimport.service").replace("/usr/local/bin/feedimport", BIN);
    std::fs::write(dir.path().join("feedimport.service"), service).unwrap();
    std::fs::write(
        dir.path().join("feedimport.timer"),
        deploy("systemd/feedimport.timer"),
    )
    .unwrap();
    let output = Command::new("systemd-analyze")
        .arg("verify")
        .arg(dir.path().join("feedimport.service"))
        .arg(dir.path().join("feedimport.timer"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let ours: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("feedimport"))
        .collect();
    assert!(
        output.status.success() && ours.is_empty(),
        "systemd-analyze verify:\n{stderr}"
    );
}

#[test]
fn service_is_hardened_and_oneshot() {
    let service = deploy("systemd/feedimport.service");
    for line in [
        "Type=oneshot",
        "TimeoutStartSec=",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ReadWritePaths=/srv/site/content /srv/site/.feedimport",
        "SuccessExitStatus=1 75",
    ] {
        assert!(
            service.lines().any(|l| l.starts_with(line)),
            "missing {line}"
        );
    }
    let timer = deploy("systemd/feedimport.timer");
    assert!(timer.contains("Persistent=true") && timer.contains("RandomizedDelaySec="));
}

#[test]
fn cron_line_runs_the_import() {
    let cron = deploy("cron/feedimport");
    let line = cron
        .lines()
        .find(|l| !l.starts_with('#') && l.split_whitespace().count() > 6 && !l.contains('='))
        .expect("a crontab line");
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(fields[..5], ["*/15", "*", "*", "*", "*"]);
    assert_eq!(fields[5], "feedimport", "cron.d lines name the user");
    assert!(line.contains("feedimport -q run"));
}

/// What the unit names exists after the README's install steps: the
/// documentation it points to is installed there, the config it reads is
/// put in its working folder, and the binary is installed stripped.
#[test]
fn the_install_steps_create_what_the_unit_names() {
    let service = deploy("systemd/feedimport.service");
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let value = |key: &str| {
        service
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("no {key}= in the unit"))
            .to_string()
    };
    let documentation = value("Documentation");
    let doc_path = documentation.strip_prefix("file://").expect("a file: URL");
    assert!(
        readme.contains(&format!("sudo install -D -m 0644 README.md {doc_path}")),
        "no install step puts the README at {doc_path}"
    );
    let config = value("ExecStart")
        .split_whitespace()
        .skip_while(|w| *w != "--config")
        .nth(1)
        .expect("--config in ExecStart")
        .to_string();
    assert!(
        readme.contains(&format!("sudo install -m 0644 feeds.toml {config}")),
        "no install step puts feeds.toml at {config}"
    );
    assert!(config.starts_with(&value("WorkingDirectory")));
    assert!(readme.contains("sudo install -s target/release/feedimport /usr/local/bin/"));
}
