//! Thumbnails the parser drops: a `<media:thumbnail>` (or `itunes:image`)
//! standing alone in an item, outside `media:group`/`media:content`, is not
//! kept by feed-rs (a media object with only thumbnails counts as empty), yet
//! it is the image many publishers declare (Blogger, Condé Nast, GitHub).
//!
//! In: the feed's bytes and the parsed feed. Out: the same feed, with such
//! thumbnails added to the entries that have no image of their own. The
//! elements are known by their namespace (Media RSS, iTunes), whatever
//! prefix the document binds it to, or by the usual prefix where a feed
//! forgot to declare it. A document that the scan cannot follow, or whose
//! item count differs from the parser's, is left as it is.

use feed_rs::model::{Feed, Image, MediaObject, MediaThumbnail};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};

use crate::util::bytes::contains;

/// The vocabularies whose elements declare an item's image.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Vocabulary {
    /// Media RSS: `<media:thumbnail url=…>`.
    Media,
    /// Apple's podcast tags: `<itunes:image href=…>`.
    Itunes,
}

impl Vocabulary {
    /// Spellings of the namespaces seen in feeds (with or without the
    /// trailing slash, over http or https).
    fn of_namespace(namespace: &str) -> Option<Vocabulary> {
        if namespace.contains("search.yahoo.com/mrss") {
            Some(Vocabulary::Media)
        } else if namespace.contains("itunes.com/dtds/podcast") {
            Some(Vocabulary::Itunes)
        } else {
            None
        }
    }

    /// The vocabulary an element is in: by its namespace, or, where the
    /// prefix is bound to nothing, by the usual prefix.
    fn of_element(resolved: &ResolveResult, element: &BytesStart) -> Option<Vocabulary> {
        match resolved {
            ResolveResult::Bound(Namespace(namespace)) => Vocabulary::of_namespace(namespace),
            ResolveResult::Unknown(_) | ResolveResult::Unbound => {
                match element.name().prefix()?.into_inner() {
                    "media" => Some(Vocabulary::Media),
                    "itunes" => Some(Vocabulary::Itunes),
                    _ => None,
                }
            }
        }
    }

    /// The attribute holding the image's URL.
    fn url_attribute(self) -> &'static str {
        match self {
            Vocabulary::Media => "url",
            Vocabulary::Itunes => "href",
        }
    }
}

/// Whether the document may hold elements of either vocabulary: it names
/// one of their namespaces, or uses one of their usual prefixes. The scan
/// is skipped for the others (most feeds).
fn may_declare_images(body: &[u8]) -> bool {
    [
        b"search.yahoo.com/mrss".as_slice(),
        b"itunes.com/dtds/podcast",
        b"<media:",
        b"<itunes:",
    ]
    .iter()
    .any(|needle| contains(body, needle))
}

/// One item's thumbnails, as (URL, width, height).
type Thumbnails = Vec<(String, Option<u32>, Option<u32>)>;

/// Adds the thumbnails that the parser dropped.
pub(crate) fn restore_thumbnails(body: &[u8], feed: &mut Feed) {
    // An entry's media content may be its audio or video (a podcast's
    // enclosure): only a thumbnail the parser kept makes the scan needless.
    // Which declared image wins is the extraction's choice.
    let has_thumbnail =
        |entry: &feed_rs::model::Entry| entry.media.iter().any(|m| !m.thumbnails.is_empty());
    let lacking = |feed: &Feed| feed.entries.iter().any(|e| !has_thumbnail(e));
    if !may_declare_images(body) || !lacking(feed) {
        return;
    }
    let Some(per_item) = scan(body) else { return };
    if per_item.len() != feed.entries.len() {
        return;
    }
    for (entry, thumbnails) in feed.entries.iter_mut().zip(per_item) {
        if has_thumbnail(entry) || thumbnails.is_empty() {
            continue;
        }
        let mut object = MediaObject::default();
        object.thumbnails = thumbnails
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
}

/// Per `<item>`/`<entry>`, in document order, the thumbnails directly in it.
fn scan(body: &[u8]) -> Option<Vec<Thumbnails>> {
    let mut reader = quick_xml::reader::NsReader::from_reader(body);
    reader.config_mut().check_end_names = false;
    let mut items: Vec<Thumbnails> = Vec::new();
    // Depth of the open item, and of the open media:group/content inside it
    // (whose thumbnails the parser does keep).
    let mut depth = 0usize;
    let mut item_depth: Option<usize> = None;
    let mut media_depth: Option<usize> = None;
    let mut buffer = Vec::new();
    loop {
        let (resolved, event) = reader.read_resolved_event_into(&mut buffer).ok()?;
        match &event {
            Event::Start(element) | Event::Empty(element) => {
                let is_start = matches!(event, Event::Start(_));
                let name = element.name();
                let local: &str = name.local_name().into_inner();
                if is_start {
                    depth += 1;
                }
                match (item_depth, local) {
                    (None, "item" | "entry") if is_start => {
                        item_depth = Some(depth);
                        items.push(Vec::new());
                    }
                    (Some(_), "group" | "content") if is_start && media_depth.is_none() => {
                        media_depth = Some(depth);
                    }
                    (Some(_), "thumbnail" | "image") if media_depth.is_none() => {
                        let vocabulary = Vocabulary::of_element(&resolved, element);
                        if let (Some(item), Some(thumbnail)) = (
                            items.last_mut(),
                            vocabulary.and_then(|v| thumbnail(element, v)),
                        ) {
                            item.push(thumbnail);
                        }
                    }
                    _ => {}
                }
            }
            Event::End(_) => {
                if media_depth == Some(depth) {
                    media_depth = None;
                }
                if item_depth == Some(depth) {
                    item_depth = None;
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    Some(items)
}

/// `<media:thumbnail url=… width=… height=…/>` or `<itunes:image href=…/>`.
fn thumbnail(
    element: &BytesStart,
    vocabulary: Vocabulary,
) -> Option<(String, Option<u32>, Option<u32>)> {
    let key = vocabulary.url_attribute();
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

    #[test]
    fn lone_thumbnails_are_restored() {
        let xml = br#"<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title>
            <item><title>A</title><link>https://ex.org/a</link><media:content/>
              <media:thumbnail url="https://ex.org/a.jpg" width="2560" height="1819"/></item>
            <item><title>B</title><link>https://ex.org/b</link>
              <media:content url="https://ex.org/b.jpg" medium="image"/></item>
            <item><title>C</title><link>https://ex.org/c</link></item>
            </channel></rss>"#;
        let mut feed = feed_rs::parser::parse(&xml[..]).unwrap();
        assert!(
            feed.entries[0]
                .media
                .iter()
                .all(|m| m.thumbnails.is_empty()),
            "the parser drops it"
        );
        restore_thumbnails(xml, &mut feed);
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
            let mut feed = feed_rs::parser::parse(xml).unwrap();
            restore_thumbnails(xml, &mut feed);
            feed.entries
                .iter()
                .map(|e| {
                    e.media
                        .iter()
                        .flat_map(|m| &m.thumbnails)
                        .map(|t| t.image.uri.clone())
                        .next()
                })
                .collect::<Vec<_>>()
        };
        let declared = br#"<rss version="2.0" xmlns:it="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>T</title>
            <item><title>A</title><link>https://ex.org/a</link><it:image href=" https://ex.org/a.jpg "/></item>
            <item><title>B</title><link>https://ex.org/b</link></item>
            </channel></rss>"#;
        assert_eq!(
            images(declared),
            [Some("https://ex.org/a.jpg".to_string()), None]
        );
        let undeclared = br#"<rss version="2.0"><channel><title>T</title>
            <item><title>A</title><link>https://ex.org/a</link><itunes:image href="https://ex.org/a.jpg"/></item>
            </channel></rss>"#;
        assert_eq!(
            scan(undeclared),
            Some(vec![vec![("https://ex.org/a.jpg".to_string(), None, None)]])
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
        let mut feed = feed_rs::parser::parse(&xml[..]).unwrap();
        restore_thumbnails(xml, &mut feed);
        assert_eq!(
            feed.entries[0].media[0].thumbnails[0].image.uri,
            "https://ex.org/a.png"
        );
    }

    #[test]
    fn broken_documents_are_left_alone() {
        let mut feed = feed_rs::parser::parse(&b"<rss version=\"2.0\"><channel><title>T</title><item><title>A</title></item></channel></rss>"[..]).unwrap();
        restore_thumbnails(b"<rss><item><media:thumbnail url='x'", &mut feed);
        assert!(feed.entries[0].media.is_empty());
    }
}
