//! An `[output]` table (or a feed's `output = { … }`) as written, and the
//! [`OutputSpec`] a feed gets from its own keys over the global ones.
//!
//! In: the TOML value of the table, the folder paths are relative to. Out:
//! a [`RawOutput`], then an [`OutputSpec`]. Fails with an
//! [`OutputProblem`], which the caller places (the file, the line, the
//! feed): not a table, an unknown key, a value of the wrong type, both
//! `preset` and `template`, an unknown preset, an empty template, path or
//! permalink, a bad locale.

use std::path::Path;

use serde::Deserialize;

use super::error::{ConfigError, FeedLabel, KeyTable, ValueProblem};
use super::keys::OUTPUT_KEYS;
use super::output::{OutputSpec, Preset, TemplateSource};
use crate::util::locale::SiteLocale;

/// An `[output]` table as written; see [`resolve_output`].
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOutput {
    preset: Option<String>,
    template: Option<String>,
    path: Option<String>,
    permalink: Option<String>,
    locale: Option<String>,
}

/// What is wrong with an output table, before it is placed in the file.
#[derive(Debug)]
pub(super) enum OutputProblem {
    UnknownKey(String),
    BadValue {
        key: String,
        problem: ValueProblem,
    },
    /// A value of the wrong type, or `preset` and `template` both given.
    Invalid(String),
}

impl OutputProblem {
    /// The error, in the file at `path`, at `line`, in `feed` (none: the
    /// global `[output]`).
    pub(super) fn placed(
        self,
        path: &Path,
        line: Option<usize>,
        feed: Option<FeedLabel>,
    ) -> ConfigError {
        let path = path.to_path_buf();
        match self {
            OutputProblem::UnknownKey(key) => ConfigError::UnknownKey {
                path,
                line,
                table: KeyTable::Output(feed),
                key,
            },
            OutputProblem::BadValue { key, problem } => ConfigError::BadValue {
                path,
                line,
                feed,
                key,
                problem,
            },
            OutputProblem::Invalid(message) => ConfigError::Invalid {
                path,
                line,
                feed,
                message,
            },
        }
    }
}

/// An `[output]` table, or a feed's `output = { … }` (`at` names it).
pub(super) fn raw_output(value: toml::Value, at: &str) -> Result<RawOutput, OutputProblem> {
    let toml::Value::Table(table) = value else {
        return Err(OutputProblem::BadValue {
            key: at.to_string(),
            problem: ValueProblem::NotATable,
        });
    };
    if let Some(key) = table.keys().find(|k| !OUTPUT_KEYS.contains(&k.as_str())) {
        return Err(OutputProblem::UnknownKey(key.clone()));
    }
    let raw: RawOutput = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| OutputProblem::Invalid(format!("`{at}`: {}", e.message())))?;
    if raw.preset.is_some() && raw.template.is_some() {
        return Err(OutputProblem::Invalid(format!(
            "`{at}` sets both `preset` and `template`: a template is used instead of a preset, so give one of them"
        )));
    }
    Ok(raw)
}

/// A feed's output: its own keys over the global ones, key by key, except
/// that `preset` and `template` are one choice (a feed that sets either
/// drops the other it would inherit). The path and permalink default to
/// the preset's own.
pub(super) fn resolve_output(
    global: &RawOutput,
    own: Option<&RawOutput>,
    base_dir: &Path,
) -> Result<OutputSpec, OutputProblem> {
    let source = template_source(global, own, base_dir)?;
    let preset = match &source {
        TemplateSource::Preset(preset) => *preset,
        TemplateSource::File(_) => Preset::Default,
    };
    let pick = |get: fn(&RawOutput) -> &Option<String>| {
        own.and_then(|o| get(o).clone())
            .or_else(|| get(global).clone())
    };
    let path = pick(|o| &o.path).unwrap_or_else(|| preset.default_path().to_string());
    let permalink =
        pick(|o| &o.permalink).unwrap_or_else(|| preset.default_permalink().to_string());
    for (name, value) in [("path", &path), ("permalink", &permalink)] {
        if value.trim().is_empty() {
            return Err(OutputProblem::BadValue {
                key: format!("output.{name}"),
                problem: ValueProblem::Empty,
            });
        }
    }
    let locale = match pick(|o| &o.locale) {
        Some(tag) => SiteLocale::parse(&tag).map_err(|m| OutputProblem::BadValue {
            key: "output.locale".to_string(),
            problem: ValueProblem::Refused(m),
        })?,
        None => SiteLocale::french(),
    };
    Ok(OutputSpec {
        source,
        path,
        permalink,
        locale,
    })
}

/// The one choice of `preset` or `template`: the feed's own when it makes
/// it, else the global one, else the default preset.
fn template_source(
    global: &RawOutput,
    own: Option<&RawOutput>,
    base_dir: &Path,
) -> Result<TemplateSource, OutputProblem> {
    let own_choice = own.filter(|o| o.preset.is_some() || o.template.is_some());
    let (preset, template, at) = match own_choice {
        Some(own) => (&own.preset, &own.template, "output"),
        None => (&global.preset, &global.template, "[output]"),
    };
    match (preset, template) {
        (_, Some(template)) => {
            let template = template.trim();
            if template.is_empty() {
                return Err(OutputProblem::BadValue {
                    key: format!("{at}.template"),
                    problem: ValueProblem::Empty,
                });
            }
            Ok(TemplateSource::File(base_dir.join(template)))
        }
        (Some(name), None) => Preset::named(name.trim())
            .map(TemplateSource::Preset)
            .ok_or_else(|| {
                let names: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
                OutputProblem::BadValue {
                    key: format!("{at}.preset"),
                    problem: ValueProblem::Refused(format!(
                        "`{name}` is not a preset (one of: {})",
                        names.join(", ")
                    )),
                }
            }),
        (None, None) => Ok(TemplateSource::Preset(Preset::Default)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{MINIMAL, refused};
    use super::*;

    #[test]
    fn output_mistakes_name_the_table_and_the_feed() {
        // (the global table, the feed's own, the error it is, the message)
        type Is = fn(&ConfigError) -> bool;
        let cases: Vec<(&str, &str, Is, &str)> = vec![
            (
                "[output]\nfoo = 1\n",
                "",
                |e| matches!(e, ConfigError::UnknownKey { key, line: None, table: KeyTable::Output(None), .. } if key == "foo"),
                "/site/feeds.toml: unknown key `foo` in `[output]` (expected one of: preset, template, path, permalink, locale)",
            ),
            (
                "",
                "output = { bogus = 1 }\n",
                |e| matches!(e, ConfigError::UnknownKey { key, line: Some(6), table: KeyTable::Output(Some(_)), .. } if key == "bogus"),
                "/site/feeds.toml: line 6: feed \"A\": unknown key `bogus` in `output` (expected one of: preset, template, path, permalink, locale)",
            ),
            (
                "output = \"hugo\"\n",
                "",
                |e| matches!(e, ConfigError::BadValue { key, feed: None, problem: ValueProblem::NotATable, .. } if key == "[output]"),
                "/site/feeds.toml: key `[output]` must be a table, such as output = { preset = \"hugo\" }",
            ),
            (
                "[output]\ntemplate = \" \"\n",
                "",
                |e| matches!(e, ConfigError::BadValue { key, problem: ValueProblem::Empty, .. } if key == "[output].template"),
                "/site/feeds.toml: key `[output].template` is empty",
            ),
            (
                "",
                "output = { path = \" \" }\n",
                |e| matches!(e, ConfigError::BadValue { key, feed: Some(_), problem: ValueProblem::Empty, .. } if key == "output.path"),
                "/site/feeds.toml: line 6: feed \"A\": key `output.path` is empty",
            ),
            (
                "",
                "output = { preset = \"nope\" }\n",
                |e| matches!(e, ConfigError::BadValue { key, problem: ValueProblem::Refused(_), .. } if key == "output.preset"),
                "/site/feeds.toml: line 6: feed \"A\": key `output.preset`: `nope` is not a preset (one of: default, hugo, jekyll, eleventy, astro)",
            ),
            (
                "",
                "output = { preset = \"hugo\", template = \"x\" }\n",
                |e| {
                    matches!(
                        e,
                        ConfigError::Invalid {
                            feed: Some(_),
                            line: Some(6),
                            ..
                        }
                    )
                },
                "/site/feeds.toml: line 6: feed \"A\": `output` sets both `preset` and `template`: a template is used instead of a preset, so give one of them",
            ),
        ];
        for (global, own, is, expected) in cases {
            let text = format!("{global}{MINIMAL}{own}");
            let err = refused(&text);
            assert!(is(&err), "{text}\n=> {err:?}");
            assert_eq!(err.to_string(), expected);
        }
    }
}
