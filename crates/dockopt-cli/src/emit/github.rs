//! GitHub Actions workflow commands, one annotation per finding.

use std::io::{self, Write};

use super::span;
use crate::commands::run::FileReport;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn emit(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    for r in reports {
        let file = escape_property(r.display.trim_start_matches("./"));
        if let Some(e) = &r.error {
            let e = e.strip_prefix("error: ").unwrap_or(e);
            writeln!(
                out,
                "::error file={file},title=file-error::{}",
                escape_data(e)
            )?;
        }
        for e in &r.syntax_errors {
            let (s, t) = span(&r.source, e.range);
            writeln!(
                out,
                "::error file={file},line={},col={},endLine={},endColumn={},title=syntax-error::{}",
                s.line,
                s.col,
                t.line,
                t.col,
                escape_data(&e.message)
            )?;
        }
        for f in &r.findings {
            let (s, t) = span(&r.source, f.range);
            writeln!(
                out,
                "::warning file={file},line={},col={},endLine={},endColumn={},title={}::{}",
                s.line,
                s.col,
                t.line,
                t.col,
                escape_property(&format!("{} {}", f.code, f.name)),
                escape_data(&f.message)
            )?;
        }
    }
    Ok(())
}
