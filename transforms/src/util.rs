//! Small helpers shared by transforms.

use dockopt_engine::Edit;
use dockopt_syntax::{Instruction, SyntaxTree, TokenKind};

/// Whether the instruction has comment lines inside its continuation, which
/// a rewrite of its arguments would lose.
pub fn has_inner_comments(inst: &Instruction<'_>) -> bool {
    let item = inst.item();
    inst.tree().tokens()[item.tokens.start as usize..item.tokens.end as usize]
        .iter()
        .any(|t| t.kind == TokenKind::Comment)
}

/// `new` in the letter case of `written` (`add` gives `copy`).
pub fn same_case(written: &str, new: &str) -> String {
    if written.chars().all(|c| c.is_ascii_lowercase()) {
        new.to_ascii_lowercase()
    } else {
        new.to_ascii_uppercase()
    }
}

/// The file's `syntax` directive value, if it has one.
pub fn syntax_directive(tree: &SyntaxTree) -> Option<&str> {
    tree.directives()
        .iter()
        .find(|(n, _, _)| n == "syntax")
        .map(|(_, v, _)| v.as_str())
}

/// The edit that adds `# syntax=docker/dockerfile:1` at the top (after a
/// BOM), for features older front ends lack: cache mounts, heredocs.
pub fn add_syntax_directive(tree: &SyntaxTree) -> Edit {
    let at = tree
        .tokens()
        .first()
        .filter(|t| t.kind == TokenKind::Bom)
        .map_or(0, |t| t.range.end);
    Edit::insert(at, "# syntax=docker/dockerfile:1\n")
}
