//! Items that share a link are different items: a podcast whose episodes
//! all link to the show's home page, a blog whose posts differ only in the
//! link's `#fragment`, a sponsor's link listed twice. And item images a
//! feed declares however it is written (`itunes:image` alone).

mod common;

use common::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const RSS: &str = "application/rss+xml; charset=UTF-8";

/// A site with one feed per (name, route, body), served on loopback.
async fn site_with(feeds: &[(&str, &str, String)]) -> (MockServer, Site) {
    let server = MockServer::start().await;
    let mut entries = Vec::new();
    for (name, route, body) in feeds {
        serve(&server, route, RSS, body).await;
        entries.push((name.to_string(), format!("{}{route}", server.uri())));
    }
    let list: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|(n, u)| (n.as_str(), u.as_str(), "papers"))
        .collect();
    let mut text = config(&list);
    // Article pages are not part of these tests.
    text = text.replace(
        "section = \"papers\"\n",
        "section = \"papers\"\narticle_images = false\n",
    );
    (server, Site::new(&text))
}

/// An RSS document whose items are written as given (raw XML).
fn rss_of(items: &[String]) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
<title>Show</title><link>https://show.example.org/</link><description>d</description>
{}
</channel></rss>
"#,
        items.concat()
    )
}

fn episode(n: usize, link: &str, guid: &str, permalink: bool) -> String {
    format!(
        "<item><title>Episode {n}</title><link>{link}</link><guid isPermaLink=\"{permalink}\">{guid}</guid><pubDate>Mon, 0{n} Sep 2024 10:00:00 +0000</pubDate><description>Notes of episode {n}.</description></item>\n"
    )
}

fn source_urls(site: &Site) -> Vec<String> {
    let mut urls: Vec<String> = site
        .content()
        .values()
        .map(|text| {
            front_matter(text)["sourceUrl"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    urls.sort();
    urls
}

#[tokio::test(flavor = "multi_thread")]
async fn podcast_episodes_that_all_link_to_the_home_page_are_each_imported() {
    let home = "https://show.example.org/";
    let items = vec![
        // A GUID that is a permalink of its own: it becomes the sourceUrl.
        episode(1, home, "https://show.example.org/episodes/1", true),
        episode(2, home, "https://show.example.org/episodes/2", true),
        // Opaque GUIDs: the shared link is the sourceUrl.
        episode(3, home, "tag:show.example.org,2024:3", false),
        episode(4, home, "4f1c7b0e-9a52-4c1e-8f3e-2f8b4c1d9e03", false),
        // An episode with a link of its own is unchanged.
        episode(5, "https://show.example.org/episodes/5", "ep-5", false),
    ];
    let (_server, site) = site_with(&[("Show", "/feed/", rss_of(&items))]).await;
    site.import(&[], 0);
    assert_eq!(
        source_urls(&site),
        [
            "https://show.example.org/",
            "https://show.example.org/",
            "https://show.example.org/episodes/1",
            "https://show.example.org/episodes/2",
            "https://show.example.org/episodes/5",
        ]
    );
    // Told apart by their key: a second run imports nothing.
    let again = site.import(&["--json", "--force"], 0);
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["feeds"][0]["new"], 0, "{report}");
    assert_eq!(report["feeds"][0]["seen"], 5, "{report}");
    assert_eq!(site.content().len(), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_episode_with_the_shared_link_is_imported_on_a_later_run() {
    let home = "https://show.example.org/";
    let first = vec![
        episode(1, home, "guid-1", false),
        episode(2, home, "guid-2", false),
    ];
    let server = MockServer::start().await;
    let url = format!("{}/feed/", server.uri());
    let site = Site::new(&config(&[("Show", &url, "papers")]));
    let mounted = Mock::given(method("GET"))
        .and(path("/feed/"))
        .respond_with(ResponseTemplate::new(200).set_body_string(rss_of(&first)))
        .mount_as_scoped(&server)
        .await;
    site.import(&["--force"], 0);
    assert_eq!(site.content().len(), 2);
    drop(mounted);
    // The show's next episode; the oldest has left the feed.
    let second = vec![
        episode(3, home, "guid-3", false),
        episode(2, home, "guid-2", false),
    ];
    serve(&server, "/feed/", RSS, &rss_of(&second)).await;
    site.import(&["--force"], 0);
    let titles: Vec<String> = site
        .content()
        .values()
        .map(|t| front_matter(t)["title"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert!(titles.contains(&"Episode 3".to_string()), "{titles:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn posts_that_differ_only_in_the_fragment_are_each_imported() {
    // No GUIDs: a notes page whose posts are anchors on one page.
    let post = |n: usize, anchor: &str| {
        format!(
            "<item><title>Note {n}</title><link>https://blog.example.org/notes{anchor}</link><pubDate>Mon, 0{n} Sep 2024 10:00:00 +0000</pubDate><description>Note number {n}.</description></item>\n"
        )
    };
    let items = vec![
        post(1, "#first"),
        post(2, "#second"),
        post(3, "#third"),
        post(4, ""),
    ];
    let (_server, site) = site_with(&[("Notes", "/feed/", rss_of(&items))]).await;
    site.import(&[], 0);
    assert_eq!(
        source_urls(&site),
        [
            "https://blog.example.org/notes",
            "https://blog.example.org/notes#first",
            "https://blog.example.org/notes#second",
            "https://blog.example.org/notes#third",
        ]
    );
    site.import(&[], 0);
    assert_eq!(site.content().len(), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sponsor_link_listed_twice_gives_two_articles_without_guids_too() {
    let sponsor = "https://sponsor.example.com/offer?ref=show";
    let item = |title: &str, link: &str, day: u32, guid: Option<&str>| {
        let guid = guid
            .map(|g| format!("<guid isPermaLink=\"false\">{g}</guid>"))
            .unwrap_or_default();
        format!(
            "<item><title>{title}</title><link>{link}</link>{guid}<pubDate>Mon, {day:02} Sep 2024 10:00:00 +0000</pubDate><description>{title}.</description></item>\n"
        )
    };
    let items = vec![
        item("This week: our sponsor", sponsor, 2, Some("s-1")),
        item(
            "A real post",
            "https://blog.example.org/post",
            3,
            Some("p-1"),
        ),
        item("Next week: our sponsor again", sponsor, 9, Some("s-2")),
        // The same twice without GUIDs: told apart by title.
        item("Sponsored: spring offer", sponsor, 10, None),
        item("Sponsored: summer offer", sponsor, 11, None),
    ];
    let (_server, site) = site_with(&[("Blog", "/feed/", rss_of(&items))]).await;
    site.import(&[], 0);
    assert_eq!(site.content().len(), 5, "{:?}", site.content().keys());
    site.import(&[], 0);
    assert_eq!(site.content().len(), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_own_link_still_deduplicates_across_feeds_and_a_shared_one_does_not() {
    let article = "https://news.example.org/story";
    let home = "https://show.example.org/";
    let a = rss_of(&[
        episode(1, article, "a-1", false),
        episode(2, home, "a-2", false),
    ]);
    // Feed B brings the same story (its own link) and two episodes that
    // share the home page link, one of which feed A had as its own link.
    let b = rss_of(&[
        episode(1, article, "b-1", false),
        episode(3, home, "b-3", false),
        episode(4, home, "b-4", false),
    ]);
    let (_server, site) = site_with(&[("A", "/a/", a), ("B", "/b/", b)]).await;
    let output = site.import(&["--json"], 0);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["feeds"][0]["new"], 2, "{report}");
    assert_eq!(report["feeds"][1]["new"], 2, "{report}");
    assert_eq!(report["feeds"][1]["seen"], 1, "{report}");
}

/// The images of a podcast's episodes, as declared in `item_image` (a
/// format of the episode number) under the channel's `namespaces`.
async fn episode_images(namespaces: &str, item_image: impl Fn(usize) -> String) -> Vec<String> {
    let items: String = (1..=3)
        .map(|n| {
            format!(
                "<item><title>Episode {n}</title><link>https://show.example.org/episodes/{n}</link><guid>ep-{n}</guid><pubDate>Mon, 0{n} Sep 2024 10:00:00 +0000</pubDate><description>Notes.</description>{}<enclosure url=\"https://cdn.example.org/audio/{n}.mp3\" type=\"audio/mpeg\" length=\"1000\"/></item>\n",
                item_image(n)
            )
        })
        .collect();
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" {namespaces}><channel><title>Show</title><link>https://show.example.org/</link><description>d</description>{items}</channel></rss>"
    );
    let (_server, site) = site_with(&[("Show", "/feed/", feed)]).await;
    site.import(&[], 0);
    let mut images: Vec<String> = site
        .content()
        .values()
        .map(|t| front_matter(t)["imageUrl"].as_str().unwrap().to_string())
        .collect();
    images.sort();
    images
}

const EPISODE_ART: [&str; 3] = [
    "https://cdn.example.org/art/1.jpg",
    "https://cdn.example.org/art/2.jpg",
    "https://cdn.example.org/art/3.jpg",
];

#[tokio::test(flavor = "multi_thread")]
async fn itunes_image_alone_is_each_episode_image() {
    let images = episode_images(
        r#"xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd""#,
        |n| format!("<itunes:image href=\"https://cdn.example.org/art/{n}.jpg\"/>"),
    )
    .await;
    assert_eq!(images, EPISODE_ART);
}

/// The iTunes namespace under another prefix, and Media RSS thumbnails
/// under another prefix: known by their namespace.
#[tokio::test(flavor = "multi_thread")]
async fn episode_images_are_found_whatever_the_prefix() {
    let itunes = episode_images(
        r#"xmlns:it="http://www.itunes.com/dtds/podcast-1.0.dtd""#,
        |n| format!("<it:image href=\"https://cdn.example.org/art/{n}.jpg\"/>"),
    )
    .await;
    assert_eq!(itunes, EPISODE_ART);
    let media = episode_images(r#"xmlns:m="http://search.yahoo.com/mrss/""#, |n| {
        format!("<m:thumbnail url=\"https://cdn.example.org/art/{n}.jpg\"/>")
    })
    .await;
    assert_eq!(media, EPISODE_ART);
}

#[tokio::test(flavor = "multi_thread")]
async fn episodes_with_a_shared_link_are_not_written_twice_after_the_state_is_lost() {
    let home = "https://show.example.org/";
    let items: Vec<String> = (1..=4)
        .map(|n| episode(n, home, &format!("guid-{n}"), false))
        .collect();
    let (_server, site) = site_with(&[("Show", "/feed/", rss_of(&items))]).await;
    site.import(&[], 0);
    let before = site.content();
    assert_eq!(before.len(), 4);
    std::fs::remove_dir_all(site.path().join(".feedimport")).unwrap();
    site.import(&[], 0);
    // Each file is found again under its own name: none is written twice.
    assert_eq!(site.content(), before);
}

/// Podcast episodes with a GUID that is no URL and an audio file, but no
/// `<link>`: each is imported once, under the show's site, and a second
/// run imports none again. An item with nothing to know it by is skipped,
/// and said.
#[tokio::test(flavor = "multi_thread")]
async fn episodes_without_a_link_are_imported_once() {
    let episode = |n: usize| {
        format!(
            "<item><title>Épisode {n}</title><guid isPermaLink=\"false\">{n}c1f2a7e-opaque</guid><enclosure url=\"https://cdn.example.org/ep{n}.mp3\" type=\"audio/mpeg\" length=\"{n}000\"/><pubDate>Mon, 0{n} Sep 2024 10:00:00 +0000</pubDate></item>\n"
        )
    };
    let mut items: Vec<String> = (1..=3).map(episode).collect();
    items.push(
        "<item><title>Nothing to know it by</title><description>x</description></item>\n".into(),
    );
    let (_server, site) = site_with(&[("Show", "/feed.xml", rss_of(&items))]).await;
    let output = site.import(&["--json"], 0);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["feeds"][0]["new"], 3, "{report}");
    assert_eq!(report["feeds"][0]["skipped"], 1, "{report}");
    assert_eq!(
        source_urls(&site),
        ["https://show.example.org/"; 3].map(String::from)
    );
    let output = site.import(&["--force", "--json"], 0);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["feeds"][0]["new"], 0, "{report}");
    assert_eq!(site.content().len(), 3);
}
