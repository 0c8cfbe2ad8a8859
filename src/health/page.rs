//! The health page: `feedimport status --html FILE`, one self-contained
//! HTML page an editor can open, publish with the site or mail.
//!
//! In: each feed's health, with its days ([`super::feeds`]). Out: the page, with inline CSS and SVG only: no script, nothing
//! loaded from elsewhere (its Content-Security-Policy forbids both), so it
//! works offline. First one table of every feed, a row each (state, last
//! success, articles and failures over the last [`DAYS`] days with a small
//! chart, image coverage, next due), so that a site of a hundred feeds
//! shows at a glance which matter; then each feed's details, folded but
//! for the failing ones: a chart of articles per day and one of failures,
//! last success and last error. Failing feeds first, times in the site's
//! time zone. Everything that comes from a feed or the config (names, URLs,
//! error messages) is escaped. The page is written atomically. Fails with
//! [`HealthError`] naming the file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::feeds::{DAYS, FeedHealth, first_day};
pub(crate) use super::words::PageLanguage;
use crate::store::Day;
/// Width of one day in the charts, in pixels.
const DAY_WIDTH: u64 = 6;
/// Height of the charts' bars at their tallest.
const CHART_HEIGHT: u64 = 48;

/// Why the page was not written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the health page {}{}", .path.display(), crate::util::fs::ownership_advice(.path, .source))]
pub(crate) struct HealthError {
    path: PathBuf,
    #[source]
    source: std::io::Error,
}

/// Writes the page of `health` (in config order) at `path`.
pub(crate) fn write_page(
    health: &[FeedHealth],
    now: DateTime<Utc>,
    site: PageSite,
    path: &Path,
) -> Result<(), HealthError> {
    let page = render_page(health, now, site);
    crate::write::files::replace_file(path, &page, ".feedimport-health-").map_err(|source| {
        HealthError {
            path: path.to_path_buf(),
            source,
        }
    })
}

const STYLE: &str = "
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#222;background:#fff}
h1{font-size:1.5em;margin-bottom:.2em}
.summary{color:#555;margin-top:0}
section.feed{border:1px solid #ddd;border-left:6px solid #3a7;border-radius:4px;padding:.6em 1em;margin:1em 0}
section.feed.failing{border-left-color:#c33}
section.feed.flagged{border-left-color:#900;background:#fff6f6}
h2{font-size:1.15em;margin:.2em 0 .4em}
.flag{font-size:.75em;color:#fff;background:#c33;border-radius:3px;padding:.1em .4em;vertical-align:middle}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;margin:.4em 0}
dt{color:#666}dd{margin:0;overflow-wrap:anywhere}
.error{color:#a11}
.meter{display:inline-block;width:8em;height:.7em;background:#eee;border-radius:2px;vertical-align:middle;margin-right:.5em}
.meter span{display:block;height:100%;background:#3a7;border-radius:2px}
figure{margin:.5em 0}figcaption{font-size:.85em;color:#555}
svg.chart{display:block;max-width:100%;height:auto}
svg .bar{fill:#3a7}svg .fail{fill:#c33}svg .fetched{fill:#bbb}
svg .axis{stroke:#999;stroke-width:1}
svg text{font:10px system-ui,sans-serif;fill:#666}
table.feeds{border-collapse:collapse;width:100%;font-size:.9em}
table.feeds th,table.feeds td{text-align:left;padding:.2em .5em;border-bottom:1px solid #eee;vertical-align:middle}
table.feeds th{color:#555;font-weight:600}
table.feeds td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.failing td:first-child{border-left:4px solid #c33}tr.flagged{background:#fff6f6}
tr.silent td:first-child{border-left:4px solid #e90}
table.feeds a{color:inherit}
svg.spark{vertical-align:middle}svg .sbar{fill:#3a7}svg .sfail{fill:#c33}
details>summary{cursor:pointer;list-style-position:outside}details>summary h2{display:inline}
";

/// Whose page it is: the site's time zone, for its times, and its
/// language, for its words.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageSite {
    pub(crate) timezone: Tz,
    pub(crate) language: PageLanguage,
}

/// The page's text. Failing feeds first (flagged ones before those that
/// failed only lately), otherwise in config order.
pub(crate) fn render_page(feeds: &[FeedHealth], now: DateTime<Utc>, site: PageSite) -> String {
    let PageSite { timezone, language } = site;
    let first = first_day(now);
    // Each feed with its days laid out once, for the order, the table and
    // its details. Flagged, then failing lately, then silent (nothing for
    // 30 days), then the rest, each in config order.
    let mut order: Vec<(&FeedHealth, Vec<Day>)> =
        feeds.iter().map(|f| (f, spread(&f.days, first))).collect();
    order.sort_by_key(|(f, by_day)| {
        (
            !f.failing,
            f.record.consecutive_failures == 0,
            articles_within(by_day, 30) > 0,
        )
    });
    let failing = feeds
        .iter()
        .filter(|f| f.record.consecutive_failures > 0)
        .count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">",
        language.tag()
    );
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = write!(out, "<title>{}</title>\n<style>", language.page_title());
    out.push_str(STYLE);
    let _ = writeln!(
        out,
        "</style>\n</head>\n<body>\n<h1>{}</h1>",
        language.heading()
    );
    let _ = writeln!(
        out,
        "<p class=\"summary\">{}</p>",
        language.summary(
            feeds.len() as u64,
            failing as u64,
            &readable_time(Some(now), timezone, ""),
            &timezone.to_string(),
            DAYS
        )
    );
    overview_table(&mut out, &order, site);
    let _ = writeln!(out, "<h2 class=\"details\">{}</h2>", language.each_feed());
    for (index, (feed, by_day)) in order.iter().enumerate() {
        feed_section(&mut out, feed, by_day, index, site);
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// One row per feed: what a reader of a large site looks for first.
fn overview_table(out: &mut String, order: &[(&FeedHealth, Vec<Day>)], site: PageSite) {
    let PageSite { timezone, language } = site;
    out.push_str("<table class=\"feeds\">\n<thead><tr>");
    for column in language.columns() {
        let _ = write!(out, "<th>{column}</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (index, (health, by_day)) in order.iter().enumerate() {
        let record = &health.record;
        let (class, state) = if health.failing {
            ("failing flagged", language.state_flagged().to_string())
        } else if record.consecutive_failures > 0 {
            (
                "failing",
                language.state_failing(record.consecutive_failures),
            )
        } else {
            ("", language.state_ok().to_string())
        };
        let (week, month) = (articles_within(by_day, 7), articles_within(by_day, 30));
        let (class, state) = if class.is_empty() && month == 0 {
            ("silent", language.state_silent(30))
        } else {
            (class, state)
        };
        let articles: u64 = by_day.iter().map(|d| d.articles).sum();
        let failures: u64 = by_day.iter().map(|d| d.failures).sum();
        let images = health
            .image_share()
            .map_or("-".to_string(), |share| match language {
                PageLanguage::French => format!("{:.0}\u{a0}%", share * 100.0),
                PageLanguage::English => format!("{:.0}%", share * 100.0),
            });
        let _ = writeln!(
            out,
            "<tr class=\"{class}\"><td><a href=\"#feed-{index}\">{}</a></td><td>{state}</td><td>{}</td><td class=\"n\">{week}</td><td class=\"n\">{month}</td><td class=\"n\">{articles} {}</td><td class=\"n\">{failures}</td><td class=\"n\">{images}</td><td>{}</td></tr>",
            escape(&health.name),
            escape(&readable_time(
                record.last_success,
                timezone,
                language.never()
            )),
            sparkline(by_day),
            escape(&readable_time(record.next_due, timezone, language.now())),
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Articles of the last `days` days of `by_day` (oldest first, today last).
fn articles_within(by_day: &[Day], days: usize) -> u64 {
    by_day.iter().rev().take(days).map(|d| d.articles).sum()
}

/// A chart of a line's height: articles per day in green, a red mark under
/// each day with a failed fetch.
fn sparkline(days: &[Day]) -> String {
    const HEIGHT: u64 = 14;
    let peak = days.iter().map(|d| d.articles).max().unwrap_or(0).max(1);
    let mut bars = String::new();
    for (i, day) in days.iter().enumerate() {
        if day.articles > 0 {
            let height = (day.articles * (HEIGHT - 3)).div_ceil(peak).max(1);
            let _ = write!(
                bars,
                "<rect class=\"sbar\" x=\"{i}\" y=\"{}\" width=\"1\" height=\"{height}\"/>",
                HEIGHT - 3 - height
            );
        }
        if day.failures > 0 {
            let _ = write!(
                bars,
                "<rect class=\"sfail\" x=\"{i}\" y=\"{}\" width=\"1\" height=\"2\"/>",
                HEIGHT - 2
            );
        }
    }
    format!(
        "<svg class=\"spark\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{DAYS}\" height=\"{HEIGHT}\" viewBox=\"0 0 {DAYS} {HEIGHT}\" aria-hidden=\"true\">{bars}</svg>"
    )
}

fn feed_section(
    out: &mut String,
    health: &FeedHealth,
    by_day: &[Day],
    index: usize,
    site: PageSite,
) {
    let PageSite { timezone, language } = site;
    let [
        url_row,
        success_row,
        error_row,
        due_row,
        moved_row,
        images_row,
    ] = language.rows();
    let record = &health.record;
    let class = if health.failing {
        "feed failing flagged"
    } else if record.consecutive_failures > 0 {
        "feed failing"
    } else {
        "feed"
    };
    // Folded unless it fails: a site of many feeds reads its table, and
    // opens the feed it wants.
    let open = if record.consecutive_failures > 0 {
        " open"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "<section class=\"{class}\" id=\"feed-{index}\"><details{open}>"
    );
    let flag = if health.failing {
        " <span class=\"flag\">FAILING</span>"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "<summary><h2>{}{flag}</h2></summary>\n<dl>",
        escape(&health.name)
    );
    let row = |out: &mut String, term: &str, value: &str| {
        let _ = writeln!(out, "<dt>{term}</dt><dd>{value}</dd>");
    };
    row(out, url_row, &escape(&health.shown));
    row(
        out,
        success_row,
        &escape(&readable_time(
            record.last_success,
            timezone,
            language.never(),
        )),
    );
    if record.consecutive_failures > 0 {
        row(
            out,
            error_row,
            &format!(
                "<span class=\"error\">{}</span> {}",
                escape(
                    record
                        .last_error
                        .as_deref()
                        .unwrap_or(language.unknown_error())
                ),
                language.failing_for(record.consecutive_failures),
            ),
        );
    } else {
        row(out, error_row, language.no_error());
    }
    row(
        out,
        due_row,
        &escape(&readable_time(record.next_due, timezone, language.now())),
    );
    if let Some(moved_to) = &record.moved_to {
        row(out, moved_row, &language.moved_to(&escape(moved_to)));
    }
    row(out, images_row, &image_coverage(health, language));
    out.push_str("</dl>\n");
    let articles: u64 = by_day.iter().map(|d| d.articles).sum();
    let failures: u64 = by_day.iter().map(|d| d.failures).sum();
    let _ = writeln!(
        out,
        "<figure>{}<figcaption>{}</figcaption></figure>",
        articles_chart(by_day, language),
        language.articles_caption(articles, DAYS)
    );
    let _ = writeln!(
        out,
        "<figure>{}<figcaption>{}</figcaption></figure>",
        failures_chart(by_day, language),
        language.failures_caption(failures, DAYS)
    );
    out.push_str("</details></section>\n");
}

/// A time as people read it, to the minute, in the site's time zone with
/// its abbreviation (`2026-11-28 15:50 CET`, as `status` writes it); `none`
/// when there is none.
fn readable_time(time: Option<DateTime<Utc>>, timezone: Tz, none: &str) -> String {
    time.map(|t| {
        t.with_timezone(&timezone)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    })
    .unwrap_or_else(|| none.to_string())
}

/// "83% of 120 articles have an image (90% in the last 90 days)", with a
/// bar.
fn image_coverage(health: &FeedHealth, language: PageLanguage) -> String {
    let days = &health.days;
    let Some(share) = health.image_share() else {
        return language.no_articles().to_string();
    };
    let percent = (share * 100.0).round();
    let recent: u64 = days.iter().map(|d| d.articles).sum();
    let recent_images: u64 = days.iter().map(|d| d.with_image).sum();
    let recent = (recent > 0).then(|| recent_images as f64 * 100.0 / recent as f64);
    format!(
        "<span class=\"meter\"><span style=\"width:{percent}%\"></span></span>{}",
        language.coverage(percent, health.articles.total.max(0) as u64, recent, DAYS)
    )
}

/// One entry per day of the charts, oldest first (zero where none is
/// recorded).
fn spread(days: &[Day], first: NaiveDate) -> Vec<Day> {
    (0..DAYS)
        .map(|i| {
            let day = first + chrono::Days::new(i);
            days.iter().find(|d| d.day == day).cloned().unwrap_or(Day {
                day,
                articles: 0,
                with_image: 0,
                fetches: 0,
                failures: 0,
            })
        })
        .collect()
}

/// An SVG chart's frame: `class`, its title, and its bars.
fn chart(class: &str, title: &str, bars: &str, first: NaiveDate, peak: u64) -> String {
    let days = DAYS * DAY_WIDTH;
    // Room on the right for the scale.
    let width = days + 48;
    let height = CHART_HEIGHT + 14;
    let last = first + chrono::Days::new(DAYS - 1);
    format!(
        "<svg class=\"chart {class}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{title}\"><title>{title}</title>\
         <line class=\"axis\" x1=\"0\" y1=\"{axis}\" x2=\"{days}\" y2=\"{axis}\"/>{bars}\
         <text x=\"0\" y=\"{label}\">{first}</text><text x=\"{days}\" y=\"{label}\" text-anchor=\"end\">{last}</text>\
         <text x=\"{scale}\" y=\"9\">max {peak}</text></svg>",
        axis = CHART_HEIGHT,
        label = height - 2,
        scale = days + 4,
    )
}

/// A bar for day `index`, `value` of `peak` high (at least 2 pixels).
fn bar(class: &str, index: usize, value: u64, peak: u64, tip: &str) -> String {
    let height = (value * CHART_HEIGHT)
        .div_ceil(peak.max(1))
        .clamp(2, CHART_HEIGHT);
    format!(
        "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{height}\"><title>{tip}</title></rect>",
        index as u64 * DAY_WIDTH,
        CHART_HEIGHT - height,
        DAY_WIDTH - 1,
    )
}

/// Articles per day: one bar per day with articles.
fn articles_chart(days: &[Day], language: PageLanguage) -> String {
    let peak = days.iter().map(|d| d.articles).max().unwrap_or(0);
    let mut bars = String::new();
    for (i, day) in days.iter().enumerate().filter(|(_, d)| d.articles > 0) {
        let tip = language.articles_tip(&day.day.to_string(), day.articles, day.with_image);
        bars.push_str(&bar("bar", i, day.articles, peak, &tip));
    }
    chart(
        "articles",
        &language.articles_chart(DAYS),
        &bars,
        days[0].day,
        peak,
    )
}

/// Failed fetches per day in red; days fetched without a failure as a low
/// grey mark, so that a quiet feed is told from one never fetched.
fn failures_chart(days: &[Day], language: PageLanguage) -> String {
    let peak = days.iter().map(|d| d.failures).max().unwrap_or(0);
    let mut bars = String::new();
    for (i, day) in days.iter().enumerate() {
        if day.failures > 0 {
            let tip = language.failures_tip(&day.day.to_string(), day.failures, day.fetches);
            bars.push_str(&bar("fail", i, day.failures, peak, &tip));
        } else if day.fetches > 0 {
            let tip = language.fetched_tip(&day.day.to_string(), day.fetches);
            bars.push_str(&bar("fetched", i, 0, 1, &tip));
        }
    }
    chart(
        "failures",
        &language.failures_chart(DAYS),
        &bars,
        days[0].day,
        peak,
    )
}

/// Text for HTML, in an element or an attribute.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENGLISH_UTC: PageSite = PageSite {
        timezone: Tz::UTC,
        language: PageLanguage::English,
    };

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn health(name: &str, failures: u32, failing: bool) -> FeedHealth {
        let url = format!("https://{}.example.org/feed", name.len());
        FeedHealth {
            name: name.to_string(),
            identity: url.clone(),
            shown: url,
            record: crate::store::FeedRecord {
                last_success: Some(at("2026-11-28T10:00:00Z")),
                consecutive_failures: failures,
                last_error: (failures > 0).then(|| "HTTP 404 Not Found".to_string()),
                ..Default::default()
            },
            articles: crate::store::ArticleCounts {
                total: 10,
                recent: 2,
                with_image: 8,
            },
            failing,
            ..FeedHealth::default()
        }
    }

    fn day(text: &str, articles: u64, failures: u64) -> Day {
        Day {
            day: NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap(),
            articles,
            with_image: articles / 2,
            fetches: failures + 1,
            failures,
        }
    }

    #[test]
    fn escapes_everything_a_feed_brings() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        let mut hostile = health(
            "<script>alert(1)</script>\"><img src=x onerror=alert(2)>",
            1,
            false,
        );
        hostile.shown = "https://ex.org/?a=\"><script>x</script>".into();
        hostile.record.last_error = Some("<b onmouseover='x'>HTTP 500</b>".into());
        hostile.record.moved_to = Some("https://ex.org/\"moved".into());
        let page = render_page(&[hostile], at("2026-11-28T12:00:00Z"), ENGLISH_UTC);
        assert!(!page.contains("<script"), "{page}");
        assert!(!page.contains("<img"), "{page}");
        assert!(!page.contains("<b "), "{page}");
        assert!(!page.contains("\"moved"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img"));
    }

    #[test]
    fn the_page_is_self_contained() {
        let healthy = FeedHealth {
            days: vec![day("2026-11-20", 3, 0)],
            ..health("Healthy", 0, false)
        };
        let page = render_page(&[healthy], at("2026-11-28T12:00:00Z"), ENGLISH_UTC);
        assert!(page.contains("default-src 'none'"));
        for outside in ["<script", "<link", "src=", "url(", "@import"] {
            assert!(!page.contains(outside), "{outside} in the page");
        }
        // Links only within the page, from a row to its feed's details.
        assert!(
            page.match_indices("href=\"")
                .all(|(i, _)| page[i + 6..].starts_with("#feed-"))
        );
    }

    #[test]
    fn one_bar_per_day_with_articles_within_the_last_90_days() {
        let days = vec![
            // Before the charts' first day (2026-08-31): not shown.
            day("2026-08-30", 9, 0),
            day("2026-08-31", 1, 0),
            day("2026-11-01", 4, 2),
            day("2026-11-02", 0, 1),
            day("2026-11-28", 2, 0),
        ];
        let healthy = FeedHealth {
            days,
            ..health("Healthy", 0, false)
        };
        let page = render_page(&[healthy], at("2026-11-28T23:59:00Z"), ENGLISH_UTC);
        assert_eq!(page.matches("<svg class=\"chart articles\"").count(), 1);
        assert_eq!(page.matches("<svg class=\"chart failures\"").count(), 1);
        assert_eq!(page.matches("<rect class=\"bar\"").count(), 3);
        assert_eq!(page.matches("<rect class=\"fail\"").count(), 2);
        // The first day at the left edge, today at the right, the tallest
        // bar the chart's height.
        assert!(page.contains("<rect class=\"bar\" x=\"0\" y=\"36\" width=\"5\" height=\"12\"><title>2026-08-31: 1 article"));
        assert!(page.contains(
            "x=\"534\" y=\"24\" width=\"5\" height=\"24\"><title>2026-11-28: 2 articles"
        ));
        assert!(page.contains("y=\"0\" width=\"5\" height=\"48\"><title>2026-11-01: 4 articles"));
        assert!(page.contains("Articles per day: 7 in 90 days"));
        assert!(page.contains("<title>2026-11-01: 2 of 3 fetches failed</title>"));
    }

    /// A site of many feeds reads one table first, a row each; the
    /// details are folded but for failing feeds; times are the site's.
    #[test]
    fn a_table_first_details_folded_times_in_the_sites_zone() {
        let mut feeds: Vec<FeedHealth> = (0..100)
            .map(|i| FeedHealth {
                days: vec![day("2026-11-20", 3, 0), day("2026-11-21", 0, 1)],
                ..health(&format!("Feed {i}"), 0, false)
            })
            .collect();
        feeds.push(health("Broken", 3, true));
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let page = render_page(
            &feeds,
            at("2026-11-28T12:00:00Z"),
            PageSite {
                timezone: paris,
                language: PageLanguage::English,
            },
        );
        let table_end = page.find("</table>").unwrap();
        assert_eq!(page[..table_end].matches("<tr class=").count(), 101);
        // The failing feed heads the table, flagged.
        let first_row = page.find("<tbody>").unwrap();
        assert!(
            page[first_row..].starts_with(
                "<tbody>\n<tr class=\"failing flagged\"><td><a href=\"#feed-0\">Broken</a></td><td>FAILING</td>"
            ),
            "{}",
            &page[first_row..first_row + 200]
        );
        // One small chart per row: 3 articles on one day, a failure on the next.
        assert_eq!(
            page[..table_end].matches("<svg class=\"spark\"").count(),
            101
        );
        assert_eq!(
            page[..table_end].matches("<rect class=\"sbar\"").count(),
            100
        );
        assert_eq!(
            page[..table_end].matches("<rect class=\"sfail\"").count(),
            100
        );
        assert_eq!(page.matches("<details open>").count(), 1);
        assert_eq!(page.matches("<details>").count(), 100);
        // 12:00 UTC is 13:00 in Paris in November.
        assert!(
            page.contains("Written 2026-11-28 13:00 CET (Europe/Paris)"),
            "{}",
            &page[..2000]
        );
        assert!(page.contains("<td>2026-11-28 11:00 CET</td>"));
        // 3 articles 8 days ago: none in the last 7 days, 3 in 30 and 90;
        // each row links to its details.
        assert!(page.contains(
            "<td><a href=\"#feed-1\">Feed 0</a></td><td>ok</td><td>2026-11-28 11:00 CET</td><td class=\"n\">0</td><td class=\"n\">3</td><td class=\"n\">3 <svg"
        ));
        assert!(page.contains("<section class=\"feed\" id=\"feed-1\">"));
        assert!(!page.contains(" UTC<"));
    }

    #[test]
    fn failing_feeds_come_first_then_silent_ones() {
        let lively = |name| FeedHealth {
            days: vec![day("2026-11-27", 1, 0)],
            ..health(name, 0, false)
        };
        let feeds = [
            lively("Fine"),
            health("Failing lately", 2, false),
            health("Silent", 0, false),
            lively("Other fine"),
            health("Flagged", 7, true),
        ];
        let page = render_page(&feeds, at("2026-11-28T12:00:00Z"), ENGLISH_UTC);
        assert!(page.contains("<tr class=\"silent\"><td><a href=\"#feed-2\">Silent</a></td><td>ok, nothing new for 30 days</td>"));
        let order: Vec<usize> = ["Flagged", "Failing lately", "Silent", "Fine", "Other fine"]
            .iter()
            .map(|name| page.find(&format!("<h2>{name}")).unwrap())
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
        assert!(page.contains("5 feeds, 2 failing."));
        assert_eq!(page.matches("class=\"flag\"").count(), 1);
    }
}
