//! The lossless syntax tree.
//!
//! Invariant: the tokens of a tree tile the source, in order and without gaps,
//! so printing is a concatenation of token texts. Items (directives, comments,
//! blank lines, instructions) group whole physical lines of tokens.

use std::fmt;
use std::ops::Range;

use crate::command::Command;
use crate::text::{LineCol, LineIndex, TextRange};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A UTF-8 byte order mark at the very start of the file.
    Bom,
    /// Spaces and tabs that carry no meaning of their own.
    Whitespace,
    /// `\n`, `\r\n` or any run of `\r` before `\n` (or at end of file).
    Newline,
    /// A whole comment line, including the `#`.
    Comment,
    /// A parser directive such as `# syntax=...`.
    Directive,
    /// The instruction keyword (`RUN`, `from`, ...).
    Keyword,
    /// Instruction text after the keyword on one physical line.
    Text,
    /// The escape character that continues a line, plus trailing blanks.
    Continuation,
    /// The lines of one heredoc body, newlines included.
    HeredocBody,
    /// The heredoc terminator line, without its newline.
    HeredocEnd,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub range: TextRange,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemKind {
    Directive,
    Comment,
    Blank,
    Instruction,
    /// An instruction-shaped line BuildKit would not run, such as an unknown
    /// keyword. It still carries BuildKit's view of the line.
    Error,
}

/// One or more whole physical lines of the file.
#[derive(Clone, Debug)]
pub struct Item {
    pub kind: ItemKind,
    pub range: TextRange,
    /// Indices into [`SyntaxTree::tokens`].
    pub tokens: Range<u32>,
    /// Index into [`SyntaxTree::instructions`] for instruction and error items.
    pub instruction: Option<u32>,
}

/// A piece of the continuation-joined line and where it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Offset of this piece in the joined line.
    pub joined: u32,
    /// Where the piece is in the source.
    pub source: TextRange,
}

/// Where a heredoc body and its terminator sit in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeredocSpan {
    pub body: TextRange,
    /// The terminator line without its newline; empty when unterminated.
    pub terminator: TextRange,
}

/// Parsed data for one instruction.
#[derive(Clone, Debug)]
pub struct InstructionData {
    /// The continuation-joined line, as BuildKit builds it: leading blanks of
    /// the first line removed, continuation markers, comment lines and blank
    /// lines inside the continuation dropped. A slice of the text view: see
    /// [`SyntaxTree::placeholder`].
    pub line: String,
    pub segments: Vec<Segment>,
    /// BuildKit's view of the instruction.
    pub command: Command,
    /// 1-based line numbers, as BuildKit reports them.
    pub start_line: u32,
    pub end_line: u32,
    pub heredoc_spans: Vec<HeredocSpan>,
}

impl InstructionData {
    /// Maps an offset of the joined line back into the source.
    pub fn source_offset(&self, joined: u32) -> u32 {
        let idx = self
            .segments
            .partition_point(|s| s.joined <= joined)
            .saturating_sub(1);
        match self.segments.get(idx) {
            Some(seg) => (seg.source.start + (joined - seg.joined)).min(seg.source.end),
            None => 0,
        }
    }

    /// Maps a range of the joined line back into the source. A range that
    /// spans a continuation covers the continuation markers too.
    pub fn source_range(&self, joined: TextRange) -> TextRange {
        let start = self.source_offset(joined.start);
        let end = if joined.is_empty() {
            start
        } else {
            self.source_offset(joined.end - 1) + 1
        };
        TextRange::new(start, end.max(start))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Dubious input that BuildKit still accepts.
    Warning,
    /// Input BuildKit rejects, or that would fail the build.
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: TextRange,
    pub message: String,
    pub severity: Severity,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A parsed Dockerfile. It owns its source.
#[derive(Clone, Debug)]
pub struct SyntaxTree {
    pub(crate) source: Vec<u8>,
    /// The text view: `source` with one placeholder per invalid byte.
    pub(crate) text: String,
    pub(crate) placeholder: Option<char>,
    pub(crate) line_index: LineIndex,
    pub(crate) tokens: Vec<Token>,
    pub(crate) items: Vec<Item>,
    pub(crate) instructions: Vec<InstructionData>,
    pub(crate) errors: Vec<SyntaxError>,
    pub(crate) escape: u8,
    pub(crate) directives: Vec<(String, String, TextRange)>,
}

impl SyntaxTree {
    pub fn source(&self) -> &[u8] {
        &self.source
    }

    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn instruction_data(&self) -> &[InstructionData] {
        &self.instructions
    }

    /// Errors and warnings, in source order.
    pub fn errors(&self) -> &[SyntaxError] {
        &self.errors
    }

    pub fn has_errors(&self) -> bool {
        self.errors.iter().any(|e| e.severity == Severity::Error)
    }

    /// The escape character in force: `\` or `` ` ``.
    pub fn escape(&self) -> u8 {
        self.escape
    }

    /// Parser directives as (lower-case name, value, range).
    pub fn directives(&self) -> &[(String, String, TextRange)] {
        &self.directives
    }

    pub fn text(&self, range: TextRange) -> &[u8] {
        &self.source[range.as_usize()]
    }

    /// The whole file as text: the source where it is UTF-8, and one
    /// placeholder character per byte where it is not, so that offsets into
    /// it are offsets into the file. Every `str` the tree gives (values,
    /// flags, heredoc bodies, joined lines) comes from this view.
    pub fn source_str(&self) -> &str {
        &self.text
    }

    /// A range of the text view. Ranges of the tree fall on character
    /// boundaries; any other range is widened to the characters it touches.
    pub fn str(&self, range: TextRange) -> &str {
        let (mut start, mut end) = (range.start as usize, range.end as usize);
        end = end.min(self.text.len());
        start = start.min(end);
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        &self.text[start..end]
    }

    /// The character that stands for each byte of the source that is not
    /// UTF-8, when there is any. It is a control character the file does not
    /// otherwise contain (unless it contains all of them), so text derived
    /// from the tree that contains it would write bytes the file does not
    /// have: the fix pipeline refuses such edits.
    pub fn placeholder(&self) -> Option<char> {
        self.placeholder
    }

    /// Prints the tree back. The result equals the source byte for byte.
    pub fn print(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.source.len());
        for t in &self.tokens {
            out.extend_from_slice(&self.source[t.range.as_usize()]);
        }
        out
    }

    /// Line starts, built once with the tree.
    pub fn line_index(&self) -> &LineIndex {
        &self.line_index
    }

    pub fn line_col(&self, offset: u32) -> LineCol {
        self.line_index.line_col(offset)
    }
}
