//! Unified diffs with `a/` and `b/` headers.

use std::io::{self, Write};

use crate::commands::run::FileReport;

/// Diffs on `out`; files that could not be processed on `err`, since a
/// diff has no place for them.
pub fn emit(
    out: &mut dyn Write,
    err: &mut dyn Write,
    reports: &[FileReport],
    color: bool,
) -> io::Result<()> {
    for r in reports {
        super::text::errors(err, r)?;
        if let Some(new) = &r.output {
            let old = String::from_utf8_lossy(&r.source);
            let new = String::from_utf8_lossy(new);
            let name = r.display.trim_start_matches("./");
            let diff = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
            let text = diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{name}"), &format!("b/{name}"))
                .to_string();
            paint(out, &text, color)?;
        }
        for nf in r.new_files.iter().filter(|n| !n.written) {
            let shown = nf.path.display().to_string();
            let shown = shown.strip_prefix("./").unwrap_or(&shown);
            let body = nf.content.lines().fold(String::new(), |mut acc, l| {
                acc.push('+');
                acc.push_str(l);
                acc.push('\n');
                acc
            });
            let text = format!(
                "--- /dev/null\n+++ b/{shown}\n@@ -0,0 +1,{} @@\n{body}",
                nf.content.lines().count()
            );
            paint(out, &text, color)?;
        }
    }
    Ok(())
}

fn paint(out: &mut dyn Write, text: &str, color: bool) -> io::Result<()> {
    use anstyle::{AnsiColor, Style};
    if !color {
        return out.write_all(text.as_bytes());
    }
    for line in text.split_inclusive('\n') {
        let style = if line.starts_with("+++") || line.starts_with("---") {
            Style::new().bold()
        } else if line.starts_with('+') {
            AnsiColor::Green.on_default()
        } else if line.starts_with('-') {
            AnsiColor::Red.on_default()
        } else if line.starts_with("@@") {
            AnsiColor::Cyan.on_default()
        } else {
            Style::new()
        };
        if style == Style::new() {
            out.write_all(line.as_bytes())?;
        } else {
            let body = line.trim_end_matches('\n');
            writeln!(out, "{style}{body}{style:#}")?;
        }
    }
    Ok(())
}
