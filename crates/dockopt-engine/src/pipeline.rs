//! The fix pipeline: check, apply non-overlapping fixes, re-parse, repeat.
//!
//! A pure function from text, transforms, settings and context to new text
//! and findings. Each round parses the text, builds the model once, and runs
//! every enabled transform on it; parsed RUN scripts are kept across rounds.
//! Before it hands back changed text it checks that the text parses without
//! new errors, prints back as itself, and is stable: a further round would
//! change nothing. Otherwise the original text is kept and the findings say
//! why.

use dockopt_syntax::{parse, SyntaxTree, TextRange};

use crate::config::Settings;
use crate::context::BuildContext;
use crate::finding::{Finding, NotApplied};
use crate::fix::{apply, uses_crlf, Applicability, Edit};
use crate::model::{Model, Scripts};
use crate::suppress::Suppressions;
use crate::transform::{Cx, Gain, Transform};

/// Rounds before the pipeline gives up on converging.
pub const MAX_ROUNDS: usize = 10;

/// Runs the enabled transforms once over a parsed file.
pub fn check_tree(
    tree: &SyntaxTree,
    transforms: &[&dyn Transform],
    settings: &Settings,
    context: Option<&BuildContext<'_>>,
    scripts: &Scripts,
) -> Vec<Finding> {
    let suppressions = Suppressions::from_tree(tree);
    let model = Model::new(tree, context, scripts, settings.target.as_deref());
    let mut findings = Vec::new();
    for t in transforms
        .iter()
        .filter(|t| settings.selection.enabled(**t))
    {
        let cx = Cx {
            tree,
            model: &model,
            context,
            options: settings.options.get(t.name()),
        };
        let mut found = Vec::new();
        t.check(&cx, &mut found);
        let gain = t.rule().gain;
        findings.extend(found.into_iter().filter(|f| {
            !suppressions.is_suppressed(f.code, f.name, f.range.start)
                && !fix_suppressed(&suppressions, f)
                && (f.gain.unwrap_or(gain) != Gain::Size || ships_at(&model, f.range.start))
        }));
    }
    findings.sort_by(|a, b| (a.range.start, a.code).cmp(&(b.range.start, b.code)));
    findings
}

/// Whether a suppression above any instruction the fix edits or reads
/// silences the finding's transform: `# dockopt: ignore[merge-runs]` above
/// the first of two RUNs stops their merge, though the finding is on the
/// second.
fn fix_suppressed(s: &Suppressions, f: &Finding) -> bool {
    f.fix.as_ref().is_some_and(|fix| {
        fix.edits
            .iter()
            .map(|e| e.range)
            .chain(fix.reads.iter().copied())
            .any(|r| {
                s.is_suppressed(f.code, f.name, r.start)
                    || (r.end > r.start && s.is_suppressed(f.code, f.name, r.end - 1))
            })
    })
}

/// Whether the instruction at `offset` is in a stage whose layers ship in the
/// target image (or before any stage). Size-only findings elsewhere save
/// nothing, so they are not reported.
fn ships_at(model: &Model<'_>, offset: u32) -> bool {
    let i = model
        .insts
        .partition_point(|x| x.syntax.range().start <= offset);
    let Some(inst) = i.checked_sub(1).map(|i| &model.insts[i]) else {
        return true;
    };
    inst.stage.is_none() || model.ships(inst)
}

/// `check`: findings on the file as it is.
pub fn check(
    source: &[u8],
    transforms: &[&dyn Transform],
    settings: &Settings,
    context: Option<&BuildContext<'_>>,
) -> (SyntaxTree, Vec<Finding>) {
    check_with(source, transforms, settings, context, &Scripts::new())
}

fn check_with(
    source: &[u8],
    transforms: &[&dyn Transform],
    settings: &Settings,
    context: Option<&BuildContext<'_>>,
    scripts: &Scripts,
) -> (SyntaxTree, Vec<Finding>) {
    let tree = parse(source.to_vec());
    let mut findings = check_tree(&tree, transforms, settings, context, scripts);
    if tree.has_errors() {
        for f in findings.iter_mut().filter(|f| f.fix.is_some()) {
            f.not_applied = Some(NotApplied::SyntaxErrors);
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
    /// Set when the pipeline kept the original text on purpose.
    pub failure: Option<NotApplied>,
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

/// Ranges that touch count as overlapping: text inserted at the edge of a
/// replaced range depends on what the other edit writes there.
fn touches(a: TextRange, b: TextRange) -> bool {
    a.start <= b.end && b.start <= a.end
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
    // Ranges edited, and ranges read, by the fixes picked so far.
    let mut edited: Vec<TextRange> = Vec::new();
    let mut read: Vec<TextRange> = Vec::new();
    let mut picked = Vec::new();
    for i in order {
        let fix = findings[i].fix.as_ref().expect("filtered");
        let mine: Vec<TextRange> = fix.edits.iter().map(|e| e.range).collect();
        let clash = mine
            .iter()
            .any(|e| edited.iter().chain(&read).any(|t| touches(*e, *t)))
            || fix
                .reads
                .iter()
                .any(|r| edited.iter().any(|t| touches(*r, *t)));
        if clash {
            continue;
        }
        edited.extend(mine);
        read.extend(fix.reads.iter().copied());
        picked.push(i);
    }
    picked
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

/// Where an offset of the text before some edits is after them; `None` when
/// an edit replaced it.
fn map_offset(edits: &[&Edit], at: u32, crlf: bool) -> Option<u32> {
    let mut shift: i64 = 0;
    for e in edits {
        if e.range.end <= at && !(e.range.is_empty() && e.range.start == at) {
            let inserted = e.replacement.len()
                + if crlf {
                    e.replacement.matches('\n').count() - e.replacement.matches("\r\n").count()
                } else {
                    0
                };
            shift += i64::try_from(inserted).unwrap_or(i64::MAX) - i64::from(e.range.len());
        } else if e.range.start < at && at < e.range.end {
            return None;
        }
    }
    u32::try_from(i64::from(at) + shift).ok()
}

/// A fix that was refused, so that the same finding in a later round is not
/// tried again: its rule and where it sits in the current text.
#[derive(Clone, Debug)]
struct Refused {
    code: &'static str,
    range: TextRange,
    why: NotApplied,
}

impl Refused {
    /// Moves the record across a round's edits; `None` when an edit rewrote
    /// the place, so the finding there is new.
    fn moved(self, edits: &[&Edit], crlf: bool) -> Option<Self> {
        let start = map_offset(edits, self.range.start, crlf)?;
        let end = map_offset(edits, self.range.end, crlf)?;
        Some(Self {
            range: TextRange::new(start, end.max(start)),
            ..self
        })
    }
}

/// `fix`: applies fixes until nothing changes.
pub fn fix(
    source: &[u8],
    transforms: &[&dyn Transform],
    settings: &Settings,
    context: Option<&BuildContext<'_>>,
) -> FixOutcome {
    let min = threshold(settings);
    let scripts = Scripts::new();
    let (tree, findings) = check_with(source, transforms, settings, context, &scripts);
    if tree.has_errors() {
        return FixOutcome {
            output: source.to_vec(),
            applied: Vec::new(),
            remaining: findings,
            rounds: 0,
            failure: None,
        };
    }
    let baseline_errors = tree.errors().len();
    let crlf = uses_crlf(source);
    let mut current = source.to_vec();
    let mut findings = findings;
    let mut applied: Vec<Finding> = Vec::new();
    let mut refused: Vec<Refused> = Vec::new();
    let mut rounds = 0;
    loop {
        let picked = pick(&findings, min);
        if picked.is_empty() {
            break;
        }
        if rounds == MAX_ROUNDS {
            let mut rules: Vec<&'static str> = picked.iter().map(|&i| findings[i].name).collect();
            rules.sort_unstable();
            rules.dedup();
            return keep_original(
                source,
                transforms,
                settings,
                context,
                NotApplied::NotConverging { rules },
            );
        }
        rounds += 1;
        let chosen: Vec<&Finding> = picked.iter().map(|&i| &findings[i]).collect();
        // Keep the fixes that are fine on their own; refuse the others.
        let mut good: Vec<&Finding> = chosen.clone();
        if introduces_errors(&apply_findings(&current, &chosen, crlf), baseline_errors) {
            good.clear();
            for f in &chosen {
                if introduces_errors(&apply_findings(&current, &[f], crlf), baseline_errors) {
                    refused.push(Refused {
                        code: f.code,
                        range: f.range,
                        why: NotApplied::WouldNotParse,
                    });
                } else {
                    good.push(*f);
                }
            }
            if !good.is_empty()
                && introduces_errors(&apply_findings(&current, &good, crlf), baseline_errors)
            {
                // Fine alone, broken together: apply the first this round.
                good.truncate(1);
            }
        }
        let edits = edits_of(&good);
        let next = apply(&current, &edits, crlf);
        applied.extend(good.into_iter().cloned());
        refused = refused
            .into_iter()
            .filter_map(|r| r.moved(&edits, crlf))
            .collect();
        current = next;
        scripts.next_round();
        let tree = parse(current.clone());
        findings = check_tree(&tree, transforms, settings, context, &scripts);
        for f in &mut findings {
            if let Some(r) = refused
                .iter()
                .find(|r| r.code == f.code && r.range == f.range)
            {
                f.not_applied = Some(r.why.clone());
            }
        }
    }
    let tree = parse(current.clone());
    if tree.print() != current {
        return keep_original(
            source,
            transforms,
            settings,
            context,
            NotApplied::NotLossless,
        );
    }
    FixOutcome {
        output: current,
        applied,
        remaining: findings,
        rounds,
        failure: None,
    }
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
    why: NotApplied,
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
        failure: Some(why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::Fix;
    use crate::transform::{Fixes, Gain, Rule};

    static RULE: Rule = Rule {
        code: "DKR900",
        name: "fake",
        summary: "",
        docs: "",
        fixes: Fixes::Safe,
        gain: Gain::Correctness,
    };

    /// Upper-cases every `run` keyword; the fix for the line holding
    /// `break` writes text that does not parse.
    struct Upper;

    impl Transform for Upper {
        fn rule(&self) -> &'static Rule {
            &RULE
        }

        fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
            for i in cx
                .model
                .insts
                .iter()
                .filter(|i| i.syntax.keyword() == "run")
            {
                let r = i.syntax.keyword_range();
                let text = if i.syntax.args().contains("break") {
                    "RUN\nNOPE"
                } else {
                    "RUN"
                };
                out.push(
                    Finding::new("DKR900", "fake", "same message", r)
                        .with_fix(Fix::safe("upper", vec![Edit::replace(r, text)])),
                );
            }
        }
    }

    /// Never settles: appends a character to the first RUN every round.
    struct Restless;

    impl Transform for Restless {
        fn rule(&self) -> &'static Rule {
            &RULE
        }

        fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
            if let Some(i) = cx.model.insts.iter().find(|i| i.is("run")) {
                let at = i.syntax.args_range().end;
                out.push(
                    Finding::new("DKR900", "fake", "more", i.syntax.keyword_range())
                        .with_fix(Fix::safe("more", vec![Edit::insert(at, "x")])),
                );
            }
        }
    }

    fn settings() -> Settings {
        Settings::default()
    }

    #[test]
    fn one_refused_fix_does_not_block_others_with_the_same_message() {
        let src = b"FROM alpine\nrun echo break\nrun echo a\nrun echo b\n";
        let out = fix(src, &[&Upper], &settings(), None);
        assert_eq!(
            String::from_utf8(out.output).unwrap(),
            "FROM alpine\nrun echo break\nRUN echo a\nRUN echo b\n"
        );
        assert_eq!(out.applied.len(), 2);
        let left: Vec<_> = out
            .remaining
            .iter()
            .map(|f| f.not_applied.clone())
            .collect();
        assert_eq!(left, [Some(NotApplied::WouldNotParse)]);
        assert!(out.failure.is_none());
    }

    #[test]
    fn fixes_that_never_settle_keep_the_original() {
        let src = b"FROM alpine\nRUN echo\n";
        let out = fix(src, &[&Restless], &settings(), None);
        assert_eq!(out.output, src);
        assert_eq!(
            out.failure,
            Some(NotApplied::NotConverging {
                rules: vec!["fake"]
            })
        );
        assert!(out.remaining.iter().all(|f| f.not_applied == out.failure));
    }

    #[test]
    fn files_with_syntax_errors_are_not_fixed() {
        let src = b"FROM alpine\nrun echo a\nNOPE x\n";
        let out = fix(src, &[&Upper], &settings(), None);
        assert_eq!(out.output, src);
        assert_eq!(out.remaining[0].not_applied, Some(NotApplied::SyntaxErrors));
    }

    #[test]
    fn offsets_move_across_edits() {
        let e1 = Edit::replace(TextRange::new(2, 4), "abcd");
        let e2 = Edit::insert(10, "\n");
        let edits = [&e1, &e2];
        assert_eq!(map_offset(&edits, 1, false), Some(1));
        assert_eq!(map_offset(&edits, 3, false), None);
        assert_eq!(map_offset(&edits, 4, false), Some(6));
        assert_eq!(map_offset(&edits, 10, false), Some(12));
        assert_eq!(map_offset(&edits, 11, false), Some(14));
        assert_eq!(map_offset(&edits, 11, true), Some(15));
    }
}
