#![doc = include_str!("../docs/apk.md")]

use dockopt_engine::{Cx, Edit, Finding, Fix, Fixes, Gain, Rule, Transform};
use dockopt_shell::Command;
use dockopt_syntax::TextRange;

use crate::run::{has_arg, insert_after, run, stage_runs, subcommand};

pub struct Apk;

const CODE: &str = "DKR003";
const NAME: &str = "apk";

const VALUE_OPTS: &[&str] = &[
    "-X",
    "--repository",
    "-p",
    "--root",
    "--arch",
    "-t",
    "--virtual",
    "--repositories-file",
    "--cache-dir",
    "--keys-dir",
];

fn sub(c: &Command) -> Option<(usize, &str)> {
    if c.name.text != "apk" {
        return None;
    }
    let i = subcommand(c, VALUE_OPTS)?;
    Some((i, c.args[i].text.as_str()))
}

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "apk add --no-cache instead of apk update and cache cleanup",
    docs: include_str!("../docs/apk.md"),
    fixes: Fixes::Safe,
    gain: Gain::Size,
};

impl Transform for Apk {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for (_, insts) in stage_runs(cx) {
            for inst in insts.iter().filter(|i| i.is("run")) {
                let Some(r) = run(cx, inst) else { continue };
                if r.has_cache_mount("/var/cache/apk") {
                    continue;
                }
                let cmds = r.script.command_list();
                let adds: Vec<&Command> = cmds
                    .iter()
                    .filter(|c| sub(c).is_some_and(|(_, s)| s == "add"))
                    .collect();
                for c in &adds {
                    if has_arg(c, &["--no-cache"]) {
                        continue;
                    }
                    let (si, _) = sub(c).expect("add");
                    let f = Finding::new(
                        CODE,
                        NAME,
                        "apk add without --no-cache leaves the package index in the layer",
                        r.src(c.name.range.clone()),
                    );
                    out.push(f.with_fix(Fix::safe(
                        "Add --no-cache",
                        vec![insert_after(&r, c, si, "--no-cache")],
                    )));
                }
                if adds.is_empty()
                    || !adds.iter().all(|c| has_arg(c, &["--no-cache"]))
                    || !r.script.is_and_chain()
                {
                    continue;
                }
                // `apk update && ...` at the start: the update only fills the cache.
                let top: Vec<&Command> = cmds.iter().filter(|c| c.top_level).collect();
                if let [first, second, ..] = top.as_slice() {
                    if sub(first).is_some_and(|(_, s)| s == "update") && first.args.len() == 1 {
                        let range = TextRange::new(
                            r.src_at(first.range.start),
                            r.src_at(second.range.start),
                        );
                        let f = Finding::new(
                            CODE,
                            NAME,
                            "apk update is not needed with apk add --no-cache",
                            r.src(first.name.range.clone()),
                        );
                        out.push(
                            f.with_fix(Fix::safe("Remove apk update", vec![Edit::delete(range)])),
                        );
                    }
                }
            }
        }
    }
}
