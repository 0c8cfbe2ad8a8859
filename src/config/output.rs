//! The `[output]` settings of `feeds.toml`, as the config resolves them
//! for each feed: which template writes the file (a preset or a file), the
//! path and permalink templates, the locale.
//!
//! In: nothing but names (this module only says what the settings are).
//! Out: an [`OutputSpec`] per feed, which [`crate::output`] compiles.
//! Nothing here fails.

use std::fmt;
use std::path::PathBuf;

use crate::util::locale::SiteLocale;

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
