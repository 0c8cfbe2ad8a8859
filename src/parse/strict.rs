//! The strict reading of an XML or JSON feed by feed-rs, with our rules
//! for ids and dates (read in the day-month order of the feed's language),
//! guarded so that a panic of the parser fails only its feed.
//!
//! In: UTF-8 bytes and the URL they came from. Out: the parsed feed. Fails
//! with [`ParseFailure`]: the parser's own error, or its panic.

use feed_rs::model::Feed;
use url::Url;

use super::dates::{DayMonthOrder, MAX_DATE_LEN, Unreadable};

/// The parse with our id and date rules, in the feed's own order of day
/// and month. The channel's language is known only once the document is
/// read, so a document holding a numeric date that reads both ways is read
/// a second time, in the order its language gives; a document without
/// such dates is read once.
pub(super) fn parse_guarded(body: &[u8], base: Option<&Url>) -> Result<Feed, ParseFailure> {
    // The parser is third-party code reading untrusted bytes: should it
    // panic on a document nobody foresaw, that feed fails, not the run.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let (mut feed, mut dates) = parse_strict(body, base, DayMonthOrder::Unknown)?;
        if dates.day_or_month {
            let order = feed
                .language
                .as_deref()
                .map_or(DayMonthOrder::Unknown, DayMonthOrder::of_language);
            if order != DayMonthOrder::Unknown {
                (feed, dates) = parse_strict(body, base, order)?;
            }
        }
        dates.log(feed.language.as_deref());
        Ok(feed)
    }))
    .unwrap_or(Err(ParseFailure::ParserPanicked))
}

/// Why the strict parse failed.
#[derive(Debug, thiserror::Error)]
pub enum ParseFailure {
    #[error(transparent)]
    Parser(feed_rs::parser::ParseFeedError),
    #[error("the feed parser gave up on this document")]
    ParserPanicked,
}

fn parse_strict(
    body: &[u8],
    base: Option<&Url>,
    order: DayMonthOrder,
) -> Result<(Feed, UnreadDates), ParseFailure> {
    let unread = std::sync::Arc::new(std::sync::Mutex::new(UnreadDates::default()));
    let noted = std::sync::Arc::clone(&unread);
    let feed = feed_rs::parser::Builder::new()
        .base_uri(base.map(Url::as_str))
        // An empty id tells extraction that the item has no GUID: the
        // parser's generated ids can be random.
        .id_generator(|_, _, _| String::new())
        .timestamp_parser(move |text| {
            let date = crate::parse::dates::read_feed_date(text, order);
            if let Err(why) = date
                && !text.trim().is_empty()
                && let Ok(mut unread) = noted.lock()
            {
                unread.note(text, why);
            }
            date.ok().map(|d| d.to_utc())
        })
        .build()
        .parse(body)
        .map_err(ParseFailure::Parser)?;
    let unread = std::mem::take(&mut *unread.lock().unwrap_or_else(|e| e.into_inner()));
    Ok((feed, unread))
}

/// The dates of one parse that could not be read, logged once the parse
/// that counts is done (the item then falls back to the time of its first
/// import).
#[derive(Debug, Default)]
struct UnreadDates {
    /// A numeric date whose day and month read both ways was met.
    day_or_month: bool,
    /// The first [`UnreadDates::KEPT`] texts, and why.
    texts: Vec<(String, Unreadable)>,
    /// How many more there were.
    more: usize,
}

impl UnreadDates {
    const KEPT: usize = 20;

    fn note(&mut self, text: &str, why: Unreadable) {
        self.day_or_month |= why == Unreadable::DayOrMonth;
        if self.texts.len() < Self::KEPT {
            let text: String = text.trim().chars().take(MAX_DATE_LEN).collect();
            self.texts.push((text, why));
        } else {
            self.more += 1;
        }
    }

    fn log(&self, language: Option<&str>) {
        for (date, why) in &self.texts {
            match why {
                Unreadable::NotADate => tracing::warn!(date = %date, "unreadable date"),
                Unreadable::DayOrMonth => tracing::warn!(
                    date = %date,
                    language = language.unwrap_or("none"),
                    "unreadable date: day and month could be either, and the feed's language does not say which comes first"
                ),
            }
        }
        if self.more > 0 {
            tracing::warn!("{} more unreadable dates", self.more);
        }
    }
}
