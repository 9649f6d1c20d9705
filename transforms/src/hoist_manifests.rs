#![doc = include_str!("../../docs/rules/hoist-manifests.md")]

use std::fmt::Write as _;

use dockopt_engine::{Cx, Edit, Finding, Fix, Transform};
use dockopt_shell::Command;
use dockopt_syntax::{Instruction, TextRange};

use crate::manifests::{is_installer, plan, Plan};
use crate::run::{end_and_gap, run, stage_runs, Run};
use crate::util::{instruction_words, plain_path};

pub struct HoistManifests;

const CODE: &str = "DKR011";
const NAME: &str = "hoist-manifests";

/// The working directory in force at each instruction of a stage, when
/// known.
fn workdirs(insts: &[Instruction<'_>]) -> Vec<Option<String>> {
    let mut wd = Some(String::from("/"));
    let mut out = Vec::with_capacity(insts.len());
    for i in insts {
        out.push(wd.as_ref().map(|w| w.trim_end_matches('/').to_string()));
        if i.is("workdir") {
            wd = match (wd, i.values().first()) {
                (Some(_), Some(d)) if d.contains('$') => None,
                (Some(_), Some(d)) if d.starts_with('/') => Some(d.clone()),
                (Some(w), Some(d)) => Some(format!("{}/{d}", w.trim_end_matches('/'))),
                _ => None,
            };
        }
    }
    out
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
        let Some(ctx) = cx.context else { return };
        for (_, insts) in stage_runs(cx.tree) {
            // Each RUN's first top-level install, and for each position the
            // next RUN that has one: found once per stage.
            let installs: Vec<Option<(Run<'_>, &Command)>> = insts
                .iter()
                .map(|i| {
                    let r = run(cx, i)?;
                    let c = r
                        .script
                        .command_list()
                        .iter()
                        .find(|c| c.top_level && is_installer(c))?;
                    Some((r, c))
                })
                .collect();
            let wds = std::cell::OnceCell::new();
            let mut next = vec![None; insts.len() + 1];
            for k in (0..insts.len()).rev() {
                next[k] = if installs[k].is_some() {
                    Some(k)
                } else {
                    next[k + 1]
                };
            }
            for (pos, copy) in insts.iter().enumerate() {
                if !copy.is("copy")
                    || copy.flag("from").is_some()
                    || copy.heredocs().next().is_some()
                {
                    continue;
                }
                let [src, dest] = copy.values() else { continue };
                // The first RUN after the COPY that installs from manifests.
                let Some(rpos) = next[pos + 1] else { continue };
                let Some((r, cmd)) = &installs[rpos] else {
                    continue;
                };
                let (r, cmd) = (r, (*cmd).clone());
                if !ctx.is_dir(src) {
                    continue;
                }
                let text = &r.script.text()[cmd.range.clone()];
                let planned = plan(ctx, src, &cmd, text);
                let finding = Finding::new(
                    CODE,
                    NAME,
                    format!("`{text}` reruns whenever any copied file changes: copy the manifests first"),
                    copy.keyword_range(),
                );
                if planned
                    .as_ref()
                    .is_ok_and(|p| already_hoisted(&insts[..pos], p))
                {
                    continue;
                }
                let checked = planned.and_then(|p| {
                    check_between(&insts[pos + 1..rpos])?;
                    let wd = wds.get_or_init(|| workdirs(&insts))[pos].as_deref();
                    check_place(wd, dest, r, &cmd, p.keep_original)?;
                    fix(cx.tree, copy, dest, r, &cmd, &p)
                });
                match checked {
                    Ok(fix) => out.push(finding.with_fix(fix)),
                    Err(why) => out.push(finding.refused(format!("left in place: {why}"))),
                }
            }
        }
    }
}

/// A package manager's cache cleanup, which travels with its install.
fn is_cleanup(c: &Command) -> bool {
    let words: Vec<&str> = c.args.iter().map(|w| w.text.as_str()).collect();
    match c.name.text.as_str() {
        "npm" | "yarn" => words.first() == Some(&"cache"),
        "pnpm" => words.first() == Some(&"store"),
        "composer" => words
            .first()
            .is_some_and(|w| *w == "clear-cache" || *w == "clearcache"),
        "rm" => words.iter().any(|w| {
            w.contains("/var/lib/apt/lists")
                || w.contains("/root/.cache")
                || w.contains("/root/.npm")
        }),
        _ => false,
    }
}

/// Whether the manifests are already copied and the step already run just
/// before the broad COPY (by an earlier fix, or by hand).
fn already_hoisted(before: &[Instruction<'_>], p: &Plan) -> bool {
    let Some((step, rest)) = before.split_last() else {
        return false;
    };
    let ran = step.is("run")
        && step
            .values()
            .first()
            .is_some_and(|v| v.contains(p.install.as_str()));
    // The manifest COPY, then one COPY per directory.
    let copies = rest.iter().rev().take(p.dirs.len() + 1);
    ran && copies.clone().all(|c| c.is("copy"))
        && copies.into_iter().any(|c| {
            p.manifests
                .iter()
                .all(|m| c.values().iter().any(|v| v == m))
        })
}

/// The COPY's source directory as written, without `./` or a trailing `/`.
fn src_dir<'a>(copy: &'a Instruction<'_>) -> &'a str {
    copy.values().first().map_or("", |s| {
        let s = s.trim_start_matches("./").trim_end_matches('/');
        if s == "." {
            ""
        } else {
            s
        }
    })
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
    wd: Option<&str>,
    dest: &str,
    r: &Run<'_>,
    cmd: &Command,
    keep_original: bool,
) -> Result<(), String> {
    let wd = wd.ok_or("the working directory uses a variable")?;
    if !is_workdir(dest, wd) {
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
    let first = top.first().map(|c| c.range.clone()) == Some(cmd.range.clone());
    if !keep_original && (!first || !r.script.is_and_chain()) {
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
) -> Result<Fix, String> {
    // Names from the build context become COPY sources, which BuildKit
    // expands and matches as globs.
    if let Some(bad) = p.manifests.iter().chain(&p.dirs).find(|m| !plain_path(m)) {
        return Err(format!(
            "{bad:?} has characters a COPY source would read differently"
        ));
    }
    // Flags as written: their values keep their quoting.
    let flags: Vec<String> = copy
        .flags()
        .filter(|f| matches!(f.name.as_str(), "chown" | "chmod" | "link"))
        .map(|f| tree.str(f.range).to_string())
        .collect();
    // Always a directory: never rely on it existing already.
    let dest = if dest.ends_with('/') {
        dest.to_string()
    } else {
        format!("{dest}/")
    };
    let copy_kw = crate::util::same_case(copy.keyword(), "COPY");
    let copy_head = std::iter::once(copy_kw)
        .chain(flags)
        .collect::<Vec<_>>()
        .join(" ");
    let mut words = p.manifests.clone();
    words.push(dest.clone());
    let mut hoisted = String::new();
    let _ = writeln!(hoisted, "{copy_head} {}", instruction_words(&words)?);
    for d in &p.dirs {
        // A directory source copies its contents: name the target directory.
        let within = d
            .strip_prefix(src_dir(copy))
            .unwrap_or(d)
            .trim_start_matches('/');
        let words = [d.clone(), format!("{dest}{within}/")];
        let _ = writeln!(hoisted, "{copy_head} {}", instruction_words(&words)?);
    }
    let run_kw = crate::util::same_case(r.inst.keyword(), "RUN");
    let mut run_line = vec![run_kw];
    run_line.extend(r.inst.flags().map(|f| tree.str(f.range).to_string()));
    // Cache cleanup that follows the install belongs with it.
    let top_cmds: Vec<&Command> = r
        .script
        .command_list()
        .iter()
        .filter(|c| c.top_level)
        .collect();
    let whole =
        !p.keep_original && top_cmds.len() > 1 && top_cmds[1..].iter().all(|c| is_cleanup(c));
    if whole {
        run_line.push(r.script.text().trim().to_string());
    } else {
        run_line.push(p.install.clone());
    }
    hoisted += &(run_line.join(" ") + "\n");
    let mut edits = vec![Edit::insert(copy.range().start, hoisted)];
    if p.keep_original {
        let title = format!(
            "Fetch dependencies from {} before the COPY",
            p.manifests.join(", ")
        );
        return Ok(Fix::new(title, p.applicability, edits));
    }
    if let (Some(next), false) = (top_cmds.get(1), whole) {
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
    Ok(Fix::new(
        format!("Install from {} before the COPY", p.manifests.join(", ")),
        p.applicability,
        edits,
    ))
}
