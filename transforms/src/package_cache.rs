#![doc = include_str!("../docs/package-cache.md")]

use dockopt_engine::model::caches::{self, Cache, Tool};
use dockopt_engine::{Applicability, Cx, Finding, Fix, Fixes, Gain, Rule, Transform};
use dockopt_shell::Command;
use dockopt_syntax::Instruction;

use crate::run::{append, has_arg, insert_after, is_run, later, run, stage_runs, subcommand};

pub struct PackageCache;

const CODE: &str = "DKR006";
const NAME: &str = "package-cache";

fn verb(c: &Command) -> Option<&str> {
    let i = subcommand(
        c,
        &["--prefix", "-C", "--cwd", "--filter", "-w", "--workspace"],
    )?;
    Some(c.args[i].text.as_str())
}

/// (tool, cleanup command, the cache it empties) for a command that fills
/// a package cache.
fn cleanup(c: &Command) -> Option<(&'static str, &'static str, Tool)> {
    match c.name.text.as_str() {
        "npm" if matches!(verb(c), Some("install" | "i" | "ci" | "add")) => {
            Some(("npm", "npm cache clean --force", Tool::Npm))
        }
        "yarn" if matches!(verb(c), None | Some("install" | "add" | "global")) => {
            Some(("yarn", "yarn cache clean", Tool::Yarn))
        }
        "pnpm" if matches!(verb(c), Some("install" | "i" | "add")) => {
            Some(("pnpm", "pnpm store prune", Tool::Pnpm))
        }
        "composer" if matches!(verb(c), Some("install" | "require" | "update")) => {
            Some(("composer", "composer clear-cache", Tool::Composer))
        }
        _ => None,
    }
}

/// A later RUN on the same file system that installs offline with the same
/// tool: it needs the packages this RUN leaves in the cache.
fn later_reader<'a>(cx: &Cx<'a>, stage: usize, after: &Instruction<'a>, tool: &str) -> Option<u32> {
    later(cx, stage, after)
        .iter()
        .filter(|i| is_run(i))
        .find(|i| match run(cx, i) {
            Some(r) => r.script.commands().iter().any(|c| {
                cleanup(c).is_some_and(|(t, _, _)| t == tool)
                    && has_arg(c, &["--offline", "--prefer-offline"])
            }),
            None => i.line().contains(tool) && i.line().contains("offline"),
        })
        .map(Instruction::start_line)
}

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "Clean npm, yarn, pnpm and composer caches; gem install --no-document",
    docs: include_str!("../docs/package-cache.md"),
    fixes: Fixes::Both,
    gain: Gain::Size,
};

impl Transform for PackageCache {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let style = cx.model.style();
        for (stage, insts) in stage_runs(cx) {
            for inst in insts.iter().filter(|i| i.is("run")) {
                let Some(r) = run(cx, inst) else { continue };
                let Some(state) = cx.model.inst(inst).map(|m| &m.state) else {
                    continue;
                };
                let cmds = r.script.commands();
                for c in cmds.iter().filter(|c| c.name.text == "gem") {
                    let Some(i) = subcommand(c, &[]) else {
                        continue;
                    };
                    if c.args[i].text == "install"
                        && !has_arg(c, &["--no-document", "-N", "--no-rdoc", "--no-ri"])
                    {
                        let f = Finding::new(
                            CODE,
                            NAME,
                            "gem install also generates documentation",
                            r.src(c.name.range.clone()),
                        );
                        out.push(f.with_fix(Fix::safe(
                            "Add --no-document",
                            vec![insert_after(&r, c, i, "--no-document")],
                        )));
                    }
                }
                let mut done: Vec<&str> = Vec::new();
                for c in cmds {
                    let Some((tool, clean, cache_tool)) = cleanup(c) else {
                        continue;
                    };
                    if done.contains(&tool) {
                        continue;
                    }
                    done.push(tool);
                    let text = r.script.text();
                    let already = text.contains(clean)
                        || (tool == "npm" && text.contains("npm cache clean"))
                        || (tool == "composer" && text.contains("clearcache"));
                    let dir = caches::cache(cache_tool, state);
                    let mounted = dir.known().is_some_and(|d| r.cache_mount_covers(d));
                    if already || mounted || matches!(dir, Cache::Off(_)) {
                        continue;
                    }
                    let f = Finding::new(
                        CODE,
                        NAME,
                        format!("{tool} keeps its package cache in the layer"),
                        r.src(c.name.range.clone()),
                    );
                    if let Some(line) = later_reader(cx, stage, inst, tool) {
                        out.push(f.refused(format!(
                            "not cleaned: the RUN at line {line} installs offline from {tool}'s cache"
                        )));
                        continue;
                    }
                    let mut applicability = Applicability::Safe;
                    if tool == "yarn" {
                        match cx.context {
                            Some(ctx) if ctx.is_file(".yarnrc.yml") => {
                                out.push(f.refused("not cleaned: Yarn 2+ (.yarnrc.yml) keeps its cache in the project"));
                                continue;
                            }
                            Some(_) => {}
                            None => applicability = Applicability::Unsafe,
                        }
                    }
                    match append(cx, &r, clean, style) {
                        Ok(e) => out.push(f.with_fix(Fix::new(
                            format!("Add {clean}"),
                            applicability,
                            vec![e],
                        ))),
                        Err(why) => out.push(f.refused(format!("not cleaned: {why}"))),
                    }
                }
            }
        }
    }
}
