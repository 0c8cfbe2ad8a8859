//! Arbitrary text as a title or summary: reduced to plain text it holds no
//! control, format or default-ignorable characters (but the joiners a
//! script or an emoji needs, between the characters they join) and no runs
//! of spaces, and its Markdown form opens no HTML tag.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let plain = feedimport::html_to_text(text);
    let chars: Vec<char> = plain.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        assert!(!c.is_control(), "{c:?} in {plain:?}");
        assert!(
            !matches!(c, '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E007F}'),
            "{c:?} in {plain:?}"
        );
        // Joiners stay only between two characters they join.
        if matches!(c, '\u{200C}' | '\u{200D}') {
            let joined = |n: Option<&char>| n.is_some_and(|n| !n.is_whitespace());
            assert!(
                i > 0 && joined(chars.get(i - 1)) && joined(chars.get(i + 1)),
                "{c:?} in {plain:?}"
            );
        }
    }
    assert!(!plain.contains("  ") && plain.trim() == plain, "{plain:?}");
    let markdown = feedimport::markdown_text(&plain);
    // A `<` that could open a tag (a letter, `/`, `!` or `?` after it) is
    // escaped; any other (`p<0.001`) opens nothing and stays.
    for (i, _) in markdown.match_indices('<') {
        let opens = markdown[i + 1..]
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'));
        let backslashes = markdown[..i].chars().rev().take_while(|&c| c == '\\').count();
        assert!(!opens || backslashes % 2 == 1, "{markdown:?}");
    }
    let slug = feedimport::title_slug(&plain);
    assert!(slug.len() <= 200 && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
});
