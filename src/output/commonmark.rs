//! Safe HTML to CommonMark: the item's full text as Markdown.
//!
//! In: HTML as the sanitizer writes it (balanced, only harmless tags,
//! http(s) links and images whose addresses are one inert token; see
//! [`super::content`]). Anything else is read too, never trusted. Out:
//! CommonMark in which every character of the text reads back as that
//! character and nothing else: no raw HTML, no entity, no link, emphasis,
//! heading, list, quote or code that the HTML did not have. Nothing fails,
//! nothing recurses, and the time is linear in the input.
//!
//! How text stays text:
//! - outside code, every character that could start markup anywhere
//!   (`\` `` ` `` `*` `_` `[` `]` `<` `>` `&` `~` `|`) is escaped with a
//!   backslash, and at the start of a line, so are those that start a block
//!   there (`#`, `-`, `+`, `=`, the `.` or `)` after digits); whitespace is
//!   collapsed as HTML does, so no line starts indented;
//! - a code block (`<pre>`) is fenced with more backticks than any run in
//!   its text, and every line of it carries the prefix of its list or quote,
//!   so no line of it can end the block or leave its container;
//! - inline code (`<code>`) is delimited by a backtick run that does not
//!   occur in it, on one line (a line break in a code span could start an
//!   HTML block on the next line).
//!
//! Structure is written as the reader expects it (paragraphs, headings,
//! `-` and `1.` lists, `>` quotes, `**`, `*`, links and images); table cells
//! become paragraphs. At most [`MAX_CONTAINERS`] lists and quotes are
//! nested: deeper ones are written as paragraphs of the innermost, so a
//! line's prefix stays short (each level adds up to 11 characters to every
//! line below it).

use std::cell::RefCell;

use html5ever::tokenizer::{Tag, TagKind, Token, TokenSink, TokenSinkResult};

use super::flatten::{MAX_DEPTH, tokenize};

/// How many lists and quotes may be nested; deeper ones are flattened.
pub(crate) const MAX_CONTAINERS: usize = 16;

/// The Markdown of `html` (see the module's documentation), without
/// leading or trailing blank lines.
pub(crate) fn to_markdown(html: &str) -> String {
    let reader = tokenize(html, Reader::default());
    let mut writer = reader.writer.into_inner();
    writer.finish();
    let end = writer.out.trim_end().len();
    writer.out.truncate(end);
    writer.out
}

#[derive(Default)]
struct Reader {
    writer: RefCell<Writer>,
}

impl TokenSink for Reader {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut writer = self.writer.borrow_mut();
        match token {
            Token::CharacterTokens(text) => writer.text(&text),
            Token::TagToken(tag) => writer.tag(tag),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// What an open element did, to be undone at its end tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Nothing in Markdown (`span`, `u`, `sub`…): its text is text.
    Text,
    /// A block: paragraphs end at its edges.
    Block,
    /// A heading of this level.
    Heading,
    /// A block inside a heading: a space at its edges (a heading is one line).
    Space,
    /// Emphasis or a link: an inline frame.
    Inline,
    /// A list (`ul`, `ol`).
    List,
    /// A list item or a quote.
    Container,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineStart {
    /// Nothing written on the line yet.
    Start,
    /// Only digits so far: a `.` or `)` now would make a list item.
    Digits,
    Other,
}

/// An open list or quote: the prefix of each of its lines.
struct Container {
    /// `"> "` for a quote; the marker (`"- "`, `"3. "`) for a list item,
    /// whose later lines are indented by as many spaces.
    marker: String,
    quote: bool,
    /// Whether a line of it was written (its marker, for a list item).
    started: bool,
}

/// Emphasis or a link around text: written when the first visible
/// character comes, and closed and opened again at block edges.
struct Frame {
    open: &'static str,
    close: String,
}

/// Text of a `<pre>` or `<code>` being collected: tags inside are ignored.
struct Code {
    block: bool,
    text: String,
    /// Elements open inside it.
    depth: usize,
}

#[derive(Default)]
struct Writer {
    out: String,
    open: Vec<(html5ever::LocalName, Role)>,
    /// Start tags dropped for their depth, not yet matched by an end tag.
    excess: usize,
    containers: Vec<Container>,
    /// For each open list: the next number of an ordered one, 0 for a
    /// bulleted one.
    lists: Vec<u64>,
    frames: Vec<Frame>,
    /// How many of `frames`, from the outermost, are open in the output:
    /// those opened later wait for a visible character, so that each
    /// character costs one comparison, not a look at every frame.
    written: usize,
    code: Option<Code>,
    /// Inside a heading (its level), which is one line.
    heading: Option<usize>,
    /// A paragraph (or heading) has a line open.
    in_block: bool,
    /// The next block needs a blank line before it.
    gap: bool,
    pending_space: bool,
    pending_break: bool,
    line: Option<LineStart>,
}

/// Blocks: a paragraph ends at their edges.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "caption",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "header",
    "hgroup",
    "legend",
    "main",
    "nav",
    "p",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
];

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr",
];

impl Writer {
    fn text(&mut self, text: &str) {
        if let Some(code) = &mut self.code {
            code.text.push_str(text);
            return;
        }
        for c in text.chars() {
            if matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0C') {
                if self.in_block {
                    self.pending_space = true;
                }
            } else {
                self.visible();
                self.char(c);
            }
        }
    }

    fn tag(&mut self, tag: Tag) {
        let name: &str = &tag.name;
        if let Some(code) = &mut self.code {
            if name == "br" {
                code.text.push('\n');
            } else if VOID.contains(&name) {
            } else if tag.kind == TagKind::StartTag {
                code.depth += 1;
            } else if code.depth > 0 {
                code.depth -= 1;
            } else {
                self.end_code();
            }
            return;
        }
        if tag.kind == TagKind::EndTag {
            self.end_tag(name);
            return;
        }
        match name {
            "br" => {
                if self.heading.is_some() {
                    self.pending_space = self.in_block;
                } else if self.in_block {
                    self.pending_break = true;
                }
                return;
            }
            "img" => {
                self.image(&tag);
                return;
            }
            "hr" => {
                self.rule();
                return;
            }
            _ if VOID.contains(&name) => return,
            _ => {}
        }
        if self.open.len() >= MAX_DEPTH {
            self.excess += 1;
            return;
        }
        let role = self.start(name, &tag);
        if let Some(role) = role {
            self.open.push((tag.name, role));
        }
    }

    /// Opens element `name`; `None` when it was taken as code, whose text
    /// is collected up to its end tag.
    fn start(&mut self, name: &str, tag: &Tag) -> Option<Role> {
        let in_heading = self.heading.is_some();
        Some(match name {
            "pre" | "code" | "kbd" | "samp" | "tt" | "listing" | "xmp" => {
                let block = name != "code" && name != "kbd" && name != "samp" && name != "tt";
                let block = block && !in_heading;
                if block {
                    self.end_block();
                }
                self.code = Some(Code {
                    block,
                    text: String::new(),
                    depth: 0,
                });
                return None;
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" if !in_heading => {
                self.end_block();
                self.heading = Some(usize::from(name.as_bytes()[1] - b'0'));
                Role::Heading
            }
            "b" | "strong" => self.frame("**", "**".into()),
            "i" | "em" | "cite" | "dfn" | "var" => self.frame("*", "*".into()),
            "a" => {
                let href = tag
                    .attrs
                    .iter()
                    .find(|a| &*a.name.local == "href")
                    .map(|a| a.value.to_string());
                let in_link = self.frames.iter().any(|f| f.open == "[");
                match href {
                    Some(href) if !in_link && is_inert(&href) => {
                        self.frame("[", format!("]({href})"))
                    }
                    _ => Role::Text,
                }
            }
            _ if in_heading
                && (BLOCKS.contains(&name)
                    || matches!(
                        name,
                        "ul" | "ol" | "li" | "blockquote" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
                    )) =>
            {
                self.pending_space = self.in_block;
                Role::Space
            }
            "ul" | "ol" => {
                self.end_block();
                if self.containers.last().is_some_and(|c| !c.quote) {
                    // A list right in an item starts on the next line.
                    self.gap = false;
                }
                self.lists.push(u64::from(name == "ol"));
                Role::List
            }
            "li" | "blockquote" if self.containers.len() < MAX_CONTAINERS => {
                self.end_block();
                let marker = if name == "blockquote" {
                    "> ".to_string()
                } else {
                    // Items of a list follow each other line by line.
                    self.gap = false;
                    match self.lists.last_mut() {
                        Some(next) if *next > 0 => {
                            let marker = format!("{next}. ");
                            *next = next.saturating_add(1).min(999_999_999);
                            marker
                        }
                        _ => "- ".to_string(),
                    }
                };
                self.containers.push(Container {
                    marker,
                    quote: name == "blockquote",
                    started: false,
                });
                Role::Container
            }
            _ if BLOCKS.contains(&name) || matches!(name, "li" | "blockquote") => {
                self.end_block();
                Role::Block
            }
            _ => Role::Text,
        })
    }

    fn frame(&mut self, open: &'static str, close: String) -> Role {
        self.frames.push(Frame { open, close });
        Role::Inline
    }

    fn end_tag(&mut self, name: &str) {
        if self.excess > 0 {
            self.excess -= 1;
            return;
        }
        let Some(at) = self.open.iter().rposition(|(open, _)| &**open == name) else {
            return;
        };
        while self.open.len() > at {
            if let Some((_, role)) = self.open.pop() {
                self.undo(role);
            }
        }
    }

    fn undo(&mut self, role: Role) {
        match role {
            Role::Text => {}
            Role::Block => self.end_block(),
            Role::Space => self.pending_space = self.in_block,
            Role::Heading => {
                self.end_block();
                self.heading = None;
            }
            Role::Inline => {
                let was_written = self.frames.len() <= self.written;
                if let Some(frame) = self.frames.pop()
                    && was_written
                {
                    self.out.push_str(&frame.close);
                    self.line = Some(LineStart::Other);
                }
                self.written = self.written.min(self.frames.len());
            }
            Role::List => {
                self.end_block();
                self.lists.pop();
            }
            Role::Container => {
                self.end_block();
                if let Some(container) = self.containers.pop()
                    && container.started
                {
                    self.gap = true;
                }
            }
        }
    }

    /// Ends the paragraph or heading whose line is open, if any: its
    /// emphasis and links close, to open again in the next block.
    fn end_block(&mut self) {
        if self.in_block {
            for frame in self.frames[..self.written].iter().rev() {
                self.out.push_str(&frame.close);
            }
            self.written = 0;
            self.in_block = false;
            self.gap = true;
        }
        self.pending_space = false;
        self.pending_break = false;
    }

    /// Before a visible character: opens the block's line, writes the
    /// space or line break pending, and the emphasis and links around it.
    fn visible(&mut self) {
        if !self.in_block {
            self.new_line_of_block();
            if let Some(level) = self.heading {
                self.out.push_str(&"#".repeat(level));
                self.out.push(' ');
            }
            self.in_block = true;
        } else if self.pending_break {
            self.out.push_str("\\\n");
            self.prefix();
        } else if self.pending_space {
            self.out.push(' ');
            self.line = Some(LineStart::Other);
        }
        self.pending_space = false;
        self.pending_break = false;
        if self.written < self.frames.len() {
            for frame in &self.frames[self.written..] {
                self.out.push_str(frame.open);
            }
            self.written = self.frames.len();
            self.line = Some(LineStart::Other);
        }
    }

    /// Starts the first line of a block: after a blank line when the block
    /// before it asks for one, with the prefix of its lists and quotes.
    fn new_line_of_block(&mut self) {
        if !self.out.is_empty() {
            if !self.out.ends_with('\n') {
                self.out.push('\n');
            }
            if self.gap {
                // Only the containers already begun: a list item or quote
                // opening here starts after the blank line.
                let mut blank = String::new();
                for container in self.containers.iter().take_while(|c| c.started) {
                    push_continuation(&mut blank, container);
                }
                self.out.push_str(blank.trim_end());
                self.out.push('\n');
            }
        }
        self.gap = false;
        self.prefix();
    }

    /// Writes the prefix of a new line: the quotes' `>`, the list items'
    /// markers (on their first line) or indentation.
    fn prefix(&mut self) {
        for container in &mut self.containers {
            if container.started {
                push_continuation(&mut self.out, container);
            } else {
                self.out.push_str(&container.marker);
                container.started = true;
            }
        }
        self.line = Some(LineStart::Start);
    }

    /// Writes one visible character of text, escaped.
    fn char(&mut self, c: char) {
        let line = self.line.unwrap_or(LineStart::Other);
        let escape = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '~' | '|' => true,
            // A heading's closing `#`s would be dropped.
            '#' if self.heading.is_some() => true,
            '#' | '-' | '+' | '=' => line == LineStart::Start,
            '.' | ')' => line == LineStart::Digits,
            _ => false,
        };
        if escape {
            self.out.push('\\');
        }
        self.out.push(c);
        self.line = Some(match line {
            LineStart::Start | LineStart::Digits if c.is_ascii_digit() && !escape => {
                LineStart::Digits
            }
            _ => LineStart::Other,
        });
    }

    fn image(&mut self, tag: &Tag) {
        let attr = |name: &str| {
            tag.attrs
                .iter()
                .find(|a| &*a.name.local == name)
                .map(|a| a.value.to_string())
        };
        let Some(src) = attr("src").filter(|src| is_inert(src)) else {
            return;
        };
        let alt = attr("alt").unwrap_or_default();
        self.visible();
        self.out.push_str("![");
        self.line = Some(LineStart::Other);
        let mut space = false;
        for c in alt.chars() {
            if c.is_whitespace() {
                space = true;
            } else {
                if space {
                    self.out.push(' ');
                    space = false;
                }
                self.char(c);
            }
        }
        self.out.push_str("](");
        self.out.push_str(&src);
        self.out.push(')');
    }

    fn rule(&mut self) {
        if self.heading.is_some() {
            self.pending_space = self.in_block;
            return;
        }
        self.end_block();
        // A block of its own, so that frames do not open around it.
        let frames = std::mem::take(&mut self.frames);
        self.visible();
        self.out.push_str("---");
        self.frames = frames;
        self.in_block = false;
        self.gap = true;
    }

    /// The end of a `<pre>` or `<code>`: its text as a fenced block or a
    /// code span.
    fn end_code(&mut self) {
        let Some(code) = self.code.take() else {
            return;
        };
        if code.block {
            self.code_block(&code.text);
        } else {
            self.code_span(&code.text);
        }
    }

    fn code_block(&mut self, text: &str) {
        // HTML drops the line break right after `<pre>`.
        let text = text.strip_prefix('\n').unwrap_or(text);
        let text = text.trim_end_matches('\n');
        if text.trim().is_empty() {
            return;
        }
        let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
        self.end_block();
        self.new_line_of_block();
        self.out.push_str(&fence);
        for line in text.split('\n') {
            self.out.push('\n');
            if line.is_empty() {
                let mut blank = String::new();
                for container in &self.containers {
                    push_continuation(&mut blank, container);
                }
                self.out.push_str(blank.trim_end());
            } else {
                self.prefix();
                self.out.push_str(line);
            }
        }
        self.out.push('\n');
        self.prefix();
        self.out.push_str(&fence);
        self.gap = true;
    }

    fn code_span(&mut self, text: &str) {
        // One line: a line break in a code span could start a block (an
        // HTML block, a heading) on the next line.
        let text: String = text
            .chars()
            .map(|c| if matches!(c, '\n' | '\r') { ' ' } else { c })
            .collect();
        if text.is_empty() {
            return;
        }
        if text.trim().is_empty() {
            self.pending_space = self.in_block;
            return;
        }
        // The shortest run of backticks that is not in the text.
        let runs = backtick_runs(&text);
        let length = (1..).find(|n| !runs.contains(n)).unwrap_or(1);
        let delimiter = "`".repeat(length);
        // A space inside each delimiter when the text starts or ends with a
        // backtick (it would join the delimiter) or a space (one is taken
        // off each side when both are there).
        let pad = text.starts_with('`')
            || text.ends_with('`')
            || (text.starts_with(' ') && text.ends_with(' '));
        self.visible();
        self.out.push_str(&delimiter);
        if pad {
            self.out.push(' ');
        }
        self.out.push_str(&text);
        if pad {
            self.out.push(' ');
        }
        self.out.push_str(&delimiter);
        self.line = Some(LineStart::Other);
    }

    fn finish(&mut self) {
        if self.code.is_some() {
            self.end_code();
        }
        while let Some((_, role)) = self.open.pop() {
            self.undo(role);
        }
        self.end_block();
    }
}

/// The prefix of a later line of `container`.
fn push_continuation(out: &mut String, container: &Container) {
    if container.quote {
        out.push_str("> ");
    } else {
        out.extend(std::iter::repeat_n(' ', container.marker.len()));
    }
}

/// The length of each run of backticks in `text`, sorted, without repeats.
fn backtick_runs(text: &str) -> Vec<usize> {
    let mut runs: Vec<usize> = text
        .split(|c| c != '`')
        .map(str::len)
        .filter(|&n| n > 0)
        .collect();
    runs.sort_unstable();
    runs.dedup();
    runs
}

fn longest_run(text: &str, of: char) -> usize {
    text.split(|c| c != of).map(str::len).max().unwrap_or(0)
}

/// A link or image address that is one token in Markdown (as the
/// sanitizer writes them): no space, control, bracket, parenthesis, angle
/// bracket, quote or backslash.
fn is_inert(url: &str) -> bool {
    !url.is_empty()
        && !url.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(
                    c,
                    '[' | ']' | '(' | ')' | '<' | '>' | '"' | '\'' | '\\' | '`'
                )
        })
}
