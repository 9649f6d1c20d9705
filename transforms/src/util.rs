//! Small helpers shared by transforms.

use dockopt_syntax::{Instruction, TokenKind};

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
