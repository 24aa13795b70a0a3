//! Maps character positions inside a decoded YAML scalar back to bytes in the file.
//!
//! An expression lives inside a scalar; the scalar's text as the program sees it may differ
//! from the bytes in the file (quotes, `\"` escapes, `''`, folded lines, block indentation).
//! We align the decoded text with the raw bytes, character by character, so a diagnostic
//! at expression offset 17 points at the right column of the right line.

use crate::source::Span;

/// Byte offsets in the file for each byte offset of a decoded scalar.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OffsetMap {
    /// `starts[i]` = file offset of the decoded character starting at decoded byte `i`
    /// (only entries at character boundaries are meaningful); one extra entry for the end.
    starts: Vec<usize>,
    /// File offset used when the decoded text cannot be aligned with the raw bytes.
    fallback: Span,
}

impl OffsetMap {
    /// Aligns `decoded` with the raw scalar bytes `raw` found at file offset `raw_start`.
    #[must_use]
    pub fn new(decoded: &str, raw: &str, raw_start: usize) -> OffsetMap {
        let fallback = Span::new(raw_start, raw_start + raw.len());
        match align(decoded, raw) {
            Some(mut starts) => {
                for s in &mut starts {
                    *s += raw_start;
                }
                OffsetMap { starts, fallback }
            }
            None => OffsetMap {
                starts: Vec::new(),
                fallback,
            },
        }
    }

    /// A map for text that sits in the file unchanged at `start`.
    #[must_use]
    pub fn identity(text: &str, start: usize) -> OffsetMap {
        let starts = (0..=text.len()).map(|i| start + i).collect();
        OffsetMap {
            starts,
            fallback: Span::new(start, start + text.len()),
        }
    }

    /// File span of the decoded byte range `start..end`.
    #[must_use]
    pub fn span(&self, start: usize, end: usize) -> Span {
        if self.starts.is_empty() {
            return self.fallback;
        }
        let last = self.starts.len() - 1;
        let file_start = self.starts[start.min(last)];
        if end <= start {
            return Span::at(file_start);
        }
        // The end is one past the last decoded character: find that character's raw end.
        let file_end = self.starts[end.min(last)];
        Span::new(file_start, file_end.max(file_start))
    }
}

/// Returns, for every decoded byte position (plus the end), the raw byte offset, or `None`
/// when the two texts cannot be matched.
fn align(decoded: &str, raw: &str) -> Option<Vec<usize>> {
    let raw_bytes = raw.as_bytes();
    let mut starts = vec![usize::MAX; decoded.len() + 1];
    let mut j = 0;
    // Skip an opening quote.
    let quote = match raw_bytes.first() {
        Some(b'"') => Some(b'"'),
        Some(b'\'') => Some(b'\''),
        _ => None,
    };
    if quote.is_some() {
        j = 1;
    }
    let mut chars = decoded.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let rest = raw.get(j..)?;
        let mut raw_chars = rest.chars();
        let r = raw_chars.next();
        match r {
            Some(r)
                if r == c
                    && !(quote == Some(b'"') && r == '\\')
                    && !(quote == Some(b'\'') && r == '\'') =>
            {
                starts[i] = j;
                j += r.len_utf8();
            }
            Some('\'') if quote == Some(b'\'') && c == '\'' && rest.starts_with("''") => {
                starts[i] = j;
                j += 2;
            }
            Some('\\') if quote == Some(b'"') => {
                starts[i] = j;
                j += escape_len(rest)?;
            }
            Some(r) if r.is_whitespace() && (c == ' ' || c == '\n') => {
                // Folding: a run of raw whitespace (line breaks, indentation) becomes one
                // decoded space or newline. Consume the run, but leave indentation of a
                // following literal line alone when more decoded whitespace follows.
                starts[i] = j;
                let run: usize = rest
                    .chars()
                    .take_while(|ch| ch.is_whitespace())
                    .map(char::len_utf8)
                    .sum();
                let next_is_space = chars.peek().is_some_and(|(_, n)| n.is_whitespace());
                if next_is_space || r == c && !rest.starts_with('\n') {
                    j += r.len_utf8();
                } else {
                    j += run;
                }
            }
            Some(r) if r.is_whitespace() => {
                // Indentation or a folded line break that the decoded text does not have:
                // skip it and try again with the same decoded character.
                let run: usize = rest
                    .chars()
                    .take_while(|ch| ch.is_whitespace())
                    .map(char::len_utf8)
                    .sum();
                j += run;
                let again = raw.get(j..)?;
                let r2 = again.chars().next()?;
                if r2 == c {
                    starts[i] = j;
                    j += r2.len_utf8();
                } else if r2 == '\\' && quote == Some(b'"') {
                    starts[i] = j;
                    j += escape_len(again)?;
                } else {
                    return None;
                }
            }
            _ => return None,
        }
    }
    starts[decoded.len()] = j.min(raw.len());
    // Fill positions inside multi-byte characters with their character's start.
    let mut last = 0;
    for s in &mut starts {
        if *s == usize::MAX {
            *s = last;
        } else {
            last = *s;
        }
    }
    Some(starts)
}

/// Length in raw bytes of the escape sequence at the start of `rest` (which starts with `\`).
fn escape_len(rest: &str) -> Option<usize> {
    let mut chars = rest.chars();
    chars.next()?;
    let kind = chars.next()?;
    let hex = match kind {
        'x' => 2,
        'u' => 4,
        'U' => 8,
        '\n' => {
            // An escaped line break: the break and the next line's indentation vanish.
            let indent: usize = rest[2..]
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .count();
            return Some(2 + indent);
        }
        _ => 0,
    };
    Some(1 + kind.len_utf8() + hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks that `needle` in the decoded text maps to `needle_raw` in the raw text.
    fn check(decoded: &str, raw: &str, needle: &str, needle_raw: &str) {
        let map = OffsetMap::new(decoded, raw, 100);
        let at = decoded.find(needle).expect("needle in decoded");
        let span = map.span(at, at + needle.len());
        let raw_at = raw.find(needle_raw).expect("needle in raw");
        assert_eq!(
            span,
            Span::new(100 + raw_at, 100 + raw_at + needle_raw.len()),
            "{decoded:?} in {raw:?}"
        );
    }

    #[test]
    fn plain_scalars_map_one_to_one() {
        check("crm.a | lowr", "crm.a | lowr", "lowr", "lowr");
    }

    #[test]
    fn double_quoted_escapes() {
        check(
            r#"x | lookup("langs") ?? "Ñ""#,
            r#""x | lookup(\"langs\") ?? \"Ñ\"""#,
            "langs",
            "langs",
        );
        check(
            r#"a ++ "b" | lowr"#,
            r#""a ++ \"b\" | lowr""#,
            "lowr",
            "lowr",
        );
        check("a\tb | zz", r#""a\tb | zz""#, "zz", "zz");
    }

    #[test]
    fn single_quoted_doubling() {
        check("a ++ 'x' | zz", "'a ++ ''x'' | zz'", "zz", "zz");
    }

    #[test]
    fn literal_block() {
        check(
            "crm.a ++\n  crm.b | zz\n",
            "crm.a ++\n      crm.b | zz\n  ",
            "zz",
            "zz",
        );
    }

    #[test]
    fn folded_block_and_multiline_plain() {
        check(
            "crm.a ++ crm.b | zz",
            "crm.a\n    ++ crm.b | zz\n  ",
            "zz",
            "zz",
        );
        check(
            "crm.a ++ crm.b | zz",
            "crm.a\n    ++ crm.b | zz",
            "++",
            "++",
        );
    }

    #[test]
    fn unalignable_text_falls_back_to_the_scalar() {
        let map = OffsetMap::new("abc", "xyz", 10);
        assert_eq!(map.span(1, 2), Span::new(10, 13));
    }
}
