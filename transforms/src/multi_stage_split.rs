#![doc = include_str!("../docs/multi-stage-split.md")]

use dockopt_engine::{Cx, Edit, Finding, Fix, Fixes, Gain, Rule, Transform};
use dockopt_syntax::{Instruction, Stage, SyntaxTree, TextRange};

use crate::run::end_and_gap;
use crate::runtimes::{self, parse_image, Entry, Family, Packages};
use crate::util::instruction_words;

mod c;
mod carry;
mod files;
mod go;
mod jvm;
mod layout;
mod node;
mod packages;
mod programs;
mod python;
mod rust;
mod scan;
mod script;
mod users;

pub struct MultiStageSplit;

const CODE: &str = "DKR014";
const NAME: &str = "multi-stage-split";

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

/// Whether the stage runs on a toolchain image, or on a slim image that
/// installs build tools itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Toolchain,
    /// The runtime stage starts from the same slim or Alpine image.
    BuildTools,
}

/// What every ecosystem's plan reads.
#[derive(Clone, Copy)]
struct Input<'a, 't> {
    cx: &'a Cx<'t>,
    stage: &'a Stage<'t>,
    rt: &'a Entry,
    /// The toolchain image's tag.
    tag: &'a str,
    /// The application directory: the stage's last WORKDIR.
    app: Option<&'a str>,
    /// User and group names the runtime stage knows.
    users: &'a [String],
    family: Family,
    mode: Mode,
    /// The stage's base image, as written after expansion.
    base: &'a str,
}

impl<'a, 't> Input<'a, 't> {
    fn parts(self) -> (&'a Cx<'t>, &'a Stage<'t>, Option<&'a str>) {
        (self.cx, self.stage, self.app)
    }

    /// The runtime image for the toolchain tag, or why there is none.
    fn runtime_image(self, static_binary: bool) -> Result<String, String> {
        if self.mode == Mode::BuildTools {
            return Ok(self.base.to_string());
        }
        self.rt
            .runtime_for(self.tag, static_binary)
            .ok_or_else(|| format!("the toolchain tag {} has no version to match", self.tag))
    }
}

/// What the runtime stage needs.
#[derive(Default)]
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
    /// Steps added at the end of the build stage, after its last RUN.
    build_tail: Vec<String>,
    /// A static site on a web server image: the server's own command and
    /// working directory replace the original ones.
    site: bool,
    /// The runtime stage installs what the build stage's library scan
    /// lists, and these packages.
    scan: Option<Vec<String>>,
}

fn text(tree: &SyntaxTree, inst: &Instruction<'_>) -> String {
    let end = end_and_gap(tree, inst);
    tree.str(TextRange::new(inst.range().start, end))
        .trim()
        .to_string()
}

/// The working directory at the end of the stage, absolute, from the
/// model; `None` when the stage sets none.
fn workdir(cx: &Cx<'_>, index: usize, stage: &Stage<'_>) -> Result<Option<String>, String> {
    if !stage.instructions.iter().any(|i| i.is("workdir")) {
        return Ok(None);
    }
    let wd = &cx.model.end_states[index].workdir;
    if wd.known().is_none() {
        return Err("the working directory uses a build argument without a default".into());
    }
    Ok(Some(wd.text.trim_end_matches('/').to_string()).filter(|w| !w.is_empty()))
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
fn common_checks(cx: &Cx<'_>, stage: &Stage<'_>) -> Result<(), String> {
    if stage.instructions.iter().any(|i| i.is("onbuild")) {
        return Err("the stage has ONBUILD triggers".into());
    }
    if command(stage).is_none() {
        return Err("the image runs the base image's own command".into());
    }
    if let Some(inst) = stage
        .instructions
        .iter()
        .find(|i| i.is("run") && !files::readable(cx, i))
    {
        return Err(format!(
            "the RUN at line {} cannot be read, so what it leaves for run time is unknown",
            inst.start_line()
        ));
    }
    Ok(())
}

/// Programs the HEALTHCHECK runs that a slim base may lack.
fn healthcheck_programs(stage: &Stage<'_>) -> Vec<String> {
    let Some(h) = stage
        .instructions
        .iter()
        .rev()
        .find(|i| i.is("healthcheck"))
    else {
        return Vec::new();
    };
    let line = h.line();
    ["curl", "wget"]
        .iter()
        .filter(|t| {
            line.split(|c: char| !c.is_alphanumeric() && c != '-')
                .any(|w| w == **t)
        })
        .map(|t| (*t).to_string())
        .collect()
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
        "ng serve",
        "react-scripts start",
        "vue-cli-service serve",
        "webpack serve",
        "webpack-dev-server",
        "start:dev",
        "ts-node-dev",
        "mvn ",
        "gradle ",
        "setup.py",
        "pip ",
    ]
    .iter()
    .any(|t| joined.contains(t))
}

fn fix(cx: &Cx<'_>, stage: &Stage<'_>, split: &Split, app: Option<&str>) -> Result<Fix, String> {
    let tree = cx.tree;
    let mut edits = split.build_edits.clone();
    // The build stage's new last steps go after its last RUN; when only
    // moved instructions follow it, at the end of the build stage.
    let mut tail_at_end = String::new();
    if !split.build_tail.is_empty() {
        let body = &stage.instructions;
        let last_run = body.iter().rposition(|i| i.is("run"));
        let next = last_run.and_then(|r| {
            body[r + 1..]
                .iter()
                .find(|i| !MOVED.iter().any(|k| i.is(k)))
        });
        let tail = split.build_tail.join("\n");
        match (next, last_run) {
            (Some(_), Some(r)) => {
                let at = body[r].range().end;
                let lead = if tree.source()[at as usize - 1] == b'\n' {
                    ""
                } else {
                    "\n"
                };
                edits.push(Edit::insert(at, format!("{lead}{tail}\n")));
            }
            _ => tail_at_end = tail,
        }
    }
    let name = if let Some(n) = stage.name() {
        n
    } else {
        let n = layout::stage_name(tree);
        edits.push(Edit::insert(
            end_and_gap(tree, &stage.from),
            format!(" AS {n}"),
        ));
        n
    };
    let mut lines = vec![format!("FROM {}", split.runtime)];
    if let Some(app) = app.filter(|_| !split.site) {
        if app.chars().any(char::is_control) {
            return Err("the working directory's name has control characters".into());
        }
        lines.push(format!("WORKDIR {app}"));
    }
    for i in &stage.instructions {
        let shared = SHARED.iter().any(|k| i.is(k));
        let toolchain_env = i.is("env") && i.values().chunks(2).all(|kv| toolchain_key(&kv[0]));
        if shared && !toolchain_env && !i.is("user") {
            lines.push(text(tree, i));
        }
    }
    if let Some(also) = &split.scan {
        lines.push(scan::runtime_step(&name, also));
    }
    lines.extend(split.lines.iter().cloned());
    for (from, to) in &split.copies {
        // Globs are the split's own (the C++ runtime libraries); quotes,
        // escapes and variables would be read differently.
        let unread =
            |p: &String| p.is_empty() || p.chars().any(|c| c.is_control() || "$\\'\"`".contains(c));
        if let Some(bad) = [from, to].into_iter().find(|p| unread(p)) {
            return Err(format!(
                "the path {bad:?} has characters a COPY would read differently"
            ));
        }
        let words = instruction_words(&[from.clone(), to.clone()])?;
        lines.push(format!("COPY --from={name} {words}"));
    }
    lines.extend(split.after.iter().cloned());
    let mut moved = Vec::new();
    for i in &stage.instructions {
        let command = i.is("cmd") || i.is("entrypoint");
        let is_moved = MOVED.iter().any(|k| i.is(k));
        // Comment lines right above a moved instruction go with it.
        let (start, comments) = if is_moved {
            layout::leading_comments(tree, i)
        } else {
            (i.range().start, Vec::new())
        };
        if (i.is("user") || is_moved) && !(split.site && command) {
            if !comments.is_empty() {
                lines.push(String::new());
                lines.extend(comments);
            }
            lines.push(text(tree, i));
        }
        if is_moved {
            moved.push(TextRange::new(start, i.range().end));
        }
    }
    edits.extend(layout::tail_edits(
        tree.source(),
        &moved,
        &tail_at_end,
        &lines.join("\n"),
    ));
    Ok(Fix::unsafe_(
        format!("Build in stage {name}, run on {}", split.runtime),
        edits,
    ))
}

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "Build with the toolchain in one stage, run on a slim base (unsafe)",
    docs: include_str!("../docs/multi-stage-split.md"),
    fixes: Fixes::Unsafe,
    gain: Gain::Size,
};

impl Transform for MultiStageSplit {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check_options(&self, options: &serde_json::Value) -> Result<(), String> {
        let Some(map) = options.as_object() else {
            return match options {
                serde_json::Value::Null => Ok(()),
                _ => Err("the options of multi-stage-split are a mapping".into()),
            };
        };
        if let Some(key) = map.keys().find(|k| *k != "runtimes") {
            return Err(format!(
                "unknown option {key:?} (multi-stage-split reads `runtimes`)"
            ));
        }
        runtimes::table(Some(options)).map(|_| ())
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let stages = cx.tree.stages();
        let Some(stage) = stages.last() else { return };
        let index = stages.len() - 1;
        if cx.model.target != Some(index) {
            return;
        }
        let Some(base) = cx.model.stages[index].base_image() else {
            return;
        };
        let image = parse_image(base);
        let refuse = |why: String| {
            Finding::new(
                CODE,
                NAME,
                "the runtime table is invalid",
                stage.from.keyword_range(),
            )
            .refused(why)
        };
        let table = match runtimes::table(cx.options) {
            Ok(t) => t,
            Err(e) => return out.push(refuse(e)),
        };
        let packages = match runtimes::packages() {
            Ok(p) => p,
            Err(e) => return out.push(refuse(e)),
        };
        let Some(rt) = table.iter().find(|r| r.matches(&image)) else {
            return;
        };
        let family = if image.tag.contains("alpine") {
            Family::Alpine
        } else {
            Family::Debian
        };
        // Already a small base, such as the runtime this rule would choose.
        let slim = ["slim", "distroless", "jre"]
            .iter()
            .any(|v| image.tag.contains(v))
            || (family == Family::Alpine && matches!(rt.ecosystem.as_str(), "python" | "node"));
        let mode = if slim || rt.runtime_for(image.tag, false).as_deref() == Some(base) {
            let tools = packages::system(cx, stage, packages, family).is_ok_and(|s| s.build_tools);
            if !tools || !matches!(rt.ecosystem.as_str(), "python" | "node") {
                return;
            }
            Mode::BuildTools
        } else {
            Mode::Toolchain
        };
        let message = match mode {
            Mode::Toolchain => format!(
                "the final image carries the {} toolchain: build in one stage, run on a slim base",
                rt.ecosystem
            ),
            Mode::BuildTools => format!(
                "the final image keeps the compilers and headers it installs to build: build in one stage, run on {base}"
            ),
        };
        let finding = Finding::new(CODE, NAME, message, stage.from.keyword_range());
        let planned = plan(
            cx, index, stage, rt, packages, family, mode, base, image.tag,
        );
        match planned.and_then(|(split, app)| fix(cx, stage, &split, app.as_deref())) {
            Ok(fix) => out.push(finding.with_fix(fix)),
            Err(why) => out.push(finding.refused(format!("not split: {why}"))),
        }
    }
}

/// The split of the stage, or why there is none.
#[allow(clippy::too_many_arguments)]
fn plan(
    cx: &Cx<'_>,
    index: usize,
    stage: &Stage<'_>,
    rt: &Entry,
    table: &Packages,
    family: Family,
    mode: Mode,
    base: &str,
    tag: &str,
) -> Result<(Split, Option<String>), String> {
    common_checks(cx, stage)?;
    let system = packages::system(cx, stage, table, family)?;
    let users = users::setup(cx, stage, rt, family)?;
    let app = workdir(cx, index, stage)?;
    let (words, _) = command(stage).expect("checked");
    if uses_toolchain(&words) {
        return Err("the container command uses the toolchain".into());
    }
    let interactive = matches!(
        words.iter().map(String::as_str).collect::<Vec<_>>().as_slice(),
        [s] | [s, "-l" | "-i"] if matches!(*s, "bash" | "sh" | "/bin/bash" | "/bin/sh" | "zsh" | "ash")
    );
    if interactive {
        return Err(
            "the container command is an interactive shell: what it runs cannot be told".into(),
        );
    }
    let input = Input {
        cx,
        stage,
        rt,
        tag,
        app: app.as_deref(),
        users: &users.names,
        family,
        mode,
        base,
    };
    let split = match rt.ecosystem.as_str() {
        "go" => go::go(input),
        "node" => node::node(input),
        "python" => python::python(input),
        "rust" => rust::rust(input),
        "java" => jvm::java(input),
        "dotnet" => jvm::dotnet(input),
        "c" => c::c(input, parse_image(base).name),
        other => Err(format!("no split is known for {other}")),
    }?;
    if !split.site {
        script::check(cx, &words, app.as_deref(), &split.runtime, &rt.ecosystem)?;
    }
    let no_shell = split.runtime.contains("distroless");
    if no_shell {
        if !users.create.is_empty() {
            return Err("the runtime base has no shell to create the USER".into());
        }
        if let Some(u) = users.system.iter().find(|u| *u != "nobody") {
            return Err(format!("the runtime base has no user {u}"));
        }
    }
    complete(&input, split, &users, system, table, mode).map(|s| (s, app))
}

/// The rest of the runtime stage, shared by every ecosystem: what else the
/// stage leaves for run time, system packages, users.
fn complete(
    input: &Input<'_, '_>,
    mut split: Split,
    users: &users::Users,
    mut system: packages::System,
    table: &Packages,
    mode: Mode,
) -> Result<Split, String> {
    let (stage, rt, family) = (input.stage, input.rt, input.family);
    let no_shell = split.runtime.contains("distroless");
    let mut before = Vec::new();
    let mut copies_after = Vec::new();
    let mut fixups = Vec::new();
    if matches!(rt.ecosystem.as_str(), "go" | "node" | "python") && !split.site {
        let kept: Vec<String> = split.copies.iter().map(|(_, to)| to.clone()).collect();
        let eco = rt.ecosystem.as_str();
        let tool = |name: &str, args: &[String]| match eco {
            "go" => matches!(name, "go" | "gofmt"),
            "node" => matches!(
                name,
                "npm" | "npx" | "yarn" | "pnpm" | "corepack" | "node-gyp" | "tsc" | "prisma"
            ),
            _ => {
                matches!(name, "pip" | "pip3" | "virtualenv")
                    || name.starts_with("pip3.")
                    || (name.starts_with("python")
                        && args.first().is_some_and(|a| a == "-m")
                        && args.get(1).is_some_and(|m| {
                            matches!(m.as_str(), "pip" | "venv" | "compileall" | "ensurepip")
                        }))
            }
        };
        let carried = carry::carry(input, &kept, &tool)?;
        before.extend(carried.context);
        copies_after.extend(carried.build);
        fixups = carried.fixups;
        let needs = runtime_needs(input, &system, table)?;
        for p in needs {
            system.add(&p);
        }
    }
    for p in healthcheck_programs(stage) {
        let pkg = table
            .programs
            .get(&p)
            .and_then(|e| e.get(family))
            .ok_or(format!(
                "the HEALTHCHECK runs {p}, and no package is known for it"
            ))?;
        system.add(pkg);
    }
    if !system.runtime.is_empty() && no_shell {
        return Err(format!(
            "the program needs {} at run time, and the runtime base has no package manager",
            system.runtime.join(", ")
        ));
    }
    if !system.runtime.is_empty() && matches!(rt.ecosystem.as_str(), "java" | "dotnet") {
        return Err(format!(
            "the program needs {} at run time, and the runtime base is not the toolchain's distribution",
            system.runtime.join(", ")
        ));
    }
    let foreign = foreign_copies(input);
    let scan = mode == Mode::Toolchain
        && family == Family::Debian
        && !split.site
        && matches!(rt.ecosystem.as_str(), "node" | "python")
        && (native_unknown(input, table) || !foreign.is_empty());
    let mut lines = Vec::new();
    if scan {
        let mut dirs: Vec<String> = split.copies.iter().map(|(from, _)| from.clone()).collect();
        dirs.extend(foreign);
        split.build_tail.push(scan::build_step(&dirs));
        split.scan = Some(system.runtime.clone());
    } else if let Some(line) = packages::install_line(family, &system.runtime) {
        lines.push(line);
    }
    if !users.create.is_empty() {
        let one = users.create.join(" && ");
        lines.push(if one.len() <= 72 {
            format!("RUN {one}")
        } else {
            format!("RUN {}", users.create.join(" \\\n    && "))
        });
    }
    lines.extend(before);
    lines.append(&mut split.lines);
    split.lines = lines;
    for p in copies_after {
        split.copies.push((p.clone(), p));
    }
    if !fixups.is_empty() {
        if no_shell {
            return Err(
                "the copied folders' owners are set with a shell, which the runtime base lacks"
                    .into(),
            );
        }
        split
            .after
            .insert(0, format!("RUN {}", fixups.join(" && ")));
    }
    Ok(split)
}

/// Where the stage puts files from other stages or images: programs built
/// for the toolchain image, which has libraries the slim base may lack.
fn foreign_copies(input: &Input<'_, '_>) -> Vec<String> {
    input
        .stage
        .instructions
        .iter()
        .filter_map(|i| input.cx.model.inst(i)?.copy().cloned())
        .filter(|c| c.from.is_some())
        .map(|c| c.dest_abs.text.trim_end_matches('/').to_string())
        .filter(|d| !d.is_empty())
        .collect()
}

/// Packages the program needs at run time besides the stage's own: the
/// libraries its dependencies need (from the table) and the programs its
/// source runs.
fn runtime_needs(
    input: &Input<'_, '_>,
    system: &packages::System,
    table: &Packages,
) -> Result<Vec<String>, String> {
    let (cx, stage, rt) = (input.cx, input.stage, input.rt);
    let deps = dependencies(input);
    let mut out = match rt.ecosystem.as_str() {
        "python" => packages::for_dependencies(
            &table.python,
            deps.iter().map(String::as_str),
            input.family,
        )?,
        "node" => {
            packages::for_dependencies(&table.node, deps.iter().map(String::as_str), input.family)?
        }
        _ => Vec::new(),
    };
    let distro = table.distro(input.family);
    let own: &[&str] = match rt.ecosystem.as_str() {
        "python" => &["python", "python3", "pip", "pip3"],
        "node" => &["node", "npm", "npx", "yarn", "corepack"],
        _ => &[],
    };
    for r in programs::programs(cx, stage) {
        let p = r.program.as_str();
        if own.contains(&p) || distro.base.iter().any(|b| b == p) {
            continue;
        }
        // A console script or bin of a dependency the build installs.
        if deps
            .iter()
            .any(|d| packages::normalize(d) == packages::normalize(p))
        {
            continue;
        }
        let installed = |pkg: &str| system.installed.iter().any(|i| i == pkg);
        let pkg = match table.programs.get(p) {
            _ if installed(p) => p.to_string(),
            Some(entry) => entry.get(input.family).cloned().ok_or(format!(
                "{} runs {p}, which the runtime base lacks and for which no package is known",
                r.file
            ))?,
            None => {
                return Err(format!(
                "{} runs {p}, which the runtime base may lack and for which no package is known",
                r.file
            ))
            }
        };
        if !out.contains(&pkg) {
            out.push(pkg);
        }
    }
    Ok(out)
}

/// The dependencies the stage's manifests name: requirement files and
/// package names given to pip, or package.json's dependencies.
fn dependencies(input: &Input<'_, '_>) -> Vec<String> {
    let (cx, stage, rt) = (input.cx, input.stage, input.rt);
    let mut out = Vec::new();
    match rt.ecosystem.as_str() {
        "python" => {
            for c in files::calls(cx, stage, None) {
                let pip = c.name.starts_with("pip")
                    || (c.name.starts_with("python") && c.args.iter().any(|a| a == "pip"));
                if !pip || !c.args.iter().any(|a| a == "install") {
                    continue;
                }
                let mut it = c.args.iter();
                while let Some(a) = it.next() {
                    match a.as_str() {
                        "-r" | "--requirement" | "-c" | "--constraint" => {
                            if let Some(f) = it.next() {
                                let path = files::absolute(&c.wd, f);
                                if let Some(src) = files::context_source(cx, stage, &path) {
                                    requirements(cx, &src, &mut out, 0);
                                }
                            }
                        }
                        "-e" | "--editable" | "-i" | "--index-url" | "--extra-index-url" | "-f"
                        | "--find-links" => {
                            it.next();
                        }
                        _ if a.starts_with('-') || a == "install" || a == "pip" || a == "-m" => {}
                        _ => out.push(requirement_name(a)),
                    }
                }
            }
        }
        "node" => {
            if let Some(json) = node::package_json(cx) {
                for k in ["dependencies", "devDependencies", "optionalDependencies"] {
                    if let Some(o) = json[k].as_object() {
                        out.extend(o.keys().cloned());
                    }
                }
            }
        }
        _ => {}
    }
    out.retain(|d| !d.is_empty());
    out
}

/// The names a requirements file lists, following `-r` includes.
fn requirements(cx: &Cx<'_>, path: &str, out: &mut Vec<String>, depth: u32) {
    let Some(text) = files::context_text(cx, path) else {
        return;
    };
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    for line in text.lines() {
        let line = line.split(" #").next().unwrap_or_default().trim();
        if let Some(inc) = line
            .strip_prefix("-r ")
            .or_else(|| line.strip_prefix("--requirement "))
        {
            if depth < 8 {
                let inc = if dir.is_empty() {
                    inc.trim().to_string()
                } else {
                    format!("{dir}/{}", inc.trim())
                };
                requirements(cx, &inc, out, depth + 1);
            }
            continue;
        }
        if line.is_empty() || line.starts_with('#') || line.starts_with('-') {
            continue;
        }
        out.push(requirement_name(line));
    }
}

/// A requirement's distribution name: `psycopg2==2.9` gives `psycopg2`.
fn requirement_name(spec: &str) -> String {
    spec.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Whether native code the build makes may link libraries that neither
/// the stage's packages nor the table account for: pip on a toolchain
/// image that carries many headers, or Node packages with install scripts
/// that the table does not know.
fn native_unknown(input: &Input<'_, '_>, table: &Packages) -> bool {
    let (cx, stage, rt) = (input.cx, input.stage, input.rt);
    match rt.ecosystem.as_str() {
        "python" => true,
        "node" => {
            let installs = files::calls(cx, stage, None).iter().any(|c| {
                matches!(c.name.as_str(), "npm" | "yarn" | "pnpm")
                    && c.args
                        .first()
                        .is_some_and(|a| matches!(a.as_str(), "ci" | "install" | "i" | "add"))
                    || c.name == "yarn" && c.args.is_empty()
            });
            if !installs {
                return false;
            }
            let lock = files::context_text(cx, "package-lock.json")
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
            let known = |n: &str| table.node.contains_key(n);
            match lock
                .as_ref()
                .and_then(|l| scan::node_install_scripts(l, &known))
            {
                Some(unknown) => !unknown.is_empty(),
                None => true,
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use dockopt_engine::config::Settings;
    use dockopt_engine::{pipeline, BuildContext, MemoryFs, Selection};

    /// The split of `src` with `files` as the build context: the fixed text,
    /// or the reason it was refused.
    fn split(src: &str, files: &[(&str, &str)]) -> Result<String, String> {
        let fs = files
            .iter()
            .fold(MemoryFs::new(), |fs, (p, c)| fs.with(p, *c));
        let ctx = BuildContext::new(&fs, None);
        let settings = Settings {
            selection: Selection {
                select: Some(vec![super::NAME.to_string()]),
                ignore: vec![],
            },
            unsafe_fixes: true,
            options: std::collections::BTreeMap::default(),
            target: None,
        };
        let all = crate::ALL;
        let out = pipeline::fix(src.as_bytes(), all, &settings, Some(&ctx));
        if let Some(f) = out.remaining.iter().find(|f| f.code == super::CODE) {
            return Err(f
                .not_applied
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default());
        }
        Ok(String::from_utf8(out.output).unwrap())
    }

    const NODE: &str =
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n";

    #[test]
    fn prisma_gets_openssl_and_unknown_addons_get_the_scan() {
        let pkg = r#"{"dependencies": {"@prisma/client": "5.0.0"}, "devDependencies": {"prisma": "5.0.0"}}"#;
        let lock = r#"{"lockfileVersion": 3, "packages": {"node_modules/prisma": {"hasInstallScript": true}, "node_modules/@prisma/engines": {"hasInstallScript": true}}}"#;
        let out = split(
            NODE,
            &[
                ("package.json", pkg),
                ("package-lock.json", lock),
                ("server.js", ""),
            ],
        )
        .unwrap();
        assert!(out.contains(" openssl;"), "{out}");
        // @prisma/engines is not in the table: its files are scanned.
        assert!(out.contains("RUN find /app"), "{out}");
        let lock = r#"{"lockfileVersion": 3, "packages": {"node_modules/bcrypt": {"hasInstallScript": true}}}"#;
        let pkg = r#"{"dependencies": {"bcrypt": "5.1.1"}}"#;
        let out = split(NODE, &[("package.json", pkg), ("package-lock.json", lock)]).unwrap();
        assert!(!out.contains("RUN find"), "{out}");
        assert!(!out.contains("apt-get"), "{out}");
    }

    #[test]
    fn programs_the_source_runs_are_installed_or_refused() {
        let src = "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"main.py\"]\n";
        let ffmpeg = "import os\nos.system('ffmpeg -i in.mp4 out.webm')\n";
        let out = split(src, &[("main.py", ffmpeg), ("requirements.txt", "flask\n")]).unwrap();
        assert!(out.contains(" ffmpeg;"), "{out}");
        let unknown = "import subprocess\nsubprocess.run(['frobnicate', '--now'])\n";
        let why = split(
            src,
            &[("main.py", unknown), ("requirements.txt", "flask\n")],
        )
        .unwrap_err();
        assert!(why.contains("main.py runs frobnicate"), "{why}");
        // A console script of a requirement is in the virtualenv.
        let celery = "import subprocess\nsubprocess.run(['celery', 'worker'])\n";
        assert!(split(
            src,
            &[("main.py", celery), ("requirements.txt", "celery==5\n")]
        )
        .is_ok());
        let go = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /bin/app .\nCMD [\"/bin/app\"]\n";
        let git = "package main\nimport \"os/exec\"\nfunc main() { exec.Command(\"git\", \"pull\").Run() }\n";
        let why = split(go, &[("main.go", git)]).unwrap_err();
        assert!(why.contains("no package manager"), "{why}");
    }

    #[test]
    fn requirements_follow_includes() {
        let src = "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements/prod.txt\nCMD [\"python\", \"main.py\"]\n";
        let out = split(
            src,
            &[
                ("requirements/prod.txt", "-r base.txt\ngunicorn\n"),
                ("requirements/base.txt", "psycopg2==2.9.9  # from source\n"),
                ("main.py", ""),
            ],
        )
        .unwrap();
        assert!(out.contains(" libpq5;"), "{out}");
    }
}
