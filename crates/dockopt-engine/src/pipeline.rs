//! The fix pipeline: check, apply non-overlapping fixes, re-parse, repeat.
//!
//! A pure function from text, transforms, settings and context to new text
//! and findings. Before it hands back changed text it checks that the text
//! parses without new errors, prints back as itself, and is stable: a further
//! round would change nothing. Otherwise the original text is kept and the
//! findings say why.

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
    findings.sort_by(|a, b| (a.range.start, a.code).cmp(&(b.range.start, b.code)));
    findings
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

/// Edits that touch count as overlapping: text inserted at the edge of a
/// replaced range depends on what the other edit writes there.
fn overlaps(a: &Edit, b: &Edit) -> bool {
    let (a, b) = (a.range, b.range);
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
    let mut taken: Vec<&Edit> = Vec::new();
    let mut picked = Vec::new();
    for i in order {
        let edits = &findings[i].fix.as_ref().expect("filtered").edits;
        if edits.iter().any(|e| taken.iter().any(|t| overlaps(e, t))) {
            continue;
        }
        taken.extend(edits);
        picked.push(i);
    }
    picked
}

fn apply_findings(source: &[u8], findings: &[&Finding], crlf: bool) -> Vec<u8> {
    let mut edits: Vec<&Edit> = findings
        .iter()
        .flat_map(|f| f.fix.as_ref().map(|x| x.edits.iter()).into_iter().flatten())
        .collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    apply(source, &edits, crlf)
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
            failure: None,
        };
    }
    let baseline_errors = tree.errors().len();
    let crlf = uses_crlf(source);
    let mut current = source.to_vec();
    let mut findings = findings;
    let mut applied: Vec<Finding> = Vec::new();
    let mut refused: Vec<Finding> = Vec::new();
    let mut rounds = 0;
    loop {
        let picked = pick(&findings, min);
        if picked.is_empty() {
            break;
        }
        if rounds == MAX_ROUNDS {
            let mut names: Vec<&str> = picked.iter().map(|&i| findings[i].name).collect();
            names.dedup();
            let why = format!(
                "fixes did not converge after {MAX_ROUNDS} rounds ({})",
                names.join(", ")
            );
            return keep_original(source, transforms, settings, context, why);
        }
        rounds += 1;
        let chosen: Vec<&Finding> = picked.iter().map(|&i| &findings[i]).collect();
        let mut next = apply_findings(&current, &chosen, crlf);
        if introduces_errors(&next, baseline_errors) {
            // Keep the fixes that are fine on their own.
            let mut good = Vec::new();
            for f in &chosen {
                if introduces_errors(&apply_findings(&current, &[f], crlf), baseline_errors) {
                    let mut r = (*f).clone();
                    r.not_applied = Some("fix not applied: the result would not parse".into());
                    refused.push(r);
                } else {
                    good.push(*f);
                }
            }
            next = apply_findings(&current, &good, crlf);
            if good.is_empty() || introduces_errors(&next, baseline_errors) {
                let why = "fix not applied: the result would not parse cleanly";
                for f in findings.iter_mut().filter(|f| f.fix.is_some()) {
                    f.not_applied.get_or_insert_with(|| why.to_string());
                }
                break;
            }
            applied.extend(good.into_iter().cloned());
        } else {
            applied.extend(chosen.into_iter().cloned());
        }
        current = next;
        let tree = parse(current.clone());
        findings = check_tree(&tree, transforms, settings, context);
        // A fix that was refused once stays refused.
        for f in &mut findings {
            if refused
                .iter()
                .any(|r| r.code == f.code && r.message == f.message)
            {
                f.not_applied = Some("fix not applied: the result would not parse".into());
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
        failure: Some(why),
    }
}
