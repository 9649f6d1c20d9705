#![doc = include_str!("../docs/hoist-manifests.md")]

use dockopt_engine::model::{Certainty, Inst};
use dockopt_engine::{Cx, Edit, Finding, Fix, Fixes, Gain, Rule, Transform};
use dockopt_shell::Command;
use dockopt_syntax::{Instruction, TextRange};

use crate::manifests::{
    at, context_free, is_installer, moved_by, parent, plan, Layout, Placed, Plan,
};
use crate::run::{end_and_gap, run, stage_runs, Run};
use crate::util::{instruction_words, plain_path};

pub struct HoistManifests;

const CODE: &str = "DKR011";
const NAME: &str = "hoist-manifests";

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "Copy dependency manifests and install before the source COPY",
    docs: include_str!("../docs/hoist-manifests.md"),
    fixes: Fixes::Both,
    gain: Gain::Rebuild,
};

/// Where and how the install runs inside its RUN.
struct Site {
    /// The folder the install runs in (image path).
    cwd: String,
    /// A leading `cd DIR` as written, which the hoisted RUN repeats.
    cd: Option<String>,
    /// The install's place among the script's top-level commands.
    index: usize,
}

/// A hoist that can be written.
struct Hoist {
    site: Site,
    plan: Plan,
    /// The script of the hoisted RUN.
    script: String,
}

impl Transform for HoistManifests {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let Some(ctx) = cx.context else { return };
        for (_, insts) in stage_runs(cx) {
            for (pos, copy) in insts.iter().enumerate() {
                let Some(model) = cx.model.inst(copy) else {
                    continue;
                };
                let Some(view) = model.copy() else { continue };
                if view.add || !view.from_context() {
                    continue;
                }
                let ([src], [_, dest]) = (view.sources.as_slice(), copy.values()) else {
                    continue;
                };
                // The first RUN after the COPY that installs from manifests.
                let Some((rpos, r, cmd)) =
                    insts[pos + 1..].iter().enumerate().find_map(|(k, i)| {
                        let r = run(cx, i)?;
                        let c = r
                            .script
                            .commands()
                            .iter()
                            .find(|c| c.top_level && is_installer(c) && !context_free(c))?
                            .clone();
                        Some((pos + 1 + k, r, c))
                    })
                else {
                    continue;
                };
                if !ctx.is_dir(&src.text) {
                    continue;
                }
                let Some(Ok(layout)) = cx.model.copy_plan(model) else {
                    continue;
                };
                let lay = Layout { ctx, plan: &layout };
                let text = &r.script.text()[cmd.range.clone()];
                let finding = Finding::new(
                    CODE,
                    NAME,
                    format!("`{text}` reruns whenever any copied file changes: copy the manifests first"),
                    copy.keyword_range(),
                );
                let Some(run_inst) = cx.model.inst(&r.inst) else {
                    continue;
                };
                let hoist = prepare(&lay, run_inst, &r, &cmd, text);
                if hoist
                    .as_ref()
                    .is_ok_and(|h| already_hoisted(&insts[..pos], h))
                {
                    continue;
                }
                let checked = hoist.and_then(|h| {
                    check_between(&insts[pos + 1..rpos])?;
                    if !h.plan.keep_original && !r.script.is_and_chain() {
                        return Err("the install is not the first step of a plain && chain".into());
                    }
                    fix(cx.tree, copy, dest, &layout.dest, &r, &cmd, &h)
                });
                match checked {
                    Ok(fix) => out.push(finding.with_fix(fix)),
                    Err(why) => out.push(finding.refused(format!("left in place: {why}"))),
                }
            }
        }
    }
}

/// The folder the install runs in, the manifests it reads there, and the
/// hoisted script; or why the install cannot move.
fn prepare(
    lay: &Layout<'_>,
    run_inst: &Inst<'_>,
    r: &Run<'_>,
    cmd: &Command,
    text: &str,
) -> Result<Hoist, String> {
    let site = site(run_inst, r, cmd)?;
    for var in moved_by(cmd) {
        if run_inst.state.env(var).is_set() {
            return Err(format!("ENV {var} moves the manifest the install reads"));
        }
    }
    let plan = plan(lay, &site.cwd, cmd, text)?;
    // The hoisted `cd` needs its folder: the manifests must create it.
    let made = |p: &Placed| {
        p.dest
            .starts_with(&format!("{}/", site.cwd.trim_end_matches('/')))
    };
    if site.cd.is_some() && !plan.files.iter().chain(&plan.dirs).any(made) {
        return Err(format!(
            "no manifest lies in {}, which the hoisted step would enter",
            site.cwd
        ));
    }
    let script = hoisted_script(r, cmd, &site, &plan);
    Ok(Hoist { site, plan, script })
}

/// Where the install runs: the RUN's working directory, or the folder a
/// leading `cd DIR &&` enters.
fn site(run_inst: &Inst<'_>, r: &Run<'_>, cmd: &Command) -> Result<Site, String> {
    let wd = &run_inst.state.workdir;
    if wd.certainty == Certainty::Unknown {
        return Err("the working directory is not known".into());
    }
    let top: Vec<&Command> = r.script.top_level().collect();
    let index = top
        .iter()
        .position(|c| c.range == cmd.range)
        .ok_or("the install does not run in the RUN's own shell")?;
    let script = r.script.text();
    match index {
        0 => Ok(Site {
            cwd: wd.text.clone(),
            cd: None,
            index,
        }),
        1 if top[0].name.text == "cd" => {
            let dir = match top[0].args.as_slice() {
                [w] => w.literal().filter(|d| !d.starts_with(['-', '~'])),
                _ => None,
            };
            let dir = dir.ok_or_else(|| {
                format!(
                    "`{}` enters a folder that is not known before the build",
                    &script[top[0].range.clone()]
                )
            })?;
            Ok(Site {
                cwd: at(&wd.text, &dir),
                cd: Some(script[top[0].range.clone()].to_string()),
                index,
            })
        }
        // Steps that read nothing from the context move along with it.
        _ if top[..index].iter().all(|c| context_free(c)) => Ok(Site {
            cwd: wd.text.clone(),
            cd: None,
            index,
        }),
        _ => Err(format!(
            "`{}` runs before the install in the same RUN",
            short(&script[top[index - 1].range.clone()])
        )),
    }
}

/// A command for a message: whitespace collapsed, long ones cut.
fn short(command: &str) -> String {
    let words: Vec<&str> = command.split_whitespace().collect();
    if words.len() <= 4 {
        words.join(" ")
    } else {
        format!("{} ...", words[..4].join(" "))
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

/// Whether the whole RUN moves: the install, any leading `cd`, and only
/// cache cleanup after it.
fn moves_whole(r: &Run<'_>, site: &Site, p: &Plan) -> bool {
    !p.keep_original && r.script.top_level().skip(site.index + 1).all(is_cleanup)
}

/// The script the hoisted RUN runs, in the folder the install ran in.
fn hoisted_script(r: &Run<'_>, cmd: &Command, site: &Site, p: &Plan) -> String {
    let text = r.script.text();
    if moves_whole(r, site, p) {
        let whole = format!(
            "{}{}{}",
            &text[..cmd.range.start],
            p.install,
            &text[cmd.range.end..]
        );
        return whole.trim().to_string();
    }
    // The steps before it (a `cd`, or steps that read nothing from the
    // context) run first, as they did.
    format!("{}{}", &text[..cmd.range.start], p.install)
        .trim()
        .to_string()
}

/// The folders the hoisted COPYs write, in order, with the files each gets.
fn groups(p: &Plan) -> Vec<(&str, Vec<&Placed>)> {
    let mut out: Vec<(&str, Vec<&Placed>)> = Vec::new();
    for f in &p.files {
        let folder = parent(&f.dest);
        match out.iter_mut().find(|(d, _)| *d == folder) {
            Some((_, list)) => list.push(f),
            None => out.push((folder, vec![f])),
        }
    }
    out
}

/// Whether the manifests are already copied and the step already run just
/// before the broad COPY (by an earlier fix, or by hand).
fn already_hoisted(before: &[Instruction<'_>], h: &Hoist) -> bool {
    let Some((step, rest)) = before.split_last() else {
        return false;
    };
    let ran = step.is("run")
        && step
            .values()
            .first()
            .is_some_and(|v| v.contains(h.script.as_str()));
    let n = groups(&h.plan).len() + h.plan.dirs.len();
    let copies: Vec<&Instruction<'_>> = rest.iter().rev().take(n).collect();
    ran && copies.len() == n
        && copies.iter().all(|c| c.is("copy"))
        && h.plan
            .files
            .iter()
            .all(|m| copies.iter().any(|c| c.values().contains(&m.source)))
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

/// The destination to write for image folder `folder`: the broad COPY's
/// own destination (`written`, which resolves to `root`) and the path below
/// it, so that each file lands where the broad COPY puts it.
fn dest_for(written: &str, root: &str, folder: &str) -> String {
    let base = if written.ends_with('/') {
        written.to_string()
    } else {
        format!("{written}/")
    };
    if folder == root {
        return base;
    }
    let prefix = if root == "/" {
        "/".to_string()
    } else {
        format!("{root}/")
    };
    match folder.strip_prefix(&prefix) {
        Some(rel) => format!("{base}{rel}/"),
        None => format!("{folder}/"),
    }
}

fn fix(
    tree: &dockopt_syntax::SyntaxTree,
    copy: &Instruction<'_>,
    dest: &str,
    root: &str,
    r: &Run<'_>,
    cmd: &Command,
    h: &Hoist,
) -> Result<Fix, String> {
    let p = &h.plan;
    // Names from the build context become COPY sources, which BuildKit
    // expands and matches as globs.
    let names = p.files.iter().chain(&p.dirs).map(|f| &f.source);
    if let Some(bad) = names.clone().find(|m| !plain_path(m)) {
        return Err(format!(
            "{bad:?} has characters a COPY source would read differently"
        ));
    }
    let flags: Vec<String> = copy
        .flags()
        .filter(|f| matches!(f.name.as_str(), "chown" | "chmod" | "link"))
        .map(|f| tree.str(f.range).to_string())
        .collect();
    let copy_kw = crate::util::same_case(copy.keyword(), "COPY");
    let run_kw = crate::util::same_case(r.inst.keyword(), "RUN");
    let line = |sources: Vec<&str>, folder: &str| -> Result<String, String> {
        let mut head = vec![copy_kw.as_str()];
        head.extend(flags.iter().map(String::as_str));
        // Always a folder: several sources land inside it by base name,
        // which is the name each has below the broad COPY too.
        let mut words: Vec<String> = sources.into_iter().map(str::to_string).collect();
        words.push(dest_for(dest, root, folder));
        Ok(format!(
            "{} {}\n",
            head.join(" "),
            instruction_words(&words)?
        ))
    };
    let mut hoisted = String::new();
    for (folder, files) in groups(p) {
        hoisted += &line(files.iter().map(|f| f.source.as_str()).collect(), folder)?;
    }
    for d in &p.dirs {
        // A folder source copies its contents: name the target folder.
        hoisted += &line(vec![d.source.as_str()], &d.dest)?;
    }
    let mut run_line = vec![run_kw];
    // Flags as written: their values keep their quoting.
    run_line.extend(r.inst.flags().map(|f| tree.str(f.range).to_string()));
    run_line.push(h.script.clone());
    hoisted += &(run_line.join(" ") + "\n");
    let sources: Vec<&str> = p.files.iter().map(|f| f.source.as_str()).collect();
    let mut edits = vec![Edit::insert(copy.range().start, hoisted)];
    if p.keep_original {
        let title = format!(
            "Fetch dependencies from {} before the COPY",
            sources.join(", ")
        );
        return Ok(Fix::new(title, p.applicability, edits));
    }
    let top: Vec<&Command> = r.script.top_level().collect();
    match top.get(h.site.index + 1) {
        Some(next) if !moves_whole(r, &h.site, p) => {
            // Keep the rest of the RUN where it was, after its `cd`; steps
            // before the install moved with it.
            let from = if h.site.cd.is_some() {
                cmd.range.start
            } else {
                top[0].range.start
            };
            edits.push(Edit::delete(TextRange::new(
                r.src_at(from),
                r.src_at(next.range.start),
            )));
        }
        _ => {
            let end = end_and_gap(tree, &r.inst);
            edits.push(Edit::delete(
                TextRange::new(r.inst.range().start, end).cover(r.inst.range()),
            ));
        }
    }
    Ok(Fix::new(
        format!("Install from {} before the COPY", sources.join(", ")),
        p.applicability,
        edits,
    ))
}
