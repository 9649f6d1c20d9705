//! Builds the lossless tree, line by line, following BuildKit's reading of
//! the file: directives, comments, continuations, then heredoc bodies.

use crate::command::{self, Command};
use crate::lines::{self, Line};
use crate::placeholder;
use crate::text::{LineIndex, TextRange};
use crate::tree::{
    HeredocSpan, InstructionData, Item, ItemKind, Segment, Severity, SyntaxError, SyntaxTree,
    Token, TokenKind,
};

const BOM: &[u8] = b"\xEF\xBB\xBF";
/// BuildKit reads lines with a 64 KiB scanner buffer.
const MAX_LINE: u32 = 64 * 1024;

/// Parses a Dockerfile. Never fails: problems are reported beside the tree.
pub fn parse(source: impl Into<Vec<u8>>) -> SyntaxTree {
    let source = source.into();
    assert!(
        u32::try_from(source.len()).is_ok(),
        "Dockerfiles over 4 GiB are not supported"
    );
    // The parser reads the text view: it has the source's length, and its
    // bytes differ only where the source is not UTF-8, which no grammar
    // here treats as anything but a word character.
    let (text, placeholder) = placeholder::text_view(&source);
    let lines = lines::split_lines(text.as_bytes());
    let line_index = LineIndex::from_line_ends(lines.iter().map(|l| l.end), text.as_bytes());
    let mut p = Parser {
        text: &text,
        src: text.as_bytes(),
        lines,
        tokens: Vec::new(),
        items: Vec::new(),
        instructions: Vec::new(),
        errors: Vec::new(),
        escape: b'\\',
        directives: Vec::new(),
        directives_done: false,
        placeholder,
    };
    p.run();
    let Parser {
        tokens,
        items,
        instructions,
        mut errors,
        escape,
        directives,
        ..
    } = p;
    errors.sort_by_key(|e| e.range.start);
    SyntaxTree {
        source,
        text,
        placeholder,
        line_index,
        tokens,
        items,
        instructions,
        errors,
        escape,
        directives,
    }
}

struct Parser<'s> {
    /// The text view of the source; `src` is its bytes.
    text: &'s str,
    src: &'s [u8],
    lines: Vec<Line>,
    tokens: Vec<Token>,
    items: Vec<Item>,
    instructions: Vec<InstructionData>,
    errors: Vec<SyntaxError>,
    escape: u8,
    directives: Vec<(String, String, TextRange)>,
    directives_done: bool,
    placeholder: Option<char>,
}

impl<'s> Parser<'s> {
    fn run(&mut self) {
        self.long_lines();
        let mut i = 0;
        while i < self.lines.len() {
            i = self.item(i);
        }
        if self.instructions.is_empty() {
            let end = self.src.len() as u32;
            self.error(TextRange::empty(end), "file with no instructions");
        }
        debug_assert!(self.tiles(), "tokens must tile the source");
    }

    fn tiles(&self) -> bool {
        let mut at = 0;
        for t in &self.tokens {
            if t.range.start != at {
                return false;
            }
            at = t.range.end;
        }
        at as usize == self.src.len()
    }

    /// BuildKit reads the file with a 64 KiB line scanner: a longer line
    /// anywhere, heredoc bodies and comments included, fails the whole file.
    /// The scanner needs room for the line break too, even at end of file.
    fn long_lines(&mut self) {
        for i in 0..self.lines.len() {
            let line = self.lines[i];
            let has_lf = self.src[line.end as usize - 1] == b'\n';
            if line.end - line.start - u32::from(has_lf) >= MAX_LINE {
                let range = TextRange::new(line.start, line.content_end);
                self.error(
                    range,
                    "dockerfile line greater than max allowed size of 65535",
                );
            }
        }
    }

    /// A slice of the text view. Ranges here always fall on character
    /// boundaries (they end at ASCII bytes or line starts).
    fn str_at(&self, start: u32, end: u32) -> &'s str {
        let s = self.text.get(start as usize..end as usize);
        debug_assert!(s.is_some(), "{start}..{end} splits a character");
        s.unwrap_or_default()
    }

    fn error(&mut self, range: TextRange, message: impl Into<String>) {
        self.errors.push(SyntaxError {
            range,
            message: message.into(),
            severity: Severity::Error,
        });
    }

    fn warning(&mut self, range: TextRange, message: impl Into<String>) {
        self.errors.push(SyntaxError {
            range,
            message: message.into(),
            severity: Severity::Warning,
        });
    }

    fn token(&mut self, kind: TokenKind, start: u32, end: u32) {
        if start < end {
            self.tokens.push(Token {
                kind,
                range: TextRange::new(start, end),
            });
        }
    }

    fn newline(&mut self, line: Line) {
        self.token(TokenKind::Newline, line.content_end, line.end);
    }

    /// Reads the item starting at line `i`; returns the next line to read.
    fn item(&mut self, i: usize) -> usize {
        let line = self.lines[i];
        let first_token = self.tokens.len() as u32;
        let mut start = line.start;
        if i == 0 && self.src.starts_with(BOM) {
            start += BOM.len() as u32;
            self.token(TokenKind::Bom, line.start, start);
        }
        let text = &self.src[start as usize..line.content_end as usize];
        let lead = lines::leading_space(text) as u32;
        let body = start + lead;
        let trimmed = &text[lead as usize..];

        if let Some(kind) = self.directive(trimmed, TextRange::new(body, line.content_end)) {
            self.token(TokenKind::Whitespace, start, body);
            self.token(kind, body, line.content_end);
            self.newline(line);
            self.push_item(ItemKind::Directive, line.start, line.end, first_token, None);
            return i + 1;
        }
        if trimmed.first() == Some(&b'#') {
            self.token(TokenKind::Whitespace, start, body);
            self.token(TokenKind::Comment, body, line.content_end);
            self.newline(line);
            self.push_item(ItemKind::Comment, line.start, line.end, first_token, None);
            return i + 1;
        }
        if trimmed.is_empty() {
            self.token(TokenKind::Whitespace, start, line.content_end);
            self.newline(line);
            self.push_item(ItemKind::Blank, line.start, line.end, first_token, None);
            return i + 1;
        }
        self.instruction(i, start, body, first_token)
    }

    /// Checks for a parser directive while they are still allowed.
    fn directive(&mut self, trimmed: &[u8], range: TextRange) -> Option<TokenKind> {
        if self.directives_done {
            return None;
        }
        let Some((name, value)) = lines::directive(trimmed) else {
            self.directives_done = true;
            return None;
        };
        let name = utf8(name).to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            self.directives_done = true;
            return None;
        }
        let value = utf8(value).to_string();
        if self.directives.iter().any(|(n, _, _)| *n == name) {
            self.error(
                range,
                format!("only one {name} parser directive can be used"),
            );
        } else if name == "escape" {
            match value.as_str() {
                "\\" => self.escape = b'\\',
                "`" => self.escape = b'`',
                _ => self.error(
                    range,
                    format!("invalid escape token '{value}' does not match ` or \\"),
                ),
            }
        }
        self.directives.push((name, value, range));
        Some(TokenKind::Directive)
    }

    fn instruction(&mut self, i: usize, start: u32, body: u32, first_token: u32) -> usize {
        let first = self.lines[i];
        self.token(TokenKind::Whitespace, start, body);
        let mut joined = String::new();
        let mut segments = Vec::new();

        // The first line: keyword, text, maybe a continuation.
        let text = &self.src[body as usize..first.content_end as usize];
        let cont = lines::continuation_at(text, self.escape);
        let seg_end = body + cont.map_or(text.len(), |c| c) as u32;
        let kw_len = text
            .iter()
            .position(|b| matches!(b, b'\t' | 0x0b | 0x0c | b'\r' | b' '))
            .unwrap_or(text.len()) as u32;
        let kw_end = (body + kw_len).min(seg_end);
        self.token(TokenKind::Keyword, body, kw_end);
        self.token(TokenKind::Text, kw_end, seg_end);
        self.token(TokenKind::Continuation, seg_end, first.content_end);
        self.newline(first);
        segments.push(Segment {
            joined: 0,
            source: TextRange::new(body, seg_end),
        });
        joined.push_str(self.str_at(body, seg_end));
        let mut continued = cont.is_some();
        let mut last_cont = TextRange::new(seg_end, first.content_end);

        // Continuation lines; comment and blank lines in between are skipped.
        let mut j = i + 1;
        while continued && j < self.lines.len() {
            let line = self.lines[j];
            j += 1;
            let text = &self.src[line.start as usize..line.content_end as usize];
            if lines::is_comment(text) {
                let lead = line.start + lines::leading_space(text) as u32;
                self.token(TokenKind::Whitespace, line.start, lead);
                self.token(TokenKind::Comment, lead, line.content_end);
                self.newline(line);
                continue;
            }
            if lines::is_blank(text) {
                self.token(TokenKind::Whitespace, line.start, line.content_end);
                self.newline(line);
                self.warning(
                    TextRange::new(line.start, line.content_end),
                    "empty continuation line",
                );
                continue;
            }
            let cont = lines::continuation_at(text, self.escape);
            let seg_end = line.start + cont.map_or(text.len(), |c| c) as u32;
            self.token(TokenKind::Text, line.start, seg_end);
            self.token(TokenKind::Continuation, seg_end, line.content_end);
            self.newline(line);
            segments.push(Segment {
                joined: joined.len() as u32,
                source: TextRange::new(line.start, seg_end),
            });
            joined.push_str(self.str_at(line.start, seg_end));
            continued = cont.is_some();
            last_cont = TextRange::new(seg_end, line.content_end);
        }
        if continued {
            // BuildKit accepts this and ends the instruction there.
            self.warning(last_cont, "line continuation at end of file");
        }

        let escape = char::from(self.escape);
        let (mut command, err) = command::parse_command(&joined, 0, escape, self.placeholder);
        let first_range = TextRange::new(body, first.content_end);
        if let Some(e) = err {
            self.error(first_range, e);
        }
        if let Err(e) = command::attach_heredocs(&mut command, &joined) {
            self.error(first_range, e);
        }
        let heredoc_spans = self.heredoc_bodies(&mut command, &mut j, first_range);

        let end_line = j as u32;
        let end = self.lines[j - 1].end;
        let kind = if command::is_keyword(&command.keyword) {
            ItemKind::Instruction
        } else {
            let kw = TextRange::new(body, kw_end);
            self.error(kw, format!("unknown instruction: {}", command.keyword));
            ItemKind::Error
        };
        let idx = self.instructions.len() as u32;
        self.instructions.push(InstructionData {
            line: joined,
            segments,
            command,
            start_line: i as u32 + 1,
            end_line,
            heredoc_spans,
        });
        self.push_item(kind, first.start, end, first_token, Some(idx));
        j
    }

    /// Reads the heredoc bodies that follow an instruction, from line `*j`.
    fn heredoc_bodies(
        &mut self,
        command: &mut Command,
        j: &mut usize,
        opener: TextRange,
    ) -> Vec<HeredocSpan> {
        let mut spans = Vec::new();
        for doc in &mut command.heredocs {
            let body_start = self
                .lines
                .get(*j)
                .map_or(self.src.len() as u32, |l| l.start);
            let mut terminator = None;
            while *j < self.lines.len() {
                let line = self.lines[*j];
                *j += 1;
                let mut text = &self.src[line.start as usize..line.content_end as usize];
                if doc.chomp {
                    let tabs = text.iter().take_while(|&&b| b == b'\t').count();
                    text = &text[tabs..];
                }
                if text == doc.name.as_bytes() {
                    terminator = Some(line);
                    break;
                }
            }
            let body_end = terminator.map_or(self.src.len() as u32, |l| l.start);
            self.token(TokenKind::HeredocBody, body_start, body_end);
            doc.content = self.str_at(body_start, body_end).to_string();
            let term = if let Some(line) = terminator {
                self.token(TokenKind::HeredocEnd, line.start, line.content_end);
                self.newline(line);
                TextRange::new(line.start, line.content_end)
            } else {
                self.error(opener, "unterminated heredoc");
                TextRange::empty(body_end)
            };
            spans.push(HeredocSpan {
                body: TextRange::new(body_start, body_end),
                terminator: term,
            });
        }
        spans
    }

    fn push_item(
        &mut self,
        kind: ItemKind,
        start: u32,
        end: u32,
        first_token: u32,
        instr: Option<u32>,
    ) {
        self.items.push(Item {
            kind,
            range: TextRange::new(start, end),
            tokens: first_token..self.tokens.len() as u32,
            instruction: instr,
        });
    }
}

/// Bytes of the text view that the line grammars cut at ASCII bytes.
fn utf8(bytes: &[u8]) -> &str {
    let s = std::str::from_utf8(bytes);
    debug_assert!(s.is_ok(), "cut inside a character");
    s.unwrap_or_default()
}
