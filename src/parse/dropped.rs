//! What the parser drops, read back in one more pass over the document,
//! item by item, and given to the entries it belongs to.
//!
//! feed-rs leaves out, per item:
//! - a `<media:thumbnail>` (or `itunes:image`) standing alone in an item,
//!   outside `media:group`/`media:content` (a media object with only
//!   thumbnails counts as empty), yet the image many publishers declare
//!   (Blogger, Condé Nast, GitHub);
//! - the `xml:base` in effect for an Atom entry's content: it gives an
//!   entry only the one written on its `content`, as written (RFC 4287, 2,
//!   and XML Base: bases nest, feed, entry, content, each relative to the
//!   one around it, the first to the document's URL; see [`super::xml_base`]);
//! - RSS 2.0's `guid isPermaLink="false"`: such a GUID "is not a url, or a
//!   url to anything in particular", so it is never the item's link;
//! - Dublin Core's `dc:subject` (a category) and `dc:title` (the title of
//!   an item without an RSS one), in RSS 1.0 as in RSS 2.0;
//! - `itunes:author`, which it keeps only as a media credit: the episode's
//!   author when it names no other (Apple's podcast tags; the channel's
//!   `itunes:author` is the show's, "most often the parent company or
//!   network", no more an episode's author than a `managingEditor` is);
//! - an Atom entry's `source`: an entry copied from another feed without
//!   authors of its own takes those of its `source` before the containing
//!   feed's (RFC 4287, 4.2.1 and 4.2.11).
//!
//! In: the document's text, the URL it came from, and the parsed feed.
//! Out: the same feed with what the parser dropped given back to each
//! entry that lacks it (never over what it read), and which entries' GUIDs
//! are no link. Elements are known by their namespace, whatever prefix the
//! document binds it to, or by the usual prefix where a feed forgot to
//! declare it. One scan reads everything, and only documents that may hold
//! one of these constructs are scanned. A document the scan cannot follow,
//! or whose item count differs from the parser's, is left as it is: better
//! nothing than the right value on the wrong item.

use std::rc::Rc;

use feed_rs::model::{
    Category, Entry, Feed, FeedType, Image, MediaObject, MediaThumbnail, Person, Text,
};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use url::Url;

use super::xml_base::{join, xml_base};
use crate::util::bytes::contains;

/// The vocabularies whose elements the scan reads.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Vocabulary {
    /// RSS's own elements: in no namespace (0.9x, 2.0) or RSS 1.0's.
    Rss,
    Atom,
    /// Media RSS: `<media:thumbnail url=…>`.
    Media,
    /// Apple's podcast tags: `<itunes:image href=…>`, `<itunes:author>`.
    Itunes,
    /// Dublin Core's elements: `dc:subject`, `dc:title`.
    DublinCore,
}

impl Vocabulary {
    /// Spellings of the namespaces seen in feeds (with or without the
    /// trailing slash, over http or https).
    fn of_namespace(namespace: &str) -> Option<Vocabulary> {
        let is = |needle: &str| namespace.contains(needle);
        if is("search.yahoo.com/mrss") {
            Some(Vocabulary::Media)
        } else if is("itunes.com/dtds/podcast") {
            Some(Vocabulary::Itunes)
        } else if is("purl.org/dc/elements/1.1") {
            Some(Vocabulary::DublinCore)
        } else if is("www.w3.org/2005/Atom") {
            Some(Vocabulary::Atom)
        } else if is("purl.org/rss/1.0") && !is("modules") {
            Some(Vocabulary::Rss)
        } else {
            None
        }
    }

    /// The vocabulary an element is in: by its namespace, or, where the
    /// prefix is bound to nothing, by the usual prefix; an element of no
    /// prefix and no namespace is RSS's.
    fn of_element(resolved: &ResolveResult, element: &BytesStart) -> Option<Vocabulary> {
        match resolved {
            ResolveResult::Bound(Namespace(namespace)) => Vocabulary::of_namespace(namespace),
            ResolveResult::Unknown(_) | ResolveResult::Unbound => {
                match element.name().prefix().map(|p| p.into_inner()) {
                    None => Some(Vocabulary::Rss),
                    Some("media") => Some(Vocabulary::Media),
                    Some("itunes") => Some(Vocabulary::Itunes),
                    Some("dc") => Some(Vocabulary::DublinCore),
                    Some("atom") => Some(Vocabulary::Atom),
                    Some(_) => None,
                }
            }
        }
    }
}

/// One item's thumbnails, as (URL, width, height).
type Thumbnails = Vec<(String, Option<u32>, Option<u32>)>;

/// What one item holds that the parser drops.
#[derive(Debug, Default, PartialEq)]
struct Dropped {
    /// Thumbnails directly in the item, outside a media group or content.
    thumbnails: Thumbnails,
    /// The base in effect at its `content` (else at the item itself), when
    /// some `xml:base` sets one.
    base: Option<Url>,
    /// Its `guid` says `isPermaLink="false"`.
    guid_not_a_link: bool,
    /// Its `dc:subject`s.
    subjects: Vec<String>,
    /// Its first `dc:title`.
    dc_title: Option<String>,
    /// Its first `itunes:author`.
    itunes_author: Option<String>,
    /// The names of the authors of its Atom `source`.
    source_authors: Vec<String>,
}

/// Which constructs the document may hold, so that most documents are not
/// scanned at all.
#[derive(Debug, Clone, Copy, Default)]
struct Wanted {
    thumbnails: bool,
    bases: bool,
    guids: bool,
    dublin_core: bool,
    itunes_author: bool,
    source_authors: bool,
}

impl Wanted {
    fn of(text: &[u8], feed: &Feed) -> Wanted {
        let has = |needle: &[u8]| contains(text, needle);
        let atom = feed.feed_type == FeedType::Atom;
        let rss = matches!(
            feed.feed_type,
            FeedType::RSS0 | FeedType::RSS1 | FeedType::RSS2
        );
        let itunes = has(b"itunes.com/dtds/podcast") || has(b"<itunes:");
        let some_without_author = feed.entries.iter().any(|e| !has_author(e));
        Wanted {
            // A thumbnail is an element named `thumbnail` or `image`:
            // without one in the markup, nothing is to be found.
            thumbnails: (has(b"search.yahoo.com/mrss") || has(b"<media:") || itunes)
                && (has(b":thumbnail") || has(b"<thumbnail") || has(b":image") || has(b"<image"))
                && feed.entries.iter().any(|e| !has_thumbnail(e)),
            bases: atom && has(b"xml:base"),
            // A GUID matters only for an entry without a link of its own,
            // whose link is its id, or whose link others share (its GUID
            // may then stand for its page): WordPress's `?p=` GUIDs beside
            // their own permalinks cost no second reading. (An item of a
            // big document, read alone, is told by the stream itself:
            // whether its link is shared is for the whole to say.)
            guids: rss
                && (has(b"isPermaLink") || has(b"isPermalink") || has(b"ispermalink"))
                && (links_shared(feed)
                    || feed.entries.iter().any(|e| {
                        e.links.is_empty() || e.links.iter().any(|l| l.href.trim() == e.id.trim())
                    })),
            dublin_core: (has(b"purl.org/dc/elements/1.1") || has(b"<dc:"))
                && (has(b"subject") || feed.entries.iter().any(|e| !has_title(e))),
            itunes_author: itunes && has(b"author") && some_without_author,
            source_authors: atom && has(b"source") && some_without_author,
        }
    }

    fn any(self) -> bool {
        self.thumbnails
            || self.bases
            || self.guids
            || self.dublin_core
            || self.itunes_author
            || self.source_authors
    }
}

/// Whether two entries of `feed` have the same first link.
fn links_shared(feed: &Feed) -> bool {
    let mut seen = std::collections::HashSet::new();
    feed.entries
        .iter()
        .filter_map(|e| e.links.first())
        .any(|l| !seen.insert(l.href.trim()))
}

fn has_thumbnail(entry: &Entry) -> bool {
    // An entry's media content may be its audio or video (a podcast's
    // enclosure): only a thumbnail the parser kept makes one needless.
    // Which declared image wins is the extraction's choice.
    entry.media.iter().any(|m| !m.thumbnails.is_empty())
}

fn has_author(entry: &Entry) -> bool {
    entry
        .authors
        .iter()
        .any(|a| a.name.as_deref().is_some_and(|n| !n.trim().is_empty()))
}

fn has_title(entry: &Entry) -> bool {
    entry
        .title
        .as_ref()
        .is_some_and(|t| !t.content.trim().is_empty())
}

/// Gives each entry of `feed` what the parser dropped from it, and
/// returns, per entry in order, whether its GUID is no link (empty when
/// the document says of none, or could not be matched to the entries).
pub(super) fn restore(text: &str, base: Option<&Url>, feed: &mut Feed) -> Vec<bool> {
    let wanted = Wanted::of(text.as_bytes(), feed);
    if !wanted.any() {
        return Vec::new();
    }
    let Some(items) = scan(text, base) else {
        return Vec::new();
    };
    if items.len() != feed.entries.len() {
        return Vec::new();
    }
    let mut guid_not_a_link = Vec::new();
    for (entry, item) in feed.entries.iter_mut().zip(items) {
        guid_not_a_link.push(wanted.guids && item.guid_not_a_link);
        give(entry, item, wanted);
    }
    if !guid_not_a_link.contains(&true) {
        guid_not_a_link.clear();
    }
    guid_not_a_link
}

/// Gives `entry` what `item` holds that it lacks.
fn give(entry: &mut Entry, item: Dropped, wanted: Wanted) {
    if wanted.thumbnails && !has_thumbnail(entry) && !item.thumbnails.is_empty() {
        let mut object = MediaObject::default();
        object.thumbnails = item
            .thumbnails
            .into_iter()
            .map(|(uri, width, height)| MediaThumbnail {
                image: Image {
                    uri,
                    title: None,
                    link: None,
                    width,
                    height,
                    description: None,
                },
                time: None,
            })
            .collect();
        entry.media.push(object);
    }
    if wanted.bases
        && let Some(base) = item.base
    {
        entry.base = Some(base.to_string());
    }
    if wanted.dublin_core {
        if !has_title(entry)
            && let Some(title) = item.dc_title
        {
            entry.title = Some(plain_text(title));
        }
        for subject in item.subjects {
            if !entry.categories.iter().any(|c| c.term == subject) {
                entry.categories.push(Category::new(&subject));
            }
        }
    }
    if wanted.source_authors && !has_author(entry) {
        entry
            .authors
            .extend(item.source_authors.into_iter().map(|n| person(n, "author")));
    }
    if wanted.itunes_author
        && !has_author(entry)
        && let Some(name) = item.itunes_author
    {
        entry.authors.push(person(name, "author"));
    }
}

fn person(name: String, role: &str) -> Person {
    Person {
        name: Some(name),
        uri: None,
        email: None,
        role: Some(role.to_string()),
    }
}

/// A title as the parser gives an RSS one: plain text, as written.
fn plain_text(content: String) -> Text {
    Text {
        content_type: "text/plain".parse().expect("a media type"),
        src: None,
        content,
    }
}

/// The element whose text is being read, and where it goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    Subject,
    DcTitle,
    ItunesAuthor,
    SourceAuthorName,
}

/// Per `<item>`/`<entry>`, in document order, what it holds that the
/// parser drops; `None` when the document cannot be read to its end.
fn scan(text: &str, document: Option<&Url>) -> Option<Vec<Dropped>> {
    let mut reader = quick_xml::reader::NsReader::from_str(text);
    reader.config_mut().check_end_names = false;
    let mut items: Vec<Dropped> = Vec::new();
    // The base in effect inside each open element, and whether any
    // xml:base set it; the document's URL is the base around the root.
    // The depth of an element is the length of this stack once it opens.
    let mut open: Vec<(Option<Rc<Url>>, bool)> = Vec::new();
    let document = document.cloned().map(Rc::new);
    // Depth of the open item; of the open media:group/content inside it
    // (whose thumbnails the parser does keep); of its Atom source and of
    // an author in it.
    let mut item_depth: Option<usize> = None;
    let mut media_depth: Option<usize> = None;
    let mut source_depth: Option<usize> = None;
    let mut source_author_depth: Option<usize> = None;
    // The element whose text is read, its depth and its text so far.
    let mut reading: Option<(Reading, usize, String)> = None;
    loop {
        let (resolved, event) = reader.read_resolved_event().ok()?;
        match &event {
            Event::Start(element) | Event::Empty(element) => {
                let is_start = matches!(event, Event::Start(_));
                let (outer, set) = open
                    .last()
                    .cloned()
                    .unwrap_or_else(|| (document.clone(), false));
                let (inner, set) = match xml_base(element) {
                    Some(written) => (join(outer.as_deref(), &written).map(Rc::new), true),
                    None => (outer, set),
                };
                let depth = open.len() + 1;
                if is_start {
                    open.push((inner.clone(), set));
                }
                let name = element.name();
                let local = name.local_name().into_inner();
                let Some(item) = item_depth else {
                    if matches!(local, "item" | "entry") {
                        items.push(Dropped {
                            base: inner.filter(|_| set).map(|b| (*b).clone()),
                            ..Dropped::default()
                        });
                        item_depth = is_start.then_some(depth);
                    }
                    continue;
                };
                let Some(current) = items.last_mut() else {
                    continue;
                };
                let vocabulary = Vocabulary::of_element(&resolved, element);
                let child = depth == item + 1;
                // Atom's content, whatever its namespace is spelled as.
                if child && local == "content" && set {
                    current.base = inner.map(|b| (*b).clone());
                }
                match (vocabulary, local) {
                    (_, "group" | "content") if is_start && media_depth.is_none() => {
                        media_depth = Some(depth);
                    }
                    (Some(Vocabulary::Media), "thumbnail" | "image") if media_depth.is_none() => {
                        current.thumbnails.extend(thumbnail(element, "url"));
                    }
                    (Some(Vocabulary::Itunes), "thumbnail" | "image") if media_depth.is_none() => {
                        current.thumbnails.extend(thumbnail(element, "href"));
                    }
                    (Some(Vocabulary::Rss), "guid") if child => {
                        current.guid_not_a_link = not_a_permalink(element);
                    }
                    (Some(Vocabulary::DublinCore), "subject") if child && is_start => {
                        reading = Some((Reading::Subject, depth, String::new()));
                    }
                    (Some(Vocabulary::DublinCore), "title") if child && is_start => {
                        reading = Some((Reading::DcTitle, depth, String::new()));
                    }
                    (Some(Vocabulary::Itunes), "author") if child && is_start => {
                        reading = Some((Reading::ItunesAuthor, depth, String::new()));
                    }
                    (Some(Vocabulary::Atom), "source") if child && is_start => {
                        source_depth = Some(depth);
                    }
                    (Some(Vocabulary::Atom), "author")
                        if is_start && source_depth.is_some_and(|s| depth == s + 1) =>
                    {
                        source_author_depth = Some(depth);
                    }
                    (Some(Vocabulary::Atom), "name")
                        if is_start && source_author_depth.is_some_and(|a| depth == a + 1) =>
                    {
                        reading = Some((Reading::SourceAuthorName, depth, String::new()));
                    }
                    _ => {}
                }
            }
            Event::Text(text) => {
                if let Some((_, _, read)) = &mut reading {
                    read.push_str(&text.xml10_content());
                }
            }
            Event::CData(text) => {
                if let Some((_, _, read)) = &mut reading {
                    read.push_str(&text.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                if let Some((_, _, read)) = &mut reading {
                    match reference.resolve_char_ref() {
                        Ok(Some(c)) => read.push(c),
                        _ => match quick_xml::escape::resolve_predefined_entity(reference) {
                            Some(resolved) => read.push_str(resolved),
                            None => {
                                read.push('&');
                                read.push_str(reference);
                                read.push(';');
                            }
                        },
                    }
                }
            }
            Event::End(_) => {
                let depth = open.len();
                if let Some((what, _, read)) = reading.take_if(|(_, at, _)| *at == depth) {
                    let read = read.trim();
                    if let (Some(item), false) = (items.last_mut(), read.is_empty()) {
                        let read = read.to_string();
                        match what {
                            Reading::Subject => item.subjects.push(read),
                            Reading::DcTitle => {
                                item.dc_title.get_or_insert(read);
                            }
                            Reading::ItunesAuthor => {
                                item.itunes_author.get_or_insert(read);
                            }
                            Reading::SourceAuthorName => item.source_authors.push(read),
                        }
                    }
                }
                for open_at in [
                    &mut media_depth,
                    &mut source_depth,
                    &mut source_author_depth,
                    &mut item_depth,
                ] {
                    if *open_at == Some(depth) {
                        *open_at = None;
                    }
                }
                open.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Some(items)
}

/// Whether a `guid` says it is no permalink. RSS 2.0: `isPermaLink` is
/// true unless it says `false` (its name read without regard to case, as
/// feed readers do).
pub(super) fn not_a_permalink(element: &BytesStart) -> bool {
    element.attributes().flatten().any(|attribute| {
        attribute
            .key
            .into_inner()
            .eq_ignore_ascii_case("isPermaLink")
            && attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .is_ok_and(|v| v.trim().eq_ignore_ascii_case("false"))
    })
}

/// `<media:thumbnail url=… width=… height=…/>` or `<itunes:image href=…/>`:
/// the URL is in the attribute `key`.
fn thumbnail(element: &BytesStart, key: &str) -> Option<(String, Option<u32>, Option<u32>)> {
    let mut url = None;
    let mut width = None;
    let mut height = None;
    for attribute in element.attributes().flatten() {
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .ok()?
            .trim()
            .to_string();
        match attribute.key.into_inner() {
            k if k == key => url = Some(value),
            "width" => width = value.parse().ok(),
            "height" => height = value.parse().ok(),
            _ => {}
        }
    }
    Some((url.filter(|u| !u.is_empty())?, width, height))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(xml: &[u8]) -> (Feed, Vec<bool>) {
        let mut feed = feed_rs::parser::parse(xml).unwrap();
        let text = std::str::from_utf8(xml).unwrap();
        let guids = restore(text, None, &mut feed);
        (feed, guids)
    }

    fn first_thumbnail(entry: &Entry) -> Option<String> {
        entry
            .media
            .iter()
            .flat_map(|m| &m.thumbnails)
            .map(|t| t.image.uri.clone())
            .next()
    }

    #[test]
    fn lone_thumbnails_are_restored() {
        let xml = br#"<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title>
            <item><title>A</title><link>https://ex.org/a</link><media:content/>
              <media:thumbnail url="https://ex.org/a.jpg" width="2560" height="1819"/></item>
            <item><title>B</title><link>https://ex.org/b</link>
              <media:content url="https://ex.org/b.jpg" medium="image"/></item>
            <item><title>C</title><link>https://ex.org/c</link></item>
            </channel></rss>"#;
        let raw = feed_rs::parser::parse(&xml[..]).unwrap();
        assert!(
            raw.entries[0].media.iter().all(|m| m.thumbnails.is_empty()),
            "the parser drops it"
        );
        let (feed, _) = parsed(xml);
        let thumbnail = &feed.entries[0].media.last().unwrap().thumbnails[0];
        assert_eq!(thumbnail.image.uri, "https://ex.org/a.jpg");
        assert_eq!(thumbnail.image.width, Some(2560));
        assert_eq!(feed.entries[1].media.len(), 1);
        assert!(feed.entries[2].media.is_empty());
    }

    /// A podcast that declares only `itunes:image` (the word "thumbnail"
    /// is nowhere), under any prefix, or under the usual one undeclared.
    #[test]
    fn itunes_images_are_found_by_namespace_whatever_the_prefix() {
        let images = |xml: &[u8]| {
            let (feed, _) = parsed(xml);
            feed.entries.iter().map(first_thumbnail).collect::<Vec<_>>()
        };
        let declared = br#"<rss version="2.0" xmlns:it="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>T</title>
            <item><title>A</title><link>https://ex.org/a</link><it:image href=" https://ex.org/a.jpg "/></item>
            <item><title>B</title><link>https://ex.org/b</link></item>
            </channel></rss>"#;
        assert_eq!(
            images(declared),
            [Some("https://ex.org/a.jpg".to_string()), None]
        );
        let undeclared = r#"<rss version="2.0"><channel><title>T</title>
            <item><title>A</title><link>https://ex.org/a</link><itunes:image href="https://ex.org/a.jpg"/></item>
            </channel></rss>"#;
        assert_eq!(
            scan(undeclared, None).unwrap()[0].thumbnails,
            [("https://ex.org/a.jpg".to_string(), None, None)]
        );
        // Another vocabulary's `image` is not an item image.
        let other = br#"<rss version="2.0" xmlns:x="https://example.org/ns"><channel><title>T</title>
            <item><title>A</title><link>https://ex.org/a</link><x:image href="https://ex.org/a.jpg"/></item>
            </channel></rss>"#;
        assert_eq!(images(other), [None]);
    }

    #[test]
    fn atom_entries_with_inline_namespaces() {
        let xml = br#"<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
            <entry><title>A</title><link href="https://ex.org/a"/><id>a</id>
            <media:thumbnail xmlns:media="http://search.yahoo.com/mrss/" url="https://ex.org/a.png" height="72" width="72"/></entry>
            </feed>"#;
        let (feed, _) = parsed(xml);
        assert_eq!(
            first_thumbnail(&feed.entries[0]).as_deref(),
            Some("https://ex.org/a.png")
        );
    }

    #[test]
    fn broken_documents_are_left_alone() {
        let mut feed = feed_rs::parser::parse(&b"<rss version=\"2.0\"><channel><title>T</title><item><title>A</title></item></channel></rss>"[..]).unwrap();
        let guids = restore(
            "<rss><item><media:thumbnail url='x'/><guid isPermaLink='false'>g</guid",
            None,
            &mut feed,
        );
        assert!(feed.entries[0].media.is_empty());
        assert!(guids.is_empty());
    }

    /// Bases nest: the feed's, then the entry's relative to it, then the
    /// content's relative to that; an entry without any keeps none.
    #[test]
    fn bases_nest_from_the_document_to_the_content() {
        let text = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="/blog/">
<entry><title>A</title><content type="html">a</content></entry>
<entry xml:base="entries/"><title>B</title><content type="html" xml:base="media/">b</content></entry>
<entry xml:base="https://other.example.org/x/"><source xml:base="/ignored/"><title>S</title></source><content type="html">c</content></entry>
<entry><title>D</title><content src="d.pdf" type="application/pdf" xml:base="/files/"/></entry>
</feed>"#;
        let document = Url::parse("https://ex.org/feed.atom").unwrap();
        let bases: Vec<Option<String>> = scan(text, Some(&document))
            .unwrap()
            .into_iter()
            .map(|d| d.base.map(String::from))
            .collect();
        assert_eq!(
            bases,
            [
                Some("https://ex.org/blog/".to_string()),
                Some("https://ex.org/blog/entries/media/".to_string()),
                Some("https://other.example.org/x/".to_string()),
                Some("https://ex.org/files/".to_string()),
            ]
        );
        // Without the document's URL, a relative base cannot be resolved.
        let bases = scan(r#"<feed xml:base="/blog/"><entry/></feed>"#, None).unwrap();
        assert_eq!(bases[0].base, None);
    }

    /// RSS 2.0: `isPermaLink="false"` (in any case) says the GUID is no
    /// link; `true`, or nothing, that it is.
    #[test]
    fn guids_that_are_no_permalink() {
        let xml = br#"<rss version="2.0"><channel><title>T</title>
            <item><title>A</title><guid isPermaLink="false">https://ex.org/a</guid></item>
            <item><title>B</title><guid isPermaLink="true">https://ex.org/b</guid></item>
            <item><title>C</title><guid>https://ex.org/c</guid></item>
            <item><title>D</title><guid ispermalink=" FALSE ">https://ex.org/d</guid></item>
            </channel></rss>"#;
        assert_eq!(parsed(xml).1, [true, false, false, true]);
        let none = br#"<rss version="2.0"><channel><title>T</title>
            <item><title>A</title><guid isPermaLink="true">https://ex.org/a</guid></item>
            </channel></rss>"#;
        assert!(parsed(none).1.is_empty(), "no GUID says it");
    }

    /// Dublin Core's subject is a category and its title the title of an
    /// item without one, in RSS 1.0 and 2.0; entities and CDATA are read;
    /// an RSS title is never replaced, and a subject already a category
    /// is not listed twice.
    #[test]
    fn dublin_core_subjects_and_titles() {
        let rss2 = br#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title>
            <item><title>Own</title><link>https://ex.org/a</link><category>Art</category>
              <dc:subject>Art</dc:subject><dc:subject><![CDATA[Design & craft]]></dc:subject><dc:title>Not this</dc:title></item>
            <item><dc:title>Caf&#233; &amp; th&#xE9;</dc:title><link>https://ex.org/b</link></item>
            </channel></rss>"#;
        let (feed, _) = parsed(rss2);
        let terms: Vec<&str> = feed.entries[0]
            .categories
            .iter()
            .map(|c| c.term.as_str())
            .collect();
        assert_eq!(terms, ["Art", "Design & craft"]);
        assert_eq!(feed.entries[0].title.as_ref().unwrap().content, "Own");
        assert_eq!(
            feed.entries[1].title.as_ref().unwrap().content,
            "Café & thé"
        );
        let rss1 = br#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:d="http://purl.org/dc/elements/1.1/">
            <channel rdf:about="https://ex.org/"><title>T</title><link>https://ex.org/</link></channel>
            <item rdf:about="https://ex.org/a"><title>A</title><link>https://ex.org/a</link><d:subject>Geology</d:subject></item>
            </rdf:RDF>"#;
        let (feed, _) = parsed(rss1);
        assert_eq!(feed.entries[0].categories[0].term, "Geology");
    }

    /// `itunes:author` is the episode's author when it has no other; the
    /// channel's is the show's, never an episode's.
    #[test]
    fn itunes_author_is_the_author_of_an_episode_without_one() {
        let xml = br#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title>
            <itunes:author>The Network</itunes:author>
            <item><title>A</title><guid>a</guid><itunes:author>Host</itunes:author></item>
            <item><title>B</title><guid>b</guid><dc:creator>Writer</dc:creator><itunes:author>Host</itunes:author></item>
            <item><title>C</title><guid>c</guid></item>
            </channel></rss>"#;
        assert_eq!(author_names(xml), [vec!["Host"], vec!["Writer"], vec![]]);
    }

    /// Each entry's author names, as the parse and the scan leave them.
    fn author_names(xml: &[u8]) -> Vec<Vec<String>> {
        parsed(xml)
            .0
            .entries
            .iter()
            .map(|e| e.authors.iter().filter_map(|a| a.name.clone()).collect())
            .collect()
    }

    /// RFC 4287, 4.2.1: an entry without authors takes its source's; one
    /// with its own keeps them; a source's contributor is no author.
    #[test]
    fn an_atom_entry_takes_its_sources_authors() {
        let xml = br#"<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>f</id><updated>2024-01-01T00:00:00Z</updated>
            <author><name>Feed</name></author>
            <entry><title>A</title><id>a</id><updated>2024-01-01T00:00:00Z</updated>
              <source><id>s</id><title>S</title><contributor><name>Helper</name></contributor><author><name>Origin</name></author></source></entry>
            <entry><title>B</title><id>b</id><updated>2024-01-01T00:00:00Z</updated><author><name>Own</name></author>
              <source><author><name>Origin</name></author></source></entry>
            </feed>"#;
        assert_eq!(author_names(xml), [vec!["Origin"], vec!["Own"]]);
    }

    /// Items the scan counts otherwise than the parser get nothing, rather
    /// than another item's.
    #[test]
    fn nothing_is_given_when_the_counts_differ() {
        let xml = br#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title>
            <item><link>https://ex.org/a</link><dc:title>A</dc:title><guid isPermaLink="false">https://ex.org/g</guid></item>
            <x:item xmlns:x="urn:x"/>
            </channel></rss>"#;
        let (feed, guids) = parsed(xml);
        assert_eq!(feed.entries.len(), 1);
        assert!(feed.entries[0].title.is_none());
        assert!(guids.is_empty());
    }
}
