pub mod completions;
pub mod lint;
pub mod parse;
pub mod rule;
pub mod run;

use std::path::Path;

use crate::read::{self, ReadError, MAX_SIZE};

/// Reads a regular file, or standard input for `-`, up to the size limit.
pub fn read_input(path: &Path) -> Result<Vec<u8>, ReadError> {
    if path.as_os_str() == "-" {
        read::read_stdin(MAX_SIZE)
    } else {
        read::read_regular(path, MAX_SIZE).map(|(bytes, _)| bytes)
    }
}

/// `path:line:col: severity: message`, the line editors and CI understand.
pub fn diagnostic_line(
    path: &Path,
    tree: &dockopt_syntax::SyntaxTree,
    e: &dockopt_syntax::SyntaxError,
) -> String {
    let lc = tree.line_col(e.range.start);
    let sev = match e.severity {
        dockopt_syntax::Severity::Error => "error",
        dockopt_syntax::Severity::Warning => "warning",
    };
    format!(
        "{}:{}:{}: {sev}: {}",
        path.display(),
        lc.line,
        lc.col,
        e.message
    )
}
