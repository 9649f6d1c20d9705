#![doc = include_str!("../../docs/rules/hoist-manifests.md")]

use dockopt_engine::{Applicability, BuildContext, Cx, Edit, Finding, Fix, Transform};
use dockopt_shell::Command;
use dockopt_syntax::{Instruction, TextRange};

use crate::run::{end_and_gap, run, stage_runs, Run};

pub struct HoistManifests;

const CODE: &str = "DKR011";
const NAME: &str = "hoist-manifests";

/// What the hoisted step copies and runs.
struct Plan {
    manifests: Vec<String>,
    install: String,
    applicability: Applicability,
}

fn join(dir: &str, name: &str) -> String {
    let dir = dir.trim_start_matches("./").trim_end_matches('/');
    if dir.is_empty() || dir == "." {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn npm(ctx: &BuildContext<'_>, src: &str, c: &Command, text: &str) -> Result<Plan, String> {
    let verb = c
        .args
        .iter()
        .find(|w| !w.text.starts_with('-'))
        .map(|w| w.text.as_str());
    if !matches!(verb, Some("install" | "i" | "ci")) {
        return Err("not an npm install".into());
    }
    if c.args.iter().skip(1).any(|w| !w.text.starts_with('-')) {
        return Err("npm install names packages".into());
    }
    let pkg = ctx
        .read(&join(src, "package.json"))
        .ok_or("package.json is not in the build context")?;
    let json: serde_json::Value =
        serde_json::from_slice(&pkg).map_err(|_| "package.json does not parse")?;
    if let Some(scripts) = json.get("scripts").and_then(|s| s.as_object()) {
        for hook in ["preinstall", "install", "postinstall", "prepare"] {
            if scripts.contains_key(hook) {
                return Err(format!(
                    "package.json has a {hook} script, which may read any project file"
                ));
            }
        }
    }
    if json.get("workspaces").is_some() {
        return Err("package.json declares workspaces".into());
    }
    for field in ["dependencies", "devDependencies", "optionalDependencies"] {
        for (name, spec) in json
            .get(field)
            .and_then(|d| d.as_object())
            .into_iter()
            .flatten()
        {
            let spec = spec.as_str().unwrap_or_default();
            if ["file:", "link:", "workspace:", "portal:", "./", "../", "/"]
                .iter()
                .any(|p| spec.starts_with(p))
            {
                return Err(format!("the dependency {name} is a local path"));
            }
        }
    }
    if ctx.is_dir(&join(src, "node_modules")) {
        return Err(
            "node_modules is in the build context: the broad COPY would overwrite the install"
                .into(),
        );
    }
    let mut manifests = vec![join(src, "package.json")];
    let lock = ["package-lock.json", "npm-shrinkwrap.json"]
        .into_iter()
        .find(|l| ctx.is_file(&join(src, l)));
    manifests.extend(lock.map(|l| join(src, l)));
    if ctx.is_file(&join(src, ".npmrc")) {
        manifests.push(join(src, ".npmrc"));
    }
    let mut install = text.to_string();
    let mut applicability = Applicability::Safe;
    if lock.is_some() && matches!(verb, Some("install" | "i")) {
        install = install.replacen(&format!("npm {}", verb.unwrap_or_default()), "npm ci", 1);
        applicability = Applicability::Unsafe;
    }
    Ok(Plan {
        manifests,
        install,
        applicability,
    })
}

/// A requirements file and everything it includes, relative to the context.
fn requirements(ctx: &BuildContext<'_>, path: &str, out: &mut Vec<String>) -> Result<(), String> {
    if out.iter().any(|p| p == path) {
        return Ok(());
    }
    let text = ctx
        .read(path)
        .ok_or_else(|| format!("{path} is not in the build context"))?;
    out.push(path.to_string());
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    for line in String::from_utf8_lossy(&text).lines() {
        let line = line.split(" #").next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["-r" | "--requirement" | "-c" | "--constraint", file, ..] => {
                requirements(ctx, &join(dir, file), out)?;
            }
            [w, ..] if w.starts_with("-r") || w.starts_with("-c") && w.len() > 2 => {
                requirements(ctx, &join(dir, &w[2..]), out)?;
            }
            ["-e" | "--editable", ..] => {
                return Err(format!("{path} installs an editable local package"))
            }
            [w, ..] if w.starts_with('.') || w.starts_with('/') || w.starts_with("file:") => {
                return Err(format!("{path} installs a local path"));
            }
            _ if line.contains("@ file:") => return Err(format!("{path} installs a local path")),
            _ => {}
        }
    }
    Ok(())
}

fn pip(ctx: &BuildContext<'_>, src: &str, c: &Command, text: &str) -> Result<Plan, String> {
    let args: Vec<&str> = c.args.iter().map(|w| w.text.as_str()).collect();
    let start = args
        .iter()
        .position(|a| *a == "install")
        .ok_or("not a pip install")?;
    let mut files = Vec::new();
    let mut i = start + 1;
    while i < args.len() {
        match args[i] {
            "-r" | "--requirement" | "-c" | "--constraint" => {
                let f = args.get(i + 1).ok_or("pip -r without a file")?;
                requirements(ctx, &join(src, f), &mut files)?;
                i += 2;
            }
            "-t" | "--target" | "--prefix" | "--root" | "-e" | "--editable" => {
                return Err(format!(
                    "pip install {} writes or reads the project directory",
                    args[i]
                ));
            }
            a if a.starts_with('-') => i += 1,
            _ => return Err("pip install names packages or paths".into()),
        }
    }
    if files.is_empty() {
        return Err("pip install has no requirements file".into());
    }
    Ok(Plan {
        manifests: files,
        install: text.to_string(),
        applicability: Applicability::Safe,
    })
}

fn go(ctx: &BuildContext<'_>, src: &str, c: &Command, text: &str) -> Result<Plan, String> {
    if c.args
        .iter()
        .map(|w| w.text.as_str())
        .take(2)
        .collect::<Vec<_>>()
        != ["mod", "download"]
    {
        return Err("not go mod download".into());
    }
    let gomod = ctx
        .read(&join(src, "go.mod"))
        .ok_or("go.mod is not in the build context")?;
    let gomod = String::from_utf8_lossy(&gomod);
    if gomod.lines().any(|l| {
        l.contains("=>") && (l.contains("=> ./") || l.contains("=> ../") || l.contains("=> /"))
    }) {
        return Err("go.mod replaces a module with a local directory".into());
    }
    let mut manifests = vec![join(src, "go.mod")];
    if ctx.is_file(&join(src, "go.sum")) {
        manifests.push(join(src, "go.sum"));
    }
    Ok(Plan {
        manifests,
        install: text.to_string(),
        applicability: Applicability::Safe,
    })
}

fn plan(
    ctx: &BuildContext<'_>,
    src: &str,
    c: &Command,
    text: &str,
) -> Option<Result<Plan, String>> {
    let name = c.name.text.rsplit('/').next().unwrap_or_default();
    match name {
        "npm" => Some(npm(ctx, src, c, text)),
        n if n.starts_with("pip") => Some(pip(ctx, src, c, text)),
        n if n.starts_with("python")
            && c.args.first().is_some_and(|w| w.text == "-m")
            && c.args.get(1).is_some_and(|w| w.text.starts_with("pip")) =>
        {
            Some(pip(ctx, src, c, text))
        }
        "go" => Some(go(ctx, src, c, text)),
        _ => None,
    }
    .filter(|p| !matches!(p, Err(e) if e.starts_with("not ")))
}

/// The working directory after each instruction of a stage, when known.
fn workdir_at(insts: &[Instruction<'_>], upto: usize) -> Option<String> {
    let mut wd = String::from("/");
    for i in &insts[..upto] {
        if i.is("workdir") {
            let d = i.values().first()?;
            if d.contains('$') {
                return None;
            }
            wd = if d.starts_with('/') {
                d.clone()
            } else {
                format!("{}/{d}", wd.trim_end_matches('/'))
            };
        }
    }
    Some(wd.trim_end_matches('/').to_string())
}

/// Whether a COPY destination is the working directory `wd`.
fn is_workdir(dest: &str, wd: &str) -> bool {
    matches!(dest, "." | "./") || dest.trim_end_matches('/') == wd || (wd.is_empty() && dest == "/")
}

impl Transform for HoistManifests {
    fn code(&self) -> &'static str {
        CODE
    }

    fn name(&self) -> &'static str {
        NAME
    }

    fn summary(&self) -> &'static str {
        "Copy dependency manifests and install before the source COPY"
    }

    fn docs(&self) -> &'static str {
        include_str!("../../docs/rules/hoist-manifests.md")
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for (_, insts) in stage_runs(cx.tree) {
            for (pos, copy) in insts.iter().enumerate() {
                if !copy.is("copy")
                    || copy.flag("from").is_some()
                    || copy.heredocs().next().is_some()
                {
                    continue;
                }
                let [src, dest] = copy.values() else { continue };
                // The first RUN after the COPY that installs from manifests.
                let Some((rpos, r, cmd)) =
                    insts[pos + 1..].iter().enumerate().find_map(|(k, i)| {
                        let r = run(cx, i)?;
                        let c = r
                            .script
                            .commands()
                            .into_iter()
                            .find(|c| c.top_level && installer(c))?;
                        Some((pos + 1 + k, r, c))
                    })
                else {
                    continue;
                };
                let Some(ctx) = cx.context else { continue };
                if !ctx.is_dir(src) {
                    continue;
                }
                let text = &r.script.text()[cmd.range.clone()];
                let Some(planned) = plan(ctx, src, &cmd, text) else {
                    continue;
                };
                let finding = Finding::new(
                    CODE,
                    NAME,
                    format!("`{text}` reruns whenever any copied file changes: copy the manifests first"),
                    copy.keyword_range(),
                );
                match check_between(&insts[pos + 1..rpos])
                    .and_then(|()| check_place(&insts, pos, dest, &r, &cmd))
                    .and(planned)
                {
                    Ok(p) => out.push(finding.with_fix(fix(cx.tree, copy, dest, &r, &cmd, &p))),
                    Err(why) => out.push(finding.refused(format!("left in place: {why}"))),
                }
            }
        }
    }
}

fn installer(c: &Command) -> bool {
    let n = c.name.text.rsplit('/').next().unwrap_or_default();
    let first = c
        .args
        .iter()
        .find(|w| !w.text.starts_with('-'))
        .map(|w| w.text.as_str());
    (n == "npm" && matches!(first, Some("install" | "i" | "ci")))
        || (n.starts_with("pip") && first == Some("install"))
        || (n.starts_with("python")
            && c.args.iter().any(|w| w.text.starts_with("pip"))
            && c.args.iter().any(|w| w.text == "install"))
        || (n == "go"
            && first == Some("mod")
            && c.args.get(1).is_some_and(|w| w.text == "download"))
}

fn check_between(between: &[Instruction<'_>]) -> Result<(), String> {
    for i in between {
        if i.is("label") || i.is("expose") {
            continue;
        }
        return Err(format!(
            "{} at line {} sits between the COPY and the install",
            i.name(),
            i.start_line()
        ));
    }
    Ok(())
}

fn check_place(
    insts: &[Instruction<'_>],
    pos: usize,
    dest: &str,
    r: &Run<'_>,
    cmd: &Command,
) -> Result<(), String> {
    let wd = workdir_at(insts, pos).ok_or("the working directory uses a variable")?;
    if !is_workdir(dest, &wd) {
        return Err(format!(
            "the COPY goes to {dest}, not to the working directory the install runs in"
        ));
    }
    let top: Vec<Command> = r
        .script
        .commands()
        .into_iter()
        .filter(|c| c.top_level)
        .collect();
    if top.first().map(|c| c.range.clone()) != Some(cmd.range.clone()) || !r.script.is_and_chain() {
        return Err("the install is not the first step of a plain && chain".into());
    }
    Ok(())
}

fn fix(
    tree: &dockopt_syntax::SyntaxTree,
    copy: &Instruction<'_>,
    dest: &str,
    r: &Run<'_>,
    cmd: &Command,
    p: &Plan,
) -> Fix {
    let keep: Vec<String> = copy
        .flags()
        .filter(|f| matches!(f.name.as_str(), "chown" | "chmod" | "link"))
        .map(|f| String::from_utf8_lossy(tree.text(f.range)).into_owned())
        .collect();
    // Always a directory: never rely on it existing already.
    let dest = if dest.ends_with('/') {
        dest.to_string()
    } else {
        format!("{dest}/")
    };
    let copy_kw = crate::util::same_case(copy.keyword(), "COPY");
    let run_kw = crate::util::same_case(r.inst.keyword(), "RUN");
    let mut copy_line = vec![copy_kw];
    copy_line.extend(keep);
    copy_line.extend(p.manifests.iter().cloned());
    copy_line.push(dest);
    let mut run_line = vec![run_kw];
    run_line.extend(r.inst.command().flags.iter().cloned());
    run_line.push(p.install.clone());
    let hoisted = format!("{}\n{}\n", copy_line.join(" "), run_line.join(" "));
    let mut edits = vec![Edit::insert(copy.range().start, hoisted)];
    let top: Vec<Command> = r
        .script
        .commands()
        .into_iter()
        .filter(|c| c.top_level)
        .collect();
    if let Some(next) = top.get(1) {
        // Keep the rest of the RUN where it was.
        edits.push(Edit::delete(TextRange::new(
            r.src_at(cmd.range.start),
            r.src_at(next.range.start),
        )));
    } else {
        let end = end_and_gap(tree, &r.inst);
        edits.push(Edit::delete(
            TextRange::new(r.inst.range().start, end).cover(r.inst.range()),
        ));
    }
    Fix::new(
        format!("Install from {} before the COPY", p.manifests.join(", ")),
        p.applicability,
        edits,
    )
}
