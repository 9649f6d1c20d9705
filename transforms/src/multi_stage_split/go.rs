//! Go: the binary `go build -o` writes.

use super::files::{absolute, calls, runs, system_data, under};
use super::{command, runtime_image, Input, Split};

pub(super) fn go(input: Input<'_, '_>) -> Result<Split, String> {
    let (cx, stage, rt, tag, app) = input.parts();
    let mut binary = None;
    let mut static_build = stage.instructions.iter().any(|i| {
        i.is("env")
            && i.values()
                .chunks(2)
                .any(|kv| kv[0] == "CGO_ENABLED" && kv.get(1).is_some_and(|v| v == "0"))
    });
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
    let runtime = runtime_image(rt, tag, static_build)?;
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
