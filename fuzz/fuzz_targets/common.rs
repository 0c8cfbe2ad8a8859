//! The promises every rendered article keeps, whatever the feed said.

use std::sync::OnceLock;

use feedimport::{Article, OutputFormat, Preset};

/// The default preset and Hugo's (TOML), compiled once.
fn formats() -> &'static [OutputFormat; 2] {
    static FORMATS: OnceLock<[OutputFormat; 2]> = OnceLock::new();
    FORMATS.get_or_init(|| {
        [Preset::Default, Preset::Hugo]
            .map(|p| OutputFormat::preset(p, chrono_tz::Europe::Paris).expect("presets compile"))
    })
}

/// Renders `article` with the default preset and checks the file: the
/// front matter parses back to the same values (with every `<` that could
/// open a tag made inert), and the body holds no raw `<` (no HTML can start
/// there). Hugo's TOML front matter reads back the same values too.
pub fn check_article(article: &Article) {
    let [default, hugo] = formats();
    let shared = std::sync::Arc::new(article.clone());
    let placed = |format: &OutputFormat| format.place(&shared, 1).expect("the article is placed");
    let hugo_text = hugo
        .file_text(article, &placed(hugo))
        .expect("the hugo preset renders");
    let hugo_rest = hugo_text.strip_prefix("+++\n").expect("front matter first");
    let hugo_end = hugo_rest.find("\n+++\n").expect("front matter closed");
    let hugo_front: toml::Table = toml::from_str(&hugo_rest[..=hugo_end]).expect("toml parses");
    assert_eq!(hugo_front["title"].as_str(), Some(inert(&article.title).as_str()));
    assert_eq!(hugo_front["summary"].as_str(), Some(inert(&article.summary).as_str()));
    let text = default
        .file_text(article, &placed(default))
        .expect("the default preset renders");
    let rest = text.strip_prefix("---\n").expect("front matter first");
    let end = rest.find("\n---\n").expect("front matter closed");
    let front: std::collections::BTreeMap<String, serde_yaml::Value> =
        serde_yaml::from_str(&rest[..=end]).expect("front matter parses");
    let text_of = |key: &str| front[key].as_str().map(str::to_string);
    assert_eq!(text_of("title"), Some(inert(&article.title)));
    assert_eq!(text_of("summary"), Some(inert(&article.summary)));
    assert_eq!(text_of("sourceUrl").as_deref(), Some(article.source_url.as_str()));
    let image_url = article.image.as_ref().map_or("", |i| i.url.as_str());
    assert_eq!(text_of("imageUrl").as_deref(), Some(image_url));
    let tags: Vec<String> = front["tags"]
        .as_sequence()
        .expect("tags is a list")
        .iter()
        .map(|t| t.as_str().expect("a tag is text").to_string())
        .collect();
    let expected: Vec<String> = article.tags.iter().map(|t| inert(t)).collect();
    assert_eq!(tags, expected);
    let body = &rest[end + 5..];
    // A `<` that could open a tag is escaped; `p<0.001` stays as written.
    for (i, _) in body.match_indices('<') {
        let opens = body[i + 1..]
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'));
        let backslashes = body[..i].chars().rev().take_while(|&c| c == '\\').count();
        assert!(!opens || backslashes % 2 == 1, "raw < in the body: {body:?}");
    }
}

/// `value` as the front matter writes it: a `<` that could open a tag
/// (before an ASCII letter, `/`, `!` or `?`) becomes `＜`; nothing else
/// changes.
fn inert(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        let opens = c == '<'
            && chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?'));
        out.push(if opens { '＜' } else { c });
    }
    out
}

/// The file name of a slug stays a plain name inside its section folder.
#[allow(dead_code)] // shared with targets that render no file name
pub fn check_stem(stem: &str) {
    assert!(!stem.is_empty() && stem.len() <= 11 + 200 + 5, "{stem:?}");
    assert!(
        stem.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
        "{stem:?}"
    );
}
