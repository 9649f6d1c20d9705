//! Where things are in the build stage: working directories, paths, and
//! the files a runtime stage gets from the context or the build.

use std::fmt::Write as _;

use dockopt_engine::model::{Certainty, CopyView};
use dockopt_engine::Cx;
use dockopt_shell::Script;
use dockopt_syntax::{Instruction, Stage};

use super::Input;
use crate::run::run;

/// A command a RUN of the stage runs.
pub(super) struct Call {
    /// The working directory in force.
    pub wd: String,
    /// Where the RUN starts in the file, and its line.
    pub at: u32,
    pub line: u32,
    pub name: String,
    /// Arguments without their quotes; as written where they expand
    /// something.
    pub args: Vec<String>,
    /// The command as written, with its `VAR=value` prefixes.
    pub text: String,
}

/// The shells an exec-form RUN may hand a script to.
const EXEC_SHELLS: &[&str] = &["sh", "bash", "/bin/sh", "/bin/bash"];

/// The commands the stage's RUN instructions run, named `only` when given.
/// Exec-form RUNs are one command, or the script they give `sh -c`.
pub(super) fn calls(cx: &Cx<'_>, stage: &Stage<'_>, only: Option<&str>) -> Vec<Call> {
    let mut out = Vec::new();
    for (inst, wd) in workdirs(cx, stage) {
        let mut push = |name: String, args: Vec<String>, text: String| {
            if only.is_none_or(|n| n == name) {
                out.push(Call {
                    wd: wd.clone(),
                    at: inst.range().start,
                    line: inst.start_line(),
                    name,
                    args,
                    text,
                });
            }
        };
        if let Some(r) = run(cx, inst) {
            for c in r.script.commands() {
                push(
                    c.name.text.clone(),
                    c.args
                        .iter()
                        .map(|w| w.literal().unwrap_or_else(|| w.text.clone()))
                        .collect(),
                    r.script.text()[c.range.clone()].to_string(),
                );
            }
            continue;
        }
        let Some(words) = exec_words(inst) else {
            continue;
        };
        match words.as_slice() {
            [sh, c, script, ..] if EXEC_SHELLS.contains(&sh.as_str()) && c == "-c" => {
                if let Ok(s) = Script::parse(script) {
                    for c in s.commands() {
                        push(
                            c.name.text.clone(),
                            c.args
                                .iter()
                                .map(|w| w.literal().unwrap_or_else(|| w.text.clone()))
                                .collect(),
                            s.text()[c.range.clone()].to_string(),
                        );
                    }
                }
            }
            [name, args @ ..] => push(name.clone(), args.to_vec(), words.join(" ")),
            [] => {}
        }
    }
    out
}

/// The words of an exec-form RUN.
pub(super) fn exec_words(inst: &Instruction<'_>) -> Option<Vec<String>> {
    (inst.is("run") && inst.is_json() && inst.heredocs().next().is_none())
        .then(|| inst.values().to_vec())
}

/// Whether a RUN's commands can be listed: shell form that parses, or exec
/// form (one command, or a script for `sh -c` that parses).
pub(super) fn readable(cx: &Cx<'_>, inst: &Instruction<'_>) -> bool {
    if run(cx, inst).is_some() {
        return true;
    }
    match exec_words(inst).as_deref() {
        Some([sh, c, script, ..]) if EXEC_SHELLS.contains(&sh.as_str()) && c == "-c" => {
            Script::parse(script).is_ok()
        }
        Some([_, ..]) => true,
        _ => false,
    }
}

/// Files the stage's RUNs write with `>` or `>>`: (line, absolute path),
/// or the path as written when it expands a variable.
pub(super) fn redirects(cx: &Cx<'_>, stage: &Stage<'_>) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for (inst, wd) in workdirs(cx, stage) {
        if let Some(r) = run(cx, inst) {
            for w in r.script.file_writes() {
                let w = if w.contains('$') {
                    w
                } else {
                    absolute(&wd, &unquote(&w))
                };
                out.push((inst.start_line(), w));
            }
        }
    }
    out
}

fn unquote(w: &str) -> String {
    w.trim_matches(|c| c == '"' || c == '\'').to_string()
}

/// The working directory in force at each instruction of the stage, from
/// the model (absolute; a variable's default where it uses one).
pub(super) fn workdirs<'s>(
    cx: &Cx<'_>,
    stage: &'s Stage<'_>,
) -> Vec<(&'s Instruction<'s>, String)> {
    stage
        .instructions
        .iter()
        .map(|inst| {
            let wd = cx
                .model
                .inst(inst)
                .map_or_else(|| "/".to_string(), |m| m.state.workdir.text.clone());
            (inst, wd)
        })
        .collect()
}

pub(super) fn absolute(wd: &str, path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        let rest = path.trim_start_matches("./");
        let rest = if rest == "." { "" } else { rest };
        format!("{}/{rest}", wd.trim_end_matches('/'))
    }
}

pub(super) fn under(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    path == dir || path.starts_with(&format!("{dir}/"))
}

/// Whether the container command runs `binary` (by path, or by name when it
/// is on the default PATH).
pub(super) fn runs(words: &[String], binary: &str, wd: Option<&str>) -> bool {
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
    "useradd", "groupadd", "usermod",
];

/// Refuses a RUN that may write files the runtime needs: anything but the
/// ecosystem's tools and housekeeping. What the tools write is the artifact.
pub(super) fn only_builds(
    cx: &Cx<'_>,
    stage: &Stage<'_>,
    tools: &[&str],
    app: Option<&str>,
    outputs: &[&str],
) -> Result<(), String> {
    for c in calls(cx, stage, None) {
        let n = c.name.trim_start_matches("./");
        if matches!(n, "cp" | "mv") && c.args.last().is_some_and(|d| outputs.contains(&d.as_str()))
        {
            continue;
        }
        // A folder for the outputs, which the runtime stage copies anyway.
        let for_outputs = |a: &String| {
            let p = absolute(&c.wd, a);
            outputs
                .iter()
                .any(|o| under(o, &p) && o.rsplit_once('/').is_some_and(|(d, _)| under(d, &p)))
        };
        if n == "mkdir"
            && c.args
                .iter()
                .filter(|a| !a.starts_with('-'))
                .all(for_outputs)
        {
            continue;
        }
        if n == "rm" {
            let inside = c
                .args
                .iter()
                .filter(|a| !a.starts_with('-'))
                .any(|a| !a.starts_with('/') || app.is_some_and(|d| under(a, d)));
            if inside {
                return Err(format!(
                    "the RUN at line {} removes files the runtime stage would copy back",
                    c.line
                ));
            }
            continue;
        }
        if !tools.contains(&n) && !HOUSEKEEPING.contains(&n) {
            return Err(format!(
                "the RUN at line {} runs {n}, which may write files the runtime needs",
                c.line
            ));
        }
    }
    Ok(())
}

/// The stage's COPY and ADD lines with absolute destinations, to repeat in
/// the runtime stage: the files as the context has them, without the
/// build's output. Destinations under `skip` are copied from the build
/// stage anyway.
pub(super) fn context_copies(input: &Input<'_, '_>, skip: &[&str]) -> Result<Vec<String>, String> {
    let (cx, stage) = (input.cx, input.stage);
    let mut out = Vec::new();
    for (inst, wd) in workdirs(cx, stage) {
        if !inst.is("copy") && !inst.is("add") {
            continue;
        }
        if inst.heredocs().next().is_some() {
            return Err(format!(
                "the COPY at line {} writes a heredoc",
                inst.start_line()
            ));
        }
        let Some((dest, sources)) = inst.values().split_last() else {
            continue;
        };
        let view = cx.model.inst(inst).and_then(|m| m.copy());
        let exact = view.is_some_and(|v| {
            v.dest_abs.certainty == Certainty::Exact
                && v.sources.iter().all(|s| s.certainty == Certainty::Exact)
        });
        if (dest.contains('$') || sources.iter().any(|s| s.contains('$'))) && !exact {
            return Err(format!(
                "the COPY at line {} uses a build argument, which may change where it copies",
                inst.start_line()
            ));
        }
        let sources: Vec<String> = match view {
            Some(v) if exact => v.sources.iter().map(|s| s.text.clone()).collect(),
            _ => sources.to_vec(),
        };
        let mut abs = match view {
            Some(v) if exact => v.dest_abs.text.clone(),
            _ => absolute(&wd, dest),
        };
        let dir = view.is_some_and(CopyView::dest_is_dir) || dest.ends_with('/') || dest == ".";
        if dir && !abs.ends_with('/') {
            abs.push('/');
        }
        if skip.iter().any(|d| under(abs.trim_end_matches('/'), d)) {
            continue;
        }
        let mut line = inst.keyword().to_uppercase();
        for f in inst.flags() {
            let owner = f.value.as_deref().unwrap_or_default();
            let known = owner.split(':').all(|p| {
                p.chars().all(|c| c.is_ascii_digit())
                    || p == "root"
                    || input.users.iter().any(|u| u == p)
            });
            if f.name == "chown" && !known {
                return Err(format!(
                    "COPY --chown={owner} names a user the runtime base does not have"
                ));
            }
            // As written: the value keeps its quoting.
            let _ = write!(line, " {}", inst.tree().str(f.range));
        }
        let mut words = sources;
        words.push(abs);
        line.push(' ');
        line.push_str(&crate::util::instruction_words(&words)?);
        out.push(line);
    }
    Ok(out)
}

/// System data a native program reads that a Debian slim runtime lacks:
/// the CA bundle always, time zones from trixie on (tzdata is no longer
/// required there). The toolchain images have both.
pub(super) fn system_data(runtime: &str) -> Vec<(String, String)> {
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

/// The context file a COPY or ADD of the stage puts at `image_path`, if
/// one does (the last one to write there).
pub(super) fn context_source(cx: &Cx<'_>, stage: &Stage<'_>, image_path: &str) -> Option<String> {
    let ctx = cx.context?;
    let mut found = None;
    for inst in &stage.instructions {
        let Some(m) = cx.model.inst(inst) else {
            continue;
        };
        if !m.copy().is_some_and(CopyView::from_context) {
            continue;
        }
        if let Some(Ok(plan)) = cx.model.copy_plan(m) {
            if let Some((src, _)) = plan.files(ctx).into_iter().find(|(_, d)| d == image_path) {
                found = Some(src);
            }
        }
    }
    found
}

/// A file of the build context as text.
pub(super) fn context_text(cx: &Cx<'_>, path: &str) -> Option<String> {
    // Text that is not UTF-8 is not read at all: nothing taken from it can
    // end up in the Dockerfile changed.
    String::from_utf8(cx.context?.read(path)?).ok()
}

/// Copies of `paths` from the build stage, each into the same place.
pub(super) fn from_build(paths: &[String]) -> Vec<(String, String)> {
    paths.iter().map(|p| (p.clone(), p.clone())).collect()
}
