//! The fix pipeline: check, apply non-overlapping fixes, re-parse, repeat.
//!
//! A pure function from text, transforms, settings and context to new text
//! and findings. Each round parses the text, builds the model once, and runs
//! every enabled transform on it; parsed RUN scripts are kept across rounds.
//! Before it hands back changed text it checks that the text parses without
//! new errors, prints back as itself, and is stable: a further round would
//! change nothing. Otherwise the original text is kept and the findings say
//! why.

use std::collections::{BTreeMap, HashMap};

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
    for f in &mut findings {
        guard_edits(tree, f);
    }
    findings.sort_by(|a, b| (a.range.start, a.code).cmp(&(b.range.start, b.code)));
    findings
}

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
                why = Some(NotApplied::Refused(
                    "fix not applied: its edits overlap".to_string(),
                ));
                break;
            }
            end = e.range.end;
            let (start, end) = (e.range.start as usize, e.range.end as usize);
            if start > end
                || end > text.len()
                || !text.is_char_boundary(start)
                || !text.is_char_boundary(end)
            {
                why = Some(NotApplied::Refused(format!(
                    "fix not applied: an edit at {start}..{end} does not fall on characters of the file"
                )));
                break;
            }
            if tree
                .placeholder()
                .is_some_and(|p| e.replacement.contains(p))
            {
                why = Some(NotApplied::InvalidUtf8);
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
        if let Some(NotApplied::Refused(why)) = &mut f.not_applied {
            shown(why);
        }
    }
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
    /// The edits of each round, sorted, each round's against the text the
    /// round before it left (line breaks as written: [`apply`] turns them
    /// into the file's own).
    pub edits: Vec<Vec<Edit>>,
    /// Set when the pipeline kept the original text on purpose.
    pub failure: Option<NotApplied>,
}

impl FixOutcome {
    /// The source as it was, with the findings on it.
    fn unchanged(source: &[u8], remaining: Vec<Finding>, failure: Option<NotApplied>) -> Self {
        Self {
            output: source.to_vec(),
            applied: Vec::new(),
            remaining,
            rounds: 0,
            edits: Vec::new(),
            failure,
        }
    }

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

/// Picks fixes whose edits overlap no fix picked before, and neither edit
/// what another rule's fix reads nor read what another rule's fix edits;
/// the rest wait for the next round.
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
    // Ranges edited by every fix picked so far; and, per rule, what its
    // fixes edit and read. A rule's own fixes may read what each other
    // edits: the rule judged them together (a chain of merges).
    let mut edited = Taken::default();
    let mut by_rule: HashMap<&str, (Taken, Taken)> = HashMap::new();
    let mut picked = Vec::new();
    for i in order {
        let code = findings[i].code;
        let fix = findings[i].fix.as_ref().expect("filtered");
        let others = || by_rule.iter().filter(|(c, _)| **c != code).map(|(_, t)| t);
        let clash =
            fix.edits.iter().any(|e| {
                edited.touches(e.range) || others().any(|(_, read)| read.touches(e.range))
            }) || fix
                .reads
                .iter()
                .any(|r| others().any(|(edits, _)| edits.touches(*r)));
        if clash {
            continue;
        }
        let (edits, read) = by_rule.entry(code).or_default();
        for e in &fix.edits {
            edited.insert(e.range);
            edits.insert(e.range);
        }
        for r in &fix.reads {
            read.insert(*r);
        }
        picked.push(i);
    }
    picked
}

/// Ranges taken so far, by start, merged where they touch. Ranges that
/// touch count as overlapping: text inserted at the edge of a replaced
/// range depends on what the other edit writes there. As no two ranges
/// kept touch, one look at the last one starting at or before a range's
/// end tells whether the range touches any.
#[derive(Default)]
struct Taken(BTreeMap<u32, u32>);

impl Taken {
    fn touches(&self, r: TextRange) -> bool {
        self.0
            .range(..=r.end)
            .next_back()
            .is_some_and(|(_, &end)| end >= r.start)
    }

    fn insert(&mut self, r: TextRange) {
        let (mut start, mut end) = (r.start, r.end);
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

/// Where offsets of the text before a round's edits (sorted, apart) are
/// after them: each lookup is a binary search, so moving every record
/// across every edit stays linear in their number.
struct Shifts<'e> {
    edits: &'e [&'e Edit],
    /// The change in length made by the edits before each index.
    before: Vec<i64>,
}

impl<'e> Shifts<'e> {
    fn new(edits: &'e [&'e Edit], crlf: bool) -> Self {
        let mut before = Vec::with_capacity(edits.len() + 1);
        let mut shift: i64 = 0;
        before.push(0);
        for e in edits {
            let inserted = e.replacement.len()
                + if crlf {
                    e.replacement.matches('\n').count() - e.replacement.matches("\r\n").count()
                } else {
                    0
                };
            shift += i64::try_from(inserted).unwrap_or(i64::MAX) - i64::from(e.range.len());
            before.push(shift);
        }
        Self { edits, before }
    }

    /// `None` when an edit replaced the offset. Text inserted at the offset
    /// goes after it.
    fn map(&self, at: u32) -> Option<u32> {
        let k = self
            .edits
            .partition_point(|e| e.range.end < at || (e.range.end == at && !e.range.is_empty()));
        if let Some(e) = self.edits.get(k) {
            if e.range.start < at && at < e.range.end {
                return None;
            }
        }
        u32::try_from(i64::from(at) + self.before[k]).ok()
    }
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
    fn moved(self, shifts: &Shifts<'_>) -> Option<Self> {
        let start = shifts.map(self.range.start)?;
        let end = shifts.map(self.range.end)?;
        Some(Self {
            range: TextRange::new(start, end.max(start)),
            ..self
        })
    }
}

/// A fix that was refused once stays refused: marks the findings at the
/// places of earlier refusals.
fn mark_refused(findings: &mut [Finding], refused: &[Refused]) {
    let by_place: HashMap<(&str, u32, u32), &NotApplied> = refused
        .iter()
        .map(|r| ((r.code, r.range.start, r.range.end), &r.why))
        .collect();
    for f in findings {
        if let Some(why) = by_place.get(&(f.code, f.range.start, f.range.end)) {
            f.not_applied = Some((*why).clone());
        }
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
        return FixOutcome::unchanged(source, findings, None);
    }
    let baseline_errors = tree.errors().len();
    let crlf = uses_crlf(source);
    let mut current = source.to_vec();
    let mut findings = findings;
    let mut applied: Vec<Finding> = Vec::new();
    let mut refused: Vec<Refused> = Vec::new();
    let mut rounds = 0;
    let mut round_edits = Vec::new();
    loop {
        let picked = pick(&findings, min);
        if picked.is_empty() {
            break;
        }
        let (good, bad) = usable(&current, &picked, &findings, crlf, baseline_errors);
        refused.extend(bad.iter().map(|&i| Refused {
            code: findings[i].code,
            range: findings[i].range,
            why: NotApplied::WouldNotParse,
        }));
        if good.is_empty() {
            // Nothing applies this round: mark the refused, pick again.
            for &i in &bad {
                findings[i].not_applied = Some(NotApplied::WouldNotParse);
            }
            continue;
        }
        let good: Vec<&Finding> = good.iter().map(|&i| &findings[i]).collect();
        if rounds == MAX_ROUNDS {
            let why = not_converging(&good);
            return keep_original(source, transforms, settings, context, why);
        }
        rounds += 1;
        let edits = edits_of(&good);
        let next = apply(&current, &edits, crlf);
        round_edits.push(edits.iter().map(|e| (*e).clone()).collect());
        let shifts = Shifts::new(&edits, crlf);
        refused = refused
            .into_iter()
            .filter_map(|r| r.moved(&shifts))
            .collect();
        applied.extend(good.into_iter().cloned());
        current = next;
        scripts.next_round();
        let tree = parse(current.clone());
        findings = check_tree(&tree, transforms, settings, context, &scripts);
        mark_refused(&mut findings, &refused);
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
        edits: round_edits,
        failure: None,
    }
}

/// Of the fixes picked for a round (indices into `findings`), those to
/// apply, and those that break the file on their own and are refused for
/// good. Fixes in neither wait for the next round.
fn usable(
    current: &[u8],
    picked: &[usize],
    findings: &[Finding],
    crlf: bool,
    baseline: usize,
) -> (Vec<usize>, Vec<usize>) {
    let of = |ix: &[usize]| -> Vec<&Finding> { ix.iter().map(|&i| &findings[i]).collect() };
    if !introduces_errors(&apply_findings(current, &of(picked), crlf), baseline) {
        return (picked.to_vec(), Vec::new());
    }
    let (groups, bad) = sort_out(current, picked, findings, crlf, baseline);
    let all: Vec<usize> = groups.iter().flatten().copied().collect();
    let good = if groups.len() > 1
        && !introduces_errors(&apply_findings(current, &of(&all), crlf), baseline)
    {
        all
    } else {
        groups.into_iter().next().unwrap_or_default()
    };
    (good, bad)
}

/// Trial parses spent finding which fixes of a round break the file. Each
/// costs a parse of the whole file; past the budget, the fixes still in
/// doubt are refused, so that hostile input cannot make this quadratic.
const TRIAL_BUDGET: usize = 64;

/// Splits fixes (indices into `findings`) whose combined result does not
/// parse into groups that are fine, each tested as a whole, and fixes that
/// are not, by halving.
fn sort_out(
    current: &[u8],
    chosen: &[usize],
    findings: &[Finding],
    crlf: bool,
    baseline: usize,
) -> (Vec<Vec<usize>>, Vec<usize>) {
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    let mut budget = TRIAL_BUDGET;
    let mut queue: Vec<&[usize]> = vec![chosen];
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
            let these: Vec<&Finding> = group.iter().map(|&i| &findings[i]).collect();
            introduces_errors(&apply_findings(current, &these, crlf), baseline)
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
    why: NotApplied,
) -> FixOutcome {
    let (_, mut findings) = check(source, transforms, settings, context);
    for f in findings.iter_mut().filter(|f| f.fix.is_some()) {
        f.not_applied = Some(why.clone());
    }
    FixOutcome::unchanged(source, findings, Some(why))
}

/// Why the fixes were given up: the rules whose fixes kept changing the file.
fn not_converging(good: &[&Finding]) -> NotApplied {
    let mut rules: Vec<&'static str> = good.iter().map(|f| f.name).collect();
    rules.sort_unstable();
    rules.dedup();
    NotApplied::NotConverging { rules }
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
        let lf = Shifts::new(&edits, false);
        assert_eq!(lf.map(1), Some(1));
        assert_eq!(lf.map(2), Some(2));
        assert_eq!(lf.map(3), None);
        assert_eq!(lf.map(4), Some(6));
        assert_eq!(lf.map(10), Some(12));
        assert_eq!(lf.map(11), Some(14));
        assert_eq!(Shifts::new(&edits, true).map(11), Some(15));
    }

    static T1: Rule = Rule {
        code: "T1",
        name: "t1",
        summary: "",
        docs: "",
        fixes: Fixes::Safe,
        gain: Gain::Correctness,
    };
    static T2: Rule = Rule {
        code: "T2",
        name: "t2",
        ..T1
    };

    /// One finding whose fix replaces a range with a text, once.
    struct Fixed(&'static Rule, TextRange, &'static str);

    impl Transform for Fixed {
        fn rule(&self) -> &'static Rule {
            self.0
        }

        fn check(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
            // Once applied, the text is there: nothing more to do.
            if cx.tree.source_str().contains(self.2) {
                return;
            }
            let edit = Edit::replace(self.1, self.2);
            out.push(
                Finding::new(self.0.code, self.0.name, "x", self.1)
                    .with_fix(Fix::safe("x", vec![edit])),
            );
        }
    }

    #[test]
    fn a_broken_fix_does_not_block_the_others() {
        let src = b"FROM a\nRUN b\n";
        // Sorted first, and touching the good one: they are tried apart.
        let broken = Fixed(&T1, TextRange::new(0, 4), "FRXM");
        let good = Fixed(&T2, TextRange::new(0, 0), "# ok\n");
        let out = fix(src, &[&broken, &good], &settings(), None);
        assert_eq!(out.output, b"# ok\nFROM a\nRUN b\n");
        let t1 = out.remaining.iter().find(|f| f.code == "T1").unwrap();
        assert_eq!(t1.not_applied, Some(NotApplied::WouldNotParse));
        assert!(out.failure.is_none());
    }

    #[test]
    fn edits_that_leave_the_file_or_split_characters_are_refused() {
        let src = "FROM a\nRUN \u{e9}\n".as_bytes();
        let outside = Fixed(&T1, TextRange::new(13, 20), "x");
        let split = Fixed(&T2, TextRange::new(12, 12), "x");
        let (_, findings) = check(src, &[&outside, &split], &settings(), None);
        assert_eq!(findings.len(), 2);
        for f in &findings {
            let why = f.not_applied.as_ref().unwrap().to_string();
            assert!(why.contains("does not fall on characters"), "{f:?}");
        }
        assert_eq!(fix(src, &[&outside, &split], &settings(), None).output, src);
    }

    #[test]
    fn picked_fixes_neither_touch_nor_edit_what_another_reads() {
        let mut taken = Taken::default();
        taken.insert(TextRange::new(10, 20));
        taken.insert(TextRange::new(30, 40));
        assert!(taken.touches(TextRange::new(20, 25)));
        assert!(taken.touches(TextRange::new(25, 30)));
        assert!(!taken.touches(TextRange::new(21, 29)));
        assert!(!taken.touches(TextRange::new(41, 41)));
        taken.insert(TextRange::new(19, 31));
        assert_eq!(taken.0.len(), 1);
        assert!(taken.touches(TextRange::new(25, 26)));
    }
}
