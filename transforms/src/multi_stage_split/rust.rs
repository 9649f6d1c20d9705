//! Rust: the release binary, named by Cargo.toml.

use super::files::{
    absolute, calls, context_copies, context_text, from_build, only_builds, runs, system_data,
};
use super::{command, Input, Split};

/// `-sys` crates that link nothing outside glibc and libgcc.
const PURE_SYS: &[&str] = &[
    "linux-raw-sys",
    "windows-sys",
    "js-sys",
    "web-sys",
    "core-foundation-sys",
    "wasi",
];

pub(super) fn rust(input: Input<'_, '_>) -> Result<Split, String> {
    let (cx, stage, app) = input.parts();
    cx.context.ok_or("no build context to read Cargo.toml")?;
    let manifest =
        context_text(cx, "Cargo.toml").ok_or("Cargo.toml is not in the build context")?;
    if manifest.contains("[workspace]") {
        return Err("a Cargo workspace: which binary runs cannot be told with certainty".into());
    }
    let lock = context_text(cx, "Cargo.lock")
        .ok_or("no Cargo.lock: which native libraries the program links cannot be told")?;
    let native = lock
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .map(|n| n.trim_end_matches('"'))
        .find(|n| n.ends_with("-sys") && !PURE_SYS.contains(n));
    if let Some(crate_) = native {
        return Err(format!(
            "{crate_} links a native library the slim base may lack"
        ));
    }
    let bins: Vec<&str> = manifest
        .split("[[bin]]")
        .skip(1)
        .filter_map(toml_name)
        .collect();
    let name = match bins.as_slice() {
        [one] => (*one).to_string(),
        [] => toml_name(manifest.split("[package]").nth(1).unwrap_or_default())
            .ok_or("Cargo.toml names no package")?
            .to_string(),
        _ => return Err("Cargo.toml has several binaries".into()),
    };
    if stage.instructions.iter().any(|i| {
        i.is("env")
            && i.values()
                .iter()
                .step_by(2)
                .any(|k| k == "CARGO_TARGET_DIR")
    }) {
        return Err("CARGO_TARGET_DIR moves the binary".into());
    }
    only_builds(cx, stage, &["cargo", "rustup", "strip"], app, &[])?;
    let mut binary = None;
    for c in calls(cx, stage, Some("cargo")) {
        let args: Vec<&str> = c.args.iter().map(String::as_str).collect();
        if args
            .iter()
            .any(|a| a.starts_with("--target") || a.starts_with("--root"))
        {
            return Err("cargo puts the binary in a directory the build chooses".into());
        }
        match args.first() {
            Some(&"build") if args.contains(&"--release") => {
                binary = Some(absolute(&c.wd, &format!("target/release/{name}")));
            }
            Some(&"install") => binary = Some(format!("/usr/local/cargo/bin/{name}")),
            _ => {}
        }
    }
    let binary =
        binary.ok_or("no cargo build --release or cargo install: the binary cannot be located")?;
    let (words, _) = command(stage).expect("checked");
    if !runs(&words, &binary, app) {
        return Err("the container command does not run the built binary".into());
    }
    let runtime = input.runtime_image(false)?;
    let mut copies = from_build(std::slice::from_ref(&binary));
    copies.extend(system_data(&runtime));
    if let Some(installed) = binary.strip_prefix("/usr/local/cargo/bin/") {
        // The runtime's PATH has no cargo folder: put it where PATH looks.
        copies[0].1 = format!("/usr/local/bin/{installed}");
    }
    Ok(Split {
        runtime,
        lines: context_copies(&input, &[])?,
        copies,
        ..Split::default()
    })
}

/// `name = "x"` in a TOML table body.
fn toml_name(body: &str) -> Option<&str> {
    let table = body.split("\n[").next()?;
    let line = table.lines().find(|l| l.trim_start().starts_with("name"))?;
    let value = line.split_once('=')?.1.trim();
    Some(value.trim_matches('"'))
}
