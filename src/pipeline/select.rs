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
//! The feed's `max_items` keeps the newest of the new items; the others
//! are neither imported nor recorded, so that a later run or a backfill
//! takes them. With `update = "untouched"`, the items imported before whose
//! fields changed at the source are kept too, for their update.
//! Fails only when the state cannot be read.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};

use chrono::{DateTime, Utc};

use crate::config::{FeedConfig, UpdatePolicy};
use crate::extract::{DateSource, ItemDraft};
use crate::store::{State, StoreError, StoredItem};
use crate::write::updates::source_hash;

/// The items of one feed that are to be imported now.
pub(super) struct Selection {
    pub(super) new: Vec<ItemDraft>,
    /// Imported before, earlier in this run, or twice in this feed.
    pub(super) seen: usize,
    /// Left out by the feed's include, exclude or max_age rules.
    pub(super) filtered: usize,
    /// New, but past the feed's `max_items`: left for a later run.
    pub(super) held_back: usize,
    /// Imported before (and counted in `seen`), changed at the source since:
    /// to be written again where the file is untouched.
    pub(super) changed: Vec<(ItemDraft, StoredItem)>,
}

/// Keys and links of items, to tell an item met before. A run keeps one
/// for all its feeds, and a first import meets every item: they are kept
/// as 128-bit fingerprints, not as their text (16 bytes an item instead of
/// some 200: the 300,000 items of a first import of 30,000 feeds held
/// about 70 MB). Two different texts share a fingerprint with odds of
/// about one in 2^128 a pair.
#[derive(Default)]
pub(super) struct Taken {
    keys: HashSet<u128>,
    links: HashSet<u128>,
    /// Two hashers with keys of their own: the two halves of a fingerprint.
    halves: (RandomState, RandomState),
}

impl Taken {
    /// Takes `draft`'s key and, when it identifies the item, its link;
    /// `false` when either was taken already (the link is then not looked
    /// at).
    fn take(&mut self, draft: &ItemDraft) -> bool {
        let key = self.fingerprint(&draft.key);
        let link = self.fingerprint(draft.source_url.as_str());
        self.keys.insert(key) && (!draft.link_identifies || self.links.insert(link))
    }

    fn holds(&self, draft: &ItemDraft) -> bool {
        self.keys.contains(&self.fingerprint(&draft.key))
            || (draft.link_identifies
                && self
                    .links
                    .contains(&self.fingerprint(draft.source_url.as_str())))
    }

    fn fingerprint(&self, text: &str) -> u128 {
        (u128::from(self.halves.0.hash_one(text)) << 64) | u128::from(self.halves.1.hash_one(text))
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
        held_back: 0,
        changed: Vec::new(),
    };
    let identity = feed.source.identity();
    let mut in_feed = Taken::default();
    let mut failure = None;
    let mut keep = |draft: ItemDraft| -> Result<Option<ItemDraft>, StoreError> {
        let repeated = !in_feed.take(&draft) || taken_in_run.holds(&draft);
        let own_link = draft.link_identifies.then_some(draft.source_url.as_str());
        if repeated {
            tracing::debug!(feed = %feed.name, title = %draft.title, "item left out: met before in this run or this feed");
            selection.seen += 1;
        } else if state.is_imported(&draft.key, own_link)? {
            tracing::debug!(feed = %feed.name, title = %draft.title, "item left out: imported by an earlier run");
            selection.seen += 1;
            if feed.update == UpdatePolicy::Untouched
                && let Some(stored) = state.stored_item(&draft.key, &identity)?
                && stored.source_hash != source_hash(&draft)
            {
                selection.changed.push((draft, stored));
            }
        } else if let Some(rule) = refused_by(feed, &draft, now) {
            tracing::debug!(feed = %feed.name, title = %draft.title, "item left out by {rule}");
            selection.filtered += 1;
        } else {
            return Ok(Some(draft));
        }
        Ok(None)
    };
    // Kept in the drafts' own buffer (a collect in place): a feed of
    // 100,000 items is not listed twice.
    let candidates: Vec<ItemDraft> = drafts
        .into_iter()
        .filter_map(|draft| match failure {
            Some(_) => None,
            None => keep(draft).unwrap_or_else(|error| {
                failure = Some(error);
                None
            }),
        })
        .collect();
    if let Some(error) = failure {
        return Err(error);
    }
    let (kept, held_back) = newest(candidates, feed.max_items);
    selection.held_back = held_back;
    for draft in &kept {
        taken_in_run.take(draft);
    }
    selection.new = kept;
    Ok(selection)
}

/// The `max` newest of `drafts` (all of them without a cap), and how many
/// were left. Newest by date; items without a date come after the dated
/// ones, in the order of the document (feeds list their newest first).
fn newest(mut drafts: Vec<ItemDraft>, max: Option<usize>) -> (Vec<ItemDraft>, usize) {
    let Some(max) = max.filter(|&max| drafts.len() > max) else {
        return (drafts, 0);
    };
    let dated = |d: &ItemDraft| d.date_source != DateSource::FirstImport;
    // Stable: equal dates, and the undated, keep the document's order.
    drafts.sort_by(|a, b| match (dated(a), dated(b)) {
        (true, true) => b.date.cmp(&a.date),
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        (false, false) => std::cmp::Ordering::Equal,
    });
    let left = drafts.len() - max;
    drafts.truncate(max);
    (drafts, left)
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
            crate::util::when::json_time(draft.date),
            crate::util::when::json_time(oldest)
        ));
    }
    None
}

/// The oldest date `max_age` accepts at `now`; `None` when that lies before
/// the first date there is (then no date is too old). Checked: `now - max_age`
/// panics past the range of dates.
pub(super) fn oldest_accepted(
    now: DateTime<Utc>,
    max_age: std::time::Duration,
) -> Option<DateTime<Utc>> {
    chrono::Duration::from_std(max_age)
        .ok()
        .and_then(|max_age| now.checked_sub_signed(max_age))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(key: &str, date: Option<&str>) -> ItemDraft {
        ItemDraft::sample(key, date)
    }

    #[test]
    fn taken_tells_an_item_by_its_key_or_by_a_link_that_identifies_it() {
        let item = |key: &str, link: &str, link_identifies: bool| ItemDraft {
            key: key.to_string(),
            source_url: url::Url::parse(link).unwrap(),
            link_identifies,
            ..draft(key, None)
        };
        let mut taken = Taken::default();
        assert!(taken.take(&item("k1", "https://e.org/1", true)));
        assert!(taken.holds(&item("k1", "https://e.org/other", true)));
        assert!(taken.holds(&item("k2", "https://e.org/1", true)));
        // A link that does not identify its item is neither taken nor
        // looked at.
        assert!(!taken.holds(&item("k2", "https://e.org/1", false)));
        assert!(taken.take(&item("k3", "https://e.org/shared", false)));
        assert!(!taken.holds(&item("k4", "https://e.org/shared", true)));
        assert!(!taken.take(&item("k1", "https://e.org/new", true)));
        assert!(!taken.holds(&item("k5", "https://e.org/5", true)));
    }

    #[test]
    fn max_items_keeps_the_newest_and_the_undated_last_in_document_order() {
        let drafts = vec![
            draft("undated-1", None),
            draft("old", Some("2024-01-01T00:00:00Z")),
            draft("newest", Some("2024-03-01T00:00:00Z")),
            draft("undated-2", None),
            draft("middle", Some("2024-02-01T00:00:00Z")),
            draft("middle-too", Some("2024-02-01T00:00:00Z")),
        ];
        let keys = |(kept, left): (Vec<ItemDraft>, usize)| {
            (kept.into_iter().map(|d| d.key).collect::<Vec<_>>(), left)
        };
        assert_eq!(
            keys(newest(drafts.clone(), Some(3))),
            (
                vec!["newest".into(), "middle".into(), "middle-too".into()],
                3
            )
        );
        assert_eq!(
            keys(newest(drafts.clone(), Some(5))),
            (
                vec![
                    "newest".into(),
                    "middle".into(),
                    "middle-too".into(),
                    "old".into(),
                    "undated-1".into()
                ],
                1
            )
        );
        // No cap, or a cap the feed does not reach: all, in document order.
        let all: Vec<String> = drafts.iter().map(|d| d.key.clone()).collect();
        assert_eq!(keys(newest(drafts.clone(), None)), (all.clone(), 0));
        assert_eq!(keys(newest(drafts.clone(), Some(6))), (all, 0));
        // Only undated items: the document's first ones.
        let undated = vec![draft("a", None), draft("b", None), draft("c", None)];
        assert_eq!(
            keys(newest(undated, Some(2))),
            (vec!["a".into(), "b".into()], 1)
        );
    }

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
            source_url: url::Url::parse("https://e.org/a").unwrap(),
            ..ItemDraft::sample(title, Some(date))
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
