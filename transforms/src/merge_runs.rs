#![doc = include_str!("../../docs/rules/merge-runs.md")]

use dockopt_engine::{Cx, Edit, Finding, Fix, Transform};
use dockopt_shell::{ParseError, Script, MAX_SCRIPT};
use dockopt_syntax::{Instruction, SyntaxTree, TextRange};

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
    if a.command().flags != b.command().flags {
        return Err("the RUNs have different flags".into());
    }
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
    let isolate_a = !ra.script.state_changes().is_empty();
    let group_b = !rb.script.is_and_chain();
    if (isolate_a || group_b) && errexit_shell(cx, a) {
        return Err("the SHELL runs with -e, which the shell ignores inside an && chain".into());
    }
    let a_text = ra.script.text().trim_end();
    let b_text = rb.script.text().trim_end().trim_end_matches(';');
    let merged = format!(
        "{}{}{} && {}{}{}",
        if isolate_a { "( " } else { "" },
        a_text,
        if isolate_a { " )" } else { "" },
        if group_b { "{ " } else { "" },
        b_text,
        if group_b { "; }" } else { "" },
    );
    if Script::parse(&merged).is_err() {
        return Err("the merged script would not parse".into());
    }
    Ok(join(tree, &ra, &rb, isolate_a, group_b, style))
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

impl Transform for MergeRuns {
    fn code(&self) -> &'static str {
        CODE
    }

    fn name(&self) -> &'static str {
        NAME
    }

    fn summary(&self) -> &'static str {
        "Merge consecutive RUN instructions into one layer"
    }

    fn docs(&self) -> &'static str {
        include_str!("../../docs/rules/merge-runs.md")
    }

    fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let style = Style::of(cx.tree);
        for (_, insts) in stage_runs(cx.tree) {
            // RUNs no transform reads: say so once, here.
            for inst in insts.iter().filter(|i| i.is("run")) {
                if let Err(e @ ParseError::TooLarge(_)) = run_or_why(cx, inst) {
                    let f =
                        Finding::new(CODE, NAME, "RUN too large to analyse", inst.keyword_range());
                    out.push(f.refused(format!("not analysed: {e}; no transform changes it")));
                }
            }
            // The length of the RUN the merges so far make: one merge round
            // must not build a script too large to analyse.
            let mut chain = 0;
            for pair in insts.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                if !a.is("run") || !b.is("run") || !adjacent(cx.tree, a, b) {
                    chain = 0;
                    continue;
                }
                let len = |i: &Instruction<'_>| i.values().first().map_or(0, String::len);
                if chain == 0 {
                    chain = len(a);
                }
                let finding = Finding::new(
                    CODE,
                    NAME,
                    "RUN right after RUN: each makes a layer",
                    b.keyword_range(),
                );
                chain += len(b) + 8;
                if chain > MAX_SCRIPT {
                    chain = 0;
                    out.push(finding.refused(format!(
                        "left separate: the merged script would be over the {MAX_SCRIPT}-byte \
                         limit for analysis"
                    )));
                    continue;
                }
                match merge_edits(cx, a, b, &style) {
                    Ok(edits) => {
                        out.push(finding.with_fix(Fix::safe("Merge into the previous RUN", edits)));
                    }
                    Err(why) => {
                        chain = 0;
                        out.push(finding.refused(format!("left separate: {why}")));
                    }
                }
            }
        }
    }
}
