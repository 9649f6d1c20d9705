//! Programs the application runs: `subprocess.run(["git", ...])`,
//! `os.system("ffmpeg ...")`, `child_process.spawn("convert")`,
//! `exec.Command("curl")`, with the program named by a literal string in
//! the source files the stage copies from the context.

use dockopt_engine::model::CopyView;
use dockopt_engine::Cx;
use dockopt_syntax::Stage;

/// Where a call that runs a program starts, per source language, and
/// whether its first string is a shell command line (the program is its
/// first word) rather than the program alone.
const PYTHON: &[&str] = &[
    "subprocess.run(",
    "subprocess.call(",
    "subprocess.check_call(",
    "subprocess.check_output(",
    "subprocess.Popen(",
    "os.system(",
    "os.popen(",
    "shutil.which(",
    "os.execvp(",
    "os.execlp(",
];
const NODE: &[&str] = &[
    "exec(",
    "execSync(",
    "spawn(",
    "spawnSync(",
    "execFile(",
    "execFileSync(",
    "execa(",
    "execaSync(",
];
const GO: &[&str] = &["exec.Command(", "exec.CommandContext(", "exec.LookPath("];

/// Source files larger than this are not read.
const MAX_SOURCE: usize = 512 * 1024;

/// A program a source file runs: its name, and where it is named.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Runs {
    pub program: String,
    pub file: String,
}

/// The programs the stage's source files run, by their literal names.
pub(super) fn programs(cx: &Cx<'_>, stage: &Stage<'_>) -> Vec<Runs> {
    let Some(ctx) = cx.context else {
        return Vec::new();
    };
    let mut out: Vec<Runs> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for inst in &stage.instructions {
        let Some(m) = cx.model.inst(inst) else {
            continue;
        };
        if !m.copy().is_some_and(CopyView::from_context) {
            continue;
        }
        let Some(Ok(plan)) = cx.model.copy_plan(m) else {
            continue;
        };
        for (src, _) in plan.files(ctx) {
            if src.contains("node_modules/") || !seen.insert(src.clone()) {
                continue;
            }
            let calls: &[&str] = match src.rsplit('.').next().unwrap_or_default() {
                "py" => PYTHON,
                "js" | "mjs" | "cjs" | "ts" | "mts" | "cts" => NODE,
                "go" => GO,
                _ => continue,
            };
            let Some(bytes) = ctx.read(&src).filter(|b| b.len() <= MAX_SOURCE) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            if calls == NODE && !text.contains("child_process") && !text.contains("execa") {
                continue;
            }
            for p in named(&text, calls) {
                if !out.iter().any(|r| r.program == p) {
                    out.push(Runs {
                        program: p,
                        file: src.clone(),
                    });
                }
            }
        }
    }
    out
}

/// Program names the calls in `text` give as literal strings.
fn named(text: &str, calls: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for call in calls {
        let mut from = 0;
        while let Some(at) = text[from..].find(call) {
            let start = from + at;
            from = start + call.len();
            // `exec(` must not be the end of another name (`myexec(`).
            let before = text[..start].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let mut rest = text[from..].trim_start();
            if call.ends_with("Context(") {
                rest = rest.split_once(',').map_or("", |(_, r)| r).trim_start();
            }
            rest = rest.strip_prefix('[').unwrap_or(rest).trim_start();
            let Some(q) = rest
                .chars()
                .next()
                .filter(|c| matches!(c, '"' | '\'' | '`'))
            else {
                continue;
            };
            let Some(end) = rest[1..].find(q) else {
                continue;
            };
            let literal = &rest[1..=end];
            if literal.contains("${") || literal.contains('{') {
                continue;
            }
            let Some(first) = literal.split_whitespace().next() else {
                continue;
            };
            let name = first.rsplit('/').next().unwrap_or(first);
            let is_path = first.contains('/')
                && !first.starts_with("/usr/bin/")
                && !first.starts_with("/bin/");
            if !is_path && !name.is_empty() && !out.iter().any(|n| n == name) {
                out.push(name.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_program_names() {
        let py = r#"
import subprocess, os
subprocess.run(["git", "rev-parse", "HEAD"], check=True)
os.system("ffmpeg -i a.mp4 b.webm")
subprocess.check_output(cmd)
subprocess.run(["./bin/tool"])
"#;
        assert_eq!(named(py, PYTHON), ["git", "ffmpeg"]);
        let js = "const { execSync, spawn } = require('child_process');\nexecSync(`convert a.png b.jpg`);\nspawn('ffmpeg', ['-i']);\nmyexec('nope');\nexecSync(`${bin} x`);";
        assert_eq!(named(js, NODE), ["convert", "ffmpeg"]);
        let go = "out, err := exec.Command(\"/usr/bin/git\", \"log\").Output()";
        assert_eq!(named(go, GO), ["git"]);
    }
}
