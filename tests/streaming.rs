//! Big documents read as a stream (one item at a time, from a temporary
//! file) read the same as whole documents.
//!
//! The library's two readings are compared on every feed of our own
//! fixtures (conformance, fidelity) and, ignored, on the real-world corpus
//! beside the project. Then the real binary reads and imports feeds over
//! the 8 MiB streaming threshold, written here: items cut across read
//! chunks, item tags inside CDATA and comments, one item broken beyond
//! repair among thousands, a legacy encoding, a document cut short, and
//! channel elements written after the items.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use common::requires::corpus_dir;
use common::*;
use feedimport::{Body, ReadFeed, read_feed};
use serde_json::Value;

/// `bytes` as a body in a file: the streamed reading, whatever its size.
fn in_a_file(bytes: &[u8]) -> Body {
    let mut file = tempfile::tempfile().unwrap();
    file.write_all(bytes).unwrap();
    Body::File {
        file,
        len: bytes.len() as u64,
    }
}

fn read_both(bytes: &[u8], base: Option<&url::Url>) -> (Option<ReadFeed>, Option<ReadFeed>) {
    let now = Utc.with_ymd_and_hms(2024, 9, 2, 12, 0, 0).unwrap();
    let whole = read_feed(bytes.to_vec(), None, base, "feed", now).ok();
    let streamed = read_feed(in_a_file(bytes), None, base, "feed", now).ok();
    (whole, streamed)
}

/// What differs between the two readings of one document (empty: none).
fn differences(whole: &Option<ReadFeed>, streamed: &Option<ReadFeed>) -> Vec<String> {
    let (whole, streamed) = match (whole, streamed) {
        (None, None) => return Vec::new(),
        (Some(w), Some(s)) => (w, s),
        (w, s) => {
            return vec![format!(
                "read whole: {}, streamed: {}",
                w.is_some(),
                s.is_some()
            )];
        }
    };
    let mut out = Vec::new();
    if whole.drafts.len() != streamed.drafts.len() {
        out.push(format!(
            "{} items whole, {} streamed",
            whole.drafts.len(),
            streamed.drafts.len()
        ));
    }
    for (index, (w, s)) in whole.drafts.iter().zip(&streamed.drafts).enumerate() {
        if w != s {
            out.push(format!(
                "item {index}: whole {}\nstreamed {}",
                shown(w),
                shown(s)
            ));
        }
    }
    let skipped = |read: &ReadFeed| read.skipped.len();
    if skipped(whole) != skipped(streamed) {
        out.push(format!(
            "{} skipped whole, {} streamed",
            skipped(whole),
            skipped(streamed)
        ));
    }
    if (
        whole.format.clone(),
        whole.encoding,
        whole.ttl,
        &whole.about,
    ) != (
        streamed.format.clone(),
        streamed.encoding,
        streamed.ttl,
        &streamed.about,
    ) {
        out.push(format!(
            "document: whole {:?} {} {:?} {:?}, streamed {:?} {} {:?} {:?}",
            whole.format,
            whole.encoding,
            whole.ttl,
            whole.about,
            streamed.format,
            streamed.encoding,
            streamed.ttl,
            streamed.about
        ));
    }
    out
}

/// A draft as its fields and its full text (the text may be spooled).
fn shown(draft: &feedimport::ItemDraft) -> String {
    let content = draft.content_html.load().unwrap();
    let fields = feedimport::ItemDraft {
        content_html: Default::default(),
        ..draft.clone()
    };
    format!("{fields:#?}\nfull text: {content:?}")
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e != "md"))
        .collect();
    files.sort();
    files
}

/// Corpus documents whose two readings are known to differ, and why.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[(
    "feedjira2009__JustASummary.xml",
    "an XHTML summary with an HTML entity XML does not define (`&auml;`): the whole document's repair maps it to its character, the item's own reading keeps it as text",
)];

fn assert_same_readings(files: &[PathBuf]) {
    assert!(!files.is_empty());
    let base = url::Url::parse("https://feeds.example.org/feed.xml").unwrap();
    let mut failures = Vec::new();
    for path in files {
        let bytes = std::fs::read(path).unwrap();
        let (whole, streamed) = read_both(&bytes, Some(&base));
        let found = differences(&whole, &streamed);
        let name = path.file_name().unwrap().to_string_lossy();
        let known = KNOWN_DIFFERENCES.iter().any(|(known, _)| *known == name);
        if known {
            assert!(
                !found.is_empty(),
                "{name} no longer differs: drop it from the list"
            );
        } else if !found.is_empty() {
            failures.push(format!("{}:\n{}", path.display(), found.join("\n")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_streamed_reading_agrees_with_the_whole_one_on_every_format() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = files_in(&fixtures.join("conformance"));
    files.extend(files_in(&fixtures.join("fidelity")));
    files.push(fixtures.join("interventional-news.xml"));
    assert_same_readings(&files);
}

#[test]
#[ignore = "needs the feed corpus beside the project; .ci/run runs it"]
fn the_streamed_reading_agrees_with_the_whole_one_on_the_corpus() {
    let corpus = corpus_dir();
    let mut files = files_in(&corpus.join("feeds"));
    if corpus.join("more").is_dir() {
        files.extend(files_in(&corpus.join("more")));
    }
    assert_same_readings(&files);
}

/// A French RSS 2.0 document of `count` items over the streaming
/// threshold, with what cuts a stream wrong: an `<item>` written in CDATA
/// and in a comment, an item of 3 MiB (many read chunks), item 1,500
/// broken (a tag left open in an attribute value, an unquoted attribute, a
/// bare `<` and `&`, an end tag that closes nothing): read from the parts
/// that still read; then one item of nothing but broken markup, and the
/// channel's `<ttl>` after the items.
fn big_french_rss(count: usize) -> String {
    let mut text = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- flux complet -->\n<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n<title>Revue d’angiologie — archives</title>\n<link>https://angio.example.fr/</link>\n<language>fr-FR</language>\n",
    );
    let filler = "Les résultats à cinq ans confirment l’intérêt de l’embolisation. ".repeat(40);
    for n in 0..count {
        let day = 1 + n % 28;
        let hour = n % 24;
        let body = if n == 10 {
            // 3 MiB of content.
            format!("<p>{}</p>", filler.repeat(1200))
        } else {
            format!("<p>{filler}</p>")
        };
        if n == 1500 {
            text.push_str(&format!(
                "<item><title>Article cassé {n}</title><link>https://angio.example.fr/a/{n}</link><enclosure url=\"https://angio.example.fr/<b>.mp3\" type=audio/mpeg><description>x < y & z</descr></item>\n"
            ));
            text.push_str("<item><x:y a=<<>>]]></z></item>\n");
            continue;
        }
        text.push_str(&format!(
            "<item>\n<title>Étude n° {n} : l’embolisation en question</title>\n<link>https://angio.example.fr/a/{n}</link>\n<guid isPermaLink=\"false\">angio-{n}</guid>\n<dc:creator><![CDATA[Dr Lefèvre]]></dc:creator>\n<pubDate>Mon, {day:02} Sep 2024 {hour:02}:00:00 +0200</pubDate>\n<description><![CDATA[<p>Résumé {n} : <item>pas un élément</item></p>]]></description>\n<!-- </item><item><title>faux</title> -->\n<content:encoded><![CDATA[{body}]]></content:encoded>\n</item>\n"
        ));
    }
    text.push_str("<ttl>90</ttl>\n</channel>\n</rss>\n");
    text
}

/// A German Atom document in ISO-8859-1 (declared), with `xml:base` on
/// the feed and relative links, cut short in its last entry.
fn big_german_atom_latin1(count: usize) -> Vec<u8> {
    let mut text = String::from(
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"https://gefaess.example.de/archiv/\">\n<title>Gefäßmedizin aktuell</title>\n<link rel=\"alternate\" href=\"https://gefaess.example.de/\"/>\n<updated>2024-09-02T10:00:00Z</updated>\n<author><name>Redaktion Gefäßmedizin</name></author>\n",
    );
    let filler = "Größere Studien über Gefäßverschlüsse zeigen Überlebensvorteile. ".repeat(60);
    for n in 0..count {
        text.push_str(&format!(
            "<entry><title>Übersicht {n}: Gefäßchirurgie</title><link href=\"beitrag/{n}\"/><id>urn:gefaess:{n}</id><updated>2024-08-{:02}T08:00:00Z</updated><summary type=\"html\">&lt;p&gt;{filler}&lt;/p&gt;</summary></entry>\n",
            1 + n % 28
        ));
    }
    text.push_str("<entry><title>Abgeschnit");
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    bytes.into_owned()
}

fn parse_items(site: &Site, file: &str) -> Value {
    let output = site.run(&["parse", "--items", "--json", file]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn a_big_rss_document_is_read_item_by_item_and_loses_only_what_is_broken() {
    let site = Site::new("");
    let text = big_french_rss(3000);
    assert!(text.len() > 12 << 20, "over the threshold: {}", text.len());
    site.write("archive.xml", &text);
    let probe = parse_items(&site, "archive.xml");
    let items = probe["item_list"].as_array().unwrap();
    assert_eq!(
        items.len(),
        3000,
        "every item but the one of broken markup only"
    );
    let titles: Vec<&str> = items.iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert!(titles.contains(&"Étude n° 0 : l’embolisation en question"));
    assert!(titles.contains(&"Étude n° 2999 : l’embolisation en question"));
    assert!(!titles.iter().any(|t| t.contains("faux")));
    let broken = items
        .iter()
        .find(|i| i["title"] == "Article cassé 1500")
        .expect("the broken item, read from its parts");
    assert_eq!(broken["link"], "https://angio.example.fr/a/1500");
    let tenth = items
        .iter()
        .find(|i| i["link"] == "https://angio.example.fr/a/10")
        .unwrap();
    assert_eq!(tenth["author"], "Dr Lefèvre");
    assert!(
        tenth["summary"]
            .as_str()
            .unwrap()
            .starts_with("Résumé 10 : pas un élément")
    );
    assert_eq!(probe["encoding"], "UTF-8");
    assert_eq!(probe["items"].as_u64(), Some(3001), "{probe:#}");
    assert!(
        probe["repairs"].to_string().contains("one item at a time"),
        "{probe:#}"
    );

    // Imported: one file per readable item, the unreadable one skipped and
    // said so.
    let config = format!(
        "max_body_mib = 64\n{}",
        config(&[("Angio", "archive.xml", "papers")])
    );
    site.write("feeds.toml", &config);
    let output = site.import(&["--json"], 0);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["feeds"][0]["new"].as_u64(), Some(3000), "{report:#}");
    assert_eq!(report["feeds"][0]["skipped"].as_u64(), Some(1));
    assert_eq!(site.content().len(), 3000);
}

#[test]
fn a_big_latin1_atom_document_cut_short_is_read_in_its_encoding() {
    let site = Site::new("");
    let bytes = big_german_atom_latin1(2500);
    assert!(bytes.len() > 9 << 20);
    std::fs::write(site.path().join("archiv.atom"), &bytes).unwrap();
    let probe = parse_items(&site, "archiv.atom");
    assert_eq!(probe["encoding"], "windows-1252");
    let items = probe["item_list"].as_array().unwrap();
    assert_eq!(items.len(), 2500, "the entry cut short is none");
    assert_eq!(items[7]["title"], "Übersicht 7: Gefäßchirurgie");
    assert_eq!(
        items[7]["link"],
        "https://gefaess.example.de/archiv/beitrag/7"
    );
    assert_eq!(items[7]["author"], "Redaktion Gefäßmedizin");
    assert!(
        items[7]["summary"]
            .as_str()
            .unwrap()
            .starts_with("Größere Studien über Gefäßverschlüsse")
    );
}

/// A JSON Feed 1.1 over the threshold, in English, whose `authors` (which
/// items without their own inherit) come after its items, with one item
/// that is no object and one whose `url` is a number (mended).
fn big_json_feed(count: usize) -> String {
    let filler = "Interventional radiology keeps growing across Europe. ".repeat(60);
    let mut items = Vec::new();
    for n in 0..count {
        items.push(match n {
            7 => serde_json::json!("not an item"),
            8 => serde_json::json!({"id": "n8", "url": 8, "title": "Item eight", "content_text": filler}),
            _ => serde_json::json!({
                "id": format!("https://ir.example.com/{n}"),
                "url": format!("https://ir.example.com/{n}"),
                "title": format!("Embolisation update {n}"),
                "content_html": format!("<p>{filler}</p>"),
                "date_published": format!("2024-09-{:02}T08:00:00Z", 1 + n % 28),
            }),
        });
    }
    serde_json::to_string(&serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "IR Weekly",
        "home_page_url": "https://ir.example.com/",
        "items": items,
        "authors": [{"name": "IR Weekly desk"}],
        "language": "en-GB",
    }))
    .unwrap()
}

#[test]
fn a_big_json_feed_is_read_item_by_item_with_the_fields_after_its_items() {
    let site = Site::new("");
    let text = big_json_feed(3000);
    assert!(text.len() > 9 << 20, "{}", text.len());
    site.write("feed.json", &text);
    let probe = parse_items(&site, "feed.json");
    let items = probe["item_list"].as_array().unwrap();
    assert_eq!(probe["items"].as_u64(), Some(3000), "{probe:#}");
    assert_eq!(items.len(), 2999, "all but the item that is no object");
    assert_eq!(items[0]["title"], "Embolisation update 0");
    assert_eq!(
        items[0]["author"], "IR Weekly desk",
        "the feed's authors, read after the items"
    );
    assert_eq!(items[2998]["title"], "Embolisation update 2999");
    assert!(items.iter().any(|i| i["title"] == "Item eight"));
    // The same document read whole (by the library) reads the same.
    let (whole, streamed) = read_both(text.as_bytes(), None);
    let (whole, streamed) = (whole.unwrap(), streamed.unwrap());
    assert_eq!(whole.drafts, streamed.drafts);
    assert_eq!(whole.about, streamed.about);
}

#[test]
fn a_big_feed_over_http_is_imported_whole_in_bounded_parts() {
    let feed = big_french_rss(2200);
    assert!(feed.len() > 9 << 20);
    let base = raw_server(move |mut stream| {
        let head = read_request_head(&mut stream);
        if head.starts_with("GET /feed.xml") {
            write_answer(
                &mut stream,
                "application/rss+xml; charset=utf-8",
                feed.as_bytes(),
            );
        } else {
            let _ = std::io::Write::write_all(
                &mut stream,
                b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    });
    let config = format!(
        "max_body_mib = 64\n{}",
        config(&[("Angio", &format!("{base}/feed.xml"), "papers")])
    )
    .replace(
        "section = \"papers\"\n",
        "section = \"papers\"\narticle_images = false\n",
    );
    let site = Site::new(&config);
    let output = site.import(&["--json"], 0);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    // 2,199 well-formed items, the broken one read from its parts, and the
    // one of broken markup only skipped: in several parts of 500.
    assert_eq!(report["feeds"][0]["new"].as_u64(), Some(2200), "{report:#}");
    assert_eq!(report["feeds"][0]["skipped"].as_u64(), Some(1));
    let files = site.content();
    assert_eq!(files.len(), 2200);
    let tenth = files
        .values()
        .find(|text| text.contains("sourceUrl: \"https://angio.example.fr/a/10\""))
        .expect("item 10, of 3 MiB");
    assert!(tenth.contains("title: \"Étude n° 10 : l’embolisation en question\""));
    assert!(tenth.contains("Résumé 10 : pas un élément"));
    // A second run imports nothing again.
    let again = site.import(&["--json", "--force"], 0);
    let again: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again["feeds"][0]["new"].as_u64(), Some(0), "{again:#}");
}
