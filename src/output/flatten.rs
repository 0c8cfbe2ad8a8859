//! An item's HTML reduced to a bounded, balanced form before anything
//! builds a document of it.
//!
//! In: the content HTML a feed sent, any size, any nesting, broken or not.
//! Out: HTML with at most [`MAX_DEPTH`] elements open at once, where every
//! element that opens also closes, in order, and scripts, styles and other
//! raw-text elements are gone (their text too, but for `title`, `textarea`
//! and `xmp`, whose text stays as text). Deeper elements are flattened:
//! their tags are dropped, their text kept. Nothing fails; nothing recurses;
//! the time is linear in the input (each token costs at most
//! [`MAX_DEPTH`] steps).
//!
//! Why: a tree builder (html5ever's, inside ammonia) looks through the open
//! elements at most tags, so 200,000 nested `<div>` cost minutes, and the
//! formatting elements it reopens after a misnested end tag can make a
//! tree far deeper than the tags (`<p><b a=1>x</p><p><b a=2>x</p>…`). Here
//! the input is read by html5ever's tokenizer as a stream, the open
//! elements are followed on a bounded stack, and every element is closed
//! explicitly where it ends, so the tree built from the result is as deep
//! as the stack at most (give or take the `tbody` it inserts).

use std::cell::RefCell;
use std::fmt::Write as _;

use html5ever::TokenizerResult;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// How many elements may be open at once in an item's content. Deeper
/// ones are flattened: their text stays, their tags go. Real articles
/// nest a few tens of levels at most (page builders: about 20; tables in
/// tables of newsletters: about 30); 64 keeps those whole and bounds what
/// the tree builder, the sanitizer and the Markdown writer have to follow.
pub(crate) const MAX_DEPTH: usize = 64;

/// Runs html5ever's tokenizer over `html`, handing each token to `sink`,
/// and gives the sink back. The tokenizer is a state machine: it neither
/// recurses nor looks back, whatever the input.
pub(crate) fn tokenize<S: TokenSink<Handle = ()>>(html: &str, sink: S) -> S {
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(html.into());
    // No sink of ours asks to pause for a script: `feed` runs to the end.
    while let TokenizerResult::Script(()) = tokenizer.feed(&input) {}
    tokenizer.end();
    tokenizer.sink
}

/// `html` with at most [`MAX_DEPTH`] open elements, every element closed
/// explicitly, no script or style, and no comment or doctype.
pub(crate) fn bounded_html(html: &str) -> String {
    let writer = Writer::default();
    writer.out.borrow_mut().reserve(html.len() + html.len() / 8);
    let writer = tokenize(html, writer);
    let mut state = writer.state.into_inner();
    let mut out = writer.out.into_inner();
    while let Some(name) = state.open.pop() {
        end_tag(&mut out, &name);
    }
    out
}

/// Elements that never have content or an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr",
];

/// Elements the tokenizer reads as text up to their end tag (the tree
/// builder would switch it so; with the tokenizer alone, we do), and
/// whether that text is kept.
fn raw_kind(name: &str) -> Option<(RawKind, bool)> {
    Some(match name {
        "script" => (RawKind::ScriptData, false),
        "style" | "iframe" | "noembed" | "noframes" | "noscript" => (RawKind::Rawtext, false),
        "xmp" => (RawKind::Rawtext, true),
        "title" | "textarea" => (RawKind::Rcdata, true),
        _ => return None,
    })
}

/// Start tags that close the open element on top of the stack when it is
/// one of these (HTML's implied end tags, for the elements feeds use): a
/// `<li>` ends the `<li>` before it, a `<p>` or a block ends a `<p>`. Only
/// the top is looked at, so each costs one step.
fn closes(top: &str, opening: &str) -> bool {
    match top {
        "p" => matches!(
            opening,
            "address"
                | "article"
                | "aside"
                | "blockquote"
                | "div"
                | "dl"
                | "figure"
                | "footer"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "header"
                | "hr"
                | "main"
                | "nav"
                | "ol"
                | "p"
                | "pre"
                | "section"
                | "table"
                | "ul"
        ),
        "li" => opening == "li",
        "dt" | "dd" => matches!(opening, "dt" | "dd"),
        "td" | "th" => matches!(opening, "td" | "th" | "tr"),
        "tr" => opening == "tr",
        "option" => opening == "option",
        _ => false,
    }
}

#[derive(Default)]
struct Writer {
    out: RefCell<String>,
    state: RefCell<Nesting>,
}

#[derive(Default)]
struct Nesting {
    /// Names of the open elements, outermost first; at most [`MAX_DEPTH`].
    open: Vec<html5ever::LocalName>,
    /// Start tags dropped for being too deep and not yet matched by an end
    /// tag: the next end tags are theirs, not the open elements'.
    excess: usize,
    /// Inside a raw-text element: whether its text is kept.
    raw_text: Option<bool>,
    /// After `<plaintext>`: everything is text, to the end.
    plaintext: bool,
}

impl TokenSink for Writer {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut state = self.state.borrow_mut();
        let mut out = self.out.borrow_mut();
        match token {
            Token::CharacterTokens(text) if state.raw_text != Some(false) => {
                escape_text(&mut out, &text);
            }
            Token::TagToken(tag) if !state.plaintext => {
                return tag_token(&mut state, &mut out, tag);
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

fn tag_token(state: &mut Nesting, out: &mut String, tag: Tag) -> TokenSinkResult<()> {
    let name: &str = &tag.name;
    if tag.kind == TagKind::EndTag {
        if state.raw_text.is_some() {
            // The tokenizer leaves raw text only at its own end tag.
            state.raw_text = None;
        } else if name == "br" {
            // `</br>` is a line break in every browser.
            out.push_str("<br>");
        } else if state.excess > 0 {
            // The end of an element dropped for its depth: nested markup
            // closes the innermost first.
            state.excess -= 1;
        } else if let Some(at) = state.open.iter().rposition(|open| &**open == name) {
            for open in state.open.drain(at..).rev() {
                end_tag(out, &open);
            }
        }
        return TokenSinkResult::Continue;
    }
    if let Some((kind, keep)) = raw_kind(name) {
        state.raw_text = Some(keep);
        return TokenSinkResult::RawData(kind);
    }
    if name == "plaintext" {
        state.plaintext = true;
        return TokenSinkResult::Plaintext;
    }
    if !is_plain_name(name) {
        return TokenSinkResult::Continue;
    }
    while state.open.last().is_some_and(|top| closes(top, name)) {
        if let Some(top) = state.open.pop() {
            end_tag(out, &top);
        }
    }
    if VOID.contains(&name) {
        start_tag(out, &tag);
        return TokenSinkResult::Continue;
    }
    if tag.self_closing && matches!(name, "svg" | "math") {
        // Empty in foreign content; nothing the page shows.
        return TokenSinkResult::Continue;
    }
    if state.open.len() >= MAX_DEPTH {
        state.excess += 1;
        return TokenSinkResult::Continue;
    }
    start_tag(out, &tag);
    state.open.push(tag.name);
    TokenSinkResult::Continue
}

/// A tag or attribute name that reads back as itself: letters, digits and
/// `-`, `_`, `:`, `.`, starting with a letter.
fn is_plain_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
}

fn start_tag(out: &mut String, tag: &Tag) {
    out.push('<');
    out.push_str(&tag.name);
    for attribute in &tag.attrs {
        let name: &str = &attribute.name.local;
        if !is_plain_name(name) {
            continue;
        }
        let _ = write!(out, " {name}=\"");
        for c in attribute.value.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '"' => out.push_str("&quot;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push('>');
}

fn end_tag(out: &mut String, name: &str) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn escape_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // The tokenizer reports NUL as its own token; a stray one in
            // text is no character a page shows.
            '\0' => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The deepest nesting of a balanced fragment, and whether it is
    /// balanced.
    fn depth(html: &str) -> (usize, bool) {
        let mut open: Vec<String> = Vec::new();
        let mut deepest = 0;
        let mut rest = html;
        while let Some(at) = rest.find('<') {
            let end = rest[at..].find('>').map_or(rest.len(), |e| at + e);
            let tag = &rest[at + 1..end];
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if tag.starts_with('/') {
                if open.pop().as_deref() != Some(name.as_str()) {
                    return (deepest, false);
                }
            } else if !VOID.contains(&name.as_str()) {
                open.push(name);
                deepest = deepest.max(open.len());
            }
            rest = &rest[end.min(rest.len() - 1) + 1..];
        }
        (deepest, open.is_empty())
    }

    #[test]
    fn deep_nesting_is_flattened_and_its_text_kept() {
        for (open, close) in [
            ("<div>", "</div>"),
            ("<table><tr><td>", "</td></tr></table>"),
            ("<ul><li>", "</li></ul>"),
            ("<blockquote><span><em>", "</em></span></blockquote>"),
        ] {
            let html = format!("{}deep text{}", open.repeat(5_000), close.repeat(5_000));
            let bounded = bounded_html(&html);
            let (deepest, balanced) = depth(&bounded);
            assert!(balanced, "{open}: {}", &bounded[..200]);
            assert!(deepest <= MAX_DEPTH, "{open}: {deepest}");
            assert!(bounded.contains("deep text"), "{open}");
        }
    }

    #[test]
    fn unclosed_and_misnested_tags_are_closed_where_they_end() {
        let html = "<p><b a=1>x</p><p><b a=2>y<i>z</p><li>one<li>two</ul></div><br></br>";
        assert_eq!(
            bounded_html(html),
            "<p><b a=\"1\">x</b></p><p><b a=\"2\">y<i>z</i></b></p><li>one</li><li>two<br><br></li>"
        );
        // Misnested formatting repeated many times stays shallow: a tree
        // builder would reopen every `<b>` in the next paragraph.
        let html = (0..10_000)
            .map(|i| format!("<p><b id={i}>x</p>"))
            .collect::<String>();
        let (deepest, balanced) = depth(&bounded_html(&html));
        assert!(balanced && deepest == 2, "{deepest}");
    }

    #[test]
    fn scripts_and_styles_go_and_text_stays_text() {
        let html = "<script>alert('<p>')</script><style>p{}</style><iframe><p>x</p></iframe>\
                    a &lt;script&gt; &amp;lt; <title>&lt;t&gt;</title><!-- c --><x\"y>z</x\"y>";
        assert_eq!(bounded_html(html), "a &lt;script&gt; &amp;lt; &lt;t&gt;z");
        assert_eq!(
            bounded_html("<p>a<plaintext><b>b</b>"),
            "<p>a&lt;b&gt;b&lt;/b&gt;</p>"
        );
        assert_eq!(
            bounded_html("<a href='x\" onclick=\"y'>l</a>"),
            "<a href=\"x&quot; onclick=&quot;y\">l</a>"
        );
    }
}
