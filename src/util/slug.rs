//! The slug of a title, for file names and permalinks (the output's
//! templates put it in place; see [`crate::output`]), and its length limit.
//!
//! In: a title. Out: a name made only of `[a-z0-9-]`, so no title can climb
//! out of its folder. Pure; nothing fails.

use crate::util::text::word_prefix;

/// Slugs longer than this are cut at a word boundary.
pub(crate) const SLUG_MAX_CHARS: usize = 200;

/// Stands in for a title that has no letter or digit to slug.
const EMPTY_SLUG: &str = "article";

/// The slug of `title` (`l’été` → `l-ete`), at most [`SLUG_MAX_CHARS`]
/// characters, cut between words.
pub fn title_slug(title: &str) -> String {
    // `°` is spelt out as `deg` by the transliteration, which reads wrong
    // in French's `n°20` (numéro) and in `37°C`: it goes, as it is read.
    // So are `‰` (`0`) and the marks `©` `®` `™` (`c`, `r`, `tm`).
    const DROPPED: [char; 5] = ['°', '‰', '©', '®', '™'];
    let full = if title.contains(DROPPED) {
        slug::slugify(title.replace(DROPPED, ""))
    } else {
        slug::slugify(title)
    };
    let cut = word_prefix(&full, SLUG_MAX_CHARS, |c| c == '-');
    let cut = cut.trim_matches('-');
    if cut.is_empty() {
        EMPTY_SLUG.to_string()
    } else {
        cut.to_string()
    }
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
        assert_eq!(title_slug("Le point n°20 à 37°C"), "le-point-n20-a-37c");
        assert_eq!(title_slug("N° 5, 1º lugar"), "n-5-1o-lugar");
    }

    /// Signs read as a French reader expects: ligatures spelt out, the
    /// currency named, a sign that is no word dropped.
    #[test]
    fn common_signs_slug_as_they_read() {
        for (title, slug) in [
            ("100 € par an", "100-eur-par-an"),
            ("50 % des cas", "50-des-cas"),
            ("R&D et œuvre", "r-d-et-oeuvre"),
            ("Æsop et æ", "aesop-et-ae"),
            ("l'hôpital « Saint-Louis »", "l-hopital-saint-louis"),
            ("№ 5", "no-5"),
            ("10 ‰ des cas", "10-des-cas"),
            ("Marque® © 2024 ™", "marque-2024"),
        ] {
            assert_eq!(title_slug(title), slug, "{title}");
        }
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
}
