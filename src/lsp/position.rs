//! LSP positions (line, character in UTF-16 or UTF-8 code units) to and from byte offsets.
//!
//! LSP counts characters in UTF-16 code units unless the client offers `utf-8` in
//! `general.positionEncodings` and the server picks it. Lines end at `\n`, `\r\n` or `\r`,
//! the same line breaks as `SourceFile`'s line index.

use lsp_types::{Position, Range};

use crate::source::{SourceFile, Span};

/// The position encoding negotiated at `initialize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Characters are UTF-8 bytes.
    Utf8,
    /// Characters are UTF-16 code units (the LSP default).
    Utf16,
}

impl Encoding {
    /// Code units of `c`.
    fn units(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }

    /// The position of byte `offset` in `source` (clamped to a character boundary).
    #[must_use]
    pub fn position(self, source: &SourceFile, offset: usize) -> Position {
        let offset = source.clamp(offset);
        let (line, _) = source.line_col(offset);
        let start = source.line_start(line - 1);
        let character: usize = source.text()[start..offset]
            .chars()
            .map(|c| self.units(c))
            .sum();
        Position::new(u32_of(line - 1), u32_of(character))
    }

    /// The range of `span` in `source`.
    #[must_use]
    pub fn range(self, source: &SourceFile, span: Span) -> Range {
        Range::new(
            self.position(source, span.start),
            self.position(source, span.end),
        )
    }

    /// The byte offset of `position` in `source`: past the end of its line (or a position
    /// inside a character) clamps to the line's end (or the character's start); past the
    /// last line, the end of the text.
    #[must_use]
    pub fn offset(self, source: &SourceFile, position: Position) -> usize {
        let line = position.line as usize;
        if line >= source.line_count() {
            return source.text().len();
        }
        let start = source.line_start(line);
        let end = source.line_end(line);
        let mut units = 0;
        for (i, c) in source.text()[start..end].char_indices() {
            let next = units + self.units(c);
            if next > position.character as usize {
                return start + i;
            }
            units = next;
        }
        end
    }

    /// The span of `range` in `source`.
    #[must_use]
    pub fn span(self, source: &SourceFile, range: Range) -> Span {
        Span::new(
            self.offset(source, range.start),
            self.offset(source, range.end),
        )
    }
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_counts_surrogate_pairs_and_utf8_counts_bytes() {
        // `é` is 2 UTF-8 bytes and 1 UTF-16 unit; `𝄞` is 4 bytes and 2 units.
        let source = SourceFile::new("t", "a: é𝄞x\r\nb: y\rc");
        let x = source.text().find('x').expect("x");
        assert_eq!(Encoding::Utf16.position(&source, x), Position::new(0, 6));
        assert_eq!(Encoding::Utf8.position(&source, x), Position::new(0, 9));
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            let position = encoding.position(&source, x);
            assert_eq!(encoding.offset(&source, position), x);
        }
        let c = source.text().find('c').expect("c");
        assert_eq!(Encoding::Utf16.position(&source, c), Position::new(2, 0));
        assert_eq!(Encoding::Utf16.offset(&source, Position::new(2, 0)), c);
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let source = SourceFile::new("t", "ab\r\ncd");
        assert_eq!(Encoding::Utf16.offset(&source, Position::new(0, 99)), 2);
        assert_eq!(Encoding::Utf16.offset(&source, Position::new(9, 0)), 6);
        // Inside a surrogate pair: the character's start.
        let source = SourceFile::new("t", "𝄞z");
        assert_eq!(Encoding::Utf16.offset(&source, Position::new(0, 1)), 0);
    }
}
