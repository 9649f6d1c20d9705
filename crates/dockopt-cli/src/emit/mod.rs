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
    // Emitters ask once per finding, about sources that live through the
    // whole output: the index of the last one asked about (known by its
    // address and length) is kept, so that it is built once per file.
    thread_local! {
        static LAST: std::cell::RefCell<Option<(usize, usize, LineIndex)>> =
            const { std::cell::RefCell::new(None) };
    }
    let key = (source.as_ptr() as usize, source.len());
    LAST.with(|cell| {
        let mut last = cell.borrow_mut();
        if last.as_ref().is_none_or(|(p, n, _)| (*p, *n) != key) {
            *last = Some((key.0, key.1, LineIndex::new(source)));
        }
        let index = &last.as_ref().expect("set above").2;
        (index.line_col(range.start), index.line_col(range.end))
    })
}

/// A short word for what happens to a finding's fix.
pub fn fix_status(f: &Finding, unsafe_enabled: bool) -> String {
    match (&f.fix, &f.not_applied) {
        (_, Some(why)) => why.clone(),
        (Some(fix), None) => match fix.applicability {
            Applicability::Safe => format!("fix: {}", fix.title),
            Applicability::Unsafe if unsafe_enabled => format!("unsafe fix: {}", fix.title),
            Applicability::Unsafe => format!("unsafe fix (--unsafe): {}", fix.title),
            Applicability::DisplayOnly => format!("suggestion: {}", fix.title),
        },
        (None, None) => "no automatic fix".to_string(),
    }
}
