//! One feed's compiled output at work: an article's file name and
//! permalink (the `-2`, `-3`, … of a taken name), and its file's text.
//!
//! In: an [`Article`] and the attempt number. Out: a [`Placement`] (a path
//! inside the content folder, every part a plain name) and the file's
//! text; every value of the template context by its place (for the
//! sample articles' check). Fails with [`OutputError`]: a template that
//! fails on this article, a path that would lead out of the content
//! folder, or a permalink that is not a plain URL path.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, OnceLock};

use minijinja::Environment;
use minijinja::value::{Enumerator, Object, Value};

use super::content::{SafeContent, safe_content};
use super::error::{OutputError, TemplateError, template_error};
use crate::article::Article;
use crate::config::is_plain_segment;
use crate::config::output::{DEFAULT_PATH, OutputSpec, Preset};
use crate::util::locale::{SiteLocale, long_date};

/// The file extensions an article may have: the ones the content folder is
/// read back for when the state is lost.
pub(crate) const ARTICLE_EXTENSIONS: [&str; 3] = ["md", "markdown", "mdx"];

/// Where an article goes and how the site addresses it: fixed when the
/// article is placed, and given to its file's template with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// Relative to the content folder, every part a plain name.
    pub path: PathBuf,
    pub permalink: String,
    /// The slug the path and the permalink were made with (`-2` added for
    /// the second article of a name).
    pub slug: String,
}

/// An article's first candidate name and its file, made ahead.
#[derive(Debug, Clone)]
pub(crate) struct FirstTry {
    pub(crate) placed: Placement,
    pub(crate) text: String,
    /// The text's hash, as the state keeps it (see [`crate::write::updates`]).
    pub(crate) text_hash: String,
}

/// One feed's compiled output: its file, path and permalink templates, in
/// the run's one template environment.
#[derive(Clone)]
pub struct OutputFormat {
    pub(super) env: Arc<Environment<'static>>,
    pub(super) text: String,
    pub(super) path: String,
    pub(super) permalink: String,
    pub(super) locale: SiteLocale,
    /// Set when the path and permalink templates are the built-in ones:
    /// the names are then made without running them (the same names; two
    /// renders fewer for every article).
    pub(super) builtin_names: Option<BuiltinNames>,
}

/// The built-in path and permalink templates, as Rust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct BuiltinNames {
    /// The permalink ends in `/` (the generators' presets).
    trailing_slash: bool,
}

impl BuiltinNames {
    pub(super) fn of(spec: &OutputSpec) -> Option<BuiltinNames> {
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

impl OutputFormat {
    /// The file of `article`, placed at `placed`.
    pub fn file_text(
        &self,
        article: &Article,
        placed: &Placement,
    ) -> Result<String, TemplateError> {
        self.placed_text(&Arc::new(article.clone()), placed)
    }

    /// [`OutputFormat::file_text`] of an article shared with its placing.
    pub(crate) fn placed_text(
        &self,
        article: &Arc<Article>,
        placed: &Placement,
    ) -> Result<String, TemplateError> {
        let naming = Naming {
            slug: placed.slug.clone(),
            permalink: Some(placed.permalink.clone()),
        };
        let context = ArticleContext::new(article.clone(), naming, &self.locale)?;
        self.render(&self.text, context)
    }

    /// Where the `attempt`th candidate name of `article` goes (`1` is its
    /// own slug, `2` adds `-2`, …).
    pub fn place(&self, article: &Arc<Article>, attempt: u32) -> Result<Placement, OutputError> {
        if let Some(placed) = self.builtin_place(article, attempt) {
            return Ok(placed);
        }
        let slug = attempt_slug(article, attempt);
        let naming = Naming {
            slug: slug.clone(),
            permalink: None,
        };
        let context = ArticleContext::new(article.clone(), naming.clone(), &self.locale)?;
        let permalink = self.render(&self.permalink, context)?.trim().to_string();
        plain_permalink(&permalink).map_err(|reason| OutputError::Path {
            origin: self.permalink.clone(),
            path: permalink.clone(),
            reason,
        })?;
        let context = ArticleContext::new(
            article.clone(),
            Naming {
                permalink: Some(permalink.clone()),
                ..naming
            },
            &self.locale,
        )?;
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
        let article = Arc::new(article.clone());
        let placed = match self.builtin_place(&article, 1) {
            Some(placed) => placed,
            None => self.place(&article, 1).ok()?,
        };
        let text = self.placed_text(&article, &placed).ok()?;
        let text_hash = crate::util::hash::file_hash(text.as_bytes());
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
    // Each name is cut, but a path of many parts (a feed's list joined
    // with `/`) could pass what the system takes (4,096 bytes on Linux,
    // with the content folder's own path before it).
    if path.as_os_str().len() > MAX_PATH_BYTES {
        return Err("is too long (over 1,024 bytes)");
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

/// Refuses a permalink that is not a plain URL path: a site generator
/// reads it as its own (Eleventy renders a `permalink` as a Liquid or
/// Nunjucks template, Jekyll and Hugo place pages by it), so a brace, a
/// quote, a `<`, a space or a control character from a feed's text would be
/// markup or template code there. Letters of any script, digits and
/// `-._~/%:@!$&+,;=?#*()` are kept.
pub(crate) fn plain_permalink(permalink: &str) -> Result<(), &'static str> {
    let plain = |c: char| c.is_alphanumeric() || "-._~/%:@!$&+,;=?#*()".contains(c);
    if permalink.chars().all(plain) {
        Ok(())
    } else {
        Err(
            "is not a plain URL path (a brace, quote, `<`, space or control character would be markup or template code to a site generator): give a title or other text of a feed to a permalink through the slug filter",
        )
    }
}

/// The longest prefix of `stem`, cut between words, that leaves room for
/// `suffix` bytes within [`MAX_NAME_BYTES`]. The slug alone is at most 200
/// characters: a file name of the usual `date-slug` shape is never cut.
fn longest_name(stem: &str, suffix: usize) -> String {
    let mut chars = MAX_NAME_BYTES;
    loop {
        let cut = crate::util::text::word_prefix(stem, chars, |c| c == '-');
        if cut.len() + suffix <= MAX_NAME_BYTES || chars <= 16 {
            return cut.to_string();
        }
        chars -= 16;
    }
}

/// The longest path an article may have inside the content folder.
const MAX_PATH_BYTES: usize = 1024;

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
/// item lacks it), the dates formatted (the long one in the output's
/// locale), the content made safe only when a template reads it.
#[derive(Debug)]
struct ArticleContext {
    article: Arc<Article>,
    /// The article's full text as the feed sent it, read back from its
    /// spool when it was kept out of memory.
    content_html: Arc<str>,
    naming: Naming,
    locale: SiteLocale,
    content: OnceLock<SafeContent>,
}

/// The names every template can use.
pub(super) const CONTEXT_KEYS: &[&str] = &[
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
    /// Fails when the article's full text cannot be read back from its
    /// spool (an I/O error of the temporary folder): the item's failure,
    /// retried by the next run.
    fn new(
        article: Arc<Article>,
        naming: Naming,
        locale: &SiteLocale,
    ) -> Result<ArticleContext, TemplateError> {
        let content_html = article.content_html.load().map_err(|error| TemplateError {
            origin: "the item's full text".to_string(),
            line: None,
            column: None,
            message: format!("cannot be read back from its temporary file: {error}"),
            blame: super::error::Blame::Item,
        })?;
        Ok(ArticleContext {
            article,
            content_html,
            naming,
            locale: locale.clone(),
            content: OnceLock::new(),
        })
    }

    fn content(&self) -> &SafeContent {
        self.content.get_or_init(|| {
            // An xml:base in effect for the content is its authors' word on
            // what its relative links mean (RFC 4287, 2); else the page.
            let base = self
                .article
                .content_base
                .clone()
                .or_else(|| url::Url::parse(&self.article.source_url).ok());
            safe_content(&self.content_html, base.as_ref())
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
            "date" => Value::from(iso_date(a.date)),
            "date_local" => Value::from(a.local_date.format("%Y-%m-%d").to_string()),
            "published_date" => Value::from(long_date(a.local_date, &self.locale)),
            "summary" => text(&a.summary),
            "source_url" => text(&a.source_url),
            "image_url" => text(a.image.as_ref().map_or("", |i| i.url.as_str())),
            "image_credit" => text(a.image.as_ref().map_or("", |i| i.credit.as_str())),
            "tags" => texts(&a.tags),
            // Unknown while the permalink itself is made.
            "permalink" => text(self.naming.permalink.as_deref().unwrap_or("")),
            "slug" => text(&self.naming.slug),
            "section" => text(&a.section),
            "author" => text(&a.author),
            "categories" => texts(&a.categories),
            "content_html" => text(&self.content().html),
            "content_markdown" => text(&self.content().markdown),
            "enclosure" => {
                let enclosure = a.enclosure.as_ref();
                Value::from_object(BTreeMap::from([
                    ("url", text(enclosure.map_or("", |e| e.url.as_str()))),
                    ("type", text(enclosure.map_or("", |e| e.mime_type.as_str()))),
                    (
                        "length",
                        Value::from(
                            enclosure
                                .and_then(|e| e.length)
                                .map(|l| l.to_string())
                                .unwrap_or_default(),
                        ),
                    ),
                ]))
            }
            "feed" => Value::from_object(BTreeMap::from([
                ("name", text(&a.feed.name)),
                ("url", text(&a.feed.url)),
                ("title", text(&a.feed.title)),
            ])),
            "lang" => text(&a.lang),
            "locale" => text(self.locale.tag()),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(CONTEXT_KEYS)
    }
}

/// Every value a template can read for `article` placed at `placed`, by
/// its place (`title`, `tags.0`, `enclosure.url`), the context walked from
/// [`CONTEXT_KEYS`] through its lists and maps: what the sample articles'
/// check compares, so that a value added to the context is compared too.
pub(super) fn context_values(
    article: &Arc<Article>,
    placed: &Placement,
    locale: &SiteLocale,
) -> Vec<(String, String)> {
    let naming = Naming {
        slug: placed.slug.clone(),
        permalink: Some(placed.permalink.clone()),
    };
    let Ok(context) = ArticleContext::new(article.clone(), naming, locale) else {
        return Vec::new();
    };
    let context = Arc::new(context);
    let mut values = Vec::new();
    for key in CONTEXT_KEYS {
        if let Some(value) = context.get_value(&Value::from(*key)) {
            leaves(key.to_string(), &value, &mut values);
        }
    }
    values
}

/// The text of every leaf of `value`, by its place below `at`.
fn leaves(at: String, value: &Value, out: &mut Vec<(String, String)>) {
    use minijinja::value::ValueKind;
    match value.kind() {
        ValueKind::Seq | ValueKind::Map => {
            let is_map = value.kind() == ValueKind::Map;
            let Ok(items) = value.try_iter() else { return };
            for (i, item) in items.enumerate() {
                if is_map {
                    let child = value.get_item(&item).unwrap_or_default();
                    leaves(format!("{at}.{item}"), &child, out);
                } else {
                    leaves(format!("{at}.{i}"), &item, out);
                }
            }
        }
        _ => out.push((at, value.to_string())),
    }
}

/// The front matter's `date`: UTC with milliseconds.
pub(crate) fn iso_date(date: chrono::DateTime<chrono::Utc>) -> String {
    date.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}
