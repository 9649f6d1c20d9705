//! Unified diffs with `a/` and `b/` headers.

use std::io::{self, Write};

use crate::commands::run::FileReport;

pub fn emit(out: &mut dyn Write, reports: &[FileReport], color: bool) -> io::Result<()> {
    for r in reports {
        let Some(new) = &r.output else { continue };
        let old = String::from_utf8_lossy(&r.source);
        let new = String::from_utf8_lossy(new);
        let name = r.display.trim_start_matches("./");
        let diff = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
        let text = diff
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{name}"), &format!("b/{name}"))
            .to_string();
        if !color {
            out.write_all(text.as_bytes())?;
            continue;
        }
        for line in text.split_inclusive('\n') {
            let style = if line.starts_with("+++") || line.starts_with("---") {
                "\x1b[1m"
            } else if line.starts_with('+') {
                "\x1b[32m"
            } else if line.starts_with('-') {
                "\x1b[31m"
            } else if line.starts_with("@@") {
                "\x1b[36m"
            } else {
                ""
            };
            if style.is_empty() {
                out.write_all(line.as_bytes())?;
            } else {
                let body = line.trim_end_matches('\n');
                writeln!(out, "{style}{body}\x1b[0m")?;
            }
        }
    }
    Ok(())
}
