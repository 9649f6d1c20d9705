#![doc = include_str!("../docs/pip.md")]

use dockopt_engine::model::caches::{self, Cache, Tool};
use dockopt_engine::{Cx, Finding, Fix, Fixes, Gain, Rule, Transform};
use dockopt_shell::Command;

use crate::run::{has_arg, insert_after, run, stage_runs};

pub struct Pip;

const CODE: &str = "DKR005";
const NAME: &str = "pip";

/// Index of `install` for `pip install` and `python -m pip install`.
fn install_at(c: &Command) -> Option<usize> {
    let name = c.name.text.rsplit('/').next()?;
    let first = if name.starts_with("pip") {
        0
    } else if name.starts_with("python")
        && c.args.first().is_some_and(|w| w.text == "-m")
        && c.args.get(1).is_some_and(|w| w.text.starts_with("pip"))
    {
        2
    } else {
        return None;
    };
    let i = (first..c.args.len()).find(|&i| !c.args[i].text.starts_with('-'))?;
    (c.args[i].text == "install").then_some(i)
}

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "pip install --no-cache-dir",
    docs: include_str!("../docs/pip.md"),
    fixes: Fixes::Safe,
    gain: Gain::Size,
};

impl Transform for Pip {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for (_, insts) in stage_runs(cx) {
            for inst in insts.iter().filter(|i| i.is("run")) {
                let Some(m) = cx.model.inst(inst) else {
                    continue;
                };
                // The environment may turn the cache off or move it.
                let dir = match caches::cache(Tool::Pip, &m.state) {
                    Cache::Off(_) => continue,
                    Cache::At(dir) => dir,
                };
                let Some(r) = run(cx, inst) else { continue };
                let mounted = match dir.known() {
                    Some(d) => r.cache_mount_covers(d),
                    None => r.has_cache_mount("/root/.cache"),
                };
                if mounted {
                    continue;
                }
                for c in r.script.commands() {
                    let Some(i) = install_at(c) else { continue };
                    let prefixed = r.script.text()[c.range.clone()].contains("PIP_NO_CACHE_DIR");
                    if has_arg(c, &["--no-cache-dir"]) || prefixed {
                        continue;
                    }
                    let f = Finding::new(
                        CODE,
                        NAME,
                        "pip install keeps its download cache in the layer",
                        r.src(c.name.range.clone()),
                    );
                    out.push(f.with_fix(Fix::safe(
                        "Add --no-cache-dir",
                        vec![insert_after(&r, c, i, "--no-cache-dir")],
                    )));
                }
            }
        }
    }
}
