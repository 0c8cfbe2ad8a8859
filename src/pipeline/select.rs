//! Which of a feed's items are imported now.
//!
//! In: one feed's drafts, the state, the feed's editorial rules, and what
//! earlier feeds of this run already took. Out: a [`Selection`]: the items
//! never imported that the rules accept, and the counts of the others. The
//! one place that decides "already imported": an item is new when neither
//! its key nor its link is in the state, nor taken by an earlier item of
//! this feed or of an earlier feed of this run (whose files may not be
//! written yet: feeds are selected a few ahead of the writing). A link
//! counts only where it identifies its item: a link that several items of
//! a document share (a podcast's home page) leaves them to their keys.
//! Fails only when the state cannot be read.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use crate::config::FeedConfig;
use crate::extract::{DateSource, ItemDraft};
use crate::store::{State, StoreError};

/// The items of one feed that are to be imported now.
pub(super) struct Selection {
    pub(super) new: Vec<ItemDraft>,
    /// Imported before, earlier in this run, or twice in this feed.
    pub(super) seen: usize,
    /// Left out by the feed's include, exclude or max_age rules.
    pub(super) filtered: usize,
}

/// Keys and links of items, to tell an item met before.
#[derive(Default)]
pub(super) struct Taken {
    keys: HashSet<String>,
    links: HashSet<String>,
}

impl Taken {
    /// Takes `draft`'s key and, when it identifies the item, its link;
    /// `false` when either was taken already (the link is then not looked
    /// at).
    fn take(&mut self, draft: &ItemDraft) -> bool {
        self.keys.insert(draft.key.clone())
            && (!draft.link_identifies || self.links.insert(draft.source_url.to_string()))
    }

    fn holds(&self, draft: &ItemDraft) -> bool {
        self.keys.contains(&draft.key)
            || (draft.link_identifies && self.links.contains(draft.source_url.as_str()))
    }
}

/// Keeps the items never imported that the feed's editorial rules accept,
/// and adds them to `taken_in_run`.
pub(super) fn select_new(
    state: &State,
    feed: &FeedConfig,
    drafts: Vec<ItemDraft>,
    taken_in_run: &mut Taken,
    now: DateTime<Utc>,
) -> Result<Selection, StoreError> {
    let mut selection = Selection {
        new: Vec::new(),
        seen: 0,
        filtered: 0,
    };
    let mut in_feed = Taken::default();
    for draft in drafts {
        let repeated = !in_feed.take(&draft) || taken_in_run.holds(&draft);
        let own_link = draft.link_identifies.then_some(draft.source_url.as_str());
        if repeated {
            tracing::debug!(feed = %feed.name, title = %draft.title, "item left out: met before in this run or this feed");
            selection.seen += 1;
        } else if state.is_imported(&draft.key, own_link)? {
            tracing::debug!(feed = %feed.name, title = %draft.title, "item left out: imported by an earlier run");
            selection.seen += 1;
        } else if let Some(rule) = refused_by(feed, &draft, now) {
            tracing::debug!(feed = %feed.name, title = %draft.title, "item left out by {rule}");
            selection.filtered += 1;
        } else {
            taken_in_run.take(&draft);
            selection.new.push(draft);
        }
    }
    Ok(selection)
}

/// The feed's include, exclude and max_age rules.
/// The feed's rule that leaves `draft` out, as the debug log names it;
/// `None` when its include, exclude and max_age rules accept it.
fn refused_by(feed: &FeedConfig, draft: &ItemDraft, now: DateTime<Utc>) -> Option<String> {
    let fields = || {
        std::iter::once(draft.title.as_str())
            .chain(std::iter::once(draft.summary.as_str()))
            .chain(draft.categories.iter().map(String::as_str))
    };
    let first_match = |patterns: &[regex::Regex]| {
        patterns
            .iter()
            .find(|p| fields().any(|field| p.is_match(field)))
            .map(|p| p.as_str().to_string())
    };
    if !feed.include.is_empty() && first_match(&feed.include).is_none() {
        return Some("include: it matches none of its patterns".to_string());
    }
    if let Some(pattern) = first_match(&feed.exclude) {
        return Some(format!("exclude: it matches `{pattern}`"));
    }
    if let Some(max_age) = feed.max_age
        && draft.date_source != DateSource::FirstImport
        && let Some(oldest) = oldest_accepted(now, max_age)
        && draft.date < oldest
    {
        return Some(format!(
            "max_age: dated {}, before {}",
            crate::when::json_time(draft.date),
            crate::when::json_time(oldest)
        ));
    }
    None
}

/// The oldest date `max_age` accepts at `now`; `None` when that lies before
/// the first date there is (then no date is too old). Checked: `now - max_age`
/// panics past the range of dates.
fn oldest_accepted(now: DateTime<Utc>, max_age: std::time::Duration) -> Option<DateTime<Utc>> {
    chrono::Duration::from_std(max_age)
        .ok()
        .and_then(|max_age| now.checked_sub_signed(max_age))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_that_leaves_an_item_out_is_named() {
        let text = "[[feeds]]\nname = \"F\"\nurl = \"https://e.org/f\"\nsection = \"news\"\ninclude = [\"stent\", \"valve\"]\nexclude = [\"^sponsored\"]\nmax_age = \"30d\"\n";
        let config = crate::config::Config::parse(
            text,
            std::path::Path::new("/site/feeds.toml"),
            std::path::Path::new("/site"),
        )
        .unwrap();
        let feed = &config.feeds[0];
        let now = DateTime::parse_from_rfc3339("2026-01-31T00:00:00Z")
            .unwrap()
            .to_utc();
        let draft = |title: &str, date: &str| ItemDraft {
            key: title.to_string(),
            title: title.to_string(),
            date: DateTime::parse_from_rfc3339(date).unwrap().to_utc(),
            date_source: DateSource::Published,
            summary: String::new(),
            source_url: url::Url::parse("https://e.org/a").unwrap(),
            link_identifies: true,
            declared_image: None,
            content_image: None,
            categories: Vec::new(),
            author: String::new(),
            content_html: String::new(),
            enclosure: None,
        };
        let recent = "2026-01-30T00:00:00Z";
        assert_eq!(
            refused_by(feed, &draft("New stent trial", recent), now),
            None
        );
        assert_eq!(
            refused_by(feed, &draft("Weather", recent), now).as_deref(),
            Some("include: it matches none of its patterns")
        );
        assert_eq!(
            refused_by(feed, &draft("Sponsored: a valve", recent), now).as_deref(),
            Some("exclude: it matches `^sponsored`")
        );
        assert_eq!(
            refused_by(feed, &draft("Old valve news", "2025-11-01T00:00:00Z"), now).as_deref(),
            Some("max_age: dated 2025-11-01T00:00:00Z, before 2026-01-01T00:00:00Z")
        );
    }

    #[test]
    fn max_age_beyond_the_first_date_accepts_every_date() {
        let now = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .to_utc();
        let day = std::time::Duration::from_secs(86_400);
        assert_eq!(
            oldest_accepted(now, day),
            Some(
                DateTime::parse_from_rfc3339("2025-12-31T00:00:00Z")
                    .unwrap()
                    .to_utc()
            )
        );
        for huge in [
            std::time::Duration::MAX,
            std::time::Duration::from_secs(u64::MAX),
            std::time::Duration::from_secs(300_000 * 31_557_600),
        ] {
            assert_eq!(oldest_accepted(now, huge), None, "{huge:?}");
        }
        assert_eq!(oldest_accepted(DateTime::<Utc>::MIN_UTC, day), None);
    }
}
