//! Physical lines and the small line-level grammars: parser directives and
//! line continuations.

use nom::bytes::complete::{tag, take_till, take_while};
use nom::character::complete::satisfy;
use nom::combinator::{opt, recognize, rest};
use nom::{IResult, Parser};

/// One physical line: `[start, content_end)` is its text, `[content_end, end)`
/// its line ending (any `\r` run plus `\n`, possibly empty at end of file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Line {
    pub start: u32,
    pub content_end: u32,
    pub end: u32,
}

/// A line's text and its `\n`, if any.
type LineParts<'a> = (&'a [u8], Option<&'a [u8]>);

fn physical_line(input: &[u8]) -> IResult<&[u8], LineParts<'_>> {
    (take_till(|b| b == b'\n'), opt(tag(&b"\n"[..]))).parse(input)
}

pub(crate) fn split_lines(src: &[u8]) -> Vec<Line> {
    let mut lines = Vec::with_capacity(src.len() / 32 + 1);
    let mut input = src;
    let mut offset = 0u32;
    while !input.is_empty() {
        let Ok((next, (text, nl))) = physical_line(input) else {
            break;
        };
        // BuildKit trims every trailing `\r` and `\n` from a line.
        let trailing_cr = text.iter().rev().take_while(|&&b| b == b'\r').count();
        let content_end = offset + (text.len() - trailing_cr) as u32;
        let end = offset + (text.len() + nl.map_or(0, <[u8]>::len)) as u32;
        lines.push(Line {
            start: offset,
            content_end,
            end,
        });
        offset = end;
        input = next;
    }
    lines
}

/// Length of the leading run of Go `unicode.IsSpace` characters.
pub(crate) fn leading_space(text: &[u8]) -> usize {
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        if matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ') {
            i += 1;
            continue;
        }
        if b < 0x80 {
            break;
        }
        // Multi-byte blanks (U+0085, U+00A0, U+2000.., ...).
        let end = (i + 4).min(text.len());
        let chunk = match std::str::from_utf8(&text[i..end]) {
            Ok(s) => s,
            Err(e) => std::str::from_utf8(&text[i..i + e.valid_up_to()]).unwrap_or(""),
        };
        match chunk.chars().next() {
            Some(c) if crate::go::is_space(c) => i += c.len_utf8(),
            _ => break,
        }
    }
    i
}

pub(crate) fn is_blank(text: &[u8]) -> bool {
    leading_space(text) == text.len()
}

pub(crate) fn is_comment(text: &[u8]) -> bool {
    text.get(leading_space(text)) == Some(&b'#')
}

/// Where a continuation marker starts: the escape character as the last
/// non-blank (space or tab) of the line, not itself escaped.
pub(crate) fn continuation_at(text: &[u8], escape: u8) -> Option<usize> {
    let trimmed = text.len()
        - text
            .iter()
            .rev()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
    let at = trimmed.checked_sub(1)?;
    if text[at] != escape {
        return None;
    }
    if at > 0 && text[at - 1] == escape {
        return None;
    }
    Some(at)
}

fn is_re_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0c | b'\r' | b' ')
}

/// `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` on the text after `#`.
fn directive_body(input: &[u8]) -> IResult<&[u8], (&[u8], &[u8])> {
    (
        recognize((
            satisfy(|c| c.is_ascii_alphabetic()),
            take_while(|b: u8| b.is_ascii_alphanumeric()),
        )),
        take_while(is_re_space),
        tag(&b"="[..]),
        take_while(is_re_space),
        rest,
    )
        .map(|(name, _, _, _, value)| (name, value))
        .parse(input)
}

/// A `# name=value` line, as (name, value). `text` starts at the `#`.
pub(crate) fn directive(text: &[u8]) -> Option<(&[u8], &[u8])> {
    let after = text.strip_prefix(b"#")?;
    let after = &after[leading_space(after)..];
    let (_, (name, value)) = directive_body(after).ok()?;
    let value_len = value.len() - value.iter().rev().take_while(|&&b| is_re_space(b)).count();
    (value_len > 0).then(|| (name, &value[..value_len]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_their_endings() {
        let lines = split_lines(b"a\r\nb\n\nc\r");
        assert_eq!(
            lines,
            [
                Line {
                    start: 0,
                    content_end: 1,
                    end: 3
                },
                Line {
                    start: 3,
                    content_end: 4,
                    end: 5
                },
                Line {
                    start: 5,
                    content_end: 5,
                    end: 6
                },
                Line {
                    start: 6,
                    content_end: 7,
                    end: 8
                },
            ]
        );
    }

    #[test]
    fn continuation_rules() {
        assert_eq!(continuation_at(b"RUN a \\", b'\\'), Some(6));
        assert_eq!(continuation_at(b"RUN a \\ \t", b'\\'), Some(6));
        assert_eq!(continuation_at(b"\\", b'\\'), Some(0));
        assert_eq!(continuation_at(b"RUN a \\\\", b'\\'), None);
        assert_eq!(continuation_at(b"RUN a `", b'`'), Some(6));
        assert_eq!(continuation_at(b"RUN a \\", b'`'), None);
    }

    #[test]
    fn directives() {
        assert_eq!(
            directive(b"# syntax=docker/dockerfile:1"),
            Some((&b"syntax"[..], &b"docker/dockerfile:1"[..]))
        );
        assert_eq!(
            directive(b"#escape = ` "),
            Some((&b"escape"[..], &b"`"[..]))
        );
        assert_eq!(directive(b"# escape="), None);
        assert_eq!(directive(b"# not a directive"), None);
        assert_eq!(directive(b"FROM a"), None);
    }
}
