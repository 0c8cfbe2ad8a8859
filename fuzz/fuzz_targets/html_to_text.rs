//! Arbitrary text as a title or summary: reduced to plain text it holds no
//! control, bidi-override or zero-width characters and no runs of spaces,
//! and its Markdown form opens no HTML tag.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let plain = feedimport::html_to_text(text);
    for c in plain.chars() {
        assert!(!c.is_control(), "{c:?} in {plain:?}");
        assert!(
            !matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}'),
            "{c:?} in {plain:?}"
        );
    }
    assert!(!plain.contains("  ") && plain.trim() == plain, "{plain:?}");
    let markdown = feedimport::markdown_text(&plain);
    for (i, _) in markdown.match_indices('<') {
        let backslashes = markdown[..i].chars().rev().take_while(|&c| c == '\\').count();
        assert!(backslashes % 2 == 1, "{markdown:?}");
    }
    let slug = feedimport::title_slug(&plain);
    assert!(slug.len() <= 200 && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
});
