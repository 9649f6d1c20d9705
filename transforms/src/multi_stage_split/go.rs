//! Go: the binary `go build -o` writes.

use super::files::{absolute, calls, runs, system_data, under};
use super::{command, Input, Split};
use crate::runtimes::Family;

/// Whether a golang tag names Go 1.`minor` or later.
fn go_at_least(tag: &str, minor: u32) -> bool {
    let mut parts = tag.split('-').next().unwrap_or_default().split('.');
    let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let m: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    major > 1 || (major == 1 && m >= minor)
}

pub(super) fn go(input: Input<'_, '_>) -> Result<Split, String> {
    let (cx, stage, app) = input.parts();
    let mut binary = None;
    let cgo = cx
        .model
        .end_states
        .last()
        .and_then(|s| s.env("CGO_ENABLED").value().map(|v| v.text.clone()));
    // Go 1.20 and later build without cgo where there is no C compiler, as
    // on the Alpine images unless the stage installs one.
    let no_compiler = input.family == Family::Alpine
        && go_at_least(input.tag, 20)
        && !calls(cx, stage, Some("apk")).iter().any(|c| {
            c.args
                .iter()
                .any(|a| matches!(a.as_str(), "gcc" | "build-base" | "clang"))
        });
    let mut static_build = cgo.as_deref() == Some("0") || (cgo.is_none() && no_compiler);
    for c in calls(cx, stage, Some("go")) {
        let args = &c.args;
        if args.first().map(String::as_str) == Some("install") {
            return Err("go install puts the binary where the build decides".into());
        }
        if args.first().map(String::as_str) != Some("build") {
            continue;
        }
        let out = args
            .iter()
            .position(|a| a == "-o")
            .and_then(|i| args.get(i + 1))
            .filter(|o| !o.is_empty() && !o.contains('$'));
        let Some(out) = out else {
            return Err("go build without -o: the binary cannot be located with certainty".into());
        };
        if out.ends_with('/') {
            return Err("go build -o names a directory".into());
        }
        binary = Some(absolute(&c.wd, out));
        if c.text.contains("CGO_ENABLED=0") {
            static_build = true;
        }
    }
    let binary = binary.ok_or("no go build -o: the binary cannot be located with certainty")?;
    let (words, json) = command(stage).expect("checked");
    if !runs(&words, &binary, app) {
        return Err("the container command does not run the built binary".into());
    }
    if static_build && !json {
        return Err(
            "a shell-form command needs /bin/sh, which the static runtime base lacks".into(),
        );
    }
    let runtime = input.runtime_image(static_build)?;
    let mut copies = Vec::new();
    if let Some(app) = app {
        copies.push((app.to_string(), app.to_string()));
    }
    if !app.is_some_and(|a| under(&binary, a)) {
        copies.push((binary.clone(), binary));
    }
    if !static_build {
        copies.extend(system_data(&runtime));
    }
    Ok(Split {
        runtime,
        lines: Vec::new(),
        copies,
        ..Split::default()
    })
}
