//! BuildKit's AST dump format (`Node.Dump()`), used to check agreement with
//! BuildKit's own parser tests.

use std::fmt::Write;

use crate::command::Command;
pub use crate::go::go_quote;
use crate::tree::SyntaxTree;

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
