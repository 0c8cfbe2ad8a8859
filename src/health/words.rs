//! The health page's words, in the site's language: French for a French
//! site, English for every other (the page's labels are ours, written in
//! these two).
//!
//! In: the site's locale tag (`fr`, `en-US`, …) and the numbers to say.
//! Out: text, not yet escaped for HTML. Nothing fails.

/// The language the health page is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageLanguage {
    English,
    French,
}

use PageLanguage::{English, French};

impl PageLanguage {
    /// The page's language for a site whose locale is `tag`.
    pub(crate) fn of(tag: &str) -> PageLanguage {
        let language = tag.split(['-', '_']).next().unwrap_or_default();
        if language.eq_ignore_ascii_case("fr") {
            French
        } else {
            English
        }
    }

    /// The page's language for `config`'s site: the locale most of its
    /// feeds write in (the first feed's on a tie; French, the default,
    /// without feeds).
    pub(crate) fn of_site(config: &crate::config::Config) -> PageLanguage {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for feed in &config.feeds {
            let tag = feed.output.locale.tag();
            match counts.iter_mut().find(|(t, _)| *t == tag) {
                Some((_, n)) => *n += 1,
                None => counts.push((tag, 1)),
            }
        }
        let most = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
        let tag = counts
            .iter()
            .find(|(_, n)| *n == most)
            .map_or("fr", |(t, _)| *t);
        PageLanguage::of(tag)
    }

    /// The `lang` attribute of the page.
    pub(crate) fn tag(self) -> &'static str {
        match self {
            English => "en",
            French => "fr",
        }
    }

    /// `many` for a count other than 1, else `one`.
    fn plural(count: u64, one: &'static str, many: &'static str) -> &'static str {
        if count == 1 { one } else { many }
    }

    pub(crate) fn page_title(self) -> &'static str {
        match self {
            English => "feedimport: feed health",
            French => "feedimport : santé des flux",
        }
    }

    pub(crate) fn heading(self) -> &'static str {
        match self {
            English => "Feed health",
            French => "Santé des flux",
        }
    }

    /// The line under the heading.
    pub(crate) fn summary(
        self,
        feeds: u64,
        failing: u64,
        written: &str,
        zone: &str,
        days: u64,
    ) -> String {
        match self {
            English => format!(
                "{feeds} {}, {failing} failing. Written {written} ({zone}); charts cover the last {days} days, by UTC day.",
                Self::plural(feeds, "feed", "feeds")
            ),
            French => format!(
                "{feeds} flux, {failing} en échec. Page écrite le {written} ({zone}) ; les graphiques couvrent les {days} derniers jours, par jour UTC."
            ),
        }
    }

    /// The overview table's column headings.
    pub(crate) fn columns(self) -> [&'static str; 9] {
        match self {
            English => [
                "Feed",
                "State",
                "Last success",
                "Articles: 7 days",
                "30 days",
                "90 days",
                "Failed fetches",
                "Images",
                "Next due",
            ],
            French => [
                "Flux",
                "État",
                "Dernier succès",
                "Articles : 7 jours",
                "30 jours",
                "90 jours",
                "Échecs",
                "Images",
                "Prochaine lecture",
            ],
        }
    }

    pub(crate) fn state_ok(self) -> &'static str {
        "ok"
    }

    pub(crate) fn state_flagged(self) -> &'static str {
        match self {
            English => "FAILING",
            French => "EN ÉCHEC",
        }
    }

    pub(crate) fn state_failing(self, runs: u32) -> String {
        match self {
            English => format!("failed {runs} runs in a row"),
            French => format!("en échec {runs} fois de suite"),
        }
    }

    pub(crate) fn state_silent(self, days: u64) -> String {
        match self {
            English => format!("ok, nothing new for {days} days"),
            French => format!("ok, rien de neuf depuis {days} jours"),
        }
    }

    pub(crate) fn each_feed(self) -> &'static str {
        match self {
            English => "Each feed",
            French => "Chaque flux",
        }
    }

    /// The details' row names: URL, last success, last error, next due,
    /// moved, images.
    pub(crate) fn rows(self) -> [&'static str; 6] {
        match self {
            English => [
                "URL",
                "Last success",
                "Last error",
                "Next due",
                "Moved",
                "Images",
            ],
            French => [
                "URL",
                "Dernier succès",
                "Dernière erreur",
                "Prochaine lecture",
                "Déplacé",
                "Images",
            ],
        }
    }

    pub(crate) fn never(self) -> &'static str {
        match self {
            English => "never",
            French => "jamais",
        }
    }

    pub(crate) fn now(self) -> &'static str {
        match self {
            English => "now",
            French => "maintenant",
        }
    }

    pub(crate) fn no_error(self) -> &'static str {
        match self {
            English => "none",
            French => "aucune",
        }
    }

    pub(crate) fn unknown_error(self) -> &'static str {
        match self {
            English => "unknown error",
            French => "erreur inconnue",
        }
    }

    pub(crate) fn failing_for(self, runs: u32) -> String {
        match self {
            English => format!(
                "(failing for {runs} {})",
                Self::plural(u64::from(runs), "run", "runs")
            ),
            French => format!(
                "(en échec depuis {runs} {})",
                Self::plural(u64::from(runs), "lecture", "lectures")
            ),
        }
    }

    /// `url` is already escaped.
    pub(crate) fn moved_to(self, url: &str) -> String {
        match self {
            English => format!("permanently to {url}: update feeds.toml"),
            French => format!("définitivement vers {url} : mettre à jour feeds.toml"),
        }
    }

    pub(crate) fn no_articles(self) -> &'static str {
        match self {
            English => "no articles yet",
            French => "aucun article pour l’instant",
        }
    }

    /// "83% of 120 articles have an image (90% in the last 90 days)".
    pub(crate) fn coverage(
        self,
        percent: f64,
        total: u64,
        recent: Option<f64>,
        days: u64,
    ) -> String {
        match self {
            English => format!(
                "{percent:.0}% of {total} {} an image{}",
                Self::plural(total, "article has", "articles have"),
                recent.map_or(String::new(), |r| format!(
                    " ({r:.0}% in the last {days} days)"
                ))
            ),
            French => format!(
                "{percent:.0}\u{a0}% des {total} {} une image{}",
                Self::plural(total, "article a", "articles ont"),
                recent.map_or(String::new(), |r| format!(
                    " ({r:.0}\u{a0}% sur les {days} derniers jours)"
                ))
            ),
        }
    }

    pub(crate) fn articles_caption(self, articles: u64, days: u64) -> String {
        match self {
            English => format!("Articles per day: {articles} in {days} days"),
            French => format!("Articles par jour\u{a0}: {articles} en {days} jours"),
        }
    }

    pub(crate) fn failures_caption(self, failures: u64, days: u64) -> String {
        match self {
            English => format!(
                "Failed fetches per day: {failures} in {days} days (grey: fetched without failure)"
            ),
            French => format!(
                "Échecs de lecture par jour\u{a0}: {failures} en {days} jours (gris\u{a0}: lu sans échec)"
            ),
        }
    }

    pub(crate) fn articles_chart(self, days: u64) -> String {
        match self {
            English => format!("Articles per day over the last {days} days"),
            French => format!("Articles par jour sur les {days} derniers jours"),
        }
    }

    pub(crate) fn failures_chart(self, days: u64) -> String {
        match self {
            English => format!("Failed fetches per day over the last {days} days"),
            French => format!("Échecs de lecture par jour sur les {days} derniers jours"),
        }
    }

    pub(crate) fn articles_tip(self, day: &str, articles: u64, with_image: u64) -> String {
        match self {
            English => format!(
                "{day}: {articles} {}, {with_image} with an image",
                Self::plural(articles, "article", "articles")
            ),
            French => format!(
                "{day}\u{a0}: {articles} {}, {with_image} avec image",
                Self::plural(articles, "article", "articles")
            ),
        }
    }

    pub(crate) fn failures_tip(self, day: &str, failures: u64, fetches: u64) -> String {
        match self {
            English => format!("{day}: {failures} of {fetches} fetches failed"),
            French => format!("{day}\u{a0}: {failures} lectures sur {fetches} en échec"),
        }
    }

    pub(crate) fn fetched_tip(self, day: &str, fetches: u64) -> String {
        match self {
            English => format!("{day}: {fetches} fetches, none failed"),
            French => format!("{day}\u{a0}: {fetches} lectures, aucun échec"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The site's language is the one most feeds write in; the first
    /// feed's on a tie.
    #[test]
    fn the_site_speaks_as_most_of_its_feeds_write() {
        let site = |locales: &[&str]| {
            let mut text = String::new();
            for (i, locale) in locales.iter().enumerate() {
                text.push_str(&format!(
                    "[[feeds]]\nname = \"F{i}\"\nurl = \"https://f{i}.example.org/\"\nsection = \"news\"\n[feeds.output]\nlocale = {locale:?}\n\n"
                ));
            }
            let config = crate::config::Config::parse(
                &text,
                std::path::Path::new("feeds.toml"),
                std::path::Path::new("."),
            )
            .unwrap();
            PageLanguage::of_site(&config)
        };
        assert_eq!(site(&["fr", "en", "en-US", "en"]), English);
        assert_eq!(site(&["en", "fr", "fr", "de"]), French);
        assert_eq!(site(&["fr", "en"]), French);
        assert_eq!(site(&["en", "fr"]), English);
    }

    #[test]
    fn french_sites_read_french_and_others_english() {
        for tag in ["fr", "fr-CA", "FR_be"] {
            assert_eq!(PageLanguage::of(tag), French, "{tag}");
        }
        for tag in ["en", "en-US", "de", "frisian", ""] {
            assert_eq!(PageLanguage::of(tag), English, "{tag}");
        }
        assert_eq!(
            French.coverage(83.0, 120, Some(90.0), 90),
            "83\u{a0}% des 120 articles ont une image (90\u{a0}% sur les 90 derniers jours)"
        );
        assert_eq!(
            English.coverage(100.0, 1, None, 90),
            "100% of 1 article has an image"
        );
    }
}
