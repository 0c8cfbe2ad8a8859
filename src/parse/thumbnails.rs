//! Thumbnails the parser drops: a `<media:thumbnail>` (or `itunes:image`)
//! standing alone in an item, outside `media:group`/`media:content`, is not
//! kept by feed-rs (a media object with only thumbnails counts as empty), yet
//! it is the image many publishers declare (Blogger, Condé Nast, GitHub).
//!
//! In: the feed's bytes and the parsed feed. Out: the same feed, with such
//! thumbnails added to the entries that have no image of their own. A
//! document that the scan cannot follow, or whose item count differs from
//! the parser's, is left as it is.

use feed_rs::model::{Feed, Image, MediaObject, MediaThumbnail};
use quick_xml::events::{BytesStart, Event};

use crate::bytes::contains;

/// One item's thumbnails, as (URL, width, height).
type Thumbnails = Vec<(String, Option<u32>, Option<u32>)>;

/// Adds the thumbnails that the parser dropped.
pub(crate) fn restore_thumbnails(body: &[u8], feed: &mut Feed) {
    let lacking = |feed: &Feed| {
        feed.entries.iter().any(|e| {
            e.media
                .iter()
                .all(|m| m.thumbnails.is_empty() && m.content.is_empty())
        })
    };
    if !contains(body, b"thumbnail") || !lacking(feed) {
        return;
    }
    let Some(per_item) = scan(body) else { return };
    if per_item.len() != feed.entries.len() {
        return;
    }
    for (entry, thumbnails) in feed.entries.iter_mut().zip(per_item) {
        let has_image = entry
            .media
            .iter()
            .any(|m| !m.thumbnails.is_empty() || !m.content.is_empty());
        if has_image || thumbnails.is_empty() {
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
    let mut reader = quick_xml::Reader::from_reader(body);
    reader.config_mut().check_end_names = false;
    let mut items: Vec<Thumbnails> = Vec::new();
    // Depth of the open item, and of the open media:group/content inside it
    // (whose thumbnails the parser does keep).
    let mut depth = 0usize;
    let mut item_depth: Option<usize> = None;
    let mut media_depth: Option<usize> = None;
    let mut buffer = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buffer).ok()?;
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
                        if let (Some(item), Some(thumbnail)) =
                            (items.last_mut(), thumbnail(element))
                        {
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
fn thumbnail(element: &BytesStart) -> Option<(String, Option<u32>, Option<u32>)> {
    let prefix = element.name().prefix()?;
    let key = match prefix.into_inner() {
        "media" => "url",
        "itunes" => "href",
        _ => return None,
    };
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
