//! OPML, the outline format feed readers exchange their lists of feeds in:
//! read for `feedimport opml import`, written for `feedimport opml export`.
//!
//! In: an OPML document's text, or the config's feeds. Out: the outlines
//! that name a feed (`xmlUrl`), each with the titles of the folders
//! (outlines without `xmlUrl`) it sits in, outer first, as its tags; or an
//! OPML 2.0 document, each feed in the folders of its tags, which reads
//! back to the same feeds. Read with quick-xml as a stream: a DOCTYPE is
//! ignored and no entity but XML's own is expanded (an entity bomb is an
//! error, not a bomb), nesting is bounded ([`MAX_DEPTH`]), and so is the
//! number of outlines ([`MAX_OUTLINES`]).
//!
//! Fails with [`OpmlError`] when the document is not well-formed OPML; the
//! message gives the line.

use std::collections::{HashMap, HashSet};

use quick_xml::events::{BytesStart, Event};
use url::Url;

use crate::config::edit::{NewFeed, clean_name, unique_name};
use crate::config::{Config, FeedConfig, FeedSource, is_plain_segment};

/// Outlines nested deeper than this are refused: no reader's folders go
/// near it, and each level is a tag.
pub(crate) const MAX_DEPTH: usize = 64;
/// More outlines than this in one file are refused.
pub(crate) const MAX_OUTLINES: usize = 100_000;

/// An outline that names a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outline {
    /// `xmlUrl`, as written (trimmed).
    pub(crate) xml_url: String,
    /// `title`, else `text`, as plain text; `None` when both are empty.
    pub(crate) title: Option<String>,
    /// The titles of the folders it is in, outer first.
    pub(crate) tags: Vec<String>,
    /// The `section` attribute (written by `opml export`).
    pub(crate) section: Option<String>,
    /// The line it starts on, for messages.
    pub(crate) line: usize,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum OpmlError {
    #[error("line {line}: not well-formed XML")]
    Xml {
        line: usize,
        #[source]
        source: quick_xml::Error,
    },
    #[error("line {line}: an attribute cannot be read")]
    Attribute {
        line: usize,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("not an OPML file: the document's root element is <{root}>, not <opml>")]
    NotOpml { root: String },
    #[error("not an OPML file: no <opml> element")]
    NoRoot,
    #[error("the document ends before its </opml>")]
    Unclosed,
    #[error("line {line}: outlines are nested more than {MAX_DEPTH} deep")]
    TooDeep { line: usize },
    #[error("more than {MAX_OUTLINES} outlines")]
    TooMany,
}

/// The outlines of `text` that name a feed, in document order.
pub(crate) fn read_outlines(text: &str) -> Result<Vec<Outline>, OpmlError> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    // Lines are counted as the reader goes (positions only grow), so that
    // the count costs one pass over the text, not one per outline.
    let mut counted = (0usize, 1usize);
    let mut line_at = |position: u64| {
        let end = usize::try_from(position)
            .unwrap_or(usize::MAX)
            .min(text.len())
            .max(counted.0);
        counted.1 += memchr::memchr_iter(b'\n', &text.as_bytes()[counted.0..end]).count();
        counted.0 = end;
        counted.1
    };
    let mut walk = OutlineWalk::default();
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event().map_err(|source| OpmlError::Xml {
            line: line_at(reader.error_position()),
            source,
        })?;
        let step = match &event {
            Event::Start(start) => walk.start(start, false, line_at(position))?,
            Event::Empty(start) => walk.start(start, true, line_at(position))?,
            Event::End(_) => walk.end(),
            Event::Eof => {
                return Err(if walk.seen_root {
                    OpmlError::Unclosed
                } else {
                    OpmlError::NoRoot
                });
            }
            // The prolog, comments, text, and a DOCTYPE, which is ignored:
            // its entities are never expanded.
            _ => Step::Go,
        };
        if step == Step::Done {
            return Ok(walk.outlines);
        }
    }
}

/// Whether the walk goes on after an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Go,
    /// The root ended: nothing after it matters.
    Done,
}

/// Where the reading of an OPML document is.
#[derive(Default)]
struct OutlineWalk {
    outlines: Vec<Outline>,
    /// Outlines met so far, feeds or folders.
    count: usize,
    /// The open elements below `<opml>`: for an `<outline>`, the tag it
    /// gives its children (a folder's title), if any.
    open: Vec<Option<String>>,
    seen_root: bool,
    /// The depth of `<body>` plus one, 0 outside it.
    in_body: usize,
}

impl OutlineWalk {
    /// An element's end.
    fn end(&mut self) -> Step {
        if self.open.pop().is_none() {
            return Step::Done;
        }
        if self.open.len() < self.in_body {
            self.in_body = 0;
        }
        Step::Go
    }

    /// An element's start (`is_empty` for `<x/>`) at `line`.
    fn start(
        &mut self,
        start: &BytesStart<'_>,
        is_empty: bool,
        line: usize,
    ) -> Result<Step, OpmlError> {
        let name = start.local_name();
        if !self.seen_root {
            if !name.as_ref().eq_ignore_ascii_case("opml") {
                return Err(OpmlError::NotOpml {
                    root: name.as_ref().to_string(),
                });
            }
            self.seen_root = true;
            return Ok(if is_empty { Step::Done } else { Step::Go });
        }
        let mut gives_tag = None;
        if name.as_ref() == "body" && self.in_body == 0 {
            self.in_body = self.open.len() + 1;
        } else if name.as_ref() == "outline" && self.in_body > 0 {
            gives_tag = self.outline(start, line)?;
        }
        if !is_empty {
            // The root and this element count too.
            if self.open.len() + 2 > MAX_DEPTH {
                return Err(OpmlError::TooDeep { line });
            }
            self.open.push(gives_tag);
        }
        Ok(Step::Go)
    }

    /// An `<outline>`: a feed (it has an `xmlUrl`), kept with the folders
    /// it sits in as its tags; else a folder, whose title tags the
    /// outlines inside it (returned).
    fn outline(
        &mut self,
        start: &BytesStart<'_>,
        line: usize,
    ) -> Result<Option<String>, OpmlError> {
        self.count += 1;
        if self.count > MAX_OUTLINES {
            return Err(OpmlError::TooMany);
        }
        let attributes = attributes(start, line)?;
        let title = ["title", "text"]
            .iter()
            .find_map(|key| attributes.get(*key).and_then(|v| clean_name(v)));
        let Some(xml_url) = attributes.get("xmlurl") else {
            return Ok(title);
        };
        let folders = self.open.iter().flatten().cloned();
        let categories = attributes
            .get("category")
            .map(|c| category_tags(c))
            .unwrap_or_default();
        self.outlines.push(Outline {
            xml_url: xml_url.trim().to_string(),
            title,
            tags: without_repeats(folders.chain(categories)),
            section: attributes.get("section").map(|s| s.trim().to_string()),
            line,
        });
        Ok(None)
    }
}

/// The tags an OPML 2.0 `category` attribute gives: its comma-separated
/// entries, each a tag (`tag one`), or a slash-delimited path
/// (`/Harvard/Berkman`) whose steps are tags, outer first, as folders are.
fn category_tags(category: &str) -> Vec<String> {
    category
        .split(',')
        .flat_map(|entry| entry.split('/'))
        .filter_map(clean_name)
        .collect()
}

/// `tags` in order, each once (compared without case).
fn without_repeats(tags: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    tags.filter(|t| seen.insert(t.to_lowercase())).collect()
}

/// An outline's attributes by lowercase name (exporters differ on
/// `xmlUrl`'s case), values unescaped.
fn attributes(start: &BytesStart<'_>, line: usize) -> Result<HashMap<String, String>, OpmlError> {
    let mut map = HashMap::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| OpmlError::Attribute {
            line,
            source: Box::new(e),
        })?;
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| OpmlError::Attribute {
                line,
                source: Box::new(e),
            })?;
        let key = attribute.key.local_name().as_ref().to_ascii_lowercase();
        map.entry(key).or_insert_with(|| value.into_owned());
    }
    Ok(map)
}

/// What an import does with each outline.
#[derive(Debug, Default)]
pub(crate) struct ImportPlan {
    pub(crate) added: Vec<NewFeed>,
    /// Already in the config (under that feed's name), or listed before
    /// in the same file: left out, as asked.
    pub(crate) skipped: Vec<Skipped>,
    /// Outlines that cannot become a feed, and why.
    pub(crate) refused: Vec<Refused>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Skipped {
    pub(crate) url: String,
    pub(crate) line: usize,
    pub(crate) reason: SkipReason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SkipReason {
    /// The config has it, under this name.
    InConfig(String),
    /// The file lists it before, at this line.
    ListedBefore(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    pub(crate) line: usize,
    pub(crate) title: String,
    pub(crate) reason: String,
}

/// Decides each outline's fate: its URL must be http(s) and not already
/// in `config` nor earlier in the file; its name is its title, made unique;
/// its section is `section` (the command's), else its own `section`
/// attribute, else `default_section`.
pub(crate) fn plan_import(
    outlines: Vec<Outline>,
    config: &Config,
    section: Option<&str>,
    default_section: Option<&str>,
) -> ImportPlan {
    let mut plan = ImportPlan::default();
    let existing: HashMap<String, &str> = config
        .feeds
        .iter()
        .map(|f| (f.source.identity(), f.name.as_str()))
        .collect();
    let mut names: HashSet<String> = config.feeds.iter().map(|f| f.name.clone()).collect();
    let mut listed: HashMap<String, usize> = HashMap::new();
    for outline in outlines {
        let title = outline
            .title
            .clone()
            .unwrap_or_else(|| outline.xml_url.clone());
        let refuse = |reason: String| Refused {
            line: outline.line,
            title: title.clone(),
            reason,
        };
        let url = match http_url(&outline.xml_url) {
            Ok(url) => url,
            Err(reason) => {
                plan.refused.push(refuse(reason));
                continue;
            }
        };
        let identity = url.to_string();
        let skip = match (existing.get(&identity), listed.get(&identity)) {
            (Some(name), _) => Some(SkipReason::InConfig(name.to_string())),
            (None, Some(first)) => Some(SkipReason::ListedBefore(*first)),
            (None, None) => None,
        };
        if let Some(reason) = skip {
            plan.skipped.push(Skipped {
                url: identity,
                line: outline.line,
                reason,
            });
            continue;
        }
        let chosen = match chosen_section(section, outline.section.as_deref(), default_section) {
            Ok(chosen) => chosen,
            Err(reason) => {
                plan.refused.push(refuse(reason));
                continue;
            }
        };
        listed.insert(identity, outline.line);
        let wanted = outline
            .title
            .clone()
            .unwrap_or_else(|| url.host_str().unwrap_or("feed").to_string());
        plan.added.push(NewFeed {
            name: unique_name(&wanted, &mut names),
            url,
            section: chosen.to_string(),
            tags: outline.tags,
        });
    }
    plan
}

/// An outline's `xmlUrl`, if it is an http(s) URL.
fn http_url(xml_url: &str) -> Result<Url, String> {
    super::source::web_url(xml_url)
        .ok_or_else(|| format!("xmlUrl `{xml_url}` is not an http(s) URL"))
}

/// The section of an outline's feed: `--section`, else the outline's own
/// `section` attribute, else the config's first feed's; a plain segment.
fn chosen_section<'a>(
    given: Option<&'a str>,
    outline: Option<&'a str>,
    default: Option<&'a str>,
) -> Result<&'a str, String> {
    let chosen = given
        .or(outline.filter(|s| !s.is_empty()))
        .or(default)
        .ok_or_else(|| {
            "no section: give --section (the config has no feed to take one from)".to_string()
        })?;
    if is_plain_segment(chosen) {
        Ok(chosen)
    } else {
        Err(format!(
            "section `{chosen}` must be a plain lowercase path segment (a-z, 0-9, '-' and '_'): give --section"
        ))
    }
}

/// The config's feeds as an OPML 2.0 document: each feed an outline
/// (`text` and `title` its name, `xmlUrl` its URL, `section` its section)
/// inside the folders of its tags, outer first. Feeds read from a file are
/// left out (an OPML outline names a URL), and returned.
pub(crate) fn export(feeds: &[FeedConfig]) -> (String, Vec<&FeedConfig>) {
    let mut root = Folder::default();
    let mut left_out = Vec::new();
    for feed in feeds {
        let FeedSource::Http(url) = &feed.source else {
            left_out.push(feed);
            continue;
        };
        let mut folder = &mut root;
        for tag in &feed.tags {
            let index = match folder.folders.iter().position(|(t, _)| t == tag) {
                Some(index) => index,
                None => {
                    folder.folders.push((tag.clone(), Folder::default()));
                    folder.order.push(Entry::Folder(folder.folders.len() - 1));
                    folder.folders.len() - 1
                }
            };
            folder = &mut folder.folders[index].1;
        }
        folder.order.push(Entry::Feed(folder.feeds.len()));
        folder
            .feeds
            .push((feed.name.as_str(), url, feed.section.as_str()));
    }
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    <title>feedimport feeds</title>\n  </head>\n  <body>\n",
    );
    write_folder(&root, 2, &mut out);
    out.push_str("  </body>\n</opml>\n");
    (out, left_out)
}

#[derive(Default)]
struct Folder<'a> {
    folders: Vec<(String, Folder<'a>)>,
    feeds: Vec<(&'a str, &'a Url, &'a str)>,
    /// Folders and feeds in the order the config first names them.
    order: Vec<Entry>,
}

enum Entry {
    Folder(usize),
    Feed(usize),
}

fn write_folder(folder: &Folder<'_>, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    for entry in &folder.order {
        match *entry {
            Entry::Feed(i) => {
                let (name, url, section) = folder.feeds[i];
                let name = attribute_value(name);
                out.push_str(&format!(
                    "{indent}<outline type=\"rss\" text=\"{name}\" title=\"{name}\" xmlUrl=\"{}\" section=\"{}\"/>\n",
                    attribute_value(url.as_str()),
                    attribute_value(section)
                ));
            }
            Entry::Folder(i) => {
                let (title, inner) = &folder.folders[i];
                let title = attribute_value(title);
                out.push_str(&format!(
                    "{indent}<outline text=\"{title}\" title=\"{title}\">\n"
                ));
                write_folder(inner, depth + 1, out);
                out.push_str(&format!("{indent}</outline>\n"));
            }
        }
    }
}

/// `text` as an XML attribute value: markup characters escaped, line
/// breaks and tabs as character references (a reader would fold them into
/// spaces), characters XML 1.0 cannot hold left out.
fn attribute_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Feeds, LoadOptions};
    use std::path::Path;

    fn config(text: &str) -> Config {
        Config::from_text(
            text,
            Path::new("/site/feeds.toml"),
            LoadOptions::default(),
            Feeds::MayBeNone,
        )
        .unwrap()
    }

    const READER_EXPORT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- exported by a reader -->
<opml version="1.0">
  <head><title>Subscriptions</title></head>
  <body>
    <outline text="Medicine" title="Medicine">
      <outline text="Radiology">
        <outline type="rss" text="Interventional News" title="Interventional News" xmlUrl="https://interventionalnews.com/feed/" htmlUrl="https://interventionalnews.com/"/>
        <outline type="rss" text="Second &amp; &quot;Co&quot;" xmlurl=" http://second.example/rss.xml "/>
      </outline>
    </outline>
    <outline type="rss" title="" text="" xmlUrl="https://top.example/atom.xml"/>
    <outline text="Empty folder"/>
  </body>
</opml>
"#;

    /// OPML 2.0's `category` (tags and slash paths, comma-separated) adds
    /// tags after the folders', each once; the exports of the readers
    /// people move from put feeds in folders (Feedly, Inoreader,
    /// NetNewsWire, Miniflux, FreshRSS: `text` and `title` on the folder)
    /// or flat with categories (newsboat's tags).
    #[test]
    fn categories_are_tags_too() {
        let feedly = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>Feedly</title></head><body>
<outline text="Santé" title="Santé">
<outline type="rss" text="Le blog" title="Le blog" xmlUrl="https://blog.example.fr/feed" htmlUrl="https://blog.example.fr/" category="tag one,tag_two,tag/three, santé ,/Oncologie/Foie"/>
</outline></body></opml>"#;
        let newsboat = r#"<opml version="2.0"><body>
<outline type="rss" xmlUrl="https://news.example.org/rss" htmlUrl="https://news.example.org/" title="News" category="Radiologie,,/"/>
<outline type="rss" xmlUrl="https://plain.example.org/rss" title="Plain"/>
</body></opml>"#;
        let tags = |text| -> Vec<Vec<String>> {
            read_outlines(text)
                .unwrap()
                .into_iter()
                .map(|o| o.tags)
                .collect()
        };
        assert_eq!(
            tags(feedly),
            [vec![
                "Santé",
                "tag one",
                "tag_two",
                "tag",
                "three",
                "Oncologie",
                "Foie"
            ]]
        );
        assert_eq!(tags(newsboat), [vec!["Radiologie"], vec![]]);
    }

    /// The exports of the readers people move from, written after each
    /// one's documented shape: folders as outlines with `text` (and
    /// `title`), feeds at the top level without one, a title only in
    /// `text`, namespaced extras (FreshRSS's `frss:`), `version` and
    /// `description` attributes, OPML 1.0, 1.1 and 2.0.
    #[test]
    fn the_exports_of_common_readers_are_read() {
        let exports = [
            (
                "Feedly",
                r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>Alice subscriptions in feedly Cloud</title></head><body>
<outline text="Radiologie" title="Radiologie">
<outline type="rss" text="Interventional News" title="Interventional News" xmlUrl="https://interventionalnews.com/feed/" htmlUrl="https://interventionalnews.com"/>
</outline></body></opml>"#,
                vec![(
                    "https://interventionalnews.com/feed/",
                    "Interventional News",
                    vec!["Radiologie"],
                )],
            ),
            (
                "Inoreader",
                r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>Subscriptions from Inoreader [https://www.inoreader.com]</title></head><body>
<outline text="Santé" title="Santé"><outline text="Le blog" title="Le blog" type="rss" xmlUrl="https://blog.example.fr/feed" htmlUrl="https://blog.example.fr/"/></outline>
<outline text="Sans dossier" title="Sans dossier" type="rss" xmlUrl="https://top.example.fr/rss" htmlUrl="https://top.example.fr/"/>
</body></opml>"#,
                vec![
                    ("https://blog.example.fr/feed", "Le blog", vec!["Santé"]),
                    ("https://top.example.fr/rss", "Sans dossier", vec![]),
                ],
            ),
            (
                "NetNewsWire",
                r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.1"><head><title>Subscriptions-OnMyMac.opml</title></head><body>
<outline text="News" title="News"><outline text="Daily" title="Daily" description="" type="rss" version="RSS" htmlUrl="https://daily.example.com/" xmlUrl="https://daily.example.com/feed.xml"/></outline>
</body></opml>"#,
                vec![("https://daily.example.com/feed.xml", "Daily", vec!["News"])],
            ),
            (
                "Miniflux",
                r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Miniflux</title><dateCreated>Mon, 07 Dec 2026 10:00:00 UTC</dateCreated></head><body>
<outline text="Médecine"><outline title="Revue" text="Revue" xmlUrl="https://revue.example.org/atom" htmlUrl="https://revue.example.org/" description="Revue médicale"></outline></outline>
</body></opml>"#,
                vec![("https://revue.example.org/atom", "Revue", vec!["Médecine"])],
            ),
            (
                "newsboat",
                r#"<?xml version="1.0"?>
<opml version="1.0"><head><title>newsboat - Exported Feeds</title></head><body>
<outline type="rss" xmlUrl="https://flat.example.net/rss" htmlUrl="https://flat.example.net/" title="Flat" category="podcast,science"/>
</body></opml>"#,
                vec![(
                    "https://flat.example.net/rss",
                    "Flat",
                    vec!["podcast", "science"],
                )],
            ),
            (
                "FreshRSS",
                r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0" xmlns:frss="https://freshrss.org/opml"><head><title>FreshRSS</title></head><body>
<outline text="Veille">
<outline text="Agence" type="rss" xmlUrl="https://agence.example.fr/flux" htmlUrl="https://agence.example.fr/" description="" frss:cssFullContent="article" frss:priority="important"/>
</outline></body></opml>"#,
                vec![("https://agence.example.fr/flux", "Agence", vec!["Veille"])],
            ),
        ];
        for (reader, text, expected) in exports {
            let read: Vec<(String, String, Vec<String>)> = read_outlines(text)
                .unwrap_or_else(|e| panic!("{reader}: {e}"))
                .into_iter()
                .map(|o| (o.xml_url, o.title.unwrap_or_default(), o.tags))
                .collect();
            let expected: Vec<(String, String, Vec<String>)> = expected
                .into_iter()
                .map(|(url, title, tags)| {
                    (
                        url.to_string(),
                        title.to_string(),
                        tags.into_iter().map(str::to_string).collect(),
                    )
                })
                .collect();
            assert_eq!(read, expected, "{reader}");
        }
    }

    #[test]
    fn feeds_are_read_with_their_folders_as_tags() {
        let outlines = read_outlines(READER_EXPORT).unwrap();
        let read: Vec<(&str, Option<&str>, Vec<&str>, usize)> = outlines
            .iter()
            .map(|o| {
                (
                    o.xml_url.as_str(),
                    o.title.as_deref(),
                    o.tags.iter().map(String::as_str).collect(),
                    o.line,
                )
            })
            .collect();
        assert_eq!(
            read,
            [
                (
                    "https://interventionalnews.com/feed/",
                    Some("Interventional News"),
                    vec!["Medicine", "Radiology"],
                    8
                ),
                (
                    "http://second.example/rss.xml",
                    Some("Second & \"Co\""),
                    vec!["Medicine", "Radiology"],
                    9
                ),
                ("https://top.example/atom.xml", None, vec![], 12),
            ]
        );
    }

    #[test]
    fn malformed_documents_are_errors_with_a_line() {
        let cases: &[(&str, &str)] = &[
            ("<opml><body><outline xmlUrl=\"x\"></body></opml>", "line 1"),
            (
                "<opml>\n<body>\n<outline xmlUrl=\"a\" xmlUrl=\"b\"/>",
                "line 3",
            ),
            ("<opml><body>", "ends before"),
            ("", "no <opml>"),
            ("just text", "no <opml>"),
            (
                "<rss version=\"2.0\"><channel/></rss>",
                "root element is <rss>",
            ),
            (
                "<opml><body>\n<outline text=\"&unknown;\" xmlUrl=\"https://a.example/\"/></body></opml>",
                "line 2",
            ),
        ];
        for (text, expected) in cases {
            let err = read_outlines(text).unwrap_err();
            let message = crate::util::error_chain(&err);
            assert!(message.contains(expected), "{text}: {message}");
        }
    }

    #[test]
    fn an_entity_bomb_is_refused_not_expanded() {
        let mut doc =
            String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE opml [\n<!ENTITY a \"aaaaaaaaaa\">\n");
        for i in 1..10 {
            let prev = (b'a' + i - 1) as char;
            let name = (b'a' + i) as char;
            doc.push_str(&format!(
                "<!ENTITY {name} \"&{prev};&{prev};&{prev};&{prev};&{prev};&{prev};&{prev};&{prev};&{prev};&{prev};\">\n"
            ));
        }
        doc.push_str("]>\n<opml version=\"2.0\"><body><outline text=\"&j;\" xmlUrl=\"https://a.example/\"/></body></opml>");
        let err = read_outlines(&doc).unwrap_err();
        assert!(
            matches!(err, OpmlError::Attribute { line: 14, .. }),
            "{err:?}"
        );
        // A DOCTYPE without entities in use is harmless.
        let doc =
            "<!DOCTYPE opml><opml><body><outline xmlUrl=\"https://a.example/\"/></body></opml>";
        assert_eq!(read_outlines(doc).unwrap().len(), 1);
    }

    #[test]
    fn nesting_and_size_are_bounded() {
        let deep = |levels: usize| {
            format!(
                "<opml><body>{}<outline xmlUrl=\"https://a.example/\"/>{}</body></opml>",
                (0..levels)
                    .map(|i| format!("<outline text=\"f{i}\">"))
                    .collect::<String>(),
                "</outline>".repeat(levels)
            )
        };
        // <opml> and <body> are two levels of the bound.
        assert_eq!(
            read_outlines(&deep(MAX_DEPTH - 2)).unwrap()[0].tags.len(),
            MAX_DEPTH - 2
        );
        assert!(matches!(
            read_outlines(&deep(MAX_DEPTH - 1)),
            Err(OpmlError::TooDeep { .. })
        ));
        assert!(matches!(
            read_outlines(&deep(200_000)),
            Err(OpmlError::TooDeep { .. })
        ));
        let many = format!(
            "<opml><body>{}</body></opml>",
            "<outline text=\"x\"/>".repeat(MAX_OUTLINES + 1)
        );
        assert!(matches!(read_outlines(&many), Err(OpmlError::TooMany)));
    }

    #[test]
    fn the_plan_skips_what_is_there_and_refuses_what_cannot_be_a_feed() {
        let config = config(
            "[[feeds]]\nname = \"Top\"\nurl = \"https://top.example/atom.xml\"\nsection = \"news\"\n",
        );
        let text = r#"<opml><body>
<outline text="Top again" xmlUrl="https://top.example/atom.xml"/>
<outline text="Top" xmlUrl="https://new.example/feed"/>
<outline text="Same" xmlUrl="https://new.example/feed"/>
<outline text="Script" xmlUrl="javascript:alert(1)"/>
<outline text="Local" xmlUrl="file:///etc/passwd"/>
<outline text="Relative" xmlUrl="/feed.xml"/>
<outline xmlUrl="https://third.example/rss" section="Bad/Section"/>
<outline xmlUrl="https://fourth.example/rss" section="blog"/>
</body></opml>"#;
        let plan = plan_import(read_outlines(text).unwrap(), &config, None, Some("news"));
        let added: Vec<(&str, &str, &str)> = plan
            .added
            .iter()
            .map(|f| (f.name.as_str(), f.url.as_str(), f.section.as_str()))
            .collect();
        assert_eq!(
            added,
            [
                ("Top (2)", "https://new.example/feed", "news"),
                ("fourth.example", "https://fourth.example/rss", "blog"),
            ]
        );
        assert_eq!(
            plan.skipped,
            [
                Skipped {
                    url: "https://top.example/atom.xml".into(),
                    line: 2,
                    reason: SkipReason::InConfig("Top".into())
                },
                Skipped {
                    url: "https://new.example/feed".into(),
                    line: 4,
                    reason: SkipReason::ListedBefore(3)
                },
            ]
        );
        let refused: Vec<usize> = plan.refused.iter().map(|r| r.line).collect();
        assert_eq!(refused, [5, 6, 7, 8]);
        assert!(plan.refused[0].reason.contains("javascript:alert(1)"));
        // --section overrides the outline's own.
        let plan = plan_import(read_outlines(text).unwrap(), &config, Some("misc"), None);
        assert!(plan.added.iter().all(|f| f.section == "misc"));
        assert_eq!(plan.added.len(), 3);
        // Without a section anywhere, the outline is refused and says why.
        let plan = plan_import(read_outlines(text).unwrap(), &config, None, None);
        assert!(plan.refused.iter().any(|r| r.reason.contains("--section")));
    }

    #[test]
    fn export_reads_back_to_the_same_feeds() {
        let config = config(concat!(
            "[[feeds]]\nname = \"A <b> & \\\"quotes\\\" 'x'\"\nurl = \"https://a.example/feed?x=1&y=<2>\"\nsection = \"papers\"\ntags = [\"Radiologie\", \"Sub & <tag>\"]\n",
            "[[feeds]]\nname = \"B\"\nurl = \"https://b.example/\"\nsection = \"news\"\n",
            "[[feeds]]\nname = \"C\tline\"\nurl = \"https://c.example/\"\nsection = \"papers\"\ntags = [\"Radiologie\"]\n",
            "[[feeds]]\nname = \"Saved\"\nurl = \"saved/feed.xml\"\nsection = \"papers\"\n",
        ));
        let (text, left_out) = export(&config.feeds);
        assert_eq!(left_out.len(), 1);
        let outlines = read_outlines(&text).unwrap();
        let empty = super::tests::config("");
        let plan = plan_import(outlines, &empty, None, None);
        assert!(
            plan.refused.is_empty() && plan.skipped.is_empty(),
            "{plan:?}"
        );
        let mut back: Vec<(String, String, String, Vec<String>)> = plan
            .added
            .into_iter()
            .map(|f| (f.name, f.url.to_string(), f.section, f.tags))
            .collect();
        let mut want: Vec<(String, String, String, Vec<String>)> = config.feeds[..3]
            .iter()
            .map(|f| {
                (
                    f.name.clone(),
                    f.source.to_string(),
                    f.section.clone(),
                    f.tags.clone(),
                )
            })
            .collect();
        // A tab in a name reads back as a space: a name is one line of
        // plain text, as `clean_name` makes it.
        want[2].0 = "C line".to_string();
        back.sort();
        want.sort();
        assert_eq!(back, want);
    }
}
