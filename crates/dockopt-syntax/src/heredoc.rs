//! Heredoc openers (`<<EOF`, `<<-"EOF"`, `3<<EOF`) in a RUN, COPY or ADD line.

use nom::bytes::complete::tag;
use nom::character::complete::{char, digit0};
use nom::combinator::{opt, rest, verify};
use nom::{IResult, Parser};

use crate::go::is_space;

/// One heredoc attached to an instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heredoc {
    pub name: String,
    pub file_descriptor: u32,
    /// `<<-`: leading tabs are stripped from the body when it is used.
    pub chomp: bool,
    /// False when the delimiter was quoted, so the body is not expanded.
    pub expand: bool,
    /// The raw body, newlines included, as BuildKit reads it.
    pub content: String,
}

/// The words of a line as BuildKit's shell lexer splits them when it looks
/// for heredocs: quotes and escapes stay in the words.
fn raw_words(line: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = None;
    let mut quote = None;
    let mut chars = line.char_indices();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                } else if c == '\\' && q == '"' {
                    chars.next();
                }
            }
            None if is_space(c) => {
                if let Some(s) = start.take() {
                    words.push(&line[s..i]);
                }
            }
            None => {
                start.get_or_insert(i);
                match c {
                    '\'' | '"' => quote = Some(c),
                    '\\' => {
                        chars.next();
                    }
                    _ => {}
                }
            }
        }
    }
    if let Some(s) = start {
        words.push(&line[s..]);
    }
    words
}

/// `^(\d*)<<(-?)([^<]*)$`
fn opener(word: &str) -> IResult<&str, (&str, bool, &str)> {
    (
        digit0,
        tag("<<"),
        opt(char('-')),
        verify(rest, |r: &str| !r.contains('<')),
    )
        .map(|(fd, _, dash, name)| (fd, dash.is_some(), name))
        .parse(word)
}

/// Removes shell quoting from a delimiter. Returns `None` when it is not
/// exactly one word, and an error for an unterminated quote.
fn unquote(word: &str) -> Result<Option<String>, String> {
    let mut out = String::new();
    let mut quote = None;
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == '\\' => {
                if let Some(n) = chars.next() {
                    if !matches!(n, '"' | '\\' | '$' | '`') {
                        out.push('\\');
                    }
                    out.push(n);
                }
            }
            Some(_) => out.push(c),
            None => match c {
                '\'' | '"' => quote = Some(c),
                '\\' => out.extend(chars.next()),
                c if is_space(c) => return Ok(None),
                c => out.push(c),
            },
        }
    }
    match quote {
        Some('"') => {
            Err("unexpected end of statement while looking for matching double-quote".into())
        }
        Some(_) => {
            Err("unexpected end of statement while looking for matching single-quote".into())
        }
        None => Ok((!out.is_empty() || word.contains(['\'', '"'])).then_some(out)),
    }
}

pub(crate) fn find(line: &str) -> Result<Vec<Heredoc>, String> {
    let mut docs = Vec::new();
    for word in raw_words(line) {
        let Ok((_, (fd, chomp, name))) = opener(word) else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        let Some(unquoted) = unquote(name)? else {
            continue;
        };
        docs.push(Heredoc {
            expand: !name.contains(['\'', '"']),
            name: unquoted,
            file_descriptor: fd.parse().unwrap_or(0),
            chomp,
            content: String::new(),
        });
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(line: &str) -> Vec<(String, u32, bool, bool)> {
        find(line)
            .unwrap()
            .into_iter()
            .map(|h| (h.name, h.file_descriptor, h.chomp, h.expand))
            .collect()
    }

    #[test]
    fn finds_openers() {
        assert_eq!(names("RUN <<EOF"), [("EOF".into(), 0, false, true)]);
        assert_eq!(
            names(r#"COPY <<'a.txt' <<-"b" /d"#),
            [
                ("a.txt".into(), 0, false, false),
                ("b".into(), 0, true, false)
            ]
        );
        assert_eq!(names("RUN 3<<EOF cat"), [("EOF".into(), 3, false, true)]);
        assert_eq!(
            names("RUN cat <<EOF | sh"),
            [("EOF".into(), 0, false, true)]
        );
        assert!(names(r#"RUN echo "<<EOF""#).is_empty());
        assert!(names("RUN echo a<<EOF").is_empty());
        assert!(names("RUN echo <<<x").is_empty());
        assert!(names("RUN echo <<").is_empty());
        assert!(find(r#"RUN <<"EOF"#).is_err());
    }
}
