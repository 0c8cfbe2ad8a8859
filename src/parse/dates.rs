//! Dates as real feeds write them.
//!
//! In: the text of a `pubDate`, `dc:date`, `updated` or similar element, as
//! the feed wrote it: RFC 822/1123/2822 (with or without weekday, seconds,
//! 2- or 4-digit year), ISO 8601 / W3C-DTF / RFC 3339 (full, without seconds,
//! without zone, date only, basic format), or a human date in English, French,
//! German, Spanish, Italian or Portuguese (`lundi 2 septembre 2024 10:13`,
//! `2 de setembro de 2024`, `December 16, 2023 2:02 pm`), or numbers only
//! (`2020/1/10 14:33:00`, `2020.01.10`, `10.01.2020`, `25/01/2020`).
//!
//! Out: a [`DateTime<FixedOffset>`] that keeps the offset the text gives
//! (`+0100` stays `+01:00`); a named zone becomes its offset, no zone or an
//! unknown alphabetic zone means UTC, a date without a time means midnight.
//!
//! What can fail: nothing panics; text that cannot be read as one date gives
//! `None`. That covers an impossible calendar date (`31 Feb 2024`), an
//! impossible time (`24:00`, `10:60`) or offset (`+99:99`), a missing day,
//! month or year, a date written with numbers only where day and month
//! could be either (`02/09/2024`) and the feed's language does not say
//! which (see [`DayMonthOrder`]), a Unix timestamp, words in places where no date has
//! words, and text longer than [`MAX_DATE_LEN`].
//!
//! Well-formed RFC 2822 and RFC 3339 go through chrono's own parsers; the rest
//! through a small scanner over bytes (ISO shapes) or a tokeniser (everything
//! else). Only that last path allocates (one small vector of tokens).
//!
//! Decisions on ambiguous text:
//! - The weekday is never checked: feeds get it wrong (typos, a weekday that
//!   does not match the date) far more often than they get the date wrong.
//! - `mar` is both March (French, Spanish, Italian, and German `Mär`) and a
//!   Tuesday abbreviation (`mar.` in French, Spanish, Italian): it is the month
//!   only when no other month name is present, and when it appears twice the
//!   first one (the weekday position) is dropped.
//! - `IST` is India Standard Time (+05:30), not Irish Summer Time (+01:00) or
//!   Israel (+02:00): Indian publishers write `IST` daily, whereas Irish feeds
//!   write `GMT`/`+0100` and Israeli ones numeric offsets, so India is the
//!   reading that is right most often.
//! - `CST` is US Central (-06:00, as RFC 822 defines it), not China.
//! - Military single letters are read as UTC, as RFC 2822 §4.3 asks (RFC 822
//!   got their signs wrong, so writers cannot be trusted on them); `Z` is UTC
//!   anyway.
//! - Two-digit years follow RFC 2822: `00`–`49` are 2000–2049, `50`–`99` are
//!   1950–1999; three-digit years add 1900.
//! - A bare number is not a date: a Unix timestamp in `dc:date` or `pubDate`
//!   is malformed, and a long number could as well be an id or a size, so
//!   reading it as seconds would invent dates.
//! - `am` before the clock is German ("am 2. September"), not ante meridiem.
//! - Words we do not know are tolerated only where feeds put junk: first
//!   (a misspelt weekday) or after the clock (an unknown zone). Anywhere else
//!   the text is prose, not a date.
//! - A second of 60 is a leap second, as RFC 2822 and RFC 3339 allow.
//! - Numbers only: with the year first the order is always year, month,
//!   day (`2020/1/10` is 10 January; nobody writes year, day, month). With
//!   the year last, a number over 12 is the day (`25/01/2020`, `1/25/2020`),
//!   the same number twice reads one way; otherwise the feed's language
//!   decides, and without one the date is not read rather than guessed.
//!   The year has four digits: `10/01/20` could be any of three dates.
//!   feedparser differs here: it reads `2020/1/10` and `2020.01.10` as the
//!   first day of the *current* month of 2020 (its ISO 8601 reader matches
//!   only the leading `2020` and fills the month from today's date and the
//!   day with 1), and it reads no date with the year last.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone};

/// Texts longer than this many bytes are not dates and are refused unread.
pub(crate) const MAX_DATE_LEN: usize = 256;

/// A date has a dozen tokens; more than this is prose.
const MAX_TOKENS: usize = 32;

/// A date in a feed that does not say how it orders a numeric day and
/// month.
#[cfg(test)]
fn parse_feed_date(text: &str) -> Option<DateTime<FixedOffset>> {
    read_feed_date(text, DayMonthOrder::Unknown).ok()
}

/// How a feed writes a date made only of numbers when both day and month
/// could be either (`10/01/2020`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum DayMonthOrder {
    /// The feed does not say: such a date cannot be read.
    #[default]
    Unknown,
    /// `10/01/2020` is 10 January (most of the world).
    DayFirst,
    /// `10/01/2020` is 1 October (the United States).
    MonthFirst,
}

impl DayMonthOrder {
    /// The order the feed's language (`en-US`, `fr`, `de-AT`, `en_GB`)
    /// writes dates in. English without a region is written both ways
    /// (American, British, Indian and Australian sites all declare `en`),
    /// and so is Canadian English; Chinese, Japanese, Korean, Hungarian and
    /// Lithuanian write the year first, so a date with the year last says
    /// nothing sure about them either: all those stay unknown.
    pub(crate) fn of_language(tag: &str) -> Self {
        let tag = tag.trim().to_ascii_lowercase();
        let mut parts = tag.split(['-', '_']);
        let language = parts.next().unwrap_or_default();
        // The region is the subtag of two letters or three digits (a
        // script, `Latn`, has four).
        let region = parts.find(|p| {
            (p.len() == 2 && p.bytes().all(|c| c.is_ascii_alphabetic()))
                || (p.len() == 3 && p.bytes().all(|c| c.is_ascii_digit()))
        });
        if !(2..=3).contains(&language.len()) || !language.bytes().all(|c| c.is_ascii_alphabetic())
        {
            return Self::Unknown;
        }
        match (language, region) {
            // The United States and its territories, and the Philippines.
            ("en", Some("us" | "as" | "gu" | "mp" | "pr" | "um" | "vi" | "ph")) => Self::MonthFirst,
            ("en", None | Some("ca" | "001" | "150")) => Self::Unknown,
            ("zh" | "ja" | "ko" | "hu" | "lt", _) => Self::Unknown,
            _ => Self::DayFirst,
        }
    }
}

/// Why a date could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unreadable {
    /// Not a date we know how to read.
    NotADate,
    /// Numbers only, where day and month could be either, and the feed's
    /// language does not say which.
    DayOrMonth,
}

/// Parses a date as real feeds write it, keeping the writer's offset, with
/// the feed's way of ordering a numeric day and month. Fails when the text
/// cannot be read as a date, saying whether only that order was missing.
///
/// Case does not matter, surrounding and repeated whitespace is ignored. See
/// the [module documentation](self) for the formats read and the choices made
/// on ambiguous text.
pub(crate) fn read_feed_date(
    text: &str,
    order: DayMonthOrder,
) -> Result<DateTime<FixedOffset>, Unreadable> {
    let text = text.trim();
    if text.is_empty() || text.len() > MAX_DATE_LEN {
        return Err(Unreadable::NotADate);
    }
    let b = text.as_bytes();
    if looks_iso(b) {
        return DateTime::parse_from_rfc3339(text)
            .ok()
            .or_else(|| parse_iso(b))
            .map_or_else(|| parse_numeric(text, order), Ok);
    }
    if let Ok(date) = DateTime::parse_from_rfc2822(text) {
        return Ok(date);
    }
    if looks_numeric(b) {
        parse_numeric(text, order)
    } else {
        parse_words(text).ok_or(Unreadable::NotADate)
    }
}

/// `YYYY-` or `YYYYMMDDT`: the shapes of ISO 8601.
fn looks_iso(b: &[u8]) -> bool {
    b.len() >= 5
        && b[..4].iter().all(u8::is_ascii_digit)
        && (b[4] == b'-'
            || (b.len() >= 9
                && b[4..8].iter().all(u8::is_ascii_digit)
                && b[8].eq_ignore_ascii_case(&b'T')))
}

/// One to four digits, then `/`, `.` or `-`, then a digit: the start of a
/// date written with numbers only.
fn looks_numeric(b: &[u8]) -> bool {
    let (_, count, end) = digits(b, 0);
    (1..=4).contains(&count)
        && matches!(b.get(end), Some(b'/' | b'.' | b'-'))
        && digit_at(b, end + 1)
}

/// Dates written with numbers only, the same separator twice: year first
/// (`2020/1/10`, `2020.01.10`, `2020-1-10`), always year, month, day; or
/// year last (`10/01/2020`, `10.01.2020`, `25-01-2020`), where a number
/// over 12 is the day and otherwise `order` decides. Then, optionally, a
/// time (`14:33`, `14:33:00`, `2:33 pm`, `14h33`, after a space or `T`)
/// and a zone (`Z`, `+0100`, `GMT`, one unknown name); without a zone the
/// time is UTC.
fn parse_numeric(text: &str, order: DayMonthOrder) -> Result<DateTime<FixedOffset>, Unreadable> {
    const NOT: Unreadable = Unreadable::NotADate;
    let b = text.as_bytes();
    let (first, first_digits, end) = digits(b, 0);
    let separator = *b.get(end).ok_or(NOT)?;
    if !matches!(separator, b'/' | b'.' | b'-') {
        return Err(NOT);
    }
    let (second, second_digits, end) = digits(b, end + 1);
    if !(1..=2).contains(&second_digits) || b.get(end) != Some(&separator) {
        return Err(NOT);
    }
    let (third, third_digits, end) = digits(b, end + 1);
    let (clock, offset) = numeric_time(&text[end..]).ok_or(NOT)?;
    let (year, month, day) = match (first_digits, third_digits) {
        (4, 1 | 2) => (first, second, third),
        (1 | 2, 4) => {
            let (day, month) = match (first, second) {
                (a, b) if a == b || b > 12 => (b, a),
                (a, b) if a > 12 => (a, b),
                (a, b) => match order {
                    DayMonthOrder::DayFirst => (a, b),
                    DayMonthOrder::MonthFirst => (b, a),
                    DayMonthOrder::Unknown => {
                        // Ambiguous only if both readings are dates.
                        return match assemble(third, b, a, clock, offset) {
                            Some(_) => Err(Unreadable::DayOrMonth),
                            None => Err(NOT),
                        };
                    }
                },
            };
            (third, month, day)
        }
        _ => return Err(NOT),
    };
    assemble(year, month, day, clock, offset).ok_or(NOT)
}

/// What may follow a numeric date: nothing, or a space (or `T`) and a time
/// of day with an optional zone. The clock and the offset in seconds.
fn numeric_time(rest: &str) -> Option<(Clock, i32)> {
    if rest.is_empty() {
        return Some((Clock::default(), 0));
    }
    let rest = match rest.as_bytes()[0] {
        b'T' | b't' if digit_at(rest.as_bytes(), 1) => &rest[1..],
        b' ' | b',' | b'\t' => rest,
        _ => return None,
    };
    let tokens = tokenise(rest)?;
    let (mut clock, mut pm, mut offset, mut zone, mut unknown) = (None, None, None, None, 0);
    for token in tokens {
        match token {
            Token::Time(time) if clock.is_none() => clock = Some(time),
            Token::Meridiem { pm: is_pm } if clock.is_some() && pm.is_none() => pm = Some(is_pm),
            Token::Offset(seconds) if clock.is_some() && offset.is_none() => offset = Some(seconds),
            Token::Zone(seconds) if clock.is_some() && zone.is_none() => zone = Some(seconds),
            // `à`, `um`, `Uhr`, `at`.
            Token::Ignored => {}
            // One unknown zone name.
            Token::Unknown if clock.is_some() && unknown == 0 => unknown += 1,
            _ => return None,
        }
    }
    let clock = with_meridiem(clock?, pm)?;
    Some((clock, offset.or(zone).unwrap_or(0)))
}

/// A clock with its `am`/`pm`, on the 24-hour clock; None for `13:00 pm`.
fn with_meridiem(clock: Clock, pm: Option<bool>) -> Option<Clock> {
    match pm {
        None => Some(clock),
        Some(pm) if clock.hour <= 12 => Some(Clock {
            hour: clock.hour % 12 + if pm { 12 } else { 0 },
            ..clock
        }),
        Some(_) => None,
    }
}

/// A time of day as written, not yet checked.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Clock {
    hour: u32,
    minute: u32,
    second: u32,
    nano: u32,
}

/// The instant, or None when the date, time or offset does not exist.
fn assemble(
    year: u32,
    month: u32,
    day: u32,
    clock: Clock,
    offset_seconds: i32,
) -> Option<DateTime<FixedOffset>> {
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let time = if clock.second == 60 {
        // chrono's leap second: second 59 with a nanosecond past one second.
        NaiveTime::from_hms_nano_opt(clock.hour, clock.minute, 59, 1_000_000_000 + clock.nano)?
    } else {
        NaiveTime::from_hms_nano_opt(clock.hour, clock.minute, clock.second, clock.nano)?
    };
    FixedOffset::east_opt(offset_seconds)?
        .from_local_datetime(&date.and_time(time))
        .single()
}

/// The run of ASCII digits at `i`: its value (saturating), its length and
/// where it ends.
fn digits(b: &[u8], i: usize) -> (u32, usize, usize) {
    let mut value: u32 = 0;
    let mut end = i;
    while let Some(&d) = b.get(end).filter(|d| d.is_ascii_digit()) {
        value = value.saturating_mul(10).saturating_add(u32::from(d - b'0'));
        end += 1;
    }
    (value, end - i, end)
}

/// The digits of a decimal fraction at `i` as nanoseconds (digits past the
/// ninth are read and dropped), and where they end.
fn fraction(b: &[u8], i: usize) -> (u32, usize) {
    let mut nano = 0;
    let mut scale = 100_000_000;
    let mut end = i;
    while let Some(&d) = b.get(end).filter(|d| d.is_ascii_digit()) {
        nano += u32::from(d - b'0') * scale;
        scale /= 10;
        end += 1;
    }
    (nano, end)
}

fn digit_at(b: &[u8], i: usize) -> bool {
    b.get(i).is_some_and(u8::is_ascii_digit)
}

/// A numeric offset after its sign: `HH`, `H`, `HHMM` or `HH:MM`, in
/// seconds (unsigned), and where it ends.
fn offset_magnitude(b: &[u8], i: usize) -> Option<(i32, usize)> {
    let (value, count, end) = digits(b, i);
    let (hours, minutes, end) = if b.get(end) == Some(&b':') {
        let (minutes, minute_digits, after) = digits(b, end + 1);
        if count > 2 || minute_digits != 2 {
            return None;
        }
        (value, minutes, after)
    } else {
        match count {
            1 | 2 => (value, 0, end),
            4 => (value / 100, value % 100, end),
            _ => return None,
        }
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some((i32::try_from(hours * 3600 + minutes * 60).ok()?, end))
}

/// ISO 8601 that chrono's RFC 3339 parser refuses: no seconds, no zone, date
/// only, a space before the zone, `+HHMM` or `+HH` offsets, a zone name, the
/// basic format (`20240902T101301Z`).
fn parse_iso(b: &[u8]) -> Option<DateTime<FixedOffset>> {
    let (value, count, mut i) = digits(b, 0);
    let basic = count == 8;
    let (year, month, day) = if basic {
        (value / 10_000, value / 100 % 100, value % 100)
    } else if count == 4 && b.get(i) == Some(&b'-') {
        let (month, month_digits, after_month) = digits(b, i + 1);
        if !(1..=2).contains(&month_digits) || b.get(after_month) != Some(&b'-') {
            return None;
        }
        let (day, day_digits, after_day) = digits(b, after_month + 1);
        if !(1..=2).contains(&day_digits) {
            return None;
        }
        i = after_day;
        (value, month, day)
    } else {
        return None;
    };
    if i == b.len() {
        return assemble(year, month, day, Clock::default(), 0);
    }

    // The separator: `T`, or spaces.
    if b[i].eq_ignore_ascii_case(&b'T') {
        i += 1;
    } else if b[i] == b' ' && !basic {
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
    } else {
        return None;
    }

    let mut clock = Clock::default();
    if basic {
        let (value, count, end) = digits(b, i);
        match count {
            4 => (clock.hour, clock.minute) = (value / 100, value % 100),
            6 => {
                (clock.hour, clock.minute, clock.second) =
                    (value / 10_000, value / 100 % 100, value % 100);
            }
            _ => return None,
        }
        i = end;
    } else {
        let (hour, hour_digits, end) = digits(b, i);
        let (minute, minute_digits, end) = match b.get(end) {
            Some(b':') => digits(b, end + 1),
            _ => return None,
        };
        if hour_digits != 2 || minute_digits != 2 {
            return None;
        }
        (clock.hour, clock.minute, i) = (hour, minute, end);
        if b.get(i) == Some(&b':') {
            let (second, second_digits, end) = digits(b, i + 1);
            if second_digits != 2 {
                return None;
            }
            (clock.second, i) = (second, end);
        }
    }
    if matches!(b.get(i), Some(b'.' | b',')) && digit_at(b, i + 1) {
        (clock.nano, i) = fraction(b, i + 1);
    }

    let offset = iso_zone(b, i)?;
    assemble(year, month, day, clock, offset)
}

/// What may follow an ISO time: nothing, `Z`, a numeric offset, a zone name
/// (an unknown one means UTC), or a name then an offset (`UTC+02:00`),
/// spaces allowed in between. The offset in seconds.
fn iso_zone(b: &[u8], mut i: usize) -> Option<i32> {
    let skip_spaces = |mut i: usize| {
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        i
    };
    i = skip_spaces(i);
    let mut offset = 0;
    let name_end = i + b[i..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    if name_end > i {
        if name_end - i > 5 {
            return None;
        }
        let mut folded = [0u8; 5];
        for (slot, c) in folded.iter_mut().zip(&b[i..name_end]) {
            *slot = c.to_ascii_lowercase();
        }
        offset = std::str::from_utf8(&folded[..name_end - i])
            .ok()
            .and_then(zone_offset)
            .unwrap_or(0);
        i = skip_spaces(name_end);
    }
    if let Some(&sign @ (b'+' | b'-')) = b.get(i) {
        let (magnitude, end) = offset_magnitude(b, i + 1)?;
        offset = if sign == b'-' { -magnitude } else { magnitude };
        i = end;
    }
    (i == b.len()).then_some(offset)
}

/// What a piece of a date written in words is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Token {
    Number {
        value: u32,
        digits: usize,
    },
    Time(Clock),
    /// A numeric offset, in seconds.
    Offset(i32),
    /// A zone name's offset, in seconds.
    Zone(i32),
    Month(u32),
    /// A month name that is also a weekday abbreviation (`mar`).
    AmbiguousMonth(u32),
    /// `am`/`pm` (or German `am` when it comes before the clock).
    Meridiem {
        pm: bool,
    },
    /// A weekday or a filler word (`de`, `of`, `à`, `Uhr`…).
    Ignored,
    Unknown,
}

/// Dates written with words: RFC 2822 that chrono refuses, asctime, RFC 850,
/// JavaScript's `Date.toString`, and human dates in six languages.
fn parse_words(text: &str) -> Option<DateTime<FixedOffset>> {
    let tokens = tokenise(text)?;

    let mut month = None;
    let mut ambiguous_month = None;
    let mut numbers = [(0u32, 0usize); 2];
    let mut number_count = 0;
    let mut clock = None;
    let mut pm = None;
    let mut offset = None;
    let mut zone = None;
    for (index, &token) in tokens.iter().enumerate() {
        match token {
            Token::Number { value, digits } => {
                if number_count == numbers.len() || digits > 4 {
                    return None;
                }
                numbers[number_count] = (value, digits);
                number_count += 1;
            }
            Token::Time(time) => {
                if clock.replace(time).is_some() {
                    return None;
                }
            }
            Token::Offset(seconds) => {
                if offset.replace(seconds).is_some() {
                    return None;
                }
            }
            Token::Zone(seconds) => {
                zone.get_or_insert(seconds);
            }
            Token::Month(m) => {
                if month.replace(m).is_some_and(|previous| previous != m) {
                    return None;
                }
            }
            Token::AmbiguousMonth(m) => {
                // The first token is where the weekday goes: a later
                // candidate wins over it.
                if ambiguous_month.is_none() || index > 0 {
                    ambiguous_month = Some(m);
                }
            }
            // Before the clock, `am` is German ("am 2. September").
            Token::Meridiem { pm: is_pm } if clock.is_some() => {
                if pm.replace(is_pm).is_some() {
                    return None;
                }
            }
            Token::Meridiem { .. } | Token::Ignored => {}
            // A misspelt weekday, or an unknown zone.
            Token::Unknown if index == 0 || clock.is_some() => {}
            Token::Unknown => return None,
        }
    }

    let month = month.or(ambiguous_month)?;
    let ((day, _), (year, year_digits)) = match numbers {
        _ if number_count != 2 => return None,
        [a, b] if a.1 <= 2 && b.1 >= 2 => (a, b),
        [a, b] if b.1 <= 2 && a.1 >= 3 => (b, a),
        _ => return None,
    };
    let year = match year_digits {
        2 if year < 50 => year + 2000,
        2 | 3 => year + 1900,
        _ => year,
    };

    let clock = match clock {
        Some(clock) => with_meridiem(clock, pm)?,
        None => Clock::default(),
    };
    assemble(year, month, day, clock, offset.or(zone).unwrap_or(0))
}

/// Cuts `text` into tokens. None when a piece is malformed (a clock with a
/// three-digit hour, an offset of three digits) or there are too many.
fn tokenise(text: &str) -> Option<Vec<Token>> {
    let b = text.as_bytes();
    let mut tokens = Vec::with_capacity(12);
    let mut i = 0;
    let mut after_space = true;
    while let Some(c) = text[i..].chars().next() {
        if tokens.len() > MAX_TOKENS {
            return None;
        }
        let mut space = false;
        if c.is_ascii_digit() {
            i = number(text, i, &mut tokens)?;
        } else if is_word_char(c) {
            let (word, end) = read_word(text, i);
            i = end;
            match word.as_str() {
                // `a.m.`, `p.m.`
                Some(w @ ("a" | "p"))
                    if b.get(i..i + 2)
                        .is_some_and(|m| m.eq_ignore_ascii_case(b".m")) =>
                {
                    i += 2;
                    if b.get(i) == Some(&b'.') {
                        i += 1;
                    }
                    tokens.push(Token::Meridiem { pm: w == "p" });
                }
                Some(w) => tokens.push(classify(w)),
                None => tokens.push(Token::Unknown),
            }
        } else if (c == '+' || c == '-')
            && digit_at(b, i + 1)
            // A hyphen is a minus sign after a space, a clock or a zone name
            // (`10:13:01-0500`, `GMT-5`), not inside `06-Nov-94`.
            && (c == '+'
                || after_space
                || matches!(tokens.last(), Some(Token::Time(_) | Token::Zone(_))))
        {
            let (magnitude, end) = offset_magnitude(b, i + 1)?;
            tokens.push(Token::Offset(if c == '-' { -magnitude } else { magnitude }));
            i = end;
        } else if c == '(' {
            i = skip_comment(b, i);
        } else {
            if c.is_alphanumeric() {
                // Digits of another script.
                tokens.push(Token::Unknown);
            }
            space = c.is_whitespace();
            i += c.len_utf8();
        }
        after_space = space;
    }
    Some(tokens)
}

/// A run of digits at `start`, with what sticks to it: a clock (`10:13:01`,
/// `10h30`), an ordinal suffix (`1er`, `16th`, `1º`), `am`/`pm` (`2pm`).
/// Where it ends, or None for a malformed clock.
fn number(text: &str, start: usize, tokens: &mut Vec<Token>) -> Option<usize> {
    let b = text.as_bytes();
    let (value, count, end) = digits(b, start);
    match b.get(end) {
        Some(b':') if digit_at(b, end + 1) => {
            let (minute, minute_digits, mut i) = digits(b, end + 1);
            if count > 2 || minute_digits != 2 {
                return None;
            }
            let mut clock = Clock {
                hour: value,
                minute,
                ..Clock::default()
            };
            if b.get(i) == Some(&b':') && digit_at(b, i + 1) {
                let (second, second_digits, after) = digits(b, i + 1);
                if second_digits != 2 {
                    return None;
                }
                (clock.second, i) = (second, after);
                if matches!(b.get(i), Some(b'.' | b',')) && digit_at(b, i + 1) {
                    (clock.nano, i) = fraction(b, i + 1);
                }
            }
            tokens.push(Token::Time(clock));
            return Some(i);
        }
        // French: `10h30`, `10h`.
        Some(b'h' | b'H') if count <= 2 => {
            let (minute, minute_digits, after) = digits(b, end + 1);
            let letter_follows = text[after..].chars().next().is_some_and(is_word_char);
            if (minute_digits == 0 || minute_digits == 2) && !letter_follows {
                tokens.push(Token::Time(Clock {
                    hour: value,
                    minute,
                    ..Clock::default()
                }));
                return Some(after);
            }
        }
        _ => {}
    }
    tokens.push(Token::Number {
        value,
        digits: count,
    });
    if !text[end..].chars().next().is_some_and(is_word_char) {
        return Some(end);
    }
    let (word, after) = read_word(text, end);
    match word.as_str() {
        Some("st" | "nd" | "rd" | "th" | "er" | "re" | "ere" | "eme" | "e" | "o" | "a") => {
            Some(after)
        }
        Some(w @ ("am" | "pm")) if count <= 2 => {
            tokens.pop();
            tokens.push(Token::Time(Clock {
                hour: value,
                ..Clock::default()
            }));
            tokens.push(Token::Meridiem { pm: w == "pm" });
            Some(after)
        }
        // Not a suffix: the word is read on its own.
        _ => Some(end),
    }
}

/// Skips an RFC 2822 comment (nested parentheses, backslash escapes) that
/// starts at `start`; an unclosed one runs to the end.
fn skip_comment(b: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

fn is_word_char(c: char) -> bool {
    c.is_alphabetic() || is_combining_accent(c)
}

/// Combining diacritical marks: `e` + U+0301 is a decomposed `é`.
fn is_combining_accent(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// A word lowercased with its accents removed, when it is short and written
/// in Latin letters.
struct Folded {
    buf: [u8; 12],
    len: usize,
    latin: bool,
}

impl Folded {
    fn as_str(&self) -> Option<&str> {
        if self.latin && self.len <= self.buf.len() {
            std::str::from_utf8(&self.buf[..self.len]).ok()
        } else {
            None
        }
    }
}

/// The word starting at `start`, folded, and where it ends.
fn read_word(text: &str, start: usize) -> (Folded, usize) {
    let mut word = Folded {
        buf: [0; 12],
        len: 0,
        latin: true,
    };
    let mut end = start;
    for c in text[start..].chars().take_while(|&c| is_word_char(c)) {
        end += c.len_utf8();
        if is_combining_accent(c) {
            continue;
        }
        match fold(c) {
            Some(letter) if word.len < word.buf.len() => word.buf[word.len] = letter,
            Some(_) => {}
            None => word.latin = false,
        }
        word.len += 1;
    }
    (word, end)
}

/// A letter as lowercase ASCII without its accent; None for letters of
/// other alphabets.
fn fold(c: char) -> Option<u8> {
    if c.is_ascii_alphabetic() {
        return Some(c.to_ascii_lowercase() as u8);
    }
    let letter = match c.to_lowercase().next()? {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ª' => b'a',
        'ç' => b'c',
        'è' | 'é' | 'ê' | 'ë' => b'e',
        'ì' | 'í' | 'î' | 'ï' => b'i',
        'ñ' => b'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'º' => b'o',
        'ù' | 'ú' | 'û' | 'ü' => b'u',
        'ý' | 'ÿ' => b'y',
        _ => return None,
    };
    Some(letter)
}

/// What a folded word means in a date.
fn classify(word: &str) -> Token {
    if let Some(month) = month_number(word) {
        return Token::Month(month);
    }
    match word {
        // March, and Tuesday in French, Spanish and Italian (German `Mär`
        // folds to it too).
        "mar" => Token::AmbiguousMonth(3),
        "am" => Token::Meridiem { pm: false },
        "pm" => Token::Meridiem { pm: true },
        _ if is_weekday(word) || is_filler(word) => Token::Ignored,
        _ => zone_offset(word).map_or(Token::Unknown, Token::Zone),
    }
}

/// Month names and abbreviations in English, French, German, Spanish,
/// Italian and Portuguese, folded. `mar` is left out: see [`classify`].
fn month_number(word: &str) -> Option<u32> {
    let month = match word {
        "january" | "jan" | "janvier" | "janv" | "januar" | "janner" | "enero" | "ene"
        | "gennaio" | "gen" | "janeiro" => 1,
        "february" | "feb" | "fevrier" | "fevr" | "fev" | "februar" | "febrero" | "febbraio"
        | "fevereiro" => 2,
        "march" | "mars" | "marz" | "mrz" | "marzo" | "marco" => 3,
        "april" | "apr" | "avril" | "avr" | "abril" | "abr" | "aprile" => 4,
        "may" | "mai" | "mayo" | "maggio" | "mag" | "maio" => 5,
        "june" | "jun" | "juin" | "juni" | "junio" | "giugno" | "giu" | "junho" => 6,
        "july" | "jul" | "juillet" | "juil" | "juli" | "julio" | "luglio" | "lug" | "julho" => 7,
        "august" | "aug" | "aout" | "agosto" | "ago" => 8,
        "september" | "sep" | "sept" | "septembre" | "septiembre" | "setiembre" | "set"
        | "settembre" | "setembro" => 9,
        "october" | "oct" | "octobre" | "oktober" | "okt" | "octubre" | "ottobre" | "ott"
        | "outubro" | "out" => 10,
        "november" | "nov" | "novembre" | "noviembre" | "novembro" => 11,
        "december" | "dec" | "decembre" | "dezember" | "dez" | "diciembre" | "dic" | "dicembre"
        | "dezembro" => 12,
        _ => return None,
    };
    Some(month)
}

/// Weekday names and abbreviations in the six languages, folded.
fn is_weekday(word: &str) -> bool {
    matches!(
        word,
        // English
        "monday" | "mon" | "tuesday" | "tue" | "tues" | "wednesday" | "wed" | "weds"
            | "thursday" | "thu" | "thur" | "thurs" | "friday" | "fri" | "saturday" | "sat"
            | "sunday" | "sun"
            // French (`mar` is ambiguous)
            | "lundi" | "lun" | "mardi" | "mercredi" | "mer" | "jeudi" | "jeu" | "vendredi"
            | "ven" | "samedi" | "sam" | "dimanche" | "dim"
            // German
            | "montag" | "mo" | "dienstag" | "di" | "die" | "mittwoch" | "mi" | "mit"
            | "donnerstag" | "do" | "don" | "freitag" | "fr" | "fre" | "samstag" | "sonnabend"
            | "sa" | "sonntag" | "so" | "son"
            // Spanish
            | "lunes" | "martes" | "miercoles" | "mie" | "jueves" | "jue" | "viernes" | "vie"
            | "sabado" | "sab" | "domingo" | "dom"
            // Italian
            | "lunedi" | "martedi" | "mercoledi" | "giovedi" | "gio" | "venerdi" | "sabato"
            | "domenica"
            // Portuguese (`terça-feira` is `terca` then `feira`)
            | "segunda" | "seg" | "terca" | "ter" | "quarta" | "qua" | "quinta" | "qui"
            | "sexta" | "sex"
    )
}

/// Words that sit between the parts of a date: `2 de setembro`, `16th of
/// December`, `le 2 février à 10h`, `um 10:13 Uhr`, `alle ore 8:00`.
fn is_filler(word: &str) -> bool {
    matches!(
        word,
        "de" | "del"
            | "da"
            | "of"
            | "the"
            | "at"
            | "on"
            | "a"
            | "o"
            | "e"
            | "y"
            | "le"
            | "el"
            | "la"
            | "l"
            | "um"
            | "uhr"
            | "den"
            | "der"
            | "as"
            | "em"
            | "alle"
            | "ore"
            | "ora"
            | "feira"
    )
}

/// The offset in seconds of a zone name (folded).
fn zone_offset(word: &str) -> Option<i32> {
    const H: i32 = 3600;
    let offset = match word {
        "gmt" | "ut" | "utc" | "uct" | "z" | "wet" => 0,
        "bst" | "west" | "cet" | "met" | "mez" => H,
        "cest" | "mest" | "mesz" | "eet" => 2 * H,
        "eest" | "msk" => 3 * H,
        "ist" => 5 * H + 30 * 60,
        "sgt" | "hkt" | "awst" => 8 * H,
        "jst" | "kst" => 9 * H,
        "acst" => 9 * H + 30 * 60,
        "aest" => 10 * H,
        "acdt" => 10 * H + 30 * 60,
        "aedt" => 11 * H,
        "nzst" => 12 * H,
        "nzdt" => 13 * H,
        "edt" => -4 * H,
        "est" | "cdt" => -5 * H,
        "cst" | "mdt" => -6 * H,
        "mst" | "pdt" => -7 * H,
        "pst" | "akdt" => -8 * H,
        "akst" => -9 * H,
        "hst" => -10 * H,
        _ => return None,
    };
    Some(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The UTC instant and the offset in seconds, or None.
    fn read(text: &str) -> Option<(String, i32)> {
        parse_feed_date(text).map(|dt| (dt.to_utc().to_rfc3339(), dt.offset().local_minus_utc()))
    }

    const H: i32 = 3600;

    /// (text, UTC instant, offset in seconds).
    const VALID: &[(&str, &str, i32)] = &[
        // RFC 822 / 1123 / 2822
        (
            "Mon, 02 Sep 2024 10:13:01 +0000",
            "2024-09-02T10:13:01+00:00",
            0,
        ),
        ("2 Sep 2024 10:13 +0200", "2024-09-02T08:13:00+00:00", 2 * H),
        ("Mon, 2 Sep 24 10:13:01 GMT", "2024-09-02T10:13:01+00:00", 0),
        (
            "Thu, 02 Sep 99 10:13:01 -0500",
            "1999-09-02T15:13:01+00:00",
            -5 * H,
        ),
        (
            "Tue, 02 Sep 2024 10:13:01 +0000",
            "2024-09-02T10:13:01+00:00",
            0,
        ),
        (
            "Mnday, 02 Sep 2024 10:13:01 +0000",
            "2024-09-02T10:13:01+00:00",
            0,
        ),
        (
            "Wedn, 02 Sep 2024 10:13:01 +0000",
            "2024-09-02T10:13:01+00:00",
            0,
        ),
        (
            "  mon,   02   sep   2024   10:13:01   +0000  ",
            "2024-09-02T10:13:01+00:00",
            0,
        ),
        (
            "MON, 02 SEP 2024 10:13:01 +0000",
            "2024-09-02T10:13:01+00:00",
            0,
        ),
        (
            "Monday, 02 September 2024 10:13:01 +0000",
            "2024-09-02T10:13:01+00:00",
            0,
        ),
        ("Mon, 02 Sep 2024 10:13:01", "2024-09-02T10:13:01+00:00", 0),
        (
            "Mon, 02 Sep 2024 10:13:01 +01:00",
            "2024-09-02T09:13:01+00:00",
            H,
        ),
        (
            "Mon, 02 Sep 2024 10:13:01 -05",
            "2024-09-02T15:13:01+00:00",
            -5 * H,
        ),
        (
            "Mon, 02 Sep 2024 10:13:01 +0200 (CEST)",
            "2024-09-02T08:13:01+00:00",
            2 * H,
        ),
        (
            "Mon, 02 Sep 2024 10:13:01 XYZT",
            "2024-09-02T10:13:01+00:00",
            0,
        ),
        (
            "Mon, 02 Sep 2024 10:13:01 Q",
            "2024-09-02T10:13:01+00:00",
            0,
        ),
        (
            "Mon, 02 Sep 2024 10:13:01.250 +0000",
            "2024-09-02T10:13:01.250+00:00",
            0,
        ),
        ("2 Sep 2024", "2024-09-02T00:00:00+00:00", 0),
        ("Sun Nov  6 08:49:37 1994", "1994-11-06T08:49:37+00:00", 0),
        (
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "1994-11-06T08:49:37+00:00",
            0,
        ),
        (
            "Mon Sep 02 2024 10:13:01 GMT+0200 (Central European Summer Time)",
            "2024-09-02T08:13:01+00:00",
            2 * H,
        ),
        (
            "2 Sep 2024 10:13 GMT-3",
            "2024-09-02T13:13:00+00:00",
            -3 * H,
        ),
        ("2\u{a0}Sep\u{a0}2024 10:13", "2024-09-02T10:13:00+00:00", 0),
        (
            "Sat, 31 Dec 2016 23:59:60 +0000",
            "2016-12-31T23:59:60+00:00",
            0,
        ),
        // Zone names
        ("02 Sep 2024 10:13:01 UT", "2024-09-02T10:13:01+00:00", 0),
        ("02 Sep 2024 10:13:01 UTC", "2024-09-02T10:13:01+00:00", 0),
        ("02 Sep 2024 10:13:01 Z", "2024-09-02T10:13:01+00:00", 0),
        (
            "02 Sep 2024 10:13:01 EST",
            "2024-09-02T15:13:01+00:00",
            -5 * H,
        ),
        (
            "02 Sep 2024 10:13:01 EDT",
            "2024-09-02T14:13:01+00:00",
            -4 * H,
        ),
        (
            "02 Sep 2024 10:13:01 CST",
            "2024-09-02T16:13:01+00:00",
            -6 * H,
        ),
        (
            "02 Sep 2024 10:13:01 CDT",
            "2024-09-02T15:13:01+00:00",
            -5 * H,
        ),
        (
            "02 Sep 2024 10:13:01 MST",
            "2024-09-02T17:13:01+00:00",
            -7 * H,
        ),
        (
            "02 Sep 2024 10:13:01 MDT",
            "2024-09-02T16:13:01+00:00",
            -6 * H,
        ),
        (
            "02 Sep 2024 10:13:01 PST",
            "2024-09-02T18:13:01+00:00",
            -8 * H,
        ),
        (
            "02 Sep 2024 10:13:01 PDT",
            "2024-09-02T17:13:01+00:00",
            -7 * H,
        ),
        ("02 Sep 2024 10:13:01 CET", "2024-09-02T09:13:01+00:00", H),
        (
            "02 Sep 2024 10:13:01 CEST",
            "2024-09-02T08:13:01+00:00",
            2 * H,
        ),
        ("02 Sep 2024 10:13:01 BST", "2024-09-02T09:13:01+00:00", H),
        ("02 Sep 2024 10:13:01 WET", "2024-09-02T10:13:01+00:00", 0),
        ("02 Sep 2024 10:13:01 WEST", "2024-09-02T09:13:01+00:00", H),
        (
            "02 Sep 2024 10:13:01 EET",
            "2024-09-02T08:13:01+00:00",
            2 * H,
        ),
        (
            "02 Sep 2024 10:13:01 EEST",
            "2024-09-02T07:13:01+00:00",
            3 * H,
        ),
        ("02 Sep 2024 10:13:01 MET", "2024-09-02T09:13:01+00:00", H),
        (
            "02 Sep 2024 10:13:01 MEST",
            "2024-09-02T08:13:01+00:00",
            2 * H,
        ),
        (
            "02 Sep 2024 10:13:01 IST",
            "2024-09-02T04:43:01+00:00",
            5 * H + 1800,
        ),
        // ISO 8601 / W3C-DTF / RFC 3339
        ("2024-09-02T10:13:01Z", "2024-09-02T10:13:01+00:00", 0),
        (
            "2024-09-02T10:13:01.123+02:00",
            "2024-09-02T08:13:01.123+00:00",
            2 * H,
        ),
        ("2024-09-02T10:13Z", "2024-09-02T10:13:00+00:00", 0),
        ("2024-09-02T10:13+02:00", "2024-09-02T08:13:00+00:00", 2 * H),
        ("2024-09-02T10:13:01", "2024-09-02T10:13:01+00:00", 0),
        ("2024-09-02 10:13:01", "2024-09-02T10:13:01+00:00", 0),
        ("2024-09-02  10:13:01", "2024-09-02T10:13:01+00:00", 0),
        ("2024-09-02", "2024-09-02T00:00:00+00:00", 0),
        ("2024-9-2", "2024-09-02T00:00:00+00:00", 0),
        ("2024-09-02t10:13:01z", "2024-09-02T10:13:01+00:00", 0),
        (
            "2024-09-02T10:13:01+0200",
            "2024-09-02T08:13:01+00:00",
            2 * H,
        ),
        (
            "2024-09-02T10:13:01-05",
            "2024-09-02T15:13:01+00:00",
            -5 * H,
        ),
        (
            "2024-09-02T10:13:01 +05:30",
            "2024-09-02T04:43:01+00:00",
            5 * H + 1800,
        ),
        ("2024-09-02 10:13:01 UTC", "2024-09-02T10:13:01+00:00", 0),
        (
            "2024-09-02 10:13:01 PDT",
            "2024-09-02T17:13:01+00:00",
            -7 * H,
        ),
        ("2024-09-02T10:13:01,5Z", "2024-09-02T10:13:01.500+00:00", 0),
        (
            "2024-09-02T10:13:01.1234567891Z",
            "2024-09-02T10:13:01.123456789+00:00",
            0,
        ),
        ("20240902T101301Z", "2024-09-02T10:13:01+00:00", 0),
        ("20240902T1013+0100", "2024-09-02T09:13:00+00:00", H),
        ("2016-12-31T23:59:60Z", "2016-12-31T23:59:60+00:00", 0),
        // Other languages
        (
            "lundi 2 septembre 2024 10:13:01 +0200",
            "2024-09-02T08:13:01+00:00",
            2 * H,
        ),
        ("2 sept. 2024 10:13", "2024-09-02T10:13:00+00:00", 0),
        (
            "Mo, 02 Sep 2024 10:13:01 +0200",
            "2024-09-02T08:13:01+00:00",
            2 * H,
        ),
        (
            "Di, 03 Dez 2024 08:00:00 +0100",
            "2024-12-03T07:00:00+00:00",
            H,
        ),
        (
            "mar, 03 dic 2024 08:00:00 +0100",
            "2024-12-03T07:00:00+00:00",
            H,
        ),
        (
            "2 de setembro de 2024 10:13",
            "2024-09-02T10:13:00+00:00",
            0,
        ),
        (
            "martedì 3 dicembre 2024 08:00",
            "2024-12-03T08:00:00+00:00",
            0,
        ),
        (
            "MARTEDÌ 3 DICEMBRE 2024 08:00",
            "2024-12-03T08:00:00+00:00",
            0,
        ),
        ("1er septembre 2024", "2024-09-01T00:00:00+00:00", 0),
        (
            "Sat, Dec 16 2023 02:02:33 PM",
            "2023-12-16T14:02:33+00:00",
            0,
        ),
        ("December 16, 2023 2:02 pm", "2023-12-16T14:02:00+00:00", 0),
        (
            "December 16, 2023 12:05 a.m.",
            "2023-12-16T00:05:00+00:00",
            0,
        ),
        ("December 16, 2023 12:05 PM", "2023-12-16T12:05:00+00:00", 0),
        ("16 Dec 2023 2pm", "2023-12-16T14:00:00+00:00", 0),
        (
            "Thursday, December 16th, 2023 at 2:02pm EST",
            "2023-12-16T19:02:00+00:00",
            -5 * H,
        ),
        ("3 mar 2024", "2024-03-03T00:00:00+00:00", 0),
        (
            "mar. 5 mars 2024 12:00 +0100",
            "2024-03-05T11:00:00+00:00",
            H,
        ),
        ("mar 5 mar 2024 12:00 +0100", "2024-03-05T11:00:00+00:00", H),
        (
            "Di, 05 Mär 2024 12:00:00 +0100",
            "2024-03-05T11:00:00+00:00",
            H,
        ),
        ("Mittwoch, 4. Dezember 2024", "2024-12-04T00:00:00+00:00", 0),
        (
            "Montag, 2. September 2024 um 10:13 Uhr",
            "2024-09-02T10:13:00+00:00",
            0,
        ),
        ("am 2. September 2024", "2024-09-02T00:00:00+00:00", 0),
        ("1. Jänner 2024", "2024-01-01T00:00:00+00:00", 0),
        (
            "miércoles, 4 de diciembre de 2024 09:30 -0300",
            "2024-12-04T12:30:00+00:00",
            -3 * H,
        ),
        (
            "sábado 7 de dezembro de 2024 às 10:13",
            "2024-12-07T10:13:00+00:00",
            0,
        ),
        (
            "quarta-feira, 4 de dezembro de 2024 10:13:00 -03:00",
            "2024-12-04T13:13:00+00:00",
            -3 * H,
        ),
        (
            "16 de Dezembro de 2023, 14:02 (BRT)",
            "2023-12-16T14:02:00+00:00",
            0,
        ),
        ("1º de março de 2024", "2024-03-01T00:00:00+00:00", 0),
        ("le 2 février 2024 à 10h30", "2024-02-02T10:30:00+00:00", 0),
        ("2 fe\u{301}vrier 2024", "2024-02-02T00:00:00+00:00", 0),
        ("jeu. 5 déc. 2024 18h", "2024-12-05T18:00:00+00:00", 0),
        (
            "giovedì 5 settembre 2024 ore 18:45 CEST",
            "2024-09-05T16:45:00+00:00",
            2 * H,
        ),
        (
            "ven, 06 ago 2024 08:00:00 +0200",
            "2024-08-06T06:00:00+00:00",
            2 * H,
        ),
        (
            "sex, 06 out 2024 08:00:00 -0300",
            "2024-10-06T11:00:00+00:00",
            -3 * H,
        ),
    ];

    #[test]
    fn reads_every_supported_format() {
        assert!(VALID.len() >= 40);
        for &(text, utc, offset) in VALID {
            assert_eq!(
                read(text),
                Some((utc.to_string(), offset)),
                "reading {text:?}"
            );
        }
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        let invalid = [
            "",
            "   ",
            // Unix timestamps, in seconds and milliseconds
            "1725271981",
            "172527198",
            "1725271981123",
            // impossible calendar dates and times
            "31 Feb 2024",
            "Thu, 29 Feb 2023 10:00:00 +0000",
            "30 février 2024 10:00",
            "2024-02-30",
            "2024-13-01",
            "2024-00-10T10:00:00Z",
            "Mon, 02 Sep 2024 24:00:00 +0000",
            "2 Sep 2024 10:60",
            "2 Sep 2024 10:13:61",
            "2024-09-02T25:00:00Z",
            "2024-09-02T10:13:01+24:00",
            "2 Sep 2024 10:13 +99:99",
            "2 Sep 2024 13:00 PM",
            // incomplete
            "2024-09",
            "2024",
            "Sep 2024",
            "2 Sep",
            "10:13:01",
            "2024-09-02T",
            "2024-09-02T10",
            // ambiguous or not a date
            "02/09/2024",
            "hello world",
            "foo bar 2 Sep 2024",
            "2 Sep 2024 10:13 10:14",
            "2 3 Sep 2024",
            "2 Sep Oct 2024",
            "Sep 2 2024 2025",
            "2 Sep 12345",
            "2024-09-02T10:13:01 hello+world",
        ];
        for text in invalid {
            assert_eq!(read(text), None, "reading {text:?}");
        }
    }

    /// Dates written with numbers only, read with an order: (text, order,
    /// UTC instant or None, offset). None for day-first or month-first
    /// means the order does not matter.
    #[test]
    fn numeric_dates_are_read_in_the_feeds_order() {
        use DayMonthOrder::{DayFirst, MonthFirst, Unknown};
        let cases: &[(&str, DayMonthOrder, &str, i32)] = &[
            // Year first: one reading, whatever the language.
            (
                "2020/1/10 14:33:00",
                Unknown,
                "2020-01-10T14:33:00+00:00",
                0,
            ),
            (
                "2020/1/10 14:33:00",
                DayFirst,
                "2020-01-10T14:33:00+00:00",
                0,
            ),
            (
                "2020/1/10 14:33:00",
                MonthFirst,
                "2020-01-10T14:33:00+00:00",
                0,
            ),
            ("2020/01/10", Unknown, "2020-01-10T00:00:00+00:00", 0),
            ("2020-1-10", Unknown, "2020-01-10T00:00:00+00:00", 0),
            ("2020-1-10 9:05", Unknown, "2020-01-10T09:05:00+00:00", 0),
            ("2020.01.10", Unknown, "2020-01-10T00:00:00+00:00", 0),
            ("2020.01.10 14:33", Unknown, "2020-01-10T14:33:00+00:00", 0),
            ("2020/1/25", Unknown, "2020-01-25T00:00:00+00:00", 0),
            (
                "2020/01/10T14:33:00Z",
                Unknown,
                "2020-01-10T14:33:00+00:00",
                0,
            ),
            (
                "2020/01/10 14:33:00 +0100",
                Unknown,
                "2020-01-10T13:33:00+00:00",
                H,
            ),
            (
                "2020/01/10 14:33:00 GMT",
                Unknown,
                "2020-01-10T14:33:00+00:00",
                0,
            ),
            (
                "2020/01/10 2:33 PM EST",
                Unknown,
                "2020-01-10T19:33:00+00:00",
                -5 * H,
            ),
            // Year last: a number over 12 is the day.
            ("25/01/2020", Unknown, "2020-01-25T00:00:00+00:00", 0),
            ("1/25/2020", Unknown, "2020-01-25T00:00:00+00:00", 0),
            ("25/01/2020", MonthFirst, "2020-01-25T00:00:00+00:00", 0),
            ("25.01.2020 14:33", Unknown, "2020-01-25T14:33:00+00:00", 0),
            ("25-01-2020", Unknown, "2020-01-25T00:00:00+00:00", 0),
            ("05/05/2020", Unknown, "2020-05-05T00:00:00+00:00", 0),
            // Else the feed's order.
            ("10/01/2020", DayFirst, "2020-01-10T00:00:00+00:00", 0),
            ("10/01/2020", MonthFirst, "2020-10-01T00:00:00+00:00", 0),
            (
                "10.01.2020 14:33:00",
                DayFirst,
                "2020-01-10T14:33:00+00:00",
                0,
            ),
            (
                "10.01.2020 14:33:00 +01:00",
                DayFirst,
                "2020-01-10T13:33:00+00:00",
                H,
            ),
            (
                "10.01.2020 um 14:33 Uhr",
                DayFirst,
                "2020-01-10T14:33:00+00:00",
                0,
            ),
            (
                "1/2/2020 2:33 pm",
                MonthFirst,
                "2020-01-02T14:33:00+00:00",
                0,
            ),
            ("10/01/2020 14h33", DayFirst, "2020-01-10T14:33:00+00:00", 0),
        ];
        for &(text, order, utc, offset) in cases {
            let read = read_feed_date(text, order)
                .map(|dt| (dt.to_utc().to_rfc3339(), dt.offset().local_minus_utc()));
            assert_eq!(
                read,
                Ok((utc.to_string(), offset)),
                "reading {text:?} {order:?}"
            );
        }
        // Both readings are dates and the feed does not say.
        for text in ["10/01/2020", "10.01.2020", "1-2-2020 10:00", "02/09/2024"] {
            assert_eq!(
                read_feed_date(text, Unknown),
                Err(Unreadable::DayOrMonth),
                "{text}"
            );
        }
        // Not dates, in any order.
        for text in [
            "13/13/2020",
            "32/01/2020",
            "2020/13/01",
            "2020/1/32",
            "2020/02/30",
            "10/01/20",
            "10/01-2020",
            "2020/1/10 hello world",
            "2020/1/10 14:33 foo bar",
            "2020/1/10 14",
            "2020/1/10 14:33 Jan",
            "2020/1/10x",
            "2020/1/10 25:00",
            "2020/1/10 13:00 pm",
            "1.2.3",
            "12345/1/1",
        ] {
            for order in [Unknown, DayFirst, MonthFirst] {
                assert_eq!(
                    read_feed_date(text, order),
                    Err(Unreadable::NotADate),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn the_language_says_which_comes_first() {
        use DayMonthOrder::{DayFirst, MonthFirst, Unknown};
        for (tag, order) in [
            ("en-US", MonthFirst),
            ("en-us", MonthFirst),
            ("en_US", MonthFirst),
            ("en-PH", MonthFirst),
            ("en-Latn-US", MonthFirst),
            ("en-GB", DayFirst),
            ("en-AU", DayFirst),
            ("en-IN", DayFirst),
            ("fr", DayFirst),
            ("fr-FR", DayFirst),
            ("fr-CA", DayFirst),
            ("de", DayFirst),
            ("de-AT", DayFirst),
            ("es-419", DayFirst),
            ("pt-BR", DayFirst),
            ("ru", DayFirst),
            ("en", Unknown),
            ("EN", Unknown),
            ("en-CA", Unknown),
            ("zh-CN", Unknown),
            ("ja", Unknown),
            ("", Unknown),
            ("  ", Unknown),
            ("english", Unknown),
            ("x", Unknown),
            ("1234", Unknown),
        ] {
            assert_eq!(DayMonthOrder::of_language(tag), order, "{tag:?}");
        }
    }

    #[test]
    fn keeps_the_offset_of_the_text() {
        let dt = parse_feed_date("Mon, 02 Sep 2024 10:13:01 +0100").unwrap();
        assert_eq!(dt.offset().local_minus_utc(), 3600);
        assert_eq!(dt.to_rfc3339(), "2024-09-02T10:13:01+01:00");
        let dt = parse_feed_date("2 de setembro de 2024 10:13 -03:00").unwrap();
        assert_eq!(dt.to_rfc3339(), "2024-09-02T10:13:00-03:00");
    }

    #[test]
    fn word_reader_agrees_with_chrono_on_well_formed_rfc2822() {
        for text in [
            "Mon, 02 Sep 2024 10:13:01 +0000",
            "2 Sep 2024 10:13 +0200",
            "Mon, 2 Sep 24 10:13:01 GMT",
            "Thu, 02 Sep 99 10:13:01 -0500",
            "Sat, 31 Dec 2016 23:59:60 +0000",
            "Fri, 01 Mar 2024 00:00:00 PDT",
            "Fri, 01 Mar 2024 00:00:00 +0000 (UTC)",
        ] {
            let chrono = DateTime::parse_from_rfc2822(text).unwrap();
            assert_eq!(parse_words(text), Some(chrono), "reading {text:?}");
        }
    }

    #[test]
    fn never_panics() {
        let mut odd: Vec<String> = [
            "",
            " ",
            "\u{0}",
            "+",
            "-",
            ":",
            "::",
            "(",
            ")",
            "((((",
            "))))",
            "\\",
            "+99:99",
            "-99:99",
            "2 Sep 2024 10:13 +99:99",
            "2 Sep 2024 10:13 +999999999999",
            "1:",
            "1:2:3:4",
            "99999999999999999999999999:99999999999999999999:999999999999",
            "99999999999999999999999999 Sep 2024",
            "2 Sep 99999999999999999999",
            "2 Sep 2024 10:13:01.99999999999999999999999",
            "4294967295-4294967295-4294967295",
            "9999-12-31T23:59:59.999999999-23:59",
            "0000-01-01T00:00:00+23:59",
            "T",
            "Z",
            "2024-",
            "2024--",
            "2024-09-",
            "2024-09-02T10:",
            "2024-09-02T10:13:",
            "2024-09-02T10:13:01.",
            "2024-09-02T10:13:01+",
            "2024-09-02T10:13:01+0",
            "2024-09-02T10:13:01 abcdefghijklmnop",
            "20240902T",
            "20240902T1",
            "2024年9月2日 10時13分",
            "٢ سبتمبر ٢٠٢٤",
            "𝟚 Sep 𝟚𝟘𝟚𝟜",
            "2 Sep 2024 🙂",
            "ǅ ẞ ﬀ İ",
            "2 Séptémbrè 2024",
            "2 e\u{301}\u{301}\u{301}",
            "\u{301}2 Sep 2024",
            "2 Sep 2024 10h99",
            "2 Sep 2024 99h",
            "a.m.",
            "2 Sep 2024 10:13 p.",
            "2 Sep 2024 10:13 p.m",
            "mar mar mar mar",
            "am am am",
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        odd.push("9".repeat(1000));
        odd.push("2 Sep 2024 ".repeat(1000));
        odd.push("(".repeat(200));
        odd.push("a ".repeat(100));
        odd.push("1 ".repeat(100));
        // Every prefix and suffix of every valid example.
        for &(text, _, _) in VALID {
            for (i, _) in text.char_indices() {
                odd.push(text[..i].to_string());
                odd.push(text[i..].to_string());
            }
        }
        // Random strings over the characters dates are made of.
        let alphabet: Vec<char> = "0123456789 :+-.,()TZ/\\aAmpMéº\u{301}\u{a0}SepMarder年"
            .chars()
            .collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 24) as usize;
            let text: String = (0..len)
                .map(|k| alphabet[((seed >> (k % 48)) as usize + k * 7) % alphabet.len()])
                .collect();
            odd.push(text);
        }
        for text in &odd {
            let _ = parse_feed_date(text);
            if let Some(dt) = parse_feed_date(text) {
                // What is read can be written back.
                let _ = dt.to_utc().to_rfc3339();
            }
        }
    }
}
