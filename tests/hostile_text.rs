//! Hostile text from feeds, end to end: deep nesting that must not hold a
//! run (in the summary and in the full text a template writes), code that
//! must stay code in the full text, markup escaped twice, invisible
//! characters, and tracking pixels posing as the article's image. Each test runs the real binary against
//! feeds served on loopback and reads the written files back.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::markdown::links_and_html;
use common::*;

/// A loopback server answering each path with its (content type, body),
/// and 404 for anything else. Returns its base URL.
fn serve(routes: Vec<(String, &'static str, String)>) -> String {
    let routes: Arc<BTreeMap<String, (&'static str, String)>> = Arc::new(
        routes
            .into_iter()
            .map(|(path, content_type, body)| (path, (content_type, body)))
            .collect(),
    );
    raw_server(move |mut stream| {
        let head = read_request_head(&mut stream);
        let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
        match routes.get(&path) {
            Some((content_type, body)) => write_answer(&mut stream, content_type, body.as_bytes()),
            None => {
                use std::io::Write;
                let _ = stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            }
        }
    })
}

/// The written articles of `site`, each as (front matter, body).
fn articles(site: &Site) -> Vec<(BTreeMap<String, serde_yaml::Value>, String)> {
    site.content()
        .into_iter()
        .filter(|(path, _)| path.ends_with(".md"))
        .map(|(_, text)| (front_matter(&text), body(&text).to_string()))
        .collect()
}

fn text<'a>(front: &'a BTreeMap<String, serde_yaml::Value>, key: &str) -> &'a str {
    front[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is text"))
}

/// The article whose `sourceUrl` is `url`.
fn by_source<'a>(
    all: &'a [(BTreeMap<String, serde_yaml::Value>, String)],
    url: &str,
) -> &'a (BTreeMap<String, serde_yaml::Value>, String) {
    all.iter()
        .find(|(front, _)| text(front, "sourceUrl") == url)
        .unwrap_or_else(|| panic!("no article from {url}"))
}

/// True when `value` holds what a browser reads as the start of a tag.
fn opens_a_tag(value: &str) -> bool {
    value.match_indices('<').any(|(i, _)| {
        value[i + 1..]
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'))
    })
}

/// Every text value of a front matter, tags included.
fn values(front: &BTreeMap<String, serde_yaml::Value>) -> Vec<String> {
    front
        .values()
        .flat_map(|value| match value {
            serde_yaml::Value::Sequence(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect::<Vec<_>>(),
            other => other.as_str().map(str::to_string).into_iter().collect(),
        })
        .collect()
}

/// One item with 200,000 nested `<div>` (1.2 MB, in CDATA) and one with
/// 40,000 escaped ones, in the first feed of the config: the run reads
/// them in one pass and goes on to the healthy feed after it. (Before,
/// 200,000 did not finish in 150 s, and every feed after it waited.)
#[test]
fn deeply_nested_html_does_not_hold_up_the_run() {
    let depth = 200_000;
    let nested = format!(
        "{}deep text{}",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let escaped = format!(
        "{}escaped deep{}",
        "&lt;div&gt;".repeat(40_000),
        "&lt;/div&gt;".repeat(40_000)
    );
    let mut deep = Item::new(
        "Deep item",
        "https://news.example.org/deep",
        "Mon, 02 Sep 2024 10:00:00 +0000",
    );
    deep.description = Some(format!("<![CDATA[{nested}]]>"));
    let mut escaped_item = Item::new(
        "Escaped deep item",
        "https://news.example.org/escaped",
        "Mon, 02 Sep 2024 10:30:00 +0000",
    );
    escaped_item.description = Some(escaped);
    let healthy = Item::new(
        "Healthy item",
        "https://other.example.org/healthy",
        "Mon, 02 Sep 2024 11:00:00 +0000",
    );
    let base = serve(vec![
        (
            "/deep.xml".into(),
            "application/rss+xml",
            rss(&[deep, escaped_item]),
        ),
        (
            "/healthy.xml".into(),
            "application/rss+xml",
            rss(&[healthy]),
        ),
    ]);
    let site = Site::new(&config(&[
        ("Deep", &format!("{base}/deep.xml"), "papers"),
        ("Healthy", &format!("{base}/healthy.xml"), "papers"),
    ]));
    let output = site.run_within(&["run"], HANG);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let all = articles(&site);
    assert_eq!(all.len(), 3, "{:?}", site.content().keys());
    let (front, _) = by_source(&all, "https://news.example.org/deep");
    assert_eq!(text(front, "summary"), "deep text");
    let (front, _) = by_source(&all, "https://news.example.org/escaped");
    assert_eq!(text(front, "summary"), "escaped deep");
    let (front, _) = by_source(&all, "https://other.example.org/healthy");
    assert_eq!(text(front, "title"), "Healthy item");
}

/// A site whose feeds' articles are written by a template that prints the
/// full text as Markdown (as the README's Hugo example does).
fn full_text_site(feeds: &[(&str, &str, &str)]) -> Site {
    let config = config(feeds).replacen(
        "\n[[feeds]]",
        "\n[output]\ntemplate = \"full.md\"\n\n[[feeds]]",
        1,
    );
    let site = Site::new(&config);
    site.write(
        "full.md",
        "---\ntitle: {{ title | yaml }}\nsourceUrl: {{ source_url | yaml }}\n---\n\n{{ content_markdown }}\n",
    );
    site
}

/// An item whose description is `html`, in CDATA.
fn item_with_html(title: &str, link: &str, html: &str) -> Item {
    let mut item = Item::new(title, link, "Mon, 02 Sep 2024 10:00:00 +0000");
    item.description = Some(format!("<![CDATA[{html}]]>"));
    item
}

/// 5,000 nested tables, lists and quotes, and 5,000 nested `<div>`, in
/// the full text of a template: the run completes with exit 0 and writes
/// every article, the next feed's too. (Before, 500 nested tables
/// overflowed the stack: the process aborted with no summary, at every
/// run until the item left the feed.)
#[test]
fn deep_nesting_in_the_full_text_does_not_stop_the_run() {
    let depth = 5_000;
    let tables = format!(
        "{}deep table{}",
        "<table><tr><td>".repeat(depth),
        "</td></tr></table>".repeat(depth)
    );
    let mixture = format!(
        "{}deep mixture{}",
        "<ul><li><blockquote><div><span><b>".repeat(depth),
        "</b></span></div></blockquote></li></ul>".repeat(depth)
    );
    let divs = format!(
        "{}deep div{}",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let base = serve(vec![
        (
            "/deep.xml".into(),
            "application/rss+xml",
            rss(&[
                item_with_html("Tables", "https://news.example.org/tables", &tables),
                item_with_html("Mixture", "https://news.example.org/mixture", &mixture),
                item_with_html("Divs", "https://news.example.org/divs", &divs),
            ]),
        ),
        (
            "/healthy.xml".into(),
            "application/rss+xml",
            rss(&[Item::new(
                "Healthy item",
                "https://other.example.org/healthy",
                "Mon, 02 Sep 2024 11:00:00 +0000",
            )]),
        ),
    ]);
    let site = full_text_site(&[
        ("Deep", &format!("{base}/deep.xml"), "papers"),
        ("Healthy", &format!("{base}/healthy.xml"), "papers"),
    ]);
    let output = site.run_within(&["run"], HANG);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let all = articles(&site);
    assert_eq!(all.len(), 4, "{:?}", site.content().keys());
    for (url, words) in [
        ("https://news.example.org/tables", "deep table"),
        ("https://news.example.org/mixture", "deep mixture"),
        ("https://news.example.org/divs", "deep div"),
    ] {
        let (_, body) = by_source(&all, url);
        assert!(body.contains(words), "{url}: {body:.300}");
        let (_, raw_html) = links_and_html(body);
        assert!(!raw_html, "{url}: {body:.300}");
    }
}

/// What a CommonMark reader finds in `markdown`: the text of its code
/// blocks and code spans.
fn code_in(markdown: &str) -> (Vec<String>, Vec<String>) {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let (mut blocks, mut spans) = (Vec::new(), Vec::new());
    let mut in_block = false;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => {
                in_block = true;
                blocks.push(String::new());
            }
            Event::End(TagEnd::CodeBlock) => in_block = false,
            Event::Text(text) if in_block => blocks.last_mut().unwrap().push_str(&text),
            Event::Code(code) => spans.push(code.to_string()),
            _ => {}
        }
    }
    (blocks, spans)
}

/// Escaped markup in a code sample (`&lt;script&gt;`, `&lt;/pre&gt;`) is
/// code in the written file, not a live tag or the end of the block:
/// in `<pre>` with and without `<code>`, in a list, and inline. (Before,
/// `<pre>&lt;script&gt;…</pre>` became a `<script>` line that Jekyll and
/// markdown-it ran.)
#[test]
fn code_in_the_full_text_stays_code() {
    let sample = "&lt;script&gt;alert(1)&lt;/script&gt;\n&lt;/pre&gt;\n```\n&lt;iframe src=x&gt;";
    let text = "<script>alert(1)</script>\n</pre>\n```\n<iframe src=x>";
    let html = format!(
        "<p>Before.</p><pre>{sample}</pre><pre><code>{sample}</code></pre>\
         <ul><li>In a list<pre>{sample}</pre></li></ul>\
         <p>Inline <code>&lt;b&gt;x&lt;/b&gt; `tick`</code> and &lt;iframe&gt; as text.</p>"
    );
    let base = serve(vec![(
        "/feed.xml".into(),
        "application/rss+xml",
        rss(&[item_with_html(
            "Code",
            "https://news.example.org/code",
            &html,
        )]),
    )]);
    let site = full_text_site(&[("Code", &format!("{base}/feed.xml"), "papers")]);
    let output = site.run_within(&["run"], HANG);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let all = articles(&site);
    let (_, body) = by_source(&all, "https://news.example.org/code");
    let (_, raw_html) = links_and_html(body);
    assert!(!raw_html, "{body}");
    let (blocks, spans) = code_in(body);
    assert_eq!(blocks.len(), 3, "{body}");
    for block in &blocks {
        assert_eq!(block.trim_end_matches('\n'), text, "{body}");
    }
    assert_eq!(spans, ["<b>x</b> `tick`"], "{body}");
    assert!(body.contains("\\<iframe\\> as text"), "{body}");
}

/// Markup escaped twice (`&amp;lt;script&amp;gt;`, `&amp;#60;b&amp;#62;`),
/// and markup in an Atom `type="text"` title, is read as markup: no title,
/// summary or other front matter value holds a tag, and a `<` that opens
/// none (`p<0.001`, `a < b`) stays as written.
#[test]
fn markup_escaped_twice_never_reaches_the_front_matter_as_a_tag() {
    let item = |title: &str, link: &str, description: &str| Item {
        title: title.to_string(),
        link: format!("https://news.example.org/{link}"),
        pub_date: Some("Mon, 02 Sep 2024 10:00:00 +0000".into()),
        description: Some(description.to_string()),
        ..Item::default()
    };
    let rss_feed = rss(&[
        item(
            "&amp;lt;script&amp;gt;alert(2)&amp;lt;/script&amp;gt;Breaking news",
            "script",
            "&amp;lt;b onmouseover=alert(1)&amp;gt;hi&amp;lt;/b&amp;gt; there",
        ),
        item(
            "&amp;#60;b&amp;#62;Bold&amp;#60;/b&amp;#62; move",
            "numeric",
            "&amp;lt;p&amp;gt;Hello&amp;lt;/p&amp;gt;&amp;lt;p&amp;gt;World&amp;lt;/p&amp;gt;",
        ),
        item(
            "Significant at p&amp;lt;0.001 when a &lt; b",
            "comparison",
            "p&lt;0.05 and x&amp;lt;y",
        ),
        // Escaped five times: after three more readings, `<b>` is left as
        // text, and the front matter still cannot open it.
        item(
            "&amp;amp;amp;amp;lt;b&amp;amp;amp;amp;gt;Five times",
            "five",
            "Plain.",
        ),
    ]);
    let atom = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title><id>urn:atom</id><updated>2024-09-02T10:00:00Z</updated>
<entry><title type="text">&lt;img src=x onerror=alert(1)&gt;Atom &lt;i&gt;title&lt;/i&gt;</title><id>urn:1</id>
<link href="https://atom.example.org/1"/><updated>2024-09-02T10:00:00Z</updated>
<summary type="text">&lt;a href="javascript:alert(3)"&gt;click&lt;/a&gt; summary</summary></entry>
</feed>"#;
    let base = serve(vec![
        ("/rss.xml".into(), "application/rss+xml", rss_feed),
        ("/atom.xml".into(), "application/atom+xml", atom.to_string()),
    ]);
    let site = Site::new(&config(&[
        ("Escaped", &format!("{base}/rss.xml"), "papers"),
        ("Atom", &format!("{base}/atom.xml"), "papers"),
    ]));
    site.import(&[], 0);
    let all = articles(&site);
    assert_eq!(all.len(), 5);
    for (front, body) in &all {
        for value in values(front) {
            assert!(!opens_a_tag(&value), "{value:?} in {front:?}");
        }
        assert!(no_raw_angle_bracket(body), "{body}");
    }
    let expect = [
        (
            "https://news.example.org/script",
            "Breaking news",
            "hi there",
        ),
        (
            "https://news.example.org/numeric",
            "Bold move",
            "Hello World",
        ),
        (
            "https://news.example.org/comparison",
            "Significant at p<0.001 when a < b",
            // `<y` could open a tag in a page that prints it raw.
            "p<0.05 and x＜y",
        ),
        ("https://news.example.org/five", "＜b>Five times", "Plain."),
        ("https://atom.example.org/1", "Atom title", "click summary"),
    ];
    for (url, title, summary) in expect {
        let (front, body) = by_source(&all, url);
        assert_eq!(text(front, "title"), title, "{url}");
        assert_eq!(text(front, "summary"), summary, "{url}");
        // The body keeps the text as read, with a `<` that could open a
        // tag (written `＜` in the front matter) escaped for Markdown, and
        // any other as it is.
        let summary_in_body = summary.replace('＜', "\\<");
        assert!(body.contains(&summary_in_body), "{body}");
    }
    let (_, body) = by_source(&all, "https://news.example.org/five");
    assert!(!body.contains('＜'), "{body}");
}

/// Format and default-ignorable characters (soft hyphen, Arabic letter
/// mark, Mongolian vowel separator, deprecated format characters,
/// interlinear annotation, musical beams, tag characters) never reach the
/// file, while the joiners and selectors a script or an emoji needs stay.
#[test]
fn invisible_characters_never_reach_the_file() {
    let hidden = |text: &str| -> String {
        text.chars()
            .map(|c| format!("&#x{:X};", 0xE0000 + c as u32))
            .collect()
    };
    let title = format!(
        "Soft&#xAD;ware &#x61C;mark&#x180E; old&#x206A;&#x206F; note&#xFFF9;x&#xFFFB; beam&#x1D173;&#x1D17A;{}",
        hidden("ignore all instructions")
    );
    let description = "Team &#x1F469;&#x200D;&#x1F4BB; &#x2764;&#xFE0F; \
         &#x645;&#x6CC;&#x200C;&#x62E;&#x648;&#x627;&#x647;&#x645; \
         &#x915;&#x94D;&#x200D;&#x937; stray&#x200D; &#x200C;joiners";
    let mut item = Item::new(
        &title,
        "https://news.example.org/invisible",
        "Mon, 02 Sep 2024 10:00:00 +0000",
    );
    item.description = Some(description.to_string());
    let base = serve(vec![(
        "/feed.xml".into(),
        "application/rss+xml",
        rss(&[item]),
    )]);
    let site = Site::new(&config(&[(
        "Invisible",
        &format!("{base}/feed.xml"),
        "papers",
    )]));
    site.import(&[], 0);
    let all = articles(&site);
    let (front, body) = &all[0];
    assert_eq!(text(front, "title"), "Software mark old notex beam");
    let summary = "Team \u{1F469}\u{200D}\u{1F4BB} \u{2764}\u{FE0F} \
         \u{645}\u{6CC}\u{200C}\u{62E}\u{648}\u{627}\u{647}\u{645} \
         \u{915}\u{94D}\u{200D}\u{937} stray joiners";
    assert_eq!(text(front, "summary"), summary);
    assert!(body.contains(summary), "{body}");
    let whole_file = site.content().into_values().collect::<String>();
    for c in whole_file.chars() {
        assert!(
            !matches!(c, '\u{AD}' | '\u{61C}' | '\u{180E}' | '\u{206A}'..='\u{206F}' | '\u{FFF9}'..='\u{FFFB}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E007F}'),
            "U+{:04X} in the file",
            c as u32
        );
    }
}

/// A Matomo pixel ahead of the real figure, a declared image that is a
/// counter, and an og:image that is a tracking pixel: none becomes the
/// article's image.
#[test]
fn a_tracking_pixel_is_never_the_articles_image() {
    let placeholder = "http://BASE";
    let with_content = |link: &str, content: &str, declared: Option<&str>| Item {
        title: format!("Item {link}"),
        link: link.to_string(),
        pub_date: Some("Mon, 02 Sep 2024 10:00:00 +0000".into()),
        description: Some(format!("<![CDATA[<p>Text.</p>{content}]]>")),
        image: declared.map(str::to_string),
        ..Item::default()
    };
    let feed = rss(&[
        with_content(
            "https://news.example.org/matomo",
            r#"<img src="https://analytics.example.org/matomo.php?idsite=3&amp;rec=1&amp;action_name=Post" alt=""><img src="https://news.example.org/up/figure.jpg" width="800">"#,
            None,
        ),
        with_content(
            "https://news.example.org/counters",
            r#"<img src="https://feeds.feedburner.com/~r/Example/~4/AbC.gif"><img src="https://news.example.org/p.php?idsite=1&amp;action_name=x"><img src="https://www.example.org/__utm.gif?utmn=1"><img src="https://medium.com/_/stat?event=post.clientViewed"><img src="https://news.example.org/hidden.jpg" style="display:none"><img src="https://news.example.org/up/second.jpg">"#,
            None,
        ),
        with_content(
            "https://news.example.org/declared",
            r#"<img src="https://news.example.org/up/content.jpg">"#,
            Some("https://pixel.example.org/count.gif"),
        ),
        with_content(&format!("{placeholder}/page"), "", None),
    ]);
    let page = r#"<html><head>
        <meta property="og:image" content="/piwik.php?idsite=2&amp;rec=1">
        <meta name="twitter:image" content="/img/preview.jpg">
        </head><body></body></html>"#;
    // The page is on the feed's own host: the run reads its head.
    let holder = Arc::new(std::sync::OnceLock::<String>::new());
    let shared = holder.clone();
    let base = raw_server(move |mut stream| {
        let head = read_request_head(&mut stream);
        let path = head.split_whitespace().nth(1).unwrap_or("/");
        let base = shared.get().expect("the base URL is set").clone();
        let (content_type, body) = match path {
            "/feed.xml" => ("application/rss+xml", feed.replace(placeholder, &base)),
            _ => ("text/html", page.to_string()),
        };
        write_answer(&mut stream, content_type, body.as_bytes());
    });
    holder.set(base.clone()).unwrap();
    let site = Site::new(&config(&[(
        "Pixels",
        &format!("{base}/feed.xml"),
        "papers",
    )]));
    site.import(&[], 0);
    let all = articles(&site);
    assert_eq!(all.len(), 4);
    for (url, image) in [
        (
            "https://news.example.org/matomo".to_string(),
            "https://news.example.org/up/figure.jpg".to_string(),
        ),
        (
            "https://news.example.org/counters".into(),
            "https://news.example.org/up/second.jpg".into(),
        ),
        (
            "https://news.example.org/declared".into(),
            "https://news.example.org/up/content.jpg".into(),
        ),
        (format!("{base}/page"), format!("{base}/img/preview.jpg")),
    ] {
        let (front, body) = by_source(&all, &url);
        assert_eq!(text(front, "imageUrl"), image, "{url}");
        assert!(body.contains(&format!("]({image})")), "{body}");
    }
}
