#![doc = include_str!("../docs/multi-stage-split.md")]

use dockopt_engine::{Cx, Edit, Finding, Fix, Fixes, Rule, Transform};
use dockopt_syntax::{Instruction, Stage, SyntaxTree, TextRange};

use crate::run::{end_and_gap, run};
use crate::runtimes::{self, parse_image, Entry};

mod c;
mod files;
mod go;
mod jvm;
mod layout;
mod node;
mod python;
mod rust;
mod script;

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
}

impl<'a, 't> Input<'a, 't> {
    fn parts(
        self,
    ) -> (
        &'a Cx<'t>,
        &'a Stage<'t>,
        &'a Entry,
        &'a str,
        Option<&'a str>,
    ) {
        (self.cx, self.stage, self.rt, self.tag, self.app)
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
        wd = Some(files::absolute(wd.as_deref().unwrap_or("/"), &d));
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

/// The runtime image for the toolchain tag, or why there is none.
fn runtime_image(rt: &Entry, tag: &str, static_binary: bool) -> Result<String, String> {
    rt.runtime_for(tag, static_binary)
        .ok_or_else(|| format!("the toolchain tag {tag} has no version to match"))
}

/// Users every Debian base has (base-passwd).
const DEBIAN_USERS: &[&str] = &[
    "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy",
    "www-data", "backup", "list", "irc", "nobody",
];

/// What the runtime stage needs for the stage's users.
#[derive(Default)]
struct Users {
    /// The RUN lines that create them, to repeat.
    create: Vec<String>,
    /// Users the runtime base must already have.
    system: Vec<String>,
}

/// The users the stage runs as, or why one cannot be recreated at run time.
fn user_setup(cx: &Cx<'_>, stage: &Stage<'_>, rt: &Entry) -> Result<Users, String> {
    let mut out = Users::default();
    for i in stage.instructions.iter().filter(|i| i.is("user")) {
        let user = i
            .values()
            .first()
            .map(|u| u.split(':').next().unwrap_or(u))
            .unwrap_or_default();
        let numeric = !user.is_empty() && user.chars().all(|c| c.is_ascii_digit());
        if user == "root" || numeric || (rt.ecosystem == "node" && user == "node") {
            continue;
        }
        if DEBIAN_USERS.contains(&user) {
            out.system.push(user.to_string());
            continue;
        }
        let creates = |inst: &&Instruction<'_>| {
            run(cx, inst).is_some_and(|r| {
                r.script.commands().iter().any(|c| {
                    matches!(c.name.text.as_str(), "useradd" | "adduser")
                        && c.args.iter().any(|a| a.text == user)
                })
            })
        };
        let Some(inst) = stage
            .instructions
            .iter()
            .filter(|i| i.is("run"))
            .find(creates)
        else {
            return Err(format!(
                "USER {user} is not created in this stage, and the runtime base may lack it"
            ));
        };
        let r = run(cx, inst).expect("parsed above");
        let commands = r.script.commands();
        let other = commands
            .iter()
            .find(|c| !matches!(c.name.text.as_str(), "useradd" | "groupadd" | "usermod"));
        if let Some(c) = other {
            return Err(format!(
                "the RUN at line {} (creating USER {user}) runs {}; only useradd, groupadd and \
                 usermod, which every Debian base has, are repeated in the runtime stage",
                inst.start_line(),
                c.name.text
            ));
        }
        let line = text(cx.tree, inst);
        if !out.create.contains(&line) {
            out.create.push(line);
        }
    }
    Ok(out)
}

/// Refusals shared by every ecosystem.
fn common_checks(cx: &Cx<'_>, stage: &Stage<'_>) -> Result<(), String> {
    if stage.instructions.iter().any(|i| i.is("onbuild")) {
        return Err("the stage has ONBUILD triggers".into());
    }
    if command(stage).is_none() {
        return Err("the image runs the base image's own command".into());
    }
    if let Some(h) = stage.instructions.iter().find(|i| i.is("healthcheck")) {
        let line = h.line();
        if ["curl", "wget"].iter().any(|t| line.contains(t)) {
            return Err("the HEALTHCHECK needs curl or wget, which the runtime base lacks".into());
        }
    }
    if let Some(inst) = stage
        .instructions
        .iter()
        .find(|i| i.is("run") && run(cx, i).is_none())
    {
        return Err(format!(
            "the RUN at line {} cannot be read, so what it leaves for run time is unknown",
            inst.start_line()
        ));
    }
    for c in files::calls(cx, stage, None) {
        let installer = matches!(
            c.name.as_str(),
            "apt-get" | "apt" | "apk" | "dnf" | "yum" | "microdnf"
        );
        if !installer
            || !c
                .args
                .iter()
                .any(|a| matches!(a.as_str(), "install" | "add"))
        {
            continue;
        }
        let mut pkgs = c
            .args
            .iter()
            .filter(|a| !a.starts_with('-') && !matches!(a.as_str(), "install" | "add"));
        if let Some(p) = pkgs.find(|p| !BUILD_ONLY.contains(&p.as_str())) {
            return Err(format!(
                "{} installs {p}, which may be needed at run time",
                c.name
            ));
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

fn fix(cx: &Cx<'_>, stage: &Stage<'_>, split: &Split, app: Option<&str>) -> Fix {
    let tree = cx.tree;
    let mut edits = split.build_edits.clone();
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
    edits.extend(layout::tail_edits(tree.source(), &moved, &lines.join("\n")));
    Fix::unsafe_(
        format!("Build in stage {name}, run on {}", split.runtime),
        edits,
    )
}

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "Build with the toolchain in one stage, run on a slim base (unsafe)",
    docs: include_str!("../docs/multi-stage-split.md"),
    fixes: Fixes::Unsafe,
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
        let planned = common_checks(cx, stage).and_then(|()| {
            let users = user_setup(cx, stage, rt)?;
            let app = workdir(stage)?;
            let (words, _) = command(stage).expect("checked");
            if uses_toolchain(&words) {
                return Err("the container command uses the toolchain".into());
            }
            let input = Input {
                cx,
                stage,
                rt,
                tag: image.tag,
                app: app.as_deref(),
            };
            let split = match rt.ecosystem.as_str() {
                "go" => go::go(input),
                "node" => node::node(input),
                "python" => python::python(input),
                "rust" => rust::rust(input),
                "java" => jvm::java(input),
                "dotnet" => jvm::dotnet(input),
                "c" => c::c(input, image.name),
                other => Err(format!("no split is known for {other}")),
            }?;
            if !split.site {
                script::check(cx, &words, app.as_deref(), &split.runtime, &rt.ecosystem)?;
            }
            if split.runtime.contains("distroless") {
                if !users.create.is_empty() {
                    return Err("the runtime base has no shell to create the USER".into());
                }
                if let Some(u) = users.system.iter().find(|u| *u != "nobody") {
                    return Err(format!("the runtime base has no user {u}"));
                }
            }
            let mut split = split;
            split.lines.splice(0..0, users.create);
            Ok((split, app))
        });
        match planned {
            Ok((split, app)) => out.push(finding.with_fix(fix(cx, stage, &split, app.as_deref()))),
            Err(why) => out.push(finding.refused(format!("not split: {why}"))),
        }
    }
}
