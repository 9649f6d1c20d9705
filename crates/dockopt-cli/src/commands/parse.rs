//! `dockopt parse`: BuildKit's view of each instruction, or a round-trip check.

use std::io::Write;
use std::path::Path;

use dockopt_syntax::{Instruction, SyntaxTree};
use serde_json::{json, Value};

use crate::args::{ParseArgs, ParseFormat};
use crate::commands::{diagnostic_line, read_input};
use crate::Status;

/// `--format json`: the same shape for one file or many,
/// `{"version": 1, "files": [{"path", "instructions", "errors", "error"}]}`.
fn file_json(path: &Path, tree: Option<&SyntaxTree>, error: Option<&str>) -> Value {
    let errors: Vec<Value> = tree
        .map(|t| {
            t.errors()
                .iter()
                .map(|e| {
                    let lc = t.line_col(e.range.start);
                    json!({
                        "message": e.message,
                        "severity": match e.severity {
                            dockopt_syntax::Severity::Error => "error",
                            dockopt_syntax::Severity::Warning => "warning",
                        },
                        "line": lc.line,
                        "column": lc.col,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "path": path.display().to_string(),
        "instructions": tree.map(|t| t.instructions().map(|i| to_json(&i)).collect::<Vec<_>>()).unwrap_or_default(),
        "errors": errors,
        "error": error,
    })
}

pub fn run(args: &ParseArgs) -> Status {
    let mut status = Status::Clean;
    let mut files = Vec::new();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut checked = 0;
    for path in &args.files {
        let bytes = match read_input(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{}: error: {e}", path.display());
                status = status.worst(Status::Error);
                files.push(file_json(path, None, Some(&format!("error: {e}"))));
                continue;
            }
        };
        if args.roundtrip {
            checked += 1;
            status = status.worst(roundtrip(path, &bytes));
            continue;
        }
        let tree = dockopt_syntax::parse(bytes);
        for e in tree.errors() {
            eprintln!("{}", diagnostic_line(path, &tree, e));
        }
        if tree.has_errors() {
            status = status.worst(Status::Findings);
        }
        match args.format {
            ParseFormat::Json => files.push(file_json(path, Some(&tree), None)),
            ParseFormat::Dump => {
                let _ = write!(out, "{}", dockopt_syntax::dump::dump(&tree));
            }
            ParseFormat::Tree => {
                let _ = write!(out, "{}", tree_dump(&tree));
            }
        }
    }
    if args.roundtrip {
        if status == Status::Clean {
            let _ = writeln!(out, "{checked} file(s) print back byte for byte");
        }
    } else if args.format == ParseFormat::Json {
        let v = json!({"version": 1, "files": files});
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&v).unwrap_or_default()
        );
    }
    status
}

fn roundtrip(path: &Path, bytes: &[u8]) -> Status {
    let tree = dockopt_syntax::parse(bytes.to_vec());
    let printed = tree.print();
    match printed.iter().zip(bytes).position(|(a, b)| a != b) {
        None if printed.len() == bytes.len() => Status::Clean,
        first => {
            let at = first.unwrap_or(printed.len().min(bytes.len()));
            eprintln!(
                "{}: error: printed tree differs at byte {at}",
                path.display()
            );
            Status::Findings
        }
    }
}

/// The fields BuildKit's parser gives, as the `dockerfile` Python package
/// exposes them.
pub fn to_json(inst: &Instruction<'_>) -> Value {
    let cmd = inst.command();
    let target = cmd.effective();
    let mut original = inst.line().into_owned();
    let heredocs: &[dockopt_syntax::Heredoc] = if cmd.sub.is_some() {
        &[]
    } else {
        &cmd.heredocs
    };
    if !heredocs.is_empty() {
        original.push('\n');
        for h in heredocs {
            original.push_str(&h.content);
            original.push_str(&h.name);
            original.push('\n');
        }
    }
    let v = json!({
        "cmd": cmd.name(),
        "sub_cmd": cmd.sub.as_ref().map(|s| s.name()),
        "json": target.json,
        "original": original,
        "start_line": inst.start_line(),
        "end_line": inst.end_line(),
        "flags": cmd.flags,
        "value": target.values,
        "heredocs": heredocs.iter().map(|h| json!({
            "name": h.name,
            "file_descriptor": h.file_descriptor,
            "content": h.content,
        })).collect::<Vec<_>>(),
    });
    match inst.tree().placeholder() {
        Some(p) => shown(v, p),
        None => v,
    }
}

/// Bytes that are not UTF-8 as U+FFFD, not as the tree's placeholder. The
/// value is this module's own, a few levels deep.
fn shown(v: Value, p: char) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace(p, "\u{fffd}")),
        Value::Array(a) => Value::Array(a.into_iter().map(|x| shown(x, p)).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, x)| (k, shown(x, p))).collect()),
        other => other,
    }
}

fn tree_dump(tree: &SyntaxTree) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    for item in tree.items() {
        let _ = writeln!(s, "{:?} {:?}", item.kind, item.range);
        for t in &tree.tokens()[item.tokens.start as usize..item.tokens.end as usize] {
            let text = String::from_utf8_lossy(tree.text(t.range));
            let _ = writeln!(s, "  {:?} {:?} {:?}", t.kind, t.range, text);
        }
    }
    s
}
