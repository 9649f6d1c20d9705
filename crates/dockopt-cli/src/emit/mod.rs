//! Output formats. Each emitter writes the reports of a whole run.

pub mod diff;
pub mod github;
pub mod json;
pub mod sarif;
pub mod text;

use dockopt_engine::{Applicability, Finding};
use dockopt_syntax::{LineCol, LineIndex};

/// Start and end of a byte range as 1-based line and column.
pub fn span(source: &[u8], range: dockopt_syntax::TextRange) -> (LineCol, LineCol) {
    let index = LineIndex::new(source);
    (index.line_col(range.start), index.line_col(range.end))
}

/// A short word for what happens to a finding's fix.
pub fn fix_status(f: &Finding, unsafe_enabled: bool) -> String {
    match (&f.fix, &f.not_applied) {
        (_, Some(why)) => why.to_string(),
        (Some(fix), None) => match fix.applicability {
            Applicability::Safe => format!("fix: {}", fix.title),
            Applicability::Unsafe if unsafe_enabled => format!("unsafe fix: {}", fix.title),
            Applicability::Unsafe => format!("unsafe fix (--unsafe): {}", fix.title),
            Applicability::DisplayOnly => format!("suggestion: {}", fix.title),
        },
        (None, None) => "no automatic fix".to_string(),
    }
}
