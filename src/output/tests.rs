//! The outputs: the default preset gives the example file byte for byte,
//! each preset its golden file, and every template that cannot work is
//! refused with its file, line and column.

use std::path::Path;

use super::markdown::links_and_html;
use std::sync::Arc;

use super::compile::*;
use super::format::*;
use super::*;
use crate::article::Article;
use crate::article::{ArticleImage, FeedAbout};
use crate::config::output::{DEFAULT_PATH, OutputSpec, Preset, TemplateSource};
use crate::util::escape::tests::HOSTILE_URLS;
use crate::util::locale::SiteLocale;
use crate::util::{escape, locale};

const EXAMPLE: &str = include_str!("../../tests/fixtures/interventional-news-2024-09-02.md");

/// The example item's article, with what the example's front matter has
/// no key for (author, categories, the feed) filled in.
fn example_article() -> Article {
    let source_url = "https://interventionalnews.com/new-analysis-benchmarks-survival-rates-in-unresectable-intrahepatic-cholangiocarcinoma-patients-undergoing-tare/";
    Article {
        title: "New analysis benchmarks survival rates in unresectable intrahepatic cholangiocarcinoma patients undergoing TARE".into(),
        date: chrono::DateTime::parse_from_rfc3339("2024-09-02T10:13:01Z")
            .unwrap()
            .to_utc(),
        summary: "Updating on a previous meta-analysis, new data which pooled survival estimates of patients undergoing transarterial radioembolization (TARE) has shown the treatment to be a valid option for unresectable intrahepatic cholangiocarcinoma (ICCA), particularly if the patient is naïve to previous treatments. These results were recently published in the journal Cardiovascular and Interventional Radiology (CVIR).".into(),
        importance: String::new(),
        source_url: source_url.into(),
        tags: vec!["France".into(), "Actualité".into(), "Interventional News — Latest".into()],
        image: Some(ArticleImage {
            url: "http://interventionalnews.com/wp-content/uploads/sites/13/2024/09/IMG_4738-scaled-e1725272421524.jpg".into(),
            credit: format!("Image de l’article — droits possiblement réservés — {source_url}"),
        }),
        slug: crate::util::slug::title_slug("New analysis benchmarks survival rates in unresectable intrahepatic cholangiocarcinoma patients undergoing TARE"),
        local_date: chrono::NaiveDate::from_ymd_opt(2024, 9, 2).unwrap(),
        section: "papers".into(),
        author: "Jocelyn Hudson".into(),
        categories: vec!["Interventional Oncology".into(), "Latest News".into()],
        content_html: "<p>Updating on a <strong>previous</strong> meta-analysis.</p>".into(),
        content_base: None,
        enclosure: None,
        feed: FeedAbout {
            name: "Interventional News — Latest".into(),
            url: "https://interventionalnews.com/feed/".into(),
            title: "Interventional News".into(),
        },
        lang: "en-US".into(),
    }
}

/// `article` placed as its first candidate, and its file.
fn place_and_render(format: &OutputFormat, article: &Article) -> (Placement, String) {
    let placed = format.place(&Arc::new(article.clone()), 1).unwrap();
    let text = format.file_text(article, &placed).unwrap();
    (placed, text)
}

fn preset(preset: Preset) -> OutputFormat {
    OutputFormat::preset(preset, chrono_tz::Europe::Paris).unwrap()
}

#[test]
fn the_default_preset_gives_the_example_byte_for_byte() {
    let (placed, text) = place_and_render(&preset(Preset::Default), &example_article());
    assert_eq!(text, EXAMPLE);
    assert_eq!(
        placed.path,
        Path::new(
            "papers/2024-09-02-new-analysis-benchmarks-survival-rates-in-unresectable-intrahepatic-cholangiocarcinoma-patients-undergoing-tare.md"
        )
    );
    assert_eq!(
        placed.permalink,
        "/papers/2024-09-02-new-analysis-benchmarks-survival-rates-in-unresectable-intrahepatic-cholangiocarcinoma-patients-undergoing-tare"
    );
}

/// Each preset's file of the example article, against its golden file in
/// `tests/fixtures/presets/`. `UPDATE_GOLDEN=1` writes them anew (read
/// the diff before committing).
#[test]
fn each_preset_gives_its_golden_file() {
    for p in Preset::ALL {
        if p == Preset::Default {
            continue;
        }
        let (placed, text) = place_and_render(&preset(p), &example_article());
        let golden = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/presets")
            .join(format!("{}.md", p.name()));
        let with_path = format!("{}\n{text}", placed.path.display());
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&golden, &with_path).unwrap();
        }
        let expected = std::fs::read_to_string(&golden)
            .unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
        assert_eq!(with_path, expected, "{}", p.name());
    }
}

/// The Hugo preset's own keys are at the top of the front matter, where
/// every Hugo puts them in `.Params`: Hugo before 0.123 (Debian 12 has
/// 0.111) reads no `[params]` table, and its pages showed no date.
#[test]
fn hugo_preset_keeps_the_page_keys_at_the_top_level() {
    let (_, text) = place_and_render(&preset(Preset::Hugo), &example_article());
    let front = text
        .strip_prefix("+++\n")
        .and_then(|rest| rest.split_once("\n+++\n"))
        .unwrap()
        .0;
    let table: toml::Table = front.parse().unwrap();
    assert!(!table.contains_key("params"), "{front}");
    let article = example_article();
    let credit = &article.image.as_ref().unwrap().credit;
    for (key, value) in [
        ("publishedDate", "2 septembre 2024"),
        ("sourceUrl", article.source_url.as_str()),
        ("imageCredit", credit.as_str()),
    ] {
        assert_eq!(table[key].as_str(), Some(value), "{key}");
    }
}

/// Every preset: the front matter reads back the article's values, and no
/// URL of a hostile feed becomes a link of its own or raw HTML in the body.
#[test]
fn presets_keep_hostile_urls_inert() {
    for p in Preset::ALL {
        let format = preset(p);
        let mut article = example_article();
        let plain = place_and_render(&format, &article).1;
        for hostile in HOSTILE_URLS {
            article.source_url = escape::inert_url(hostile).into_owned();
            article.image.as_mut().unwrap().url = article.source_url.clone();
            let (_, text) = place_and_render(&format, &article);
            let fence = if text.starts_with("+++") {
                "\n+++\n"
            } else {
                "\n---\n"
            };
            let body = &text[text.find(fence).unwrap() + fence.len()..];
            let (links, html) = links_and_html(body);
            assert!(!html, "{}: {hostile:?}: raw HTML in\n{body}", p.name());
            for link in &links {
                assert!(
                    link.starts_with("http://") || link.starts_with("https://"),
                    "{}: {hostile:?}: {links:?}",
                    p.name()
                );
            }
            assert_eq!(
                text.lines().count(),
                plain.lines().count(),
                "{}: {hostile:?}\n{text}",
                p.name()
            );
            let front = front_matter::parse(&text).unwrap();
            assert!(
                front
                    .to_string()
                    .contains(&serde_json::to_string(&article.source_url).unwrap()),
                "{}: {hostile:?}",
                p.name()
            );
        }
    }
}

#[test]
fn presets_write_the_long_local_date_and_the_source_where_it_is_read_back() {
    let outputs = Outputs::compile(
        Preset::ALL.iter().map(|p| {
            let spec = OutputSpec {
                source: TemplateSource::Preset(*p),
                path: p.default_path().into(),
                permalink: p.default_permalink().into(),
                locale: SiteLocale::french(),
            };
            (p.name(), Box::leak(Box::new(spec)) as &OutputSpec)
        }),
        chrono_tz::Europe::Paris,
    )
    .unwrap();
    for (spec, format) in &outputs.formats {
        let (_, text) = place_and_render(format, &example_article());
        assert!(text.contains("2 septembre 2024"), "{:?}", spec.source);
        let (source, _) = outputs.read_back.read(&text).unwrap();
        assert_eq!(
            source.as_deref(),
            Some(example_article().source_url.as_str()),
            "{:?}",
            spec.source
        );
    }
}

fn spec_with(text: &str, path: &str, permalink: &str) -> (tempfile::TempDir, OutputSpec) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("article.md.j2");
    std::fs::write(&file, text).unwrap();
    let spec = OutputSpec {
        source: TemplateSource::File(file),
        path: path.into(),
        permalink: permalink.into(),
        locale: SiteLocale::french(),
    };
    (dir, spec)
}

fn compile_error(text: &str, path: &str, permalink: &str) -> String {
    let (_dir, spec) = spec_with(text, path, permalink);
    let error = Outputs::compile([("F", &spec)], chrono_tz::Europe::Paris).unwrap_err();
    crate::util::error_chain(&error)
}

const GOOD_FRONT: &str = "---\ntitle: {{ title | yaml }}\n---\n";

#[test]
fn templates_that_cannot_work_are_named_with_line_and_column() {
    for (template, expected) in [
        // Does not compile.
        ("---\ntitle: {{ title | yaml }\n---\n", ":2:"),
        ("---\n{% if title %}\n---\n", ":"),
        // An unknown filter, an unknown variable (strict).
        ("---\ntitle: {{ title | yamll }}\n---\n", ":2:"),
        ("---\ntitle: {{ titel | yaml }}\n---\n", ":2:"),
        ("---\nx: {{ feed.nam | yaml }}\n---\n", ":2:"),
        // A loop that never ends.
        (
            "---\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n---\n",
            "fuel",
        ),
        // A bad date format.
        ("---\nd: {{ date | date('%Q') | yaml }}\n---\n", ":2:"),
        // A label of no name the default preset knows.
        (
            "---\nt: {{ 'summery' | label | yaml }}\n---\n",
            "no label named",
        ),
    ] {
        let message = compile_error(template, DEFAULT_PATH, "/{{ slug }}");
        assert!(
            message.contains("feed \"F\"") && message.contains("article.md.j2"),
            "{template:?}: {message}"
        );
        assert!(message.contains(expected), "{template:?}: {message}");
    }
    let message = compile_error(
        "---\ntitle: {{ title | yamll }}\n---\n",
        DEFAULT_PATH,
        "/x/{{ slug }}",
    );
    assert!(message.contains("article.md.j2:2:"), "{message}");
    assert!(message.contains("unknown filter"), "{message}");
}

#[test]
fn front_matter_that_does_not_read_back_is_refused() {
    for template in [
        // Unquoted: a title with a colon or a new line breaks the YAML.
        "---\ntitle: {{ title }}\n---\n",
        "---\ntitle: \"{{ title }}\"\n---\n",
        "+++\ntitle = \"{{ title }}\"\n+++\n",
        "---\ntags: [{{ tags | join(', ') }}]\n---\n",
        // A summary on its own lines ends the front matter early.
        "---\ntitle: {{ title | json }}\nsummary: {{ summary }}\n---\n",
    ] {
        let message = compile_error(template, DEFAULT_PATH, "/{{ slug }}");
        assert!(
            message.contains("does not read back") || message.contains("does not parse"),
            "{template:?}: {message}"
        );
    }
    // Quoted with the filters: accepted, whatever the template adds.
    let (_dir, spec) = spec_with(
        "---\ntitle: {{ (title ~ ' | Site') | yaml }}\nlen: {{ title | length }}\nslug: {{ title | slug | yaml }}\n---\n",
        DEFAULT_PATH,
        "/{{ slug }}",
    );
    Outputs::compile([("F", &spec)], chrono_tz::Europe::Paris).unwrap();
}

#[test]
fn paths_that_lead_out_or_cannot_tell_articles_apart_are_refused() {
    for (path, expected) in [
        ("../{{ slug }}.md", "leads out"),
        ("{{ section }}/../../{{ slug }}.md", "leads out"),
        ("/etc/{{ slug }}.md", "absolute"),
        (
            "{{ section }}/{{ date_local }}.md",
            "same for every article",
        ),
        ("{{ section }}/{{ slug }}.html", "must end in"),
        ("{{ section }}/{{ slug }}", "must end in"),
    ] {
        let message = compile_error(GOOD_FRONT, path, "/{{ slug }}");
        assert!(message.contains(expected), "{path:?}: {message}");
    }
    let message = compile_error(GOOD_FRONT, DEFAULT_PATH, "/{{ section }}");
    assert!(message.contains("same for every article"), "{message}");
}

#[test]
fn characters_file_systems_refuse_are_replaced() {
    assert_eq!(
        safe_relative_path("news/a:b*c?d|e\"f<g>h\u{1}i.md").unwrap(),
        Path::new("news/a-b-c-d-e-f-g-h-i.md")
    );
    assert_eq!(
        safe_relative_path("a//b/./c.md").unwrap(),
        Path::new("a/b/c.md")
    );
    assert_eq!(safe_relative_path("a\\b.md").unwrap(), Path::new("a/b.md"));
    assert_eq!(
        safe_relative_path("a/.../b.md"),
        Err("has a part that is no file name")
    );
    assert_eq!(safe_relative_path(""), Err("is empty"));
    let deep = format!("{}a.md", "part/".repeat(300));
    assert_eq!(
        safe_relative_path(&deep),
        Err("is too long (over 1,024 bytes)")
    );
    for long in [
        format!("{}.md", "a".repeat(400)),
        format!("{}.md", "é".repeat(400)),
        format!("{}.md", "word-".repeat(100)),
    ] {
        let path = safe_relative_path(&long).unwrap();
        assert!(path.as_os_str().len() <= 255, "{}", path.display());
        assert_eq!(path.extension().unwrap(), "md");
    }
    // The usual shape is never cut: a 200-character slug after the date.
    let usual = format!("news/2024-09-02-{}-1000.md", "a".repeat(200));
    assert_eq!(safe_relative_path(&usual).unwrap(), Path::new(&usual));
}

#[test]
fn every_field_is_defined_for_an_item_that_lacks_it() {
    let (_dir, spec) = spec_with(
        "---\ntitle: {{ title | yaml }}\nauthor: {{ author | yaml }}\ncategories: {{ categories | yaml }}\nenclosure: {{ enclosure.url | yaml }}\ntype: {{ enclosure.type | yaml }}\nlength: {{ enclosure.length | yaml }}\nfeed: {{ feed.title | yaml }}\nlang: {{ lang | yaml }}\nlocale: {{ locale | yaml }}\ncontent: {{ content_markdown | yaml }}\nhtml: {{ content_html | yaml }}\n---\n",
        DEFAULT_PATH,
        "/{{ slug }}",
    );
    let outputs = Outputs::compile([("F", &spec)], chrono_tz::Europe::Paris).unwrap();
    let format = outputs.format(&spec).unwrap();
    let mut article = example_article();
    article.author.clear();
    article.categories.clear();
    article.content_html = "".into();
    article.lang.clear();
    article.feed.title.clear();
    let (_, text) = place_and_render(format, &article);
    let front = front_matter::parse(&text).unwrap();
    for key in [
        "author",
        "enclosure",
        "type",
        "length",
        "feed",
        "lang",
        "content",
        "html",
    ] {
        assert_eq!(front[key], "", "{key}: {text}");
    }
    assert_eq!(front["categories"], serde_json::json!([]));
    assert_eq!(front["locale"], "fr");
}

#[test]
fn the_full_text_is_safe_html_and_markdown() {
    let (_dir, spec) = spec_with(
        "---\ntitle: {{ title | yaml }}\n---\n\n{{ content_markdown }}\n\n<div>{{ content_html }}</div>\n",
        DEFAULT_PATH,
        "/{{ slug }}",
    );
    let outputs = Outputs::compile([("F", &spec)], chrono_tz::Europe::Paris).unwrap();
    let format = outputs.format(&spec).unwrap();
    let mut article = example_article();
    article.content_html = "<p>Text <b>bold</b> <script>alert(1)</script><a href=\"/rel\" onclick=\"x\">link</a> <img src=\"javascript:alert(1)\"></p>".into();
    let (_, text) = place_and_render(format, &article);
    assert!(
        text.contains("Text **bold** [link](https://interventionalnews.com/rel)"),
        "{text}"
    );
    assert!(
        !text.contains("script") && !text.contains("onclick") && !text.contains("javascript"),
        "{text}"
    );
}

/// Relative links and images of the full text resolve against the
/// `xml:base` in effect for the content when the feed gives one (RFC 4287,
/// 2), not against the article's page.
#[test]
fn the_full_text_resolves_against_its_xml_base() {
    let (_dir, spec) = spec_with(
        "---\ntitle: {{ title | yaml }}\n---\n\n{{ content_markdown }}\n",
        DEFAULT_PATH,
        "/{{ slug }}",
    );
    let outputs = Outputs::compile([("F", &spec)], chrono_tz::Europe::Paris).unwrap();
    let format = outputs.format(&spec).unwrap();
    let mut article = example_article();
    article.content_html =
        "<p><a href=\"notes/1\">note</a> <img src=\"figure.png\" alt=\"figure\"></p>".into();
    article.content_base = Some(url::Url::parse("https://base.example.org/media/").unwrap());
    let (_, text) = place_and_render(format, &article);
    assert!(
        text.contains("[note](https://base.example.org/media/notes/1)")
            && text.contains("![figure](https://base.example.org/media/figure.png)"),
        "{text}"
    );
}

/// The default preset writes one language per file: its headings and the
/// credit's label are the output's locale's, French only in French.
#[test]
fn the_default_preset_writes_its_labels_in_the_outputs_language() {
    let french = ["Crédit image", "L’essentiel", "Lien source"];
    for (tag, labels) in [
        (
            "fr",
            ["*Crédit image : ", "## L’essentiel", "## Lien source"],
        ),
        ("en", ["*Image credit: ", "## Key points", "## Source link"]),
        (
            "en-US",
            ["*Image credit: ", "## Key points", "## Source link"],
        ),
        ("de", ["*Bildnachweis: ", "## Das Wichtigste", "## Quelle"]),
        (
            "es",
            [
                "*Crédito de la imagen: ",
                "## Lo esencial",
                "## Enlace a la fuente",
            ],
        ),
    ] {
        let spec = OutputSpec {
            source: TemplateSource::Preset(Preset::Default),
            path: Preset::Default.default_path().to_string(),
            permalink: Preset::Default.default_permalink().to_string(),
            locale: SiteLocale::parse(tag).unwrap(),
        };
        let outputs = Outputs::compile([("F", &spec)], chrono_tz::Europe::Paris).unwrap();
        let (_, text) = place_and_render(outputs.format(&spec).unwrap(), &example_article());
        for label in labels {
            assert!(text.contains(label), "{tag}: {label}\n{text}");
        }
        if tag != "fr" {
            for word in french {
                assert!(!text.contains(word), "{tag}: {word}\n{text}");
            }
        }
    }
}

#[test]
fn locales_write_the_long_date_and_the_credit_in_their_language() {
    for (tag, expected) in [
        ("en", "2 September 2024"),
        ("de", "2. September 2024"),
        ("nl", "2 september 2024"),
    ] {
        let locale = SiteLocale::parse(tag).unwrap();
        assert_eq!(
            locale::long_date(
                chrono::NaiveDate::from_ymd_opt(2024, 9, 2).unwrap(),
                &locale
            ),
            expected
        );
        assert!(!locale.image_credit_prefix().contains("l’article"), "{tag}");
    }
}

/// The built-in path and permalink, made in Rust, give the names the
/// templates give.
#[test]
fn built_in_names_are_the_templates_names() {
    for permalink in [
        Preset::Default.default_permalink(),
        Preset::Hugo.default_permalink(),
    ] {
        let builtin = OutputSpec {
            source: TemplateSource::Preset(Preset::Default),
            path: DEFAULT_PATH.into(),
            permalink: permalink.into(),
            locale: SiteLocale::french(),
        };
        // The same templates, spelt otherwise: run as templates.
        let templated = OutputSpec {
            path: DEFAULT_PATH.replace("{{ ", "{{"),
            permalink: permalink.replace("{{ ", "{{"),
            ..builtin.clone()
        };
        let outputs = Outputs::compile(
            [("a", &builtin), ("b", &templated)],
            chrono_tz::Europe::Paris,
        )
        .unwrap();
        let (fast, slow) = (
            outputs.format(&builtin).unwrap(),
            outputs.format(&templated).unwrap(),
        );
        assert!(fast.builtin_names.is_some() && slow.builtin_names.is_none());
        let mut article = Arc::new(example_article());
        for (title, section, day) in [
            ("Crème brûlée: a study", "papers", 1),
            ("x", "a_b-2", 31),
            ("", "news", 9),
        ] {
            let a = Arc::make_mut(&mut article);
            a.slug = crate::util::slug::title_slug(title);
            a.section = section.into();
            a.local_date = chrono::NaiveDate::from_ymd_opt(2024, 12, day).unwrap();
            for attempt in [1, 2, 17] {
                assert_eq!(
                    fast.place(&article, attempt).unwrap(),
                    slow.place(&article, attempt).unwrap()
                );
            }
        }
    }
}

#[test]
fn every_value_a_feed_decides_is_checked_hostile() {
    // `lang` and `enclosure.type` unescaped in the front matter: a feed's
    // `<language>` or enclosure type would write a tag or break the YAML.
    for (template, key) in [
        (
            "---\ntitle: {{ title | yaml }}\nlang: {{ lang }}\n---\n",
            "lang",
        ),
        (
            "---\ntitle: {{ title | yaml }}\naudio: {{ enclosure.type }}\n---\n",
            "audio",
        ),
        (
            "---\ntitle: {{ title | yaml }}\nfeed: {{ feed.name }}\n---\n",
            "feed",
        ),
    ] {
        let message = compile_error(template, DEFAULT_PATH, "/{{ slug }}");
        assert!(
            message.contains(&format!("`{key}`")) || message.contains("does not parse"),
            "{template:?}: {message}"
        );
    }
    // A permalink holding a feed's text as it came: Liquid or Nunjucks
    // there is run by Eleventy, which renders its permalinks.
    for permalink in ["/{{ lang }}/{{ slug }}/", "/{{ title }}/{{ slug }}/"] {
        let message = compile_error(GOOD_FRONT, DEFAULT_PATH, permalink);
        assert!(
            message.contains("not a plain URL path"),
            "{permalink}: {message}"
        );
    }
    for (template, permalink) in [
        (
            "---\ntitle: {{ title | yaml }}\nlang: {{ lang | yaml }}\naudio: {{ enclosure | yaml }}\nfeed: {{ feed | yaml }}\n---\n",
            "/{{ lang | slug }}/{{ slug }}/",
        ),
        (GOOD_FRONT, "/{{ section }}/{{ date_local }}-{{ slug }}/"),
    ] {
        let (_dir, spec) = spec_with(template, DEFAULT_PATH, permalink);
        if let Err(error) = Outputs::compile([("F", &spec)], chrono_tz::Europe::Paris) {
            panic!(
                "{template:?} {permalink}: {}",
                crate::util::error_chain(&error)
            );
        }
    }
}

#[test]
fn permalinks_are_plain_url_paths() {
    for good in ["/papers/2024-09-02-a-title/", "/fr/actualité/a?x=1#top", ""] {
        assert_eq!(plain_permalink(good), Ok(()), "{good}");
    }
    for bad in [
        "/{{ x }}/",
        "/a b/",
        "/a\"b",
        "/<script>",
        "/a\nb",
        "/{% raw %}",
        "/a'b",
    ] {
        assert!(plain_permalink(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn a_failure_on_an_items_values_blames_the_item_and_a_templates_own_the_template() {
    // Works on the samples; fails on an item with 60,000 categories (out
    // of fuel) and on one whose author leads out of the content folder.
    let text = "---\ntitle: {{ title | yaml }}\ncategories: [{% for c in categories %}{{ c | yaml }}, {% endfor %}]\n---\n";
    let (_dir, spec) = spec_with(
        text,
        "{{ section }}/{{ author }}/{{ slug }}.md",
        "/{{ slug }}",
    );
    let outputs = Outputs::compile([("F", &spec)], chrono_tz::Europe::Paris).unwrap();
    let format = outputs.format(&spec).unwrap();
    let mut many = example_article();
    many.categories = (0..60_000).map(|i| format!("c{i}")).collect();
    let many = Arc::new(many);
    let placed = format.place(&many, 1).unwrap();
    let error = OutputError::from(format.placed_text(&many, &placed).unwrap_err());
    assert!(error.blames_item(), "{error}");
    assert!(error.to_string().contains(":3:"), "{error}");
    let mut out = example_article();
    out.author = "../../../x".into();
    let error = format.place(&Arc::new(out), 1).unwrap_err();
    assert!(error.blames_item(), "{error}");
    // An unknown filter no item can get past: the template's.
    let error = compile_error(
        "---\ntitle: {{ title | yamll }}\n---\n",
        DEFAULT_PATH,
        "/{{ slug }}",
    );
    assert!(error.contains("unknown filter"), "{error}");
    let (_dir, spec) = spec_with(
        "{% if lang == 'xx' %}{{ title | yamll }}{% endif %}",
        DEFAULT_PATH,
        "/{{ slug }}",
    );
    let outputs = Outputs::compile([("F", &spec)], chrono_tz::Europe::Paris).unwrap();
    let format = outputs.format(&spec).unwrap();
    let mut xx = example_article();
    xx.lang = "xx".into();
    let xx = Arc::new(xx);
    let placed = format.place(&xx, 1).unwrap();
    let error = OutputError::from(format.placed_text(&xx, &placed).unwrap_err());
    assert!(!error.blames_item(), "{error}");
}
