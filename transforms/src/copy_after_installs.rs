#![doc = include_str!("../docs/copy-after-installs.md")]

use dockopt_engine::{Cx, Edit, Finding, Fix, Fixes, Gain, Rule, Transform};
use dockopt_shell::Command;
use dockopt_syntax::{Instruction, TextRange};

use crate::run::{run, stage_runs, subcommand};

pub struct CopyAfterInstalls;

const CODE: &str = "DKR019";
const NAME: &str = "copy-after-installs";

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "Move a broad COPY below the installs after it that never read it",
    docs: include_str!("../docs/copy-after-installs.md"),
    fixes: Fixes::Safe,
    gain: Gain::Rebuild,
};

/// Folders that system package managers write into: a COPY there may meet
/// what an install writes, so the order matters.
const SYSTEM: &[&str] = &[
    "/usr", "/etc", "/var", "/lib", "/lib64", "/bin", "/sbin", "/opt", "/root", "/home", "/run",
];

/// Whether a COPY destination is an application folder, apart from every
/// place an install below writes.
fn app_folder(dest: &str) -> bool {
    let d = dest.trim_end_matches('/');
    if d.is_empty() {
        return false;
    }
    // `/usr/src/app` and `/var/www/html` are applications' own homes.
    if d.starts_with("/usr/src/") || d.starts_with("/var/www/") {
        return true;
    }
    !SYSTEM
        .iter()
        .any(|s| d == *s || d.starts_with(&format!("{s}/")))
}

/// A command that installs packages named on the line from a system or
/// language registry, or creates a user: it reads nothing from the working
/// folder, and writes only into system folders.
fn reads_no_files(c: &Command) -> bool {
    let n = c.name.text.rsplit('/').next().unwrap_or_default();
    let verb = subcommand(c, &["-o", "-c", "-t"]).map(|i| c.args[i].text.as_str());
    let operands_are_names = || {
        c.args
            .iter()
            .skip_while(|w| !matches!(w.text.as_str(), "install" | "add"))
            .skip(1)
            .all(|w| {
                let t = w.text.as_str();
                t.starts_with('-')
                    || !(t.contains('/')
                        || t.starts_with('.')
                        || t.starts_with('~')
                        || t.contains('$'))
            })
    };
    let reads_lists = c.args.iter().any(|w| {
        matches!(
            w.text.as_str(),
            "-r" | "--requirement"
                | "-c"
                | "--constraint"
                | "-e"
                | "--editable"
                | "--find-links"
                | "-f"
        )
    });
    match (n, verb) {
        ("apt-get" | "apt", Some("update" | "clean")) | ("apk", Some("update")) => true,
        ("apt-get" | "apt", Some("install")) | ("apk", Some("add")) => operands_are_names(),
        ("yum" | "dnf" | "microdnf", Some("install" | "clean" | "makecache")) => {
            operands_are_names()
        }
        (p, Some("install")) if p.starts_with("pip") => !reads_lists && operands_are_names(),
        ("gem", Some("install")) => operands_are_names(),
        ("useradd" | "groupadd" | "adduser" | "addgroup" | "rm", _) => {
            // `rm` only of package lists and caches.
            n != "rm"
                || c.args.iter().filter(|w| !w.text.starts_with('-')).all(|w| {
                    let t = w.text.as_str();
                    t.starts_with("/var/lib/apt/lists")
                        || t.starts_with("/var/cache/")
                        || t.starts_with("/tmp/")
                })
        }
        _ => false,
    }
}

/// The RUNs right after `copy` that read nothing it brings.
fn movable<'a>(cx: &Cx<'a>, after: &[Instruction<'a>]) -> Vec<Instruction<'a>> {
    after
        .iter()
        .take_while(|i| {
            i.is("run")
                && i.command().flags.is_empty()
                && run(cx, i).is_some_and(|r| {
                    !r.script.commands().is_empty()
                        && r.script.commands().iter().all(reads_no_files)
                        && r.script.blockers().is_empty()
                })
        })
        .copied()
        .collect()
}

impl Transform for CopyAfterInstalls {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let Some(ctx) = cx.context else { return };
        for (_, insts) in stage_runs(cx) {
            for (pos, copy) in insts.iter().enumerate() {
                let Some(m) = cx.model.inst(copy) else {
                    continue;
                };
                let Some(view) = m.copy() else { continue };
                if view.add || !view.from_context() || crate::util::has_inner_comments(copy) {
                    continue;
                }
                // Broad: a folder of the context, whose files change often.
                let broad = view.sources.iter().any(|s| ctx.is_dir(&s.text));
                if !broad || !view.dest_abs.known().is_some_and(app_folder) {
                    continue;
                }
                let runs = movable(cx, &insts[pos + 1..]);
                let Some(last) = runs.last() else { continue };
                // The COPY and the comment lines above it, which describe it.
                let start = crate::util::leading_comments_start(cx.tree, copy);
                let block = TextRange::new(start, copy.range().end);
                let Ok(text) = std::str::from_utf8(cx.tree.text(block)) else {
                    continue;
                };
                // After a last line without a line break, start a new line.
                let end = last.range().end;
                let text = if cx.tree.source()[end as usize - 1] == b'\n' {
                    text.to_string()
                } else {
                    format!("\n{}", text.trim_end_matches(['\r', '\n']))
                };
                let f = Finding::new(
                    CODE,
                    NAME,
                    if runs.len() == 1 {
                        "the RUN after this COPY never reads what it copies, yet runs again whenever it changes".to_string()
                    } else {
                        format!(
                            "the {} RUNs after this COPY never read what it copies, yet run again whenever it changes",
                            runs.len()
                        )
                    },
                    copy.keyword_range(),
                );
                let edits = vec![Edit::delete(block), Edit::insert(end, text)];
                out.push(
                    f.with_fix(
                        Fix::safe("Move the COPY below them", edits)
                            .reading(TextRange::new(start, end)),
                    ),
                );
            }
        }
    }
}
