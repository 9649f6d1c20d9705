//! Everything else the stage leaves for run time: the files its `COPY` and
//! `ADD` lines put outside the folders the runtime stage copies from the
//! build, the files its `RUN` steps write there, and the owners and modes
//! of the copied folders themselves (`COPY --from` keeps those of the
//! files inside a folder, not of the folder).

use super::files::{absolute, calls, context_copies, redirects, under, Call};
use super::Input;

/// Commands that write nothing the runtime reads.
const NO_WRITES: &[&str] = &[
    "set", "true", "false", "echo", "printf", "cd", "export", "test", "[", "sleep", "ls", "cat",
    "which", "command", "id", "whoami", "env", "pwd", "du", "df", "grep", "head", "tail", "wc",
    "sort", "uname", "date", "type", "hash", "umask", "exit", ":", "nproc", "getent", "stat",
    "readlink", "realpath", "dirname", "basename", "file",
];

/// Commands other parts of the split account for: system packages, users.
const HANDLED: &[&str] = &[
    "apt-get",
    "apt",
    "apk",
    "dnf",
    "yum",
    "microdnf",
    "dpkg",
    "apt-mark",
    "useradd",
    "groupadd",
    "usermod",
    "adduser",
    "addgroup",
    "update-ca-certificates",
    "ldconfig",
    "rm",
];

/// Where a build writes what nothing reads at run time: caches, package
/// lists, temporary files.
const SCRATCH: &[&str] = &[
    "/tmp",
    "/var/tmp",
    "/var/cache",
    "/var/lib/apt/lists",
    "/var/log",
    "/root/.cache",
    "/root/.npm",
    "/root/.cargo/registry",
    "/root/.m2",
    "/dev/null",
];

/// What the runtime stage gets besides the ecosystem's own copies.
#[derive(Default)]
pub(super) struct Carried {
    /// COPY and ADD lines repeated from the context (or other stages).
    pub context: Vec<String>,
    /// Paths copied from the build stage to the same place.
    pub build: Vec<String>,
    /// Commands that give copied folders their owner and mode.
    pub fixups: Vec<String>,
}

/// Plans the rest. `kept` are the folders the runtime stage copies from
/// the build; `tools` the ecosystem's commands, which write inside them.
pub(super) fn carry(
    input: &Input<'_, '_>,
    kept: &[String],
    tool: &dyn Fn(&str, &[String]) -> bool,
) -> Result<Carried, String> {
    let (cx, stage) = (input.cx, input.stage);
    let kept_refs: Vec<&str> = kept.iter().map(String::as_str).collect();
    let mut out = Carried {
        context: context_copies(input, &kept_refs)?,
        ..Carried::default()
    };
    let inside = |p: &str| kept.iter().any(|k| under(p, k));
    let scratch = |p: &str| SCRATCH.iter().any(|s| under(p, s));
    // Destinations the context copies write: a RUN that removes or changes
    // files there must be replayed on top of them.
    let copied: Vec<String> = out
        .context
        .iter()
        .filter_map(|l| {
            l.rsplit(' ').next().map(|d| {
                d.trim_matches(['"', ']', '['])
                    .trim_end_matches('/')
                    .to_string()
            })
        })
        .collect();
    for c in calls(cx, stage, None) {
        let name = c.name.rsplit('/').next().unwrap_or_default().to_string();
        if tool(&name, &c.args) || NO_WRITES.contains(&name.as_str()) {
            continue;
        }
        if name == "rm" {
            for p in operands(&c) {
                let p = absolute(&c.wd, &p);
                if copied.iter().any(|d| under(&p, d) || under(d, &p)) {
                    return Err(format!(
                        "the RUN at line {} removes {p}, which the runtime stage copies from the context",
                        c.line
                    ));
                }
            }
            continue;
        }
        if HANDLED.contains(&name.as_str()) {
            continue;
        }
        let targets = targets(&name, &c).ok_or_else(|| {
            let shown: Vec<&str> = std::iter::once(name.as_str())
                .chain(c.args.iter().take_while(|a| !a.starts_with('-')).take(1).map(String::as_str))
                .collect();
            format!(
                "the RUN at line {} runs `{}`, which may write files the runtime needs outside what the runtime stage copies",
                c.line,
                shown.join(" ")
            )
        })?;
        for t in targets {
            if t.contains('$') || t.contains(['*', '?', '[']) {
                return Err(format!(
                    "the RUN at line {} writes {t}, a path that is not known before the build",
                    c.line
                ));
            }
            let path = absolute(&c.wd, &t);
            if scratch(&path) {
                continue;
            }
            if matches!(name.as_str(), "chown" | "chmod") {
                // The folder itself: its owner and mode do not come with it.
                if kept.iter().any(|k| under(k, &path)) || out.build.iter().any(|b| under(b, &path))
                {
                    out.fixups.push(fixup(&c, &path));
                }
                if inside(&path) {
                    continue;
                }
            }
            if inside(&path) {
                continue;
            }
            if !out.build.iter().any(|b| under(&path, b)) {
                out.build.retain(|b| !under(b, &path));
                out.build.push(path);
            }
        }
    }
    for (line, path) in redirects(cx, stage) {
        if path.contains('$') {
            return Err(format!(
                "the RUN at line {line} writes {path}, a path that is not known before the build"
            ));
        }
        if !scratch(&path) && !inside(&path) && !out.build.iter().any(|b| under(&path, b)) {
            out.build.push(path);
        }
    }
    out.fixups.dedup();
    Ok(out)
}

/// `chown OWNER PATH` or `chmod MODE PATH` for the folder alone.
fn fixup(c: &Call, path: &str) -> String {
    let value = operands(c).into_iter().next().unwrap_or_default();
    format!(
        "{} {value} {path}",
        c.name.rsplit('/').next().unwrap_or_default()
    )
}

/// Arguments that are not options.
fn operands(c: &Call) -> Vec<String> {
    c.args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .cloned()
        .collect()
}

/// The paths a file-system command writes, or `None` for a command whose
/// writes cannot be told.
fn targets(name: &str, c: &Call) -> Option<Vec<String>> {
    let ops = operands(c);
    let value_of = |flags: &[&str]| -> Option<String> {
        let mut it = c.args.iter();
        while let Some(a) = it.next() {
            if flags.contains(&a.as_str()) {
                return it.next().cloned();
            }
            for f in flags.iter().filter(|f| f.starts_with("--")) {
                if let Some(v) = a.strip_prefix(&format!("{f}=")) {
                    return Some(v.to_string());
                }
            }
        }
        None
    };
    match name {
        "mkdir" | "touch" | "tee" => Some(ops),
        // The first operand is the owner or the mode.
        "chown" | "chgrp" | "chmod" => Some(ops.into_iter().skip(1).collect()),
        "ln" | "cp" | "mv" | "install" => Some(ops.last().cloned().into_iter().collect()),
        "sed" if c.args.iter().any(|a| a.starts_with("-i")) => {
            Some(ops.into_iter().skip(1).collect())
        }
        "curl" => value_of(&["-o", "--output"]).map(|o| vec![o]),
        "wget" => value_of(&["-O", "--output-document"])
            .or_else(|| value_of(&["-P", "--directory-prefix"]))
            .map(|o| vec![o]),
        "tar" => value_of(&["-C", "--directory"]).map(|o| vec![o]),
        "unzip" => value_of(&["-d"]).map(|o| vec![o]),
        "git" if c.args.first().is_some_and(|a| a == "clone") => {
            let ops: Vec<String> = ops.into_iter().skip(1).collect();
            match ops.as_slice() {
                [_, dir] => Some(vec![dir.clone()]),
                [url] => Some(vec![url
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()?
                    .trim_end_matches(".git")
                    .to_string()]),
                _ => None,
            }
        }
        _ => None,
    }
}
