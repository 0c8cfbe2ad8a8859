//! The filters templates write values with: `yaml`, `toml`, `json` (a
//! quoted value of that language), `md` (Markdown-escaped text), `slug` and
//! `date(format, locale)`.
//!
//! In: template values (text, numbers, lists, maps; undefined and none read
//! as empty text). Out: text that reads back as the same value, in which no
//! `<` can open a tag (site templates print front matter unescaped; see
//! [`quote_into`]). Fails only on a date that is not a date, a date format
//! that is not one, or a locale feedimport does not write.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use minijinja::value::{Value, ValueKind};
use minijinja::{Error, ErrorKind, State};

use crate::util::escape::{markdown_alt_text, markdown_text, opens_a_tag, quote_into};
use crate::util::locale::{self, DateStyle, Name, SiteLocale};
use crate::util::slug::title_slug;

/// `value` in YAML's flow style: strings double-quoted, lists `[a, b]`,
/// maps `{"k": v}`.
pub(crate) fn yaml(value: Value) -> Result<String, Error> {
    let mut out = String::new();
    write_value(&mut out, &value, Language::Yaml)?;
    Ok(out)
}

/// `value` as a TOML value: basic strings, arrays, inline tables.
pub(crate) fn toml(value: Value) -> Result<String, Error> {
    let mut out = String::new();
    write_value(&mut out, &value, Language::Toml)?;
    Ok(out)
}

/// `value` as JSON.
pub(crate) fn json(value: Value) -> Result<String, Error> {
    let mut out = String::new();
    write_value(&mut out, &value, Language::Json)?;
    Ok(out)
}

/// Text for a Markdown body: nothing in it opens a tag, a link, an image,
/// a heading, a list or a site generator's template tag.
pub(crate) fn md(value: Value) -> Result<String, Error> {
    defined(&value)?;
    Ok(markdown_text(&text_of(&value)))
}

/// Text for an image's description in Markdown (its `alt`): shown as the
/// same text by every generator (see [`markdown_alt_text`]).
pub(crate) fn alt(value: Value) -> Result<String, Error> {
    defined(&value)?;
    Ok(markdown_alt_text(&text_of(&value)))
}

/// The slug of `value`, as file names and permalinks are made.
pub(crate) fn slug(value: Value) -> Result<String, Error> {
    defined(&value)?;
    Ok(title_slug(&text_of(&value)))
}

/// Every field of an article is defined (empty when the item lacks it): an
/// undefined value is a misspelt name, reported, never written as "".
fn defined(value: &Value) -> Result<(), Error> {
    if value.is_undefined() {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            "a filter was given an undefined value (a misspelt name?)",
        ));
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Language {
    Yaml,
    Toml,
    Json,
}

/// Nested lists and maps deeper than this are refused: no value of ours
/// nests more than twice.
const MAX_DEPTH: usize = 16;

fn write_value(out: &mut String, value: &Value, language: Language) -> Result<(), Error> {
    write_nested(out, value, language, 0)
}

fn write_nested(
    out: &mut String,
    value: &Value,
    language: Language,
    depth: usize,
) -> Result<(), Error> {
    if depth > MAX_DEPTH {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "value nested too deep to write",
        ));
    }
    defined(value)?;
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => write_string(out, "", language),
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number => {
            let text = value.to_string();
            // Every language here reads these; NaN and infinities are
            // written as text.
            if text.parse::<f64>().is_ok_and(f64::is_finite) {
                out.push_str(&text);
            } else {
                write_string(out, &text, language);
            }
        }
        ValueKind::Seq | ValueKind::Iterable => {
            out.push('[');
            for (i, item) in value.try_iter()?.enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_nested(out, &item, language, depth + 1)?;
            }
            out.push(']');
        }
        ValueKind::Map => {
            out.push('{');
            if language == Language::Toml {
                out.push(' ');
            }
            for (i, key) in value.try_iter()?.enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_string(out, &text_of(&key), language);
                out.push_str(if language == Language::Toml {
                    " = "
                } else {
                    ": "
                });
                write_nested(out, &value.get_item(&key)?, language, depth + 1)?;
            }
            if language == Language::Toml {
                out.push(' ');
            }
            out.push('}');
        }
        _ => write_string(out, &text_of(value), language),
    }
    Ok(())
}

fn write_string(out: &mut String, text: &str, language: Language) {
    match language {
        // YAML's double-quoted scalars read JSON's escapes.
        Language::Yaml | Language::Json => quote_into(out, text),
        Language::Toml => toml_string(out, text),
    }
}

/// A TOML basic string that reads back as `text`, with the same rule for
/// `<` as [`quote_into`].
fn toml_string(out: &mut String, text: &str) {
    out.push('"');
    for (at, c) in text.char_indices() {
        match c {
            '<' if opens_a_tag(&text[at + 1..]) => out.push('\u{FF1C}'),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control()
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}'
                ) =>
            {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The text of a value: undefined and none are empty; a string is
/// borrowed.
pub(crate) fn text_of(value: &Value) -> Cow<'_, str> {
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => Cow::Borrowed(""),
        _ => match value.as_str() {
            Some(text) => Cow::Borrowed(text),
            None => Cow::Owned(value.to_string()),
        },
    }
}

/// The `date` filter of a run whose site is in `timezone`.
/// `"summary" | label`: the default preset's heading or label of that
/// name in the output's locale (see [`SiteLocale::label`]), so that one
/// template writes one language per file.
pub(crate) fn label(state: &State, name: Value) -> Result<String, Error> {
    let name = text_of(&name);
    let tag = state
        .lookup("locale")
        .map(|v| text_of(&v).into_owned())
        .unwrap_or_else(|| "fr".to_string());
    let locale = SiteLocale::parse(&tag).map_err(|m| invalid(format!("label: {m}")))?;
    locale.label(&name).map(str::to_string).ok_or_else(|| {
        invalid(format!(
            "label: no label named {name:?} (there are \"image_credit\", \"summary\" and \"source\")"
        ))
    })
}

#[derive(Clone, Debug)]
pub(crate) struct DateFilter {
    pub(crate) timezone: Tz,
}

impl DateFilter {
    /// `value | date(format="long", locale=<the feed's>)`: `value` is an
    /// ISO date (`date`, read in the site's time zone) or a day
    /// (`date_local`). `format` is a CLDR style (`long`, `medium`, `short`,
    /// `full`), `iso` (`2024-09-02`), or a strftime pattern whose `%B`,
    /// `%b`, `%A` and `%a` are the locale's names.
    pub(crate) fn apply(
        &self,
        state: &State,
        value: Value,
        format: Option<String>,
        locale: Option<String>,
    ) -> Result<String, Error> {
        defined(&value)?;
        let text = text_of(&value);
        if text.is_empty() {
            return Ok(String::new());
        }
        let day = if let Ok(instant) = DateTime::parse_from_rfc3339(&text) {
            instant.with_timezone(&self.timezone).date_naive()
        } else if let Ok(day) = NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
            day
        } else {
            return Err(invalid(format!(
                "date: {text:?} is not a date (give `date` or `date_local`)"
            )));
        };
        let locale_tag = match locale {
            Some(tag) => tag,
            None => state
                .lookup("locale")
                .map(|v| text_of(&v).into_owned())
                .unwrap_or_else(|| "fr".to_string()),
        };
        let locale = SiteLocale::parse(&locale_tag).map_err(|m| invalid(format!("date: {m}")))?;
        let format = format.unwrap_or_else(|| "long".to_string());
        if format == "long" {
            return Ok(locale::long_date(day, &locale));
        }
        if let Some(style) = DateStyle::named(&format) {
            return Ok(locale::styled(day, style, &locale));
        }
        if format == "iso" {
            return Ok(day.format("%Y-%m-%d").to_string());
        }
        self.strftime(day, &format, &locale)
    }

    fn strftime(&self, day: NaiveDate, format: &str, locale: &SiteLocale) -> Result<String, Error> {
        // The names first, from CLDR; the rest is chrono's, checked before
        // use (a bad pattern is an error, never a panic).
        let mut pattern = String::with_capacity(format.len());
        let mut chars = format.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                pattern.push(c);
                continue;
            }
            let Some(spec) = chars.next() else {
                return Err(invalid(format!("date: {format:?} ends with a lone %")));
            };
            let name = match spec {
                'B' => Some(Name::Month),
                'b' | 'h' => Some(Name::MonthShort),
                'A' => Some(Name::Weekday),
                'a' => Some(Name::WeekdayShort),
                _ => None,
            };
            match name {
                // A name holds no `%`: it stays text to chrono.
                Some(name) => pattern.push_str(&locale::name(day, name, locale).replace('%', "%%")),
                None => {
                    pattern.push('%');
                    pattern.push(spec);
                }
            }
        }
        let items = chrono::format::StrftimeItems::new(&pattern)
            .parse()
            .map_err(|_| invalid(format!("date: {format:?} is not a date format")))?;
        let mut out = String::new();
        use std::fmt::Write;
        write!(out, "{}", day.format_with_items(items.iter())).map_err(|_| {
            invalid(format!(
                "date: {format:?} asks for a time; give a date format"
            ))
        })?;
        Ok(out)
    }
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `template` rendered with `v`, in the environment a run uses.
    fn render(template: &str, value: Value) -> Result<String, Error> {
        let env = super::super::compile::environment(chrono_tz::Europe::Paris);
        env.render_str(template, minijinja::context! { v => value, locale => "fr" })
    }

    const NASTY: [&str; 9] = [
        "plain",
        "quote \" and backslash \\",
        "line\nbreak\r\ttab",
        "---",
        "+++",
        "key = \"value\"\n[table]",
        "<script>alert(1)</script>",
        "\u{2028}sep\u{85}nel\u{feff}\u{1}\u{7f}",
        "",
    ];

    /// `value` as the front matter holds it: `<` that could open a tag is
    /// `＜`.
    fn inert(value: &str) -> String {
        value.replace("<s", "＜s").replace("</", "＜/")
    }

    #[test]
    fn yaml_toml_and_json_read_back_as_the_same_text() {
        for text in NASTY {
            let yaml_doc = format!(
                "v: {}",
                render("{{ v | yaml }}", Value::from(text)).unwrap()
            );
            let read: std::collections::BTreeMap<String, String> =
                serde_yaml::from_str(&yaml_doc).unwrap();
            assert_eq!(read["v"], inert(text), "{yaml_doc}");

            let toml_doc = format!(
                "v = {}",
                render("{{ v | toml }}", Value::from(text)).unwrap()
            );
            let read: std::collections::BTreeMap<String, String> =
                ::toml::from_str(&toml_doc).unwrap_or_else(|e| panic!("{toml_doc}: {e}"));
            assert_eq!(read["v"], inert(text), "{toml_doc}");

            let json_doc = render("{{ v | json }}", Value::from(text)).unwrap();
            let read: String = serde_json::from_str(&json_doc).unwrap();
            assert_eq!(read, inert(text), "{json_doc}");
        }
    }

    #[test]
    fn lists_and_maps_are_flow_values() {
        let list = Value::from(vec!["a\"", "<b>"]);
        assert_eq!(
            render("{{ v | yaml }}", list.clone()).unwrap(),
            r#"["a\"", "＜b>"]"#
        );
        assert_eq!(
            render("{{ v | toml }}", list.clone()).unwrap(),
            r#"["a\"", "＜b>"]"#
        );
        assert_eq!(
            render("{{ v | json }}", list).unwrap(),
            r#"["a\"", "＜b>"]"#
        );
        let map = render("{{ {'url': 'u', 'length': 3} | toml }}", Value::from(())).unwrap();
        let read: ::toml::Table = ::toml::from_str(&format!("v = {map}")).unwrap();
        assert_eq!(read["v"]["url"].as_str(), Some("u"));
        assert_eq!(read["v"]["length"].as_integer(), Some(3));
        assert_eq!(render("{{ v | yaml }}", Value::from(())).unwrap(), "\"\"");
        for undefined in ["{{ missing.key | yaml }}", "{{ {'a': 1}.b | md }}"] {
            let error = render(undefined, Value::from(())).unwrap_err();
            assert_eq!(
                error.kind(),
                minijinja::ErrorKind::UndefinedError,
                "{undefined}"
            );
        }
        assert_eq!(render("{{ v | yaml }}", Value::from(true)).unwrap(), "true");
    }

    #[test]
    fn md_and_slug() {
        assert_eq!(
            render(
                "{{ v | md }}",
                Value::from("# <b>[x](javascript:1)</b> {{ y }}")
            )
            .unwrap(),
            "\\# \\<b>\\[x\\](javascript:1)\\</b> \\{\\{ y \\}\\}"
        );
        assert_eq!(
            render("{{ v | slug }}", Value::from("Crème brûlée!")).unwrap(),
            "creme-brulee"
        );
    }

    #[test]
    fn dates_in_words_and_patterns() {
        let iso = Value::from("2024-08-31T22:30:00.000Z");
        // 22:30 UTC is 00:30 on 1 September in Paris.
        assert_eq!(
            render("{{ v | date }}", iso.clone()).unwrap(),
            "1er septembre 2024"
        );
        assert_eq!(
            render("{{ v | date('long', 'de') }}", iso.clone()).unwrap(),
            "1. September 2024"
        );
        assert_eq!(
            render(
                "{{ v | date(format='%A %e %B %Y', locale='es') }}",
                iso.clone()
            )
            .unwrap(),
            "domingo  1 septiembre 2024"
        );
        assert_eq!(
            render("{{ v | date('iso') }}", iso.clone()).unwrap(),
            "2024-09-01"
        );
        assert_eq!(
            render("{{ v | date('long', 'en') }}", Value::from("2024-09-02")).unwrap(),
            "2 September 2024"
        );
        for bad in [
            "{{ v | date('%Q') }}",
            "{{ v | date('%') }}",
            "{{ v | date('%H:%M') }}",
            "{{ v | date('long', 'xx') }}",
            "{{ 'yesterday' | date }}",
        ] {
            let error = render(bad, iso.clone()).unwrap_err();
            assert_eq!(
                error.kind(),
                minijinja::ErrorKind::InvalidOperation,
                "{bad}: {error}"
            );
        }
    }
}
