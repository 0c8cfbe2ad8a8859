//! JSON Feed (versions 1 and 1.1), read as leniently as XML.
//!
//! In: the text of a JSON document and the URL it came from. Out: the feed
//! and the repairs it needed. Fails with the parser's error when the text
//! is not JSON, or is JSON but not a feed (no jsonfeed.org `version` and no
//! `items` list), or cannot be read even once mended.
//!
//! feed-rs reads JSON Feed strictly: one item with a number for its title,
//! a version URL written with `http`, a tag list given as one string, and
//! the whole feed is refused. A document it refuses is read as JSON, the top
//! level and each item are mended ([`normalise`]), what cannot be mended is
//! dropped, and the result is parsed again; the repairs are reported like
//! the XML ones. One bad item never sinks its feed.
//!
//! feed-rs also drops an item's `image` and `banner_image`: they are added
//! back as the item's declared images, in that order, then its image
//! attachments (as an RSS image enclosure is).
//!
//! What feed-rs already does well is left to it: an item without an `id`
//! (its identity then comes from its URL, like an RSS item without a GUID),
//! `author` (1.0) beside `authors` (1.1), the order of `summary`,
//! `content_text` and `content_html`, and dates, which it reads with our
//! lenient parser.

use feed_rs::model::{Feed, MediaContent, MediaObject};
use serde_json::{Map, Value};
use url::Url;

use super::repair::Fix;
use super::strict::{ParseFailure, parse_guarded};

/// The version the parser accepts: it checks this prefix only.
const VERSION_1: &str = "https://jsonfeed.org/version/1";
const VERSION_1_1: &str = "https://jsonfeed.org/version/1.1";

/// Parses a JSON Feed; a document the parser refuses is mended and parsed
/// again.
pub(super) fn parse_json(text: &str, base: Option<&Url>) -> Result<(Feed, Vec<Fix>), ParseFailure> {
    let (mut feed, document, fixes) = match parse_guarded(text.as_bytes(), base) {
        // Read as a value again only to find the images the parser leaves
        // out (`image`, `banner_image`, image attachments): most feeds
        // without the word have none.
        Ok(feed) => {
            let document = crate::util::bytes::contains(text.as_bytes(), b"image")
                .then(|| serde_json::from_str::<Value>(text).ok())
                .flatten();
            (feed, document, Vec::new())
        }
        Err(error) => {
            let Some((document, fixes)) = serde_json::from_str(text).ok().and_then(normalise)
            else {
                return Err(error);
            };
            let Ok(mended) = serde_json::to_string(&document) else {
                return Err(error);
            };
            match parse_guarded(mended.as_bytes(), base) {
                Ok(feed) => (feed, Some(document), fixes),
                Err(_) => return Err(error),
            }
        }
    };
    if let Some(document) = &document {
        add_images(&mut feed, document, base);
    }
    Ok((feed, fixes))
}

/// What mending a document took.
#[derive(Debug, Default)]
struct Found {
    version: bool,
    wrong_type: bool,
    missing: bool,
    dropped: bool,
}

impl Found {
    fn fixes(&self) -> Vec<Fix> {
        [
            (self.version, Fix::JsonVersion),
            (self.wrong_type, Fix::JsonType),
            (self.missing, Fix::JsonMissingField),
            (self.dropped, Fix::JsonDropped),
        ]
        .into_iter()
        .filter_map(|(found, fix)| found.then_some(fix))
        .collect()
    }
}

/// The document mended into what the parser accepts, and what that took;
/// None when it is not a JSON Feed at all (an API's error object, say).
fn normalise(document: Value) -> Option<(Value, Vec<Fix>)> {
    let Value::Object(mut feed) = document else {
        return None;
    };
    let version = feed.get("version").and_then(Value::as_str);
    let says_json_feed = version.is_some_and(|v| v.contains("jsonfeed.org"));
    if !says_json_feed && !feed.get("items").is_some_and(Value::is_array) {
        return None;
    }
    let mut found = Found::default();
    if !version.is_some_and(|v| v.starts_with(VERSION_1)) {
        // `http://jsonfeed.org/version/1`, `jsonfeed.org/version/1.1`, none.
        let mended = if version.is_some_and(|v| v.contains("1.1")) {
            VERSION_1_1
        } else {
            VERSION_1
        };
        feed.insert("version".into(), mended.into());
        found.version = true;
    }
    for key in [
        "title",
        "home_page_url",
        "feed_url",
        "language",
        "description",
        "icon",
        "favicon",
    ] {
        text_field(&mut feed, key, &mut found);
    }
    if !feed.get("title").is_some_and(Value::is_string) {
        feed.insert("title".into(), "".into());
        found.missing = true;
    }
    authors(&mut feed, &mut found);
    let items = match feed.remove("items") {
        Some(Value::Array(items)) => items,
        Some(item @ Value::Object(_)) => {
            found.wrong_type = true;
            vec![item]
        }
        Some(Value::Null) | None => {
            found.missing = true;
            Vec::new()
        }
        Some(_) => {
            found.dropped = true;
            Vec::new()
        }
    };
    let items: Vec<Value> = items
        .into_iter()
        .filter_map(|item| match item {
            Value::Object(mut item) => {
                mend_item(&mut item, &mut found);
                Some(Value::Object(item))
            }
            _ => {
                found.dropped = true;
                None
            }
        })
        .collect();
    feed.insert("items".into(), Value::Array(items));
    Some((Value::Object(feed), found.fixes()))
}

fn mend_item(item: &mut Map<String, Value>, found: &mut Found) {
    for key in [
        "id",
        "url",
        "external_url",
        "title",
        "content_html",
        "content_text",
        "summary",
        "image",
        "banner_image",
        "date_published",
        "date_modified",
    ] {
        text_field(item, key, found);
    }
    authors(item, found);
    match item.remove("tags") {
        Some(Value::Array(tags)) => {
            let count = tags.len();
            let tags: Vec<Value> = tags.into_iter().filter_map(as_text).collect();
            found.wrong_type |= tags.len() != count;
            item.insert("tags".into(), Value::Array(tags));
        }
        Some(Value::Null) | None => {}
        Some(tag) => {
            found.wrong_type = true;
            if let Some(tag) = as_text(tag) {
                item.insert("tags".into(), Value::Array(vec![tag]));
            }
        }
    }
    let attachments = match item.remove("attachments") {
        Some(Value::Array(attachments)) => attachments,
        Some(Value::Null) | None => return,
        Some(attachment) => {
            found.wrong_type = true;
            vec![attachment]
        }
    };
    let attachments = attachments
        .into_iter()
        .filter_map(|attachment| {
            let Value::Object(mut attachment) = attachment else {
                found.dropped = true;
                return None;
            };
            mend_attachment(&mut attachment, found).then_some(Value::Object(attachment))
        })
        .collect();
    item.insert("attachments".into(), Value::Array(attachments));
}

/// Mends an attachment; false when it has no URL and is to be dropped.
fn mend_attachment(attachment: &mut Map<String, Value>, found: &mut Found) -> bool {
    for key in ["url", "mime_type", "title"] {
        text_field(attachment, key, found);
    }
    if !attachment.get("url").is_some_and(Value::is_string) {
        found.dropped = true;
        return false;
    }
    if !attachment.get("mime_type").is_some_and(Value::is_string) {
        attachment.insert("mime_type".into(), "application/octet-stream".into());
        found.missing = true;
    }
    let size = match attachment.get("size_in_bytes") {
        None | Some(Value::Null) => return true,
        Some(Value::Number(n)) if n.is_u64() => return true,
        Some(Value::Number(n)) => n.as_f64().filter(|n| *n >= 0.0).map(|n| n as u64),
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        Some(_) => None,
    };
    found.wrong_type = true;
    match size {
        Some(size) => attachment.insert("size_in_bytes".into(), size.into()),
        None => attachment.remove("size_in_bytes"),
    };
    true
}

/// `author` and `authors` as the parser wants them: an object with text
/// `name` and `url`, and a list of such. One author given as a name, or
/// as a list under `author`, is mended.
fn authors(object: &mut Map<String, Value>, found: &mut Found) {
    let mut listed = Vec::new();
    match object.remove("author") {
        Some(Value::Null) | None => {}
        Some(Value::Array(several)) => {
            found.wrong_type = true;
            listed.extend(several);
        }
        Some(one) => {
            if let Some(author) = as_author(one, found) {
                object.insert("author".into(), author);
            }
        }
    }
    match object.remove("authors") {
        Some(Value::Null) | None => {}
        Some(Value::Array(several)) => listed.extend(several),
        Some(one) => {
            found.wrong_type = true;
            listed.push(one);
        }
    }
    if listed.is_empty() && !object.contains_key("authors") {
        return;
    }
    let listed = listed
        .into_iter()
        .filter_map(|author| as_author(author, found))
        .collect();
    object.insert("authors".into(), Value::Array(listed));
}

/// An author object with text fields; a bare name becomes `{"name": …}`.
fn as_author(author: Value, found: &mut Found) -> Option<Value> {
    match author {
        Value::Object(mut author) => {
            text_field(&mut author, "name", found);
            text_field(&mut author, "url", found);
            Some(Value::Object(author))
        }
        Value::Null => {
            found.dropped = true;
            None
        }
        other => {
            found.wrong_type = true;
            let name = as_text(other)?;
            Some(Value::Object(Map::from_iter([("name".to_string(), name)])))
        }
    }
}

/// A text field: a number or a boolean becomes its text; a list or an
/// object, which says nothing we could use as text, is removed.
fn text_field(object: &mut Map<String, Value>, key: &str, found: &mut Found) {
    match object.get(key) {
        None | Some(Value::Null | Value::String(_)) => {}
        Some(_) => {
            found.wrong_type = true;
            if let Some(value) = object.remove(key).and_then(as_text) {
                object.insert(key.into(), value);
            }
        }
    }
}

/// A value as text: a string as it is, a number or boolean as written.
fn as_text(value: Value) -> Option<Value> {
    match value {
        Value::String(_) => Some(value),
        Value::Number(n) => Some(Value::String(n.to_string())),
        Value::Bool(b) => Some(Value::String(b.to_string())),
        _ => None,
    }
}

/// Adds each item's `image`, then `banner_image`, then its image
/// attachments to the entry as declared images. Relative URLs resolve
/// against the feed's `home_page_url`, else the URL it came from. The
/// items are the parser's, in order; a document whose item count differs
/// from the parser's is left as it is.
fn add_images(feed: &mut Feed, document: &Value, base: Option<&Url>) {
    let Some(items) = document.get("items").and_then(Value::as_array) else {
        return;
    };
    if items.len() != feed.entries.len() {
        return;
    }
    let home = document
        .get("home_page_url")
        .and_then(Value::as_str)
        .and_then(|home| Url::options().base_url(base).parse(home).ok());
    let base = home.as_ref().or(base);
    let resolve = |text: &str| Url::options().base_url(base).parse(text.trim()).ok();
    for (entry, item) in feed.entries.iter_mut().zip(items) {
        let mut images: Vec<MediaContent> = ["image", "banner_image"]
            .into_iter()
            .filter_map(|key| item.get(key)?.as_str())
            .filter_map(resolve)
            .map(|url| image(url, None))
            .collect();
        let attachments = item.get("attachments").and_then(Value::as_array);
        for attachment in attachments.into_iter().flatten() {
            let mime = attachment.get("mime_type").and_then(Value::as_str);
            if let Some(mime) = mime.filter(|m| m.trim().to_ascii_lowercase().starts_with("image/"))
                && let Some(url) = attachment
                    .get("url")
                    .and_then(Value::as_str)
                    .and_then(resolve)
            {
                images.push(image(url, Some(mime.trim())));
            }
        }
        if !images.is_empty() {
            let mut media = MediaObject::default();
            media.content = images;
            entry.media.push(media);
        }
    }
}

fn image(url: Url, content_type: Option<&str>) -> MediaContent {
    MediaContent {
        url: Some(url),
        content_type: content_type.and_then(|mime| mime.parse().ok()),
        height: None,
        width: None,
        duration: None,
        size: None,
        rating: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{ParseError, parse_feed};

    fn parse(json: &str) -> (Feed, Vec<Fix>) {
        let parsed = parse_feed(
            json.as_bytes().to_vec(),
            Some("application/feed+json"),
            None,
        )
        .unwrap_or_else(|e| panic!("{e:?}: {json}"));
        (parsed.feed, parsed.fixes)
    }

    fn titles(feed: &Feed) -> Vec<String> {
        feed.entries
            .iter()
            .map(|e| {
                e.title
                    .as_ref()
                    .map(|t| t.content.clone())
                    .unwrap_or_default()
            })
            .collect()
    }

    /// A feed as the spec writes it needs nothing.
    #[test]
    fn a_spec_feed_parses_without_repair() {
        for version in ["https://jsonfeed.org/version/1", VERSION_1_1] {
            let (feed, fixes) = parse(&format!(
                r#"{{"version": "{version}", "title": "My Example Feed",
                "home_page_url": "https://example.org/", "feed_url": "https://example.org/feed.json",
                "items": [
                    {{"id": "2", "content_text": "This is a second item.", "url": "https://example.org/second-item"}},
                    {{"id": "1", "content_html": "<p>Hello, world!</p>", "url": "https://example.org/initial-post"}}
                ]}}"#
            ));
            assert!(fixes.is_empty(), "{fixes:?}");
            assert_eq!(feed.entries.len(), 2);
            assert_eq!(feed.entries[0].id, "2");
        }
    }

    /// What publishers send that the parser refuses: each is mended, and
    /// the feed keeps every item it can.
    #[test]
    fn publisher_slips_are_mended_and_reported() {
        let cases: &[(&str, &[Fix])] = &[
            (
                r#"{"version": "http://jsonfeed.org/version/1", "title": "T", "items": [{"id": "1", "url": "https://ex.org/a", "title": "A"}]}"#,
                &[Fix::JsonVersion],
            ),
            (
                r#"{"version": "http://jsonfeed.org/version/1.1/", "title": "T", "items": [{"id": "1", "url": "https://ex.org/a", "title": "A"}]}"#,
                &[Fix::JsonVersion],
            ),
            (
                r#"{"title": "T", "items": [{"id": "1", "url": "https://ex.org/a", "title": "A"}]}"#,
                &[Fix::JsonVersion],
            ),
            (
                r#"{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [{"id": 42, "url": "https://ex.org/a", "title": 123, "tags": "news"}]}"#,
                &[Fix::JsonType],
            ),
            (
                r#"{"version": "https://jsonfeed.org/version/1.1", "items": [{"url": "https://ex.org/a", "title": "A"}]}"#,
                &[Fix::JsonMissingField],
            ),
            (
                r#"{"version": "https://jsonfeed.org/version/1.1", "title": null, "items": [null, "x", 3, {"url": "https://ex.org/a", "title": "A"}, []]}"#,
                &[Fix::JsonMissingField, Fix::JsonDropped],
            ),
            (
                r#"{"version": "https://jsonfeed.org/version/1", "title": "T", "author": "Jane", "items": [{"url": "https://ex.org/a", "title": "A", "author": "Joe", "authors": {"name": "Ann"}}]}"#,
                &[Fix::JsonType],
            ),
            (
                r#"{"version": "https://jsonfeed.org/version/1", "title": "T", "items": [{"url": "https://ex.org/a", "title": "A", "attachments": [{"url": "https://ex.org/a.mp3"}, {"mime_type": "audio/mpeg"}, "x", {"url": "https://ex.org/b.mp3", "mime_type": "audio/mpeg", "size_in_bytes": "1234"}]}]}"#,
                &[Fix::JsonType, Fix::JsonMissingField, Fix::JsonDropped],
            ),
            (
                r#"{"version": "https://jsonfeed.org/version/1", "title": "T", "items": [{"url": "https://ex.org/a", "title": "A", "attachments": {"url": "https://ex.org/a.mp3", "mime_type": "audio/mpeg", "size_in_bytes": -1}}]}"#,
                &[Fix::JsonType],
            ),
            (
                r#"{"version": "https://jsonfeed.org/version/1", "title": "T", "items": [{"url": "https://ex.org/a", "title": "A", "tags": ["a", null, 7, {"x": 1}], "summary": ["x"]}]}"#,
                &[Fix::JsonType],
            ),
        ];
        for (json, expected) in cases {
            let (feed, fixes) = parse(json);
            assert_eq!(&fixes, expected, "{json}");
            assert_eq!(feed.entries.len(), 1, "{json}");
            assert_eq!(feed.entries[0].links[0].href, "https://ex.org/a", "{json}");
        }
        let (feed, _) = parse(cases[3].0);
        let entry = &feed.entries[0];
        assert_eq!(
            (entry.id.as_str(), titles(&feed)[0].as_str()),
            ("42", "123")
        );
        assert_eq!(entry.categories[0].term, "news");
        let (feed, _) = parse(cases[6].0);
        let names: Vec<_> = feed.entries[0]
            .authors
            .iter()
            .map(|a| a.name.as_deref().unwrap_or_default())
            .collect();
        assert_eq!(names, ["Joe", "Ann"]);
        let (feed, _) = parse(cases[7].0);
        let enclosures: Vec<_> = feed.entries[0].links[1..]
            .iter()
            .map(|l| (l.href.as_str(), l.length))
            .collect();
        assert_eq!(
            enclosures,
            [
                ("https://ex.org/a.mp3", None),
                ("https://ex.org/b.mp3", Some(1234))
            ]
        );
    }

    /// One bad item among good ones: the good ones stay, in order.
    #[test]
    fn one_bad_item_never_sinks_its_feed() {
        let (feed, fixes) = parse(
            r#"{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [
                {"id": "1", "url": "https://ex.org/1", "title": "One"},
                {"id": "2", "url": "https://ex.org/2", "title": {"text": "Two"}, "date_published": 2020},
                "three",
                {"id": "4", "url": "https://ex.org/4", "title": "Four", "date_published": "2020/1/10 14:33:00"}
            ]}"#,
        );
        assert_eq!(fixes, [Fix::JsonType, Fix::JsonDropped]);
        assert_eq!(titles(&feed), ["One", "", "Four"]);
        assert_eq!(
            feed.entries[2].published.unwrap().to_rfc3339(),
            "2020-01-10T14:33:00+00:00"
        );
    }

    #[test]
    fn json_that_is_not_a_feed_stays_an_error() {
        for json in [
            r#"{"error": "not found"}"#,
            r#"{"items": "none"}"#,
            r#"{"version": "https://jsonfeed.org/version/1", "title": "T", "items": [}"#,
            "{",
        ] {
            assert!(
                matches!(
                    parse_feed(json.as_bytes().to_vec(), None, None),
                    Err(ParseError::Invalid(_))
                ),
                "{json}"
            );
        }
    }

    /// `image`, then `banner_image`, then image attachments, declared in
    /// that order; relative URLs resolve against the home page.
    #[test]
    fn item_images_are_declared_in_order() {
        let (feed, fixes) = parse(
            r#"{"version": "https://jsonfeed.org/version/1.1", "title": "T", "home_page_url": "https://ex.org/blog/", "items": [
                {"id": "1", "url": "https://ex.org/1", "banner_image": "https://ex.org/banner.jpg", "image": "/img/main.png",
                 "attachments": [{"url": "https://ex.org/ep.mp3", "mime_type": "audio/mpeg"}, {"url": "att.webp", "mime_type": "image/webp"}]},
                {"id": "2", "url": "https://ex.org/2", "banner_image": "https://ex.org/banner2.jpg"},
                {"id": "3", "url": "https://ex.org/3"}
            ]}"#,
        );
        assert!(fixes.is_empty());
        let images = |i: usize| -> Vec<String> {
            feed.entries[i]
                .media
                .iter()
                .flat_map(|m| &m.content)
                .map(|c| c.url.as_ref().unwrap().to_string())
                .collect()
        };
        assert_eq!(
            images(0),
            [
                "https://ex.org/img/main.png",
                "https://ex.org/banner.jpg",
                "https://ex.org/blog/att.webp"
            ]
        );
        assert_eq!(images(1), ["https://ex.org/banner2.jpg"]);
        assert!(images(2).is_empty());
    }

    /// The feed's `language` decides a date whose day and month read both
    /// ways; without one, the date is not read.
    #[test]
    fn the_feeds_language_orders_numeric_dates() {
        let feed = |language: &str| {
            parse(&format!(
                r#"{{"version": "https://jsonfeed.org/version/1.1", "title": "T", {language}
                "items": [{{"id": "1", "url": "https://ex.org/1", "date_published": "10/01/2020 08:00"}}]}}"#
            ))
            .0
        };
        let published = |feed: Feed| feed.entries[0].published.map(|d| d.to_rfc3339());
        assert_eq!(
            published(feed(r#""language": "fr-FR","#)),
            Some("2020-01-10T08:00:00+00:00".into())
        );
        assert_eq!(
            published(feed(r#""language": "en-US","#)),
            Some("2020-10-01T08:00:00+00:00".into())
        );
        assert_eq!(published(feed("")), None);
    }
}
