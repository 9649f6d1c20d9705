#![doc = include_str!("../docs/downloads.md")]

use dockopt_engine::{Cx, Finding, Fix, Fixes, Gain, Rule, Transform};
use dockopt_shell::{Command, Script};
use dockopt_syntax::Instruction;

use crate::merge_runs::merge_edits;
use crate::run::{adjacent, append, run, stage_runs};

pub struct Downloads;

const CODE: &str = "DKR007";
const NAME: &str = "downloads";
/// Downloads checked per file: each check reads the rest of the file.
const MAX_DOWNLOADS: usize = 64;

fn basename(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let name = path.rsplit('/').next()?;
    (!name.is_empty() && url.contains("://")).then(|| name.to_string())
}

/// The file a download command writes, if it names one literally.
fn downloaded(c: &Command) -> Option<String> {
    let args: Vec<String> = c
        .args
        .iter()
        .map(dockopt_shell::Word::literal)
        .collect::<Option<_>>()?;
    let url = args.iter().find(|a| a.contains("://"))?;
    match c.name.text.as_str() {
        "curl" => {
            for (i, a) in args.iter().enumerate() {
                match a.as_str() {
                    "-o" | "--output" => return args.get(i + 1).cloned(),
                    "-O" | "--remote-name" => return basename(url),
                    s if s.starts_with("-o") && s.len() > 2 && !s.starts_with("--") => {
                        return Some(s[2..].to_string())
                    }
                    s if s.starts_with('-') && !s.starts_with("--") && s.ends_with('o') => {
                        return args.get(i + 1).cloned()
                    }
                    s if s.starts_with('-') && !s.starts_with("--") && s.ends_with('O') => {
                        return basename(url)
                    }
                    _ => {}
                }
            }
            None
        }
        "wget" => {
            for (i, a) in args.iter().enumerate() {
                match a.as_str() {
                    "-O" => return args.get(i + 1).cloned().filter(|f| f != "-"),
                    s if s.starts_with("--output-document=") => {
                        return Some(s["--output-document=".len()..].to_string())
                    }
                    "-P" | "--directory-prefix" => return None,
                    _ => {}
                }
            }
            basename(url)
        }
        _ => None,
    }
}

/// Whether a command extracts `file` and leaves it in place.
fn extracts(c: &Command, file: &str) -> bool {
    let names = |w: &dockopt_shell::Word| {
        w.literal().is_some_and(|l| {
            l == file || l.ends_with(&format!("/{file}")) || file.ends_with(&format!("/{l}"))
        })
    };
    match c.name.text.as_str() {
        "tar" => {
            let extract = c.args.iter().any(|w| {
                w.text == "--extract"
                    || w.text == "-x"
                    || (!w.text.starts_with("--")
                        && w.text.contains('x')
                        && c.args.first() == Some(w))
            });
            extract && c.args.iter().any(names)
        }
        "unzip" => c.args.iter().any(names),
        _ => false,
    }
}

fn removes(script: &Script, file: &str) -> bool {
    script.commands().iter().any(|c| {
        c.name.text == "rm"
            && c.args
                .iter()
                .any(|w| w.text.contains(file) || w.literal().as_deref() == Some(file))
    })
}

/// Later instructions that mention the file keep it needed.
fn used_later(cx: &Cx<'_>, stage: usize, after: &Instruction<'_>, file: &str) -> bool {
    let stages = cx.tree.stages();
    let name = file.rsplit('/').next().unwrap_or(file);
    let later = stages[stage]
        .instructions
        .iter()
        .filter(|i| i.range().start > after.range().start);
    let children = cx
        .model
        .descendants(stage)
        .into_iter()
        .flat_map(|d| stages[d].instructions.clone());
    let copied_from = stages
        .iter()
        .flat_map(|s| s.instructions.iter())
        .any(|i| i.flag("from").is_some() && i.line().contains(name));
    copied_from
        || later
            .chain(children.collect::<Vec<_>>().iter())
            .any(|i| i.line().contains(name))
}

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "Download, extract and delete an archive in one RUN",
    docs: include_str!("../docs/downloads.md"),
    fixes: Fixes::Safe,
    gain: Gain::Size,
};

impl Transform for Downloads {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let style = cx.model.style();
        let mut seen = 0;
        for (stage, insts) in stage_runs(cx) {
            for (pos, inst) in insts.iter().enumerate().filter(|(_, i)| i.is("run")) {
                let Some(r) = run(cx, inst) else { continue };
                let cmds = r.script.commands();
                for (k, c) in cmds.iter().enumerate() {
                    let Some(file) = downloaded(c) else { continue };
                    let at = r.src(c.name.range.clone());
                    let f = Finding::new(
                        CODE,
                        NAME,
                        format!("the downloaded archive {file} stays in the layer"),
                        at,
                    );
                    seen += 1;
                    if seen > MAX_DOWNLOADS {
                        out.push(f.refused(format!(
                            "kept: the file downloads more than {MAX_DOWNLOADS} archives; \
                             the rest are not checked"
                        )));
                        return;
                    }
                    if cmds[k + 1..].iter().any(|e| extracts(e, &file)) {
                        if removes(&r.script, &file) {
                            continue;
                        }
                        if used_later(cx, stage, inst, &file) {
                            out.push(f.refused(format!("kept: a later instruction uses {file}")));
                        } else if !file.starts_with('/') && !r.script.state_changes().is_empty() {
                            out.push(f.refused("kept: the script changes directory"));
                        } else {
                            let rm = format!("rm -f {}", dockopt_shell::quote(&file));
                            match append(cx, &r, &rm, style) {
                                Ok(e) => out.push(f.with_fix(Fix::safe(
                                    format!("Remove {file} after extracting it"),
                                    vec![e],
                                ))),
                                Err(why) => out.push(f.refused(format!("kept: {why}"))),
                            }
                        }
                        continue;
                    }
                    // Extracted by the next RUN: fold the two together first.
                    let Some(next) = insts
                        .get(pos + 1)
                        .filter(|n| n.is("run") && adjacent(cx.tree, inst, n))
                    else {
                        continue;
                    };
                    let Some(nr) = run(cx, next) else { continue };
                    if !nr.script.commands().iter().any(|e| extracts(e, &file)) {
                        continue;
                    }
                    match merge_edits(cx, inst, next, style) {
                        Ok(edits) => out.push(f.with_fix(Fix::safe(
                            "Fold the download and the extraction into one RUN",
                            edits,
                        ))),
                        Err(why) => out.push(f.refused(format!("kept: {why}"))),
                    }
                }
            }
        }
    }
}
