#![doc = include_str!("../docs/merge-runs.md")]

use dockopt_engine::model::{ScriptError, ScriptInfo, State};
use dockopt_engine::{Cx, Edit, Finding, Fix, Fixes, Gain, Rule, Transform};
use dockopt_shell::{ParseError, MAX_SCRIPT};
use dockopt_syntax::{Instruction, ItemKind, SyntaxTree, TextRange};

use crate::cost;

use crate::run::{
    adjacent, comments_between, end_and_gap, errexit_shell, run_or_why, stage_runs, Run, Style,
};

pub struct MergeRuns;

const CODE: &str = "DKR001";
const NAME: &str = "merge-runs";

/// The edits that merge RUN `b` into RUN `a`, or why not.
pub fn merge_edits<'a>(
    cx: &Cx<'a>,
    a: &Instruction<'a>,
    b: &Instruction<'a>,
    style: &Style,
) -> Result<Vec<Edit>, String> {
    let tree = cx.tree;
    if a.is_json() || b.is_json() {
        return Err("exec-form RUN".into());
    }
    if a.heredocs().next().is_some() || b.heredocs().next().is_some() {
        return Err("a heredoc".into());
    }
    let extra = extra_mounts(a, b)?;
    let ra = run_or_why(cx, a).map_err(|e| e.to_string())?;
    let rb = run_or_why(cx, b).map_err(|e| e.to_string())?;
    if let Some(why) = ra
        .script
        .blockers()
        .into_iter()
        .chain(rb.script.blockers())
        .next()
    {
        return Err(why.into());
    }
    if ra.script.sets_errexit() || rb.script.sets_errexit() {
        return Err("set -e, which the shell ignores inside an && chain".into());
    }
    if let Some(m) = cx.model.inst(b) {
        if let Some(why) = changes_next_shell(&ra.script, &m.state) {
            return Err(why);
        }
    }
    let isolate_a = !ra.script.state_changes().is_empty();
    let group_b = !rb.script.is_and_chain();
    if (isolate_a || group_b) && errexit_shell(cx, a) {
        return Err("the SHELL runs with -e, which the shell ignores inside an && chain".into());
    }
    // The merged script as the next round will read it (line breaks and
    // comments of the continuation gone), parsed once for both.
    let a_text = ra.script.text().trim_end();
    let b_text = rb.script.text().trim_end();
    let close = if b_text.ends_with(';') { " }" } else { "; }" };
    let merged = format!(
        "{}{a_text}{}{}{}{b_text}{}",
        if isolate_a { "( " } else { "" },
        if isolate_a { " )" } else { "" },
        style.and_then_joined(),
        if group_b { "{ " } else { "" },
        if group_b { close } else { "" },
    );
    if cx.model.parse(&merged).is_none() {
        return Err("the merged script would not parse".into());
    }
    let mut edits = join(tree, &ra, &rb, isolate_a, group_b, style);
    if !extra.is_empty() {
        // The merged RUN keeps the second one's cache mounts too.
        let at = a
            .flags()
            .last()
            .map_or(a.keyword_range().end, |f| f.range.end);
        edits.push(Edit::insert(at, format!(" {}", extra.join(" "))));
    }
    Ok(edits)
}

/// The flags of `b` that `a` lacks, when they are only cache or tmpfs
/// mounts: the merged RUN gets them all (a cache mount changes no file the
/// other part writes outside it). Any other difference stops the merge.
fn extra_mounts(a: &Instruction<'_>, b: &Instruction<'_>) -> Result<Vec<String>, String> {
    let (fa, fb) = (&a.command().flags, &b.command().flags);
    if fa == fb {
        return Ok(Vec::new());
    }
    let cache = |f: &String| {
        f.starts_with("--mount=")
            && f.split(',').any(|kv| {
                let kv = kv.trim_start_matches("--mount=");
                kv == "type=cache" || kv == "type=tmpfs"
            })
    };
    let others = |fs: &[String]| fs.iter().filter(|f| !cache(f)).cloned().collect::<Vec<_>>();
    if others(fa) != others(fb) {
        return Err("the RUNs have different flags".into());
    }
    Ok(fb.iter().filter(|f| !fa.contains(f)).cloned().collect())
}

/// Whether merging pays, and what it buys: a layer that no longer keeps what
/// the next RUN deletes, an `apt-get update` that no cached layer can make
/// stale, or one layer for two cheap steps. Two steps of which one is
/// expensive (an install, a download, a build) stay apart, so that editing
/// one does not run the other again.
///
/// `a` is the RUN the merges before this one make: all its commands and its
/// text.
fn pays(a: &Merged, cx: &Cx<'_>, b: &Instruction<'_>) -> Result<Gain, String> {
    let rb = run_or_why(cx, b).map_err(|e| e.to_string())?;
    let (ca, cb) = (a.commands.as_slice(), rb.script.commands());
    if cost::only_apt_update(ca) && cost::apt_install(cb) {
        return Ok(Gain::Correctness);
    }
    let costly = |cmds: &[dockopt_shell::Command]| {
        cmds.iter()
            .find_map(|c| cost::expensive(c).map(|why| (c.name.text.clone(), why)))
    };
    match (costly(ca), costly(cb)) {
        (None, None) => Ok(Gain::Size),
        // The next RUN only deletes what the expensive one left: one layer
        // without it is smaller, and nothing else runs again.
        (Some(_), None) if cost::only_cleanup(ca, &a.text, cb) => Ok(Gain::Size),
        // The step this merge would add is named first.
        (_, Some((name, why))) | (Some((name, why)), None) => Err(format!(
            "`{name}` is {why}: merged, it would run again whenever the other RUN changes, and nothing is saved"
        )),
    }
}

/// A RUN as the merges of this round make it: the commands and text of
/// every RUN merged into it so far.
/// The most a join adds to the merged RUN: ` \`, a line break, the
/// indentation and `&& `.
const JOIN_MAX: usize = 32;

struct Merged {
    commands: Vec<dockopt_shell::Command>,
    text: String,
    /// An upper bound of the merged RUN's length as BuildKit reads it:
    /// each join adds a line continuation and its indentation.
    size: usize,
}

impl Merged {
    fn of(cx: &Cx<'_>, inst: &Instruction<'_>) -> Option<Self> {
        let r = run_or_why(cx, inst).ok()?;
        Some(Self {
            commands: r.script.commands().to_vec(),
            text: r.script.text().to_string(),
            size: inst.values().first().map_or(0, String::len),
        })
    }

    fn extend(&mut self, other: Self) {
        self.commands.extend(other.commands);
        self.text.push_str(" && ");
        self.text.push_str(&other.text);
        self.size += other.size + JOIN_MAX;
    }
}

/// The line of a hadolint pragma between two RUNs (or above the second):
/// merged, the pragma would sit inside the RUN and no longer apply.
fn pragma_between(tree: &SyntaxTree, a: &Instruction<'_>, b: &Instruction<'_>) -> Option<u32> {
    tree.items()
        .iter()
        .filter(|i| {
            i.range.start >= a.range().end
                && i.range.end <= b.range().start
                && i.kind == ItemKind::Comment
        })
        .find(|i| {
            String::from_utf8_lossy(tree.text(i.range))
                .trim_start_matches(['#', ' ', '\t'])
                .starts_with("hadolint")
        })
        .map(|i| tree.line_index().line_col(i.range.start).line)
}

/// Programs that replace or remove a file named in their arguments.
const FILE_WRITERS: &[&str] = &[
    "ln",
    "mv",
    "cp",
    "rm",
    "install",
    "update-alternatives",
    "dpkg-divert",
];

/// Startup files a login or interactive shell reads.
const STARTUP_FILES: &[&str] = &[
    "/etc/profile",
    ".profile",
    ".bash_profile",
    ".bash_login",
    ".bashrc",
    "/etc/bash.bashrc",
    "/etc/environment",
];

/// What in script `a` changes the shell that the next RUN starts, which a
/// merged script would not see: the shell's own program replaced (`ln -sf
/// bash /bin/sh`), or startup files the shell in force reads written.
fn changes_next_shell(a: &ScriptInfo, next: &State) -> Option<String> {
    let shell = next.shell.first().map_or("/bin/sh", String::as_str);
    let names_shell = |w: &str| {
        let w = w.trim_matches(['\'', '"']);
        w == shell
            || w == "/bin/sh"
            || w == "/usr/bin/sh"
            || w.ends_with(&format!("/{}", shell.rsplit('/').next().unwrap_or(shell)))
                && w.contains("bin/")
    };
    for c in a.commands() {
        let program = c.name.text.rsplit('/').next().unwrap_or_default();
        if FILE_WRITERS.contains(&program) && c.args.iter().any(|w| names_shell(&w.text)) {
            return Some(format!(
                "`{}` replaces the shell ({shell}) that the next RUN starts",
                c.name.text
            ));
        }
    }
    let reads_startup = next.shell.iter().skip(1).any(|a| {
        a == "--login"
            || a == "-i"
            || (a.starts_with('-') && !a.starts_with("--") && a.contains(['l', 'i']))
    }) || next.run_var("BASH_ENV").is_some()
        || next.run_var("ENV").is_some();
    if reads_startup && STARTUP_FILES.iter().any(|f| a.text().contains(f)) {
        return Some("it writes a startup file that the next RUN's shell reads".into());
    }
    None
}

fn join(
    tree: &SyntaxTree,
    a: &Run<'_>,
    b: &Run<'_>,
    isolate_a: bool,
    group_b: bool,
    style: &Style,
) -> Vec<Edit> {
    let mut edits = Vec::new();
    let gap_start = end_and_gap(tree, &a.inst);
    let b_start = b.src_at(0);
    let comments = comments_between(tree, a.inst.range().end, b.inst.range().start);
    let mut joint = String::new();
    if isolate_a {
        // Spaced, so that `( (a) )` is never read as arithmetic `((`.
        edits.push(Edit::insert(a.src_at(0), "( "));
        joint.push_str(" )");
    }
    joint.push_str(&style.and_then(&comments));
    if group_b {
        joint.push_str("{ ");
        let b_text = b.script.text();
        let trimmed = b_text.trim_end();
        let end = b.src_at(trimmed.len().saturating_sub(1)) + 1;
        let close = if trimmed.ends_with(';') { " }" } else { "; }" };
        edits.push(Edit::insert(end, close));
    }
    // From the end of a's text to the start of b's script: a's line ending,
    // blank lines, comments, and b's keyword and flags.
    edits.push(Edit::replace(TextRange::new(gap_start, b_start), joint));
    edits
}

static RULE: Rule = Rule {
    code: CODE,
    name: NAME,
    summary: "Merge consecutive RUN instructions into one layer",
    docs: include_str!("../docs/merge-runs.md"),
    fixes: Fixes::Safe,
    gain: Gain::Size,
};

impl Transform for MergeRuns {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let style = cx.model.style();
        for (_, insts) in stage_runs(cx) {
            // RUNs no transform reads: say so once, here.
            for inst in insts.iter().filter(|i| i.is("run")) {
                if let Err(e @ ScriptError::Parse(ParseError::TooLarge(_))) = run_or_why(cx, inst) {
                    let f =
                        Finding::new(CODE, NAME, "RUN too large to analyse", inst.keyword_range());
                    out.push(f.refused(format!("not analysed: {e}; no transform changes it")));
                }
            }
            // The RUN the merges picked so far in this chain make: whether
            // the next merge pays is judged against all of it, as the next
            // round would, and the whole chain merges in one round.
            let mut group: Option<Merged> = None;
            for pair in insts.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                if !a.is("run") || !b.is("run") || !adjacent(cx.tree, a, b) {
                    group = None;
                    continue;
                }
                let finding = Finding::new(
                    CODE,
                    NAME,
                    "RUN right after RUN: each makes a layer",
                    b.keyword_range(),
                );
                let merged = group.take().or_else(|| Merged::of(cx, a));
                if let Some(line) = pragma_between(cx.tree, a, b) {
                    out.push(finding.refused(format!(
                        "left separate: the hadolint pragma at line {line} applies to the RUN below it"
                    )));
                    continue;
                }
                let len = |i: &Instruction<'_>| i.values().first().map_or(0, String::len);
                let so_far = merged.as_ref().map_or_else(|| len(a), |m| m.size);
                if so_far + len(b) + JOIN_MAX > MAX_SCRIPT {
                    out.push(finding.refused(format!(
                        "left separate: the merged script would be over the {MAX_SCRIPT}-byte \
                         limit for analysis"
                    )));
                    continue;
                }
                // What stops the merge outright is said first, then whether
                // it would pay.
                let planned = merge_edits(cx, a, b, style).and_then(|e| {
                    let m = merged
                        .as_ref()
                        .ok_or("a shell script that does not parse cleanly")?;
                    Ok((e, pays(m, cx, b)?))
                });
                match planned {
                    Ok((edits, gain)) => {
                        out.push(
                            finding.with_gain(gain).with_fix(
                                Fix::safe("Merge into the previous RUN", edits)
                                    .reading(a.range())
                                    .reading(b.range()),
                            ),
                        );
                        group = merged.zip(Merged::of(cx, b)).map(|(mut m, next)| {
                            m.extend(next);
                            m
                        });
                    }
                    Err(why) => out.push(finding.refused(format!("left separate: {why}"))),
                }
            }
        }
    }
}
