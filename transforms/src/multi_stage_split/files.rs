//! Where things are in the build stage: working directories, paths, and
//! the files a runtime stage gets from the context or the build.

use std::fmt::Write as _;

use dockopt_engine::Cx;
use dockopt_syntax::{Instruction, Stage};

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

/// The commands the stage's RUN instructions run, named `only` when given.
pub(super) fn calls(cx: &Cx<'_>, stage: &Stage<'_>, only: Option<&str>) -> Vec<Call> {
    let mut out = Vec::new();
    for (inst, wd) in workdirs(stage) {
        let Some(r) = run(cx, inst) else { continue };
        for c in r.script.commands() {
            if only.is_some_and(|n| n != c.name.text) {
                continue;
            }
            out.push(Call {
                wd: wd.clone(),
                at: inst.range().start,
                line: inst.start_line(),
                name: c.name.text.clone(),
                args: c
                    .args
                    .iter()
                    .map(|w| w.literal().unwrap_or_else(|| w.text.clone()))
                    .collect(),
                text: r.script.text()[c.range.clone()].to_string(),
            });
        }
    }
    out
}

/// The working directory in force at each instruction of the stage.
pub(super) fn workdirs<'s>(stage: &'s Stage<'_>) -> Vec<(&'s Instruction<'s>, String)> {
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
pub(super) fn context_copies(stage: &Stage<'_>, skip: &[&str]) -> Result<Vec<String>, String> {
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
            // As written: the value keeps its quoting.
            let _ = write!(line, " {}", inst.tree().str(f.range));
        }
        // The words as BuildKit read them, before it expands them: the same
        // words in either form mean the same.
        let mut words: Vec<String> = sources.to_vec();
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
