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
}

impl SourceFile {
    /// Wraps `text` under a display `name` (usually the path as given by the user).
    #[must_use]
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        SourceFile {
            inner: Arc::new(SourceInner {
                name: name.into(),
                text,
                line_starts,
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
        let column = self
            .inner
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().count());
        (line + 1, column + 1)
    }

    /// Byte offset of a 1-based line and a 1-based column counted in characters.
    #[must_use]
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.inner.line_starts.get(line.saturating_sub(1)) else {
            return self.inner.text.len();
        };
        let rest = &self.inner.text[start..];
        let line_text = rest.split('\n').next().unwrap_or("");
        let within = line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i);
        start + within
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
