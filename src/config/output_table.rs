//! An `[output]` table (or a feed's `output = { … }`) as written, and the
//! [`OutputSpec`] a feed gets from its own keys over the global ones.
//!
//! In: the TOML value of the table, the folder paths are relative to. Out:
//! a [`RawOutput`], then an [`OutputSpec`]. Fails with a message naming the
//! key: not a table, an unknown key, both `preset` and `template`, an
//! unknown preset, an empty template, path or permalink, a bad locale.

use std::path::Path;

use serde::Deserialize;

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

/// An `[output]` table, or a feed's `output = { … }` (`at` names it).
pub(super) fn raw_output(value: toml::Value, at: &str) -> Result<RawOutput, String> {
    let toml::Value::Table(table) = value else {
        return Err(format!(
            "key `{at}` must be a table, such as output = {{ preset = \"hugo\" }}"
        ));
    };
    if let Some(key) = table.keys().find(|k| !OUTPUT_KEYS.contains(&k.as_str())) {
        return Err(format!(
            "unknown key `{key}` in `{at}` (expected one of: {})",
            OUTPUT_KEYS.join(", ")
        ));
    }
    let raw: RawOutput = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| format!("`{at}`: {}", e.message()))?;
    if raw.preset.is_some() && raw.template.is_some() {
        return Err(format!(
            "`{at}` sets both `preset` and `template`: a template is used instead of a preset, so give one of them"
        ));
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
) -> Result<OutputSpec, String> {
    let own_choice = own.filter(|o| o.preset.is_some() || o.template.is_some());
    let (preset, template, key) = match own_choice {
        Some(own) => (&own.preset, &own.template, "output"),
        None => (&global.preset, &global.template, "[output]"),
    };
    let source = match (preset, template) {
        (_, Some(template)) => {
            let template = template.trim();
            if template.is_empty() {
                return Err(format!("key `{key}.template` is empty"));
            }
            TemplateSource::File(base_dir.join(template))
        }
        (Some(name), None) => {
            TemplateSource::Preset(Preset::named(name.trim()).ok_or_else(|| {
                let names: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
                format!(
                    "key `{key}.preset`: `{name}` is not a preset (one of: {})",
                    names.join(", ")
                )
            })?)
        }
        (None, None) => TemplateSource::Preset(Preset::Default),
    };
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
            return Err(format!("key `output.{name}` is empty"));
        }
    }
    let locale = match pick(|o| &o.locale) {
        Some(tag) => SiteLocale::parse(&tag).map_err(|m| format!("key `output.locale`: {m}"))?,
        None => SiteLocale::french(),
    };
    Ok(OutputSpec {
        source,
        path,
        permalink,
        locale,
    })
}
