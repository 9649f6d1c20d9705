#![doc = include_str!("../docs/npm-ci.md")]

use dockopt_engine::model::Inst;
use dockopt_engine::{Cx, Edit, Finding, Fix, Fixes, Gain, Rule, Transform};
use dockopt_shell::Command;

use crate::run::{run, stage_runs, subcommand, Run};

pub struct NpmCi;

const CODE: &str = "DKR018";
const NAME: &str = "npm-ci";

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "npm ci instead of npm install where a lock file is copied in (opt-in fix)",
    docs: include_str!("../docs/npm-ci.md"),
    fixes: Fixes::Unsafe,
    gain: Gain::Correctness,
};

/// Options of npm that take a value.
const VALUE_OPTS: &[&str] = &[
    "--prefix",
    "-C",
    "--workspace",
    "-w",
    "--cache",
    "--registry",
];

/// The `install` word of a plain `npm install` of the project (no package
/// named, not global, the lock file honoured), and the `--prefix` folder.
fn project_install(c: &Command) -> Option<(usize, Option<String>)> {
    if c.name.text.rsplit('/').next() != Some("npm") {
        return None;
    }
    let verb = subcommand(c, VALUE_OPTS)?;
    if !matches!(c.args[verb].text.as_str(), "install" | "i") {
        return None;
    }
    let mut prefix = None;
    let mut k = 0;
    while let Some(w) = c.args.get(k) {
        let t = w.text.as_str();
        match t {
            "-g" | "--global" | "--no-package-lock" | "--package-lock=false" => return None,
            "--prefix" | "-C" => prefix = c.args.get(k + 1).and_then(dockopt_shell::Word::literal),
            _ if t.starts_with("--prefix=") => {
                prefix = w.literal().map(|l| l["--prefix=".len()..].to_string());
            }
            _ if k != verb
                && !t.starts_with('-')
                && !VALUE_OPTS.contains(&c.args[k.saturating_sub(1)].text.as_str()) =>
            {
                // A package named on the line: not the project's install.
                return None;
            }
            _ => {}
        }
        k += 1;
    }
    Some((verb, prefix))
}

/// The folder the install runs in: the working directory, a leading
/// `cd DIR`, and `--prefix`.
fn folder(m: &Inst<'_>, r: &Run<'_>, c: &Command, prefix: Option<&str>) -> Option<String> {
    let mut dir = m.state.workdir.known()?.to_string();
    let top: Vec<&Command> = r.script.top_level().collect();
    let at = top.iter().position(|x| x.range == c.range)?;
    if at > 0 {
        let [cd] = &top[..at] else { return None };
        if cd.name.text != "cd" {
            return None;
        }
        let [d] = cd.args.as_slice() else { return None };
        dir = dockopt_engine::model::state::absolute(&dir, &d.literal()?);
    }
    if let Some(p) = prefix {
        dir = dockopt_engine::model::state::absolute(&dir, p);
    }
    Some(dir)
}

/// Whether a COPY from the context before `m`, here or in a stage this one
/// is built on, leaves a file at `path`.
fn copied_in(cx: &Cx<'_>, m: &Inst<'_>, path: &str) -> bool {
    let Some(ctx) = cx.context else { return false };
    let mut stage = m.stage;
    let mut before = m.index;
    while let Some(s) = stage {
        let info = &cx.model.stages[s];
        for i in cx.model.insts[info.insts.start..before.min(info.insts.end)]
            .iter()
            .rev()
        {
            let Some(Ok(plan)) = cx.model.copy_plan(i) else {
                continue;
            };
            if i.copy()
                .is_some_and(dockopt_engine::model::CopyView::from_context)
                && plan.source_of(ctx, path).is_some()
            {
                return true;
            }
        }
        stage = info.base_stage();
        before = stage.map_or(0, |b| cx.model.stages[b].insts.end);
    }
    false
}

impl Transform for NpmCi {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        if cx.context.is_none() {
            return;
        }
        for (_, insts) in stage_runs(cx) {
            for inst in insts.iter().filter(|i| i.is("run")) {
                let (Some(m), Some(r)) = (cx.model.inst(inst), run(cx, inst)) else {
                    continue;
                };
                for c in r.script.commands() {
                    let Some((verb, prefix)) = project_install(c) else {
                        continue;
                    };
                    let Some(dir) = folder(m, &r, c, prefix.as_deref()) else {
                        continue;
                    };
                    let lock = ["package-lock.json", "npm-shrinkwrap.json"]
                        .iter()
                        .map(|f| format!("{}/{f}", dir.trim_end_matches('/')))
                        .find(|p| copied_in(cx, m, p));
                    let Some(lock) = lock else { continue };
                    let word = &c.args[verb];
                    let f = Finding::new(
                        CODE,
                        NAME,
                        format!(
                            "`npm {}` with {lock} in the image: `npm ci` installs exactly what the lock file says",
                            word.text
                        ),
                        r.src(word.range.clone()),
                    );
                    out.push(f.with_fix(Fix::unsafe_(
                        "Use npm ci",
                        vec![Edit::replace(r.src(word.range.clone()), "ci")],
                    )));
                }
            }
        }
    }
}
