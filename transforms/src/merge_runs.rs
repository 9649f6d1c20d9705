#![doc = include_str!("../docs/merge-runs.md")]

use dockopt_engine::model::{ScriptInfo, State};
use dockopt_engine::{Cx, Edit, Finding, Fix, Fixes, Rule, Transform};
use dockopt_syntax::{Instruction, SyntaxTree, TextRange};

use crate::run::{
    adjacent, comments_between, end_and_gap, errexit_shell, run, stage_runs, Run, Style,
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
    if a.command().flags != b.command().flags {
        return Err("the RUNs have different flags".into());
    }
    let (Some(ra), Some(rb)) = (run(cx, a), run(cx, b)) else {
        return Err("a shell script that does not parse cleanly".into());
    };
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
    Ok(join(tree, &ra, &rb, isolate_a, group_b, style))
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
};

impl Transform for MergeRuns {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let style = cx.model.style();
        for (_, insts) in stage_runs(cx) {
            for pair in insts.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                if !a.is("run") || !b.is("run") || !adjacent(cx.tree, a, b) {
                    continue;
                }
                let finding = Finding::new(
                    CODE,
                    NAME,
                    "RUN right after RUN: each makes a layer",
                    b.keyword_range(),
                );
                match merge_edits(cx, a, b, style) {
                    Ok(edits) => {
                        out.push(finding.with_fix(Fix::safe("Merge into the previous RUN", edits)));
                    }
                    Err(why) => out.push(finding.refused(format!("left separate: {why}"))),
                }
            }
        }
    }
}
