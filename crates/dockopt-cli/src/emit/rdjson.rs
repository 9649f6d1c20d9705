//! reviewdog's diagnostic format: `rdjson` (one `DiagnosticResult`) and
//! `rdjsonl` (one `Diagnostic` per line). Columns count UTF-8 bytes, as the
//! format says. A finding's fix is its suggestion; with `fix --diff`, each
//! hunk of the diff is a diagnostic whose suggestion is the new text, so
//! that a review bot can post dockopt's diff as suggested changes.

use std::io::{self, Write};

use dockopt_engine::Severity;
use dockopt_syntax::TextRange;
use serde_json::{json, Value};

use super::{
    diags, fix_status, offered_fix, replacement_text, report_path, rule_url, Columns, Options,
    Positions, DOCS_URL,
};
use crate::commands::run::FileReport;

fn range(pos: &Positions<'_>, r: TextRange) -> Value {
    let (s, t) = pos.span(r, Columns::Bytes);
    json!({"start": {"line": s.line, "column": s.col}, "end": {"line": t.line, "column": t.col}})
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "ERROR",
        Severity::Warning => "WARNING",
        Severity::Info => "INFO",
    }
}

fn source() -> Value {
    json!({"name": "dockopt", "url": DOCS_URL})
}

/// The diff between a file and its fixed text, a diagnostic per hunk.
fn hunks(r: &FileReport, new: &[u8], out: &mut Vec<Value>) {
    // Suggestions are text: a file that is not UTF-8 gets none, since its
    // bytes could not be given back exactly.
    let (Ok(old_text), Ok(new_text)) = (std::str::from_utf8(&r.source), std::str::from_utf8(new))
    else {
        return;
    };
    let diff = similar::TextDiff::from_lines(old_text, new_text);
    // Byte offset of each old line's start, and of the end.
    let mut starts = vec![0usize];
    for l in diff.old_slices() {
        starts.push(starts.last().copied().unwrap_or(0) + l.len());
    }
    let pos = Positions::new(&r.source);
    let mut rules: Vec<String> = Vec::new();
    for f in &r.applied {
        let id = format!("{} {}", f.code, f.name);
        if !rules.contains(&id) {
            rules.push(id);
        }
    }
    let message = format!(
        "dockopt fix would rewrite these lines ({})",
        rules.join(", ")
    );
    for group in diff.grouped_ops(0) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let old = first.old_range().start..last.old_range().end;
        let new_lines = first.new_range().start..last.new_range().end;
        let at = |i: usize| u32::try_from(starts[i.min(starts.len() - 1)]).unwrap_or(u32::MAX);
        let replaced = TextRange::new(at(old.start), at(old.end));
        let text: String = diff.new_slices()[new_lines].concat();
        out.push(json!({
            "message": message,
            "location": {"path": report_path(r), "range": range(&pos, replaced)},
            "severity": "WARNING",
            "source": source(),
            "code": {"value": "fix", "url": format!("{DOCS_URL}cli.md")},
            "suggestions": [{"range": range(&pos, replaced), "text": text}],
        }));
    }
}

fn diagnostics(reports: &[FileReport], opts: Options) -> Vec<Value> {
    let mut out = Vec::new();
    for r in reports {
        let path = report_path(r);
        if let Some(e) = &r.error {
            out.push(json!({
                "message": e.strip_prefix("error: ").unwrap_or(e),
                "location": {"path": path},
                "severity": "ERROR",
                "source": source(),
                "code": {"value": "file-error"},
            }));
        }
        if let (Some(new), Some(true)) = (&r.output, opts.fix) {
            hunks(r, new, &mut out);
        }
        let pos = Positions::new(r.text());
        for d in diags(r) {
            let message = match d.finding {
                Some(f) if offered_fix(f).is_some() => {
                    format!("{} [{}]", d.message, fix_status(f, opts.unsafe_enabled))
                }
                _ => d.message.to_string(),
            };
            let mut v = json!({
                "message": message,
                "location": {"path": path, "range": range(&pos, d.range)},
                "severity": severity(d.severity),
                "source": source(),
                "code": {"value": d.code, "url": rule_url(d.name)},
            });
            if let Some(fix) = d.finding.and_then(offered_fix) {
                v["suggestions"] = fix
                    .edits
                    .iter()
                    .map(|e| {
                        json!({
                            "range": range(&pos, e.range),
                            "text": replacement_text(r.text(), &e.replacement),
                        })
                    })
                    .collect();
            }
            out.push(v);
        }
    }
    out
}

pub fn emit(
    out: &mut dyn Write,
    reports: &[FileReport],
    opts: Options,
    lines: bool,
) -> io::Result<()> {
    let diags = diagnostics(reports, opts);
    if lines {
        for d in diags {
            writeln!(out, "{}", serde_json::to_string(&d).unwrap_or_default())?;
        }
        return Ok(());
    }
    let doc = json!({"source": source(), "diagnostics": diags});
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    )
}
