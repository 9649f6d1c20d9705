//! Byte offsets to LSP positions and back, in the encoding agreed with the
//! client. Lines end at `\n`, `\r\n` or a lone `\r`, as the protocol says.

use lsp_types::{Position, PositionEncodingKind};

/// How a position's `character` counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes: dockopt's own offsets, no conversion.
    Utf8,
    /// UTF-16 code units: the protocol's default, which every client knows.
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it, otherwise the default UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Self {
        if offered.is_some_and(|o| o.contains(&PositionEncodingKind::UTF8)) {
            Self::Utf8
        } else {
            Self::Utf16
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Self::Utf8 => PositionEncodingKind::UTF8,
            Self::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn units(self, c: char) -> u32 {
        match self {
            Self::Utf8 => c.len_utf8() as u32,
            Self::Utf16 => c.len_utf16() as u32,
        }
    }
}

/// Where each line starts and where its text ends.
pub struct LineIndex<'a> {
    text: &'a str,
    /// `(start, end)` byte offsets of each line, without its line break.
    lines: Vec<(usize, usize)>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut lines = Vec::new();
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => {
                    lines.push((start, i));
                    start = i + 1;
                }
                b'\r' => {
                    lines.push((start, i));
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    start = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
        lines.push((start, bytes.len()));
        Self { text, lines }
    }

    /// The position of a byte offset. An offset inside a character or a
    /// line break moves back to where that character or line ends.
    pub fn position(&self, offset: u32, enc: Encoding) -> Position {
        let offset = (offset as usize).min(self.text.len());
        let line = self.lines.partition_point(|&(s, _)| s <= offset) - 1;
        let (start, end) = self.lines[line];
        let mut at = offset.min(end);
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        let character = self.text[start..at].chars().map(|c| enc.units(c)).sum();
        Position::new(line as u32, character)
    }

    /// The byte offset of a position. A line past the end is the end of the
    /// text; a character past the end of its line is the end of the line,
    /// and one inside a character is where that character starts.
    pub fn offset(&self, pos: Position, enc: Encoding) -> u32 {
        let Some(&(start, end)) = self.lines.get(pos.line as usize) else {
            return self.text.len() as u32;
        };
        let mut units = 0;
        for (i, c) in self.text[start..end].char_indices() {
            let next = units + enc.units(c);
            if next > pos.character {
                return (start + i) as u32;
            }
            units = next;
        }
        end as u32
    }

    pub fn range(&self, range: dockopt_syntax::TextRange, enc: Encoding) -> lsp_types::Range {
        lsp_types::Range::new(
            self.position(range.start, enc),
            self.position(range.end, enc),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn counts_utf16_units_or_bytes() {
        // "é" is 2 bytes, 1 unit; "😀" is 4 bytes, 2 units.
        let text = "FROM x\nRUN é 😀 y\n";
        let ix = LineIndex::new(text);
        let y = text.find('y').unwrap() as u32;
        assert_eq!(ix.position(y, Encoding::Utf16), pos(1, 9));
        assert_eq!(ix.position(y, Encoding::Utf8), pos(1, 12));
        assert_eq!(ix.offset(pos(1, 9), Encoding::Utf16), y);
        assert_eq!(ix.offset(pos(1, 12), Encoding::Utf8), y);
    }

    #[test]
    fn every_line_break_counts() {
        let text = "a\r\nb\rc\nd";
        let ix = LineIndex::new(text);
        assert_eq!(ix.position(3, Encoding::Utf16), pos(1, 0));
        assert_eq!(ix.position(5, Encoding::Utf16), pos(2, 0));
        assert_eq!(ix.position(7, Encoding::Utf16), pos(3, 0));
        assert_eq!(ix.offset(pos(3, 0), Encoding::Utf16), 7);
        // Between `\r` and `\n`: the end of the line.
        assert_eq!(ix.position(2, Encoding::Utf16), pos(0, 1));
    }

    #[test]
    fn clamps_what_is_out_of_range() {
        let text = "ab\n😀\n";
        let ix = LineIndex::new(text);
        assert_eq!(ix.offset(pos(0, 99), Encoding::Utf16), 2);
        assert_eq!(ix.offset(pos(9, 0), Encoding::Utf16), text.len() as u32);
        // Inside the surrogate pair, or inside the UTF-8 bytes: its start.
        assert_eq!(ix.offset(pos(1, 1), Encoding::Utf16), 3);
        assert_eq!(ix.offset(pos(1, 2), Encoding::Utf8), 3);
        assert_eq!(ix.position(5, Encoding::Utf8), pos(1, 0));
        assert_eq!(ix.position(99, Encoding::Utf16), pos(2, 0));
    }

    #[test]
    fn negotiates_utf8_only_when_offered() {
        let both = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(Encoding::negotiate(Some(&both)), Encoding::Utf8);
        assert_eq!(
            Encoding::negotiate(Some(&[PositionEncodingKind::UTF32])),
            Encoding::Utf16
        );
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
    }
}
