//! GitLab Code Quality: a JSON array of Code Climate issues, each with a
//! fingerprint that stays the same when unrelated lines move (a hash of the
//! path, the rule, the message, the text the finding is about and how many
//! identical findings come before it in the file). A file that could not be
//! processed is a `critical` issue named `file-error`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use dockopt_engine::Severity;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{diags, report_path, Columns, Positions};
use crate::commands::run::FileReport;

fn fingerprint(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize()[..16].iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Warning => "minor",
        Severity::Error => "major",
    }
}

pub fn emit(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    let mut issues: Vec<Value> = Vec::new();
    for r in reports {
        let path = report_path(r);
        if let Some(e) = &r.error {
            let message = e.strip_prefix("error: ").unwrap_or(e);
            issues.push(json!({
                "type": "issue",
                "check_name": "file-error",
                "description": message,
                "categories": ["Bug Risk"],
                "severity": "critical",
                "fingerprint": fingerprint(&[path.as_bytes(), b"file-error", message.as_bytes()]),
                "location": {"path": path, "lines": {"begin": 1}},
            }));
        }
        let text = r.text();
        let pos = Positions::new(text);
        let mut seen: HashMap<String, usize> = HashMap::new();
        for d in diags(r) {
            let (s, t) = pos.span(d.range, Columns::Chars);
            let range = d.range.as_usize();
            let snippet = text.get(range).unwrap_or_default();
            let fp = fingerprint(&[
                path.as_bytes(),
                d.code.as_bytes(),
                d.message.as_bytes(),
                snippet,
            ]);
            let n = seen.entry(fp.clone()).or_default();
            *n += 1;
            let fp = if *n == 1 {
                fp
            } else {
                fingerprint(&[fp.as_bytes(), &n.to_le_bytes()])
            };
            let category = if d.finding.is_some() {
                "Performance"
            } else {
                "Bug Risk"
            };
            issues.push(json!({
                "type": "issue",
                "check_name": d.id(),
                "description": d.message,
                "categories": [category],
                "severity": severity(d.severity),
                "fingerprint": fp,
                "location": {
                    "path": path,
                    "lines": {"begin": s.line, "end": t.line.max(s.line)},
                },
            }));
        }
    }
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&issues).unwrap_or_default()
    )
}
