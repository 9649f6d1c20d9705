#![doc = include_str!("../docs/apt.md")]

use dockopt_engine::{Cx, Edit, Finding, Fix, Fixes, Gain, Rule, Transform};
use dockopt_shell::Command;
use dockopt_syntax::Instruction;

use crate::run::{append, insert_after, is_run, run, stage_runs, subcommand, Run};

pub struct Apt;

const CODE: &str = "DKR002";
const NAME: &str = "apt";

const VALUE_OPTS: &[&str] = &[
    "-o",
    "-c",
    "-t",
    "-a",
    "--option",
    "--config-file",
    "--target-release",
    "--default-release",
    "--host-architecture",
];

fn is_apt(c: &Command) -> bool {
    matches!(
        c.name.text.as_str(),
        "apt-get" | "apt" | "/usr/bin/apt-get" | "/usr/bin/apt"
    )
}

fn sub(c: &Command) -> Option<(usize, &str)> {
    let i = subcommand(c, VALUE_OPTS)?;
    Some((i, c.args[i].text.as_str()))
}

fn is_install(c: &Command) -> bool {
    is_apt(c) && sub(c).is_some_and(|(_, s)| s == "install")
}

fn is_update(c: &Command) -> bool {
    is_apt(c) && sub(c).is_some_and(|(_, s)| s == "update")
}

fn assumes_yes(c: &Command) -> bool {
    c.args.iter().any(|w| {
        let t = w.text.as_str();
        matches!(
            t,
            "-y" | "--yes" | "--assume-yes" | "-qq" | "-q=2" | "--quiet=2" | "--force-yes"
        ) || (t.starts_with('-') && !t.starts_with("--") && t.contains('y'))
            || t.contains("APT::Get::Assume-Yes=")
    })
}

fn no_recommends(c: &Command) -> bool {
    c.args.iter().any(|w| {
        w.text == "--no-install-recommends"
            || w.text.contains("Install-Recommends=false")
            || w.text.contains("Install-Recommends=0")
    })
}

/// Whether an install in this script runs without an update before it in
/// the same script.
fn installs_without_update(cmds: &[Command]) -> Option<&Command> {
    let mut updated = false;
    for c in cmds {
        if is_update(c) {
            updated = true;
        } else if is_install(c) && !updated {
            return Some(c);
        }
    }
    None
}

fn removes_lists(r: &Run<'_>) -> bool {
    r.script.text().contains("/var/lib/apt/lists") || r.has_cache_mount("/var/lib/apt")
}

/// Whether a RUN (or ONBUILD RUN) installs without its own update, or
/// cannot be read and mentions apt: it needs the lists an earlier RUN left.
fn needs_lists(cx: &Cx<'_>, inst: &Instruction<'_>) -> bool {
    if !is_run(inst) {
        return false;
    }
    match run(cx, inst) {
        Some(r) => installs_without_update(r.script.commands()).is_some(),
        None => inst.line().contains("apt"),
    }
}

/// Where the RUNs that need the lists are, found once per file, so that
/// asking for each RUN stays linear in the file.
struct ListUsers {
    /// Per stage: (start offset, line) of each such RUN, in order.
    in_stage: Vec<Vec<(u32, u32)>>,
    /// Per stage: the line of the first such RUN in a stage built from it.
    in_descendants: Vec<Option<u32>>,
}

impl ListUsers {
    fn new(cx: &Cx<'_>) -> Self {
        let stages = &cx.model.stages;
        let in_stage: Vec<Vec<(u32, u32)>> = (0..stages.len())
            .map(|s| {
                cx.model
                    .body(s)
                    .iter()
                    .map(|i| i.syntax)
                    .filter(|i| needs_lists(cx, i))
                    .map(|i| (i.range().start, i.start_line()))
                    .collect()
            })
            .collect();
        // A stage's base comes before it: fold children into their bases
        // from the last stage back. Lines grow with stages, so the first
        // is the smallest.
        let mut in_descendants: Vec<Option<u32>> = vec![None; stages.len()];
        for s in (0..stages.len()).rev() {
            let first = in_stage[s].first().map(|&(_, l)| l).or(in_descendants[s]);
            if let (Some(p), Some(line)) = (stages[s].base_stage(), first) {
                in_descendants[p] = Some(in_descendants[p].map_or(line, |l| l.min(line)));
            }
        }
        Self {
            in_stage,
            in_descendants,
        }
    }

    /// A later RUN, here or in a stage built from this one, that installs
    /// without its own update: it needs the lists `after` would remove.
    fn after(&self, stage: usize, after: &Instruction<'_>) -> Option<u32> {
        let here = &self.in_stage[stage];
        let at = here.partition_point(|&(start, _)| start <= after.range().start);
        here.get(at)
            .map(|&(_, line)| line)
            .or(self.in_descendants[stage])
    }
}

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "apt-get install with -y, update in the same RUN, and no lists left behind",
    docs: include_str!("../docs/apt.md"),
    fixes: Fixes::Both,
    gain: Gain::Size,
};

impl Transform for Apt {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let style = cx.model.style();
        let users = std::cell::OnceCell::new();
        for (stage, insts) in stage_runs(cx) {
            for inst in insts.iter().filter(|i| i.is("run")) {
                let Some(r) = run(cx, inst) else { continue };
                let cmds = r.script.commands();
                let installs: Vec<&Command> = cmds.iter().filter(|c| is_install(c)).collect();
                for c in cmds.iter().filter(|c| c.name.text == "apt") {
                    let scripted = sub(c).is_some_and(|(_, s)| {
                        matches!(
                            s,
                            "install"
                                | "update"
                                | "upgrade"
                                | "dist-upgrade"
                                | "full-upgrade"
                                | "remove"
                                | "purge"
                                | "autoremove"
                        )
                    });
                    if scripted {
                        let at = r.src(c.name.range.clone());
                        let f = Finding::new(
                            CODE,
                            NAME,
                            "apt in a script: its interface is for people; use apt-get",
                            at,
                        )
                        .with_gain(Gain::Correctness);
                        out.push(f.with_fix(Fix::safe(
                            "Use apt-get",
                            vec![Edit::replace(at, "apt-get")],
                        )));
                    }
                }
                for c in &installs {
                    let (si, _) = sub(c).expect("install has a subcommand");
                    let at = r.src(c.name.range.clone());
                    if !assumes_yes(c) {
                        let f = Finding::new(
                            CODE,
                            NAME,
                            "apt-get install without -y: the build cannot answer its prompt",
                            at,
                        )
                        .with_gain(Gain::Correctness);
                        out.push(
                            f.with_fix(Fix::safe("Add -y", vec![insert_after(&r, c, si, "-y")])),
                        );
                    }
                    if !no_recommends(c) {
                        let f = Finding::new(CODE, NAME, "apt-get install without --no-install-recommends also installs recommended packages", at);
                        out.push(f.with_fix(Fix::unsafe_(
                            "Add --no-install-recommends",
                            vec![insert_after(&r, c, si, "--no-install-recommends")],
                        )));
                    }
                }
                if let Some(c) = installs_without_update(cmds) {
                    let at = r.src(c.name.range.clone());
                    let f = Finding::new(CODE, NAME, "apt-get install without apt-get update in the same RUN uses whatever list a cached layer has", at)
    .with_gain(Gain::Correctness);
                    let network_none = r
                        .inst
                        .flags()
                        .any(|fl| fl.name == "network" && fl.value.as_deref() == Some("none"));
                    if network_none {
                        out.push(f.refused("no update added: the RUN has --network=none"));
                    } else if !(c.top_level && r.script.is_and_chain()) {
                        out.push(
                            f.refused("no update added: the install is inside ||, ; or a subshell"),
                        );
                    } else {
                        let edit = Edit::insert(r.src_at(c.range.start), "apt-get update && ");
                        out.push(f.with_fix(Fix::safe("Run apt-get update first", vec![edit])));
                    }
                    continue;
                }
                if installs.is_empty() || removes_lists(&r) {
                    continue;
                }
                let last = r.inst.keyword_range();
                let f = Finding::new(
                    CODE,
                    NAME,
                    "apt lists stay in the layer: remove /var/lib/apt/lists/* in the same RUN",
                    last,
                );
                if let Some(line) = users.get_or_init(|| ListUsers::new(cx)).after(stage, inst) {
                    out.push(f.refused(format!("lists kept: the RUN at line {line} installs without its own apt-get update")));
                    continue;
                }
                match append(cx, &r, "rm -rf /var/lib/apt/lists/*", style) {
                    Ok(edit) => out.push(f.with_fix(Fix::safe("Remove the apt lists", vec![edit]))),
                    Err(why) => out.push(f.refused(format!("lists kept: {why}"))),
                }
            }
        }
    }
}
