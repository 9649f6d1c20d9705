//! BuildKit's AST dump format (`Node.Dump()`), used to check agreement with
//! BuildKit's own parser tests.

use std::fmt::Write;

use crate::command::Command;
use crate::tree::SyntaxTree;

/// Go's `strconv.Quote`.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() || (c.is_whitespace() && c != ' ') => {
                if (c as u32) < 0x10000 {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                } else {
                    let _ = write!(out, "\\U{:08x}", c as u32);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn dump_command(cmd: &Command) -> String {
    let mut s = cmd.keyword.to_lowercase();
    if !cmd.flags.is_empty() {
        let flags: Vec<String> = cmd.flags.iter().map(|f| go_quote(f)).collect();
        let _ = write!(s, " [{}]", flags.join(" "));
    }
    if let Some(sub) = &cmd.sub {
        let _ = write!(s, " ({})", dump_command(sub));
    }
    if cmd.separators.is_empty() {
        for v in &cmd.values {
            s.push(' ');
            s.push_str(&go_quote(v));
        }
    } else {
        for (pair, sep) in cmd.values.chunks(2).zip(&cmd.separators) {
            for v in pair {
                s.push(' ');
                s.push_str(&go_quote(v));
            }
            s.push(' ');
            s.push_str(&go_quote(sep));
        }
    }
    s.trim().to_string()
}

/// The dump of a whole file, as BuildKit's parser tests print it.
pub fn dump(tree: &SyntaxTree) -> String {
    let mut out = String::new();
    for data in tree.instruction_data() {
        out.push('(');
        out.push_str(&dump_command(&data.command));
        out.push_str(")\n");
    }
    out
}
