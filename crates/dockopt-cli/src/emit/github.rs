//! GitHub Actions workflow commands, one annotation per finding. Columns
//! count UTF-16 code units, as GitHub's web interface does.

use std::io::{self, Write};

use dockopt_engine::Severity;

use super::{diags, report_path, Columns, Positions};
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
        let file = escape_property(&report_path(r));
        if let Some(e) = &r.error {
            let e = e.strip_prefix("error: ").unwrap_or(e);
            writeln!(
                out,
                "::error file={file},title=file-error::{}",
                escape_data(e)
            )?;
        }
        let pos = Positions::new(r.text());
        for d in diags(r) {
            let (s, t) = pos.span(d.range, Columns::Utf16);
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            writeln!(
                out,
                "::{command} file={file},line={},col={},endLine={},endColumn={},title={}::{}",
                s.line,
                s.col,
                t.line,
                t.col,
                escape_property(&d.id()),
                escape_data(d.message)
            )?;
        }
    }
    Ok(())
}
