//! Item drafts to article cards: the one place that makes the editorial
//! choices of an article.
//!
//! In: an [`ItemDraft`], the [`ArticleSettings`] of its feed and the preview
//! image of its article page, when one was read. Out: an [`Article`] whose
//! every field is final but the permalink, which is the first candidate
//! (`/<section>/<date>-<slug>`): the writing gives it a `-2`, `-3`, … when
//! that name is taken. Here and only here: which image wins (the feed's
//! declared image, then the article page's, then the content's first
//! `<img>`), the tags (global, the feed's, then its name), the image credit
//! and the two dates. Pure; nothing fails.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use url::Url;

use crate::config::{Config, FeedConfig};
use crate::extract::ItemDraft;
use crate::permalink::{file_stem, permalink, title_slug};
use crate::render::inert_url;

/// What every article of one feed shares.
#[derive(Debug, Clone)]
pub struct ArticleSettings {
    /// The section folder and the permalink's first segment.
    pub section: String,
    /// The site's time zone, for the long date and the file name's day.
    pub timezone: Tz,
    /// Global tags, then the feed's, then the feed's name; each once.
    pub tags: Vec<String>,
}

impl ArticleSettings {
    /// The settings of `feed`'s articles.
    pub(crate) fn for_feed(config: &Config, feed: &FeedConfig) -> ArticleSettings {
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
    let (image_url, image_credit) = match chosen_image(draft, page_image) {
        Some((url, _)) => (
            inert_url(url.as_str()).into_owned(),
            image_credit(&source_url),
        ),
        None => (String::new(), String::new()),
    };
    let slug = title_slug(&draft.title);
    let local_date = draft.date.with_timezone(&settings.timezone).date_naive();
    Article {
        title: draft.title.clone(),
        date: iso_date(draft.date),
        published_date: french_date(draft.date, settings.timezone),
        summary: draft.summary.clone(),
        importance: String::new(),
        permalink: permalink(&settings.section, &file_stem(local_date, &slug, 1)),
        source_url,
        tags: settings.tags.clone(),
        image_url,
        image_credit,
        slug,
        local_date,
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

/// The credit line of an image taken from the source article.
pub(crate) const IMAGE_CREDIT_PREFIX: &str = "Image de l’article — droits possiblement réservés — ";

/// One article card, as its front matter holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Article {
    pub title: String,
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`
    pub date: String,
    /// `2 septembre 2024`
    pub published_date: String,
    pub summary: String,
    pub importance: String,
    pub source_url: String,
    pub tags: Vec<String>,
    pub permalink: String,
    pub image_url: String,
    pub image_credit: String,
    /// The slug of the title, for the file name and the permalink.
    #[serde(skip)]
    pub slug: String,
    /// The day of the article in the site's time zone, for the file name.
    #[serde(skip)]
    pub local_date: NaiveDate,
}

/// The front matter's `date`: UTC with milliseconds.
fn iso_date(date: DateTime<Utc>) -> String {
    date.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

const FRENCH_MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// The French long date of `date` in `timezone`: `2 septembre 2024`,
/// `1er septembre 2024`.
fn french_date(date: DateTime<Utc>, timezone: Tz) -> String {
    let local = date.with_timezone(&timezone);
    let day = match local.day() {
        1 => "1er".to_string(),
        d => d.to_string(),
    };
    let month = FRENCH_MONTHS[local.month0() as usize];
    format!("{day} {month} {}", local.year())
}

/// The credit line for an image of the article at `source_url`.
fn image_credit(source_url: &str) -> String {
    format!("{IMAGE_CREDIT_PREFIX}{source_url}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::DateSource;
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
            assert_eq!(french_date(utc(y, m, d, h, min), paris), expected);
        }
    }

    #[test]
    fn iso_date_has_milliseconds() {
        assert_eq!(
            iso_date(utc(2024, 9, 2, 10, 13)),
            "2024-09-02T10:13:00.000Z"
        );
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
            declared_image: Some(url("https://img.example.org/declared.jpg")),
            content_image: Some(url("https://img.example.org/content.jpg")),
            categories: vec![],
        }
    }

    fn settings() -> ArticleSettings {
        ArticleSettings {
            section: "papers".into(),
            timezone: chrono_tz::Europe::Paris,
            tags: vec!["France".into(), "News".into()],
        }
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
            build_article(draft, &settings(), page).image_url
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
        assert_eq!(
            (article.image_url.as_str(), article.image_credit.as_str()),
            ("", "")
        );
    }

    #[test]
    fn the_credit_names_the_source_and_the_dates_are_local() {
        let article = build_article(&draft(), &settings(), None);
        assert_eq!(
            article.image_credit,
            format!("{IMAGE_CREDIT_PREFIX}https://news.example.org/a/")
        );
        // 22:30 UTC on 31 July is 1 August in Paris: the day of the name
        // and of the long date, while `date` stays in UTC.
        assert_eq!(article.date, "2024-07-31T22:30:00.000Z");
        assert_eq!(article.published_date, "1er août 2024");
        assert_eq!(article.permalink, "/papers/2024-08-01-creme-brulee-a-study");
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
        let settings = ArticleSettings::for_feed(&config, &config.feeds[0]);
        assert_eq!(
            settings.tags,
            ["France", "Actualité", "Radiology", "Interventional News"]
        );
        assert_eq!(settings.section, "papers");
    }
}
