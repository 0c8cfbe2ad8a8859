//! Plain text cut to a length, as summaries, titles and slugs need it.
//!
//! In: text and a limit in characters. Out: a prefix of the text, cut
//! between words where there is a boundary to cut at. Pure; nothing fails,
//! and a cut never splits a character.

/// The longest prefix of `text` of at most `max_chars` characters that ends
/// at a word boundary (`is_separator` tells what separates words); a first
/// word longer than `max_chars` is cut.
pub(crate) fn word_prefix(
    text: &str,
    max_chars: usize,
    is_separator: impl Fn(char) -> bool,
) -> &str {
    let Some((cut, next)) = text.char_indices().nth(max_chars) else {
        return text;
    };
    if is_separator(next) {
        return &text[..cut];
    }
    match text[..cut].rfind(&is_separator) {
        Some(boundary) if boundary > 0 => &text[..boundary],
        _ => &text[..cut],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_prefix_handles_boundaries() {
        let space = |c: char| c == ' ';
        assert_eq!(word_prefix("ab cd ef", 5, space), "ab cd");
        assert_eq!(word_prefix("ab cd ef", 4, space), "ab");
        assert_eq!(word_prefix("abcdef", 3, space), "abc");
        assert_eq!(word_prefix("ab", 3, space), "ab");
    }
}
