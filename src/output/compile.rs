//! The outputs of a run, compiled once when it opens: every template in one
//! minijinja environment (strict about undefined names, fuel against
//! runaway loops, our filters), each output tried on the sample articles
//! before anything is written.
//!
//! In: each feed's [`OutputSpec`] and the site's time zone. Out:
//! [`Outputs`], one [`OutputFormat`] per distinct spec and the keys under
//! which their front matter keeps the source URL and the permalink. Fails
//! with [`OutputError`] naming the feed, the template, its line and column.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono_tz::Tz;
use minijinja::value::{Kwargs, Value};
use minijinja::{AutoEscape, Environment, State, UndefinedBehavior};

use super::error::{OutputError, for_feed, template_error};
use super::filters;
use super::format::{BuiltinNames, OutputFormat};
use super::front_matter::ReadBack;
use crate::config::output::{OutputSpec, Preset, TemplateSource};
use crate::util::locale::SiteLocale;

/// Instructions a template may run for one article: enough for any
/// sensible template many times over, and a bound on a loop that never
/// ends.
const FUEL: u64 = 200_000;

/// Every output a run uses, compiled once.
#[derive(Debug, Clone)]
pub(crate) struct Outputs {
    pub(super) formats: Vec<(OutputSpec, OutputFormat)>,
    /// The front matter keys that hold the source URL and the permalink,
    /// for reading articles back.
    pub(crate) read_back: ReadBack,
}

impl Outputs {
    /// Compiles the outputs of `feeds` (each `(name, spec)`), tries each on
    /// the sample articles, and learns where their front matter keeps the
    /// source URL.
    pub(crate) fn compile<'a>(
        feeds: impl IntoIterator<Item = (&'a str, &'a OutputSpec)>,
        timezone: Tz,
    ) -> Result<Outputs, OutputError> {
        let mut builder = Builder::new(timezone);
        let mut specs: Vec<(&OutputSpec, &str)> = Vec::new();
        for (feed, spec) in feeds {
            if !specs.iter().any(|(s, _)| *s == spec) {
                specs.push((spec, feed));
            }
        }
        for (spec, feed) in &specs {
            builder.add(spec).map_err(|e| for_feed(feed, e))?;
        }
        let env = Arc::new(builder.env);
        let mut formats = Vec::with_capacity(specs.len());
        let mut read_back = ReadBack::default();
        for (spec, feed) in specs {
            let format = OutputFormat {
                env: env.clone(),
                text: builder.names[&Key::Text(spec.source.clone())].clone(),
                path: builder.names[&Key::Path(spec.path.clone())].clone(),
                permalink: builder.names[&Key::Permalink(spec.permalink.clone())].clone(),
                locale: spec.locale.clone(),
                builtin_names: BuiltinNames::of(spec),
            };
            let keys = format.check_samples().map_err(|e| for_feed(feed, e))?;
            read_back.learn(keys);
            formats.push((spec.clone(), format));
        }
        Ok(Outputs { formats, read_back })
    }

    /// The output of `feed`.
    pub(crate) fn of_feed(
        &self,
        feed: &crate::config::FeedConfig,
    ) -> Result<&OutputFormat, OutputError> {
        self.format(&feed.output)
            .ok_or_else(|| for_feed(&feed.name, OutputError::NotCompiled))
    }

    /// The output of a feed whose spec is `spec` (one of those compiled).
    pub(crate) fn format(&self, spec: &OutputSpec) -> Option<&OutputFormat> {
        self.formats
            .iter()
            .find(|(s, _)| s == spec)
            .map(|(_, format)| format)
    }
}

/// The templates, by what they are, to the names they have in the
/// environment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Text(TemplateSource),
    Path(String),
    Permalink(String),
}

struct Builder {
    env: Environment<'static>,
    names: HashMap<Key, String>,
}

impl Builder {
    fn new(timezone: Tz) -> Builder {
        Builder {
            env: environment(timezone),
            names: HashMap::new(),
        }
    }

    fn add(&mut self, spec: &OutputSpec) -> Result<(), OutputError> {
        let text_key = Key::Text(spec.source.clone());
        if !self.names.contains_key(&text_key) {
            let (name, source) = match &spec.source {
                TemplateSource::Preset(preset) => (
                    spec.source.to_string(),
                    preset_template(*preset).to_string(),
                ),
                TemplateSource::File(path) => {
                    let source =
                        std::fs::read_to_string(path).map_err(|source| OutputError::Read {
                            path: path.clone(),
                            source,
                        })?;
                    (path.display().to_string(), source)
                }
            };
            self.compile(text_key, name, source)?;
        }
        for key in [
            Key::Path(spec.path.clone()),
            Key::Permalink(spec.permalink.clone()),
        ] {
            if self.names.contains_key(&key) {
                continue;
            }
            let (label, source) = match &key {
                Key::Path(source) => ("output.path", source),
                Key::Permalink(source) => ("output.permalink", source),
                Key::Text(_) => continue,
            };
            let name = format!("{label} = {source:?}");
            let source = source.clone();
            self.compile(key, name, source)?;
        }
        Ok(())
    }

    fn compile(&mut self, key: Key, name: String, source: String) -> Result<(), OutputError> {
        self.env
            .add_template_owned(name.clone(), source.clone())
            .map_err(|e| template_error(&e, &name, Some(&source)))?;
        self.names.insert(key, name);
        Ok(())
    }
}

/// The environment every template of a run is compiled in: strict about
/// undefined names, no HTML escaping (the filters escape for their own
/// language), fuel against runaway loops, the block tags' own lines
/// removed, the file's last newline kept.
pub(super) fn environment(timezone: Tz) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_fuel(Some(FUEL));
    env.set_debug(false);
    let mut syntax = minijinja::syntax::SyntaxConfig::builder();
    syntax
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true);
    if let Ok(syntax) = syntax.build() {
        env.set_syntax(syntax);
    }
    env.add_filter("yaml", filters::yaml);
    env.add_filter("toml", filters::toml);
    env.add_filter("json", filters::json);
    env.add_filter("md", filters::md);
    env.add_filter("slug", filters::slug);
    env.add_filter("label", filters::label);
    env.add_filter("alt", filters::alt);
    let dates = filters::DateFilter { timezone };
    env.add_filter(
        "date",
        move |state: &State,
              value: Value,
              format: Option<String>,
              locale: Option<String>,
              named: Kwargs| {
            // `date('long', 'de')` or `date(format='long', locale='de')`.
            let format = match format {
                Some(format) => Some(format),
                None => named.get::<Option<String>>("format")?,
            };
            let locale = match locale {
                Some(locale) => Some(locale),
                None => named.get::<Option<String>>("locale")?,
            };
            named.assert_all_used()?;
            dates.apply(state, value, format, locale)
        },
    );
    env
}

impl OutputFormat {
    /// One preset with its own path and permalink, in French: for the
    /// benches, the fuzz targets and the tests.
    pub fn preset(preset: Preset, timezone: Tz) -> Result<OutputFormat, OutputError> {
        let spec = OutputSpec {
            source: TemplateSource::Preset(preset),
            path: preset.default_path().to_string(),
            permalink: preset.default_permalink().to_string(),
            locale: SiteLocale::french(),
        };
        let outputs = Outputs::compile([("", &spec)], timezone)?;
        Ok(outputs.formats[0].1.clone())
    }
}

/// The template of `preset`, compiled into the binary.
pub(super) fn preset_template(preset: Preset) -> &'static str {
    match preset {
        Preset::Default => include_str!("presets/default.md"),
        Preset::Hugo => include_str!("presets/hugo.md"),
        Preset::Jekyll => include_str!("presets/jekyll.md"),
        Preset::Eleventy => include_str!("presets/eleventy.md"),
        Preset::Astro => include_str!("presets/astro.md"),
    }
}

/// A made-up article of `feed`, placed and written as a run would: what
/// `check` shows. Returns the file's path (relative to the config's
/// folder) and text.
pub(crate) fn sample_file(
    config: &crate::config::Config,
    outputs: &Outputs,
    feed: &crate::config::FeedConfig,
) -> Result<(PathBuf, String), OutputError> {
    use crate::article::{ArticleSettings, build_article};
    use crate::extract::{DateSource, DraftEnclosure, ItemDraft};
    let format = outputs.of_feed(feed)?;
    let url = |u: &str| url::Url::parse(u).ok();
    let source_url =
        url("https://news.example.org/2024/09/02/a-sample-article/").ok_or_else(|| {
            OutputError::FrontMatter {
                origin: feed.name.clone(),
                message: "no sample URL".to_string(),
            }
        })?;
    let draft = ItemDraft {
        key: "sample".to_string(),
        title: "A sample article: what an item of this feed becomes".to_string(),
        date: chrono::DateTime::parse_from_rfc3339("2024-09-02T10:13:01Z")
            .map(|d| d.to_utc())
            .unwrap_or_default(),
        date_source: DateSource::Published,
        summary: "The item's summary, as plain text, cut to 500 characters.".to_string(),
        source_url: source_url.clone(),
        link_identifies: true,
        content_base: None,
        declared_image: url("https://news.example.org/wp-content/uploads/sample.jpg"),
        content_image: None,
        categories: vec!["Sample category".to_string()],
        author: "Sample Author".to_string(),
        content_html: "<p>The item's <strong>full text</strong>.</p>".into(),
        enclosure: url("https://news.example.org/sample.mp3").map(|url| DraftEnclosure {
            url,
            mime_type: "audio/mpeg".to_string(),
            length: Some(1234),
        }),
    };
    let settings = ArticleSettings::for_feed(config, feed, "Sample feed title", "en");
    let article = Arc::new(build_article(&draft, &settings, None));
    let placed = format.place(&article, 1)?;
    let text = format.placed_text(&article, &placed)?;
    let path = config.content_dir.join(&placed.path);
    let shown = path
        .strip_prefix(&config.base_dir)
        .map(PathBuf::from)
        .unwrap_or(path);
    Ok((shown, text))
}
