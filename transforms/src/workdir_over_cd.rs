#![doc = include_str!("../docs/workdir-over-cd.md")]

use dockopt_engine::{Applicability, Cx, Edit, Finding, Fix, Fixes, Gain, Rule, Transform};
use dockopt_syntax::{Instruction, TextRange};

use crate::run::{end_and_gap, run, stage_runs};

pub struct WorkdirOverCd;

const CODE: &str = "DKR010";
const NAME: &str = "workdir-over-cd";

fn root_user(user: &str) -> bool {
    matches!(user.split(':').next(), Some("root" | "0"))
}

/// Whether the working directory set here is overridden before anything
/// depends on it.
fn overridden(later: &[Instruction<'_>]) -> bool {
    for i in later {
        if i.is("workdir") {
            return i.values().first().is_some_and(|d| d.starts_with('/'));
        }
        if [
            "env",
            "arg",
            "label",
            "expose",
            "user",
            "stopsignal",
            "maintainer",
        ]
        .iter()
        .any(|k| i.is(k))
        {
            continue;
        }
        return false;
    }
    false
}

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "WORKDIR instead of a leading mkdir -p DIR && cd DIR",
    docs: include_str!("../docs/workdir-over-cd.md"),
    fixes: Fixes::Both,
    gain: Gain::Correctness,
};

impl Transform for WorkdirOverCd {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for (_, insts) in stage_runs(cx) {
            let mut user_ok = true;
            for (pos, inst) in insts.iter().enumerate() {
                if inst.is("user") {
                    user_ok = inst.values().first().is_some_and(|u| root_user(u));
                }
                if !inst.is("run") {
                    continue;
                }
                let Some(r) = run(cx, inst) else { continue };
                let cmds = r.script.command_list();
                let top: Vec<_> = cmds.iter().filter(|c| c.top_level).collect();
                let [mkdir, cd, rest @ ..] = top.as_slice() else {
                    continue;
                };
                if mkdir.name.text != "mkdir" || cd.name.text != "cd" {
                    continue;
                }
                let [p, dir] = mkdir.args.as_slice() else {
                    continue;
                };
                let ([target], Some(d)) = (cd.args.as_slice(), dir.literal()) else {
                    continue;
                };
                if p.text != "-p" || target.literal().as_deref() != Some(d.as_str()) {
                    continue;
                }
                let f = Finding::new(
                    CODE,
                    NAME,
                    format!("mkdir -p {d} && cd {d}: WORKDIR says this"),
                    r.src(mkdir.name.range.clone()),
                );
                if d.contains('$') {
                    out.push(f.refused("left alone: the directory uses a variable"));
                    continue;
                }
                if !crate::util::plain_path(&d) || d.contains(char::is_whitespace) {
                    out.push(f.refused(
                        "left alone: the directory's name has characters WORKDIR would read differently",
                    ));
                    continue;
                }
                if !user_ok {
                    out.push(f.refused("left alone: a non-root USER is in force"));
                    continue;
                }
                if !r.script.is_and_chain()
                    || cmds
                        .iter()
                        .any(|c| !c.top_level && c.range.start < cd.range.end)
                {
                    continue;
                }
                let line_start = inst.range().start;
                let mut edits = vec![Edit::insert(line_start, format!("WORKDIR {d}\n"))];
                match rest.first() {
                    Some(next) => edits.push(Edit::delete(TextRange::new(
                        r.src_at(mkdir.range.start),
                        r.src_at(next.range.start),
                    ))),
                    None => edits.push(Edit::delete(
                        TextRange::new(line_start, end_and_gap(cx.tree, inst) + 1)
                            .cover(inst.range()),
                    )),
                }
                let applicability = if overridden(&insts[pos + 1..]) {
                    Applicability::Safe
                } else {
                    Applicability::Unsafe
                };
                out.push(f.with_fix(Fix::new(format!("Use WORKDIR {d}"), applicability, edits)));
            }
        }
    }
}
