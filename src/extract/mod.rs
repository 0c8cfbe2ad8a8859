//! Feed entries to article drafts: the editorial reading of one item.
//!
//! In: a parsed [`feed_rs::model::Feed`] and the context of its feed. Out: one
//! [`ItemDraft`] per usable entry (title, date, summary, link, image, identity)
//! and one [`SkippedItem`] per entry that cannot become an article (no http(s)
//! link). Pure: no I/O, nothing fails.

pub(crate) mod html;
pub(crate) mod html_scan;

use chrono::{DateTime, Utc};
use feed_rs::model::{Entry, Feed, FeedType, Link, MediaContent, MediaThumbnail, Text};
use regex::Regex;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::LazyLock;
use url::Url;

use crate::util::text::word_prefix;
pub(crate) use html::{absolute_http_url, first_image, is_decoration, plain_text};
pub use html::{html_to_text, preview_image};

/// Summaries longer than this many characters are cut.
pub(crate) const SUMMARY_MAX_CHARS: usize = 500;

/// What an item says about itself, ready for the site's format.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemDraft {
    /// Our own identity of the item: stable across runs, never the parser's
    /// generated id (which can be random).
    pub key: String,
    pub title: String,
    pub date: DateTime<Utc>,
    pub date_source: DateSource,
    pub summary: String,
    pub source_url: Url,
    /// Whether `source_url` is the item's own: false when other items of
    /// its document share it (a podcast's episodes all linking to the
    /// show's home page). Such a link tells nothing apart: the item is
    /// known by its key alone.
    pub link_identifies: bool,
    /// The image the feed declares (media:content, thumbnail, enclosure).
    pub declared_image: Option<Url>,
    /// The first meaningful `<img>` of the content, the last resort (after
    /// the article page's preview image: see [`crate::article`]).
    pub content_image: Option<Url>,
    /// Category labels, for include/exclude rules and templates.
    pub categories: Vec<String>,
    /// The item's author (Atom author, its source's, dc:creator, itunes:author, JSON Feed author), as
    /// plain text; empty when it names none.
    pub author: String,
    /// The item's full content as the feed sent it (content:encoded, Atom
    /// content, else the description): HTML nobody has made safe yet.
    pub content_html: crate::util::spool::HeldText,
    /// What the content's relative links resolve against when an
    /// `xml:base` says (the one in effect at an Atom entry's content);
    /// `None`: the article's URL.
    pub content_base: Option<Url>,
    /// The item's first enclosure or media file that is not its image.
    pub enclosure: Option<DraftEnclosure>,
}

#[cfg(test)]
impl ItemDraft {
    /// A plain item for tests: `key` is its title too, its link
    /// `https://ex.org/<key>`; without a date it takes now's, as an undated
    /// item does.
    pub(crate) fn sample(key: &str, date: Option<&str>) -> ItemDraft {
        let (date, date_source) = match date {
            Some(date) => (
                DateTime::parse_from_rfc3339(date)
                    .map(|d| d.to_utc())
                    .unwrap_or_default(),
                DateSource::Published,
            ),
            None => (Utc::now(), DateSource::FirstImport),
        };
        ItemDraft {
            key: key.into(),
            title: key.into(),
            date,
            date_source,
            summary: String::new(),
            source_url: Url::parse(&format!("https://ex.org/{key}"))
                .unwrap_or_else(|_| Url::parse("https://ex.org/").expect("a URL")),
            link_identifies: true,
            content_base: None,
            declared_image: None,
            content_image: None,
            categories: Vec::new(),
            author: String::new(),
            content_html: Default::default(),
            enclosure: None,
        }
    }
}

/// A file the item carries (a podcast's audio, a PDF).
#[derive(Debug, Clone, PartialEq)]
pub struct DraftEnclosure {
    pub url: Url,
    pub mime_type: String,
    pub length: Option<u64>,
}

/// What a feed document says of itself, for templates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentInfo {
    /// Its title, as plain text.
    pub title: String,
    /// Its language (`en-us`, `fr`), as declared.
    pub language: String,
}

/// The title and language `feed` gives itself.
pub(crate) fn document_info(feed: &Feed) -> DocumentInfo {
    DocumentInfo {
        title: feed
            .title
            .as_ref()
            .map(|t| text_of(t, &feed.feed_type))
            .unwrap_or_default(),
        language: feed
            .language
            .as_deref()
            .map(|l| plain_text(l.trim()))
            .unwrap_or_default(),
    }
}

/// Where an item's date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateSource {
    Published,
    Updated,
    /// The item has no date: the time of its first import stands in.
    FirstImport,
}

/// An entry that cannot become an article, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedItem {
    pub title: String,
    pub reason: String,
}

/// What the extraction needs to know about the feed an entry comes from.
#[derive(Debug, Clone)]
pub struct FeedContext<'a> {
    /// The feed's identity (its URL), which scopes GUIDs.
    pub feed_identity: &'a str,
    /// The URL the feed was fetched from, when it was fetched over HTTP.
    pub feed_url: Option<&'a Url>,
    /// The time of this import, for items without a date.
    pub now: DateTime<Utc>,
}

/// Reads every entry of `feed`; `guid_not_a_link` is the parse's
/// [`crate::ParsedFeed::guid_not_a_link`].
pub fn extract_items(
    feed: &Feed,
    guid_not_a_link: &[bool],
    context: &FeedContext,
) -> (Vec<ItemDraft>, Vec<SkippedItem>) {
    let mut drafts = Vec::with_capacity(feed.entries.len());
    let mut skipped = Vec::new();
    for result in extract_entries(feed, guid_not_a_link, context) {
        match result {
            Ok(draft) => drafts.push(draft),
            Err(skip) => skipped.push(skip),
        }
    }
    (drafts, skipped)
}

/// Reads every entry of `feed`, in document order, one result per entry;
/// `guid_not_a_link` says, per entry, that its GUID is no link (RSS 2.0's
/// `isPermaLink="false"`, which the parse reads: see
/// [`crate::ParsedFeed::guid_not_a_link`]); empty, that none says so.
pub fn extract_entries(
    feed: &Feed,
    guid_not_a_link: &[bool],
    context: &FeedContext,
) -> Vec<Result<ItemDraft, SkippedItem>> {
    let reader = EntryReader::of_document(feed, context);
    let (mut results, traces): (Vec<_>, Vec<_>) = feed
        .entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            reader.read(entry, guid_not_a_link.get(index).copied().unwrap_or(false))
        })
        .unzip();
    tell_apart_shared_links(&traces, &mut results, context);
    results
}

/// What reading a document's entries takes from the document itself, so
/// that its entries can be read one at a time as they come (a big
/// document is never held whole): the format, the base of relative links,
/// the author entries inherit.
pub(crate) struct EntryReader<'a> {
    format: FeedType,
    base: Option<Url>,
    feed_author: String,
    context: &'a FeedContext<'a>,
    spool: Option<std::sync::Arc<crate::util::spool::TextSpool>>,
}

/// What [`tell_apart_shared_links`] needs of an entry once it is read.
pub(crate) struct EntryTrace {
    /// Its GUID as a URL, when it may be the item's page.
    guid_url: Option<Url>,
    /// Whether it has no GUID.
    no_id: bool,
}

impl EntryTrace {
    /// The trace of an entry that could not be read at all.
    pub(crate) fn none() -> EntryTrace {
        EntryTrace {
            guid_url: None,
            no_id: true,
        }
    }
}

impl<'a> EntryReader<'a> {
    /// The reader of `feed`'s entries (its entries are not looked at).
    pub(crate) fn of_document(feed: &Feed, context: &'a FeedContext<'a>) -> EntryReader<'a> {
        // Relative links resolve against the feed's own site link when the
        // parser could not resolve them (a saved feed read from a file),
        // else against the feed's address: the one it was fetched from,
        // else the one it gives itself (Atom's `rel="self"`, RFC 4287,
        // 4.2.7.2: the feed document's own URI, the base of its relative
        // references by RFC 3986, 5.1.3, when it was read from a file).
        let site = feed
            .links
            .iter()
            .filter(|l| is_alternate(l))
            .find_map(|l| absolute_http_url(&l.href, context.feed_url));
        let own_address = feed
            .links
            .iter()
            .filter(|l| l.rel.as_deref() == Some("self"))
            .find_map(|l| absolute_http_url(&l.href, None));
        let base = site.or_else(|| context.feed_url.cloned()).or(own_address);
        EntryReader {
            format: feed.feed_type.clone(),
            base,
            feed_author: inherited_author(feed),
            context,
            spool: None,
        }
    }

    /// Full texts go to `spool` instead of memory.
    pub(crate) fn spooling_to(
        mut self,
        spool: std::sync::Arc<crate::util::spool::TextSpool>,
    ) -> Self {
        self.spool = Some(spool);
        self
    }

    /// Reads one entry; `guid_not_a_link` says its GUID is no link (RSS
    /// 2.0's `isPermaLink="false"`).
    pub(crate) fn read(
        &self,
        entry: &Entry,
        guid_not_a_link: bool,
    ) -> (Result<ItemDraft, SkippedItem>, EntryTrace) {
        // The GUID as a URL, when it may be the item's page (RSS 2.0: a
        // GUID with isPermaLink="false" is not a URL to anything in
        // particular).
        let guid_url = absolute_http_url(&entry.id, None)
            .filter(|_| !guid_not_a_link)
            .map(without_tracking);
        let mut result = extract_item(
            entry,
            &self.format,
            guid_url.as_ref(),
            self.base.as_ref(),
            &self.feed_author,
            self.context,
        );
        if let (Ok(draft), Some(spool)) = (&mut result, &self.spool)
            && let Ok(text) = draft.content_html.load()
        {
            draft.content_html = spool.hold(&text);
        }
        let trace = EntryTrace {
            guid_url,
            no_id: entry.id.trim().is_empty(),
        };
        (result, trace)
    }
}

/// Items of one document that share a link are different items: the link
/// identifies none of them. Each is known by its key (its GUID; without
/// one, the shared link and its title), and takes its GUID as its source
/// URL when that is an http(s) URL no other item of the document has.
/// `traces` and `results` are the document's entries, read in order.
pub(crate) fn tell_apart_shared_links(
    traces: &[EntryTrace],
    results: &mut [Result<ItemDraft, SkippedItem>],
    context: &FeedContext,
) {
    let mut links: HashMap<String, usize> = HashMap::new();
    for draft in results.iter().flatten() {
        *links.entry(draft.source_url.to_string()).or_default() += 1;
    }
    if links.values().all(|&n| n == 1) {
        return;
    }
    let mut guid_counts: HashMap<&str, usize> = HashMap::new();
    for url in traces.iter().filter_map(|t| t.guid_url.as_ref()) {
        *guid_counts.entry(url.as_str()).or_default() += 1;
    }
    for (result, trace) in results.iter_mut().zip(traces) {
        let Ok(draft) = result else { continue };
        if links[draft.source_url.as_str()] < 2 {
            continue;
        }
        let own_guid = trace
            .guid_url
            .as_ref()
            .filter(|url| guid_counts[url.as_str()] == 1 && !links.contains_key(url.as_str()));
        match own_guid {
            Some(url) => draft.source_url = url.clone(),
            // An item without a link of its own is known by its key
            // already (its GUID or its enclosure).
            None if !draft.link_identifies => {}
            None => {
                draft.link_identifies = false;
                if trace.no_id {
                    draft.key = shared_link_key(&draft.source_url, &draft.title, context);
                }
            }
        }
    }
}

/// The key of an item without a GUID whose link others share: the link and
/// its title (the same title twice under one link is the same item).
fn shared_link_key(link: &Url, title: &str, context: &FeedContext) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"shared link\0");
    hasher.update(context.feed_identity.as_bytes());
    hasher.update(b"\0");
    hasher.update(link.as_str().as_bytes());
    hasher.update(b"\0");
    hasher.update(title.as_bytes());
    hex_prefix(&hasher.finalize())
}

fn hex_prefix(digest: &[u8]) -> String {
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

fn extract_item(
    entry: &Entry,
    format: &FeedType,
    guid_url: Option<&Url>,
    base: Option<&Url>,
    feed_author: &str,
    context: &FeedContext,
) -> Result<ItemDraft, SkippedItem> {
    let site = base;
    let entry_base = entry
        .base
        .as_deref()
        .and_then(|b| absolute_http_url(b, base));
    let base = entry_base.as_ref().or(base);

    let title = entry
        .title
        .as_ref()
        .map(|t| text_of(t, format))
        .unwrap_or_default();
    let enclosure = enclosure(entry, base);
    let (source_url, link_identifies) = match item_link(entry, guid_url, base) {
        Some(link) => (link, true),
        None => linkless_source(entry, site, enclosure.as_ref()).ok_or_else(|| SkippedItem {
            title: title.clone(),
            reason: if entry.id.trim().is_empty() {
                "the item has no http(s) link, and no GUID or enclosure to know it by"
            } else {
                "the item has no http(s) link (its GUID is none), no enclosure, and the feed names no site to stand under"
            }
            .to_string(),
        })?,
    };
    let (date, date_source) = item_date(entry, context);
    let content_html = entry.content.as_ref().and_then(|c| c.body.as_deref());
    let summary = summary_text(entry, format, &title, content_html);
    let title = if title.is_empty() {
        title_from_summary(&summary).unwrap_or_else(|| source_url.to_string())
    } else {
        title
    };
    let summary = shorten_summary(&summary);

    let declared_image = declared_image(entry, base);
    // Only looked for when the feed declares no image.
    let content_image = if declared_image.is_some() {
        None
    } else {
        content_image(entry, content_html, base)
    };
    let content_html = content_html
        .or_else(|| entry.summary.as_ref().map(|s| s.content.as_str()))
        .unwrap_or_default()
        .into();
    let key = item_key(
        entry,
        &source_url,
        enclosure.as_ref().map(|e| &e.url),
        &title,
        date_source,
        context,
    );
    Ok(ItemDraft {
        key,
        title,
        date,
        date_source,
        summary,
        source_url,
        link_identifies,
        declared_image,
        content_image,
        categories: categories(entry),
        author: Some(author(entry))
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| feed_author.to_string()),
        content_html,
        content_base: entry_base.clone(),
        enclosure,
    })
}

/// The first meaningful `<img>` of the item's content, else of its
/// summary. Relative URLs resolve against xml:base, else the site's link
/// (not the item's link, which is often a FeedBurner proxy).
fn content_image(entry: &Entry, content_html: Option<&str>, base: Option<&Url>) -> Option<Url> {
    content_html
        .and_then(|html| first_image(html, base))
        .or_else(|| {
            entry
                .summary
                .as_ref()
                .and_then(|s| first_image(&s.content, base))
        })
}

/// The item's category labels, as plain text.
fn categories(entry: &Entry) -> Vec<String> {
    entry
        .categories
        .iter()
        .map(|c| plain_text(c.label.as_deref().unwrap_or(&c.term)))
        .filter(|c| !c.is_empty())
        .collect()
}

/// The item's first named author, as plain text; empty when it names none.
/// RSS writes `email (Name)`: the parser leaves the name in its
/// parentheses.
fn author(entry: &Entry) -> String {
    first_name(&entry.authors)
}

fn first_name(people: &[feed_rs::model::Person]) -> String {
    people
        .iter()
        .filter_map(|a| a.name.as_deref())
        .map(|name| {
            let name = name.trim();
            let name = name
                .strip_prefix('(')
                .and_then(|n| n.strip_suffix(')'))
                .unwrap_or(name);
            plain_text(name)
        })
        .find(|name| !name.is_empty())
        .unwrap_or_default()
}

/// The author an Atom feed gives its entries that name none (RFC 4287,
/// 4.2.1: the feed's authors apply to them); none in other formats,
/// whose channel's people (an RSS `managingEditor`) are not the item's.
fn inherited_author(feed: &Feed) -> String {
    match feed.feed_type {
        feed_rs::model::FeedType::Atom => first_name(&feed.authors),
        _ => String::new(),
    }
}

/// The first media file of the item that is not an image: an enclosure's
/// audio, video or document, else an Atom `link rel="enclosure"` or a JSON
/// Feed attachment (links that are files, not pages) of a type that is no
/// image. A Media RSS `medium="image"` comes without its type: the file's
/// name tells (see [`is_image_content`]).
fn enclosure(entry: &Entry, base: Option<&Url>) -> Option<DraftEnclosure> {
    let media = entry
        .media
        .iter()
        .flat_map(|m| &m.content)
        .filter(|c| !is_image_content(c))
        .find_map(|c| {
            let url = c.url.as_ref()?;
            let url = absolute_http_url(url.as_str(), base)?;
            Some(DraftEnclosure {
                url,
                mime_type: c
                    .content_type
                    .as_ref()
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                length: c.size,
            })
        });
    media.or_else(|| {
        file_links(entry)
            .filter(|l| !is_image_link(l))
            .find_map(|l| {
                Some(DraftEnclosure {
                    url: absolute_http_url(&l.href, base)?,
                    mime_type: l.media_type.clone().unwrap_or_default(),
                    length: l.length,
                })
            })
    })
}

/// The item's links that are files of it, not pages: Atom's
/// `rel="enclosure"` (RFC 4287, 4.2.7.2), and links of no relation whose
/// type is no page's (JSON Feed attachments, as the parser gives them).
fn file_links(entry: &Entry) -> impl Iterator<Item = &Link> {
    entry.links.iter().filter(|l| match l.rel.as_deref() {
        Some(rel) => rel.eq_ignore_ascii_case("enclosure"),
        None => !is_page(l),
    })
}

fn is_image_link(link: &Link) -> bool {
    link.media_type
        .as_deref()
        .is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("image/"))
}

/// Published, else updated, else the time of import; a date far in the
/// future (a wrong time zone, a scheduled post) is clamped to now.
fn item_date(entry: &Entry, context: &FeedContext) -> (DateTime<Utc>, DateSource) {
    let (date, source) = match (entry.published, entry.updated) {
        (Some(published), _) => (published, DateSource::Published),
        (None, Some(updated)) => (updated, DateSource::Updated),
        (None, None) => return (context.now, DateSource::FirstImport),
    };
    // Checked: a clock (or a test's `now`) at the end of time must not panic.
    let latest = context.now.checked_add_signed(chrono::Duration::days(1));
    if latest.is_some_and(|latest| date > latest) {
        let item = entry
            .title
            .as_ref()
            .map_or(entry.id.as_str(), |t| t.content.as_str());
        let item: String = item.chars().take(80).collect();
        tracing::warn!(%date, %item, "item dated in the future: using the time of import");
        return (context.now, DateSource::FirstImport);
    }
    (date, source)
}

/// The description as plain text without the tails feed software adds; when
/// it is empty or only repeats the title, the start of the content; when
/// the item has neither, the description of its media.
fn summary_text(
    entry: &Entry,
    format: &FeedType,
    title: &str,
    content_html: Option<&str>,
) -> String {
    let description = entry
        .summary
        .as_ref()
        .map(|s| strip_boilerplate(&text_of(s, format)))
        .unwrap_or_default();
    let repeats_title = !title.is_empty() && description.trim_end_matches(['.', '…']) == title;
    if !description.is_empty() && !repeats_title {
        return description;
    }
    let content = content_html
        .map(|html| strip_boilerplate(&html_to_text(html)))
        .unwrap_or_default();
    if !content.is_empty() {
        return content;
    }
    if !description.is_empty() {
        return description;
    }
    // An item whose only text describes its media: a podcast episode's
    // `itunes:summary`, a video's `media:description` (YouTube's Atom).
    entry
        .media
        .iter()
        .filter_map(|m| m.description.as_ref())
        .map(|d| strip_boilerplate(&html_to_text(&d.content)))
        .find(|d| !d.is_empty())
        .unwrap_or_default()
}

/// Removes what feed software appends to an excerpt: "The post X appeared
/// first on Y.", "Continue reading …", "Read more", "Lire la suite".
pub(crate) fn strip_boilerplate(text: &str) -> String {
    static TAILS: LazyLock<[Regex; 2]> = LazyLock::new(|| {
        [
            Regex::new(r"(?s)\s*(The post .{1,400}? appeared first on .{1,200}?\.?)\s*$")
                .expect("a valid pattern"),
            // Only after a sentence ends: "we read more papers" is prose.
            Regex::new(
                r"(?i)(?:^|[.!?…\]])\s*((?:continue reading|read more|read the full (?:story|article|post)|keep reading|lire la suite)\b[^.!?]{0,200}[.!?]?\s*(?:→|»|>>)?)\s*$",
            )
            .expect("a valid pattern"),
        ]
    });
    // Most summaries have no such tail: a plain search rules them out
    // before any regular expression runs.
    const MARKERS: [&[&str]; 2] = [
        &["appeared first on"],
        &[
            "continue reading",
            "read more",
            "read the full",
            "keep reading",
            "lire la suite",
        ],
    ];
    let mut text = text.trim().to_string();
    let lower = text.to_lowercase();
    for (tail, markers) in TAILS.iter().zip(MARKERS) {
        if !markers.iter().any(|m| lower.contains(m)) {
            continue;
        }
        if let Some(found) = tail.captures(&text).and_then(|c| c.get(1)) {
            // Never strip the whole text: "Read more" alone is all it says.
            if found.start() > 0 {
                text.truncate(found.start());
                text.truncate(text.trim_end().len());
            }
        }
    }
    text
}

/// A title for an item that has none: the summary's first sentence, or its
/// first words.
fn title_from_summary(summary: &str) -> Option<String> {
    const TITLE_MAX_CHARS: usize = 120;
    let summary = summary.trim();
    if summary.is_empty() {
        return None;
    }
    let sentence_end = summary
        .char_indices()
        .take(TITLE_MAX_CHARS)
        .find(|&(i, c)| {
            matches!(c, '.' | '!' | '?')
                && summary[i + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_none_or(char::is_whitespace)
        })
        .map(|(i, c)| &summary[..i + c.len_utf8()]);
    Some(match sentence_end {
        Some(sentence) => sentence.trim_end_matches('.').to_string(),
        None if summary.chars().count() <= TITLE_MAX_CHARS => summary.to_string(),
        None => format!(
            "{}…",
            word_prefix(summary, TITLE_MAX_CHARS - 1, char::is_whitespace).trim_end()
        ),
    })
}

/// A title or summary as plain text. A JSON Feed's are plain text (JSON
/// Feed 1.1: "plain text") and read so: a `<` in them is a character. RSS
/// says nothing of its text, and publishers write HTML into it: it is read
/// as HTML. So is Atom's, whatever its declared type: feeds label escaped
/// HTML as text often enough that trusting the label would let markup
/// through.
fn text_of(text: &Text, format: &FeedType) -> String {
    if *format == FeedType::JSON {
        html::declared_plain_text(&text.content)
    } else {
        html_to_text(&text.content)
    }
}

fn is_alternate(link: &Link) -> bool {
    matches!(link.rel.as_deref(), None | Some("alternate"))
}

/// Whether a link may be a page: of no declared type, or of a text, HTML
/// or XML one. A JSON Feed's attachments come from the parser as links of
/// no relation with their file's type (`audio/mpeg`): they are files of
/// the item, not its page.
fn is_page(link: &Link) -> bool {
    link.media_type.as_deref().is_none_or(|t| {
        let t = t.trim().to_ascii_lowercase();
        t.is_empty() || t.starts_with("text/") || t.contains("html") || t.contains("xml")
    })
}

/// The item's own page: its alternate link, never the comments, edit or
/// enclosure links.
fn item_link(entry: &Entry, guid_url: Option<&Url>, base: Option<&Url>) -> Option<Url> {
    entry
        .links
        .iter()
        .filter(|l| is_alternate(l) && is_page(l))
        .chain(
            entry
                .links
                .iter()
                .filter(|l| l.rel.as_deref() == Some("related") && is_page(l)),
        )
        .find_map(|l| absolute_http_url(&l.href, base))
        .map(without_tracking)
        .or_else(|| {
            // An RSS guid with isPermaLink is the item's link.
            guid_url
                .filter(|_| !entry.links.iter().any(is_page))
                .cloned()
        })
}

/// The source link of an item that has no link of its own (a podcast
/// episode with a GUID that is not a URL, and its audio file), when the
/// item can be known otherwise, by its GUID or its enclosure: the feed's
/// site (its channel link; the feed's own URL when it names none), which
/// the feed's other linkless items share and which so identifies none of
/// them; without either, the enclosure's URL, which identifies the item.
/// `None` for an item that has none of these: it cannot be told apart.
fn linkless_source(
    entry: &Entry,
    site: Option<&Url>,
    enclosure: Option<&DraftEnclosure>,
) -> Option<(Url, bool)> {
    if entry.id.trim().is_empty() && enclosure.is_none() {
        return None;
    }
    match (site, enclosure) {
        (Some(site), _) => Some((site.clone(), false)),
        (None, Some(enclosure)) => Some((enclosure.url.clone(), true)),
        (None, None) => None,
    }
}

/// Query parameters that only tell the publisher where a click came from.
const TRACKING_PARAMETERS: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "li_fat_id",
    "ncid",
    "sr_share",
];

/// `url` without `utm_*` and other tracking parameters, so that the same
/// article reached from two campaigns is one article.
pub fn without_tracking(mut url: Url) -> Url {
    let is_tracking = |key: &str| {
        let key = key.to_ascii_lowercase();
        key.starts_with("utm_") || TRACKING_PARAMETERS.contains(&key.as_str())
    };
    if url.query().is_none() || !url.query_pairs().any(|(k, _)| is_tracking(&k)) {
        return url;
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    url
}

/// Our identity for an item: its GUID (scoped by the feed, since GUIDs are
/// only unique within one), else its link, else a hash of title and date.
fn item_key(
    entry: &Entry,
    source_url: &Url,
    enclosure: Option<&Url>,
    title: &str,
    date_source: DateSource,
    context: &FeedContext,
) -> String {
    let mut hasher = Sha256::new();
    if !entry.id.trim().is_empty() {
        hasher.update(b"id\0");
        hasher.update(context.feed_identity.as_bytes());
        hasher.update(b"\0");
        hasher.update(entry.id.trim().as_bytes());
    } else if !entry.links.is_empty() {
        hasher.update(b"link\0");
        hasher.update(source_url.as_str().as_bytes());
    } else if let Some(enclosure) = enclosure {
        // An episode without a GUID or a link is known by its file.
        hasher.update(b"enclosure\0");
        hasher.update(context.feed_identity.as_bytes());
        hasher.update(b"\0");
        hasher.update(enclosure.as_str().as_bytes());
    } else {
        hasher.update(b"title\0");
        hasher.update(context.feed_identity.as_bytes());
        hasher.update(b"\0");
        hasher.update(title.as_bytes());
        hasher.update(b"\0");
        if date_source != DateSource::FirstImport {
            let date = entry.published.or(entry.updated).unwrap_or(context.now);
            hasher.update(date.to_rfc3339().as_bytes());
        }
    }
    hex_prefix(&hasher.finalize())
}

/// The image the feed declares for the item: media:content of an image type
/// (the largest when several), else a thumbnail (media:thumbnail,
/// itunes:image). Image enclosures arrive from the parser as media content.
/// An Atom `link rel="enclosure"` of an image type counts as an image
/// enclosure. A declared tracking pixel (by its address, or 2 pixels or
/// less on a side), gravatar or emoji is not the article's image.
fn declared_image(entry: &Entry, base: Option<&Url>) -> Option<Url> {
    let media = &entry.media;
    let content = media
        .iter()
        .flat_map(|m| m.content.iter())
        .filter(|c| is_image_content(c) && !is_pixel(c.width, c.height))
        .filter_map(|c| {
            let url = absolute_http_url(c.url.as_ref()?.as_str(), base)?;
            Some((area(c.width, c.height), url))
        })
        .chain(
            file_links(entry)
                .filter(|l| is_image_link(l))
                .filter_map(|l| Some((0, absolute_http_url(&l.href, base)?))),
        )
        .filter(|(_, url)| !is_decoration(url));
    if let Some(url) = largest(content) {
        return Some(url);
    }
    let thumbnails = media
        .iter()
        .flat_map(|m| m.thumbnails.iter())
        .filter(|t| !is_pixel(t.image.width, t.image.height))
        .filter_map(|t: &MediaThumbnail| {
            let url = absolute_http_url(&t.image.uri, base)?;
            Some((area(t.image.width, t.image.height), url))
        })
        .filter(|(_, url)| !is_decoration(url));
    largest(thumbnails)
}

/// A declared size of 2 pixels or less on a side.
fn is_pixel(width: Option<u32>, height: Option<u32>) -> bool {
    width.is_some_and(|w| w <= 2) || height.is_some_and(|h| h <= 2)
}

/// The first of the largest: a feed lists its preferred size first.
fn largest(candidates: impl Iterator<Item = (u64, Url)>) -> Option<Url> {
    let mut best: Option<(u64, Url)> = None;
    for (area, url) in candidates {
        if best.as_ref().is_none_or(|(best_area, _)| area > *best_area) {
            best = Some((area, url));
        }
    }
    best.map(|(_, url)| url)
}

fn area(width: Option<u32>, height: Option<u32>) -> u64 {
    u64::from(width.unwrap_or(0)) * u64::from(height.unwrap_or(0))
}

/// An image type, or no type and a URL that does not look like audio,
/// video or a document (the parser drops media:content's `medium`).
fn is_image_content(content: &MediaContent) -> bool {
    match &content.content_type {
        Some(mime) => mime.ty().as_str() == "image",
        None => content.url.as_ref().is_some_and(|url| {
            let path = url.path().to_ascii_lowercase();
            const NOT_IMAGES: &[&str] = &[
                ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".wav", ".flac", ".mp4", ".m4v",
                ".mov", ".webm", ".mkv", ".avi", ".pdf", ".zip", ".torrent",
            ];
            !NOT_IMAGES.iter().any(|ext| path.ends_with(ext))
        }),
    }
}

/// WordPress's `[…]` / `[...]` tail becomes `…`; a summary over
/// [`SUMMARY_MAX_CHARS`] is cut at a word boundary and ends with `…`.
pub(crate) fn shorten_summary(text: &str) -> String {
    let mut summary = text.trim().to_string();
    for tail in ["[…]", "[...]", "[&hellip;]"] {
        if let Some(stripped) = summary.strip_suffix(tail) {
            summary = format!("{}…", stripped.trim_end());
            break;
        }
    }
    if summary.chars().count() > SUMMARY_MAX_CHARS {
        let prefix = word_prefix(&summary, SUMMARY_MAX_CHARS - 1, char::is_whitespace);
        summary = format!("{}…", prefix.trim_end_matches(|c: char| c.is_whitespace()));
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wordpress_ellipsis_becomes_one_character() {
        assert_eq!(shorten_summary("It went well […]"), "It went well…");
        assert_eq!(shorten_summary("It went well  [...]"), "It went well…");
        assert_eq!(shorten_summary("No tail"), "No tail");
    }

    #[test]
    fn long_summary_is_cut_at_a_word() {
        let word = "abcd ";
        let text = word.repeat(150); // 750 characters
        let summary = shorten_summary(&text);
        assert!(summary.ends_with("abcd…"), "{summary}");
        assert!(summary.chars().count() <= SUMMARY_MAX_CHARS);
        // 100 words of 4 letters and their 99 spaces make 499 characters,
        // then the ellipsis.
        assert_eq!(summary.chars().count(), 500);
        // The limit falls inside the last word: that word goes whole.
        let text = format!("{}bcdefgh", "a ".repeat(248));
        assert_eq!(
            shorten_summary(&text),
            format!("{}…", "a ".repeat(248).trim_end())
        );
    }

    #[test]
    fn summary_of_exactly_500_characters_stays_whole() {
        let text = "é".repeat(500);
        assert_eq!(shorten_summary(&text), text);
        let text = "é".repeat(501);
        assert_eq!(shorten_summary(&text).chars().count(), 500);
    }

    #[test]
    fn tracking_parameters_are_removed() {
        let clean = |u: &str| without_tracking(Url::parse(u).unwrap()).to_string();
        assert_eq!(
            clean("https://ex.org/a/?utm_source=rss&utm_medium=rss&utm_campaign=x"),
            "https://ex.org/a/"
        );
        assert_eq!(
            clean("https://ex.org/a?p=12&utm_source=rss&fbclid=1"),
            "https://ex.org/a?p=12"
        );
        assert_eq!(
            clean("https://ex.org/a?p=1&q=2#top"),
            "https://ex.org/a?p=1&q=2#top"
        );
        assert_eq!(
            clean("https://ex.org/a?UTM_Source=x#frag"),
            "https://ex.org/a#frag"
        );
    }

    #[test]
    fn boilerplate_tails_are_removed() {
        assert_eq!(
            strip_boilerplate("A study. The post A study appeared first on Interventional News."),
            "A study."
        );
        assert_eq!(
            strip_boilerplate("Short text. Continue reading →"),
            "Short text."
        );
        assert_eq!(
            strip_boilerplate("Short text… Continue reading Big title"),
            "Short text…"
        );
        assert_eq!(
            strip_boilerplate("Texte court. Lire la suite"),
            "Texte court."
        );
        for tail in [
            "Read more »",
            "Read more",
            "Keep reading",
            "Read the full story",
            "Read the full article →",
        ] {
            assert_eq!(
                strip_boilerplate(&format!("Text. {tail}")),
                "Text.",
                "{tail}"
            );
        }
        assert_eq!(strip_boilerplate("Read more"), "Read more");
        assert_eq!(
            strip_boilerplate("We read more papers than ever, and so on."),
            "We read more papers than ever, and so on."
        );
    }

    #[test]
    fn missing_title_comes_from_the_summary() {
        assert_eq!(
            title_from_summary("First sentence. Second one."),
            Some("First sentence".into())
        );
        assert_eq!(
            title_from_summary("Version 1.2 is out! More"),
            Some("Version 1.2 is out!".into())
        );
        assert_eq!(title_from_summary(""), None);
        let long = "word ".repeat(60);
        let title = title_from_summary(&long).unwrap();
        assert!(
            title.ends_with('…') && title.chars().count() <= 120,
            "{title}"
        );
    }

    fn parse(xml: &str) -> Feed {
        feed_rs::parser::Builder::new()
            .id_generator(|_, _, _| String::new())
            .build()
            .parse(xml.as_bytes())
            .unwrap()
    }

    fn context(url: &Url) -> FeedContext<'_> {
        FeedContext {
            feed_identity: url.as_str(),
            feed_url: Some(url),
            now: DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
                .unwrap()
                .to_utc(),
        }
    }

    /// The content's base is the `xml:base` in effect for it (nested,
    /// relative to the document's URL); without one, none: the article's
    /// URL stands in.
    #[test]
    fn the_contents_base_is_its_xml_base() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="/blog/"><title>T</title>
            <entry xml:base="2024/"><title>A</title><id>a</id><link href="a"/>
              <content type="html" xml:base="media/">&lt;img src="x.png"&gt;</content></entry>
            </feed>"#;
        let url = Url::parse("https://ex.org/feed.atom").unwrap();
        let parsed = crate::parse::parse_feed(atom.into(), None, Some(&url)).unwrap();
        let (drafts, _) = extract_items(&parsed.feed, &parsed.guid_not_a_link, &context(&url));
        assert_eq!(
            drafts[0].content_base.as_ref().map(Url::as_str),
            Some("https://ex.org/blog/2024/media/")
        );
        let rss = r#"<rss version="2.0"><channel><title>T</title><link>https://ex.org/</link>
            <item><title>A</title><link>https://ex.org/a</link></item></channel></rss>"#;
        let (drafts, _) = extract_items(&parse(rss), &[], &context(&url));
        assert_eq!(drafts[0].content_base, None);
    }

    /// Links several items share identify none of them: each keeps its
    /// key, takes its GUID as link when that is a URL of its own, and a
    /// GUID-less one is told apart by its title.
    #[test]
    fn items_that_share_a_link_are_told_apart() {
        let feed = parse(
            r#"<rss version="2.0"><channel><title>T</title><link>https://show.example/</link>
            <item><title>One</title><link>https://show.example/</link><guid isPermaLink="true">https://show.example/e/1</guid></item>
            <item><title>Two</title><link>https://show.example/</link><guid isPermaLink="false">e-2</guid></item>
            <item><title>Three</title><link>https://show.example/</link></item>
            <item><title>Four</title><link>https://show.example/</link></item>
            <item><title>Own</title><link>https://show.example/own</link></item>
            </channel></rss>"#,
        );
        let url = Url::parse("https://show.example/feed").unwrap();
        let drafts: Vec<ItemDraft> = extract_entries(&feed, &[], &context(&url))
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let links: Vec<(&str, bool)> = drafts
            .iter()
            .map(|d| (d.source_url.as_str(), d.link_identifies))
            .collect();
        assert_eq!(
            links,
            [
                ("https://show.example/e/1", true),
                ("https://show.example/", false),
                ("https://show.example/", false),
                ("https://show.example/", false),
                ("https://show.example/own", true),
            ]
        );
        let keys: std::collections::HashSet<&str> = drafts.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(keys.len(), 5, "every item its own key");
        // The same document read again gives the same keys.
        let again: Vec<String> = extract_entries(&feed, &[], &context(&url))
            .into_iter()
            .map(|d| d.unwrap().key)
            .collect();
        assert_eq!(
            again,
            drafts.iter().map(|d| d.key.clone()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn reads_an_rss_item() {
        let feed = parse(
            r#"<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title><link>https://ex.org/</link>
            <item><title>Caf&amp;eacute; &lt;b&gt;news&lt;/b&gt;</title><link>/a/</link>
            <comments>https://ex.org/a/#comments</comments>
            <pubDate>Mon, 02 Sep 2024 12:13:01 +0200</pubDate>
            <description><![CDATA[<p>Hello <b>world</b> [&#8230;]</p>]]></description>
            <media:content url="https://ex.org/small.jpg" medium="image" width="10" height="10"/>
            <media:content url="https://ex.org/big.jpg" medium="image" width="100" height="100"/>
            <media:content url="https://ex.org/clip.mp4" width="1000" height="1000"/>
            </item></channel></rss>"#,
        );
        let url = Url::parse("https://ex.org/feed/").unwrap();
        let (drafts, skipped) = extract_items(&feed, &[], &context(&url));
        assert!(skipped.is_empty());
        let d = &drafts[0];
        assert_eq!(d.title, "Café news");
        assert_eq!(d.source_url.as_str(), "https://ex.org/a/");
        assert_eq!(d.date.to_rfc3339(), "2024-09-02T10:13:01+00:00");
        assert_eq!(d.summary, "Hello world…");
        assert_eq!(
            d.declared_image.as_ref().unwrap().as_str(),
            "https://ex.org/big.jpg"
        );
    }

    #[test]
    fn a_date_far_in_the_future_is_clamped_to_now() {
        let xml = r#"<rss version="2.0"><channel><title>T</title>
            <item><title>Scheduled</title><link>https://ex.org/s</link><pubDate>Mon, 02 Sep 2030 10:00:00 +0000</pubDate></item>
            <item><title>Soon</title><link>https://ex.org/t</link><pubDate>Thu, 01 Jan 2026 06:00:00 +0000</pubDate></item>
            </channel></rss>"#;
        let url = Url::parse("https://ex.org/feed/").unwrap();
        let (drafts, _) = extract_items(&parse(xml), &[], &context(&url));
        assert_eq!(drafts[0].date, context(&url).now);
        assert_eq!(drafts[0].date_source, DateSource::FirstImport);
        // Hours ahead (a wrong zone) is kept.
        assert_eq!(drafts[1].date.to_rfc3339(), "2026-01-01T06:00:00+00:00");
    }

    #[test]
    fn item_without_link_is_skipped_and_keys_are_stable() {
        let xml = r#"<rss version="2.0"><channel><title>T</title>
            <item><title>No link</title><description>x</description></item>
            <item><title>A</title><link>https://ex.org/a</link></item>
            <item><title>B</title><link>https://ex.org/b</link><guid>b-1</guid></item>
            </channel></rss>"#;
        let url = Url::parse("https://ex.org/feed/").unwrap();
        let (first, skipped) = extract_items(&parse(xml), &[], &context(&url));
        let (second, _) = extract_items(&parse(xml), &[], &context(&url));
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].title, "No link");
        assert_eq!(first.len(), 2);
        assert_eq!(first[0].key, second[0].key);
        assert_ne!(first[0].key, first[1].key);
        assert_eq!(first[0].date_source, DateSource::FirstImport);
        assert_eq!(first[0].date, context(&url).now);
    }

    /// Podcast episodes with a GUID that is no URL and an audio file, but
    /// no link: each is imported, known by its GUID, under the show's site
    /// (which identifies none of them).
    #[test]
    fn episodes_without_a_link_are_known_by_their_guid() {
        let xml = r#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
            <title>Un podcast</title><link>https://show.example.fr/</link>
            <item><title>Épisode 1</title><guid isPermaLink="false">show-ep-1</guid>
              <enclosure url="https://cdn.example.fr/ep1.mp3" type="audio/mpeg" length="1000"/>
              <pubDate>Mon, 02 Sep 2024 06:00:00 +0200</pubDate></item>
            <item><title>Épisode 2</title><guid isPermaLink="false">show-ep-2</guid>
              <enclosure url="https://cdn.example.fr/ep2.mp3" type="audio/mpeg" length="2000"/></item>
            <item><title>Nothing to know it by</title><description>x</description></item>
            </channel></rss>"#;
        let url = Url::parse("https://feeds.example.fr/show.xml").unwrap();
        let (drafts, skipped) = extract_items(&parse(xml), &[], &context(&url));
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].title, "Nothing to know it by");
        assert_eq!(drafts.len(), 2);
        for draft in &drafts {
            assert_eq!(draft.source_url.as_str(), "https://show.example.fr/");
            assert!(!draft.link_identifies);
            assert!(draft.enclosure.is_some());
        }
        assert_ne!(drafts[0].key, drafts[1].key);
        let (again, _) = extract_items(&parse(xml), &[], &context(&url));
        assert_eq!(again[1].key, drafts[1].key);
    }

    /// The same in a JSON Feed: an item with an `id` that is no URL and an
    /// audio attachment, but no `url`, under the feed's `home_page_url`.
    #[test]
    fn json_feed_items_without_a_url_are_known_by_their_id() {
        let json = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "Podcast",
            "home_page_url": "https://podcast.example.it/",
            "items": [
              {"id": "puntata-12", "title": "Puntata 12", "content_text": "Note",
               "attachments": [{"url": "https://cdn.example.it/p12.mp3", "mime_type": "audio/mpeg"}]},
              {"id": "puntata-13", "title": "Puntata 13", "content_text": "Note",
               "attachments": [{"url": "https://cdn.example.it/p13.mp3", "mime_type": "audio/mpeg"}]}
            ]}"#;
        let url = Url::parse("https://podcast.example.it/feed.json").unwrap();
        let (drafts, skipped) = extract_items(&parse(json), &[], &context(&url));
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(drafts.len(), 2);
        assert!(
            drafts
                .iter()
                .all(|d| d.source_url.as_str() == "https://podcast.example.it/")
        );
        assert!(drafts.iter().all(|d| !d.link_identifies));
        assert_ne!(drafts[0].key, drafts[1].key);
    }

    /// Categories and authors are mended as titles are: text garbled on
    /// its way (UTF-8 read as windows-1252) reads as it was written.
    #[test]
    fn garbled_categories_and_authors_are_mended() {
        let xml = r#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title>
            <item><title>A</title><link>https://ex.org/a</link>
              <category>EducaciÃ³n</category><category>Ã‰tÃ©</category>
              <dc:creator>JosÃ© NÃºÃ±ez</dc:creator></item>
            </channel></rss>"#;
        let url = Url::parse("https://ex.org/feed/").unwrap();
        let (drafts, _) = extract_items(&parse(xml), &[], &context(&url));
        assert_eq!(drafts[0].categories, ["Educación", "Été"]);
        assert_eq!(drafts[0].author, "José Núñez");
    }

    /// The same in Atom (an id that is a URN, an enclosure link) and in a
    /// feed that names no site: the episode's file is its link, and it
    /// identifies it; without a GUID, the file is its key.
    #[test]
    fn atom_entries_without_an_alternate_link_and_feeds_without_a_site() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>Ein Podcast</title>
            <link rel="alternate" href="https://podcast.example.de/"/>
            <entry><title>Folge 7</title><id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
              <updated>2024-09-02T10:00:00Z</updated>
              <link rel="enclosure" type="audio/mpeg" href="https://cdn.example.de/f7.mp3"/></entry>
            </feed>"#;
        let url = Url::parse("https://podcast.example.de/feed.atom").unwrap();
        let (drafts, skipped) = extract_items(&parse(atom), &[], &context(&url));
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(drafts[0].source_url.as_str(), "https://podcast.example.de/");
        assert!(!drafts[0].link_identifies);

        let saved = r#"<rss version="2.0"><channel><title>Saved</title>
            <item><title>Only a file</title>
              <enclosure url="https://cdn.example.org/a.mp3" type="audio/mpeg"/></item>
            <item><title>Another file</title>
              <enclosure url="https://cdn.example.org/b.mp3" type="audio/mpeg"/></item>
            </channel></rss>"#;
        let from_file = FeedContext {
            feed_identity: "file:///saved.xml",
            feed_url: None,
            now: context(&url).now,
        };
        let (drafts, skipped) = extract_items(&parse(saved), &[], &from_file);
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(
            drafts[0].source_url.as_str(),
            "https://cdn.example.org/a.mp3"
        );
        assert!(drafts[0].link_identifies);
        assert_ne!(drafts[0].key, drafts[1].key);
    }

    #[test]
    fn a_declared_tracking_pixel_is_not_the_image() {
        let xml = r#"<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title>
            <item><title>A</title><link>https://ex.org/a</link>
            <media:content url="https://ex.org/matomo.php?idsite=1&amp;rec=1" medium="image"/>
            <media:content url="https://ex.org/up/spacer.jpg" medium="image" width="1" height="1"/>
            <media:content url="https://secure.gravatar.com/avatar/x?s=96" medium="image" width="96" height="96"/>
            <media:content url="https://ex.org/up/figure.jpg" medium="image" width="20" height="20"/></item>
            <item><title>B</title><link>https://ex.org/b</link>
            <media:thumbnail url="https://pixel.ex.org/t.gif"/>
            <enclosure url="https://stats.ex.org/c.gif" type="image/gif" length="43"/></item>
            </channel></rss>"#;
        let url = Url::parse("https://ex.org/feed/").unwrap();
        let (drafts, _) = extract_items(&parse(xml), &[], &context(&url));
        assert_eq!(
            drafts[0].declared_image.as_ref().unwrap().as_str(),
            "https://ex.org/up/figure.jpg"
        );
        assert_eq!(drafts[1].declared_image, None);
    }

    #[test]
    fn image_falls_back_to_content_img() {
        let xml = r#"<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>
            <item><title>A</title><link>https://ex.org/a</link>
            <content:encoded><![CDATA[<p><img src="/up/x.png" alt=""></p>]]></content:encoded></item>
            </channel></rss>"#;
        let url = Url::parse("https://ex.org/feed/").unwrap();
        let (drafts, _) = extract_items(&parse(xml), &[], &context(&url));
        assert_eq!(
            drafts[0].content_image.as_ref().unwrap().as_str(),
            "https://ex.org/up/x.png"
        );
        // No description: the summary is the start of the content (here, none).
        assert_eq!(drafts[0].summary, "");
    }
}
