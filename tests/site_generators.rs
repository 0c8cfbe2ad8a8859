//! Sites built by the generators the presets write for. For each of Hugo,
//! Jekyll, Eleventy and Astro: a minimal site, a feed of two items served
//! on loopback, a real `feedimport run` with the generator's preset, the
//! generator's own build, and the built pages read back: each at the
//! permalink the preset promises, with its title escaped as HTML, the long
//! French date, its image (or none), and no tag or template tag that came
//! from the feed.
//!
//! Each test needs its generator, so all four are ignored, and `.ci/run`
//! installs what they need and runs them. Hugo and Jekyll are Debian
//! packages (`apt-get install hugo jekyll`). Eleventy and Astro come from
//! npm: `.ci/run` installs node and npm, and the first of these tests
//! installs the two packages, at fixed versions, once into the target
//! folder, reused by later runs. Only that install reaches the network (the
//! npm registry); no build does: the sites use no theme, module or remote
//! image, and telemetry and update checks are off.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use common::requires;
use common::{Item, Site, finish_within, rss, serve};
use wiremock::MockServer;

/// How long an npm install or a generator's build may run before the test
/// calls it a hang. It bounds a hang, not a speed: the builds take seconds.
const BUILD_HANG: Duration = Duration::from_secs(600);

/// The section of the feed: the first folder of every permalink.
const SECTION: &str = "news";

const IMAGE: &str = "https://img.example.org/a1.jpg";

/// What the page of one of the two items must show.
struct Expected {
    /// The local day (Europe/Paris) that starts the file name.
    day: &'static str,
    long_date: &'static str,
    image: bool,
    /// Text the body must show as it is: template tags from the feed that a
    /// generator would run if they reached it unescaped.
    body_text: &'static [&'static str],
}

const ARTICLES: [Expected; 2] = [
    Expected {
        day: "2024-09-02",
        long_date: "2 septembre 2024",
        image: true,
        body_text: &[
            "{{ x }}",
            "{% include nope.html %}",
            "{# note #}",
            "{{< figure",
        ],
    },
    // 23:30 UTC on 1 December is 2 December in Paris.
    Expected {
        day: "2024-12-02",
        long_date: "2 décembre 2024",
        image: false,
        body_text: &["1 < 2 && {{ x }}", "{%- raw -%}"],
    },
];

/// Two items whose titles have quotes, colons, accents, a `<` and a script,
/// and whose summaries have the template tags of Liquid (Jekyll, Eleventy),
/// Nunjucks and Hugo's shortcodes. The first has an image, the second none.
fn feed() -> String {
    rss(&[
        Item {
            image: Some(IMAGE.into()),
            description: Some(
                "First: {{ x }} {% include nope.html %} {# note #} {{&lt; figure src=\"x\" &gt;}}."
                    .into(),
            ),
            ..Item::new(
                "Café &amp;amp; crème : l’été \"chaud\" (p&amp;lt;0.001) &amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; {{ site.title }}",
                "https://news.example.org/a/1",
                "Mon, 02 Sep 2024 10:13:01 +0000",
            )
        },
        Item {
            description: Some("Second: 1 &lt; 2 &amp;&amp; {{ x }} {%- raw -%}".into()),
            ..Item::new(
                "<![CDATA[Naïveté : « p < 0.05 » — l'étude <script>alert(2)</script> {% raw %}]]>",
                "https://news.example.org/a/2",
                "Sun, 01 Dec 2024 23:30:00 +0000",
            )
        },
    ])
}

/// A site folder: in the system's temp folder, or in `parent` (where the
/// npm generators find their packages, in a `node_modules` above it).
fn site_folder(parent: Option<&Path>) -> Site {
    let dir = match parent {
        Some(parent) => {
            std::fs::create_dir_all(parent).unwrap();
            tempfile::tempdir_in(parent).unwrap()
        }
        None => tempfile::tempdir().unwrap(),
    };
    Site { dir }
}

/// Serves the feed on loopback and runs `feedimport run` in `site` with
/// `preset`, writing into `content_dir`. Returns the article files, by
/// path inside `content_dir`, with their text.
async fn import(site: &Site, preset: &str, content_dir: &str) -> Vec<(PathBuf, String)> {
    let server = MockServer::start().await;
    serve(&server, "/feed.xml", "application/rss+xml", &feed()).await;
    site.write(
        "feeds.toml",
        &format!(
            "content_dir = {content_dir:?}\nstate_dir = \".feedimport\"\ntimezone = \"Europe/Paris\"\n\n\
             [output]\npreset = {preset:?}\n\n\
             [[feeds]]\nname = \"Test\"\nurl = \"{}/feed.xml\"\nsection = {SECTION:?}\n",
            server.uri()
        ),
    );
    site.import(&[], 0);
    let root = site.path().join(content_dir);
    let mut files = Vec::new();
    markdown_files(&root, &root, &mut files);
    files.sort();
    assert_eq!(files.len(), 2, "{preset}: article files {files:#?}");
    files
}

fn markdown_files(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            markdown_files(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path.strip_prefix(root).unwrap().to_path_buf(), text));
        }
    }
}

/// The title and the `permalink` key (if any) of an article file, read with
/// the TOML or the YAML parser as its fence says.
fn title_and_permalink(text: &str) -> (String, Option<String>) {
    if let Some(rest) = text.strip_prefix("+++\n") {
        let end = rest.find("\n+++\n").expect("TOML front matter ends");
        let table: toml::Table = rest[..end].parse().expect("TOML front matter");
        let text_of = |key: &str| table.get(key).and_then(|v| v.as_str()).map(String::from);
        (text_of("title").expect("a title"), text_of("permalink"))
    } else {
        let map = common::front_matter(text);
        let text_of = |key: &str| map.get(key).and_then(|v| v.as_str()).map(String::from);
        (text_of("title").expect("a title"), text_of("permalink"))
    }
}

/// Checks the built site in `output_dir` of `site` against the article
/// files: one page per file, at `/<section>/<file name without .md>/` (the
/// presets' permalink, which Hugo and Astro derive from the file's place
/// and Jekyll and Eleventy read from the `permalink` key).
fn check_site(generator: &str, site: &Site, output_dir: &str, files: &[(PathBuf, String)]) {
    let output = site.path().join(output_dir);
    let built = std::fs::read_dir(output.join(SECTION))
        .map(|entries| {
            entries
                .filter(|e| e.as_ref().unwrap().path().is_dir())
                .count()
        })
        .unwrap_or(0);
    assert_eq!(built, 2, "{generator}: pages in {}", output.display());
    // What the page's escaping is tried on reached the titles.
    let titles: String = files
        .iter()
        .map(|(_, t)| title_and_permalink(t).0)
        .collect();
    for hazard in ["\"", "'", ":", "é", "<", "{{", "{%"] {
        assert!(titles.contains(hazard), "{hazard} in no title: {titles}");
    }
    for (path, text) in files {
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let expected = ARTICLES
            .iter()
            .find(|a| stem.starts_with(&format!("{}-", a.day)))
            .unwrap_or_else(|| panic!("{generator}: no item has the day of {stem}"));
        let permalink = format!("/{SECTION}/{stem}/");
        let (title, key) = title_and_permalink(text);
        if let Some(key) = key {
            assert_eq!(key, permalink, "{generator}: {}", path.display());
        }
        let page_path = output.join(SECTION).join(stem).join("index.html");
        let page = std::fs::read_to_string(&page_path).unwrap_or_else(|e| {
            panic!(
                "{generator}: no page at {permalink} ({}): {e}",
                page_path.display()
            )
        });
        check_page(generator, &page, &title, expected);
    }
}

fn check_page(generator: &str, page: &str, title: &str, expected: &Expected) {
    let context = format!("{generator}, page of {title:?}:\n{page}");
    let h1 = between(page, "<h1 id=\"title\">", "</h1>").expect(&context);
    assert!(!h1.contains('<'), "title not escaped: {context}");
    assert_eq!(decode(h1), title, "{context}");
    let date = between(page, "<p id=\"date\">", "</p>").expect(&context);
    assert_eq!(decode(date).trim(), expected.long_date, "{context}");
    if expected.image {
        assert!(
            page.contains(&format!("<img id=\"hero\" src=\"{IMAGE}\"")),
            "no image from the front matter: {context}"
        );
        assert_eq!(
            page.matches(&format!("src=\"{IMAGE}\"")).count(),
            2,
            "the front matter's image and the body's: {context}"
        );
        // The body's image describes itself with the title, as the same
        // text in every generator: no backslash or reference shown, no
        // tag, the few signs Markdown would read as lookalikes.
        let body_image = page
            .match_indices(&format!("src=\"{IMAGE}\""))
            .map(|(i, _)| &page[page[..i].rfind("<img").unwrap()..])
            .find(|tag| !tag.starts_with("<img id=\"hero\""))
            .expect(&context);
        let alt = between(body_image, "alt=\"", "\"").expect(&context);
        assert_eq!(decode(alt), alt_of(title), "{context}");
    } else {
        assert!(!page.contains("<img"), "an image: {context}");
    }
    assert!(
        !page.to_ascii_lowercase().contains("<script"),
        "a script: {context}"
    );
    let start = page.find("<div id=\"body\">").expect(&context) + "<div id=\"body\">".len();
    let end = page.rfind("</div>").expect(&context);
    let body = decode(&strip_tags(&page[start..end]));
    for text in expected.body_text {
        assert!(
            body.contains(text),
            "{text:?} not shown as text in {body:?}: {context}"
        );
    }
}

/// The title as an image's description shows it: the presets' `alt`
/// filter's lookalikes for what Markdown or a generator would read.
fn alt_of(title: &str) -> String {
    let title = title
        .replace("...", "…")
        .replace("--", "–")
        .replace("<<", "«")
        .replace(">>", "»");
    let mut out = String::new();
    let mut previous: Option<char> = None;
    for (i, c) in title.char_indices() {
        let rest = &title[i + c.len_utf8()..];
        let opens = previous.is_none_or(|p| p.is_whitespace() || "([{«‘“".contains(p));
        previous = Some(c);
        out.push(match c {
            '"' if opens => '“',
            '"' => '”',
            '\'' => '’',
            '[' => '(',
            ']' => ')',
            '\\' => '/',
            '*' => '∗',
            '`' => 'ʼ',
            '<' if rest.starts_with(|n: char| n.is_ascii_alphabetic() || "/!?\\".contains(n)) => {
                '＜'
            }
            '{' if rest.starts_with(['{', '%', '#']) => '｛',
            c => c,
        });
    }
    out
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = from + text[from..].find(end)?;
    Some(&text[from..to])
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// HTML text with its character references decoded: the five of XML, the
/// numeric ones, and the few typographic ones the generators write.
fn decode(html: &str) -> String {
    quick_xml::escape::unescape_with(html, |entity| {
        quick_xml::escape::resolve_predefined_entity(entity).or(match entity {
            "nbsp" => Some("\u{a0}"),
            "laquo" => Some("«"),
            "raquo" => Some("»"),
            "lsquo" => Some("‘"),
            "rsquo" => Some("’"),
            "ldquo" => Some("“"),
            "rdquo" => Some("”"),
            "ndash" => Some("–"),
            "mdash" => Some("—"),
            "hellip" => Some("…"),
            _ => None,
        })
    })
    .unwrap_or_else(|e| panic!("{html:?}: {e}"))
    .into_owned()
}

/// Runs a generator's build (or an install) and checks it succeeds. No
/// telemetry and no update check: the build stays off the network.
fn build(what: &str, mut command: Command) -> Output {
    let child = command
        .env("ASTRO_TELEMETRY_DISABLED", "1")
        .env("DO_NOT_TRACK", "1")
        .env("NO_UPDATE_NOTIFIER", "1")
        .env("npm_config_update_notifier", "false")
        .env("npm_config_fund", "false")
        .env("npm_config_audit", "false")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    finish_within(child, BUILD_HANG, what)
}

fn build_ok(what: &str, command: Command) {
    let output = build(what, command);
    assert!(
        output.status.success(),
        "{what} failed ({})\nstdout: {}\nstderr: {}",
        output.status,
        common::stdout(&output),
        common::stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Hugo (Debian's hugo package): .ci/run installs it"]
async fn hugo_builds_the_articles_at_their_permalinks() {
    requires::program("hugo", "version", "apt-get install hugo");
    let site = site_folder(None);
    site.write(
        "hugo.toml",
        "baseURL = \"https://example.org/\"\nlanguageCode = \"fr\"\ntitle = \"Site\"\n\
         disableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\", \"robotsTXT\", \"404\"]\n",
    );
    // Hugo keeps a page's own front matter keys in .Params, by lowercase
    // name, in every version.
    site.write(
        "layouts/_default/single.html",
        "<!DOCTYPE html>\n<html><head><title>{{ .Title }}</title></head><body>\n\
         <h1 id=\"title\">{{ .Title }}</h1>\n\
         <p id=\"date\">{{ .Params.publisheddate }}</p>\n\
         {{ range .Params.images }}<img id=\"hero\" src=\"{{ . }}\">{{ end }}\n\
         <div id=\"body\">{{ .Content }}</div>\n</body></html>\n",
    );
    site.write(
        "layouts/_default/list.html",
        "<ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>\n",
    );
    let files = import(&site, "hugo", "content").await;
    let mut hugo = Command::new("hugo");
    hugo.args(["--quiet", "--source"])
        .arg(site.path())
        .args(["--destination", "public"]);
    build_ok("hugo", hugo);
    check_site("hugo", &site, "public", &files);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Jekyll (Debian's jekyll package): .ci/run installs it"]
async fn jekyll_builds_the_articles_at_their_permalinks() {
    requires::program("jekyll", "--version", "apt-get install jekyll");
    let site = site_folder(None);
    // The site's root is `site/`: the preset's `_posts/` lands there.
    site.write("site/_config.yml", "title: Site\nmarkdown: kramdown\n");
    // Liquid prints as it is: the layout escapes.
    site.write(
        "site/_layouts/post.html",
        "<!DOCTYPE html>\n<html><head><title>{{ page.title | escape }}</title></head><body>\n\
         <h1 id=\"title\">{{ page.title | escape }}</h1>\n\
         <p id=\"date\">{{ page.published_date | escape }}</p>\n\
         {% if page.image != \"\" %}<img id=\"hero\" src=\"{{ page.image | escape }}\">{% endif %}\n\
         <div id=\"body\">{{ content }}</div>\n</body></html>\n",
    );
    let files = import(&site, "jekyll", "site").await;
    let mut jekyll = Command::new("jekyll");
    jekyll
        .args([
            "build",
            "--quiet",
            "--safe",
            "--disable-disk-cache",
            "--source",
        ])
        .arg(site.path().join("site"))
        .arg("--destination")
        .arg(site.path().join("_site"));
    build_ok("jekyll build", jekyll);
    check_site("jekyll", &site, "_site", &files);
}

/// The npm packages, at the versions the tests were written against.
const NPM_PACKAGES: [(&str, &str); 2] = [("@11ty/eleventy", "3.1.8"), ("astro", "5.18.2")];

/// The folder whose `node_modules` holds [`NPM_PACKAGES`]: installed once
/// per target folder and reused. Panics without node and npm, or when the
/// install fails (no registry).
fn node_packages() -> PathBuf {
    // The tests of one run share one install.
    static INSTALL: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("site-generators");
    let installed = |root: &Path| {
        NPM_PACKAGES.iter().all(|(name, version)| {
            std::fs::read_to_string(root.join("node_modules").join(name).join("package.json"))
                .ok()
                .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
                .is_some_and(|json| json["version"] == *version)
        })
    };
    let how = "apt-get install nodejs npm; .ci/run installs them";
    requires::program("node", "--version", how);
    if installed(&root) {
        return root;
    }
    requires::program("npm", "--version", how);
    // Installed beside, then moved into place whole: an install cut short
    // is never taken for a good one.
    let staging = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    std::fs::write(
        staging.path().join("package.json"),
        "{ \"name\": \"site-generators\", \"private\": true }\n",
    )
    .unwrap();
    let mut npm = Command::new("npm");
    npm.args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
        .args(NPM_PACKAGES.iter().map(|(n, v)| format!("{n}@{v}")))
        .current_dir(staging.path());
    let output = build("npm install", npm);
    assert!(
        output.status.success() && installed(staging.path()),
        "npm could not install {NPM_PACKAGES:?} (is the npm registry reachable?): {}\n{}",
        output.status,
        common::stderr(&output)
    );
    if root.exists() {
        std::fs::remove_dir_all(&root).unwrap();
    }
    let staged = staging.keep();
    if let Err(e) = std::fs::rename(&staged, &root) {
        // Another run of these tests moved its own install in first.
        std::fs::remove_dir_all(&staged).unwrap();
        assert!(installed(&root), "{}: {e}", root.display());
    }
    root
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs node and npm, and the npm registry to install Eleventy once: .ci/run installs node and npm"]
async fn eleventy_builds_the_articles_at_their_permalinks() {
    let packages = node_packages();
    let site = site_folder(Some(&packages.join("sites")));
    site.write(
        "package.json",
        "{ \"name\": \"site\", \"private\": true, \"type\": \"module\",\n  \"dependencies\": { \"@11ty/eleventy\": \"^3.1.8\" } }\n",
    );
    // Every article gets the layout; feedimport's files name none.
    site.write(
        "eleventy.config.js",
        "export default function (eleventyConfig) {\n  \
         eleventyConfig.addGlobalData(\"layout\", \"post.njk\");\n  \
         return { dir: { input: \"content\", output: \"_site\" } };\n}\n",
    );
    // Nunjucks escapes what it prints, but `content` (HTML already).
    site.write(
        "content/_includes/post.njk",
        "<!DOCTYPE html>\n<html><head><title>{{ title }}</title></head><body>\n\
         <h1 id=\"title\">{{ title }}</h1>\n\
         <p id=\"date\">{{ publishedDate }}</p>\n\
         {% if image %}<img id=\"hero\" src=\"{{ image }}\">{% endif %}\n\
         <div id=\"body\">{{ content | safe }}</div>\n</body></html>\n",
    );
    let files = import(&site, "eleventy", "content").await;
    let mut eleventy = Command::new("node");
    eleventy
        .arg(packages.join("node_modules/@11ty/eleventy/cmd.cjs"))
        .arg("--quiet")
        .current_dir(site.path());
    build_ok("eleventy", eleventy);
    check_site("eleventy", &site, "_site", &files);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs node and npm, and the npm registry to install Astro once: .ci/run installs node and npm"]
async fn astro_builds_the_articles_at_their_permalinks() {
    let packages = node_packages();
    let site = site_folder(Some(&packages.join("sites")));
    site.write(
        "package.json",
        "{ \"name\": \"site\", \"private\": true, \"type\": \"module\",\n  \"dependencies\": { \"astro\": \"^5.18.2\" } }\n",
    );
    site.write(
        "astro.config.mjs",
        "import { defineConfig } from \"astro/config\";\nexport default defineConfig({ trailingSlash: \"always\" });\n",
    );
    // The schema of the preset's front matter. An entry's id is its path
    // in the collection's folder: `<section>/<date>-<slug>`.
    site.write(
        "src/content.config.ts",
        r#"import { defineCollection, z } from "astro:content";
import { glob } from "astro/loaders";

const articles = defineCollection({
  loader: glob({ pattern: "**/*.md", base: "./src/content/articles" }),
  schema: z.object({
    title: z.string(),
    description: z.string(),
    pubDate: z.coerce.date(),
    heroImage: z.string().optional(),
    imageCredit: z.string().optional(),
    publishedDate: z.string(),
    sourceUrl: z.string().url(),
    tags: z.array(z.string()),
    categories: z.array(z.string()),
    author: z.string(),
  }),
});

export const collections = { articles };
"#,
    );
    site.write(
        "src/pages/[...id].astro",
        r#"---
import { getCollection, render } from "astro:content";
export async function getStaticPaths() {
  const entries = await getCollection("articles");
  return entries.map((entry) => ({ params: { id: entry.id }, props: { entry } }));
}
const { entry } = Astro.props;
const { Content } = await render(entry);
---
<html><head><title>{entry.data.title}</title></head><body>
<h1 id="title">{entry.data.title}</h1>
<p id="date">{entry.data.publishedDate}</p>
{entry.data.heroImage && <img id="hero" src={entry.data.heroImage} />}
<div id="body"><Content /></div>
</body></html>
"#,
    );
    let files = import(&site, "astro", "src/content/articles").await;
    let mut astro = Command::new("node");
    astro
        .arg(packages.join("node_modules/astro/astro.js"))
        .arg("build")
        .current_dir(site.path());
    build_ok("astro build", astro);
    check_site("astro", &site, "dist", &files);
}
