//! Small English helpers every message uses: the article before a word and the plural `s`.
//! One home, so all messages agree ("an attribute", "1 error", "2 errors").

/// "a" or "an" before `word` (by its first letter: "an array", "a string").
#[must_use]
pub fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    }
}

/// `word` with its article: "an attribute", "a label".
#[must_use]
pub fn with_article(word: &str) -> String {
    format!("{} {word}", article(word))
}

/// The plural ending for `n` things: `""` for one, `"s"` otherwise.
#[must_use]
pub fn plural<N: Copy + PartialEq + From<u8>>(n: N) -> &'static str {
    if n == N::from(1) { "" } else { "s" }
}

/// `n` and `word`, plural when `n` is not one: "1 change", "3 changes".
#[must_use]
pub fn count(n: usize, word: &str) -> String {
    format!("{n} {word}{}", plural(n))
}

/// Whether `c` shows as nothing: a format character (Unicode category Cf: zero-width space,
/// joiners, word joiner, byte-order mark, soft hyphen, bidi controls) or a control character.
///
/// # Panics
/// Never: the pattern is a constant the tests compile.
#[must_use]
pub fn is_invisible(c: char) -> bool {
    static INVISIBLE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    if c.is_ascii_graphic() || c == ' ' {
        return false;
    }
    let mut buffer = [0; 4];
    INVISIBLE
        .get_or_init(|| regex::Regex::new(r"^[\p{Cf}\p{Cc}]$").expect("a valid pattern"))
        .is_match(c.encode_utf8(&mut buffer))
}

/// `text` with every invisible character written as a Rust escape (`\u{200B}`), so a message
/// shows what the file holds.
#[must_use]
pub fn escape_invisible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_invisible) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_invisible(c) {
            out.push_str(&escape_char(c));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// One character as a Rust escape: `\u{200B}`.
#[must_use]
pub fn escape_char(c: char) -> String {
    format!("\\u{{{:X}}}", u32::from(c))
}

/// The first invisible character of `text` with its position in characters (0-based).
#[must_use]
pub fn first_invisible(text: &str) -> Option<(usize, char)> {
    text.chars().enumerate().find(|(_, c)| is_invisible(*c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wording() {
        assert_eq!(with_article("attribute"), "an attribute");
        assert_eq!(with_article("label"), "a label");
        assert_eq!(with_article("any"), "an any");
        assert_eq!(count(1, "error"), "1 error");
        assert_eq!(count(0, "error"), "0 errors");
        assert_eq!(plural(2), "s");
    }

    #[test]
    fn invisible_characters_are_escaped() {
        assert_eq!(
            escape_invisible("a\u{200B}b\u{FEFF}"),
            "a\\u{200B}b\\u{FEFF}"
        );
        assert_eq!(
            escape_invisible("conversation_label_1"),
            "conversation_label_1"
        );
        assert_eq!(escape_invisible("é ▸ x"), "é ▸ x");
        for c in [
            '\u{200C}',
            '\u{200D}',
            '\u{2060}',
            '\u{AD}',
            '\u{202E}',
            '\u{E0001}',
            '\t',
        ] {
            assert!(is_invisible(c), "{c:?}");
        }
        assert_eq!(first_invisible("ab\u{200B}"), Some((2, '\u{200B}')));
    }
}
