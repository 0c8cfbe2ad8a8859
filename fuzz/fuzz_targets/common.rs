//! The promises every rendered article keeps, whatever the feed said.

use feedimport::Article;
use feedimport::render;

/// Renders `article` and checks the file: the front matter parses back to
/// the same values, and the body holds no raw `<` (no HTML can start there).
pub fn check_article(article: &Article) {
    let text = render(article);
    let rest = text.strip_prefix("---\n").expect("front matter first");
    let end = rest.find("\n---\n").expect("front matter closed");
    let front: std::collections::BTreeMap<String, serde_yaml::Value> =
        serde_yaml::from_str(&rest[..=end]).expect("front matter parses");
    let text_of = |key: &str| front[key].as_str().map(str::to_string);
    assert_eq!(text_of("title").as_deref(), Some(article.title.as_str()));
    assert_eq!(text_of("summary").as_deref(), Some(article.summary.as_str()));
    assert_eq!(text_of("sourceUrl").as_deref(), Some(article.source_url.as_str()));
    assert_eq!(text_of("imageUrl").as_deref(), Some(article.image_url.as_str()));
    let tags: Vec<String> = front["tags"]
        .as_sequence()
        .expect("tags is a list")
        .iter()
        .map(|t| t.as_str().expect("a tag is text").to_string())
        .collect();
    assert_eq!(tags, article.tags);
    let body = &rest[end + 5..];
    for (i, _) in body.match_indices('<') {
        let backslashes = body[..i].chars().rev().take_while(|&c| c == '\\').count();
        assert!(backslashes % 2 == 1, "raw < in the body: {body:?}");
    }
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
