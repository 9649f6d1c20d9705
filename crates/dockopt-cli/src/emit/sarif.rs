//! SARIF 2.1.0 for code scanning.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::span;
use crate::commands::run::FileReport;

fn artifact(r: &FileReport) -> Value {
    json!({"uri": r.display.trim_start_matches("./")})
}

fn location(r: &FileReport, range: dockopt_syntax::TextRange) -> Value {
    let (s, t) = span(&r.source, range);
    json!([{
        "physicalLocation": {
            "artifactLocation": artifact(r),
            "region": {"startLine": s.line, "startColumn": s.col, "endLine": t.line, "endColumn": t.col},
        }
    }])
}

pub fn emit(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    let transforms = dockopt_transforms::ALL;
    let mut rules: Vec<Value> = transforms
        .iter()
        .map(|t| {
            json!({
                "id": t.code(),
                "name": t.name(),
                "shortDescription": {"text": t.summary()},
                "fullDescription": {"text": t.docs()},
                "defaultConfiguration": {"level": "warning"},
            })
        })
        .collect();
    rules.push(json!({
        "id": "syntax-error",
        "name": "syntax-error",
        "shortDescription": {"text": "BuildKit cannot parse this"},
        "defaultConfiguration": {"level": "error"},
    }));
    let mut results = Vec::new();
    for r in reports {
        for e in &r.syntax_errors {
            results.push(json!({
                "ruleId": "syntax-error",
                "ruleIndex": transforms.len(),
                "level": "error",
                "message": {"text": e.message},
                "locations": location(r, e.range),
            }));
        }
        for f in &r.findings {
            let index = transforms
                .iter()
                .position(|t| t.code() == f.code)
                .unwrap_or(0);
            results.push(json!({
                "ruleId": f.code,
                "ruleIndex": index,
                "level": "warning",
                "message": {"text": format!("{} ({})", f.message, f.name)},
                "locations": location(r, f.range),
            }));
        }
    }
    // Files that could not be processed: the run did not fully succeed.
    let notifications: Vec<Value> = reports
        .iter()
        .filter_map(|r| {
            let e = r.error.as_deref()?;
            Some(json!({
                "level": "error",
                "message": {"text": e.strip_prefix("error: ").unwrap_or(e)},
                "locations": [{"physicalLocation": {"artifactLocation": artifact(r)}}],
            }))
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dockopt",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
            "invocations": [{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
        }],
    });
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    )
}
