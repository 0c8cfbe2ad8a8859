//! The site's languages: long dates, month and weekday names from CLDR
//! (ICU4X's compiled data), and the one label of ours a field holds (the
//! image credit).
//!
//! In: a BCP 47 tag from `feeds.toml` (`fr`, `en`, `en-US`, `de-AT`, …) and
//! dates. Out: text. A tag whose language is not one we carry is refused
//! when the config is read; nothing fails after that.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use chrono::{Datelike, NaiveDate};
use icu_calendar::{Date, Gregorian};
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_datetime::fieldsets::{self, E, M, YMD, YMDE};
use icu_locale_core::Locale;

/// The languages feedimport carries: CLDR has the dates of many more, but
/// the image credit is a label of ours, written in each of these.
const LANGUAGES: [&str; 7] = ["fr", "en", "de", "es", "it", "pt", "nl"];

/// A locale of the site, as `feeds.toml` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SiteLocale {
    /// As written (`fr`, `en-US`), for messages and the template's `locale`.
    tag: String,
    /// The locale whose CLDR data is used: plain `en` reads as `en-GB`, the
    /// day before the month ("2 September 2024"), as the rest of Europe
    /// writes it; `en-US` gives "September 2, 2024".
    cldr: Locale,
    language: &'static str,
}

impl SiteLocale {
    /// The locale of `tag`, or a message saying what is accepted.
    pub(crate) fn parse(tag: &str) -> Result<SiteLocale, String> {
        let accepted = || {
            format!(
                "use one of {}, optionally with a region (such as \"en-US\" or \"de-AT\")",
                LANGUAGES.join(", ")
            )
        };
        let locale: Locale = tag
            .trim()
            .parse()
            .map_err(|_| format!("`{tag}` is not a language tag; {}", accepted()))?;
        let language = LANGUAGES
            .iter()
            .find(|l| locale.id.language.as_str() == **l)
            .ok_or_else(|| {
                format!(
                    "`{tag}` is not a language feedimport writes; {}",
                    accepted()
                )
            })?;
        let cldr = if locale.id.region.is_none() && *language == "en" {
            "en-GB".parse().unwrap_or(locale)
        } else {
            locale
        };
        Ok(SiteLocale {
            tag: tag.trim().to_string(),
            cldr,
            language,
        })
    }

    /// The default: French, as the site this tool was first written for.
    pub(crate) fn french() -> SiteLocale {
        SiteLocale {
            tag: "fr".to_string(),
            cldr: icu_locale_core::locale!("fr"),
            language: "fr",
        }
    }

    pub(crate) fn tag(&self) -> &str {
        &self.tag
    }

    /// The headings and labels the default preset writes around an
    /// article's fields, by name: `image_credit` (before the credit line,
    /// with its colon as the language writes it), `summary` (the summary's
    /// heading), `source` (the source link's heading). `None` for another
    /// name.
    pub(crate) fn label(&self, name: &str) -> Option<&'static str> {
        let labels: [&'static str; 3] = match self.language {
            "fr" => ["Crédit image :", "L’essentiel", "Lien source"],
            "de" => ["Bildnachweis:", "Das Wichtigste", "Quelle"],
            "es" => ["Crédito de la imagen:", "Lo esencial", "Enlace a la fuente"],
            "it" => ["Credito immagine:", "L’essenziale", "Link alla fonte"],
            "pt" => ["Crédito da imagem:", "O essencial", "Link da fonte"],
            "nl" => ["Beeld:", "De kern", "Bron"],
            _ => ["Image credit:", "Key points", "Source link"],
        };
        let index = ["image_credit", "summary", "source"]
            .iter()
            .position(|n| *n == name)?;
        Some(labels[index])
    }

    /// The label before the source URL in an image's credit line.
    pub(crate) fn image_credit_prefix(&self) -> &'static str {
        match self.language {
            "fr" => "Image de l’article — droits possiblement réservés — ",
            "de" => "Bild aus dem Artikel — Rechte möglicherweise vorbehalten — ",
            "es" => "Imagen del artículo — posiblemente con derechos reservados — ",
            "it" => "Immagine dell’articolo — diritti possibilmente riservati — ",
            "pt" => "Imagem do artigo — direitos possivelmente reservados — ",
            "nl" => "Afbeelding uit het artikel — mogelijk auteursrechtelijk beschermd — ",
            _ => "Image from the article — rights possibly reserved — ",
        }
    }
}

/// The date styles of the `date` filter that CLDR spells out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum DateStyle {
    /// "2 septembre 2024"
    Long,
    /// "2 sept. 2024"
    Medium,
    /// "02/09/2024"
    Short,
    /// "lundi 2 septembre 2024"
    Full,
}

impl DateStyle {
    pub(crate) fn named(name: &str) -> Option<DateStyle> {
        Some(match name {
            "long" => DateStyle::Long,
            "medium" => DateStyle::Medium,
            "short" => DateStyle::Short,
            "full" => DateStyle::Full,
            _ => return None,
        })
    }
}

/// The names a `strftime` pattern may ask for, from CLDR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Name {
    /// `%B`
    Month,
    /// `%b`
    MonthShort,
    /// `%A`
    Weekday,
    /// `%a`
    WeekdayShort,
}

/// The CLDR formatters of one locale, made on first use.
struct Formatters {
    long: FixedCalendarDateTimeFormatter<Gregorian, YMD>,
    medium: FixedCalendarDateTimeFormatter<Gregorian, YMD>,
    short: FixedCalendarDateTimeFormatter<Gregorian, YMD>,
    full: FixedCalendarDateTimeFormatter<Gregorian, YMDE>,
    month: FixedCalendarDateTimeFormatter<Gregorian, M>,
    month_short: FixedCalendarDateTimeFormatter<Gregorian, M>,
    weekday: FixedCalendarDateTimeFormatter<Gregorian, E>,
    weekday_short: FixedCalendarDateTimeFormatter<Gregorian, E>,
}

impl Formatters {
    fn new(locale: &Locale) -> Option<Formatters> {
        let prefs = || locale.clone().into();
        Some(Formatters {
            long: FixedCalendarDateTimeFormatter::try_new(prefs(), YMD::long()).ok()?,
            medium: FixedCalendarDateTimeFormatter::try_new(prefs(), YMD::medium()).ok()?,
            short: FixedCalendarDateTimeFormatter::try_new(prefs(), YMD::short()).ok()?,
            full: FixedCalendarDateTimeFormatter::try_new(prefs(), YMDE::long()).ok()?,
            month: FixedCalendarDateTimeFormatter::try_new(prefs(), fieldsets::M::long()).ok()?,
            month_short: FixedCalendarDateTimeFormatter::try_new(prefs(), fieldsets::M::medium())
                .ok()?,
            weekday: FixedCalendarDateTimeFormatter::try_new(prefs(), fieldsets::E::long()).ok()?,
            weekday_short: FixedCalendarDateTimeFormatter::try_new(prefs(), fieldsets::E::short())
                .ok()?,
        })
    }
}

thread_local! {
    /// Each locale's formatters, made once per thread when first asked for
    /// (ICU4X's formatters are not shared between threads).
    static FORMATTERS: RefCell<HashMap<Locale, Option<Rc<Formatters>>>> =
        RefCell::new(HashMap::new());
}

fn formatters(locale: &SiteLocale) -> Option<Rc<Formatters>> {
    FORMATTERS.with(|made| {
        if let Some(found) = made.borrow().get(&locale.cldr) {
            return found.clone();
        }
        let new = Formatters::new(&locale.cldr).map(Rc::new);
        made.borrow_mut().insert(locale.cldr.clone(), new.clone());
        new
    })
}

/// The long date of the locale ("2 septembre 2024"); in French the first
/// of the month is "1er", as French writes it.
pub(crate) fn long_date(date: NaiveDate, locale: &SiteLocale) -> String {
    let text = styled(date, DateStyle::Long, locale);
    if locale.language == "fr"
        && date.day() == 1
        && let Some(rest) = text.strip_prefix("1 ")
    {
        return format!("1er {rest}");
    }
    text
}

/// `date` in one of CLDR's styles.
pub(crate) fn styled(date: NaiveDate, style: DateStyle, locale: &SiteLocale) -> String {
    let Some((formatters, date)) = formatters(locale).zip(gregorian(date)) else {
        return date.format("%Y-%m-%d").to_string();
    };
    match style {
        DateStyle::Long => formatters.long.format(&date).to_string(),
        DateStyle::Medium => formatters.medium.format(&date).to_string(),
        DateStyle::Short => formatters.short.format(&date).to_string(),
        DateStyle::Full => formatters.full.format(&date).to_string(),
    }
}

/// A month or weekday name of `date`.
pub(crate) fn name(date: NaiveDate, name: Name, locale: &SiteLocale) -> String {
    let Some((formatters, day)) = formatters(locale).zip(gregorian(date)) else {
        return date.format(fallback_pattern(name)).to_string();
    };
    match name {
        Name::Month => formatters.month.format(&day).to_string(),
        Name::MonthShort => formatters.month_short.format(&day).to_string(),
        Name::Weekday => formatters.weekday.format(&day).to_string(),
        Name::WeekdayShort => formatters.weekday_short.format(&day).to_string(),
    }
}

fn fallback_pattern(name: Name) -> &'static str {
    match name {
        Name::Month => "%B",
        Name::MonthShort => "%b",
        Name::Weekday => "%A",
        Name::WeekdayShort => "%a",
    }
}

fn gregorian(date: NaiveDate) -> Option<Date<Gregorian>> {
    let month = u8::try_from(date.month()).ok()?;
    let day = u8::try_from(date.day()).ok()?;
    Date::try_new_gregorian(date.year(), month, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn long_dates_of_every_language() {
        for (tag, second, first) in [
            ("fr", "2 septembre 2024", "1er février 2024"),
            ("en", "2 September 2024", "1 February 2024"),
            ("en-US", "September 2, 2024", "February 1, 2024"),
            ("de", "2. September 2024", "1. Februar 2024"),
            ("es", "2 de septiembre de 2024", "1 de febrero de 2024"),
            ("it", "2 settembre 2024", "1 febbraio 2024"),
            ("pt", "2 de setembro de 2024", "1 de fevereiro de 2024"),
            ("nl", "2 september 2024", "1 februari 2024"),
        ] {
            let locale = SiteLocale::parse(tag).unwrap();
            assert_eq!(long_date(day(2024, 9, 2), &locale), second, "{tag}");
            assert_eq!(long_date(day(2024, 2, 1), &locale), first, "{tag}");
        }
    }

    /// Each locale's long date holds the month name CLDR gives on its own,
    /// for every month: the names and the patterns come from one source.
    #[test]
    fn month_names_agree_with_the_long_dates() {
        for tag in LANGUAGES {
            let locale = SiteLocale::parse(tag).unwrap();
            for month in 1..=12 {
                let date = day(2025, month, 14);
                let name = name(date, Name::Month, &locale);
                let long = long_date(date, &locale);
                assert!(
                    long.to_lowercase().contains(&name.to_lowercase()),
                    "{tag}: {name:?} not in {long:?}"
                );
            }
        }
    }

    #[test]
    fn unknown_languages_and_bad_tags_are_refused() {
        for tag in ["sv", "zz", "not a tag", "", "fr_FR!"] {
            let err = SiteLocale::parse(tag).unwrap_err();
            assert!(err.contains("fr, en, de"), "{tag}: {err}");
        }
        assert_eq!(SiteLocale::parse(" de-AT ").unwrap().tag(), "de-AT");
        assert_eq!(SiteLocale::parse("fr").unwrap(), SiteLocale::french());
    }
}
