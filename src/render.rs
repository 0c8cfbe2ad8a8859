//! An [`Article`] to the exact Markdown file the site expects.
//!
//! In: an article whose every field is final. Out: the file's text: YAML front
//! matter with every value double-quoted (JSON-style escapes, which YAML reads
//! back unchanged), then the body. Pure; nothing fails.

use crate::article::Article;

/// The whole file.
pub fn render(article: &Article) -> String {
    let mut out = String::with_capacity(1024 + article.summary.len() * 2);
    out.push_str("---\n");
    field(&mut out, "title", &article.title);
    field(&mut out, "date", &article.date);
    field(&mut out, "publishedDate", &article.published_date);
    field(&mut out, "summary", &article.summary);
    field(&mut out, "importance", &article.importance);
    field(&mut out, "sourceUrl", &article.source_url);
    out.push_str("tags: [");
    for (i, tag) in article.tags.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        quote_into(&mut out, tag);
    }
    out.push_str("]\n");
    field(&mut out, "permalink", &article.permalink);
    field(&mut out, "imageUrl", &article.image_url);
    field(&mut out, "imageCredit", &article.image_credit);
    out.push_str("---\n\n");

    if !article.image_url.is_empty() {
        out.push_str("![");
        out.push_str(&markdown_text(&article.title));
        out.push_str("](");
        out.push_str(&link_destination(&article.image_url));
        out.push_str(")\n\n");
        if !article.image_credit.is_empty() {
            // The credit is our fixed text and a URL normalised by the url
            // crate (no spaces, quotes or angle brackets): written as is, so
            // that the URL stays the same bytes.
            out.push_str("*Crédit image : ");
            out.push_str(&article.image_credit);
            out.push_str("*\n\n");
        }
    }
    if !article.summary.is_empty() {
        out.push_str("## L’essentiel\n\n");
        out.push_str(&markdown_text(&article.summary));
        out.push_str("\n\n");
    }
    out.push_str("## Lien source\n\n");
    out.push_str(&article.source_url);
    out.push('\n');
    out
}

fn field(out: &mut String, key: &str, value: &str) {
    out.push_str(key);
    out.push_str(": ");
    quote_into(out, value);
    out.push('\n');
}

/// A YAML double-quoted scalar that reads back as `value`. Escapes are the
/// JSON ones, which YAML shares; on top of JSON, every character YAML would
/// fold or refuse (C1 controls, NEL, line and paragraph separators, BOM) is
/// written as `\uXXXX`.
///
/// Many site templates print front matter without escaping it (Liquid in
/// Jekyll and Eleventy does), so a value never holds what a browser reads
/// as the start of a tag: a `<` followed by an ASCII letter, `/`, `!` or `?`
/// is written as the fullwidth less-than sign U+FF1C (`＜script>`), which
/// reads the same and opens nothing. Any other `<` (`p<0.001`, `a < b`)
/// stays.
pub(crate) fn quote_into(out: &mut String, value: &str) {
    out.push('"');
    // Runs of ordinary characters are copied whole; only the few that need
    // an escape are looked at one by one.
    let mut copied = 0;
    for (at, c) in value.char_indices() {
        let escape = match c {
            '<' if opens_a_tag(&value[at + 1..]) => "\u{FF1C}",
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            c if c.is_control()
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}'
                ) =>
            {
                ""
            }
            _ => continue,
        };
        out.push_str(&value[copied..at]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{:04X}", c as u32));
        } else {
            out.push_str(escape);
        }
        copied = at + c.len_utf8();
    }
    out.push_str(&value[copied..]);
    out.push('"');
}

/// Would `<` followed by `rest` open a tag, an end tag, a comment or a
/// processing instruction in HTML?
fn opens_a_tag(rest: &str) -> bool {
    rest.bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'))
}

/// Text for the Markdown body: only what could start HTML, a link or an
/// image, or make a heading, list or quote of the line is escaped with a
/// backslash, so no HTML (`<script>`, `<img onerror>`) and no link
/// (`[x](javascript:…)`) reaches the page, and ordinary text (`&`, `*`,
/// quotes) stays byte for byte as the feed wrote it.
pub fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut copied = 0;
    for (i, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'\\' | b'<' | b'[' | b']' => true,
            // At the start, these would make a heading, a list, a quote or a
            // table row of the line.
            b'#' | b'-' | b'+' | b'*' | b'=' | b'|' | b'~' | b'>' if i == 0 => true,
            _ => false,
        };
        if escape {
            // ASCII bytes are whole characters: `i` is a char boundary.
            out.push_str(&text[copied..i]);
            out.push('\\');
            copied = i;
        }
    }
    out.push_str(&text[copied..]);
    // `1. text` would be an ordered list (`3.5%` would not).
    if let Some(end) = out.find(['.', ')'])
        && (1..=9).contains(&end)
        && out[..end].chars().all(|c| c.is_ascii_digit())
        && out[end + 1..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace)
    {
        out.insert(end, '\\');
    }
    out
}

/// A link destination that Markdown reads whole: wrapped in `<…>` when it
/// holds characters that would end a bare destination.
fn link_destination(url: &str) -> String {
    if url.contains(|c: char| c.is_whitespace() || c == '(' || c == ')') {
        format!("<{}>", url.replace('<', "%3C").replace('>', "%3E"))
    } else {
        url.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_round_trips_through_yaml() {
        let nasty = [
            "plain",
            "quote \" and backslash \\ and ]",
            "line\nbreak\r\ttab",
            "---",
            "key: value",
            "- item",
            "# comment",
            "\u{2028}sep\u{2029}\u{85}nel\u{feff}\u{1}\u{7f}\u{9f}",
            "'single'",
            "@at `tick` | pipe > gt % pct & amp * star ! bang",
            "",
        ];
        for value in nasty {
            let mut doc = String::from("v: ");
            quote_into(&mut doc, value);
            let parsed: std::collections::BTreeMap<String, String> =
                serde_yaml::from_str(&doc).unwrap_or_else(|e| panic!("{doc:?}: {e}"));
            assert_eq!(parsed["v"], value, "{doc}");
        }
    }

    #[test]
    fn front_matter_values_cannot_open_a_tag() {
        for (value, written) in [
            ("<script>alert(2)</script>", "＜script>alert(2)＜/script>"),
            (
                "<b onmouseover=alert(1)>hi</b>",
                "＜b onmouseover=alert(1)>hi＜/b>",
            ),
            ("<!-- x --><?php", "＜!-- x -->＜?php"),
            ("<IMG SRC=x>", "＜IMG SRC=x>"),
            ("p<0.001, a < b, x<=y, <3, <", "p<0.001, a < b, x<=y, <3, <"),
            ("<é", "<é"),
        ] {
            let mut doc = String::from("v: ");
            quote_into(&mut doc, value);
            let parsed: std::collections::BTreeMap<String, String> =
                serde_yaml::from_str(&doc).unwrap_or_else(|e| panic!("{doc:?}: {e}"));
            assert_eq!(parsed["v"], written, "{doc}");
        }
    }

    #[test]
    fn markdown_text_escapes_markup() {
        assert_eq!(markdown_text("p<0.001"), "p\\<0.001");
        assert_eq!(markdown_text("<script>"), "\\<script>");
        assert_eq!(markdown_text("> quote"), "\\> quote");
        assert_eq!(markdown_text("* item"), "\\* item");
        assert_eq!(markdown_text("a [link](x)"), "a \\[link\\](x)");
        assert_eq!(markdown_text("# not a heading"), "\\# not a heading");
        assert_eq!(markdown_text("2024. A year"), "2024\\. A year");
        assert_eq!(markdown_text("3.5% better"), "3.5% better");
        assert_eq!(markdown_text("1) first"), "1\\) first");
        assert_eq!(
            markdown_text("snake_case & R&D *stays*"),
            "snake_case & R&D *stays*"
        );
        assert_eq!(markdown_text("back\\slash"), "back\\\\slash");
        assert_eq!(markdown_text("(TARE) naïve."), "(TARE) naïve.");
    }
}
