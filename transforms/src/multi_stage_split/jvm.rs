//! Java and .NET: the jar `java -jar` runs, the `dotnet publish` output.

use super::files::{absolute, calls, context_copies, from_build, only_builds, under};
use super::{command, Input, Split};

pub(super) fn java(input: Input<'_, '_>) -> Result<Split, String> {
    let (cx, stage, app) = input.parts();
    let (words, _) = command(stage).expect("checked");
    let jar = match words.as_slice() {
        [java, rest @ ..] if java == "java" => rest
            .iter()
            .position(|w| w == "-jar")
            .and_then(|i| rest.get(i + 1)),
        _ => None,
    };
    let jar = jar.ok_or("the container command is not `java -jar FILE`")?;
    if jar.contains(['*', '$', '?']) {
        return Err("the jar's name uses a glob or a variable".into());
    }
    let jar = absolute(app.unwrap_or("/"), jar);
    only_builds(
        cx,
        stage,
        &["mvn", "mvnw", "gradle", "gradlew", "java", "javac"],
        app,
        &[&jar],
    )?;
    // The jar's folder: a thin jar finds its libraries beside it.
    let dir = jar.rsplit_once('/').map_or("", |(d, _)| d);
    // In `/` the folder is the whole file system: the jar goes alone.
    let dir = if dir.is_empty() {
        jar.clone()
    } else {
        dir.to_string()
    };
    let runtime = input
        .rt
        .runtime_for(input.tag, false)
        .ok_or("the toolchain tag names no Java version")?;
    Ok(Split {
        runtime,
        lines: context_copies(&input, &[&dir])?,
        copies: from_build(&[dir]),
        ..Split::default()
    })
}

pub(super) fn dotnet(input: Input<'_, '_>) -> Result<Split, String> {
    let (cx, stage, app) = input.parts();
    only_builds(cx, stage, &["dotnet"], app, &[])?;
    let mut out_dir = None;
    // Project folders: publish puts their content files in the output.
    let mut projects = Vec::new();
    for c in calls(cx, stage, Some("dotnet")) {
        projects.push(c.wd.clone());
        if c.args.first().map(String::as_str) != Some("publish") {
            continue;
        }
        let o = c
            .args
            .iter()
            .position(|a| matches!(a.as_str(), "-o" | "--output"))
            .and_then(|i| c.args.get(i + 1))
            .filter(|o| !o.contains('$'));
        let o = o.ok_or("dotnet publish without -o: the output cannot be located")?;
        out_dir = Some(absolute(&c.wd, o).trim_end_matches('/').to_string());
    }
    let out_dir = out_dir.ok_or("no dotnet publish: nothing to run")?;
    let (words, _) = command(stage).expect("checked");
    let dll = words
        .iter()
        .skip(1)
        .find(|w| w.to_ascii_lowercase().ends_with(".dll"))
        .map(|d| absolute(app.unwrap_or("/"), d));
    if words.first().map(String::as_str) != Some("dotnet")
        || !dll.is_some_and(|d| under(&d, &out_dir))
    {
        return Err("the container command does not run a published assembly".into());
    }
    let runtime = input.runtime_image(false)?;
    let mut skip: Vec<&str> = projects.iter().map(String::as_str).collect();
    skip.push(&out_dir);
    Ok(Split {
        runtime,
        lines: context_copies(&input, &skip)?,
        copies: from_build(&[out_dir]),
        ..Split::default()
    })
}
