//! The stable JSON format (version 1), documented in docs/cli.md.

use std::io::{self, Write};

use dockopt_engine::{Finding, Gain};
use dockopt_syntax::TextRange;
use serde_json::{json, Value};

use super::{Columns, Positions};
use crate::commands::run::FileReport;

/// Columns count bytes, beside the byte offset.
fn position(index: &Positions<'_>, offset: u32) -> Value {
    let p = index.at(offset, Columns::Bytes);
    json!({"line": p.line, "column": p.col, "offset": offset})
}

fn range(index: &Positions<'_>, r: TextRange) -> (Value, Value) {
    (position(index, r.start), position(index, r.end))
}

fn finding(index: &Positions<'_>, f: &Finding) -> Value {
    let (start, end) = range(index, f.range);
    json!({
        "code": f.code,
        "name": f.name,
        "message": f.message,
        "severity": f.severity().as_str(),
        "gain": super::gain(f).map(Gain::as_str),
        "start": start,
        "end": end,
        "fix": f.fix.as_ref().map(|x| json!({
            "applicability": x.applicability.as_str(),
            "title": x.title,
            "edits": x.edits.iter().map(|e| {
                let (s, t) = range(index, e.range);
                json!({"start": s, "end": t, "content": e.replacement})
            }).collect::<Vec<_>>(),
        })),
        "not_applied": f.not_applied.as_ref().map(ToString::to_string),
    })
}

pub fn emit(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    let mut files = Vec::new();
    let (mut n_findings, mut n_fixed, mut n_errors) = (0, 0, 0);
    for r in reports {
        let index = Positions::new(r.text());
        n_findings += r.findings.len() + r.syntax_errors.len();
        n_fixed += r.applied.len();
        n_errors += usize::from(r.error.is_some());
        files.push(json!({
            "path": r.display,
            "changed": r.output.is_some(),
            "error": r.error,
            "syntax_errors": r.syntax_errors.iter().map(|e| {
                let (s, t) = range(&index, e.range);
                json!({"message": e.message, "severity": "error", "start": s, "end": t})
            }).collect::<Vec<_>>(),
            "findings": r.findings.iter().map(|f| finding(&index, f)).collect::<Vec<_>>(),
            "fixed": r.applied.iter().map(|f| json!({"code": f.code, "name": f.name, "message": f.message})).collect::<Vec<_>>(),
        }));
    }
    let doc = json!({
        "version": 1,
        "files": files,
        "summary": {"files": reports.len(), "findings": n_findings, "fixed": n_fixed, "errors": n_errors},
    });
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    )
}
