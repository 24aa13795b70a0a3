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
pub fn plural<N: PartialEq + From<u8>>(n: N) -> &'static str {
    if n == N::from(1) { "" } else { "s" }
}

/// `n` and `word`, plural when `n` is not one: "1 change", "3 changes".
#[must_use]
pub fn count(n: usize, word: &str) -> String {
    format!("{n} {word}{}", plural(n))
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
}
