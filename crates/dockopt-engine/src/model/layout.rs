//! How the file lays out continued commands, so that text a fix writes
//! looks like the text around it.

use std::collections::HashMap;

use dockopt_syntax::{SyntaxTree, TokenKind};

/// How the file lays out continued commands.
#[derive(Clone, Debug)]
pub struct Style {
    pub escape: char,
    pub indent: String,
    /// `&&` at the start of continuation lines (else at the end).
    pub leading_and: bool,
}

impl Style {
    pub fn of(tree: &SyntaxTree) -> Self {
        let mut indents: HashMap<String, usize> = HashMap::new();
        let (mut leading, mut trailing) = (0, 0);
        let src = tree.source();
        for item in tree.items() {
            let toks = &tree.tokens()[item.tokens.start as usize..item.tokens.end as usize];
            for (i, t) in toks.iter().enumerate() {
                if t.kind == TokenKind::Text && i > 0 && toks[i - 1].kind == TokenKind::Newline {
                    let text = &src[t.range.as_usize()];
                    let ws: String = text
                        .iter()
                        .take_while(|b| **b == b' ' || **b == b'\t')
                        .map(|&b| b as char)
                        .collect();
                    if !ws.is_empty() {
                        *indents.entry(ws).or_default() += 1;
                    }
                    let rest = String::from_utf8_lossy(text);
                    if rest.trim_start().starts_with("&&") {
                        leading += 1;
                    }
                }
                if t.kind == TokenKind::Text {
                    let text = String::from_utf8_lossy(&src[t.range.as_usize()]);
                    if text.trim_end().ends_with("&&") {
                        trailing += 1;
                    }
                }
            }
        }
        let indent = indents
            .into_iter()
            .max_by_key(|(ws, n)| (*n, std::cmp::Reverse(ws.len())))
            .map_or_else(|| "    ".to_string(), |(ws, _)| ws);
        Self {
            escape: char::from(tree.escape()),
            indent,
            leading_and: leading >= trailing,
        }
    }

    /// The text that continues a command onto a new line with `&&`, with
    /// `comments` (whole lines, without line endings) in between.
    pub fn and_then(&self, comments: &[String]) -> String {
        let mut s = String::new();
        if self.leading_and {
            s.push(' ');
            s.push(self.escape);
            s.push('\n');
            for c in comments {
                s.push_str(c);
                s.push('\n');
            }
            s.push_str(&self.indent);
            s.push_str("&& ");
        } else {
            s.push_str(" && ");
            s.push(self.escape);
            s.push('\n');
            for c in comments {
                s.push_str(c);
                s.push('\n');
            }
            s.push_str(&self.indent);
        }
        s
    }

    /// What [`Style::and_then`] becomes in the continuation-joined line
    /// BuildKit hands to the shell: the line breaks and comments go.
    pub fn and_then_joined(&self) -> String {
        if self.leading_and {
            format!(" {}&& ", self.indent)
        } else {
            format!(" && {}", self.indent)
        }
    }
}
