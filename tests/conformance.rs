//! The conformance matrix: one small feed per format and module, written
//! from its specification (`tests/fixtures/conformance/`), and what
//! feedimport reads from each construct: title, date, link, image,
//! summary, full text, author, categories and enclosure, as `feedimport
//! parse FILE --items --json` lists them (the run's own reading: the same
//! drafts and image order).
//!
//! In: the fixtures and their table (`tests/fixtures/conformance/README.md`).
//! Out: a failure naming the fixture, the item and the field read wrong; a
//! fixture or a test function missing from the table, or named there and
//! missing, fails `the_table_names_every_fixture_and_test`. Constructs we
//! read wrong and have not mended yet are `#[ignore = "known defect: …"]`
//! tests, so that they show as ignored, never as passing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::BIN;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conformance")
}

/// What one item should read as. Text fields are compared exactly; `""`
/// is "none". `date` is `DATE (published|updated)`, or `(none)` when the
/// feed gives no date (the time of import stands in); `categories` are
/// joined with ` | `. `"*"` is a field a known defect reads wrong: the
/// ignored test named in the table checks it.
#[derive(Debug, Clone, Copy)]
struct Expect {
    title: &'static str,
    date: &'static str,
    link: &'static str,
    image: &'static str,
    summary: &'static str,
    content: &'static str,
    author: &'static str,
    categories: &'static str,
    enclosure: &'static str,
}

const NOTHING: Expect = Expect {
    title: "",
    date: "",
    link: "",
    image: "",
    summary: "",
    content: "",
    author: "",
    categories: "",
    enclosure: "",
};

/// `feedimport parse FIXTURE --items --json`, which must succeed.
fn parse(fixture: &str) -> Value {
    let output = Command::new(BIN)
        .args(["parse", fixture, "--items", "--json"])
        .current_dir(fixtures())
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{fixture}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The items of `fixture`, each field as [`Expect`] writes it.
fn read(fixture: &str) -> (Value, Vec<[(&'static str, String); 9]>) {
    let report = parse(fixture);
    let text = |item: &Value, key: &str| item[key].as_str().unwrap_or_default().to_string();
    let items = report["item_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let date = match item["date_from"].as_str().unwrap() {
                "none" => "(none)".to_string(),
                from => format!("{} ({from})", text(item, "date")),
            };
            let categories: Vec<&str> = item["categories"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect();
            [
                ("title", text(item, "title")),
                ("date", date),
                ("link", text(item, "link")),
                ("image", text(item, "image")),
                ("summary", text(item, "summary")),
                ("content", text(item, "content")),
                ("author", text(item, "author")),
                ("categories", categories.join(" | ")),
                ("enclosure", text(item, "enclosure")),
            ]
        })
        .collect();
    (report, items)
}

/// Reads `fixture` and checks its format, the entries its document holds,
/// the repairs it needed and every field of every item it gives.
fn check(fixture: &str, format: &str, entries: u64, repairs: &[&str], expected: &[Expect]) {
    let (report, items) = read(fixture);
    assert_eq!(report["format"], format, "{fixture}: format");
    assert_eq!(
        report["items"], entries,
        "{fixture}: entries in the document"
    );
    assert_eq!(
        report["repairs"],
        serde_json::json!(repairs),
        "{fixture}: repairs"
    );
    let titles: Vec<&str> = items.iter().map(|i| i[0].1.as_str()).collect();
    assert_eq!(
        items.len(),
        expected.len(),
        "{fixture}: items read: {titles:?}"
    );
    for (item, expect) in items.iter().zip(expected) {
        let wanted = [
            expect.title,
            expect.date,
            expect.link,
            expect.image,
            expect.summary,
            expect.content,
            expect.author,
            expect.categories,
            expect.enclosure,
        ];
        for ((field, got), want) in item.iter().zip(wanted) {
            if want != "*" {
                assert_eq!(got, want, "{fixture}, item {:?}: {field}", expect.title);
            }
        }
    }
}

/// One field of the item titled `title` in `fixture`.
fn field(fixture: &str, title: &str, name: &str) -> String {
    let (_, items) = read(fixture);
    let item = items
        .iter()
        .find(|i| i[0].1 == title)
        .unwrap_or_else(|| panic!("{fixture}: no item {title:?}"));
    item.iter().find(|(f, _)| *f == name).unwrap().1.clone()
}

/// RSS 0.90: Netscape's RDF namespace, the items beside the channel (read as RSS 1.0's shape); it has no dates, so the time of import stands in.
#[test]
fn rss_090_items_beside_the_channel() {
    check(
        "rss-0.90.rdf",
        "RSS1",
        2,
        &[],
        &[
            Expect {
                title: "First of two",
                date: "(none)",
                link: "https://rss090.example.org/first",
                ..NOTHING
            },
            Expect {
                title: "Second of two",
                date: "(none)",
                link: "https://rss090.example.org/second",
                ..NOTHING
            },
        ],
    );
}

/// RSS 0.91 as Netscape's DTD defines it: the DOCTYPE is read past, and the Latin-1 entities the DTD defines (`&eacute;`) are read.
#[test]
fn rss_091_netscape_with_its_doctype() {
    check(
        "rss-0.91-netscape.xml",
        "RSS0",
        1,
        &[],
        &[Expect {
            title: "An item of 0.91",
            date: "(none)",
            link: "https://netscape.example.org/item",
            summary: "The DTD defines Latin-1 entities: café crème © 2000.",
            content: "The DTD defines Latin-1 entities: café crème © 2000.",
            ..NOTHING
        }],
    );
}

/// RSS 0.91 as UserLand wrote it: no DTD; entity-encoded HTML in the description is read as HTML.
#[test]
fn rss_091_userland() {
    check(
        "rss-0.91-userland.xml",
        "RSS0",
        2,
        &[],
        &[
            Expect {
                title: "Title and link",
                date: "(none)",
                link: "https://userland.example.org/title-and-link",
                ..NOTHING
            },
            Expect {
                title: "With a description",
                date: "(none)",
                link: "https://userland.example.org/described",
                summary: "Entity-encoded HTML: bold words.",
                content: "Entity-encoded HTML: bold words.",
                ..NOTHING
            },
        ],
    );
}

/// RSS 0.92: an enclosure, a category with a domain, a source (not read: it names a channel, not the item); an item with only a description has nothing to be known by and is skipped.
#[test]
fn rss_092_enclosure_source_category() {
    check(
        "rss-0.92.xml",
        "RSS0",
        3,
        &[],
        &[
            Expect {
                title: "With an enclosure",
                date: "(none)",
                link: "https://rss092.example.org/episode",
                summary: "An episode.",
                content: "An episode.",
                enclosure: "https://rss092.example.org/episode.mp3",
                ..NOTHING
            },
            Expect {
                title: "With a source and a category",
                date: "(none)",
                link: "https://rss092.example.org/quoted",
                summary: "Quoted from another channel.",
                content: "Quoted from another channel.",
                categories: "Topics/Science",
                ..NOTHING
            },
        ],
    );
}

/// RSS 1.0 with Dublin Core, content:encoded, syndication, taxonomy and an unknown module; an empty `dc:date` costs only the date.
#[test]
fn rss_10_with_its_modules() {
    check(
        "rss-1.0-modules.rdf",
        "RSS1",
        2,
        &[],
        &[
            Expect {
                title: "Every module at once",
                date: "2024-03-05T13:30:00Z (published)",
                link: "https://rss10.example.org/modules",
                image: "https://rss10.example.org/figure.png",
                summary: "The description, read as the summary.",
                content: "The full text, with a link.",
                author: "Ada Lovelace",
                categories: "Mathematics",
                ..NOTHING
            },
            Expect {
                title: "Only the core",
                date: "(none)",
                link: "https://rss10.example.org/plain",
                ..NOTHING
            },
        ],
    );
}

/// RSS 2.0: every item element; a permalink GUID is the link; a title from the description; an empty `pubDate`, `category`, `author` and `enclosure` and an unknown element cost only themselves.
#[test]
fn rss_20_every_item_element() {
    check(
        "rss-2.0.xml",
        "RSS2",
        5,
        &[],
        &[
            Expect {
                title: "Every element",
                date: "2024-03-05T13:30:00Z (published)",
                link: "https://rss20.example.org/every-element",
                summary: "The description, escaped HTML.",
                content: "The description, escaped HTML.",
                author: "Grace Hopper",
                categories: "Compilers | Navy",
                enclosure: "https://rss20.example.org/talk.mp3",
                ..NOTHING
            },
            Expect {
                title: "A permalink GUID and no link",
                date: "2024-03-04T09:00:00Z (published)",
                link: "https://rss20.example.org/permalink-guid",
                ..NOTHING
            },
            Expect {
                title: "A GUID that is not a permalink",
                date: "2024-03-03T09:00:00Z (published)",
                summary: "Its GUID looks like a URL, and says it is none.",
                content: "Its GUID looks like a URL, and says it is none.",
                link: "https://rss20.example.org/",
                ..NOTHING
            },
            Expect {
                title: "A description and no title",
                date: "2024-03-02T09:00:00Z (published)",
                link: "https://rss20.example.org/untitled",
                summary: "A description and no title. The title comes from its first sentence.",
                content: "A description and no title. The title comes from its first sentence.",
                ..NOTHING
            },
            Expect {
                title: "Empty and unknown elements",
                date: "(none)",
                link: "https://rss20.example.org/empty-and-unknown",
                summary: "Still read.",
                content: "Still read.",
                ..NOTHING
            },
        ],
    );
}

/// Atom 1.0 (RFC 4287) text constructs of each type in title, summary and content; published before updated; author and contributor; category label before term; the feed's author for entries without one; empty text constructs and an unknown element cost only themselves.
#[test]
fn atom_10_text_constructs() {
    check(
        "atom-1.0-text.xml",
        "Atom",
        4,
        &[],
        &[
            Expect {
                title: "Less < more & plain text",
                date: "2024-03-01T08:00:00Z (published)",
                link: "https://atom.example.org/text",
                summary: "A plain summary: is shown as written.",
                content: "Plain content, read as text.",
                author: "Text Author",
                categories: "Plain Text",
                ..NOTHING
            },
            Expect {
                title: "An HTML title",
                date: "2024-03-04T10:00:00Z (updated)",
                link: "https://atom.example.org/html",
                image: "https://atom.example.org/html.jpg",
                summary: "An escaped summary.",
                content: "Escaped content with an image",
                author: "Feed Author",
                categories: "html-term",
                ..NOTHING
            },
            Expect {
                title: "An XHTML title",
                date: "2024-03-03T10:00:00Z (updated)",
                link: "https://atom.example.org/xhtml",
                image: "https://atom.example.org/xhtml.jpg",
                summary: "An inline summary.",
                content: "Inline XHTML content.",
                author: "XHTML Author",
                ..NOTHING
            },
            Expect {
                title: "Empty and unknown elements",
                date: "2024-03-02T10:00:00Z (updated)",
                link: "https://atom.example.org/empty",
                author: "Feed Author",
                ..NOTHING
            },
        ],
    );
}

/// Atom 1.0 links of every relation: `alternate` (or none) is the page, `related` stands in, `self`, `edit` and `via` are not the page, `enclosure` is the file (or the image); out-of-line content (`src`) leaves the summary; `source`.
#[test]
fn atom_10_links_content_src_and_source() {
    check(
        "atom-1.0-links.xml",
        "Atom",
        6,
        &[],
        &[
            Expect {
                title: "Every relation",
                date: "2024-03-05T10:00:00Z (updated)",
                link: "https://links.example.org/every-relation",
                image: "https://links.example.org/cover.jpg",
                summary: "The alternate link is the page, whatever the order.",
                content: "The alternate link is the page, whatever the order.",
                author: "Links",
                enclosure: "https://links.example.org/talk.mp3",
                ..NOTHING
            },
            Expect {
                title: "A link without rel",
                date: "2024-03-04T10:00:00Z (updated)",
                link: "https://links.example.org/no-rel",
                summary: "No rel is alternate.",
                content: "No rel is alternate.",
                author: "Links",
                ..NOTHING
            },
            Expect {
                title: "Only related",
                date: "2024-03-03T10:00:00Z (updated)",
                link: "https://elsewhere.example.org/only-related",
                summary: "A related link stands in when there is no alternate.",
                content: "A related link stands in when there is no alternate.",
                author: "Links",
                ..NOTHING
            },
            Expect {
                title: "Out-of-line content",
                date: "2024-03-02T10:00:00Z (updated)",
                link: "https://links.example.org/out-of-line",
                summary: "The content is elsewhere.",
                content: "The content is elsewhere.",
                author: "Links",
                ..NOTHING
            },
            Expect {
                title: "Out-of-line HTML",
                date: "2024-03-01T10:00:00Z (updated)",
                link: "https://links.example.org/out-of-line-html",
                summary: "The content is a page of its own.",
                content: "The content is a page of its own.",
                author: "Links",
                ..NOTHING
            },
            Expect {
                title: "Copied from another feed",
                date: "2023-12-31T23:00:00Z (published)",
                link: "https://other.example.org/copied",
                summary: "The source element names the feed it came from.",
                content: "The source element names the feed it came from.",
                author: "Source Author",
                ..NOTHING
            },
        ],
    );
}

/// Atom 1.0 `xml:base` on the feed, the entry and the content, nested and relative, resolving links and the content's images.
#[test]
fn atom_10_xml_base() {
    check(
        "atom-1.0-xml-base.xml",
        "Atom",
        4,
        &[],
        &[
            Expect {
                title: "Relative to the feed",
                date: "2024-03-05T10:00:00Z (updated)",
                link: "https://base.example.org/blog/2024/feed-base",
                image: "https://base.example.org/blog/images/feed-base.jpg",
                author: "Base",
                ..NOTHING
            },
            Expect {
                title: "Relative to the entry",
                date: "2024-03-04T10:00:00Z (updated)",
                link: "https://base.example.org/entries/entry-base",
                image: "https://base.example.org/entries/images/entry-base.jpg",
                author: "Base",
                ..NOTHING
            },
            Expect {
                title: "Relative to the content",
                date: "2024-03-03T10:00:00Z (updated)",
                link: "https://base.example.org/blog/content-base",
                image: "https://base.example.org/media/content-base.jpg",
                author: "Base",
                ..NOTHING
            },
            Expect {
                title: "Relative bases nest",
                date: "2024-03-02T10:00:00Z (updated)",
                link: "https://base.example.org/elsewhere/nested",
                image: "https://base.example.org/elsewhere/inner/nested.jpg",
                author: "Base",
                ..NOTHING
            },
        ],
    );
}

/// Atom 0.3: `issued` is published, `modified` updated (`created` is not read); text constructs typed by MIME type and mode (`escaped`, `base64`, `xml`).
#[test]
fn atom_03() {
    check(
        "atom-0.3.xml",
        "Atom",
        4,
        &[],
        &[
            Expect {
                title: "Issued, modified and created",
                date: "2004-04-30T13:00:00Z (published)",
                link: "https://atom03.example.org/issued",
                summary: "The issued date is the published one.",
                content: "Escaped HTML content.",
                author: "Entry Author",
                ..NOTHING
            },
            Expect {
                title: "Base64 & XML content",
                date: "2004-04-29T09:00:00Z (published)",
                link: "https://atom03.example.org/base64",
                summary: "Base64 HTML content.",
                content: "Base64 HTML content.",
                author: "Feed Author",
                ..NOTHING
            },
            Expect {
                title: "Inline XHTML content",
                date: "2004-04-28T09:00:00Z (published)",
                link: "https://atom03.example.org/xml",
                summary: "Inline XHTML content.",
                content: "Inline XHTML content.",
                author: "Feed Author",
                ..NOTHING
            },
            Expect {
                title: "Only modified",
                date: "2004-04-27T10:00:00Z (updated)",
                link: "https://atom03.example.org/modified",
                summary: "Without issued, the modified date.",
                content: "Without issued, the modified date.",
                author: "Feed Author",
                ..NOTHING
            },
        ],
    );
}

/// JSON Feed 1.0: url before external_url, an id that is a URL, summary before content_text before content_html, image before banner_image, dates, 1.0's `author`, tags, attachments; the feed's author for items without one; an unknown `_` extension.
#[test]
fn json_feed_10() {
    check(
        "jsonfeed-1.0.json",
        "JSON",
        4,
        &[],
        &[
            Expect {
                title: "Every field",
                date: "2024-03-05T13:30:00Z (published)",
                link: "https://json10.example.org/every-field",
                image: "https://json10.example.org/image.jpg",
                summary: "The summary, before either content.",
                content: "The HTML content.",
                author: "Item Author",
                categories: "first tag | second tag",
                enclosure: "https://json10.example.org/talk.mp3",
            },
            Expect {
                title: "Only content_text",
                date: "2024-03-04T09:00:00Z (updated)",
                link: "https://json10.example.org/text-only",
                summary: "Plain text content, the summary when there is none.",
                content: "Plain text content, the summary when there is none.",
                author: "Feed Author",
                ..NOTHING
            },
            Expect {
                title: "No url and no title: the id is a URL",
                date: "(none)",
                link: "https://json10.example.org/id-only",
                summary: "No url and no title: the id is a URL. Its first sentence is the title.",
                content: "No url and no title: the id is a URL. Its first sentence is the title.",
                author: "Feed Author",
                ..NOTHING
            },
            Expect {
                title: "Only external_url",
                date: "2024-03-03T09:00:00Z (published)",
                link: "https://elsewhere.example.org/external-only",
                summary: "A link post.",
                content: "A link post.",
                author: "Feed Author",
                ..NOTHING
            },
        ],
    );
}

/// JSON Feed 1.1: `authors` (the first with a name), `language`, banner_image, an image attachment.
#[test]
fn json_feed_11() {
    check(
        "jsonfeed-1.1.json",
        "JSON",
        3,
        &[],
        &[
            Expect {
                title: "Des auteurs",
                date: "2024-03-05T13:30:00Z (published)",
                link: "https://json11.example.org/auteurs",
                summary: "Le contenu.",
                content: "Le contenu.",
                author: "Marie Curie",
                categories: "Physique",
                ..NOTHING
            },
            Expect {
                title: "Une bannière",
                date: "2024-03-04T09:00:00Z (updated)",
                link: "https://json11.example.org/banniere",
                image: "https://json11.example.org/banniere.jpg",
                summary: "Seule la bannière est une image.",
                content: "Seule la bannière est une image.",
                author: "Auteur du flux",
                ..NOTHING
            },
            Expect {
                title: "Une pièce jointe",
                date: "2024-03-03T09:00:00Z (published)",
                link: "https://json11.example.org/piece-jointe",
                image: "https://json11.example.org/photo.jpg",
                summary: "L'image est jointe.",
                content: "L'image est jointe.",
                author: "Auteur du flux",
                ..NOTHING
            },
        ],
    );
}

/// Media RSS: media:content by medium and type (the largest image), media:group, media:thumbnail alone or in a video's content, media:title and media:credit (not read), media:description (the summary when the item has no other text); empty media elements are set aside, costing only themselves.
#[test]
fn media_rss() {
    check(
        "media-rss.xml",
        "RSS2",
        5,
        &["elements the feed parser refused, set aside"],
        &[
            Expect {
                title: "Content of each medium",
                date: "2024-03-05T10:00:00Z (published)",
                link: "https://media.example.org/content",
                image: "https://media.example.org/large.jpg",
                summary: "The media's description.",
                enclosure: "https://media.example.org/clip.mp4",
                ..NOTHING
            },
            Expect {
                title: "A group of alternatives",
                date: "2024-03-04T10:00:00Z (published)",
                link: "https://media.example.org/group",
                image: "https://media.example.org/group-large.jpg",
                summary: "The group's description.",
                ..NOTHING
            },
            Expect {
                title: "Only a thumbnail",
                date: "2024-03-03T10:00:00Z (published)",
                link: "https://media.example.org/thumbnail",
                image: "https://media.example.org/thumb.jpg",
                ..NOTHING
            },
            Expect {
                title: "A thumbnail of a video",
                date: "2024-03-02T10:00:00Z (published)",
                link: "https://media.example.org/video",
                image: "https://media.example.org/film-poster.jpg",
                enclosure: "https://media.example.org/film.mp4",
                ..NOTHING
            },
            Expect {
                title: "Empty and unknown elements",
                date: "2024-03-01T10:00:00Z (published)",
                link: "https://media.example.org/empty",
                image: "https://media.example.org/empty.jpg",
                ..NOTHING
            },
        ],
    );
}

/// iTunes: itunes:image, itunes:summary (the summary when there is no description), itunes:subtitle, itunes:duration and itunes:explicit (not read); an episode without a link stands under the show's site; empty and unknown iTunes elements cost only themselves.
#[test]
fn itunes() {
    check(
        "itunes.xml",
        "RSS2",
        3,
        &[],
        &[
            Expect {
                title: "Episode with every tag",
                date: "2024-03-05T10:00:00Z (published)",
                link: "https://itunes.example.org/episodes/1",
                image: "https://itunes.example.org/episodes/1.jpg",
                summary: "The episode's summary, in iTunes.",
                enclosure: "https://itunes.example.org/episodes/1.mp3",
                author: "Episode Author",
                ..NOTHING
            },
            Expect {
                title: "Episode with only a summary",
                date: "2024-03-04T10:00:00Z (published)",
                link: "https://itunes.example.org/",
                summary: "Only iTunes summarises this one.",
                enclosure: "https://itunes.example.org/episodes/2.mp3",
                ..NOTHING
            },
            Expect {
                title: "Empty and unknown elements",
                date: "2024-03-03T10:00:00Z (published)",
                link: "https://itunes.example.org/episodes/3",
                enclosure: "https://itunes.example.org/episodes/3.mp3",
                ..NOTHING
            },
        ],
    );
}

/// Podcasting 2.0: transcript, chapters, person, guid, images, season, episode and the rest are unknown to the parser and cost nothing; empty ones neither.
#[test]
fn podcasting_20() {
    check(
        "podcasting-2.0.xml",
        "RSS2",
        2,
        &[],
        &[
            Expect {
                title: "Episode with the namespace's tags",
                date: "2024-03-05T10:00:00Z (published)",
                link: "https://podcast.example.org/episodes/1",
                summary: "An episode.",
                content: "An episode.",
                enclosure: "https://podcast.example.org/episodes/1.mp3",
                ..NOTHING
            },
            Expect {
                title: "Empty and unknown podcast tags",
                date: "2024-03-04T10:00:00Z (published)",
                link: "https://podcast.example.org/episodes/2",
                summary: "Still read.",
                content: "Still read.",
                enclosure: "https://podcast.example.org/episodes/2.mp3",
                ..NOTHING
            },
        ],
    );
}

/// Dublin Core in RSS 2.0: dc:date is the date, dc:creator the author; empty dc elements cost only themselves.
#[test]
fn dublin_core() {
    check(
        "dublin-core.xml",
        "RSS2",
        3,
        &[],
        &[
            Expect {
                title: "Dublin Core in place of RSS",
                date: "2024-03-05T13:30:00Z (published)",
                link: "https://dc.example.org/dc",
                summary: "Described.",
                content: "Described.",
                author: "Dorothy Hodgkin",
                categories: "Crystallography | Chemistry",
                ..NOTHING
            },
            Expect {
                date: "2024-03-04T00:00:00Z (published)",
                link: "https://dc.example.org/dc-title",
                summary: "The RSS title is missing.",
                content: "The RSS title is missing.",
                title: "Only a Dublin Core title",
                ..NOTHING
            },
            Expect {
                title: "Empty Dublin Core",
                date: "(none)",
                link: "https://dc.example.org/empty",
                summary: "Still read.",
                content: "Still read.",
                ..NOTHING
            },
        ],
    );
}

/// content:encoded: the full text (its image, its text), the description staying the summary; escaped instead of CDATA; relative images against the site; empty.
#[test]
fn content_encoded() {
    check(
        "content-encoded.xml",
        "RSS2",
        4,
        &[],
        &[
            Expect {
                title: "Description and full text",
                date: "2024-03-05T10:00:00Z (published)",
                link: "https://encoded.example.org/both",
                image: "https://encoded.example.org/full.jpg",
                summary: "The short description.",
                content: "The full text.",
                ..NOTHING
            },
            Expect {
                title: "Only the full text",
                date: "2024-03-04T10:00:00Z (published)",
                link: "https://encoded.example.org/only-full",
                summary: "Escaped, not in CDATA: the summary comes from here.",
                content: "Escaped, not in CDATA: the summary comes from here.",
                ..NOTHING
            },
            Expect {
                title: "Relative image in the full text",
                date: "2024-03-03T10:00:00Z (published)",
                link: "https://encoded.example.org/relative",
                image: "https://encoded.example.org/uploads/relative.jpg",
                summary: "Relative.",
                ..NOTHING
            },
            Expect {
                title: "Empty full text",
                date: "2024-03-02T10:00:00Z (published)",
                link: "https://encoded.example.org/empty",
                summary: "The description stands.",
                content: "The description stands.",
                ..NOTHING
            },
        ],
    );
}

/// RSS 2.0: a `guid` with `isPermaLink="false"` "is not a url, or a url to
/// anything in particular": an item without a link stands under the
/// channel's site, as an episode with a GUID that is no URL does; an
/// episode whose link others share keeps that link (a permalink GUID
/// would stand in for it). Also in a French podcast, with `itunes:author`
/// (the channel's is the show's, no episode's).
#[test]
fn rss_20_guid_not_a_permalink_is_no_link() {
    assert_eq!(
        field("rss-2.0.xml", "A GUID that is not a permalink", "link"),
        "https://rss20.example.org/"
    );
    check(
        "podcast-fr.xml",
        "RSS2",
        3,
        &[],
        &[
            Expect {
                title: "Épisode sans lien",
                date: "2024-03-05T09:00:00Z (published)",
                link: "https://balado.example.org/",
                author: "Hélène Animatrice",
                enclosure: "https://balado.example.org/101.mp3",
                ..NOTHING
            },
            Expect {
                title: "Épisode au lien partagé",
                date: "2024-03-04T09:00:00Z (published)",
                link: "https://balado.example.org/",
                author: "La Rédaction",
                enclosure: "https://balado.example.org/102.mp3",
                ..NOTHING
            },
            Expect {
                title: "Autre épisode au lien partagé",
                date: "2024-03-03T09:00:00Z (published)",
                link: "https://balado.example.org/episodes/103",
                enclosure: "https://balado.example.org/103.mp3",
                ..NOTHING
            },
        ],
    );
}

/// Dublin Core: `dc:subject` is a category, in RSS 1.0 as in RSS 2.0, and
/// `dc:title` the title of an item without an RSS one.
#[test]
fn dublin_core_subject_and_title() {
    assert_eq!(
        field(
            "dublin-core.xml",
            "Dublin Core in place of RSS",
            "categories"
        ),
        "Crystallography | Chemistry"
    );
    assert_eq!(
        field("rss-1.0-modules.rdf", "Every module at once", "categories"),
        "Mathematics"
    );
    let (_, items) = read("dublin-core.xml");
    assert_eq!(items[1][0].1, "Only a Dublin Core title");
    // In French, in RSS 1.0, under another prefix; CDATA and character
    // references read.
    check(
        "dublin-core-1.0.rdf",
        "RSS1",
        2,
        &[],
        &[
            Expect {
                title: "Des sujets",
                date: "(none)",
                link: "https://dcfr.example.org/sujets",
                categories: "Géologie | Cartes & plans",
                ..NOTHING
            },
            Expect {
                title: "Un titre « Dublin Core »",
                date: "(none)",
                link: "https://dcfr.example.org/titre",
                ..NOTHING
            },
        ],
    );
}

/// iTunes: `itunes:author` names the episode's author when it has no
/// other (an RSS `author` comes first); the channel's names the show
/// ("most often the parent company or network"), not an episode.
#[test]
fn itunes_author() {
    assert_eq!(
        field("itunes.xml", "Episode with every tag", "author"),
        "Episode Author"
    );
    assert_eq!(
        field("itunes.xml", "Episode with only a summary", "author"),
        ""
    );
    assert_eq!(
        field("podcast-fr.xml", "Épisode sans lien", "author"),
        "Hélène Animatrice"
    );
    assert_eq!(
        field("podcast-fr.xml", "Épisode au lien partagé", "author"),
        "La Rédaction"
    );
}

/// Atom: an entry without an author takes its `source`'s authors before
/// the feed's (RFC 4287, 4.2.1).
#[test]
fn atom_source_author() {
    assert_eq!(
        field("atom-1.0-links.xml", "Copied from another feed", "author"),
        "Source Author"
    );
    // In German: the source's author, not its contributor; an entry's own
    // author before its source's; a source without one leaves the feed's.
    check(
        "atom-1.0-source.xml",
        "Atom",
        3,
        &[],
        &[
            Expect {
                title: "Übernommen mit Quelle",
                date: "2024-03-05T10:00:00Z (updated)",
                link: "https://blog.example.org/1",
                summary: "Die Quelle nennt ihre Autorin.",
                content: "Die Quelle nennt ihre Autorin.",
                author: "Lise Meitner",
                ..NOTHING
            },
            Expect {
                title: "Eigene Autorin",
                date: "2024-03-04T10:00:00Z (updated)",
                link: "https://blog.example.org/2",
                summary: "Der Eintrag nennt seine Autorin selbst.",
                content: "Der Eintrag nennt seine Autorin selbst.",
                author: "Emmy Noether",
                ..NOTHING
            },
            Expect {
                title: "Quelle ohne Autor",
                date: "2024-03-03T10:00:00Z (updated)",
                link: "https://other.example.org/3",
                summary: "Dann gilt der Autor des Feeds.",
                content: "Dann gilt der Autor des Feeds.",
                author: "Planet-Redaktion",
                ..NOTHING
            },
        ],
    );
}

/// The table in the fixtures' README lists every fixture and names only
/// tests that exist, so that a missing construct shows; a known defect's
/// test is ignored, saying so, and every other test named is not.
#[test]
fn the_table_names_every_fixture_and_test() {
    let table = std::fs::read_to_string(fixtures().join("README.md")).unwrap();
    let source = include_str!("conformance.rs");
    let mut listed = std::collections::BTreeSet::new();
    let mut rows = 0;
    for line in table.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | spec | construct | feed | test | what we read | status |
        assert_eq!(cells.len(), 8, "a row of six cells: {line}");
        if cells[1] == "spec" || cells[1].starts_with("---") {
            continue;
        }
        rows += 1;
        let (fixture, test, status) = (
            cells[3].trim_matches('`'),
            cells[4].trim_matches('`'),
            cells[6],
        );
        assert!(
            fixtures().join(fixture).is_file(),
            "the table names a feed that is not there: {line}"
        );
        listed.insert(fixture.to_string());
        let declared = format!("fn {test}()");
        let at = source
            .find(&declared)
            .unwrap_or_else(|| panic!("the table names a test that is not there: {line}"));
        let attributes = &source[source[..at].rfind("\n}\n").unwrap_or(0)..at];
        assert!(attributes.contains("#[test]"), "not a test: {test}");
        let ignored = attributes.contains("#[ignore = \"known defect:");
        match status.split(':').next().unwrap() {
            "known defect" => assert!(ignored, "{test} must be ignored as a known defect"),
            "read" | "ignored by design" | "defect fixed" => {
                assert!(!ignored, "{test} is ignored: its row must say known defect")
            }
            other => panic!("unknown status {other:?}: {line}"),
        }
    }
    assert!(rows > 0, "no rows read from the table");
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name != "README.md" {
            assert!(listed.contains(&name), "{name} is in no row of the table");
        }
    }
}
