//! Permalinks and file names: the slug of a title, its length limit, the
//! collision suffix.
//!
//! In: a title, a local date, a section. Out: names made only of `[a-z0-9-]`,
//! so no title can climb out of its section's folder. Pure; nothing fails.

use chrono::NaiveDate;

use crate::text::word_prefix;

/// Slugs longer than this are cut at a word boundary.
pub(crate) const SLUG_MAX_CHARS: usize = 200;

/// Stands in for a title that has no letter or digit to slug.
const EMPTY_SLUG: &str = "article";

/// The slug of `title` (`l’été` → `l-ete`), at most [`SLUG_MAX_CHARS`]
/// characters, cut between words.
pub fn title_slug(title: &str) -> String {
    let full = slug::slugify(title);
    let cut = word_prefix(&full, SLUG_MAX_CHARS, |c| c == '-');
    let cut = cut.trim_matches('-');
    if cut.is_empty() {
        EMPTY_SLUG.to_string()
    } else {
        cut.to_string()
    }
}

/// `2024-09-02-<slug>`, with `-2`, `-3`, … for the `attempt`th candidate.
pub fn file_stem(date: NaiveDate, slug: &str, attempt: u32) -> String {
    if attempt <= 1 {
        format!("{}-{slug}", date.format("%Y-%m-%d"))
    } else {
        format!("{}-{slug}-{attempt}", date.format("%Y-%m-%d"))
    }
}

/// `/<section>/<stem>`.
pub(crate) fn permalink(section: &str, stem: &str) -> String {
    format!("/{section}/{stem}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_of_non_ascii_titles() {
        assert_eq!(title_slug("l’été"), "l-ete");
        assert_eq!(
            title_slug("Crème brûlée: 10 façons!"),
            "creme-brulee-10-facons"
        );
        assert_eq!(title_slug("  --  "), "article");
        assert_eq!(title_slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(title_slug("Ωmega — test"), "omega-test");
    }

    #[test]
    fn long_slugs_are_cut_between_words() {
        let title = "word ".repeat(100); // slug: 499 characters
        let slug = title_slug(&title);
        assert!(slug.len() <= SLUG_MAX_CHARS);
        assert!(slug.ends_with("word"), "{slug}");
        assert_eq!(slug.len(), 199); // 40 words of 4 + 39 dashes
        let one_word = "a".repeat(300);
        assert_eq!(title_slug(&one_word).len(), SLUG_MAX_CHARS);
        // Exactly 200 characters stays whole.
        let exact = format!("{}-{}", "a".repeat(100), "b".repeat(99));
        assert_eq!(title_slug(&exact), exact);
    }

    #[test]
    fn stems_and_permalinks() {
        let date = NaiveDate::from_ymd_opt(2024, 9, 2).unwrap();
        assert_eq!(file_stem(date, "x", 1), "2024-09-02-x");
        assert_eq!(file_stem(date, "x", 2), "2024-09-02-x-2");
        assert_eq!(permalink("papers", "2024-09-02-x"), "/papers/2024-09-02-x");
    }
}
