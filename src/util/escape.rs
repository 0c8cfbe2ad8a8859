//! The escapes the filters and the article stage share: a YAML (and
//! JSON) double-quoted string, Markdown-escaped text, an inert URL.
//!
//! In: text. Out: text that reads back as the same value in its language,
//! and opens no tag, link or template tag where it lands. Pure; nothing
//! fails.

use std::borrow::Cow;

use url::{Position, Url};

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
pub(crate) fn opens_a_tag(rest: &str) -> bool {
    rest.bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'))
}

/// Text for the Markdown body: only what could start HTML, a link or an
/// image, a site generator's template tag, or make a heading, list or
/// quote of the line is escaped with a backslash, so no HTML (`<script>`, `<img onerror>`) and no link
/// (`[x](javascript:…)`) reaches the page, and ordinary text (`&`, `*`,
/// quotes) stays byte for byte as the feed wrote it. The one exception is
/// a brace before `%` or `#`, written `&#123;` (see below).
pub fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut copied = 0;
    for (i, byte) in text.bytes().enumerate() {
        // `\{%` is still a Liquid tag (Jekyll and Eleventy run Liquid on the
        // file before Markdown) and `\{#` a Nunjucks comment: the backslash
        // stops only Markdown. Kramdown, Jekyll's Markdown, has no escape for
        // `%`, so the brace itself is written as a character reference, which
        // every Markdown reads as `{` and no template language as a tag.
        if byte == b'{' && matches!(text.as_bytes().get(i + 1), Some(b'%' | b'#')) {
            out.push_str(&text[copied..i]);
            out.push_str("&#123;");
            copied = i + 1;
            continue;
        }
        let escape = match byte {
            // Braces: a site generator's template tag (`{{ }}`, `{% %}` in
            // Jekyll and Eleventy, Hugo's shortcodes) reads as text.
            b'\\' | b'[' | b']' | b'{' | b'}' => true,
            // A `<` that opens no tag stays as written: `p<0.001` in an
            // image's alt text, where Hugo's Markdown shows a backslash
            // that escapes one.
            b'<' => opens_a_tag(&text[i + 1..]),
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

/// Text for an image's description (`![here](…)`), which Markdown turns
/// into the `alt` attribute: written without a single escape, because
/// Hugo's Markdown (Goldmark) copies backslashes and character references
/// into the attribute as they are (`p\<0.001` shows its backslash) while
/// the others read them. So what would need one is written as the
/// character that looks like it and means nothing to Markdown or to a site
/// generator: `[` `]` as `(` `)`, `\` as `/`, `*` as `∗`, `` ` `` as `ʼ`,
/// a `<` that would open a tag as `＜`, a `{` before `{` `%` `#` as `｛`,
/// and an `&` that would start a character reference as `＆`. What Hugo's
/// typographer would turn into a reference it then shows as such is
/// written as the character it means: straight quotes as curly ones (`"`
/// as `“` or `”`, `'` as `’`), `--` as `–`, `...` as `…`, `<<` `>>` as
/// `«` `»`. Any other text, `p<0.001` and `R&D` included, stays as
/// written, and every generator shows the same text.
pub(crate) fn markdown_alt_text(text: &str) -> String {
    let text = text
        .replace("...", "…")
        .replace("--", "–")
        .replace("<<", "«")
        .replace(">>", "»");
    let mut out = String::with_capacity(text.len() + 8);
    let mut previous: Option<char> = None;
    for (i, c) in text.char_indices() {
        let rest = &text[i + c.len_utf8()..];
        let opens = previous.is_none_or(|p| p.is_whitespace() || "([{«‘“".contains(p));
        previous = Some(c);
        match c {
            '"' if opens => out.push('“'),
            '"' => out.push('”'),
            '\'' => out.push('’'),
            '[' => out.push('('),
            ']' => out.push(')'),
            '\\' => out.push('/'),
            '*' => out.push('∗'),
            '`' => out.push('ʼ'),
            '{' if rest.starts_with(['{', '%', '#']) => out.push('｛'),
            '&' if starts_reference(rest) => out.push('＆'),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    // A `<` is judged on what follows it once written: `<\` became `</`
    // (found by fuzzing).
    if !out.contains('<') {
        return out;
    }
    let mut inert = String::with_capacity(out.len());
    for (i, c) in out.char_indices() {
        if c == '<' && opens_a_tag(&out[i + 1..]) {
            inert.push('＜');
        } else {
            inert.push(c);
        }
    }
    inert
}

/// Does `rest` (what follows a `&`) make a character reference of it, as
/// HTML reads one: `#8217;`, `#x2019;`, `eacute;`?
pub(crate) fn starts_reference(rest: &str) -> bool {
    let name_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'#')
        .count();
    name_len > 1 && rest[name_len..].starts_with(';')
}

/// A URL that Markdown (and an HTML attribute, and a linkifier) reads as
/// one inert token: `[`, `]`, `(`, `)`, `<`, `>`, `"`, `'`, `\\`, `` ` ``,
/// whitespace and control characters are percent-encoded, so that no part
/// of it can open a link, an image, an autolink, a tag or a new line
/// (`http://h/a/[x](javascript:…)` stays one http link). The brackets of
/// an IPv6 host stay as they are. The percent-encoded form names the same
/// resource, and a URL without these characters is unchanged.
pub(crate) fn inert_url(url: &str) -> Cow<'_, str> {
    fn needs(c: char) -> bool {
        matches!(
            c,
            '[' | ']' | '(' | ')' | '<' | '>' | '"' | '\'' | '\\' | '`' | '{' | '}'
        ) || c.is_whitespace()
            || c.is_control()
    }
    if !url.contains(needs) {
        return Cow::Borrowed(url);
    }
    let encode = |part: &str, out: &mut String| {
        for c in part.chars() {
            if needs(c) {
                let mut bytes = [0; 4];
                for byte in c.encode_utf8(&mut bytes).bytes() {
                    out.push_str(&format!("%{byte:02X}"));
                }
            } else {
                out.push(c);
            }
        }
    };
    let mut out = String::with_capacity(url.len() + 16);
    // The host, as the url crate checked it, keeps its IPv6 brackets.
    match Url::parse(url).ok().filter(|parsed| parsed.as_str() == url) {
        Some(parsed) => {
            encode(&parsed[..Position::BeforeHost], &mut out);
            out.push_str(&parsed[Position::BeforeHost..Position::AfterHost]);
            encode(&parsed[Position::AfterHost..], &mut out);
        }
        None => encode(url, &mut out),
    }
    Cow::Owned(out)
}

#[cfg(test)]
pub(crate) mod tests {
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

    /// URLs a hostile feed can get past the url crate's parser (which
    /// keeps `[`, `]`, `(`, `)` and `'`), and raw strings that never went
    /// through it.
    pub(crate) const HOSTILE_URLS: [&str; 12] = [
        "http://host/a/[click me](javascript:alert(1))",
        "http://host/a/[click%20me](javascript:alert(1))",
        "https://host/?x=[y](javascript:alert(1))",
        "https://host/#[y](data:text/html,x)",
        "http://host/a\n![x](javascript:alert(1))",
        "http://host/a\r\n\n[x]: javascript:alert(1)",
        "http://host/<script>alert(1)</script>",
        "http://host/a\"onerror=\"alert(1)",
        "http://host/a'onerror='alert(1)",
        "http://host/a <javascript:alert(1)>",
        "http://[::1]:8080/a/[x](javascript:alert(1))",
        "http://user:p(a)ss@host/a\\[x](javascript:1)",
    ];

    #[test]
    fn inert_urls_are_percent_encoded_only_where_needed() {
        for (url, inert) in [
            (
                "http://host/a/[click me](javascript:alert(1))",
                "http://host/a/%5Bclick%20me%5D%28javascript:alert%281%29%29",
            ),
            ("https://host/?x=[y]", "https://host/?x=%5By%5D"),
            ("http://host/a\nb", "http://host/a%0Ab"),
            ("http://host/a'b\"c", "http://host/a%27b%22c"),
            ("http://host/<b>", "http://host/%3Cb%3E"),
            ("http://[::1]:8080/(x)", "http://[::1]:8080/%28x%29"),
            (
                "http://host/caf\u{e9} \u{2028}",
                "http://host/caf\u{e9}%20%E2%80%A8",
            ),
            (
                "https://interventionalnews.com/a-b/?p=1&q=%20#top",
                "https://interventionalnews.com/a-b/?p=1&q=%20#top",
            ),
        ] {
            assert_eq!(inert_url(url), inert, "{url:?}");
            // Encoding twice changes nothing.
            assert_eq!(inert_url(inert), inert, "{inert:?}");
        }
        for hostile in HOSTILE_URLS {
            let inert = inert_url(hostile);
            let without_host = inert.replace("[::1]", "");
            assert!(
                !without_host.contains(|c: char| "[]()<>\"'\\` \n\r".contains(c)),
                "{hostile:?} → {inert}"
            );
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
    fn alt_text_needs_no_escape() {
        assert_eq!(markdown_alt_text("p<0.001, R&D"), "p<0.001, R&D");
        // What follows a `<` is judged as written: `\` becomes `/`.
        assert_eq!(markdown_alt_text("<\\x"), "＜/x");
        assert_eq!(
            markdown_alt_text("l'été \"chaud\" -- <<oui>>..."),
            "l’été “chaud” – «oui»…"
        );
        assert_eq!(
            markdown_alt_text("[x] a\\b *c* `d` <script> {{ t }} {% i %} &lt;"),
            "(x) a/b ∗c∗ ʼdʼ ＜script> ｛{ t }} ｛% i %} ＆lt;"
        );
        // What Markdown reads back is the text written: no escape, no
        // emphasis, no tag, no link.
        for text in ["p<0.001 et « R&D »", "(a) ∗b∗ ＜i> ｛{ x }}"] {
            let alt = markdown_alt_text(text);
            let markdown = format!("![{alt}](https://x.example/i.jpg)");
            let mut inside = String::new();
            let mut other = Vec::new();
            for event in pulldown_cmark::Parser::new(&markdown) {
                match event {
                    pulldown_cmark::Event::Text(t) => inside.push_str(&t),
                    pulldown_cmark::Event::Start(pulldown_cmark::Tag::Image { .. })
                    | pulldown_cmark::Event::End(pulldown_cmark::TagEnd::Image)
                    | pulldown_cmark::Event::Start(pulldown_cmark::Tag::Paragraph)
                    | pulldown_cmark::Event::End(pulldown_cmark::TagEnd::Paragraph) => {}
                    event => other.push(format!("{event:?}")),
                }
            }
            assert_eq!(inside, text);
            assert!(other.is_empty(), "{other:?}");
        }
    }

    #[test]
    fn markdown_text_escapes_markup() {
        // A `<` that opens no tag is text as it is (Hugo would show the
        // backslash of an escaped one in an image's alt text).
        assert_eq!(markdown_text("p<0.001"), "p<0.001");
        assert_eq!(markdown_text("a < b, c <= d, <3"), "a < b, c <= d, <3");
        assert_eq!(markdown_text("<script>"), "\\<script>");
        assert_eq!(markdown_text("x</p> <!-- <?php"), "x\\</p> \\<!-- \\<?php");
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

    /// No template tag of Liquid (`{{ }}`, `{% %}`), Nunjucks (`{# #}`) or
    /// Hugo's shortcodes (`{{< >}}`, `{{% %}}`) survives, whitespace control
    /// (`{%-`) included, and Markdown reads the same text back.
    #[test]
    fn markdown_text_opens_no_template_tag() {
        for (text, written) in [
            ("{{ x }}", "\\{\\{ x \\}\\}"),
            ("{% raw %}", "&#123;% raw %\\}"),
            ("a {%- include x -%} b", "a &#123;%- include x -%\\} b"),
            ("{# note #}", "&#123;# note #\\}"),
            ("{{% shortcode %}}", "\\{&#123;% shortcode %\\}\\}"),
            ("{{< figure >}}", "\\{\\{< figure >\\}\\}"),
            ("{{{%#", "\\{\\{&#123;%#"),
        ] {
            let out = markdown_text(text);
            assert_eq!(out, written, "{text}");
            for opener in ["{{", "{%", "{#"] {
                assert!(!out.contains(opener), "{opener} in {out}");
            }
            let read_back: String = pulldown_cmark::Parser::new(&out)
                .filter_map(|event| match event {
                    pulldown_cmark::Event::Text(t) => Some(t.into_string()),
                    _ => None,
                })
                .collect();
            assert_eq!(read_back, text, "{out}");
        }
    }
}
