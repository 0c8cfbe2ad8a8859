//! WordPress-style feeds generated in memory for the benchmarks: titles with
//! entities, excerpts ending in `[&#8230;]`, 2–6 KB of `content:encoded`,
//! half the items with a `media:content` image.

#![allow(dead_code)] // each bench uses part of it

/// A feed of `items` items from feed number `feed`, pages at `base`.
pub fn wordpress_feed(feed: usize, items: usize, base: &str) -> String {
    let mut xml = String::with_capacity(items * 6000);
    xml.push_str(&format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Bench feed {feed}</title><link>{base}/</link><description>d</description>
"#
    ));
    for item in 0..items {
        let image = if item % 2 == 0 {
            format!(
                r#"<media:content url="https://img.example/{feed}/{item}.jpg" medium="image" width="1200" height="800"/>"#
            )
        } else {
            String::new()
        };
        let paragraph = "<p>Interventional radiology teams reported outcomes of the procedure in a multicentre registry, with follow-up at &#8220;twelve months&#8221; and a <a href=\"https://ref.example/x\">link</a>.</p>\n";
        xml.push_str(&format!(
            r#"<item><title>Study {feed}-{item} shows survival benefit of TARE &#8211; results &amp; analysis</title>
<link>{base}/{feed}/{item}/</link><dc:creator><![CDATA[Author]]></dc:creator>
<pubDate>Mon, {day:02} Sep 2024 {hour:02}:13:01 +0200</pubDate><guid isPermaLink="false">{base}/?p={feed}{item}</guid>
<description><![CDATA[<p>Updating on a previous meta-analysis, new data pooled survival estimates of patients undergoing transarterial radioembolization (TARE) for unresectable intrahepatic cholangiocarcinoma, item {item} [&#8230;]</p>]]></description>
<content:encoded><![CDATA[<figure><img src="https://img.example/{feed}/{item}-inline.jpg" srcset="a 300w, b 1024w"/><figcaption>Caption</figcaption></figure>{paragraphs}]]></content:encoded>
{image}</item>
"#,
            day = 1 + item % 28,
            hour = item % 24,
            paragraphs = paragraph.repeat(4 + item % 20),
        ));
    }
    xml.push_str("</channel></rss>\n");
    xml
}

/// The head of an article page with its og:image, as WordPress and Yoast
/// write it (inline CSS and JSON-LD before the meta tags).
pub fn article_page(image: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="en-GB"><head><meta charset="UTF-8"><title>Post</title>
<style>{css}</style><script type="application/ld+json">{{"@context":"https://schema.org","@graph":[{{"@type":"Article"}}]}}</script>
<meta property="og:type" content="article" /><meta property="og:image" content="{image}" />
<meta name="twitter:card" content="summary_large_image" /></head><body>{body}</body></html>"#,
        css = "body{margin:0;padding:0}.a{color:red}\n".repeat(300),
        body = "<p>Article text.</p>".repeat(600),
    )
}
