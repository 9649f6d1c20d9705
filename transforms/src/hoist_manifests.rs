#![doc = include_str!("../docs/hoist-manifests.md")]

use dockopt_engine::{Cx, Edit, Finding, Fix, Fixes, Rule, Transform};
use dockopt_shell::Command;
use dockopt_syntax::{Instruction, TextRange};

use crate::manifests::{is_installer, plan, Plan};
use crate::run::{end_and_gap, run, stage_runs, Run};

pub struct HoistManifests;

const CODE: &str = "DKR011";
const NAME: &str = "hoist-manifests";

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

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "Copy dependency manifests and install before the source COPY",
    docs: include_str!("../docs/hoist-manifests.md"),
    fixes: Fixes::Both,
};

impl Transform for HoistManifests {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for (_, insts) in stage_runs(cx) {
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
                            .iter()
                            .find(|c| c.top_level && is_installer(c))?
                            .clone();
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
                    check_place(&insts, pos, dest, &r, &cmd, p.keep_original)?;
                    Ok(p)
                });
                match checked {
                    Ok(p) => out.push(finding.with_fix(fix(cx.tree, copy, dest, &r, &cmd, &p))),
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
    insts: &[Instruction<'_>],
    pos: usize,
    dest: &str,
    r: &Run<'_>,
    cmd: &Command,
    keep_original: bool,
) -> Result<(), String> {
    let wd = workdir_at(insts, pos).ok_or("the working directory uses a variable")?;
    if !is_workdir(dest, &wd) {
        return Err(format!(
            "the COPY goes to {dest}, not to the working directory the install runs in"
        ));
    }
    let top: Vec<&Command> = r.script.top_level().collect();
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
    // Cache cleanup that follows the install belongs with it.
    let top_cmds: Vec<&Command> = r.script.top_level().collect();
    let whole =
        !p.keep_original && top_cmds.len() > 1 && top_cmds[1..].iter().all(|c| is_cleanup(c));
    if whole {
        run_line.push(r.script.text().trim().to_string());
    } else {
        run_line.push(p.install.clone());
    }
    let flags = copy_line[1..copy_line.len() - 1 - p.manifests.len()].to_vec();
    let mut hoisted = copy_line.join(" ") + "\n";
    for d in &p.dirs {
        // A directory source copies its contents: name the target directory.
        let within = d
            .strip_prefix(src_dir(copy))
            .unwrap_or(d)
            .trim_start_matches('/');
        let mut line = vec![copy_line[0].clone()];
        line.extend(flags.iter().cloned());
        line.push(d.clone());
        line.push(format!(
            "{}{within}/",
            copy_line.last().map_or("", String::as_str)
        ));
        hoisted += &(line.join(" ") + "\n");
    }
    hoisted += &(run_line.join(" ") + "\n");
    let mut edits = vec![Edit::insert(copy.range().start, hoisted)];
    if p.keep_original {
        let title = format!(
            "Fetch dependencies from {} before the COPY",
            p.manifests.join(", ")
        );
        return Fix::new(title, p.applicability, edits);
    }
    let top: Vec<&Command> = r.script.top_level().collect();
    if let (Some(next), false) = (top.get(1), whole) {
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
