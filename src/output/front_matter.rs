//! Front matter read back: YAML (`---`) or TOML (`+++`), the keys where an
//! output keeps the source URL and the permalink, and the check that an
//! output's front matter reads back as written whatever the feed says.
//!
//! In: file text, and each output's sample articles. Out: the values (as
//! JSON values), the key paths of each output ([`ReadBack`]), or an
//! [`OutputError`] naming the template and the key that does not read back.
//! Nothing panics on a file of any shape.

use std::sync::Arc;

use serde_json::Value as Json;

use super::error::OutputError;
use super::format::{OutputFormat, context_values};
use chrono::DateTime;
use url::Url;

use crate::article::{Article, ArticleSettings, FeedAbout, build_article};
use crate::extract::{DateSource, DraftEnclosure, ItemDraft};
use crate::util::locale::SiteLocale;

/// A key's place in a front matter: `["params", "sourceUrl"]`.
pub(crate) type KeyPath = Vec<String>;

/// Where the outputs of a run keep the source URL and the permalink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReadBack {
    source_url: Vec<KeyPath>,
    permalink: Vec<KeyPath>,
}

impl Default for ReadBack {
    /// The default preset's keys, which every site written before
    /// templates has.
    fn default() -> Self {
        ReadBack {
            source_url: vec![vec!["sourceUrl".to_string()]],
            permalink: vec![vec!["permalink".to_string()]],
        }
    }
}

/// The keys one output writes the source URL and the permalink under.
#[derive(Debug, Default)]
pub(crate) struct SampleKeys {
    source_url: Vec<KeyPath>,
    permalink: Vec<KeyPath>,
}

impl ReadBack {
    pub(super) fn learn(&mut self, keys: SampleKeys) {
        for (known, found) in [
            (&mut self.source_url, keys.source_url),
            (&mut self.permalink, keys.permalink),
        ] {
            for path in found {
                if !known.contains(&path) {
                    known.push(path);
                }
            }
        }
    }

    /// The source URL and permalink of the article file `text`, under any
    /// of the keys the outputs use. `None` when it has no front matter that
    /// parses.
    pub(crate) fn read(&self, text: &str) -> Option<(Option<String>, Option<String>)> {
        let front = parse(text)?;
        let first = |paths: &[KeyPath]| {
            paths
                .iter()
                .find_map(|path| lookup(&front, path).and_then(Json::as_str))
                .map(str::to_string)
        };
        Some((first(&self.source_url), first(&self.permalink)))
    }
}

/// The front matter of `text` as a JSON value: YAML between `---` lines or
/// TOML between `+++` lines.
pub(crate) fn parse(text: &str) -> Option<Json> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    for fence in ["---", "+++"] {
        let Some(rest) = text
            .strip_prefix(fence)
            .and_then(|r| r.strip_prefix('\n').or_else(|| r.strip_prefix("\r\n")))
        else {
            continue;
        };
        let closing = format!("\n{fence}");
        let end = rest.match_indices(&closing).map(|(i, _)| i).find(|&i| {
            let after = &rest[i + closing.len()..];
            after.is_empty() || after.starts_with('\n') || after.starts_with("\r\n")
        });
        let body = match end {
            Some(end) => &rest[..=end],
            // An empty front matter: the closing fence right away.
            None if rest.starts_with(fence) => "",
            None => return None,
        };
        return if fence == "---" {
            if body.trim().is_empty() {
                return Some(Json::Object(Default::default()));
            }
            serde_yaml::from_str::<Json>(body).ok()
        } else {
            toml::from_str::<toml::Table>(body)
                .ok()
                .map(|table| toml_to_json(toml::Value::Table(table)))
        };
    }
    None
}

fn toml_to_json(value: toml::Value) -> Json {
    match value {
        toml::Value::String(s) => Json::String(s),
        toml::Value::Integer(i) => Json::from(i),
        toml::Value::Float(f) => Json::from(f),
        toml::Value::Boolean(b) => Json::Bool(b),
        toml::Value::Datetime(d) => Json::String(d.to_string()),
        toml::Value::Array(items) => Json::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Json::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}

fn lookup<'a>(value: &'a Json, path: &[String]) -> Option<&'a Json> {
    path.iter().try_fold(value, |value, key| value.get(key))
}

/// Every key path whose value is the text `wanted`.
fn paths_of(value: &Json, wanted: &str, path: &mut KeyPath, found: &mut Vec<KeyPath>) {
    match value {
        Json::String(s) if s == wanted => found.push(path.clone()),
        Json::Object(map) => {
            for (key, value) in map {
                path.push(key.clone());
                paths_of(value, wanted, path, found);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Markers the probe article holds in each of its text fields: mixed case,
/// so that a value a filter changes (`slug`, `upper`) is not taken for
/// the field itself.
const PROBE_TITLE: &str = "ProbeTitleQx";
const PROBE_SUMMARY: &str = "ProbeSummaryQx";
const PROBE_SOURCE: &str = "https://probe.example/ProbeSourceQx";
const PROBE_IMAGE: &str = "https://probe.example/ProbeImageQx.jpg";
const PROBE_AUTHOR: &str = "ProbeAuthorQx";
const PROBE_TAGS: [&str; 2] = ["ProbeTagOneQx", "ProbeTagTwoQx"];
const PROBE_CATEGORIES: [&str; 2] = ["ProbeCategoryOneQx", "ProbeCategoryTwoQx"];
const PROBE_FEED_TITLE: &str = "ProbeFeedTitleQx";
const PROBE_FEED_NAME: &str = "ProbeFeedNameQx";
const PROBE_FEED_URL: &str = "https://probe.example/ProbeFeedUrlQx";
const PROBE_LANG: &str = "ProbeLangQx";
const PROBE_ENCLOSURE: &str = "https://probe.example/ProbeEnclosureQx.mp3";
const PROBE_ENCLOSURE_TYPE: &str = "ProbeEnclosureTypeQx";

/// What a hostile feed may put in each field.
const HOSTILE_TITLE: &str =
    "Quote \" back \\ <script>alert(1)</script>\n---\n+++\nkey: value # {{ x }} {% raw %} ../../x/";
const HOSTILE_SUMMARY: &str = "Line one\n\n---\ntitle: injected\n+++\n[x](javascript:alert(1)) <img src=x onerror=alert(1)> 'single' \u{2028}sep\t";
const HOSTILE_SOURCE: &str = "https://h.example/a?q=\"x\"&b=<script>#'\n---";
const HOSTILE_AUTHOR: &str = "Author \"Nick\" <a@b.example>\n+++";
const HOSTILE_TAGS: [&str; 2] = ["tag \"one\"\n---", "<b>two</b>, three"];
const HOSTILE_CATEGORIES: [&str; 2] = ["cat: \"x\"", "+++\n[table]"];
/// A `<language>` as a hostile feed may send it: markup, a new line, YAML,
/// Liquid.
const HOSTILE_LANG: &str = "en\" <script>alert(1)</script>\n---\nlayout: x # {{ site }} {% raw %}";
const HOSTILE_ENCLOSURE_TYPE: &str = "audio/\"mpeg\"\n<script>x</script> {{ y }}";
const HOSTILE_FEED_NAME: &str = "Feed \"name\" <b>\n+++ {{ z }}";

/// What a sample article holds in each field a feed decides.
struct SampleFields<'a> {
    title: &'a str,
    summary: &'a str,
    source: &'a str,
    image: &'a str,
    author: &'a str,
    tags: &'a [&'a str],
    categories: &'a [&'a str],
    feed_title: &'a str,
    feed_name: &'a str,
    feed_url: &'a str,
    lang: &'a str,
    /// The enclosure's URL and type; none when empty.
    enclosure: (&'a str, &'a str),
}

/// One sample article of a template check, made from an item by the
/// run's own article builder, in the output's locale: the values a
/// template sees are those a real item of the same text gives.
fn sample(fields: SampleFields, locale: &SiteLocale) -> Article {
    let SampleFields {
        title,
        summary,
        source,
        image,
        author,
        tags,
        categories,
        feed_title,
        feed_name,
        feed_url,
        lang,
        enclosure,
    } = fields;
    // Every sample's text parses as a URL; the fallback is never taken.
    let url = |text: &str| {
        Url::parse(text).unwrap_or_else(|_| Url::parse("https://h.example/").expect("a URL"))
    };
    let date = DateTime::parse_from_rfc3339("2024-09-02T10:13:01Z")
        .map(|d| d.to_utc())
        .unwrap_or_default();
    let draft = ItemDraft {
        key: title.to_string(),
        title: title.to_string(),
        date,
        date_source: DateSource::Published,
        summary: summary.to_string(),
        source_url: url(source),
        link_identifies: true,
        content_base: None,
        declared_image: (!image.is_empty()).then(|| url(image)),
        content_image: None,
        categories: categories.iter().map(|t| t.to_string()).collect(),
        author: author.to_string(),
        // Made safe and turned to Markdown on the way: compared by shape
        // only (no marker in it), but it must keep the front matter whole.
        content_html: if summary.is_empty() {
            Default::default()
        } else if summary.starts_with("Probe") {
            "<p>Probe content.</p>".into()
        } else {
            format!(
                "<p>{}</p><pre>---\n+++\n</pre>",
                summary.replace('<', "&lt;")
            )
            .into()
        },
        enclosure: (!enclosure.0.is_empty()).then(|| DraftEnclosure {
            url: url(enclosure.0),
            mime_type: enclosure.1.to_string(),
            length: Some(1234),
        }),
    };
    let settings = ArticleSettings {
        section: "news".to_string(),
        timezone: chrono_tz::UTC,
        tags: tags.iter().map(|t| t.to_string()).collect(),
        locale: locale.clone(),
        feed: FeedAbout {
            name: feed_name.to_string(),
            url: feed_url.to_string(),
            title: feed_title.to_string(),
        },
        lang: lang.to_string(),
    };
    build_article(&draft, &settings, None)
}

/// The sample articles `check` shows and every run tries each output on:
/// the probe (markers in every field), the hostile one, the empty one.
pub(crate) fn samples(locale: &SiteLocale) -> [Article; 3] {
    let probe = SampleFields {
        title: PROBE_TITLE,
        summary: PROBE_SUMMARY,
        source: PROBE_SOURCE,
        image: PROBE_IMAGE,
        author: PROBE_AUTHOR,
        tags: &PROBE_TAGS,
        categories: &PROBE_CATEGORIES,
        feed_title: PROBE_FEED_TITLE,
        feed_name: PROBE_FEED_NAME,
        feed_url: PROBE_FEED_URL,
        lang: PROBE_LANG,
        enclosure: (PROBE_ENCLOSURE, PROBE_ENCLOSURE_TYPE),
    };
    let hostile = SampleFields {
        title: HOSTILE_TITLE,
        summary: HOSTILE_SUMMARY,
        source: HOSTILE_SOURCE,
        image: HOSTILE_SOURCE,
        author: HOSTILE_AUTHOR,
        tags: &HOSTILE_TAGS,
        categories: &HOSTILE_CATEGORIES,
        feed_title: HOSTILE_TITLE,
        feed_name: HOSTILE_FEED_NAME,
        feed_url: HOSTILE_SOURCE,
        lang: HOSTILE_LANG,
        enclosure: (HOSTILE_SOURCE, HOSTILE_ENCLOSURE_TYPE),
    };
    let empty = SampleFields {
        title: "Untitled",
        summary: "",
        source: "https://h.example/a",
        image: "",
        author: "",
        tags: &[],
        categories: &[],
        feed_title: "",
        feed_name: "",
        feed_url: "",
        lang: "",
        enclosure: ("", ""),
    };
    [
        sample(probe, locale),
        sample(hostile, locale),
        sample(empty, locale),
    ]
}

impl OutputFormat {
    /// Renders the sample articles and checks that the front matter of the
    /// hostile one reads back as the probe's with the hostile values in
    /// place of the markers, that two articles of a day get two files and
    /// two permalinks, and learns the keys of the source URL and permalink.
    pub(super) fn check_samples(&self) -> Result<SampleKeys, OutputError> {
        let [probe, hostile, empty] = samples(self.locale());
        let origin = self.text.clone();
        let mut texts = Vec::new();
        let mut placements = Vec::new();
        for article in [&probe, &hostile, &empty] {
            let article = Arc::new(article.clone());
            let first = self.place(&article, 1)?;
            let second = self.place(&article, 2)?;
            if first.path == second.path {
                return Err(OutputError::Path {
                    origin: self.path.clone(),
                    path: first.path.display().to_string(),
                    reason: "is the same for every article of a day and title: use {{ slug }} in it",
                });
            }
            if first.permalink == second.permalink {
                return Err(OutputError::Path {
                    origin: self.permalink.clone(),
                    path: first.permalink.clone(),
                    reason: "is the same for every article of a day and title: use {{ slug }} in it",
                });
            }
            texts.push(self.placed_text(&article, &first)?);
            placements.push(first);
        }
        let Some(probe_front) = parse(&texts[0]) else {
            if texts[0].starts_with("---") || texts[0].starts_with("+++") {
                return Err(OutputError::FrontMatter {
                    origin,
                    message: "the front matter of a sample article does not parse".to_string(),
                });
            }
            // No front matter: nothing to read back.
            return Ok(SampleKeys::default());
        };
        for (text, what) in [(&texts[1], "hostile"), (&texts[2], "empty")] {
            if parse(text).is_none() {
                return Err(OutputError::FrontMatter {
                    origin: origin.clone(),
                    message: format!(
                        "the front matter of the {what} sample article does not parse: use the yaml or toml filter on every value\n{}",
                        first_lines(text)
                    ),
                });
            }
        }
        let hostile_front = parse(&texts[1]).unwrap_or(Json::Null);
        let replacements = replacements(
            &context_values(&Arc::new(probe.clone()), &placements[0], self.locale()),
            &context_values(&Arc::new(hostile), &placements[1], self.locale()),
        );
        if let Some(key) =
            first_difference(&probe_front, &hostile_front, &replacements, &mut Vec::new())
        {
            return Err(OutputError::FrontMatter {
                origin,
                message: format!(
                    "`{}` does not read back as written when a feed sends quotes, new lines, `---`, `+++` or tags: use the yaml or toml filter on it",
                    key.join(".")
                ),
            });
        }
        let mut keys = SampleKeys::default();
        paths_of(
            &probe_front,
            &probe.source_url,
            &mut Vec::new(),
            &mut keys.source_url,
        );
        paths_of(
            &probe_front,
            &placements[0].permalink,
            &mut Vec::new(),
            &mut keys.permalink,
        );
        Ok(keys)
    }
}

fn first_lines(text: &str) -> String {
    text.lines().take(20).collect::<Vec<_>>().join("\n")
}

/// Each probe marker and what the hostile sample puts in its place, as the
/// front matter should hold it (a `<` that opens a tag is `＜`): every
/// value of the template context (see [`context_values`]) that holds a
/// marker in the probe, paired with the same value of the hostile sample.
fn replacements(probe: &[(String, String)], hostile: &[(String, String)]) -> Vec<(String, String)> {
    probe
        .iter()
        .filter(|(_, value)| value.contains(MARKER))
        .filter_map(|(at, marker)| {
            let (_, value) = hostile.iter().find(|(place, _)| place == at)?;
            Some((marker.clone(), inert_lt(value)))
        })
        .collect()
}

/// What every probe marker ends with.
const MARKER: &str = "Qx";

/// `value` as the quoting filters write it: a `<` that could open a tag
/// becomes `＜`.
fn inert_lt(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (at, c) in value.char_indices() {
        if c == '<' && crate::util::escape::opens_a_tag(&value[at + 1..]) {
            out.push('\u{FF1C}');
        } else {
            out.push(c);
        }
    }
    out
}

/// The first key where `actual` is not the probe's front matter with the
/// hostile values in place of the markers: a value that differs where the
/// probe held a marker, a key missing or added, a list of another length.
/// Values the template made without a marker (a count, a filter's output)
/// are compared by shape only.
fn first_difference(
    probe: &Json,
    actual: &Json,
    replacements: &[(String, String)],
    path: &mut KeyPath,
) -> Option<KeyPath> {
    match (probe, actual) {
        (Json::Object(p), Json::Object(a)) => {
            let odd = p
                .keys()
                .find(|k| !a.contains_key(*k))
                .or_else(|| a.keys().find(|k| !p.contains_key(*k)));
            if let Some(key) = odd {
                let mut at = path.clone();
                at.push(key.clone());
                return Some(at);
            }
            p.iter().find_map(|(key, value)| {
                path.push(key.clone());
                let found = first_difference(value, &a[key], replacements, path);
                path.pop();
                found
            })
        }
        (Json::Array(p), Json::Array(a)) => {
            if p.len() != a.len() {
                return Some(path.clone());
            }
            p.iter().zip(a).enumerate().find_map(|(i, (p, a))| {
                path.push(i.to_string());
                let found = first_difference(p, a, replacements, path);
                path.pop();
                found
            })
        }
        (Json::String(p), Json::String(a)) => {
            let mut expected = p.clone();
            let mut marked = false;
            for (marker, replacement) in replacements {
                if expected.contains(marker.as_str()) {
                    expected = expected.replace(marker.as_str(), replacement);
                    marked = true;
                }
            }
            (marked && expected != *a).then(|| path.clone())
        }
        (p, a) if std::mem::discriminant(p) == std::mem::discriminant(a) => None,
        _ => Some(path.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_built_by_the_article_builder_in_the_outputs_locale() {
        let english = SiteLocale::parse("en").unwrap();
        let [probe, hostile, empty] = samples(&english);
        let credit = |article: &Article| article.image.as_ref().map(|i| i.credit.clone());
        assert_eq!(
            credit(&probe),
            Some(format!(
                "{}{}",
                english.image_credit_prefix(),
                probe.source_url
            ))
        );
        assert_eq!(probe.tags, PROBE_TAGS);
        assert_eq!(hostile.title, HOSTILE_TITLE);
        assert_eq!(empty.image, None);
        let [french, ..] = samples(&SiteLocale::french());
        assert_ne!(credit(&french), credit(&probe));
        assert_eq!(
            credit(&french),
            Some(format!(
                "{}{}",
                SiteLocale::french().image_credit_prefix(),
                french.source_url
            ))
        );
    }

    /// The values of the template context no feed decides, each with why:
    /// every other value must hold a marker in the probe sample and a
    /// hostile text in the hostile one, so that the check compares it.
    const NOT_FROM_A_FEED: &[(&str, &str)] = &[
        ("date", "formatted from a parsed date"),
        ("date_local", "formatted from a parsed date"),
        ("published_date", "a parsed date in the output's locale"),
        ("slug", "[a-z0-9-] by construction"),
        (
            "permalink",
            "made by the output's permalink template from the other values, a plain URL path",
        ),
        ("section", "a plain segment of feeds.toml"),
        ("locale", "the output's locale, from feeds.toml"),
        (
            "content_html",
            "made safe from the hostile summary's HTML: no marker survives it",
        ),
        ("content_markdown", "made from content_html"),
        ("enclosure.length", "a number"),
    ];

    #[test]
    fn every_context_value_is_hostile_in_the_sample() {
        let locale = SiteLocale::french();
        let format = OutputFormat::preset(crate::output::Preset::Default, chrono_tz::UTC).unwrap();
        let [probe, hostile, _] = samples(&locale);
        let values = |article: &Article| {
            let article = Arc::new(article.clone());
            let placed = format.place(&article, 1).unwrap();
            context_values(&article, &placed, &locale)
        };
        let (probe, hostile) = (values(&probe), values(&hostile));
        // The walk reaches every name of the context.
        for key in super::super::format::CONTEXT_KEYS {
            assert!(
                probe
                    .iter()
                    .any(|(at, _)| at == key || at.starts_with(&format!("{key}."))),
                "{key} has no value in the probe"
            );
        }
        let mut compared = Vec::new();
        for (at, value) in &probe {
            let top = at.split('.').next().unwrap_or(at);
            let listed = |name: &str| NOT_FROM_A_FEED.iter().any(|(n, _)| *n == name);
            if listed(at) || listed(top) {
                continue;
            }
            assert!(
                value.contains(MARKER),
                "`{at}` ({value:?}) holds no probe marker: give it one, or list it in NOT_FROM_A_FEED with why"
            );
            let hostile = hostile
                .iter()
                .find(|(place, _)| place == at)
                .map(|(_, v)| v.as_str())
                .unwrap_or_else(|| panic!("`{at}` is not in the hostile sample"));
            assert!(
                hostile.contains(['"', '<', '\n', '{', '&', '#']),
                "`{at}` is not hostile in the hostile sample: {hostile:?}"
            );
            compared.push(top.to_string());
        }
        for named in ["lang", "enclosure", "feed", "author", "title"] {
            assert!(compared.iter().any(|c| c == named), "{named}: {compared:?}");
        }
        // And the check pairs each of them.
        assert_eq!(
            replacements(&probe, &hostile).len(),
            probe.iter().filter(|(_, v)| v.contains(MARKER)).count()
        );
    }

    #[test]
    fn yaml_and_toml_front_matter_are_read_back() {
        let read_back = ReadBack {
            source_url: vec![
                vec!["sourceUrl".into()],
                vec!["params".into(), "sourceUrl".into()],
            ],
            permalink: vec![vec!["permalink".into()]],
        };
        let yaml = "---\ntitle: \"a\"\nsourceUrl: \"https://ex.org/a\"\npermalink: \"/p/x\"\n---\n\nbody\n---\n";
        assert_eq!(
            read_back.read(yaml),
            Some((Some("https://ex.org/a".into()), Some("/p/x".into())))
        );
        let toml = "+++\ntitle = \"a\"\n[params]\nsourceUrl = \"https://ex.org/b\"\n+++\n\nbody\n";
        assert_eq!(
            read_back.read(toml),
            Some((Some("https://ex.org/b".into()), None))
        );
        for broken in [
            "no front matter",
            "---\ntitle: [unclosed\n---\n",
            "+++\ntitle = \n+++\n",
            "---\nnever closed",
            "",
        ] {
            assert_eq!(read_back.read(broken), None, "{broken:?}");
        }
        assert_eq!(read_back.read("---\n---\nbody"), Some((None, None)));
    }
}
