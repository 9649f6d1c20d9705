pub mod lint;
pub mod parse;
pub mod rule;
pub mod run;

use std::io::Read;
use std::path::Path;

/// Reads a file, or standard input for `-`.
pub fn read_input(path: &Path) -> std::io::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(path)
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
