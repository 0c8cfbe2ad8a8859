//! The top level of `feeds.toml`: its keys checked, then the site, fetch,
//! schedule and feed-default settings read from them, one step each.
//!
//! In: the file's text (and path, for messages). Out: the top-level table
//! as typed fields ([`RawConfig`]) and the settings read from it. Fails
//! with [`ConfigError`]: not TOML, an unknown key (with its line), a value
//! of the wrong shape or type, a value out of its bounds, no feed listed
//! where one is needed.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono_tz::Tz;
use serde::Deserialize;

use super::error::{ConfigError, KeyTable, ValueProblem, toml_error};
use super::keys::{FileText, TOP_LEVEL_KEYS, key_line};
use super::model::{
    DEFAULT_ALERT_AFTER_FAILURES, DEFAULT_CONCURRENCY, DEFAULT_INTERVAL, Feeds, FetchSettings,
    UpdatePolicy,
};
use super::output_table::{RawOutput, raw_output, resolve_output};
use super::values::{
    ALERT_AFTER_FAILURES_BOUNDS, CONCURRENCY_BOUNDS, INTERVAL_BOUNDS, MAX_BODY_MIB_BOUNDS,
    MAX_ITEMS_BOUNDS, MAX_REDIRECTS_BOUNDS, PER_HOST_BOUNDS, RETRIES_BOUNDS, TIMEOUT_BOUNDS,
    check_tags, count, duration, optional_count, update_policy,
};

/// The top level of `feeds.toml` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    #[serde(default = "default_content_dir")]
    pub(super) content_dir: PathBuf,
    #[serde(default = "default_state_dir")]
    pub(super) state_dir: PathBuf,
    pub(super) metrics_file: Option<PathBuf>,
    #[serde(default = "default_timezone")]
    pub(super) timezone: String,
    #[serde(default)]
    pub(super) tags: Vec<String>,
    // Counts are read as TOML's own integers and checked against their
    // bounds here, so that every out-of-range value gets the same message.
    pub(super) concurrency: Option<i64>,
    pub(super) interval: Option<String>,
    pub(super) per_host: Option<i64>,
    pub(super) max_body_mib: Option<i64>,
    pub(super) max_redirects: Option<i64>,
    pub(super) timeout: Option<String>,
    pub(super) connect_timeout: Option<String>,
    pub(super) retries: Option<i64>,
    pub(super) alert_after_failures: Option<i64>,
    pub(super) output: Option<toml::Value>,
    pub(super) max_items: Option<i64>,
    pub(super) update: Option<String>,
    #[serde(default)]
    pub(super) feeds: Vec<toml::Value>,
}

fn default_content_dir() -> PathBuf {
    PathBuf::from("content")
}
fn default_state_dir() -> PathBuf {
    PathBuf::from(".feedimport")
}
fn default_timezone() -> String {
    "Europe/Paris".to_string()
}

/// A top-level value that cannot work, under `key` (no line: the message
/// names the key, which is written once at the top level).
fn bad_value(file: FileText<'_>, key: &str) -> impl Fn(ValueProblem) -> ConfigError {
    let (path, key) = (file.path.to_path_buf(), key.to_string());
    move |problem| ConfigError::BadValue {
        path: path.clone(),
        line: None,
        feed: None,
        key: key.clone(),
        problem,
    }
}

/// The file's text as a TOML table; text that is not TOML keeps the
/// parser's error.
pub(super) fn read_toml(file: FileText<'_>) -> Result<toml::Table, ConfigError> {
    toml::from_str(file.text).map_err(|source| ConfigError::Syntax {
        path: file.path.to_path_buf(),
        source,
    })
}

/// Every top-level key is one feedimport knows, and none is written in the
/// shape people often get wrong; the error says on which line. Checked
/// before serde reads the table, whose own message names no line.
pub(super) fn check_top_level_keys(
    table: &toml::Table,
    file: FileText<'_>,
) -> Result<(), ConfigError> {
    let line = |key: &str| key_line(file.text, None, key);
    if let Some(key) = table.keys().find(|k| !TOP_LEVEL_KEYS.contains(&k.as_str())) {
        return Err(ConfigError::UnknownKey {
            path: file.path.to_path_buf(),
            line: line(key),
            table: KeyTable::TopLevel,
            key: key.clone(),
        });
    }
    if let Some((key, problem)) = shape_mistake(table) {
        return Err(ConfigError::BadValue {
            path: file.path.to_path_buf(),
            line: line(key),
            feed: None,
            key: key.to_string(),
            problem,
        });
    }
    Ok(())
}

/// A top-level value of the wrong shape, as people write it: `[feeds]` for
/// `[[feeds]]`, one tag as a string. The key and what is wrong.
fn shape_mistake(table: &toml::Table) -> Option<(&'static str, ValueProblem)> {
    match table.get("feeds") {
        Some(toml::Value::Array(_)) | None => {}
        Some(_) => return Some(("feeds", ValueProblem::NotAListOfTables)),
    }
    if let Some(toml::Value::String(text)) = table.get("tags") {
        return Some(("tags", ValueProblem::ListWrittenAsString(text.clone())));
    }
    None
}

/// The table as typed fields: a value of a type its key does not take is
/// refused as the TOML reader says it.
pub(super) fn typed(table: toml::Table, file: FileText<'_>) -> Result<RawConfig, ConfigError> {
    table
        .try_into()
        .map_err(|e: toml::de::Error| ConfigError::Invalid {
            path: file.path.to_path_buf(),
            line: None,
            feed: None,
            message: toml_error(&e),
        })
}

/// The time zone, by its IANA name.
pub(super) fn read_timezone(written: &str, file: FileText<'_>) -> Result<Tz, ConfigError> {
    Tz::from_str(written.trim()).map_err(|_| {
        bad_value(file, "timezone")(ValueProblem::Refused(format!(
            "`{written}` is not an IANA time zone name (for example \"Europe/Paris\")"
        )))
    })
}

/// The site's own tags have no blank one, and the metrics file, when
/// given, names a file.
pub(super) fn check_site_keys(raw: &RawConfig, file: FileText<'_>) -> Result<(), ConfigError> {
    check_tags(&raw.tags).map_err(|m| bad_value(file, "tags")(ValueProblem::Refused(m)))?;
    if let Some(problem) = raw.metrics_file.as_deref().and_then(metrics_file_problem) {
        return Err(bad_value(file, "metrics_file")(ValueProblem::Refused(
            problem,
        )));
    }
    Ok(())
}

/// What is wrong with `path` as the metrics file, if anything: it must name
/// a file, and one whose name ends in `.prom`, the only files the node
/// exporter's textfile collector reads (any other would be written and
/// never seen).
pub(crate) fn metrics_file_problem(path: &std::path::Path) -> Option<String> {
    const EXAMPLE: &str = "(for example \"/var/lib/node_exporter/textfile/feedimport.prom\")";
    let Some(name) = path.file_name() else {
        return Some(format!("`{}` names no file {EXAMPLE}", path.display()));
    };
    if name.to_string_lossy().ends_with(".prom") && name.len() > ".prom".len() {
        return None;
    }
    Some(format!(
        "`{}` does not end in `.prom`: the node exporter's textfile collector reads only such files {EXAMPLE}",
        path.display()
    ))
}

/// How many feeds are fetched at once.
pub(super) fn read_concurrency(raw: &RawConfig, file: FileText<'_>) -> Result<usize, ConfigError> {
    let concurrency = count(
        raw.concurrency,
        CONCURRENCY_BOUNDS,
        DEFAULT_CONCURRENCY as u64,
    )
    .map_err(bad_value(file, "concurrency"))?;
    Ok(concurrency as usize)
}

/// The HTTP client's limits, each within its bounds.
pub(super) fn read_fetch_settings(
    raw: &RawConfig,
    file: FileText<'_>,
) -> Result<FetchSettings, ConfigError> {
    let defaults = FetchSettings::default();
    let count_of = |key: &str, value: Option<i64>, bounds: (u64, u64), default: u64| {
        count(value, bounds, default).map_err(bad_value(file, key))
    };
    let duration_of = |key: &str, value: &Option<String>, default: Duration| {
        duration(value.as_deref(), &TIMEOUT_BOUNDS)
            .map(|d| d.unwrap_or(default))
            .map_err(bad_value(file, key))
    };
    let per_host = count_of(
        "per_host",
        raw.per_host,
        PER_HOST_BOUNDS,
        defaults.per_host as u64,
    )?;
    let max_body_mib = count_of(
        "max_body_mib",
        raw.max_body_mib,
        MAX_BODY_MIB_BOUNDS,
        defaults.max_body_bytes >> 20,
    )?;
    let max_redirects = count_of(
        "max_redirects",
        raw.max_redirects,
        MAX_REDIRECTS_BOUNDS,
        defaults.max_redirects as u64,
    )?;
    let timeout = duration_of("timeout", &raw.timeout, defaults.timeout)?;
    let connect_timeout = duration_of(
        "connect_timeout",
        &raw.connect_timeout,
        defaults.connect_timeout,
    )?;
    let retries = count_of(
        "retries",
        raw.retries,
        RETRIES_BOUNDS,
        u64::from(defaults.retries),
    )?;
    Ok(FetchSettings {
        per_host: per_host as usize,
        max_body_bytes: max_body_mib << 20,
        max_redirects: max_redirects as usize,
        timeout,
        connect_timeout,
        retries: retries as u32,
    })
}

/// How often a feed is fetched when it does not say.
pub(super) fn read_default_interval(
    raw: &RawConfig,
    file: FileText<'_>,
) -> Result<Duration, ConfigError> {
    let interval =
        duration(raw.interval.as_deref(), &INTERVAL_BOUNDS).map_err(bad_value(file, "interval"))?;
    Ok(interval.unwrap_or(DEFAULT_INTERVAL))
}

/// After how many failed runs in a row a feed is flagged.
pub(super) fn read_alert_after_failures(
    raw: &RawConfig,
    file: FileText<'_>,
) -> Result<u32, ConfigError> {
    let runs = count(
        raw.alert_after_failures,
        ALERT_AFTER_FAILURES_BOUNDS,
        u64::from(DEFAULT_ALERT_AFTER_FAILURES),
    )
    .map_err(bad_value(file, "alert_after_failures"))?;
    Ok(runs as u32)
}

/// The cap on items per run and the update policy every feed gets unless
/// it says otherwise.
pub(super) fn read_import_defaults(
    raw: &RawConfig,
    file: FileText<'_>,
) -> Result<(Option<usize>, UpdatePolicy), ConfigError> {
    let max_items =
        optional_count(raw.max_items, MAX_ITEMS_BOUNDS).map_err(bad_value(file, "max_items"))?;
    let update = update_policy(raw.update.as_deref(), UpdatePolicy::Never)
        .map_err(bad_value(file, "update"))?;
    Ok((max_items, update))
}

/// At least one `[[feeds]]` entry, when the command needs one.
pub(super) fn check_feeds_listed(
    raw: &RawConfig,
    required: Feeds,
    path: &Path,
) -> Result<(), ConfigError> {
    if raw.feeds.is_empty() && required == Feeds::AtLeastOne {
        return Err(ConfigError::NoFeeds {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// The global `[output]` table, checked once as a feed that sets no
/// output of its own would get it, so that a bad global value is named as
/// such (and not as the first feed's).
pub(super) fn read_global_output(
    value: Option<toml::Value>,
    base_dir: &Path,
    path: &Path,
) -> Result<RawOutput, ConfigError> {
    let placed = |problem: super::output_table::OutputProblem| problem.placed(path, None, None);
    let output = match value {
        Some(value) => raw_output(value, "[output]").map_err(placed)?,
        None => RawOutput::default(),
    };
    resolve_output(&output, None, base_dir).map_err(placed)?;
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{MINIMAL, parse, refused};
    use super::*;

    /// Whether `error` refuses the value of the top-level `key`.
    fn is_refused(error: &ConfigError, key: &str) -> bool {
        matches!(error, ConfigError::BadValue { key: k, feed: None, line: None, problem: ValueProblem::Refused(_), .. }
            if k == key)
    }

    #[test]
    fn the_metrics_file_is_relative_to_the_config_and_names_a_file() {
        assert_eq!(parse(MINIMAL).unwrap().metrics_file, None);
        let with = |value: &str| parse(&format!("metrics_file = {value:?}\n{MINIMAL}"));
        assert_eq!(
            with("metrics/feedimport.prom")
                .unwrap()
                .metrics_file
                .unwrap(),
            Path::new("/site/metrics/feedimport.prom")
        );
        assert_eq!(
            with("/var/lib/textfile/f.prom")
                .unwrap()
                .metrics_file
                .unwrap(),
            Path::new("/var/lib/textfile/f.prom")
        );
        for (bad, why) in [
            (
                "metrics.txt",
                "does not end in `.prom`: the node exporter's textfile collector reads only such files",
            ),
            (
                "metrics/feedimport",
                "does not end in `.prom`: the node exporter's textfile collector reads only such files",
            ),
            (
                "/var/lib/textfile/.prom",
                "does not end in `.prom`: the node exporter's textfile collector reads only such files",
            ),
        ] {
            let err = with(bad).unwrap_err();
            assert!(is_refused(&err, "metrics_file"), "{bad:?}: {err:?}");
            assert_eq!(
                err.to_string(),
                format!(
                    "/site/feeds.toml: key `metrics_file`: `{bad}` {why} (for example \"/var/lib/node_exporter/textfile/feedimport.prom\")"
                )
            );
        }
        for bad in ["", "metrics/..", "/"] {
            let err = with(bad).unwrap_err();
            assert!(is_refused(&err, "metrics_file"), "{bad:?}: {err:?}");
            assert_eq!(
                err.to_string(),
                format!(
                    "/site/feeds.toml: key `metrics_file`: `{bad}` names no file (for example \"/var/lib/node_exporter/textfile/feedimport.prom\")"
                )
            );
        }
    }

    #[test]
    fn unknown_top_level_key_is_named() {
        let err = refused(&format!("timezon = \"UTC\"\n{MINIMAL}"));
        assert!(
            matches!(&err, ConfigError::UnknownKey { key, line: Some(1), table: KeyTable::TopLevel, .. }
                if key == "timezon"),
            "{err:?}"
        );
        assert!(
            err.to_string().starts_with(
                "/site/feeds.toml: line 1: unknown key `timezon` at the top level (expected one of: content_dir,"
            ),
            "{err}"
        );
    }

    #[test]
    fn bad_timezone_is_named() {
        let err = refused(&format!("timezone = \"Europe/Pariss\"\n{MINIMAL}"));
        assert!(is_refused(&err, "timezone"), "{err:?}");
        assert_eq!(
            err.to_string(),
            "/site/feeds.toml: key `timezone`: `Europe/Pariss` is not an IANA time zone name (for example \"Europe/Paris\")"
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_said_as_the_toml_reader_says_it() {
        let err = refused(&format!("concurrency = \"x\"\n{MINIMAL}"));
        assert!(
            matches!(
                &err,
                ConfigError::Invalid {
                    line: None,
                    feed: None,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "/site/feeds.toml: invalid type: string \"x\", expected i64\nin `concurrency`"
        );
    }

    #[test]
    fn network_and_schedule_settings() {
        let config = parse(MINIMAL).unwrap();
        assert_eq!(config.fetch, FetchSettings::default());
        assert_eq!(config.feeds[0].interval, DEFAULT_INTERVAL);
        let text = format!(
            "interval = \"30m\"\nper_host = 4\nmax_body_mib = 2\nmax_redirects = 3\ntimeout = \"20s\"\nconnect_timeout = \"2s\"\nretries = 0\nalert_after_failures = 2\n{MINIMAL}\n[[feeds]]\nname = \"B\"\nurl = \"https://e.org/b\"\nsection = \"b\"\ninterval = \"6h\"\n"
        );
        let config = parse(&text).unwrap();
        assert_eq!(config.fetch.per_host, 4);
        assert_eq!(config.fetch.max_body_bytes, 2 * 1024 * 1024);
        assert_eq!(config.fetch.max_redirects, 3);
        assert_eq!(config.fetch.timeout, Duration::from_secs(20));
        assert_eq!(config.fetch.connect_timeout, Duration::from_secs(2));
        assert_eq!(config.fetch.retries, 0);
        assert_eq!(config.alert_after_failures, 2);
        assert_eq!(config.feeds[0].interval, Duration::from_secs(1800));
        assert_eq!(config.feeds[1].interval, Duration::from_secs(6 * 3600));
        let err = refused(&format!("per_host = 0\n{MINIMAL}"));
        assert!(is_refused(&err, "per_host"), "{err:?}");
        let err = refused(&format!("interval = \"often\"\n{MINIMAL}"));
        assert!(is_refused(&err, "interval"), "{err:?}");
        assert!(
            err.to_string().starts_with(
                "/site/feeds.toml: key `interval`: `often` is not a duration such as \"30d\", \"1h\" or \"90s\""
            ),
            "{err}"
        );
    }
}
