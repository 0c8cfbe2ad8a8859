//! Mojibake mended: text whose UTF-8 bytes a publisher's pipeline or a
//! proxy read as Latin-1 or windows-1252 and wrote out again (`niÃ±os` for
//! `niños`, `â€™` for `’`), once or twice over, alone or beside correct
//! text.
//!
//! In: a text value (a title, a summary, a name). Out: the same text where
//! a run of such characters reads back as UTF-8, and only there. Pure;
//! nothing fails.
//!
//! A repair is made only where it is unambiguous, and so never turns
//! correct text into wrong text: a run of non-ASCII characters is read
//! back as the bytes Latin-1 and windows-1252 give them, and the part that
//! is valid UTF-8 replaces it only when every character it gives is one
//! that text is written in (letters of the Latin, Greek, Cyrillic,
//! Hebrew, Arabic and Asian scripts, punctuation, symbols, emoji). A
//! correct run is almost never valid UTF-8 read that way (`Größe`, `été`,
//! `Ærø` are not); where it is (`É»`, as in `«ÉTÉ»`), it gives characters
//! no text uses (here `ɻ`, a phonetic sign), and is kept.

use std::borrow::Cow;

/// Rounds of repair: text garbled twice (`ÃƒÂ±`) takes two.
const MAX_ROUNDS: usize = 3;

/// `text` with its mojibake mended; borrowed when there is none.
pub(crate) fn mend(text: &str) -> Cow<'_, str> {
    if text.is_ascii() || !may_be_garbled(text) {
        return Cow::Borrowed(text);
    }
    let mut current = Cow::Borrowed(text);
    for _ in 0..MAX_ROUNDS {
        match mend_once(&current) {
            Some(mended) => current = Cow::Owned(mended),
            None => break,
        }
    }
    current
}

/// Whether `text` holds what garbling leaves: a UTF-8 lead byte read as a
/// character (`Â`..`ô`) followed by a continuation byte read as one.
fn may_be_garbled(text: &str) -> bool {
    let mut previous_lead = false;
    for c in text.chars() {
        let byte = byte_of(c);
        if previous_lead && byte.is_some_and(|b| (0x80..=0xBF).contains(&b)) {
            return true;
        }
        previous_lead = byte.is_some_and(|b| (0xC2..=0xF4).contains(&b));
    }
    false
}

/// One round: each run of non-ASCII characters read back as bytes, its
/// valid UTF-8 parts decoded where they are plausible. `None` when
/// nothing changed.
fn mend_once(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut run: Vec<char> = Vec::new();
    let mut changed = false;
    for c in text.chars() {
        if byte_of(c).is_some() {
            run.push(c);
        } else {
            changed |= flush(&mut run, &mut out);
            out.push(c);
        }
    }
    changed |= flush(&mut run, &mut out);
    changed.then_some(out)
}

/// Writes `run` to `out`, its mended parts mended; empties it. Whether
/// anything was mended.
fn flush(run: &mut Vec<char>, out: &mut String) -> bool {
    if run.is_empty() {
        return false;
    }
    let bytes: Vec<u8> = run.iter().filter_map(|&c| byte_of(c)).collect();
    let mut at = 0;
    let mut changed = false;
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        if !valid.is_empty() && valid.chars().all(is_plausible) {
            out.push_str(valid);
            changed = true;
        } else {
            out.extend(&run[at..at + valid.len()]);
        }
        at += valid.len();
        let invalid = chunk.invalid().len();
        out.extend(&run[at..at + invalid]);
        at += invalid;
    }
    run.clear();
    changed
}

/// The byte a non-ASCII character stands for when UTF-8 was read as
/// windows-1252 (its 27 letters and signs at 0x80–0x9F) or as Latin-1
/// (every character up to U+00FF, the C1 controls included). `None` for
/// ASCII and for every other character.
fn byte_of(c: char) -> Option<u8> {
    let code = u32::from(c);
    if (0x80..=0xFF).contains(&code) {
        return u8::try_from(code).ok();
    }
    let byte = match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    };
    Some(byte)
}

/// A character text is written in: what a mended run may give.
fn is_plausible(c: char) -> bool {
    matches!(u32::from(c),
        // Latin-1 letters and signs, Latin Extended-A and -B (Romanian ș).
        0x00A0..=0x024F
        // Greek, Cyrillic, Armenian, Hebrew, Arabic, Syriac, Thaana.
        | 0x0370..=0x07BF
        // Indic and South-East Asian scripts, Georgian, Hangul Jamo.
        | 0x0900..=0x11FF
        // Latin Extended Additional (Vietnamese), Greek Extended.
        | 0x1E00..=0x1FFF
        // Punctuation, super- and subscripts, currency, letterlike
        // symbols, number forms, arrows, mathematical operators.
        | 0x2000..=0x22FF
        // Technical and box-drawing signs, shapes, dingbats.
        | 0x2300..=0x27BF
        // CJK, kana, Hangul syllables.
        | 0x2E80..=0x9FFF
        | 0xAC00..=0xD7AF
        // Full-width forms.
        | 0xFF00..=0xFFEF
        // Emoji and pictographs.
        | 0x1F300..=0x1FAFF
    ) && !c.is_control()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each route: UTF-8 read as windows-1252, as Latin-1 (C1 controls),
    /// twice over, and beside correct text; in several languages.
    #[test]
    fn garbled_text_is_mended() {
        for (garbled, meant) in [
            (
                "Los niÃ±os vuelven al colegio",
                "Los niños vuelven al colegio",
            ),
            ("LÃ©a Ã\u{a0} lâ€™Ã©cole", "Léa à l’école"),
            ("â€œQuotedâ€\u{9D} â€” dash", "“Quoted” — dash"),
            ("Gr\u{c3}\u{b6}\u{c3}\u{9f}e", "Größe"),
            ("ÐŸÑ€Ð¸Ð²ÐµÑ‚, Ð¼Ð¸Ñ€", "Привет, мир"),
            ("Ã¦Ã¸Ã¥ and Ã†Ã˜Ã…", "æøå and ÆØÅ"),
            ("Price: 10 â‚¬", "Price: 10 €"),
            ("æ—¥æœ¬èªž", "日本語"),
            // Latin-1's reading: the continuation bytes as C1 controls.
            ("l\u{e2}\u{80}\u{99}\u{e9}t\u{c3}\u{a9}", "l’été"),
            // Garbled twice.
            ("niÃƒÂ±os", "niños"),
            // Correct and garbled side by side.
            ("été, niÃ±os", "été, niños"),
            ("Emoji ðŸŽ‰ party", "Emoji 🎉 party"),
        ] {
            assert_eq!(mend(garbled), meant, "{garbled:?}");
        }
    }

    /// Correct text is left as it is, in the languages whose letters a
    /// repair could mistake: nothing there reads back as UTF-8, or what
    /// it would give is no text's.
    #[test]
    fn correct_text_is_never_changed() {
        for text in [
            "Größe, Straße, Ärger über Öl",
            "Élève à l’été, «ÉTÉ» — ça coûte 5 €",
            "Ærø, Ålborg, smørrebrød",
            "Привет, мир: съешь же ещё этих мягких булок",
            "¿Qué pasó? ¡Niños! Año 2024 — «Olé»",
            "Ísland Þórður Ðað",
            "ÃO? (Portuguese NÃO)",
            "Coração, ação, pão",
            "plain ASCII text",
            "日本語のテキスト",
        ] {
            assert_eq!(mend(text), text, "{text:?}");
            assert!(matches!(mend(text), Cow::Borrowed(_)), "{text:?}");
        }
    }
}
