//! Helpers for end-to-end tests: a site folder in a temp dir, the real
//! binary run in it, and RSS documents built from items.

#![allow(dead_code)] // each test file uses its own part of these helpers

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_feedimport");

/// A site folder with a `feeds.toml`.
pub(crate) struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    pub(crate) fn new(config: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("feeds.toml"), config).unwrap();
        Site { dir }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `feedimport ARGS` in the site folder.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .current_dir(self.path())
            .env_remove("FEEDIMPORT_CONFIG")
            .env_remove("RUST_LOG")
            .output()
            .unwrap()
    }

    /// Runs `feedimport run ARGS` and checks it exits with `code`.
    pub(crate) fn import(&self, args: &[&str], code: i32) -> Output {
        let mut all = vec!["run"];
        all.extend_from_slice(args);
        let output = self.run(&all);
        assert_eq!(
            output.status.code(),
            Some(code),
            "exit code of feedimport {all:?}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// Every file below `content/`, by path relative to it, with its text.
    pub(crate) fn content(&self) -> BTreeMap<String, String> {
        let mut files = BTreeMap::new();
        collect(
            &self.path().join("content"),
            &self.path().join("content"),
            &mut files,
        );
        files
    }

    pub(crate) fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
}

fn collect(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|_| "<binary>".into());
            out.insert(
                path.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                text,
            );
        }
    }
}

/// A `feeds.toml` with the global settings of the real one and these feeds
/// (name, url, section).
pub(crate) fn config(feeds: &[(&str, &str, &str)]) -> String {
    let mut text = String::from(
        "content_dir = \"content\"\nstate_dir = \".feedimport\"\ntimezone = \"Europe/Paris\"\ntags = [\"France\", \"Actualité\"]\n",
    );
    for (name, url, section) in feeds {
        text.push_str(&format!(
            "\n[[feeds]]\nname = {name:?}\nurl = {url:?}\nsection = {section:?}\n"
        ));
    }
    text
}

/// One RSS item for [`rss`].
#[derive(Clone, Default)]
pub(crate) struct Item {
    /// Raw XML text of <title> (escape it yourself, or use CDATA).
    pub title: String,
    pub link: String,
    pub guid: Option<String>,
    pub pub_date: Option<String>,
    /// Raw XML text of <description>.
    pub description: Option<String>,
    pub image: Option<String>,
}

impl Item {
    pub(crate) fn new(title: &str, link: &str, pub_date: &str) -> Item {
        Item {
            title: title.to_string(),
            link: link.to_string(),
            pub_date: Some(pub_date.to_string()),
            description: Some(format!("Summary of {title}.")),
            ..Item::default()
        }
    }
}

/// `count` items, "Article number N" at `https://news.example.org/a/N`,
/// one minute apart on 2 September 2024.
pub(crate) fn numbered_items(count: usize) -> Vec<Item> {
    (0..count)
        .map(|i| {
            Item::new(
                &format!("Article number {i}"),
                &format!("https://news.example.org/a/{i}"),
                &format!(
                    "Mon, 02 Sep 2024 {:02}:{:02}:00 +0000",
                    (i / 60) % 24,
                    i % 60
                ),
            )
        })
        .collect()
}

/// An RSS 2.0 document with `items`.
pub(crate) fn rss(items: &[Item]) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
<title>Test feed</title><link>https://news.example.org/</link><description>d</description>
"#,
    );
    for item in items {
        xml.push_str("<item>");
        xml.push_str(&format!("<title>{}</title>", item.title));
        xml.push_str(&format!("<link>{}</link>", item.link));
        if let Some(guid) = &item.guid {
            xml.push_str(&format!("<guid isPermaLink=\"false\">{guid}</guid>"));
        }
        if let Some(date) = &item.pub_date {
            xml.push_str(&format!("<pubDate>{date}</pubDate>"));
        }
        if let Some(description) = &item.description {
            xml.push_str(&format!("<description>{description}</description>"));
        }
        if let Some(image) = &item.image {
            xml.push_str(&format!(
                "<media:content url=\"{image}\" medium=\"image\"/>"
            ));
        }
        xml.push_str("</item>\n");
    }
    xml.push_str("</channel></rss>\n");
    xml
}

/// Parses an article file's front matter with the YAML crate.
pub(crate) fn front_matter(text: &str) -> BTreeMap<String, serde_yaml::Value> {
    let rest = text
        .strip_prefix("---\n")
        .expect("front matter starts the file");
    let end = rest.find("\n---\n").expect("front matter ends");
    serde_yaml::from_str(&rest[..=end]).expect("front matter is valid YAML")
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The Markdown body of an article file (after the front matter).
pub(crate) fn body(text: &str) -> &str {
    text.splitn(3, "---\n")
        .nth(2)
        .expect("a body after the front matter")
}

/// True when every `<` in `markdown` is escaped (`\<`), so none can open
/// an HTML tag.
pub(crate) fn no_raw_angle_bracket(markdown: &str) -> bool {
    markdown.match_indices('<').all(|(i, _)| {
        let backslashes = markdown[..i]
            .chars()
            .rev()
            .take_while(|&c| c == '\\')
            .count();
        backslashes % 2 == 1
    })
}
