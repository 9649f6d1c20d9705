#![doc = include_str!("../docs/package-cache.md")]

use dockopt_engine::{Applicability, Cx, Finding, Fix, Fixes, Rule, Transform};
use dockopt_shell::Command;

use crate::run::{append, has_arg, insert_after, run, stage_runs, subcommand};

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

/// (tool, cleanup command, cache directory a mount may cover)
fn cleanup(c: &Command) -> Option<(&'static str, &'static str, &'static str)> {
    match c.name.text.as_str() {
        "npm" if matches!(verb(c), Some("install" | "i" | "ci" | "add")) => {
            Some(("npm", "npm cache clean --force", "/root/.npm"))
        }
        "yarn" if matches!(verb(c), None | Some("install" | "add" | "global")) => {
            Some(("yarn", "yarn cache clean", "/usr/local/share/.cache/yarn"))
        }
        "pnpm" if matches!(verb(c), Some("install" | "i" | "add")) => {
            Some(("pnpm", "pnpm store prune", "/root/.local/share/pnpm"))
        }
        "composer" if matches!(verb(c), Some("install" | "require" | "update")) => {
            Some(("composer", "composer clear-cache", "/root/.composer"))
        }
        _ => None,
    }
}

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "Clean npm, yarn, pnpm and composer caches; gem install --no-document",
    docs: include_str!("../docs/package-cache.md"),
    fixes: Fixes::Both,
};

impl Transform for PackageCache {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let style = cx.model.style();
        for (_, insts) in stage_runs(cx) {
            for inst in insts.iter().filter(|i| i.is("run")) {
                let Some(r) = run(cx, inst) else { continue };
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
                    let Some((tool, clean, dir)) = cleanup(c) else {
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
                    if already || r.has_cache_mount(dir) {
                        continue;
                    }
                    let f = Finding::new(
                        CODE,
                        NAME,
                        format!("{tool} keeps its package cache in the layer"),
                        r.src(c.name.range.clone()),
                    );
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
                    match append(&r, clean, style) {
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
