#![doc = include_str!("../../docs/rules/multi-stage-split.md")]

use dockopt_engine::{Cx, Edit, Finding, Fix, Transform};
use dockopt_syntax::{Instruction, Stage, SyntaxTree, TextRange};

use crate::run::{end_and_gap, run};
use crate::runtimes::{self, parse_image, Entry};

mod static_site;

use std::fmt::Write as _;

pub struct MultiStageSplit;

const CODE: &str = "DKR014";
const NAME: &str = "multi-stage-split";

/// System packages that only the build needs.
const BUILD_ONLY: &[&str] = &[
    "gcc",
    "g++",
    "make",
    "cmake",
    "build-essential",
    "pkg-config",
    "libc6-dev",
    "python3-dev",
    "python-dev",
    "libffi-dev",
    "libssl-dev",
    "git",
    "curl",
    "wget",
    "ca-certificates",
    "musl-dev",
    "gnupg",
];

/// Instructions that only configure the running container: moved to the
/// runtime stage.
const MOVED: &[&str] = &["cmd", "entrypoint", "expose", "healthcheck", "stopsignal"];
/// Instructions that matter to both stages: kept, and repeated.
const SHARED: &[&str] = &["arg", "env", "label", "user", "volume"];

/// ENV keys that only the toolchain reads.
fn toolchain_key(key: &str) -> bool {
    [
        "GO",
        "CGO_",
        "PIP_",
        "POETRY_",
        "NPM_CONFIG_",
        "MAVEN_",
        "GRADLE_",
    ]
    .iter()
    .any(|p| key.starts_with(p))
}

/// What the runtime stage needs.
struct Split {
    runtime: String,
    /// Lines before the copies from the build stage: the virtualenv's
    /// PATH, the context's files.
    lines: Vec<String>,
    /// (path in the build stage, path in the runtime stage)
    copies: Vec<(String, String)>,
    /// Lines after the copies.
    after: Vec<String>,
    /// Edits to the build stage besides naming it and moving run-time config.
    build_edits: Vec<Edit>,
    /// A static site on a web server image: the server's own command and
    /// working directory replace the original ones.
    site: bool,
}

fn text(tree: &SyntaxTree, inst: &Instruction<'_>) -> String {
    let end = end_and_gap(tree, inst);
    String::from_utf8_lossy(&tree.source()[inst.range().start as usize..end as usize])
        .trim()
        .to_string()
}

/// The working directory at the end of the stage, absolute, if known.
fn workdir(stage: &Stage<'_>) -> Result<Option<String>, String> {
    let mut wd: Option<String> = None;
    for i in stage.instructions.iter().filter(|i| i.is("workdir")) {
        let d = i.values().first().cloned().unwrap_or_default();
        if d.contains('$') {
            return Err("the working directory uses a variable".into());
        }
        wd = Some(if d.starts_with('/') {
            d
        } else {
            format!("{}/{d}", wd.unwrap_or_default())
        });
    }
    Ok(wd
        .map(|w| w.trim_end_matches('/').to_string())
        .filter(|w| !w.is_empty()))
}

/// The command the container runs, as words, from ENTRYPOINT or CMD.
fn command(stage: &Stage<'_>) -> Option<(Vec<String>, bool)> {
    let last = |k: &str| stage.instructions.iter().rev().find(|i| i.is(k));
    let inst = last("entrypoint").or_else(|| last("cmd"))?;
    let words = if inst.is_json() {
        inst.values().to_vec()
    } else {
        inst.values()
            .first()?
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    Some((words, inst.is_json()))
}

/// Refusals shared by every ecosystem.
fn common_checks(cx: &Cx<'_>, stage: &Stage<'_>, rt: &Entry) -> Result<(), String> {
    if stage.instructions.iter().any(|i| i.is("onbuild")) {
        return Err("the stage has ONBUILD triggers".into());
    }
    if command(stage).is_none() {
        return Err("the image runs the base image's own command".into());
    }
    for i in stage.instructions.iter().filter(|i| i.is("user")) {
        let user = i
            .values()
            .first()
            .map(|u| u.split(':').next().unwrap_or(u))
            .unwrap_or_default();
        let known = matches!(user, "root" | "0") || (rt.ecosystem == "node" && user == "node");
        if !known {
            return Err(format!(
                "USER {user} is created in the build stage; the runtime base does not have it"
            ));
        }
    }
    if let Some(h) = stage.instructions.iter().find(|i| i.is("healthcheck")) {
        let line = h.line();
        if ["curl", "wget"].iter().any(|t| line.contains(t)) {
            return Err("the HEALTHCHECK needs curl or wget, which the runtime base lacks".into());
        }
    }
    for inst in stage.instructions.iter().filter(|i| i.is("run")) {
        let Some(r) = run(cx, inst) else {
            return Err(format!(
                "the RUN at line {} cannot be read, so what it leaves for run time is unknown",
                inst.start_line()
            ));
        };
        for c in r.script.commands() {
            let installer = matches!(
                c.name.text.as_str(),
                "apt-get" | "apt" | "apk" | "dnf" | "yum" | "microdnf"
            );
            if !installer
                || !c
                    .args
                    .iter()
                    .any(|a| matches!(a.text.as_str(), "install" | "add"))
            {
                continue;
            }
            let pkgs = c.args.iter().filter(|a| {
                !a.text.starts_with('-') && !matches!(a.text.as_str(), "install" | "add")
            });
            if let Some(p) = pkgs
                .into_iter()
                .find(|p| !BUILD_ONLY.contains(&p.text.as_str()))
            {
                return Err(format!(
                    "{} installs {}, which may be needed at run time",
                    c.name.text, p.text
                ));
            }
        }
    }
    Ok(())
}

fn uses_toolchain(words: &[String]) -> bool {
    let joined = words.join(" ");
    [
        "go run",
        "cargo run",
        "npm run dev",
        "yarn dev",
        "pnpm dev",
        "next dev",
        "nodemon",
        "mvn ",
        "gradle ",
        "setup.py",
        "pip ",
    ]
    .iter()
    .any(|t| joined.contains(t))
}

fn go(
    cx: &Cx<'_>,
    stage: &Stage<'_>,
    rt: &Entry,
    tag: &str,
    app: Option<&str>,
) -> Result<Split, String> {
    let mut binary = None;
    let mut static_build = stage.instructions.iter().any(|i| {
        i.is("env")
            && i.values()
                .windows(2)
                .any(|w| w[0] == "CGO_ENABLED" && w[1] == "0")
    });
    let mut wd = String::from("/");
    for inst in &stage.instructions {
        if inst.is("workdir") {
            let d = inst.values().first().cloned().unwrap_or_default();
            wd = if d.starts_with('/') {
                d
            } else {
                format!("{}/{d}", wd.trim_end_matches('/'))
            };
        }
        let Some(r) = run(cx, inst) else { continue };
        for c in r
            .script
            .commands()
            .into_iter()
            .filter(|c| c.name.text == "go")
        {
            let args: Vec<String> = c
                .args
                .iter()
                .map(|w| w.literal().unwrap_or_default())
                .collect();
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
                .filter(|o| !o.is_empty());
            let Some(out) = out else {
                return Err(
                    "go build without -o: the binary cannot be located with certainty".into(),
                );
            };
            if out.ends_with('/') {
                return Err("go build -o names a directory".into());
            }
            let path = if out.starts_with('/') {
                out.clone()
            } else {
                format!(
                    "{}/{}",
                    wd.trim_end_matches('/'),
                    out.trim_start_matches("./")
                )
            };
            binary = Some(path);
            if r.script.text()[c.range.clone()].contains("CGO_ENABLED=0") {
                static_build = true;
            }
        }
    }
    let binary = binary.ok_or("no go build -o: the binary cannot be located with certainty")?;
    let (words, json) = command(stage).expect("checked");
    let name = binary.rsplit('/').next().unwrap_or(&binary);
    let on_path = ["/usr/local/bin/", "/usr/bin/", "/bin/"]
        .iter()
        .any(|d| binary.starts_with(d));
    let runs_binary = words
        .first()
        .is_some_and(|w| *w == binary || (on_path && w == name));
    if !runs_binary {
        return Err("the container command does not run the built binary".into());
    }
    if static_build && !json {
        return Err(
            "a shell-form command needs /bin/sh, which the static runtime base lacks".into(),
        );
    }
    let runtime = rt
        .runtime_for(tag, static_build)
        .ok_or("the toolchain tag has no version to match")?;
    let mut copies = Vec::new();
    if let Some(app) = app {
        copies.push((app.to_string(), app.to_string()));
    }
    if !app.is_some_and(|a| binary.starts_with(&format!("{a}/"))) {
        copies.push((binary.clone(), binary));
    }
    if !static_build {
        copies.extend(system_data(&runtime));
    }
    Ok(Split {
        runtime,
        lines: Vec::new(),
        copies,
        after: Vec::new(),
        build_edits: Vec::new(),
        site: false,
    })
}

fn node(
    cx: &Cx<'_>,
    stage: &Stage<'_>,
    rt: &Entry,
    tag: &str,
    app: Option<&str>,
) -> Result<Split, String> {
    let app = app.ok_or("no WORKDIR: the application directory is unknown")?;
    if let Some((dir, served)) = static_site::plan(cx, stage, app)? {
        let runtime = rt
            .web_server
            .clone()
            .ok_or("the runtime table names no web server for this toolchain")?;
        return Ok(Split {
            runtime,
            lines: vec![static_site::nginx_conf(&served)],
            copies: vec![(dir, "/usr/share/nginx/html".into())],
            after: Vec::new(),
            build_edits: heredoc_syntax(cx)?.into_iter().collect(),
            site: true,
        });
    }
    for inst in &stage.instructions {
        let Some(r) = run(cx, inst) else { continue };
        for c in r.script.commands() {
            let global = c
                .args
                .iter()
                .any(|a| a.text == "-g" || a.text == "--global" || a.text == "global");
            if matches!(c.name.text.as_str(), "npm" | "yarn" | "pnpm") && global {
                return Err(
                    "a global package install writes outside the application directory".into(),
                );
            }
        }
    }
    let (words, _) = command(stage).expect("checked");
    let first = words.first().map(String::as_str).unwrap_or_default();
    let starts = matches!(first, "node" | "npm" | "yarn" | "pnpm")
        && (first == "node" || words.iter().skip(1).any(|w| w == "start"));
    if !starts {
        return Err("the container command is not `node ...` or a start script".into());
    }
    let runtime = rt
        .runtime_for(tag, false)
        .ok_or("the toolchain tag has no version to match")?;
    Ok(Split {
        runtime,
        lines: Vec::new(),
        copies: vec![(app.to_string(), app.to_string())],
        after: Vec::new(),
        build_edits: Vec::new(),
        site: false,
    })
}

/// The edit that lets the file use heredocs: a `syntax` directive, unless
/// one that allows them is there.
fn heredoc_syntax(cx: &Cx<'_>) -> Result<Option<Edit>, String> {
    let directives = cx.tree.directives();
    let Some((_, value, _)) = directives.iter().find(|(n, _, _)| n == "syntax") else {
        let at = cx
            .tree
            .tokens()
            .first()
            .filter(|t| t.kind == dockopt_syntax::TokenKind::Bom)
            .map_or(0, |t| t.range.end);
        return Ok(Some(Edit::insert(at, "# syntax=docker/dockerfile:1\n")));
    };
    let version = value
        .trim_start_matches("docker.io/")
        .strip_prefix("docker/dockerfile:")
        .unwrap_or_default();
    let (major, minor) = version.split_once('.').unwrap_or((version, "99"));
    let minor: u32 = minor
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    let ok = major.starts_with('1') && (major != "1" || minor >= 4) || version == "labs";
    if ok {
        Ok(None)
    } else {
        Err(format!("the syntax directive ({value}) predates heredocs"))
    }
}

/// The working directory in force at each instruction of the stage.
fn workdirs<'s>(stage: &'s Stage<'_>) -> Vec<(&'s Instruction<'s>, String)> {
    let mut wd = String::from("/");
    let mut out = Vec::new();
    for inst in &stage.instructions {
        if inst.is("workdir") {
            let d = inst.values().first().cloned().unwrap_or_default();
            wd = absolute(&wd, &d);
        }
        out.push((inst, wd.clone()));
    }
    out
}

fn absolute(wd: &str, path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        let rest = path.trim_start_matches("./");
        let rest = if rest == "." { "" } else { rest };
        format!("{}/{rest}", wd.trim_end_matches('/'))
    }
}

fn under(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    path == dir || path.starts_with(&format!("{dir}/"))
}

/// Whether the container command runs `binary` (by path, or by name when it
/// is on the default PATH).
fn runs(words: &[String], binary: &str, wd: Option<&str>) -> bool {
    let name = binary.rsplit('/').next().unwrap_or(binary);
    let on_path = [
        "/usr/local/bin/",
        "/usr/bin/",
        "/bin/",
        "/usr/local/cargo/bin/",
    ]
    .iter()
    .any(|d| binary.starts_with(d) && !binary[d.len()..].contains('/'));
    words.first().is_some_and(|w| {
        *w == binary
            || (on_path && w == name)
            || (w.contains('/') && absolute(wd.unwrap_or("/"), w) == binary)
    })
}

/// Commands a build step may run besides the ecosystem's own tools: package
/// installs (checked by `common_checks`) and clean-up outside the app.
const HOUSEKEEPING: &[&str] = &[
    "apt-get", "apt", "apk", "dnf", "yum", "microdnf", "rm", "set", "true", "echo", "cd",
];

/// Refuses a RUN that may write files the runtime needs: anything but the
/// ecosystem's tools and housekeeping. What the tools write is the artifact.
fn only_builds(
    cx: &Cx<'_>,
    stage: &Stage<'_>,
    tools: &[&str],
    app: Option<&str>,
    outputs: &[&str],
) -> Result<(), String> {
    for inst in stage.instructions.iter().filter(|i| i.is("run")) {
        let Some(r) = run(cx, inst) else { continue };
        for c in r.script.commands() {
            let n = c.name.text.trim_start_matches("./");
            let dest = c.args.last().map(|a| a.text.as_str());
            if matches!(n, "cp" | "mv") && dest.is_some_and(|d| outputs.contains(&d)) {
                continue;
            }
            if n == "rm" {
                let inside =
                    c.args.iter().filter(|a| !a.text.starts_with('-')).any(|a| {
                        !a.text.starts_with('/') || app.is_some_and(|d| under(&a.text, d))
                    });
                if inside {
                    return Err(format!(
                        "the RUN at line {} removes files the runtime stage would copy back",
                        inst.start_line()
                    ));
                }
                continue;
            }
            if !tools.contains(&n) && !HOUSEKEEPING.contains(&n) {
                return Err(format!(
                    "the RUN at line {} runs {n}, which may write files the runtime needs",
                    inst.start_line()
                ));
            }
        }
    }
    Ok(())
}

/// The stage's COPY and ADD lines with absolute destinations, to repeat in
/// the runtime stage: the files as the context has them, without the
/// build's output. Destinations under `skip` are copied from the build
/// stage anyway.
fn context_copies(stage: &Stage<'_>, skip: &[&str]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for (inst, wd) in workdirs(stage) {
        if !inst.is("copy") && !inst.is("add") {
            continue;
        }
        if inst.heredocs().next().is_some() {
            return Err("a COPY writes a heredoc".into());
        }
        let Some((dest, sources)) = inst.values().split_last() else {
            continue;
        };
        if dest.contains('$') || sources.iter().any(|s| s.contains('$')) {
            return Err("a COPY uses a variable".into());
        }
        let mut abs = absolute(&wd, dest);
        if (dest.ends_with('/') || dest == ".") && !abs.ends_with('/') {
            abs.push('/');
        }
        if skip.iter().any(|d| under(abs.trim_end_matches('/'), d)) {
            continue;
        }
        let mut line = inst.keyword().to_uppercase();
        for f in inst.flags() {
            let owner = f.value.as_deref().unwrap_or_default();
            let numeric = owner
                .split(':')
                .all(|p| p.chars().all(|c| c.is_ascii_digit()) || p == "root");
            if f.name == "chown" && !numeric {
                return Err(format!(
                    "COPY --chown={owner} names a user the runtime base does not have"
                ));
            }
            let _ = write!(line, " --{}", f.name);
            if let Some(v) = f.value {
                let _ = write!(line, "={v}");
            }
        }
        let mut words: Vec<String> = sources.to_vec();
        words.push(abs);
        if words.iter().any(|w| w.contains([' ', '"', '\\'])) {
            let quoted: Vec<String> = words.iter().map(|w| format!("{w:?}")).collect();
            let _ = write!(line, " [{}]", quoted.join(", "));
        } else {
            line.push(' ');
            line.push_str(&words.join(" "));
        }
        out.push(line);
    }
    Ok(out)
}

/// System data a native program reads that a Debian slim runtime lacks:
/// the CA bundle always, time zones from trixie on (tzdata is no longer
/// required there). The toolchain images have both.
fn system_data(runtime: &str) -> Vec<(String, String)> {
    let Some(tag) = runtime.strip_prefix("debian:") else {
        return Vec::new();
    };
    let mut out = vec!["/etc/ssl/certs".to_string()];
    if !["buster", "bullseye", "bookworm"]
        .iter()
        .any(|s| tag.starts_with(s))
    {
        out.push("/usr/share/zoneinfo".into());
    }
    from_build(&out)
}

/// Copies of `paths` from the build stage, each into the same place.
fn from_build(paths: &[String]) -> Vec<(String, String)> {
    paths.iter().map(|p| (p.clone(), p.clone())).collect()
}

/// `-sys` crates that link nothing outside glibc and libgcc.
const PURE_SYS: &[&str] = &[
    "linux-raw-sys",
    "windows-sys",
    "js-sys",
    "web-sys",
    "core-foundation-sys",
    "wasi",
];

fn rust(
    cx: &Cx<'_>,
    stage: &Stage<'_>,
    rt: &Entry,
    tag: &str,
    app: Option<&str>,
) -> Result<Split, String> {
    let ctx = cx.context.ok_or("no build context to read Cargo.toml")?;
    let manifest = ctx
        .read("Cargo.toml")
        .ok_or("Cargo.toml is not in the build context")?;
    let manifest = String::from_utf8_lossy(&manifest);
    if manifest.contains("[workspace]") {
        return Err("a Cargo workspace: which binary runs cannot be told with certainty".into());
    }
    let lock = ctx
        .read("Cargo.lock")
        .ok_or("no Cargo.lock: which native libraries the program links cannot be told")?;
    let lock = String::from_utf8_lossy(&lock);
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
    for (inst, wd) in workdirs(stage) {
        let Some(r) = run(cx, inst) else { continue };
        for c in r
            .script
            .commands()
            .into_iter()
            .filter(|c| c.name.text == "cargo")
        {
            let args: Vec<&str> = c.args.iter().map(|w| w.text.as_str()).collect();
            if args
                .iter()
                .any(|a| a.starts_with("--target") || a.starts_with("--root"))
            {
                return Err("cargo puts the binary in a directory the build chooses".into());
            }
            match args.first() {
                Some(&"build") if args.contains(&"--release") => {
                    binary = Some(absolute(&wd, &format!("target/release/{name}")));
                }
                Some(&"install") => binary = Some(format!("/usr/local/cargo/bin/{name}")),
                _ => {}
            }
        }
    }
    let binary =
        binary.ok_or("no cargo build --release or cargo install: the binary cannot be located")?;
    let (words, _) = command(stage).expect("checked");
    if !runs(&words, &binary, app) {
        return Err("the container command does not run the built binary".into());
    }
    let runtime = rt
        .runtime_for(tag, false)
        .ok_or("the toolchain tag has no version to match")?;
    let mut copies = from_build(std::slice::from_ref(&binary));
    copies.extend(system_data(&runtime));
    if let Some(installed) = binary.strip_prefix("/usr/local/cargo/bin/") {
        // The runtime's PATH has no cargo folder: put it where PATH looks.
        copies[0].1 = format!("/usr/local/bin/{installed}");
    }
    Ok(Split {
        runtime,
        lines: context_copies(stage, &[])?,
        copies,
        after: Vec::new(),
        build_edits: Vec::new(),
        site: false,
    })
}

/// `name = "x"` in a TOML table body.
fn toml_name(body: &str) -> Option<&str> {
    let table = body.split("\n[").next()?;
    let line = table.lines().find(|l| l.trim_start().starts_with("name"))?;
    let value = line.split_once('=')?.1.trim();
    Some(value.trim_matches('"'))
}

fn java(
    cx: &Cx<'_>,
    stage: &Stage<'_>,
    rt: &Entry,
    tag: &str,
    app: Option<&str>,
) -> Result<Split, String> {
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
    let runtime = rt
        .runtime_for(tag, false)
        .ok_or("the toolchain tag names no Java version")?;
    Ok(Split {
        runtime,
        lines: context_copies(stage, &[&dir])?,
        copies: from_build(&[dir]),
        after: Vec::new(),
        build_edits: Vec::new(),
        site: false,
    })
}

fn dotnet(
    cx: &Cx<'_>,
    stage: &Stage<'_>,
    rt: &Entry,
    tag: &str,
    app: Option<&str>,
) -> Result<Split, String> {
    only_builds(cx, stage, &["dotnet"], app, &[])?;
    let mut out_dir = None;
    // Project folders: publish puts their content files in the output.
    let mut projects = Vec::new();
    for (inst, wd) in workdirs(stage) {
        let Some(r) = run(cx, inst) else { continue };
        for c in r
            .script
            .commands()
            .into_iter()
            .filter(|c| c.name.text == "dotnet")
        {
            projects.push(wd.clone());
            let args: Vec<&str> = c.args.iter().map(|w| w.text.as_str()).collect();
            if args.first() != Some(&"publish") {
                continue;
            }
            let o = args
                .iter()
                .position(|a| matches!(*a, "-o" | "--output"))
                .and_then(|i| args.get(i + 1))
                .filter(|o| !o.contains('$'));
            let o = o.ok_or("dotnet publish without -o: the output cannot be located")?;
            out_dir = Some(absolute(&wd, o).trim_end_matches('/').to_string());
        }
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
    let runtime = rt
        .runtime_for(tag, false)
        .ok_or("the toolchain tag has no version to match")?;
    let mut skip: Vec<&str> = projects.iter().map(String::as_str).collect();
    skip.push(&out_dir);
    Ok(Split {
        runtime,
        lines: context_copies(stage, &skip)?,
        copies: from_build(&[out_dir]),
        after: Vec::new(),
        build_edits: Vec::new(),
        site: false,
    })
}

/// Where the gcc images tell the loader about their own libraries.
const GCC_LD_CONF: &str = "/etc/ld.so.conf.d/000-local-lib.conf";

/// Libraries every C program may link on a Debian slim base.
const LIBC_PARTS: &[&str] = &["m", "pthread", "dl", "rt", "c", "stdc++"];

/// Whether a build file or command builds C++; a reason to refuse when it
/// links a library beyond libc and libstdc++.
fn c_links(text: &str, file: &str) -> Result<bool, String> {
    let cpp = ["g++", "c++", "clang++", "CXX", ".cpp", ".cc"]
        .iter()
        .any(|t| text.contains(*t));
    for word in text.split(|c: char| c.is_whitespace() || c == '"' || c == '(' || c == ')') {
        if let Some(lib) = word.strip_prefix("-l").filter(|l| !l.is_empty()) {
            if !LIBC_PARTS.contains(&lib) {
                return Err(format!(
                    "{file} links -l{lib}, which the slim base may lack"
                ));
            }
        }
    }
    for t in [
        "find_package",
        "pkg_check_modules",
        "pkg-config",
        "target_link_libraries",
    ] {
        if text.contains(t) {
            return Err(format!(
                "{file} uses {t}: what the binary links cannot be enumerated"
            ));
        }
    }
    Ok(cpp)
}

/// The files a Makefile's `install` recipe writes, when it is one command.
fn make_installs_one(makefile: &str) -> bool {
    let mut lines = makefile
        .lines()
        .skip_while(|l| !l.starts_with("install:"))
        .skip(1);
    let recipe: Vec<&str> = lines
        .by_ref()
        .take_while(|l| l.starts_with('\t'))
        .map(str::trim)
        .filter(|l| !l.starts_with("mkdir") && !l.starts_with("@echo") && !l.is_empty())
        .collect();
    recipe.len() == 1 && (recipe[0].starts_with("install ") || recipe[0].starts_with("cp "))
}

fn c(
    cx: &Cx<'_>,
    stage: &Stage<'_>,
    rt: &Entry,
    image: &runtimes::Image<'_>,
    app: Option<&str>,
) -> Result<Split, String> {
    let app = app.ok_or("no WORKDIR: the application directory is unknown")?;
    only_builds(
        cx,
        stage,
        &["make", "cmake", "gcc", "cc", "g++", "c++", "clang", "strip"],
        Some(app),
        &[],
    )?;
    let ctx = cx.context;
    let mut binary = None;
    let mut installs = None;
    let mut cpp = false;
    for (inst, wd) in workdirs(stage) {
        let Some(r) = run(cx, inst) else { continue };
        for c in r.script.commands() {
            let args: Vec<String> = c.args.iter().map(|w| w.text.clone()).collect();
            let words = format!("{} {}", c.name.text, args.join(" "));
            cpp |= c_links(&words, &format!("the RUN at line {}", inst.start_line()))?;
            match c.name.text.as_str() {
                "gcc" | "cc" | "g++" | "c++" | "clang" => {
                    if let Some(o) = args
                        .iter()
                        .position(|a| a == "-o")
                        .and_then(|i| args.get(i + 1))
                    {
                        binary = Some(absolute(&wd, o));
                    }
                }
                "make" if args.iter().any(|a| a == "install") => installs = Some("Makefile"),
                "cmake" if args.iter().any(|a| a == "--install") => {
                    installs = Some("CMakeLists.txt");
                }
                "make" | "cmake" => {
                    let file = if c.name.text == "make" {
                        "Makefile"
                    } else {
                        "CMakeLists.txt"
                    };
                    let text = ctx
                        .and_then(|x| x.read(file))
                        .ok_or(format!("{file} is not in the build context"))?;
                    cpp |= c_links(&String::from_utf8_lossy(&text), file)?;
                }
                _ => {}
            }
        }
    }
    let (words, _) = command(stage).expect("checked");
    let first = words.first().ok_or("no command")?;
    if let Some(file) = installs {
        let text = ctx
            .and_then(|x| x.read(file))
            .ok_or(format!("{file} is not in the build context"))?;
        let text = String::from_utf8_lossy(&text);
        let one = if file == "Makefile" {
            make_installs_one(&text)
        } else {
            text.matches("install(").count() == 1 && text.contains("install(TARGETS")
        };
        if !one || !first.starts_with('/') {
            return Err(format!(
                "what the {file} install writes outside the application directory cannot be enumerated"
            ));
        }
        binary = Some(first.clone());
    }
    if binary.is_none() && first.contains('/') && under(&absolute(app, first), app) {
        binary = Some(absolute(app, first));
    }
    let binary = binary.ok_or(
        "the binary cannot be located: name it with -o, or run it from the application directory",
    )?;
    if !runs(&words, &binary, Some(app)) {
        return Err("the container command does not run the built binary".into());
    }
    let runtime = rt
        .runtime_for(image.tag, false)
        .ok_or("the toolchain tag has no version to match")?;
    let mut keep = vec![app.to_string()];
    if !under(&binary, app) {
        keep.push(binary);
    }
    let mut copies = from_build(&keep);
    let mut after = Vec::new();
    if cpp && image.name != "gcc" {
        return Err(
            "C++ on a toolchain image other than gcc: where its libstdc++ lives is unknown".into(),
        );
    }
    if cpp {
        // The gcc images build their own GCC: a C++ program needs that
        // libstdc++ and libgcc_s, found through the image's ld.so entry.
        copies.extend([
            (
                "/usr/local/lib64/libstdc++.so.6*".into(),
                "/usr/local/lib64/".into(),
            ),
            (
                "/usr/local/lib64/libgcc_s.so.1".into(),
                "/usr/local/lib64/".into(),
            ),
            (GCC_LD_CONF.into(), GCC_LD_CONF.into()),
        ]);
        after.push("RUN ldconfig".to_string());
    }
    Ok(Split {
        runtime,
        lines: context_copies(stage, &[app])?,
        copies,
        after,
        build_edits: Vec::new(),
        site: false,
    })
}

const VENV: &str = "/opt/venv";

fn python(
    cx: &Cx<'_>,
    stage: &Stage<'_>,
    rt: &Entry,
    tag: &str,
    app: Option<&str>,
) -> Result<Split, String> {
    let app = app.ok_or("no WORKDIR: the application directory is unknown")?;
    let mut first_install: Option<&Instruction<'_>> = None;
    for inst in &stage.instructions {
        let Some(r) = run(cx, inst) else { continue };
        for c in r.script.commands() {
            let n = c.name.text.as_str();
            if matches!(n, "poetry" | "pipenv" | "conda" | "uv") {
                return Err(format!("{n} manages its own environment"));
            }
            let pip = n.starts_with("pip")
                || (n.starts_with("python") && c.args.iter().any(|a| a.text.starts_with("pip")));
            if !pip || !c.args.iter().any(|a| a.text == "install") {
                continue;
            }
            if c.args.iter().any(|a| {
                matches!(
                    a.text.as_str(),
                    "--user" | "--target" | "-t" | "--prefix" | "--root"
                )
            }) {
                return Err("pip installs outside the environment".into());
            }
            first_install.get_or_insert(inst);
        }
    }
    let first = first_install.ok_or("no pip install: nothing to move into a virtualenv")?;
    let runtime = rt
        .runtime_for(tag, false)
        .ok_or("the toolchain tag has no version to match")?;
    let venv_env = format!("ENV PATH=\"{VENV}/bin:$PATH\"");
    let setup = format!("RUN python -m venv {VENV}\n{venv_env}\n");
    Ok(Split {
        runtime,
        lines: vec![venv_env],
        copies: vec![
            (VENV.to_string(), VENV.to_string()),
            (app.to_string(), app.to_string()),
        ],
        after: Vec::new(),
        build_edits: vec![Edit::insert(first.range().start, setup)],
        site: false,
    })
}

fn stage_name(tree: &SyntaxTree) -> String {
    let used: Vec<String> = tree.stages().iter().filter_map(Stage::name).collect();
    ["build", "build-stage", "builder", "toolchain"]
        .into_iter()
        .find(|n| !used.iter().any(|u| u == n))
        .unwrap_or("dockopt-build")
        .to_string()
}

fn blank_line_at(src: &[u8], at: usize) -> bool {
    src[at..]
        .iter()
        .take_while(|&&b| b != b'\n')
        .all(u8::is_ascii_whitespace)
        && src[at..].contains(&b'\n')
}

fn next_line(src: &[u8], at: usize) -> usize {
    src[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(src.len(), |p| at + p + 1)
}

/// Edits that delete the moved instructions (with a blank line they would
/// leave doubled) and append the runtime stage after one blank line,
/// keeping whether the file ends with a line break.
fn tail_edits(src: &[u8], moved: &[TextRange], stage: &str) -> Vec<Edit> {
    let mut dels: Vec<(usize, usize)> = Vec::new();
    for r in moved {
        let (start, mut end) = (r.start as usize, next_line(src, r.end as usize - 1));
        let blank_before =
            start >= 1 && (start == 1 || blank_line_at(src, line_start(src, start - 1)));
        if blank_before && end < src.len() && blank_line_at(src, end) {
            end = next_line(src, end);
        }
        match dels.last_mut() {
            Some(last) if last.1 >= start => last.1 = last.1.max(end),
            _ => dels.push((start, end)),
        }
    }
    // The end of the last byte that stays and is not white space.
    let mut kept = src.len();
    loop {
        if let Some(d) = dels.iter().find(|d| d.1 == kept && d.0 < kept) {
            kept = d.0;
        } else if kept > 0 && src[kept - 1].is_ascii_whitespace() {
            kept -= 1;
        } else {
            break;
        }
    }
    let mut edits: Vec<Edit> = dels
        .iter()
        .filter(|d| d.0 < kept)
        .map(|d| Edit::delete(TextRange::new(d.0 as u32, d.1.min(kept) as u32)))
        .collect();
    let last_break = if src.ends_with(b"\n") { "\n" } else { "" };
    edits.push(Edit::replace(
        TextRange::new(kept as u32, src.len() as u32),
        format!("\n\n{stage}{last_break}"),
    ));
    edits
}

fn line_start(src: &[u8], at: usize) -> usize {
    src[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1)
}

fn fix(cx: &Cx<'_>, stage: &Stage<'_>, split: &Split, app: Option<&str>) -> Fix {
    let tree = cx.tree;
    let mut edits = split.build_edits.clone();
    let name = if let Some(n) = stage.name() {
        n
    } else {
        let n = stage_name(tree);
        edits.push(Edit::insert(
            end_and_gap(tree, &stage.from),
            format!(" AS {n}"),
        ));
        n
    };
    let mut lines = vec![format!("FROM {}", split.runtime)];
    if let Some(app) = app.filter(|_| !split.site) {
        lines.push(format!("WORKDIR {app}"));
    }
    for i in &stage.instructions {
        let shared = SHARED.iter().any(|k| i.is(k));
        let toolchain_env = i.is("env") && i.values().chunks(2).all(|kv| toolchain_key(&kv[0]));
        if shared && !toolchain_env && !i.is("user") {
            lines.push(text(tree, i));
        }
    }
    lines.extend(split.lines.iter().cloned());
    for (from, to) in &split.copies {
        lines.push(format!("COPY --from={name} {from} {to}"));
    }
    lines.extend(split.after.iter().cloned());
    let mut moved = Vec::new();
    for i in &stage.instructions {
        let command = i.is("cmd") || i.is("entrypoint");
        if (i.is("user") || MOVED.iter().any(|k| i.is(k))) && !(split.site && command) {
            lines.push(text(tree, i));
        }
        if MOVED.iter().any(|k| i.is(k)) {
            moved.push(i.range());
        }
    }
    edits.extend(tail_edits(tree.source(), &moved, &lines.join("\n")));
    Fix::unsafe_(
        format!("Build in stage {name}, run on {}", split.runtime),
        edits,
    )
}

impl Transform for MultiStageSplit {
    fn code(&self) -> &'static str {
        CODE
    }

    fn name(&self) -> &'static str {
        NAME
    }

    fn summary(&self) -> &'static str {
        "Build with the toolchain in one stage, run on a slim base (unsafe)"
    }

    fn docs(&self) -> &'static str {
        include_str!("../../docs/rules/multi-stage-split.md")
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let stages = cx.tree.stages();
        let Some(stage) = stages.last() else { return };
        let Some(base) = stage.base() else { return };
        let image = parse_image(base);
        let table = match runtimes::table(cx.options) {
            Ok(t) => t,
            Err(e) => {
                let f = Finding::new(
                    CODE,
                    NAME,
                    "the runtime table is invalid",
                    stage.from.keyword_range(),
                );
                out.push(f.refused(e));
                return;
            }
        };
        let Some(rt) = table.iter().find(|r| r.matches(&image)) else {
            return;
        };
        // Already a small base, such as the runtime this rule would choose.
        let small = ["slim", "alpine", "distroless"]
            .iter()
            .any(|v| image.tag.contains(v));
        if small || rt.runtime_for(image.tag, false).as_deref() == Some(base) {
            return;
        }
        let finding = Finding::new(
            CODE,
            NAME,
            format!(
                "the final image carries the {} toolchain: build in one stage, run on a slim base",
                rt.ecosystem
            ),
            stage.from.keyword_range(),
        );
        let planned = common_checks(cx, stage, rt).and_then(|()| {
            let app = workdir(stage)?;
            let (words, _) = command(stage).expect("checked");
            if uses_toolchain(&words) {
                return Err("the container command uses the toolchain".into());
            }
            let split = match rt.ecosystem.as_str() {
                "go" => go(cx, stage, rt, image.tag, app.as_deref()),
                "node" => node(cx, stage, rt, image.tag, app.as_deref()),
                "python" => python(cx, stage, rt, image.tag, app.as_deref()),
                "rust" => rust(cx, stage, rt, image.tag, app.as_deref()),
                "java" => java(cx, stage, rt, image.tag, app.as_deref()),
                "dotnet" => dotnet(cx, stage, rt, image.tag, app.as_deref()),
                "c" => c(cx, stage, rt, &image, app.as_deref()),
                other => Err(format!("no split is known for {other}")),
            }?;
            Ok((split, app))
        });
        match planned {
            Ok((split, app)) => out.push(finding.with_fix(fix(cx, stage, &split, app.as_deref()))),
            Err(why) => out.push(finding.refused(format!("not split: {why}"))),
        }
    }
}
