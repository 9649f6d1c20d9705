//! Where the runtime stage goes, and what the build stage loses to it.

use dockopt_engine::Edit;
use dockopt_syntax::{Instruction, Stage, SyntaxTree, TextRange};

use crate::run::comments_between;

pub(super) fn stage_name(tree: &SyntaxTree) -> String {
    let used: Vec<String> = tree.stages().iter().filter_map(Stage::name).collect();
    ["build", "build-stage", "builder", "toolchain"]
        .into_iter()
        .find(|n| !used.iter().any(|u| u == n))
        .unwrap_or("dockopt-build")
        .to_string()
}

fn blank_line_at(src: &[u8], at: usize) -> bool {
    src[at..]
        .iter()
        .take_while(|&&b| b != b'\n')
        .all(u8::is_ascii_whitespace)
        && src[at..].contains(&b'\n')
}

fn next_line(src: &[u8], at: usize) -> usize {
    src[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(src.len(), |p| at + p + 1)
}

/// Edits that delete the moved instructions (with a blank line they would
/// leave doubled) and append the runtime stage after one blank line,
/// keeping whether the file ends with a line break. `build_tail`, when not
/// empty, ends the build stage first.
pub(super) fn tail_edits(
    src: &[u8],
    moved: &[TextRange],
    build_tail: &str,
    stage: &str,
) -> Vec<Edit> {
    let mut dels: Vec<(usize, usize)> = Vec::new();
    for r in moved {
        let (start, mut end) = (r.start as usize, next_line(src, r.end as usize - 1));
        let blank_before =
            start >= 1 && (start == 1 || blank_line_at(src, line_start(src, start - 1)));
        if blank_before && end < src.len() && blank_line_at(src, end) {
            end = next_line(src, end);
        }
        match dels.last_mut() {
            Some(last) if last.1 >= start => last.1 = last.1.max(end),
            _ => dels.push((start, end)),
        }
    }
    // The end of the last byte that stays and is not white space.
    let mut kept = src.len();
    loop {
        if let Some(d) = dels.iter().find(|d| d.1 == kept && d.0 < kept) {
            kept = d.0;
        } else if kept > 0 && src[kept - 1].is_ascii_whitespace() {
            kept -= 1;
        } else {
            break;
        }
    }
    let mut edits: Vec<Edit> = dels
        .iter()
        .filter(|d| d.0 < kept)
        .map(|d| Edit::delete(TextRange::new(d.0 as u32, d.1.min(kept) as u32)))
        .collect();
    let last_break = if src.ends_with(b"\n") { "\n" } else { "" };
    edits.push(Edit::replace(
        TextRange::new(kept as u32, src.len() as u32),
        if build_tail.is_empty() {
            format!("\n\n{stage}{last_break}")
        } else {
            format!("\n{build_tail}\n\n{stage}{last_break}")
        },
    ));
    edits
}

fn line_start(src: &[u8], at: usize) -> usize {
    src[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1)
}

/// The comment lines directly above an instruction: where they start, and
/// their text.
pub(super) fn leading_comments(tree: &SyntaxTree, inst: &Instruction<'_>) -> (u32, Vec<String>) {
    let at = inst.range().start;
    let start = crate::util::leading_comments_start(tree, inst);
    let comments = comments_between(tree, start, at)
        .iter()
        .map(|c| c.trim_start().to_string())
        .collect();
    (start, comments)
}
