//! A container command that runs a shell script: the script must find its
//! tools on the runtime base too.

use dockopt_engine::Cx;
use dockopt_shell::Script;

use super::files::{absolute, context_text};

/// Tools the toolchain images carry and the slim and distroless bases do
/// not.
const TOOLCHAIN_ONLY: &[&str] = &[
    "curl", "wget", "git", "gcc", "cc", "g++", "make", "jq", "nc", "netcat", "ps", "pgrep",
    "pkill", "envsubst", "ssh", "scp", "unzip", "zip", "file", "gosu", "su-exec", "xxd",
];

/// Shells a command may name to run a script.
const SHELLS: &[&str] = &["sh", "bash", "/bin/sh", "/bin/bash", "/usr/bin/env"];

/// Why the command's script cannot run on the runtime base, if it runs one.
pub(super) fn check(
    cx: &Cx<'_>,
    words: &[String],
    app: Option<&str>,
    runtime: &str,
    ecosystem: &str,
) -> Result<(), String> {
    let mut rest = words;
    while rest.first().is_some_and(|w| SHELLS.contains(&w.as_str())) {
        rest = &rest[1..];
    }
    let via_shell = rest.len() < words.len();
    let (name, text) = match rest.first().map(String::as_str) {
        Some("-c") => ("the command", rest.get(1).cloned().unwrap_or_default()),
        Some(path) if via_shell || path.to_ascii_lowercase().ends_with(".sh") => {
            (path, read(cx, path, app)?)
        }
        _ if via_shell => ("the command", String::new()),
        _ => return Ok(()),
    };
    if runtime.contains("distroless") {
        return Err(format!(
            "{name} needs a shell, which the runtime base lacks"
        ));
    }
    let script =
        Script::parse(&text).map_err(|_| format!("{name} does not parse as a shell script"))?;
    let node_lacks: &[&str] = if ecosystem == "node" {
        &["python", "python3"]
    } else {
        &[]
    };
    for c in script.commands() {
        let tool = c.name.text.rsplit('/').next().unwrap_or_default();
        if TOOLCHAIN_ONLY.contains(&tool) || node_lacks.contains(&tool) {
            return Err(format!(
                "{name} runs {tool}, which the slim runtime base lacks"
            ));
        }
    }
    Ok(())
}

/// A script's text from the build context, found through the application
/// directory the context is copied into.
fn read(cx: &Cx<'_>, path: &str, app: Option<&str>) -> Result<String, String> {
    let full = absolute(app.unwrap_or("/"), path);
    let rel = app
        .and_then(|a| full.strip_prefix(&format!("{}/", a.trim_end_matches('/'))))
        .unwrap_or(path.trim_start_matches("./"));
    context_text(cx, rel).ok_or(format!(
        "the command runs {path}, which is not in the build context to check"
    ))
}
