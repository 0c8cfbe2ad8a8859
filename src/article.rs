//! Item drafts to article cards: the one place that makes the editorial
//! choices of an article.
//!
//! In: an [`ItemDraft`], the [`ArticleSettings`] of its feed and the preview
//! image of its article page, when one was read. Out: an [`Article`]: what
//! the card says, with `Option` for what an item may lack (an image and its
//! credit, an enclosure, its length) and its date as a date; the output
//! formats the dates and gives the article its name and permalink when it
//! is placed. Here and only here: which image wins (the feed's declared
//! image, then the article page's, then the content's first `<img>`), the
//! tags (global, the feed's, then its name), the image credit and the
//! article's day in the site's time zone. Pure; nothing fails.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use url::Url;

use crate::config::{Config, FeedConfig};
use crate::extract::ItemDraft;
use crate::util::escape::inert_url;
use crate::util::locale::SiteLocale;
use crate::util::slug::title_slug;

/// What every article of one feed shares.
#[derive(Debug, Clone)]
pub struct ArticleSettings {
    /// The section folder and the permalink's first segment.
    pub(crate) section: String,
    /// The site's time zone, for the long date and the file name's day.
    pub(crate) timezone: Tz,
    /// Global tags, then the feed's, then the feed's name; each once.
    pub(crate) tags: Vec<String>,
    /// The output's locale: the long date, the credit's words.
    pub(crate) locale: SiteLocale,
    /// The feed, as templates see it.
    pub(crate) feed: FeedAbout,
    /// The feed document's language, as it declares it.
    pub(crate) lang: String,
}

impl ArticleSettings {
    /// Settings for articles of `section`, in French, of no feed in
    /// particular: for the benches, the fuzz targets and the tests.
    pub fn new(section: &str, timezone: Tz, tags: Vec<String>) -> ArticleSettings {
        ArticleSettings {
            section: section.to_string(),
            timezone,
            tags,
            locale: SiteLocale::french(),
            feed: FeedAbout::default(),
            lang: String::new(),
        }
    }

    /// The settings of `feed`'s articles; `title` and `lang` are what its
    /// document says of itself.
    pub(crate) fn for_feed(
        config: &Config,
        feed: &FeedConfig,
        title: &str,
        lang: &str,
    ) -> ArticleSettings {
        let mut tags: Vec<String> = Vec::new();
        for tag in config
            .tags
            .iter()
            .chain(&feed.tags)
            .chain(std::iter::once(&feed.name))
        {
            let tag = tag.trim();
            if !tags.iter().any(|t| t == tag) {
                tags.push(tag.to_string());
            }
        }
        ArticleSettings {
            section: feed.section.clone(),
            timezone: config.timezone,
            tags,
            locale: feed.output.locale.clone(),
            feed: FeedAbout {
                name: feed.name.clone(),
                url: feed.source.to_string(),
                title: title.to_string(),
            },
            lang: lang.to_string(),
        }
    }
}

/// The article card of `draft`. `page_image` is the preview image of the
/// article page, read only when the feed declares no image.
pub fn build_article(
    draft: &ItemDraft,
    settings: &ArticleSettings,
    page_image: Option<&Url>,
) -> Article {
    // Inert in the body and in a template's attribute: the front matter
    // holds the same spelling the body shows.
    let source_url = inert_url(draft.source_url.as_str()).into_owned();
    let image = chosen_image(draft, page_image).map(|(url, _)| ArticleImage {
        url: inert_url(url.as_str()).into_owned(),
        credit: format!("{}{source_url}", settings.locale.image_credit_prefix()),
    });
    let slug = title_slug(&draft.title);
    let local_date = draft.date.with_timezone(&settings.timezone).date_naive();
    let enclosure = draft.enclosure.as_ref().map(|e| Enclosure {
        url: inert_url(e.url.as_str()).into_owned(),
        mime_type: e.mime_type.clone(),
        length: e.length,
    });
    Article {
        title: draft.title.clone(),
        date: draft.date,
        summary: draft.summary.clone(),
        importance: String::new(),
        source_url,
        tags: settings.tags.clone(),
        image,
        slug,
        local_date,
        section: settings.section.clone(),
        author: draft.author.clone(),
        categories: draft.categories.clone(),
        content_html: draft.content_html.clone(),
        content_base: draft.content_base.clone(),
        enclosure,
        feed: settings.feed.clone(),
        lang: settings.lang.clone(),
    }
}

/// Where an article's image was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImageSource {
    /// Declared by the feed (media:content, thumbnail, enclosure, itunes).
    Feed,
    /// The article page's preview (og:image, twitter:image, image_src).
    ArticlePage,
    /// The first meaningful `<img>` of the item's content.
    Content,
}

impl std::fmt::Display for ImageSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ImageSource::Feed => "declared in the feed",
            ImageSource::ArticlePage => "the article page's preview image",
            ImageSource::Content => "the first <img> of the content",
        })
    }
}

/// The image an article gets, and where it was found: the feed's declared
/// image, else the article page's preview, else the content's first
/// `<img>` (the order an editor would trust them in).
pub(crate) fn chosen_image<'a>(
    draft: &'a ItemDraft,
    page_image: Option<&'a Url>,
) -> Option<(&'a Url, ImageSource)> {
    draft
        .declared_image
        .as_ref()
        .map(|url| (url, ImageSource::Feed))
        .or(page_image.map(|url| (url, ImageSource::ArticlePage)))
        .or(draft
            .content_image
            .as_ref()
            .map(|url| (url, ImageSource::Content)))
}

/// The image an article will get, told before its article page is read
/// (`parse --items`): the same order as [`chosen_image`], with the page's
/// preview image still unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImageOutlook<'a> {
    /// Known already: the feed's declared image, or, when no article page
    /// is read, the content's first `<img>`.
    Chosen(&'a Url, ImageSource),
    /// The article page is read first: its preview image wins, else the
    /// content's first `<img>`, if any.
    PageFirst { fallback: Option<&'a Url> },
    /// No image, and no page to read.
    None,
}

/// What [`chosen_image`] will give `draft`, when `page_read` says whether a
/// run reads its article page.
pub(crate) fn image_outlook(draft: &ItemDraft, page_read: bool) -> ImageOutlook<'_> {
    if let Some(url) = &draft.declared_image {
        return ImageOutlook::Chosen(url, ImageSource::Feed);
    }
    match (page_read, &draft.content_image) {
        (true, fallback) => ImageOutlook::PageFirst {
            fallback: fallback.as_ref(),
        },
        (false, Some(url)) => ImageOutlook::Chosen(url, ImageSource::Content),
        (false, None) => ImageOutlook::None,
    }
}

/// One article card: what its file says, before the output names it and
/// formats it.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub title: String,
    /// When it was published (or, for an item without a date, first
    /// imported).
    pub date: DateTime<Utc>,
    pub summary: String,
    pub importance: String,
    pub source_url: String,
    pub tags: Vec<String>,
    /// Its image and the image's credit; `None` when no image was found.
    pub image: Option<ArticleImage>,
    /// The slug of the title, for the file name and the permalink (the
    /// output adds `-2`, `-3`, … when the name is taken).
    pub slug: String,
    /// The day of the article in the site's time zone, for the file name
    /// and the long date.
    pub local_date: NaiveDate,
    pub section: String,
    /// The item's author (dc:creator, author name), or empty.
    pub author: String,
    /// The item's own categories.
    pub categories: Vec<String>,
    /// The item's content as the feed sent it: unsafe until the output
    /// makes it safe (see [`crate::output::content`]).
    pub content_html: crate::util::spool::HeldText,
    /// What the content's relative links resolve against when the feed
    /// gives a base (Atom's `xml:base`); else the article's URL.
    pub content_base: Option<url::Url>,
    /// Its enclosure (a podcast's audio, a PDF), when it has one.
    pub enclosure: Option<Enclosure>,
    pub feed: FeedAbout,
    /// The feed document's language.
    pub lang: String,
}

/// An article's image, made inert for Markdown, and its credit line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleImage {
    pub url: String,
    pub credit: String,
}

/// The item's enclosure (a podcast's audio, a PDF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enclosure {
    pub url: String,
    pub mime_type: String,
    /// In bytes, when the feed declares it.
    pub length: Option<u64>,
}

/// The feed an article comes from, as templates see it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedAbout {
    /// Its name in `feeds.toml`.
    pub name: String,
    /// Its URL in `feeds.toml`.
    pub url: String,
    /// The title its document gives itself.
    pub title: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::DateSource;
    use crate::util::locale::long_date;
    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn french_dates() {
        let paris = chrono_tz::Europe::Paris;
        for ((y, m, d, h, min), expected) in [
            ((2024, 9, 2, 10, 13), "2 septembre 2024"),
            ((2024, 9, 1, 10, 0), "1er septembre 2024"),
            ((2024, 2, 14, 0, 0), "14 février 2024"),
            // 22:30 UTC on 31 July is 00:30 on 1 August in Paris (summer time).
            ((2024, 7, 31, 22, 30), "1er août 2024"),
            ((2024, 12, 31, 22, 30), "31 décembre 2024"),
            ((2024, 12, 31, 23, 30), "1er janvier 2025"),
        ] {
            let mut draft = draft();
            draft.date = utc(y, m, d, h, min);
            let settings = ArticleSettings::new("papers", paris, vec![]);
            let article = build_article(&draft, &settings, None);
            assert_eq!(long_date(article.local_date, &settings.locale), expected);
        }
    }

    fn draft() -> ItemDraft {
        let url = |u: &str| Url::parse(u).unwrap();
        ItemDraft {
            key: "k".into(),
            title: "Crème brûlée: a study".into(),
            date: utc(2024, 7, 31, 22, 30),
            date_source: DateSource::Published,
            summary: "Summary.".into(),
            source_url: url("https://news.example.org/a/"),
            link_identifies: true,
            content_base: None,
            declared_image: Some(url("https://img.example.org/declared.jpg")),
            content_image: Some(url("https://img.example.org/content.jpg")),
            categories: vec![],
            author: String::new(),
            content_html: Default::default(),
            enclosure: None,
        }
    }

    fn settings() -> ArticleSettings {
        ArticleSettings::new(
            "papers",
            chrono_tz::Europe::Paris,
            vec!["France".into(), "News".into()],
        )
    }

    #[test]
    fn the_outlook_agrees_with_the_choice_once_the_page_is_read() {
        let page = Url::parse("https://news.example.org/og.jpg").unwrap();
        let content = Url::parse("https://img.example.org/content.jpg").unwrap();
        let mut with_content = draft();
        with_content.declared_image = None;
        let mut bare = with_content.clone();
        bare.content_image = None;
        for draft in [draft(), with_content, bare] {
            for page_read in [false, true] {
                // The run's choice, once the page was read (and had an
                // image), or not read.
                let read = page_read.then_some(&page);
                let chosen = chosen_image(&draft, read).map(|(url, _)| url.clone());
                let chosen_without_page = chosen_image(&draft, None).map(|(url, _)| url.clone());
                match image_outlook(&draft, page_read) {
                    ImageOutlook::Chosen(url, _) => {
                        assert_eq!(Some(url.clone()), chosen);
                        assert_eq!(Some(url.clone()), chosen_without_page);
                    }
                    ImageOutlook::PageFirst { fallback } => {
                        assert_eq!(chosen, Some(page.clone()));
                        assert_eq!(fallback.cloned(), chosen_without_page);
                    }
                    ImageOutlook::None => {
                        assert_eq!(chosen, None);
                        assert!(!page_read);
                    }
                }
            }
        }
        let mut with_content = draft();
        with_content.declared_image = None;
        assert_eq!(
            image_outlook(&with_content, true),
            ImageOutlook::PageFirst {
                fallback: Some(&content)
            }
        );
    }

    #[test]
    fn the_chosen_image_says_where_it_was_found() {
        let page = Url::parse("https://news.example.org/og.jpg").unwrap();
        let mut draft = draft();
        let source = |draft: &ItemDraft, page: Option<&Url>| {
            chosen_image(draft, page).map(|(url, source)| (url.to_string(), source))
        };
        assert_eq!(
            source(&draft, Some(&page)),
            Some((
                "https://img.example.org/declared.jpg".into(),
                ImageSource::Feed
            ))
        );
        draft.declared_image = None;
        assert_eq!(
            source(&draft, Some(&page)),
            Some((page.to_string(), ImageSource::ArticlePage))
        );
        assert_eq!(
            source(&draft, None),
            Some((
                "https://img.example.org/content.jpg".into(),
                ImageSource::Content
            ))
        );
        draft.content_image = None;
        assert_eq!(source(&draft, None), None);
        assert_eq!(
            ImageSource::Content.to_string(),
            "the first <img> of the content"
        );
    }

    #[test]
    fn the_declared_image_wins_then_the_page_then_the_content() {
        let page = Url::parse("https://news.example.org/og.jpg").unwrap();
        let mut draft = draft();
        let image = |draft: &ItemDraft, page: Option<&Url>| {
            build_article(draft, &settings(), page)
                .image
                .map(|i| i.url)
                .unwrap_or_default()
        };
        assert_eq!(
            image(&draft, Some(&page)),
            "https://img.example.org/declared.jpg"
        );
        draft.declared_image = None;
        assert_eq!(
            image(&draft, Some(&page)),
            "https://news.example.org/og.jpg"
        );
        assert_eq!(image(&draft, None), "https://img.example.org/content.jpg");
        draft.content_image = None;
        let article = build_article(&draft, &settings(), None);
        assert_eq!(article.image, None);
    }

    #[test]
    fn the_credit_names_the_source_and_the_dates_are_local() {
        let article = build_article(&draft(), &settings(), None);
        assert_eq!(
            article.image.map(|i| i.credit).as_deref(),
            Some("Image de l’article — droits possiblement réservés — https://news.example.org/a/")
        );
        // 22:30 UTC on 31 July is 1 August in Paris: the day of the name
        // and of the long date, while `date` stays in UTC.
        assert_eq!(article.date, utc(2024, 7, 31, 22, 30));
        assert_eq!(
            long_date(article.local_date, &SiteLocale::french()),
            "1er août 2024"
        );
        assert_eq!(article.local_date.to_string(), "2024-08-01");
        assert_eq!(article.slug, "creme-brulee-a-study");
        assert_eq!(article.tags, ["France", "News"]);
    }

    #[test]
    fn tags_are_global_then_the_feeds_then_its_name_each_once() {
        let text = r#"
tags = ["France", " Actualité "]

[[feeds]]
name = "Interventional News"
url = "https://news.example.org/feed/"
section = "papers"
tags = ["Actualité", "Radiology"]
"#;
        let config = Config::parse(
            text,
            std::path::Path::new("feeds.toml"),
            std::path::Path::new("."),
        )
        .unwrap();
        let settings = ArticleSettings::for_feed(&config, &config.feeds[0], "", "");
        assert_eq!(
            settings.tags,
            ["France", "Actualité", "Radiology", "Interventional News"]
        );
        assert_eq!(settings.section, "papers");
    }
}
