//! The fix pipeline: check, apply non-overlapping fixes, re-parse, repeat.
//!
//! A pure function from text, transforms, settings and context to new text
//! and findings. Before it hands back changed text it checks that the text
//! parses without new errors, prints back as itself, and is stable: a further
//! round would change nothing. Otherwise the original text is kept and the
//! findings say why.

use std::collections::HashSet;

use dockopt_syntax::{parse, SyntaxTree};

use crate::config::Settings;
use crate::context::BuildContext;
use crate::finding::Finding;
use crate::fix::{apply, uses_crlf, Applicability, Edit};
use crate::suppress::Suppressions;
use crate::transform::{Cx, Shared, Transform};

/// Rounds before the pipeline gives up on converging.
pub const MAX_ROUNDS: usize = 10;

/// Runs the enabled transforms once over a parsed file.
pub fn check_tree(
    tree: &SyntaxTree,
    transforms: &[&dyn Transform],
    settings: &Settings,
    context: Option<&BuildContext<'_>>,
) -> Vec<Finding> {
    let suppressions = Suppressions::from_tree(tree);
    let shared = Shared::default();
    let mut findings = Vec::new();
    for t in transforms
        .iter()
        .filter(|t| settings.selection.enabled(**t))
    {
        let cx = Cx {
            tree,
            context,
            options: settings.options.get(t.name()),
            shared: &shared,
        };
        let mut found = Vec::new();
        t.check(&cx, &mut found);
        findings.extend(
            found
                .into_iter()
                .filter(|f| !suppressions.is_suppressed(f.code, f.name, f.range.start)),
        );
    }
    for f in &mut findings {
        guard_edits(tree, f);
    }
    findings.sort_by(|a, b| (a.range.start, a.code).cmp(&(b.range.start, b.code)));
    findings
}

/// Why a fix cannot be applied to the bytes of the file, if it cannot.
pub const NOT_UTF8: &str = "fix not applied: it would write text copied from bytes that are not \
     valid UTF-8 (shown as \u{fffd}), which cannot be written back as they were";

/// Keeps edits byte-exact. Transforms read the tree's text view, where each
/// byte that is not UTF-8 is one placeholder character: an edit that writes
/// the placeholder would write bytes the file did not have, and an edit
/// whose range splits a character or leaves the file is a bug. Both are
/// refused, never applied. Messages show the placeholder as U+FFFD.
fn guard_edits(tree: &SyntaxTree, f: &mut Finding) {
    let text = tree.source_str();
    let mut why = None;
    if let Some(fix) = &f.fix {
        let mut end = 0;
        for e in &fix.edits {
            if e.range.start < end {
                why = Some("fix not applied: its edits overlap".to_string());
                break;
            }
            end = e.range.end;
            let (start, end) = (e.range.start as usize, e.range.end as usize);
            if start > end
                || end > text.len()
                || !text.is_char_boundary(start)
                || !text.is_char_boundary(end)
            {
                why = Some(format!(
                    "fix not applied: an edit at {start}..{end} does not fall on characters of the file"
                ));
                break;
            }
            if tree
                .placeholder()
                .is_some_and(|p| e.replacement.contains(p))
            {
                why = Some(NOT_UTF8.to_string());
                break;
            }
        }
    }
    if let Some(why) = why {
        f.not_applied.get_or_insert(why);
    }
    if let Some(p) = tree.placeholder() {
        let shown = |s: &mut String| {
            if s.contains(p) {
                *s = s.replace(p, "\u{fffd}");
            }
        };
        shown(&mut f.message);
        if let Some(fix) = &mut f.fix {
            shown(&mut fix.title);
        }
        if let Some(why) = &mut f.not_applied {
            shown(why);
        }
    }
}

/// `check`: findings on the file as it is.
pub fn check(
    source: &[u8],
    transforms: &[&dyn Transform],
    settings: &Settings,
    context: Option<&BuildContext<'_>>,
) -> (SyntaxTree, Vec<Finding>) {
    let tree = parse(source.to_vec());
    let mut findings = check_tree(&tree, transforms, settings, context);
    if tree.has_errors() {
        for f in findings.iter_mut().filter(|f| f.fix.is_some()) {
            f.not_applied = Some("the file has syntax errors".into());
        }
    }
    (tree, findings)
}

#[derive(Debug)]
pub struct FixOutcome {
    /// The fixed text; equal to the input when nothing was applied.
    pub output: Vec<u8>,
    /// Findings whose fixes were applied, in the order they were.
    pub applied: Vec<Finding>,
    /// Findings left on the output, including fixes not applied and why.
    pub remaining: Vec<Finding>,
    pub rounds: usize,
    /// The edits of each round, sorted, each round's against the text the
    /// round before it left (line breaks as written: [`apply`] turns them
    /// into the file's own).
    pub edits: Vec<Vec<Edit>>,
    /// Set when the pipeline kept the original text on purpose.
    pub failure: Option<String>,
}

impl FixOutcome {
    pub fn changed(&self, source: &[u8]) -> bool {
        self.output != source
    }
}

fn threshold(settings: &Settings) -> Applicability {
    if settings.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    }
}

/// Picks fixes whose edits overlap no fix picked before; the rest wait for
/// the next round.
fn pick(findings: &[Finding], min: Applicability) -> Vec<usize> {
    let mut order: Vec<usize> = (0..findings.len())
        .filter(|&i| {
            findings[i].not_applied.is_none()
                && findings[i]
                    .fix
                    .as_ref()
                    .is_some_and(|f| f.applicability >= min && !f.edits.is_empty())
        })
        .collect();
    order.sort_by_key(|&i| {
        findings[i]
            .fix
            .as_ref()
            .and_then(crate::fix::Fix::range)
            .map(|r| r.start)
    });
    let mut taken = Taken::default();
    let mut picked = Vec::new();
    for i in order {
        let edits = &findings[i].fix.as_ref().expect("filtered").edits;
        if edits.iter().any(|e| taken.overlaps(e)) {
            continue;
        }
        for e in edits {
            taken.insert(e);
        }
        picked.push(i);
    }
    picked
}

/// The ranges of the edits picked so far, by start. Edits that touch count
/// as overlapping: text inserted at the edge of a replaced range depends on
/// what the other edit writes there. No two ranges here overlap or touch, so
/// one look at the last range starting at or before an edit's end tells
/// whether the edit overlaps any.
#[derive(Default)]
struct Taken(std::collections::BTreeMap<u32, u32>);

impl Taken {
    fn overlaps(&self, e: &Edit) -> bool {
        self.0
            .range(..=e.range.end)
            .next_back()
            .is_some_and(|(_, &end)| end >= e.range.start)
    }

    /// Edits of one fix may touch each other: the range kept is their union.
    fn insert(&mut self, e: &Edit) {
        let (mut start, mut end) = (e.range.start, e.range.end);
        while let Some((&s, &t)) = self.0.range(..=end).next_back() {
            if t < start {
                break;
            }
            self.0.remove(&s);
            start = start.min(s);
            end = end.max(t);
        }
        self.0.insert(start, end);
    }
}

fn edits_of<'f>(findings: &[&'f Finding]) -> Vec<&'f Edit> {
    let mut edits: Vec<&Edit> = findings
        .iter()
        .flat_map(|f| f.fix.as_ref().map(|x| x.edits.iter()).into_iter().flatten())
        .collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits
}

fn apply_findings(source: &[u8], findings: &[&Finding], crlf: bool) -> Vec<u8> {
    apply(source, &edits_of(findings), crlf)
}

/// `fix`: applies fixes until nothing changes.
pub fn fix(
    source: &[u8],
    transforms: &[&dyn Transform],
    settings: &Settings,
    context: Option<&BuildContext<'_>>,
) -> FixOutcome {
    let min = threshold(settings);
    let (tree, findings) = check(source, transforms, settings, context);
    if tree.has_errors() {
        return FixOutcome {
            output: source.to_vec(),
            applied: Vec::new(),
            remaining: findings,
            rounds: 0,
            edits: Vec::new(),
            failure: None,
        };
    }
    let baseline_errors = tree.errors().len();
    let crlf = uses_crlf(source);
    let mut current = source.to_vec();
    let mut findings = findings;
    let mut applied: Vec<Finding> = Vec::new();
    let mut refused: HashSet<(&str, String)> = HashSet::new();
    let mut rounds = 0;
    let mut round_edits = Vec::new();
    loop {
        let picked = pick(&findings, min);
        if picked.is_empty() {
            break;
        }
        let chosen: Vec<&Finding> = picked.iter().map(|&i| &findings[i]).collect();
        let mut next = apply_findings(&current, &chosen, crlf);
        let mut taken = chosen.clone();
        if introduces_errors(&next, baseline_errors) {
            // Keep the fixes that are fine on their own; refuse the others
            // for good, and let the rest wait for the next round.
            let (good, bad) = sort_out(&current, &chosen, crlf, baseline_errors);
            let bad: Vec<(&'static str, String)> =
                bad.iter().map(|f| (f.code, f.message.clone())).collect();
            taken = good.first().cloned().unwrap_or_default();
            next = apply_findings(&current, &taken, crlf);
            let all: Vec<&Finding> = good.concat();
            if good.len() > 1
                && !introduces_errors(&apply_findings(&current, &all, crlf), baseline_errors)
            {
                next = apply_findings(&current, &all, crlf);
                taken = all;
            }
            if taken.is_empty() {
                // Nothing applies this round: mark the refused and pick again.
                drop(chosen);
                for key in bad {
                    refused.insert(key);
                }
                for f in &mut findings {
                    if refused.contains(&(f.code, f.message.clone())) {
                        f.not_applied.get_or_insert_with(|| NOT_PARSING.to_string());
                    }
                }
                continue;
            }
            refused.extend(bad);
        }
        if rounds == MAX_ROUNDS {
            let mut names: Vec<&str> = taken.iter().map(|f| f.name).collect();
            names.dedup();
            let why = format!(
                "fixes did not converge after {MAX_ROUNDS} rounds ({})",
                names.join(", ")
            );
            return keep_original(source, transforms, settings, context, why);
        }
        rounds += 1;
        round_edits.push(edits_of(&taken).into_iter().cloned().collect());
        applied.extend(taken.into_iter().cloned());
        current = next;
        let tree = parse(current.clone());
        findings = check_tree(&tree, transforms, settings, context);
        // A fix that was refused once stays refused.
        for f in &mut findings {
            if refused.contains(&(f.code, f.message.clone())) {
                f.not_applied = Some(NOT_PARSING.into());
            }
        }
    }
    let tree = parse(current.clone());
    if tree.print() != current {
        let why = "fix not applied: the result does not print back as itself".to_string();
        return keep_original(source, transforms, settings, context, why);
    }
    FixOutcome {
        output: current,
        applied,
        remaining: findings,
        rounds,
        edits: round_edits,
        failure: None,
    }
}

const NOT_PARSING: &str = "fix not applied: the result would not parse";

/// Trial parses spent finding which fixes of a round break the file. Each
/// costs a parse of the whole file; past the budget, the fixes still in
/// doubt wait, refused, so that hostile input cannot make this quadratic.
const TRIAL_BUDGET: usize = 64;

/// Splits fixes whose combined result does not parse into groups that are
/// fine (each tested as a whole) and fixes that are not, by halving.
fn sort_out<'f>(
    current: &[u8],
    chosen: &[&'f Finding],
    crlf: bool,
    baseline: usize,
) -> (Vec<Vec<&'f Finding>>, Vec<&'f Finding>) {
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    let mut budget = TRIAL_BUDGET;
    let mut queue: Vec<&[&Finding]> = vec![chosen];
    let mut known_bad = true;
    while let Some(group) = queue.pop() {
        let broken = if known_bad {
            known_bad = false;
            true
        } else if budget == 0 {
            bad.extend_from_slice(group);
            continue;
        } else {
            budget -= 1;
            introduces_errors(&apply_findings(current, group, crlf), baseline)
        };
        match group {
            _ if !broken => good.push(group.to_vec()),
            [one] => bad.push(*one),
            _ => {
                let (a, b) = group.split_at(group.len() / 2);
                queue.push(b);
                queue.push(a);
            }
        }
    }
    (good, bad)
}

fn introduces_errors(text: &[u8], baseline: usize) -> bool {
    let tree = parse(text.to_vec());
    tree.has_errors() || tree.errors().len() > baseline
}

fn keep_original(
    source: &[u8],
    transforms: &[&dyn Transform],
    settings: &Settings,
    context: Option<&BuildContext<'_>>,
    why: String,
) -> FixOutcome {
    let (_, mut findings) = check(source, transforms, settings, context);
    for f in findings.iter_mut().filter(|f| f.fix.is_some()) {
        f.not_applied = Some(why.clone());
    }
    FixOutcome {
        output: source.to_vec(),
        applied: Vec::new(),
        remaining: findings,
        rounds: 0,
        edits: Vec::new(),
        failure: Some(why),
    }
}

#[cfg(test)]
mod tests {
    use dockopt_syntax::TextRange;

    use super::*;
    use crate::fix::Fix;

    /// A transform with one finding whose fix replaces `range` with `text`.
    struct Fixed(&'static str, TextRange, &'static str);

    impl Transform for Fixed {
        fn code(&self) -> &'static str {
            self.0
        }
        fn name(&self) -> &'static str {
            self.0
        }
        fn summary(&self) -> &'static str {
            ""
        }
        fn docs(&self) -> &'static str {
            ""
        }
        fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
            // Once applied, the text is there: nothing more to do.
            if cx
                .tree
                .source()
                .windows(self.2.len())
                .any(|w| w == self.2.as_bytes())
            {
                return;
            }
            let edit = Edit::replace(self.1, self.2);
            out.push(
                Finding::new(self.0, self.0, "x", self.1).with_fix(Fix::safe("x", vec![edit])),
            );
        }
    }

    #[test]
    fn a_broken_fix_does_not_block_the_others() {
        let src = b"FROM a\nRUN b\n";
        // Sorted first, and overlapping the good one: it is tried alone.
        let broken = Fixed("T1", TextRange::new(0, 4), "FRXM");
        let good = Fixed("T2", TextRange::new(0, 0), "# ok\n");
        let out = fix(src, &[&broken, &good], &Settings::default(), None);
        assert_eq!(out.output, b"# ok\nFROM a\nRUN b\n");
        let t1 = out.remaining.iter().find(|f| f.code == "T1").unwrap();
        assert_eq!(t1.not_applied.as_deref(), Some(NOT_PARSING));
        assert!(out.failure.is_none());
    }

    #[test]
    fn edits_that_leave_the_file_or_split_characters_are_refused() {
        let src = "FROM a\nRUN \u{e9}\n".as_bytes();
        let outside = Fixed("T1", TextRange::new(13, 20), "x");
        let split = Fixed("T2", TextRange::new(12, 12), "x");
        let (_, findings) = check(src, &[&outside, &split], &Settings::default(), None);
        assert_eq!(findings.len(), 2);
        for f in &findings {
            assert!(
                f.not_applied
                    .as_deref()
                    .unwrap()
                    .contains("does not fall on characters"),
                "{f:?}"
            );
        }
        assert_eq!(
            fix(src, &[&outside, &split], &Settings::default(), None).output,
            src
        );
    }
}
