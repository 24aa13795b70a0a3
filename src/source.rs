//! Source files, byte spans and the line index that turns offsets into line/column.

use std::ops::Range;
use std::sync::Arc;

/// A half-open byte range into one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (swapped if given backwards).
    #[must_use]
    pub fn new(start: usize, end: usize) -> Span {
        if end < start {
            Span {
                start: end,
                end: start,
            }
        } else {
            Span { start, end }
        }
    }

    /// An empty span at `offset`.
    #[must_use]
    pub fn at(offset: usize) -> Span {
        Span {
            start: offset,
            end: offset,
        }
    }

    /// Length in bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True for an empty span.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// As a `Range`.
    #[must_use]
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// A named source text with a line index. Cheap to clone.
#[derive(Clone, Debug)]
pub struct SourceFile {
    inner: Arc<SourceInner>,
}

#[derive(Debug)]
struct SourceInner {
    name: String,
    text: String,
    line_starts: Vec<usize>,
    /// Characters before every [`CHAR_BLOCK`]-th byte, built on first use by a long line:
    /// keeps [`SourceFile::line_col`] O(`CHAR_BLOCK`) on a megabyte-long NDJSON line.
    char_marks: std::sync::OnceLock<Vec<usize>>,
}

/// Bytes between two character-count marks.
// A block size, not an Insights fact:
const CHAR_BLOCK: usize = 4096;

/// Characters in `bytes` of valid UTF-8 (or of a slice of it): the bytes that start one.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

impl SourceFile {
    /// Wraps `text` under a display `name` (usually the path as given by the user).
    #[must_use]
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let line_starts = line_starts(&text);
        SourceFile {
            inner: Arc::new(SourceInner {
                name: name.into(),
                text,
                line_starts,
                char_marks: std::sync::OnceLock::new(),
            }),
        }
    }

    /// The display name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The whole text.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.inner.text
    }

    /// 1-based line and column (column counted in Unicode scalar values) of a byte offset.
    #[must_use]
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = self.clamp(offset);
        let line = match self.inner.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.inner.line_starts[line];
        let column = if offset - start <= CHAR_BLOCK {
            self.inner
                .text
                .get(start..offset)
                .map_or(0, |s| s.chars().count())
        } else {
            self.chars_before(offset) - self.chars_before(start)
        };
        (line + 1, column + 1)
    }

    /// 0-based line of a byte offset (a binary search of the line index).
    #[must_use]
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = self.clamp(offset);
        match self.inner.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Characters in the text before byte `offset` (a character boundary).
    fn chars_before(&self, offset: usize) -> usize {
        let bytes = self.inner.text.as_bytes();
        let marks = self.inner.char_marks.get_or_init(|| {
            let mut marks = vec![0];
            let mut total = 0;
            for block in bytes.chunks(CHAR_BLOCK) {
                total += count_chars(block);
                marks.push(total);
            }
            marks
        });
        let block = offset / CHAR_BLOCK;
        // No character starts on the continuation bytes before the next boundary.
        let mut from = block * CHAR_BLOCK;
        while !self.inner.text.is_char_boundary(from) {
            from += 1;
        }
        marks[block]
            + self
                .inner
                .text
                .get(from..offset)
                .map_or(0, |s| s.chars().count())
    }

    /// Byte offset of a 1-based line and a 1-based column counted in characters.
    #[must_use]
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.inner.line_starts.get(line.saturating_sub(1)) else {
            return self.inner.text.len();
        };
        let line_text = &self.inner.text[start..self.line_end(line.saturating_sub(1))];
        let within = line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i);
        start + within
    }

    /// Number of lines (a final line break starts an empty last line).
    #[must_use]
    pub fn line_count(&self) -> usize {
        self.inner.line_starts.len()
    }

    /// Byte offset where the 0-based `line` starts (the text's length past the last line).
    #[must_use]
    pub fn line_start(&self, line: usize) -> usize {
        self.inner
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.inner.text.len())
    }

    /// Byte offset where the 0-based `line` ends, before its line break.
    #[must_use]
    pub fn line_end(&self, line: usize) -> usize {
        let text = self.inner.text.as_bytes();
        let Some(&next) = self.inner.line_starts.get(line + 1) else {
            return text.len();
        };
        let mut end = next;
        if end > 0 && text[end - 1] == b'\n' {
            end -= 1;
        }
        if end > 0 && text[end - 1] == b'\r' {
            end -= 1;
        }
        end.max(self.line_start(line))
    }

    /// Moves an offset onto a character boundary within the text.
    #[must_use]
    pub fn clamp(&self, offset: usize) -> usize {
        let text = &self.inner.text;
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// The text of a span (empty if the span is out of range).
    #[must_use]
    pub fn slice(&self, span: Span) -> &str {
        self.inner.text.get(span.range()).unwrap_or("")
    }
}

/// Where each line starts. A line ends at `\n`, `\r\n` or a lone `\r` (YAML's line breaks,
/// and what miette's snippets count), so every renderer gives the same line and column.
fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            continue;
        }
        starts.push(i + 1);
    }
    starts
}

/// A file that is not UTF-8, as a source: the bytes decoded with U+FFFD for invalid
/// sequences (the offsets up to the first invalid byte are the file's), and the span of
/// that first invalid byte, so a diagnostic points at its line and column.
#[must_use]
pub fn not_utf8_source(name: &str, bytes: &[u8]) -> (SourceFile, Span) {
    let valid = match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(e) => e.valid_up_to(),
    };
    let text = String::from_utf8_lossy(bytes).into_owned();
    let end = text[valid..]
        .chars()
        .next()
        .map_or(valid, |c| valid + c.len_utf8());
    (SourceFile::new(name, text), Span::new(valid, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_break_starts_a_line() {
        for (text, offset, expected) in [
            ("a\nbc\nd", 4, (2, 3)),
            ("a\r\nbc\r\nd", 5, (2, 3)),
            ("a\rbc\rd", 4, (2, 3)),
            ("a\rb\r\nc\nd", 7, (4, 1)),
        ] {
            let source = SourceFile::new("t", text);
            assert_eq!(source.line_col(offset), expected, "{text:?}");
            assert_eq!(source.offset_of(expected.0, expected.1), offset, "{text:?}");
        }
    }

    #[test]
    fn line_end_excludes_the_break() {
        let source = SourceFile::new("t", "ab\r\ncd\ref\n");
        assert_eq!(source.line_count(), 4);
        assert_eq!(source.line_end(0), 2);
        assert_eq!(source.line_end(1), 6);
        assert_eq!(source.line_end(2), 9);
        assert_eq!(source.line_end(3), 10);
    }

    #[test]
    fn an_invalid_byte_is_found_on_its_line() {
        let (source, span) = not_utf8_source("t", b"flexmap: 1\nx: \xff\n");
        assert_eq!(source.line_col(span.start), (2, 4));
        assert_eq!(span.len(), 3, "the replacement character");
    }
}
