//! Article files in the site's own format: a template (minijinja, Jinja2
//! syntax) for the file's text, one for its path inside the content folder
//! and one for its permalink.
//!
//! In: the `[output]` settings of each feed, resolved by [`crate::config`]
//! into an [`OutputSpec`], and articles. Out: per feed an [`OutputFormat`]
//! that names an article's file and permalink and writes its text. The
//! templates of a run are compiled once, when the run opens, and each is
//! tried on sample articles then (hostile values and empty ones), so that
//! a template that cannot work stops the run before anything is written.
//! Fails with [`OutputError`]: a template that does not compile or fails on
//! a sample (naming its file, line and column), an unknown filter or
//! variable, a loop that never ends (out of fuel), a path that would lead
//! out of the content folder, a front matter that does not read back.

pub(crate) mod content;
pub(crate) mod escape;
mod filters;
pub(crate) mod front_matter;
pub(crate) mod locale;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, OnceLock};

use chrono_tz::Tz;
use minijinja::value::{Enumerator, Kwargs, Object, Value};
use minijinja::{AutoEscape, Environment, State, UndefinedBehavior};

use crate::article::Article;
use crate::config::is_plain_segment;
use content::{SafeContent, safe_content};
pub(crate) use front_matter::ReadBack;
use locale::SiteLocale;

/// The site generators feedimport writes for out of the box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// The format of the site feedimport was first written for: YAML front
    /// matter with `publishedDate`, `sourceUrl`, `imageCredit`, a French
    /// body.
    Default,
    Hugo,
    Jekyll,
    Eleventy,
    Astro,
}

impl Preset {
    pub(crate) const ALL: [Preset; 5] = [
        Preset::Default,
        Preset::Hugo,
        Preset::Jekyll,
        Preset::Eleventy,
        Preset::Astro,
    ];

    /// Its name in `feeds.toml`.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Default => "default",
            Preset::Hugo => "hugo",
            Preset::Jekyll => "jekyll",
            Preset::Eleventy => "eleventy",
            Preset::Astro => "astro",
        }
    }

    pub(crate) fn named(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The template, compiled into the binary.
    fn source(self) -> &'static str {
        match self {
            Preset::Default => include_str!("presets/default.md"),
            Preset::Hugo => include_str!("presets/hugo.md"),
            Preset::Jekyll => include_str!("presets/jekyll.md"),
            Preset::Eleventy => include_str!("presets/eleventy.md"),
            Preset::Astro => include_str!("presets/astro.md"),
        }
    }

    /// Where the preset's files go inside the content folder.
    pub(crate) fn default_path(self) -> &'static str {
        match self {
            Preset::Jekyll => "_posts/{{ date_local }}-{{ slug }}.md",
            _ => DEFAULT_PATH,
        }
    }

    /// The page's address on the site.
    pub(crate) fn default_permalink(self) -> &'static str {
        match self {
            Preset::Default => "/{{ section }}/{{ date_local }}-{{ slug }}",
            // The generators make a folder of each page.
            _ => "/{{ section }}/{{ date_local }}-{{ slug }}/",
        }
    }
}

/// The file's path when neither the preset nor `output.path` says.
pub(crate) const DEFAULT_PATH: &str = "{{ section }}/{{ date_local }}-{{ slug }}.md";

/// The file extensions an article may have: the ones the content folder is
/// read back for when the state is lost.
pub(crate) const ARTICLE_EXTENSIONS: [&str; 3] = ["md", "markdown", "mdx"];

/// Where a feed's file template comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum TemplateSource {
    Preset(Preset),
    /// A file, absolute (resolved against the config's folder).
    File(PathBuf),
}

impl fmt::Display for TemplateSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateSource::Preset(p) => write!(f, "the {} preset", p.name()),
            TemplateSource::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// A feed's output, as `feeds.toml` resolves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutputSpec {
    pub(crate) source: TemplateSource,
    /// The path template.
    pub(crate) path: String,
    /// The permalink template.
    pub(crate) permalink: String,
    pub(crate) locale: SiteLocale,
}

impl Default for OutputSpec {
    fn default() -> Self {
        OutputSpec {
            source: TemplateSource::Preset(Preset::Default),
            path: Preset::Default.default_path().to_string(),
            permalink: Preset::Default.default_permalink().to_string(),
            locale: SiteLocale::french(),
        }
    }
}

/// A template that cannot work, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// The file, or the preset, or the config key the template is in.
    pub origin: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.origin)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for TemplateError {}

/// What keeps an output from being used.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("cannot read template {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `output.path` gave a path feedimport will not write.
    #[error("{origin}: the path {path:?} {reason}")]
    Path {
        origin: String,
        path: String,
        reason: &'static str,
    },
    /// A sample article's file does not read back as it was written.
    #[error("{origin}: {message}")]
    FrontMatter { origin: String, message: String },
    /// A feed whose output the run did not compile (every feed of the
    /// config is compiled when a run opens: a bug if it happens).
    #[error("its output settings were not compiled with the run's")]
    NotCompiled,
    /// Names the feeds the error concerns.
    #[error("feed \"{feed}\": {source}")]
    Feed {
        feed: String,
        #[source]
        source: Box<OutputError>,
    },
}

/// Instructions a template may run for one article: enough for any
/// sensible template many times over, and a bound on a loop that never
/// ends.
const FUEL: u64 = 200_000;

/// Where an article goes and how the site addresses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placement {
    /// Relative to the content folder, every part a plain name.
    pub(crate) path: PathBuf,
    pub(crate) permalink: String,
    /// The slug the path and the permalink were made with (`-2` added for
    /// the second article of a name).
    pub(crate) slug: String,
}

/// An article's first candidate name and its file, made ahead.
#[derive(Debug, Clone)]
pub(crate) struct FirstTry {
    pub(crate) placed: Placement,
    pub(crate) text: String,
    /// The text's hash, as the state keeps it (see [`crate::updates`]).
    pub(crate) text_hash: String,
}

/// One feed's compiled output: its file, path and permalink templates, in
/// the run's one template environment.
#[derive(Clone)]
pub struct OutputFormat {
    env: Arc<Environment<'static>>,
    text: String,
    path: String,
    permalink: String,
    locale: SiteLocale,
    /// Set when the path and permalink templates are the built-in ones:
    /// the names are then made without running them (the same names; two
    /// renders fewer for every article).
    builtin_names: Option<BuiltinNames>,
}

/// The built-in path and permalink templates, as Rust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct BuiltinNames {
    /// The permalink ends in `/` (the generators' presets).
    trailing_slash: bool,
}

impl BuiltinNames {
    fn of(spec: &OutputSpec) -> Option<BuiltinNames> {
        if spec.path != DEFAULT_PATH {
            return None;
        }
        [false, true]
            .into_iter()
            .map(|trailing_slash| BuiltinNames { trailing_slash })
            .find(|names| spec.permalink == names.template())
    }

    /// The permalink template this stands for.
    fn template(self) -> &'static str {
        if self.trailing_slash {
            Preset::Hugo.default_permalink()
        } else {
            Preset::Default.default_permalink()
        }
    }

    fn place(self, article: &Article, slug: String) -> Placement {
        let stem = format!("{}-{slug}", article.local_date.format("%Y-%m-%d"));
        let permalink = format!(
            "/{}/{stem}{}",
            article.section,
            if self.trailing_slash { "/" } else { "" }
        );
        Placement {
            path: Path::new(&article.section).join(format!("{stem}.md")),
            permalink,
            slug,
        }
    }
}

impl fmt::Debug for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutputFormat")
            .field("text", &self.text)
            .field("path", &self.path)
            .field("permalink", &self.permalink)
            .finish()
    }
}

/// Every output a run uses, compiled once.
#[derive(Debug, Clone)]
pub(crate) struct Outputs {
    formats: Vec<(OutputSpec, OutputFormat)>,
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

fn for_feed(feed: &str, error: OutputError) -> OutputError {
    OutputError::Feed {
        feed: feed.to_string(),
        source: Box::new(error),
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
                TemplateSource::Preset(preset) => {
                    (spec.source.to_string(), preset.source().to_string())
                }
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
fn environment(timezone: Tz) -> Environment<'static> {
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

/// A minijinja error as ours: the origin, line and column, the message.
fn template_error(error: &minijinja::Error, origin: &str, source: Option<&str>) -> TemplateError {
    let line = error.line();
    let column = error.range().and_then(|range| {
        let source = source?;
        let before = source.get(..range.start)?;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Some(before[line_start..].chars().count() + 1)
    });
    let mut message = error.kind().to_string();
    if let Some(detail) = error.detail() {
        message.push_str(": ");
        message.push_str(detail);
    }
    TemplateError {
        origin: error.name().unwrap_or(origin).to_string(),
        line,
        column,
        message,
    }
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

    /// The file of `article`, whose permalink and slug are final.
    pub fn file_text(&self, article: &Article) -> Result<String, TemplateError> {
        let context = ArticleContext::new(Arc::new(article.clone()), None, &self.locale);
        self.render(&self.text, context)
    }

    /// Where the `attempt`th candidate name of `article` goes (`1` is its
    /// own slug, `2` adds `-2`, …).
    pub(crate) fn place(
        &self,
        article: &Arc<Article>,
        attempt: u32,
    ) -> Result<Placement, OutputError> {
        if let Some(placed) = self.builtin_place(article, attempt) {
            return Ok(placed);
        }
        let slug = attempt_slug(article, attempt);
        let naming = Naming {
            slug: slug.clone(),
            permalink: None,
        };
        let context = ArticleContext::new(article.clone(), Some(naming.clone()), &self.locale);
        let permalink = self.render(&self.permalink, context)?.trim().to_string();
        let context = ArticleContext::new(
            article.clone(),
            Some(Naming {
                permalink: Some(permalink.clone()),
                ..naming
            }),
            &self.locale,
        );
        let rendered = self.render(&self.path, context)?;
        let path = safe_relative_path(rendered.trim()).map_err(|reason| OutputError::Path {
            origin: self.path.clone(),
            path: rendered.trim().to_string(),
            reason,
        })?;
        Ok(Placement {
            path,
            permalink,
            slug,
        })
    }

    /// The first candidate name of `article` and its file text: made
    /// ahead, where articles are built (on every core), and kept by the
    /// writing unless that name is taken. `None` when a template fails: the
    /// writing then meets (and reports) the same error.
    pub(crate) fn first_try(&self, article: &Article) -> Option<FirstTry> {
        let placed = match self.builtin_place(article, 1) {
            Some(placed) => placed,
            None => self.place(&Arc::new(article.clone()), 1).ok()?,
        };
        let placed_article = Arc::new(Article {
            permalink: placed.permalink.clone(),
            slug: placed.slug.clone(),
            ..article.clone()
        });
        let text = self
            .render(
                &self.text,
                ArticleContext::new(placed_article, None, &self.locale),
            )
            .ok()?;
        let text_hash = crate::updates::file_hash(text.as_bytes());
        Some(FirstTry {
            placed,
            text,
            text_hash,
        })
    }

    /// [`OutputFormat::place`] with the built-in names, when this output
    /// has them. The section is a plain segment and the slug `[a-z0-9-]`:
    /// the built-in names need no check.
    fn builtin_place(&self, article: &Article, attempt: u32) -> Option<Placement> {
        let names = self.builtin_names?;
        is_plain_segment(&article.section)
            .then(|| names.place(article, attempt_slug(article, attempt)))
    }

    fn render(&self, name: &str, context: ArticleContext) -> Result<String, TemplateError> {
        let template = self
            .env
            .get_template(name)
            .map_err(|e| template_error(&e, name, None))?;
        template
            .render(Value::from_object(context))
            .map_err(|e| template_error(&e, name, Some(template.source())))
    }

    /// The locale this output writes in.
    pub(crate) fn locale(&self) -> &SiteLocale {
        &self.locale
    }
}

/// The slug of the `attempt`th candidate name: `-2`, `-3`, … from the
/// second on.
fn attempt_slug(article: &Article, attempt: u32) -> String {
    if attempt <= 1 {
        article.slug.clone()
    } else {
        format!("{}-{attempt}", article.slug)
    }
}

/// `rendered` as a path inside the content folder: relative, every part a
/// plain name, characters file systems refuse replaced with `-`, and an
/// article's extension.
pub(crate) fn safe_relative_path(rendered: &str) -> Result<PathBuf, &'static str> {
    if rendered.starts_with('/') || rendered.starts_with('\\') {
        return Err("is absolute: give a path inside the content folder");
    }
    let mut path = PathBuf::new();
    for part in rendered.split(['/', '\\']) {
        if part.is_empty() || part == "." {
            continue;
        }
        if part == ".." {
            return Err(
                "leads out of the content folder (`..`): give a title or other text of a feed to a path through the slug filter",
            );
        }
        let cleaned: String = part
            .chars()
            .map(|c| {
                if c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') {
                    '-'
                } else {
                    c
                }
            })
            .collect();
        // Windows drops trailing dots and spaces; a name of dots is no name.
        let cleaned = cleaned.trim_end_matches(['.', ' ']).trim_start();
        if cleaned.is_empty() {
            return Err("has a part that is no file name");
        }
        // A name is at most 255 bytes on most file systems: long names are
        // cut between words, keeping their extension.
        let (stem, extension) = match cleaned.rsplit_once('.') {
            Some((stem, extension)) if !stem.is_empty() && extension.len() <= 8 => {
                (stem, Some(extension))
            }
            _ => (cleaned, None),
        };
        let mut name = longest_name(stem, extension.map_or(0, |e| e.len() + 1));
        if let Some(extension) = extension {
            name.push('.');
            name.push_str(extension);
        }
        path.push(name);
    }
    if path.as_os_str().is_empty() {
        return Err("is empty");
    }
    if !path.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err("is not a plain path");
    }
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !ARTICLE_EXTENSIONS.contains(&extension) {
        return Err("must end in .md, .markdown or .mdx");
    }
    Ok(path)
}

/// The longest prefix of `stem`, cut between words, that leaves room for
/// `suffix` bytes within [`MAX_NAME_BYTES`]. The slug alone is at most 200
/// characters: a file name of the usual `date-slug` shape is never cut.
fn longest_name(stem: &str, suffix: usize) -> String {
    let mut chars = MAX_NAME_BYTES;
    loop {
        let cut = crate::text::word_prefix(stem, chars, |c| c == '-');
        if cut.len() + suffix <= MAX_NAME_BYTES || chars <= 16 {
            return cut.to_string();
        }
        chars -= 16;
    }
}

/// File systems hold names of up to 255 bytes; some room is left for what
/// editors and tools add (`~`, `.swp`).
const MAX_NAME_BYTES: usize = 240;

/// The name an article is being tried under.
#[derive(Debug, Clone)]
struct Naming {
    slug: String,
    /// Unknown while the permalink itself is made.
    permalink: Option<String>,
}

/// An article as templates see it: every field defined (empty when the
/// item lacks it), the content made safe only when a template reads it.
#[derive(Debug)]
struct ArticleContext {
    article: Arc<Article>,
    naming: Option<Naming>,
    locale: String,
    content: OnceLock<SafeContent>,
}

/// The names every template can use.
const CONTEXT_KEYS: &[&str] = &[
    "title",
    "date",
    "date_local",
    "published_date",
    "summary",
    "source_url",
    "image_url",
    "image_credit",
    "tags",
    "permalink",
    "slug",
    "section",
    "author",
    "categories",
    "content_html",
    "content_markdown",
    "enclosure",
    "feed",
    "lang",
    "locale",
];

impl ArticleContext {
    fn new(article: Arc<Article>, naming: Option<Naming>, locale: &SiteLocale) -> ArticleContext {
        ArticleContext {
            article,
            naming,
            locale: locale.tag().to_string(),
            content: OnceLock::new(),
        }
    }

    fn content(&self) -> &SafeContent {
        self.content.get_or_init(|| {
            let base = url::Url::parse(&self.article.source_url).ok();
            safe_content(&self.article.content_html, base.as_ref())
        })
    }
}

fn text(value: &str) -> Value {
    Value::from(value)
}

fn texts(values: &[String]) -> Value {
    Value::from(
        values
            .iter()
            .map(|v| Value::from(v.as_str()))
            .collect::<Vec<_>>(),
    )
}

impl Object for ArticleContext {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let a = &self.article;
        Some(match key.as_str()? {
            "title" => text(&a.title),
            "date" => text(&a.date),
            "date_local" => Value::from(a.local_date.format("%Y-%m-%d").to_string()),
            "published_date" => text(&a.published_date),
            "summary" => text(&a.summary),
            "source_url" => text(&a.source_url),
            "image_url" => text(&a.image_url),
            "image_credit" => text(&a.image_credit),
            "tags" => texts(&a.tags),
            "permalink" => match &self.naming {
                None => text(&a.permalink),
                Some(naming) => text(naming.permalink.as_deref().unwrap_or("")),
            },
            "slug" => match &self.naming {
                None => text(&a.slug),
                Some(naming) => text(&naming.slug),
            },
            "section" => text(&a.section),
            "author" => text(&a.author),
            "categories" => texts(&a.categories),
            "content_html" => text(&self.content().html),
            "content_markdown" => text(&self.content().markdown),
            "enclosure" => Value::from_object(BTreeMap::from([
                ("url", text(&a.enclosure.url)),
                ("type", text(&a.enclosure.mime_type)),
                ("length", text(&a.enclosure.length)),
            ])),
            "feed" => Value::from_object(BTreeMap::from([
                ("name", text(&a.feed.name)),
                ("url", text(&a.feed.url)),
                ("title", text(&a.feed.title)),
            ])),
            "lang" => text(&a.lang),
            "locale" => text(&self.locale),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(CONTEXT_KEYS)
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
    let text = format.file_text(&Article {
        permalink: placed.permalink,
        slug: placed.slug,
        ..(*article).clone()
    })?;
    let path = config.content_dir.join(&placed.path);
    let shown = path
        .strip_prefix(&config.base_dir)
        .map(PathBuf::from)
        .unwrap_or(path);
    Ok((shown, text))
}

#[cfg(test)]
#[path = "../../tests/common/markdown.rs"]
mod markdown;

#[cfg(test)]
mod tests;
